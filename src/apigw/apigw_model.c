/*
 * apigw_model.c - a REST API's models: named JSON Schemas (draft 4) that
 * a method's requestModels name per content type, which its request
 * validator checks a body against (apigw_exec.c, apigw_schema.c).
 * They live in the API's document under "_models", keyed by name, each
 * as GetModel answers it.  A new API has API Gateway's two: Empty and
 * Error.
 */
#include "apigw_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tinystack/core.h"

static const char empty_schema[] =
    "{\n  \"$schema\": \"http://json-schema.org/draft-04/schema#\",\n"
    "  \"title\" : \"Empty Schema\",\n  \"type\" : \"object\"\n}";
static const char error_schema[] =
    "{\n  \"$schema\" : \"http://json-schema.org/draft-04/schema#\",\n"
    "  \"title\" : \"Error Schema\",\n  \"type\" : \"object\",\n"
    "  \"properties\" : {\n    \"message\" : { \"type\" : \"string\" }\n  }\n}";

static cJSON *model_add(cJSON *models, const char *name, const char *type, const char *schema,
                        const char *description)
{
    char id[11];
    cJSON *m = cJSON_AddObjectToObject(models, name);

    apigw_new_id(id);
    id[6] = '\0';
    cJSON_AddStringToObject(m, "id", id);
    cJSON_AddStringToObject(m, "name", name);
    if (description)
        cJSON_AddStringToObject(m, "description", description);
    if (schema)
        cJSON_AddStringToObject(m, "schema", schema);
    cJSON_AddStringToObject(m, "contentType", type);
    return m;
}

void apigw_models_default(cJSON *doc)
{
    cJSON *models = apigw_member(doc, "_models");

    model_add(models, "Empty", "application/json", empty_schema,
              "This is a default empty schema model");
    model_add(models, "Error", "application/json", error_schema,
              "This is a default error schema model");
}

cJSON *apigw_model_set(cJSON *doc, const char *name, const char *type, const char *schema)
{
    cJSON *models = apigw_member(doc, "_models"), *old = apigw_model_find(doc, name), *m;

    m = model_add(models, name, type, schema, NULL);
    if (old) {
        cJSON_ReplaceItemInObjectCaseSensitive(m, "id", cJSON_CreateString(apigw_str(old, "id")));
        if (apigw_str(old, "description"))
            cJSON_AddStringToObject(m, "description", apigw_str(old, "description"));
        cJSON_Delete(cJSON_DetachItemViaPointer(models, old));
    }
    return m;
}

cJSON *apigw_model_find(const cJSON *doc, const char *name)
{
    cJSON *m = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(doc, "_models"), name ? name : "");

    return cJSON_IsObject(m) ? m : NULL;
}

int apigw_model_name_ok(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
            return 0;
    return 1;
}

/* A model's schema must be a JSON object (or absent). */
static int schema_check(ts_call *c, const char *schema)
{
    cJSON *j = schema ? cJSON_Parse(schema) : NULL;
    int ok = !schema || cJSON_IsObject(j);

    cJSON_Delete(j);
    if (!ok)
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "Invalid model specified: Validation Result: warnings : [], "
                             "errors : [Invalid model schema specified]");
    return 0;
}

/* "/notas/POST" for method meth of resource res ("/POST" at the root). */
static const char *method_path(ts_call *c, const cJSON *res, const cJSON *meth)
{
    const char *path = apigw_str(res, "path");

    return ts_arena_printf(c->req->arena, "%s/%s", path && strcmp(path, "/") ? path : "",
                           meth->string);
}

/* The method path a model is named by, as "/notas/POST", or NULL. */
static const char *model_user(ts_call *c, const cJSON *doc, const char *name)
{
    const cJSON *res, *meth, *m;

    cJSON_ArrayForEach(res, cJSON_GetObjectItemCaseSensitive(doc, "_resources"))
        cJSON_ArrayForEach(meth, cJSON_GetObjectItemCaseSensitive(res, "resourceMethods")) {
            const cJSON *resp;
            cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(meth, "requestModels"))
                if (cJSON_IsString(m) && !strcmp(m->valuestring, name))
                    return method_path(c, res, meth);
            cJSON_ArrayForEach(resp, cJSON_GetObjectItemCaseSensitive(meth, "methodResponses"))
                cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(resp, "responseModels"))
                    if (cJSON_IsString(m) && !strcmp(m->valuestring, name))
                        return method_path(c, res, meth);
        }
    return NULL;
}

static int by_name(const void *a, const void *b)
{
    return strcmp((*(cJSON *const *)a)->string, (*(cJSON *const *)b)->string);
}

int apigw_create_model(ts_call *c)
{
    const char *name = apigw_str(c->in, "name"), *schema = apigw_str(c->in, "schema");
    cJSON *doc, *models, *m;
    int rc;

    if (!apigw_model_name_ok(name))
        return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                              "Model name must be alphanumeric: %s", name ? name : "");
    if (schema_check(c, schema) != 0 || !(doc = apigw_rest_load(c)))
        return -1;
    models = apigw_member(doc, "_models");
    if (apigw_model_find(doc, name)) {
        cJSON_Delete(doc);
        return ts_resp_error(c->resp, TS_ERR_APIGW_CONFLICT,
                             "Model name already exists for this REST API");
    }
    if (cJSON_GetArraySize(models) >= 500) {
        cJSON_Delete(doc);
        return ts_resp_error(c->resp, TS_ERR_APIGW_LIMIT, "Limit of 500 Models reached");
    }
    m = model_add(models, name, apigw_str(c->in, "contentType"), schema,
                  apigw_str(c->in, "description"));
    rc = apigw_save_answer(c, doc, 201, cJSON_Duplicate(m, 1));
    cJSON_Delete(doc);
    return rc;
}

/* The model c->in names in doc; NULL with NotFoundException set. */
static cJSON *model_named(ts_call *c, cJSON *doc)
{
    const char *name = apigw_str(c->in, "modelName");
    cJSON *m = apigw_model_find(doc, name);

    if (!m)
        ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_NOT_FOUND, "Invalid model name specified: %s",
                       name ? name : "");
    return m;
}

int apigw_get_model(ts_call *c)
{
    cJSON *doc = apigw_rest_load(c), *m;
    int rc = -1;

    if (doc && (m = model_named(c, doc)))
        rc = apigw_answer(c, 200, cJSON_Duplicate(m, 1));
    cJSON_Delete(doc);
    return rc;
}

int apigw_get_models(ts_call *c)
{
    cJSON *doc = apigw_rest_load(c), *all, *m, **v;
    int n, i = 0;

    if (!doc)
        return -1;
    n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "_models"));
    v = ts_arena_alloc(c->req->arena, (size_t)(n ? n : 1) * sizeof(*v));
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(doc, "_models"))
        v[i++] = m;
    qsort(v, (size_t)n, sizeof(*v), by_name);
    all = cJSON_CreateArray();
    for (i = 0; i < n; i++)
        cJSON_AddItemToArray(all, cJSON_Duplicate(v[i], 1));
    cJSON_Delete(doc);
    return apigw_page(c, cJSON_CreateObject(), "item", all);
}

int apigw_update_model(ts_call *c)
{
    static const char *const paths[] = {"/schema", "/description", NULL};
    cJSON *doc = apigw_rest_load(c), *m;
    int rc = -1;

    if (doc && (m = model_named(c, doc)) && apigw_patch(c, m, paths) == 0 &&
        schema_check(c, apigw_str(m, "schema")) == 0)
        rc = apigw_save_answer(c, doc, 200, cJSON_Duplicate(m, 1));
    cJSON_Delete(doc);
    return rc;
}

int apigw_delete_model(ts_call *c)
{
    cJSON *doc = apigw_rest_load(c), *m;
    const char *user;
    int rc = -1;

    if (!doc || !(m = model_named(c, doc)))
        goto out;
    if ((user = model_user(c, doc, m->string))) {
        ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_CONFLICT,
                       "Cannot delete model '%s', is referenced in method request: %s",
                       m->string, user);
        goto out;
    }
    cJSON_Delete(cJSON_DetachItemViaPointer(apigw_member(doc, "_models"), m));
    rc = apigw_save_answer(c, doc, 202, NULL);
out:
    cJSON_Delete(doc);
    return rc;
}

int apigw_method_models_check(ts_call *c, const cJSON *doc, const cJSON *method)
{
    const cJSON *m, *v = cJSON_GetObjectItemCaseSensitive(method, "requestValidatorId");

    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(method, "requestModels"))
        if (cJSON_IsString(m) && !apigw_model_find(doc, m->valuestring))
            return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                  "Invalid model identifier specified: %s", m->valuestring);
    if (cJSON_IsString(v) && *v->valuestring &&
        !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(doc, "_validators"), v->valuestring)))
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "Invalid Request Validator identifier specified");
    return 0;
}

/* ---- the request validator (REST data plane) ---- */

typedef struct refs {
    const cJSON *api;
    const cJSON *model[32]; /* other models a $ref reached ... */
    cJSON *parsed[32];      /* ... and their schemas, parsed once */
    int n;
} refs;

static const cJSON *ref_model(void *arg, const char *name)
{
    refs *r = arg;
    const cJSON *m = apigw_model_find(r->api, name);
    const char *text = apigw_str(m, "schema");

    for (int i = 0; i < r->n; i++)
        if (r->model[i] == m)
            return r->parsed[i];
    if (!text || r->n == (int)TS_ARRAY_LEN(r->parsed))
        return NULL;
    r->model[r->n] = m;
    return r->parsed[r->n++] = cJSON_Parse(text);
}

/* The model requestModels names for the request's Content-Type (its
 * media type, without parameters), else its "$default"; NULL for none. */
static const cJSON *body_model(apigw_exec *x)
{
    const cJSON *models = cJSON_GetObjectItemCaseSensitive(x->method, "requestModels");
    const char *ct = ts_req_header(x->c->req, "content-type");
    const cJSON *name = NULL, *m;
    char type[128];
    size_t n = 0;

    if (!ct)
        ct = "application/json";
    while (ct[n] && ct[n] != ';' && ct[n] != ' ' && n + 1 < sizeof(type)) {
        type[n] = (char)(ct[n] >= 'A' && ct[n] <= 'Z' ? ct[n] - 'A' + 'a' : ct[n]);
        n++;
    }
    type[n] = '\0';
    cJSON_ArrayForEach(m, models)
        if (!strcasecmp(m->string, type))
            name = m;
    if (!name)
        name = cJSON_GetObjectItemCaseSensitive(models, "$default");
    return cJSON_IsString(name) ? apigw_model_find(x->api, name->valuestring) : NULL;
}

static int body_valid(apigw_exec *x, const cJSON *model)
{
    const ts_buf *body = &x->c->req->body;
    cJSON *schema = cJSON_Parse(apigw_str(model, "schema") ? apigw_str(model, "schema") : "{}");
    cJSON *value = body->len ? cJSON_ParseWithLength(body->data, body->len) : cJSON_CreateObject();
    refs r;
    int ok;

    memset(&r, 0, sizeof(r));
    r.api = x->api;
    ok = value && (!schema || apigw_schema_valid(schema, value, ref_model, &r));
    for (int i = 0; i < r.n; i++)
        cJSON_Delete(r.parsed[i]);
    cJSON_Delete(schema);
    cJSON_Delete(value);
    return ok;
}

int apigw_request_validate(apigw_exec *x)
{
    const char *id = apigw_str(x->method, "requestValidatorId");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(x->api, "_validators"), id ? id : "");
    const cJSON *p, *model;

    if (!cJSON_IsObject(v))
        return 0;
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "validateRequestParameters"))) {
        ts_buf missing;
        ts_buf_init(&missing);
        cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(x->method, "requestParameters")) {
            const char *value, *name = strrchr(p->string, '.');
            if (!cJSON_IsTrue(p) || !ts_starts_with(p->string, "method.request.") || !name)
                continue;
            if (ts_starts_with(p->string, "method.request.multivaluequerystring."))
                value = ts_req_query(x->c->req, name + 1);
            else if (ts_starts_with(p->string, "method.request.multivalueheader."))
                value = ts_req_header(x->c->req, name + 1);
            else
                value = apigw_param_value(x, p->string);
            if (value && *value)
                continue;
            ts_buf_puts(&missing, missing.len ? ", " : "Missing required request parameters: [");
            ts_buf_puts(&missing, name + 1);
        }
        if (missing.len) {
            ts_buf_putc(&missing, ']');
            apigw_gateway_reply(x, "BAD_REQUEST_PARAMETERS", 0,
                                ts_arena_strdup(x->c->req->arena, missing.data));
            ts_buf_free(&missing);
            return -1;
        }
        ts_buf_free(&missing);
    }
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "validateRequestBody")) &&
        (model = body_model(x)) && !body_valid(x, model)) {
        apigw_gateway_reply(x, "BAD_REQUEST_BODY", 0, NULL);
        return -1;
    }
    return 0;
}
