#!/usr/bin/env bash
# test_apigw.sh - API Gateway through the aws CLI as a user of the invoice
# pipeline types it: a Python handler behind /notas and /notas/{id}
# (create-rest-api, get-resources with --query, create-resource,
# put-method, put-integration --type AWS_PROXY, create-deployment
# --stage-name dev), called with curl through the _user_request_ form and
# the execute-api host form, then the bad inputs a user meets.  Run by
# tests/cli/run.sh once per CLI.
set -u
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

S=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
aws_() { $AWS --endpoint-url "$ENDPOINT" "$@"; }
FN=notas-api-$S
PORT=${ENDPOINT##*:}

mkdir -p api
cat >api/api.py <<'PY'
import json
NOTAS = {"NF-1": {"id": "NF-1", "valor": 10}}
def handler(event, context):
    method, params = event["httpMethod"], event.get("pathParameters") or {}
    if method == "POST":
        nota = json.loads(event["body"])
        NOTAS[nota["id"]] = nota
        return {"statusCode": 201, "body": json.dumps(nota)}
    if "id" in params:
        nota = NOTAS.get(params["id"])
        return {"statusCode": 200 if nota else 404,
                "body": json.dumps(nota or {"message": "not found"})}
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps(sorted(NOTAS))}
PY
(cd api && python3 -c "import zipfile; z = zipfile.ZipFile('../api.zip', 'w'); z.write('api.py'); z.close()")
FN_ARN=$(aws_ lambda create-function --function-name "$FN" --runtime python3.12 \
    --handler api.handler --role arn:aws:iam::000000000000:role/lambda-role \
    --zip-file fileb://api.zip --query FunctionArn --output text 2>&1)
check_match "lambda create-function for the API" "function:$FN$" "$FN_ARN"
check_match "lambda add-permission for apigateway" "apigateway.amazonaws.com" \
    "$(aws_ lambda add-permission --function-name "$FN" --statement-id apigw \
        --action lambda:InvokeFunction --principal apigateway.amazonaws.com \
        --query Statement --output text 2>&1)"

API=$(aws_ apigateway create-rest-api --name "notas-$S" --query id --output text 2>&1)
check_match "apigateway create-rest-api gives a 10-character id" '^[a-z0-9]{10}$' "$API"
ROOT=$(aws_ apigateway get-resources --rest-api-id "$API" --query 'items[?path==`/`].id' \
    --output text 2>&1)
check_match "get-resources --query finds the root resource" '^[a-z0-9]{10}$' "$ROOT"
NOTAS=$(aws_ apigateway create-resource --rest-api-id "$API" --parent-id "$ROOT" \
    --path-part notas --query id --output text 2>&1)
check_match "create-resource /notas" '^[a-z0-9]{10}$' "$NOTAS"
ONE=$(aws_ apigateway create-resource --rest-api-id "$API" --parent-id "$NOTAS" \
    --path-part '{id}' --query path --output text 2>&1)
check_eq "create-resource /notas/{id}" "/notas/{id}" "$ONE"
ONE=$(aws_ apigateway get-resources --rest-api-id "$API" \
    --query 'items[?path==`/notas/{id}`].id' --output text 2>&1)
URI="arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/$FN_ARN/invocations"
for R in "$NOTAS" "$ONE"; do
    check "put-method ANY" aws_ apigateway put-method --rest-api-id "$API" --resource-id "$R" \
        --http-method ANY --authorization-type NONE
    check "put-integration --type AWS_PROXY" aws_ apigateway put-integration \
        --rest-api-id "$API" --resource-id "$R" --http-method ANY --type AWS_PROXY \
        --integration-http-method POST --uri "$URI"
done
check_eq "get-integration shows AWS's defaults" "WHEN_NO_MATCH 29000" \
    "$(aws_ apigateway get-integration --rest-api-id "$API" --resource-id "$NOTAS" \
        --http-method ANY --query '[passthroughBehavior, timeoutInMillis]' --output text 2>&1 | tr '\t' ' ')"
check_match "create-deployment --stage-name dev" '^[a-z0-9]{6}$' \
    "$(aws_ apigateway create-deployment --rest-api-id "$API" --stage-name dev --query id \
        --output text 2>&1)"
check_eq "get-stages lists dev" "dev" \
    "$(aws_ apigateway get-stages --rest-api-id "$API" --query 'item[].stageName' --output text 2>&1)"

BASE="$ENDPOINT/restapis/$API/dev/_user_request_"
check_eq "curl GET /notas through _user_request_" '["NF-1"]' "$(curl -s "$BASE/notas")"
check_eq "curl POST /notas answers 201" "201" \
    "$(curl -s -o post.json -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        -d '{"id": "NF-2", "valor": 20}' "$BASE/notas")"
check_eq "curl GET /notas/NF-2 through the execute-api host" '{"id": "NF-2", "valor": 20}' \
    "$(curl -s -H "Host: $API.execute-api.localhost.localstack.cloud:$PORT" "$ENDPOINT/dev/notas/NF-2")"
check_eq "curl through /_aws/execute-api/" "404" \
    "$(curl -s -o /dev/null -w '%{http_code}' "$ENDPOINT/_aws/execute-api/$API/dev/notas/NF-9")"
check_eq "a path with no resource is 403 Missing Authentication Token" \
    '403 {"message":"Missing Authentication Token"}' \
    "$(curl -s -w '%{http_code}' -o body.txt "$BASE/nowhere"; echo " $(cat body.txt)")"

# A model and a request validator on a second method, POST /lote.
check_eq "get-models lists the default models" "Empty Error" \
    "$(aws_ apigateway get-models --rest-api-id "$API" --query 'items[].name' --output text 2>&1 | tr '\t' ' ')"
cat >nota.json <<'JSON'
{"type": "object", "required": ["id", "valor"],
 "properties": {"id": {"type": "string"}, "valor": {"type": "number", "minimum": 0}}}
JSON
check_eq "create-model --schema file://" "Nota" \
    "$(aws_ apigateway create-model --rest-api-id "$API" --name Nota --content-type application/json \
        --schema file://nota.json --query name --output text 2>&1)"
check_fails "create-model with a name that is not alphanumeric" "Model name must be alphanumeric" \
    aws_ apigateway create-model --rest-api-id "$API" --name nota_1 --content-type application/json
VAL=$(aws_ apigateway create-request-validator --rest-api-id "$API" --name body-and-params \
    --validate-request-body --validate-request-parameters --query id --output text 2>&1)
LOTE=$(aws_ apigateway create-resource --rest-api-id "$API" --parent-id "$ROOT" --path-part lote \
    --query id --output text 2>&1)
check "put-method with --request-validator-id and --request-models" \
    aws_ apigateway put-method --rest-api-id "$API" --resource-id "$LOTE" --http-method POST \
        --authorization-type NONE --request-validator-id "$VAL" \
        --request-models application/json=Nota \
        --request-parameters method.request.querystring.origem=true
check "put-integration --type MOCK" aws_ apigateway put-integration --rest-api-id "$API" \
    --resource-id "$LOTE" --http-method POST --type MOCK \
    --request-templates '{"application/json": "{\"statusCode\": 200}"}'
check "put-method-response 200" aws_ apigateway put-method-response --rest-api-id "$API" \
    --resource-id "$LOTE" --http-method POST --status-code 200
check "put-integration-response 200" aws_ apigateway put-integration-response --rest-api-id "$API" \
    --resource-id "$LOTE" --http-method POST --status-code 200 \
    --response-templates '{"application/json": "{\"aceito\": true}"}'
check "create-deployment again" aws_ apigateway create-deployment --rest-api-id "$API" --stage-name dev
check_eq "a valid body and parameter pass the validator" '200 {"aceito": true}' \
    "$(curl -s -w '%{http_code}' -o body.txt -X POST -H 'Content-Type: application/json' \
        -d '{"id": "NF-3", "valor": 5}' "$BASE/lote?origem=erp"; echo " $(cat body.txt)")"
check_eq "a missing parameter is 400" '400 {"message":"Missing required request parameters: [origem]"}' \
    "$(curl -s -w '%{http_code}' -o body.txt -X POST -H 'Content-Type: application/json' \
        -d '{"id": "NF-3", "valor": 5}' "$BASE/lote"; echo " $(cat body.txt)")"
check_eq "a body the model refuses is 400" '400 {"message":"Invalid request body"}' \
    "$(curl -s -w '%{http_code}' -o body.txt -X POST -H 'Content-Type: application/json' \
        -d '{"id": "NF-3", "valor": -5}' "$BASE/lote?origem=erp"; echo " $(cat body.txt)")"
check_fails "delete-model of a model a method uses is ConflictException" ConflictException \
    aws_ apigateway delete-model --rest-api-id "$API" --model-name Nota

check_fails "get-rest-api of a missing API is NotFoundException" NotFoundException \
    aws_ apigateway get-rest-api --rest-api-id nosuchapi0
check_fails "create-resource twice is ConflictException" ConflictException \
    aws_ apigateway create-resource --rest-api-id "$API" --parent-id "$ROOT" --path-part notas
check_fails "put-method with an unknown method is BadRequestException" BadRequestException \
    aws_ apigateway put-method --rest-api-id "$API" --resource-id "$ROOT" --http-method FETCH \
        --authorization-type NONE
check "delete-rest-api" aws_ apigateway delete-rest-api --rest-api-id "$API"
check_eq "the deleted API answers 404" "404" \
    "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/notas")"
check "lambda delete-function" aws_ lambda delete-function --function-name "$FN"
