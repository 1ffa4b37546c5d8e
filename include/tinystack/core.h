/*
 * core.h - small shared pieces every module uses: allocation wrappers that
 * abort on failure, a growable byte buffer, a per-request arena, hex/base64,
 * time formats and ids.  Nothing here includes a service header, so core
 * tests alone.
 */
#ifndef TINYSTACK_CORE_H
#define TINYSTACK_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <time.h>

#define TS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define TS_UNUSED(x) ((void)(x))
#define TS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define TS_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Allocation: these never return NULL; on failure they print and abort. */
void *ts_malloc(size_t n);
void *ts_calloc(size_t nmemb, size_t size);
void *ts_realloc(void *p, size_t n);
char *ts_strdup(const char *s);
char *ts_strndup(const char *s, size_t n);
void ts_free(void *p);

/* A growable byte buffer; data is always NUL-terminated past len. */
typedef struct ts_buf {
    char *data;
    size_t len;
    size_t cap;
} ts_buf;

void ts_buf_init(ts_buf *b);
void ts_buf_free(ts_buf *b);
void ts_buf_reserve(ts_buf *b, size_t extra);
void ts_buf_append(ts_buf *b, const void *p, size_t n);
void ts_buf_puts(ts_buf *b, const char *s);
void ts_buf_putc(ts_buf *b, char c);
void ts_buf_printf(ts_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void ts_buf_vprintf(ts_buf *b, const char *fmt, va_list ap);
void ts_buf_reset(ts_buf *b);
/* Hands the buffer's memory to the caller (free with ts_free); b is reset. */
char *ts_buf_detach(ts_buf *b, size_t *len);

/*
 * An arena: many small allocations freed at once.  A request owns one;
 * cleanups registered on it run (in reverse order) when it is freed.
 */
typedef struct ts_arena ts_arena;
typedef void (*ts_cleanup_fn)(void *);

ts_arena *ts_arena_new(void);
void ts_arena_free(ts_arena *a);
void *ts_arena_alloc(ts_arena *a, size_t n);
void *ts_arena_zalloc(ts_arena *a, size_t n);
char *ts_arena_strdup(ts_arena *a, const char *s);
char *ts_arena_strndup(ts_arena *a, const char *s, size_t n);
char *ts_arena_printf(ts_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void ts_arena_cleanup(ts_arena *a, ts_cleanup_fn fn, void *arg);

/* Hex and base64 (standard alphabet, padded). */
void ts_hex_encode(const unsigned char *in, size_t n, char *out); /* out: 2n+1 */
/* Returns bytes written, or -1 on bad input.  out must hold n/2 bytes. */
int ts_hex_decode(const char *in, size_t n, unsigned char *out);
/* Returns a ts_malloc'd NUL-terminated string. */
char *ts_base64_encode(const unsigned char *in, size_t n);
/* Decodes into a ts_malloc'd buffer; returns 0 and sets out and outlen, or
 * -1 when the input is not valid padded base64. */
int ts_base64_decode(const char *in, size_t n, unsigned char **out,
                     size_t *outlen);

/* Time. */
int64_t ts_now_ms(void);
double ts_now_monotonic(void);
/* "Wed, 21 Oct 2015 07:28:00 GMT"; out holds 32 bytes. */
void ts_time_rfc1123(int64_t epoch_ms, char *out);
/* "2015-10-21T07:28:00.000Z"; out holds 32 bytes. */
void ts_time_iso8601(int64_t epoch_ms, char *out);
/* Parses RFC 1123, RFC 850, asctime and ISO 8601; 0 or -1. */
int ts_time_parse(const char *s, int64_t *epoch_ms);

/* Random ids: n random bytes as lowercase hex into out (2n+1 bytes). */
void ts_random_hex(char *out, size_t nbytes);
/* A request id, 36 chars (UUID form) + NUL. */
void ts_request_id(char *out);
/* A random RFC 4122 UUID, version 4 ("xxxxxxxx-xxxx-4xxx-[89ab]xxx-
 * xxxxxxxxxxxx", lowercase) into out, which holds 37 bytes. */
void ts_uuid_v4(char *out);

/* Case-insensitive ASCII helpers. */
int ts_strieq(const char *a, const char *b);
int ts_starts_with(const char *s, const char *prefix);
int ts_ends_with(const char *s, const char *suffix);
/* 1 when s matches pattern, where * stands for any run of characters and
 * ? for one (IAM's ArnLike, S3's event names). */
int ts_glob_match(const char *pattern, const char *s);

/* URL percent-decoding into a ts_malloc'd string; plus_space turns '+'
 * into ' ' (form encoding).  Returns NULL on a malformed escape. */
char *ts_url_decode(const char *s, size_t n, int plus_space);
/* The same, also giving the decoded length (an escaped NUL is kept, so
 * it may exceed strlen of the result) in *outlen. */
char *ts_url_decode_len(const char *s, size_t n, int plus_space, size_t *outlen);
/* 1 when s[0..n) is well-formed UTF-8 (no overlong forms, surrogates or
 * code points past U+10FFFF), else 0. */
int ts_utf8_valid(const char *s, size_t n);
/* The length of the well-formed UTF-8 sequence at s (at most n bytes),
 * or 0 when the bytes there are not one. */
size_t ts_utf8_seq(const unsigned char *s, size_t n);
/* "host:port" for the URLs tinystack hands out: --public-host /
 * LOCALSTACK_HOST (its port added when it has none), else dflt_host with
 * the listen port; arena. */
const char *ts_public_host(ts_arena *a, const char *dflt_host);
/* Appends s percent-encoded (RFC 3986 unreserved kept; '/' kept when
 * keep_slash). */
void ts_url_encode(ts_buf *b, const char *s, size_t n, int keep_slash);

#endif
