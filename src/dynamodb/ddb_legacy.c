/*
 * ddb_legacy.c - the parameters DynamoDB had before expressions, which
 * older code still sends: Expected, QueryFilter and ScanFilter (maps of
 * attribute -> ComparisonOperator + AttributeValueList, or Value/Exists),
 * AttributeUpdates (PUT, ADD, DELETE per attribute) and AttributesToGet.
 */
#include "ddb_int.h"

#include <stdio.h>
#include <string.h>

static int set_has(const cJSON *set, const cJSON *elem_type_value)
{
    const cJSON *e;

    cJSON_ArrayForEach(e, set) {
        if (cJSON_IsString(e) && !strcmp(e->valuestring, elem_type_value->valuestring))
            return 1;
    }
    return 0;
}

/* CONTAINS as the legacy API defines it: substring, set member or list
 * element. */
static int contains(const cJSON *have, const cJSON *want)
{
    const char *ht = ddb_value_type(have), *wt = ddb_value_type(want);
    const cJSON *hi = ddb_value_inner(have), *wi = ddb_value_inner(want);

    if (!ht || !wt)
        return 0;
    if (!strcmp(ht, "S") && !strcmp(wt, "S"))
        return strstr(hi->valuestring, wi->valuestring) != NULL;
    if (!strcmp(ht, "B") && !strcmp(wt, "B"))
        return strstr(hi->valuestring, wi->valuestring) != NULL;
    if (ht[1] == 'S' && ht[0] == wt[0] && !wt[1]) {
        if (ht[0] == 'N') {
            const cJSON *e;
            cJSON_ArrayForEach(e, hi) {
                if (!ddb_num_cmp_text(e->valuestring, wi->valuestring))
                    return 1;
            }
            return 0;
        }
        return set_has(hi, wi);
    }
    if (!strcmp(ht, "L")) {
        const cJSON *e;
        cJSON_ArrayForEach(e, hi) {
            if (ddb_value_equal(e, want))
                return 1;
        }
    }
    return 0;
}

static int compare(const cJSON *a, const cJSON *b, int *res)
{
    return ddb_value_cmp(a, b, res);
}

/* One condition on attribute name: 1 holds, 0 not, -1 error in err.  list
 * is its AttributeValueList (for Expected, a Value given with a
 * ComparisonOperator stands in as a list of one). */
static int one_condition_list(const char *name, const cJSON *cond, const cJSON *list,
                              const cJSON *item, int expected, char *err, size_t errlen)
{
    const cJSON *have = item ? cJSON_GetObjectItemCaseSensitive(item, name) : NULL;
    const cJSON *opj = cJSON_GetObjectItemCaseSensitive(cond, "ComparisonOperator");
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(cond, "Value");
    const cJSON *exists = cJSON_GetObjectItemCaseSensitive(cond, "Exists");
    const cJSON *a0 = cJSON_GetArrayItem(list, 0), *a1 = cJSON_GetArrayItem(list, 1);
    const char *op;
    int n = cJSON_GetArraySize(list), r;

    if (expected && !opj) {
        if (cJSON_IsFalse(exists)) {
            if (value) {
                snprintf(err, errlen, "One or more parameter values were invalid: Value "
                                      "cannot be used when Exists is false for Attribute: %s",
                         name);
                return -1;
            }
            return have == NULL;
        }
        if (!value) {
            snprintf(err, errlen, "One or more parameter values were invalid: Value must "
                                  "be provided when Exists is true for Attribute: %s", name);
            return -1;
        }
        return have && ddb_value_equal(have, value);
    }
    op = opj->valuestring; /* a filter's is required, and the model checks both */
    if (!strcmp(op, "NULL") || !strcmp(op, "NOT_NULL")) {
        if (n) {
            snprintf(err, errlen, "One or more parameter values were invalid: Invalid "
                                  "number of argument(s) for the %s ComparisonOperator", op);
            return -1;
        }
        return !strcmp(op, "NULL") ? have == NULL : have != NULL;
    }
    if (!strcmp(op, "IN")) {
        const cJSON *v;
        if (!n)
            goto bad_count;
        cJSON_ArrayForEach(v, list) {
            if (have && ddb_value_equal(have, v))
                return 1;
        }
        return 0;
    }
    if (!strcmp(op, "BETWEEN")) {
        int lo, hi;
        if (n != 2)
            goto bad_count;
        if (!have || compare(have, a0, &lo) != 0 || compare(have, a1, &hi) != 0)
            return 0;
        return lo >= 0 && hi <= 0;
    }
    if (n != 1)
        goto bad_count;
    if (!strcmp(op, "EQ"))
        return have && ddb_value_equal(have, a0);
    if (!strcmp(op, "NE"))
        return !have || !ddb_value_equal(have, a0);
    if (!strcmp(op, "CONTAINS"))
        return have && contains(have, a0);
    if (!strcmp(op, "NOT_CONTAINS"))
        return have && !contains(have, a0);
    if (!strcmp(op, "BEGINS_WITH")) {
        const char *ht = have ? ddb_value_type(have) : NULL, *wt = ddb_value_type(a0);
        if (!ht || !wt || strcmp(ht, wt) || (strcmp(ht, "S") && strcmp(ht, "B")))
            return 0;
        return ts_starts_with(ddb_value_inner(have)->valuestring,
                              ddb_value_inner(a0)->valuestring);
    }
    if (!have || compare(have, a0, &r) != 0)
        return 0;
    if (!strcmp(op, "LT")) return r < 0;
    if (!strcmp(op, "LE")) return r <= 0;
    if (!strcmp(op, "GT")) return r > 0;
    return r >= 0; /* GE: the last of the model's thirteen */
bad_count:
    snprintf(err, errlen, "One or more parameter values were invalid: Invalid number of "
                          "argument(s) for the %s ComparisonOperator", op);
    return -1;
}

static int one_condition(const char *name, const cJSON *cond, const cJSON *item,
                         int expected, char *err, size_t errlen)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(cond, "AttributeValueList");
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(cond, "Value");
    cJSON *one = NULL;
    int r;

    if (expected && !list && value &&
        cJSON_GetObjectItemCaseSensitive(cond, "ComparisonOperator")) {
        one = cJSON_CreateArray();
        cJSON_AddItemReferenceToArray(one, (cJSON *)value);
        list = one;
    }
    r = one_condition_list(name, cond, list, item, expected, err, errlen);
    cJSON_Delete(one);
    return r;
}

/* Validates (and normalises) one AttributeValue of a legacy parameter. */
static int check_value(cJSON *v, char *err, size_t errlen)
{
    return ddb_value_validate(v, err, errlen);
}

int ddb_legacy_check_expected(cJSON *expected, char *err, size_t errlen)
{
    static const char P[] = "One or more parameter values were invalid: ";
    cJSON *cnd, *v;
    int rc;

    cJSON_ArrayForEach(cnd, expected) {
        cJSON *list = cJSON_GetObjectItemCaseSensitive(cnd, "AttributeValueList");
        cJSON *value = cJSON_GetObjectItemCaseSensitive(cnd, "Value");
        const cJSON *op = cJSON_GetObjectItemCaseSensitive(cnd, "ComparisonOperator");
        const cJSON *exists = cJSON_GetObjectItemCaseSensitive(cnd, "Exists");

        if (list && value) {
            snprintf(err, errlen, "%sValue and AttributeValueList cannot be used together "
                                  "for Attribute: %s", P, cnd->string);
            return -1;
        }
        if (op) {
            if (exists) {
                snprintf(err, errlen, "%sExists and ComparisonOperator cannot be used "
                                      "together for Attribute: %s", P, cnd->string);
                return -1;
            }
            if (!list && !value && strcmp(op->valuestring, "NULL") &&
                strcmp(op->valuestring, "NOT_NULL")) {
                snprintf(err, errlen, "%sValue or AttributeValueList must be used with "
                                      "ComparisonOperator: %s for Attribute: %s", P,
                         op->valuestring, cnd->string);
                return -1;
            }
        } else if (list) {
            snprintf(err, errlen, "%sAttributeValueList can only be used with a "
                                  "ComparisonOperator for Attribute: %s", P, cnd->string);
            return -1;
        }
        if (value && (rc = check_value(value, err, errlen)) < 0)
            return rc;
        cJSON_ArrayForEach(v, list)
            if ((rc = check_value(v, err, errlen)) < 0)
                return rc;
    }
    return 0;
}

int ddb_legacy_check_updates(cJSON *updates, char *err, size_t errlen)
{
    cJSON *u;
    int rc;

    cJSON_ArrayForEach(u, updates) {
        cJSON *value = cJSON_GetObjectItemCaseSensitive(u, "Value");

        if (!u->string || !*u->string) {
            snprintf(err, errlen, "One or more parameter values were invalid: An attribute "
                                  "name cannot be empty");
            return -1;
        }
        if (value && (rc = check_value(value, err, errlen)) < 0)
            return rc;
    }
    return 0;
}

int ddb_legacy_eval(const cJSON *conds, const char *op, const cJSON *item, int expected,
                    char *err, size_t errlen)
{
    const cJSON *cnd;
    int any = !strcmp(op, "OR");
    int result = any ? 0 : 1;

    cJSON_ArrayForEach(cnd, conds) {
        int r = one_condition(cnd->string, cnd, item, expected, err, errlen);
        if (r < 0)
            return -1;
        if (any && r)
            result = 1;
        if (!any && !r)
            result = 0;
    }
    return result;
}

/* a + b on two N texts into a new {"N": ...}; NULL with err on overflow. */
static cJSON *num_add(const char *a, const char *b, char *err, size_t errlen)
{
    ddb_num x, y, z;
    char out[DDB_NUM_TEXT_MAX];
    cJSON *v;

    if (ddb_num_parse(a, &x, err, errlen) != 0 || ddb_num_parse(b, &y, err, errlen) != 0 ||
        ddb_num_add(&x, &y, &z, err, errlen) != 0)
        return NULL;
    ddb_num_format(&z, out);
    v = cJSON_CreateObject();
    cJSON_AddStringToObject(v, "N", out);
    return v;
}

int ddb_legacy_update(const cJSON *updates, const cJSON *item, cJSON **out, char *err,
                      size_t errlen)
{
    cJSON *res = cJSON_Duplicate(item, 1);
    const cJSON *u;

    cJSON_ArrayForEach(u, updates) {
        const cJSON *action = cJSON_GetObjectItemCaseSensitive(u, "Action");
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(u, "Value");
        const char *act = cJSON_IsString(action) ? action->valuestring : "PUT";
        cJSON *have = cJSON_GetObjectItemCaseSensitive(res, u->string);

        if (!strcmp(act, "PUT")) {
            if (!value) {
                snprintf(err, errlen, "One or more parameter values were invalid: Only "
                                      "DELETE action is allowed when no attribute value is "
                                      "specified");
                goto fail;
            }
            cJSON_DeleteItemFromObjectCaseSensitive(res, u->string);
            cJSON_AddItemToObject(res, u->string, cJSON_Duplicate(value, 1));
        } else if (!strcmp(act, "DELETE")) {
            if (!value) {
                cJSON_DeleteItemFromObjectCaseSensitive(res, u->string);
                continue;
            }
            const char *vt = ddb_value_type(value), *ht = have ? ddb_value_type(have) : NULL;
            if (!vt || !vt[1] || vt[1] != 'S') {
                snprintf(err, errlen, "One or more parameter values were invalid: DELETE "
                                      "action with value is not supported for the type %s",
                         vt ? vt : "?");
                goto fail;
            }
            if (!ht)
                continue;
            if (strcmp(ht, vt)) {
                snprintf(err, errlen, "One or more parameter values were invalid: Type "
                                      "mismatch for attribute to update");
                goto fail;
            }
            cJSON *set = cJSON_GetObjectItemCaseSensitive(have, ht);
            const cJSON *del;
            cJSON_ArrayForEach(del, ddb_value_inner(value)) {
                int i = 0;
                const cJSON *e;
                cJSON_ArrayForEach(e, set) {
                    if (!strcmp(e->valuestring, del->valuestring) ||
                        (vt[0] == 'N' && !ddb_num_cmp_text(e->valuestring, del->valuestring))) {
                        cJSON_DeleteItemFromArray(set, i);
                        break;
                    }
                    i++;
                }
            }
            if (cJSON_GetArraySize(set) == 0)
                cJSON_DeleteItemFromObjectCaseSensitive(res, u->string);
        } else { /* ADD: the model admits no other Action */
            const char *vt = value ? ddb_value_type(value) : NULL;
            const char *ht = have ? ddb_value_type(have) : NULL;
            if (!vt || (strcmp(vt, "N") && (!vt[1] || vt[1] != 'S') && strcmp(vt, "L"))) {
                snprintf(err, errlen, "One or more parameter values were invalid: ADD "
                                      "action is not supported for the type %s", vt ? vt : "?");
                goto fail;
            }
            if (!have) {
                cJSON_AddItemToObject(res, u->string, cJSON_Duplicate(value, 1));
                continue;
            }
            if (strcmp(ht, vt)) {
                snprintf(err, errlen, "One or more parameter values were invalid: Type "
                                      "mismatch for attribute to update");
                goto fail;
            }
            if (!strcmp(vt, "N")) {
                cJSON *sum = num_add(ddb_value_inner(have)->valuestring,
                                     ddb_value_inner(value)->valuestring, err, errlen);
                if (!sum)
                    goto fail;
                cJSON_ReplaceItemInObjectCaseSensitive(res, u->string, sum);
            } else {
                cJSON *arr = cJSON_GetObjectItemCaseSensitive(have, ht);
                const cJSON *e;
                cJSON_ArrayForEach(e, ddb_value_inner(value)) {
                    if (!strcmp(vt, "L") || !set_has(arr, e))
                        cJSON_AddItemToArray(arr, cJSON_Duplicate(e, 1));
                }
            }
        }
    }
    *out = res;
    return 0;
fail:
    cJSON_Delete(res);
    *out = NULL;
    return -1;
}

cJSON *ddb_legacy_project(const cJSON *attrs, const cJSON *item)
{
    cJSON *out = cJSON_CreateObject();
    const cJSON *a;

    cJSON_ArrayForEach(a, attrs) {
        const cJSON *v = cJSON_IsString(a) ? cJSON_GetObjectItemCaseSensitive(item, a->valuestring)
                                           : NULL;
        if (v && !cJSON_GetObjectItemCaseSensitive(out, a->valuestring))
            cJSON_AddItemToObject(out, a->valuestring, cJSON_Duplicate(v, 1));
    }
    return out;
}
