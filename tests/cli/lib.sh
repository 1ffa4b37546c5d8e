# lib.sh - sourced by tests/cli/test_*.sh.  Counts assertions into
# $CLI_RESULTS (one "PASS<TAB>name" or "FAIL<TAB>name" line each), which
# run.sh adds up.  Expects ENDPOINT, AWS (the aws binary) and WORK (a scratch
# dir) in the environment.

: "${CLI_RESULTS:?run the CLI tests through tests/cli/run.sh}"
: "${ENDPOINT:?}"
: "${AWS:=aws}"
: "${WORK:?}"

CLI_LABEL=${CLI_LABEL:-$(basename "$0" .sh)}

pass() {
    printf 'PASS\t%s\n' "$1" >>"$CLI_RESULTS"
    printf 'ok     %s: %s\n' "$CLI_LABEL" "$1" >&2
}

fail() {
    printf 'FAIL\t%s\n' "$1" >>"$CLI_RESULTS"
    printf 'FAILED %s: %s\n' "$CLI_LABEL" "$1" >&2
    [ -n "$2" ] && printf '%s\n' "$2" | sed 's/^/       | /' | head -n 30 >&2
    return 0
}

# check NAME CMD...            CMD exits 0
check() {
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "exit $?: $out"; fi
}

# check_fails NAME CODE CMD... CMD exits non-zero and its stderr names CODE
check_fails() {
    local name=$1 code=$2 err rc
    shift 2
    err=$("$@" 2>&1 >/dev/null)
    rc=$?
    if [ "$rc" -ne 0 ] && printf '%s' "$err" | grep -q -- "$code"; then
        pass "$name"
    else
        fail "$name" "exit $rc, wanted non-zero with '$code' on stderr: $err"
    fi
}

# check_eq NAME EXPECTED ACTUAL
check_eq() {
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected [$2], got [$3]"; fi
}

# check_match NAME REGEX TEXT   TEXT has a line matching the extended REGEX
check_match() {
    if printf '%s\n' "$3" | grep -Eq -- "$2"; then pass "$1"; else fail "$1" "no line matches /$2/ in: $3"; fi
}

# reset_server: forget all state (tinystack; moto when TINYSTACK_ENDPOINT points at it)
reset_server() {
    local st
    st=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{}' "$ENDPOINT/_tinystack/reset")
    if [ "$st" != 200 ] && [ -n "$TINYSTACK_ENDPOINT" ]; then
        st=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$ENDPOINT/moto-api/reset")
    fi
    [ "$st" = 200 ] || fail "reset the server" "POST reset answered $st"
}

# unique_bucket PREFIX
unique_bucket() {
    printf '%s-%s-%s\n' "$1" "$$" "$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
}
