/*
 * apigw_patch.c - the patchOperations of API Gateway's Update* calls: a
 * list of {op, path, value} where path is a JSON-pointer-like path into
 * the resource ("/name", "/variables/color", "/binaryMediaTypes/image~1png",
 * "/requestParameters/method.request.header.X").  Values arrive as
 * strings; a member that holds a boolean or a number keeps its type.
 */
#include "apigw_int.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SEGMENTS 8

/* Members that are booleans or numbers when a patch creates them. */
static const char *const bool_members[] = {
    "apiKeyRequired", "tracingEnabled", "cacheClusterEnabled", "disableExecuteApiEndpoint",
    "enabled", "validateRequestBody", "validateRequestParameters", "autoDeploy", NULL,
};
static const char *const number_members[] = {
    "timeoutInMillis", "minimumCompressionSize", "authorizerResultTtlInSeconds", NULL,
};

static int listed(const char *const *l, const char *s)
{
    for (; *l; l++)
        if (!strcmp(*l, s))
            return 1;
    return 0;
}

/* Splits path into decoded segments (~1 is '/', ~0 is '~'), arena copies;
 * the count, or -1 when it is not a path. */
static int split(ts_arena *a, const char *path, char **seg)
{
    int n = 0;

    if (!path || path[0] != '/' || !path[1])
        return -1;
    for (const char *p = path + 1;;) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char *s = ts_arena_alloc(a, len + 1), *w = s;
        if (n == MAX_SEGMENTS)
            return -1;
        for (size_t i = 0; i < len; i++) {
            if (p[i] == '~' && i + 1 < len && (p[i + 1] == '1' || p[i + 1] == '0')) {
                *w++ = p[i + 1] == '1' ? '/' : '~';
                i++;
            } else {
                *w++ = p[i];
            }
        }
        *w = '\0';
        seg[n++] = s;
        if (!end)
            break;
        p = end + 1;
    }
    return n;
}

/* 1 when path may be patched: an entry of allowed names it, or is a
 * prefix of it ending in "/ *" (any key under it), or names the list the
 * path's last segment is an element of. */
static int allowed_path(const char *const *allowed, const char *path)
{
    for (; *allowed; allowed++) {
        size_t n = strlen(*allowed);
        if (!strcmp(*allowed, path))
            return 1;
        if (n >= 2 && !strcmp(*allowed + n - 2, "/*") && !strncmp(*allowed, path, n - 1) &&
            path[n - 1])
            return 1;
        if (!strncmp(*allowed, path, n) && path[n] == '/' && !strchr(path + n + 1, '/'))
            return 1;
    }
    return 0;
}

static cJSON *typed(const cJSON *target, const char *key, const cJSON *old, const char *v,
                    int in_method_params)
{
    if ((old && cJSON_IsBool(old)) || listed(bool_members, key) || in_method_params)
        return cJSON_CreateBool(v && !strcmp(v, "true"));
    if ((old && cJSON_IsNumber(old)) || listed(number_members, key))
        return cJSON_CreateNumber(v ? strtod(v, NULL) : 0);
    (void)target;
    return cJSON_CreateString(v ? v : "");
}

static int apply(ts_call *c, cJSON *target, const char *op, const char *path, const cJSON *value)
{
    const char *v = cJSON_IsString(value) ? value->valuestring : NULL;
    char *seg[MAX_SEGMENTS];
    int n = split(c->req->arena, path, seg), method_params;
    cJSON *node = target, *old;

    if (n < 0)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                              "Invalid patch path '%s'", path ? path : "");
    /* A Method's requestParameters map to booleans, an Integration's to
     * strings. */
    method_params = n == 2 && !strcmp(seg[0], "requestParameters") &&
                    cJSON_GetObjectItemCaseSensitive(target, "authorizationType");
    for (int i = 0; i < n - 1; i++) {
        cJSON *next = cJSON_GetObjectItemCaseSensitive(node, seg[i]);
        if (cJSON_IsArray(next) && i == n - 2) {
            /* "/binaryMediaTypes/image~1png": an element of a list. */
            const char *elem = seg[n - 1];
            cJSON *e = NULL;
            cJSON_ArrayForEach(e, next)
                if (cJSON_IsString(e) && !strcmp(e->valuestring, elem))
                    break;
            if (!strcmp(op, "add")) {
                if (!e)
                    cJSON_AddItemToArray(next, cJSON_CreateString(elem));
            } else if (!strcmp(op, "remove")) {
                if (e)
                    cJSON_Delete(cJSON_DetachItemViaPointer(next, e));
            } else if (e) {
                cJSON_ReplaceItemViaPointer(next, e, cJSON_CreateString(v ? v : ""));
            } else {
                return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                      "Invalid patch path '%s'", path);
            }
            return 0;
        }
        if (!cJSON_IsObject(next)) {
            if (!strcmp(op, "remove"))
                return 0;
            if (!strcmp(seg[i], "binaryMediaTypes") && i == n - 2) {
                cJSON_DeleteItemFromObjectCaseSensitive(node, seg[i]);
                next = cJSON_AddArrayToObject(node, seg[i]);
                cJSON_AddItemToArray(next, cJSON_CreateString(seg[n - 1]));
                return 0;
            }
            cJSON_DeleteItemFromObjectCaseSensitive(node, seg[i]);
            next = cJSON_AddObjectToObject(node, seg[i]);
        }
        node = next;
    }
    old = cJSON_GetObjectItemCaseSensitive(node, seg[n - 1]);
    if (!strcmp(op, "remove")) {
        cJSON_DeleteItemFromObjectCaseSensitive(node, seg[n - 1]);
        return 0;
    }
    if (cJSON_IsArray(old) && v) {
        /* "replace /endpointConfiguration/types" with one value. */
        cJSON *a = cJSON_CreateArray();
        cJSON_AddItemToArray(a, cJSON_CreateString(v));
        cJSON_ReplaceItemInObjectCaseSensitive(node, seg[n - 1], a);
        return 0;
    }
    if (old)
        cJSON_ReplaceItemInObjectCaseSensitive(node, seg[n - 1],
                                               typed(target, seg[n - 1], old, v, method_params));
    else
        cJSON_AddItemToObject(node, seg[n - 1], typed(target, seg[n - 1], NULL, v, method_params));
    return 0;
}

int apigw_patch(ts_call *c, cJSON *target, const char *const *allowed)
{
    const cJSON *ops = cJSON_GetObjectItemCaseSensitive(c->in, "patchOperations"), *o;

    cJSON_ArrayForEach(o, ops) {
        const char *op = apigw_str(o, "op"), *path = apigw_str(o, "path");
        if (!op || (strcmp(op, "add") && strcmp(op, "remove") && strcmp(op, "replace")))
            return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                  "Invalid patch operation specified. Must be one of: "
                                  "[add, remove, replace]");
        if (!path || !allowed_path(allowed, path))
            return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                  "Invalid patch path '%s' specified for op '%s'. Please "
                                  "choose supported operations", path ? path : "", op);
        if (apply(c, target, op, path, cJSON_GetObjectItemCaseSensitive(o, "value")) != 0)
            return -1;
    }
    return 0;
}
