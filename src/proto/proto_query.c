/*
 * proto_query.c - the AWS query protocol (IAM, STS): Action and Version
 * as form arguments, in the URL or (usually) in an
 * application/x-www-form-urlencoded POST body.  The arguments become
 * c->in, an object of strings ("Tags.member.1.Key": "k"); the handler
 * writes its result's inner XML into resp->body and this file wraps it as
 * <ActionResponse><ActionResult>...</ActionResult><ResponseMetadata>
 * <RequestId/></ResponseMetadata></ActionResponse>.  Errors are
 * <ErrorResponse><Error><Type>Sender|Receiver</Type><Code/><Message/>
 * </Error><RequestId/></ErrorResponse>.
 */
#include "tinystack/service.h"
#include "tinystack/xml.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

static const ts_op unknown_op = {"Unknown", NULL, 0, NULL, NULL, NULL, NULL, 0};

static const ts_op *query_resolve(const ts_service *svc, ts_call *c)
{
    const char *action = ts_req_query(c->req, "Action");
    const ts_op *op;

    if (!action)
        return NULL; /* after the body */
    op = ts_service_op(svc, action);
    if (op)
        return op;
    ts_resp_errorf(c->req, c->resp, TS_ERR_INVALID_ACTION,
                   "Could not find operation %s for version %s", action,
                   svc->version ? svc->version : "");
    return &unknown_op;
}

static void form_add(ts_call *c, const char *s, size_t n)
{
    const char *eq = memchr(s, '=', n);
    size_t nlen = eq ? (size_t)(eq - s) : n;
    char *name = ts_url_decode(s, nlen, 1);
    char *value = eq ? ts_url_decode(eq + 1, n - nlen - 1, 1) : ts_strdup("");

    /* A name sent twice stays twice: every lookup finds the first one, so
     * the first wins, and a body of many names costs no more than its
     * length (a check for the name here would make it quadratic). */
    if (name && value && *name)
        cJSON_AddStringToObject(c->in, name, value);
    free(name);
    free(value);
}

static void form_parse(ts_call *c, const char *s, size_t n)
{
    while (n) {
        const char *amp = memchr(s, '&', n);
        size_t len = amp ? (size_t)(amp - s) : n;
        if (len)
            form_add(c, s, len);
        if (!amp)
            break;
        n -= len + 1;
        s = amp + 1;
    }
}

static int query_parse(ts_call *c)
{
    ts_req *req = c->req;

    c->in = cJSON_CreateObject();
    for (ts_kv *q = req->query; q; q = q->next)
        if (!cJSON_GetObjectItemCaseSensitive(c->in, q->name))
            cJSON_AddStringToObject(c->in, q->name, q->value);
    if (req->body.len)
        form_parse(c, req->body.data, req->body.len);
    return 0;
}

static const char *xmlns(ts_call *c)
{
    const ts_service *svc = c->req->service;

    return ts_arena_printf(c->req->arena, "https://%s.amazonaws.com/doc/%s/",
                           svc->signing_name, svc->version ? svc->version : "");
}

static void query_render(ts_call *c)
{
    ts_resp *resp = c->resp;
    const char *op = c->req->op->name;
    ts_buf b;

    ts_buf_init(&b);
    ts_buf_printf(&b, "<%sResponse xmlns=\"%s\"><%sResult>", op, xmlns(c), op);
    ts_buf_append(&b, resp->body.data ? resp->body.data : "", resp->body.len);
    ts_buf_printf(&b, "</%sResult><ResponseMetadata>", op);
    ts_xml_text(&b, "RequestId", c->req->request_id);
    ts_buf_printf(&b, "</ResponseMetadata></%sResponse>", op);
    ts_buf_free(&resp->body);
    resp->body = b;
    ts_resp_header(c->req, resp, "Content-Type", "text/xml");
}

static void query_render_error(ts_call *c)
{
    ts_resp *resp = c->resp;
    const char *msg = resp->err_message ? resp->err_message : ts_error_message(resp->err);
    ts_buf *b = &resp->body;

    ts_buf_printf(b, "<ErrorResponse xmlns=\"%s\"><Error>", xmlns(c));
    ts_xml_text(b, "Type", resp->status >= 500 ? "Receiver" : "Sender");
    ts_xml_text(b, "Code", resp->err_type ? resp->err_type : ts_error_code(resp->err));
    ts_xml_text(b, "Message", msg ? msg : "");
    ts_buf_puts(b, "</Error>");
    ts_xml_text(b, "RequestId", c->req->request_id);
    ts_buf_puts(b, "</ErrorResponse>");
    ts_resp_header(c->req, resp, "Content-Type", "text/xml");
}

static void query_ids(ts_call *c)
{
    ts_resp_header(c->req, c->resp, "x-amzn-RequestId", c->req->request_id);
}

const ts_protocol ts_proto_query = {
    "query", query_resolve, query_parse, query_render, query_render_error, query_ids,
    TS_MODEL_INPUT_FLAT,
};
