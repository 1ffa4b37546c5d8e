/*
 * iam.c - IAM (the query protocol, Version 2010-05-08): the operation
 * table and what its operations share.  Roles, users, managed and inline
 * policies, tags and access keys are stored per account (the iam_ tables
 * of store_schema.c); nothing evaluates a policy.
 *
 * Every operation's form arguments are checked against the botocore
 * model by the dispatcher before the handler runs (the query protocol
 * asks for it: ts_model_validate_query): a missing
 * member, a name outside its pattern or length, a number out of range is
 * a ValidationError worded as AWS words it ("1 validation error detected:
 * Value 'a b' at 'roleName' failed to satisfy constraint: ...").
 */
#include "iam_int.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/rand.h>


const char *iam_arg(ts_call *c, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->in, name);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int iam_member_index(const char *name, const char *prefix, const char **rest)
{
    size_t plen = strlen(prefix);
    const char *p;
    int v = 0;

    if (!name || strncmp(name, prefix, plen) != 0)
        return 0;
    p = name + plen;
    if (*p < '1' || *p > '9')
        return 0;
    for (; *p >= '0' && *p <= '9'; p++)
        if ((v = v * 10 + (*p - '0')) > 1000)
            return 0;
    if (*p && *p != '.')
        return 0;
    *rest = p;
    return v;
}

int iam_max_items(ts_call *c, int *n)
{
    const char *v = iam_arg(c, "MaxItems");

    *n = v ? atoi(v) : 100; /* the model held it to 1..1000 */
    if (*n < 1 || *n > 1000)
        *n = 100;
    return 0;
}

void iam_page_end(ts_buf *b, int truncated, const char *marker)
{
    ts_xml_text(b, "IsTruncated", truncated ? "true" : "false");
    if (truncated && marker)
        ts_xml_text(b, "Marker", marker);
}

int iam_rows_xml(ts_buf *b, ts_arena *a, sqlite3_stmt *st, int max, const iam_rows *r,
                 char **last)
{
    int n = 0, truncated = 0;

    while (sqlite3_step(st) == SQLITE_ROW) {
        if (r->keep_cb && !r->keep_cb(st, r->arg))
            continue;
        if (max && n == max) {
            truncated = 1;
            break;
        }
        r->row_cb(b, st, r->arg);
        if (last)
            *last = store_col_text(a, st, 0);
        n++;
    }
    sqlite3_reset(st);
    return truncated;
}

int iam_list_xml(ts_call *c, const char *element, sqlite3_stmt *st, int max, const iam_rows *r)
{
    ts_buf *b = &c->resp->body;
    char *last = NULL;
    int truncated;

    ts_xml_open(b, element);
    truncated = iam_rows_xml(b, c->req->arena, st, max, r, &last);
    ts_xml_close(b, element);
    iam_page_end(b, truncated, last);
    return 0;
}

int iam_list_by_path(ts_call *c, const char *element, sqlite3_stmt *st, const iam_rows *r)
{
    const char *prefix = iam_arg(c, "PathPrefix");
    int max;

    iam_max_items(c, &max);
    store_bind_text(st, 1, c->req->account);
    store_bind_text(st, 2, prefix ? prefix : "/");
    store_bind_text(st, 3, iam_arg(c, "Marker"));
    sqlite3_bind_int(st, 4, max + 1);
    return iam_list_xml(c, element, st, max, r);
}

int iam_query_int(sqlite3_stmt *st)
{
    int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;

    sqlite3_reset(st);
    return n;
}

int iam_exec(ts_call *c, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : ts_resp_error(c->resp, TS_ERR_INTERNAL, NULL);
}

void iam_random_id(char *out, const char *prefix, size_t n)
{
    static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    size_t plen = strlen(prefix), i = 0;
    unsigned char raw[64];

    memcpy(out, prefix, plen);
    while (i < n) {
        if (RAND_bytes(raw, (int)sizeof(raw)) != 1)
            abort();
        /* 252 = 7 * 36: no letter is likelier than another */
        for (size_t k = 0; k < sizeof(raw) && i < n; k++)
            if (raw[k] < 252)
                out[plen + i++] = alnum[raw[k] % 36];
    }
    out[plen + n] = '\0';
}

int iam_not_found(ts_call *c, const char *kind, const char *name)
{
    return ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_NO_SUCH_ENTITY,
                          "The %s with name %s cannot be found.", kind, name ? name : "");
}

/* The id column of the row st selects (?1 the account, ?2 name), or 0
 * with NoSuchEntity set, naming the kind. */
static int64_t find(ts_call *c, sqlite3_stmt *st, const char *kind, const char *name)
{
    int64_t id = 0;

    store_bind_text(st, 1, c->req->account);
    store_bind_text(st, 2, name);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (!id)
        iam_not_found(c, kind, name);
    return id;
}

int64_t iam_role_find(ts_call *c, const char *name)
{
    return find(c, store_stmt("SELECT id FROM iam_role WHERE account = ?1 AND name = ?2"), "role",
                name);
}

int64_t iam_user_find(ts_call *c, const char *name)
{
    return find(c, store_stmt("SELECT id FROM iam_user WHERE account = ?1 AND name = ?2"), "user",
                name);
}

int iam_owner_find(ts_call *c, const char *kind, iam_owner *o)
{
    int role = !strcmp(kind, "role");

    o->kind = kind;
    o->name = iam_arg(c, role ? "RoleName" : "UserName");
    o->id = role ? iam_role_find(c, o->name) : iam_user_find(c, o->name);
    return o->id ? 0 : -1;
}

int iam_owner_deletable(ts_call *c, const iam_owner *o)
{
    if (iam_attached_count(o))
        return ts_resp_error(c->resp, TS_ERR_IAM_DELETE_CONFLICT,
                             "Cannot delete entity, must detach all policies first.");
    if (iam_inline_count(o))
        return ts_resp_error(c->resp, TS_ERR_IAM_DELETE_CONFLICT,
                             "Cannot delete entity, must delete policies first.");
    return 0;
}

int iam_owner_delete(ts_call *c, const iam_owner *o)
{
    sqlite3_stmt *st = !strcmp(o->kind, "role") ? store_stmt("DELETE FROM iam_role WHERE id = ?1")
                                                : store_stmt("DELETE FROM iam_user WHERE id = ?1");

    sqlite3_bind_int64(st, 1, o->id);
    if (iam_exec(c, st) != 0)
        return -1;
    iam_owner_forget(o->kind, o->id);
    return 0;
}

int iam_document_check(ts_call *c, const char *doc, const char *message)
{
    cJSON *parsed = cJSON_ParseWithOpts(doc, NULL, 1);
    int ok = cJSON_IsObject(parsed);

    cJSON_Delete(parsed);
    return ok ? 0 : ts_resp_error(c->resp, TS_ERR_IAM_MALFORMED_POLICY, message);
}

size_t iam_document_size(const char *doc)
{
    size_t n = 0;

    for (; *doc; doc++)
        if (!strchr(" \t\r\n", *doc))
            n++;
    return n;
}

void iam_document_xml(ts_buf *b, const char *tag, const char *doc)
{
    ts_buf enc;

    ts_buf_init(&enc);
    ts_url_encode(&enc, doc, strlen(doc), 0);
    ts_xml_text(b, tag, enc.data ? enc.data : "");
    ts_buf_free(&enc);
}

void iam_date_xml(ts_buf *b, const char *tag, int64_t epoch_ms)
{
    char date[32];

    ts_time_iso8601(epoch_ms, date);
    ts_xml_text(b, tag, date);
}

char *iam_user_arn(ts_call *c, const char *path, const char *name)
{
    return ts_arena_printf(c->req->arena, "arn:aws:iam::%s:user%s%s", c->req->account, path,
                           name);
}

const char *iam_policy_arn(ts_call *c)
{
    const char *arn = iam_arg(c, "PolicyArn");

    if (!arn || !ts_starts_with(arn, "arn:") || !strstr(arn, ":iam::") ||
        !strstr(arn, ":policy/") || arn[strlen(arn) - 1] == '/') {
        ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_INVALID_INPUT, "ARN %s is not valid.",
                       arn ? arn : "");
        return NULL;
    }
    return arn;
}

/* The operations: name, handler, transaction. */
#define IAM_OPS(X)                                                            \
    X("AttachRolePolicy", iam_attach_role_policy, TS_OP_WRITE)                \
    X("AttachUserPolicy", iam_attach_user_policy, TS_OP_WRITE)                \
    X("CreateAccessKey", iam_create_access_key, TS_OP_WRITE)                  \
    X("CreatePolicy", iam_create_policy, TS_OP_WRITE)                         \
    X("CreatePolicyVersion", iam_create_policy_version, TS_OP_WRITE)          \
    X("CreateRole", iam_create_role, TS_OP_WRITE)                             \
    X("CreateUser", iam_create_user, TS_OP_WRITE)                             \
    X("DeleteAccessKey", iam_delete_access_key, TS_OP_WRITE)                  \
    X("DeletePolicy", iam_delete_policy, TS_OP_WRITE)                         \
    X("DeletePolicyVersion", iam_delete_policy_version, TS_OP_WRITE)          \
    X("DeleteRole", iam_delete_role, TS_OP_WRITE)                             \
    X("DeleteRolePolicy", iam_delete_role_policy, TS_OP_WRITE)                \
    X("DeleteUser", iam_delete_user, TS_OP_WRITE)                             \
    X("DeleteUserPolicy", iam_delete_user_policy, TS_OP_WRITE)                \
    X("DetachRolePolicy", iam_detach_role_policy, TS_OP_WRITE)                \
    X("DetachUserPolicy", iam_detach_user_policy, TS_OP_WRITE)                \
    X("GetAccessKeyLastUsed", iam_get_access_key_last_used, TS_OP_READ)       \
    X("GetPolicy", iam_get_policy, TS_OP_READ)                                \
    X("GetPolicyVersion", iam_get_policy_version, TS_OP_READ)                 \
    X("GetRole", iam_get_role, TS_OP_READ)                                    \
    X("GetRolePolicy", iam_get_role_policy, TS_OP_READ)                       \
    X("GetUser", iam_get_user, TS_OP_READ)                                    \
    X("GetUserPolicy", iam_get_user_policy, TS_OP_READ)                       \
    X("ListAccessKeys", iam_list_access_keys, TS_OP_READ)                     \
    X("ListAttachedRolePolicies", iam_list_attached_role_policies, TS_OP_READ) \
    X("ListAttachedUserPolicies", iam_list_attached_user_policies, TS_OP_READ) \
    X("ListEntitiesForPolicy", iam_list_entities_for_policy, TS_OP_READ)      \
    X("ListPolicies", iam_list_policies, TS_OP_READ)                          \
    X("ListPolicyTags", iam_list_policy_tags, TS_OP_READ)                     \
    X("ListPolicyVersions", iam_list_policy_versions, TS_OP_READ)             \
    X("ListRolePolicies", iam_list_role_policies, TS_OP_READ)                 \
    X("ListRoleTags", iam_list_role_tags, TS_OP_READ)                         \
    X("ListRoles", iam_list_roles, TS_OP_READ)                                \
    X("ListUserPolicies", iam_list_user_policies, TS_OP_READ)                 \
    X("ListUserTags", iam_list_user_tags, TS_OP_READ)                         \
    X("ListUsers", iam_list_users, TS_OP_READ)                                \
    X("PutRolePolicy", iam_put_role_policy, TS_OP_WRITE)                      \
    X("PutUserPolicy", iam_put_user_policy, TS_OP_WRITE)                      \
    X("SetDefaultPolicyVersion", iam_set_default_policy_version, TS_OP_WRITE) \
    X("TagPolicy", iam_tag_policy, TS_OP_WRITE)                               \
    X("TagRole", iam_tag_role, TS_OP_WRITE)                                   \
    X("TagUser", iam_tag_user, TS_OP_WRITE)                                   \
    X("UntagPolicy", iam_untag_policy, TS_OP_WRITE)                           \
    X("UntagRole", iam_untag_role, TS_OP_WRITE)                               \
    X("UntagUser", iam_untag_user, TS_OP_WRITE)                               \
    X("UpdateAccessKey", iam_update_access_key, TS_OP_WRITE)                  \
    X("UpdateAssumeRolePolicy", iam_update_assume_role_policy, TS_OP_WRITE)   \
    X("UpdateRole", iam_update_role, TS_OP_WRITE)                             \
    X("UpdateRoleDescription", iam_update_role_description, TS_OP_WRITE)      \
    X("UpdateUser", iam_update_user, TS_OP_WRITE)

#define IAM_ROW(name, fn, flags) {name, fn, flags, NULL, NULL, NULL, NULL, 0},
static const ts_op iam_ops[] = {
    IAM_OPS(IAM_ROW)
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, 0},
};
#undef IAM_ROW

const ts_service iam_service = {
    .name = "iam",
    .signing_name = "iam",
    .target_prefix = NULL,
    .proto = &ts_proto_query,
    .version = "2010-05-08",
    .ops = iam_ops,
    .model_error = TS_ERR_IAM_VALIDATION,
    .max_body = 1u << 20,
    .too_large = TS_ERR_REQUEST_TOO_LARGE,
    .available = 1,
};
