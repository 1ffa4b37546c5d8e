/*
 * lambda.c - the Lambda service (REST-JSON under /2015-03-31/functions
 * ...): its operation table, and the helpers its files share to name a
 * function and load it.  A function is a row of lambda_function; its
 * configuration is kept as the JSON the API answers, so an operation
 * that changes it edits that document.
 */
#include "lambda_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tinystack/store.h"

static const char *const lambda_paths[] = {
    "/2015-03-31/", "/2017-03-31/tags", "/2019-09-25/functions",
    "/2018-10-31/layers", "/2016-08-19/account-settings",
    "/2021-10-31/functions", "/2017-10-31/functions", "/2019-09-30/functions", NULL,
};

#define FN "/2015-03-31/functions"
#define EIC "/2019-09-25/functions/{FunctionName}/event-invoke-config"

static const ts_op lambda_ops[] = {
    {"CreateFunction", lambda_create_function, TS_OP_WRITE, NULL, NULL, "POST", FN,
     (LAMBDA_ZIP_MAX / 3 + 1) * 4 + (1u << 20)},
    {"ListFunctions", lambda_list_functions, TS_OP_READ, NULL, NULL, "GET", FN, 0},
    {"GetFunction", lambda_get_function, TS_OP_READ, NULL, NULL, "GET",
     FN "/{FunctionName}", 0},
    {"DeleteFunction", lambda_delete_function_checked, TS_OP_WRITE, NULL, NULL, "DELETE",
     FN "/{FunctionName}", 0},
    {"GetFunctionConfiguration", lambda_get_function_configuration, TS_OP_READ, NULL, NULL,
     "GET", FN "/{FunctionName}/configuration", 0},
    {"UpdateFunctionConfiguration", lambda_update_function_configuration, TS_OP_WRITE, NULL,
     NULL, "PUT", FN "/{FunctionName}/configuration", 0},
    {"UpdateFunctionCode", lambda_update_function_code, TS_OP_WRITE, NULL, NULL, "PUT",
     FN "/{FunctionName}/code", (LAMBDA_ZIP_MAX / 3 + 1) * 4 + (1u << 20)},
    {"Invoke", lambda_invoke, TS_OP_READ, NULL, NULL, "POST", FN "/{FunctionName}/invocations",
     LAMBDA_PAYLOAD_MAX},
    {"AddPermission", lambda_add_permission, TS_OP_WRITE, NULL, NULL, "POST",
     FN "/{FunctionName}/policy", 0},
    {"GetPolicy", lambda_get_policy, TS_OP_READ, NULL, NULL, "GET", FN "/{FunctionName}/policy", 0},
    {"RemovePermission", lambda_remove_permission, TS_OP_WRITE, NULL, NULL, "DELETE",
     FN "/{FunctionName}/policy/{StatementId}", 0},
    {"GetAccountSettings", lambda_get_account_settings, TS_OP_READ, NULL, NULL, "GET",
     "/2016-08-19/account-settings", 0},
    {"PublishVersion", lambda_publish_version, TS_OP_WRITE, NULL, NULL, "POST",
     FN "/{FunctionName}/versions", 0},
    {"ListVersionsByFunction", lambda_list_versions, TS_OP_READ, NULL, NULL, "GET",
     FN "/{FunctionName}/versions", 0},
    {"CreateAlias", lambda_create_alias, TS_OP_WRITE, NULL, NULL, "POST",
     FN "/{FunctionName}/aliases", 0},
    {"ListAliases", lambda_list_aliases, TS_OP_READ, NULL, NULL, "GET",
     FN "/{FunctionName}/aliases", 0},
    {"GetAlias", lambda_get_alias, TS_OP_READ, NULL, NULL, "GET",
     FN "/{FunctionName}/aliases/{Name}", 0},
    {"UpdateAlias", lambda_update_alias, TS_OP_WRITE, NULL, NULL, "PUT",
     FN "/{FunctionName}/aliases/{Name}", 0},
    {"DeleteAlias", lambda_delete_alias, TS_OP_WRITE, NULL, NULL, "DELETE",
     FN "/{FunctionName}/aliases/{Name}", 0},
    {"TagResource", lambda_tag_resource, TS_OP_WRITE, NULL, NULL, "POST",
     "/2017-03-31/tags/{Resource}", 0},
    {"UntagResource", lambda_untag_resource, TS_OP_WRITE, NULL, NULL, "DELETE",
     "/2017-03-31/tags/{Resource}", 0},
    {"ListTags", lambda_list_tags, TS_OP_READ, NULL, NULL, "GET", "/2017-03-31/tags/{Resource}",
     0},
    {"PutFunctionConcurrency", lambda_put_concurrency, TS_OP_WRITE, NULL, NULL, "PUT",
     "/2017-10-31/functions/{FunctionName}/concurrency", 0},
    {"DeleteFunctionConcurrency", lambda_delete_concurrency, TS_OP_WRITE, NULL, NULL, "DELETE",
     "/2017-10-31/functions/{FunctionName}/concurrency", 0},
    {"GetFunctionConcurrency", lambda_get_concurrency, TS_OP_READ, NULL, NULL, "GET",
     "/2019-09-30/functions/{FunctionName}/concurrency", 0},
    {"PutFunctionEventInvokeConfig", lambda_put_event_config, TS_OP_WRITE, NULL, NULL, "PUT",
     EIC, 0},
    {"UpdateFunctionEventInvokeConfig", lambda_update_event_config, TS_OP_WRITE, NULL, NULL,
     "POST", EIC, 0},
    {"GetFunctionEventInvokeConfig", lambda_get_event_config, TS_OP_READ, NULL, NULL, "GET", EIC,
     0},
    {"DeleteFunctionEventInvokeConfig", lambda_delete_event_config, TS_OP_WRITE, NULL, NULL,
     "DELETE", EIC, 0},
    {"ListFunctionEventInvokeConfigs", lambda_list_event_configs, TS_OP_READ, NULL, NULL, "GET",
     EIC "/list", 0},
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, 0},
};

const char *lambda_str(const cJSON *in, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, name);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *lambda_arn(ts_call *c, const char *name)
{
    return ts_arena_printf(c->req->arena, "arn:aws:lambda:%s:%s:function:%s", c->req->region,
                           c->req->account, name);
}

void lambda_time(int64_t ms, char *out)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char base[24];

    gmtime_r(&t, &tm);
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 32, "%.19s.%03u+0000", base, (unsigned)(ms % 1000) % 1000u);
}

int lambda_name_parse(ts_call *c, const char *in, const char *explicit_qualifier,
                      const char **name, const char **qualifier)
{
    ts_arena *a = c->req->arena;
    char *copy = ts_arena_strdup(a, in), *parts[8];
    int n = 0;

    for (char *p = copy, *colon;; p = colon + 1) {
        if (n == 8)
            break;
        parts[n++] = p;
        if (!(colon = strchr(p, ':')))
            break;
        *colon = '\0';
    }
    *qualifier = NULL;
    if (n >= 6 && !strcmp(parts[0], "arn")) {
        /* arn:aws:lambda:region:account:function:name[:qualifier] */
        if (strcmp(parts[2], "lambda") || strcmp(parts[5], "function") || n > 8 || n < 7)
            goto bad;
        if (strcmp(parts[3], c->req->region) || strcmp(parts[4], c->req->account))
            goto bad;
        *name = parts[6];
        if (n == 8)
            *qualifier = parts[7];
    } else if (n >= 3 && !strcmp(parts[1], "function")) {
        /* account:function:name[:qualifier] */
        if (n > 4 || strcmp(parts[0], c->req->account))
            goto bad;
        *name = parts[2];
        if (n == 4)
            *qualifier = parts[3];
    } else if (n <= 2) {
        *name = parts[0];
        if (n == 2)
            *qualifier = parts[1];
    } else {
        goto bad;
    }
    if (!**name)
        goto bad;
    if (*qualifier && explicit_qualifier && strcmp(*qualifier, explicit_qualifier))
        return ts_resp_error(c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                             "The derived qualifier from the function name does not match "
                             "the specified qualifier.");
    if (!*qualifier)
        *qualifier = explicit_qualifier;
    return 0;
bad:
    return ts_resp_errorf(c->req, c->resp, TS_ERR_LAMBDA_NOT_FOUND, "Function not found: %s",
                          strncmp(in, "arn:", 4) ? lambda_arn(c, in) : in);
}

static int fn_row(ts_call *c, sqlite3_stmt *st, lambda_fn *f)
{
    f->id = sqlite3_column_int64(st, 0);
    f->config = cJSON_Parse((const char *)sqlite3_column_text(st, 1));
    f->code_blob = sqlite3_column_int64(st, 2);
    f->next_version = sqlite3_column_int64(st, 3);
    f->policy = store_col_text(c->req->arena, st, 4);
    f->tags = store_col_text(c->req->arena, st, 5);
    f->concurrency = sqlite3_column_type(st, 6) == SQLITE_NULL ? -1
                                                               : sqlite3_column_int64(st, 6);
    return f->config ? 0 : ts_resp_error(c->resp, TS_ERR_LAMBDA_SERVICE, NULL);
}

int lambda_fn_load(ts_call *c, const char *name, lambda_fn *f)
{
    sqlite3_stmt *st = store_stmt(
        "SELECT id, config, code_blob, next_version, policy, tags, concurrency"
        " FROM lambda_function WHERE account = ?1 AND region = ?2 AND name = ?3");
    int rc;

    memset(f, 0, sizeof(*f));
    store_bind_text(st, 1, c->req->account);
    store_bind_text(st, 2, c->req->region);
    store_bind_text(st, 3, name);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return ts_resp_errorf(c->req, c->resp, TS_ERR_LAMBDA_NOT_FOUND,
                              "Function not found: %s", lambda_arn(c, name));
    }
    rc = fn_row(c, st, f);
    sqlite3_reset(st);
    f->name = ts_arena_strdup(c->req->arena, name);
    f->qualifier = f->version = "$LATEST";
    return rc;
}

int lambda_is_version(const char *s)
{
    if (!*s || *s == '0' || strlen(s) > 18)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

int lambda_fn_load_qualified(ts_call *c, const char *name, const char *qualifier,
                             lambda_fn *f)
{
    const char *version = qualifier;
    sqlite3_stmt *st;

    if (lambda_fn_load(c, name, f) != 0)
        return -1;
    if (!qualifier || !strcmp(qualifier, "$LATEST"))
        return 0;
    if (!lambda_is_version(qualifier)) {
        cJSON *alias = lambda_alias_load(f->id, qualifier);
        version = alias ? ts_arena_strdup(c->req->arena, lambda_str(alias, "FunctionVersion"))
                        : NULL;
        cJSON_Delete(alias);
        if (!version)
            goto missing;
        if (!strcmp(version, "$LATEST")) {
            f->qualifier = ts_arena_strdup(c->req->arena, qualifier);
            return 0;
        }
    }
    st = store_stmt("SELECT config, code_blob FROM lambda_version"
                    " WHERE function_id = ?1 AND version = ?2");
    sqlite3_bind_int64(st, 1, f->id);
    sqlite3_bind_int64(st, 2, strtoll(version, NULL, 10));
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        goto missing;
    }
    cJSON_Delete(f->config);
    f->config = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
    f->code_blob = sqlite3_column_int64(st, 1);
    sqlite3_reset(st);
    f->qualifier = ts_arena_strdup(c->req->arena, qualifier);
    f->version = version;
    return f->config ? 0 : ts_resp_error(c->resp, TS_ERR_LAMBDA_SERVICE, NULL);
missing:
    lambda_fn_free(f);
    return ts_resp_errorf(c->req, c->resp, TS_ERR_LAMBDA_NOT_FOUND, "Function not found: %s:%s",
                          lambda_arn(c, name), qualifier);
}

void lambda_fn_free(lambda_fn *f)
{
    cJSON_Delete(f->config);
    f->config = NULL;
}

cJSON *lambda_config_out(const lambda_fn *f)
{
    return cJSON_Duplicate(f->config, 1);
}

int lambda_page_size(ts_call *c)
{
    const cJSON *max = cJSON_GetObjectItemCaseSensitive(c->in, "MaxItems");
    int n = cJSON_IsNumber(max) ? max->valueint : LAMBDA_PAGE_MAX;

    return n < 1 || n > LAMBDA_PAGE_MAX ? LAMBDA_PAGE_MAX : n;
}

void lambda_page_rows(ts_call *c, sqlite3_stmt *st, cJSON *list, int limit, int n,
                      const char *last)
{
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n++ == limit) {
            cJSON_AddStringToObject(c->out, "NextMarker", last);
            break;
        }
        last = store_col_text(c->req->arena, st, 0);
        cJSON_AddItemToArray(list, cJSON_Parse((const char *)sqlite3_column_text(st, 1)));
    }
    sqlite3_reset(st);
}

void lambda_set_str(cJSON *o, const char *name, const char *v)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, name);
    cJSON_AddStringToObject(o, name, v);
}

int lambda_unqualified(ts_call *c, const char *member, const char **name)
{
    const char *qualifier;

    if (lambda_name_parse(c, lambda_str(c->in, member), NULL, name, &qualifier) != 0)
        return -1;
    if (qualifier)
        return ts_resp_error(c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                             "Unsupported parameter: FunctionName with a qualifier");
    return 0;
}

int lambda_get_account_settings(ts_call *c)
{
    cJSON *limits = cJSON_AddObjectToObject(c->out, "AccountLimit");
    cJSON *usage = cJSON_AddObjectToObject(c->out, "AccountUsage");
    sqlite3_stmt *st = store_stmt("SELECT count(*), coalesce(sum(concurrency), 0)"
                                  " FROM lambda_function WHERE account = ?1 AND region = ?2");
    int count = 0;
    int64_t reserved = 0;

    cJSON_AddNumberToObject(limits, "TotalCodeSize", 80530636800.0);
    cJSON_AddNumberToObject(limits, "CodeSizeUnzipped", (double)LAMBDA_UNZIPPED_MAX);
    cJSON_AddNumberToObject(limits, "CodeSizeZipped", (double)LAMBDA_ZIP_MAX);
    store_bind_text(st, 1, c->req->account);
    store_bind_text(st, 2, c->req->region);
    if (sqlite3_step(st) == SQLITE_ROW) {
        count = sqlite3_column_int(st, 0);
        reserved = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    cJSON_AddNumberToObject(limits, "ConcurrentExecutions", LAMBDA_ACCOUNT_CONCURRENCY);
    cJSON_AddNumberToObject(limits, "UnreservedConcurrentExecutions",
                            (double)(LAMBDA_ACCOUNT_CONCURRENCY - reserved));
    cJSON_AddNumberToObject(usage, "TotalCodeSize", 0);
    cJSON_AddNumberToObject(usage, "FunctionCount", count);
    return 0;
}

static void lambda_init(void)
{
    lambda_events_init();
    if (lambda_dir_init() != 0 || lambda_runtime_start() != 0)
        ts_log(TS_LOG_ERROR, "lambda: cannot start the runtime; invokes will fail");
}

static void lambda_reset(void)
{
    lambda_runtime_reset();
}

static void lambda_quiesce(void)
{
    lambda_runtime_stop();
}

static void lambda_stop(void)
{
    lambda_dir_cleanup();
}

const ts_service lambda_service = {
    .name = "lambda",
    .signing_name = "lambda",
    .target_prefix = NULL,
    .proto = &ts_proto_rest_json,
    .path_prefixes = lambda_paths,
    .ops = lambda_ops,
    .max_body = 1u << 20,
    .too_large = TS_ERR_LAMBDA_TOO_LARGE,
    .bad_body = TS_ERR_LAMBDA_BAD_CONTENT,
    .available = 1,
    .init = lambda_init,
    .reset = lambda_reset,
    .quiesce = lambda_quiesce,
    .stop = lambda_stop,
};
