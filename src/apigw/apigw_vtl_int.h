/*
 * apigw_vtl_int.h - what the mapping-template files share: the value
 * type, the syntax tree apigw_vtl.c parses into and apigw_vtl_eval.c
 * walks, and the one state struct a rendering lives in.  Everything is
 * allocated from the rendering's arena and freed with it, so values are
 * shared freely: lists and maps by reference (as Java objects are),
 * strings because they never change.
 */
#ifndef TINYSTACK_APIGW_VTL_INT_H
#define TINYSTACK_APIGW_VTL_INT_H

#include <stdint.h>

#include "apigw_vtl.h"

/* ---- values ---- */

enum {
    VT_NULL, VT_BOOL, VT_INT, VT_DOUBLE, VT_STR, VT_LIST, VT_MAP,
    VT_RANGE,   /* [a..b], iterated without being built */
    VT_INPUT,   /* $input */
    VT_UTIL,    /* $util */
    VT_LOOP     /* $foreach */
};

typedef struct vtl_list vtl_list;
typedef struct vtl_map vtl_map;
typedef struct vtl_loop vtl_loop;

typedef struct vtl_val {
    int type;
    union {
        int b;
        int64_t i;
        double d;
        struct { const char *p; size_t n; } s;  /* NUL-terminated past n */
        vtl_list *l;
        vtl_map *m;
        struct { int64_t lo, hi; } r;
        vtl_loop *loop;
    } u;
} vtl_val;

struct vtl_list {
    vtl_val *items;
    size_t n, cap;
    int json;   /* came from JSON: prints as JSON, as API Gateway's do */
};

typedef struct vtl_ent {
    const char *k;
    size_t klen;
    vtl_val v;
} vtl_ent;

struct vtl_map {
    vtl_ent *ents;      /* in insertion order, as a LinkedHashMap */
    size_t n, cap;
    uint32_t *idx;      /* open-addressed index (entry + 1), once n > 8 */
    size_t idxcap;
    int entry;          /* an entrySet() element: prints as k=v */
};

struct vtl_loop {
    int64_t index;
    int has_next;
    vtl_loop *parent;
};

/* ---- syntax tree ---- */

typedef struct vtl_node vtl_node;
typedef struct vtl_expr vtl_expr;
typedef struct vtl_acc vtl_acc;

enum { ACC_PROP, ACC_CALL, ACC_INDEX };

/* One step after a reference's head: .name, .name(args) or [expr]. */
struct vtl_acc {
    int kind;
    const char *name;
    size_t nlen;
    vtl_expr **args;    /* ACC_CALL: nargs; ACC_INDEX: args[0] */
    int nargs;
    vtl_acc *next;
};

typedef struct vtl_ref {
    const char *name;
    size_t nlen;
    int quiet;          /* $!x */
    const char *src;    /* the reference's own text */
    size_t srclen;
    int line;
    vtl_acc *acc;
} vtl_ref;

enum { VE_LIT, VE_STR, VE_REF, VE_LIST, VE_MAP, VE_RANGE, VE_NOT, VE_NEG, VE_BIN };
enum {
    OP_OR, OP_AND, OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD
};

struct vtl_expr {
    int kind, op, line;
    vtl_val lit;        /* VE_LIT */
    vtl_node *tmpl;     /* VE_STR: an interpolated "string" */
    vtl_ref *ref;       /* VE_REF */
    vtl_expr *a, *b;    /* operands; VE_RANGE bounds */
    vtl_expr **items;   /* VE_LIST items; VE_MAP key, value, key, ... */
    int n;
};

enum { VN_TEXT, VN_REF, VN_SET, VN_IF, VN_FOREACH, VN_BREAK, VN_STOP };

struct vtl_node {
    int kind, line;
    vtl_node *next;
    const char *text;   /* VN_TEXT */
    size_t len;
    vtl_ref *ref;       /* VN_REF; VN_SET's left side */
    vtl_expr *expr;     /* VN_SET's right side; VN_IF's test; VN_FOREACH's list */
    vtl_node *body;     /* VN_IF, VN_FOREACH */
    vtl_node *elif;     /* VN_IF: the VN_IF its #elseif makes */
    vtl_node *els;      /* VN_IF: the #else block */
    const char *var;    /* VN_FOREACH: the loop variable */
    size_t varlen;
};

/* ---- a rendering ---- */

typedef struct vtl {
    ts_arena *arena;
    apigw_vtl_ctx *ctx;
    char *err;
    size_t errlen;
    int failed;         /* an error: everything unwinds */
    int stopped;        /* #stop */
    int breaking;       /* #break, until its #foreach sees it */
    size_t mem, steps, iterations;
    unsigned long regex_work;   /* apigw_vtl_regex.c's thread steps */
    int depth;

    /* parsing */
    const char *src, *p, *end;
    size_t *nl;         /* offsets of the template's newlines */
    size_t nnl;
    int in_string;      /* inside a "string": no whitespace gobbling */
    int sticky;         /* an error no retry undoes (too deep, a string
                         * that never ends): try_index keeps it */
    vtl_expr *elseif_cond;  /* the test of the #elseif just read */

    /* evaluating */
    ts_buf *out;
    int in_interp;      /* out is an interpolated string's buffer */
    vtl_map *vars;
    vtl_loop *loop;
    cJSON *body;        /* parsed lazily */
    int body_state;     /* 0 not yet, 1 parsed, -1 not JSON */
    vtl_map *path_cache;
    vtl_map *params;
    vtl_map *ov[5];     /* the override maps, which may be set only once */
} vtl;

/* apigw_vtl.c */
/* Records the first error (later ones are dropped) and stops the work. */
void apigw_vtl_fail(vtl *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* apigw_vtl_value.c */
/* Arena memory counted against APIGW_VTL_MAX_MEMORY; never NULL. */
void *apigw_vtl_alloc(vtl *v, size_t n);
vtl_val apigw_vtl_null(void);
vtl_val apigw_vtl_bool(int b);
vtl_val apigw_vtl_int(int64_t i);
vtl_val apigw_vtl_double(double d);
/* A string value holding a copy of p[0..n). */
vtl_val apigw_vtl_str(vtl *v, const char *p, size_t n);
/* A string value taking b's bytes (copied into the arena; b is reset). */
vtl_val apigw_vtl_str_buf(vtl *v, ts_buf *b);
vtl_val apigw_vtl_list_val(vtl_list *l);
vtl_val apigw_vtl_map_val(vtl_map *m);
vtl_list *apigw_vtl_list_new(vtl *v);
void apigw_vtl_list_push(vtl *v, vtl_list *l, vtl_val x);
vtl_map *apigw_vtl_map_new(vtl *v);
/* The value of key k, or NULL when k is absent. */
vtl_val *apigw_vtl_map_get(const vtl_map *m, const char *k, size_t klen);
/* Sets k to x; returns the previous value (null when there was none). */
vtl_val apigw_vtl_map_put(vtl *v, vtl_map *m, const char *k, size_t klen,
                          vtl_val x);
/* Removes k; returns the value it had (null when absent). */
vtl_val apigw_vtl_map_remove(vtl *v, vtl_map *m, const char *k, size_t klen);
/* A value built from JSON (lists marked as JSON's). */
vtl_val apigw_vtl_from_json(vtl *v, const cJSON *j);
/* A [lo..hi] range as a list; fails past APIGW_VTL_MAX_FOREACH items. */
vtl_list *apigw_vtl_range_list(vtl *v, vtl_val r);
int apigw_vtl_is_num(vtl_val x);
double apigw_vtl_num(vtl_val x);
/* Velocity's truth: null and false are false, everything else true. */
int apigw_vtl_truthy(vtl_val x);
/* Velocity's ==: numbers by value, like types by Java's equals, unlike
 * ones by their toString(). */
int apigw_vtl_equals(vtl *v, vtl_val a, vtl_val b);
/* Appends x as Java's toString() would (null as "null"). */
void apigw_vtl_print(vtl *v, ts_buf *b, vtl_val x);
/* Appends x as JSON text. */
void apigw_vtl_print_json(vtl *v, ts_buf *b, vtl_val x);
/* x as a string value (strings as they are, the rest via print). */
vtl_val apigw_vtl_to_str(vtl *v, vtl_val x);
/* A double as Java's Double.toString: "2.0", "0.99", "1.0E10". */
void apigw_vtl_fmt_double(double d, char *out, size_t n);

/* apigw_vtl_eval.c */
/* Runs a node list, appending to v->out. */
void apigw_vtl_exec(vtl *v, const vtl_node *n);
/* Sets up $input, $util, $context and $stageVariables. */
void apigw_vtl_globals(vtl *v);
/* Reads the overrides the template set into v->ctx; 0 or -1. */
int apigw_vtl_overrides(vtl *v);

/* apigw_vtl_str.c */
/* s.name(args) for java.lang.String's methods: 1 with *out set, or 0 when
 * String has no such method. */
int apigw_vtl_str_call(vtl *v, vtl_val s, const char *name, size_t nlen,
                       vtl_val *args, int nargs, int line, vtl_val *out);
/* s.name as a property ($s.empty). */
vtl_val apigw_vtl_str_prop(vtl *v, vtl_val s, const char *name, size_t nlen);

/* apigw_vtl_regex.c */
typedef struct vtl_regex vtl_regex;
/* Compiles the Java regex re[0..n) (whole: it must match all the text,
 * as String.matches wants); NULL with the rendering failed when the
 * pattern is bad or unsupported. */
vtl_regex *apigw_vtl_regex_compile(vtl *v, const char *re, size_t n,
                                   int whole, int line);
/* The number of capturing groups. */
int apigw_vtl_regex_groups(const vtl_regex *rx);
/* The leftmost (Java-preferred) match in s[0..n) starting at or after
 * start (only at start when anchored): 1 with caps[0..2*(groups+1))
 * set to byte offsets (-1 for a group that took no part), else 0.  Work
 * is counted in v->regex_work; past the bound it fails v and returns 0. */
int apigw_vtl_regex_find(vtl *v, vtl_regex *rx, const char *s, size_t n,
                         size_t start, int anchored, long *caps);

/* apigw_vtl_call.c */
/* self.name(args): the method's result, or null when there is none
 * (Velocity renders such a call as undefined).  Java exceptions (an
 * index out of range, bad base64, ...) fail the rendering. */
vtl_val apigw_vtl_call(vtl *v, vtl_val self, const char *name, size_t nlen,
                       vtl_val *args, int nargs, int line);
/* self.name as a property: a map's key, $input.body, $foreach.index... */
vtl_val apigw_vtl_prop(vtl *v, vtl_val self, const char *name, size_t nlen,
                       int line);
/* self[idx]: a list's item (negative counts from the end), a map's key. */
vtl_val apigw_vtl_index(vtl *v, vtl_val self, vtl_val idx, int line);

#endif
