/*
 * test_yaml.c - YAML into JSON (src/core/ts_yaml.c): scalar types under
 * the core schema, keys kept as written, nesting, anchors and aliases, and
 * the documents it refuses (syntax errors with their line, too deep, an
 * alias bomb, garbage), never a crash.
 */
#include "test.h"

#include <stdlib.h>

#include <cjson/cJSON.h>

#include "tinystack/core.h"
#include "tinystack/yaml.h"

/* The JSON text of a YAML document, or "ERR: <reason>"; ts_free it. */
static char *as_json(const char *yaml)
{
    char err[256];
    cJSON *v = ts_yaml_parse(yaml, strlen(yaml), err, sizeof err);
    char *text, *out;

    if (!v) {
        size_t n = strlen(err) + 6;
        out = ts_malloc(n);
        snprintf(out, n, "ERR: %s", err);
        return out;
    }
    text = cJSON_PrintUnformatted(v);
    out = ts_strdup(text);
    cJSON_free(text);
    cJSON_Delete(v);
    return out;
}

static int same(const char *yaml, const char *json)
{
    char *got = as_json(yaml);
    int ok = !strcmp(got, json);

    if (!ok)
        fprintf(stderr, "  yaml %s\n   got %s\n  want %s\n", yaml, got, json);
    ts_free(got);
    return ok;
}

TEST(yaml_scalars_and_keys)
{
    CHECK(same("a: 1\nb: 1.5\nc: true\nd: ~\ne: null\nf: text\ng: '1'\nh: \"true\"\n",
               "{\"a\":1,\"b\":1.5,\"c\":true,\"d\":null,\"e\":null,\"f\":\"text\","
               "\"g\":\"1\",\"h\":\"true\"}"));
    CHECK(same("200: ok\n'404': gone\n", "{\"200\":\"ok\",\"404\":\"gone\"}"));
    CHECK(same("v: 0x1f\nw: -3\nx: 1e3\ny: 1.2.3\nz: yes\n",
               "{\"v\":31,\"w\":-3,\"x\":1000,\"y\":\"1.2.3\",\"z\":\"yes\"}"));
    CHECK(same("t: |\n  line1\n  line2\n", "{\"t\":\"line1\\nline2\\n\"}"));
}

TEST(yaml_nesting_and_aliases)
{
    CHECK(same("paths:\n  /a:\n    get:\n      responses: {200: {description: x}}\n",
               "{\"paths\":{\"/a\":{\"get\":{\"responses\":{\"200\":{\"description\":"
               "\"x\"}}}}}}"));
    CHECK(same("- 1\n- [2, 3]\n- {k: v}\n", "[1,[2,3],{\"k\":\"v\"}]"));
    CHECK(same("a: &x {k: 1}\nb: *x\nc: &s str\nd: *s\n",
               "{\"a\":{\"k\":1},\"b\":{\"k\":1},\"c\":\"str\",\"d\":\"str\"}"));
}

TEST(yaml_refusals)
{
    char *got = as_json("a: [1, 2\nb: 3\n");
    CHECK(!strncmp(got, "ERR: YAML syntax error at line", 30));
    ts_free(got);
    got = as_json("a: *nowhere\n");
    CHECK(!strncmp(got, "ERR:", 4));
    ts_free(got);
    got = as_json("");
    CHECK(!strncmp(got, "ERR:", 4));
    ts_free(got);
    {
        /* 300 levels of nesting. */
        char deep[1024];
        size_t n = 0;
        for (int i = 0; i < 300; i++)
            deep[n++] = '[';
        deep[n] = '\0';
        got = as_json(deep);
        CHECK(!strncmp(got, "ERR:", 4));
        ts_free(got);
    }
    {
        /* The billion laughs: each level ten of the one before. */
        char bomb[2048];
        size_t n = (size_t)snprintf(bomb, sizeof bomb, "a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 0; i < 8; i++) {
            char p = (char)('a' + i), q = (char)('b' + i);
            n += (size_t)snprintf(bomb + n, sizeof bomb - n,
                                  "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n",
                                  q, q, p, p, p, p, p, p, p, p, p, p);
        }
        got = as_json(bomb);
        CHECK(strstr(got, "nodes") != NULL);
        ts_free(got);
    }
}

TEST(yaml_garbage_never_crashes)
{
    static const char *const seeds[] = {
        "a: &x [1, *x]\n", "- - - -\n", "{a: [b, {c: d}]}", "? complex\n: key\n",
        "a: !!binary aGk=\n", "%YAML 1.2\n---\na: 1\n...\n---\nb: 2\n", "\t\ta:\n",
        "a: 'unterminated\n", "[[[[]]]]", "a:\n  - b: &y\n      c: *y\n",
    };
    unsigned seed = 12345;
    char buf[256];
    int parsed = 0;

    for (int round = 0; round < 3000; round++) {
        const char *s = seeds[round % TS_ARRAY_LEN(seeds)];
        size_t n = strlen(s), i;
        char err[128];
        cJSON *v;
        for (i = 0; i < n && i < sizeof buf - 1; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[i] = (seed >> 16) % 7 == 0 ? (char)(seed >> 8) : s[i];
        }
        buf[i] = '\0';
        v = ts_yaml_parse(buf, i, err, sizeof err);
        parsed += v != NULL;
        CHECK(v != NULL || err[0] != '\0');   /* a refusal says why */
        cJSON_Delete(v);
    }
    CHECK(parsed > 0 && parsed < 3000);
}
