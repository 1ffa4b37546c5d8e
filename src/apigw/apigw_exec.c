/*
 * apigw_exec.c - the data plane: a request to an API (REST or HTTP)
 * through any of the URL forms LocalStack users know:
 *
 *   Host {id}.execute-api.<anything>      /{stage}/{path}
 *   /_aws/execute-api/{id}                /{stage}/{path}
 *   /restapis/{id}/{stage}/_user_request_ /{path}
 *
 * An HTTP API goes to apigw_exec_v2.c.  A REST API's stage names the
 * deployment it serves, whose snapshot of the API is parsed once and kept
 * (deployments never change).  The path picks a resource as AWS picks
 * one (literal parts before {param} before {proxy+}), the method or ANY
 * picks the method; then the API key, the authorizer (apigw_auth.c) and
 * the integration: AWS_PROXY builds the Lambda proxy event 1.0 and maps
 * the reply, AWS and MOCK run mapping templates (apigw_map.c).  A
 * request that waits for a Lambda function suspends its connection; the
 * function's completion answers it from the runtime thread.
 */
#include "apigw_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tinystack/lambda.h"
#include "tinystack/store.h"

/* ---- deployment snapshots, parsed once ---- */

#define SNAP_SLOTS 32

static struct snap {
    char key[40];       /* api id "/" deployment id */
    cJSON *doc;
    int refs;
    uint64_t used;
} snaps[SNAP_SLOTS];
static pthread_mutex_t snap_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t snap_clock;

/* The snapshot of deployment dep of api (a reference: give it back with
 * snap_put), or NULL when there is none.  In a read snapshot. */
static cJSON *snap_get(const char *api, const char *dep)
{
    char key[40];
    cJSON *doc = NULL;
    struct snap *victim = NULL;

    snprintf(key, sizeof key, "%s/%s", api, dep ? dep : "");
    pthread_mutex_lock(&snap_lock);
    for (int i = 0; i < SNAP_SLOTS; i++)
        if (snaps[i].doc && !strcmp(snaps[i].key, key)) {
            snaps[i].refs++;
            snaps[i].used = ++snap_clock;
            doc = snaps[i].doc;
            break;
        }
    pthread_mutex_unlock(&snap_lock);
    if (doc)
        return doc;
    cJSON_Delete(apigw_deployment_load(api, dep, &doc));
    if (!doc)
        return NULL;
    pthread_mutex_lock(&snap_lock);
    for (int i = 0; i < SNAP_SLOTS; i++)
        if (!snaps[i].refs && (!victim || snaps[i].used < victim->used))
            victim = &snaps[i];
    if (victim) {
        cJSON_Delete(victim->doc);
        snprintf(victim->key, sizeof victim->key, "%s", key);
        victim->doc = doc;
        victim->refs = 1;
        victim->used = ++snap_clock;
    }
    pthread_mutex_unlock(&snap_lock);
    return doc;     /* uncached when every slot is in use: snap_put frees it */
}

static void snap_put(cJSON *doc)
{
    int cached = 0;

    if (!doc)
        return;
    pthread_mutex_lock(&snap_lock);
    for (int i = 0; i < SNAP_SLOTS; i++)
        if (snaps[i].doc == doc) {
            snaps[i].refs--;
            cached = 1;
            break;
        }
    pthread_mutex_unlock(&snap_lock);
    if (!cached)
        cJSON_Delete(doc);
}

void apigw_exec_reset(void)
{
    pthread_mutex_lock(&snap_lock);
    for (int i = 0; i < SNAP_SLOTS; i++)
        if (snaps[i].doc && !snaps[i].refs) {
            cJSON_Delete(snaps[i].doc);
            snaps[i].doc = NULL;
            snaps[i].key[0] = '\0';
        }
    pthread_mutex_unlock(&snap_lock);
}

/* ---- the request as the data plane sees it ---- */

static void exec_free(void *arg)
{
    apigw_exec *x = arg;

    if (x->kind == APIGW_KIND_REST)
        snap_put(x->api);   /* an HTTP API's is part of x->live */
    cJSON_Delete(x->stage_doc);
    cJSON_Delete(x->path_params);
    cJSON_Delete(x->authorizer);
    cJSON_Delete(x->live);
    lambda_target_free(x->target);
    lambda_target_free(x->auth_target);
}

/* Splits the URL into the API id and what follows it ("/{stage}/{path}",
 * or for the _user_request_ form the stage and the path).  0 or -1. */
static int parse_target(apigw_exec *x)
{
    ts_req *req = x->c->req;
    ts_arena *a = req->arena;
    const char *p = req->path, *dot, *slash, *us;

    if ((dot = strstr(req->host, ".execute-api."))) {
        x->api_id = ts_arena_strndup(a, req->host, (size_t)(dot - req->host));
        x->rest = p;
        return 0;
    }
    if (ts_starts_with(p, "/_aws/execute-api/")) {
        p += strlen("/_aws/execute-api/");
        slash = strchr(p, '/');
        x->api_id = ts_arena_strndup(a, p, slash ? (size_t)(slash - p) : strlen(p));
        x->rest = slash ? slash : "/";
        return 0;
    }
    /* /restapis/{id}/{stage}/_user_request_/{path} */
    p += strlen("/restapis/");
    slash = strchr(p, '/');
    us = strstr(p, "/_user_request_");
    if (!slash || !us || us <= slash)
        return -1;
    x->api_id = ts_arena_strndup(a, p, (size_t)(slash - p));
    x->stage = ts_arena_strndup(a, slash + 1, (size_t)(us - slash - 1));
    x->path = us[15] ? us + 15 : "/";
    return 0;
}

/* Decodes one path (percent escapes; '+' stays) into the arena. */
const char *apigw_decode(ts_arena *a, const char *s, size_t n)
{
    char *d = ts_url_decode(s, n, 0), *copy;

    if (!d)
        return ts_arena_strndup(a, s, n);
    copy = ts_arena_strdup(a, d);
    ts_free(d);
    return copy;
}

/* The first segment of x->rest as the stage, the rest as the path. */
static void split_stage(apigw_exec *x)
{
    const char *r = x->rest[0] == '/' ? x->rest + 1 : x->rest, *slash = strchr(r, '/');

    x->stage = apigw_decode(x->c->req->arena, r, slash ? (size_t)(slash - r) : strlen(r));
    x->path = slash ? slash : "/";
}

/* ---- answers ---- */

void apigw_reply_json(apigw_exec *x, int status, const char *error_type, const char *member,
                      const char *message)
{
    ts_req *req = x->c->req;
    ts_resp *resp = x->c->resp;
    cJSON *o = cJSON_CreateObject();
    char *text;

    if (message)
        cJSON_AddStringToObject(o, member, message);
    else
        cJSON_AddNullToObject(o, member);
    text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    resp->status = status;
    ts_buf_reset(&resp->body);
    ts_buf_puts(&resp->body, text);
    cJSON_free(text);
    ts_resp_header(req, resp, "Content-Type", "application/json");
    if (error_type)
        ts_resp_header(req, resp, "x-amzn-ErrorType", error_type);
}

static const struct gw_type {
    const char *type, *error_type, *message;
} gw_types[] = {
    {"MISSING_AUTHENTICATION_TOKEN", "MissingAuthenticationTokenException",
     "Missing Authentication Token"},
    {"UNAUTHORIZED", "UnauthorizedException", "Unauthorized"},
    {"ACCESS_DENIED", "AccessDeniedException",
     "User is not authorized to access this resource with an explicit deny"},
    {"INVALID_API_KEY", "ForbiddenException", "Forbidden"},
    {"INTEGRATION_TIMEOUT", "InternalServerErrorException", "Endpoint request timed out"},
    {"INTEGRATION_FAILURE", "InternalServerErrorException", "Internal server error"},
    {"DEFAULT_5XX", "InternalServerErrorException", "Internal server error"},
    {"API_CONFIGURATION_ERROR", "InternalServerErrorException", "Internal server error"},
    {"AUTHORIZER_FAILURE", "AuthorizerConfigurationException", NULL},
    {"AUTHORIZER_CONFIGURATION_ERROR", "AuthorizerConfigurationException", NULL},
    {"UNSUPPORTED_MEDIA_TYPE", "UnsupportedMediaTypeException", "Unsupported Media Type"},
    {"BAD_REQUEST_PARAMETERS", "BadRequestException", "Missing required request parameters"},
    {"BAD_REQUEST_BODY", "BadRequestException", "Invalid request body"},
    {"RESOURCE_NOT_FOUND", "NotFoundException", "Not Found"},
    {"THROTTLED", "TooManyRequestsException", "Too Many Requests"},
};

/* Static values and request values of a gateway response's
 * responseParameters ("gatewayresponse.header.X": "'v'" or
 * "method.request.header.Y"). */
static void gw_headers(apigw_exec *x, const cJSON *params)
{
    const cJSON *p;

    cJSON_ArrayForEach(p, params) {
        const char *v = cJSON_IsString(p) ? p->valuestring : NULL;
        if (!v || !ts_starts_with(p->string, "gatewayresponse.header."))
            continue;
        v = apigw_param_value(x, v);
        if (v)
            ts_resp_header(x->c->req, x->c->resp, p->string + strlen("gatewayresponse.header."),
                           v);
    }
}

void apigw_gateway_reply(apigw_exec *x, const char *type, int status, const char *message)
{
    const struct gw_type *t = &gw_types[0];
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(x->api, "_gatewayResponses");
    const cJSON *custom, *tmpls;
    const char *code, *fallback;

    for (size_t i = 0; i < TS_ARRAY_LEN(gw_types); i++)
        if (!strcmp(gw_types[i].type, type)) {
            t = &gw_types[i];
            break;
        }
    if (!status)
        status = apigw_gateway_status(type) > 0 ? apigw_gateway_status(type) : 500;
    if (x->kind == APIGW_KIND_HTTP) {
        /* HTTP APIs have no gateway responses, and their own words. */
        apigw_reply_json(x, status, NULL, "message",
                         message ? message : status >= 500 ? "Internal Server Error"
                                                           : t->message);
        return;
    }
    if (!message)
        message = t->message;
    fallback = status >= 500 ? "DEFAULT_5XX" : "DEFAULT_4XX";
    custom = cJSON_GetObjectItemCaseSensitive(map, type);
    if (!custom)
        custom = cJSON_GetObjectItemCaseSensitive(map, fallback);
    if (!custom) {
        apigw_reply_json(x, status, t->error_type,
                         !strcmp(type, "ACCESS_DENIED") ? "Message" : "message", message);
        return;
    }
    /* A customised response: its status, headers and template.  The
     * status stands when the reply is itself of the default type that
     * matched (a Lambda's failing DEFAULT_5XX stays a 502). */
    if ((code = apigw_str(custom, "statusCode")) && strcmp(type, fallback))
        status = atoi(code);
    apigw_reply_json(x, status, t->error_type, "message", message);
    tmpls = cJSON_GetObjectItemCaseSensitive(custom, "responseTemplates");
    if (cJSON_GetArraySize(tmpls) > 0) {
        const cJSON *tm = cJSON_GetObjectItemCaseSensitive(tmpls, "application/json");
        if (!cJSON_IsString(tm))
            tm = tmpls->child;
        if (cJSON_IsString(tm))
            apigw_render_error_template(x, tm->valuestring, type, message);
    }
    gw_headers(x, cJSON_GetObjectItemCaseSensitive(custom, "responseParameters"));
}

/* Answers now, or, when x waits suspended, resumes it with the answer. */
void apigw_done(apigw_exec *x)
{
    ts_resp_headerf(x->c->req, x->c->resp, "x-amz-apigw-id", "%.16s", x->c->req->request_id);
    if (x->suspended)
        http_resume(x->c->req);
}

/* ---- routing ---- */

static int has_method(const cJSON *res, const char *method)
{
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(res, "resourceMethods");

    return cJSON_GetObjectItemCaseSensitive(ms, method) || cJSON_GetObjectItemCaseSensitive(ms, "ANY");
}

typedef struct route_walk {
    const cJSON *resources;
    char **seg;
    int n;
    const char *method;
    cJSON *params;
    ts_arena *arena;
} route_walk;

static const cJSON *walk(route_walk *w, const cJSON *node, int i, int depth)
{
    const char *id = apigw_str(node, "id");
    const cJSON *r, *found;

    if (i == w->n)
        return has_method(node, w->method) ? node : NULL;
    if (depth > 64)
        return NULL;
    /* Literal parts first, then a {param}, then a greedy {proxy+}. */
    for (int pass = 0; pass < 3; pass++)
        cJSON_ArrayForEach(r, w->resources) {
            const char *pid = apigw_str(r, "parentId"), *part = apigw_str(r, "pathPart");
            size_t plen;
            if (!pid || strcmp(pid, id) || !part)
                continue;
            plen = strlen(part);
            if (pass == 0 && part[0] != '{' && !strcmp(part, w->seg[i])) {
                if ((found = walk(w, r, i + 1, depth + 1)))
                    return found;
            } else if (pass == 1 && part[0] == '{' && plen > 2 && part[plen - 2] != '+') {
                char *name = ts_arena_strndup(w->arena, part + 1, plen - 2);
                cJSON_DeleteItemFromObjectCaseSensitive(w->params, name);
                cJSON_AddStringToObject(w->params, name, w->seg[i]);
                if ((found = walk(w, r, i + 1, depth + 1)))
                    return found;
                cJSON_DeleteItemFromObjectCaseSensitive(w->params, name);
            } else if (pass == 2 && part[0] == '{' && plen > 3 && part[plen - 2] == '+' &&
                       has_method(r, w->method)) {
                ts_buf b;
                ts_buf_init(&b);
                for (int k = i; k < w->n; k++) {
                    if (k > i)
                        ts_buf_putc(&b, '/');
                    ts_buf_puts(&b, w->seg[k]);
                }
                cJSON_AddStringToObject(w->params, ts_arena_strndup(w->arena, part + 1, plen - 3),
                                        b.data ? b.data : "");
                ts_buf_free(&b);
                return r;
            }
        }
    return NULL;
}

const char *apigw_path_next(const char **p, size_t *len)
{
    const char *s = *p, *end;

    while (*s == '/')
        s++;
    if (!*s) {
        *p = s;
        return NULL;
    }
    end = strchr(s, '/');
    if (!end)
        end = s + strlen(s);
    *len = (size_t)(end - s);
    *p = end;
    return s;
}

/* Splits a raw path into decoded, non-empty segments (arena).  The count. */
int apigw_segments(ts_arena *a, const char *path, char ***out)
{
    int n = 0, cap = 8;
    char **seg = ts_arena_alloc(a, sizeof(char *) * (size_t)cap);
    const char *p = path, *s;
    size_t len;

    while ((s = apigw_path_next(&p, &len))) {
        if (n == cap) {
            char **bigger = ts_arena_alloc(a, sizeof(char *) * (size_t)cap * 2);
            memcpy(bigger, seg, sizeof(char *) * (size_t)cap);
            seg = bigger;
            cap *= 2;
        }
        seg[n++] = (char *)apigw_decode(a, s, len);
    }
    *out = seg;
    return n;
}

/* Finds the resource and method of x's path, split into its n segments
 * seg (apigw_segments of x->path).  0, or -1 when no resource matches. */
static int rest_route(apigw_exec *x, char **seg, int n)
{
    route_walk w;
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(x->api, "_resources"), *root;
    const char *root_id = apigw_str(x->api, "rootResourceId");
    const cJSON *ms;

    w.resources = res;
    w.seg = seg;
    w.n = n;
    w.method = x->c->req->method;
    w.params = cJSON_CreateObject();
    w.arena = x->c->req->arena;
    root = cJSON_GetObjectItemCaseSensitive(res, root_id ? root_id : "");
    x->resource = root ? (cJSON *)walk(&w, root, 0, 0) : NULL;
    if (!x->resource) {
        cJSON_Delete(w.params);
        return -1;
    }
    x->path_params = w.params;
    ms = cJSON_GetObjectItemCaseSensitive(x->resource, "resourceMethods");
    x->method = cJSON_GetObjectItemCaseSensitive(ms, w.method);
    if (!x->method)
        x->method = cJSON_GetObjectItemCaseSensitive(ms, "ANY");
    x->integration = cJSON_GetObjectItemCaseSensitive(x->method, "methodIntegration");
    return 0;
}

/* ---- the request's pieces the event and the templates use ---- */

int apigw_media_match(const char *pattern, const char *type)
{
    char p[128], t[128];
    size_t n;

    if (!pattern || !type)
        return 0;
    n = strcspn(type, ";");
    while (n && type[n - 1] == ' ')
        n--;
    snprintf(t, sizeof t, "%.*s", (int)n, type);
    snprintf(p, sizeof p, "%s", pattern);
    for (char *q = t; *q; q++)
        *q = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
    for (char *q = p; *q; q++)
        *q = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
    return ts_glob_match(p, t);
}

int apigw_binary_type(const cJSON *types, const char *content_type)
{
    const cJSON *t;

    cJSON_ArrayForEach(t, types)
        if (cJSON_IsString(t) && apigw_media_match(t->valuestring, content_type))
            return 1;
    return 0;
}

/* 1 when any media type the Accept header lists is binary for the API. */
int apigw_accepts_binary(const cJSON *types, const char *accept)
{
    char item[160];

    while (accept && *accept) {
        size_t n = strcspn(accept, ",");
        size_t skip = strspn(accept, " ");
        if (n > skip) {
            snprintf(item, sizeof item, "%.*s", (int)(n - skip), accept + skip);
            if (apigw_binary_type(types, item))
                return 1;
        }
        accept += n;
        if (*accept == ',')
            accept++;
    }
    return 0;
}

const char *apigw_source_ip(ts_req *req)
{
    return req->peer[0] ? req->peer : "127.0.0.1";
}

static void add_nullable(cJSON *o, const char *name, cJSON *v)
{
    if (v && cJSON_GetArraySize(v) > 0)
        cJSON_AddItemToObject(o, name, v);
    else {
        cJSON_Delete(v);
        cJSON_AddNullToObject(o, name);
    }
}

/* {name: last value} or, multi, {name: [values]} of a list of pairs. */
static cJSON *kv_map(const ts_kv *list, int multi)
{
    cJSON *o = cJSON_CreateObject();

    for (const ts_kv *kv = list; kv; kv = kv->next) {
        cJSON *cur = cJSON_GetObjectItemCaseSensitive(o, kv->name);
        if (multi) {
            if (!cur)
                cur = cJSON_AddArrayToObject(o, kv->name);
            cJSON_AddItemToArray(cur, cJSON_CreateString(kv->value));
        } else {
            cJSON_DeleteItemFromObjectCaseSensitive(o, kv->name);
            cJSON_AddStringToObject(o, kv->name, kv->value);
        }
    }
    return o;
}

cJSON *apigw_headers_map(ts_req *req, int multi)
{
    return kv_map(req->headers, multi);
}

cJSON *apigw_query_map(ts_req *req, int multi)
{
    return kv_map(req->query, multi);
}

const char *apigw_domain(apigw_exec *x)
{
    ts_req *req = x->c->req;

    if (strstr(req->host, ".execute-api."))
        return req->host;
    return ts_arena_printf(req->arena, "%s.execute-api.localhost.localstack.cloud", x->api_id);
}

void apigw_event_body(ts_req *req, cJSON *ev, int binary)
{
    int b64 = 0;

    if (req->body.len) {
        b64 = binary || !ts_utf8_valid(req->body.data, req->body.len) ||
              memchr(req->body.data, '\0', req->body.len);
        if (b64) {
            char *enc = ts_base64_encode((const unsigned char *)req->body.data, req->body.len);
            cJSON_AddStringToObject(ev, "body", enc);
            ts_free(enc);
        } else {
            cJSON_AddStringToObject(ev, "body", req->body.data);
        }
    }
    cJSON_AddBoolToObject(ev, "isBase64Encoded", b64);
}

void apigw_request_time(int64_t ms, char *out, size_t n)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, n, "%d/%b/%Y:%H:%M:%S +0000", &tm);
}

static cJSON *identity(ts_req *req)
{
    static const char *const nulls[] = {
        "cognitoIdentityPoolId", "accountId", "cognitoIdentityId", "caller", "principalOrgId",
        "accessKey", "cognitoAuthenticationType", "cognitoAuthenticationProvider", "userArn",
        "user", NULL,
    };
    cJSON *id = cJSON_CreateObject();
    const char *ua = ts_req_header(req, "User-Agent");

    for (const char *const *n = nulls; *n; n++)
        cJSON_AddNullToObject(id, *n);
    cJSON_AddStringToObject(id, "sourceIp", apigw_source_ip(req));
    if (ua)
        cJSON_AddStringToObject(id, "userAgent", ua);
    else
        cJSON_AddNullToObject(id, "userAgent");
    return id;
}

cJSON *apigw_request_context(apigw_exec *x)
{
    ts_req *req = x->c->req;
    cJSON *rc = cJSON_CreateObject();
    char when[40];

    apigw_request_time(x->start_ms, when, sizeof when);
    cJSON_AddStringToObject(rc, "resourceId", apigw_str(x->resource, "id"));
    cJSON_AddStringToObject(rc, "resourcePath", apigw_str(x->resource, "path"));
    cJSON_AddStringToObject(rc, "httpMethod", req->method);
    cJSON_AddStringToObject(rc, "extendedRequestId", req->request_id);
    cJSON_AddStringToObject(rc, "requestTime", when);
    cJSON_AddStringToObject(rc, "path", ts_arena_printf(req->arena, "/%s%s", x->stage,
                                                        x->path_decoded));
    cJSON_AddStringToObject(rc, "accountId", x->account);
    cJSON_AddStringToObject(rc, "protocol", "HTTP/1.1");
    cJSON_AddStringToObject(rc, "stage", x->stage);
    cJSON_AddStringToObject(rc, "domainPrefix", x->api_id);
    cJSON_AddNumberToObject(rc, "requestTimeEpoch", (double)x->start_ms);
    cJSON_AddStringToObject(rc, "requestId", req->request_id);
    cJSON_AddItemToObject(rc, "identity", identity(req));
    cJSON_AddStringToObject(rc, "domainName", apigw_domain(x));
    cJSON_AddStringToObject(rc, "apiId", x->api_id);
    if (x->authorizer)
        cJSON_AddItemToObject(rc, "authorizer", cJSON_Duplicate(x->authorizer, 1));
    return rc;
}

/* The Lambda proxy integration's event, payload format 1.0. */
char *apigw_event_v1(apigw_exec *x)
{
    cJSON *ev = apigw_event_v1_object(x);
    char *text = cJSON_PrintUnformatted(ev);

    cJSON_Delete(ev);
    return text;
}

cJSON *apigw_event_v1_object(apigw_exec *x)
{
    ts_req *req = x->c->req;
    cJSON *ev = cJSON_CreateObject(), *vars;

    cJSON_AddStringToObject(ev, "resource", apigw_str(x->resource, "path"));
    cJSON_AddStringToObject(ev, "path", x->path_decoded);
    cJSON_AddStringToObject(ev, "httpMethod", req->method);
    add_nullable(ev, "headers", apigw_headers_map(req, 0));
    add_nullable(ev, "multiValueHeaders", apigw_headers_map(req, 1));
    add_nullable(ev, "queryStringParameters", apigw_query_map(req, 0));
    add_nullable(ev, "multiValueQueryStringParameters", apigw_query_map(req, 1));
    add_nullable(ev, "pathParameters", cJSON_Duplicate(x->path_params, 1));
    vars = cJSON_GetObjectItemCaseSensitive(x->stage_doc, x->kind == APIGW_KIND_HTTP
                                                              ? "stageVariables" : "variables");
    add_nullable(ev, "stageVariables", vars ? cJSON_Duplicate(vars, 1) : NULL);
    cJSON_AddItemToObject(ev, "requestContext", apigw_request_context(x));
    /* Format 1.0 says "body": null when there is none. */
    if (!req->body.len)
        cJSON_AddNullToObject(ev, "body");
    apigw_event_body(req, ev,
                     apigw_binary_type(cJSON_GetObjectItemCaseSensitive(x->api, "binaryMediaTypes"),
                                       ts_req_header(req, "Content-Type")));
    return ev;
}

/* ---- the proxy reply ---- */

static int header_value(const cJSON *v, char *buf, size_t n, const char **out)
{
    if (cJSON_IsString(v))
        *out = v->valuestring;
    else if (cJSON_IsNumber(v)) {
        snprintf(buf, n, "%.17g", v->valuedouble);
        *out = buf;
    } else if (cJSON_IsBool(v))
        *out = cJSON_IsTrue(v) ? "true" : "false";
    else
        return -1;
    return 0;
}

int apigw_proxy_reply(apigw_exec *x, const char *payload, size_t len, int v2)
{
    ts_req *req = x->c->req;
    ts_resp *resp = x->c->resp;
    cJSON *o = cJSON_ParseWithLength(payload, len);
    const cJSON *sc, *hs, *mh, *body, *b64, *h;
    int status, has_ct = 0, rc = -1;
    char num[40];

    if (!cJSON_IsObject(o))
        goto out;
    sc = cJSON_GetObjectItemCaseSensitive(o, "statusCode");
    if (cJSON_IsNumber(sc))
        status = sc->valueint;
    else if (cJSON_IsString(sc) && sc->valuestring[0])
        status = atoi(sc->valuestring);
    else
        goto out;
    if (status < 100 || status > 599)
        goto out;
    hs = cJSON_GetObjectItemCaseSensitive(o, "headers");
    mh = cJSON_GetObjectItemCaseSensitive(o, "multiValueHeaders");
    body = cJSON_GetObjectItemCaseSensitive(o, "body");
    b64 = cJSON_GetObjectItemCaseSensitive(o, "isBase64Encoded");
    if ((hs && !cJSON_IsNull(hs) && !cJSON_IsObject(hs)) ||
        (mh && !cJSON_IsNull(mh) && !cJSON_IsObject(mh)) ||
        (body && !cJSON_IsNull(body) && !cJSON_IsString(body)))
        goto out;
    ts_buf_reset(&resp->body);
    resp->status = status;
    cJSON_ArrayForEach(h, hs) {
        const char *v;
        if (header_value(h, num, sizeof num, &v) != 0)
            goto bad;
        ts_resp_header(req, resp, h->string, v);
        has_ct |= ts_strieq(h->string, "Content-Type");
    }
    cJSON_ArrayForEach(h, mh) {
        const cJSON *e;
        if (!cJSON_IsArray(h))
            goto bad;
        if (cJSON_GetObjectItem(hs, h->string))
            continue;   /* headers wins over multiValueHeaders, as on AWS */
        /* The answer's headers go out in the reverse order of adding. */
        for (int i = cJSON_GetArraySize(h) - 1; i >= 0; i--) {
            const char *v;
            e = cJSON_GetArrayItem(h, i);
            if (header_value(e, num, sizeof num, &v) != 0)
                goto bad;
            ts_resp_header(req, resp, h->string, v);
        }
        has_ct |= ts_strieq(h->string, "Content-Type");
    }
    if (v2) {
        const cJSON *cookies = cJSON_GetObjectItemCaseSensitive(o, "cookies"), *ck;
        for (int i = cJSON_GetArraySize(cookies) - 1; i >= 0; i--)
            if (cJSON_IsString(ck = cJSON_GetArrayItem(cookies, i)))
                ts_resp_header(req, resp, "Set-Cookie", ck->valuestring);
    }
    if (!has_ct)
        ts_resp_header(req, resp, "Content-Type", "application/json");
    if (cJSON_IsString(body)) {
        const char *s = body->valuestring;
        unsigned char *raw;
        size_t rawlen;
        /* REST APIs decode a base64 reply only for a binary Accept; HTTP
         * APIs always do. */
        if (cJSON_IsTrue(b64) &&
            (v2 || apigw_accepts_binary(cJSON_GetObjectItemCaseSensitive(x->api,
                                                                         "binaryMediaTypes"),
                                        ts_req_header(req, "Accept"))) &&
            ts_base64_decode(s, strlen(s), &raw, &rawlen) == 0) {
            ts_buf_append(&resp->body, raw, rawlen);
            ts_free(raw);
        } else {
            ts_buf_puts(&resp->body, s);
        }
    }
    rc = 0;
    goto out;
bad:
    /* Headers already added stay on the list but the 502 replaces the
     * answer: start it over. */
    resp->headers = NULL;
    rc = -1;
out:
    cJSON_Delete(o);
    return rc;
}

/* ---- running the integration ---- */

/* The function ARN of a Lambda integration URI
 * ("arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<arn>/
 * invocations", or a bare function ARN), stage variables ("${stageVariables.x}")
 * replaced; arena. */
const char *apigw_lambda_arn(apigw_exec *x, const char *uri)
{
    const char *f = uri ? strstr(uri, "/functions/") : NULL, *end;
    const char *arn;

    if (f) {
        f += strlen("/functions/");
        end = strstr(f, "/invocations");
        arn = ts_arena_strndup(x->c->req->arena, f, end ? (size_t)(end - f) : strlen(f));
    } else {
        arn = uri ? uri : "";
    }
    return apigw_stage_vars(x, arn);
}

const char *apigw_stage_vars(apigw_exec *x, const char *s)
{
    const cJSON *vars = cJSON_GetObjectItemCaseSensitive(x->stage_doc, x->kind == APIGW_KIND_HTTP
                                                                           ? "stageVariables"
                                                                           : "variables");
    ts_buf b;
    const char *p, *q;
    char *out;

    if (!strstr(s, "${stageVariables."))
        return s;
    ts_buf_init(&b);
    for (p = s; (q = strstr(p, "${stageVariables.")); ) {
        const char *name = q + strlen("${stageVariables."), *close = strchr(name, '}');
        ts_buf_append(&b, p, (size_t)(q - p));
        if (!close) {
            p = q;
            break;
        }
        {
            char key[256];
            snprintf(key, sizeof key, "%.*s", (int)(close - name), name);
            const char *v = apigw_str(vars, key);
            if (v)
                ts_buf_puts(&b, v);
        }
        p = close + 1;
    }
    ts_buf_puts(&b, p);
    out = ts_arena_strdup(x->c->req->arena, b.data ? b.data : "");
    ts_buf_free(&b);
    return out;
}

static void proxy_done(void *arg, const lambda_result *r)
{
    apigw_exec *x = arg;

    if (r->caller_timeout)
        apigw_gateway_reply(x, "INTEGRATION_TIMEOUT", 504, NULL);
    else if (r->status < 0)
        apigw_gateway_reply(x, "DEFAULT_5XX", 500, NULL);
    else if (r->status > 0) {
        ts_log(TS_LOG_INFO, "apigateway %s: Lambda execution failed with status 200 due to "
               "customer function error: %.200s", x->api_id, r->payload);
        apigw_gateway_reply(x, "DEFAULT_5XX", 502, NULL);
    } else if (apigw_proxy_reply(x, r->payload, r->len, x->kind == APIGW_KIND_HTTP &&
                                 x->payload_v2) != 0) {
        ts_log(TS_LOG_INFO, "apigateway %s: Execution failed due to configuration error: "
               "Malformed Lambda proxy response", x->api_id);
        apigw_gateway_reply(x, "DEFAULT_5XX", 502, NULL);
    }
    apigw_done(x);
}

int apigw_integration_timeout(const cJSON *integration)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(integration, "timeoutInMillis");

    return cJSON_IsNumber(t) && t->valueint >= 50 ? t->valueint : 29000;
}

/* Looks the integration's function up; NULL with the 500 answered. */
lambda_target *apigw_target(apigw_exec *x, const char *uri)
{
    ts_resp *resp = x->c->resp;
    lambda_target *t = lambda_target_new(x->c, apigw_lambda_arn(x, uri));

    if (!t) {
        ts_log(TS_LOG_INFO, "apigateway %s: Execution failed due to configuration error: %s",
               x->api_id, resp->err_message ? resp->err_message : "no such function");
        resp->err = TS_ERR_NONE;
        resp->err_message = NULL;
        resp->err_type = NULL;
        apigw_gateway_reply(x, "API_CONFIGURATION_ERROR", 500, NULL);
    }
    return t;
}

/* Starts the Lambda proxy integration: suspends and invokes. */
void apigw_run_proxy(apigw_exec *x, char *event)
{
    if (!x->target && !(x->target = apigw_target(x, apigw_str(x->integration, "uri")))) {
        cJSON_free(event);
        apigw_done(x);
        return;
    }
    if (!x->suspended) {
        x->suspended = 1;
        http_suspend(x->c->req);
    }
    lambda_target_invoke(x->target, event, strlen(event),
                         apigw_integration_timeout(x->integration), proxy_done, x);
    cJSON_free(event);
}

void apigw_rest_integrate(apigw_exec *x)
{
    const char *type = apigw_str(x->integration, "type");

    if (apigw_request_validate(x) != 0) {
        apigw_done(x);
    } else if (!type) {
        apigw_gateway_reply(x, "API_CONFIGURATION_ERROR", 500, NULL);
        apigw_done(x);
    } else if (!strcmp(type, "AWS_PROXY")) {
        apigw_run_proxy(x, apigw_event_v1(x));
    } else if (!strcmp(type, "HTTP_PROXY")) {
        apigw_run_http(x, 1, NULL, 0);
    } else {
        apigw_run_mapped(x);
    }
}

/* ---- the handler ---- */

/* The API's kind, owner and region; -1 when there is no such API. */
static int api_row(apigw_exec *x)
{
    sqlite3_stmt *st = store_stmt("SELECT kind, account, region FROM apigw_api WHERE id = ?1");
    ts_arena *a = x->c->req->arena;
    int found;

    store_bind_text(st, 1, x->api_id);
    found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        x->kind = sqlite3_column_int(st, 0);
        x->account = store_col_text(a, st, 1);
        x->region = store_col_text(a, st, 2);
    }
    sqlite3_reset(st);
    return found ? 0 : -1;
}

int apigw_execute(ts_call *c)
{
    ts_req *req = c->req;
    apigw_exec *x = ts_arena_zalloc(req->arena, sizeof(*x));
    const char *key;
    char **seg;
    int n;

    x->c = c;
    x->start_ms = ts_now_ms();
    ts_arena_cleanup(req->arena, exec_free, x);
    cJSON_Delete(c->out);
    c->out = NULL;
    if (parse_target(x) != 0 || !x->api_id[0] || api_row(x) != 0) {
        apigw_reply_json(x, 404, "NotFoundException", "message", "Not Found");
        goto out;
    }
    /* The function an integration names lives in the API's account and
     * region, whatever the caller signed for. */
    req->account = x->account;
    req->region = x->region;
    if (x->kind == APIGW_KIND_HTTP)
        return apigw_execute_v2(x);
    if (!x->stage)
        split_stage(x);
    /* The segments serve the decoded path here and the routing below. */
    n = apigw_segments(req->arena, x->path, &seg);
    {
        ts_buf b;
        ts_buf_init(&b);
        for (int i = 0; i < n; i++) {
            ts_buf_putc(&b, '/');
            ts_buf_puts(&b, seg[i]);
        }
        x->path_decoded = ts_arena_strdup(req->arena, n ? b.data : "/");
        ts_buf_free(&b);
    }
    x->stage_doc = apigw_stage_load(NULL, x->api_id, x->stage);
    if (!x->stage_doc ||
        !(x->api = snap_get(x->api_id, apigw_str(x->stage_doc, "deploymentId")))) {
        apigw_reply_json(x, 404, "NotFoundException", "message", "Not Found");
        goto out;
    }
    if (rest_route(x, seg, n) != 0 || !x->method) {
        apigw_gateway_reply(x, "MISSING_AUTHENTICATION_TOKEN", 0, NULL);
        goto out;
    }
    if (!x->integration) {
        apigw_gateway_reply(x, "API_CONFIGURATION_ERROR", 500, NULL);
        goto out;
    }
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x->method, "apiKeyRequired"))) {
        key = ts_req_header(req, "x-api-key");
        if (!key || !apigw_key_allows(key, x->api_id, x->stage)) {
            apigw_gateway_reply(x, "INVALID_API_KEY", 0, NULL);
            goto out;
        }
    }
    if (apigw_authorize(x) != 0)
        return 0;   /* answered, or it waits for the authorizer */
    apigw_rest_integrate(x);
    return 0;
out:
    apigw_done(x);
    return 0;
}
