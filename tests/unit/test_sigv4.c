/*
 * test_sigv4.c - the SigV4 credential scope reader (include/tinystack/
 * sigv4.h): Authorization headers as the SDKs and the CLI send them,
 * presigned X-Amz-Credential values, and headers or credentials that are
 * not SigV4 or are malformed.
 */
#include "test.h"

#include "tinystack/sigv4.h"

#include <stdlib.h>

TEST(sigv4_authorization_good)
{
    ts_sigv4_scope s;

    /* The example of the AWS S3 SigV4 documentation. */
    CHECK(ts_sigv4_parse_authorization(
              "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/"
              "us-east-1/s3/aws4_request, SignedHeaders=host;range;"
              "x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857"
              "bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
              &s) == 0);
    CHECK_STR(s.access_key, "AKIAIOSFODNN7EXAMPLE");
    CHECK_STR(s.date, "20130524");
    CHECK_STR(s.region, "us-east-1");
    CHECK_STR(s.service, "s3");

    /* No space after the comma, other services and regions. */
    memset(&s, 'z', sizeof(s));
    CHECK(ts_sigv4_parse_authorization(
              "AWS4-HMAC-SHA256 Credential=test/20240101/eu-west-2/dynamodb/"
              "aws4_request,SignedHeaders=host;x-amz-date,Signature=abc",
              &s) == 0);
    CHECK_STR(s.access_key, "test");
    CHECK_STR(s.date, "20240101");
    CHECK_STR(s.region, "eu-west-2");
    CHECK_STR(s.service, "dynamodb");

    /* Credential last, and then the end of the header. */
    CHECK(ts_sigv4_parse_authorization(
              "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=abc, "
              "Credential=AK/20240101/ap-southeast-1/lambda/aws4_request",
              &s) == 0);
    CHECK_STR(s.region, "ap-southeast-1");
    CHECK_STR(s.service, "lambda");

    /* Service names with a dash, keys at their longest. */
    char hdr[512], key[128];
    memset(key, 'K', 127);
    key[127] = '\0';
    snprintf(hdr, sizeof(hdr),
             "AWS4-HMAC-SHA256 Credential=%s/20240101/us-gov-west-1/"
             "execute-api/aws4_request, SignedHeaders=host, Signature=0",
             key);
    CHECK(ts_sigv4_parse_authorization(hdr, &s) == 0);
    CHECK_STR(s.access_key, key);
    CHECK_STR(s.region, "us-gov-west-1");
    CHECK_STR(s.service, "execute-api");
}

TEST(sigv4_authorization_malformed)
{
    const char *bad[] = {
        "",
        "AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=", /* SigV2 */
        "Bearer abc",
        "AWS4-HMAC-SHA256",
        "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=abc",
        "AWS4-HMAC-SHA256 Credential=",
        "AWS4-HMAC-SHA256 Credential=AK, SignedHeaders=host",
        "AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/s3, Signature=x",
        "AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/s3/, Signature=x",
        "AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/s3/aws4_requestX",
        "AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/s3/aws3_request",
        "AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/s3/x/aws4_request",
        "AWS4-HMAC-SHA256 Credential=AK/20240101//s3/aws4_request",
        "AWS4-HMAC-SHA256 Credential=AK/2024010100000000/us-east-1/s3/aws4_request",
        "Credential=AK/20240101/us-east-1/s3/aws4_request",
        " AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/s3/aws4_request",
        /* The scope ends at the parameter's comma: no part spans it. */
        "AWS4-HMAC-SHA256 Credential=AK, SignedHeaders=host/20240101/"
        "us-east-1/s3/aws4_request",
        "AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/s3, "
        "SignedHeaders=host/aws4_request",
    };
    ts_sigv4_scope s;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (ts_sigv4_parse_authorization(bad[i], &s) != -1) {
            fprintf(stderr, "  accepted \"%s\"\n", bad[i]);
            CHECK(!"malformed Authorization accepted");
        }
}

TEST(sigv4_authorization_oversize_parts)
{
    ts_sigv4_scope s;
    char hdr[1024], big[200];

    /* Parts longer than their fields are refused, never truncated. */
    memset(big, 'A', 128);
    big[128] = '\0';
    snprintf(hdr, sizeof(hdr),
             "AWS4-HMAC-SHA256 Credential=%s/20240101/us-east-1/s3/aws4_request", big);
    CHECK(ts_sigv4_parse_authorization(hdr, &s) == -1);

    memset(big, 'r', 64);
    big[64] = '\0';
    snprintf(hdr, sizeof(hdr),
             "AWS4-HMAC-SHA256 Credential=AK/20240101/%s/s3/aws4_request", big);
    CHECK(ts_sigv4_parse_authorization(hdr, &s) == -1);
    big[63] = '\0';
    snprintf(hdr, sizeof(hdr),
             "AWS4-HMAC-SHA256 Credential=AK/20240101/%s/s3/aws4_request", big);
    CHECK(ts_sigv4_parse_authorization(hdr, &s) == 0);
    CHECK(strlen(s.region) == 63);

    memset(big, 's', 64);
    big[64] = '\0';
    snprintf(hdr, sizeof(hdr),
             "AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/%s/aws4_request", big);
    CHECK(ts_sigv4_parse_authorization(hdr, &s) == -1);

    memset(big, '1', 16);
    big[16] = '\0';
    snprintf(hdr, sizeof(hdr),
             "AWS4-HMAC-SHA256 Credential=AK/%s/us-east-1/s3/aws4_request", big);
    CHECK(ts_sigv4_parse_authorization(hdr, &s) == -1);

    /* A terminator longer than any valid one. */
    memset(big, 'x', 150);
    big[150] = '\0';
    snprintf(hdr, sizeof(hdr),
             "AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/s3/%s", big);
    CHECK(ts_sigv4_parse_authorization(hdr, &s) == -1);
}

TEST(sigv4_credential_presigned)
{
    ts_sigv4_scope s;

    CHECK(ts_sigv4_parse_credential(
              "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request", &s) == 0);
    CHECK_STR(s.access_key, "AKIAIOSFODNN7EXAMPLE");
    CHECK_STR(s.date, "20130524");
    CHECK_STR(s.region, "us-east-1");
    CHECK_STR(s.service, "s3");

    CHECK(ts_sigv4_parse_credential("test/20240101/eu-central-1/sqs/aws4_request",
                                    &s) == 0);
    CHECK_STR(s.region, "eu-central-1");
    CHECK_STR(s.service, "sqs");

    const char *bad[] = {
        "",
        "AK",
        "AK/20240101",
        "AK/20240101/us-east-1",
        "AK/20240101/us-east-1/s3",
        "AK/20240101/us-east-1/s3/",
        "AK/20240101/us-east-1/s3/aws4_request/",
        "AK/20240101/us-east-1/s3/aws4_request/extra",
        "AK/20240101/us-east-1/s3/AWS4_REQUEST",
        "AK/20240101//s3/aws4_request",
        /* Still URL-encoded: the caller decodes first. */
        "AK%2F20240101%2Fus-east-1%2Fs3%2Faws4_request",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (ts_sigv4_parse_credential(bad[i], &s) != -1) {
            fprintf(stderr, "  accepted \"%s\"\n", bad[i]);
            CHECK(!"malformed credential accepted");
        }
}
