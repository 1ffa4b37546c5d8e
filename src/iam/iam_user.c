/*
 * iam_user.c - users: create, get, list, update and delete.  A user is a
 * row of iam_user, unique by name in its account; its ARN is made from
 * its path and name.  GetUser without a UserName answers the caller
 * (iam_caller): the user whose key signed the request, else the
 * account's root as AWS describes it (UserId the account id, Arn
 * arn:aws:iam::<account>:root, no UserName or Path).
 */
#include "iam_int.h"

#include <string.h>

#define USER_COLUMNS "name, path, user_id, create_date, id"

/* When tinystack says the root user was made (GetUser of the root). */
#define ROOT_CREATE_DATE IAM_AWS_POLICY_DATE

/* Writes a row of USER_COLUMNS as the element tag; full (GetUser,
 * CreateUser) adds the user's tags. */
static void user_xml(ts_call *c, ts_buf *b, const char *tag, sqlite3_stmt *st, int full)
{
    const char *name = (const char *)sqlite3_column_text(st, 0);
    const char *path = (const char *)sqlite3_column_text(st, 1);

    ts_xml_open(b, tag);
    ts_xml_text(b, "Path", path);
    ts_xml_text(b, "UserName", name);
    ts_xml_text(b, "UserId", (const char *)sqlite3_column_text(st, 2));
    ts_xml_text(b, "Arn", iam_user_arn(c, path, name));
    iam_date_xml(b, "CreateDate", sqlite3_column_int64(st, 3));
    if (full)
        iam_tags_xml(b, "user", sqlite3_column_int64(st, 4));
    ts_xml_close(b, tag);
}

/* Writes <User> of the user with row id; 0, or -1 with NoSuchEntity set
 * (naming name). */
static int user_write(ts_call *c, int64_t id, const char *name)
{
    sqlite3_stmt *st = store_stmt("SELECT " USER_COLUMNS " FROM iam_user WHERE id = ?1");
    int rc = -1;

    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        user_xml(c, &c->resp->body, "User", st, 1);
        rc = 0;
    }
    sqlite3_reset(st);
    return rc == 0 ? 0 : iam_not_found(c, "user", name);
}

/* CreateUser: Path, UserName, Tags (PermissionsBoundary is not kept). */
int iam_create_user(ts_call *c)
{
    const char *name = iam_arg(c, "UserName"), *path = iam_arg(c, "Path");
    char user_id[22];
    sqlite3_stmt *st;
    int64_t id;
    int rc;

    if (!path)
        path = "/";
    iam_random_id(user_id, "AIDA", 17);
    st = store_stmt("INSERT INTO iam_user(account, name, path, user_id, create_date)"
                    " VALUES(?1, ?2, ?3, ?4, ?5)");
    store_bind_text(st, 1, c->req->account);
    store_bind_text(st, 2, name);
    store_bind_text(st, 3, path);
    store_bind_text(st, 4, user_id);
    sqlite3_bind_int64(st, 5, ts_now_ms());
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_ENTITY_EXISTS,
                              "User with name %s already exists.", name);
    if (rc != SQLITE_DONE)
        return ts_resp_error(c->resp, TS_ERR_INTERNAL, NULL);
    id = sqlite3_last_insert_rowid(store_db());
    if (iam_tags_put(c, "user", id) != 0)
        return -1;
    return user_write(c, id, name);
}

/* GetUser: UserName, or the caller. */
int iam_get_user(ts_call *c)
{
    const char *name = iam_arg(c, "UserName");
    ts_buf *b = &c->resp->body;
    iam_identity who;
    int64_t id;

    if (name)
        return (id = iam_user_find(c, name)) ? user_write(c, id, name) : -1;
    iam_caller(c->req, &who);
    if (who.kind == IAM_USER)
        return user_write(c, who.user, NULL);
    if (who.kind != IAM_ROOT)
        return ts_resp_error(c->resp, TS_ERR_IAM_VALIDATION,
                             "Must specify userName when calling with non-User credentials");
    ts_buf_puts(b, "<User>");
    ts_xml_text(b, "UserId", c->req->account);
    ts_xml_text(b, "Arn", who.arn);
    iam_date_xml(b, "CreateDate", ROOT_CREATE_DATE);
    ts_buf_puts(b, "</User>");
    return 0;
}

/* A <member> of ListUsers; arg is the call. */
static void user_member_cb(ts_buf *b, sqlite3_stmt *st, void *arg)
{
    user_xml(arg, b, "member", st, 0);
}

/* ListUsers: by name, PathPrefix and MaxItems honoured; the Marker is the
 * last name of the page before. */
int iam_list_users(ts_call *c)
{
    iam_rows rows = {user_member_cb, NULL, c};

    return iam_list_by_path(c, "Users", store_stmt(IAM_BY_PATH(USER_COLUMNS, "iam_user")), &rows);
}

/* DeleteUser: refused while the user has managed or inline policies or
 * access keys, as AWS does. */
int iam_delete_user(ts_call *c)
{
    iam_owner o;

    if (iam_owner_find(c, "user", &o) != 0 || iam_owner_deletable(c, &o) != 0)
        return -1;
    if (iam_key_count(c, o.id))
        return ts_resp_error(c->resp, TS_ERR_IAM_DELETE_CONFLICT,
                             "Cannot delete entity, must delete access keys first.");
    return iam_owner_delete(c, &o);
}

/* UpdateUser: NewUserName and NewPath, each only when given. */
int iam_update_user(ts_call *c)
{
    const char *new_name = iam_arg(c, "NewUserName"), *new_path = iam_arg(c, "NewPath");
    sqlite3_stmt *st;
    iam_owner o;
    int rc;

    if (iam_owner_find(c, "user", &o) != 0)
        return -1;
    st = store_stmt("UPDATE iam_user SET name = coalesce(?2, name), path = coalesce(?3, path)"
                    " WHERE id = ?1");
    sqlite3_bind_int64(st, 1, o.id);
    store_bind_text(st, 2, new_name);
    store_bind_text(st, 3, new_path);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_ENTITY_EXISTS,
                              "User with name %s already exists.", new_name);
    return rc == SQLITE_DONE ? 0 : ts_resp_error(c->resp, TS_ERR_INTERNAL, NULL);
}
