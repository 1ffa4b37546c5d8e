/*
 * logs.c - CloudWatch Logs (JSON 1.1, X-Amz-Target Logs_20140328.<Operation>).
 * Until its operations land, the descriptor claims the service's requests
 * so they get this protocol's own "unknown operation" error instead of
 * falling through to S3.
 */
#include "tinystack/service.h"

#include <stddef.h>

static const ts_op logs_ops[] = {
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, 0},
};

const ts_service logs_service = {
    .name = "logs",
    .signing_name = "logs",
    .target_prefix = "Logs_20140328.",
    .proto = &ts_proto_json11,
    .ops = logs_ops,
    .max_body = 1u << 20,
    .too_large = TS_ERR_REQUEST_TOO_LARGE,
};
