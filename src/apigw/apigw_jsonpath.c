/*
 * apigw_jsonpath.c - the JSONPath that API Gateway's $input.path and
 * $input.json take (Goessner's, as Jayway's library reads it): "$" and
 * then steps, each .name, ['name'] or ["name"], [n] (negative from the
 * end), [*] or .*, [a,b] unions of names or indexes, [start:end] slices,
 * and ..name / ..* / ..[...] recursive descent.
 *
 * A path is walked as a set of current nodes, a step at a time.  Like
 * Jayway, a definite path (names and single indexes only) answers the
 * one value it names, or nothing; any other answers an array of all it
 * matched, empty when nothing did.  The node set is capped, so "$..*..*"
 * on a big document fails instead of growing without end.  Filters
 * [?(...)] and scripts [(...)] are refused.
 */
#include "apigw_vtl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NODES 100000

typedef struct jp {
    const char *p;
    const cJSON **cur, **next;
    size_t ncur, nnext, cap;
    int definite;
    char *err;
    size_t errlen;
    int failed;
} jp;

static void jp_fail(jp *j, const char *what)
{
    if (j->failed)
        return;
    j->failed = 1;
    if (j->errlen)
        snprintf(j->err, j->errlen, "JSONPath: %s", what);
}

static void add(jp *j, const cJSON *n)
{
    if (j->failed)
        return;
    if (j->nnext == MAX_NODES) {
        jp_fail(j, "too many matches");
        return;
    }
    if (j->nnext == j->cap) {
        size_t cap = j->cap ? j->cap * 2 : 16;
        j->next = ts_realloc(j->next, cap * sizeof(*j->next));
        j->cur = ts_realloc(j->cur, cap * sizeof(*j->cur));
        j->cap = cap;
    }
    j->next[j->nnext++] = n;
}

/* The step's results become the current nodes. */
static void advance(jp *j)
{
    const cJSON **t = j->cur;

    j->cur = j->next;
    j->next = t;
    j->ncur = j->nnext;
    j->nnext = 0;
}

static void add_children(jp *j, const cJSON *n)
{
    if (cJSON_IsArray(n) || cJSON_IsObject(n))
        for (const cJSON *c = n->child; c; c = c->next)
            add(j, c);
}

static void add_member(jp *j, const cJSON *n, const char *name, size_t len)
{
    if (!cJSON_IsObject(n))
        return;
    for (const cJSON *c = n->child; c; c = c->next)
        if (c->string && strlen(c->string) == len &&
            !memcmp(c->string, name, len)) {
            add(j, c);
            return;
        }
}

static void add_index(jp *j, const cJSON *n, long i)
{
    int size;

    if (!cJSON_IsArray(n))
        return;
    size = cJSON_GetArraySize(n);
    if (i < 0)
        i += size;
    if (i >= 0 && i < size)
        add(j, cJSON_GetArrayItem(n, (int)i));
}

static void add_slice(jp *j, const cJSON *n, long lo, long hi, int has_lo,
                      int has_hi)
{
    int size;

    if (!cJSON_IsArray(n))
        return;
    size = cJSON_GetArraySize(n);
    if (!has_lo)
        lo = 0;
    if (!has_hi)
        hi = size;
    if (lo < 0)
        lo += size;
    if (hi < 0)
        hi += size;
    lo = lo < 0 ? 0 : lo;
    hi = hi > size ? size : hi;
    long i = 0;
    for (const cJSON *c = n->child; c && i < hi && !j->failed; c = c->next)
        if (i++ >= lo)
            add(j, c);
}

/* n and everything under it, for "..". */
static void add_descendants(jp *j, const cJSON *n)
{
    add(j, n);
    if (cJSON_IsArray(n) || cJSON_IsObject(n))
        for (const cJSON *c = n->child; c && !j->failed; c = c->next)
            add_descendants(j, c);
}

static int name_char(int c)
{
    return c && c != '.' && c != '[' && c != ' ';
}

/* A quoted name at j->p; out and len point into the path (escapes are
 * kept out by refusing them). */
static int quoted(jp *j, const char **out, size_t *len)
{
    char q = *j->p++;
    const char *s = j->p;

    while (*j->p && *j->p != q) {
        if (*j->p == '\\') {
            jp_fail(j, "escapes in quoted names are not supported");
            return -1;
        }
        j->p++;
    }
    if (*j->p != q) {
        jp_fail(j, "unterminated quoted name");
        return -1;
    }
    *out = s;
    *len = (size_t)(j->p - s);
    j->p++;
    return 0;
}

static void skip_blank(jp *j)
{
    while (*j->p == ' ')
        j->p++;
}

static int number(jp *j, long *out)
{
    char *end;

    *out = strtol(j->p, &end, 10);
    if (end == j->p)
        return 0;
    j->p = end;
    return 1;
}

/* One bracket selector list, j->p past '['; applied to every current
 * node. */
static void bracket(jp *j)
{
    long a, b;
    int has_a, has_b;

    skip_blank(j);
    if (*j->p == '?' || *j->p == '(') {
        jp_fail(j, "filters and scripts are not supported");
        return;
    }
    if (*j->p == '*') {
        j->p++;
        skip_blank(j);
        if (*j->p != ']')
            jp_fail(j, "expected ']'");
        j->p++;
        j->definite = 0;
        for (size_t i = 0; i < j->ncur; i++)
            add_children(j, j->cur[i]);
        return;
    }
    for (;;) {
        const char *name;
        size_t len;
        skip_blank(j);
        if (*j->p == '\'' || *j->p == '"') {
            if (quoted(j, &name, &len) < 0)
                return;
            for (size_t i = 0; i < j->ncur; i++)
                add_member(j, j->cur[i], name, len);
        } else {
            has_a = number(j, &a);
            skip_blank(j);
            if (*j->p == ':') {
                j->p++;
                skip_blank(j);
                has_b = number(j, &b);
                j->definite = 0;
                for (size_t i = 0; i < j->ncur; i++)
                    add_slice(j, j->cur[i], a, b, has_a, has_b);
            } else if (has_a) {
                for (size_t i = 0; i < j->ncur; i++)
                    add_index(j, j->cur[i], a);
            } else {
                jp_fail(j, "expected a name, an index or '*' in brackets");
                return;
            }
        }
        skip_blank(j);
        if (*j->p == ',') {
            j->p++;
            j->definite = 0;
            continue;
        }
        if (*j->p != ']') {
            jp_fail(j, "expected ']'");
            return;
        }
        j->p++;
        break;
    }
}

/* A dotted name (or '*') at j->p, applied to every current node. */
static void dotted(jp *j)
{
    const char *s = j->p;

    if (*j->p == '*') {
        j->p++;
        j->definite = 0;
        for (size_t i = 0; i < j->ncur; i++)
            add_children(j, j->cur[i]);
        return;
    }
    while (name_char((unsigned char)*j->p))
        j->p++;
    if (j->p == s) {
        jp_fail(j, "expected a name after '.'");
        return;
    }
    for (size_t i = 0; i < j->ncur; i++)
        add_member(j, j->cur[i], s, (size_t)(j->p - s));
}

static void walk(jp *j)
{
    while (*j->p && !j->failed) {
        if (*j->p == ' ') {   /* blanks may trail the path */
            skip_blank(j);
            if (!*j->p)
                break;
            jp_fail(j, "a blank inside the path");
            break;
        }
        if (j->p[0] == '.' && j->p[1] == '.') {
            j->p += 2;
            j->definite = 0;
            for (size_t i = 0; i < j->ncur && !j->failed; i++)
                add_descendants(j, j->cur[i]);
            advance(j);
            if (*j->p == '[') {
                j->p++;
                bracket(j);
            } else {
                dotted(j);
            }
        } else if (*j->p == '.') {
            j->p++;
            dotted(j);
        } else if (*j->p == '[') {
            j->p++;
            bracket(j);
        } else {
            jp_fail(j, "expected '.' or '['");
            break;
        }
        advance(j);
    }
}

int apigw_jsonpath_eval(const cJSON *root, const char *path, cJSON **out,
                        char *err, size_t errlen)
{
    jp j;
    int rc = -1;

    memset(&j, 0, sizeof(j));
    j.err = err;
    j.errlen = errlen;
    j.definite = 1;
    *out = NULL;
    if (errlen)
        err[0] = '\0';
    j.p = path ? path : "";
    while (*j.p == ' ')
        j.p++;
    if (*j.p != '$') {
        jp_fail(&j, "a path starts with '$'");
        goto out;
    }
    j.p++;
    if (root)
        add(&j, root);
    advance(&j);
    walk(&j);
    if (j.failed)
        goto out;
    if (j.definite) {
        *out = j.ncur ? cJSON_Duplicate(j.cur[0], 1) : NULL;
    } else {
        *out = cJSON_CreateArray();
        for (size_t i = 0; i < j.ncur; i++)
            cJSON_AddItemToArray(*out, cJSON_Duplicate(j.cur[i], 1));
    }
    rc = 0;
out:
    ts_free(j.cur);
    ts_free(j.next);
    return rc;
}

cJSON *apigw_jsonpath(const cJSON *root, const char *path)
{
    cJSON *out = NULL;

    if (apigw_jsonpath_eval(root, path, &out, NULL, 0) < 0)
        return NULL;
    return out;
}
