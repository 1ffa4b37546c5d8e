/*
 * ts_text.c - encodings and small string helpers: hex, base64 (through
 * OpenSSL's EVP coder), URL escapes, random ids, and the time formats AWS
 * uses (RFC 1123 in headers, ISO 8601 in bodies).
 */
#include "tinystack/core.h"
#include "tinystack/config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

void ts_hex_encode(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int ts_hex_decode(const char *in, size_t n, unsigned char *out)
{
    if (n % 2)
        return -1;
    for (size_t i = 0; i < n; i += 2) {
        int hi = hexval((unsigned char)in[i]), lo = hexval((unsigned char)in[i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i / 2] = (unsigned char)(hi << 4 | lo);
    }
    return (int)(n / 2);
}

char *ts_base64_encode(const unsigned char *in, size_t n)
{
    char *out = ts_malloc(4 * ((n + 2) / 3) + 1);

    EVP_EncodeBlock((unsigned char *)out, in, (int)n);
    return out;
}

int ts_base64_decode(const char *in, size_t n, unsigned char **out,
                     size_t *outlen)
{
    unsigned char *buf;
    int len;
    size_t pad = 0;

    if (n % 4) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '=') {
            if (i < n - 2)
                return -1;
            pad++;
        } else if (pad || !(isalnum(c) || c == '+' || c == '/')) {
            return -1;
        }
    }
    buf = ts_malloc(n / 4 * 3 + 1);
    len = n ? EVP_DecodeBlock(buf, (const unsigned char *)in, (int)n) : 0;
    if (len < 0) {
        free(buf);
        return -1;
    }
    *out = buf;
    *outlen = (size_t)len - pad;
    return 0;
}

int64_t ts_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double ts_now_monotonic(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Whole seconds, rounding down (also before 1970). */
static time_t seconds_of(int64_t epoch_ms)
{
    return (time_t)(epoch_ms >= 0 ? epoch_ms / 1000 : -((-epoch_ms + 999) / 1000));
}

void ts_time_rfc1123(int64_t epoch_ms, char *out)
{
    time_t t = seconds_of(epoch_ms);
    struct tm tm;

    gmtime_r(&t, &tm);
    /* The C locale is never changed, so %a and %b are English. */
    strftime(out, 32, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

void ts_time_iso8601(int64_t epoch_ms, char *out)
{
    time_t t = seconds_of(epoch_ms);
    struct tm tm;

    gmtime_r(&t, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(epoch_ms % 1000 + 1000) % 1000);
}

int ts_time_parse(const char *s, int64_t *epoch_ms)
{
    static const char *formats[] = {
        "%a, %d %b %Y %H:%M:%S GMT", /* RFC 1123 */
        "%A, %d-%b-%y %H:%M:%S GMT", /* RFC 850 */
        "%a %b %d %H:%M:%S %Y",      /* asctime */
        "%Y-%m-%dT%H:%M:%S",         /* ISO 8601, fraction and zone after */
        "%Y%m%dT%H%M%SZ",            /* SigV4 basic format */
    };

    for (size_t i = 0; i < TS_ARRAY_LEN(formats); i++) {
        struct tm tm;
        const char *end;
        int ms = 0;

        memset(&tm, 0, sizeof(tm));
        end = strptime(s, formats[i], &tm);
        if (!end)
            continue;
        if (i == 3) {
            if (*end == '.') {
                int scale = 100;
                for (end++; isdigit((unsigned char)*end); end++, scale /= 10)
                    ms += (*end - '0') * scale;
            }
            if (*end == 'Z')
                end++;
            else if (!strncmp(end, "+00:00", 6))
                end += 6;
        }
        if (*end)
            continue;
        *epoch_ms = (int64_t)timegm(&tm) * 1000 + ms;
        return 0;
    }
    return -1;
}

void ts_random_hex(char *out, size_t nbytes)
{
    unsigned char raw[64];

    while (nbytes) {
        size_t n = TS_MIN(nbytes, sizeof(raw));
        if (RAND_bytes(raw, (int)n) != 1)
            abort();
        ts_hex_encode(raw, n, out);
        out += 2 * n;
        nbytes -= n;
    }
}

void ts_request_id(char *out)
{
    char hex[33];

    ts_random_hex(hex, 16);
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
             hex + 16, hex + 20);
}

void ts_uuid_v4(char *out)
{
    unsigned char raw[16];
    char hex[33];

    if (RAND_bytes(raw, (int)sizeof(raw)) != 1)
        abort();
    raw[6] = (unsigned char)((raw[6] & 0x0F) | 0x40); /* version 4 */
    raw[8] = (unsigned char)((raw[8] & 0x3F) | 0x80); /* variant 10xx (RFC 4122) */
    ts_hex_encode(raw, sizeof(raw), hex);
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
             hex + 16, hex + 20);
}

int ts_strieq(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

int ts_starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int ts_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

char *ts_url_decode(const char *s, size_t n, int plus_space)
{
    size_t len;

    return ts_url_decode_len(s, n, plus_space, &len);
}

char *ts_url_decode_len(const char *s, size_t n, int plus_space, size_t *outlen)
{
    char *out = ts_malloc(n + 1), *o = out;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            int hi, lo;
            if (i + 2 >= n)
                goto bad;
            hi = hexval((unsigned char)s[i + 1]);
            lo = hexval((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0)
                goto bad;
            *o++ = (char)(hi << 4 | lo);
            i += 2;
        } else if (s[i] == '+' && plus_space) {
            *o++ = ' ';
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    *outlen = (size_t)(o - out);
    return out;
bad:
    free(out);
    return NULL;
}

size_t ts_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    uint32_t cp, min;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, cp = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, cp = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

int ts_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;

    while (p < end) {
        size_t k;
        if (*p < 0x80) {
            p++;
            continue;
        }
        k = ts_utf8_seq(p, (size_t)(end - p));
        if (!k)
            return 0;
        p += k;
    }
    return 1;
}

void ts_url_encode(ts_buf *b, const char *s, size_t n, int keep_slash)
{
    static const char digits[] = "0123456789ABCDEF";

    ts_buf_reserve(b, n * 3);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
            (c == '/' && keep_slash)) {
            b->data[b->len++] = (char)c;
        } else {
            b->data[b->len++] = '%';
            b->data[b->len++] = digits[c >> 4];
            b->data[b->len++] = digits[c & 15];
        }
    }
    b->data[b->len] = '\0';
}

int ts_glob_match(const char *pattern, const char *s)
{
    const char *star = NULL, *resume = NULL;

    while (*s) {
        if (*pattern == '*') {
            star = pattern++;
            resume = s;
        } else if (*pattern == '?' || *pattern == *s) {
            pattern++;
            s++;
        } else if (star) {
            pattern = star + 1;
            s = ++resume;
        } else {
            return 0;
        }
    }
    while (*pattern == '*')
        pattern++;
    return *pattern == '\0';
}

const char *ts_public_host(ts_arena *a, const char *dflt_host)
{
    const char *h = ts_cfg.public_host;

    if (h && *h)
        return strchr(h, ':') ? ts_arena_strdup(a, h)
                              : ts_arena_printf(a, "%s:%d", h, ts_cfg.port);
    return ts_arena_printf(a, "%s:%d", dflt_host, ts_cfg.port);
}
