/*
 * iam_inline.c - inline policies of roles and users: put, get, delete,
 * list.  A row of iam_inline_policy per (owner, name); the document is
 * kept as given (checked to be one JSON object) and handed back
 * URL-encoded, which boto3 turns into a dict.  The documents of one role
 * may add up to IAM_MAX_ROLE_INLINE characters (a user's to
 * IAM_MAX_USER_INLINE), white space not counted, as AWS counts them.
 */
#include "iam_int.h"

#include <string.h>

#define POLICY_INVALID "Syntax errors in policy."

/* Binds st, a statement on o's inline policies: ?1 its kind, ?2 its id,
 * ?3 name (a policy name, a Marker); returns st. */
static sqlite3_stmt *owner_bind(sqlite3_stmt *st, const iam_owner *o, const char *name)
{
    store_bind_text(st, 1, o->kind);
    sqlite3_bind_int64(st, 2, o->id);
    store_bind_text(st, 3, name);
    return st;
}

int iam_inline_count(const iam_owner *o)
{
    sqlite3_stmt *st = store_stmt("SELECT count(*) FROM iam_inline_policy"
                                  " WHERE kind = ?1 AND owner = ?2");

    store_bind_text(st, 1, o->kind);
    sqlite3_bind_int64(st, 2, o->id);
    return iam_query_int(st);
}

/* The size of o's inline policies other than the one called except. */
static size_t others_size(const iam_owner *o, const char *except)
{
    sqlite3_stmt *st = owner_bind(store_stmt("SELECT document FROM iam_inline_policy"
                                             " WHERE kind = ?1 AND owner = ?2 AND name <> ?3"),
                                  o, except);
    size_t n = 0;

    while (sqlite3_step(st) == SQLITE_ROW)
        n += iam_document_size((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return n;
}

static int not_found(ts_call *c, const iam_owner *o, const char *name)
{
    return ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_NO_SUCH_ENTITY,
                          "The %s policy with name %s cannot be found.", o->kind, name);
}

/* Put{Role,User}Policy: adds or replaces the policy PolicyName. */
static int put(ts_call *c, const char *kind)
{
    const char *name = iam_arg(c, "PolicyName"), *doc = iam_arg(c, "PolicyDocument");
    size_t limit = !strcmp(kind, "role") ? IAM_MAX_ROLE_INLINE : IAM_MAX_USER_INLINE;
    sqlite3_stmt *st;
    iam_owner o;

    if (iam_owner_find(c, kind, &o) != 0 || iam_document_check(c, doc, POLICY_INVALID) != 0)
        return -1;
    if (others_size(&o, name) + iam_document_size(doc) > limit)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_LIMIT_EXCEEDED,
                              "Maximum policy size of %zu bytes exceeded for %s %s", limit,
                              kind, o.name);
    st = owner_bind(store_stmt("INSERT OR REPLACE INTO iam_inline_policy(kind, owner, name,"
                               " document) VALUES(?1, ?2, ?3, ?4)"),
                    &o, name);
    store_bind_text(st, 4, doc);
    return iam_exec(c, st);
}

static int get(ts_call *c, const char *kind)
{
    const char *name = iam_arg(c, "PolicyName");
    ts_buf *b = &c->resp->body;
    sqlite3_stmt *st;
    iam_owner o;
    int rc = -1;

    if (iam_owner_find(c, kind, &o) != 0)
        return -1;
    st = owner_bind(store_stmt("SELECT document FROM iam_inline_policy"
                               " WHERE kind = ?1 AND owner = ?2 AND name = ?3"),
                    &o, name);
    if (sqlite3_step(st) == SQLITE_ROW) {
        ts_xml_text(b, kind[0] == 'r' ? "RoleName" : "UserName", o.name);
        ts_xml_text(b, "PolicyName", name);
        iam_document_xml(b, "PolicyDocument", (const char *)sqlite3_column_text(st, 0));
        rc = 0;
    }
    sqlite3_reset(st);
    return rc == 0 ? 0 : not_found(c, &o, name);
}

static int del(ts_call *c, const char *kind)
{
    const char *name = iam_arg(c, "PolicyName");
    sqlite3_stmt *st;
    iam_owner o;

    if (iam_owner_find(c, kind, &o) != 0)
        return -1;
    st = owner_bind(store_stmt("DELETE FROM iam_inline_policy"
                               " WHERE kind = ?1 AND owner = ?2 AND name = ?3"),
                    &o, name);
    if (iam_exec(c, st) != 0)
        return -1;
    return sqlite3_changes(store_db()) ? 0 : not_found(c, &o, name);
}

static void name_member_cb(ts_buf *b, sqlite3_stmt *st, void *arg)
{
    (void)arg;
    ts_xml_text(b, "member", (const char *)sqlite3_column_text(st, 0));
}

/* List{Role,User}Policies: names in order; the Marker is the last name of
 * the page before. */
static int list(ts_call *c, const char *kind)
{
    static const iam_rows rows = {name_member_cb, NULL, NULL};
    sqlite3_stmt *st;
    iam_owner o;
    int max;

    iam_max_items(c, &max);
    if (iam_owner_find(c, kind, &o) != 0)
        return -1;
    st = owner_bind(store_stmt("SELECT name FROM iam_inline_policy WHERE kind = ?1 AND owner = ?2"
                               " AND (?3 IS NULL OR name > ?3) ORDER BY name LIMIT ?4"),
                    &o, iam_arg(c, "Marker"));
    sqlite3_bind_int(st, 4, max + 1);
    return iam_list_xml(c, "PolicyNames", st, max, &rows);
}

int iam_put_role_policy(ts_call *c)
{
    return put(c, "role");
}

int iam_get_role_policy(ts_call *c)
{
    return get(c, "role");
}

int iam_delete_role_policy(ts_call *c)
{
    return del(c, "role");
}

int iam_list_role_policies(ts_call *c)
{
    return list(c, "role");
}

int iam_put_user_policy(ts_call *c)
{
    return put(c, "user");
}

int iam_get_user_policy(ts_call *c)
{
    return get(c, "user");
}

int iam_delete_user_policy(ts_call *c)
{
    return del(c, "user");
}

int iam_list_user_policies(ts_call *c)
{
    return list(c, "user");
}
