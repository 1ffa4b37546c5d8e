#!/bin/sh
# bench/s3.sh - S3 figures for tinystack next to moto's server, in one run.
#
#   sh bench/s3.sh            (from the repo root; `make bench` does the same)
#
# For each server, on a free 127.0.0.1 port: start-to-ready (median of a few
# starts), idle RSS, 1 KiB PUT/GET requests/s at 1 and 32 connections (wrk,
# keep-alive, a few seconds each), peak RSS under that load, and a 256 MiB
# PUT and GET with curl (MB/s = 10^6 bytes/s) with the peak RSS during it.
# Both servers get identical requests: path-style URLs and a SigV4-shaped
# Authorization header (moto routes on its credential scope; neither checks
# the signature).  A figure whose requests did not all answer 2xx is printed
# as FAIL, never as a rate.
#
# Knobs (environment): TINYSTACK_BIN (default build/rel/tinystack),
# BENCH_SECS (seconds per wrk run, default 4), BENCH_BIG_MIB (default 256),
# BENCH_TS_STARTS (default 7), BENCH_MOTO_STARTS (default 3),
# BENCH_SKIP_MOTO=1 (tinystack column only).

set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
HELPER="$ROOT/bench/s3_helper.py"
TS_BIN=${TINYSTACK_BIN:-$ROOT/build/rel/tinystack}
SECS=${BENCH_SECS:-4}
BIG_MIB=${BENCH_BIG_MIB:-256}
TS_STARTS=${BENCH_TS_STARTS:-7}
MOTO_STARTS=${BENCH_MOTO_STARTS:-3}
NKEYS=100
BUCKET=bench-bucket
AUTH='AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000'

T=
SRV_PID=
cleanup() {
    if [ -n "$SRV_PID" ] && kill -0 "$SRV_PID" 2>/dev/null; then
        kill "$SRV_PID" 2>/dev/null
        i=0
        while kill -0 "$SRV_PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        kill -9 "$SRV_PID" 2>/dev/null
        wait "$SRV_PID" 2>/dev/null
    fi
    SRV_PID=
    if [ -n "$T" ]; then rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

die() { echo "s3.sh: $*" >&2; exit 1; }
note() { echo "  $*" >&2; }

# --- prerequisites -----------------------------------------------------------
command -v python3 >/dev/null || die "python3 not found"
command -v curl >/dev/null || die "curl not found"
if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing wrk with apt-get" >&2
        { apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }; } >/dev/null 2>&1
    fi
    command -v wrk >/dev/null || die "wrk not found (apt-get install wrk)"
fi
if [ ! -x "$TS_BIN" ]; then
    echo "building tinystack (make)" >&2
    (cd "$ROOT" && make >/dev/null) || die "make failed"
fi
[ -x "$TS_BIN" ] || die "no tinystack binary at $TS_BIN"
# The interpreter behind `python3` (not a pyenv shim) so moto's start time is
# moto's, not the shim's.
PY=$(python3 -c 'import sys; print(sys.executable)')
HAVE_MOTO=1
if [ "${BENCH_SKIP_MOTO:-0}" = 1 ]; then
    HAVE_MOTO=0
elif ! "$PY" -c 'import moto.server' 2>/dev/null; then
    note "moto not importable by $PY: moto column left empty"
    HAVE_MOTO=0
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/tinystack-bench.XXXXXX") || die "mktemp failed"
export TMPDIR="$T"          # tinystack's ephemeral store lands here too
RES="$T/results"
: >"$RES"
head -c 1024 /dev/urandom >"$T/obj1k"

# put NAME SERVER VALUE  /  get NAME SERVER
put() { echo "$1|$2|$3" >>"$RES"; }
get() { awk -F'|' -v n="$1" -v s="$2" '$1 == n && $2 == s { v = $3 } END { print v }' "$RES"; }

kib() { awk '/^'"$2"':/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
mib() { awk -v k="$1" 'BEGIN { if (k == "") print "?"; else printf "%.1f", k / 1024 }'; }

wait_http() { # PORT PATH: wait up to 30 s for a 2xx
    i=0
    while [ $i -lt 300 ]; do
        c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$1$2")
        case $c in 2??) return 0 ;; esac
        kill -0 "$SRV_PID" 2>/dev/null || return 1
        sleep 0.1; i=$((i + 1))
    done
    return 1
}

s3curl() { # curl with the S3 headers both servers get
    curl -sS -H "Authorization: $AUTH" -H 'x-amz-date: 20250101T000000Z' \
        -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "$@"
}

cat >"$T/s3.lua" <<'EOF'
-- 1 KiB PUT or GET over NKEYS keys, same headers as the curl requests.
local method = os.getenv("S3B_METHOD")
local prefix = "/" .. os.getenv("S3B_BUCKET") .. "/obj-"
local nkeys = tonumber(os.getenv("S3B_KEYS"))
local body = nil
wrk.headers["Authorization"] = os.getenv("S3B_AUTH")
wrk.headers["x-amz-date"] = "20250101T000000Z"
wrk.headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD"
if method == "PUT" then
  local f = io.open(os.getenv("S3B_BODY"), "rb")
  body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = "application/octet-stream"
end
local n = 0
function request()
  n = n + 1
  return wrk.format(method, prefix .. (n % nkeys), nil, body)
end
EOF

# run_wrk SRV PORT METHOD CONNS: records req/s or FAIL
run_wrk() {
    srv=$1; port=$2; method=$3; conns=$4
    threads=1; [ "$conns" -gt 1 ] && threads=2
    out="$T/wrk-$srv-$method-$conns.txt"
    S3B_METHOD=$method S3B_BUCKET=$BUCKET S3B_KEYS=$NKEYS S3B_AUTH=$AUTH S3B_BODY="$T/obj1k" \
        timeout $((SECS + 20)) wrk -t"$threads" -c"$conns" -d"${SECS}s" --timeout 5s \
        -s "$T/s3.lua" "http://127.0.0.1:$port/" >"$out" 2>&1
    rc=$?
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
    reqs=$(awk '/requests in/ { print $1 }' "$out")
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
    sockerr=$(awk '/Socket errors:/ { sub(/.*Socket errors: /, ""); print }' "$out")
    name="$method 1 KiB, $conns conn (req/s)"
    if [ $rc -ne 0 ] || [ -z "$rps" ] || [ "${reqs:-0}" = 0 ]; then
        put "$name" "$srv" FAIL
        note "$srv $method c$conns: wrk failed (rc $rc): $(tr '\n' ' ' <"$out" | cut -c1-300)"
    elif [ -n "$non2xx" ]; then
        put "$name" "$srv" FAIL
        note "$srv $method c$conns: $non2xx of $reqs responses not 2xx/3xx"
    else
        put "$name" "$srv" "$(printf '%.0f' "$rps")"
        [ -n "$sockerr" ] && note "$srv $method c$conns: $reqs requests ok; socket errors: $sockerr"
    fi
}

# bench_server SRV: one long-lived server for the load figures
bench_server() {
    srv=$1
    port=$(python3 "$HELPER" port) || die "no free port"
    if [ "$srv" = tinystack ]; then
        "$TS_BIN" --port "$port" >"$T/$srv.log" 2>&1 &
        SRV_PID=$!
        health=/_localstack/health
    else
        "$PY" -m moto.server -p "$port" >"$T/$srv.log" 2>&1 &
        SRV_PID=$!
        health=/moto-api/
    fi
    if ! wait_http "$port" "$health"; then
        note "$srv did not come up: $(tail -c 400 "$T/$srv.log" | tr '\n' ' ')"
        cleanup_server; return 1
    fi
    echo "$srv: pid $SRV_PID port $port" >&2
    base="http://127.0.0.1:$port/$BUCKET"

    c=$(s3curl -o "$T/cb.out" -w '%{http_code}' --max-time 30 -X PUT "$base")
    case $c in 2??) ;; *) note "$srv CreateBucket answered $c: $(head -c 300 "$T/cb.out")"; cleanup_server; return 1 ;; esac
    sleep 0.3
    put "idle RSS after CreateBucket (MiB)" "$srv" "$(mib "$(kib "$SRV_PID" VmRSS)")"

    # fill the NKEYS keys the GET runs read (one curl, keep-alive)
    set --
    i=0
    while [ $i -lt $NKEYS ]; do set -- "$@" -o /dev/null "$base/obj-$i"; i=$((i + 1)); done
    s3curl --max-time 60 -w '%{http_code}\n' -X PUT -H 'Content-Type: application/octet-stream' \
        --data-binary @"$T/obj1k" "$@" >"$T/fill.codes" 2>"$T/fill.err"
    ok=$(grep -c '^2' "$T/fill.codes")
    sz=$(s3curl -o /dev/null -w '%{http_code} %{size_download}' --max-time 10 "$base/obj-$((NKEYS - 1))")
    if [ "$ok" != "$NKEYS" ] || [ "$sz" != "200 1024" ]; then
        note "$srv: prefill failed ($ok/$NKEYS PUTs 2xx; GET check: $sz) $(head -c 200 "$T/fill.err")"
    fi

    echo "$srv: 1 KiB load, ${SECS}s per run" >&2
    run_wrk "$srv" "$port" PUT 1
    run_wrk "$srv" "$port" PUT 32
    run_wrk "$srv" "$port" GET 1
    run_wrk "$srv" "$port" GET 32
    put "peak RSS after 1 KiB load (MiB)" "$srv" "$(mib "$(kib "$SRV_PID" VmHWM)")"

    # large object: reset the peak-RSS mark first (clear_refs 5, Linux >= 4.0)
    echo "$srv: ${BIG_MIB} MiB PUT + GET" >&2
    if echo 5 >"/proc/$SRV_PID/clear_refs" 2>/dev/null; then hwm_ok=1; else hwm_ok=0; fi
    bytes=$((BIG_MIB * 1048576))
    r=$(s3curl -o "$T/bigput.out" -D "$T/bigput.hdr" -w '%{http_code} %{time_total} %{size_upload}' --max-time 90 \
        -H 'Expect:' -H 'Content-Type: application/octet-stream' -T "$T/big" "$base/big")
    set -- $r
    name="PUT ${BIG_MIB} MiB (MB/s)"
    if [ "${1:-}" = 200 ] && [ "${3:-}" = "$bytes" ]; then
        put "$name" "$srv" "$(awk -v b="$bytes" -v t="$2" 'BEGIN { printf "%.0f", b / t / 1e6 }')"
        etag=$(tr -d '\r"' <"$T/bigput.hdr" | awk 'tolower($1) == "etag:" { print $2 }')
        [ "$etag" = "$BIG_MD5" ] || note "$srv: big PUT ETag '$etag' is not the file's MD5 $BIG_MD5"
    else
        put "$name" "$srv" FAIL
        note "$srv: big PUT answered '$r': $(head -c 300 "$T/bigput.out")"
    fi
    r=$(s3curl -o /dev/null -w '%{http_code} %{time_total} %{size_download}' --max-time 90 "$base/big")
    set -- $r
    name="GET ${BIG_MIB} MiB (MB/s)"
    if [ "${1:-}" = 200 ] && [ "${3:-}" = "$bytes" ]; then
        put "$name" "$srv" "$(awk -v b="$bytes" -v t="$2" 'BEGIN { printf "%.0f", b / t / 1e6 }')"
    else
        put "$name" "$srv" FAIL
        note "$srv: big GET answered '$r'"
    fi
    if [ $hwm_ok = 1 ]; then
        put "peak RSS during ${BIG_MIB} MiB PUT+GET (MiB)" "$srv" "$(mib "$(kib "$SRV_PID" VmHWM)")"
    else
        put "peak RSS during ${BIG_MIB} MiB PUT+GET (MiB)" "$srv" "?"
    fi
    cleanup_server
}

cleanup_server() {
    t=$T; T=; cleanup; T=$t
}

# --- run ---------------------------------------------------------------------
echo "tinystack S3 benchmark: $(nproc) cores, $(uname -r), wrk $(wrk -v 2>&1 | awk 'NR == 1 { print $2 }'), moto $("$PY" -c 'import moto; print(moto.__version__)' 2>/dev/null || echo -)" >&2
head -c $((BIG_MIB * 1048576)) /dev/urandom >"$T/big" || die "cannot write $BIG_MIB MiB test file"
BIG_MD5=$(md5sum "$T/big" | awk '{ print $1 }')

echo "tinystack: $TS_STARTS starts" >&2
set -- $(python3 "$HELPER" start "$TS_STARTS" Ready. /_localstack/health "$TS_BIN" --port PORT)
if [ "${1:-FAIL}" = FAIL ]; then
    note "tinystack start: $*"; put "start -> Ready. on stderr (ms)" tinystack FAIL
else
    put "start -> Ready. on stderr (ms)" tinystack "$1"
    put "start -> first 2xx health (ms)" tinystack "$2"
    put "start -> first 2xx ListBuckets (ms)" tinystack "$3"
fi
bench_server tinystack

if [ $HAVE_MOTO = 1 ]; then
    echo "moto: $MOTO_STARTS starts" >&2
    set -- $(python3 "$HELPER" start "$MOTO_STARTS" - /moto-api/ "$PY" -m moto.server -p PORT)
    if [ "${1:-FAIL}" = FAIL ]; then
        note "moto start: $*"; put "start -> first 2xx health (ms)" moto FAIL
    else
        put "start -> first 2xx health (ms)" moto "$2"
        put "start -> first 2xx ListBuckets (ms)" moto "$3"
    fi
    bench_server moto
fi

# --- table -------------------------------------------------------------------
# kind: r = rate (higher is better), l = time or size (lower is better)
echo
printf '%-40s %11s %11s %9s\n' "figure" "tinystack" "moto" "ts/moto"
printf '%-40s %11s %11s %9s\n' "----------------------------------------" "---------" "---------" "-------"
for row in \
    "l|start -> Ready. on stderr (ms)" \
    "l|start -> first 2xx health (ms)" \
    "l|start -> first 2xx ListBuckets (ms)" \
    "l|idle RSS after CreateBucket (MiB)" \
    "r|PUT 1 KiB, 1 conn (req/s)" \
    "r|PUT 1 KiB, 32 conn (req/s)" \
    "r|GET 1 KiB, 1 conn (req/s)" \
    "r|GET 1 KiB, 32 conn (req/s)" \
    "l|peak RSS after 1 KiB load (MiB)" \
    "r|PUT ${BIG_MIB} MiB (MB/s)" \
    "r|GET ${BIG_MIB} MiB (MB/s)" \
    "l|peak RSS during ${BIG_MIB} MiB PUT+GET (MiB)"; do
    kind=${row%%|*}; name=${row#*|}
    a=$(get "$name" tinystack); b=$(get "$name" moto)
    ratio=$(awk -v a="$a" -v b="$b" 'BEGIN {
        if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b + 0 == 0) { print "-"; exit }
        r = a / b; printf (r >= 100 ? "%.0f" : (r >= 10 ? "%.1f" : "%.2f")), r }')
    printf '%-40s %11s %11s %9s\n' "$name" "${a:--}" "${b:--}" "$ratio"
done
echo
echo "ratio = tinystack/moto: for req/s and MB/s above 1 favours tinystack; for ms and MiB below 1 does."
echo "health = /_localstack/health (tinystack), /moto-api/ (moto); starts: median of $TS_STARTS (tinystack), $MOTO_STARTS (moto)."
echo "1 KiB runs: wrk ${SECS}s each (1 thread for 1 conn, 2 for 32), keep-alive where the server allows, $NKEYS keys; the big object goes through curl -T / -o /dev/null."
