/*
 * s3_copy.c - CopyObject and object tagging.  A copy references the
 * source's blobs (their counts go up) instead of moving bytes, so copying
 * a large object costs one row.  The x-amz-copy-source header is shared
 * with UploadPartCopy through s3_copy_source().
 */
#include "s3_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int s3_copy_source(ts_req *req, ts_resp *resp, s3_bucket *sb, s3_object *so);

/* Resolves x-amz-copy-source ("[/]bucket/key[?versionId=v]", URL-encoded)
 * to its bucket and version, with the copy-source conditions checked. */
int s3_copy_source(ts_req *req, ts_resp *resp, s3_bucket *sb, s3_object *so)
{
    const char *src = ts_req_header(req, "x-amz-copy-source"), *q, *slash;
    const char *vid = NULL, *path;
    char *bucket, *key;
    size_t n;

    while (*src == '/')
        src++;
    q = strchr(src, '?');
    if (q && ts_starts_with(q + 1, "versionId="))
        vid = ts_arena_strdup(req->arena, q + 11);
    n = q ? (size_t)(q - src) : strlen(src);
    if (s3_name_decode(req, src, n, &path) != 0)
        return ts_resp_error(resp, TS_ERR_INVALID_URI, NULL);
    if (!(slash = strchr(path, '/')) || !slash[1])
        return ts_resp_error(resp, TS_ERR_INVALID_ARGUMENT,
                             "Copy Source must mention the source bucket and key: "
                             "sourcebucket/sourcekey");
    bucket = ts_arena_strndup(req->arena, path, (size_t)(slash - path));
    key = ts_arena_strdup(req->arena, slash + 1);
    if (s3_bucket_load_name(req, resp, bucket, sb) != 0)
        return -1;
    if (s3_object_find(req, resp, sb->id, key, vid, so) != 0)
        return -1;
    if (so->delete_marker) {
        if (vid)
            return ts_resp_error(resp, TS_ERR_INVALID_REQUEST,
                                 "The source of a copy request may not "
                                 "specifically refer to a delete marker by version id.");
        return s3_err_no_such_key(req, resp, key);
    }
    return s3_check_conditions(req, resp, "x-amz-copy-source-", so->etag, so->modified);
}

int s3_copy_object(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    const char *key = s3_ctx_of(req)->key, *v, *vid;
    const char *mdir = ts_req_header(req, "x-amz-metadata-directive");
    const char *tdir = ts_req_header(req, "x-amz-tagging-directive");
    int replace_meta, replace_tags;
    s3_bucket sb, b;
    s3_object so;
    s3_newobj o;
    char when[32];

    if (mdir && strcmp(mdir, "COPY") && strcmp(mdir, "REPLACE"))
        return ts_resp_error(resp, TS_ERR_INVALID_ARGUMENT, "Unknown metadata directive.");
    if (tdir && strcmp(tdir, "COPY") && strcmp(tdir, "REPLACE"))
        return ts_resp_error(resp, TS_ERR_INVALID_ARGUMENT, "Unknown tagging directive.");
    replace_meta = mdir && !strcmp(mdir, "REPLACE");
    replace_tags = tdir && !strcmp(tdir, "REPLACE");
    memset(&o, 0, sizeof(o));
    if ((v = ts_req_header(req, "x-amz-storage-class")))
        o.storage_class = strcmp(v, "STANDARD") ? v : NULL;
    /* Both buckets are read in the dispatcher's write transaction; the
     * destination's If-Match / If-None-Match come after the source's
     * x-amz-copy-source-if-* conditions. */
    if (s3_bucket_load(req, resp, &b) != 0)
        return -1;
    if (s3_copy_source(req, resp, &sb, &so) != 0 ||
        s3_check_write_conditions(req, resp, b.id, key, 1) != 0)
        return -1;
    if (sb.id == b.id && !strcmp(so.key, key) && !replace_meta &&
        !ts_req_header(req, "x-amz-storage-class") &&
        !ts_req_header(req, "x-amz-website-redirect-location") &&
        !ts_req_header(req, "x-amz-server-side-encryption") &&
        !ts_req_header(req, "x-amz-checksum-algorithm")) {
        ts_resp_error(resp, TS_ERR_INVALID_REQUEST,
                      "This copy request is illegal because it is trying to copy "
                      "an object to itself without changing the object's metadata, "
                      "storage class, website redirect location or encryption "
                      "attributes.");
        return -1;
    }
    o.key = key;
    o.size = so.size;
    o.etag = so.etag;
    o.blobs = so.blobs;
    o.meta = replace_meta ? s3_meta_from_headers(req, resp) : so.meta;
    if (replace_tags) {
        v = ts_req_header(req, "x-amz-tagging");
        if (v && !(o.tagging = s3_tagging_from_query(req, resp, v)))
            return -1;
    } else {
        o.tagging = so.tagging;
    }
    o.checksum = so.checksum;
    o.parts = so.parts;
    if (!ts_req_header(req, "x-amz-storage-class"))
        o.storage_class = so.storage_class;
    s3_blobs_retain(so.blobs);
    vid = s3_object_put_version(req, &b, &o, "ObjectCreated:Copy");
    if (!vid)
        return ts_resp_error(resp, TS_ERR_INTERNAL, NULL);
    if (b.versioning != S3_VERSIONING_NONE)
        ts_resp_header(req, resp, "x-amz-version-id", vid);
    if (strcmp(so.version_id, "null") != 0)
        ts_resp_header(req, resp, "x-amz-copy-source-version-id", so.version_id);
    s3_xml_begin(req, resp, "CopyObjectResult");
    ts_time_iso8601(ts_now_ms(), when);
    ts_xml_text(&resp->body, "LastModified", when);
    ts_xml_text(&resp->body, "ETag", so.etag);
    if (so.checksum && strchr(so.checksum, ':')) {
        const char *colon = strchr(so.checksum, ':');
        char tag[32];
        snprintf(tag, sizeof(tag), "Checksum%.*s", (int)(colon - so.checksum),
                 so.checksum);
        ts_xml_text(&resp->body, tag, colon + 1);
    }
    s3_xml_end(resp, "CopyObjectResult");
    return 0;
}

/* ---- object tagging ---- */

static int load_for_tagging(ts_req *req, ts_resp *resp, s3_bucket *b, s3_object *o)
{
    const char *key = s3_ctx_of(req)->key, *vid = ts_req_query(req, "versionId");

    if (s3_bucket_load(req, resp, b) != 0)
        return -1;
    if (s3_object_find(req, resp, b->id, key, vid, o) != 0)
        return -1;
    if (o->delete_marker)
        return vid ? s3_err_no_such_version(req, resp, key, vid)
                   : s3_err_no_such_key(req, resp, key);
    return 0;
}

static int set_tagging(ts_req *req, ts_resp *resp, const char *json)
{
    sqlite3_stmt *st;
    s3_bucket b;
    s3_object o;

    if (load_for_tagging(req, resp, &b, &o) != 0)
        return -1;
    st = store_stmt("UPDATE s3_object SET tagging = ? WHERE id = ?");
    store_bind_text(st, 1, json);
    sqlite3_bind_int64(st, 2, o.id);
    sqlite3_step(st);
    sqlite3_reset(st);
    if (b.versioning != S3_VERSIONING_NONE)
        ts_resp_header(req, resp, "x-amz-version-id", o.version_id);
    return 0;
}

int s3_put_object_tagging(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    char *json;
    s3_bucket b;

    if (s3_bucket_load(req, resp, &b) != 0)
        return -1;
    json = s3_tagging_from_xml(req, resp, req->body.data, req->body.len);
    if (!json)
        return -1;
    return set_tagging(req, resp, json);
}

int s3_delete_object_tagging(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    if (set_tagging(req, resp, NULL) != 0)
        return -1;
    resp->status = 204;
    return 0;
}

int s3_get_object_tagging(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    s3_bucket b;
    s3_object o;

    if (load_for_tagging(req, resp, &b, &o) != 0)
        return -1;
    if (b.versioning != S3_VERSIONING_NONE)
        ts_resp_header(req, resp, "x-amz-version-id", o.version_id);
    s3_xml_begin(req, resp, "Tagging");
    s3_tagging_to_xml(&resp->body, o.tagging);
    s3_xml_end(resp, "Tagging");
    return 0;
}
