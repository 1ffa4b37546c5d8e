/*
 * lambda_invoke.c - Invoke.  RequestResponse suspends the caller's
 * connection (no worker thread waits) and answers when the environment
 * posts its result; Event writes the invocation into lambda_event in its
 * own transaction and answers 202, and the event pump (a bus job) runs
 * what that table holds, retrying a failed invoke twice, so an accepted
 * event survives a restart; DryRun checks and answers 204.
 */
#include "lambda_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinystack/bus.h"
#include "tinystack/lambda.h"
#include "tinystack/log.h"
#include "tinystack/store.h"

#define EVENT_ATTEMPTS 3

/* ---- synchronous ---- */

static void sync_done(lambda_inv *inv)
{
    ts_call *c = inv->arg;
    ts_req *req = c->req;
    ts_resp *resp = c->resp;

    if (inv->status < 0) {
        /* Refused before it ran (TooManyRequests, runtime down). */
        cJSON *o = cJSON_ParseWithLength(inv->result, inv->result_len);
        const char *type = lambda_str(o, "errorType");
        ts_resp_error(resp, type && !strcmp(type, "TooManyRequestsException")
                                ? TS_ERR_LAMBDA_TOO_MANY_REQUESTS : TS_ERR_LAMBDA_SERVICE,
                      ts_arena_strdup(req->arena, lambda_str(o, "errorMessage")));
        cJSON_Delete(o);
    } else {
        resp->status = 200;
        ts_buf_append(&resp->body, inv->result, inv->result_len);
        ts_resp_header(req, resp, "Content-Type", "application/json");
        ts_resp_header(req, resp, "X-Amz-Executed-Version", lambda_spec_version(inv->spec));
        if (inv->status)
            ts_resp_header(req, resp, "X-Amz-Function-Error", "Unhandled");
        if (inv->log_tail)
            ts_resp_header(req, resp, "X-Amz-Log-Result", inv->log_tail);
        cJSON_Delete(c->out);
        c->out = NULL;
    }
    lambda_inv_free(inv);
    http_resume(req);
}

/* The payload as the handler gets it: the body, "{}" when empty; NULL
 * with the error set when it is not JSON. */
static const char *payload_of(ts_call *c, size_t *len)
{
    ts_req *req = c->req;
    cJSON *probe;

    if (req->body.len == 0) {
        *len = 2;
        return "{}";
    }
    probe = cJSON_ParseWithLength(req->body.data, req->body.len);
    if (!probe) {
        ts_resp_error(c->resp, TS_ERR_LAMBDA_BAD_CONTENT,
                      "Could not parse request body into json: Could not parse payload into "
                      "json: Unexpected character: was expecting a JSON value");
        return NULL;
    }
    cJSON_Delete(probe);
    *len = req->body.len;
    return req->body.data;
}

int lambda_event_enqueue(const char *function_arn, const char *payload, size_t len, int depth)
{
    sqlite3_stmt *st = store_stmt("INSERT INTO lambda_event(function_arn, payload, created,"
                                  " depth) VALUES (?1, ?2, ?3, ?4)");
    int rc;

    store_bind_text(st, 1, function_arn);
    sqlite3_bind_blob(st, 2, payload, (int)len, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, ts_now_ms());
    sqlite3_bind_int(st, 4, depth);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return -1;
    bus_publish("lambda.event", "");
    return 0;
}

int lambda_depth_of_trace(const char *trace)
{
    const char *l = trace ? strstr(trace, "Lineage=") : NULL;
    const char *colon = l ? strchr(l, ':') : NULL;

    return colon ? atoi(colon + 1) : 0;
}

static int event_insert(ts_call *c, const char *arn, const char *payload, size_t len)
{
    if (store_begin() != 0)
        return ts_resp_error(c->resp, TS_ERR_LAMBDA_SERVICE, NULL);
    if (lambda_event_enqueue(arn, payload, len,
                             lambda_depth_of_trace(ts_req_header(c->req, "X-Amzn-Trace-Id"))) !=
        0) {
        store_rollback();
        bus_take_published();
        return ts_resp_error(c->resp, TS_ERR_LAMBDA_SERVICE, NULL);
    }
    if (store_commit() != 0) {
        bus_take_published();
        return ts_resp_error(c->resp, TS_ERR_LAMBDA_SERVICE, NULL);
    }
    if (bus_take_published())
        bus_notify();
    return 0;
}

int lambda_invoke(ts_call *c)
{
    const char *name, *qualifier, *payload;
    const char *type = lambda_str(c->in, "InvocationType");
    const char *log_type = lambda_str(c->in, "LogType");
    const char *context = lambda_str(c->in, "ClientContext");
    lambda_spec *spec;
    lambda_inv *inv;
    lambda_fn f;
    size_t len;

    if (lambda_name_parse(c, lambda_str(c->in, "FunctionName"), lambda_str(c->in, "Qualifier"),
                          &name, &qualifier) != 0)
        return -1;
    if (!(payload = payload_of(c, &len)))
        return -1;
    if (type && !strcmp(type, "Event") && len > LAMBDA_EVENT_PAYLOAD_MAX * 4)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_LAMBDA_TOO_LARGE,
                              "Request must be smaller than %u bytes for the InvokeAsync "
                              "operation", LAMBDA_EVENT_PAYLOAD_MAX * 4);
    if (lambda_fn_load_qualified(c, name, qualifier, &f) != 0)
        return -1;
    if (type && !strcmp(type, "DryRun")) {
        lambda_fn_free(&f);
        c->resp->status = 204;
        cJSON_Delete(c->out);
        c->out = NULL;
        return 0;
    }
    if (type && !strcmp(type, "Event")) {
        /* A version's configuration carries its qualified ARN; an alias
         * is named as such. */
        const char *arn = lambda_str(f.config, "FunctionArn");
        if (f.qualifier && strcmp(f.qualifier, "$LATEST") && strcmp(f.qualifier, f.version))
            arn = ts_arena_printf(c->req->arena, "%s:%s", lambda_arn(c, name), f.qualifier);
        arn = ts_arena_strdup(c->req->arena, arn);
        lambda_fn_free(&f);
        if (event_insert(c, arn, payload, len) != 0)
            return -1;
        c->resp->status = 202;
        cJSON_Delete(c->out);
        c->out = NULL;
        ts_buf_reset(&c->resp->body);
        return 0;
    }
    spec = lambda_spec_new(c, &f);
    lambda_fn_free(&f);
    if (!spec)
        return -1;
    inv = lambda_inv_new(spec, payload, len);
    lambda_spec_unref(spec);
    inv->tail = log_type && !strcmp(log_type, "Tail");
    inv->depth = lambda_depth_of_trace(ts_req_header(c->req, "X-Amzn-Trace-Id"));
    if (context) {
        /* X-Amz-Client-Context is base64; the runtime gets the JSON. */
        unsigned char *raw;
        size_t rawlen;
        if (ts_base64_decode(context, strlen(context), &raw, &rawlen) != 0) {
            lambda_inv_free(inv);
            return ts_resp_error(c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                                 "Client context must be a valid Base64-encoded JSON object.");
        }
        inv->client_context = ts_strndup((const char *)raw, rawlen);
        ts_free(raw);
    }
    inv->done = sync_done;
    inv->arg = c;
    http_suspend(c->req);
    lambda_runtime_submit(inv);
    return 0;
}

/* ---- the event pump ---- */

static pthread_mutex_t pump_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t in_flight[256];
static int nflight;

static int flight_has(int64_t id)
{
    for (int i = 0; i < nflight; i++)
        if (in_flight[i] == id)
            return 1;
    return 0;
}

static void flight_drop(int64_t id)
{
    pthread_mutex_lock(&pump_lock);
    for (int i = 0; i < nflight; i++)
        if (in_flight[i] == id) {
            in_flight[i] = in_flight[--nflight];
            break;
        }
    pthread_mutex_unlock(&pump_lock);
}

/* The row is done with: gone, or kept for a later attempt (attempts -1:
 * throttled, not an attempt). */
static void event_settle(int64_t id, int ok, int attempts, int max_attempts)
{
    sqlite3_stmt *st;

    if (store_begin() != 0)
        return;
    if (attempts < 0) {
        st = store_stmt("UPDATE lambda_event SET not_before = ?2 WHERE id = ?1");
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, ts_now_ms() + 1000);
    } else if (ok || attempts + 1 >= max_attempts) {
        st = store_stmt("DELETE FROM lambda_event WHERE id = ?1");
        sqlite3_bind_int64(st, 1, id);
    } else {
        st = store_stmt("UPDATE lambda_event SET attempts = attempts + 1, not_before = ?2"
                        " WHERE id = ?1");
        sqlite3_bind_int64(st, 1, id);
        /* AWS waits about one, then two minutes; locally a second, then two. */
        sqlite3_bind_int64(st, 2, ts_now_ms() + 1000 * (int64_t)(attempts + 1));
    }
    sqlite3_step(st);
    sqlite3_reset(st);
    if (store_commit() != 0)
        store_rollback();
}

typedef struct event_ref {
    int64_t id;
    int attempts;
    int max_attempts;   /* the function's MaximumRetryAttempts + 1 */
} event_ref;


static void event_done(lambda_inv *inv)
{
    event_ref *ref = inv->arg;

    if (inv->status < 0) {
        /* Throttled: it never ran, so it is not an attempt; try again in
         * a second (AWS keeps throttled events for hours). */
        event_settle(ref->id, 0, -1, ref->max_attempts);
    } else {
        if (inv->status != 0)
            ts_log(TS_LOG_INFO, "lambda: event %lld for %s failed (%s), attempt %d of %d",
                   (long long)ref->id, inv->spec ? lambda_spec_version(inv->spec) : "?",
                   inv->error_type ? inv->error_type : "error", ref->attempts + 1,
                   ref->max_attempts);
        event_settle(ref->id, inv->status == 0, ref->attempts, ref->max_attempts);
    }
    flight_drop(ref->id);
    ts_free(ref);
    lambda_inv_free(inv);
    bus_notify();
}

/* Starts the invocation of one queued event; 0, or -1 when its function
 * is gone (the row is dropped). */
static int event_start(int64_t id, const char *arn, const void *payload, size_t len,
                       int attempts, int depth, int64_t created)
{
    char region[64] = "", account[32] = "";
    ts_req req;
    ts_resp resp;
    ts_call c;
    const char *name, *qualifier;
    lambda_fn f;
    lambda_spec *spec = NULL;
    lambda_inv *inv;
    event_ref *ref;
    int retries = -1, max_age = -1, too_old = 0;

    /* arn:aws:lambda:<region>:<account>:function:... */
    sscanf(arn, "arn:%*[^:]:lambda:%63[^:]:%31[^:]:", region, account);
    memset(&req, 0, sizeof req);
    memset(&resp, 0, sizeof resp);
    memset(&c, 0, sizeof c);
    req.arena = ts_arena_new();
    req.region = region;
    req.account = account;
    req.call = &c;
    c.req = &req;
    c.resp = &resp;
    ts_buf_init(&resp.body);
    store_read_begin();
    if (lambda_name_parse(&c, arn, NULL, &name, &qualifier) == 0 &&
        lambda_fn_load_qualified(&c, name, qualifier, &f) == 0) {
        /* The function's asynchronous invocation settings, if any. */
        if (lambda_event_config_get(f.id, qualifier ? qualifier : "$LATEST", &retries,
                                    &max_age) != 0)
            retries = max_age = -1;
        if (max_age >= 0 && ts_now_ms() - created > (int64_t)max_age * 1000)
            too_old = 1;
        else
            spec = lambda_spec_new(&c, &f);
        lambda_fn_free(&f);
    }
    store_read_end();
    if (too_old) {
        ts_buf_free(&resp.body);
        ts_arena_free(req.arena);
        ts_log(TS_LOG_INFO, "lambda: event %lld for %s dropped: older than the function's "
               "MaximumEventAgeInSeconds (%d)", (long long)id, arn, max_age);
        return -1;
    }
    ts_buf_free(&resp.body);
    ts_arena_free(req.arena);
    if (!spec) {
        ts_log(TS_LOG_WARN, "lambda: event %lld for %s dropped: %s", (long long)id, arn,
               resp.err_message ? "the function is gone" : "it cannot run");
        return -1;
    }
    inv = lambda_inv_new(spec, payload, len);
    lambda_spec_unref(spec);
    inv->depth = depth;
    ref = ts_malloc(sizeof *ref);
    ref->id = id;
    ref->attempts = attempts;
    ref->max_attempts = retries >= 0 ? retries + 1 : EVENT_ATTEMPTS;
    inv->done = event_done;
    inv->arg = ref;
    lambda_runtime_submit(inv);
    return 0;
}

/* Bus job: starts every due event not already running. */
static void event_pump(void)
{
    sqlite3_stmt *st;
    struct { int64_t id, created; char *arn; void *payload; size_t len; int attempts, depth; }
        due[32];
    int n = 0;

    if (!store_in_use())
        return;
    store_read_begin();
    st = store_stmt("SELECT id, function_arn, payload, attempts, depth, created FROM lambda_event"
                    " WHERE not_before <= ?1 ORDER BY id LIMIT 64");
    sqlite3_bind_int64(st, 1, ts_now_ms());
    pthread_mutex_lock(&pump_lock);
    while (n < 32 && sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        if (flight_has(id) || nflight >= (int)TS_ARRAY_LEN(in_flight))
            continue;
        in_flight[nflight++] = id;
        due[n].id = id;
        due[n].arn = ts_strdup((const char *)sqlite3_column_text(st, 1));
        due[n].len = (size_t)sqlite3_column_bytes(st, 2);
        due[n].payload = ts_malloc(due[n].len + 1);
        memcpy(due[n].payload, sqlite3_column_blob(st, 2), due[n].len);
        due[n].attempts = sqlite3_column_int(st, 3);
        due[n].depth = sqlite3_column_int(st, 4);
        due[n].created = sqlite3_column_int64(st, 5);
        n++;
    }
    pthread_mutex_unlock(&pump_lock);
    sqlite3_reset(st);
    store_read_end();
    for (int i = 0; i < n; i++) {
        if (event_start(due[i].id, due[i].arn, due[i].payload, due[i].len,
                        due[i].attempts, due[i].depth, due[i].created) != 0) {
            event_settle(due[i].id, 1, 0, 1);
            flight_drop(due[i].id);
        }
        ts_free(due[i].arn);
        ts_free(due[i].payload);
    }
}

static int on_event_published(const char *payload)
{
    (void)payload;
    event_pump();
    return 0;
}

void lambda_events_init(void)
{
    bus_on("lambda.event", on_event_published);
    bus_every(500, event_pump);
}

/* ---- invokes for other services (API Gateway) ---- */

struct lambda_target {
    lambda_spec *spec;
};

typedef struct relay {
    lambda_result_fn done;
    void *arg;
} relay;

static void relay_done(lambda_inv *inv)
{
    relay *r = inv->arg;
    lambda_result res;

    res.status = inv->status;
    res.payload = inv->result ? inv->result : "";
    res.len = inv->result ? inv->result_len : 0;
    res.error_type = inv->error_type;
    res.caller_timeout = inv->caller_timeout && inv->error_type &&
                         !strcmp(inv->error_type, "Sandbox.Timedout");
    r->done(r->arg, &res);
    ts_free(r);
    lambda_inv_free(inv);
}

lambda_target *lambda_target_new(ts_call *c, const char *function_arn)
{
    ts_req *req = c->req;
    const char *region = req->region, *account = req->account, *name, *qualifier;
    char r[64], a[32];
    lambda_target *t = NULL;
    lambda_spec *spec = NULL;
    lambda_fn f;

    /* The ARN's own region and account name the function. */
    if (sscanf(function_arn ? function_arn : "", "arn:%*[^:]:lambda:%63[^:]:%31[^:]:", r, a) ==
        2) {
        req->region = ts_arena_strdup(req->arena, r);
        req->account = ts_arena_strdup(req->arena, a);
    }
    if (lambda_name_parse(c, function_arn ? function_arn : "", NULL, &name, &qualifier) == 0 &&
        lambda_fn_load_qualified(c, name, qualifier, &f) == 0) {
        spec = lambda_spec_new(c, &f);
        lambda_fn_free(&f);
    }
    req->region = region;
    req->account = account;
    if (spec) {
        t = ts_malloc(sizeof *t);
        t->spec = spec;
    }
    return t;
}

void lambda_target_invoke(lambda_target *t, const char *payload, size_t len, int max_ms,
                          lambda_result_fn done, void *arg)
{
    lambda_inv *inv = lambda_inv_new(t->spec, payload, len);
    relay *r = ts_malloc(sizeof *r);

    r->done = done;
    r->arg = arg;
    inv->max_ms = max_ms;
    inv->done = relay_done;
    inv->arg = r;
    lambda_runtime_submit(inv);
}

void lambda_target_free(lambda_target *t)
{
    if (!t)
        return;
    lambda_spec_unref(t->spec);
    ts_free(t);
}
