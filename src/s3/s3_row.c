/*
 * s3_row.c - the row helpers every S3 operation file shares: loading a
 * bucket or a version of a key, the blob lists that make an object's
 * data (their reference counts), the XML openers, and sending an
 * object's data as a response body, from memory when small and streamed
 * from the store when large.
 */
#include "s3_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void s3_blobs_pin(const s3_blobs *b)
{
    for (int i = 0; i < b->n; i++)
        store_blob_pin(b->id[i]);
}

void s3_blobs_unpin(const s3_blobs *b)
{
    for (int i = 0; i < b->n; i++)
        store_blob_unpin(b->id[i]);
}

static void blob_reader_free(void *arg)
{
    blob_reader *r = arg;

    s3_blobs_unpin(&r->blobs);
}

int s3_send_blobs(ts_req *req, ts_resp *resp, const char *blobs,
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
            return 0;
        /* Known before any header went: say so instead of a 200 that
         * ends short. */
        ts_buf_reset(&resp->body);
        ts_log(TS_LOG_ERROR, "s3: the data of %s is unreadable at byte %llu",
               s3_ctx_of(req)->key ? s3_ctx_of(req)->key : "?", (unsigned long long)done);
        return ts_resp_error(resp, TS_ERR_INTERNAL, NULL);
    }
    resp->reader = blob_reader_cb;
    resp->reader_arg = r;
    resp->reader_size = len;
    if (!resp->head_only) {
        /* The body streams after this snapshot: keep its data until sent. */
        s3_blobs_pin(&r->blobs);
        resp->reader_free = blob_reader_free;
    }
    return 0;
}
