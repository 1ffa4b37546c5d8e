/*
 * logs_event.c - log events: PutLogEvents (AWS's batch rules: time order,
 * 10,000 events, 1,048,576 bytes counting 26 a event, too old, too new and
 * expired events set aside in rejectedLogEventsInfo, a 24-hour span),
 * GetLogEvents (one stream, forward and backward tokens), FilterLogEvents
 * (a whole group, interleaved, through a filter pattern), logs_append()
 * for the Lambda runtime, and the sweep that deletes events past their
 * group's retention.
 *
 * Every read orders events by (timestamp, id): the id is the event's row,
 * so events of one timestamp keep their arrival order.  A paging token is
 * a place in that order (logs_text.c), so it stays good while events are
 * added, and a reader that has reached the end gets its own token back.
 */
#include "logs_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tinystack/log.h"

static int64_t json_int64(const cJSON *j)
{
    if (!cJSON_IsNumber(j))
        return 0;
    if (j->valuedouble >= 9.2e18)
        return INT64_MAX;
    if (j->valuedouble <= -9.2e18)
        return INT64_MIN;
    return (int64_t)j->valuedouble;
}

/* Adds one cleaned event to stream sid of group gid; 0 or -1. */
static int insert_event(int64_t gid, int64_t sid, int64_t ts, int64_t now, const ts_buf *msg)
{
    sqlite3_stmt *st = store_stmt("INSERT INTO logs_event(group_id, stream_id, ts, ingested,"
                                  " size, message) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
    int rc;

    sqlite3_bind_int64(st, 1, gid);
    sqlite3_bind_int64(st, 2, sid);
    sqlite3_bind_int64(st, 3, ts);
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)msg->len);
    sqlite3_bind_text(st, 6, msg->data ? msg->data : "", (int)msg->len, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* After events were added to stream sid of group gid (first and last
 * their earliest and latest timestamps, none when n is 0): the stream's
 * figures and sequence, the group's bytes.  Returns the new sequence
 * number, or -1. */
static int64_t note_events(int64_t gid, int64_t sid, size_t n, int64_t first, int64_t last,
                           int64_t now, int64_t bytes)
{
    sqlite3_stmt *st = store_stmt(
        "UPDATE logs_stream SET"
        " first_event = CASE WHEN ?2 IS NULL THEN first_event"
        "   ELSE min(coalesce(first_event, ?2), ?2) END,"
        " last_event = CASE WHEN ?3 IS NULL THEN last_event"
        "   ELSE max(coalesce(last_event, ?3), ?3) END,"
        " last_ingestion = CASE WHEN ?2 IS NULL THEN last_ingestion ELSE ?4 END,"
        " seq = seq + 1, stored_bytes = stored_bytes + ?5 WHERE id = ?1");
    int64_t seq = -1;
    int rc;

    sqlite3_bind_int64(st, 1, sid);
    if (n) {
        sqlite3_bind_int64(st, 2, first);
        sqlite3_bind_int64(st, 3, last);
    }
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_int64(st, 5, bytes);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return -1;
    st = store_stmt("UPDATE logs_group SET stored_bytes = stored_bytes + ?2 WHERE id = ?1");
    sqlite3_bind_int64(st, 1, gid);
    sqlite3_bind_int64(st, 2, bytes);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return -1;
    st = store_stmt("SELECT seq FROM logs_stream WHERE id = ?1");
    sqlite3_bind_int64(st, 1, sid);
    if (sqlite3_step(st) == SQLITE_ROW)
        seq = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return seq;
}

/* ---- PutLogEvents ---- */

int logs_put_log_events(ts_call *c)
{
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(c->in, "logEvents"), *e;
    size_t n = (size_t)cJSON_GetArraySize(events), i, total = 0, lo, hi, too_old = 0,
           expired = 0, too_new;
    int64_t prev = INT64_MIN, now = ts_now_ms(), *ts, seq, bytes = 0, old_from, exp_from;
    cJSON *info;
    char token[64];
    logs_group g;
    int64_t sid;
    ts_buf msg;

    /* The batch's own rules come first: they need no lookup. */
    ts = ts_arena_alloc(c->req->arena, (n ? n : 1) * sizeof(*ts));
    i = 0;
    cJSON_ArrayForEach(e, events) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");

        ts[i] = json_int64(cJSON_GetObjectItemCaseSensitive(e, "timestamp"));
        if (ts[i] < prev)
            return logs_invalid(c, "Log events in a single PutLogEvents request must be in "
                                   "chronological order.");
        prev = ts[i++];
        total += (cJSON_IsString(m) ? strlen(m->valuestring) : 0) + LOGS_EVENT_OVERHEAD;
    }
    if (total > LOGS_BATCH_BYTES)
        return logs_invalid(c, "Upload too large: %zu bytes exceeds limit of %d", total,
                            LOGS_BATCH_BYTES);
    if (logs_group_load(c, logs_arg(c, "logGroupName"), &g) != 0)
        return -1;
    if (!(sid = logs_stream_find(c, &g, logs_arg(c, "logStreamName"))))
        return -1;

    /* Sorted, the rejected events are a run at each end. */
    old_from = now - LOGS_TOO_OLD_MS;
    exp_from = logs_visible_from(&g, now);
    while (too_old < n && ts[too_old] < old_from)
        too_old++;
    while (expired < n && ts[expired] < exp_from)
        expired++;
    too_new = n;
    while (too_new > 0 && ts[too_new - 1] > now + LOGS_TOO_NEW_MS)
        too_new--;
    lo = TS_MAX(too_old, expired);
    hi = TS_MAX(too_new, lo);
    if (hi > lo && ts[hi - 1] - ts[lo] > LOGS_SPAN_MS)
        return logs_invalid(c, "The batch of log events in a single PutLogEvents request "
                               "cannot span more than 24 hours.");

    ts_buf_init(&msg);
    i = 0;
    cJSON_ArrayForEach(e, events) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");

        if (i >= lo && i < hi) {
            ts_buf_reset(&msg);
            if (cJSON_IsString(m))
                logs_message_clean(&msg, m->valuestring, strlen(m->valuestring));
            if (insert_event(g.id, sid, ts[i], now, &msg) != 0) {
                ts_buf_free(&msg);
                return ts_resp_error(c->resp, TS_ERR_INTERNAL_SERVER, NULL);
            }
            bytes += (int64_t)msg.len;
        }
        i++;
    }
    ts_buf_free(&msg);
    seq = note_events(g.id, sid, hi - lo, hi > lo ? ts[lo] : 0, hi > lo ? ts[hi - 1] : 0, now,
                      bytes);
    if (seq < 0)
        return ts_resp_error(c->resp, TS_ERR_INTERNAL_SERVER, NULL);
    snprintf(token, sizeof(token), "%056lld", (long long)seq);
    cJSON_AddStringToObject(c->out, "nextSequenceToken", token);
    if (too_old || expired || too_new < n) {
        info = cJSON_AddObjectToObject(c->out, "rejectedLogEventsInfo");
        if (too_new < n)
            cJSON_AddNumberToObject(info, "tooNewLogEventStartIndex", (double)too_new);
        if (too_old)
            cJSON_AddNumberToObject(info, "tooOldLogEventEndIndex", (double)too_old);
        if (expired)
            cJSON_AddNumberToObject(info, "expiredLogEventEndIndex", (double)expired);
    }
    return 0;
}

/* ---- reading ---- */

/* An event read for a page. */
typedef struct page_event {
    logs_pos pos;
    cJSON *json;
} page_event;

static cJSON *event_json(sqlite3_stmt *st, logs_pos pos, const char *stream)
{
    cJSON *o = cJSON_CreateObject();
    char id[57];

    if (stream)
        cJSON_AddStringToObject(o, "logStreamName", stream);
    cJSON_AddNumberToObject(o, "timestamp", (double)pos.ts);
    cJSON_AddStringToObject(o, "message", (const char *)sqlite3_column_text(st, 3));
    cJSON_AddNumberToObject(o, "ingestionTime", (double)sqlite3_column_int64(st, 2));
    if (stream) {
        logs_event_id(pos, id);
        cJSON_AddStringToObject(o, "eventId", id);
    }
    return o;
}

/* The limit member (1-10,000 as the model holds it; 10,000 absent). */
static int64_t page_limit(ts_call *c)
{
    int64_t limit = LOGS_PAGE_EVENTS;

    logs_arg_int(c, "limit", &limit);
    return limit;
}

static void add_token(ts_call *c, const char *member, char kind, logs_pos pos)
{
    char t[LOGS_TOKEN_SIZE];

    logs_token_encode(kind, pos, t);
    cJSON_AddStringToObject(c->out, member, t);
}

/* GetLogEvents: the events of one stream in [startTime, endTime), the
 * first page (startFromHead) or the last one, or the page after a
 * forward token or before a backward one; at most limit events and 1 MB.
 * At either end the token given comes back, which is how readers stop. */
int logs_get_log_events(ts_call *c)
{
    const char *token = logs_arg(c, "nextToken");
    int64_t start = INT64_MIN, end = INT64_MAX, limit = page_limit(c), sid;
    int head = logs_arg_bool(c, "startFromHead", 0);
    char kind = head ? 'f' : 'b';
    logs_pos at = {head ? 0 : INT64_MAX, head ? 0 : INT64_MAX};
    page_event *ev;
    cJSON *list;
    sqlite3_stmt *st;
    logs_group g;
    size_t bytes = 0;
    int64_t n = 0;

    if (token && logs_token_decode(token, &kind, &at) != 0)
        return logs_invalid(c, "The specified nextToken is invalid.");
    if (token && kind == 'n')
        return logs_invalid(c, "The specified nextToken is invalid.");
    if (logs_group_of_call(c, &g) != 0)
        return -1;
    if (!(sid = logs_stream_find(c, &g, logs_arg(c, "logStreamName"))))
        return -1;
    logs_arg_int(c, "startTime", &start);
    logs_arg_int(c, "endTime", &end);
    start = TS_MAX(start, logs_visible_from(&g, ts_now_ms()));
    if (kind == 'f')
        st = store_stmt("SELECT id, ts, ingested, message, size FROM logs_event"
                        " WHERE stream_id = ?1 AND ts >= ?2 AND ts < ?3 AND (ts, id) > (?4, ?5)"
                        " ORDER BY ts, id LIMIT ?6");
    else
        st = store_stmt("SELECT id, ts, ingested, message, size FROM logs_event"
                        " WHERE stream_id = ?1 AND ts >= ?2 AND ts < ?3 AND (ts, id) <= (?4, ?5)"
                        " ORDER BY ts DESC, id DESC LIMIT ?6");
    sqlite3_bind_int64(st, 1, sid);
    sqlite3_bind_int64(st, 2, start);
    sqlite3_bind_int64(st, 3, end);
    sqlite3_bind_int64(st, 4, at.ts);
    sqlite3_bind_int64(st, 5, at.id);
    sqlite3_bind_int64(st, 6, limit);
    ev = ts_arena_alloc(c->req->arena, (size_t)limit * sizeof(*ev));
    while (n < limit && sqlite3_step(st) == SQLITE_ROW) {
        size_t size = (size_t)sqlite3_column_int64(st, 4) + LOGS_EVENT_OVERHEAD;

        if (n > 0 && bytes + size > LOGS_PAGE_BYTES)
            break;
        bytes += size;
        ev[n].pos.id = sqlite3_column_int64(st, 0);
        ev[n].pos.ts = sqlite3_column_int64(st, 1);
        ev[n].json = event_json(st, ev[n].pos, NULL);
        n++;
    }
    sqlite3_reset(st);

    list = cJSON_AddArrayToObject(c->out, "events");
    for (int64_t i = 0; i < n; i++)
        cJSON_AddItemToArray(list, ev[kind == 'f' ? i : n - 1 - i].json);
    if (n > 0) {
        page_event *first = &ev[kind == 'f' ? 0 : n - 1], *last = &ev[kind == 'f' ? n - 1 : 0];
        logs_pos before = {first->pos.ts, first->pos.id - 1};

        add_token(c, "nextForwardToken", 'f', last->pos);
        add_token(c, "nextBackwardToken", 'b', before);
    } else if (token) {
        /* At the end: the token given comes back, the other points here. */
        if (kind == 'f') {
            cJSON_AddStringToObject(c->out, "nextForwardToken", token);
            add_token(c, "nextBackwardToken", 'b', at);
        } else {
            add_token(c, "nextForwardToken", 'f', at);
            cJSON_AddStringToObject(c->out, "nextBackwardToken", token);
        }
    } else {
        /* Nothing at all: both point at the start, so that following the
         * forward token finds the events that come later. */
        logs_pos zero = {0, 0};

        add_token(c, "nextForwardToken", 'f', zero);
        add_token(c, "nextBackwardToken", 'b', zero);
    }
    return 0;
}

/* The rows FilterLogEvents reads for one answer at most: a sparse match
 * over a large group ends a page early with a nextToken, as AWS does. */
#define FILTER_SCAN_MAX 100000

/* The streams FilterLogEvents searched (those its name filters let
 * through, at most 100), all searched completely unless more is set. */
static void searched_streams(ts_call *c, const logs_group *g, const char *prefix,
                             const char *names, int more)
{
    sqlite3_stmt *st = store_stmt("SELECT name FROM logs_stream WHERE group_id = ?1"
                                  " AND (?2 IS NULL OR substr(name, 1, length(?2)) = ?2)"
                                  " AND (?3 IS NULL OR instr(?3, ':' || name || ':') > 0)"
                                  " ORDER BY name LIMIT 100");
    cJSON *list = cJSON_AddArrayToObject(c->out, "searchedLogStreams");

    sqlite3_bind_int64(st, 1, g->id);
    store_bind_text(st, 2, prefix);
    store_bind_text(st, 3, names);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddStringToObject(o, "logStreamName", (const char *)sqlite3_column_text(st, 0));
        cJSON_AddBoolToObject(o, "searchedCompletely", !more);
        cJSON_AddItemToArray(list, o);
    }
    sqlite3_reset(st);
}

/* FilterLogEvents: the events of a group (of logStreamNames, or of the
 * streams named with logStreamNamePrefix) in [startTime, endTime] that
 * match filterPattern, interleaved in time order, at most limit events
 * and 1 MB a page; nextToken while more rows remain. */
int logs_filter_log_events(ts_call *c)
{
    const char *token = logs_arg(c, "nextToken");
    const char *prefix = logs_arg(c, "logStreamNamePrefix");
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(c->in, "logStreamNames");
    int64_t start = INT64_MIN, end = INT64_MAX, limit = page_limit(c), n = 0, scanned = 0;
    logs_pos at = {0, 0}, seen = {0, 0};
    const char *names_set;
    char kind;
    logs_pattern pat;
    sqlite3_stmt *st;
    logs_group g;
    cJSON *list;
    size_t bytes = 0;
    int more = 0;

    if (names && prefix)
        return logs_invalid(c, "logStreamNames and logStreamNamePrefix are mutually exclusive "
                               "parameters.");
    if (token && (logs_token_decode(token, &kind, &at) != 0 || kind != 'n'))
        return logs_invalid(c, "The specified nextToken is invalid.");
    if (logs_pattern_compile(&pat, logs_arg(c, "filterPattern"), c->req->arena, c->err,
                             sizeof(c->err)) != 0)
        return logs_invalid(c, "%s", c->err);
    if (logs_group_of_call(c, &g) != 0)
        return -1;
    names_set = logs_name_set(c, "logStreamNames", 0);
    logs_arg_int(c, "startTime", &start);
    logs_arg_int(c, "endTime", &end);
    start = TS_MAX(start, logs_visible_from(&g, ts_now_ms()));
    seen = at;

    /* logs_event drives the join, in its (group, ts, id) index order. */
    st = store_stmt("SELECT e.id, e.ts, e.ingested, e.message, e.size, s.name"
                    " FROM logs_event e CROSS JOIN logs_stream s ON s.id = e.stream_id"
                    " WHERE e.group_id = ?1 AND e.ts >= ?2 AND e.ts <= ?3"
                    " AND (e.ts, e.id) > (?4, ?5)"
                    " AND (?6 IS NULL OR substr(s.name, 1, length(?6)) = ?6)"
                    " AND (?7 IS NULL OR instr(?7, ':' || s.name || ':') > 0)"
                    " ORDER BY e.ts, e.id LIMIT ?8");
    sqlite3_bind_int64(st, 1, g.id);
    sqlite3_bind_int64(st, 2, start);
    sqlite3_bind_int64(st, 3, end);
    sqlite3_bind_int64(st, 4, at.ts);
    sqlite3_bind_int64(st, 5, at.id);
    store_bind_text(st, 6, prefix);
    store_bind_text(st, 7, names_set);
    sqlite3_bind_int(st, 8, FILTER_SCAN_MAX + 1);
    list = cJSON_AddArrayToObject(c->out, "events");
    while (sqlite3_step(st) == SQLITE_ROW) {
        logs_pos pos = {sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 0)};
        const char *msg = (const char *)sqlite3_column_text(st, 3);
        size_t size = (size_t)sqlite3_column_int64(st, 4) + LOGS_EVENT_OVERHEAD;

        if (++scanned > FILTER_SCAN_MAX || n == limit) {
            more = 1;
            break;
        }
        if (logs_pattern_match(&pat, msg, (size_t)sqlite3_column_bytes(st, 3))) {
            if (n > 0 && bytes + size > LOGS_PAGE_BYTES) {
                more = 1;
                break;
            }
            cJSON_AddItemToArray(list,
                                 event_json(st, pos, (const char *)sqlite3_column_text(st, 5)));
            bytes += size;
            n++;
        }
        seen = pos;
    }
    sqlite3_reset(st);
    searched_streams(c, &g, prefix, names_set, more);
    if (more)
        add_token(c, "nextToken", 'n', seen);
    return 0;
}

/* ---- the internal API ---- */

int logs_append(const char *region, const char *group, const char *stream,
                const logs_event *ev, size_t n)
{
    int64_t gid, sid, now = ts_now_ms(), first = INT64_MAX, last = INT64_MIN, bytes = 0;
    size_t kept = 0;
    ts_buf msg;

    if (!region)
        region = ts_cfg.region;
    if (!group || !stream || !logs_group_name_valid(group) || !logs_stream_name_valid(stream)) {
        ts_log(TS_LOG_ERROR, "logs: not a log group and stream: %s %s", group ? group : "(null)",
               stream ? stream : "(null)");
        return -1;
    }
    if (store_begin() != 0)
        return -1;
    if (!(gid = logs_group_ensure(ts_cfg.account, region, group)) ||
        !(sid = logs_stream_ensure(gid, stream)))
        goto fail;
    ts_buf_init(&msg);
    for (size_t i = 0; i < n; i++) {
        int64_t ts = ev[i].timestamp_ms < 0 ? 0 : ev[i].timestamp_ms;

        if (ev[i].len == 0 || !ev[i].message)
            continue;
        ts_buf_reset(&msg);
        logs_message_clean(&msg, ev[i].message, TS_MIN(ev[i].len, (size_t)LOGS_MESSAGE_MAX));
        if (msg.len > LOGS_MESSAGE_MAX) {
            /* Cleaning grew it: cut at a character boundary. */
            size_t cut = LOGS_MESSAGE_MAX;
            while (cut > 0 && ((unsigned char)msg.data[cut] & 0xC0) == 0x80)
                cut--;
            msg.len = cut;
            msg.data[cut] = '\0';
        }
        if (insert_event(gid, sid, ts, now, &msg) != 0) {
            ts_buf_free(&msg);
            goto fail;
        }
        first = TS_MIN(first, ts);
        last = TS_MAX(last, ts);
        bytes += (int64_t)msg.len;
        kept++;
    }
    ts_buf_free(&msg);
    if (note_events(gid, sid, kept, first, last, now, bytes) < 0)
        goto fail;
    return store_commit();
fail:
    ts_log(TS_LOG_ERROR, "logs: cannot append to %s %s: %s", group, stream,
           sqlite3_errmsg(store_db()));
    store_rollback();
    return -1;
}

/* ---- retention ---- */

/* Deletes the events of group gid older than cutoff, in one transaction,
 * taking their bytes off the streams and the group. */
static void expire_group(int64_t gid, int64_t cutoff)
{
    static const char *const sql[] = {
        "UPDATE logs_stream SET stored_bytes = max(0, stored_bytes - coalesce((SELECT"
        " sum(size) FROM logs_event WHERE stream_id = logs_stream.id AND ts < ?2), 0))"
        " WHERE group_id = ?1",
        "UPDATE logs_group SET stored_bytes = max(0, stored_bytes - coalesce((SELECT"
        " sum(size) FROM logs_event WHERE group_id = ?1 AND ts < ?2), 0)) WHERE id = ?1",
        "DELETE FROM logs_event WHERE group_id = ?1 AND ts < ?2",
        "UPDATE logs_stream SET first_event = (SELECT min(ts) FROM logs_event"
        " WHERE stream_id = logs_stream.id) WHERE group_id = ?1 AND first_event < ?2",
    };

    if (store_begin() != 0)
        return;
    for (size_t i = 0; i < TS_ARRAY_LEN(sql); i++) {
        sqlite3_stmt *st = store_stmt(sql[i]);
        int rc;

        sqlite3_bind_int64(st, 1, gid);
        sqlite3_bind_int64(st, 2, cutoff);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
            store_rollback();
            return;
        }
    }
    store_commit();
}

void logs_retention_sweep(void)
{
    sqlite3_stmt *st;
    int64_t *ids = NULL, *cutoffs = NULL, now = ts_now_ms();
    size_t n = 0, cap = 0;

    if (!store_in_use())
        return;
    /* The groups with events due, read first: the deletes run after. */
    store_read_begin();
    st = store_stmt("SELECT g.id, g.retention FROM logs_group g WHERE g.retention IS NOT NULL"
                    " AND EXISTS (SELECT 1 FROM logs_event e WHERE e.group_id = g.id"
                    " AND e.ts < ?1 - g.retention * 86400000)");
    sqlite3_bind_int64(st, 1, now);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            ids = ts_realloc(ids, cap * sizeof(*ids));
            cutoffs = ts_realloc(cutoffs, cap * sizeof(*cutoffs));
        }
        ids[n] = sqlite3_column_int64(st, 0);
        cutoffs[n] = now - sqlite3_column_int64(st, 1) * LOGS_DAY_MS;
        n++;
    }
    sqlite3_reset(st);
    store_read_end();
    for (size_t i = 0; i < n; i++)
        expire_group(ids[i], cutoffs[i]);
    ts_free(ids);
    ts_free(cutoffs);
}
