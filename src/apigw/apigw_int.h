/*
 * apigw_int.h - what the API Gateway files share.  An API is one row of
 * apigw_api whose doc is the API as the control plane answers it, with
 * what hangs off it nested inside (a REST API's "resources", an HTTP
 * API's "routes", "integrations", "authorizers"); stages and deployments
 * are rows of their own (apigw_stage, apigw_deployment; migration 11).
 */
#ifndef TINYSTACK_APIGW_INT_H
#define TINYSTACK_APIGW_INT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "tinystack/http.h"
#include "tinystack/service.h"

enum { APIGW_KIND_REST = 1, APIGW_KIND_HTTP = 2 };

/* ---- apigw.c ---- */

/* A fresh id as API Gateway makes them: 10 characters of [a-z0-9]. */
void apigw_new_id(char out[11]);
/* The string member name of o, or NULL. */
const char *apigw_str(const cJSON *o, const char *name);
/* Sets the string member name of o to v (NULL removes it). */
void apigw_set_str(cJSON *o, const char *name, const char *v);
/* The object member name of o (an HTTP API's "routes" ...), made empty
 * when absent or not an object. */
cJSON *apigw_member(cJSON *o, const char *name);
/* The label name of the request URI ({restapi_id}), or NULL. */
const char *apigw_label(ts_call *c, const char *name);
/* Loads the document of API id of this kind in the caller's account and
 * region; NULL with NotFoundException set ("Invalid API identifier
 * specified <account>:<id>" for a REST API, "Invalid API identifier
 * specified" style for an HTTP API).  Inside a snapshot or transaction. */
cJSON *apigw_api_load(ts_call *c, const char *id, int kind);
/* 0 when API id of this kind is there (apigw_api_load without reading
 * its document), else -1 with the same NotFoundException set. */
int apigw_api_exists(ts_call *c, const char *id, int kind);
/* Writes doc as API id's document (it must exist); 0 or -1 with the
 * error set.  Inside a write transaction. */
int apigw_api_save(ts_call *c, const char *id, const cJSON *doc);
/* Inserts a new API; 0 or -1. */
int apigw_api_insert(ts_call *c, const char *id, int kind, const cJSON *doc);
/* Deletes API id with its stages and deployments; 0 or -1. */
int apigw_api_delete(ts_call *c, const char *id);
/* Steps st (bound, from store_stmt) to its end and resets it: 0, or -1
 * with InternalServerError set. */
int apigw_row_done(ts_call *c, sqlite3_stmt *st);
/* The doc in column 0 of st's first row (a new object the caller frees),
 * or NULL; st is reset. */
cJSON *apigw_row_doc(sqlite3_stmt *st);
/* A new array of the docs in column 0 of all st's rows, in order (rows
 * that do not parse are left out); st is reset. */
cJSON *apigw_row_docs(sqlite3_stmt *st);
/* 1 when API api_id (REST or HTTP) has deployment id, else 0. */
int apigw_deployment_exists(const char *api_id, const char *id);
/* How many stages of API api_id serve deployment id; -1 when the store
 * fails. */
int apigw_deployment_used(const char *api_id, const char *id);
/* Deletes deployment id of API api_id unless a stage serves it: 0, or -1
 * with BadRequestException ("Active stages pointing to this deployment
 * must be moved or deleted") or InternalServerError set. */
int apigw_deployment_drop(ts_call *c, const char *api_id, const char *id);
/* The created column of a new row: the time in ms, strictly increasing
 * (the order lists answer in). */
int64_t apigw_stamp(void);
/* "2024-01-31T12:00:00Z" style timestamps are what botocore parses in
 * REST-JSON; API Gateway answers epoch seconds: the number for now. */
double apigw_now(void);

/* ---- apigw_model.c: models ---- */

/* Adds API Gateway's default models (Empty, Error) to a new REST API. */
void apigw_models_default(cJSON *doc);
/* The model name of doc (a REST API or a deployment's snapshot of one),
 * as GetModel answers it; NULL when there is none. */
cJSON *apigw_model_find(const cJSON *doc, const char *name);
/* 1 when name is a model name API Gateway takes: [a-zA-Z0-9]+. */
int apigw_model_name_ok(const char *name);
/* Adds model name to doc, or replaces it keeping its id and description
 * (an OpenAPI import's); the model, in doc. */
cJSON *apigw_model_set(cJSON *doc, const char *name, const char *type, const char *schema);
/* Checks that the models a method's requestModels name and its
 * requestValidatorId exist in doc; 0 or -1 with BadRequestException. */
int apigw_method_models_check(ts_call *c, const cJSON *doc, const cJSON *method);
int apigw_create_model(ts_call *c);
struct apigw_exec;
/* The REST data plane's request validator: when the method has one, its
 * required parameters (method.requestParameters marked true: present and
 * not blank) and the body against the requestModels model of its
 * Content-Type.  0, or -1 with BAD_REQUEST_PARAMETERS ("Missing required
 * request parameters: [a, b]") or BAD_REQUEST_BODY answered. */
int apigw_request_validate(struct apigw_exec *x);
int apigw_get_model(ts_call *c);
int apigw_get_models(ts_call *c);
int apigw_update_model(ts_call *c);
int apigw_delete_model(ts_call *c);

/* ---- apigw_schema.c: JSON Schema draft 4 (models) ---- */

/* Another model of the API by name (a $ref to its URL): its schema, or
 * NULL when there is none.  The schema stays valid for the check. */
typedef const cJSON *(*apigw_schema_model_fn)(void *arg, const char *name);
/* 1 when value satisfies schema (a draft 4 JSON Schema: apigw_schema.c
 * lists the keywords), else 0; also 0 when a $ref names nothing or the
 * check passed its depth or work bound. */
int apigw_schema_valid(const cJSON *schema, const cJSON *value, apigw_schema_model_fn model,
                       void *arg);

/* ---- apigw_rest.c: REST APIs, resources, methods, integrations ---- */

/* The REST API named by c->in's restApiId; NULL with NotFound set. */
cJSON *apigw_rest_load(ts_call *c);
/* 0 when it is there, without reading it; -1 with NotFound set. */
int apigw_rest_exists(ts_call *c);
/* A copy of o without tinystack's own members (those starting '_'). */
cJSON *apigw_public(const cJSON *o);
/* Sets c's answer: status and out (taken; NULL for no body).  0. */
int apigw_answer(ts_call *c, int status, cJSON *out);
/* Writes doc back as c's REST API, then answers as apigw_answer (out is
 * taken either way).  0 or -1. */
int apigw_save_answer(ts_call *c, const cJSON *doc, int status, cJSON *out);
/* Answers a page of all (taken) under member of out (taken), by c->in's
 * position and limit.  0 or -1. */
int apigw_page(ts_call *c, cJSON *out, const char *member, cJSON *all);
/* A new REST API document named name with its root resource. */
cJSON *apigw_rest_new(ts_call *c, const char *name);
/* The resource id of doc; NULL with NotFound set. */
cJSON *apigw_resource(ts_call *c, cJSON *doc, const char *id);
/* Adds a child resource part under parent, with AWS's checks; NULL with
 * the error set. */
cJSON *apigw_resource_add(ts_call *c, cJSON *doc, cJSON *parent, const char *part);
/* The method c->in names (resourceId, httpMethod); its resource in
 * *resource; NULL with NotFound set. */
cJSON *apigw_method(ts_call *c, cJSON *doc, cJSON **resource);
/* Checks a method's authorization type and authorizer; 0 or -1. */
int apigw_method_check(ts_call *c, cJSON *doc, const char *auth_type, const char *authorizer);
/* Checks an integration (PutIntegration's input or a stored one); 0 or -1. */
int apigw_integration_check(ts_call *c, const cJSON *in);
/* A new Integration from PutIntegration-shaped input, with AWS's defaults. */
cJSON *apigw_integration_new(const cJSON *in, const char *resource_id);
int apigw_create_rest_api(ts_call *c);
int apigw_get_rest_apis(ts_call *c);
int apigw_get_rest_api(ts_call *c);
int apigw_update_rest_api(ts_call *c);
int apigw_delete_rest_api(ts_call *c);
int apigw_get_resources(ts_call *c);
int apigw_get_resource(ts_call *c);
int apigw_create_resource(ts_call *c);
int apigw_update_resource(ts_call *c);
int apigw_delete_resource(ts_call *c);
int apigw_put_method(ts_call *c);
int apigw_get_method(ts_call *c);
int apigw_update_method(ts_call *c);
int apigw_delete_method(ts_call *c);
int apigw_put_integration(ts_call *c);
int apigw_get_integration(ts_call *c);
int apigw_update_integration(ts_call *c);
int apigw_delete_integration(ts_call *c);
int apigw_put_method_response(ts_call *c);
int apigw_get_method_response(ts_call *c);
int apigw_delete_method_response(ts_call *c);
int apigw_put_integration_response(ts_call *c);
int apigw_get_integration_response(ts_call *c);
int apigw_delete_integration_response(ts_call *c);

/* ---- apigw_import.c: OpenAPI in and out ---- */
int apigw_import_rest_api(ts_call *c);
int apigw_put_rest_api(ts_call *c);
int apigw_get_export(ts_call *c);

/* ---- apigw_patch.c ---- */

/* Applies c->in's patchOperations to target.  allowed lists the paths
 * that may be patched ("/name"; "/variables/ *" for any key under one; a
 * list member also takes "/list/<element>").  0, or -1 with
 * BadRequestException set. */
int apigw_patch(ts_call *c, cJSON *target, const char *const *allowed);

/* ---- apigw_stage.c: deployments, stages, authorizers, validators,
 * gateway responses ---- */

/* The stage name of API api_id (NULL with NotFound set on c, when c is
 * not NULL). */
cJSON *apigw_stage_load(ts_call *c, const char *api_id, const char *name);
/* Writes a stage (insert: a new row).  0 or -1. */
int apigw_stage_save(ts_call *c, const char *api_id, const cJSON *stage, int insert);
/* Deployment id of api_id (NULL when none); its snapshot of the API's
 * document into *snapshot when not NULL.  The caller frees both. */
cJSON *apigw_deployment_load(const char *api_id, const char *id, cJSON **snapshot);
/* The default status of a gateway response type (0 for DEFAULT_4XX and
 * DEFAULT_5XX), -1 for an unknown type. */
int apigw_gateway_status(const char *type);
/* The GatewayResponse a type has when no one customised it. */
cJSON *apigw_gateway_default(const char *type);
int apigw_create_deployment(ts_call *c);
int apigw_get_deployment(ts_call *c);
int apigw_get_deployments(ts_call *c);
int apigw_delete_deployment(ts_call *c);
int apigw_create_stage(ts_call *c);
int apigw_get_stage(ts_call *c);
int apigw_get_stages(ts_call *c);
int apigw_update_stage(ts_call *c);
int apigw_delete_stage(ts_call *c);
int apigw_create_authorizer(ts_call *c);
int apigw_get_authorizer(ts_call *c);
int apigw_get_authorizers(ts_call *c);
int apigw_update_authorizer(ts_call *c);
int apigw_delete_authorizer(ts_call *c);
int apigw_create_request_validator(ts_call *c);
int apigw_get_request_validator(ts_call *c);
int apigw_get_request_validators(ts_call *c);
int apigw_update_request_validator(ts_call *c);
int apigw_delete_request_validator(ts_call *c);
int apigw_get_gateway_response(ts_call *c);
int apigw_get_gateway_responses(ts_call *c);
int apigw_put_gateway_response(ts_call *c);
int apigw_delete_gateway_response(ts_call *c);

/* ---- apigw_keys.c: API keys, usage plans, tags ---- */

/* 1 when value is an enabled API key in a usage plan that has stage of
 * API api_id.  Reads the store. */
int apigw_key_allows(const char *value, const char *api_id, const char *stage);
int apigw_create_api_key(ts_call *c);
int apigw_get_api_key(ts_call *c);
int apigw_get_api_keys(ts_call *c);
int apigw_update_api_key(ts_call *c);
int apigw_delete_api_key(ts_call *c);
int apigw_create_usage_plan(ts_call *c);
int apigw_get_usage_plan(ts_call *c);
int apigw_get_usage_plans(ts_call *c);
int apigw_update_usage_plan(ts_call *c);
int apigw_delete_usage_plan(ts_call *c);
int apigw_create_usage_plan_key(ts_call *c);
int apigw_get_usage_plan_key(ts_call *c);
int apigw_get_usage_plan_keys(ts_call *c);
int apigw_delete_usage_plan_key(ts_call *c);
int apigw_tag_resource(ts_call *c);
int apigw_untag_resource(ts_call *c);
int apigw_get_tags(ts_call *c);

/* ---- apigw_exec.c: the data plane ---- */

struct lambda_target;

/* One data-plane request, in its arena; what it holds is freed with it. */
typedef struct apigw_exec {
    ts_call *c;
    int kind;                   /* APIGW_KIND_* */
    const char *api_id, *account, *region;
    const char *rest;           /* the URL after the API id: "/{stage}/{path}" */
    const char *stage;
    const char *path;           /* raw, after the stage: "/notas/1" */
    const char *path_decoded;   /* the same, decoded, "/" when empty */
    int64_t start_ms;
    cJSON *api;                 /* REST: the deployment's snapshot (cached);
                                 * HTTP: what the stage serves ("api") */
    cJSON *stage_doc;
    cJSON *live;                /* HTTP: apigw_v2_serving()'s answer */
    cJSON *resource, *method, *integration;  /* in api */
    cJSON *route;               /* HTTP: the route, in live */
    cJSON *path_params;
    cJSON *authorizer;          /* requestContext.authorizer, or NULL */
    struct lambda_target *target, *auth_target;
    int payload_v2;             /* HTTP: the integration's format is 2.0 */
    int suspended;              /* it waits for a function */
    const char *raw_path_v2;    /* HTTP: the path with a named stage */
    int http_proxy;             /* an HTTP_PROXY integration is running */
    const char *int_body;       /* the integration's answer, for mappings */
    size_t int_body_len;
} apigw_exec;

/* ExecuteApi: the data plane's one operation (TS_OP_RAW | TS_OP_READ). */
int apigw_execute(ts_call *c);
/* Drops the parsed snapshots (reset). */
void apigw_exec_reset(void);
/* Answers {member: message} (message NULL: null) with status and, when
 * error_type is not NULL, x-amzn-ErrorType. */
void apigw_reply_json(apigw_exec *x, int status, const char *error_type, const char *member,
                      const char *message);
/* Answers a gateway response of type (MISSING_AUTHENTICATION_TOKEN ...):
 * the API's customisation when it has one, else AWS's default; status 0
 * is the type's own, message NULL the type's default. */
void apigw_gateway_reply(apigw_exec *x, const char *type, int status, const char *message);
/* The answer is complete: resumes x when it waits. */
void apigw_done(apigw_exec *x);
/* The next segment of a '/'-separated path: skips the slashes at *p and
 * returns where the segment starts, its length in *len, *p moved past
 * it; NULL when nothing but slashes is left. */
const char *apigw_path_next(const char **p, size_t *len);
/* Splits a raw path into decoded non-empty segments (arena); the count. */
int apigw_segments(ts_arena *a, const char *path, char ***out);
const char *apigw_decode(ts_arena *a, const char *s, size_t n);
/* 1 when the media type matches pattern ("image/ *", "* / *"). */
int apigw_media_match(const char *pattern, const char *type);
/* 1 when content_type is one of the binary media types. */
int apigw_binary_type(const cJSON *types, const char *content_type);
/* 1 when the Accept header names a binary media type. */
int apigw_accepts_binary(const cJSON *types, const char *accept);
const char *apigw_source_ip(ts_req *req);
/* The request's headers or query as {name: last value} or, multi,
 * {name: [values]}. */
cJSON *apigw_headers_map(ts_req *req, int multi);
cJSON *apigw_query_map(ts_req *req, int multi);
const char *apigw_domain(apigw_exec *x);
/* Adds "isBase64Encoded" to a proxy event (formats 1.0 and 2.0) and,
 * when req has a body, "body": base64 when binary (the content type
 * says so) or when it is not text (not UTF-8, or holds a NUL). */
void apigw_event_body(ts_req *req, cJSON *ev, int binary);
/* "02/Dec/2026:03:04:05 +0000" */
void apigw_request_time(int64_t ms, char *out, size_t n);
/* A REST API's requestContext. */
cJSON *apigw_request_context(apigw_exec *x);
/* The proxy event, format 1.0 (cJSON_free it). */
char *apigw_event_v1(apigw_exec *x);
/* The same event as an object the caller owns (REQUEST authorizers add
 * to it). */
cJSON *apigw_event_v1_object(apigw_exec *x);
/* Maps a proxy integration's reply onto the answer; -1 when it is
 * malformed (nothing is answered then). */
int apigw_proxy_reply(apigw_exec *x, const char *payload, size_t len, int v2);
/* The function ARN an integration URI names, stage variables replaced. */
const char *apigw_lambda_arn(apigw_exec *x, const char *uri);
/* s with "${stageVariables.name}" replaced (arena, or s itself). */
const char *apigw_stage_vars(apigw_exec *x, const char *s);
int apigw_integration_timeout(const cJSON *integration);
/* The function of an integration URI; NULL with a 500 answered. */
struct lambda_target *apigw_target(apigw_exec *x, const char *uri);
/* Invokes x's proxy integration with event (taken) and answers. */
void apigw_run_proxy(apigw_exec *x, char *event);
/* Runs a REST API method's integration (after any authorizer). */
void apigw_rest_integrate(apigw_exec *x);

/* ---- apigw_auth.c: authorizers ---- */

/* Runs the method's authorizer.  0: none, go on; 1: x is answered or
 * waits for it (the authorizer's answer runs the integration). */
int apigw_authorize(apigw_exec *x);
/* 1 when the IAM policy allows execute-api:Invoke on method_arn, -1
 * when a statement denies it, 0 when none allows it. */
int apigw_policy_allows(const cJSON *policy, const char *method_arn);
/* "arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>" */
const char *apigw_method_arn(apigw_exec *x);
/* Runs authorizer auth (its answer cached under key) with event (taken);
 * simple_ok: an HTTP API's simple response is accepted.  0 when a cached
 * answer allows the request now; 1 when x is answered or waits, and
 * next(x) runs once the authorizer allows it. */
int apigw_run_authorizer(apigw_exec *x, const cJSON *auth, char *event, const char *key,
                         int simple_ok, void (*next)(apigw_exec *x));
/* Looks the function of a Lambda integration up ahead (in the request's
 * snapshot).  0, or 1 with a 500 answered. */
int apigw_prepare_target(apigw_exec *x, const char *type, const char *uri);
/* Forgets cached authorizer answers (reset). */
void apigw_auth_reset(void);

/* ---- apigw_map.c: non-proxy integrations and mapping templates ---- */

/* Runs an AWS (Lambda), MOCK or HTTP integration with its templates. */
void apigw_run_mapped(apigw_exec *x);
/* A gateway response's template, rendered into the answer's body. */
void apigw_render_error_template(apigw_exec *x, const char *tmpl, const char *type,
                                 const char *message);
/* The value a response parameter maps: "'static'", "method.request.
 * header.X", ".querystring.X", ".path.X", "stageVariables.X",
 * "context.X"; arena, or NULL. */
const char *apigw_param_value(apigw_exec *x, const char *expr);

/* Maps an HTTP integration's answer (status, body) through the
 * integration response its status picks. */
void apigw_map_http_answer(apigw_exec *x, int status, const char *body, size_t len);

/* ---- apigw_exec_v2.c ---- */

/* The data plane of an HTTP API (after apigw_execute found it). */
int apigw_execute_v2(apigw_exec *x);
/* An HTTP API's answer is complete: CORS headers, then apigw_done. */
void apigw_v2_finish(apigw_exec *x);

/* ---- apigw_exec_http.c ---- */

/* Sends x's request on to its HTTP or HTTP_PROXY integration (proxy: the
 * request as it came; else body, what the request template made) and
 * answers when the server does. */
void apigw_run_http(apigw_exec *x, int proxy, const char *body, size_t len);

/* ---- apigw_v2.c: HTTP APIs (apigatewayv2) ---- */

/*
 * What stage stage of HTTP API api_id serves, for the data plane: a new
 * object {"api": GetApi's shape, "stage": GetStage's shape, "routes":
 * [Route...], "integrations": {IntegrationId: Integration},
 * "authorizers": {AuthorizerId: Authorizer}} the caller frees; NULL when
 * there is no such API (*why = 1) or stage (*why = 2).  An AutoDeploy
 * stage serves the API as it is now, another one its deployment's
 * snapshot.  Inside a snapshot.
 */
cJSON *apigw_v2_serving(const char *api_id, const char *stage, int *why);

/* -- what the apigw_v2_*.c files share (HTTP APIs only) --
 *
 * c->in holds the body under its wire names ("name", "protocolType") and
 * the URI labels and query arguments under their member names ("ApiId",
 * "MaxResults"); answers are written under wire names, as botocore reads
 * them.  An API's doc keeps "routes", "integrations" and "authorizers" as
 * objects keyed by id, each value the Get* answer of that item. */

/* Ids as AWS makes them: routes and integrations 7 characters,
 * deployments and authorizers 6 (APIs use apigw_new_id's 10). */
enum { APIGW_V2_ROUTE_ID = 7, APIGW_V2_SHORT_ID = 6 };
/* A fresh id of n (at most 10) [a-z0-9] characters into out (n + 1 bytes). */
void apigw_v2_id(char *out, int n);
/* Now as API Gateway v2 dates things: "2024-01-31T12:00:00Z" (32 bytes). */
void apigw_v2_date(char out[32]);
/* Loads the HTTP API c->in's ApiId names; NULL with NotFoundException set.
 * The caller frees the doc.  *id, when id is not NULL, gets the id. */
cJSON *apigw_v2_api(ts_call *c, const char **id);
/* The id (borrowed from c->in) of the HTTP API c->in's ApiId names, for
 * a handler that needs the API to exist but not its doc; NULL with
 * NotFoundException set. */
const char *apigw_v2_api_id(ts_call *c);
/* Saves doc as API id's and redeploys every autoDeploy stage of it, as AWS
 * does after each change; 0 or -1.  Inside a write transaction. */
int apigw_v2_commit(ts_call *c, const char *id, const cJSON *doc);
/* apigw_v2_api.c: a new HTTP API's doc with AWS's defaults and a fresh
 * id (also in id), not yet stored; the caller frees it. */
cJSON *apigw_v2_api_new(ts_call *c, char id[11]);
/* GetApi's answer for doc: a new copy without routes, integrations and
 * authorizers. */
cJSON *apigw_v2_public(const cJSON *doc);
/* The item of doc's kind that c->in's member names (borrowed from doc);
 * NULL with NotFoundException "Invalid <what> identifier specified <id>". */
cJSON *apigw_v2_item(ts_call *c, cJSON *doc, const char *kind, const char *member,
                     const char *what);
/* Answers one page of all (an array, taken) from c->in's MaxResults and
 * NextToken: {"items": [...], "nextToken": "..."}; 0 or -1
 * (BadRequestException for a bad MaxResults or NextToken). */
int apigw_v2_page(ts_call *c, cJSON *all);
/* Reads MaxResults and NextToken (an offset) for a listing: 0 or -1. */
int apigw_v2_page_args(ts_call *c, long *max, long *offset);
/* Puts fresh (taken) in place of old, a member of items, under its key. */
void apigw_v2_replace(cJSON *items, cJSON *old, cJSON *fresh);
/* Copies the members names[] that src has into dst, replacing dst's. */
void apigw_v2_copy(cJSON *dst, const cJSON *src, const char *const *names);
/* The answer becomes c->out = item (taken), with status. */
void apigw_v2_answer(ts_call *c, cJSON *item, int status);
/* 204 and no body. */
void apigw_v2_no_content(ts_call *c);
/* 0 when key is a route key of an HTTP API ("$default", "GET /pets/{id}",
 * "ANY /{proxy+}"), else -1 with BadRequestException. */
int apigw_v2_route_key_check(ts_call *c, const char *key);
/* 1 when uri names a Lambda function, by its ARN or API Gateway's
 * invocation ARN of it (arn:aws:apigateway:<region>:lambda:path/
 * 2015-03-31/functions/<function ARN>/invocations). */
int apigw_v2_is_lambda_uri(const char *uri);
/* 1 when uri is an http:// or https:// URL with a host. */
int apigw_v2_is_http_url(const char *uri);
/* A documented length a string member must keep (the model leaves it
 * unsaid): {member, min, max}, rows ending with a NULL member. */
typedef struct apigw_v2_len {
    const char *member;
    int min, max;
} apigw_v2_len;
/* Checks in's members against rules (lengths in characters); 0, or -1
 * with BadRequestException worded as AWS's validation errors are. */
int apigw_v2_lengths(ts_call *c, const cJSON *in, const apigw_v2_len *rules);
/* Checks tags (a map) as AWS does: at most 50, keys of 1 to 128
 * characters not starting with "aws:", values of at most 256, counting
 * those the resource already has (already: their object, or NULL); 0 or
 * -1. */
int apigw_v2_tags_check(ts_call *c, const cJSON *tags, const cJSON *already);
/* Checks a CorsConfiguration as AWS does; 0 or -1. */
int apigw_v2_cors_check(ts_call *c, const cJSON *cors);

/* apigw_v2_integration.c: an integration from members in (CreateIntegration's
 * wire names), checked and given AWS's defaults, into *out (the caller
 * frees it); 0 or -1. */
int apigw_v2_integration_make(ts_call *c, const cJSON *in, cJSON **out);
/* apigw_v2_route.c: a route from in (CreateRoute's wire names) checked
 * against doc (its key unique, its target and authorizer existing)
 * into *out; self is the id of the route being updated, or NULL; 0 or -1. */
int apigw_v2_route_make(ts_call *c, cJSON *doc, const cJSON *in, const char *self,
                        cJSON **out);
/* apigw_v2_route.c: an authorizer from in (CreateAuthorizer's wire names)
 * into *out; 0 or -1. */
int apigw_v2_authorizer_make(ts_call *c, const cJSON *in, cJSON **out);

/* apigw_v2_stage.c: stage name of API api_id (a new doc), or NULL with
 * NotFoundException. */
cJSON *apigw_v2_stage_load(ts_call *c, const char *api_id, const char *name);
/* 1 when API api_id has a stage name, else 0. */
int apigw_v2_stage_exists(const char *api_id, const char *name);
/* Writes a stage's doc, as a new row when insert; 0 or -1. */
int apigw_v2_stage_save(ts_call *c, const char *api_id, const char *name, const cJSON *doc,
                        int insert);
/* Deploys doc (API api_id as it is now) as a new deployment, pointing
 * stage at it when stage is not NULL; an automatic deployment says so and
 * replaces the stage's previous automatic one.  *out, when out is not
 * NULL, gets GetDeployment's answer for it.  0 or -1. */
int apigw_v2_deploy(ts_call *c, const char *api_id, const cJSON *doc, const char *stage,
                    int automatic, const char *description, cJSON **out);
/* Redeploys every autoDeploy stage of API api_id; 0 or -1. */
int apigw_v2_autodeploy(ts_call *c, const char *api_id, const cJSON *doc);

/* The handlers, rows of apigw_v2_ops (apigw_v2.c). */
int apigw_v2_create_api(ts_call *c);          /* apigw_v2_api.c */
int apigw_v2_get_apis(ts_call *c);
int apigw_v2_get_api(ts_call *c);
int apigw_v2_update_api(ts_call *c);
int apigw_v2_delete_api(ts_call *c);
int apigw_v2_delete_cors(ts_call *c);
int apigw_v2_tag_resource(ts_call *c);
int apigw_v2_untag_resource(ts_call *c);
int apigw_v2_get_tags(ts_call *c);
int apigw_v2_create_route(ts_call *c);        /* apigw_v2_route.c */
int apigw_v2_get_routes(ts_call *c);
int apigw_v2_get_route(ts_call *c);
int apigw_v2_update_route(ts_call *c);
int apigw_v2_delete_route(ts_call *c);
int apigw_v2_create_authorizer(ts_call *c);
int apigw_v2_get_authorizers(ts_call *c);
int apigw_v2_get_authorizer(ts_call *c);
int apigw_v2_update_authorizer(ts_call *c);
int apigw_v2_delete_authorizer(ts_call *c);
int apigw_v2_create_integration(ts_call *c);  /* apigw_v2_integration.c */
int apigw_v2_get_integrations(ts_call *c);
int apigw_v2_get_integration(ts_call *c);
int apigw_v2_update_integration(ts_call *c);
int apigw_v2_delete_integration(ts_call *c);
int apigw_v2_create_stage(ts_call *c);        /* apigw_v2_stage.c */
int apigw_v2_get_stages(ts_call *c);
int apigw_v2_get_stage(ts_call *c);
int apigw_v2_update_stage(ts_call *c);
int apigw_v2_delete_stage(ts_call *c);
int apigw_v2_create_deployment(ts_call *c);
int apigw_v2_get_deployments(ts_call *c);
int apigw_v2_get_deployment(ts_call *c);
int apigw_v2_update_deployment(ts_call *c);
int apigw_v2_delete_deployment(ts_call *c);
int apigw_v2_import_api(ts_call *c);          /* apigw_v2_import.c */
int apigw_v2_reimport_api(ts_call *c);
int apigw_v2_export_api(ts_call *c);

#endif
