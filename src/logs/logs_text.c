/*
 * logs_text.c - the pure parts of CloudWatch Logs, with no store and no
 * request: the name rules, the filter-pattern matcher FilterLogEvents
 * runs over each message, the paging tokens (a place between events
 * written as AWS's "f/<56 digits>/s" tokens look), eventIds, and the
 * cleaning every message gets before it is stored.
 */
#include "logs_int.h"

#include <stdio.h>
#include <string.h>

int logs_group_name_valid(const char *name)
{
    size_t len = strlen(name);

    if (len < 1 || len > 512)
        return 0;
    for (const char *p = name; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || strchr("._-/#", ch)))
            return 0;
    }
    return 1;
}

int logs_stream_name_valid(const char *name)
{
    size_t len = strlen(name);

    return len >= 1 && len <= 512 && !strpbrk(name, ":*");
}

/* ---- filter patterns ---- */

static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

int logs_pattern_compile(logs_pattern *p, const char *pattern, ts_arena *a, char *err,
                         size_t errlen)
{
    const char *s = pattern ? pattern : "";
    size_t cap = 0, len;
    int n = 0;

    memset(p, 0, sizeof(*p));
    while (is_blank(*s))
        s++;
    if (*s == '{' || *s == '[' || *s == '%') {
        snprintf(err, errlen, "tinystack supports filter patterns of terms, \"quoted "
                              "phrases\", ?terms and -terms; not JSON ({...}), "
                              "space-delimited ([...]) or regular-expression (%%...%%) "
                              "patterns");
        return -1;
    }
    /* At most one term per two characters. */
    len = strlen(s);
    cap = len / 2 + 1;
    p->terms = ts_arena_alloc(a, cap * sizeof(*p->terms));
    while (*s) {
        logs_term_kind kind = LOGS_TERM_ALL;
        ts_buf text;

        if (is_blank(*s)) {
            s++;
            continue;
        }
        if ((*s == '?' || *s == '-') && s[1] && !is_blank(s[1])) {
            kind = *s == '?' ? LOGS_TERM_ANY : LOGS_TERM_NOT;
            s++;
        }
        ts_buf_init(&text);
        if (*s == '"') {
            s++;
            while (*s && *s != '"') {
                if (*s == '\\' && s[1])
                    s++;
                ts_buf_putc(&text, *s++);
            }
            if (*s != '"') {
                ts_buf_free(&text);
                snprintf(err, errlen, "Invalid filter pattern: a quoted term is not closed");
                return -1;
            }
            s++;
        } else {
            while (*s && !is_blank(*s))
                ts_buf_putc(&text, *s++);
        }
        if (text.len > 0 && (size_t)n < cap) {
            p->terms[n].kind = kind;
            p->terms[n].text = ts_arena_strndup(a, text.data, text.len);
            p->terms[n].len = text.len;
            if (kind == LOGS_TERM_ANY)
                p->any++;
            n++;
        }
        ts_buf_free(&text);
    }
    p->n = n;
    return 0;
}

int logs_pattern_match(const logs_pattern *p, const char *msg, size_t len)
{
    int any = 0;

    for (int i = 0; i < p->n; i++) {
        const logs_term *t = &p->terms[i];
        int found = memmem(msg, len, t->text, t->len) != NULL;

        switch (t->kind) {
        case LOGS_TERM_ALL:
            if (!found)
                return 0;
            break;
        case LOGS_TERM_NOT:
            if (found)
                return 0;
            break;
        case LOGS_TERM_ANY:
            any |= found;
            break;
        }
    }
    return p->any == 0 || any;
}

/* ---- tokens ---- */

void logs_token_encode(char kind, logs_pos pos, char out[LOGS_TOKEN_SIZE])
{
    snprintf(out, LOGS_TOKEN_SIZE, "%c/%020lld%036lld/s", kind, (long long)pos.ts,
             (long long)pos.id);
}

/* Reads n decimal digits as a value of at most INT64_MAX; 0 or -1. */
static int read_digits(const char *s, size_t n, int64_t *out)
{
    uint64_t v = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        if (v > ((uint64_t)INT64_MAX - (uint64_t)(s[i] - '0')) / 10)
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = (int64_t)v;
    return 0;
}

int logs_token_decode(const char *token, char *kind, logs_pos *pos)
{
    if (!token || strlen(token) != LOGS_TOKEN_SIZE - 1 || !strchr("fbn", token[0]) ||
        token[1] != '/' || strcmp(token + 58, "/s") != 0)
        return -1;
    if (read_digits(token + 2, 20, &pos->ts) != 0 || read_digits(token + 22, 36, &pos->id) != 0)
        return -1;
    *kind = token[0];
    return 0;
}

void logs_event_id(logs_pos pos, char out[57])
{
    snprintf(out, 57, "%020lld%036lld", (long long)pos.ts, (long long)pos.id);
}

/* ---- messages ---- */

void logs_message_clean(ts_buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;

    ts_buf_reserve(out, n);
    while (p < end) {
        const unsigned char *run = p;
        size_t k;

        /* Copy the longest stretch of well-formed text at once. */
        while (p < end && *p && (k = ts_utf8_seq(p, (size_t)(end - p))) > 0)
            p += k;
        ts_buf_append(out, run, (size_t)(p - run));
        if (p == end)
            break;
        if (*p == 0) {
            ts_buf_append(out, "\xC0\x80", 2);
            p++;
        } else if (*p == 0xC0 && p + 1 < end && p[1] == 0x80) {
            ts_buf_append(out, p, 2);
            p += 2;
        } else {
            ts_buf_append(out, "\xEF\xBF\xBD", 3);
            p++;
        }
    }
}
