/*
 * test_apigw_schema.c - JSON Schema draft 4 as a REST API's request
 * validator applies a model to a body: each keyword accepting and
 * refusing, $ref into the schema and to another model, and the bounds
 * (a schema that refers to itself, a pattern that does not compile).
 */
#include "test.h"

#include <cjson/cJSON.h>

#include "../../src/apigw/apigw_int.h"

static const cJSON *other_models(void *arg, const char *name)
{
    return !strcmp(name, "Item") ? (const cJSON *)arg : NULL;
}

/* 1, 0, or -1 when the schema or value is not JSON. */
static int valid(const char *schema, const char *value)
{
    cJSON *s = cJSON_Parse(schema), *v = cJSON_Parse(value);
    cJSON *item = cJSON_Parse("{\"type\":\"object\",\"required\":[\"id\"],"
                              "\"properties\":{\"id\":{\"type\":\"string\"}}}");
    int rc = s && v ? apigw_schema_valid(s, v, other_models, item) : -1;

    cJSON_Delete(s);
    cJSON_Delete(v);
    cJSON_Delete(item);
    return rc;
}

static const struct schema_case {
    const char *schema, *value;
    int want;
} cases[] = {
    {"{}", "{\"anything\":[1,2]}", 1},
    {"{\"type\":\"object\"}", "[]", 0},
    {"{\"type\":\"object\"}", "{}", 1},
    {"{\"type\":[\"string\",\"null\"]}", "null", 1},
    {"{\"type\":[\"string\",\"null\"]}", "3", 0},
    {"{\"type\":\"integer\"}", "3", 1},
    {"{\"type\":\"integer\"}", "3.5", 0},
    {"{\"type\":\"number\"}", "3.5", 1},
    {"{\"type\":\"boolean\"}", "\"true\"", 0},
    {"{\"enum\":[\"a\",{\"b\":1}]}", "{\"b\":1}", 1},
    {"{\"enum\":[\"a\",{\"b\":1}]}", "\"c\"", 0},
    /* numbers */
    {"{\"minimum\":1,\"maximum\":10}", "10", 1},
    {"{\"minimum\":1,\"maximum\":10,\"exclusiveMaximum\":true}", "10", 0},
    {"{\"minimum\":1,\"exclusiveMinimum\":true}", "1", 0},
    {"{\"exclusiveMinimum\":0}", "0", 0},
    {"{\"multipleOf\":0.01}", "1500.75", 1},
    {"{\"multipleOf\":0.01}", "1500.755", 0},
    /* strings */
    {"{\"minLength\":2,\"maxLength\":3}", "\"ab\"", 1},
    {"{\"maxLength\":3}", "\"\xc3\xa7\xc3\xa3o\"", 1},   /* 3 code points, 5 bytes */
    {"{\"maxLength\":3}", "\"abcd\"", 0},
    {"{\"pattern\":\"^NF-[0-9]+$\"}", "\"NF-12\"", 1},
    {"{\"pattern\":\"^NF-[0-9]+$\"}", "\"NF-12a\"", 0},
    {"{\"pattern\":\"[0-9]\"}", "\"abc1\"", 1},              /* unanchored */
    {"{\"pattern\":\"(unclosed\"}", "\"x\"", 1},          /* unreadable: not checked */
    /* arrays */
    {"{\"items\":{\"type\":\"integer\"},\"minItems\":1}", "[1,2]", 1},
    {"{\"items\":{\"type\":\"integer\"}}", "[1,\"2\"]", 0},
    {"{\"minItems\":1}", "[]", 0},
    {"{\"maxItems\":1}", "[1,2]", 0},
    {"{\"uniqueItems\":true}", "[1,{\"a\":1},{\"a\":1}]", 0},
    {"{\"uniqueItems\":true}", "[1,2]", 1},
    {"{\"items\":[{\"type\":\"string\"}],\"additionalItems\":false}", "[\"a\",1]", 0},
    {"{\"items\":[{\"type\":\"string\"}],\"additionalItems\":{\"type\":\"integer\"}}",
     "[\"a\",1]", 1},
    /* objects */
    {"{\"required\":[\"id\",\"valor\"]}", "{\"id\":\"NF-1\"}", 0},
    {"{\"required\":[\"id\"],\"properties\":{\"valor\":{\"type\":\"number\"}}}",
     "{\"id\":\"NF-1\",\"valor\":\"x\"}", 0},
    {"{\"properties\":{\"a\":{}},\"additionalProperties\":false}", "{\"a\":1,\"b\":2}", 0},
    {"{\"properties\":{\"a\":{}},\"additionalProperties\":{\"type\":\"integer\"}}",
     "{\"a\":\"x\",\"b\":2}", 1},
    {"{\"patternProperties\":{\"^x-\":{\"type\":\"string\"}},\"additionalProperties\":false}",
     "{\"x-a\":\"s\"}", 1},
    {"{\"patternProperties\":{\"^x-\":{\"type\":\"string\"}}}", "{\"x-a\":1}", 0},
    {"{\"maxProperties\":1}", "{\"a\":1,\"b\":2}", 0},
    {"{\"minProperties\":1}", "{}", 0},
    {"{\"dependencies\":{\"a\":[\"b\"]}}", "{\"a\":1}", 0},
    {"{\"dependencies\":{\"a\":[\"b\"]}}", "{\"a\":1,\"b\":1}", 1},
    /* combinations */
    {"{\"allOf\":[{\"type\":\"integer\"},{\"minimum\":2}]}", "1", 0},
    {"{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}", "2", 1},
    {"{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}", "2.5", 0},
    {"{\"oneOf\":[{\"type\":\"integer\"},{\"minimum\":0}]}", "2", 0},   /* both */
    {"{\"oneOf\":[{\"type\":\"integer\"},{\"minimum\":0}]}", "-2", 1},
    {"{\"not\":{\"type\":\"null\"}}", "null", 0},
    /* $ref */
    {"{\"definitions\":{\"id\":{\"type\":\"string\"}},\"properties\":{\"id\":"
     "{\"$ref\":\"#/definitions/id\"}}}", "{\"id\":1}", 0},
    {"{\"definitions\":{\"a/b\":{\"type\":\"string\"}},\"$ref\":\"#/definitions/a~1b\"}",
     "\"s\"", 1},
    {"{\"type\":\"array\",\"items\":{\"$ref\":"
     "\"https://apigateway.amazonaws.com/restapis/abc/models/Item\"}}",
     "[{\"id\":\"1\"},{\"id\":2}]", 0},
    {"{\"type\":\"array\",\"items\":{\"$ref\":"
     "\"https://apigateway.amazonaws.com/restapis/abc/models/Item\"}}", "[{\"id\":\"1\"}]", 1},
    {"{\"$ref\":\"https://apigateway.amazonaws.com/restapis/abc/models/Nope\"}", "{}", 0},
    {"{\"$ref\":\"#/definitions/missing\"}", "{}", 0},
    /* a schema dependency is a schema, not a list of names */
    {"{\"dependencies\":{\"card\":{\"type\":\"object\",\"required\":[\"billing\"]}}}",
     "{\"card\":1,\"billing\":2}", 1},
    {"{\"dependencies\":{\"card\":{\"required\":[\"billing\"]}}}", "{\"card\":1}", 0},
    /* a pattern the engine cannot read (lookahead) is not checked */
    {"{\"pattern\":\"^(?!\\\\s*$).+\"}", "\"x\"", 1},
    {"{\"patternProperties\":{\"^(?=x)\":{\"type\":\"string\"}},"
     "\"additionalProperties\":false}", "{\"xa\":1}", 1},
    /* items as a list, then what follows */
    {"{\"items\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}", "[\"a\",1,true]", 1},
    {"{\"items\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}", "[\"a\",\"b\"]", 0},
    /* a schema that is only itself: bounded, invalid, no hang */
    {"{\"$ref\":\"#\"}", "{}", 0},
    /* a recursive schema that does consume the value is fine */
    {"{\"type\":\"object\",\"properties\":{\"next\":{\"$ref\":\"#\"}}}",
     "{\"next\":{\"next\":{}}}", 1},
};

TEST(apigw_schema_keywords)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int got = valid(cases[i].schema, cases[i].value);
        if (got != cases[i].want) {
            fprintf(stderr, "  schema %s value %s: got %d, want %d\n", cases[i].schema,
                    cases[i].value, got, cases[i].want);
            *ts_failed_ = 1;
        }
    }
}

TEST(apigw_schema_many_refs_to_one_model)
{
    /* 40 items each checked through a $ref to another model */
    char value[1024];
    size_t n = 0;

    value[n++] = '[';
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(value + n, sizeof(value) - n, "%s{\"id\":\"%d\"}", i ? "," : "", i);
    value[n++] = ']';
    value[n] = '\0';
    CHECK(valid("{\"type\":\"array\",\"items\":{\"$ref\":"
                "\"https://apigateway.amazonaws.com/restapis/abc/models/Item\"}}", value) == 1);
}

TEST(apigw_schema_deep_value_is_bounded)
{
    /* 200 nested arrays under a schema that recurses with them */
    char value[1024];
    size_t n = 0;

    for (int i = 0; i < 200; i++)
        value[n++] = '[';
    for (int i = 0; i < 200; i++)
        value[n++] = ']';
    value[n] = '\0';
    CHECK(valid("{\"items\":{\"$ref\":\"#\"}}", value) == 0);
    CHECK(valid("{\"items\":{\"$ref\":\"#\"}}", "[[[]]]") == 1);
}
