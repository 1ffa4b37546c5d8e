#!/usr/bin/env bash
# test_s3.sh - S3 through the aws CLI, typed as a user types it.
# Run by tests/cli/run.sh, which sets ENDPOINT, AWS, WORK and the credentials.
set -u
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1
reset_server

B=$(unique_bucket cli)
MiB=1048576

# ---- buckets
out=$($AWS --endpoint-url "$ENDPOINT" s3 mb "s3://$B" 2>&1)
check_match "s3 mb makes a bucket" "^make_bucket: $B\$" "$out"
check_match "s3 ls lists it" " $B\$" "$($AWS --endpoint-url "$ENDPOINT" s3 ls 2>&1)"
check "s3api head-bucket" $AWS --endpoint-url "$ENDPOINT" s3api head-bucket --bucket "$B"
check_fails "s3 mb with a bad name fails with InvalidBucketName" InvalidBucketName \
    $AWS --endpoint-url "$ENDPOINT" s3 mb s3://Bad_Name
check_fails "s3api create-bucket with a bad name fails" InvalidBucketName \
    $AWS --endpoint-url "$ENDPOINT" s3api create-bucket --bucket ab
check_fails "s3 ls of a missing bucket fails with NoSuchBucket" NoSuchBucket \
    $AWS --endpoint-url "$ENDPOINT" s3 ls "s3://$B-missing"

# ---- s3 cp up and down
printf 'hello from the cli\n' >hello.txt
out=$($AWS --endpoint-url "$ENDPOINT" s3 cp hello.txt "s3://$B/hello.txt" --no-progress 2>&1)
check_match "s3 cp uploads" "^upload: \.?/?hello\.txt to s3://$B/hello\.txt" "$out"
check "s3 cp downloads" $AWS --endpoint-url "$ENDPOINT" s3 cp "s3://$B/hello.txt" hello.out
check "downloaded file equals the uploaded one" cmp hello.txt hello.out
check_match "s3 ls shows the object and its size" "^[0-9-]+ [0-9:]+ +19 hello\.txt\$" \
    "$($AWS --endpoint-url "$ENDPOINT" s3 ls "s3://$B/" 2>&1)"
check_eq "s3 cp to stdout" "hello from the cli" \
    "$($AWS --endpoint-url "$ENDPOINT" s3 cp "s3://$B/hello.txt" - 2>&1)"
printf 'streamed\n' | $AWS --endpoint-url "$ENDPOINT" s3 cp - "s3://$B/from-stdin.txt" >/dev/null 2>&1
check_eq "s3 cp from stdin" "streamed" \
    "$($AWS --endpoint-url "$ENDPOINT" s3 cp "s3://$B/from-stdin.txt" - 2>&1)"

printf '{"a": 1}\n' >"my file + more.json"
check "s3 cp with a content type and a special name" $AWS --endpoint-url "$ENDPOINT" s3 cp \
    "my file + more.json" "s3://$B/dir/my file + more.json" --content-type application/json
check_eq "the content type was kept" "application/json" \
    "$($AWS --endpoint-url "$ENDPOINT" s3api head-object --bucket "$B" --key "dir/my file + more.json" \
        --query ContentType --output text 2>&1)"
check "s3 mv within the bucket" $AWS --endpoint-url "$ENDPOINT" s3 mv \
    "s3://$B/dir/my file + more.json" "s3://$B/moved/renamed.json"
check_fails "s3 mv removed the source" "404" $AWS --endpoint-url "$ENDPOINT" s3api head-object \
    --bucket "$B" --key "dir/my file + more.json"
check_eq "s3 mv target has the content" '{"a": 1}' \
    "$($AWS --endpoint-url "$ENDPOINT" s3 cp "s3://$B/moved/renamed.json" - 2>&1)"

# ---- s3 sync and rm --recursive
mkdir -p tree/a/b tree/c
for f in top.txt a/one.txt a/b/two.txt c/three.txt "c/with space.txt"; do
    printf 'content of %s\n' "$f" >"tree/$f"
done
out=$($AWS --endpoint-url "$ENDPOINT" s3 sync tree "s3://$B/sync/" --no-progress 2>&1)
check_eq "s3 sync uploads every file" 5 "$(printf '%s\n' "$out" | grep -c '^upload:')"
check_eq "s3 ls --recursive sees them" 5 \
    "$($AWS --endpoint-url "$ENDPOINT" s3 ls --recursive "s3://$B/sync/" 2>&1 | grep -c .)"
out=$($AWS --endpoint-url "$ENDPOINT" s3 sync tree "s3://$B/sync/" --no-progress 2>&1)
check_eq "a second s3 sync uploads nothing" 0 "$(printf '%s\n' "$out" | grep -c '^upload:')"
sleep 1
printf 'changed, and longer than before\n' >tree/a/one.txt
out=$($AWS --endpoint-url "$ENDPOINT" s3 sync tree "s3://$B/sync/" --no-progress 2>&1)
check_match "s3 sync uploads the changed file" "^upload: .*a/one\.txt to s3://$B/sync/a/one\.txt" "$out"
check_eq "... and only it" 1 "$(printf '%s\n' "$out" | grep -c '^upload:')"
check "s3 sync downloads" $AWS --endpoint-url "$ENDPOINT" s3 sync "s3://$B/sync/" tree2
check "the downloaded tree equals the local one" diff -r tree tree2
rm tree/c/three.txt
out=$($AWS --endpoint-url "$ENDPOINT" s3 sync tree "s3://$B/sync/" --delete --no-progress 2>&1)
check_match "s3 sync --delete deletes" "^delete: s3://$B/sync/c/three\.txt" "$out"
out=$($AWS --endpoint-url "$ENDPOINT" s3 rm "s3://$B/sync/" --recursive --only-show-errors 2>&1; $AWS --endpoint-url "$ENDPOINT" s3 ls --recursive "s3://$B/sync/" 2>&1)
check_eq "s3 rm --recursive deletes every object" "" "$out"
check_eq "nothing is left under the prefix" 0 \
    "$($AWS --endpoint-url "$ENDPOINT" s3api list-objects-v2 --bucket "$B" --prefix sync/ \
        --no-paginate --query KeyCount --output text 2>&1)"

# ---- s3api
printf '{"id": 42}\n' >obj.json
out=$($AWS --endpoint-url "$ENDPOINT" s3api put-object --bucket "$B" --key api/obj.json \
    --body obj.json --content-type application/json --metadata owner=cli,purpose=test 2>&1)
check_match "s3api put-object answers the ETag" "\"ETag\": \"\\\\\"$(md5sum obj.json | cut -d' ' -f1)\\\\\"\"" "$out"
out=$($AWS --endpoint-url "$ENDPOINT" s3api get-object --bucket "$B" --key api/obj.json obj.out 2>&1)
check "s3api get-object writes the body" cmp obj.json obj.out
check_match "s3api get-object shows the metadata" '"owner": "cli"' "$out"
check_eq "s3api list-objects-v2 with --prefix and --query" "api/obj.json" \
    "$($AWS --endpoint-url "$ENDPOINT" s3api list-objects-v2 --bucket "$B" --prefix api/ \
        --query 'Contents[].Key' --output text 2>&1)"
mkdir paged && for i in 1 2 3 4 5 6 7; do printf '%s' "$i" >"paged/k$i"; done
$AWS --endpoint-url "$ENDPOINT" s3 sync paged "s3://$B/paged/" --only-show-errors
check_eq "s3api list-objects-v2 pages through small pages" 7 \
    "$($AWS --endpoint-url "$ENDPOINT" s3api list-objects-v2 --bucket "$B" --prefix paged/ \
        --page-size 2 --query 'Contents[].Key' --output text 2>&1 | wc -w)"
check_eq "s3api list-objects (v1) pages too" 7 \
    "$($AWS --endpoint-url "$ENDPOINT" s3api list-objects --bucket "$B" --prefix paged/ \
        --page-size 3 --query 'Contents[].Key' --output text 2>&1 | wc -w)"
check_eq "s3api list-objects-v2 --delimiter gives common prefixes" "api/ moved/ paged/" \
    "$($AWS --endpoint-url "$ENDPOINT" s3api list-objects-v2 --bucket "$B" --delimiter / \
        --query 'CommonPrefixes[].Prefix' --output text 2>&1 | tr '\t' ' ')"
check_eq "... and the top-level keys" "from-stdin.txt hello.txt" \
    "$($AWS --endpoint-url "$ENDPOINT" s3api list-objects-v2 --bucket "$B" --delimiter / \
        --query 'Contents[].Key' --output text 2>&1 | tr '\t' ' ')"
check "s3api put-object-tagging" $AWS --endpoint-url "$ENDPOINT" s3api put-object-tagging \
    --bucket "$B" --key api/obj.json --tagging 'TagSet=[{Key=env,Value=test}]'
check_eq "s3api get-object-tagging" "env	test" \
    "$($AWS --endpoint-url "$ENDPOINT" s3api get-object-tagging --bucket "$B" --key api/obj.json \
        --query 'TagSet[0].[Key,Value]' --output text 2>&1)"
check_eq "s3api copy-object" "$(md5sum obj.json | cut -d' ' -f1)" \
    "$($AWS --endpoint-url "$ENDPOINT" s3api copy-object --bucket "$B" --key api/copy.json \
        --copy-source "$B/api/obj.json" --query CopyObjectResult.ETag --output text 2>&1 | tr -d '"')"

# ---- errors: non-zero exit, AWS's code on stderr
check_fails "get-object of a missing key fails with NoSuchKey" NoSuchKey \
    $AWS --endpoint-url "$ENDPOINT" s3api get-object --bucket "$B" --key nope missing.out
check_fails "head-object of a missing key fails with 404" "404" \
    $AWS --endpoint-url "$ENDPOINT" s3api head-object --bucket "$B" --key nope
check_fails "get-object in a missing bucket fails with NoSuchBucket" NoSuchBucket \
    $AWS --endpoint-url "$ENDPOINT" s3api get-object --bucket "$B-missing" --key k missing.out
check_fails "s3 cp of a missing key fails" "404" \
    $AWS --endpoint-url "$ENDPOINT" s3 cp "s3://$B/nope" missing.out
check_fails "delete-bucket of a non-empty bucket fails with BucketNotEmpty" BucketNotEmpty \
    $AWS --endpoint-url "$ENDPOINT" s3api delete-bucket --bucket "$B"
check_fails "s3 rb of a non-empty bucket fails with BucketNotEmpty" BucketNotEmpty \
    $AWS --endpoint-url "$ENDPOINT" s3 rb "s3://$B"

# ---- presign
url=$($AWS --endpoint-url "$ENDPOINT" s3 presign "s3://$B/hello.txt" --expires-in 300 2>&1)
check_eq "s3 presign gives a URL that curl can GET" "hello from the cli" "$(curl -s "$url")"

# ---- 100 MiB up and back
head -c $((100 * MiB)) /dev/urandom >big.bin
check "s3 cp uploads 100 MiB" $AWS --endpoint-url "$ENDPOINT" s3 cp big.bin "s3://$B/big/big.bin" --no-progress
check_eq "the 100 MiB object has the right size" $((100 * MiB)) \
    "$($AWS --endpoint-url "$ENDPOINT" s3api head-object --bucket "$B" --key big/big.bin \
        --query ContentLength --output text 2>&1)"
check "s3 cp downloads 100 MiB" $AWS --endpoint-url "$ENDPOINT" s3 cp "s3://$B/big/big.bin" big.out --no-progress
check "the 100 MiB download equals the upload" cmp big.bin big.out
rm -f big.bin big.out

# ---- rb --force
check "s3 rb --force empties and removes the bucket" $AWS --endpoint-url "$ENDPOINT" s3 rb "s3://$B" --force
check_fails "the bucket is gone" "404" $AWS --endpoint-url "$ENDPOINT" s3api head-bucket --bucket "$B"
exit 0
