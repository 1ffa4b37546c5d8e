/*
 * iam_policy.c - managed policies: create, get, list, delete, and their
 * versions.  A policy of the account is a row of iam_policy (unique by
 * name in the account, whatever its path) with up to IAM_MAX_VERSIONS
 * rows of iam_policy_version; the default version's number is kept on
 * the policy.  AWS's own policies come from the catalogue of
 * iam_policy_aws.c and cannot be changed.  AttachmentCount counts the
 * roles and users of the caller's account that have the policy.
 */
#include "iam_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POLICY_INVALID "Syntax errors in policy."

#define POLICY_COLUMNS                                                        \
    "id, name, path, policy_id, arn, description, create_date, update_date,"  \
    " default_version"

/* A managed policy, of the account (id > 0) or AWS's (aws set). */
typedef struct policy {
    int64_t id;
    const iam_aws_policy *aws;
    const char *name, *path, *arn, *policy_id, *description;
    int64_t created, updated;
    int default_version;
} policy;

/* A row of POLICY_COLUMNS into *p, strings in the arena. */
static void policy_from_row(ts_call *c, sqlite3_stmt *st, policy *p)
{
    ts_arena *a = c->req->arena;

    p->id = sqlite3_column_int64(st, 0);
    p->aws = NULL;
    p->name = store_col_text(a, st, 1);
    p->path = store_col_text(a, st, 2);
    p->policy_id = store_col_text(a, st, 3);
    p->arn = store_col_text(a, st, 4);
    p->description = store_col_text(a, st, 5);
    p->created = sqlite3_column_int64(st, 6);
    p->updated = sqlite3_column_int64(st, 7);
    p->default_version = sqlite3_column_int(st, 8);
}

static void policy_from_aws(ts_call *c, const iam_aws_policy *aws, policy *p)
{
    char *id = ts_arena_alloc(c->req->arena, 22);

    iam_aws_policy_id(aws, id);
    p->id = 0;
    p->aws = aws;
    p->name = aws->name;
    p->path = aws->path;
    p->arn = ts_arena_printf(c->req->arena, "arn:aws:iam::aws:policy%s%s", aws->path, aws->name);
    p->policy_id = id;
    p->description = aws->description;
    p->created = p->updated = IAM_AWS_POLICY_DATE;
    p->default_version = 1;
}

/* The policy arn names, into *p: 0, or -1 with NoSuchEntity set. */
static int policy_load(ts_call *c, const char *arn, policy *p)
{
    const iam_aws_policy *aws = iam_aws_policy_find(arn);
    sqlite3_stmt *st;
    int rc = -1;

    if (aws) {
        policy_from_aws(c, aws, p);
        return 0;
    }
    st = store_stmt("SELECT " POLICY_COLUMNS " FROM iam_policy WHERE account = ?1 AND arn = ?2");
    store_bind_text(st, 1, c->req->account);
    store_bind_text(st, 2, arn);
    if (sqlite3_step(st) == SQLITE_ROW) {
        policy_from_row(c, st, p);
        rc = 0;
    }
    sqlite3_reset(st);
    if (rc != 0)
        ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_NO_SUCH_ENTITY, "Policy %s was not found.", arn);
    return rc;
}

/* The policy of PolicyArn that this request may change: one of the
 * account's; 0, or -1 with the error set. */
static int policy_local(ts_call *c, policy *p)
{
    const char *arn = iam_policy_arn(c);

    if (!arn || policy_load(c, arn, p) != 0)
        return -1;
    if (p->aws)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_ACCESS_DENIED,
                              "AWS managed policy %s cannot be modified.", arn);
    return 0;
}

int64_t iam_policy_local(ts_call *c)
{
    policy p;

    return policy_local(c, &p) == 0 ? p.id : 0;
}

int iam_policy_attachable(ts_call *c, const char *arn)
{
    const char *acct = strstr(arn, ":iam::") + strlen(":iam::");
    sqlite3_stmt *st;
    int found;

    if (ts_starts_with(acct, "aws:"))
        return 1;
    st = store_stmt("SELECT 1 FROM iam_policy WHERE account = ?1 AND arn = ?2");
    store_bind_text(st, 1, c->req->account);
    store_bind_text(st, 2, arn);
    found = iam_query_int(st);
    if (!found)
        ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_NO_SUCH_ENTITY,
                       "Policy %s does not exist or is not attachable.", arn);
    return found;
}

/* Writes p as the element tag; full (GetPolicy, CreatePolicy) adds its
 * description and tags. */
static void policy_xml(ts_call *c, ts_buf *b, const char *tag, const policy *p, int full)
{
    ts_xml_open(b, tag);
    ts_xml_text(b, "PolicyName", p->name);
    ts_xml_text(b, "PolicyId", p->policy_id);
    ts_xml_text(b, "Arn", p->arn);
    ts_xml_text(b, "Path", p->path);
    ts_xml_textf(b, "DefaultVersionId", "v%d", p->default_version);
    ts_xml_textf(b, "AttachmentCount", "%d", iam_policy_attachments(c, p->arn));
    ts_xml_text(b, "PermissionsBoundaryUsageCount", "0");
    ts_xml_text(b, "IsAttachable", "true");
    if (full && p->description)
        ts_xml_text(b, "Description", p->description);
    iam_date_xml(b, "CreateDate", p->created);
    iam_date_xml(b, "UpdateDate", p->updated);
    if (full && p->id)
        iam_tags_xml(b, "policy", p->id);
    ts_xml_close(b, tag);
}

/* A managed policy's document: one JSON object, at most
 * IAM_MAX_MANAGED_SIZE. */
static int document_check(ts_call *c, const char *doc)
{
    if (iam_document_check(c, doc, POLICY_INVALID) != 0)
        return -1;
    if (iam_document_size(doc) > IAM_MAX_MANAGED_SIZE)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_LIMIT_EXCEEDED,
                              "Cannot exceed quota for PolicySize: %d", IAM_MAX_MANAGED_SIZE);
    return 0;
}

static int version_insert(ts_call *c, int64_t policy_id, int version, const char *doc, int64_t now)
{
    sqlite3_stmt *st = store_stmt("INSERT INTO iam_policy_version(policy, version, document,"
                                  " create_date) VALUES(?1, ?2, ?3, ?4)");

    sqlite3_bind_int64(st, 1, policy_id);
    sqlite3_bind_int(st, 2, version);
    store_bind_text(st, 3, doc);
    sqlite3_bind_int64(st, 4, now);
    return iam_exec(c, st);
}

/* CreatePolicy: PolicyName, Path, PolicyDocument, Description, Tags. */
int iam_create_policy(ts_call *c)
{
    const char *name = iam_arg(c, "PolicyName"), *doc = iam_arg(c, "PolicyDocument");
    const char *path = iam_arg(c, "Path");
    int64_t now = ts_now_ms(), id;
    char policy_id[22];
    sqlite3_stmt *st;
    policy p;
    int rc;

    if (!path)
        path = "/";
    if (document_check(c, doc) != 0)
        return -1;
    iam_random_id(policy_id, "ANPA", 17);
    st = store_stmt("INSERT INTO iam_policy(account, name, path, policy_id, arn, description,"
                    " create_date, update_date, default_version, next_version)"
                    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, 1, 2)");
    store_bind_text(st, 1, c->req->account);
    store_bind_text(st, 2, name);
    store_bind_text(st, 3, path);
    store_bind_text(st, 4, policy_id);
    store_bind_text(st, 5, ts_arena_printf(c->req->arena, "arn:aws:iam::%s:policy%s%s",
                                           c->req->account, path, name));
    store_bind_text(st, 6, iam_arg(c, "Description"));
    sqlite3_bind_int64(st, 7, now);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_ENTITY_EXISTS,
                              "A policy called %s already exists. Duplicate names are not "
                              "allowed.", name);
    if (rc != SQLITE_DONE)
        return ts_resp_error(c->resp, TS_ERR_INTERNAL, NULL);
    id = sqlite3_last_insert_rowid(store_db());
    if (version_insert(c, id, 1, doc, now) != 0 || iam_tags_put(c, "policy", id) != 0)
        return -1;
    if (policy_load(c, ts_arena_printf(c->req->arena, "arn:aws:iam::%s:policy%s%s",
                                       c->req->account, path, name), &p) != 0)
        return -1;
    policy_xml(c, &c->resp->body, "Policy", &p, 1);
    return 0;
}

int iam_get_policy(ts_call *c)
{
    const char *arn = iam_policy_arn(c);
    policy p;

    if (!arn || policy_load(c, arn, &p) != 0)
        return -1;
    policy_xml(c, &c->resp->body, "Policy", &p, 1);
    return 0;
}

static int version_count(int64_t id)
{
    sqlite3_stmt *st = store_stmt("SELECT count(*) FROM iam_policy_version WHERE policy = ?1");

    sqlite3_bind_int64(st, 1, id);
    return iam_query_int(st);
}

/* DeletePolicy: refused while attached, or while versions other than the
 * default one remain, as in AWS. */
int iam_delete_policy(ts_call *c)
{
    sqlite3_stmt *st;
    policy p;

    if (policy_local(c, &p) != 0)
        return -1;
    if (iam_policy_attachments(c, p.arn))
        return ts_resp_error(c->resp, TS_ERR_IAM_DELETE_CONFLICT,
                             "Cannot delete a policy attached to entities.");
    if (version_count(p.id) > 1)
        return ts_resp_error(c->resp, TS_ERR_IAM_DELETE_CONFLICT,
                             "This policy has more than one version. Before you delete a "
                             "policy, you must delete the policy's versions. The default "
                             "version is deleted with the policy.");
    st = store_stmt("DELETE FROM iam_policy_version WHERE policy = ?1");
    sqlite3_bind_int64(st, 1, p.id);
    if (iam_exec(c, st) != 0)
        return -1;
    st = store_stmt("DELETE FROM iam_policy WHERE id = ?1");
    sqlite3_bind_int64(st, 1, p.id);
    if (iam_exec(c, st) != 0)
        return -1;
    iam_owner_forget("policy", p.id);
    return 0;
}

/* The next AWS policy at or after *i that ListPolicies shows, into *p;
 * 0 when there is none. */
static int aws_next(ts_call *c, size_t *i, const char *prefix, const char *marker,
                    int only_attached, policy *p)
{
    const iam_aws_policy *aws;

    for (; (aws = iam_aws_policy_at(*i)); (*i)++) {
        if (prefix && !ts_starts_with(aws->path, prefix))
            continue;
        policy_from_aws(c, aws, p);
        if (marker && strcmp(p->arn, marker) <= 0)
            continue;
        if (only_attached && !iam_policy_attachments(c, p->arn))
            continue;
        (*i)++;
        return 1;
    }
    return 0;
}

/* ListPolicies: the account's policies and AWS's (Scope), by ARN; the
 * Marker is the last ARN of the page before.  Nothing is a permissions
 * boundary here, so PolicyUsageFilter PermissionsBoundary lists none. */
int iam_list_policies(ts_call *c)
{
    const char *scope = iam_arg(c, "Scope"), *prefix = iam_arg(c, "PathPrefix");
    const char *marker = iam_arg(c, "Marker"), *usage = iam_arg(c, "PolicyUsageFilter");
    const char *attached = iam_arg(c, "OnlyAttached"), *last = NULL;
    int only_attached = attached && ts_strieq(attached, "true");
    int want_local = !scope || strcmp(scope, "AWS") != 0;
    int want_aws = !scope || strcmp(scope, "Local") != 0;
    ts_buf *b = &c->resp->body;
    int max, n = 0, truncated = 0, have_local = 0, have_aws = 0;
    sqlite3_stmt *st;
    policy local, aws;
    size_t ai = 0;

    iam_max_items(c, &max);
    if (usage && !strcmp(usage, "PermissionsBoundary"))
        want_local = want_aws = 0;
    st = store_stmt(
        "SELECT " POLICY_COLUMNS " FROM iam_policy WHERE account = ?1"
        " AND substr(path, 1, length(?2)) = ?2 AND (?3 IS NULL OR arn > ?3)"
        " AND (?4 = 0 OR EXISTS(SELECT 1 FROM iam_role_policy p JOIN iam_role r ON r.id = p.role"
        "                       WHERE p.policy_arn = iam_policy.arn AND r.account = ?1)"
        "  OR EXISTS(SELECT 1 FROM iam_user_policy p JOIN iam_user u ON u.id = p.user"
        "            WHERE p.policy_arn = iam_policy.arn AND u.account = ?1))"
        " ORDER BY arn");
    store_bind_text(st, 1, c->req->account);
    store_bind_text(st, 2, prefix ? prefix : "/");
    store_bind_text(st, 3, marker);
    sqlite3_bind_int(st, 4, only_attached);
    if (want_local && sqlite3_step(st) == SQLITE_ROW) {
        policy_from_row(c, st, &local);
        have_local = 1;
    }
    if (want_aws)
        have_aws = aws_next(c, &ai, prefix, marker, only_attached, &aws);
    ts_buf_puts(b, "<Policies>");
    while (have_local || have_aws) {
        int take_local = have_local && (!have_aws || strcmp(local.arn, aws.arn) < 0);

        if (n == max) {
            truncated = 1;
            break;
        }
        policy_xml(c, b, "member", take_local ? &local : &aws, 0);
        last = take_local ? local.arn : aws.arn;
        n++;
        if (take_local) {
            have_local = sqlite3_step(st) == SQLITE_ROW;
            if (have_local)
                policy_from_row(c, st, &local);
        } else {
            have_aws = aws_next(c, &ai, prefix, marker, only_attached, &aws);
        }
    }
    sqlite3_reset(st);
    ts_buf_puts(b, "</Policies>");
    iam_page_end(b, truncated, last);
    return 0;
}

/* The number of a VersionId ("v3"; the model checked its shape). */
static int version_number(const char *id)
{
    return atoi(id + 1);
}

static int version_missing(ts_call *c, const policy *p, const char *id)
{
    return ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_NO_SUCH_ENTITY,
                          "Policy %s version %s does not exist.", p->arn, id);
}

int iam_get_policy_version(ts_call *c)
{
    const char *arn = iam_policy_arn(c), *id = iam_arg(c, "VersionId");
    ts_buf *b = &c->resp->body;
    sqlite3_stmt *st;
    policy p;
    int v, rc = -1;

    if (!arn || policy_load(c, arn, &p) != 0)
        return -1;
    v = version_number(id);
    if (p.aws) {
        if (v != 1 || strcmp(id, "v1") != 0)
            return version_missing(c, &p, id);
        ts_buf_puts(b, "<PolicyVersion>");
        iam_document_xml(b, "Document", p.aws->document);
        ts_xml_text(b, "VersionId", "v1");
        ts_xml_text(b, "IsDefaultVersion", "true");
        iam_date_xml(b, "CreateDate", p.created);
        ts_buf_puts(b, "</PolicyVersion>");
        return 0;
    }
    st = store_stmt("SELECT document, create_date FROM iam_policy_version"
                    " WHERE policy = ?1 AND version = ?2");
    sqlite3_bind_int64(st, 1, p.id);
    sqlite3_bind_int(st, 2, v);
    if (sqlite3_step(st) == SQLITE_ROW && !strcmp(id + 1, ts_arena_printf(c->req->arena, "%d", v))) {
        ts_buf_puts(b, "<PolicyVersion>");
        iam_document_xml(b, "Document", (const char *)sqlite3_column_text(st, 0));
        ts_xml_text(b, "VersionId", id);
        ts_xml_text(b, "IsDefaultVersion", v == p.default_version ? "true" : "false");
        iam_date_xml(b, "CreateDate", sqlite3_column_int64(st, 1));
        ts_buf_puts(b, "</PolicyVersion>");
        rc = 0;
    }
    sqlite3_reset(st);
    return rc == 0 ? 0 : version_missing(c, &p, id);
}

/* CreatePolicyVersion: at most IAM_MAX_VERSIONS; SetAsDefault makes it
 * the one in effect. */
int iam_create_policy_version(ts_call *c)
{
    const char *doc = iam_arg(c, "PolicyDocument"), *def = iam_arg(c, "SetAsDefault");
    int set_default = def && ts_strieq(def, "true");
    ts_buf *b = &c->resp->body;
    int64_t now = ts_now_ms();
    sqlite3_stmt *st;
    int version = 0, rc;
    policy p;

    if (policy_local(c, &p) != 0 || document_check(c, doc) != 0)
        return -1;
    if (version_count(p.id) >= IAM_MAX_VERSIONS)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_LIMIT_EXCEEDED,
                              "A managed policy can have up to %d versions. Before you create "
                              "a new version, you must delete an existing version.",
                              IAM_MAX_VERSIONS);
    st = store_stmt("UPDATE iam_policy SET next_version = next_version + 1,"
                    " default_version = CASE WHEN ?2 THEN next_version ELSE default_version END,"
                    " update_date = CASE WHEN ?2 THEN ?3 ELSE update_date END"
                    " WHERE id = ?1 RETURNING next_version - 1");
    sqlite3_bind_int64(st, 1, p.id);
    sqlite3_bind_int(st, 2, set_default);
    sqlite3_bind_int64(st, 3, now);
    if (sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (!version || rc != SQLITE_DONE)
        return ts_resp_error(c->resp, TS_ERR_INTERNAL, NULL);
    if (version_insert(c, p.id, version, doc, now) != 0)
        return -1;
    ts_buf_puts(b, "<PolicyVersion>");
    ts_xml_textf(b, "VersionId", "v%d", version);
    ts_xml_text(b, "IsDefaultVersion", set_default ? "true" : "false");
    iam_date_xml(b, "CreateDate", now);
    ts_buf_puts(b, "</PolicyVersion>");
    return 0;
}

/* A <member> of ListPolicyVersions (VersionId, version, create_date);
 * arg is the policy. */
static void version_member_cb(ts_buf *b, sqlite3_stmt *st, void *arg)
{
    const policy *p = arg;

    ts_buf_puts(b, "<member>");
    ts_xml_text(b, "VersionId", (const char *)sqlite3_column_text(st, 0));
    ts_xml_text(b, "IsDefaultVersion",
                sqlite3_column_int(st, 1) == p->default_version ? "true" : "false");
    iam_date_xml(b, "CreateDate", sqlite3_column_int64(st, 2));
    ts_buf_puts(b, "</member>");
}

/* ListPolicyVersions: newest first, without their documents, as AWS
 * lists them; the Marker is the last VersionId of the page before. */
int iam_list_policy_versions(ts_call *c)
{
    const char *arn = iam_policy_arn(c), *marker = iam_arg(c, "Marker");
    ts_buf *b = &c->resp->body;
    sqlite3_stmt *st;
    policy p;
    iam_rows rows = {version_member_cb, NULL, &p};
    int max;

    iam_max_items(c, &max);
    if (!arn || policy_load(c, arn, &p) != 0)
        return -1;
    if (p.aws) {
        ts_buf_puts(b, "<Versions>");
        if (!marker) {
            ts_buf_puts(b, "<member>");
            ts_xml_text(b, "VersionId", "v1");
            ts_xml_text(b, "IsDefaultVersion", "true");
            iam_date_xml(b, "CreateDate", p.created);
            ts_buf_puts(b, "</member>");
        }
        ts_buf_puts(b, "</Versions>");
        iam_page_end(b, 0, NULL);
        return 0;
    }
    st = store_stmt("SELECT 'v' || version, version, create_date FROM iam_policy_version"
                    " WHERE policy = ?1 AND (?2 IS NULL OR version < ?2) ORDER BY version DESC");
    sqlite3_bind_int64(st, 1, p.id);
    if (marker && marker[0] == 'v')
        sqlite3_bind_int(st, 2, atoi(marker + 1));
    return iam_list_xml(c, "Versions", st, max, &rows);
}

/* 1 when the policy has version v (VersionId id, as given). */
static int version_exists(ts_call *c, const policy *p, const char *id)
{
    sqlite3_stmt *st = store_stmt("SELECT 1 FROM iam_policy_version"
                                  " WHERE policy = ?1 AND version = ?2");
    int v = version_number(id), yes;

    sqlite3_bind_int64(st, 1, p->id);
    sqlite3_bind_int(st, 2, v);
    yes = sqlite3_step(st) == SQLITE_ROW &&
          !strcmp(id + 1, ts_arena_printf(c->req->arena, "%d", v));
    sqlite3_reset(st);
    return yes;
}

/* The policy of PolicyArn that this request may change, into *p, when
 * it has the version VersionId: 0, or -1 with the error set. */
static int version_local(ts_call *c, policy *p)
{
    const char *id = iam_arg(c, "VersionId");

    if (policy_local(c, p) != 0)
        return -1;
    return version_exists(c, p, id) ? 0 : version_missing(c, p, id);
}

/* DeletePolicyVersion: never the default one. */
int iam_delete_policy_version(ts_call *c)
{
    const char *id = iam_arg(c, "VersionId");
    sqlite3_stmt *st;
    policy p;

    if (version_local(c, &p) != 0)
        return -1;
    if (version_number(id) == p.default_version)
        return ts_resp_error(c->resp, TS_ERR_IAM_DELETE_CONFLICT,
                             "Cannot delete the default version of a policy.");
    st = store_stmt("DELETE FROM iam_policy_version WHERE policy = ?1 AND version = ?2");
    sqlite3_bind_int64(st, 1, p.id);
    sqlite3_bind_int(st, 2, version_number(id));
    return iam_exec(c, st);
}

int iam_set_default_policy_version(ts_call *c)
{
    const char *id = iam_arg(c, "VersionId");
    sqlite3_stmt *st;
    policy p;

    if (version_local(c, &p) != 0)
        return -1;
    st = store_stmt("UPDATE iam_policy SET default_version = ?2, update_date = ?3 WHERE id = ?1");
    sqlite3_bind_int64(st, 1, p.id);
    sqlite3_bind_int(st, 2, version_number(id));
    sqlite3_bind_int64(st, 3, ts_now_ms());
    return iam_exec(c, st);
}
