/*
 * iam_role_policy.c - managed policies attached to roles: attach, detach
 * and list.  Only the ARN is kept (iam_role_policy); there is no policy
 * store behind it, so any well-formed policy ARN attaches, and nothing
 * evaluates what it allows.
 */
#include "iam_int.h"

#include <string.h>

/* The PolicyArn argument, required and shaped like a policy ARN
 * (arn:<partition>:iam::<account or aws>:policy/...); NULL with the
 * error set otherwise. */
static const char *policy_arn(ts_call *c)
{
    const char *arn = iam_arg_required(c, "PolicyArn", "policyArn");

    if (!arn)
        return NULL;
    if (!ts_starts_with(arn, "arn:") || !strstr(arn, ":iam::") || !strstr(arn, ":policy/") ||
        arn[strlen(arn) - 1] == '/') {
        ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_INVALID_INPUT, "ARN %s is not valid.", arn);
        return NULL;
    }
    return arn;
}

/* AttachRolePolicy: attaching one already attached changes nothing, as
 * in AWS. */
int iam_attach_role_policy(ts_call *c)
{
    const char *name = iam_role_name(c), *arn;
    sqlite3_stmt *st;
    int64_t id;
    int rc;

    if (!name || !(arn = policy_arn(c)) || !(id = iam_role_find(c, name)))
        return -1;
    st = store_stmt("INSERT OR IGNORE INTO iam_role_policy(role, policy_arn) VALUES(?1, ?2)");
    sqlite3_bind_int64(st, 1, id);
    store_bind_text(st, 2, arn);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : ts_resp_error(c->resp, TS_ERR_INTERNAL, NULL);
}

int iam_detach_role_policy(ts_call *c)
{
    const char *name = iam_role_name(c), *arn;
    sqlite3_stmt *st;
    int64_t id;
    int rc;

    if (!name || !(arn = policy_arn(c)) || !(id = iam_role_find(c, name)))
        return -1;
    st = store_stmt("DELETE FROM iam_role_policy WHERE role = ?1 AND policy_arn = ?2");
    sqlite3_bind_int64(st, 1, id);
    store_bind_text(st, 2, arn);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return ts_resp_error(c->resp, TS_ERR_INTERNAL, NULL);
    if (sqlite3_changes(store_db()) == 0)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_NO_SUCH_ENTITY,
                              "Policy %s was not attached to role %s.", arn, name);
    return 0;
}

/* ListAttachedRolePolicies: by ARN; PathPrefix matches the policy's
 * path (what lies between "policy" and its name), the Marker is the last
 * ARN of the page before. */
int iam_list_attached_role_policies(ts_call *c)
{
    const char *name = iam_role_name(c), *prefix = iam_arg(c, "PathPrefix");
    const char *marker = iam_arg(c, "Marker");
    ts_buf *b = &c->resp->body;
    sqlite3_stmt *st;
    char *last = NULL;
    int64_t id;
    int max, n = 0, truncated = 0;

    if (!name || iam_max_items(c, &max) != 0 || !(id = iam_role_find(c, name)))
        return -1;
    st = store_stmt("SELECT policy_arn FROM iam_role_policy WHERE role = ?1"
                    " AND (?2 IS NULL OR policy_arn > ?2) ORDER BY policy_arn");
    sqlite3_bind_int64(st, 1, id);
    store_bind_text(st, 2, marker);
    ts_buf_puts(b, "<AttachedPolicies>");
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *arn = (const char *)sqlite3_column_text(st, 0);
        const char *path = strstr(arn, ":policy/") + strlen(":policy");
        const char *pname = strrchr(arn, '/') + 1;

        if (prefix && ((size_t)(pname - path) < strlen(prefix) ||
                       strncmp(path, prefix, strlen(prefix)) != 0))
            continue;
        if (n == max) {
            truncated = 1;
            break;
        }
        ts_buf_puts(b, "<member>");
        ts_xml_text(b, "PolicyName", pname);
        ts_xml_text(b, "PolicyArn", arn);
        ts_buf_puts(b, "</member>");
        last = ts_arena_strdup(c->req->arena, arn);
        n++;
    }
    sqlite3_reset(st);
    ts_buf_puts(b, "</AttachedPolicies>");
    ts_xml_text(b, "IsTruncated", truncated ? "true" : "false");
    if (truncated)
        ts_xml_text(b, "Marker", last);
    return 0;
}
