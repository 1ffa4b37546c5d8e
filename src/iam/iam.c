/*
 * iam.c - IAM (the query protocol, Version 2010-05-08): the operation
 * table and the argument helpers its operations share.  Roles and the
 * managed policies attached to them are stored per account (the
 * iam_role and iam_role_policy tables); nothing evaluates a policy.
 */
#include "iam_int.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

const char *iam_arg(ts_call *c, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->in, name);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *iam_arg_required(ts_call *c, const char *name, const char *member)
{
    const char *v = iam_arg(c, name);

    if (!v)
        ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_VALIDATION,
                       "1 validation error detected: Value null at '%s' failed to "
                       "satisfy constraint: Member must not be null", member);
    return v;
}

/* 1 when s matches [\w+=,.@-]+ (ASCII word characters). */
static int name_chars_valid(const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || strchr("_+=,.@-", ch)))
            return 0;
    }
    return 1;
}

const char *iam_role_name(ts_call *c)
{
    const char *name = iam_arg_required(c, "RoleName", "roleName");
    size_t len;

    if (!name)
        return NULL;
    len = strlen(name);
    if (len < 1 || len > 64) {
        ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_VALIDATION,
                       "1 validation error detected: Value '%s' at 'roleName' failed to "
                       "satisfy constraint: Member must have length %s",
                       name, len ? "less than or equal to 64" : "greater than or equal to 1");
        return NULL;
    }
    if (!name_chars_valid(name)) {
        ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_VALIDATION,
                       "1 validation error detected: Value '%s' at 'roleName' failed to "
                       "satisfy constraint: Member must satisfy regular expression "
                       "pattern: [\\w+=,.@-]+", name);
        return NULL;
    }
    return name;
}

int iam_max_items(ts_call *c, int *n)
{
    const char *v = iam_arg(c, "MaxItems");
    char *end;
    long l;

    *n = 100;
    if (!v)
        return 0;
    l = strtol(v, &end, 10);
    if (!*v || *end || l < 1 || l > 1000)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_VALIDATION,
                              "1 validation error detected: Value '%s' at 'maxItems' "
                              "failed to satisfy constraint: Member must have value "
                              "between 1 and 1000", v);
    *n = (int)l;
    return 0;
}

int64_t iam_role_find(ts_call *c, const char *name)
{
    sqlite3_stmt *st = store_stmt("SELECT id FROM iam_role WHERE account = ?1 AND name = ?2");
    int64_t id = 0;

    store_bind_text(st, 1, c->req->account);
    store_bind_text(st, 2, name);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (!id)
        ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_NO_SUCH_ENTITY,
                       "The role with name %s cannot be found.", name);
    return id;
}

static const ts_op iam_ops[] = {
    {"AttachRolePolicy", iam_attach_role_policy, TS_OP_WRITE, NULL, NULL, NULL, NULL, 0},
    {"CreateRole", iam_create_role, TS_OP_WRITE, NULL, NULL, NULL, NULL, 0},
    {"DeleteRole", iam_delete_role, TS_OP_WRITE, NULL, NULL, NULL, NULL, 0},
    {"DetachRolePolicy", iam_detach_role_policy, TS_OP_WRITE, NULL, NULL, NULL, NULL, 0},
    {"GetRole", iam_get_role, TS_OP_READ, NULL, NULL, NULL, NULL, 0},
    {"ListAttachedRolePolicies", iam_list_attached_role_policies, TS_OP_READ,
     NULL, NULL, NULL, NULL, 0},
    {"ListRoles", iam_list_roles, TS_OP_READ, NULL, NULL, NULL, NULL, 0},
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, 0},
};

const ts_service iam_service = {
    .name = "iam",
    .signing_name = "iam",
    .target_prefix = NULL,
    .proto = &ts_proto_query,
    .version = "2010-05-08",
    .ops = iam_ops,
    .max_body = 1u << 20,
    .too_large = TS_ERR_REQUEST_TOO_LARGE,
    .available = 1,
};
