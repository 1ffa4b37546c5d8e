/*
 * http_router.c - turns a request into a service, and the internal
 * endpoints (/_localstack/health, /_tinystack/health, /_tinystack/reset).
 * The order of the rules is DESIGN.md's: internal paths, X-Amz-Target,
 * the SigV4 credential scope, well-known path prefixes, and S3 for the
 * rest (path or virtual-host style).
 */
#include "http_int.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tinystack/bus.h"
#include "tinystack/services.h"
#include "tinystack/store.h"

#ifndef TINYSTACK_VERSION
#define TINYSTACK_VERSION "0.1.0"
#endif

static const ts_service *const served[] = {
    &s3_service,
    &ddb_service,
};

void services_init(void)
{
    /* DynamoDB deletes expired items in the background (reads already
     * hide them). */
    bus_every(5000, ddb_ttl_sweep);
}

const ts_service *http_route(ts_req *req)
{
    const char *p = req->path, *target;

    if (ts_starts_with(p, "/_localstack/") || ts_starts_with(p, "/_tinystack/"))
        return &http_internal_service;
    target = ts_req_header(req, "X-Amz-Target");
    if (target && ts_starts_with(target, "DynamoDB_"))
        return &ddb_service;
    return &s3_service;
}

/* ---- internal endpoints ---- */

static int health(ts_req *req, ts_resp *resp)
{
    cJSON *root = cJSON_CreateObject(), *svcs = cJSON_AddObjectToObject(root, "services");
    char *text;

    for (size_t i = 0; i < TS_ARRAY_LEN(served); i++)
        cJSON_AddStringToObject(svcs, served[i]->name, "running");
    cJSON_AddStringToObject(root, "edition", "community");
    cJSON_AddStringToObject(root, "version", TINYSTACK_VERSION);
    text = cJSON_PrintUnformatted(root);
    ts_buf_puts(&resp->body, text);
    cJSON_free(text);
    cJSON_Delete(root);
    ts_resp_header(req, resp, "Content-Type", "application/json");
    return 0;
}

static int reset(ts_req *req, ts_resp *resp)
{
    if (store_reset() != 0)
        return ts_resp_error(resp, TS_ERR_INTERNAL, NULL);
    ts_buf_puts(&resp->body, "{\"reset\":true}");
    ts_resp_header(req, resp, "Content-Type", "application/json");
    return 0;
}

static int init_info(ts_req *req, ts_resp *resp)
{
    ts_buf_puts(&resp->body, "{\"completed\":{\"BOOT\":true,\"START\":true,"
                             "\"READY\":true,\"SHUTDOWN\":false},\"scripts\":[]}");
    ts_resp_header(req, resp, "Content-Type", "application/json");
    return 0;
}

static const ts_op internal_ops[] = {
    {"Health", health, TS_OP_READ, NULL, NULL},
    {"Reset", reset, TS_OP_WRITE, NULL, NULL},
    {"Init", init_info, TS_OP_READ, NULL, NULL},
    {NULL, NULL, 0, NULL, NULL},
};

static const ts_op *internal_resolve(ts_req *req, ts_resp *resp)
{
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
    ts_resp_error(resp, TS_ERR_RESOURCE_NOT_FOUND, "no such internal endpoint");
    resp->err_type = "NotFound";
    return NULL;
}

static void internal_render_error(ts_req *req, ts_resp *resp)
{
    http_render_plain_error(req, resp);
    if (resp->err == TS_ERR_RESOURCE_NOT_FOUND)
        resp->status = 404;
}

static const ts_protocol internal_proto = {"internal", internal_render_error};

const ts_service http_internal_service = {"internal", &internal_proto,
                                         internal_resolve};
