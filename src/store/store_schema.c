/*
 * store_schema.c - the schema, as a list of migrations.  PRAGMA
 * user_version holds how many have run; each new one runs in its own
 * transaction at first open.  Never edit a migration that has shipped:
 * append a new one.
 */
#include "store_int.h"

const char *const store_migrations[] = {
    /* 1: blobs and S3 */
    "CREATE TABLE blob(id INTEGER PRIMARY KEY, size INTEGER NOT NULL DEFAULT 0,"
    "  refs INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE chunk(id INTEGER PRIMARY KEY, data BLOB NOT NULL);"
    "CREATE TABLE s3_bucket(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    "  region TEXT NOT NULL, created INTEGER NOT NULL,"
    "  versioning INTEGER NOT NULL DEFAULT 0, tagging TEXT, cors TEXT,"
    "  config TEXT);"
    /* One row per object version; is_latest marks the current one. */
    "CREATE TABLE s3_object(id INTEGER PRIMARY KEY, bucket_id INTEGER NOT NULL,"
    "  key TEXT NOT NULL, version_id TEXT NOT NULL DEFAULT 'null',"
    "  is_latest INTEGER NOT NULL, delete_marker INTEGER NOT NULL DEFAULT 0,"
    "  size INTEGER NOT NULL DEFAULT 0, etag TEXT, modified INTEGER NOT NULL,"
    "  blobs TEXT, meta TEXT, tagging TEXT, checksum TEXT,"
    "  parts INTEGER NOT NULL DEFAULT 0, storage_class TEXT);"
    "CREATE UNIQUE INDEX s3_object_latest ON s3_object(bucket_id, key)"
    "  WHERE is_latest = 1;"
    "CREATE INDEX s3_object_versions ON s3_object(bucket_id, key, id);"
    "CREATE TABLE s3_upload(id INTEGER PRIMARY KEY, upload_id TEXT NOT NULL UNIQUE,"
    "  bucket_id INTEGER NOT NULL, key TEXT NOT NULL, created INTEGER NOT NULL,"
    "  meta TEXT, tagging TEXT, checksum_algo TEXT, storage_class TEXT);"
    "CREATE INDEX s3_upload_key ON s3_upload(bucket_id, key, created);"
    "CREATE TABLE s3_part(upload INTEGER NOT NULL, num INTEGER NOT NULL,"
    "  size INTEGER NOT NULL, etag TEXT NOT NULL, blob_id INTEGER NOT NULL,"
    "  modified INTEGER NOT NULL, checksum TEXT, PRIMARY KEY(upload, num));"
    "CREATE TABLE outbox(id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
    "  created INTEGER NOT NULL, payload TEXT NOT NULL);",
    /* 2: DynamoDB.  Keys are stored in ddb_key_encode()'s order-preserving
     * form, so a sort-key range is a range of the primary key here. */
    "CREATE TABLE ddb_table(id INTEGER PRIMARY KEY, region TEXT NOT NULL,"
    "  name TEXT NOT NULL, created INTEGER NOT NULL, desc TEXT NOT NULL,"
    "  ttl_attr TEXT, tags TEXT, item_count INTEGER NOT NULL DEFAULT 0,"
    "  size_bytes INTEGER NOT NULL DEFAULT 0, UNIQUE(region, name));"
    "CREATE TABLE ddb_item(table_id INTEGER NOT NULL, hk BLOB NOT NULL,"
    "  rk BLOB NOT NULL, item TEXT NOT NULL, size INTEGER NOT NULL,"
    "  expires INTEGER, PRIMARY KEY(table_id, hk, rk)) WITHOUT ROWID;"
    "CREATE INDEX ddb_item_expires ON ddb_item(expires) WHERE expires IS NOT NULL;"
    "CREATE TABLE ddb_index(table_id INTEGER NOT NULL, idx TEXT NOT NULL,"
    "  hk BLOB NOT NULL, rk BLOB NOT NULL, thk BLOB NOT NULL, trk BLOB NOT NULL,"
    "  PRIMARY KEY(table_id, idx, hk, rk, thk, trk)) WITHOUT ROWID;",
    /* 3: DynamoDB table ids are never handed out again (AUTOINCREMENT),
     * so nothing keyed by a deleted table's id can surface in a new one;
     * rows a deleted table left behind (writes that raced DeleteTable
     * before writes loaded their table inside their transaction) go. */
    "CREATE TABLE ddb_table_v3(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  region TEXT NOT NULL, name TEXT NOT NULL, created INTEGER NOT NULL,"
    "  desc TEXT NOT NULL, ttl_attr TEXT, tags TEXT,"
    "  item_count INTEGER NOT NULL DEFAULT 0,"
    "  size_bytes INTEGER NOT NULL DEFAULT 0, UNIQUE(region, name));"
    "INSERT INTO ddb_table_v3(id, region, name, created, desc, ttl_attr, tags,"
    "  item_count, size_bytes) SELECT id, region, name, created, desc,"
    "  ttl_attr, tags, item_count, size_bytes FROM ddb_table;"
    "DROP TABLE ddb_table;"
    "ALTER TABLE ddb_table_v3 RENAME TO ddb_table;"
    "DELETE FROM ddb_item WHERE table_id NOT IN (SELECT id FROM ddb_table);"
    "DELETE FROM ddb_index WHERE table_id NOT IN (SELECT id FROM ddb_table);",
    /* 4: TransactWriteItems ClientRequestTokens of the last 10 minutes,
     * with the SHA-256 of the transaction they ran. */
    "CREATE TABLE ddb_txn_token(region TEXT NOT NULL, token TEXT NOT NULL,"
    "  digest BLOB NOT NULL, created INTEGER NOT NULL,"
    "  PRIMARY KEY(region, token)) WITHOUT ROWID;"
    "CREATE INDEX ddb_txn_token_created ON ddb_txn_token(created);",
    /* 5: blob and bucket ids are never reused (AUTOINCREMENT).  A read
     * that streams a blob deleted meanwhile finds no chunks instead of a
     * newer blob's, and rows a deleted bucket left behind never show in
     * a new one.  The sequences start past every id still mentioned. */
    "CREATE TABLE blob_v3(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  size INTEGER NOT NULL DEFAULT 0, refs INTEGER NOT NULL DEFAULT 0);"
    "INSERT INTO blob_v3(id, size, refs) SELECT id, size, refs FROM blob;"
    "DROP TABLE blob;"
    "ALTER TABLE blob_v3 RENAME TO blob;"
    "CREATE TABLE s3_bucket_v3(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  name TEXT NOT NULL UNIQUE, region TEXT NOT NULL, created INTEGER NOT NULL,"
    "  versioning INTEGER NOT NULL DEFAULT 0, tagging TEXT, cors TEXT, config TEXT);"
    "INSERT INTO s3_bucket_v3(id, name, region, created, versioning, tagging, cors,"
    "  config) SELECT id, name, region, created, versioning, tagging, cors, config"
    "  FROM s3_bucket;"
    "DROP TABLE s3_bucket;"
    "ALTER TABLE s3_bucket_v3 RENAME TO s3_bucket;"
    "DELETE FROM sqlite_sequence WHERE name IN ('blob', 's3_bucket', 'blob_v3',"
    "  's3_bucket_v3');"
    "INSERT INTO sqlite_sequence(name, seq) SELECT 'blob', max("
    "  (SELECT coalesce(max(id), 0) FROM blob),"
    "  (SELECT coalesce(max(id >> 20), 0) FROM chunk));"
    "INSERT INTO sqlite_sequence(name, seq) SELECT 's3_bucket', max("
    "  (SELECT coalesce(max(id), 0) FROM s3_bucket),"
    "  (SELECT coalesce(max(bucket_id), 0) FROM s3_object),"
    "  (SELECT coalesce(max(bucket_id), 0) FROM s3_upload));"
    /* Completed multipart uploads, kept a while so that a retried
     * CompleteMultipartUpload gets the answer the first one got. */
    "CREATE TABLE s3_completed(upload_id TEXT PRIMARY KEY, bucket_id INTEGER NOT NULL,"
    "  key TEXT NOT NULL, etag TEXT NOT NULL, version_id TEXT,"
    "  completed INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX s3_completed_age ON s3_completed(completed);",
    /* 6: IAM roles, per account, and the managed policies attached to
     * them (ARNs only: there is no policy engine).  Role ids are never
     * reused (AUTOINCREMENT), so an attachment a deleted role left behind
     * never shows on a new one. */
    "CREATE TABLE iam_role(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  account TEXT NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL,"
    "  role_id TEXT NOT NULL UNIQUE, arn TEXT NOT NULL,"
    "  create_date INTEGER NOT NULL, assume_role_policy_document TEXT NOT NULL,"
    "  description TEXT, max_session_duration INTEGER NOT NULL DEFAULT 3600,"
    "  UNIQUE(account, name));"
    "CREATE TABLE iam_role_policy(role INTEGER NOT NULL, policy_arn TEXT NOT NULL,"
    "  PRIMARY KEY(role, policy_arn)) WITHOUT ROWID;",
    /* 7: Lambda.  A function's $LATEST configuration is the JSON that
     * GetFunctionConfiguration answers (computed members aside); its code
     * is a blob (the zip as uploaded), shared by the versions published
     * from it.  Ids are never reused.  lambda_event is the durable queue of
     * asynchronous invokes (Invoke with Event, S3 notifications): a row
     * goes when its invoke succeeded or ran out of attempts. */
    "CREATE TABLE lambda_function(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,"
    "  config TEXT NOT NULL, code_blob INTEGER NOT NULL DEFAULT 0,"
    "  next_version INTEGER NOT NULL DEFAULT 1, policy TEXT, tags TEXT,"
    "  concurrency INTEGER, UNIQUE(account, region, name));"
    "CREATE TABLE lambda_version(function_id INTEGER NOT NULL,"
    "  version INTEGER NOT NULL, config TEXT NOT NULL,"
    "  code_blob INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY(function_id, version)) WITHOUT ROWID;"
    "CREATE TABLE lambda_alias(function_id INTEGER NOT NULL, name TEXT NOT NULL,"
    "  config TEXT NOT NULL, PRIMARY KEY(function_id, name)) WITHOUT ROWID;"
    "CREATE TABLE lambda_event(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  function_arn TEXT NOT NULL, payload BLOB NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0, not_before INTEGER NOT NULL DEFAULT 0,"
    "  created INTEGER NOT NULL, depth INTEGER NOT NULL DEFAULT 0);",
    /* 8: IAM
     * users, managed policies and their versions, inline policies,
     * tags, access keys, and the temporary credentials STS hands out
     * (who each key speaks for: GetCallerIdentity).  User and policy ids
     * are never reused (AUTOINCREMENT), as role ids.  Inline policies and
     * tags belong to a role, a user or a policy ('role', 'user',
     * 'policy' and its id); an access key's user 0 is the account's root.
     * Policy versions are numbers: v3 is 3. */
    "CREATE INDEX iam_role_arn ON iam_role(account, arn);"
    "CREATE INDEX iam_role_policy_arn ON iam_role_policy(policy_arn);"
    "CREATE TABLE iam_user(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  account TEXT NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL,"
    "  user_id TEXT NOT NULL UNIQUE, create_date INTEGER NOT NULL,"
    "  UNIQUE(account, name));"
    "CREATE TABLE iam_user_policy(user INTEGER NOT NULL, policy_arn TEXT NOT NULL,"
    "  PRIMARY KEY(user, policy_arn)) WITHOUT ROWID;"
    "CREATE INDEX iam_user_policy_arn ON iam_user_policy(policy_arn);"
    "CREATE TABLE iam_policy(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  account TEXT NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL,"
    "  policy_id TEXT NOT NULL UNIQUE, arn TEXT NOT NULL UNIQUE, description TEXT,"
    "  create_date INTEGER NOT NULL, update_date INTEGER NOT NULL,"
    "  default_version INTEGER NOT NULL, next_version INTEGER NOT NULL,"
    "  UNIQUE(account, name));"
    "CREATE TABLE iam_policy_version(policy INTEGER NOT NULL, version INTEGER NOT NULL,"
    "  document TEXT NOT NULL, create_date INTEGER NOT NULL,"
    "  PRIMARY KEY(policy, version)) WITHOUT ROWID;"
    "CREATE TABLE iam_inline_policy(kind TEXT NOT NULL, owner INTEGER NOT NULL,"
    "  name TEXT NOT NULL, document TEXT NOT NULL,"
    "  PRIMARY KEY(kind, owner, name)) WITHOUT ROWID;"
    "CREATE TABLE iam_tag(kind TEXT NOT NULL, owner INTEGER NOT NULL,"
    "  key TEXT NOT NULL COLLATE NOCASE, value TEXT NOT NULL,"
    "  PRIMARY KEY(kind, owner, key)) WITHOUT ROWID;"
    "CREATE TABLE iam_access_key(access_key_id TEXT PRIMARY KEY, account TEXT NOT NULL,"
    "  user INTEGER NOT NULL, secret TEXT NOT NULL, status TEXT NOT NULL,"
    "  create_date INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX iam_access_key_user ON iam_access_key(account, user, create_date);"
    /* kind: iam_kind of include/tinystack/iam.h (0 root, 1 user, 2
     * assumed role, 3 federated user); arn and user_id are what
     * GetCallerIdentity answers. */
    "CREATE TABLE iam_session(access_key_id TEXT PRIMARY KEY, account TEXT NOT NULL,"
    "  kind INTEGER NOT NULL, user INTEGER NOT NULL, arn TEXT NOT NULL,"
    "  user_id TEXT NOT NULL, secret TEXT NOT NULL, expires INTEGER NOT NULL)"
    "  WITHOUT ROWID;"
    "CREATE INDEX iam_session_expires ON iam_session(expires);",
    /* 9: CloudWatch Logs.  A group is unique by name in its account and
     * region; its streams and their events hang off its id.  Events carry
     * their group too, so a FilterLogEvents over a whole group reads one
     * index in (timestamp, id) order, the order every read returns them in
     * and the order its paging tokens count in.  Ids are never reused
     * (AUTOINCREMENT): a token or an eventId never comes to name another
     * event, and rows a deleted group left behind never show in a new one. */
    "CREATE TABLE logs_group(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,"
    "  created INTEGER NOT NULL, retention INTEGER, kms_key_id TEXT,"
    "  class TEXT NOT NULL DEFAULT 'STANDARD',"
    "  deletion_protection INTEGER NOT NULL DEFAULT 0,"
    "  stored_bytes INTEGER NOT NULL DEFAULT 0, UNIQUE(account, region, name));"
    "CREATE TABLE logs_tag(group_id INTEGER NOT NULL, key TEXT NOT NULL,"
    "  value TEXT NOT NULL, PRIMARY KEY(group_id, key)) WITHOUT ROWID;"
    "CREATE TABLE logs_stream(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  group_id INTEGER NOT NULL, name TEXT NOT NULL, created INTEGER NOT NULL,"
    "  first_event INTEGER, last_event INTEGER, last_ingestion INTEGER,"
    "  seq INTEGER NOT NULL DEFAULT 0, stored_bytes INTEGER NOT NULL DEFAULT 0,"
    "  UNIQUE(group_id, name));"
    "CREATE TABLE logs_event(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  group_id INTEGER NOT NULL, stream_id INTEGER NOT NULL, ts INTEGER NOT NULL,"
    "  ingested INTEGER NOT NULL, size INTEGER NOT NULL, message TEXT NOT NULL);"
    "CREATE INDEX logs_event_stream ON logs_event(stream_id, ts, id);"
    "CREATE INDEX logs_event_group ON logs_event(group_id, ts, id);",
    /* 10: Lambda's asynchronous invocation settings
     * (Put/UpdateFunctionEventInvokeConfig), one row per function and
     * qualifier ("$LATEST", a version number, an alias name), config the
     * FunctionEventInvokeConfig the API answers. */
    "CREATE TABLE lambda_event_config(function_id INTEGER NOT NULL,"
    "  qualifier TEXT NOT NULL, config TEXT NOT NULL,"
    "  PRIMARY KEY(function_id, qualifier)) WITHOUT ROWID;",
    /* 11: API Gateway.  An API, REST (kind 1, apigateway) or HTTP (kind
     * 2, apigatewayv2), is one JSON document shaped as the API answers it,
     * its resources, methods, routes, integrations and authorizers nested
     * in it; ids are unique across accounts and regions because the data
     * plane finds an API by its id alone (the Host form carries no
     * region).  A deployment is a snapshot of the document (immutable, so
     * the data plane caches it by id); a stage names the deployment it
     * serves.  API keys and usage plans belong to an account and region. */
    "CREATE TABLE apigw_api(id TEXT PRIMARY KEY, account TEXT NOT NULL,"
    "  region TEXT NOT NULL, kind INTEGER NOT NULL, created INTEGER NOT NULL,"
    "  doc TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX apigw_api_owner ON apigw_api(account, region, kind, created);"
    "CREATE TABLE apigw_deployment(api_id TEXT NOT NULL, id TEXT NOT NULL,"
    "  created INTEGER NOT NULL, doc TEXT NOT NULL, snapshot TEXT NOT NULL,"
    "  PRIMARY KEY(api_id, id)) WITHOUT ROWID;"
    "CREATE TABLE apigw_stage(api_id TEXT NOT NULL, name TEXT NOT NULL,"
    "  created INTEGER NOT NULL, doc TEXT NOT NULL,"
    "  PRIMARY KEY(api_id, name)) WITHOUT ROWID;"
    "CREATE TABLE apigw_key(id TEXT PRIMARY KEY, account TEXT NOT NULL,"
    "  region TEXT NOT NULL, value TEXT NOT NULL, created INTEGER NOT NULL,"
    "  doc TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX apigw_key_value ON apigw_key(value);"
    "CREATE TABLE apigw_plan(id TEXT PRIMARY KEY, account TEXT NOT NULL,"
    "  region TEXT NOT NULL, created INTEGER NOT NULL, doc TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE apigw_plan_key(plan_id TEXT NOT NULL, key_id TEXT NOT NULL,"
    "  PRIMARY KEY(plan_id, key_id)) WITHOUT ROWID;"
    "CREATE INDEX apigw_plan_key_key ON apigw_plan_key(key_id);",
};

const int store_nmigrations = (int)TS_ARRAY_LEN(store_migrations);
