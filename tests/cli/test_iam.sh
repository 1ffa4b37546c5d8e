#!/usr/bin/env bash
# test_iam.sh - IAM roles through the aws CLI, as a setup script makes a
# Lambda execution role: a trust policy from file://, the managed policy
# attached, then listed, detached and the role deleted.  Run by
# tests/cli/run.sh.
set -u
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

iam() { $AWS --endpoint-url "$ENDPOINT" iam "$@"; }

BASIC=arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
cat >trust.json <<'JSON'
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
     "Action": "sts:AssumeRole"}
  ]
}
JSON
printf '{not json' >bad.json

check_eq "create-role from file:// gives the role's ARN" \
    "arn:aws:iam::000000000000:role/cli-role" \
    "$(iam create-role --role-name cli-role --assume-role-policy-document file://trust.json \
        --query Role.Arn --output text 2>&1)"
check_eq "get-role gives the trust policy back decoded" "lambda.amazonaws.com" \
    "$(iam get-role --role-name cli-role \
        --query 'Role.AssumeRolePolicyDocument.Statement[0].Principal.Service' --output text 2>&1)"
check_match "list-roles lists it" '^cli-role$' \
    "$(iam list-roles --query 'Roles[].RoleName' --output text 2>&1 | tr '\t' '\n')"
check_fails "a second create-role is EntityAlreadyExists" EntityAlreadyExists \
    iam create-role --role-name cli-role --assume-role-policy-document file://trust.json
check_fails "a trust policy that is not JSON is MalformedPolicyDocument" MalformedPolicyDocument \
    iam create-role --role-name cli-bad --assume-role-policy-document file://bad.json
check "attach-role-policy" iam attach-role-policy --role-name cli-role --policy-arn "$BASIC"
check_eq "list-attached-role-policies shows it" "AWSLambdaBasicExecutionRole" \
    "$(iam list-attached-role-policies --role-name cli-role \
        --query 'AttachedPolicies[0].PolicyName' --output text 2>&1)"
check_fails "delete-role with a policy attached is DeleteConflict" DeleteConflict \
    iam delete-role --role-name cli-role
check "detach-role-policy" iam detach-role-policy --role-name cli-role --policy-arn "$BASIC"
check "delete-role" iam delete-role --role-name cli-role
check_fails "get-role after delete is NoSuchEntity" NoSuchEntity \
    iam get-role --role-name cli-role
