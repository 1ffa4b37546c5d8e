/*
 * http.h - the request and response every service handler sees, the
 * operation table row, the service and protocol descriptors, and the
 * server's lifecycle.  libmicrohttpd stays behind this header: handlers
 * read headers through ts_req_header() and answer by filling a ts_resp.
 */
#ifndef TINYSTACK_HTTP_H
#define TINYSTACK_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "tinystack/core.h"
#include "tinystack/error.h"

typedef struct ts_req ts_req;
typedef struct ts_resp ts_resp;

/* A decoded name/value pair (query argument or header). */
typedef struct ts_kv {
    const char *name;
    const char *value;
    struct ts_kv *next;
} ts_kv;

/* One operation: its AWS name, its handler and how it takes its body. */
typedef int (*ts_handler_fn)(ts_req *req, ts_resp *resp);

enum {
    TS_OP_READ = 1 << 0,   /* no state change */
    TS_OP_WRITE = 1 << 1,  /* changes state */
    TS_OP_STREAM = 1 << 2, /* body is fed to body_fn as it arrives */
};

typedef struct ts_op {
    const char *name;
    ts_handler_fn handler; /* called once the whole body has arrived */
    int flags;
    /* TS_OP_STREAM only: begin runs when the headers are in (it may set an
     * error, and then the body is never read); body gets each piece. */
    ts_handler_fn begin;
    int (*body)(ts_req *req, const char *data, size_t len);
} ts_op;

/* How a protocol writes an error (S3 XML, JSON 1.0, REST-JSON, query). */
typedef struct ts_protocol {
    const char *name;
    void (*render_error)(ts_req *req, ts_resp *resp);
} ts_protocol;

typedef struct ts_service {
    const char *name; /* "s3", "dynamodb" ... as in the health report */
    const ts_protocol *proto;
    /* Picks the operation for a request whose headers are in; NULL with an
     * error set on resp when it cannot. */
    const ts_op *(*resolve)(ts_req *req, ts_resp *resp);
} ts_service;

/* Reads up to max bytes of a streamed response body at pos into buf.
 * Returns the count, 0 at the end, or -1 to abort the connection. */
typedef long (*ts_reader_fn)(void *arg, uint64_t pos, char *buf, size_t max);

struct ts_req {
    void *conn;           /* the libmicrohttpd connection */
    ts_arena *arena;      /* freed with the request */
    const char *method;   /* "GET" ... */
    const char *uri;      /* raw, as sent: path and query */
    const char *path;     /* raw path, still percent-encoded */
    const char *host;     /* Host header without port, lowercase, or "" */
    ts_kv *query;         /* decoded query arguments, in order */
    const ts_service *service;
    const ts_op *op;
    char request_id[40];
    char host_id[49];     /* S3's x-amz-id-2 / <HostId> */
    const char *region;   /* from the SigV4 scope, else the default */
    const char *access_key;
    const char *account;
    uint64_t content_length;
    int has_content_length;
    ts_buf body;          /* non-streaming operations: the whole body */
    void *svc;            /* service-private request state */
    double started;
    /* private to the HTTP layer */
    int phase;
    int body_too_large;
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
/* Decoded query argument, NULL when absent; "" for a bare "?name". */
const char *ts_req_query(ts_req *req, const char *name);
int ts_req_has_query(ts_req *req, const char *name);

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

/* Server settings, from flags and the environment (main.c). */
typedef struct ts_config {
    const char *host;
    int port;
    const char *data_dir;     /* NULL: ephemeral */
    const char *region;
    const char *account;
    int log_level;            /* 0 error, 1 warn, 2 info, 3 debug */
    int threads;
} ts_config;

extern ts_config ts_cfg;

/* Starts the server on ts_cfg.host:ts_cfg.port; 0 or -1. */
int http_server_start(void);
/* Stops accepting, lets requests in flight finish, frees the server. */
void http_server_stop(void);

/* The router: picks the service for a request whose headers are in. */
const ts_service *http_route(ts_req *req);

/* Logging. */
void ts_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define TS_LOG_ERROR 0
#define TS_LOG_WARN 1
#define TS_LOG_INFO 2
#define TS_LOG_DEBUG 3

#endif
