/*
 * lambda_int.h - what the Lambda files share: the function record as
 * stored, name and ARN helpers, the code package, and the runtime's face
 * (environments and invocations) that the Invoke operation drives.
 */
#ifndef TINYSTACK_LAMBDA_INT_H
#define TINYSTACK_LAMBDA_INT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "tinystack/http.h"
#include "tinystack/service.h"

/* AWS's limits. */
#define LAMBDA_ZIP_MAX (50u << 20)          /* a zip sent in the request */
#define LAMBDA_UNZIPPED_MAX 262144000ull    /* code and layers, unzipped */
#define LAMBDA_PAYLOAD_MAX (6u << 20)       /* sync request and response */
#define LAMBDA_EVENT_PAYLOAD_MAX (256u << 10) /* async request (1 MiB now;
                                               * see lambda_invoke.c) */
#define LAMBDA_ACCOUNT_CONCURRENCY 1000     /* concurrent executions a region */
#define LAMBDA_UNRESERVED_MIN 100           /* what reservations must leave */
#define LAMBDA_PAGE_MAX 50                  /* items a List answer holds */

/* A function as a row of lambda_function (or, for a published version,
 * of lambda_version).  config is the stored FunctionConfiguration and is
 * owned by the record. */
typedef struct lambda_fn {
    int64_t id;
    const char *name;       /* arena */
    const char *qualifier;  /* "$LATEST", "3", or an alias name; arena */
    const char *version;    /* the version the qualifier resolves to */
    cJSON *config;
    int64_t code_blob;
    int64_t next_version;
    int64_t concurrency;    /* reserved concurrency, -1 when none */
    const char *policy;     /* arena, NULL when none */
    const char *tags;       /* arena JSON object, NULL when none */
} lambda_fn;

/* ---- lambda.c ---- */

/* Splits a FunctionName member (name, partial ARN "123:function:name" or
 * full ARN, each maybe with ":qualifier") into name and qualifier (NULL
 * when none), arena copies.  An ARN of another region or account, or a
 * qualifier given twice, is an error set on c.  0 or -1. */
int lambda_name_parse(ts_call *c, const char *in, const char *explicit_qualifier,
                      const char **name, const char **qualifier);
/* "arn:aws:lambda:<region>:<account>:function:<name>", arena. */
const char *lambda_arn(ts_call *c, const char *name);
/* Loads the function name (unqualified, $LATEST) into f; 0, or -1 with
 * ResourceNotFoundException set ("Function not found: <arn>"). */
int lambda_fn_load(ts_call *c, const char *name, lambda_fn *f);
/* Loads name at qualifier (NULL or "$LATEST", a version number, or an
 * alias): f->config is that version's configuration.  0 or -1 with the
 * error set. */
int lambda_fn_load_qualified(ts_call *c, const char *name, const char *qualifier,
                             lambda_fn *f);
void lambda_fn_free(lambda_fn *f);
/* "2024-01-31T12:00:00.000+0000", as Lambda writes LastModified. */
void lambda_time(int64_t ms, char *out);
/* The string member name of in, or NULL. */
const char *lambda_str(const cJSON *in, const char *name);
/* The stored configuration of alias of function function_id, or NULL;
 * the caller owns it. */
cJSON *lambda_alias_load(int64_t function_id, const char *alias);
/* The page size of a List operation: MaxItems, at most LAMBDA_PAGE_MAX. */
int lambda_page_size(ts_call *c);
/* Adds to list the rows st yields (column 0 the row's marker, column 1
 * its stored JSON) up to limit items in all, n of them already there,
 * the last with marker last; sets NextMarker on c->out when a row is
 * left over.  Resets st. */
void lambda_page_rows(ts_call *c, sqlite3_stmt *st, cJSON *list, int limit, int n,
                      const char *last);
/* A copy of f's configuration as the API answers it. */
cJSON *lambda_config_out(const lambda_fn *f);
/* 1 when s is a version number as Lambda writes them (1 and up). */
int lambda_is_version(const char *s);
/* Sets the string member name of o to v, replacing any. */
void lambda_set_str(cJSON *o, const char *name, const char *v);
/* The function named by the string member of c->in, which may not carry
 * a qualifier (operations on the function itself, not a version): the
 * name (arena) into *name; 0, or -1 with the error set. */
int lambda_unqualified(ts_call *c, const char *member, const char **name);

/* ---- lambda_code.c ---- */

typedef struct lambda_code {
    unsigned char *zip;     /* ts_malloc'd */
    size_t len;
    char sha256[48];        /* base64 of the SHA-256 of the zip */
    uint64_t unzipped;
} lambda_code;

/* Reads the Code member of CreateFunction (or UpdateFunctionCode's input
 * itself): ZipFile (base64) or S3Bucket/S3Key/S3ObjectVersion in this
 * store.  Checks the zip: readable, no entry escaping its folder, at most
 * LAMBDA_UNZIPPED_MAX unzipped.  0, or -1 with
 * InvalidParameterValueException set. */
int lambda_code_read(ts_call *c, const cJSON *code, lambda_code *out);
void lambda_code_free(lambda_code *code);
/* Stores the zip as a blob with one reference; the blob id, or -1. */
int64_t lambda_code_store(const lambda_code *code);
/* The folder the code with this blob and sha256 is unpacked into (made on
 * first use, from the store): a ts_malloc'd path the caller frees, or
 * NULL with the reason logged.  Any thread. */
char *lambda_code_dir(int64_t blob, const char *sha256);
/* The root of lambda's files on disk (code, environments' /tmp). */
const char *lambda_dir(void);
int lambda_dir_init(void);
void lambda_dir_cleanup(void);
/* Removes path and everything under it (links are not followed). */
void lambda_rm_tree(const char *path);

/* ---- lambda_function.c: the control plane's handlers ---- */
int lambda_create_function(ts_call *c);
int lambda_get_function(ts_call *c);
int lambda_get_function_configuration(ts_call *c);
int lambda_list_functions(ts_call *c);
int lambda_delete_function(ts_call *c);
int lambda_update_function_code(ts_call *c);
int lambda_update_function_configuration(ts_call *c);
int lambda_get_account_settings(ts_call *c);

/* ---- lambda_version.c: versions and aliases ---- */
int lambda_publish_version(ts_call *c);
/* Publishes f's $LATEST as version f->next_version (its description
 * replaced when description is not NULL); the new version's
 * configuration into *out, which the caller owns.  Inside a write
 * transaction; 0 or -1 with the error set. */
int lambda_version_insert(ts_call *c, lambda_fn *f, const char *description, cJSON **out);
int lambda_list_versions(ts_call *c);
int lambda_create_alias(ts_call *c);
int lambda_get_alias(ts_call *c);
int lambda_update_alias(ts_call *c);
int lambda_delete_alias(ts_call *c);
int lambda_list_aliases(ts_call *c);
/* DeleteFunction as the operation table routes it: a version that an
 * alias uses, or an alias, is refused as AWS refuses them; the rest is
 * lambda_delete_function's, and the asynchronous invocation settings of
 * what it deleted go with it. */
int lambda_delete_function_checked(ts_call *c);
/* 1 when function id has qualifier: "$LATEST", a published version or an
 * alias; 0 when not.  Reads the store. */
int lambda_qualifier_exists(int64_t function_id, const char *qualifier);

/* ---- lambda_tags.c: tags and reserved concurrency ---- */
int lambda_tag_resource(ts_call *c);
int lambda_untag_resource(ts_call *c);
int lambda_list_tags(ts_call *c);
int lambda_put_concurrency(ts_call *c);
int lambda_get_concurrency(ts_call *c);
int lambda_delete_concurrency(ts_call *c);

/* ---- lambda_event_config.c: asynchronous invocation settings ---- */
int lambda_put_event_config(ts_call *c);
int lambda_update_event_config(ts_call *c);
int lambda_get_event_config(ts_call *c);
int lambda_delete_event_config(ts_call *c);
int lambda_list_event_configs(ts_call *c);
/* The asynchronous invocation settings of function id at qualifier
 * ("$LATEST", a version number or an alias name), for the event pump:
 * *retries gets MaximumRetryAttempts (0-2) and *max_age
 * MaximumEventAgeInSeconds (60-21600), each -1 when the config leaves it
 * unset (AWS then retries twice and keeps an event 6 hours).  0 when there
 * is a config for that qualifier, -1 when there is none (both -1 then).
 * Reads the store: call inside a snapshot or a transaction. */
int lambda_event_config_get(int64_t function_id, const char *qualifier, int *retries,
                            int *max_age);
/* Deletes the settings of function id at qualifier, or all of its
 * settings when qualifier is NULL.  Inside a write transaction. */
void lambda_event_config_drop(int64_t function_id, const char *qualifier);

/* ---- lambda_policy.c ---- */
int lambda_add_permission(ts_call *c);
int lambda_remove_permission(ts_call *c);
int lambda_get_policy(ts_call *c);

/* ---- lambda_invoke.c ---- */
int lambda_invoke(ts_call *c);
/* Registers the event pump with the bus (before the bus starts). */
void lambda_events_init(void);

/* ---- lambda_runtime.c: execution environments ---- */

/* What an environment runs: a function version's configuration, copied
 * so the runtime holds nothing of a request.  Reference-counted. */
typedef struct lambda_spec lambda_spec;

/* One invocation.  done is called exactly once, from a runtime thread,
 * with the outcome; the invocation is freed after it returns. */
typedef struct lambda_inv lambda_inv;
typedef void (*lambda_done_fn)(lambda_inv *inv);

struct lambda_inv {
    char id[40];                /* the request id */
    lambda_spec *spec;
    char *payload;              /* ts_malloc'd */
    size_t payload_len;
    char *client_context;       /* base64 JSON, or NULL */
    int64_t started_ms;         /* when it went to the environment */
    int64_t deadline_ms;
    int tail;                   /* LogType Tail: keep the log */
    int depth;                  /* triggered invokes that led here */
    int max_ms;                 /* the caller's own limit, 0 when none */
    int caller_timeout;         /* that limit ended it */
    /* The outcome */
    int status;                 /* 0 ok, 1 function error (Unhandled) */
    char *result;               /* ts_malloc'd response or error payload */
    size_t result_len;
    char *error_type;           /* Lambda-Runtime-Function-Error-Type */
    char *log_tail;             /* last 4 KB of log, when tail */
    ts_buf log;
    lambda_done_fn done;
    void *arg;
    lambda_inv *next;
};

/* Builds a spec from a loaded function at its version; NULL with the
 * error set on c (code that cannot be unpacked, an unknown runtime). */
lambda_spec *lambda_spec_new(ts_call *c, const lambda_fn *f);
void lambda_spec_unref(lambda_spec *s);
const char *lambda_spec_version(const lambda_spec *s);

/* Hands inv to an idle environment of its spec, or queues it and starts
 * one.  Any thread.  Takes ownership of inv. */
void lambda_runtime_submit(lambda_inv *inv);
/* A new invocation with a fresh request id; payload copied. */
lambda_inv *lambda_inv_new(lambda_spec *spec, const char *payload, size_t len);
void lambda_inv_free(lambda_inv *inv);

/* Starts the fork server a runtime will use, ahead of its first invoke
 * (CreateFunction calls it).  Any thread. */
void lambda_runtime_prewarm(const char *runtime);
/* The environments of the function arn (all its versions) end: it was
 * updated or deleted.  Any thread. */
void lambda_runtime_retire(const char *arn);
int lambda_runtime_start(void);
void lambda_runtime_stop(void);
/* Ends every environment (reset). */
void lambda_runtime_reset(void);

#endif
