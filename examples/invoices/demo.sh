#!/usr/bin/env bash
# demo.sh - runs the invoice example that setup.sh provisioned: uploads
# notas.json, waits for the import function to write its invoices to
# DynamoDB, prints the table, then reads and adds invoices through the API
# with curl, once through the path form of the URL and once through the
# execute-api host form.
#
#   ENDPOINT=http://localhost:4566 ./demo.sh
#
# The same settings as setup.sh (AWS, ENDPOINT, BUCKET, TABLE, PREFIX); API
# (the REST API id setup.sh printed) is looked up by its name when unset.
set -eu

AWS=${AWS:-aws}
ENDPOINT=${ENDPOINT:-http://localhost:4566}
BUCKET=${BUCKET:-notas-upload}
TABLE=${TABLE:-notas}
PREFIX=${PREFIX:-notas}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test}
export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1} AWS_PAGER=""

HERE=$(cd "$(dirname "$0")" && pwd)
aws_() { $AWS --endpoint-url "$ENDPOINT" "$@"; }
step() { printf '\n== %s\n' "$*"; }

API=${API:-$(aws_ apigateway get-rest-apis \
    --query "items[?name=='$PREFIX-api'] | [-1].id" --output text)}
if [ -z "$API" ] || [ "$API" = None ]; then
    echo "demo.sh: no REST API named $PREFIX-api; run setup.sh first" >&2
    exit 1
fi

step "upload notas.json to s3://$BUCKET"
aws_ s3 cp --no-progress "$HERE/notas.json" "s3://$BUCKET/notas.json"

step "wait for the import function to write the 10 invoices to $TABLE"
# The S3 event invokes the function asynchronously, as on AWS.
count=0
for _ in $(seq 1 50); do
    count=$(aws_ dynamodb scan --table-name "$TABLE" --select COUNT --query Count --output text)
    [ "$count" -ge 10 ] && break
    sleep 0.2
done
if [ "$count" -lt 10 ]; then
    echo "demo.sh: $TABLE holds $count invoices after 10 s; see the function's log:" >&2
    echo "  $AWS --endpoint-url $ENDPOINT logs tail /aws/lambda/$PREFIX-import" >&2
    exit 1
fi
aws_ dynamodb scan --table-name "$TABLE" \
    --query 'Items[].[id.S, cliente.S, valor.N, data_emissao.S]' --output table

# Two URL forms of the same stage.  The host form needs
# <api>.execute-api.localhost.localstack.cloud to resolve to the emulator:
# public DNS answers 127.0.0.1 for it, but offline (or behind a resolver
# that drops such answers) it does not resolve, so the request goes to the
# endpoint with that name in its Host header, which is all the emulator
# looks at.  With working DNS, `curl http://$API.execute-api.localhost.localstack.cloud:4566/dev/notas`
# is the same request.
hostport=${ENDPOINT#*://}
hostport=${hostport%%/*}
case $hostport in *:*) PORT=${hostport##*:} ;; *) PORT=80 ;; esac
PATH_URL=$ENDPOINT/restapis/$API/dev/_user_request_/notas
HOST=$API.execute-api.localhost.localstack.cloud:$PORT

show() { curl -sS -w '\n(HTTP %{http_code})\n' "$@"; }

step "GET $PATH_URL"
show "$PATH_URL"
step "GET $PATH_URL/NF-3"
show "$PATH_URL/NF-3"
step "GET $PATH_URL/NF-404 (no such invoice)"
show "$PATH_URL/NF-404"

step "POST http://$HOST/dev/notas (Host header form)"
show -X POST -H "Host: $HOST" -H 'Content-Type: application/json' \
    -d '{"id": "NF-12", "cliente": "Sorveteria Polo Norte", "valor": 77.40, "data_emissao": "2025-03-21"}' \
    "$ENDPOINT/dev/notas"
step "GET http://$HOST/dev/notas/NF-12 (Host header form)"
show -H "Host: $HOST" "$ENDPOINT/dev/notas/NF-12"
step "POST of a body that is not JSON"
show -X POST -H "Host: $HOST" -d 'not json' "$ENDPOINT/dev/notas"
