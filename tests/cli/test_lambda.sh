#!/usr/bin/env bash
# test_lambda.sh - Lambda through the aws CLI as a user of the invoice
# pipeline types it: a role, a zipped Python handler, create-function,
# invoke, add-permission, the bucket notification with a .json suffix
# filter, `aws s3 cp` of the invoices and the items in DynamoDB.  Run by
# tests/cli/run.sh (once per CLI, so names carry a suffix).
set -u
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

S=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
aws_() { $AWS --endpoint-url "$ENDPOINT" "$@"; }
FN=import-invoices-$S
BUCKET=$(unique_bucket invoices)
TABLE=notas-$S

cat >trust.json <<'JSON'
{"Version": "2012-10-17",
 "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole"}]}
JSON
ROLE_ARN=$(aws_ iam create-role --role-name "lambda-role-$S" \
    --assume-role-policy-document file://trust.json --query Role.Arn --output text 2>&1)
check_match "iam create-role gives the role ARN" "^arn:aws:iam::000000000000:role/lambda-role-$S$" "$ROLE_ARN"

mkdir -p src
cat >src/handler.py <<PY
import json, os, urllib.parse
from decimal import Decimal
import boto3

table = boto3.resource("dynamodb").Table("$TABLE")
s3 = boto3.client("s3")

def handler(event, context):
    if "Records" not in event:
        return {"hello": event.get("name", "world")}
    for rec in event["Records"]:
        key = urllib.parse.unquote_plus(rec["s3"]["object"]["key"])
        body = s3.get_object(Bucket=rec["s3"]["bucket"]["name"], Key=key)["Body"].read()
        data = json.loads(body, parse_float=Decimal)
        with table.batch_writer() as batch:
            for item in (data if isinstance(data, list) else [data]):
                batch.put_item(Item=item)
PY
(cd src && python3 -c "import zipfile; z = zipfile.ZipFile('../function.zip', 'w'); z.write('handler.py'); z.close()")

check_eq "lambda create-function from a zip" "Pending" \
    "$(aws_ lambda create-function --function-name "$FN" --runtime python3.12 \
        --handler handler.handler --role "$ROLE_ARN" --zip-file fileb://function.zip \
        --timeout 30 --query State --output text 2>&1)"
check "lambda wait function-active-v2" aws_ lambda wait function-active-v2 --function-name "$FN"
check_eq "lambda get-function shows it Active" "Active" \
    "$(aws_ lambda get-function --function-name "$FN" --query Configuration.State --output text 2>&1)"
check_match "lambda list-functions lists it" "$FN" \
    "$(aws_ lambda list-functions --query 'Functions[].FunctionName' --output text 2>&1)"

printf '{"name": "cli"}' >event.json
aws_ lambda invoke --function-name "$FN" --payload fileb://event.json out.json >invoke.txt 2>&1
check_eq "lambda invoke writes the result" '{"hello": "cli"}' "$(cat out.json 2>&1)"
check_match "lambda invoke reports status 200" '"StatusCode": 200' "$(cat invoke.txt)"
aws_ lambda invoke --function-name "$FN" --payload fileb://event.json --log-type Tail \
    --query LogResult --output text out.json >tail.txt 2>&1
check_match "lambda invoke --log-type Tail returns the REPORT line" "^REPORT RequestId" \
    "$(base64 -d tail.txt 2>&1)"
check_match "the function's log group holds its REPORT lines" "REPORT RequestId" \
    "$(aws_ logs filter-log-events --log-group-name "/aws/lambda/$FN" \
        --query 'events[].message' --output text 2>&1)"
case "$($AWS --version 2>&1)" in
aws-cli/2*)
    check_match "aws logs tail shows the function's START lines" "START RequestId" \
        "$(aws_ logs tail "/aws/lambda/$FN" --since 1h 2>&1)" ;;
esac
check_fails "invoke of a missing function is ResourceNotFoundException" ResourceNotFoundException \
    aws_ lambda invoke --function-name "missing-$S" out.json
check_fails "create-function twice is ResourceConflictException" ResourceConflictException \
    aws_ lambda create-function --function-name "$FN" --runtime python3.12 \
        --handler handler.handler --role "$ROLE_ARN" --zip-file fileb://function.zip
python3 -c "import zipfile; z = zipfile.ZipFile('bad.zip', 'w'); z.writestr('../escape.py', 'x'); z.close()"
check_fails "a zip whose entry escapes its folder is InvalidParameterValueException" InvalidParameterValueException \
    aws_ lambda create-function --function-name "bad-$S" --runtime python3.12 \
        --handler handler.handler --role "$ROLE_ARN" --zip-file fileb://bad.zip

check "dynamodb create-table" aws_ dynamodb create-table --table-name "$TABLE" \
    --attribute-definitions AttributeName=id,AttributeType=S \
    --key-schema AttributeName=id,KeyType=HASH --billing-mode PAY_PER_REQUEST
check "s3 mb" aws_ s3 mb "s3://$BUCKET"
check_match "lambda add-permission for s3" "s3.amazonaws.com" \
    "$(aws_ lambda add-permission --function-name "$FN" --statement-id s3invoke \
        --action lambda:InvokeFunction --principal s3.amazonaws.com \
        --source-arn "arn:aws:s3:::$BUCKET" --query Statement --output text 2>&1)"
cat >notification.json <<JSON
{"LambdaFunctionConfigurations": [{
  "LambdaFunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:$FN",
  "Events": ["s3:ObjectCreated:*"],
  "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".json"}]}}}]}
JSON
check "s3api put-bucket-notification-configuration" aws_ s3api \
    put-bucket-notification-configuration --bucket "$BUCKET" \
    --notification-configuration file://notification.json
check_match "s3api get-bucket-notification-configuration shows the function" "$FN" \
    "$(aws_ s3api get-bucket-notification-configuration --bucket "$BUCKET" \
        --query 'LambdaFunctionConfigurations[0].LambdaFunctionArn' --output text 2>&1)"

python3 - <<'PY'
import json
json.dump([{"id": "NF-%d" % i, "cliente": "Cliente %d" % i, "valor": 1500.75 + i,
            "data_emissao": "2025-01-31"} for i in range(1, 11)], open("notas.json", "w"))
PY
check "s3 cp uploads the invoices" aws_ s3 cp notas.json "s3://$BUCKET/notas.json"
COUNT=0
for _ in $(seq 1 100); do
    COUNT=$(aws_ dynamodb scan --table-name "$TABLE" --select COUNT --query Count --output text 2>/dev/null)
    [ "$COUNT" = 10 ] && break
    sleep 0.1
done
check_eq "the upload's 10 invoices are in DynamoDB" "10" "$COUNT"
check_eq "an invoice keeps its decimal value" "1501.75" \
    "$(aws_ dynamodb get-item --table-name "$TABLE" --key '{"id": {"S": "NF-1"}}' \
        --query Item.valor.N --output text 2>&1)"

check "lambda delete-function" aws_ lambda delete-function --function-name "$FN"
check_fails "the deleted function is gone" ResourceNotFoundException \
    aws_ lambda get-function --function-name "$FN"
