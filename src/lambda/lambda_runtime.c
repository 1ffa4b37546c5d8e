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
#include "tinystack/embed.h"
#include "tinystack/log.h"
#include "tinystack/logs.h"

pthread_mutex_t rt_lock = PTHREAD_MUTEX_INITIALIZER;

uv_loop_t rt_loop;
static uv_async_t wake_async;
static uv_timer_t reap_timer;
static pthread_t rt_thread;
static int running, stopping;
static lambda_pool *pools;
lambda_env *rt_all_envs;
int rt_total_envs;
char rt_runtimes_dir[PATH_MAX / 2];

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
void rt_inv_fail(lambda_inv *inv, const char *type, const char *message)
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

/* Under rt_lock: queues one event for env's CloudWatch Logs stream (kept
 * under 4 MiB between flushes; past that, lines are dropped). */
static void logq_put_locked(lambda_env *e, const char *msg, size_t len, int64_t ts)
{
    uint32_t n = (uint32_t)len;

    if (!e->pool || e->exited || len == 0 || e->logq.len + len > (4u << 20))
        return;
    ts_buf_append(&e->logq, &ts, sizeof ts);
    ts_buf_append(&e->logq, &n, sizeof n);
    ts_buf_append(&e->logq, msg, len);
}

void rt_logs_flush(lambda_env *e)
{
    ts_buf q;
    logs_event *ev;
    size_t n = 0, off = 0, cap = 0;

    pthread_mutex_lock(&rt_lock);
    q = e->logq;
    ts_buf_init(&e->logq);
    pthread_mutex_unlock(&rt_lock);
    if (!q.len || !e->pool) {
        ts_buf_free(&q);
        return;
    }
    for (off = 0; off + 12 <= q.len; cap++) {
        uint32_t len;
        memcpy(&len, q.data + off + 8, 4);
        off += 12 + len;
    }
    ev = ts_malloc(sizeof(*ev) * (cap ? cap : 1));
    for (off = 0; off + 12 <= q.len && n < cap; n++) {
        uint32_t len;
        memcpy(&ev[n].timestamp_ms, q.data + off, 8);
        memcpy(&len, q.data + off + 8, 4);
        ev[n].message = q.data + off + 12;
        ev[n].len = len;
        off += 12 + len;
    }
    if (logs_append(e->pool->spec->region, e->pool->spec->log_group, e->log_stream, ev, n) != 0)
        ts_log(TS_LOG_WARN, "lambda %s: %zu log events not kept", e->pool->spec->name, n);
    ts_free(ev);
    ts_buf_free(&q);
}

void rt_log_event(lambda_env *env, const char *msg, size_t len, int64_t ts_ms)
{
    lambda_inv *inv;

    while (len && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
        len--;
    pthread_mutex_lock(&rt_lock);
    inv = env->inv ? env->inv : env->finishing;
    if (inv && inv->tail) {
        ts_buf_append(&inv->log, msg, len);
        ts_buf_putc(&inv->log, '\n');
    }
    logq_put_locked(env, msg, len, ts_ms);
    pthread_mutex_unlock(&rt_lock);
    ts_log(TS_LOG_DEBUG, "lambda %s: %.*s", env->pool ? env->pool->spec->name : "(spare)",
           (int)len, msg);
}

/* A platform line (START, END, REPORT) into the invocation's log and the
 * environment's stream. */
static void platform_line(lambda_env *env, lambda_inv *inv, const char *line)
{
    if (inv->tail) {
        ts_buf_puts(&inv->log, line);
        ts_buf_putc(&inv->log, '\n');
    }
    pthread_mutex_lock(&rt_lock);
    logq_put_locked(env, line, strlen(line), ts_now_ms());
    pthread_mutex_unlock(&rt_lock);
}

/* The peak resident size of pid in MB (0 when unknown). */
static int max_memory_mb(pid_t pid)
{
    char path[64], line[128];
    FILE *f;
    long kb = 0;

    if (pid <= 0)
        return 0;
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    if (!(f = fopen(path, "r")))
        return 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return (int)((kb + 1023) / 1024);
}

void rt_complete(lambda_env *env, lambda_inv *inv)
{
    char line[512];
    int mem = env ? max_memory_mb(env->pid) : 0;

    if (env) {
        double dur = inv->started_ms ? (double)(ts_now_ms() - inv->started_ms) : 0;
        snprintf(line, sizeof line, "END RequestId: %s", inv->id);
        platform_line(env, inv, line);
        if (env->report_init) {
            snprintf(line, sizeof line,
                     "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %lld ms\t"
                     "Memory Size: %d MB\tMax Memory Used: %d MB\tInit Duration: %.2f ms\t",
                     inv->id, dur, (long long)(dur + 0.999), env->pool->spec->memory, mem,
                     env->init_ms);
            env->report_init = 0;
        } else {
            snprintf(line, sizeof line,
                     "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %lld ms\t"
                     "Memory Size: %d MB\tMax Memory Used: %d MB\t",
                     inv->id, dur, (long long)(dur + 0.999), env->pool->spec->memory, mem);
        }
        platform_line(env, inv, line);
        ts_log(TS_LOG_INFO, "lambda %s %s %s %.1f ms", env->pool->spec->name, inv->id,
               inv->status ? (inv->error_type ? inv->error_type : "error") : "ok", dur);
    }
    if (env)
        rt_logs_flush(env);
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
    for (e = rt_all_envs; e; e = e->all_next)
        if (e->port == port)
            break;
    if (e)
        e->refs++;
    pthread_mutex_unlock(&rt_lock);
    return e;
}

void rt_env_free(lambda_env *e)
{
    for (lambda_env **pp = &rt_all_envs; *pp; pp = &(*pp)->all_next)
        if (*pp == e) {
            *pp = e->all_next;
            break;
        }
    for (int i = 0; i < 3; i++)
        ts_buf_free(&e->partial[i]);
    if (e->tmpdir)
        lambda_rm_tree(e->tmpdir);
    ts_buf_free(&e->logq);
    ts_free(e->tmpdir);
    ts_free(e);
}

void rt_env_release(lambda_env *env)
{
    pthread_mutex_lock(&rt_lock);
    if (--env->refs == 0)
        rt_env_free(env);
    pthread_mutex_unlock(&rt_lock);
}

/* Under rt_lock: the pool of spec's key, made when missing. */
/* Under rt_lock: p takes no new work; its idle environments end now, the
 * busy ones when they finish. */
static void pool_retire(lambda_pool *p)
{
    p->retired = 1;
    for (lambda_env *e = p->envs; e; e = e->next)
        if (e->state == ENV_IDLE && !e->inv)
            rt_env_kill(e);
}

static lambda_pool *pool_get(lambda_spec *spec)
{
    lambda_pool *p;

    for (p = pools; p; p = p->next)
        if (!strcmp(p->spec->key, spec->key) && !p->retired)
            return p;
    /* A new configuration or code of this version: the old ones retire. */
    for (p = pools; p; p = p->next)
        if (!strcmp(p->spec->arn, spec->arn) && !strcmp(p->spec->version, spec->version))
            pool_retire(p);
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
    if (env->finishing) {
        /* Its last answer is still being completed: it waits parked and
         * gets work once that is done (run_completions). */
        env->state = ENV_IDLE;
        env->idle_since = ts_now_monotonic();
        return NULL;
    }
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
    if (inv->max_ms > 0 && inv->max_ms < p->spec->timeout * 1000) {
        inv->deadline_ms = inv->started_ms + inv->max_ms;
        inv->caller_timeout = 1;    /* if the deadline comes, it is the caller's */
    }
    {
        char line[160];
        snprintf(line, sizeof line, "START RequestId: %s Version: %s", inv->id,
                 p->spec->version);
        if (inv->tail) {
            ts_buf_puts(&inv->log, line);
            ts_buf_putc(&inv->log, '\n');
        }
        logq_put_locked(env, line, strlen(line), ts_now_ms());
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
    env->finishing = inv;
    env->state = ENV_IDLE;
    env->idle_since = ts_now_monotonic();
    if (env->pool->retired && !env->pool->qhead)
        rt_env_kill(env);
    rt_wake();  /* stop its timer */
    return inv;
}

/* Under rt_lock: takes the oldest queued invocation of p. */
lambda_inv *rt_pool_pop(lambda_pool *p)
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

void rt_env_kill(lambda_env *e)
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
        inv = rt_pool_pop(env->pool);
    env->state = ENV_DEAD;
    rt_env_kill(env);
    return inv;
}

/* Under rt_lock: how many environments p may still start. */
static int pool_room(const lambda_pool *p)
{
    int limit = p->spec->reserved >= 0 ? p->spec->reserved : max_envs();

    if (limit > max_envs())
        limit = max_envs();
    if (rt_total_envs >= max_envs())
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
        rt_inv_fail(inv, "ServiceException", "The Lambda runtime is not running");
        rt_complete(NULL, inv);
        return;
    }
    /* Reserved concurrency 0 throttles every invoke, as on AWS. */
    if (inv->spec->reserved == 0) {
        pthread_mutex_unlock(&rt_lock);
        rt_inv_fail(inv, "TooManyRequestsException", "Rate Exceeded.");
        inv->status = -1;
        rt_complete(NULL, inv);
        return;
    }
    p = pool_get(inv->spec);
    /* The reservation as the function has it now: the pool's spec may
     * predate a PutFunctionConcurrency. */
    p->spec->reserved = inv->spec->reserved;
    for (e = p->envs; e; e = e->next)
        if (e->state == ENV_IDLE && !e->inv && e->parked && !e->finishing)
            break;
    if (e) {
        void *conn = e->parked;
        e->inv = inv;
        e->parked = NULL;
        rapi_resume(conn);
        pthread_mutex_unlock(&rt_lock);
        return;
    }
    /* Throttled, as AWS throttles, when no environment is free, starting,
     * or may start for it: the function's reserved concurrency or the
     * total is used up.  (Queueing instead would let a function that
     * invokes itself wait on itself.) */
    if (p->qlen >= pool_free_envs(p) + (pool_room(p) > 0 ? pool_room(p) : 0)) {
        pthread_mutex_unlock(&rt_lock);
        rt_inv_fail(inv, "TooManyRequestsException", "Rate Exceeded.");
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

static char prewarm_want[8][32];
static int nprewarm;

void lambda_runtime_prewarm(const char *runtime)
{
    if (!runtime || ts_cfg.lambda_no_fork ||
        (!ts_starts_with(runtime, "python") && !ts_starts_with(runtime, "nodejs")))
        return;
    pthread_mutex_lock(&rt_lock);
    if (nprewarm < 8)
        snprintf(prewarm_want[nprewarm++], sizeof prewarm_want[0], "%s", runtime);
    pthread_mutex_unlock(&rt_lock);
    rt_wake();
}

void lambda_runtime_retire(const char *arn)
{
    size_t n = strlen(arn);

    pthread_mutex_lock(&rt_lock);
    for (lambda_pool *p = pools; p; p = p->next)
        if (!strncmp(p->spec->arn, arn, n) && (p->spec->arn[n] == '\0' || p->spec->arn[n] == ':'))
            pool_retire(p);
    pthread_mutex_unlock(&rt_lock);
}

static struct done_item {
    lambda_env *env;
    lambda_inv *inv;
    struct done_item *next;
} *done_head, **done_tail = &done_head;

void rt_complete_later(lambda_env *env, lambda_inv *inv)
{
    struct done_item *d = ts_malloc(sizeof(*d));

    d->env = env;
    d->inv = inv;
    d->next = NULL;
    pthread_mutex_lock(&rt_lock);
    env->refs++;
    if (env->pool)
        env->pool->pending++;
    *done_tail = d;
    done_tail = &d->next;
    pthread_mutex_unlock(&rt_lock);
    rt_wake();
}

/* Runtime thread: the answers the Runtime API took, completed once the
 * output written before them is read. */
static void run_completions(void)
{
    struct done_item *d;

    pthread_mutex_lock(&rt_lock);
    d = done_head;
    done_head = NULL;
    done_tail = &done_head;
    pthread_mutex_unlock(&rt_lock);
    while (d) {
        struct done_item *next = d->next;
        lambda_env *e = d->env;
        lambda_pool *p = e->pool;
        rt_env_drain(e);
        rt_complete(e, d->inv);
        pthread_mutex_lock(&rt_lock);
        if (p)
            p->pending--;
        if (e->finishing == d->inv) {
            e->finishing = NULL;
            /* Waiting meanwhile: it takes queued work now. */
            if (e->parked && !e->inv && e->state == ENV_IDLE && p && p->qhead &&
                !p->retired) {
                void *conn = e->parked;
                e->parked = NULL;
                e->inv = rt_pool_pop(p);
                rapi_resume(conn);
            }
        }
        pthread_mutex_unlock(&rt_lock);
        rt_env_release(e);
        ts_free(d);
        d = next;
    }
}

void rt_wake(void)
{
    if (running)
        uv_async_send(&wake_async);
}

static void on_timeout(uv_timer_t *t)
{
    lambda_env *e = t->data;
    lambda_inv *inv = NULL;
    char msg[200];

    pthread_mutex_lock(&rt_lock);
    e->timer_on = 0;
    if (e->inv && e->inv_sent && ts_now_ms() < e->inv->deadline_ms) {
        /* The rt_loop's clock runs a little behind the wall clock: not yet. */
        uv_update_time(&rt_loop);
        uv_timer_start(&e->timer, on_timeout, (uint64_t)(e->inv->deadline_ms - ts_now_ms()), 0);
        e->timer_on = 1;
        e->timer_deadline = e->inv->deadline_ms;
    } else if (e->inv && e->inv_sent) {
        inv = e->inv;
        e->inv = NULL;
        e->timed_out = 1;
        e->state = ENV_DEAD;
        /* Re-initialised with its /tmp kept: the next one takes it. */
        if (e->tmpdir && !e->pool->spare_tmp) {
            e->pool->spare_tmp = e->tmpdir;
            e->tmpdir = NULL;
        }
        rt_env_kill(e);
    }
    pthread_mutex_unlock(&rt_lock);
    if (inv) {
        if (inv->caller_timeout)
            snprintf(msg, sizeof msg, "RequestId: %s Error: the caller's limit of %d ms "
                     "passed (the function's timeout is %d s)", inv->id, inv->max_ms,
                     e->pool->spec->timeout);
        else
            snprintf(msg, sizeof msg, "RequestId: %s Error: Task timed out after %d.00 seconds",
                     inv->id, e->pool->spec->timeout);
        if (inv->tail) {
            ts_buf_puts(&inv->log, msg);
            ts_buf_putc(&inv->log, '\n');
        }
        ts_log(TS_LOG_INFO, "lambda %s: %s", e->pool->spec->name, msg);
        rt_inv_fail(inv, "Sandbox.Timedout", msg);
        rt_complete(e, inv);
    }
}

int rt_timer_action(const lambda_env *e)
{
    /* A timer still armed for the environment's previous invocation is
     * re-armed: that deadline may be later (an API Gateway caller's
     * limit is shorter than the function's). */
    if (e->inv && e->inv_sent && (!e->timer_on || e->timer_deadline != e->inv->deadline_ms))
        return RT_TIMER_ARM;
    if (!e->inv && e->timer_on)
        return RT_TIMER_STOP;
    return RT_TIMER_KEEP;
}

/* Runtime thread: start what the queues need, arm and disarm timeouts. */
static void on_wake(uv_async_t *a)
{
    (void)a;
    struct { lambda_pool *p; int n; } want[64];
    int nwant = 0;

    uv_update_time(&rt_loop);
    run_completions();
    pthread_mutex_lock(&rt_lock);
    for (lambda_pool *p = pools; p; p = p->next) {
        int need = p->qlen - pool_free_envs(p), room = pool_room(p);
        if (need > room)
            need = room;
        if (need > 0 && !stopping && nwant < 64) {
            want[nwant].p = p;
            want[nwant++].n = need;
        }
        for (lambda_env *e = p->envs; e; e = e->next) {
            if (e->state == ENV_DEAD)
                continue;
            switch (rt_timer_action(e)) {
            case RT_TIMER_ARM: {
                int64_t left = e->inv->deadline_ms - ts_now_ms();
                uv_timer_start(&e->timer, on_timeout, left > 0 ? (uint64_t)left : 0, 0);
                e->timer_on = 1;
                e->timer_deadline = e->inv->deadline_ms;
                break;
            }
            case RT_TIMER_STOP:
                uv_timer_stop(&e->timer);
                e->timer_on = 0;
                break;
            }
        }
    }
    if (stopping) {
        for (lambda_env *e = rt_all_envs; e; e = e->all_next)
            if (e->state != ENV_DEAD || e->pid > 0)
                rt_env_kill(e);
    }
    pthread_mutex_unlock(&rt_lock);
    pthread_mutex_lock(&rt_lock);
    {
        char want_rt[8][32];
        int n = nprewarm;
        memcpy(want_rt, prewarm_want, sizeof want_rt);
        nprewarm = 0;
        pthread_mutex_unlock(&rt_lock);
        for (int i = 0; i < n && !stopping; i++) {
            const char *interp = rt_interpreter(want_rt[i]);
            if (interp && ts_starts_with(want_rt[i], "nodejs"))
                rt_node_spare_ensure(interp);
            else if (interp)
                rt_zygote_prewarm(interp);
        }
    }
    /* Started outside the lock (pools go only on this thread). */
    for (int i = 0; i < nwant; i++)
        for (int k = 0; k < want[i].n; k++)
            rt_env_spawn(want[i].p);
}

/* Runtime thread, every second: ends environments idle too long, and
 * pools with nothing left. */
static void on_reap(uv_timer_t *t)
{
    double now = ts_now_monotonic();
    double idle = ts_cfg.lambda_idle_seconds > 0 ? ts_cfg.lambda_idle_seconds : 600;

    lambda_env *flush[64];
    int nflush = 0;

    (void)t;
    /* What environments wrote between invocations (their init, say). */
    pthread_mutex_lock(&rt_lock);
    for (lambda_env *e = rt_all_envs; e && nflush < 64; e = e->all_next)
        if (e->logq.len && e->pool && !e->exited) {
            e->refs++;
            flush[nflush++] = e;
        }
    pthread_mutex_unlock(&rt_lock);
    for (int i = 0; i < nflush; i++) {
        rt_logs_flush(flush[i]);
        rt_env_release(flush[i]);
    }
    pthread_mutex_lock(&rt_lock);
    for (lambda_pool **pp = &pools; *pp;) {
        lambda_pool *p = *pp;
        for (lambda_env *e = p->envs; e; e = e->next)
            if (e->state == ENV_IDLE && !e->inv && now - e->idle_since > idle)
                rt_env_kill(e);
        if (!p->envs && !p->qhead && !p->pending) {
            *pp = p->next;
            if (--p->spec->refs == 0) {
                p->spec->refs = 1;
                pthread_mutex_unlock(&rt_lock);
                lambda_spec_unref(p->spec);
                pthread_mutex_lock(&rt_lock);
            }
            if (p->spare_tmp) {
                lambda_rm_tree(p->spare_tmp);
                ts_free(p->spare_tmp);
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
    uv_run(&rt_loop, UV_RUN_DEFAULT);
    return NULL;
}

/* Writes the embedded runtime clients into lambda_dir()/runtimes. */
static int write_runtimes(void)
{
    snprintf(rt_runtimes_dir, sizeof rt_runtimes_dir, "%s/runtimes", lambda_dir());
    if (mkdir(rt_runtimes_dir, 0755) != 0 && errno != EEXIST)
        return -1;
    for (const ts_embedded *f = ts_embedded_files; f->name; f++) {
        const char *base = strrchr(f->name, '/');
        char path[PATH_MAX / 2 + 256], tmp[PATH_MAX];
        if (strlen(rt_runtimes_dir) + strlen(f->name) + 2 >= sizeof path)
            return -1;
        FILE *out;

        snprintf(path, sizeof path, "%s/%.200s", rt_runtimes_dir, base ? base + 1 : f->name);
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
        uv_close(h, h->data ? rt_handle_closed : NULL);
}

/* Runtime thread, at shutdown: every handle closes and the rt_loop ends. */
static void on_stop(uv_async_t *a)
{
    (void)a;
    rt_zygote_stop_all();
    rt_node_spare_stop();
    uv_walk(&rt_loop, close_any, NULL);
}

int lambda_runtime_start(void)
{
    if (write_runtimes() != 0) {
        ts_log(TS_LOG_ERROR, "lambda: cannot write the runtime clients into %s", rt_runtimes_dir);
        return -1;
    }
    if (rapi_start() != 0)
        return -1;
    uv_loop_init(&rt_loop);
    uv_async_init(&rt_loop, &wake_async, on_wake);
    uv_async_init(&rt_loop, &stop_async, on_stop);
    uv_timer_init(&rt_loop, &reap_timer);
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
    for (lambda_env *e = rt_all_envs; e; e = e->all_next)
        if (e->pid > 0 && e->state != ENV_DEAD)
            rt_env_kill(e);
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
        alive = rt_total_envs;
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
