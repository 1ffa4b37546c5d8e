/*
 * http_int.h - what the files of src/http/ share among themselves.
 */
#ifndef TINYSTACK_HTTP_INT_H
#define TINYSTACK_HTTP_INT_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "tinystack/service.h"

/* A text/plain or JSON error body for requests no service claims. */
void http_render_plain_error(ts_req *req, ts_resp *resp);

/* The largest body c's operation takes. */
size_t http_body_cap(const ts_call *c);

/* Takes back an http_suspend() that no one will resume (the dispatcher
 * suspends before the store may hand the request to another thread, and
 * the store did not). */
void http_unsuspend(ts_req *req);
/* A request resumed after http_dispatch() suspended it: finishes what
 * its resumption brings (a group's commit, or a retry of its write that
 * may suspend it again). */
void http_dispatch_resumed(ts_call *c);

#endif
