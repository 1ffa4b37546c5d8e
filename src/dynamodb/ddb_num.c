/*
 * ddb_num.c - DynamoDB's N type, exactly.  A number is up to 38 significant
 * decimal digits with a magnitude between 1E-130 and
 * 9.9999999999999999999999999999999999999E+125 (or zero).  We keep it as a
 * digit array plus a decimal exponent (value = 0.d1d2..dn * 10^exp) and
 * never go through a double: parsing validates with AWS's messages,
 * formatting prints the plain canonical text DynamoDB returns ("1e2" ->
 * "100", "0.10" -> "0.1", "-0" -> "0"), and add/subtract work digit by
 * digit on an aligned array so results are exact or refused.
 */
#include "ddb_int.h"

#include <stdio.h>
#include <string.h>

#define EXP_MAX 126   /* 0.999.. * 10^126 = 9.99..E+125 */
#define EXP_MIN (-129) /* 0.1 * 10^-129 = 1E-130 */

/* Digit positions an exact sum can touch: exponents -167 .. 126, + carry. */
#define SUM_WIDTH 300

static const char MSG_OVERFLOW[] =
    "Number overflow. Attempting to store a number with magnitude larger "
    "than supported range";
static const char MSG_UNDERFLOW[] =
    "Number underflow. Attempting to store a number with magnitude smaller "
    "than supported range";
static const char MSG_DIGITS[] =
    "Attempting to store more than 38 significant digits in a Number";

static void set_err(char *err, size_t errlen, const char *msg)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", msg);
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int ddb_num_parse(const char *s, ddb_num *n, char *err, size_t errlen)
{
    const char *p = s;
    unsigned char buf[DDB_NUM_DIGITS];
    long mi = 0, intlen = -1, first = -1, zeros = 0, e10 = 0;
    int nbuf = 0, any = 0, too_many = 0, neg = 0, eneg = 0, rc = -1;

    memset(n, 0, sizeof(*n));
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    for (;; p++) {
        if (is_digit(*p)) {
            int d = *p - '0';

            any = 1;
            if (first < 0 && d == 0) {
                mi++;
                continue;
            }
            if (first < 0)
                first = mi;
            if (d == 0) {
                zeros++;
            } else if (nbuf + zeros + 1 > DDB_NUM_DIGITS) {
                too_many = 1;
                zeros = 0;
            } else {
                while (zeros > 0) {
                    buf[nbuf++] = 0;
                    zeros--;
                }
                buf[nbuf++] = (unsigned char)d;
            }
            mi++;
        } else if (*p == '.' && intlen < 0) {
            intlen = mi;
        } else {
            break;
        }
    }
    if (!any)
        goto not_numeric;
    if (intlen < 0)
        intlen = mi;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            eneg = *p++ == '-';
        if (!is_digit(*p))
            goto not_numeric;
        for (; is_digit(*p); p++)
            if (e10 < 100000000)
                e10 = e10 * 10 + (*p - '0');
        if (eneg)
            e10 = -e10;
    }
    if (*p)
        goto not_numeric;
    if (first < 0) {
        rc = 0; /* zero, whatever its sign or exponent */
        goto out;
    }
    if (too_many) {
        set_err(err, errlen, MSG_DIGITS);
        goto out;
    }
    {
        long exp = intlen - first + e10;

        if (exp > EXP_MAX) {
            set_err(err, errlen, MSG_OVERFLOW);
            goto out;
        }
        if (exp < EXP_MIN) {
            set_err(err, errlen, MSG_UNDERFLOW);
            goto out;
        }
        n->neg = neg;
        n->ndig = nbuf;
        n->exp = (int)exp;
        memcpy(n->dig, buf, (size_t)nbuf);
    }
    rc = 0;
    goto out;

not_numeric:
    if (err && errlen)
        snprintf(err, errlen,
                 "The parameter cannot be converted to a numeric value: %.200s",
                 s);
out:
    return rc;
}

void ddb_num_format(const ddb_num *n, char *out)
{
    char *o = out;
    int i;

    if (n->ndig == 0) {
        strcpy(out, "0");
        return;
    }
    if (n->neg)
        *o++ = '-';
    if (n->exp <= 0) {
        *o++ = '0';
        *o++ = '.';
        for (i = 0; i < -n->exp; i++)
            *o++ = '0';
        for (i = 0; i < n->ndig; i++)
            *o++ = (char)('0' + n->dig[i]);
    } else if (n->exp >= n->ndig) {
        for (i = 0; i < n->ndig; i++)
            *o++ = (char)('0' + n->dig[i]);
        for (i = n->ndig; i < n->exp; i++)
            *o++ = '0';
    } else {
        for (i = 0; i < n->ndig; i++) {
            if (i == n->exp)
                *o++ = '.';
            *o++ = (char)('0' + n->dig[i]);
        }
    }
    *o = '\0';
}

int ddb_num_normalize(const char *s, char *out, char *err, size_t errlen)
{
    ddb_num n;

    if (ddb_num_parse(s, &n, err, errlen) < 0)
        return -1;
    ddb_num_format(&n, out);
    return 0;
}

/* Order of |a| and |b|, both non-zero. */
static int mag_cmp(const ddb_num *a, const ddb_num *b)
{
    int i, m = TS_MIN(a->ndig, b->ndig);

    if (a->exp != b->exp)
        return a->exp > b->exp ? 1 : -1;
    for (i = 0; i < m; i++)
        if (a->dig[i] != b->dig[i])
            return a->dig[i] > b->dig[i] ? 1 : -1;
    if (a->ndig != b->ndig)
        return a->ndig > b->ndig ? 1 : -1;
    return 0;
}

static int num_sign(const ddb_num *n)
{
    return n->ndig == 0 ? 0 : (n->neg ? -1 : 1);
}

int ddb_num_cmp(const ddb_num *a, const ddb_num *b)
{
    int sa = num_sign(a), sb = num_sign(b);

    if (sa != sb)
        return sa < sb ? -1 : 1;
    if (sa == 0)
        return 0;
    return sa > 0 ? mag_cmp(a, b) : -mag_cmp(a, b);
}

int ddb_num_cmp_text(const char *a, const char *b)
{
    ddb_num na, nb;

    if (ddb_num_parse(a, &na, NULL, 0) < 0)
        memset(&na, 0, sizeof(na));
    if (ddb_num_parse(b, &nb, NULL, 0) < 0)
        memset(&nb, 0, sizeof(nb));
    return ddb_num_cmp(&na, &nb);
}

/* Spreads n's digits into acc (little-endian, position lo at index 0). */
static void spread(const ddb_num *n, int lo, int *acc)
{
    for (int i = 0; i < n->ndig; i++)
        acc[n->exp - 1 - i - lo] = n->dig[i];
}

/*
 * a + (negate_b ? -b : b), exactly.  Both operands are aligned on one
 * digit array wide enough for any two valid numbers; the result must fit
 * in 38 digits and the exponent range, or the call fails.
 */
static int num_addsub(const ddb_num *a, const ddb_num *b, int negate_b,
                      ddb_num *out, char *err, size_t errlen)
{
    int acc_a[SUM_WIDTH], acc_b[SUM_WIDTH], res[SUM_WIDTH];
    int bneg = negate_b ? !b->neg : b->neg;
    int lo, hi, width, i, h, l, neg, rc = -1;
    ddb_num r;

    memset(&r, 0, sizeof(r));
    if (b->ndig == 0) {
        r = *a;
        rc = 0;
        goto out;
    }
    if (a->ndig == 0) {
        r = *b;
        r.neg = bneg;
        rc = 0;
        goto out;
    }
    lo = TS_MIN(a->exp - a->ndig, b->exp - b->ndig);
    hi = TS_MAX(a->exp, b->exp);
    width = hi - lo + 1;
    memset(acc_a, 0, sizeof(acc_a));
    memset(acc_b, 0, sizeof(acc_b));
    memset(res, 0, sizeof(res));
    spread(a, lo, acc_a);
    spread(b, lo, acc_b);
    if (a->neg == bneg) {
        int carry = 0;

        for (i = 0; i < width; i++) {
            int s = acc_a[i] + acc_b[i] + carry;
            res[i] = s % 10;
            carry = s / 10;
        }
        neg = a->neg;
    } else {
        int m = mag_cmp(a, b), borrow = 0;
        const int *big = m >= 0 ? acc_a : acc_b;
        const int *small = m >= 0 ? acc_b : acc_a;

        if (m == 0) {
            rc = 0; /* exact zero */
            goto out;
        }
        for (i = 0; i < width; i++) {
            int s = big[i] - small[i] - borrow;
            borrow = s < 0;
            res[i] = s < 0 ? s + 10 : s;
        }
        neg = m > 0 ? a->neg : bneg;
    }
    for (h = width - 1; h >= 0 && res[h] == 0; h--)
        ;
    for (l = 0; l < h && res[l] == 0; l++)
        ;
    if (h - l + 1 > DDB_NUM_DIGITS || h + lo + 1 > EXP_MAX) {
        set_err(err, errlen, MSG_OVERFLOW);
        goto out;
    }
    if (h + lo + 1 < EXP_MIN) {
        set_err(err, errlen, MSG_UNDERFLOW);
        goto out;
    }
    r.neg = neg;
    r.exp = h + lo + 1;
    r.ndig = h - l + 1;
    for (i = 0; i < r.ndig; i++)
        r.dig[i] = (unsigned char)res[h - i];
    rc = 0;
out:
    if (rc == 0)
        *out = r;
    return rc;
}

int ddb_num_add(const ddb_num *a, const ddb_num *b, ddb_num *out,
                char *err, size_t errlen)
{
    return num_addsub(a, b, 0, out, err, errlen);
}

int ddb_num_sub(const ddb_num *a, const ddb_num *b, ddb_num *out,
                char *err, size_t errlen)
{
    return num_addsub(a, b, 1, out, err, errlen);
}
