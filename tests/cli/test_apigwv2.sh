#!/usr/bin/env bash
# test_apigwv2.sh - an HTTP API through the aws CLI as a user types it:
# quick create with a Lambda target, get-apis, a route on its own
# integration, a named stage and a deployment, tags, the errors a typo
# gets, delete-api.  Run by tests/cli/run.sh (once per CLI).
set -u
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

S=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
v2() { $AWS --endpoint-url "$ENDPOINT" apigatewayv2 "$@"; }
FN_ARN=arn:aws:lambda:us-east-1:000000000000:function:hello-$S

API_ID=$(v2 create-api --name "shop-$S" --protocol-type HTTP --target "$FN_ARN" \
    --query ApiId --output text 2>&1)
check_match "create-api (quick create) gives an id" '^[a-z0-9]{10}$' "$API_ID"
check_match "the endpoint is LocalStack's" \
    "^http://$API_ID\\.execute-api\\.localhost\\.localstack\\.cloud:[0-9]+\$" \
    "$(v2 get-api --api-id "$API_ID" --query ApiEndpoint --output text 2>&1)"
check_match "get-apis lists it" "shop-$S" \
    "$(v2 get-apis --query 'Items[].Name' --output text 2>&1)"
check_eq "quick create made a \$default route" '$default' \
    "$(v2 get-routes --api-id "$API_ID" --query 'Items[0].RouteKey' --output text 2>&1)"
check_eq "... a Lambda proxy integration with payload format 2.0" "AWS_PROXY 2.0" \
    "$(v2 get-integrations --api-id "$API_ID" \
        --query 'Items[0].[IntegrationType,PayloadFormatVersion]' --output text 2>&1 | tr '\t' ' ')"
check_eq "... and an auto-deployed \$default stage" 'True' \
    "$(v2 get-stage --api-id "$API_ID" --stage-name '$default' --query AutoDeploy \
        --output text 2>&1)"

INTEG=$(v2 create-integration --api-id "$API_ID" --integration-type HTTP_PROXY \
    --integration-uri https://example.com/orders --integration-method GET \
    --query IntegrationId --output text 2>&1)
check_match "create-integration HTTP_PROXY" '^[a-z0-9]{7}$' "$INTEG"
check_eq "create-route 'GET /orders/{id}' on it" "GET /orders/{id} integrations/$INTEG" \
    "$(v2 create-route --api-id "$API_ID" --route-key 'GET /orders/{id}' \
        --target "integrations/$INTEG" --query '[RouteKey,Target]' --output text 2>&1 | tr '\t' ' ')"
check_fails "the same route key again is a ConflictException" ConflictException \
    v2 create-route --api-id "$API_ID" --route-key 'GET /orders/{id}'
check_fails "a route key without a path is a BadRequestException" BadRequestException \
    v2 create-route --api-id "$API_ID" --route-key 'GET orders'

check_eq "create-stage prod with a stage variable" "prod v1" \
    "$(v2 create-stage --api-id "$API_ID" --stage-name prod --stage-variables version=v1 \
        --query '[StageName,StageVariables.version]' --output text 2>&1 | tr '\t' ' ')"
DEP=$(v2 create-deployment --api-id "$API_ID" --stage-name prod --query DeploymentId \
    --output text 2>&1)
check_match "create-deployment to prod" '^[a-z0-9]{6}$' "$DEP"
check_eq "prod points at it" "$DEP" \
    "$(v2 get-stage --api-id "$API_ID" --stage-name prod --query DeploymentId --output text 2>&1)"
check_eq "get-stages lists both" '$default prod' \
    "$(v2 get-stages --api-id "$API_ID" --query 'Items[].StageName' --output text 2>&1 | tr '\t' ' ')"

check "tag-resource" v2 tag-resource \
    --resource-arn "arn:aws:apigateway:us-east-1::/apis/$API_ID" --tags team=core
check_eq "get-tags" "core" \
    "$(v2 get-tags --resource-arn "arn:aws:apigateway:us-east-1::/apis/$API_ID" \
        --query Tags.team --output text 2>&1)"

check "delete-api" v2 delete-api --api-id "$API_ID"
check_fails "get-api after delete-api is a NotFoundException" NotFoundException \
    v2 get-api --api-id "$API_ID"
check_eq "get-apis no longer lists it" "" \
    "$(v2 get-apis --query 'Items[].Name' --output text 2>&1 | tr '\t' '\n' | grep "shop-$S")"

# An HTTP API in front of a real function, called with curl.
mkdir -p fn
cat >fn/app.py <<'PY'
import json
def handler(event, context):
    return {"route": event["routeKey"], "path": event["rawPath"],
            "id": (event.get("pathParameters") or {}).get("id")}
PY
(cd fn && python3 -c "import zipfile; z = zipfile.ZipFile('../fn.zip', 'w'); z.write('app.py'); z.close()")
REAL=$($AWS --endpoint-url "$ENDPOINT" lambda create-function --function-name "v2-real-$S" \
    --runtime python3.12 --handler app.handler --role arn:aws:iam::000000000000:role/r \
    --zip-file fileb://fn.zip --query FunctionArn --output text 2>&1)
check_match "lambda create-function for the HTTP API" "function:v2-real-$S$" "$REAL"
LIVE=$(v2 create-api --name "live-$S" --protocol-type HTTP --target "$REAL" \
    --route-key 'GET /notas/{id}' --query ApiId --output text 2>&1)
PORT=${ENDPOINT##*:}
check_eq "curl through the execute-api host (\$default stage)" \
    '{"route": "GET /notas/{id}", "path": "/notas/7", "id": "7"}' \
    "$(curl -s -H "Host: $LIVE.execute-api.localhost.localstack.cloud:$PORT" "$ENDPOINT/notas/7")"
check_eq "curl through /_aws/execute-api/" \
    '{"route": "GET /notas/{id}", "path": "/notas/8", "id": "8"}' \
    "$(curl -s "$ENDPOINT/_aws/execute-api/$LIVE/notas/8")"
check_eq "a path with no route is 404" '404 {"message":"Not Found"}' \
    "$(curl -s -o body.txt -w '%{http_code}' "$ENDPOINT/_aws/execute-api/$LIVE/elsewhere"; echo " $(cat body.txt)")"
check "delete-api of the live API" v2 delete-api --api-id "$LIVE"
check "lambda delete-function" $AWS --endpoint-url "$ENDPOINT" lambda delete-function \
    --function-name "v2-real-$S"
