#!/bin/sh
# run.sh - runs every suite (C unit tests, boto3 integration tests, aws CLI
# tests), each against its own tinystack on a free port, and ends with one
# line for the whole run: "N passed, N failed".  ONLY=unit|integration|cli
# runs one suite.  Exit status 1 when anything failed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
: "${TINYSTACK_BIN:=build/rel/tinystack}"
: "${UNIT_BIN:=build/rel/unit_tests}"
export TINYSTACK_BIN
ONLY=${ONLY:-}
total_pass=0
total_fail=0
log=$(mktemp -d)

# Adds the counts of a suite's "name: N passed, N failed" last line; a
# suite that dies without that line counts as one failure.
tally() {
    name=$1 rc=$2 file=$3
    line=$(grep -E '^[a-z0-9-]+: [0-9]+ passed, [0-9]+ failed' "$file" | tail -n 1)
    if [ -z "$line" ]; then
        echo "== $name: no result line (exit $rc)"
        total_fail=$((total_fail + 1))
        return
    fi
    p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/')
    f=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
    fi
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
}

run_suite() {
    name=$1
    shift
    echo "== $name"
    "$@" >"$log/$name.out" 2>&1
    rc=$?
    cat "$log/$name.out"
    tally "$name" "$rc" "$log/$name.out"
}

PY=${PYTHON:-python3}
if [ -z "$ONLY" ] || [ "$ONLY" = unit ]; then
    run_suite unit "$UNIT_BIN"
fi
if [ -z "$ONLY" ] || [ "$ONLY" = integration ]; then
    run_suite integration "$PY" tests/integration/run.py
    # Debian's older boto3 sends uploads without aws-chunked framing:
    # run the S3 suite with it too, when it is there, so both stay covered.
    if [ -x /usr/bin/python3 ] && [ "$(command -v "$PY")" != /usr/bin/python3 ] &&
        /usr/bin/python3 -c 'import boto3' 2>/dev/null; then
        run_suite integration-debian /usr/bin/python3 tests/integration/run.py test_s3
    fi
fi
if [ -z "$ONLY" ] || [ "$ONLY" = cli ]; then
    if [ -f tests/cli/run.sh ]; then
        run_suite cli bash tests/cli/run.sh
    fi
fi
rm -rf "$log"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
