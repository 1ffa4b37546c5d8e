/*
 * test_ddb_expr.c - DynamoDB expressions: the lexer and reserved words,
 * condition/filter parsing and evaluation, key conditions, projection,
 * #name/:value substitution and the unused/undefined checks, and AWS's
 * messages for the bad inputs.  Updates: test_ddb_expr_update.c.
 */
#include "test.h"

#include "../../src/dynamodb/ddb_int.h"

#include <stdlib.h>

static char err[DDB_ERR_MAX];
static char out[4096];

/* Parses with names/values given as JSON text (NULL for none). */
static ddb_expr *parse(int kind, const char *text, const char *names,
                       const char *values, cJSON **vals_keep)
{
    cJSON *n = names ? cJSON_Parse(names) : NULL;
    cJSON *v = values ? cJSON_Parse(values) : NULL;
    ddb_expr *e;

    err[0] = '\0';
    if (ddb_expr_attrs_validate(n, v, err, sizeof(err)) < 0) {
        cJSON_Delete(n);
        cJSON_Delete(v);
        return NULL;
    }
    e = ddb_expr_parse(kind, text, n, v, NULL, err, sizeof(err));
    cJSON_Delete(n);
    if (vals_keep)
        *vals_keep = v;
    else
        cJSON_Delete(v);
    return e;
}

/* The message a bad expression gets ("" when it parses). */
static const char *fails(int kind, const char *text, const char *names,
                         const char *values)
{
    cJSON *v = NULL;
    ddb_expr *e = parse(kind, text, names, values, &v);

    if (e)
        err[0] = '\0';
    ddb_expr_free(e);
    cJSON_Delete(v);
    return err;
}

/* Evaluates a condition against an item: 1, 0, or -1 (parse error). */
static int cond(const char *text, const char *names, const char *values,
                const char *item)
{
    cJSON *v = NULL, *it = item ? cJSON_Parse(item) : NULL;
    ddb_expr *e = parse(DDB_EXPR_CONDITION, text, names, values, &v);
    int r = e ? ddb_expr_eval_cond(e, it, err, sizeof(err)) : -1;

    ddb_expr_free(e);
    cJSON_Delete(v);
    cJSON_Delete(it);
    return r;
}

static const char *project(const char *text, const char *names,
                           const char *item)
{
    cJSON *it = cJSON_Parse(item), *res;
    ddb_expr *e = parse(DDB_EXPR_PROJECTION, text, names, NULL, NULL);

    if (!e) {
        snprintf(out, sizeof(out), "%s", err);
    } else {
        char *s;

        res = ddb_expr_project(e, it);
        s = cJSON_PrintUnformatted(res);
        snprintf(out, sizeof(out), "%s", s);
        free(s);
        cJSON_Delete(res);
    }
    ddb_expr_free(e);
    cJSON_Delete(it);
    return out;
}

#define ITEM "{\"a\":{\"N\":\"5\"},\"s\":{\"S\":\"hello\"}," \
             "\"b\":{\"B\":\"AAEC\"},\"t\":{\"BOOL\":true}," \
             "\"ss\":{\"SS\":[\"x\",\"y\"]},\"ns\":{\"NS\":[\"1\",\"2\"]}," \
             "\"l\":{\"L\":[{\"S\":\"p\"},{\"N\":\"7\"}," \
             "{\"M\":{\"q\":{\"S\":\"r\"}}}]}," \
             "\"m\":{\"M\":{\"k\":{\"N\":\"1\"},\"n\":{\"M\":{\"z\":" \
             "{\"S\":\"deep\"}}}}},\"nul\":{\"NULL\":true}}"

TEST(ddb_expr_lex_tokens)
{
    ddb_tok *t;
    int n = ddb_expr_lex(" #a.b[10] <= :v1<>x,(y)", &t);
    static const int want[] = {DDB_T_NAMEREF, DDB_T_DOT, DDB_T_IDENT,
                               DDB_T_LBRACKET, DDB_T_NUMBER, DDB_T_RBRACKET,
                               DDB_T_LE, DDB_T_VALUEREF, DDB_T_NE,
                               DDB_T_IDENT, DDB_T_COMMA, DDB_T_LPAREN,
                               DDB_T_IDENT, DDB_T_RPAREN, DDB_T_EOF};

    REQUIRE(n == (int)TS_ARRAY_LEN(want));
    for (int i = 0; i < n; i++)
        CHECK(t[i].kind == want[i]);
    ts_free(t);
    CHECK(ddb_expr_is_reserved("status", 6));
    CHECK(ddb_expr_is_reserved("ABORT", 5));
    CHECK(ddb_expr_is_reserved("zone", 4));
    CHECK(ddb_expr_is_reserved("Size", 4));
    CHECK(!ddb_expr_is_reserved("statu", 5));
    CHECK(!ddb_expr_is_reserved("foo", 3));
}

TEST(ddb_expr_cond_compare)
{
    const char *v = "{\":five\":{\"N\":\"5.0\"},\":four\":{\"N\":\"4\"},"
                    "\":s\":{\"S\":\"hello\"},\":z\":{\"S\":\"z\"}}";

    CHECK(cond("a = :five", NULL, "{\":five\":{\"N\":\"5.0\"}}", ITEM) == 1);
    CHECK(cond("a <> :four", NULL, "{\":four\":{\"N\":\"4\"}}", ITEM) == 1);
    CHECK(cond("a > :four AND s < :z", NULL, v, ITEM) == 1);
    CHECK(cond("a > :four AND s < :z OR a = :five AND s = :s", NULL, v,
               ITEM) == 1);
    CHECK(cond("a < :four", NULL, "{\":four\":{\"N\":\"4\"}}", ITEM) == 0);
    CHECK(cond("a >= :five", NULL, "{\":five\":{\"N\":\"5\"}}", ITEM) == 1);
    CHECK(cond("s <= :s", NULL, "{\":s\":{\"S\":\"hello\"}}", ITEM) == 1);
    /* Different types never compare; missing attributes are not equal. */
    CHECK(cond("s < :n", NULL, "{\":n\":{\"N\":\"1\"}}", ITEM) == 0);
    CHECK(cond("absent = :n", NULL, "{\":n\":{\"N\":\"1\"}}", ITEM) == 0);
    CHECK(cond("absent <> :n", NULL, "{\":n\":{\"N\":\"1\"}}", ITEM) == 1);
    CHECK(cond("absent <> :n", NULL, "{\":n\":{\"N\":\"1\"}}", NULL) == 1);
    CHECK(cond("m.n.z = :d", NULL, "{\":d\":{\"S\":\"deep\"}}", ITEM) == 1);
    CHECK(cond("l[2].q = :r", NULL, "{\":r\":{\"S\":\"r\"}}", ITEM) == 1);
    CHECK(cond("l[1] = :r", NULL, "{\":r\":{\"N\":\"7\"}}", ITEM) == 1);
    CHECK(cond("l[9] = :r", NULL, "{\":r\":{\"N\":\"7\"}}", ITEM) == 0);
    CHECK(cond("#m.#k = :one", "{\"#m\":\"m\",\"#k\":\"k\"}",
               "{\":one\":{\"N\":\"1\"}}", ITEM) == 1);
    CHECK(cond("ss = :set", NULL, "{\":set\":{\"SS\":[\"y\",\"x\"]}}",
               ITEM) == 1);
    CHECK(cond("m = :m", NULL, "{\":m\":{\"M\":{\"n\":{\"M\":{\"z\":{\"S\":"
               "\"deep\"}}},\"k\":{\"N\":\"1.0\"}}}}", ITEM) == 1);
    /* Keywords are case-insensitive. */
    CHECK(cond("a between :a and :b", NULL, "{\":a\":{\"N\":\"1\"},\":b\":"
               "{\"N\":\"5\"}}", ITEM) == 1);
}

TEST(ddb_expr_cond_logic_precedence)
{
    const char *v = "{\":t\":{\"BOOL\":true},\":f\":{\"BOOL\":false}}";

    /* AND binds tighter than OR; NOT tighter than AND. */
    CHECK(cond("t = :t OR t = :f AND t = :f", NULL, v, ITEM) == 1);
    CHECK(cond("(t = :t OR t = :f) AND t = :f", NULL, v, ITEM) == 0);
    CHECK(cond("NOT t = :f AND t = :t", NULL, v, ITEM) == 1);
    CHECK(cond("NOT (t = :t AND t = :f)", NULL, v, ITEM) == 1);
    CHECK(cond("NOT NOT t = :t", NULL, v, ITEM) == 1);
    CHECK(cond("((t = :t) AND (t <> :f))", NULL, v, ITEM) == 1);
}

TEST(ddb_expr_cond_between_in)
{
    CHECK(cond("a BETWEEN :lo AND :hi", NULL, "{\":lo\":{\"N\":\"5\"},"
               "\":hi\":{\"N\":\"10\"}}", ITEM) == 1);
    CHECK(cond("a BETWEEN :lo AND :hi", NULL, "{\":lo\":{\"N\":\"6\"},"
               "\":hi\":{\"N\":\"10\"}}", ITEM) == 0);
    CHECK(cond("s BETWEEN :lo AND :hi", NULL, "{\":lo\":{\"S\":\"a\"},"
               "\":hi\":{\"S\":\"i\"}}", ITEM) == 1);
    CHECK(cond("a IN (:x, :y, :z)", NULL, "{\":x\":{\"N\":\"1\"},\":y\":"
               "{\"S\":\"5\"},\":z\":{\"N\":\"5\"}}", ITEM) == 1);
    CHECK(cond("a IN (:x, :y)", NULL, "{\":x\":{\"N\":\"1\"},\":y\":"
               "{\"S\":\"5\"}}", ITEM) == 0);
    CHECK(cond("a IN (:x)", NULL, "{\":x\":{\"N\":\"5\"}}", NULL) == 0);
    CHECK_STR(fails(DDB_EXPR_CONDITION, "a BETWEEN :hi AND :lo", NULL,
                    "{\":lo\":{\"N\":\"5\"},\":hi\":{\"N\":\"10\"}}"),
              "Invalid ConditionExpression: The BETWEEN operator requires "
              "upper bound to be greater than or equal to lower bound; lower "
              "bound operand: AttributeValue: {N:10}, upper bound operand: "
              "AttributeValue: {N:5}");
    CHECK_STR(fails(DDB_EXPR_FILTER, "a BETWEEN :lo AND :hi", NULL,
                    "{\":lo\":{\"N\":\"5\"},\":hi\":{\"S\":\"x\"}}"),
              "Invalid FilterExpression: The BETWEEN operator requires same "
              "data type for lower and upper bounds; lower bound operand: "
              "AttributeValue: {N:5}, upper bound operand: AttributeValue: "
              "{S:x}");
}

TEST(ddb_expr_cond_in_limit)
{
    ts_buf text, vals;

    ts_buf_init(&text);
    ts_buf_init(&vals);
    ts_buf_puts(&text, "a IN (");
    ts_buf_puts(&vals, "{");
    for (int i = 0; i < 101; i++) {
        ts_buf_printf(&text, "%s:v%d", i ? "," : "", i);
        ts_buf_printf(&vals, "%s\":v%d\":{\"N\":\"%d\"}", i ? "," : "", i, i);
    }
    ts_buf_puts(&text, ")");
    ts_buf_puts(&vals, "}");
    CHECK_STR(fails(DDB_EXPR_CONDITION, text.data, NULL, vals.data),
              "Invalid ConditionExpression: The IN operator is provided with "
              "too many operands; number of operands: 101");
    ts_buf_free(&text);
    ts_buf_free(&vals);
}

TEST(ddb_expr_cond_functions)
{
    CHECK(cond("attribute_exists(a)", NULL, NULL, ITEM) == 1);
    CHECK(cond("attribute_exists(nope)", NULL, NULL, ITEM) == 0);
    CHECK(cond("attribute_not_exists(nope)", NULL, NULL, ITEM) == 1);
    CHECK(cond("attribute_not_exists(#a)", "{\"#a\":\"a\"}", NULL, NULL) == 1);
    CHECK(cond("attribute_exists(m.n.z)", NULL, NULL, ITEM) == 1);
    CHECK(cond("attribute_type(a, :t)", NULL, "{\":t\":{\"S\":\"N\"}}",
               ITEM) == 1);
    CHECK(cond("attribute_type(ss, :t)", NULL, "{\":t\":{\"S\":\"S\"}}",
               ITEM) == 0);
    CHECK(cond("begins_with(s, :p)", NULL, "{\":p\":{\"S\":\"hel\"}}",
               ITEM) == 1);
    CHECK(cond("begins_with(s, :p)", NULL, "{\":p\":{\"S\":\"lo\"}}",
               ITEM) == 0);
    CHECK(cond("begins_with(b, :p)", NULL, "{\":p\":{\"B\":\"AAE=\"}}",
               ITEM) == 1);
    CHECK(cond("contains(s, :p)", NULL, "{\":p\":{\"S\":\"ell\"}}", ITEM) == 1);
    CHECK(cond("contains(ss, :p)", NULL, "{\":p\":{\"S\":\"y\"}}", ITEM) == 1);
    CHECK(cond("contains(ns, :p)", NULL, "{\":p\":{\"N\":\"2.0\"}}",
               ITEM) == 1);
    CHECK(cond("contains(ns, :p)", NULL, "{\":p\":{\"S\":\"2\"}}", ITEM) == 0);
    CHECK(cond("contains(l, :p)", NULL, "{\":p\":{\"N\":\"7\"}}", ITEM) == 1);
    CHECK(cond("contains(b, :p)", NULL, "{\":p\":{\"B\":\"AQI=\"}}",
               ITEM) == 1);
    CHECK(cond("size(s) = :n", NULL, "{\":n\":{\"N\":\"5\"}}", ITEM) == 1);
    CHECK(cond("size(l) > :n", NULL, "{\":n\":{\"N\":\"2\"}}", ITEM) == 1);
    CHECK(cond("size(m) = :n", NULL, "{\":n\":{\"N\":\"2\"}}", ITEM) == 1);
    CHECK(cond("size(b) = :n", NULL, "{\":n\":{\"N\":\"3\"}}", ITEM) == 1);
    CHECK(cond("size(ss) BETWEEN :n AND :n", NULL, "{\":n\":{\"N\":\"2\"}}",
               ITEM) == 1);
    /* size of a number has no value: the comparison is false. */
    CHECK(cond("size(a) = :n", NULL, "{\":n\":{\"N\":\"1\"}}", ITEM) == 0);
    CHECK(cond("size(a) <> :n", NULL, "{\":n\":{\"N\":\"1\"}}", ITEM) == 1);
}

TEST(ddb_expr_cond_function_errors)
{
    CHECK_STR(fails(DDB_EXPR_CONDITION, "foo(a)", NULL, NULL),
              "Invalid ConditionExpression: Invalid function name; "
              "function: foo");
    CHECK_STR(fails(DDB_EXPR_CONDITION, "attribute_exists(a, b)", NULL, NULL),
              "Invalid ConditionExpression: Incorrect number of operands for "
              "operator or function; operator or function: attribute_exists,"
              " number of operands: 2");
    CHECK_STR(fails(DDB_EXPR_CONDITION, "attribute_exists(:v)", NULL,
                    "{\":v\":{\"S\":\"x\"}}"),
              "Invalid ConditionExpression: Operator or function requires a "
              "document path; operator or function: attribute_exists");
    CHECK_STR(fails(DDB_EXPR_CONDITION, "attribute_exists(a) = :v", NULL,
                    "{\":v\":{\"S\":\"x\"}}"),
              "Invalid ConditionExpression: The function is not allowed to "
              "be used this way in an expression; function: "
              "attribute_exists");
    CHECK_STR(fails(DDB_EXPR_CONDITION, "begins_with(a, :v)", NULL,
                    "{\":v\":{\"N\":\"1\"}}"),
              "Invalid ConditionExpression: Incorrect operand type for "
              "operator or function; operator or function: begins_with, "
              "operand type: N");
    CHECK_STR(fails(DDB_EXPR_CONDITION, "attribute_type(a, :v)", NULL,
                    "{\":v\":{\"S\":\"ZZ\"}}"),
              "Invalid ConditionExpression: Invalid attribute type name "
              "found; type: ZZ, valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }");
    CHECK_STR(fails(DDB_EXPR_CONDITION, "if_not_exists(a, :v) = :v", NULL,
                    "{\":v\":{\"S\":\"x\"}}"),
              "Invalid ConditionExpression: The function is not allowed to "
              "be used this way in an expression; function: if_not_exists");
    CHECK_STR(fails(DDB_EXPR_CONDITION, "size(a) = size(:v)", NULL,
                    "{\":v\":{\"N\":\"1\"}}"),
              "Invalid ConditionExpression: Incorrect operand type for "
              "operator or function; operator or function: size, operand "
              "type: N");
    CHECK_STR(fails(DDB_EXPR_CONDITION, "((a = :v))", NULL,
                    "{\":v\":{\"N\":\"1\"}}"),
              "Invalid ConditionExpression: The expression has redundant "
              "parentheses;");
}

TEST(ddb_expr_syntax_errors)
{
    const char *v = "{\":v\":{\"N\":\"1\"},\":w\":{\"N\":\"2\"}}";

    CHECK_STR(fails(DDB_EXPR_CONDITION, "a =", NULL, NULL),
              "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", "
              "near: \"=\"");
    CHECK_STR(fails(DDB_EXPR_CONDITION, "a != :v", NULL, v),
              "Invalid ConditionExpression: Syntax error; token: \"!\", "
              "near: \"a !=\"");
    CHECK_STR(fails(DDB_EXPR_CONDITION, "a = :v :w", NULL, v),
              "Invalid ConditionExpression: Syntax error; token: \":w\", "
              "near: \":v :w\"");
    CHECK_STR(fails(DDB_EXPR_FILTER, "a = :v AND", NULL, v),
              "Invalid FilterExpression: Syntax error; token: \"<EOF>\", "
              "near: \"AND\"");
    CHECK_STR(fails(DDB_EXPR_CONDITION, "(a = :v", NULL, v),
              "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", "
              "near: \":v\"");
    CHECK_STR(fails(DDB_EXPR_CONDITION, "a = :v)", NULL, v),
              "Invalid ConditionExpression: Syntax error; token: \")\", "
              "near: \":v)\"");
    CHECK_STR(fails(DDB_EXPR_CONDITION, "a[x] = :v", NULL, v),
              "Invalid ConditionExpression: Syntax error; token: \"x\", "
              "near: \"[x]\"");
    CHECK_STR(fails(DDB_EXPR_CONDITION, "a", NULL, NULL),
              "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", "
              "near: \"a\"");
    CHECK_STR(fails(DDB_EXPR_CONDITION, "", NULL, NULL),
              "Invalid ConditionExpression: The expression can not be empty;");
    CHECK_STR(fails(DDB_EXPR_UPDATE, "  ", NULL, NULL),
              "Invalid UpdateExpression: The expression can not be empty;");
    CHECK_STR(fails(DDB_EXPR_CONDITION, "a = 5", NULL, NULL),
              "Invalid ConditionExpression: Syntax error; token: \"5\", "
              "near: \"= 5\"");
    /* A syntax error wins over a semantic one earlier in the text. */
    CHECK_STR(fails(DDB_EXPR_CONDITION, "status = :v AND", NULL, v),
              "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", "
              "near: \"AND\"");
}

TEST(ddb_expr_expression_size)
{
    char *big = ts_malloc(5000);

    memset(big, ' ', 4999);
    big[4999] = '\0';
    memcpy(big, "a = :v", 6);
    CHECK_STR(fails(DDB_EXPR_CONDITION, big, NULL, "{\":v\":{\"N\":\"1\"}}"),
              "Invalid ConditionExpression: Expression size has exceeded the "
              "maximum allowed size; expression size: 4999");
    ts_free(big);
}

TEST(ddb_expr_reserved_and_names)
{
    CHECK_STR(fails(DDB_EXPR_CONDITION, "status = :v", NULL,
                    "{\":v\":{\"S\":\"x\"}}"),
              "Invalid ConditionExpression: Attribute name is a reserved "
              "keyword; reserved keyword: status");
    CHECK_STR(fails(DDB_EXPR_UPDATE, "SET a.Name = :v", NULL,
                    "{\":v\":{\"S\":\"x\"}}"),
              "Invalid UpdateExpression: Attribute name is a reserved "
              "keyword; reserved keyword: Name");
    CHECK(cond("#s = :v", "{\"#s\":\"status\"}", "{\":v\":{\"S\":\"x\"}}",
               "{\"status\":{\"S\":\"x\"}}") == 1);
    CHECK_STR(fails(DDB_EXPR_CONDITION, "#s = :v", NULL,
                    "{\":v\":{\"S\":\"x\"}}"),
              "Invalid ConditionExpression: An expression attribute name "
              "used in the document path is not defined; attribute name: #s");
    CHECK_STR(fails(DDB_EXPR_FILTER, "a = :nope", NULL,
                    "{\":v\":{\"S\":\"x\"}}"),
              "Invalid FilterExpression: An expression attribute value used "
              "in expression is not defined; attribute value: :nope");
    CHECK_STR(fails(DDB_EXPR_PROJECTION, "a, #x", NULL, NULL),
              "Invalid ProjectionExpression: An expression attribute name "
              "used in the document path is not defined; attribute name: #x");
}

TEST(ddb_expr_attrs_and_usage)
{
    cJSON *names = cJSON_Parse("{\"#a\":\"a\",\"#b\":\"b\",\"#c\":\"c\"}");
    cJSON *values = cJSON_Parse("{\":x\":{\"N\":\"01\"},\":y\":{\"S\":\"y\"},"
                                "\":z\":{\"S\":\"z\"}}");
    ddb_expr_usage u = {0};
    ddb_expr *e1, *e2;

    CHECK(ddb_expr_attrs_validate(names, values, err, sizeof(err)) == 0);
    e1 = ddb_expr_parse(DDB_EXPR_CONDITION, "#a = :x", names, values, &u, err,
                        sizeof(err));
    e2 = ddb_expr_parse(DDB_EXPR_UPDATE, "SET #b = :y", names, values, &u,
                        err, sizeof(err));
    REQUIRE(e1 && e2);
    CHECK(ddb_expr_check_unused(names, values, &u, err, sizeof(err)) == -1);
    CHECK_STR(err, "Value provided in ExpressionAttributeNames unused in "
              "expressions: keys: {#c}");
    cJSON_DeleteItemFromObject(names, "#c");
    CHECK(ddb_expr_check_unused(names, values, &u, err, sizeof(err)) == -1);
    CHECK_STR(err, "Value provided in ExpressionAttributeValues unused in "
              "expressions: keys: {:z}");
    cJSON_AddItemToObject(values, ":w", cJSON_Parse("{\"S\":\"w\"}"));
    CHECK(ddb_expr_check_unused(names, values, &u, err, sizeof(err)) == -1);
    CHECK_STR(err, "Value provided in ExpressionAttributeValues unused in "
              "expressions: keys: {:z, :w}");
    cJSON_DeleteItemFromObject(values, ":z");
    cJSON_DeleteItemFromObject(values, ":w");
    CHECK(ddb_expr_check_unused(names, values, &u, err, sizeof(err)) == 0);
    ddb_expr_free(e1);
    ddb_expr_free(e2);
    ddb_expr_usage_free(&u);
    cJSON_Delete(names);
    cJSON_Delete(values);

    CHECK_STR(fails(DDB_EXPR_CONDITION, "a = :v", "{}", NULL),
              "ExpressionAttributeNames must not be empty");
    CHECK_STR(fails(DDB_EXPR_CONDITION, "a = :v", NULL, "{}"),
              "ExpressionAttributeValues must not be empty");
    CHECK_STR(fails(DDB_EXPR_CONDITION, "a = :v", "{\"x\":\"a\"}", NULL),
              "ExpressionAttributeNames contains invalid key: Syntax error; "
              "key: \"x\"");
    CHECK_STR(fails(DDB_EXPR_CONDITION, "a = :v", NULL,
                    "{\"v\":{\"S\":\"a\"}}"),
              "ExpressionAttributeValues contains invalid key: Syntax error; "
              "key: \"v\"");
    CHECK_STR(fails(DDB_EXPR_UPDATE, "ADD a :v", NULL, "{\":v\":{\"SS\":[]}}"),
              "ExpressionAttributeValues contains invalid value: One or more "
              "parameter values were invalid: An string set  may not be "
              "empty for key :v");
    CHECK_STR(fails(DDB_EXPR_UPDATE, "SET a = :v", NULL,
                    "{\":v\":{\"N\":\"1e999\"}}"),
              "ExpressionAttributeValues contains invalid value: Number "
              "overflow. Attempting to store a number with magnitude larger "
              "than supported range for key :v");
}

TEST(ddb_expr_key_condition)
{
    const char *v = "{\":p\":{\"S\":\"p1\"},\":lo\":{\"N\":\"3\"},"
                    "\":hi\":{\"N\":\"9\"}}";
    cJSON *vals = NULL;
    ddb_key_cond kc;
    ddb_expr *e;

    e = parse(DDB_EXPR_KEY_CONDITION, "pk = :p AND sk BETWEEN :lo AND :hi",
              NULL, v, &vals);
    REQUIRE(e);
    CHECK(ddb_expr_key_cond(e, "pk", 'S', "sk", 'N', &kc, err,
                            sizeof(err)) == 0);
    CHECK(kc.range_op == DDB_KC_BETWEEN);
    CHECK_STR(cJSON_GetObjectItem(kc.hash_value, "S")->valuestring, "p1");
    CHECK_STR(cJSON_GetObjectItem(kc.range_v2, "N")->valuestring, "9");
    /* Key schema mismatches. */
    CHECK(ddb_expr_key_cond(e, "pk", 'N', "sk", 'N', &kc, err,
                            sizeof(err)) == -1);
    CHECK_STR(err, "One or more parameter values were invalid: Condition "
              "parameter type does not match schema type");
    CHECK(ddb_expr_key_cond(e, "other", 'S', "sk", 'N', &kc, err,
                            sizeof(err)) == -1);
    CHECK_STR(err, "Query condition missed key schema element: other");
    CHECK(ddb_expr_key_cond(e, "pk", 'S', NULL, 0, &kc, err,
                            sizeof(err)) == -1);
    CHECK_STR(err, "Query key condition not supported");
    CHECK(ddb_expr_key_cond(e, "pk", 'S', "c", 'N', &kc, err,
                            sizeof(err)) == -1);
    CHECK_STR(err, "Query condition missed key schema element: c");
    ddb_expr_free(e);
    cJSON_Delete(vals);

    /* Reversed operands, parentheses, hash only, begins_with. */
    e = parse(DDB_EXPR_KEY_CONDITION, "(:lo < sk) AND (:p = pk)", NULL,
              "{\":p\":{\"S\":\"p1\"},\":lo\":{\"N\":\"3\"}}", &vals);
    REQUIRE(e);
    CHECK(ddb_expr_key_cond(e, "pk", 'S', "sk", 'N', &kc, err,
                            sizeof(err)) == 0);
    CHECK(kc.range_op == DDB_KC_GT);
    ddb_expr_free(e);
    cJSON_Delete(vals);
    e = parse(DDB_EXPR_KEY_CONDITION, "#k = :p", "{\"#k\":\"pk\"}",
              "{\":p\":{\"S\":\"p1\"}}", &vals);
    REQUIRE(e);
    CHECK(ddb_expr_key_cond(e, "pk", 'S', "sk", 'N', &kc, err,
                            sizeof(err)) == 0);
    CHECK(kc.range_op == DDB_KC_NONE);
    ddb_expr_free(e);
    cJSON_Delete(vals);
    e = parse(DDB_EXPR_KEY_CONDITION, "pk = :p and begins_with(sk, :s)",
              NULL, "{\":p\":{\"S\":\"p1\"},\":s\":{\"S\":\"ab\"}}", &vals);
    REQUIRE(e);
    CHECK(ddb_expr_key_cond(e, "pk", 'S', "sk", 'S', &kc, err,
                            sizeof(err)) == 0);
    CHECK(kc.range_op == DDB_KC_BEGINS_WITH);
    CHECK(ddb_expr_key_cond(e, "pk", 'S', "sk", 'N', &kc, err,
                            sizeof(err)) == -1);
    CHECK_STR(err, "Invalid KeyConditionExpression: Incorrect operand type "
              "for operator or function; operator or function: begins_with, "
              "operand type: N");
    ddb_expr_free(e);
    cJSON_Delete(vals);

    e = parse(DDB_EXPR_KEY_CONDITION, "pk = :p AND pk = :p", NULL,
              "{\":p\":{\"S\":\"p1\"}}", &vals);
    REQUIRE(e);
    CHECK(ddb_expr_key_cond(e, "pk", 'S', "sk", 'N', &kc, err,
                            sizeof(err)) == -1);
    CHECK_STR(err, "KeyConditionExpressions must only contain one condition "
              "per key");
    ddb_expr_free(e);
    cJSON_Delete(vals);
    e = parse(DDB_EXPR_KEY_CONDITION, "pk < :p", NULL,
              "{\":p\":{\"S\":\"p1\"}}", &vals);
    REQUIRE(e);
    CHECK(ddb_expr_key_cond(e, "pk", 'S', "sk", 'N', &kc, err,
                            sizeof(err)) == -1);
    CHECK_STR(err, "Query key condition not supported");
    ddb_expr_free(e);
    cJSON_Delete(vals);
    e = parse(DDB_EXPR_KEY_CONDITION, "pk = :p", NULL,
              "{\":p\":{\"S\":\"\"}}", &vals);
    REQUIRE(e);
    CHECK(ddb_expr_key_cond(e, "pk", 'S', NULL, 0, &kc, err,
                            sizeof(err)) == -1);
    CHECK_STR(err, "One or more parameter values are not valid. The "
              "AttributeValue for a key attribute cannot contain an empty "
              "string value. Key: pk");
    ddb_expr_free(e);
    cJSON_Delete(vals);
}

TEST(ddb_expr_key_condition_operators)
{
    const char *v = "{\":p\":{\"S\":\"p1\"},\":c\":{\"N\":\"3\"}}";

    CHECK_STR(fails(DDB_EXPR_KEY_CONDITION, "c = :c OR pk = :p", NULL, v),
              "Invalid operator used in KeyConditionExpression: OR");
    CHECK_STR(fails(DDB_EXPR_KEY_CONDITION, "NOT c = :c AND pk = :p", NULL,
                    v),
              "Invalid operator used in KeyConditionExpression: NOT");
    CHECK_STR(fails(DDB_EXPR_KEY_CONDITION, "pk = :p AND c <> :c", NULL, v),
              "Invalid operator used in KeyConditionExpression: <>");
    CHECK_STR(fails(DDB_EXPR_KEY_CONDITION, "pk = :p AND c IN (:c)", NULL, v),
              "Invalid operator used in KeyConditionExpression: IN");
    CHECK_STR(fails(DDB_EXPR_KEY_CONDITION, "pk = :p AND attribute_exists(c)",
                    NULL, "{\":p\":{\"S\":\"p1\"}}"),
              "Invalid operator used in KeyConditionExpression: "
              "attribute_exists");
    CHECK_STR(fails(DDB_EXPR_KEY_CONDITION, "pk = :p AND size(c) = :c",
                    NULL, v),
              "Invalid operator used in KeyConditionExpression: size");
    CHECK_STR(fails(DDB_EXPR_KEY_CONDITION, "pk = :p AND dog(c, :c)", NULL,
                    v),
              "Invalid KeyConditionExpression: Invalid function name; "
              "function: dog");
    CHECK_STR(fails(DDB_EXPR_KEY_CONDITION, "pk = :p AND c != :c", NULL, v),
              "Invalid KeyConditionExpression: Syntax error; token: \"!\", "
              "near: \"c !=\"");
}

TEST(ddb_expr_projection)
{
    CHECK_STR(project("a, s", NULL, ITEM),
              "{\"a\":{\"N\":\"5\"},\"s\":{\"S\":\"hello\"}}");
    CHECK_STR(project("m.n.z, nope, m.nope", NULL, ITEM),
              "{\"m\":{\"M\":{\"n\":{\"M\":{\"z\":{\"S\":\"deep\"}}}}}}");
    CHECK_STR(project("l[2].q, l[0]", NULL, ITEM),
              "{\"l\":{\"L\":[{\"S\":\"p\"},{\"M\":{\"q\":{\"S\":\"r\"}}}]}}");
    CHECK_STR(project("l[7], a[0], s.x", NULL, ITEM), "{}");
    CHECK_STR(project("#m.k", "{\"#m\":\"m\"}", ITEM),
              "{\"m\":{\"M\":{\"k\":{\"N\":\"1\"}}}}");
    CHECK_STR(project("a, m.k, a", NULL, ITEM),
              "Invalid ProjectionExpression: Two document paths overlap with "
              "each other; must remove or rewrite one of these paths; path "
              "one: [a], path two: [a]");
    CHECK_STR(project("m, m.k", NULL, ITEM),
              "Invalid ProjectionExpression: Two document paths overlap with "
              "each other; must remove or rewrite one of these paths; path "
              "one: [m], path two: [m, k]");
    CHECK_STR(project("l[0], l.x", NULL, ITEM),
              "Invalid ProjectionExpression: Two document paths conflict with "
              "each other; must remove or rewrite one of these paths; path "
              "one: [l, [0]], path two: [l, x]");
    CHECK_STR(project("a,", NULL, ITEM),
              "Invalid ProjectionExpression: Syntax error; token: \"<EOF>\", "
              "near: \",\"");
}
