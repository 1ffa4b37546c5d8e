/*
 * ddb_batch.c - BatchWriteItem, BatchGetItem, TransactWriteItems and
 * TransactGetItems.  A batch write runs in the dispatcher's one write
 * transaction, tables loaded and items written in it (so UnprocessedItems
 * is always empty); a transaction first checks every condition and
 * computes every update, and only when all hold applies them, so it is
 * all or nothing, with CancellationReasons in order (an error set here
 * rolls everything back).  A transaction with a ClientRequestToken leaves
 * the token and a digest of its items behind for 10 minutes: the same
 * request again succeeds without running, another one with that token is
 * IdempotentParameterMismatchException.
 */
#include "ddb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "tinystack/http.h"
#include "tinystack/store.h"

#define V(c, ...) ddb_fail(c, TS_ERR_VALIDATION, __VA_ARGS__)

/* One write of a batch or transaction. */
enum { OP_PUT, OP_DELETE, OP_UPDATE, OP_CHECK, OP_GET };

typedef struct wop {
    int kind;
    cJSON *src;            /* the request member (borrowed) */
    ddb_table t;
    ddb_exprs x;
    cJSON *item;           /* Put: the item (borrowed from the request) */
    cJSON *key;            /* owned */
    ts_buf hk, rk;
    cJSON *old, *new_item; /* owned */
} wop;

static void wop_free(wop *w)
{
    ddb_exprs_free(&w->x);
    ddb_table_free(&w->t);
    cJSON_Delete(w->key);
    cJSON_Delete(w->old);
    cJSON_Delete(w->new_item);
    ts_buf_free(&w->hk);
    ts_buf_free(&w->rk);
}

static void wops_free(wop *ws, int n)
{
    for (int i = 0; i < n; i++)
        wop_free(&ws[i]);
    free(ws);
}

/* Loads the table and key of one write; item writes also validate the
 * item.  0 or -1 with the error set. */
static int wop_prepare(ddb_call *c, wop *w, const char *table)
{
    ts_buf_init(&w->hk);
    ts_buf_init(&w->rk);
    if (ddb_table_load(c, table, DDB_NOT_FOUND_SHORT, &w->t) != 0)
        return -1;
    if (w->kind == OP_PUT) {
        if (ddb_validate_item(c, w->item, "item") != 0)
            return -1;
        if (ddb_item_key(w->item, DDB_KEY_FROM_ITEM, w->t.hk, w->t.hkt, w->t.rk, w->t.rkt,
                         &w->key, c->err, sizeof(c->err)) != 0)
            return ddb_fail_validation(c);
        if (ddb_item_size(w->item) > 400 * 1024)
            return V(c, "Item size has exceeded the maximum allowed size");
        if (ddb_check_index_keys(&w->t, w->item, c->err, sizeof(c->err)) != 0)
            return ddb_fail_validation(c);
    } else if (ddb_key_param(c, &w->t, cJSON_GetObjectItemCaseSensitive(w->src, "Key"),
                             &w->key) != 0) {
        return -1;
    }
    ddb_key_bytes(&w->t, w->key, &w->hk, &w->rk);
    return 0;
}

/* Refuses two operations on one item. */
static int same_item(const wop *a, const wop *b)
{
    return a->t.id == b->t.id && a->hk.len == b->hk.len && a->rk.len == b->rk.len &&
           !memcmp(a->hk.data, b->hk.data, a->hk.len) &&
           !memcmp(a->rk.data, b->rk.data, a->rk.len);
}

static int check_duplicates(ddb_call *c, wop *ws, int n, const char *msg)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (same_item(&ws[i], &ws[j]))
                return V(c, "%s", msg);
    return 0;
}

/* The model check has required RequestItems, a map of 1 or more tables to
 * lists of 1-25 writes (BatchGetItem: to 1-100 Keys); the limits across
 * tables are checked here. */
int ddb_batch_write_item(ddb_call *c)
{
    const cJSON *ri = cJSON_GetObjectItemCaseSensitive(c->in, "RequestItems"), *tb, *r;
    wop *ws = NULL;
    int n = 0, total = 0, rc = -1;

    cJSON_ArrayForEach(tb, ri)
        total += cJSON_GetArraySize(tb);
    if (total > 25)
        return V(c, "Too many items requested for the BatchWriteItem call");
    ws = ts_calloc((size_t)total, sizeof(*ws));
    cJSON_ArrayForEach(tb, ri) {
        cJSON_ArrayForEach(r, tb) {
            cJSON *put = cJSON_GetObjectItemCaseSensitive(r, "PutRequest");
            cJSON *del = cJSON_GetObjectItemCaseSensitive(r, "DeleteRequest");
            wop *w = &ws[n++];
            if ((put != NULL) == (del != NULL)) {
                V(c, "Supplied AttributeValue has more than one datatypes set, must contain "
                     "exactly one of the supported datatypes");
                goto out;
            }
            w->kind = put ? OP_PUT : OP_DELETE;
            w->src = put ? put : del;
            w->item = put ? cJSON_GetObjectItemCaseSensitive(put, "Item") : NULL;
            if (wop_prepare(c, w, tb->string) != 0)
                goto out;
        }
    }
    if (check_duplicates(c, ws, n, "Provided list of item keys contains duplicates") != 0)
        goto out;
    for (int i = 0; i < n; i++) {
        int wrc = ws[i].kind == OP_PUT ? ddb_store_put(&ws[i].t, ws[i].item)
                                       : ddb_store_delete(&ws[i].t, ws[i].key);
        if (wrc != 0) {
            ddb_fail(c, TS_ERR_INTERNAL_SERVER, "Internal server error");
            goto out;
        }
    }
    cJSON_AddObjectToObject(c->out, "UnprocessedItems");
    {
        const cJSON *rcc = cJSON_GetObjectItemCaseSensitive(c->in, "ReturnConsumedCapacity");
        if (cJSON_IsString(rcc) && strcmp(rcc->valuestring, "NONE")) {
            cJSON *arr = cJSON_AddArrayToObject(c->out, "ConsumedCapacity");
            cJSON_ArrayForEach(tb, ri) {
                cJSON *one = cJSON_CreateObject();
                cJSON_AddStringToObject(one, "TableName", tb->string);
                cJSON_AddNumberToObject(one, "CapacityUnits", cJSON_GetArraySize(tb));
                cJSON_AddItemToArray(arr, one);
            }
        }
    }
    rc = 0;
out:
    wops_free(ws, n);
    return rc;
}

int ddb_batch_get_item(ddb_call *c)
{
    const cJSON *ri = cJSON_GetObjectItemCaseSensitive(c->in, "RequestItems"), *tb, *k;
    cJSON *responses;
    int total = 0, rc = -1;

    cJSON_ArrayForEach(tb, ri)
        total += cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(tb, "Keys"));
    if (total > 100)
        return V(c, "Too many items requested for the BatchGetItem call");
    responses = cJSON_AddObjectToObject(c->out, "Responses");
    cJSON_ArrayForEach(tb, ri) {
        const cJSON *keys = cJSON_GetObjectItemCaseSensitive(tb, "Keys");
        const cJSON *atg = cJSON_GetObjectItemCaseSensitive(tb, "AttributesToGet");
        cJSON *list = cJSON_AddArrayToObject(responses, tb->string);
        int nk = cJSON_GetArraySize(keys), i = 0;
        wop *ws = ts_calloc((size_t)nk, sizeof(*ws));
        /* Zeroed now: the mixed-parameter check below fails before
         * ddb_exprs_parse() would set it, and the error path frees it. */
        ddb_exprs x = {0};

        if (ddb_check_mixed(c, tb, "AttributesToGet", "ProjectionExpression") != 0 ||
            ddb_exprs_parse(c, (cJSON *)tb, &x, DDB_X_PROJ) != 0) {
            ddb_exprs_free(&x);
            free(ws);
            goto out;
        }
        cJSON_ArrayForEach(k, keys) {
            wop *w = &ws[i++];
            w->kind = OP_GET;
            w->src = cJSON_CreateObject();
            cJSON_AddItemReferenceToObject(w->src, "Key", (cJSON *)k);
            rc = wop_prepare(c, w, tb->string);
            cJSON_Delete(w->src);
            w->src = NULL;
            if (rc != 0)
                break;
        }
        if (rc == 0 &&
            check_duplicates(c, ws, i, "Provided list of item keys contains duplicates") != 0)
            rc = -1;
        for (int j = 0; rc == 0 && j < i; j++) {
            cJSON *item = ddb_store_get(&ws[j].t, &ws[j].hk, &ws[j].rk);
            if (item) {
                cJSON *shown = x.proj ? ddb_expr_project(x.proj, item)
                               : atg  ? ddb_legacy_project(atg, item)
                                      : cJSON_Duplicate(item, 1);
                cJSON_AddItemToArray(list, shown);
                cJSON_Delete(item);
            }
        }
        ddb_exprs_free(&x);
        wops_free(ws, i);
        if (rc != 0)
            goto out;
    }
    cJSON_AddObjectToObject(c->out, "UnprocessedKeys");
    rc = 0;
out:
    return rc;
}

static const char *const tx_kinds[] = {"Put", "Delete", "Update", "ConditionCheck"};

/* ---- ClientRequestToken: a transaction runs once per token ---- */

#define TOKEN_WINDOW_MS (10 * 60 * 1000)

static int member_cmp(const void *a, const void *b)
{
    return strcmp((*(cJSON *const *)a)->string, (*(cJSON *const *)b)->string);
}

/* Sorts the members of every object in v by name, so two requests that
 * differ only in member order print alike. */
static void sort_members(cJSON *v)
{
    cJSON **m, *e;
    int n = cJSON_GetArraySize(v), i = 0;

    cJSON_ArrayForEach(e, v)
        sort_members(e);
    if (!cJSON_IsObject(v) || n < 2)
        return;
    m = ts_malloc(sizeof(*m) * (size_t)n);
    cJSON_ArrayForEach(e, v)
        m[i++] = e;
    qsort(m, (size_t)n, sizeof(*m), member_cmp);
    for (i = 0; i < n; i++) {
        m[i]->prev = i ? m[i - 1] : m[n - 1]; /* cJSON: child->prev is the tail */
        m[i]->next = i + 1 < n ? m[i + 1] : NULL;
    }
    v->child = m[0];
    ts_free(m);
}

/* The SHA-256 of the request's TransactItems, member order aside. */
static void request_digest(const cJSON *items, unsigned char out[SHA256_DIGEST_LENGTH])
{
    cJSON *copy = cJSON_Duplicate(items, 1);
    char *text;

    sort_members(copy);
    text = cJSON_PrintUnformatted(copy);
    SHA256((const unsigned char *)text, strlen(text), out);
    cJSON_free(text);
    cJSON_Delete(copy);
}

/* Whether the token was used in the last 10 minutes: 0 no, 1 by this
 * same request (it must not run again), -1 by another one (the error
 * set). */
static int token_seen(ddb_call *c, const char *token, const unsigned char *digest)
{
    sqlite3_stmt *st = store_stmt("SELECT digest FROM ddb_txn_token"
                                  " WHERE region = ? AND token = ? AND created > ?");
    int rc = 0;

    store_bind_text(st, 1, c->req->region);
    store_bind_text(st, 2, token);
    sqlite3_bind_int64(st, 3, ts_now_ms() - TOKEN_WINDOW_MS);
    if (sqlite3_step(st) == SQLITE_ROW)
        rc = sqlite3_column_bytes(st, 0) == SHA256_DIGEST_LENGTH &&
                     !memcmp(sqlite3_column_blob(st, 0), digest, SHA256_DIGEST_LENGTH)
                 ? 1 : -1;
    sqlite3_reset(st);
    if (rc < 0)
        ddb_fail(c, TS_ERR_IDEMPOTENT_MISMATCH, "The request uses the same client token as "
                 "a previous, but non-identical request.");
    return rc;
}

/* Records the token of a transaction that is about to commit (in its
 * transaction, so a rollback forgets it) and drops expired ones. */
static void token_remember(ddb_call *c, const char *token, const unsigned char *digest)
{
    int64_t now = ts_now_ms();
    sqlite3_stmt *st = store_stmt("DELETE FROM ddb_txn_token WHERE created <= ?");

    sqlite3_bind_int64(st, 1, now - TOKEN_WINDOW_MS);
    sqlite3_step(st);
    sqlite3_reset(st);
    st = store_stmt("INSERT OR REPLACE INTO ddb_txn_token(region, token, digest, created)"
                    " VALUES(?, ?, ?, ?)");
    store_bind_text(st, 1, c->req->region);
    store_bind_text(st, 2, token);
    sqlite3_bind_blob(st, 3, digest, SHA256_DIGEST_LENGTH, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now);
    sqlite3_step(st);
    sqlite3_reset(st);
}

int ddb_transact_write_items(ddb_call *c)
{
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(c->in, "TransactItems"), *it;
    const char *token = ddb_get_str(c, "ClientRequestToken");
    unsigned char digest[SHA256_DIGEST_LENGTH];
    wop *ws = NULL;
    int n = 0, count, rc = -1, failed = 0;
    cJSON *reasons = NULL;

    /* The model check has held TransactItems to 1-100 elements, each kind
     * to its required members (TableName, Key, Item, ConditionExpression,
     * UpdateExpression); one kind per element is checked here. */
    count = cJSON_GetArraySize(items);
    if (token) {
        /* Before validation normalises numbers in place: the digest is
         * of the request as sent. */
        request_digest(items, digest);
        switch (token_seen(c, token, digest)) {
        case 1:
            return 0;   /* done before: succeed without running again */
        case -1:
            return -1;
        }
    }
    ws = ts_calloc((size_t)count, sizeof(*ws));
    cJSON_ArrayForEach(it, items) {
        wop *w = &ws[n];
        const char *table;
        int kinds = 0;

        for (int k = 0; k < 4; k++) {
            cJSON *m = cJSON_GetObjectItemCaseSensitive(it, tx_kinds[k]);
            if (m) {
                w->kind = k;
                w->src = m;
                kinds++;
            }
        }
        n++;
        if (kinds != 1) {
            V(c, "TransactItems can only contain one of Check, Put, Update or Delete");
            goto out;
        }
        table = cJSON_GetObjectItemCaseSensitive(w->src, "TableName")->valuestring;
        w->item = w->kind == OP_PUT ? cJSON_GetObjectItemCaseSensitive(w->src, "Item") : NULL;
        if (ddb_exprs_parse(c, w->src, &w->x,
                            DDB_X_COND | (w->kind == OP_UPDATE ? DDB_X_UPDATE : 0)) != 0 ||
            wop_prepare(c, w, table) != 0)
            goto out;
        if (w->kind == OP_UPDATE && ddb_check_key_untouched(c, &w->t, &w->x, NULL) != 0)
            goto out;
    }
    if (check_duplicates(c, ws, n,
                         "Transaction request cannot include multiple operations on one item") != 0)
        goto out;
    reasons = cJSON_CreateArray();
    for (int i = 0; i < n; i++) {
        wop *w = &ws[i];
        cJSON *reason = cJSON_CreateObject();
        int held;

        w->old = ddb_store_get(&w->t, &w->hk, &w->rk);
        held = ddb_expr_eval_cond(w->x.cond, w->old, c->err, sizeof(c->err));
        if (!w->x.cond)
            held = 1;
        if (held == 1 && w->kind == OP_UPDATE &&
            ddb_update_apply(c, &w->t, &w->x, NULL, w->key, w->old, &w->new_item) != 0)
            held = -1;
        if (held == 1) {
            cJSON_AddStringToObject(reason, "Code", "None");
        } else if (held == 0) {
            const cJSON *rv = cJSON_GetObjectItemCaseSensitive(
                w->src, "ReturnValuesOnConditionCheckFailure");
            cJSON_AddStringToObject(reason, "Code", "ConditionalCheckFailed");
            cJSON_AddStringToObject(reason, "Message", "The conditional request failed");
            if (w->old && cJSON_IsString(rv) && !strcmp(rv->valuestring, "ALL_OLD"))
                cJSON_AddItemToObject(reason, "Item", cJSON_Duplicate(w->old, 1));
            failed = 1;
        } else {
            cJSON_AddStringToObject(reason, "Code", "ValidationError");
            cJSON_AddStringToObject(reason, "Message", c->err);
            failed = 1;
        }
        cJSON_AddItemToArray(reasons, reason);
    }
    if (failed) {
        ts_buf msg;
        const cJSON *r;
        char *text = cJSON_PrintUnformatted(reasons);
        ts_buf_init(&msg);
        ts_buf_puts(&msg, "Transaction cancelled, please refer cancellation reasons for "
                          "specific reasons [");
        cJSON_ArrayForEach(r, reasons) {
            if (r != reasons->child)
                ts_buf_puts(&msg, ", ");
            ts_buf_puts(&msg, cJSON_GetObjectItemCaseSensitive(r, "Code")->valuestring);
        }
        ts_buf_putc(&msg, ']');
        c->resp->err_json = ts_arena_printf(c->req->arena, "\"CancellationReasons\":%s", text);
        cJSON_free(text);
        ddb_fail(c, TS_ERR_TRANSACTION_CANCELED, "%s", msg.data);
        ts_buf_free(&msg);
        goto out;
    }
    for (int i = 0; i < n; i++) {
        wop *w = &ws[i];
        int wrc = 0;
        if (w->kind == OP_PUT)
            wrc = ddb_store_put(&w->t, w->item);
        else if (w->kind == OP_UPDATE)
            wrc = ddb_store_put(&w->t, w->new_item);
        else if (w->kind == OP_DELETE && w->old)
            wrc = ddb_store_delete(&w->t, w->key);
        if (wrc != 0) {
            ddb_fail(c, TS_ERR_INTERNAL_SERVER, "Internal server error");
            goto out;
        }
    }
    if (token)
        token_remember(c, token, digest);
    rc = 0;
out:
    cJSON_Delete(reasons);
    wops_free(ws, n);
    return rc;
}

int ddb_transact_get_items(ddb_call *c)
{
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(c->in, "TransactItems"), *it;
    cJSON *responses;
    int rc = 0;

    responses = cJSON_AddArrayToObject(c->out, "Responses");
    cJSON_ArrayForEach(it, items) {
        cJSON *get = cJSON_GetObjectItemCaseSensitive(it, "Get");
        const cJSON *tn = cJSON_GetObjectItemCaseSensitive(get, "TableName");
        cJSON *one = cJSON_CreateObject(), *item;
        wop w;

        memset(&w, 0, sizeof(w));
        cJSON_AddItemToArray(responses, one);
        /* The model requires Get and its TableName, but skips a null
         * element of the list. */
        if (!get) {
            rc = V(c, "1 validation error detected: Value null at "
                      "'transactItems.member.get' failed to satisfy constraint: Member must "
                      "not be null");
            break;
        }
        w.kind = OP_GET;
        w.src = get;
        if (ddb_exprs_parse(c, get, &w.x, DDB_X_PROJ) != 0 || wop_prepare(c, &w, tn->valuestring) != 0) {
            wop_free(&w);
            rc = -1;
            break;
        }
        item = ddb_store_get(&w.t, &w.hk, &w.rk);
        if (item) {
            cJSON_AddItemToObject(one, "Item", w.x.proj ? ddb_expr_project(w.x.proj, item)
                                                        : cJSON_Duplicate(item, 1));
            cJSON_Delete(item);
        }
        wop_free(&w);
    }
    return rc;
}
