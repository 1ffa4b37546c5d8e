/*
 * http_dispatch.c - the one dispatcher every operation runs through, once
 * its whole body has arrived: the protocol parses the input, the
 * operation's flags open a read snapshot or a write transaction, the
 * handler runs inside it, and the change commits or rolls back (an error
 * set by the handler rolls back only its own change).  Writers share
 * commits (see store.h): a request whose transaction is left open for
 * later writers is suspended, and answered when the commit returns.
 * Events the handler published with bus_publish() are rows of the same
 * transaction; the bus is woken after the commit.  A handler that
 * suspended its request answers later.
 */
#include "http_int.h"

#include <malloc.h>

#include <cjson/cJSON.h>

#include "tinystack/bus.h"
#include "tinystack/model.h"
#include "tinystack/store.h"

/* Bodies larger than this give their parsed input's memory back to the
 * system after the answer (see http_render). */
#define TRIM_AFTER_BODY (1u << 20)

size_t http_body_cap(const ts_call *c)
{
    const ts_req *req = c->req;

    if (req->op && req->op->max_body)
        return req->op->max_body;
    return req->service && req->service->max_body ? req->service->max_body : (1u << 20);
}

/* Forgets what a handler wrote into the response, for a retry. */
static void resp_clear(ts_resp *resp)
{
    resp->status = 200;
    resp->headers = NULL;
    ts_buf_reset(&resp->body);
    resp->err = TS_ERR_NONE;
    resp->err_message = NULL;
    resp->err_fields = NULL;
    resp->err_type = NULL;
    resp->err_json = NULL;
    if (resp->reader_free)
        resp->reader_free(resp->reader_arg);
    resp->reader = NULL;
    resp->reader_free = NULL;
}

static int run_in_write(ts_call *c, int retry);

/* The end of c's write transaction is known (c->txn): wakes the bus for
 * the events of a change that committed, retries a change that did not
 * for want of room once, and fails the request otherwise.  The handler's
 * result, or -1. */
static int write_settle(ts_call *c)
{
    ts_resp *resp = c->resp;

    if (c->txn.rc == 0) {
        if (c->txn.handler_rc == 0 && c->txn.published)
            bus_notify();
        return c->txn.handler_rc;
    }
    /* Out of room: the log was truncated, so a change that frees space
     * (a delete) fits now.  Streaming uploads wrote their data before the
     * handler and are not re-run.  A failed handler runs again too: what
     * it saw of its group's changes never committed. */
    if (c->txn.retry && c->txn.disk && !(c->req->op->flags & TS_OP_STREAM)) {
        resp_clear(resp);
        if (c->out) {
            cJSON_Delete(c->out);
            c->out = cJSON_CreateObject();
        }
        return run_in_write(c, 0);
    }
    return ts_resp_error(resp, TS_ERR_INTERNAL_SERVER, NULL);
}

/* The group c waited for has committed or failed (any thread). */
static void write_done_cb(void *arg, int rc, int disk)
{
    ts_call *c = arg;

    c->txn.rc = rc;
    c->txn.disk = disk;
    http_resume(c->req);
}

static int run_in_write(ts_call *c, int retry)
{
    ts_resp *resp = c->resp;
    int rc, ok;

    if (store_begin() != 0)
        return ts_resp_error(resp, TS_ERR_INTERNAL_SERVER, NULL);
    rc = c->req->op->handler(c);
    ok = rc == 0 && resp->err == TS_ERR_NONE;
    c->txn.handler_rc = ok ? 0 : rc ? rc : -1;
    c->txn.retry = retry;
    c->txn.published = bus_take_published();
    /* The store may leave the commit to writers that follow (store.h):
     * the request is then answered after that commit, from its
     * resumption, and its worker thread serves others meanwhile.  It is
     * suspended first, since the commit may come on another thread as
     * soon as the store lets go.  A handler that suspended the request
     * itself has its own resumer: that request commits now. */
    if (c->req->conn && !c->req->suspended) {
        c->txn.waiting = 1;
        http_suspend(c->req);
        /* From here write_done_cb may run, and own c->txn.rc. */
        rc = store_end(ok, write_done_cb, c);
        if (rc == STORE_JOINED)
            return 0;
        c->txn.waiting = 0;
        http_unsuspend(c->req);
    } else {
        rc = store_end(ok, NULL, NULL);
    }
    c->txn.rc = rc;
    c->txn.disk = store_disk_trouble();
    return write_settle(c);
}

void http_dispatch_resumed(ts_call *c)
{
    int rc;

    if (!c->txn.waiting)
        return;
    c->txn.waiting = 0;
    rc = write_settle(c);
    if (rc != 0 && c->resp->err == TS_ERR_NONE)
        ts_resp_error(c->resp, TS_ERR_INTERNAL_SERVER, NULL);
}

/* The botocore model's check of the input (types, then constraints), as
 * AWS runs it before it looks at any table, bucket or function. */
static int model_check(ts_call *c)
{
    const ts_model_op *mop;
    ts_model_error e;
    int rc;

    int how = c->req->service->proto->model_input;

    if (!c->in || how == TS_MODEL_INPUT_NONE)
        return 0;
    mop = ts_model_op_find(c->req->service->name, c->req->op->name);
    if (!mop)
        return 0;
    if (how == TS_MODEL_INPUT_FLAT)
        rc = ts_model_validate_query(mop, c->in, &e);
    else /* A payload that is the body itself (Invoke's, ImportRestApi's)
          * is not in c->in: the check is told whether one was sent. */
        rc = ts_model_validate_body(mop, c->in, c->req->body.len > 0, &e);
    if (rc != 0) {
        ts_err verr = c->req->service->model_error ? c->req->service->model_error
                                                   : TS_ERR_VALIDATION;
        ts_resp_error(c->resp, e.kind == TS_MODEL_SERIALIZATION && how == TS_MODEL_INPUT_SHAPED
                                   ? TS_ERR_SERIALIZATION : verr,
                      ts_arena_strdup(c->req->arena, e.message));
    }
    else if (how == TS_MODEL_INPUT_SHAPED)
        ts_model_drop_nulls(mop, c->in);
    ts_model_error_free(&e);
    return rc;
}

static int run_in_read(ts_call *c)
{
    int rc;

    store_read_begin();
    rc = c->req->op->handler(c);
    store_read_end();
    return rc;
}

void http_dispatch(ts_call *c)
{
    ts_req *req = c->req;
    ts_resp *resp = c->resp;
    const ts_service *svc = req->service;
    int rc;

    if (resp->err != TS_ERR_NONE)
        return;
    if (req->body_too_large) {
        ts_resp_error(resp, svc->too_large ? svc->too_large : TS_ERR_REQUEST_TOO_LARGE, NULL);
        return;
    }
    if (!(req->op && (req->op->flags & TS_OP_RAW)) && svc->proto->parse(c) != 0)
        return;
    if (!req->op)
        http_route_action(c);
    if (resp->err != TS_ERR_NONE || !req->op || !req->op->handler)
        return;
    if (model_check(c) != 0)
        return;
    if ((req->op->flags & TS_OP_WRITE) && !(req->op->flags & TS_OP_OWN_TXN))
        rc = run_in_write(c, 1);
    else if (req->op->flags & TS_OP_READ)
        rc = run_in_read(c);
    else
        rc = req->op->handler(c);
    if (store_txn_guard() != 0 && resp->err == TS_ERR_NONE)
        ts_resp_error(resp, TS_ERR_INTERNAL_SERVER, NULL);
    if (rc != 0 && resp->err == TS_ERR_NONE)
        ts_resp_error(resp, TS_ERR_INTERNAL_SERVER, NULL);
}

void http_render(ts_call *c)
{
    ts_req *req = c->req;
    ts_resp *resp = c->resp;
    const ts_protocol *proto = req->service ? req->service->proto : NULL;

    if (resp->err != TS_ERR_NONE) {
        if (resp->reader_free) {
            resp->reader_free(resp->reader_arg);
            resp->reader_free = NULL;
        }
        resp->reader = NULL;
        resp->status = ts_error_status(resp->err);
        ts_buf_reset(&resp->body);
        if (proto)
            proto->render_error(c);
        else
            http_render_plain_error(req, resp);
    } else if (proto && req->op) {
        proto->render(c);
    }
    if (proto)
        proto->ids(c);
    cJSON_Delete(c->in);
    cJSON_Delete(c->out);
    c->in = c->out = NULL;
    /* A large body parses into a tree of small allocations (a 16 MB
     * request can take a few hundred MB) that glibc keeps in the worker's
     * arena after they are freed; give those pages back now. */
    if (req->body.len > TRIM_AFTER_BODY)
        malloc_trim(0);
}
