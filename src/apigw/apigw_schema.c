/*
 * apigw_schema.c - JSON Schema draft 4, the language of a REST API's
 * models, as API Gateway's request validator applies it to a body.
 *
 * Keywords: type (one or a list; "integer" is a number without a
 * fraction), enum, multipleOf, maximum/minimum with draft 4's boolean
 * exclusiveMaximum/exclusiveMinimum (a number there is draft 6's bound),
 * maxLength/minLength (in code points), pattern (an unanchored search
 * by the template language's regex engine, which speaks Java's dialect:
 * a pattern it cannot compile, lookaround for one, is not checked),
 * items (one schema or a
 * list, with additionalItems), maxItems/minItems, uniqueItems,
 * maxProperties/minProperties, required, properties, patternProperties,
 * additionalProperties, dependencies, allOf/anyOf/oneOf/not, and $ref:
 * "#", a JSON pointer into the schema ("#/definitions/Item") or another
 * model of the API by its URL, whose last segment is the model's name
 * (https://apigateway.amazonaws.com/restapis/{id}/models/{name}).
 * format, title, description and unknown keywords are not checked, as
 * draft 4 lets a validator choose.
 *
 * Every call has a depth bound and work bounds (schema steps and value
 * comparisons in SCHEMA_MAX_WORK, regex steps and memory in the template
 * language's own limits, shared by every pattern of the check): a schema
 * that refers to itself without consuming the value, a pattern that
 * backtracks forever or uniqueItems over a huge array makes the body
 * invalid rather than hanging the request.
 */
#include "apigw_int.h"
#include "apigw_vtl_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tinystack/core.h"

#define SCHEMA_MAX_DEPTH 128    /* a level of the value or a $ref followed */
#define SCHEMA_MAX_WORK  20000000ul
#define SCHEMA_PATTERNS  64     /* compiled patterns kept for one check */

typedef struct sctx {
    apigw_schema_model_fn model;
    void *arg;
    vtl v;              /* the regex engine's context: its arena and bounds */
    struct {
        const char *text;       /* the pattern's string, in the schema */
        vtl_regex *rx;          /* NULL: it does not compile */
    } pat[SCHEMA_PATTERNS];
    int npat;
    unsigned long work;
    int broken;         /* a bound was passed */
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

/* The compiled form of pattern, a string of the schema, compiled once
 * per check; NULL when the engine cannot compile it. */
static vtl_regex *pattern_rx(sctx *s, const char *pattern)
{
    vtl_regex *rx;

    for (int i = 0; i < s->npat; i++)
        if (s->pat[i].text == pattern)
            return s->pat[i].rx;
    rx = apigw_vtl_regex_compile(&s->v, pattern, strlen(pattern), 0, 0);
    if (!rx && s->v.mem <= APIGW_VTL_MAX_MEMORY)
        s->v.failed = 0;    /* not a bound: a pattern it cannot read */
    if (s->npat < SCHEMA_PATTERNS) {
        s->pat[s->npat].text = pattern;
        s->pat[s->npat++].rx = rx;
    }
    return rx;
}

/* 1 when pattern finds a match in str (unanchored), 0 when it does not
 * (or a bound was passed: s->broken), -1 when the engine cannot compile
 * the pattern, so it is not checked. */
static int pattern_finds(sctx *s, const char *pattern, const char *str)
{
    long caps[2 * 16];
    vtl_regex *rx;
    int found;

    if (s->broken || ++s->work > SCHEMA_MAX_WORK || s->v.failed) {
        s->broken = 1;
        return 0;
    }
    if (!(rx = pattern_rx(s, pattern))) {
        if (!s->v.failed)
            return -1;
        s->broken = 1;
        return 0;
    }
    found = apigw_vtl_regex_find(&s->v, rx, str, strlen(str), 0, 0, caps);
    if (s->v.failed) {
        s->broken = 1;
        return 0;
    }
    return found;
}

/* The nodes of j, counted once per item for uniqueItems' cost. */
static unsigned long nodes(const cJSON *j)
{
    unsigned long n = 1;

    for (const cJSON *c = j->child; c; c = c->next)
        n += nodes(c);
    return n;
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
        return 0;   /* -1, a pattern it cannot read, passes */
    return 1;
}

static int check_array(sctx *s, const cJSON *root, const cJSON *schema, const cJSON *v, int depth)
{
    const cJSON *k = get(schema, "items"), *add = get(schema, "additionalItems"), *e, *f;
    const cJSON *tuple = cJSON_IsArray(k) ? k->child : NULL;
    int n = cJSON_GetArraySize(v);

    if ((f = get(schema, "maxItems")) && cJSON_IsNumber(f) && n > f->valuedouble)
        return 0;
    if ((f = get(schema, "minItems")) && cJSON_IsNumber(f) && n < f->valuedouble)
        return 0;
    cJSON_ArrayForEach(e, v) {
        const cJSON *sub = NULL;
        if (cJSON_IsObject(k)) {
            sub = k;
        } else if (cJSON_IsArray(k)) {
            /* items as a list: by position, then additionalItems */
            if (tuple) {
                sub = tuple;
                tuple = tuple->next;
            } else if (cJSON_IsFalse(add)) {
                return 0;
            } else if (cJSON_IsObject(add)) {
                sub = add;
            }
        }
        if (sub && !check(s, root, sub, e, depth + 1))
            return 0;
    }
    if (cJSON_IsTrue(get(schema, "uniqueItems")))
        for (e = v->child; e; e = e->next) {
            /* cJSON_Compare of two objects is quadratic in their members */
            unsigned long ne = nodes(e), cost = cJSON_IsObject(e) ? ne * ne : ne;
            for (f = e->next; f; f = f->next) {
                if ((s->work += cost) > SCHEMA_MAX_WORK) {
                    s->broken = 1;
                    return 0;
                }
                if (cJSON_Compare(e, f, 1))
                    return 0;
            }
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
            cJSON_ArrayForEach(p, pats) {
                int found = pattern_finds(s, p->string, m->string);
                /* -1: a pattern it cannot read claims the key, unchecked */
                matched |= found != 0;
                if (found == 1 && !check(s, root, p, m, depth + 1))
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
            if (cJSON_IsArray(p))
                cJSON_ArrayForEach(k, p)
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
    s.v.arena = ts_arena_new();
    ok = check(&s, schema, schema, value, 0);
    ts_arena_free(s.v.arena);
    return ok && !s.broken;
}
