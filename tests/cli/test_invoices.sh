#!/usr/bin/env bash
# test_invoices.sh - the reference scenario, examples/invoices/, end to end
# with the aws CLI: setup.sh provisions it (bucket, table, role, two Python
# functions, the S3 trigger, the /notas REST API), then every result is
# checked: the resources, the import of notas.json and nota-avulsa.json
# into DynamoDB, the API through the _user_request_ path and the
# execute-api host form, and demo.sh.  Then the same on a tinystack of this
# test's own, stopped with SIGTERM and started again on the same data dir:
# the items, the functions, the API and the trigger must survive.  That half
# is skipped, saying so, when run.sh was pointed at an external server
# (TINYSTACK_ENDPOINT).  Run by tests/cli/run.sh once per CLI, so names
# carry a random suffix.
set -u
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EX=$ROOT/examples/invoices
cd "$WORK" || exit 1

S=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
EP=$ENDPOINT        # the server the checks talk to; the restart half moves it
aws_() { $AWS --endpoint-url "$EP" "$@"; }

# json_get EXPR: evaluates the Python expression EXPR on the JSON document
# read from stdin (bound to d); prints the result, or ERROR: ... when the
# input is not JSON.
json_get() {
    python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
except ValueError as e:
    print("ERROR: not JSON: %s" % e); sys.exit(0)
try:
    r = eval(sys.argv[1])
except Exception as e:
    print("ERROR: %r" % e); sys.exit(0)
print(r if isinstance(r, str) else json.dumps(r))' "$1"
}

# setup_example: runs setup.sh for $PREFIX/$BUCKET/$TABLE against $EP; sets
# API to the id it printed.
setup_example() {
    local rc
    AWS=$AWS ENDPOINT=$EP PREFIX=$PREFIX BUCKET=$BUCKET TABLE=$TABLE \
        bash "$EX/setup.sh" >setup.out 2>setup.err
    rc=$?
    if [ "$rc" -eq 0 ]; then pass "$1: setup.sh exits 0"
    else fail "$1: setup.sh exits 0" "exit $rc: $(tail -n 20 setup.err)"; fi
    API=$(sed -n 's/^API id: //p' setup.out)
    check_match "$1: setup.sh prints a 10-character API id" '^[a-z0-9]{10}$' "$API"
    PORT=${EP##*:}
    check_match "$1: setup.sh prints the _user_request_ URL" \
        "^URL: +$EP/restapis/$API/dev/_user_request_/notas$" "$(cat setup.out)"
    check_match "$1: setup.sh prints the execute-api host URL" \
        "^URL: +http://$API\.execute-api\.localhost\.localstack\.cloud:$PORT/dev/notas$" \
        "$(cat setup.out)"
}

# count_items N: polls the table (10 s) until it holds N items; prints the
# last count.
count_items() {
    local n=""
    for _ in $(seq 1 100); do
        n=$(aws_ dynamodb scan --table-name "$TABLE" --select COUNT --query Count --output text 2>&1)
        [ "$n" = "$1" ] && break
        sleep 0.1
    done
    printf '%s\n' "$n"
}

# wait_item ID: polls the table (10 s) until it holds ID; prints its id.
wait_item() {
    local got=""
    for _ in $(seq 1 100); do
        got=$(aws_ dynamodb get-item --table-name "$TABLE" --key "{\"id\": {\"S\": \"$1\"}}" \
            --query Item.id.S --output text 2>&1)
        [ "$got" = "$1" ] && break
        sleep 0.1
    done
    printf '%s\n' "$got"
}

# call FORM METHOD PATH [BODY]: one request to the dev stage through the URL
# form FORM (path: /restapis/<id>/dev/_user_request_; host: the
# execute-api Host).  Prints the status; the body is in resp.json and the
# headers in resp.h.
call() {
    local form=$1 method=$2 path=$3 url
    shift 3
    local args=(-s -o resp.json -D resp.h -w '%{http_code}' -X "$method")
    if [ $# -gt 0 ]; then args+=(-H 'Content-Type: application/json' --data-binary "$1"); fi
    case $form in
    path) url="$EP/restapis/$API/dev/_user_request_$path" ;;
    host) url="$EP/dev$path"
          args+=(-H "Host: $API.execute-api.localhost.localstack.cloud:${EP##*:}") ;;
    esac
    : >resp.json
    curl "${args[@]}" "$url" 2>&1
}

ids_of_list() { json_get '",".join(n["id"] for n in d)' <resp.json; }

# api_checks LABEL FORM EXPECTED_IDS: GET /notas, /notas/NF-3, an unknown
# id, POST and GET of a new invoice, POST of garbage.  Appends the posted
# id to EXPECTED (the caller's list).
api_checks() {
    local l="$1 ($2 form)" form=$2 new st
    st=$(call "$form" GET /notas)
    check_eq "$l: GET /notas is 200" 200 "$st"
    check_match "$l: GET /notas is application/json" '^[Cc]ontent-[Tt]ype: application/json' \
        "$(tr -d '\r' <resp.h)"
    check_eq "$l: GET /notas lists the invoices sorted by id" "$EXPECTED" "$(ids_of_list)"
    st=$(call "$form" GET /notas/NF-3)
    check_eq "$l: GET /notas/NF-3 gives NF-3" "200 NF-3 742.18" \
        "$st $(json_get 'd["id"] + " " + str(d["valor"])' <resp.json)"
    st=$(call "$form" GET /notas/NF-404)
    check_eq "$l: GET of an unknown id is 404 with a message" "404 invoice NF-404 not found" \
        "$st $(json_get 'd["message"]' <resp.json)"
    new=NF-$form-$S
    st=$(call "$form" POST /notas \
        "{\"id\": \"$new\", \"cliente\": \"Quitanda Dona Maria\", \"valor\": 42.10, \"data_emissao\": \"2025-04-01\"}")
    check_eq "$l: POST /notas answers 201 with the invoice" "201 $new 42.1" \
        "$st $(json_get 'd["id"] + " " + str(d["valor"])' <resp.json)"
    st=$(call "$form" GET "/notas/$new")
    check_eq "$l: GET finds the posted invoice" "200 $new Quitanda Dona Maria" \
        "$st $(json_get 'd["id"] + " " + d["cliente"]' <resp.json)"
    check_eq "$l: the posted invoice is in DynamoDB with its exact value" "42.1" \
        "$(aws_ dynamodb get-item --table-name "$TABLE" --key "{\"id\": {\"S\": \"$new\"}}" \
            --query Item.valor.N --output text 2>&1)"
    st=$(call "$form" POST /notas 'this is not json')
    check_eq "$l: POST of garbage is 400" 400 "$st"
    st=$(call "$form" POST /notas '{"cliente": "Sem Id"}')
    check_eq "$l: POST without an id is 400" 400 "$st"
    EXPECTED=$(printf '%s\n' "$EXPECTED" | tr ',' '\n' | { cat; echo "$new"; } | paste -sd, -)
}

# --- the scenario against run.sh's server -------------------------------

PREFIX=notas-$S
BUCKET=$(unique_bucket notas-upload)
TABLE=notas-$S
L=scenario
setup_example "$L"

check "$L: the bucket exists" aws_ s3api head-bucket --bucket "$BUCKET"
check_eq "$L: the table is ACTIVE, keyed on id (S, HASH), on demand" \
    "ACTIVE id HASH id S PAY_PER_REQUEST" \
    "$(aws_ dynamodb describe-table --table-name "$TABLE" --output text --query \
        'Table.[TableStatus, KeySchema[0].AttributeName, KeySchema[0].KeyType, AttributeDefinitions[0].AttributeName, AttributeDefinitions[0].AttributeType, BillingModeSummary.BillingMode]' \
        2>&1 | tr '\t' ' ')"
check_eq "$L: the role trusts lambda.amazonaws.com" \
    "arn:aws:iam::000000000000:role/$PREFIX-lambda-role lambda.amazonaws.com" \
    "$(aws_ iam get-role --role-name "$PREFIX-lambda-role" --output text \
        --query '[Role.Arn, Role.AssumeRolePolicyDocument.Statement[0].Principal.Service]' 2>&1 | tr '\t' ' ')"
check_match "$L: the role has the Lambda execution policy" AWSLambdaBasicExecutionRole \
    "$(aws_ iam list-attached-role-policies --role-name "$PREFIX-lambda-role" \
        --query 'AttachedPolicies[].PolicyName' --output text 2>&1)"
for fn in import api; do
    check_eq "$L: function $PREFIX-$fn is Active on python3.12 with TABLE" \
        "Active python3.12 $TABLE" \
        "$(aws_ lambda get-function --function-name "$PREFIX-$fn" --output text --query \
            '[Configuration.State, Configuration.Runtime, Configuration.Environment.Variables.TABLE]' \
            2>&1 | tr '\t' ' ')"
done
check_match "$L: $PREFIX-import lets s3.amazonaws.com invoke it" \
    "s3\.amazonaws\.com.*arn:aws:s3:::$BUCKET" \
    "$(aws_ lambda get-policy --function-name "$PREFIX-import" --query Policy --output text 2>&1)"
check_match "$L: $PREFIX-api lets apigateway.amazonaws.com invoke it" "apigateway\.amazonaws\.com" \
    "$(aws_ lambda get-policy --function-name "$PREFIX-api" --query Policy --output text 2>&1)"
check_eq "$L: the notification sends *.json creations to $PREFIX-import" \
    "arn:aws:lambda:us-east-1:000000000000:function:$PREFIX-import s3:ObjectCreated:* .json" \
    "$(aws_ s3api get-bucket-notification-configuration --bucket "$BUCKET" --output text --query \
        'LambdaFunctionConfigurations[0].[LambdaFunctionArn, Events[0], Filter.Key.FilterRules[0].Value]' \
        2>&1 | tr '\t' ' ')"
check_eq "$L: the API has /notas GET+POST and /notas/{id} GET" \
    "/notas GET,POST /notas/{id} GET" \
    "$(aws_ apigateway get-resources --rest-api-id "$API" --embed methods --output json \
        2>&1 | json_get '" ".join(r["path"] + " " + ",".join(sorted(r.get("resourceMethods", {}))) for r in sorted(d["items"], key=lambda r: r["path"]) if r["path"] != "/")')"
check_eq "$L: the integration is AWS_PROXY to $PREFIX-api" \
    "AWS_PROXY POST arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:$PREFIX-api/invocations" \
    "$(aws_ apigateway get-integration --rest-api-id "$API" --output text --query '[type, httpMethod, uri]' \
        --resource-id "$(aws_ apigateway get-resources --rest-api-id "$API" \
            --query 'items[?path==`/notas/{id}`].id' --output text 2>&1)" \
        --http-method GET 2>&1 | tr '\t' ' ')"
check_eq "$L: stage dev is deployed" "dev" \
    "$(aws_ apigateway get-stages --rest-api-id "$API" --query 'item[].stageName' --output text 2>&1)"

# A file without the .json suffix first: the filter must leave it alone, so
# once notas.json's invoices are in, there are exactly 10.
printf '[{"id": "TXT-1", "valor": 1}]' >notas.txt
check "$L: s3 cp of a .txt file" aws_ s3 cp notas.txt "s3://$BUCKET/in/notas.txt"
check "$L: s3 cp notas.json" aws_ s3 cp "$EX/notas.json" "s3://$BUCKET/in/notas.json"
check_eq "$L: the upload's 10 invoices reach DynamoDB (and not the .txt)" 10 "$(count_items 10)"
check_eq "$L: NF-1 keeps its exact decimal value and its cliente" "1500.75 Padaria Central" \
    "$(aws_ dynamodb get-item --table-name "$TABLE" --key '{"id": {"S": "NF-1"}}' --output text \
        --query '[Item.valor.N, Item.cliente.S]' 2>&1 | tr '\t' ' ')"
check_eq "$L: NF-7 keeps its exact decimal value" "45210.99" \
    "$(aws_ dynamodb get-item --table-name "$TABLE" --key '{"id": {"S": "NF-7"}}' \
        --query Item.valor.N --output text 2>&1)"
# A key with a space: the event's key is URL-encoded, the handler decodes it.
check "$L: s3 cp the single-invoice file" aws_ s3 cp "$EX/nota-avulsa.json" \
    "s3://$BUCKET/in/nota avulsa.json"
check_eq "$L: the single-invoice file adds one more" 11 "$(count_items 11)"
check_eq "$L: NF-11 from the single-invoice file" "NF-11 215.35" \
    "$(aws_ dynamodb get-item --table-name "$TABLE" --key '{"id": {"S": "NF-11"}}' --output text \
        --query '[Item.id.S, Item.valor.N]' 2>&1 | tr '\t' ' ')"
check_eq "$L: the .txt upload was not imported" "None" \
    "$(aws_ dynamodb get-item --table-name "$TABLE" --key '{"id": {"S": "TXT-1"}}' \
        --query Item.id.S --output text 2>&1)"

EXPECTED=$(seq 1 11 | sed 's/^/NF-/' | paste -sd, -)
api_checks "$L" path
api_checks "$L" host

out=$(AWS=$AWS ENDPOINT=$EP PREFIX=$PREFIX BUCKET=$BUCKET TABLE=$TABLE bash "$EX/demo.sh" 2>&1)
st=$?
check_eq "$L: demo.sh exits 0" 0 "$st"
check_match "$L: demo.sh prints the scan" '\|  NF-1 +\|  Padaria Central' "$out"
check_match "$L: demo.sh's POST through the host form is 201" '^\(HTTP 201\)$' "$out"
check_match "$L: demo.sh's GET of NF-12 through the host form" '"id": "NF-12"' "$out"
check_match "$L: demo.sh's garbage POST is 400" '^\(HTTP 400\)$' "$out"

# --- again on a tinystack of our own, across a restart -------------------

if [ -n "${TINYSTACK_ENDPOINT:-}" ]; then
    echo "skip: $CLI_LABEL: the restart half needs a tinystack binary of its own (run.sh was given TINYSTACK_ENDPOINT=$TINYSTACK_ENDPOINT)" >&2
    exit 0
fi

BIN=${TINYSTACK_BIN:-build/rel/tinystack}
case $BIN in /*) ;; *) BIN=$ROOT/$BIN ;; esac
DATA=$WORK/data
MYPID=""
trap 'if [ -n "$MYPID" ]; then kill -KILL "$MYPID" 2>/dev/null; fi' EXIT
MYPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# start_own LOG: starts BIN on MYPORT and DATA; 0 once it printed Ready.
start_own() {
    "$BIN" --port "$MYPORT" --data-dir "$DATA" </dev/null >/dev/null 2>"$1" &
    MYPID=$!
    for _ in $(seq 1 200); do   # 10 s
        grep -qx 'Ready\.' "$1" 2>/dev/null && return 0
        kill -0 "$MYPID" 2>/dev/null || break
        sleep 0.05
    done
    return 1
}

# stop_own: SIGTERM, then sets STOPPED to the exit status (not in $(...):
# only this shell can wait for its child).
stop_own() {
    kill -TERM "$MYPID" 2>/dev/null
    wait "$MYPID" 2>/dev/null
    STOPPED=$?
    MYPID=""
}

L=restart
if ! start_own own1.log; then
    fail "$L: a tinystack of our own starts on a data dir" "$(tail -n 20 own1.log)"
    exit 0
fi
pass "$L: a tinystack of our own starts on a data dir"
EP=http://127.0.0.1:$MYPORT
PREFIX=persist-$S
BUCKET=$(unique_bucket notas-persist)
TABLE=persist-$S
setup_example "$L"
check "$L: s3 cp notas.json" aws_ s3 cp "$EX/notas.json" "s3://$BUCKET/notas.json"
check_eq "$L: the upload's 10 invoices reach DynamoDB" 10 "$(count_items 10)"
check_eq "$L: GET /notas through the API before the restart" 200 "$(call path GET /notas)"
stop_own
check_eq "$L: tinystack exits 0 on SIGTERM" 0 "$STOPPED"

if ! start_own own2.log; then
    fail "$L: tinystack starts again on the same data dir" "$(tail -n 20 own2.log)"
    exit 0
fi
pass "$L: tinystack starts again on the same data dir"
L="after restart"
check_eq "$L: the 10 invoices are still there" 10 "$(count_items 10)"
check_eq "$L: NF-1's value is still exact" "1500.75" \
    "$(aws_ dynamodb get-item --table-name "$TABLE" --key '{"id": {"S": "NF-1"}}' \
        --query Item.valor.N --output text 2>&1)"
check "$L: the bucket is still there" aws_ s3api head-bucket --bucket "$BUCKET"
check_match "$L: notas.json is still in the bucket" "notas\.json" \
    "$(aws_ s3 ls "s3://$BUCKET/" 2>&1)"
for fn in import api; do
    check_eq "$L: function $PREFIX-$fn is still Active with TABLE" "Active $TABLE" \
        "$(aws_ lambda get-function --function-name "$PREFIX-$fn" --output text --query \
            '[Configuration.State, Configuration.Environment.Variables.TABLE]' 2>&1 | tr '\t' ' ')"
done
check_match "$L: the role is still there" "role/$PREFIX-lambda-role$" \
    "$(aws_ iam get-role --role-name "$PREFIX-lambda-role" --query Role.Arn --output text 2>&1)"
check_match "$L: the notification configuration is still there" "function:$PREFIX-import" \
    "$(aws_ s3api get-bucket-notification-configuration --bucket "$BUCKET" \
        --query 'LambdaFunctionConfigurations[0].LambdaFunctionArn' --output text 2>&1)"
check "$L: s3 cp the single-invoice file" aws_ s3 cp "$EX/nota-avulsa.json" \
    "s3://$BUCKET/nota-avulsa.json"
check_eq "$L: the trigger still imports: NF-11 arrives" NF-11 "$(wait_item NF-11)"
EXPECTED=$(seq 1 11 | sed 's/^/NF-/' | paste -sd, -)
api_checks "$L" path
api_checks "$L" host
stop_own
check_eq "$L: tinystack exits 0 on SIGTERM" 0 "$STOPPED"
exit 0
