/*
 * test_apigw_http.c - API Gateway's HTTP client: the URL parser, the
 * request writer and the response parser as pure functions (responses
 * fed whole, in halves and a byte at a time), then the client itself
 * against a small server on 127.0.0.1 running in a thread of the test.
 */
#include "test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../src/apigw/apigw_http.h"

/* ---- the URL ---- */

static int url_ok(const char *url, const char *host, int port, const char *target)
{
    apigw_http_url u;
    const char *err = "unset";

    if (apigw_http_parse_url(url, &u, &err) != 0 || err)
        return 0;
    return !strcmp(u.host, host) && u.port == port && u.target_len == strlen(target) &&
           !memcmp(u.target, target, u.target_len);
}

static const char *url_err(const char *url)
{
    apigw_http_url u;
    const char *err = NULL;

    if (apigw_http_parse_url(url, &u, &err) == 0)
        return "(parsed)";
    return err;
}

TEST(apigw_http_url_forms)
{
    apigw_http_url u;
    const char *err;

    CHECK(url_ok("http://localhost:8080/pets?id=1", "localhost", 8080, "/pets?id=1"));
    CHECK(url_ok("http://example.com", "example.com", 80, ""));
    CHECK(url_ok("http://example.com/", "example.com", 80, "/"));
    CHECK(url_ok("HTTP://Example.COM:81/a", "Example.COM", 81, "/a"));
    CHECK(url_ok("http://h?x=1", "h", 80, "?x=1"));
    CHECK(url_ok("http://h:/p", "h", 80, "/p"));
    CHECK(url_ok("http://10.0.0.1:65535/a%20b/c", "10.0.0.1", 65535, "/a%20b/c"));
    CHECK(url_ok("http://h/p#frag", "h", 80, "/p"));
    CHECK(url_ok("http://h#frag", "h", 80, ""));
    CHECK(url_ok("http://my_host.local/x", "my_host.local", 80, "/x"));
    REQUIRE(apigw_http_parse_url("http://[::1]:9000/v6", &u, &err) == 0);
    CHECK_STR(u.host, "::1");
    CHECK(u.ipv6 && u.port == 9000);
    REQUIRE(apigw_http_parse_url("http://[2001:db8::7]/", &u, &err) == 0);
    CHECK_STR(u.host, "2001:db8::7");
    CHECK(u.port == 80);
}

TEST(apigw_http_url_refused)
{
    char longhost[300];

    CHECK_STR(url_err("https://example.com/"), "https is not supported");
    CHECK_STR(url_err("HTTPS://example.com/"), "https is not supported");
    CHECK_STR(url_err(NULL), "bad url");
    CHECK_STR(url_err(""), "bad url");
    CHECK_STR(url_err("ftp://h/"), "bad url");
    CHECK_STR(url_err("http:/h"), "bad url");
    CHECK_STR(url_err("http://"), "bad url");
    CHECK_STR(url_err("http:///path"), "bad url");
    CHECK_STR(url_err("http://:80/"), "bad url");
    CHECK_STR(url_err("http://h:0/"), "bad url");
    CHECK_STR(url_err("http://h:65536/"), "bad url");
    CHECK_STR(url_err("http://h:123456/"), "bad url");
    CHECK_STR(url_err("http://h:8o/"), "bad url");
    CHECK_STR(url_err("http://h:80:81/"), "bad url");
    CHECK_STR(url_err("http://user:pw@h/"), "bad url");
    CHECK_STR(url_err("http://h o/"), "bad url");
    CHECK_STR(url_err("http://h/a b"), "bad url");
    CHECK_STR(url_err("http://h/a\r\nX: y"), "bad url");
    CHECK_STR(url_err("http://h/\x7f"), "bad url");
    CHECK_STR(url_err("http://[::1/"), "bad url");
    CHECK_STR(url_err("http://[]/"), "bad url");
    CHECK_STR(url_err("http://[nothex]/"), "bad url");
    CHECK_STR(url_err("http://[::1]x/"), "bad url");
    CHECK_STR(url_err("http://[::1]:/"), "(parsed)");
    CHECK_STR(url_err("http://::1/"), "bad url");
    memset(longhost, 'a', sizeof longhost);
    memcpy(longhost, "http://", 7);
    longhost[sizeof longhost - 1] = '\0';
    CHECK_STR(url_err(longhost), "bad url");
}

/* ---- the request ---- */

static ts_kv *kv(ts_kv *next, const char *name, const char *value)
{
    static ts_kv pool[16];
    static int n;
    ts_kv *h = &pool[n++ % 16];

    h->name = name;
    h->value = value;
    h->next = next;
    return h;
}

TEST(apigw_http_request_text)
{
    apigw_http_url u;
    const char *err;
    ts_buf b;
    ts_kv *h = kv(kv(kv(kv(kv(NULL, "connection", "keep-alive"), "X-Two", ""),
                        "content-length", "99"), "HOST", "evil"), "X-One", "a b");

    ts_buf_init(&b);
    REQUIRE(apigw_http_parse_url("http://localhost:8080/p?q=1", &u, &err) == 0);
    REQUIRE(apigw_http_build_request(&b, "POST", &u, h, "hello", 5, &err) == 0);
    CHECK_STR(b.data, "POST /p?q=1 HTTP/1.1\r\nHost: localhost:8080\r\nX-One: a b\r\n"
                      "X-Two: \r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
    ts_buf_reset(&b);
    REQUIRE(apigw_http_parse_url("http://[::1]?x", &u, &err) == 0);
    REQUIRE(apigw_http_build_request(&b, "GET", &u, NULL, NULL, 0, &err) == 0);
    CHECK_STR(b.data, "GET /?x HTTP/1.1\r\nHost: [::1]\r\nConnection: close\r\n\r\n");
    ts_buf_reset(&b);
    REQUIRE(apigw_http_build_request(&b, "PUT", &u, NULL, NULL, 0, &err) == 0);
    CHECK(strstr(b.data, "Content-Length: 0\r\n") != NULL);
    ts_buf_reset(&b);
    CHECK(apigw_http_build_request(&b, "GE T", &u, NULL, NULL, 0, &err) == -1);
    CHECK_STR(err, "bad method");
    CHECK(apigw_http_build_request(&b, "", &u, NULL, NULL, 0, &err) == -1);
    CHECK(apigw_http_build_request(&b, NULL, &u, NULL, NULL, 0, &err) == -1);
    CHECK(apigw_http_build_request(&b, "GET", &u, kv(NULL, "X", "a\r\nInjected: 1"), NULL, 0,
                                   &err) == -1);
    CHECK_STR(err, "bad header");
    CHECK(apigw_http_build_request(&b, "GET", &u, kv(NULL, "X Y", "v"), NULL, 0, &err) == -1);
    CHECK(apigw_http_build_request(&b, "GET", &u, kv(NULL, "X:", "v"), NULL, 0, &err) == -1);
    CHECK(apigw_http_build_request(&b, "GET", &u, kv(NULL, "", "v"), NULL, 0, &err) == -1);
    CHECK(apigw_http_build_request(&b, "GET", &u, kv(NULL, "X", "tab\tok"), NULL, 0, &err) == 0);
    ts_buf_free(&b);
}

/* ---- the response ---- */

/* Feeds resp to a fresh parser in pieces of step bytes (0: whole), then
 * the close when eof; returns the last verdict, the parser left for the
 * caller to look at and free. */
static int feed(apigw_http_parser *p, const char *resp, size_t n, size_t step, int eof,
                int head_only)
{
    int rc = 0;

    apigw_http_parser_init(p, head_only);
    if (!step)
        step = n ? n : 1;
    for (size_t off = 0; off < n && rc == 0; off += step)
        rc = apigw_http_parser_feed(p, resp + off, TS_MIN(step, n - off));
    if (rc == 0 && eof)
        rc = apigw_http_parser_eof(p);
    return rc;
}

/* resp parses the same whole, split at every byte, and a byte at a time,
 * to status and body. */
static int parses_to(const char *resp, int eof, int status, const char *body, size_t blen)
{
    size_t n = strlen(resp);
    apigw_http_parser p;
    int ok = 1;

    for (size_t split = 0; split <= n && ok; split++) {
        int rc;
        apigw_http_parser_init(&p, 0);
        rc = apigw_http_parser_feed(&p, resp, split);
        if (rc == 0)
            rc = apigw_http_parser_feed(&p, resp + split, n - split);
        if (rc == 0 && eof)
            rc = apigw_http_parser_eof(&p);
        ok = rc == 1 && p.status == status && p.body.len == blen &&
             (!blen || !memcmp(p.body.data, body, blen));
        apigw_http_parser_free(&p);
    }
    if (ok) {
        ok = feed(&p, resp, n, 1, eof, 0) == 1 && p.body.len == blen;
        apigw_http_parser_free(&p);
    }
    return ok;
}

/* The error resp ends in, fed whole and a byte at a time (NULL: none). */
static const char *fails_with(const char *resp, size_t n, int eof)
{
    apigw_http_parser p;
    const char *e1, *e2;
    int rc1, rc2;

    rc1 = feed(&p, resp, n, 0, eof, 0);
    e1 = p.error;
    apigw_http_parser_free(&p);
    rc2 = feed(&p, resp, n, 1, eof, 0);
    e2 = p.error;
    apigw_http_parser_free(&p);
    if (rc1 != -1 || rc2 != -1 || !e1 || !e2 || strcmp(e1, e2))
        return NULL;
    return e1;
}

TEST(apigw_http_response_length)
{
    apigw_http_parser p;
    const char *r = "HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\n"
                    "X-Dup: 1\r\nx-dup: 2\r\nContent-Length: 5\r\nEmpty:\r\n\r\nhello";

    CHECK(parses_to(r, 0, 201, "hello", 5));
    REQUIRE(feed(&p, r, strlen(r), 0, 0, 0) == 1);
    REQUIRE(p.headers != NULL);
    CHECK_STR(p.headers->name, "Content-Type");
    CHECK_STR(p.headers->value, "text/plain");
    CHECK_STR(p.headers->next->name, "X-Dup");
    CHECK_STR(p.headers->next->next->name, "x-dup");
    CHECK_STR(p.headers->next->next->value, "2");
    CHECK_STR(p.headers->next->next->next->next->name, "Empty");
    CHECK_STR(p.headers->next->next->next->next->value, "");
    CHECK(p.headers->next->next->next->next->next == NULL);
    CHECK(p.body.data[p.body.len] == '\0');
    /* Bytes past the end are not the body's. */
    CHECK(apigw_http_parser_feed(&p, "junk", 4) == 1);
    CHECK(p.body.len == 5);
    apigw_http_parser_free(&p);
    CHECK(parses_to("HTTP/1.1 200 OK\r\nContent-Length:   3  \r\n\r\nabcdef", 0, 200, "abc", 3));
    CHECK(parses_to("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, 200, "", 0));
    CHECK(parses_to("HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nok", 0,
                    200, "ok", 2));
    CHECK(parses_to("HTTP/1.0 404\r\nContent-Length: 1\r\n\r\nx", 0, 404, "x", 1));
    CHECK(parses_to("HTTP/1.1 200 OK\r\nX: obs-text \xe9\xff\r\nContent-Length: 0\r\n\r\n", 0,
                    200, "", 0));
}

TEST(apigw_http_response_close_and_none)
{
    apigw_http_parser p;
    const char *r = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";

    CHECK(parses_to("HTTP/1.1 200 OK\r\nServer: x\r\n\r\nuntil the close", 1, 200,
                    "until the close", 15));
    CHECK(parses_to("HTTP/1.1 500 Oops\r\n\r\n", 1, 500, "", 0));
    /* No body whatever the headers say. */
    CHECK(parses_to("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n", 0, 204, "", 0));
    CHECK(parses_to("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n", 0, 304,
                    "", 0));
    CHECK(feed(&p, r, strlen(r), 0, 0, 1) == 1);
    CHECK(p.status == 200 && p.body.len == 0);
    apigw_http_parser_free(&p);
    /* Interim answers are skipped; their headers are not the answer's. */
    CHECK(parses_to("HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n"
                    "HTTP/1.1 102 Processing\r\n\r\n"
                    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", 0, 200, "hi", 2));
    r = "HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\nHTTP/1.1 202 OK\r\nA: b\r\n"
        "Content-Length: 0\r\n\r\n";
    REQUIRE(feed(&p, r, strlen(r), 0, 0, 0) == 1);
    CHECK(p.status == 202 && p.headers && p.headers->next && !p.headers->next->next);
    CHECK_STR(p.headers->name, "A");
    apigw_http_parser_free(&p);
}

TEST(apigw_http_response_chunked)
{
    apigw_http_parser p;
    const char *r = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "5\r\nhello\r\n1;name=value\r\n,\r\n0006 ; x\r\n world\r\n"
                    "A\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n";

    CHECK(parses_to(r, 0, 200, "hello, world0123456789", 22));
    CHECK(parses_to("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 0, 200,
                    "", 0));
    CHECK(parses_to("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, CHUNKED\r\n\r\n"
                    "2\r\nab\r\n0\r\n\r\n", 0, 200, "ab", 2));
    /* Chunked wins over a Content-Length. */
    CHECK(parses_to("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "2\r\nab\r\n0\r\n\r\n", 0, 200, "ab", 2));
    /* A coding other than chunked last: the body runs to the close. */
    CHECK(parses_to("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n"
                    "\r\n2\r\nab", 1, 200, "2\r\nab", 5));
    REQUIRE(feed(&p, r, strlen(r), 3, 0, 0) == 1);
    CHECK(p.body.data[p.body.len] == '\0');
    CHECK(p.headers && !p.headers->next);   /* trailers are dropped */
    apigw_http_parser_free(&p);
}

TEST(apigw_http_response_chunked_bad)
{
    const char *h = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    const char *bodies[] = {
        "x\r\n", "-1\r\n", "\r\n", "5\r\nhelloX\r\n", "5\r\nhello\r\r\n", "5\nhello\r\n",
        "1 x\r\n", "10000000000000000\r\n", "0\r\n bad: fold\r\n\r\n", "0\r\nnocolon\r\n\r\n",
    };
    char buf[256];

    for (size_t i = 0; i < TS_ARRAY_LEN(bodies); i++) {
        snprintf(buf, sizeof buf, "%s%s", h, bodies[i]);
        if (!fails_with(buf, strlen(buf), 1) || strcmp(fails_with(buf, strlen(buf), 1), "bad response")) {
            fprintf(stderr, "  chunked body %zu not refused\n", i);
            CHECK(0);
        }
    }
    /* Cut short: the close comes before the last chunk. */
    snprintf(buf, sizeof buf, "%s5\r\nhel", h);
    CHECK_STR(fails_with(buf, strlen(buf), 1), "bad response");
    snprintf(buf, sizeof buf, "%s5\r\nhello\r\n", h);
    CHECK_STR(fails_with(buf, strlen(buf), 1), "bad response");
    /* A chunk-size line that never ends. */
    {
        ts_buf b;
        ts_buf_init(&b);
        ts_buf_puts(&b, h);
        ts_buf_puts(&b, "1;");
        for (int i = 0; i < 2000; i++)
            ts_buf_putc(&b, 'e');
        CHECK_STR(fails_with(b.data, b.len, 0), "bad response");
        ts_buf_free(&b);
    }
}

TEST(apigw_http_response_bad)
{
    const char *bad[] = {
        "", "garbage\r\n\r\n", "HTTP/1.1\r\n\r\n", "HTTP/1.1 20\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/1.1 600 Odd\r\n\r\n", "HTTP/1.1 099 Low\r\n\r\n", "HTTP/2 200 OK\r\n\r\n",
        "HTTP/1.1  200 OK\r\n\r\n", "HTTP/1.1 200OK\r\n\r\n", "http/1.1 200 OK\r\n\r\n",
        "HTTP/1.1 200 OK\n\n", "HTTP/1.1 200 OK\r\nA: b\n\r\n", "HTTP/1.1 200 OK\rX\r\n\r\n",
        "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", "HTTP/1.1 200 OK\r\nBad Name: v\r\n\r\n",
        "HTTP/1.1 200 OK\r\nName : v\r\n\r\n", "HTTP/1.1 200 OK\r\n: v\r\n\r\n",
        "HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n", "HTTP/1.1 200 OK\r\nA: b\r\n\tfolded\r\n\r\n",
        "HTTP/1.1 200 OK\r\nA: b\x01\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\nx",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n",
        "HTTP/1.1 200 O", "\x16\x03\x01\x02\x00\x01\x00",
    };

    for (size_t i = 0; i < TS_ARRAY_LEN(bad); i++) {
        const char *e = fails_with(bad[i], strlen(bad[i]), 1);
        if (!e || strcmp(e, "bad response")) {
            fprintf(stderr, "  response %zu not refused (%s)\n", i, e ? e : "accepted");
            CHECK(0);
        }
    }
    /* A NUL in a header line. */
    CHECK_STR(fails_with("HTTP/1.1 200 OK\r\nA: \0b\r\n\r\n", 24, 1), "bad response");
    /* Not HTTP: refused at the first bytes, not at the cap. */
    {
        apigw_http_parser p;
        apigw_http_parser_init(&p, 0);
        CHECK(apigw_http_parser_feed(&p, "SSH-2.0", 7) == -1);
        CHECK(apigw_http_parser_feed(&p, "more", 4) == -1);
        apigw_http_parser_free(&p);
    }
}

TEST(apigw_http_response_too_large)
{
    apigw_http_parser p;
    ts_buf b;
    char line[64];
    int rc = 0;

    /* Headers past the cap, fed in 4 KiB pieces. */
    ts_buf_init(&b);
    ts_buf_puts(&b, "HTTP/1.1 200 OK\r\n");
    for (int i = 0; b.len <= APIGW_HTTP_MAX_HEAD; i++)
        ts_buf_printf(&b, "X-H-%d: %0100d\r\n", i, i);
    ts_buf_puts(&b, "\r\n");
    CHECK(feed(&p, b.data, b.len, 4096, 1, 0) == -1);
    CHECK_STR(p.error, "too large");
    apigw_http_parser_free(&p);
    /* One header line past the cap, never ending. */
    ts_buf_reset(&b);
    ts_buf_puts(&b, "HTTP/1.1 200 OK\r\nX: ");
    while (b.len <= APIGW_HTTP_MAX_HEAD)
        ts_buf_puts(&b, "aaaaaaaaaaaaaaaa");
    CHECK_STR(fails_with(b.data, b.len, 1), "too large");
    ts_buf_free(&b);
    /* A Content-Length past the cap fails at the headers. */
    snprintf(line, sizeof line, "HTTP/1.1 200 OK\r\nContent-Length: %u\r\n\r\n",
             APIGW_HTTP_MAX_BODY + 1);
    CHECK_STR(fails_with(line, strlen(line), 0), "too large");
    snprintf(line, sizeof line, "HTTP/1.1 200 OK\r\nContent-Length: %u\r\n\r\n",
             APIGW_HTTP_MAX_BODY);
    CHECK(feed(&p, line, strlen(line), 0, 0, 0) == 0);
    apigw_http_parser_free(&p);
    /* So does a chunk that would go past it. */
    snprintf(line, sizeof line, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n",
             APIGW_HTTP_MAX_BODY + 1);
    CHECK_STR(fails_with(line, strlen(line), 0), "too large");
    /* Chunks that add up past it, and a body to the close past it. */
    {
        static char mib[1 << 20];
        const char *h1 = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        memset(mib, 'z', sizeof mib);
        apigw_http_parser_init(&p, 0);
        rc = apigw_http_parser_feed(&p, h1, strlen(h1));
        for (int i = 0; i < 11 && rc == 0; i++) {
            snprintf(line, sizeof line, "%s%x\r\n", i ? "\r\n" : "", (unsigned)sizeof mib);
            rc = apigw_http_parser_feed(&p, line, strlen(line));
            if (rc == 0)
                rc = apigw_http_parser_feed(&p, mib, sizeof mib);
        }
        CHECK(rc == -1);
        CHECK_STR(p.error, "too large");
        CHECK(p.body.len == 10u << 20);
        apigw_http_parser_free(&p);
        apigw_http_parser_init(&p, 0);
        rc = apigw_http_parser_feed(&p, "HTTP/1.1 200 OK\r\n\r\n", 19);
        for (int i = 0; i < 11 && rc == 0; i++)
            rc = apigw_http_parser_feed(&p, mib, sizeof mib);
        CHECK(rc == -1);
        CHECK_STR(p.error, "too large");
        apigw_http_parser_free(&p);
    }
}

/* ---- the client against a server of the test's own ---- */

/* A server on 127.0.0.1 (or ::1) answering by the request's path: a
 * thread accepts, one thread per connection reads the request and
 * answers. */
typedef struct test_server {
    int fd;
    int port;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int conns;                  /* connection threads still running */
    char last[4096];            /* the last request's head */
} test_server;

typedef struct test_conn {
    test_server *s;
    int fd;
} test_conn;

static void send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static void send_str(int fd, const char *s)
{
    send_all(fd, s, strlen(s));
}

static void nap_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Reads until the peer closes. */
static void drain_until_close(int fd)
{
    char buf[4096];

    while (recv(fd, buf, sizeof buf, 0) > 0)
        ;
}

static void *conn_main(void *arg)
{
    test_conn *c = arg;
    test_server *s = c->s;
    size_t cap = 2u << 20, len = 0, head = 0, want = 0;
    char *buf = malloc(cap + 1), *path, *cl;
    char line[256];

    /* The head, then Content-Length bytes of body. */
    while (len < cap) {
        ssize_t r = recv(c->fd, buf + len, cap - len, 0);
        if (r <= 0)
            goto out;
        len += (size_t)r;
        buf[len] = '\0';
        if (!head) {
            char *e = strstr(buf, "\r\n\r\n");
            if (!e)
                continue;
            head = (size_t)(e - buf) + 4;
            cl = strcasestr(buf, "\r\nContent-Length: ");
            want = cl && cl < e ? strtoul(cl + 18, NULL, 10) : 0;
        }
        if (len - head >= want)
            break;
    }
    pthread_mutex_lock(&s->mu);
    snprintf(s->last, sizeof s->last, "%.*s", (int)head, buf);
    pthread_mutex_unlock(&s->mu);
    path = strchr(buf, ' ');
    path = path ? path + 1 : "";
    if (!strncmp(buf, "HEAD ", 5)) {
        send_str(c->fd, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        drain_until_close(c->fd);
    } else if (!strncmp(path, "/hello ", 7)) {
        send_str(c->fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Order: 1\r\n"
                        "x-order: 2\r\nContent-Length: 5\r\n\r\nhello");
    } else if (!strncmp(path, "/echo", 5)) {
        snprintf(line, sizeof line, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", want);
        send_str(c->fd, line);
        send_all(c->fd, buf + head, want);
    } else if (!strncmp(path, "/chunked ", 9)) {
        /* In pieces, so they arrive in several reads. */
        const char *parts[] = {"HTTP/1.1 200 OK\r\nTransfer-", "Encoding: chunked\r\n\r\n4\r",
                               "\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0",
                               "\r\n\r\n"};
        for (size_t i = 0; i < TS_ARRAY_LEN(parts); i++) {
            send_str(c->fd, parts[i]);
            nap_ms(20);
        }
    } else if (!strncmp(path, "/close ", 7)) {
        send_str(c->fd, "HTTP/1.0 200 OK\r\n\r\nall of it");
    } else if (!strncmp(path, "/early ", 7)) {
        send_str(c->fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort");
    } else if (!strncmp(path, "/garbage ", 9)) {
        send_str(c->fd, "SSH-2.0-OpenSSH_9.6\r\n");
    } else if (!strncmp(path, "/huge ", 6)) {
        static char mib[1 << 20];
        memset(mib, 'h', sizeof mib);
        send_str(c->fd, "HTTP/1.1 200 OK\r\n\r\n");
        for (int i = 0; i < 12; i++)
            send_all(c->fd, mib, sizeof mib);
    } else if (!strncmp(path, "/hang ", 6)) {
        drain_until_close(c->fd);
    } else {
        send_str(c->fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    }
out:
    close(c->fd);
    free(buf);
    free(c);
    pthread_mutex_lock(&s->mu);
    s->conns--;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

static void *accept_main(void *arg)
{
    test_server *s = arg;
    pthread_t t;

    for (;;) {
        int fd = accept(s->fd, NULL, NULL);
        test_conn *c;
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return NULL;    /* shut down */
        }
        c = malloc(sizeof *c);
        c->s = s;
        c->fd = fd;
        pthread_mutex_lock(&s->mu);
        s->conns++;
        pthread_mutex_unlock(&s->mu);
        pthread_create(&t, NULL, conn_main, c);
        pthread_detach(t);
    }
}

/* Listens on a free port of the loopback address of family; 0 or -1. */
static int server_start(test_server *s, int family)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int one = 1;

    memset(s, 0, sizeof *s);
    memset(&ss, 0, sizeof ss);
    if (family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_loopback;
        sl = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sl = sizeof *a;
    }
    s->fd = socket(family, SOCK_STREAM, 0);
    if (s->fd < 0)
        return -1;
    setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(s->fd, (struct sockaddr *)&ss, sl) != 0 || listen(s->fd, 64) != 0 ||
        getsockname(s->fd, (struct sockaddr *)&ss, &sl) != 0) {
        close(s->fd);
        return -1;
    }
    s->port = ntohs(family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                       : ((struct sockaddr_in *)&ss)->sin_port);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    pthread_create(&s->thread, NULL, accept_main, s);
    return 0;
}

/* Stops accepting and waits for the connections to end. */
static void server_stop(test_server *s)
{
    shutdown(s->fd, SHUT_RDWR);
    pthread_join(s->thread, NULL);
    close(s->fd);
    pthread_mutex_lock(&s->mu);
    while (s->conns)
        pthread_cond_wait(&s->cv, &s->mu);
    pthread_mutex_unlock(&s->mu);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
}

/* A port nothing listens on: bound, never listened to, closed. */
static int refused_port(void)
{
    struct sockaddr_in a;
    socklen_t sl = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, (struct sockaddr *)&a, sizeof a);
    getsockname(fd, (struct sockaddr *)&a, &sl);
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* What done got, copied out of the callback. */
typedef struct waiter {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int calls;
    int status, timed_out;
    char error[160];            /* "" when none */
    ts_buf body;
    ts_buf headers;             /* "name: value\n" each */
    pthread_t thread;           /* where done ran */
    const char *chain_url;      /* done fetches this too, into chained */
    struct waiter *chained;
} waiter;

static void done_cb(void *arg, const apigw_http_result *r)
{
    waiter *w = arg;

    pthread_mutex_lock(&w->mu);
    w->calls++;
    w->status = r->status;
    w->timed_out = r->timed_out;
    snprintf(w->error, sizeof w->error, "%s", r->error ? r->error : "");
    ts_buf_append(&w->body, r->body, r->len);
    for (const ts_kv *h = r->headers; h; h = h->next)
        ts_buf_printf(&w->headers, "%s: %s\n", h->name, h->value);
    w->thread = pthread_self();
    if (r->body[r->len] != '\0')
        snprintf(w->error, sizeof w->error, "body not NUL-terminated");
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    if (w->chain_url)
        apigw_http_fetch("GET", w->chain_url, NULL, NULL, 0, 2000, done_cb, w->chained);
}

static void waiter_init(waiter *w)
{
    memset(w, 0, sizeof *w);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    ts_buf_init(&w->body);
    ts_buf_init(&w->headers);
    ts_buf_puts(&w->body, "");
    ts_buf_puts(&w->headers, "");
}

static void waiter_free(waiter *w)
{
    ts_buf_free(&w->body);
    ts_buf_free(&w->headers);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
}

/* 1 once done has run, 0 after ms without it. */
static int waiter_wait(waiter *w, int ms)
{
    struct timespec ts;
    int ok;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&w->mu);
    while (!w->calls)
        if (pthread_cond_timedwait(&w->cv, &w->mu, &ts) != 0)
            break;
    ok = w->calls > 0;
    pthread_mutex_unlock(&w->mu);
    return ok;
}

/* Fetches url and waits up to 5 s for the answer into w. */
static int fetch_wait(waiter *w, const char *method, const char *url, const ts_kv *headers,
                      const char *body, size_t len, int timeout_ms)
{
    waiter_init(w);
    apigw_http_fetch(method, url, headers, body, len, timeout_ms, done_cb, w);
    return waiter_wait(w, 5000);
}

TEST(apigw_http_live_answers)
{
    test_server s;
    waiter w;
    char url[128];
    ts_kv h2 = {"X-Custom", "v1", NULL}, h1 = {"Host", "ignored.example", &h2};

    REQUIRE(server_start(&s, AF_INET) == 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hello", s.port);
    REQUIRE(fetch_wait(&w, "GET", url, &h1, NULL, 0, 2000));
    CHECK_STR(w.error, "");
    CHECK(w.status == 200 && !w.timed_out);
    CHECK_STR(w.body.data, "hello");
    CHECK_STR(w.headers.data, "Content-Type: text/plain\nX-Order: 1\nx-order: 2\n"
                              "Content-Length: 5\n");
    CHECK(!pthread_equal(w.thread, pthread_self()));
    pthread_mutex_lock(&s.mu);
    {
        char want[64];
        snprintf(want, sizeof want, "GET /hello HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n", s.port);
        CHECK(!strncmp(s.last, want, strlen(want)));
        CHECK(strstr(s.last, "\r\nX-Custom: v1\r\n") != NULL);
        CHECK(strstr(s.last, "\r\nConnection: close\r\n") != NULL);
        CHECK(strstr(s.last, "ignored.example") == NULL);
    }
    pthread_mutex_unlock(&s.mu);
    waiter_free(&w);

    /* A body both ways, larger than one read. */
    {
        size_t n = 300000;
        char *big = malloc(n);
        for (size_t i = 0; i < n; i++)
            big[i] = (char)('a' + i % 26);
        snprintf(url, sizeof url, "http://127.0.0.1:%d/echo?x=1", s.port);
        REQUIRE(fetch_wait(&w, "POST", url, NULL, big, n, 5000));
        CHECK_STR(w.error, "");
        CHECK(w.status == 200 && w.body.len == n && !memcmp(w.body.data, big, n));
        free(big);
        waiter_free(&w);
    }

    snprintf(url, sizeof url, "http://127.0.0.1:%d/chunked", s.port);
    REQUIRE(fetch_wait(&w, "GET", url, NULL, NULL, 0, 2000));
    CHECK_STR(w.error, "");
    CHECK_STR(w.body.data, "Wikipedia in\r\n\r\nchunks.");
    waiter_free(&w);

    snprintf(url, sizeof url, "http://127.0.0.1:%d/close", s.port);
    REQUIRE(fetch_wait(&w, "GET", url, NULL, NULL, 0, 2000));
    CHECK_STR(w.error, "");
    CHECK(w.status == 200);
    CHECK_STR(w.body.data, "all of it");
    waiter_free(&w);

    /* HEAD: done at the headers, not at a close that never comes. */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/anything", s.port);
    REQUIRE(fetch_wait(&w, "HEAD", url, NULL, NULL, 0, 2000));
    CHECK_STR(w.error, "");
    CHECK(w.status == 200 && w.body.len == 0);
    waiter_free(&w);

    snprintf(url, sizeof url, "http://localhost:%d/missing", s.port);
    REQUIRE(fetch_wait(&w, "GET", url, NULL, NULL, 0, 2000));
    CHECK_STR(w.error, "");
    CHECK(w.status == 404);
    waiter_free(&w);

    apigw_http_stop();
    server_stop(&s);
}

TEST(apigw_http_live_failures)
{
    test_server s;
    waiter w;
    char url[128];
    double t0;

    REQUIRE(server_start(&s, AF_INET) == 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/early", s.port);
    REQUIRE(fetch_wait(&w, "GET", url, NULL, NULL, 0, 2000));
    CHECK_STR(w.error, "bad response");
    CHECK(w.status == 0 && w.body.len == 0 && !w.timed_out);
    waiter_free(&w);

    snprintf(url, sizeof url, "http://127.0.0.1:%d/garbage", s.port);
    REQUIRE(fetch_wait(&w, "GET", url, NULL, NULL, 0, 2000));
    CHECK_STR(w.error, "bad response");
    waiter_free(&w);

    snprintf(url, sizeof url, "http://127.0.0.1:%d/huge", s.port);
    REQUIRE(fetch_wait(&w, "GET", url, NULL, NULL, 0, 5000));
    CHECK_STR(w.error, "too large");
    waiter_free(&w);

    t0 = ts_now_monotonic();
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hang", s.port);
    REQUIRE(fetch_wait(&w, "GET", url, NULL, NULL, 0, 300));
    CHECK_STR(w.error, "timeout");
    CHECK(w.timed_out && w.status == 0);
    CHECK(ts_now_monotonic() - t0 >= 0.29);
    CHECK(ts_now_monotonic() - t0 < 2.0);
    waiter_free(&w);

    snprintf(url, sizeof url, "http://127.0.0.1:%d/", refused_port());
    REQUIRE(fetch_wait(&w, "GET", url, NULL, NULL, 0, 2000));
    CHECK_STR(w.error, "connect: connection refused");
    CHECK(!w.timed_out);
    waiter_free(&w);

    snprintf(url, sizeof url, "http://localhost:%d/", refused_port());
    REQUIRE(fetch_wait(&w, "GET", url, NULL, NULL, 0, 2000));
    CHECK_STR(w.error, "connect: connection refused");
    waiter_free(&w);

    /* Refused before sending: still through done, on the client's thread. */
    REQUIRE(fetch_wait(&w, "GET", "https://localhost/", NULL, NULL, 0, 2000));
    CHECK_STR(w.error, "https is not supported");
    CHECK(!pthread_equal(w.thread, pthread_self()));
    waiter_free(&w);
    REQUIRE(fetch_wait(&w, "GET", "http://[::1/", NULL, NULL, 0, 2000));
    CHECK_STR(w.error, "bad url");
    waiter_free(&w);
    REQUIRE(fetch_wait(&w, "GET", NULL, NULL, NULL, 0, 2000));
    CHECK_STR(w.error, "bad url");
    waiter_free(&w);
    REQUIRE(fetch_wait(&w, "G\nET", "http://127.0.0.1/", NULL, NULL, 0, 2000));
    CHECK_STR(w.error, "bad method");
    waiter_free(&w);

    apigw_http_stop();
    server_stop(&s);
}

TEST(apigw_http_live_ipv6)
{
    test_server s;
    waiter w;
    char url[128];

    if (server_start(&s, AF_INET6) != 0)
        return;     /* no IPv6 loopback here */
    snprintf(url, sizeof url, "http://[::1]:%d/hello", s.port);
    REQUIRE(fetch_wait(&w, "GET", url, NULL, NULL, 0, 2000));
    CHECK_STR(w.error, "");
    CHECK_STR(w.body.data, "hello");
    waiter_free(&w);
    pthread_mutex_lock(&s.mu);
    {
        char want[64];
        snprintf(want, sizeof want, "\r\nHost: [::1]:%d\r\n", s.port);
        CHECK(strstr(s.last, want) != NULL);
    }
    pthread_mutex_unlock(&s.mu);
    apigw_http_stop();
    server_stop(&s);
}

TEST(apigw_http_live_many)
{
    enum { N = 24 };
    test_server s;
    waiter w[N], first, second;
    char url[128], body[N][32];

    REQUIRE(server_start(&s, AF_INET) == 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/echo", s.port);
    for (int i = 0; i < N; i++) {
        waiter_init(&w[i]);
        snprintf(body[i], sizeof body[i], "request number %d", i);
        apigw_http_fetch("PUT", url, NULL, body[i], strlen(body[i]), 3000, done_cb, &w[i]);
    }
    for (int i = 0; i < N; i++) {
        CHECK(waiter_wait(&w[i], 5000));
        CHECK_STR(w[i].error, "");
        CHECK_STR(w[i].body.data, body[i]);
    }
    /* A done that fetches again. */
    waiter_init(&second);
    waiter_init(&first);
    first.chain_url = url;
    first.chained = &second;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hello", s.port);
    apigw_http_fetch("GET", url, NULL, NULL, 0, 2000, done_cb, &first);
    CHECK(waiter_wait(&first, 5000));
    CHECK(waiter_wait(&second, 5000));
    CHECK_STR(second.body.data, "hello");
    apigw_http_stop();
    for (int i = 0; i < N; i++) {
        CHECK(w[i].calls == 1);
        waiter_free(&w[i]);
    }
    CHECK(first.calls == 1 && second.calls == 1);
    waiter_free(&first);
    waiter_free(&second);
    server_stop(&s);
}

TEST(apigw_http_live_stop)
{
    test_server s;
    waiter w[3];
    char url[128];
    double t0;

    apigw_http_stop();      /* never started: nothing to do */
    REQUIRE(apigw_http_start() == 0);
    REQUIRE(apigw_http_start() == 0);
    REQUIRE(server_start(&s, AF_INET) == 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hang", s.port);
    for (int i = 0; i < 3; i++) {
        waiter_init(&w[i]);
        apigw_http_fetch("GET", url, NULL, NULL, 0, 20000, done_cb, &w[i]);
    }
    nap_ms(100);
    t0 = ts_now_monotonic();
    apigw_http_stop();
    CHECK(ts_now_monotonic() - t0 < 2.0);
    for (int i = 0; i < 3; i++) {
        CHECK(w[i].calls == 1);
        CHECK_STR(w[i].error, "shutting down");
        CHECK(!w[i].timed_out);
        waiter_free(&w[i]);
    }
    apigw_http_stop();
    /* The next fetch starts the client again. */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hello", s.port);
    REQUIRE(fetch_wait(&w[0], "GET", url, NULL, NULL, 0, 2000));
    CHECK_STR(w[0].body.data, "hello");
    waiter_free(&w[0]);
    apigw_http_stop();
    server_stop(&s);
}
