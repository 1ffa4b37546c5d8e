/*
 * apigw_http.c - the HTTP client behind API Gateway's HTTP and
 * HTTP_PROXY integrations.  apigw_http_fetch parses the URL and writes
 * the request's bytes on the caller's thread, then queues the fetch
 * under a mutex for the client's thread and wakes it with a uv_async.
 * There each fetch runs on the one libuv loop: a timer for its deadline,
 * uv_getaddrinfo for a name (address literals skip it), uv_tcp_connect
 * to each address in turn until one takes it (so "localhost" works
 * whether the server listens on ::1 or 127.0.0.1), one uv_write of the
 * request, and reads fed to the response parser (apigw_http_parse.c)
 * until it has the whole answer, the peer closes, or the timer fires.
 * Then done is called once and every handle closes; a fetch counts its
 * open handles and requests and is freed when the last one ends.
 *
 * The thread starts with the first fetch and ends in apigw_http_stop,
 * which fails what is still going with "shutting down".
 */
#include "apigw_http.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <uv.h>

static const char err_timeout[] = "timeout";
static const char err_shutdown[] = "shutting down";
static const char err_start[] = "cannot start";

typedef struct fetch fetch;
struct fetch {
    fetch *next, *prev;         /* the queue (next only), then the live list */
    int live;                   /* on the live list */
    apigw_http_done_fn done;
    void *arg;
    const char *error;          /* set on the caller's thread: it cannot go */
    apigw_http_url url;         /* url.target is not kept (it is in req) */
    int timeout_ms;
    ts_buf req;                 /* the whole request, as sent */
    apigw_http_parser parser;
    uv_timer_t timer;
    uv_getaddrinfo_t gai;
    uv_tcp_t tcp;
    uv_connect_t connect;
    uv_write_t write;
    struct addrinfo *ai;        /* what the name resolved to */
    struct addrinfo *ai_next;   /* the next address to try */
    int refs;                   /* open handles and requests in flight */
    int timer_open, tcp_open, gai_pending;
    int finished;               /* done has been called */
    int timed_out;
    int write_status;           /* the write's failure, if it failed */
    size_t received;            /* response bytes read */
    char err[160];              /* "connect: ...", "dns: ..." */
};

enum { ST_IDLE, ST_RUNNING, ST_STOPPING };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int state = ST_IDLE;          /* under lock */
static fetch *queue, **queue_tail = &queue; /* under lock */
static uv_loop_t loop;
static uv_async_t wake_async, stop_async;
static uv_thread_t thread;
/* Fetches on the loop (the client's thread only). */
static fetch *live;
/* Reads land here; the parser copies what it keeps before the next. */
static char read_buf[64 << 10];

static void fetch_free(fetch *f)
{
    if (f->live) {
        if (f->prev)
            f->prev->next = f->next;
        else
            live = f->next;
        if (f->next)
            f->next->prev = f->prev;
    }
    if (f->ai)
        uv_freeaddrinfo(f->ai);
    apigw_http_parser_free(&f->parser);
    ts_buf_free(&f->req);
    ts_free(f);
}

/* Calls done with error (or, when NULL, the parsed answer). */
static void fetch_report(fetch *f, const char *error)
{
    apigw_http_result r;

    memset(&r, 0, sizeof r);
    r.body = "";
    r.error = error;
    r.timed_out = f->timed_out;
    if (!error) {
        r.status = f->parser.status;
        r.headers = f->parser.headers;
        if (f->parser.body.data)
            r.body = f->parser.body.data;
        r.len = f->parser.body.len;
    }
    f->done(f->arg, &r);
}

static void fetch_unref(fetch *f)
{
    if (--f->refs == 0 && f->finished)
        fetch_free(f);
}

static void handle_closed_cb(uv_handle_t *h)
{
    fetch_unref(h->data);
}

/* Ends f: done once, then every handle closes (f is freed after the last
 * close callback, or now when it has none, so the caller must not touch
 * f after this unless it holds a reference). */
static void fetch_finish(fetch *f, const char *error)
{
    if (f->finished)
        return;
    f->finished = 1;
    fetch_report(f, error);
    if (f->timer_open) {
        f->timer_open = 0;
        uv_close((uv_handle_t *)&f->timer, handle_closed_cb);
    }
    if (f->tcp_open) {
        f->tcp_open = 0;
        uv_close((uv_handle_t *)&f->tcp, handle_closed_cb);
    }
    /* A lookup already running cannot be cancelled; its callback comes
     * and drops the reference. */
    if (f->gai_pending)
        uv_cancel((uv_req_t *)&f->gai);
    if (!f->refs)
        fetch_free(f);
}

static void fetch_fail_uv(fetch *f, const char *what, int status)
{
    snprintf(f->err, sizeof f->err, "%s: %s", what, uv_strerror(status));
    fetch_finish(f, f->err);
}

static void timer_cb(uv_timer_t *t)
{
    fetch *f = t->data;

    f->timed_out = 1;
    fetch_finish(f, err_timeout);
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    buf->base = read_buf;
    buf->len = sizeof read_buf;
}

static void read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    fetch *f = s->data;
    int rc;

    if (f->finished || nread == 0)
        return;
    if (nread > 0) {
        f->received += (size_t)nread;
        rc = apigw_http_parser_feed(&f->parser, buf->base, (size_t)nread);
        if (rc)
            fetch_finish(f, rc > 0 ? NULL : f->parser.error);
    } else if (nread == UV_EOF) {
        if (apigw_http_parser_eof(&f->parser) > 0)
            fetch_finish(f, NULL);
        else if (!f->received && f->write_status)
            fetch_fail_uv(f, "send", f->write_status);
        else
            fetch_finish(f, f->parser.error);
    } else {
        fetch_fail_uv(f, "read", (int)nread);
    }
}

static void write_cb(uv_write_t *w, int status)
{
    fetch *f = w->data;

    /* The server may have answered and closed without reading it all
     * (a 413, say): what the read side gets decides. */
    if (status < 0 && status != UV_ECANCELED)
        f->write_status = status;
}

static void try_next(fetch *f);

/* A connect that failed has closed: on to the next address. */
static void retry_closed_cb(uv_handle_t *h)
{
    fetch *f = h->data;

    if (!f->finished)
        try_next(f);
    fetch_unref(f);
}

static void connect_cb(uv_connect_t *c, int status)
{
    fetch *f = c->data;
    uv_buf_t b;
    int rc;

    if (f->finished)
        return;
    if (status < 0) {
        snprintf(f->err, sizeof f->err, "connect: %s", uv_strerror(status));
        f->tcp_open = 0;
        uv_close((uv_handle_t *)&f->tcp, retry_closed_cb);
        return;
    }
    b = uv_buf_init(f->req.data, (unsigned)f->req.len);
    f->write.data = f;
    rc = uv_write(&f->write, (uv_stream_t *)&f->tcp, &b, 1, write_cb);
    if (rc < 0) {
        fetch_fail_uv(f, "send", rc);
        return;
    }
    rc = uv_read_start((uv_stream_t *)&f->tcp, alloc_cb, read_cb);
    if (rc < 0)
        fetch_fail_uv(f, "read", rc);
}

static void connect_to(fetch *f, const struct sockaddr *sa)
{
    int rc;

    uv_tcp_init(&loop, &f->tcp);
    f->tcp.data = f;
    f->tcp_open = 1;
    f->refs++;
    uv_tcp_nodelay(&f->tcp, 1);
    f->connect.data = f;
    rc = uv_tcp_connect(&f->connect, &f->tcp, sa, connect_cb);
    if (rc < 0) {
        snprintf(f->err, sizeof f->err, "connect: %s", uv_strerror(rc));
        f->tcp_open = 0;
        uv_close((uv_handle_t *)&f->tcp, retry_closed_cb);
    }
}

/* Connects to the next address the name resolved to, or fails with the
 * last address's error when none is left. */
static void try_next(fetch *f)
{
    struct addrinfo *ai = f->ai_next;

    while (ai && ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
        ai = ai->ai_next;
    if (!ai) {
        fetch_finish(f, f->err[0] ? f->err : "connect: no address");
        return;
    }
    f->ai_next = ai->ai_next;
    connect_to(f, ai->ai_addr);
}

static void gai_cb(uv_getaddrinfo_t *g, int status, struct addrinfo *res)
{
    fetch *f = g->data;

    f->gai_pending = 0;
    f->ai = res;
    if (!f->finished) {
        if (status < 0) {
            fetch_fail_uv(f, "dns", status);
        } else {
            f->ai_next = res;
            try_next(f);
        }
    }
    fetch_unref(f);
}

/* The client's thread: puts f on the live list and sets it going. */
static void fetch_begin(fetch *f)
{
    struct sockaddr_storage ss;
    struct addrinfo hints;
    char port[8];
    int rc;

    f->live = 1;
    f->prev = NULL;
    f->next = live;
    if (live)
        live->prev = f;
    live = f;
    if (f->error) {
        fetch_finish(f, f->error);
        return;
    }
    uv_timer_init(&loop, &f->timer);
    f->timer.data = f;
    f->timer_open = 1;
    f->refs++;
    uv_timer_start(&f->timer, timer_cb, (uint64_t)f->timeout_ms, 0);
    if (uv_ip4_addr(f->url.host, f->url.port, (struct sockaddr_in *)&ss) == 0 ||
        uv_ip6_addr(f->url.host, f->url.port, (struct sockaddr_in6 *)&ss) == 0) {
        connect_to(f, (struct sockaddr *)&ss);
        return;
    }
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(port, sizeof port, "%d", f->url.port);
    f->gai.data = f;
    rc = uv_getaddrinfo(&loop, &f->gai, gai_cb, f->url.host, port, &hints);
    if (rc < 0) {
        fetch_fail_uv(f, "dns", rc);
        return;
    }
    f->gai_pending = 1;
    f->refs++;
}

/* Takes the queue (oldest first). */
static fetch *queue_take(void)
{
    fetch *q;

    pthread_mutex_lock(&lock);
    q = queue;
    queue = NULL;
    queue_tail = &queue;
    pthread_mutex_unlock(&lock);
    return q;
}

static void wake_cb(uv_async_t *a)
{
    /* Deadlines count from now, not from the loop's last look at the
     * clock. */
    uv_update_time(&loop);
    for (fetch *f = queue_take(), *next; f; f = next) {
        next = f->next;
        fetch_begin(f);
    }
}

/* Fails every fetch, queued or live, and closes the wake-ups, so the
 * loop ends once the fetches' handles have closed. */
static void stop_cb(uv_async_t *a)
{
    for (fetch *f = queue_take(), *next; f; f = next) {
        next = f->next;
        f->error = err_shutdown;
        fetch_begin(f);
    }
    for (fetch *f = live, *next; f; f = next) {
        next = f->next;
        fetch_finish(f, err_shutdown);
    }
    uv_close((uv_handle_t *)&wake_async, NULL);
    uv_close((uv_handle_t *)&stop_async, NULL);
}

static void client_main(void *arg)
{
    uv_run(&loop, UV_RUN_DEFAULT);
}

/* Under lock, in ST_IDLE. */
static int start_locked(void)
{
    if (uv_loop_init(&loop) != 0)
        return -1;
    uv_async_init(&loop, &wake_async, wake_cb);
    uv_async_init(&loop, &stop_async, stop_cb);
    if (uv_thread_create(&thread, client_main, NULL) != 0) {
        uv_close((uv_handle_t *)&wake_async, NULL);
        uv_close((uv_handle_t *)&stop_async, NULL);
        uv_run(&loop, UV_RUN_DEFAULT);
        uv_loop_close(&loop);
        return -1;
    }
    state = ST_RUNNING;
    return 0;
}

int apigw_http_start(void)
{
    int rc = 0;

    pthread_mutex_lock(&lock);
    if (state == ST_IDLE)
        rc = start_locked();
    pthread_mutex_unlock(&lock);
    return rc;
}

void apigw_http_fetch(const char *method, const char *url, const ts_kv *headers,
                      const char *body, size_t len, int timeout_ms,
                      apigw_http_done_fn done, void *arg)
{
    fetch *f = ts_calloc(1, sizeof *f);
    const char *why = NULL;

    f->done = done;
    f->arg = arg;
    f->timeout_ms = timeout_ms > 0 ? timeout_ms : APIGW_HTTP_DEFAULT_TIMEOUT_MS;
    ts_buf_init(&f->req);
    apigw_http_parser_init(&f->parser, method && !strcmp(method, "HEAD"));
    if (apigw_http_parse_url(url, &f->url, &f->error) == 0 &&
        apigw_http_build_request(&f->req, method, &f->url, headers, body, len, &f->error) != 0)
        ts_buf_free(&f->req);
    f->url.target = NULL;
    f->url.target_len = 0;

    pthread_mutex_lock(&lock);
    if (state == ST_IDLE && start_locked() != 0)
        why = err_start;
    else if (state == ST_STOPPING)
        why = err_shutdown;
    if (!why) {
        *queue_tail = f;
        queue_tail = &f->next;
        /* Sent under the lock, so the loop cannot have closed the handle
         * (stop_cb runs only once the state says stopping). */
        uv_async_send(&wake_async);
    }
    pthread_mutex_unlock(&lock);
    if (why) {
        fetch_report(f, why);
        fetch_free(f);
    }
}

void apigw_http_stop(void)
{
    pthread_mutex_lock(&lock);
    if (state != ST_RUNNING) {
        pthread_mutex_unlock(&lock);
        return;
    }
    state = ST_STOPPING;
    uv_async_send(&stop_async);
    pthread_mutex_unlock(&lock);
    uv_thread_join(&thread);
    uv_loop_close(&loop);
    pthread_mutex_lock(&lock);
    state = ST_IDLE;
    pthread_mutex_unlock(&lock);
}
