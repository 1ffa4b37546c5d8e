/*
 * ddb.c - the DynamoDB service: JSON 1.0 over POST / with
 * X-Amz-Target: DynamoDB_20120810.<Operation>.  The operation table maps
 * each name to a ddb_fn; one dispatcher parses the body (malformed JSON is
 * a SerializationException), runs the operation and writes its answer.
 * Errors render as {"__type": "<namespace>#<Code>", "message": ...} with
 * the namespaces DynamoDB itself uses.
 */
#include "ddb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinystack/http.h"
#include "tinystack/model.h"
#include "tinystack/services.h"
#include "tinystack/store.h"

#include <zlib.h>

#define DDB_TARGET_PREFIX "DynamoDB_20120810."

static int dispatch(ts_req *req, ts_resp *resp);

#define W(name) {name, dispatch, TS_OP_WRITE, NULL, NULL}
#define R(name) {name, dispatch, TS_OP_READ, NULL, NULL}
static const ts_op ddb_ops[] = {
    W("CreateTable"), R("DescribeTable"), R("ListTables"), W("DeleteTable"),
    W("UpdateTable"), R("DescribeTimeToLive"), W("UpdateTimeToLive"),
    W("TagResource"), W("UntagResource"), R("ListTagsOfResource"),
    R("DescribeLimits"), R("DescribeEndpoints"),
    W("PutItem"), R("GetItem"), W("DeleteItem"), W("UpdateItem"),
    R("Query"), R("Scan"), W("BatchWriteItem"), R("BatchGetItem"),
    W("TransactWriteItems"), R("TransactGetItems"),
};
#undef W
#undef R

/* Same order as ddb_ops. */
static const ddb_fn ddb_fns[] = {
    ddb_create_table, ddb_describe_table, ddb_list_tables, ddb_delete_table,
    ddb_update_table, ddb_describe_ttl, ddb_update_ttl,
    ddb_tag_resource, ddb_untag_resource, ddb_list_tags,
    ddb_describe_limits, ddb_describe_endpoints,
    ddb_put_item, ddb_get_item, ddb_delete_item, ddb_update_item,
    ddb_query, ddb_scan, ddb_batch_write_item, ddb_batch_get_item,
    ddb_transact_write_items, ddb_transact_get_items,
};

/* Operations DynamoDB has that tinystack does not (yet): named in the
 * error, so a user sees what is missing. */
static const ts_op unknown_op = {"Unknown", NULL, 0, NULL, NULL};

static const ts_op *ddb_resolve(ts_req *req, ts_resp *resp)
{
    const char *t = ts_req_header(req, "X-Amz-Target");

    if (strcmp(req->method, "POST") != 0) {
        ts_resp_error(resp, TS_ERR_UNKNOWN_OPERATION, NULL);
        return NULL;
    }
    if (t && ts_starts_with(t, DDB_TARGET_PREFIX)) {
        const char *name = t + strlen(DDB_TARGET_PREFIX);
        for (size_t i = 0; i < TS_ARRAY_LEN(ddb_ops); i++)
            if (!strcmp(ddb_ops[i].name, name))
                return &ddb_ops[i];
    }
    ts_resp_error(resp, TS_ERR_UNKNOWN_OPERATION, NULL);
    return &unknown_op;
}

/* DynamoDB signs every body with its CRC32, which the SDKs check. */
static void crc_header(ts_req *req, ts_resp *resp)
{
    uLong crc = crc32(0L, (const Bytef *)resp->body.data, (uInt)resp->body.len);

    ts_resp_headerf(req, resp, "x-amz-crc32", "%lu", (unsigned long)crc);
}

static void ddb_render_error(ts_req *req, ts_resp *resp)
{
    const char *code = ts_error_code(resp->err);
    const char *msg = resp->err_message ? resp->err_message : ts_error_message(resp->err);
    const char *ns = "com.amazonaws.dynamodb.v20120810#";
    cJSON *o = cJSON_CreateObject();
    char *text;

    if (resp->err == TS_ERR_VALIDATION)
        ns = "com.amazon.coral.validate#";
    else if (resp->err == TS_ERR_SERIALIZATION || resp->err == TS_ERR_UNKNOWN_OPERATION)
        ns = "com.amazon.coral.service#";
    cJSON_AddStringToObject(o, "__type", ts_arena_printf(req->arena, "%s%s", ns, code));
    if (msg && *msg)
        cJSON_AddStringToObject(o, resp->err == TS_ERR_SERIALIZATION ? "Message" : "message",
                                msg);
    text = cJSON_PrintUnformatted(o);
    if (resp->err_json && *resp->err_json) {
        /* Splice the extra members before the closing brace. */
        size_t n = strlen(text);
        ts_buf_append(&resp->body, text, n - 1);
        ts_buf_putc(&resp->body, ',');
        ts_buf_puts(&resp->body, resp->err_json);
        ts_buf_putc(&resp->body, '}');
    } else {
        ts_buf_puts(&resp->body, text);
    }
    cJSON_free(text);
    cJSON_Delete(o);
    ts_resp_header(req, resp, "Content-Type", "application/x-amz-json-1.0");
    crc_header(req, resp);
}

static const ts_protocol ddb_proto = {"json-1.0", ddb_render_error};

const ts_service ddb_service = {"dynamodb", &ddb_proto, ddb_resolve};

/* The botocore model's check of the input (types, then constraints), as
 * DynamoDB does it before the operation runs; null members then go, as
 * AWS reads them as absent. */
static int model_check(ts_req *req, ts_resp *resp, cJSON *in)
{
    const ts_model_op *op = ts_model_op_find("dynamodb", req->op->name);
    ts_model_error e;
    int rc = ts_model_validate(op, in, &e);

    if (rc != 0)
        ts_resp_error(resp, e.kind == TS_MODEL_SERIALIZATION ? TS_ERR_SERIALIZATION
                                                             : TS_ERR_VALIDATION,
                      ts_arena_strdup(req->arena, e.message));
    else
        ts_model_drop_nulls(op, in);
    ts_model_error_free(&e);
    return rc;
}

static int dispatch(ts_req *req, ts_resp *resp)
{
    ddb_call c;
    size_t i = (size_t)(req->op - ddb_ops);
    char *text;
    int rc;

    memset(&c, 0, sizeof(c));
    c.req = req;
    c.resp = resp;
    c.in = cJSON_ParseWithLength(req->body.data, req->body.len);
    if (!c.in && req->body.len == 0)
        c.in = cJSON_CreateObject();
    if (!cJSON_IsObject(c.in)) {
        cJSON_Delete(c.in);
        return ts_resp_error(resp, TS_ERR_SERIALIZATION,
                             req->body.len ? "Start of structure or map found where not expected."
                                           : NULL);
    }
    if (model_check(req, resp, c.in) != 0) {
        cJSON_Delete(c.in);
        return -1;
    }
    c.out = cJSON_CreateObject();
    /* A read sees one snapshot of the store, whatever it reads. */
    if (req->op->flags & TS_OP_READ) {
        store_read_begin();
        rc = ddb_fns[i](&c);
        store_read_end();
    } else {
        rc = ddb_fns[i](&c);
    }
    if (rc == 0) {
        text = cJSON_PrintUnformatted(c.out);
        ts_buf_puts(&resp->body, text);
        cJSON_free(text);
        ts_resp_header(req, resp, "Content-Type", "application/x-amz-json-1.0");
        crc_header(req, resp);
    } else if (resp->err == TS_ERR_NONE) {
        ts_resp_error(resp, TS_ERR_INTERNAL_SERVER, NULL);
    }
    cJSON_Delete(c.in);
    cJSON_Delete(c.out);
    return rc;
}

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

const char *ddb_get_str(ddb_call *c, const char *member, const char *what,
                        int required)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->in, member);

    if (cJSON_IsString(v))
        return v->valuestring;
    if (v && !cJSON_IsNull(v)) {
        ddb_fail(c, TS_ERR_SERIALIZATION, "STRING_VALUE can not be converted to a String");
        return NULL;
    }
    if (required)
        ddb_fail(c, TS_ERR_VALIDATION,
                 "1 validation error detected: Value null at '%s' failed to satisfy "
                 "constraint: Member must not be null", what);
    return NULL;
}

int ddb_check_table_name(ddb_call *c, const char *name, const char *what)
{
    size_t n = strlen(name);

    if (n < 3 || n > 255)
        return ddb_fail(c, TS_ERR_VALIDATION,
                        "1 validation error detected: Value '%s' at '%s' failed to "
                        "satisfy constraint: Member must have length %s",
                        name, what,
                        n < 3 ? "greater than or equal to 3" : "less than or equal to 255");
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

int ddb_table_load(ddb_call *c, const char *name, ddb_table *t)
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
        return ddb_fail(c, TS_ERR_RESOURCE_NOT_FOUND,
                        "Requested resource not found: Table: %s not found", name);
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
