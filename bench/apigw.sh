#!/bin/sh
# bench/apigw.sh - API Gateway figures: requests/s and p50/p99 latency to a
# warm Python handler through a REST API (Lambda proxy), through an HTTP
# API (payload 2.0), and the same handler invoked directly, at 1 and 16
# connections, in one run; see bench/apigw.py.  Prints figures, asserts
# nothing.   sh bench/apigw.sh     knobs: TINYSTACK_BIN, BENCH_SECS
exec python3 "$(dirname "$0")/apigw.py" "$@"
