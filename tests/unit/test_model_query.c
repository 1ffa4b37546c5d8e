/*
 * test_model_query.c - ts_model_validate_query: the query protocol's flat
 * form arguments (IAM, STS) shaped by the model and validated: lists of
 * scalars and of structures, numbers and booleans converted by type,
 * unknown names ignored, bad indexes and unconvertible values.
 */
#include "test.h"

#include <cjson/cJSON.h>

#include "tinystack/core.h"
#include "tinystack/model.h"

static ts_model_error err;

/* Validates the form "k1", "v1", "k2", "v2", ..., NULL for svc's op. */
static int form(const char *svc, const char *op, ...)
{
    const ts_model_op *o = ts_model_op_find(svc, op);
    cJSON *in = cJSON_CreateObject();
    const char *k;
    va_list ap;
    int rc = 99;

    ts_model_error_free(&err);
    va_start(ap, op);
    while ((k = va_arg(ap, const char *)))
        cJSON_AddStringToObject(in, k, va_arg(ap, const char *));
    va_end(ap);
    if (o)
        rc = ts_model_validate_query(o, in, &err);
    cJSON_Delete(in);
    return rc;
}

#define ONE "1 validation error detected: "

TEST(query_scalars)
{
    CHECK(form("iam", "GetRole", "Action", "GetRole", "Version", "2010-05-08", "RoleName", "r",
               NULL) == 0);
    CHECK(err.message == NULL);
    CHECK(form("iam", "GetRole", NULL) == -1);
    CHECK(err.kind == TS_MODEL_VALIDATION);
    CHECK_STR(err.message, ONE "Value null at 'roleName' failed to satisfy constraint: Member "
              "must not be null");
    CHECK(form("iam", "ListRoles", "MaxItems", "1000", NULL) == 0);
    CHECK(form("iam", "ListRoles", "MaxItems", "0", NULL) == -1);
    CHECK_STR(err.message, ONE "Value '0' at 'maxItems' failed to satisfy constraint: Member "
              "must have value greater than or equal to 1");
    CHECK(form("iam", "ListRoles", "MaxItems", "ten", NULL) == -1);
    CHECK(err.kind == TS_MODEL_VALIDATION);
    CHECK_STR(err.message, "Invalid value 'ten' for parameter MaxItems: not an integer");
    CHECK(form("iam", "ListRoles", "MaxItems", "", NULL) == -1);
    CHECK(form("iam", "ListPolicies", "OnlyAttached", "true", NULL) == 0);
    CHECK(form("iam", "ListPolicies", "OnlyAttached", "FALSE", NULL) == 0);
    CHECK(form("iam", "ListPolicies", "OnlyAttached", "yes", NULL) == -1);
    CHECK_STR(err.message, "Invalid value 'yes' for parameter OnlyAttached: not a boolean");
    CHECK(form("iam", "ListPolicies", "Scope", "Everything", NULL) == -1);
    CHECK(form("sts", "AssumeRole", "RoleArn", "arn:aws:iam::000000000000:role/r",
               "RoleSessionName", "s", NULL) == -1);
    CHECK_STR(err.message, ONE "Value 's' at 'roleSessionName' failed to satisfy constraint: "
              "Member must have length greater than or equal to 2");
    ts_model_error_free(&err);
}

TEST(query_lists)
{
    /* structures in a list */
    CHECK(form("iam", "TagRole", "RoleName", "r", "Tags.member.1.Key", "a",
               "Tags.member.1.Value", "1", "Tags.member.2.Key", "b", "Tags.member.2.Value", "",
               NULL) == 0);
    CHECK(form("iam", "TagRole", "RoleName", "r", "Tags.member.1.Key", "a", NULL) == -1);
    CHECK_STR(err.message, ONE "Value null at 'tags.1.member.value' failed to satisfy "
              "constraint: Member must not be null");
    /* gaps close up, in index order */
    CHECK(form("iam", "TagRole", "RoleName", "r", "Tags.member.3.Key", "a",
               "Tags.member.1.Value", "1", NULL) == -1);
    CHECK(err.message && strstr(err.message, "'tags.1.member.key'") &&
          strstr(err.message, "'tags.2.member.value'"));
    /* "Tags=" is the empty list: present, so not "must not be null" */
    CHECK(form("iam", "TagRole", "RoleName", "r", "Tags", "", NULL) == 0);
    /* indexes that are not 1..1000 are not list members */
    CHECK(form("iam", "TagRole", "RoleName", "r", "Tags.member.0.Key", "a", NULL) == -1);
    CHECK(form("iam", "TagRole", "RoleName", "r", "Tags.member.1001.Key", "a", NULL) == -1);
    CHECK(form("iam", "TagRole", "RoleName", "r", "Tags.member.01.Key", "a", NULL) == -1);
    CHECK(form("iam", "TagRole", "RoleName", "r", "Tags.member.x.Key", "a", NULL) == -1);
    CHECK(form("iam", "TagRole", "RoleName", "r", "Tags.entry.1.Key", "a", NULL) == -1);
    CHECK(err.message && strstr(err.message, "at 'tags' failed") != NULL);
    /* strings in a list */
    CHECK(form("iam", "UntagRole", "RoleName", "r", "TagKeys.member.1", "a",
               "TagKeys.member.2", "b", NULL) == 0);
    /* more members than the list's max */
    {
        cJSON *in = cJSON_CreateObject();
        char k[64];

        cJSON_AddStringToObject(in, "RoleName", "r");
        for (int i = 1; i <= 51; i++) {
            snprintf(k, sizeof(k), "TagKeys.member.%d", i);
            cJSON_AddStringToObject(in, k, "k");
        }
        ts_model_error_free(&err);
        CHECK(ts_model_validate_query(ts_model_op_find("iam", "UntagRole"), in, &err) == -1);
        CHECK(err.message && strstr(err.message, "Member must have length less than or equal "
                                                 "to 50") != NULL);
        cJSON_Delete(in);
    }
    /* STS: structures with lowercase members, nested */
    CHECK(form("sts", "AssumeRole", "RoleArn", "arn:aws:iam::000000000000:role/r",
               "RoleSessionName", "s1", "PolicyArns.member.1.arn",
               "arn:aws:iam::aws:policy/ReadOnlyAccess", NULL) == 0);
    CHECK(form("sts", "AssumeRole", "RoleArn", "arn:aws:iam::000000000000:role/r",
               "RoleSessionName", "s1", "PolicyArns.member.1.arn", "short", NULL) == -1);
    CHECK(err.message && strstr(err.message, "policyArns.1.member.arn") != NULL);
    ts_model_error_free(&err);
}

TEST(query_odd_input)
{
    const ts_model_op *o = ts_model_op_find("iam", "GetRole");
    cJSON *in = cJSON_CreateObject();

    /* a non-string member (never made by proto_query.c) is skipped */
    cJSON_AddNumberToObject(in, "RoleName", 5);
    CHECK(ts_model_validate_query(o, in, &err) == -1);
    cJSON_Delete(in);
    ts_model_error_free(&err);
    /* no input, no operation: nothing to check */
    CHECK(ts_model_validate_query(NULL, NULL, &err) == 0);
    CHECK(ts_model_validate_query(ts_model_op_find("sts", "GetCallerIdentity"), NULL, &err) == 0);
    /* deep dotted names that lead nowhere are ignored */
    CHECK(form("iam", "GetRole", "RoleName", "r", "RoleName.member.1.x.y.z", "v",
               "Tags.member.1.Key.member.2", "v", "....", "v", NULL) == 0);
    ts_model_error_free(&err);
}
