/*
 * http_router.c - the service registry and the router, a pure function
 * of the request's method, path, Host and headers (so it has a
 * table-driven unit test).  The rules, in DESIGN.md's order:
 *   1. internal paths (/_localstack/..., /_tinystack/...)
 *   2. a service's own claim (API Gateway's data plane, S3 virtual hosts)
 *   3. X-Amz-Target prefix (DynamoDB_20120810., Logs_20140328.)
 *   4. the SigV4 credential scope's service (lambda, iam, sts ...)
 *   5. path prefixes (/2015-03-31/, /restapis, /v2/ ...)
 *   6. the query protocol's Action (in the URL now, or after the body)
 *   7. S3, path or virtual-host style.
 * It also holds the internal endpoints: health, init and reset.
 */
#include "http_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "tinystack/lambda.h"
#include "tinystack/store.h"

#ifndef TINYSTACK_VERSION
#define TINYSTACK_VERSION "0.1.0"
#endif

const ts_service *const ts_services[] = {
    &apigw_service, &apigw_v2_service, &s3_service, &ddb_service, &logs_service,
    &lambda_service, &iam_service, &sts_service, NULL,
};

void ts_services_init(void)
{
    for (int i = 0; ts_services[i]; i++)
        if (ts_services[i]->init)
            ts_services[i]->init();
}

void ts_services_quiesce(void)
{
    for (int i = 0; ts_services[i]; i++)
        if (ts_services[i]->quiesce)
            ts_services[i]->quiesce();
}

void ts_services_stop(void)
{
    for (int i = 0; ts_services[i]; i++)
        if (ts_services[i]->stop)
            ts_services[i]->stop();
}

const ts_op *ts_service_op(const ts_service *svc, const char *name)
{
    for (const ts_op *op = svc->ops; op && op->name; op++)
        if (!strcmp(op->name, name))
            return op;
    return NULL;
}

static int is_form(ts_req *req)
{
    const char *ct = ts_req_header(req, "Content-Type");

    return ct && ts_starts_with(ct, "application/x-www-form-urlencoded");
}

const ts_service *http_route_override;

static const ts_service *pick(ts_req *req)
{
    const char *p = req->path, *target;

    if (http_route_override)
        return http_route_override;
    if (ts_starts_with(p, "/_localstack/") || ts_starts_with(p, "/_tinystack/"))
        return &http_internal_service;
    for (int i = 0; ts_services[i]; i++)
        if (ts_services[i]->claims && ts_services[i]->claims(req))
            return ts_services[i];
    target = ts_req_header(req, "X-Amz-Target");
    if (target)
        for (int i = 0; ts_services[i]; i++) {
            const char *pre = ts_services[i]->target_prefix;
            if (pre && ts_starts_with(target, pre))
                return ts_services[i];
        }
    if (req->scope_service)
        for (int i = 0; ts_services[i]; i++)
            if (!strcmp(ts_services[i]->signing_name, req->scope_service))
                return ts_services[i];
    for (int i = 0; ts_services[i]; i++) {
        const char *const *pp = ts_services[i]->path_prefixes;
        for (; pp && *pp; pp++)
            if (ts_starts_with(p, *pp))
                return ts_services[i];
    }
    if (!strcmp(p, "/")) {
        const char *action = ts_req_query(req, "Action");
        if (action) {
            for (int i = 0; ts_services[i]; i++)
                if (ts_services[i]->proto == &ts_proto_query &&
                    ts_service_op(ts_services[i], action))
                    return ts_services[i];
            return &sts_service;
        }
        if (!strcmp(req->method, "POST") && is_form(req))
            return &sts_service; /* the Action arrives with the body */
    }
    return &s3_service;
}

int ts_service_enabled(const ts_service *svc)
{
    const char *list = ts_cfg.services, *name = svc == &apigw_v2_service ? "apigateway"
                                                                          : svc->name;
    size_t n = strlen(name);

    if (!list || svc == &http_internal_service)
        return 1;
    for (const char *p = list; *p;) {
        size_t len;
        while (*p == ',' || *p == ' ')
            p++;
        len = strcspn(p, ", ");
        if (len == n && !strncasecmp(p, name, n))
            return 1;
        p += len;
    }
    return 0;
}

static const ts_op disabled_op = {"Disabled", NULL, 0, NULL, NULL, NULL, NULL, 0};

const ts_service *http_route(ts_call *c)
{
    ts_req *req = c->req;
    const ts_service *svc = pick(req);

    req->service = svc;
    if (!ts_service_enabled(svc)) {
        /* LocalStack's words for a service SERVICES leaves out. */
        ts_resp_errorf(req, c->resp, TS_ERR_NOT_IMPLEMENTED,
                       "Service '%s' is not enabled. Please check your 'SERVICES' "
                       "configuration variable.", svc->name);
        req->op = &disabled_op;
        return svc;
    }
    req->op = svc->resolve ? svc->resolve(c) : svc->proto->resolve(svc, c);
    return svc;
}

const ts_service *http_route_action(ts_call *c)
{
    ts_req *req = c->req;
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(c->in, "Action");
    const ts_op *op;

    if (!cJSON_IsString(a)) {
        ts_resp_error(c->resp, TS_ERR_MISSING_ACTION, NULL);
        return req->service;
    }
    /* Between the query services, the one whose table has the Action;
     * one chosen by its signature keeps the request either way. */
    if (!req->scope_service)
        for (int i = 0; ts_services[i]; i++)
            if (ts_services[i]->proto == &ts_proto_query &&
                ts_service_op(ts_services[i], a->valuestring)) {
                req->service = ts_services[i];
                break;
            }
    op = ts_service_op(req->service, a->valuestring);
    if (!op) {
        ts_resp_errorf(req, c->resp, TS_ERR_INVALID_ACTION,
                       "Could not find operation %s for version %s", a->valuestring,
                       req->service->version ? req->service->version : "");
        return req->service;
    }
    req->op = op;
    return req->service;
}

/* ---- internal endpoints ---- */

static int health(ts_call *c)
{
    cJSON *root = cJSON_CreateObject(), *svcs = cJSON_AddObjectToObject(root, "services");
    char *text;

    for (int i = 0; ts_services[i]; i++)
        if (ts_services[i]->available)
            cJSON_AddStringToObject(svcs, ts_services[i]->name,
                                    ts_service_enabled(ts_services[i]) ? "running" : "disabled");
    cJSON_AddStringToObject(root, "edition", "community");
    cJSON_AddStringToObject(root, "version", TINYSTACK_VERSION);
    text = cJSON_PrintUnformatted(root);
    ts_buf_puts(&c->resp->body, text);
    cJSON_free(text);
    cJSON_Delete(root);
    ts_resp_header(c->req, c->resp, "Content-Type", "application/json");
    return 0;
}

/* A request may reset state only when a browser could not have sent it
 * without asking first (a JSON content type is not a "simple" request, so
 * it needs a CORS preflight we never grant) and when it comes from no
 * page, or from this endpoint's own origin. */
static int reset_allowed(ts_req *req)
{
    const char *ct = ts_req_header(req, "Content-Type");
    const char *origin = ts_req_header(req, "Origin");
    const char *host = ts_req_header(req, "Host");

    if (!ct || !ts_starts_with(ct, "application/json"))
        return 0;
    if (origin) {
        if (!host || !ts_starts_with(origin, "http://") || !ts_strieq(origin + 7, host))
            return 0;
    }
    return 1;
}

/* The body of a reset: empty, or a JSON object; for the health endpoint,
 * exactly {"action": "restart"} (LocalStack's form). */
static int reset_body_ok(ts_req *req, int need_action)
{
    cJSON *o = cJSON_ParseWithLength(req->body.data, req->body.len);
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "action");
    int ok;

    if (req->body.len == 0 && !need_action)
        return 1;
    ok = cJSON_IsObject(o) &&
         (!need_action || (cJSON_IsString(a) && !strcmp(a->valuestring, "restart")));
    cJSON_Delete(o);
    return ok;
}

static int reset(ts_call *c)
{
    ts_req *req = c->req;
    int from_health = strstr(req->path, "health") != NULL;

    if (!reset_allowed(req))
        return ts_resp_error(c->resp, TS_ERR_RESET_REFUSED, NULL);
    if (!reset_body_ok(req, from_health))
        return ts_resp_error(c->resp, TS_ERR_BAD_REQUEST,
                             from_health ? "POST /_localstack/health takes {\"action\": \"restart\"}"
                                         : "the body must be a JSON object");
    if (store_reset() != 0)
        return ts_resp_error(c->resp, TS_ERR_INTERNAL, NULL);
    for (int i = 0; ts_services[i]; i++)
        if (ts_services[i]->reset)
            ts_services[i]->reset();
    ts_buf_puts(&c->resp->body, "{\"reset\":true}");
    ts_resp_header(req, c->resp, "Content-Type", "application/json");
    return 0;
}

static int init_info(ts_call *c)
{
    ts_buf_puts(&c->resp->body, "{\"completed\":{\"BOOT\":true,\"START\":true,"
                                "\"READY\":true,\"SHUTDOWN\":false},\"scripts\":[]}");
    ts_resp_header(c->req, c->resp, "Content-Type", "application/json");
    return 0;
}

/* Reset runs outside the dispatcher's transaction: it empties the store
 * itself, under the write lock. */
static const ts_op internal_ops[] = {
    {"Health", health, 0, NULL, NULL, NULL, NULL, 0},
    {"Reset", reset, TS_OP_OWN_TXN, NULL, NULL, NULL, NULL, 4096},
    {"Init", init_info, 0, NULL, NULL, NULL, NULL, 0},
    {"LambdaCode", lambda_code_download, TS_OP_READ, NULL, NULL, NULL, NULL, 0},
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, 0},
};

static const ts_op *internal_resolve(ts_call *c)
{
    ts_req *req = c->req;
    const char *p = req->path + (req->path[2] == 'l' ? strlen("/_localstack/")
                                                      : strlen("/_tinystack/"));
    int get = !strcmp(req->method, "GET") || !strcmp(req->method, "HEAD");

    if (!strcmp(p, "health") && get)
        return &internal_ops[0];
    if (!strcmp(p, "health") && !strcmp(req->method, "POST"))
        return &internal_ops[1]; /* LocalStack: POST health {"action":"restart"} */
    if (!strcmp(p, "reset") && !strcmp(req->method, "POST"))
        return &internal_ops[1];
    if (!strncmp(p, "init", 4) && get)
        return &internal_ops[2];
    if (!strncmp(p, "lambda/code/", 12) && get && req->path[2] == 't')
        return &internal_ops[3];
    ts_resp_error(c->resp, TS_ERR_NOT_FOUND, "no such internal endpoint");
    return NULL;
}

static const ts_op *internal_proto_resolve(const ts_service *svc, ts_call *c)
{
    return internal_resolve(c);
}

static int internal_parse(ts_call *c)
{
    return 0;
}

static void internal_render(ts_call *c)
{
}

static void internal_render_error(ts_call *c)
{
    http_render_plain_error(c->req, c->resp);
}

static void internal_ids(ts_call *c)
{
    ts_resp_header(c->req, c->resp, "x-amzn-RequestId", c->req->request_id);
}

static const ts_protocol internal_proto = {
    "internal", internal_proto_resolve, internal_parse, internal_render,
    internal_render_error, internal_ids, 0,
};

const ts_service http_internal_service = {
    .name = "internal",
    .signing_name = "",
    .proto = &internal_proto,
    .ops = internal_ops,
    .resolve = internal_resolve,
    .max_body = 4096,
    .too_large = TS_ERR_REQUEST_TOO_LARGE,
};
