/*
 * logs_int.h - what the files of src/logs/ share: reading the JSON input,
 * finding log groups and streams, the operations the table in logs.c
 * points at, and the pure parts (filter patterns, paging tokens, message
 * text) that tests/unit/test_logs.c tests alone.
 */
#ifndef TINYSTACK_LOGS_INT_H
#define TINYSTACK_LOGS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "tinystack/core.h"
#include "tinystack/logs.h"
#include "tinystack/service.h"
#include "tinystack/store.h"

#define LOGS_DAY_MS 86400000LL
/* PutLogEvents: a batch is at most 10,000 events and 1,048,576 bytes,
 * counting each message's UTF-8 bytes plus 26; none may be more than two
 * hours ahead or fourteen days behind; the valid ones span 24 hours. */
#define LOGS_BATCH_BYTES 1048576
#define LOGS_EVENT_OVERHEAD 26
#define LOGS_TOO_NEW_MS (2 * 3600 * 1000LL)
#define LOGS_TOO_OLD_MS (14 * LOGS_DAY_MS)
#define LOGS_SPAN_MS LOGS_DAY_MS
/* A page of events: 10,000 events or 1 MB, whichever comes first. */
#define LOGS_PAGE_EVENTS 10000
#define LOGS_PAGE_BYTES 1048576
#define LOGS_MAX_TAGS 50

/* A log group's row, as the handlers use it (strings in the request's
 * arena, or static). */
typedef struct logs_group {
    int64_t id;
    const char *account;
    const char *region;
    const char *name;
    int retention;          /* days; 0: never expire */
} logs_group;

/* ---- logs.c: input and lookups ---- */

/* The string member name of c->in, or NULL when absent.  The model check
 * has already held its type, so a present member is a string. */
const char *logs_arg(ts_call *c, const char *name);
/* The integer member name into *v; 1 when present, else 0 (*v kept). */
int logs_arg_int(ts_call *c, const char *name, int64_t *v);
/* The boolean member name; def when absent. */
int logs_arg_bool(ts_call *c, const char *name, int def);
/* Sets InvalidParameterException with a printf message; returns -1. */
int logs_invalid(ts_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The ARN of a log group: "arn:aws:logs:<region>:<account>:log-group:
 * <name>", with ":*" after it when star (DescribeLogGroups' arn). */
char *logs_group_arn(ts_arena *a, const logs_group *g, int star);

/* Splits a log group ARN ("arn:<partition>:logs:<region>:<account>:
 * log-group:<name>", ":*" after it or not) into arena copies of its
 * parts; 0, or -1 when arn is not one. */
int logs_arn_parse(ts_arena *a, const char *arn, const char **region, const char **account,
                   const char **name);

/* Loads the group called name in the caller's account and region into g;
 * 0, or -1 with ResourceNotFoundException set. */
int logs_group_load(ts_call *c, const char *name, logs_group *g);
/* Loads the group an identifier names: a name, or a log group ARN (with
 * or without ":*"), whose account and region count.  0, or -1 with
 * ResourceNotFound (or InvalidParameter for a malformed ARN) set. */
int logs_group_load_id(ts_call *c, const char *ident, logs_group *g);
/* The names of the list member of c->in as ":name:name:" (neither a
 * group nor a stream name holds ':'), for SQL to test with instr(); the
 * names of groups when groups is set (an ARN gives its name), else of
 * streams; names that cannot be are left out.  NULL when the member is
 * absent; the text is the arena's. */
const char *logs_name_set(ts_call *c, const char *member, int groups);
/* The group of an operation taking logGroupName or logGroupIdentifier
 * (exactly one of them); 0, or -1 with the error set. */
int logs_group_of_call(ts_call *c, logs_group *g);
/* The id of the stream called name in group, or 0 with
 * ResourceNotFoundException set. */
int64_t logs_stream_find(ts_call *c, const logs_group *g, const char *name);

/* The oldest timestamp a read may show in g: events past its retention
 * are hidden at once and deleted by the sweep. */
int64_t logs_visible_from(const logs_group *g, int64_t now_ms);

/* ---- logs_group.c ---- */
int logs_create_log_group(ts_call *c);
int logs_describe_log_groups(ts_call *c);
int logs_delete_log_group(ts_call *c);
int logs_create_log_stream(ts_call *c);
int logs_describe_log_streams(ts_call *c);
int logs_delete_log_stream(ts_call *c);
int logs_put_retention_policy(ts_call *c);
int logs_delete_retention_policy(ts_call *c);
int logs_tag_log_group(ts_call *c);
int logs_untag_log_group(ts_call *c);
int logs_list_tags_log_group(ts_call *c);
int logs_tag_resource(ts_call *c);
int logs_untag_resource(ts_call *c);
int logs_list_tags_for_resource(ts_call *c);

/* Creates the group (account, region, name) when missing, inside the
 * caller's transaction; its id (> 0), or 0 on a store failure. */
int64_t logs_group_ensure(const char *account, const char *region, const char *name);
/* Creates the stream name of group_id when missing, likewise. */
int64_t logs_stream_ensure(int64_t group_id, const char *name);

/* ---- logs_event.c ---- */
int logs_put_log_events(ts_call *c);
int logs_get_log_events(ts_call *c);
int logs_filter_log_events(ts_call *c);
/* The bus job: deletes events past their group's retention. */
void logs_retention_sweep(void);

/* ---- logs_text.c: the pure parts ---- */

/* 1 when name is a valid log group name (1-512 of [.-_/#A-Za-z0-9]). */
int logs_group_name_valid(const char *name);
/* 1 when name is a valid log stream name (1-512 characters, no ':' or
 * '*'). */
int logs_stream_name_valid(const char *name);

/* A compiled filter pattern: every ALL term must occur in a message,
 * none of the NOT terms, and one of the ANY terms when there are some. */
typedef enum logs_term_kind {
    LOGS_TERM_ALL,
    LOGS_TERM_ANY,   /* ?term */
    LOGS_TERM_NOT,   /* -term */
} logs_term_kind;

typedef struct logs_term {
    logs_term_kind kind;
    const char *text;
    size_t len;
} logs_term;

typedef struct logs_pattern {
    logs_term *terms;
    int n;
    int any;                /* how many ANY terms */
} logs_pattern;

/*
 * Compiles a filter pattern of terms (space-separated, case-sensitive,
 * each matching as a substring), "quoted phrases" (a backslash escapes
 * the next character), ?term (one of these) and -term (not this).  NULL,
 * "" or blanks match every message.  JSON ({...}), space-delimited
 * ([...]) and regular-expression (%...%) patterns are not supported.
 * The terms live in arena a.  Returns 0, or -1 with a message in err
 * (errlen bytes).
 */
int logs_pattern_compile(logs_pattern *p, const char *pattern, ts_arena *a, char *err,
                         size_t errlen);
/* 1 when msg (len bytes) matches p. */
int logs_pattern_match(const logs_pattern *p, const char *msg, size_t len);

/* A place in a stream or a group, between events: the events after it
 * are those whose (timestamp, id) is greater than (ts, id). */
typedef struct logs_pos {
    int64_t ts;
    int64_t id;
} logs_pos;

/* A token: kind ('f' forward, 'b' backward, 'n' FilterLogEvents' next
 * page), '/', 56 digits, "/s", as AWS's GetLogEvents tokens look. */
#define LOGS_TOKEN_SIZE 61
/* Writes the token of kind and pos (both fields 0 .. INT64_MAX) into out. */
void logs_token_encode(char kind, logs_pos pos, char out[LOGS_TOKEN_SIZE]);
/* Reads a token written by logs_token_encode into *kind and *pos; 0, or
 * -1 when token is not one. */
int logs_token_decode(const char *token, char *kind, logs_pos *pos);
/* The eventId of the event at pos (56 digits) into out (57 bytes). */
void logs_event_id(logs_pos pos, char out[57]);

/* Appends the n bytes of s to out as a message is stored: well-formed
 * UTF-8 kept, the pair C0 80 (the JSON protocol's U+0000) kept, a NUL
 * byte written as C0 80, and every other byte that is not UTF-8 written
 * as U+FFFD. */
void logs_message_clean(ts_buf *out, const char *s, size_t n);

#endif
