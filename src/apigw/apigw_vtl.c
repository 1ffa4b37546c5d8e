/*
 * apigw_vtl.c - placeholder: copies the template.
 */
#include "apigw_vtl.h"

int apigw_vtl_render(const char *tmpl, size_t len, apigw_vtl_ctx *ctx, ts_buf *out, char *err,
                     size_t errlen)
{
    (void)ctx;
    (void)err;
    (void)errlen;
    ts_buf_append(out, tmpl, len);
    return 0;
}

cJSON *apigw_jsonpath(const cJSON *root, const char *path)
{
    (void)path;
    return cJSON_Duplicate(root, 1);
}
