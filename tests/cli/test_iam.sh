#!/usr/bin/env bash
# test_iam.sh - IAM through the aws CLI, as a setup script makes a Lambda
# execution role: a trust policy from file://, AWS's managed policy
# attached, an inline policy put, a policy of its own created and
# attached, then everything taken apart again in the order AWS requires;
# and a CI user with an access key.  Run by tests/cli/run.sh.
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
cat >policy.json <<'JSON'
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
     "Resource": "arn:aws:dynamodb:us-east-1:000000000000:table/orders"}
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

# A Lambda role with an inline policy and a managed policy of its own.
DDB_FULL=arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess
check_eq "create-role lambda-role" "arn:aws:iam::000000000000:role/lambda-role" \
    "$(iam create-role --role-name lambda-role --assume-role-policy-document file://trust.json \
        --description "orders function" --query Role.Arn --output text 2>&1)"
check "attach-role-policy AWSLambdaBasicExecutionRole" \
    iam attach-role-policy --role-name lambda-role --policy-arn "$BASIC"
check "attach-role-policy AmazonDynamoDBFullAccess" \
    iam attach-role-policy --role-name lambda-role --policy-arn "$DDB_FULL"
check "put-role-policy from file://" iam put-role-policy --role-name lambda-role \
    --policy-name orders-table --policy-document file://policy.json
check_eq "get-role-policy gives the document back decoded" "dynamodb:GetItem" \
    "$(iam get-role-policy --role-name lambda-role --policy-name orders-table \
        --query 'PolicyDocument.Statement[0].Action[0]' --output text 2>&1)"
check_eq "list-role-policies lists it" "orders-table" \
    "$(iam list-role-policies --role-name lambda-role --query 'PolicyNames[0]' --output text 2>&1)"
check_fails "put-role-policy with a document that is not JSON is MalformedPolicyDocument" \
    MalformedPolicyDocument iam put-role-policy --role-name lambda-role \
    --policy-name broken --policy-document file://bad.json
POLICY_ARN=$(iam create-policy --policy-name orders-access --policy-document file://policy.json \
    --description "orders table" --query Policy.Arn --output text 2>&1)
check_eq "create-policy gives the policy's ARN" \
    "arn:aws:iam::000000000000:policy/orders-access" "$POLICY_ARN"
check_fails "create-policy again is EntityAlreadyExists" EntityAlreadyExists \
    iam create-policy --policy-name orders-access --policy-document file://policy.json
check_eq "list-policies --scope Local lists it" "orders-access" \
    "$(iam list-policies --scope Local --query 'Policies[].PolicyName' --output text 2>&1)"
check_match "list-policies --scope AWS lists AWS's own" '^AWSLambdaBasicExecutionRole$' \
    "$(iam list-policies --scope AWS --query 'Policies[].PolicyName' --output text 2>&1 \
        | tr '\t' '\n')"
check "attach-role-policy with the new policy" \
    iam attach-role-policy --role-name lambda-role --policy-arn "$POLICY_ARN"
check_eq "get-policy counts the attachment" "1" \
    "$(iam get-policy --policy-arn "$POLICY_ARN" --query Policy.AttachmentCount --output text 2>&1)"
check_eq "get-policy-version v1 gives the document" "dynamodb:PutItem" \
    "$(iam get-policy-version --policy-arn "$POLICY_ARN" --version-id v1 \
        --query 'PolicyVersion.Document.Statement[0].Action[1]' --output text 2>&1)"
check_fails "delete-policy while attached is DeleteConflict" DeleteConflict \
    iam delete-policy --policy-arn "$POLICY_ARN"
check_eq "list-attached-role-policies shows all three" "3" \
    "$(iam list-attached-role-policies --role-name lambda-role \
        --query 'length(AttachedPolicies)' --output text 2>&1)"
for arn in "$BASIC" "$DDB_FULL" "$POLICY_ARN"; do
    iam detach-role-policy --role-name lambda-role --policy-arn "$arn" >/dev/null 2>&1
done
check_fails "delete-role with an inline policy is DeleteConflict" "must delete policies first" \
    iam delete-role --role-name lambda-role
check "delete-role-policy" iam delete-role-policy --role-name lambda-role --policy-name orders-table
check "delete-role lambda-role" iam delete-role --role-name lambda-role
check "delete-policy" iam delete-policy --policy-arn "$POLICY_ARN"
check_fails "get-policy after delete is NoSuchEntity" NoSuchEntity \
    iam get-policy --policy-arn "$POLICY_ARN"

# A CI user and its access key.
check_eq "create-user" "arn:aws:iam::000000000000:user/ci/cli-user" \
    "$(iam create-user --user-name cli-user --path /ci/ --query User.Arn --output text 2>&1)"
KEY=$(iam create-access-key --user-name cli-user --query AccessKey.AccessKeyId --output text 2>&1)
check_match "create-access-key gives an AKIA key" '^AKIA[A-Z0-9]{16}$' "$KEY"
check_eq "list-access-keys lists it" "$KEY" \
    "$(iam list-access-keys --user-name cli-user \
        --query 'AccessKeyMetadata[0].AccessKeyId' --output text 2>&1)"
check_fails "delete-user with an access key is DeleteConflict" DeleteConflict \
    iam delete-user --user-name cli-user
check "delete-access-key" iam delete-access-key --user-name cli-user --access-key-id "$KEY"
check "delete-user" iam delete-user --user-name cli-user
check_fails "get-user after delete is NoSuchEntity" NoSuchEntity \
    iam get-user --user-name cli-user
check_fails "a name outside the model's pattern is ValidationError" ValidationError \
    iam get-role --role-name "no spaces allowed"
