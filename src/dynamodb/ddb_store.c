/*
 * ddb_store.c - DynamoDB items in SQLite.  An item row is keyed by
 * (table, hash key bytes, range key bytes) in ddb_key_encode()'s
 * order-preserving form, so Query's sort-key conditions are range scans
 * of the primary key.  Each secondary index is rows of ddb_index keyed by
 * (table, index, index keys, table keys), written in the same transaction
 * as the item; a query on an index reads entries, then items.  Items past
 * their TTL are invisible to reads at once and deleted by a sweep.
 */
#include "ddb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinystack/service.h"
#include "tinystack/store.h"

int ddb_key_bytes(const ddb_table *t, const cJSON *key, ts_buf *hk, ts_buf *rk)
{
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(key, t->hk);

    ts_buf_reset(hk);
    ts_buf_reset(rk);
    if (!h || ddb_key_encode(h, hk) != 0)
        return -1;
    if (t->rk) {
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(key, t->rk);
        if (!r || ddb_key_encode(r, rk) != 0)
            return -1;
    }
    if (!hk->data)
        ts_buf_append(hk, "", 0);
    if (!rk->data)
        ts_buf_append(rk, "", 0);
    return 0;
}

int64_t ddb_item_expiry(const char *ttl_attr, const cJSON *item)
{
    const cJSON *v = ttl_attr ? cJSON_GetObjectItemCaseSensitive(item, ttl_attr) : NULL;
    const cJSON *n = v ? cJSON_GetObjectItemCaseSensitive(v, "N") : NULL;
    double d;

    if (!cJSON_IsString(n))
        return 0;
    d = strtod(n->valuestring, NULL);
    /* DynamoDB ignores TTL values more than five years in the past. */
    if (d <= 0 || d > 1e13)
        return 0;
    return (int64_t)d;
}

cJSON *ddb_store_get(const ddb_table *t, const ts_buf *hk, const ts_buf *rk)
{
    sqlite3_stmt *st = store_stmt(
        "SELECT item FROM ddb_item WHERE table_id = ? AND hk = ? AND rk = ?"
        " AND (expires IS NULL OR expires > ?)");
    cJSON *item = NULL;

    sqlite3_bind_int64(st, 1, t->id);
    sqlite3_bind_blob(st, 2, hk->data, (int)hk->len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, rk->data, (int)rk->len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, ts_now_ms() / 1000);
    if (sqlite3_step(st) == SQLITE_ROW)
        item = cJSON_ParseWithLength((const char *)sqlite3_column_text(st, 0),
                                     (size_t)sqlite3_column_bytes(st, 0));
    sqlite3_reset(st);
    return item;
}

/* The index-key bytes of item for index d; 0, or 1 when the item has no
 * entry in that index (a sparse index). */
static int index_key(const ddb_index_def *d, const cJSON *item, ts_buf *ih, ts_buf *ir)
{
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(item, d->hk);
    const cJSON *r = d->rk ? cJSON_GetObjectItemCaseSensitive(item, d->rk) : NULL;
    char ht[2] = {d->hkt, 0}, rt[2] = {d->rkt, 0};

    ts_buf_reset(ih);
    ts_buf_reset(ir);
    if (!h || !cJSON_GetObjectItemCaseSensitive(h, ht))
        return 1;
    if (d->rk && (!r || !cJSON_GetObjectItemCaseSensitive(r, rt)))
        return 1;
    if (ddb_key_encode(h, ih) != 0 || (r && ddb_key_encode(r, ir) != 0))
        return 1;
    if (!ih->data)
        ts_buf_append(ih, "", 0);
    if (!ir->data)
        ts_buf_append(ir, "", 0);
    return 0;
}

int ddb_check_index_keys(const ddb_table *t, const cJSON *item, char *err, size_t errlen)
{
    for (int i = 0; i < t->nidx; i++) {
        const ddb_index_def *d = &t->idx[i];
        const char *names[2] = {d->hk, d->rk};
        char types[2] = {d->hkt, d->rkt};

        for (int k = 0; k < 2; k++) {
            const cJSON *v = names[k] ? cJSON_GetObjectItemCaseSensitive(item, names[k]) : NULL;
            const char *ty;
            if (!v)
                continue;
            ty = ddb_value_type(v);
            if (!ty || ty[0] != types[k] || ty[1]) {
                snprintf(err, errlen,
                         "One or more parameter values were invalid: Type mismatch for "
                         "Index Key %s Expected: %c Actual: %s IndexName: %s",
                         names[k], types[k], ty ? ty : "?", d->name);
                return -1;
            }
            if ((types[k] == 'S' || types[k] == 'B') &&
                cJSON_IsString(ddb_value_inner(v)) && !*ddb_value_inner(v)->valuestring) {
                snprintf(err, errlen,
                         "One or more parameter values are not valid. A value specified "
                         "for a secondary index key is not supported. The AttributeValue "
                         "for a key attribute cannot contain an empty %s value. "
                         "IndexName: %s, IndexKeyAttributeName: %s",
                         types[k] == 'S' ? "string" : "binary", d->name, names[k]);
                return -1;
            }
        }
    }
    return 0;
}

static void index_write(const ddb_table *t, const cJSON *item, const ts_buf *hk,
                        const ts_buf *rk, int insert)
{
    ts_buf ih, ir;

    ts_buf_init(&ih);
    ts_buf_init(&ir);
    for (int i = 0; i < t->nidx; i++) {
        sqlite3_stmt *st;
        if (index_key(&t->idx[i], item, &ih, &ir) != 0)
            continue;
        st = insert ? store_stmt("INSERT OR REPLACE INTO ddb_index(table_id, idx, hk, rk,"
                                 " thk, trk) VALUES(?, ?, ?, ?, ?, ?)")
                    : store_stmt("DELETE FROM ddb_index WHERE table_id = ? AND idx = ?"
                                 " AND hk = ? AND rk = ? AND thk = ? AND trk = ?");
        sqlite3_bind_int64(st, 1, t->id);
        store_bind_text(st, 2, t->idx[i].name);
        sqlite3_bind_blob(st, 3, ih.data, (int)ih.len, SQLITE_STATIC);
        sqlite3_bind_blob(st, 4, ir.data, (int)ir.len, SQLITE_STATIC);
        sqlite3_bind_blob(st, 5, hk->data, (int)hk->len, SQLITE_STATIC);
        sqlite3_bind_blob(st, 6, rk->data, (int)rk->len, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    ts_buf_free(&ih);
    ts_buf_free(&ir);
}

static void counts_add(int64_t table_id, int64_t items, int64_t bytes)
{
    sqlite3_stmt *st = store_stmt(
        "UPDATE ddb_table SET item_count = item_count + ?, size_bytes = size_bytes + ?"
        " WHERE id = ?");

    sqlite3_bind_int64(st, 1, items);
    sqlite3_bind_int64(st, 2, bytes);
    sqlite3_bind_int64(st, 3, table_id);
    sqlite3_step(st);
    sqlite3_reset(st);
}

/* Removes the row at (hk, rk), whatever its expiry, with its index
 * entries and counts.  Returns 1 when there was one. */
static int remove_row(const ddb_table *t, const ts_buf *hk, const ts_buf *rk)
{
    sqlite3_stmt *st = store_stmt(
        "DELETE FROM ddb_item WHERE table_id = ? AND hk = ? AND rk = ? RETURNING item, size");
    cJSON *old = NULL;
    int64_t size = 0;

    sqlite3_bind_int64(st, 1, t->id);
    sqlite3_bind_blob(st, 2, hk->data, (int)hk->len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, rk->data, (int)rk->len, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        old = cJSON_ParseWithLength((const char *)sqlite3_column_text(st, 0),
                                    (size_t)sqlite3_column_bytes(st, 0));
        size = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (!old)
        return 0;
    if (t->nidx)
        index_write(t, old, hk, rk, 0);
    counts_add(t->id, -1, -size);
    cJSON_Delete(old);
    return 1;
}

int ddb_store_put(const ddb_table *t, const cJSON *item)
{
    ts_buf hk, rk;
    sqlite3_stmt *st;
    char *text = NULL;
    int64_t size, exp;
    int rc = -1;

    ts_buf_init(&hk);
    ts_buf_init(&rk);
    if (ddb_key_bytes(t, item, &hk, &rk) != 0)
        goto out;
    remove_row(t, &hk, &rk);
    text = cJSON_PrintUnformatted(item);
    size = (int64_t)ddb_item_size(item);
    exp = ddb_item_expiry(t->ttl_attr, item);
    st = store_stmt("INSERT INTO ddb_item(table_id, hk, rk, item, size, expires)"
                    " VALUES(?, ?, ?, ?, ?, ?)");
    sqlite3_bind_int64(st, 1, t->id);
    sqlite3_bind_blob(st, 2, hk.data, (int)hk.len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, rk.data, (int)rk.len, SQLITE_STATIC);
    store_bind_text(st, 4, text);
    sqlite3_bind_int64(st, 5, size);
    if (exp)
        sqlite3_bind_int64(st, 6, exp);
    else
        sqlite3_bind_null(st, 6);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(st);
    if (rc == 0) {
        if (t->nidx)
            index_write(t, item, &hk, &rk, 1);
        counts_add(t->id, 1, size);
    }
out:
    cJSON_free(text);
    ts_buf_free(&hk);
    ts_buf_free(&rk);
    return rc;
}

int ddb_store_delete(const ddb_table *t, const cJSON *key)
{
    ts_buf hk, rk;
    int rc = -1;

    ts_buf_init(&hk);
    ts_buf_init(&rk);
    if (ddb_key_bytes(t, key, &hk, &rk) == 0) {
        remove_row(t, &hk, &rk);
        rc = 0;
    }
    ts_buf_free(&hk);
    ts_buf_free(&rk);
    return rc;
}

int ddb_store_backfill(const ddb_table *t, int i)
{
    sqlite3_stmt *st = store_stmt(
        "SELECT hk, rk, item FROM ddb_item WHERE table_id = ?");
    ddb_table one = *t;
    ts_buf hk, rk;

    one.nidx = 1;
    one.idx[0] = t->idx[i];
    ts_buf_init(&hk);
    ts_buf_init(&rk);
    sqlite3_bind_int64(st, 1, t->id);
    /* Collect first: index_write uses other statements on this
     * connection while this one is still stepping, which SQLite allows. */
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *item = cJSON_ParseWithLength((const char *)sqlite3_column_text(st, 2),
                                            (size_t)sqlite3_column_bytes(st, 2));
        ts_buf_reset(&hk);
        ts_buf_reset(&rk);
        ts_buf_append(&hk, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
        ts_buf_append(&rk, sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1));
        if (item)
            index_write(&one, item, &hk, &rk, 1);
        cJSON_Delete(item);
    }
    sqlite3_reset(st);
    ts_buf_free(&hk);
    ts_buf_free(&rk);
    return 0;
}

void ddb_store_drop_index(int64_t table_id, const char *idx)
{
    sqlite3_stmt *st = store_stmt("DELETE FROM ddb_index WHERE table_id = ? AND idx = ?");

    sqlite3_bind_int64(st, 1, table_id);
    store_bind_text(st, 2, idx);
    sqlite3_step(st);
    sqlite3_reset(st);
}

void ddb_store_drop_table(int64_t table_id)
{
    sqlite3_stmt *st = store_stmt("DELETE FROM ddb_index WHERE table_id = ?");

    sqlite3_bind_int64(st, 1, table_id);
    sqlite3_step(st);
    sqlite3_reset(st);
    st = store_stmt("DELETE FROM ddb_item WHERE table_id = ?");
    sqlite3_bind_int64(st, 1, table_id);
    sqlite3_step(st);
    sqlite3_reset(st);
}

void ddb_store_retime(const ddb_table *t)
{
    sqlite3_stmt *st = store_stmt("SELECT hk, rk, item FROM ddb_item WHERE table_id = ?");
    sqlite3_stmt *up = store_stmt(
        "UPDATE ddb_item SET expires = ? WHERE table_id = ? AND hk = ? AND rk = ?");

    sqlite3_bind_int64(st, 1, t->id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *item = cJSON_ParseWithLength((const char *)sqlite3_column_text(st, 2),
                                            (size_t)sqlite3_column_bytes(st, 2));
        int64_t exp = ddb_item_expiry(t->ttl_attr, item);
        if (exp)
            sqlite3_bind_int64(up, 1, exp);
        else
            sqlite3_bind_null(up, 1);
        sqlite3_bind_int64(up, 2, t->id);
        sqlite3_bind_blob(up, 3, sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0),
                          SQLITE_TRANSIENT);
        sqlite3_bind_blob(up, 4, sqlite3_column_blob(st, 1), sqlite3_column_bytes(st, 1),
                          SQLITE_TRANSIENT);
        sqlite3_step(up);
        sqlite3_reset(up);
        cJSON_Delete(item);
    }
    sqlite3_reset(st);
}

int ddb_store_expire(int64_t now_sec)
{
    sqlite3_stmt *st;
    int n = 0;
    typedef struct { int64_t table; ts_buf hk, rk; } victim;
    victim v[256];
    int nv = 0;

    if (store_begin() != 0)
        return 0;
    st = store_stmt("SELECT table_id, hk, rk FROM ddb_item WHERE expires IS NOT NULL"
                    " AND expires <= ? LIMIT 256");
    sqlite3_bind_int64(st, 1, now_sec);
    while (sqlite3_step(st) == SQLITE_ROW && nv < 256) {
        v[nv].table = sqlite3_column_int64(st, 0);
        ts_buf_init(&v[nv].hk);
        ts_buf_init(&v[nv].rk);
        ts_buf_append(&v[nv].hk, sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1));
        ts_buf_append(&v[nv].rk, sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2));
        nv++;
    }
    sqlite3_reset(st);
    for (int i = 0; i < nv; i++) {
        /* The table's indexes are needed to drop the item's entries. */
        sqlite3_stmt *ts = store_stmt("SELECT desc FROM ddb_table WHERE id = ?");
        ddb_table t;
        memset(&t, 0, sizeof(t));
        sqlite3_bind_int64(ts, 1, v[i].table);
        if (sqlite3_step(ts) == SQLITE_ROW)
            t.desc = cJSON_Parse((const char *)sqlite3_column_text(ts, 0));
        sqlite3_reset(ts);
        if (t.desc) {
            t.id = v[i].table;
            ddb_table_from_desc(&t);
            n += remove_row(&t, &v[i].hk, &v[i].rk);
            cJSON_Delete(t.desc);
        }
        ts_buf_free(&v[i].hk);
        ts_buf_free(&v[i].rk);
    }
    store_commit();
    return n;
}

void ddb_ttl_sweep(void)
{
    sqlite3_stmt *st;
    int due;

    if (!store_in_use())
        return;
    st = store_stmt("SELECT 1 FROM ddb_item WHERE expires IS NOT NULL AND expires <= ?"
                    " LIMIT 1");
    sqlite3_bind_int64(st, 1, ts_now_ms() / 1000);
    due = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    if (!due)
        return;
    while (ddb_store_expire(ts_now_ms() / 1000) == 256)
        ;
}
