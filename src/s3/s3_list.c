/*
 * s3_list.c - ListObjects (v1), ListObjectsV2 and ListObjectVersions.
 * Listing walks the (bucket, key) index from a cursor, so a page costs
 * the same whatever the bucket holds: keys that roll up into a common
 * prefix are skipped with one seek to the prefix's successor (the
 * smallest string above every string that starts with it: trailing 0xFF
 * bytes dropped, the last byte raised by one), not read one by one.  The
 * successor holds for any bytes, so a listing ends whatever the keys are
 * (even ones stored before keys had to be UTF-8).
 */
#include "s3_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_BATCH 1001

typedef struct list_args {
    const char *prefix;
    const char *delimiter;
    int max;
    int url;         /* encoding-type=url */
    int owner;       /* include <Owner> */
    int versions;    /* ListObjectVersions */
} list_args;

typedef struct list_state {
    ts_buf after;        /* cursor: keys strictly after this */
    int inclusive;       /* ... or, after a prefix skip, keys from this on */
    int end;             /* nothing can follow the cursor */
    int64_t after_id;    /* versions: within `after`, rows with id below */
    int count;
    int truncated;
    ts_buf last;         /* the last item emitted (key or prefix) */
    int64_t last_id;
    int last_is_prefix;
} list_state;

static void put_encoded(ts_buf *b, const char *tag, const char *v, int url)
{
    if (!v)
        return;
    if (url) {
        ts_buf e;
        ts_buf_init(&e);
        ts_url_encode(&e, v, strlen(v), 1);
        ts_xml_text(b, tag, e.data ? e.data : "");
        ts_buf_free(&e);
    } else {
        ts_xml_text(b, tag, v);
    }
}

static void owner_xml(ts_buf *b)
{
    ts_buf_puts(b, "<Owner><ID>" S3_OWNER_ID "</ID><DisplayName>" S3_OWNER_NAME
                   "</DisplayName></Owner>");
}

static void entry_xml(ts_buf *b, const list_args *a, sqlite3_stmt *st)
{
    const char *key = (const char *)sqlite3_column_text(st, 0);
    int marker = sqlite3_column_int(st, 2);
    const char *sc = (const char *)sqlite3_column_text(st, 6);
    const char *ck = (const char *)sqlite3_column_text(st, 7);
    char when[32];

    ts_buf_puts(b, a->versions ? (marker ? "<DeleteMarker>" : "<Version>") : "<Contents>");
    put_encoded(b, "Key", key, a->url);
    if (a->versions) {
        ts_xml_text(b, "VersionId", (const char *)sqlite3_column_text(st, 8));
        ts_xml_text(b, "IsLatest", sqlite3_column_int(st, 9) ? "true" : "false");
    }
    ts_time_iso8601(sqlite3_column_int64(st, 3), when);
    ts_xml_text(b, "LastModified", when);
    if (!marker) {
        ts_xml_text(b, "ETag", (const char *)sqlite3_column_text(st, 4));
        if (ck && strchr(ck, ':'))
            ts_buf_printf(b, "<ChecksumAlgorithm>%.*s</ChecksumAlgorithm>",
                          (int)(strchr(ck, ':') - ck), ck);
        ts_xml_textf(b, "Size", "%lld", (long long)sqlite3_column_int64(st, 5));
    }
    if (a->owner || a->versions)
        owner_xml(b);
    if (!marker)
        ts_xml_text(b, "StorageClass", sc ? sc : "STANDARD");
    ts_buf_puts(b, a->versions ? (marker ? "</DeleteMarker>" : "</Version>") : "</Contents>");
}

/* Moves the cursor past every key that starts with p[0..n): to p's
 * successor, inclusive; when p is all 0xFF bytes nothing follows. */
static void cursor_skip_prefix(list_state *s, const char *p, size_t n)
{
    while (n && (unsigned char)p[n - 1] == 0xFF)
        n--;
    ts_buf_reset(&s->after);
    s->after_id = 0;
    if (!n) {
        s->end = 1;
        return;
    }
    ts_buf_append(&s->after, p, n);
    s->after.data[n - 1] = (char)((unsigned char)p[n - 1] + 1);
    s->inclusive = 1;
}

/* Points the cursor just after one key (exclusive). */
static void cursor_after_key(list_state *s, const char *key, size_t klen)
{
    ts_buf_reset(&s->after);
    ts_buf_append(&s->after, key, klen);
    s->inclusive = 0;
}

/* Walks the index from the cursor in s, appending entries to items and
 * common prefixes to prefixes, until max items or the end. */
static void list_walk(ts_req *req, int64_t bucket_id, const list_args *a,
                      list_state *s, ts_buf *items, ts_buf *prefixes)
{
    size_t plen = strlen(a->prefix), dlen = a->delimiter ? strlen(a->delimiter) : 0;
    int more = 1;

    while (more && !s->end) {
        sqlite3_stmt *st;
        int rows = 0;
        /* One lower bound, so the index seek starts right there: the
         * cursor when it is past the prefix, else the prefix. */
        int from_cursor = s->after.len && (s->after.len >= plen
                                               ? memcmp(s->after.data, a->prefix, plen) >= 0
                                               : memcmp(s->after.data, a->prefix, s->after.len) > 0);
        /* ">=" from the prefix or from a successor, ">" from a key. */
        int ge = !from_cursor || s->inclusive;
        int in_key = a->versions && from_cursor && !s->inclusive && s->after_id > 0;

        if (in_key) {
            /* Resume inside the cursor's key, below the last version. */
            st = store_stmt(
                "SELECT key, id, delete_marker, modified, etag, size, storage_class,"
                " checksum, version_id, is_latest FROM s3_object"
                " WHERE bucket_id = ?1 AND key = ?2 AND id < ?3 ORDER BY id DESC LIMIT ?5");
            sqlite3_bind_int64(st, 3, s->after_id);
        } else if (a->versions && !ge) {
            st = store_stmt(
                "SELECT key, id, delete_marker, modified, etag, size, storage_class,"
                " checksum, version_id, is_latest FROM s3_object"
                " WHERE bucket_id = ?1 AND key > ?2 ORDER BY key, id DESC LIMIT ?5");
        } else if (a->versions) {
            st = store_stmt(
                "SELECT key, id, delete_marker, modified, etag, size, storage_class,"
                " checksum, version_id, is_latest FROM s3_object"
                " WHERE bucket_id = ?1 AND key >= ?2 ORDER BY key, id DESC LIMIT ?5");
        } else if (!ge) {
            st = store_stmt(
                "SELECT key, id, delete_marker, modified, etag, size, storage_class,"
                " checksum FROM s3_object"
                " WHERE bucket_id = ?1 AND is_latest = 1 AND key > ?2"
                " ORDER BY key LIMIT ?5");
        } else {
            st = store_stmt(
                "SELECT key, id, delete_marker, modified, etag, size, storage_class,"
                " checksum FROM s3_object"
                " WHERE bucket_id = ?1 AND is_latest = 1 AND key >= ?2"
                " ORDER BY key LIMIT ?5");
        }
        sqlite3_bind_int64(st, 1, bucket_id);
        if (from_cursor)
            sqlite3_bind_text(st, 2, s->after.data, (int)s->after.len, SQLITE_TRANSIENT);
        else
            sqlite3_bind_text(st, 2, a->prefix, (int)plen, SQLITE_STATIC);
        sqlite3_bind_int(st, 5, LIST_BATCH);
        more = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *key = (const char *)sqlite3_column_text(st, 0);
            size_t klen = (size_t)sqlite3_column_bytes(st, 0);
            const char *d;

            rows++;
            if (klen < plen || memcmp(key, a->prefix, plen) != 0)
                break; /* past the prefix: done */

            if (!a->versions && sqlite3_column_int(st, 2)) {
                cursor_after_key(s, key, klen);
                more = rows == LIST_BATCH;
                continue;
            }
            d = dlen ? memmem(key + plen, klen - plen, a->delimiter, dlen) : NULL;
            if (s->count == a->max) {
                s->truncated = 1;
                break;
            }
            s->count++;
            ts_buf_reset(&s->last);
            if (d) {
                size_t cplen = (size_t)(d - key) + dlen;
                ts_buf_append(&s->last, key, cplen);
                s->last_is_prefix = 1;
                ts_buf_puts(prefixes, "<CommonPrefixes>");
                put_encoded(prefixes, "Prefix", s->last.data, a->url);
                ts_buf_puts(prefixes, "</CommonPrefixes>");
                cursor_skip_prefix(s, key, cplen);
                more = 1; /* seek past the prefix with a new query */
                break;
            }
            ts_buf_append(&s->last, key, klen);
            s->last_is_prefix = 0;
            s->last_id = sqlite3_column_int64(st, 1);
            entry_xml(items, a, st);
            cursor_after_key(s, key, klen);
            s->after_id = s->last_id;
            more = rows == LIST_BATCH;
        }
        sqlite3_reset(st);
        if (in_key && !more && !s->truncated) {
            /* The key's remaining versions are done: go on past it. */
            s->after_id = 0;
            more = 1;
        }
    }
}

/* Sets the cursor to resume after a marker (a key, or a common prefix
 * when it holds the delimiter past the prefix). */
static void cursor_from_marker(list_state *s, const list_args *a, const char *m,
                               size_t mlen)
{
    size_t plen = strlen(a->prefix), dlen = a->delimiter ? strlen(a->delimiter) : 0;

    ts_buf_reset(&s->after);
    s->inclusive = 0;
    if (!m)
        return;
    if (dlen && mlen >= plen + dlen && !memcmp(m, a->prefix, plen) &&
        !memcmp(m + mlen - dlen, a->delimiter, dlen))
        cursor_skip_prefix(s, m, mlen);
    else
        ts_buf_append(&s->after, m, mlen);
}

static int parse_common(ts_req *req, ts_resp *resp, list_args *a)
{
    const char *mk = ts_req_query(req, "max-keys"), *enc = ts_req_query(req, "encoding-type");

    memset(a, 0, sizeof(*a));
    a->prefix = ts_req_query(req, "prefix");
    if (!a->prefix)
        a->prefix = "";
    a->delimiter = ts_req_query(req, "delimiter");
    if (a->delimiter && !*a->delimiter)
        a->delimiter = NULL;
    a->max = 1000;
    if (mk) {
        char *end;
        long n = strtol(mk, &end, 10);
        if (!*mk || *end || n < 0) {
            ts_resp_error(resp, TS_ERR_INVALID_ARGUMENT,
                          "Provided max-keys not an integer or within integer range");
            ts_resp_error_field(req, resp, "ArgumentName", "max-keys");
            ts_resp_error_field(req, resp, "ArgumentValue", mk);
            return -1;
        }
        a->max = n > 1000 ? 1000 : (int)n;
    }
    if (enc) {
        if (strcmp(enc, "url") != 0) {
            ts_resp_error(resp, TS_ERR_INVALID_ARGUMENT,
                          "Invalid Encoding Method specified in Request");
            ts_resp_error_field(req, resp, "ArgumentName", "encoding-type");
            ts_resp_error_field(req, resp, "ArgumentValue", enc);
            return -1;
        }
        a->url = 1;
    }
    return 0;
}

static void state_init(list_state *s)
{
    memset(s, 0, sizeof(*s));
    ts_buf_init(&s->after);
    ts_buf_init(&s->last);
}

static void state_free(list_state *s)
{
    ts_buf_free(&s->after);
    ts_buf_free(&s->last);
}

/* Appends the entries, then the common prefixes, closes the root and
 * frees the walk's buffers. */
static void list_close(ts_resp *resp, const char *root, ts_buf *items, ts_buf *prefixes,
                       list_state *s)
{
    if (items->len)
        ts_buf_append(&resp->body, items->data, items->len);
    if (prefixes->len)
        ts_buf_append(&resp->body, prefixes->data, prefixes->len);
    s3_xml_end(resp, root);
    ts_buf_free(items);
    ts_buf_free(prefixes);
    state_free(s);
}

/* With encoding-type=url S3 encodes Prefix in ListObjectsV2 and
 * ListObjectVersions, not in ListObjects (v1), whose Prefix botocore
 * therefore never decodes. */
static void head_common(ts_buf *b, const char *bucket, const list_args *a, int encode_prefix)
{
    ts_xml_text(b, "Name", bucket);
    put_encoded(b, "Prefix", a->prefix, a->url && encode_prefix);
    if (a->delimiter)
        put_encoded(b, "Delimiter", a->delimiter, a->url);
    ts_xml_textf(b, "MaxKeys", "%d", a->max);
    if (a->url)
        ts_xml_text(b, "EncodingType", "url");
}

int s3_list_objects_v2(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    const char *token = ts_req_query(req, "continuation-token");
    const char *start_after = ts_req_query(req, "start-after");
    const char *fo = ts_req_query(req, "fetch-owner");
    char *resume = NULL;
    size_t resume_len = 0;
    ts_buf items, prefixes;
    list_state s;
    list_args a;
    s3_bucket b;
    ts_buf *out = &resp->body;

    if (s3_bucket_load(req, resp, &b) != 0 || parse_common(req, resp, &a) != 0)
        return -1;
    if (token) {
        unsigned char *raw = NULL;
        size_t n = 0;
        if (!*token || ts_base64_decode(token, strlen(token), &raw, &n) != 0 ||
            n < 2 || memcmp(raw, "1:", 2) != 0) {
            ts_free(raw);
            ts_resp_error(resp, TS_ERR_INVALID_TOKEN, NULL);
            ts_resp_error_field(req, resp, "ArgumentName", "continuation-token");
            ts_resp_error_field(req, resp, "ArgumentValue", token);
            return -1;
        }
        resume_len = n - 2;
        resume = ts_arena_alloc(req->arena, resume_len + 1);
        memcpy(resume, raw + 2, resume_len);
        resume[resume_len] = '\0';
        ts_free(raw);
    }
    a.owner = fo && !strcmp(fo, "true");
    state_init(&s);
    ts_buf_init(&items);
    ts_buf_init(&prefixes);
    if (resume)
        cursor_from_marker(&s, &a, resume, resume_len);
    else
        cursor_from_marker(&s, &a, start_after, start_after ? strlen(start_after) : 0);
    if (a.max > 0)
        list_walk(req, b.id, &a, &s, &items, &prefixes);
    else
        s.truncated = 0;
    s3_xml_begin(req, resp, "ListBucketResult");
    head_common(out, b.name, &a, 1);
    ts_xml_textf(out, "KeyCount", "%d", s.count);
    ts_xml_text(out, "IsTruncated", s.truncated ? "true" : "false");
    if (token)
        ts_xml_text(out, "ContinuationToken", token);
    if (start_after)
        put_encoded(out, "StartAfter", start_after, a.url);
    if (s.truncated) {
        ts_buf t;
        char *b64;
        ts_buf_init(&t);
        ts_buf_puts(&t, "1:");
        ts_buf_append(&t, s.last.data, s.last.len);
        b64 = ts_base64_encode((unsigned char *)t.data, t.len);
        ts_xml_text(out, "NextContinuationToken", b64);
        ts_free(b64);
        ts_buf_free(&t);
    }
    list_close(resp, "ListBucketResult", &items, &prefixes, &s);
    return 0;
}

int s3_list_objects(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    const char *marker = ts_req_query(req, "marker");
    ts_buf items, prefixes;
    list_state s;
    list_args a;
    s3_bucket b;
    ts_buf *out = &resp->body;

    if (s3_bucket_load(req, resp, &b) != 0 || parse_common(req, resp, &a) != 0)
        return -1;
    a.owner = 1;
    state_init(&s);
    ts_buf_init(&items);
    ts_buf_init(&prefixes);
    cursor_from_marker(&s, &a, marker, marker ? strlen(marker) : 0);
    if (a.max > 0)
        list_walk(req, b.id, &a, &s, &items, &prefixes);
    s3_xml_begin(req, resp, "ListBucketResult");
    head_common(out, b.name, &a, 0);
    put_encoded(out, "Marker", marker ? marker : "", a.url);
    ts_xml_text(out, "IsTruncated", s.truncated ? "true" : "false");
    if (s.truncated && a.delimiter)
        put_encoded(out, "NextMarker", s.last.data, a.url);
    list_close(resp, "ListBucketResult", &items, &prefixes, &s);
    return 0;
}

int s3_list_object_versions(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    const char *km = ts_req_query(req, "key-marker");
    const char *vm = ts_req_query(req, "version-id-marker");
    ts_buf items, prefixes;
    list_state s;
    list_args a;
    s3_bucket b;
    ts_buf *out = &resp->body;

    if (s3_bucket_load(req, resp, &b) != 0 || parse_common(req, resp, &a) != 0)
        return -1;
    if (vm && (!km || !*km)) {
        ts_resp_error(resp, TS_ERR_INVALID_ARGUMENT,
                      "A version-id marker cannot be specified without a key marker.");
        ts_resp_error_field(req, resp, "ArgumentName", "version-id-marker");
        ts_resp_error_field(req, resp, "ArgumentValue", vm);
        return -1;
    }
    a.versions = 1;
    state_init(&s);
    ts_buf_init(&items);
    ts_buf_init(&prefixes);
    cursor_from_marker(&s, &a, km, km ? strlen(km) : 0);
    s.after_id = 0;
    if (km && vm && *vm) {
        /* Resume inside the key, below the marker version's row. */
        sqlite3_stmt *st = store_stmt(
            "SELECT id FROM s3_object WHERE bucket_id = ? AND key = ? AND version_id = ?");
        sqlite3_bind_int64(st, 1, b.id);
        store_bind_text(st, 2, km);
        store_bind_text(st, 3, vm);
        if (sqlite3_step(st) == SQLITE_ROW)
            s.after_id = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
    }
    if (a.max > 0)
        list_walk(req, b.id, &a, &s, &items, &prefixes);
    s3_xml_begin(req, resp, "ListVersionsResult");
    head_common(out, b.name, &a, 1);
    put_encoded(out, "KeyMarker", km ? km : "", a.url);
    ts_xml_text(out, "VersionIdMarker", vm ? vm : "");
    ts_xml_text(out, "IsTruncated", s.truncated ? "true" : "false");
    if (s.truncated) {
        put_encoded(out, "NextKeyMarker", s.last.data, a.url);
        if (!s.last_is_prefix) {
            sqlite3_stmt *st = store_stmt("SELECT version_id FROM s3_object WHERE id = ?");
            sqlite3_bind_int64(st, 1, s.last_id);
            if (sqlite3_step(st) == SQLITE_ROW)
                ts_xml_text(out, "NextVersionIdMarker",
                            (const char *)sqlite3_column_text(st, 0));
            sqlite3_reset(st);
        }
    }
    list_close(resp, "ListVersionsResult", &items, &prefixes, &s);
    return 0;
}
