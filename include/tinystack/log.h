/*
 * log.h - the one log of the process: lines on stderr, each with its
 * time, at or above the configured level.  Core, store and bus log
 * through here, so none of them needs the HTTP layer.
 */
#ifndef TINYSTACK_LOG_H
#define TINYSTACK_LOG_H

#define TS_LOG_ERROR 0
#define TS_LOG_WARN 1
#define TS_LOG_INFO 2
#define TS_LOG_DEBUG 3

/* Writes one line "<time> <level> <text>" to stderr when level is at or
 * below ts_cfg.log_level. */
void ts_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
