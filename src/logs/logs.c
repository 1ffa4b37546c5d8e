/*
 * logs.c - CloudWatch Logs (JSON 1.1, X-Amz-Target Logs_20140328.<Operation>):
 * the operation table, the descriptor, and what the operations share:
 * reading the input, and finding a log group by name, by ARN, or by the
 * logGroupName / logGroupIdentifier pair the read operations take.
 *
 * A group belongs to an account and a region: the request's region is its
 * SigV4 credential scope's, else the configured default (ts_req.region),
 * as for DynamoDB.  The model check runs before every handler, and its
 * constraint failures are InvalidParameterException here, as CloudWatch
 * Logs answers them ("1 validation error detected: ...").
 */
#include "logs_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tinystack/bus.h"

const char *logs_arg(ts_call *c, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->in, name);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int logs_arg_int(ts_call *c, const char *name, int64_t *v)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(c->in, name);

    if (!cJSON_IsNumber(j))
        return 0;
    /* The model check held it to an integer; cJSON keeps it as a double,
     * exact up to 2^53, past any millisecond timestamp or count. */
    if (j->valuedouble >= 9.2e18)
        *v = INT64_MAX;
    else if (j->valuedouble <= -9.2e18)
        *v = INT64_MIN;
    else
        *v = (int64_t)j->valuedouble;
    return 1;
}

int logs_arg_bool(ts_call *c, const char *name, int def)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(c->in, name);

    return cJSON_IsBool(j) ? cJSON_IsTrue(j) : def;
}

int logs_invalid(ts_call *c, const char *fmt, ...)
{
    va_list ap;
    ts_buf b;

    ts_buf_init(&b);
    va_start(ap, fmt);
    ts_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    c->resp->err = TS_ERR_LOGS_INVALID_PARAMETER;
    c->resp->err_message = ts_arena_strdup(c->req->arena, b.data ? b.data : "");
    ts_buf_free(&b);
    return -1;
}

char *logs_group_arn(ts_arena *a, const logs_group *g, int star)
{
    return ts_arena_printf(a, "arn:aws:logs:%s:%s:log-group:%s%s", g->region, g->account,
                           g->name, star ? ":*" : "");
}

/* Loads (account, region, name) into g; 0, or -1 with the not-found set. */
static int group_load(ts_call *c, const char *account, const char *region, const char *name,
                      logs_group *g)
{
    sqlite3_stmt *st = store_stmt("SELECT id, retention FROM logs_group"
                                  " WHERE account = ?1 AND region = ?2 AND name = ?3");
    int rc = -1;

    store_bind_text(st, 1, account);
    store_bind_text(st, 2, region);
    store_bind_text(st, 3, name);
    if (sqlite3_step(st) == SQLITE_ROW) {
        g->id = sqlite3_column_int64(st, 0);
        g->retention = sqlite3_column_int(st, 1);
        g->account = account;
        g->region = region;
        g->name = name;
        rc = 0;
    }
    sqlite3_reset(st);
    if (rc != 0)
        ts_resp_error(c->resp, TS_ERR_RESOURCE_NOT_FOUND,
                      "The specified log group does not exist.");
    return rc;
}

int logs_group_load(ts_call *c, const char *name, logs_group *g)
{
    return group_load(c, c->req->account, c->req->region, name, g);
}

int logs_arn_parse(ts_arena *a, const char *arn, const char **region, const char **account,
                   const char **name)
{
    char *copy, *p, *n;
    size_t len;

    /* arn:<partition>:logs:<region>:<account>:log-group:<name>[:*] */
    if (!ts_starts_with(arn, "arn:"))
        return -1;
    copy = ts_arena_strdup(a, arn);
    p = strchr(copy + 4, ':');
    if (!p || strncmp(p, ":logs:", 6) != 0)
        return -1;
    *region = p + 6;
    if (!(p = strchr(p + 6, ':')))
        return -1;
    *p = '\0';
    *account = p + 1;
    if (!(p = strchr(p + 1, ':')) || strncmp(p, ":log-group:", 11) != 0)
        return -1;
    *p = '\0';
    n = p + 11;
    len = strlen(n);
    if (len >= 2 && !strcmp(n + len - 2, ":*"))
        n[len - 2] = '\0';
    *name = n;
    return **region && **account && logs_group_name_valid(n) ? 0 : -1;
}

int logs_group_load_id(ts_call *c, const char *ident, logs_group *g)
{
    const char *region, *account, *name;

    if (!ts_starts_with(ident, "arn:"))
        return logs_group_load(c, ident, g);
    if (logs_arn_parse(c->req->arena, ident, &region, &account, &name) != 0)
        return logs_invalid(c, "The specified log group ARN is not valid: %s", ident);
    return group_load(c, account, region, name, g);
}

const char *logs_name_set(ts_call *c, const char *member, int groups)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(c->in, member), *v;
    ts_buf set;
    char *out;

    if (!cJSON_IsArray(list))
        return NULL;
    ts_buf_init(&set);
    ts_buf_putc(&set, ':');
    cJSON_ArrayForEach(v, list) {
        const char *region, *account, *name = cJSON_IsString(v) ? v->valuestring : "";

        if (groups && ts_starts_with(name, "arn:") &&
            logs_arn_parse(c->req->arena, name, &region, &account, &name) != 0)
            continue;
        if (groups ? !logs_group_name_valid(name) : !logs_stream_name_valid(name))
            continue;
        ts_buf_puts(&set, name);
        ts_buf_putc(&set, ':');
    }
    out = ts_arena_strndup(c->req->arena, set.data, set.len);
    ts_buf_free(&set);
    return out;
}

int logs_group_of_call(ts_call *c, logs_group *g)
{
    const char *name = logs_arg(c, "logGroupName");
    const char *ident = logs_arg(c, "logGroupIdentifier");

    if (name && ident)
        return ts_resp_error(c->resp, TS_ERR_VALIDATION,
                             "LogGroup name and LogGroup ARN are mutually exclusive "
                             "parameters.");
    if (name)
        return logs_group_load(c, name, g);
    if (ident)
        return logs_group_load_id(c, ident, g);
    return logs_invalid(c, "Should provide either name or ARN of the log group.");
}

int64_t logs_stream_find(ts_call *c, const logs_group *g, const char *name)
{
    sqlite3_stmt *st = store_stmt("SELECT id FROM logs_stream WHERE group_id = ?1 AND name = ?2");
    int64_t id = 0;

    sqlite3_bind_int64(st, 1, g->id);
    store_bind_text(st, 2, name);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (!id)
        ts_resp_error(c->resp, TS_ERR_RESOURCE_NOT_FOUND,
                      "The specified log stream does not exist.");
    return id;
}

int64_t logs_visible_from(const logs_group *g, int64_t now_ms)
{
    return g->retention > 0 ? now_ms - g->retention * LOGS_DAY_MS : INT64_MIN;
}

static void logs_init(void)
{
    /* Events past their group's retention are hidden from reads at once;
     * this deletes them. */
    bus_every(10000, logs_retention_sweep);
}

/* PutLogEvents carries up to 1 MiB of messages, which JSON escaping can
 * make six times longer (a control character is "\u0001"). */
#define LOGS_PUT_BODY_MAX (8u << 20)

#define W(name, fn) {name, fn, TS_OP_WRITE, NULL, NULL, NULL, NULL, 0}
#define R(name, fn) {name, fn, TS_OP_READ, NULL, NULL, NULL, NULL, 0}
static const ts_op logs_ops[] = {
    W("CreateLogGroup", logs_create_log_group),
    W("CreateLogStream", logs_create_log_stream),
    W("DeleteLogGroup", logs_delete_log_group),
    W("DeleteLogStream", logs_delete_log_stream),
    W("DeleteRetentionPolicy", logs_delete_retention_policy),
    R("DescribeLogGroups", logs_describe_log_groups),
    R("DescribeLogStreams", logs_describe_log_streams),
    R("FilterLogEvents", logs_filter_log_events),
    R("GetLogEvents", logs_get_log_events),
    R("ListTagsForResource", logs_list_tags_for_resource),
    R("ListTagsLogGroup", logs_list_tags_log_group),
    {"PutLogEvents", logs_put_log_events, TS_OP_WRITE, NULL, NULL, NULL, NULL, LOGS_PUT_BODY_MAX},
    W("PutRetentionPolicy", logs_put_retention_policy),
    W("TagLogGroup", logs_tag_log_group),
    W("TagResource", logs_tag_resource),
    W("UntagLogGroup", logs_untag_log_group),
    W("UntagResource", logs_untag_resource),
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, 0},
};
#undef W
#undef R

const ts_service logs_service = {
    .name = "logs",
    .signing_name = "logs",
    .target_prefix = "Logs_20140328.",
    .proto = &ts_proto_json11,
    .ops = logs_ops,
    .model_error = TS_ERR_LOGS_INVALID_PARAMETER,
    .max_body = 1u << 20,
    .too_large = TS_ERR_JSON_REQUEST_TOO_LARGE,
    .available = 1,
    .init = logs_init,
};
