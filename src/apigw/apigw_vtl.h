/*
 * apigw_vtl.h - API Gateway's mapping templates (a subset of Velocity).
 * (Placeholder until the interpreter lands: templates are copied.)
 */
#ifndef TINYSTACK_APIGW_VTL_H
#define TINYSTACK_APIGW_VTL_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "tinystack/core.h"

typedef struct apigw_vtl_ctx {
    const char *body;
    size_t body_len;
    const cJSON *path, *querystring, *header;
    const cJSON *context;
    const cJSON *stage_vars;
    int override_status;
    cJSON *override_headers;
} apigw_vtl_ctx;

int apigw_vtl_render(const char *tmpl, size_t len, apigw_vtl_ctx *ctx, ts_buf *out, char *err,
                     size_t errlen);
cJSON *apigw_jsonpath(const cJSON *root, const char *path);

#endif
