/*
 * apigw_http_parse.c - the pure half of API Gateway's HTTP client
 * (apigw_http.c): the URL parser, the request writer, and the response
 * parser.  The parser is a small state machine over lines (the status,
 * headers, chunk sizes, trailers) and runs of body bytes, so a response
 * may come in pieces of any size; it holds at most APIGW_HTTP_MAX_HEAD
 * bytes of lines and APIGW_HTTP_MAX_BODY of body, whatever it is fed.
 */
#include "apigw_http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- the URL and the request ---- */

static const char err_bad_url[] = "bad url";
static const char err_https[] = "https is not supported";
static const char err_bad_method[] = "bad method";
static const char err_bad_header[] = "bad header";
static const char err_bad_response[] = "bad response";
static const char err_too_large[] = "too large";

/* RFC 9110's tchar. */
static int is_tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int is_token(const char *s, size_t n)
{
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_tchar((unsigned char)s[i]))
            return 0;
    return 1;
}

/* A field value's bytes: tab, visible ASCII, space and obs-text. */
static int is_field_text(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c != '\t' && (c < 0x20 || c == 0x7f))
            return 0;
    }
    return 1;
}

static int is_host_char(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           c == '-' || c == '.' || c == '_';
}

int apigw_http_parse_url(const char *url, apigw_http_url *u, const char **error)
{
    const char *auth, *end, *p;
    size_t hlen;
    unsigned char a6[16];

    memset(u, 0, sizeof *u);
    *error = err_bad_url;
    if (!url)
        return -1;
    if (!strncasecmp(url, "https://", 8)) {
        *error = err_https;
        return -1;
    }
    if (strncasecmp(url, "http://", 7) != 0)
        return -1;
    auth = url + 7;
    end = auth + strcspn(auth, "/?#");
    if (auth[0] == '[') {
        const char *close = memchr(auth, ']', (size_t)(end - auth));
        if (!close)
            return -1;
        hlen = (size_t)(close - auth - 1);
        if (!hlen || hlen >= sizeof u->host)
            return -1;
        memcpy(u->host, auth + 1, hlen);
        if (inet_pton(AF_INET6, u->host, a6) != 1)
            return -1;
        u->ipv6 = 1;
        p = close + 1;
    } else {
        const char *colon = memchr(auth, ':', (size_t)(end - auth));
        p = colon ? colon : end;
        hlen = (size_t)(p - auth);
        if (!hlen || hlen > 253)
            return -1;
        for (size_t i = 0; i < hlen; i++)
            if (!is_host_char((unsigned char)auth[i]))
                return -1;
        memcpy(u->host, auth, hlen);
    }
    u->port = 80;
    if (p < end) {
        long port = 0;
        if (*p++ != ':' || end - p > 5)
            return -1;
        for (; p < end; p++) {
            if (*p < '0' || *p > '9')
                return -1;
            port = port * 10 + (*p - '0');
        }
        /* "http://host:/" names the default port (RFC 3986). */
        if (port > 65535 || (port == 0 && p[-1] != ':'))
            return -1;
        if (port)
            u->port = (int)port;
    }
    u->target = end;
    u->target_len = strcspn(end, "#");
    for (size_t i = 0; i < u->target_len; i++) {
        unsigned char c = (unsigned char)end[i];
        if (c <= 0x20 || c == 0x7f)
            return -1;
    }
    *error = NULL;
    return 0;
}

/* The headers the client sets itself. */
static int is_own_header(const char *name)
{
    return ts_strieq(name, "Host") || ts_strieq(name, "Content-Length") ||
           ts_strieq(name, "Connection") || ts_strieq(name, "Transfer-Encoding");
}

int apigw_http_build_request(ts_buf *out, const char *method, const apigw_http_url *u,
                             const ts_kv *headers, const char *body, size_t len,
                             const char **error)
{
    if (!method || !is_token(method, strlen(method))) {
        *error = err_bad_method;
        return -1;
    }
    for (const ts_kv *h = headers; h; h = h->next) {
        if (!h->name || !is_token(h->name, strlen(h->name)) ||
            (h->value && !is_field_text(h->value, strlen(h->value)))) {
            *error = err_bad_header;
            return -1;
        }
    }
    ts_buf_puts(out, method);
    ts_buf_putc(out, ' ');
    if (!u->target_len || u->target[0] != '/')
        ts_buf_putc(out, '/');
    ts_buf_append(out, u->target, u->target_len);
    ts_buf_puts(out, " HTTP/1.1\r\nHost: ");
    ts_buf_printf(out, u->ipv6 ? "[%s]" : "%s", u->host);
    if (u->port != 80)
        ts_buf_printf(out, ":%d", u->port);
    ts_buf_puts(out, "\r\n");
    for (const ts_kv *h = headers; h; h = h->next) {
        if (is_own_header(h->name))
            continue;
        ts_buf_printf(out, "%s: %s\r\n", h->name, h->value ? h->value : "");
    }
    if (len || !strcmp(method, "POST") || !strcmp(method, "PUT") || !strcmp(method, "PATCH"))
        ts_buf_printf(out, "Content-Length: %zu\r\n", len);
    ts_buf_puts(out, "Connection: close\r\n\r\n");
    if (len)
        ts_buf_append(out, body, len);
    *error = NULL;
    return 0;
}

/* ---- the response parser ---- */

enum {
    PS_STATUS,          /* lines: the status line */
    PS_HEADER,          /* lines: header fields up to the blank line */
    PS_CHUNK_SIZE,      /* lines: a chunk's size (and extensions) */
    PS_CHUNK_END,       /* lines: the CRLF after a chunk's data */
    PS_TRAILER,         /* lines: trailer fields up to the blank line */
    PS_LENGTH,          /* bytes: left more of the Content-Length */
    PS_CHUNK_DATA,      /* bytes: left more of the chunk */
    PS_CLOSE,           /* bytes: everything up to the close */
    PS_DONE,
    PS_ERROR,
};

/* The longest chunk-size line (a size and its extensions). */
#define CHUNK_LINE_MAX 1024

void apigw_http_parser_init(apigw_http_parser *p, int head_only)
{
    memset(p, 0, sizeof *p);
    p->state = PS_STATUS;
    p->head_only = head_only;
    p->tail = &p->headers;
    p->arena = ts_arena_new();
    ts_buf_init(&p->body);
    ts_buf_init(&p->line);
}

void apigw_http_parser_free(apigw_http_parser *p)
{
    ts_buf_free(&p->body);
    ts_buf_free(&p->line);
    if (p->arena)
        ts_arena_free(p->arena);
    p->arena = NULL;
    p->headers = NULL;
    p->tail = &p->headers;
}

static int fail(apigw_http_parser *p, const char *why)
{
    p->state = PS_ERROR;
    p->error = why;
    return -1;
}

/* "HTTP/1.x SSS[ reason]". */
static int parse_status(apigw_http_parser *p, const char *s, size_t n)
{
    int status;

    if (n < 12 || memcmp(s, "HTTP/1.", 7) != 0 || s[7] < '0' || s[7] > '9' || s[8] != ' ')
        return fail(p, err_bad_response);
    if (s[9] < '1' || s[9] > '5' || s[10] < '0' || s[10] > '9' || s[11] < '0' || s[11] > '9')
        return fail(p, err_bad_response);
    if (n > 12 && (s[12] != ' ' || !is_field_text(s + 13, n - 13)))
        return fail(p, err_bad_response);
    status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
    p->status = status;
    p->state = PS_HEADER;
    return 0;
}

/* The last comma-separated coding of a Transfer-Encoding value is
 * "chunked". */
static int ends_chunked(const char *v)
{
    const char *last = strrchr(v, ',');
    size_t n;

    last = last ? last + 1 : v;
    while (*last == ' ' || *last == '\t')
        last++;
    n = strlen(last);
    while (n && (last[n - 1] == ' ' || last[n - 1] == '\t'))
        n--;
    return n == 7 && !strncasecmp(last, "chunked", 7);
}

static int parse_header(apigw_http_parser *p, const char *s, size_t n)
{
    const char *colon = memchr(s, ':', n), *v, *e;
    ts_kv *kv;

    /* A folded line (obs-fold) and whitespace before the colon are both
     * refused, as RFC 9112 tells a client it may. */
    if (!colon || !is_token(s, (size_t)(colon - s)))
        return fail(p, err_bad_response);
    v = colon + 1;
    e = s + n;
    while (v < e && (*v == ' ' || *v == '\t'))
        v++;
    while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    if (!is_field_text(v, (size_t)(e - v)))
        return fail(p, err_bad_response);
    kv = ts_arena_zalloc(p->arena, sizeof *kv);
    kv->name = ts_arena_strndup(p->arena, s, (size_t)(colon - s));
    kv->value = ts_arena_strndup(p->arena, v, (size_t)(e - v));
    *p->tail = kv;
    p->tail = &kv->next;
    if (ts_strieq(kv->name, "Transfer-Encoding")) {
        /* Codings add up over repeated fields, so the last one decides. */
        p->chunked = ends_chunked(kv->value) ? 1 : 2;
    } else if (ts_strieq(kv->name, "Content-Length")) {
        uint64_t len = 0;
        size_t digits = strlen(kv->value);
        if (!digits || digits > 18)
            return fail(p, err_bad_response);
        for (const char *d = kv->value; *d; d++) {
            if (*d < '0' || *d > '9')
                return fail(p, err_bad_response);
            len = len * 10 + (uint64_t)(*d - '0');
        }
        if (p->has_length && len != p->length)
            return fail(p, err_bad_response);
        p->has_length = 1;
        p->length = len;
    }
    return 0;
}

/* The blank line after the headers: how the body is framed. */
static int headers_end(apigw_http_parser *p)
{
    if (p->status < 200 && p->status != 101) {
        /* An interim answer (100 Continue): the real one follows. */
        p->headers = NULL;
        p->tail = &p->headers;
        p->status = 0;
        p->chunked = p->has_length = 0;
        p->length = 0;
        p->state = PS_STATUS;
        return 0;
    }
    if (p->head_only || p->status < 200 || p->status == 204 || p->status == 304) {
        p->state = PS_DONE;
    } else if (p->chunked == 1) {
        p->state = PS_CHUNK_SIZE;
    } else if (p->chunked == 2 || !p->has_length) {
        p->state = PS_CLOSE;
    } else if (p->length > APIGW_HTTP_MAX_BODY) {
        return fail(p, err_too_large);
    } else {
        p->left = p->length;
        p->state = p->length ? PS_LENGTH : PS_DONE;
    }
    return 0;
}

/* "1a[ ;ext=v]": hex digits, then optional whitespace and extensions,
 * which are ignored. */
static int parse_chunk_size(apigw_http_parser *p, const char *s, size_t n)
{
    uint64_t size = 0;
    size_t i = 0;

    for (; i < n && isxdigit((unsigned char)s[i]); i++) {
        if (i == 15)
            return fail(p, err_bad_response);
        size = size * 16 + (uint64_t)(s[i] <= '9' ? s[i] - '0' : (s[i] | 0x20) - 'a' + 10);
    }
    if (!i)
        return fail(p, err_bad_response);
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i < n && (s[i] != ';' || !is_field_text(s + i, n - i)))
        return fail(p, err_bad_response);
    if (!size) {
        p->state = PS_TRAILER;
        return 0;
    }
    if (size > APIGW_HTTP_MAX_BODY - p->body.len)
        return fail(p, err_too_large);
    p->left = size;
    p->state = PS_CHUNK_DATA;
    return 0;
}

/* A whole line is in p->line, its LF included. */
static int line_done(apigw_http_parser *p)
{
    char *s = p->line.data;
    size_t n = p->line.len;
    int rc = 0;

    if (n < 2 || s[n - 2] != '\r')
        return fail(p, err_bad_response);
    n -= 2;
    s[n] = '\0';
    if (memchr(s, '\r', n))
        return fail(p, err_bad_response);
    switch (p->state) {
    case PS_STATUS:
        rc = parse_status(p, s, n);
        break;
    case PS_HEADER:
        rc = n ? parse_header(p, s, n) : headers_end(p);
        break;
    case PS_CHUNK_SIZE:
        rc = parse_chunk_size(p, s, n);
        break;
    case PS_CHUNK_END:
        if (n)
            return fail(p, err_bad_response);
        p->state = PS_CHUNK_SIZE;
        break;
    case PS_TRAILER:
        /* Trailer fields are read and dropped. */
        if (!n)
            p->state = PS_DONE;
        else if (!is_field_text(s, n) || s[0] == ' ' || s[0] == '\t' || !memchr(s, ':', n))
            return fail(p, err_bad_response);
        break;
    }
    ts_buf_reset(&p->line);
    return rc;
}

int apigw_http_parser_feed(apigw_http_parser *p, const char *data, size_t n)
{
    while (n && p->state < PS_DONE) {
        if (p->state < PS_LENGTH) {
            const char *nl = memchr(data, '\n', n);
            size_t take = nl ? (size_t)(nl - data) + 1 : n;
            int head = p->state != PS_CHUNK_SIZE && p->state != PS_CHUNK_END;

            if (head && (p->head_len += take) > APIGW_HTTP_MAX_HEAD)
                return fail(p, err_too_large);
            if (!head && p->line.len + take > CHUNK_LINE_MAX)
                return fail(p, err_bad_response);
            ts_buf_append(&p->line, data, take);
            data += take;
            n -= take;
            /* Not HTTP at all: say so now rather than at the cap. */
            if (p->state == PS_STATUS &&
                memcmp(p->line.data, "HTTP/1.", TS_MIN(p->line.len, 7)) != 0)
                return fail(p, err_bad_response);
            if (nl && line_done(p) < 0)
                return -1;
        } else if (p->state == PS_CLOSE) {
            if (n > APIGW_HTTP_MAX_BODY - p->body.len)
                return fail(p, err_too_large);
            ts_buf_append(&p->body, data, n);
            n = 0;
        } else {
            size_t take = (size_t)TS_MIN((uint64_t)n, p->left);
            ts_buf_append(&p->body, data, take);
            data += take;
            n -= take;
            p->left -= take;
            if (!p->left)
                p->state = p->state == PS_LENGTH ? PS_DONE : PS_CHUNK_END;
        }
    }
    if (p->state == PS_ERROR)
        return -1;
    return p->state == PS_DONE;
}

int apigw_http_parser_eof(apigw_http_parser *p)
{
    if (p->state == PS_CLOSE)
        p->state = PS_DONE;
    if (p->state == PS_DONE)
        return 1;
    if (p->state != PS_ERROR)
        fail(p, err_bad_response);
    return -1;
}
