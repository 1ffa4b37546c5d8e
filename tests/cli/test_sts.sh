#!/usr/bin/env bash
# test_sts.sh - STS through the aws CLI: who am I, as CI scripts ask it
# before anything else.  Run by tests/cli/run.sh.
set -u
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

sts() { $AWS --endpoint-url "$ENDPOINT" sts "$@"; }

check_eq "get-caller-identity gives the account" "000000000000" \
    "$(sts get-caller-identity --query Account --output text 2>&1)"
check_eq "get-caller-identity gives the root ARN" "arn:aws:iam::000000000000:root" \
    "$(sts get-caller-identity --query Arn --output text 2>&1)"
check_fails "an STS call not built yet is InvalidAction, not an S3 error" InvalidAction \
    sts get-session-token
