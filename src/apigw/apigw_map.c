/*
 * apigw_map.c - non-proxy integrations and mapping templates.
 */
#include "apigw_int.h"
#include "apigw_vtl.h"

#include <string.h>

void apigw_run_mapped(apigw_exec *x)
{
    apigw_gateway_reply(x, "API_CONFIGURATION_ERROR", 500, NULL);
    apigw_done(x);
}

void apigw_render_error_template(apigw_exec *x, const char *tmpl, const char *type,
                                 const char *message)
{
    (void)x; (void)tmpl; (void)type; (void)message;
}

const char *apigw_param_value(apigw_exec *x, const char *expr)
{
    size_t n = strlen(expr);

    if (n >= 2 && expr[0] == '\'' && expr[n - 1] == '\'')
        return ts_arena_strndup(x->c->req->arena, expr + 1, n - 2);
    return NULL;
}
