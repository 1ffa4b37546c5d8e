#!/usr/bin/env bash
# test_dynamodb.sh - DynamoDB through the aws CLI, typed as a user types it.
# Run by tests/cli/run.sh, which sets ENDPOINT, AWS, WORK and the credentials.
set -u
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1
reset_server

ddb() { $AWS --endpoint-url "$ENDPOINT" dynamodb "$@"; }
T=cli-invoices

# ---- tables
out=$(ddb create-table --table-name "$T" \
    --attribute-definitions AttributeName=id,AttributeType=S AttributeName=customer,AttributeType=S \
    --key-schema AttributeName=id,KeyType=HASH \
    --billing-mode PAY_PER_REQUEST \
    --global-secondary-indexes 'IndexName=by-customer,KeySchema=[{AttributeName=customer,KeyType=HASH}],Projection={ProjectionType=ALL}' \
    2>&1)
check_match "create-table answers the table description" "\"TableName\": \"$T\"" "$out"
check "wait table-exists" ddb wait table-exists --table-name "$T"
check_eq "describe-table says ACTIVE" "ACTIVE" \
    "$(ddb describe-table --table-name "$T" --query Table.TableStatus --output text 2>&1)"
check_eq "describe-table gives the ARN" "arn:aws:dynamodb:us-east-1:000000000000:table/$T" \
    "$(ddb describe-table --table-name "$T" --query Table.TableArn --output text 2>&1)"
check_eq "describe-table lists the GSI" "by-customer" \
    "$(ddb describe-table --table-name "$T" --query 'Table.GlobalSecondaryIndexes[0].IndexName' --output text 2>&1)"
check_match "list-tables shows it" "\"$T\"" "$(ddb list-tables 2>&1)"
check_fails "create-table again fails with ResourceInUseException" ResourceInUseException \
    ddb create-table --table-name "$T" --attribute-definitions AttributeName=id,AttributeType=S \
    --key-schema AttributeName=id,KeyType=HASH --billing-mode PAY_PER_REQUEST

# ---- items
check "put-item" ddb put-item --table-name "$T" \
    --item '{"id": {"S": "INV-1"}, "customer": {"S": "acme"}, "total": {"N": "120.50"}, "status": {"S": "PENDING"}}'
check "put-item with a condition" ddb put-item --table-name "$T" \
    --item '{"id": {"S": "INV-2"}, "customer": {"S": "acme"}, "total": {"N": "80"}, "status": {"S": "PAID"}}' \
    --condition-expression 'attribute_not_exists(id)'
check_fails "put-item whose condition fails gives ConditionalCheckFailedException" \
    ConditionalCheckFailedException ddb put-item --table-name "$T" \
    --item '{"id": {"S": "INV-2"}}' --condition-expression 'attribute_not_exists(id)'
check_eq "get-item returns the item" "acme 120.5" \
    "$(ddb get-item --table-name "$T" --key '{"id": {"S": "INV-1"}}' \
        --query '[Item.customer.S, Item.total.N]' --output text 2>&1 | tr '\t' ' ')"
check_eq "get-item of a missing key prints nothing" "" \
    "$(ddb get-item --table-name "$T" --key '{"id": {"S": "nope"}}' 2>&1)"

cat >batch.json <<EOF
{"$T": [
  {"PutRequest": {"Item": {"id": {"S": "INV-3"}, "customer": {"S": "globex"}, "total": {"N": "999.99"}, "status": {"S": "PENDING"}}}},
  {"PutRequest": {"Item": {"id": {"S": "INV-4"}, "customer": {"S": "acme"}, "total": {"N": "45"}, "status": {"S": "PENDING"}}}},
  {"PutRequest": {"Item": {"id": {"S": "INV-5"}, "customer": {"S": "initech"}, "total": {"N": "300"}, "status": {"S": "PAID"}}}}
]}
EOF
out=$(ddb batch-write-item --request-items file://batch.json 2>&1)
check_match "batch-write-item leaves nothing unprocessed" '"UnprocessedItems": \{\}' "$out"

check_eq "query on the GSI" "3" \
    "$(ddb query --table-name "$T" --index-name by-customer \
        --key-condition-expression 'customer = :c' \
        --expression-attribute-values '{":c": {"S": "acme"}}' --query Count --output text 2>&1)"
check_eq "query on the table key" "INV-3" \
    "$(ddb query --table-name "$T" --key-condition-expression 'id = :id' \
        --expression-attribute-values '{":id": {"S": "INV-3"}}' --query 'Items[0].id.S' --output text 2>&1)"
check_eq "scan counts every item" "5" "$(ddb scan --table-name "$T" --query Count --output text 2>&1)"
check_eq "scan with a filter" "INV-2 INV-5" \
    "$(ddb scan --table-name "$T" --filter-expression '#s = :p' \
        --expression-attribute-names '{"#s": "status"}' \
        --expression-attribute-values '{":p": {"S": "PAID"}}' \
        --query 'Items[].id.S' --output text 2>&1 | tr '\t' '\n' | sort | tr '\n' ' ' | sed 's/ $//')"
check_eq "scan paginates by itself with --page-size" "5" \
    "$(ddb scan --table-name "$T" --page-size 2 --query 'Items[].id.S' --output text 2>&1 | wc -w | tr -d ' ')"

check_eq "update-item with a condition returns the new values" "PAID" \
    "$(ddb update-item --table-name "$T" --key '{"id": {"S": "INV-1"}}' \
        --update-expression 'SET #s = :paid' --condition-expression '#s = :pending' \
        --expression-attribute-names '{"#s": "status"}' \
        --expression-attribute-values '{":paid": {"S": "PAID"}, ":pending": {"S": "PENDING"}}' \
        --return-values UPDATED_NEW --query Attributes.status.S --output text 2>&1)"
check_fails "update-item whose condition fails" ConditionalCheckFailedException \
    ddb update-item --table-name "$T" --key '{"id": {"S": "INV-1"}}' \
    --update-expression 'SET #s = :paid' --condition-expression '#s = :pending' \
    --expression-attribute-names '{"#s": "status"}' \
    --expression-attribute-values '{":paid": {"S": "PAID"}, ":pending": {"S": "PENDING"}}'
check_eq "delete-item returns the old item" "INV-4" \
    "$(ddb delete-item --table-name "$T" --key '{"id": {"S": "INV-4"}}' --return-values ALL_OLD \
        --query Attributes.id.S --output text 2>&1)"
check_eq "the deleted item is gone" "4" "$(ddb scan --table-name "$T" --query Count --output text 2>&1)"

# ---- errors
check_fails "get-item on a missing table fails with ResourceNotFoundException" ResourceNotFoundException \
    ddb get-item --table-name no-such-table --key '{"id": {"S": "x"}}'
check_fails "a reserved word in an expression fails with ValidationException" ValidationException \
    ddb scan --table-name "$T" --filter-expression 'status = :p' \
    --expression-attribute-values '{":p": {"S": "PAID"}}'
check_fails "a key of the wrong type fails with ValidationException" ValidationException \
    ddb put-item --table-name "$T" --item '{"id": {"N": "1"}}'

# ---- delete the table
check "delete-table" ddb delete-table --table-name "$T"
check "wait table-not-exists" ddb wait table-not-exists --table-name "$T"
check_fails "describe-table after delete-table fails with ResourceNotFoundException" \
    ResourceNotFoundException ddb describe-table --table-name "$T"
check_eq "list-tables no longer shows it" "0" \
    "$(ddb list-tables --query "length(TableNames[?@ == '$T'])" --output text 2>&1)"
