/*
 * apigw_v2_import.c - HTTP APIs from and to OpenAPI 3.0 definitions
 * (ImportApi, ReimportApi, ExportApi), in JSON or YAML (read with
 * tinystack/yaml.h); exports are JSON.
 *
 * Read: info.title/version/description; every operation of paths as a
 * route ("get" of "/pets/{id}" is "GET /pets/{id}",
 * x-amazon-apigateway-any-method is ANY, "/$default" is $default) with
 * its x-amazon-apigateway-integration (aws_proxy or http_proxy: uri,
 * httpMethod, payloadFormatVersion, connectionType, timeoutInMillis ...)
 * as its integration; components.securitySchemes with an
 * x-amazon-apigateway-authorizer as authorizers, an operation's (or the
 * document's) security naming them; x-amazon-apigateway-cors as the
 * CORS configuration; tags with x-amazon-apigateway-tag-value.  What an
 * HTTP API cannot hold becomes a warning (an error with failOnWarnings).
 */
#include "apigw_int.h"

#include "tinystack/yaml.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char *const op_methods[][2] = {
    {"get", "GET"}, {"put", "PUT"}, {"post", "POST"}, {"delete", "DELETE"},
    {"options", "OPTIONS"}, {"head", "HEAD"}, {"patch", "PATCH"},
    {"x-amazon-apigateway-any-method", "ANY"},
};

/* What one import builds besides the doc. */
typedef struct import_ctx {
    ts_call *c;
    cJSON *doc;
    cJSON *warnings;      /* array of strings */
    cJSON *schemes;       /* security scheme name -> {"type": ..., "id": ...} */
    int fail_on_warnings;
} import_ctx;

static int warn(import_ctx *x, const char *msg)
{
    if (x->fail_on_warnings)
        return ts_resp_errorf(x->c->req, x->c->resp, TS_ERR_APIGW_BAD_REQUEST,
                              "Warnings found during import: %s", msg);
    cJSON_AddItemToArray(x->warnings, cJSON_CreateString(msg));
    return 0;
}

/* A string member that a definition may write as a number (2.0). */
static const char *str_or_number(ts_call *c, const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

    if (cJSON_IsString(v))
        return v->valuestring;
    if (cJSON_IsNumber(v))
        return ts_arena_printf(c->req->arena, "%.1f", v->valuedouble);
    return NULL;
}

static void copy_typed(cJSON *dst, const char *to, const cJSON *src, const char *from, int type)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(src, from);

    if (v && (v->type & 0xFF) == type)
        cJSON_AddItemToObject(dst, to, cJSON_Duplicate(v, 1));
}

/* "$request.header.A, $request.querystring.b" as a list. */
static cJSON *identity_list(const cJSON *v)
{
    cJSON *list = cJSON_CreateArray();
    const char *p;

    if (cJSON_IsArray(v)) {
        cJSON_Delete(list);
        return cJSON_Duplicate(v, 1);
    }
    for (p = cJSON_IsString(v) ? v->valuestring : ""; *p;) {
        const char *end = p + strcspn(p, ",");
        while (p < end && isspace((unsigned char)*p))
            p++;
        size_t n = (size_t)(end - p);
        while (n && isspace((unsigned char)p[n - 1]))
            n--;
        if (n) {
            char *one = ts_strndup(p, n);
            cJSON_AddItemToArray(list, cJSON_CreateString(one));
            ts_free(one);
        }
        p = *end ? end + 1 : end;
    }
    return list;
}

static int import_authorizers(import_ctx *x, const cJSON *def)
{
    const cJSON *schemes = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(def, "components"), "securitySchemes");
    const cJSON *s;

    cJSON_ArrayForEach(s, schemes) {
        const cJSON *ext = cJSON_GetObjectItemCaseSensitive(s, "x-amazon-apigateway-authorizer");
        const char *authtype = apigw_str(s, "x-amazon-apigateway-authtype");
        const char *type = apigw_str(ext, "type");
        cJSON *spec, *auth, *entry;
        char id[16];
        int rc;

        if (!ext) {
            if (authtype && ts_strieq(authtype, "awsSigv4")) {
                entry = cJSON_AddObjectToObject(x->schemes, s->string);
                cJSON_AddStringToObject(entry, "type", "AWS_IAM");
            }
            continue;
        }
        spec = cJSON_CreateObject();
        cJSON_AddStringToObject(spec, "name", s->string);
        cJSON_AddStringToObject(spec, "authorizerType",
                                type && ts_strieq(type, "jwt") ? "JWT"
                                : type && ts_strieq(type, "request") ? "REQUEST"
                                : type ? type : "");
        cJSON_AddItemToObject(
            spec, "identitySource",
            identity_list(cJSON_GetObjectItemCaseSensitive(ext, "identitySource")));
        copy_typed(spec, "authorizerUri", ext, "authorizerUri", cJSON_String);
        copy_typed(spec, "authorizerCredentialsArn", ext, "authorizerCredentials", cJSON_String);
        copy_typed(spec, "authorizerResultTtlInSeconds", ext, "authorizerResultTtlInSeconds",
                   cJSON_Number);
        copy_typed(spec, "enableSimpleResponses", ext, "enableSimpleResponses", cJSON_True);
        copy_typed(spec, "enableSimpleResponses", ext, "enableSimpleResponses", cJSON_False);
        copy_typed(spec, "jwtConfiguration", ext, "jwtConfiguration", cJSON_Object);
        if (str_or_number(x->c, ext, "authorizerPayloadFormatVersion"))
            cJSON_AddStringToObject(spec, "authorizerPayloadFormatVersion",
                                    str_or_number(x->c, ext, "authorizerPayloadFormatVersion"));
        rc = apigw_v2_authorizer_make(x->c, spec, &auth);
        cJSON_Delete(spec);
        if (rc != 0)
            return -1;
        apigw_v2_id(id, APIGW_V2_SHORT_ID);
        apigw_set_str(auth, "authorizerId", id);
        entry = cJSON_AddObjectToObject(x->schemes, s->string);
        cJSON_AddStringToObject(entry, "type",
                                !strcmp(apigw_str(auth, "authorizerType"), "JWT") ? "JWT"
                                                                                  : "CUSTOM");
        cJSON_AddStringToObject(entry, "id", id);
        cJSON_AddItemToObject(apigw_member(x->doc, "authorizers"), id, auth);
    }
    return 0;
}

/* The integration of one operation, added to the doc; *id gets its id,
 * or stays empty when the operation has none an HTTP API can hold. */
static int import_integration(import_ctx *x, const cJSON *op, const char *where, char id[16])
{
    const cJSON *ext = cJSON_GetObjectItemCaseSensitive(op, "x-amazon-apigateway-integration");
    const char *type = apigw_str(ext, "type"), *pfv;
    cJSON *spec, *integ;
    int rc;

    id[0] = '\0';
    if (!ext)
        return 0;
    if (!type || (!ts_strieq(type, "aws_proxy") && !ts_strieq(type, "http_proxy")))
        return warn(x, ts_arena_printf(x->c->req->arena,
                                       "Unsupported integration type '%s' for %s: HTTP APIs take "
                                       "aws_proxy and http_proxy integrations only; the route has "
                                       "no integration", type ? type : "", where));
    spec = cJSON_CreateObject();
    cJSON_AddStringToObject(spec, "integrationType",
                            ts_strieq(type, "aws_proxy") ? "AWS_PROXY" : "HTTP_PROXY");
    copy_typed(spec, "integrationUri", ext, "uri", cJSON_String);
    copy_typed(spec, "integrationMethod", ext, "httpMethod", cJSON_String);
    copy_typed(spec, "connectionType", ext, "connectionType", cJSON_String);
    copy_typed(spec, "connectionId", ext, "connectionId", cJSON_String);
    copy_typed(spec, "credentialsArn", ext, "credentials", cJSON_String);
    copy_typed(spec, "description", ext, "description", cJSON_String);
    copy_typed(spec, "timeoutInMillis", ext, "timeoutInMillis", cJSON_Number);
    copy_typed(spec, "requestParameters", ext, "requestParameters", cJSON_Object);
    copy_typed(spec, "responseParameters", ext, "responseParameters", cJSON_Object);
    copy_typed(spec, "tlsConfig", ext, "tlsConfig", cJSON_Object);
    copy_typed(spec, "integrationSubtype", ext, "integrationSubtype", cJSON_String);
    if ((pfv = str_or_number(x->c, ext, "payloadFormatVersion")))
        cJSON_AddStringToObject(spec, "payloadFormatVersion", pfv);
    else if (ts_strieq(type, "aws_proxy"))
        cJSON_AddStringToObject(spec, "payloadFormatVersion", "1.0");
    if (apigw_str(spec, "integrationMethod")) {
        /* definitions write "post" as often as "POST" */
        char *m = ts_arena_strdup(x->c->req->arena, apigw_str(spec, "integrationMethod"));
        for (char *p = m; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        apigw_set_str(spec, "integrationMethod", m);
    }
    {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(spec, "timeoutInMillis");
        if (t && (t->valuedouble < 50 || t->valuedouble > 30000)) {
            cJSON_Delete(spec);
            return ts_resp_errorf(x->c->req, x->c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                  "Invalid timeoutInMillis for %s: it must be between 50 and "
                                  "30000", where);
        }
    }
    rc = apigw_v2_integration_make(x->c, spec, &integ);
    cJSON_Delete(spec);
    if (rc != 0)
        return -1;
    apigw_v2_id(id, APIGW_V2_ROUTE_ID);
    apigw_set_str(integ, "integrationId", id);
    cJSON_AddItemToObject(apigw_member(x->doc, "integrations"), id, integ);
    return 0;
}

/* The first requirement of security (a list of {scheme: [scopes]}) as
 * the route's authorization. */
static int import_security(import_ctx *x, const cJSON *security, cJSON *spec, const char *where)
{
    const cJSON *req = cJSON_GetArrayItem(security, 0), *scheme, *entry;

    if (!cJSON_IsArray(security))
        return 0;
    if (cJSON_GetArraySize(security) > 1 &&
        warn(x, ts_arena_printf(x->c->req->arena, "Only the first security requirement of %s "
                                                  "is imported", where)) != 0)
        return -1;
    if (!(scheme = req ? req->child : NULL))
        return 0;
    if (!(entry = cJSON_GetObjectItemCaseSensitive(x->schemes, scheme->string)))
        return warn(x, ts_arena_printf(x->c->req->arena,
                                       "Security scheme '%s' of %s has no "
                                       "x-amazon-apigateway-authorizer; the route is not guarded",
                                       scheme->string, where));
    cJSON_AddStringToObject(spec, "authorizationType", apigw_str(entry, "type"));
    if (apigw_str(entry, "id"))
        cJSON_AddStringToObject(spec, "authorizerId", apigw_str(entry, "id"));
    if (!strcmp(apigw_str(entry, "type"), "JWT") && cJSON_GetArraySize(scheme) > 0)
        cJSON_AddItemToObject(spec, "authorizationScopes", cJSON_Duplicate(scheme, 1));
    return 0;
}

static int import_paths(import_ctx *x, const cJSON *def)
{
    const cJSON *paths = cJSON_GetObjectItemCaseSensitive(def, "paths"), *p;
    const cJSON *top_security = cJSON_GetObjectItemCaseSensitive(def, "security");

    cJSON_ArrayForEach(p, paths) {
        for (size_t m = 0; m < TS_ARRAY_LEN(op_methods); m++) {
            const cJSON *op = cJSON_GetObjectItemCaseSensitive(p, op_methods[m][0]);
            const cJSON *security = cJSON_GetObjectItemCaseSensitive(op, "security");
            const char *key;
            char iid[16], rid[16];
            cJSON *spec, *route;
            int rc;

            if (!cJSON_IsObject(op))
                continue;
            key = !strcmp(p->string, "/$default") && !strcmp(op_methods[m][1], "ANY")
                ? "$default"
                : ts_arena_printf(x->c->req->arena, "%s %s", op_methods[m][1], p->string);
            if (import_integration(x, op, key, iid) != 0)
                return -1;
            spec = cJSON_CreateObject();
            cJSON_AddStringToObject(spec, "routeKey", key);
            if (iid[0])
                cJSON_AddStringToObject(spec, "target",
                                        ts_arena_printf(x->c->req->arena, "integrations/%s", iid));
            if (apigw_str(op, "operationId"))
                cJSON_AddStringToObject(spec, "operationName", apigw_str(op, "operationId"));
            if (import_security(x, security ? security : top_security, spec, key) != 0) {
                cJSON_Delete(spec);
                return -1;
            }
            rc = apigw_v2_route_make(x->c, x->doc, spec, NULL, &route);
            cJSON_Delete(spec);
            if (rc != 0)
                return -1;
            apigw_v2_id(rid, APIGW_V2_ROUTE_ID);
            apigw_set_str(route, "routeId", rid);
            cJSON_AddItemToObject(apigw_member(x->doc, "routes"), rid, route);
        }
    }
    return 0;
}

static int import_cors(import_ctx *x, const cJSON *def)
{
    const cJSON *ext = cJSON_GetObjectItemCaseSensitive(def, "x-amazon-apigateway-cors");
    cJSON *cors;

    if (!cJSON_IsObject(ext))
        return 0;
    cors = cJSON_CreateObject();
    copy_typed(cors, "allowCredentials", ext, "allowCredentials", cJSON_True);
    copy_typed(cors, "allowCredentials", ext, "allowCredentials", cJSON_False);
    copy_typed(cors, "allowHeaders", ext, "allowHeaders", cJSON_Array);
    copy_typed(cors, "allowMethods", ext, "allowMethods", cJSON_Array);
    copy_typed(cors, "allowOrigins", ext, "allowOrigins", cJSON_Array);
    copy_typed(cors, "exposeHeaders", ext, "exposeHeaders", cJSON_Array);
    copy_typed(cors, "maxAge", ext, "maxAge", cJSON_Number);
    cJSON_AddItemToObject(x->doc, "corsConfiguration", cors);
    return apigw_v2_cors_check(x->c, cors);
}

static void import_tags(import_ctx *x, const cJSON *def)
{
    cJSON *tags = apigw_member(x->doc, "tags");
    const cJSON *t;

    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(def, "tags")) {
        const char *name = apigw_str(t, "name");
        const char *value = apigw_str(t, "x-amazon-apigateway-tag-value");
        if (name && value) {
            cJSON_DeleteItemFromObjectCaseSensitive(tags, name);
            cJSON_AddStringToObject(tags, name, value);
        }
    }
}

/* Parses c->in's body as an OpenAPI 3 definition into x->doc (whose
 * routes, integrations, authorizers and CORS it replaces); 0 or -1. */
static int import_definition(import_ctx *x)
{
    ts_call *c = x->c;
    const char *body = apigw_str(c->in, "body"), *version, *title;
    const cJSON *fail = cJSON_GetObjectItemCaseSensitive(c->in, "FailOnWarnings"), *info, *v;
    cJSON *def;
    int rc = -1;

    x->fail_on_warnings = cJSON_IsTrue(fail) || (cJSON_IsString(fail) &&
                                                 !strcmp(fail->valuestring, "true"));
    def = body ? cJSON_Parse(body) : NULL;
    if (!def && body) {
        /* Not JSON: a YAML definition, as AWS takes both. */
        const char *p = body;
        char err[256];
        while (isspace((unsigned char)*p))
            p++;
        if (*p != '{' && *p != '[' && !(def = ts_yaml_parse(body, strlen(body), err, sizeof err)))
            return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                  "Invalid OpenAPI input: %s", err);
    }
    if (!cJSON_IsObject(def)) {
        cJSON_Delete(def);
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "Invalid OpenAPI input: the definition is not a JSON or YAML "
                             "object");
    }
    version = apigw_str(def, "openapi");
    if (!version || strncmp(version, "3.", 2)) {
        ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                      cJSON_GetObjectItemCaseSensitive(def, "swagger")
                          ? "HTTP APIs import OpenAPI 3.0 definitions only, not Swagger 2.0"
                          : "Invalid OpenAPI input: the definition has no openapi version 3.x");
        goto out;
    }
    info = cJSON_GetObjectItemCaseSensitive(def, "info");
    if (!(title = apigw_str(info, "title")) || !*title || strlen(title) > 128) {
        ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                      "Invalid OpenAPI input: info.title is required (1 to 128 characters)");
        goto out;
    }
    apigw_set_str(x->doc, "name", title);
    apigw_set_str(x->doc, "version", str_or_number(c, info, "version"));
    apigw_set_str(x->doc, "description", apigw_str(info, "description"));
    v = cJSON_GetObjectItemCaseSensitive(def, "x-amazon-apigateway-disable-execute-api-endpoint");
    if (cJSON_IsBool(v)) {
        cJSON_DeleteItemFromObjectCaseSensitive(x->doc, "disableExecuteApiEndpoint");
        cJSON_AddBoolToObject(x->doc, "disableExecuteApiEndpoint", cJSON_IsTrue(v));
    }
    if (apigw_v2_lengths(c, x->doc, (const apigw_v2_len[]){{"description", 0, 1024},
                                                           {"version", 1, 64},
                                                           {NULL, 0, 0}}) != 0)
        goto out;
    cJSON_DeleteItemFromObjectCaseSensitive(x->doc, "routes");
    cJSON_DeleteItemFromObjectCaseSensitive(x->doc, "integrations");
    cJSON_DeleteItemFromObjectCaseSensitive(x->doc, "authorizers");
    cJSON_DeleteItemFromObjectCaseSensitive(x->doc, "corsConfiguration");
    if (import_authorizers(x, def) != 0 || import_paths(x, def) != 0 || import_cors(x, def) != 0)
        goto out;
    import_tags(x, def);
    rc = 0;
out:
    cJSON_Delete(def);
    return rc;
}

static void answer_imported(import_ctx *x, int status)
{
    cJSON *out = apigw_v2_public(x->doc);

    if (cJSON_GetArraySize(x->warnings) > 0)
        cJSON_AddItemToObject(out, "warnings", cJSON_Duplicate(x->warnings, 1));
    apigw_v2_answer(x->c, out, status);
}

/* ImportApi (fresh: a new API) and ReimportApi (c->in's ApiId, its doc
 * remade from the definition and redeployed): answers the API, 201. */
static int import_api(ts_call *c, int fresh)
{
    char id[11];
    const char *api_id = id;
    import_ctx x = {c, NULL, cJSON_CreateArray(), cJSON_CreateObject(), 0};
    int rc = -1;

    x.doc = fresh ? apigw_v2_api_new(c, id) : apigw_v2_api(c, &api_id);
    if (!x.doc || import_definition(&x) != 0 ||
        apigw_v2_tags_check(c, cJSON_GetObjectItemCaseSensitive(x.doc, "tags"), NULL) != 0)
        goto out;
    if ((fresh ? apigw_api_insert(c, id, APIGW_KIND_HTTP, x.doc)
               : apigw_v2_commit(c, api_id, x.doc)) != 0)
        goto out;
    answer_imported(&x, 201);
    rc = 0;
out:
    cJSON_Delete(x.doc);
    cJSON_Delete(x.warnings);
    cJSON_Delete(x.schemes);
    return rc;
}

int apigw_v2_import_api(ts_call *c)
{
    return import_api(c, 1);
}

int apigw_v2_reimport_api(ts_call *c)
{
    return import_api(c, 0);
}

/* ---- export ---- */

static void lower_copy(char *out, size_t n, const char *s)
{
    size_t i = 0;

    for (; s[i] && i + 1 < n; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[i] = '\0';
}

static cJSON *export_integration(const cJSON *integ)
{
    cJSON *ext = cJSON_CreateObject();
    char type[32];

    lower_copy(type, sizeof type,
               apigw_str(integ, "integrationType") ? apigw_str(integ, "integrationType") : "");
    cJSON_AddStringToObject(ext, "type", type);
    copy_typed(ext, "uri", integ, "integrationUri", cJSON_String);
    copy_typed(ext, "httpMethod", integ, "integrationMethod", cJSON_String);
    copy_typed(ext, "payloadFormatVersion", integ, "payloadFormatVersion", cJSON_String);
    copy_typed(ext, "connectionType", integ, "connectionType", cJSON_String);
    copy_typed(ext, "connectionId", integ, "connectionId", cJSON_String);
    copy_typed(ext, "timeoutInMillis", integ, "timeoutInMillis", cJSON_Number);
    copy_typed(ext, "credentials", integ, "credentialsArn", cJSON_String);
    copy_typed(ext, "requestParameters", integ, "requestParameters", cJSON_Object);
    copy_typed(ext, "responseParameters", integ, "responseParameters", cJSON_Object);
    return ext;
}

static void export_authorizers(cJSON *def, const cJSON *doc)
{
    const cJSON *a;
    cJSON *schemes = NULL;

    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(doc, "authorizers")) {
        const char *type = apigw_str(a, "authorizerType");
        cJSON *s, *ext;
        int jwt = type && !strcmp(type, "JWT");
        if (!apigw_str(a, "name"))
            continue;
        if (!schemes)
            schemes = cJSON_AddObjectToObject(cJSON_AddObjectToObject(def, "components"),
                                              "securitySchemes");
        s = cJSON_AddObjectToObject(schemes, apigw_str(a, "name"));
        if (jwt) {
            cJSON_AddStringToObject(s, "type", "oauth2");
            cJSON_AddObjectToObject(s, "flows");
        } else {
            cJSON_AddStringToObject(s, "type", "apiKey");
            cJSON_AddStringToObject(s, "name", "Unused");
            cJSON_AddStringToObject(s, "in", "header");
        }
        ext = cJSON_AddObjectToObject(s, "x-amazon-apigateway-authorizer");
        cJSON_AddStringToObject(ext, "type", jwt ? "jwt" : "request");
        copy_typed(ext, "identitySource", a, "identitySource", cJSON_Array);
        copy_typed(ext, "jwtConfiguration", a, "jwtConfiguration", cJSON_Object);
        copy_typed(ext, "authorizerUri", a, "authorizerUri", cJSON_String);
        copy_typed(ext, "authorizerPayloadFormatVersion", a, "authorizerPayloadFormatVersion",
                   cJSON_String);
        copy_typed(ext, "authorizerResultTtlInSeconds", a, "authorizerResultTtlInSeconds",
                   cJSON_Number);
        copy_typed(ext, "enableSimpleResponses", a, "enableSimpleResponses", cJSON_True);
        copy_typed(ext, "enableSimpleResponses", a, "enableSimpleResponses", cJSON_False);
    }
}

/* The path parameters of path ("/pets/{id}/{proxy+}") as OpenAPI wants. */
static void export_parameters(cJSON *op, const char *path)
{
    cJSON *params = NULL;

    for (const char *p = strchr(path, '{'); p; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        cJSON *param;
        size_t n;
        if (!end)
            break;
        n = (size_t)(end - p - 1);
        if (n && p[n] == '+')
            n--;
        if (!params)
            params = cJSON_AddArrayToObject(op, "parameters");
        param = cJSON_CreateObject();
        char *name = ts_strndup(p + 1, n);
        cJSON_AddStringToObject(param, "name", name);
        ts_free(name);
        cJSON_AddStringToObject(param, "in", "path");
        cJSON_AddBoolToObject(param, "required", 1);
        cJSON_AddStringToObject(cJSON_AddObjectToObject(param, "schema"), "type", "string");
        cJSON_AddItemToArray(params, param);
    }
}

static cJSON *export_definition(ts_call *c, const cJSON *doc, int extensions)
{
    cJSON *def = cJSON_CreateObject(), *info, *paths, *servers;
    const cJSON *r, *integs = cJSON_GetObjectItemCaseSensitive(doc, "integrations");
    const cJSON *auths = cJSON_GetObjectItemCaseSensitive(doc, "authorizers");
    const char *version;

    cJSON_AddStringToObject(def, "openapi", "3.0.1");
    info = cJSON_AddObjectToObject(def, "info");
    cJSON_AddStringToObject(info, "title", apigw_str(doc, "name") ? apigw_str(doc, "name") : "");
    if (apigw_str(doc, "description"))
        cJSON_AddStringToObject(info, "description", apigw_str(doc, "description"));
    version = apigw_str(doc, "version") ? apigw_str(doc, "version") : apigw_str(doc, "createdDate");
    cJSON_AddStringToObject(info, "version", version ? version : "");
    servers = cJSON_AddArrayToObject(def, "servers");
    if (apigw_str(doc, "apiEndpoint")) {
        cJSON *s = cJSON_CreateObject();
        cJSON_AddStringToObject(s, "url", apigw_str(doc, "apiEndpoint"));
        cJSON_AddItemToArray(servers, s);
    }
    paths = cJSON_AddObjectToObject(def, "paths");
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(doc, "routes")) {
        const char *key = apigw_str(r, "routeKey"), *sp, *target = apigw_str(r, "target");
        const char *path, *method;
        char lower[16];
        cJSON *pobj, *op, *resp;
        if (!key)
            continue;
        if (!strcmp(key, "$default")) {
            path = "/$default";
            method = "ANY";
        } else if ((sp = strchr(key, ' '))) {
            path = sp + 1;
            method = ts_arena_strndup(c->req->arena, key, (size_t)(sp - key));
        } else {
            continue;
        }
        if (!(pobj = cJSON_GetObjectItemCaseSensitive(paths, path)))
            pobj = cJSON_AddObjectToObject(paths, path);
        lower_copy(lower, sizeof lower, method);
        op = cJSON_AddObjectToObject(
            pobj, strcmp(method, "ANY") ? lower : "x-amazon-apigateway-any-method");
        if (apigw_str(r, "operationName"))
            cJSON_AddStringToObject(op, "operationId", apigw_str(r, "operationName"));
        export_parameters(op, path);
        resp = cJSON_AddObjectToObject(cJSON_AddObjectToObject(op, "responses"), "default");
        cJSON_AddStringToObject(resp, "description",
                                ts_arena_printf(c->req->arena, "Default response for %s", key));
        if (apigw_str(r, "authorizerId")) {
            const cJSON *a = cJSON_GetObjectItemCaseSensitive(auths, apigw_str(r, "authorizerId"));
            const cJSON *scopes = cJSON_GetObjectItemCaseSensitive(r, "authorizationScopes");
            if (apigw_str(a, "name")) {
                cJSON *req = cJSON_CreateObject();
                cJSON_AddItemToObject(req, apigw_str(a, "name"),
                                      scopes ? cJSON_Duplicate(scopes, 1) : cJSON_CreateArray());
                cJSON_AddItemToArray(cJSON_AddArrayToObject(op, "security"), req);
            }
        }
        if (extensions && target && !strncmp(target, "integrations/", 13)) {
            const cJSON *integ = cJSON_GetObjectItemCaseSensitive(integs, target + 13);
            if (integ)
                cJSON_AddItemToObject(op, "x-amazon-apigateway-integration",
                                      export_integration(integ));
        }
    }
    if (extensions) {
        const cJSON *cors = cJSON_GetObjectItemCaseSensitive(doc, "corsConfiguration");
        if (cors)
            cJSON_AddItemToObject(def, "x-amazon-apigateway-cors", cJSON_Duplicate(cors, 1));
        cJSON_AddStringToObject(def, "x-amazon-apigateway-importexport-version", "1.0");
        export_authorizers(def, doc);
    }
    return def;
}

int apigw_v2_export_api(ts_call *c)
{
    const char *api_id, *spec = apigw_str(c->in, "Specification");
    const char *type = apigw_str(c->in, "OutputType"), *stage = apigw_str(c->in, "StageName");
    const cJSON *ext = cJSON_GetObjectItemCaseSensitive(c->in, "IncludeExtensions");
    cJSON *doc = apigw_v2_api(c, &api_id), *served = NULL, *def;
    char *text;
    int why;

    if (!doc)
        return -1;
    if (!spec || strcmp(spec, "OAS30")) {
        cJSON_Delete(doc);
        return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                              "Unsupported specification: '%.64s'. Supported: OAS30",
                              spec ? spec : "");
    }
    if (!type || strcmp(type, "JSON")) {
        cJSON_Delete(doc);
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             type && !strcmp(type, "YAML")
                                 ? "tinystack exports OpenAPI definitions in JSON only "
                                   "(OutputType JSON)"
                                 : "Invalid OutputType: it must be JSON or YAML");
    }
    if (stage) {
        /* what the stage serves, as the data plane sees it */
        served = apigw_v2_serving(api_id, stage, &why);
        if (!served) {
            cJSON_Delete(doc);
            return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_NOT_FOUND,
                                  "Invalid stage identifier specified %s", stage);
        }
        cJSON_Delete(doc);
        doc = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(served, "api"), 1);
        {
            cJSON *routes = cJSON_CreateObject(), *r;
            cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(served, "routes"))
                cJSON_AddItemToObject(routes, apigw_str(r, "routeId") ? apigw_str(r, "routeId")
                                                                      : "", cJSON_Duplicate(r, 1));
            cJSON_AddItemToObject(doc, "routes", routes);
        }
        cJSON_AddItemToObject(doc, "integrations",
                              cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(served,
                                                                               "integrations"), 1));
        cJSON_AddItemToObject(doc, "authorizers",
                              cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(served,
                                                                               "authorizers"), 1));
        cJSON_Delete(served);
    }
    def = export_definition(c, doc,
                            !cJSON_IsFalse(ext) &&
                                !(cJSON_IsString(ext) && !strcmp(ext->valuestring, "false")));
    text = cJSON_PrintUnformatted(def);
    ts_buf_puts(&c->resp->body, text ? text : "{}");
    cJSON_free(text);
    cJSON_Delete(def);
    cJSON_Delete(doc);
    ts_resp_header(c->req, c->resp, "Content-Type", "application/json");
    c->resp->status = 200;
    return 0;
}
