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
#include <signal.h>
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
