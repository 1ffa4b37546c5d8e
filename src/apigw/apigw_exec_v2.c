/*
 * apigw_exec_v2.c - the data plane of HTTP APIs.
 */
#include "apigw_int.h"

int apigw_execute_v2(apigw_exec *x)
{
    apigw_reply_json(x, 404, "NotFoundException", "message", "Not Found");
    apigw_done(x);
    return 0;
}
