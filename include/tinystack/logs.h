/*
 * logs.h - CloudWatch Logs as the rest of tinystack sees it: the call
 * that writes events into a log stream without going through HTTP, for
 * the Lambda runtime to store what a function prints, as AWS does under
 * /aws/lambda/<function>.  Everything else of the service is reached over
 * its JSON 1.1 operations (src/logs/).
 *
 * Log groups are named per account and region; the account is always the
 * configured one (ts_cfg.account).  A request's region is its SigV4
 * credential scope's, else the configured default (ts_req.region), as for
 * every other service: a group written through logs_append() shows in
 * the region the caller names here.
 */
#ifndef TINYSTACK_LOGS_H
#define TINYSTACK_LOGS_H

#include <stddef.h>
#include <stdint.h>

/* One event to append.  message is len bytes (it need not end in a NUL
 * and may hold any bytes); timestamp_ms is milliseconds since the epoch. */
typedef struct logs_event {
    int64_t timestamp_ms;
    const char *message;
    size_t len;
} logs_event;

/* The longest message an event keeps (1 MiB less the 26 bytes AWS counts
 * for each event); logs_append() cuts longer ones there. */
#define LOGS_MESSAGE_MAX (1048576 - 26)

/*
 * Appends the n events of ev to the log stream `stream` of the log group
 * `group` in `region` (NULL: the configured default region), creating the
 * group and the stream when missing.  Runs inside the caller's write
 * transaction when the calling thread has one open (as a savepoint, so a
 * failure here undoes only this call and the caller decides about the
 * rest), else in a transaction of its own (store_begin/store_commit).
 *
 * The events are copied; the caller keeps ev and its messages.  They need
 * not be in time order (reads order them by timestamp, then by arrival),
 * and none is rejected for its age as PutLogEvents would (the caller's
 * clock is the truth).  An event of length 0 is skipped (AWS holds no
 * empty message); a longer one than LOGS_MESSAGE_MAX is cut there; bytes
 * that are not UTF-8 become U+FFFD and a NUL is kept as the JSON
 * protocol keeps it (C0 80), so every message reads back as valid JSON.
 * A negative timestamp counts as 0.  Group and stream names must be what
 * CreateLogGroup and CreateLogStream accept (1-512 characters; a group
 * name of [.-_/#A-Za-z0-9], a stream name without ':' or '*').
 *
 * Callable from any thread once the store is open.  Returns 0, or -1
 * (logged, and nothing written) on a bad name or a store failure.
 */
int logs_append(const char *region, const char *group, const char *stream,
                const logs_event *ev, size_t n);

#endif
