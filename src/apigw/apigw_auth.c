/*
 * apigw_auth.c - Lambda authorizers, as API Gateway runs them.  A TOKEN
 * authorizer gets the identity header (checked first against its
 * identityValidationExpression); a REQUEST authorizer the request's
 * headers, query, path and stage variables.  Its answer is an IAM policy
 * evaluated against the methodArn (a Deny wins, then an Allow; no match
 * denies), its context reaches the integration as
 * requestContext.authorizer, and it is cached for the authorizer's TTL
 * keyed on the identity values.  HTTP APIs' REQUEST authorizers may
 * answer the simple {"isAuthorized": ..., "context": ...} instead.
 */
#include "apigw_int.h"

#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinystack/lambda.h"

/* ---- the answer cache ---- */

#define AUTH_CACHE_SLOTS 256

static struct auth_entry {
    char *key;
    char *answer;       /* the authorizer's reply, as it sent it */
    int64_t expires;
} auth_cache[AUTH_CACHE_SLOTS];
static pthread_mutex_t auth_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned key_hash(const char *s)
{
    unsigned h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* A copy of the cached answer for key (ts_free it), or NULL. */
static char *cache_get(const char *key)
{
    struct auth_entry *e = &auth_cache[key_hash(key) % AUTH_CACHE_SLOTS];
    char *answer = NULL;

    pthread_mutex_lock(&auth_lock);
    if (e->key && !strcmp(e->key, key) && e->expires > ts_now_ms())
        answer = ts_strdup(e->answer);
    pthread_mutex_unlock(&auth_lock);
    return answer;
}

static void cache_put(const char *key, const char *answer, size_t len, int ttl)
{
    struct auth_entry *e = &auth_cache[key_hash(key) % AUTH_CACHE_SLOTS];

    if (ttl <= 0)
        return;
    pthread_mutex_lock(&auth_lock);
    ts_free(e->key);
    ts_free(e->answer);
    e->key = ts_strdup(key);
    e->answer = ts_strndup(answer, len);
    e->expires = ts_now_ms() + (int64_t)ttl * 1000;
    pthread_mutex_unlock(&auth_lock);
}

void apigw_auth_reset(void)
{
    pthread_mutex_lock(&auth_lock);
    for (int i = 0; i < AUTH_CACHE_SLOTS; i++) {
        ts_free(auth_cache[i].key);
        ts_free(auth_cache[i].answer);
        auth_cache[i].key = auth_cache[i].answer = NULL;
    }
    pthread_mutex_unlock(&auth_lock);
}

/* ---- policies ---- */

static int list_matches(const cJSON *v, const char *s)
{
    const cJSON *e;

    if (cJSON_IsString(v))
        return ts_glob_match(v->valuestring, s);
    cJSON_ArrayForEach(e, v)
        if (cJSON_IsString(e) && ts_glob_match(e->valuestring, s))
            return 1;
    return 0;
}

int apigw_policy_allows(const cJSON *policy, const char *method_arn)
{
    const cJSON *stmts = cJSON_GetObjectItemCaseSensitive(policy, "Statement"), *s;
    int allow = 0;

    if (cJSON_IsObject(stmts)) {
        /* A single statement may stand without its list. */
        const char *eff = apigw_str(stmts, "Effect");
        int hit = list_matches(cJSON_GetObjectItemCaseSensitive(stmts, "Resource"), method_arn) &&
                  (list_matches(cJSON_GetObjectItemCaseSensitive(stmts, "Action"),
                                "execute-api:Invoke"));
        if (!hit || !eff)
            return 0;
        return !strcmp(eff, "Allow") ? 1 : !strcmp(eff, "Deny") ? -1 : 0;
    }
    cJSON_ArrayForEach(s, stmts) {
        const char *eff = apigw_str(s, "Effect");
        if (!list_matches(cJSON_GetObjectItemCaseSensitive(s, "Resource"), method_arn) ||
            !list_matches(cJSON_GetObjectItemCaseSensitive(s, "Action"), "execute-api:Invoke"))
            continue;
        if (eff && !strcmp(eff, "Deny"))
            return -1;
        if (eff && !strcmp(eff, "Allow"))
            allow = 1;
    }
    return allow;
}

/* requestContext.authorizer from an answer: its context (values as
 * strings, numbers and booleans), its principalId. */
static cJSON *authorizer_context(const cJSON *answer, int simple)
{
    const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(answer, "context"), *v;
    const char *principal = apigw_str(answer, "principalId");
    cJSON *out = cJSON_CreateObject(), *lambda = out;

    if (simple)
        lambda = cJSON_AddObjectToObject(out, "lambda");
    cJSON_ArrayForEach(v, ctx)
        if (cJSON_IsString(v) || cJSON_IsNumber(v) || cJSON_IsBool(v))
            cJSON_AddItemToObject(lambda, v->string, cJSON_Duplicate(v, 1));
    if (principal)
        cJSON_AddStringToObject(out, simple ? "principalId" : "principalId", principal);
    if (!simple)
        cJSON_AddNumberToObject(out, "integrationLatency", 0);
    return out;
}

const char *apigw_method_arn(apigw_exec *x)
{
    const char *p = x->path_decoded[0] == '/' ? x->path_decoded + 1 : x->path_decoded;

    return ts_arena_printf(x->c->req->arena, "arn:aws:execute-api:%s:%s:%s/%s/%s/%s", x->region,
                           x->account, x->api_id, x->stage ? x->stage : "$default",
                           x->c->req->method, p);
}

/* Decides on an authorizer's answer: 0 allowed (x->authorizer set), or
 * answered (401, 403, 500) and 1. */
static int decide(apigw_exec *x, const char *answer, size_t len, int simple_ok)
{
    cJSON *o = cJSON_ParseWithLength(answer, len);
    const cJSON *policy, *ok;
    int rc = 1;

    if (!cJSON_IsObject(o)) {
        apigw_gateway_reply(x, "AUTHORIZER_CONFIGURATION_ERROR", 500, NULL);
        goto out;
    }
    ok = cJSON_GetObjectItemCaseSensitive(o, "isAuthorized");
    if (simple_ok && cJSON_IsBool(ok)) {
        if (!cJSON_IsTrue(ok)) {
            apigw_gateway_reply(x, "ACCESS_DENIED", 403, "Forbidden");
            goto out;
        }
        x->authorizer = authorizer_context(o, 1);
        rc = 0;
        goto out;
    }
    policy = cJSON_GetObjectItemCaseSensitive(o, "policyDocument");
    if (!cJSON_IsObject(policy) ||
        (x->kind == APIGW_KIND_REST && !apigw_str(o, "principalId"))) {
        apigw_gateway_reply(x, "AUTHORIZER_CONFIGURATION_ERROR", 500, NULL);
        goto out;
    }
    switch (apigw_policy_allows(policy, apigw_method_arn(x))) {
    case 1:
        break;
    case 0:
        apigw_gateway_reply(x, "ACCESS_DENIED", 403, x->kind == APIGW_KIND_HTTP ? "Forbidden"
                            : "User is not authorized to access this resource");
        goto out;
    default:
        apigw_gateway_reply(x, "ACCESS_DENIED", 403, x->kind == APIGW_KIND_HTTP ? "Forbidden"
                            : NULL);
        goto out;
    }
    x->authorizer = authorizer_context(o, x->kind == APIGW_KIND_HTTP);
    rc = 0;
out:
    cJSON_Delete(o);
    return rc;
}

/* ---- identity sources ---- */

/* The value of one identity source ("method.request.header.X",
 * "method.request.querystring.X", "stageVariables.X", "context.X", and
 * HTTP APIs' "$request.header.X", "$request.querystring.X"), or NULL. */
static const char *identity_value(apigw_exec *x, const char *src)
{
    ts_req *req = x->c->req;
    const cJSON *vars = cJSON_GetObjectItemCaseSensitive(
        x->stage_doc, x->kind == APIGW_KIND_HTTP ? "stageVariables" : "variables");

    while (*src == ' ')
        src++;
    if (ts_starts_with(src, "method.request.header."))
        return ts_req_header(req, src + strlen("method.request.header."));
    if (ts_starts_with(src, "$request.header."))
        return ts_req_header(req, src + strlen("$request.header."));
    if (ts_starts_with(src, "method.request.querystring."))
        return ts_req_query(req, src + strlen("method.request.querystring."));
    if (ts_starts_with(src, "$request.querystring."))
        return ts_req_query(req, src + strlen("$request.querystring."));
    if (ts_starts_with(src, "stageVariables."))
        return apigw_str(vars, src + strlen("stageVariables."));
    if (ts_starts_with(src, "$stageVariables."))
        return apigw_str(vars, src + strlen("$stageVariables."));
    if (ts_starts_with(src, "context."))
        return ts_starts_with(src + 8, "requestId") ? req->request_id : NULL;
    return NULL;
}

/* The cache key of the identity sources (sources: comma-separated for a
 * REST API, a list for an HTTP API), or NULL when one is missing. */
static const char *identity_key(apigw_exec *x, const char *auth_id, const cJSON *sources)
{
    ts_buf b;
    const char *key = NULL;
    char one[512];

    ts_buf_init(&b);
    ts_buf_printf(&b, "%s/%s", x->api_id, auth_id);
    if (cJSON_IsString(sources)) {
        const char *s = sources->valuestring;
        while (*s) {
            size_t n = strcspn(s, ",");
            const char *v;
            snprintf(one, sizeof one, "%.*s", (int)n, s);
            if (!(v = identity_value(x, one)) || !*v)
                goto out;
            ts_buf_printf(&b, "\n%s", v);
            s += n;
            if (*s == ',')
                s++;
        }
    } else {
        const cJSON *e;
        cJSON_ArrayForEach(e, sources) {
            const char *v = cJSON_IsString(e) ? identity_value(x, e->valuestring) : NULL;
            if (!v || !*v)
                goto out;
            ts_buf_printf(&b, "\n%s", v);
        }
    }
    key = ts_arena_strdup(x->c->req->arena, b.data);
out:
    ts_buf_free(&b);
    return key;
}

/* ---- running it ---- */

typedef struct auth_run {
    apigw_exec *x;
    char *key;
    int ttl;
    int simple_ok;
    void (*next)(apigw_exec *x);
} auth_run;

static void auth_done(void *arg, const lambda_result *r)
{
    auth_run *run = arg;
    apigw_exec *x = run->x;
    int denied = 1;

    if (r->status == 0) {
        denied = decide(x, r->payload, r->len, run->simple_ok);
        if (!denied || x->c->resp->status == 403)
            cache_put(run->key, r->payload, r->len, run->ttl);
    } else {
        cJSON *e = cJSON_ParseWithLength(r->payload, r->len);
        const char *msg = apigw_str(e, "errorMessage");
        if (msg && !strcmp(msg, "Unauthorized"))
            apigw_gateway_reply(x, "UNAUTHORIZED", 401, NULL);
        else
            apigw_gateway_reply(x, "AUTHORIZER_CONFIGURATION_ERROR", 500, NULL);
        cJSON_Delete(e);
    }
    ts_free(run->key);
    if (!denied)
        run->next(x);
    else
        apigw_done(x);
    ts_free(run);
}

int apigw_run_authorizer(apigw_exec *x, const cJSON *auth, char *event, const char *key,
                         int simple_ok, void (*next)(apigw_exec *x))
{
    const cJSON *ttl = cJSON_GetObjectItemCaseSensitive(auth, "authorizerResultTtlInSeconds");
    int ttl_s = cJSON_IsNumber(ttl) ? ttl->valueint : 300;
    char *cached = ttl_s > 0 ? cache_get(key) : NULL;
    auth_run *run;

    if (cached) {
        int denied = decide(x, cached, strlen(cached), simple_ok);
        ts_free(cached);
        cJSON_free(event);
        if (denied)
            apigw_done(x);
        return denied;
    }
    if (!(x->auth_target = apigw_target(x, apigw_str(auth, "authorizerUri")))) {
        cJSON_free(event);
        apigw_done(x);
        return 1;
    }
    run = ts_malloc(sizeof *run);
    run->x = x;
    run->key = ts_strdup(key);
    run->ttl = ttl_s;
    run->simple_ok = simple_ok;
    run->next = next;
    if (!x->suspended) {
        x->suspended = 1;
        http_suspend(x->c->req);
    }
    lambda_target_invoke(x->auth_target, event, strlen(event), 10000, auth_done, run);
    cJSON_free(event);
    return 1;
}

/* The function a Lambda integration names, looked up now, while the
 * request still holds its read snapshot (the authorizer answers on the
 * runtime thread, which has none).  0, or 1 with a 500 answered. */
int apigw_prepare_target(apigw_exec *x, const char *type, const char *uri)
{
    if (type && (!strcmp(type, "AWS_PROXY") || !strcmp(type, "AWS")) && uri &&
        strstr(uri, ":lambda:") && !x->target &&
        !(x->target = apigw_target(x, uri))) {
        apigw_done(x);
        return 1;
    }
    return 0;
}

/* A REQUEST authorizer's event: the 1.0 proxy event (without the body)
 * with its type and methodArn. */
static cJSON *request_event(apigw_exec *x)
{
    cJSON *ev = apigw_event_v1_object(x);

    cJSON_DeleteItemFromObjectCaseSensitive(ev, "body");
    cJSON_DeleteItemFromObjectCaseSensitive(ev, "isBase64Encoded");
    cJSON_AddStringToObject(ev, "type", "REQUEST");
    cJSON_AddStringToObject(ev, "methodArn", apigw_method_arn(x));
    return ev;
}

int apigw_authorize(apigw_exec *x)
{
    const char *type = apigw_str(x->method, "authorizationType");
    const char *auth_id = apigw_str(x->method, "authorizerId");
    const cJSON *auth, *src;
    const char *kind, *key;
    cJSON *ev;
    char *text;

    if (!type || strcmp(type, "CUSTOM"))
        return 0;   /* NONE; AWS_IAM and Cognito are stored, not enforced */
    auth = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(x->api,
                                                                             "_authorizers"),
                                            auth_id ? auth_id : "");
    kind = apigw_str(auth, "type");
    if (!kind || (strcmp(kind, "TOKEN") && strcmp(kind, "REQUEST"))) {
        apigw_gateway_reply(x, "AUTHORIZER_CONFIGURATION_ERROR", 500, NULL);
        apigw_done(x);
        return 1;
    }
    src = cJSON_GetObjectItemCaseSensitive(auth, "identitySource");
    if (!(key = identity_key(x, auth_id, src))) {
        apigw_gateway_reply(x, "UNAUTHORIZED", 401, NULL);
        apigw_done(x);
        return 1;
    }
    if (apigw_prepare_target(x, apigw_str(x->integration, "type"),
                             apigw_str(x->integration, "uri")))
        return 1;
    if (!strcmp(kind, "TOKEN")) {
        const char *token = identity_value(x, cJSON_IsString(src) ? src->valuestring : "");
        const char *re = apigw_str(auth, "identityValidationExpression");
        if (re && *re) {
            regex_t rx;
            char *anchored = ts_arena_printf(x->c->req->arena, "^(%s)$", re);
            int bad = regcomp(&rx, anchored, REG_EXTENDED | REG_NOSUB) != 0;
            int miss = bad || regexec(&rx, token, 0, NULL, 0) != 0;
            if (!bad)
                regfree(&rx);
            if (miss) {
                apigw_gateway_reply(x, "UNAUTHORIZED", 401, NULL);
                apigw_done(x);
                return 1;
            }
        }
        ev = cJSON_CreateObject();
        cJSON_AddStringToObject(ev, "type", "TOKEN");
        cJSON_AddStringToObject(ev, "methodArn", apigw_method_arn(x));
        cJSON_AddStringToObject(ev, "authorizationToken", token);
    } else {
        ev = request_event(x);
    }
    text = cJSON_PrintUnformatted(ev);
    cJSON_Delete(ev);
    return apigw_run_authorizer(x, auth, text, key, 0, apigw_rest_integrate);
}
