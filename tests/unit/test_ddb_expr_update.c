/*
 * test_ddb_expr_update.c - UpdateExpression application (SET with + - and
 * functions, REMOVE with shifting list indexes, ADD, DELETE), its errors,
 * the updated-attributes report, and randomised robustness runs of the
 * whole expression pipeline under the sanitizers.
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

/* Applies an update; the new item's JSON text, or the message. */
static const char *update(const char *text, const char *names,
                          const char *values, const char *item)
{
    cJSON *v = NULL, *it = item ? cJSON_Parse(item) : NULL, *res = NULL;
    ddb_expr *e = parse(DDB_EXPR_UPDATE, text, names, values, &v);

    if (e && ddb_expr_apply_update(e, it, &res, err, sizeof(err)) == 0) {
        char *s = cJSON_PrintUnformatted(res);
        snprintf(out, sizeof(out), "%s", s);
        free(s);
    } else {
        snprintf(out, sizeof(out), "%s", err);
    }
    cJSON_Delete(res);
    ddb_expr_free(e);
    cJSON_Delete(v);
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

TEST(ddb_expr_update_set)
{
    const char *it = "{\"id\":{\"S\":\"k\"},\"n\":{\"N\":\"5\"},"
                     "\"l\":{\"L\":[{\"N\":\"1\"}]},\"m\":{\"M\":{}}}";

    CHECK_STR(update("SET a = :v", NULL, "{\":v\":{\"S\":\"x\"}}", NULL),
              "{\"a\":{\"S\":\"x\"}}");
    CHECK_STR(update("SET n = n + :one, m.x = :one", NULL,
                     "{\":one\":{\"N\":\"1\"}}", it),
              "{\"id\":{\"S\":\"k\"},\"n\":{\"N\":\"6\"},\"l\":{\"L\":[{\"N\":"
              "\"1\"}]},\"m\":{\"M\":{\"x\":{\"N\":\"1\"}}}}");
    CHECK_STR(update("SET n = :one - n", NULL, "{\":one\":{\"N\":\"1\"}}",
                     it),
              "{\"id\":{\"S\":\"k\"},\"n\":{\"N\":\"-4\"},\"l\":{\"L\":[{\"N\":"
              "\"1\"}]},\"m\":{\"M\":{}}}");
    /* Right-hand sides read the old item: a swap works. */
    CHECK_STR(update("SET a = b, b = a", NULL, NULL,
                     "{\"a\":{\"S\":\"1\"},\"b\":{\"S\":\"2\"}}"),
              "{\"a\":{\"S\":\"2\"},\"b\":{\"S\":\"1\"}}");
    CHECK_STR(update("SET c = if_not_exists(c, :z) + :one", NULL,
                     "{\":z\":{\"N\":\"10\"},\":one\":{\"N\":\"1\"}}", NULL),
              "{\"c\":{\"N\":\"11\"}}");
    CHECK_STR(update("SET n = if_not_exists(n, :z)", NULL,
                     "{\":z\":{\"N\":\"10\"}}", "{\"n\":{\"N\":\"5\"}}"),
              "{\"n\":{\"N\":\"5\"}}");
    CHECK_STR(update("SET l = list_append(l, :more)", NULL,
                     "{\":more\":{\"L\":[{\"S\":\"x\"}]}}",
                     "{\"l\":{\"L\":[{\"N\":\"1\"}]}}"),
              "{\"l\":{\"L\":[{\"N\":\"1\"},{\"S\":\"x\"}]}}");
    CHECK_STR(update("SET l = list_append(:more, l)", NULL,
                     "{\":more\":{\"L\":[{\"S\":\"x\"}]}}",
                     "{\"l\":{\"L\":[{\"N\":\"1\"}]}}"),
              "{\"l\":{\"L\":[{\"S\":\"x\"},{\"N\":\"1\"}]}}");
    CHECK_STR(update("SET l[0] = :v, l[5] = :w", NULL,
                     "{\":v\":{\"S\":\"a\"},\":w\":{\"S\":\"b\"}}",
                     "{\"l\":{\"L\":[{\"N\":\"1\"}]}}"),
              "{\"l\":{\"L\":[{\"S\":\"a\"},{\"S\":\"b\"}]}}");
    CHECK_STR(update("set #n = :v", "{\"#n\":\"name\"}",
                     "{\":v\":{\"S\":\"x\"}}", NULL),
              "{\"name\":{\"S\":\"x\"}}");
}

TEST(ddb_expr_update_set_errors)
{
    CHECK_STR(update("SET a = b", NULL, NULL, "{}"),
              "The provided expression refers to an attribute that does not "
              "exist in the item");
    CHECK_STR(update("SET a.b = :v", NULL, "{\":v\":{\"S\":\"x\"}}", "{}"),
              "The document path provided in the update expression is "
              "invalid for update");
    CHECK_STR(update("SET a[0] = :v", NULL, "{\":v\":{\"S\":\"x\"}}",
                     "{\"a\":{\"S\":\"y\"}}"),
              "The document path provided in the update expression is "
              "invalid for update");
    CHECK_STR(update("SET a = :s + :one", NULL,
                     "{\":s\":{\"S\":\"x\"},\":one\":{\"N\":\"1\"}}", NULL),
              "Invalid UpdateExpression: Incorrect operand type for operator "
              "or function; operator or function: +, operand type: S");
    CHECK_STR(update("SET a = list_append(:s, :l)", NULL,
                     "{\":s\":{\"S\":\"x\"},\":l\":{\"L\":[]}}", NULL),
              "Invalid UpdateExpression: Incorrect operand type for operator "
              "or function; operator or function: list_append, operand type:"
              " S");
    CHECK_STR(update("SET a = :big + :big", NULL,
                     "{\":big\":{\"N\":\"9e125\"}}", NULL),
              "Number overflow. Attempting to store a number with magnitude "
              "larger than supported range");
    CHECK_STR(update("SET a = size(b)", NULL, NULL, NULL),
              "Invalid UpdateExpression: The function is not allowed in an "
              "update expression; function: size");
    CHECK_STR(update("SET a = if_not_exists(:v, :v)", NULL,
                     "{\":v\":{\"S\":\"x\"}}", NULL),
              "Invalid UpdateExpression: Operator or function requires a "
              "document path; operator or function: if_not_exists");
    CHECK_STR(update("SET a = list_append(:v)", NULL,
                     "{\":v\":{\"L\":[]}}", NULL),
              "Invalid UpdateExpression: Incorrect number of operands for "
              "operator or function; operator or function: list_append, "
              "number of operands: 1");
    CHECK_STR(update("SET a = :v SET b = :v", NULL, "{\":v\":{\"S\":\"x\"}}",
                     NULL),
              "Invalid UpdateExpression: The \"SET\" section can only be "
              "used once in an update expression;");
    CHECK_STR(update("SET a = :v, a.b = :v", NULL, "{\":v\":{\"S\":\"x\"}}",
                     NULL),
              "Invalid UpdateExpression: Two document paths overlap with "
              "each other; must remove or rewrite one of these paths; path "
              "one: [a], path two: [a, b]");
    CHECK_STR(update("SET a = :v REMOVE #a", "{\"#a\":\"a\"}",
                     "{\":v\":{\"S\":\"x\"}}", NULL),
              "Invalid UpdateExpression: Two document paths overlap with "
              "each other; must remove or rewrite one of these paths; path "
              "one: [a], path two: [a]");
    CHECK_STR(update("SET a = :v,", NULL, "{\":v\":{\"S\":\"x\"}}", NULL),
              "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", "
              "near: \",\"");
    CHECK_STR(update("SET a :v", NULL, "{\":v\":{\"S\":\"x\"}}", NULL),
              "Invalid UpdateExpression: Syntax error; token: \":v\", near: "
              "\"a :v\"");
    CHECK_STR(update("PUT a = :v", NULL, "{\":v\":{\"S\":\"x\"}}", NULL),
              "Invalid UpdateExpression: Syntax error; token: \"PUT\", near: "
              "\"PUT a\"");
    CHECK_STR(update("SET a = :v + :v + :v", NULL, "{\":v\":{\"N\":\"1\"}}",
                     NULL),
              "Invalid UpdateExpression: Syntax error; token: \"+\", near: "
              "\":v + :v\"");
}

TEST(ddb_expr_update_remove)
{
    const char *it = "{\"a\":{\"S\":\"x\"},\"l\":{\"L\":[{\"N\":\"0\"},"
                     "{\"N\":\"1\"},{\"N\":\"2\"},{\"N\":\"3\"}]},"
                     "\"m\":{\"M\":{\"k\":{\"S\":\"v\"},\"j\":{\"S\":\"w\"}}}}";

    CHECK_STR(update("REMOVE a, m.k, nope", NULL, NULL, it),
              "{\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"},{\"N\":\"2\"},"
              "{\"N\":\"3\"}]},\"m\":{\"M\":{\"j\":{\"S\":\"w\"}}}}");
    /* Indexes refer to the list before the update. */
    CHECK_STR(update("REMOVE l[1], l[3], l[9]", NULL, NULL, it),
              "{\"a\":{\"S\":\"x\"},\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":\"2\"}"
              "]},\"m\":{\"M\":{\"k\":{\"S\":\"v\"},\"j\":{\"S\":\"w\"}}}}");
    CHECK_STR(update("REMOVE l[0] SET l[2] = :v", NULL,
                     "{\":v\":{\"S\":\"two\"}}", it),
              "{\"a\":{\"S\":\"x\"},\"l\":{\"L\":[{\"N\":\"1\"},{\"S\":"
              "\"two\"},{\"N\":\"3\"}]},\"m\":{\"M\":{\"k\":{\"S\":\"v\"},"
              "\"j\":{\"S\":\"w\"}}}}");
    CHECK_STR(update("REMOVE nope.x", NULL, NULL, it),
              "The document path provided in the update expression is "
              "invalid for update");
    CHECK_STR(update("REMOVE a REMOVE l", NULL, NULL, it),
              "Invalid UpdateExpression: The \"REMOVE\" section can only be "
              "used once in an update expression;");
}

TEST(ddb_expr_update_add_delete)
{
    const char *it = "{\"n\":{\"N\":\"1.5\"},\"ss\":{\"SS\":[\"a\",\"b\"]},"
                     "\"ns\":{\"NS\":[\"1\",\"2\"]},\"s\":{\"S\":\"x\"}}";

    CHECK_STR(update("ADD n :v, c :v", NULL, "{\":v\":{\"N\":\"2.5\"}}", it),
              "{\"n\":{\"N\":\"4\"},\"ss\":{\"SS\":[\"a\",\"b\"]},\"ns\":"
              "{\"NS\":[\"1\",\"2\"]},\"s\":{\"S\":\"x\"},\"c\":{\"N\":"
              "\"2.5\"}}");
    CHECK_STR(update("ADD ss :v, fresh :v", NULL,
                     "{\":v\":{\"SS\":[\"b\",\"c\"]}}",
                     "{\"ss\":{\"SS\":[\"a\",\"b\"]}}"),
              "{\"ss\":{\"SS\":[\"a\",\"b\",\"c\"]},\"fresh\":{\"SS\":[\"b\","
              "\"c\"]}}");
    CHECK_STR(update("ADD ns :v", NULL, "{\":v\":{\"NS\":[\"2.0\",\"3\"]}}",
                     "{\"ns\":{\"NS\":[\"1\",\"2\"]}}"),
              "{\"ns\":{\"NS\":[\"1\",\"2\",\"3\"]}}");
    CHECK_STR(update("ADD s :v", NULL, "{\":v\":{\"N\":\"1\"}}", it),
              "An operand in the update expression has an incorrect data "
              "type");
    CHECK_STR(update("ADD ss :v", NULL, "{\":v\":{\"NS\":[\"1\"]}}", it),
              "An operand in the update expression has an incorrect data "
              "type");
    CHECK_STR(update("ADD s :v", NULL, "{\":v\":{\"S\":\"1\"}}", it),
              "Invalid UpdateExpression: Incorrect operand type for operator "
              "or function; operator: ADD, operand type: STRING");
    CHECK_STR(update("ADD n :v", NULL, "{\":v\":{\"N\":\"9e125\"}}",
                     "{\"n\":{\"N\":\"9e125\"}}"),
              "Number overflow. Attempting to store a number with magnitude "
              "larger than supported range");
    CHECK_STR(update("DELETE ss :v", NULL, "{\":v\":{\"SS\":[\"a\",\"z\"]}}",
                     "{\"ss\":{\"SS\":[\"a\",\"b\"]}}"),
              "{\"ss\":{\"SS\":[\"b\"]}}");
    CHECK_STR(update("DELETE ss :v, nope :v", NULL,
                     "{\":v\":{\"SS\":[\"a\",\"b\"]}}",
                     "{\"ss\":{\"SS\":[\"a\",\"b\"]},\"x\":{\"S\":\"y\"}}"),
              "{\"x\":{\"S\":\"y\"}}");
    CHECK_STR(update("DELETE ns :v", NULL, "{\":v\":{\"NS\":[\"1.0\"]}}",
                     "{\"ns\":{\"NS\":[\"1\",\"2\"]}}"),
              "{\"ns\":{\"NS\":[\"2\"]}}");
    CHECK_STR(update("DELETE s :v", NULL, "{\":v\":{\"SS\":[\"x\"]}}", it),
              "An operand in the update expression has an incorrect data "
              "type");
    CHECK_STR(update("DELETE n :v", NULL, "{\":v\":{\"N\":\"1\"}}", it),
              "Invalid UpdateExpression: Incorrect operand type for operator "
              "or function; operator: DELETE, operand type: NUMBER");
    CHECK_STR(update("ADD n a", NULL, NULL, it),
              "Invalid UpdateExpression: Syntax error; token: \"a\", near: "
              "\"n a\"");
}

TEST(ddb_expr_update_report)
{
    cJSON *vals = NULL, *old, *res = NULL, *upd;
    ddb_expr *e = parse(DDB_EXPR_UPDATE, "SET m.k = :v, x = :v REMOVE y",
                        NULL, "{\":v\":{\"S\":\"new\"}}", &vals);
    char *s;

    REQUIRE(e);
    old = cJSON_Parse("{\"id\":{\"S\":\"1\"},\"m\":{\"M\":{\"k\":{\"S\":"
                      "\"old\"},\"o\":{\"S\":\"keep\"}}},\"y\":{\"N\":\"1\"}}");
    CHECK(ddb_expr_update_count(e) == 3);
    CHECK_STR(ddb_expr_update_attr(e, 0), "m");
    CHECK_STR(ddb_expr_update_attr(e, 2), "y");
    CHECK(ddb_expr_update_attr(e, 3) == NULL);
    CHECK(ddb_expr_apply_update(e, old, &res, err, sizeof(err)) == 0);
    upd = ddb_expr_project_updated(e, old);
    s = cJSON_PrintUnformatted(upd);
    CHECK_STR(s, "{\"m\":{\"M\":{\"k\":{\"S\":\"old\"}}},\"y\":{\"N\":\"1\"}}");
    free(s);
    cJSON_Delete(upd);
    upd = ddb_expr_project_updated(e, res);
    s = cJSON_PrintUnformatted(upd);
    CHECK_STR(s, "{\"m\":{\"M\":{\"k\":{\"S\":\"new\"}}},\"x\":{\"S\":"
              "\"new\"}}");
    free(s);
    cJSON_Delete(upd);
    /* The input item is left as it was. */
    CHECK(cJSON_GetObjectItem(old, "y") != NULL);
    cJSON_Delete(res);
    cJSON_Delete(old);
    cJSON_Delete(vals);
    ddb_expr_free(e);
}

/* Random token soup must never crash, leak or read out of bounds. */
TEST(ddb_expr_fuzz)
{
    static const char *const parts[] = {
        "a", "b.c", "l[0]", "l[99999]", "#n", "#x", ":v", ":s", ":l", ":u",
        "=", "<>", "<", "<=", ">", ">=", "(", ")", "[", "]", ",", ".", "+",
        "-", "AND", "OR", "NOT", "BETWEEN", "IN", "SET", "REMOVE", "ADD",
        "DELETE", "size(", "attribute_exists(", "begins_with(", "contains(",
        "if_not_exists(", "list_append(", "attribute_type(", "status", "1",
        "!", "\xc3\xa9", "#", ":", " "};
    cJSON *names = cJSON_Parse("{\"#n\":\"a\"}");
    cJSON *values = cJSON_Parse("{\":v\":{\"N\":\"1\"},\":s\":{\"SS\":"
                                "[\"x\"]},\":l\":{\"L\":[]}}");
    cJSON *item = cJSON_Parse(ITEM);

    srand(4242);
    for (int i = 0; i < 20000; i++) {
        ts_buf b;
        int n = 1 + rand() % 10, kind = rand() % 5;
        ddb_expr *e;

        ts_buf_init(&b);
        for (int k = 0; k < n; k++) {
            ts_buf_puts(&b, parts[rand() % (int)TS_ARRAY_LEN(parts)]);
            if (rand() % 2)
                ts_buf_putc(&b, ' ');
        }
        e = ddb_expr_parse(kind, b.data, names, values, NULL, err,
                           sizeof(err));
        if (e) {
            cJSON *r = NULL;
            ddb_key_cond kc;

            if (kind == DDB_EXPR_UPDATE) {
                if (ddb_expr_apply_update(e, item, &r, err, sizeof(err)) == 0)
                    cJSON_Delete(r);
                r = ddb_expr_project_updated(e, item);
            } else if (kind == DDB_EXPR_PROJECTION) {
                r = ddb_expr_project(e, item);
            } else {
                ddb_expr_eval_cond(e, item, err, sizeof(err));
                ddb_expr_key_cond(e, "a", 'N', "b", 'S', &kc, err,
                                  sizeof(err));
            }
            cJSON_Delete(r);
            ddb_expr_free(e);
        } else {
            CHECK(strncmp(err, "Invalid ", 8) == 0);
        }
        ts_buf_free(&b);
    }
    cJSON_Delete(names);
    cJSON_Delete(values);
    cJSON_Delete(item);
}

/* Grammar-shaped random expressions: most parse, so evaluation and update
 * application run over many shapes under the sanitizers. */
static const char *pick(const char *const *a, int n)
{
    return a[rand() % n];
}

static void gen_cond(ts_buf *b, int depth)
{
    static const char *const ops[] = {"a", "m.k", "l[1]", "l[5]", "#n", ":v",
                                      ":w", "s", "size(l)", "ss", "m.n.z"};
    static const char *const cmps[] = {" = ", " <> ", " < ", " <= ", " > ",
                                       " >= "};
    static const char *const paths[] = {"a", "m", "l[0]", "l[2].q", "ss",
                                        "s", "absent", "b"};
    int n = (int)TS_ARRAY_LEN(ops), r = rand() % (depth > 3 ? 6 : 9);

    switch (r) {
    case 0:
        ts_buf_printf(b, "%s%s%s", pick(ops, n), pick(cmps, 6), pick(ops, n));
        break;
    case 1:
        ts_buf_printf(b, "%s BETWEEN :v AND :w", pick(ops, n));
        break;
    case 2:
        ts_buf_printf(b, "%s IN (:v, :w, :str)", pick(ops, n));
        break;
    case 3:
        ts_buf_printf(b, "attribute_exists(%s)", pick(paths, 8));
        break;
    case 4:
        ts_buf_printf(b, "begins_with(%s, :str)", pick(paths, 8));
        break;
    case 5:
        ts_buf_printf(b, "contains(%s, %s)", pick(paths, 8), pick(ops, n));
        break;
    case 6:
        ts_buf_puts(b, "NOT ");
        gen_cond(b, depth + 1);
        break;
    case 7:
        ts_buf_putc(b, '(');
        gen_cond(b, depth + 1);
        ts_buf_puts(b, " AND ");
        gen_cond(b, depth + 1);
        ts_buf_putc(b, ')');
        break;
    default:
        gen_cond(b, depth + 1);
        ts_buf_puts(b, " OR ");
        gen_cond(b, depth + 1);
        break;
    }
}

static void gen_update(ts_buf *b)
{
    static const char *const paths[] = {"a", "m.k", "m.x", "l[0]", "l[1]",
                                        "l[7]", "ss", "ns", "s", "new1",
                                        "m.n.z", "l[2].q", "nope.x"};
    static const char *const vals[] = {":v", "a", "a + :v", ":v - a",
                                       "if_not_exists(zz, :v)",
                                       "list_append(l, :l)", "s", "m.k"};
    static const char *const clauses[] = {"SET", "REMOVE", "ADD", "DELETE"};
    int used[4] = {0};

    for (int c = 0; c < 1 + rand() % 3; c++) {
        int k = rand() % 4, n = 1 + rand() % 3;

        if (used[k]++)
            continue;
        ts_buf_printf(b, "%s ", clauses[k]);
        for (int i = 0; i < n; i++) {
            const char *p = pick(paths, (int)TS_ARRAY_LEN(paths));

            if (i)
                ts_buf_puts(b, ", ");
            if (k == 0)
                ts_buf_printf(b, "%s = %s", p,
                              pick(vals, (int)TS_ARRAY_LEN(vals)));
            else if (k == 1)
                ts_buf_puts(b, p);
            else
                ts_buf_printf(b, "%s %s", p, rand() % 2 ? ":v" : ":ss");
        }
        ts_buf_putc(b, ' ');
    }
}

TEST(ddb_expr_fuzz_grammar)
{
    cJSON *names = cJSON_Parse("{\"#n\":\"a\"}");
    cJSON *values = cJSON_Parse("{\":v\":{\"N\":\"1\"},\":w\":{\"N\":\"9\"},"
                                "\":str\":{\"S\":\"he\"},\":l\":{\"L\":[{\"S\""
                                ":\"x\"}]},\":ss\":{\"SS\":[\"x\",\"q\"]}}");
    cJSON *item = cJSON_Parse(ITEM);
    int parsed = 0, applied = 0;

    srand(99);
    for (int i = 0; i < 5000; i++) {
        ts_buf b;
        int upd = i % 2;
        ddb_expr *e;

        ts_buf_init(&b);
        if (upd)
            gen_update(&b);
        else
            gen_cond(&b, 0);
        e = ddb_expr_parse(upd ? DDB_EXPR_UPDATE : DDB_EXPR_FILTER, b.data,
                           names, values, NULL, err, sizeof(err));
        if (e) {
            parsed++;
            if (upd) {
                cJSON *r = NULL;

                if (ddb_expr_apply_update(e, item, &r, err,
                                          sizeof(err)) == 0) {
                    cJSON *p = ddb_expr_project_updated(e, r);

                    applied++;
                    CHECK(cJSON_IsObject(r));
                    cJSON_Delete(p);
                    cJSON_Delete(r);
                }
            } else {
                int v = ddb_expr_eval_cond(e, item, err, sizeof(err));

                CHECK(v == 0 || v == 1);
            }
            ddb_expr_free(e);
        }
        ts_buf_free(&b);
    }
    CHECK(parsed > 2500);
    CHECK(applied > 500);
    cJSON_Delete(names);
    cJSON_Delete(values);
    cJSON_Delete(item);
}
