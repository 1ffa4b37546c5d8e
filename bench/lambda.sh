#!/bin/sh
# bench/lambda.sh - Lambda figures (cold starts with and without the fork
# server, warm invoke latency and rate, the S3 -> Lambda -> DynamoDB
# trigger path); see bench/lambda.py.  Prints figures, asserts nothing.
#   sh bench/lambda.sh     knobs: TINYSTACK_BIN, BENCH_COLD, BENCH_SECS
exec python3 "$(dirname "$0")/lambda.py" "$@"
