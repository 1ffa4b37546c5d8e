/*
 * test_core.c - the core pieces of include/tinystack/core.h: the growable
 * buffer, the arena (alignment, big one-off blocks, cleanups newest first,
 * size overflow), hex and base64 with bad input, URL escapes, and the time
 * formats (writing, parsing every accepted form, refusing garbage).
 */
#include "test.h"

#include "tinystack/core.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- ts_buf ---- */

TEST(core_buf_basics)
{
    ts_buf b;

    ts_buf_init(&b);
    CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
    ts_buf_puts(&b, "abc");
    ts_buf_putc(&b, 'd');
    ts_buf_append(&b, "e\0f", 3);
    REQUIRE(b.len == 7);
    CHECK(memcmp(b.data, "abcde\0f", 7) == 0);
    CHECK(b.data[7] == '\0');
    ts_buf_append(&b, "", 0);
    CHECK(b.len == 7 && b.data[7] == '\0');
    ts_buf_reset(&b);
    CHECK(b.len == 0);
    CHECK_STR(b.data, "");
    ts_buf_printf(&b, "%d-%s-%c", 42, "x", 'y');
    CHECK_STR(b.data, "42-x-y");
    CHECK(b.len == 6);
    ts_buf_free(&b);
    CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
    /* Reset and free of a never-used buffer are harmless. */
    ts_buf_reset(&b);
    ts_buf_free(&b);
}

TEST(core_buf_growth)
{
    ts_buf b;
    char big[5000];

    ts_buf_init(&b);
    for (int i = 0; i < 10000; i++)
        ts_buf_putc(&b, (char)('a' + i % 26));
    REQUIRE(b.len == 10000);
    CHECK(b.cap > b.len);
    CHECK(b.data[10000] == '\0');
    for (int i = 0; i < 10000; i++)
        if (b.data[i] != (char)('a' + i % 26)) {
            CHECK(!"content changed while growing");
            break;
        }
    ts_buf_reset(&b);

    /* printf output longer than the first reservation and the first block. */
    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ts_buf_puts(&b, "<");
    ts_buf_printf(&b, "%s|%s", big, "end");
    CHECK(b.len == 1 + 4999 + 4);
    CHECK(b.data[0] == '<' && b.data[1] == 'q' && b.data[4999] == 'q');
    CHECK_STR(b.data + 5000, "|end");

    /* Reserve gives room without changing the content. */
    ts_buf_reserve(&b, 100000);
    CHECK(b.cap >= b.len + 100000 + 1);
    CHECK_STR(b.data + 5000, "|end");
    ts_buf_free(&b);
}

TEST(core_buf_detach)
{
    ts_buf b;
    size_t len = 99;
    char *p;

    ts_buf_init(&b);
    ts_buf_puts(&b, "hello");
    p = ts_buf_detach(&b, &len);
    CHECK(len == 5);
    CHECK_STR(p, "hello");
    CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
    ts_free(p);

    /* An empty, never-allocated buffer detaches as "". */
    p = ts_buf_detach(&b, &len);
    REQUIRE(p != NULL);
    CHECK(len == 0);
    CHECK_STR(p, "");
    ts_free(p);

    p = ts_buf_detach(&b, NULL);
    CHECK_STR(p, "");
    ts_free(p);
}

/* ---- allocation wrappers ---- */

TEST(core_alloc_wrappers)
{
    char *s = ts_strdup("tinystack");
    char *t = ts_strndup("tinystack", 4);
    void *z = ts_malloc(0);
    unsigned char *c = ts_calloc(10, 10);

    CHECK_STR(s, "tinystack");
    CHECK_STR(t, "tiny");
    CHECK(z != NULL);
    int allzero = 1;
    for (int i = 0; i < 100; i++)
        allzero &= c[i] == 0;
    CHECK(allzero);
    c = ts_realloc(c, 1000);
    c[999] = 1;
    ts_free(s);
    ts_free(t);
    ts_free(z);
    ts_free(c);
    ts_free(NULL);
}

/* ---- arena ---- */

static int cleanup_log[8];
static int cleanup_n;

static void log_cb(void *arg)
{
    if (cleanup_n < (int)TS_ARRAY_LEN(cleanup_log))
        cleanup_log[cleanup_n++] = (int)(intptr_t)arg;
}

static void free_cb(void *arg)
{
    ts_free(arg);
}

TEST(core_arena_small)
{
    ts_arena *a = ts_arena_new();
    char *ptrs[500];

    /* Many small allocations: aligned, distinct, and each keeps its bytes. */
    for (int i = 0; i < 500; i++) {
        size_t n = (size_t)(i % 37) + 1;
        ptrs[i] = ts_arena_alloc(a, n);
        REQUIRE(ptrs[i] != NULL);
        CHECK((uintptr_t)ptrs[i] % _Alignof(max_align_t) == 0);
        memset(ptrs[i], i & 0xff, n);
    }
    for (int i = 0; i < 500; i++) {
        size_t n = (size_t)(i % 37) + 1;
        for (size_t k = 0; k < n; k++)
            if ((unsigned char)ptrs[i][k] != (i & 0xff)) {
                CHECK(!"arena allocations overlap");
                i = 500;
                break;
            }
    }

    /* Zero-size allocations still give distinct pointers. */
    void *z1 = ts_arena_alloc(a, 0), *z2 = ts_arena_alloc(a, 0);
    CHECK(z1 != NULL && z2 != NULL && z1 != z2);

    unsigned char *z = ts_arena_zalloc(a, 300);
    int allzero = 1;
    for (int i = 0; i < 300; i++)
        allzero &= z[i] == 0;
    CHECK(allzero);

    CHECK_STR(ts_arena_strdup(a, "abc"), "abc");
    CHECK_STR(ts_arena_strdup(a, ""), "");
    CHECK_STR(ts_arena_strndup(a, "abcdef", 3), "abc");
    CHECK_STR(ts_arena_printf(a, "%s=%d", "n", -7), "n=-7");
    ts_arena_free(a);
    ts_arena_free(NULL);
}

TEST(core_arena_big)
{
    ts_arena *a = ts_arena_new();
    char *small1 = ts_arena_alloc(a, 100);
    char *big, *huge, *small2;
    char fmt_arg[3000];

    memset(small1, 1, 100);
    /* Bigger than half a block: a block of its own, written to the end. */
    big = ts_arena_alloc(a, 5000);
    memset(big, 2, 5000);
    huge = ts_arena_alloc(a, 1u << 20);
    memset(huge, 3, 1u << 20);
    /* The current block goes on serving small allocations. */
    small2 = ts_arena_alloc(a, 100);
    memset(small2, 4, 100);
    CHECK(small1[99] == 1 && big[0] == 2 && big[4999] == 2);
    CHECK(huge[0] == 3 && huge[(1u << 20) - 1] == 3 && small2[0] == 4);

    /* Exactly one block's worth, and more blocks of small pieces. */
    char *blk = ts_arena_alloc(a, 8192);
    memset(blk, 5, 8192);
    for (int i = 0; i < 100; i++)
        memset(ts_arena_alloc(a, 1000), 6, 1000);
    CHECK(blk[8191] == 5 && huge[12345] == 3 && small1[0] == 1);

    /* A big allocation into an arena that has no block yet. */
    ts_arena *b = ts_arena_new();
    char *first = ts_arena_alloc(b, 100000);
    memset(first, 7, 100000);
    char *after = ts_arena_alloc(b, 16);
    memset(after, 8, 16);
    CHECK(first[99999] == 7 && after[15] == 8);
    ts_arena_free(b);

    /* printf longer than its 256-byte stack buffer. */
    memset(fmt_arg, 'x', sizeof(fmt_arg) - 1);
    fmt_arg[sizeof(fmt_arg) - 1] = '\0';
    char *p = ts_arena_printf(a, "[%s]", fmt_arg);
    CHECK(strlen(p) == 3001);
    CHECK(p[0] == '[' && p[1] == 'x' && p[2999] == 'x' && p[3000] == ']');
    ts_arena_free(a);
}

TEST(core_arena_cleanups)
{
    ts_arena *a = ts_arena_new();

    cleanup_n = 0;
    ts_arena_cleanup(a, log_cb, (void *)(intptr_t)1);
    ts_arena_alloc(a, 20000);
    ts_arena_cleanup(a, log_cb, (void *)(intptr_t)2);
    for (int i = 0; i < 50; i++)
        ts_arena_alloc(a, 1000);
    ts_arena_cleanup(a, log_cb, (void *)(intptr_t)3);
    /* A cleanup that owns heap memory: the leak checker sees it freed. */
    ts_arena_cleanup(a, free_cb, ts_strdup("owned by the arena"));
    CHECK(cleanup_n == 0);
    ts_arena_free(a);
    REQUIRE(cleanup_n == 3);
    CHECK(cleanup_log[0] == 3);
    CHECK(cleanup_log[1] == 2);
    CHECK(cleanup_log[2] == 1);

    /* An arena with only cleanups. */
    a = ts_arena_new();
    cleanup_n = 0;
    ts_arena_cleanup(a, log_cb, (void *)(intptr_t)9);
    ts_arena_free(a);
    CHECK(cleanup_n == 1 && cleanup_log[0] == 9);
}

/* Runs fn in a child; 1 when it returned normally (exit 0), 0 when it
 * aborted or died. */
static int child_returns(void (*fn)(void))
{
    pid_t pid = fork();
    int status;

    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0)
            dup2(fd, 2);
        fn();
        _exit(0);
    }
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void arena_alloc_max(void)
{
    ts_arena *a = ts_arena_new();
    volatile size_t n = SIZE_MAX;

    /* Cannot be satisfied: must abort, not hand back a small block. */
    ts_arena_alloc(a, n);
}

static void malloc_max(void)
{
    volatile size_t n = SIZE_MAX;

    ts_malloc(n);
}

TEST(core_alloc_impossible_sizes_abort)
{
    CHECK(child_returns(malloc_max) == 0);
    CHECK(child_returns(arena_alloc_max) == 0);
}

/* ---- hex ---- */

TEST(core_hex)
{
    const unsigned char raw[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
    char hex[2 * sizeof(raw) + 1];
    unsigned char out[16];

    ts_hex_encode(raw, sizeof(raw), hex);
    CHECK_STR(hex, "00017f80abff");
    CHECK(ts_hex_decode(hex, strlen(hex), out) == (int)sizeof(raw));
    CHECK(memcmp(out, raw, sizeof(raw)) == 0);
    CHECK(ts_hex_decode("ABCDEF", 6, out) == 3);
    CHECK(out[0] == 0xab && out[1] == 0xcd && out[2] == 0xef);
    CHECK(ts_hex_decode("aBcD", 4, out) == 2 && out[0] == 0xab && out[1] == 0xcd);
    CHECK(ts_hex_decode("", 0, out) == 0);
    ts_hex_encode(raw, 0, hex);
    CHECK_STR(hex, "");

    /* Only n bytes are read. */
    CHECK(ts_hex_decode("12zz", 2, out) == 1 && out[0] == 0x12);

    /* Bad input. */
    CHECK(ts_hex_decode("abc", 3, out) == -1);
    CHECK(ts_hex_decode("0g", 2, out) == -1);
    CHECK(ts_hex_decode("g0", 2, out) == -1);
    CHECK(ts_hex_decode("12 4", 4, out) == -1);
    CHECK(ts_hex_decode("-1", 2, out) == -1);
    CHECK(ts_hex_decode("0x12", 4, out) == -1);
    CHECK(ts_hex_decode("1\0", 2, out) == -1);
}

/* ---- base64 ---- */

/* Decodes s; returns the decoded text (static) or "(bad)". */
static const char *b64d(const char *s)
{
    static char text[256];
    unsigned char *out = NULL;
    size_t n = 12345;

    if (ts_base64_decode(s, strlen(s), &out, &n) != 0)
        return "(bad)";
    if (n >= sizeof(text))
        n = sizeof(text) - 1;
    memcpy(text, out, n);
    text[n] = '\0';
    ts_free(out);
    return text;
}

static int b64e_is(const char *in, const char *want)
{
    char *s = ts_base64_encode((const unsigned char *)in, strlen(in));
    int ok = !strcmp(s, want);

    if (!ok)
        fprintf(stderr, "  base64(\"%s\") = \"%s\", want \"%s\"\n", in, s, want);
    ts_free(s);
    return ok;
}

TEST(core_base64_vectors)
{
    /* RFC 4648 section 10. */
    CHECK(b64e_is("", ""));
    CHECK(b64e_is("f", "Zg=="));
    CHECK(b64e_is("fo", "Zm8="));
    CHECK(b64e_is("foo", "Zm9v"));
    CHECK(b64e_is("foob", "Zm9vYg=="));
    CHECK(b64e_is("fooba", "Zm9vYmE="));
    CHECK(b64e_is("foobar", "Zm9vYmFy"));

    CHECK_STR(b64d(""), "");
    CHECK_STR(b64d("Zg=="), "f");
    CHECK_STR(b64d("Zm8="), "fo");
    CHECK_STR(b64d("Zm9v"), "foo");
    CHECK_STR(b64d("Zm9vYg=="), "foob");
    CHECK_STR(b64d("Zm9vYmE="), "fooba");
    CHECK_STR(b64d("Zm9vYmFy"), "foobar");
    CHECK_STR(b64d("+/+/"), "\xfb\xff\xbf");
}

TEST(core_base64_binary_roundtrip)
{
    unsigned char raw[256];

    for (int i = 0; i < 256; i++)
        raw[i] = (unsigned char)(255 - i);
    for (size_t n = 0; n <= sizeof(raw); n++) {
        char *s = ts_base64_encode(raw, n);
        unsigned char *out = NULL;
        size_t outlen = 0;

        CHECK(strlen(s) == 4 * ((n + 2) / 3));
        if (ts_base64_decode(s, strlen(s), &out, &outlen) != 0) {
            CHECK(!"round trip failed to decode");
            ts_free(s);
            break;
        }
        CHECK(outlen == n);
        CHECK(memcmp(out, raw, n) == 0);
        ts_free(out);
        ts_free(s);
    }
}

TEST(core_base64_bad)
{
    /* Lengths that are not a multiple of 4. */
    CHECK_STR(b64d("Z"), "(bad)");
    CHECK_STR(b64d("Zg"), "(bad)");
    CHECK_STR(b64d("Zg="), "(bad)");
    CHECK_STR(b64d("Zm9vY"), "(bad)");
    CHECK_STR(b64d("Zm9v="), "(bad)");
    /* Padding in the wrong place or too much of it. */
    CHECK_STR(b64d("===="), "(bad)");
    CHECK_STR(b64d("Z==="), "(bad)");
    CHECK_STR(b64d("=Zm9"), "(bad)");
    CHECK_STR(b64d("Zm=v"), "(bad)");
    CHECK_STR(b64d("Zg==Zm9v"), "(bad)");
    CHECK_STR(b64d("Zm9vYg=a"), "(bad)");
    /* Characters outside the standard alphabet. */
    CHECK_STR(b64d("Zm9*"), "(bad)");
    CHECK_STR(b64d("Zm-_"), "(bad)");
    CHECK_STR(b64d("Zm 9"), "(bad)");
    CHECK_STR(b64d("Zm9v\n"), "(bad)");
    CHECK_STR(b64d("Zm\n9v"), "(bad)");
    CHECK_STR(b64d("Zm9\xc3"), "(bad)");

    /* An embedded NUL within n is bad too. */
    unsigned char *out = NULL;
    size_t n = 0;
    CHECK(ts_base64_decode("Zm\0v", 4, &out, &n) == -1);
}

/* ---- URL escapes ---- */

/* Decodes s with plus_space; "(null)" for NULL, static copy otherwise. */
static const char *urld(const char *s, int plus_space)
{
    static char text[256];
    char *d = ts_url_decode(s, strlen(s), plus_space);

    if (!d)
        return "(null)";
    snprintf(text, sizeof(text), "%s", d);
    ts_free(d);
    return text;
}

TEST(core_url_decode)
{
    CHECK_STR(urld("", 0), "");
    CHECK_STR(urld("plain", 0), "plain");
    CHECK_STR(urld("a%20b", 0), "a b");
    CHECK_STR(urld("%41%62%7e", 0), "Ab~");
    CHECK_STR(urld("%2f%2F", 0), "//");
    CHECK_STR(urld("%E2%82%AC", 0), "\xe2\x82\xac");
    CHECK_STR(urld("%41", 0), "A");
    CHECK_STR(urld("x%41", 0), "xA");
    CHECK_STR(urld("%25%32%30", 0), "%20");

    /* '+' is a space only in form encoding; %2B is always '+'. */
    CHECK_STR(urld("a+b", 0), "a+b");
    CHECK_STR(urld("a+b", 1), "a b");
    CHECK_STR(urld("a%2Bb", 1), "a+b");
    CHECK_STR(urld("++", 1), "  ");

    /* Malformed escapes. */
    CHECK_STR(urld("%", 0), "(null)");
    CHECK_STR(urld("abc%", 0), "(null)");
    CHECK_STR(urld("%4", 0), "(null)");
    CHECK_STR(urld("a%4", 1), "(null)");
    CHECK_STR(urld("%zz", 0), "(null)");
    CHECK_STR(urld("%4g", 0), "(null)");
    CHECK_STR(urld("%g4", 0), "(null)");
    CHECK_STR(urld("% 1", 0), "(null)");
    CHECK_STR(urld("%%41", 0), "(null)");
    CHECK_STR(urld("ok%41%", 0), "(null)");

    /* Only n bytes are decoded, and an escaped NUL is kept. */
    char *d = ts_url_decode("ab%41cd", 5, 0);
    REQUIRE(d != NULL);
    CHECK_STR(d, "abA");
    ts_free(d);
    CHECK(ts_url_decode("ab%41", 4, 0) == NULL);
    d = ts_url_decode("a%00b", 5, 0);
    REQUIRE(d != NULL);
    CHECK(d[0] == 'a' && d[1] == '\0' && d[2] == 'b' && d[3] == '\0');
    ts_free(d);
}

TEST(core_url_decode_len)
{
    size_t n = 99;
    char *d = ts_url_decode_len("a%00b%41", 8, 0, &n);

    REQUIRE(d != NULL);
    CHECK(n == 4 && strlen(d) == 1 && d[2] == 'b' && d[3] == 'A');
    ts_free(d);
    CHECK(ts_url_decode_len("a%0", 3, 0, &n) == NULL);
}

TEST(core_utf8_valid)
{
    static const struct {
        const char *s;
        int ok;
    } cases[] = {
        {"", 1}, {"plain ascii", 1}, {"\xe2\x82\xac", 1}, {"\xf4\x8f\xbf\xbf", 1},
        {"\xef\xbf\xbf", 1}, {"\xed\x9f\xbf", 1}, {"\xee\x80\x80", 1}, {"\xc2\x80", 1},
        {"\xff", 0}, {"\xfe", 0}, {"\x80", 0}, {"a\xff" "b", 0},
        {"\xc0\xaf", 0},           /* overlong '/' */
        {"\xe0\x80\xaf", 0},       /* overlong */
        {"\xf0\x80\x80\xaf", 0},   /* overlong */
        {"\xed\xa0\x80", 0},       /* a surrogate */
        {"\xf4\x90\x80\x80", 0},   /* past U+10FFFF */
        {"\xe2\x82", 0},           /* cut short */
        {"\xe2\x82" "x", 0},
        {"\xc2", 0},
    };

    for (size_t i = 0; i < TS_ARRAY_LEN(cases); i++) {
        if (ts_utf8_valid(cases[i].s, strlen(cases[i].s)) != cases[i].ok) {
            fprintf(stderr, "  utf8 case %zu: want %d\n", i, cases[i].ok);
            *ts_failed_ = 1;
        }
    }
    CHECK(ts_utf8_valid("a\0b", 3) == 1);
}

TEST(core_url_encode)
{
    ts_buf b;
    const char all[] = "AZaz09-_.~";

    ts_buf_init(&b);
    ts_url_encode(&b, all, strlen(all), 0);
    CHECK_STR(b.data, all);
    ts_buf_reset(&b);

    ts_url_encode(&b, "a b/c+d=e&f%", 12, 0);
    CHECK_STR(b.data, "a%20b%2Fc%2Bd%3De%26f%25");
    ts_buf_reset(&b);
    ts_url_encode(&b, "a b/c", 5, 1);
    CHECK_STR(b.data, "a%20b/c");
    ts_buf_reset(&b);

    /* Bytes >= 0x80 and NUL as upper-case escapes; appends to content. */
    ts_buf_puts(&b, "k=");
    ts_url_encode(&b, "\xe2\x82\xac\0!", 5, 0);
    CHECK_STR(b.data, "k=%E2%82%AC%00%21");
    CHECK(b.len == strlen("k=%E2%82%AC%00%21"));
    ts_buf_reset(&b);

    ts_url_encode(&b, "", 0, 0);
    CHECK_STR(b.data, "");
    CHECK(b.len == 0);

    /* Encoding then decoding gives every byte back. */
    char raw[256];
    for (int i = 0; i < 256; i++)
        raw[i] = (char)i;
    ts_buf_reset(&b);
    ts_url_encode(&b, raw, sizeof(raw), 0);
    char *d = ts_url_decode(b.data, b.len, 1);
    REQUIRE(d != NULL);
    CHECK(memcmp(d, raw, sizeof(raw)) == 0);
    ts_free(d);
    ts_buf_free(&b);
}

/* ---- time ---- */

/* 2015-10-21T07:28:00Z */
#define T_2015 1445412480000LL

static int64_t parse_or(const char *s, int64_t bad)
{
    int64_t t = 77;

    if (ts_time_parse(s, &t) != 0)
        return bad;
    return t;
}

TEST(core_time_format)
{
    char out[32];

    ts_time_rfc1123(T_2015, out);
    CHECK_STR(out, "Wed, 21 Oct 2015 07:28:00 GMT");
    ts_time_iso8601(T_2015, out);
    CHECK_STR(out, "2015-10-21T07:28:00.000Z");
    ts_time_iso8601(T_2015 + 7, out);
    CHECK_STR(out, "2015-10-21T07:28:00.007Z");
    ts_time_iso8601(T_2015 + 999, out);
    CHECK_STR(out, "2015-10-21T07:28:00.999Z");
    /* Milliseconds never round the seconds in RFC 1123. */
    ts_time_rfc1123(T_2015 + 999, out);
    CHECK_STR(out, "Wed, 21 Oct 2015 07:28:00 GMT");

    ts_time_rfc1123(0, out);
    CHECK_STR(out, "Thu, 01 Jan 1970 00:00:00 GMT");
    ts_time_iso8601(0, out);
    CHECK_STR(out, "1970-01-01T00:00:00.000Z");
    /* A leap day and the end of a year. */
    ts_time_iso8601(951782400000LL, out);
    CHECK_STR(out, "2000-02-29T00:00:00.000Z");
    ts_time_rfc1123(4102444799000LL, out);
    CHECK_STR(out, "Thu, 31 Dec 2099 23:59:59 GMT");
}

TEST(core_time_format_before_epoch)
{
    char out[32];

    /* 1.5 s before the epoch: the second is floored, not truncated. */
    ts_time_iso8601(-1500, out);
    CHECK_STR(out, "1969-12-31T23:59:58.500Z");
    ts_time_rfc1123(-1500, out);
    CHECK_STR(out, "Wed, 31 Dec 1969 23:59:58 GMT");
    ts_time_iso8601(-86400000LL, out);
    CHECK_STR(out, "1969-12-31T00:00:00.000Z");
}

TEST(core_time_parse_formats)
{
    /* RFC 1123, RFC 850, asctime (both day widths). */
    CHECK(parse_or("Wed, 21 Oct 2015 07:28:00 GMT", -1) == T_2015);
    CHECK(parse_or("Wednesday, 21-Oct-15 07:28:00 GMT", -1) == T_2015);
    CHECK(parse_or("Wed Oct 21 07:28:00 2015", -1) == T_2015);
    CHECK(parse_or("Sun Nov  6 08:49:37 1994", -1) == 784111777000LL);
    CHECK(parse_or("Sun, 06 Nov 1994 08:49:37 GMT", -1) == 784111777000LL);
    CHECK(parse_or("Sunday, 06-Nov-94 08:49:37 GMT", -1) == 784111777000LL);

    /* ISO 8601: with and without fraction and zone. */
    CHECK(parse_or("2015-10-21T07:28:00Z", -1) == T_2015);
    CHECK(parse_or("2015-10-21T07:28:00", -1) == T_2015);
    CHECK(parse_or("2015-10-21T07:28:00+00:00", -1) == T_2015);
    CHECK(parse_or("2015-10-21T07:28:00.000Z", -1) == T_2015);
    /* SigV4 basic format (X-Amz-Date). */
    CHECK(parse_or("20151021T072800Z", -1) == T_2015);
    CHECK(parse_or("19700101T000000Z", -1) == 0);

    /* Round trips through the writers. */
    char out[32];
    ts_time_rfc1123(T_2015 + 86400000LL * 400, out);
    CHECK(parse_or(out, -1) == T_2015 + 86400000LL * 400);
    ts_time_iso8601(T_2015 - 3600000, out);
    CHECK(parse_or(out, -1) == T_2015 - 3600000);
}

TEST(core_time_parse_keeps_milliseconds)
{
    char out[32];

    /* The result is in milliseconds: an ISO fraction must not be lost. */
    CHECK(parse_or("2015-10-21T07:28:00.123Z", -1) == T_2015 + 123);
    CHECK(parse_or("2015-10-21T07:28:00.5Z", -1) == T_2015 + 500);
    ts_time_iso8601(T_2015 + 250, out);
    CHECK(parse_or(out, -1) == T_2015 + 250);
}

TEST(core_time_parse_garbage)
{
    const char *bad[] = {
        "",
        " ",
        "yesterday",
        "0",
        "1445412480",
        "Wed, 21 Oct 2015 07:28:00",         /* no zone */
        "Wed, 21 Oct 2015 07:28:00 GMTX",    /* trailing junk */
        "Wed, 21 Oct 2015 07:28:00 GMT junk",
        "Wed, 21 Foo 2015 07:28:00 GMT",     /* no such month */
        "Wed, 32 Oct 2015 07:28:00 GMT",
        "Wed, 21 Oct 2015 24:28:00 GMT",
        "Wed, 21 Oct 2015 07:60:00 GMT",
        "Xyz, 21 Oct 2015 07:28:00 GMT",
        "2015-10-21",
        "2015-10-21T07:28",
        "2015-13-21T07:28:00Z",
        "2015-00-21T07:28:00Z",
        "2015-10-21T25:00:00Z",
        "2015-10-21T07:28:00Zjunk",
        "2015-10-21T07:28:00.Zjunk",
        "2015-10-21T07:28:00 Z",
        "20151021T072800",                   /* basic format needs Z */
        "20151021T072800Zx",
        "2015/10/21 07:28:00",
        "Wed Oct 21 07:28:00",
    };

    for (size_t i = 0; i < TS_ARRAY_LEN(bad); i++) {
        int64_t t = 77;
        if (ts_time_parse(bad[i], &t) != -1) {
            fprintf(stderr, "  accepted \"%s\"\n", bad[i]);
            CHECK(!"garbage time accepted");
        }
    }
}

/* ---- small helpers ---- */

TEST(core_string_helpers)
{
    CHECK(ts_strieq("Content-Type", "content-type"));
    CHECK(!ts_strieq("Content-Type", "content-typ"));
    CHECK(ts_starts_with("x-amz-meta-a", "x-amz-meta-"));
    CHECK(!ts_starts_with("x-amz", "x-amz-meta-"));
    CHECK(ts_starts_with("abc", ""));
    CHECK(ts_ends_with("file.txt", ".txt"));
    CHECK(!ts_ends_with("txt", ".txt"));
    CHECK(ts_ends_with("abc", ""));

    char hex[33], id[37];
    ts_random_hex(hex, 16);
    CHECK(strlen(hex) == 32);
    CHECK(strspn(hex, "0123456789abcdef") == 32);
    ts_request_id(id);
    CHECK(strlen(id) == 36);
    CHECK(id[8] == '-' && id[13] == '-' && id[18] == '-' && id[23] == '-');

    char many[2 * 100 + 1];
    ts_random_hex(many, 100);
    CHECK(strlen(many) == 200);
    CHECK(strspn(many, "0123456789abcdef") == 200);
}

TEST(core_uuid_v4)
{
    char a[37], b[37];

    for (int i = 0; i < 1000; i++) {
        ts_uuid_v4(a);
        CHECK(strlen(a) == 36);
        CHECK(a[8] == '-' && a[13] == '-' && a[18] == '-' && a[23] == '-');
        CHECK(a[14] == '4');                    /* version 4 */
        CHECK(strchr("89ab", a[19]) != NULL);   /* variant 10xx */
        CHECK(strspn(a, "0123456789abcdef-") == 36);
    }
    ts_uuid_v4(b);
    CHECK(strcmp(a, b) != 0);
}
