/*
 * http_server.c - the libmicrohttpd glue.  One daemon with an internal
 * thread pool on epoll serves every connection; each request gets a
 * context (request, response and call) with its own arena, made in the
 * URI-log callback (which sees the raw URI) and freed in the completion
 * callback, which also writes the log line.
 *
 * The access handler runs in phases: headers (copy them, check the
 * framing, route, cap the body, let a streaming operation begin), body
 * pieces (fed to the operation or buffered up to the cap), the end (the
 * dispatcher runs the operation), and, for a suspended request, the
 * resumption (a Lambda's answer, or the commit its write waited for).  An error found at the headers phase is answered at once,
 * so a client that sent Expect: 100-continue never uploads a body for
 * nothing.
 *
 * Limits: a silent or idle connection is closed after ts_cfg.idle_timeout
 * seconds; one remote (non-loopback) address holds at most
 * ts_cfg.max_conns_per_ip connections; the total follows the file limit.
 */
#include "http_int.h"

#include "tinystack/store.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#define HTTP_BLOCK_SIZE (64u << 10)
/* Each connection's pool (headers, read and write buffers).  libmicrohttpd
 * zeroes it for every request, so its size is paid per request: 32 KiB
 * holds AWS's largest headers (8 KiB) with room to spare. */
#define HTTP_CONN_MEMORY (32u << 10)
#define HTTP_IP_SLOTS 1024

static struct MHD_Daemon *daemon_;
static atomic_int in_flight;

/* Suspension: one lock orders a suspend against a resume that may come
 * from another thread before the connection is even parked. */
enum { PARK_NONE, PARK_WANTED, PARK_PARKED, PARK_RESUMED };
static pthread_mutex_t park_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct http_ctx {
    ts_req req;
    ts_resp resp;
    ts_call call;
    int park;
    struct http_ctx *park_next, **park_prev;
} http_ctx;

static http_ctx *parked;

/* Connections per remote address: a small open-addressing count table. */
static pthread_mutex_t ip_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    unsigned char addr[16];
    int n;
} ip_slots[HTTP_IP_SLOTS];

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
    c->req.call = &c->call;
    c->call.req = &c->req;
    c->call.resp = &c->resp;
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
    cJSON_Delete(c->call.in);
    cJSON_Delete(c->call.out);
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
    if (n == 0) {
        /* A body that ends before its announced length is a broken one:
         * close the connection rather than leave the client waiting. */
        if (c->resp.reader_size != MHD_SIZE_UNKNOWN && pos < c->resp.reader_size)
            return MHD_CONTENT_READER_END_WITH_ERROR;
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    return n;
}

static enum MHD_Result respond(http_ctx *c)
{
    ts_req *req = &c->req;
    ts_resp *resp = &c->resp;
    struct MHD_Response *r;
    enum MHD_Result ret;

    http_render(&c->call);
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
    MHD_add_response_header(r, "Server", "tinystack");
    if (resp->close)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    req->phase = 3;
    ret = MHD_queue_response(req->conn, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    log_request(c, resp->status);
    return ret;
}

typedef struct header_copy {
    ts_req *req;
    ts_kv **tail;
} header_copy;

static enum MHD_Result header_copy_cb(void *cls, enum MHD_ValueKind kind,
                                      const char *key, const char *value)
{
    header_copy *hc = cls;
    ts_kv *kv = ts_arena_alloc(hc->req->arena, sizeof(*kv));

    kv->name = key;   /* libmicrohttpd keeps them for the request's life */
    kv->value = value ? value : "";
    kv->next = NULL;
    *hc->tail = kv;
    hc->tail = &kv->next;
    return MHD_YES;
}

/* Framing the server must refuse itself: a Transfer-Encoding other than
 * chunked (501), and two Content-Length headers that disagree (400: a
 * proxy in front might read the other one). */
static int check_framing(ts_req *req, ts_resp *resp)
{
    const char *te = ts_req_header(req, "Transfer-Encoding"), *cl = NULL;

    if (te && !ts_strieq(te, "chunked")) {
        resp->close = 1;
        return ts_resp_error(resp, TS_ERR_NOT_IMPLEMENTED_TE, NULL);
    }
    for (ts_kv *h = req->headers; h; h = h->next) {
        if (!ts_strieq(h->name, "Content-Length"))
            continue;
        if (cl && strcmp(cl, h->value) != 0) {
            resp->close = 1;
            return ts_resp_error(resp, TS_ERR_BAD_REQUEST,
                                 "conflicting Content-Length headers");
        }
        cl = h->value;
    }
    if (te && cl) {
        resp->close = 1;
        return ts_resp_error(resp, TS_ERR_BAD_REQUEST,
                             "Content-Length and Transfer-Encoding together");
    }
    return 0;
}

static enum MHD_Result on_headers(http_ctx *c, const char *method)
{
    ts_req *req = &c->req;
    ts_resp *resp = &c->resp;
    header_copy hc = {req, &req->headers};

    req->method = ts_arena_strdup(req->arena, method);
    {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        const struct sockaddr *sa = ci ? ci->client_addr : NULL;
        if (sa && sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, req->peer,
                      sizeof req->peer);
        else if (sa && sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, req->peer,
                      sizeof req->peer);
    }
    MHD_get_connection_values(req->conn, MHD_HEADER_KIND, header_copy_cb, &hc);
    ts_req_parse(req);
    req->phase = 1;
    if (check_framing(req, resp) != 0) {
        req->service = &http_internal_service;
        return respond(c);
    }
    http_route(&c->call);
    if (!req->op && resp->err == TS_ERR_NONE && req->service->proto != &ts_proto_query)
        ts_resp_error(resp, TS_ERR_NOT_IMPLEMENTED, NULL);
    if (resp->err == TS_ERR_NONE && req->op && !(req->op->flags & TS_OP_STREAM) &&
        req->has_content_length && req->content_length > http_body_cap(&c->call))
        ts_resp_error(resp, req->service->too_large ? req->service->too_large
                                                    : TS_ERR_REQUEST_TOO_LARGE, NULL);
    if (resp->err == TS_ERR_NONE && req->op && req->op->begin)
        req->op->begin(&c->call);
    /* An early error is answered at once only when a body is coming, so
     * the client need not send it; otherwise after the (empty) body,
     * which keeps the connection alive. */
    if (resp->err != TS_ERR_NONE &&
        (req->content_length > 0 || ts_req_header(req, "Transfer-Encoding")))
        return respond(c);
    return MHD_YES;
}

static void on_body(http_ctx *c, const char *data, size_t n)
{
    ts_req *req = &c->req;

    if (c->resp.err != TS_ERR_NONE || req->body_too_large)
        return;
    if (req->op && (req->op->flags & TS_OP_STREAM)) {
        req->op->body(&c->call, data, n);
    } else if (req->body.len + n > http_body_cap(&c->call)) {
        /* Over the cap: what came is dropped now, the rest as it comes. */
        req->body_too_large = 1;
        ts_buf_free(&req->body);
    } else {
        ts_buf_append(&req->body, data, n);
    }
}

/* After the dispatcher, or a resumption: answers now, or parks the
 * connection (no thread waits) until http_resume(). */
static enum MHD_Result answer_or_park(http_ctx *c)
{
    ts_req *req = &c->req;

    for (;;) {
        if (!req->suspended)
            return respond(c);
        pthread_mutex_lock(&park_lock);
        if (c->park != PARK_RESUMED)
            break;
        /* Resumed before it was even parked: carry on now. */
        pthread_mutex_unlock(&park_lock);
        req->suspended = 0;
        http_dispatch_resumed(&c->call);
    }
    c->park = PARK_PARKED;
    c->park_next = parked;
    c->park_prev = &parked;
    if (parked)
        parked->park_prev = &c->park_next;
    parked = c;
    req->phase = 4;
    MHD_suspend_connection(req->conn);
    pthread_mutex_unlock(&park_lock);
    return MHD_YES;
}

static enum MHD_Result on_end(http_ctx *c)
{
    ts_req *req = &c->req;

    req->phase = 2;
    if (!req->body.data)
        ts_buf_append(&req->body, "", 0);
    http_dispatch(&c->call);
    return answer_or_park(c);
}

void http_suspend(ts_req *req)
{
    http_ctx *c = (http_ctx *)req;

    pthread_mutex_lock(&park_lock);
    req->suspended = 1;
    c->park = PARK_WANTED;
    pthread_mutex_unlock(&park_lock);
}

void http_unsuspend(ts_req *req)
{
    http_ctx *c = (http_ctx *)req;

    pthread_mutex_lock(&park_lock);
    req->suspended = 0;
    c->park = PARK_NONE;
    pthread_mutex_unlock(&park_lock);
}

void http_resume(ts_req *req)
{
    http_ctx *c = (http_ctx *)req;

    pthread_mutex_lock(&park_lock);
    if (c->park == PARK_PARKED) {
        *c->park_prev = c->park_next;
        if (c->park_next)
            c->park_next->park_prev = c->park_prev;
        c->park = PARK_RESUMED;
        MHD_resume_connection(req->conn);
    } else {
        c->park = PARK_RESUMED;
    }
    pthread_mutex_unlock(&park_lock);
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn,
                                 const char *url, const char *method,
                                 const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
    http_ctx *c = *con_cls;

    if (!c)
        return MHD_NO;
    switch (c->req.phase) {
    case 0:
        return on_headers(c, method);
    case 1:
        if (*upload_data_size) {
            on_body(c, upload_data, *upload_data_size);
            *upload_data_size = 0;
            return MHD_YES;
        }
        return on_end(c);
    case 4:
        c->req.suspended = 0;
        http_dispatch_resumed(&c->call);
        return answer_or_park(c);
    default:
        *upload_data_size = 0;
        return MHD_YES;
    }
}

static void mhd_log_cb(void *cls, const char *fmt, va_list ap)
{
    if (ts_cfg.log_level >= TS_LOG_DEBUG)
        vfprintf(stderr, fmt, ap);
}

/* The key of a remote address in ip_slots, or -1 for loopback (local
 * clients share one address, so they are not capped per address). */
static int ip_key(const struct sockaddr *sa, unsigned char key[16])
{
    memset(key, 0, 16);
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        if ((ntohl(in->sin_addr.s_addr) >> 24) == 127)
            return -1;
        memcpy(key, &in->sin_addr, 4);
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
            return -1;
        memcpy(key, &in6->sin6_addr, 16);
        return 0;
    }
    return -1;
}

/* Adds delta to the address's count; returns the new count. */
static int ip_count(const unsigned char key[16], int delta)
{
    unsigned h = 2166136261u;
    int n = 0;

    for (int i = 0; i < 16; i++)
        h = (h ^ key[i]) * 16777619u;
    pthread_mutex_lock(&ip_lock);
    for (unsigned i = 0, s = h % HTTP_IP_SLOTS; i < HTTP_IP_SLOTS; i++, s = (s + 1) % HTTP_IP_SLOTS) {
        if (ip_slots[s].n > 0 && !memcmp(ip_slots[s].addr, key, 16)) {
            ip_slots[s].n += delta;
            n = ip_slots[s].n;
            break;
        }
        if (ip_slots[s].n <= 0 && delta > 0) {
            memcpy(ip_slots[s].addr, key, 16);
            ip_slots[s].n = n = delta;
            break;
        }
    }
    pthread_mutex_unlock(&ip_lock);
    return n;
}

static enum MHD_Result accept_cb(void *cls, const struct sockaddr *addr, socklen_t len)
{
    unsigned char key[16];

    if (!addr || ts_cfg.max_conns_per_ip <= 0 || ip_key(addr, key) != 0)
        return MHD_YES;
    if (ip_count(key, 1) > ts_cfg.max_conns_per_ip) {
        ip_count(key, -1);
        return MHD_NO;
    }
    return MHD_YES;
}

static void conn_cb(void *cls, struct MHD_Connection *conn, void **socket_context,
                    enum MHD_ConnectionNotificationCode toe)
{
    const union MHD_ConnectionInfo *ci;
    unsigned char key[16];

    /* While other clients are connected, a write may wait a moment for
     * theirs, to share a commit (see store.h). */
    store_clients(toe == MHD_CONNECTION_NOTIFY_STARTED ? 1 : -1);
    if (toe != MHD_CONNECTION_NOTIFY_CLOSED || ts_cfg.max_conns_per_ip <= 0)
        return;
    ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr && ip_key(ci->client_addr, key) == 0)
        ip_count(key, -1);
}

/* As many connections as the file limit allows, after raising it. */
static unsigned conn_limit(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 1000;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max > 65536 ? 65536 : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur < 256)
        return 64;
    return rl.rlim_cur > 65536 ? 60000u : (unsigned)(rl.rlim_cur - 128);
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
        flags, (uint16_t)ts_cfg.port, accept_cb, NULL, access_cb, NULL,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log_cb, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, ts_cfg.threads > 1 ? (unsigned)ts_cfg.threads : 0u,
        MHD_OPTION_URI_LOG_CALLBACK, uri_log_cb, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, completed_cb, NULL,
        MHD_OPTION_NOTIFY_CONNECTION, conn_cb, NULL,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape_none_cb, NULL,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONN_MEMORY,
        MHD_OPTION_CONNECTION_LIMIT, conn_limit(),
        MHD_OPTION_CONNECTION_TIMEOUT, ts_cfg.idle_timeout,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
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
    /* Parked requests are answered now: nothing will resume them.  Not
     * those that wait for their group's commit: the writer that holds the
     * transaction commits it as it ends, and resumes them. */
    pthread_mutex_lock(&park_lock);
    for (http_ctx **p = &parked; *p;) {
        http_ctx *c = *p;
        if (c->call.txn.waiting) {
            p = &c->park_next;
            continue;
        }
        *p = c->park_next;
        if (c->park_next)
            c->park_next->park_prev = p;
        c->park = PARK_RESUMED;
        ts_resp_error(&c->resp, TS_ERR_SERVICE_UNAVAILABLE, "tinystack is shutting down");
        MHD_resume_connection(c->req.conn);
    }
    pthread_mutex_unlock(&park_lock);
    /* Let requests in flight finish, for at most five seconds (a client
     * stalled mid-upload must not hold the shutdown hostage). */
    for (int i = 0; i < 500 && atomic_load(&in_flight) > 0; i++)
        usleep(10000);
    MHD_stop_daemon(daemon_);
    daemon_ = NULL;
}
