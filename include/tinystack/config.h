/*
 * config.h - the process's settings, filled once by main.c from flags and
 * the environment before any thread starts, and read-only afterwards.
 */
#ifndef TINYSTACK_CONFIG_H
#define TINYSTACK_CONFIG_H

typedef struct ts_config {
    const char *host;
    int port;
    const char *data_dir;     /* NULL: ephemeral */
    const char *region;
    const char *account;
    int log_level;            /* TS_LOG_* */
    int threads;
    int max_conns_per_ip;     /* concurrent connections from one address */
    unsigned idle_timeout;    /* seconds a silent connection is kept */
    int group_commit;         /* writes one commit may hold, at most */
} ts_config;

extern ts_config ts_cfg;

#endif
