#!/usr/bin/env bash
# test_sts.sh - STS through the aws CLI: who am I, as CI scripts ask it
# before anything else, and a role assumed and its credentials used from
# the environment.  Run by tests/cli/run.sh.
set -u
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

sts() { $AWS --endpoint-url "$ENDPOINT" sts "$@"; }

check_eq "get-caller-identity gives the account" "000000000000" \
    "$(sts get-caller-identity --query Account --output text 2>&1)"
check_eq "get-caller-identity gives the root ARN" "arn:aws:iam::000000000000:root" \
    "$(sts get-caller-identity --query Arn --output text 2>&1)"

# A deploy role, assumed; its credentials used from the environment.
cat >trust.json <<'JSON'
{"Version": "2012-10-17",
 "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
                "Action": "sts:AssumeRole"}]}
JSON
ROLE=arn:aws:iam::000000000000:role/cli-deployer
$AWS --endpoint-url "$ENDPOINT" iam create-role --role-name cli-deployer \
    --assume-role-policy-document file://trust.json >/dev/null 2>&1
CREDS=$(sts assume-role --role-arn "$ROLE" --role-session-name cli-session \
    --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text 2>&1)
read -r AK SK TOKEN <<<"$CREDS"
check_match "assume-role gives temporary credentials" '^ASIA[A-Z0-9]{16}$' "$AK"
check_eq "assume-role names the assumed role" \
    "arn:aws:sts::000000000000:assumed-role/cli-deployer/cli-session" \
    "$(sts assume-role --role-arn "$ROLE" --role-session-name cli-session \
        --query AssumedRoleUser.Arn --output text 2>&1)"
check_eq "get-caller-identity with those credentials is the assumed role" \
    "arn:aws:sts::000000000000:assumed-role/cli-deployer/cli-session" \
    "$(AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK AWS_SESSION_TOKEN=$TOKEN \
        $AWS --endpoint-url "$ENDPOINT" sts get-caller-identity --query Arn --output text 2>&1)"
check_fails "assume-role past the role's MaxSessionDuration is ValidationError" \
    MaxSessionDuration \
    sts assume-role --role-arn "$ROLE" --role-session-name cli-session --duration-seconds 7200
check_match "get-session-token gives temporary credentials" '^ASIA[A-Z0-9]{16}$' \
    "$(sts get-session-token --query Credentials.AccessKeyId --output text 2>&1)"
check_fails "an STS call not built yet is InvalidAction, not an S3 error" InvalidAction \
    sts decode-authorization-message --encoded-message abc
$AWS --endpoint-url "$ENDPOINT" iam delete-role --role-name cli-deployer >/dev/null 2>&1
