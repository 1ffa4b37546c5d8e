/*
 * iam.h - what IAM offers the rest of tinystack (STS): who an access key
 * speaks for, the roles of an account, and a record of the temporary
 * credentials STS hands out.  Nothing here checks a signature or a
 * policy: tinystack accepts every caller, and only answers who it is.
 * Every function reads or writes the store, so it runs inside the
 * caller's read snapshot or write transaction.
 */
#ifndef TINYSTACK_IAM_H
#define TINYSTACK_IAM_H

#include <stdint.h>

#include "tinystack/http.h"

typedef enum iam_kind {
    IAM_ROOT = 0,        /* the account itself (any key IAM did not issue) */
    IAM_USER = 1,        /* an IAM user's key, or a session token of one */
    IAM_ROLE_SESSION = 2, /* credentials of AssumeRole and its kin */
    IAM_FEDERATED = 3,   /* credentials of GetFederationToken */
} iam_kind;

/* An identity as GetCallerIdentity tells it; the strings live in the
 * request's arena. */
typedef struct iam_identity {
    iam_kind kind;
    const char *account;   /* the account it belongs to */
    const char *arn;       /* arn:aws:iam::<account>:root, ...:user/<path><name>,
                            * arn:aws:sts::<account>:assumed-role/<role>/<session> */
    const char *user_id;   /* the account id (root), AIDA..., AROA...:<session> */
    int64_t user;          /* IAM_USER: the user's row id; else 0 */
} iam_identity;

/* Who req was signed as: the user or session behind req->access_key when
 * IAM or STS issued that key, else the root of req->account (user_id is
 * then the access key itself, or the account id for an unsigned
 * request, as LocalStack answers).  Fills *out; never fails. */
void iam_caller(ts_req *req, iam_identity *out);

/* The role whose ARN is arn in req's account: its RoleId (into role_id,
 * 32 bytes) and MaxSessionDuration.  0 when there is one, -1 when not. */
int iam_role_by_arn(ts_req *req, const char *arn, char *role_id, int *max_session);

/* Records temporary credentials (access_key_id, secret) that speak for
 * who until expires_ms, for iam_caller; expired records of more than a
 * day ago go at the same time.  Call inside a write transaction.  0 or
 * -1. */
int iam_session_add(ts_req *req, const char *access_key_id, const char *secret,
                    int64_t expires_ms, const iam_identity *who);

/* Fills out with n random characters of [A-Z0-9] after prefix and a NUL
 * (out holds strlen(prefix) + n + 1 bytes): role, user and policy ids,
 * access key ids. */
void iam_random_id(char *out, const char *prefix, size_t n);

#endif
