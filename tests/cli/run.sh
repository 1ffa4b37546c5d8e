#!/usr/bin/env bash
# run.sh - runs tests/cli/test_*.sh with the real aws CLI.
#
#   tests/cli/run.sh                 (CLI_ONLY=lambda: only test_*lambda*.sh)
#
# The server: $TINYSTACK_ENDPOINT when set (e.g. moto's server or a running
# container), else $TINYSTACK_BIN (default build/rel/tinystack) started with
# --port <free port>, waited for ("Ready." on stderr, 10 s) and SIGTERMed at
# the end.  Every suite runs with the `aws` first on PATH, then again with
# /usr/bin/aws when that is another CLI (Debian's v2).  The last line printed
# is `cli: N passed, N failed`; exit status 1 on any failure.

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORKROOT=$(mktemp -d "${TMPDIR:-/tmp}/tinystack-cli-XXXXXX")
RESULTS=$WORKROOT/results
: >"$RESULTS"
PID=""
LOG=""

summary() {
    local p f
    p=$(grep -c '^PASS' "$RESULTS")
    f=$(grep -c '^FAIL' "$RESULTS")
    echo "cli: $p passed, $f failed"
    [ "$f" -eq 0 ]
}

stop_server() {
    if [ -n "$PID" ]; then
        kill -TERM "$PID" 2>/dev/null
        wait "$PID" 2>/dev/null
        local st=$?
        PID=""
        if [ "$st" -ne 0 ]; then
            printf 'FAIL\t%s\n' "tinystack exits 0 on SIGTERM (got $st)" >>"$RESULTS"
            echo "FAILED tinystack exited with status $st on SIGTERM" >&2
        fi
    fi
}

cleanup() {
    stop_server
    # Keep the server's log when something failed (its path was printed).
    if ! grep -q '^FAIL' "$RESULTS" 2>/dev/null || [ -z "$LOG" ]; then
        rm -rf "$WORKROOT"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -n "${TINYSTACK_ENDPOINT:-}" ]; then
    ENDPOINT=${TINYSTACK_ENDPOINT%/}
else
    BIN=${TINYSTACK_BIN:-build/rel/tinystack}
    case $BIN in /*) ;; *) BIN=$ROOT/$BIN ;; esac
    if [ ! -x "$BIN" ]; then
        echo "cli: tinystack binary not found: $BIN (build it, or set TINYSTACK_BIN / TINYSTACK_ENDPOINT)" >&2
        printf 'FAIL\tstart tinystack\n' >>"$RESULTS"
        summary
        exit 1
    fi
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    LOG=$WORKROOT/tinystack.stderr.log
    "$BIN" --port "$PORT" </dev/null >/dev/null 2>"$LOG" &
    PID=$!
    ready=""
    for _ in $(seq 1 200); do   # 10 s
        if grep -qx 'Ready\.' "$LOG" 2>/dev/null; then ready=1; break; fi
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.05
    done
    if [ -z "$ready" ]; then
        echo "cli: tinystack ($BIN --port $PORT) did not print 'Ready.' within 10 s; stderr ($LOG):" >&2
        cat "$LOG" >&2
        kill -KILL "$PID" 2>/dev/null
        wait "$PID" 2>/dev/null
        PID=""
        printf 'FAIL\tstart tinystack\n' >>"$RESULTS"
        summary
        exit 1
    fi
    ENDPOINT=http://127.0.0.1:$PORT
fi

# A clean, throwaway AWS environment: nothing from the user's ~/.aws.
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=$WORKROOT/aws-config AWS_SHARED_CREDENTIALS_FILE=$WORKROOT/aws-credentials
printf '[default]\nregion = us-east-1\noutput = json\n' >"$AWS_CONFIG_FILE"
: >"$AWS_SHARED_CREDENTIALS_FILE"
export AWS_PAGER="" AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_CA_BUNDLE 2>/dev/null
export ENDPOINT CLI_RESULTS=$RESULTS TINYSTACK_ENDPOINT=${TINYSTACK_ENDPOINT:-}

clis=()
first=$(command -v aws || true)
[ -n "$first" ] && clis+=("$first")
if [ -x /usr/bin/aws ] && [ "$(readlink -f /usr/bin/aws)" != "$(readlink -f "${first:-/nonexistent}")" ]; then
    clis+=(/usr/bin/aws)
fi
if [ ${#clis[@]} -eq 0 ]; then
    echo "cli: no aws CLI found" >&2
    printf 'FAIL\tfind the aws CLI\n' >>"$RESULTS"
fi

echo "cli: endpoint $ENDPOINT" >&2
start=$(date +%s)
for cli in "${clis[@]}"; do
    version=$("$cli" --version 2>&1 | awk '{print $1}')
    for t in "$HERE"/test_*.sh; do
        name=$(basename "$t" .sh)
        # CLI_ONLY=lambda runs only the scripts whose name holds it.
        case "$name" in *"${CLI_ONLY:-}"*) ;; *) continue ;; esac
        WORK=$WORKROOT/work-$name-$(echo "$version" | tr '/.' '--')
        mkdir -p "$WORK"
        echo "cli: $name with $version ($cli)" >&2
        before=$(wc -l <"$RESULTS")
        AWS=$cli WORK=$WORK CLI_LABEL="$name[$version]" bash "$t"
        st=$?
        if [ "$st" -ne 0 ]; then
            printf 'FAIL\t%s exited with status %s\n' "$name[$version]" "$st" >>"$RESULTS"
            echo "FAILED $name[$version] exited with status $st" >&2
        elif [ "$(wc -l <"$RESULTS")" -eq "$before" ]; then
            printf 'FAIL\t%s made no assertion\n' "$name[$version]" >>"$RESULTS"
        fi
        rm -rf "$WORK"
    done
done
if [ -n "$PID" ] && ! kill -0 "$PID" 2>/dev/null; then
    printf 'FAIL\ttinystack still running after the suites\n' >>"$RESULTS"
    echo "FAILED tinystack died during the run; stderr in $LOG" >&2
fi
stop_server
echo "cli: $(( $(date +%s) - start )) s" >&2
if grep -q '^FAIL' "$RESULTS" && [ -n "$LOG" ]; then
    echo "cli: tinystack stderr is in $LOG" >&2
fi
summary
