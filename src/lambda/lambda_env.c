/*
 * lambda_env.c - starting an execution environment's process and reading
 * what it writes.  A process is started fresh (uv_spawn: the interpreter
 * and tinystack's runtime client, or a provided runtime's bootstrap) or
 * forked by the Python fork server (lambda_zygote.c); either way its
 * stdout and stderr are pipes read line by line, and fd 3 carries the
 * runtime client's framed log records, each one event however many lines
 * it holds.  Runtime thread only; rt_lock is taken where pools change.
 */
#include "lambda_runtime.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tinystack/config.h"
#include "tinystack/log.h"

/* The Node.js spare waiting to become an environment (see below). */
static lambda_env *spare;
static char spare_interp[PATH_MAX];

/* ---- processes (runtime thread) ---- */

static const char *find_on_path(const char *prog, char *out, size_t outlen)
{
    const char *path = getenv("PATH");
    char buf[PATH_MAX];

    if (strchr(prog, '/'))
        return access(prog, X_OK) == 0 ? prog : NULL;
    while (path && *path) {
        size_t n = strcspn(path, ":");
        snprintf(buf, sizeof buf, "%.*s/%s", (int)n, path, prog);
        if (n && access(buf, X_OK) == 0) {
            snprintf(out, outlen, "%s", buf);
            return out;
        }
        path += n + (path[n] == ':');
    }
    return NULL;
}

/* 1 when prog -c "" exits 0 (an interpreter that really runs). */
static int runs(const char *prog)
{
    char *argv[] = {(char *)prog, "-S", "-c", "", NULL};
    extern char **environ;
    pid_t pid;
    int status = -1;

    if (posix_spawn(&pid, prog, NULL, NULL, argv, environ) != 0)
        return 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The interpreter for a runtime ("python3.12" → python3.12 on PATH, else
 * the configured python3), logged once per runtime.  Runtime thread. */
const char *rt_interpreter(const char *runtime)
{
    static struct { char runtime[32]; char path[PATH_MAX]; } cache[16];
    static int ncache;
    char buf[PATH_MAX];
    const char *found = NULL;

    for (int i = 0; i < ncache; i++)
        if (!strcmp(cache[i].runtime, runtime))
            return cache[i].path;
    if (ts_starts_with(runtime, "python")) {
        found = find_on_path(runtime, buf, sizeof buf);
        /* A pyenv shim is on PATH for every version it knows of, installed
         * or not: a candidate must also run. */
        if (found && !runs(found))
            found = NULL;
        if (!found)
            found = find_on_path(ts_cfg.lambda_python ? ts_cfg.lambda_python : "python3", buf,
                                 sizeof buf);
    } else if (ts_starts_with(runtime, "nodejs")) {
        found = find_on_path(ts_cfg.lambda_node ? ts_cfg.lambda_node : "node", buf, sizeof buf);
    }
    if (!found)
        return NULL;
    if (ncache < 16) {
        snprintf(cache[ncache].runtime, sizeof cache[ncache].runtime, "%s", runtime);
        snprintf(cache[ncache].path, sizeof cache[ncache].path, "%s", found);
        ts_log(TS_LOG_INFO, "lambda: %s runs on %s", runtime, found);
        return cache[ncache++].path;
    }
    return NULL;
}

void rt_handle_closed(uv_handle_t *h)
{
    lambda_env *e = h->data;

    pthread_mutex_lock(&rt_lock);
    if (--e->open_handles == 0 && --e->refs == 0)
        rt_env_free(e);
    pthread_mutex_unlock(&rt_lock);
}

static void close_handle(lambda_env *e, uv_handle_t *h)
{
    if (h->data && !uv_is_closing(h))
        uv_close(h, rt_handle_closed);
}

/* Under rt_lock, runtime thread: env is gone; its invocation fails,
 * a parked /next is let go, and the pool starts another if work waits. */
static lambda_inv *env_gone_locked(lambda_env *e)
{
    lambda_pool *p = e->pool;
    lambda_inv *inv = e->inv;

    e->state = ENV_DEAD;
    e->inv = NULL;
    if (!inv && !e->reached_next)
        inv = rt_pool_pop(p);  /* it died starting: the invocation it was for fails */
    if (e->parked) {
        void *conn = e->parked;
        e->parked = NULL;
        rapi_resume(conn);
    }
    for (lambda_env **pp = &p->envs; *pp; pp = &(*pp)->next)
        if (*pp == e) {
            *pp = e->next;
            p->nenv--;
            rt_total_envs--;
            break;
        }
    return inv;
}

static void env_release_start(lambda_env *e);

void rt_env_exited(lambda_env *e, int status, int sig)
{
    lambda_inv *inv;
    int timed_out;
    char msg[256], signame[64];

    pthread_mutex_lock(&rt_lock);
    if (e->exited) {
        pthread_mutex_unlock(&rt_lock);
        return;
    }
    e->exited = 1;
    if (!e->pool) {
        /* A spare that was never claimed. */
        pthread_mutex_unlock(&rt_lock);
        if (spare == e)
            spare = NULL;
        if (e->spare_in >= 0)
            close(e->spare_in);
        e->spare_in = -1;
        for (int i = 0; i < 3; i++)
            close_handle(e, (uv_handle_t *)&e->pipes[i]);
        close_handle(e, (uv_handle_t *)&e->timer);
        close_handle(e, (uv_handle_t *)&e->proc);
        return;
    }
    e->exit_status = status;
    e->term_signal = sig;
    timed_out = e->timed_out;
    inv = env_gone_locked(e);
    pthread_mutex_unlock(&rt_lock);
    if (inv && !timed_out) {
        if (sig) {
            /* As Go's os/exec words it: "signal: killed". */
            snprintf(signame, sizeof signame, "%s", strsignal(sig));
            signame[0] = (char)tolower((unsigned char)signame[0]);
            snprintf(msg, sizeof msg, "RequestId: %s Error: Runtime exited with error: signal: %s",
                     inv->id, signame);
        } else {
            snprintf(msg, sizeof msg,
                     "RequestId: %s Error: Runtime exited with error: exit status %d", inv->id,
                     status);
        }
        rt_inv_fail(inv, "Runtime.ExitError", msg);
        rt_complete(e, inv);
    } else if (inv) {
        rt_complete(e, inv);
    }
    rt_logs_flush(e);
    ts_log(TS_LOG_DEBUG, "lambda %s: environment %s ended (status %d, signal %d)",
           e->pool->spec->name, e->id, status, sig);
    env_release_start(e);
    for (int i = 0; i < 3; i++)
        close_handle(e, (uv_handle_t *)&e->pipes[i]);
    close_handle(e, (uv_handle_t *)&e->listener);
    close_handle(e, (uv_handle_t *)&e->timer);
    if (e->cold)
        close_handle(e, (uv_handle_t *)&e->proc);
    if (e->listen_fd >= 0) {
        close(e->listen_fd);
        e->listen_fd = -1;
    }
    rt_wake();
}

static void on_exit_cb(uv_process_t *proc, int64_t status, int sig)
{
    rt_env_exited(proc->data, (int)status, sig);
}

/* Frees what starting needed (argv, envp, the pipes' write ends). */
static void env_release_start(lambda_env *e)
{
    for (int i = 0; i < 3; i++)
        if (e->wfd[i] >= 0) {
            close(e->wfd[i]);
            e->wfd[i] = -1;
        }
    if (e->envp) {
        for (char **v = e->envp; *v; v++)
            ts_free(*v);
        ts_free(e->envp);
        e->envp = NULL;
    }
    ts_free(e->argv0);
    ts_free(e->argv1);
    e->argv0 = e->argv1 = NULL;
}

static void env_release_start_public(lambda_env *e)
{
    env_release_start(e);
}

void rt_env_start_cold(lambda_env *e)
{
    uv_process_options_t opt;
    uv_stdio_container_t stdio[4];
    char *argv[3] = {e->argv0, e->argv1, NULL};
    int rc;

    memset(&opt, 0, sizeof opt);
    memset(stdio, 0, sizeof stdio);
    stdio[0].flags = UV_IGNORE;
    for (int i = 0; i < 3; i++) {
        stdio[i + 1].flags = UV_INHERIT_FD;
        stdio[i + 1].data.fd = e->wfd[i];
    }
    opt.file = argv[0];
    opt.args = argv;
    opt.env = e->envp;
    opt.cwd = e->pool->spec->code_dir;
    opt.flags = UV_PROCESS_DETACHED;
    opt.stdio_count = 4;
    opt.stdio = stdio;
    opt.exit_cb = on_exit_cb;
    e->proc.data = e;
    e->cold = 1;
    e->open_handles++;  /* the process handle, failed or not */
    rc = uv_spawn(&rt_loop, &e->proc, &opt);
    if (rc == 0) {
        e->pid = e->proc.pid;
        ts_log(TS_LOG_DEBUG, "lambda %s: environment %s started (pid %d)",
               e->pool->spec->name, e->id, (int)e->pid);
        env_release_start(e);
        return;
    }
    ts_log(TS_LOG_ERROR, "lambda %s: cannot start %s: %s", e->pool->spec->name, argv[0],
           uv_strerror(rc));
    e->start_failed = 1;
    /* As if it had exited at once: the invocation it was for fails. */
    uv_close((uv_handle_t *)&e->proc, rt_handle_closed);
    e->cold = 0;
    rt_env_failed(e);
}

void rt_env_failed(lambda_env *e)
{
    lambda_inv *inv;
    const char *runtime = e->pool->spec->runtime;

    pthread_mutex_lock(&rt_lock);
    e->exited = 1;
    inv = env_gone_locked(e);
    pthread_mutex_unlock(&rt_lock);
    if (inv) {
        if (ts_starts_with(runtime, "provided"))
            rt_inv_fail(inv, "Runtime.InvalidEntrypoint",
                        "RequestId: Error: Couldn't find valid bootstrap(s): "
                        "[/var/task/bootstrap /opt/bootstrap]");
        else
            rt_inv_fail(inv, "Runtime.ExitError", "Runtime failed to start");
        rt_complete(NULL, inv);
    }
    env_release_start(e);
    for (int i = 0; i < 3; i++)
        close_handle(e, (uv_handle_t *)&e->pipes[i]);
    close_handle(e, (uv_handle_t *)&e->listener);
    close_handle(e, (uv_handle_t *)&e->timer);
    if (e->listen_fd >= 0) {
        close(e->listen_fd);
        e->listen_fd = -1;
    }
    rt_wake();
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    (void)suggested;
    buf->base = ts_malloc(16 << 10);
    buf->len = 16 << 10;
}

/* stdout and stderr: each line is an event. */
static void on_lines(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    lambda_env *e = s->data;
    int which = s == (uv_stream_t *)&e->pipes[0] ? 0 : 1;
    ts_buf *part = &e->partial[which];

    if (n > 0) {
        ts_buf_append(part, buf->base, (size_t)n);
        for (;;) {
            char *nl = part->len ? memchr(part->data, '\n', part->len) : NULL;
            size_t len;
            if (!nl)
                break;
            len = (size_t)(nl - part->data);
            rt_log_event(e, part->data, len, ts_now_ms());
            memmove(part->data, nl + 1, part->len - len - 1);
            part->len -= len + 1;
        }
        if (part->len > (256u << 10)) {
            rt_log_event(e, part->data, part->len, ts_now_ms());
            part->len = 0;
        }
    } else if (n < 0) {
        if (part->len)
            rt_log_event(e, part->data, part->len, ts_now_ms());
        part->len = 0;
        uv_read_stop(s);
    }
    ts_free(buf->base);
}

/* The framed log fd: 4-byte length, 8-byte microseconds, message. */
static void on_frames(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    lambda_env *e = s->data;
    ts_buf *part = &e->partial[2];

    if (n > 0) {
        ts_buf_append(part, buf->base, (size_t)n);
        while (part->len >= 12) {
            const unsigned char *h = (const unsigned char *)part->data;
            uint32_t len = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
            uint64_t us = 0;
            for (int i = 4; i < 12; i++)
                us = us << 8 | h[i];
            if (len > (1u << 20)) {   /* not our framing: give up on it */
                part->len = 0;
                break;
            }
            if (part->len < 12 + (size_t)len)
                break;
            rt_log_event(e, part->data + 12, len, (int64_t)(us / 1000));
            memmove(part->data, part->data + 12 + len, part->len - 12 - len);
            part->len -= 12 + len;
        }
    } else if (n < 0) {
        part->len = 0;
        uv_read_stop(s);
    }
    ts_free(buf->base);
}

void rt_env_drain(lambda_env *e)
{
    for (int i = 0; i < 3; i++) {
        uv_os_fd_t fd;
        uv_handle_t *h = (uv_handle_t *)&e->pipes[i];

        if (!h->data || uv_is_closing(h) || uv_fileno(h, &fd) != 0)
            continue;
        for (int rounds = 0; rounds < 64; rounds++) {
            uv_buf_t buf = uv_buf_init(ts_malloc(16 << 10), 16 << 10);
            ssize_t n = read(fd, buf.base, buf.len);
            if (n <= 0) {
                ts_free(buf.base);
                break;
            }
            if (i < 2)
                on_lines((uv_stream_t *)h, n, &buf);
            else
                on_frames((uv_stream_t *)h, n, &buf);
        }
    }
}

static void on_accept(uv_poll_t *h, int status, int events)
{
    lambda_env *e = h->data;
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    int fd;

    (void)events;
    if (status < 0)
        return;
    while ((fd = accept4(e->listen_fd, (struct sockaddr *)&addr, &len,
                         SOCK_CLOEXEC)) >= 0) {
        int one = 1;
        /* Small requests and answers: Nagle with delayed ACKs would add
         * 40 ms to a round trip. */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (rapi_add_connection(fd, (struct sockaddr *)&addr, len) != 0)
            close(fd);
        len = sizeof addr;
    }
}

/* "K=V" into the environment array. */
static void env_put(char **envp, int *n, const char *k, const char *v)
{
    size_t len = strlen(k) + strlen(v) + 2;

    for (int i = 0; i < *n; i++) {
        size_t kl = strlen(k);
        if (!strncmp(envp[i], k, kl) && envp[i][kl] == '=') {
            ts_free(envp[i]);
            envp[i] = ts_malloc(len);
            snprintf(envp[i], len, "%s=%s", k, v);
            return;
        }
    }
    envp[*n] = ts_malloc(len);
    snprintf(envp[*n], len, "%s=%s", k, v);
    (*n)++;
}

/* Pipes of our own: the read ends are watched here, the write ends go to
 * the process, started fresh or forked by the fork server.  Also the
 * timeout timer.  0 or -1. */
static int env_pipes(lambda_env *e)
{
    int pfd[3][2], made = 0;

    for (; made < 3; made++)
        if (pipe2(pfd[made], O_CLOEXEC) != 0)
            break;
    if (made < 3) {
        ts_log(TS_LOG_ERROR, "lambda: pipe: %s", strerror(errno));
        for (int j = 0; j < made; j++) {
            close(pfd[j][0]);
            close(pfd[j][1]);
        }
        return -1;
    }
    for (int i = 0; i < 3; i++) {
        uv_pipe_init(&rt_loop, &e->pipes[i], 0);
        uv_pipe_open(&e->pipes[i], pfd[i][0]);
        e->pipes[i].data = e;
        e->wfd[i] = pfd[i][1];
        e->open_handles++;
    }
    uv_timer_init(&rt_loop, &e->timer);
    e->timer.data = e;
    e->open_handles++;
    uv_read_start((uv_stream_t *)&e->pipes[0], alloc_cb, on_lines);
    uv_read_start((uv_stream_t *)&e->pipes[1], alloc_cb, on_lines);
    uv_read_start((uv_stream_t *)&e->pipes[2], alloc_cb, on_frames);
    return 0;
}

static lambda_env *env_new(void)
{
    lambda_env *e = ts_calloc(1, sizeof(*e));

    ts_random_hex(e->id, 16);
    e->state = ENV_STARTING;
    e->listen_fd = -1;
    e->spare_in = -1;
    e->wfd[0] = e->wfd[1] = e->wfd[2] = -1;
    e->refs = 1;
    e->spawned = ts_now_monotonic();
    for (int i = 0; i < 3; i++)
        ts_buf_init(&e->partial[i]);
    ts_buf_init(&e->logq);
    return e;
}

/* ---- Node.js spares: Node has no fork server, so one process per
 * interpreter is started ahead, waiting on stdin for the environment of
 * the function it will become (docs/lambda-runtimes.md, spare mode). ---- */

static void on_exit_cb(uv_process_t *proc, int64_t status, int sig);

void rt_node_spare_ensure(const char *interp)
{
    lambda_env *e;
    char program[PATH_MAX], path[PATH_MAX + 8], home[PATH_MAX + 8];
    char *argv[3] = {(char *)interp, program, NULL};
    char *envp[] = {path, "LANG=C.UTF-8", home, "_TS_SPARE=1", "_TS_LOG_FD=3", NULL};
    uv_process_options_t opt;
    uv_stdio_container_t stdio[4];
    int in[2], rc;

    if (spare || ts_cfg.lambda_no_fork)
        return;
    e = env_new();
    if (env_pipes(e) != 0 || pipe2(in, O_CLOEXEC) != 0) {
        ts_free(e);   /* rare: no descriptors; cold starts then */
        return;
    }
    snprintf(program, sizeof program, "%.*s/ts_runtime.js", PATH_MAX - 16, rt_runtimes_dir);
    snprintf(path, sizeof path, "PATH=%s", getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    snprintf(home, sizeof home, "HOME=%s", rt_runtimes_dir);
    memset(&opt, 0, sizeof opt);
    memset(stdio, 0, sizeof stdio);
    stdio[0].flags = UV_INHERIT_FD;
    stdio[0].data.fd = in[0];
    for (int i = 0; i < 3; i++) {
        stdio[i + 1].flags = UV_INHERIT_FD;
        stdio[i + 1].data.fd = e->wfd[i];
    }
    opt.file = interp;
    opt.args = argv;
    opt.env = envp;
    opt.cwd = rt_runtimes_dir;
    opt.flags = UV_PROCESS_DETACHED;
    opt.stdio_count = 4;
    opt.stdio = stdio;
    opt.exit_cb = on_exit_cb;
    e->proc.data = e;
    e->cold = 1;
    e->open_handles++;
    rc = uv_spawn(&rt_loop, &e->proc, &opt);
    close(in[0]);
    if (rc != 0) {
        close(in[1]);
        uv_close((uv_handle_t *)&e->proc, rt_handle_closed);
        e->cold = 0;
        e->exited = 1;
        for (int i = 0; i < 3; i++) {
            close(e->wfd[i]);
            e->wfd[i] = -1;
            uv_close((uv_handle_t *)&e->pipes[i], rt_handle_closed);
        }
        uv_close((uv_handle_t *)&e->timer, rt_handle_closed);
        return;
    }
    for (int i = 0; i < 3; i++) {
        close(e->wfd[i]);
        e->wfd[i] = -1;
    }
    e->pid = e->proc.pid;
    e->spare_in = in[1];
    spare = e;
    snprintf(spare_interp, sizeof spare_interp, "%s", interp);
    ts_log(TS_LOG_DEBUG, "lambda: a spare node process is waiting (pid %d)", (int)e->pid);
}

/* The waiting spare for interp, taken; NULL when none. */
static lambda_env *spare_take(const char *interp)
{
    lambda_env *e = spare;

    if (!e || strcmp(spare_interp, interp) || e->exited)
        return NULL;
    spare = NULL;
    return e;
}

void rt_node_spare_stop(void)
{
    if (spare && spare->pid > 0)
        kill(-spare->pid, SIGKILL);
}

/* Sends the claimed spare e its environment; it becomes the function. */
static int spare_send(lambda_env *e, char **envp, const char *cwd)
{
    cJSON *m = cJSON_CreateObject(), *env = cJSON_AddObjectToObject(m, "env");
    char *line;
    size_t len, off = 0;
    int rc = 0;

    for (char **v = envp; *v; v++) {
        const char *eq = strchr(*v, '=');
        char name[256];
        if (!eq || (size_t)(eq - *v) >= sizeof name)
            continue;
        memcpy(name, *v, (size_t)(eq - *v));
        name[eq - *v] = '\0';
        cJSON_AddStringToObject(env, name, eq + 1);
    }
    cJSON_AddStringToObject(m, "cwd", cwd);
    line = cJSON_PrintUnformatted(m);
    cJSON_Delete(m);
    len = strlen(line);
    line[len] = '\n';   /* the NUL's place: one line */
    while (off < len + 1) {
        ssize_t n = write(e->spare_in, line + off, len + 1 - off);
        if (n <= 0) {
            rc = -1;
            break;
        }
        off += (size_t)n;
    }
    cJSON_free(line);
    close(e->spare_in);
    e->spare_in = -1;
    return rc;
}

/* Runtime thread, without rt_lock: starts an environment for p. */
void rt_env_spawn(lambda_pool *p)
{
    lambda_spec *s = p->spec;
    lambda_env *e = NULL;
    struct sockaddr_in addr = {.sin_family = AF_INET};
    socklen_t alen = sizeof addr;
    const char *edge_host = strcmp(ts_cfg.host, "0.0.0.0") && strcmp(ts_cfg.host, "::")
                                ? ts_cfg.host : "127.0.0.1";
    char api[64], edge[300], endpoint[320], port[16], mem[16], stream[96], date[16];
    char path[PATH_MAX], program[PATH_MAX];
    const char *interp = NULL;
    char *argv[4] = {NULL};
    char *envp[128];
    int nenv = 0;
    const cJSON *v;
    time_t now = time(NULL);
    struct tm tm;
    lambda_inv *failed = NULL;
    int claimed = 0;

    /* A Node.js function takes the waiting spare when there is one (not
     * when it sets NODE_OPTIONS, which acts only at a process's start). */
    if (ts_starts_with(s->runtime, "nodejs") && !cJSON_GetObjectItemCaseSensitive(s->vars, "NODE_OPTIONS") &&
        (interp = rt_interpreter(s->runtime)) && (e = spare_take(interp))) {
        e->spawned = ts_now_monotonic();
        claimed = 1;
    } else {
        e = env_new();
    }
    e->pool = p;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y/%m/%d", &tm);
    snprintf(stream, sizeof stream, "%s/[%s]%s", date, s->version, e->id);
    snprintf(e->log_stream, sizeof e->log_stream, "%s", stream);

    /* Its own Runtime API endpoint. */
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    e->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (e->listen_fd < 0 || bind(e->listen_fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(e->listen_fd, 16) != 0 ||
        getsockname(e->listen_fd, (struct sockaddr *)&addr, &alen) != 0) {
        ts_log(TS_LOG_ERROR, "lambda: cannot listen for an environment: %s", strerror(errno));
        goto fail;
    }
    e->port = ntohs(addr.sin_port);
    pthread_mutex_lock(&rt_lock);
    e->tmpdir = p->spare_tmp;
    p->spare_tmp = NULL;
    pthread_mutex_unlock(&rt_lock);
    if (!e->tmpdir) {
        snprintf(path, sizeof path, "%s/tmp/%s", lambda_dir(), e->id);
        mkdir(path, 0700);
        e->tmpdir = ts_strdup(path);
    }

    if (ts_starts_with(s->runtime, "python") || ts_starts_with(s->runtime, "nodejs")) {
        int py = ts_starts_with(s->runtime, "python");
        interp = rt_interpreter(s->runtime);
        if (!interp) {
            ts_log(TS_LOG_ERROR, "lambda: no interpreter for %s", s->runtime);
            goto fail;
        }
        snprintf(program, sizeof program, "%s/%s", rt_runtimes_dir,
                 py ? "ts_runtime.py" : "ts_runtime.js");
        argv[0] = (char *)interp;
        argv[1] = program;
    } else if (ts_starts_with(s->runtime, "provided")) {
        snprintf(program, sizeof program, "%s/bootstrap", s->code_dir);
        argv[0] = program;
    } else {
        ts_log(TS_LOG_ERROR, "lambda: runtime %s is not supported", s->runtime);
        goto fail;
    }

    snprintf(api, sizeof api, "127.0.0.1:%d", e->port);
    snprintf(edge, sizeof edge, "%s:%d", edge_host, ts_cfg.port);
    snprintf(endpoint, sizeof endpoint, "http://%s", edge);
    snprintf(port, sizeof port, "%d", ts_cfg.port);
    snprintf(mem, sizeof mem, "%d", s->memory);
    env_put(envp, &nenv, "PATH", getenv("PATH") ? getenv("PATH") : "/usr/local/bin:/usr/bin:/bin");
    env_put(envp, &nenv, "LANG", "C.UTF-8");
    env_put(envp, &nenv, "HOME", e->tmpdir);
    env_put(envp, &nenv, "TMPDIR", e->tmpdir);
    env_put(envp, &nenv, "TZ", ":UTC");
    env_put(envp, &nenv, "AWS_REGION", s->region);
    env_put(envp, &nenv, "AWS_DEFAULT_REGION", s->region);
    env_put(envp, &nenv, "AWS_ACCESS_KEY_ID", "test");
    env_put(envp, &nenv, "AWS_SECRET_ACCESS_KEY", "test");
    env_put(envp, &nenv, "AWS_SESSION_TOKEN", "test");
    env_put(envp, &nenv, "AWS_LAMBDA_FUNCTION_NAME", s->name);
    env_put(envp, &nenv, "AWS_LAMBDA_FUNCTION_VERSION", s->version);
    env_put(envp, &nenv, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", mem);
    env_put(envp, &nenv, "AWS_LAMBDA_LOG_GROUP_NAME", s->log_group);
    env_put(envp, &nenv, "AWS_LAMBDA_LOG_STREAM_NAME", stream);
    env_put(envp, &nenv, "AWS_LAMBDA_RUNTIME_API", api);
    env_put(envp, &nenv, "AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
    env_put(envp, &nenv, "_HANDLER", s->handler);
    env_put(envp, &nenv, "LAMBDA_TASK_ROOT", s->code_dir);
    env_put(envp, &nenv, "LAMBDA_RUNTIME_DIR", rt_runtimes_dir);
    snprintf(path, sizeof path, "AWS_Lambda_%s", s->runtime);
    env_put(envp, &nenv, "AWS_EXECUTION_ENV", path);
    env_put(envp, &nenv, "AWS_ENDPOINT_URL", endpoint);
    env_put(envp, &nenv, "LOCALSTACK_HOSTNAME", edge_host);
    env_put(envp, &nenv, "EDGE_PORT", port);
    env_put(envp, &nenv, "_TS_LOG_FD", "3");
    env_put(envp, &nenv, "_TS_EDGE", edge);
    cJSON_ArrayForEach(v, s->vars) {
        if (nenv >= 126)
            break;
        if (cJSON_IsString(v))
            env_put(envp, &nenv, v->string, v->valuestring);
    }
    envp[nenv] = NULL;

    if (!claimed && env_pipes(e) != 0)
        goto fail_env;
    uv_poll_init(&rt_loop, &e->listener, e->listen_fd);
    e->listener.data = e;
    e->open_handles++;
    uv_poll_start(&e->listener, UV_READABLE, on_accept);
    pthread_mutex_lock(&rt_lock);
    e->next = p->envs;
    p->envs = e;
    p->nenv++;
    rt_total_envs++;
    e->all_next = rt_all_envs;
    rt_all_envs = e;
    pthread_mutex_unlock(&rt_lock);
    e->argv0 = ts_strdup(argv[0]);
    e->argv1 = argv[1] ? ts_strdup(argv[1]) : NULL;
    e->envp = ts_malloc(sizeof(char *) * (size_t)(nenv + 1));
    memcpy(e->envp, envp, sizeof(char *) * (size_t)(nenv + 1));
    ts_log(TS_LOG_DEBUG, "lambda %s: environment %s starting (api %s)", s->name, e->id, api);
    if (claimed) {
        ts_log(TS_LOG_DEBUG, "lambda %s: environment %s is the spare node (pid %d)", s->name,
               e->id, (int)e->pid);
        if (spare_send(e, e->envp, s->code_dir) != 0)
            rt_env_kill(e);   /* its exit fails the invocation */
        env_release_start_public(e);
    } else if (!ts_starts_with(s->runtime, "python") || ts_cfg.lambda_no_fork ||
               rt_zygote_spawn(e, argv[0]) != 0) {
        rt_env_start_cold(e);
    }
    if (ts_starts_with(s->runtime, "nodejs") && interp)
        rt_node_spare_ensure(interp);   /* for the next cold start */
    return;
fail_env:
    for (int i = 0; i < nenv; i++)
        ts_free(envp[i]);
fail:
    if (e->listen_fd >= 0)
        close(e->listen_fd);
    if (claimed) {
        /* A spare that cannot be used: it ends; its exit frees it. */
        e->pool = NULL;
        rt_env_kill(e);
        pthread_mutex_lock(&rt_lock);
        failed = rt_pool_pop(p);
        pthread_mutex_unlock(&rt_lock);
        if (failed) {
            rt_inv_fail(failed, "Runtime.Unavailable", "The environment could not start");
            rt_complete(NULL, failed);
        }
        return;
    }
    pthread_mutex_lock(&rt_lock);
    failed = rt_pool_pop(p);
    pthread_mutex_unlock(&rt_lock);
    if (failed)
        rt_inv_fail(failed, "Runtime.Unavailable",
                 ts_starts_with(s->runtime, "python") || ts_starts_with(s->runtime, "nodejs") ||
                         ts_starts_with(s->runtime, "provided")
                     ? "The runtime's interpreter was not found on this machine"
                     : "This runtime is not supported by tinystack");
    for (int i = 0; i < 3; i++)
        ts_buf_free(&e->partial[i]);
    if (e->tmpdir)
        lambda_rm_tree(e->tmpdir);
    ts_free(e->tmpdir);
    ts_free(e);
    if (failed)
        rt_complete(NULL, failed);
}

