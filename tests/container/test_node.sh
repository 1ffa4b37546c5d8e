#!/usr/bin/env bash
# test_node.sh - Node.js handlers in the container use the AWS SDK for
# JavaScript v3 the image carries, as on AWS's nodejs runtimes, without
# bundling it: one CommonJS handler (`require('@aws-sdk/client-s3')`) and
# one ES-module handler (`import ... from '@aws-sdk/client-s3'`, with
# lib-dynamodb and client-sts), zipped and invoked through the container.
# Run by tests/container/run.sh; counts into $CLI_RESULTS (tests/cli/lib.sh).
set -u
. "$(dirname "$0")/../cli/lib.sh"
cd "$WORK" || exit 1

S=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
aws_() { $AWS --endpoint-url "$ENDPOINT" "$@"; }
BUCKET=$(unique_bucket node-sdk)
TABLE=node-sdk-$S
ROLE=arn:aws:iam::000000000000:role/lambda-role

mkdir -p src
cat >src/cjs.js <<'JS'
const { S3Client, PutObjectCommand, GetObjectCommand } = require('@aws-sdk/client-s3');

const s3 = new S3Client({ forcePathStyle: true });

exports.handler = async (event) => {
  await s3.send(new PutObjectCommand({ Bucket: event.bucket, Key: 'from-cjs.txt', Body: 'written by require' }));
  const got = await s3.send(new GetObjectCommand({ Bucket: event.bucket, Key: 'from-cjs.txt' }));
  return {
    body: await got.Body.transformToString(),
    sdk: require('@aws-sdk/client-s3/package.json').version,
    node: process.version,
  };
};
JS
cat >src/esm.mjs <<'JS'
import { S3Client, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';

const s3 = new S3Client({ forcePathStyle: true });
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (event) => {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: event.bucket }));
  await ddb.send(new PutCommand({ TableName: event.table, Item: { id: 'esm', n: 42 } }));
  const { Item } = await ddb.send(new GetCommand({ TableName: event.table, Key: { id: 'esm' } }));
  const who = await new STSClient({}).send(new GetCallerIdentityCommand({}));
  return { keys: (listed.Contents || []).map((o) => o.Key), n: Item.n, account: who.Account };
};
JS
(cd src && python3 -c "
import zipfile
with zipfile.ZipFile('../function.zip', 'w') as z:
    z.write('cjs.js'); z.write('esm.mjs')")

check "s3 mb for the Node handlers" aws_ s3 mb "s3://$BUCKET"
check "dynamodb create-table for the Node handlers" aws_ dynamodb create-table --table-name "$TABLE" \
    --attribute-definitions AttributeName=id,AttributeType=S \
    --key-schema AttributeName=id,KeyType=HASH --billing-mode PAY_PER_REQUEST

for fn in cjs esm; do
    check_eq "lambda create-function node-$fn" "Pending" \
        "$(aws_ lambda create-function --function-name "node-$fn-$S" --runtime nodejs20.x \
            --handler "$fn.handler" --role "$ROLE" --zip-file fileb://function.zip \
            --timeout 30 --query State --output text 2>&1)"
    check "lambda wait function-active-v2 node-$fn" aws_ lambda wait function-active-v2 \
        --function-name "node-$fn-$S"
done

printf '{"bucket": "%s", "table": "%s"}' "$BUCKET" "$TABLE" >event.json
aws_ lambda invoke --function-name "node-cjs-$S" --payload fileb://event.json cjs.json >cjs.txt 2>&1
check_match "a CommonJS handler's require('@aws-sdk/client-s3') writes and reads an object" \
    '"body": *"written by require"' "$(cat cjs.json 2>&1)"
check_match "the handler gets the image's SDK (3.967.0)" '"sdk": *"3\.967\.0"' "$(cat cjs.json 2>&1)"
check_match "the CommonJS invoke did not fail" '"StatusCode": 200' "$(cat cjs.txt)"
if grep -q FunctionError cjs.txt; then fail "the CommonJS handler raised no error" "$(cat cjs.json)"; fi

aws_ lambda invoke --function-name "node-esm-$S" --payload fileb://event.json esm.json >esm.txt 2>&1
check_match "an ES-module handler's import from @aws-sdk/client-s3 lists the bucket" \
    '"keys": *\[ *"from-cjs.txt" *\]' "$(cat esm.json 2>&1)"
check_match "an ES-module handler's lib-dynamodb put and get" '"n": *42' "$(cat esm.json 2>&1)"
check_match "an ES-module handler's client-sts GetCallerIdentity" '"account": *"000000000000"' \
    "$(cat esm.json 2>&1)"
if grep -q FunctionError esm.txt; then fail "the ES-module handler raised no error" "$(cat esm.json)"; fi
