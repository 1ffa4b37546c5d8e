/*
 * lambda_rapi.c - the AWS Lambda Runtime API, as execution environments
 * call it (AWS_LAMBDA_RUNTIME_API):
 *
 *   GET  /2018-06-01/runtime/invocation/next         the next event (long poll)
 *   POST /2018-06-01/runtime/invocation/{id}/response
 *   POST /2018-06-01/runtime/invocation/{id}/error
 *   POST /2018-06-01/runtime/init/error
 *
 * One libmicrohttpd daemon without a listen socket of its own serves every
 * environment: each environment has a loopback listener, and the runtime
 * thread hands what it accepts to this daemon (MHD_add_connection).  A
 * request knows its environment by the local port it came in on.  A /next
 * with nothing to do is suspended, holding no thread, and resumed when an
 * invocation is handed to that environment.
 */
#include "lambda_runtime.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "tinystack/log.h"

#define RAPI "/2018-06-01/runtime"

static struct MHD_Daemon *daemon_;

typedef struct rapi_req {
    lambda_env *env;
    ts_buf body;
    int too_large;
} rapi_req;

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *json)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(json), (void *)json,
                                                             MHD_RESPMEM_MUST_COPY);
    enum MHD_Result rc;

    MHD_add_response_header(r, "Content-Type", "application/json");
    rc = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result reply_error(struct MHD_Connection *conn, unsigned status,
                                   const char *type, const char *message)
{
    char buf[512];

    snprintf(buf, sizeof buf, "{\"errorMessage\":\"%s\",\"errorType\":\"%s\"}", message, type);
    return reply(conn, status, buf);
}

static enum MHD_Result send_event(struct MHD_Connection *conn, lambda_env *env,
                                  lambda_inv *inv)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(inv->payload_len, inv->payload,
                                                             MHD_RESPMEM_MUST_COPY);
    char deadline[24], trace[128], root[25], parent[17];
    enum MHD_Result rc;

    snprintf(deadline, sizeof deadline, "%lld", (long long)inv->deadline_ms);
    ts_random_hex(root, 12);
    ts_random_hex(parent, 8);
    /* Lineage carries the trigger depth: the handler's SDK sends this
     * header back with its own calls (recursion detection). */
    snprintf(trace, sizeof trace, "Root=1-%08llx-%s;Parent=%s;Sampled=0;Lineage=%.8s:%d",
             (long long)(ts_now_ms() / 1000), root, parent, root, inv->depth);
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Lambda-Runtime-Aws-Request-Id", inv->id);
    MHD_add_response_header(r, "Lambda-Runtime-Deadline-Ms", deadline);
    MHD_add_response_header(r, "Lambda-Runtime-Invoked-Function-Arn", env->pool->spec->arn);
    MHD_add_response_header(r, "Lambda-Runtime-Trace-Id", trace);
    if (inv->client_context)
        MHD_add_response_header(r, "Lambda-Runtime-Client-Context", inv->client_context);
    rc = MHD_queue_response(conn, 200, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result on_next(struct MHD_Connection *conn, lambda_env *env)
{
    lambda_inv *inv;

    pthread_mutex_lock(&rt_lock);
    if (env->state == ENV_DEAD) {
        pthread_mutex_unlock(&rt_lock);
        return reply_error(conn, 410, "Runtime.Gone", "The environment has ended");
    }
    inv = rt_next_locked(env);
    if (!inv) {
        /* Nothing to do: wait, without a thread, until submit resumes us. */
        env->parked = conn;
        MHD_suspend_connection(conn);
        pthread_mutex_unlock(&rt_lock);
        return MHD_YES;
    }
    {
        enum MHD_Result rc = send_event(conn, env, inv);
        pthread_mutex_unlock(&rt_lock);
        return rc;
    }
}

/* Copies the MHD header value into a ts_malloc'd string, or NULL. */
static char *header_dup(struct MHD_Connection *conn, const char *name)
{
    const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);

    return v ? ts_strdup(v) : NULL;
}

static enum MHD_Result on_result(struct MHD_Connection *conn, rapi_req *r, const char *id,
                                 int is_error)
{
    lambda_env *env = r->env;
    lambda_inv *inv;

    pthread_mutex_lock(&rt_lock);
    inv = rt_finish_locked(env, id);
    pthread_mutex_unlock(&rt_lock);
    if (!inv)
        return reply_error(conn, 400, "InvalidRequestID", "Invalid request ID");
    if (r->too_large) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "Response payload size exceeded maximum allowed payload size (%u bytes).",
                 LAMBDA_PAYLOAD_MAX);
        inv->result = ts_malloc(256);
        snprintf(inv->result, 256, "{\"errorMessage\":\"%s\",\"errorType\":"
                 "\"Function.ResponseSizeTooLarge\"}", msg);
        inv->result_len = strlen(inv->result);
        inv->error_type = ts_strdup("Function.ResponseSizeTooLarge");
        inv->status = 1;
        rt_complete_later(env, inv);
        return reply_error(conn, 413, "RequestEntityTooLarge", msg);
    }
    inv->result = ts_buf_detach(&r->body, &inv->result_len);
    if (!inv->result) {
        inv->result = ts_strdup("");
        inv->result_len = 0;
    }
    if (is_error) {
        inv->status = 1;
        inv->error_type = header_dup(conn, "Lambda-Runtime-Function-Error-Type");
        if (!inv->error_type) {
            cJSON *o = cJSON_ParseWithLength(inv->result, inv->result_len);
            const char *t = lambda_str(o, "errorType");
            inv->error_type = ts_strdup(t ? t : "Unhandled");
            cJSON_Delete(o);
        }
    }
    rt_complete_later(env, inv);
    return reply(conn, 202, "{\"status\":\"OK\"}");
}

static enum MHD_Result on_init_error(struct MHD_Connection *conn, rapi_req *r)
{
    lambda_env *env = r->env;
    lambda_inv *inv;

    pthread_mutex_lock(&rt_lock);
    inv = rt_init_error_locked(env);
    pthread_mutex_unlock(&rt_lock);
    if (inv) {
        inv->result = ts_buf_detach(&r->body, &inv->result_len);
        if (!inv->result) {
            inv->result = ts_strdup("{}");
            inv->result_len = 2;
        }
        inv->status = 1;
        inv->error_type = header_dup(conn, "Lambda-Runtime-Function-Error-Type");
        if (!inv->error_type)
            inv->error_type = ts_strdup("Runtime.Unknown");
        rt_complete_later(env, inv);
    }
    return reply(conn, 202, "{\"status\":\"OK\"}");
}

static int local_port(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;

    if (!ci || getsockname(ci->connect_fd, (struct sockaddr *)&sa, &len) != 0)
        return -1;
    return ntohs(sa.sin_port);
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version,
                                 const char *upload_data, size_t *upload_data_size,
                                 void **con_cls)
{
    rapi_req *r = *con_cls;
    const char *rest;

    (void)cls;
    (void)version;
    if (!r) {
        r = ts_calloc(1, sizeof(*r));
        ts_buf_init(&r->body);
        r->env = rt_env_by_port(local_port(conn));
        *con_cls = r;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (r->body.len + *upload_data_size > LAMBDA_PAYLOAD_MAX)
            r->too_large = 1;
        else
            ts_buf_append(&r->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (!r->env)
        return reply_error(conn, 404, "InvalidEnvironment", "No environment on this port");
    if (!strcmp(method, "GET") && !strcmp(url, RAPI "/invocation/next"))
        return on_next(conn, r->env);
    if (!strcmp(method, "POST") && !strcmp(url, RAPI "/init/error"))
        return on_init_error(conn, r);
    if (!strcmp(method, "POST") && ts_starts_with(url, RAPI "/invocation/")) {
        char id[64];
        const char *slash;
        rest = url + strlen(RAPI "/invocation/");
        slash = strchr(rest, '/');
        if (slash && (size_t)(slash - rest) < sizeof id) {
            memcpy(id, rest, (size_t)(slash - rest));
            id[slash - rest] = '\0';
            if (!strcmp(slash, "/response"))
                return on_result(conn, r, id, 0);
            if (!strcmp(slash, "/error"))
                return on_result(conn, r, id, 1);
        }
    }
    return reply_error(conn, 404, "InvalidRequest", "Unknown Runtime API path");
}

static void completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    rapi_req *r = *con_cls;

    (void)cls;
    (void)conn;
    (void)toe;
    if (!r)
        return;
    if (r->env) {
        /* A /next that was still parked when its connection ended. */
        pthread_mutex_lock(&rt_lock);
        if (r->env->parked == conn)
            r->env->parked = NULL;
        pthread_mutex_unlock(&rt_lock);
        rt_env_release(r->env);
    }
    ts_buf_free(&r->body);
    ts_free(r);
    *con_cls = NULL;
}

int rapi_start(void)
{
    daemon_ = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
            MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC,
        0, NULL, NULL, access_cb, NULL, MHD_OPTION_NOTIFY_COMPLETED, completed_cb, NULL,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64u << 10), MHD_OPTION_END);
    if (!daemon_) {
        ts_log(TS_LOG_ERROR, "lambda: cannot start the Runtime API server");
        return -1;
    }
    return 0;
}

void rapi_stop(void)
{
    if (daemon_)
        MHD_stop_daemon(daemon_);
    daemon_ = NULL;
}

int rapi_add_connection(int fd, const struct sockaddr *addr, socklen_t len)
{
    return daemon_ && MHD_add_connection(daemon_, fd, addr, len) == MHD_YES ? 0 : -1;
}

void rapi_resume(void *conn)
{
    MHD_resume_connection(conn);
}
