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

#endif
