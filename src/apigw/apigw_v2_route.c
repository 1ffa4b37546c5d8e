/*
 * apigw_v2_route.c - an HTTP API's routes and authorizers.  A route is a
 * route key ("$default" or "METHOD /path", unique in its API) and a target
 * "integrations/<id>" naming an integration of the API; it may be guarded
 * by an authorizer: JWT (issuer and audience, the token from one identity
 * source) or a Lambda REQUEST authorizer (payload format 1.0 or 2.0,
 * simple responses with 2.0 only, results cached for a TTL keyed by the
 * identity sources).  Neither may be deleted while a route uses it.
 */
#include "apigw_int.h"

#include <string.h>

static const char *const route_members[] = {
    "apiKeyRequired", "authorizationScopes", "authorizationType", "authorizerId",
    "modelSelectionExpression", "operationName", "requestModels", "requestParameters",
    "routeKey", "routeResponseSelectionExpression", "target", NULL,
};

static const char *const authorizer_members[] = {
    "authorizerCredentialsArn", "authorizerPayloadFormatVersion",
    "authorizerResultTtlInSeconds", "authorizerType", "authorizerUri",
    "enableSimpleResponses", "identitySource", "identityValidationExpression",
    "jwtConfiguration", "name", NULL,
};

/* The route of doc other than self whose key is key, or NULL. */
static const cJSON *route_by_key(cJSON *doc, const char *key, const char *self)
{
    const cJSON *r;

    cJSON_ArrayForEach(r, apigw_member(doc, "routes")) {
        const char *k = apigw_str(r, "routeKey");
        if (k && !strcmp(k, key) && (!self || strcmp(r->string, self)))
            return r;
    }
    return NULL;
}

static int target_check(ts_call *c, cJSON *doc, const char *target)
{
    const char *id = target + 13;

    if (strncmp(target, "integrations/", 13) || !*id)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                              "Invalid target specified: '%.256s'. The target of an HTTP API "
                              "route is integrations/<IntegrationId>", target);
    if (!cJSON_GetObjectItemCaseSensitive(apigw_member(doc, "integrations"), id))
        return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_NOT_FOUND,
                              "Invalid Integration identifier specified %s", id);
    return 0;
}

/* The authorizer a route of authorization type type may name. */
static int authorization_check(ts_call *c, cJSON *doc, cJSON *o)
{
    const char *type = apigw_str(o, "authorizationType");
    const char *id = apigw_str(o, "authorizerId");
    const cJSON *auth = id ? cJSON_GetObjectItemCaseSensitive(apigw_member(doc, "authorizers"),
                                                              id)
                           : NULL;
    const char *atype = apigw_str(auth, "authorizerType");

    if (!type)
        cJSON_AddStringToObject(o, "authorizationType", type = "NONE");
    if (!strcmp(type, "JWT") && (!atype || strcmp(atype, "JWT")))
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "Invalid authorizer ID specified. Setting the authorization type "
                             "to JWT requires a valid JWT authorizer.");
    if (!strcmp(type, "CUSTOM") && (!atype || strcmp(atype, "REQUEST")))
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "Invalid authorizer ID specified. Setting the authorization type "
                             "to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.");
    if (strcmp(type, "JWT") && cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
                                   o, "authorizationScopes")) > 0)
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "Invalid Route authorization type specified. Authorization Scopes "
                             "are only valid for COGNITO_USER_POOLS and JWT authorization types");
    /* NONE and AWS_IAM name no authorizer: one left from before goes */
    if (strcmp(type, "JWT") && strcmp(type, "CUSTOM"))
        cJSON_DeleteItemFromObjectCaseSensitive(o, "authorizerId");
    return 0;
}

int apigw_v2_route_make(ts_call *c, cJSON *doc, const cJSON *in, const char *self,
                        cJSON **out)
{
    cJSON *o = cJSON_CreateObject();
    const char *key, *target;
    int rc = -1;

    static const apigw_v2_len lengths[] = {
        {"operationName", 1, 64}, {"target", 1, 128}, {NULL, 0, 0},
    };

    apigw_v2_copy(o, in, route_members);
    if (apigw_v2_lengths(c, o, lengths) != 0)
        goto out;
    if (!(key = apigw_str(o, "routeKey"))) {
        ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST, "Route key is required");
        goto out;
    }
    if (apigw_v2_route_key_check(c, key) != 0)
        goto out;
    if (route_by_key(doc, key, self)) {
        ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_CONFLICT,
                       "Route with key %.512s already exists for this API", key);
        goto out;
    }
    if ((target = apigw_str(o, "target")) && target_check(c, doc, target) != 0)
        goto out;
    if (authorization_check(c, doc, o) != 0)
        goto out;
    if (!cJSON_GetObjectItemCaseSensitive(o, "apiKeyRequired"))
        cJSON_AddBoolToObject(o, "apiKeyRequired", 0);
    rc = 0;
out:
    if (rc != 0)
        cJSON_Delete(o);
    *out = rc == 0 ? o : NULL;
    return rc;
}

int apigw_v2_create_route(ts_call *c)
{
    const char *api_id;
    cJSON *doc = apigw_v2_api(c, &api_id), *route;
    char id[16];
    int rc = -1;

    if (!doc)
        return -1;
    if (apigw_v2_route_make(c, doc, c->in, NULL, &route) != 0)
        goto out;
    apigw_v2_id(id, APIGW_V2_ROUTE_ID);
    apigw_set_str(route, "routeId", id);
    cJSON_AddItemToObject(apigw_member(doc, "routes"), id, route);
    if ((rc = apigw_v2_commit(c, api_id, doc)) == 0)
        apigw_v2_answer(c, cJSON_Duplicate(route, 1), 201);
out:
    cJSON_Delete(doc);
    return rc;
}

int apigw_v2_get_routes(ts_call *c)
{
    cJSON *doc = apigw_v2_api(c, NULL);
    int rc;

    if (!doc)
        return -1;
    rc = apigw_v2_page(c, cJSON_Duplicate(apigw_member(doc, "routes"), 1));
    cJSON_Delete(doc);
    return rc;
}

int apigw_v2_get_route(ts_call *c)
{
    cJSON *doc = apigw_v2_api(c, NULL), *route;

    if (!doc)
        return -1;
    if ((route = apigw_v2_item(c, doc, "routes", "RouteId", "Route")))
        apigw_v2_answer(c, cJSON_Duplicate(route, 1), 200);
    cJSON_Delete(doc);
    return route ? 0 : -1;
}

int apigw_v2_update_route(ts_call *c)
{
    const char *api_id, *key = apigw_str(c->in, "routeKey"), *type;
    cJSON *doc = apigw_v2_api(c, &api_id), *old, *spec, *fresh;
    int managed, rc = -1;

    if (!doc)
        return -1;
    if (!(old = apigw_v2_item(c, doc, "routes", "RouteId", "Route")))
        goto out;
    managed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(old, "apiGatewayManaged"));
    if (managed && key && strcmp(key, apigw_str(old, "routeKey") ? apigw_str(old, "routeKey")
                                                                 : "")) {
        ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                      "The route key of a route managed by API Gateway cannot be changed; "
                      "use UpdateApi's RouteKey");
        goto out;
    }
    spec = cJSON_Duplicate(old, 1);
    apigw_v2_copy(spec, c->in, route_members);
    /* a route no longer JWT-guarded drops the scopes it had */
    if ((type = apigw_str(c->in, "authorizationType")) && strcmp(type, "JWT") &&
        !cJSON_GetObjectItemCaseSensitive(c->in, "authorizationScopes"))
        cJSON_DeleteItemFromObjectCaseSensitive(spec, "authorizationScopes");
    rc = apigw_v2_route_make(c, doc, spec, old->string, &fresh);
    cJSON_Delete(spec);
    if (rc != 0)
        goto out;
    apigw_set_str(fresh, "routeId", old->string);
    if (managed)
        cJSON_AddBoolToObject(fresh, "apiGatewayManaged", 1);
    apigw_v2_replace(apigw_member(doc, "routes"), old, fresh);
    if ((rc = apigw_v2_commit(c, api_id, doc)) == 0)
        apigw_v2_answer(c, cJSON_Duplicate(fresh, 1), 200);
out:
    cJSON_Delete(doc);
    return rc;
}

int apigw_v2_delete_route(ts_call *c)
{
    const char *api_id;
    cJSON *doc = apigw_v2_api(c, &api_id), *route;
    int rc = -1;

    if (!doc)
        return -1;
    if ((route = apigw_v2_item(c, doc, "routes", "RouteId", "Route"))) {
        cJSON_Delete(cJSON_DetachItemViaPointer(apigw_member(doc, "routes"), route));
        if ((rc = apigw_v2_commit(c, api_id, doc)) == 0)
            apigw_v2_no_content(c);
    }
    cJSON_Delete(doc);
    return rc;
}

/* ---- authorizers ---- */

/* "$request.header.Authorization", "$request.querystring.token", and for
 * Lambda authorizers "$context.x" and "$stageVariables.x" too. */
static int identity_check(ts_call *c, const cJSON *sources, int jwt)
{
    static const char *const prefixes[] = {
        "$request.header.", "$request.querystring.", "$context.", "$stageVariables.", NULL,
    };
    const cJSON *s;
    int n = 0;

    cJSON_ArrayForEach(s, sources) {
        int ok = 0;
        for (int i = 0; prefixes[i] && (!jwt || i < 2); i++) {
            size_t plen = strlen(prefixes[i]);
            if (cJSON_IsString(s) && !strncmp(s->valuestring, prefixes[i], plen) &&
                s->valuestring[plen])
                ok = 1;
        }
        if (!ok)
            return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                  "Invalid identity source specified: '%.256s'",
                                  cJSON_IsString(s) ? s->valuestring : "");
        n++;
    }
    if (jwt && n != 1)
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "A JWT authorizer takes exactly one identity source, such as "
                             "$request.header.Authorization");
    return 0;
}

static int lambda_authorizer_check(ts_call *c, cJSON *o)
{
    const char *pfv = apigw_str(o, "authorizerPayloadFormatVersion");
    const cJSON *ttl = cJSON_GetObjectItemCaseSensitive(o, "authorizerResultTtlInSeconds");

    if (!apigw_v2_is_lambda_uri(apigw_str(o, "authorizerUri")))
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "Invalid authorizer URI specified. A REQUEST authorizer takes the "
                             "invocation ARN of a Lambda function (arn:aws:apigateway:<region>:"
                             "lambda:path/2015-03-31/functions/<function ARN>/invocations)");
    if (!pfv)
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "AuthorizerPayloadFormatVersion is required for REQUEST "
                             "authorizers of HTTP APIs. Supported values are 1.0 and 2.0");
    if (strcmp(pfv, "1.0") && strcmp(pfv, "2.0"))
        return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                              "Invalid authorizer payload format version specified: '%.64s'. "
                              "Supported values are 1.0 and 2.0", pfv);
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "enableSimpleResponses")) &&
        strcmp(pfv, "2.0"))
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "Simple responses are supported only with authorizer payload "
                             "format version 2.0");
    if (!ttl)
        cJSON_AddNumberToObject(o, "authorizerResultTtlInSeconds", 0);
    else if (ttl->valuedouble > 0 &&
             cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "identitySource")) == 0)
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "An identity source is required when authorizer caching is "
                             "enabled (authorizerResultTtlInSeconds greater than 0)");
    if (!cJSON_GetObjectItemCaseSensitive(o, "enableSimpleResponses"))
        cJSON_AddBoolToObject(o, "enableSimpleResponses", 0);
    cJSON_DeleteItemFromObjectCaseSensitive(o, "jwtConfiguration");
    return 0;
}

static int jwt_check(ts_call *c, cJSON *o)
{
    static const char *const lambda_only[] = {
        "authorizerUri", "authorizerPayloadFormatVersion", "authorizerResultTtlInSeconds",
        "enableSimpleResponses", "authorizerCredentialsArn", NULL,
    };
    const cJSON *jwt = cJSON_GetObjectItemCaseSensitive(o, "jwtConfiguration");

    if (!cJSON_IsObject(jwt) || !apigw_str(jwt, "issuer"))
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "A JWT authorizer requires a JwtConfiguration with an Issuer");
    for (int i = 0; lambda_only[i]; i++)
        cJSON_DeleteItemFromObjectCaseSensitive(o, lambda_only[i]);
    return 0;
}

int apigw_v2_authorizer_make(ts_call *c, const cJSON *in, cJSON **out)
{
    cJSON *o = cJSON_CreateObject();
    const char *type;
    int rc = -1, jwt;

    static const apigw_v2_len lengths[] = {
        {"name", 1, 128}, {"authorizerUri", 1, 2048}, {"identityValidationExpression", 0, 1024},
        {"authorizerPayloadFormatVersion", 1, 64}, {NULL, 0, 0},
    };

    apigw_v2_copy(o, in, authorizer_members);
    if (apigw_v2_lengths(c, o, lengths) != 0)
        goto out;
    type = apigw_str(o, "authorizerType");
    if (!type || (strcmp(type, "JWT") && strcmp(type, "REQUEST"))) {
        ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                       "Invalid authorizer type specified: '%.64s'. HTTP APIs support JWT and "
                       "REQUEST authorizers", type ? type : "");
        goto out;
    }
    if (!apigw_str(o, "name")) {
        ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST, "Authorizer name is required");
        goto out;
    }
    jwt = !strcmp(type, "JWT");
    if (!cJSON_GetObjectItemCaseSensitive(o, "identitySource"))
        cJSON_AddArrayToObject(o, "identitySource");
    if (identity_check(c, cJSON_GetObjectItemCaseSensitive(o, "identitySource"), jwt) != 0)
        goto out;
    if ((jwt ? jwt_check(c, o) : lambda_authorizer_check(c, o)) != 0)
        goto out;
    rc = 0;
out:
    if (rc != 0)
        cJSON_Delete(o);
    *out = rc == 0 ? o : NULL;
    return rc;
}

int apigw_v2_create_authorizer(ts_call *c)
{
    const char *api_id;
    cJSON *doc = apigw_v2_api(c, &api_id), *auth;
    char id[16];
    int rc = -1;

    if (!doc)
        return -1;
    if (apigw_v2_authorizer_make(c, c->in, &auth) != 0)
        goto out;
    apigw_v2_id(id, APIGW_V2_SHORT_ID);
    apigw_set_str(auth, "authorizerId", id);
    cJSON_AddItemToObject(apigw_member(doc, "authorizers"), id, auth);
    if ((rc = apigw_v2_commit(c, api_id, doc)) == 0)
        apigw_v2_answer(c, cJSON_Duplicate(auth, 1), 201);
out:
    cJSON_Delete(doc);
    return rc;
}

int apigw_v2_get_authorizers(ts_call *c)
{
    cJSON *doc = apigw_v2_api(c, NULL);
    int rc;

    if (!doc)
        return -1;
    rc = apigw_v2_page(c, cJSON_Duplicate(apigw_member(doc, "authorizers"), 1));
    cJSON_Delete(doc);
    return rc;
}

int apigw_v2_get_authorizer(ts_call *c)
{
    cJSON *doc = apigw_v2_api(c, NULL), *auth;

    if (!doc)
        return -1;
    if ((auth = apigw_v2_item(c, doc, "authorizers", "AuthorizerId", "Authorizer")))
        apigw_v2_answer(c, cJSON_Duplicate(auth, 1), 200);
    cJSON_Delete(doc);
    return auth ? 0 : -1;
}

/* The first route of doc that auth_id guards, or NULL. */
static const cJSON *route_using(cJSON *doc, const char *auth_id)
{
    const cJSON *r;

    cJSON_ArrayForEach(r, apigw_member(doc, "routes")) {
        const char *a = apigw_str(r, "authorizerId");
        if (a && !strcmp(a, auth_id))
            return r;
    }
    return NULL;
}

int apigw_v2_update_authorizer(ts_call *c)
{
    const char *api_id;
    cJSON *doc = apigw_v2_api(c, &api_id), *old, *spec, *fresh;
    const cJSON *user;
    int rc = -1;

    if (!doc)
        return -1;
    if (!(old = apigw_v2_item(c, doc, "authorizers", "AuthorizerId", "Authorizer")))
        goto out;
    spec = cJSON_Duplicate(old, 1);
    apigw_v2_copy(spec, c->in, authorizer_members);
    rc = apigw_v2_authorizer_make(c, spec, &fresh);
    cJSON_Delete(spec);
    if (rc != 0)
        goto out;
    /* a route's authorization type must still fit its authorizer */
    if ((user = route_using(doc, old->string)) &&
        strcmp(apigw_str(fresh, "authorizerType"), apigw_str(old, "authorizerType"))) {
        cJSON_Delete(fresh);
        rc = ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_CONFLICT,
                            "Cannot change the type of Authorizer %s: route '%s' uses it",
                            old->string, apigw_str(user, "routeKey"));
        goto out;
    }
    apigw_set_str(fresh, "authorizerId", old->string);
    apigw_v2_replace(apigw_member(doc, "authorizers"), old, fresh);
    if ((rc = apigw_v2_commit(c, api_id, doc)) == 0)
        apigw_v2_answer(c, cJSON_Duplicate(fresh, 1), 200);
out:
    cJSON_Delete(doc);
    return rc;
}

int apigw_v2_delete_authorizer(ts_call *c)
{
    const char *api_id;
    cJSON *doc = apigw_v2_api(c, &api_id), *auth;
    const cJSON *user;
    int rc = -1;

    if (!doc)
        return -1;
    if (!(auth = apigw_v2_item(c, doc, "authorizers", "AuthorizerId", "Authorizer")))
        goto out;
    if ((user = route_using(doc, auth->string))) {
        ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_CONFLICT,
                       "Cannot delete Authorizer %s: route '%s' (%s) uses it", auth->string,
                       apigw_str(user, "routeKey") ? apigw_str(user, "routeKey") : "",
                       user->string);
        goto out;
    }
    cJSON_Delete(cJSON_DetachItemViaPointer(apigw_member(doc, "authorizers"), auth));
    if ((rc = apigw_v2_commit(c, api_id, doc)) == 0)
        apigw_v2_no_content(c);
out:
    cJSON_Delete(doc);
    return rc;
}
