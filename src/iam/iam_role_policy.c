/*
 * iam_role_policy.c - managed policies attached to roles and users:
 * attach, detach, list, and who has a policy (ListEntitiesForPolicy).
 * Only the ARN is kept (iam_role_policy, iam_user_policy).  Any of AWS's
 * own policy ARNs (arn:aws:iam::aws:policy/...) attaches, as on
 * LocalStack, whether or not tinystack knows its document; a policy of
 * the account must exist (CreatePolicy).  Nothing evaluates what a
 * policy allows.
 */
#include "iam_int.h"

#include <string.h>

static int is_role(const iam_owner *o)
{
    return o->kind[0] == 'r';
}

int iam_attached_count(const iam_owner *o)
{
    sqlite3_stmt *st = is_role(o)
                           ? store_stmt("SELECT count(*) FROM iam_role_policy WHERE role = ?1")
                           : store_stmt("SELECT count(*) FROM iam_user_policy WHERE user = ?1");

    sqlite3_bind_int64(st, 1, o->id);
    return iam_query_int(st);
}

int iam_policy_attachments(ts_call *c, const char *arn)
{
    sqlite3_stmt *st = store_stmt(
        "SELECT (SELECT count(*) FROM iam_role_policy p JOIN iam_role r ON r.id = p.role"
        "        WHERE p.policy_arn = ?1 AND r.account = ?2)"
        "     + (SELECT count(*) FROM iam_user_policy p JOIN iam_user u ON u.id = p.user"
        "        WHERE p.policy_arn = ?1 AND u.account = ?2)");

    store_bind_text(st, 1, arn);
    store_bind_text(st, 2, c->req->account);
    return iam_query_int(st);
}

/* 1 when o has arn attached. */
static int attached(const iam_owner *o, const char *arn)
{
    sqlite3_stmt *st =
        is_role(o) ? store_stmt("SELECT 1 FROM iam_role_policy WHERE role = ?1 AND policy_arn = ?2")
                   : store_stmt("SELECT 1 FROM iam_user_policy WHERE user = ?1 AND policy_arn = ?2");

    sqlite3_bind_int64(st, 1, o->id);
    store_bind_text(st, 2, arn);
    return iam_query_int(st);
}

/* Attach{Role,User}Policy: attaching one already attached changes
 * nothing, as in AWS; past IAM_MAX_ATTACHED is LimitExceeded. */
static int attach(ts_call *c, const char *kind)
{
    const char *arn;
    sqlite3_stmt *st;
    iam_owner o;

    if (!(arn = iam_policy_arn(c)) || iam_owner_find(c, kind, &o) != 0 ||
        !iam_policy_attachable(c, arn))
        return -1;
    if (attached(&o, arn))
        return 0;
    if (iam_attached_count(&o) >= IAM_MAX_ATTACHED)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_LIMIT_EXCEEDED,
                              "Cannot exceed quota for PoliciesPer%s: %d",
                              is_role(&o) ? "Role" : "User", IAM_MAX_ATTACHED);
    st = is_role(&o) ? store_stmt("INSERT INTO iam_role_policy(role, policy_arn) VALUES(?1, ?2)")
                     : store_stmt("INSERT INTO iam_user_policy(user, policy_arn) VALUES(?1, ?2)");
    sqlite3_bind_int64(st, 1, o.id);
    store_bind_text(st, 2, arn);
    return iam_exec(c, st);
}

static int detach(ts_call *c, const char *kind)
{
    const char *arn;
    sqlite3_stmt *st;
    iam_owner o;

    if (!(arn = iam_policy_arn(c)) || iam_owner_find(c, kind, &o) != 0)
        return -1;
    st = is_role(&o) ? store_stmt("DELETE FROM iam_role_policy WHERE role = ?1 AND policy_arn = ?2")
                     : store_stmt("DELETE FROM iam_user_policy WHERE user = ?1 AND policy_arn = ?2");
    sqlite3_bind_int64(st, 1, o.id);
    store_bind_text(st, 2, arn);
    if (iam_exec(c, st) != 0)
        return -1;
    if (sqlite3_changes(store_db()) == 0)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_NO_SUCH_ENTITY,
                              "Policy %s was not found.", arn);
    return 0;
}

/* Whether the policy ARN of the row is under the PathPrefix arg (its
 * path is what lies between "policy" and its name). */
static int path_keep_cb(sqlite3_stmt *st, void *arg)
{
    const char *arn = (const char *)sqlite3_column_text(st, 0), *prefix = arg;
    const char *path = strstr(arn, ":policy/") + strlen(":policy");
    const char *pname = strrchr(arn, '/') + 1;

    return (size_t)(pname - path) >= strlen(prefix) && !strncmp(path, prefix, strlen(prefix));
}

static void attached_member_cb(ts_buf *b, sqlite3_stmt *st, void *arg)
{
    const char *arn = (const char *)sqlite3_column_text(st, 0);

    (void)arg;
    ts_buf_puts(b, "<member>");
    ts_xml_text(b, "PolicyName", strrchr(arn, '/') + 1);
    ts_xml_text(b, "PolicyArn", arn);
    ts_buf_puts(b, "</member>");
}

/* ListAttached{Role,User}Policies: by ARN; PathPrefix matches the
 * policy's path, the Marker is the last ARN of the page before. */
static int list_attached(ts_call *c, const char *kind)
{
    const char *prefix = iam_arg(c, "PathPrefix");
    iam_rows rows = {attached_member_cb, prefix ? path_keep_cb : NULL, (void *)prefix};
    sqlite3_stmt *st;
    iam_owner o;
    int max;

    iam_max_items(c, &max);
    if (iam_owner_find(c, kind, &o) != 0)
        return -1;
    st = is_role(&o) ? store_stmt("SELECT policy_arn FROM iam_role_policy WHERE role = ?1"
                                  " AND (?2 IS NULL OR policy_arn > ?2) ORDER BY policy_arn")
                     : store_stmt("SELECT policy_arn FROM iam_user_policy WHERE user = ?1"
                                  " AND (?2 IS NULL OR policy_arn > ?2) ORDER BY policy_arn");
    sqlite3_bind_int64(st, 1, o.id);
    store_bind_text(st, 2, iam_arg(c, "Marker"));
    return iam_list_xml(c, "AttachedPolicies", st, max, &rows);
}

int iam_attach_role_policy(ts_call *c)
{
    return attach(c, "role");
}

int iam_detach_role_policy(ts_call *c)
{
    return detach(c, "role");
}

int iam_list_attached_role_policies(ts_call *c)
{
    return list_attached(c, "role");
}

int iam_attach_user_policy(ts_call *c)
{
    return attach(c, "user");
}

int iam_detach_user_policy(ts_call *c)
{
    return detach(c, "user");
}

int iam_list_attached_user_policies(ts_call *c)
{
    return list_attached(c, "user");
}

/* ListEntitiesForPolicy: the roles, then the users, of the caller's
 * account that have PolicyArn attached (there are no groups), filtered
 * by EntityFilter and PathPrefix; the Marker is "role/<name>" or
 * "user/<name>" of the last one of the page before. */
int iam_list_entities_for_policy(ts_call *c)
{
    const char *arn, *filter = iam_arg(c, "EntityFilter"), *marker = iam_arg(c, "Marker");
    const char *prefix = iam_arg(c, "PathPrefix");
    ts_buf roles, users, *b = &c->resp->body;
    const char *last = NULL;
    int max, n = 0, truncated = 0;

    iam_max_items(c, &max);
    if (!(arn = iam_policy_arn(c)) || !iam_policy_attachable(c, arn))
        return -1;
    ts_buf_init(&roles);
    ts_buf_init(&users);
    for (int pass = 0; pass < 2 && !truncated; pass++) {
        const char *kind = pass ? "user" : "role";
        const char *after = NULL;
        sqlite3_stmt *st;

        if (filter && strcmp(filter, pass ? "User" : "Role") != 0)
            continue;
        if (marker && !strncmp(marker, "user/", 5) && !pass)
            continue; /* the roles were all on earlier pages */
        if (marker && !strncmp(marker, kind, 4) && marker[4] == '/')
            after = marker + 5;
        st = pass ? store_stmt("SELECT u.name, u.user_id FROM iam_user_policy p"
                               " JOIN iam_user u ON u.id = p.user WHERE p.policy_arn = ?1"
                               " AND u.account = ?2 AND substr(u.path, 1, length(?3)) = ?3"
                               " AND (?4 IS NULL OR u.name > ?4) ORDER BY u.name")
                  : store_stmt("SELECT r.name, r.role_id FROM iam_role_policy p"
                               " JOIN iam_role r ON r.id = p.role WHERE p.policy_arn = ?1"
                               " AND r.account = ?2 AND substr(r.path, 1, length(?3)) = ?3"
                               " AND (?4 IS NULL OR r.name > ?4) ORDER BY r.name");
        store_bind_text(st, 1, arn);
        store_bind_text(st, 2, c->req->account);
        store_bind_text(st, 3, prefix ? prefix : "/");
        store_bind_text(st, 4, after);
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *name = (const char *)sqlite3_column_text(st, 0);
            ts_buf *out = pass ? &users : &roles;

            if (n == max) {
                truncated = 1;
                break;
            }
            ts_buf_puts(out, "<member>");
            ts_xml_text(out, pass ? "UserName" : "RoleName", name);
            ts_xml_text(out, pass ? "UserId" : "RoleId",
                        (const char *)sqlite3_column_text(st, 1));
            ts_buf_puts(out, "</member>");
            last = ts_arena_printf(c->req->arena, "%s/%s", kind, name);
            n++;
        }
        sqlite3_reset(st);
    }
    ts_buf_puts(b, "<PolicyGroups/><PolicyUsers>");
    ts_buf_append(b, users.data ? users.data : "", users.len);
    ts_buf_puts(b, "</PolicyUsers><PolicyRoles>");
    ts_buf_append(b, roles.data ? roles.data : "", roles.len);
    ts_buf_puts(b, "</PolicyRoles>");
    iam_page_end(b, truncated, last);
    ts_buf_free(&roles);
    ts_buf_free(&users);
    return 0;
}
