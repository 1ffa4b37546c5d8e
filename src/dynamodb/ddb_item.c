/*
 * ddb_item.c - the single-item operations: PutItem, GetItem, DeleteItem
 * and UpdateItem, with conditions, ReturnValues and consumed capacity,
 * and the request-level expression handling Query, Scan and the batch
 * operations share.  Each write runs inside the dispatcher's write
 * transaction: the table is loaded, the old item read, the condition
 * checked and the item written in that one transaction, so a table
 * deleted meanwhile is simply not found; an error set here rolls it back.
 */
#include "ddb_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinystack/http.h"
#include "tinystack/store.h"

#define V(c, ...) ddb_fail(c, TS_ERR_VALIDATION, __VA_ARGS__)
#define DDB_MAX_ITEM (400u * 1024u)

static const struct {
    unsigned flag;
    const char *member;
    int kind;
} expr_members[] = {
    {DDB_X_KEY, "KeyConditionExpression", DDB_EXPR_KEY_CONDITION},
    {DDB_X_UPDATE, "UpdateExpression", DDB_EXPR_UPDATE},
    {DDB_X_COND, "ConditionExpression", DDB_EXPR_CONDITION},
    {DDB_X_FILTER, "FilterExpression", DDB_EXPR_FILTER},
    {DDB_X_PROJ, "ProjectionExpression", DDB_EXPR_PROJECTION},
};

static ddb_expr **expr_slot(ddb_exprs *x, unsigned flag)
{
    switch (flag) {
    case DDB_X_COND: return &x->cond;
    case DDB_X_UPDATE: return &x->update;
    case DDB_X_PROJ: return &x->proj;
    case DDB_X_FILTER: return &x->filter;
    default: return &x->key;
    }
}

int ddb_exprs_parse(ddb_call *c, cJSON *src, ddb_exprs *x, unsigned which)
{
    int any = 0, rc;

    /* The model check has typed the expressions src has (each of which's
     * is a member of every src's shape) as strings, and its
     * ExpressionAttributeNames.  ExpressionAttributeValues is not in
     * GetItem's, BatchGetItem's or TransactGetItems' shapes, so
     * ddb_expr_attrs_validate still checks what it is. */
    memset(x, 0, sizeof(*x));
    x->names = cJSON_GetObjectItemCaseSensitive(src, "ExpressionAttributeNames");
    x->values = cJSON_GetObjectItemCaseSensitive(src, "ExpressionAttributeValues");
    rc = ddb_expr_attrs_validate(x->names, x->values, c->err, sizeof(c->err));
    if (rc == DDB_ERR_SERIALIZATION)
        return ddb_fail(c, TS_ERR_SERIALIZATION, "%s", c->err);
    if (rc != 0)
        return ddb_fail_validation(c);
    for (size_t i = 0; i < TS_ARRAY_LEN(expr_members); i++) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(src, expr_members[i].member);
        if (!e || !(which & expr_members[i].flag))
            continue;
        any = 1;
        *expr_slot(x, expr_members[i].flag) =
            ddb_expr_parse(expr_members[i].kind, e->valuestring, x->names, x->values,
                           &x->usage, c->err, sizeof(c->err));
        if (!*expr_slot(x, expr_members[i].flag))
            return ddb_fail_validation(c);
    }
    if (!any && x->names)
        return V(c, "ExpressionAttributeNames can only be specified when using expressions");
    if (!any && x->values)
        return V(c, "ExpressionAttributeValues can only be specified when using expressions");
    if (ddb_expr_check_unused(x->names, x->values, &x->usage, c->err, sizeof(c->err)) != 0)
        return ddb_fail_validation(c);
    return 0;
}

void ddb_exprs_free(ddb_exprs *x)
{
    ddb_expr_free(x->cond);
    ddb_expr_free(x->update);
    ddb_expr_free(x->proj);
    ddb_expr_free(x->filter);
    ddb_expr_free(x->key);
    ddb_expr_usage_free(&x->usage);
    memset(x, 0, sizeof(*x));
}

int ddb_check_mixed(ddb_call *c, const cJSON *src, const char *legacy, const char *expr)
{
    if (cJSON_GetObjectItemCaseSensitive(src, legacy) &&
        cJSON_GetObjectItemCaseSensitive(src, expr))
        return V(c, "Can not use both expression and non-expression parameters in the same "
                    "request: Non-expression parameters: {%s} Expression parameters: {%s}",
                 legacy, expr);
    return 0;
}

int ddb_validate_item(ddb_call *c, cJSON *item, const char *what)
{
    int rc;

    /* Absent: a Key the caller did not find.  Null: an element of
     * BatchGetItem's Keys, which the model check skips. */
    if (!item || cJSON_IsNull(item))
        return V(c, "1 validation error detected: Value null at '%s' failed to satisfy "
                    "constraint: Member must not be null", what);
    rc = ddb_item_validate(item, c->err, sizeof(c->err));
    if (rc == DDB_ERR_SERIALIZATION)
        return ddb_fail(c, TS_ERR_SERIALIZATION, "%s", c->err);
    if (rc != 0)
        return ddb_fail_validation(c);
    return 0;
}

int ddb_key_param(ddb_call *c, const ddb_table *t, const cJSON *keyparam, cJSON **key)
{
    cJSON *copy;

    *key = NULL;
    copy = cJSON_Duplicate(keyparam, 1);
    if (ddb_validate_item(c, copy, "key") != 0) {
        cJSON_Delete(copy);
        return -1;
    }
    if (ddb_item_key(copy, DDB_KEY_FROM_KEY, t->hk, t->hkt, t->rk, t->rkt, key, c->err,
                     sizeof(c->err)) != 0) {
        cJSON_Delete(copy);
        return ddb_fail_validation(c);
    }
    cJSON_Delete(copy);
    return 0;
}

int ddb_condition_holds(ddb_call *c, const cJSON *src, const ddb_exprs *x, const cJSON *old)
{
    const cJSON *exp = cJSON_GetObjectItemCaseSensitive(src, "Expected");
    int r = 1;

    if (x->cond)
        r = ddb_expr_eval_cond(x->cond, old, c->err, sizeof(c->err));
    else if (exp) {
        const cJSON *op = cJSON_GetObjectItemCaseSensitive(src, "ConditionalOperator");
        r = ddb_legacy_eval(exp, cJSON_IsString(op) ? op->valuestring : "AND", old, 1,
                            c->err, sizeof(c->err));
    }
    if (r < 0)
        return ddb_fail_validation(c);
    return r;
}

double ddb_write_units(size_t size)
{
    double u = ceil((double)size / 1024.0);

    return u < 1 ? 1 : u;
}

double ddb_read_units(size_t size, int consistent)
{
    double u = ceil((double)size / 4096.0);

    if (u < 1)
        u = 1;
    return consistent ? u : u / 2;
}

/* The ReturnValues of a write (one of the model's five), checked against
 * what the operation allows. */
int ddb_return_values(ddb_call *c, const cJSON *src, int all, const char **out)
{
    const cJSON *rv = cJSON_GetObjectItemCaseSensitive(src, "ReturnValues");

    *out = cJSON_IsString(rv) ? rv->valuestring : "NONE";
    if (!all && strcmp(*out, "NONE") && strcmp(*out, "ALL_OLD"))
        return V(c, "Return values set to invalid value");
    return 0;
}

/* ConditionalCheckFailedException, with the old item when asked for. */
int ddb_condition_failed(ddb_call *c, const cJSON *src, const cJSON *old)
{
    const cJSON *rv = cJSON_GetObjectItemCaseSensitive(src, "ReturnValuesOnConditionCheckFailure");

    if (old && cJSON_IsString(rv) && !strcmp(rv->valuestring, "ALL_OLD")) {
        char *text = cJSON_PrintUnformatted(old);
        c->resp->err_json = ts_arena_printf(c->req->arena, "\"Item\":%s", text);
        cJSON_free(text);
    }
    return ddb_fail(c, TS_ERR_CONDITIONAL_CHECK_FAILED, "The conditional request failed");
}

/* Checks the request's legacy Expected (and, for UpdateItem, its
 * AttributeUpdates) before the table is looked at; 0 or -1 with the
 * error set. */
static int check_legacy(ddb_call *c, int updates)
{
    cJSON *exp = cJSON_GetObjectItemCaseSensitive(c->in, "Expected");
    cJSON *upd = updates ? cJSON_GetObjectItemCaseSensitive(c->in, "AttributeUpdates") : NULL;
    int rc = 0;

    if (exp)
        rc = ddb_legacy_check_expected(exp, c->err, sizeof(c->err));
    if (rc == 0 && upd)
        rc = ddb_legacy_check_updates(upd, c->err, sizeof(c->err));
    if (rc == DDB_ERR_SERIALIZATION)
        return ddb_fail(c, TS_ERR_SERIALIZATION, "%s", c->err);
    return rc ? ddb_fail_validation(c) : 0;
}

/* Reads the item's current value into *old (the caller frees it) and
 * checks the request's condition on it: 0 when it holds, or -1 with the
 * error set. */
static int read_checked(ddb_call *c, const ddb_table *t, const ddb_exprs *x,
                        const ts_buf *hk, const ts_buf *rk, cJSON **old)
{
    int held;

    *old = ddb_store_get(t, hk, rk);
    held = ddb_condition_holds(c, c->in, x, *old);
    if (held == 1)
        return 0;
    if (held == 0)
        ddb_condition_failed(c, c->in, *old);
    return -1;
}

int ddb_put_item(ddb_call *c)
{
    const char *name = ddb_get_str(c, "TableName"), *rv;
    cJSON *item = cJSON_GetObjectItemCaseSensitive(c->in, "Item");
    cJSON *key = NULL, *old = NULL;
    ts_buf hk, rk;
    ddb_exprs x;
    ddb_table t;
    size_t size;
    int rc = -1;

    memset(&x, 0, sizeof(x));
    memset(&t, 0, sizeof(t));
    ts_buf_init(&hk);
    ts_buf_init(&rk);
    if (!name || ddb_validate_item(c, item, "item") != 0 ||
        ddb_return_values(c, c->in, 0, &rv) != 0 ||
        ddb_check_mixed(c, c->in, "Expected", "ConditionExpression") != 0 ||
        check_legacy(c, 0) != 0 ||
        ddb_exprs_parse(c, c->in, &x, DDB_X_COND) != 0)
        goto out;
    if (ddb_table_load(c, name, DDB_NOT_FOUND_SHORT, &t) != 0)
        goto out;
    if (ddb_item_key(item, DDB_KEY_FROM_ITEM, t.hk, t.hkt, t.rk, t.rkt, &key, c->err,
                     sizeof(c->err)) != 0) {
        ddb_fail_validation(c);
        goto out;
    }
    size = ddb_item_size(item);
    if (size > DDB_MAX_ITEM) {
        V(c, "Item size has exceeded the maximum allowed size");
        goto out;
    }
    if (ddb_check_index_keys(&t, item, c->err, sizeof(c->err)) != 0) {
        ddb_fail_validation(c);
        goto out;
    }
    ddb_key_bytes(&t, key, &hk, &rk);
    if (read_checked(c, &t, &x, &hk, &rk, &old) != 0)
        goto out;
    if (ddb_store_put(&t, item) != 0) {
        ddb_fail(c, TS_ERR_INTERNAL_SERVER, "Internal server error");
        goto out;
    }
    if (old && !strcmp(rv, "ALL_OLD")) {
        cJSON_AddItemToObject(c->out, "Attributes", old);
        old = NULL;
    }
    ddb_consumed(c, c->out, t.name, ddb_write_units(size), 1);
    rc = 0;
out:
    ddb_exprs_free(&x);
    ddb_table_free(&t);
    cJSON_Delete(key);
    cJSON_Delete(old);
    ts_buf_free(&hk);
    ts_buf_free(&rk);
    return rc;
}

int ddb_get_item(ddb_call *c)
{
    const char *name = ddb_get_str(c, "TableName");
    const cJSON *atg = cJSON_GetObjectItemCaseSensitive(c->in, "AttributesToGet");
    const cJSON *cr = cJSON_GetObjectItemCaseSensitive(c->in, "ConsistentRead");
    cJSON *key = NULL, *item = NULL;
    ts_buf hk, rk;
    ddb_exprs x;
    ddb_table t;
    int rc = -1;

    memset(&x, 0, sizeof(x));
    memset(&t, 0, sizeof(t));
    ts_buf_init(&hk);
    ts_buf_init(&rk);
    if (!name || ddb_check_mixed(c, c->in, "AttributesToGet", "ProjectionExpression") != 0 ||
        ddb_exprs_parse(c, c->in, &x, DDB_X_PROJ) != 0 ||
        ddb_table_load(c, name, DDB_NOT_FOUND_SHORT, &t) != 0 ||
        ddb_key_param(c, &t, cJSON_GetObjectItemCaseSensitive(c->in, "Key"), &key) != 0)
        goto out;
    ddb_key_bytes(&t, key, &hk, &rk);
    item = ddb_store_get(&t, &hk, &rk);
    if (item) {
        size_t size = ddb_item_size(item);
        cJSON *shown = x.proj ? ddb_expr_project(x.proj, item)
                       : atg  ? ddb_legacy_project(atg, item)
                              : cJSON_Duplicate(item, 1);
        cJSON_AddItemToObject(c->out, "Item", shown);
        ddb_consumed(c, c->out, t.name, ddb_read_units(size, cJSON_IsTrue(cr)), 0);
    } else {
        ddb_consumed(c, c->out, t.name, ddb_read_units(0, cJSON_IsTrue(cr)), 0);
    }
    rc = 0;
out:
    ddb_exprs_free(&x);
    ddb_table_free(&t);
    cJSON_Delete(key);
    cJSON_Delete(item);
    ts_buf_free(&hk);
    ts_buf_free(&rk);
    return rc;
}

int ddb_delete_item(ddb_call *c)
{
    const char *name = ddb_get_str(c, "TableName"), *rv;
    cJSON *key = NULL, *old = NULL;
    ts_buf hk, rk;
    ddb_exprs x;
    ddb_table t;
    int rc = -1;

    memset(&x, 0, sizeof(x));
    memset(&t, 0, sizeof(t));
    ts_buf_init(&hk);
    ts_buf_init(&rk);
    if (!name || ddb_return_values(c, c->in, 0, &rv) != 0 ||
        ddb_check_mixed(c, c->in, "Expected", "ConditionExpression") != 0 ||
        check_legacy(c, 0) != 0 ||
        ddb_exprs_parse(c, c->in, &x, DDB_X_COND) != 0 ||
        ddb_table_load(c, name, DDB_NOT_FOUND_SHORT, &t) != 0 ||
        ddb_key_param(c, &t, cJSON_GetObjectItemCaseSensitive(c->in, "Key"), &key) != 0)
        goto out;
    ddb_key_bytes(&t, key, &hk, &rk);
    if (read_checked(c, &t, &x, &hk, &rk, &old) != 0)
        goto out;
    if (old && ddb_store_delete(&t, key) != 0) {
        ddb_fail(c, TS_ERR_INTERNAL_SERVER, "Internal server error");
        goto out;
    }
    ddb_consumed(c, c->out, t.name, ddb_write_units(old ? ddb_item_size(old) : 0), 1);
    if (old && !strcmp(rv, "ALL_OLD")) {
        cJSON_AddItemToObject(c->out, "Attributes", old);
        old = NULL;
    }
    rc = 0;
out:
    ddb_exprs_free(&x);
    ddb_table_free(&t);
    cJSON_Delete(key);
    cJSON_Delete(old);
    ts_buf_free(&hk);
    ts_buf_free(&rk);
    return rc;
}

/* Refuses an update that touches a key attribute. */
int ddb_check_key_untouched(ddb_call *c, const ddb_table *t, const ddb_exprs *x,
                               const cJSON *legacy)
{
    const char *keys[2] = {t->hk, t->rk};

    for (int k = 0; k < 2; k++) {
        if (!keys[k])
            continue;
        if (x->update) {
            for (int i = 0; i < ddb_expr_update_count(x->update); i++)
                if (!strcmp(ddb_expr_update_attr(x->update, i), keys[k]))
                    return V(c, "One or more parameter values were invalid: Cannot update "
                                "attribute %s. This attribute is part of the key", keys[k]);
        } else if (legacy && cJSON_GetObjectItemCaseSensitive(legacy, keys[k])) {
            return V(c, "One or more parameter values were invalid: Cannot update attribute "
                        "%s. This attribute is part of the key", keys[k]);
        }
    }
    return 0;
}

/* The parts of item a legacy AttributeUpdates touched. */
static cJSON *legacy_updated(const cJSON *updates, const cJSON *item)
{
    cJSON *out = cJSON_CreateObject();
    const cJSON *u;

    cJSON_ArrayForEach(u, updates) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, u->string);
        if (v)
            cJSON_AddItemToObject(out, u->string, cJSON_Duplicate(v, 1));
    }
    return out;
}

int ddb_update_apply(ddb_call *c, const ddb_table *t, const ddb_exprs *x,
                     const cJSON *legacy, const cJSON *key, const cJSON *old,
                     cJSON **out)
{
    cJSON *base = old ? cJSON_Duplicate(old, 1) : cJSON_Duplicate(key, 1), *k;
    int rc = 0;

    *out = NULL;
    if (x->update)
        rc = ddb_expr_apply_update(x->update, base, out, c->err, sizeof(c->err));
    else if (legacy)
        rc = ddb_legacy_update(legacy, base, out, c->err, sizeof(c->err));
    else
        *out = cJSON_Duplicate(base, 1);
    cJSON_Delete(base);
    if (rc != 0)
        return -1;
    /* The key stays as it was. */
    cJSON_ArrayForEach(k, key) {
        cJSON_DeleteItemFromObjectCaseSensitive(*out, k->string);
        cJSON_AddItemToObject(*out, k->string, cJSON_Duplicate(k, 1));
    }
    if (ddb_item_size(*out) > DDB_MAX_ITEM)
        snprintf(c->err, sizeof(c->err),
                 "Item size to update has exceeded the maximum allowed size");
    else if (ddb_item_check_depth(*out, c->err, sizeof(c->err)) == 0 &&
             ddb_check_index_keys(t, *out, c->err, sizeof(c->err)) == 0)
        return 0;
    cJSON_Delete(*out);
    *out = NULL;
    return -1;
}

int ddb_update_item(ddb_call *c)
{
    const char *name = ddb_get_str(c, "TableName"), *rv;
    const cJSON *legacy = cJSON_GetObjectItemCaseSensitive(c->in, "AttributeUpdates");
    cJSON *key = NULL, *old = NULL, *new_item = NULL, *attrs = NULL;
    ts_buf hk, rk;
    ddb_exprs x;
    ddb_table t;
    size_t size;
    int rc = -1;

    memset(&x, 0, sizeof(x));
    memset(&t, 0, sizeof(t));
    ts_buf_init(&hk);
    ts_buf_init(&rk);
    if (!name || ddb_return_values(c, c->in, 1, &rv) != 0 ||
        ddb_check_mixed(c, c->in, "Expected", "ConditionExpression") != 0 ||
        ddb_check_mixed(c, c->in, "AttributeUpdates", "UpdateExpression") != 0 ||
        check_legacy(c, 1) != 0 ||
        ddb_exprs_parse(c, c->in, &x, DDB_X_COND | DDB_X_UPDATE) != 0 ||
        ddb_table_load(c, name, DDB_NOT_FOUND_SHORT, &t) != 0 ||
        ddb_key_param(c, &t, cJSON_GetObjectItemCaseSensitive(c->in, "Key"), &key) != 0 ||
        ddb_check_key_untouched(c, &t, &x, legacy) != 0)
        goto out;
    ddb_key_bytes(&t, key, &hk, &rk);
    if (read_checked(c, &t, &x, &hk, &rk, &old) != 0)
        goto out;
    if (ddb_update_apply(c, &t, &x, legacy, key, old, &new_item) != 0) {
        ddb_fail_validation(c);
        goto out;
    }
    size = ddb_item_size(new_item);
    if (ddb_store_put(&t, new_item) != 0) {
        ddb_fail(c, TS_ERR_INTERNAL_SERVER, "Internal server error");
        goto out;
    }
    if (!strcmp(rv, "ALL_OLD") && old)
        attrs = cJSON_Duplicate(old, 1);
    else if (!strcmp(rv, "ALL_NEW"))
        attrs = cJSON_Duplicate(new_item, 1);
    else if (!strcmp(rv, "UPDATED_OLD") && old)
        attrs = x.update ? ddb_expr_project_updated(x.update, old) : legacy_updated(legacy, old);
    else if (!strcmp(rv, "UPDATED_NEW"))
        attrs = x.update ? ddb_expr_project_updated(x.update, new_item)
                         : legacy_updated(legacy, new_item);
    if (attrs && cJSON_GetArraySize(attrs) > 0) {
        cJSON_AddItemToObject(c->out, "Attributes", attrs);
        attrs = NULL;
    }
    ddb_consumed(c, c->out, t.name, ddb_write_units(size), 1);
    rc = 0;
out:
    ddb_exprs_free(&x);
    ddb_table_free(&t);
    cJSON_Delete(key);
    cJSON_Delete(old);
    cJSON_Delete(new_item);
    cJSON_Delete(attrs);
    ts_buf_free(&hk);
    ts_buf_free(&rk);
    return rc;
}
