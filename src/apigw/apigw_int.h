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
/* The label name of the request URI ({restapi_id}), or NULL. */
const char *apigw_label(ts_call *c, const char *name);
/* Loads the document of API id of this kind in the caller's account and
 * region; NULL with NotFoundException set ("Invalid API identifier
 * specified <account>:<id>" for a REST API, "Invalid API identifier
 * specified" style for an HTTP API).  Inside a snapshot or transaction. */
cJSON *apigw_api_load(ts_call *c, const char *id, int kind);
/* Writes doc as API id's document (it must exist); 0 or -1 with the
 * error set.  Inside a write transaction. */
int apigw_api_save(ts_call *c, const char *id, const cJSON *doc);
/* Inserts a new API; 0 or -1. */
int apigw_api_insert(ts_call *c, const char *id, int kind, const cJSON *doc);
/* Deletes API id with its stages and deployments; 0 or -1. */
int apigw_api_delete(ts_call *c, const char *id);
/* "2024-01-31T12:00:00Z" style timestamps are what botocore parses in
 * REST-JSON; API Gateway answers epoch seconds: the number for now. */
double apigw_now(void);

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
/* Saves doc as API id's and redeploys every autoDeploy stage of it, as AWS
 * does after each change; 0 or -1.  Inside a write transaction. */
int apigw_v2_commit(ts_call *c, const char *id, const cJSON *doc);
/* apigw_v2_api.c: a new HTTP API's doc with AWS's defaults and a fresh
 * id (also in id), not yet stored; the caller frees it. */
cJSON *apigw_v2_api_new(ts_call *c, char id[11]);
/* GetApi's answer for doc: a new copy without routes, integrations and
 * authorizers. */
cJSON *apigw_v2_public(const cJSON *doc);
/* doc's member kind ("routes" ...), an object, made when missing. */
cJSON *apigw_v2_items(cJSON *doc, const char *kind);
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
