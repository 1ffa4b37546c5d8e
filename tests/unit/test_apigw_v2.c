/*
 * test_apigw_v2.c - the pure parts of the HTTP API control plane: route
 * keys ($default, METHOD /path with {param} and a final {proxy+}), the
 * Lambda URIs an integration or authorizer may name (the function ARN, or
 * API Gateway's invocation ARN of it), HTTP URLs, and what a CORS
 * configuration may not combine.
 */
#include "test.h"

#include <cjson/cJSON.h>

#include "../../src/apigw/apigw_int.h"

typedef struct fake {
    ts_req req;
    ts_resp resp;
    ts_call call;
} fake;

static void fake_init(fake *f)
{
    memset(f, 0, sizeof(*f));
    f->req.arena = ts_arena_new();
    f->call.req = &f->req;
    f->call.resp = &f->resp;
}

static void fake_free(fake *f)
{
    ts_arena_free(f->req.arena);
}

/* 0 when key passes, else the error it got (BadRequestException). */
static int key_check(const char *key)
{
    fake f;
    int rc;

    fake_init(&f);
    rc = apigw_v2_route_key_check(&f.call, key);
    if (rc != 0 && f.resp.err != TS_ERR_APIGW_BAD_REQUEST)
        rc = -2;
    fake_free(&f);
    return rc;
}

TEST(apigw_v2_route_keys)
{
    static const char *const good[] = {
        "$default", "GET /", "ANY /{proxy+}", "POST /a/b", "GET /pets/{id}",
        "PUT /u/{user}/{proxy+}", "HEAD /a-b.c_d~e", "OPTIONS /x:y@z", "PATCH /{a}/{b}", NULL,
    };
    static const char *const bad[] = {
        "", "$connect", "$DEFAULT", "GET", "GET ", "get /x", "FETCH /x", "GET x", "GET /x/",
        "GET //x", "GET /{proxy+}/x", "GET /{}", "GET /{+}", "GET /a{b}", "GET /{a}b",
        "GET /{a}/{a}", "GET /{a b}", "GET /a b", "GET  /a", " GET /a", "GET /a?b", "GET /a#b",
        "GET /%41", NULL,
    };

    for (int i = 0; good[i]; i++) {
        if (key_check(good[i]) != 0)
            fprintf(stderr, "  refused: %s\n", good[i]);
        CHECK(key_check(good[i]) == 0);
    }
    for (int i = 0; bad[i]; i++) {
        if (key_check(bad[i]) != -1)
            fprintf(stderr, "  accepted: %s\n", bad[i]);
        CHECK(key_check(bad[i]) == -1);
    }
}

TEST(apigw_v2_lambda_uris)
{
    CHECK(apigw_v2_is_lambda_uri("arn:aws:lambda:us-east-1:000000000000:function:f"));
    CHECK(apigw_v2_is_lambda_uri("arn:aws:lambda:us-east-1:000000000000:function:f:live"));
    CHECK(apigw_v2_is_lambda_uri("arn:aws-cn:lambda:cn-north-1:123456789012:function:f"));
    CHECK(apigw_v2_is_lambda_uri(
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
        "arn:aws:lambda:us-east-1:000000000000:function:f/invocations"));
    CHECK(apigw_v2_is_lambda_uri(
        "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/"
        "arn:aws:lambda:eu-west-1:000000000000:function:f:3/invocations"));
    CHECK(!apigw_v2_is_lambda_uri(NULL));
    CHECK(!apigw_v2_is_lambda_uri(""));
    CHECK(!apigw_v2_is_lambda_uri("f"));
    CHECK(!apigw_v2_is_lambda_uri("arn:aws:lambda:us-east-1:000000000000:function:"));
    CHECK(!apigw_v2_is_lambda_uri("arn:aws:lambda:us-east-1:000000000000:function:f:"));
    CHECK(!apigw_v2_is_lambda_uri("arn:aws:lambda:us-east-1:0000:function:f"));
    CHECK(!apigw_v2_is_lambda_uri("arn:aws:lambda:us-east-1:000000000000:layer:f"));
    CHECK(!apigw_v2_is_lambda_uri("arn:aws:lambda::000000000000:function:f"));
    CHECK(!apigw_v2_is_lambda_uri("arn:aws:lambda:us-east-1:000000000000:function:f:1:2"));
    CHECK(!apigw_v2_is_lambda_uri(
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/f/invocations"));
    CHECK(!apigw_v2_is_lambda_uri(
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
        "arn:aws:lambda:us-east-1:000000000000:function:f"));
    CHECK(!apigw_v2_is_lambda_uri(
        "arn:aws:apigateway:us-east-1:s3:path/2015-03-31/functions/"
        "arn:aws:lambda:us-east-1:000000000000:function:f/invocations"));
    CHECK(!apigw_v2_is_lambda_uri("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/"
                                  "functions//invocations"));
}

TEST(apigw_v2_http_urls)
{
    CHECK(apigw_v2_is_http_url("http://example.com"));
    CHECK(apigw_v2_is_http_url("https://example.com:8443/a/{proxy}"));
    CHECK(!apigw_v2_is_http_url(NULL));
    CHECK(!apigw_v2_is_http_url("example.com"));
    CHECK(!apigw_v2_is_http_url("http://"));
    CHECK(!apigw_v2_is_http_url("http:///path"));
    CHECK(!apigw_v2_is_http_url("ftp://example.com"));
    CHECK(!apigw_v2_is_http_url("http://exa mple.com"));
}

TEST(apigw_v2_cors)
{
    fake f;
    cJSON *ok = cJSON_Parse("{\"allowOrigins\":[\"https://a\"],\"allowCredentials\":true}");
    cJSON *star = cJSON_Parse("{\"allowOrigins\":[\"https://a\",\"*\"],\"allowCredentials\":true}");
    cJSON *nocred = cJSON_Parse("{\"allowOrigins\":[\"*\"],\"allowCredentials\":false}");

    fake_init(&f);
    CHECK(apigw_v2_cors_check(&f.call, NULL) == 0);
    CHECK(apigw_v2_cors_check(&f.call, ok) == 0);
    CHECK(apigw_v2_cors_check(&f.call, nocred) == 0);
    CHECK(f.resp.err == TS_ERR_NONE);
    CHECK(apigw_v2_cors_check(&f.call, star) == -1);
    CHECK(f.resp.err == TS_ERR_APIGW_BAD_REQUEST);
    fake_free(&f);
    cJSON_Delete(ok);
    cJSON_Delete(star);
    cJSON_Delete(nocred);
}
