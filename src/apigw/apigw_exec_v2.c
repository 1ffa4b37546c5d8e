/*
 * apigw_exec_v2.c - the data plane of HTTP APIs (apigatewayv2).  The URL's
 * first segment is the stage when the API has a stage by that name, else
 * the $default stage serves the whole path.  Routes are picked as AWS
 * picks them (the most specific path, literal before {param} before
 * {proxy+}, the exact method before ANY, $default last); CORS, when the
 * API configures it, answers preflights itself and adds its headers to
 * every answer; a route's authorizer is a Lambda REQUEST authorizer
 * (simple or IAM policy answers) or a JWT authorizer, whose token's
 * issuer, audience and expiry are checked but not its signature (there
 * are no keys to fetch here).  Lambda proxy integrations take the 1.0 or
 * the 2.0 event and answer by the 2.0 rules (a reply without a
 * statusCode is a 200 JSON body).
 */
#include "apigw_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinystack/lambda.h"

/* ---- routes ---- */

/* How specific route path tmpl is for segments seg (a score compared
 * segment by segment: 3 literal, 2 {param}, 1 {proxy+}), -1 when it
 * does not match; params get the values. */
static int route_score(const char *tmpl, char **seg, int n, cJSON *params, char *score,
                       size_t max)
{
    const char *t = tmpl;
    int i = 0;
    size_t k = 0;

    while (*t == '/')
        t++;
    while (*t) {
        const char *end = strchr(t, '/');
        size_t len = end ? (size_t)(end - t) : strlen(t);
        if (k + 1 >= max)
            return -1;
        if (len > 3 && t[0] == '{' && t[len - 2] == '+' && t[len - 1] == '}') {
            ts_buf b;
            char name[128];
            if (i >= n)
                return -1;
            ts_buf_init(&b);
            for (int j = i; j < n; j++) {
                if (j > i)
                    ts_buf_putc(&b, '/');
                ts_buf_puts(&b, seg[j]);
            }
            snprintf(name, sizeof name, "%.*s", (int)(len - 3), t + 1);
            if (params)
                cJSON_AddStringToObject(params, name, b.data);
            ts_buf_free(&b);
            score[k++] = '1';
            score[k] = '\0';
            return 0;
        }
        if (i >= n)
            return -1;
        if (len > 2 && t[0] == '{' && t[len - 1] == '}') {
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)(len - 2), t + 1);
            if (params)
                cJSON_AddStringToObject(params, name, seg[i]);
            score[k++] = '2';
        } else if (strlen(seg[i]) == len && !strncmp(seg[i], t, len)) {
            score[k++] = '3';
        } else {
            return -1;
        }
        i++;
        t += len;
        while (*t == '/')
            t++;
    }
    score[k] = '\0';
    return i == n ? 0 : -1;
}

/* Picks x's route among live's routes; NULL when none matches. */
static cJSON *pick_route(apigw_exec *x, char **seg, int n)
{
    const cJSON *routes = cJSON_GetObjectItemCaseSensitive(x->live, "routes"), *r;
    cJSON *best = NULL, *dflt = NULL;
    char best_score[80] = "", score[80];
    int best_exact = 0;

    cJSON_ArrayForEach(r, routes) {
        const char *key = apigw_str(r, "routeKey"), *sp;
        char method[16];
        int exact;
        if (!key)
            continue;
        if (!strcmp(key, "$default")) {
            dflt = (cJSON *)r;
            continue;
        }
        sp = strchr(key, ' ');
        if (!sp || (size_t)(sp - key) >= sizeof method)
            continue;
        snprintf(method, sizeof method, "%.*s", (int)(sp - key), key);
        exact = !strcmp(method, x->c->req->method);
        if (!exact && strcmp(method, "ANY"))
            continue;
        if (route_score(sp + 1, seg, n, NULL, score, sizeof score) != 0)
            continue;
        if (!best || strcmp(score, best_score) > 0 ||
            (!strcmp(score, best_score) && exact && !best_exact)) {
            best = (cJSON *)r;
            snprintf(best_score, sizeof best_score, "%s", score);
            best_exact = exact;
        }
    }
    if (!best)
        best = dflt;
    if (best) {
        const char *key = apigw_str(best, "routeKey"), *sp = strchr(key, ' ');
        x->path_params = cJSON_CreateObject();
        if (sp)
            route_score(sp + 1, seg, n, x->path_params, score, sizeof score);
    }
    return best;
}

/* ---- CORS ---- */

static int origin_allowed(const cJSON *cors, const char *origin)
{
    const cJSON *o;

    cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(cors, "allowOrigins"))
        if (cJSON_IsString(o) && (!strcmp(o->valuestring, "*") ||
                                  ts_strieq(o->valuestring, origin) ||
                                  (strchr(o->valuestring, '*') &&
                                   ts_glob_match(o->valuestring, origin))))
            return 1;
    return 0;
}

static const char *joined(apigw_exec *x, const cJSON *list)
{
    ts_buf b;
    const cJSON *e;
    const char *out;

    ts_buf_init(&b);
    cJSON_ArrayForEach(e, list)
        if (cJSON_IsString(e)) {
            if (b.len)
                ts_buf_putc(&b, ',');
            ts_buf_puts(&b, e->valuestring);
        }
    out = b.len ? ts_arena_strdup(x->c->req->arena, b.data) : NULL;
    ts_buf_free(&b);
    return out;
}

static void cors_headers(apigw_exec *x, const cJSON *cors, const char *origin, int preflight)
{
    ts_req *req = x->c->req;
    ts_resp *resp = x->c->resp;
    const cJSON *all = cJSON_GetObjectItemCaseSensitive(cors, "allowOrigins"), *o;
    const cJSON *age = cJSON_GetObjectItemCaseSensitive(cors, "maxAge");
    int star = 0;
    const char *v;

    cJSON_ArrayForEach(o, all)
        star |= cJSON_IsString(o) && !strcmp(o->valuestring, "*");
    ts_resp_header(req, resp, "Access-Control-Allow-Origin", star ? "*" : origin);
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cors, "allowCredentials")))
        ts_resp_header(req, resp, "Access-Control-Allow-Credentials", "true");
    if (!preflight) {
        if ((v = joined(x, cJSON_GetObjectItemCaseSensitive(cors, "exposeHeaders"))))
            ts_resp_header(req, resp, "Access-Control-Expose-Headers", v);
        return;
    }
    if ((v = joined(x, cJSON_GetObjectItemCaseSensitive(cors, "allowMethods"))))
        ts_resp_header(req, resp, "Access-Control-Allow-Methods", v);
    if ((v = joined(x, cJSON_GetObjectItemCaseSensitive(cors, "allowHeaders"))))
        ts_resp_header(req, resp, "Access-Control-Allow-Headers", v);
    if (cJSON_IsNumber(age))
        ts_resp_headerf(req, resp, "Access-Control-Max-Age", "%d", age->valueint);
}

/* Adds CORS headers to an answer when the API configures CORS and the
 * request's Origin is allowed. */
void apigw_v2_finish(apigw_exec *x)
{
    const cJSON *cors = cJSON_GetObjectItemCaseSensitive(x->api, "corsConfiguration");
    const char *origin = ts_req_header(x->c->req, "Origin");

    if (cJSON_IsObject(cors) && origin && origin_allowed(cors, origin)) {
        /* The API's CORS headers replace the integration's. */
        ts_kv **pp = &x->c->resp->headers;
        while (*pp) {
            if (ts_starts_with((*pp)->name, "Access-Control-") ||
                ts_starts_with((*pp)->name, "access-control-"))
                *pp = (*pp)->next;
            else
                pp = &(*pp)->next;
        }
        cors_headers(x, cors, origin, 0);
    }
    apigw_done(x);
}

/* ---- events ---- */

static int is_text_type(const char *ct)
{
    static const char *const text[] = {
        "text/*", "application/json", "application/*+json", "application/xml",
        "application/*+xml", "application/javascript", "application/x-www-form-urlencoded",
        "application/graphql", NULL,
    };

    if (!ct)
        return 1;
    for (const char *const *t = text; *t; t++)
        if (apigw_media_match(*t, ct))
            return 1;
    return 0;
}

static cJSON *v2_context(apigw_exec *x)
{
    ts_req *req = x->c->req;
    cJSON *rc = cJSON_CreateObject(), *http;
    const char *ua = ts_req_header(req, "User-Agent");
    char when[40];

    apigw_request_time(x->start_ms, when, sizeof when);
    cJSON_AddStringToObject(rc, "accountId", x->account);
    cJSON_AddStringToObject(rc, "apiId", x->api_id);
    if (x->authorizer)
        cJSON_AddItemToObject(rc, "authorizer", cJSON_Duplicate(x->authorizer, 1));
    cJSON_AddStringToObject(rc, "domainName", apigw_domain(x));
    cJSON_AddStringToObject(rc, "domainPrefix", x->api_id);
    http = cJSON_AddObjectToObject(rc, "http");
    cJSON_AddStringToObject(http, "method", req->method);
    cJSON_AddStringToObject(http, "path", x->raw_path_v2);
    cJSON_AddStringToObject(http, "protocol", "HTTP/1.1");
    cJSON_AddStringToObject(http, "sourceIp", apigw_source_ip(req));
    cJSON_AddStringToObject(http, "userAgent", ua ? ua : "");
    cJSON_AddStringToObject(rc, "requestId", req->request_id);
    cJSON_AddStringToObject(rc, "routeKey", apigw_str(x->route, "routeKey"));
    cJSON_AddStringToObject(rc, "stage", x->stage);
    cJSON_AddStringToObject(rc, "time", when);
    cJSON_AddNumberToObject(rc, "timeEpoch", (double)x->start_ms);
    return rc;
}

/* headers (names lowercased, repeated values joined with commas) and
 * cookies, as the 2.0 event carries them. */
static void v2_headers(ts_req *req, cJSON *ev)
{
    cJSON *h = cJSON_CreateObject(), *cookies = cJSON_CreateArray();

    for (const ts_kv *kv = req->headers; kv; kv = kv->next) {
        char name[128];
        cJSON *cur;
        size_t i;
        for (i = 0; kv->name[i] && i + 1 < sizeof name; i++)
            name[i] = (char)(kv->name[i] >= 'A' && kv->name[i] <= 'Z' ? kv->name[i] + 32
                                                                        : kv->name[i]);
        name[i] = '\0';
        if (!strcmp(name, "cookie")) {
            const char *p = kv->value;
            while (*p) {
                size_t n = strcspn(p, ";");
                size_t skip = strspn(p, " ");
                if (n > skip)
                    cJSON_AddItemToArray(cookies, cJSON_CreateString(
                        ts_arena_strndup(req->arena, p + skip, n - skip)));
                p += n + (p[n] == ';');
            }
            continue;
        }
        if ((cur = cJSON_GetObjectItemCaseSensitive(h, name))) {
            char *v = ts_arena_printf(req->arena, "%s,%s", cur->valuestring, kv->value);
            cJSON_ReplaceItemInObjectCaseSensitive(h, name, cJSON_CreateString(v));
        } else {
            cJSON_AddStringToObject(h, name, kv->value);
        }
    }
    if (cJSON_GetArraySize(cookies))
        cJSON_AddItemToObject(ev, "cookies", cookies);
    else
        cJSON_Delete(cookies);
    cJSON_AddItemToObject(ev, "headers", h);
}

static char *event_v2(apigw_exec *x)
{
    ts_req *req = x->c->req;
    cJSON *ev = cJSON_CreateObject(), *q, *vars;
    const char *qs = strchr(req->uri, '?');

    cJSON_AddStringToObject(ev, "version", "2.0");
    cJSON_AddStringToObject(ev, "routeKey", apigw_str(x->route, "routeKey"));
    cJSON_AddStringToObject(ev, "rawPath", x->raw_path_v2);
    cJSON_AddStringToObject(ev, "rawQueryString", qs ? qs + 1 : "");
    v2_headers(req, ev);
    if (req->query) {
        q = cJSON_CreateObject();
        for (const ts_kv *kv = req->query; kv; kv = kv->next) {
            cJSON *cur = cJSON_GetObjectItemCaseSensitive(q, kv->name);
            if (cur)
                cJSON_ReplaceItemInObjectCaseSensitive(
                    q, kv->name, cJSON_CreateString(ts_arena_printf(req->arena, "%s,%s",
                                                                    cur->valuestring,
                                                                    kv->value)));
            else
                cJSON_AddStringToObject(q, kv->name, kv->value);
        }
        cJSON_AddItemToObject(ev, "queryStringParameters", q);
    }
    cJSON_AddItemToObject(ev, "requestContext", v2_context(x));
    if (cJSON_GetArraySize(x->path_params))
        cJSON_AddItemToObject(ev, "pathParameters", cJSON_Duplicate(x->path_params, 1));
    vars = cJSON_GetObjectItemCaseSensitive(x->stage_doc, "stageVariables");
    if (cJSON_GetArraySize(vars))
        cJSON_AddItemToObject(ev, "stageVariables", cJSON_Duplicate(vars, 1));
    apigw_event_body(req, ev, !is_text_type(ts_req_header(req, "Content-Type")));
    {
        char *text = cJSON_PrintUnformatted(ev);
        cJSON_Delete(ev);
        return text;
    }
}

/* ---- replies ---- */

/* The 2.0 rules: an object with a statusCode is a proxy reply; anything
 * else that is JSON is a 200 whose body it is (a string as its text). */
static int reply_v2(apigw_exec *x, const char *payload, size_t len)
{
    ts_req *req = x->c->req;
    ts_resp *resp = x->c->resp;
    cJSON *o = cJSON_ParseWithLength(payload, len);
    int rc = 0;

    if (!o)
        return -1;
    if (cJSON_IsObject(o) && cJSON_GetObjectItemCaseSensitive(o, "statusCode")) {
        cJSON_Delete(o);
        return apigw_proxy_reply(x, payload, len, 1);
    }
    resp->status = 200;
    ts_buf_reset(&resp->body);
    if (cJSON_IsString(o)) {
        ts_buf_puts(&resp->body, o->valuestring);
    } else {
        ts_buf_append(&resp->body, payload, len);
    }
    ts_resp_header(req, resp, "Content-Type", "application/json");
    cJSON_Delete(o);
    return rc;
}

static void v2_proxy_done(void *arg, const lambda_result *r)
{
    apigw_exec *x = arg;

    if (r->caller_timeout) {
        apigw_reply_json(x, 503, NULL, "message", "Service Unavailable");
    } else if (r->status != 0) {
        ts_log(TS_LOG_INFO, "apigateway %s: the integration failed: %.200s", x->api_id,
               r->payload);
        apigw_reply_json(x, 500, NULL, "message", "Internal Server Error");
    } else if ((x->payload_v2 ? reply_v2(x, r->payload, r->len)
                              : apigw_proxy_reply(x, r->payload, r->len, 0)) != 0) {
        ts_log(TS_LOG_INFO, "apigateway %s: malformed Lambda proxy response", x->api_id);
        x->c->resp->headers = NULL;
        apigw_reply_json(x, 500, NULL, "message", "Internal Server Error");
    }
    apigw_v2_finish(x);
}

static void v2_integrate(apigw_exec *x)
{
    char *event;

    const char *type = apigw_str(x->integration, "integrationType");

    if (type && !strcmp(type, "HTTP_PROXY")) {
        apigw_run_http(x, 1, NULL, 0);
        return;
    }
    if (!x->integration || strcmp(type ? type : "", "AWS_PROXY")) {
        ts_log(TS_LOG_WARN, "apigateway %s: %s integrations are not supported by tinystack yet",
               x->api_id, x->integration ? apigw_str(x->integration, "integrationType")
                                         : "missing");
        apigw_reply_json(x, 500, NULL, "message", "Internal Server Error");
        apigw_v2_finish(x);
        return;
    }
    if (!x->target &&
        !(x->target = apigw_target(x, apigw_str(x->integration, "integrationUri")))) {
        apigw_v2_finish(x);
        return;
    }
    event = x->payload_v2 ? event_v2(x) : apigw_event_v1(x);
    if (!x->suspended) {
        x->suspended = 1;
        http_suspend(x->c->req);
    }
    lambda_target_invoke(x->target, event, strlen(event),
                         apigw_integration_timeout(x->integration), v2_proxy_done, x);
    cJSON_free(event);
}

/* ---- JWT ---- */

static cJSON *jwt_claims(const char *token)
{
    const char *dot1 = strchr(token, '.'), *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    size_t n, i;
    char *b64;
    unsigned char *raw;
    size_t rawlen;
    cJSON *claims = NULL;

    if (!dot1 || !dot2)
        return NULL;
    n = (size_t)(dot2 - dot1 - 1);
    b64 = ts_malloc(n + 4);
    for (i = 0; i < n; i++) {
        char ch = dot1[1 + i];
        b64[i] = ch == '-' ? '+' : ch == '_' ? '/' : ch;
    }
    while (i % 4)
        b64[i++] = '=';
    b64[i] = '\0';
    if (ts_base64_decode(b64, i, &raw, &rawlen) == 0) {
        claims = cJSON_ParseWithLength((const char *)raw, rawlen);
        ts_free(raw);
    }
    ts_free(b64);
    if (claims && !cJSON_IsObject(claims)) {
        cJSON_Delete(claims);
        claims = NULL;
    }
    return claims;
}

/* 0 with x->authorizer set, or -1 (401 answered). */
static int jwt_check(apigw_exec *x, const cJSON *auth)
{
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(auth, "jwtConfiguration");
    const cJSON *srcs = cJSON_GetObjectItemCaseSensitive(auth, "identitySource"), *a, *aud, *t;
    const char *src = cJSON_IsArray(srcs) && cJSON_IsString(srcs->child) ? srcs->child->valuestring
                                                                          : "$request.header.Authorization";
    const char *value = NULL, *iss = apigw_str(cfg, "issuer");
    cJSON *claims;
    double now = (double)ts_now_ms() / 1000;
    int ok = 0;

    if (ts_starts_with(src, "$request.header."))
        value = ts_req_header(x->c->req, src + strlen("$request.header."));
    if (value && ts_starts_with(value, "Bearer "))
        value += 7;
    if (!value || !(claims = jwt_claims(value))) {
        apigw_reply_json(x, 401, NULL, "message", "Unauthorized");
        ts_resp_header(x->c->req, x->c->resp, "www-authenticate", "Bearer");
        return -1;
    }
    aud = cJSON_GetObjectItemCaseSensitive(claims, "aud");
    if (!aud)
        aud = cJSON_GetObjectItemCaseSensitive(claims, "client_id");
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(cfg, "audience")) {
        const cJSON *e;
        if (!cJSON_IsString(a))
            continue;
        if (cJSON_IsString(aud) && !strcmp(aud->valuestring, a->valuestring))
            ok = 1;
        if (cJSON_IsArray(aud))
            cJSON_ArrayForEach(e, aud)
                if (cJSON_IsString(e) && !strcmp(e->valuestring, a->valuestring))
                    ok = 1;
    }
    if (iss && (!apigw_str(claims, "iss") || strcmp(apigw_str(claims, "iss"), iss)))
        ok = 0;
    if ((t = cJSON_GetObjectItemCaseSensitive(claims, "exp")) &&
        (!cJSON_IsNumber(t) || t->valuedouble <= now))
        ok = 0;
    if ((t = cJSON_GetObjectItemCaseSensitive(claims, "nbf")) && cJSON_IsNumber(t) &&
        t->valuedouble > now)
        ok = 0;
    if (!ok) {
        cJSON_Delete(claims);
        apigw_reply_json(x, 401, NULL, "message", "Unauthorized");
        ts_resp_header(x->c->req, x->c->resp, "www-authenticate",
                       "Bearer scope=\"\" error=\"invalid_token\" error_description=\"the token "
                       "does not have a valid audience, issuer or expiry\"");
        return -1;
    }
    x->authorizer = cJSON_CreateObject();
    {
        cJSON *jwt = cJSON_AddObjectToObject(x->authorizer, "jwt");
        const char *scope = apigw_str(claims, "scope");
        cJSON_AddItemToObject(jwt, "claims", claims);
        if (scope) {
            cJSON *scopes = cJSON_AddArrayToObject(jwt, "scopes");
            for (const char *p = scope; *p;) {
                size_t n = strcspn(p, " ");
                if (n)
                    cJSON_AddItemToArray(scopes, cJSON_CreateString(
                        ts_arena_strndup(x->c->req->arena, p, n)));
                p += n + (p[n] == ' ');
            }
        } else {
            cJSON_AddNullToObject(jwt, "scopes");
        }
    }
    return 0;
}

/* ---- authorizers ---- */

static char *v2_authorizer_event(apigw_exec *x, const cJSON *auth)
{
    const char *fmt = apigw_str(auth, "authorizerPayloadFormatVersion");
    cJSON *ev;
    char *text, *base;

    if (fmt && !strcmp(fmt, "1.0")) {
        ev = apigw_event_v1_object(x);
        cJSON_AddStringToObject(ev, "type", "REQUEST");
        cJSON_AddStringToObject(ev, "methodArn", apigw_method_arn(x));
    } else {
        const cJSON *s;
        cJSON *ids;
        base = event_v2(x);
        ev = cJSON_Parse(base);
        cJSON_free(base);
        cJSON_AddStringToObject(ev, "type", "REQUEST");
        cJSON_AddStringToObject(ev, "routeArn", apigw_method_arn(x));
        ids = cJSON_AddArrayToObject(ev, "identitySource");
        cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(auth, "identitySource")) {
            const char *src = cJSON_IsString(s) ? s->valuestring : "", *v = NULL;
            if (ts_starts_with(src, "$request.header."))
                v = ts_req_header(x->c->req, src + strlen("$request.header."));
            else if (ts_starts_with(src, "$request.querystring."))
                v = ts_req_query(x->c->req, src + strlen("$request.querystring."));
            if (v)
                cJSON_AddItemToArray(ids, cJSON_CreateString(v));
        }
    }
    text = cJSON_PrintUnformatted(ev);
    cJSON_Delete(ev);
    return text;
}

/* 0: go on now; 1: answered or waiting. */
static int v2_authorize(apigw_exec *x)
{
    const char *type = apigw_str(x->route, "authorizationType");
    const char *id = apigw_str(x->route, "authorizerId");
    const cJSON *auth = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(x->live, "authorizers"), id ? id : "");
    const cJSON *srcs;
    ts_buf key;
    int rc;

    if (!type || (strcmp(type, "CUSTOM") && strcmp(type, "JWT")))
        return 0;   /* NONE; AWS_IAM is stored, not enforced */
    if (!auth) {
        apigw_reply_json(x, 500, NULL, "message", "Internal Server Error");
        apigw_v2_finish(x);
        return 1;
    }
    if (!strcmp(type, "JWT")) {
        if (jwt_check(x, auth) != 0) {
            apigw_v2_finish(x);
            return 1;
        }
        return 0;
    }
    /* A Lambda REQUEST authorizer: every identity source must be there. */
    srcs = cJSON_GetObjectItemCaseSensitive(auth, "identitySource");
    ts_buf_init(&key);
    ts_buf_printf(&key, "%s/%s", x->api_id, id);
    {
        const cJSON *s;
        cJSON_ArrayForEach(s, srcs) {
            const char *src = cJSON_IsString(s) ? s->valuestring : "", *v = NULL;
            if (ts_starts_with(src, "$request.header."))
                v = ts_req_header(x->c->req, src + strlen("$request.header."));
            else if (ts_starts_with(src, "$request.querystring."))
                v = ts_req_query(x->c->req, src + strlen("$request.querystring."));
            else if (ts_starts_with(src, "$context.") || ts_starts_with(src, "$stageVariables."))
                v = "";
            if (!v) {
                ts_buf_free(&key);
                apigw_reply_json(x, 401, NULL, "message", "Unauthorized");
                apigw_v2_finish(x);
                return 1;
            }
            ts_buf_printf(&key, "\n%s", v);
        }
    }
    /* The integration's function, looked up while the request holds its
     * snapshot (the authorizer answers on the runtime thread). */
    if (!x->target && apigw_str(x->integration, "integrationType") &&
        !strcmp(apigw_str(x->integration, "integrationType"), "AWS_PROXY") &&
        !(x->target = apigw_target(x, apigw_str(x->integration, "integrationUri")))) {
        ts_buf_free(&key);
        apigw_v2_finish(x);
        return 1;
    }
    rc = apigw_run_authorizer(x, auth, v2_authorizer_event(x, auth), key.data,
                              cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
                                  auth, "enableSimpleResponses")), v2_integrate);
    ts_buf_free(&key);
    return rc;
}

/* ---- the request ---- */

int apigw_execute_v2(apigw_exec *x)
{
    ts_req *req = x->c->req;
    char **seg;
    int n, why = 0;
    const char *origin = ts_req_header(req, "Origin");
    const cJSON *cors, *integrations;
    const char *target;

    /* The first segment is the stage if the API has such a stage; else
     * the $default stage serves the whole path. */
    n = apigw_segments(req->arena, x->rest, &seg);
    if (n > 0 && (x->live = apigw_v2_serving(x->api_id, seg[0], &why))) {
        x->stage = seg[0];
        seg++;
        n--;
    } else if ((x->live = apigw_v2_serving(x->api_id, "$default", &why))) {
        x->stage = "$default";
    } else {
        apigw_reply_json(x, 404, NULL, "message", "Not Found");
        apigw_done(x);
        return 0;
    }
    x->api = cJSON_GetObjectItemCaseSensitive(x->live, "api");
    x->stage_doc = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(x->live, "stage"), 1);
    {
        ts_buf b;
        ts_buf_init(&b);
        if (strcmp(x->stage, "$default"))
            ts_buf_printf(&b, "/%s", x->stage);
        for (int i = 0; i < n; i++)
            ts_buf_printf(&b, "/%s", seg[i]);
        x->raw_path_v2 = ts_arena_strdup(req->arena, b.len ? b.data : "/");
        ts_buf_reset(&b);
        for (int i = 0; i < n; i++)
            ts_buf_printf(&b, "/%s", seg[i]);
        x->path_decoded = ts_arena_strdup(req->arena, b.len ? b.data : "/");
        ts_buf_free(&b);
    }
    cors = cJSON_GetObjectItemCaseSensitive(x->api, "corsConfiguration");
    if (cJSON_IsObject(cors) && !strcmp(req->method, "OPTIONS") && origin &&
        ts_req_header(req, "Access-Control-Request-Method")) {
        /* A preflight: answered by the API's CORS configuration. */
        x->c->resp->status = 204;
        if (origin_allowed(cors, origin))
            cors_headers(x, cors, origin, 1);
        apigw_done(x);
        return 0;
    }
    if (!(x->route = pick_route(x, seg, n))) {
        apigw_reply_json(x, 404, NULL, "message", "Not Found");
        apigw_v2_finish(x);
        return 0;
    }
    /* The event 1.0 shape wants a resource: the route's path. */
    {
        const char *key = apigw_str(x->route, "routeKey"), *sp = strchr(key, ' ');
        cJSON *res = cJSON_AddObjectToObject(x->live, "_resource");
        cJSON_AddStringToObject(res, "id", apigw_str(x->route, "routeId")
                                               ? apigw_str(x->route, "routeId") : "");
        cJSON_AddStringToObject(res, "path", sp ? sp + 1 : key);
        x->resource = res;
    }
    integrations = cJSON_GetObjectItemCaseSensitive(x->live, "integrations");
    target = apigw_str(x->route, "target");
    if (target && ts_starts_with(target, "integrations/"))
        x->integration = cJSON_GetObjectItemCaseSensitive(integrations,
                                                          target + strlen("integrations/"));
    x->payload_v2 = !apigw_str(x->integration, "payloadFormatVersion") ||
                    strcmp(apigw_str(x->integration, "payloadFormatVersion"), "1.0");
    if (v2_authorize(x) != 0)
        return 0;
    v2_integrate(x);
    return 0;
}
