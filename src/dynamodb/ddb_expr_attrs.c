/*
 * ddb_expr_attrs.c - the ExpressionAttributeNames and
 * ExpressionAttributeValues maps of a request: their own validation (keys
 * "#name" / ":value", values valid AttributeValues) and, once all of the
 * request's expressions have parsed, AWS's check that every entry was
 * used.  The parser records use in a ddb_expr_usage as it substitutes.
 */
#include "ddb_int.h"

#include <stdio.h>
#include <string.h>

void ddb_expr_usage_free(ddb_expr_usage *u)
{
    ts_free(u->names);
    ts_free(u->values);
    memset(u, 0, sizeof(*u));
}

/* 1 when key is prefix followed by one or more [A-Za-z0-9_]. */
static int key_ok(const char *key, char prefix)
{
    size_t i;

    if (!key || key[0] != prefix || !key[1])
        return 0;
    for (i = 1; key[i]; i++)
        if (!((key[i] >= 'a' && key[i] <= 'z') ||
              (key[i] >= 'A' && key[i] <= 'Z') ||
              (key[i] >= '0' && key[i] <= '9') || key[i] == '_'))
            return 0;
    return 1;
}

int ddb_expr_attrs_validate(cJSON *names, cJSON *values, char *err,
                            size_t errlen)
{
    cJSON *c;
    int rc = -1;

    if ((names && !cJSON_IsObject(names)) ||
        (values && !cJSON_IsObject(values))) {
        snprintf(err, errlen, "Start of list found where not expected");
        rc = DDB_ERR_SERIALIZATION;
        goto out;
    }
    if (names && !names->child) {
        snprintf(err, errlen, "ExpressionAttributeNames must not be empty");
        goto out;
    }
    if (values && !values->child) {
        snprintf(err, errlen, "ExpressionAttributeValues must not be empty");
        goto out;
    }
    /* A name that is not a string is the model check's to refuse; the
     * parser reads one as undefined. */
    cJSON_ArrayForEach(c, names) {
        if (!key_ok(c->string, '#')) {
            snprintf(err, errlen, "ExpressionAttributeNames contains invalid "
                     "key: Syntax error; key: \"%s\"", c->string);
            goto out;
        }
    }
    cJSON_ArrayForEach(c, values) {
        char msg[DDB_ERR_MAX];
        int r;

        if (!key_ok(c->string, ':')) {
            snprintf(err, errlen, "ExpressionAttributeValues contains "
                     "invalid key: Syntax error; key: \"%s\"", c->string);
            goto out;
        }
        if ((r = ddb_value_validate(c, msg, sizeof(msg))) < 0) {
            if (r == DDB_ERR_SERIALIZATION)
                snprintf(err, errlen, "%s", msg);
            else
                snprintf(err, errlen, "ExpressionAttributeValues contains "
                         "invalid value: %s for key %s", msg, c->string);
            rc = r;
            goto out;
        }
    }
    rc = 0;
out:
    return rc;
}

/* Appends the keys of map not listed in used as "{a, b}"; 1 if any. */
static int unused_keys(const cJSON *map, const char *const *used, size_t n,
                       ts_buf *b)
{
    const cJSON *c;
    int any = 0;

    cJSON_ArrayForEach(c, map) {
        size_t i;

        for (i = 0; i < n; i++)
            if (strcmp(used[i], c->string) == 0)
                break;
        if (i < n)
            continue;
        ts_buf_puts(b, any ? ", " : "{");
        ts_buf_puts(b, c->string);
        any = 1;
    }
    if (any)
        ts_buf_putc(b, '}');
    return any;
}

int ddb_expr_check_unused(const cJSON *names, const cJSON *values,
                          const ddb_expr_usage *usage, char *err,
                          size_t errlen)
{
    static const ddb_expr_usage none;
    ts_buf b;
    int rc = 0;

    if (!usage)
        usage = &none;
    ts_buf_init(&b);
    if (unused_keys(names, usage->names, usage->nnames, &b)) {
        snprintf(err, errlen, "Value provided in ExpressionAttributeNames "
                 "unused in expressions: keys: %s", b.data);
        rc = -1;
    } else if (unused_keys(values, usage->values, usage->nvalues, &b)) {
        snprintf(err, errlen, "Value provided in ExpressionAttributeValues "
                 "unused in expressions: keys: %s", b.data);
        rc = -1;
    }
    ts_buf_free(&b);
    return rc;
}
