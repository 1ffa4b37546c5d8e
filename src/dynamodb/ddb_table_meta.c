/*
 * ddb_table_meta.c - what a table carries beside its schema: its Time to
 * Live setting (DescribeTimeToLive, UpdateTimeToLive, which re-times
 * every item) and its tags (TagResource, UntagResource,
 * ListTagsOfResource, a JSON array in the table's row), and the
 * account-level DescribeLimits and DescribeEndpoints.  The writes run in
 * the dispatcher's write transaction, so a tag read-modify-write never
 * loses a concurrent one.
 */
#include "ddb_int.h"

#include <string.h>

#include "tinystack/http.h"
#include "tinystack/store.h"

#define V(c, ...) ddb_fail(c, TS_ERR_VALIDATION, __VA_ARGS__)

/* ---- TTL ---- */

int ddb_describe_ttl(ddb_call *c)
{
    const char *name = ddb_get_str(c, "TableName");
    cJSON *d;
    ddb_table t;

    if (!name || ddb_table_load(c, name, DDB_NOT_FOUND_NAMED, &t) != 0)
        return -1;
    d = cJSON_AddObjectToObject(c->out, "TimeToLiveDescription");
    cJSON_AddStringToObject(d, "TimeToLiveStatus", t.ttl_attr ? "ENABLED" : "DISABLED");
    if (t.ttl_attr)
        cJSON_AddStringToObject(d, "AttributeName", t.ttl_attr);
    ddb_table_free(&t);
    return 0;
}

int ddb_update_ttl(ddb_call *c)
{
    const char *name = ddb_get_str(c, "TableName");
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(c->in, "TimeToLiveSpecification");
    const cJSON *en = cJSON_GetObjectItemCaseSensitive(spec, "Enabled");
    const cJSON *an = cJSON_GetObjectItemCaseSensitive(spec, "AttributeName");
    sqlite3_stmt *st;
    ddb_table t;
    int enable;

    /* The model requires spec, its Enabled and a non-empty AttributeName. */
    if (!name)
        return -1;
    enable = cJSON_IsTrue(en);
    if (ddb_table_load(c, name, DDB_NOT_FOUND_NAMED, &t) != 0)
        return -1;
    if (enable && t.ttl_attr) {
        ddb_table_free(&t);
        return V(c, "TimeToLive is already enabled");
    }
    if (!enable && !t.ttl_attr) {
        ddb_table_free(&t);
        return V(c, "TimeToLive is already disabled");
    }
    st = store_stmt("UPDATE ddb_table SET ttl_attr = ? WHERE id = ?");
    store_bind_text(st, 1, enable ? an->valuestring : NULL);
    sqlite3_bind_int64(st, 2, t.id);
    sqlite3_step(st);
    sqlite3_reset(st);
    t.ttl_attr = enable ? an->valuestring : NULL;
    ddb_store_retime(&t);
    cJSON_AddItemToObject(c->out, "TimeToLiveSpecification", cJSON_Duplicate(spec, 1));
    ddb_table_free(&t);
    return 0;
}

/* ---- tags ---- */

/* Finds the table named by an ARN of this region. */
static int table_of_arn(ddb_call *c, const char *arn, ddb_table *t)
{
    const char *p = strstr(arn, ":table/");

    if (!ts_starts_with(arn, "arn:aws:dynamodb:") || !p)
        return V(c, "Invalid TableArn: Invalid ResourceArn provided as input %s", arn);
    if (ddb_table_load(c, p + 7, DDB_NOT_FOUND_NAMED, t) != 0) {
        c->resp->err_message = ts_arena_printf(
            c->req->arena, "Requested resource not found: ResourcArn: %s not found", arn);
        return -1;
    }
    return 0;
}

static int save_tags(int64_t id, cJSON *tags)
{
    char *text = cJSON_PrintUnformatted(tags);
    sqlite3_stmt *st = store_stmt("UPDATE ddb_table SET tags = ? WHERE id = ?");

    store_bind_text(st, 1, text);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_step(st);
    sqlite3_reset(st);
    cJSON_free(text);
    return 0;
}

static cJSON *load_tags(int64_t id)
{
    sqlite3_stmt *st = store_stmt("SELECT tags FROM ddb_table WHERE id = ?");
    cJSON *tags = NULL;

    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        tags = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return tags ? tags : cJSON_CreateArray();
}

static void tags_remove(cJSON *tags, const char *key)
{
    int i = 0;
    const cJSON *t;

    cJSON_ArrayForEach(t, tags) {
        if (!strcmp(cJSON_GetObjectItemCaseSensitive(t, "Key")->valuestring, key)) {
            cJSON_DeleteItemFromArray(tags, i);
            return;
        }
        i++;
    }
}

int ddb_tag_resource(ddb_call *c)
{
    const char *arn = ddb_get_str(c, "ResourceArn");
    const cJSON *add = cJSON_GetObjectItemCaseSensitive(c->in, "Tags"), *a;
    cJSON *tags;
    ddb_table t;

    if (!arn || table_of_arn(c, arn, &t) != 0)
        return -1;
    tags = load_tags(t.id);
    cJSON_ArrayForEach(a, add) {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(a, "Key");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(a, "Value");
        /* Only a null element gets past the model's Tag shape. */
        if (!cJSON_IsString(k) || !cJSON_IsString(v)) {
            cJSON_Delete(tags);
            ddb_table_free(&t);
            return V(c, "One or more parameter values were invalid: Tag keys and values "
                        "must be strings");
        }
        tags_remove(tags, k->valuestring);
        cJSON_AddItemToArray(tags, cJSON_Duplicate(a, 1));
    }
    save_tags(t.id, tags);
    cJSON_Delete(tags);
    ddb_table_free(&t);
    return 0;
}

int ddb_untag_resource(ddb_call *c)
{
    const char *arn = ddb_get_str(c, "ResourceArn");
    const cJSON *keys = cJSON_GetObjectItemCaseSensitive(c->in, "TagKeys"), *k;
    cJSON *tags;
    ddb_table t;

    if (!arn || table_of_arn(c, arn, &t) != 0)
        return -1;
    tags = load_tags(t.id);
    cJSON_ArrayForEach(k, keys) {
        if (cJSON_IsString(k))
            tags_remove(tags, k->valuestring);
    }
    save_tags(t.id, tags);
    cJSON_Delete(tags);
    ddb_table_free(&t);
    return 0;
}

int ddb_list_tags(ddb_call *c)
{
    const char *arn = ddb_get_str(c, "ResourceArn");
    ddb_table t;

    if (!arn || table_of_arn(c, arn, &t) != 0)
        return -1;
    cJSON_AddItemToObject(c->out, "Tags", load_tags(t.id));
    ddb_table_free(&t);
    return 0;
}

int ddb_describe_limits(ddb_call *c)
{
    cJSON_AddNumberToObject(c->out, "AccountMaxReadCapacityUnits", 80000);
    cJSON_AddNumberToObject(c->out, "AccountMaxWriteCapacityUnits", 80000);
    cJSON_AddNumberToObject(c->out, "TableMaxReadCapacityUnits", 40000);
    cJSON_AddNumberToObject(c->out, "TableMaxWriteCapacityUnits", 40000);
    return 0;
}

int ddb_describe_endpoints(ddb_call *c)
{
    cJSON *arr = cJSON_AddArrayToObject(c->out, "Endpoints"), *e = cJSON_CreateObject();

    cJSON_AddStringToObject(e, "Address",
                            ts_arena_printf(c->req->arena, "dynamodb.%s.amazonaws.com",
                                            c->req->region));
    cJSON_AddNumberToObject(e, "CachePeriodInMinutes", 1440);
    cJSON_AddItemToArray(arr, e);
    return 0;
}
