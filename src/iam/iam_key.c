/*
 * iam_key.c - access keys and who they speak for.  CreateAccessKey makes
 * a key (AKIA and 16 characters, a 40-character secret) of a user, or of
 * the account's root when the root asks without a UserName; at most
 * IAM_MAX_KEYS_PER_USER each, as AWS allows.  STS records the
 * temporary keys it hands out through iam_session_add.  iam_caller reads
 * both back: nothing checks a signature, but GetCallerIdentity and
 * GetUser answer as the key that signed the request.
 */
#include "iam_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#define KEY_MISSING "The Access Key with id %s cannot be found."

/* The name of the user with row id, in the arena; NULL when none. */
static char *user_name(ts_call *c, int64_t id)
{
    sqlite3_stmt *st = store_stmt("SELECT name FROM iam_user WHERE id = ?1");
    char *name = NULL;

    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW)
        name = store_col_text(c->req->arena, st, 0);
    sqlite3_reset(st);
    return name;
}

int iam_key_count(ts_call *c, int64_t user)
{
    sqlite3_stmt *st = store_stmt("SELECT count(*) FROM iam_access_key"
                                  " WHERE account = ?1 AND user = ?2");

    store_bind_text(st, 1, c->req->account);
    sqlite3_bind_int64(st, 2, user);
    return iam_query_int(st);
}

/* The user whose keys the request is about: UserName, else the caller
 * (*id 0 and *name NULL for the root).  0, or -1 with the error set. */
static int key_user(ts_call *c, int64_t *id, const char **name)
{
    iam_identity who;

    *name = iam_arg(c, "UserName");
    if (*name)
        return (*id = iam_user_find(c, *name)) ? 0 : -1;
    iam_caller(c->req, &who);
    if (who.kind != IAM_ROOT && who.kind != IAM_USER)
        return ts_resp_error(c->resp, TS_ERR_IAM_VALIDATION,
                             "Must specify userName when calling with non-User credentials");
    *id = who.user;
    *name = who.user ? user_name(c, who.user) : NULL;
    return 0;
}

/* A secret access key: 40 characters of base64's alphabet; out holds 41. */
static void secret_new(char *out)
{
    static const char b64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned char raw[40];

    if (RAND_bytes(raw, (int)sizeof(raw)) != 1)
        abort();
    for (size_t i = 0; i < sizeof(raw); i++)
        out[i] = b64[raw[i] & 63];
    out[40] = '\0';
}

int iam_create_access_key(ts_call *c)
{
    ts_buf *b = &c->resp->body;
    char key[21], secret[41];
    const char *name;
    int64_t user, now = ts_now_ms();
    sqlite3_stmt *st;

    if (key_user(c, &user, &name) != 0)
        return -1;
    if (iam_key_count(c, user) >= IAM_MAX_KEYS_PER_USER)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_LIMIT_EXCEEDED,
                              "Cannot exceed quota for AccessKeysPerUser: %d",
                              IAM_MAX_KEYS_PER_USER);
    iam_random_id(key, "AKIA", 16);
    secret_new(secret);
    st = store_stmt("INSERT INTO iam_access_key(access_key_id, account, user, secret, status,"
                    " create_date) VALUES(?1, ?2, ?3, ?4, 'Active', ?5)");
    store_bind_text(st, 1, key);
    store_bind_text(st, 2, c->req->account);
    sqlite3_bind_int64(st, 3, user);
    store_bind_text(st, 4, secret);
    sqlite3_bind_int64(st, 5, now);
    if (iam_exec(c, st) != 0)
        return -1;
    ts_buf_puts(b, "<AccessKey>");
    ts_xml_text(b, "UserName", name);
    ts_xml_text(b, "AccessKeyId", key);
    ts_xml_text(b, "Status", "Active");
    ts_xml_text(b, "SecretAccessKey", secret);
    iam_date_xml(b, "CreateDate", now);
    ts_buf_puts(b, "</AccessKey>");
    return 0;
}

/* A <member> of ListAccessKeys; arg is the user's name (NULL: root). */
static void key_member_cb(ts_buf *b, sqlite3_stmt *st, void *arg)
{
    ts_buf_puts(b, "<member>");
    ts_xml_text(b, "UserName", arg);
    ts_xml_text(b, "AccessKeyId", (const char *)sqlite3_column_text(st, 0));
    ts_xml_text(b, "Status", (const char *)sqlite3_column_text(st, 1));
    iam_date_xml(b, "CreateDate", sqlite3_column_int64(st, 2));
    ts_buf_puts(b, "</member>");
}

/* ListAccessKeys: the user's keys (the caller's without a UserName), by
 * id; the Marker is the last id of the page before. */
int iam_list_access_keys(ts_call *c)
{
    const char *name;
    sqlite3_stmt *st;
    iam_rows rows;
    int64_t user;
    int max;

    iam_max_items(c, &max);
    if (key_user(c, &user, &name) != 0)
        return -1;
    st = store_stmt("SELECT access_key_id, status, create_date FROM iam_access_key"
                    " WHERE account = ?1 AND user = ?2 AND (?3 IS NULL OR access_key_id > ?3)"
                    " ORDER BY access_key_id");
    store_bind_text(st, 1, c->req->account);
    sqlite3_bind_int64(st, 2, user);
    store_bind_text(st, 3, iam_arg(c, "Marker"));
    rows = (iam_rows){key_member_cb, NULL, (void *)name};
    return iam_list_xml(c, "AccessKeyMetadata", st, max, &rows);
}

/* Runs st, a change of the key AccessKeyId of the user with row id user
 * (?1 the key, ?2 the account, ?3 the user; the caller binds the rest);
 * 0, or -1 with NoSuchEntity set when the user has no such key. */
static int key_change(ts_call *c, sqlite3_stmt *st, int64_t user)
{
    const char *key = iam_arg(c, "AccessKeyId");

    store_bind_text(st, 1, key);
    store_bind_text(st, 2, c->req->account);
    sqlite3_bind_int64(st, 3, user);
    if (iam_exec(c, st) != 0)
        return -1;
    if (!sqlite3_changes(store_db()))
        return ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_NO_SUCH_ENTITY, KEY_MISSING, key);
    return 0;
}

int iam_delete_access_key(ts_call *c)
{
    const char *name;
    int64_t user;

    if (key_user(c, &user, &name) != 0)
        return -1;
    return key_change(c, store_stmt("DELETE FROM iam_access_key WHERE access_key_id = ?1"
                                    " AND account = ?2 AND user = ?3"), user);
}

/* UpdateAccessKey: Status Active or Inactive (not enforced: an inactive
 * key still signs requests here). */
int iam_update_access_key(ts_call *c)
{
    const char *name, *status = iam_arg(c, "Status");
    sqlite3_stmt *st;
    int64_t user;

    if (key_user(c, &user, &name) != 0)
        return -1;
    if (!strcmp(status, "Expired"))
        return ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_INVALID_INPUT,
                              "Invalid status value: %s", status);
    st = store_stmt("UPDATE iam_access_key SET status = ?4 WHERE access_key_id = ?1"
                    " AND account = ?2 AND user = ?3");
    store_bind_text(st, 4, status);
    return key_change(c, st, user);
}

/* GetAccessKeyLastUsed: no use is recorded, so every key answers as a
 * key never used does on AWS (ServiceName and Region "N/A"). */
int iam_get_access_key_last_used(ts_call *c)
{
    const char *key = iam_arg(c, "AccessKeyId");
    ts_buf *b = &c->resp->body;
    sqlite3_stmt *st;
    int64_t user = -1;

    st = store_stmt("SELECT user FROM iam_access_key WHERE access_key_id = ?1 AND account = ?2");
    store_bind_text(st, 1, key);
    store_bind_text(st, 2, c->req->account);
    if (sqlite3_step(st) == SQLITE_ROW)
        user = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (user < 0)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_NO_SUCH_ENTITY, KEY_MISSING, key);
    ts_xml_text(b, "UserName", user ? user_name(c, user) : "root");
    ts_buf_puts(b, "<AccessKeyLastUsed><ServiceName>N/A</ServiceName><Region>N/A</Region>"
                   "</AccessKeyLastUsed>");
    return 0;
}

void iam_caller(ts_req *req, iam_identity *out)
{
    const char *key = req->access_key && *req->access_key ? req->access_key : NULL;
    sqlite3_stmt *st;

    out->kind = IAM_ROOT;
    out->account = req->account;
    out->arn = ts_arena_printf(req->arena, "arn:aws:iam::%s:root", req->account);
    out->user_id = key ? key : req->account;
    out->user = 0;
    if (!key)
        return;
    st = store_stmt("SELECT k.user, u.name, u.path, u.user_id FROM iam_access_key k"
                    " LEFT JOIN iam_user u ON u.id = k.user"
                    " WHERE k.access_key_id = ?1 AND k.account = ?2");
    store_bind_text(st, 1, key);
    store_bind_text(st, 2, req->account);
    if (sqlite3_step(st) == SQLITE_ROW) {
        if (sqlite3_column_int64(st, 0) && sqlite3_column_type(st, 1) != SQLITE_NULL) {
            out->kind = IAM_USER;
            out->user = sqlite3_column_int64(st, 0);
            out->arn = ts_arena_printf(req->arena, "arn:aws:iam::%s:user%s%s", req->account,
                                       (const char *)sqlite3_column_text(st, 2),
                                       (const char *)sqlite3_column_text(st, 1));
            out->user_id = store_col_text(req->arena, st, 3);
        } else {
            out->user_id = req->account; /* a key of the root itself */
        }
        sqlite3_reset(st);
        return;
    }
    sqlite3_reset(st);
    st = store_stmt("SELECT kind, user, arn, user_id, account FROM iam_session"
                    " WHERE access_key_id = ?1");
    store_bind_text(st, 1, key);
    if (sqlite3_step(st) == SQLITE_ROW) {
        out->kind = (iam_kind)sqlite3_column_int(st, 0);
        out->user = sqlite3_column_int64(st, 1);
        out->arn = store_col_text(req->arena, st, 2);
        out->user_id = store_col_text(req->arena, st, 3);
        out->account = store_col_text(req->arena, st, 4);
    }
    sqlite3_reset(st);
}

int iam_session_add(ts_req *req, const char *access_key_id, const char *secret,
                    int64_t expires_ms, const iam_identity *who)
{
    sqlite3_stmt *st = store_stmt("DELETE FROM iam_session WHERE expires < ?1");
    int rc;

    sqlite3_bind_int64(st, 1, ts_now_ms() - 86400000);
    sqlite3_step(st);
    sqlite3_reset(st);
    st = store_stmt("INSERT INTO iam_session(access_key_id, account, kind, user, arn, user_id,"
                    " secret, expires) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    store_bind_text(st, 1, access_key_id);
    store_bind_text(st, 2, who->account ? who->account : req->account);
    sqlite3_bind_int(st, 3, (int)who->kind);
    sqlite3_bind_int64(st, 4, who->user);
    store_bind_text(st, 5, who->arn);
    store_bind_text(st, 6, who->user_id);
    store_bind_text(st, 7, secret);
    sqlite3_bind_int64(st, 8, expires_ms);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}
