/*
 * bus.c - the bus thread.  A libuv loop owns three handles: an async
 * handle other threads signal after committing outbox rows, a timer that
 * reads the outbox now and then anyway (so nothing waits on a lost
 * wake-up, and rows kept for retry get retried), and a timer per periodic
 * job.  Rows are read in id order and deleted once their handler is done;
 * a row whose kind has no handler is dropped with a debug line, as no one
 * listens for it.
 */
#include "tinystack/bus.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "tinystack/core.h"
#include "tinystack/log.h"
#include "tinystack/store.h"

#define BUS_MAX_HANDLERS 8
#define BUS_MAX_JOBS 8
#define BUS_BATCH 100

static struct {
    const char *kind;
    bus_handler_fn fn;
} handlers[BUS_MAX_HANDLERS];
static int nhandlers;

static struct {
    unsigned period;
    bus_job_fn fn;
    uv_timer_t timer;
} jobs[BUS_MAX_JOBS];
static int njobs;

static _Thread_local int published;
/* The outbox is read at every wake-up and, in case one was lost, every
 * poll_ms anyway. */
static unsigned poll_ms = 1000;
static uv_loop_t loop;
static uv_async_t wake, stop;
static uv_timer_t poll_timer;
static pthread_t thread;
static int running;

void bus_on(const char *kind, bus_handler_fn fn)
{
    if (nhandlers < BUS_MAX_HANDLERS) {
        handlers[nhandlers].kind = kind;
        handlers[nhandlers].fn = fn;
        nhandlers++;
    }
}

void bus_set_poll(unsigned ms)
{
    poll_ms = ms ? ms : 1000;
}

void bus_every(unsigned period_ms, bus_job_fn fn)
{
    if (njobs < BUS_MAX_JOBS) {
        jobs[njobs].period = period_ms;
        jobs[njobs].fn = fn;
        njobs++;
    }
}

static bus_handler_fn handler_for(const char *kind)
{
    for (int i = 0; i < nhandlers; i++)
        if (!strcmp(handlers[i].kind, kind))
            return handlers[i].fn;
    return NULL;
}

/* Delivers what the outbox holds, oldest first. */
static void drain(void)
{
    int64_t done[BUS_BATCH];
    int ndone = 0, rows = 0;
    sqlite3_stmt *st;

    if (!store_in_use())
        return;
    st = store_stmt("SELECT id, kind, payload FROM outbox ORDER BY id LIMIT 100");
    while (sqlite3_step(st) == SQLITE_ROW && rows < BUS_BATCH) {
        const char *kind = (const char *)sqlite3_column_text(st, 1);
        bus_handler_fn fn = handler_for(kind);
        rows++;
        if (!fn) {
            ts_log(TS_LOG_DEBUG, "bus: no subscriber for a %s event; dropped", kind);
            done[ndone++] = sqlite3_column_int64(st, 0);
        } else if (fn((const char *)sqlite3_column_text(st, 2)) == 0) {
            done[ndone++] = sqlite3_column_int64(st, 0);
        }
    }
    sqlite3_reset(st);
    if (!ndone || store_begin() != 0)
        return;
    for (int i = 0; i < ndone; i++) {
        st = store_stmt("DELETE FROM outbox WHERE id = ?");
        sqlite3_bind_int64(st, 1, done[i]);
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    store_commit();
}

static void wake_cb(uv_async_t *h)
{
    drain();
}

static void poll_cb(uv_timer_t *h)
{
    drain();
}

static void job_cb(uv_timer_t *h)
{
    ((bus_job_fn)h->data)();
}

static void close_cb(uv_handle_t *h)
{
}

static void walk_close(uv_handle_t *h, void *arg)
{
    if (!uv_is_closing(h))
        uv_close(h, close_cb);
}

static void stop_cb(uv_async_t *h)
{
    uv_walk(&loop, walk_close, NULL);
}

static void *bus_main(void *arg)
{
    uv_run(&loop, UV_RUN_DEFAULT);
    return NULL;
}

int bus_start(void)
{
    if (uv_loop_init(&loop) != 0)
        return -1;
    uv_async_init(&loop, &wake, wake_cb);
    uv_async_init(&loop, &stop, stop_cb);
    uv_timer_init(&loop, &poll_timer);
    uv_timer_start(&poll_timer, poll_cb, poll_ms, poll_ms);
    for (int i = 0; i < njobs; i++) {
        uv_timer_init(&loop, &jobs[i].timer);
        jobs[i].timer.data = (void *)jobs[i].fn;
        uv_timer_start(&jobs[i].timer, job_cb, jobs[i].period, jobs[i].period);
    }
    if (pthread_create(&thread, NULL, bus_main, NULL) != 0) {
        uv_walk(&loop, walk_close, NULL);
        uv_run(&loop, UV_RUN_DEFAULT);
        uv_loop_close(&loop);
        return -1;
    }
    running = 1;
    return 0;
}

int bus_publish(const char *kind, const char *payload)
{
    sqlite3_stmt *st = store_stmt(
        "INSERT INTO outbox(kind, created, payload) VALUES(?, ?, ?)");
    int rc;

    store_bind_text(st, 1, kind);
    sqlite3_bind_int64(st, 2, ts_now_ms());
    store_bind_text(st, 3, payload);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return -1;
    published = 1;
    return 0;
}

int bus_take_published(void)
{
    int p = published;

    published = 0;
    return p;
}

void bus_notify(void)
{
    if (running)
        uv_async_send(&wake);
}

void bus_stop(void)
{
    if (!running)
        return;
    uv_async_send(&stop);
    pthread_join(thread, NULL);
    uv_loop_close(&loop);
    running = 0;
}
