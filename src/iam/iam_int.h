/*
 * iam_int.h - what the files of src/iam/ share: reading the form
 * arguments of c->in, looking roles, users and policies up, the checks on
 * policy documents, tags, and the operations the table in iam.c points at.
 *
 * Every operation's input has been checked against the botocore model
 * before its handler runs (iam.c), so required members are there and
 * names match their patterns and lengths; handlers check only what the
 * model cannot say.
 */
#ifndef TINYSTACK_IAM_INT_H
#define TINYSTACK_IAM_INT_H

#include "tinystack/iam.h"
#include "tinystack/service.h"
#include "tinystack/store.h"
#include "tinystack/xml.h"

/* Limits AWS sets by default (IAM and STS quotas). */
#define IAM_MAX_KEYS_PER_USER 2
#define IAM_MAX_ATTACHED 10         /* managed policies per role or user */
#define IAM_MAX_VERSIONS 5          /* versions of a managed policy */
#define IAM_MAX_TAGS 50
#define IAM_MAX_ROLE_INLINE 10240   /* all inline policies of a role, in
                                     * characters other than white space */
#define IAM_MAX_USER_INLINE 2048
#define IAM_MAX_MANAGED_SIZE 6144
#define IAM_MAX_TRUST_SIZE 2048

/* A role or a user, as the owner of inline policies, attached policies
 * and tags: kind is "role" or "user" (the tables' kind column). */
typedef struct iam_owner {
    const char *kind;
    const char *name;
    int64_t id;
} iam_owner;

/* The form argument name of c, or NULL when the request has none.  The
 * string belongs to c->in. */
const char *iam_arg(ts_call *c, const char *name);

/* When the form name is prefix followed by a list index (1 to 1000, as
 * the model reads them: "Tags.member." and "3.Key"), the index, with
 * *rest at what follows it ("" or ".Key"); else 0. */
int iam_member_index(const char *name, const char *prefix, const char **rest);

/* The MaxItems argument of a listing (100 when absent) into *n; 0. */
int iam_max_items(ts_call *c, int *n);

/* Ends a listing: IsTruncated, and the Marker (the key of the last item
 * written) when truncated. */
void iam_page_end(ts_buf *b, int truncated, const char *marker);

/* How a listing writes its rows: row_cb writes the row st stands at (a
 * <member>); keep_cb, when not NULL, says whether a row is listed at all
 * (for what the SQL cannot filter).  Both get arg. */
typedef struct iam_rows {
    void (*row_cb)(ts_buf *b, sqlite3_stmt *st, void *arg);
    int (*keep_cb)(sqlite3_stmt *st, void *arg);
    void *arg;
} iam_rows;

/* Steps st (bound by the caller; reset here) and writes its rows with r
 * into b, at most max of them (all when max is 0).  Returns 1 when rows
 * were left over (the listing is truncated), else 0.  When last is not
 * NULL, *last gets the first column of the last row written (the key a
 * Marker names), copied into a. */
int iam_rows_xml(ts_buf *b, ts_arena *a, sqlite3_stmt *st, int max, const iam_rows *r,
                 char **last);

/* Writes a listing into c's body: <element>, at most max rows of st as
 * iam_rows_xml writes them, </element>, then IsTruncated and Marker.
 * 0. */
int iam_list_xml(ts_call *c, const char *element, sqlite3_stmt *st, int max, const iam_rows *r);

/* List{Roles,Users}: the statement of store_stmt(IAM_BY_PATH(columns of
 * table, the name first)) bound (?1 the account, ?2 PathPrefix, "/" when
 * absent, ?3 Marker, ?4 MaxItems + 1), its rows written as the listing
 * element (iam_list_xml).  0. */
#define IAM_BY_PATH(columns, table)                                           \
    "SELECT " columns " FROM " table " WHERE account = ?1"                    \
    " AND substr(path, 1, length(?2)) = ?2 AND (?3 IS NULL OR name > ?3)"     \
    " ORDER BY name LIMIT ?4"
int iam_list_by_path(ts_call *c, const char *element, sqlite3_stmt *st, const iam_rows *r);

/* Steps st (bound by the caller) once and resets it: the integer in the
 * first column of its row (a count, or 1 for SELECT 1), 0 when it has no
 * row. */
int iam_query_int(sqlite3_stmt *st);

/* Steps st (bound by the caller), a statement with no rows, and resets
 * it; 0, or -1 with InternalFailure set.  sqlite3_changes() still tells
 * what it changed. */
int iam_exec(ts_call *c, sqlite3_stmt *st);

/* Sets NoSuchEntity for the role or user (kind) called name: "The role
 * with name x cannot be found."; -1. */
int iam_not_found(ts_call *c, const char *kind, const char *name);

/* Looks the role (user) called name up in the caller's account: its row
 * id (> 0), or 0 with NoSuchEntity set. */
int64_t iam_role_find(ts_call *c, const char *name);
int64_t iam_user_find(ts_call *c, const char *name);

/* The role named by RoleName (kind "role") or the user named by UserName
 * (kind "user") into *o; 0, or -1 with NoSuchEntity set. */
int iam_owner_find(ts_call *c, const char *kind, iam_owner *o);

/* What Delete{Role,User} refuse, as AWS does: 0, or -1 with
 * DeleteConflict set while o has managed policies attached or inline
 * policies. */
int iam_owner_deletable(ts_call *c, const iam_owner *o);
/* Deletes the role or user o and forgets its tags and inline policies;
 * 0, or -1 with InternalFailure set. */
int iam_owner_delete(ts_call *c, const iam_owner *o);

/* The PolicyArn argument, shaped like a policy ARN
 * (arn:<partition>:iam::<account or aws>:policy/...); NULL with
 * InvalidInput set otherwise. */
const char *iam_policy_arn(ts_call *c);

/* 0 when doc is one JSON object and nothing else; else -1 with
 * MalformedPolicyDocument and message set. */
int iam_document_check(ts_call *c, const char *doc, const char *message);

/* The size AWS counts for a policy document: its characters other than
 * white space. */
size_t iam_document_size(const char *doc);

/* Writes doc URL-encoded as the element tag, as IAM sends documents. */
void iam_document_xml(ts_buf *b, const char *tag, const char *doc);

/* Writes epoch_ms as the ISO 8601 element tag. */
void iam_date_xml(ts_buf *b, const char *tag, int64_t epoch_ms);

/* The path, user and policy ARNs of the caller's account, in the arena. */
char *iam_user_arn(ts_call *c, const char *path, const char *name);

/* iam_tag.c: tags of a role, a user or a policy ("policy"). */
/* Adds the request's Tags.member.N to the owner (kind, id), replacing
 * the values of keys it has; 0, or -1 with the error set (bad keys,
 * duplicates, more than IAM_MAX_TAGS in all). */
int iam_tags_put(ts_call *c, const char *kind, int64_t id);
/* Writes <Tags> of the owner (nothing when it has none). */
void iam_tags_xml(ts_buf *b, const char *kind, int64_t id);
/* Forgets every tag, inline policy and attachment of the owner. */
void iam_owner_forget(const char *kind, int64_t id);

/* iam_role_policy.c: managed policies attached to roles and users. */
/* How many roles and users of the caller's account have arn attached. */
int iam_policy_attachments(ts_call *c, const char *arn);
/* How many managed policies the owner has attached. */
int iam_attached_count(const iam_owner *o);

/* iam_key.c */
/* How many access keys the user with row id (0: the root) has. */
int iam_key_count(ts_call *c, int64_t user);

/* iam_inline.c */
/* How many inline policies the owner has. */
int iam_inline_count(const iam_owner *o);

/* iam_policy.c */
/* Whether arn names a managed policy one can attach in the caller's
 * account: 1 (AWS's own policies always are; a local one must exist),
 * or 0 with NoSuchEntity set. */
int iam_policy_attachable(ts_call *c, const char *arn);

/* iam_policy_aws.c: the AWS managed policies tinystack knows. */
typedef struct iam_aws_policy {
    const char *name;
    const char *path;         /* "/" or "/service-role/" */
    const char *description;
    const char *document;     /* its one version, v1 */
} iam_aws_policy;

/* The i-th of them in ARN order, or NULL past the last. */
const iam_aws_policy *iam_aws_policy_at(size_t i);
/* The one whose ARN is arn, or NULL. */
const iam_aws_policy *iam_aws_policy_find(const char *arn);
/* Its PolicyId (ANPA and 17 characters derived from its name, the same
 * on every run) into out, 22 bytes. */
void iam_aws_policy_id(const iam_aws_policy *p, char *out);
/* When AWS made them all, as tinystack says (CreateDate, UpdateDate). */
#define IAM_AWS_POLICY_DATE 1423180800000LL /* 2015-02-06T00:00:00Z */

/* iam_role.c */
int iam_create_role(ts_call *c);
int iam_get_role(ts_call *c);
int iam_list_roles(ts_call *c);
int iam_delete_role(ts_call *c);
int iam_update_role(ts_call *c);
int iam_update_role_description(ts_call *c);
int iam_update_assume_role_policy(ts_call *c);

/* iam_role_policy.c */
int iam_attach_role_policy(ts_call *c);
int iam_detach_role_policy(ts_call *c);
int iam_list_attached_role_policies(ts_call *c);
int iam_attach_user_policy(ts_call *c);
int iam_detach_user_policy(ts_call *c);
int iam_list_attached_user_policies(ts_call *c);
int iam_list_entities_for_policy(ts_call *c);

/* iam_inline.c */
int iam_put_role_policy(ts_call *c);
int iam_get_role_policy(ts_call *c);
int iam_delete_role_policy(ts_call *c);
int iam_list_role_policies(ts_call *c);
int iam_put_user_policy(ts_call *c);
int iam_get_user_policy(ts_call *c);
int iam_delete_user_policy(ts_call *c);
int iam_list_user_policies(ts_call *c);

/* iam_policy.c */
int iam_create_policy(ts_call *c);
int iam_get_policy(ts_call *c);
int iam_delete_policy(ts_call *c);
int iam_list_policies(ts_call *c);
int iam_create_policy_version(ts_call *c);
int iam_get_policy_version(ts_call *c);
int iam_list_policy_versions(ts_call *c);
int iam_delete_policy_version(ts_call *c);
int iam_set_default_policy_version(ts_call *c);

/* iam_user.c */
int iam_create_user(ts_call *c);
int iam_get_user(ts_call *c);
int iam_list_users(ts_call *c);
int iam_delete_user(ts_call *c);
int iam_update_user(ts_call *c);

/* iam_key.c */
int iam_create_access_key(ts_call *c);
int iam_list_access_keys(ts_call *c);
int iam_delete_access_key(ts_call *c);
int iam_update_access_key(ts_call *c);
int iam_get_access_key_last_used(ts_call *c);

/* iam_tag.c */
int iam_tag_role(ts_call *c);
int iam_untag_role(ts_call *c);
int iam_list_role_tags(ts_call *c);
int iam_tag_user(ts_call *c);
int iam_untag_user(ts_call *c);
int iam_list_user_tags(ts_call *c);
int iam_tag_policy(ts_call *c);
int iam_untag_policy(ts_call *c);
int iam_list_policy_tags(ts_call *c);

/* iam_policy.c: the managed policy (kind "policy") of PolicyArn in the
 * caller's account, for its tags; its row id, or 0 with the error set
 * (AWS's own policies cannot be tagged here). */
int64_t iam_policy_local(ts_call *c);

#endif
