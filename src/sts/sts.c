/*
 * sts.c - STS (the query protocol, Version 2011-06-15): who am I, and
 * temporary credentials.  tinystack checks no signature and evaluates no
 * policy, so the credentials it hands out are only remembered (through
 * iam_session_add): a request signed with one of them is answered by
 * GetCallerIdentity as the identity it was issued for (the assumed role,
 * the federated user, the user behind a session token).  Any other key is
 * the account's root, as on LocalStack.
 *
 * AssumeRole accepts any well-formed role ARN, whether or not the role
 * exists (as LocalStack does; AWS would answer AccessDenied): tinystack
 * does not enforce trust policies, and a script that assumes a role made
 * elsewhere should not fail here.  When the role exists in the account,
 * its RoleId and MaxSessionDuration are honoured.
 *
 * Every operation's form arguments are checked against the botocore
 * model first (ValidationError, in AWS's words).
 */
#include "tinystack/iam.h"
#include "tinystack/service.h"
#include "tinystack/store.h"
#include "tinystack/xml.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#define POLICY_INVALID "The policy is not in the valid JSON format."
#define PACKED_LIMIT 2048 /* characters of session policies and tags */

static const char *arg(ts_call *c, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->in, name);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The DurationSeconds argument (the model held it to its range), or def. */
static long duration_arg(ts_call *c, long def)
{
    const char *v = arg(c, "DurationSeconds");

    return v ? atol(v) : def;
}

static void random_chars(char *out, size_t n, const char *alphabet, size_t alen)
{
    unsigned char raw[64];
    size_t i = 0, limit = 256 - 256 % alen;

    while (i < n) {
        if (RAND_bytes(raw, (int)sizeof(raw)) != 1)
            abort();
        for (size_t k = 0; k < sizeof(raw) && i < n; k++)
            if (raw[k] < limit)
                out[i++] = alphabet[raw[k] % alen];
    }
    out[n] = '\0';
}

/* Writes <Credentials> of a new temporary key that speaks for who for
 * seconds, and records it; 0, or -1 with the error set. */
static int credentials_issue(ts_call *c, long seconds, const iam_identity *who)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int64_t expires = ts_now_ms() + (int64_t)seconds * 1000;
    char key[21], secret[41], token[257], date[32];
    ts_buf *b = &c->resp->body;

    iam_random_id(key, "ASIA", 16);
    random_chars(secret, 40, b64, 64);
    /* The shape of AWS's tokens: a fixed prefix, then base64. */
    memcpy(token, "IQoJb3JpZ2luX2VjE", 17);
    random_chars(token + 17, sizeof(token) - 18, b64, 64);
    if (iam_session_add(c->req, key, secret, expires, who) != 0)
        return ts_resp_error(c->resp, TS_ERR_INTERNAL, NULL);
    ts_time_iso8601(expires, date);
    ts_buf_puts(b, "<Credentials>");
    ts_xml_text(b, "AccessKeyId", key);
    ts_xml_text(b, "SecretAccessKey", secret);
    ts_xml_text(b, "SessionToken", token);
    ts_xml_text(b, "Expiration", date);
    ts_buf_puts(b, "</Credentials>");
    return 0;
}

/* The session policies and tags of the request, as a percentage of what
 * a session may carry (PackedPolicySize), or -1 when it has none.  0, or
 * -1 with MalformedPolicyDocument or PackedPolicyTooLarge set. */
static int packed_size(ts_call *c, int *percent)
{
    const char *policy = arg(c, "Policy");
    size_t chars = 0;
    int any = 0;

    *percent = -1;
    if (policy) {
        cJSON *parsed = cJSON_ParseWithOpts(policy, NULL, 1);
        int ok = cJSON_IsObject(parsed);

        cJSON_Delete(parsed);
        if (!ok)
            return ts_resp_error(c->resp, TS_ERR_IAM_MALFORMED_POLICY, POLICY_INVALID);
        for (const char *p = policy; *p; p++)
            if (!strchr(" \t\r\n", *p))
                chars++;
        any = 1;
    }
    /* The managed session policies' ARNs and the tags, in one walk over
     * the form (a body of many names costs its length). */
    for (const cJSON *a = c->in ? c->in->child : NULL; a; a = a->next) {
        const char *n = a->string;

        if (!n || !cJSON_IsString(a))
            continue;
        if ((ts_starts_with(n, "PolicyArns.member.") && ts_ends_with(n, ".arn")) ||
            (ts_starts_with(n, "Tags.member.") &&
             (ts_ends_with(n, ".Key") || ts_ends_with(n, ".Value")))) {
            chars += strlen(a->valuestring);
            any = 1;
        }
    }
    if (!any)
        return 0;
    *percent = (int)((chars * 100 + PACKED_LIMIT - 1) / PACKED_LIMIT);
    if (*percent > 100)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_STS_PACKED_POLICY_TOO_LARGE,
                              "Packed policy consumes %d%% of allotted space, please use "
                              "smaller policy for assuming role.", *percent);
    return 0;
}

/* A role ARN, arn:<partition>:iam::<account>:role/<path><name>: its
 * partition, account and name into the arena; 0, or -1 with
 * ValidationError set. */
static int role_arn_parse(ts_call *c, const char *arn, const char **partition,
                          const char **account, const char **name)
{
    ts_arena *a = c->req->arena;
    const char *p = arn + 4, *colon, *acct;

    if (!ts_starts_with(arn, "arn:") || !(colon = strchr(p, ':')) || colon == p)
        goto bad;
    *partition = ts_arena_strndup(a, p, (size_t)(colon - p));
    if (strncmp(colon, ":iam::", 6) != 0)
        goto bad;
    acct = colon + 6;
    if (!(colon = strchr(acct, ':')) || colon == acct || strncmp(colon, ":role/", 6) != 0)
        goto bad;
    *account = ts_arena_strndup(a, acct, (size_t)(colon - acct));
    *name = strrchr(colon, '/') + 1;
    if (!**name)
        goto bad;
    return 0;
bad:
    return ts_resp_errorf(c->req, c->resp, TS_ERR_IAM_VALIDATION, "%s is invalid", arn);
}

/* AssumeRole and AssumeRoleWithWebIdentity: the role session of
 * RoleArn and RoleSessionName, into *who and its <AssumedRoleUser> into
 * b; 0, or -1 with the error set. */
static int role_session(ts_call *c, long duration, iam_identity *who, ts_buf *b)
{
    const char *arn = arg(c, "RoleArn"), *session = arg(c, "RoleSessionName");
    const char *partition = NULL, *account = NULL, *name = NULL;
    char role_id[32];
    int max_session;

    if (role_arn_parse(c, arn, &partition, &account, &name) != 0)
        return -1;
    if (!strcmp(account, c->req->account) &&
        iam_role_by_arn(c->req, arn, role_id, &max_session) == 0) {
        if (duration > max_session)
            return ts_resp_error(c->resp, TS_ERR_IAM_VALIDATION,
                                 "The requested DurationSeconds exceeds the MaxSessionDuration "
                                 "set for this role.");
    } else {
        /* A role tinystack does not know: an id that stays the same for
         * the same ARN. */
        static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        unsigned char md[SHA256_DIGEST_LENGTH];

        SHA256((const unsigned char *)arn, strlen(arn), md);
        memcpy(role_id, "AROA", 4);
        for (int i = 0; i < 17; i++)
            role_id[4 + i] = alnum[md[i] % 36];
        role_id[21] = '\0';
    }
    who->kind = IAM_ROLE_SESSION;
    who->account = account;
    who->user = 0;
    who->user_id = ts_arena_printf(c->req->arena, "%s:%s", role_id, session);
    who->arn = ts_arena_printf(c->req->arena, "arn:%s:sts::%s:assumed-role/%s/%s", partition,
                               account, name, session);
    ts_buf_puts(b, "<AssumedRoleUser>");
    ts_xml_text(b, "AssumedRoleId", who->user_id);
    ts_xml_text(b, "Arn", who->arn);
    ts_buf_puts(b, "</AssumedRoleUser>");
    return 0;
}

/* AssumeRole: Credentials, AssumedRoleUser, PackedPolicySize (with
 * session policies or tags), SourceIdentity. */
static int sts_assume_role(ts_call *c)
{
    long duration = duration_arg(c, 3600);
    const char *source = arg(c, "SourceIdentity");
    iam_identity who;
    ts_buf user;
    int percent, rc = -1;

    ts_buf_init(&user);
    if (packed_size(c, &percent) != 0 || role_session(c, duration, &who, &user) != 0)
        goto out;
    if (credentials_issue(c, duration, &who) != 0)
        goto out;
    ts_buf_append(&c->resp->body, user.data, user.len);
    if (percent >= 0)
        ts_xml_textf(&c->resp->body, "PackedPolicySize", "%d", percent);
    ts_xml_text(&c->resp->body, "SourceIdentity", source);
    rc = 0;
out:
    ts_buf_free(&user);
    return rc;
}

/* The claims of a JSON Web Token (its middle part, base64url), or NULL
 * when token is not one.  The caller deletes the tree. */
static cJSON *jwt_claims(const char *token)
{
    const char *dot = strchr(token, '.'), *end;
    unsigned char *raw = NULL;
    size_t n, rawlen;
    cJSON *claims = NULL;
    ts_buf b;

    if (!dot || !(end = strchr(dot + 1, '.')))
        return NULL;
    n = (size_t)(end - dot - 1);
    ts_buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        char ch = dot[1 + i];
        ts_buf_putc(&b, ch == '-' ? '+' : ch == '_' ? '/' : ch);
    }
    while (b.len % 4)
        ts_buf_putc(&b, '=');
    if (b.len && ts_base64_decode(b.data, b.len, &raw, &rawlen) == 0) {
        claims = cJSON_ParseWithLength((const char *)raw, rawlen);
        if (!cJSON_IsObject(claims)) {
            cJSON_Delete(claims);
            claims = NULL;
        }
    }
    ts_free(raw);
    ts_buf_free(&b);
    return claims;
}

/* AssumeRoleWithWebIdentity: as AssumeRole, for the holder of a token
 * (not verified: any token is accepted, as on LocalStack); the subject,
 * audience and issuer come from the token's claims when it is a JWT. */
static int sts_assume_role_with_web_identity(ts_call *c)
{
    long duration = duration_arg(c, 3600);
    cJSON *claims = jwt_claims(arg(c, "WebIdentityToken"));
    const cJSON *sub = cJSON_GetObjectItemCaseSensitive(claims, "sub");
    const cJSON *aud = cJSON_GetObjectItemCaseSensitive(claims, "aud");
    const cJSON *iss = cJSON_GetObjectItemCaseSensitive(claims, "iss");
    const char *provider = arg(c, "ProviderId");
    ts_buf *b = &c->resp->body;
    iam_identity who;
    ts_buf user;
    int percent, rc = -1;

    ts_buf_init(&user);
    if (cJSON_IsArray(aud))
        aud = cJSON_GetArrayItem(aud, 0);
    if (!provider && cJSON_IsString(iss))
        provider = ts_starts_with(iss->valuestring, "https://") ? iss->valuestring + 8
                                                                : iss->valuestring;
    if (packed_size(c, &percent) != 0 || role_session(c, duration, &who, &user) != 0)
        goto out;
    if (credentials_issue(c, duration, &who) != 0)
        goto out;
    if (cJSON_IsString(sub))
        ts_xml_text(b, "SubjectFromWebIdentityToken", sub->valuestring);
    ts_buf_append(b, user.data, user.len);
    if (percent >= 0)
        ts_xml_textf(b, "PackedPolicySize", "%d", percent);
    ts_xml_text(b, "Provider", provider);
    if (cJSON_IsString(aud))
        ts_xml_text(b, "Audience", aud->valuestring);
    rc = 0;
out:
    ts_buf_free(&user);
    cJSON_Delete(claims);
    return rc;
}

/* GetSessionToken: credentials for the caller itself (root or user);
 * refused to session credentials, as AWS refuses them. */
static int sts_get_session_token(ts_call *c)
{
    iam_identity who;

    iam_caller(c->req, &who);
    if (who.kind != IAM_ROOT && who.kind != IAM_USER)
        return ts_resp_error(c->resp, TS_ERR_ACCESS_DENIED,
                             "Cannot call GetSessionToken with session credentials");
    return credentials_issue(c, duration_arg(c, 43200), &who);
}

/* GetFederationToken: credentials for the federated user Name. */
static int sts_get_federation_token(ts_call *c)
{
    const char *name = arg(c, "Name");
    ts_buf *b = &c->resp->body;
    iam_identity caller, who;
    int percent;

    iam_caller(c->req, &caller);
    if (caller.kind != IAM_ROOT && caller.kind != IAM_USER)
        return ts_resp_error(c->resp, TS_ERR_ACCESS_DENIED,
                             "Cannot call GetFederationToken with session credentials");
    if (packed_size(c, &percent) != 0)
        return -1;
    who.kind = IAM_FEDERATED;
    who.account = c->req->account;
    who.user = 0;
    who.user_id = ts_arena_printf(c->req->arena, "%s:%s", c->req->account, name);
    who.arn = ts_arena_printf(c->req->arena, "arn:aws:sts::%s:federated-user/%s",
                              c->req->account, name);
    if (credentials_issue(c, duration_arg(c, 43200), &who) != 0)
        return -1;
    ts_buf_puts(b, "<FederatedUser>");
    ts_xml_text(b, "FederatedUserId", who.user_id);
    ts_xml_text(b, "Arn", who.arn);
    ts_buf_puts(b, "</FederatedUser>");
    if (percent >= 0)
        ts_xml_textf(b, "PackedPolicySize", "%d", percent);
    return 0;
}

/* GetCallerIdentity: the account, the ARN and the user id of whoever
 * signed the request (iam_caller). */
static int sts_get_caller_identity(ts_call *c)
{
    ts_buf *b = &c->resp->body;
    iam_identity who;

    iam_caller(c->req, &who);
    ts_xml_text(b, "UserId", who.user_id);
    ts_xml_text(b, "Account", who.account);
    ts_xml_text(b, "Arn", who.arn);
    return 0;
}

/* GetAccessKeyInfo: every key belongs to the configured account. */
static int sts_get_access_key_info(ts_call *c)
{
    ts_xml_text(&c->resp->body, "Account", c->req->account);
    return 0;
}

/* The operations: name, handler, transaction. */
#define STS_OPS(X)                                                            \
    X("AssumeRole", sts_assume_role, TS_OP_WRITE)                             \
    X("AssumeRoleWithWebIdentity", sts_assume_role_with_web_identity, TS_OP_WRITE) \
    X("GetAccessKeyInfo", sts_get_access_key_info, 0)                         \
    X("GetCallerIdentity", sts_get_caller_identity, TS_OP_READ)               \
    X("GetFederationToken", sts_get_federation_token, TS_OP_WRITE)            \
    X("GetSessionToken", sts_get_session_token, TS_OP_WRITE)

#define STS_ROW(name, fn, flags) {name, fn, flags, NULL, NULL, NULL, NULL, 0},
static const ts_op sts_ops[] = {
    STS_OPS(STS_ROW)
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, 0},
};
#undef STS_ROW

const ts_service sts_service = {
    .name = "sts",
    .signing_name = "sts",
    .target_prefix = NULL,
    .proto = &ts_proto_query,
    .version = "2011-06-15",
    .ops = sts_ops,
    .model_error = TS_ERR_IAM_VALIDATION,
    .max_body = 1u << 20,
    .too_large = TS_ERR_REQUEST_TOO_LARGE,
    .available = 1,
};
