/*
 * logs_group.c - log groups and log streams: create, describe (prefixes,
 * patterns, ordering and paging as AWS does them), delete; retention
 * policies; and tags, by group name (the old TagLogGroup family) and by
 * ARN (TagResource and friends).  A group is a row of logs_group unique
 * by (account, region, name); its streams are rows of logs_stream, which
 * keep the figures DescribeLogStreams shows (first and last event,
 * last ingestion, bytes), updated as events come and go.
 */
#include "logs_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

/* ---- groups ---- */

static int insert_tags(ts_call *c, int64_t group_id, const cJSON *tags)
{
    sqlite3_stmt *st;
    const cJSON *t;

    cJSON_ArrayForEach(t, tags) {
        st = store_stmt("INSERT OR REPLACE INTO logs_tag(group_id, key, value) VALUES(?1, ?2, ?3)");
        sqlite3_bind_int64(st, 1, group_id);
        store_bind_text(st, 2, t->string);
        store_bind_text(st, 3, cJSON_IsString(t) ? t->valuestring : "");
        if (sqlite3_step(st) != SQLITE_DONE) {
            sqlite3_reset(st);
            return ts_resp_error(c->resp, TS_ERR_INTERNAL_SERVER, NULL);
        }
        sqlite3_reset(st);
    }
    return 0;
}

static int count_tags(int64_t group_id)
{
    sqlite3_stmt *st = store_stmt("SELECT count(*) FROM logs_tag WHERE group_id = ?1");
    int n;

    sqlite3_bind_int64(st, 1, group_id);
    n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
    return n;
}

/* CreateLogGroup: kmsKeyId, logGroupClass and deletionProtectionEnabled
 * are kept and shown (nothing is encrypted, and deletion protection is
 * not enforced); tags are stored. */
int logs_create_log_group(ts_call *c)
{
    const char *name = logs_arg(c, "logGroupName");
    const char *cls = logs_arg(c, "logGroupClass");
    sqlite3_stmt *st;
    int64_t id;
    int rc;

    st = store_stmt("INSERT INTO logs_group(account, region, name, created, kms_key_id, class,"
                    " deletion_protection) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    store_bind_text(st, 1, c->req->account);
    store_bind_text(st, 2, c->req->region);
    store_bind_text(st, 3, name);
    sqlite3_bind_int64(st, 4, ts_now_ms());
    store_bind_text(st, 5, logs_arg(c, "kmsKeyId"));
    store_bind_text(st, 6, cls ? cls : "STANDARD");
    sqlite3_bind_int(st, 7, logs_arg_bool(c, "deletionProtectionEnabled", 0));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT)
        return ts_resp_error(c->resp, TS_ERR_LOGS_ALREADY_EXISTS,
                             "The specified log group already exists");
    if (rc != SQLITE_DONE)
        return ts_resp_error(c->resp, TS_ERR_INTERNAL_SERVER, NULL);
    id = sqlite3_last_insert_rowid(store_db());
    return insert_tags(c, id, cJSON_GetObjectItemCaseSensitive(c->in, "tags"));
}

int64_t logs_group_ensure(const char *account, const char *region, const char *name)
{
    sqlite3_stmt *st = store_stmt("INSERT OR IGNORE INTO logs_group(account, region, name,"
                                  " created) VALUES(?1, ?2, ?3, ?4)");
    int64_t id = 0;

    store_bind_text(st, 1, account);
    store_bind_text(st, 2, region);
    store_bind_text(st, 3, name);
    sqlite3_bind_int64(st, 4, ts_now_ms());
    if (sqlite3_step(st) != SQLITE_DONE) {
        sqlite3_reset(st);
        return 0;
    }
    sqlite3_reset(st);
    st = store_stmt("SELECT id FROM logs_group WHERE account = ?1 AND region = ?2 AND name = ?3");
    store_bind_text(st, 1, account);
    store_bind_text(st, 2, region);
    store_bind_text(st, 3, name);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return id;
}

/* DescribeLogGroups: by name, logGroupNamePrefix or logGroupNamePattern
 * (a case-sensitive substring), logGroupClass, logGroupIdentifiers; limit
 * (50 when absent) and nextToken (the name the page before ended on). */
int logs_describe_log_groups(ts_call *c)
{
    const char *prefix = logs_arg(c, "logGroupNamePrefix");
    const char *pattern = logs_arg(c, "logGroupNamePattern");
    const char *token = logs_arg(c, "nextToken");
    cJSON *list = cJSON_CreateArray(), *last = NULL;
    int64_t limit = 50;
    sqlite3_stmt *st;
    int n = 0, more = 0;

    cJSON_AddItemToObject(c->out, "logGroups", list);
    if (prefix && pattern)
        return logs_invalid(c, "LogGroup name prefix and LogGroup name pattern are mutually "
                               "exclusive parameters.");
    if (token && !logs_group_name_valid(token))
        return logs_invalid(c, "The specified nextToken is invalid.");
    logs_arg_int(c, "limit", &limit);
    st = store_stmt("SELECT name, created, retention, kms_key_id, class, deletion_protection,"
                    " stored_bytes FROM logs_group WHERE account = ?1 AND region = ?2"
                    " AND (?3 IS NULL OR substr(name, 1, length(?3)) = ?3)"
                    " AND (?4 IS NULL OR instr(name, ?4) > 0)"
                    " AND (?5 IS NULL OR class = ?5) AND (?6 IS NULL OR name > ?6)"
                    " AND (?7 IS NULL OR instr(?7, ':' || name || ':') > 0)"
                    " ORDER BY name LIMIT ?8");
    store_bind_text(st, 1, c->req->account);
    store_bind_text(st, 2, c->req->region);
    store_bind_text(st, 3, prefix);
    store_bind_text(st, 4, pattern);
    store_bind_text(st, 5, logs_arg(c, "logGroupClass"));
    store_bind_text(st, 6, token);
    store_bind_text(st, 7, logs_name_set(c, "logGroupIdentifiers", 1));
    sqlite3_bind_int64(st, 8, limit + 1);
    while (sqlite3_step(st) == SQLITE_ROW) {
        logs_group g = {0, c->req->account, c->req->region, NULL, 0};
        cJSON *o;

        if (n == limit) {
            more = 1;
            break;
        }
        g.name = store_col_text(c->req->arena, st, 0);
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "logGroupName", g.name);
        cJSON_AddNumberToObject(o, "creationTime", (double)sqlite3_column_int64(st, 1));
        if (!pattern && sqlite3_column_type(st, 2) != SQLITE_NULL)
            cJSON_AddNumberToObject(o, "retentionInDays", sqlite3_column_int(st, 2));
        cJSON_AddNumberToObject(o, "metricFilterCount", 0);
        cJSON_AddStringToObject(o, "arn", logs_group_arn(c->req->arena, &g, 1));
        if (!pattern) {
            cJSON_AddNumberToObject(o, "storedBytes", (double)sqlite3_column_int64(st, 6));
            if (sqlite3_column_type(st, 3) != SQLITE_NULL)
                cJSON_AddStringToObject(o, "kmsKeyId", (const char *)sqlite3_column_text(st, 3));
        }
        cJSON_AddStringToObject(o, "logGroupClass", (const char *)sqlite3_column_text(st, 4));
        cJSON_AddStringToObject(o, "logGroupArn", logs_group_arn(c->req->arena, &g, 0));
        if (!pattern)
            cJSON_AddBoolToObject(o, "deletionProtectionEnabled", sqlite3_column_int(st, 5));
        cJSON_AddItemToArray(list, o);
        last = o;
        n++;
    }
    sqlite3_reset(st);
    if (more && last)
        cJSON_AddStringToObject(c->out, "nextToken",
                                cJSON_GetObjectItemCaseSensitive(last, "logGroupName")->valuestring);
    return 0;
}

/* Deletes the events, streams and tags of group_id, then the group. */
static int delete_group_rows(int64_t group_id)
{
    static const char *const sql[] = {
        "DELETE FROM logs_event WHERE group_id = ?1",
        "DELETE FROM logs_stream WHERE group_id = ?1",
        "DELETE FROM logs_tag WHERE group_id = ?1",
        "DELETE FROM logs_group WHERE id = ?1",
    };

    for (size_t i = 0; i < TS_ARRAY_LEN(sql); i++) {
        sqlite3_stmt *st = store_stmt(sql[i]);
        int rc;

        sqlite3_bind_int64(st, 1, group_id);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return -1;
    }
    return 0;
}

int logs_delete_log_group(ts_call *c)
{
    logs_group g;

    if (logs_group_load(c, logs_arg(c, "logGroupName"), &g) != 0)
        return -1;
    if (delete_group_rows(g.id) != 0)
        return ts_resp_error(c->resp, TS_ERR_INTERNAL_SERVER, NULL);
    return 0;
}

/* ---- streams ---- */

int logs_create_log_stream(ts_call *c)
{
    const char *name = logs_arg(c, "logStreamName");
    sqlite3_stmt *st;
    logs_group g;
    int rc;

    if (logs_group_load(c, logs_arg(c, "logGroupName"), &g) != 0)
        return -1;
    st = store_stmt("INSERT INTO logs_stream(group_id, name, created) VALUES(?1, ?2, ?3)");
    sqlite3_bind_int64(st, 1, g.id);
    store_bind_text(st, 2, name);
    sqlite3_bind_int64(st, 3, ts_now_ms());
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT)
        return ts_resp_error(c->resp, TS_ERR_LOGS_ALREADY_EXISTS,
                             "The specified log stream already exists");
    return rc == SQLITE_DONE ? 0 : ts_resp_error(c->resp, TS_ERR_INTERNAL_SERVER, NULL);
}

int64_t logs_stream_ensure(int64_t group_id, const char *name)
{
    sqlite3_stmt *st = store_stmt("INSERT OR IGNORE INTO logs_stream(group_id, name, created)"
                                  " VALUES(?1, ?2, ?3)");
    int64_t id = 0;

    sqlite3_bind_int64(st, 1, group_id);
    store_bind_text(st, 2, name);
    sqlite3_bind_int64(st, 3, ts_now_ms());
    if (sqlite3_step(st) != SQLITE_DONE) {
        sqlite3_reset(st);
        return 0;
    }
    sqlite3_reset(st);
    st = store_stmt("SELECT id FROM logs_stream WHERE group_id = ?1 AND name = ?2");
    sqlite3_bind_int64(st, 1, group_id);
    store_bind_text(st, 2, name);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return id;
}

/* The four orders of DescribeLogStreams, each seeking past the token's
 * (key, name): by name or by last event time, up or down.  A stream with
 * no event yet sorts by time as if its last event were at 0. */
static const char *const stream_queries[4] = {
    "SELECT name, created, first_event, last_event, last_ingestion, seq, stored_bytes"
    " FROM logs_stream WHERE group_id = ?1"
    " AND (?2 IS NULL OR substr(name, 1, length(?2)) = ?2)"
    " AND (?3 IS NULL OR name > ?3) ORDER BY name LIMIT ?5",
    "SELECT name, created, first_event, last_event, last_ingestion, seq, stored_bytes"
    " FROM logs_stream WHERE group_id = ?1"
    " AND (?2 IS NULL OR substr(name, 1, length(?2)) = ?2)"
    " AND (?3 IS NULL OR name < ?3) ORDER BY name DESC LIMIT ?5",
    "SELECT name, created, first_event, last_event, last_ingestion, seq, stored_bytes"
    " FROM logs_stream WHERE group_id = ?1 AND ?2 IS NULL"
    " AND (?3 IS NULL OR (coalesce(last_event, 0), name) > (?4, ?3))"
    " ORDER BY coalesce(last_event, 0), name LIMIT ?5",
    "SELECT name, created, first_event, last_event, last_ingestion, seq, stored_bytes"
    " FROM logs_stream WHERE group_id = ?1 AND ?2 IS NULL"
    " AND (?3 IS NULL OR (coalesce(last_event, 0), name) < (?4, ?3))"
    " ORDER BY coalesce(last_event, 0) DESC, name DESC LIMIT ?5",
};

/* A DescribeLogStreams token: "<last event time>:<name>" of the stream
 * the page ended on (stream names hold no ':').  0 or -1. */
static int stream_token_decode(const char *token, int64_t *key, const char **name)
{
    const char *colon = strchr(token, ':');
    char *end;
    long long k;

    if (!colon || colon == token)
        return -1;
    k = strtoll(token, &end, 10);
    if (end != colon || !logs_stream_name_valid(colon + 1))
        return -1;
    *key = k;
    *name = colon + 1;
    return 0;
}

/* A row of stream_queries as a LogStream of group g. */
static cJSON *stream_json(ts_call *c, const logs_group *g, sqlite3_stmt *st)
{
    const char *name = (const char *)sqlite3_column_text(st, 0);
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "logStreamName", name);
    cJSON_AddNumberToObject(o, "creationTime", (double)sqlite3_column_int64(st, 1));
    if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
        char seq[64];

        if (sqlite3_column_type(st, 2) != SQLITE_NULL)
            cJSON_AddNumberToObject(o, "firstEventTimestamp", (double)sqlite3_column_int64(st, 2));
        cJSON_AddNumberToObject(o, "lastEventTimestamp", (double)sqlite3_column_int64(st, 3));
        cJSON_AddNumberToObject(o, "lastIngestionTime", (double)sqlite3_column_int64(st, 4));
        snprintf(seq, sizeof(seq), "%056lld", (long long)sqlite3_column_int64(st, 5));
        cJSON_AddStringToObject(o, "uploadSequenceToken", seq);
    }
    cJSON_AddStringToObject(o, "arn",
                            ts_arena_printf(c->req->arena, "%s:log-stream:%s",
                                            logs_group_arn(c->req->arena, g, 0), name));
    cJSON_AddNumberToObject(o, "storedBytes", (double)sqlite3_column_int64(st, 6));
    return o;
}

int logs_describe_log_streams(ts_call *c)
{
    const char *prefix = logs_arg(c, "logStreamNamePrefix");
    const char *order = logs_arg(c, "orderBy");
    const char *token = logs_arg(c, "nextToken");
    int by_time = order && !strcmp(order, "LastEventTime");
    int desc = logs_arg_bool(c, "descending", 0);
    int64_t limit = 50, key = 0;
    const char *after = NULL;
    cJSON *list = cJSON_CreateArray();
    sqlite3_stmt *st;
    logs_group g;
    int n = 0, more = 0;
    int64_t last_key = 0;
    char *last_name = NULL;

    cJSON_AddItemToObject(c->out, "logStreams", list);
    if (by_time && prefix)
        return logs_invalid(c, "Cannot order by LastEventTime with a logStreamNamePrefix.");
    if (token && stream_token_decode(token, &key, &after) != 0)
        return logs_invalid(c, "The specified nextToken is invalid.");
    if (logs_group_of_call(c, &g) != 0)
        return -1;
    logs_arg_int(c, "limit", &limit);
    st = store_stmt(stream_queries[by_time * 2 + desc]);
    sqlite3_bind_int64(st, 1, g.id);
    store_bind_text(st, 2, prefix);
    store_bind_text(st, 3, after);
    sqlite3_bind_int64(st, 4, key);
    sqlite3_bind_int64(st, 5, limit + 1);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n == limit) {
            more = 1;
            break;
        }
        cJSON_AddItemToArray(list, stream_json(c, &g, st));
        last_name = store_col_text(c->req->arena, st, 0);
        last_key = by_time ? sqlite3_column_int64(st, 3) : 0;
        n++;
    }
    sqlite3_reset(st);
    if (more && last_name)
        cJSON_AddStringToObject(c->out, "nextToken",
                                ts_arena_printf(c->req->arena, "%lld:%s",
                                                (long long)last_key, last_name));
    return 0;
}

int logs_delete_log_stream(ts_call *c)
{
    sqlite3_stmt *st;
    logs_group g;
    int64_t sid;
    int rc;

    if (logs_group_load(c, logs_arg(c, "logGroupName"), &g) != 0)
        return -1;
    if (!(sid = logs_stream_find(c, &g, logs_arg(c, "logStreamName"))))
        return -1;
    st = store_stmt("UPDATE logs_group SET stored_bytes = max(0, stored_bytes -"
                    " (SELECT stored_bytes FROM logs_stream WHERE id = ?2)) WHERE id = ?1");
    sqlite3_bind_int64(st, 1, g.id);
    sqlite3_bind_int64(st, 2, sid);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    st = store_stmt("DELETE FROM logs_event WHERE stream_id = ?1");
    sqlite3_bind_int64(st, 1, sid);
    if (rc == SQLITE_DONE)
        rc = sqlite3_step(st);
    sqlite3_reset(st);
    st = store_stmt("DELETE FROM logs_stream WHERE id = ?1");
    sqlite3_bind_int64(st, 1, sid);
    if (rc == SQLITE_DONE)
        rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : ts_resp_error(c->resp, TS_ERR_INTERNAL_SERVER, NULL);
}

/* ---- retention ---- */

static const int retention_days[] = {
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
    2557, 2922, 3288, 3653,
};

static int set_retention(ts_call *c, int days)
{
    sqlite3_stmt *st;
    logs_group g;
    int rc;

    if (logs_group_load(c, logs_arg(c, "logGroupName"), &g) != 0)
        return -1;
    st = store_stmt("UPDATE logs_group SET retention = ?2 WHERE id = ?1");
    sqlite3_bind_int64(st, 1, g.id);
    if (days > 0)
        sqlite3_bind_int(st, 2, days);
    else
        sqlite3_bind_null(st, 2);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : ts_resp_error(c->resp, TS_ERR_INTERNAL_SERVER, NULL);
}

int logs_put_retention_policy(ts_call *c)
{
    int64_t days = 0;
    ts_buf set;
    int ok = 0;

    logs_arg_int(c, "retentionInDays", &days);
    for (size_t i = 0; i < TS_ARRAY_LEN(retention_days); i++)
        ok |= days == retention_days[i];
    if (!ok) {
        ts_buf_init(&set);
        for (size_t i = 0; i < TS_ARRAY_LEN(retention_days); i++)
            ts_buf_printf(&set, "%s%d", i ? ", " : "", retention_days[i]);
        logs_invalid(c, "1 validation error detected: Value '%lld' at 'retentionInDays' failed "
                        "to satisfy constraint: Member must satisfy enum value set: [%s]",
                     (long long)days, set.data);
        ts_buf_free(&set);
        return -1;
    }
    return set_retention(c, (int)days);
}

int logs_delete_retention_policy(ts_call *c)
{
    return set_retention(c, 0);
}

/* ---- tags ---- */

/* The group a resourceArn names; 0, or -1 with the error set. */
static int group_of_arn(ts_call *c, logs_group *g)
{
    const char *arn = logs_arg(c, "resourceArn");
    const char *region, *account, *name;

    if (logs_arn_parse(c->req->arena, arn, &region, &account, &name) != 0)
        return logs_invalid(c, "Invalid resource ARN: %s (tinystack tags log groups only: "
                               "arn:aws:logs:<region>:<account>:log-group:<name>)", arn);
    return logs_group_load_id(c, arn, g);
}

static int tag(ts_call *c, logs_group *g, ts_err too_many)
{
    if (insert_tags(c, g->id, cJSON_GetObjectItemCaseSensitive(c->in, "tags")) != 0)
        return -1;
    if (count_tags(g->id) > LOGS_MAX_TAGS) {
        ts_resp_error(c->resp, too_many, "A resource can have no more than 50 tags.");
        if (too_many == TS_ERR_LOGS_TOO_MANY_TAGS) {
            cJSON *s = cJSON_CreateString(logs_group_arn(c->req->arena, g, 0));
            char *text = cJSON_PrintUnformatted(s);

            c->resp->err_json = ts_arena_printf(c->req->arena, "\"resourceName\":%s", text);
            cJSON_free(text);
            cJSON_Delete(s);
        }
        return -1;
    }
    return 0;
}

static int untag(ts_call *c, logs_group *g, const char *member)
{
    const cJSON *keys = cJSON_GetObjectItemCaseSensitive(c->in, member), *k;

    cJSON_ArrayForEach(k, keys) {
        sqlite3_stmt *st;
        int rc;

        if (!cJSON_IsString(k))
            continue;
        st = store_stmt("DELETE FROM logs_tag WHERE group_id = ?1 AND key = ?2");
        sqlite3_bind_int64(st, 1, g->id);
        store_bind_text(st, 2, k->valuestring);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return ts_resp_error(c->resp, TS_ERR_INTERNAL_SERVER, NULL);
    }
    return 0;
}

static int list_tags(ts_call *c, logs_group *g)
{
    sqlite3_stmt *st = store_stmt("SELECT key, value FROM logs_tag WHERE group_id = ?1"
                                  " ORDER BY key");
    cJSON *tags = cJSON_AddObjectToObject(c->out, "tags");

    sqlite3_bind_int64(st, 1, g->id);
    while (sqlite3_step(st) == SQLITE_ROW)
        cJSON_AddStringToObject(tags, (const char *)sqlite3_column_text(st, 0),
                                (const char *)sqlite3_column_text(st, 1));
    sqlite3_reset(st);
    return 0;
}

int logs_tag_log_group(ts_call *c)
{
    logs_group g;

    if (logs_group_load(c, logs_arg(c, "logGroupName"), &g) != 0)
        return -1;
    return tag(c, &g, TS_ERR_LOGS_INVALID_PARAMETER);
}

int logs_untag_log_group(ts_call *c)
{
    logs_group g;

    if (logs_group_load(c, logs_arg(c, "logGroupName"), &g) != 0)
        return -1;
    return untag(c, &g, "tags");
}

int logs_list_tags_log_group(ts_call *c)
{
    logs_group g;

    if (logs_group_load(c, logs_arg(c, "logGroupName"), &g) != 0)
        return -1;
    return list_tags(c, &g);
}

int logs_tag_resource(ts_call *c)
{
    logs_group g;

    if (group_of_arn(c, &g) != 0)
        return -1;
    return tag(c, &g, TS_ERR_LOGS_TOO_MANY_TAGS);
}

int logs_untag_resource(ts_call *c)
{
    logs_group g;

    if (group_of_arn(c, &g) != 0)
        return -1;
    return untag(c, &g, "tagKeys");
}

int logs_list_tags_for_resource(ts_call *c)
{
    logs_group g;

    if (group_of_arn(c, &g) != 0)
        return -1;
    return list_tags(c, &g);
}
