/*
 * apigw_vtl.h - API Gateway's mapping-template language: the subset of
 * Apache Velocity (1.7) that REST API request and response templates use,
 * with $input, $util, $context and $stageVariables as API Gateway defines
 * them, and the JSONPath subset behind $input.path and $input.json.
 * Private to src/apigw; apigw_vtl.c says what is supported and why.
 */
#ifndef TINYSTACK_APIGW_VTL_H
#define TINYSTACK_APIGW_VTL_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "tinystack/core.h"

/*
 * What a template sees, and what it set.  The caller owns every input
 * member; apigw_vtl_render only reads them.  Zero the struct, fill the
 * inputs, render, then free the out members with cJSON_Delete.
 */
typedef struct apigw_vtl_ctx {
    /* $input.body: the request body, or in a response template the
     * integration's response body.  An empty body reads as "{}", as in
     * API Gateway. */
    const char *body;
    size_t body_len;
    /* name -> string objects (each may be NULL).  $input.params() is
     * {path=.., querystring=.., header=..}; $input.params('n') looks in
     * path, then querystring, then header (header names compared
     * case-insensitively) and is "" when absent. */
    const cJSON *path, *querystring, *header;
    /* $context.* (nested: identity.sourceIp, authorizer.principalId,
     * requestId, stage, ...); may be NULL. */
    const cJSON *context;
    /* $stageVariables.*; may be NULL. */
    const cJSON *stage_vars;
    /* Nonzero: an undefined non-quiet reference prints its own text, as
     * plain Velocity does.  Zero (API Gateway's way): it prints nothing. */
    int velocity_undefined;

    /* out: $context.responseOverride.status (0 when not set). */
    int override_status;
    /* out: $context.responseOverride.header.<Name> as a name -> string
     * object, or NULL when none was set.  The caller frees it. */
    cJSON *override_headers;
    /* out: $context.requestOverride.{header,path,querystring}.<name> as
     * {"header":{..},"path":{..},"querystring":{..}} holding only the
     * groups that were set, or NULL.  The caller frees it. */
    cJSON *override_request;
} apigw_vtl_ctx;

/*
 * Renders the template tmpl[0..len) against ctx, appending to out.
 * Returns 0, or -1 with a message in err (errlen bytes, always
 * NUL-terminated when errlen > 0) naming the construct and its line, e.g.
 * "unsupported directive #macro at line 3" or "syntax error at line 2
 * col 7: expected ')'".  On -1, out may hold a partial rendering and the
 * out members of ctx are left NULL/0.  Any input is safe: loops, nesting,
 * output and memory are bounded (APIGW_VTL_MAX_*).
 */
int apigw_vtl_render(const char *tmpl, size_t len, apigw_vtl_ctx *ctx,
                     ts_buf *out, char *err, size_t errlen);

/* The bounds apigw_vtl_render enforces; going past one is an error. */
#define APIGW_VTL_MAX_FOREACH 1000        /* iterations of one #foreach (API Gateway's quota) */
#define APIGW_VTL_MAX_ITERATIONS 100000   /* #foreach iterations in all */
#define APIGW_VTL_MAX_STEPS 5000000       /* nodes, calls and iterations */
#define APIGW_VTL_MAX_DEPTH 64            /* nesting of directives, expressions, strings */
#define APIGW_VTL_MAX_OUTPUT (10u << 20)  /* bytes of output (API Gateway's payload cap) */
#define APIGW_VTL_MAX_STRING (32u << 20)  /* bytes of any one string made on the way */
#define APIGW_VTL_MAX_MEMORY (256u << 20) /* bytes the values and the tree may take */

/*
 * JSONPath, the subset API Gateway's templates use: "$", "$.a.b",
 * "$['a']", "$.a[0]", "$.a[-1]", "$.a[*]", "$.*", "$..b", "$.a[0,2]",
 * "$.a[1:3]".  Filters ("[?(...)]") and scripts are not supported.
 * A definite path gives the value it names; one with a wildcard, "..",
 * a union or a slice gives an array of every match (maybe empty).
 */

/* Returns a new cJSON the caller deletes, or NULL when path does not
 * match root or is not valid JSONPath. */
cJSON *apigw_jsonpath(const cJSON *root, const char *path);

/* The same with the error told: 0 with *out set (to NULL when nothing
 * matched), or -1 with a message in err when path is not valid or not
 * supported. */
int apigw_jsonpath_eval(const cJSON *root, const char *path, cJSON **out,
                        char *err, size_t errlen);

#endif
