/*
 * http_server.c - the libmicrohttpd glue.  One daemon with an internal
 * thread pool on epoll serves every connection; each request gets a ts_req
 * with its own arena, made in the URI-log callback (which sees the raw URI)
 * and freed in the completion callback, which also writes the log line.
 *
 * The access handler runs in three phases: headers (route, pick the
 * operation, let a streaming operation begin), body pieces (fed to the
 * operation or buffered), and the end (run the handler, queue the
 * response).  An error found at the headers phase is answered at once, so
 * a client that sent Expect: 100-continue never uploads a body for nothing.
 */
#include "http_int.h"

#include "tinystack/store.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#define HTTP_MAX_BODY (64u << 20) /* buffered (non-streaming) bodies */
#define HTTP_BLOCK_SIZE (64u << 10)

ts_config ts_cfg;

static struct MHD_Daemon *daemon_;
static atomic_int in_flight;

typedef struct http_ctx {
    ts_req req;
    ts_resp resp;
} http_ctx;

static void log_request(http_ctx *c, int status)
{
    char when[32];
    double ms = (ts_now_monotonic() - c->req.started) * 1000.0;
    const char *svc = c->req.service ? c->req.service->name : "-";
    const char *op = c->req.op ? c->req.op->name : "-";

    if (ts_cfg.log_level < TS_LOG_INFO)
        return;
    ts_time_iso8601(ts_now_ms(), when);
    fprintf(stderr, "%s %s.%s %d %.1fms\n", when, svc, op, status, ms);
}

static void *uri_log_cb(void *cls, const char *uri, struct MHD_Connection *conn)
{
    http_ctx *c = ts_calloc(1, sizeof(*c));

    atomic_fetch_add(&in_flight, 1);
    c->req.arena = ts_arena_new();
    c->req.conn = conn;
    c->req.uri = ts_arena_strdup(c->req.arena, uri ? uri : "/");
    c->req.started = ts_now_monotonic();
    c->resp.status = 200;
    /* One draw of randomness gives the request id and S3's host id. */
    ts_random_hex(c->req.host_id, 24);
    snprintf(c->req.request_id, sizeof(c->req.request_id), "%.8s-%.4s-%.4s-%.4s-%.12s",
             c->req.host_id, c->req.host_id + 8, c->req.host_id + 12, c->req.host_id + 16,
             c->req.host_id + 20);
    return c;
}

static void completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    http_ctx *c = *con_cls;

    if (!c)
        return;
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && c->req.phase < 3)
        log_request(c, 0);
    /* The response may outlive this call (libmicrohttpd frees it later),
     * but its reader is never called again: release what it reads. */
    if (c->resp.reader_free)
        c->resp.reader_free(c->resp.reader_arg);
    ts_arena_free(c->req.arena);
    ts_buf_free(&c->req.body);
    ts_buf_free(&c->resp.body);
    free(c);
    *con_cls = NULL;
    atomic_fetch_sub(&in_flight, 1);
}

static size_t unescape_none_cb(void *cls, struct MHD_Connection *conn, char *s)
{
    return strlen(s);
}

static ssize_t reader_cb(void *cls, uint64_t pos, char *buf, size_t max)
{
    http_ctx *c = cls;
    long n = c->resp.reader(c->resp.reader_arg, pos, buf, max);

    if (n < 0)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    if (n == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    return n;
}

static enum MHD_Result respond(http_ctx *c)
{
    ts_req *req = &c->req;
    ts_resp *resp = &c->resp;
    struct MHD_Response *r;
    enum MHD_Result ret;

    if (resp->err != TS_ERR_NONE) {
        if (resp->reader_free) {
            resp->reader_free(resp->reader_arg);
            resp->reader_free = NULL;
        }
        resp->reader = NULL;
        resp->status = ts_error_status(resp->err);
        ts_buf_reset(&resp->body);
        if (req->service && req->service->proto)
            req->service->proto->render_error(req, resp);
        else
            http_render_plain_error(req, resp);
    }
    if (resp->reader) {
        r = MHD_create_response_from_callback(resp->reader_size, HTTP_BLOCK_SIZE,
                                              reader_cb, c, NULL);
    } else {
        size_t len;
        char *body = ts_buf_detach(&resp->body, &len);
        r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    }
    if (!r)
        return MHD_NO;
    for (ts_kv *h = resp->headers; h; h = h->next)
        MHD_add_response_header(r, h->name, h->value);
    if (req->service && !strcmp(req->service->name, "s3")) {
        MHD_add_response_header(r, "x-amz-request-id", req->request_id);
        MHD_add_response_header(r, "x-amz-id-2", req->host_id);
    } else {
        MHD_add_response_header(r, "x-amzn-RequestId", req->request_id);
        MHD_add_response_header(r, "x-amz-request-id", req->request_id);
    }
    MHD_add_response_header(r, "Server", "tinystack");
    req->phase = 3;
    ret = MHD_queue_response(req->conn, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    log_request(c, resp->status);
    return ret;
}

static void run_handler(http_ctx *c)
{
    ts_req *req = &c->req;

    if (c->resp.err != TS_ERR_NONE || !req->op || !req->op->handler)
        return;
    if (req->body_too_large) {
        ts_resp_error(&c->resp, TS_ERR_ENTITY_TOO_LARGE, NULL);
        return;
    }
    req->op->handler(req, &c->resp);
    if (store_txn_guard() != 0 && c->resp.err == TS_ERR_NONE)
        ts_resp_error(&c->resp, TS_ERR_INTERNAL, NULL);
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn,
                                 const char *url, const char *method,
                                 const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
    http_ctx *c = *con_cls;
    ts_req *req;

    if (!c)
        return MHD_NO;
    req = &c->req;
    if (req->phase == 0) {
        req->method = ts_arena_strdup(req->arena, method);
        http_req_parse(req);
        req->phase = 1;
        req->service = http_route(req);
        req->op = req->service->resolve(req, &c->resp);
        if (!req->op && c->resp.err == TS_ERR_NONE)
            ts_resp_error(&c->resp, TS_ERR_NOT_IMPLEMENTED, NULL);
        if (c->resp.err == TS_ERR_NONE && req->op && req->op->begin)
            req->op->begin(req, &c->resp);
        /* An early error is answered at once only when a body is coming,
         * so the client need not send it; otherwise after the (empty)
         * body, which keeps the connection alive. */
        if (c->resp.err != TS_ERR_NONE &&
            (req->content_length > 0 || ts_req_header(req, "Transfer-Encoding")))
            return respond(c);
        return MHD_YES;
    }
    if (req->phase == 1 && *upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (c->resp.err != TS_ERR_NONE)
            return MHD_YES;
        if (req->op->flags & TS_OP_STREAM) {
            req->op->body(req, upload_data, n);
        } else if (req->body.len + n > HTTP_MAX_BODY) {
            req->body_too_large = 1;
        } else {
            ts_buf_append(&req->body, upload_data, n);
        }
        return MHD_YES;
    }
    if (req->phase == 1) {
        req->phase = 2;
        if (!req->body.data)
            ts_buf_append(&req->body, "", 0);
        run_handler(c);
        return respond(c);
    }
    return MHD_YES;
}

static void mhd_log_cb(void *cls, const char *fmt, va_list ap)
{
    if (ts_cfg.log_level >= TS_LOG_DEBUG)
        vfprintf(stderr, fmt, ap);
}

int http_server_start(void)
{
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                     MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_TURBO;
    struct sockaddr_in addr;

    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)ts_cfg.port);
    if (inet_pton(AF_INET, ts_cfg.host, &addr.sin_addr) != 1) {
        ts_log(TS_LOG_ERROR, "bad listen address %s", ts_cfg.host);
        return -1;
    }
    daemon_ = MHD_start_daemon(
        flags, (uint16_t)ts_cfg.port, NULL, NULL, access_cb, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)ts_cfg.threads,
        MHD_OPTION_URI_LOG_CALLBACK, uri_log_cb, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, completed_cb, NULL,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape_none_cb, NULL,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256u << 10),
        MHD_OPTION_CONNECTION_LIMIT, 4000u,
        MHD_OPTION_CONNECTION_TIMEOUT, 600u,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log_cb, NULL,
        MHD_OPTION_END);
    if (!daemon_) {
        ts_log(TS_LOG_ERROR, "cannot listen on %s:%d: %s", ts_cfg.host,
               ts_cfg.port, strerror(errno));
        return -1;
    }
    return 0;
}

void http_server_stop(void)
{
    if (!daemon_)
        return;
    MHD_quiesce_daemon(daemon_);
    /* Let requests in flight finish, for at most five seconds (a client
     * stalled mid-upload must not hold the shutdown hostage). */
    for (int i = 0; i < 500 && atomic_load(&in_flight) > 0; i++)
        usleep(10000);
    MHD_stop_daemon(daemon_);
    daemon_ = NULL;
}
