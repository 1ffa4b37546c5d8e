/*
 * apigw_rest.c - REST APIs, their resources, methods, integrations and
 * method/integration responses (apigateway).  An API is one document
 * (apigw_int.h): the RestApi as GetRestApi answers it, with members of
 * tinystack's own whose names start with '_' and are never answered:
 * "_resources" {id: Resource}, each Resource holding "resourceMethods"
 * {METHOD: Method}, each Method its "methodIntegration" and
 * "methodResponses" as GetMethod answers them.  An operation loads the
 * document, changes it and writes it back, inside its transaction.
 */
#include "apigw_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinystack/store.h"

static const char *const http_methods[] = {
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY", NULL,
};

static int in_list(const char *const *list, const char *s)
{
    for (; s && *list; list++)
        if (!strcmp(*list, s))
            return 1;
    return 0;
}

cJSON *apigw_rest_load(ts_call *c)
{
    return apigw_api_load(c, apigw_str(c->in, "restApiId"), APIGW_KIND_REST);
}

int apigw_rest_exists(ts_call *c)
{
    return apigw_api_exists(c, apigw_str(c->in, "restApiId"), APIGW_KIND_REST);
}

cJSON *apigw_public(const cJSON *o)
{
    cJSON *copy = cJSON_Duplicate(o, 1), *m = copy ? copy->child : NULL;

    while (m) {
        cJSON *next = m->next;
        if (m->string && m->string[0] == '_')
            cJSON_Delete(cJSON_DetachItemViaPointer(copy, m));
        m = next;
    }
    return copy;
}

/* Copies the members names of c->in that are set into o. */
static void copy_members(ts_call *c, cJSON *o, const char *const *names)
{
    for (; *names; names++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->in, *names);
        if (!v)
            continue;
        cJSON_DeleteItemFromObjectCaseSensitive(o, *names);
        cJSON_AddItemToObject(o, *names, cJSON_Duplicate(v, 1));
    }
}

int apigw_answer(ts_call *c, int status, cJSON *out)
{
    cJSON_Delete(c->out);
    c->out = out;
    c->resp->status = status;
    return 0;
}

int apigw_save_answer(ts_call *c, const cJSON *doc, int status, cJSON *out)
{
    if (apigw_api_save(c, apigw_str(c->in, "restApiId"), doc) != 0) {
        cJSON_Delete(out);
        return -1;
    }
    return apigw_answer(c, status, out);
}

int apigw_page(ts_call *c, cJSON *out, const char *member, cJSON *all)
{
    const char *pos = apigw_str(c->in, "position");
    const cJSON *lim = cJSON_GetObjectItemCaseSensitive(c->in, "limit");
    int limit = cJSON_IsNumber(lim) ? lim->valueint : 25, start = 0, n = cJSON_GetArraySize(all);
    cJSON *items = cJSON_AddArrayToObject(out, member);

    if (limit < 1 || limit > 500) {
        cJSON_Delete(all);
        cJSON_Delete(out);
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "1 validation error detected: Value at 'limit' failed to satisfy "
                             "constraint: Member must have value less than or equal to 500");
    }
    if (pos) {
        char *end;
        long v = strtol(pos, &end, 10);
        if (!*pos || *end || v < 0 || v > n) {
            cJSON_Delete(all);
            cJSON_Delete(out);
            return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                 "Invalid position parameter");
        }
        start = (int)v;
    }
    for (int i = start; i < n && i < start + limit; i++)
        cJSON_AddItemToArray(items, cJSON_Duplicate(cJSON_GetArrayItem(all, i), 1));
    if (start + limit < n) {
        char next[24];
        snprintf(next, sizeof next, "%d", start + limit);
        cJSON_AddStringToObject(out, "position", next);
    }
    cJSON_Delete(all);
    return apigw_answer(c, 200, out);
}

/* ---- REST APIs ---- */

static const char *const api_members[] = {
    "name", "description", "version", "binaryMediaTypes", "minimumCompressionSize",
    "apiKeySource", "endpointConfiguration", "policy", "tags", "disableExecuteApiEndpoint",
    NULL,
};

cJSON *apigw_rest_new(ts_call *c, const char *name)
{
    char id[11], root[11];
    cJSON *doc = cJSON_CreateObject(), *res, *r;

    apigw_new_id(id);
    apigw_new_id(root);
    cJSON_AddStringToObject(doc, "id", id);
    cJSON_AddStringToObject(doc, "name", name);
    cJSON_AddNumberToObject(doc, "createdDate", apigw_now());
    cJSON_AddStringToObject(doc, "apiKeySource", "HEADER");
    r = cJSON_AddObjectToObject(doc, "endpointConfiguration");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(r, "types"), cJSON_CreateString("EDGE"));
    cJSON_AddBoolToObject(doc, "disableExecuteApiEndpoint", 0);
    cJSON_AddStringToObject(doc, "rootResourceId", root);
    res = cJSON_AddObjectToObject(doc, "_resources");
    r = cJSON_AddObjectToObject(res, root);
    cJSON_AddStringToObject(r, "id", root);
    cJSON_AddStringToObject(r, "path", "/");
    apigw_models_default(doc);
    (void)c;
    return doc;
}

int apigw_create_rest_api(ts_call *c)
{
    const char *name = apigw_str(c->in, "name");
    const char *src = apigw_str(c->in, "apiKeySource");
    cJSON *doc;

    if (!name || !*name)
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "Invalid API name specified");
    if (src && strcmp(src, "HEADER") && strcmp(src, "AUTHORIZER"))
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "Invalid API key source specified");
    doc = apigw_rest_new(c, name);
    copy_members(c, doc, api_members);
    if (apigw_api_insert(c, apigw_str(doc, "id"), APIGW_KIND_REST, doc) != 0) {
        cJSON_Delete(doc);
        return -1;
    }
    apigw_answer(c, 201, apigw_public(doc));
    cJSON_Delete(doc);
    return 0;
}

int apigw_get_rest_apis(ts_call *c)
{
    sqlite3_stmt *st = store_stmt("SELECT doc FROM apigw_api WHERE account = ?1 AND region = ?2"
                                  " AND kind = 1 ORDER BY created, id");
    cJSON *all = cJSON_CreateArray();

    store_bind_text(st, 1, c->req->account);
    store_bind_text(st, 2, c->req->region);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *doc = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
        if (doc)
            cJSON_AddItemToArray(all, apigw_public(doc));
        cJSON_Delete(doc);
    }
    sqlite3_reset(st);
    return apigw_page(c, cJSON_CreateObject(), "item", all);
}

int apigw_get_rest_api(ts_call *c)
{
    cJSON *doc = apigw_rest_load(c);

    if (!doc)
        return -1;
    apigw_answer(c, 200, apigw_public(doc));
    cJSON_Delete(doc);
    return 0;
}

int apigw_delete_rest_api(ts_call *c)
{
    if (apigw_rest_exists(c) != 0)
        return -1;
    if (apigw_api_delete(c, apigw_str(c->in, "restApiId")) != 0)
        return -1;
    return apigw_answer(c, 202, NULL);
}

static const char *const api_patchable[] = {
    "/name", "/description", "/version", "/binaryMediaTypes", "/minimumCompressionSize",
    "/apiKeySource", "/policy", "/disableExecuteApiEndpoint", "/endpointConfiguration/types",
    NULL,
};

int apigw_update_rest_api(ts_call *c)
{
    cJSON *doc = apigw_rest_load(c);
    int rc;

    if (!doc)
        return -1;
    if (apigw_patch(c, doc, api_patchable) != 0) {
        cJSON_Delete(doc);
        return -1;
    }
    rc = apigw_save_answer(c, doc, 200, apigw_public(doc));
    cJSON_Delete(doc);
    return rc;
}

/* ---- resources ---- */

cJSON *apigw_resource(ts_call *c, cJSON *doc, const char *id)
{
    cJSON *r = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(doc, "_resources"), id ? id : "");

    if (!cJSON_IsObject(r)) {
        ts_resp_error(c->resp, TS_ERR_APIGW_NOT_FOUND, "Invalid Resource identifier specified");
        return NULL;
    }
    return r;
}

/* A resource as the API answers it: its methods in full with embed=methods,
 * else as empty objects, as GetResources does. */
static cJSON *resource_out(const cJSON *r, int embed)
{
    cJSON *o = cJSON_Duplicate(r, 1), *m;

    if (!embed && (m = cJSON_GetObjectItemCaseSensitive(o, "resourceMethods")))
        for (cJSON *e = m->child; e; e = e->next) {
            /* Summaries: each method as an empty object. */
            cJSON_Delete(e->child);
            e->child = NULL;
        }
    if ((m = cJSON_GetObjectItemCaseSensitive(o, "resourceMethods")) && !m->child)
        cJSON_DeleteItemFromObjectCaseSensitive(o, "resourceMethods");
    return o;
}

static int embeds_methods(ts_call *c)
{
    for (const ts_kv *q = c->req->query; q; q = q->next)
        if (!strcmp(q->name, "embed") && strstr(q->value, "methods"))
            return 1;
    return 0;
}

static int by_path(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;

    return strcmp(apigw_str(x, "path"), apigw_str(y, "path"));
}

int apigw_get_resources(ts_call *c)
{
    cJSON *doc = apigw_rest_load(c), *res, *all;
    int n = 0, i = 0, embed = embeds_methods(c);
    const cJSON **v;

    if (!doc)
        return -1;
    res = cJSON_GetObjectItemCaseSensitive(doc, "_resources");
    n = cJSON_GetArraySize(res);
    v = ts_arena_alloc(c->req->arena, sizeof(*v) * (size_t)(n + 1));
    for (cJSON *r = res ? res->child : NULL; r; r = r->next)
        v[i++] = r;
    qsort(v, (size_t)i, sizeof(*v), by_path);
    all = cJSON_CreateArray();
    for (int k = 0; k < i; k++)
        cJSON_AddItemToArray(all, resource_out(v[k], embed));
    cJSON_Delete(doc);
    return apigw_page(c, cJSON_CreateObject(), "item", all);
}

int apigw_get_resource(ts_call *c)
{
    cJSON *doc = apigw_rest_load(c), *r;

    if (!doc)
        return -1;
    if (!(r = apigw_resource(c, doc, apigw_str(c->in, "resourceId")))) {
        cJSON_Delete(doc);
        return -1;
    }
    apigw_answer(c, 200, resource_out(r, embeds_methods(c)));
    cJSON_Delete(doc);
    return 0;
}

/* 1 for "{name}" / "{name+}" (*greedy set), 0 for a literal, -1 when AWS
 * refuses the part. */
static int part_kind(const char *p, int *greedy)
{
    size_t n = strlen(p);

    *greedy = 0;
    if (n == 0)
        return -1;
    if (p[0] == '{') {
        size_t end = n - 1;
        if (n < 3 || p[end] != '}')
            return -1;
        if (p[end - 1] == '+') {
            *greedy = 1;
            end--;
        }
        if (end <= 1)
            return -1;
        for (size_t i = 1; i < end; i++)
            if (!isalnum((unsigned char)p[i]) && p[i] != '_' && p[i] != '-' && p[i] != '.')
                return -1;
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)p[i]) && !strchr("._:-@$&'()*,;=!~", p[i]))
            return -1;
    return 0;
}

/* Checks that part may go under parent in doc: 0, or -1 with AWS's error. */
static int resource_check(ts_call *c, cJSON *doc, cJSON *parent, const char *part,
                          const char *self)
{
    int greedy, kind = part_kind(part, &greedy), pg;
    const char *pid = apigw_str(parent, "id"), *ppart = apigw_str(parent, "pathPart");
    cJSON *res = cJSON_GetObjectItemCaseSensitive(doc, "_resources");

    if (kind < 0)
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "Resource's path part only allow a-zA-Z0-9._- and curly braces "
                             "at the beginning and the end and an optional plus sign before "
                             "the closing brace.");
    if (ppart && part_kind(ppart, &pg) == 1 && pg)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                              "Cannot create a child of a resource with a greedy path "
                              "variable: %s", ppart);
    for (cJSON *r = res ? res->child : NULL; r; r = r->next) {
        const char *rp = apigw_str(r, "parentId"), *part2 = apigw_str(r, "pathPart");
        int g2;
        if (!rp || strcmp(rp, pid) || (self && !strcmp(apigw_str(r, "id"), self)))
            continue;
        if (!strcmp(part2, part))
            return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_CONFLICT,
                                  "Another resource with the same parent already has this "
                                  "name: %s", part);
        if (kind == 1 && part_kind(part2, &g2) == 1)
            return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                  "A sibling (%s) of this resource already has a variable "
                                  "path part -- only one is allowed", part2);
    }
    return 0;
}

static void set_path(cJSON *r, const cJSON *parent)
{
    const char *pp = apigw_str(parent, "path"), *part = apigw_str(r, "pathPart");
    size_t n = strlen(pp) + strlen(part) + 2;
    char *path = ts_malloc(n);

    snprintf(path, n, "%s%s%s", pp, strcmp(pp, "/") ? "/" : "", part);
    apigw_set_str(r, "path", path);
    ts_free(path);
}

/* Recomputes the paths under resource id (after a move or rename). */
static void repath_children(cJSON *res, const cJSON *parent, int depth)
{
    const char *pid = apigw_str(parent, "id");

    if (depth > 64)
        return;
    for (cJSON *r = res->child; r; r = r->next) {
        const char *rp = apigw_str(r, "parentId");
        if (rp && !strcmp(rp, pid)) {
            set_path(r, parent);
            repath_children(res, r, depth + 1);
        }
    }
}

cJSON *apigw_resource_add(ts_call *c, cJSON *doc, cJSON *parent, const char *part)
{
    cJSON *res = cJSON_GetObjectItemCaseSensitive(doc, "_resources"), *r;
    char id[11];

    if (resource_check(c, doc, parent, part, NULL) != 0)
        return NULL;
    if (cJSON_GetArraySize(res) >= 300) {
        ts_resp_error(c->resp, TS_ERR_APIGW_LIMIT,
                      "Resource limit of 300 reached for this API");
        return NULL;
    }
    apigw_new_id(id);
    r = cJSON_AddObjectToObject(res, id);
    cJSON_AddStringToObject(r, "id", id);
    cJSON_AddStringToObject(r, "parentId", apigw_str(parent, "id"));
    cJSON_AddStringToObject(r, "pathPart", part);
    set_path(r, parent);
    return r;
}

int apigw_create_resource(ts_call *c)
{
    cJSON *doc = apigw_rest_load(c), *parent, *r;
    int rc;

    if (!doc)
        return -1;
    if (!(parent = apigw_resource(c, doc, apigw_str(c->in, "parentId"))) ||
        !(r = apigw_resource_add(c, doc, parent, apigw_str(c->in, "pathPart")))) {
        cJSON_Delete(doc);
        return -1;
    }
    rc = apigw_save_answer(c, doc, 201, resource_out(r, 0));
    cJSON_Delete(doc);
    return rc;
}

static void delete_subtree(cJSON *res, const char *id, int depth)
{
    char *copy = ts_strdup(id);

    if (depth <= 64)
        for (cJSON *r = res->child, *next; r; r = next) {
            const char *rp = apigw_str(r, "parentId");
            next = r->next;
            if (rp && !strcmp(rp, copy)) {
                delete_subtree(res, apigw_str(r, "id"), depth + 1);
                next = res->child; /* the walk's list changed */
            }
        }
    cJSON_DeleteItemFromObjectCaseSensitive(res, copy);
    ts_free(copy);
}

int apigw_delete_resource(ts_call *c)
{
    cJSON *doc = apigw_rest_load(c), *r;
    int rc;

    if (!doc)
        return -1;
    if (!(r = apigw_resource(c, doc, apigw_str(c->in, "resourceId")))) {
        cJSON_Delete(doc);
        return -1;
    }
    if (!apigw_str(r, "parentId")) {
        cJSON_Delete(doc);
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST, "Cannot delete root resource");
    }
    delete_subtree(cJSON_GetObjectItemCaseSensitive(doc, "_resources"), apigw_str(r, "id"), 0);
    rc = apigw_save_answer(c, doc, 202, NULL);
    cJSON_Delete(doc);
    return rc;
}

int apigw_update_resource(ts_call *c)
{
    static const char *const allowed[] = {"/pathPart", "/parentId", NULL};
    cJSON *doc = apigw_rest_load(c), *r, *parent, *res;
    int rc = -1;

    if (!doc)
        return -1;
    res = cJSON_GetObjectItemCaseSensitive(doc, "_resources");
    if (!(r = apigw_resource(c, doc, apigw_str(c->in, "resourceId"))))
        goto out;
    if (!apigw_str(r, "parentId")) {
        ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST, "Cannot modify root resource");
        goto out;
    }
    if (apigw_patch(c, r, allowed) != 0)
        goto out;
    if (!(parent = apigw_resource(c, doc, apigw_str(r, "parentId"))) ||
        resource_check(c, doc, parent, apigw_str(r, "pathPart") ? apigw_str(r, "pathPart") : "",
                       apigw_str(r, "id")) != 0)
        goto out;
    /* A resource may not move under itself. */
    for (cJSON *p = parent; p; p = cJSON_GetObjectItemCaseSensitive(res, apigw_str(p, "parentId") ? apigw_str(p, "parentId") : "")) {
        if (!strcmp(apigw_str(p, "id"), apigw_str(r, "id"))) {
            ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                          "Resources cannot be moved under themselves");
            goto out;
        }
        if (!apigw_str(p, "parentId"))
            break;
    }
    set_path(r, parent);
    repath_children(res, r, 0);
    rc = apigw_save_answer(c, doc, 200, resource_out(r, 0));
out:
    cJSON_Delete(doc);
    return rc;
}

/* ---- methods ---- */

cJSON *apigw_method(ts_call *c, cJSON *doc, cJSON **resource)
{
    cJSON *r = apigw_resource(c, doc, apigw_str(c->in, "resourceId")), *m;
    const char *hm = apigw_str(c->in, "httpMethod");

    if (resource)
        *resource = r;
    if (!r)
        return NULL;
    m = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "resourceMethods"),
                                         hm ? hm : "");
    if (!cJSON_IsObject(m)) {
        ts_resp_error(c->resp, TS_ERR_APIGW_NOT_FOUND, "Invalid Method identifier specified");
        return NULL;
    }
    return m;
}

int apigw_method_check(ts_call *c, cJSON *doc, const char *auth_type, const char *authorizer)
{
    static const char *const types[] = {"NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS", NULL};

    if (!in_list(types, auth_type))
        return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                              "Invalid authorization type specified. Valid options are "
                              "NONE,AWS_IAM,CUSTOM,COGNITO_USER_POOLS");
    if ((!strcmp(auth_type, "CUSTOM") || !strcmp(auth_type, "COGNITO_USER_POOLS")) &&
        !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(doc, "_authorizers"), authorizer ? authorizer : "")))
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST, "Invalid authorizer ID specified");
    return 0;
}

int apigw_put_method(ts_call *c)
{
    static const char *const members[] = {
        "authorizationType", "authorizerId", "apiKeyRequired", "operationName",
        "requestParameters", "requestModels", "requestValidatorId", "authorizationScopes", NULL,
    };
    const char *hm = apigw_str(c->in, "httpMethod");
    cJSON *doc = apigw_rest_load(c), *r, *ms, *m;
    int rc = -1;

    if (!doc)
        return -1;
    if (!(r = apigw_resource(c, doc, apigw_str(c->in, "resourceId"))))
        goto out;
    if (!in_list(http_methods, hm)) {
        ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                      "Invalid HttpMethod specified. Valid options are "
                      "GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY");
        goto out;
    }
    if (apigw_method_check(c, doc, apigw_str(c->in, "authorizationType"),
                           apigw_str(c->in, "authorizerId")) != 0 ||
        apigw_method_models_check(c, doc, c->in) != 0)
        goto out;
    ms = apigw_member(r, "resourceMethods");
    if (cJSON_GetObjectItemCaseSensitive(ms, hm)) {
        ts_resp_error(c->resp, TS_ERR_APIGW_CONFLICT, "Method already exists for this resource");
        goto out;
    }
    m = cJSON_AddObjectToObject(ms, hm);
    cJSON_AddStringToObject(m, "httpMethod", hm);
    cJSON_AddBoolToObject(m, "apiKeyRequired", 0);
    copy_members(c, m, members);
    rc = apigw_save_answer(c, doc, 201, cJSON_Duplicate(m, 1));
out:
    cJSON_Delete(doc);
    return rc;
}

int apigw_get_method(ts_call *c)
{
    cJSON *doc = apigw_rest_load(c), *m;

    if (!doc)
        return -1;
    if (!(m = apigw_method(c, doc, NULL))) {
        cJSON_Delete(doc);
        return -1;
    }
    apigw_answer(c, 200, cJSON_Duplicate(m, 1));
    cJSON_Delete(doc);
    return 0;
}

int apigw_delete_method(ts_call *c)
{
    cJSON *doc = apigw_rest_load(c), *r, *m;
    int rc;

    if (!doc)
        return -1;
    if (!(m = apigw_method(c, doc, &r))) {
        cJSON_Delete(doc);
        return -1;
    }
    cJSON_Delete(cJSON_DetachItemViaPointer(
        cJSON_GetObjectItemCaseSensitive(r, "resourceMethods"), m));
    rc = apigw_save_answer(c, doc, 204, NULL);
    cJSON_Delete(doc);
    return rc;
}

int apigw_update_method(ts_call *c)
{
    static const char *const allowed[] = {
        "/authorizationType", "/authorizerId", "/apiKeyRequired", "/operationName",
        "/requestValidatorId", "/requestParameters/*", "/requestModels/*",
        "/authorizationScopes", NULL,
    };
    cJSON *doc = apigw_rest_load(c), *m;
    int rc = -1;

    if (!doc)
        return -1;
    if (!(m = apigw_method(c, doc, NULL)) || apigw_patch(c, m, allowed) != 0)
        goto out;
    if (apigw_method_check(c, doc, apigw_str(m, "authorizationType")
                           ? apigw_str(m, "authorizationType") : "NONE",
                           apigw_str(m, "authorizerId")) != 0 ||
        apigw_method_models_check(c, doc, m) != 0)
        goto out;
    rc = apigw_save_answer(c, doc, 200, cJSON_Duplicate(m, 1));
out:
    cJSON_Delete(doc);
    return rc;
}

/* ---- integrations ---- */

int apigw_integration_check(ts_call *c, const cJSON *in)
{
    static const char *const types[] = {"HTTP", "AWS", "MOCK", "HTTP_PROXY", "AWS_PROXY", NULL};
    const char *type = apigw_str(in, "type"), *uri = apigw_str(in, "uri");
    const char *hm = apigw_str(in, "integrationHttpMethod");
    const char *pass = apigw_str(in, "passthroughBehavior");
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(in, "timeoutInMillis");

    if (!hm && in != c->in)
        hm = apigw_str(in, "httpMethod");   /* a stored Integration */
    if (!in_list(types, type))
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "Invalid integration type specified. Valid options are "
                             "HTTP,AWS,MOCK,HTTP_PROXY,AWS_PROXY");
    if (strcmp(type, "MOCK")) {
        if (!hm || !*hm)
            return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                 "Enumeration value for HttpMethod must be non-empty");
        if (!in_list(http_methods, hm))
            return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                 "Invalid HttpMethod specified. Valid options are "
                                 "GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY");
        if (!uri || !*uri)
            return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                 !strncmp(type, "HTTP", 4)
                                     ? "Invalid HTTP endpoint specified for URI"
                                     : "Invalid ARN specified in the request");
        if (!strncmp(type, "HTTP", 4) && !ts_starts_with(uri, "http://") &&
            !ts_starts_with(uri, "https://"))
            return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                 "Invalid HTTP endpoint specified for URI");
        if (!strncmp(type, "AWS", 3) && !ts_starts_with(uri, "arn:"))
            return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                 "Invalid ARN specified in the request");
        if (!strcmp(type, "AWS_PROXY") && !strstr(uri, ":lambda:path/"))
            return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                 "Integrations of type 'AWS_PROXY' currently only supports "
                                 "Lambda function and Firehose stream invocations.");
    }
    if (pass && strcmp(pass, "WHEN_NO_MATCH") && strcmp(pass, "WHEN_NO_TEMPLATES") &&
        strcmp(pass, "NEVER"))
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "Invalid passthrough behavior specified");
    if (t && (!cJSON_IsNumber(t) || t->valuedouble < 50 || t->valuedouble > 29000))
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "Timeout should be between 50 ms and 29000 ms");
    return 0;
}

cJSON *apigw_integration_new(const cJSON *in, const char *resource_id)
{
    static const char *const members[] = {
        "type", "uri", "connectionType", "connectionId", "credentials", "requestParameters",
        "requestTemplates", "passthroughBehavior", "cacheNamespace", "cacheKeyParameters",
        "contentHandling", "timeoutInMillis", "tlsConfig", NULL,
    };
    cJSON *ig = cJSON_CreateObject();
    const char *hm = apigw_str(in, "integrationHttpMethod");

    for (const char *const *n = members; *n; n++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, *n);
        if (v)
            cJSON_AddItemToObject(ig, *n, cJSON_Duplicate(v, 1));
    }
    if (hm && strcmp(apigw_str(ig, "type"), "MOCK"))
        cJSON_AddStringToObject(ig, "httpMethod", hm);
    if (!cJSON_GetObjectItemCaseSensitive(ig, "passthroughBehavior"))
        cJSON_AddStringToObject(ig, "passthroughBehavior", "WHEN_NO_MATCH");
    if (!cJSON_GetObjectItemCaseSensitive(ig, "timeoutInMillis"))
        cJSON_AddNumberToObject(ig, "timeoutInMillis", 29000);
    if (!cJSON_GetObjectItemCaseSensitive(ig, "cacheNamespace"))
        cJSON_AddStringToObject(ig, "cacheNamespace", resource_id);
    if (!cJSON_GetObjectItemCaseSensitive(ig, "cacheKeyParameters"))
        cJSON_AddArrayToObject(ig, "cacheKeyParameters");
    if (!cJSON_GetObjectItemCaseSensitive(ig, "connectionType") &&
        strcmp(apigw_str(ig, "type"), "MOCK"))
        cJSON_AddStringToObject(ig, "connectionType", "INTERNET");
    return ig;
}

int apigw_put_integration(ts_call *c)
{
    cJSON *doc = apigw_rest_load(c), *r, *m, *ig;
    int rc = -1;

    if (!doc)
        return -1;
    /* The body's "httpMethod" (integrationHttpMethod) shares its name
     * with the method's URI label, which the binding put in its place. */
    {
        cJSON *body = cJSON_ParseWithLength(c->req->body.data, c->req->body.len);
        const char *hm = apigw_str(body, "httpMethod");
        cJSON_DeleteItemFromObjectCaseSensitive(c->in, "integrationHttpMethod");
        if (hm)
            cJSON_AddStringToObject(c->in, "integrationHttpMethod", hm);
        cJSON_Delete(body);
    }
    if (!(m = apigw_method(c, doc, &r)) || apigw_integration_check(c, c->in) != 0)
        goto out;
    ig = apigw_integration_new(c->in, apigw_str(r, "id"));
    cJSON_DeleteItemFromObjectCaseSensitive(m, "methodIntegration");
    cJSON_AddItemToObject(m, "methodIntegration", ig);
    rc = apigw_save_answer(c, doc, 201, cJSON_Duplicate(ig, 1));
out:
    cJSON_Delete(doc);
    return rc;
}

static cJSON *integration_of(ts_call *c, cJSON *doc, cJSON **method)
{
    cJSON *m = apigw_method(c, doc, NULL), *ig;

    if (method)
        *method = m;
    if (!m)
        return NULL;
    ig = cJSON_GetObjectItemCaseSensitive(m, "methodIntegration");
    if (!cJSON_IsObject(ig)) {
        ts_resp_error(c->resp, TS_ERR_APIGW_NOT_FOUND, "No integration defined for method");
        return NULL;
    }
    return ig;
}

int apigw_get_integration(ts_call *c)
{
    cJSON *doc = apigw_rest_load(c), *ig;

    if (!doc)
        return -1;
    if (!(ig = integration_of(c, doc, NULL))) {
        cJSON_Delete(doc);
        return -1;
    }
    apigw_answer(c, 200, cJSON_Duplicate(ig, 1));
    cJSON_Delete(doc);
    return 0;
}

int apigw_delete_integration(ts_call *c)
{
    cJSON *doc = apigw_rest_load(c), *m, *ig;
    int rc;

    if (!doc)
        return -1;
    if (!(ig = integration_of(c, doc, &m))) {
        cJSON_Delete(doc);
        return -1;
    }
    cJSON_Delete(cJSON_DetachItemViaPointer(m, ig));
    rc = apigw_save_answer(c, doc, 204, NULL);
    cJSON_Delete(doc);
    return rc;
}

int apigw_update_integration(ts_call *c)
{
    static const char *const allowed[] = {
        "/uri", "/httpMethod", "/type", "/passthroughBehavior", "/timeoutInMillis",
        "/contentHandling", "/credentials", "/cacheNamespace", "/requestTemplates/*",
        "/requestParameters/*", "/connectionType", "/connectionId", "/cacheKeyParameters",
        NULL,
    };
    cJSON *doc = apigw_rest_load(c), *ig;
    int rc = -1;

    if (!doc)
        return -1;
    if (!(ig = integration_of(c, doc, NULL)) || apigw_patch(c, ig, allowed) != 0 ||
        apigw_integration_check(c, ig) != 0)
        goto out;
    rc = apigw_save_answer(c, doc, 200, cJSON_Duplicate(ig, 1));
out:
    cJSON_Delete(doc);
    return rc;
}

/* ---- method and integration responses ---- */

static int status_code_ok(ts_call *c, const char *code)
{
    if (!code || strlen(code) != 3 || code[0] < '1' || code[0] > '5' || !isdigit((unsigned char)code[1]) ||
        !isdigit((unsigned char)code[2]))
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST, "Invalid StatusCode specified");
    return 0;
}

/* The response statusCode of the map member of holder; NULL with
 * NotFoundException set. */
static cJSON *response_of(ts_call *c, cJSON *holder, const char *member)
{
    const char *code = apigw_str(c->in, "statusCode");
    cJSON *r = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(holder, member),
                                                code ? code : "");

    if (!cJSON_IsObject(r)) {
        ts_resp_error(c->resp, TS_ERR_APIGW_NOT_FOUND, "Invalid Response status code specified");
        return NULL;
    }
    return r;
}

/* Put, Get, Delete of a method response (integration 0) or an
 * integration response (1): op 'p', 'g' or 'd'. */
static int response_op(ts_call *c, int integration, int op)
{
    static const char *const method_members[] = {"responseParameters", "responseModels", NULL};
    static const char *const integ_members[] = {
        "selectionPattern", "responseParameters", "responseTemplates", "contentHandling", NULL,
    };
    const char *member = integration ? "integrationResponses" : "methodResponses";
    cJSON *doc = apigw_rest_load(c), *holder, *r;
    int rc = -1;

    if (!doc)
        return -1;
    holder = integration ? integration_of(c, doc, NULL) : apigw_method(c, doc, NULL);
    if (!holder)
        goto out;
    if (op == 'p') {
        const char *code = apigw_str(c->in, "statusCode");
        cJSON *map;
        if (status_code_ok(c, code) != 0)
            goto out;
        map = apigw_member(holder, member);
        cJSON_DeleteItemFromObjectCaseSensitive(map, code);
        r = cJSON_AddObjectToObject(map, code);
        cJSON_AddStringToObject(r, "statusCode", code);
        copy_members(c, r, integration ? integ_members : method_members);
        rc = apigw_save_answer(c, doc, 201, cJSON_Duplicate(r, 1));
        goto out;
    }
    if (!(r = response_of(c, holder, member)))
        goto out;
    if (op == 'g') {
        rc = apigw_answer(c, 200, cJSON_Duplicate(r, 1));
        goto out;
    }
    cJSON_Delete(cJSON_DetachItemViaPointer(cJSON_GetObjectItemCaseSensitive(holder, member), r));
    rc = apigw_save_answer(c, doc, 204, NULL);
out:
    cJSON_Delete(doc);
    return rc;
}

int apigw_put_method_response(ts_call *c) { return response_op(c, 0, 'p'); }
int apigw_get_method_response(ts_call *c) { return response_op(c, 0, 'g'); }
int apigw_delete_method_response(ts_call *c) { return response_op(c, 0, 'd'); }
int apigw_put_integration_response(ts_call *c) { return response_op(c, 1, 'p'); }
int apigw_get_integration_response(ts_call *c) { return response_op(c, 1, 'g'); }
int apigw_delete_integration_response(ts_call *c) { return response_op(c, 1, 'd'); }
