/*
 * test_http.c - the router as a table (request in, service and operation
 * out), each protocol's error and success renderers, and suspend/resume
 * through a real libmicrohttpd server on a free port.
 */
#include "test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "tinystack/service.h"

typedef struct fake {
    ts_req req;
    ts_resp resp;
    ts_call call;
} fake;

/* A request built by hand: method, URI and "Name: value" headers. */
static void fake_init(fake *f, const char *method, const char *uri, const char *const *headers)
{
    memset(f, 0, sizeof(*f));
    f->req.arena = ts_arena_new();
    f->req.method = method;
    f->req.uri = uri;
    f->call.req = &f->req;
    f->call.resp = &f->resp;
    f->req.call = &f->call;
    strcpy(f->req.request_id, "11111111-2222-3333-4444-555555555555");
    for (int i = 0; headers && headers[i]; i++) {
        const char *colon = strchr(headers[i], ':');
        char *name = ts_arena_strndup(f->req.arena, headers[i], (size_t)(colon - headers[i]));
        ts_req_add_header(&f->req, name, colon + 2);
    }
    ts_req_parse(&f->req);
}

static void fake_free(fake *f)
{
    cJSON_Delete(f->call.in);
    cJSON_Delete(f->call.out);
    ts_buf_free(&f->resp.body);
    ts_buf_free(&f->req.body);
    ts_arena_free(f->req.arena);
}

#define AUTH(svc)                                                             \
    "Authorization: AWS4-HMAC-SHA256 Credential=test/20261201/us-east-1/" svc \
    "/aws4_request, SignedHeaders=host, Signature=00"

static const struct route_case {
    const char *method, *uri;
    const char *headers[4];
    const char *service, *op; /* op NULL: decided after the body */
} route_cases[] = {
    {"GET", "/_localstack/health", {NULL}, "internal", "Health"},
    {"POST", "/_tinystack/reset", {NULL}, "internal", "Reset"},
    {"GET", "/", {"Host: localhost:4566", NULL}, "s3", "ListBuckets"},
    {"PUT", "/b", {"Host: localhost", AUTH("s3"), NULL}, "s3", "CreateBucket"},
    {"GET", "/b/k?tagging", {"Host: localhost", NULL}, "s3", "GetObjectTagging"},
    {"GET", "/k", {"Host: b.s3.localhost.localstack.cloud", NULL}, "s3", "GetObject"},
    /* sub-resources name their own operation, implemented or not */
    {"PUT", "/b/k?legal-hold", {"Host: localhost", NULL}, "s3", "PutObjectLegalHold"},
    {"GET", "/b/k?attributes", {"Host: localhost", NULL}, "s3", "GetObjectAttributes"},
    {"GET", "/b?analytics&id=x", {"Host: localhost", NULL}, "s3", "GetBucketAnalyticsConfiguration"},
    {"GET", "/b?analytics", {"Host: localhost", NULL}, "s3", "ListBucketAnalyticsConfigurations"},
    {"PUT", "/b?policy", {"Host: localhost", NULL}, "s3", "PutBucketPolicy"},
    {"GET", "/b/k?versionId=v&response-content-type=a&x-id=GetObject", {"Host: localhost", NULL},
     "s3", "GetObject"},
    {"PUT", "/b/k?uploadId=u", {"Host: localhost", NULL}, "s3", "UploadPart"},
    /* a virtual-host key that looks like another service's path */
    {"GET", "/2015-03-31/functions", {"Host: b.s3.localhost.localstack.cloud", NULL}, "s3", "GetObject"},
    {"POST", "/", {"X-Amz-Target: DynamoDB_20120810.GetItem", AUTH("dynamodb"), NULL}, "dynamodb", "GetItem"},
    {"POST", "/", {"X-Amz-Target: DynamoDB_20120810.NoSuchThing", NULL}, "dynamodb", "Unknown"},
    {"POST", "/", {"X-Amz-Target: Logs_20140328.CreateLogGroup", AUTH("logs"), NULL}, "logs",
     "CreateLogGroup"},
    {"POST", "/", {"X-Amz-Target: Logs_20140328.FilterLogEvents", NULL}, "logs", "FilterLogEvents"},
    {"POST", "/", {"X-Amz-Target: Logs_20140328.StartQuery", AUTH("logs"), NULL}, "logs", "Unknown"},
    {"GET", "/2015-03-31/functions/", {AUTH("lambda"), NULL}, "lambda", "ListFunctions"},
    {"GET", "/2018-10-31/layers", {AUTH("lambda"), NULL}, "lambda", "Unknown"},
    {"GET", "/2015-03-31/functions/", {NULL}, "lambda", "ListFunctions"},
    {"GET", "/restapis", {AUTH("apigateway"), NULL}, "apigateway", "GetRestApis"},
    {"GET", "/restapis/abc123/dev/_user_request_/x", {NULL}, "apigateway", "ExecuteApi"},
    {"GET", "/restapis/abc123/dev/_user_request_/x", {AUTH("s3"), NULL}, "apigateway", "ExecuteApi"},
    {"GET", "/_aws/execute-api/abc123/dev/x", {NULL}, "apigateway", "ExecuteApi"},
    /* HTTP APIs: /v2/ under API Gateway's signature (or none); a bucket v2 stays S3's */
    {"GET", "/v2/apis", {AUTH("apigateway"), NULL}, "apigatewayv2", "GetApis"},
    {"PUT", "/v2/apis", {AUTH("apigateway"), NULL}, "apigatewayv2", "ImportApi"},
    {"PUT", "/v2/apis/a1", {AUTH("apigateway"), NULL}, "apigatewayv2", "ReimportApi"},
    {"PATCH", "/v2/apis/a1", {NULL}, "apigatewayv2", "UpdateApi"},
    {"DELETE", "/v2/apis/a1/cors", {AUTH("apigateway"), NULL}, "apigatewayv2",
     "DeleteCorsConfiguration"},
    {"GET", "/v2/apis/a1/routes/r1", {AUTH("apigateway"), NULL}, "apigatewayv2", "GetRoute"},
    {"GET", "/v2/apis/a1/stages/%24default", {AUTH("apigateway"), NULL}, "apigatewayv2",
     "GetStage"},
    {"GET", "/v2/apis/a1/exports/OAS30?outputType=JSON", {AUTH("apigateway"), NULL},
     "apigatewayv2", "ExportApi"},
    {"POST", "/v2/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fapis%2Fa1",
     {AUTH("apigateway"), NULL}, "apigatewayv2", "TagResource"},
    {"GET", "/v2/tags/arn:aws:apigateway:us-east-1::/apis/a1", {AUTH("apigateway"), NULL},
     "apigatewayv2", "GetTags"},
    {"GET", "/v2/apis/a1/vpclinks", {AUTH("apigateway"), NULL}, "apigatewayv2", "Unknown"},
    {"GET", "/v2/key", {"Host: localhost", AUTH("s3"), NULL}, "s3", "GetObject"},
    {"GET", "/dev/x", {"Host: abc123.execute-api.localhost.localstack.cloud:4566", NULL},
     "apigateway", "ExecuteApi"},
    {"POST", "/", {AUTH("sts"), "Content-Type: application/x-www-form-urlencoded", NULL}, "sts", NULL},
    {"POST", "/", {AUTH("iam"), "Content-Type: application/x-www-form-urlencoded", NULL}, "iam", NULL},
    {"POST", "/", {"Content-Type: application/x-www-form-urlencoded", NULL}, "sts", NULL},
    {"GET", "/?Action=GetCallerIdentity&Version=2011-06-15", {NULL}, "sts", "GetCallerIdentity"},
    {"GET", "/?Action=AssumeRole&Version=2011-06-15", {NULL}, "sts", "AssumeRole"},
    {"GET", "/?Action=DecodeAuthorizationMessage&Version=2011-06-15", {NULL}, "sts", "Unknown"},
    /* IAM's Action picks IAM even unsigned; signed for IAM, it stays there */
    {"GET", "/?Action=ListRoles&Version=2010-05-08", {NULL}, "iam", "ListRoles"},
    {"GET", "/?Action=ListRoles&Version=2010-05-08", {AUTH("iam"), NULL}, "iam", "ListRoles"},
    {"GET", "/?Action=GetUser&Version=2010-05-08", {AUTH("iam"), NULL}, "iam", "GetUser"},
    {"GET", "/?Action=ListGroups&Version=2010-05-08", {AUTH("iam"), NULL}, "iam", "Unknown"},
};

TEST(router_table)
{
    for (size_t i = 0; i < TS_ARRAY_LEN(route_cases); i++) {
        const struct route_case *rc = &route_cases[i];
        fake f;
        const ts_service *svc;

        fake_init(&f, rc->method, rc->uri, rc->headers);
        svc = http_route(&f.call);
        if (strcmp(svc->name, rc->service) != 0 ||
            (rc->op ? !f.req.op || strcmp(f.req.op->name, rc->op) != 0 : f.req.op != NULL)) {
            fprintf(stderr, "  route %s %s: got %s.%s\n", rc->method, rc->uri, svc->name,
                    f.req.op ? f.req.op->name : "(after body)");
            *ts_failed_ = 1;
        }
        fake_free(&f);
    }
}

TEST(router_query_action_after_body)
{
    const char *h[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    fake f;

    fake_init(&f, "POST", "/", h);
    http_route(&f.call);
    ts_buf_puts(&f.req.body, "Action=GetCallerIdentity&Version=2011-06-15");
    REQUIRE(f.req.service->proto->parse(&f.call) == 0);
    http_route_action(&f.call);
    CHECK(f.resp.err == TS_ERR_NONE);
    REQUIRE(f.req.op != NULL);
    CHECK_STR(f.req.op->name, "GetCallerIdentity");
    fake_free(&f);

    fake_init(&f, "POST", "/", h);
    http_route(&f.call);
    ts_buf_puts(&f.req.body, "Action=DecodeAuthorizationMessage&Version=2011-06-15");
    REQUIRE(f.req.service->proto->parse(&f.call) == 0);
    http_route_action(&f.call);
    CHECK(f.resp.err == TS_ERR_INVALID_ACTION);
    CHECK_STR(f.resp.err_message,
              "Could not find operation DecodeAuthorizationMessage for version 2011-06-15");
    fake_free(&f);

    /* unsigned, the form's Action moves the request from STS to IAM */
    fake_init(&f, "POST", "/", h);
    http_route(&f.call);
    ts_buf_puts(&f.req.body, "Action=CreateRole&Version=2010-05-08&RoleName=r");
    REQUIRE(f.req.service->proto->parse(&f.call) == 0);
    http_route_action(&f.call);
    CHECK(f.resp.err == TS_ERR_NONE);
    CHECK_STR(f.req.service->name, "iam");
    REQUIRE(f.req.op != NULL);
    CHECK_STR(f.req.op->name, "CreateRole");
    fake_free(&f);
}

/* Renders f's error and returns the body. */
static const char *render(fake *f, ts_err err, const char *msg)
{
    ts_resp_error(&f->resp, err, msg);
    http_render(&f->call);
    return f->resp.body.data ? f->resp.body.data : "";
}

static const char *resp_header(fake *f, const char *name)
{
    for (ts_kv *h = f->resp.headers; h; h = h->next)
        if (ts_strieq(h->name, name))
            return h->value;
    return NULL;
}

TEST(render_errors_per_protocol)
{
    const char *ddb[] = {"X-Amz-Target: DynamoDB_20120810.GetItem", NULL};
    const char *logs[] = {"X-Amz-Target: Logs_20140328.X", NULL};
    const char *lam[] = {AUTH("lambda"), NULL};
    const char *sts[] = {AUTH("sts"), NULL};
    fake f;

    fake_init(&f, "POST", "/", ddb);
    http_route(&f.call);
    CHECK_STR(render(&f, TS_ERR_VALIDATION, "bad"),
              "{\"__type\":\"com.amazon.coral.validate#ValidationException\",\"message\":\"bad\"}");
    CHECK(f.resp.status == 400);
    CHECK(resp_header(&f, "x-amz-crc32") != NULL);
    CHECK_STR(resp_header(&f, "x-amzn-RequestId"), f.req.request_id);
    fake_free(&f);

    fake_init(&f, "POST", "/", ddb);
    http_route(&f.call);
    CHECK_STR(render(&f, TS_ERR_RESOURCE_NOT_FOUND, "gone"),
              "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\","
              "\"message\":\"gone\"}");
    fake_free(&f);

    fake_init(&f, "POST", "/", logs);
    http_route(&f.call);
    f.resp.err = TS_ERR_NONE;
    CHECK_STR(render(&f, TS_ERR_RESOURCE_NOT_FOUND, "The specified log group does not exist."),
              "{\"__type\":\"ResourceNotFoundException\","
              "\"message\":\"The specified log group does not exist.\"}");
    CHECK_STR(resp_header(&f, "Content-Type"), "application/x-amz-json-1.1");
    fake_free(&f);

    fake_init(&f, "GET", "/2015-03-31/functions/f", lam);
    http_route(&f.call);
    f.resp.err = TS_ERR_NONE;
    CHECK_STR(render(&f, TS_ERR_RESOURCE_NOT_FOUND, "Function not found"),
              "{\"Type\":\"User\",\"message\":\"Function not found\"}");
    CHECK_STR(resp_header(&f, "x-amzn-ErrorType"), "ResourceNotFoundException");
    fake_free(&f);

    fake_init(&f, "POST", "/", sts);
    http_route(&f.call);
    f.req.op = NULL;
    CHECK_STR(render(&f, TS_ERR_INTERNAL_SERVER, "boom"),
              "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
              "<Type>Receiver</Type><Code>InternalServerError</Code><Message>boom</Message>"
              "</Error><RequestId>11111111-2222-3333-4444-555555555555</RequestId></ErrorResponse>");
    fake_free(&f);

    fake_init(&f, "GET", "/b/k", NULL);
    http_route(&f.call);
    CHECK(strstr(render(&f, TS_ERR_NO_SUCH_KEY, NULL), "<Code>NoSuchKey</Code>") != NULL);
    CHECK(f.resp.status == 404);
    CHECK_STR(resp_header(&f, "x-amz-request-id"), f.req.request_id);
    fake_free(&f);
}

TEST(render_success_json_and_query)
{
    const char *ddb[] = {"X-Amz-Target: DynamoDB_20120810.ListTables", NULL};
    const char *iam[] = {AUTH("iam"), NULL};
    static const ts_op get_user = {"GetUser", NULL, 0, NULL, NULL, NULL, NULL, 0};
    fake f;

    fake_init(&f, "POST", "/", ddb);
    http_route(&f.call);
    REQUIRE(f.req.service->proto->parse(&f.call) == 0);
    cJSON_AddNumberToObject(f.call.out, "n", 1);
    http_render(&f.call);
    CHECK_STR(f.resp.body.data, "{\"n\":1}");
    fake_free(&f);

    fake_init(&f, "POST", "/", iam);
    http_route(&f.call);
    f.req.op = &get_user;
    ts_buf_puts(&f.resp.body, "<User/>");
    http_render(&f.call);
    CHECK_STR(f.resp.body.data,
              "<GetUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
              "<GetUserResult><User/></GetUserResult><ResponseMetadata><RequestId>"
              "11111111-2222-3333-4444-555555555555</RequestId></ResponseMetadata>"
              "</GetUserResponse>");
    fake_free(&f);
}

/* JSON protocols: U+0000 survives as C0 80 between parse and render, and
 * a null member is dropped at parse. */
TEST(json_protocol_nul_and_null)
{
    const char *ddb[] = {"X-Amz-Target: DynamoDB_20120810.GetItem", NULL};
    static const char body[] =
        "{\"a\":\"x\\u0000y\",\"\\u0000k\":1,\"b\":null,"
        "\"c\":{\"d\":null,\"e\":[null,\"\\\\u0000\"]}}";
    const cJSON *a, *e;
    fake f;

    fake_init(&f, "POST", "/", ddb);
    ts_buf_puts(&f.req.body, body);
    http_route(&f.call);
    REQUIRE(f.req.service->proto->parse(&f.call) == 0);
    a = cJSON_GetObjectItemCaseSensitive(f.call.in, "a");
    REQUIRE(cJSON_IsString(a));
    CHECK_STR(a->valuestring, "x\xc0\x80y");
    CHECK(cJSON_GetObjectItemCaseSensitive(f.call.in, "\xc0\x80k") != NULL);
    CHECK(cJSON_GetObjectItemCaseSensitive(f.call.in, "b") == NULL);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(f.call.in, "c")) == 1);
    e = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(f.call.in, "c"), "e");
    CHECK(cJSON_GetArraySize(e) == 2 && cJSON_IsNull(cJSON_GetArrayItem(e, 0)));
    /* an escaped backslash before u0000 is text, not a NUL */
    CHECK_STR(cJSON_GetArrayItem(e, 1)->valuestring, "\\u0000");
    cJSON_AddItemToObject(f.call.out, "a", cJSON_Duplicate(a, 1));
    http_render(&f.call);
    CHECK_STR(f.resp.body.data, "{\"a\":\"x\\u0000y\"}");
    fake_free(&f);
}

/* ---- suspend/resume through a real server ---- */

static void *resume_later(void *arg)
{
    ts_req *req = arg;

    usleep(200 * 1000);
    ts_buf_puts(&req->call->resp->body, "resumed");
    http_resume(req);
    return NULL;
}

static int op_wait(ts_call *c)
{
    pthread_t t;

    http_suspend(c->req);
    pthread_create(&t, NULL, resume_later, c->req);
    pthread_detach(t);
    return 0;
}

/* Resumed from inside the handler, before the connection is parked. */
static int op_early(ts_call *c)
{
    http_suspend(c->req);
    ts_buf_puts(&c->resp->body, "early");
    http_resume(c->req);
    return 0;
}

static int op_quick(ts_call *c)
{
    ts_buf_puts(&c->resp->body, "quick");
    return 0;
}

static const ts_op test_ops[] = {
    {"Wait", op_wait, 0, NULL, NULL, "GET", "/wait", 0},
    {"Early", op_early, 0, NULL, NULL, "GET", "/early", 0},
    {"Quick", op_quick, 0, NULL, NULL, "GET", "/quick", 0},
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, 0},
};

static const ts_service test_service = {
    .name = "test", .signing_name = "test", .proto = &ts_proto_rest_json,
    .ops = test_ops, .max_body = 1024,
};

static int connect_to(int port)
{
    struct sockaddr_in a;
    struct timeval tv = {5, 0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Sends GET path and reads until the body is in; returns the body. */
static char *get(int fd, const char *path, char *buf, size_t max)
{
    char req[128];
    size_t n = 0;
    ssize_t r;
    char *body;

    snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path);
    if (write(fd, req, strlen(req)) < 0)
        return NULL;
    while (n < max - 1 && (r = read(fd, buf + n, max - 1 - n)) > 0) {
        n += (size_t)r;
        buf[n] = '\0';
        body = strstr(buf, "\r\n\r\n");
        if (body) {
            const char *cl = strstr(buf, "Content-Length: ");
            if (cl && strlen(body + 4) >= (size_t)atoi(cl + 16))
                return body + 4;
        }
    }
    return NULL;
}

TEST(suspend_resume)
{
    char b1[2048], b2[2048], b3[2048];
    int fd1, fd2, fd3, port = 0;
    double t0, t_quick, t_wait;
    char *body;

    for (int i = 0; i < 20 && !port; i++) {
        ts_cfg.port = 20000 + (int)(getpid() % 20000) + i * 7;
        ts_cfg.host = "127.0.0.1";
        ts_cfg.threads = 1; /* one worker: a parked request must not hold it */
        ts_cfg.idle_timeout = 10;
        http_route_override = &test_service;
        if (http_server_start() == 0)
            port = ts_cfg.port;
    }
    REQUIRE(port);
    fd1 = connect_to(port);
    fd2 = connect_to(port);
    fd3 = connect_to(port);
    REQUIRE(fd1 >= 0 && fd2 >= 0 && fd3 >= 0);
    t0 = ts_now_monotonic();
    {
        char req[] = "GET /wait HTTP/1.1\r\nHost: x\r\n\r\n";
        REQUIRE(write(fd1, req, strlen(req)) > 0);
    }
    usleep(20 * 1000);
    body = get(fd2, "/quick", b2, sizeof(b2));
    t_quick = ts_now_monotonic() - t0;
    CHECK(body && !strcmp(body, "quick"));
    body = get(fd3, "/early", b3, sizeof(b3));
    CHECK(body && !strcmp(body, "early"));
    {
        size_t n = 0;
        ssize_t r;
        while (n < sizeof(b1) - 1 && (r = read(fd1, b1 + n, sizeof(b1) - 1 - n)) > 0) {
            n += (size_t)r;
            b1[n] = '\0';
            if (strstr(b1, "resumed"))
                break;
        }
        b1[n] = '\0';
    }
    t_wait = ts_now_monotonic() - t0;
    CHECK(strstr(b1, "200 OK") != NULL);
    CHECK(strstr(b1, "resumed") != NULL);
    /* the quick request was answered while the other was parked */
    CHECK(t_quick < t_wait);
    /* and the parked connection is reusable afterwards */
    body = get(fd1, "/quick", b1, sizeof(b1));
    CHECK(body && !strcmp(body, "quick"));
    close(fd1);
    close(fd2);
    close(fd3);
    http_server_stop();
    http_route_override = NULL;
}
