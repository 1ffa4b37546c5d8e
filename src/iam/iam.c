/*
 * iam.c - IAM (the query protocol, Version 2010-05-08).
 * Until its operations land, the descriptor claims the service's requests
 * so they get this protocol's own "unknown operation" error instead of
 * falling through to S3.
 */
#include "tinystack/service.h"

#include <stddef.h>

static const ts_op iam_ops[] = {
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, 0},
};

const ts_service iam_service = {
    .name = "iam",
    .signing_name = "iam",
    .target_prefix = NULL,
    .proto = &ts_proto_query,
    .version = "2010-05-08",
    .ops = iam_ops,
    .max_body = 1u << 20,
    .too_large = TS_ERR_REQUEST_TOO_LARGE,
};
