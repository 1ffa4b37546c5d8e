/*
 * s3.c - the S3 service: its operation table, how a request becomes an
 * operation (bucket from the Host header or the path, then method,
 * sub-resource query arguments and headers, as S3's REST API does), the
 * XML error renderer, and the row helpers the operation files share.
 */
#include "s3_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinystack/service.h"

enum {
    OP_LIST_BUCKETS, OP_CREATE_BUCKET, OP_HEAD_BUCKET, OP_DELETE_BUCKET,
    OP_GET_LOCATION, OP_PUT_BTAGGING, OP_GET_BTAGGING, OP_DEL_BTAGGING,
    OP_PUT_CORS, OP_GET_CORS, OP_DEL_CORS, OP_PREFLIGHT, OP_PUT_VERSIONING,
    OP_GET_VERSIONING, OP_PUT_CONFIG, OP_GET_CONFIG, OP_DEL_CONFIG,
    OP_GET_BACL, OP_PUT_BACL, OP_PUT_OBJECT, OP_GET_OBJECT, OP_HEAD_OBJECT,
    OP_DELETE_OBJECT, OP_DELETE_OBJECTS, OP_COPY_OBJECT, OP_PUT_OTAGGING,
    OP_GET_OTAGGING, OP_DEL_OTAGGING, OP_GET_OACL, OP_PUT_OACL, OP_LIST_V1,
    OP_LIST_V2, OP_LIST_VERSIONS, OP_CREATE_MPU, OP_UPLOAD_PART,
    OP_UPLOAD_PART_COPY, OP_COMPLETE_MPU, OP_ABORT_MPU, OP_LIST_PARTS,
    OP_LIST_MPUS, OP__END,
};

static const ts_op s3_ops[] = {
    [OP_LIST_BUCKETS] = {"ListBuckets", s3_list_buckets, TS_OP_READ, NULL, NULL},
    [OP_CREATE_BUCKET] = {"CreateBucket", s3_create_bucket, TS_OP_WRITE, NULL, NULL},
    [OP_HEAD_BUCKET] = {"HeadBucket", s3_head_bucket, TS_OP_READ, NULL, NULL},
    [OP_DELETE_BUCKET] = {"DeleteBucket", s3_delete_bucket, TS_OP_WRITE, NULL, NULL},
    [OP_GET_LOCATION] = {"GetBucketLocation", s3_get_bucket_location, TS_OP_READ, NULL, NULL},
    [OP_PUT_BTAGGING] = {"PutBucketTagging", s3_put_bucket_tagging, TS_OP_WRITE, NULL, NULL},
    [OP_GET_BTAGGING] = {"GetBucketTagging", s3_get_bucket_tagging, TS_OP_READ, NULL, NULL},
    [OP_DEL_BTAGGING] = {"DeleteBucketTagging", s3_delete_bucket_tagging, TS_OP_WRITE, NULL, NULL},
    [OP_PUT_CORS] = {"PutBucketCors", s3_put_bucket_cors, TS_OP_WRITE, NULL, NULL},
    [OP_GET_CORS] = {"GetBucketCors", s3_get_bucket_cors, TS_OP_READ, NULL, NULL},
    [OP_DEL_CORS] = {"DeleteBucketCors", s3_delete_bucket_cors, TS_OP_WRITE, NULL, NULL},
    [OP_PREFLIGHT] = {"PreflightRequest", s3_cors_preflight, TS_OP_READ, NULL, NULL},
    [OP_PUT_VERSIONING] = {"PutBucketVersioning", s3_put_bucket_versioning, TS_OP_WRITE, NULL, NULL},
    [OP_GET_VERSIONING] = {"GetBucketVersioning", s3_get_bucket_versioning, TS_OP_READ, NULL, NULL},
    [OP_PUT_CONFIG] = {"PutBucketConfiguration", s3_put_bucket_config, TS_OP_WRITE, NULL, NULL},
    [OP_GET_CONFIG] = {"GetBucketConfiguration", s3_get_bucket_config, TS_OP_READ, NULL, NULL},
    [OP_DEL_CONFIG] = {"DeleteBucketConfiguration", s3_delete_bucket_config, TS_OP_WRITE, NULL, NULL},
    [OP_GET_BACL] = {"GetBucketAcl", s3_get_bucket_acl, TS_OP_READ, NULL, NULL},
    [OP_PUT_BACL] = {"PutBucketAcl", s3_put_ok, TS_OP_WRITE, NULL, NULL},
    [OP_PUT_OBJECT] = {"PutObject", s3_put_object, TS_OP_WRITE | TS_OP_STREAM,
                       s3_upload_begin, s3_upload_body},
    [OP_GET_OBJECT] = {"GetObject", s3_get_object, TS_OP_READ, NULL, NULL},
    [OP_HEAD_OBJECT] = {"HeadObject", s3_head_object, TS_OP_READ, NULL, NULL},
    [OP_DELETE_OBJECT] = {"DeleteObject", s3_delete_object, TS_OP_WRITE, NULL, NULL},
    [OP_DELETE_OBJECTS] = {"DeleteObjects", s3_delete_objects, TS_OP_WRITE, NULL, NULL},
    [OP_COPY_OBJECT] = {"CopyObject", s3_copy_object, TS_OP_WRITE, NULL, NULL},
    [OP_PUT_OTAGGING] = {"PutObjectTagging", s3_put_object_tagging, TS_OP_WRITE, NULL, NULL},
    [OP_GET_OTAGGING] = {"GetObjectTagging", s3_get_object_tagging, TS_OP_READ, NULL, NULL},
    [OP_DEL_OTAGGING] = {"DeleteObjectTagging", s3_delete_object_tagging, TS_OP_WRITE, NULL, NULL},
    [OP_GET_OACL] = {"GetObjectAcl", s3_get_object_acl, TS_OP_READ, NULL, NULL},
    [OP_PUT_OACL] = {"PutObjectAcl", s3_put_ok, TS_OP_WRITE, NULL, NULL},
    [OP_LIST_V1] = {"ListObjects", s3_list_objects, TS_OP_READ, NULL, NULL},
    [OP_LIST_V2] = {"ListObjectsV2", s3_list_objects_v2, TS_OP_READ, NULL, NULL},
    [OP_LIST_VERSIONS] = {"ListObjectVersions", s3_list_object_versions, TS_OP_READ, NULL, NULL},
    [OP_CREATE_MPU] = {"CreateMultipartUpload", s3_create_multipart_upload, TS_OP_WRITE, NULL, NULL},
    [OP_UPLOAD_PART] = {"UploadPart", s3_upload_part, TS_OP_WRITE | TS_OP_STREAM,
                        s3_upload_begin, s3_upload_body},
    [OP_UPLOAD_PART_COPY] = {"UploadPartCopy", s3_upload_part_copy, TS_OP_WRITE, NULL, NULL},
    [OP_COMPLETE_MPU] = {"CompleteMultipartUpload", s3_complete_multipart_upload, TS_OP_WRITE, NULL, NULL},
    [OP_ABORT_MPU] = {"AbortMultipartUpload", s3_abort_multipart_upload, TS_OP_WRITE, NULL, NULL},
    [OP_LIST_PARTS] = {"ListParts", s3_list_parts, TS_OP_READ, NULL, NULL},
    [OP_LIST_MPUS] = {"ListMultipartUploads", s3_list_multipart_uploads, TS_OP_READ, NULL, NULL},
    [OP__END] = {NULL, NULL, 0, NULL, NULL},
};

/* Bucket sub-resources kept as opaque configuration documents. */
static const char *const config_subresources[] = {
    "policy", "notification", "lifecycle", "encryption", "website",
    "ownershipControls", "publicAccessBlock", "logging", "replication",
    "accelerate", "requestPayment", "object-lock", "intelligent-tiering",
    "analytics", "metrics", "inventory", NULL,
};

const char *s3_config_subresource(ts_req *req);

const char *s3_config_subresource(ts_req *req)
{
    for (int i = 0; config_subresources[i]; i++)
        if (ts_req_has_query(req, config_subresources[i]))
            return config_subresources[i];
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

static char *decode(ts_req *req, const char *s, size_t n)
{
    char *t = ts_url_decode(s, n, 0), *out;

    if (!t)
        return ts_arena_strndup(req->arena, s, n);
    out = ts_arena_strdup(req->arena, t);
    free(t);
    return out;
}

/* A presigned URL past X-Amz-Date + X-Amz-Expires is refused, as S3
 * does (the signature itself is not checked). */
static int presign_expired(ts_req *req, ts_resp *resp)
{
    const char *date = ts_req_query(req, "X-Amz-Date");
    const char *expires = ts_req_query(req, "X-Amz-Expires");
    int64_t t, now = ts_now_ms();
    char when[32];

    if (!date || !expires || ts_time_parse(date, &t) != 0)
        return 0;
    t += strtoll(expires, NULL, 10) * 1000;
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

static int bucket_op(ts_req *req, const char *m)
{
    int cfg = s3_config_subresource(req) != NULL;

    if (!strcmp(m, "PUT")) {
        if (ts_req_has_query(req, "tagging")) return OP_PUT_BTAGGING;
        if (ts_req_has_query(req, "cors")) return OP_PUT_CORS;
        if (ts_req_has_query(req, "versioning")) return OP_PUT_VERSIONING;
        if (ts_req_has_query(req, "acl")) return OP_PUT_BACL;
        if (cfg) return OP_PUT_CONFIG;
        return OP_CREATE_BUCKET;
    }
    if (!strcmp(m, "GET")) {
        if (ts_req_has_query(req, "location")) return OP_GET_LOCATION;
        if (ts_req_has_query(req, "tagging")) return OP_GET_BTAGGING;
        if (ts_req_has_query(req, "cors")) return OP_GET_CORS;
        if (ts_req_has_query(req, "versioning")) return OP_GET_VERSIONING;
        if (ts_req_has_query(req, "versions")) return OP_LIST_VERSIONS;
        if (ts_req_has_query(req, "uploads")) return OP_LIST_MPUS;
        if (ts_req_has_query(req, "acl")) return OP_GET_BACL;
        if (cfg) return OP_GET_CONFIG;
        if (ts_req_has_query(req, "list-type")) return OP_LIST_V2;
        return OP_LIST_V1;
    }
    if (!strcmp(m, "HEAD")) return OP_HEAD_BUCKET;
    if (!strcmp(m, "DELETE")) {
        if (ts_req_has_query(req, "tagging")) return OP_DEL_BTAGGING;
        if (ts_req_has_query(req, "cors")) return OP_DEL_CORS;
        if (cfg) return OP_DEL_CONFIG;
        return OP_DELETE_BUCKET;
    }
    if (!strcmp(m, "POST") && ts_req_has_query(req, "delete")) return OP_DELETE_OBJECTS;
    if (!strcmp(m, "OPTIONS")) return OP_PREFLIGHT;
    return -1;
}

static int object_op(ts_req *req, const char *m)
{
    if (!strcmp(m, "PUT")) {
        if (ts_req_has_query(req, "uploadId") && ts_req_has_query(req, "partNumber"))
            return ts_req_header(req, "x-amz-copy-source") ? OP_UPLOAD_PART_COPY
                                                           : OP_UPLOAD_PART;
        if (ts_req_has_query(req, "tagging")) return OP_PUT_OTAGGING;
        if (ts_req_has_query(req, "acl")) return OP_PUT_OACL;
        if (ts_req_header(req, "x-amz-copy-source")) return OP_COPY_OBJECT;
        return OP_PUT_OBJECT;
    }
    if (!strcmp(m, "GET")) {
        if (ts_req_has_query(req, "uploadId")) return OP_LIST_PARTS;
        if (ts_req_has_query(req, "tagging")) return OP_GET_OTAGGING;
        if (ts_req_has_query(req, "acl")) return OP_GET_OACL;
        return OP_GET_OBJECT;
    }
    if (!strcmp(m, "HEAD")) return OP_HEAD_OBJECT;
    if (!strcmp(m, "DELETE")) {
        if (ts_req_has_query(req, "uploadId")) return OP_ABORT_MPU;
        if (ts_req_has_query(req, "tagging")) return OP_DEL_OTAGGING;
        return OP_DELETE_OBJECT;
    }
    if (!strcmp(m, "POST")) {
        if (ts_req_has_query(req, "uploads")) return OP_CREATE_MPU;
        if (ts_req_has_query(req, "uploadId")) return OP_COMPLETE_MPU;
    }
    if (!strcmp(m, "OPTIONS")) return OP_PREFLIGHT;
    return -1;
}

static const ts_op *s3_resolve(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    s3_ctx *c = ts_arena_zalloc(req->arena, sizeof(*c));
    const char *p = req->path, *m = req->method;
    int op;

    req->svc = c;
    c->bucket = host_bucket(req);
    while (*p == '/')
        p++;
    if (c->bucket) {
        c->virtual_host = 1;
        if (*p)
            c->key = decode(req, p, strlen(p));
    } else if (*p) {
        const char *slash = strchr(p, '/');
        if (slash) {
            c->bucket = decode(req, p, (size_t)(slash - p));
            if (slash[1])
                c->key = decode(req, slash + 1, strlen(slash + 1));
        } else {
            c->bucket = decode(req, p, strlen(p));
        }
    }
    if (!c->bucket) {
        if (!strcmp(m, "GET"))
            return &s3_ops[OP_LIST_BUCKETS];
        ts_resp_error(resp, TS_ERR_METHOD_NOT_ALLOWED, NULL);
        return NULL;
    }
    op = c->key ? object_op(req, m) : bucket_op(req, m);
    if (op < 0) {
        ts_resp_error(resp, TS_ERR_METHOD_NOT_ALLOWED, NULL);
        ts_resp_error_field(req, resp, "Method", m);
        ts_resp_error_field(req, resp, "ResourceType", c->key ? "OBJECT" : "BUCKET");
        return NULL;
    }
    if (c->key && strlen(c->key) > S3_MAX_KEY) {
        ts_resp_error(resp, TS_ERR_KEY_TOO_LONG, NULL);
        ts_resp_error_field(req, resp, "Size", ts_arena_printf(req->arena, "%zu", strlen(c->key)));
        ts_resp_error_field(req, resp, "MaxSizeAllowed", "1024");
    }
    if (presign_expired(req, resp))
        return &s3_ops[op];
    if (ts_req_header(req, "Origin") && op != OP_PREFLIGHT)
        s3_cors_headers(req, resp);
    return &s3_ops[op];
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

/* ---- shared row helpers ---- */

static void bucket_from_row(ts_req *req, sqlite3_stmt *st, s3_bucket *b)
{
    b->id = sqlite3_column_int64(st, 0);
    b->name = store_col_text(req->arena, st, 1);
    b->region = store_col_text(req->arena, st, 2);
    b->created = sqlite3_column_int64(st, 3);
    b->versioning = sqlite3_column_int(st, 4);
    b->tagging = store_col_text(req->arena, st, 5);
    b->cors = store_col_text(req->arena, st, 6);
    b->config = store_col_text(req->arena, st, 7);
}

int s3_bucket_load_name(ts_req *req, ts_resp *resp, const char *name, s3_bucket *b)
{
    sqlite3_stmt *st = store_stmt(
        "SELECT id, name, region, created, versioning, tagging, cors, config "
        "FROM s3_bucket WHERE name = ?");
    int found;

    store_bind_text(st, 1, name);
    found = sqlite3_step(st) == SQLITE_ROW;
    if (found)
        bucket_from_row(req, st, b);
    sqlite3_reset(st);
    if (!found) {
        if (resp) {
            ts_resp_error(resp, TS_ERR_NO_SUCH_BUCKET, NULL);
            ts_resp_error_field(req, resp, "BucketName", name);
        }
        return -1;
    }
    return 0;
}

int s3_bucket_load(ts_req *req, ts_resp *resp, s3_bucket *b)
{
    return s3_bucket_load_name(req, resp, s3_ctx_of(req)->bucket, b);
}

#define OBJECT_COLS                                                         \
    "id, key, version_id, is_latest, delete_marker, size, etag, modified, " \
    "blobs, meta, tagging, checksum, parts, storage_class"

static void object_from_row(ts_req *req, sqlite3_stmt *st, s3_object *o)
{
    o->id = sqlite3_column_int64(st, 0);
    o->key = store_col_text(req->arena, st, 1);
    o->version_id = store_col_text(req->arena, st, 2);
    o->is_latest = sqlite3_column_int(st, 3);
    o->delete_marker = sqlite3_column_int(st, 4);
    o->size = (uint64_t)sqlite3_column_int64(st, 5);
    o->etag = store_col_text(req->arena, st, 6);
    o->modified = sqlite3_column_int64(st, 7);
    o->blobs = store_col_text(req->arena, st, 8);
    o->meta = store_col_text(req->arena, st, 9);
    o->tagging = store_col_text(req->arena, st, 10);
    o->checksum = store_col_text(req->arena, st, 11);
    o->parts = sqlite3_column_int(st, 12);
    o->storage_class = store_col_text(req->arena, st, 13);
}

int s3_object_load(ts_req *req, int64_t bucket_id, const char *key,
                   const char *version, s3_object *o)
{
    sqlite3_stmt *st;
    int found;

    if (version) {
        st = store_stmt("SELECT " OBJECT_COLS " FROM s3_object "
                        "WHERE bucket_id = ? AND key = ? AND version_id = ?");
        store_bind_text(st, 3, version);
    } else {
        st = store_stmt("SELECT " OBJECT_COLS " FROM s3_object "
                        "WHERE bucket_id = ? AND key = ? AND is_latest = 1");
    }
    sqlite3_bind_int64(st, 1, bucket_id);
    store_bind_text(st, 2, key);
    found = sqlite3_step(st) == SQLITE_ROW;
    if (found)
        object_from_row(req, st, o);
    sqlite3_reset(st);
    return found ? 0 : 1;
}

int s3_err_no_such_key(ts_req *req, ts_resp *resp, const char *key)
{
    ts_resp_error(resp, TS_ERR_NO_SUCH_KEY, NULL);
    ts_resp_error_field(req, resp, "Key", key);
    return -1;
}

int s3_err_no_such_version(ts_req *req, ts_resp *resp, const char *key, const char *vid)
{
    ts_resp_error(resp, TS_ERR_NO_SUCH_VERSION, NULL);
    ts_resp_error_field(req, resp, "Key", key);
    ts_resp_error_field(req, resp, "VersionId", vid);
    return -1;
}

int s3_object_find(ts_req *req, ts_resp *resp, int64_t bucket_id, const char *key,
                   const char *vid, s3_object *o)
{
    if (vid && !s3_version_id_valid(vid))
        return s3_err_bad_version(req, resp, vid);
    if (s3_object_load(req, bucket_id, key, vid, o) == 0)
        return 0;
    return vid ? s3_err_no_such_version(req, resp, key, vid)
               : s3_err_no_such_key(req, resp, key);
}

void s3_blobs_parse(ts_arena *a, const char *text, s3_blobs *out)
{
    int n = 0;
    const char *p;

    memset(out, 0, sizeof(*out));
    if (!text || !*text)
        return;
    n = 1;
    for (p = text; *p; p++)
        n += *p == ',';
    out->id = ts_arena_alloc(a, sizeof(int64_t) * (size_t)n);
    out->size = ts_arena_alloc(a, sizeof(uint64_t) * (size_t)n);
    p = text;
    for (int i = 0; i < n && *p; i++) {
        char *end;
        out->id[i] = strtoll(p, &end, 10);
        out->size[i] = *end == ':' ? strtoull(end + 1, &end, 10) : 0;
        out->n = i + 1;
        p = *end == ',' ? end + 1 : end;
    }
}

static void blobs_ref(const char *text, int delta)
{
    const char *p = text;

    while (p && *p) {
        char *end;
        int64_t id = strtoll(p, &end, 10);
        if (end == p)
            break;
        store_blob_ref(id, delta);
        p = strchr(end, ',');
        if (p)
            p++;
    }
}

void s3_blobs_release(const char *text)
{
    blobs_ref(text, -1);
}

void s3_blobs_retain(const char *text)
{
    blobs_ref(text, 1);
}

void s3_object_row_delete(int64_t row_id, const char *blobs)
{
    sqlite3_stmt *st = store_stmt("DELETE FROM s3_object WHERE id = ?");

    sqlite3_bind_int64(st, 1, row_id);
    sqlite3_step(st);
    s3_blobs_release(blobs);
}

void s3_xml_begin(ts_req *req, ts_resp *resp, const char *root)
{
    ts_buf_printf(&resp->body, TS_XML_DECL "<%s xmlns=\"" S3_XMLNS "\">", root);
    ts_resp_header(req, resp, "Content-Type", "application/xml");
}

void s3_xml_end(ts_resp *resp, const char *root)
{
    ts_xml_close(&resp->body, root);
}

char *s3_new_id(ts_req *req, size_t nbytes)
{
    char *out = ts_arena_alloc(req->arena, nbytes * 2 + 1);

    ts_random_hex(out, nbytes);
    return out;
}

/* ---- streamed object bodies ---- */

typedef struct blob_reader {
    s3_blobs blobs;
    uint64_t start;
} blob_reader;

static long blob_reader_cb(void *arg, uint64_t pos, char *buf, size_t max)
{
    blob_reader *r = arg;
    uint64_t off = r->start + pos;

    for (int i = 0; i < r->blobs.n; i++) {
        if (off < r->blobs.size[i])
            return store_blob_read(r->blobs.id[i], off, buf, max);
        off -= r->blobs.size[i];
    }
    return 0;
}

void s3_send_blobs(ts_req *req, ts_resp *resp, const char *blobs,
                   uint64_t start, uint64_t len)
{
    blob_reader *r = ts_arena_zalloc(req->arena, sizeof(*r));

    s3_blobs_parse(req->arena, blobs, &r->blobs);
    r->start = start;
    /* Small bodies are read now, in the handler's read transaction, and
     * sent from memory; large ones stream from the store. */
    if (len <= S3_INLINE_BODY && !resp->head_only) {
        uint64_t done = 0;
        ts_buf_reserve(&resp->body, (size_t)len);
        while (done < len) {
            long n = blob_reader_cb(r, done, resp->body.data + resp->body.len,
                                    (size_t)(len - done));
            if (n <= 0)
                break;
            resp->body.len += (size_t)n;
            done += (uint64_t)n;
        }
        resp->body.data[resp->body.len] = '\0';
        if (done == len)
            return;
        ts_buf_reset(&resp->body);
    }
    resp->reader = blob_reader_cb;
    resp->reader_arg = r;
    resp->reader_size = len;
}
