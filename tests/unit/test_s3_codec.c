/*
 * test_s3_codec.c - the S3 pieces that need no request: the aws-chunked
 * decoder (signed and unsigned bodies, trailers, any split of the input,
 * truncation and framing errors), the checksums against published
 * vectors (CRC32C and CRC64NVME check values, the aws-checksums vectors,
 * base64 digests computed independently with Python's zlib and hashlib),
 * Range header parsing and version id validation.
 */
#include "test.h"

#include "../../src/s3/s3_int.h"

#include <stdlib.h>

/* ---- aws-chunked ---- */

static int collect_cb(void *arg, const char *p, size_t n)
{
    ts_buf_append(arg, p, n);
    return 0;
}

static int refuse_cb(void *arg, const char *p, size_t n)
{
    (void)arg;
    (void)p;
    (void)n;
    return -1;
}

/* Feeds body in pieces of at most step bytes (0: all at once; -1: random
 * sizes from seed).  Returns the first non-zero rc, or 0. */
static int feed(s3_chunked *c, ts_buf *out, const char *body, size_t len,
                int step, unsigned seed)
{
    size_t i = 0;

    s3_chunked_init(c);
    ts_buf_reset(out);
    while (i < len) {
        size_t n;
        if (step == 0) {
            n = len - i;
        } else if (step < 0) {
            seed = seed * 1103515245u + 12345u;
            n = 1 + (seed >> 16) % 97;
        } else {
            n = (size_t)step;
        }
        if (n > len - i)
            n = len - i;
        if (s3_chunked_feed(c, body + i, n, collect_cb, out) != 0)
            return -1;
        i += n;
    }
    if (!out->data)
        ts_buf_puts(out, "");
    return 0;
}

/* s with CR and LF made visible, for failure messages (static). */
static const char *show(const char *s)
{
    static char out[256];
    size_t o = 0;

    for (; *s && o + 3 < sizeof(out); s++) {
        if (*s == '\r' || *s == '\n') {
            out[o++] = '\\';
            out[o++] = *s == '\r' ? 'r' : 'n';
        } else {
            out[o++] = *s;
        }
    }
    out[o] = '\0';
    return out;
}

static int feed_str(s3_chunked *c, ts_buf *out, const char *body)
{
    return feed(c, out, body, strlen(body), 0, 0);
}

#define SIG64 "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"

/* The signed example of the S3 documentation: 64 KiB, 1 KiB, then 0. */
static char *signed_body(size_t *len, ts_buf *payload)
{
    ts_buf b;

    ts_buf_init(&b);
    ts_buf_reset(payload);
    ts_buf_puts(&b, "10000;chunk-signature=" SIG64 "\r\n");
    for (int i = 0; i < 65536; i++) {
        char ch = (char)('a' + i % 23);
        ts_buf_putc(&b, ch);
        ts_buf_putc(payload, ch);
    }
    ts_buf_puts(&b, "\r\n400;chunk-signature=" SIG64 "\r\n");
    for (int i = 0; i < 1024; i++) {
        char ch = (char)(i & 0xff); /* binary, CR and LF included */
        ts_buf_putc(&b, ch);
        ts_buf_putc(payload, ch);
    }
    ts_buf_puts(&b, "\r\n0;chunk-signature=" SIG64 "\r\n\r\n");
    return ts_buf_detach(&b, len);
}

static const char unsigned_trailer_body[] =
    "5\r\nhello\r\n"
    "6\r\n world\r\n"
    "0\r\n"
    "x-amz-checksum-crc32:DUoRhQ==\r\n"
    "\r\n";

TEST(s3_chunked_signed)
{
    s3_chunked c;
    ts_buf out, want;
    size_t len;
    char *body;

    ts_buf_init(&out);
    ts_buf_init(&want);
    body = signed_body(&len, &want);
    REQUIRE(feed(&c, &out, body, len, 0, 0) == 0);
    CHECK(s3_chunked_complete(&c));
    CHECK(out.len == want.len && out.len == 65536 + 1024);
    CHECK(memcmp(out.data, want.data, want.len) == 0);
    CHECK(s3_chunked_trailer(&c, "x-amz-checksum-crc32") == NULL);

    /* One byte at a time, and in random splits: the same payload. */
    REQUIRE(feed(&c, &out, body, len, 1, 0) == 0);
    CHECK(s3_chunked_complete(&c));
    CHECK(out.len == want.len && memcmp(out.data, want.data, want.len) == 0);
    for (unsigned seed = 1; seed <= 20; seed++) {
        REQUIRE(feed(&c, &out, body, len, -1, seed) == 0);
        CHECK(s3_chunked_complete(&c));
        CHECK(out.len == want.len && memcmp(out.data, want.data, want.len) == 0);
    }
    ts_free(body);
    ts_buf_free(&out);
    ts_buf_free(&want);
}

TEST(s3_chunked_unsigned_trailer)
{
    s3_chunked c;
    ts_buf out;
    const size_t len = sizeof(unsigned_trailer_body) - 1;

    ts_buf_init(&out);
    REQUIRE(feed_str(&c, &out, unsigned_trailer_body) == 0);
    CHECK(s3_chunked_complete(&c));
    CHECK_STR(out.data, "hello world");
    CHECK_STR(s3_chunked_trailer(&c, "x-amz-checksum-crc32"), "DUoRhQ==");
    CHECK_STR(s3_chunked_trailer(&c, "X-Amz-Checksum-CRC32"), "DUoRhQ==");
    CHECK(s3_chunked_trailer(&c, "x-amz-checksum-crc32c") == NULL);

    for (int step = 1; step <= 7; step++) {
        REQUIRE(feed(&c, &out, unsigned_trailer_body, len, step, 0) == 0);
        CHECK(s3_chunked_complete(&c));
        CHECK_STR(out.data, "hello world");
        CHECK_STR(s3_chunked_trailer(&c, "x-amz-checksum-crc32"), "DUoRhQ==");
    }
    for (unsigned seed = 1; seed <= 50; seed++) {
        REQUIRE(feed(&c, &out, unsigned_trailer_body, len, -1, seed) == 0);
        CHECK(s3_chunked_complete(&c));
        CHECK_STR(out.data, "hello world");
    }

    /* Signed chunks with a checksum and a trailer signature; a value
     * after "name:" without a space, and the end without a closing line. */
    REQUIRE(feed_str(&c, &out,
                     "b;chunk-signature=" SIG64 "\r\nhello world\r\n"
                     "0;chunk-signature=" SIG64 "\r\n"
                     "x-amz-checksum-crc32c:yZRlqg==\r\n"
                     "x-amz-trailer-signature:" SIG64 "\r\n\r\n") == 0);
    CHECK(s3_chunked_complete(&c));
    CHECK_STR(out.data, "hello world");
    CHECK_STR(s3_chunked_trailer(&c, "x-amz-checksum-crc32c"), "yZRlqg==");
    CHECK_STR(s3_chunked_trailer(&c, "x-amz-trailer-signature"), SIG64);

    REQUIRE(feed_str(&c, &out, "3\r\nabc\r\n0\r\nx-amz-checksum-sha1: x\r\n") == 0);
    CHECK(s3_chunked_complete(&c));
    CHECK_STR(out.data, "abc");
    CHECK_STR(s3_chunked_trailer(&c, "x-amz-checksum-sha1"), "x");

    /* Whitespace after the end is tolerated. */
    REQUIRE(feed_str(&c, &out, "0\r\n\r\n\r\n  ") == 0);
    CHECK(s3_chunked_complete(&c));
    CHECK(out.len == 0);
    ts_buf_free(&out);
}

TEST(s3_chunked_many_trailers)
{
    s3_chunked c;
    ts_buf out;

    ts_buf_init(&out);
    REQUIRE(feed_str(&c, &out,
                     "1\r\nx\r\n0\r\na:1\r\nb:2\r\nc:3\r\nd:4\r\ne:5\r\nf:6\r\n\r\n") == 0);
    CHECK(s3_chunked_complete(&c));
    CHECK_STR(s3_chunked_trailer(&c, "a"), "1");
    CHECK_STR(s3_chunked_trailer(&c, "d"), "4");
    /* Long names and values are cut to their fields, not overflowed. */
    char body[1024], name[200], value[600];
    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    memset(value, 'v', sizeof(value) - 1);
    value[sizeof(value) - 1] = '\0';
    snprintf(body, sizeof(body), "0\r\n%.100s:%.400s\r\n\r\n", name, value);
    REQUIRE(feed_str(&c, &out, body) == 0);
    CHECK(s3_chunked_complete(&c));
    CHECK(c.ntrailers == 1);
    CHECK(strlen(c.trailer_name[0]) < sizeof(c.trailer_name[0]));
    CHECK(strlen(c.trailer_value[0]) < sizeof(c.trailer_value[0]));
    ts_buf_free(&out);
}

TEST(s3_chunked_truncated)
{
    s3_chunked c;
    ts_buf out, want;
    const char *body = unsigned_trailer_body;
    /* Up to the end of the "0\r\n" line, no prefix is a complete body. */
    const size_t final_end = (size_t)(strstr(body, "0\r\nx-amz") - body) + 3;

    ts_buf_init(&out);
    ts_buf_init(&want);
    for (size_t n = 0; n < final_end; n++) {
        int rc = feed(&c, &out, body, n, 0, 0);
        CHECK(rc == 0);
        if (s3_chunked_complete(&c)) {
            fprintf(stderr, "  complete after %zu of %zu bytes\n", n, final_end);
            CHECK(!"truncated body complete");
        }
    }
    /* Inside a trailer line: not complete either. */
    size_t trailer_end = final_end + strlen("x-amz-checksum-crc32:DUoRhQ==\r\n");
    for (size_t n = final_end + 1; n < trailer_end; n++) {
        CHECK(feed(&c, &out, body, n, 0, 0) == 0);
        CHECK(!s3_chunked_complete(&c));
    }

    /* Truncated inside the big signed chunk. */
    size_t len;
    char *sb = signed_body(&len, &want);
    const size_t cuts[] = {1, 10, 50, 90, 1000, 65536, len - 200, len - 90,
                           len - 50, len - 1};
    for (size_t i = 0; i < TS_ARRAY_LEN(cuts); i++) {
        CHECK(feed(&c, &out, sb, cuts[i], 0, 0) == 0);
        CHECK(!s3_chunked_complete(&c));
    }
    ts_free(sb);
    ts_buf_free(&out);
    ts_buf_free(&want);
}

TEST(s3_chunked_bad_framing)
{
    const char *bad[] = {
        /* bad hex sizes */
        "zz\r\n",
        "g\r\n",
        "5x\r\nhello\r\n0\r\n\r\n",
        "5 \r\nhello\r\n0\r\n\r\n",
        " 5\r\nhello\r\n0\r\n\r\n",
        "-5\r\nhello\r\n0\r\n\r\n",
        "+5\r\nhello\r\n0\r\n\r\n",
        "0x5\r\nhello\r\n0\r\n\r\n",
        "\r\n",
        ";chunk-signature=abc\r\n",
        "FFFFFFFFFFFFFFFFFFFF\r\n",
        "1000000001\r\n",             /* over 64 GiB */
        /* data not followed by CRLF */
        "5\r\nhelloX",
        "5\r\nhello\rX",
        "5\r\nhello0\r\n\r\n",
        "3\r\nhello\r\n0\r\n\r\n",
        /* trailer lines without a colon */
        "0\r\nx-amz-checksum-crc32\r\n\r\n",
        "1\r\na\r\n0\r\ngarbage\r\n\r\n",
        /* anything after the end */
        "0\r\n\r\n5\r\nhello\r\n",
        "0\r\n\r\nx",
    };
    s3_chunked c;
    ts_buf out;

    ts_buf_init(&out);
    for (size_t i = 0; i < TS_ARRAY_LEN(bad); i++) {
        size_t len = strlen(bad[i]);
        /* Whole, and one byte at a time: refused either way. */
        for (int step = 0; step <= 1; step++)
            if (feed(&c, &out, bad[i], len, step, 0) != -1) {
                fprintf(stderr, "  accepted (step %d) \"%s\"\n", step, show(bad[i]));
                CHECK(!"bad framing accepted");
            }
    }

    /* 64 GiB exactly is a size the decoder still takes. */
    s3_chunked_init(&c);
    CHECK(s3_chunked_feed(&c, "1000000000\r\nab", 14, collect_cb, &out) == 0);
    CHECK(!s3_chunked_complete(&c));

    /* The output callback's failure stops the feed. */
    s3_chunked_init(&c);
    CHECK(s3_chunked_feed(&c, "5\r\nhello\r\n", 10, refuse_cb, NULL) == -1);
    ts_buf_free(&out);
}

TEST(s3_chunked_oversize_lines)
{
    s3_chunked c;
    ts_buf out, body;

    ts_buf_init(&out);
    ts_buf_init(&body);

    /* A long extension that still fits is fine. */
    ts_buf_puts(&body, "5;chunk-signature=");
    for (int i = 0; i < 900; i++)
        ts_buf_putc(&body, 'a');
    ts_buf_puts(&body, "\r\nhello\r\n0\r\n\r\n");
    CHECK(feed(&c, &out, body.data, body.len, 0, 0) == 0);
    CHECK(s3_chunked_complete(&c));
    CHECK_STR(out.data, "hello");

    /* A size line that never ends. */
    ts_buf_reset(&body);
    ts_buf_puts(&body, "5;chunk-signature=");
    for (int i = 0; i < 5000; i++)
        ts_buf_putc(&body, 'a');
    ts_buf_puts(&body, "\r\nhello\r\n0\r\n\r\n");
    CHECK(feed(&c, &out, body.data, body.len, 0, 0) == -1);
    CHECK(feed(&c, &out, body.data, body.len, 1, 0) == -1);

    /* A trailer line that never ends. */
    ts_buf_reset(&body);
    ts_buf_puts(&body, "0\r\nx-amz-checksum-crc32:");
    for (int i = 0; i < 2000; i++)
        ts_buf_putc(&body, 'A');
    ts_buf_puts(&body, "\r\n\r\n");
    CHECK(feed(&c, &out, body.data, body.len, 0, 0) == -1);

    /* A line of all zeros (leading zeros are allowed) under the limit. */
    ts_buf_reset(&body);
    for (int i = 0; i < 1000; i++)
        ts_buf_putc(&body, '0');
    ts_buf_puts(&body, "3\r\nabc\r\n0\r\n\r\n");
    CHECK(feed(&c, &out, body.data, body.len, 0, 0) == 0);
    CHECK_STR(out.data, "abc");
    ts_buf_free(&body);
    ts_buf_free(&out);
}

/* ---- checksums ---- */

/* Checksum of data fed in pieces of step bytes, as base64 (static). */
static const char *cksum(s3_cksum_algo algo, const char *data, size_t n, size_t step)
{
    static char text[128];
    ts_arena *a = ts_arena_new();
    s3_cksum c;
    char *r;

    s3_cksum_init(&c, algo);
    for (size_t i = 0; i < n; i += step)
        s3_cksum_update(&c, data + i, TS_MIN(step, n - i));
    r = s3_cksum_final(a, &c);
    snprintf(text, sizeof(text), "%s", r ? r : "(null)");
    ts_arena_free(a);
    return text;
}

TEST(s3_crc32c_vectors)
{
    unsigned char zeros[32] = {0}, values[32];

    for (int i = 0; i < 32; i++)
        values[i] = (unsigned char)i;
    /* The CRC-32C check value, and the aws-checksums/aws-crt vectors. */
    CHECK(s3_crc32c(0, "123456789", 9) == 0xE3069283u);
    CHECK(s3_crc32c(0, "", 0) == 0);
    CHECK(s3_crc32c(0, zeros, 32) == 0x8A9136AAu);
    CHECK(s3_crc32c(0, values, 32) == 0x46DD794Eu);
    CHECK(s3_crc32c(0, "Hello", 5) == 2178485787u);
    /* Incremental. */
    uint32_t c = s3_crc32c(0, "1234", 4);
    CHECK(s3_crc32c(c, "56789", 5) == 0xE3069283u);
    c = 0;
    for (int i = 0; i < 32; i++)
        c = s3_crc32c(c, values + i, 1);
    CHECK(c == 0x46DD794Eu);
}

TEST(s3_crc64nvme_vectors)
{
    unsigned char zeros[32] = {0}, values[32];

    for (int i = 0; i < 32; i++)
        values[i] = (unsigned char)i;
    /* awslabs/aws-checksums tests/crc64_test.c: the check value, 32 zeros,
     * bytes 0..31; aws-c-s3's NIST case 1 ("aaaaaaaaaa"). */
    CHECK(s3_crc64nvme(0, "123456789", 9) == 0xAE8B14860A799888ull);
    CHECK(s3_crc64nvme(0, zeros, 32) == 0xCF3473434D4ECF3Bull);
    CHECK(s3_crc64nvme(0, values, 32) == 0xB9D9D4A8492CBD7Full);
    CHECK(s3_crc64nvme(0, "aaaaaaaaaa", 10) == 0x0C1A80036D65C555ull);
    CHECK(s3_crc64nvme(0, "", 0) == 0);
    uint64_t c = s3_crc64nvme(0, "12345", 5);
    CHECK(s3_crc64nvme(c, "6789", 4) == 0xAE8B14860A799888ull);
    c = 0;
    for (int i = 0; i < 32; i++)
        c = s3_crc64nvme(c, values + i, 1);
    CHECK(c == 0xB9D9D4A8492CBD7Full);
}

TEST(s3_cksum_base64)
{
    const char *hw = "hello world";
    const size_t n = strlen(hw);

    for (size_t step = 1; step <= n; step += 3) {
        /* python3: base64 of zlib.crc32, hashlib.sha1 / sha256 digests. */
        CHECK_STR(cksum(S3_CK_CRC32, hw, n, step), "DUoRhQ==");
        CHECK_STR(cksum(S3_CK_SHA1, hw, n, step), "Kq5sNclPz7QV2+lfQIuc6R7oRu0=");
        CHECK_STR(cksum(S3_CK_SHA256, hw, n, step),
                  "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=");
        /* Big-endian bytes of 0xC99465AA and 0x8D29D5C3F6EA8EBE. */
        CHECK_STR(cksum(S3_CK_CRC32C, hw, n, step), "yZRlqg==");
        CHECK_STR(cksum(S3_CK_CRC64NVME, hw, n, step), "jSnVw/bqjr4=");
    }
    CHECK_STR(cksum(S3_CK_CRC32C, "123456789", 9, 9), "4waSgw==");
    CHECK_STR(cksum(S3_CK_CRC64NVME, "123456789", 9, 9), "rosUhgp5mIg=");

    /* Empty input. */
    CHECK_STR(cksum(S3_CK_CRC32, "", 0, 1), "AAAAAA==");
    CHECK_STR(cksum(S3_CK_CRC64NVME, "", 0, 1), "AAAAAAAAAAA=");
    CHECK_STR(cksum(S3_CK_SHA256, "", 0, 1),
              "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    CHECK_STR(cksum(S3_CK_NONE, hw, n, 1), "(null)");

    /* A context freed without finishing leaks nothing. */
    s3_cksum c;
    s3_cksum_init(&c, S3_CK_SHA256);
    s3_cksum_update(&c, hw, n);
    s3_cksum_free(&c);
    s3_cksum_free(&c);
}

TEST(s3_cksum_names)
{
    CHECK(s3_cksum_algo_parse("CRC32") == S3_CK_CRC32);
    CHECK(s3_cksum_algo_parse("crc32c") == S3_CK_CRC32C);
    CHECK(s3_cksum_algo_parse("Crc64Nvme") == S3_CK_CRC64NVME);
    CHECK(s3_cksum_algo_parse("SHA1") == S3_CK_SHA1);
    CHECK(s3_cksum_algo_parse("sha256") == S3_CK_SHA256);
    CHECK(s3_cksum_algo_parse("x-amz-checksum-crc32") == S3_CK_CRC32);
    CHECK(s3_cksum_algo_parse("X-Amz-Checksum-SHA256") == S3_CK_SHA256);
    CHECK(s3_cksum_algo_parse("MD5") == S3_CK_NONE);
    CHECK(s3_cksum_algo_parse("") == S3_CK_NONE);
    CHECK(s3_cksum_algo_parse("CRC") == S3_CK_NONE);
    CHECK(s3_cksum_algo_parse("CRC32 ") == S3_CK_NONE);
    CHECK(s3_cksum_algo_parse("x-amz-checksum-") == S3_CK_NONE);

    for (int a = S3_CK_CRC32; a <= S3_CK_SHA256; a++) {
        CHECK((int)s3_cksum_algo_parse(s3_cksum_algo_name((s3_cksum_algo)a)) == a);
        CHECK((int)s3_cksum_algo_parse(s3_cksum_header((s3_cksum_algo)a)) == a);
    }
    CHECK_STR(s3_cksum_algo_name(S3_CK_CRC64NVME), "CRC64NVME");
    CHECK_STR(s3_cksum_header(S3_CK_CRC32C), "x-amz-checksum-crc32c");
}

/* ---- Range ---- */

/* "rc start len" or "rc" when rc != 0, into a static buffer. */
static const char *range(const char *h, uint64_t size)
{
    static char out[64];
    uint64_t start = 12345, len = 12345;
    int rc = s3_range_parse(h, size, &start, &len);

    if (rc == 0)
        snprintf(out, sizeof(out), "0 %llu %llu", (unsigned long long)start,
                 (unsigned long long)len);
    else
        snprintf(out, sizeof(out), "%d", rc);
    return out;
}

TEST(s3_range_parse_good)
{
    CHECK_STR(range("bytes=0-0", 10), "0 0 1");
    CHECK_STR(range("bytes=0-9", 10), "0 0 10");
    CHECK_STR(range("bytes=2-5", 10), "0 2 4");
    CHECK_STR(range("bytes=9-9", 10), "0 9 1");
    /* Open end. */
    CHECK_STR(range("bytes=3-", 10), "0 3 7");
    CHECK_STR(range("bytes=0-", 10), "0 0 10");
    CHECK_STR(range("bytes=9-", 10), "0 9 1");
    /* Suffix. */
    CHECK_STR(range("bytes=-3", 10), "0 7 3");
    CHECK_STR(range("bytes=-10", 10), "0 0 10");
    CHECK_STR(range("bytes=-100", 10), "0 0 10");
    CHECK_STR(range("bytes=-1", 1), "0 0 1");
    /* An end past the object is cut to it. */
    CHECK_STR(range("bytes=5-100", 10), "0 5 5");
    CHECK_STR(range("bytes=0-18446744073709551615", 10), "0 0 10");
    CHECK_STR(range("bytes=0-99999999999999999999999", 10), "0 0 10");
    /* Large objects. */
    CHECK_STR(range("bytes=5368709120-", 5368709121ull), "0 5368709120 1");
    CHECK_STR(range("bytes=-5368709120", 10737418240ull), "0 5368709120 5368709120");
}

TEST(s3_range_parse_unsatisfiable)
{
    /* Starts at or past the end. */
    CHECK_STR(range("bytes=10-", 10), "-1");
    CHECK_STR(range("bytes=10-20", 10), "-1");
    CHECK_STR(range("bytes=100-200", 10), "-1");
    CHECK_STR(range("bytes=99999999999999999999999-", 10), "-1");
    /* A zero suffix, and any range of an empty object. */
    CHECK_STR(range("bytes=-0", 10), "-1");
    CHECK_STR(range("bytes=0-0", 0), "-1");
    CHECK_STR(range("bytes=0-", 0), "-1");
    CHECK_STR(range("bytes=-5", 0), "-1");
}

TEST(s3_range_parse_ignored)
{
    const char *junk[] = {
        "",
        "bytes",
        "bytes=",
        "bytes=-",
        "bytes=--5",
        "bytes=abc",
        "bytes=a-b",
        "bytes=1-x",
        "bytes=1-2x",
        "bytes=1-2-3",
        "bytes= 1-2",
        "bytes=1- 2",
        "bytes=+1-2",
        "bytes=1-+2",
        "bytes=-+2",
        "bytes=1",
        "bytes=0-1,3-4",   /* multiple ranges: the whole object */
        "bytes=0-1,",
        "bytes=-1,-2",
        "items=0-1",
        "0-1",
        "bytes 0-1",
    };

    for (size_t i = 0; i < TS_ARRAY_LEN(junk); i++)
        if (strcmp(range(junk[i], 10), "1") != 0) {
            fprintf(stderr, "  \"%s\" gave %s\n", junk[i], range(junk[i], 10));
            CHECK(!"junk range not ignored");
        }
    /* a > b is not a valid range: ignored, even past the end. */
    CHECK_STR(range("bytes=5-2", 10), "1");
    CHECK_STR(range("bytes=20-15", 10), "1");
    CHECK_STR(range("bytes=abc", 0), "1");
}

/* ---- version ids ---- */

TEST(s3_version_id_valid)
{
    char id[33];

    CHECK(s3_version_id_valid("null"));
    CHECK(s3_version_id_valid("0123456789abcdef0123456789abcdef"));
    for (int i = 0; i < 20; i++) {
        ts_random_hex(id, 16);
        CHECK(s3_version_id_valid(id));
    }

    CHECK(!s3_version_id_valid(""));
    CHECK(!s3_version_id_valid("NULL"));
    CHECK(!s3_version_id_valid("Null"));
    CHECK(!s3_version_id_valid("null "));
    CHECK(!s3_version_id_valid("0123456789abcdef0123456789abcde"));   /* 31 */
    CHECK(!s3_version_id_valid("0123456789abcdef0123456789abcdef0")); /* 33 */
    CHECK(!s3_version_id_valid("0123456789abcdef0123456789abcdeg"));
    CHECK(!s3_version_id_valid("0123456789abcdef 123456789abcdef"));
    CHECK(!s3_version_id_valid("3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY"));
    CHECK(!s3_version_id_valid("../../../../../../../../../../etc"));
}
