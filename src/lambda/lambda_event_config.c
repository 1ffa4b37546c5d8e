/*
 * lambda_event_config.c - a function's settings for asynchronous invokes
 * (Put/Update/Get/Delete/ListFunctionEventInvokeConfig(s)): how many times
 * a failed event is retried (MaximumRetryAttempts, 0-2), how long an event
 * may wait (MaximumEventAgeInSeconds, 60-21600), and where outcomes go
 * (DestinationConfig).  One row of lambda_event_config per function and
 * qualifier, the FunctionEventInvokeConfig as the API answers it.  Put
 * replaces a config, Update changes the members it names.  They are
 * stored and answered; lambda_event_config_get hands them to the event
 * pump, which does not consult them yet, and destinations receive
 * nothing.
 */
#include "lambda_int.h"

#include <stdio.h>
#include <string.h>

#include "tinystack/store.h"

/* The function (id or -1) and qualifier ("$LATEST" when none) an
 * operation names; name into *name.  0 or -1 with the error set. */
static int eic_target(ts_call *c, const char **name, const char **qualifier, int64_t *id)
{
    sqlite3_stmt *st;

    if (lambda_name_parse(c, lambda_str(c->in, "FunctionName"), lambda_str(c->in, "Qualifier"),
                          name, qualifier) != 0)
        return -1;
    if (!*qualifier)
        *qualifier = "$LATEST";
    st = store_stmt("SELECT id FROM lambda_function WHERE account = ?1 AND region = ?2"
                    " AND name = ?3");
    store_bind_text(st, 1, c->req->account);
    store_bind_text(st, 2, c->req->region);
    store_bind_text(st, 3, *name);
    *id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    return 0;
}

static int no_function(ts_call *c)
{
    return ts_resp_error(c->resp, TS_ERR_LAMBDA_NOT_FOUND, "The function doesn't exist.");
}

static int no_config(ts_call *c, const char *name, const char *qualifier)
{
    return ts_resp_errorf(c->req, c->resp, TS_ERR_LAMBDA_NOT_FOUND,
                          "The function %s:%s doesn't have an EventInvokeConfig",
                          lambda_arn(c, name), qualifier);
}

static cJSON *config_load(int64_t id, const char *qualifier)
{
    sqlite3_stmt *st = store_stmt("SELECT config FROM lambda_event_config"
                                  " WHERE function_id = ?1 AND qualifier = ?2");
    cJSON *cfg = NULL;

    sqlite3_bind_int64(st, 1, id);
    store_bind_text(st, 2, qualifier);
    if (sqlite3_step(st) == SQLITE_ROW)
        cfg = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return cfg;
}

static int config_save(ts_call *c, int64_t id, const char *qualifier, const cJSON *cfg)
{
    sqlite3_stmt *st = store_stmt("INSERT OR REPLACE INTO lambda_event_config(function_id,"
                                  " qualifier, config) VALUES (?1, ?2, ?3)");
    char *text = cJSON_PrintUnformatted(cfg);
    int rc;

    sqlite3_bind_int64(st, 1, id);
    store_bind_text(st, 2, qualifier);
    store_bind_text(st, 3, text);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    cJSON_free(text);
    return rc == SQLITE_DONE ? 0 : ts_resp_error(c->resp, TS_ERR_LAMBDA_SERVICE, NULL);
}

/* 1 when arn names a service that can take an invocation record. */
static int destination_ok(const char *arn)
{
    static const char *const services[] = {"sqs", "sns", "lambda", "events", NULL};
    char service[16];

    if (sscanf(arn, "arn:%*[^:]:%15[^:]:", service) != 1)
        return 0;
    for (int i = 0; services[i]; i++)
        if (!strcmp(service, services[i]))
            return 1;
    return 0;
}

static const char *destination_of(const cJSON *dc, const char *member)
{
    const char *d = lambda_str(cJSON_GetObjectItemCaseSensitive(dc, member), "Destination");

    return d && *d ? d : NULL;
}

/* Checks DestinationConfig as AWS does before it stores one. */
static int destinations_check(ts_call *c, const char *name, const cJSON *dc)
{
    const char *ok = destination_of(dc, "OnSuccess"), *fail = destination_of(dc, "OnFailure");
    const char *self = lambda_arn(c, name);
    size_t n = strlen(self);

    for (int i = 0; i < 2; i++) {
        const char *d = i ? fail : ok;
        if (d && !strncmp(d, self, n) && (d[n] == '\0' || d[n] == ':'))
            return ts_resp_error(c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                                 "You can't specify the function as a destination for itself.");
    }
    if ((ok && !destination_ok(ok)) || (fail && !destination_ok(fail)))
        return ts_resp_errorf(
            c->req, c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
            "The provided destination config DestinationConfig(onSuccess=%s, onFailure=%s) is "
            "invalid.",
            ok ? ts_arena_printf(c->req->arena, "OnSuccess(destination=%s)", ok) : "null",
            fail ? ts_arena_printf(c->req->arena, "OnFailure(destination=%s)", fail) : "null");
    return 0;
}

/* DestinationConfig as AWS answers it: both members, empty when unset. */
static cJSON *destinations_out(const cJSON *dc)
{
    cJSON *out = cJSON_CreateObject();
    static const char *const members[] = {"OnSuccess", "OnFailure"};

    for (int i = 0; i < 2; i++) {
        cJSON *m = cJSON_AddObjectToObject(out, members[i]);
        const char *d = destination_of(dc, members[i]);
        if (d)
            cJSON_AddStringToObject(m, "Destination", d);
    }
    return out;
}

static void set_item(cJSON *o, const char *name, cJSON *v)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, name);
    cJSON_AddItemToObject(o, name, v);
}

/* Put (replace) and Update (merge into an existing config). */
static int event_config_write(ts_call *c, int update)
{
    const char *name, *qualifier;
    const cJSON *retries = cJSON_GetObjectItemCaseSensitive(c->in, "MaximumRetryAttempts");
    const cJSON *age = cJSON_GetObjectItemCaseSensitive(c->in, "MaximumEventAgeInSeconds");
    const cJSON *dc = cJSON_GetObjectItemCaseSensitive(c->in, "DestinationConfig");
    cJSON *cfg = NULL;
    int64_t id;
    int rc = -1;

    if (eic_target(c, &name, &qualifier, &id) != 0)
        return -1;
    if (!retries && !age && !dc)
        return ts_resp_error(c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                             "You must specify at least one of error handling or destination "
                             "setting.");
    if (id < 0 || !lambda_qualifier_exists(id, qualifier))
        return no_function(c);
    if (update && !(cfg = config_load(id, qualifier)))
        return no_config(c, name, qualifier);
    if (dc && destinations_check(c, name, dc) != 0)
        goto out;
    if (!cfg) {
        cfg = cJSON_CreateObject();
        cJSON_AddStringToObject(cfg, "FunctionArn",
                                ts_arena_printf(c->req->arena, "%s:%s", lambda_arn(c, name),
                                                qualifier));
        cJSON_AddItemToObject(cfg, "DestinationConfig", destinations_out(NULL));
    }
    if (retries)
        set_item(cfg, "MaximumRetryAttempts", cJSON_CreateNumber(retries->valuedouble));
    if (age)
        set_item(cfg, "MaximumEventAgeInSeconds", cJSON_CreateNumber(age->valuedouble));
    if (dc)
        set_item(cfg, "DestinationConfig", destinations_out(dc));
    set_item(cfg, "LastModified", cJSON_CreateNumber((double)ts_now_ms() / 1000.0));
    if (config_save(c, id, qualifier, cfg) != 0)
        goto out;
    cJSON_Delete(c->out);
    c->out = cfg;
    cfg = NULL;
    rc = 0;
out:
    cJSON_Delete(cfg);
    return rc;
}

int lambda_put_event_config(ts_call *c)
{
    return event_config_write(c, 0);
}

int lambda_update_event_config(ts_call *c)
{
    return event_config_write(c, 1);
}

int lambda_get_event_config(ts_call *c)
{
    const char *name, *qualifier;
    cJSON *cfg;
    int64_t id;

    if (eic_target(c, &name, &qualifier, &id) != 0)
        return -1;
    if (id < 0 || !(cfg = config_load(id, qualifier)))
        return no_config(c, name, qualifier);
    cJSON_Delete(c->out);
    c->out = cfg;
    return 0;
}

int lambda_delete_event_config(ts_call *c)
{
    const char *name, *qualifier;
    sqlite3_stmt *st;
    int64_t id;
    int rc, gone;

    if (eic_target(c, &name, &qualifier, &id) != 0)
        return -1;
    if (id < 0)
        return no_config(c, name, qualifier);
    st = store_stmt("DELETE FROM lambda_event_config WHERE function_id = ?1 AND qualifier = ?2");
    sqlite3_bind_int64(st, 1, id);
    store_bind_text(st, 2, qualifier);
    rc = sqlite3_step(st);
    gone = sqlite3_changes(store_db());
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return ts_resp_error(c->resp, TS_ERR_LAMBDA_SERVICE, NULL);
    if (!gone)
        return no_config(c, name, qualifier);
    cJSON_Delete(c->out);
    c->out = NULL;
    c->resp->status = 204;
    return 0;
}

int lambda_list_event_configs(ts_call *c)
{
    const char *name, *qualifier, *marker = lambda_str(c->in, "Marker");
    int limit = lambda_page_size(c);
    sqlite3_stmt *st;
    cJSON *list;
    int64_t id;

    if (eic_target(c, &name, &qualifier, &id) != 0)
        return -1;
    if (id < 0)
        return no_function(c);
    list = cJSON_AddArrayToObject(c->out, "FunctionEventInvokeConfigs");
    /* The marker is the qualifier of the last config answered. */
    st = store_stmt("SELECT qualifier, config FROM lambda_event_config WHERE function_id = ?1"
                    " AND qualifier > ?2 ORDER BY qualifier LIMIT ?3");
    sqlite3_bind_int64(st, 1, id);
    store_bind_text(st, 2, marker ? marker : "");
    sqlite3_bind_int(st, 3, limit + 1);
    lambda_page_rows(c, st, list, limit, 0, NULL);
    return 0;
}

int lambda_event_config_get(int64_t function_id, const char *qualifier, int *retries,
                            int *max_age)
{
    cJSON *cfg = config_load(function_id, qualifier);
    const cJSON *v;

    *retries = *max_age = -1;
    if (!cfg)
        return -1;
    if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(cfg, "MaximumRetryAttempts")))
        *retries = v->valueint;
    if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(cfg, "MaximumEventAgeInSeconds")))
        *max_age = v->valueint;
    cJSON_Delete(cfg);
    return 0;
}

void lambda_event_config_drop(int64_t function_id, const char *qualifier)
{
    sqlite3_stmt *st = qualifier
        ? store_stmt("DELETE FROM lambda_event_config WHERE function_id = ?1 AND qualifier = ?2")
        : store_stmt("DELETE FROM lambda_event_config WHERE function_id = ?1");

    sqlite3_bind_int64(st, 1, function_id);
    if (qualifier)
        store_bind_text(st, 2, qualifier);
    sqlite3_step(st);
    sqlite3_reset(st);
}
