/*
 * s3_multipart.c - multipart uploads.  Each part is a blob of its own;
 * completing an upload hands the listed parts' blobs, in order, to the
 * new object version (its blobs column lists them), so a 5 GiB upload
 * completes without moving a byte.  Parts left out are released.  A
 * completed upload is remembered for an hour (s3_completed), so a
 * Complete retried after it succeeded gets the same answer.  UploadPartCopy
 * copies bytes in transactions of its own, its source pinned.
 */
#include "s3_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int s3_copy_source(ts_req *req, ts_resp *resp, s3_bucket *sb, s3_object *so);

typedef struct s3_mpu {
    int64_t id;
    const char *upload_id;
    const char *key;
    int64_t created;
    const char *meta, *tagging, *checksum_algo, *storage_class;
} s3_mpu;

static int no_such_upload(ts_req *req, ts_resp *resp, const char *id)
{
    ts_resp_error(resp, TS_ERR_NO_SUCH_UPLOAD, NULL);
    ts_resp_error_field(req, resp, "UploadId", id ? id : "");
    return -1;
}

/* Loads the request's upload (uploadId, in bucket b, for the request's
 * key); NoSuchUpload when absent (no error set when resp is NULL). */
static int mpu_load(ts_req *req, ts_resp *resp, const s3_bucket *b, s3_mpu *u)
{
    const char *id = ts_req_query(req, "uploadId");
    sqlite3_stmt *st = store_stmt(
        "SELECT id, upload_id, key, created, meta, tagging, checksum_algo,"
        " storage_class FROM s3_upload WHERE upload_id = ? AND bucket_id = ?");
    int found;

    store_bind_text(st, 1, id);
    sqlite3_bind_int64(st, 2, b->id);
    found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        u->id = sqlite3_column_int64(st, 0);
        u->upload_id = store_col_text(req->arena, st, 1);
        u->key = store_col_text(req->arena, st, 2);
        u->created = sqlite3_column_int64(st, 3);
        u->meta = store_col_text(req->arena, st, 4);
        u->tagging = store_col_text(req->arena, st, 5);
        u->checksum_algo = store_col_text(req->arena, st, 6);
        u->storage_class = store_col_text(req->arena, st, 7);
    }
    sqlite3_reset(st);
    if (!found || strcmp(u->key, s3_ctx_of(req)->key) != 0)
        return resp ? no_such_upload(req, resp, id) : -1;
    return 0;
}

int s3_create_multipart_upload(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    const char *key = s3_ctx_of(req)->key, *v, *tagging = NULL, *algo;
    sqlite3_stmt *st;
    char *upload_id;
    s3_bucket b;

    if (s3_bucket_load(req, resp, &b) != 0)
        return -1;
    if ((v = ts_req_header(req, "x-amz-tagging")) &&
        !(tagging = s3_tagging_from_query(req, resp, v)))
        return -1;
    algo = ts_req_header(req, "x-amz-checksum-algorithm");
    if (algo && s3_cksum_algo_parse(algo) == S3_CK_NONE)
        return ts_resp_error(resp, TS_ERR_INVALID_REQUEST,
                             "Checksum algorithm provided is unsupported. Please try "
                             "again with any of the valid types: [CRC32, CRC32C, "
                             "CRC64NVME, SHA1, SHA256]");
    upload_id = s3_new_id(req, 24);
    st = store_stmt("INSERT INTO s3_upload(upload_id, bucket_id, key, created, meta,"
                    " tagging, checksum_algo, storage_class) VALUES(?,?,?,?,?,?,?,?)");
    store_bind_text(st, 1, upload_id);
    sqlite3_bind_int64(st, 2, b.id);
    store_bind_text(st, 3, key);
    sqlite3_bind_int64(st, 4, ts_now_ms());
    store_bind_text(st, 5, s3_meta_from_headers(req, resp));
    store_bind_text(st, 6, tagging);
    store_bind_text(st, 7, algo);
    v = ts_req_header(req, "x-amz-storage-class");
    store_bind_text(st, 8, v && strcmp(v, "STANDARD") ? v : NULL);
    if (sqlite3_step(st) != SQLITE_DONE) {
        sqlite3_reset(st);
        return ts_resp_error(resp, TS_ERR_INTERNAL, NULL);
    }
    sqlite3_reset(st);
    if (algo)
        ts_resp_header(req, resp, "x-amz-checksum-algorithm", algo);
    s3_xml_begin(req, resp, "InitiateMultipartUploadResult");
    ts_xml_text(&resp->body, "Bucket", b.name);
    ts_xml_text(&resp->body, "Key", key);
    ts_xml_text(&resp->body, "UploadId", upload_id);
    s3_xml_end(resp, "InitiateMultipartUploadResult");
    return 0;
}

/* Inside a transaction: stores a part, replacing (and releasing) any
 * earlier upload of the same number. */
static int part_store(const s3_mpu *u, int num, uint64_t size, const char *etag,
                      int64_t blob, const char *checksum)
{
    sqlite3_stmt *st = store_stmt(
        "SELECT blob_id FROM s3_part WHERE upload = ? AND num = ?");
    int64_t old = 0;
    int rc;

    sqlite3_bind_int64(st, 1, u->id);
    sqlite3_bind_int(st, 2, num);
    if (sqlite3_step(st) == SQLITE_ROW)
        old = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (old)
        store_blob_ref(old, -1);
    st = store_stmt("INSERT OR REPLACE INTO s3_part(upload, num, size, etag, blob_id,"
                    " modified, checksum) VALUES(?,?,?,?,?,?,?)");
    sqlite3_bind_int64(st, 1, u->id);
    sqlite3_bind_int(st, 2, num);
    sqlite3_bind_int64(st, 3, (int64_t)size);
    store_bind_text(st, 4, etag);
    sqlite3_bind_int64(st, 5, blob);
    sqlite3_bind_int64(st, 6, ts_now_ms());
    store_bind_text(st, 7, checksum);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int s3_upload_part(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    int num = atoi(ts_req_query(req, "partNumber"));
    s3_upload_result r;
    s3_bucket b;
    s3_mpu u;
    int64_t blob;

    if (s3_upload_finish(req, resp, &r) != 0)
        return -1;
    /* In the write transaction: the upload may have gone since begin(). */
    if (s3_bucket_load(req, resp, &b) != 0 || mpu_load(req, resp, &b, &u) != 0)
        return -1;
    blob = s3_upload_commit_blob(req);
    if (blob <= 0 || part_store(&u, num, r.size, r.etag, blob, r.checksum) != 0)
        return ts_resp_error(resp, TS_ERR_INTERNAL, NULL);
    ts_resp_header(req, resp, "ETag", r.etag);
    if (r.checksum) {
        const char *colon = strchr(r.checksum, ':');
        char algo[16];
        snprintf(algo, sizeof(algo), "%.*s", (int)(colon - r.checksum), r.checksum);
        ts_resp_header(req, resp, s3_cksum_header(s3_cksum_algo_parse(algo)), colon + 1);
    }
    return 0;
}

int s3_upload_part_copy(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    const char *pn = ts_req_query(req, "partNumber");
    const char *range = ts_req_header(req, "x-amz-copy-source-range");
    int num = atoi(pn);
    uint64_t start = 0, len, done = 0;
    s3_bucket b, sb;
    s3_object so;
    s3_mpu u;
    s3_blobs blobs;
    store_blob_writer w;
    EVP_MD_CTX *md5 = NULL;
    unsigned char digest[16];
    char hex[33], etag[40], when[32];
    char *buf = NULL;
    int64_t blob;
    int rc = -1, pinned = 0;
    s3_object check;

    store_blob_writer_init(&w);
    if (num < 1 || num > 10000)
        return ts_resp_error(resp, TS_ERR_INVALID_ARGUMENT,
                             "Part number must be an integer between 1 and 10000, inclusive");
    if (s3_bucket_load(req, resp, &b) != 0 || mpu_load(req, resp, &b, &u) != 0)
        return -1;
    if (s3_copy_source(req, resp, &sb, &so) != 0)
        return -1;
    len = so.size;
    if (range) {
        unsigned long long a, e;
        if (sscanf(range, "bytes=%llu-%llu", &a, &e) != 2 || e < a)
            return ts_resp_error(resp, TS_ERR_INVALID_ARGUMENT,
                                 "The x-amz-copy-source-range value must be of the form "
                                 "bytes=first-last where first and last are the "
                                 "zero-based offsets of the first and last bytes to copy");
        if (e >= so.size)
            return ts_resp_errorf(req, resp, TS_ERR_INVALID_ARGUMENT,
                                  "Range specified is not valid for source object "
                                  "of size: %llu", (unsigned long long)so.size);
        start = a;
        len = e - a + 1;
    }
    /* Copy the bytes into a new blob, hashing as they go, in short
     * transactions (the handler has its own): the source stays pinned,
     * so its data outlives a delete or overwrite meanwhile. */
    md5 = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md5, EVP_md5(), NULL);
    buf = ts_malloc(64u << 10);
    s3_blobs_parse(req->arena, so.blobs, &blobs);
    s3_blobs_pin(&blobs);
    pinned = 1;
    if (s3_object_load(req, sb.id, so.key, so.version_id, &check) != 0 ||
        check.id != so.id) {
        /* Gone between the lookup and the pin. */
        s3_err_no_such_key(req, resp, so.key);
        goto out;
    }
    while (done < len) {
        uint64_t off = start + done;
        long n = 0;
        for (int i = 0; i < blobs.n; i++) {
            if (off < blobs.size[i]) {
                n = store_blob_read(blobs.id[i], off, buf,
                                    (size_t)TS_MIN((uint64_t)(64u << 10), len - done));
                break;
            }
            off -= blobs.size[i];
        }
        if (n <= 0) {
            /* Deleted just before the pin took: the source is gone. */
            if (s3_object_load(req, sb.id, so.key, so.version_id, &check) != 0) {
                s3_err_no_such_key(req, resp, so.key);
                goto out;
            }
            goto internal;
        }
        if (store_blob_write(&w, buf, (size_t)n) != 0)
            goto internal;
        EVP_DigestUpdate(md5, buf, (size_t)n);
        done += (uint64_t)n;
    }
    EVP_DigestFinal_ex(md5, digest, NULL);
    ts_hex_encode(digest, 16, hex);
    snprintf(etag, sizeof(etag), "\"%s\"", hex);
    /* The bucket and the upload again, in the transaction that stores
     * the part: either may have gone while the bytes were copied. */
    if (store_begin() != 0)
        goto internal;
    if (s3_bucket_load(req, resp, &b) != 0 || mpu_load(req, resp, &b, &u) != 0) {
        store_rollback();
        goto out;
    }
    blob = store_blob_finish(&w);
    if (blob <= 0 || part_store(&u, num, len, etag, blob, NULL) != 0 ||
        store_commit() != 0) {
        store_rollback();
        goto internal;
    }
    if (strcmp(so.version_id, "null") != 0)
        ts_resp_header(req, resp, "x-amz-copy-source-version-id", so.version_id);
    s3_xml_begin(req, resp, "CopyPartResult");
    ts_time_iso8601(ts_now_ms(), when);
    ts_xml_text(&resp->body, "LastModified", when);
    ts_xml_text(&resp->body, "ETag", etag);
    s3_xml_end(resp, "CopyPartResult");
    rc = 0;
    goto out;
internal:
    ts_resp_error(resp, TS_ERR_INTERNAL, NULL);
out:
    if (rc != 0)
        store_blob_writer_abort(&w);
    if (pinned)
        s3_blobs_unpin(&blobs);
    ts_buf_free(&w.pending);
    if (md5)
        EVP_MD_CTX_free(md5);
    ts_free(buf);
    return rc;
}

static int etag_eq(const char *a, const char *b)
{
    size_t na, nb;

    if (*a == '"')
        a++;
    if (*b == '"')
        b++;
    na = strlen(a);
    nb = strlen(b);
    if (na && a[na - 1] == '"')
        na--;
    if (nb && b[nb - 1] == '"')
        nb--;
    return na == nb && !strncmp(a, b, na);
}

static void release_parts(int64_t upload)
{
    sqlite3_stmt *st = store_stmt("SELECT blob_id FROM s3_part WHERE upload = ?");

    sqlite3_bind_int64(st, 1, upload);
    while (sqlite3_step(st) == SQLITE_ROW)
        store_blob_ref(sqlite3_column_int64(st, 0), -1);
    sqlite3_reset(st);
}

static void delete_upload(int64_t upload)
{
    sqlite3_stmt *st = store_stmt("DELETE FROM s3_part WHERE upload = ?");

    sqlite3_bind_int64(st, 1, upload);
    sqlite3_step(st);
    sqlite3_reset(st);
    st = store_stmt("DELETE FROM s3_upload WHERE id = ?");
    sqlite3_bind_int64(st, 1, upload);
    sqlite3_step(st);
    sqlite3_reset(st);
}

/* The ETag a Complete request's part list makes: the MD5 of the parts'
 * MD5s, "-N".  NULL when a part's ETag is not an MD5. */
static char *parts_etag(ts_req *req, ts_xml_node *root)
{
    EVP_MD_CTX *md5 = EVP_MD_CTX_new();
    unsigned char raw[16], digest[16];
    char hex[33];
    int n = 0, ok = 1;

    EVP_DigestInit_ex(md5, EVP_md5(), NULL);
    for (ts_xml_node *p = ts_xml_child(root, "Part"); p && ok; p = ts_xml_next(p), n++) {
        const char *e = ts_xml_child_text(p, "ETag");
        size_t len = strlen(e);
        if (len == 34 && e[0] == '"' && e[33] == '"')
            e++, len = 32;
        ok = len == 32 && ts_hex_decode(e, 32, raw) == 16;
        EVP_DigestUpdate(md5, raw, 16);
    }
    EVP_DigestFinal_ex(md5, digest, NULL);
    EVP_MD_CTX_free(md5);
    if (!ok)
        return NULL;
    ts_hex_encode(digest, 16, hex);
    return ts_arena_printf(req->arena, "\"%s-%d\"", hex, n);
}

static void complete_answer(ts_req *req, ts_resp *resp, const s3_bucket *b, const char *key,
                            const char *etag, const char *vid)
{
    if (vid && b->versioning != S3_VERSIONING_NONE)
        ts_resp_header(req, resp, "x-amz-version-id", vid);
    s3_xml_begin(req, resp, "CompleteMultipartUploadResult");
    ts_xml_textf(&resp->body, "Location", "http://%s/%s/%s",
                 ts_req_header(req, "Host") ? ts_req_header(req, "Host") : "localhost",
                 b->name, key);
    ts_xml_text(&resp->body, "Bucket", b->name);
    ts_xml_text(&resp->body, "Key", key);
    ts_xml_text(&resp->body, "ETag", etag);
    s3_xml_end(resp, "CompleteMultipartUploadResult");
}

/* Completed uploads are remembered for a while, so that a retried
 * Complete (boto3 retries one that timed out) gets the first answer. */
#define S3_COMPLETED_TTL_MS (60 * 60 * 1000)

static void completed_remember(const s3_bucket *b, const s3_mpu *u, const char *etag,
                               const char *vid)
{
    sqlite3_stmt *st = store_stmt("DELETE FROM s3_completed WHERE completed < ?");
    int64_t now = ts_now_ms();

    sqlite3_bind_int64(st, 1, now - S3_COMPLETED_TTL_MS);
    sqlite3_step(st);
    st = store_stmt("INSERT OR REPLACE INTO s3_completed(upload_id, bucket_id, key, etag,"
                    " version_id, completed) VALUES(?, ?, ?, ?, ?, ?)");
    store_bind_text(st, 1, u->upload_id);
    sqlite3_bind_int64(st, 2, b->id);
    store_bind_text(st, 3, u->key);
    store_bind_text(st, 4, etag);
    store_bind_text(st, 5, vid);
    sqlite3_bind_int64(st, 6, now);
    sqlite3_step(st);
}

/* A retry of a Complete that succeeded: the same upload, bucket, key and
 * parts (their ETag).  Answers as the first time; 1 when it did. */
static int completed_replay(ts_req *req, ts_resp *resp, const s3_bucket *b, ts_xml_node *root)
{
    sqlite3_stmt *st = store_stmt(
        "SELECT etag, version_id FROM s3_completed WHERE upload_id = ? AND bucket_id = ?"
        " AND key = ? AND completed >= ?");
    const char *key = s3_ctx_of(req)->key, *etag = NULL, *vid = NULL, *want;

    store_bind_text(st, 1, ts_req_query(req, "uploadId"));
    sqlite3_bind_int64(st, 2, b->id);
    store_bind_text(st, 3, key);
    sqlite3_bind_int64(st, 4, ts_now_ms() - S3_COMPLETED_TTL_MS);
    if (sqlite3_step(st) == SQLITE_ROW) {
        etag = store_col_text(req->arena, st, 0);
        vid = store_col_text(req->arena, st, 1);
    }
    sqlite3_reset(st);
    want = etag ? parts_etag(req, root) : NULL;
    if (!want || strcmp(want, etag) != 0)
        return 0;
    complete_answer(req, resp, b, key, etag, vid);
    return 1;
}

int s3_complete_multipart_upload(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    ts_xml_node *root = ts_xml_parse(req->arena, req->body.data, req->body.len), *p;
    EVP_MD_CTX *md5 = NULL;
    unsigned char digest[16];
    char hex[33];
    const char *vid;
    int n = 0, last = 0, small_part = 0;
    int64_t small_size = 0;
    uint64_t total = 0;
    ts_buf blobs;
    s3_newobj o;
    s3_bucket b;
    s3_mpu u;

    if (s3_bucket_load(req, resp, &b) != 0)
        return -1;
    if (!root || strcmp(root->name, "CompleteMultipartUpload") != 0 ||
        !ts_xml_child(root, "Part"))
        return ts_resp_error(resp, TS_ERR_MALFORMED_XML, NULL);
    for (p = ts_xml_child(root, "Part"); p; p = ts_xml_next(p)) {
        const char *num = ts_xml_child_text(p, "PartNumber");
        int k = num ? atoi(num) : 0;
        if (!num || k < 1 || k > 10000 || !ts_xml_child_text(p, "ETag"))
            return ts_resp_error(resp, TS_ERR_MALFORMED_XML, NULL);
        if (k <= last)
            return ts_resp_error(resp, TS_ERR_INVALID_PART_ORDER, NULL);
        last = k;
        n++;
    }
    ts_buf_init(&blobs);
    memset(&o, 0, sizeof(o));
    if (mpu_load(req, NULL, &b, &u) != 0) {
        if (completed_replay(req, resp, &b, root))
            return 0;
        return no_such_upload(req, resp, ts_req_query(req, "uploadId"));
    }
    /* The write conditions are S3's 412 before any part is looked at; the
     * upload stays for a retry without them. */
    if (s3_check_write_conditions(req, resp, b.id, u.key, 1) != 0)
        goto fail;
    md5 = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md5, EVP_md5(), NULL);
    for (p = ts_xml_child(root, "Part"); p; p = ts_xml_next(p)) {
        int k = atoi(ts_xml_child_text(p, "PartNumber"));
        sqlite3_stmt *st = store_stmt(
            "SELECT size, etag, blob_id FROM s3_part WHERE upload = ? AND num = ?");
        unsigned char raw[16];
        int found;
        int64_t size = 0, blob = 0;
        char etag[64] = "";

        sqlite3_bind_int64(st, 1, u.id);
        sqlite3_bind_int(st, 2, k);
        found = sqlite3_step(st) == SQLITE_ROW;
        if (found) {
            size = sqlite3_column_int64(st, 0);
            snprintf(etag, sizeof(etag), "%s", sqlite3_column_text(st, 1));
            blob = sqlite3_column_int64(st, 2);
        }
        sqlite3_reset(st);
        if (!found || !etag_eq(etag, ts_xml_child_text(p, "ETag"))) {
            ts_resp_error(resp, TS_ERR_INVALID_PART, NULL);
            ts_resp_error_field(req, resp, "UploadId", u.upload_id);
            ts_resp_error_field(req, resp, "PartNumber",
                                ts_arena_printf(req->arena, "%d", k));
            goto fail;
        }
        if (ts_xml_next(p) && (uint64_t)size < S3_MIN_PART && !small_part) {
            small_part = k;
            small_size = size;
        }
        ts_hex_decode(etag + 1, 32, raw);
        EVP_DigestUpdate(md5, raw, 16);
        if (blobs.len)
            ts_buf_putc(&blobs, ',');
        ts_buf_printf(&blobs, "%lld:%lld", (long long)blob, (long long)size);
        total += (uint64_t)size;
        /* The object takes over this part's reference. */
        st = store_stmt("DELETE FROM s3_part WHERE upload = ? AND num = ?");
        sqlite3_bind_int64(st, 1, u.id);
        sqlite3_bind_int(st, 2, k);
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    /* Only once every part is known to exist: S3 reports InvalidPart first. */
    if (small_part) {
        ts_resp_error(resp, TS_ERR_ENTITY_TOO_SMALL, NULL);
        ts_resp_error_field(req, resp, "ProposedSize",
                            ts_arena_printf(req->arena, "%lld", (long long)small_size));
        ts_resp_error_field(req, resp, "MinSizeAllowed", "5242880");
        ts_resp_error_field(req, resp, "PartNumber",
                            ts_arena_printf(req->arena, "%d", small_part));
        goto fail;
    }
    EVP_DigestFinal_ex(md5, digest, NULL);
    ts_hex_encode(digest, 16, hex);
    release_parts(u.id); /* parts not listed */
    delete_upload(u.id);
    o.key = u.key;
    o.size = total;
    o.etag = ts_arena_printf(req->arena, "\"%s-%d\"", hex, n);
    o.blobs = ts_arena_strdup(req->arena, blobs.data);
    o.meta = u.meta;
    o.tagging = u.tagging;
    o.parts = n;
    o.storage_class = u.storage_class;
    vid = s3_object_put_version(req, &b, &o, "ObjectCreated:CompleteMultipartUpload");
    if (!vid) {
        ts_resp_error(resp, TS_ERR_INTERNAL, NULL);
        goto fail;
    }
    completed_remember(&b, &u, o.etag, vid);
    complete_answer(req, resp, &b, u.key, o.etag, vid);
    EVP_MD_CTX_free(md5);
    ts_buf_free(&blobs);
    return 0;
fail:
    if (md5)
        EVP_MD_CTX_free(md5);
    ts_buf_free(&blobs);
    return -1;
}

int s3_abort_multipart_upload(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    s3_bucket b;
    s3_mpu u;

    if (s3_bucket_load(req, resp, &b) != 0 || mpu_load(req, resp, &b, &u) != 0)
        return -1;
    release_parts(u.id);
    delete_upload(u.id);
    resp->status = 204;
    return 0;
}

static void initiator_owner(ts_buf *b)
{
    ts_buf_puts(b, "<Initiator><ID>" S3_OWNER_ID "</ID><DisplayName>" S3_OWNER_NAME
                   "</DisplayName></Initiator><Owner><ID>" S3_OWNER_ID
                   "</ID><DisplayName>" S3_OWNER_NAME "</DisplayName></Owner>");
}

int s3_list_parts(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    const char *mp = ts_req_query(req, "max-parts"), *pm = ts_req_query(req, "part-number-marker");
    int max = mp ? atoi(mp) : 1000, marker = pm ? atoi(pm) : 0, count = 0, next = 0;
    int truncated = 0;
    sqlite3_stmt *st;
    s3_bucket b;
    s3_mpu u;
    ts_buf *out = &resp->body;
    char when[32];

    if (max < 0 || max > 1000)
        max = 1000;
    if (s3_bucket_load(req, resp, &b) != 0 || mpu_load(req, resp, &b, &u) != 0)
        return -1;
    s3_xml_begin(req, resp, "ListPartsResult");
    ts_xml_text(out, "Bucket", b.name);
    ts_xml_text(out, "Key", u.key);
    ts_xml_text(out, "UploadId", u.upload_id);
    ts_xml_textf(out, "PartNumberMarker", "%d", marker);
    st = store_stmt("SELECT num, modified, etag, size, checksum FROM s3_part"
                    " WHERE upload = ? AND num > ? ORDER BY num LIMIT ?");
    sqlite3_bind_int64(st, 1, u.id);
    sqlite3_bind_int(st, 2, marker);
    sqlite3_bind_int(st, 3, max + 1);
    ts_buf parts;
    ts_buf_init(&parts);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *ck = (const char *)sqlite3_column_text(st, 4);
        if (count == max) {
            truncated = 1;
            break;
        }
        count++;
        next = sqlite3_column_int(st, 0);
        ts_buf_puts(&parts, "<Part>");
        ts_xml_textf(&parts, "PartNumber", "%d", next);
        ts_time_iso8601(sqlite3_column_int64(st, 1), when);
        ts_xml_text(&parts, "LastModified", when);
        ts_xml_text(&parts, "ETag", (const char *)sqlite3_column_text(st, 2));
        ts_xml_textf(&parts, "Size", "%lld", (long long)sqlite3_column_int64(st, 3));
        if (ck && strchr(ck, ':')) {
            const char *colon = strchr(ck, ':');
            ts_buf_printf(&parts, "<Checksum%.*s>", (int)(colon - ck), ck);
            ts_xml_escape(&parts, colon + 1);
            ts_buf_printf(&parts, "</Checksum%.*s>", (int)(colon - ck), ck);
        }
        ts_buf_puts(&parts, "</Part>");
    }
    sqlite3_reset(st);
    ts_xml_textf(out, "NextPartNumberMarker", "%d", next);
    ts_xml_textf(out, "MaxParts", "%d", max);
    ts_xml_text(out, "IsTruncated", truncated ? "true" : "false");
    if (parts.len)
        ts_buf_append(out, parts.data, parts.len);
    ts_buf_free(&parts);
    initiator_owner(out);
    ts_xml_text(out, "StorageClass", u.storage_class ? u.storage_class : "STANDARD");
    if (u.checksum_algo)
        ts_xml_text(out, "ChecksumAlgorithm", u.checksum_algo);
    s3_xml_end(resp, "ListPartsResult");
    return 0;
}

int s3_list_multipart_uploads(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    const char *prefix = ts_req_query(req, "prefix");
    const char *mu = ts_req_query(req, "max-uploads");
    const char *km = ts_req_query(req, "key-marker");
    const char *delim = ts_req_query(req, "delimiter");
    int max = mu ? atoi(mu) : 1000, count = 0, truncated = 0;
    sqlite3_stmt *st;
    s3_bucket b;
    ts_buf *out = &resp->body, ups, last_key, last_id, cps, last_cp;
    char when[32];

    if (max < 0 || max > 1000)
        max = 1000;
    if (!prefix)
        prefix = "";
    if (s3_bucket_load(req, resp, &b) != 0)
        return -1;
    ts_buf_init(&ups);
    ts_buf_init(&last_key);
    ts_buf_init(&last_id);
    ts_buf_init(&cps);
    ts_buf_init(&last_cp);
    if (delim && !*delim)
        delim = NULL;
    st = store_stmt("SELECT key, upload_id, created, storage_class FROM s3_upload"
                    " WHERE bucket_id = ? AND key >= ? AND key > ?"
                    " ORDER BY key, created, id LIMIT ?");
    sqlite3_bind_int64(st, 1, b.id);
    store_bind_text(st, 2, prefix);
    store_bind_text(st, 3, km ? km : "");
    sqlite3_bind_int(st, 4, max + 1);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        const char *sc = (const char *)sqlite3_column_text(st, 3);
        const char *d;
        if (!ts_starts_with(key, prefix))
            break;
        d = delim ? strstr(key + strlen(prefix), delim) : NULL;
        if (d) {
            size_t cplen = (size_t)(d - key) + strlen(delim);
            if (last_cp.len == cplen && !memcmp(last_cp.data, key, cplen))
                continue;
            if (count == max) {
                truncated = 1;
                break;
            }
            count++;
            ts_buf_reset(&last_cp);
            ts_buf_append(&last_cp, key, cplen);
            ts_buf_puts(&cps, "<CommonPrefixes>");
            ts_xml_text(&cps, "Prefix", last_cp.data);
            ts_buf_puts(&cps, "</CommonPrefixes>");
            continue;
        }
        if (count == max) {
            truncated = 1;
            break;
        }
        count++;
        ts_buf_reset(&last_key);
        ts_buf_puts(&last_key, key);
        ts_buf_reset(&last_id);
        ts_buf_puts(&last_id, (const char *)sqlite3_column_text(st, 1));
        ts_buf_puts(&ups, "<Upload>");
        ts_xml_text(&ups, "Key", key);
        ts_xml_text(&ups, "UploadId", last_id.data);
        initiator_owner(&ups);
        ts_xml_text(&ups, "StorageClass", sc ? sc : "STANDARD");
        ts_time_iso8601(sqlite3_column_int64(st, 2), when);
        ts_xml_text(&ups, "Initiated", when);
        ts_buf_puts(&ups, "</Upload>");
    }
    sqlite3_reset(st);
    s3_xml_begin(req, resp, "ListMultipartUploadsResult");
    ts_xml_text(out, "Bucket", b.name);
    ts_xml_text(out, "KeyMarker", km ? km : "");
    ts_xml_text(out, "UploadIdMarker", ts_req_query(req, "upload-id-marker") ? ts_req_query(req, "upload-id-marker") : "");
    if (truncated) {
        ts_xml_text(out, "NextKeyMarker", last_key.data);
        ts_xml_text(out, "NextUploadIdMarker", last_id.data);
    }
    ts_xml_text(out, "Prefix", prefix);
    if (delim)
        ts_xml_text(out, "Delimiter", delim);
    ts_xml_textf(out, "MaxUploads", "%d", max);
    ts_xml_text(out, "IsTruncated", truncated ? "true" : "false");
    if (ups.len)
        ts_buf_append(out, ups.data, ups.len);
    if (cps.len)
        ts_buf_append(out, cps.data, cps.len);
    s3_xml_end(resp, "ListMultipartUploadsResult");
    ts_buf_free(&cps);
    ts_buf_free(&last_cp);
    ts_buf_free(&ups);
    ts_buf_free(&last_key);
    ts_buf_free(&last_id);
    return 0;
}
