/*
 * proto_rest_xml.c - S3's REST-XML protocol.  The operation comes from the
 * method, the path (bucket, key) and the sub-resource query arguments,
 * which only S3 knows, so resolution is the service's own; handlers write
 * their XML or stream their bodies themselves.  This file writes errors as
 * <Error><Code/><Message/>...<RequestId/><HostId/></Error> and the two
 * request-id headers S3 sends.
 */
#include "tinystack/service.h"
#include "tinystack/xml.h"

#include <string.h>

/* REST-XML services resolve their operations themselves (svc->resolve);
 * this is reached only by one that does not. */
static const ts_op *rest_xml_resolve(const ts_service *svc, ts_call *c)
{
    ts_resp_error(c->resp, TS_ERR_NOT_IMPLEMENTED, NULL);
    return NULL;
}

static int rest_xml_parse(ts_call *c)
{
    return 0;
}

static void rest_xml_render(ts_call *c)
{
}

static void rest_xml_render_error(ts_call *c)
{
    ts_req *req = c->req;
    ts_resp *resp = c->resp;
    const char *msg = resp->err_message ? resp->err_message : ts_error_message(resp->err);

    if (resp->status == 304 || !strcmp(req->method, "HEAD"))
        return;
    ts_buf_puts(&resp->body, TS_XML_DECL "<Error>");
    ts_xml_text(&resp->body, "Code", ts_error_code(resp->err));
    ts_xml_text(&resp->body, "Message", msg);
    for (ts_kv *f = resp->err_fields; f; f = f->next)
        ts_xml_text(&resp->body, f->name, f->value);
    ts_xml_text(&resp->body, "RequestId", req->request_id);
    ts_xml_text(&resp->body, "HostId", req->host_id);
    ts_buf_puts(&resp->body, "</Error>");
    ts_resp_header(req, resp, "Content-Type", "application/xml");
}

static void rest_xml_ids(ts_call *c)
{
    ts_resp_header(c->req, c->resp, "x-amz-request-id", c->req->request_id);
    ts_resp_header(c->req, c->resp, "x-amz-id-2", c->req->host_id);
}

const ts_protocol ts_proto_rest_xml = {
    "rest-xml", rest_xml_resolve, rest_xml_parse, rest_xml_render,
    rest_xml_render_error, rest_xml_ids, TS_MODEL_INPUT_NONE,
};
