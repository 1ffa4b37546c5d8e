/*
 * ddb.c - the DynamoDB service: JSON 1.0 over POST / with
 * X-Amz-Target: DynamoDB_20120810.<Operation>.  The operation table maps
 * each name to its handler, its transaction (read snapshot or write) and
 * its body cap; the JSON 1.0 protocol parses the body and renders the
 * answer, the dispatcher runs the handler.  The rest of this file is the
 * helpers the operations share: errors, table loading, capacity.
 */
#include "ddb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinystack/bus.h"
#include "tinystack/service.h"
#include "tinystack/store.h"


static void ddb_init(void)
{
    /* Expired items are hidden from reads at once; this deletes them. */
    bus_every(5000, ddb_ttl_sweep);
}

/*
 * Body caps, checked before a body is buffered.  A request is at most
 * 16 MB (the service's cap).  The single-item operations carry at most
 * one 400 KB item (PutItem's Item, UpdateItem's values, a condition's
 * operands), and an item grows in JSON: a control character is six
 * bytes ("\u0001"), a binary 4/3 in base64, a one-byte NULL or BOOL in a
 * list about seven ({"NULL":true},).  4 MiB holds a 400 KB item in the
 * worst of these with a megabyte to spare for keys, names and
 * expressions; the 400 KB item limit itself is checked after parsing.
 */
#define DDB_REQUEST_MAX (16u << 20)
#define DDB_ITEM_REQUEST_MAX (4u << 20)

#define W(name, fn) {name, fn, TS_OP_WRITE, NULL, NULL, NULL, NULL, 0}
#define R(name, fn) {name, fn, TS_OP_READ, NULL, NULL, NULL, NULL, 0}
#define W1(name, fn) {name, fn, TS_OP_WRITE, NULL, NULL, NULL, NULL, DDB_ITEM_REQUEST_MAX}
#define R1(name, fn) {name, fn, TS_OP_READ, NULL, NULL, NULL, NULL, DDB_ITEM_REQUEST_MAX}
static const ts_op ddb_ops[] = {
    W("CreateTable", ddb_create_table),
    R("DescribeTable", ddb_describe_table),
    R("ListTables", ddb_list_tables),
    W("DeleteTable", ddb_delete_table),
    W("UpdateTable", ddb_update_table),
    R("DescribeTimeToLive", ddb_describe_ttl),
    W("UpdateTimeToLive", ddb_update_ttl),
    W("TagResource", ddb_tag_resource),
    W("UntagResource", ddb_untag_resource),
    R("ListTagsOfResource", ddb_list_tags),
    R("DescribeLimits", ddb_describe_limits),
    R("DescribeEndpoints", ddb_describe_endpoints),
    W1("PutItem", ddb_put_item),
    R1("GetItem", ddb_get_item),
    W1("DeleteItem", ddb_delete_item),
    W1("UpdateItem", ddb_update_item),
    R("Query", ddb_query),
    R("Scan", ddb_scan),
    W("BatchWriteItem", ddb_batch_write_item),
    R("BatchGetItem", ddb_batch_get_item),
    W("TransactWriteItems", ddb_transact_write_items),
    R("TransactGetItems", ddb_transact_get_items),
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, 0},
};
#undef W
#undef R
#undef W1
#undef R1

const ts_service ddb_service = {
    .name = "dynamodb",
    .signing_name = "dynamodb",
    .target_prefix = "DynamoDB_20120810.",
    .proto = &ts_proto_json10,
    .ops = ddb_ops,
    .error_prefix = "com.amazonaws.dynamodb.v20120810#",
    .max_body = DDB_REQUEST_MAX,
    .too_large = TS_ERR_JSON_REQUEST_TOO_LARGE,
    .available = 1,
    .init = ddb_init,
};

/* ---- helpers for the operations ---- */

int ddb_fail(ddb_call *c, int err, const char *fmt, ...)
{
    va_list ap;
    ts_buf b;

    ts_buf_init(&b);
    va_start(ap, fmt);
    ts_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    c->resp->err = (ts_err)err;
    c->resp->err_message = ts_arena_strdup(c->req->arena, b.data ? b.data : "");
    ts_buf_free(&b);
    return -1;
}

int ddb_fail_validation(ddb_call *c)
{
    return ddb_fail(c, TS_ERR_VALIDATION, "%s", c->err);
}

const char *ddb_get_str(ddb_call *c, const char *member)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->in, member);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int ddb_check_table_name(ddb_call *c, const char *name, const char *what)
{
    size_t n = strlen(name);

    if (n > 255)
        return ddb_fail(c, TS_ERR_VALIDATION,
                        "1 validation error detected: Value '%s' at '%s' failed to "
                        "satisfy constraint: Member must have length less than or equal to 255",
                        name, what);
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.'))
            return ddb_fail(c, TS_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at '%s' failed to "
                            "satisfy constraint: Member must satisfy regular expression "
                            "pattern: [a-zA-Z0-9_.-]+", name, what);
    }
    return 0;
}

static char key_type(const cJSON *defs, const char *name)
{
    const cJSON *d;

    cJSON_ArrayForEach(d, defs) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(d, "AttributeName");
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(d, "AttributeType");
        if (cJSON_IsString(n) && cJSON_IsString(t) && !strcmp(n->valuestring, name))
            return t->valuestring[0];
    }
    return 'S';
}

/* Reads a KeySchema array into hash/range names. */
static void key_schema(const cJSON *ks, const cJSON *defs, const char **hk, char *hkt,
                       const char **rk, char *rkt)
{
    const cJSON *k;

    *hk = *rk = NULL;
    cJSON_ArrayForEach(k, ks) {
        const char *n = cJSON_GetObjectItemCaseSensitive(k, "AttributeName")->valuestring;
        const char *type = cJSON_GetObjectItemCaseSensitive(k, "KeyType")->valuestring;
        if (!strcmp(type, "HASH")) {
            *hk = n;
            *hkt = key_type(defs, n);
        } else {
            *rk = n;
            *rkt = key_type(defs, n);
        }
    }
}

static void load_indexes(ddb_table *t, const cJSON *list, int global)
{
    const cJSON *defs = cJSON_GetObjectItemCaseSensitive(t->desc, "AttributeDefinitions");
    const cJSON *ix;

    cJSON_ArrayForEach(ix, list) {
        ddb_index_def *d;
        const cJSON *proj = cJSON_GetObjectItemCaseSensitive(ix, "Projection");
        const cJSON *pt = cJSON_GetObjectItemCaseSensitive(proj, "ProjectionType");

        if (t->nidx == DDB_MAX_INDEXES)
            return;
        d = &t->idx[t->nidx++];
        memset(d, 0, sizeof(*d));
        d->name = cJSON_GetObjectItemCaseSensitive(ix, "IndexName")->valuestring;
        d->global = global;
        key_schema(cJSON_GetObjectItemCaseSensitive(ix, "KeySchema"), defs, &d->hk,
                   &d->hkt, &d->rk, &d->rkt);
        d->proj = !cJSON_IsString(pt) || !strcmp(pt->valuestring, "ALL") ? DDB_PROJ_ALL
                  : !strcmp(pt->valuestring, "KEYS_ONLY")                 ? DDB_PROJ_KEYS_ONLY
                                                                          : DDB_PROJ_INCLUDE;
        d->include = cJSON_GetObjectItemCaseSensitive(proj, "NonKeyAttributes");
    }
}

int ddb_table_load(ddb_call *c, const char *name, int not_found, ddb_table *t)
{
    sqlite3_stmt *st = store_stmt(
        "SELECT id, desc, ttl_attr, item_count, size_bytes FROM ddb_table"
        " WHERE region = ? AND name = ?");
    int found;

    memset(t, 0, sizeof(*t));
    store_bind_text(st, 1, c->req->region);
    store_bind_text(st, 2, name);
    found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        const char *ttl = (const char *)sqlite3_column_text(st, 2);
        t->id = sqlite3_column_int64(st, 0);
        t->desc = cJSON_Parse((const char *)sqlite3_column_text(st, 1));
        t->ttl_attr = ttl ? ts_arena_strdup(c->req->arena, ttl) : NULL;
        t->item_count = sqlite3_column_int64(st, 3);
        t->size_bytes = sqlite3_column_int64(st, 4);
    }
    sqlite3_reset(st);
    if (!found || !t->desc) {
        cJSON_Delete(t->desc);
        t->desc = NULL;
        if (not_found == DDB_NOT_FOUND_NAMED)
            return ddb_fail(c, TS_ERR_RESOURCE_NOT_FOUND,
                            "Requested resource not found: Table: %s not found", name);
        return ddb_fail(c, TS_ERR_RESOURCE_NOT_FOUND, "Requested resource not found");
    }
    ddb_table_from_desc(t);
    return 0;
}

void ddb_table_from_desc(ddb_table *t)
{
    t->name = cJSON_GetObjectItemCaseSensitive(t->desc, "TableName")->valuestring;
    key_schema(cJSON_GetObjectItemCaseSensitive(t->desc, "KeySchema"),
               cJSON_GetObjectItemCaseSensitive(t->desc, "AttributeDefinitions"),
               &t->hk, &t->hkt, &t->rk, &t->rkt);
    t->nidx = 0;
    load_indexes(t, cJSON_GetObjectItemCaseSensitive(t->desc, "GlobalSecondaryIndexes"), 1);
    load_indexes(t, cJSON_GetObjectItemCaseSensitive(t->desc, "LocalSecondaryIndexes"), 0);
}

void ddb_table_free(ddb_table *t)
{
    cJSON_Delete(t->desc);
    t->desc = NULL;
}

void ddb_consumed(ddb_call *c, cJSON *out, const char *table, double units, int write)
{
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(c->in, "ReturnConsumedCapacity");
    cJSON *cc;

    if (!cJSON_IsString(r) || !strcmp(r->valuestring, "NONE"))
        return;
    cc = cJSON_AddObjectToObject(out, "ConsumedCapacity");
    cJSON_AddStringToObject(cc, "TableName", table);
    cJSON_AddNumberToObject(cc, "CapacityUnits", units);
    if (!strcmp(r->valuestring, "INDEXES")) {
        cJSON *tb = cJSON_AddObjectToObject(cc, "Table");
        cJSON_AddNumberToObject(tb, "CapacityUnits", units);
    }
    TS_UNUSED(write);
}
