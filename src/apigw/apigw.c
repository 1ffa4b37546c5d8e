/*
 * apigw.c - API Gateway's REST APIs (apigateway): the operation table of
 * the control plane (REST-JSON under /restapis, /apikeys, /usageplans),
 * the data plane's claim, which the router tries first, before any S3
 * rule (/restapis/{id}/{stage}/_user_request_/{path}, /_aws/execute-api/
 * {id}/{stage}/{path}, and any Host that starts with "{id}.execute-api."),
 * and the store helpers every API Gateway file uses.
 */
#include "apigw_int.h"
#include "apigw_http.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "tinystack/store.h"

static const char *const apigw_paths[] = {
    "/restapis", "/apikeys", "/usageplans", "/domainnames", NULL,
};

static int apigw_data_plane(ts_req *req)
{
    const char *p = req->path, *us;

    if (strstr(req->host, ".execute-api."))
        return 1;
    if (ts_starts_with(p, "/_aws/execute-api/"))
        return 1;
    if (!ts_starts_with(p, "/restapis/"))
        return 0;
    us = strstr(p, "/_user_request_");
    return us && (us[15] == '/' || us[15] == '\0');
}

#define R "/restapis/{restapi_id}"
#define RS R "/resources/{resource_id}"
#define M RS "/methods/{http_method}"

static const ts_op apigw_ops[] = {
    {"ExecuteApi", apigw_execute, TS_OP_READ | TS_OP_RAW, NULL, NULL, NULL, NULL, 0},
    {"CreateRestApi", apigw_create_rest_api, TS_OP_WRITE, NULL, NULL, "POST", "/restapis", 0},
    {"GetRestApis", apigw_get_rest_apis, TS_OP_READ, NULL, NULL, "GET", "/restapis", 0},
    {"GetRestApi", apigw_get_rest_api, TS_OP_READ, NULL, NULL, "GET", R, 0},
    {"UpdateRestApi", apigw_update_rest_api, TS_OP_WRITE, NULL, NULL, "PATCH", R, 0},
    {"DeleteRestApi", apigw_delete_rest_api, TS_OP_WRITE, NULL, NULL, "DELETE", R, 0},
    {"GetResources", apigw_get_resources, TS_OP_READ, NULL, NULL, "GET", R "/resources", 0},
    {"GetResource", apigw_get_resource, TS_OP_READ, NULL, NULL, "GET", RS, 0},
    {"CreateResource", apigw_create_resource, TS_OP_WRITE, NULL, NULL, "POST", R "/resources/{parent_id}", 0},
    {"UpdateResource", apigw_update_resource, TS_OP_WRITE, NULL, NULL, "PATCH", RS, 0},
    {"DeleteResource", apigw_delete_resource, TS_OP_WRITE, NULL, NULL, "DELETE", RS, 0},
    {"PutMethod", apigw_put_method, TS_OP_WRITE, NULL, NULL, "PUT", M, 0},
    {"GetMethod", apigw_get_method, TS_OP_READ, NULL, NULL, "GET", M, 0},
    {"UpdateMethod", apigw_update_method, TS_OP_WRITE, NULL, NULL, "PATCH", M, 0},
    {"DeleteMethod", apigw_delete_method, TS_OP_WRITE, NULL, NULL, "DELETE", M, 0},
    {"PutIntegration", apigw_put_integration, TS_OP_WRITE, NULL, NULL, "PUT", M "/integration", 0},
    {"GetIntegration", apigw_get_integration, TS_OP_READ, NULL, NULL, "GET", M "/integration", 0},
    {"UpdateIntegration", apigw_update_integration, TS_OP_WRITE, NULL, NULL, "PATCH", M "/integration", 0},
    {"DeleteIntegration", apigw_delete_integration, TS_OP_WRITE, NULL, NULL, "DELETE", M "/integration", 0},
    {"PutMethodResponse", apigw_put_method_response, TS_OP_WRITE, NULL, NULL, "PUT", M "/responses/{status_code}", 0},
    {"GetMethodResponse", apigw_get_method_response, TS_OP_READ, NULL, NULL, "GET", M "/responses/{status_code}", 0},
    {"DeleteMethodResponse", apigw_delete_method_response, TS_OP_WRITE, NULL, NULL, "DELETE", M "/responses/{status_code}", 0},
    {"PutIntegrationResponse", apigw_put_integration_response, TS_OP_WRITE, NULL, NULL, "PUT", M "/integration/responses/{status_code}", 0},
    {"GetIntegrationResponse", apigw_get_integration_response, TS_OP_READ, NULL, NULL, "GET", M "/integration/responses/{status_code}", 0},
    {"DeleteIntegrationResponse", apigw_delete_integration_response, TS_OP_WRITE, NULL, NULL, "DELETE", M "/integration/responses/{status_code}", 0},
    {"CreateDeployment", apigw_create_deployment, TS_OP_WRITE, NULL, NULL, "POST", R "/deployments", 0},
    {"GetDeployments", apigw_get_deployments, TS_OP_READ, NULL, NULL, "GET", R "/deployments", 0},
    {"GetDeployment", apigw_get_deployment, TS_OP_READ, NULL, NULL, "GET", R "/deployments/{deployment_id}", 0},
    {"DeleteDeployment", apigw_delete_deployment, TS_OP_WRITE, NULL, NULL, "DELETE", R "/deployments/{deployment_id}", 0},
    {"CreateStage", apigw_create_stage, TS_OP_WRITE, NULL, NULL, "POST", R "/stages", 0},
    {"GetStages", apigw_get_stages, TS_OP_READ, NULL, NULL, "GET", R "/stages", 0},
    {"GetStage", apigw_get_stage, TS_OP_READ, NULL, NULL, "GET", R "/stages/{stage_name}", 0},
    {"UpdateStage", apigw_update_stage, TS_OP_WRITE, NULL, NULL, "PATCH", R "/stages/{stage_name}", 0},
    {"DeleteStage", apigw_delete_stage, TS_OP_WRITE, NULL, NULL, "DELETE", R "/stages/{stage_name}", 0},
    {"CreateAuthorizer", apigw_create_authorizer, TS_OP_WRITE, NULL, NULL, "POST", R "/authorizers", 0},
    {"GetAuthorizers", apigw_get_authorizers, TS_OP_READ, NULL, NULL, "GET", R "/authorizers", 0},
    {"GetAuthorizer", apigw_get_authorizer, TS_OP_READ, NULL, NULL, "GET", R "/authorizers/{authorizer_id}", 0},
    {"UpdateAuthorizer", apigw_update_authorizer, TS_OP_WRITE, NULL, NULL, "PATCH", R "/authorizers/{authorizer_id}", 0},
    {"DeleteAuthorizer", apigw_delete_authorizer, TS_OP_WRITE, NULL, NULL, "DELETE", R "/authorizers/{authorizer_id}", 0},
    {"CreateModel", apigw_create_model, TS_OP_WRITE, NULL, NULL, "POST", R "/models", 0},
    {"GetModels", apigw_get_models, TS_OP_READ, NULL, NULL, "GET", R "/models", 0},
    {"GetModel", apigw_get_model, TS_OP_READ, NULL, NULL, "GET", R "/models/{model_name}", 0},
    {"UpdateModel", apigw_update_model, TS_OP_WRITE, NULL, NULL, "PATCH", R "/models/{model_name}", 0},
    {"DeleteModel", apigw_delete_model, TS_OP_WRITE, NULL, NULL, "DELETE", R "/models/{model_name}", 0},
    {"CreateRequestValidator", apigw_create_request_validator, TS_OP_WRITE, NULL, NULL, "POST", R "/requestvalidators", 0},
    {"GetRequestValidators", apigw_get_request_validators, TS_OP_READ, NULL, NULL, "GET", R "/requestvalidators", 0},
    {"GetRequestValidator", apigw_get_request_validator, TS_OP_READ, NULL, NULL, "GET", R "/requestvalidators/{requestvalidator_id}", 0},
    {"UpdateRequestValidator", apigw_update_request_validator, TS_OP_WRITE, NULL, NULL, "PATCH", R "/requestvalidators/{requestvalidator_id}", 0},
    {"DeleteRequestValidator", apigw_delete_request_validator, TS_OP_WRITE, NULL, NULL, "DELETE", R "/requestvalidators/{requestvalidator_id}", 0},
    {"GetGatewayResponses", apigw_get_gateway_responses, TS_OP_READ, NULL, NULL, "GET", R "/gatewayresponses", 0},
    {"GetGatewayResponse", apigw_get_gateway_response, TS_OP_READ, NULL, NULL, "GET", R "/gatewayresponses/{response_type}", 0},
    {"PutGatewayResponse", apigw_put_gateway_response, TS_OP_WRITE, NULL, NULL, "PUT", R "/gatewayresponses/{response_type}", 0},
    {"DeleteGatewayResponse", apigw_delete_gateway_response, TS_OP_WRITE, NULL, NULL, "DELETE", R "/gatewayresponses/{response_type}", 0},
    {"CreateApiKey", apigw_create_api_key, TS_OP_WRITE, NULL, NULL, "POST", "/apikeys", 0},
    {"GetApiKeys", apigw_get_api_keys, TS_OP_READ, NULL, NULL, "GET", "/apikeys", 0},
    {"GetApiKey", apigw_get_api_key, TS_OP_READ, NULL, NULL, "GET", "/apikeys/{api_Key}", 0},
    {"UpdateApiKey", apigw_update_api_key, TS_OP_WRITE, NULL, NULL, "PATCH", "/apikeys/{api_Key}", 0},
    {"DeleteApiKey", apigw_delete_api_key, TS_OP_WRITE, NULL, NULL, "DELETE", "/apikeys/{api_Key}", 0},
    {"CreateUsagePlan", apigw_create_usage_plan, TS_OP_WRITE, NULL, NULL, "POST", "/usageplans", 0},
    {"GetUsagePlans", apigw_get_usage_plans, TS_OP_READ, NULL, NULL, "GET", "/usageplans", 0},
    {"GetUsagePlan", apigw_get_usage_plan, TS_OP_READ, NULL, NULL, "GET", "/usageplans/{usageplanId}", 0},
    {"UpdateUsagePlan", apigw_update_usage_plan, TS_OP_WRITE, NULL, NULL, "PATCH", "/usageplans/{usageplanId}", 0},
    {"DeleteUsagePlan", apigw_delete_usage_plan, TS_OP_WRITE, NULL, NULL, "DELETE", "/usageplans/{usageplanId}", 0},
    {"CreateUsagePlanKey", apigw_create_usage_plan_key, TS_OP_WRITE, NULL, NULL, "POST", "/usageplans/{usageplanId}/keys", 0},
    {"GetUsagePlanKeys", apigw_get_usage_plan_keys, TS_OP_READ, NULL, NULL, "GET", "/usageplans/{usageplanId}/keys", 0},
    {"GetUsagePlanKey", apigw_get_usage_plan_key, TS_OP_READ, NULL, NULL, "GET", "/usageplans/{usageplanId}/keys/{keyId}", 0},
    {"DeleteUsagePlanKey", apigw_delete_usage_plan_key, TS_OP_WRITE, NULL, NULL, "DELETE", "/usageplans/{usageplanId}/keys/{keyId}", 0},
    /* POST /restapis?mode=import: CreateRestApi's URI, picked by
     * apigw_resolve (the first row of equal URIs wins otherwise). */
    {"ImportRestApi", apigw_import_rest_api, TS_OP_WRITE, NULL, NULL, "POST",
     "/restapis?mode=import", 0},
    {"PutRestApi", apigw_put_rest_api, TS_OP_WRITE, NULL, NULL, "PUT", R, 0},
    {"GetExport", apigw_get_export, TS_OP_READ, NULL, NULL, "GET",
     R "/stages/{stage_name}/exports/{export_type}", 0},
    {"TagResource", apigw_tag_resource, TS_OP_WRITE, NULL, NULL, "PUT", "/tags/{resource_arn}", 0},
    {"UntagResource", apigw_untag_resource, TS_OP_WRITE, NULL, NULL, "DELETE", "/tags/{resource_arn}", 0},
    {"GetTags", apigw_get_tags, TS_OP_READ, NULL, NULL, "GET", "/tags/{resource_arn}", 0},
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, 0},
};

static const ts_op *apigw_resolve(ts_call *c)
{
    const char *mode;

    if (apigw_data_plane(c->req))
        return &apigw_ops[0];
    mode = ts_req_query(c->req, "mode");
    /* POST /restapis?mode=import shares CreateRestApi's URI. */
    if (mode && !strcmp(mode, "import") && !strcmp(c->req->method, "POST") &&
        (!strcmp(c->req->path, "/restapis") || !strcmp(c->req->path, "/restapis/")))
        return ts_service_op(&apigw_service, "ImportRestApi");
    return ts_proto_rest_json.resolve(&apigw_service, c);
}

/* ---- shared helpers ---- */

void apigw_new_id(char out[11])
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char r[10];

    RAND_bytes(r, sizeof r);
    for (int i = 0; i < 10; i++)
        out[i] = alphabet[r[i] % 36];
    out[10] = '\0';
}

const char *apigw_str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

void apigw_set_str(cJSON *o, const char *name, const char *v)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, name);
    if (v)
        cJSON_AddStringToObject(o, name, v);
}

const char *apigw_label(ts_call *c, const char *name)
{
    for (const ts_kv *kv = c->labels; kv; kv = kv->next)
        if (!strcmp(kv->name, name))
            return kv->value;
    return NULL;
}

int64_t apigw_stamp(void)
{
    static _Atomic int64_t last;
    int64_t now = ts_now_ms(), prev = last;

    /* Lists come in creation order: two rows made in one millisecond
     * still get distinct, increasing stamps. */
    while (!atomic_compare_exchange_weak(&last, &prev, now > prev ? now : prev + 1))
        ;
    return now > prev ? now : prev + 1;
}

double apigw_now(void)
{
    return (double)(ts_now_ms() / 1000);
}

cJSON *apigw_member(cJSON *o, const char *name)
{
    cJSON *m = cJSON_GetObjectItemCaseSensitive(o, name);

    if (!cJSON_IsObject(m)) {
        cJSON_DeleteItemFromObjectCaseSensitive(o, name);
        m = cJSON_AddObjectToObject(o, name);
    }
    return m;
}

int apigw_row_done(ts_call *c, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : ts_resp_error(c->resp, TS_ERR_INTERNAL_SERVER, NULL);
}

cJSON *apigw_row_doc(sqlite3_stmt *st)
{
    cJSON *doc = NULL;

    if (sqlite3_step(st) == SQLITE_ROW)
        doc = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return doc;
}

cJSON *apigw_row_docs(sqlite3_stmt *st)
{
    cJSON *all = cJSON_CreateArray();

    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *doc = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
        if (doc)
            cJSON_AddItemToArray(all, doc);
    }
    sqlite3_reset(st);
    return all;
}

static void api_not_found(ts_call *c, const char *id, int kind)
{
    if (kind == APIGW_KIND_REST)
        ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_NOT_FOUND,
                       "Invalid API identifier specified %s:%s", c->req->account, id ? id : "");
    else
        ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_NOT_FOUND,
                       "Invalid API identifier specified %s", id ? id : "");
}

/* API id of kind in the caller's account and region, as a statement to
 * step: column 0 is its document. */
static sqlite3_stmt *api_row(ts_call *c, const char *id, int kind)
{
    sqlite3_stmt *st = store_stmt("SELECT doc FROM apigw_api WHERE id = ?1 AND account = ?2"
                                  " AND region = ?3 AND kind = ?4");

    store_bind_text(st, 1, id ? id : "");
    store_bind_text(st, 2, c->req->account);
    store_bind_text(st, 3, c->req->region);
    sqlite3_bind_int(st, 4, kind);
    return st;
}

cJSON *apigw_api_load(ts_call *c, const char *id, int kind)
{
    cJSON *doc = apigw_row_doc(api_row(c, id, kind));

    if (!doc)
        api_not_found(c, id, kind);
    return doc;
}

int apigw_api_exists(ts_call *c, const char *id, int kind)
{
    sqlite3_stmt *st = api_row(c, id, kind);
    int found = sqlite3_step(st) == SQLITE_ROW;

    sqlite3_reset(st);
    if (!found)
        api_not_found(c, id, kind);
    return found ? 0 : -1;
}

static int doc_write(ts_call *c, sqlite3_stmt *st, int doc_col, const cJSON *doc)
{
    char *text = cJSON_PrintUnformatted(doc);

    sqlite3_bind_text(st, doc_col, text, -1, SQLITE_TRANSIENT);
    cJSON_free(text);
    return apigw_row_done(c, st);
}

int apigw_api_save(ts_call *c, const char *id, const cJSON *doc)
{
    sqlite3_stmt *st = store_stmt("UPDATE apigw_api SET doc = ?2 WHERE id = ?1");

    store_bind_text(st, 1, id);
    return doc_write(c, st, 2, doc);
}

int apigw_api_insert(ts_call *c, const char *id, int kind, const cJSON *doc)
{
    sqlite3_stmt *st = store_stmt("INSERT INTO apigw_api(id, account, region, kind, created,"
                                  " doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");

    store_bind_text(st, 1, id);
    store_bind_text(st, 2, c->req->account);
    store_bind_text(st, 3, c->req->region);
    sqlite3_bind_int(st, 4, kind);
    sqlite3_bind_int64(st, 5, apigw_stamp());
    return doc_write(c, st, 6, doc);
}

int apigw_api_delete(ts_call *c, const char *id)
{
    static const char *const sql[] = {
        "DELETE FROM apigw_api WHERE id = ?1",
        "DELETE FROM apigw_stage WHERE api_id = ?1",
        "DELETE FROM apigw_deployment WHERE api_id = ?1",
    };

    for (size_t i = 0; i < TS_ARRAY_LEN(sql); i++) {
        sqlite3_stmt *st = store_stmt(sql[i]);
        store_bind_text(st, 1, id);
        if (apigw_row_done(c, st) != 0)
            return -1;
    }
    return 0;
}

int apigw_deployment_exists(const char *api_id, const char *id)
{
    sqlite3_stmt *st = store_stmt("SELECT 1 FROM apigw_deployment WHERE api_id = ?1 AND id = ?2");
    int found;

    store_bind_text(st, 1, api_id);
    store_bind_text(st, 2, id ? id : "");
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return found;
}

int apigw_deployment_used(const char *api_id, const char *id)
{
    sqlite3_stmt *st = store_stmt("SELECT count(*) FROM apigw_stage WHERE api_id = ?1"
                                  " AND json_extract(doc, '$.deploymentId') = ?2");
    int used;

    store_bind_text(st, 1, api_id);
    store_bind_text(st, 2, id);
    used = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_reset(st);
    return used;
}

int apigw_deployment_drop(ts_call *c, const char *api_id, const char *id)
{
    sqlite3_stmt *st;

    if (apigw_deployment_used(api_id, id) > 0)
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "Active stages pointing to this deployment must be moved or "
                             "deleted");
    st = store_stmt("DELETE FROM apigw_deployment WHERE api_id = ?1 AND id = ?2");
    store_bind_text(st, 1, api_id);
    store_bind_text(st, 2, id);
    return apigw_row_done(c, st);
}

static void apigw_quiesce(void)
{
    /* Requests waiting on an HTTP integration are answered now. */
    apigw_http_stop();
}

static void apigw_reset(void)
{
    apigw_exec_reset();
    apigw_auth_reset();
}

const ts_service apigw_service = {
    .name = "apigateway",
    .signing_name = "apigateway",
    .path_prefixes = apigw_paths,
    .claims = apigw_data_plane,
    .proto = &ts_proto_rest_json,
    .ops = apigw_ops,
    .resolve = apigw_resolve,
    .max_body = 10u << 20,
    .too_large = TS_ERR_REQUEST_TOO_LARGE,
    .bad_body = TS_ERR_APIGW_BAD_REQUEST,
    .model_error = TS_ERR_APIGW_BAD_REQUEST,
    .reset = apigw_reset,
    .quiesce = apigw_quiesce,
    .stop = apigw_quiesce,
    .available = 1,
};
