/*
 * iam_role.c - roles: create, get, list, update and delete.  A role is a
 * row of iam_role, unique by name in its account; its trust policy is
 * kept as given (checked only to be one JSON object) and handed back
 * URL-encoded inside the XML, as AWS does.  A role with managed or
 * inline policies cannot be deleted (DeleteConflict), as in AWS.
 */
#include "iam_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROLE_COLUMNS                                                          \
    "name, path, role_id, arn, create_date, assume_role_policy_document,"     \
    " description, max_session_duration, id"

#define TRUST_INVALID "This policy contains invalid Json"

/* Writes a row of ROLE_COLUMNS as the element tag: <Role> alone (full:
 * with its tags and RoleLastUsed, as GetRole), <member> in a list. */
static void role_xml(ts_buf *b, const char *tag, sqlite3_stmt *st, int full)
{
    const char *desc = (const char *)sqlite3_column_text(st, 6);

    ts_xml_open(b, tag);
    ts_xml_text(b, "Path", (const char *)sqlite3_column_text(st, 1));
    ts_xml_text(b, "RoleName", (const char *)sqlite3_column_text(st, 0));
    ts_xml_text(b, "RoleId", (const char *)sqlite3_column_text(st, 2));
    ts_xml_text(b, "Arn", (const char *)sqlite3_column_text(st, 3));
    iam_date_xml(b, "CreateDate", sqlite3_column_int64(st, 4));
    iam_document_xml(b, "AssumeRolePolicyDocument", (const char *)sqlite3_column_text(st, 5));
    if (desc)
        ts_xml_text(b, "Description", desc);
    ts_xml_textf(b, "MaxSessionDuration", "%d", sqlite3_column_int(st, 7));
    if (full) {
        iam_tags_xml(b, "role", sqlite3_column_int64(st, 8));
        ts_buf_puts(b, "<RoleLastUsed/>");
    }
    ts_xml_close(b, tag);
}

/* Writes the role called name of the caller's account; 0, or -1 with
 * NoSuchEntity set. */
static int role_write(ts_call *c, const char *name)
{
    sqlite3_stmt *st = store_stmt("SELECT " ROLE_COLUMNS " FROM iam_role"
                                  " WHERE account = ?1 AND name = ?2");
    int rc = -1;

    store_bind_text(st, 1, c->req->account);
    store_bind_text(st, 2, name);
    if (sqlite3_step(st) == SQLITE_ROW) {
        role_xml(&c->resp->body, "Role", st, 1);
        rc = 0;
    }
    sqlite3_reset(st);
    return rc == 0 ? 0 : iam_not_found(c, "role", name);
}

/* A trust policy: one JSON object, at most IAM_MAX_TRUST_SIZE. */
static int trust_check(ts_call *c, const char *doc)
{
    if (iam_document_check(c, doc, TRUST_INVALID) != 0)
        return -1;
    if (iam_document_size(doc) > IAM_MAX_TRUST_SIZE)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_LIMIT_EXCEEDED,
                              "Cannot exceed quota for ACLSizePerRole: %d", IAM_MAX_TRUST_SIZE);
    return 0;
}

/* CreateRole: Path, RoleName, AssumeRolePolicyDocument, Description,
 * MaxSessionDuration and Tags (PermissionsBoundary is not kept). */
int iam_create_role(ts_call *c)
{
    const char *name = iam_arg(c, "RoleName"), *doc = iam_arg(c, "AssumeRolePolicyDocument");
    const char *path = iam_arg(c, "Path"), *msd = iam_arg(c, "MaxSessionDuration");
    const char *account = c->req->account;
    char role_id[22], *arn;
    sqlite3_stmt *st;
    int rc;

    if (!path)
        path = "/";
    if (trust_check(c, doc) != 0)
        return -1;
    iam_random_id(role_id, "AROA", 17);
    arn = ts_arena_printf(c->req->arena, "arn:aws:iam::%s:role%s%s", account, path, name);
    st = store_stmt("INSERT INTO iam_role(account, name, path, role_id, arn, create_date,"
                    " assume_role_policy_document, description, max_session_duration)"
                    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    store_bind_text(st, 1, account);
    store_bind_text(st, 2, name);
    store_bind_text(st, 3, path);
    store_bind_text(st, 4, role_id);
    store_bind_text(st, 5, arn);
    sqlite3_bind_int64(st, 6, ts_now_ms());
    store_bind_text(st, 7, doc);
    store_bind_text(st, 8, iam_arg(c, "Description"));
    sqlite3_bind_int64(st, 9, msd ? atol(msd) : 3600);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_ENTITY_EXISTS,
                              "Role with name %s already exists.", name);
    if (rc != SQLITE_DONE)
        return ts_resp_error(c->resp, TS_ERR_INTERNAL, NULL);
    if (iam_tags_put(c, "role", sqlite3_last_insert_rowid(store_db())) != 0)
        return -1;
    return role_write(c, name);
}

int iam_get_role(ts_call *c)
{
    return role_write(c, iam_arg(c, "RoleName"));
}

static void role_member_cb(ts_buf *b, sqlite3_stmt *st, void *arg)
{
    (void)arg;
    role_xml(b, "member", st, 0);
}

/* ListRoles: by name, PathPrefix and MaxItems honoured; the Marker is the
 * last name of the page before. */
int iam_list_roles(ts_call *c)
{
    static const iam_rows rows = {role_member_cb, NULL, NULL};

    return iam_list_by_path(c, "Roles", store_stmt(IAM_BY_PATH(ROLE_COLUMNS, "iam_role")), &rows);
}

/* DeleteRole: refused while managed policies are attached or inline
 * policies exist, as AWS does; its tags go with it. */
int iam_delete_role(ts_call *c)
{
    iam_owner o;

    if (iam_owner_find(c, "role", &o) != 0 || iam_owner_deletable(c, &o) != 0)
        return -1;
    return iam_owner_delete(c, &o);
}

/* UpdateRole: Description and MaxSessionDuration, each only when given;
 * the answer is empty. */
int iam_update_role(ts_call *c)
{
    const char *desc = iam_arg(c, "Description"), *msd = iam_arg(c, "MaxSessionDuration");
    sqlite3_stmt *st;
    int64_t id;

    if (!(id = iam_role_find(c, iam_arg(c, "RoleName"))))
        return -1;
    st = store_stmt("UPDATE iam_role SET description = CASE WHEN ?2 THEN ?3 ELSE description END,"
                    " max_session_duration = coalesce(?4, max_session_duration) WHERE id = ?1");
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, desc != NULL);
    store_bind_text(st, 3, desc);
    if (msd)
        sqlite3_bind_int64(st, 4, atol(msd));
    return iam_exec(c, st);
}

/* UpdateRoleDescription: answers the role as it is now. */
int iam_update_role_description(ts_call *c)
{
    const char *name = iam_arg(c, "RoleName");
    sqlite3_stmt *st;
    int64_t id;

    if (!(id = iam_role_find(c, name)))
        return -1;
    st = store_stmt("UPDATE iam_role SET description = ?2 WHERE id = ?1");
    sqlite3_bind_int64(st, 1, id);
    store_bind_text(st, 2, iam_arg(c, "Description"));
    if (iam_exec(c, st) != 0)
        return -1;
    return role_write(c, name);
}

/* UpdateAssumeRolePolicy: a new trust policy, checked as CreateRole's. */
int iam_update_assume_role_policy(ts_call *c)
{
    const char *doc = iam_arg(c, "PolicyDocument");
    sqlite3_stmt *st;
    int64_t id;

    if (!(id = iam_role_find(c, iam_arg(c, "RoleName"))) || trust_check(c, doc) != 0)
        return -1;
    st = store_stmt("UPDATE iam_role SET assume_role_policy_document = ?2 WHERE id = ?1");
    sqlite3_bind_int64(st, 1, id);
    store_bind_text(st, 2, doc);
    return iam_exec(c, st);
}

int iam_role_by_arn(ts_req *req, const char *arn, char *role_id, int *max_session)
{
    sqlite3_stmt *st = store_stmt("SELECT role_id, max_session_duration FROM iam_role"
                                  " WHERE account = ?1 AND arn = ?2");
    int rc = -1;

    store_bind_text(st, 1, req->account);
    store_bind_text(st, 2, arn);
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(role_id, 32, "%s", (const char *)sqlite3_column_text(st, 0));
        *max_session = sqlite3_column_int(st, 1);
        rc = 0;
    }
    sqlite3_reset(st);
    return rc;
}
