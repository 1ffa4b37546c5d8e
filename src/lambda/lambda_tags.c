/*
 * lambda_tags.c - what belongs to a function rather than to one of its
 * versions: its tags (TagResource, UntagResource, ListTags; a JSON object
 * in lambda_function.tags, NULL when empty) and its reserved concurrency
 * (Put/Get/DeleteFunctionConcurrency; lambda_function.concurrency, NULL
 * when none).  The runtime reads the concurrency as the most environments
 * the function may run at once, and throttles every invoke when it is 0.
 * Reservations leave the region at least LAMBDA_UNRESERVED_MIN of its
 * LAMBDA_ACCOUNT_CONCURRENCY, as AWS's do.
 */
#include "lambda_int.h"

#include <stdio.h>
#include <string.h>

#include "tinystack/store.h"

#define TAGS_MAX 50

/* ---- tags ---- */

/* The function a Resource ARN names, loaded into f; tags belong to the
 * function, so a version's or an alias's ARN is refused as AWS refuses it. */
static int tag_target(ts_call *c, lambda_fn *f)
{
    const char *name, *qualifier;

    if (lambda_name_parse(c, lambda_str(c->in, "Resource"), NULL, &name, &qualifier) != 0)
        return -1;
    if (qualifier)
        return ts_resp_error(c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                             "Tagging operations are permitted on Lambda functions only. Tags "
                             "on aliases and versions are not supported. Please specify either "
                             "a function name or a function ARN.");
    return lambda_fn_load(c, name, f);
}

static cJSON *tags_of(const lambda_fn *f)
{
    cJSON *tags = f->tags ? cJSON_Parse(f->tags) : NULL;

    if (!cJSON_IsObject(tags)) {
        cJSON_Delete(tags);
        tags = cJSON_CreateObject();
    }
    return tags;
}

static int tags_save(ts_call *c, int64_t id, const cJSON *tags)
{
    sqlite3_stmt *st;
    char *text;
    int rc;

    if (cJSON_GetArraySize(tags) > TAGS_MAX)
        return ts_resp_error(c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                             "Number of tags exceeds function tag limit.");
    st = store_stmt("UPDATE lambda_function SET tags = ?2 WHERE id = ?1");
    text = cJSON_GetArraySize(tags) ? cJSON_PrintUnformatted(tags) : NULL;
    sqlite3_bind_int64(st, 1, id);
    store_bind_text(st, 2, text);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    cJSON_free(text);
    return rc == SQLITE_DONE ? 0 : ts_resp_error(c->resp, TS_ERR_LAMBDA_SERVICE, NULL);
}

static void answer_empty(ts_call *c)
{
    cJSON_Delete(c->out);
    c->out = NULL;
    c->resp->status = 204;
}

int lambda_tag_resource(ts_call *c)
{
    const cJSON *add = cJSON_GetObjectItemCaseSensitive(c->in, "Tags"), *t;
    cJSON *tags;
    lambda_fn f;
    int rc;

    if (tag_target(c, &f) != 0)
        return -1;
    if (cJSON_GetArraySize(add) == 0) {
        lambda_fn_free(&f);
        return ts_resp_error(c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                             "An error occurred and the request cannot be processed.");
    }
    tags = tags_of(&f);
    cJSON_ArrayForEach(t, add) {
        cJSON_DeleteItemFromObjectCaseSensitive(tags, t->string);
        cJSON_AddItemToObject(tags, t->string, cJSON_Duplicate(t, 1));
    }
    rc = tags_save(c, f.id, tags);
    cJSON_Delete(tags);
    lambda_fn_free(&f);
    if (rc == 0)
        answer_empty(c);
    return rc;
}

/* The model binds a repeated query argument as its first value only, so
 * every tagKeys comes from the query itself. */
int lambda_untag_resource(ts_call *c)
{
    cJSON *tags;
    lambda_fn f;
    int rc;

    if (tag_target(c, &f) != 0)
        return -1;
    tags = tags_of(&f);
    for (const ts_kv *q = c->req->query; q; q = q->next)
        if (!strcmp(q->name, "tagKeys"))
            cJSON_DeleteItemFromObjectCaseSensitive(tags, q->value);
    rc = tags_save(c, f.id, tags);
    cJSON_Delete(tags);
    lambda_fn_free(&f);
    if (rc == 0)
        answer_empty(c);
    return rc;
}

int lambda_list_tags(ts_call *c)
{
    lambda_fn f;

    if (tag_target(c, &f) != 0)
        return -1;
    cJSON_AddItemToObject(c->out, "Tags", tags_of(&f));
    lambda_fn_free(&f);
    return 0;
}

/* ---- reserved concurrency ---- */

static int concurrency_save(ts_call *c, int64_t id, int64_t n)
{
    sqlite3_stmt *st = store_stmt("UPDATE lambda_function SET concurrency = ?2 WHERE id = ?1");
    int rc;

    sqlite3_bind_int64(st, 1, id);
    if (n < 0)
        sqlite3_bind_null(st, 2);
    else
        sqlite3_bind_int64(st, 2, n);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : ts_resp_error(c->resp, TS_ERR_LAMBDA_SERVICE, NULL);
}

/* What the other functions of the region have reserved. */
static int64_t reserved_elsewhere(ts_call *c, int64_t id)
{
    sqlite3_stmt *st = store_stmt("SELECT coalesce(sum(concurrency), 0) FROM lambda_function"
                                  " WHERE account = ?1 AND region = ?2 AND id != ?3");
    int64_t sum = 0;

    store_bind_text(st, 1, c->req->account);
    store_bind_text(st, 2, c->req->region);
    sqlite3_bind_int64(st, 3, id);
    if (sqlite3_step(st) == SQLITE_ROW)
        sum = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return sum;
}

int lambda_put_concurrency(ts_call *c)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->in, "ReservedConcurrentExecutions");
    int64_t n = cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
    const char *name;
    lambda_fn f;
    int rc = -1;

    if (lambda_unqualified(c, "FunctionName", &name) != 0 || lambda_fn_load(c, name, &f) != 0)
        return -1;
    if (LAMBDA_ACCOUNT_CONCURRENCY - reserved_elsewhere(c, f.id) - n < LAMBDA_UNRESERVED_MIN) {
        ts_resp_errorf(c->req, c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                       "Specified ReservedConcurrentExecutions for function decreases "
                       "account's UnreservedConcurrentExecution below its minimum value of "
                       "[%d].", LAMBDA_UNRESERVED_MIN);
        goto out;
    }
    if (concurrency_save(c, f.id, n) != 0)
        goto out;
    cJSON_AddNumberToObject(c->out, "ReservedConcurrentExecutions", (double)n);
    rc = 0;
out:
    lambda_fn_free(&f);
    return rc;
}

int lambda_get_concurrency(ts_call *c)
{
    const char *name;
    lambda_fn f;

    if (lambda_unqualified(c, "FunctionName", &name) != 0 || lambda_fn_load(c, name, &f) != 0)
        return -1;
    if (f.concurrency >= 0)
        cJSON_AddNumberToObject(c->out, "ReservedConcurrentExecutions", (double)f.concurrency);
    lambda_fn_free(&f);
    return 0;
}

int lambda_delete_concurrency(ts_call *c)
{
    const char *name;
    lambda_fn f;
    int rc;

    if (lambda_unqualified(c, "FunctionName", &name) != 0 || lambda_fn_load(c, name, &f) != 0)
        return -1;
    rc = concurrency_save(c, f.id, -1);
    lambda_fn_free(&f);
    if (rc == 0)
        answer_empty(c);
    return rc;
}
