/*
 * http_int.h - what the files of src/http/ share among themselves.
 */
#ifndef TINYSTACK_HTTP_INT_H
#define TINYSTACK_HTTP_INT_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "tinystack/http.h"

/* Fills path, host, query, content length, region and access key from the
 * raw URI and the headers (http_req.c). */
void http_req_parse(ts_req *req);
/* A text/plain or JSON error body for requests no service claims. */
void http_render_plain_error(ts_req *req, ts_resp *resp);

extern const ts_service http_internal_service;

#endif
