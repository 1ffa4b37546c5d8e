#!/bin/sh
# dynamodb.sh - DynamoDB throughput and latency: tinystack against moto's
# server and dynalite, one server at a time, each on a free loopback port.
#
#   sh bench/dynamodb.sh            100k-item table for the rates, grown
#                                   toward 1M for Query latency (~8 min)
#   QUICK=1 sh bench/dynamodb.sh    10k / 100k items, shorter runs (~2 min)
#
# For each server: create a hash+range table (pk S, sk N; 100 items per
# partition), load it with BatchWriteItem (25 items a request, 8
# connections), measure PutItem, GetItem and Query (one partition, a
# sort-key range of 10 items) ops/s at 1 and 32 connections, then grow the
# table toward the big size within a time budget and measure Query latency
# on one connection.  A server that cannot load everything in the budget
# is measured at the size it reached, and the output says so.
#
# The load client is bench/ddb_load.c (built here with cc): keep-alive,
# one thread per connection, every response checked (status and body); a
# figure with any bad response is printed as ERR, never as a rate.
#
# Environment: QUICK=1; TINYSTACK_BIN (default: build/rel/tinystack, built
# with make); TINYSTACK_ARGS (extra flags for tinystack); DUR, WARM (seconds
# per rate figure); LOAD_BUDGET (seconds per load phase); SKIP="moto
# dynalite" to leave servers out.  dynalite is installed with npm into
# $DYNALITE_DIR (default /tmp/tinystack-bench-dynalite), outside the repo,
# and kept there for the next run.
set -eu

cd "$(dirname "$0")/.."
ROOT=$(pwd)

if [ "${QUICK:-0}" = 1 ]; then
    N_RATE=10000
    N_BIG=100000
    : "${DUR:=2}" "${WARM:=0.5}" "${LOAD_BUDGET:=30}" "${LAT_DUR:=3}" "${CAP:=20}"
else
    N_RATE=100000
    N_BIG=1000000
    : "${DUR:=5}" "${WARM:=1}" "${LOAD_BUDGET:=120}" "${LAT_DUR:=8}" "${CAP:=60}"
fi
LOAD_CONNS=8
GRACE=10     # seconds a request may still be out after a window closes
RATE_MIN=20  # a rate window stretches (up to CAP) until this many completed
LAT_MIN=5    # the same for the latency window
SKIP=${SKIP:-}
DYNALITE_DIR=${DYNALITE_DIR:-/tmp/tinystack-bench-dynalite}
SERVERS="tinystack moto dynalite"

say() { printf '%s\n' "$*" >&2; }
die() { say "dynamodb.sh: $*"; exit 1; }

WORK=$(mktemp -d /tmp/tinystack-bench-ddb.XXXXXX)
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- tools ----------------------------------------------------------------

command -v cc >/dev/null || die "needs a C compiler (apt-get install gcc)"
command -v python3 >/dev/null || die "needs python3"
cc -O2 -pthread -o "$WORK/ddb_load" bench/ddb_load.c || die "cannot build bench/ddb_load.c"
LOAD="$WORK/ddb_load"

if [ -n "${TINYSTACK_BIN:-}" ]; then
    TS_BIN=$TINYSTACK_BIN
else
    make -s >"$WORK/make.log" 2>&1 || { cat "$WORK/make.log" >&2; die "make failed"; }
    TS_BIN=$ROOT/build/rel/tinystack
fi
[ -x "$TS_BIN" ] || die "no tinystack binary at $TS_BIN"

case " $SKIP " in *" moto "*) ;; *)
    python3 -c 'import moto.server' 2>/dev/null || {
        say "moto: not importable by $(command -v python3); skipped (pip install 'moto[server]')"
        SKIP="$SKIP moto"
    } ;;
esac
case " $SKIP " in *" dynalite "*) ;; *)
    if [ ! -f "$DYNALITE_DIR/node_modules/dynalite/cli.js" ]; then
        if command -v npm >/dev/null; then
            say "dynalite: npm install into $DYNALITE_DIR"
            mkdir -p "$DYNALITE_DIR"
            (cd "$DYNALITE_DIR" && timeout 180 npm install --no-audit --no-fund --loglevel=error dynalite@4 >&2) ||
                say "dynalite: npm install failed"
        fi
    fi
    if [ ! -f "$DYNALITE_DIR/node_modules/dynalite/cli.js" ] || ! command -v node >/dev/null; then
        say "dynalite: not available; skipped"
        SKIP="$SKIP dynalite"
    fi ;;
esac

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# kv LINE KEY: the value of KEY=... in a ddb_load result line
kv() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# set NAME VALUE / get NAME: results, one shell variable per server and figure
set_r() { eval "R_$1=\$2"; }
get_r() { eval "printf '%s' \"\${R_$1:-}\""; }

# --- servers --------------------------------------------------------------

# start_server NAME: start it on a free port, wait until it answers
# ListTables.  Another process may take the port between free_port and the
# server's bind: a server that dies at once is retried on a new port.
start_server() {
    tries=0
    until start_once "$1"; do
        tries=$((tries + 1))
        [ $tries -lt 3 ] || { tail -n 20 "$WORK/$1.log" >&2; die "$1 did not start"; }
    done
}

start_once() {
    PORT=$(free_port)
    log="$WORK/$1.log"
    case $1 in
    tinystack)
        # shellcheck disable=SC2086
        "$TS_BIN" --port "$PORT" ${TINYSTACK_ARGS:-} 2>"$log" & ;;
    moto)
        python3 -m moto.server -H 127.0.0.1 -p "$PORT" >"$log" 2>&1 & ;;
    dynalite)
        node "$DYNALITE_DIR/node_modules/dynalite/cli.js" --host 127.0.0.1 --port "$PORT" \
            --createTableMs 0 --deleteTableMs 0 --updateTableMs 0 >"$log" 2>&1 & ;;
    esac
    SERVER_PID=$!
    i=0
    while ! "$LOAD" -p "$PORT" -m ping 2>/dev/null; do
        i=$((i + 1))
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            wait "$SERVER_PID" 2>/dev/null || true
            SERVER_PID=
            return 1
        fi
        if [ $i -ge 300 ]; then
            tail -n 20 "$log" >&2
            die "$1 did not answer on port $PORT in 30s"
        fi
        sleep 0.1
    done
}

stop_server() {
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

# load S FROM TO FIG: BatchWriteItem items [FROM, TO); sets R_S_FIG (seconds),
# R_S_FIG_n (items present afterwards)
load() {
    s=$1 from=$2 to=$3 fig=$4
    quiesce
    say "$s: loading items $from..$to (budget ${LOAD_BUDGET}s)"
    out=$(timeout $((${LOAD_BUDGET%.*} + 60)) "$LOAD" -p "$PORT" -m load -f "$from" -n "$to" \
        -c "$LOAD_CONNS" -b "$LOAD_BUDGET") || true
    say "  $out"
    loaded=$(kv "$out" loaded)
    if [ -z "$loaded" ] || [ "$(kv "$out" complete)" = "" ]; then
        set_r "${s}_$fig" ERR
        set_r "${s}_${fig}_n" "$from"
        return
    fi
    set_r "${s}_$fig" "$(kv "$out" secs)"
    set_r "${s}_${fig}_n" $((from + loaded))
    if [ "$(kv "$out" failed)" = 1 ]; then
        set_r "${s}_${fig}_failed" 1
    elif [ "$(kv "$out" complete)" != 1 ]; then
        set_r "${s}_${fig}_partial" 1
    fi
}

# The server's CPU time so far, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat" 2>/dev/null || echo 0; }

# quiesce: wait (up to 90 s) until the server uses under 10% of a core, so
# one figure does not pay for the work the last one left behind (requests
# abandoned by a window, a checkpoint, garbage collection).
quiesce() {
    q=0
    while :; do
        a=$(cpu_ticks)
        sleep 0.3
        b=$(cpu_ticks)
        [ $((b - a)) -le 3 ] && return
        q=$((q + 1))
        [ $q -eq 10 ] && say "  (waiting for $s to go idle)"
        [ $q -ge 300 ] && { say "  ($s still busy after 90s; measuring anyway)"; return; }
    done
}

# rate S OP CONNS N FIG DUR MIN: ops/s into R_S_FIG (ERR on any bad response)
rate() {
    s=$1 op=$2 c=$3 n=$4 fig=$5 d=$6 k=$7
    quiesce
    out=$(timeout $((${CAP%.*} + ${WARM%.*} + GRACE + 30)) "$LOAD" -p "$PORT" -m rate -o "$op" -n "$n" \
        -c "$c" -d "$d" -w "$WARM" -g "$GRACE" -k "$k" -x "$CAP") || true
    say "  $op c=$c n=$n: $out"
    if [ -z "$out" ] || [ "$(kv "$out" errors)" != 0 ]; then
        set_r "${s}_$fig" ERR
        set_r "${s}_${fig}_err" "$(kv "$out" errors)"
        return
    fi
    set_r "${s}_$fig" "$(kv "$out" rate)"
    set_r "${s}_${fig}_ops" "$(kv "$out" ops)"
    set_r "${s}_${fig}_secs" "$(kv "$out" secs)"
    set_r "${s}_${fig}_unfinished" "$(kv "$out" unfinished)"
    if [ "$(kv "$out" ops)" = 0 ]; then
        # Nothing completed within the cap: an upper bound, not a rate.
        set_r "${s}_$fig" "<$(awk -v t="$(kv "$out" secs)" 'BEGIN { printf("%.2g", 1 / t) }')"
        set_r "${s}_${fig}_p50" ""
        set_r "${s}_${fig}_p99" ""
    fi
    set_r "${s}_${fig}_p50" "$(kv "$out" p50_us)"
    set_r "${s}_${fig}_p99" "$(kv "$out" p99_us)"
}

# Whole partitions only: Query and GetItem keys stay below this.
whole() { echo $(($1 / 100 * 100)); }

bench_server() {
    s=$1
    say "== $s"
    start_server "$s"
    "$LOAD" -p "$PORT" -m create >/dev/null || die "$s: CreateTable failed"

    load "$s" 0 "$N_RATE" load1
    n=$(whole "$(get_r "${s}_load1_n")")
    if [ "$n" -lt 100 ]; then
        say "$s: too few items loaded; skipping its rates"
    else
        for op in put get query; do
            rate "$s" "$op" 1 "$n" "${op}1" "$DUR" "$RATE_MIN"
            rate "$s" "$op" 32 "$n" "${op}32" "$DUR" "$RATE_MIN"
        done
    fi

    load "$s" "$(get_r "${s}_load1_n")" "$N_BIG" load2
    n=$(whole "$(get_r "${s}_load2_n")")
    set_r "${s}_bign" "$n"
    if [ "$n" -ge 100 ]; then
        rate "$s" query 1 "$n" lat "$LAT_DUR" "$LAT_MIN"
    fi
    rss=$(ps -o rss= -p "$SERVER_PID" 2>/dev/null | tr -d ' ')
    set_r "${s}_rss" "$((${rss:-0} / 1024))"
    stop_server
}

START=$(date +%s)
for s in $SERVERS; do
    case " $SKIP " in *" $s "*) continue ;; esac
    bench_server "$s"
done
ELAPSED=$(($(date +%s) - START))

# --- report ---------------------------------------------------------------

# cell S FIG [SCALE]: the figure for the table (n/a when skipped)
cell() {
    v=$(get_r "${1}_$2")
    case " $SKIP " in *" $1 "*) echo "n/a"; return ;; esac
    [ -n "$v" ] || { echo "-"; return; }
    case $v in ERR | "<"*) echo "$v"; return ;; esac
    awk -v v="$v" -v k="${3:-1}" 'BEGIN { x = v / k; printf(x >= 100 ? "%.0f" : x >= 10 ? "%.1f" : "%.2f", x) }'
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b + 0 == 0) { print "-"; exit }
        r = a / b; printf(r >= 100 ? "%.0fx" : r >= 10 ? "%.1fx" : r >= 0.1 ? "%.2fx" : "%.2gx", r) }'
}

row() {
    label=$1 fig=$2 scale=${3:-1}
    t=$(cell tinystack "$fig" "$scale")
    m=$(cell moto "$fig" "$scale")
    d=$(cell dynalite "$fig" "$scale")
    # Ratios from the unrounded figures (the scale cancels out).
    printf '| %-40s | %10s | %10s | %10s | %14s | %18s |\n' "$label" "$t" "$m" "$d" \
        "$(ratio "$(get_r "tinystack_$fig")" "$(get_r "moto_$fig")")" \
        "$(ratio "$(get_r "tinystack_$fig")" "$(get_r "dynalite_$fig")")"
}

echo
echo "DynamoDB benchmark$( [ "${QUICK:-0}" = 1 ] && echo " (QUICK)"): $(nproc) cores, $(uname -r); client and server share the cores"
echo "rates: ${DUR}s windows after ${WARM}s warm-up (stretched to ${RATE_MIN} completions, at most ${CAP}s);"
echo "Query = one partition, sk BETWEEN a AND a+9 (10 items); latency: 1 connection, ${LAT_DUR}s (at least ${LAT_MIN} samples, at most ${CAP}s)"
echo
printf '| %-40s | %10s | %10s | %10s | %14s | %18s |\n' figure tinystack moto dynalite tinystack/moto tinystack/dynalite
echo "|------------------------------------------|-----------:|-----------:|-----------:|---------------:|-------------------:|"
row "load $N_RATE items, s (lower=better)" load1
row "PutItem ops/s, 1 conn" put1
row "PutItem ops/s, 32 conns" put32
row "GetItem ops/s, 1 conn" get1
row "GetItem ops/s, 32 conns" get32
row "Query ops/s, 1 conn" query1
row "Query ops/s, 32 conns" query32
row "grow to $N_BIG items, s (lower=better)" load2
row "items in the latency table" bign
row "Query p50 ms (lower=better)" lat_p50 1000
row "Query p99 ms (lower=better)" lat_p99 1000
row "Query latency samples" lat_ops
row "server RSS at the end, MiB" rss
echo

for s in $SERVERS; do
    case " $SKIP " in *" $s "*) echo "note: $s skipped"; continue ;; esac
    for fig in load1 load2; do
        if [ -n "$(get_r "${s}_${fig}_failed")" ]; then
            echo "note: $s $fig stopped on repeated bad BatchWriteItem responses after $(get_r "${s}_${fig}_n") items"
        elif [ -n "$(get_r "${s}_${fig}_partial")" ]; then
            echo "note: $s loaded only $(get_r "${s}_${fig}_n") items in the ${LOAD_BUDGET}s budget ($fig); it is measured at that size"
        fi
    done
    b=$(get_r "${s}_bign")
    if [ -n "$b" ] && [ "$b" != "$N_BIG" ]; then
        echo "note: $s Query latency measured on $b items, not $N_BIG"
    fi
    for fig in put1 put32 get1 get32 query1 query32 lat; do
        if [ "$(get_r "${s}_$fig")" = ERR ]; then
            echo "note: $s $fig had bad responses ($(get_r "${s}_${fig}_err") errors): no figure reported"
        fi
        o=$(get_r "${s}_${fig}_ops")
        if [ -n "$o" ] && [ "$o" -lt 50 ]; then
            echo "note: $s $fig rests on only $o completed requests in $(get_r "${s}_${fig}_secs")s"
        fi
        u=$(get_r "${s}_${fig}_unfinished")
        if [ -n "$u" ] && [ "$u" != 0 ]; then
            echo "note: $s $fig: $u requests still unanswered ${GRACE}s after the window; abandoned"
        fi
    done
done
echo "elapsed: ${ELAPSED}s"
