/*
 * s3_cors.c - bucket CORS: the configuration (validated, kept as XML) and
 * the answer to a browser's preflight OPTIONS request, matched against
 * the rules in order as S3 does: origin (with one '*' wildcard), method,
 * then every requested header.
 */
#include "s3_int.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const cors_methods[] = {"GET", "PUT", "HEAD", "POST", "DELETE", NULL};

int s3_put_bucket_cors(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    ts_xml_node *root = ts_xml_parse(req->arena, req->body.data, req->body.len), *r, *m;
    sqlite3_stmt *st;
    s3_bucket b;
    ts_buf out;
    int nrules = 0;

    if (s3_bucket_load(req, resp, &b) != 0)
        return -1;
    if (!root || strcmp(root->name, "CORSConfiguration") != 0 ||
        !ts_xml_child(root, "CORSRule"))
        return ts_resp_error(resp, TS_ERR_MALFORMED_XML, NULL);
    for (r = ts_xml_child(root, "CORSRule"); r; r = ts_xml_next(r)) {
        if (!ts_xml_child(r, "AllowedOrigin") || !ts_xml_child(r, "AllowedMethod"))
            return ts_resp_error(resp, TS_ERR_MALFORMED_XML, NULL);
        for (m = ts_xml_child(r, "AllowedMethod"); m; m = ts_xml_next(m)) {
            int ok = 0;
            for (int i = 0; cors_methods[i]; i++)
                ok |= !strcmp(m->text, cors_methods[i]);
            if (!ok)
                return ts_resp_errorf(req, resp, TS_ERR_INVALID_REQUEST,
                                      "Found unsupported HTTP method in CORS config. "
                                      "Unsupported method is %s", m->text);
        }
        if (++nrules > 100)
            return ts_resp_error(resp, TS_ERR_MALFORMED_XML, NULL);
    }
    /* Keep a normalised copy: the rules' elements, in order. */
    ts_buf_init(&out);
    for (r = ts_xml_child(root, "CORSRule"); r; r = ts_xml_next(r)) {
        ts_buf_puts(&out, "<CORSRule>");
        for (ts_xml_node *k = r->child; k; k = k->next)
            ts_xml_text(&out, k->name, k->text);
        ts_buf_puts(&out, "</CORSRule>");
    }
    st = store_stmt("UPDATE s3_bucket SET cors = ? WHERE id = ?");
    store_bind_text(st, 1, out.data);
    sqlite3_bind_int64(st, 2, b.id);
    sqlite3_step(st);
    sqlite3_reset(st);
    ts_buf_free(&out);
    return 0;
}

int s3_get_bucket_cors(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    s3_bucket b;

    if (s3_bucket_load(req, resp, &b) != 0)
        return -1;
    if (!b.cors) {
        ts_resp_error(resp, TS_ERR_NO_SUCH_CORS, NULL);
        ts_resp_error_field(req, resp, "BucketName", b.name);
        return -1;
    }
    s3_xml_begin(req, resp, "CORSConfiguration");
    ts_buf_puts(&resp->body, b.cors);
    s3_xml_end(resp, "CORSConfiguration");
    return 0;
}

int s3_delete_bucket_cors(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    sqlite3_stmt *st;
    s3_bucket b;

    if (s3_bucket_load(req, resp, &b) != 0)
        return -1;
    st = store_stmt("UPDATE s3_bucket SET cors = NULL WHERE id = ?");
    sqlite3_bind_int64(st, 1, b.id);
    sqlite3_step(st);
    sqlite3_reset(st);
    resp->status = 204;
    return 0;
}

static int wild_match(const char *pattern, const char *s, int nocase)
{
    return fnmatch(pattern, s, nocase ? FNM_CASEFOLD : 0) == 0;
}

/* Every comma-separated header of the request allowed by the rule? */
static int headers_allowed(ts_xml_node *rule, const char *requested)
{
    const char *p = requested;

    while (p && *p) {
        char h[256];
        size_t n = strcspn(p, ",");
        const char *s = p, *e = p + n;
        int ok = 0;

        while (s < e && *s == ' ')
            s++;
        while (e > s && e[-1] == ' ')
            e--;
        snprintf(h, sizeof(h), "%.*s", (int)(e - s), s);
        if (*h) {
            for (ts_xml_node *a = ts_xml_child(rule, "AllowedHeader"); a; a = ts_xml_next(a))
                ok |= wild_match(a->text, h, 1);
            if (!ok)
                return 0;
        }
        p += n;
        if (*p)
            p++;
    }
    return 1;
}

static ts_xml_node *match_rule(ts_req *req, const s3_bucket *b, const char *origin,
                               const char *method, const char *headers)
{
    ts_xml_node *root;
    char *doc;

    if (!b->cors)
        return NULL;
    doc = ts_arena_printf(req->arena, "<CORSConfiguration>%s</CORSConfiguration>", b->cors);
    root = ts_xml_parse(req->arena, doc, strlen(doc));
    for (ts_xml_node *r = root ? ts_xml_child(root, "CORSRule") : NULL; r; r = ts_xml_next(r)) {
        int o = 0, m = 0;
        for (ts_xml_node *k = ts_xml_child(r, "AllowedOrigin"); k; k = ts_xml_next(k))
            o |= wild_match(k->text, origin, 0);
        for (ts_xml_node *k = ts_xml_child(r, "AllowedMethod"); k; k = ts_xml_next(k))
            m |= !strcmp(k->text, method);
        if (o && m && headers_allowed(r, headers))
            return r;
    }
    return NULL;
}

static void rule_headers(ts_req *req, ts_resp *resp, ts_xml_node *r,
                         const char *origin, const char *req_headers)
{
    ts_buf methods, expose;
    int any = 0;
    const char *age = ts_xml_child_text(r, "MaxAgeSeconds");

    for (ts_xml_node *k = ts_xml_child(r, "AllowedOrigin"); k; k = ts_xml_next(k))
        any |= !strcmp(k->text, "*");
    ts_resp_header(req, resp, "Access-Control-Allow-Origin", any ? "*" : origin);
    ts_buf_init(&methods);
    for (ts_xml_node *k = ts_xml_child(r, "AllowedMethod"); k; k = ts_xml_next(k)) {
        if (methods.len)
            ts_buf_puts(&methods, ", ");
        ts_buf_puts(&methods, k->text);
    }
    ts_resp_header(req, resp, "Access-Control-Allow-Methods", methods.data);
    ts_buf_free(&methods);
    if (req_headers && *req_headers)
        ts_resp_header(req, resp, "Access-Control-Allow-Headers", req_headers);
    ts_buf_init(&expose);
    for (ts_xml_node *k = ts_xml_child(r, "ExposeHeader"); k; k = ts_xml_next(k)) {
        if (expose.len)
            ts_buf_puts(&expose, ", ");
        ts_buf_puts(&expose, k->text);
    }
    if (expose.len)
        ts_resp_header(req, resp, "Access-Control-Expose-Headers", expose.data);
    ts_buf_free(&expose);
    if (age)
        ts_resp_header(req, resp, "Access-Control-Max-Age", age);
    if (!any)
        ts_resp_header(req, resp, "Vary",
                       "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
}

int s3_cors_preflight(ts_call *call)
{
    ts_req *req = call->req;
    ts_resp *resp = call->resp;
    const char *origin = ts_req_header(req, "Origin");
    const char *method = ts_req_header(req, "Access-Control-Request-Method");
    const char *headers = ts_req_header(req, "Access-Control-Request-Headers");
    ts_xml_node *r;
    s3_bucket b;

    if (!origin)
        return ts_resp_error(resp, TS_ERR_BAD_REQUEST,
                             "Insufficient information. Origin request header needed.");
    if (!method)
        return ts_resp_error(resp, TS_ERR_BAD_REQUEST,
                             "Invalid Access-Control-Request-Method: null");
    if (s3_bucket_load_name(req, NULL, s3_ctx_of(req)->bucket, &b) != 0 || !b.cors)
        return ts_resp_error(resp, TS_ERR_CORS_FORBIDDEN,
                             "CORSResponse: CORS is not enabled for this bucket.");
    r = match_rule(req, &b, origin, method, headers);
    if (!r)
        return ts_resp_error(resp, TS_ERR_CORS_FORBIDDEN, NULL);
    rule_headers(req, resp, r, origin, headers);
    return 0;
}

void s3_cors_headers(ts_req *req, ts_resp *resp)
{
    const char *origin = ts_req_header(req, "Origin");
    s3_bucket b;
    ts_xml_node *r;

    if (!origin || !s3_ctx_of(req)->bucket ||
        s3_bucket_load_name(req, NULL, s3_ctx_of(req)->bucket, &b) != 0 || !b.cors)
        return;
    r = match_rule(req, &b, origin, req->method, NULL);
    if (r)
        rule_headers(req, resp, r, origin, NULL);
}
