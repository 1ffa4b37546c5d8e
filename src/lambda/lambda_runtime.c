/*
 * lambda_runtime.c - execution environments.  An environment is one
 * process running a function version's handler, with a Runtime API
 * endpoint of its own: a loopback listener whose accepted sockets go to
 * the Runtime API daemon (lambda_rapi.c), which knows the environment by
 * the port a request arrived on.  Environments of one function version
 * form a pool; an invocation goes to an idle one, or waits in the pool's
 * queue while a new one starts, up to the function's reserved concurrency
 * and the configured total.
 *
 * One libuv thread owns every process, pipe, listener and timer: it
 * spawns, reads the handlers' output into log events, enforces timeouts
 * (kill, then the caller gets Sandbox.Timedout) and reaps idle
 * environments.  Other threads change the pools under rt_lock and wake it.
 */
#include "lambda_runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
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
#include "tinystack/embed.h"
#include "tinystack/log.h"

pthread_mutex_t rt_lock = PTHREAD_MUTEX_INITIALIZER;

static uv_loop_t loop;
static uv_async_t wake_async;
static uv_timer_t reap_timer;
static pthread_t rt_thread;
static int running, stopping;
static lambda_pool *pools;
static lambda_env *all_envs;
static int total_envs;
static char runtimes_dir[PATH_MAX / 2];

/* ---- settings ---- */

static int max_envs(void)
{
    return ts_cfg.lambda_max_envs > 0 ? ts_cfg.lambda_max_envs : 64;
}

/* ---- specs and invocations ---- */

static char *dup_or_empty(const char *s)
{
    return ts_strdup(s ? s : "");
}

lambda_spec *lambda_spec_new(ts_call *c, const lambda_fn *f)
{
    const cJSON *cfg = f->config, *env;
    const char *arn = lambda_str(cfg, "FunctionArn");
    lambda_spec *s;
    char *dir;

    dir = lambda_code_dir(f->code_blob, lambda_str(cfg, "CodeSha256"));
    if (!dir) {
        ts_resp_error(c->resp, TS_ERR_LAMBDA_SERVICE,
                      "The function's code could not be unpacked");
        return NULL;
    }
    s = ts_calloc(1, sizeof(*s));
    s->refs = 1;
    s->name = ts_strdup(f->name);
    s->version = ts_strdup(f->version);
    /* The pool key: the version's ARN and revision, so an update starts
     * fresh environments and the old ones retire. */
    s->arn = ts_strdup(arn ? arn : "");
    s->key = ts_malloc(strlen(s->arn) + 64);
    snprintf(s->key, strlen(s->arn) + 64, "%s|%s|%s", s->arn, f->version,
             lambda_str(cfg, "RevisionId") ? lambda_str(cfg, "RevisionId") : "");
    s->runtime = dup_or_empty(lambda_str(cfg, "Runtime"));
    s->handler = dup_or_empty(lambda_str(cfg, "Handler"));
    s->code_dir = dir;
    s->region = ts_strdup(c->req->region);
    s->account = ts_strdup(c->req->account);
    env = cJSON_GetObjectItemCaseSensitive(cfg, "LoggingConfig");
    s->log_group = lambda_str(env, "LogGroup")
        ? ts_strdup(lambda_str(env, "LogGroup"))
        : ts_strdup(ts_arena_printf(c->req->arena, "/aws/lambda/%s", f->name));
    env = cJSON_GetObjectItemCaseSensitive(cfg, "Timeout");
    s->timeout = cJSON_IsNumber(env) ? env->valueint : 3;
    env = cJSON_GetObjectItemCaseSensitive(cfg, "MemorySize");
    s->memory = cJSON_IsNumber(env) ? env->valueint : 128;
    env = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cfg, "Environment"),
                                           "Variables");
    s->vars = env ? cJSON_Duplicate(env, 1) : cJSON_CreateObject();
    s->reserved = (int)f->concurrency;
    return s;
}

static void spec_ref(lambda_spec *s)
{
    pthread_mutex_lock(&rt_lock);
    s->refs++;
    pthread_mutex_unlock(&rt_lock);
}

void lambda_spec_unref(lambda_spec *s)
{
    int last;

    if (!s)
        return;
    pthread_mutex_lock(&rt_lock);
    last = --s->refs == 0;
    pthread_mutex_unlock(&rt_lock);
    if (!last)
        return;
    ts_free(s->key);
    ts_free(s->name);
    ts_free(s->arn);
    ts_free(s->version);
    ts_free(s->runtime);
    ts_free(s->handler);
    ts_free(s->code_dir);
    ts_free(s->region);
    ts_free(s->account);
    ts_free(s->log_group);
    cJSON_Delete(s->vars);
    ts_free(s);
}

const char *lambda_spec_version(const lambda_spec *s)
{
    return s->version;
}

lambda_inv *lambda_inv_new(lambda_spec *spec, const char *payload, size_t len)
{
    lambda_inv *inv = ts_calloc(1, sizeof(*inv));

    ts_uuid_v4(inv->id);
    spec_ref(spec);
    inv->spec = spec;
    inv->payload = ts_malloc(len + 1);
    memcpy(inv->payload, payload, len);
    inv->payload[len] = '\0';
    inv->payload_len = len;
    ts_buf_init(&inv->log);
    return inv;
}

void lambda_inv_free(lambda_inv *inv)
{
    if (!inv)
        return;
    lambda_spec_unref(inv->spec);
    ts_free(inv->payload);
    ts_free(inv->client_context);
    ts_free(inv->result);
    ts_free(inv->error_type);
    ts_free(inv->log_tail);
    ts_buf_free(&inv->log);
    ts_free(inv);
}

/* Sets inv's outcome to a function error of type with message. */
static void inv_fail(lambda_inv *inv, const char *type, const char *message)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "errorMessage", message);
    cJSON_AddStringToObject(o, "errorType", type);
    ts_free(inv->result);
    inv->result = cJSON_PrintUnformatted(o);
    inv->result_len = strlen(inv->result);
    cJSON_Delete(o);
    ts_free(inv->error_type);
    inv->error_type = ts_strdup(type);
    inv->status = 1;
}

/* ---- logs ---- */

void rt_log_event(lambda_env *env, const char *msg, size_t len, int64_t ts_ms)
{
    lambda_inv *inv;

    (void)ts_ms;
    while (len && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
        len--;
    pthread_mutex_lock(&rt_lock);
    inv = env->inv;
    if (inv && inv->tail) {
        ts_buf_append(&inv->log, msg, len);
        ts_buf_putc(&inv->log, '\n');
    }
    pthread_mutex_unlock(&rt_lock);
    ts_log(TS_LOG_DEBUG, "lambda %s: %.*s", env->pool->spec->name, (int)len, msg);
}

/* A platform line (START, END, REPORT) into the invocation's log. */
static void platform_line(lambda_env *env, lambda_inv *inv, const char *line)
{
    (void)env;
    if (inv->tail) {
        ts_buf_puts(&inv->log, line);
        ts_buf_putc(&inv->log, '\n');
    }
}

void rt_complete(lambda_env *env, lambda_inv *inv)
{
    char line[512];

    if (env) {
        double dur = inv->started_ms ? (double)(ts_now_ms() - inv->started_ms) : 0;
        snprintf(line, sizeof line, "END RequestId: %s", inv->id);
        platform_line(env, inv, line);
        if (env->report_init) {
            snprintf(line, sizeof line,
                     "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %lld ms\t"
                     "Memory Size: %d MB\tMax Memory Used: %d MB\tInit Duration: %.2f ms\t",
                     inv->id, dur, (long long)(dur + 0.999), env->pool->spec->memory, 0,
                     env->init_ms);
            env->report_init = 0;
        } else {
            snprintf(line, sizeof line,
                     "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %lld ms\t"
                     "Memory Size: %d MB\tMax Memory Used: %d MB\t",
                     inv->id, dur, (long long)(dur + 0.999), env->pool->spec->memory, 0);
        }
        platform_line(env, inv, line);
        ts_log(TS_LOG_INFO, "lambda %s %s %s %.1f ms", env->pool->spec->name, inv->id,
               inv->status ? (inv->error_type ? inv->error_type : "error") : "ok", dur);
    }
    if (inv->tail) {
        size_t n = inv->log.len, keep = n > 4096 ? 4096 : n;
        inv->log_tail = ts_base64_encode((const unsigned char *)inv->log.data + n - keep, keep);
    }
    inv->done(inv);
}

/* ---- environments ---- */

lambda_env *rt_env_by_port(int port)
{
    lambda_env *e;

    pthread_mutex_lock(&rt_lock);
    for (e = all_envs; e; e = e->all_next)
        if (e->port == port)
            break;
    if (e)
        e->refs++;
    pthread_mutex_unlock(&rt_lock);
    return e;
}

static void env_free(lambda_env *e)
{
    for (lambda_env **pp = &all_envs; *pp; pp = &(*pp)->all_next)
        if (*pp == e) {
            *pp = e->all_next;
            break;
        }
    for (int i = 0; i < 3; i++)
        ts_buf_free(&e->partial[i]);
    ts_free(e->tmpdir);
    ts_free(e);
}

void rt_env_release(lambda_env *env)
{
    pthread_mutex_lock(&rt_lock);
    if (--env->refs == 0)
        env_free(env);
    pthread_mutex_unlock(&rt_lock);
}

/* Under rt_lock: the pool of spec's key, made when missing. */
static lambda_pool *pool_get(lambda_spec *spec)
{
    lambda_pool *p;

    for (p = pools; p; p = p->next)
        if (!strcmp(p->spec->key, spec->key))
            return p;
    p = ts_calloc(1, sizeof(*p));
    spec->refs++;
    p->spec = spec;
    p->next = pools;
    pools = p;
    return p;
}

lambda_inv *rt_next_locked(lambda_env *env)
{
    lambda_pool *p = env->pool;
    lambda_inv *inv;

    if (env->state == ENV_DEAD)
        return NULL;
    if (!env->reached_next) {
        env->reached_next = 1;
        env->init_ms = (ts_now_monotonic() - env->spawned) * 1000.0;
        env->report_init = 1;
    }
    if (!env->inv && p->qhead) {
        env->inv = p->qhead;
        p->qhead = env->inv->next;
        if (!p->qhead)
            p->qtail = NULL;
        p->qlen--;
        env->inv->next = NULL;
    }
    inv = env->inv;
    if (!inv) {
        env->state = ENV_IDLE;
        env->idle_since = ts_now_monotonic();
        return NULL;
    }
    env->state = ENV_BUSY;
    env->inv_sent = 1;
    inv->started_ms = ts_now_ms();
    inv->deadline_ms = inv->started_ms + (int64_t)p->spec->timeout * 1000;
    if (inv->tail) {
        char line[160];
        snprintf(line, sizeof line, "START RequestId: %s Version: %s", inv->id,
                 p->spec->version);
        ts_buf_puts(&inv->log, line);
        ts_buf_putc(&inv->log, '\n');
    }
    rt_wake();  /* its timeout timer */
    return inv;
}

lambda_inv *rt_finish_locked(lambda_env *env, const char *id)
{
    lambda_inv *inv = env->inv;

    if (!inv || !env->inv_sent || strcmp(inv->id, id))
        return NULL;
    env->inv = NULL;
    env->inv_sent = 0;
    env->state = ENV_IDLE;
    env->idle_since = ts_now_monotonic();
    rt_wake();  /* stop its timer */
    return inv;
}

/* Under rt_lock: takes the oldest queued invocation of p. */
static lambda_inv *pool_pop(lambda_pool *p)
{
    lambda_inv *inv = p->qhead;

    if (inv) {
        p->qhead = inv->next;
        if (!p->qhead)
            p->qtail = NULL;
        p->qlen--;
        inv->next = NULL;
    }
    return inv;
}

static void env_kill(lambda_env *e)
{
    if (e->pid > 0)
        kill(-e->pid, SIGKILL);
}

lambda_inv *rt_init_error_locked(lambda_env *env)
{
    lambda_inv *inv = env->inv;

    env->inv = NULL;
    env->inv_sent = 0;
    if (!inv)
        inv = pool_pop(env->pool);
    env->state = ENV_DEAD;
    env_kill(env);
    return inv;
}

/* Under rt_lock: how many environments p may still start. */
static int pool_room(const lambda_pool *p)
{
    int limit = p->spec->reserved >= 0 ? p->spec->reserved : max_envs();

    if (limit > max_envs())
        limit = max_envs();
    if (total_envs >= max_envs())
        return 0;
    return limit - p->nenv;
}

/* Under rt_lock: an environment that is (or soon will be) free for the
 * next queued invocation. */
static int pool_free_envs(const lambda_pool *p)
{
    int n = 0;

    for (const lambda_env *e = p->envs; e; e = e->next)
        if (e->state == ENV_STARTING || (e->state == ENV_IDLE && !e->inv))
            n++;
    return n;
}

void lambda_runtime_submit(lambda_inv *inv)
{
    lambda_pool *p;
    lambda_env *e;

    pthread_mutex_lock(&rt_lock);
    if (!running || stopping) {
        pthread_mutex_unlock(&rt_lock);
        inv_fail(inv, "ServiceException", "The Lambda runtime is not running");
        rt_complete(NULL, inv);
        return;
    }
    p = pool_get(inv->spec);
    for (e = p->envs; e; e = e->next)
        if (e->state == ENV_IDLE && !e->inv && e->parked)
            break;
    if (e) {
        void *conn = e->parked;
        e->inv = inv;
        e->parked = NULL;
        rapi_resume(conn);
        pthread_mutex_unlock(&rt_lock);
        return;
    }
    if (pool_free_envs(p) <= p->qlen && pool_room(p) <= 0 && p->nenv > 0 && p->qlen >= 64) {
        pthread_mutex_unlock(&rt_lock);
        inv_fail(inv, "TooManyRequestsException", "Rate Exceeded.");
        inv->status = -1;
        rt_complete(NULL, inv);
        return;
    }
    if (p->qtail)
        p->qtail->next = inv;
    else
        p->qhead = inv;
    p->qtail = inv;
    p->qlen++;
    pthread_mutex_unlock(&rt_lock);
    rt_wake();
}

void rt_wake(void)
{
    if (running)
        uv_async_send(&wake_async);
}

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
static const char *interpreter(const char *runtime)
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

static void handle_closed(uv_handle_t *h)
{
    lambda_env *e = h->data;

    pthread_mutex_lock(&rt_lock);
    if (--e->open_handles == 0 && --e->refs == 0)
        env_free(e);
    pthread_mutex_unlock(&rt_lock);
}

static void close_handle(lambda_env *e, uv_handle_t *h)
{
    if (h->data && !uv_is_closing(h))
        uv_close(h, handle_closed);
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
        inv = pool_pop(p);  /* it died starting: the invocation it was for fails */
    if (e->parked) {
        void *conn = e->parked;
        e->parked = NULL;
        rapi_resume(conn);
    }
    for (lambda_env **pp = &p->envs; *pp; pp = &(*pp)->next)
        if (*pp == e) {
            *pp = e->next;
            p->nenv--;
            total_envs--;
            break;
        }
    return inv;
}

static void on_exit_cb(uv_process_t *proc, int64_t status, int sig)
{
    lambda_env *e = proc->data;
    lambda_inv *inv;
    int timed_out;
    char msg[256];

    pthread_mutex_lock(&rt_lock);
    e->exit_status = (int)status;
    e->term_signal = sig;
    timed_out = e->timed_out;
    inv = env_gone_locked(e);
    pthread_mutex_unlock(&rt_lock);
    if (inv && !timed_out) {
        if (sig)
            snprintf(msg, sizeof msg, "RequestId: %s Error: Runtime exited with error: signal: %s",
                     inv->id, strsignal(sig));
        else
            snprintf(msg, sizeof msg,
                     "RequestId: %s Error: Runtime exited with error: exit status %d", inv->id,
                     (int)status);
        inv_fail(inv, "Runtime.ExitError", msg);
        rt_complete(e, inv);
    } else if (inv) {
        rt_complete(e, inv);
    }
    ts_log(TS_LOG_DEBUG, "lambda %s: environment %s ended (status %d, signal %d)",
           e->pool->spec->name, e->id, (int)status, sig);
    for (int i = 0; i < 3; i++)
        close_handle(e, (uv_handle_t *)&e->pipes[i]);
    close_handle(e, (uv_handle_t *)&e->listener);
    close_handle(e, (uv_handle_t *)&e->timer);
    close_handle(e, (uv_handle_t *)&e->proc);
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
        if (rapi_add_connection(fd, (struct sockaddr *)&addr, len) != 0)
            close(fd);
        len = sizeof addr;
    }
}

static void on_timeout(uv_timer_t *t)
{
    lambda_env *e = t->data;
    lambda_inv *inv = NULL;
    char msg[200];

    pthread_mutex_lock(&rt_lock);
    e->timer_on = 0;
    if (e->inv && e->inv_sent && ts_now_ms() < e->inv->deadline_ms) {
        /* The loop's clock runs a little behind the wall clock: not yet. */
        uv_update_time(&loop);
        uv_timer_start(&e->timer, on_timeout, (uint64_t)(e->inv->deadline_ms - ts_now_ms()), 0);
        e->timer_on = 1;
    } else if (e->inv && e->inv_sent) {
        inv = e->inv;
        e->inv = NULL;
        e->timed_out = 1;
        e->state = ENV_DEAD;
        env_kill(e);
    }
    pthread_mutex_unlock(&rt_lock);
    if (inv) {
        snprintf(msg, sizeof msg, "RequestId: %s Error: Task timed out after %d.00 seconds",
                 inv->id, e->pool->spec->timeout);
        if (inv->tail) {
            ts_buf_puts(&inv->log, msg);
            ts_buf_putc(&inv->log, '\n');
        }
        ts_log(TS_LOG_INFO, "lambda %s: %s", e->pool->spec->name, msg);
        inv_fail(inv, "Sandbox.Timedout", msg);
        rt_complete(e, inv);
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

/* Runtime thread, under rt_lock: starts an environment for p. */
static void env_spawn(lambda_pool *p)
{
    lambda_spec *s = p->spec;
    lambda_env *e = ts_calloc(1, sizeof(*e));
    struct sockaddr_in addr = {.sin_family = AF_INET};
    socklen_t alen = sizeof addr;
    const char *edge_host = strcmp(ts_cfg.host, "0.0.0.0") && strcmp(ts_cfg.host, "::")
                                ? ts_cfg.host : "127.0.0.1";
    char api[64], edge[300], endpoint[320], port[16], mem[16], stream[96], date[16];
    char path[PATH_MAX], program[PATH_MAX];
    const char *interp = NULL;
    char *argv[4] = {NULL};
    char *envp[128];
    int nenv = 0, rc;
    uv_process_options_t opt;
    uv_stdio_container_t stdio[4];
    const cJSON *v;
    time_t now = time(NULL);
    struct tm tm;
    lambda_inv *failed = NULL;

    ts_random_hex(e->id, 16);
    e->pool = p;
    e->state = ENV_STARTING;
    e->listen_fd = -1;
    e->refs = 1;
    e->spawned = ts_now_monotonic();
    for (int i = 0; i < 3; i++)
        ts_buf_init(&e->partial[i]);
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
    snprintf(path, sizeof path, "%s/tmp/%s", lambda_dir(), e->id);
    mkdir(path, 0700);
    e->tmpdir = ts_strdup(path);

    if (ts_starts_with(s->runtime, "python") || ts_starts_with(s->runtime, "nodejs")) {
        int py = ts_starts_with(s->runtime, "python");
        interp = interpreter(s->runtime);
        if (!interp) {
            ts_log(TS_LOG_ERROR, "lambda: no interpreter for %s", s->runtime);
            goto fail;
        }
        snprintf(program, sizeof program, "%s/%s", runtimes_dir,
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
    env_put(envp, &nenv, "LAMBDA_RUNTIME_DIR", runtimes_dir);
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

    memset(&opt, 0, sizeof opt);
    memset(stdio, 0, sizeof stdio);
    for (int i = 0; i < 3; i++) {
        uv_pipe_init(&loop, &e->pipes[i], 0);
        e->pipes[i].data = e;
        e->open_handles++;
    }
    stdio[0].flags = UV_IGNORE;
    stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
    stdio[1].data.stream = (uv_stream_t *)&e->pipes[0];
    stdio[2].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
    stdio[2].data.stream = (uv_stream_t *)&e->pipes[1];
    stdio[3].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
    stdio[3].data.stream = (uv_stream_t *)&e->pipes[2];
    opt.file = argv[0];
    opt.args = argv;
    opt.env = envp;
    opt.cwd = s->code_dir;
    opt.flags = UV_PROCESS_DETACHED;
    opt.stdio_count = 4;
    opt.stdio = stdio;
    opt.exit_cb = on_exit_cb;
    e->proc.data = e;
    uv_timer_init(&loop, &e->timer);
    e->timer.data = e;
    e->open_handles++;
    uv_poll_init(&loop, &e->listener, e->listen_fd);
    e->listener.data = e;
    e->open_handles++;
    rc = uv_spawn(&loop, &e->proc, &opt);
    for (int i = 0; i < nenv; i++)
        ts_free(envp[i]);
    if (rc != 0) {
        ts_log(TS_LOG_ERROR, "lambda %s: cannot start %s: %s", s->name, argv[0], uv_strerror(rc));
        /* No process: close what was opened; the invocation fails. */
        e->state = ENV_DEAD;
        e->next = NULL;
        for (int i = 0; i < 3; i++)
            uv_close((uv_handle_t *)&e->pipes[i], handle_closed);
        uv_close((uv_handle_t *)&e->timer, handle_closed);
        uv_close((uv_handle_t *)&e->listener, handle_closed);
        /* libuv initialised the process handle before it failed: it is
         * closed like the others. */
        e->open_handles++;
        uv_close((uv_handle_t *)&e->proc, handle_closed);
        close(e->listen_fd);
        e->listen_fd = -1;
        e->all_next = all_envs;
        all_envs = e;
        failed = pool_pop(p);
        if (failed) {
            if (ts_starts_with(s->runtime, "provided"))
                inv_fail(failed, "Runtime.InvalidEntrypoint",
                         "RequestId: Error: Couldn't find valid bootstrap(s): "
                         "[/var/task/bootstrap /opt/bootstrap]");
            else
                inv_fail(failed, "Runtime.ExitError", "Runtime failed to start");
        }
        goto done;
    }
    e->open_handles++;  /* the process handle */
    e->pid = e->proc.pid;
    uv_read_start((uv_stream_t *)&e->pipes[0], alloc_cb, on_lines);
    uv_read_start((uv_stream_t *)&e->pipes[1], alloc_cb, on_lines);
    uv_read_start((uv_stream_t *)&e->pipes[2], alloc_cb, on_frames);
    uv_poll_start(&e->listener, UV_READABLE, on_accept);
    e->next = p->envs;
    p->envs = e;
    p->nenv++;
    total_envs++;
    e->all_next = all_envs;
    all_envs = e;
    ts_log(TS_LOG_DEBUG, "lambda %s: environment %s started (pid %d, api %s)", s->name, e->id,
           (int)e->pid, api);
    return;
fail:
    if (e->listen_fd >= 0)
        close(e->listen_fd);
    failed = pool_pop(p);
    if (failed)
        inv_fail(failed, "Runtime.Unavailable",
                 ts_starts_with(s->runtime, "python") || ts_starts_with(s->runtime, "nodejs") ||
                         ts_starts_with(s->runtime, "provided")
                     ? "The runtime's interpreter was not found on this machine"
                     : "This runtime is not supported by tinystack");
    for (int i = 0; i < 3; i++)
        ts_buf_free(&e->partial[i]);
    ts_free(e->tmpdir);
    ts_free(e);
done:
    if (failed) {
        /* Completed outside the lock by the caller's loop. */
        pthread_mutex_unlock(&rt_lock);
        rt_complete(NULL, failed);
        pthread_mutex_lock(&rt_lock);
    }
}

/* Runtime thread: start what the queues need, arm and disarm timeouts. */
static void on_wake(uv_async_t *a)
{
    (void)a;
    uv_update_time(&loop);
    pthread_mutex_lock(&rt_lock);
    for (lambda_pool *p = pools; p; p = p->next) {
        int guard = 0;
        while (p->qlen > pool_free_envs(p) && pool_room(p) > 0 && guard++ < 64 && !stopping)
            env_spawn(p);
        for (lambda_env *e = p->envs; e; e = e->next) {
            if (e->state == ENV_DEAD)
                continue;
            if (e->inv && e->inv_sent && !e->timer_on) {
                int64_t left = e->inv->deadline_ms - ts_now_ms();
                uv_timer_start(&e->timer, on_timeout, left > 0 ? (uint64_t)left : 0, 0);
                e->timer_on = 1;
            } else if (!e->inv && e->timer_on) {
                uv_timer_stop(&e->timer);
                e->timer_on = 0;
            }
        }
    }
    if (stopping) {
        for (lambda_env *e = all_envs; e; e = e->all_next)
            if (e->state != ENV_DEAD || e->pid > 0)
                env_kill(e);
    }
    pthread_mutex_unlock(&rt_lock);
}

/* Runtime thread, every second: ends environments idle too long, and
 * pools with nothing left. */
static void on_reap(uv_timer_t *t)
{
    double now = ts_now_monotonic();
    double idle = ts_cfg.lambda_idle_seconds > 0 ? ts_cfg.lambda_idle_seconds : 600;

    (void)t;
    pthread_mutex_lock(&rt_lock);
    for (lambda_pool **pp = &pools; *pp;) {
        lambda_pool *p = *pp;
        for (lambda_env *e = p->envs; e; e = e->next)
            if (e->state == ENV_IDLE && !e->inv && now - e->idle_since > idle)
                env_kill(e);
        if (!p->envs && !p->qhead) {
            *pp = p->next;
            if (--p->spec->refs == 0) {
                p->spec->refs = 1;
                pthread_mutex_unlock(&rt_lock);
                lambda_spec_unref(p->spec);
                pthread_mutex_lock(&rt_lock);
            }
            ts_free(p);
            continue;
        }
        pp = &p->next;
    }
    pthread_mutex_unlock(&rt_lock);
}

static void *rt_main(void *arg)
{
    (void)arg;
    uv_run(&loop, UV_RUN_DEFAULT);
    return NULL;
}

/* Writes the embedded runtime clients into lambda_dir()/runtimes. */
static int write_runtimes(void)
{
    snprintf(runtimes_dir, sizeof runtimes_dir, "%s/runtimes", lambda_dir());
    if (mkdir(runtimes_dir, 0755) != 0 && errno != EEXIST)
        return -1;
    for (const ts_embedded *f = ts_embedded_files; f->name; f++) {
        const char *base = strrchr(f->name, '/');
        char path[PATH_MAX / 2 + 256], tmp[PATH_MAX];
        if (strlen(runtimes_dir) + strlen(f->name) + 2 >= sizeof path)
            return -1;
        FILE *out;

        snprintf(path, sizeof path, "%s/%.200s", runtimes_dir, base ? base + 1 : f->name);
        snprintf(tmp, sizeof tmp, "%s.tmp", path);
        out = fopen(tmp, "wb");
        if (!out || fwrite(f->data, 1, f->size, out) != f->size) {
            if (out)
                fclose(out);
            return -1;
        }
        fclose(out);
        chmod(tmp, 0644);
        if (rename(tmp, path) != 0)
            return -1;
    }
    return 0;
}

static uv_async_t stop_async;

static void close_any(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, h->data ? handle_closed : NULL);
}

/* Runtime thread, at shutdown: every handle closes and the loop ends. */
static void on_stop(uv_async_t *a)
{
    (void)a;
    uv_walk(&loop, close_any, NULL);
}

int lambda_runtime_start(void)
{
    if (write_runtimes() != 0) {
        ts_log(TS_LOG_ERROR, "lambda: cannot write the runtime clients into %s", runtimes_dir);
        return -1;
    }
    if (rapi_start() != 0)
        return -1;
    uv_loop_init(&loop);
    uv_async_init(&loop, &wake_async, on_wake);
    uv_async_init(&loop, &stop_async, on_stop);
    uv_timer_init(&loop, &reap_timer);
    uv_timer_start(&reap_timer, on_reap, 1000, 1000);
    uv_unref((uv_handle_t *)&reap_timer);
    running = 1;
    if (pthread_create(&rt_thread, NULL, rt_main, NULL) != 0) {
        running = 0;
        return -1;
    }
    return 0;
}

void lambda_runtime_reset(void)
{
    pthread_mutex_lock(&rt_lock);
    for (lambda_env *e = all_envs; e; e = e->all_next)
        if (e->pid > 0 && e->state != ENV_DEAD)
            env_kill(e);
    pthread_mutex_unlock(&rt_lock);
}

void lambda_runtime_stop(void)
{
    int left = 200;

    if (!running)
        return;
    pthread_mutex_lock(&rt_lock);
    stopping = 1;
    pthread_mutex_unlock(&rt_lock);
    rt_wake();
    /* Let the exits come in (and fail what was running) for up to 2 s. */
    while (left-- > 0) {
        int alive;
        pthread_mutex_lock(&rt_lock);
        alive = total_envs;
        pthread_mutex_unlock(&rt_lock);
        if (!alive)
            break;
        usleep(10000);
    }
    uv_async_send(&stop_async);
    pthread_join(rt_thread, NULL);
    running = 0;
    rapi_stop();
}
