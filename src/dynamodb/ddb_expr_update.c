/*
 * ddb_expr_update.c - applying a parsed UpdateExpression to an item.
 *
 * DynamoDB evaluates every right-hand side against the item as it was
 * before the update, and list indexes in one expression all refer to the
 * list before it changed.  So we work on a copy: first every SET value is
 * computed from the old item, then REMOVE of a list element leaves a
 * tombstone (a cJSON raw node) so that indexes keep their meaning, then
 * SET, ADD and DELETE are applied in order, and finally the tombstones are
 * swept out.  The parser has already refused overlapping paths, so the
 * actions touch disjoint parts of the item.
 */
#include "ddb_int.h"

#include <stdio.h>
#include <string.h>

static const char MSG_BAD_PATH[] =
    "The document path provided in the update expression is invalid for "
    "update";
static const char MSG_NO_ATTR[] =
    "The provided expression refers to an attribute that does not exist in "
    "the item";
static const char MSG_DATA_TYPE[] =
    "An operand in the update expression has an incorrect data type";

int ddb_expr_update_count(const ddb_expr *e)
{
    return e ? e->nactions : 0;
}

const char *ddb_expr_update_attr(const ddb_expr *e, int i)
{
    return e && i >= 0 && i < e->nactions ? e->actions[i].path.elems[0].name
                                          : NULL;
}

static int is_type(const cJSON *v, const char *t)
{
    const char *vt = ddb_value_type(v);

    return vt && strcmp(vt, t) == 0;
}

static void operand_type_err(const char *fn, const cJSON *v, char *err,
                             size_t errlen)
{
    const char *t = ddb_value_type(v);

    snprintf(err, errlen, "Invalid UpdateExpression: Incorrect operand type "
             "for operator or function; operator or function: %s, operand "
             "type: %s", fn, t ? t : "");
}

/* A SET right-hand side evaluated against the old item: a new value the
 * caller owns, or NULL with the message in err. */
static cJSON *set_value(const ddb_node *n, const cJSON *old, char *err,
                        size_t errlen)
{
    cJSON *a = NULL, *b = NULL, *res = NULL;
    const cJSON *v;

    switch (n->kind) {
    case DDB_N_VALUE:
        res = cJSON_Duplicate(n->value, 1);
        break;
    case DDB_N_PATH:
        if (!(v = ddb_path_resolve(&n->path, old)))
            snprintf(err, errlen, "%s", MSG_NO_ATTR);
        else
            res = cJSON_Duplicate(v, 1);
        break;
    case DDB_N_FUNC:
        if (n->op == DDB_F_IF_NOT_EXISTS) {
            v = ddb_path_resolve(&n->args[0]->path, old);
            res = v ? cJSON_Duplicate(v, 1)
                    : set_value(n->args[1], old, err, errlen);
            break;
        }
        if (!(a = set_value(n->args[0], old, err, errlen)) ||
            !(b = set_value(n->args[1], old, err, errlen)))
            break;
        if (!is_type(a, "L") || !is_type(b, "L")) {
            operand_type_err("list_append", is_type(a, "L") ? b : a, err,
                             errlen);
            break;
        }
        {
            cJSON *la = cJSON_GetObjectItemCaseSensitive(a, "L");
            cJSON *lb = cJSON_GetObjectItemCaseSensitive(b, "L");

            while (lb->child)
                cJSON_AddItemToArray(la, cJSON_DetachItemViaPointer(
                                             lb, lb->child));
        }
        res = a;
        a = NULL;
        break;
    case DDB_N_PLUS:
    case DDB_N_MINUS: {
        ddb_num na, nb, r;
        char text[DDB_NUM_TEXT_MAX];
        const char *op = n->kind == DDB_N_PLUS ? "+" : "-";

        if (!(a = set_value(n->args[0], old, err, errlen)) ||
            !(b = set_value(n->args[1], old, err, errlen)))
            break;
        if (!is_type(a, "N") || !is_type(b, "N")) {
            operand_type_err(op, is_type(a, "N") ? b : a, err, errlen);
            break;
        }
        if (ddb_num_parse(ddb_value_inner(a)->valuestring, &na, err,
                          errlen) < 0 ||
            ddb_num_parse(ddb_value_inner(b)->valuestring, &nb, err,
                          errlen) < 0)
            break;
        if ((n->kind == DDB_N_PLUS ? ddb_num_add(&na, &nb, &r, err, errlen)
                                   : ddb_num_sub(&na, &nb, &r, err,
                                                 errlen)) < 0)
            break;
        ddb_num_format(&r, text);
        res = cJSON_CreateObject();
        cJSON_AddStringToObject(res, "N", text);
        break;
    }
    default:
        snprintf(err, errlen, "%s", MSG_BAD_PATH);
        break;
    }
    cJSON_Delete(a);
    cJSON_Delete(b);
    return res;
}

/*
 * The container the last element of p lives in: the item itself or the
 * inner object of an M, or the inner array of an L.  NULL (with the
 * message) when a step on the way is missing or of the wrong type.
 */
static cJSON *parent_of(cJSON *item, const ddb_path *p, char *err,
                        size_t errlen)
{
    cJSON *cont = item;

    for (int i = 0; i < p->n - 1 && cont; i++) {
        const ddb_path_elem *e = &p->elems[i], *next = &p->elems[i + 1];
        cJSON *v = e->name ? cJSON_GetObjectItemCaseSensitive(cont, e->name)
                           : cJSON_GetArrayItem(cont, (int)e->index);

        if (!v || !is_type(v, next->name ? "M" : "L"))
            cont = NULL;
        else
            cont = cJSON_GetObjectItemCaseSensitive(v, next->name ? "M"
                                                                  : "L");
    }
    if (cont && (p->elems[p->n - 1].name ? !cJSON_IsObject(cont)
                                         : !cJSON_IsArray(cont)))
        cont = NULL;
    if (!cont)
        snprintf(err, errlen, "%s", MSG_BAD_PATH);
    return cont;
}

static cJSON *child_of(cJSON *cont, const ddb_path_elem *e)
{
    cJSON *v = e->name ? cJSON_GetObjectItemCaseSensitive(cont, e->name)
                       : cJSON_GetArrayItem(cont, (int)e->index);

    return cJSON_IsRaw(v) ? NULL : v;
}

/* Puts v (taking ownership) at the last element of a path. */
static void put(cJSON *cont, const ddb_path_elem *e, cJSON *v)
{
    if (e->name) {
        if (cJSON_GetObjectItemCaseSensitive(cont, e->name))
            cJSON_ReplaceItemInObjectCaseSensitive(cont, e->name, v);
        else
            cJSON_AddItemToObject(cont, e->name, v);
    } else if (e->index < cJSON_GetArraySize(cont)) {
        cJSON_ReplaceItemInArray(cont, (int)e->index, v);
    } else {
        cJSON_AddItemToArray(cont, v);
    }
}

/* Takes the value at the last element away (list elements: tombstone). */
static void take(cJSON *cont, const ddb_path_elem *e)
{
    if (e->name)
        cJSON_DeleteItemFromObjectCaseSensitive(cont, e->name);
    else if (e->index < cJSON_GetArraySize(cont))
        cJSON_ReplaceItemInArray(cont, (int)e->index, cJSON_CreateRaw(""));
}

static int set_has(char t, const cJSON *arr, const char *s)
{
    const cJSON *c;

    cJSON_ArrayForEach(c, arr)
        if (t == 'N' ? ddb_num_cmp_text(c->valuestring, s) == 0
                     : strcmp(c->valuestring, s) == 0)
            return 1;
    return 0;
}

static int apply_add(cJSON *cont, const ddb_path_elem *e, const cJSON *val,
                     char *err, size_t errlen)
{
    cJSON *cur = child_of(cont, e);
    const char *t = ddb_value_type(val);
    const cJSON *c;
    int rc = -1;

    if (!cur) {
        put(cont, e, cJSON_Duplicate(val, 1));
    } else if (!is_type(cur, t)) {
        snprintf(err, errlen, "%s", MSG_DATA_TYPE);
        goto out;
    } else if (strcmp(t, "N") == 0) {
        ddb_num a, b, r;
        char text[DDB_NUM_TEXT_MAX];

        if (ddb_num_parse(ddb_value_inner(cur)->valuestring, &a, err,
                          errlen) < 0 ||
            ddb_num_parse(ddb_value_inner(val)->valuestring, &b, err,
                          errlen) < 0 ||
            ddb_num_add(&a, &b, &r, err, errlen) < 0)
            goto out;
        ddb_num_format(&r, text);
        cJSON_SetValuestring(cJSON_GetObjectItemCaseSensitive(cur, "N"),
                             text);
    } else {
        cJSON *arr = cJSON_GetObjectItemCaseSensitive(cur, t);

        cJSON_ArrayForEach(c, ddb_value_inner(val))
            if (!set_has(t[0], arr, c->valuestring))
                cJSON_AddItemToArray(arr, cJSON_CreateString(c->valuestring));
    }
    rc = 0;
out:
    return rc;
}

static int apply_delete(cJSON *cont, const ddb_path_elem *e,
                        const cJSON *val, char *err, size_t errlen)
{
    cJSON *cur = child_of(cont, e), *arr, *c, *next;
    const char *t = ddb_value_type(val);
    int rc = -1;

    if (!cur) {
        rc = 0;
        goto out;
    }
    if (!is_type(cur, t)) {
        snprintf(err, errlen, "%s", MSG_DATA_TYPE);
        goto out;
    }
    arr = cJSON_GetObjectItemCaseSensitive(cur, t);
    for (c = arr->child; c; c = next) {
        next = c->next;
        if (set_has(t[0], ddb_value_inner(val), c->valuestring))
            cJSON_Delete(cJSON_DetachItemViaPointer(arr, c));
    }
    if (!arr->child)
        take(cont, e);
    rc = 0;
out:
    return rc;
}

/* Removes the tombstones REMOVE left in lists, everywhere in v. */
static void sweep(cJSON *v)
{
    cJSON *c, *next;

    for (c = v ? v->child : NULL; c; c = next) {
        next = c->next;
        if (cJSON_IsRaw(c))
            cJSON_Delete(cJSON_DetachItemViaPointer(v, c));
        else
            sweep(c);
    }
}

int ddb_expr_apply_update(const ddb_expr *e, const cJSON *item, cJSON **out,
                          char *err, size_t errlen)
{
    static const cJSON empty = {.type = cJSON_Object};
    const cJSON *old = item ? item : &empty;
    cJSON *res = cJSON_Duplicate(old, 1), **vals = NULL;
    int i, rc = -1;

    if (!e || e->kind != DDB_EXPR_UPDATE) {
        snprintf(err, errlen, "%s", MSG_BAD_PATH);
        goto out;
    }
    vals = ts_calloc((size_t)e->nactions + 1, sizeof(*vals));
    for (i = 0; i < e->nactions; i++)
        if (e->actions[i].kind == DDB_U_SET &&
            !(vals[i] = set_value(e->actions[i].value, old, err, errlen)))
            goto out;
    for (i = 0; i < e->nactions; i++) {
        const ddb_action *a = &e->actions[i];
        cJSON *cont;

        if (a->kind != DDB_U_REMOVE)
            continue;
        if (!(cont = parent_of(res, &a->path, err, errlen)))
            goto out;
        take(cont, &a->path.elems[a->path.n - 1]);
    }
    for (i = 0; i < e->nactions; i++) {
        const ddb_action *a = &e->actions[i];
        const ddb_path_elem *last = &a->path.elems[a->path.n - 1];
        cJSON *cont;

        if (a->kind == DDB_U_REMOVE)
            continue;
        if (!(cont = parent_of(res, &a->path, err, errlen)))
            goto out;
        if (a->kind == DDB_U_SET) {
            put(cont, last, vals[i]);
            vals[i] = NULL;
        } else if (a->kind == DDB_U_ADD) {
            if (apply_add(cont, last, a->value->value, err, errlen) < 0)
                goto out;
        } else if (apply_delete(cont, last, a->value->value, err,
                                errlen) < 0) {
            goto out;
        }
    }
    sweep(res);
    rc = 0;
out:
    for (i = 0; vals && i < e->nactions; i++)
        cJSON_Delete(vals[i]);
    ts_free(vals);
    if (rc < 0) {
        cJSON_Delete(res);
        res = NULL;
    }
    *out = res;
    return rc;
}
