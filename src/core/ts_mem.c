/*
 * ts_mem.c - allocation wrappers, the growable buffer and the request arena.
 * Allocation failure aborts here, in one place, so callers never check for
 * NULL (as Redis's zmalloc).  The arena hands out memory from 8 KiB blocks
 * (bigger requests get a block of their own) and frees it all at once,
 * running registered cleanups first, newest first.
 */
#include "tinystack/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
    fprintf(stderr, "tinystack: out of memory allocating %zu bytes\n", n);
    abort();
}

void *ts_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (!p)
        oom(n);
    return p;
}

void *ts_calloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

    if (!p)
        oom(nmemb * size);
    return p;
}

void *ts_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (!q)
        oom(n);
    return q;
}

char *ts_strdup(const char *s)
{
    return ts_strndup(s, strlen(s));
}

char *ts_strndup(const char *s, size_t n)
{
    char *p = ts_malloc(n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void ts_free(void *p)
{
    free(p);
}

void ts_buf_init(ts_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void ts_buf_free(ts_buf *b)
{
    free(b->data);
    ts_buf_init(b);
}

void ts_buf_reserve(ts_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;

    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    b->data = ts_realloc(b->data, cap);
    b->cap = cap;
}

void ts_buf_append(ts_buf *b, const void *p, size_t n)
{
    ts_buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void ts_buf_puts(ts_buf *b, const char *s)
{
    ts_buf_append(b, s, strlen(s));
}

void ts_buf_putc(ts_buf *b, char c)
{
    ts_buf_append(b, &c, 1);
}

void ts_buf_vprintf(ts_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    int n;

    ts_buf_reserve(b, 64);
    va_copy(cp, ap);
    n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, cp);
    va_end(cp);
    if (n < 0)
        return;
    if ((size_t)n >= b->cap - b->len) {
        ts_buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    }
    b->len += (size_t)n;
}

void ts_buf_printf(ts_buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    ts_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void ts_buf_reset(ts_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

char *ts_buf_detach(ts_buf *b, size_t *len)
{
    char *p;

    if (!b->data)
        ts_buf_reserve(b, 0), b->data[0] = '\0';
    p = b->data;
    if (len)
        *len = b->len;
    ts_buf_init(b);
    return p;
}

/* ---- arena ---- */

#define ARENA_BLOCK 8192

typedef struct arena_block {
    struct arena_block *next;
    size_t used, size;
    max_align_t data[];
} arena_block;

typedef struct arena_cleanup {
    struct arena_cleanup *next;
    ts_cleanup_fn fn;
    void *arg;
} arena_cleanup;

struct ts_arena {
    arena_block *blocks;
    arena_cleanup *cleanups;
};

ts_arena *ts_arena_new(void)
{
    return ts_calloc(1, sizeof(ts_arena));
}

void ts_arena_free(ts_arena *a)
{
    if (!a)
        return;
    for (arena_cleanup *c = a->cleanups; c; c = c->next)
        c->fn(c->arg);
    arena_block *b = a->blocks;
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

void *ts_arena_alloc(ts_arena *a, size_t n)
{
    const size_t align = sizeof(max_align_t);
    arena_block *b = a->blocks;

    if (n > SIZE_MAX / 2)
        oom(n);
    n = (n + align - 1) & ~(align - 1);
    if (!n)
        n = align;
    if (!b || b->size - b->used < n) {
        size_t size = n > ARENA_BLOCK / 2 ? n : ARENA_BLOCK;
        arena_block *nb = ts_malloc(sizeof(arena_block) + size);

        nb->used = 0;
        nb->size = size;
        if (size == n && b) {
            /* A big one-off: keep the current block as the head. */
            nb->next = b->next;
            b->next = nb;
            nb->used = n;
            return nb->data;
        }
        nb->next = b;
        a->blocks = b = nb;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

void *ts_arena_zalloc(ts_arena *a, size_t n)
{
    void *p = ts_arena_alloc(a, n);

    memset(p, 0, n);
    return p;
}

char *ts_arena_strndup(ts_arena *a, const char *s, size_t n)
{
    char *p = ts_arena_alloc(a, n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *ts_arena_strdup(ts_arena *a, const char *s)
{
    return ts_arena_strndup(a, s, strlen(s));
}

char *ts_arena_printf(ts_arena *a, const char *fmt, ...)
{
    va_list ap, cp;
    char small[256];
    int n;

    va_start(ap, fmt);
    va_copy(cp, ap);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *p = ts_arena_alloc(a, (size_t)n + 1);
    if ((size_t)n < sizeof(small))
        memcpy(p, small, (size_t)n + 1);
    else
        vsnprintf(p, (size_t)n + 1, fmt, cp);
    va_end(cp);
    return p;
}

void ts_arena_cleanup(ts_arena *a, ts_cleanup_fn fn, void *arg)
{
    arena_cleanup *c = ts_arena_alloc(a, sizeof(*c));

    c->fn = fn;
    c->arg = arg;
    c->next = a->cleanups;
    a->cleanups = c;
}
