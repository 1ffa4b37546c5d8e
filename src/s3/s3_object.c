/*
 * s3_object.c - the object operations: PutObject (whose body arrives
 * through s3_upload.c), GetObject and HeadObject with ranges and
 * conditions, DeleteObject and DeleteObjects with versioning, and the
 * version bookkeeping CopyObject (s3_copy.c) and CompleteMultipartUpload
 * share.  Every change is the dispatcher's one write transaction, with
 * its event in the outbox; a handler that sets an error rolls it back.
 */
#include "s3_int.h"

#include "tinystack/bus.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const storage_classes[] = {
    "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA",
    "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR",
    "SNOW", "EXPRESS_ONEZONE", NULL,
};

static int storage_class_check(ts_req *req, ts_resp *resp, const char **out)
{
    const char *v = ts_req_header(req, "x-amz-storage-class");

    *out = NULL;
    if (!v)
        return 0;
    for (int i = 0; storage_classes[i]; i++)
        if (!strcmp(v, storage_classes[i])) {
            *out = !strcmp(v, "STANDARD") ? NULL : v;
            return 0;
        }
    return ts_resp_error(resp, TS_ERR_INVALID_STORAGE_CLASS, NULL);
}

int s3_version_id_valid(const char *v)
{
    size_t n = strlen(v);

    if (!strcmp(v, "null"))
        return 1;
    if (n != 32)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)v[i]))
            return 0;
    return 1;
}

int s3_err_bad_version(ts_req *req, ts_resp *resp, const char *v)
{
    ts_resp_error(resp, TS_ERR_INVALID_ARGUMENT, "Invalid version id specified");
    ts_resp_error_field(req, resp, "ArgumentName", "versionId");
    ts_resp_error_field(req, resp, "ArgumentValue", v);
    return -1;
}

/* Drops the unversioned ("null") version of a key, if there is one. */
static void drop_null_version(int64_t bucket_id, const char *key)
{
    sqlite3_stmt *st = store_stmt(
        "DELETE FROM s3_object WHERE bucket_id = ? AND key = ? AND "
        "version_id = 'null' RETURNING blobs");
    ts_buf blobs;

    ts_buf_init(&blobs);
    sqlite3_bind_int64(st, 1, bucket_id);
    store_bind_text(st, 2, key);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        if (t) {
            if (blobs.len)
                ts_buf_putc(&blobs, ',');
            ts_buf_puts(&blobs, t);
        }
    }
    sqlite3_reset(st);
    if (blobs.len)
        s3_blobs_release(blobs.data);
    ts_buf_free(&blobs);
}

static void unset_latest(int64_t bucket_id, const char *key)
{
    sqlite3_stmt *st = store_stmt(
        "UPDATE s3_object SET is_latest = 0 WHERE bucket_id = ? AND key = ? "
        "AND is_latest = 1");

    sqlite3_bind_int64(st, 1, bucket_id);
    store_bind_text(st, 2, key);
    sqlite3_step(st);
    sqlite3_reset(st);
}

static const char *insert_version(ts_req *req, const s3_bucket *b,
                                  const s3_newobj *o, int marker)
{
    const char *vid = "null";
    sqlite3_stmt *st;
    int rc;

    if (b->versioning == S3_VERSIONING_ENABLED)
        vid = s3_new_id(req, 16);
    else
        drop_null_version(b->id, o->key);
    unset_latest(b->id, o->key);
    st = store_stmt("INSERT INTO s3_object(bucket_id, key, version_id, is_latest,"
                    " delete_marker, size, etag, modified, blobs, meta, tagging,"
                    " checksum, parts, storage_class) "
                    "VALUES(?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    sqlite3_bind_int64(st, 1, b->id);
    store_bind_text(st, 2, o->key);
    store_bind_text(st, 3, vid);
    sqlite3_bind_int(st, 4, marker);
    sqlite3_bind_int64(st, 5, (int64_t)o->size);
    store_bind_text(st, 6, o->etag);
    sqlite3_bind_int64(st, 7, ts_now_ms());
    store_bind_text(st, 8, o->blobs);
    store_bind_text(st, 9, o->meta);
    store_bind_text(st, 10, o->tagging);
    store_bind_text(st, 11, o->checksum);
    sqlite3_bind_int(st, 12, o->parts);
    store_bind_text(st, 13, o->storage_class);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? vid : NULL;
}

const char *s3_object_put_version(ts_req *req, const s3_bucket *b,
                                  const s3_newobj *o, const char *event)
{
    const char *vid = insert_version(req, b, o, 0);

    if (vid)
        s3_event_emit(req, b, event, o->key, o->size, o->etag, vid);
    return vid;
}

static void version_header(ts_req *req, ts_resp *resp, const s3_bucket *b,
                           const char *vid)
{
    if (b->versioning != S3_VERSIONING_NONE || strcmp(vid, "null") != 0)
        ts_resp_header(req, resp, "x-amz-version-id", vid);
}

static void checksum_header(ts_req *req, ts_resp *resp, const char *checksum)
{
    const char *colon = checksum ? strchr(checksum, ':') : NULL;

    if (colon) {
        char algo[16];
        snprintf(algo, sizeof(algo), "%.*s", (int)(colon - checksum), checksum);
        ts_resp_header(req, resp, s3_cksum_header(s3_cksum_algo_parse(algo)), colon + 1);
    }
}

int s3_put_object(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    const char *key = s3_ctx_of(req)->key, *vid, *v;
    s3_upload_result r;
    s3_newobj o;
    s3_bucket b;
    int64_t blob;

    memset(&o, 0, sizeof(o));
    if (s3_upload_finish(req, resp, &r) != 0)
        return -1;
    if (storage_class_check(req, resp, &o.storage_class) != 0)
        return -1;
    if ((v = ts_req_header(req, "x-amz-tagging")) &&
        !(o.tagging = s3_tagging_from_query(req, resp, v)))
        return -1;
    o.key = key;
    o.size = r.size;
    o.etag = r.etag;
    o.meta = s3_meta_from_headers(req, resp);
    o.checksum = r.checksum;
    /* In the dispatcher's write transaction from here: the bucket is
     * loaded again (it may have gone since begin()). */
    if (s3_bucket_load(req, resp, &b) != 0 ||
        s3_check_write_conditions(req, resp, b.id, key, 1) != 0)
        return -1;
    blob = s3_upload_commit_blob(req);
    if (blob <= 0)
        return ts_resp_error(resp, TS_ERR_INTERNAL, NULL);
    o.blobs = ts_arena_printf(req->arena, "%lld:%llu", (long long)blob,
                              (unsigned long long)r.size);
    vid = s3_object_put_version(req, &b, &o, "ObjectCreated:Put");
    if (!vid)
        return ts_resp_error(resp, TS_ERR_INTERNAL, NULL);
    ts_resp_header(req, resp, "ETag", r.etag);
    version_header(req, resp, &b, vid);
    checksum_header(req, resp, r.checksum);
    v = ts_req_header(req, "x-amz-server-side-encryption");
    ts_resp_header(req, resp, "x-amz-server-side-encryption", v && *v ? v : "AES256");
    return 0;
}

/* ---- reads ---- */

int s3_range_parse(const char *h, uint64_t size, uint64_t *start, uint64_t *len)
{
    unsigned long long a = 0, b = 0;
    const char *p = h;
    char *end;

    if (strncmp(p, "bytes=", 6) != 0 || strchr(p, ','))
        return 1;
    p += 6;
    if (*p == '-') {
        if (!isdigit((unsigned char)p[1]))
            return 1;
        b = strtoull(p + 1, &end, 10);
        if (*end)
            return 1;
        if (b == 0)
            return -1;
        if (size == 0)
            return -1;
        if (b > size)
            b = size;
        *start = size - b;
        *len = b;
        return 0;
    }
    if (!isdigit((unsigned char)*p))
        return 1;
    a = strtoull(p, &end, 10);
    if (*end != '-')
        return 1;
    p = end + 1;
    if (*p) {
        if (!isdigit((unsigned char)*p))
            return 1;
        b = strtoull(p, &end, 10);
        if (*end || b < a)
            return 1;
    } else {
        b = size ? size - 1 : 0;
    }
    if (a >= size)
        return -1;
    if (b >= size)
        b = size - 1;
    *start = a;
    *len = b - a + 1;
    return 0;
}

static int etag_matches(const char *list, const char *etag)
{
    /* etag is quoted; list is a comma-separated list of (maybe quoted) tags. */
    size_t elen = strlen(etag) - 2;
    const char *p = list;

    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        size_t n = strcspn(p, ",");
        const char *s = p, *e = p + n;
        while (e > s && e[-1] == ' ')
            e--;
        if (e - s == 1 && *s == '*')
            return 1;
        if (ts_starts_with(s, "W/"))
            s += 2;
        if (*s == '"' && e > s + 1 && e[-1] == '"')
            s++, e--;
        if ((size_t)(e - s) == elen && !memcmp(s, etag + 1, elen))
            return 1;
        p += n;
    }
    return 0;
}

int s3_check_conditions(ts_req *req, ts_resp *resp, const char *prefix,
                        const char *etag, int64_t modified)
{
    char name[64];
    const char *im, *inm, *ims, *ius;
    int64_t t;
    int copy = *prefix != '\0';

    snprintf(name, sizeof(name), "%sIf-Match", prefix);
    im = ts_req_header(req, name);
    snprintf(name, sizeof(name), "%sIf-None-Match", prefix);
    inm = ts_req_header(req, name);
    snprintf(name, sizeof(name), "%sIf-Modified-Since", prefix);
    ims = ts_req_header(req, name);
    snprintf(name, sizeof(name), "%sIf-Unmodified-Since", prefix);
    ius = ts_req_header(req, name);
    modified -= modified % 1000;

    if (im && !etag_matches(im, etag))
        goto failed;
    if (!im && ius && ts_time_parse(ius, &t) == 0 && modified > t)
        goto failed;
    if (inm && etag_matches(inm, etag))
        goto not_modified;
    if (!inm && ims && ts_time_parse(ims, &t) == 0 && modified <= t &&
        t <= ts_now_ms())
        goto not_modified;
    return 0;
not_modified:
    if (copy)
        goto failed;
    resp->status = 304;
    return ts_resp_error(resp, TS_ERR_NOT_MODIFIED, NULL);
failed:
    ts_resp_error(resp, TS_ERR_PRECONDITION_FAILED, NULL);
    ts_resp_error_field(req, resp, "Condition",
                        im ? (copy ? "x-amz-copy-source-If-Match" : "If-Match")
                           : ius ? (copy ? "x-amz-copy-source-If-Unmodified-Since"
                                         : "If-Unmodified-Since")
                                 : (copy ? "x-amz-copy-source-If-None-Match"
                                         : "If-None-Match"));
    return -1;
}

int s3_check_write_conditions(ts_req *req, ts_resp *resp, int64_t bucket_id,
                              const char *key, int none_match)
{
    const char *im = ts_req_header(req, "If-Match");
    const char *inm = none_match ? ts_req_header(req, "If-None-Match") : NULL;
    s3_object cur;
    int exists;

    if (!im && !inm)
        return 0;
    exists = s3_object_load(req, bucket_id, key, NULL, &cur) == 0 && !cur.delete_marker;
    if (im && !exists)
        return s3_err_no_such_key(req, resp, key);
    if ((im && !etag_matches(im, cur.etag)) || (inm && exists && etag_matches(inm, cur.etag))) {
        ts_resp_error(resp, TS_ERR_PRECONDITION_FAILED, NULL);
        ts_resp_error_field(req, resp, "Condition",
                            im && !etag_matches(im, cur.etag) ? "If-Match" : "If-None-Match");
        return -1;
    }
    return 0;
}

static void object_headers(ts_req *req, ts_resp *resp, const s3_bucket *b,
                           const s3_object *o)
{
    char when[32];

    ts_resp_header(req, resp, "ETag", o->etag);
    ts_time_rfc1123(o->modified, when);
    ts_resp_header(req, resp, "Last-Modified", when);
    version_header(req, resp, b, o->version_id);
}

static const struct {
    const char *param, *header;
} overrides[] = {
    {"response-content-type", "Content-Type"},
    {"response-content-language", "Content-Language"},
    {"response-expires", "Expires"},
    {"response-cache-control", "Cache-Control"},
    {"response-content-disposition", "Content-Disposition"},
    {"response-content-encoding", "Content-Encoding"},
};

static int resp_has_header(const ts_resp *resp, const char *name)
{
    for (const ts_kv *h = resp->headers; h; h = h->next)
        if (!strcasecmp(h->name, name))
            return 1;
    return 0;
}

static void drop_header(ts_resp *resp, const char *name)
{
    for (ts_kv **h = &resp->headers; *h;) {
        if (!strcasecmp((*h)->name, name))
            *h = (*h)->next;
        else
            h = &(*h)->next;
    }
}

static int get_or_head(ts_req *req, ts_resp *resp, int head)
{
    const char *key = s3_ctx_of(req)->key, *vid = ts_req_query(req, "versionId");
    const char *range = ts_req_header(req, "Range"), *mode, *pn;
    uint64_t start = 0, len;
    s3_bucket b;
    s3_object o;
    char when[32];
    int r = 1;

    if (s3_bucket_load(req, resp, &b) != 0)
        return -1;
    if (s3_object_find(req, resp, b.id, key, vid, &o) != 0)
        return -1;
    if (o.delete_marker) {
        ts_resp_header(req, resp, "x-amz-delete-marker", "true");
        ts_resp_header(req, resp, "x-amz-version-id", o.version_id);
        if (vid) {
            ts_time_rfc1123(o.modified, when);
            ts_resp_header(req, resp, "Last-Modified", when);
            ts_resp_header(req, resp, "Allow", "DELETE");
            ts_resp_error(resp, TS_ERR_METHOD_NOT_ALLOWED, NULL);
            ts_resp_error_field(req, resp, "Method", req->method);
            ts_resp_error_field(req, resp, "ResourceType", "DeleteMarker");
            return -1;
        }
        return s3_err_no_such_key(req, resp, key);
    }
    if (s3_check_conditions(req, resp, "", o.etag, o.modified) != 0) {
        if (resp->status == 304)
            object_headers(req, resp, &b, &o);
        return -1;
    }
    len = o.size;
    if ((pn = ts_req_query(req, "partNumber"))) {
        s3_blobs bl;
        int k = atoi(pn);
        s3_blobs_parse(req->arena, o.blobs, &bl);
        if (k < 1 || k > 10000)
            return ts_resp_error(resp, TS_ERR_INVALID_ARGUMENT,
                                 "Part number must be an integer between 1 and "
                                 "10000, inclusive");
        if (k > (o.parts ? bl.n : 1)) {
            ts_resp_error(resp, TS_ERR_INVALID_RANGE, NULL);
            return -1;
        }
        if (o.parts) {
            for (int i = 0; i < k - 1; i++)
                start += bl.size[i];
            len = bl.size[k - 1];
            ts_resp_headerf(req, resp, "x-amz-mp-parts-count", "%d", o.parts);
            r = 0;
        }
        range = NULL;
    }
    if (range) {
        r = s3_range_parse(range, o.size, &start, &len);
        if (r < 0) {
            ts_resp_error(resp, TS_ERR_INVALID_RANGE, NULL);
            ts_resp_error_field(req, resp, "ActualObjectSize",
                                ts_arena_printf(req->arena, "%llu",
                                                (unsigned long long)o.size));
            ts_resp_error_field(req, resp, "RangeRequested", range);
            ts_resp_headerf(req, resp, "Content-Range", "bytes */%llu",
                            (unsigned long long)o.size);
            return -1;
        }
        if (r > 0) {
            start = 0;
            len = o.size;
        }
    }
    s3_meta_to_headers(req, resp, o.meta);
    for (size_t i = 0; i < TS_ARRAY_LEN(overrides); i++) {
        const char *v = ts_req_query(req, overrides[i].param);
        if (v) {
            drop_header(resp, overrides[i].header);
            ts_resp_header(req, resp, overrides[i].header, v);
        }
    }
    object_headers(req, resp, &b, &o);
    ts_resp_header(req, resp, "Accept-Ranges", "bytes");
    /* Every object is encrypted at rest: the stored algorithm, or S3's
     * default (never both). */
    if (!resp_has_header(resp, "x-amz-server-side-encryption"))
        ts_resp_header(req, resp, "x-amz-server-side-encryption", "AES256");
    if (o.storage_class)
        ts_resp_header(req, resp, "x-amz-storage-class", o.storage_class);
    if (o.tagging && s3_tag_count(o.tagging) > 0)
        ts_resp_headerf(req, resp, "x-amz-tagging-count", "%d", s3_tag_count(o.tagging));
    mode = ts_req_header(req, "x-amz-checksum-mode");
    if (mode && !strcasecmp(mode, "ENABLED") && r != 0)
        checksum_header(req, resp, o.checksum);
    if (r == 0) {
        resp->status = 206;
        ts_resp_headerf(req, resp, "Content-Range", "bytes %llu-%llu/%llu",
                        (unsigned long long)start,
                        (unsigned long long)(start + len - 1),
                        (unsigned long long)o.size);
    }
    resp->head_only = head;
    return s3_send_blobs(req, resp, o.blobs, start, len);
}

/* The dispatcher's read snapshot holds the bucket, the version and
 * (small) data together. */
int s3_get_object(ts_call *call)
{
    return get_or_head(call->req, call->resp, 0);
}

int s3_head_object(ts_call *call)
{
    return get_or_head(call->req, call->resp, 1);
}

/* ---- deletes ---- */

/* Makes the newest remaining version of a key its current one. */
static void promote_latest(int64_t bucket_id, const char *key)
{
    sqlite3_stmt *st = store_stmt(
        "UPDATE s3_object SET is_latest = 1 WHERE id = (SELECT id FROM s3_object"
        " WHERE bucket_id = ? AND key = ? ORDER BY id DESC LIMIT 1) AND NOT EXISTS"
        " (SELECT 1 FROM s3_object WHERE bucket_id = ? AND key = ? AND is_latest = 1)");

    sqlite3_bind_int64(st, 1, bucket_id);
    store_bind_text(st, 2, key);
    sqlite3_bind_int64(st, 3, bucket_id);
    store_bind_text(st, 4, key);
    sqlite3_step(st);
    sqlite3_reset(st);
}

int s3_delete_one(ts_req *req, s3_bucket *b, const char *key,
                  const char *version, int *marker, const char **version_out)
{
    s3_object o;
    s3_newobj dm;

    *marker = 0;
    *version_out = NULL;
    if (version) {
        if (s3_object_load(req, b->id, key, version, &o) != 0)
            return 0; /* deleting a version that is not there succeeds */
        s3_object_row_delete(o.id, o.blobs);
        promote_latest(b->id, key);
        *marker = o.delete_marker;
        *version_out = o.version_id;
        if (!o.delete_marker)
            s3_event_emit(req, b, "ObjectRemoved:Delete", key, 0, NULL, version);
        return 0;
    }
    if (b->versioning == S3_VERSIONING_NONE) {
        if (s3_object_load(req, b->id, key, NULL, &o) == 0) {
            s3_object_row_delete(o.id, o.blobs);
            s3_event_emit(req, b, "ObjectRemoved:Delete", key, 0, NULL, NULL);
        }
        return 0;
    }
    memset(&dm, 0, sizeof(dm));
    dm.key = key;
    *version_out = insert_version(req, b, &dm, 1);
    *marker = 1;
    s3_event_emit(req, b, "ObjectRemoved:DeleteMarkerCreated", key, 0, NULL,
                  *version_out);
    return *version_out ? 0 : -1;
}

int s3_delete_object(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    const char *vid = ts_req_query(req, "versionId"), *out_vid;
    s3_bucket b;
    int marker;

    if (vid && !s3_version_id_valid(vid))
        return s3_err_bad_version(req, resp, vid);
    /* If-Match (an ETag or *) is checked against the current version. */
    if (s3_bucket_load(req, resp, &b) != 0 ||
        s3_check_write_conditions(req, resp, b.id, s3_ctx_of(req)->key, 0) != 0)
        return -1;
    if (s3_delete_one(req, &b, s3_ctx_of(req)->key, vid, &marker, &out_vid) != 0)
        return ts_resp_error(resp, TS_ERR_INTERNAL, NULL);
    if (marker)
        ts_resp_header(req, resp, "x-amz-delete-marker", "true");
    if (out_vid && (b.versioning != S3_VERSIONING_NONE || vid))
        ts_resp_header(req, resp, "x-amz-version-id", out_vid);
    resp->status = 204;
    return 0;
}

/* DeleteObjects' per-object <ETag> is a conditional delete of the
 * current version, as If-Match is for DeleteObject: 1 when it fails
 * (an <Error> is written for the key). */
static int delete_etag_fails(ts_req *req, const s3_bucket *b, ts_xml_node *obj,
                             const char *key, ts_buf *out)
{
    const char *etag = ts_xml_child_text(obj, "ETag");
    s3_object cur;
    int exists;

    if (!etag || !*etag)
        return 0;
    exists = s3_object_load(req, b->id, key, NULL, &cur) == 0 && !cur.delete_marker;
    if (exists && etag_matches(etag, cur.etag))
        return 0;
    ts_buf_puts(out, "<Error>");
    ts_xml_text(out, "Key", key);
    ts_xml_text(out, "Code", exists ? "PreconditionFailed" : "NoSuchKey");
    ts_xml_text(out, "Message", exists ? ts_error_message(TS_ERR_PRECONDITION_FAILED)
                                       : ts_error_message(TS_ERR_NO_SUCH_KEY));
    ts_buf_puts(out, "</Error>");
    return 1;
}

int s3_delete_objects(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    ts_xml_node *root = ts_xml_parse(req->arena, req->body.data, req->body.len), *obj;
    const char *quiet;
    int n = 0, is_quiet;
    s3_bucket b;
    ts_buf out;

    if (s3_bucket_load(req, resp, &b) != 0)
        return -1;
    if (!root || strcmp(root->name, "Delete") != 0)
        return ts_resp_error(resp, TS_ERR_MALFORMED_XML, NULL);
    for (obj = ts_xml_child(root, "Object"); obj; obj = ts_xml_next(obj)) {
        if (!ts_xml_child_text(obj, "Key"))
            return ts_resp_error(resp, TS_ERR_MALFORMED_XML, NULL);
        n++;
    }
    if (n == 0 || n > 1000)
        return ts_resp_error(resp, TS_ERR_MALFORMED_XML, NULL);
    quiet = ts_xml_child_text(root, "Quiet");
    is_quiet = quiet && !strcasecmp(quiet, "true");
    ts_buf_init(&out);
    for (obj = ts_xml_child(root, "Object"); obj; obj = ts_xml_next(obj)) {
        const char *key = ts_xml_child_text(obj, "Key");
        const char *vid = ts_xml_child_text(obj, "VersionId"), *out_vid;
        int marker;

        if (vid && !*vid)
            vid = NULL;
        if (strlen(key) > S3_MAX_KEY || (vid && !s3_version_id_valid(vid))) {
            ts_buf_puts(&out, "<Error>");
            ts_xml_text(&out, "Key", key);
            if (vid)
                ts_xml_text(&out, "VersionId", vid);
            ts_xml_text(&out, "Code", vid && strlen(key) <= S3_MAX_KEY ? "NoSuchVersion"
                                                                       : "KeyTooLongError");
            ts_xml_text(&out, "Message", vid && strlen(key) <= S3_MAX_KEY
                                             ? "The specified version does not exist."
                                             : "Your key is too long");
            ts_buf_puts(&out, "</Error>");
            continue;
        }
        if (delete_etag_fails(req, &b, obj, key, &out))
            continue;
        if (s3_delete_one(req, &b, key, vid, &marker, &out_vid) != 0) {
            ts_buf_free(&out);
            return ts_resp_error(resp, TS_ERR_INTERNAL, NULL);
        }
        if (is_quiet)
            continue;
        ts_buf_puts(&out, "<Deleted>");
        ts_xml_text(&out, "Key", key);
        if (vid)
            ts_xml_text(&out, "VersionId", vid);
        if (marker) {
            ts_xml_text(&out, "DeleteMarker", "true");
            if (out_vid)
                ts_xml_text(&out, "DeleteMarkerVersionId", out_vid);
        }
        ts_buf_puts(&out, "</Deleted>");
    }
    s3_xml_begin(req, resp, "DeleteResult");
    if (out.len)
        ts_buf_append(&resp->body, out.data, out.len);
    s3_xml_end(resp, "DeleteResult");
    ts_buf_free(&out);
    return 0;
}
