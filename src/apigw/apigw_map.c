/*
 * apigw_map.c - REST APIs' non-proxy integrations: MOCK and AWS (a
 * Lambda function invoked with what the request template makes of the
 * request).  The request template is picked by the request's
 * Content-Type and passthroughBehavior decides when there is none; the
 * integration response is picked by selectionPattern (matched against
 * the status code for MOCK, against the function's errorMessage for
 * Lambda; the response without a pattern is the default), and its
 * responseParameters and responseTemplates shape the answer.  Templates
 * run in apigw_vtl.c; a template it cannot run is a 500 whose reason,
 * naming the construct, goes to tinystack's log.  Also the parameter
 * mappings and error templates gateway responses use.
 */
#include "apigw_int.h"
#include "apigw_vtl.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinystack/lambda.h"

/* The context object templates see as $context. */
static cJSON *template_context(apigw_exec *x)
{
    return apigw_request_context(x);
}

/* Renders tmpl over body into out; 0, or -1 with a 500 answered and the
 * reason logged. */
static int render(apigw_exec *x, const char *tmpl, const char *body, size_t len, cJSON *context,
                  ts_buf *out, int *override_status, cJSON **override_headers)
{
    ts_req *req = x->c->req;
    cJSON *hdrs = apigw_headers_map(req, 0), *query = apigw_query_map(req, 0);
    apigw_vtl_ctx v;
    char err[256] = "";
    int rc;

    memset(&v, 0, sizeof v);
    v.body = body ? body : "";
    v.body_len = body ? len : 0;
    v.path = x->path_params;
    v.querystring = query;
    v.header = hdrs;
    v.context = context;
    v.stage_vars = cJSON_GetObjectItemCaseSensitive(x->stage_doc, "variables");
    rc = apigw_vtl_render(tmpl, strlen(tmpl), &v, out, err, sizeof err);
    cJSON_Delete(hdrs);
    cJSON_Delete(query);
    cJSON_Delete(v.override_request);
    if (rc != 0) {
        cJSON_Delete(v.override_headers);
        ts_log(TS_LOG_WARN, "apigateway %s: mapping template failed: %s", x->api_id, err);
        apigw_gateway_reply(x, "API_CONFIGURATION_ERROR", 500, NULL);
        return -1;
    }
    if (override_status)
        *override_status = v.override_status;
    if (override_headers)
        *override_headers = v.override_headers;
    else
        cJSON_Delete(v.override_headers);
    return 0;
}

/* ---- parameter mappings ---- */

const char *apigw_param_value(apigw_exec *x, const char *expr)
{
    ts_req *req = x->c->req;
    size_t n = strlen(expr);

    if (n >= 2 && expr[0] == '\'' && expr[n - 1] == '\'')
        return ts_arena_strndup(req->arena, expr + 1, n - 2);
    if (ts_starts_with(expr, "method.request.header."))
        return ts_req_header(req, expr + strlen("method.request.header."));
    if (ts_starts_with(expr, "method.request.querystring."))
        return ts_req_query(req, expr + strlen("method.request.querystring."));
    if (ts_starts_with(expr, "method.request.path."))
        return apigw_str(x->path_params, expr + strlen("method.request.path."));
    if (ts_starts_with(expr, "stageVariables."))
        return apigw_str(cJSON_GetObjectItemCaseSensitive(x->stage_doc, "variables"),
                         expr + strlen("stageVariables."));
    if (ts_starts_with(expr, "context.")) {
        cJSON *ctx = template_context(x), *v = ctx;
        const char *p = expr + strlen("context."), *out = NULL;
        char part[128];
        while (*p && v) {
            size_t len = strcspn(p, ".");
            snprintf(part, sizeof part, "%.*s", (int)len, p);
            v = cJSON_GetObjectItemCaseSensitive(v, part);
            p += len + (p[len] == '.');
        }
        if (cJSON_IsString(v))
            out = ts_arena_strdup(req->arena, v->valuestring);
        else if (cJSON_IsNumber(v))
            out = ts_arena_printf(req->arena, "%.17g", v->valuedouble);
        cJSON_Delete(ctx);
        return out;
    }
    if (ts_starts_with(expr, "integration.response.body") && x->int_body) {
        const char *path = expr + strlen("integration.response.body");
        cJSON *doc, *v;
        const char *out = NULL;
        if (!*path)
            return ts_arena_strndup(req->arena, x->int_body, x->int_body_len);
        if (*path != '.')
            return NULL;
        doc = cJSON_ParseWithLength(x->int_body, x->int_body_len);
        v = doc ? apigw_jsonpath(doc, ts_arena_printf(req->arena, "$%s", path)) : NULL;
        if (cJSON_IsString(v))
            out = ts_arena_strdup(req->arena, v->valuestring);
        else if (v) {
            char *t = cJSON_PrintUnformatted(v);
            out = ts_arena_strdup(req->arena, t);
            cJSON_free(t);
        }
        cJSON_Delete(v);
        cJSON_Delete(doc);
        return out;
    }
    return NULL;
}

void apigw_render_error_template(apigw_exec *x, const char *tmpl, const char *type,
                                 const char *message)
{
    cJSON *ctx = template_context(x), *err = cJSON_AddObjectToObject(ctx, "error"), *q;
    char *quoted;
    ts_buf out;

    cJSON_AddStringToObject(err, "message", message ? message : "");
    q = cJSON_CreateString(message ? message : "");
    quoted = cJSON_PrintUnformatted(q);
    cJSON_Delete(q);
    cJSON_AddStringToObject(err, "messageString", message ? quoted : "null");
    cJSON_free(quoted);
    cJSON_AddStringToObject(err, "responseType", type);
    cJSON_AddStringToObject(err, "validationErrorString", "");
    ts_buf_init(&out);
    {
        apigw_vtl_ctx v;
        char e[256];
        memset(&v, 0, sizeof v);
        v.body = "";
        v.context = ctx;
        v.path = x->path_params;
        v.stage_vars = cJSON_GetObjectItemCaseSensitive(x->stage_doc, "variables");
        if (apigw_vtl_render(tmpl, strlen(tmpl), &v, &out, e, sizeof e) == 0) {
            ts_buf_reset(&x->c->resp->body);
            ts_buf_append(&x->c->resp->body, out.data ? out.data : "", out.len);
        } else {
            ts_log(TS_LOG_WARN, "apigateway %s: gateway response template failed: %s",
                   x->api_id, e);
        }
        cJSON_Delete(v.override_headers);
        cJSON_Delete(v.override_request);
    }
    ts_buf_free(&out);
    cJSON_Delete(ctx);
}

/* ---- integration responses ---- */

/* 1 when pattern (a Java-style regex, matched whole) matches s. */
static int pattern_match(const char *pattern, const char *s)
{
    regex_t rx;
    char *anchored;
    int rc;
    size_t n = strlen(pattern) + 5;

    anchored = ts_malloc(n);
    snprintf(anchored, n, "^(%s)$", pattern);
    rc = regcomp(&rx, anchored, REG_EXTENDED | REG_NOSUB);
    ts_free(anchored);
    if (rc != 0)
        return 0;
    /* "." does not cross newlines in Java; POSIX lets it: near enough. */
    rc = regexec(&rx, s, 0, NULL, 0) == 0;
    regfree(&rx);
    return rc;
}

/* The integration response whose selectionPattern matches what, else the
 * default (no pattern); NULL when there is neither. */
static const cJSON *select_response(const cJSON *integration, const char *what)
{
    const cJSON *rs = cJSON_GetObjectItemCaseSensitive(integration, "integrationResponses"), *r;
    const cJSON *dflt = NULL;

    cJSON_ArrayForEach(r, rs) {
        const char *p = apigw_str(r, "selectionPattern");
        if (!p || !*p) {
            if (!dflt)
                dflt = r;
            continue;
        }
        if (what && pattern_match(p, what))
            return r;
    }
    return dflt;
}

/* The template of a map (requestTemplates, responseTemplates) for a
 * media type, or NULL. */
static const char *template_for(const cJSON *tmpls, const char *type)
{
    const cJSON *t;

    cJSON_ArrayForEach(t, tmpls)
        if (cJSON_IsString(t) && apigw_media_match(t->string, type))
            return t->valuestring;
    return NULL;
}

/* Answers from integration response ir over the integration's body. */
static void respond(apigw_exec *x, const cJSON *ir, const char *body, size_t len)
{
    ts_req *req = x->c->req;
    ts_resp *resp = x->c->resp;
    const cJSON *tmpls, *params, *p;
    const char *tmpl = NULL, *accept = ts_req_header(req, "Accept"), *type = "application/json";
    int status, override = 0;
    cJSON *override_headers = NULL, *ctx;
    ts_buf out;

    if (!ir) {
        ts_log(TS_LOG_INFO, "apigateway %s: Execution failed due to configuration error: No "
               "match for output mapping and no default output mapping configured", x->api_id);
        apigw_gateway_reply(x, "API_CONFIGURATION_ERROR", 500, NULL);
        return;
    }
    x->int_body = body;
    x->int_body_len = len;
    status = atoi(apigw_str(ir, "statusCode") ? apigw_str(ir, "statusCode") : "200");
    tmpls = cJSON_GetObjectItemCaseSensitive(ir, "responseTemplates");
    if (accept && strcmp(accept, "*/*"))
        for (const char *a = accept; *a && !tmpl;) {
            size_t n = strcspn(a, ","), skip = strspn(a, " ");
            char one[128];
            snprintf(one, sizeof one, "%.*s", (int)(n > skip ? n - skip : 0), a + skip);
            if ((tmpl = template_for(tmpls, one)))
                type = ts_arena_strdup(req->arena, one);
            a += n + (a[n] == ',');
        }
    if (!tmpl && (tmpl = template_for(tmpls, "application/json")))
        type = "application/json";
    if (!tmpl && tmpls && tmpls->child && cJSON_IsString(tmpls->child)) {
        tmpl = tmpls->child->valuestring;
        type = tmpls->child->string;
    }
    ts_buf_init(&out);
    if (tmpl && *tmpl) {
        ctx = template_context(x);
        if (render(x, tmpl, body, len, ctx, &out, &override, &override_headers) != 0) {
            cJSON_Delete(ctx);
            ts_buf_free(&out);
            return;
        }
        cJSON_Delete(ctx);
    } else {
        ts_buf_append(&out, body ? body : "", body ? len : 0);
    }
    resp->status = override >= 100 && override <= 599 ? override : status;
    ts_buf_reset(&resp->body);
    ts_buf_append(&resp->body, out.data ? out.data : "", out.len);
    ts_buf_free(&out);
    ts_resp_header(req, resp, "Content-Type", type);
    params = cJSON_GetObjectItemCaseSensitive(ir, "responseParameters");
    cJSON_ArrayForEach(p, params) {
        const char *v;
        if (!cJSON_IsString(p) || !ts_starts_with(p->string, "method.response.header."))
            continue;
        if ((v = apigw_param_value(x, p->valuestring)))
            ts_resp_header(req, resp, p->string + strlen("method.response.header."), v);
    }
    cJSON_ArrayForEach(p, override_headers)
        if (cJSON_IsString(p))
            ts_resp_header(req, resp, p->string, p->valuestring);
    cJSON_Delete(override_headers);
}

/* ---- running them ---- */

static void lambda_mapped_done(void *arg, const lambda_result *r)
{
    apigw_exec *x = arg;

    if (r->caller_timeout) {
        apigw_gateway_reply(x, "INTEGRATION_TIMEOUT", 504, NULL);
    } else if (r->status < 0) {
        apigw_gateway_reply(x, "DEFAULT_5XX", 500, NULL);
    } else if (r->status > 0) {
        /* A function error picks its response by errorMessage. */
        cJSON *e = cJSON_ParseWithLength(r->payload, r->len);
        const char *msg = apigw_str(e, "errorMessage");
        respond(x, select_response(x->integration, msg ? msg : ""), r->payload, r->len);
        cJSON_Delete(e);
    } else {
        respond(x, select_response(x->integration, NULL), r->payload, r->len);
    }
    apigw_done(x);
}

void apigw_map_http_answer(apigw_exec *x, int status, const char *body, size_t len)
{
    char code[16];

    snprintf(code, sizeof code, "%d", status);
    respond(x, select_response(x->integration, code), body, len);
}

void apigw_run_mapped(apigw_exec *x)
{
    ts_req *req = x->c->req;
    const char *type = apigw_str(x->integration, "type");
    const char *pass = apigw_str(x->integration, "passthroughBehavior");
    const char *ct = ts_req_header(req, "Content-Type"), *tmpl;
    const cJSON *tmpls = cJSON_GetObjectItemCaseSensitive(x->integration, "requestTemplates");
    ts_buf payload;

    if (strcmp(type, "MOCK") && strcmp(type, "AWS") && strcmp(type, "HTTP")) {
        ts_log(TS_LOG_WARN, "apigateway %s: %s integrations are not supported by tinystack yet",
               x->api_id, type);
        apigw_gateway_reply(x, "API_CONFIGURATION_ERROR", 500, NULL);
        apigw_done(x);
        return;
    }
    if (!strcmp(type, "AWS") && !strstr(apigw_str(x->integration, "uri")
                                            ? apigw_str(x->integration, "uri") : "",
                                        ":lambda:")) {
        ts_log(TS_LOG_WARN, "apigateway %s: AWS integrations with services other than Lambda "
               "are not supported by tinystack yet", x->api_id);
        apigw_gateway_reply(x, "API_CONFIGURATION_ERROR", 500, NULL);
        apigw_done(x);
        return;
    }
    tmpl = template_for(tmpls, ct ? ct : "application/json");
    if (!tmpl && ((pass && !strcmp(pass, "NEVER")) ||
                  (pass && !strcmp(pass, "WHEN_NO_TEMPLATES") && cJSON_GetArraySize(tmpls)))) {
        apigw_gateway_reply(x, "UNSUPPORTED_MEDIA_TYPE", 415, NULL);
        apigw_done(x);
        return;
    }
    ts_buf_init(&payload);
    if (tmpl) {
        cJSON *ctx = template_context(x);
        int rc = render(x, tmpl, req->body.data, req->body.len, ctx, &payload, NULL, NULL);
        cJSON_Delete(ctx);
        if (rc != 0) {
            ts_buf_free(&payload);
            apigw_done(x);
            return;
        }
    } else {
        ts_buf_append(&payload, req->body.data ? req->body.data : "", req->body.len);
    }
    if (!strcmp(type, "MOCK")) {
        /* The template's statusCode picks the integration response. */
        cJSON *o = cJSON_ParseWithLength(payload.data ? payload.data : "", payload.len);
        const cJSON *sc = cJSON_GetObjectItemCaseSensitive(o, "statusCode");
        char code[16] = "200";
        if (cJSON_IsNumber(sc))
            snprintf(code, sizeof code, "%d", sc->valueint);
        else if (cJSON_IsString(sc))
            snprintf(code, sizeof code, "%.15s", sc->valuestring);
        cJSON_Delete(o);
        respond(x, select_response(x->integration, code), "", 0);
        ts_buf_free(&payload);
        apigw_done(x);
        return;
    }
    if (!strcmp(type, "HTTP")) {
        apigw_run_http(x, 0, payload.data ? payload.data : "", payload.len);
        ts_buf_free(&payload);
        return;
    }
    if (!x->target && !(x->target = apigw_target(x, apigw_str(x->integration, "uri")))) {
        ts_buf_free(&payload);
        apigw_done(x);
        return;
    }
    if (!x->suspended) {
        x->suspended = 1;
        http_suspend(req);
    }
    if (!payload.len)
        ts_buf_puts(&payload, "{}");
    lambda_target_invoke(x->target, payload.data, payload.len,
                         apigw_integration_timeout(x->integration), lambda_mapped_done, x);
    ts_buf_free(&payload);
}
