/*
 * apigw_v2_integration.c - an HTTP API's integrations: where its routes
 * send requests.  HTTP APIs take only proxy integrations: AWS_PROXY to a
 * Lambda function (its ARN, or API Gateway's invocation ARN of it, with a
 * payload format version 1.0 or 2.0, which AWS requires) and HTTP_PROXY to
 * a URL (payload format 1.0).  Defaults are AWS's: connectionType
 * INTERNET, timeoutInMillis 30000, integrationMethod POST for Lambda.
 */
#include "apigw_int.h"

#include <string.h>

/* What an HTTP API's integration keeps of its input; the WebSocket-only
 * members (templates, passthrough, content handling) are left out. */
static const char *const integration_members[] = {
    "connectionId", "connectionType", "credentialsArn", "description", "integrationMethod",
    "integrationSubtype", "integrationType", "integrationUri", "payloadFormatVersion",
    "requestParameters", "responseParameters", "timeoutInMillis", "tlsConfig", NULL,
};

static const char *const methods[] = {
    "ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", NULL,
};

static int is_method(const char *m)
{
    for (int i = 0; methods[i]; i++)
        if (!strcmp(m, methods[i]))
            return 1;
    return 0;
}

static int lambda_check(ts_call *c, cJSON *o)
{
    const char *uri = apigw_str(o, "integrationUri");
    const char *pfv = apigw_str(o, "payloadFormatVersion");

    if (apigw_str(o, "integrationSubtype")) {
        /* a first-class AWS service integration (SQS-SendMessage ...) */
        if (pfv && strcmp(pfv, "1.0"))
            return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                 "Invalid payload format version specified. AWS service "
                                 "integrations support only 1.0");
        if (!pfv)
            cJSON_AddStringToObject(o, "payloadFormatVersion", "1.0");
        return 0;
    }
    if (!apigw_v2_is_lambda_uri(uri))
        return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                              "Invalid integration URI specified: '%.512s'. An AWS_PROXY "
                              "integration of an HTTP API takes a Lambda function ARN or its "
                              "invocation ARN", uri ? uri : "");
    if (!pfv)
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "A payload format version is required for AWS_PROXY integrations "
                             "of HTTP APIs. Supported values are 1.0 and 2.0");
    if (strcmp(pfv, "1.0") && strcmp(pfv, "2.0"))
        return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                              "Invalid payload format version specified: '%.64s'. Supported "
                              "values are 1.0 and 2.0", pfv);
    if (!apigw_str(o, "integrationMethod"))
        cJSON_AddStringToObject(o, "integrationMethod", "POST");
    return 0;
}

static int http_check(ts_call *c, cJSON *o, int vpc)
{
    const char *uri = apigw_str(o, "integrationUri");
    const char *pfv = apigw_str(o, "payloadFormatVersion");

    if (vpc ? !uri || strncmp(uri, "arn:", 4) : !apigw_v2_is_http_url(uri))
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "Invalid HTTP endpoint specified for URI");
    if (pfv && strcmp(pfv, "1.0"))
        return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                              "Invalid payload format version specified: '%.64s'. HTTP_PROXY "
                              "integrations support only 1.0", pfv);
    if (!pfv)
        cJSON_AddStringToObject(o, "payloadFormatVersion", "1.0");
    if (!apigw_str(o, "integrationMethod"))
        cJSON_AddStringToObject(o, "integrationMethod", "ANY");
    return 0;
}

int apigw_v2_integration_make(ts_call *c, const cJSON *in, cJSON **out)
{
    cJSON *o = cJSON_CreateObject();
    const char *type, *conn, *method;
    int rc;

    static const apigw_v2_len lengths[] = {
        {"description", 0, 1024}, {"integrationUri", 1, 2048}, {"integrationMethod", 1, 64},
        {"connectionId", 1, 1024}, {"integrationSubtype", 1, 128}, {NULL, 0, 0},
    };

    apigw_v2_copy(o, in, integration_members);
    if ((rc = apigw_v2_lengths(c, o, lengths)) != 0)
        goto out;
    type = apigw_str(o, "integrationType");
    if (!type) {
        rc = ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST, "IntegrationType is required");
        goto out;
    }
    if (strcmp(type, "AWS_PROXY") && strcmp(type, "HTTP_PROXY")) {
        rc = ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                           "Currently, an API with a protocol type of HTTP may only be "
                           "associated with proxy integrations (AWS_PROXY, HTTP_PROXY)");
        goto out;
    }
    if (!(conn = apigw_str(o, "connectionType")))
        cJSON_AddStringToObject(o, "connectionType", conn = "INTERNET");
    if (!strcmp(conn, "VPC_LINK") && !apigw_str(o, "connectionId")) {
        rc = ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                           "ConnectionId is required for integrations of connection type "
                           "VPC_LINK");
        goto out;
    }
    rc = !strcmp(type, "AWS_PROXY") ? lambda_check(c, o)
                                    : http_check(c, o, !strcmp(conn, "VPC_LINK"));
    if (rc != 0)
        goto out;
    method = apigw_str(o, "integrationMethod");
    if (method && !is_method(method)) {
        rc = ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                            "Invalid integration method specified: '%.64s'", method);
        goto out;
    }
    if (!cJSON_GetObjectItemCaseSensitive(o, "timeoutInMillis"))
        cJSON_AddNumberToObject(o, "timeoutInMillis", 30000);
out:
    if (rc != 0)
        cJSON_Delete(o);
    *out = rc == 0 ? o : NULL;
    return rc;
}

int apigw_v2_create_integration(ts_call *c)
{
    const char *api_id;
    cJSON *doc = apigw_v2_api(c, &api_id), *integ = NULL;
    char id[16];
    int rc = -1;

    if (!doc)
        return -1;
    if (apigw_v2_integration_make(c, c->in, &integ) != 0)
        goto out;
    apigw_v2_id(id, APIGW_V2_ROUTE_ID);
    apigw_set_str(integ, "integrationId", id);
    cJSON_AddItemToObject(apigw_member(doc, "integrations"), id, integ);
    if (apigw_v2_commit(c, api_id, doc) != 0)
        goto out;
    apigw_v2_answer(c, cJSON_Duplicate(integ, 1), 201);
    rc = 0;
out:
    cJSON_Delete(doc);
    return rc;
}

int apigw_v2_get_integrations(ts_call *c)
{
    cJSON *doc = apigw_v2_api(c, NULL);
    int rc;

    if (!doc)
        return -1;
    rc = apigw_v2_page(c, cJSON_Duplicate(apigw_member(doc, "integrations"), 1));
    cJSON_Delete(doc);
    return rc;
}

int apigw_v2_get_integration(ts_call *c)
{
    cJSON *doc = apigw_v2_api(c, NULL), *integ;

    if (!doc)
        return -1;
    integ = apigw_v2_item(c, doc, "integrations", "IntegrationId", "Integration");
    if (integ)
        apigw_v2_answer(c, cJSON_Duplicate(integ, 1), 200);
    cJSON_Delete(doc);
    return integ ? 0 : -1;
}

int apigw_v2_update_integration(ts_call *c)
{
    const char *api_id;
    cJSON *doc = apigw_v2_api(c, &api_id), *old, *spec, *fresh;
    int rc = -1;

    if (!doc)
        return -1;
    if (!(old = apigw_v2_item(c, doc, "integrations", "IntegrationId", "Integration")))
        goto out;
    spec = cJSON_Duplicate(old, 1);
    apigw_v2_copy(spec, c->in, integration_members);
    rc = apigw_v2_integration_make(c, spec, &fresh);
    cJSON_Delete(spec);
    if (rc != 0)
        goto out;
    apigw_set_str(fresh, "integrationId", apigw_str(old, "integrationId"));
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(old, "apiGatewayManaged")))
        cJSON_AddBoolToObject(fresh, "apiGatewayManaged", 1);
    apigw_v2_replace(apigw_member(doc, "integrations"), old, fresh);
    if ((rc = apigw_v2_commit(c, api_id, doc)) == 0)
        apigw_v2_answer(c, cJSON_Duplicate(fresh, 1), 200);
out:
    cJSON_Delete(doc);
    return rc;
}

int apigw_v2_delete_integration(ts_call *c)
{
    const char *api_id, *id;
    cJSON *doc = apigw_v2_api(c, &api_id), *integ, *r;
    const char *target;
    int rc = -1;

    if (!doc)
        return -1;
    if (!(integ = apigw_v2_item(c, doc, "integrations", "IntegrationId", "Integration")))
        goto out;
    id = integ->string;
    cJSON_ArrayForEach(r, apigw_member(doc, "routes")) {
        if ((target = apigw_str(r, "target")) && !strncmp(target, "integrations/", 13) &&
            !strcmp(target + 13, id)) {
            ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_CONFLICT,
                           "Cannot delete Integration %s: route '%s' (%s) uses it", id,
                           apigw_str(r, "routeKey") ? apigw_str(r, "routeKey") : "",
                           r->string);
            goto out;
        }
    }
    cJSON_Delete(cJSON_DetachItemViaPointer(apigw_member(doc, "integrations"), integ));
    if ((rc = apigw_v2_commit(c, api_id, doc)) == 0)
        apigw_v2_no_content(c);
out:
    cJSON_Delete(doc);
    return rc;
}
