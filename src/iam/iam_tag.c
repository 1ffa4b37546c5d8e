/*
 * iam_tag.c - tags of roles, users and managed policies: Tag, Untag,
 * List, and the Tags of Create{Role,User,Policy}.  A row of iam_tag per
 * (owner, key); keys are unique regardless of case, as IAM has them, and
 * listed in key order.  Also the cleanup of what an owner leaves behind
 * when it is deleted.
 */
#include "iam_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#define TAG_PATTERN "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]"

/* 1 when s holds only characters of TAG_PATTERN: the ASCII ones are
 * checked, any other UTF-8 character passes (letters, spaces and digits
 * of every script are allowed, and telling them apart needs tables). */
static int tag_chars_ok(const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch >= 0x80)
            continue;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              strchr(" _.:/=+-@", ch)))
            return 0;
    }
    return 1;
}

static int owner_tag_count(const char *kind, int64_t id)
{
    sqlite3_stmt *st = store_stmt("SELECT count(*) FROM iam_tag WHERE kind = ?1 AND owner = ?2");

    store_bind_text(st, 1, kind);
    sqlite3_bind_int64(st, 2, id);
    return iam_query_int(st);
}

/* A tag of the request: its Tags.member.N index, key and value. */
typedef struct tag_arg {
    int index;
    const char *key, *value;
} tag_arg;

static int cmp_tag_index(const void *a, const void *b)
{
    return ((const tag_arg *)a)->index - ((const tag_arg *)b)->index;
}

/* The request's Tags.member.N.Key (the first of each N, at most
 * IAM_MAX_TAGS, which the model allows) in index order into t, with
 * their values; the count.  One walk over the form, so a body of many
 * names costs its length. */
static int tags_of(ts_call *c, tag_arg *t)
{
    char name[64];
    int n = 0;

    for (const cJSON *a = c->in ? c->in->child : NULL; a && n < IAM_MAX_TAGS; a = a->next) {
        const char *rest;
        int i = iam_member_index(a->string, "Tags.member.", &rest), seen = 0;

        if (!i || strcmp(rest, ".Key") != 0 || !cJSON_IsString(a))
            continue;
        for (int j = 0; j < n; j++)
            seen |= t[j].index == i;
        if (seen)
            continue;
        t[n].index = i;
        t[n++].key = a->valuestring;
    }
    qsort(t, (size_t)n, sizeof(*t), cmp_tag_index);
    for (int j = 0; j < n; j++) {
        snprintf(name, sizeof(name), "Tags.member.%d.Value", t[j].index);
        t[j].value = iam_arg(c, name);
        if (!t[j].value)
            t[j].value = "";
    }
    return n;
}

int iam_tags_put(ts_call *c, const char *kind, int64_t id)
{
    tag_arg t[IAM_MAX_TAGS];
    const char *keys[IAM_MAX_TAGS], *values[IAM_MAX_TAGS];
    int n = 0, total, count = tags_of(c, t);

    for (int i = 0; i < count; i++) {
        const char *k = t[i].key, *v = t[i].value;

        if (!tag_chars_ok(k) || !tag_chars_ok(v))
            return ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_VALIDATION,
                                  "1 validation error detected: Value '%s' at 'tags.%d.member.%s'"
                                  " failed to satisfy constraint: Member must satisfy regular "
                                  "expression pattern: " TAG_PATTERN "%s",
                                  tag_chars_ok(k) ? v : k, n + 1,
                                  tag_chars_ok(k) ? "value" : "key", tag_chars_ok(k) ? "*" : "+");
        for (int j = 0; j < n; j++)
            if (!strcasecmp(keys[j], k))
                return ts_resp_error(c->resp, TS_ERR_IAM_INVALID_INPUT,
                                     "Duplicate tag keys found. Please note that Tag keys are "
                                     "case insensitive.");
        keys[n] = k;
        values[n++] = v;
    }
    for (int j = 0; j < n; j++) {
        sqlite3_stmt *st = store_stmt("INSERT INTO iam_tag(kind, owner, key, value)"
                                      " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(kind, owner, key)"
                                      " DO UPDATE SET key = excluded.key, value = excluded.value");

        store_bind_text(st, 1, kind);
        sqlite3_bind_int64(st, 2, id);
        store_bind_text(st, 3, keys[j]);
        store_bind_text(st, 4, values[j]);
        if (iam_exec(c, st) != 0)
            return -1;
    }
    total = owner_tag_count(kind, id);
    if (total > IAM_MAX_TAGS)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_LIMIT_EXCEEDED,
                              "Cannot exceed quota for TagsPer%s: %d",
                              !strcmp(kind, "role")   ? "Role"
                              : !strcmp(kind, "user") ? "User"
                                                      : "Policy",
                              IAM_MAX_TAGS);
    return 0;
}

static void tag_member_cb(ts_buf *b, sqlite3_stmt *st, void *arg)
{
    (void)arg;
    ts_buf_puts(b, "<member>");
    ts_xml_text(b, "Key", (const char *)sqlite3_column_text(st, 0));
    ts_xml_text(b, "Value", (const char *)sqlite3_column_text(st, 1));
    ts_buf_puts(b, "</member>");
}

static const iam_rows tag_rows = {tag_member_cb, NULL, NULL};

/* The owner's tags after the Marker key (NULL: all), in key order. */
static sqlite3_stmt *tags_stmt(const char *kind, int64_t id, const char *marker)
{
    sqlite3_stmt *st = store_stmt("SELECT key, value FROM iam_tag WHERE kind = ?1 AND owner = ?2"
                                  " AND (?3 IS NULL OR key > ?3) ORDER BY key");

    store_bind_text(st, 1, kind);
    sqlite3_bind_int64(st, 2, id);
    store_bind_text(st, 3, marker);
    return st;
}

void iam_tags_xml(ts_buf *b, const char *kind, int64_t id)
{
    if (!owner_tag_count(kind, id))
        return;
    ts_buf_puts(b, "<Tags>");
    iam_rows_xml(b, NULL, tags_stmt(kind, id, NULL), 0, &tag_rows, NULL);
    ts_buf_puts(b, "</Tags>");
}

void iam_owner_forget(const char *kind, int64_t id)
{
    sqlite3_stmt *st = store_stmt("DELETE FROM iam_tag WHERE kind = ?1 AND owner = ?2");

    store_bind_text(st, 1, kind);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_step(st);
    sqlite3_reset(st);
    st = store_stmt("DELETE FROM iam_inline_policy WHERE kind = ?1 AND owner = ?2");
    store_bind_text(st, 1, kind);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_step(st);
    sqlite3_reset(st);
}

/* The owner of kind the request names (RoleName, UserName, PolicyArn):
 * its id, or 0 with the error set. */
static int64_t owner_id(ts_call *c, const char *kind)
{
    iam_owner o;

    if (!strcmp(kind, "policy"))
        return iam_policy_local(c);
    return iam_owner_find(c, kind, &o) == 0 ? o.id : 0;
}

static int tag(ts_call *c, const char *kind)
{
    int64_t id = owner_id(c, kind);

    return id ? iam_tags_put(c, kind, id) : -1;
}

static int untag(ts_call *c, const char *kind)
{
    int64_t id = owner_id(c, kind);

    if (!id)
        return -1;
    for (const cJSON *a = c->in->child; a; a = a->next) {
        const char *rest;
        sqlite3_stmt *st;

        if (!iam_member_index(a->string, "TagKeys.member.", &rest) || *rest ||
            !cJSON_IsString(a))
            continue;
        st = store_stmt("DELETE FROM iam_tag WHERE kind = ?1 AND owner = ?2 AND key = ?3");
        store_bind_text(st, 1, kind);
        sqlite3_bind_int64(st, 2, id);
        store_bind_text(st, 3, a->valuestring);
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    return 0;
}

static int list(ts_call *c, const char *kind)
{
    int64_t id = owner_id(c, kind);
    int max;

    if (!id)
        return -1;
    iam_max_items(c, &max);
    return iam_list_xml(c, "Tags", tags_stmt(kind, id, iam_arg(c, "Marker")), max, &tag_rows);
}

int iam_tag_role(ts_call *c)
{
    return tag(c, "role");
}

int iam_untag_role(ts_call *c)
{
    return untag(c, "role");
}

int iam_list_role_tags(ts_call *c)
{
    return list(c, "role");
}

int iam_tag_user(ts_call *c)
{
    return tag(c, "user");
}

int iam_untag_user(ts_call *c)
{
    return untag(c, "user");
}

int iam_list_user_tags(ts_call *c)
{
    return list(c, "user");
}

int iam_tag_policy(ts_call *c)
{
    return tag(c, "policy");
}

int iam_untag_policy(ts_call *c)
{
    return untag(c, "policy");
}

int iam_list_policy_tags(ts_call *c)
{
    return list(c, "policy");
}
