/*
 * test_ddb_value.c - AttributeValue validation and its messages, equality
 * and order, item sizes, the order-preserving key encoding (against
 * ddb_num_cmp over many numbers, and decode round trips) and key
 * extraction from items.
 */
#include "test.h"

#include "../../src/dynamodb/ddb_int.h"

#include <stdlib.h>

static char err[DDB_ERR_MAX];

/* Validates JSON text; returns the rc and leaves the message in err. */
static int check(const char *json, char *normalized, size_t n)
{
    cJSON *v = cJSON_Parse(json);
    int rc;

    err[0] = '\0';
    if (!v)
        return -100;
    rc = ddb_value_validate(v, err, sizeof(err));
    if (normalized) {
        char *s = cJSON_PrintUnformatted(v);
        snprintf(normalized, n, "%s", s);
        free(s);
    }
    cJSON_Delete(v);
    return rc;
}

static int equal(const char *a, const char *b)
{
    cJSON *va = cJSON_Parse(a), *vb = cJSON_Parse(b);
    int r = ddb_value_equal(va, vb);

    cJSON_Delete(va);
    cJSON_Delete(vb);
    return r;
}

static size_t size_of(const char *json, int item)
{
    cJSON *v = cJSON_Parse(json);
    size_t n = item ? ddb_item_size(v) : ddb_value_size(v);

    cJSON_Delete(v);
    return n;
}

TEST(ddb_value_validate_ok)
{
    char out[512];

    CHECK(check("{\"S\":\"x\"}", NULL, 0) == 0);
    CHECK(check("{\"S\":\"\"}", NULL, 0) == 0);
    CHECK(check("{\"B\":\"AAEC\"}", NULL, 0) == 0);
    CHECK(check("{\"BOOL\":false}", NULL, 0) == 0);
    CHECK(check("{\"NULL\":true}", NULL, 0) == 0);
    CHECK(check("{\"SS\":[\"\"]}", NULL, 0) == 0);
    CHECK(check("{\"L\":[]}", NULL, 0) == 0);
    CHECK(check("{\"M\":{}}", NULL, 0) == 0);
    CHECK(check("{\"M\":{\"a\":{\"N\":\"899.00\"},\"b\":{\"L\":[{\"N\":"
                "\"1e2\"},{\"NS\":[\"1.50\",\"-0\"]}]}}}", out,
                sizeof(out)) == 0);
    CHECK_STR(out, "{\"M\":{\"a\":{\"N\":\"899\"},\"b\":{\"L\":[{\"N\":"
              "\"100\"},{\"NS\":[\"1.5\",\"0\"]}]}}}");
    /* A JSON null member counts as absent. */
    CHECK(check("{\"S\":\"x\",\"N\":null}", NULL, 0) == 0);
}

TEST(ddb_value_validate_errors)
{
    CHECK(check("{}", NULL, 0) == -1);
    CHECK_STR(err, "Supplied AttributeValue is empty, must contain exactly "
              "one of the supported datatypes");
    CHECK(check("{\"X\":\"1\"}", NULL, 0) == -1);
    CHECK(check("{\"S\":\"a\",\"N\":\"1\"}", NULL, 0) == -1);
    CHECK_STR(err, "Supplied AttributeValue has more than one datatypes "
              "set, must contain exactly one of the supported datatypes");
    CHECK(check("{\"NULL\":false}", NULL, 0) == -1);
    CHECK_STR(err, "One or more parameter values were invalid: Null "
              "attribute value types must have the value of true");
    CHECK(check("{\"SS\":[]}", NULL, 0) == -1);
    CHECK_STR(err, "One or more parameter values were invalid: An string "
              "set  may not be empty");
    CHECK(check("{\"NS\":[]}", NULL, 0) == -1);
    CHECK_STR(err, "One or more parameter values were invalid: An number "
              "set  may not be empty");
    CHECK(check("{\"BS\":[]}", NULL, 0) == -1);
    CHECK_STR(err, "One or more parameter values were invalid: An binary "
              "set  may not be empty");
    CHECK(check("{\"SS\":[\"X\",\"X\"]}", NULL, 0) == -1);
    CHECK_STR(err, "One or more parameter values were invalid: Input "
              "collection [X, X] contains duplicates.");
    CHECK(check("{\"NS\":[\"1\",\"2\",\"1.0\"]}", NULL, 0) == -1);
    CHECK_STR(err, "One or more parameter values were invalid: Input "
              "collection [1, 2, 1] contains duplicates.");
    CHECK(check("{\"BS\":[\"QUE=\",\"QkI=\",\"QUE=\"]}", NULL, 0) == -1);
    CHECK(check("{\"N\":\"dog\"}", NULL, 0) == -1);
    CHECK_STR(err, "The parameter cannot be converted to a numeric value: "
              "dog");
    CHECK(check("{\"N\":\"1e126\"}", NULL, 0) == -1);
    CHECK(check("{\"M\":{\"a\":{\"NS\":[\"1\",\"x\"]}}}", NULL, 0) == -1);
    CHECK_STR(err, "The parameter cannot be converted to a numeric value: x");
    CHECK(check("{\"L\":[{\"S\":\"a\"},{}]}", NULL, 0) == -1);
    /* Wrong JSON shapes are SerializationExceptions. */
    CHECK(check("{\"N\":123}", NULL, 0) == DDB_ERR_SERIALIZATION);
    CHECK_STR(err, "NUMBER_VALUE cannot be converted to String");
    CHECK(check("{\"S\":true}", NULL, 0) == DDB_ERR_SERIALIZATION);
    CHECK(check("{\"BOOL\":\"true\"}", NULL, 0) == DDB_ERR_SERIALIZATION);
    CHECK(check("{\"M\":[]}", NULL, 0) == DDB_ERR_SERIALIZATION);
    CHECK(check("{\"L\":{}}", NULL, 0) == DDB_ERR_SERIALIZATION);
    CHECK(check("{\"SS\":[1]}", NULL, 0) == DDB_ERR_SERIALIZATION);
    CHECK(check("\"x\"", NULL, 0) == DDB_ERR_SERIALIZATION);
    CHECK(check("{\"B\":\"AAE\"}", NULL, 0) == DDB_ERR_SERIALIZATION);
    CHECK_STR(err, "Base64 encoded length is expected a multiple of 4 bytes "
              "but found: 3");
    CHECK(check("{\"B\":\"AA*C\"}", NULL, 0) == DDB_ERR_SERIALIZATION);
}

TEST(ddb_value_validate_depth)
{
    ts_buf b;
    int i;

    ts_buf_init(&b);
    for (i = 0; i < 33; i++)
        ts_buf_puts(&b, "{\"L\":[");
    ts_buf_puts(&b, "{\"S\":\"x\"}");
    for (i = 0; i < 33; i++)
        ts_buf_puts(&b, "]}");
    CHECK(check(b.data, NULL, 0) == -1);
    CHECK_STR(err, "One or more parameter values were invalid: Nesting "
              "Levels have exceeded supported limits");
    ts_buf_free(&b);
}

TEST(ddb_value_item_validate)
{
    cJSON *item = cJSON_Parse("{\"a\":{\"N\":\"01\"},\"b\":{\"S\":\"x\"}}");
    cJSON *bad = cJSON_Parse("{\"a\":{\"N\":\"1\"},\"b\":{\"SS\":[]}}");

    CHECK(ddb_item_validate(item, err, sizeof(err)) == 0);
    CHECK_STR(cJSON_GetObjectItem(cJSON_GetObjectItem(item, "a"), "N")
                  ->valuestring, "1");
    CHECK(ddb_item_validate(bad, err, sizeof(err)) == -1);
    cJSON_Delete(item);
    cJSON_Delete(bad);
}

TEST(ddb_value_equality)
{
    CHECK(equal("{\"S\":\"a\"}", "{\"S\":\"a\"}"));
    CHECK(!equal("{\"S\":\"a\"}", "{\"S\":\"b\"}"));
    CHECK(!equal("{\"S\":\"1\"}", "{\"N\":\"1\"}"));
    CHECK(equal("{\"N\":\"1.50\"}", "{\"N\":\"1.5\"}"));
    CHECK(equal("{\"SS\":[\"a\",\"b\"]}", "{\"SS\":[\"b\",\"a\"]}"));
    CHECK(!equal("{\"SS\":[\"a\",\"b\"]}", "{\"SS\":[\"a\"]}"));
    CHECK(equal("{\"NS\":[\"1\",\"2.0\"]}", "{\"NS\":[\"2\",\"1\"]}"));
    CHECK(equal("{\"L\":[{\"S\":\"a\"},{\"N\":\"1\"}]}",
                "{\"L\":[{\"S\":\"a\"},{\"N\":\"1\"}]}"));
    CHECK(!equal("{\"L\":[{\"S\":\"a\"},{\"N\":\"1\"}]}",
                  "{\"L\":[{\"N\":\"1\"},{\"S\":\"a\"}]}"));
    CHECK(equal("{\"M\":{\"a\":{\"S\":\"x\"},\"b\":{\"BOOL\":true}}}",
                "{\"M\":{\"b\":{\"BOOL\":true},\"a\":{\"S\":\"x\"}}}"));
    CHECK(!equal("{\"M\":{\"a\":{\"S\":\"x\"}}}",
                 "{\"M\":{\"a\":{\"S\":\"x\"},\"b\":{\"NULL\":true}}}"));
    CHECK(equal("{\"BOOL\":true}", "{\"BOOL\":true}"));
    CHECK(!equal("{\"BOOL\":true}", "{\"BOOL\":false}"));
    CHECK(equal("{\"B\":\"AAE=\"}", "{\"B\":\"AAE=\"}"));
}

TEST(ddb_value_order)
{
    cJSON *a = cJSON_Parse("{\"S\":\"\xc3\xa9\"}");
    cJSON *b = cJSON_Parse("{\"S\":\"z\"}");
    cJSON *n1 = cJSON_Parse("{\"N\":\"-10\"}");
    cJSON *n2 = cJSON_Parse("{\"N\":\"9\"}");
    cJSON *b1 = cJSON_Parse("{\"B\":\"/w==\"}"); /* 0xff */
    cJSON *b2 = cJSON_Parse("{\"B\":\"AQ==\"}"); /* 0x01 */
    int r = 0;

    CHECK(ddb_value_cmp(a, b, &r) == 0 && r > 0); /* unsigned bytes */
    CHECK(ddb_value_cmp(n1, n2, &r) == 0 && r < 0);
    CHECK(ddb_value_cmp(b1, b2, &r) == 0 && r > 0);
    CHECK(ddb_value_cmp(a, n1, &r) == -1);
    cJSON_Delete(a);
    cJSON_Delete(b);
    cJSON_Delete(n1);
    cJSON_Delete(n2);
    cJSON_Delete(b1);
    cJSON_Delete(b2);
}

TEST(ddb_value_sizes)
{
    CHECK(size_of("{\"S\":\"hello\"}", 0) == 5);
    CHECK(size_of("{\"N\":\"123\"}", 0) == 3);
    CHECK(size_of("{\"N\":\"12\"}", 0) == 2);
    CHECK(size_of("{\"N\":\"1\"}", 0) == 2);
    CHECK(size_of("{\"B\":\"AAEC\"}", 0) == 3);
    CHECK(size_of("{\"B\":\"AA==\"}", 0) == 1);
    CHECK(size_of("{\"BOOL\":true}", 0) == 1);
    CHECK(size_of("{\"NULL\":true}", 0) == 1);
    CHECK(size_of("{\"L\":[]}", 0) == 3);
    CHECK(size_of("{\"M\":{}}", 0) == 3);
    /* 3 + (name 1 + "xy" 2 + 1) + (name 2 + bool 1 + 1) */
    CHECK(size_of("{\"M\":{\"a\":{\"S\":\"xy\"},\"bb\":{\"BOOL\":true}}}",
                  0) == 11);
    CHECK(size_of("{\"L\":[{\"S\":\"xy\"},{\"N\":\"5\"}]}", 0) == 3 + 3 + 3);
    CHECK(size_of("{\"SS\":[\"ab\",\"c\"]}", 0) == 3);
    CHECK(size_of("{\"NS\":[\"1\",\"1234\"]}", 0) == 2 + 3);
    CHECK(size_of("{\"id\":{\"S\":\"abc\"},\"n\":{\"N\":\"7\"}}", 1) ==
          2 + 3 + 1 + 2);
}

/* Encodes N text as a key. */
static void enc_num(const char *n, ts_buf *b)
{
    cJSON *v = cJSON_CreateObject();

    cJSON_AddStringToObject(v, "N", n);
    ts_buf_reset(b);
    ddb_key_encode(v, b);
    cJSON_Delete(v);
}

static int blob_cmp(const ts_buf *a, const ts_buf *b)
{
    int r = memcmp(a->data, b->data, TS_MIN(a->len, b->len));

    if (r == 0 && a->len != b->len)
        r = a->len < b->len ? -1 : 1;
    return r;
}

static int sign(int x)
{
    return (x > 0) - (x < 0);
}

TEST(ddb_key_encoding_numbers_order)
{
    static const char *fixed[] = {
        "0", "1", "-1", "2", "10", "-10", "9", "-9", "0.5", "-0.5", "0.55",
        "-0.55", "1e-130", "-1e-130", "9.9999999999999999999999999999999999999e125",
        "-9.9999999999999999999999999999999999999e125", "1e125", "123.456",
        "123.4561", "-123.4561", "100", "1000", "99.999", "0.001", "0.01",
        "12345678901234567890123456789012345678", "1.1", "1.09", "-1.1",
        "-1.09"};
    enum { N = 400 };
    char nums[N][64];
    ts_buf *enc = ts_calloc(N, sizeof(ts_buf));
    int n = 0, i, j;

    for (i = 0; i < (int)TS_ARRAY_LEN(fixed); i++)
        snprintf(nums[n++], 64, "%s", fixed[i]);
    srand(777);
    while (n < N) {
        int digits = 1 + rand() % 12, e = rand() % 260 - 130, k;
        char *p = nums[n];

        if (rand() % 2)
            *p++ = '-';
        *p++ = (char)('1' + rand() % 9);
        *p++ = '.';
        for (k = 1; k < digits; k++)
            *p++ = (char)('0' + rand() % 10);
        snprintf(p, 16, "e%d", e);
        if (ddb_num_parse(nums[n], &(ddb_num){0}, NULL, 0) == 0)
            n++;
    }
    for (i = 0; i < N; i++) {
        ts_buf_init(&enc[i]);
        enc_num(nums[i], &enc[i]);
    }
    for (i = 0; i < N; i++)
        for (j = 0; j < N; j++)
            if (sign(blob_cmp(&enc[i], &enc[j])) !=
                sign(ddb_num_cmp_text(nums[i], nums[j]))) {
                fprintf(stderr, "  order differs: %s vs %s\n", nums[i],
                        nums[j]);
                CHECK(0);
                goto done;
            }
    /* Round trip: decode gives the canonical text back. */
    for (i = 0; i < N; i++) {
        cJSON *v = ddb_key_decode('N', enc[i].data, enc[i].len);
        char want[DDB_NUM_TEXT_MAX];

        REQUIRE(v);
        ddb_num_normalize(nums[i], want, NULL, 0);
        CHECK_STR(cJSON_GetObjectItem(v, "N")->valuestring, want);
        cJSON_Delete(v);
    }
done:
    for (i = 0; i < N; i++)
        ts_buf_free(&enc[i]);
    ts_free(enc);
}

TEST(ddb_key_encoding_strings_binary)
{
    cJSON *s1 = cJSON_Parse("{\"S\":\"abc\"}");
    cJSON *s2 = cJSON_Parse("{\"S\":\"abd\"}");
    cJSON *s3 = cJSON_Parse("{\"S\":\"\xc3\xa9\"}");
    cJSON *b1 = cJSON_Parse("{\"B\":\"AP8=\"}");
    cJSON *bool_ = cJSON_Parse("{\"BOOL\":true}");
    ts_buf e1, e2, e3, e4;
    cJSON *d;

    ts_buf_init(&e1);
    ts_buf_init(&e2);
    ts_buf_init(&e3);
    ts_buf_init(&e4);
    CHECK(ddb_key_encode(s1, &e1) == 0);
    CHECK(ddb_key_encode(s2, &e2) == 0);
    CHECK(ddb_key_encode(s3, &e3) == 0);
    CHECK(blob_cmp(&e1, &e2) < 0 && blob_cmp(&e2, &e3) < 0);
    CHECK(ddb_key_encode(b1, &e4) == 0);
    CHECK(e4.len == 2 && (unsigned char)e4.data[1] == 0xff);
    d = ddb_key_decode('B', e4.data, e4.len);
    CHECK(ddb_value_equal(d, b1));
    cJSON_Delete(d);
    d = ddb_key_decode('S', e3.data, e3.len);
    CHECK(ddb_value_equal(d, s3));
    cJSON_Delete(d);
    ts_buf_reset(&e4);
    CHECK(ddb_key_encode(bool_, &e4) == -1);
    CHECK(ddb_key_decode('N', "\x07", 1) == NULL);
    CHECK(ddb_key_decode('N', "\x03\x80\x02", 3) == NULL);
    ts_buf_free(&e1);
    ts_buf_free(&e2);
    ts_buf_free(&e3);
    ts_buf_free(&e4);
    cJSON_Delete(s1);
    cJSON_Delete(s2);
    cJSON_Delete(s3);
    cJSON_Delete(b1);
    cJSON_Delete(bool_);
}

/* U+0000 is held as C0 80 (proto_json.c): one byte in sizes, 00 in order
 * and in keys. */
TEST(ddb_value_strings_holding_nul)
{
    cJSON *a = cJSON_Parse("{\"S\":\"a\"}");
    cJSON *an = cJSON_Parse("{\"S\":\"a\xc0\x80\"}");
    cJSON *a1 = cJSON_Parse("{\"S\":\"a\x01\"}");
    ts_buf e1, e2, e3;
    cJSON *d;
    int r;

    CHECK(ddb_str_len("a\xc0\x80" "b") == 3);
    CHECK(ddb_str_len("") == 0);
    CHECK(ddb_str_len("\xc3\xa9") == 2);
    CHECK(ddb_str_cmp("a", "a\xc0\x80") < 0);
    CHECK(ddb_str_cmp("a\xc0\x80", "a\x01") < 0);
    CHECK(ddb_str_cmp("a\xc0\x80" "b", "a\xc0\x80" "b") == 0);
    CHECK(ddb_str_cmp("a\x7f", "a\xc0\x80") > 0);
    CHECK(ddb_value_cmp(an, a1, &r) == 0 && r < 0);
    CHECK(ddb_value_size(an) == 2);
    ts_buf_init(&e1);
    ts_buf_init(&e2);
    ts_buf_init(&e3);
    CHECK(ddb_key_encode(a, &e1) == 0);
    CHECK(ddb_key_encode(an, &e2) == 0);
    CHECK(ddb_key_encode(a1, &e3) == 0);
    CHECK(e2.len == 2 && e2.data[1] == 0);
    CHECK(blob_cmp(&e1, &e2) < 0 && blob_cmp(&e2, &e3) < 0);
    d = ddb_key_decode('S', e2.data, e2.len);
    CHECK(ddb_value_equal(d, an));
    cJSON_Delete(d);
    ts_buf_free(&e1);
    ts_buf_free(&e2);
    ts_buf_free(&e3);
    cJSON_Delete(a);
    cJSON_Delete(an);
    cJSON_Delete(a1);
}

static int key_of(const char *json, int mode, const char *range, char *out,
                  size_t n)
{
    cJSON *item = cJSON_Parse(json), *key = NULL;
    int rc = ddb_item_key(item, mode, "pk", 'S', range, 'N', &key, err,
                          sizeof(err));

    if (rc == 0) {
        char *s = cJSON_PrintUnformatted(key);
        snprintf(out, n, "%s", s);
        free(s);
    }
    cJSON_Delete(key);
    cJSON_Delete(item);
    return rc;
}

TEST(ddb_value_item_key)
{
    char out[256];

    CHECK(key_of("{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"x\":{\"S\":"
                 "\"y\"}}", DDB_KEY_FROM_ITEM, "sk", out, sizeof(out)) == 0);
    CHECK_STR(out, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}");
    CHECK(key_of("{\"sk\":{\"N\":\"1\"}}", DDB_KEY_FROM_ITEM, "sk", out,
                 sizeof(out)) == -1);
    CHECK_STR(err, "One or more parameter values were invalid: Missing the "
              "key pk in the item");
    CHECK(key_of("{\"pk\":{\"N\":\"1\"}}", DDB_KEY_FROM_ITEM, NULL, out,
                 sizeof(out)) == -1);
    CHECK_STR(err, "One or more parameter values were invalid: Type "
              "mismatch for key pk expected: S actual: N");
    CHECK(key_of("{\"pk\":{\"S\":\"\"}}", DDB_KEY_FROM_ITEM, NULL, out,
                 sizeof(out)) == -1);
    CHECK_STR(err, "One or more parameter values are not valid. The "
              "AttributeValue for a key attribute cannot contain an empty "
              "string value. Key: pk");
    CHECK(key_of("{\"pk\":{\"S\":\"a\"}}", DDB_KEY_FROM_KEY, NULL, out,
                 sizeof(out)) == 0);
    CHECK(key_of("{\"pk\":{\"S\":\"a\"},\"x\":{\"S\":\"y\"}}",
                 DDB_KEY_FROM_KEY, NULL, out, sizeof(out)) == -1);
    CHECK_STR(err, "The provided key element does not match the schema");
    CHECK(key_of("{\"pk\":{\"S\":\"a\"}}", DDB_KEY_FROM_KEY, "sk", out,
                 sizeof(out)) == -1);
    CHECK(key_of("{\"pk\":{\"S\":\"a\"},\"sk\":{\"S\":\"1\"}}",
                 DDB_KEY_FROM_KEY, "sk", out, sizeof(out)) == -1);
    CHECK_STR(err, "The provided key element does not match the schema");
}
