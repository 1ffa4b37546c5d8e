/*
 * http.h - the request and response every service handler sees, and the
 * server's lifecycle.  libmicrohttpd stays behind this header: handlers
 * read headers through ts_req_header() (the headers are copied into the
 * request, so a request can be built by hand in a unit test) and answer
 * by filling a ts_resp.  A handler that must wait for another thread
 * (a Lambda invoke) suspends its connection and is resumed from there.
 */
#ifndef TINYSTACK_HTTP_H
#define TINYSTACK_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "tinystack/config.h"
#include "tinystack/core.h"
#include "tinystack/error.h"
#include "tinystack/log.h"

typedef struct ts_req ts_req;
typedef struct ts_resp ts_resp;
struct ts_service;
struct ts_op;
struct ts_call;

/* A decoded name/value pair (query argument or header). */
typedef struct ts_kv {
    const char *name;
    const char *value;
    struct ts_kv *next;
} ts_kv;

/* Reads up to max bytes of a streamed response body at pos into buf.
 * Returns the count, 0 at the end, or -1 to abort the connection. */
typedef long (*ts_reader_fn)(void *arg, uint64_t pos, char *buf, size_t max);

struct ts_req {
    void *conn;           /* the libmicrohttpd connection; NULL in unit tests */
    ts_arena *arena;      /* freed with the request */
    const char *method;   /* "GET" ... */
    const char *uri;      /* raw, as sent: path and query */
    const char *path;     /* raw path, still percent-encoded */
    const char *host;     /* Host header without port, lowercase, or "" */
    ts_kv *query;         /* decoded query arguments, in order */
    int query_nul;        /* some name or value decoded to a NUL (it is
                           * kept cut there) */
    ts_kv *headers;       /* request headers, in the order sent */
    const struct ts_service *service;
    const struct ts_op *op;
    struct ts_call *call;
    char request_id[40];
    char host_id[49];     /* S3's x-amz-id-2 / <HostId> */
    const char *region;   /* from the SigV4 scope, else the default */
    const char *access_key;
    const char *scope_service; /* the SigV4 scope's service, or NULL */
    const char *account;
    uint64_t content_length;
    int has_content_length;
    ts_buf body;          /* non-streaming operations: the whole body */
    char peer[48];        /* the client's address, "" when unknown */
    void *svc;            /* service-private request state */
    double started;
    /* private to the HTTP layer */
    int phase;
    int body_too_large;
    int suspended;
};

struct ts_resp {
    int status;
    ts_kv *headers;         /* in reverse order of adding */
    ts_buf body;
    ts_reader_fn reader;    /* when set, the body streams from here */
    void *reader_arg;
    ts_cleanup_fn reader_free;
    uint64_t reader_size;
    int head_only;          /* HEAD: headers only (Content-Length kept) */
    int close;              /* close the connection after this answer */
    /* error state: err != TS_ERR_NONE means the renderer writes the body */
    ts_err err;
    const char *err_message;  /* NULL: the table's message */
    ts_kv *err_fields;        /* extra fields, e.g. S3's <Key> */
    const char *err_type;     /* protocol-specific type override */
    char *err_json;           /* JSON protocols: extra members, e.g.
                               * "Item":{...} (arena text, no braces) */
};

/* Header lookup on the request (case-insensitive); NULL when absent. */
const char *ts_req_header(ts_req *req, const char *name);
/* Calls fn for every request header; stops when fn returns non-zero. */
void ts_req_headers_each(ts_req *req, int (*fn)(void *, const char *, const char *),
                         void *arg);
/* Adds a request header (copied into the arena); the HTTP layer and unit
 * tests build requests with it. */
void ts_req_add_header(ts_req *req, const char *name, const char *value);
/* Decoded query argument, NULL when absent; "" for a bare "?name". */
const char *ts_req_query(ts_req *req, const char *name);
int ts_req_has_query(ts_req *req, const char *name);
/* Fills path, host, query, content length, region, access key and the
 * scope's service from req->uri and the headers. */
void ts_req_parse(ts_req *req);

/* Adds a response header; name and value are copied into the arena. */
void ts_resp_header(ts_req *req, ts_resp *resp, const char *name,
                    const char *value);
void ts_resp_headerf(ts_req *req, ts_resp *resp, const char *name,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Sets an error; message NULL keeps the table's.  Returns -1 so a handler
 * can `return ts_resp_error(...)`. */
int ts_resp_error(ts_resp *resp, ts_err err, const char *message);
int ts_resp_errorf(ts_req *req, ts_resp *resp, ts_err err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Adds an extra field to the error body (S3: <Key>, <BucketName> ...). */
void ts_resp_error_field(ts_req *req, ts_resp *resp, const char *name,
                         const char *value);

/* Starts the server on ts_cfg.host:ts_cfg.port; 0 or -1. */
int http_server_start(void);
/* Stops accepting, lets requests in flight finish, frees the server. */
void http_server_stop(void);

/*
 * Suspend and resume.  A handler that cannot answer yet calls
 * http_suspend(req) and returns 0: the dispatcher ends the transaction,
 * the connection is parked without holding a worker thread, and nothing
 * is sent.  Later, any thread fills req's response (through req->call) and
 * calls http_resume(req) exactly once; the answer is then rendered and
 * sent as if the handler had just returned.  The request stays valid
 * until it is resumed, even if the client goes away meanwhile (the
 * response is then dropped).
 */
void http_suspend(ts_req *req);
void http_resume(ts_req *req);

#endif
