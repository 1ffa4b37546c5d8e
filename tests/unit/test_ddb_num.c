/*
 * test_ddb_num.c - DynamoDB numbers: parsing limits and messages, the
 * canonical text, exact order, and exact add/subtract with overflow.
 */
#include "test.h"

#include "../../src/dynamodb/ddb_int.h"

#include <stdlib.h>

/* Canonical text of s, or the error message when it does not parse. */
static const char *norm(const char *s)
{
    static char out[DDB_NUM_TEXT_MAX + DDB_ERR_MAX];

    if (ddb_num_normalize(s, out, out, sizeof(out)) < 0)
        return out;
    return out;
}

static int cmp(const char *a, const char *b)
{
    return ddb_num_cmp_text(a, b);
}

/* a op b as canonical text, or the error message. */
static const char *arith(const char *a, char op, const char *b)
{
    static char out[DDB_NUM_TEXT_MAX + DDB_ERR_MAX];
    ddb_num na, nb, r;
    int rc;

    if (ddb_num_parse(a, &na, out, sizeof(out)) < 0 ||
        ddb_num_parse(b, &nb, out, sizeof(out)) < 0)
        return out;
    rc = op == '+' ? ddb_num_add(&na, &nb, &r, out, sizeof(out))
                   : ddb_num_sub(&na, &nb, &r, out, sizeof(out));
    if (rc == 0)
        ddb_num_format(&r, out);
    return out;
}

TEST(ddb_num_canonical)
{
    CHECK_STR(norm("899.00"), "899");
    CHECK_STR(norm("1e2"), "100");
    CHECK_STR(norm("-0"), "0");
    CHECK_STR(norm("-0.000"), "0");
    CHECK_STR(norm("0e1000"), "0");
    CHECK_STR(norm("0.10"), "0.1");
    CHECK_STR(norm("1.5E+3"), "1500");
    CHECK_STR(norm("+3"), "3");
    CHECK_STR(norm(".123"), "0.123");
    CHECK_STR(norm("0001.23"), "1.23");
    CHECK_STR(norm("1e+5"), "100000");
    CHECK_STR(norm("-17.4E37"), "-174000000000000000000000000000000000000");
    CHECK_STR(norm("1."), "1");
    CHECK_STR(norm("-7.1234"), "-7.1234");
    CHECK_STR(norm("12.5e-3"), "0.0125");
    CHECK_STR(norm("100"), "100");
    CHECK_STR(norm("1000e-3"), "1");
    CHECK_STR(norm("1e100"),
              "1000000000000000000000000000000000000000000000000000000000"
              "0000000000000000000000000000000000000000000");
    CHECK_STR(norm("1e-5"), "0.00001");
    CHECK_STR(norm("3.1415926535897932384626433832795028841"),
              "3.1415926535897932384626433832795028841");
    CHECK_STR(norm("31415926535897932384626433832795028841e30"),
              "3141592653589793238462643383279502884100000000000000000000"
              "0000000000");
    /* Trailing zeros are not significant digits. */
    CHECK_STR(norm("1.00000000000000000000000000000000000000000000"), "1");
    CHECK_STR(norm("0.000000000000000000000000000000000000000000001"),
              "0.000000000000000000000000000000000000000000001");
}

TEST(ddb_num_limits)
{
    char big[200];

    CHECK(strncmp(norm("1e-130"), "0.000", 5) == 0);
    CHECK(strlen(norm("1e-130")) == 132);
    CHECK(strlen(norm("-1e-130")) == 133);
    CHECK(strlen(norm("9.9999999999999999999999999999999999999E+125")) ==
          126);
    CHECK_STR(norm("1e126"), "Number overflow. Attempting to store a number "
              "with magnitude larger than supported range");
    CHECK_STR(norm("-11e125"), "Number overflow. Attempting to store a "
              "number with magnitude larger than supported range");
    CHECK_STR(norm("1e-131"), "Number underflow. Attempting to store a "
              "number with magnitude smaller than supported range");
    CHECK_STR(norm("0.9e-130"), "Number underflow. Attempting to store a "
              "number with magnitude smaller than supported range");
    CHECK_STR(norm("1e99999999999999999999"), "Number overflow. Attempting "
              "to store a number with magnitude larger than supported range");
    CHECK_STR(norm("3.14159265358979323846264338327950288419"),
              "Attempting to store more than 38 significant digits in a "
              "Number");
    CHECK_STR(norm("314159265358979323846264338327950288419e30"),
              "Attempting to store more than 38 significant digits in a "
              "Number");
    /* 38 digits with zeros inside are fine, 39 are not. */
    memset(big, 0, sizeof(big));
    big[0] = '1';
    memset(big + 1, '0', 36);
    big[37] = '1';
    CHECK(strcmp(norm(big), big) == 0);
    big[37] = '0';
    big[38] = '1';
    CHECK_STR(norm(big), "Attempting to store more than 38 significant "
              "digits in a Number");
}

TEST(ddb_num_not_numeric)
{
    const char *bad[] = {"NaN", "Infinity", "-Infinity", "dog", " 1", "1 ",
                         "", "-", ".", "1e", "1e+", "1..2", "0x10", "1,5",
                         "--1", "e5", "1e5.5"};

    for (size_t i = 0; i < TS_ARRAY_LEN(bad); i++) {
        char want[128];

        snprintf(want, sizeof(want),
                 "The parameter cannot be converted to a numeric value: %s",
                 bad[i]);
        CHECK_STR(norm(bad[i]), want);
    }
}

TEST(ddb_num_compare)
{
    CHECK(cmp("1", "2") < 0);
    CHECK(cmp("2", "10") < 0);
    CHECK(cmp("-2", "-10") > 0);
    CHECK(cmp("0", "-0.0") == 0);
    CHECK(cmp("1.5", "1.50") == 0);
    CHECK(cmp("1e2", "100") == 0);
    CHECK(cmp("-1", "0") < 0);
    CHECK(cmp("0", "1e-130") < 0);
    CHECK(cmp("0.12", "0.123") < 0);
    CHECK(cmp("-0.12", "-0.123") > 0);
    CHECK(cmp("99", "100") < 0);
    CHECK(cmp("-99", "-100") > 0);
    CHECK(cmp("9.9999999999999999999999999999999999999E+125", "1e125") > 0);
}

TEST(ddb_num_arith)
{
    CHECK_STR(arith("1", '+', "10000000000000000000000"),
              "10000000000000000000001");
    CHECK_STR(arith("10000000000000000000000", '-', "1"),
              "9999999999999999999999");
    CHECK_STR(arith("0.1", '+', "0.2"), "0.3");
    CHECK_STR(arith("1.5", '-', "1.5"), "0");
    CHECK_STR(arith("-5", '+', "3"), "-2");
    CHECK_STR(arith("3", '-', "5"), "-2");
    CHECK_STR(arith("-3", '-', "-5"), "2");
    CHECK_STR(arith("0", '-', "7.25"), "-7.25");
    CHECK_STR(arith("7.25", '+', "0"), "7.25");
    CHECK_STR(arith("999", '+', "1"), "1000");
    CHECK_STR(arith("1000", '-', "0.001"), "999.999");
    {
        char want[DDB_NUM_TEXT_MAX] = "0.";

        memset(want + 2, '0', 129);
        want[131] = '2';
        CHECK_STR(arith("1e-130", '+', "1e-130"), want);
    }
    CHECK_STR(arith("9e125", '+', "9e125"), "Number overflow. Attempting to "
              "store a number with magnitude larger than supported range");
    CHECK_STR(arith("9e125", '-', "-9e125"), "Number overflow. Attempting "
              "to store a number with magnitude larger than supported range");
    /* Inexact: 1e50 + 1 needs 51 digits; DynamoDB calls that overflow. */
    CHECK_STR(arith("1e50", '+', "1"), "Number overflow. Attempting to "
              "store a number with magnitude larger than supported range");
    CHECK_STR(arith("1e50", '-', "1"), "Number overflow. Attempting to "
              "store a number with magnitude larger than supported range");
    CHECK_STR(arith("1.0000000000000000000000000000000000001e-100", '-',
                    "1e-100"),
              "Number underflow. Attempting to store a number with magnitude"
              " smaller than supported range");
    CHECK_STR(arith("12345678901234567890123456789012345678", '+',
                    "1"), "12345678901234567890123456789012345679");
    CHECK_STR(arith("99999999999999999999999999999999999999", '+', "1"),
              "100000000000000000000000000000000000000");
}

/* Random add/sub cross-checked against long long arithmetic. */
TEST(ddb_num_arith_random)
{
    srand(12345);
    for (int i = 0; i < 2000; i++) {
        long long a = (long long)(rand() % 2000001) - 1000000;
        long long b = (long long)(rand() % 2000001) - 1000000;
        char sa[32], sb[32], want[32];

        snprintf(sa, sizeof(sa), "%lld", a);
        snprintf(sb, sizeof(sb), "%lld", b);
        snprintf(want, sizeof(want), "%lld", a + b);
        CHECK_STR(arith(sa, '+', sb), want);
        snprintf(want, sizeof(want), "%lld", a - b);
        CHECK_STR(arith(sa, '-', sb), want);
        CHECK((cmp(sa, sb) > 0) == (a > b));
        CHECK((cmp(sa, sb) == 0) == (a == b));
    }
}
