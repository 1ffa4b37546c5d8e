/*
 * lambda_policy.c - a function's resource policy: AddPermission,
 * RemovePermission, GetPolicy.  The policy is the IAM document AWS
 * answers, kept in lambda_function.policy; a statement names the
 * function's ARN (qualified when the permission was for a version or an
 * alias).  Nothing enforces it, but S3 checks for s3.amazonaws.com in it
 * before it accepts a notification to the function, as AWS does.
 */
#include "lambda_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinystack/lambda.h"
#include "tinystack/store.h"

static cJSON *policy_doc(const lambda_fn *f)
{
    cJSON *doc = f->policy ? cJSON_Parse(f->policy) : NULL;

    if (!doc) {
        doc = cJSON_CreateObject();
        cJSON_AddStringToObject(doc, "Version", "2012-10-17");
        cJSON_AddStringToObject(doc, "Id", "default");
        cJSON_AddArrayToObject(doc, "Statement");
    }
    return doc;
}

static int policy_save(ts_call *c, int64_t id, const cJSON *doc)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "Statement");
    sqlite3_stmt *st = store_stmt("UPDATE lambda_function SET policy = ?2 WHERE id = ?1");
    char *text = cJSON_GetArraySize(list) ? cJSON_PrintUnformatted(doc) : NULL;
    int rc;

    sqlite3_bind_int64(st, 1, id);
    store_bind_text(st, 2, text);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    cJSON_free(text);
    return rc == SQLITE_DONE ? 0 : ts_resp_error(c->resp, TS_ERR_LAMBDA_SERVICE, NULL);
}

/* The Principal member as IAM writes it. */
static cJSON *principal(ts_call *c, const char *p)
{
    cJSON *o;
    size_t n = strlen(p);
    int digits = n == 12;

    if (!strcmp(p, "*"))
        return cJSON_CreateString("*");
    for (size_t i = 0; digits && i < n; i++)
        digits = p[i] >= '0' && p[i] <= '9';
    o = cJSON_CreateObject();
    if (digits)
        cJSON_AddStringToObject(o, "AWS",
                                ts_arena_printf(c->req->arena, "arn:aws:iam::%s:root", p));
    else if (!strncmp(p, "arn:", 4))
        cJSON_AddStringToObject(o, "AWS", p);
    else
        cJSON_AddStringToObject(o, "Service", p);
    return o;
}

int lambda_add_permission(ts_call *c)
{
    const char *name, *qualifier;
    const char *sid = lambda_str(c->in, "StatementId");
    const char *action = lambda_str(c->in, "Action");
    const char *source_arn = lambda_str(c->in, "SourceArn");
    const char *source_account = lambda_str(c->in, "SourceAccount");
    const char *token = lambda_str(c->in, "EventSourceToken");
    const char *org = lambda_str(c->in, "PrincipalOrgID");
    cJSON *doc, *list, *s, *cond = NULL, *v;
    lambda_fn f;
    char *text;
    int rc = -1;

    if (lambda_name_parse(c, lambda_str(c->in, "FunctionName"), lambda_str(c->in, "Qualifier"),
                          &name, &qualifier) != 0 ||
        lambda_fn_load_qualified(c, name, qualifier, &f) != 0)
        return -1;
    if (lambda_str(c->in, "RevisionId") &&
        strcmp(lambda_str(c->in, "RevisionId"), lambda_str(f.config, "RevisionId"))) {
        ts_resp_error(c->resp, TS_ERR_LAMBDA_PRECONDITION, NULL);
        goto out;
    }
    if (strncmp(action, "lambda:", 7) && strcmp(action, "*")) {
        ts_resp_errorf(c->req, c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                       "1 validation error detected: Value '%s' at 'action' failed to satisfy "
                       "constraint: Member must satisfy regular expression pattern: "
                       "(lambda:[*]|lambda:[a-zA-Z]+|[*])", action);
        goto out;
    }
    doc = policy_doc(&f);
    list = cJSON_GetObjectItemCaseSensitive(doc, "Statement");
    cJSON_ArrayForEach(s, list) {
        const char *have = lambda_str(s, "Sid");
        if (have && !strcmp(have, sid)) {
            cJSON_Delete(doc);
            ts_resp_error(c->resp, TS_ERR_LAMBDA_CONFLICT,
                          "The statement id (sid) provided already exists. Please choose a "
                          "unique statement id or remove the existing statement.");
            goto out;
        }
    }
    s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "Sid", sid);
    cJSON_AddStringToObject(s, "Effect", "Allow");
    cJSON_AddItemToObject(s, "Principal", principal(c, lambda_str(c->in, "Principal")));
    cJSON_AddStringToObject(s, "Action", action);
    cJSON_AddStringToObject(
        s, "Resource",
        qualifier && strcmp(qualifier, "$LATEST")
            ? ts_arena_printf(c->req->arena, "%s:%s", lambda_arn(c, name), qualifier)
            : lambda_arn(c, name));
    if (source_arn || source_account || token || org)
        cond = cJSON_AddObjectToObject(s, "Condition");
    if (source_account || token || org) {
        v = cJSON_AddObjectToObject(cond, "StringEquals");
        if (source_account)
            cJSON_AddStringToObject(v, "AWS:SourceAccount", source_account);
        if (token)
            cJSON_AddStringToObject(v, "lambda:EventSourceToken", token);
        if (org)
            cJSON_AddStringToObject(v, "aws:PrincipalOrgID", org);
    }
    if (source_arn)
        cJSON_AddStringToObject(cJSON_AddObjectToObject(cond, "ArnLike"), "AWS:SourceArn",
                                source_arn);
    cJSON_AddItemToArray(list, s);
    if (policy_save(c, f.id, doc) == 0) {
        text = cJSON_PrintUnformatted(s);
        cJSON_AddStringToObject(c->out, "Statement", text);
        cJSON_free(text);
        c->resp->status = 201;
        rc = 0;
    }
    cJSON_Delete(doc);
out:
    lambda_fn_free(&f);
    return rc;
}

int lambda_remove_permission(ts_call *c)
{
    const char *name, *qualifier, *sid = lambda_str(c->in, "StatementId");
    cJSON *doc, *list, *s;
    lambda_fn f;
    int i = 0, rc = -1;

    if (lambda_name_parse(c, lambda_str(c->in, "FunctionName"), lambda_str(c->in, "Qualifier"),
                          &name, &qualifier) != 0 ||
        lambda_fn_load_qualified(c, name, qualifier, &f) != 0)
        return -1;
    doc = policy_doc(&f);
    list = cJSON_GetObjectItemCaseSensitive(doc, "Statement");
    cJSON_ArrayForEach(s, list) {
        const char *have = lambda_str(s, "Sid");
        if (have && !strcmp(have, sid))
            break;
        i++;
    }
    if (!s) {
        ts_resp_errorf(c->req, c->resp, TS_ERR_LAMBDA_NOT_FOUND,
                       "Statement %s is not found in resource policy.", sid);
    } else {
        cJSON_DeleteItemFromArray(list, i);
        if (policy_save(c, f.id, doc) == 0) {
            c->resp->status = 204;
            cJSON_Delete(c->out);
            c->out = NULL;
            rc = 0;
        }
    }
    cJSON_Delete(doc);
    lambda_fn_free(&f);
    return rc;
}

int lambda_get_policy(ts_call *c)
{
    const char *name, *qualifier;
    lambda_fn f;

    if (lambda_name_parse(c, lambda_str(c->in, "FunctionName"), lambda_str(c->in, "Qualifier"),
                          &name, &qualifier) != 0 ||
        lambda_fn_load_qualified(c, name, qualifier, &f) != 0)
        return -1;
    if (!f.policy) {
        lambda_fn_free(&f);
        return ts_resp_error(c->resp, TS_ERR_LAMBDA_NOT_FOUND,
                             "The resource you requested does not exist.");
    }
    cJSON_AddStringToObject(c->out, "Policy", f.policy);
    cJSON_AddStringToObject(c->out, "RevisionId", lambda_str(f.config, "RevisionId"));
    lambda_fn_free(&f);
    return 0;
}

int lambda_allows_service(const char *region, const char *account, const char *function_arn,
                          const char *service, const char *source_arn)
{
    char fregion[64] = "", faccount[32] = "", name[160] = "";
    sqlite3_stmt *st;
    cJSON *doc, *s;
    int ok = 0;

    (void)region;
    (void)account;
    if (sscanf(function_arn, "arn:%*[^:]:lambda:%63[^:]:%31[^:]:function:%159[^:]", fregion,
               faccount, name) != 3)
        return -1;
    st = store_stmt("SELECT policy FROM lambda_function WHERE account = ?1 AND region = ?2"
                    " AND name = ?3");
    store_bind_text(st, 1, faccount);
    store_bind_text(st, 2, fregion);
    store_bind_text(st, 3, name);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return -1;
    }
    doc = sqlite3_column_type(st, 0) == SQLITE_TEXT
        ? cJSON_Parse((const char *)sqlite3_column_text(st, 0)) : NULL;
    sqlite3_reset(st);
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(doc, "Statement")) {
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(s, "Principal");
        const char *svc = cJSON_IsString(p) ? p->valuestring : lambda_str(p, "Service");
        const cJSON *like = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(s, "Condition"), "ArnLike");
        const char *want = lambda_str(like, "AWS:SourceArn");
        if (!svc || (strcmp(svc, "*") && strcmp(svc, service)))
            continue;
        if (want && source_arn && !ts_glob_match(want, source_arn))
            continue;
        ok = 1;
        break;
    }
    cJSON_Delete(doc);
    return ok;
}
