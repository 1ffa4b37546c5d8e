/*
 * lambda_runtime.h - what lambda_runtime.c (environments, processes) and
 * lambda_rapi.c (the Runtime API they call) share.  One mutex, rt_lock,
 * guards every pool, environment and queue; nothing under it blocks.
 */
#ifndef TINYSTACK_LAMBDA_RUNTIME_H
#define TINYSTACK_LAMBDA_RUNTIME_H

#include <pthread.h>
#include <sys/types.h>

#include <uv.h>

#include "lambda_int.h"

struct lambda_spec {
    int refs;
    char *key;          /* qualified ARN + revision: one pool per key */
    char *name, *arn, *version, *runtime, *handler, *code_dir, *region, *account;
    char *log_group;
    int timeout;        /* seconds */
    int memory;         /* MB */
    cJSON *vars;        /* the function's Environment.Variables */
    int reserved;       /* reserved concurrency, -1 when none */
};

typedef struct lambda_pool lambda_pool;
typedef struct lambda_env lambda_env;

enum { ENV_STARTING, ENV_IDLE, ENV_BUSY, ENV_DEAD };

struct lambda_env {
    char id[33];
    lambda_pool *pool;
    int state;
    int port;
    int listen_fd;
    pid_t pid;
    lambda_inv *inv;        /* the invocation it runs, or will at /next */
    lambda_inv *finishing;  /* answered, its output still being read */
    int inv_sent;           /* inv went out in a /next answer */
    void *parked;           /* struct MHD_Connection * of a waiting /next */
    int refs;               /* the runtime's, plus one per Runtime API request */
    int reached_next;       /* it asked for work once: init is over */
    int timed_out;
    int exit_status, term_signal;
    double spawned;         /* ts_now_monotonic() at spawn */
    double idle_since;
    double init_ms;         /* spawn to first /next */
    int report_init;        /* the next REPORT carries Init Duration */
    char *tmpdir;
    char log_stream[96];
    /* libuv side (the runtime thread only) */
    uv_process_t proc;
    uv_pipe_t pipes[3];     /* stdout, stderr, the framed log */
    uv_poll_t listener;
    uv_timer_t timer;
    int open_handles;
    int timer_on;
    int64_t timer_deadline; /* the deadline the timer is armed for */
    int cold;               /* started by uv_spawn: proc is ours */
    int exited;             /* its end was handled */
    int start_failed;
    int wfd[3];             /* the pipes' write ends, until it started */
    char **envp;            /* what starting it needs, until it started */
    char *argv0, *argv1;
    int spare_in;           /* a Node spare's stdin, until it is claimed */
    void *zygote;           /* the fork server that forked it */
    ts_buf partial[3];
    ts_buf logq;            /* events for its log stream, not yet stored */
    lambda_env *next;       /* in its pool */
    lambda_env *all_next;   /* every environment, for the port lookup */
};

struct lambda_pool {
    lambda_spec *spec;
    lambda_env *envs;
    int nenv;
    lambda_inv *qhead, *qtail;
    int qlen;
    char *spare_tmp;        /* a timed-out environment's /tmp, for the next */
    int retired;            /* its function changed or went: no new work */
    int pending;            /* completions queued for its environments */
    lambda_pool *next;
};

extern pthread_mutex_t rt_lock;

/* The environment listening on the local port of conn's socket, with a
 * reference taken; NULL when none.  Takes rt_lock. */
lambda_env *rt_env_by_port(int port);
/* Drops a reference taken by rt_env_by_port.  Takes rt_lock. */
void rt_env_release(lambda_env *env);

/* Under rt_lock: the work for env when it asks /next (its assigned
 * invocation, else the pool's oldest queued one), marked sent, or NULL. */
lambda_inv *rt_next_locked(lambda_env *env);
/* Under rt_lock: env finished its invocation (response or error).
 * Returns the invocation, detached, for the caller to complete outside
 * the lock; NULL when id is not env's current request. */
lambda_inv *rt_finish_locked(lambda_env *env, const char *id);
/* Under rt_lock: env reported an init error: the invocation that waits
 * for it, detached, or NULL; the environment is ended. */
lambda_inv *rt_init_error_locked(lambda_env *env);
/* Runtime thread: reads what env's pipes hold now (its output written
 * before it answered must be in the log of that invocation). */
void rt_env_drain(lambda_env *e);
/* Any thread: completes inv on the runtime thread, after env's output
 * is drained; takes a reference on env until then. */
void rt_complete_later(lambda_env *env, lambda_inv *inv);
/* Stores env's queued log events in CloudWatch Logs (without rt_lock). */
void rt_logs_flush(lambda_env *env);
/* Completes inv (outside rt_lock): platform log lines, then inv->done. */
void rt_complete(lambda_env *env, lambda_inv *inv);
/* What the runtime thread's wake pass does with env's timeout timer:
 * arm it for env->inv's deadline (sent and not yet armed for that one),
 * stop it (no invocation), or keep it.  Reads inv, inv_sent, timer_on
 * and timer_deadline only, under rt_lock. */
enum { RT_TIMER_KEEP, RT_TIMER_ARM, RT_TIMER_STOP };
int rt_timer_action(const lambda_env *e);
/* Wakes the runtime thread (timers to start, processes to spawn). */
void rt_wake(void);
/* A line the environment logged, for its current invocation's tail and
 * the logs. */
void rt_log_event(lambda_env *env, const char *msg, size_t len, int64_t ts_ms);

/* lambda_runtime.c, for lambda_env.c and lambda_zygote.c */
extern uv_loop_t rt_loop;
extern lambda_env *rt_all_envs;
extern int rt_total_envs;
extern char rt_runtimes_dir[];
void rt_inv_fail(lambda_inv *inv, const char *type, const char *message);
lambda_inv *rt_pool_pop(lambda_pool *p);
void rt_env_kill(lambda_env *e);
void rt_env_free(lambda_env *e);

/* lambda_env.c (runtime thread; they take rt_lock themselves) */
/* Starts an environment for p (call without rt_lock). */
void rt_env_spawn(lambda_pool *p);
/* The interpreter for a python or nodejs runtime (cached; NULL when none
 * runs here). */
const char *rt_interpreter(const char *runtime);
/* Starts e with uv_spawn (its argv0/argv1, envp, pipes). */
void rt_env_start_cold(lambda_env *e);
/* e's process ended (status, or the signal that ended it). */
void rt_env_exited(lambda_env *e, int status, int sig);
/* e could not be started: the invocation waiting for it fails. */
void rt_env_failed(lambda_env *e);

/* Starts a spare node process for interp unless one waits. */
void rt_node_spare_ensure(const char *interp);
/* Ends the spare (shutdown). */
void rt_node_spare_stop(void);

/* lambda_zygote.c (runtime thread, without rt_lock) */
/* Asks the fork server for interp to fork e; 0 when asked (it answers
 * later), -1 when there is none to ask (start it cold). */
int rt_zygote_spawn(lambda_env *e, const char *interp);
/* Starts the fork server for a python runtime ahead of its first use. */
void rt_zygote_prewarm(const char *interp);
/* Ends every fork server (shutdown). */
void rt_zygote_stop_all(void);

/* A libuv close callback for an environment's handles: the last one
 * frees it when nothing else holds it. */
void rt_handle_closed(uv_handle_t *h);

/* lambda_rapi.c */
int rapi_start(void);
void rapi_stop(void);
/* Gives an accepted socket to the Runtime API daemon. 0 or -1. */
int rapi_add_connection(int fd, const struct sockaddr *addr, socklen_t len);
/* Resumes a parked /next (any thread; call under rt_lock). */
void rapi_resume(void *conn);

#endif
