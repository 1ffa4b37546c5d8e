/*
 * apigw_keys.c - API keys, usage plans and their keys, and tags.  A key
 * is a row of apigw_key (its value indexed, for the data plane's
 * x-api-key check); a plan a row of apigw_plan, with apigw_plan_key
 * joining plans and keys.  Tags live in the document of what they tag:
 * a REST API, a stage, a key or a plan.
 */
#include "apigw_int.h"

#include <stdio.h>
#include <string.h>

#include "tinystack/store.h"

static cJSON *row_doc(ts_call *c, const char *sql, const char *id, const char *what)
{
    sqlite3_stmt *st = store_stmt(sql);
    cJSON *doc;

    store_bind_text(st, 1, id ? id : "");
    store_bind_text(st, 2, c->req->account);
    store_bind_text(st, 3, c->req->region);
    if (!(doc = apigw_row_doc(st)) && what)
        ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_NOT_FOUND, "Invalid %s identifier specified",
                       what);
    return doc;
}

static cJSON *key_load(ts_call *c, const char *id)
{
    return row_doc(c, "SELECT doc FROM apigw_key WHERE id = ?1 AND account = ?2 AND region = ?3",
                   id, "API Key");
}

static cJSON *plan_load(ts_call *c, const char *id)
{
    return row_doc(c, "SELECT doc FROM apigw_plan WHERE id = ?1 AND account = ?2 AND region = ?3",
                   id, "Usage Plan");
}

static int doc_update(ts_call *c, const char *sql, const char *id, const cJSON *doc)
{
    sqlite3_stmt *st = store_stmt(sql);
    char *text = cJSON_PrintUnformatted(doc);

    store_bind_text(st, 1, id);
    sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
    cJSON_free(text);
    return apigw_row_done(c, st);
}

static void copy_in(ts_call *c, cJSON *o, const char *const *names)
{
    for (; *names; names++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->in, *names);
        if (v) {
            cJSON_DeleteItemFromObjectCaseSensitive(o, *names);
            cJSON_AddItemToObject(o, *names, cJSON_Duplicate(v, 1));
        }
    }
}

/* ---- API keys ---- */

int apigw_create_api_key(ts_call *c)
{
    static const char *const members[] = {
        "name", "description", "enabled", "customerId", "stageKeys", "tags", NULL,
    };
    const char *value = apigw_str(c->in, "value");
    char id[11], gen[41];
    cJSON *key;
    sqlite3_stmt *st;
    double now = apigw_now();
    char *text;

    if (value && (strlen(value) < 20 || strlen(value) > 128))
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "API Key value should be at least 20 characters");
    if (!value) {
        /* 40 characters of [a-z0-9] (AWS mixes case; any will do). */
        apigw_new_id(gen);
        apigw_new_id(gen + 10);
        apigw_new_id(gen + 20);
        apigw_new_id(gen + 30);
        value = gen;
    }
    st = store_stmt("SELECT 1 FROM apigw_key WHERE value = ?1 AND account = ?2 AND region = ?3");
    store_bind_text(st, 1, value);
    store_bind_text(st, 2, c->req->account);
    store_bind_text(st, 3, c->req->region);
    if (sqlite3_step(st) == SQLITE_ROW) {
        sqlite3_reset(st);
        return ts_resp_error(c->resp, TS_ERR_APIGW_CONFLICT, "API Key already exists");
    }
    sqlite3_reset(st);
    apigw_new_id(id);
    key = cJSON_CreateObject();
    cJSON_AddStringToObject(key, "id", id);
    cJSON_AddBoolToObject(key, "enabled", 0);
    cJSON_AddNumberToObject(key, "createdDate", now);
    cJSON_AddNumberToObject(key, "lastUpdatedDate", now);
    cJSON_AddArrayToObject(key, "stageKeys");
    copy_in(c, key, members);
    if (!apigw_str(key, "name"))
        cJSON_AddStringToObject(key, "name", id);
    st = store_stmt("INSERT INTO apigw_key(id, account, region, value, created, doc)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    store_bind_text(st, 1, id);
    store_bind_text(st, 2, c->req->account);
    store_bind_text(st, 3, c->req->region);
    store_bind_text(st, 4, value);
    sqlite3_bind_int64(st, 5, apigw_stamp());
    text = cJSON_PrintUnformatted(key);
    sqlite3_bind_text(st, 6, text, -1, SQLITE_TRANSIENT);
    cJSON_free(text);
    if (apigw_row_done(c, st) != 0) {
        cJSON_Delete(key);
        return -1;
    }
    cJSON_AddStringToObject(key, "value", value);
    return apigw_answer(c, 201, key);
}

static int include_value(ts_call *c, const char *member)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->in, member);

    return cJSON_IsTrue(v) || (cJSON_IsString(v) && !strcmp(v->valuestring, "true"));
}

static const char *key_value(const char *id)
{
    sqlite3_stmt *st = store_stmt("SELECT value FROM apigw_key WHERE id = ?1");
    static __thread char value[160];

    value[0] = '\0';
    store_bind_text(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(value, sizeof value, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return value;
}

int apigw_get_api_key(ts_call *c)
{
    cJSON *key = key_load(c, apigw_str(c->in, "apiKey"));

    if (!key)
        return -1;
    if (include_value(c, "includeValue"))
        cJSON_AddStringToObject(key, "value", key_value(apigw_str(key, "id")));
    return apigw_answer(c, 200, key);
}

int apigw_get_api_keys(ts_call *c)
{
    const char *name_q = apigw_str(c->in, "nameQuery"), *cust = apigw_str(c->in, "customerId");
    int values = include_value(c, "includeValues");
    sqlite3_stmt *st = store_stmt("SELECT doc, value FROM apigw_key WHERE account = ?1 AND"
                                  " region = ?2 ORDER BY created, id");
    cJSON *all = cJSON_CreateArray();

    store_bind_text(st, 1, c->req->account);
    store_bind_text(st, 2, c->req->region);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *k = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
        const char *n = apigw_str(k, "name"), *cu = apigw_str(k, "customerId");
        if (!k || (name_q && (!n || !ts_starts_with(n, name_q))) ||
            (cust && (!cu || strcmp(cu, cust)))) {
            cJSON_Delete(k);
            continue;
        }
        if (values)
            cJSON_AddStringToObject(k, "value", (const char *)sqlite3_column_text(st, 1));
        cJSON_AddItemToArray(all, k);
    }
    sqlite3_reset(st);
    return apigw_page(c, cJSON_CreateObject(), "item", all);
}

int apigw_update_api_key(ts_call *c)
{
    static const char *const allowed[] = {
        "/name", "/description", "/enabled", "/customerId", "/stages", NULL,
    };
    cJSON *key = key_load(c, apigw_str(c->in, "apiKey"));

    if (!key)
        return -1;
    if (apigw_patch(c, key, allowed) != 0 ||
        doc_update(c, "UPDATE apigw_key SET doc = ?2 WHERE id = ?1", apigw_str(key, "id"),
                   key) != 0) {
        cJSON_Delete(key);
        return -1;
    }
    return apigw_answer(c, 200, key);
}

int apigw_delete_api_key(ts_call *c)
{
    const char *id = apigw_str(c->in, "apiKey");
    cJSON *key = key_load(c, id);
    sqlite3_stmt *st;

    if (!key)
        return -1;
    cJSON_Delete(key);
    st = store_stmt("DELETE FROM apigw_key WHERE id = ?1");
    store_bind_text(st, 1, id);
    if (apigw_row_done(c, st) != 0)
        return -1;
    st = store_stmt("DELETE FROM apigw_plan_key WHERE key_id = ?1");
    store_bind_text(st, 1, id);
    if (apigw_row_done(c, st) != 0)
        return -1;
    return apigw_answer(c, 202, NULL);
}

/* ---- usage plans ---- */

/* Every apiStages entry must name an API of this account and a stage of
 * it. */
static int plan_stages_check(ts_call *c, const cJSON *stages)
{
    const cJSON *s;

    cJSON_ArrayForEach(s, stages) {
        const char *api = apigw_str(s, "apiId"), *stage = apigw_str(s, "stage");
        cJSON *doc = apigw_api_load(c, api, APIGW_KIND_REST), *st;
        if (!doc) {
            c->resp->err = TS_ERR_APIGW_BAD_REQUEST;
            return -1;
        }
        cJSON_Delete(doc);
        if (!(st = apigw_stage_load(NULL, api, stage)))
            return ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                  "Invalid stage identifier specified");
        cJSON_Delete(st);
    }
    return 0;
}

int apigw_create_usage_plan(ts_call *c)
{
    static const char *const members[] = {
        "name", "description", "apiStages", "throttle", "quota", "tags", NULL,
    };
    char id[11], *text;
    cJSON *plan;
    sqlite3_stmt *st;

    if (plan_stages_check(c, cJSON_GetObjectItemCaseSensitive(c->in, "apiStages")) != 0)
        return -1;
    apigw_new_id(id);
    id[6] = '\0';
    plan = cJSON_CreateObject();
    cJSON_AddStringToObject(plan, "id", id);
    copy_in(c, plan, members);
    if (!cJSON_GetObjectItemCaseSensitive(plan, "apiStages"))
        cJSON_AddArrayToObject(plan, "apiStages");
    st = store_stmt("INSERT INTO apigw_plan(id, account, region, created, doc)"
                    " VALUES (?1, ?2, ?3, ?4, ?5)");
    store_bind_text(st, 1, id);
    store_bind_text(st, 2, c->req->account);
    store_bind_text(st, 3, c->req->region);
    sqlite3_bind_int64(st, 4, apigw_stamp());
    text = cJSON_PrintUnformatted(plan);
    sqlite3_bind_text(st, 5, text, -1, SQLITE_TRANSIENT);
    cJSON_free(text);
    if (apigw_row_done(c, st) != 0) {
        cJSON_Delete(plan);
        return -1;
    }
    return apigw_answer(c, 201, plan);
}

int apigw_get_usage_plan(ts_call *c)
{
    cJSON *plan = plan_load(c, apigw_str(c->in, "usagePlanId"));

    return plan ? apigw_answer(c, 200, plan) : -1;
}

int apigw_get_usage_plans(ts_call *c)
{
    const char *key = apigw_str(c->in, "keyId");
    sqlite3_stmt *st = store_stmt(
        key ? "SELECT p.doc FROM apigw_plan p JOIN apigw_plan_key k ON k.plan_id = p.id"
              " WHERE p.account = ?1 AND p.region = ?2 AND k.key_id = ?3 ORDER BY p.created"
            : "SELECT doc FROM apigw_plan WHERE account = ?1 AND region = ?2 ORDER BY created");

    store_bind_text(st, 1, c->req->account);
    store_bind_text(st, 2, c->req->region);
    if (key)
        store_bind_text(st, 3, key);
    return apigw_page(c, cJSON_CreateObject(), "item", apigw_row_docs(st));
}

int apigw_update_usage_plan(ts_call *c)
{
    static const char *const allowed[] = {
        "/name", "/description", "/apiStages", "/throttle/*", "/quota/*", "/productCode", NULL,
    };
    cJSON *plan = plan_load(c, apigw_str(c->in, "usagePlanId")), *ops, *o;

    if (!plan)
        return -1;
    /* "/apiStages" takes "apiId:stage" values. */
    ops = cJSON_GetObjectItemCaseSensitive(c->in, "patchOperations");
    cJSON_ArrayForEach(o, ops) {
        const char *p = apigw_str(o, "path"), *op = apigw_str(o, "op"), *v = apigw_str(o, "value");
        char api[64], stage[130];
        if (!p || strcmp(p, "/apiStages") || !op || !v)
            continue;
        if (sscanf(v, "%63[^:]:%129s", api, stage) != 2) {
            cJSON_Delete(plan);
            return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                                 "Invalid API Stage specified");
        }
        {
            cJSON *list = apigw_member(plan, "apiStages"), *e, *one;
            if (!cJSON_IsArray(list)) {
                cJSON_DeleteItemFromObjectCaseSensitive(plan, "apiStages");
                list = cJSON_AddArrayToObject(plan, "apiStages");
            }
            cJSON_ArrayForEach(e, list)
                if (!strcmp(apigw_str(e, "apiId") ? apigw_str(e, "apiId") : "", api) &&
                    !strcmp(apigw_str(e, "stage") ? apigw_str(e, "stage") : "", stage))
                    break;
            if (!strcmp(op, "remove")) {
                if (e)
                    cJSON_Delete(cJSON_DetachItemViaPointer(list, e));
            } else if (!e) {
                cJSON *check = cJSON_CreateArray();
                one = cJSON_CreateObject();
                cJSON_AddStringToObject(one, "apiId", api);
                cJSON_AddStringToObject(one, "stage", stage);
                cJSON_AddItemToArray(check, cJSON_Duplicate(one, 1));
                if (plan_stages_check(c, check) != 0) {
                    cJSON_Delete(check);
                    cJSON_Delete(one);
                    cJSON_Delete(plan);
                    return -1;
                }
                cJSON_Delete(check);
                cJSON_AddItemToArray(list, one);
            }
        }
        cJSON_ReplaceItemInObjectCaseSensitive(o, "op", cJSON_CreateString("skip"));
    }
    {
        cJSON *next;
        for (o = ops ? ops->child : NULL; o; o = next) {
            next = o->next;
            if (!strcmp(apigw_str(o, "op") ? apigw_str(o, "op") : "", "skip"))
                cJSON_Delete(cJSON_DetachItemViaPointer(ops, o));
        }
    }
    if (apigw_patch(c, plan, allowed) != 0 ||
        doc_update(c, "UPDATE apigw_plan SET doc = ?2 WHERE id = ?1", apigw_str(plan, "id"),
                   plan) != 0) {
        cJSON_Delete(plan);
        return -1;
    }
    return apigw_answer(c, 200, plan);
}

int apigw_delete_usage_plan(ts_call *c)
{
    const char *id = apigw_str(c->in, "usagePlanId");
    cJSON *plan = plan_load(c, id);
    sqlite3_stmt *st;

    if (!plan)
        return -1;
    cJSON_Delete(plan);
    st = store_stmt("DELETE FROM apigw_plan WHERE id = ?1");
    store_bind_text(st, 1, id);
    if (apigw_row_done(c, st) != 0)
        return -1;
    st = store_stmt("DELETE FROM apigw_plan_key WHERE plan_id = ?1");
    store_bind_text(st, 1, id);
    if (apigw_row_done(c, st) != 0)
        return -1;
    return apigw_answer(c, 202, NULL);
}

static cJSON *plan_key_out(const char *key_id, const cJSON *key)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "id", key_id);
    cJSON_AddStringToObject(o, "type", "API_KEY");
    cJSON_AddStringToObject(o, "value", key_value(key_id));
    if (apigw_str(key, "name"))
        cJSON_AddStringToObject(o, "name", apigw_str(key, "name"));
    return o;
}

int apigw_create_usage_plan_key(ts_call *c)
{
    const char *plan_id = apigw_str(c->in, "usagePlanId"), *key_id = apigw_str(c->in, "keyId");
    const char *type = apigw_str(c->in, "keyType");
    cJSON *plan = plan_load(c, plan_id), *key;
    sqlite3_stmt *st;

    if (!plan)
        return -1;
    cJSON_Delete(plan);
    if (!type || strcmp(type, "API_KEY"))
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "Usage Plan Key type must be API_KEY");
    if (!(key = key_load(c, key_id)))
        return -1;
    st = store_stmt("INSERT OR IGNORE INTO apigw_plan_key(plan_id, key_id) VALUES (?1, ?2)");
    store_bind_text(st, 1, plan_id);
    store_bind_text(st, 2, key_id);
    if (apigw_row_done(c, st) != 0) {
        cJSON_Delete(key);
        return -1;
    }
    if (sqlite3_changes(store_db()) == 0) {
        cJSON_Delete(key);
        return ts_resp_error(c->resp, TS_ERR_APIGW_CONFLICT,
                             "Usage Plan Key already exists");
    }
    apigw_answer(c, 201, plan_key_out(key_id, key));
    cJSON_Delete(key);
    return 0;
}

int apigw_get_usage_plan_keys(ts_call *c)
{
    const char *plan_id = apigw_str(c->in, "usagePlanId");
    cJSON *plan = plan_load(c, plan_id), *all;
    sqlite3_stmt *st;

    if (!plan)
        return -1;
    cJSON_Delete(plan);
    all = cJSON_CreateArray();
    st = store_stmt("SELECT k.doc FROM apigw_plan_key pk JOIN apigw_key k ON k.id = pk.key_id"
                    " WHERE pk.plan_id = ?1 ORDER BY k.created");
    store_bind_text(st, 1, plan_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *k = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
        if (k)
            cJSON_AddItemToArray(all, plan_key_out(apigw_str(k, "id"), k));
        cJSON_Delete(k);
    }
    sqlite3_reset(st);
    /* key_value() reuses the statement cache: the loop's values are in. */
    return apigw_page(c, cJSON_CreateObject(), "item", all);
}

int apigw_get_usage_plan_key(ts_call *c)
{
    const char *plan_id = apigw_str(c->in, "usagePlanId"), *key_id = apigw_str(c->in, "keyId");
    cJSON *plan = plan_load(c, plan_id), *key;
    sqlite3_stmt *st;
    int found;

    if (!plan)
        return -1;
    cJSON_Delete(plan);
    st = store_stmt("SELECT 1 FROM apigw_plan_key WHERE plan_id = ?1 AND key_id = ?2");
    store_bind_text(st, 1, plan_id);
    store_bind_text(st, 2, key_id ? key_id : "");
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    if (!found || !(key = key_load(c, key_id)))
        return ts_resp_error(c->resp, TS_ERR_APIGW_NOT_FOUND,
                             "Invalid Usage Plan Key identifier specified");
    apigw_answer(c, 200, plan_key_out(key_id, key));
    cJSON_Delete(key);
    return 0;
}

int apigw_delete_usage_plan_key(ts_call *c)
{
    sqlite3_stmt *st = store_stmt("DELETE FROM apigw_plan_key WHERE plan_id = ?1 AND key_id = ?2");

    store_bind_text(st, 1, apigw_str(c->in, "usagePlanId"));
    store_bind_text(st, 2, apigw_str(c->in, "keyId"));
    if (apigw_row_done(c, st) != 0)
        return -1;
    if (sqlite3_changes(store_db()) == 0)
        return ts_resp_error(c->resp, TS_ERR_APIGW_NOT_FOUND,
                             "Invalid Usage Plan Key identifier specified");
    return apigw_answer(c, 202, NULL);
}

int apigw_key_allows(const char *value, const char *api_id, const char *stage)
{
    sqlite3_stmt *st = store_stmt("SELECT k.doc, p.doc FROM apigw_key k"
                                  " JOIN apigw_plan_key pk ON pk.key_id = k.id"
                                  " JOIN apigw_plan p ON p.id = pk.plan_id WHERE k.value = ?1");
    int ok = 0;

    store_bind_text(st, 1, value);
    while (!ok && sqlite3_step(st) == SQLITE_ROW) {
        cJSON *k = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
        cJSON *p = cJSON_Parse((const char *)sqlite3_column_text(st, 1)), *s;
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(k, "enabled")))
            cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(p, "apiStages")) {
                const char *a = apigw_str(s, "apiId"), *n = apigw_str(s, "stage");
                if (a && n && !strcmp(a, api_id) && !strcmp(n, stage))
                    ok = 1;
            }
        cJSON_Delete(k);
        cJSON_Delete(p);
    }
    sqlite3_reset(st);
    return ok;
}

/* ---- tags ---- */

/* What a tag ARN names: arn:aws:apigateway:<region>::/restapis/<id>,
 * .../restapis/<id>/stages/<name>, /apikeys/<id>, /usageplans/<id>.
 * Loads its document; *kind is 'r', 's', 'k' or 'p'. */
static cJSON *tag_target(ts_call *c, char *kind, char *id, char *stage)
{
    const char *arn = apigw_str(c->in, "resourceArn");
    char region[64], rest[512];
    cJSON *doc = NULL;

    id[0] = stage[0] = '\0';
    if (!arn || sscanf(arn, "arn:aws:apigateway:%63[^:]::%511s", region, rest) != 2 ||
        strcmp(region, c->req->region))
        goto bad;
    if (sscanf(rest, "/restapis/%63[^/]/stages/%129s", id, stage) == 2) {
        cJSON *api = apigw_api_load(c, id, APIGW_KIND_REST);
        if (!api)
            return NULL;
        cJSON_Delete(api);
        *kind = 's';
        return apigw_stage_load(c, id, stage);
    }
    if (sscanf(rest, "/restapis/%63s", id) == 1 && !strchr(id, '/')) {
        *kind = 'r';
        return apigw_api_load(c, id, APIGW_KIND_REST);
    }
    if (sscanf(rest, "/apikeys/%63s", id) == 1) {
        *kind = 'k';
        return key_load(c, id);
    }
    if (sscanf(rest, "/usageplans/%63s", id) == 1) {
        *kind = 'p';
        return plan_load(c, id);
    }
bad:
    ts_resp_errorf(c->req, c->resp, TS_ERR_APIGW_BAD_REQUEST, "Invalid ARN specified in the request");
    return doc;
}

static int tag_save(ts_call *c, char kind, const char *id, const cJSON *doc)
{
    switch (kind) {
    case 'r':
        return apigw_api_save(c, id, doc);
    case 's':
        return apigw_stage_save(c, id, doc, 0);
    case 'k':
        return doc_update(c, "UPDATE apigw_key SET doc = ?2 WHERE id = ?1", id, doc);
    default:
        return doc_update(c, "UPDATE apigw_plan SET doc = ?2 WHERE id = ?1", id, doc);
    }
}

int apigw_tag_resource(ts_call *c)
{
    char kind, id[64], stage[130];
    cJSON *doc = tag_target(c, &kind, id, stage), *tags, *t;
    int rc;

    if (!doc)
        return -1;
    tags = apigw_member(doc, "tags");
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(c->in, "tags")) {
        cJSON_DeleteItemFromObjectCaseSensitive(tags, t->string);
        cJSON_AddItemToObject(tags, t->string, cJSON_Duplicate(t, 1));
    }
    if (cJSON_GetArraySize(tags) > 50) {
        cJSON_Delete(doc);
        return ts_resp_error(c->resp, TS_ERR_APIGW_BAD_REQUEST,
                             "A resource can have at most 50 tags");
    }
    rc = tag_save(c, kind, id, doc);
    cJSON_Delete(doc);
    return rc ? -1 : apigw_answer(c, 204, NULL);
}

int apigw_untag_resource(ts_call *c)
{
    char kind, id[64], stage[130];
    cJSON *doc = tag_target(c, &kind, id, stage), *tags;
    int rc;

    if (!doc)
        return -1;
    tags = apigw_member(doc, "tags");
    for (const ts_kv *q = c->req->query; q; q = q->next)
        if (!strcmp(q->name, "tagKeys"))
            cJSON_DeleteItemFromObjectCaseSensitive(tags, q->value);
    rc = tag_save(c, kind, id, doc);
    cJSON_Delete(doc);
    return rc ? -1 : apigw_answer(c, 204, NULL);
}

int apigw_get_tags(ts_call *c)
{
    char kind, id[64], stage[130];
    cJSON *doc = tag_target(c, &kind, id, stage), *out;

    if (!doc)
        return -1;
    out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, "tags", cJSON_Duplicate(apigw_member(doc, "tags"), 1));
    cJSON_Delete(doc);
    return apigw_answer(c, 200, out);
}
