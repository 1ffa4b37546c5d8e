/*
 * ddb_table.c - the table operations: CreateTable (with every schema
 * check DynamoDB makes), DescribeTable, ListTables, DeleteTable and
 * UpdateTable (billing, throughput, GSIs created with a backfill).  A
 * table's description is kept as the JSON DescribeTable shows, less the
 * counts, which are added when it is shown.  TTL and tags are in
 * ddb_table_meta.c.
 */
#include "ddb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinystack/http.h"
#include "tinystack/store.h"

#define V(c, ...) ddb_fail(c, TS_ERR_VALIDATION, __VA_ARGS__)

static const char *table_arn(ddb_call *c, const char *name)
{
    return ts_arena_printf(c->req->arena, "arn:aws:dynamodb:%s:%s:table/%s",
                           c->req->region, c->req->account, name);
}

/*
 * Checks a KeySchema against the definitions; collects names into used.
 * The model check has held ks to a list of 1-2 elements with a name and a
 * HASH or RANGE key type each; it skips a null element, which is left to
 * this check (and to check_definitions' and build_indexes' alike).
 */
static int check_key_schema(ddb_call *c, const cJSON *ks, const cJSON *defs,
                            const char *what, cJSON *used)
{
    const cJSON *k;
    int i = 0;

    cJSON_ArrayForEach(k, ks) {
        const cJSON *an = cJSON_GetObjectItemCaseSensitive(k, "AttributeName");
        const cJSON *kt = cJSON_GetObjectItemCaseSensitive(k, "KeyType");
        int defined = 0;
        const cJSON *d;

        if (cJSON_IsNull(k))
            return V(c, "1 validation error detected: Value null at "
                        "'%s.%d.member.attributeName' failed to satisfy constraint: Member "
                        "must not be null", what, i + 1);
        if (i == 0 && strcmp(kt->valuestring, "HASH"))
            return V(c, "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
        if (i == 1 && strcmp(kt->valuestring, "RANGE"))
            return V(c, "Invalid KeySchema: The second KeySchemaElement is not a RANGE key "
                        "type");
        cJSON_ArrayForEach(d, defs) {
            const cJSON *dn = cJSON_GetObjectItemCaseSensitive(d, "AttributeName");
            if (cJSON_IsString(dn) && !strcmp(dn->valuestring, an->valuestring))
                defined = 1;
        }
        if (!defined)
            return V(c, "One or more parameter values were invalid: Some index key "
                        "attributes are not defined in AttributeDefinitions. Keys: [%s], "
                        "AttributeDefinitions: [...]", an->valuestring);
        if (!cJSON_GetObjectItemCaseSensitive(used, an->valuestring))
            cJSON_AddTrueToObject(used, an->valuestring);
        i++;
    }
    return 0;
}

static int check_throughput(ddb_call *c, const cJSON *pt, int ppr, const char *index)
{
    if (ppr) {
        if (pt)
            return V(c, "One or more parameter values were invalid: Neither "
                        "ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                        "BillingMode is PAY_PER_REQUEST");
        return 0;
    }
    if (!pt) {
        if (index)
            return V(c, "One or more parameter values were invalid: ProvisionedThroughput "
                        "must be specified for index: %s", index);
        return V(c, "One or more parameter values were invalid: ReadCapacityUnits and "
                    "WriteCapacityUnits must both be specified when BillingMode is "
                    "PROVISIONED");
    }
    return 0; /* the model requires both units, each at least 1 */
}

static cJSON *throughput_desc(const cJSON *pt)
{
    cJSON *o = cJSON_CreateObject();
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(pt, "ReadCapacityUnits");
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(pt, "WriteCapacityUnits");

    cJSON_AddNumberToObject(o, "NumberOfDecreasesToday", 0);
    cJSON_AddNumberToObject(o, "ReadCapacityUnits", cJSON_IsNumber(r) ? r->valuedouble : 0);
    cJSON_AddNumberToObject(o, "WriteCapacityUnits", cJSON_IsNumber(w) ? w->valuedouble : 0);
    return o;
}

static int check_projection(ddb_call *c, const cJSON *p, const char *index)
{
    const cJSON *pt = cJSON_GetObjectItemCaseSensitive(p, "ProjectionType");
    const cJSON *nk = cJSON_GetObjectItemCaseSensitive(p, "NonKeyAttributes");

    if (cJSON_IsString(pt) && !strcmp(pt->valuestring, "INCLUDE") && !cJSON_IsArray(nk))
        return V(c, "One or more parameter values were invalid: NonKeyAttributes must "
                    "be specified when ProjectionType is INCLUDE");
    if (nk && (!cJSON_IsString(pt) || strcmp(pt->valuestring, "INCLUDE")))
        return V(c, "One or more parameter values were invalid: ProjectionType is %s, "
                    "but NonKeyAttributes is specified", cJSON_IsString(pt) ? pt->valuestring : "null");
    TS_UNUSED(index);
    return 0;
}

/* Validates a list of index definitions and builds their descriptions. */
static int build_indexes(ddb_call *c, const cJSON *list, int global, int ppr,
                         const cJSON *defs, const char *table_hk, int table_has_rk,
                         const char *table, cJSON *names, cJSON *used, cJSON *out)
{
    const cJSON *ix;

    if (cJSON_GetArraySize(list) == 0)
        return V(c, "One or more parameter values were invalid: List of %s is empty",
                 global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
    if (global && cJSON_GetArraySize(list) > 20)
        return V(c, "One or more parameter values were invalid: GlobalSecondaryIndex "
                    "count exceeds the per-table limit of 20");
    if (!global && cJSON_GetArraySize(list) > 5)
        return V(c, "One or more parameter values were invalid: Number of "
                    "LocalSecondaryIndexes exceeds per-table limit of 5");
    cJSON_ArrayForEach(ix, list) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(ix, "IndexName");
        const cJSON *ks = cJSON_GetObjectItemCaseSensitive(ix, "KeySchema");
        const cJSON *proj = cJSON_GetObjectItemCaseSensitive(ix, "Projection");
        const cJSON *pt = cJSON_GetObjectItemCaseSensitive(ix, "ProvisionedThroughput");
        cJSON *d;

        if (!cJSON_IsString(name))
            return V(c, "1 validation error detected: Value null at '%s.1.member.indexName' "
                        "failed to satisfy constraint: Member must not be null",
                     global ? "globalSecondaryIndexes" : "localSecondaryIndexes");
        if (cJSON_GetObjectItemCaseSensitive(names, name->valuestring))
            return V(c, "One or more parameter values were invalid: Duplicate index name: %s",
                     name->valuestring);
        cJSON_AddTrueToObject(names, name->valuestring);
        if (check_key_schema(c, ks, defs, "keySchema", used) != 0 ||
            check_projection(c, proj, name->valuestring) != 0)
            return -1;
        if (!global) {
            const cJSON *h = cJSON_GetArrayItem(ks, 0);
            if (!table_has_rk)
                return V(c, "One or more parameter values were invalid: Table KeySchema "
                            "does not have a range key, which is required when specifying "
                            "a LocalSecondaryIndex");
            if (cJSON_GetArraySize(ks) != 2)
                return V(c, "One or more parameter values were invalid: Index KeySchema "
                            "does not have a range key for index: %s", name->valuestring);
            if (strcmp(cJSON_GetObjectItemCaseSensitive(h, "AttributeName")->valuestring,
                       table_hk))
                return V(c, "One or more parameter values were invalid: Index KeySchema "
                            "does not have the same leading hash key as table KeySchema for "
                            "index: %s. index hash key: %s, table hash key: %s",
                         name->valuestring,
                         cJSON_GetObjectItemCaseSensitive(h, "AttributeName")->valuestring,
                         table_hk);
        } else if (check_throughput(c, pt, ppr, name->valuestring) != 0) {
            return -1;
        }
        d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "IndexName", name->valuestring);
        cJSON_AddItemToObject(d, "KeySchema", cJSON_Duplicate(ks, 1));
        cJSON_AddItemToObject(d, "Projection", cJSON_Duplicate(proj, 1));
        if (global) {
            cJSON_AddStringToObject(d, "IndexStatus", "ACTIVE");
            cJSON_AddItemToObject(d, "ProvisionedThroughput", throughput_desc(pt));
        }
        cJSON_AddStringToObject(d, "IndexArn",
                                ts_arena_printf(c->req->arena, "%s/index/%s",
                                                table_arn(c, table), name->valuestring));
        cJSON_AddItemToArray(out, d);
    }
    return 0;
}

static int check_definitions(ddb_call *c, const cJSON *defs)
{
    const cJSON *d;
    int i = 1;

    /* Optional in the model, required by DynamoDB. */
    if (!defs)
        return V(c, "1 validation error detected: Value null at 'attributeDefinitions' "
                    "failed to satisfy constraint: Member must not be null");
    cJSON_ArrayForEach(d, defs) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(d, "AttributeName");
        const cJSON *e;
        if (cJSON_IsNull(d))
            return V(c, "1 validation error detected: Value null at "
                        "'attributeDefinitions.%d.member.attributeName' failed to satisfy "
                        "constraint: Member must not be null", i);
        for (e = defs->child; e != d; e = e->next)
            if (!strcmp(cJSON_GetObjectItemCaseSensitive(e, "AttributeName")->valuestring,
                        n->valuestring))
                return V(c, "Cannot have two attributes with the same name");
        i++;
    }
    return 0;
}

int ddb_create_table(ddb_call *c)
{
    const char *name = ddb_get_str(c, "TableName");
    const cJSON *ks = cJSON_GetObjectItemCaseSensitive(c->in, "KeySchema");
    const cJSON *defs = cJSON_GetObjectItemCaseSensitive(c->in, "AttributeDefinitions");
    const cJSON *bm = cJSON_GetObjectItemCaseSensitive(c->in, "BillingMode");
    const cJSON *pt = cJSON_GetObjectItemCaseSensitive(c->in, "ProvisionedThroughput");
    const cJSON *gsis = cJSON_GetObjectItemCaseSensitive(c->in, "GlobalSecondaryIndexes");
    const cJSON *lsis = cJSON_GetObjectItemCaseSensitive(c->in, "LocalSecondaryIndexes");
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(c->in, "Tags");
    const cJSON *ss = cJSON_GetObjectItemCaseSensitive(c->in, "StreamSpecification");
    cJSON *desc = NULL, *used = NULL, *names = NULL, *bms;
    char *text = NULL, *tags_text = NULL, id[40];
    const char *hk;
    int ppr, rc = -1;
    sqlite3_stmt *st;

    if (!name || ddb_check_table_name(c, name, "tableName") != 0)
        return -1;
    if (!ks) /* optional in the model, required by DynamoDB */
        return V(c, "1 validation error detected: Value null at 'keySchema' failed to "
                    "satisfy constraint: Member must not be null");
    if (check_definitions(c, defs) != 0)
        return -1;
    ppr = bm && !strcmp(bm->valuestring, "PAY_PER_REQUEST");
    used = cJSON_CreateObject();
    names = cJSON_CreateObject();
    desc = cJSON_CreateObject();
    if (check_key_schema(c, ks, defs, "keySchema", used) != 0 ||
        check_throughput(c, pt, ppr, NULL) != 0)
        goto out;
    hk = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ks, 0), "AttributeName")->valuestring;
    cJSON_AddItemToObject(desc, "AttributeDefinitions", cJSON_Duplicate(defs, 1));
    cJSON_AddStringToObject(desc, "TableName", name);
    cJSON_AddItemToObject(desc, "KeySchema", cJSON_Duplicate(ks, 1));
    cJSON_AddNumberToObject(desc, "CreationDateTime", (double)ts_now_ms() / 1000.0);
    cJSON_AddItemToObject(desc, "ProvisionedThroughput", throughput_desc(ppr ? NULL : pt));
    cJSON_AddStringToObject(desc, "TableArn", table_arn(c, name));
    ts_uuid_v4(id);
    cJSON_AddStringToObject(desc, "TableId", id);
    bms = cJSON_AddObjectToObject(desc, "BillingModeSummary");
    cJSON_AddStringToObject(bms, "BillingMode", ppr ? "PAY_PER_REQUEST" : "PROVISIONED");
    cJSON_AddNumberToObject(bms, "LastUpdateToPayPerRequestDateTime",
                            (double)ts_now_ms() / 1000.0);
    if (gsis && build_indexes(c, gsis, 1, ppr, defs, hk, cJSON_GetArraySize(ks) == 2, name,
                              names, used,
                              cJSON_AddArrayToObject(desc, "GlobalSecondaryIndexes")) != 0)
        goto out;
    if (lsis && build_indexes(c, lsis, 0, ppr, defs, hk, cJSON_GetArraySize(ks) == 2, name,
                              names, used,
                              cJSON_AddArrayToObject(desc, "LocalSecondaryIndexes")) != 0)
        goto out;
    if (cJSON_GetArraySize(used) != cJSON_GetArraySize(defs)) {
        V(c, "One or more parameter values were invalid: Number of attributes in "
             "KeySchema does not exactly match number of attributes defined in "
             "AttributeDefinitions");
        goto out;
    }
    if (cJSON_IsObject(ss)) {
        const cJSON *en = cJSON_GetObjectItemCaseSensitive(ss, "StreamEnabled");
        cJSON_AddItemToObject(desc, "StreamSpecification", cJSON_Duplicate(ss, 1));
        if (cJSON_IsTrue(en)) {
            char when[32];
            ts_time_iso8601(ts_now_ms(), when);
            when[23] = '\0';
            cJSON_AddStringToObject(desc, "LatestStreamLabel", when);
            cJSON_AddStringToObject(desc, "LatestStreamArn",
                                    ts_arena_printf(c->req->arena, "%s/stream/%s",
                                                    table_arn(c, name), when));
        }
    }
    cJSON_AddBoolToObject(desc, "DeletionProtectionEnabled",
                          cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
                              c->in, "DeletionProtectionEnabled")));
    if (cJSON_IsArray(tags))
        tags_text = cJSON_PrintUnformatted(tags);
    text = cJSON_PrintUnformatted(desc);
    st = store_stmt("INSERT INTO ddb_table(region, name, created, desc, tags)"
                    " VALUES(?, ?, ?, ?, ?)");
    store_bind_text(st, 1, c->req->region);
    store_bind_text(st, 2, name);
    sqlite3_bind_int64(st, 3, ts_now_ms());
    store_bind_text(st, 4, text);
    store_bind_text(st, 5, tags_text);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT) {
        rc = ddb_fail(c, TS_ERR_RESOURCE_IN_USE, "Table already exists: %s", name);
        goto out;
    }
    if (rc != SQLITE_DONE) {
        rc = ddb_fail(c, TS_ERR_INTERNAL_SERVER, "Internal server error");
        goto out;
    }
    cJSON_AddStringToObject(desc, "TableStatus", "ACTIVE");
    cJSON_AddNumberToObject(desc, "TableSizeBytes", 0);
    cJSON_AddNumberToObject(desc, "ItemCount", 0);
    cJSON_AddItemToObject(c->out, "TableDescription", desc);
    desc = NULL;
    rc = 0;
out:
    cJSON_free(text);
    cJSON_free(tags_text);
    cJSON_Delete(desc);
    cJSON_Delete(used);
    cJSON_Delete(names);
    return rc;
}

/* The description with its status and counts, as DescribeTable shows it
 * (a new object). */
static cJSON *full_desc(const ddb_table *t, const char *status)
{
    cJSON *d = cJSON_Duplicate(t->desc, 1), *ix;
    const char *lists[] = {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"};

    cJSON_AddStringToObject(d, "TableStatus", status);
    cJSON_AddNumberToObject(d, "TableSizeBytes", (double)t->size_bytes);
    cJSON_AddNumberToObject(d, "ItemCount", (double)t->item_count);
    for (int l = 0; l < 2; l++) {
        cJSON_ArrayForEach(ix, cJSON_GetObjectItemCaseSensitive(d, lists[l])) {
            sqlite3_stmt *st = store_stmt(
                "SELECT count(*) FROM ddb_index WHERE table_id = ? AND idx = ?");
            int64_t n = 0;
            sqlite3_bind_int64(st, 1, t->id);
            store_bind_text(st, 2, cJSON_GetObjectItemCaseSensitive(ix, "IndexName")->valuestring);
            if (sqlite3_step(st) == SQLITE_ROW)
                n = sqlite3_column_int64(st, 0);
            sqlite3_reset(st);
            cJSON_AddNumberToObject(ix, "IndexSizeBytes",
                                    t->item_count ? (double)(t->size_bytes * n / t->item_count) : 0);
            cJSON_AddNumberToObject(ix, "ItemCount", (double)n);
        }
    }
    return d;
}

int ddb_describe_table(ddb_call *c)
{
    const char *name = ddb_get_str(c, "TableName");
    ddb_table t;

    if (!name || ddb_table_load(c, name, DDB_NOT_FOUND_NAMED, &t) != 0)
        return -1;
    cJSON_AddItemToObject(c->out, "Table", full_desc(&t, "ACTIVE"));
    ddb_table_free(&t);
    return 0;
}

int ddb_list_tables(ddb_call *c)
{
    const cJSON *lim = cJSON_GetObjectItemCaseSensitive(c->in, "Limit");
    const char *start = ddb_get_str(c, "ExclusiveStartTableName");
    int limit = 100, n = 0;
    cJSON *names = cJSON_AddArrayToObject(c->out, "TableNames");
    sqlite3_stmt *st;
    const char *last = NULL;
    int more = 0;

    if (lim)
        limit = lim->valueint; /* 1-100, as the model holds it */
    st = store_stmt("SELECT name FROM ddb_table WHERE region = ? AND name > ?"
                    " ORDER BY name LIMIT ?");
    store_bind_text(st, 1, c->req->region);
    store_bind_text(st, 2, start ? start : "");
    sqlite3_bind_int(st, 3, limit + 1);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n == limit) {
            more = 1;
            break;
        }
        cJSON *s = cJSON_CreateString((const char *)sqlite3_column_text(st, 0));
        cJSON_AddItemToArray(names, s);
        last = s->valuestring;
        n++;
    }
    sqlite3_reset(st);
    if (more && last)
        cJSON_AddStringToObject(c->out, "LastEvaluatedTableName", last);
    return 0;
}

int ddb_delete_table(ddb_call *c)
{
    const char *name = ddb_get_str(c, "TableName");
    sqlite3_stmt *st;
    ddb_table t;

    if (!name || ddb_table_load(c, name, DDB_NOT_FOUND_NAMED, &t) != 0)
        return -1;
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t.desc, "DeletionProtectionEnabled"))) {
        ddb_table_free(&t);
        return V(c, "Resource cannot be deleted as it is currently protected against "
                    "deletion. Disable deletion protection first.");
    }
    ddb_store_drop_table(t.id);
    st = store_stmt("DELETE FROM ddb_table WHERE id = ?");
    sqlite3_bind_int64(st, 1, t.id);
    sqlite3_step(st);
    sqlite3_reset(st);
    cJSON_AddItemToObject(c->out, "TableDescription", full_desc(&t, "DELETING"));
    ddb_table_free(&t);
    return 0;
}

static int save_desc(ddb_table *t)
{
    char *text = cJSON_PrintUnformatted(t->desc);
    sqlite3_stmt *st = store_stmt("UPDATE ddb_table SET desc = ? WHERE id = ?");
    int rc;

    store_bind_text(st, 1, text);
    sqlite3_bind_int64(st, 2, t->id);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    cJSON_free(text);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int find_index(const cJSON *list, const char *name)
{
    const cJSON *ix;
    int i = 0;

    cJSON_ArrayForEach(ix, list) {
        if (!strcmp(cJSON_GetObjectItemCaseSensitive(ix, "IndexName")->valuestring, name))
            return i;
        i++;
    }
    return -1;
}

/* Adds attribute definitions the request brings for a new index. */
static int merge_definitions(ddb_call *c, ddb_table *t)
{
    const cJSON *defs = cJSON_GetObjectItemCaseSensitive(c->in, "AttributeDefinitions"), *d;
    cJSON *have = cJSON_GetObjectItemCaseSensitive(t->desc, "AttributeDefinitions");

    if (!defs)
        return 0;
    if (check_definitions(c, defs) != 0)
        return -1;
    cJSON_ArrayForEach(d, defs) {
        const char *n = cJSON_GetObjectItemCaseSensitive(d, "AttributeName")->valuestring;
        const char *ty = cJSON_GetObjectItemCaseSensitive(d, "AttributeType")->valuestring;
        const cJSON *h;
        int found = 0;
        cJSON_ArrayForEach(h, have) {
            if (!strcmp(cJSON_GetObjectItemCaseSensitive(h, "AttributeName")->valuestring, n)) {
                found = 1;
                if (strcmp(cJSON_GetObjectItemCaseSensitive(h, "AttributeType")->valuestring, ty))
                    return V(c, "One or more parameter values were invalid: Cannot change "
                                "the type of attribute %s", n);
            }
        }
        if (!found)
            cJSON_AddItemToArray(have, cJSON_Duplicate(d, 1));
    }
    return 0;
}

static int gsi_updates(ddb_call *c, ddb_table *t, int ppr, int *backfill)
{
    const cJSON *ups = cJSON_GetObjectItemCaseSensitive(c->in, "GlobalSecondaryIndexUpdates");
    const cJSON *u;

    *backfill = -1;
    cJSON_ArrayForEach(u, ups) {
        const cJSON *cr = cJSON_GetObjectItemCaseSensitive(u, "Create");
        const cJSON *del = cJSON_GetObjectItemCaseSensitive(u, "Delete");
        const cJSON *upd = cJSON_GetObjectItemCaseSensitive(u, "Update");
        cJSON *list = cJSON_GetObjectItemCaseSensitive(t->desc, "GlobalSecondaryIndexes");

        if (cr) {
            cJSON *one = cJSON_CreateArray(), *names = cJSON_CreateObject(), *used = cJSON_CreateObject();
            cJSON *out = cJSON_CreateArray();
            const cJSON *ix;
            int rc;
            cJSON_AddItemToArray(one, cJSON_Duplicate(cr, 1));
            cJSON_ArrayForEach(ix, list)
                cJSON_AddTrueToObject(names, cJSON_GetObjectItemCaseSensitive(ix, "IndexName")->valuestring);
            cJSON_ArrayForEach(ix, cJSON_GetObjectItemCaseSensitive(t->desc, "LocalSecondaryIndexes"))
                cJSON_AddTrueToObject(names, cJSON_GetObjectItemCaseSensitive(ix, "IndexName")->valuestring);
            rc = build_indexes(c, one, 1, ppr,
                               cJSON_GetObjectItemCaseSensitive(t->desc, "AttributeDefinitions"),
                               t->hk, t->rk != NULL, t->name, names, used, out);
            if (rc == 0) {
                if (!list)
                    list = cJSON_AddArrayToObject(t->desc, "GlobalSecondaryIndexes");
                cJSON_AddItemToArray(list, cJSON_DetachItemFromArray(out, 0));
                *backfill = cJSON_GetArraySize(list) - 1;
            }
            cJSON_Delete(one);
            cJSON_Delete(names);
            cJSON_Delete(used);
            cJSON_Delete(out);
            if (rc != 0)
                return -1;
        } else if (del || upd) {
            const cJSON *n = cJSON_GetObjectItemCaseSensitive(del ? del : upd, "IndexName");
            int i = cJSON_IsString(n) ? find_index(list, n->valuestring) : -1;
            if (i < 0)
                return ddb_fail(c, TS_ERR_RESOURCE_NOT_FOUND,
                                "Requested resource not found: Index: %s not found",
                                cJSON_IsString(n) ? n->valuestring : "null");
            if (del) {
                ddb_store_drop_index(t->id, n->valuestring);
                cJSON_DeleteItemFromArray(list, i);
            } else {
                const cJSON *pt = cJSON_GetObjectItemCaseSensitive(upd, "ProvisionedThroughput");
                if (check_throughput(c, pt, ppr, n->valuestring) != 0)
                    return -1;
                cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetArrayItem(list, i),
                                                       "ProvisionedThroughput",
                                                       throughput_desc(pt));
            }
        }
    }
    return 0;
}

int ddb_update_table(ddb_call *c)
{
    const char *name = ddb_get_str(c, "TableName");
    const cJSON *bm = cJSON_GetObjectItemCaseSensitive(c->in, "BillingMode");
    const cJSON *pt = cJSON_GetObjectItemCaseSensitive(c->in, "ProvisionedThroughput");
    const cJSON *ss = cJSON_GetObjectItemCaseSensitive(c->in, "StreamSpecification");
    const cJSON *dp = cJSON_GetObjectItemCaseSensitive(c->in, "DeletionProtectionEnabled");
    cJSON *bms;
    ddb_table t;
    int ppr, backfill = -1;

    if (!name || ddb_table_load(c, name, DDB_NOT_FOUND_NAMED, &t) != 0)
        return -1;
    bms = cJSON_GetObjectItemCaseSensitive(t.desc, "BillingModeSummary");
    ppr = !strcmp(cJSON_GetObjectItemCaseSensitive(bms, "BillingMode")->valuestring,
                  "PAY_PER_REQUEST");
    if (cJSON_IsString(bm)) {
        ppr = !strcmp(bm->valuestring, "PAY_PER_REQUEST");
        cJSON_ReplaceItemInObjectCaseSensitive(bms, "BillingMode",
                                               cJSON_CreateString(bm->valuestring));
        if (ppr)
            cJSON_ReplaceItemInObjectCaseSensitive(t.desc, "ProvisionedThroughput",
                                                   throughput_desc(NULL));
    }
    if (pt) {
        if (check_throughput(c, pt, ppr, NULL) != 0)
            goto fail;
        cJSON_ReplaceItemInObjectCaseSensitive(t.desc, "ProvisionedThroughput",
                                               throughput_desc(pt));
    } else if (cJSON_IsString(bm) && !ppr && !cJSON_GetObjectItemCaseSensitive(
                   cJSON_GetObjectItemCaseSensitive(t.desc, "ProvisionedThroughput"),
                   "ReadCapacityUnits")->valuedouble) {
        check_throughput(c, NULL, 0, NULL);
        goto fail;
    }
    if (merge_definitions(c, &t) != 0 || gsi_updates(c, &t, ppr, &backfill) != 0)
        goto fail;
    if (cJSON_IsObject(ss)) {
        cJSON_DeleteItemFromObjectCaseSensitive(t.desc, "StreamSpecification");
        cJSON_AddItemToObject(t.desc, "StreamSpecification", cJSON_Duplicate(ss, 1));
    }
    if (cJSON_IsBool(dp))
        cJSON_ReplaceItemInObjectCaseSensitive(t.desc, "DeletionProtectionEnabled",
                                               cJSON_CreateBool(cJSON_IsTrue(dp)));
    if (save_desc(&t) != 0)
        goto internal;
    if (backfill >= 0) {
        /* Reload so the new index is in t.idx, then index every item. */
        ddb_table t2;
        if (ddb_table_load(c, name, DDB_NOT_FOUND_NAMED, &t2) != 0)
            goto fail;
        for (int i = 0; i < t2.nidx; i++) {
            const char *n = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(t.desc, "GlobalSecondaryIndexes"),
                                   backfill), "IndexName")->valuestring;
            if (!strcmp(t2.idx[i].name, n))
                ddb_store_backfill(&t2, i);
        }
        ddb_table_free(&t2);
    }
    cJSON_AddItemToObject(c->out, "TableDescription", full_desc(&t, "ACTIVE"));
    ddb_table_free(&t);
    return 0;
internal:
    ddb_fail(c, TS_ERR_INTERNAL_SERVER, "Internal server error");
fail:
    ddb_table_free(&t);
    return -1;
}
