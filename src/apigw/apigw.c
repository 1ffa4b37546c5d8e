/*
 * apigw.c - API Gateway: the control plane (REST-JSON under /restapis,
 * /apikeys, /usageplans, /domainnames and, for HTTP APIs, /v2/) and the
 * data plane, which the router gives it first, before any S3 rule:
 * /restapis/{id}/{stage}/_user_request_/{path}, /_aws/execute-api/{id}/
 * {stage}/{path}, and any Host that starts with "{id}.execute-api.".
 * Until its operations land, control-plane requests get REST-JSON's
 * unknown-operation error and data-plane requests API Gateway's 404.
 */
#include "tinystack/service.h"

#include <string.h>

static const char *const apigw_paths[] = {
    "/restapis", "/apikeys", "/usageplans", "/domainnames", "/v2/", NULL,
};

static int apigw_data_plane(ts_req *req)
{
    const char *p = req->path, *us;

    if (strstr(req->host, ".execute-api."))
        return 1;
    if (ts_starts_with(p, "/_aws/execute-api/"))
        return 1;
    if (!ts_starts_with(p, "/restapis/"))
        return 0;
    us = strstr(p, "/_user_request_");
    return us && (us[15] == '/' || us[15] == '\0');
}

static int apigw_execute(ts_call *c)
{
    return ts_resp_error(c->resp, TS_ERR_NOT_FOUND, "Not Found");
}

static const ts_op apigw_ops[] = {
    {"ExecuteApi", apigw_execute, TS_OP_READ, NULL, NULL, NULL, NULL, 0},
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, 0},
};

static const ts_op *apigw_resolve(ts_call *c)
{
    if (apigw_data_plane(c->req))
        return &apigw_ops[0];
    return ts_proto_rest_json.resolve(&apigw_service, c);
}

const ts_service apigw_service = {
    .name = "apigateway",
    .signing_name = "apigateway",
    .path_prefixes = apigw_paths,
    .claims = apigw_data_plane,
    .proto = &ts_proto_rest_json,
    .ops = apigw_ops,
    .resolve = apigw_resolve,
    .max_body = 10u << 20,
    .too_large = TS_ERR_REQUEST_TOO_LARGE,
};
