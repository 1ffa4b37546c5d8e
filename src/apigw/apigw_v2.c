/*
 * apigw_v2.c - HTTP APIs (apigatewayv2, REST-JSON under /v2/): the
 * control plane.  The data plane (apigw_exec.c) reads what a stage serves
 * through apigw_v2_serving().
 */
#include "apigw_int.h"

#include <string.h>

#include "tinystack/store.h"

static const ts_op apigw_v2_ops[] = {
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, 0},
};

cJSON *apigw_v2_serving(const char *api_id, const char *stage, int *why)
{
    (void)api_id;
    (void)stage;
    *why = 1;
    return NULL;
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
    .max_body = 10u << 20,
    .too_large = TS_ERR_REQUEST_TOO_LARGE,
    .bad_body = TS_ERR_APIGW_BAD_REQUEST,
    .model_error = TS_ERR_APIGW_BAD_REQUEST,
};
