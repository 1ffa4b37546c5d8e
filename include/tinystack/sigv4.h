/*
 * sigv4.h - reading the parts of an AWS Signature Version 4 that routing
 * needs: the access key, date, region and service of the credential scope.
 * Signatures are accepted without verification (as LocalStack does).
 */
#ifndef TINYSTACK_SIGV4_H
#define TINYSTACK_SIGV4_H

typedef struct ts_sigv4_scope {
    char access_key[128];
    char date[16];
    char region[64];
    char service[64];
} ts_sigv4_scope;

/* Parses "AWS4-HMAC-SHA256 Credential=AK/date/region/service/aws4_request,
 * SignedHeaders=..., Signature=...".  0, or -1 when it is not SigV4. */
int ts_sigv4_parse_authorization(const char *header, ts_sigv4_scope *out);
/* Parses "AK/date/region/service/aws4_request" (presigned X-Amz-Credential,
 * already URL-decoded).  0 or -1. */
int ts_sigv4_parse_credential(const char *cred, ts_sigv4_scope *out);

#endif
