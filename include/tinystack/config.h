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
    const char *lambda_python; /* interpreter for python runtimes not on PATH */
    const char *lambda_node;   /* interpreter for nodejs runtimes */
    int lambda_max_envs;       /* execution environments at once, in all */
    int lambda_idle_seconds;   /* an idle environment ends after this */
    int lambda_no_fork;        /* 1: no Python fork server, every start cold */
    int group_commit;         /* writes one commit may hold, at most */
    const char *init_dir;     /* init hooks' folder, NULL: LocalStack's and ours */
    const char *services;     /* comma-separated services served, NULL: all */
    const char *public_host;  /* host[:port] in the URLs tinystack hands out
                               * (LOCALSTACK_HOST), NULL: the listen address */
} ts_config;

extern ts_config ts_cfg;

#endif
