/*
 * ddb_expr_eval.c - evaluating parsed expressions against items: document
 * paths, condition and filter expressions (DynamoDB's comparison and
 * function semantics), the taking apart of a KeyConditionExpression into a
 * key range for the Query handler, and projection.
 *
 * Projection builds a small trie of the requested paths and walks it
 * together with the item, so nested paths share their parents and list
 * elements come out in the item's order, as DynamoDB returns them.
 */
#include "ddb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- paths ---- */

const cJSON *ddb_path_resolve(const ddb_path *p, const cJSON *item)
{
    const cJSON *cur;

    if (!item || p->n == 0 || !p->elems[0].name)
        return NULL;
    cur = cJSON_GetObjectItemCaseSensitive(item, p->elems[0].name);
    for (int i = 1; cur && i < p->n; i++) {
        const char *t = ddb_value_type(cur);
        const cJSON *in = ddb_value_inner(cur);

        if (p->elems[i].name)
            cur = t && strcmp(t, "M") == 0
                      ? cJSON_GetObjectItemCaseSensitive(in, p->elems[i].name)
                      : NULL;
        else
            cur = t && strcmp(t, "L") == 0
                      ? cJSON_GetArrayItem(in, (int)p->elems[i].index)
                      : NULL;
    }
    return cur;
}

void ddb_path_describe(const ddb_path *p, ts_buf *b)
{
    ts_buf_putc(b, '[');
    for (int i = 0; i < p->n; i++) {
        if (i)
            ts_buf_puts(b, ", ");
        if (p->elems[i].name)
            ts_buf_puts(b, p->elems[i].name);
        else
            ts_buf_printf(b, "[%ld]", p->elems[i].index);
    }
    ts_buf_putc(b, ']');
}

/* 0 disjoint, 1 overlap (one is a prefix of the other), 2 conflict (a map
 * key and a list index at the same place). */
static int path_relation(const ddb_path *a, const ddb_path *b)
{
    int m = TS_MIN(a->n, b->n);

    for (int i = 0; i < m; i++) {
        const ddb_path_elem *x = &a->elems[i], *y = &b->elems[i];

        if (!x->name != !y->name)
            return 2;
        if (x->name ? strcmp(x->name, y->name) != 0 : x->index != y->index)
            return 0;
    }
    return 1;
}

int ddb_paths_check_overlap(ddb_path *const *paths, int n,
                            const char *prefix, char *err, size_t errlen)
{
    int rc = 0;

    for (int i = 0; i < n && rc == 0; i++)
        for (int j = i + 1; j < n && rc == 0; j++) {
            int rel = path_relation(paths[i], paths[j]);
            ts_buf b;

            if (rel == 0)
                continue;
            ts_buf_init(&b);
            ts_buf_printf(&b, "%sTwo document paths %s with each other; "
                          "must remove or rewrite one of these paths; "
                          "path one: ", prefix,
                          rel == 1 ? "overlap" : "conflict");
            ddb_path_describe(paths[i], &b);
            ts_buf_puts(&b, ", path two: ");
            ddb_path_describe(paths[j], &b);
            snprintf(err, errlen, "%s", b.data);
            ts_buf_free(&b);
            rc = -1;
        }
    return rc;
}

/* ---- conditions ---- */

/* Number of elements or bytes size() reports, or -1 for "no value". */
static long value_size(const cJSON *v)
{
    const char *t = ddb_value_type(v);
    const cJSON *in = ddb_value_inner(v);

    if (!t)
        return -1;
    if (strcmp(t, "S") == 0 || strcmp(t, "B") == 0)
        return (long)ddb_value_size(v);
    if (strcmp(t, "M") == 0 || strcmp(t, "L") == 0 || strcmp(t, "SS") == 0 ||
        strcmp(t, "NS") == 0 || strcmp(t, "BS") == 0)
        return cJSON_GetArraySize(in);
    return -1;
}

/* The value an operand stands for; size() makes a number in *tmp. */
static const cJSON *operand(const ddb_node *n, const cJSON *item, cJSON **tmp)
{
    if (n->kind == DDB_N_PATH)
        return ddb_path_resolve(&n->path, item);
    if (n->kind == DDB_N_VALUE)
        return n->value;
    if (n->kind == DDB_N_FUNC && n->op == DDB_F_SIZE) {
        const cJSON *v = operand(n->args[0], item, tmp);
        long size = v ? value_size(v) : -1;
        char text[32];

        if (size < 0)
            return NULL;
        snprintf(text, sizeof(text), "%ld", size);
        cJSON_Delete(*tmp);
        *tmp = cJSON_CreateObject();
        cJSON_AddStringToObject(*tmp, "N", text);
        return *tmp;
    }
    return NULL;
}

/* Decoded bytes of a B value's text (ts_free). */
static unsigned char *bytes_of(const cJSON *in, size_t *n)
{
    unsigned char *out = NULL;

    if (!cJSON_IsString(in) ||
        ts_base64_decode(in->valuestring, strlen(in->valuestring), &out,
                         n) < 0) {
        *n = 0;
        return NULL;
    }
    return out;
}

static int begins_with(const cJSON *a, const cJSON *b)
{
    const char *ta = ddb_value_type(a), *tb = ddb_value_type(b);
    const cJSON *ia = ddb_value_inner(a), *ib = ddb_value_inner(b);
    int r = 0;

    if (!ta || !tb || strcmp(ta, tb) != 0)
        return 0;
    if (strcmp(ta, "S") == 0) {
        r = strncmp(ia->valuestring, ib->valuestring,
                    strlen(ib->valuestring)) == 0;
    } else if (strcmp(ta, "B") == 0) {
        size_t na, nb;
        unsigned char *ba = bytes_of(ia, &na), *bb = bytes_of(ib, &nb);

        r = nb <= na && (nb == 0 || memcmp(ba, bb, nb) == 0);
        ts_free(ba);
        ts_free(bb);
    }
    return r;
}

static int contains(const cJSON *a, const cJSON *b)
{
    const char *ta = ddb_value_type(a), *tb = ddb_value_type(b);
    const cJSON *ia = ddb_value_inner(a), *ib = ddb_value_inner(b), *c;
    int r = 0;

    if (!ta || !tb)
        return 0;
    if (strcmp(ta, "S") == 0 && strcmp(tb, "S") == 0) {
        r = strstr(ia->valuestring, ib->valuestring) != NULL;
    } else if (strcmp(ta, "B") == 0 && strcmp(tb, "B") == 0) {
        size_t na, nb;
        unsigned char *ba = bytes_of(ia, &na), *bb = bytes_of(ib, &nb);

        r = nb == 0 || (ba && memmem(ba, na, bb, nb) != NULL);
        ts_free(ba);
        ts_free(bb);
    } else if (ta[1] == 'S' && tb[1] == '\0' && ta[0] == tb[0]) {
        cJSON_ArrayForEach(c, ia) {
            int cmp = 0;

            if (!cJSON_IsString(c))
                continue;
            if (ta[0] == 'N')
                cmp = ddb_num_cmp_text(c->valuestring, ib->valuestring);
            else
                cmp = strcmp(c->valuestring, ib->valuestring);
            if (cmp == 0) {
                r = 1;
                break;
            }
        }
    } else if (strcmp(ta, "L") == 0) {
        cJSON_ArrayForEach(c, ia)
            if (ddb_value_equal(c, b)) {
                r = 1;
                break;
            }
    }
    return r;
}

static int compare(int op, const cJSON *a, const cJSON *b)
{
    int r;

    if (op == DDB_T_EQ)
        return a && b && ddb_value_equal(a, b);
    if (op == DDB_T_NE)
        return !(a && b && ddb_value_equal(a, b));
    if (!a || !b || ddb_value_cmp(a, b, &r) < 0)
        return 0;
    switch (op) {
    case DDB_T_LT: return r < 0;
    case DDB_T_LE: return r <= 0;
    case DDB_T_GT: return r > 0;
    default: return r >= 0;
    }
}

static int eval(const ddb_node *n, const cJSON *item)
{
    cJSON *t0 = NULL, *t1 = NULL, *t2 = NULL;
    const cJSON *a, *b, *c;
    int r = 0;

    switch (n->kind) {
    case DDB_N_AND:
        r = eval(n->args[0], item) && eval(n->args[1], item);
        break;
    case DDB_N_OR:
        r = eval(n->args[0], item) || eval(n->args[1], item);
        break;
    case DDB_N_NOT:
        r = !eval(n->args[0], item);
        break;
    case DDB_N_CMP:
        a = operand(n->args[0], item, &t0);
        b = operand(n->args[1], item, &t1);
        r = compare(n->op, a, b);
        break;
    case DDB_N_BETWEEN:
        a = operand(n->args[0], item, &t0);
        b = operand(n->args[1], item, &t1);
        c = operand(n->args[2], item, &t2);
        r = compare(DDB_T_GE, a, b) && compare(DDB_T_LE, a, c);
        break;
    case DDB_N_IN:
        a = operand(n->args[0], item, &t0);
        for (int i = 1; a && i < n->nargs && !r; i++) {
            b = operand(n->args[i], item, &t1);
            r = compare(DDB_T_EQ, a, b);
        }
        break;
    case DDB_N_FUNC:
        a = operand(n->args[0], item, &t0);
        b = n->nargs > 1 ? operand(n->args[1], item, &t1) : NULL;
        if (n->op == DDB_F_ATTRIBUTE_EXISTS)
            r = a != NULL;
        else if (n->op == DDB_F_ATTRIBUTE_NOT_EXISTS)
            r = a == NULL;
        else if (n->op == DDB_F_ATTRIBUTE_TYPE)
            r = a && b && cJSON_IsString(ddb_value_inner(b)) &&
                ddb_value_type(a) &&
                strcmp(ddb_value_type(a),
                       ddb_value_inner(b)->valuestring) == 0;
        else if (n->op == DDB_F_BEGINS_WITH)
            r = a && b && begins_with(a, b);
        else if (n->op == DDB_F_CONTAINS)
            r = a && b && contains(a, b);
        break;
    default:
        break;
    }
    cJSON_Delete(t0);
    cJSON_Delete(t1);
    cJSON_Delete(t2);
    return r;
}

int ddb_expr_eval_cond(const ddb_expr *e, const cJSON *item, char *err,
                       size_t errlen)
{
    if (!e || !e->root) {
        snprintf(err, errlen, "Invalid expression: not a condition");
        return -1;
    }
    return eval(e->root, item);
}

/* ---- key conditions ---- */

/* What a KeyConditionExpression may not contain, whatever the schema. */
int ddb_expr_key_ops_check(const ddb_node *n, char *err, size_t errlen)
{
    static const char *const ops[] = {"=", "<>", "<", "<=", ">", ">="};
    const char *bad = NULL;

    if (!n)
        return 0;
    if (n->kind == DDB_N_OR)
        bad = "OR";
    else if (n->kind == DDB_N_NOT)
        bad = "NOT";
    else if (n->kind == DDB_N_IN)
        bad = "IN";
    else if (n->kind == DDB_N_CMP && n->op == DDB_T_NE)
        bad = ops[1];
    else if (n->kind == DDB_N_FUNC && n->op != DDB_F_BEGINS_WITH &&
             n->op >= 0)
        bad = ddb_expr_func_name(n->op);
    for (int i = 0; !bad && n->kind != DDB_N_AND && i < n->nargs; i++)
        if (n->args[i]->kind == DDB_N_FUNC && n->args[i]->op >= 0)
            bad = ddb_expr_func_name(n->args[i]->op);
    if (bad) {
        snprintf(err, errlen,
                 "Invalid operator used in KeyConditionExpression: %s", bad);
        return -1;
    }
    if (n->kind == DDB_N_AND)
        for (int i = 0; i < n->nargs; i++)
            if (ddb_expr_key_ops_check(n->args[i], err, errlen) < 0)
                return -1;
    return 0;
}

/* Collects the conditions under the top-level ANDs; -1 past max. */
static int key_leaves(const ddb_node *n, const ddb_node **out, int *count,
                      int max)
{
    if (n->kind == DDB_N_AND)
        return key_leaves(n->args[0], out, count, max) < 0 ? -1
               : key_leaves(n->args[1], out, count, max);
    if (*count >= max)
        return -1;
    out[(*count)++] = n;
    return 0;
}

static const char MSG_ONE_PER_KEY[] =
    "KeyConditionExpressions must only contain one condition per key";
static const char MSG_NOT_SUPPORTED[] = "Query key condition not supported";

/* The key-condition operator for a comparison token; reversed when the
 * value is written first (":v < k" is "k > :v"). */
static int kc_op(int tok, int reversed)
{
    switch (tok) {
    case DDB_T_LT: return reversed ? DDB_KC_GT : DDB_KC_LT;
    case DDB_T_LE: return reversed ? DDB_KC_GE : DDB_KC_LE;
    case DDB_T_GT: return reversed ? DDB_KC_LT : DDB_KC_GT;
    case DDB_T_GE: return reversed ? DDB_KC_LE : DDB_KC_GE;
    default: return DDB_KC_EQ;
    }
}

/* One leaf condition as (attribute, operator, values). */
static int key_leaf(const ddb_node *n, const char **name, int *op,
                    const cJSON **v1, const cJSON **v2, char *err,
                    size_t errlen)
{
    const ddb_node *path = n->args[0];
    int i, rc = -1;

    for (i = 1; i < n->nargs; i++)
        if (n->args[i]->kind != DDB_N_VALUE)
            break;
    if (n->kind == DDB_N_CMP && path->kind == DDB_N_VALUE &&
        n->args[1]->kind == DDB_N_PATH) {
        path = n->args[1];
        i = n->nargs;
        *v1 = n->args[0]->value;
        *op = kc_op(n->op, 1);
    } else if (n->kind == DDB_N_CMP) {
        *v1 = n->args[1]->value;
        *op = kc_op(n->op, 0);
    } else {
        *v1 = n->args[1]->value;
        *v2 = n->nargs > 2 ? n->args[2]->value : NULL;
        *op = n->kind == DDB_N_BETWEEN ? DDB_KC_BETWEEN : DDB_KC_BEGINS_WITH;
    }
    if (path->kind != DDB_N_PATH || i < n->nargs) {
        snprintf(err, errlen, "Invalid condition in KeyConditionExpression: "
                 "%s", path->kind == DDB_N_PATH
                           ? "Multiple attribute names used in one condition"
                           : "No key attribute specified");
        goto out;
    }
    if (path->path.n != 1) {
        snprintf(err, errlen, "%s", MSG_NOT_SUPPORTED);
        goto out;
    }
    *name = path->path.elems[0].name;
    rc = 0;
out:
    return rc;
}

/* Checks a key value against its schema type. */
static int key_value_ok(const cJSON *v, char type, const char *key,
                        char *err, size_t errlen)
{
    const char *t = ddb_value_type(v);
    const cJSON *in = ddb_value_inner(v);

    if (!t || t[1] != '\0' || t[0] != type) {
        snprintf(err, errlen, "One or more parameter values were invalid: "
                 "Condition parameter type does not match schema type");
        return -1;
    }
    if (cJSON_IsString(in) && !in->valuestring[0]) {
        snprintf(err, errlen, "One or more parameter values are not valid. "
                 "The AttributeValue for a key attribute cannot contain an "
                 "empty %s value. Key: %s",
                 type == 'B' ? "binary" : "string", key);
        return -1;
    }
    return 0;
}

int ddb_expr_key_cond(const ddb_expr *e, const char *hash_name,
                      char hash_type, const char *range_name,
                      char range_type, ddb_key_cond *out, char *err,
                      size_t errlen)
{
    const ddb_node *leaves[3];
    int n = 0, unknown = 0, have_hash = 0, hash_op = 0, rc = -1;

    memset(out, 0, sizeof(*out));
    if (!e || !e->root || key_leaves(e->root, leaves, &n, 2) < 0) {
        snprintf(err, errlen, "%s", MSG_ONE_PER_KEY);
        goto out;
    }
    for (int i = 0; i < n; i++) {
        const char *name = NULL;
        const cJSON *v1 = NULL, *v2 = NULL;
        int op = 0;

        if (key_leaf(leaves[i], &name, &op, &v1, &v2, err, errlen) < 0)
            goto out;
        if (strcmp(name, hash_name) == 0) {
            if (have_hash++) {
                snprintf(err, errlen, "%s", MSG_ONE_PER_KEY);
                goto out;
            }
            hash_op = op;
            out->hash_value = v1;
        } else if (range_name && strcmp(name, range_name) == 0) {
            if (out->range_op) {
                snprintf(err, errlen, "%s", MSG_ONE_PER_KEY);
                goto out;
            }
            out->range_op = op;
            out->range_v1 = v1;
            out->range_v2 = v2;
        } else {
            unknown = 1;
        }
    }
    if (!have_hash) {
        snprintf(err, errlen, "Query condition missed key schema element: %s",
                 hash_name);
        goto out;
    }
    if (hash_op != DDB_KC_EQ) {
        snprintf(err, errlen, "%s", MSG_NOT_SUPPORTED);
        goto out;
    }
    if (unknown) {
        if (range_name && !out->range_op)
            snprintf(err, errlen, "Query condition missed key schema "
                     "element: %s", range_name);
        else
            snprintf(err, errlen, "%s", MSG_NOT_SUPPORTED);
        goto out;
    }
    if (key_value_ok(out->hash_value, hash_type, hash_name, err, errlen) < 0)
        goto out;
    if (out->range_op == DDB_KC_BEGINS_WITH && range_type == 'N') {
        snprintf(err, errlen, "Invalid KeyConditionExpression: Incorrect "
                 "operand type for operator or function; operator or "
                 "function: begins_with, operand type: N");
        goto out;
    }
    if (out->range_op &&
        (key_value_ok(out->range_v1, range_type, range_name, err,
                      errlen) < 0 ||
         (out->range_v2 && key_value_ok(out->range_v2, range_type,
                                        range_name, err, errlen) < 0)))
        goto out;
    rc = 0;
out:
    return rc;
}

/* ---- projection ---- */

/* A trie of requested paths: children are map keys or list indexes (kept
 * in ascending order); leaf marks where a whole value is copied. */
typedef struct pnode {
    const ddb_path_elem *elem;
    int leaf;
    struct pnode *kids, *next;
} pnode;

static void trie_add(pnode *root, const ddb_path *p)
{
    pnode *cur = root;

    for (int i = 0; i < p->n; i++) {
        const ddb_path_elem *e = &p->elems[i];
        pnode **link = &cur->kids, *k;

        for (; *link; link = &(*link)->next) {
            const ddb_path_elem *x = (*link)->elem;

            if (e->name && x->name && strcmp(e->name, x->name) == 0)
                break;
            if (!e->name && !x->name && (x->index >= e->index))
                break;
        }
        if (*link && (e->name || (*link)->elem->index == e->index)) {
            cur = *link;
            continue;
        }
        if (e->name)
            for (; *link; link = &(*link)->next)
                ;
        k = ts_calloc(1, sizeof(*k));
        k->elem = e;
        k->next = *link;
        *link = k;
        cur = k;
    }
    cur->leaf = 1;
}

static void trie_free(pnode *n)
{
    while (n) {
        pnode *next = n->next;

        trie_free(n->kids);
        ts_free(n);
        n = next;
    }
}

/* The parts of v that node selects, or NULL when none exist. */
static cJSON *materialise(const cJSON *v, const pnode *node)
{
    const char *t = ddb_value_type(v);
    const cJSON *in = ddb_value_inner(v);
    cJSON *res = NULL, *coll = NULL;

    if (node->leaf)
        return cJSON_Duplicate(v, 1);
    if (!t || (strcmp(t, "M") != 0 && strcmp(t, "L") != 0))
        return NULL;
    for (const pnode *k = node->kids; k; k = k->next) {
        const cJSON *child = NULL;
        cJSON *part;

        if (k->elem->name && t[0] == 'M')
            child = cJSON_GetObjectItemCaseSensitive(in, k->elem->name);
        else if (!k->elem->name && t[0] == 'L')
            child = cJSON_GetArrayItem(in, (int)k->elem->index);
        if (!child || !(part = materialise(child, k)))
            continue;
        if (!coll)
            coll = t[0] == 'M' ? cJSON_CreateObject() : cJSON_CreateArray();
        if (t[0] == 'M')
            cJSON_AddItemToObject(coll, k->elem->name, part);
        else
            cJSON_AddItemToArray(coll, part);
    }
    if (coll) {
        res = cJSON_CreateObject();
        cJSON_AddItemToObject(res, t, coll);
    }
    return res;
}

static cJSON *project_paths(const ddb_path *paths, int n, const cJSON *item)
{
    pnode root;
    cJSON *res = cJSON_CreateObject();

    memset(&root, 0, sizeof(root));
    for (int i = 0; i < n; i++)
        trie_add(&root, &paths[i]);
    for (const pnode *k = root.kids; k && item; k = k->next) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, k->elem->name);
        cJSON *part = v ? materialise(v, k) : NULL;

        if (part)
            cJSON_AddItemToObject(res, k->elem->name, part);
    }
    trie_free(root.kids);
    return res;
}

cJSON *ddb_expr_project(const ddb_expr *e, const cJSON *item)
{
    return project_paths(e->paths, e->npaths, item);
}

cJSON *ddb_expr_project_updated(const ddb_expr *e, const cJSON *item)
{
    ddb_path *paths = ts_malloc(sizeof(*paths) * (size_t)(e->nactions + 1));
    cJSON *res;

    for (int i = 0; i < e->nactions; i++)
        paths[i] = e->actions[i].path;
    res = project_paths(paths, e->nactions, item);
    ts_free(paths);
    return res;
}
