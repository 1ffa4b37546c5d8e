/*
 * lambda_function.c - the functions themselves: create, read, list,
 * update code and configuration, delete.  A function is Active as soon as
 * CreateFunction commits (the code was checked and stored in that
 * request); the answer still says Pending, and an update's says
 * InProgress, as AWS's do, so waiters and scripts see the states they
 * expect, and the next read sees Active / Successful.
 */
#include "lambda_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinystack/store.h"

/* Runtimes AWS no longer takes for new functions or updates. */
static const char *const deprecated_runtimes[] = {
    "nodejs", "nodejs4.3", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x",
    "nodejs4.3-edge", "python2.7", "python3.6", "python3.7", "dotnetcore1.0",
    "dotnetcore2.0", "dotnetcore2.1", "ruby2.5", "java8", "go1.x", NULL,
};

static int runtime_check(ts_call *c, const char *runtime)
{
    for (int i = 0; deprecated_runtimes[i]; i++)
        if (!strcmp(runtime, deprecated_runtimes[i]))
            return ts_resp_errorf(
                c->req, c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                "The runtime parameter of %s is no longer supported for creating or updating "
                "AWS Lambda functions. We recommend you use a supported runtime while "
                "creating or updating functions.", runtime);
    return 0;
}

static void set_str(cJSON *o, const char *name, const char *v)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, name);
    cJSON_AddStringToObject(o, name, v);
}

static void set_num(cJSON *o, const char *name, double v)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, name);
    cJSON_AddNumberToObject(o, name, v);
}

static void set_item(cJSON *o, const char *name, const cJSON *v)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, name);
    cJSON_AddItemToObject(o, name, cJSON_Duplicate(v, 1));
}

static void stamp(cJSON *config)
{
    char t[32], rev[40];

    lambda_time(ts_now_ms(), t);
    ts_uuid_v4(rev);
    set_str(config, "LastModified", t);
    set_str(config, "RevisionId", rev);
}

/* The Environment member as Lambda keeps it: {"Variables": {...}}, with
 * AWS's rules for the names (reserved ones refused). */
static int env_check(ts_call *c, const cJSON *env)
{
    static const char *const reserved[] = {
        "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION",
        "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", NULL,
    };
    const cJSON *vars = cJSON_GetObjectItemCaseSensitive(env, "Variables");
    const cJSON *v;
    size_t total = 0;

    cJSON_ArrayForEach(v, vars) {
        for (int i = 0; reserved[i]; i++)
            if (!strcmp(v->string, reserved[i]))
                return ts_resp_errorf(
                    c->req, c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                    "Lambda was unable to configure your environment variables because the "
                    "environment variables you have provided contains reserved keys that "
                    "are currently not supported for modification. Reserved keys used in "
                    "this request: %s", v->string);
        total += strlen(v->string) + (cJSON_IsString(v) ? strlen(v->valuestring) : 0);
    }
    if (total > 4096)
        return ts_resp_error(c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                             "Lambda was unable to configure your environment variables "
                             "because the environment variables you have provided exceeded "
                             "the 4KB limit.");
    return 0;
}

/* Copies the members that CreateFunction and UpdateFunctionConfiguration
 * share from in into config.  0 or -1. */
static int apply_config(ts_call *c, const cJSON *in, cJSON *config)
{
    static const char *const strs[] = {"Runtime", "Role", "Handler", "Description",
                                       "KMSKeyArn", NULL};
    static const char *const nums[] = {"Timeout", "MemorySize", NULL};
    static const char *const items[] = {"TracingConfig", "DeadLetterConfig", "VpcConfig",
                                        "EphemeralStorage", "SnapStart", NULL};
    const cJSON *v;

    if ((v = cJSON_GetObjectItemCaseSensitive(in, "Runtime")) && runtime_check(c, v->valuestring))
        return -1;
    if ((v = cJSON_GetObjectItemCaseSensitive(in, "Environment"))) {
        if (env_check(c, v) != 0)
            return -1;
        cJSON *env = cJSON_CreateObject();
        cJSON *vars = cJSON_GetObjectItemCaseSensitive(v, "Variables");
        cJSON_AddItemToObject(env, "Variables",
                              vars ? cJSON_Duplicate(vars, 1) : cJSON_CreateObject());
        cJSON_DeleteItemFromObjectCaseSensitive(config, "Environment");
        cJSON_AddItemToObject(config, "Environment", env);
    }
    for (int i = 0; strs[i]; i++)
        if ((v = cJSON_GetObjectItemCaseSensitive(in, strs[i])))
            set_str(config, strs[i], v->valuestring);
    for (int i = 0; nums[i]; i++)
        if ((v = cJSON_GetObjectItemCaseSensitive(in, nums[i])))
            set_num(config, nums[i], v->valuedouble);
    for (int i = 0; items[i]; i++)
        if ((v = cJSON_GetObjectItemCaseSensitive(in, items[i])))
            set_item(config, items[i], v);
    if ((v = cJSON_GetObjectItemCaseSensitive(in, "LoggingConfig"))) {
        cJSON *lc = cJSON_Duplicate(v, 1);
        if (!lambda_str(lc, "LogFormat"))
            cJSON_AddStringToObject(lc, "LogFormat", "Text");
        if (!lambda_str(lc, "LogGroup"))
            cJSON_AddStringToObject(
                lc, "LogGroup",
                ts_arena_printf(c->req->arena, "/aws/lambda/%s",
                                lambda_str(config, "FunctionName")));
        cJSON_DeleteItemFromObjectCaseSensitive(config, "LoggingConfig");
        cJSON_AddItemToObject(config, "LoggingConfig", lc);
    }
    return 0;
}

static int revision_check(ts_call *c, const cJSON *config)
{
    const char *want = lambda_str(c->in, "RevisionId");
    const char *have = lambda_str(config, "RevisionId");

    if (want && (!have || strcmp(want, have)))
        return ts_resp_error(c->resp, TS_ERR_LAMBDA_PRECONDITION, NULL);
    return 0;
}

/* The answer of a write: the configuration, with the transient state AWS
 * reports right after one. */
static void answer_config(ts_call *c, const cJSON *config, int created)
{
    cJSON_Delete(c->out);
    c->out = cJSON_Duplicate(config, 1);
    if (created) {
        set_str(c->out, "State", "Pending");
        set_str(c->out, "StateReason", "The function is being created.");
        set_str(c->out, "StateReasonCode", "Creating");
    } else {
        set_str(c->out, "LastUpdateStatus", "InProgress");
        set_str(c->out, "LastUpdateStatusReason", "The function is being created.");
        set_str(c->out, "LastUpdateStatusReasonCode", "Creating");
    }
}

static int save_config(ts_call *c, int64_t id, const cJSON *config, int64_t blob)
{
    sqlite3_stmt *st = store_stmt(
        "UPDATE lambda_function SET config = ?2, code_blob = ?3 WHERE id = ?1");
    char *text = cJSON_PrintUnformatted(config);
    int rc;

    sqlite3_bind_int64(st, 1, id);
    store_bind_text(st, 2, text);
    sqlite3_bind_int64(st, 3, blob);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    cJSON_free(text);
    return rc == SQLITE_DONE ? 0 : ts_resp_error(c->resp, TS_ERR_LAMBDA_SERVICE, NULL);
}

/* Publishes f's $LATEST as the next version; f then holds that version. */
static int publish(ts_call *c, lambda_fn *f, const char *description)
{
    cJSON *v;

    if (lambda_version_insert(c, f, description, &v) != 0)
        return -1;
    cJSON_Delete(f->config);
    f->config = v;
    f->next_version++;
    return 0;
}

int lambda_create_function(ts_call *c)
{
    const char *name, *qualifier, *runtime = lambda_str(c->in, "Runtime");
    const char *package = lambda_str(c->in, "PackageType");
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(c->in, "Code");
    const cJSON *v;
    lambda_code pkg;
    lambda_fn f;
    cJSON *config;
    sqlite3_stmt *st;
    char *text, *tags = NULL;
    int64_t blob, id;
    int rc = -1;

    if (lambda_name_parse(c, lambda_str(c->in, "FunctionName"), NULL, &name, &qualifier) != 0)
        return -1;
    if (qualifier)
        return ts_resp_error(c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                             "Unsupported parameter: FunctionName with a qualifier");
    if (package && !strcmp(package, "Image"))
        return ts_resp_error(c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                             "Container images are not supported by tinystack yet: "
                             "use a .zip file archive (PackageType Zip)");
    if (!runtime || !lambda_str(c->in, "Handler"))
        return ts_resp_error(c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                             "Runtime and Handler are mandatory parameters for functions "
                             "created with deployment packages.");
    st = store_stmt("SELECT 1 FROM lambda_function WHERE account = ?1 AND region = ?2"
                    " AND name = ?3");
    store_bind_text(st, 1, c->req->account);
    store_bind_text(st, 2, c->req->region);
    store_bind_text(st, 3, name);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_LAMBDA_CONFLICT,
                              "Function already exist: %s", name);

    config = cJSON_CreateObject();
    cJSON_AddStringToObject(config, "FunctionName", name);
    cJSON_AddStringToObject(config, "FunctionArn", lambda_arn(c, name));
    cJSON_AddNumberToObject(config, "Timeout", 3);
    cJSON_AddNumberToObject(config, "MemorySize", 128);
    cJSON_AddStringToObject(config, "Description", "");
    cJSON_AddStringToObject(config, "Version", "$LATEST");
    cJSON_AddItemToObject(config, "TracingConfig",
                          cJSON_Parse("{\"Mode\":\"PassThrough\"}"));
    cJSON_AddStringToObject(config, "State", "Active");
    cJSON_AddStringToObject(config, "LastUpdateStatus", "Successful");
    cJSON_AddStringToObject(config, "PackageType", "Zip");
    cJSON_AddItemToObject(config, "EphemeralStorage", cJSON_Parse("{\"Size\":512}"));
    cJSON_AddItemToObject(config, "SnapStart",
                          cJSON_Parse("{\"ApplyOn\":\"None\",\"OptimizationStatus\":\"Off\"}"));
    cJSON_AddItemToObject(
        config, "LoggingConfig",
        cJSON_Parse(ts_arena_printf(c->req->arena,
                                    "{\"LogFormat\":\"Text\",\"LogGroup\":\"/aws/lambda/%s\"}",
                                    name)));
    if ((v = cJSON_GetObjectItemCaseSensitive(c->in, "Architectures")))
        cJSON_AddItemToObject(config, "Architectures", cJSON_Duplicate(v, 1));
    else
        cJSON_AddItemToObject(config, "Architectures", cJSON_Parse("[\"x86_64\"]"));
    if (apply_config(c, c->in, config) != 0)
        goto out_config;
    if (!code) {
        ts_resp_error(c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                      "Please provide a source for function code.");
        goto out_config;
    }
    if (lambda_code_read(c, code, &pkg) != 0)
        goto out_config;
    cJSON_AddNumberToObject(config, "CodeSize", (double)pkg.len);
    cJSON_AddStringToObject(config, "CodeSha256", pkg.sha256);
    stamp(config);
    blob = lambda_code_store(&pkg);
    lambda_code_free(&pkg);
    if (blob < 0) {
        ts_resp_error(c->resp, TS_ERR_LAMBDA_SERVICE, NULL);
        goto out_config;
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(c->in, "Tags")) && cJSON_GetArraySize(v) > 0)
        tags = cJSON_PrintUnformatted(v);
    text = cJSON_PrintUnformatted(config);
    st = store_stmt("INSERT INTO lambda_function(account, region, name, config, code_blob,"
                    " tags) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    store_bind_text(st, 1, c->req->account);
    store_bind_text(st, 2, c->req->region);
    store_bind_text(st, 3, name);
    store_bind_text(st, 4, text);
    sqlite3_bind_int64(st, 5, blob);
    store_bind_text(st, 6, tags);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    cJSON_free(text);
    cJSON_free(tags);
    if (rc != SQLITE_DONE) {
        rc = ts_resp_error(c->resp, TS_ERR_LAMBDA_SERVICE, NULL);
        goto out_config;
    }
    id = sqlite3_last_insert_rowid(store_db());
    rc = 0;
    v = cJSON_GetObjectItemCaseSensitive(c->in, "Publish");
    if (cJSON_IsTrue(v)) {
        memset(&f, 0, sizeof f);
        f.id = id;
        f.name = name;
        f.config = config;
        f.code_blob = blob;
        f.next_version = 1;
        rc = publish(c, &f, NULL);
        config = f.config;
    }
    if (rc == 0) {
        answer_config(c, config, 1);
        c->resp->status = 201;
        lambda_runtime_prewarm(runtime);
    }
out_config:
    cJSON_Delete(config);
    return rc == 0 && c->resp->err == TS_ERR_NONE ? 0 : -1;
}

/* FunctionName and Qualifier of a read or write on one function. */
static int target(ts_call *c, const char **name, const char **qualifier)
{
    return lambda_name_parse(c, lambda_str(c->in, "FunctionName"),
                             lambda_str(c->in, "Qualifier"), name, qualifier);
}

int lambda_get_function_configuration(ts_call *c)
{
    const char *name, *qualifier;
    lambda_fn f;

    if (target(c, &name, &qualifier) != 0 ||
        lambda_fn_load_qualified(c, name, qualifier, &f) != 0)
        return -1;
    cJSON_Delete(c->out);
    c->out = lambda_config_out(&f);
    lambda_fn_free(&f);
    return 0;
}

int lambda_get_function(ts_call *c)
{
    const char *name, *qualifier;
    cJSON *code;
    lambda_fn f;

    if (target(c, &name, &qualifier) != 0 ||
        lambda_fn_load_qualified(c, name, qualifier, &f) != 0)
        return -1;
    cJSON_AddItemToObject(c->out, "Configuration", lambda_config_out(&f));
    code = cJSON_AddObjectToObject(c->out, "Code");
    cJSON_AddStringToObject(code, "RepositoryType", "S3");
    cJSON_AddStringToObject(
        code, "Location",
        ts_arena_printf(c->req->arena, "http://%s/_tinystack/lambda/code/%lld.zip",
                        ts_public_host(c->req->arena, strcmp(ts_cfg.host, "0.0.0.0")
                                                          ? ts_cfg.host : "localhost"),
                        (long long)f.code_blob));
    if (f.tags)
        cJSON_AddItemToObject(c->out, "Tags", cJSON_Parse(f.tags));
    if (f.concurrency >= 0)
        cJSON_AddNumberToObject(cJSON_AddObjectToObject(c->out, "Concurrency"),
                                "ReservedConcurrentExecutions", (double)f.concurrency);
    lambda_fn_free(&f);
    return 0;
}

int lambda_list_functions(ts_call *c)
{
    const char *marker = lambda_str(c->in, "Marker");
    int limit = lambda_page_size(c);
    cJSON *list = cJSON_AddArrayToObject(c->out, "Functions");
    sqlite3_stmt *st = store_stmt(
        "SELECT name, config FROM lambda_function WHERE account = ?1 AND region = ?2"
        " AND name > ?3 ORDER BY name LIMIT ?4");

    store_bind_text(st, 1, c->req->account);
    store_bind_text(st, 2, c->req->region);
    store_bind_text(st, 3, marker ? marker : "");
    sqlite3_bind_int(st, 4, limit + 1);
    lambda_page_rows(c, st, list, limit, 0, NULL);
    return 0;
}

int lambda_update_function_configuration(ts_call *c)
{
    const char *name, *qualifier;
    lambda_fn f;
    int rc = -1;

    if (target(c, &name, &qualifier) != 0 || lambda_fn_load(c, name, &f) != 0)
        return -1;
    if (revision_check(c, f.config) != 0 || apply_config(c, c->in, f.config) != 0)
        goto out;
    stamp(f.config);
    if (save_config(c, f.id, f.config, f.code_blob) != 0)
        goto out;
    answer_config(c, f.config, 0);
    lambda_runtime_retire(lambda_arn(c, name));
    rc = 0;
out:
    lambda_fn_free(&f);
    return rc;
}

int lambda_update_function_code(ts_call *c)
{
    const char *name, *qualifier;
    lambda_code pkg;
    lambda_fn f;
    int64_t blob;
    int rc = -1;

    if (target(c, &name, &qualifier) != 0 || lambda_fn_load(c, name, &f) != 0)
        return -1;
    if (revision_check(c, f.config) != 0 || lambda_code_read(c, c->in, &pkg) != 0)
        goto out;
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c->in, "DryRun"))) {
        lambda_code_free(&pkg);
        answer_config(c, f.config, 0);
        rc = 0;
        goto out;
    }
    blob = lambda_code_store(&pkg);
    set_num(f.config, "CodeSize", (double)pkg.len);
    set_str(f.config, "CodeSha256", pkg.sha256);
    lambda_code_free(&pkg);
    if (blob < 0) {
        ts_resp_error(c->resp, TS_ERR_LAMBDA_SERVICE, NULL);
        goto out;
    }
    store_blob_ref(f.code_blob, -1);
    f.code_blob = blob;
    stamp(f.config);
    if (save_config(c, f.id, f.config, blob) != 0)
        goto out;
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c->in, "Publish")) &&
        publish(c, &f, NULL) != 0)
        goto out;
    answer_config(c, f.config, 0);
    lambda_runtime_retire(lambda_arn(c, name));
    rc = 0;
out:
    lambda_fn_free(&f);
    return rc;
}

int lambda_delete_function(ts_call *c)
{
    const char *name, *qualifier;
    sqlite3_stmt *st;
    lambda_fn f;

    if (target(c, &name, &qualifier) != 0 || lambda_fn_load(c, name, &f) != 0)
        return -1;
    if (qualifier && !strcmp(qualifier, "$LATEST")) {
        lambda_fn_free(&f);
        return ts_resp_error(c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                             "$LATEST version cannot be deleted without deleting the "
                             "function.");
    }
    if (qualifier) {
        int64_t blob = -1;
        st = store_stmt("DELETE FROM lambda_version WHERE function_id = ?1 AND version = ?2"
                        " RETURNING code_blob");
        sqlite3_bind_int64(st, 1, f.id);
        sqlite3_bind_int64(st, 2, strtoll(qualifier, NULL, 10));
        if (sqlite3_step(st) == SQLITE_ROW)
            blob = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        lambda_fn_free(&f);
        if (blob < 0)
            return ts_resp_errorf(c->req, c->resp, TS_ERR_LAMBDA_NOT_FOUND,
                                  "Function not found: %s:%s", lambda_arn(c, name), qualifier);
        store_blob_ref(blob, -1);
        c->resp->status = 204;
        cJSON_Delete(c->out);
        c->out = NULL;
        return 0;
    }
    st = store_stmt("SELECT code_blob FROM lambda_version WHERE function_id = ?1");
    sqlite3_bind_int64(st, 1, f.id);
    while (sqlite3_step(st) == SQLITE_ROW)
        store_blob_ref(sqlite3_column_int64(st, 0), -1);
    sqlite3_reset(st);
    st = store_stmt("DELETE FROM lambda_version WHERE function_id = ?1");
    sqlite3_bind_int64(st, 1, f.id);
    sqlite3_step(st);
    sqlite3_reset(st);
    st = store_stmt("DELETE FROM lambda_alias WHERE function_id = ?1");
    sqlite3_bind_int64(st, 1, f.id);
    sqlite3_step(st);
    sqlite3_reset(st);
    st = store_stmt("DELETE FROM lambda_function WHERE id = ?1");
    sqlite3_bind_int64(st, 1, f.id);
    sqlite3_step(st);
    sqlite3_reset(st);
    store_blob_ref(f.code_blob, -1);
    lambda_fn_free(&f);
    lambda_runtime_retire(lambda_arn(c, name));
    c->resp->status = 204;
    cJSON_Delete(c->out);
    c->out = NULL;
    return 0;
}
