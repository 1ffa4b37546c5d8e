/*
 * s3.c - the S3 service: its operation table, and how a request becomes
 * an operation as S3's REST API does it: the bucket from the Host header
 * or the path, then the query sub-resource (?tagging, ?legal-hold ...)
 * looked up with the method and the level (bucket or object) in one
 * table built from the botocore model's requestUri values, then, with no
 * sub-resource, the method, the upload arguments and x-amz-copy-source.
 * An operation tinystack does not have is a row without a handler: it
 * answers 501 NotImplemented naming itself before the body is read, so a
 * sub-resource never falls through to another operation.
 */
#include "s3_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinystack/service.h"

#define KiB (1u << 10)
#define MiB (1u << 20)

enum {
    OP_LIST_BUCKETS, OP_CREATE_BUCKET, OP_HEAD_BUCKET, OP_DELETE_BUCKET,
    OP_LIST_V1, OP_LIST_V2, OP_PREFLIGHT, OP_PUT_OBJECT, OP_GET_OBJECT,
    OP_HEAD_OBJECT, OP_DELETE_OBJECT, OP_COPY_OBJECT, OP_UPLOAD_PART,
    OP_UPLOAD_PART_COPY, OP_COMPLETE_MPU, OP_ABORT_MPU, OP_LIST_PARTS,
    OP_FIRST_BY_NAME, /* the rest are found by name, from the sub-resources */
};

#define READ(name, fn) {name, fn, TS_OP_READ, NULL, NULL, NULL, NULL, 0}
#define WRITE(name, fn, cap) {name, fn, TS_OP_WRITE, NULL, NULL, NULL, NULL, cap}
#define ABSENT(name) {name, NULL, 0, NULL, NULL, NULL, NULL, 0}

/* Bodies are capped per operation at what S3 takes (policies 20 KB,
 * CORS 64 KB, up to 1,000 DeleteObjects keys of 1,024 bytes escaped,
 * 10,000 CompleteMultipartUpload parts with every checksum); bodiless
 * requests at the service's 4 MiB. */
static const ts_op s3_ops[] = {
    [OP_LIST_BUCKETS] = READ("ListBuckets", s3_list_buckets),
    [OP_CREATE_BUCKET] = WRITE("CreateBucket", s3_create_bucket, 64 * KiB),
    [OP_HEAD_BUCKET] = READ("HeadBucket", s3_head_bucket),
    [OP_DELETE_BUCKET] = WRITE("DeleteBucket", s3_delete_bucket, 0),
    [OP_LIST_V1] = READ("ListObjects", s3_list_objects),
    [OP_LIST_V2] = READ("ListObjectsV2", s3_list_objects_v2),
    [OP_PREFLIGHT] = READ("PreflightRequest", s3_cors_preflight),
    [OP_PUT_OBJECT] = {"PutObject", s3_put_object, TS_OP_WRITE | TS_OP_STREAM,
                       s3_upload_begin, s3_upload_body, NULL, NULL, 0},
    [OP_GET_OBJECT] = READ("GetObject", s3_get_object),
    [OP_HEAD_OBJECT] = READ("HeadObject", s3_head_object),
    [OP_DELETE_OBJECT] = WRITE("DeleteObject", s3_delete_object, 0),
    [OP_COPY_OBJECT] = WRITE("CopyObject", s3_copy_object, 0),
    [OP_UPLOAD_PART] = {"UploadPart", s3_upload_part, TS_OP_WRITE | TS_OP_STREAM,
                        s3_upload_begin, s3_upload_body, NULL, NULL, 0},
    /* Its own transactions: the copy must not hold the write lock. */
    [OP_UPLOAD_PART_COPY] = {"UploadPartCopy", s3_upload_part_copy,
                             TS_OP_WRITE | TS_OP_OWN_TXN, NULL, NULL, NULL, NULL, 0},
    [OP_COMPLETE_MPU] = WRITE("CompleteMultipartUpload", s3_complete_multipart_upload,
                              4 * MiB),
    [OP_ABORT_MPU] = WRITE("AbortMultipartUpload", s3_abort_multipart_upload, 0),
    [OP_LIST_PARTS] = READ("ListParts", s3_list_parts),
    [OP_FIRST_BY_NAME] = READ("GetBucketLocation", s3_get_bucket_location),
    WRITE("PutBucketTagging", s3_put_bucket_tagging, 256 * KiB),
    READ("GetBucketTagging", s3_get_bucket_tagging),
    WRITE("DeleteBucketTagging", s3_delete_bucket_tagging, 0),
    WRITE("PutBucketCors", s3_put_bucket_cors, 64 * KiB),
    READ("GetBucketCors", s3_get_bucket_cors),
    WRITE("DeleteBucketCors", s3_delete_bucket_cors, 0),
    WRITE("PutBucketVersioning", s3_put_bucket_versioning, 4 * KiB),
    READ("GetBucketVersioning", s3_get_bucket_versioning),
    READ("GetBucketAcl", s3_get_bucket_acl),
    WRITE("PutBucketAcl", s3_put_ok, 64 * KiB),
    WRITE("DeleteObjects", s3_delete_objects, 8 * MiB),
    WRITE("PutObjectTagging", s3_put_object_tagging, 64 * KiB),
    READ("GetObjectTagging", s3_get_object_tagging),
    WRITE("DeleteObjectTagging", s3_delete_object_tagging, 0),
    READ("GetObjectAcl", s3_get_object_acl),
    WRITE("PutObjectAcl", s3_put_ok, 64 * KiB),
    READ("ListObjectVersions", s3_list_object_versions),
    WRITE("CreateMultipartUpload", s3_create_multipart_upload, 0),
    READ("ListMultipartUploads", s3_list_multipart_uploads),
    /* Configuration documents, kept as given (s3_bucket.c). */
    WRITE("PutBucketPolicy", s3_put_bucket_config, 20 * KiB),
    READ("GetBucketPolicy", s3_get_bucket_config),
    WRITE("DeleteBucketPolicy", s3_delete_bucket_config, 0),
    WRITE("PutBucketNotificationConfiguration", s3_put_bucket_config, 1 * MiB),
    READ("GetBucketNotificationConfiguration", s3_get_bucket_config),
    WRITE("PutBucketLifecycleConfiguration", s3_put_bucket_config, 1 * MiB),
    READ("GetBucketLifecycleConfiguration", s3_get_bucket_config),
    WRITE("DeleteBucketLifecycle", s3_delete_bucket_config, 0),
    WRITE("PutBucketEncryption", s3_put_bucket_config, 64 * KiB),
    READ("GetBucketEncryption", s3_get_bucket_config),
    WRITE("DeleteBucketEncryption", s3_delete_bucket_config, 0),
    WRITE("PutBucketWebsite", s3_put_bucket_config, 128 * KiB),
    READ("GetBucketWebsite", s3_get_bucket_config),
    WRITE("DeleteBucketWebsite", s3_delete_bucket_config, 0),
    WRITE("PutBucketOwnershipControls", s3_put_bucket_config, 64 * KiB),
    READ("GetBucketOwnershipControls", s3_get_bucket_config),
    WRITE("DeleteBucketOwnershipControls", s3_delete_bucket_config, 0),
    WRITE("PutPublicAccessBlock", s3_put_bucket_config, 64 * KiB),
    READ("GetPublicAccessBlock", s3_get_bucket_config),
    WRITE("DeletePublicAccessBlock", s3_delete_bucket_config, 0),
    WRITE("PutBucketLogging", s3_put_bucket_config, 64 * KiB),
    READ("GetBucketLogging", s3_get_bucket_config),
    WRITE("PutBucketReplication", s3_put_bucket_config, 1 * MiB),
    READ("GetBucketReplication", s3_get_bucket_config),
    WRITE("DeleteBucketReplication", s3_delete_bucket_config, 0),
    WRITE("PutBucketAccelerateConfiguration", s3_put_bucket_config, 64 * KiB),
    READ("GetBucketAccelerateConfiguration", s3_get_bucket_config),
    WRITE("PutBucketRequestPayment", s3_put_bucket_config, 64 * KiB),
    READ("GetBucketRequestPayment", s3_get_bucket_config),
    WRITE("PutObjectLockConfiguration", s3_put_bucket_config, 64 * KiB),
    READ("GetObjectLockConfiguration", s3_get_bucket_config),
    /* In the model, not in tinystack. */
    ABSENT("GetObjectAttributes"), ABSENT("GetObjectLegalHold"),
    ABSENT("PutObjectLegalHold"), ABSENT("GetObjectRetention"),
    ABSENT("PutObjectRetention"), ABSENT("GetObjectTorrent"), ABSENT("RestoreObject"),
    ABSENT("SelectObjectContent"), ABSENT("UpdateObjectEncryption"), ABSENT("RenameObject"),
    ABSENT("GetBucketAbac"), ABSENT("PutBucketAbac"), ABSENT("GetBucketPolicyStatus"),
    ABSENT("CreateSession"),
    ABSENT("PutBucketAnalyticsConfiguration"), ABSENT("GetBucketAnalyticsConfiguration"),
    ABSENT("DeleteBucketAnalyticsConfiguration"), ABSENT("ListBucketAnalyticsConfigurations"),
    ABSENT("PutBucketIntelligentTieringConfiguration"),
    ABSENT("GetBucketIntelligentTieringConfiguration"),
    ABSENT("DeleteBucketIntelligentTieringConfiguration"),
    ABSENT("ListBucketIntelligentTieringConfigurations"),
    ABSENT("PutBucketInventoryConfiguration"), ABSENT("GetBucketInventoryConfiguration"),
    ABSENT("DeleteBucketInventoryConfiguration"), ABSENT("ListBucketInventoryConfigurations"),
    ABSENT("PutBucketMetricsConfiguration"), ABSENT("GetBucketMetricsConfiguration"),
    ABSENT("DeleteBucketMetricsConfiguration"), ABSENT("ListBucketMetricsConfigurations"),
    ABSENT("CreateBucketMetadataConfiguration"), ABSENT("GetBucketMetadataConfiguration"),
    ABSENT("DeleteBucketMetadataConfiguration"),
    ABSENT("CreateBucketMetadataTableConfiguration"),
    ABSENT("GetBucketMetadataTableConfiguration"),
    ABSENT("DeleteBucketMetadataTableConfiguration"),
    ABSENT("UpdateBucketMetadataInventoryTableConfiguration"),
    ABSENT("UpdateBucketMetadataJournalTableConfiguration"),
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, 0},
};

enum { LEVEL_BUCKET = 'b', LEVEL_OBJECT = 'o' };

/* Every query sub-resource of the S3 model (requestUri "?name"), with
 * the operation it names for a method at a level.  `with` tells apart
 * the rows of one name, method and level: the row applies only when that
 * query argument is present too (a row without `with` comes last).  A
 * sub-resource with no row for the request's method and level runs
 * nothing (MethodNotAllowed). */
typedef struct s3_subres {
    const char *name;
    const char *method;
    char level;
    const char *op;
    const char *with;
    const ts_op *row;   /* found from op at first use */
    int order;
} s3_subres;

static s3_subres subres[] = {
    {"abac", "GET", LEVEL_BUCKET, "GetBucketAbac", NULL, NULL, 0},
    {"abac", "PUT", LEVEL_BUCKET, "PutBucketAbac", NULL, NULL, 0},
    {"accelerate", "GET", LEVEL_BUCKET, "GetBucketAccelerateConfiguration", NULL, NULL, 0},
    {"accelerate", "PUT", LEVEL_BUCKET, "PutBucketAccelerateConfiguration", NULL, NULL, 0},
    {"acl", "GET", LEVEL_BUCKET, "GetBucketAcl", NULL, NULL, 0},
    {"acl", "PUT", LEVEL_BUCKET, "PutBucketAcl", NULL, NULL, 0},
    {"acl", "GET", LEVEL_OBJECT, "GetObjectAcl", NULL, NULL, 0},
    {"acl", "PUT", LEVEL_OBJECT, "PutObjectAcl", NULL, NULL, 0},
    {"analytics", "GET", LEVEL_BUCKET, "GetBucketAnalyticsConfiguration", "id", NULL, 0},
    {"analytics", "GET", LEVEL_BUCKET, "ListBucketAnalyticsConfigurations", NULL, NULL, 0},
    {"analytics", "PUT", LEVEL_BUCKET, "PutBucketAnalyticsConfiguration", NULL, NULL, 0},
    {"analytics", "DELETE", LEVEL_BUCKET, "DeleteBucketAnalyticsConfiguration", NULL, NULL, 0},
    {"attributes", "GET", LEVEL_OBJECT, "GetObjectAttributes", NULL, NULL, 0},
    {"cors", "GET", LEVEL_BUCKET, "GetBucketCors", NULL, NULL, 0},
    {"cors", "PUT", LEVEL_BUCKET, "PutBucketCors", NULL, NULL, 0},
    {"cors", "DELETE", LEVEL_BUCKET, "DeleteBucketCors", NULL, NULL, 0},
    {"delete", "POST", LEVEL_BUCKET, "DeleteObjects", NULL, NULL, 0},
    {"encryption", "GET", LEVEL_BUCKET, "GetBucketEncryption", NULL, NULL, 0},
    {"encryption", "PUT", LEVEL_BUCKET, "PutBucketEncryption", NULL, NULL, 0},
    {"encryption", "DELETE", LEVEL_BUCKET, "DeleteBucketEncryption", NULL, NULL, 0},
    {"encryption", "PUT", LEVEL_OBJECT, "UpdateObjectEncryption", NULL, NULL, 0},
    {"intelligent-tiering", "GET", LEVEL_BUCKET, "GetBucketIntelligentTieringConfiguration",
     "id", NULL, 0},
    {"intelligent-tiering", "GET", LEVEL_BUCKET, "ListBucketIntelligentTieringConfigurations",
     NULL, NULL, 0},
    {"intelligent-tiering", "PUT", LEVEL_BUCKET, "PutBucketIntelligentTieringConfiguration",
     NULL, NULL, 0},
    {"intelligent-tiering", "DELETE", LEVEL_BUCKET,
     "DeleteBucketIntelligentTieringConfiguration", NULL, NULL, 0},
    {"inventory", "GET", LEVEL_BUCKET, "GetBucketInventoryConfiguration", "id", NULL, 0},
    {"inventory", "GET", LEVEL_BUCKET, "ListBucketInventoryConfigurations", NULL, NULL, 0},
    {"inventory", "PUT", LEVEL_BUCKET, "PutBucketInventoryConfiguration", NULL, NULL, 0},
    {"inventory", "DELETE", LEVEL_BUCKET, "DeleteBucketInventoryConfiguration", NULL, NULL, 0},
    {"legal-hold", "GET", LEVEL_OBJECT, "GetObjectLegalHold", NULL, NULL, 0},
    {"legal-hold", "PUT", LEVEL_OBJECT, "PutObjectLegalHold", NULL, NULL, 0},
    {"lifecycle", "GET", LEVEL_BUCKET, "GetBucketLifecycleConfiguration", NULL, NULL, 0},
    {"lifecycle", "PUT", LEVEL_BUCKET, "PutBucketLifecycleConfiguration", NULL, NULL, 0},
    {"lifecycle", "DELETE", LEVEL_BUCKET, "DeleteBucketLifecycle", NULL, NULL, 0},
    {"location", "GET", LEVEL_BUCKET, "GetBucketLocation", NULL, NULL, 0},
    {"logging", "GET", LEVEL_BUCKET, "GetBucketLogging", NULL, NULL, 0},
    {"logging", "PUT", LEVEL_BUCKET, "PutBucketLogging", NULL, NULL, 0},
    {"metadataConfiguration", "GET", LEVEL_BUCKET, "GetBucketMetadataConfiguration", NULL,
     NULL, 0},
    {"metadataConfiguration", "POST", LEVEL_BUCKET, "CreateBucketMetadataConfiguration", NULL,
     NULL, 0},
    {"metadataConfiguration", "DELETE", LEVEL_BUCKET, "DeleteBucketMetadataConfiguration",
     NULL, NULL, 0},
    {"metadataInventoryTable", "PUT", LEVEL_BUCKET,
     "UpdateBucketMetadataInventoryTableConfiguration", NULL, NULL, 0},
    {"metadataJournalTable", "PUT", LEVEL_BUCKET,
     "UpdateBucketMetadataJournalTableConfiguration", NULL, NULL, 0},
    {"metadataTable", "GET", LEVEL_BUCKET, "GetBucketMetadataTableConfiguration", NULL, NULL, 0},
    {"metadataTable", "POST", LEVEL_BUCKET, "CreateBucketMetadataTableConfiguration", NULL,
     NULL, 0},
    {"metadataTable", "DELETE", LEVEL_BUCKET, "DeleteBucketMetadataTableConfiguration", NULL,
     NULL, 0},
    {"metrics", "GET", LEVEL_BUCKET, "GetBucketMetricsConfiguration", "id", NULL, 0},
    {"metrics", "GET", LEVEL_BUCKET, "ListBucketMetricsConfigurations", NULL, NULL, 0},
    {"metrics", "PUT", LEVEL_BUCKET, "PutBucketMetricsConfiguration", NULL, NULL, 0},
    {"metrics", "DELETE", LEVEL_BUCKET, "DeleteBucketMetricsConfiguration", NULL, NULL, 0},
    {"notification", "GET", LEVEL_BUCKET, "GetBucketNotificationConfiguration", NULL, NULL, 0},
    {"notification", "PUT", LEVEL_BUCKET, "PutBucketNotificationConfiguration", NULL, NULL, 0},
    {"object-lock", "GET", LEVEL_BUCKET, "GetObjectLockConfiguration", NULL, NULL, 0},
    {"object-lock", "PUT", LEVEL_BUCKET, "PutObjectLockConfiguration", NULL, NULL, 0},
    {"ownershipControls", "GET", LEVEL_BUCKET, "GetBucketOwnershipControls", NULL, NULL, 0},
    {"ownershipControls", "PUT", LEVEL_BUCKET, "PutBucketOwnershipControls", NULL, NULL, 0},
    {"ownershipControls", "DELETE", LEVEL_BUCKET, "DeleteBucketOwnershipControls", NULL, NULL, 0},
    {"policy", "GET", LEVEL_BUCKET, "GetBucketPolicy", NULL, NULL, 0},
    {"policy", "PUT", LEVEL_BUCKET, "PutBucketPolicy", NULL, NULL, 0},
    {"policy", "DELETE", LEVEL_BUCKET, "DeleteBucketPolicy", NULL, NULL, 0},
    {"policyStatus", "GET", LEVEL_BUCKET, "GetBucketPolicyStatus", NULL, NULL, 0},
    {"publicAccessBlock", "GET", LEVEL_BUCKET, "GetPublicAccessBlock", NULL, NULL, 0},
    {"publicAccessBlock", "PUT", LEVEL_BUCKET, "PutPublicAccessBlock", NULL, NULL, 0},
    {"publicAccessBlock", "DELETE", LEVEL_BUCKET, "DeletePublicAccessBlock", NULL, NULL, 0},
    {"renameObject", "PUT", LEVEL_OBJECT, "RenameObject", NULL, NULL, 0},
    {"replication", "GET", LEVEL_BUCKET, "GetBucketReplication", NULL, NULL, 0},
    {"replication", "PUT", LEVEL_BUCKET, "PutBucketReplication", NULL, NULL, 0},
    {"replication", "DELETE", LEVEL_BUCKET, "DeleteBucketReplication", NULL, NULL, 0},
    {"requestPayment", "GET", LEVEL_BUCKET, "GetBucketRequestPayment", NULL, NULL, 0},
    {"requestPayment", "PUT", LEVEL_BUCKET, "PutBucketRequestPayment", NULL, NULL, 0},
    {"restore", "POST", LEVEL_OBJECT, "RestoreObject", NULL, NULL, 0},
    {"retention", "GET", LEVEL_OBJECT, "GetObjectRetention", NULL, NULL, 0},
    {"retention", "PUT", LEVEL_OBJECT, "PutObjectRetention", NULL, NULL, 0},
    {"select", "POST", LEVEL_OBJECT, "SelectObjectContent", NULL, NULL, 0},
    {"session", "GET", LEVEL_BUCKET, "CreateSession", NULL, NULL, 0},
    {"tagging", "GET", LEVEL_BUCKET, "GetBucketTagging", NULL, NULL, 0},
    {"tagging", "PUT", LEVEL_BUCKET, "PutBucketTagging", NULL, NULL, 0},
    {"tagging", "DELETE", LEVEL_BUCKET, "DeleteBucketTagging", NULL, NULL, 0},
    {"tagging", "GET", LEVEL_OBJECT, "GetObjectTagging", NULL, NULL, 0},
    {"tagging", "PUT", LEVEL_OBJECT, "PutObjectTagging", NULL, NULL, 0},
    {"tagging", "DELETE", LEVEL_OBJECT, "DeleteObjectTagging", NULL, NULL, 0},
    {"torrent", "GET", LEVEL_OBJECT, "GetObjectTorrent", NULL, NULL, 0},
    {"uploads", "GET", LEVEL_BUCKET, "ListMultipartUploads", NULL, NULL, 0},
    {"uploads", "POST", LEVEL_OBJECT, "CreateMultipartUpload", NULL, NULL, 0},
    {"versioning", "GET", LEVEL_BUCKET, "GetBucketVersioning", NULL, NULL, 0},
    {"versioning", "PUT", LEVEL_BUCKET, "PutBucketVersioning", NULL, NULL, 0},
    {"versions", "GET", LEVEL_BUCKET, "ListObjectVersions", NULL, NULL, 0},
    {"website", "GET", LEVEL_BUCKET, "GetBucketWebsite", NULL, NULL, 0},
    {"website", "PUT", LEVEL_BUCKET, "PutBucketWebsite", NULL, NULL, 0},
    {"website", "DELETE", LEVEL_BUCKET, "DeleteBucketWebsite", NULL, NULL, 0},
};

static pthread_once_t subres_once = PTHREAD_ONCE_INIT;

static int subres_cmp(const void *a, const void *b)
{
    const s3_subres *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    return c ? c : x->order - y->order;
}

/* Sorts the table by name (keeping the written order within a name) and
 * points each row at its operation; a name missing from s3_ops is a
 * mistake in this file, caught by the first request. */
static void subres_init(void)
{
    for (size_t i = 0; i < TS_ARRAY_LEN(subres); i++) {
        subres[i].order = (int)i;
        for (const ts_op *op = s3_ops; op->name; op++)
            if (!strcmp(op->name, subres[i].op))
                subres[i].row = op;
        if (!subres[i].row) {
            ts_log(TS_LOG_ERROR, "s3: sub-resource %s names no operation %s",
                   subres[i].name, subres[i].op);
            abort();
        }
    }
    qsort(subres, TS_ARRAY_LEN(subres), sizeof(subres[0]), subres_cmp);
}

static int subres_name_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const s3_subres *)elem)->name);
}

/* The first of the request's query arguments that is a sub-resource:
 * its rows are [*first, *first + n).  0 when there is none. */
static size_t subres_find(ts_req *req, const s3_subres **first)
{
    pthread_once(&subres_once, subres_init);
    for (ts_kv *q = req->query; q; q = q->next) {
        const s3_subres *hit = bsearch(q->name, subres, TS_ARRAY_LEN(subres),
                                       sizeof(subres[0]), subres_name_cmp);
        const s3_subres *end = subres + TS_ARRAY_LEN(subres), *s;

        if (!hit)
            continue;
        while (hit > subres && !strcmp(hit[-1].name, q->name))
            hit--;
        for (s = hit; s < end && !strcmp(s->name, q->name); s++)
            ;
        *first = hit;
        return (size_t)(s - hit);
    }
    return 0;
}

/* The operation a sub-resource names for this method and level; NULL
 * when it names none. */
static const ts_op *subres_op(ts_req *req, const s3_subres *rows, size_t n, char level)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].level == level && !strcmp(rows[i].method, req->method) &&
            (!rows[i].with || ts_req_has_query(req, rows[i].with)))
            return rows[i].row;
    return NULL;
}

/* Finds a bucket in a virtual-host style Host header: the name before the
 * last ".s3." / ".s3-", or before ".localhost". */
static char *host_bucket(ts_req *req)
{
    const char *h = req->host, *p, *best = NULL;
    size_t n = strlen(h);

    for (p = h; (p = strstr(p, ".s3")); p++)
        if (p[3] == '.' || p[3] == '-' || p[3] == '\0')
            best = p;
    if (best && best > h)
        return ts_arena_strndup(req->arena, h, (size_t)(best - h));
    if (n > 10 && ts_ends_with(h, ".localhost") && strcmp(h, "s3.localhost") != 0 &&
        !ts_ends_with(h, ".localstack.cloud"))
        return ts_arena_strndup(req->arena, h, n - 10);
    return NULL;
}

/* A virtual-host style request names its bucket in the Host header, so
 * its path is a key, whatever it looks like. */
static int s3_claims(ts_req *req)
{
    const char *h = req->host;

    return (strstr(h, ".s3.") || strstr(h, ".s3-")) && !strstr(h, ".execute-api.");
}

int s3_name_decode(ts_req *req, const char *s, size_t n, const char **out)
{
    size_t len;
    char *t = ts_url_decode_len(s, n, 0, &len);
    int ok;

    if (!t) {
        /* A malformed escape is kept as sent, as it always was. */
        *out = ts_arena_strndup(req->arena, s, n);
        return ts_utf8_valid(*out, n) ? 0 : -1;
    }
    ok = strlen(t) == len && ts_utf8_valid(t, len);
    *out = ts_arena_strdup(req->arena, t);
    free(t);
    return ok ? 0 : -1;
}

/* S3 parses the whole URI as UTF-8: a path or query argument that is not
 * (or that holds a NUL, which would cut the name short) is InvalidURI. */
static int uri_valid(ts_req *req)
{
    if (req->query_nul)
        return 0;
    for (ts_kv *q = req->query; q; q = q->next)
        if (!ts_utf8_valid(q->name, strlen(q->name)) ||
            !ts_utf8_valid(q->value, strlen(q->value)))
            return 0;
    return 1;
}

#define S3_MAX_PRESIGN 604800 /* seconds: SigV4 keys last a week */

/* A presigned URL's X-Amz-Expires must be a number of seconds from 0 to
 * a week (S3's messages), and one past X-Amz-Date + X-Amz-Expires is
 * refused, as S3 does (the signature itself is not checked).  1 with the
 * error set. */
static int presign_expired(ts_req *req, ts_resp *resp)
{
    const char *date = ts_req_query(req, "X-Amz-Date");
    const char *expires = ts_req_query(req, "X-Amz-Expires"), *p;
    int64_t t, now = ts_now_ms();
    long long secs;
    char when[32], *end;

    if (!expires)
        return 0;
    p = expires + (*expires == '-' || *expires == '+');
    errno = 0;
    secs = strtoll(expires, &end, 10);
    if (*p < '0' || *p > '9' || *end || errno == ERANGE) {
        ts_resp_error(resp, TS_ERR_AUTH_QUERY_PARAMS, "X-Amz-Expires should be a number");
        return 1;
    }
    if (secs < 0) {
        ts_resp_error(resp, TS_ERR_AUTH_QUERY_PARAMS, "X-Amz-Expires must be non-negative");
        return 1;
    }
    if (secs > S3_MAX_PRESIGN) {
        ts_resp_error(resp, TS_ERR_AUTH_QUERY_PARAMS,
                      "X-Amz-Expires must be less than a week (in seconds); that is, the "
                      "given X-Amz-Expires must be less than 604800 seconds");
        return 1;
    }
    if (!date || ts_time_parse(date, &t) != 0)
        return 0;
    t += (int64_t)secs * 1000;
    if (now <= t)
        return 0;
    ts_resp_error(resp, TS_ERR_ACCESS_DENIED, "Request has expired");
    ts_resp_error_field(req, resp, "X-Amz-Expires", expires);
    ts_time_iso8601(t, when);
    ts_resp_error_field(req, resp, "Expires", when);
    ts_time_iso8601(now, when);
    ts_resp_error_field(req, resp, "ServerTime", when);
    return 1;
}

/* Configuration documents kept as given, by sub-resource name. */
static const char *const config_subresources[] = {
    "policy", "notification", "lifecycle", "encryption", "website",
    "ownershipControls", "publicAccessBlock", "logging", "replication",
    "accelerate", "requestPayment", "object-lock", NULL,
};

const char *s3_config_subresource(ts_req *req)
{
    for (int i = 0; config_subresources[i]; i++)
        if (ts_req_has_query(req, config_subresources[i]))
            return config_subresources[i];
    return NULL;
}

/* The operation of a request without a sub-resource: the method, the
 * multipart arguments and x-amz-copy-source.  -1: none (POST on a
 * bucket without ?delete, an unknown method). */
static int plain_op(ts_req *req, char level)
{
    const char *m = req->method;
    int upload = ts_req_has_query(req, "uploadId");

    if (level == LEVEL_BUCKET) {
        if (!strcmp(m, "GET"))
            return ts_req_has_query(req, "list-type") ? OP_LIST_V2 : OP_LIST_V1;
        if (!strcmp(m, "PUT")) return OP_CREATE_BUCKET;
        if (!strcmp(m, "HEAD")) return OP_HEAD_BUCKET;
        if (!strcmp(m, "DELETE")) return OP_DELETE_BUCKET;
        return -1;
    }
    if (!strcmp(m, "PUT")) {
        int copy = ts_req_header(req, "x-amz-copy-source") != NULL;
        /* With an upload id this is a part, even without a part number
         * (begin() refuses that): never an overwrite of the object. */
        if (upload)
            return copy ? OP_UPLOAD_PART_COPY : OP_UPLOAD_PART;
        return copy ? OP_COPY_OBJECT : OP_PUT_OBJECT;
    }
    if (!strcmp(m, "GET")) return upload ? OP_LIST_PARTS : OP_GET_OBJECT;
    if (!strcmp(m, "HEAD")) return OP_HEAD_OBJECT;
    if (!strcmp(m, "DELETE")) return upload ? OP_ABORT_MPU : OP_DELETE_OBJECT;
    if (!strcmp(m, "POST") && upload) return OP_COMPLETE_MPU;
    return -1;
}

/* The operation for the request's method, level and query. */
static const ts_op *s3_pick(ts_req *req, ts_resp *resp, char level)
{
    const s3_subres *rows;
    const ts_op *op = NULL;
    size_t n;
    int i;

    if (!strcmp(req->method, "OPTIONS"))
        return &s3_ops[OP_PREFLIGHT];
    if ((n = subres_find(req, &rows)) > 0) {
        op = subres_op(req, rows, n, level);
    } else if ((i = plain_op(req, level)) >= 0) {
        op = &s3_ops[i];
    }
    if (!op) {
        ts_resp_error(resp, TS_ERR_METHOD_NOT_ALLOWED, NULL);
        ts_resp_error_field(req, resp, "Method", req->method);
        ts_resp_error_field(req, resp, "ResourceType", level == LEVEL_OBJECT ? "OBJECT" : "BUCKET");
        return NULL;
    }
    if (!op->handler)
        ts_resp_errorf(req, resp, TS_ERR_NOT_IMPLEMENTED, "%s is not implemented by tinystack",
                       op->name);
    return op;
}

static const ts_op *s3_resolve(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    s3_ctx *c = ts_arena_zalloc(req->arena, sizeof(*c));
    const char *p = req->path;
    const ts_op *op;

    int bad = !uri_valid(req);

    req->svc = c;
    c->bucket = host_bucket(req);
    while (*p == '/')
        p++;
    if (c->bucket) {
        c->virtual_host = 1;
        if (*p)
            bad |= s3_name_decode(req, p, strlen(p), &c->key);
    } else if (*p) {
        const char *slash = strchr(p, '/');
        if (slash) {
            bad |= s3_name_decode(req, p, (size_t)(slash - p), &c->bucket);
            if (slash[1])
                bad |= s3_name_decode(req, slash + 1, strlen(slash + 1), &c->key);
        } else {
            bad |= s3_name_decode(req, p, strlen(p), &c->bucket);
        }
    }
    if (bad) {
        ts_resp_error(resp, TS_ERR_INVALID_URI, NULL);
        return NULL;
    }
    if (!c->bucket) {
        if (!strcmp(req->method, "GET"))
            return &s3_ops[OP_LIST_BUCKETS];
        ts_resp_error(resp, TS_ERR_METHOD_NOT_ALLOWED, NULL);
        return NULL;
    }
    op = s3_pick(req, resp, c->key ? LEVEL_OBJECT : LEVEL_BUCKET);
    if (!op || resp->err != TS_ERR_NONE)
        return op;
    if (c->key && strlen(c->key) > S3_MAX_KEY) {
        ts_resp_error(resp, TS_ERR_KEY_TOO_LONG, NULL);
        ts_resp_error_field(req, resp, "Size", ts_arena_printf(req->arena, "%zu", strlen(c->key)));
        ts_resp_error_field(req, resp, "MaxSizeAllowed", "1024");
    }
    if (presign_expired(req, resp))
        return op;
    if (ts_req_header(req, "Origin") && op != &s3_ops[OP_PREFLIGHT])
        s3_cors_headers(req, resp);
    return op;
}

const ts_service s3_service = {
    .name = "s3",
    .signing_name = "s3",
    .claims = s3_claims,
    .proto = &ts_proto_rest_xml,
    .ops = s3_ops,
    .resolve = s3_resolve,
    .max_body = 4u << 20,
    .too_large = TS_ERR_ENTITY_TOO_LARGE,
    .available = 1,
};
