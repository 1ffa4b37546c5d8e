/*
 * apigw_vtl_eval.c - runs a parsed mapping template: prints text and
 * references, evaluates expressions with Velocity 1.7's operators, and
 * carries out #set, #if and #foreach.
 *
 * Velocity's rules as kept here:
 *  - One scope: #set anywhere sets the template's variable; #foreach
 *    restores its loop variable (and $foreach, $velocityCount,
 *    $velocityHasNext) when it ends.  Setting a variable to null removes
 *    it; setting a map key to null stores null.
 *  - A reference that is null or undefined prints nothing (API Gateway's
 *    way; ctx->velocity_undefined prints its text, Velocity's way), as do
 *    calls on null and methods that do not exist.
 *  - + concatenates when either side is a string; arithmetic is on
 *    integers while both sides are (7 / 2 is 3), overflow turns to
 *    double; / and % by zero give null.  < > <= >= compare numbers only
 *    (anything else is false).
 *  - #foreach walks a list, a map's values, or a range, at most
 *    APIGW_VTL_MAX_FOREACH times (API Gateway's quota); null or anything
 *    else walks nothing.
 *
 * $context.requestOverride.* and $context.responseOverride.* are plain
 * maps inside $context, made before the template runs; #set refuses to
 * set any of their keys twice ("overrides are final", API Gateway
 * answers 5XX) and apigw_vtl_overrides reads them out afterwards.
 */
#include "apigw_vtl_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static vtl_val eval(vtl *v, const vtl_expr *e);

static int step(vtl *v)
{
    if (++v->steps <= APIGW_VTL_MAX_STEPS)
        return 0;
    apigw_vtl_fail(v, "the template took more than %d steps",
                   APIGW_VTL_MAX_STEPS);
    return -1;
}

/* The template's output is capped at API Gateway's payload size; an
 * interpolated string being built (v->out is then its own buffer) at a
 * string's size. */
static size_t out_cap(const vtl *v)
{
    return v->in_interp ? APIGW_VTL_MAX_STRING : APIGW_VTL_MAX_OUTPUT;
}

static void emit(vtl *v, const char *p, size_t n)
{
    if (v->out->len + n > out_cap(v)) {
        apigw_vtl_fail(v, "output larger than %zu MiB", out_cap(v) >> 20);
        return;
    }
    ts_buf_append(v->out, p, n);
}

static vtl_val var(vtl *v, const char *name, size_t n)
{
    vtl_val *x = apigw_vtl_map_get(v->vars, name, n);

    return x ? *x : apigw_vtl_null();
}

static void set_var(vtl *v, const char *name, size_t n, vtl_val x)
{
    if (x.type == VT_NULL)
        apigw_vtl_map_remove(v, v->vars, name, n);
    else
        apigw_vtl_map_put(v, v->vars, name, n, x);
}

/* ---- references ---- */

static vtl_val apply(vtl *v, vtl_val x, const vtl_acc *a, int line)
{
    vtl_val *args;

    if (a->kind == ACC_PROP)
        return apigw_vtl_prop(v, x, a->name, a->nlen, line);
    args = apigw_vtl_alloc(v, (size_t)(a->nargs + 1) * sizeof(*args));
    for (int i = 0; i < a->nargs && !v->failed; i++)
        args[i] = eval(v, a->args[i]);
    if (v->failed)
        return apigw_vtl_null();
    if (a->kind == ACC_INDEX)
        return apigw_vtl_index(v, x, args[0], line);
    if (step(v) < 0)
        return apigw_vtl_null();
    return apigw_vtl_call(v, x, a->name, a->nlen, args, a->nargs, line);
}

/* The value of r up to (not including) accessor stop. */
static vtl_val eval_ref_to(vtl *v, const vtl_ref *r, const vtl_acc *stop)
{
    vtl_val x = var(v, r->name, r->nlen);

    for (const vtl_acc *a = r->acc; a != stop && !v->failed; a = a->next) {
        if (x.type == VT_NULL)
            break;
        x = apply(v, x, a, r->line);
    }
    return v->failed ? apigw_vtl_null() : x;
}

static void exec_ref(vtl *v, const vtl_ref *r)
{
    vtl_val x = eval_ref_to(v, r, NULL);
    size_t before = v->out->len;

    if (v->failed)
        return;
    if (x.type == VT_NULL) {
        if (!r->quiet && v->ctx->velocity_undefined)
            emit(v, r->src, r->srclen);
        return;
    }
    apigw_vtl_print(v, v->out, x);
    if (v->out->len - before > out_cap(v) || v->out->len > out_cap(v))
        apigw_vtl_fail(v, "output larger than %zu MiB", out_cap(v) >> 20);
}

/* ---- expressions ---- */

static vtl_val arith_int(int op, int64_t a, int64_t b)
{
    int64_t r;

    switch (op) {
    case OP_ADD:
        if (__builtin_add_overflow(a, b, &r))
            return apigw_vtl_double((double)a + (double)b);
        return apigw_vtl_int(r);
    case OP_SUB:
        if (__builtin_sub_overflow(a, b, &r))
            return apigw_vtl_double((double)a - (double)b);
        return apigw_vtl_int(r);
    case OP_MUL:
        if (__builtin_mul_overflow(a, b, &r))
            return apigw_vtl_double((double)a * (double)b);
        return apigw_vtl_int(r);
    case OP_DIV:
        if (b == 0)
            return apigw_vtl_null();
        if (a == INT64_MIN && b == -1)
            return apigw_vtl_double(-(double)a);
        return apigw_vtl_int(a / b);
    default:   /* OP_MOD */
        if (b == 0)
            return apigw_vtl_null();
        return apigw_vtl_int(b == -1 ? 0 : a % b);
    }
}

static vtl_val arith(int op, vtl_val a, vtl_val b)
{
    double x, y;

    if (!apigw_vtl_is_num(a) || !apigw_vtl_is_num(b))
        return apigw_vtl_null();
    if (a.type == VT_INT && b.type == VT_INT)
        return arith_int(op, a.u.i, b.u.i);
    x = apigw_vtl_num(a);
    y = apigw_vtl_num(b);
    switch (op) {
    case OP_ADD: return apigw_vtl_double(x + y);
    case OP_SUB: return apigw_vtl_double(x - y);
    case OP_MUL: return apigw_vtl_double(x * y);
    case OP_DIV: return y == 0 ? apigw_vtl_null() : apigw_vtl_double(x / y);
    default: return y == 0 ? apigw_vtl_null() : apigw_vtl_double(fmod(x, y));
    }
}

static vtl_val concat(vtl *v, vtl_val a, vtl_val b)
{
    vtl_val sa, sb;
    ts_buf buf;
    vtl_val r;

    if (a.type == VT_NULL || b.type == VT_NULL)
        return apigw_vtl_null();
    sa = apigw_vtl_to_str(v, a);
    sb = apigw_vtl_to_str(v, b);
    ts_buf_init(&buf);
    ts_buf_append(&buf, sa.u.s.p, sa.u.s.n);
    ts_buf_append(&buf, sb.u.s.p, sb.u.s.n);
    r = apigw_vtl_str_buf(v, &buf);
    ts_buf_free(&buf);
    return r;
}

static vtl_val compare(int op, vtl_val a, vtl_val b)
{
    double x, y;
    int c;

    if (!apigw_vtl_is_num(a) || !apigw_vtl_is_num(b))
        return apigw_vtl_bool(0);
    if (a.type == VT_INT && b.type == VT_INT) {
        c = a.u.i < b.u.i ? -1 : a.u.i > b.u.i;
    } else {
        x = apigw_vtl_num(a);
        y = apigw_vtl_num(b);
        if (isnan(x) || isnan(y))
            return apigw_vtl_bool(0);
        c = x < y ? -1 : x > y;
    }
    switch (op) {
    case OP_LT: return apigw_vtl_bool(c < 0);
    case OP_LE: return apigw_vtl_bool(c <= 0);
    case OP_GT: return apigw_vtl_bool(c > 0);
    default: return apigw_vtl_bool(c >= 0);
    }
}

static vtl_val eval_bin(vtl *v, const vtl_expr *e)
{
    vtl_val a = eval(v, e->a), b;

    if (e->op == OP_AND && !apigw_vtl_truthy(a))
        return apigw_vtl_bool(0);
    if (e->op == OP_OR && apigw_vtl_truthy(a))
        return apigw_vtl_bool(1);
    b = eval(v, e->b);
    if (v->failed)
        return apigw_vtl_null();
    switch (e->op) {
    case OP_AND: case OP_OR: return apigw_vtl_bool(apigw_vtl_truthy(b));
    case OP_EQ: return apigw_vtl_bool(apigw_vtl_equals(v, a, b));
    case OP_NE: return apigw_vtl_bool(!apigw_vtl_equals(v, a, b));
    case OP_LT: case OP_LE: case OP_GT: case OP_GE: return compare(e->op, a, b);
    case OP_ADD:
        if (a.type == VT_STR || b.type == VT_STR)
            return concat(v, a, b);
        return arith(e->op, a, b);
    default:
        return arith(e->op, a, b);
    }
}

/* An interpolated string: its template rendered into a string. */
static vtl_val eval_string(vtl *v, const vtl_node *tmpl)
{
    ts_buf buf, *saved = v->out;
    vtl_val r;

    ts_buf_init(&buf);
    v->out = &buf;
    v->in_interp++;
    apigw_vtl_exec(v, tmpl);
    v->in_interp--;
    v->out = saved;
    r = apigw_vtl_str_buf(v, &buf);
    ts_buf_free(&buf);
    return r;
}

static vtl_val eval_range(vtl *v, const vtl_expr *e)
{
    vtl_val a = eval(v, e->a), b = eval(v, e->b), r = apigw_vtl_null();

    /* Velocity wants whole numbers; "1" counts, as it parses strings. */
    if (a.type == VT_STR)
        a = apigw_vtl_int(strtoll(a.u.s.p, NULL, 10));
    if (b.type == VT_STR)
        b = apigw_vtl_int(strtoll(b.u.s.p, NULL, 10));
    if (a.type != VT_INT || b.type != VT_INT)
        return r;
    r.type = VT_RANGE;
    r.u.r.lo = a.u.i;
    r.u.r.hi = b.u.i;
    return r;
}

static vtl_val eval_items(vtl *v, const vtl_expr *e)
{
    if (e->kind == VE_LIST) {
        vtl_list *l = apigw_vtl_list_new(v);
        for (int i = 0; i < e->n && !v->failed; i++)
            apigw_vtl_list_push(v, l, eval(v, e->items[i]));
        return apigw_vtl_list_val(l);
    }
    vtl_map *m = apigw_vtl_map_new(v);
    for (int i = 0; i + 1 < e->n && !v->failed; i += 2) {
        vtl_val k = apigw_vtl_to_str(v, eval(v, e->items[i]));
        vtl_val x = eval(v, e->items[i + 1]);
        apigw_vtl_map_put(v, m, k.u.s.p, k.u.s.n, x);
    }
    return apigw_vtl_map_val(m);
}

static vtl_val eval(vtl *v, const vtl_expr *e)
{
    vtl_val x;

    if (v->failed || !e)
        return apigw_vtl_null();
    switch (e->kind) {
    case VE_LIT: return e->lit;
    case VE_STR: return eval_string(v, e->tmpl);
    case VE_REF: return eval_ref_to(v, e->ref, NULL);
    case VE_LIST: case VE_MAP: return eval_items(v, e);
    case VE_RANGE: return eval_range(v, e);
    case VE_NOT: return apigw_vtl_bool(!apigw_vtl_truthy(eval(v, e->a)));
    case VE_NEG:
        x = eval(v, e->a);
        if (x.type == VT_INT && x.u.i != INT64_MIN)
            return apigw_vtl_int(-x.u.i);
        if (apigw_vtl_is_num(x))
            return apigw_vtl_double(-apigw_vtl_num(x));
        return apigw_vtl_null();
    default: return eval_bin(v, e);
    }
}

/* ---- #set ---- */

static int is_override(const vtl *v, const vtl_map *m)
{
    for (size_t i = 0; i < TS_ARRAY_LEN(v->ov); i++)
        if (v->ov[i] == m)
            return 1;
    return 0;
}

static void set_key(vtl *v, vtl_map *m, vtl_val key, vtl_val x, int line)
{
    vtl_val k = apigw_vtl_to_str(v, key);

    if (is_override(v, m) && apigw_vtl_map_get(m, k.u.s.p, k.u.s.n)) {
        apigw_vtl_fail(v, "#set at line %d: override %s was already set "
                       "(overrides are final)", line, k.u.s.p);
        return;
    }
    apigw_vtl_map_put(v, m, k.u.s.p, k.u.s.n, x);
}

static void set_index(vtl *v, vtl_list *l, vtl_val idx, vtl_val x, int line)
{
    int64_t i = idx.type == VT_INT ? idx.u.i : -1;

    if (i < 0 && idx.type == VT_INT)
        i += (int64_t)l->n;
    if (idx.type != VT_INT || i < 0 || (uint64_t)i >= l->n) {
        apigw_vtl_fail(v, "#set at line %d: list index out of range", line);
        return;
    }
    l->items[i] = x;
}

static void exec_set(vtl *v, const vtl_node *n)
{
    const vtl_ref *r = n->ref;
    const vtl_acc *last = r->acc;
    vtl_val x = eval(v, n->expr), target, idx;

    if (v->failed)
        return;
    if (!last) {
        set_var(v, r->name, r->nlen, x);
        return;
    }
    while (last->next)
        last = last->next;
    target = eval_ref_to(v, r, last);
    if (v->failed)
        return;
    if (last->kind == ACC_PROP && target.type == VT_MAP) {
        set_key(v, target.u.m, apigw_vtl_str(v, last->name, last->nlen), x,
                n->line);
        return;
    }
    if (last->kind != ACC_INDEX)
        return;   /* Velocity logs and goes on */
    idx = eval(v, last->args[0]);
    if (target.type == VT_MAP)
        set_key(v, target.u.m, idx, x, n->line);
    else if (target.type == VT_LIST)
        set_index(v, target.u.l, idx, x, n->line);
}

/* ---- #foreach ---- */

typedef struct saved_var {
    const char *name;
    vtl_val val;
} saved_var;

static const char *const loop_vars[] = {"foreach", "velocityCount",
                                        "velocityHasNext"};

/* Item i of what #foreach walks, and how many there are. */
static size_t walk_len(vtl_val it)
{
    switch (it.type) {
    case VT_LIST: return it.u.l->n;
    case VT_MAP: return it.u.m->n;
    case VT_RANGE: {
        uint64_t span = it.u.r.lo <= it.u.r.hi
            ? (uint64_t)it.u.r.hi - (uint64_t)it.u.r.lo
            : (uint64_t)it.u.r.lo - (uint64_t)it.u.r.hi;
        return span >= SIZE_MAX - 1 ? SIZE_MAX : (size_t)span + 1;
    }
    default: return 0;
    }
}

static vtl_val walk_item(vtl_val it, size_t i)
{
    switch (it.type) {
    case VT_LIST: return it.u.l->items[i];
    case VT_MAP: return it.u.m->ents[i].v;
    default:
        return apigw_vtl_int(it.u.r.lo <= it.u.r.hi ? it.u.r.lo + (int64_t)i
                                                    : it.u.r.lo - (int64_t)i);
    }
}

static void exec_foreach(vtl *v, const vtl_node *n)
{
    vtl_val it = eval(v, n->expr), lv = apigw_vtl_null();
    vtl_val old_var = var(v, n->var, n->varlen);
    saved_var saved[TS_ARRAY_LEN(loop_vars)];
    vtl_loop *loop = apigw_vtl_alloc(v, sizeof(*loop));

    if (v->failed)
        return;
    for (size_t i = 0; i < TS_ARRAY_LEN(loop_vars); i++) {
        saved[i].name = loop_vars[i];
        saved[i].val = var(v, loop_vars[i], strlen(loop_vars[i]));
    }
    memset(loop, 0, sizeof(*loop));
    loop->parent = v->loop;
    v->loop = loop;
    lv.type = VT_LOOP;
    lv.u.loop = loop;
    /* A list may grow under its own loop: re-read its length each time. */
    for (size_t i = 0; i < walk_len(it) && !v->failed; i++) {
        if (i >= APIGW_VTL_MAX_FOREACH) {
            apigw_vtl_fail(v, "#foreach at line %d: more than %d iterations",
                           n->line, APIGW_VTL_MAX_FOREACH);
            break;
        }
        if (++v->iterations > APIGW_VTL_MAX_ITERATIONS) {
            apigw_vtl_fail(v, "more than %d #foreach iterations in all",
                           APIGW_VTL_MAX_ITERATIONS);
            break;
        }
        if (step(v) < 0)
            break;
        loop->index = (int64_t)i;
        loop->has_next = i + 1 < walk_len(it);
        set_var(v, n->var, n->varlen, walk_item(it, i));
        set_var(v, "foreach", 7, lv);
        set_var(v, "velocityCount", 13, apigw_vtl_int((int64_t)i + 1));
        set_var(v, "velocityHasNext", 15, apigw_vtl_bool(loop->has_next));
        apigw_vtl_exec(v, n->body);
        if (v->breaking) {
            v->breaking = 0;
            break;
        }
        if (v->stopped)
            break;
    }
    v->loop = loop->parent;
    set_var(v, n->var, n->varlen, old_var);
    for (size_t i = 0; i < TS_ARRAY_LEN(loop_vars); i++)
        set_var(v, saved[i].name, strlen(saved[i].name), saved[i].val);
}

/* ---- nodes ---- */

static void exec_if(vtl *v, const vtl_node *n)
{
    while (n) {
        vtl_val c = eval(v, n->expr);
        if (v->failed)
            return;
        if (apigw_vtl_truthy(c)) {
            apigw_vtl_exec(v, n->body);
            return;
        }
        if (!n->elif) {
            apigw_vtl_exec(v, n->els);
            return;
        }
        n = n->elif;
    }
}

void apigw_vtl_exec(vtl *v, const vtl_node *n)
{
    if (++v->depth > APIGW_VTL_MAX_DEPTH * 2) {
        apigw_vtl_fail(v, "template nested too deep");
        v->depth--;
        return;
    }
    for (; n && !v->failed && !v->stopped && !v->breaking; n = n->next) {
        if (step(v) < 0)
            break;
        switch (n->kind) {
        case VN_TEXT: emit(v, n->text, n->len); break;
        case VN_REF: exec_ref(v, n->ref); break;
        case VN_SET: exec_set(v, n); break;
        case VN_IF: exec_if(v, n); break;
        case VN_FOREACH: exec_foreach(v, n); break;
        case VN_BREAK: v->breaking = 1; break;
        case VN_STOP: v->stopped = 1; break;
        }
    }
    v->depth--;
}

/* ---- globals and overrides ---- */

static vtl_map *json_map(vtl *v, const cJSON *j)
{
    vtl_val x = cJSON_IsObject(j) ? apigw_vtl_from_json(v, j)
                                  : apigw_vtl_null();

    return x.type == VT_MAP ? x.u.m : apigw_vtl_map_new(v);
}

static vtl_map *sub_map(vtl *v, vtl_map *parent, const char *name)
{
    vtl_map *m = apigw_vtl_map_new(v);

    apigw_vtl_map_put(v, parent, name, strlen(name), apigw_vtl_map_val(m));
    return m;
}

void apigw_vtl_globals(vtl *v)
{
    vtl_val x = apigw_vtl_null();
    vtl_map *ctxm, *req, *resp;

    v->vars = apigw_vtl_map_new(v);
    v->path_cache = apigw_vtl_map_new(v);
    x.type = VT_INPUT;
    apigw_vtl_map_put(v, v->vars, "input", 5, x);
    x.type = VT_UTIL;
    apigw_vtl_map_put(v, v->vars, "util", 4, x);
    ctxm = json_map(v, v->ctx->context);
    req = sub_map(v, ctxm, "requestOverride");
    resp = sub_map(v, ctxm, "responseOverride");
    v->ov[0] = resp;
    v->ov[1] = sub_map(v, resp, "header");
    v->ov[2] = sub_map(v, req, "header");
    v->ov[3] = sub_map(v, req, "path");
    v->ov[4] = sub_map(v, req, "querystring");
    apigw_vtl_map_put(v, v->vars, "context", 7, apigw_vtl_map_val(ctxm));
    apigw_vtl_map_put(v, v->vars, "stageVariables", 14,
                      apigw_vtl_map_val(json_map(v, v->ctx->stage_vars)));
}

/* The strings of m as a cJSON object, or NULL when m is empty. */
static cJSON *string_object(vtl *v, const vtl_map *m)
{
    cJSON *o = NULL;

    for (size_t e = 0; e < m->n && !v->failed; e++) {
        vtl_val s;
        if (m->ents[e].v.type == VT_NULL)
            continue;
        s = apigw_vtl_to_str(v, m->ents[e].v);
        if (!o)
            o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, m->ents[e].k, s.u.s.p);
    }
    return o;
}

static int read_status(vtl *v)
{
    vtl_val *s = apigw_vtl_map_get(v->ov[0], "status", 6);
    long code = -1;

    if (!s || s->type == VT_NULL)
        return 0;
    if (s->type == VT_INT)
        code = s->u.i >= 0 && s->u.i < 1000 ? (long)s->u.i : -1;
    else if (s->type == VT_DOUBLE && s->u.d == floor(s->u.d) &&
             s->u.d >= 0 && s->u.d < 1000)
        code = (long)s->u.d;
    else if (s->type == VT_STR && s->u.s.n && s->u.s.n <= 3 &&
             strspn(s->u.s.p, "0123456789") == s->u.s.n)
        code = strtol(s->u.s.p, NULL, 10);
    if (code < 100 || code > 599) {
        apigw_vtl_fail(v, "$context.responseOverride.status is not an "
                       "HTTP status code");
        return -1;
    }
    v->ctx->override_status = (int)code;
    return 0;
}

int apigw_vtl_overrides(vtl *v)
{
    static const char *const groups[] = {"header", "path", "querystring"};
    apigw_vtl_ctx *ctx = v->ctx;

    if (read_status(v) < 0)
        return -1;
    ctx->override_headers = string_object(v, v->ov[1]);
    for (size_t i = 0; i < TS_ARRAY_LEN(groups); i++) {
        cJSON *g = string_object(v, v->ov[2 + i]);
        if (!g)
            continue;
        if (!ctx->override_request)
            ctx->override_request = cJSON_CreateObject();
        cJSON_AddItemToObject(ctx->override_request, groups[i], g);
    }
    if (!v->failed)
        return 0;
    cJSON_Delete(ctx->override_headers);
    cJSON_Delete(ctx->override_request);
    ctx->override_headers = ctx->override_request = NULL;
    ctx->override_status = 0;
    return -1;
}
