/*
 * service.h - what a service is to the rest of tinystack: a descriptor
 * (names the router matches, its wire protocol, its operation table and
 * its lifecycle hooks), the operation row, the call every handler gets,
 * and the protocol interface.  ts_services[] lists every service in the
 * order the router tries their claims.
 *
 * Adding an operation is one row and one function; adding a service is a
 * descriptor and a line in ts_services[] (src/http/http_router.c);
 * adding a protocol is a ts_protocol in src/proto/.
 */
#ifndef TINYSTACK_SERVICE_H
#define TINYSTACK_SERVICE_H

#include "tinystack/http.h"

struct cJSON;
typedef struct ts_call ts_call;
typedef struct ts_op ts_op;
typedef struct ts_protocol ts_protocol;
typedef struct ts_service ts_service;

/* Every handler's signature: 0 on success, -1 with the error set on
 * c->resp. */
typedef int (*ts_handler_fn)(ts_call *c);

/* The request, the response, and the input and output of the operation,
 * in one struct.  The dispatcher owns in and out: JSON protocols parse
 * the body into in (an object; the query protocol's form arguments
 * become one too) and print out after a successful handler.  REST
 * protocols' URI labels are in labels. */
struct ts_call {
    ts_req *req;
    ts_resp *resp;
    struct cJSON *in;
    struct cJSON *out;
    ts_kv *labels;          /* rest-json: {Name} values from the URI */
    char err[512];          /* scratch for building an error message */
    /* private to the dispatcher: a write transaction's end, which may
     * come on another thread when the request waits for its group */
    struct {
        int waiting;        /* suspended until the group commits */
        int handler_rc;     /* 0: the handler succeeded */
        int retry;          /* a retry for want of room is still allowed */
        int published;      /* the change published events */
        int rc, disk;       /* how the commit went (store_done_fn) */
    } txn;
};

enum {
    TS_OP_READ = 1 << 0,    /* one read snapshot around the handler */
    TS_OP_WRITE = 1 << 1,   /* one write transaction around the handler */
    TS_OP_STREAM = 1 << 2,  /* body is fed to body() as it arrives */
    TS_OP_OWN_TXN = 1 << 3, /* the handler opens its own transactions
                             * (long copies that must not hold the write
                             * lock throughout) */
    TS_OP_RAW = 1 << 4,     /* the body is the handler's own: no protocol
                             * parse, no model check (API Gateway's data
                             * plane) */
};

struct ts_op {
    const char *name;       /* AWS's operation name */
    ts_handler_fn handler;  /* called once the whole body has arrived */
    int flags;              /* TS_OP_* */
    /* TS_OP_STREAM only: begin runs when the headers are in (it may set an
     * error, and then the body is never read); body gets each piece. */
    ts_handler_fn begin;
    int (*body)(ts_call *c, const char *data, size_t len);
    /* rest-json: the HTTP method and URI template ("/2015-03-31/functions/
     * {FunctionName}/invocations"; {Name+} is greedy). */
    const char *method;
    const char *uri;
    /* The largest body the operation takes (0: the service's). */
    size_t max_body;
};

/* A wire protocol: how it finds the operation, reads the input, and
 * writes answers, errors and request ids. */
enum { TS_MODEL_INPUT_NONE, TS_MODEL_INPUT_SHAPED, TS_MODEL_INPUT_FLAT };

struct ts_protocol {
    const char *name;       /* "rest-xml", "json-1.0", "json-1.1",
                             * "rest-json", "query" */
    /* Picks svc's operation for a request whose headers are in.  NULL with
     * no error set: decide after the body (the query protocol's Action). */
    const ts_op *(*resolve)(const ts_service *svc, ts_call *c);
    /* Reads the whole body into c->in; 0, or -1 with the error set. */
    int (*parse)(ts_call *c);
    /* Writes a successful answer (from c->out, for JSON and query). */
    void (*render)(ts_call *c);
    /* Writes resp->err as this protocol's error body. */
    void (*render_error)(ts_call *c);
    /* Adds the request-id headers to every answer. */
    void (*ids)(ts_call *c);
    /* How the dispatcher checks c->in against the botocore model:
     * TS_MODEL_INPUT_NONE (the handlers read the request themselves),
     * _SHAPED (c->in is the whole input as the model shapes it), _FLAT
     * (the query protocol's form arguments, shaped by the check). */
    int model_input;
};

struct ts_service {
    const char *name;           /* "s3", "dynamodb" ... (health report) */
    const char *signing_name;   /* the SigV4 credential scope's service */
    const char *target_prefix;  /* X-Amz-Target prefix with its dot, or NULL */
    const char *const *path_prefixes; /* NULL-terminated, or NULL */
    /* A rule of the service's own (virtual hosts); 1 claims the request. */
    int (*claims)(ts_req *req);
    const ts_protocol *proto;
    const ts_op *ops;           /* ends with a row whose name is NULL */
    /* Picks the operation itself; NULL: the protocol's resolve. */
    const ts_op *(*resolve)(ts_call *c);
    const char *error_prefix;   /* JSON protocols: the "__type" namespace */
    /* The error a request failing the model check gets (TS_ERR_NONE:
     * ValidationException; CloudWatch Logs answers InvalidParameter). */
    ts_err model_error;
    size_t max_body;            /* default body cap of its operations */
    ts_err too_large;           /* the error for a body over the cap */
    ts_err bad_body;            /* rest-json: a body that is not JSON */
    const char *version;        /* query protocol: the API Version */
    int available;              /* 0: a placeholder, not in the health
                                 * report until it has operations */
    void (*init)(void);         /* after the store, before serving */
    void (*reset)(void);        /* after POST /_tinystack/reset */
    void (*quiesce)(void);      /* at shutdown, before the server stops:
                                 * ends work that holds suspended requests */
    void (*stop)(void);         /* at shutdown, after the server stops */
};

/* Every service, in the order the router tries their claims. */
extern const ts_service *const ts_services[];

extern const ts_service s3_service;
extern const ts_service ddb_service;
extern const ts_service lambda_service;
extern const ts_service apigw_service;
extern const ts_service apigw_v2_service;
extern const ts_service iam_service;
extern const ts_service sts_service;
extern const ts_service logs_service;
extern const ts_service http_internal_service;

/* The protocols (src/proto/). */
extern const ts_protocol ts_proto_rest_xml;
extern const ts_protocol ts_proto_json10;
extern const ts_protocol ts_proto_json11;
extern const ts_protocol ts_proto_rest_json;
extern const ts_protocol ts_proto_query;

/* Runs every service's init hook (main.c, before the server starts). */
void ts_services_init(void);
/* Runs every service's stop hook. */
/* Calls every service's quiesce hook (shutdown, before the server stops). */
void ts_services_quiesce(void);
void ts_services_stop(void);

/* The router: turns a request whose headers are in into a service and,
 * where the headers suffice, an operation (c->req->op).  Never NULL. */
const ts_service *http_route(ts_call *c);
/* Unit tests only: when set, every request goes to this service. */
extern const ts_service *http_route_override;
/* After the body: the query protocol's Action names the operation (and,
 * between IAM and STS, the service). */
const ts_service *http_route_action(ts_call *c);

/* Runs c's operation: parse the input, open the transaction its flags
 * ask for, call the handler, commit or roll back, wake the bus when
 * events were published, and render the answer (unless suspended). */
void http_dispatch(ts_call *c);
/* Renders c's answer: the error through the protocol, or the success. */
void http_render(ts_call *c);

/* 0 when --services / SERVICES leaves svc out (apigatewayv2 goes with
 * apigateway), else 1. */
int ts_service_enabled(const ts_service *svc);

/* Looks an operation up by name in svc's table; NULL when absent. */
const ts_op *ts_service_op(const ts_service *svc, const char *name);

#endif
