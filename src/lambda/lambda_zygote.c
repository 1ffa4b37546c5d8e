/*
 * lambda_zygote.c - the Python fork servers.  One per interpreter: a
 * single-threaded process exec'ed fresh (ts_zygote.py, never a fork of
 * this multithreaded daemon) that has imported boto3 and loaded the S3
 * and DynamoDB models.  A new environment is one fork of it, asked for over
 * an AF_UNIX SOCK_SEQPACKET socket on its fd 3: a JSON packet with the
 * environment and the task root, and the three pipe ends as SCM_RIGHTS.
 * It answers "spawned" with the child's pid, "error" (with "cold": true
 * when the function must run in a fresh interpreter, e.g. it ships its own
 * boto3), and "exit" when a child ends.  docs/lambda-runtimes.md is the
 * protocol.  Runtime thread only.
 */
#include "lambda_runtime.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tinystack/config.h"
#include "tinystack/log.h"

#define PACKET_MAX (64u << 10)

typedef struct zy_wait {
    lambda_env *env;
    char *msg;
    struct zy_wait *next;
} zy_wait;

typedef struct zygote {
    char interp[PATH_MAX];
    uv_process_t proc;
    uv_poll_t poll;
    int fd;
    int ready;
    int dead;
    int handles;
    zy_wait *waiting;       /* spawns asked for before it was ready */
    struct zygote *next;
} zygote;

static zygote *zygotes;

static void zy_closed(uv_handle_t *h)
{
    zygote *z = h->data;

    if (--z->handles == 0)
        ts_free(z);
}

/* The environment of id among every environment; NULL when gone. */
static lambda_env *env_of(const char *id)
{
    lambda_env *e;

    pthread_mutex_lock(&rt_lock);
    for (e = rt_all_envs; e; e = e->all_next)
        if (!strcmp(e->id, id) && !e->exited)
            break;
    pthread_mutex_unlock(&rt_lock);
    return e;
}

static int send_spawn(zygote *z, lambda_env *e, const char *msg)
{
    struct msghdr mh;
    struct iovec iov = {(void *)msg, strlen(msg)};
    char ctl[CMSG_SPACE(3 * sizeof(int))];
    struct cmsghdr *cm;

    memset(&mh, 0, sizeof mh);
    memset(ctl, 0, sizeof ctl);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = ctl;
    mh.msg_controllen = sizeof ctl;
    cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(3 * sizeof(int));
    memcpy(CMSG_DATA(cm), e->wfd, 3 * sizeof(int));
    return sendmsg(z->fd, &mh, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/* The zygote is gone: what waited for it starts cold, and the children it
 * forked, whose ends it can no longer report, are ended. */
static void zy_dead(zygote *z)
{
    if (z->dead)
        return;
    z->dead = 1;
    ts_log(TS_LOG_WARN, "lambda: the fork server for %s ended", z->interp);
    for (zygote **pp = &zygotes; *pp; pp = &(*pp)->next)
        if (*pp == z) {
            *pp = z->next;
            break;
        }
    while (z->waiting) {
        zy_wait *w = z->waiting;
        z->waiting = w->next;
        rt_env_start_cold(w->env);
        ts_free(w->msg);
        ts_free(w);
    }
    for (;;) {
        lambda_env *orphan = NULL;
        pthread_mutex_lock(&rt_lock);
        for (lambda_env *e = rt_all_envs; e; e = e->all_next)
            if (e->zygote == z && !e->exited) {
                orphan = e;
                break;
            }
        if (orphan) {
            rt_env_kill(orphan);
            orphan->zygote = NULL;
        }
        pthread_mutex_unlock(&rt_lock);
        if (!orphan)
            break;
        rt_env_exited(orphan, -1, SIGKILL);
    }
    uv_poll_stop(&z->poll);
    uv_close((uv_handle_t *)&z->poll, zy_closed);
    close(z->fd);
    z->fd = -1;
}

static void on_message(zygote *z, const char *text, size_t len)
{
    cJSON *m = cJSON_ParseWithLength(text, len);
    const char *op = lambda_str(m, "op"), *id = lambda_str(m, "id");
    lambda_env *e;

    if (!op)
        goto out;
    if (!strcmp(op, "ready")) {
        z->ready = 1;
        ts_log(TS_LOG_INFO, "lambda: fork server ready for %s (python %s, boto3 %s)", z->interp,
               lambda_str(m, "python") ? lambda_str(m, "python") : "?",
               lambda_str(m, "boto3") ? lambda_str(m, "boto3") : "none");
        while (z->waiting) {
            zy_wait *w = z->waiting;
            z->waiting = w->next;
            if (send_spawn(z, w->env, w->msg) != 0)
                rt_env_start_cold(w->env);
            ts_free(w->msg);
            ts_free(w);
        }
    } else if (!id || !(e = env_of(id))) {
        /* an environment already gone */
    } else if (!strcmp(op, "spawned")) {
        const cJSON *pid = cJSON_GetObjectItemCaseSensitive(m, "pid");
        pthread_mutex_lock(&rt_lock);
        e->pid = cJSON_IsNumber(pid) ? (pid_t)pid->valueint : 0;
        e->zygote = z;
        /* Killed meanwhile (a timeout cannot have come yet, a reset can). */
        if (e->state == ENV_DEAD)
            rt_env_kill(e);
        pthread_mutex_unlock(&rt_lock);
        for (int i = 0; i < 3; i++)
            if (e->wfd[i] >= 0) {
                close(e->wfd[i]);
                e->wfd[i] = -1;
            }
        ts_log(TS_LOG_DEBUG, "lambda %s: environment %s forked (pid %d)", e->pool->spec->name,
               e->id, (int)e->pid);
    } else if (!strcmp(op, "exit")) {
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(m, "status");
        const cJSON *sig = cJSON_GetObjectItemCaseSensitive(m, "signal");
        rt_env_exited(e, cJSON_IsNumber(st) ? st->valueint : -1,
                      cJSON_IsNumber(sig) ? sig->valueint : 0);
    } else if (!strcmp(op, "error")) {
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "cold"))) {
            ts_log(TS_LOG_INFO, "lambda %s: %s; starting a fresh interpreter",
                   e->pool->spec->name,
                   lambda_str(m, "message") ? lambda_str(m, "message") : "not forked");
        } else {
            ts_log(TS_LOG_WARN, "lambda %s: the fork server refused: %s", e->pool->spec->name,
                   lambda_str(m, "message") ? lambda_str(m, "message") : "?");
        }
        rt_env_start_cold(e);
    }
out:
    cJSON_Delete(m);
}

static void on_readable(uv_poll_t *h, int status, int events)
{
    zygote *z = h->data;
    char *buf = ts_malloc(PACKET_MAX);

    (void)events;
    if (status < 0) {
        ts_free(buf);
        zy_dead(z);
        return;
    }
    for (;;) {
        ssize_t n = recv(z->fd, buf, PACKET_MAX, MSG_DONTWAIT);
        if (n > 0) {
            on_message(z, buf, (size_t)n);
            if (z->dead)
                break;
            continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EINTR))
            zy_dead(z);
        break;
    }
    ts_free(buf);
}

static void on_zygote_exit(uv_process_t *p, int64_t status, int sig)
{
    zygote *z = p->data;

    ts_log(TS_LOG_DEBUG, "lambda: fork server for %s exited (%d, signal %d)", z->interp,
           (int)status, sig);
    zy_dead(z);
    uv_close((uv_handle_t *)p, zy_closed);
}

static zygote *zy_start(const char *interp)
{
    zygote *z = ts_calloc(1, sizeof(*z));
    char script[PATH_MAX], home[PATH_MAX + 8], path[PATH_MAX + 8];
    char *argv[] = {(char *)interp, script, NULL};
    char *envp[] = {path, "LANG=C.UTF-8", home, NULL};
    uv_process_options_t opt;
    uv_stdio_container_t stdio[4];
    int sv[2], rc;

    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        ts_free(z);
        return NULL;
    }
    snprintf(z->interp, sizeof z->interp, "%s", interp);
    snprintf(script, sizeof script, "%.*s/ts_zygote.py", PATH_MAX - 16, rt_runtimes_dir);
    /* A small environment: a forked child's /proc/<pid>/environ still
     * shows the zygote's. */
    snprintf(path, sizeof path, "PATH=%s", getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    snprintf(home, sizeof home, "HOME=%s", rt_runtimes_dir);
    memset(&opt, 0, sizeof opt);
    memset(stdio, 0, sizeof stdio);
    stdio[0].flags = UV_IGNORE;
    stdio[1].flags = UV_INHERIT_FD;
    stdio[1].data.fd = 2;
    stdio[2].flags = UV_INHERIT_FD;
    stdio[2].data.fd = 2;
    stdio[3].flags = UV_INHERIT_FD;
    stdio[3].data.fd = sv[1];
    opt.file = interp;
    opt.args = argv;
    opt.env = envp;
    opt.cwd = rt_runtimes_dir;
    opt.stdio_count = 4;
    opt.stdio = stdio;
    opt.exit_cb = on_zygote_exit;
    z->proc.data = z;
    rc = uv_spawn(&rt_loop, &z->proc, &opt);
    close(sv[1]);
    z->handles = 1;
    if (rc != 0) {
        ts_log(TS_LOG_WARN, "lambda: cannot start the fork server for %s: %s", interp,
               uv_strerror(rc));
        close(sv[0]);
        uv_close((uv_handle_t *)&z->proc, zy_closed);
        return NULL;
    }
    z->fd = sv[0];
    uv_poll_init(&rt_loop, &z->poll, z->fd);
    z->poll.data = z;
    z->handles++;
    uv_poll_start(&z->poll, UV_READABLE | UV_DISCONNECT, on_readable);
    z->next = zygotes;
    zygotes = z;
    ts_log(TS_LOG_DEBUG, "lambda: fork server for %s starting (pid %d)", interp, z->proc.pid);
    return z;
}

static zygote *zy_get(const char *interp)
{
    for (zygote *z = zygotes; z; z = z->next)
        if (!strcmp(z->interp, interp) && !z->dead)
            return z;
    return zy_start(interp);
}

void rt_zygote_prewarm(const char *interp)
{
    if (!ts_cfg.lambda_no_fork)
        zy_get(interp);
}

int rt_zygote_spawn(lambda_env *e, const char *interp)
{
    zygote *z = zy_get(interp);
    cJSON *m, *env;
    char *msg;

    if (!z)
        return -1;
    m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "op", "spawn");
    cJSON_AddStringToObject(m, "id", e->id);
    env = cJSON_AddObjectToObject(m, "env");
    for (char **v = e->envp; v && *v; v++) {
        const char *eq = strchr(*v, '=');
        char name[256];
        if (!eq || (size_t)(eq - *v) >= sizeof name)
            continue;
        memcpy(name, *v, (size_t)(eq - *v));
        name[eq - *v] = '\0';
        cJSON_AddStringToObject(env, name, eq + 1);
    }
    cJSON_AddStringToObject(m, "cwd", e->pool->spec->code_dir);
    msg = cJSON_PrintUnformatted(m);
    cJSON_Delete(m);
    if (strlen(msg) >= PACKET_MAX) {
        cJSON_free(msg);
        return -1;
    }
    if (z->ready) {
        int rc = send_spawn(z, e, msg);
        cJSON_free(msg);
        return rc;
    }
    {
        zy_wait *w = ts_calloc(1, sizeof(*w)), **pp = &z->waiting;
        w->env = e;
        w->msg = ts_strdup(msg);
        cJSON_free(msg);
        while (*pp)
            pp = &(*pp)->next;
        *pp = w;
    }
    return 0;
}

void rt_zygote_stop_all(void)
{
    while (zygotes) {
        zygote *z = zygotes;
        pid_t pid = z->proc.pid;
        zy_dead(z);
        if (pid > 0)
            kill(pid, SIGTERM);
    }
}
