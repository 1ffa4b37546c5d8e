/*
 * test_logs.c - the pure parts of CloudWatch Logs: filter patterns
 * (terms, "phrases", ?any, -not, what is refused), paging tokens (round
 * trips, the bounds, malformed ones), eventIds, message cleaning and the
 * name rules.
 */
#include "test.h"
#include "../../src/logs/logs_int.h"

#include <stdint.h>
#include <stdlib.h>

/* 1 when pattern compiles and matches msg; -1 when it does not compile. */
static int match(const char *pattern, const char *msg)
{
    ts_arena *a = ts_arena_new();
    logs_pattern p;
    char err[256];
    int rc;

    if (logs_pattern_compile(&p, pattern, a, err, sizeof(err)) != 0)
        rc = -1;
    else
        rc = logs_pattern_match(&p, msg, strlen(msg));
    ts_arena_free(a);
    return rc;
}

static const struct pattern_case {
    const char *pattern, *msg;
    int want;
} pattern_cases[] = {
    /* empty and blank patterns match everything */
    {NULL, "anything", 1},
    {"", "anything", 1},
    {"   \t ", "", 1},
    /* terms: all must occur, case-sensitive, as substrings */
    {"ERROR", "[ERROR] disk full", 1},
    {"ERROR", "[error] disk full", 0},
    {"ERROR disk", "[ERROR] disk full", 1},
    {"ERROR  disk ", "[ERROR] disk full", 1},
    {"ERROR memory", "[ERROR] disk full", 0},
    {"ERR", "ERROR", 1},
    /* quoted phrases keep their spaces and punctuation */
    {"\"disk full\"", "[ERROR] disk full", 1},
    {"\"full disk\"", "[ERROR] disk full", 0},
    {"\"[ERROR]\" \"disk full\"", "[ERROR] disk full", 1},
    {"\"say \\\"hi\\\"\"", "they say \"hi\" now", 1},
    {"\"\"", "x", 1},
    /* ?terms: at least one; -terms: none */
    {"?ERROR ?WARN", "WARN low disk", 1},
    {"?ERROR ?WARN", "INFO fine", 0},
    {"ERROR -retrying", "ERROR disk full", 1},
    {"ERROR -retrying", "ERROR retrying in 5s", 0},
    {"-DEBUG", "INFO x", 1},
    {"-DEBUG", "DEBUG x", 0},
    {"request ?GET ?PUT -health", "request PUT /x", 1},
    {"request ?GET ?PUT -health", "request GET /health", 0},
    /* a lone ? or - is a term of its own */
    {"-", "a - b", 1},
    {"?", "where?", 1},
    /* refused: unclosed quotes and the syntaxes not supported */
    {"\"open", "open", -1},
    {"{ $.level = \"ERROR\" }", "{}", -1},
    {"[ip, user]", "1.2.3.4 bob", -1},
    {"%ERR.R%", "ERROR", -1},
};

TEST(logs_pattern_table)
{
    for (size_t i = 0; i < TS_ARRAY_LEN(pattern_cases); i++) {
        const struct pattern_case *pc = &pattern_cases[i];
        int got = match(pc->pattern, pc->msg);

        if (got != pc->want) {
            fprintf(stderr, "  pattern [%s] on [%s]: got %d, want %d\n",
                    pc->pattern ? pc->pattern : "(null)", pc->msg, got, pc->want);
            CHECK(got == pc->want);
        }
    }
}

TEST(logs_pattern_matches_bytes_past_nul)
{
    ts_arena *a = ts_arena_new();
    logs_pattern p;
    char err[128];
    const char msg[] = "a\0tail";

    REQUIRE(logs_pattern_compile(&p, "tail", a, err, sizeof(err)) == 0);
    CHECK(logs_pattern_match(&p, msg, sizeof(msg) - 1) == 1);
    CHECK(logs_pattern_match(&p, msg, 1) == 0);
    ts_arena_free(a);
}

TEST(logs_token_round_trip)
{
    static const logs_pos cases[] = {
        {0, 0}, {1, 1}, {1700000000123, 42}, {INT64_MAX, INT64_MAX}, {0, INT64_MAX},
    };
    char t[LOGS_TOKEN_SIZE], kind = 0;
    logs_pos got;

    for (size_t i = 0; i < TS_ARRAY_LEN(cases); i++) {
        for (const char *k = "fbn"; *k; k++) {
            logs_token_encode(*k, cases[i], t);
            CHECK(strlen(t) == LOGS_TOKEN_SIZE - 1);
            CHECK(t[0] == *k && t[1] == '/');
            CHECK(!strcmp(t + strlen(t) - 2, "/s"));
            REQUIRE(logs_token_decode(t, &kind, &got) == 0);
            CHECK(kind == *k);
            CHECK(got.ts == cases[i].ts && got.id == cases[i].id);
        }
    }
    logs_token_encode('f', (logs_pos){1700000000123, 42}, t);
    CHECK_STR(t, "f/00000001700000000123000000000000000000000000000000000042/s");
}

TEST(logs_token_refuses_malformed)
{
    static const char *bad[] = {
        "", "f", "f/", "x/00000001700000000123000000000000000000000000000000000042/s",
        "f/00000001700000000123000000000000000000000000000000000042",
        "f/00000001700000000123000000000000000000000000000000000042/x",
        "f/0000000170000000012300000000000000000000000000000000004/s",
        "f/000000017000000001230000000000000000000000000000000000042/s",
        "f/0000000170000000012300000000000000000000000000000000004a/s",
        "f-00000001700000000123000000000000000000000000000000000042/s",
        /* past INT64_MAX in either field */
        "f/99999999999999999999000000000000000000000000000000000001/s",
        "f/00000000000000000001000000000000000009223372036854775808/s",
        "f/00000000000000000001100000000000000000000000000000000000/s",
        "f/+0000001700000000123000000000000000000000000000000000042/s",
    };
    char kind;
    logs_pos pos;

    for (size_t i = 0; i < TS_ARRAY_LEN(bad); i++) {
        if (logs_token_decode(bad[i], &kind, &pos) == 0) {
            fprintf(stderr, "  token accepted: [%s]\n", bad[i]);
            CHECK(0);
        }
    }
    CHECK(logs_token_decode(NULL, &kind, &pos) != 0);
}

TEST(logs_event_ids)
{
    char a[57], b[57];

    logs_event_id((logs_pos){1700000000000, 1}, a);
    logs_event_id((logs_pos){1700000000000, 2}, b);
    CHECK(strlen(a) == 56);
    CHECK(strcmp(a, b) < 0);
    CHECK_STR(a, "00000001700000000000000000000000000000000000000000000001");
}

static int cleans_to(const char *in, size_t n, const char *want, size_t want_len)
{
    ts_buf b;
    int ok;

    ts_buf_init(&b);
    logs_message_clean(&b, in, n);
    ok = b.len == want_len && (want_len == 0 || !memcmp(b.data, want, want_len));
    ts_buf_free(&b);
    return ok;
}

TEST(logs_message_clean_keeps_utf8_and_replaces_the_rest)
{
    CHECK(cleans_to("hello", 5, "hello", 5));
    CHECK(cleans_to("", 0, "", 0));
    CHECK(cleans_to("caf\xC3\xA9 \xF0\x9F\x98\x80", 10, "caf\xC3\xA9 \xF0\x9F\x98\x80", 10));
    /* a NUL becomes C0 80, as the JSON protocol holds U+0000; C0 80 stays */
    CHECK(cleans_to("a\0b", 3, "a\xC0\x80" "b", 4));
    CHECK(cleans_to("a\xC0\x80" "b", 4, "a\xC0\x80" "b", 4));
    /* stray, overlong, truncated and surrogate bytes become U+FFFD */
    CHECK(cleans_to("a\xFF" "b", 3, "a\xEF\xBF\xBD" "b", 5));
    CHECK(cleans_to("\xC0\xAF", 2, "\xEF\xBF\xBD\xEF\xBF\xBD", 6));
    CHECK(cleans_to("x\xE2\x82", 3, "x\xEF\xBF\xBD\xEF\xBF\xBD", 7));
    CHECK(cleans_to("\xED\xA0\x80", 3, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", 9));
    CHECK(cleans_to("\xC0", 1, "\xEF\xBF\xBD", 3));
}

TEST(logs_names)
{
    char long_name[600];

    CHECK(logs_group_name_valid("/aws/lambda/my-fn_1.2#x"));
    CHECK(!logs_group_name_valid(""));
    CHECK(!logs_group_name_valid("a b"));
    CHECK(!logs_group_name_valid("a:b"));
    CHECK(!logs_group_name_valid("caf\xC3\xA9"));
    CHECK(logs_stream_name_valid("2024/01/01/[$LATEST]0123abcd"));
    CHECK(logs_stream_name_valid("spaces and caf\xC3\xA9"));
    CHECK(!logs_stream_name_valid(""));
    CHECK(!logs_stream_name_valid("a:b"));
    CHECK(!logs_stream_name_valid("a*"));
    memset(long_name, 'a', 512);
    long_name[512] = '\0';
    CHECK(logs_group_name_valid(long_name));
    CHECK(logs_stream_name_valid(long_name));
    long_name[512] = 'a';
    long_name[513] = '\0';
    CHECK(!logs_group_name_valid(long_name));
    CHECK(!logs_stream_name_valid(long_name));
}
