/*
 * proto_json.c - the AWS JSON protocols, 1.0 (DynamoDB) and 1.1 (CloudWatch
 * Logs): POST / with X-Amz-Target: <prefix>.<Operation> and a JSON object
 * body.  The body parses into c->in (malformed JSON is a
 * SerializationException, as the services answer), a successful handler's
 * c->out is printed as the answer, and errors are {"__type":
 * "<namespace><Code>", "message": ...}.  JSON 1.0 signs every body with an
 * x-amz-crc32 header, which the DynamoDB SDKs check.
 *
 * JSON strings may hold U+0000 and C strings cannot: the parse reads the
 * escape \u0000 as the two bytes C0 80 (Java's "modified UTF-8" form of
 * it), which UTF-8 never contains, so every string keeps its length and
 * handlers need no lengths; the renderers write the pair back as \u0000.
 * A member whose value is null is dropped at parse, as AWS reads it as
 * absent.
 */
#include "tinystack/service.h"

#include <string.h>

#include <cjson/cJSON.h>
#include <zlib.h>

/* An operation the service does not have: named in the log as Unknown. */
static const ts_op unknown_op = {"Unknown", NULL, 0, NULL, NULL, NULL, NULL, 0};

static const ts_op *json_resolve(const ts_service *svc, ts_call *c)
{
    ts_req *req = c->req;
    const char *t = ts_req_header(req, "X-Amz-Target");
    size_t n = strlen(svc->target_prefix);
    const ts_op *op = NULL;

    if (!strcmp(req->method, "POST") && t && !strncmp(t, svc->target_prefix, n))
        op = ts_service_op(svc, t + n);
    if (op)
        return op;
    ts_resp_error(c->resp, TS_ERR_UNKNOWN_OPERATION, NULL);
    return &unknown_op;
}

#define NUL_LEAD '\xC0'
#define NUL_TRAIL '\x80'

/* A copy of the JSON text s with each \u0000 escape inside a string
 * replaced by the bytes C0 80 (never longer than s; *len is its length),
 * or NULL when s has none (ts_free the copy). */
static char *hold_nuls(const char *s, size_t n, size_t *len)
{
    char *out;
    size_t o = 0;
    int in_str = 0;

    if (!s || n < 6 || !memmem(s, n, "\\u0000", 6))
        return NULL;
    out = ts_malloc(n);
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];

        if (in_str && ch == '\\' && i + 1 < n) {
            if (i + 5 < n && s[i + 1] == 'u' && !memcmp(s + i + 2, "0000", 4)) {
                out[o++] = NUL_LEAD;
                out[o++] = NUL_TRAIL;
                i += 5;
            } else {
                out[o++] = ch;
                out[o++] = s[++i];
            }
            continue;
        }
        if (ch == '"')
            in_str = !in_str;
        out[o++] = ch;
    }
    *len = o;
    return out;
}

/* Appends JSON text to b with each C0 80 pair written as \u0000. */
static void put_json(ts_buf *b, const char *text)
{
    const char *p = text, *q;

    while ((q = strchr(p, NUL_LEAD)) != NULL) {
        ts_buf_append(b, p, (size_t)(q - p));
        if (q[1] == NUL_TRAIL) {
            ts_buf_puts(b, "\\u0000");
            p = q + 2;
        } else {
            ts_buf_putc(b, *q);
            p = q + 1;
        }
    }
    ts_buf_puts(b, p);
}

/* Removes every object member whose value is null, at any depth: the AWS
 * JSON protocols read such a member as one not sent (list elements stay).
 * cJSON limits nesting to 1000 levels, which bounds the recursion. */
static void drop_nulls(cJSON *v)
{
    cJSON *m, *next;

    for (m = v->child; m; m = next) {
        next = m->next;
        if (cJSON_IsNull(m) && cJSON_IsObject(v))
            cJSON_Delete(cJSON_DetachItemViaPointer(v, m));
        else if (m->child)
            drop_nulls(m);
    }
}

static int json_parse(ts_call *c)
{
    ts_req *req = c->req;
    size_t len = 0;
    char *held = hold_nuls(req->body.data, req->body.len, &len);

    c->in = held ? cJSON_ParseWithLength(held, len)
                 : cJSON_ParseWithLength(req->body.data, req->body.len);
    ts_free(held);
    if (!c->in && req->body.len == 0)
        c->in = cJSON_CreateObject();
    if (!cJSON_IsObject(c->in)) {
        cJSON_Delete(c->in);
        c->in = NULL;
        return ts_resp_error(c->resp, TS_ERR_SERIALIZATION,
                             req->body.len ? "Start of structure or map found where not expected."
                                           : NULL);
    }
    drop_nulls(c->in);
    c->out = cJSON_CreateObject();
    return 0;
}

static void crc_header(ts_call *c)
{
    ts_resp *resp = c->resp;
    uLong crc = crc32(0L, (const Bytef *)resp->body.data, (uInt)resp->body.len);

    ts_resp_headerf(c->req, resp, "x-amz-crc32", "%lu", (unsigned long)crc);
}

static void json_render(ts_call *c, const char *type)
{
    char *text;

    if (c->out) {
        text = cJSON_PrintUnformatted(c->out);
        put_json(&c->resp->body, text);
        cJSON_free(text);
    } else {
        ts_buf_puts(&c->resp->body, "{}");
    }
    ts_resp_header(c->req, c->resp, "Content-Type", type);
}

static void json_render_error(ts_call *c, const char *type)
{
    ts_req *req = c->req;
    ts_resp *resp = c->resp;
    const char *code = ts_error_code(resp->err);
    const char *msg = resp->err_message ? resp->err_message : ts_error_message(resp->err);
    const char *ns = req->service && req->service->error_prefix ? req->service->error_prefix : "";
    int flags = ts_error_flags(resp->err);
    cJSON *o = cJSON_CreateObject();
    char *text;

    if (*ns && (flags & TS_EF_CORAL_VALIDATE))
        ns = "com.amazon.coral.validate#";
    else if (*ns && (flags & TS_EF_CORAL_SERVICE))
        ns = "com.amazon.coral.service#";
    cJSON_AddStringToObject(o, "__type", ts_arena_printf(req->arena, "%s%s", ns,
                                                         resp->err_type ? resp->err_type : code));
    if (msg && *msg)
        cJSON_AddStringToObject(o, (flags & TS_EF_CAPITAL_MESSAGE) ? "Message" : "message", msg);
    text = cJSON_PrintUnformatted(o);
    if (resp->err_json && *resp->err_json) {
        /* Splice the extra members before the closing brace. */
        text[strlen(text) - 1] = '\0';
        put_json(&resp->body, text);
        ts_buf_putc(&resp->body, ',');
        put_json(&resp->body, resp->err_json);
        ts_buf_putc(&resp->body, '}');
    } else {
        put_json(&resp->body, text);
    }
    cJSON_free(text);
    cJSON_Delete(o);
    ts_resp_header(req, resp, "Content-Type", type);
}

static void json_ids(ts_call *c)
{
    ts_resp_header(c->req, c->resp, "x-amzn-RequestId", c->req->request_id);
}

static void json10_render(ts_call *c)
{
    json_render(c, "application/x-amz-json-1.0");
    crc_header(c);
}

static void json10_render_error(ts_call *c)
{
    json_render_error(c, "application/x-amz-json-1.0");
    crc_header(c);
}

static void json11_render(ts_call *c)
{
    json_render(c, "application/x-amz-json-1.1");
}

static void json11_render_error(ts_call *c)
{
    json_render_error(c, "application/x-amz-json-1.1");
}

const ts_protocol ts_proto_json10 = {
    "json-1.0", json_resolve, json_parse, json10_render, json10_render_error, json_ids,
    TS_MODEL_INPUT_SHAPED,
};

const ts_protocol ts_proto_json11 = {
    "json-1.1", json_resolve, json_parse, json11_render, json11_render_error, json_ids,
    TS_MODEL_INPUT_SHAPED,
};
