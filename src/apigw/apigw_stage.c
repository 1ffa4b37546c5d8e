/*
 * apigw_stage.c - what a REST API serves and how: deployments (a snapshot
 * of the API's document, so later edits need a new deployment, as on
 * AWS), stages (a name, the deployment it serves, stage variables),
 * authorizers, request validators and gateway responses (kept in the
 * document as "_authorizers", "_validators", "_gatewayResponses"), and
 * the tags of APIs, stages, API keys and usage plans.
 */
#include "apigw_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinystack/store.h"

/* ---- deployments ---- */

/* 1 when the API has a method; a method without an integration sets
 * AWS's error and gives -1. */
static int api_methods(ts_call *c, cJSON *doc)
{
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(doc, "_resources"), *r, *m;
    int any = 0;

    cJSON_ArrayForEach(r, res) {
        cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(r, "resourceMethods")) {
            if (!cJSON_GetObjectItemCaseSensitive(m, "methodIntegration"))
                return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                     "No integration defined for method");
            any = 1;
        }
    }
    return any;
}

static int stage_name_ok(ts_call *c, const char *name)
{
    if (!name || !*name || strlen(name) > 128)
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "Stage name only allows a-zA-Z0-9_");
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
            return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                 "Stage name only allows a-zA-Z0-9_");
    return 0;
}

cJSON *apigw_stage_load(ts_call *c, const char *api_id, const char *name)
{
    sqlite3_stmt *st = store_stmt("SELECT doc FROM apigw_stage WHERE api_id = ?1 AND name = ?2");
    cJSON *doc;

    store_bind_text(st, 1, api_id);
    store_bind_text(st, 2, name ? name : "");
    if (!(doc = apigw_row_doc(st)) && c)
        ts_resp_error(c->resp, TS_ERR_APIGW_NOT_FOUND, "Invalid Stage identifier specified");
    return doc;
}

int apigw_stage_save(ts_call *c, const char *api_id, const cJSON *stage, int insert)
{
    sqlite3_stmt *st = store_stmt(insert ? "INSERT INTO apigw_stage(api_id, name, created, doc)"
                                           " VALUES (?1, ?2, ?3, ?4)"
                                         : "UPDATE apigw_stage SET doc = ?4 WHERE api_id = ?1"
                                           " AND name = ?2");
    char *text = cJSON_PrintUnformatted(stage);

    store_bind_text(st, 1, api_id);
    store_bind_text(st, 2, apigw_str(stage, "stageName"));
    sqlite3_bind_int64(st, 3, apigw_stamp());
    sqlite3_bind_text(st, 4, text, -1, SQLITE_TRANSIENT);
    cJSON_free(text);
    return apigw_row_done(c, st);
}

/* A new stage (CreateStage, or CreateDeployment naming one that does not
 * exist yet). */
static cJSON *stage_new(const char *name, const char *deployment)
{
    cJSON *s = cJSON_CreateObject();
    double now = apigw_now();

    cJSON_AddStringToObject(s, "deploymentId", deployment);
    cJSON_AddStringToObject(s, "stageName", name);
    cJSON_AddBoolToObject(s, "cacheClusterEnabled", 0);
    cJSON_AddStringToObject(s, "cacheClusterStatus", "NOT_AVAILABLE");
    cJSON_AddObjectToObject(s, "methodSettings");
    cJSON_AddBoolToObject(s, "tracingEnabled", 0);
    cJSON_AddNumberToObject(s, "createdDate", now);
    cJSON_AddNumberToObject(s, "lastUpdatedDate", now);
    return s;
}

static void set_member(cJSON *o, const char *name, const cJSON *v)
{
    if (!v)
        return;
    cJSON_DeleteItemFromObjectCaseSensitive(o, name);
    cJSON_AddItemToObject(o, name, cJSON_Duplicate(v, 1));
}

int apigw_create_deployment(ts_call *c)
{
    const char *api_id = apigw_str(c->in, "restApiId");
    const char *stage_name = apigw_str(c->in, "stageName");
    cJSON *doc = apigw_rest_load(c), *dep = NULL, *stage = NULL;
    sqlite3_stmt *st;
    char id[11], *text;
    int rc = -1, methods;

    if (!doc)
        return -1;
    if ((methods = api_methods(c, doc)) < 0)
        goto out;
    if (!methods) {
        ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST, "The REST API doesn't contain any methods");
        goto out;
    }
    if (stage_name && stage_name_ok(c, stage_name) != 0)
        goto out;
    apigw_new_id(id);
    id[6] = '\0';
    dep = cJSON_CreateObject();
    cJSON_AddStringToObject(dep, "id", id);
    if (apigw_str(c->in, "description"))
        cJSON_AddStringToObject(dep, "description", apigw_str(c->in, "description"));
    cJSON_AddNumberToObject(dep, "createdDate", apigw_now());
    st = store_stmt("INSERT INTO apigw_deployment(api_id, id, created, doc, snapshot)"
                    " VALUES (?1, ?2, ?3, ?4, ?5)");
    store_bind_text(st, 1, api_id);
    store_bind_text(st, 2, id);
    sqlite3_bind_int64(st, 3, apigw_stamp());
    text = cJSON_PrintUnformatted(dep);
    sqlite3_bind_text(st, 4, text, -1, SQLITE_TRANSIENT);
    cJSON_free(text);
    text = cJSON_PrintUnformatted(doc);
    sqlite3_bind_text(st, 5, text, -1, SQLITE_TRANSIENT);
    cJSON_free(text);
    if (apigw_row_done(c, st) != 0)
        goto out;
    if (stage_name) {
        int insert = 0;
        if (!(stage = apigw_stage_load(NULL, api_id, stage_name))) {
            stage = stage_new(stage_name, id);
            insert = 1;
            if (apigw_str(c->in, "stageDescription"))
                cJSON_AddStringToObject(stage, "description", apigw_str(c->in, "stageDescription"));
        }
        apigw_set_str(stage, "deploymentId", id);
        set_member(stage, "variables", cJSON_GetObjectItemCaseSensitive(c->in, "variables"));
        set_member(stage, "tracingEnabled", cJSON_GetObjectItemCaseSensitive(c->in, "tracingEnabled"));
        cJSON_ReplaceItemInObjectCaseSensitive(stage, "lastUpdatedDate",
                                               cJSON_CreateNumber(apigw_now()));
        if (apigw_stage_save(c, api_id, stage, insert) != 0)
            goto out;
    }
    rc = apigw_answer(c, 201, dep);
    dep = NULL;
out:
    cJSON_Delete(dep);
    cJSON_Delete(stage);
    cJSON_Delete(doc);
    return rc;
}

cJSON *apigw_deployment_load(const char *api_id, const char *id, cJSON **snapshot)
{
    sqlite3_stmt *st = store_stmt("SELECT doc, snapshot FROM apigw_deployment"
                                  " WHERE api_id = ?1 AND id = ?2");
    cJSON *doc = NULL;

    store_bind_text(st, 1, api_id);
    store_bind_text(st, 2, id ? id : "");
    if (sqlite3_step(st) == SQLITE_ROW) {
        doc = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
        if (snapshot)
            *snapshot = cJSON_Parse((const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_reset(st);
    return doc;
}

int apigw_get_deployment(ts_call *c)
{
    cJSON *dep;

    if (apigw_rest_exists(c) != 0)
        return -1;
    dep = apigw_deployment_load(apigw_str(c->in, "restApiId"), apigw_str(c->in, "deploymentId"),
                                NULL);
    if (!dep)
        return ts_resp_error(c->resp, TS_ERR_APIGW_NOT_FOUND,
                             "Invalid Deployment identifier specified");
    return apigw_answer(c, 200, dep);
}

int apigw_get_deployments(ts_call *c)
{
    sqlite3_stmt *st;

    if (apigw_rest_exists(c) != 0)
        return -1;
    st = store_stmt("SELECT doc FROM apigw_deployment WHERE api_id = ?1 ORDER BY created, id");
    store_bind_text(st, 1, apigw_str(c->in, "restApiId"));
    return apigw_page(c, cJSON_CreateObject(), "item", apigw_row_docs(st));
}

int apigw_delete_deployment(ts_call *c)
{
    const char *api_id = apigw_str(c->in, "restApiId"), *id = apigw_str(c->in, "deploymentId");

    if (apigw_rest_exists(c) != 0)
        return -1;
    if (!apigw_deployment_exists(api_id, id))
        return ts_resp_error(c->resp, TS_ERR_APIGW_NOT_FOUND,
                             "Invalid Deployment identifier specified");
    if (apigw_deployment_drop(c, api_id, id) != 0)
        return -1;
    return apigw_answer(c, 202, NULL);
}

/* ---- stages ---- */

int apigw_create_stage(ts_call *c)
{
    static const char *const members[] = {
        "description", "cacheClusterEnabled", "cacheClusterSize", "variables",
        "documentationVersion", "canarySettings", "tracingEnabled", "tags", NULL,
    };
    const char *api_id = apigw_str(c->in, "restApiId"), *name = apigw_str(c->in, "stageName");
    cJSON *stage, *old;
    int rc;

    if (apigw_rest_exists(c) != 0)
        return -1;
    if (stage_name_ok(c, name) != 0)
        return -1;
    if (!apigw_deployment_exists(api_id, apigw_str(c->in, "deploymentId")))
        return ts_resp_error(c->resp, TS_ERR_APIGW_NOT_FOUND,
                             "Invalid Deployment identifier specified");
    if ((old = apigw_stage_load(NULL, api_id, name))) {
        cJSON_Delete(old);
        return ts_resp_error(c->resp, TS_ERR_APIGW_CONFLICT, "Stage already exists");
    }
    stage = stage_new(name, apigw_str(c->in, "deploymentId"));
    for (const char *const *m = members; *m; m++)
        set_member(stage, *m, cJSON_GetObjectItemCaseSensitive(c->in, *m));
    rc = apigw_stage_save(c, api_id, stage, 1);
    if (rc != 0) {
        cJSON_Delete(stage);
        return -1;
    }
    return apigw_answer(c, 201, stage);
}

int apigw_get_stage(ts_call *c)
{
    cJSON *stage;

    if (apigw_rest_exists(c) != 0)
        return -1;
    if (!(stage = apigw_stage_load(c, apigw_str(c->in, "restApiId"), apigw_str(c->in, "stageName"))))
        return -1;
    return apigw_answer(c, 200, stage);
}

int apigw_get_stages(ts_call *c)
{
    const char *dep = apigw_str(c->in, "deploymentId");
    cJSON *out, *items;
    sqlite3_stmt *st;

    if (apigw_rest_exists(c) != 0)
        return -1;
    out = cJSON_CreateObject();
    items = cJSON_AddArrayToObject(out, "item");
    st = store_stmt("SELECT doc FROM apigw_stage WHERE api_id = ?1 ORDER BY created, name");
    store_bind_text(st, 1, apigw_str(c->in, "restApiId"));
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *s = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
        const char *d = apigw_str(s, "deploymentId");
        if (s && (!dep || (d && !strcmp(d, dep))))
            cJSON_AddItemToArray(items, s);
        else
            cJSON_Delete(s);
    }
    sqlite3_reset(st);
    return apigw_answer(c, 200, out);
}

int apigw_update_stage(ts_call *c)
{
    static const char *const allowed[] = {
        "/deploymentId", "/description", "/variables/*", "/tracingEnabled",
        "/cacheClusterEnabled", "/cacheClusterSize", "/clientCertificateId",
        "/documentationVersion", "/*/*/logging/loglevel", "/*/*/metrics/enabled",
        "/*/*/throttling/burstLimit", "/*/*/throttling/rateLimit", "/accessLogSettings/*",
        "/canarySettings/*", "/webAclArn", NULL,
    };
    const char *api_id = apigw_str(c->in, "restApiId");
    cJSON *stage;
    int rc = -1;

    if (apigw_rest_exists(c) != 0)
        return -1;
    if (!(stage = apigw_stage_load(c, api_id, apigw_str(c->in, "stageName"))))
        return -1;
    /* Method settings (paths that start with a star) are accepted and kept
     * out of the way: tinystack does not throttle or log per method. */
    {
        cJSON *ops = cJSON_GetObjectItemCaseSensitive(c->in, "patchOperations"), *o, *next;
        for (o = ops ? ops->child : NULL; o; o = next) {
            const char *p = apigw_str(o, "path");
            next = o->next;
            if (p && p[0] == '/' && p[1] == '*')
                cJSON_Delete(cJSON_DetachItemViaPointer(ops, o));
        }
    }
    if (apigw_patch(c, stage, allowed) != 0)
        goto out;
    if (!apigw_deployment_exists(api_id, apigw_str(stage, "deploymentId"))) {
        ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST, "Invalid Deployment identifier specified");
        goto out;
    }
    cJSON_ReplaceItemInObjectCaseSensitive(stage, "lastUpdatedDate", cJSON_CreateNumber(apigw_now()));
    if (apigw_stage_save(c, api_id, stage, 0) != 0)
        goto out;
    rc = apigw_answer(c, 200, stage);
    stage = NULL;
out:
    cJSON_Delete(stage);
    return rc;
}

int apigw_delete_stage(ts_call *c)
{
    const char *api_id = apigw_str(c->in, "restApiId");
    cJSON *stage;
    sqlite3_stmt *st;

    if (apigw_rest_exists(c) != 0)
        return -1;
    if (!(stage = apigw_stage_load(c, api_id, apigw_str(c->in, "stageName"))))
        return -1;
    cJSON_Delete(stage);
    st = store_stmt("DELETE FROM apigw_stage WHERE api_id = ?1 AND name = ?2");
    store_bind_text(st, 1, api_id);
    store_bind_text(st, 2, apigw_str(c->in, "stageName"));
    if (apigw_row_done(c, st) != 0)
        return -1;
    return apigw_answer(c, 202, NULL);
}

/* ---- authorizers and request validators ---- */

static int authorizer_check(ts_call *c, const cJSON *a)
{
    const char *type = apigw_str(a, "type"), *src = apigw_str(a, "identitySource");
    const cJSON *ttl = cJSON_GetObjectItemCaseSensitive(a, "authorizerResultTtlInSeconds");

    if (!type || (strcmp(type, "TOKEN") && strcmp(type, "REQUEST") &&
                  strcmp(type, "COGNITO_USER_POOLS")))
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "Invalid authorizer type specified. Valid options are "
                             "TOKEN,REQUEST,COGNITO_USER_POOLS");
    if (!apigw_str(a, "name") || !*apigw_str(a, "name"))
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST, "Invalid authorizer name specified");
    if (strcmp(type, "COGNITO_USER_POOLS") && !apigw_str(a, "authorizerUri"))
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "Invalid Authorizer URI specified");
    if (!strcmp(type, "COGNITO_USER_POOLS") &&
        !cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(a, "providerARNs")))
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "Invalid providerARNs specified for the COGNITO_USER_POOLS "
                             "authorizer");
    if (!strcmp(type, "TOKEN") && (!src || !ts_starts_with(src, "method.request.header.")))
        return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                              "Invalid identity source specified: %s",
                              src ? src : "identitySource is required for TOKEN authorizers");
    if (ttl && (!cJSON_IsNumber(ttl) || ttl->valuedouble < 0 || ttl->valuedouble > 3600))
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "Authorizer result TTL must be between 0 and 3600 seconds");
    return 0;
}

/* Create, Get, Delete, Update, List of an item kept in the document's map
 * member (authorizers, request validators): which 'c', 'g', 'd', 'u', 'l'. */
static int doc_item_op(ts_call *c, const char *member, const char *id_member, const char *what,
                       int which)
{
    static const char *const auth_members[] = {
        "name", "type", "providerARNs", "authType", "authorizerUri", "authorizerCredentials",
        "identitySource", "identityValidationExpression", "authorizerResultTtlInSeconds", NULL,
    };
    static const char *const validator_members[] = {
        "name", "validateRequestBody", "validateRequestParameters", NULL,
    };
    static const char *const auth_patch[] = {
        "/name", "/type", "/authorizerUri", "/authorizerCredentials", "/identitySource",
        "/identityValidationExpression", "/authorizerResultTtlInSeconds", "/authType",
        "/providerARNs", NULL,
    };
    static const char *const validator_patch[] = {
        "/name", "/validateRequestBody", "/validateRequestParameters", NULL,
    };
    int auth = !strcmp(member, "_authorizers");
    cJSON *doc = apigw_rest_load(c), *map, *item;
    int rc = -1;

    if (!doc)
        return -1;
    map = apigw_member(doc, member);
    if (which == 'l') {
        cJSON *all = cJSON_CreateArray(), *i;
        cJSON_ArrayForEach(i, map)
            cJSON_AddItemToArray(all, cJSON_Duplicate(i, 1));
        cJSON_Delete(doc);
        return apigw_page(c, cJSON_CreateObject(), "item", all);
    }
    if (which == 'c') {
        char id[11];
        if (cJSON_GetArraySize(map) >= (auth ? 10 : 100)) {
            ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_LIMIT, "Limit of %d %ss reached",
                           auth ? 10 : 100, what);
            goto out;
        }
        if (auth && authorizer_check(c, c->in) != 0)
            goto out;
        apigw_new_id(id);
        id[6] = '\0';
        item = cJSON_AddObjectToObject(map, id);
        cJSON_AddStringToObject(item, "id", id);
        for (const char *const *m = auth ? auth_members : validator_members; *m; m++)
            set_member(item, *m, cJSON_GetObjectItemCaseSensitive(c->in, *m));
        if (auth && !cJSON_GetObjectItemCaseSensitive(item, "authorizerResultTtlInSeconds") &&
            strcmp(apigw_str(item, "type"), "COGNITO_USER_POOLS"))
            cJSON_AddNumberToObject(item, "authorizerResultTtlInSeconds", 300);
        if (!auth) {
            if (!cJSON_GetObjectItemCaseSensitive(item, "validateRequestBody"))
                cJSON_AddBoolToObject(item, "validateRequestBody", 0);
            if (!cJSON_GetObjectItemCaseSensitive(item, "validateRequestParameters"))
                cJSON_AddBoolToObject(item, "validateRequestParameters", 0);
        }
        rc = apigw_save_answer(c, doc, 201, cJSON_Duplicate(item, 1));
        goto out;
    }
    item = cJSON_GetObjectItemCaseSensitive(map, apigw_str(c->in, id_member)
                                                     ? apigw_str(c->in, id_member) : "");
    if (!cJSON_IsObject(item)) {
        ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_NOT_FOUND, "Invalid %s identifier specified",
                       what);
        goto out;
    }
    if (which == 'g') {
        rc = apigw_answer(c, 200, cJSON_Duplicate(item, 1));
    } else if (which == 'u') {
        if (apigw_patch(c, item, auth ? auth_patch : validator_patch) != 0 ||
            (auth && authorizer_check(c, item) != 0))
            goto out;
        rc = apigw_save_answer(c, doc, 200, cJSON_Duplicate(item, 1));
    } else {
        cJSON_Delete(cJSON_DetachItemViaPointer(map, item));
        rc = apigw_save_answer(c, doc, 202, NULL);
    }
out:
    cJSON_Delete(doc);
    return rc;
}

int apigw_create_authorizer(ts_call *c) { return doc_item_op(c, "_authorizers", "authorizerId", "Authorizer", 'c'); }
int apigw_get_authorizer(ts_call *c) { return doc_item_op(c, "_authorizers", "authorizerId", "Authorizer", 'g'); }
int apigw_get_authorizers(ts_call *c) { return doc_item_op(c, "_authorizers", "authorizerId", "Authorizer", 'l'); }
int apigw_update_authorizer(ts_call *c) { return doc_item_op(c, "_authorizers", "authorizerId", "Authorizer", 'u'); }
int apigw_delete_authorizer(ts_call *c) { return doc_item_op(c, "_authorizers", "authorizerId", "Authorizer", 'd'); }
int apigw_create_request_validator(ts_call *c) { return doc_item_op(c, "_validators", "requestValidatorId", "Request Validator", 'c'); }
int apigw_get_request_validator(ts_call *c) { return doc_item_op(c, "_validators", "requestValidatorId", "Request Validator", 'g'); }
int apigw_get_request_validators(ts_call *c) { return doc_item_op(c, "_validators", "requestValidatorId", "Request Validator", 'l'); }
int apigw_update_request_validator(ts_call *c) { return doc_item_op(c, "_validators", "requestValidatorId", "Request Validator", 'u'); }
int apigw_delete_request_validator(ts_call *c) { return doc_item_op(c, "_validators", "requestValidatorId", "Request Validator", 'd'); }

/* ---- gateway responses ---- */

static const struct gateway_type {
    const char *type;
    int status;     /* 0: DEFAULT_4XX/5XX, which have none of their own */
} gateway_types[] = {
    {"DEFAULT_4XX", 0}, {"DEFAULT_5XX", 0}, {"ACCESS_DENIED", 403},
    {"API_CONFIGURATION_ERROR", 500}, {"AUTHORIZER_CONFIGURATION_ERROR", 500},
    {"AUTHORIZER_FAILURE", 500}, {"BAD_REQUEST_PARAMETERS", 400}, {"BAD_REQUEST_BODY", 400},
    {"EXPIRED_TOKEN", 403}, {"INTEGRATION_FAILURE", 504}, {"INTEGRATION_TIMEOUT", 504},
    {"INVALID_API_KEY", 403}, {"INVALID_SIGNATURE", 403}, {"MISSING_AUTHENTICATION_TOKEN", 403},
    {"QUOTA_EXCEEDED", 429}, {"REQUEST_TOO_LARGE", 413}, {"RESOURCE_NOT_FOUND", 404},
    {"THROTTLED", 429}, {"UNAUTHORIZED", 401}, {"UNSUPPORTED_MEDIA_TYPE", 415},
    {"WAF_FILTERED", 403},
};

int apigw_gateway_status(const char *type)
{
    for (size_t i = 0; i < TS_ARRAY_LEN(gateway_types); i++)
        if (!strcmp(gateway_types[i].type, type))
            return gateway_types[i].status;
    return -1;
}

cJSON *apigw_gateway_default(const char *type)
{
    cJSON *g = cJSON_CreateObject();
    int status = apigw_gateway_status(type);

    cJSON_AddStringToObject(g, "responseType", type);
    if (status > 0) {
        char s[16];
        snprintf(s, sizeof s, "%d", status);
        cJSON_AddStringToObject(g, "statusCode", s);
    }
    cJSON_AddObjectToObject(g, "responseParameters");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(g, "responseTemplates"), "application/json",
                            "{\"message\":$context.error.messageString}");
    cJSON_AddBoolToObject(g, "defaultResponse", 1);
    return g;
}

static int gateway_op(ts_call *c, int which)
{
    const char *type = apigw_str(c->in, "responseType");
    cJSON *doc = apigw_rest_load(c), *map, *g;
    int rc = -1;

    if (!doc)
        return -1;
    map = apigw_member(doc, "_gatewayResponses");
    if (which == 'l') {
        cJSON *all = cJSON_CreateArray();
        for (size_t i = 0; i < TS_ARRAY_LEN(gateway_types); i++) {
            g = cJSON_GetObjectItemCaseSensitive(map, gateway_types[i].type);
            cJSON_AddItemToArray(all, g ? cJSON_Duplicate(g, 1)
                                        : apigw_gateway_default(gateway_types[i].type));
        }
        cJSON_Delete(doc);
        return apigw_page(c, cJSON_CreateObject(), "item", all);
    }
    if (!type || apigw_gateway_status(type) < 0) {
        ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                       "Invalid response type specified: %s", type ? type : "");
        goto out;
    }
    g = cJSON_GetObjectItemCaseSensitive(map, type);
    if (which == 'g') {
        rc = apigw_answer(c, 200, g ? cJSON_Duplicate(g, 1) : apigw_gateway_default(type));
    } else if (which == 'p') {
        const char *code = apigw_str(c->in, "statusCode");
        if (code && (strlen(code) != 3 || code[0] < '1' || code[0] > '5')) {
            ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST, "Invalid StatusCode specified");
            goto out;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(map, type);
        g = cJSON_AddObjectToObject(map, type);
        cJSON_AddStringToObject(g, "responseType", type);
        if (code)
            cJSON_AddStringToObject(g, "statusCode", code);
        else if (apigw_gateway_status(type) > 0) {
            char s[16];
            snprintf(s, sizeof s, "%d", apigw_gateway_status(type));
            cJSON_AddStringToObject(g, "statusCode", s);
        }
        set_member(g, "responseParameters",
                   cJSON_GetObjectItemCaseSensitive(c->in, "responseParameters"));
        set_member(g, "responseTemplates",
                   cJSON_GetObjectItemCaseSensitive(c->in, "responseTemplates"));
        cJSON_AddBoolToObject(g, "defaultResponse", 0);
        rc = apigw_save_answer(c, doc, 201, cJSON_Duplicate(g, 1));
    } else {
        if (g)
            cJSON_Delete(cJSON_DetachItemViaPointer(map, g));
        rc = apigw_save_answer(c, doc, 202, NULL);
    }
out:
    cJSON_Delete(doc);
    return rc;
}

int apigw_get_gateway_response(ts_call *c) { return gateway_op(c, 'g'); }
int apigw_get_gateway_responses(ts_call *c) { return gateway_op(c, 'l'); }
int apigw_put_gateway_response(ts_call *c) { return gateway_op(c, 'p'); }
int apigw_delete_gateway_response(ts_call *c) { return gateway_op(c, 'd'); }
