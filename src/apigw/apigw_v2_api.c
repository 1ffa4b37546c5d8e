/*
 * apigw_v2_api.c - the HTTP APIs themselves: create (with AWS's quick
 * create: a Target makes an integration, a route and an auto-deployed
 * $default stage, all marked apiGatewayManaged), list, read, update
 * (a Target or RouteKey updates what quick create made), delete, the CORS
 * configuration, and tags, which API Gateway keeps on APIs and stages and
 * names by ARN (arn:aws:apigateway:<region>::/apis/<id>[/stages/<name>]).
 */
#include "apigw_int.h"

#include <stdio.h>
#include <string.h>

#include "tinystack/config.h"
#include "tinystack/store.h"

#define ROUTE_SELECTION "$request.method $request.path"

/* The members of CreateApi and UpdateApi copied into the API as given. */
static const char *const api_members[] = {
    "apiKeySelectionExpression", "corsConfiguration", "description",
    "disableSchemaValidation", "disableExecuteApiEndpoint", "ipAddressType", "name",
    "version", NULL,
};

/* The selection expressions an HTTP API may have, and its CORS. */
static int api_check(ts_call *c, const cJSON *in)
{
    static const apigw_v2_len lengths[] = {
        {"name", 1, 128}, {"description", 0, 1024}, {"version", 1, 64},
        {"target", 1, 2048}, {NULL, 0, 0},
    };
    const char *route = apigw_str(in, "routeSelectionExpression");
    const char *key = apigw_str(in, "apiKeySelectionExpression");

    if (apigw_v2_lengths(c, in, lengths) != 0)
        return -1;
    if (route && strcmp(route, ROUTE_SELECTION) &&
        strcmp(route, "${request.method} ${request.path}"))
        return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                              "Invalid route selection expression specified: '%.256s'. HTTP "
                              "APIs support only " ROUTE_SELECTION, route);
    if (key && strcmp(key, "$request.header.x-api-key") &&
        strcmp(key, "$context.authorizer.usageIdentifierKey"))
        return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                              "Invalid API key selection expression specified: '%.256s'. "
                              "Supported values are $request.header.x-api-key and "
                              "$context.authorizer.usageIdentifierKey", key);
    return apigw_v2_cors_check(c, cJSON_GetObjectItemCaseSensitive(in, "corsConfiguration"));
}

/* The integration quick create makes of target: AWS_PROXY for a Lambda
 * function, HTTP_PROXY for a URL. */
static int quick_integration(ts_call *c, const cJSON *in, cJSON **out)
{
    const char *target = apigw_str(in, "target"), *creds = apigw_str(in, "credentialsArn");
    cJSON *spec = cJSON_CreateObject();
    int rc;

    if (apigw_v2_is_lambda_uri(target)) {
        cJSON_AddStringToObject(spec, "integrationType", "AWS_PROXY");
        cJSON_AddStringToObject(spec, "payloadFormatVersion", "2.0");
    } else if (apigw_v2_is_http_url(target)) {
        cJSON_AddStringToObject(spec, "integrationType", "HTTP_PROXY");
        cJSON_AddStringToObject(spec, "integrationMethod", "ANY");
        cJSON_AddStringToObject(spec, "payloadFormatVersion", "1.0");
    } else {
        cJSON_Delete(spec);
        return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                              "Invalid target specified: '%.512s'. A target is a Lambda "
                              "function ARN or an HTTP URL", target ? target : "");
    }
    cJSON_AddStringToObject(spec, "integrationUri", target);
    if (creds)
        cJSON_AddStringToObject(spec, "credentialsArn", creds);
    rc = apigw_v2_integration_make(c, spec, out);
    cJSON_Delete(spec);
    if (rc == 0)
        cJSON_AddBoolToObject(*out, "apiGatewayManaged", 1);
    return rc;
}

/* The item quick create made in doc's kind, or NULL. */
static cJSON *managed(cJSON *doc, const char *kind)
{
    cJSON *it;

    cJSON_ArrayForEach(it, apigw_member(doc, kind))
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "apiGatewayManaged")))
            return it;
    return NULL;
}

/* Quick create: the integration of in's target, a route (in's routeKey,
 * else $default) to it, and a $default stage that deploys itself. */
static int quick_create(ts_call *c, const char *api_id, cJSON *doc, const cJSON *in)
{
    const char *key = apigw_str(in, "routeKey");
    char iid[16], rid[16], date[32];
    cJSON *integ, *spec, *route, *stage;
    int rc;

    if (quick_integration(c, in, &integ) != 0)
        return -1;
    apigw_v2_id(iid, APIGW_V2_ROUTE_ID);
    apigw_set_str(integ, "integrationId", iid);
    cJSON_AddItemToObject(apigw_member(doc, "integrations"), iid, integ);

    spec = cJSON_CreateObject();
    cJSON_AddStringToObject(spec, "routeKey", key ? key : "$default");
    cJSON_AddStringToObject(spec, "target", ts_arena_printf(c->req->arena, "integrations/%s", iid));
    rc = apigw_v2_route_make(c, doc, spec, NULL, &route);
    cJSON_Delete(spec);
    if (rc != 0)
        return -1;
    apigw_v2_id(rid, APIGW_V2_ROUTE_ID);
    apigw_set_str(route, "routeId", rid);
    cJSON_AddBoolToObject(route, "apiGatewayManaged", 1);
    cJSON_AddItemToObject(apigw_member(doc, "routes"), rid, route);

    if (apigw_v2_stage_exists(api_id, "$default"))
        return 0;
    apigw_v2_date(date);
    stage = cJSON_CreateObject();
    cJSON_AddBoolToObject(stage, "apiGatewayManaged", 1);
    cJSON_AddBoolToObject(stage, "autoDeploy", 1);
    cJSON_AddStringToObject(stage, "createdDate", date);
    cJSON_AddBoolToObject(cJSON_AddObjectToObject(stage, "defaultRouteSettings"),
                          "detailedMetricsEnabled", 0);
    cJSON_AddStringToObject(stage, "lastUpdatedDate", date);
    cJSON_AddObjectToObject(stage, "routeSettings");
    cJSON_AddStringToObject(stage, "stageName", "$default");
    cJSON_AddObjectToObject(stage, "stageVariables");
    cJSON_AddObjectToObject(stage, "tags");
    rc = apigw_v2_stage_save(c, api_id, "$default", stage, 1);
    cJSON_Delete(stage);
    return rc;
}

cJSON *apigw_v2_api_new(ts_call *c, char id[11])
{
    char date[32];
    cJSON *doc = cJSON_CreateObject();

    apigw_new_id(id);
    apigw_v2_date(date);
    cJSON_AddStringToObject(doc, "apiEndpoint",
                            ts_arena_printf(c->req->arena, "http://%s.execute-api.%s", id,
                                            ts_public_host(c->req->arena,
                                                           "localhost.localstack.cloud")));
    cJSON_AddStringToObject(doc, "apiId", id);
    cJSON_AddStringToObject(doc, "apiKeySelectionExpression", "$request.header.x-api-key");
    cJSON_AddStringToObject(doc, "createdDate", date);
    cJSON_AddBoolToObject(doc, "disableExecuteApiEndpoint", 0);
    cJSON_AddStringToObject(doc, "ipAddressType", "ipv4");
    cJSON_AddStringToObject(doc, "protocolType", "HTTP");
    cJSON_AddStringToObject(doc, "routeSelectionExpression", ROUTE_SELECTION);
    cJSON_AddObjectToObject(doc, "tags");
    cJSON_AddObjectToObject(doc, "routes");
    cJSON_AddObjectToObject(doc, "integrations");
    cJSON_AddObjectToObject(doc, "authorizers");
    return doc;
}

int apigw_v2_create_api(ts_call *c)
{
    const cJSON *in = c->in, *tags = cJSON_GetObjectItemCaseSensitive(in, "tags");
    const char *proto = apigw_str(in, "protocolType");
    char id[11];
    cJSON *doc;
    int rc = -1;

    if (proto && !strcmp(proto, "WEBSOCKET"))
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "WebSocket APIs are not supported by tinystack; only HTTP APIs "
                             "(ProtocolType HTTP) are");
    if (api_check(c, in) != 0 || apigw_v2_tags_check(c, tags, NULL) != 0)
        return -1;
    doc = apigw_v2_api_new(c, id);
    apigw_v2_copy(doc, in, api_members);
    if (tags)
        apigw_v2_copy(doc, in, (const char *const[]){"tags", NULL});
    if (apigw_str(in, "target") && quick_create(c, id, doc, in) != 0)
        goto out;
    if (apigw_api_insert(c, id, APIGW_KIND_HTTP, doc) != 0 ||
        apigw_v2_autodeploy(c, id, doc) != 0)
        goto out;
    apigw_v2_answer(c, apigw_v2_public(doc), 201);
    rc = 0;
out:
    cJSON_Delete(doc);
    return rc;
}

int apigw_v2_get_apis(ts_call *c)
{
    sqlite3_stmt *st = store_stmt("SELECT doc FROM apigw_api WHERE account = ?1 AND region = ?2"
                                  " AND kind = 2 ORDER BY created, id LIMIT ?3 OFFSET ?4");
    cJSON *items;
    long max, offset, n = 0;

    if (apigw_v2_page_args(c, &max, &offset) != 0)
        return -1;
    items = cJSON_AddArrayToObject(c->out, "items");
    store_bind_text(st, 1, c->req->account);
    store_bind_text(st, 2, c->req->region);
    sqlite3_bind_int64(st, 3, max + 1);
    sqlite3_bind_int64(st, 4, offset);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *doc;
        if (++n > max)
            break;
        doc = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
        if (doc)
            cJSON_AddItemToArray(items, apigw_v2_public(doc));
        cJSON_Delete(doc);
    }
    sqlite3_reset(st);
    if (n > max) {
        char token[24];
        snprintf(token, sizeof token, "%ld", offset + max);
        cJSON_AddStringToObject(c->out, "nextToken", token);
    }
    return 0;
}

int apigw_v2_get_api(ts_call *c)
{
    cJSON *doc = apigw_v2_api(c, NULL);

    if (!doc)
        return -1;
    apigw_v2_answer(c, apigw_v2_public(doc), 200);
    cJSON_Delete(doc);
    return 0;
}

/* UpdateApi's Target and RouteKey: they change what quick create made,
 * or make it when the API has none yet. */
static int quick_update(ts_call *c, const char *api_id, cJSON *doc)
{
    const char *target = apigw_str(c->in, "target"), *key = apigw_str(c->in, "routeKey");
    cJSON *integ = managed(doc, "integrations"), *route = managed(doc, "routes");

    if (target && !integ)
        return quick_create(c, api_id, doc, c->in);
    if (target) {
        cJSON *fresh;
        if (quick_integration(c, c->in, &fresh) != 0)
            return -1;
        apigw_set_str(fresh, "integrationId", apigw_str(integ, "integrationId"));
        apigw_v2_replace(apigw_member(doc, "integrations"), integ, fresh);
    }
    if (key && route) {
        cJSON *spec = cJSON_Duplicate(route, 1), *fresh;
        int rc;
        apigw_set_str(spec, "routeKey", key);
        rc = apigw_v2_route_make(c, doc, spec, apigw_str(route, "routeId"), &fresh);
        cJSON_Delete(spec);
        if (rc != 0)
            return -1;
        apigw_set_str(fresh, "routeId", apigw_str(route, "routeId"));
        cJSON_AddBoolToObject(fresh, "apiGatewayManaged", 1);
        apigw_v2_replace(apigw_member(doc, "routes"), route, fresh);
    }
    return 0;
}

int apigw_v2_update_api(ts_call *c)
{
    const char *id;
    cJSON *doc = apigw_v2_api(c, &id);
    int rc = -1;

    if (!doc)
        return -1;
    if (api_check(c, c->in) != 0)
        goto out;
    apigw_v2_copy(doc, c->in, api_members);
    if ((apigw_str(c->in, "target") || apigw_str(c->in, "routeKey")) &&
        quick_update(c, id, doc) != 0)
        goto out;
    if (apigw_v2_commit(c, id, doc) != 0)
        goto out;
    apigw_v2_answer(c, apigw_v2_public(doc), 200);
    rc = 0;
out:
    cJSON_Delete(doc);
    return rc;
}

int apigw_v2_delete_api(ts_call *c)
{
    const char *id = apigw_v2_api_id(c);

    if (!id)
        return -1;
    if (apigw_api_delete(c, id) != 0)
        return -1;
    apigw_v2_no_content(c);
    return 0;
}

int apigw_v2_delete_cors(ts_call *c)
{
    const char *id;
    cJSON *doc = apigw_v2_api(c, &id);
    int rc;

    if (!doc)
        return -1;
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "corsConfiguration");
    rc = apigw_v2_commit(c, id, doc);
    cJSON_Delete(doc);
    if (rc == 0)
        apigw_v2_no_content(c);
    return rc;
}

/* ---- tags ---- */

/* What a ResourceArn names: an API, or one of its stages. */
typedef struct tag_target {
    char *api_id;
    char *stage;       /* NULL: the API itself */
    cJSON *doc;        /* the API's doc or the stage's, owned */
} tag_target;

static int tag_target_load(ts_call *c, tag_target *t)
{
    const char *arn = apigw_str(c->in, "ResourceArn");
    char *copy = ts_arena_strdup(c->req->arena, arn ? arn : ""), *p, *region, *rest;

    memset(t, 0, sizeof(*t));
    /* arn:<partition>:apigateway:<region>::/apis/<id>[/stages/<name>] */
    if (strncmp(copy, "arn:", 4) || !(p = strchr(copy + 4, ':')) ||
        strncmp(p + 1, "apigateway:", 11))
        goto bad;
    region = p + 12;
    if (!(rest = strstr(region, "::/apis/")))
        goto bad;
    *rest = '\0';
    t->api_id = rest + 8;
    if ((p = strchr(t->api_id, '/'))) {
        *p = '\0';
        if (strncmp(p + 1, "stages/", 7) || !p[8] || strchr(p + 8, '/'))
            goto bad;
        t->stage = p + 8;
    }
    if (!*t->api_id || strcmp(region, c->req->region))
        return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_NOT_FOUND,
                              "Invalid resource identifier specified %s", arn);
    t->doc = apigw_api_load(c, t->api_id, APIGW_KIND_HTTP);
    if (t->doc && t->stage) {
        cJSON_Delete(t->doc);
        t->doc = apigw_v2_stage_load(c, t->api_id, t->stage);
    }
    return t->doc ? 0 : -1;
bad:
    return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                          "Invalid resource ARN specified: '%.512s'", arn ? arn : "");
}

static int tag_target_save(ts_call *c, tag_target *t)
{
    if (t->stage)
        return apigw_v2_stage_save(c, t->api_id, t->stage, t->doc, 0);
    return apigw_api_save(c, t->api_id, t->doc);
}

int apigw_v2_tag_resource(ts_call *c)
{
    const cJSON *add = cJSON_GetObjectItemCaseSensitive(c->in, "tags"), *v;
    tag_target t;
    cJSON *tags;
    int rc = -1;

    if (tag_target_load(c, &t) != 0)
        return -1;
    tags = apigw_member(t.doc, "tags");
    if (apigw_v2_tags_check(c, add, tags) != 0)
        goto out;
    cJSON_ArrayForEach(v, add) {
        cJSON_DeleteItemFromObjectCaseSensitive(tags, v->string);
        cJSON_AddItemToObject(tags, v->string, cJSON_Duplicate(v, 1));
    }
    if (tag_target_save(c, &t) != 0)
        goto out;
    apigw_v2_answer(c, cJSON_CreateObject(), 201);
    rc = 0;
out:
    cJSON_Delete(t.doc);
    return rc;
}

/* The model binds a repeated query argument as its first value only, so
 * every tagKeys comes from the query itself. */
int apigw_v2_untag_resource(ts_call *c)
{
    tag_target t;
    cJSON *tags;
    int rc;

    if (tag_target_load(c, &t) != 0)
        return -1;
    tags = apigw_member(t.doc, "tags");
    for (const ts_kv *q = c->req->query; q; q = q->next)
        if (!strcmp(q->name, "tagKeys"))
            cJSON_DeleteItemFromObjectCaseSensitive(tags, q->value);
    rc = tag_target_save(c, &t);
    cJSON_Delete(t.doc);
    if (rc == 0)
        apigw_v2_no_content(c);
    return rc;
}

int apigw_v2_get_tags(ts_call *c)
{
    tag_target t;

    if (tag_target_load(c, &t) != 0)
        return -1;
    cJSON_AddItemToObject(c->out, "tags", cJSON_Duplicate(apigw_member(t.doc, "tags"), 1));
    cJSON_Delete(t.doc);
    return 0;
}
