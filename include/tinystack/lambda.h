/*
 * lambda.h - what other services ask of Lambda: whether a function's
 * resource policy lets a service invoke it, and an asynchronous invoke
 * queued inside the caller's own transaction (S3 notifications), so the
 * change and the event commit or roll back together.
 */
#ifndef TINYSTACK_LAMBDA_H
#define TINYSTACK_LAMBDA_H

#include <stddef.h>

/* Events that cause events stop after this many links (a handler writing
 * into its own trigger bucket). */
#define LAMBDA_MAX_DEPTH 16

/*
 * 1 when the resource policy of function_arn (a full function ARN, maybe
 * qualified) has a statement for service ("s3.amazonaws.com") whose
 * SourceArn condition, if any, matches source_arn; 0 when it has none;
 * -1 when there is no such function.  Reads the store: call inside a
 * snapshot or a transaction.
 */
int lambda_allows_service(const char *region, const char *account, const char *function_arn,
                          const char *service, const char *source_arn);

/*
 * Queues an asynchronous invoke of function_arn with the JSON payload (len
 * bytes) in the caller's write transaction; it runs once that commits.
 * depth is how many triggered invokes led to this one (0 for a change a
 * client made).  0 or -1.
 */
int lambda_event_enqueue(const char *function_arn, const char *payload, size_t len, int depth);

/*
 * The trigger depth a request carries: the handler's SDK forwards the
 * trace header it was invoked with (X-Amzn-Trace-Id, Lineage=...:<depth>),
 * 0 when there is none.
 */
int lambda_depth_of_trace(const char *trace_header);

struct ts_call;

/*
 * A synchronous invoke for another service (API Gateway's integrations
 * and authorizers).  lambda_target_new looks the function up (a full
 * ARN, maybe qualified; in a snapshot) and keeps what running it needs;
 * lambda_target_invoke runs it once with payload (copied) and calls done
 * exactly once, on a runtime thread, with the outcome.  A target serves
 * any number of invokes and is freed by lambda_target_free.
 */
typedef struct lambda_target lambda_target;
typedef struct lambda_result {
    int status;             /* -1 it did not run (throttled, runtime down),
                             * 0 it answered, 1 it failed (function error) */
    const char *payload;    /* the answer or the error document */
    size_t len;
    const char *error_type; /* of a failure, or NULL */
    int caller_timeout;     /* the caller's max_ms passed first */
} lambda_result;
typedef void (*lambda_result_fn)(void *arg, const lambda_result *r);

/* NULL with Lambda's error set on c when there is no such function (or
 * its code cannot run). */
lambda_target *lambda_target_new(struct ts_call *c, const char *function_arn);
/* max_ms: the caller's own limit (0: the function's timeout only); when
 * it passes first the invocation ends with caller_timeout set. */
void lambda_target_invoke(lambda_target *t, const char *payload, size_t len, int max_ms,
                          lambda_result_fn done, void *arg);
void lambda_target_free(lambda_target *t);

/* GET /_tinystack/lambda/code/<blob>.zip: the zip of a function or
 * version (GetFunction's Code.Location), streamed; 404 for anything else.
 * Runs in a read snapshot. */
int lambda_code_download(struct ts_call *c);

#endif
