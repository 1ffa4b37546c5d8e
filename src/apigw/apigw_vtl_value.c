/*
 * apigw_vtl_value.c - the values of a mapping template: null, booleans,
 * integers (Java's Integer/Long, here int64), doubles, strings, lists,
 * maps and lazy ranges.  Memory comes from the rendering's arena and is
 * counted, so a template that builds without end fails instead of eating
 * the host.  Maps keep insertion order (Velocity's maps and API Gateway's
 * JSON objects are LinkedHashMaps) and grow an open-addressed index once
 * they pass a handful of keys, so big JSON objects stay cheap to search.
 *
 * Printing follows Java, since that is what API Gateway runs: a map is
 * {a=1, b=x}, a list [1, 2], a double as Double.toString (2.0, 0.99,
 * 1.0E10).  One exception, which API Gateway shows: a list that came from
 * JSON ($input.path, $util.parseJson) prints as compact JSON, inside and
 * out, while a JSON object still prints as a Java map.
 *
 * JSON numbers become integers when they are whole (cJSON keeps no
 * source text, so "2.0" in a body prints as 2, where API Gateway would
 * print 2.0).
 */
#include "apigw_vtl_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deeper (or cyclic) values fail to print or compare.  JSON from cJSON
 * stops at 1000 levels, so any body still prints; the recursion stays a
 * few hundred KiB of stack. */
#define PRINT_DEPTH 1100

void *apigw_vtl_alloc(vtl *v, size_t n)
{
    v->mem += n + 16;
    if (v->mem > APIGW_VTL_MAX_MEMORY && !v->failed)
        apigw_vtl_fail(v, "the template used more than %u MiB",
                       APIGW_VTL_MAX_MEMORY >> 20);
    return ts_arena_alloc(v->arena, n);
}

vtl_val apigw_vtl_null(void)
{
    vtl_val x;

    memset(&x, 0, sizeof(x));
    x.type = VT_NULL;
    return x;
}

vtl_val apigw_vtl_bool(int b)
{
    vtl_val x = apigw_vtl_null();

    x.type = VT_BOOL;
    x.u.b = !!b;
    return x;
}

vtl_val apigw_vtl_int(int64_t i)
{
    vtl_val x = apigw_vtl_null();

    x.type = VT_INT;
    x.u.i = i;
    return x;
}

vtl_val apigw_vtl_double(double d)
{
    vtl_val x = apigw_vtl_null();

    x.type = VT_DOUBLE;
    x.u.d = d;
    return x;
}

vtl_val apigw_vtl_str(vtl *v, const char *p, size_t n)
{
    vtl_val x = apigw_vtl_null();
    char *s;

    if (n > APIGW_VTL_MAX_STRING) {
        apigw_vtl_fail(v, "a string grew past %u MiB",
                       APIGW_VTL_MAX_STRING >> 20);
        n = 0;
    }
    s = apigw_vtl_alloc(v, n + 1);
    if (n)
        memcpy(s, p, n);
    s[n] = '\0';
    x.type = VT_STR;
    x.u.s.p = s;
    x.u.s.n = n;
    return x;
}

vtl_val apigw_vtl_str_buf(vtl *v, ts_buf *b)
{
    vtl_val x = apigw_vtl_str(v, b->data ? b->data : "", b->len);

    ts_buf_reset(b);
    return x;
}

vtl_val apigw_vtl_list_val(vtl_list *l)
{
    vtl_val x = apigw_vtl_null();

    x.type = VT_LIST;
    x.u.l = l;
    return x;
}

vtl_val apigw_vtl_map_val(vtl_map *m)
{
    vtl_val x = apigw_vtl_null();

    x.type = VT_MAP;
    x.u.m = m;
    return x;
}

/* ---- lists ---- */

vtl_list *apigw_vtl_list_new(vtl *v)
{
    vtl_list *l = apigw_vtl_alloc(v, sizeof(*l));

    memset(l, 0, sizeof(*l));
    return l;
}

void apigw_vtl_list_push(vtl *v, vtl_list *l, vtl_val x)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4;
        vtl_val *items = apigw_vtl_alloc(v, cap * sizeof(*items));

        if (l->n)
            memcpy(items, l->items, l->n * sizeof(*items));
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = x;
}

/* ---- maps ---- */

vtl_map *apigw_vtl_map_new(vtl *v)
{
    vtl_map *m = apigw_vtl_alloc(v, sizeof(*m));

    memset(m, 0, sizeof(*m));
    return m;
}

static uint32_t hash_key(const char *k, size_t n)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 16777619u;
    return h;
}

static void index_add(vtl_map *m, size_t e)
{
    size_t mask = m->idxcap - 1;
    size_t i = hash_key(m->ents[e].k, m->ents[e].klen) & mask;

    while (m->idx[i])
        i = (i + 1) & mask;
    m->idx[i] = (uint32_t)(e + 1);
}

/* Rebuilds the index for the current entries, big enough to stay at most
 * half full. */
static void index_build(vtl *v, vtl_map *m)
{
    size_t cap = 16;

    while (cap < m->n * 2 + 2)
        cap *= 2;
    m->idx = apigw_vtl_alloc(v, cap * sizeof(*m->idx));
    memset(m->idx, 0, cap * sizeof(*m->idx));
    m->idxcap = cap;
    for (size_t e = 0; e < m->n; e++)
        index_add(m, e);
}

static long find_key(const vtl_map *m, const char *k, size_t klen)
{
    if (!m->idx) {
        for (size_t e = 0; e < m->n; e++)
            if (m->ents[e].klen == klen && !memcmp(m->ents[e].k, k, klen))
                return (long)e;
        return -1;
    }
    size_t mask = m->idxcap - 1;
    for (size_t i = hash_key(k, klen) & mask; m->idx[i]; i = (i + 1) & mask) {
        const vtl_ent *ent = &m->ents[m->idx[i] - 1];
        if (ent->klen == klen && !memcmp(ent->k, k, klen))
            return (long)(m->idx[i] - 1);
    }
    return -1;
}

vtl_val *apigw_vtl_map_get(const vtl_map *m, const char *k, size_t klen)
{
    long e = find_key(m, k, klen);

    return e < 0 ? NULL : &m->ents[e].v;
}

vtl_val apigw_vtl_map_put(vtl *v, vtl_map *m, const char *k, size_t klen,
                          vtl_val x)
{
    long e = find_key(m, k, klen);
    vtl_val old;
    char *key;

    if (e >= 0) {
        old = m->ents[e].v;
        m->ents[e].v = x;
        return old;
    }
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 4;
        vtl_ent *ents = apigw_vtl_alloc(v, cap * sizeof(*ents));

        if (m->n)
            memcpy(ents, m->ents, m->n * sizeof(*ents));
        m->ents = ents;
        m->cap = cap;
    }
    key = apigw_vtl_alloc(v, klen + 1);
    memcpy(key, k, klen);
    key[klen] = '\0';
    m->ents[m->n].k = key;
    m->ents[m->n].klen = klen;
    m->ents[m->n].v = x;
    m->n++;
    if (m->idx && m->n * 2 + 2 <= m->idxcap)
        index_add(m, m->n - 1);
    else if (m->n > 8)
        index_build(v, m);
    return apigw_vtl_null();
}

vtl_val apigw_vtl_map_remove(vtl *v, vtl_map *m, const char *k, size_t klen)
{
    long e = find_key(m, k, klen);
    vtl_val old;

    if (e < 0)
        return apigw_vtl_null();
    old = m->ents[e].v;
    memmove(&m->ents[e], &m->ents[e + 1],
            (m->n - (size_t)e - 1) * sizeof(*m->ents));
    m->n--;
    if (m->idx)
        index_build(v, m);
    return old;
}

/* ---- JSON in ---- */

static vtl_val from_json(vtl *v, const cJSON *j)
{
    if (cJSON_IsTrue(j) || cJSON_IsFalse(j))
        return apigw_vtl_bool(cJSON_IsTrue(j));
    if (cJSON_IsNumber(j)) {
        double d = j->valuedouble;
        if (d == floor(d) && fabs(d) < 9.2e18)
            return apigw_vtl_int((int64_t)d);
        return apigw_vtl_double(d);
    }
    if (cJSON_IsString(j) || cJSON_IsRaw(j))
        return apigw_vtl_str(v, j->valuestring ? j->valuestring : "",
                             j->valuestring ? strlen(j->valuestring) : 0);
    if (cJSON_IsArray(j)) {
        vtl_list *l = apigw_vtl_list_new(v);
        l->json = 1;
        for (const cJSON *c = j->child; c && !v->failed; c = c->next)
            apigw_vtl_list_push(v, l, from_json(v, c));
        return apigw_vtl_list_val(l);
    }
    if (cJSON_IsObject(j)) {
        vtl_map *m = apigw_vtl_map_new(v);
        for (const cJSON *c = j->child; c && !v->failed; c = c->next) {
            const char *k = c->string ? c->string : "";
            apigw_vtl_map_put(v, m, k, strlen(k), from_json(v, c));
        }
        return apigw_vtl_map_val(m);
    }
    return apigw_vtl_null();
}

vtl_val apigw_vtl_from_json(vtl *v, const cJSON *j)
{
    /* cJSON's parser stops at 1000 levels, so the recursion is bounded. */
    return j ? from_json(v, j) : apigw_vtl_null();
}

vtl_list *apigw_vtl_range_list(vtl *v, vtl_val r)
{
    vtl_list *l = apigw_vtl_list_new(v);
    int64_t lo = r.u.r.lo, hi = r.u.r.hi;
    uint64_t span = lo <= hi ? (uint64_t)hi - (uint64_t)lo
                             : (uint64_t)lo - (uint64_t)hi;

    if (span >= APIGW_VTL_MAX_FOREACH) {
        apigw_vtl_fail(v, "range [%" PRId64 "..%" PRId64 "] has more than "
                       "%d items", lo, hi, APIGW_VTL_MAX_FOREACH);
        return l;
    }
    for (uint64_t i = 0; i <= span; i++)
        apigw_vtl_list_push(v, l, apigw_vtl_int(lo <= hi ? lo + (int64_t)i
                                                         : lo - (int64_t)i));
    return l;
}

/* ---- tests and comparison ---- */

int apigw_vtl_is_num(vtl_val x)
{
    return x.type == VT_INT || x.type == VT_DOUBLE;
}

double apigw_vtl_num(vtl_val x)
{
    return x.type == VT_INT ? (double)x.u.i : x.type == VT_DOUBLE ? x.u.d : 0;
}

int apigw_vtl_truthy(vtl_val x)
{
    if (x.type == VT_NULL)
        return 0;
    if (x.type == VT_BOOL)
        return x.u.b;
    return 1;
}

static int equals_at(vtl *v, vtl_val a, vtl_val b, int depth);

static int list_equals(vtl *v, const vtl_list *a, const vtl_list *b,
                       int depth)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (!equals_at(v, a->items[i], b->items[i], depth + 1))
            return 0;
    return 1;
}

static int map_equals(vtl *v, const vtl_map *a, const vtl_map *b, int depth)
{
    if (a->n != b->n)
        return 0;
    for (size_t e = 0; e < a->n; e++) {
        vtl_val *o = apigw_vtl_map_get(b, a->ents[e].k, a->ents[e].klen);
        if (!o || !equals_at(v, a->ents[e].v, *o, depth + 1))
            return 0;
    }
    return 1;
}

static int equals_at(vtl *v, vtl_val a, vtl_val b, int depth)
{
    if (depth > PRINT_DEPTH) {
        apigw_vtl_fail(v, "values nested more than %d deep (or cyclic)",
                       PRINT_DEPTH);
        return 0;
    }
    if (a.type == VT_RANGE)
        a = apigw_vtl_list_val(apigw_vtl_range_list(v, a));
    if (b.type == VT_RANGE)
        b = apigw_vtl_list_val(apigw_vtl_range_list(v, b));
    if (a.type == VT_NULL || b.type == VT_NULL)
        return a.type == b.type;
    if (apigw_vtl_is_num(a) && apigw_vtl_is_num(b)) {
        if (a.type == VT_INT && b.type == VT_INT)
            return a.u.i == b.u.i;
        return apigw_vtl_num(a) == apigw_vtl_num(b);
    }
    if (a.type == b.type) {
        switch (a.type) {
        case VT_BOOL: return a.u.b == b.u.b;
        case VT_STR:
            return a.u.s.n == b.u.s.n && !memcmp(a.u.s.p, b.u.s.p, a.u.s.n);
        case VT_LIST: return list_equals(v, a.u.l, b.u.l, depth);
        case VT_MAP: return map_equals(v, a.u.m, b.u.m, depth);
        case VT_LOOP: return a.u.loop == b.u.loop;
        default: return 1;   /* $input, $util: one of each */
        }
    }
    /* Velocity 1.7 compares objects of unrelated classes by toString(). */
    vtl_val sa = apigw_vtl_to_str(v, a), sb = apigw_vtl_to_str(v, b);
    return sa.u.s.n == sb.u.s.n && !memcmp(sa.u.s.p, sb.u.s.p, sa.u.s.n);
}

int apigw_vtl_equals(vtl *v, vtl_val a, vtl_val b)
{
    return equals_at(v, a, b, 0);
}

/* ---- printing ---- */

void apigw_vtl_fmt_double(double d, char *out, size_t n)
{
    char tmp[40], digits[24];
    int prec, exp, nd = 0, neg = d < 0;
    double ad = fabs(d);
    ts_buf b;

    if (isnan(d) || isinf(d)) {
        snprintf(out, n, "%s", isnan(d) ? "NaN" : neg ? "-Infinity" : "Infinity");
        return;
    }
    if (d == 0) {
        snprintf(out, n, "%s", signbit(d) ? "-0.0" : "0.0");
        return;
    }
    /* The fewest digits that read back as the same double, as Java. */
    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, ad);
        if (strtod(tmp, NULL) == ad)
            break;
    }
    for (const char *c = tmp; *c && *c != 'e'; c++)
        if (*c >= '0' && *c <= '9')
            digits[nd++] = *c;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = '\0';
    exp = atoi(strchr(tmp, 'e') + 1);
    ts_buf_init(&b);
    if (neg)
        ts_buf_putc(&b, '-');
    if (ad >= 1e-3 && ad < 1e7) {
        if (exp < 0) {
            ts_buf_puts(&b, "0.");
            for (int i = -1; i > exp; i--)
                ts_buf_putc(&b, '0');
            ts_buf_puts(&b, digits);
        } else {
            for (int i = 0; i <= exp; i++)
                ts_buf_putc(&b, i < nd ? digits[i] : '0');
            ts_buf_putc(&b, '.');
            if (nd > exp + 1)
                ts_buf_puts(&b, digits + exp + 1);
            else
                ts_buf_putc(&b, '0');
        }
    } else {
        ts_buf_printf(&b, "%c.%s", digits[0], nd > 1 ? digits + 1 : "0");
        ts_buf_printf(&b, "E%d", exp);
    }
    snprintf(out, n, "%s", b.data);
    ts_buf_free(&b);
}

static void print_at(vtl *v, ts_buf *b, vtl_val x, int depth);
static void json_at(vtl *v, ts_buf *b, vtl_val x, int depth);

static int too_deep(vtl *v, int depth)
{
    if (depth <= PRINT_DEPTH)
        return 0;
    apigw_vtl_fail(v, "values nested more than %d deep (or cyclic)",
                   PRINT_DEPTH);
    return 1;
}

static void print_scalar(ts_buf *b, vtl_val x)
{
    char num[40];

    switch (x.type) {
    case VT_NULL: ts_buf_puts(b, "null"); break;
    case VT_BOOL: ts_buf_puts(b, x.u.b ? "true" : "false"); break;
    case VT_INT: ts_buf_printf(b, "%" PRId64, x.u.i); break;
    case VT_DOUBLE:
        apigw_vtl_fmt_double(x.u.d, num, sizeof(num));
        ts_buf_puts(b, num);
        break;
    case VT_STR: ts_buf_append(b, x.u.s.p, x.u.s.n); break;
    default: break;   /* $input, $util, $foreach print as nothing */
    }
}

static void print_at(vtl *v, ts_buf *b, vtl_val x, int depth)
{
    if (too_deep(v, depth) || b->len > APIGW_VTL_MAX_STRING)
        return;
    if (x.type == VT_RANGE)
        x = apigw_vtl_list_val(apigw_vtl_range_list(v, x));
    if (x.type == VT_LIST && x.u.l->json) {
        json_at(v, b, x, depth);
    } else if (x.type == VT_LIST) {
        ts_buf_putc(b, '[');
        for (size_t i = 0; i < x.u.l->n && !v->failed; i++) {
            if (i)
                ts_buf_puts(b, ", ");
            print_at(v, b, x.u.l->items[i], depth + 1);
        }
        ts_buf_putc(b, ']');
    } else if (x.type == VT_MAP && x.u.m->entry && x.u.m->n == 2) {
        print_at(v, b, x.u.m->ents[0].v, depth + 1);
        ts_buf_putc(b, '=');
        print_at(v, b, x.u.m->ents[1].v, depth + 1);
    } else if (x.type == VT_MAP) {
        ts_buf_putc(b, '{');
        for (size_t e = 0; e < x.u.m->n && !v->failed; e++) {
            if (e)
                ts_buf_puts(b, ", ");
            ts_buf_append(b, x.u.m->ents[e].k, x.u.m->ents[e].klen);
            ts_buf_putc(b, '=');
            print_at(v, b, x.u.m->ents[e].v, depth + 1);
        }
        ts_buf_putc(b, '}');
    } else {
        print_scalar(b, x);
    }
}

void apigw_vtl_print(vtl *v, ts_buf *b, vtl_val x)
{
    print_at(v, b, x, 0);
}

static void json_string(ts_buf *b, const char *s, size_t n)
{
    ts_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': ts_buf_puts(b, "\\\""); break;
        case '\\': ts_buf_puts(b, "\\\\"); break;
        case '\n': ts_buf_puts(b, "\\n"); break;
        case '\r': ts_buf_puts(b, "\\r"); break;
        case '\t': ts_buf_puts(b, "\\t"); break;
        case '\b': ts_buf_puts(b, "\\b"); break;
        case '\f': ts_buf_puts(b, "\\f"); break;
        default:
            if (c < 0x20)
                ts_buf_printf(b, "\\u%04x", c);
            else
                ts_buf_putc(b, (char)c);
        }
    }
    ts_buf_putc(b, '"');
}

static void json_at(vtl *v, ts_buf *b, vtl_val x, int depth)
{
    if (too_deep(v, depth) || b->len > APIGW_VTL_MAX_STRING)
        return;
    if (x.type == VT_RANGE)
        x = apigw_vtl_list_val(apigw_vtl_range_list(v, x));
    switch (x.type) {
    case VT_STR:
        json_string(b, x.u.s.p, x.u.s.n);
        break;
    case VT_DOUBLE:
        if (isnan(x.u.d) || isinf(x.u.d))
            ts_buf_puts(b, "null");
        else
            print_scalar(b, x);
        break;
    case VT_LIST:
        ts_buf_putc(b, '[');
        for (size_t i = 0; i < x.u.l->n && !v->failed; i++) {
            if (i)
                ts_buf_putc(b, ',');
            json_at(v, b, x.u.l->items[i], depth + 1);
        }
        ts_buf_putc(b, ']');
        break;
    case VT_MAP:
        ts_buf_putc(b, '{');
        for (size_t e = 0; e < x.u.m->n && !v->failed; e++) {
            if (e)
                ts_buf_putc(b, ',');
            json_string(b, x.u.m->ents[e].k, x.u.m->ents[e].klen);
            ts_buf_putc(b, ':');
            json_at(v, b, x.u.m->ents[e].v, depth + 1);
        }
        ts_buf_putc(b, '}');
        break;
    case VT_NULL: case VT_BOOL: case VT_INT:
        print_scalar(b, x);
        break;
    default:
        ts_buf_puts(b, "null");
    }
}

void apigw_vtl_print_json(vtl *v, ts_buf *b, vtl_val x)
{
    json_at(v, b, x, 0);
}

vtl_val apigw_vtl_to_str(vtl *v, vtl_val x)
{
    ts_buf b;
    vtl_val s;

    if (x.type == VT_STR)
        return x;
    ts_buf_init(&b);
    apigw_vtl_print(v, &b, x);
    s = apigw_vtl_str_buf(v, &b);
    ts_buf_free(&b);
    return s;
}
