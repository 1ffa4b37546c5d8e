/*
 * proto_rest_json.c - the REST-JSON protocol (Lambda, API Gateway): the
 * operation is the row whose method and URI template match the request,
 * literal segments before labels; {Name} takes one path segment and
 * {Name+} the rest of the path, both percent-decoded into c->labels.  The
 * body, when there is one, is a JSON object in c->in; a successful
 * c->out is printed with the status the handler chose.  Errors carry
 * their code in x-amzn-ErrorType and {"message": ...} in the body, which
 * is how botocore reads them.
 */
#include "tinystack/service.h"
#include "tinystack/model.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

/* Matches path against tmpl ("/2015-03-31/functions/{FunctionName}");
 * the query part of the template ("?versions") is ignored.  Returns the
 * number of literal characters matched (higher is more specific) or -1;
 * labels, when not NULL, receive the values. */
static int template_match(ts_call *c, const char *tmpl, const char *path, ts_kv **labels)
{
    const char *t = tmpl, *p = path;
    int score = 0;

    while (*t && *t != '?') {
        if (*t == '{') {
            const char *close = strchr(t, '}');
            size_t nlen;
            int greedy;
            const char *end;

            if (!close)
                return -1;
            greedy = close[-1] == '+';
            nlen = (size_t)(close - t - 1 - greedy);
            end = greedy ? p + strlen(p) : p + strcspn(p, "/");
            if (end == p)
                return -1;
            if (labels) {
                ts_kv *kv = ts_arena_zalloc(c->req->arena, sizeof(*kv));
                char *v = ts_url_decode(p, (size_t)(end - p), 0);
                kv->name = ts_arena_strndup(c->req->arena, t + 1, nlen);
                kv->value = ts_arena_strdup(c->req->arena, v ? v : "");
                free(v);
                kv->next = *labels;
                *labels = kv;
            }
            p = end;
            t = close + 1;
            continue;
        }
        if (*t != *p)
            return -1;
        t++;
        p++;
        score++;
    }
    /* A trailing slash on the request is tolerated, as the services do. */
    if (*p && !(p[0] == '/' && p[1] == '\0'))
        return -1;
    return score;
}

static const ts_op unknown_op = {"Unknown", NULL, 0, NULL, NULL, NULL, NULL, 0};

static const ts_op *rest_json_resolve(const ts_service *svc, ts_call *c)
{
    const ts_op *best = NULL;
    int best_score = -1, path_matched = 0;

    for (const ts_op *op = svc->ops; op && op->name; op++) {
        int s;
        if (!op->uri || (s = template_match(c, op->uri, c->req->path, NULL)) < 0)
            continue;
        path_matched = 1;
        if (strcmp(op->method, c->req->method) != 0)
            continue;
        if (s > best_score) {
            best = op;
            best_score = s;
        }
    }
    if (best) {
        template_match(c, best->uri, c->req->path, &c->labels);
        return best;
    }
    if (path_matched)
        ts_resp_error(c->resp, TS_ERR_METHOD_NOT_ALLOWED, NULL);
    else
        ts_resp_errorf(c->req, c->resp, TS_ERR_UNKNOWN_OPERATION_REST,
                       "The operation %s %s is not supported by tinystack's %s",
                       c->req->method, c->req->path, svc->name);
    return &unknown_op;
}

/* The model binder's view of the request: labels, query, headers. */
static const char *rest_json_lookup(void *arg, int location, const char *name)
{
    ts_call *c = arg;

    switch (location) {
    case TS_MODEL_BIND_URI:
        for (const ts_kv *kv = c->labels; kv; kv = kv->next)
            if (!strcmp(kv->name, name))
                return kv->value;
        return NULL;
    case TS_MODEL_BIND_QUERY:
        return ts_req_query(c->req, name);
    case TS_MODEL_BIND_HEADER:
        return ts_req_header(c->req, name);
    default:
        return NULL;
    }
}

/* c->in becomes the operation's whole input as the model shapes it: the
 * JSON body's members plus those bound to the URI, the query and headers.
 * An operation whose payload is the body itself (Invoke) reads req->body
 * and gets only the bound members in c->in. */
static int rest_json_parse(ts_call *c)
{
    ts_req *req = c->req;
    const ts_model_op *mop = req->op && req->op->name
        ? ts_model_op_find(req->service->name, req->op->name) : NULL;
    const char *payload = ts_model_payload(mop);

    c->out = cJSON_CreateObject();
    if (req->body.len && !payload) {
        c->in = cJSON_ParseWithLength(req->body.data, req->body.len);
        if (!c->in || !cJSON_IsObject(c->in)) {
            cJSON_Delete(c->in);
            c->in = NULL;
            return ts_resp_error(c->resp, req->service->bad_body ? req->service->bad_body
                                                                 : TS_ERR_SERIALIZATION,
                                 NULL);
        }
    }
    if (!c->in)
        c->in = cJSON_CreateObject();
    if (mop)
        ts_model_bind_rest(mop, c->in, rest_json_lookup, c);
    return 0;
}

static void rest_json_render(ts_call *c)
{
    ts_resp *resp = c->resp;
    char *text;

    if (resp->body.len || resp->reader || !c->out)
        return;
    text = cJSON_PrintUnformatted(c->out);
    ts_buf_puts(&resp->body, text);
    cJSON_free(text);
    ts_resp_header(c->req, resp, "Content-Type", "application/json");
}

static void rest_json_render_error(ts_call *c)
{
    ts_req *req = c->req;
    ts_resp *resp = c->resp;
    const char *code = resp->err_type ? resp->err_type : ts_error_code(resp->err);
    const char *msg = resp->err_message ? resp->err_message : ts_error_message(resp->err);
    cJSON *o = cJSON_CreateObject();
    char *text;

    cJSON_AddStringToObject(o, "Type", resp->status >= 500 ? "Server" : "User");
    cJSON_AddStringToObject(o, "message", msg ? msg : "");
    text = cJSON_PrintUnformatted(o);
    ts_buf_puts(&resp->body, text);
    cJSON_free(text);
    cJSON_Delete(o);
    ts_resp_header(req, resp, "x-amzn-ErrorType", code);
    ts_resp_header(req, resp, "Content-Type", "application/json");
}

static void rest_json_ids(ts_call *c)
{
    ts_resp_header(c->req, c->resp, "x-amzn-RequestId", c->req->request_id);
}

const ts_protocol ts_proto_rest_json = {
    "rest-json", rest_json_resolve, rest_json_parse, rest_json_render,
    rest_json_render_error, rest_json_ids, TS_MODEL_INPUT_SHAPED,
};
