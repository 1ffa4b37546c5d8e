/*
 * apigw_http.h - a small asynchronous HTTP/1.1 client for API Gateway's
 * HTTP and HTTP_PROXY integrations.  One libuv loop on a thread of its
 * own sends each request on a fresh connection (Connection: close) and
 * calls the caller back with the answer, so no worker thread waits on
 * the integration.  http:// only.
 *
 * The URL parser, the request writer and the response parser are pure
 * functions, exposed here for the unit tests.
 */
#ifndef TINYSTACK_APIGW_HTTP_H
#define TINYSTACK_APIGW_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "tinystack/core.h"
#include "tinystack/http.h"

/* The largest response body taken (decoded); past it: "too large". */
#define APIGW_HTTP_MAX_BODY (10u << 20)
/* The largest status line plus headers (and trailers); past it: "too large". */
#define APIGW_HTTP_MAX_HEAD (64u << 10)
/* The timeout of a fetch whose timeout_ms is 0 or less (API Gateway's
 * own integration limit). */
#define APIGW_HTTP_DEFAULT_TIMEOUT_MS 29000

typedef struct apigw_http_result {
    int status;              /* the HTTP status, or 0 when there is none (see error) */
    const ts_kv *headers;    /* response headers in the order received (names as sent) */
    const char *body;        /* the response body (NUL-terminated past len), "" when none */
    size_t len;
    const char *error;       /* NULL, or why there is no answer: "timeout",
                              * "connect: ...", "dns: ...", "send: ...",
                              * "read: ...", "bad response", "too large",
                              * "bad url", "https is not supported",
                              * "bad method", "bad header", "shutting down",
                              * "cannot start" */
    int timed_out;           /* timeout_ms passed first */
} apigw_http_result;

/* Called once per fetch with its result; everything in *r (and r itself)
 * is valid only during the call. */
typedef void (*apigw_http_done_fn)(void *arg, const apigw_http_result *r);

/*
 * Sends one request and calls done exactly once with the result.  Any
 * thread; the first fetch starts the client (apigw_http_start), and so
 * does the first after an apigw_http_stop.
 *
 *   method      the request method, a token ("GET", "POST" ...); HEAD
 *               answers carry no body
 *   url         http://host[:port][/path][?query]; host may be a name
 *               ("localhost"), an IPv4 literal or a bracketed IPv6 one;
 *               the path and query go on the request line as given (so
 *               already percent-encoded), "/" when empty; a #fragment is
 *               not sent.  https:// fails with "https is not supported"
 *   headers     copied; Host, Content-Length, Connection and
 *               Transfer-Encoding among them are dropped, as the client
 *               sets those itself (Connection: close); NULL for none
 *   body, len   copied; sent with a Content-Length (len 0: none sent
 *               unless the method is POST, PUT or PATCH)
 *   timeout_ms  covers name lookup, connect, send and the whole response;
 *               0 or less: APIGW_HTTP_DEFAULT_TIMEOUT_MS
 *   done, arg   the callback and its argument
 *
 * done runs on the client's thread, after fetch has returned, for every
 * outcome (a bad URL included) but two: while apigw_http_stop is under
 * way, or when the client's thread cannot start, done runs on the
 * caller's thread before fetch returns, with "shutting down" or
 * "cannot start".  done may call apigw_http_fetch itself.
 */
void apigw_http_fetch(const char *method, const char *url, const ts_kv *headers,
                      const char *body, size_t len, int timeout_ms,
                      apigw_http_done_fn done, void *arg);

/* Starts the client's thread and loop now rather than at the first
 * fetch; a no-op when running.  0, or -1 when the loop or the thread
 * cannot be made.  Any thread. */
int apigw_http_start(void);

/* Ends every request in flight or queued (done called on the client's
 * thread with "shutting down"), waits for the thread to end and frees
 * the loop.  Safe when never started, and a no-op when another thread
 * is already stopping it.  Never call it from a done callback. */
void apigw_http_stop(void);

/* ---- exposed for the unit tests ---- */

/* A URL taken apart by apigw_http_parse_url. */
typedef struct apigw_http_url {
    char host[256];          /* the name or address, without brackets */
    int ipv6;                /* host is an IPv6 literal (it was [bracketed]) */
    int port;                /* 1..65535; 80 when the URL has none */
    const char *target;      /* path and query: points into the URL, up
                              * to any '#'; may be empty or start with '?'
                              * (the request line then starts with "/") */
    size_t target_len;
} apigw_http_url;

/* Parses url into *u (whose target points into url, so url must outlive
 * it).  0, or -1 with *error set to a static string ("bad url",
 * "https is not supported"). */
int apigw_http_parse_url(const char *url, apigw_http_url *u, const char **error);

/* Appends the whole request (request line, Host, the caller's headers
 * but those the client sets, Content-Length, Connection: close, the
 * blank line, the body) to out, as apigw_http_fetch sends it.  0, or -1
 * with *error set ("bad method", "bad header": a name that is not a
 * token or a value with CR, LF or another control character). */
int apigw_http_build_request(ts_buf *out, const char *method, const apigw_http_url *u,
                             const ts_kv *headers, const char *body, size_t len,
                             const char **error);

/*
 * A response parser fed the bytes as they come: the status line, the
 * header lines (CRLF-terminated; names are tokens, compared without
 * case; folded lines are refused), then the body by Transfer-Encoding:
 * chunked (decoded; trailers read and dropped), by Content-Length, or
 * up to the close.  1xx answers other than 101 are skipped; HEAD
 * answers, 1xx, 204 and 304 have no body.
 */
typedef struct apigw_http_parser {
    int state;               /* private: where in the message it is */
    int head_only;           /* the request was HEAD: no body follows */
    int status;              /* once the status line is in */
    ts_kv *headers;          /* in the order received; in the arena */
    ts_buf body;             /* the decoded body so far */
    const char *error;       /* after -1: "bad response" or "too large" */
    /* private */
    ts_kv **tail;
    ts_arena *arena;
    ts_buf line;             /* the line being read */
    size_t head_len;         /* bytes of status and header lines so far */
    uint64_t left;           /* of the Content-Length, or of the chunk */
    int body_mode;
    int chunked, has_length;
    uint64_t length;
} apigw_http_parser;

/* Readies p for one response; head_only: the request was HEAD.  Free it
 * with apigw_http_parser_free. */
void apigw_http_parser_init(apigw_http_parser *p, int head_only);
/* Feeds the next n bytes of the response.  1 when the response is whole
 * (bytes past its end are ignored), 0 when more is needed, -1 with
 * p->error set when it is not HTTP or too large; after 1 or -1 it takes
 * no more. */
int apigw_http_parser_feed(apigw_http_parser *p, const char *data, size_t n);
/* The peer closed: 1 when that ends the response (a body up to the
 * close), else -1 with p->error set ("bad response"). */
int apigw_http_parser_eof(apigw_http_parser *p);
/* Frees what p holds (its headers and body with it). */
void apigw_http_parser_free(apigw_http_parser *p);

#endif
