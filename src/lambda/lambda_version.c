/*
 * lambda_version.c - published versions and aliases.  A version is a row
 * of lambda_version: a copy of $LATEST's configuration when it was
 * published (its Version and qualified FunctionArn set, its RevisionId the
 * one $LATEST had then) sharing $LATEST's code blob.  So "nothing changed
 * since the last version" is "the last version carries $LATEST's
 * RevisionId", and PublishVersion then answers that version, as AWS does.
 *
 * An alias is a row of lambda_alias whose config is the AliasConfiguration
 * the API answers (AliasArn, Name, FunctionVersion, Description,
 * RoutingConfig, RevisionId); lambda_fn_load_qualified resolves an
 * invoke through its FunctionVersion.  Aliases name versions that exist,
 * and a version an alias names cannot be deleted.
 */
#include "lambda_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinystack/store.h"

#define ALIAS_PATTERN "(?!^[0-9]+$)([a-zA-Z0-9-_]+)"

static const char *qualified_arn(ts_call *c, const char *name, const char *qualifier)
{
    return ts_arena_printf(c->req->arena, "%s:%s", lambda_arn(c, name), qualifier);
}

static void answer(ts_call *c, cJSON *out, int status)
{
    cJSON_Delete(c->out);
    c->out = out;
    c->resp->status = status;
}

static void answer_empty(ts_call *c)
{
    cJSON_Delete(c->out);
    c->out = NULL;
    c->resp->status = 204;
}

int lambda_qualifier_exists(int64_t function_id, const char *qualifier)
{
    sqlite3_stmt *st;
    int found;

    if (!strcmp(qualifier, "$LATEST"))
        return 1;
    if (lambda_is_version(qualifier)) {
        st = store_stmt("SELECT 1 FROM lambda_version WHERE function_id = ?1 AND version = ?2");
        sqlite3_bind_int64(st, 1, function_id);
        sqlite3_bind_int64(st, 2, strtoll(qualifier, NULL, 10));
    } else {
        st = store_stmt("SELECT 1 FROM lambda_alias WHERE function_id = ?1 AND name = ?2");
        sqlite3_bind_int64(st, 1, function_id);
        store_bind_text(st, 2, qualifier);
    }
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return found;
}

/* 0 when version ("$LATEST" or a number) of f exists, else -1 with
 * ResourceNotFoundException as AWS words it. */
static int version_check(ts_call *c, const lambda_fn *f, const char *version)
{
    if (!strcmp(version, "$LATEST") ||
        (lambda_is_version(version) && lambda_qualifier_exists(f->id, version)))
        return 0;
    return ts_resp_errorf(c->req, c->resp, TS_ERR_LAMBDA_NOT_FOUND, "Function not found: %s",
                          qualified_arn(c, f->name, version));
}

/* ---- versions ---- */

/* The configuration of version n of f, or NULL; the caller owns it. */
static cJSON *version_load(int64_t function_id, int64_t n)
{
    sqlite3_stmt *st = store_stmt("SELECT config FROM lambda_version"
                                  " WHERE function_id = ?1 AND version = ?2");
    cJSON *v = NULL;

    sqlite3_bind_int64(st, 1, function_id);
    sqlite3_bind_int64(st, 2, n);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return v;
}

/* Publishes f's $LATEST as version f->next_version, its description
 * replaced when description is not NULL; the new version's configuration
 * into *out (the caller owns it).  0 or -1 with the error set. */
int lambda_version_insert(ts_call *c, lambda_fn *f, const char *description, cJSON **out)
{
    cJSON *v = cJSON_Duplicate(f->config, 1);
    char num[24], *text;
    sqlite3_stmt *st;
    int rc;

    snprintf(num, sizeof num, "%lld", (long long)f->next_version);
    lambda_set_str(v, "Version", num);
    lambda_set_str(v, "FunctionArn", qualified_arn(c, f->name, num));
    if (description)
        lambda_set_str(v, "Description", description);
    text = cJSON_PrintUnformatted(v);
    st = store_stmt("INSERT INTO lambda_version(function_id, version, config, code_blob)"
                    " VALUES (?1, ?2, ?3, ?4)");
    sqlite3_bind_int64(st, 1, f->id);
    sqlite3_bind_int64(st, 2, f->next_version);
    store_bind_text(st, 3, text);
    sqlite3_bind_int64(st, 4, f->code_blob);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    cJSON_free(text);
    if (rc == SQLITE_DONE) {
        st = store_stmt("UPDATE lambda_function SET next_version = next_version + 1"
                        " WHERE id = ?1");
        sqlite3_bind_int64(st, 1, f->id);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
    }
    if (rc != SQLITE_DONE || store_blob_ref(f->code_blob, 1) != 0) {
        cJSON_Delete(v);
        return ts_resp_error(c->resp, TS_ERR_LAMBDA_SERVICE, NULL);
    }
    *out = v;
    return 0;
}

int lambda_publish_version(ts_call *c)
{
    const char *name, *want_sha = lambda_str(c->in, "CodeSha256");
    const char *want_rev = lambda_str(c->in, "RevisionId");
    const char *sha, *rev;
    cJSON *v = NULL;
    lambda_fn f;
    int rc = -1;

    if (lambda_unqualified(c, "FunctionName", &name) != 0 || lambda_fn_load(c, name, &f) != 0)
        return -1;
    sha = lambda_str(f.config, "CodeSha256");
    rev = lambda_str(f.config, "RevisionId");
    if (want_rev && (!rev || strcmp(want_rev, rev))) {
        ts_resp_error(c->resp, TS_ERR_LAMBDA_PRECONDITION, NULL);
        goto out;
    }
    if (want_sha && (!sha || strcmp(want_sha, sha))) {
        ts_resp_errorf(c->req, c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                       "CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST (%s). "
                       "Please try again with the CodeSHA256 in $LATEST.",
                       want_sha, sha ? sha : "");
        goto out;
    }
    /* Nothing changed since the last version: that version is the answer. */
    if (f.next_version > 1 && (v = version_load(f.id, f.next_version - 1))) {
        const char *last_rev = lambda_str(v, "RevisionId");
        if (rev && last_rev && !strcmp(rev, last_rev)) {
            answer(c, v, 201);
            rc = 0;
            goto out;
        }
        cJSON_Delete(v);
    }
    if (lambda_version_insert(c, &f, lambda_str(c->in, "Description"), &v) != 0)
        goto out;
    /* As AWS answers a new version: being created, Active on the next read. */
    lambda_set_str(v, "State", "Pending");
    lambda_set_str(v, "StateReason", "The function is being created.");
    lambda_set_str(v, "StateReasonCode", "Creating");
    answer(c, v, 201);
    rc = 0;
out:
    lambda_fn_free(&f);
    return rc;
}

int lambda_list_versions(ts_call *c)
{
    const char *name, *qualifier, *marker = lambda_str(c->in, "Marker");
    int limit = lambda_page_size(c), n = 0;
    int64_t after = 0;
    const char *last = NULL;
    sqlite3_stmt *st;
    cJSON *list;
    lambda_fn f;

    if (lambda_name_parse(c, lambda_str(c->in, "FunctionName"), NULL, &name, &qualifier) != 0 ||
        lambda_fn_load(c, name, &f) != 0)
        return -1;
    list = cJSON_AddArrayToObject(c->out, "Versions");
    /* The marker is the Version of the last item answered; $LATEST comes
     * first. */
    if (!marker) {
        cJSON *latest = lambda_config_out(&f);
        lambda_set_str(latest, "FunctionArn", qualified_arn(c, name, "$LATEST"));
        cJSON_AddItemToArray(list, latest);
        last = "$LATEST";
        n = 1;
    } else if (lambda_is_version(marker)) {
        after = strtoll(marker, NULL, 10);
    }
    st = store_stmt("SELECT version, config FROM lambda_version WHERE function_id = ?1"
                    " AND version > ?2 ORDER BY version LIMIT ?3");
    sqlite3_bind_int64(st, 1, f.id);
    sqlite3_bind_int64(st, 2, after);
    sqlite3_bind_int(st, 3, limit + 1);
    lambda_page_rows(c, st, list, limit, n, last);
    lambda_fn_free(&f);
    return 0;
}

/* ---- aliases ---- */

/* Alias names follow (?!^[0-9]+$)([a-zA-Z0-9-_]+), which the model's
 * POSIX patterns cannot say: a name that looks like a version is not one. */
static int alias_name_check(ts_call *c, const char *alias)
{
    int digits = 1;

    for (const char *p = alias; *p; p++) {
        if ((*p < 'a' || *p > 'z') && (*p < 'A' || *p > 'Z') && (*p < '0' || *p > '9') &&
            *p != '-' && *p != '_')
            goto bad;
        digits &= *p >= '0' && *p <= '9';
    }
    if (*alias && !digits)
        return 0;
bad:
    return ts_resp_errorf(c->req, c->resp, TS_ERR_VALIDATION,
                          "1 validation error detected: Value '%s' at 'name' failed to satisfy "
                          "constraint: Member must satisfy regular expression pattern: "
                          ALIAS_PATTERN, alias);
}

/* Names the function and the alias of an alias operation and loads the
 * function into f.  0 or -1 with the error set. */
static int alias_target(ts_call *c, lambda_fn *f, const char **alias)
{
    const char *name;

    *alias = lambda_str(c->in, "Name");
    if (alias_name_check(c, *alias ? *alias : "") != 0 ||
        lambda_unqualified(c, "FunctionName", &name) != 0)
        return -1;
    return lambda_fn_load(c, name, f);
}

cJSON *lambda_alias_load(int64_t function_id, const char *alias)
{
    sqlite3_stmt *st = store_stmt("SELECT config FROM lambda_alias"
                                  " WHERE function_id = ?1 AND name = ?2");
    cJSON *a = NULL;

    sqlite3_bind_int64(st, 1, function_id);
    store_bind_text(st, 2, alias);
    if (sqlite3_step(st) == SQLITE_ROW)
        a = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return a;
}

static int alias_save(ts_call *c, int64_t function_id, const cJSON *a)
{
    sqlite3_stmt *st = store_stmt("INSERT OR REPLACE INTO lambda_alias(function_id, name,"
                                  " config) VALUES (?1, ?2, ?3)");
    char *text = cJSON_PrintUnformatted(a);
    int rc;

    sqlite3_bind_int64(st, 1, function_id);
    store_bind_text(st, 2, lambda_str(a, "Name"));
    store_bind_text(st, 3, text);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    cJSON_free(text);
    return rc == SQLITE_DONE ? 0 : ts_resp_error(c->resp, TS_ERR_LAMBDA_SERVICE, NULL);
}

/* Checks RoutingConfig against the version the alias points at: one
 * other published version that exists, weighted 0-1 (the model checks the
 * range).  0 or -1 with the error set. */
static int routing_check(ts_call *c, const lambda_fn *f, const char *version,
                         const cJSON *weights)
{
    const cJSON *w;

    if (cJSON_GetArraySize(weights) > 1)
        return ts_resp_error(c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                             "Number of items in AdditionalVersionWeights cannot be greater "
                             "than 1");
    cJSON_ArrayForEach(w, weights) {
        if (!strcmp(w->string, version))
            return ts_resp_errorf(c->req, c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                                  "Invalid function version %s. Function version %s is "
                                  "already included in routing configuration.",
                                  version, version);
        if (!strcmp(version, "$LATEST"))
            return ts_resp_error(c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                                 "$LATEST is not supported for an alias pointing to more than "
                                 "1 version");
        if (version_check(c, f, w->string) != 0)
            return -1;
    }
    return 0;
}

/* Sets the RoutingConfig of alias a from the request's, when it has one:
 * weights replace the old ones; none left means no RoutingConfig. */
static void routing_set(cJSON *a, const cJSON *routing)
{
    const cJSON *weights = cJSON_GetObjectItemCaseSensitive(routing, "AdditionalVersionWeights");

    cJSON_DeleteItemFromObjectCaseSensitive(a, "RoutingConfig");
    if (cJSON_GetArraySize(weights) > 0)
        cJSON_AddItemToObject(cJSON_AddObjectToObject(a, "RoutingConfig"),
                              "AdditionalVersionWeights", cJSON_Duplicate(weights, 1));
}

static const cJSON *weights_of(const cJSON *a)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(a, "RoutingConfig"),
                                            "AdditionalVersionWeights");
}

static void alias_stamp(cJSON *a)
{
    char rev[40];

    ts_uuid_v4(rev);
    lambda_set_str(a, "RevisionId", rev);
}

int lambda_create_alias(ts_call *c)
{
    const char *alias, *version = lambda_str(c->in, "FunctionVersion");
    const char *description = lambda_str(c->in, "Description");
    const cJSON *routing = cJSON_GetObjectItemCaseSensitive(c->in, "RoutingConfig");
    cJSON *a;
    lambda_fn f;
    int rc = -1;

    if (alias_target(c, &f, &alias) != 0)
        return -1;
    if (version_check(c, &f, version) != 0)
        goto out;
    if ((a = lambda_alias_load(f.id, alias))) {
        cJSON_Delete(a);
        ts_resp_errorf(c->req, c->resp, TS_ERR_LAMBDA_CONFLICT, "Alias already exists: %s",
                       qualified_arn(c, f.name, alias));
        goto out;
    }
    if (routing_check(c, &f, version,
                      cJSON_GetObjectItemCaseSensitive(routing, "AdditionalVersionWeights")) != 0)
        goto out;
    a = cJSON_CreateObject();
    cJSON_AddStringToObject(a, "AliasArn", qualified_arn(c, f.name, alias));
    cJSON_AddStringToObject(a, "Name", alias);
    cJSON_AddStringToObject(a, "FunctionVersion", version);
    cJSON_AddStringToObject(a, "Description", description ? description : "");
    routing_set(a, routing);
    alias_stamp(a);
    if (alias_save(c, f.id, a) != 0) {
        cJSON_Delete(a);
        goto out;
    }
    answer(c, a, 201);
    rc = 0;
out:
    lambda_fn_free(&f);
    return rc;
}

int lambda_get_alias(ts_call *c)
{
    const char *alias;
    cJSON *a;
    lambda_fn f;

    if (alias_target(c, &f, &alias) != 0)
        return -1;
    a = lambda_alias_load(f.id, alias);
    lambda_fn_free(&f);
    if (!a)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_LAMBDA_NOT_FOUND,
                              "Cannot find alias arn: %s", qualified_arn(c, f.name, alias));
    answer(c, a, 200);
    return 0;
}

int lambda_update_alias(ts_call *c)
{
    const char *alias, *version = lambda_str(c->in, "FunctionVersion");
    const char *description = lambda_str(c->in, "Description");
    const char *want_rev = lambda_str(c->in, "RevisionId");
    const cJSON *routing = cJSON_GetObjectItemCaseSensitive(c->in, "RoutingConfig");
    const cJSON *weights;
    cJSON *a;
    lambda_fn f;
    int rc = -1;

    if (alias_target(c, &f, &alias) != 0)
        return -1;
    if (!(a = lambda_alias_load(f.id, alias))) {
        ts_resp_errorf(c->req, c->resp, TS_ERR_LAMBDA_NOT_FOUND, "Alias not found: %s",
                       qualified_arn(c, f.name, alias));
        goto out;
    }
    if (want_rev && (!lambda_str(a, "RevisionId") || strcmp(want_rev, lambda_str(a, "RevisionId")))) {
        ts_resp_error(c->resp, TS_ERR_LAMBDA_PRECONDITION, NULL);
        goto out;
    }
    if (version) {
        if (version_check(c, &f, version) != 0)
            goto out;
        lambda_set_str(a, "FunctionVersion", version);
    }
    if (description)
        lambda_set_str(a, "Description", description);
    if (routing)
        routing_set(a, routing);
    /* The weights that stay must still fit the version they go with. */
    weights = weights_of(a);
    if (weights && routing_check(c, &f, lambda_str(a, "FunctionVersion"), weights) != 0)
        goto out;
    alias_stamp(a);
    if (alias_save(c, f.id, a) != 0)
        goto out;
    answer(c, a, 200);
    a = NULL;
    rc = 0;
out:
    cJSON_Delete(a);
    lambda_fn_free(&f);
    return rc;
}

/* Deleting an alias that is not there succeeds, as on AWS. */
int lambda_delete_alias(ts_call *c)
{
    const char *alias;
    sqlite3_stmt *st;
    lambda_fn f;
    int rc;

    if (alias_target(c, &f, &alias) != 0)
        return -1;
    st = store_stmt("DELETE FROM lambda_alias WHERE function_id = ?1 AND name = ?2");
    sqlite3_bind_int64(st, 1, f.id);
    store_bind_text(st, 2, alias);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE && sqlite3_changes(store_db()) > 0)
        lambda_event_config_drop(f.id, alias);
    lambda_fn_free(&f);
    if (rc != SQLITE_DONE)
        return ts_resp_error(c->resp, TS_ERR_LAMBDA_SERVICE, NULL);
    answer_empty(c);
    return 0;
}

int lambda_list_aliases(ts_call *c)
{
    const char *name, *marker = lambda_str(c->in, "Marker");
    const char *version = lambda_str(c->in, "FunctionVersion");
    int limit = lambda_page_size(c), n = 0;
    const char *last = NULL;
    sqlite3_stmt *st;
    cJSON *list;
    lambda_fn f;

    if (lambda_unqualified(c, "FunctionName", &name) != 0 || lambda_fn_load(c, name, &f) != 0)
        return -1;
    list = cJSON_AddArrayToObject(c->out, "Aliases");
    /* The marker is the name of the last alias answered. */
    st = store_stmt("SELECT name, config FROM lambda_alias WHERE function_id = ?1"
                    " AND name > ?2 ORDER BY name");
    sqlite3_bind_int64(st, 1, f.id);
    store_bind_text(st, 2, marker ? marker : "");
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *a = cJSON_Parse((const char *)sqlite3_column_text(st, 1));
        const char *points = lambda_str(a, "FunctionVersion");
        if (version && (!points || strcmp(points, version))) {
            cJSON_Delete(a);
            continue;
        }
        if (n++ == limit) {
            cJSON_Delete(a);
            cJSON_AddStringToObject(c->out, "NextMarker", last);
            break;
        }
        last = store_col_text(c->req->arena, st, 0);
        cJSON_AddItemToArray(list, a);
    }
    sqlite3_reset(st);
    lambda_fn_free(&f);
    return 0;
}

/* ---- DeleteFunction's checks ---- */

/* The aliases of function id that route to version, "[a, b]" (arena), or
 * NULL when none does. */
static const char *aliases_using(ts_call *c, int64_t function_id, const char *version)
{
    sqlite3_stmt *st = store_stmt("SELECT name, config FROM lambda_alias"
                                  " WHERE function_id = ?1 ORDER BY name");
    ts_buf names;
    const char *out = NULL;

    ts_buf_init(&names);
    sqlite3_bind_int64(st, 1, function_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *a = cJSON_Parse((const char *)sqlite3_column_text(st, 1));
        const char *points = lambda_str(a, "FunctionVersion");
        if ((points && !strcmp(points, version)) ||
            cJSON_GetObjectItemCaseSensitive(weights_of(a), version)) {
            ts_buf_puts(&names, names.len ? ", " : "[");
            ts_buf_puts(&names, (const char *)sqlite3_column_text(st, 0));
        }
        cJSON_Delete(a);
    }
    sqlite3_reset(st);
    if (names.len) {
        ts_buf_putc(&names, ']');
        out = ts_arena_strndup(c->req->arena, names.data, names.len);
    }
    ts_buf_free(&names);
    return out;
}

int lambda_delete_function_checked(ts_call *c)
{
    const char *name, *qualifier, *users;
    int64_t id;
    lambda_fn f;

    if (lambda_name_parse(c, lambda_str(c->in, "FunctionName"), lambda_str(c->in, "Qualifier"),
                          &name, &qualifier) != 0 ||
        lambda_fn_load(c, name, &f) != 0)
        return -1;
    id = f.id;
    lambda_fn_free(&f);
    if (qualifier && strcmp(qualifier, "$LATEST")) {
        if (!lambda_is_version(qualifier))
            return ts_resp_error(c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                                 "Deletion of aliases is not supported.");
        if ((users = aliases_using(c, id, qualifier)))
            return ts_resp_errorf(c->req, c->resp, TS_ERR_LAMBDA_CONFLICT,
                                  "Unable to delete version because the following aliases "
                                  "reference it: %s", users);
    }
    if (lambda_delete_function(c) != 0)
        return -1;
    lambda_event_config_drop(id, qualifier);
    return 0;
}
