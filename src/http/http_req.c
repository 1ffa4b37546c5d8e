/*
 * http_req.c - the request and response helpers handlers use: the raw URI
 * split into a path and decoded query arguments, header lookups through
 * libmicrohttpd, the SigV4 scope (region, access key) from the
 * Authorization header or a presigned URL's X-Amz-Credential, and the
 * response header and error setters.
 */
#include "http_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinystack/sigv4.h"

const char *ts_req_header(ts_req *req, const char *name)
{
    for (ts_kv *h = req->headers; h; h = h->next)
        if (ts_strieq(h->name, name))
            return h->value;
    return NULL;
}

void ts_req_headers_each(ts_req *req, int (*fn)(void *, const char *, const char *),
                         void *arg)
{
    for (ts_kv *h = req->headers; h; h = h->next)
        if (fn(arg, h->name, h->value))
            return;
}

void ts_req_add_header(ts_req *req, const char *name, const char *value)
{
    ts_kv *kv = ts_arena_alloc(req->arena, sizeof(*kv)), **tail = &req->headers;

    kv->name = ts_arena_strdup(req->arena, name);
    kv->value = ts_arena_strdup(req->arena, value ? value : "");
    kv->next = NULL;
    while (*tail)
        tail = &(*tail)->next;
    *tail = kv;
}

const char *ts_req_query(ts_req *req, const char *name)
{
    for (ts_kv *q = req->query; q; q = q->next)
        if (!strcmp(q->name, name))
            return q->value;
    return NULL;
}

int ts_req_has_query(ts_req *req, const char *name)
{
    return ts_req_query(req, name) != NULL;
}

static char *arena_decode(ts_req *req, const char *s, size_t n)
{
    size_t len;
    char *tmp = ts_url_decode_len(s, n, 1, &len), *out;

    if (!tmp)
        return ts_arena_strndup(req->arena, s, n); /* keep malformed escapes as sent */
    if (strlen(tmp) != len)
        req->query_nul = 1;
    out = ts_arena_strdup(req->arena, tmp);
    free(tmp);
    return out;
}

static void parse_query(ts_req *req, const char *q)
{
    ts_kv **tail = &req->query;

    while (*q) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        const char *eq = memchr(q, '=', len);

        if (len) {
            ts_kv *kv = ts_arena_zalloc(req->arena, sizeof(*kv));
            size_t nlen = eq ? (size_t)(eq - q) : len;
            kv->name = arena_decode(req, q, nlen);
            kv->value = eq ? arena_decode(req, eq + 1, len - nlen - 1)
                           : "";
            *tail = kv;
            tail = &kv->next;
        }
        if (!amp)
            break;
        q = amp + 1;
    }
}

void ts_req_parse(ts_req *req)
{
    const char *uri = req->uri, *qm = strchr(uri, '?');
    const char *host = ts_req_header(req, "Host"), *cl, *auth;
    ts_sigv4_scope scope;

    if (qm) {
        req->path = ts_arena_strndup(req->arena, uri, (size_t)(qm - uri));
        parse_query(req, qm + 1);
    } else {
        req->path = uri;
    }
    /* Absolute-form request targets (proxies): keep only the path. */
    if (!strncmp(req->path, "http://", 7) || !strncmp(req->path, "https://", 8)) {
        const char *p = strchr(strstr(req->path, "//") + 2, '/');
        req->path = p ? p : "/";
    }
    if (host) {
        char *h = ts_arena_strdup(req->arena, host), *colon;
        for (char *p = h; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        if (h[0] != '[' && (colon = strrchr(h, ':')))
            *colon = '\0';
        req->host = h;
    } else {
        req->host = "";
    }
    cl = ts_req_header(req, "Content-Length");
    if (cl) {
        char *end;
        req->content_length = strtoull(cl, &end, 10);
        req->has_content_length = end != cl && *end == '\0';
    }
    req->region = ts_cfg.region;
    req->account = ts_cfg.account;
    auth = ts_req_header(req, "Authorization");
    if (auth && ts_sigv4_parse_authorization(auth, &scope) == 0) {
        req->region = ts_arena_strdup(req->arena, scope.region);
        req->access_key = ts_arena_strdup(req->arena, scope.access_key);
        req->scope_service = ts_arena_strdup(req->arena, scope.service);
    } else {
        const char *cred = ts_req_query(req, "X-Amz-Credential");
        if (cred && ts_sigv4_parse_credential(cred, &scope) == 0) {
            req->region = ts_arena_strdup(req->arena, scope.region);
            req->access_key = ts_arena_strdup(req->arena, scope.access_key);
            req->scope_service = ts_arena_strdup(req->arena, scope.service);
        }
    }
}

void ts_resp_header(ts_req *req, ts_resp *resp, const char *name,
                    const char *value)
{
    ts_kv *h = ts_arena_alloc(req->arena, sizeof(*h));

    h->name = ts_arena_strdup(req->arena, name);
    h->value = ts_arena_strdup(req->arena, value);
    h->next = resp->headers;
    resp->headers = h;
}

void ts_resp_headerf(ts_req *req, ts_resp *resp, const char *name,
                     const char *fmt, ...)
{
    va_list ap;
    ts_buf b;

    ts_buf_init(&b);
    va_start(ap, fmt);
    ts_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    ts_resp_header(req, resp, name, b.data ? b.data : "");
    ts_buf_free(&b);
}

int ts_resp_error(ts_resp *resp, ts_err err, const char *message)
{
    resp->err = err;
    resp->err_message = message;
    return -1;
}

int ts_resp_errorf(ts_req *req, ts_resp *resp, ts_err err, const char *fmt, ...)
{
    va_list ap;
    ts_buf b;

    ts_buf_init(&b);
    va_start(ap, fmt);
    ts_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    resp->err = err;
    resp->err_message = ts_arena_strdup(req->arena, b.data ? b.data : "");
    ts_buf_free(&b);
    return -1;
}

void ts_resp_error_field(ts_req *req, ts_resp *resp, const char *name,
                         const char *value)
{
    ts_kv *f = ts_arena_alloc(req->arena, sizeof(*f)), **tail = &resp->err_fields;

    f->name = ts_arena_strdup(req->arena, name);
    f->value = ts_arena_strdup(req->arena, value ? value : "");
    f->next = NULL;
    while (*tail)
        tail = &(*tail)->next;
    *tail = f;
}

void http_render_plain_error(ts_req *req, ts_resp *resp)
{
    const char *msg = resp->err_message ? resp->err_message
                                        : ts_error_message(resp->err);

    ts_buf_printf(&resp->body, "{\"__type\":\"%s\",\"message\":\"%s\"}",
                  ts_error_code(resp->err), msg);
    ts_resp_header(req, resp, "Content-Type", "application/json");
}
