/*
 * s3_upload.c - the streaming request body of PutObject and UploadPart.
 * Bytes flow once: through the aws-chunked decoder when the client frames
 * them, into MD5 (the ETag) and the requested additional checksum, and
 * into the store's blob writer, which writes full chunks as they fill.
 * Nothing is visible until the operation's own transaction references the
 * blob; a request that fails or is cut off leaves nothing behind (the
 * arena cleanup drops the unfinished blob).
 */
#include "s3_int.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

typedef struct s3_upload {
    int chunked;
    s3_chunked dec;
    EVP_MD_CTX *md5;
    s3_cksum ck;
    const char *ck_expected;   /* from a header */
    const char *ck_trailer;    /* trailer name to read the value from */
    unsigned char md5_expected[16];
    int has_md5;
    uint64_t decoded_len;
    int has_decoded_len;
    store_blob_writer w;
    ts_err err;
    int finished;       /* store_blob_finish ran (in the transaction) */
    ts_resp *resp;      /* outlives the arena, which holds this */
} s3_upload;

static void upload_cleanup(void *arg)
{
    s3_upload *u = arg;

    /* After the request's transaction: a blob its object did not keep
     * (an error, a rollback, a cut connection) goes.  A finished blob of
     * a request that succeeded is its object's. */
    if (!u->finished || u->resp->err != TS_ERR_NONE)
        store_blob_writer_abort(&u->w);
    ts_buf_free(&u->w.pending);
    if (u->md5)
        EVP_MD_CTX_free(u->md5);
    s3_cksum_free(&u->ck);
}

static int part_number_ok(const char *s)
{
    char *end;
    long n;

    if (!s || !*s)
        return 0;
    n = strtol(s, &end, 10);
    return !*end && n >= 1 && n <= 10000;
}

static int too_large(ts_req *req, ts_resp *resp, uint64_t proposed)
{
    ts_resp_error(resp, TS_ERR_ENTITY_TOO_LARGE, NULL);
    ts_resp_error_field(req, resp, "ProposedSize",
                        ts_arena_printf(req->arena, "%llu", (unsigned long long)proposed));
    ts_resp_error_field(req, resp, "MaxSizeAllowed",
                        ts_arena_printf(req->arena, "%llu", (unsigned long long)S3_MAX_OBJECT));
    return -1;
}

int s3_upload_begin(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    s3_ctx *c = s3_ctx_of(req);
    s3_upload *u = ts_arena_zalloc(req->arena, sizeof(*u));
    const char *v, *sha = ts_req_header(req, "x-amz-content-sha256");
    const char *enc = s3_header_joined(req, "Content-Encoding");
    s3_bucket b;

    c->op_state = u;
    u->resp = resp;
    store_blob_writer_init(&u->w);
    u->md5 = EVP_MD_CTX_new();
    EVP_DigestInit_ex(u->md5, EVP_md5(), NULL);
    ts_arena_cleanup(req->arena, upload_cleanup, u);

    u->chunked = (sha && ts_starts_with(sha, "STREAMING-")) ||
                 (enc && strstr(enc, "aws-chunked"));
    if ((v = ts_req_header(req, "x-amz-decoded-content-length"))) {
        char *end;
        u->decoded_len = strtoull(v, &end, 10);
        u->has_decoded_len = end != v && !*end;
    }
    /* Refused before 100 Continue: the size the client announces (the
     * decoded one under aws-chunked framing); a body of unknown length is
     * stopped as it passes the limit. */
    if (u->chunked ? u->has_decoded_len && u->decoded_len > S3_MAX_OBJECT
                   : req->has_content_length && req->content_length > S3_MAX_OBJECT)
        return too_large(req, resp, u->chunked ? u->decoded_len : req->content_length);
    if (s3_bucket_load(req, resp, &b) != 0)
        return -1;
    if (!strcmp(req->op->name, "UploadPart")) {
        sqlite3_stmt *st;
        int found;
        if (!part_number_ok(ts_req_query(req, "partNumber")))
            return ts_resp_error(resp, TS_ERR_INVALID_ARGUMENT,
                                 "Part number must be an integer between 1 and "
                                 "10000, inclusive");
        st = store_stmt("SELECT 1 FROM s3_upload WHERE upload_id = ? AND bucket_id = ?");
        store_bind_text(st, 1, ts_req_query(req, "uploadId"));
        sqlite3_bind_int64(st, 2, b.id);
        found = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_reset(st);
        if (!found) {
            ts_resp_error(resp, TS_ERR_NO_SUCH_UPLOAD, NULL);
            ts_resp_error_field(req, resp, "UploadId", ts_req_query(req, "uploadId"));
            return -1;
        }
    }
    if ((v = ts_req_header(req, "Content-MD5"))) {
        unsigned char *raw = NULL;
        size_t n = 0;
        if (ts_base64_decode(v, strlen(v), &raw, &n) != 0 || n != 16) {
            ts_free(raw);
            return ts_resp_error(resp, TS_ERR_INVALID_DIGEST, NULL);
        }
        memcpy(u->md5_expected, raw, 16);
        ts_free(raw);
        u->has_md5 = 1;
    }
    if (u->chunked)
        s3_chunked_init(&u->dec);
    /* Which additional checksum: a value in a header, or one in a trailer. */
    for (int a = S3_CK_CRC32; a <= S3_CK_SHA256; a++) {
        if ((v = ts_req_header(req, s3_cksum_header((s3_cksum_algo)a)))) {
            static const size_t lens[] = {0, 4, 4, 8, 20, 32};
            unsigned char *raw = NULL;
            size_t n = 0;
            int ok = ts_base64_decode(v, strlen(v), &raw, &n) == 0 && n == lens[a];
            ts_free(raw);
            if (!ok)
                return ts_resp_errorf(req, resp, TS_ERR_INVALID_REQUEST,
                                      "Value for %s header is invalid.",
                                      s3_cksum_header((s3_cksum_algo)a));
            s3_cksum_init(&u->ck, (s3_cksum_algo)a);
            u->ck_expected = v;
            break;
        }
    }
    if (u->ck.algo == S3_CK_NONE && (v = ts_req_header(req, "x-amz-trailer"))) {
        s3_cksum_algo a = s3_cksum_algo_parse(v);
        if (a != S3_CK_NONE) {
            s3_cksum_init(&u->ck, a);
            u->ck_trailer = s3_cksum_header(a);
        }
    }
    if (u->ck.algo == S3_CK_NONE &&
        (v = ts_req_header(req, "x-amz-sdk-checksum-algorithm"))) {
        s3_cksum_algo a = s3_cksum_algo_parse(v);
        if (a == S3_CK_NONE)
            return ts_resp_error(resp, TS_ERR_INVALID_REQUEST,
                                 "Value for x-amz-sdk-checksum-algorithm header is invalid.");
        s3_cksum_init(&u->ck, a);
    }
    return 0;
}

static int payload_cb(void *arg, const char *p, size_t n)
{
    s3_upload *u = arg;

    if (u->w.size + n > S3_MAX_OBJECT) {
        u->err = TS_ERR_ENTITY_TOO_LARGE;
        return -1;
    }
    EVP_DigestUpdate(u->md5, p, n);
    if (u->ck.algo != S3_CK_NONE)
        s3_cksum_update(&u->ck, p, n);
    if (store_blob_write(&u->w, p, n) != 0) {
        u->err = TS_ERR_INTERNAL;
        return -1;
    }
    return 0;
}

int s3_upload_body(ts_call *call, const char *data, size_t len)
{
    ts_req *req = call->req;
    s3_upload *u = s3_ctx_of(req)->op_state;

    if (u->err != TS_ERR_NONE)
        return -1;
    if (!u->chunked)
        return payload_cb(u, data, len);
    if (s3_chunked_feed(&u->dec, data, len, payload_cb, u) != 0) {
        if (u->err == TS_ERR_NONE)
            u->err = TS_ERR_INCOMPLETE_BODY;
        return -1;
    }
    return 0;
}

int s3_upload_finish(ts_req *req, ts_resp *resp, s3_upload_result *r)
{
    s3_upload *u = s3_ctx_of(req)->op_state;
    unsigned char md5[16];
    char hex[33];
    unsigned int n = 0;

    memset(r, 0, sizeof(*r));
    if (u->err != TS_ERR_NONE)
        return ts_resp_error(resp, u->err, NULL);
    if (u->chunked && !s3_chunked_complete(&u->dec))
        return ts_resp_error(resp, TS_ERR_INCOMPLETE_BODY, NULL);
    if (u->has_decoded_len && u->w.size != u->decoded_len)
        return ts_resp_error(resp, TS_ERR_INCOMPLETE_BODY, NULL);
    /* Whatever the HTTP layer made of a cut connection, a body shorter
     * than announced, or one whose blob did not finish, never becomes an
     * object. */
    if (!u->chunked && req->has_content_length && u->w.size != req->content_length)
        return ts_resp_error(resp, TS_ERR_INCOMPLETE_BODY, NULL);
    if (u->w.failed)
        return ts_resp_error(resp, TS_ERR_INTERNAL, NULL);
    EVP_DigestFinal_ex(u->md5, md5, &n);
    if (u->has_md5 && memcmp(md5, u->md5_expected, 16) != 0)
        return ts_resp_error(resp, TS_ERR_BAD_DIGEST, NULL);
    ts_hex_encode(md5, 16, hex);
    snprintf(r->etag, sizeof(r->etag), "\"%s\"", hex);
    r->size = u->w.size;
    if (u->ck.algo != S3_CK_NONE) {
        s3_cksum_algo algo = u->ck.algo;
        const char *want = u->ck_expected;
        char *got = s3_cksum_final(req->arena, &u->ck);
        if (!want && u->ck_trailer)
            want = s3_chunked_trailer(&u->dec, u->ck_trailer);
        if (want && strcmp(want, got) != 0)
            return ts_resp_errorf(req, resp, TS_ERR_BAD_DIGEST,
                                  "The %s you specified did not match the "
                                  "calculated checksum.",
                                  s3_cksum_algo_name(algo));
        r->checksum = ts_arena_printf(req->arena, "%s:%s", s3_cksum_algo_name(algo), got);
    }
    return 0;
}

int64_t s3_upload_commit_blob(ts_req *req)
{
    s3_upload *u = s3_ctx_of(req)->op_state;
    u->finished = 1;
    return store_blob_finish(&u->w);
}

typedef struct header_join {
    const char *name;
    ts_buf all;
    int n;
} header_join;

static int header_join_cb(void *arg, const char *name, const char *value)
{
    header_join *j = arg;

    if (!strcasecmp(name, j->name)) {
        if (j->n++)
            ts_buf_puts(&j->all, ", ");
        ts_buf_puts(&j->all, value);
    }
    return 0;
}

const char *s3_header_joined(ts_req *req, const char *name)
{
    header_join j = {name, {NULL, 0, 0}, 0};
    const char *out;

    ts_req_headers_each(req, header_join_cb, &j);
    if (j.n <= 1) {
        ts_buf_free(&j.all);
        return ts_req_header(req, name);
    }
    out = ts_arena_strdup(req->arena, j.all.data);
    ts_buf_free(&j.all);
    return out;
}

/* Headers kept with an object and given back on GET and HEAD. */
static const char *const stored_headers[] = {
    "Content-Type", "Content-Encoding", "Content-Disposition",
    "Content-Language", "Cache-Control", "Expires",
    "x-amz-website-redirect-location", "x-amz-server-side-encryption",
    NULL,
};

static int meta_header_cb(void *arg, const char *name, const char *value)
{
    cJSON *m = arg;

    if (!strncasecmp(name, "x-amz-meta-", 11)) {
        char *lower = ts_strdup(name);
        for (char *p = lower; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        cJSON_DeleteItemFromObjectCaseSensitive(m, lower);
        cJSON_AddStringToObject(m, lower, value);
        ts_free(lower);
    }
    return 0;
}

char *s3_meta_from_headers(ts_req *req, ts_resp *resp)
{
    cJSON *m = cJSON_CreateObject();
    char *text, *out;

    for (int i = 0; stored_headers[i]; i++) {
        const char *v = s3_header_joined(req, stored_headers[i]);
        if (!v)
            continue;
        if (!strcasecmp(stored_headers[i], "Content-Encoding")) {
            /* aws-chunked is transport framing, not the object's encoding. */
            ts_buf enc;
            const char *p = v;
            ts_buf_init(&enc);
            while (*p) {
                size_t n = strcspn(p, ",");
                const char *s = p, *e = p + n;
                while (s < e && *s == ' ') s++;
                while (e > s && e[-1] == ' ') e--;
                if (e > s && !(e - s == 11 && !strncasecmp(s, "aws-chunked", 11))) {
                    if (enc.len)
                        ts_buf_putc(&enc, ',');
                    ts_buf_append(&enc, s, (size_t)(e - s));
                }
                p += n;
                if (*p)
                    p++;
            }
            if (enc.len)
                cJSON_AddStringToObject(m, stored_headers[i], enc.data);
            ts_buf_free(&enc);
            continue;
        }
        cJSON_AddStringToObject(m, stored_headers[i], v);
    }
    ts_req_headers_each(req, meta_header_cb, m);
    text = cJSON_PrintUnformatted(m);
    out = ts_arena_strdup(req->arena, text);
    cJSON_free(text);
    cJSON_Delete(m);
    TS_UNUSED(resp);
    return out;
}

void s3_meta_to_headers(ts_req *req, ts_resp *resp, const char *meta)
{
    cJSON *m = meta ? cJSON_Parse(meta) : NULL, *it;
    int has_type = 0;

    cJSON_ArrayForEach(it, m) {
        if (cJSON_IsString(it)) {
            /* An empty value (x-amz-meta-a: "") is kept, as S3 keeps it;
             * libmicrohttpd takes no empty header, and a lone space reads
             * back as empty (HTTP trims it). */
            ts_resp_header(req, resp, it->string, *it->valuestring ? it->valuestring : " ");
            has_type |= !strcasecmp(it->string, "Content-Type");
        }
    }
    if (!has_type)
        ts_resp_header(req, resp, "Content-Type", "binary/octet-stream");
    cJSON_Delete(m);
}
