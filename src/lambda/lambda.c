/*
 * lambda.c - the Lambda service (REST-JSON under /2015-03-31/functions ...).
 * Until its operations land, the descriptor claims the service's requests
 * so they get this protocol's own "unknown operation" error instead of
 * falling through to S3.
 */
#include "tinystack/service.h"

#include <stddef.h>

static const char *const lambda_paths[] = {
    "/2015-03-31/", "/2017-03-31/tags", "/2019-09-25/functions",
    "/2018-10-31/layers", "/2016-08-19/account-settings",
    "/2021-10-31/functions", NULL,
};

static const ts_op lambda_ops[] = {
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, 0},
};

const ts_service lambda_service = {
    .name = "lambda",
    .signing_name = "lambda",
    .target_prefix = NULL,
    .proto = &ts_proto_rest_json,
    .path_prefixes = lambda_paths,
    .ops = lambda_ops,
    .max_body = 1u << 20,
    .too_large = TS_ERR_REQUEST_TOO_LARGE,
};
