/*
 * apigw_vtl_call.c - what a reference can call or read: the methods of
 * Java's lists, maps, numbers and booleans as templates use them, $foreach,
 * and API Gateway's $input and $util.  Strings' methods are in
 * apigw_vtl_str.c.
 *
 * A method that does not exist, or is called with the wrong number of
 * arguments, gives null (Velocity finds no method and the reference stays
 * undefined; API Gateway goes on).  One that Java would make throw (an
 * index out of range, bad base64 or JSON, a body that is not JSON under
 * $input.path) fails the rendering, as Velocity's MethodInvocation-
 * Exception does.  Map keys are strings: a key of another type is its
 * toString().
 *
 * $input.path and $input.json read the body as JSON once (an empty body
 * is "{}", as API Gateway has it); $input.path hands back the same value
 * for the same path, so a template that walks $input.path('$') in a loop
 * does not rebuild it.  $input.json gives "" when the path matches
 * nothing.
 *
 * $util.escapeJavaScript is Apache Commons Lang's escapeJavaScript, which
 * API Gateway documents: \" \' \\ \/, \b \f \n \r \t, other control
 * characters and everything past ASCII as \uXXXX (UTF-16).  urlEncode is
 * java.net.URLEncoder's form encoding (space as '+', "*-._" kept).
 */
#include "apigw_vtl_int.h"

#include <ctype.h>
#include <stdio.h>
#include <math.h>
#include <string.h>
#include <strings.h>

typedef vtl_val (*call_fn)(vtl *v, vtl_val self, vtl_val *a, int n, int line);

typedef struct method {
    const char *name;
    int min, max;
    call_fn fn;
} method;

static int name_is(const char *name, size_t nlen, const char *s)
{
    return strlen(s) == nlen && !memcmp(name, s, nlen);
}

static int dispatch(vtl *v, const method *tab, size_t ntab, vtl_val self,
                    const char *name, size_t nlen, vtl_val *args, int nargs,
                    int line, vtl_val *out)
{
    for (size_t i = 0; i < ntab; i++) {
        if (!name_is(name, nlen, tab[i].name) || nargs < tab[i].min ||
            nargs > tab[i].max)
            continue;
        *out = tab[i].fn(v, self, args, nargs, line);
        return 1;
    }
    return 0;
}

static int arg_index(vtl_val x, int64_t *out)
{
    if (x.type == VT_INT) {
        *out = x.u.i;
        return 1;
    }
    /* A whole double in range counts (the cast of anything else is
     * undefined). */
    if (x.type == VT_DOUBLE && x.u.d >= -9.2e18 && x.u.d <= 9.2e18 &&
        x.u.d == floor(x.u.d)) {
        *out = (int64_t)x.u.d;
        return 1;
    }
    return 0;
}

static vtl_val out_of_range(vtl *v, const char *what, int line)
{
    apigw_vtl_fail(v, "%s at line %d: index out of range", what, line);
    return apigw_vtl_null();
}

/* ---- lists ---- */

static vtl_val l_size(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    return apigw_vtl_int((int64_t)s.u.l->n);
}

static vtl_val l_is_empty(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    return apigw_vtl_bool(s.u.l->n == 0);
}

static vtl_val l_get(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    int64_t i;

    if (!arg_index(a[0], &i))
        return apigw_vtl_null();
    if (i < 0 || (uint64_t)i >= s.u.l->n)
        return out_of_range(v, "get", line);
    return s.u.l->items[i];
}

static long l_find(vtl *v, const vtl_list *l, vtl_val x)
{
    for (size_t i = 0; i < l->n && !v->failed; i++)
        if (apigw_vtl_equals(v, l->items[i], x))
            return (long)i;
    return -1;
}

static vtl_val l_contains(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    return apigw_vtl_bool(l_find(v, s.u.l, a[0]) >= 0);
}

static vtl_val l_index_of(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    return apigw_vtl_int(l_find(v, s.u.l, a[0]));
}

static vtl_val l_add(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    int64_t at;
    vtl_list *l = s.u.l;

    if (n == 1) {
        apigw_vtl_list_push(v, l, a[0]);
        return apigw_vtl_bool(1);
    }
    if (!arg_index(a[0], &at))
        return apigw_vtl_null();
    if (at < 0 || (uint64_t)at > l->n)
        return out_of_range(v, "add", line);
    apigw_vtl_list_push(v, l, a[1]);
    memmove(&l->items[at + 1], &l->items[at],
            (l->n - 1 - (size_t)at) * sizeof(*l->items));
    l->items[at] = a[1];
    return apigw_vtl_null();
}

static vtl_val l_add_all(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    const vtl_list *o;
    size_t k;

    if (a[0].type == VT_RANGE)
        a[0] = apigw_vtl_list_val(apigw_vtl_range_list(v, a[0]));
    if (a[0].type != VT_LIST)
        return apigw_vtl_null();
    o = a[0].u.l;
    k = o->n;   /* adding a list to itself doubles it once */
    for (size_t i = 0; i < k && !v->failed; i++)
        apigw_vtl_list_push(v, s.u.l, o->items[i]);
    return apigw_vtl_bool(k > 0);
}

static vtl_val l_remove(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    vtl_list *l = s.u.l;
    int64_t i;
    vtl_val old;

    if (a[0].type == VT_INT) {   /* remove(int index), as Java picks */
        i = a[0].u.i;
        if (i < 0 || (uint64_t)i >= l->n)
            return out_of_range(v, "remove", line);
    } else {
        i = l_find(v, l, a[0]);
        if (i < 0)
            return apigw_vtl_bool(0);
    }
    old = l->items[i];
    memmove(&l->items[i], &l->items[i + 1],
            (l->n - (size_t)i - 1) * sizeof(*l->items));
    l->n--;
    return a[0].type == VT_INT ? old : apigw_vtl_bool(1);
}

static vtl_val l_set(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    int64_t i;
    vtl_val old;

    if (!arg_index(a[0], &i))
        return apigw_vtl_null();
    if (i < 0 || (uint64_t)i >= s.u.l->n)
        return out_of_range(v, "set", line);
    old = s.u.l->items[i];
    s.u.l->items[i] = a[1];
    return old;
}

static vtl_val l_clear(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    s.u.l->n = 0;
    return apigw_vtl_null();
}

static vtl_val l_sub_list(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    int64_t b, e;
    vtl_list *l;

    if (!arg_index(a[0], &b) || !arg_index(a[1], &e))
        return apigw_vtl_null();
    if (b < 0 || e > (int64_t)s.u.l->n || b > e)
        return out_of_range(v, "subList", line);
    l = apigw_vtl_list_new(v);
    l->json = s.u.l->json;
    for (int64_t i = b; i < e; i++)
        apigw_vtl_list_push(v, l, s.u.l->items[i]);
    return apigw_vtl_list_val(l);
}

static const method list_methods[] = {
    {"size", 0, 0, l_size}, {"isEmpty", 0, 0, l_is_empty},
    {"get", 1, 1, l_get}, {"contains", 1, 1, l_contains},
    {"indexOf", 1, 1, l_index_of}, {"add", 1, 2, l_add},
    {"addAll", 1, 1, l_add_all}, {"remove", 1, 1, l_remove},
    {"set", 2, 2, l_set}, {"clear", 0, 0, l_clear},
    {"subList", 2, 2, l_sub_list},
};

/* ---- maps ---- */

static vtl_val key_of(vtl *v, vtl_val k)
{
    return apigw_vtl_to_str(v, k);
}

static vtl_val m_get(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    vtl_val k = key_of(v, a[0]), *x;

    x = apigw_vtl_map_get(s.u.m, k.u.s.p, k.u.s.n);
    return x ? *x : apigw_vtl_null();
}

static vtl_val m_put(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    vtl_val k = key_of(v, a[0]);

    return apigw_vtl_map_put(v, s.u.m, k.u.s.p, k.u.s.n, a[1]);
}

static vtl_val m_put_all(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    const vtl_map *o;
    size_t k;

    if (a[0].type != VT_MAP)
        return apigw_vtl_null();
    o = a[0].u.m;
    k = o->n;
    for (size_t e = 0; e < k && !v->failed; e++)
        apigw_vtl_map_put(v, s.u.m, o->ents[e].k, o->ents[e].klen,
                          o->ents[e].v);
    return apigw_vtl_null();
}

static vtl_val m_contains_key(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    vtl_val k = key_of(v, a[0]);

    return apigw_vtl_bool(apigw_vtl_map_get(s.u.m, k.u.s.p, k.u.s.n) != NULL);
}

static vtl_val m_contains_value(vtl *v, vtl_val s, vtl_val *a, int n,
                                int line)
{
    for (size_t e = 0; e < s.u.m->n && !v->failed; e++)
        if (apigw_vtl_equals(v, s.u.m->ents[e].v, a[0]))
            return apigw_vtl_bool(1);
    return apigw_vtl_bool(0);
}

static vtl_val m_key_set(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    vtl_list *l = apigw_vtl_list_new(v);

    for (size_t e = 0; e < s.u.m->n; e++)
        apigw_vtl_list_push(v, l, apigw_vtl_str(v, s.u.m->ents[e].k,
                                                s.u.m->ents[e].klen));
    return apigw_vtl_list_val(l);
}

static vtl_val m_values(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    vtl_list *l = apigw_vtl_list_new(v);

    for (size_t e = 0; e < s.u.m->n; e++)
        apigw_vtl_list_push(v, l, s.u.m->ents[e].v);
    return apigw_vtl_list_val(l);
}

/* Each entry is a two-key map (key, value) marked to print as k=v. */
static vtl_val m_entry_set(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    vtl_list *l = apigw_vtl_list_new(v);

    for (size_t e = 0; e < s.u.m->n && !v->failed; e++) {
        vtl_map *ent = apigw_vtl_map_new(v);
        ent->entry = 1;
        apigw_vtl_map_put(v, ent, "key", 3,
                          apigw_vtl_str(v, s.u.m->ents[e].k,
                                        s.u.m->ents[e].klen));
        apigw_vtl_map_put(v, ent, "value", 5, s.u.m->ents[e].v);
        apigw_vtl_list_push(v, l, apigw_vtl_map_val(ent));
    }
    return apigw_vtl_list_val(l);
}

static vtl_val m_size(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    return apigw_vtl_int((int64_t)s.u.m->n);
}

static vtl_val m_is_empty(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    return apigw_vtl_bool(s.u.m->n == 0);
}

static vtl_val m_remove(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    vtl_val k = key_of(v, a[0]);

    return apigw_vtl_map_remove(v, s.u.m, k.u.s.p, k.u.s.n);
}

static vtl_val m_clear(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    s.u.m->n = 0;
    s.u.m->idx = NULL;
    s.u.m->idxcap = 0;
    return apigw_vtl_null();
}

static vtl_val m_entry_part(vtl *v, vtl_val s, const char *k, size_t n)
{
    vtl_val *x = s.u.m->entry ? apigw_vtl_map_get(s.u.m, k, n) : NULL;

    return x ? *x : apigw_vtl_null();
}

static vtl_val m_get_key(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    return m_entry_part(v, s, "key", 3);
}

static vtl_val m_get_value(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    return m_entry_part(v, s, "value", 5);
}

static const method map_methods[] = {
    {"get", 1, 1, m_get}, {"put", 2, 2, m_put}, {"putAll", 1, 1, m_put_all},
    {"containsKey", 1, 1, m_contains_key},
    {"containsValue", 1, 1, m_contains_value},
    {"keySet", 0, 0, m_key_set}, {"values", 0, 0, m_values},
    {"entrySet", 0, 0, m_entry_set}, {"size", 0, 0, m_size},
    {"isEmpty", 0, 0, m_is_empty}, {"remove", 1, 1, m_remove},
    {"clear", 0, 0, m_clear}, {"getKey", 0, 0, m_get_key},
    {"getValue", 0, 0, m_get_value},
};

/* ---- numbers, booleans, anything ---- */

static vtl_val n_int(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    if (s.type == VT_INT)
        return s;
    if (s.u.d != s.u.d)
        return apigw_vtl_int(0);
    if (s.u.d >= 9.2e18 || s.u.d <= -9.2e18)
        return apigw_vtl_int(s.u.d > 0 ? INT64_MAX : INT64_MIN);
    return apigw_vtl_int((int64_t)s.u.d);
}

static vtl_val n_double(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    return apigw_vtl_double(apigw_vtl_num(s));
}

static vtl_val n_compare(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    double x = apigw_vtl_num(s), y = apigw_vtl_num(a[0]);

    if (!apigw_vtl_is_num(a[0]))
        return apigw_vtl_null();
    return apigw_vtl_int(x < y ? -1 : x > y);
}

static const method num_methods[] = {
    {"intValue", 0, 0, n_int}, {"longValue", 0, 0, n_int},
    {"doubleValue", 0, 0, n_double}, {"floatValue", 0, 0, n_double},
    {"compareTo", 1, 1, n_compare},
};

static vtl_val any_to_string(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    return apigw_vtl_to_str(v, s);
}

/* Java's equals is stricter than Velocity's == (no toString bridging). */
static vtl_val any_equals(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    int same_kind = s.type == a[0].type ||
                    (apigw_vtl_is_num(s) && apigw_vtl_is_num(a[0]));

    return apigw_vtl_bool(same_kind && apigw_vtl_equals(v, s, a[0]));
}

static vtl_val b_value(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    return s;
}

static const method any_methods[] = {
    {"toString", 0, 0, any_to_string}, {"equals", 1, 1, any_equals},
    {"booleanValue", 0, 0, b_value},
};

/* ---- $foreach ---- */

static vtl_val loop_val(vtl_loop *loop)
{
    vtl_val x = apigw_vtl_null();

    if (loop) {
        x.type = VT_LOOP;
        x.u.loop = loop;
    }
    return x;
}

static vtl_val loop_prop(vtl_val s, const char *name, size_t nlen)
{
    const vtl_loop *l = s.u.loop;

    if (name_is(name, nlen, "index"))
        return apigw_vtl_int(l->index);
    if (name_is(name, nlen, "count"))
        return apigw_vtl_int(l->index + 1);
    if (name_is(name, nlen, "hasNext"))
        return apigw_vtl_bool(l->has_next);
    if (name_is(name, nlen, "first"))
        return apigw_vtl_bool(l->index == 0);
    if (name_is(name, nlen, "last"))
        return apigw_vtl_bool(!l->has_next);
    if (name_is(name, nlen, "parent"))
        return loop_val(l->parent);
    return apigw_vtl_null();
}

/* $foreach.hasNext() and the getters behind its properties. */
static vtl_val loop_call(vtl_val s, const char *name, size_t nlen)
{
    static const char *const calls[][2] = {
        {"hasNext", "hasNext"}, {"getIndex", "index"}, {"getCount", "count"},
        {"isFirst", "first"}, {"isLast", "last"}, {"getParent", "parent"},
        {"getHasNext", "hasNext"}, {"getFirst", "first"}, {"getLast", "last"},
    };

    for (size_t i = 0; i < TS_ARRAY_LEN(calls); i++)
        if (name_is(name, nlen, calls[i][0]))
            return loop_prop(s, calls[i][1], strlen(calls[i][1]));
    return apigw_vtl_null();
}

/* ---- $input ---- */

/* p[0..n) as one JSON value with nothing but blanks after it, or NULL.
 * (cJSON's own trailing check wants the NUL inside n.) */
static cJSON *parse_whole(const char *p, size_t n)
{
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(p, n, &end, 0);

    while (j && end < p + n && (*end == ' ' || *end == '\t' || *end == '\n' ||
                                *end == '\r'))
        end++;
    if (j && end != p + n) {
        cJSON_Delete(j);
        j = NULL;
    }
    return j;
}

static const cJSON *body_json(vtl *v, const char *what, int line)
{
    if (!v->body_state) {
        const char *b = v->ctx->body;
        size_t n = b ? v->ctx->body_len : 0;
        if (!n) {
            b = "{}";
            n = 2;
        }
        v->body = parse_whole(b, n);
        v->body_state = v->body ? 1 : -1;
    }
    if (v->body_state < 0) {
        apigw_vtl_fail(v, "%s at line %d: the body is not valid JSON", what,
                       line);
        return NULL;
    }
    return v->body;
}

/* The JSONPath match of path in the body (the caller deletes it), NULL
 * when there is none or on failure (then v->failed). */
static cJSON *select_path(vtl *v, vtl_val path, const char *what, int line)
{
    const cJSON *root = body_json(v, what, line);
    char err[160];
    cJSON *out = NULL;

    if (!root)
        return NULL;
    path = apigw_vtl_to_str(v, path);
    if (apigw_jsonpath_eval(root, path.u.s.p, &out, err, sizeof(err)) < 0)
        apigw_vtl_fail(v, "%s at line %d: %s", what, line, err);
    return out;
}

static vtl_val input_path(vtl *v, vtl_val path, int line)
{
    vtl_val key = apigw_vtl_to_str(v, path), *cached, x;
    cJSON *j;

    cached = apigw_vtl_map_get(v->path_cache, key.u.s.p, key.u.s.n);
    if (cached)
        return *cached;
    j = select_path(v, key, "$input.path", line);
    x = apigw_vtl_from_json(v, j);
    cJSON_Delete(j);
    if (!v->failed)
        apigw_vtl_map_put(v, v->path_cache, key.u.s.p, key.u.s.n, x);
    return x;
}

static vtl_val input_json(vtl *v, vtl_val path, int line)
{
    cJSON *j = select_path(v, path, "$input.json", line);
    char *text;
    vtl_val x;

    if (!j)
        return v->failed ? apigw_vtl_null() : apigw_vtl_str(v, "", 0);
    text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    x = apigw_vtl_str(v, text ? text : "", text ? strlen(text) : 0);
    cJSON_free(text);
    return x;
}

static vtl_map *group_map(vtl *v, const cJSON *j)
{
    vtl_val x = cJSON_IsObject(j) ? apigw_vtl_from_json(v, j)
                                  : apigw_vtl_null();

    return x.type == VT_MAP ? x.u.m : apigw_vtl_map_new(v);
}

static vtl_map *input_params(vtl *v)
{
    if (!v->params) {
        v->params = apigw_vtl_map_new(v);
        apigw_vtl_map_put(v, v->params, "path", 4,
                          apigw_vtl_map_val(group_map(v, v->ctx->path)));
        apigw_vtl_map_put(v, v->params, "querystring", 11,
                          apigw_vtl_map_val(group_map(v,
                                                      v->ctx->querystring)));
        apigw_vtl_map_put(v, v->params, "header", 6,
                          apigw_vtl_map_val(group_map(v, v->ctx->header)));
    }
    return v->params;
}

static vtl_val input_param(vtl *v, vtl_val name)
{
    static const char *const groups[] = {"path", "querystring", "header"};
    vtl_map *params = input_params(v);
    vtl_val key = apigw_vtl_to_str(v, name);

    for (size_t g = 0; g < TS_ARRAY_LEN(groups); g++) {
        vtl_val *gm = apigw_vtl_map_get(params, groups[g], strlen(groups[g]));
        if (!gm || gm->type != VT_MAP)
            continue;
        for (size_t e = 0; e < gm->u.m->n; e++) {
            const vtl_ent *ent = &gm->u.m->ents[e];
            int hit = g == 2 ? ent->klen == key.u.s.n &&
                                   !strncasecmp(ent->k, key.u.s.p, key.u.s.n)
                             : ent->klen == key.u.s.n &&
                                   !memcmp(ent->k, key.u.s.p, key.u.s.n);
            if (hit && ent->v.type != VT_NULL)
                return apigw_vtl_to_str(v, ent->v);
        }
    }
    return apigw_vtl_str(v, "", 0);
}

static vtl_val input_body(vtl *v)
{
    if (!v->ctx->body || !v->ctx->body_len)
        return apigw_vtl_str(v, "{}", 2);
    return apigw_vtl_str(v, v->ctx->body, v->ctx->body_len);
}

static vtl_val input_call(vtl *v, const char *name, size_t nlen,
                          vtl_val *args, int nargs, int line)
{
    if (nargs == 1 && args[0].type == VT_NULL)
        return apigw_vtl_null();
    if (name_is(name, nlen, "path") && nargs == 1)
        return input_path(v, args[0], line);
    if (name_is(name, nlen, "json") && nargs <= 1)
        return input_json(v, nargs ? args[0] : apigw_vtl_str(v, "$", 1),
                          line);
    if (name_is(name, nlen, "params") && nargs == 0)
        return apigw_vtl_map_val(input_params(v));
    if (name_is(name, nlen, "params") && nargs == 1)
        return input_param(v, args[0]);
    if (name_is(name, nlen, "getBody") && nargs == 0)
        return input_body(v);
    return apigw_vtl_null();
}

/* ---- $util ---- */

/* The code point at s[*i] (advancing *i); a bad byte reads as U+FFFD. */
static uint32_t next_cp(const unsigned char *s, size_t n, size_t *i)
{
    size_t k = ts_utf8_seq(s + *i, n - *i);
    uint32_t cp;

    if (!k) {
        (*i)++;
        return 0xFFFD;
    }
    cp = k == 1 ? s[*i] : (uint32_t)(s[*i] & (0x7F >> k));
    for (size_t j = 1; j < k; j++)
        cp = cp << 6 | (s[*i + j] & 0x3F);
    *i += k;
    return cp;
}

static void escape_unit(ts_buf *b, uint32_t u)
{
    switch (u) {
    case '"': ts_buf_puts(b, "\\\""); return;
    case '\'': ts_buf_puts(b, "\\'"); return;
    case '\\': ts_buf_puts(b, "\\\\"); return;
    case '/': ts_buf_puts(b, "\\/"); return;
    case '\b': ts_buf_puts(b, "\\b"); return;
    case '\f': ts_buf_puts(b, "\\f"); return;
    case '\n': ts_buf_puts(b, "\\n"); return;
    case '\r': ts_buf_puts(b, "\\r"); return;
    case '\t': ts_buf_puts(b, "\\t"); return;
    }
    if (u < 0x20 || u > 0x7E)
        ts_buf_printf(b, "\\u%04X", u);
    else
        ts_buf_putc(b, (char)u);
}

static vtl_val u_escape_js(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    vtl_val x = apigw_vtl_to_str(v, a[0]), r;
    const unsigned char *p = (const unsigned char *)x.u.s.p;
    size_t i = 0;
    ts_buf b;

    ts_buf_init(&b);
    while (i < x.u.s.n && b.len <= APIGW_VTL_MAX_STRING) {
        uint32_t cp = next_cp(p, x.u.s.n, &i);
        if (cp >= 0x10000) {   /* as Java's two UTF-16 units */
            cp -= 0x10000;
            escape_unit(&b, 0xD800 + (cp >> 10));
            escape_unit(&b, 0xDC00 + (cp & 0x3FF));
        } else {
            escape_unit(&b, cp);
        }
    }
    r = apigw_vtl_str_buf(v, &b);
    ts_buf_free(&b);
    return r;
}

static vtl_val u_parse_json(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    vtl_val x = apigw_vtl_to_str(v, a[0]);
    cJSON *j = parse_whole(x.u.s.p, x.u.s.n);

    if (!j) {
        apigw_vtl_fail(v, "$util.parseJson at line %d: not valid JSON", line);
        return apigw_vtl_null();
    }
    x = apigw_vtl_from_json(v, j);
    cJSON_Delete(j);
    return x;
}

static vtl_val u_url_encode(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    static const char hex[] = "0123456789ABCDEF";
    vtl_val x = apigw_vtl_to_str(v, a[0]), r;
    ts_buf b;

    ts_buf_init(&b);
    for (size_t i = 0; i < x.u.s.n; i++) {
        unsigned char c = (unsigned char)x.u.s.p[i];
        if (isalnum(c) || c == '.' || c == '-' || c == '*' || c == '_') {
            ts_buf_putc(&b, (char)c);
        } else if (c == ' ') {
            ts_buf_putc(&b, '+');
        } else {
            ts_buf_putc(&b, '%');
            ts_buf_putc(&b, hex[c >> 4]);
            ts_buf_putc(&b, hex[c & 15]);
        }
    }
    r = apigw_vtl_str_buf(v, &b);
    ts_buf_free(&b);
    return r;
}

static vtl_val u_url_decode(vtl *v, vtl_val s, vtl_val *a, int n, int line)
{
    vtl_val x = apigw_vtl_to_str(v, a[0]);
    size_t len;
    char *d = ts_url_decode_len(x.u.s.p, x.u.s.n, 1, &len);

    if (!d) {
        apigw_vtl_fail(v, "$util.urlDecode at line %d: malformed %%-escape",
                       line);
        return apigw_vtl_null();
    }
    x = apigw_vtl_str(v, d, len);
    ts_free(d);
    return x;
}

static vtl_val u_base64_encode(vtl *v, vtl_val s, vtl_val *a, int n,
                               int line)
{
    vtl_val x = apigw_vtl_to_str(v, a[0]);
    char *e = ts_base64_encode((const unsigned char *)x.u.s.p, x.u.s.n);

    x = apigw_vtl_str(v, e, strlen(e));
    ts_free(e);
    return x;
}

/* Java's decoder takes its input with or without the '=' padding. */
static vtl_val u_base64_decode(vtl *v, vtl_val s, vtl_val *a, int n,
                               int line)
{
    vtl_val x = apigw_vtl_to_str(v, a[0]);
    unsigned char *d = NULL;
    size_t len = 0;
    ts_buf b;
    int rc;

    ts_buf_init(&b);
    ts_buf_append(&b, x.u.s.p, x.u.s.n);
    while (b.len % 4 && b.len % 4 != 1)
        ts_buf_putc(&b, '=');
    rc = ts_base64_decode(b.data ? b.data : "", b.len, &d, &len);
    ts_buf_free(&b);
    if (rc < 0) {
        apigw_vtl_fail(v, "$util.base64Decode at line %d: not valid base64",
                       line);
        return apigw_vtl_null();
    }
    x = apigw_vtl_str(v, (const char *)d, len);
    ts_free(d);
    return x;
}

static const method util_methods[] = {
    {"escapeJavaScript", 1, 1, u_escape_js},
    {"parseJson", 1, 1, u_parse_json},
    {"urlEncode", 1, 1, u_url_encode},
    {"urlDecode", 1, 1, u_url_decode},
    {"base64Encode", 1, 1, u_base64_encode},
    {"base64Decode", 1, 1, u_base64_decode},
};

/* ---- the entry points ---- */

vtl_val apigw_vtl_call(vtl *v, vtl_val self, const char *name, size_t nlen,
                       vtl_val *args, int nargs, int line)
{
    vtl_val r = apigw_vtl_null();
    int found = 0;

    if (self.type == VT_RANGE)
        self = apigw_vtl_list_val(apigw_vtl_range_list(v, self));
    if (v->failed)
        return r;
    switch (self.type) {
    case VT_INPUT:
        return input_call(v, name, nlen, args, nargs, line);
    case VT_UTIL:
        /* Java's utilities take null to null (or throw: no output). */
        if (nargs == 1 && args[0].type == VT_NULL)
            return r;
        dispatch(v, util_methods, TS_ARRAY_LEN(util_methods), self, name,
                 nlen, args, nargs, line, &r);
        return r;
    case VT_LOOP:
        return nargs ? r : loop_call(self, name, nlen);
    case VT_STR:
        found = apigw_vtl_str_call(v, self, name, nlen, args, nargs, line, &r);
        break;
    case VT_LIST:
        found = dispatch(v, list_methods, TS_ARRAY_LEN(list_methods), self,
                         name, nlen, args, nargs, line, &r);
        break;
    case VT_MAP:
        found = dispatch(v, map_methods, TS_ARRAY_LEN(map_methods), self,
                         name, nlen, args, nargs, line, &r);
        break;
    case VT_INT: case VT_DOUBLE:
        found = dispatch(v, num_methods, TS_ARRAY_LEN(num_methods), self,
                         name, nlen, args, nargs, line, &r);
        break;
    default:
        break;
    }
    if (!found && self.type != VT_NULL &&
        !(name_is(name, nlen, "booleanValue") && self.type != VT_BOOL))
        dispatch(v, any_methods, TS_ARRAY_LEN(any_methods), self, name, nlen,
                 args, nargs, line, &r);
    return r;
}

vtl_val apigw_vtl_prop(vtl *v, vtl_val self, const char *name, size_t nlen,
                       int line)
{
    vtl_val *x;

    switch (self.type) {
    case VT_MAP:
        /* Velocity reads a Map's property with get(name). */
        x = apigw_vtl_map_get(self.u.m, name, nlen);
        return x ? *x : apigw_vtl_null();
    case VT_INPUT:
        return name_is(name, nlen, "body") ? input_body(v) : apigw_vtl_null();
    case VT_LOOP:
        return loop_prop(self, name, nlen);
    case VT_STR:
        return apigw_vtl_str_prop(v, self, name, nlen);
    case VT_LIST:
        /* $list.empty is isEmpty(); lists have no other getters. */
        return name_is(name, nlen, "empty") ? apigw_vtl_bool(self.u.l->n == 0)
                                            : apigw_vtl_null();
    default:
        return apigw_vtl_null();
    }
}

vtl_val apigw_vtl_index(vtl *v, vtl_val self, vtl_val idx, int line)
{
    int64_t i;

    if (self.type == VT_RANGE)
        self = apigw_vtl_list_val(apigw_vtl_range_list(v, self));
    if (self.type == VT_MAP) {
        vtl_val k = key_of(v, idx), *x;
        x = apigw_vtl_map_get(self.u.m, k.u.s.p, k.u.s.n);
        return x ? *x : apigw_vtl_null();
    }
    if (self.type != VT_LIST || !arg_index(idx, &i))
        return apigw_vtl_null();
    if (i < 0)   /* Velocity 1.7 counts a negative index from the end */
        i += (int64_t)self.u.l->n;
    if (i < 0 || (uint64_t)i >= self.u.l->n)
        return out_of_range(v, "[index]", line);
    return self.u.l->items[i];
}
