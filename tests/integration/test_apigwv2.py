"""API Gateway v2 (HTTP APIs) over REST-JSON: APIs with AWS's defaults and
quick create, paging, the CORS configuration, routes and their keys,
integrations, authorizers, stages and deployments (automatic ones too),
tags by ARN, OpenAPI 3 import, reimport and export, and bad input, which
gets AWS's error and never a 5xx."""

import http.client
import json
import os
import random
import unittest
import urllib.parse

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import tinystack_env as env

ACCOUNT = "000000000000"
FN_ARN = "arn:aws:lambda:%s:%s:function:hello" % (env.REGION, ACCOUNT)
INVOKE_ARN = ("arn:aws:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations"
              % (env.REGION, FN_ARN))


def v2_client(validate=True):
    return boto3.session.Session().client(
        "apigatewayv2", region_name=env.REGION, endpoint_url=env.ENDPOINT,
        aws_access_key_id=env.ACCESS_KEY, aws_secret_access_key=env.SECRET_KEY,
        config=Config(retries={"max_attempts": 0}, parameter_validation=validate,
                      read_timeout=60))


def raw(method, path, body=b"", ctype="application/json"):
    """One request under API Gateway's signature scope; (status, error type,
    parsed JSON or None)."""
    if not isinstance(body, bytes):
        body = json.dumps(body).encode()
    conn = http.client.HTTPConnection(env.HOST, env.PORT, timeout=60)
    try:
        conn.request(method, path, body=body, headers={
            "Content-Type": ctype,
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20250101/%s/apigateway/"
                             "aws4_request, SignedHeaders=host, Signature=00" % env.REGION})
        r = conn.getresponse()
        data = r.read()
        etype = r.getheader("x-amzn-ErrorType")
    finally:
        conn.close()
    try:
        parsed = json.loads(data) if data else None
    except ValueError:
        parsed = None
    return r.status, etype, parsed


def arn(api_id, stage=None):
    a = "arn:aws:apigateway:%s::/apis/%s" % (env.REGION, api_id)
    return a + ("/stages/%s" % stage if stage else "")


class V2TestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        env.reset()
        cls.v2 = v2_client()
        cls.loose = v2_client(validate=False)

    def assertV2Error(self, code, fn, *a, status=None, message=None, contains=None, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(*a, **kw)
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], code, err)
        want = status or {"NotFoundException": 404, "ConflictException": 409}.get(code, 400)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], want, err)
        if message is not None:
            self.assertEqual(err["Error"]["Message"], message)
        if contains is not None:
            self.assertIn(contains, err["Error"]["Message"])
        return err["Error"]["Message"]

    def api(self, **kw):
        kw.setdefault("Name", "api")
        kw.setdefault("ProtocolType", "HTTP")
        return self.v2.create_api(**kw)["ApiId"]

    def lambda_integration(self, api_id, **kw):
        kw.setdefault("PayloadFormatVersion", "2.0")
        return self.v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY",
                                          IntegrationUri=FN_ARN, **kw)

    def route(self, api_id, key, **kw):
        return self.v2.create_route(ApiId=api_id, RouteKey=key, **kw)


class TestApis(V2TestCase):

    def test_create_has_aws_defaults(self):
        r = self.v2.create_api(Name="shop", ProtocolType="HTTP")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 201)
        api_id = r["ApiId"]
        self.assertRegex(api_id, r"^[a-z0-9]{10}$")
        self.assertEqual(r["Name"], "shop")
        self.assertEqual(r["ProtocolType"], "HTTP")
        self.assertEqual(r["RouteSelectionExpression"], "$request.method $request.path")
        self.assertEqual(r["ApiKeySelectionExpression"], "$request.header.x-api-key")
        self.assertFalse(r["DisableExecuteApiEndpoint"])
        self.assertEqual(r["Tags"], {})
        self.assertRegex(r["ApiEndpoint"],
                         r"^http://%s\.execute-api\.localhost\.localstack\.cloud:\d+$" % api_id)
        self.assertIsNotNone(r["CreatedDate"].tzinfo)
        got = self.v2.get_api(ApiId=api_id)
        for k in ("ApiId", "Name", "ApiEndpoint", "CreatedDate", "RouteSelectionExpression"):
            self.assertEqual(got[k], r[k])
        # what GetApi answers never shows the nested routes and integrations
        status, _, body = raw("GET", "/v2/apis/" + api_id)
        self.assertEqual(status, 200)
        self.assertNotIn("routes", body)
        self.assertNotIn("integrations", body)
        self.assertEqual(body["apiId"], api_id)  # lowerCamel on the wire

    def test_optional_members_round_trip(self):
        api_id = self.api(Name="full", Description="d", Version="v7",
                          DisableExecuteApiEndpoint=True, Tags={"team": "x"},
                          RouteSelectionExpression="${request.method} ${request.path}")
        got = self.v2.get_api(ApiId=api_id)
        self.assertEqual(got["Description"], "d")
        self.assertEqual(got["Version"], "v7")
        self.assertTrue(got["DisableExecuteApiEndpoint"])
        self.assertEqual(got["Tags"], {"team": "x"})
        self.assertEqual(got["RouteSelectionExpression"], "$request.method $request.path")

    def test_websocket_is_refused(self):
        self.assertV2Error("BadRequestException", self.v2.create_api, Name="ws",
                           ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.a",
                           contains="not supported by tinystack")

    def test_bad_selection_expressions(self):
        self.assertV2Error("BadRequestException", self.v2.create_api, Name="a",
                           ProtocolType="HTTP", RouteSelectionExpression="$request.body.action")
        self.assertV2Error("BadRequestException", self.v2.create_api, Name="a",
                           ProtocolType="HTTP", ApiKeySelectionExpression="$request.header.k")
        self.assertV2Error("BadRequestException", self.loose.create_api, Name="a",
                           ProtocolType="FTP")
        self.assertV2Error("BadRequestException", self.loose.create_api, ProtocolType="HTTP")
        self.assertV2Error("BadRequestException", self.loose.create_api, Name="",
                           ProtocolType="HTTP")
        self.assertV2Error("BadRequestException", self.v2.create_api, Name="n" * 129,
                           ProtocolType="HTTP", contains="length between 1 and 128")
        self.assertV2Error("BadRequestException", self.v2.create_api, Name="n",
                           ProtocolType="HTTP", Description="d" * 1025)
        self.assertV2Error("BadRequestException", self.v2.create_api, Name="n",
                           ProtocolType="HTTP", Version="")

    def test_cors_configuration_round_trip(self):
        cors = {"AllowOrigins": ["https://a.example", "https://b.example"],
                "AllowMethods": ["GET", "POST"], "AllowHeaders": ["content-type"],
                "ExposeHeaders": ["x-id"], "MaxAge": 600, "AllowCredentials": True}
        api_id = self.api(CorsConfiguration=cors)
        self.assertEqual(self.v2.get_api(ApiId=api_id)["CorsConfiguration"], cors)
        # UpdateApi replaces the whole configuration
        r = self.v2.update_api(ApiId=api_id, CorsConfiguration={"AllowOrigins": ["*"]})
        self.assertEqual(r["CorsConfiguration"], {"AllowOrigins": ["*"]})
        self.v2.delete_cors_configuration(ApiId=api_id)
        self.assertNotIn("CorsConfiguration", self.v2.get_api(ApiId=api_id))

    def test_cors_credentials_need_a_real_origin(self):
        self.assertV2Error("BadRequestException", self.v2.create_api, Name="c",
                           ProtocolType="HTTP",
                           CorsConfiguration={"AllowOrigins": ["*"], "AllowCredentials": True},
                           message="allow-credentials is not supported if 'allow-origin' is *")
        self.assertV2Error("BadRequestException", self.loose.create_api, Name="c",
                           ProtocolType="HTTP", CorsConfiguration={"MaxAge": 90000})

    def test_update_api(self):
        api_id = self.api(Name="before")
        r = self.v2.update_api(ApiId=api_id, Name="after", Description="now", Version="2")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual((r["Name"], r["Description"], r["Version"]), ("after", "now", "2"))
        self.assertEqual(self.v2.get_api(ApiId=api_id)["Name"], "after")
        self.assertV2Error("NotFoundException", self.v2.update_api, ApiId="nope000000",
                           Name="x")

    def test_delete_api(self):
        api_id = self.api()
        self.route(api_id, "GET /x")
        self.v2.create_stage(ApiId=api_id, StageName="dev")
        r = self.v2.delete_api(ApiId=api_id)
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertV2Error("NotFoundException", self.v2.get_api, ApiId=api_id,
                           message="Invalid API identifier specified %s" % api_id)
        self.assertV2Error("NotFoundException", self.v2.delete_api, ApiId=api_id)
        self.assertV2Error("NotFoundException", self.v2.get_stages, ApiId=api_id)

    def test_get_apis_pages(self):
        env.reset()
        ids = [self.api(Name="p%d" % i) for i in range(7)]
        self.assertEqual([a["ApiId"] for a in self.v2.get_apis()["Items"]], ids)
        seen, token = [], None
        while True:
            kw = {"MaxResults": "3"}
            if token:
                kw["NextToken"] = token
            page = self.v2.get_apis(**kw)
            self.assertLessEqual(len(page["Items"]), 3)
            seen += [a["ApiId"] for a in page["Items"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(seen, ids)
        pages = self.v2.get_paginator("get_apis").paginate(PaginationConfig={"PageSize": 2})
        self.assertEqual([a["ApiId"] for p in pages for a in p["Items"]], ids)
        for bad in ("x", "0", "-1", "1.5", ""):
            self.assertV2Error("BadRequestException", self.v2.get_apis, MaxResults=bad)
        self.assertV2Error("BadRequestException", self.v2.get_apis, NextToken="garbage")

    def test_unknown_api_everywhere(self):
        bad = "zzzzzzzzzz"
        calls = [
            (self.v2.get_api, {}), (self.v2.delete_api, {}), (self.v2.get_routes, {}),
            (self.v2.create_route, {"RouteKey": "GET /"}), (self.v2.get_integrations, {}),
            (self.v2.create_integration, {"IntegrationType": "AWS_PROXY"}),
            (self.v2.get_stages, {}), (self.v2.create_stage, {"StageName": "s"}),
            (self.v2.get_deployments, {}), (self.v2.create_deployment, {}),
            (self.v2.get_authorizers, {}), (self.v2.delete_cors_configuration, {}),
            (self.v2.get_route, {"RouteId": "r"}), (self.v2.get_stage, {"StageName": "s"}),
            (self.v2.reimport_api, {"Body": "{}"}),
            (self.v2.export_api, {"Specification": "OAS30", "OutputType": "JSON"}),
        ]
        for fn, kw in calls:
            with self.subTest(fn=fn.__name__):
                self.assertV2Error("NotFoundException", fn, ApiId=bad,
                                   message="Invalid API identifier specified " + bad, **kw)

    def test_other_regions_do_not_see_it(self):
        api_id = self.api()
        other = boto3.session.Session().client(
            "apigatewayv2", region_name="eu-west-1", endpoint_url=env.ENDPOINT,
            aws_access_key_id=env.ACCESS_KEY, aws_secret_access_key=env.SECRET_KEY,
            config=Config(retries={"max_attempts": 0}))
        self.assertV2Error("NotFoundException", other.get_api, ApiId=api_id)
        self.assertNotIn(api_id, [a["ApiId"] for a in other.get_apis()["Items"]])


class TestQuickCreate(V2TestCase):

    def test_lambda_target(self):
        r = self.v2.create_api(Name="quick", ProtocolType="HTTP", Target=FN_ARN)
        api_id = r["ApiId"]
        integ, = self.v2.get_integrations(ApiId=api_id)["Items"]
        self.assertEqual(integ["IntegrationType"], "AWS_PROXY")
        self.assertEqual(integ["IntegrationUri"], FN_ARN)
        self.assertEqual(integ["PayloadFormatVersion"], "2.0")
        self.assertEqual(integ["IntegrationMethod"], "POST")
        self.assertEqual(integ["TimeoutInMillis"], 30000)
        self.assertEqual(integ["ConnectionType"], "INTERNET")
        self.assertTrue(integ["ApiGatewayManaged"])
        route, = self.v2.get_routes(ApiId=api_id)["Items"]
        self.assertEqual(route["RouteKey"], "$default")
        self.assertEqual(route["Target"], "integrations/" + integ["IntegrationId"])
        self.assertTrue(route["ApiGatewayManaged"])
        self.assertEqual(route["AuthorizationType"], "NONE")
        self.assertFalse(route["ApiKeyRequired"])
        stage, = self.v2.get_stages(ApiId=api_id)["Items"]
        self.assertEqual(stage["StageName"], "$default")
        self.assertTrue(stage["AutoDeploy"])
        self.assertTrue(stage["ApiGatewayManaged"])
        dep, = self.v2.get_deployments(ApiId=api_id)["Items"]
        self.assertEqual(stage["DeploymentId"], dep["DeploymentId"])
        self.assertTrue(dep["AutoDeployed"])
        self.assertEqual(dep["DeploymentStatus"], "DEPLOYED")
        self.assertEqual(stage["LastDeploymentStatusMessage"],
                         "Successfully deployed stage with deployment ID '%s'"
                         % dep["DeploymentId"])

    def test_route_key_and_http_target(self):
        api_id = self.api(Target="https://example.com/backend", RouteKey="GET /hello")
        integ, = self.v2.get_integrations(ApiId=api_id)["Items"]
        self.assertEqual((integ["IntegrationType"], integ["IntegrationMethod"],
                          integ["PayloadFormatVersion"]), ("HTTP_PROXY", "ANY", "1.0"))
        route, = self.v2.get_routes(ApiId=api_id)["Items"]
        self.assertEqual(route["RouteKey"], "GET /hello")

    def test_invocation_arn_target(self):
        api_id = self.api(Target=INVOKE_ARN)
        integ, = self.v2.get_integrations(ApiId=api_id)["Items"]
        self.assertEqual(integ["IntegrationUri"], INVOKE_ARN)

    def test_bad_targets(self):
        for target in ("not-a-target", "ftp://x", "arn:aws:lambda:us-east-1:1:function:f",
                       "arn:aws:s3:::bucket"):
            with self.subTest(target=target):
                self.assertV2Error("BadRequestException", self.v2.create_api, Name="q",
                                   ProtocolType="HTTP", Target=target)
        self.assertV2Error("BadRequestException", self.v2.create_api, Name="q",
                           ProtocolType="HTTP", Target=FN_ARN, RouteKey="FETCH /x")

    def test_update_api_target_and_route_key(self):
        api_id = self.api(Target=FN_ARN)
        before = self.v2.get_stages(ApiId=api_id)["Items"][0]["DeploymentId"]
        self.v2.update_api(ApiId=api_id, Target="http://example.com", RouteKey="ANY /{proxy+}")
        integ, = self.v2.get_integrations(ApiId=api_id)["Items"]
        self.assertEqual((integ["IntegrationType"], integ["IntegrationUri"]),
                         ("HTTP_PROXY", "http://example.com"))
        route, = self.v2.get_routes(ApiId=api_id)["Items"]
        self.assertEqual(route["RouteKey"], "ANY /{proxy+}")
        self.assertEqual(route["Target"], "integrations/" + integ["IntegrationId"])
        stage, = self.v2.get_stages(ApiId=api_id)["Items"]
        self.assertNotEqual(stage["DeploymentId"], before)
        # the quick-created route's key is UpdateApi's to change
        self.assertV2Error("BadRequestException", self.v2.update_route, ApiId=api_id,
                           RouteId=route["RouteId"], RouteKey="GET /other")

    def test_update_api_target_on_a_plain_api(self):
        api_id = self.api()
        self.v2.update_api(ApiId=api_id, Target=FN_ARN)
        self.assertEqual(len(self.v2.get_routes(ApiId=api_id)["Items"]), 1)
        self.assertEqual([s["StageName"] for s in self.v2.get_stages(ApiId=api_id)["Items"]],
                         ["$default"])


class TestRoutes(V2TestCase):

    def test_create_get_update_delete(self):
        api_id = self.api()
        r = self.route(api_id, "GET /pets/{id}", OperationName="getPet")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertRegex(r["RouteId"], r"^[a-z0-9]{7}$")
        self.assertEqual((r["RouteKey"], r["AuthorizationType"], r["ApiKeyRequired"]),
                         ("GET /pets/{id}", "NONE", False))
        self.assertNotIn("ApiGatewayManaged", r)
        got = self.v2.get_route(ApiId=api_id, RouteId=r["RouteId"])
        self.assertEqual(got["OperationName"], "getPet")
        u = self.v2.update_route(ApiId=api_id, RouteId=r["RouteId"], RouteKey="PUT /pets/{id}")
        self.assertEqual((u["RouteKey"], u["OperationName"]), ("PUT /pets/{id}", "getPet"))
        self.assertEqual(self.v2.delete_route(ApiId=api_id, RouteId=r["RouteId"])
                         ["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertV2Error("NotFoundException", self.v2.get_route, ApiId=api_id,
                           RouteId=r["RouteId"],
                           message="Invalid Route identifier specified " + r["RouteId"])
        self.assertV2Error("NotFoundException", self.v2.delete_route, ApiId=api_id,
                           RouteId=r["RouteId"])
        self.assertV2Error("NotFoundException", self.v2.update_route, ApiId=api_id,
                           RouteId="nope", RouteKey="GET /")

    def test_route_keys(self):
        api_id = self.api()
        good = ["$default", "GET /", "ANY /{proxy+}", "POST /a/b-c/d.e_f~g", "DELETE /x/{id}",
                "PATCH /{a}/{b}/c", "HEAD /h", "OPTIONS /o", "PUT /users/{userId}/{proxy+}",
                "GET /a:b@c"]
        for key in good:
            with self.subTest(key=key):
                self.assertEqual(self.route(api_id, key)["RouteKey"], key)
        bad = ["", "GET", "GET ", "GET pets", "FETCH /x", "get /x", "GET /x/", "GET //x",
               "GET /{proxy+}/more", "GET /{}", "GET /x{id}", "GET /{id}/{id}", "$connect",
               "GET /a b", "GET  /a", "GET /{a+b}", "GET /x?y", "/x", " GET /x",
               "GET /\u00e9"]
        for key in bad:
            with self.subTest(key=key):
                self.assertV2Error("BadRequestException", self.loose.create_route,
                                   ApiId=api_id, RouteKey=key)
        self.assertEqual(len(self.v2.get_routes(ApiId=api_id)["Items"]), len(good))

    def test_duplicate_route_key_conflicts(self):
        api_id = self.api()
        self.route(api_id, "GET /dup")
        other = self.route(api_id, "POST /dup")
        self.assertV2Error("ConflictException", self.route, api_id, "GET /dup")
        self.assertV2Error("ConflictException", self.v2.update_route, ApiId=api_id,
                           RouteId=other["RouteId"], RouteKey="GET /dup")
        # the same key in another API is fine
        self.route(self.api(), "GET /dup")

    def test_targets(self):
        api_id = self.api()
        iid = self.lambda_integration(api_id)["IntegrationId"]
        r = self.route(api_id, "GET /t", Target="integrations/" + iid)
        self.assertEqual(r["Target"], "integrations/" + iid)
        self.assertV2Error("NotFoundException", self.route, api_id, "GET /u",
                           Target="integrations/nope123",
                           message="Invalid Integration identifier specified nope123")
        for bad in ("nope", "integrations/", "routes/" + iid, iid):
            with self.subTest(target=bad):
                self.assertV2Error("BadRequestException", self.route, api_id, "GET /u",
                                   Target=bad)
        # retargeting through UpdateRoute checks the same way
        self.assertV2Error("NotFoundException", self.v2.update_route, ApiId=api_id,
                           RouteId=r["RouteId"], Target="integrations/gone000")

    def test_paging(self):
        api_id = self.api()
        keys = ["GET /r%d" % i for i in range(5)]
        for k in keys:
            self.route(api_id, k)
        page = self.v2.get_routes(ApiId=api_id, MaxResults="2")
        self.assertEqual(len(page["Items"]), 2)
        pages = self.v2.get_paginator("get_routes").paginate(
            ApiId=api_id, PaginationConfig={"PageSize": 2})
        self.assertEqual([r["RouteKey"] for p in pages for r in p["Items"]], keys)
        self.assertV2Error("BadRequestException", self.v2.get_routes, ApiId=api_id,
                           NextToken="99")
        self.assertV2Error("BadRequestException", self.v2.get_routes, ApiId=api_id,
                           MaxResults="many")


class TestAuthorization(V2TestCase):

    def jwt(self, api_id, **kw):
        return self.v2.create_authorizer(
            ApiId=api_id, AuthorizerType="JWT", Name=kw.pop("Name", "jwt"),
            IdentitySource=["$request.header.Authorization"],
            JwtConfiguration={"Audience": ["aud"], "Issuer": "https://issuer.example"}, **kw)

    def request_auth(self, api_id, **kw):
        kw.setdefault("AuthorizerPayloadFormatVersion", "2.0")
        return self.v2.create_authorizer(
            ApiId=api_id, AuthorizerType="REQUEST", Name=kw.pop("Name", "lambda"),
            AuthorizerUri=INVOKE_ARN, IdentitySource=kw.pop("IdentitySource",
                                                            ["$request.header.Authorization"]),
            **kw)

    def test_jwt_authorizer(self):
        api_id = self.api()
        a = self.jwt(api_id)
        self.assertEqual(a["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertRegex(a["AuthorizerId"], r"^[a-z0-9]{6}$")
        self.assertEqual(a["JwtConfiguration"],
                         {"Audience": ["aud"], "Issuer": "https://issuer.example"})
        self.assertEqual(a["IdentitySource"], ["$request.header.Authorization"])
        got = self.v2.get_authorizer(ApiId=api_id, AuthorizerId=a["AuthorizerId"])
        self.assertEqual(got["Name"], "jwt")
        r = self.route(api_id, "GET /secure", AuthorizationType="JWT",
                       AuthorizerId=a["AuthorizerId"], AuthorizationScopes=["read"])
        self.assertEqual((r["AuthorizationType"], r["AuthorizerId"], r["AuthorizationScopes"]),
                         ("JWT", a["AuthorizerId"], ["read"]))
        self.assertV2Error("ConflictException", self.v2.delete_authorizer, ApiId=api_id,
                           AuthorizerId=a["AuthorizerId"])
        self.v2.update_route(ApiId=api_id, RouteId=r["RouteId"], AuthorizationType="NONE")
        plain = self.v2.get_route(ApiId=api_id, RouteId=r["RouteId"])
        self.assertNotIn("AuthorizerId", plain)
        self.assertNotIn("AuthorizationScopes", plain)
        self.v2.delete_authorizer(ApiId=api_id, AuthorizerId=a["AuthorizerId"])
        self.assertV2Error("NotFoundException", self.v2.get_authorizer, ApiId=api_id,
                           AuthorizerId=a["AuthorizerId"],
                           message="Invalid Authorizer identifier specified "
                                   + a["AuthorizerId"])

    def test_jwt_authorizer_errors(self):
        api_id = self.api()
        self.assertV2Error("BadRequestException", self.v2.create_authorizer, ApiId=api_id,
                           AuthorizerType="JWT", Name="j",
                           IdentitySource=["$request.header.Authorization"])
        self.assertV2Error("BadRequestException", self.v2.create_authorizer, ApiId=api_id,
                           AuthorizerType="JWT", Name="j", JwtConfiguration={"Audience": ["a"]},
                           IdentitySource=["$request.header.Authorization"])
        self.assertV2Error("BadRequestException", self.v2.create_authorizer, ApiId=api_id,
                           AuthorizerType="JWT", Name="j",
                           JwtConfiguration={"Issuer": "https://i"},
                           IdentitySource=["$request.header.A", "$request.header.B"])
        self.assertV2Error("BadRequestException", self.v2.create_authorizer, ApiId=api_id,
                           AuthorizerType="JWT", Name="j",
                           JwtConfiguration={"Issuer": "https://i"},
                           IdentitySource=["Authorization"])
        self.assertV2Error("BadRequestException", self.loose.create_authorizer, ApiId=api_id,
                           AuthorizerType="TOKEN", Name="j", IdentitySource=["$request.header.A"])

    def test_request_authorizer(self):
        api_id = self.api()
        a = self.request_auth(api_id, EnableSimpleResponses=True,
                              AuthorizerResultTtlInSeconds=300,
                              IdentitySource=["$request.header.Authorization",
                                              "$request.querystring.token", "$context.routeKey"])
        self.assertEqual(a["AuthorizerType"], "REQUEST")
        self.assertEqual(a["AuthorizerPayloadFormatVersion"], "2.0")
        self.assertTrue(a["EnableSimpleResponses"])
        self.assertEqual(a["AuthorizerResultTtlInSeconds"], 300)
        b = self.request_auth(api_id, Name="plain", AuthorizerPayloadFormatVersion="1.0")
        self.assertEqual((b["AuthorizerResultTtlInSeconds"], b["EnableSimpleResponses"]),
                         (0, False))
        r = self.route(api_id, "GET /c", AuthorizationType="CUSTOM",
                       AuthorizerId=a["AuthorizerId"])
        self.assertEqual(r["AuthorizerId"], a["AuthorizerId"])
        u = self.v2.update_authorizer(ApiId=api_id, AuthorizerId=b["AuthorizerId"],
                                      AuthorizerResultTtlInSeconds=60, Name="renamed")
        self.assertEqual((u["AuthorizerResultTtlInSeconds"], u["Name"]), (60, "renamed"))
        self.assertEqual(len(self.v2.get_authorizers(ApiId=api_id)["Items"]), 2)
        # a route guarded by a REQUEST authorizer cannot see it turn into a JWT one
        self.assertV2Error("ConflictException", self.v2.update_authorizer, ApiId=api_id,
                           AuthorizerId=a["AuthorizerId"], AuthorizerType="JWT",
                           JwtConfiguration={"Issuer": "https://i"},
                           IdentitySource=["$request.header.Authorization"])

    def test_request_authorizer_errors(self):
        api_id = self.api()
        self.assertV2Error("BadRequestException", self.v2.create_authorizer, ApiId=api_id,
                           AuthorizerType="REQUEST", Name="x", AuthorizerUri=INVOKE_ARN,
                           IdentitySource=["$request.header.A"])  # no payload format
        self.assertV2Error("BadRequestException", self.request_auth, api_id,
                           AuthorizerPayloadFormatVersion="3.0")
        self.assertV2Error("BadRequestException", self.request_auth, api_id,
                           AuthorizerPayloadFormatVersion="1.0", EnableSimpleResponses=True)
        self.assertV2Error("BadRequestException", self.v2.create_authorizer, ApiId=api_id,
                           AuthorizerType="REQUEST", Name="x", AuthorizerUri="https://x",
                           AuthorizerPayloadFormatVersion="2.0",
                           IdentitySource=["$request.header.A"])
        self.assertV2Error("BadRequestException", self.request_auth, api_id,
                           IdentitySource=[], AuthorizerResultTtlInSeconds=10)
        self.assertV2Error("BadRequestException", self.loose.create_authorizer, ApiId=api_id,
                           AuthorizerType="REQUEST", Name="x", AuthorizerUri=INVOKE_ARN,
                           AuthorizerPayloadFormatVersion="2.0",
                           IdentitySource=["$request.header.A"],
                           AuthorizerResultTtlInSeconds=3601)

    def test_route_authorization_errors(self):
        api_id = self.api()
        jwt = self.jwt(api_id)["AuthorizerId"]
        req = self.request_auth(api_id)["AuthorizerId"]
        self.assertV2Error("BadRequestException", self.route, api_id, "GET /a",
                           AuthorizationType="JWT",
                           message="Invalid authorizer ID specified. Setting the authorization "
                                   "type to JWT requires a valid JWT authorizer.")
        self.assertV2Error("BadRequestException", self.route, api_id, "GET /a",
                           AuthorizationType="JWT", AuthorizerId=req)
        self.assertV2Error("BadRequestException", self.route, api_id, "GET /a",
                           AuthorizationType="CUSTOM", AuthorizerId=jwt,
                           contains="Setting the authorization type to CUSTOM")
        self.assertV2Error("BadRequestException", self.route, api_id, "GET /a",
                           AuthorizationType="CUSTOM", AuthorizerId="nope00")
        self.assertV2Error("BadRequestException", self.route, api_id, "GET /a",
                           AuthorizationScopes=["s"],
                           contains="Authorization Scopes are only valid")
        self.assertEqual(self.route(api_id, "GET /iam", AuthorizationType="AWS_IAM")
                         ["AuthorizationType"], "AWS_IAM")


class TestIntegrations(V2TestCase):

    def test_lambda_defaults(self):
        api_id = self.api()
        i = self.lambda_integration(api_id)
        self.assertEqual(i["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertRegex(i["IntegrationId"], r"^[a-z0-9]{7}$")
        self.assertEqual((i["IntegrationMethod"], i["TimeoutInMillis"], i["ConnectionType"],
                          i["PayloadFormatVersion"]), ("POST", 30000, "INTERNET", "2.0"))
        self.assertNotIn("ApiGatewayManaged", i)
        j = self.v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY",
                                       IntegrationUri=INVOKE_ARN, PayloadFormatVersion="1.0",
                                       TimeoutInMillis=50, Description="d")
        self.assertEqual((j["TimeoutInMillis"], j["Description"]), (50, "d"))
        got = self.v2.get_integration(ApiId=api_id, IntegrationId=j["IntegrationId"])
        self.assertEqual(got["IntegrationUri"], INVOKE_ARN)

    def test_lambda_errors(self):
        api_id = self.api()
        self.assertV2Error("BadRequestException", self.v2.create_integration, ApiId=api_id,
                           IntegrationType="AWS_PROXY", IntegrationUri=FN_ARN,
                           contains="payload format version is required")
        for pfv in ("3.0", "2", "v1"):
            self.assertV2Error("BadRequestException", self.lambda_integration, api_id,
                               PayloadFormatVersion=pfv)
        for uri in ("arn:aws:lambda:us-east-1:000000000000:layer:x",
                    "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/x/invocations",
                    "http://x", None):
            kw = {"IntegrationUri": uri} if uri else {}
            self.assertV2Error("BadRequestException", self.v2.create_integration, ApiId=api_id,
                               IntegrationType="AWS_PROXY", PayloadFormatVersion="2.0", **kw)
        for t in ("AWS", "HTTP", "MOCK"):
            self.assertV2Error("BadRequestException", self.v2.create_integration, ApiId=api_id,
                               IntegrationType=t, IntegrationUri="http://x",
                               message="Currently, an API with a protocol type of HTTP may only "
                                       "be associated with proxy integrations (AWS_PROXY, "
                                       "HTTP_PROXY)")
        for ms in (49, 30001, 0):
            self.assertV2Error("BadRequestException", self.loose.create_integration,
                               ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=FN_ARN,
                               PayloadFormatVersion="2.0", TimeoutInMillis=ms)
        self.assertEqual(self.v2.get_integrations(ApiId=api_id)["Items"], [])

    def test_http_proxy(self):
        api_id = self.api()
        i = self.v2.create_integration(ApiId=api_id, IntegrationType="HTTP_PROXY",
                                       IntegrationUri="https://example.com/{proxy}",
                                       IntegrationMethod="GET",
                                       RequestParameters={"append:header.x": "y"})
        self.assertEqual((i["PayloadFormatVersion"], i["IntegrationMethod"]), ("1.0", "GET"))
        self.assertEqual(i["RequestParameters"], {"append:header.x": "y"})
        d = self.v2.create_integration(ApiId=api_id, IntegrationType="HTTP_PROXY",
                                       IntegrationUri="http://example.com")
        self.assertEqual(d["IntegrationMethod"], "ANY")
        self.assertV2Error("BadRequestException", self.v2.create_integration, ApiId=api_id,
                           IntegrationType="HTTP_PROXY", IntegrationUri="example.com",
                           message="Invalid HTTP endpoint specified for URI")
        self.assertV2Error("BadRequestException", self.v2.create_integration, ApiId=api_id,
                           IntegrationType="HTTP_PROXY", IntegrationUri="http://x",
                           PayloadFormatVersion="2.0")
        self.assertV2Error("BadRequestException", self.v2.create_integration, ApiId=api_id,
                           IntegrationType="HTTP_PROXY", IntegrationUri="http://x",
                           IntegrationMethod="FETCH")
        self.assertV2Error("BadRequestException", self.v2.create_integration, ApiId=api_id,
                           IntegrationType="HTTP_PROXY", IntegrationUri="arn:aws:x",
                           ConnectionType="VPC_LINK")

    def test_update_and_delete(self):
        api_id = self.api()
        i = self.lambda_integration(api_id)
        iid = i["IntegrationId"]
        u = self.v2.update_integration(ApiId=api_id, IntegrationId=iid, TimeoutInMillis=1000,
                                       PayloadFormatVersion="1.0")
        self.assertEqual((u["TimeoutInMillis"], u["PayloadFormatVersion"], u["IntegrationUri"]),
                         (1000, "1.0", FN_ARN))
        self.assertV2Error("BadRequestException", self.v2.update_integration, ApiId=api_id,
                           IntegrationId=iid, PayloadFormatVersion="9.9")
        self.assertEqual(self.v2.get_integration(ApiId=api_id, IntegrationId=iid)
                         ["PayloadFormatVersion"], "1.0")
        r = self.route(api_id, "GET /i", Target="integrations/" + iid)
        self.assertV2Error("ConflictException", self.v2.delete_integration, ApiId=api_id,
                           IntegrationId=iid)
        self.v2.delete_route(ApiId=api_id, RouteId=r["RouteId"])
        self.assertEqual(self.v2.delete_integration(ApiId=api_id, IntegrationId=iid)
                         ["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertV2Error("NotFoundException", self.v2.get_integration, ApiId=api_id,
                           IntegrationId=iid,
                           message="Invalid Integration identifier specified " + iid)
        self.assertV2Error("NotFoundException", self.v2.update_integration, ApiId=api_id,
                           IntegrationId=iid, TimeoutInMillis=100)

    def test_paging(self):
        api_id = self.api()
        ids = [self.lambda_integration(api_id)["IntegrationId"] for _ in range(4)]
        pages = self.v2.get_paginator("get_integrations").paginate(
            ApiId=api_id, PaginationConfig={"PageSize": 3})
        self.assertEqual([i["IntegrationId"] for p in pages for i in p["Items"]], ids)


class TestStagesAndDeployments(V2TestCase):

    def test_stage_defaults_and_round_trip(self):
        api_id = self.api()
        s = self.v2.create_stage(ApiId=api_id, StageName="dev", Description="d",
                                 StageVariables={"fn": "my-dev_fn", "url": "https://x/y?z=1"},
                                 Tags={"k": "v"})
        self.assertEqual(s["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(s["StageName"], "dev")
        self.assertEqual(s["DefaultRouteSettings"], {"DetailedMetricsEnabled": False})
        self.assertEqual(s["RouteSettings"], {})
        self.assertEqual(s["StageVariables"], {"fn": "my-dev_fn", "url": "https://x/y?z=1"})
        self.assertEqual(s["Tags"], {"k": "v"})
        self.assertNotIn("DeploymentId", s)
        self.assertIsNotNone(s["CreatedDate"].tzinfo)
        got = self.v2.get_stage(ApiId=api_id, StageName="dev")
        self.assertEqual(got["Description"], "d")
        self.assertV2Error("ConflictException", self.v2.create_stage, ApiId=api_id,
                           StageName="dev")
        self.v2.create_stage(ApiId=api_id, StageName="$default")
        self.assertEqual([x["StageName"] for x in self.v2.get_stages(ApiId=api_id)["Items"]],
                         ["dev", "$default"])

    def test_stage_errors(self):
        api_id = self.api()
        for name in ("a b", "a/b", "$dev", "\u00e9"):
            with self.subTest(name=name):
                self.assertV2Error("BadRequestException", self.v2.create_stage, ApiId=api_id,
                                   StageName=name)
        self.assertV2Error("BadRequestException", self.v2.create_stage, ApiId=api_id,
                           StageName="s", StageVariables={"bad-name": "x"})
        self.assertV2Error("BadRequestException", self.v2.create_stage, ApiId=api_id,
                           StageName="s", StageVariables={"ok": "spaces are bad"})
        self.assertV2Error("NotFoundException", self.v2.create_stage, ApiId=api_id,
                           StageName="s", RouteSettings={"GET /none": {"ThrottlingBurstLimit": 1}},
                           message="Unable to find Route by key GET /none within the provided "
                                   "RouteSettings")
        self.assertV2Error("NotFoundException", self.v2.create_stage, ApiId=api_id,
                           StageName="s", DeploymentId="nope00")
        self.assertV2Error("NotFoundException", self.v2.get_stage, ApiId=api_id, StageName="s")
        self.assertV2Error("NotFoundException", self.v2.update_stage, ApiId=api_id,
                           StageName="s", Description="x")
        self.assertV2Error("NotFoundException", self.v2.delete_stage, ApiId=api_id,
                           StageName="s")
        self.assertEqual(self.v2.get_stages(ApiId=api_id)["Items"], [])

    def test_update_and_delete_stage(self):
        api_id = self.api()
        self.route(api_id, "GET /pets")
        self.v2.create_stage(ApiId=api_id, StageName="prod")
        u = self.v2.update_stage(ApiId=api_id, StageName="prod",
                                 RouteSettings={"GET /pets": {"ThrottlingBurstLimit": 100,
                                                              "ThrottlingRateLimit": 2000.0}},
                                 StageVariables={"v": "1"})
        self.assertEqual(u["RouteSettings"]["GET /pets"]["ThrottlingBurstLimit"], 100)
        self.assertEqual(u["StageVariables"], {"v": "1"})
        self.assertGreaterEqual(u["LastUpdatedDate"], u["CreatedDate"])
        self.assertEqual(self.v2.delete_stage(ApiId=api_id, StageName="prod")
                         ["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertV2Error("NotFoundException", self.v2.get_stage, ApiId=api_id,
                           StageName="prod")

    def test_deployments(self):
        api_id = self.api()
        self.assertV2Error("BadRequestException", self.v2.create_deployment, ApiId=api_id,
                           message="Unable to deploy API because no routes exists in this API")
        self.route(api_id, "GET /a")
        self.v2.create_stage(ApiId=api_id, StageName="prod")
        d = self.v2.create_deployment(ApiId=api_id, StageName="prod", Description="first")
        self.assertEqual(d["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual((d["AutoDeployed"], d["DeploymentStatus"], d["Description"]),
                         (False, "DEPLOYED", "first"))
        self.assertRegex(d["DeploymentId"], r"^[a-z0-9]{6}$")
        self.assertEqual(self.v2.get_stage(ApiId=api_id, StageName="prod")["DeploymentId"],
                         d["DeploymentId"])
        loose = self.v2.create_deployment(ApiId=api_id)
        self.assertEqual([x["DeploymentId"] for x in
                          self.v2.get_deployments(ApiId=api_id)["Items"]],
                         [d["DeploymentId"], loose["DeploymentId"]])
        got = self.v2.get_deployment(ApiId=api_id, DeploymentId=d["DeploymentId"])
        self.assertEqual(got["Description"], "first")
        u = self.v2.update_deployment(ApiId=api_id, DeploymentId=d["DeploymentId"],
                                      Description="renamed")
        self.assertEqual(u["Description"], "renamed")
        # a stage still points at it
        self.assertV2Error("BadRequestException", self.v2.delete_deployment, ApiId=api_id,
                           DeploymentId=d["DeploymentId"])
        self.v2.update_stage(ApiId=api_id, StageName="prod", DeploymentId=loose["DeploymentId"])
        self.v2.delete_deployment(ApiId=api_id, DeploymentId=d["DeploymentId"])
        self.assertV2Error("NotFoundException", self.v2.get_deployment, ApiId=api_id,
                           DeploymentId=d["DeploymentId"],
                           message="Invalid Deployment identifier specified "
                                   + d["DeploymentId"])
        self.assertV2Error("NotFoundException", self.v2.create_deployment, ApiId=api_id,
                           StageName="nope")

    def test_auto_deploy_follows_changes(self):
        api_id = self.api()
        self.v2.create_stage(ApiId=api_id, StageName="auto", AutoDeploy=True)
        self.v2.create_stage(ApiId=api_id, StageName="manual")
        self.assertNotIn("DeploymentId", self.v2.get_stage(ApiId=api_id, StageName="auto"))
        self.route(api_id, "GET /one")
        first = self.v2.get_stage(ApiId=api_id, StageName="auto")["DeploymentId"]
        self.route(api_id, "GET /two")
        auto = self.v2.get_stage(ApiId=api_id, StageName="auto")
        self.assertNotEqual(auto["DeploymentId"], first)
        self.assertEqual(auto["LastDeploymentStatusMessage"],
                         "Successfully deployed stage with deployment ID '%s'"
                         % auto["DeploymentId"])
        self.assertNotIn("DeploymentId", self.v2.get_stage(ApiId=api_id, StageName="manual"))
        deps = self.v2.get_deployments(ApiId=api_id)["Items"]
        # the automatic deployment no stage points at any more is gone
        self.assertEqual([x["DeploymentId"] for x in deps], [auto["DeploymentId"]])
        self.assertEqual(deps[0]["Description"],
                         "Automatic deployment triggered by changes to the Api configuration")
        # turning autoDeploy on deploys the API as it is
        self.v2.update_stage(ApiId=api_id, StageName="manual", AutoDeploy=True)
        self.assertIn("DeploymentId", self.v2.get_stage(ApiId=api_id, StageName="manual"))


class TestTags(V2TestCase):

    def test_tag_untag_get(self):
        api_id = self.api(Tags={"a": "1"})
        self.assertEqual(self.v2.get_tags(ResourceArn=arn(api_id))["Tags"], {"a": "1"})
        r = self.v2.tag_resource(ResourceArn=arn(api_id), Tags={"b": "2", "c": "3", "a": "9"})
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(self.v2.get_api(ApiId=api_id)["Tags"], {"a": "9", "b": "2", "c": "3"})
        r = self.v2.untag_resource(ResourceArn=arn(api_id), TagKeys=["a", "c", "missing"])
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertEqual(self.v2.get_tags(ResourceArn=arn(api_id))["Tags"], {"b": "2"})

    def test_stage_tags(self):
        api_id = self.api()
        self.v2.create_stage(ApiId=api_id, StageName="dev", Tags={"s": "1"})
        self.v2.tag_resource(ResourceArn=arn(api_id, "dev"), Tags={"t": "2"})
        self.assertEqual(self.v2.get_tags(ResourceArn=arn(api_id, "dev"))["Tags"],
                         {"s": "1", "t": "2"})
        self.assertEqual(self.v2.get_stage(ApiId=api_id, StageName="dev")["Tags"],
                         {"s": "1", "t": "2"})
        self.assertEqual(self.v2.get_tags(ResourceArn=arn(api_id))["Tags"], {})

    def test_tag_errors(self):
        api_id = self.api()
        self.assertV2Error("NotFoundException", self.v2.get_tags, ResourceArn=arn("nopenopeno"))
        self.assertV2Error("NotFoundException", self.v2.get_tags,
                           ResourceArn=arn(api_id, "nostage"))
        self.assertV2Error("NotFoundException", self.v2.get_tags,
                           ResourceArn="arn:aws:apigateway:eu-north-1::/apis/" + api_id)
        for bad in ("nope", "arn:aws:s3:::b", "arn:aws:apigateway:us-east-1::/restapis/x",
                    arn(api_id) + "/routes/x"):
            with self.subTest(arn=bad):
                self.assertV2Error("BadRequestException", self.v2.tag_resource,
                                   ResourceArn=bad, Tags={"a": "b"})
        self.assertV2Error("BadRequestException", self.v2.tag_resource, ResourceArn=arn(api_id),
                           Tags={"aws:x": "y"})
        self.assertV2Error("BadRequestException", self.v2.tag_resource, ResourceArn=arn(api_id),
                           Tags={"k": "v" * 257})
        self.assertV2Error("BadRequestException", self.v2.tag_resource, ResourceArn=arn(api_id),
                           Tags={"k%d" % i: "v" for i in range(51)})
        self.assertV2Error("BadRequestException", self.v2.create_api, Name="t",
                           ProtocolType="HTTP", Tags={"k%d" % i: "v" for i in range(51)})
        self.assertEqual(self.v2.get_tags(ResourceArn=arn(api_id))["Tags"], {})


OPENAPI = {
    "openapi": "3.0.1",
    "info": {"title": "Pets", "version": "v1.0", "description": "imported"},
    "tags": [{"name": "owner", "x-amazon-apigateway-tag-value": "team-a"}],
    "x-amazon-apigateway-cors": {"allowOrigins": ["https://pets.example"],
                                 "allowMethods": ["GET"], "maxAge": 300},
    "components": {"securitySchemes": {
        "jwt-auth": {"type": "oauth2", "flows": {}, "x-amazon-apigateway-authorizer": {
            "type": "jwt", "identitySource": "$request.header.Authorization",
            "jwtConfiguration": {"audience": ["pets"], "issuer": "https://issuer.example"}}},
        "lambda-auth": {"type": "apiKey", "name": "Unused", "in": "header",
                        "x-amazon-apigateway-authorizer": {
                            "type": "request", "authorizerUri": INVOKE_ARN,
                            "authorizerPayloadFormatVersion": "2.0",
                            "identitySource": "$request.header.X-Key, $request.querystring.k",
                            "enableSimpleResponses": True}}}},
    "paths": {
        "/pets": {
            "get": {"operationId": "listPets",
                    "x-amazon-apigateway-integration": {
                        "type": "aws_proxy", "uri": INVOKE_ARN, "httpMethod": "POST",
                        "payloadFormatVersion": 2.0}},
            "post": {"security": [{"jwt-auth": ["write"]}],
                     "x-amazon-apigateway-integration": {
                         "type": "http_proxy", "uri": "https://backend.example/pets",
                         "httpMethod": "post", "connectionType": "INTERNET",
                         "timeoutInMillis": 5000}}},
        "/pets/{id}": {
            "x-amazon-apigateway-any-method": {
                "security": [{"lambda-auth": []}],
                "x-amazon-apigateway-integration": {
                    "type": "AWS_PROXY", "uri": FN_ARN, "payloadFormatVersion": "1.0"}}},
        "/$default": {"x-amazon-apigateway-any-method": {
            "x-amazon-apigateway-integration": {"type": "aws_proxy", "uri": FN_ARN,
                                                "payloadFormatVersion": "2.0"}}},
    },
}


class TestImportExport(V2TestCase):

    def routes(self, api_id):
        return {r["RouteKey"]: r for r in self.v2.get_routes(ApiId=api_id)["Items"]}

    def test_import(self):
        r = self.v2.import_api(Body=json.dumps(OPENAPI))
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 201)
        api_id = r["ApiId"]
        self.assertEqual((r["Name"], r["Version"], r["Description"]),
                         ("Pets", "v1.0", "imported"))
        self.assertEqual(r["Tags"], {"owner": "team-a"})
        self.assertEqual(r["CorsConfiguration"], {"AllowOrigins": ["https://pets.example"],
                                                  "AllowMethods": ["GET"], "MaxAge": 300})
        self.assertNotIn("Warnings", r)
        routes = self.routes(api_id)
        self.assertEqual(sorted(routes), ["$default", "ANY /pets/{id}", "GET /pets",
                                          "POST /pets"])
        integs = {i["IntegrationId"]: i for i in
                  self.v2.get_integrations(ApiId=api_id)["Items"]}
        get = integs[routes["GET /pets"]["Target"].split("/")[1]]
        self.assertEqual((get["IntegrationType"], get["IntegrationUri"],
                          get["PayloadFormatVersion"], get["IntegrationMethod"]),
                         ("AWS_PROXY", INVOKE_ARN, "2.0", "POST"))
        self.assertEqual(routes["GET /pets"]["OperationName"], "listPets")
        post = integs[routes["POST /pets"]["Target"].split("/")[1]]
        self.assertEqual((post["IntegrationType"], post["IntegrationMethod"],
                          post["TimeoutInMillis"]), ("HTTP_PROXY", "POST", 5000))
        auths = {a["Name"]: a for a in self.v2.get_authorizers(ApiId=api_id)["Items"]}
        self.assertEqual(auths["jwt-auth"]["JwtConfiguration"],
                         {"Audience": ["pets"], "Issuer": "https://issuer.example"})
        self.assertEqual(auths["lambda-auth"]["IdentitySource"],
                         ["$request.header.X-Key", "$request.querystring.k"])
        self.assertEqual((routes["POST /pets"]["AuthorizationType"],
                          routes["POST /pets"]["AuthorizerId"],
                          routes["POST /pets"]["AuthorizationScopes"]),
                         ("JWT", auths["jwt-auth"]["AuthorizerId"], ["write"]))
        self.assertEqual(routes["ANY /pets/{id}"]["AuthorizationType"], "CUSTOM")
        self.assertEqual(routes["GET /pets"]["AuthorizationType"], "NONE")

    def test_reimport_replaces(self):
        api_id = self.v2.import_api(Body=json.dumps(OPENAPI))["ApiId"]
        self.v2.create_stage(ApiId=api_id, StageName="live", AutoDeploy=True)
        before = self.v2.get_api(ApiId=api_id)
        small = {"openapi": "3.0.1", "info": {"title": "Pets2"}, "paths": {
            "/only": {"get": {"x-amazon-apigateway-integration": {
                "type": "aws_proxy", "uri": FN_ARN, "payloadFormatVersion": "2.0"}}}}}
        r = self.v2.reimport_api(ApiId=api_id, Body=json.dumps(small))
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual((r["ApiId"], r["Name"], r["CreatedDate"]),
                         (api_id, "Pets2", before["CreatedDate"]))
        self.assertNotIn("CorsConfiguration", r)
        self.assertEqual(list(self.routes(api_id)), ["GET /only"])
        self.assertEqual(len(self.v2.get_integrations(ApiId=api_id)["Items"]), 1)
        self.assertEqual(self.v2.get_authorizers(ApiId=api_id)["Items"], [])
        self.assertIn("DeploymentId", self.v2.get_stage(ApiId=api_id, StageName="live"))

    def test_import_errors(self):
        yaml_body = "openapi: 3.0.1\ninfo:\n  title: y\npaths:\n  /pets:\n    get: {}\n"
        api = self.v2.import_api(Body=yaml_body)
        self.addCleanup(self.v2.delete_api, ApiId=api["ApiId"])
        self.assertEqual(api["Name"], "y")
        self.assertEqual(list(self.routes(api["ApiId"])), ["GET /pets"])
        self.assertV2Error("BadRequestException", self.v2.import_api,
                           Body="openapi: [unclosed\n", contains="YAML syntax error at line")
        self.assertV2Error("BadRequestException", self.v2.import_api, Body="{\"openapi\": ",
                           contains="not a JSON or YAML object")
        self.assertV2Error("BadRequestException", self.v2.import_api,
                           Body=json.dumps({"swagger": "2.0", "info": {"title": "s"}}),
                           contains="Swagger")
        self.assertV2Error("BadRequestException", self.v2.import_api,
                           Body=json.dumps({"openapi": "3.0.1", "paths": {}}),
                           contains="info.title")
        bad_key = {"openapi": "3.0.1", "info": {"title": "t"},
                   "paths": {"pets": {"get": {}}}}
        self.assertV2Error("BadRequestException", self.v2.import_api, Body=json.dumps(bad_key))
        bad_integ = {"openapi": "3.0.1", "info": {"title": "t"}, "paths": {"/p": {"get": {
            "x-amazon-apigateway-integration": {"type": "aws_proxy", "uri": "nope"}}}}}
        self.assertV2Error("BadRequestException", self.v2.import_api, Body=json.dumps(bad_integ))
        mock = {"openapi": "3.0.1", "info": {"title": "t"}, "paths": {"/p": {"get": {
            "x-amazon-apigateway-integration": {"type": "mock"}}}}}
        self.assertV2Error("BadRequestException", self.v2.import_api, Body=json.dumps(mock),
                           FailOnWarnings=True, contains="Warnings found during import")
        self.assertEqual(self.v2.get_apis()["Items"] and
                         [a for a in self.v2.get_apis()["Items"] if a["Name"] == "t"], [])
        r = self.v2.import_api(Body=json.dumps(mock))
        self.assertEqual(len(r["Warnings"]), 1)
        route, = self.v2.get_routes(ApiId=r["ApiId"])["Items"]
        self.assertNotIn("Target", route)
        self.assertV2Error("NotFoundException", self.v2.reimport_api, ApiId="nopenopeno",
                           Body=json.dumps(OPENAPI))

    def test_export_round_trip(self):
        api_id = self.v2.import_api(Body=json.dumps(OPENAPI))["ApiId"]
        out = self.v2.export_api(ApiId=api_id, Specification="OAS30", OutputType="JSON")
        definition = json.loads(out["body"].read())
        self.assertEqual(definition["openapi"], "3.0.1")
        self.assertEqual(definition["info"]["title"], "Pets")
        self.assertEqual(set(definition["paths"]), {"/pets", "/pets/{id}", "/$default"})
        self.assertEqual(definition["paths"]["/pets/{id}"]["x-amazon-apigateway-any-method"]
                         ["parameters"][0]["name"], "id")
        again = self.v2.import_api(Body=json.dumps(definition))["ApiId"]
        self.assertEqual(sorted(self.routes(again)), sorted(self.routes(api_id)))
        self.assertEqual(self.v2.get_api(ApiId=again)["CorsConfiguration"],
                         self.v2.get_api(ApiId=api_id)["CorsConfiguration"])
        bare = json.loads(self.v2.export_api(ApiId=api_id, Specification="OAS30",
                                             OutputType="JSON",
                                             IncludeExtensions=False)["body"].read())
        self.assertNotIn("x-amazon-apigateway-cors", bare)
        self.assertNotIn("x-amazon-apigateway-integration", bare["paths"]["/pets"]["get"])

    def test_export_of_a_stage_and_errors(self):
        api_id = self.api()
        self.route(api_id, "GET /old")
        self.v2.create_stage(ApiId=api_id, StageName="prod")
        self.v2.create_deployment(ApiId=api_id, StageName="prod")
        self.route(api_id, "GET /new")
        staged = json.loads(self.v2.export_api(ApiId=api_id, Specification="OAS30",
                                               OutputType="JSON", StageName="prod")
                            ["body"].read())
        self.assertEqual(list(staged["paths"]), ["/old"])
        self.assertV2Error("NotFoundException", self.v2.export_api, ApiId=api_id,
                           Specification="OAS30", OutputType="JSON", StageName="nope")
        self.assertV2Error("BadRequestException", self.v2.export_api, ApiId=api_id,
                           Specification="OAS30", OutputType="YAML", contains="JSON only")
        self.assertV2Error("BadRequestException", self.v2.export_api, ApiId=api_id,
                           Specification="OAS20", OutputType="JSON")


class TestBadInput(V2TestCase):

    def test_malformed_bodies(self):
        api_id = self.api()
        for body in (b"{", b"not json", b"[1, 2]", b"\"x\"", b"\xff\xfe", b"{\"name\": }"):
            for path in ("/v2/apis", "/v2/apis/%s/routes" % api_id):
                with self.subTest(body=body, path=path):
                    status, etype, parsed = raw("POST", path, body)
                    self.assertEqual((status, etype), (400, "BadRequestException"), parsed)

    def test_wrong_types(self):
        api_id = self.api()
        cases = [("POST", "/v2/apis", {"name": 5, "protocolType": "HTTP"}),
                 ("POST", "/v2/apis", {"name": "a", "protocolType": "HTTP", "tags": []}),
                 ("POST", "/v2/apis", {"name": "a", "protocolType": "HTTP",
                                       "corsConfiguration": "open"}),
                 ("POST", "/v2/apis/%s/routes" % api_id, {"routeKey": ["GET /"]}),
                 ("POST", "/v2/apis/%s/integrations" % api_id,
                  {"integrationType": "AWS_PROXY", "timeoutInMillis": "fast"}),
                 ("POST", "/v2/apis/%s/stages" % api_id, {"stageName": "s", "autoDeploy": "yes"}),
                 ("PUT", "/v2/apis", {"body": {"openapi": "3.0.1"}}),
                 ("POST", "/v2/apis/%s/authorizers" % api_id,
                  {"name": "a", "authorizerType": "JWT", "identitySource": "$request.header.A"})]
        for method, path, body in cases:
            with self.subTest(path=path, body=body):
                status, etype, parsed = raw(method, path, body)
                self.assertEqual(status, 400, parsed)
                self.assertIn(etype, ("BadRequestException", "SerializationException"))

    def test_garbage_in_every_label(self):
        api_id = self.api()
        rnd = random.Random(7)
        garbage = ["x", "%00", "%2F..%2F", "..", "a" * 3000, "%E2%98%83", "%FF%FE",
                   "'\";--", "{apiId}", "%25", "$default", "%20"]
        garbage += ["".join(rnd.choice("abc%/.{}$-_~:@!") for _ in range(12)) for _ in range(6)]
        templates = [
            ("GET", "/v2/apis/{g}"), ("PATCH", "/v2/apis/{g}"), ("DELETE", "/v2/apis/{g}"),
            ("PUT", "/v2/apis/{g}"), ("DELETE", "/v2/apis/{g}/cors"),
            ("GET", "/v2/apis/{g}/routes"), ("GET", "/v2/apis/{a}/routes/{g}"),
            ("PATCH", "/v2/apis/{a}/routes/{g}"), ("DELETE", "/v2/apis/{a}/routes/{g}"),
            ("GET", "/v2/apis/{a}/integrations/{g}"), ("DELETE", "/v2/apis/{a}/integrations/{g}"),
            ("PATCH", "/v2/apis/{a}/integrations/{g}"),
            ("GET", "/v2/apis/{a}/authorizers/{g}"), ("DELETE", "/v2/apis/{a}/authorizers/{g}"),
            ("GET", "/v2/apis/{a}/stages/{g}"), ("PATCH", "/v2/apis/{a}/stages/{g}"),
            ("DELETE", "/v2/apis/{a}/stages/{g}"), ("GET", "/v2/apis/{a}/deployments/{g}"),
            ("DELETE", "/v2/apis/{a}/deployments/{g}"),
            ("PATCH", "/v2/apis/{a}/deployments/{g}"),
            ("GET", "/v2/apis/{a}/exports/{g}?outputType=JSON"),
            ("GET", "/v2/tags/{g}"), ("POST", "/v2/tags/{g}"), ("DELETE", "/v2/tags/{g}?tagKeys=a"),
            ("GET", "/v2/apis?maxResults={g}"), ("GET", "/v2/apis/{a}/routes?nextToken={g}"),
        ]
        for method, tmpl in templates:
            for g in garbage:
                path = tmpl.replace("{a}", api_id).replace("{g}", g)
                body = b"{}" if method in ("POST", "PUT", "PATCH") else b""
                status, etype, parsed = raw(method, path, body)
                with self.subTest(method=method, path=path[:120]):
                    self.assertGreaterEqual(status, 200)
                    self.assertLess(status, 500, parsed)
                    if status >= 400:
                        self.assertTrue(etype, path)
        # still serving, the API untouched
        self.assertEqual(self.v2.get_api(ApiId=api_id)["ApiId"], api_id)

    def test_unknown_paths_and_methods(self):
        status, etype, _ = raw("GET", "/v2/apis/x/unknown")
        self.assertEqual(status // 100, 4)
        self.assertTrue(etype)
        status, _, _ = raw("POST", "/v2/apis/x")
        self.assertEqual(status // 100, 4)

    def test_huge_and_deep_bodies(self):
        deep = b"[" * 5000 + b"]" * 5000
        status, etype, _ = raw("POST", "/v2/apis", b'{"name": "a", "protocolType": "HTTP", '
                                                     b'"tags": ' + deep + b"}")
        self.assertEqual(status // 100, 4)
        big = {"name": "a", "protocolType": "HTTP", "description": "d" * (11 << 20)}
        try:
            status, _, _ = raw("POST", "/v2/apis", big)
            self.assertEqual(status // 100, 4)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused while it was still being sent: as good as a 413
        self.assertIn("Items", self.v2.get_apis())


if __name__ == "__main__":
    unittest.main()
