/*
 * sts.c - STS (the query protocol, Version 2011-06-15).  Every caller is
 * the account's root: tinystack accepts any credentials and checks no
 * signature, so GetCallerIdentity answers with the configured account,
 * as LocalStack does.  The operations that hand out credentials come
 * with the IAM work of the Lambda issue; until then they get the query
 * protocol's InvalidAction.
 */
#include "tinystack/service.h"
#include "tinystack/xml.h"

#include <stddef.h>

/* GetCallerIdentity: the account, its root ARN, and the access key the
 * request was signed with as the user id (the account id when unsigned). */
static int sts_get_caller_identity(ts_call *c)
{
    ts_req *req = c->req;
    ts_buf *b = &c->resp->body;

    ts_xml_text(b, "UserId", req->access_key && *req->access_key ? req->access_key
                                                                 : req->account);
    ts_xml_text(b, "Account", req->account);
    ts_buf_printf(b, "<Arn>arn:aws:iam::%s:root</Arn>", req->account);
    return 0;
}

static const ts_op sts_ops[] = {
    {"GetCallerIdentity", sts_get_caller_identity, 0, NULL, NULL, NULL, NULL, 0},
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, 0},
};

const ts_service sts_service = {
    .name = "sts",
    .signing_name = "sts",
    .target_prefix = NULL,
    .proto = &ts_proto_query,
    .version = "2011-06-15",
    .ops = sts_ops,
    .max_body = 1u << 20,
    .too_large = TS_ERR_REQUEST_TOO_LARGE,
    .available = 1,
};
