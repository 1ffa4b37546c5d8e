/*
 * ddb_query.c - Query and Scan.  Query turns its key condition into a
 * range of encoded sort keys inside one partition and walks the primary
 * key (or an index's rows) in order, in batches, from a cursor; Scan walks
 * the whole table or index the same way.  Both stop at Limit evaluated
 * items or 1 MB of them, filter, project, and hand back LastEvaluatedKey.
 */
#include "ddb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinystack/http.h"
#include "tinystack/store.h"

#define V(c, ...) ddb_fail(c, TS_ERR_VALIDATION, __VA_ARGS__)
#define PAGE_BYTES (1024 * 1024)
#define BATCH 500
#define KEY_MAX_BYTES 2048

enum { SEL_DEFAULT, SEL_ALL, SEL_PROJECTED, SEL_SPECIFIC, SEL_COUNT };

/* Everything a Query or Scan page needs. */
typedef struct page {
    ddb_call *c;
    ddb_table t;
    const ddb_index_def *ix;   /* NULL: the table itself */
    ddb_exprs x;
    const cJSON *query_filter; /* legacy QueryFilter / ScanFilter */
    const char *cond_op;
    const cJSON *atg;          /* legacy AttributesToGet */
    int select;
    int limit;                 /* 0: none */
    int forward;
    int consistent;
    int segment, segments;     /* Scan */
    /* results */
    cJSON *items;
    int count, scanned;
    size_t bytes;
    cJSON *last_item;          /* the last item evaluated (for the key) */
    int stopped;               /* page full: LastEvaluatedKey is due */
} page;

static int parse_select(ddb_call *c, page *p)
{
    const char *s = ddb_get_str(c, "Select");
    int has_proj = cJSON_GetObjectItemCaseSensitive(c->in, "ProjectionExpression") ||
                   cJSON_GetObjectItemCaseSensitive(c->in, "AttributesToGet");

    p->select = SEL_DEFAULT;
    if (s) {
        if (!strcmp(s, "ALL_ATTRIBUTES")) p->select = SEL_ALL;
        else if (!strcmp(s, "ALL_PROJECTED_ATTRIBUTES")) p->select = SEL_PROJECTED;
        else if (!strcmp(s, "SPECIFIC_ATTRIBUTES")) p->select = SEL_SPECIFIC;
        else p->select = SEL_COUNT; /* the model admits only these four */
    }
    if (has_proj && (p->select == SEL_ALL || p->select == SEL_PROJECTED || p->select == SEL_COUNT))
        return V(c, "Cannot specify the %s when choosing to get %s",
                 cJSON_GetObjectItemCaseSensitive(c->in, "ProjectionExpression")
                     ? "ProjectionExpression" : "AttributesToGet",
                 p->select == SEL_COUNT ? "only the Count" : s);
    if (p->select == SEL_SPECIFIC && !has_proj)
        return V(c, "One or more parameter values were invalid: Select type "
                    "SPECIFIC_ATTRIBUTES requires AttributesToGet or ProjectionExpression");
    if (!s && has_proj)
        p->select = SEL_SPECIFIC;
    if (p->ix && p->ix->global && p->select == SEL_ALL && p->ix->proj != DDB_PROJ_ALL)
        return V(c, "One or more parameter values were invalid: Select type ALL_ATTRIBUTES "
                    "is not supported for global secondary index %s because its projection "
                    "type is not ALL", p->ix->name);
    return 0;
}

/* The first of the names a and b that a filter's paths start with. */
static const char *node_uses(const ddb_node *n, const char *a, const char *b)
{
    if (!n)
        return NULL;
    if (n->kind == DDB_N_PATH && n->path.n > 0 && n->path.elems[0].name) {
        if (a && !strcmp(n->path.elems[0].name, a))
            return a;
        if (b && !strcmp(n->path.elems[0].name, b))
            return b;
    }
    for (int i = 0; i < n->nargs; i++) {
        const char *u = node_uses(n->args[i], a, b);
        if (u)
            return u;
    }
    return NULL;
}

static int page_init(ddb_call *c, page *p, int query)
{
    const char *name = ddb_get_str(c, "TableName");
    const char *iname = ddb_get_str(c, "IndexName");
    const cJSON *lim = cJSON_GetObjectItemCaseSensitive(c->in, "Limit");
    const cJSON *fwd = cJSON_GetObjectItemCaseSensitive(c->in, "ScanIndexForward");
    const cJSON *cop = cJSON_GetObjectItemCaseSensitive(c->in, "ConditionalOperator");
    const char *legacy_filter = query ? "QueryFilter" : "ScanFilter";

    memset(p, 0, sizeof(*p));
    p->c = c;
    p->forward = !cJSON_IsFalse(fwd);
    p->consistent = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c->in, "ConsistentRead"));
    if (!name)
        return -1;
    if (lim)
        p->limit = lim->valueint; /* at least 1, as the model holds it */
    if (ddb_check_mixed(c, c->in, legacy_filter, "FilterExpression") != 0 ||
        ddb_check_mixed(c, c->in, "AttributesToGet", "ProjectionExpression") != 0 ||
        (query && ddb_check_mixed(c, c->in, "KeyConditions", "KeyConditionExpression") != 0))
        return -1;
    if (ddb_exprs_parse(c, c->in, &p->x,
                        DDB_X_FILTER | DDB_X_PROJ | (query ? DDB_X_KEY : 0)) != 0)
        return -1;
    p->query_filter = cJSON_GetObjectItemCaseSensitive(c->in, legacy_filter);
    p->cond_op = cJSON_IsString(cop) ? cop->valuestring : "AND";
    p->atg = cJSON_GetObjectItemCaseSensitive(c->in, "AttributesToGet");
    if (ddb_table_load(c, name, DDB_NOT_FOUND_SHORT, &p->t) != 0)
        return -1;
    if (iname) {
        for (int i = 0; i < p->t.nidx; i++)
            if (!strcmp(p->t.idx[i].name, iname))
                p->ix = &p->t.idx[i];
        if (!p->ix)
            return V(c, "The table does not have the specified index: %s", iname);
        if (p->ix->global && p->consistent)
            return V(c, "Consistent reads are not supported on global secondary indexes");
    }
    if (parse_select(c, p) != 0)
        return -1;
    if (query && p->x.filter) {
        const char *k = node_uses(p->x.filter->root, p->ix ? p->ix->hk : p->t.hk,
                                  p->ix ? p->ix->rk : p->t.rk);
        if (k)
            return V(c, "Filter Expression can only contain non-primary key attributes: "
                        "Primary key attribute: %s", k);
    }
    p->items = cJSON_CreateArray();
    return 0;
}

static void page_free(page *p)
{
    ddb_exprs_free(&p->x);
    ddb_table_free(&p->t);
    cJSON_Delete(p->items);
    cJSON_Delete(p->last_item);
}

static void add_attr(cJSON *out, const cJSON *item, const char *name)
{
    const cJSON *v;

    if (!name || cJSON_GetObjectItemCaseSensitive(out, name))
        return;
    v = cJSON_GetObjectItemCaseSensitive(item, name);
    if (v)
        cJSON_AddItemToObject(out, name, cJSON_Duplicate(v, 1));
}

/* What of an item an index shows (its projection); a new object. */
static cJSON *index_view(const page *p, const cJSON *item)
{
    cJSON *out;
    const cJSON *a;

    if (!p->ix || p->ix->proj == DDB_PROJ_ALL || p->select == SEL_ALL)
        return cJSON_Duplicate(item, 1);
    out = cJSON_CreateObject();
    add_attr(out, item, p->t.hk);
    add_attr(out, item, p->t.rk);
    add_attr(out, item, p->ix->hk);
    add_attr(out, item, p->ix->rk);
    if (p->ix->proj == DDB_PROJ_INCLUDE)
        cJSON_ArrayForEach(a, p->ix->include) {
            if (cJSON_IsString(a))
                add_attr(out, item, a->valuestring);
        }
    return out;
}

/* Evaluates one item: counts it, filters, projects, collects.  Returns 1
 * when the page is full after it. */
static int consider(page *p, cJSON *item)
{
    size_t size = ddb_item_size(item);
    int keep = 1;

    p->scanned++;
    p->bytes += size;
    cJSON_Delete(p->last_item);
    p->last_item = cJSON_Duplicate(item, 1);
    if (p->x.filter) {
        keep = ddb_expr_eval_cond(p->x.filter, item, p->c->err, sizeof(p->c->err));
        if (keep < 0)
            return -1;
    } else if (p->query_filter) {
        keep = ddb_legacy_eval(p->query_filter, p->cond_op, item, 0, p->c->err,
                               sizeof(p->c->err));
        if (keep < 0)
            return -1;
    }
    if (keep) {
        p->count++;
        if (p->select != SEL_COUNT) {
            cJSON *view = index_view(p, item), *shown;
            shown = p->x.proj ? ddb_expr_project(p->x.proj, view)
                    : p->atg  ? ddb_legacy_project(p->atg, view)
                              : NULL;
            if (shown) {
                cJSON_Delete(view);
                view = shown;
            }
            cJSON_AddItemToArray(p->items, view);
        }
    }
    if ((p->limit && p->scanned >= p->limit) || p->bytes >= PAGE_BYTES) {
        p->stopped = 1;
        return 1;
    }
    return 0;
}

/* consider() on the item JSON in column col of a row. */
static int consider_row(page *p, sqlite3_stmt *st, int col)
{
    cJSON *item = cJSON_ParseWithLength((const char *)sqlite3_column_text(st, col),
                                        (size_t)sqlite3_column_bytes(st, col));
    int f;

    if (!item)
        return 0;
    f = consider(p, item);
    cJSON_Delete(item);
    return f;
}

/* The key attributes of the last evaluated item, as LastEvaluatedKey. */
static void finish(page *p, double units)
{
    ddb_call *c = p->c;

    cJSON_AddItemToObject(c->out, "Count", cJSON_CreateNumber(p->count));
    cJSON_AddItemToObject(c->out, "ScannedCount", cJSON_CreateNumber(p->scanned));
    if (p->select != SEL_COUNT) {
        cJSON_AddItemToObject(c->out, "Items", p->items);
        p->items = NULL;
    }
    if (p->stopped && p->last_item) {
        cJSON *lek = cJSON_CreateObject();
        add_attr(lek, p->last_item, p->t.hk);
        add_attr(lek, p->last_item, p->t.rk);
        if (p->ix) {
            add_attr(lek, p->last_item, p->ix->hk);
            add_attr(lek, p->last_item, p->ix->rk);
        }
        cJSON_AddItemToObject(c->out, "LastEvaluatedKey", lek);
    }
    ddb_consumed(c, c->out, p->t.name, units, 0);
}

static void bind_buf(sqlite3_stmt *st, int i, const ts_buf *b)
{
    sqlite3_bind_blob(st, i, b->data ? b->data : "", (int)b->len, SQLITE_TRANSIENT);
}

static void set_buf(ts_buf *b, const void *p, int n)
{
    ts_buf_reset(b);
    ts_buf_append(b, p ? p : "", (size_t)n);
}

/* Encodes an attribute of a key object, or leaves out empty. */
static int enc_attr(const cJSON *key, const char *name, ts_buf *out)
{
    const cJSON *v = name ? cJSON_GetObjectItemCaseSensitive(key, name) : NULL;

    ts_buf_reset(out);
    if (!name) {
        ts_buf_append(out, "", 0);
        return 0;
    }
    if (!v || ddb_key_encode(v, out) != 0)
        return -1;
    if (!out->data)
        ts_buf_append(out, "", 0);
    return 0;
}

/* Reads ExclusiveStartKey into encoded cursor parts; 0, 1 when absent,
 * -1 with the error set. */
static int start_key(page *p, ts_buf *ihk, ts_buf *irk, ts_buf *thk, ts_buf *trk)
{
    ddb_call *c = p->c;
    cJSON *esk = cJSON_GetObjectItemCaseSensitive(c->in, "ExclusiveStartKey");

    if (!esk)
        return 1;
    if (ddb_validate_item(c, esk, "exclusiveStartKey") != 0)
        return -1;
    if (enc_attr(esk, p->t.hk, thk) != 0 || enc_attr(esk, p->t.rk, trk) != 0 ||
        (p->ix && (enc_attr(esk, p->ix->hk, ihk) != 0 || enc_attr(esk, p->ix->rk, irk) != 0)))
        return V(c, "The provided starting key is invalid: The provided key element does "
                    "not match the schema");
    return 0;
}

/* The sort-key range [lo, hi] (inclusive) of a key condition, with flags
 * for exclusive ends. */
typedef struct krange {
    ts_buf hash, lo, hi;
    int lo_excl, hi_excl;
    int has_range;           /* the condition names the sort key */
} krange;

static void successor_ceiling(ts_buf *b)
{
    /* Every key that starts with b sorts at or below b + 0xFF...: keys are
     * at most 1 KiB. */
    for (int i = 0; i < KEY_MAX_BYTES / 2; i++)
        ts_buf_putc(b, (char)0xFF);
}

static int key_range(page *p, krange *r)
{
    ddb_call *c = p->c;
    const char *hk = p->ix ? p->ix->hk : p->t.hk, *rk = p->ix ? p->ix->rk : p->t.rk;
    char hkt = p->ix ? p->ix->hkt : p->t.hkt, rkt = p->ix ? p->ix->rkt : p->t.rkt;
    ddb_key_cond kc;
    const cJSON *kconds = cJSON_GetObjectItemCaseSensitive(c->in, "KeyConditions");

    memset(&kc, 0, sizeof(kc));
    if (p->x.key) {
        if (ddb_expr_key_cond(p->x.key, hk, hkt, rk, rkt, &kc, c->err, sizeof(c->err)) != 0)
            return ddb_fail_validation(c);
    } else if (kconds) {
        const cJSON *k;
        cJSON_ArrayForEach(k, kconds) {
            const cJSON *op = cJSON_GetObjectItemCaseSensitive(k, "ComparisonOperator");
            const cJSON *vals = cJSON_GetObjectItemCaseSensitive(k, "AttributeValueList");
            const char *o = op->valuestring; /* required by the model */
            if (!strcmp(k->string, hk)) {
                if (strcmp(o, "EQ") || cJSON_GetArraySize(vals) != 1)
                    return V(c, "Query key condition not supported");
                kc.hash_value = cJSON_GetArrayItem(vals, 0);
            } else if (rk && !strcmp(k->string, rk)) {
                static const struct { const char *n; int op, args; } ops[] = {
                    {"EQ", DDB_KC_EQ, 1}, {"LT", DDB_KC_LT, 1}, {"LE", DDB_KC_LE, 1},
                    {"GT", DDB_KC_GT, 1}, {"GE", DDB_KC_GE, 1},
                    {"BETWEEN", DDB_KC_BETWEEN, 2}, {"BEGINS_WITH", DDB_KC_BEGINS_WITH, 1}};
                size_t i;
                for (i = 0; i < TS_ARRAY_LEN(ops); i++)
                    if (!strcmp(o, ops[i].n))
                        break;
                if (i == TS_ARRAY_LEN(ops) || cJSON_GetArraySize(vals) != ops[i].args)
                    return V(c, "Query key condition not supported");
                kc.range_op = ops[i].op;
                kc.range_v1 = cJSON_GetArrayItem(vals, 0);
                kc.range_v2 = cJSON_GetArrayItem(vals, 1);
            } else {
                return V(c, "Query condition missed key schema element: %s", hk);
            }
        }
        if (!kc.hash_value)
            return V(c, "Query condition missed key schema element: %s", hk);
    } else {
        return V(c, "Either the KeyConditions or KeyConditionExpression parameter must be "
                    "specified in the request.");
    }
    if (ddb_key_encode(kc.hash_value, &r->hash) != 0)
        return V(c, "One or more parameter values were invalid: Condition parameter type "
                    "does not match schema type");
    if (!r->hash.data)
        ts_buf_append(&r->hash, "", 0);
    ts_buf_append(&r->lo, "", 0);
    successor_ceiling(&r->hi);
    if (kc.range_op == DDB_KC_NONE)
        return 0;
    r->has_range = 1;
    ts_buf_reset(&r->lo);
    if (ddb_key_encode(kc.range_v1, &r->lo) != 0)
        return V(c, "One or more parameter values were invalid: Condition parameter type "
                    "does not match schema type");
    if (!r->lo.data)
        ts_buf_append(&r->lo, "", 0);
    switch (kc.range_op) {
    case DDB_KC_EQ:
        ts_buf_reset(&r->hi);
        ts_buf_append(&r->hi, r->lo.data, r->lo.len);
        break;
    case DDB_KC_LT:
    case DDB_KC_LE:
        ts_buf_reset(&r->hi);
        ts_buf_append(&r->hi, r->lo.data, r->lo.len);
        r->hi_excl = kc.range_op == DDB_KC_LT;
        ts_buf_reset(&r->lo);
        ts_buf_append(&r->lo, "", 0);
        break;
    case DDB_KC_GT:
        r->lo_excl = 1;
        break;
    case DDB_KC_GE:
        break;
    case DDB_KC_BETWEEN: {
        int cmp;
        ts_buf_reset(&r->hi);
        if (ddb_key_encode(kc.range_v2, &r->hi) != 0)
            return V(c, "One or more parameter values were invalid: Condition parameter "
                        "type does not match schema type");
        if (!r->hi.data)
            ts_buf_append(&r->hi, "", 0);
        if (ddb_value_cmp(kc.range_v1, kc.range_v2, &cmp) == 0 && cmp > 0)
            return V(c, "Invalid KeyConditionExpression: The BETWEEN operator requires upper "
                        "bound to be greater than or equal to lower bound; lower bound "
                        "operand: AttributeValue: {%s:%s}, upper bound operand: "
                        "AttributeValue: {%s:%s}",
                     ddb_value_type(kc.range_v1), ddb_value_inner(kc.range_v1)->valuestring,
                     ddb_value_type(kc.range_v2), ddb_value_inner(kc.range_v2)->valuestring);
        break;
    }
    case DDB_KC_BEGINS_WITH:
        ts_buf_reset(&r->hi);
        ts_buf_append(&r->hi, r->lo.data, r->lo.len);
        successor_ceiling(&r->hi);
        break;
    }
    return 0;
}

static int buf_eq(const ts_buf *a, const void *p, int n)
{
    return (int)a->len == n && (n == 0 || !memcmp(a->data, p, (size_t)n));
}

/* Byte order of two encoded keys (a prefix sorts first). */
static int buf_cmp(const ts_buf *a, const ts_buf *b)
{
    size_t n = TS_MIN(a->len, b->len);
    int r = n ? memcmp(a->data, b->data, n) : 0;

    return r ? r : a->len < b->len ? -1 : a->len > b->len;
}

/* An ExclusiveStartKey must lie inside the query: in its partition (hash,
 * the encoded partition key of the start key) and, when there is a
 * sort-key condition, inside its range (range, the encoded sort key).
 * 0, or -1 with AWS's message. */
static int start_key_in_bounds(page *p, const krange *r, const ts_buf *hash,
                               const ts_buf *range)
{
    int lo, hi;

    if (buf_cmp(hash, &r->hash) != 0)
        return V(p->c, "The provided starting key is outside query boundaries based on "
                       "provided conditions");
    if (!r->has_range)
        return 0;
    lo = buf_cmp(range, &r->lo);
    hi = buf_cmp(range, &r->hi);
    if (lo < 0 || (lo == 0 && r->lo_excl) || hi > 0 || (hi == 0 && r->hi_excl))
        return V(p->c, "The provided starting key does not match the range key predicate");
    return 0;
}

int ddb_query(ddb_call *c)
{
    page p;
    krange r;
    ts_buf ihk, irk, thk, trk;
    int rc = -1, have_cursor, full = 0;
    int64_t now = ts_now_ms() / 1000;

    memset(&r, 0, sizeof(r));
    ts_buf_init(&ihk);
    ts_buf_init(&irk);
    ts_buf_init(&thk);
    ts_buf_init(&trk);
    if (page_init(c, &p, 1) != 0 || key_range(&p, &r) != 0)
        goto out;
    have_cursor = start_key(&p, &ihk, &irk, &thk, &trk);
    if (have_cursor < 0)
        goto out;
    have_cursor = have_cursor == 0;
    if (have_cursor && start_key_in_bounds(&p, &r, p.ix ? &ihk : &thk,
                                           p.ix ? &irk : &trk) != 0)
        goto out;
    while (!full) {
        sqlite3_stmt *st;
        int rows = 0;

        if (!p.ix) {
            if (p.forward)
                st = have_cursor
                         ? store_stmt("SELECT hk, rk, item FROM ddb_item WHERE table_id = ?1"
                                      " AND hk = ?2 AND rk >= ?3 AND rk <= ?4 AND rk > ?5"
                                      " AND (expires IS NULL OR expires > ?7)"
                                      " ORDER BY rk LIMIT ?6")
                         : store_stmt("SELECT hk, rk, item FROM ddb_item WHERE table_id = ?1"
                                      " AND hk = ?2 AND rk >= ?3 AND rk <= ?4"
                                      " AND (expires IS NULL OR expires > ?7)"
                                      " ORDER BY rk LIMIT ?6");
            else
                st = have_cursor
                         ? store_stmt("SELECT hk, rk, item FROM ddb_item WHERE table_id = ?1"
                                      " AND hk = ?2 AND rk >= ?3 AND rk <= ?4 AND rk < ?5"
                                      " AND (expires IS NULL OR expires > ?7)"
                                      " ORDER BY rk DESC LIMIT ?6")
                         : store_stmt("SELECT hk, rk, item FROM ddb_item WHERE table_id = ?1"
                                      " AND hk = ?2 AND rk >= ?3 AND rk <= ?4"
                                      " AND (expires IS NULL OR expires > ?7)"
                                      " ORDER BY rk DESC LIMIT ?6");
            sqlite3_bind_int64(st, 1, p.t.id);
            bind_buf(st, 2, &r.hash);
            bind_buf(st, 3, &r.lo);
            bind_buf(st, 4, &r.hi);
            if (have_cursor)
                bind_buf(st, 5, &trk);
        } else {
            if (p.forward)
                st = have_cursor
                         ? store_stmt("SELECT i.thk, i.trk, it.item, i.rk FROM ddb_index i"
                                      " JOIN ddb_item it ON it.table_id = i.table_id AND"
                                      " it.hk = i.thk AND it.rk = i.trk"
                                      " WHERE i.table_id = ?1 AND i.idx = ?8 AND i.hk = ?2"
                                      " AND i.rk >= ?3 AND i.rk <= ?4"
                                      " AND (i.rk, i.thk, i.trk) > (?5, ?9, ?10)"
                                      " AND (it.expires IS NULL OR it.expires > ?7)"
                                      " ORDER BY i.rk, i.thk, i.trk LIMIT ?6")
                         : store_stmt("SELECT i.thk, i.trk, it.item, i.rk FROM ddb_index i"
                                      " JOIN ddb_item it ON it.table_id = i.table_id AND"
                                      " it.hk = i.thk AND it.rk = i.trk"
                                      " WHERE i.table_id = ?1 AND i.idx = ?8 AND i.hk = ?2"
                                      " AND i.rk >= ?3 AND i.rk <= ?4"
                                      " AND (it.expires IS NULL OR it.expires > ?7)"
                                      " ORDER BY i.rk, i.thk, i.trk LIMIT ?6");
            else
                st = have_cursor
                         ? store_stmt("SELECT i.thk, i.trk, it.item, i.rk FROM ddb_index i"
                                      " JOIN ddb_item it ON it.table_id = i.table_id AND"
                                      " it.hk = i.thk AND it.rk = i.trk"
                                      " WHERE i.table_id = ?1 AND i.idx = ?8 AND i.hk = ?2"
                                      " AND i.rk >= ?3 AND i.rk <= ?4"
                                      " AND (i.rk, i.thk, i.trk) < (?5, ?9, ?10)"
                                      " AND (it.expires IS NULL OR it.expires > ?7)"
                                      " ORDER BY i.rk DESC, i.thk DESC, i.trk DESC LIMIT ?6")
                         : store_stmt("SELECT i.thk, i.trk, it.item, i.rk FROM ddb_index i"
                                      " JOIN ddb_item it ON it.table_id = i.table_id AND"
                                      " it.hk = i.thk AND it.rk = i.trk"
                                      " WHERE i.table_id = ?1 AND i.idx = ?8 AND i.hk = ?2"
                                      " AND i.rk >= ?3 AND i.rk <= ?4"
                                      " AND (it.expires IS NULL OR it.expires > ?7)"
                                      " ORDER BY i.rk DESC, i.thk DESC, i.trk DESC LIMIT ?6");
            sqlite3_bind_int64(st, 1, p.t.id);
            bind_buf(st, 2, &r.hash);
            bind_buf(st, 3, &r.lo);
            bind_buf(st, 4, &r.hi);
            store_bind_text(st, 8, p.ix->name);
            if (have_cursor) {
                bind_buf(st, 5, &irk);
                bind_buf(st, 9, &thk);
                bind_buf(st, 10, &trk);
            }
        }
        sqlite3_bind_int(st, 6, BATCH);
        sqlite3_bind_int64(st, 7, now);
        while (!full && sqlite3_step(st) == SQLITE_ROW) {
            int col = p.ix ? 3 : 1;
            const void *k = sqlite3_column_blob(st, col);
            int kn = sqlite3_column_bytes(st, col);
            int f;

            rows++;
            /* the cursor moves on every row read */
            set_buf(&thk, sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0));
            set_buf(&trk, sqlite3_column_blob(st, 1), sqlite3_column_bytes(st, 1));
            if (p.ix)
                set_buf(&irk, k, kn);
            else
                set_buf(&trk, k, kn);
            have_cursor = 1;
            if ((r.lo_excl && buf_eq(&r.lo, k, kn)) || (r.hi_excl && buf_eq(&r.hi, k, kn)))
                continue;
            f = consider_row(&p, st, 2);
            if (f < 0) {
                sqlite3_reset(st);
                ddb_fail_validation(c);
                goto out;
            }
            full = f;
        }
        sqlite3_reset(st);
        if (rows < BATCH)
            break;
    }
    finish(&p, ddb_read_units(p.bytes, p.consistent));
    rc = 0;
out:
    page_free(&p);
    ts_buf_free(&r.hash);
    ts_buf_free(&r.lo);
    ts_buf_free(&r.hi);
    ts_buf_free(&ihk);
    ts_buf_free(&irk);
    ts_buf_free(&thk);
    ts_buf_free(&trk);
    return rc;
}

static uint32_t fnv1a(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint32_t h = 2166136261u;

    while (n--) {
        h ^= *s++;
        h *= 16777619u;
    }
    return h;
}

int ddb_scan(ddb_call *c)
{
    const cJSON *seg = cJSON_GetObjectItemCaseSensitive(c->in, "Segment");
    const cJSON *tot = cJSON_GetObjectItemCaseSensitive(c->in, "TotalSegments");
    page p;
    ts_buf ihk, irk, thk, trk;
    int rc = -1, have_cursor, full = 0;
    int64_t now = ts_now_ms() / 1000;

    ts_buf_init(&ihk);
    ts_buf_init(&irk);
    ts_buf_init(&thk);
    ts_buf_init(&trk);
    if (page_init(c, &p, 0) != 0)
        goto out;
    if ((seg != NULL) != (tot != NULL)) {
        V(c, seg ? "The TotalSegments parameter is required but was not present in the "
                   "request when Segment parameter is present"
                 : "The Segment parameter is required but was not present in the request "
                   "when parameter TotalSegments is present");
        goto out;
    }
    if (tot) {
        /* The model holds TotalSegments to 1-1000000 and Segment to 0-999999. */
        if (seg->valueint >= tot->valueint) {
            V(c, "The Segment parameter is zero-based and must be less than parameter "
                 "TotalSegments: Segment: %d is not less than TotalSegments: %d",
              seg->valueint, tot->valueint);
            goto out;
        }
        p.segment = seg->valueint;
        p.segments = tot->valueint;
    }
    have_cursor = start_key(&p, &ihk, &irk, &thk, &trk);
    if (have_cursor < 0)
        goto out;
    have_cursor = have_cursor == 0;
    while (!full) {
        sqlite3_stmt *st;
        int rows = 0;

        if (!p.ix) {
            st = have_cursor
                     ? store_stmt("SELECT hk, rk, item FROM ddb_item WHERE table_id = ?1"
                                  " AND (hk, rk) > (?2, ?3)"
                                  " AND (expires IS NULL OR expires > ?5)"
                                  " ORDER BY hk, rk LIMIT ?4")
                     : store_stmt("SELECT hk, rk, item FROM ddb_item WHERE table_id = ?1"
                                  " AND (expires IS NULL OR expires > ?5)"
                                  " ORDER BY hk, rk LIMIT ?4");
            sqlite3_bind_int64(st, 1, p.t.id);
            if (have_cursor) {
                bind_buf(st, 2, &thk);
                bind_buf(st, 3, &trk);
            }
        } else {
            st = have_cursor
                     ? store_stmt("SELECT i.thk, i.trk, it.item, i.hk, i.rk FROM ddb_index i"
                                  " JOIN ddb_item it ON it.table_id = i.table_id AND"
                                  " it.hk = i.thk AND it.rk = i.trk"
                                  " WHERE i.table_id = ?1 AND i.idx = ?6"
                                  " AND (i.hk, i.rk, i.thk, i.trk) > (?7, ?8, ?2, ?3)"
                                  " AND (it.expires IS NULL OR it.expires > ?5)"
                                  " ORDER BY i.hk, i.rk, i.thk, i.trk LIMIT ?4")
                     : store_stmt("SELECT i.thk, i.trk, it.item, i.hk, i.rk FROM ddb_index i"
                                  " JOIN ddb_item it ON it.table_id = i.table_id AND"
                                  " it.hk = i.thk AND it.rk = i.trk"
                                  " WHERE i.table_id = ?1 AND i.idx = ?6"
                                  " AND (it.expires IS NULL OR it.expires > ?5)"
                                  " ORDER BY i.hk, i.rk, i.thk, i.trk LIMIT ?4");
            sqlite3_bind_int64(st, 1, p.t.id);
            store_bind_text(st, 6, p.ix->name);
            if (have_cursor) {
                bind_buf(st, 7, &ihk);
                bind_buf(st, 8, &irk);
                bind_buf(st, 2, &thk);
                bind_buf(st, 3, &trk);
            }
        }
        sqlite3_bind_int(st, 4, BATCH);
        sqlite3_bind_int64(st, 5, now);
        while (!full && sqlite3_step(st) == SQLITE_ROW) {
            const void *h = sqlite3_column_blob(st, p.ix ? 3 : 0);
            int hn = sqlite3_column_bytes(st, p.ix ? 3 : 0);
            int f;

            rows++;
            set_buf(&thk, sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0));
            set_buf(&trk, sqlite3_column_blob(st, 1), sqlite3_column_bytes(st, 1));
            if (p.ix) {
                set_buf(&ihk, h, hn);
                set_buf(&irk, sqlite3_column_blob(st, 4), sqlite3_column_bytes(st, 4));
            }
            have_cursor = 1;
            if (p.segments > 1 && (int)(fnv1a(h, (size_t)hn) % (uint32_t)p.segments) != p.segment)
                continue;
            f = consider_row(&p, st, 2);
            if (f < 0) {
                sqlite3_reset(st);
                ddb_fail_validation(c);
                goto out;
            }
            full = f;
        }
        sqlite3_reset(st);
        if (rows < BATCH)
            break;
    }
    finish(&p, ddb_read_units(p.bytes, p.consistent));
    rc = 0;
out:
    page_free(&p);
    ts_buf_free(&ihk);
    ts_buf_free(&irk);
    ts_buf_free(&thk);
    ts_buf_free(&trk);
    return rc;
}
