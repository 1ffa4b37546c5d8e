/*
 * apigw_schema.c - JSON Schema draft 4, the language of a REST API's
 * models, as API Gateway's request validator applies it to a body.
 *
 * Keywords: type (one or a list; "integer" is a number without a
 * fraction), enum, multipleOf, maximum/minimum with draft 4's boolean
 * exclusiveMaximum/exclusiveMinimum (a number there is draft 6's bound),
 * maxLength/minLength (in code points), pattern (an unanchored search,
 * by the template language's regex engine), items (one schema or a
 * list, with additionalItems), maxItems/minItems, uniqueItems,
 * maxProperties/minProperties, required, properties, patternProperties,
 * additionalProperties, dependencies, allOf/anyOf/oneOf/not, and $ref:
 * "#", a JSON pointer into the schema ("#/definitions/Item") or another
 * model of the API by its URL, whose last segment is the model's name
 * (https://apigateway.amazonaws.com/restapis/{id}/models/{name}).
 * format, title, description and unknown keywords are not checked, as
 * draft 4 lets a validator choose.
 *
 * Every call has a depth bound and a work bound: a schema that refers to
 * itself without consuming the value, or a pattern that backtracks
 * forever, makes the body invalid rather than hanging the request.
 */
#include "apigw_int.h"
#include "apigw_vtl_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tinystack/core.h"

#define SCHEMA_MAX_DEPTH 64
#define SCHEMA_MAX_WORK  200000

typedef struct sctx {
    apigw_schema_model_fn model;
    void *arg;
    ts_arena *arena;
    unsigned long work;
    int broken;         /* a bound was passed or a pattern did not compile */
} sctx;

static int check(sctx *s, const cJSON *root, const cJSON *schema, const cJSON *v, int depth);

static const cJSON *get(const cJSON *o, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(o, name);
}

/* The schema a JSON pointer ("/definitions/a~1b") names inside root. */
static const cJSON *pointer(const cJSON *root, const char *p)
{
    const cJSON *at = root;
    char seg[256];

    while (at && *p == '/') {
        size_t n = 0;
        p++;
        while (*p && *p != '/' && n + 1 < sizeof(seg)) {
            if (p[0] == '~' && (p[1] == '0' || p[1] == '1')) {
                seg[n++] = p[1] == '0' ? '~' : '/';
                p += 2;
            } else
                seg[n++] = *p++;
        }
        seg[n] = '\0';
        if (cJSON_IsArray(at)) {
            char *end;
            long i = strtol(seg, &end, 10);
            at = *seg && !*end ? cJSON_GetArrayItem(at, (int)i) : NULL;
        } else
            at = get(at, seg);
    }
    return *p ? NULL : at;
}

/* Follows $ref: the schema it names, with *root set to the document its
 * own refs resolve in; NULL when it names nothing. */
static const cJSON *resolve(sctx *s, const cJSON **root, const char *ref)
{
    const char *hash = strchr(ref, '#'), *slash;
    char name[256];
    size_t n;

    if (ref[0] == '#')
        return pointer(*root, ref + 1);
    n = hash ? (size_t)(hash - ref) : strlen(ref);
    while (n && ref[n - 1] == '/')
        n--;
    for (slash = ref + n; slash > ref && slash[-1] != '/'; slash--)
        ;
    if (!s->model || (size_t)(ref + n - slash) >= sizeof(name))
        return NULL;
    memcpy(name, slash, (size_t)(ref + n - slash));
    name[ref + n - slash] = '\0';
    if (!(*root = s->model(s->arg, name)))
        return NULL;
    return hash ? pointer(*root, hash + 1) : *root;
}

static int is_type(const cJSON *v, const char *t)
{
    if (!strcmp(t, "object"))
        return cJSON_IsObject(v);
    if (!strcmp(t, "array"))
        return cJSON_IsArray(v);
    if (!strcmp(t, "string"))
        return cJSON_IsString(v);
    if (!strcmp(t, "boolean"))
        return cJSON_IsBool(v);
    if (!strcmp(t, "null"))
        return cJSON_IsNull(v);
    if (!strcmp(t, "number"))
        return cJSON_IsNumber(v);
    if (!strcmp(t, "integer"))
        return cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
               floor(v->valuedouble) == v->valuedouble;
    return 0;
}

static size_t code_points(const char *p)
{
    size_t n = 0;

    for (; *p; p++)
        n += ((unsigned char)*p & 0xC0) != 0x80;
    return n;
}

/* 1 when pattern (ECMA 262, unanchored) finds a match in str. */
static int pattern_finds(sctx *s, const char *pattern, const char *str)
{
    vtl v;
    vtl_regex *rx;
    long caps[2 * 32];
    int found;

    memset(&v, 0, sizeof(v));
    v.arena = s->arena;
    rx = apigw_vtl_regex_compile(&v, pattern, strlen(pattern), 0, 0);
    s->work += 64; /* a compile is work too */
    if (!rx || apigw_vtl_regex_groups(rx) >= 31) {
        s->broken = 1;
        return 0;
    }
    found = apigw_vtl_regex_find(&v, rx, str, strlen(str), 0, 0, caps);
    if (v.failed)
        s->broken = 1;
    s->work += v.regex_work / 64;
    return found && !v.failed;
}

static int check_number(const cJSON *schema, double x)
{
    const cJSON *k, *ex;

    if ((k = get(schema, "multipleOf")) && cJSON_IsNumber(k) && k->valuedouble > 0) {
        double q = x / k->valuedouble;
        if (!isfinite(q) || fabs(q - nearbyint(q)) > 1e-9 * fmax(1.0, fabs(q)))
            return 0;
    }
    if ((k = get(schema, "maximum")) && cJSON_IsNumber(k)) {
        ex = get(schema, "exclusiveMaximum");
        if (cJSON_IsTrue(ex) ? x >= k->valuedouble : x > k->valuedouble)
            return 0;
    }
    if ((ex = get(schema, "exclusiveMaximum")) && cJSON_IsNumber(ex) && x >= ex->valuedouble)
        return 0;
    if ((k = get(schema, "minimum")) && cJSON_IsNumber(k)) {
        ex = get(schema, "exclusiveMinimum");
        if (cJSON_IsTrue(ex) ? x <= k->valuedouble : x < k->valuedouble)
            return 0;
    }
    if ((ex = get(schema, "exclusiveMinimum")) && cJSON_IsNumber(ex) && x <= ex->valuedouble)
        return 0;
    return 1;
}

static int check_string(sctx *s, const cJSON *schema, const char *str)
{
    const cJSON *k;
    size_t n = code_points(str);

    if ((k = get(schema, "maxLength")) && cJSON_IsNumber(k) && (double)n > k->valuedouble)
        return 0;
    if ((k = get(schema, "minLength")) && cJSON_IsNumber(k) && (double)n < k->valuedouble)
        return 0;
    if ((k = get(schema, "pattern")) && cJSON_IsString(k) && !pattern_finds(s, k->valuestring, str))
        return 0;
    return 1;
}

static int check_array(sctx *s, const cJSON *root, const cJSON *schema, const cJSON *v, int depth)
{
    const cJSON *k = get(schema, "items"), *add = get(schema, "additionalItems"), *e, *f;
    int n = cJSON_GetArraySize(v), i = 0;

    if ((f = get(schema, "maxItems")) && cJSON_IsNumber(f) && n > f->valuedouble)
        return 0;
    if ((f = get(schema, "minItems")) && cJSON_IsNumber(f) && n < f->valuedouble)
        return 0;
    cJSON_ArrayForEach(e, v) {
        const cJSON *sub = NULL;
        if (cJSON_IsObject(k))
            sub = k;
        else if (cJSON_IsArray(k))
            sub = i < cJSON_GetArraySize(k) ? cJSON_GetArrayItem(k, i)
                  : cJSON_IsObject(add) ? add : NULL;
        if (cJSON_IsArray(k) && i >= cJSON_GetArraySize(k) && cJSON_IsFalse(add))
            return 0;
        if (sub && !check(s, root, sub, e, depth + 1))
            return 0;
        i++;
    }
    if (cJSON_IsTrue(get(schema, "uniqueItems")))
        for (e = v ? v->child : NULL; e; e = e->next)
            for (f = e->next; f; f = f->next) {
                if (++s->work > SCHEMA_MAX_WORK) {
                    s->broken = 1;
                    return 0;
                }
                if (cJSON_Compare(e, f, 1))
                    return 0;
            }
    return 1;
}

static int check_object(sctx *s, const cJSON *root, const cJSON *schema, const cJSON *v, int depth)
{
    const cJSON *props = get(schema, "properties"), *pats = get(schema, "patternProperties");
    const cJSON *add = get(schema, "additionalProperties"), *deps = get(schema, "dependencies");
    const cJSON *k, *m;
    int n = cJSON_GetArraySize(v);

    if ((k = get(schema, "maxProperties")) && cJSON_IsNumber(k) && n > k->valuedouble)
        return 0;
    if ((k = get(schema, "minProperties")) && cJSON_IsNumber(k) && n < k->valuedouble)
        return 0;
    cJSON_ArrayForEach(k, get(schema, "required"))
        if (cJSON_IsString(k) && !get(v, k->valuestring))
            return 0;
    cJSON_ArrayForEach(m, v) {
        const cJSON *sub = cJSON_IsObject(props) ? get(props, m->string) : NULL, *p;
        int matched = sub != NULL;
        if (sub && !check(s, root, sub, m, depth + 1))
            return 0;
        if (cJSON_IsObject(pats))
            cJSON_ArrayForEach(p, pats)
                if (pattern_finds(s, p->string, m->string)) {
                    matched = 1;
                    if (!check(s, root, p, m, depth + 1))
                        return 0;
                }
        if (s->broken)
            return 0;
        if (!matched && (cJSON_IsFalse(add) ||
                         (cJSON_IsObject(add) && !check(s, root, add, m, depth + 1))))
            return 0;
        if ((p = cJSON_IsObject(deps) ? get(deps, m->string) : NULL)) {
            if (cJSON_IsObject(p) && !check(s, root, p, v, depth + 1))
                return 0;
            cJSON_ArrayForEach(k, p) /* an object's members are not strings */
                if (cJSON_IsString(k) && !get(v, k->valuestring))
                    return 0;
        }
    }
    return 1;
}

static int check(sctx *s, const cJSON *root, const cJSON *schema, const cJSON *v, int depth)
{
    const cJSON *k, *e;
    int ok, count;

    if (depth > SCHEMA_MAX_DEPTH || ++s->work > SCHEMA_MAX_WORK) {
        s->broken = 1;
        return 0;
    }
    if (cJSON_IsTrue(schema) || !cJSON_IsObject(schema))
        return !cJSON_IsFalse(schema);
    if ((k = get(schema, "$ref")) && cJSON_IsString(k)) {
        const cJSON *r = root, *sub = resolve(s, &r, k->valuestring);
        /* draft 4: $ref replaces the schema it stands in */
        return sub && check(s, r, sub, v, depth + 1);
    }
    if ((k = get(schema, "type"))) {
        ok = 0;
        if (cJSON_IsString(k))
            ok = is_type(v, k->valuestring);
        cJSON_ArrayForEach(e, k) /* a string has no children */
            ok |= cJSON_IsString(e) && is_type(v, e->valuestring);
        if (!ok)
            return 0;
    }
    if ((k = get(schema, "enum")) && cJSON_IsArray(k)) {
        ok = 0;
        cJSON_ArrayForEach(e, k)
            if (cJSON_Compare(e, v, 1)) {
                ok = 1;
                break;
            }
        if (!ok)
            return 0;
    }
    if (cJSON_IsNumber(v) && !check_number(schema, v->valuedouble))
        return 0;
    if (cJSON_IsString(v) && !check_string(s, schema, v->valuestring))
        return 0;
    if (cJSON_IsArray(v) && !check_array(s, root, schema, v, depth))
        return 0;
    if (cJSON_IsObject(v) && !check_object(s, root, schema, v, depth))
        return 0;
    cJSON_ArrayForEach(e, get(schema, "allOf"))
        if (!check(s, root, e, v, depth + 1))
            return 0;
    if ((k = get(schema, "anyOf")) && cJSON_IsArray(k)) {
        ok = 0;
        cJSON_ArrayForEach(e, k)
            if (check(s, root, e, v, depth + 1)) {
                ok = 1;
                break;
            }
        if (!ok || s->broken)
            return 0;
    }
    if ((k = get(schema, "oneOf")) && cJSON_IsArray(k)) {
        count = 0;
        cJSON_ArrayForEach(e, k)
            count += check(s, root, e, v, depth + 1);
        if (count != 1 || s->broken)
            return 0;
    }
    if ((k = get(schema, "not")) && check(s, root, k, v, depth + 1))
        return 0;
    return !s->broken;
}

int apigw_schema_valid(const cJSON *schema, const cJSON *value, apigw_schema_model_fn model,
                       void *arg)
{
    sctx s;
    int ok;

    memset(&s, 0, sizeof(s));
    s.model = model;
    s.arg = arg;
    s.arena = ts_arena_new();
    ok = check(&s, schema, schema, value, 0);
    ts_arena_free(s.arena);
    return ok && !s.broken;
}
