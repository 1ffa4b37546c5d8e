/*
 * apigw_v2.c - HTTP APIs (apigatewayv2, REST-JSON under /v2/): the
 * operation table of the control plane, the helpers its files share, and
 * what a stage serves, which the data plane (apigw_exec.c) reads through
 * apigw_v2_serving().
 *
 * An HTTP API is one row of apigw_api (kind 2) whose doc is GetApi's
 * answer plus "routes", "integrations" and "authorizers", objects keyed by
 * id whose values are GetRoute's, GetIntegration's and GetAuthorizer's
 * answers.  Stages are rows of apigw_stage (doc: GetStage's answer) and
 * deployments rows of apigw_deployment (doc: GetDeployment's answer,
 * snapshot: the API doc as it was deployed).  Every change to an API goes
 * through apigw_v2_commit, which redeploys its autoDeploy stages, as AWS
 * does.  WebSocket APIs are refused.
 */
#include "apigw_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tinystack/store.h"

#define API "/v2/apis/{apiId}"

static const ts_op apigw_v2_ops[] = {
    {"CreateApi", apigw_v2_create_api, TS_OP_WRITE, NULL, NULL, "POST", "/v2/apis", 0},
    {"GetApis", apigw_v2_get_apis, TS_OP_READ, NULL, NULL, "GET", "/v2/apis", 0},
    {"ImportApi", apigw_v2_import_api, TS_OP_WRITE, NULL, NULL, "PUT", "/v2/apis", 0},
    {"GetApi", apigw_v2_get_api, TS_OP_READ, NULL, NULL, "GET", API, 0},
    {"UpdateApi", apigw_v2_update_api, TS_OP_WRITE, NULL, NULL, "PATCH", API, 0},
    {"ReimportApi", apigw_v2_reimport_api, TS_OP_WRITE, NULL, NULL, "PUT", API, 0},
    {"DeleteApi", apigw_v2_delete_api, TS_OP_WRITE, NULL, NULL, "DELETE", API, 0},
    {"DeleteCorsConfiguration", apigw_v2_delete_cors, TS_OP_WRITE, NULL, NULL, "DELETE",
     API "/cors", 0},
    {"ExportApi", apigw_v2_export_api, TS_OP_READ, NULL, NULL, "GET",
     API "/exports/{specification}", 0},
    {"CreateRoute", apigw_v2_create_route, TS_OP_WRITE, NULL, NULL, "POST", API "/routes", 0},
    {"GetRoutes", apigw_v2_get_routes, TS_OP_READ, NULL, NULL, "GET", API "/routes", 0},
    {"GetRoute", apigw_v2_get_route, TS_OP_READ, NULL, NULL, "GET", API "/routes/{routeId}", 0},
    {"UpdateRoute", apigw_v2_update_route, TS_OP_WRITE, NULL, NULL, "PATCH",
     API "/routes/{routeId}", 0},
    {"DeleteRoute", apigw_v2_delete_route, TS_OP_WRITE, NULL, NULL, "DELETE",
     API "/routes/{routeId}", 0},
    {"CreateIntegration", apigw_v2_create_integration, TS_OP_WRITE, NULL, NULL, "POST",
     API "/integrations", 0},
    {"GetIntegrations", apigw_v2_get_integrations, TS_OP_READ, NULL, NULL, "GET",
     API "/integrations", 0},
    {"GetIntegration", apigw_v2_get_integration, TS_OP_READ, NULL, NULL, "GET",
     API "/integrations/{integrationId}", 0},
    {"UpdateIntegration", apigw_v2_update_integration, TS_OP_WRITE, NULL, NULL, "PATCH",
     API "/integrations/{integrationId}", 0},
    {"DeleteIntegration", apigw_v2_delete_integration, TS_OP_WRITE, NULL, NULL, "DELETE",
     API "/integrations/{integrationId}", 0},
    {"CreateAuthorizer", apigw_v2_create_authorizer, TS_OP_WRITE, NULL, NULL, "POST",
     API "/authorizers", 0},
    {"GetAuthorizers", apigw_v2_get_authorizers, TS_OP_READ, NULL, NULL, "GET",
     API "/authorizers", 0},
    {"GetAuthorizer", apigw_v2_get_authorizer, TS_OP_READ, NULL, NULL, "GET",
     API "/authorizers/{authorizerId}", 0},
    {"UpdateAuthorizer", apigw_v2_update_authorizer, TS_OP_WRITE, NULL, NULL, "PATCH",
     API "/authorizers/{authorizerId}", 0},
    {"DeleteAuthorizer", apigw_v2_delete_authorizer, TS_OP_WRITE, NULL, NULL, "DELETE",
     API "/authorizers/{authorizerId}", 0},
    {"CreateStage", apigw_v2_create_stage, TS_OP_WRITE, NULL, NULL, "POST", API "/stages", 0},
    {"GetStages", apigw_v2_get_stages, TS_OP_READ, NULL, NULL, "GET", API "/stages", 0},
    {"GetStage", apigw_v2_get_stage, TS_OP_READ, NULL, NULL, "GET", API "/stages/{stageName}",
     0},
    {"UpdateStage", apigw_v2_update_stage, TS_OP_WRITE, NULL, NULL, "PATCH",
     API "/stages/{stageName}", 0},
    {"DeleteStage", apigw_v2_delete_stage, TS_OP_WRITE, NULL, NULL, "DELETE",
     API "/stages/{stageName}", 0},
    {"CreateDeployment", apigw_v2_create_deployment, TS_OP_WRITE, NULL, NULL, "POST",
     API "/deployments", 0},
    {"GetDeployments", apigw_v2_get_deployments, TS_OP_READ, NULL, NULL, "GET",
     API "/deployments", 0},
    {"GetDeployment", apigw_v2_get_deployment, TS_OP_READ, NULL, NULL, "GET",
     API "/deployments/{deploymentId}", 0},
    {"UpdateDeployment", apigw_v2_update_deployment, TS_OP_WRITE, NULL, NULL, "PATCH",
     API "/deployments/{deploymentId}", 0},
    {"DeleteDeployment", apigw_v2_delete_deployment, TS_OP_WRITE, NULL, NULL, "DELETE",
     API "/deployments/{deploymentId}", 0},
    /* An ARN holds slashes; botocore escapes them, other clients may not. */
    {"TagResource", apigw_v2_tag_resource, TS_OP_WRITE, NULL, NULL, "POST",
     "/v2/tags/{resource-arn+}", 0},
    {"UntagResource", apigw_v2_untag_resource, TS_OP_WRITE, NULL, NULL, "DELETE",
     "/v2/tags/{resource-arn+}", 0},
    {"GetTags", apigw_v2_get_tags, TS_OP_READ, NULL, NULL, "GET", "/v2/tags/{resource-arn+}",
     0},
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, 0},
};

/* ---- shared helpers ---- */

void apigw_v2_id(char *out, int n)
{
    char id[11];

    apigw_new_id(id);
    n = n < 1 ? 1 : n > 10 ? 10 : n;
    memcpy(out, id, (size_t)n);
    out[n] = '\0';
}

void apigw_v2_date(char out[32])
{
    time_t t = (time_t)(ts_now_ms() / 1000);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

cJSON *apigw_v2_api(ts_call *c, const char **id)
{
    const char *api_id = apigw_str(c->in, "ApiId");

    if (id)
        *id = api_id;
    return apigw_api_load(c, api_id, APIGW_KIND_HTTP);
}

const char *apigw_v2_api_id(ts_call *c)
{
    const char *id = apigw_str(c->in, "ApiId");

    return apigw_api_exists(c, id, APIGW_KIND_HTTP) == 0 ? id : NULL;
}

int apigw_v2_commit(ts_call *c, const char *id, const cJSON *doc)
{
    if (apigw_api_save(c, id, doc) != 0)
        return -1;
    return apigw_v2_autodeploy(c, id, doc);
}

cJSON *apigw_v2_public(const cJSON *doc)
{
    cJSON *out = cJSON_Duplicate(doc, 1);

    cJSON_DeleteItemFromObjectCaseSensitive(out, "routes");
    cJSON_DeleteItemFromObjectCaseSensitive(out, "integrations");
    cJSON_DeleteItemFromObjectCaseSensitive(out, "authorizers");
    return out;
}

cJSON *apigw_v2_item(ts_call *c, cJSON *doc, const char *kind, const char *member,
                     const char *what)
{
    const char *id = apigw_str(c->in, member);
    cJSON *item = id ? cJSON_GetObjectItemCaseSensitive(apigw_member(doc, kind), id) : NULL;

    if (!item)
        ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_NOT_FOUND,
                       "Invalid %s identifier specified %s", what, id ? id : "");
    return item;
}

/* A count in a query argument: digits only, as the services read them. */
static int parse_count(const char *s, long *out)
{
    if (!s || !*s || strlen(s) > 9 || strspn(s, "0123456789") != strlen(s))
        return -1;
    *out = strtol(s, NULL, 10);
    return 0;
}

int apigw_v2_page_args(ts_call *c, long *max, long *offset)
{
    const char *m = apigw_str(c->in, "MaxResults");
    const char *t = apigw_str(c->in, "NextToken");

    *max = 500;
    *offset = 0;
    if (m && (parse_count(m, max) != 0 || *max < 1))
        return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                              "Invalid MaxResults value: %s. It must be a positive integer", m);
    if (t && parse_count(t, offset) != 0)
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST, "Invalid NextToken specified");
    if (*max > 500)
        *max = 500;
    return 0;
}

int apigw_v2_page(ts_call *c, cJSON *all)
{
    long max, offset, n = cJSON_GetArraySize(all), i = 0;
    cJSON *items, *it, *next;

    if (apigw_v2_page_args(c, &max, &offset) != 0) {
        cJSON_Delete(all);
        return -1;
    }
    if (offset > n) {
        cJSON_Delete(all);
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST, "Invalid NextToken specified");
    }
    items = cJSON_AddArrayToObject(c->out, "items");
    for (it = all->child; it; it = next, i++) {
        next = it->next;
        if (i >= offset && i < offset + max)
            cJSON_AddItemToArray(items, cJSON_DetachItemViaPointer(all, it));
    }
    if (offset + max < n) {
        char token[24];
        snprintf(token, sizeof token, "%ld", offset + max);
        cJSON_AddStringToObject(c->out, "nextToken", token);
    }
    cJSON_Delete(all);
    return 0;
}

void apigw_v2_copy(cJSON *dst, const cJSON *src, const char *const *names)
{
    for (int i = 0; names[i]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(src, names[i]);
        if (!v)
            continue;
        cJSON_DeleteItemFromObjectCaseSensitive(dst, names[i]);
        cJSON_AddItemToObject(dst, names[i], cJSON_Duplicate(v, 1));
    }
}

void apigw_v2_replace(cJSON *items, cJSON *old, cJSON *fresh)
{
    char key[64];

    snprintf(key, sizeof key, "%s", old->string ? old->string : "");
    cJSON_ReplaceItemInObjectCaseSensitive(items, key, fresh);
}

void apigw_v2_answer(ts_call *c, cJSON *item, int status)
{
    cJSON_Delete(c->out);
    c->out = item;
    c->resp->status = status;
}

void apigw_v2_no_content(ts_call *c)
{
    cJSON_Delete(c->out);
    c->out = NULL;
    c->resp->status = 204;
}

/* ---- route keys, URIs, CORS ---- */

static const char *const http_methods[] = {
    "ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", NULL,
};

/* Characters a literal path part may hold (RFC 3986 pchar, no escapes). */
static int path_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           (ch && strchr("-._~!$&'()*+,;=:@", ch));
}

/* Checks path ("/pets/{id}", "/{proxy+}") part by part: literal parts of
 * path characters, or a whole part "{name}" (a greedy "{name+}" only
 * last), no empty part, no name twice.  0 or -1. */
static int path_check(const char *path)
{
    char names[32][65];
    int nnames = 0;
    const char *p = path;

    if (*p != '/')
        return -1;
    if (!strcmp(p, "/"))
        return 0;
    while (*p == '/') {
        const char *seg = ++p, *end = seg + strcspn(seg, "/");
        size_t len = (size_t)(end - seg);
        if (len == 0)
            return -1;
        if (*seg == '{') {
            int greedy = len >= 3 && seg[len - 2] == '+';
            size_t nlen = len - 2 - (size_t)greedy;
            if (seg[len - 1] != '}' || nlen == 0 || nlen > 64 || (greedy && *end))
                return -1;
            for (size_t i = 1; i <= nlen; i++) {
                char ch = seg[i];
                if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.'))
                    return -1;
            }
            for (int i = 0; i < nnames; i++)
                if (strlen(names[i]) == nlen && !memcmp(names[i], seg + 1, nlen))
                    return -1;
            if (nnames == (int)TS_ARRAY_LEN(names))
                return -1;
            memcpy(names[nnames], seg + 1, nlen);
            names[nnames++][nlen] = '\0';
        } else {
            for (size_t i = 0; i < len; i++)
                if (!path_char(seg[i]))
                    return -1;
        }
        p = end;
    }
    return 0;
}

int apigw_v2_route_key_check(ts_call *c, const char *key)
{
    const char *sp;
    size_t mlen;
    int known = 0;

    if (!strcmp(key, "$default"))
        return 0;
    sp = strchr(key, ' ');
    if (!sp || sp == key)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                              "Invalid route key specified: '%.256s'. A route key of an HTTP "
                              "API is $default or an HTTP method and a resource path "
                              "separated by a space, such as 'GET /pets'", key);
    mlen = (size_t)(sp - key);
    for (int i = 0; http_methods[i]; i++)
        if (strlen(http_methods[i]) == mlen && !memcmp(http_methods[i], key, mlen))
            known = 1;
    if (!known)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                              "Invalid HTTP method specified in route key: '%.*s'. It must be "
                              "one of ANY, GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS",
                              (int)TS_MIN(mlen, 64), key);
    if (path_check(sp + 1) != 0)
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "One or more path parts appear to be invalid");
    return 0;
}

/* arn:<partition>:lambda:<region>:<12 digits>:function:<name>[:<qualifier>] */
static int is_lambda_arn(const char *s, size_t n)
{
    char buf[512], *f[9];
    int parts = 0;

    if (n >= sizeof buf)
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    for (char *p = buf; p && parts < 9;) {
        f[parts++] = p;
        if ((p = strchr(p, ':')))
            *p++ = '\0';
    }
    if (parts != 7 && parts != 8)
        return 0;
    return !strcmp(f[0], "arn") && *f[1] && !strcmp(f[2], "lambda") && *f[3] &&
           strlen(f[4]) == 12 && strspn(f[4], "0123456789") == 12 &&
           !strcmp(f[5], "function") && *f[6] && (parts == 7 || *f[7]);
}

int apigw_v2_is_lambda_uri(const char *uri)
{
    static const char path[] = "path/2015-03-31/functions/";
    static const char tail[] = "/invocations";
    const char *p = uri, *f[5], *fn;
    size_t n;

    if (!uri)
        return 0;
    if (is_lambda_arn(uri, strlen(uri)))
        return 1;
    /* arn:<partition>:apigateway:<region>:lambda:path/2015-03-31/functions/
     * <function ARN>/invocations */
    for (int i = 0; i < 5; i++) {
        f[i] = p;
        if (!(p = strchr(p, ':')))
            return 0;
        p++;
    }
    if (strncmp(f[0], "arn:", 4) || *f[1] == ':' || strncmp(f[2], "apigateway:", 11) ||
        *f[3] == ':' || strncmp(f[4], "lambda:", 7) || strncmp(p, path, sizeof path - 1))
        return 0;
    fn = p + sizeof path - 1;
    n = strlen(fn);
    if (n <= sizeof tail - 1 || strcmp(fn + n - (sizeof tail - 1), tail))
        return 0;
    return is_lambda_arn(fn, n - (sizeof tail - 1));
}

int apigw_v2_is_http_url(const char *uri)
{
    const char *host;

    if (!uri)
        return 0;
    if (!strncmp(uri, "http://", 7))
        host = uri + 7;
    else if (!strncmp(uri, "https://", 8))
        host = uri + 8;
    else
        return 0;
    return *host && *host != '/' && *host != ':' && !strpbrk(uri, " \t\r\n");
}

int apigw_v2_lengths(ts_call *c, const cJSON *in, const apigw_v2_len *rules)
{
    for (; rules->member; rules++) {
        const char *v = apigw_str(in, rules->member);
        long n = 0;
        if (!v)
            continue;
        for (const char *p = v; *p; p++)
            n += ((unsigned char)*p & 0xC0) != 0x80;
        if (n < rules->min || n > rules->max)
            return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                  "1 validation error detected: Value '%.256s' at '%s' failed "
                                  "to satisfy constraint: Member must have length between %d "
                                  "and %d", v, rules->member, rules->min, rules->max);
    }
    return 0;
}

int apigw_v2_tags_check(ts_call *c, const cJSON *tags, const cJSON *already)
{
    const cJSON *t;
    int n = cJSON_GetArraySize(already);

    cJSON_ArrayForEach(t, tags) {
        size_t klen = strlen(t->string);
        if (!cJSON_GetObjectItemCaseSensitive(already, t->string))
            n++;
        if (klen < 1 || klen > 128)
            return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                  "Tag key '%.128s' must be between 1 and 128 characters long",
                                  t->string);
        if (!strncmp(t->string, "aws:", 4))
            return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                 "Tag keys starting with 'aws:' are reserved for AWS use");
        if (!cJSON_IsString(t) || strlen(t->valuestring) > 256)
            return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                  "The value of tag '%.128s' must be a string of at most 256 "
                                  "characters", t->string);
    }
    if (n > 50)
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "A resource can have at most 50 tags");
    return 0;
}

int apigw_v2_cors_check(ts_call *c, const cJSON *cors)
{
    const cJSON *o;

    if (!cors)
        return 0;
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cors, "allowCredentials")))
        return 0;
    cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(cors, "allowOrigins"))
        if (cJSON_IsString(o) && !strcmp(o->valuestring, "*"))
            return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                 "allow-credentials is not supported if 'allow-origin' is *");
    return 0;
}

/* ---- what a stage serves (the data plane) ---- */

/*
 * The API by id alone, whatever the account or region (a URL names it so),
 * then the stage.  An autoDeploy stage serves the API as it is now;
 * another one the snapshot of its deployment, and nothing (no routes) when
 * it has none yet.  The answer's "api" is GetApi's shape of what is
 * served, "routes" an array in the order the routes were made.
 */
cJSON *apigw_v2_serving(const char *api_id, const char *stage, int *why)
{
    sqlite3_stmt *st;
    cJSON *live, *sdoc, *served = NULL, *out, *routes, *r;
    const char *dep;

    st = store_stmt("SELECT doc FROM apigw_api WHERE id = ?1 AND kind = 2");
    store_bind_text(st, 1, api_id ? api_id : "");
    if (!(live = apigw_row_doc(st))) {
        *why = 1;
        return NULL;
    }
    st = store_stmt("SELECT doc FROM apigw_stage WHERE api_id = ?1 AND name = ?2");
    store_bind_text(st, 1, api_id);
    store_bind_text(st, 2, stage ? stage : "");
    if (!(sdoc = apigw_row_doc(st))) {
        cJSON_Delete(live);
        *why = 2;
        return NULL;
    }
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sdoc, "autoDeploy"))) {
        served = live;
        live = NULL;
    } else if ((dep = apigw_str(sdoc, "deploymentId"))) {
        st = store_stmt("SELECT snapshot FROM apigw_deployment WHERE api_id = ?1 AND id = ?2");
        store_bind_text(st, 1, api_id);
        store_bind_text(st, 2, dep);
        served = apigw_row_doc(st);
    }
    out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, "api", apigw_v2_public(served ? served : live));
    cJSON_AddItemToObject(out, "stage", sdoc);
    routes = cJSON_AddArrayToObject(out, "routes");
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(served, "routes"))
        cJSON_AddItemToArray(routes, cJSON_Duplicate(r, 1));
    r = cJSON_GetObjectItemCaseSensitive(served, "integrations");
    cJSON_AddItemToObject(out, "integrations",
                          cJSON_IsObject(r) ? cJSON_Duplicate(r, 1) : cJSON_CreateObject());
    r = cJSON_GetObjectItemCaseSensitive(served, "authorizers");
    cJSON_AddItemToObject(out, "authorizers",
                          cJSON_IsObject(r) ? cJSON_Duplicate(r, 1) : cJSON_CreateObject());
    cJSON_Delete(served);
    cJSON_Delete(live);
    *why = 0;
    return out;
}

/* /v2/ is HTTP APIs' own, but S3 may have a bucket named v2: claim it
 * only when the signature is API Gateway's, or when there is none. */
static int apigw_v2_claims(ts_req *req)
{
    if (!ts_starts_with(req->path, "/v2/"))
        return 0;
    return !req->scope_service || !strcmp(req->scope_service, "apigateway");
}

const ts_service apigw_v2_service = {
    .name = "apigatewayv2",
    .signing_name = "apigateway",
    .claims = apigw_v2_claims,
    .proto = &ts_proto_rest_json,
    .ops = apigw_v2_ops,
    .model_error = TS_ERR_APIGW_BAD_REQUEST,
    .max_body = 10u << 20,
    .too_large = TS_ERR_REQUEST_TOO_LARGE,
    .bad_body = TS_ERR_APIGW_BAD_REQUEST,
};
