/*
 * apigw_v2_stage.c - an HTTP API's stages and deployments.  A stage is a
 * row of apigw_stage (doc: GetStage's answer); a deployment a row of
 * apigw_deployment (doc: GetDeployment's answer, snapshot: the API's doc
 * as it was deployed).  A stage serves its deployment's snapshot, or the
 * API as it is when it deploys itself (autoDeploy): then, as on AWS, every
 * change to the API makes a new automatic deployment the stage points at
 * ("Successfully deployed stage with deployment ID '...'").  Unlike AWS,
 * an automatic deployment no stage points at any more is dropped, so a
 * script making a thousand routes does not keep a thousand snapshots.
 */
#include "apigw_int.h"

#include <string.h>

#include "tinystack/store.h"

static const char *const stage_members[] = {
    "accessLogSettings", "autoDeploy", "clientCertificateId", "defaultRouteSettings",
    "deploymentId", "description", "routeSettings", "stageVariables", NULL,
};

static void stmt_doc_bind(sqlite3_stmt *st, int col, const cJSON *doc)
{
    char *text = cJSON_PrintUnformatted(doc);

    sqlite3_bind_text(st, col, text ? text : "{}", -1, SQLITE_TRANSIENT);
    cJSON_free(text);
}

int apigw_v2_stage_exists(const char *api_id, const char *name)
{
    sqlite3_stmt *st = store_stmt("SELECT 1 FROM apigw_stage WHERE api_id = ?1 AND name = ?2");
    int found;

    store_bind_text(st, 1, api_id ? api_id : "");
    store_bind_text(st, 2, name ? name : "");
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return found;
}

cJSON *apigw_v2_stage_load(ts_call *c, const char *api_id, const char *name)
{
    sqlite3_stmt *st = store_stmt("SELECT doc FROM apigw_stage WHERE api_id = ?1 AND name = ?2");
    cJSON *doc;

    store_bind_text(st, 1, api_id ? api_id : "");
    store_bind_text(st, 2, name ? name : "");
    if (!(doc = apigw_row_doc(st)))
        ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_NOT_FOUND,
                       "Invalid stage identifier specified %s", name ? name : "");
    return doc;
}

int apigw_v2_stage_save(ts_call *c, const char *api_id, const char *name, const cJSON *doc,
                        int insert)
{
    sqlite3_stmt *st = store_stmt(
        insert ? "INSERT INTO apigw_stage(api_id, name, created, doc) VALUES (?1, ?2, ?4, ?3)"
               : "UPDATE apigw_stage SET doc = ?3 WHERE api_id = ?1 AND name = ?2");

    store_bind_text(st, 1, api_id);
    store_bind_text(st, 2, name);
    stmt_doc_bind(st, 3, doc);
    if (insert)
        sqlite3_bind_int64(st, 4, apigw_stamp());
    return apigw_row_done(c, st);
}

/* Drops automatic deployment id of api_id once no stage points at it. */
static int prune(ts_call *c, const char *api_id, const char *id)
{
    sqlite3_stmt *st = store_stmt("SELECT doc FROM apigw_deployment WHERE api_id = ?1 AND id = ?2");
    cJSON *dep;
    int automatic;

    store_bind_text(st, 1, api_id);
    store_bind_text(st, 2, id);
    dep = apigw_row_doc(st);
    automatic = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(dep, "autoDeployed"));
    cJSON_Delete(dep);
    if (!automatic)
        return 0;
    /* in use, or the store cannot say: it stays */
    if (apigw_deployment_used(api_id, id) != 0)
        return 0;
    st = store_stmt("DELETE FROM apigw_deployment WHERE api_id = ?1 AND id = ?2");
    store_bind_text(st, 1, api_id);
    store_bind_text(st, 2, id);
    return apigw_row_done(c, st);
}

int apigw_v2_deploy(ts_call *c, const char *api_id, const cJSON *doc, const char *stage,
                    int automatic, const char *description, cJSON **out)
{
    sqlite3_stmt *st;
    char id[16], date[32], *prev = NULL;
    cJSON *dep = cJSON_CreateObject(), *sdoc = NULL;
    int rc = -1;

    apigw_v2_id(id, APIGW_V2_SHORT_ID);
    apigw_v2_date(date);
    cJSON_AddBoolToObject(dep, "autoDeployed", automatic);
    cJSON_AddStringToObject(dep, "createdDate", date);
    cJSON_AddStringToObject(dep, "deploymentId", id);
    cJSON_AddStringToObject(dep, "deploymentStatus", "DEPLOYED");
    if (automatic)
        description = "Automatic deployment triggered by changes to the Api configuration";
    if (description)
        cJSON_AddStringToObject(dep, "description", description);
    st = store_stmt("INSERT INTO apigw_deployment(api_id, id, created, doc, snapshot)"
                    " VALUES (?1, ?2, ?3, ?4, ?5)");
    store_bind_text(st, 1, api_id);
    store_bind_text(st, 2, id);
    sqlite3_bind_int64(st, 3, apigw_stamp());
    stmt_doc_bind(st, 4, dep);
    stmt_doc_bind(st, 5, doc);
    if (apigw_row_done(c, st) != 0)
        goto out;
    if (stage) {
        if (!(sdoc = apigw_v2_stage_load(c, api_id, stage)))
            goto out;
        if (apigw_str(sdoc, "deploymentId"))
            prev = ts_arena_strdup(c->req->arena, apigw_str(sdoc, "deploymentId"));
        apigw_set_str(sdoc, "deploymentId", id);
        apigw_set_str(sdoc, "lastUpdatedDate", date);
        if (automatic)
            apigw_set_str(sdoc, "lastDeploymentStatusMessage",
                          ts_arena_printf(c->req->arena,
                                          "Successfully deployed stage with deployment ID '%s'",
                                          id));
        if (apigw_v2_stage_save(c, api_id, stage, sdoc, 0) != 0)
            goto out;
        if (automatic && prev && prune(c, api_id, prev) != 0)
            goto out;
    }
    rc = 0;
out:
    cJSON_Delete(sdoc);
    if (rc == 0 && out)
        *out = dep;
    else
        cJSON_Delete(dep);
    return rc;
}

int apigw_v2_autodeploy(ts_call *c, const char *api_id, const cJSON *doc)
{
    sqlite3_stmt *st;
    cJSON *names, *n;
    int rc = 0;

    /* AWS deploys nothing from an API without routes */
    if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "routes")) == 0)
        return 0;
    names = cJSON_CreateArray();
    st = store_stmt("SELECT name, doc FROM apigw_stage WHERE api_id = ?1 ORDER BY created, name");
    store_bind_text(st, 1, api_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *sdoc = cJSON_Parse((const char *)sqlite3_column_text(st, 1));
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sdoc, "autoDeploy")))
            cJSON_AddItemToArray(names,
                                 cJSON_CreateString((const char *)sqlite3_column_text(st, 0)));
        cJSON_Delete(sdoc);
    }
    sqlite3_reset(st);
    cJSON_ArrayForEach(n, names)
        if ((rc = apigw_v2_deploy(c, api_id, doc, n->valuestring, 1, NULL, NULL)) != 0)
            break;
    cJSON_Delete(names);
    return rc;
}

/* ---- stages ---- */

static int stage_name_check(ts_call *c, const char *name)
{
    static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";

    if (!strcmp(name, "$default") ||
        (*name && strlen(name) <= 128 && strspn(name, ok) == strlen(name)))
        return 0;
    return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                          "Invalid stage name specified: '%.128s'. A stage name is $default or "
                          "consists of a-zA-Z0-9_-", name);
}

/* What a stage's members must be: variables of AWS's characters, route
 * settings for routes the API has, a deployment it has. */
static int stage_check(ts_call *c, const char *api_id, cJSON *api, const cJSON *in)
{
    static const char name_ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
    static const char value_ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                   "-._~:/?#&=,";
    static const apigw_v2_len lengths[] = {
        {"description", 0, 1024}, {NULL, 0, 0},
    };
    const cJSON *v;
    const char *dep = apigw_str(in, "deploymentId");

    if (apigw_v2_lengths(c, in, lengths) != 0)
        return -1;

    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(in, "stageVariables")) {
        size_t n = strlen(v->string);
        if (!n || n > 64 || strspn(v->string, name_ok) != n)
            return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                  "Invalid stage variable name specified: '%.128s'. Stage "
                                  "variable names consist of a-zA-Z0-9_", v->string);
        if (!cJSON_IsString(v) || !*v->valuestring ||
            strspn(v->valuestring, value_ok) != strlen(v->valuestring) ||
            strlen(v->valuestring) > 2048)
            return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                  "Invalid value of stage variable '%.64s'. Stage variable "
                                  "values must match [A-Za-z0-9-._~:/?#&=,]+", v->string);
    }
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(in, "routeSettings")) {
        const cJSON *r;
        int found = 0;
        cJSON_ArrayForEach(r, apigw_member(api, "routes")) {
            const char *k = apigw_str(r, "routeKey");
            if (k && !strcmp(k, v->string))
                found = 1;
        }
        if (!found)
            return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_NOT_FOUND,
                                  "Unable to find Route by key %.256s within the provided "
                                  "RouteSettings", v->string);
    }
    if (dep && !apigw_deployment_exists(api_id, dep))
        return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_NOT_FOUND,
                              "Invalid Deployment identifier specified %s", dep);
    return 0;
}

/* GetStage's answer keeps defaultRouteSettings.detailedMetricsEnabled. */
static void stage_defaults(cJSON *sdoc)
{
    cJSON *d = apigw_member(sdoc, "defaultRouteSettings");

    if (!cJSON_GetObjectItemCaseSensitive(d, "detailedMetricsEnabled"))
        cJSON_AddBoolToObject(d, "detailedMetricsEnabled", 0);
    apigw_member(sdoc, "routeSettings");
    apigw_member(sdoc, "stageVariables");
    apigw_member(sdoc, "tags");
}

/* Answers stage name of api_id as it is now, with status. */
static int answer_stage(ts_call *c, const char *api_id, const char *name, int status)
{
    cJSON *sdoc = apigw_v2_stage_load(c, api_id, name);

    if (!sdoc)
        return -1;
    apigw_v2_answer(c, sdoc, status);
    return 0;
}

int apigw_v2_create_stage(ts_call *c)
{
    const char *api_id, *name = apigw_str(c->in, "stageName");
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(c->in, "tags");
    cJSON *api = apigw_v2_api(c, &api_id), *sdoc = NULL;
    char date[32];
    int rc = -1;

    if (!api)
        return -1;
    if (stage_name_check(c, name ? name : "") != 0 || stage_check(c, api_id, api, c->in) != 0 ||
        apigw_v2_tags_check(c, tags, NULL) != 0)
        goto out;
    if (apigw_v2_stage_exists(api_id, name)) {
        ts_resp_error(c->resp, TS_ERR_APIGW_CONFLICT, "Stage already exists");
        goto out;
    }
    apigw_v2_date(date);
    sdoc = cJSON_CreateObject();
    cJSON_AddStringToObject(sdoc, "createdDate", date);
    cJSON_AddStringToObject(sdoc, "lastUpdatedDate", date);
    cJSON_AddStringToObject(sdoc, "stageName", name);
    apigw_v2_copy(sdoc, c->in, stage_members);
    if (tags)
        cJSON_AddItemToObject(sdoc, "tags", cJSON_Duplicate(tags, 1));
    stage_defaults(sdoc);
    if (apigw_v2_stage_save(c, api_id, name, sdoc, 1) != 0)
        goto out;
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sdoc, "autoDeploy")) &&
        cJSON_GetArraySize(apigw_member(api, "routes")) > 0 &&
        apigw_v2_deploy(c, api_id, api, name, 1, NULL, NULL) != 0)
        goto out;
    rc = answer_stage(c, api_id, name, 201);
out:
    cJSON_Delete(sdoc);
    cJSON_Delete(api);
    return rc;
}

int apigw_v2_get_stages(ts_call *c)
{
    const char *api_id = apigw_v2_api_id(c);
    sqlite3_stmt *st;

    if (!api_id)
        return -1;
    st = store_stmt("SELECT doc FROM apigw_stage WHERE api_id = ?1 ORDER BY created, name");
    store_bind_text(st, 1, api_id);
    return apigw_v2_page(c, apigw_row_docs(st));
}

int apigw_v2_get_stage(ts_call *c)
{
    const char *api_id = apigw_v2_api_id(c);

    if (!api_id)
        return -1;
    return answer_stage(c, api_id, apigw_str(c->in, "StageName"), 200);
}

int apigw_v2_update_stage(ts_call *c)
{
    const char *api_id, *name = apigw_str(c->in, "StageName");
    cJSON *api = apigw_v2_api(c, &api_id), *sdoc = NULL;
    char date[32];
    int was_auto, rc = -1;

    if (!api)
        return -1;
    if (!(sdoc = apigw_v2_stage_load(c, api_id, name)) || stage_check(c, api_id, api, c->in) != 0)
        goto out;
    was_auto = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sdoc, "autoDeploy"));
    apigw_v2_copy(sdoc, c->in, stage_members);
    stage_defaults(sdoc);
    apigw_v2_date(date);
    apigw_set_str(sdoc, "lastUpdatedDate", date);
    if (apigw_v2_stage_save(c, api_id, name, sdoc, 0) != 0)
        goto out;
    /* a stage that starts deploying itself gets the API as it is */
    if (!was_auto && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sdoc, "autoDeploy")) &&
        cJSON_GetArraySize(apigw_member(api, "routes")) > 0 &&
        apigw_v2_deploy(c, api_id, api, name, 1, NULL, NULL) != 0)
        goto out;
    rc = answer_stage(c, api_id, name, 200);
out:
    cJSON_Delete(sdoc);
    cJSON_Delete(api);
    return rc;
}

int apigw_v2_delete_stage(ts_call *c)
{
    const char *api_id = apigw_v2_api_id(c), *name = apigw_str(c->in, "StageName");
    cJSON *sdoc;
    sqlite3_stmt *st;

    if (!api_id)
        return -1;
    if (!(sdoc = apigw_v2_stage_load(c, api_id, name)))
        return -1;
    cJSON_Delete(sdoc);
    st = store_stmt("DELETE FROM apigw_stage WHERE api_id = ?1 AND name = ?2");
    store_bind_text(st, 1, api_id);
    store_bind_text(st, 2, name);
    if (apigw_row_done(c, st) != 0)
        return -1;
    apigw_v2_no_content(c);
    return 0;
}

/* ---- deployments ---- */

static cJSON *deployment_load(ts_call *c, const char *api_id, const char *id)
{
    sqlite3_stmt *st = store_stmt("SELECT doc FROM apigw_deployment WHERE api_id = ?1 AND id = ?2");
    cJSON *dep;

    store_bind_text(st, 1, api_id);
    store_bind_text(st, 2, id ? id : "");
    if (!(dep = apigw_row_doc(st)))
        ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_NOT_FOUND,
                       "Invalid Deployment identifier specified %s", id ? id : "");
    return dep;
}

int apigw_v2_create_deployment(ts_call *c)
{
    const char *api_id, *stage = apigw_str(c->in, "stageName");
    cJSON *api = apigw_v2_api(c, &api_id), *sdoc, *dep;
    int rc = -1;

    if (!api)
        return -1;
    if (apigw_v2_lengths(c, c->in, (const apigw_v2_len[]){{"description", 0, 1024},
                                                          {NULL, 0, 0}}) != 0)
        goto out;
    if (cJSON_GetArraySize(apigw_member(api, "routes")) == 0) {
        ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                      "Unable to deploy API because no routes exists in this API");
        goto out;
    }
    if (stage) {
        if (!(sdoc = apigw_v2_stage_load(c, api_id, stage)))
            goto out;
        cJSON_Delete(sdoc);
    }
    if (apigw_v2_deploy(c, api_id, api, stage, 0, apigw_str(c->in, "description"), &dep) != 0)
        goto out;
    apigw_v2_answer(c, dep, 201);
    rc = 0;
out:
    cJSON_Delete(api);
    return rc;
}

int apigw_v2_get_deployments(ts_call *c)
{
    const char *api_id = apigw_v2_api_id(c);
    sqlite3_stmt *st;

    if (!api_id)
        return -1;
    st = store_stmt("SELECT doc FROM apigw_deployment WHERE api_id = ?1 ORDER BY created, id");
    store_bind_text(st, 1, api_id);
    return apigw_v2_page(c, apigw_row_docs(st));
}

int apigw_v2_get_deployment(ts_call *c)
{
    const char *api_id = apigw_v2_api_id(c);
    cJSON *dep;

    if (!api_id)
        return -1;
    if (!(dep = deployment_load(c, api_id, apigw_str(c->in, "DeploymentId"))))
        return -1;
    apigw_v2_answer(c, dep, 200);
    return 0;
}

int apigw_v2_update_deployment(ts_call *c)
{
    const char *api_id = apigw_v2_api_id(c), *id = apigw_str(c->in, "DeploymentId");
    cJSON *dep;
    sqlite3_stmt *st;

    if (!api_id)
        return -1;
    if (apigw_v2_lengths(c, c->in, (const apigw_v2_len[]){{"description", 0, 1024},
                                                          {NULL, 0, 0}}) != 0 ||
        !(dep = deployment_load(c, api_id, id)))
        return -1;
    apigw_v2_copy(dep, c->in, (const char *const[]){"description", NULL});
    st = store_stmt("UPDATE apigw_deployment SET doc = ?3 WHERE api_id = ?1 AND id = ?2");
    store_bind_text(st, 1, api_id);
    store_bind_text(st, 2, id);
    stmt_doc_bind(st, 3, dep);
    if (apigw_row_done(c, st) != 0) {
        cJSON_Delete(dep);
        return -1;
    }
    apigw_v2_answer(c, dep, 200);
    return 0;
}

int apigw_v2_delete_deployment(ts_call *c)
{
    const char *api_id = apigw_v2_api_id(c), *id = apigw_str(c->in, "DeploymentId");
    cJSON *dep;

    if (!api_id)
        return -1;
    if (!(dep = deployment_load(c, api_id, id)))
        return -1;
    cJSON_Delete(dep);
    if (apigw_deployment_drop(c, api_id, id) != 0)
        return -1;
    apigw_v2_no_content(c);
    return 0;
}
