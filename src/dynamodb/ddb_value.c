/*
 * ddb_value.c - AttributeValues in DynamoDB's wire form, as cJSON trees.
 *
 * Validation walks a value, checks it has exactly one type key of the ten
 * DynamoDB knows, that sets are non-empty and free of duplicates, that
 * binaries are base64, and rewrites every number into its canonical text
 * so that later equality is plain string equality.  Equality and order
 * follow DynamoDB: numbers by value, strings and binaries by unsigned
 * bytes, sets regardless of order.  Item size follows AWS's published
 * rules.  The key encoding turns an S, N or B key into bytes whose memcmp
 * order is DynamoDB's sort order, so the store can range-scan a BLOB
 * column; numbers encode as sign, exponent byte and one byte per digit,
 * inverted for negatives.
 *
 * Strings arrive from the JSON protocol with U+0000 held as the two bytes
 * C0 80 (see proto_json.c), so C strings keep their length; sizes count
 * that pair as the one byte it stands for, and order and key encoding
 * treat it as 00, as DynamoDB's byte order does.
 */
#include "ddb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32
#define HASH_KEY_MAX 2048
#define RANGE_KEY_MAX 1024

static const char *const TYPES[] = {"S", "N", "B", "BOOL", "NULL",
                                    "M", "L", "SS", "NS", "BS"};

static const char MSG_PREFIX[] = "One or more parameter values were invalid: ";

/* ---- strings holding U+0000 ---- */

#define NUL_LEAD 0xC0
#define NUL_TRAIL 0x80

size_t ddb_str_len(const char *s)
{
    size_t n = 0;

    for (const unsigned char *p = (const unsigned char *)s; *p; p++, n++)
        if (p[0] == NUL_LEAD && p[1] == NUL_TRAIL)
            p++;
    return n;
}

/* The next byte s stands for (C0 80 is 00) and how many it took. */
static int str_unit(const unsigned char *s, int *took)
{
    if (s[0] == NUL_LEAD && s[1] == NUL_TRAIL) {
        *took = 2;
        return 0;
    }
    *took = 1;
    return s[0];
}

int ddb_str_cmp(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

    while (*x && *y) {
        int nx, ny, ux = str_unit(x, &nx), uy = str_unit(y, &ny);
        if (ux != uy)
            return ux < uy ? -1 : 1;
        x += nx;
        y += ny;
    }
    return *x ? 1 : *y ? -1 : 0;
}

/* Appends the bytes s stands for (C0 80 as 00). */
static void str_bytes(ts_buf *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        int took, u = str_unit(p, &took);
        ts_buf_putc(out, (char)u);
        p += took;
    }
}

/* ---- type access ---- */

static const char *known_type(const char *key)
{
    for (size_t i = 0; i < TS_ARRAY_LEN(TYPES); i++)
        if (strcmp(TYPES[i], key) == 0)
            return TYPES[i];
    return NULL;
}

const char *ddb_value_type(const cJSON *v)
{
    const cJSON *c;
    const char *found = NULL;
    int count = 0;

    if (!cJSON_IsObject(v))
        return NULL;
    cJSON_ArrayForEach(c, v) {
        const char *t;

        if (!c->string || cJSON_IsNull(c) || !(t = known_type(c->string)))
            continue;
        found = t;
        count++;
    }
    return count == 1 ? found : NULL;
}

const cJSON *ddb_value_inner(const cJSON *v)
{
    const char *t = ddb_value_type(v);

    return t ? cJSON_GetObjectItemCaseSensitive(v, t) : NULL;
}

/* ---- validation ---- */

/* The SerializationException text AWS gives for a JSON value of the wrong
 * shape where a string was expected. */
static const char *shape_msg(const cJSON *x, const char *want)
{
    if (cJSON_IsNumber(x))
        return strcmp(want, "Boolean") == 0
                   ? "NUMBER_VALUE cannot be converted to Boolean"
                   : "NUMBER_VALUE cannot be converted to String";
    if (cJSON_IsTrue(x))
        return "TRUE_VALUE cannot be converted to String";
    if (cJSON_IsFalse(x))
        return "FALSE_VALUE cannot be converted to String";
    if (cJSON_IsString(x))
        return "STRING_VALUE cannot be converted to Boolean";
    if (cJSON_IsArray(x))
        return "Start of list found where not expected";
    return "Start of structure or map found where not expected.";
}

static int b64_check(const char *s, char *err, size_t errlen)
{
    unsigned char *bytes = NULL;
    size_t n = strlen(s), len;
    int rc = 0;

    if (n % 4) {
        snprintf(err, errlen,
                 "Base64 encoded length is expected a multiple of 4 bytes "
                 "but found: %zu", n);
        rc = DDB_ERR_SERIALIZATION;
    } else if (ts_base64_decode(s, n, &bytes, &len) < 0) {
        snprintf(err, errlen, "Invalid Base64 character found");
        rc = DDB_ERR_SERIALIZATION;
    }
    ts_free(bytes);
    return rc;
}

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Validates the members of an SS, NS or BS (numbers normalised first). */
static int validate_set(const char *type, cJSON *arr, char *err,
                        size_t errlen)
{
    const char **sorted = NULL;
    cJSON *c;
    int n = 0, i, rc = -1;

    if (!cJSON_IsArray(arr)) {
        snprintf(err, errlen, "%s", shape_msg(arr, "String"));
        rc = DDB_ERR_SERIALIZATION;
        goto out;
    }
    cJSON_ArrayForEach(c, arr) {
        if (!cJSON_IsString(c)) {
            snprintf(err, errlen, "%s", shape_msg(c, "String"));
            rc = DDB_ERR_SERIALIZATION;
            goto out;
        }
        if (type[0] == 'N') {
            char text[DDB_NUM_TEXT_MAX];

            if (ddb_num_normalize(c->valuestring, text, err, errlen) < 0)
                goto out;
            cJSON_SetValuestring(c, text);
        } else if (type[0] == 'B' && (rc = b64_check(c->valuestring, err,
                                                     errlen)) < 0) {
            goto out;
        }
        n++;
    }
    rc = -1;
    if (n == 0) {
        snprintf(err, errlen, "%sAn %s set  may not be empty", MSG_PREFIX,
                 type[0] == 'S' ? "string" : type[0] == 'N' ? "number"
                                                            : "binary");
        goto out;
    }
    sorted = ts_malloc(sizeof(*sorted) * (size_t)n);
    i = 0;
    cJSON_ArrayForEach(c, arr)
        sorted[i++] = c->valuestring;
    qsort(sorted, (size_t)n, sizeof(*sorted), cmp_str_ptr);
    for (i = 1; i < n; i++)
        if (strcmp(sorted[i - 1], sorted[i]) == 0)
            break;
    if (i < n) {
        ts_buf b;

        ts_buf_init(&b);
        ts_buf_printf(&b, "%sInput collection [", MSG_PREFIX);
        cJSON_ArrayForEach(c, arr)
            ts_buf_printf(&b, "%s%s", c == arr->child ? "" : ", ",
                          c->valuestring);
        ts_buf_puts(&b, "] contains duplicates.");
        snprintf(err, errlen, "%s", b.data);
        ts_buf_free(&b);
        goto out;
    }
    rc = 0;
out:
    ts_free(sorted);
    return rc;
}

static int validate(cJSON *v, int depth, char *err, size_t errlen)
{
    cJSON *c, *inner = NULL;
    const char *type = NULL;
    int count = 0, rc = -1;

    if (!cJSON_IsObject(v)) {
        snprintf(err, errlen, "%s", shape_msg(v, "String"));
        rc = DDB_ERR_SERIALIZATION;
        goto out;
    }
    if (depth > MAX_DEPTH) {
        snprintf(err, errlen,
                 "%sNesting Levels have exceeded supported limits",
                 MSG_PREFIX);
        goto out;
    }
    cJSON_ArrayForEach(c, v) {
        const char *t;

        if (!c->string || cJSON_IsNull(c) || !(t = known_type(c->string)))
            continue;
        type = t;
        inner = c;
        count++;
    }
    if (count == 0) {
        snprintf(err, errlen, "Supplied AttributeValue is empty, must "
                 "contain exactly one of the supported datatypes");
        goto out;
    }
    if (count > 1) {
        snprintf(err, errlen, "Supplied AttributeValue has more than one "
                 "datatypes set, must contain exactly one of the supported "
                 "datatypes");
        goto out;
    }
    if (strcmp(type, "S") == 0 || strcmp(type, "N") == 0 ||
        strcmp(type, "B") == 0) {
        if (!cJSON_IsString(inner)) {
            snprintf(err, errlen, "%s", shape_msg(inner, "String"));
            rc = DDB_ERR_SERIALIZATION;
            goto out;
        }
        if (type[0] == 'N') {
            char text[DDB_NUM_TEXT_MAX];

            if (ddb_num_normalize(inner->valuestring, text, err, errlen) < 0)
                goto out;
            cJSON_SetValuestring(inner, text);
        } else if (type[0] == 'B') {
            if ((rc = b64_check(inner->valuestring, err, errlen)) < 0)
                goto out;
        }
    } else if (strcmp(type, "BOOL") == 0 || strcmp(type, "NULL") == 0) {
        if (!cJSON_IsBool(inner)) {
            snprintf(err, errlen, "%s", shape_msg(inner, "Boolean"));
            rc = DDB_ERR_SERIALIZATION;
            goto out;
        }
        if (type[0] == 'N' && !cJSON_IsTrue(inner)) {
            snprintf(err, errlen, "%sNull attribute value types must have "
                     "the value of true", MSG_PREFIX);
            goto out;
        }
    } else if (strcmp(type, "M") == 0 || strcmp(type, "L") == 0) {
        if (type[0] == 'M' ? !cJSON_IsObject(inner) : !cJSON_IsArray(inner)) {
            snprintf(err, errlen, "%s", type[0] == 'M'
                     ? "Start of list found where not expected"
                     : "Start of structure or map found where not expected.");
            rc = DDB_ERR_SERIALIZATION;
            goto out;
        }
        cJSON_ArrayForEach(c, inner)
            if ((rc = validate(c, depth + 1, err, errlen)) < 0)
                goto out;
    } else if ((rc = validate_set(type, inner, err, errlen)) < 0) {
        goto out;
    }
    rc = 0;
out:
    return rc;
}

int ddb_value_validate(cJSON *v, char *err, size_t errlen)
{
    return validate(v, 1, err, errlen);
}

int ddb_item_validate(cJSON *item, char *err, size_t errlen)
{
    cJSON *c;
    int rc = 0;

    if (!cJSON_IsObject(item)) {
        snprintf(err, errlen, "%s", shape_msg(item, "String"));
        return DDB_ERR_SERIALIZATION;
    }
    cJSON_ArrayForEach(c, item) {
        if (!c->string || !c->string[0]) {
            snprintf(err, errlen, "%sAn attribute name cannot be empty",
                     MSG_PREFIX);
            rc = -1;
            break;
        }
        if ((rc = ddb_value_validate(c, err, errlen)) < 0)
            break;
    }
    return rc;
}

/* The deepest level of v and what it holds (an attribute is level 1). */
static int value_depth(const cJSON *v, int depth)
{
    const char *t = ddb_value_type(v);
    const cJSON *c;
    int deepest = depth;

    if (!t || (strcmp(t, "M") != 0 && strcmp(t, "L") != 0))
        return depth;
    cJSON_ArrayForEach(c, ddb_value_inner(v)) {
        int d = value_depth(c, depth + 1);
        if (d > deepest)
            deepest = d;
        if (deepest > MAX_DEPTH)
            break;
    }
    return deepest;
}

int ddb_item_check_depth(const cJSON *item, char *err, size_t errlen)
{
    const cJSON *c;

    cJSON_ArrayForEach(c, item) {
        if (value_depth(c, 1) > MAX_DEPTH) {
            snprintf(err, errlen, "%sNesting Levels have exceeded supported limits",
                     MSG_PREFIX);
            return -1;
        }
    }
    return 0;
}

/* ---- equality and order ---- */

/* Decoded bytes of a base64 text (ts_free), or NULL with *n = 0. */
static unsigned char *b64_bytes(const char *s, size_t *n)
{
    unsigned char *out = NULL;

    if (ts_base64_decode(s, strlen(s), &out, n) < 0) {
        out = NULL;
        *n = 0;
    }
    return out;
}

static int bytes_cmp(const char *a, const char *b)
{
    size_t na, nb;
    unsigned char *ba = b64_bytes(a, &na), *bb = b64_bytes(b, &nb);
    int r = memcmp(ba ? ba : (const unsigned char *)"",
                   bb ? bb : (const unsigned char *)"", TS_MIN(na, nb));

    if (r == 0 && na != nb)
        r = na < nb ? -1 : 1;
    ts_free(ba);
    ts_free(bb);
    return r;
}

static int cmp_num_ptr(const void *a, const void *b)
{
    return ddb_num_cmp_text(*(const char *const *)a, *(const char *const *)b);
}

/* Set equality: same size and, sorted, the same members. */
static int set_equal(char t, const cJSON *a, const cJSON *b)
{
    int na = cJSON_GetArraySize(a), nb = cJSON_GetArraySize(b), i, eq = 0;
    const char **sa = NULL, **sb = NULL;
    int (*cmp)(const void *, const void *) = t == 'N' ? cmp_num_ptr
                                                      : cmp_str_ptr;
    const cJSON *c;

    if (na != nb)
        goto out;
    sa = ts_malloc(sizeof(*sa) * (size_t)(na + 1));
    sb = ts_malloc(sizeof(*sb) * (size_t)(nb + 1));
    i = 0;
    cJSON_ArrayForEach(c, a)
        sa[i++] = cJSON_IsString(c) ? c->valuestring : "";
    i = 0;
    cJSON_ArrayForEach(c, b)
        sb[i++] = cJSON_IsString(c) ? c->valuestring : "";
    qsort(sa, (size_t)na, sizeof(*sa), cmp);
    qsort(sb, (size_t)nb, sizeof(*sb), cmp);
    for (i = 0; i < na; i++)
        if (cmp(&sa[i], &sb[i]) != 0)
            goto out;
    eq = 1;
out:
    ts_free(sa);
    ts_free(sb);
    return eq;
}

int ddb_value_equal(const cJSON *a, const cJSON *b)
{
    const char *ta = ddb_value_type(a), *tb = ddb_value_type(b);
    const cJSON *ia, *ib, *c;
    int r;

    if (!ta || !tb || strcmp(ta, tb) != 0)
        return 0;
    ia = ddb_value_inner(a);
    ib = ddb_value_inner(b);
    if (strcmp(ta, "S") == 0 || strcmp(ta, "N") == 0 ||
        strcmp(ta, "B") == 0)
        return ddb_value_cmp(a, b, &r) == 0 && r == 0;
    if (strcmp(ta, "BOOL") == 0 || strcmp(ta, "NULL") == 0)
        return cJSON_IsTrue(ia) == cJSON_IsTrue(ib);
    if (strcmp(ta, "M") == 0) {
        if (cJSON_GetArraySize(ia) != cJSON_GetArraySize(ib))
            return 0;
        cJSON_ArrayForEach(c, ia) {
            const cJSON *o = cJSON_GetObjectItemCaseSensitive(ib, c->string);
            if (!o || !ddb_value_equal(c, o))
                return 0;
        }
        return 1;
    }
    if (strcmp(ta, "L") == 0) {
        const cJSON *o = ib->child;

        if (cJSON_GetArraySize(ia) != cJSON_GetArraySize(ib))
            return 0;
        cJSON_ArrayForEach(c, ia) {
            if (!ddb_value_equal(c, o))
                return 0;
            o = o->next;
        }
        return 1;
    }
    return set_equal(ta[0], ia, ib);
}

int ddb_value_cmp(const cJSON *a, const cJSON *b, int *res)
{
    const char *ta = ddb_value_type(a), *tb = ddb_value_type(b);
    const cJSON *ia, *ib;
    int rc = -1;

    if (!ta || !tb || strcmp(ta, tb) != 0 || ta[1] != '\0' ||
        !(ta[0] == 'S' || ta[0] == 'N' || ta[0] == 'B'))
        goto out;
    ia = ddb_value_inner(a);
    ib = ddb_value_inner(b);
    if (!cJSON_IsString(ia) || !cJSON_IsString(ib))
        goto out;
    if (ta[0] == 'S')
        *res = ddb_str_cmp(ia->valuestring, ib->valuestring);
    else if (ta[0] == 'N')
        *res = ddb_num_cmp_text(ia->valuestring, ib->valuestring);
    else
        *res = bytes_cmp(ia->valuestring, ib->valuestring);
    rc = 0;
out:
    return rc;
}

/* ---- sizes ---- */

static size_t num_size(const char *s)
{
    ddb_num n;

    if (ddb_num_parse(s, &n, NULL, 0) < 0)
        return 1;
    return (size_t)(n.ndig + 1) / 2 + 1;
}

static size_t b64_size(const char *s)
{
    size_t n = strlen(s), pad = 0;

    if (n >= 1 && s[n - 1] == '=')
        pad++;
    if (n >= 2 && s[n - 2] == '=')
        pad++;
    return n / 4 * 3 - (n % 4 == 0 ? pad : 0);
}

size_t ddb_value_size(const cJSON *v)
{
    const char *t = ddb_value_type(v);
    const cJSON *in = ddb_value_inner(v), *c;
    size_t size = 0;

    if (!t)
        return 0;
    if (strcmp(t, "BOOL") == 0 || strcmp(t, "NULL") == 0)
        return 1;
    if (strcmp(t, "M") == 0 || strcmp(t, "L") == 0) {
        size = 3;
        cJSON_ArrayForEach(c, in)
            size += (c->string && t[0] == 'M' ? ddb_str_len(c->string) : 0) +
                    ddb_value_size(c) + 1;
        return size;
    }
    if (t[1] == '\0') {
        if (!cJSON_IsString(in))
            return 0;
        return t[0] == 'S' ? ddb_str_len(in->valuestring)
             : t[0] == 'N' ? num_size(in->valuestring)
                           : b64_size(in->valuestring);
    }
    cJSON_ArrayForEach(c, in) {
        if (!cJSON_IsString(c))
            continue;
        size += t[0] == 'S' ? ddb_str_len(c->valuestring)
              : t[0] == 'N' ? num_size(c->valuestring)
                            : b64_size(c->valuestring);
    }
    return size;
}

size_t ddb_item_size(const cJSON *item)
{
    const cJSON *c;
    size_t size = 0;

    cJSON_ArrayForEach(c, item)
        size += (c->string ? ddb_str_len(c->string) : 0) + ddb_value_size(c);
    return size;
}

/* ---- order-preserving key encoding ---- */

/*
 * N layout: a class byte (0x01 negative, 0x02 zero, 0x03 positive), then
 * for non-zero numbers the exponent as one byte (exp + 129, 0..255) and one
 * byte per digit (digit + 1), ended by 0x00.  Larger exponents and digits
 * sort later; the 0x00 end makes a prefix sort first.  A negative number
 * stores every byte after the class inverted (255 - b), which reverses the
 * order of magnitudes, as it must.
 */
#define NUM_NEG 0x01
#define NUM_ZERO 0x02
#define NUM_POS 0x03

static void encode_num(const ddb_num *n, ts_buf *out)
{
    unsigned char buf[2 + DDB_NUM_DIGITS + 1];
    size_t len = 0;
    int inv = n->neg;

    if (n->ndig == 0) {
        ts_buf_putc(out, (char)NUM_ZERO);
        return;
    }
    buf[len++] = n->neg ? NUM_NEG : NUM_POS;
    buf[len++] = (unsigned char)(n->exp + 129);
    for (int i = 0; i < n->ndig; i++)
        buf[len++] = (unsigned char)(n->dig[i] + 1);
    buf[len++] = 0;
    if (inv)
        for (size_t i = 1; i < len; i++)
            buf[i] = (unsigned char)(255 - buf[i]);
    ts_buf_append(out, buf, len);
}

int ddb_key_encode(const cJSON *attr, ts_buf *out)
{
    const char *t = ddb_value_type(attr);
    const cJSON *in = ddb_value_inner(attr);
    int rc = -1;

    if (!t || t[1] != '\0' || !cJSON_IsString(in))
        goto out;
    if (t[0] == 'S') {
        str_bytes(out, in->valuestring);
    } else if (t[0] == 'N') {
        ddb_num n;

        if (ddb_num_parse(in->valuestring, &n, NULL, 0) < 0)
            goto out;
        encode_num(&n, out);
    } else if (t[0] == 'B') {
        size_t n;
        unsigned char *bytes = NULL;

        if (ts_base64_decode(in->valuestring, strlen(in->valuestring),
                             &bytes, &n) < 0)
            goto out;
        ts_buf_append(out, bytes, n);
        ts_free(bytes);
    } else {
        goto out;
    }
    rc = 0;
out:
    return rc;
}

static int decode_num(const unsigned char *p, size_t len, ddb_num *n)
{
    unsigned char b[2 + DDB_NUM_DIGITS + 1];
    size_t i;
    int rc = -1;

    memset(n, 0, sizeof(*n));
    if (len == 1 && p[0] == NUM_ZERO) {
        rc = 0;
        goto out;
    }
    if (len < 4 || len > sizeof(b) || (p[0] != NUM_NEG && p[0] != NUM_POS))
        goto out;
    for (i = 0; i < len; i++)
        b[i] = (unsigned char)(p[0] == NUM_NEG && i ? 255 - p[i] : p[i]);
    if (b[len - 1] != 0)
        goto out;
    n->neg = p[0] == NUM_NEG;
    n->exp = (int)b[1] - 129;
    n->ndig = (int)len - 3;
    for (i = 0; i < (size_t)n->ndig; i++) {
        if (b[2 + i] < 1 || b[2 + i] > 10)
            goto out;
        n->dig[i] = (unsigned char)(b[2 + i] - 1);
    }
    if (n->dig[0] == 0 || n->dig[n->ndig - 1] == 0)
        goto out;
    rc = 0;
out:
    return rc;
}

cJSON *ddb_key_decode(char type, const void *data, size_t len)
{
    cJSON *v = NULL;

    if (type == 'S') {
        const unsigned char *p = data;
        ts_buf s;

        ts_buf_init(&s);
        for (size_t i = 0; i < len; i++) {
            if (p[i] == 0) {
                ts_buf_putc(&s, (char)NUL_LEAD);
                ts_buf_putc(&s, (char)NUL_TRAIL);
            } else {
                ts_buf_putc(&s, (char)p[i]);
            }
        }
        ts_buf_putc(&s, '\0');
        v = cJSON_CreateObject();
        cJSON_AddStringToObject(v, "S", s.data);
        ts_buf_free(&s);
    } else if (type == 'N') {
        ddb_num n;
        char text[DDB_NUM_TEXT_MAX];

        if (decode_num(data, len, &n) == 0) {
            ddb_num_format(&n, text);
            v = cJSON_CreateObject();
            cJSON_AddStringToObject(v, "N", text);
        }
    } else if (type == 'B') {
        char *s = ts_base64_encode(data, len);

        v = cJSON_CreateObject();
        cJSON_AddStringToObject(v, "B", s);
        ts_free(s);
    }
    return v;
}

/* ---- key extraction ---- */

/* Checks one key attribute; copies it into key on success. */
static int take_key_attr(const cJSON *item, int mode, const char *name,
                         char type, int is_hash, cJSON *key, char *err,
                         size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, name);
    const char *t = ddb_value_type(v);
    const cJSON *in = ddb_value_inner(v);
    size_t size;
    int rc = -1;

    if (!v || !t || t[1] != '\0' || t[0] != type) {
        if (mode == DDB_KEY_FROM_KEY)
            snprintf(err, errlen,
                     "The provided key element does not match the schema");
        else if (!v)
            snprintf(err, errlen, "%sMissing the key %s in the item",
                     MSG_PREFIX, name);
        else
            snprintf(err, errlen,
                     "%sType mismatch for key %s expected: %c actual: %s",
                     MSG_PREFIX, name, type, t ? t : "");
        goto out;
    }
    if (cJSON_IsString(in) && in->valuestring[0] == '\0') {
        snprintf(err, errlen, "One or more parameter values are not valid. "
                 "The AttributeValue for a key attribute cannot contain an "
                 "empty %s value. Key: %s",
                 type == 'B' ? "binary" : "string", name);
        goto out;
    }
    size = ddb_value_size(v);
    if (is_hash && size > HASH_KEY_MAX) {
        snprintf(err, errlen, "%sSize of hashkey has exceeded the maximum "
                 "size limit of2048 bytes", MSG_PREFIX);
        goto out;
    }
    if (!is_hash && size > RANGE_KEY_MAX) {
        snprintf(err, errlen, "%sAggregated size of all range keys has "
                 "exceeded the size limit of 1024 bytes", MSG_PREFIX);
        goto out;
    }
    cJSON_AddItemToObject(key, name, cJSON_Duplicate(v, 1));
    rc = 0;
out:
    return rc;
}

int ddb_item_key(const cJSON *item, int mode, const char *hash_name,
                 char hash_type, const char *range_name, char range_type,
                 cJSON **key, char *err, size_t errlen)
{
    cJSON *k = cJSON_CreateObject();
    int want = range_name ? 2 : 1, rc = -1;

    if (!cJSON_IsObject(item) ||
        (mode == DDB_KEY_FROM_KEY && cJSON_GetArraySize(item) != want)) {
        snprintf(err, errlen,
                 "The provided key element does not match the schema");
        goto out;
    }
    if (take_key_attr(item, mode, hash_name, hash_type, 1, k, err,
                      errlen) < 0)
        goto out;
    if (range_name && take_key_attr(item, mode, range_name, range_type, 0, k,
                                    err, errlen) < 0)
        goto out;
    rc = 0;
out:
    if (rc == 0) {
        *key = k;
    } else {
        cJSON_Delete(k);
        *key = NULL;
    }
    return rc;
}
