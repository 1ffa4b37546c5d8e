/*
 * model_query.c - the query protocol's input (IAM, STS) checked against
 * the model.  The form arguments arrive flat ("Tags.member.1.Key" = "k",
 * "Attributes.entry.2.value" = "v", "MaxItems" = "10"), all strings; this
 * file shapes them into the JSON the validator of model.c reads (lists
 * from .member.N, maps from .entry.N.key/.value, structures from dotted
 * names, numbers and booleans converted by the member's type), then runs
 * it.  Names the operation's input does not have are ignored, as AWS
 * does (Action, Version).
 *
 * While the tree is built, a list or a map is an object keyed by its
 * 1-based index; finish() turns those into arrays (and maps) in index
 * order.  An index past MAX_INDEX is refused: no query input in these
 * models holds that many, and it bounds the work an input can ask for.
 */
#include "model_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinystack/core.h"

#define MAX_INDEX 1000
#define MAX_DEPTH 32

typedef struct qctx {
    const ts_model_service *svc;
    char *err;              /* the first value that did not convert */
    const char *key;        /* the form name being placed */
} qctx;

static const ts_model_shape *shape_of(const qctx *q, unsigned i)
{
    return &q->svc->shapes[i];
}

/* The member of structure shape named by the n bytes at name, or NULL. */
static const ts_model_member *member_of(const qctx *q, unsigned shape, const char *name,
                                        size_t n)
{
    const ts_model_shape *s = shape_of(q, shape);

    for (unsigned k = 0; k < s->count; k++) {
        const ts_model_member *m = &q->svc->members[s->first + k];
        const char *mn = q->svc->strs + m->name;
        if (strlen(mn) == n && !memcmp(mn, name, n))
            return m;
    }
    return NULL;
}

static void fail(qctx *q, const char *value, const char *what)
{
    char buf[512];

    if (q->err)
        return;
    snprintf(buf, sizeof(buf), "Invalid value '%.200s' for parameter %.200s: %s", value,
             q->key, what);
    q->err = ts_strdup(buf);
}

/* The JSON value of a scalar of shape's type; NULL (and q->err set) when
 * value does not convert. */
static cJSON *scalar(qctx *q, const ts_model_shape *s, const char *value)
{
    char *end;

    switch (s->type) {
    case TS_MT_INTEGER:
    case TS_MT_LONG: {
        long long v;
        errno = 0;
        v = strtoll(value, &end, 10);
        if (!*value || *end || errno) {
            fail(q, value, "not an integer");
            return NULL;
        }
        return cJSON_CreateNumber((double)v);
    }
    case TS_MT_DOUBLE:
    case TS_MT_FLOAT: {
        double d = strtod(value, &end);
        if (!*value || *end) {
            fail(q, value, "not a number");
            return NULL;
        }
        return cJSON_CreateNumber(d);
    }
    case TS_MT_BOOLEAN:
        if (ts_strieq(value, "true"))
            return cJSON_CreateTrue();
        if (ts_strieq(value, "false"))
            return cJSON_CreateFalse();
        fail(q, value, "not a boolean");
        return NULL;
    case TS_MT_TIMESTAMP: {
        int64_t ms;
        if (ts_time_parse(value, &ms) != 0) {
            fail(q, value, "not a timestamp");
            return NULL;
        }
        return cJSON_CreateNumber((double)ms / 1000.0);
    }
    default:
        return cJSON_CreateString(value);
    }
}

/* Reads "<digits>" (1..MAX_INDEX) at *p, up to '.' or the end; advances
 * *p past it and returns the index, or 0 when it is not one. */
static int index_at(const char **p)
{
    const char *s = *p;
    long v = 0;

    if (*s < '1' || *s > '9')
        return 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        v = v * 10 + (*s - '0');
        if (v > MAX_INDEX)
            return 0;
    }
    if (*s && *s != '.')
        return 0;
    *p = s;
    return (int)v;
}

/* The child of obj named name, made (an object) when absent; NULL when
 * a child of that name is not an object. */
static cJSON *child_object(cJSON *obj, const char *name)
{
    cJSON *c = cJSON_GetObjectItemCaseSensitive(obj, name);

    if (!c)
        return cJSON_AddObjectToObject(obj, name);
    return cJSON_IsObject(c) ? c : NULL;
}

static void place(qctx *q, unsigned shape, cJSON *holder, const char *name, const char *rest,
                  const char *value, int depth);

/* rest ("Member" or "Member.more") inside the structure held in obj. */
static void place_member(qctx *q, unsigned shape, cJSON *obj, const char *rest,
                         const char *value, int depth)
{
    const char *dot = strchr(rest, '.');
    size_t n = dot ? (size_t)(dot - rest) : strlen(rest);
    const ts_model_member *m = member_of(q, shape, rest, n);

    if (m)
        place(q, m->shape, obj, q->svc->strs + m->name, dot ? dot + 1 : "", value, depth + 1);
}

/* Puts value into the node of shape that holder holds under name, at the
 * rest of its form name ("" for the node itself). */
static void place(qctx *q, unsigned shape, cJSON *holder, const char *name, const char *rest,
                  const char *value, int depth)
{
    const ts_model_shape *s = shape_of(q, shape);
    cJSON *node;
    char idx[16];
    int i;

    if (depth > MAX_DEPTH)
        return;
    switch (s->type) {
    case TS_MT_STRUCTURE:
    case TS_MT_UNION:
        if (*rest && (node = child_object(holder, name)))
            place_member(q, shape, node, rest, value, depth);
        break;
    case TS_MT_LIST:
        if (!*rest) { /* "Tags=": the empty list */
            child_object(holder, name);
            break;
        }
        if (strncmp(rest, "member.", 7) != 0)
            break;
        rest += 7;
        if (!(i = index_at(&rest)) || !(node = child_object(holder, name)))
            break;
        snprintf(idx, sizeof(idx), "%d", i);
        place(q, s->first, node, idx, *rest ? rest + 1 : "", value, depth + 1);
        break;
    case TS_MT_MAP: {
        cJSON *entry;
        if (!*rest) {
            child_object(holder, name);
            break;
        }
        if (strncmp(rest, "entry.", 6) != 0)
            break;
        rest += 6;
        if (!(i = index_at(&rest)) || *rest != '.' || !(node = child_object(holder, name)))
            break;
        rest++;
        snprintf(idx, sizeof(idx), "%d", i);
        if (!(entry = child_object(node, idx)))
            break;
        if (!strcmp(rest, "key"))
            place(q, s->first, entry, "key", "", value, depth + 1);
        else if (!strncmp(rest, "value", 5) && (!rest[5] || rest[5] == '.'))
            place(q, s->value, entry, "value", rest[5] ? rest + 6 : "", value, depth + 1);
        break;
    }
    default:
        if (!*rest && !cJSON_GetObjectItemCaseSensitive(holder, name)) {
            cJSON *v = scalar(q, s, value);
            if (v)
                cJSON_AddItemToObject(holder, name, v);
        }
        break;
    }
}

static int cmp_index(const void *a, const void *b)
{
    int x = atoi((*(cJSON *const *)a)->string), y = atoi((*(cJSON *const *)b)->string);

    return (x > y) - (x < y);
}

/* The children of an index-keyed object, detached, in index order; the
 * array (ts_malloc'd) and its length. */
static cJSON **by_index(cJSON *obj, int *n)
{
    int count = cJSON_GetArraySize(obj), k = 0;
    cJSON **v = ts_malloc(sizeof(*v) * (size_t)(count ? count : 1));

    while (obj->child)
        v[k++] = cJSON_DetachItemViaPointer(obj, obj->child);
    qsort(v, (size_t)k, sizeof(*v), cmp_index);
    *n = k;
    return v;
}

/* Returns f, the node finish() made of old, deleting old when f is a
 * new one (old is detached). */
static cJSON *kept(cJSON *f, cJSON *old)
{
    if (f != old)
        cJSON_Delete(old);
    return f;
}

/* Turns the built node of shape into what the validator reads; returns
 * the node to keep: j itself, or a new one that replaces it (j is left
 * as it is, emptied, for the caller to drop). */
static cJSON *finish(qctx *q, unsigned shape, cJSON *j, int depth)
{
    const ts_model_shape *s = shape_of(q, shape);
    cJSON *out, **v;
    int n;

    if (depth > MAX_DEPTH)
        return j;
    switch (s->type) {
    case TS_MT_STRUCTURE:
    case TS_MT_UNION:
        for (cJSON *c = j->child; c; c = c->next) {
            const ts_model_member *m = member_of(q, shape, c->string, strlen(c->string));
            cJSON *f = m ? finish(q, m->shape, c, depth + 1) : c;
            if (f != c) { /* c goes, f takes its name and place */
                cJSON_ReplaceItemInObjectCaseSensitive(j, c->string, f);
                c = f;
            }
        }
        return j;
    case TS_MT_LIST:
        out = cJSON_CreateArray();
        v = by_index(j, &n);
        for (int k = 0; k < n; k++)
            cJSON_AddItemToArray(out, kept(finish(q, s->first, v[k], depth + 1), v[k]));
        ts_free(v);
        return out;
    case TS_MT_MAP:
        out = cJSON_CreateObject();
        v = by_index(j, &n);
        for (int k = 0; k < n; k++) {
            cJSON *key = cJSON_GetObjectItemCaseSensitive(v[k], "key");
            cJSON *val = cJSON_DetachItemFromObjectCaseSensitive(v[k], "value");
            if (cJSON_IsString(key) && val &&
                !cJSON_GetObjectItemCaseSensitive(out, key->valuestring))
                cJSON_AddItemToObject(out, key->valuestring,
                                      kept(finish(q, s->value, val, depth + 1), val));
            else
                cJSON_Delete(val);
            cJSON_Delete(v[k]);
        }
        ts_free(v);
        return out;
    default:
        return j;
    }
}

int ts_model_validate_query(const ts_model_op *op, const cJSON *flat, ts_model_error *out)
{
    qctx q;
    cJSON *in;
    int rc;

    out->kind = TS_MODEL_OK;
    out->message = NULL;
    if (!op || op->input < 0 || !flat)
        return 0;
    memset(&q, 0, sizeof(q));
    q.svc = op->service;
    in = cJSON_CreateObject();
    for (const cJSON *c = flat->child; c; c = c->next) {
        if (!c->string || !cJSON_IsString(c))
            continue;
        q.key = c->string;
        place_member(&q, (unsigned)op->input, in, c->string, c->valuestring, 0);
    }
    in = kept(finish(&q, (unsigned)op->input, in, 0), in);
    if (q.err) {
        out->kind = TS_MODEL_VALIDATION;
        out->message = q.err;
        rc = -1;
    } else {
        rc = ts_model_validate(op, in, out);
    }
    cJSON_Delete(in);
    return rc;
}
