/*
 * iam_role.c - roles: create, get, list and delete.  A role is a row of
 * iam_role, unique by name in its account; its trust policy is kept as
 * given (checked only to be a JSON object) and handed back URL-encoded
 * inside the XML, as AWS does.
 */
#include "iam_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define ROLE_COLUMNS                                                          \
    "name, path, role_id, arn, create_date, assume_role_policy_document,"     \
    " description, max_session_duration"

/* A role id: AROA and 17 random upper-case letters and digits; out holds
 * 22 bytes. */
static void role_id_new(char *out)
{
    static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    char hex[35];
    unsigned char raw[17];

    ts_random_hex(hex, sizeof raw);
    ts_hex_decode(hex, 2 * sizeof raw, raw);
    memcpy(out, "AROA", 4);
    for (size_t i = 0; i < sizeof raw; i++)
        out[4 + i] = alnum[raw[i] % 36];
    out[21] = '\0';
}

/* 1 when path is "/" or "/.../" of printable ASCII, at most 512 long. */
static int path_valid(const char *path)
{
    size_t len = strlen(path);

    if (len < 1 || len > 512 || path[0] != '/' || path[len - 1] != '/')
        return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)path[i] < 0x21 || (unsigned char)path[i] > 0x7e)
            return 0;
    return 1;
}

/* Writes a row of ROLE_COLUMNS as the element tag (<Role> alone, <member>
 * in a list). */
static void role_xml(ts_buf *b, const char *tag, sqlite3_stmt *st)
{
    const char *doc = (const char *)sqlite3_column_text(st, 5);
    const char *desc = (const char *)sqlite3_column_text(st, 6);
    char date[32];
    ts_buf enc;

    ts_buf_init(&enc);
    ts_url_encode(&enc, doc, strlen(doc), 0);
    ts_time_iso8601(sqlite3_column_int64(st, 4), date);
    ts_xml_open(b, tag);
    ts_xml_text(b, "Path", (const char *)sqlite3_column_text(st, 1));
    ts_xml_text(b, "RoleName", (const char *)sqlite3_column_text(st, 0));
    ts_xml_text(b, "RoleId", (const char *)sqlite3_column_text(st, 2));
    ts_xml_text(b, "Arn", (const char *)sqlite3_column_text(st, 3));
    ts_xml_text(b, "CreateDate", date);
    ts_xml_text(b, "AssumeRolePolicyDocument", enc.data ? enc.data : "");
    if (desc)
        ts_xml_text(b, "Description", desc);
    ts_xml_textf(b, "MaxSessionDuration", "%d", sqlite3_column_int(st, 7));
    ts_xml_close(b, tag);
    ts_buf_free(&enc);
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
        role_xml(&c->resp->body, "Role", st);
        rc = 0;
    } else {
        ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_NO_SUCH_ENTITY,
                       "The role with name %s cannot be found.", name);
    }
    sqlite3_reset(st);
    return rc;
}

/* CreateRole: Path, RoleName, AssumeRolePolicyDocument, Description and
 * MaxSessionDuration (Tags and PermissionsBoundary are not kept). */
int iam_create_role(ts_call *c)
{
    const char *name, *doc, *path = iam_arg(c, "Path"), *msd = iam_arg(c, "MaxSessionDuration");
    const char *account = c->req->account;
    long duration = 3600;
    char role_id[22], *arn;
    cJSON *parsed;
    sqlite3_stmt *st;
    int rc;

    if (!(name = iam_role_name(c)))
        return -1;
    if (!(doc = iam_arg_required(c, "AssumeRolePolicyDocument", "assumeRolePolicyDocument")))
        return -1;
    if (!path)
        path = "/";
    if (!path_valid(path))
        return ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_VALIDATION,
                              "1 validation error detected: Value '%s' at 'path' failed to "
                              "satisfy constraint: Member must satisfy regular expression "
                              "pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)", path);
    if (msd) {
        char *end;
        duration = strtol(msd, &end, 10);
        if (!*msd || *end || duration < 3600 || duration > 43200)
            return ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_VALIDATION,
                                  "1 validation error detected: Value '%s' at "
                                  "'maxSessionDuration' failed to satisfy constraint: "
                                  "Member must have value between 3600 and 43200", msd);
    }
    parsed = cJSON_Parse(doc);
    rc = cJSON_IsObject(parsed);
    cJSON_Delete(parsed);
    if (!rc)
        return ts_resp_error(c->resp, TS_ERR_IAM_MALFORMED_POLICY, NULL);

    role_id_new(role_id);
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
    sqlite3_bind_int64(st, 9, duration);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_ENTITY_EXISTS,
                              "Role with name %s already exists.", name);
    if (rc != SQLITE_DONE)
        return ts_resp_error(c->resp, TS_ERR_INTERNAL, NULL);
    return role_write(c, name);
}

int iam_get_role(ts_call *c)
{
    const char *name = iam_role_name(c);

    return name ? role_write(c, name) : -1;
}

/* ListRoles: by name, PathPrefix and MaxItems honoured; the Marker is the
 * last name of the page before. */
int iam_list_roles(ts_call *c)
{
    const char *prefix = iam_arg(c, "PathPrefix"), *marker = iam_arg(c, "Marker");
    ts_buf *b = &c->resp->body;
    sqlite3_stmt *st;
    char *last = NULL;
    int max, n = 0, truncated = 0;

    if (iam_max_items(c, &max) != 0)
        return -1;
    st = store_stmt("SELECT " ROLE_COLUMNS " FROM iam_role WHERE account = ?1"
                    " AND substr(path, 1, length(?2)) = ?2 AND (?3 IS NULL OR name > ?3)"
                    " ORDER BY name LIMIT ?4");
    store_bind_text(st, 1, c->req->account);
    store_bind_text(st, 2, prefix ? prefix : "/");
    store_bind_text(st, 3, marker);
    sqlite3_bind_int(st, 4, max + 1);
    ts_buf_puts(b, "<Roles>");
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n == max) {
            truncated = 1;
            break;
        }
        role_xml(b, "member", st);
        last = store_col_text(c->req->arena, st, 0);
        n++;
    }
    sqlite3_reset(st);
    ts_buf_puts(b, "</Roles>");
    ts_xml_text(b, "IsTruncated", truncated ? "true" : "false");
    if (truncated)
        ts_xml_text(b, "Marker", last);
    return 0;
}

/* DeleteRole: refused while managed policies are attached, as AWS does. */
int iam_delete_role(ts_call *c)
{
    const char *name = iam_role_name(c);
    sqlite3_stmt *st;
    int64_t id;
    int attached;

    if (!name || !(id = iam_role_find(c, name)))
        return -1;
    st = store_stmt("SELECT count(*) FROM iam_role_policy WHERE role = ?1");
    sqlite3_bind_int64(st, 1, id);
    attached = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
    if (attached)
        return ts_resp_error(c->resp, TS_ERR_IAM_DELETE_CONFLICT, NULL);
    st = store_stmt("DELETE FROM iam_role WHERE id = ?1");
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_DONE) {
        sqlite3_reset(st);
        return ts_resp_error(c->resp, TS_ERR_INTERNAL, NULL);
    }
    sqlite3_reset(st);
    return 0;
}
