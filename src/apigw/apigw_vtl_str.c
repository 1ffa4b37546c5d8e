/*
 * apigw_vtl_str.c - the java.lang.String methods mapping templates call:
 * length, substring, indexOf, replace, replaceAll, split, matches, ...
 *
 * Java counts and indexes strings in UTF-16 code units and ours are
 * UTF-8, so indexes are mapped through the text (a byte that starts no
 * valid sequence counts as one unit, as Java would have made it U+FFFD).
 * Case mapping is ASCII only.
 *
 * Regular expressions are Java's, run by apigw_vtl_regex.c; replacement
 * strings take $1..$9 and \-escapes, as Java's do.
 */
#include "apigw_vtl_int.h"

#include <math.h>
#include <string.h>

typedef vtl_val (*str_fn)(vtl *v, vtl_val s, vtl_val *a, int line);

typedef struct str_method {
    const char *name;
    int min, max;
    str_fn fn;
} str_method;

/* ---- UTF-16 positions ---- */

static size_t seq_len(const char *s, size_t n, size_t i)
{
    size_t k = ts_utf8_seq((const unsigned char *)s + i, n - i);

    return k ? k : 1;
}

/* UTF-16 units of the sequence at s[i]. */
static size_t seq_units(const char *s, size_t n, size_t i)
{
    size_t k = ts_utf8_seq((const unsigned char *)s + i, n - i);

    return k == 4 ? 2 : 1;
}

static int64_t u16_len(const char *s, size_t n)
{
    int64_t units = 0;

    for (size_t i = 0; i < n; i += seq_len(s, n, i))
        units += (int64_t)seq_units(s, n, i);
    return units;
}

/* The byte offset of UTF-16 index unit (0 <= unit <= length). */
static size_t u16_to_byte(const char *s, size_t n, int64_t unit)
{
    size_t i = 0;

    while (i < n && unit > 0) {
        unit -= (int64_t)seq_units(s, n, i);
        i += seq_len(s, n, i);
    }
    return i;
}

static int64_t byte_to_u16(const char *s, size_t n, size_t off)
{
    int64_t units = 0;

    for (size_t i = 0; i < off && i < n; i += seq_len(s, n, i))
        units += (int64_t)seq_units(s, n, i);
    return units;
}

static int arg_int(vtl_val x, int64_t *out)
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

static vtl_val sub(vtl *v, vtl_val s, size_t from, size_t to)
{
    return apigw_vtl_str(v, s.u.s.p + from, to - from);
}

/* The byte offset of needle in s at or after from, or -1. */
static long find(vtl_val s, vtl_val needle, size_t from)
{
    const char *p = s.u.s.p;
    size_t n = s.u.s.n, k = needle.u.s.n;

    if (k > n)
        return -1;
    for (size_t i = from; i + k <= n; i++)
        if (!memcmp(p + i, needle.u.s.p, k))
            return (long)i;
    return -1;
}

/* ---- simple methods ---- */

static vtl_val m_length(vtl *v, vtl_val s, vtl_val *a, int line)
{
    return apigw_vtl_int(u16_len(s.u.s.p, s.u.s.n));
}

static vtl_val m_is_empty(vtl *v, vtl_val s, vtl_val *a, int line)
{
    return apigw_vtl_bool(s.u.s.n == 0);
}

static vtl_val m_to_string(vtl *v, vtl_val s, vtl_val *a, int line)
{
    return s;
}

static vtl_val m_trim(vtl *v, vtl_val s, vtl_val *a, int line)
{
    size_t b = 0, e = s.u.s.n;

    while (b < e && (unsigned char)s.u.s.p[b] <= ' ')
        b++;
    while (e > b && (unsigned char)s.u.s.p[e - 1] <= ' ')
        e--;
    return sub(v, s, b, e);
}

static vtl_val change_case(vtl *v, vtl_val s, int upper)
{
    vtl_val r = apigw_vtl_str(v, s.u.s.p, s.u.s.n);
    char *p = (char *)r.u.s.p;

    for (size_t i = 0; i < r.u.s.n; i++) {
        if (upper && p[i] >= 'a' && p[i] <= 'z')
            p[i] = (char)(p[i] - 32);
        else if (!upper && p[i] >= 'A' && p[i] <= 'Z')
            p[i] = (char)(p[i] + 32);
    }
    return r;
}

static vtl_val m_lower(vtl *v, vtl_val s, vtl_val *a, int line)
{
    return change_case(v, s, 0);
}

static vtl_val m_upper(vtl *v, vtl_val s, vtl_val *a, int line)
{
    return change_case(v, s, 1);
}

static vtl_val m_contains(vtl *v, vtl_val s, vtl_val *a, int line)
{
    return apigw_vtl_bool(find(s, apigw_vtl_to_str(v, a[0]), 0) >= 0);
}

static vtl_val m_starts_with(vtl *v, vtl_val s, vtl_val *a, int line)
{
    vtl_val p = apigw_vtl_to_str(v, a[0]);
    int64_t off = 0;
    size_t b;

    if (a[1].type != VT_NULL && !arg_int(a[1], &off))
        return apigw_vtl_null();
    if (off < 0 || off > u16_len(s.u.s.p, s.u.s.n))
        return apigw_vtl_bool(0);
    b = u16_to_byte(s.u.s.p, s.u.s.n, off);
    return apigw_vtl_bool(s.u.s.n - b >= p.u.s.n &&
                          !memcmp(s.u.s.p + b, p.u.s.p, p.u.s.n));
}

static vtl_val m_ends_with(vtl *v, vtl_val s, vtl_val *a, int line)
{
    vtl_val p = apigw_vtl_to_str(v, a[0]);

    return apigw_vtl_bool(s.u.s.n >= p.u.s.n &&
                          !memcmp(s.u.s.p + s.u.s.n - p.u.s.n, p.u.s.p,
                                  p.u.s.n));
}

static vtl_val m_equals(vtl *v, vtl_val s, vtl_val *a, int line)
{
    return apigw_vtl_bool(a[0].type == VT_STR && a[0].u.s.n == s.u.s.n &&
                          !memcmp(a[0].u.s.p, s.u.s.p, s.u.s.n));
}

static vtl_val m_equals_ic(vtl *v, vtl_val s, vtl_val *a, int line)
{
    vtl_val x, y;

    if (a[0].type != VT_STR || a[0].u.s.n != s.u.s.n)
        return apigw_vtl_bool(0);
    x = change_case(v, s, 0);
    y = change_case(v, a[0], 0);
    return apigw_vtl_bool(!memcmp(x.u.s.p, y.u.s.p, x.u.s.n));
}

static vtl_val m_compare_to(vtl *v, vtl_val s, vtl_val *a, int line)
{
    vtl_val o = apigw_vtl_to_str(v, a[0]);
    size_t n = TS_MIN(s.u.s.n, o.u.s.n);
    int c = memcmp(s.u.s.p, o.u.s.p, n);

    if (c)
        return apigw_vtl_int(c < 0 ? -1 : 1);
    return apigw_vtl_int((int64_t)s.u.s.n - (int64_t)o.u.s.n);
}

static vtl_val m_concat(vtl *v, vtl_val s, vtl_val *a, int line)
{
    vtl_val o = apigw_vtl_to_str(v, a[0]);
    ts_buf b;
    vtl_val r;

    ts_buf_init(&b);
    ts_buf_append(&b, s.u.s.p, s.u.s.n);
    ts_buf_append(&b, o.u.s.p, o.u.s.n);
    r = apigw_vtl_str_buf(v, &b);
    ts_buf_free(&b);
    return r;
}

static vtl_val m_index_of(vtl *v, vtl_val s, vtl_val *a, int line)
{
    int64_t from = 0;
    long at;

    if (a[1].type != VT_NULL && !arg_int(a[1], &from))
        return apigw_vtl_null();
    if (from < 0)
        from = 0;
    if (from > u16_len(s.u.s.p, s.u.s.n))
        return apigw_vtl_int(-1);
    at = find(s, apigw_vtl_to_str(v, a[0]),
              u16_to_byte(s.u.s.p, s.u.s.n, from));
    return apigw_vtl_int(at < 0 ? -1 : byte_to_u16(s.u.s.p, s.u.s.n,
                                                   (size_t)at));
}

static vtl_val m_last_index_of(vtl *v, vtl_val s, vtl_val *a, int line)
{
    vtl_val needle = apigw_vtl_to_str(v, a[0]);
    long at = -1, next;

    while ((next = find(s, needle, at < 0 ? 0 : (size_t)at + 1)) >= 0) {
        at = next;
        if ((size_t)at >= s.u.s.n)
            break;
    }
    return apigw_vtl_int(at < 0 ? -1 : byte_to_u16(s.u.s.p, s.u.s.n,
                                                   (size_t)at));
}

static vtl_val m_substring(vtl *v, vtl_val s, vtl_val *a, int line)
{
    int64_t len = u16_len(s.u.s.p, s.u.s.n), b, e = len;

    if (!arg_int(a[0], &b) || (a[1].type != VT_NULL && !arg_int(a[1], &e)))
        return apigw_vtl_null();
    if (b < 0 || e > len || b > e) {
        apigw_vtl_fail(v, "substring at line %d: index out of range", line);
        return apigw_vtl_null();
    }
    return sub(v, s, u16_to_byte(s.u.s.p, s.u.s.n, b),
               u16_to_byte(s.u.s.p, s.u.s.n, e));
}

static vtl_val m_char_at(vtl *v, vtl_val s, vtl_val *a, int line)
{
    int64_t i;
    size_t b;

    if (!arg_int(a[0], &i))
        return apigw_vtl_null();
    if (i < 0 || i >= u16_len(s.u.s.p, s.u.s.n)) {
        apigw_vtl_fail(v, "charAt at line %d: index out of range", line);
        return apigw_vtl_null();
    }
    b = u16_to_byte(s.u.s.p, s.u.s.n, i);
    return sub(v, s, b, b + seq_len(s.u.s.p, s.u.s.n, b));
}

/* replace(target, replacement): every occurrence, literally; an empty
 * target goes between every character and at both ends, as in Java. */
static vtl_val m_replace(vtl *v, vtl_val s, vtl_val *a, int line)
{
    vtl_val from = apigw_vtl_to_str(v, a[0]), to = apigw_vtl_to_str(v, a[1]);
    ts_buf b;
    size_t i = 0;
    long at;
    vtl_val r;

    ts_buf_init(&b);
    if (!from.u.s.n) {
        for (i = 0; i < s.u.s.n && b.len <= APIGW_VTL_MAX_STRING;) {
            size_t k = seq_len(s.u.s.p, s.u.s.n, i);
            ts_buf_append(&b, to.u.s.p, to.u.s.n);
            ts_buf_append(&b, s.u.s.p + i, k);
            i += k;
        }
        ts_buf_append(&b, to.u.s.p, to.u.s.n);
    } else {
        while ((at = find(s, from, i)) >= 0 && b.len <= APIGW_VTL_MAX_STRING) {
            ts_buf_append(&b, s.u.s.p + i, (size_t)at - i);
            ts_buf_append(&b, to.u.s.p, to.u.s.n);
            i = (size_t)at + from.u.s.n;
        }
        ts_buf_append(&b, s.u.s.p + i, s.u.s.n - i);
    }
    r = apigw_vtl_str_buf(v, &b);
    ts_buf_free(&b);
    return r;
}

/* ---- regular expressions (apigw_vtl_regex.c) ---- */

#define MAX_PATTERN 4096

static vtl_regex *compile(vtl *v, vtl_val re, int whole, int line)
{
    re = apigw_vtl_to_str(v, re);
    if (re.u.s.n > MAX_PATTERN) {
        apigw_vtl_fail(v, "regex at line %d longer than %d bytes", line,
                       MAX_PATTERN);
        return NULL;
    }
    return apigw_vtl_regex_compile(v, re.u.s.p, re.u.s.n, whole, line);
}

static vtl_val m_matches(vtl *v, vtl_val s, vtl_val *a, int line)
{
    vtl_regex *rx = compile(v, a[0], 1, line);
    long caps[20];
    int hit;

    if (!rx)
        return apigw_vtl_null();
    hit = apigw_vtl_regex_find(v, rx, s.u.s.p, s.u.s.n, 0, 1, caps);
    return v->failed ? apigw_vtl_null() : apigw_vtl_bool(hit);
}

/* Appends a Java replacement string: $n is group n, \x is x. */
static int put_replacement(vtl *v, ts_buf *b, vtl_val rep, vtl_val s,
                           const long *caps, int groups, int line)
{
    for (size_t i = 0; i < rep.u.s.n; i++) {
        char c = rep.u.s.p[i];
        if (c == '\\' && i + 1 < rep.u.s.n) {
            ts_buf_putc(b, rep.u.s.p[++i]);
        } else if (c == '$') {
            int g = i + 1 < rep.u.s.n ? rep.u.s.p[i + 1] - '0' : -1;
            if (g < 0 || g > groups) {
                apigw_vtl_fail(v, "replacement at line %d names no group of "
                               "the regex", line);
                return -1;
            }
            i++;
            if (caps[2 * g] >= 0)
                ts_buf_append(b, s.u.s.p + caps[2 * g],
                              (size_t)(caps[2 * g + 1] - caps[2 * g]));
        } else {
            ts_buf_putc(b, c);
        }
    }
    return 0;
}

/* replaceAll / replaceFirst.  After an empty match the search moves one
 * character on, as Java's does ("abc".replaceAll("x*", "-") is
 * "-a-b-c-"). */
static vtl_val replace_re(vtl *v, vtl_val s, vtl_val *a, int all, int line)
{
    vtl_regex *rx = compile(v, a[0], 0, line);
    vtl_val rep = apigw_vtl_to_str(v, a[1]), r = apigw_vtl_null();
    size_t off = 0, copied = 0, n = s.u.s.n;
    long caps[20];
    ts_buf b;

    if (!rx)
        return r;
    ts_buf_init(&b);
    while (off <= n && b.len <= APIGW_VTL_MAX_STRING &&
           apigw_vtl_regex_find(v, rx, s.u.s.p, n, off, 0, caps)) {
        size_t ms = (size_t)caps[0], me = (size_t)caps[1];
        ts_buf_append(&b, s.u.s.p + copied, ms - copied);
        if (put_replacement(v, &b, rep, s, caps,
                            apigw_vtl_regex_groups(rx), line) < 0)
            break;
        copied = me;
        off = me == ms ? me + (me < n ? seq_len(s.u.s.p, n, me) : 1) : me;
        if (!all)
            break;
    }
    if (!v->failed) {
        ts_buf_append(&b, s.u.s.p + copied, n - copied);
        r = apigw_vtl_str_buf(v, &b);
    }
    ts_buf_free(&b);
    return r;
}

static vtl_val m_replace_all(vtl *v, vtl_val s, vtl_val *a, int line)
{
    return replace_re(v, s, a, 1, line);
}

static vtl_val m_replace_first(vtl *v, vtl_val s, vtl_val *a, int line)
{
    return replace_re(v, s, a, 0, line);
}

/* split(regex[, limit]) as Java: no leading empty piece for a zero-width
 * match at the start; with no limit, trailing empty pieces go. */
static vtl_val m_split(vtl *v, vtl_val s, vtl_val *a, int line)
{
    vtl_regex *rx;
    vtl_list *l;
    int64_t limit = 0;
    size_t piece = 0, pos = 0, n = s.u.s.n;
    long caps[20];

    if (a[1].type != VT_NULL && !arg_int(a[1], &limit))
        return apigw_vtl_null();
    if (!(rx = compile(v, a[0], 0, line)))
        return apigw_vtl_null();
    l = apigw_vtl_list_new(v);
    while (pos <= n && !v->failed &&
           !(limit > 0 && (int64_t)l->n >= limit - 1) &&
           apigw_vtl_regex_find(v, rx, s.u.s.p, n, pos, 0, caps)) {
        size_t ms = (size_t)caps[0], me = (size_t)caps[1];
        if (me == ms) {
            if (ms >= n)
                break;
            if (ms > 0) {
                apigw_vtl_list_push(v, l, sub(v, s, piece, ms));
                piece = ms;
            }
            pos = ms + seq_len(s.u.s.p, n, ms);
        } else {
            apigw_vtl_list_push(v, l, sub(v, s, piece, ms));
            piece = pos = me;
        }
    }
    if (v->failed)
        return apigw_vtl_null();
    apigw_vtl_list_push(v, l, sub(v, s, piece, n));
    while (limit == 0 && l->n > 0 && l->items[l->n - 1].u.s.n == 0 &&
           (l->n > 1 || n > 0))
        l->n--;
    return apigw_vtl_list_val(l);
}

static const str_method str_methods[] = {
    {"length", 0, 0, m_length},
    {"isEmpty", 0, 0, m_is_empty},
    {"toString", 0, 0, m_to_string},
    {"trim", 0, 0, m_trim},
    {"toLowerCase", 0, 0, m_lower},
    {"toUpperCase", 0, 0, m_upper},
    {"contains", 1, 1, m_contains},
    {"startsWith", 1, 2, m_starts_with},
    {"endsWith", 1, 1, m_ends_with},
    {"equals", 1, 1, m_equals},
    {"equalsIgnoreCase", 1, 1, m_equals_ic},
    {"compareTo", 1, 1, m_compare_to},
    {"concat", 1, 1, m_concat},
    {"indexOf", 1, 2, m_index_of},
    {"lastIndexOf", 1, 1, m_last_index_of},
    {"substring", 1, 2, m_substring},
    {"charAt", 1, 1, m_char_at},
    {"replace", 2, 2, m_replace},
    {"replaceAll", 2, 2, m_replace_all},
    {"replaceFirst", 2, 2, m_replace_first},
    {"matches", 1, 1, m_matches},
    {"split", 1, 2, m_split},
};

int apigw_vtl_str_call(vtl *v, vtl_val s, const char *name, size_t nlen,
                       vtl_val *args, int nargs, int line, vtl_val *out)
{
    vtl_val a[2];

    for (size_t i = 0; i < TS_ARRAY_LEN(str_methods); i++) {
        const str_method *m = &str_methods[i];
        if (strlen(m->name) != nlen || memcmp(m->name, name, nlen) ||
            nargs < m->min || nargs > m->max)
            continue;
        a[0] = nargs > 0 ? args[0] : apigw_vtl_null();
        a[1] = nargs > 1 ? args[1] : apigw_vtl_null();
        /* Java throws on a null argument; Velocity then fails the call. */
        if ((nargs > 0 && a[0].type == VT_NULL && m->fn != m_equals) ||
            (nargs > 1 && a[1].type == VT_NULL)) {
            *out = apigw_vtl_null();
            return 1;
        }
        *out = m->fn(v, s, a, line);
        return 1;
    }
    return 0;
}

vtl_val apigw_vtl_str_prop(vtl *v, vtl_val s, const char *name, size_t nlen)
{
    /* Velocity's $s.empty finds isEmpty(); String has no other getters a
     * template would use (getBytes, getClass). */
    if (nlen == 5 && !memcmp(name, "empty", 5))
        return apigw_vtl_bool(s.u.s.n == 0);
    return apigw_vtl_null();
}
