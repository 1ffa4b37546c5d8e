/*
 * apigw_exec_http.c - HTTP and HTTP_PROXY integrations: the request goes
 * on to another HTTP server through apigw_http.c (no worker waits; the
 * answer comes on the client's thread).  The integration URI's {name}
 * parts take the route's path parameters ({proxy} the greedy one); an
 * HTTP_PROXY integration forwards the method, the query, the headers and
 * the body and hands back the status, headers and body as they come; an
 * HTTP integration (REST APIs) sends what its request template made and
 * maps the answer with the integration response its status picks.
 */
#include "apigw_int.h"
#include "apigw_http.h"

#include <stdio.h>
#include <string.h>

/* Headers that describe one hop, not the message. */
static int hop_by_hop(const char *name)
{
    static const char *const hop[] = {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Host", "TE",
        "Trailer", "Upgrade", "Proxy-Connection", "Expect", NULL,
    };

    for (const char *const *h = hop; *h; h++)
        if (ts_strieq(*h, name))
            return 1;
    return 0;
}

/* The integration URI with {name} / {name+} replaced by path parameters
 * (arena), the request's query appended when forward_query. */
static const char *target_url(apigw_exec *x, const char *uri, int forward_query)
{
    ts_req *req = x->c->req;
    const char *qs = strchr(req->uri, '?');
    ts_buf b;
    const char *out;

    ts_buf_init(&b);
    for (const char *p = apigw_stage_vars(x, uri); *p; p++) {
        const char *close;
        if (*p == '{' && (close = strchr(p, '}'))) {
            char name[128];
            size_t n = (size_t)(close - p - 1);
            const char *v;
            if (n && p[n] == '+')
                n--;
            snprintf(name, sizeof name, "%.*s", (int)n, p + 1);
            if ((v = apigw_str(x->path_params, name))) {
                ts_url_encode(&b, v, strlen(v), 1);
                p = close;
                continue;
            }
        }
        ts_buf_putc(&b, *p);
    }
    if (forward_query && qs && qs[1])
        ts_buf_printf(&b, "%s%s", strchr(b.data ? b.data : "", '?') ? "&" : "?", qs + 1);
    out = ts_arena_strdup(req->arena, b.data ? b.data : "");
    ts_buf_free(&b);
    return out;
}

static void proxy_done(void *arg, const apigw_http_result *r)
{
    apigw_exec *x = arg;
    ts_req *req = x->c->req;
    ts_resp *resp = x->c->resp;

    if (r->timed_out || !r->status) {
        ts_log(TS_LOG_INFO, "apigateway %s: the HTTP integration failed: %s", x->api_id,
               r->error ? r->error : "no answer");
        if (x->kind == APIGW_KIND_HTTP)
            apigw_reply_json(x, r->timed_out ? 504 : 500, NULL, "message",
                             r->timed_out ? "Gateway Timeout" : "Internal Server Error");
        else if (r->timed_out)
            apigw_gateway_reply(x, "INTEGRATION_TIMEOUT", 504, NULL);
        else
            apigw_gateway_reply(x, "INTEGRATION_FAILURE", 500, NULL);
    } else if (x->http_proxy) {
        /* Headers go out in the reverse order of adding. */
        const ts_kv *hs[256];
        int n = 0;
        resp->status = r->status;
        ts_buf_reset(&resp->body);
        ts_buf_append(&resp->body, r->body, r->len);
        for (const ts_kv *h = r->headers; h && n < 256; h = h->next)
            if (!hop_by_hop(h->name))
                hs[n++] = h;
        while (n-- > 0)
            ts_resp_header(req, resp, hs[n]->name, hs[n]->value);
    } else {
        apigw_map_http_answer(x, r->status, r->body, r->len);
    }
    if (x->kind == APIGW_KIND_HTTP)
        apigw_v2_finish(x);
    else
        apigw_done(x);
}

void apigw_run_http(apigw_exec *x, int proxy, const char *body, size_t len)
{
    ts_req *req = x->c->req;
    const cJSON *ig = x->integration;
    const char *uri = apigw_str(ig, x->kind == APIGW_KIND_HTTP ? "integrationUri" : "uri");
    const char *method = apigw_str(ig, x->kind == APIGW_KIND_HTTP ? "integrationMethod"
                                                                : "httpMethod");
    ts_kv *headers = NULL, **tail = &headers;

    x->http_proxy = proxy;
    if (!method || !strcmp(method, "ANY"))
        method = req->method;
    if (proxy) {
        for (const ts_kv *h = req->headers; h; h = h->next) {
            ts_kv *kv;
            if (hop_by_hop(h->name))
                continue;
            kv = ts_arena_zalloc(req->arena, sizeof(*kv));
            kv->name = h->name;
            kv->value = h->value;
            *tail = kv;
            tail = &kv->next;
        }
        body = req->body.data;
        len = req->body.len;
    } else {
        ts_kv *kv = ts_arena_zalloc(req->arena, sizeof(*kv));
        kv->name = "Content-Type";
        kv->value = "application/json";
        headers = kv;
    }
    if (!x->suspended) {
        x->suspended = 1;
        http_suspend(req);
    }
    apigw_http_fetch(method, target_url(x, uri ? uri : "", proxy), headers, body ? body : "",
                     len, apigw_integration_timeout(ig), proxy_done, x);
}
