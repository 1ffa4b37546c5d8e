/*
 * ts_log.c - the settings every module reads (ts_cfg, filled by main.c)
 * and the log they write to: one line per call on stderr, built whole in
 * a buffer first so lines from different threads never interleave.
 */
#include "tinystack/config.h"
#include "tinystack/core.h"
#include "tinystack/log.h"

#include <stdio.h>

ts_config ts_cfg = {
    .host = "127.0.0.1",
    .port = 4566,
    .region = "us-east-1",
    .account = "000000000000",
    .log_level = TS_LOG_INFO,
    .threads = 2,
    .max_conns_per_ip = 512,
    .idle_timeout = 60,
    .group_commit = 32,
};

void ts_log(int level, const char *fmt, ...)
{
    static const char *names[] = {"error", "warn", "info", "debug"};
    char when[32];
    va_list ap;
    ts_buf b;

    if (level > ts_cfg.log_level || level < 0)
        return;
    ts_buf_init(&b);
    ts_time_iso8601(ts_now_ms(), when);
    ts_buf_printf(&b, "%s %s ", when, names[level]);
    va_start(ap, fmt);
    ts_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    ts_buf_putc(&b, '\n');
    fputs(b.data, stderr);
    ts_buf_free(&b);
}
