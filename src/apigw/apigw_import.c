/*
 * apigw_import.c - REST APIs from and to OpenAPI: ImportRestApi and
 * PutRestApi read an OpenAPI 3 or Swagger 2 document (JSON) with API
 * Gateway's extensions (x-amazon-apigateway-integration, -any-method,
 * -authorizer, -binary-media-types, -api-key-source, -gateway-responses,
 * -request-validators, -request-validator) into the API's document, with
 * definitions (components.schemas) as models and a body's schema $ref as
 * the method's requestModels; GetExport writes a stage's deployment back
 * as OpenAPI 3 or Swagger 2 the same way.
 */
#include "apigw_int.h"

#include "tinystack/yaml.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char *const oas_methods[] = {
    "get", "post", "put", "patch", "delete", "head", "options",
    "x-amazon-apigateway-any-method", NULL,
};

static void upper(char *out, size_t n, const char *s)
{
    size_t i;

    for (i = 0; s[i] && i + 1 < n; i++)
        out[i] = (char)toupper((unsigned char)s[i]);
    out[i] = '\0';
}

/* The resource at path in doc, made with its parents when missing; NULL
 * with the error set. */
static cJSON *ensure_path(ts_call *c, cJSON *doc, const char *path)
{
    cJSON *res = cJSON_GetObjectItemCaseSensitive(doc, "_resources");
    cJSON *node = cJSON_GetObjectItemCaseSensitive(res, apigw_str(doc, "rootResourceId"));
    const char *p = path, *s;
    size_t len;

    if (!node || path[0] != '/')
        goto bad;
    while ((s = apigw_path_next(&p, &len))) {
        char part[256];
        cJSON *r, *next = NULL;
        if (len >= sizeof part)
            goto bad;
        snprintf(part, sizeof part, "%.*s", (int)len, s);
        cJSON_ArrayForEach(r, res) {
            const char *pid = apigw_str(r, "parentId"), *pp = apigw_str(r, "pathPart");
            if (pid && pp && !strcmp(pid, apigw_str(node, "id")) && !strcmp(pp, part)) {
                next = r;
                break;
            }
        }
        if (!next && !(next = apigw_resource_add(c, doc, node, part)))
            return NULL;
        node = next;
    }
    return node;
bad:
    ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                   "Invalid OpenAPI input: bad path '%s'", path);
    return NULL;
}

static void copy(cJSON *to, const char *name, const cJSON *from, const char *from_name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(from, from_name);

    if (v) {
        cJSON_DeleteItemFromObjectCaseSensitive(to, name);
        cJSON_AddItemToObject(to, name, cJSON_Duplicate(v, 1));
    }
}

/* What an integration keeps under the same name in OpenAPI's
 * x-amazon-apigateway-integration and in API Gateway's Integration, so
 * import and export copy them alike. */
/* ---- models and request validators ---- */

#define MODEL_URL "https://apigateway.amazonaws.com/restapis/"

/* The definition a document-level $ref names ("#/definitions/X" or
 * "#/components/schemas/X", maybe with a pointer below it after X): X's
 * length, with *name at X; 0 for any other reference. */
static size_t doc_ref(const char *ref, const char **name)
{
    if (ts_starts_with(ref, "#/definitions/"))
        *name = ref + strlen("#/definitions/");
    else if (ts_starts_with(ref, "#/components/schemas/"))
        *name = ref + strlen("#/components/schemas/");
    else
        return 0;
    return strcspn(*name, "/");
}

/* The same for a model's URL (".../restapis/<id>/models/X", maybe with
 * "#/pointer" after it). */
static size_t url_ref(const char *ref, const char **name)
{
    const char *m;

    if (!ts_starts_with(ref, MODEL_URL) || !(m = strstr(ref, "/models/")))
        return 0;
    *name = m + strlen("/models/");
    return strcspn(*name, "#");
}

/* Rewrites every $ref under j that names a model.  Import (prefix NULL):
 * "#/definitions/X/properties/y" becomes X's URL in API api_id with
 * "#/properties/y" after it.  Export: a model's URL becomes prefix + X,
 * its pointer kept after it; a schema's references inside itself
 * ("#/definitions/..." of a model made by CreateModel) are left alone. */
static void refs_rewrite(cJSON *j, const char *api_id, const char *prefix)
{
    cJSON *k;
    char buf[512];

    cJSON_ArrayForEach(k, j) {
        const char *name;
        size_t n;
        if (k->string && !strcmp(k->string, "$ref") && cJSON_IsString(k)) {
            if (!prefix && (n = doc_ref(k->valuestring, &name)))
                snprintf(buf, sizeof buf, MODEL_URL "%s/models/%.*s%s%s", api_id, (int)n, name,
                         name[n] ? "#" : "", name + n);
            else if (prefix && (n = url_ref(k->valuestring, &name)))
                snprintf(buf, sizeof buf, "%s%.*s%s", prefix, (int)n, name,
                         name[n] == '#' ? name + n + 1 : "");
            else
                continue;
            cJSON_SetValuestring(k, buf);
        } else if (cJSON_IsObject(k) || cJSON_IsArray(k)) {
            refs_rewrite(k, api_id, prefix);
        }
    }
}

/* The model a body's schema names by a $ref of either kind (NULL for an
 * inline schema or a pointer into a model), in arena a. */
static const char *ref_model_name(ts_arena *a, const cJSON *schema)
{
    const char *ref = apigw_str(schema, "$ref"), *name;
    size_t n;

    if (!ref || (!(n = doc_ref(ref, &name)) && !(n = url_ref(ref, &name))) || name[n])
        return NULL;
    return ts_arena_strndup(a, name, n);
}

/* Swagger 2's definitions or OpenAPI 3's components.schemas, as models
 * of content type application/json; 0 or -1 with the error set. */
static int import_models(ts_call *c, cJSON *doc, const cJSON *oas)
{
    const cJSON *defs = cJSON_GetObjectItemCaseSensitive(oas, "definitions"), *d;

    if (!defs)
        defs = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(oas, "components"), "schemas");
    if (!cJSON_IsObject(defs))
        return 0;
    cJSON_ArrayForEach(d, defs) {
        cJSON *schema;
        char *text;
        if (!apigw_model_name_ok(d->string))
            return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                  "Errors found during import:\n\tUnable to create model for "
                                  "'%s': Model name must be alphanumeric: %s",
                                  d->string, d->string);
        if (!cJSON_IsObject(d))
            return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                  "Errors found during import:\n\tUnable to create model for "
                                  "'%s': Invalid model specified", d->string);
        schema = cJSON_Duplicate(d, 1);
        refs_rewrite(schema, apigw_str(doc, "id"), NULL);
        text = cJSON_Print(schema);
        apigw_model_set(doc, d->string, "application/json", text);
        cJSON_free(text);
        cJSON_Delete(schema);
    }
    return 0;
}

/* x-amazon-apigateway-request-validators into the API's validators (one
 * of the same name is updated); names maps each name to its id. */
static void import_validators(cJSON *doc, const cJSON *oas, cJSON *names)
{
    const cJSON *vs = cJSON_GetObjectItemCaseSensitive(oas, "x-amazon-apigateway-request-validators");
    const cJSON *v;
    cJSON *map = apigw_member(doc, "_validators");

    if (!cJSON_IsObject(vs))
        return;
    cJSON_ArrayForEach(v, vs) {
        cJSON *item = NULL, *i;
        char id[11];
        cJSON_ArrayForEach(i, map)
            if (apigw_str(i, "name") && !strcmp(apigw_str(i, "name"), v->string))
                item = i;
        if (!item) {
            apigw_new_id(id);
            id[6] = '\0';
            item = cJSON_AddObjectToObject(map, id);
            cJSON_AddStringToObject(item, "id", id);
            cJSON_AddStringToObject(item, "name", v->string);
        }
        cJSON_DeleteItemFromObjectCaseSensitive(item, "validateRequestBody");
        cJSON_DeleteItemFromObjectCaseSensitive(item, "validateRequestParameters");
        cJSON_AddBoolToObject(item, "validateRequestBody",
                              cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "validateRequestBody")));
        cJSON_AddBoolToObject(item, "validateRequestParameters",
                              cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
                                  v, "validateRequestParameters")));
        cJSON_AddStringToObject(names, v->string, apigw_str(item, "id"));
    }
}

/* A method's requestModels from its body's schema references: Swagger
 * 2's "in": "body" parameter (for each type it consumes) or OpenAPI 3's
 * requestBody content.  Inline schemas name no model. */
static void import_request_models(ts_call *c, cJSON *m, const cJSON *op, const cJSON *oas)
{
    cJSON *models = cJSON_CreateObject();
    const cJSON *p, *t, *body = cJSON_GetObjectItemCaseSensitive(op, "requestBody");
    const char *name;

    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(body, "content")) {
        if ((name = ref_model_name(c->req->arena, cJSON_GetObjectItemCaseSensitive(t, "schema"))))
            cJSON_AddStringToObject(models, t->string, name);
    }
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(op, "parameters")) {
        const cJSON *types;
        if (!apigw_str(p, "in") || strcmp(apigw_str(p, "in"), "body") ||
            !(name = ref_model_name(c->req->arena, cJSON_GetObjectItemCaseSensitive(p, "schema"))))
            continue;
        types = cJSON_GetObjectItemCaseSensitive(op, "consumes");
        if (!cJSON_GetArraySize(types))
            types = cJSON_GetObjectItemCaseSensitive(oas, "consumes");
        if (!cJSON_GetArraySize(types))
            cJSON_AddStringToObject(models, "application/json", name);
        cJSON_ArrayForEach(t, types)
            if (cJSON_IsString(t))
                cJSON_AddStringToObject(models, t->valuestring, name);
    }
    if (models->child)
        cJSON_AddItemToObject(m, "requestModels", models);
    else
        cJSON_Delete(models);
}

static const char *const integration_same[] = {
    "uri", "passthroughBehavior", "requestTemplates", "requestParameters", "timeoutInMillis",
    "contentHandling", NULL,
};

/* The authorizers the document's security schemes define. */
static void import_authorizers(cJSON *doc, const cJSON *schemes, cJSON *names)
{
    const cJSON *s;
    cJSON *map = apigw_member(doc, "_authorizers");

    cJSON_ArrayForEach(s, schemes) {
        const cJSON *ext = cJSON_GetObjectItemCaseSensitive(s, "x-amazon-apigateway-authorizer");
        const char *type = apigw_str(ext, "type"), *in = apigw_str(s, "in");
        char id[11], t[32];
        cJSON *a;
        if (!ext) {
            /* An API key scheme marks methods apiKeyRequired. */
            if (in && !strcmp(in, "header") && apigw_str(s, "name") &&
                ts_strieq(apigw_str(s, "name"), "x-api-key"))
                cJSON_AddStringToObject(names, s->string, "!apikey");
            continue;
        }
        apigw_new_id(id);
        id[6] = '\0';
        a = cJSON_AddObjectToObject(map, id);
        cJSON_AddStringToObject(a, "id", id);
        cJSON_AddStringToObject(a, "name", s->string);
        upper(t, sizeof t, type ? type : "token");
        if (!strcmp(t, "COGNITO_USER_POOLS") || !strcmp(t, "TOKEN") || !strcmp(t, "REQUEST"))
            cJSON_AddStringToObject(a, "type", t);
        else
            cJSON_AddStringToObject(a, "type", "TOKEN");
        copy(a, "authorizerUri", ext, "authorizerUri");
        copy(a, "authorizerCredentials", ext, "authorizerCredentials");
        copy(a, "identityValidationExpression", ext, "identityValidationExpression");
        copy(a, "providerARNs", ext, "providerARNs");
        if (apigw_str(ext, "identitySource"))
            copy(a, "identitySource", ext, "identitySource");
        else if (apigw_str(s, "name"))
            cJSON_AddStringToObject(a, "identitySource",
                                    ts_strieq(apigw_str(s, "name"), "") ? ""
                                    : "method.request.header.Authorization");
        copy(a, "authorizerResultTtlInSeconds", ext, "authorizerResultTtlInSeconds");
        if (!cJSON_GetObjectItemCaseSensitive(a, "authorizerResultTtlInSeconds"))
            cJSON_AddNumberToObject(a, "authorizerResultTtlInSeconds", 300);
        cJSON_AddStringToObject(names, s->string, id);
    }
}

static cJSON *import_integration(const cJSON *x, const char *resource_id)
{
    cJSON *in = cJSON_CreateObject(), *ig, *rs;
    const cJSON *r;
    char t[32];

    upper(t, sizeof t, apigw_str(x, "type") ? apigw_str(x, "type") : "mock");
    cJSON_AddStringToObject(in, "type", t);
    if (apigw_str(x, "httpMethod")) {
        char m[16];
        upper(m, sizeof m, apigw_str(x, "httpMethod"));
        cJSON_AddStringToObject(in, "integrationHttpMethod", m);
    }
    for (const char *const *m = integration_same; *m; m++)
        copy(in, *m, x, *m);
    copy(in, "credentials", x, "credentials");
    copy(in, "cacheKeyParameters", x, "cacheKeyParameters");
    copy(in, "connectionType", x, "connectionType");
    if (apigw_str(in, "passthroughBehavior")) {
        char pb[32];
        upper(pb, sizeof pb, apigw_str(in, "passthroughBehavior"));
        cJSON_ReplaceItemInObjectCaseSensitive(in, "passthroughBehavior", cJSON_CreateString(pb));
    }
    ig = apigw_integration_new(in, resource_id);
    cJSON_Delete(in);
    rs = cJSON_AddObjectToObject(ig, "integrationResponses");
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(x, "responses")) {
        const char *code = apigw_str(r, "statusCode");
        cJSON *ir;
        if (!code || cJSON_GetObjectItemCaseSensitive(rs, code))
            continue;
        ir = cJSON_AddObjectToObject(rs, code);
        cJSON_AddStringToObject(ir, "statusCode", code);
        if (strcmp(r->string, "default"))
            cJSON_AddStringToObject(ir, "selectionPattern", r->string);
        copy(ir, "responseParameters", r, "responseParameters");
        copy(ir, "responseTemplates", r, "responseTemplates");
        copy(ir, "contentHandling", r, "contentHandling");
    }
    if (!rs->child)
        cJSON_DeleteItemFromObjectCaseSensitive(ig, "integrationResponses");
    return ig;
}

/* The method op (an OpenAPI operation) of resource res. */
static int import_method(ts_call *c, cJSON *doc, cJSON *res, const char *http_method,
                         const cJSON *op, const cJSON *auth_names, const cJSON *oas,
                         const cJSON *validator_names)
{
    const cJSON *global_security = cJSON_GetObjectItemCaseSensitive(oas, "security");
    const char *vname = apigw_str(op, "x-amazon-apigateway-request-validator");
    const cJSON *sec = cJSON_GetObjectItemCaseSensitive(op, "security"), *s, *p;
    const cJSON *ix = cJSON_GetObjectItemCaseSensitive(op, "x-amazon-apigateway-integration");
    cJSON *ms = apigw_member(res, "resourceMethods"), *m, *params, *mrs;

    if (!sec)
        sec = global_security;
    cJSON_DeleteItemFromObjectCaseSensitive(ms, http_method);
    m = cJSON_AddObjectToObject(ms, http_method);
    cJSON_AddStringToObject(m, "httpMethod", http_method);
    cJSON_AddStringToObject(m, "authorizationType", "NONE");
    cJSON_AddBoolToObject(m, "apiKeyRequired", 0);
    cJSON_ArrayForEach(s, sec) {
        const cJSON *req;
        cJSON_ArrayForEach(req, s) {
            const char *id = apigw_str(auth_names, req->string);
            if (!id)
                continue;
            if (!strcmp(id, "!apikey")) {
                cJSON_ReplaceItemInObjectCaseSensitive(m, "apiKeyRequired", cJSON_CreateTrue());
            } else {
                const cJSON *a = cJSON_GetObjectItemCaseSensitive(
                    cJSON_GetObjectItemCaseSensitive(doc, "_authorizers"), id);
                const char *type = apigw_str(a, "type");
                cJSON_ReplaceItemInObjectCaseSensitive(
                    m, "authorizationType",
                    cJSON_CreateString(type && !strcmp(type, "COGNITO_USER_POOLS")
                                           ? "COGNITO_USER_POOLS" : "CUSTOM"));
                apigw_set_str(m, "authorizerId", id);
            }
        }
    }
    if (apigw_str(op, "operationId"))
        cJSON_AddStringToObject(m, "operationName", apigw_str(op, "operationId"));
    params = cJSON_CreateObject();
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(op, "parameters")) {
        const char *in = apigw_str(p, "in"), *name = apigw_str(p, "name");
        if (!in || !name || (strcmp(in, "path") && strcmp(in, "query") && strcmp(in, "header")))
            continue;
        cJSON_AddBoolToObject(params, ts_arena_printf(c->req->arena, "method.request.%s.%s",
                                                      !strcmp(in, "query") ? "querystring" : in,
                                                      name),
                              cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "required")));
    }
    if (params->child)
        cJSON_AddItemToObject(m, "requestParameters", params);
    else
        cJSON_Delete(params);
    mrs = cJSON_CreateObject();
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(op, "responses")) {
        cJSON *mr;
        const cJSON *h;
        if (strlen(p->string) != 3 || !isdigit((unsigned char)p->string[0]))
            continue;
        mr = cJSON_AddObjectToObject(mrs, p->string);
        cJSON_AddStringToObject(mr, "statusCode", p->string);
        if (cJSON_GetObjectItemCaseSensitive(p, "headers")) {
            cJSON *rp = cJSON_AddObjectToObject(mr, "responseParameters");
            cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(p, "headers"))
                cJSON_AddBoolToObject(rp, ts_arena_printf(c->req->arena,
                                                          "method.response.header.%s",
                                                          h->string), 0);
        }
    }
    if (mrs->child)
        cJSON_AddItemToObject(m, "methodResponses", mrs);
    else
        cJSON_Delete(mrs);
    import_request_models(c, m, op, oas);
    if (apigw_method_models_check(c, doc, m) != 0) {
        /* a body naming a definition the document lacks */
        const char *why = ts_arena_strdup(c->req->arena, c->resp->err_message);
        return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                              "Errors found during import:\n\t%s", why ? why : "");
    }
    if (!vname)
        vname = apigw_str(oas, "x-amazon-apigateway-request-validator");
    if (vname && apigw_str(validator_names, vname))
        cJSON_AddStringToObject(m, "requestValidatorId", apigw_str(validator_names, vname));
    if (ix)
        cJSON_AddItemToObject(m, "methodIntegration", import_integration(ix, apigw_str(res, "id")));
    return 0;
}

/* Reads the OpenAPI body into doc (a new API's, or one being put). */
static int import_into(ts_call *c, cJSON *doc, const cJSON *oas)
{
    const cJSON *info = cJSON_GetObjectItemCaseSensitive(oas, "info");
    const cJSON *paths = cJSON_GetObjectItemCaseSensitive(oas, "paths"), *path, *op;
    const cJSON *schemes = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(oas, "components"), "securitySchemes");
    cJSON *names = cJSON_CreateObject(), *vnames = cJSON_CreateObject();
    int rc = -1;

    if (!cJSON_IsObject(oas) || (!cJSON_GetObjectItemCaseSensitive(oas, "openapi") &&
                                 !cJSON_GetObjectItemCaseSensitive(oas, "swagger"))) {
        ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                      "Invalid OpenAPI input: the document has no 'openapi' or 'swagger' "
                      "version (tinystack reads OpenAPI documents in JSON)");
        goto out;
    }
    if (!schemes)
        schemes = cJSON_GetObjectItemCaseSensitive(oas, "securityDefinitions");
    if (apigw_str(info, "title"))
        apigw_set_str(doc, "name", apigw_str(info, "title"));
    if (apigw_str(info, "description"))
        apigw_set_str(doc, "description", apigw_str(info, "description"));
    if (apigw_str(info, "version"))
        apigw_set_str(doc, "version", apigw_str(info, "version"));
    copy(doc, "binaryMediaTypes", oas, "x-amazon-apigateway-binary-media-types");
    if (apigw_str(oas, "x-amazon-apigateway-api-key-source"))
        apigw_set_str(doc, "apiKeySource", apigw_str(oas, "x-amazon-apigateway-api-key-source"));
    import_authorizers(doc, schemes, names);
    import_validators(doc, oas, vnames);
    if (import_models(c, doc, oas) != 0)
        goto out;
    cJSON_ArrayForEach(path, paths) {
        cJSON *res = ensure_path(c, doc, path->string);
        if (!res)
            goto out;
        cJSON_ArrayForEach(op, path) {
            char m[16];
            int known = 0;
            for (const char *const *k = oas_methods; *k; k++)
                known |= !strcmp(*k, op->string);
            if (!known)
                continue;
            if (!strcmp(op->string, "x-amazon-apigateway-any-method"))
                snprintf(m, sizeof m, "ANY");
            else
                upper(m, sizeof m, op->string);
            if (import_method(c, doc, res, m, op, names, oas, vnames) != 0)
                goto out;
        }
    }
    {
        const cJSON *gr = cJSON_GetObjectItemCaseSensitive(oas, "x-amazon-apigateway-gateway-responses"), *g;
        cJSON *map = apigw_member(doc, "_gatewayResponses");
        cJSON_ArrayForEach(g, gr) {
            cJSON *o;
            if (apigw_gateway_status(g->string) < 0)
                continue;
            cJSON_DeleteItemFromObjectCaseSensitive(map, g->string);
            o = cJSON_AddObjectToObject(map, g->string);
            cJSON_AddStringToObject(o, "responseType", g->string);
            copy(o, "statusCode", g, "statusCode");
            copy(o, "responseParameters", g, "responseParameters");
            copy(o, "responseTemplates", g, "responseTemplates");
            cJSON_AddBoolToObject(o, "defaultResponse", 0);
        }
    }
    rc = 0;
out:
    cJSON_Delete(names);
    cJSON_Delete(vnames);
    return rc;
}

/* The OpenAPI document in the body: JSON, else YAML. */
static cJSON *body_json(ts_call *c)
{
    cJSON *oas = cJSON_ParseWithLength(c->req->body.data, c->req->body.len);
    char err[256];

    if (!oas && c->req->body.len && c->req->body.data[strspn(c->req->body.data, " \t\r\n")] != '{')
        oas = ts_yaml_parse(c->req->body.data, c->req->body.len, err, sizeof err);
    else
        snprintf(err, sizeof err, "the body is not a JSON object");
    if (!oas)
        ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST, "Invalid OpenAPI input: %s",
                       err);
    return oas;
}

int apigw_import_rest_api(ts_call *c)
{
    cJSON *oas = body_json(c), *doc;
    int rc = -1;

    if (!oas)
        return -1;
    doc = apigw_rest_new(c, "imported");
    if (import_into(c, doc, oas) == 0 &&
        apigw_api_insert(c, apigw_str(doc, "id"), APIGW_KIND_REST, doc) == 0)
        rc = apigw_answer(c, 201, apigw_public(doc));
    cJSON_Delete(doc);
    cJSON_Delete(oas);
    return rc;
}

int apigw_put_rest_api(ts_call *c)
{
    const char *mode = apigw_str(c->in, "mode");
    cJSON *doc = apigw_rest_load(c), *oas;
    int rc = -1;

    if (!doc)
        return -1;
    if (!(oas = body_json(c))) {
        cJSON_Delete(doc);
        return -1;
    }
    if (!mode || strcmp(mode, "merge")) {
        /* overwrite: only the root resource stays. */
        cJSON *res = cJSON_GetObjectItemCaseSensitive(doc, "_resources");
        const char *root = apigw_str(doc, "rootResourceId");
        for (cJSON *r = res ? res->child : NULL, *next; r; r = next) {
            next = r->next;
            if (strcmp(r->string, root))
                cJSON_Delete(cJSON_DetachItemViaPointer(res, r));
            else
                cJSON_DeleteItemFromObjectCaseSensitive(r, "resourceMethods");
        }
        cJSON_DeleteItemFromObjectCaseSensitive(doc, "_authorizers");
        cJSON_DeleteItemFromObjectCaseSensitive(doc, "_gatewayResponses");
        cJSON_DeleteItemFromObjectCaseSensitive(doc, "_validators");
        cJSON_DeleteItemFromObjectCaseSensitive(doc, "_models");
        apigw_models_default(doc);
    }
    if (import_into(c, doc, oas) == 0)
        rc = apigw_save_answer(c, doc, 200, apigw_public(doc));
    cJSON_Delete(doc);
    cJSON_Delete(oas);
    return rc;
}

/* ---- export ---- */

static void lower(char *out, size_t n, const char *s)
{
    size_t i;

    for (i = 0; s[i] && i + 1 < n; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[i] = '\0';
}

static cJSON *export_integration(const cJSON *ig)
{
    cJSON *x = cJSON_CreateObject(), *rs;
    const cJSON *r;
    char t[32];

    lower(t, sizeof t, apigw_str(ig, "type") ? apigw_str(ig, "type") : "mock");
    cJSON_AddStringToObject(x, "type", t);
    copy(x, "httpMethod", ig, "httpMethod");
    for (const char *const *m = integration_same; *m; m++)
        copy(x, *m, ig, *m);
    rs = cJSON_AddObjectToObject(x, "responses");
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(ig, "integrationResponses")) {
        const char *pat = apigw_str(r, "selectionPattern");
        cJSON *o = cJSON_AddObjectToObject(rs, pat && *pat ? pat : "default");
        copy(o, "statusCode", r, "statusCode");
        copy(o, "responseParameters", r, "responseParameters");
        copy(o, "responseTemplates", r, "responseTemplates");
    }
    return x;
}

/* A method's requestParameters, requestModels and request validator as
 * the operation's parameters, body and x-amazon-apigateway-request-
 * validator. */
static void export_request(cJSON *op, const cJSON *snap, const cJSON *m, int oas3)
{
    const char *prefix = oas3 ? "#/components/schemas/" : "#/definitions/";
    const cJSON *p, *models = cJSON_GetObjectItemCaseSensitive(m, "requestModels");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(snap, "_validators"),
        apigw_str(m, "requestValidatorId") ? apigw_str(m, "requestValidatorId") : "");
    cJSON *params = cJSON_CreateArray();
    char ref[300];

    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(m, "requestParameters")) {
        const char *where, *dot;
        cJSON *o;
        if (!ts_starts_with(p->string, "method.request.") ||
            !(dot = strchr(where = p->string + strlen("method.request."), '.')))
            continue;
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", dot + 1);
        cJSON_AddStringToObject(o, "in", strstr(where, "querystring.") == where ||
                                             strstr(where, "multivaluequerystring.") == where
                                         ? "query"
                                         : strstr(where, "header.") == where ||
                                                   strstr(where, "multivalueheader.") == where
                                               ? "header" : "path");
        cJSON_AddBoolToObject(o, "required", cJSON_IsTrue(p));
        if (oas3)
            cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "schema"), "type", "string");
        else
            cJSON_AddStringToObject(o, "type", "string");
        cJSON_AddItemToArray(params, o);
    }
    if (models && models->child) {
        if (oas3) {
            cJSON *content = cJSON_AddObjectToObject(cJSON_AddObjectToObject(op, "requestBody"),
                                                     "content");
            cJSON_ArrayForEach(p, models) {
                snprintf(ref, sizeof ref, "%s%s", prefix, cJSON_IsString(p) ? p->valuestring : "");
                cJSON_AddStringToObject(
                    cJSON_AddObjectToObject(cJSON_AddObjectToObject(content, p->string), "schema"),
                    "$ref", ref);
            }
            cJSON_AddBoolToObject(cJSON_GetObjectItemCaseSensitive(op, "requestBody"),
                                  "required", 1);
        } else {
            cJSON *o = cJSON_CreateObject(), *types = cJSON_AddArrayToObject(op, "consumes");
            cJSON_ArrayForEach(p, models)
                cJSON_AddItemToArray(types, cJSON_CreateString(p->string));
            snprintf(ref, sizeof ref, "%s%s", prefix,
                     cJSON_IsString(models->child) ? models->child->valuestring : "");
            cJSON_AddStringToObject(o, "in", "body");
            cJSON_AddStringToObject(o, "name", cJSON_IsString(models->child)
                                                   ? models->child->valuestring : "body");
            cJSON_AddBoolToObject(o, "required", 1);
            cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "schema"), "$ref", ref);
            cJSON_AddItemToArray(params, o);
        }
    }
    if (params->child)
        cJSON_AddItemToObject(op, "parameters", params);
    else
        cJSON_Delete(params);
    if (apigw_str(v, "name"))
        cJSON_AddStringToObject(op, "x-amazon-apigateway-request-validator", apigw_str(v, "name"));
}

/* The API's models as definitions (Swagger 2) or components.schemas, and
 * its validators as x-amazon-apigateway-request-validators. */
static void export_models(cJSON *out, const cJSON *snap, int oas3)
{
    const cJSON *m, *v;
    cJSON *defs = NULL, *vs = NULL;

    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(snap, "_models")) {
        cJSON *schema = cJSON_Parse(apigw_str(m, "schema") ? apigw_str(m, "schema") : "{}");
        if (!schema)
            continue;
        if (!defs)
            defs = oas3 ? apigw_member(apigw_member(out, "components"), "schemas")
                        : cJSON_AddObjectToObject(out, "definitions");
        refs_rewrite(schema, NULL, oas3 ? "#/components/schemas/" : "#/definitions/");
        cJSON_AddItemToObject(defs, m->string, schema);
    }
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(snap, "_validators")) {
        cJSON *o;
        if (!apigw_str(v, "name"))
            continue;
        if (!vs)
            vs = cJSON_AddObjectToObject(out, "x-amazon-apigateway-request-validators");
        o = cJSON_AddObjectToObject(vs, apigw_str(v, "name"));
        cJSON_AddBoolToObject(o, "validateRequestBody",
                              cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "validateRequestBody")));
        cJSON_AddBoolToObject(o, "validateRequestParameters",
                              cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
                                  v, "validateRequestParameters")));
    }
}

int apigw_get_export(ts_call *c)
{
    const char *api_id = apigw_str(c->in, "restApiId"), *type = apigw_str(c->in, "exportType");
    cJSON *stage, *snap = NULL, *out, *paths, *auths = NULL;
    const cJSON *res, *r, *m;
    int oas3;
    char *text;

    if (apigw_rest_exists(c) != 0)
        return -1;
    if (!type || (strcmp(type, "oas30") && strcmp(type, "swagger")))
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "Export type must be one of: oas30, swagger");
    oas3 = !strcmp(type, "oas30");
    if (!(stage = apigw_stage_load(c, api_id, apigw_str(c->in, "stageName"))))
        return -1;
    cJSON_Delete(apigw_deployment_load(api_id, apigw_str(stage, "deploymentId"), &snap));
    if (!snap) {
        cJSON_Delete(stage);
        return ts_resp_error(c->resp, TS_ERR_APIGW_NOT_FOUND,
                             "Invalid Deployment identifier specified");
    }
    out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, oas3 ? "openapi" : "swagger", oas3 ? "3.0.1" : "2.0");
    {
        cJSON *info = cJSON_AddObjectToObject(out, "info");
        cJSON_AddStringToObject(info, "title", apigw_str(snap, "name"));
        if (apigw_str(snap, "description"))
            cJSON_AddStringToObject(info, "description", apigw_str(snap, "description"));
        cJSON_AddStringToObject(info, "version", apigw_str(snap, "version")
                                                     ? apigw_str(snap, "version") : "1.0");
    }
    paths = cJSON_AddObjectToObject(out, "paths");
    res = cJSON_GetObjectItemCaseSensitive(snap, "_resources");
    cJSON_ArrayForEach(r, res) {
        const cJSON *ms = cJSON_GetObjectItemCaseSensitive(r, "resourceMethods");
        cJSON *p;
        if (!ms || !ms->child)
            continue;
        p = cJSON_AddObjectToObject(paths, apigw_str(r, "path"));
        cJSON_ArrayForEach(m, ms) {
            char name[40];
            cJSON *op;
            const cJSON *ig = cJSON_GetObjectItemCaseSensitive(m, "methodIntegration"), *mr;
            const char *auth = apigw_str(m, "authorizerId");
            if (!strcmp(m->string, "ANY"))
                snprintf(name, sizeof name, "x-amazon-apigateway-any-method");
            else
                lower(name, sizeof name, m->string);
            op = cJSON_AddObjectToObject(p, name);
            export_request(op, snap, m, oas3);
            {
                cJSON *resp = cJSON_AddObjectToObject(op, "responses");
                cJSON_ArrayForEach(mr, cJSON_GetObjectItemCaseSensitive(m, "methodResponses"))
                    cJSON_AddStringToObject(cJSON_AddObjectToObject(resp, mr->string),
                                            "description", mr->string);
            }
            if (auth) {
                const cJSON *a = cJSON_GetObjectItemCaseSensitive(
                    cJSON_GetObjectItemCaseSensitive(snap, "_authorizers"), auth);
                if (a) {
                    cJSON *sec = cJSON_AddArrayToObject(op, "security"), *e = cJSON_CreateObject();
                    cJSON_AddArrayToObject(e, apigw_str(a, "name"));
                    cJSON_AddItemToArray(sec, e);
                }
            }
            if (ig)
                cJSON_AddItemToObject(op, "x-amazon-apigateway-integration",
                                      export_integration(ig));
        }
    }
    export_models(out, snap, oas3);
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(snap, "_authorizers")) {
        cJSON *s, *ext;
        char t[32];
        if (!auths) {
            auths = oas3 ? cJSON_AddObjectToObject(apigw_member(out, "components"),
                                                   "securitySchemes")
                         : cJSON_AddObjectToObject(out, "securityDefinitions");
        }
        s = cJSON_AddObjectToObject(auths, apigw_str(r, "name"));
        cJSON_AddStringToObject(s, "type", "apiKey");
        cJSON_AddStringToObject(s, "name", "Authorization");
        cJSON_AddStringToObject(s, "in", "header");
        cJSON_AddStringToObject(s, "x-amazon-apigateway-authtype", "custom");
        ext = cJSON_AddObjectToObject(s, "x-amazon-apigateway-authorizer");
        lower(t, sizeof t, apigw_str(r, "type") ? apigw_str(r, "type") : "token");
        cJSON_AddStringToObject(ext, "type", t);
        copy(ext, "authorizerUri", r, "authorizerUri");
        copy(ext, "identitySource", r, "identitySource");
        copy(ext, "authorizerResultTtlInSeconds", r, "authorizerResultTtlInSeconds");
    }
    copy(out, "x-amazon-apigateway-binary-media-types", snap, "binaryMediaTypes");
    text = cJSON_Print(out);
    cJSON_Delete(out);
    cJSON_Delete(snap);
    cJSON_Delete(stage);
    apigw_answer(c, 200, NULL);
    ts_buf_puts(&c->resp->body, text);
    cJSON_free(text);
    ts_resp_header(c->req, c->resp, "Content-Type", "application/json");
    ts_resp_headerf(c->req, c->resp, "Content-Disposition", "attachment; filename=\"%s.json\"",
                    type);
    return 0;
}
