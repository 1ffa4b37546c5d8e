#!/usr/bin/env bash
# setup.sh - provisions the invoice example with the plain AWS CLI, as you
# would type it against AWS or LocalStack: the upload bucket, the DynamoDB
# table, the functions' role, the two Python functions, the S3 trigger and
# the /notas REST API.  Prints the API id and its URLs at the end.
#
#   ENDPOINT=http://localhost:4566 ./setup.sh
#
# Settings (environment): AWS (the CLI, default `aws`), ENDPOINT (default
# http://localhost:4566), BUCKET (default notas-upload), TABLE (default
# notas), PREFIX (names the role, the functions and the API; default notas).
# Running it twice with the same names fails on the names already taken;
# pick others (or restart the emulator without a data dir) to go again.
set -eu

AWS=${AWS:-aws}
ENDPOINT=${ENDPOINT:-http://localhost:4566}
BUCKET=${BUCKET:-notas-upload}
TABLE=${TABLE:-notas}
PREFIX=${PREFIX:-notas}
REGION=${AWS_DEFAULT_REGION:-us-east-1}
# Any key is accepted by the emulator; these keep the CLI from asking for one.
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test}
export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
export AWS_DEFAULT_REGION=$REGION AWS_PAGER=""

HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/notas-setup-XXXXXX")
trap 'rm -rf "$TMP"' EXIT

aws_() { $AWS --endpoint-url "$ENDPOINT" "$@"; }
step() { printf '== %s\n' "$*" >&2; }

step "bucket s3://$BUCKET and table $TABLE"
aws_ s3 mb "s3://$BUCKET" >&2
aws_ dynamodb create-table --table-name "$TABLE" \
    --attribute-definitions AttributeName=id,AttributeType=S \
    --key-schema AttributeName=id,KeyType=HASH \
    --billing-mode PAY_PER_REQUEST \
    --query TableDescription.TableStatus --output text >&2
aws_ dynamodb wait table-exists --table-name "$TABLE"

step "role $PREFIX-lambda-role"
cat >"$TMP/trust.json" <<'JSON'
{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": "sts:AssumeRole"
  }]
}
JSON
ROLE_ARN=$(aws_ iam create-role --role-name "$PREFIX-lambda-role" \
    --assume-role-policy-document "file://$TMP/trust.json" \
    --query Role.Arn --output text)
for policy in service-role/AWSLambdaBasicExecutionRole AmazonDynamoDBFullAccess AmazonS3ReadOnlyAccess; do
    aws_ iam attach-role-policy --role-name "$PREFIX-lambda-role" \
        --policy-arn "arn:aws:iam::aws:policy/$policy"
done
ACCOUNT=$(aws_ sts get-caller-identity --query Account --output text)

step "functions $PREFIX-import and $PREFIX-api"
# python3 -m zipfile stores each file under its base name, as `zip -j` does.
python3 -m zipfile -c "$TMP/import.zip" "$HERE/import_invoices.py"
python3 -m zipfile -c "$TMP/api.zip" "$HERE/api.py"
IMPORT_ARN=$(aws_ lambda create-function --function-name "$PREFIX-import" \
    --runtime python3.12 --handler import_invoices.handler \
    --zip-file "fileb://$TMP/import.zip" --role "$ROLE_ARN" --timeout 30 \
    --environment "Variables={TABLE=$TABLE}" \
    --query FunctionArn --output text)
API_FN_ARN=$(aws_ lambda create-function --function-name "$PREFIX-api" \
    --runtime python3.12 --handler api.handler \
    --zip-file "fileb://$TMP/api.zip" --role "$ROLE_ARN" --timeout 10 \
    --environment "Variables={TABLE=$TABLE}" \
    --query FunctionArn --output text)
aws_ lambda wait function-active-v2 --function-name "$PREFIX-import"
aws_ lambda wait function-active-v2 --function-name "$PREFIX-api"

step "S3 trigger: *.json uploads to s3://$BUCKET run $PREFIX-import"
aws_ lambda add-permission --function-name "$PREFIX-import" \
    --statement-id s3-invoke --action lambda:InvokeFunction \
    --principal s3.amazonaws.com --source-arn "arn:aws:s3:::$BUCKET" \
    --source-account "$ACCOUNT" >/dev/null
cat >"$TMP/notification.json" <<JSON
{
  "LambdaFunctionConfigurations": [{
    "Id": "import-invoices",
    "LambdaFunctionArn": "$IMPORT_ARN",
    "Events": ["s3:ObjectCreated:*"],
    "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".json"}]}}
  }]
}
JSON
aws_ s3api put-bucket-notification-configuration --bucket "$BUCKET" \
    --notification-configuration "file://$TMP/notification.json"

step "REST API $PREFIX-api: /notas and /notas/{id}, stage dev"
API=$(aws_ apigateway create-rest-api --name "$PREFIX-api" \
    --description "Invoices (notas fiscais)" --query id --output text)
ROOT=$(aws_ apigateway get-resources --rest-api-id "$API" \
    --query 'items[?path==`/`].id' --output text)
NOTAS=$(aws_ apigateway create-resource --rest-api-id "$API" --parent-id "$ROOT" \
    --path-part notas --query id --output text)
ONE=$(aws_ apigateway create-resource --rest-api-id "$API" --parent-id "$NOTAS" \
    --path-part '{id}' --query id --output text)
URI="arn:aws:apigateway:$REGION:lambda:path/2015-03-31/functions/$API_FN_ARN/invocations"
for route in "$NOTAS GET" "$NOTAS POST" "$ONE GET"; do
    set -- $route
    aws_ apigateway put-method --rest-api-id "$API" --resource-id "$1" \
        --http-method "$2" --authorization-type NONE >/dev/null
    # A Lambda proxy integration is always called with POST, whatever the
    # method of the request.
    aws_ apigateway put-integration --rest-api-id "$API" --resource-id "$1" \
        --http-method "$2" --type AWS_PROXY --integration-http-method POST \
        --uri "$URI" >/dev/null
done
aws_ lambda add-permission --function-name "$PREFIX-api" \
    --statement-id apigateway-invoke --action lambda:InvokeFunction \
    --principal apigateway.amazonaws.com \
    --source-arn "arn:aws:execute-api:$REGION:$ACCOUNT:$API/*" >/dev/null
aws_ apigateway create-deployment --rest-api-id "$API" --stage-name dev \
    --description "first deployment" >/dev/null

# The execute-api host form keeps the endpoint's port.
hostport=${ENDPOINT#*://}
hostport=${hostport%%/*}
case $hostport in *:*) PORT=${hostport##*:} ;; *) PORT=80 ;; esac
step "done"
echo "API id: $API"
echo "URL:    $ENDPOINT/restapis/$API/dev/_user_request_/notas"
echo "URL:    http://$API.execute-api.localhost.localstack.cloud:$PORT/dev/notas"
