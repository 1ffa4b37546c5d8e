"""HTTP APIs (apigatewayv2) serving requests: quick create in front of a
Python handler, named and $default stages through the execute-api host
and /_aws/execute-api/, AWS's route precedence, the 2.0 event and its
reply rules (bare strings and objects, cookies, statusCode replies), the
1.0 format, Node.js, CORS preflights and headers, Lambda REQUEST
authorizers (simple and policy answers) and JWT authorizers, and the
404s and 500s a caller meets."""

import base64
import json
import time
import unittest

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import tinystack_env as env
from test_apigw import call, lambda_client, ApigwCase, ACCOUNT

V2 = r"""
import json, base64
def handler(event, context):
    path = event.get("rawPath", "")
    if path.endswith("/string"):
        return "plain words"
    if path.endswith("/object"):
        return {"just": "data"}
    if path.endswith("/cookies"):
        return {"statusCode": 200, "cookies": ["a=1; Path=/", "b=2"], "body": "ok"}
    if path.endswith("/boom"):
        raise RuntimeError("boom")
    if path.endswith("/slow"):
        import time; time.sleep(2)
    if path.endswith("/bin"):
        return {"statusCode": 200, "headers": {"content-type": "application/octet-stream"},
                "body": base64.b64encode(b"\x00\xff").decode(), "isBase64Encoded": True}
    return {"statusCode": 200, "headers": {"content-type": "application/json",
                                           "access-control-allow-origin": "wrong"},
            "body": json.dumps(event)}
"""

NODE = r"""
exports.handler = async (event) => ({statusCode: 202, body: JSON.stringify(
  {runtime: "node", route: event.routeKey, params: event.pathParameters || null})});
"""

AUTH = r"""
def simple(event, context):
    ok = event["headers"].get("authorization") == "let-me-in"
    return {"isAuthorized": ok, "context": {"who": "tester", "n": 3}}

def policy(event, context):
    ok = event["headers"].get("authorization") == "let-me-in"
    return {"principalId": "p1", "policyDocument": {"Version": "2012-10-17", "Statement": [
        {"Action": "execute-api:Invoke", "Effect": "Allow" if ok else "Deny",
         "Resource": event["routeArn"]}]}, "context": {"via": "policy"}}
"""


def v2_client():
    return boto3.session.Session().client(
        "apigatewayv2", region_name=env.REGION, endpoint_url=env.ENDPOINT,
        aws_access_key_id=env.ACCESS_KEY, aws_secret_access_key=env.SECRET_KEY,
        config=Config(retries={"max_attempts": 0}))


def host(api_id):
    return "%s.execute-api.localhost.localstack.cloud:%d" % (api_id, env.PORT)


def jwt(claims):
    enc = lambda o: base64.urlsafe_b64encode(json.dumps(o).encode()).rstrip(b"=").decode()
    return "%s.%s.%s" % (enc({"alg": "RS256", "typ": "JWT"}), enc(claims), "c2lnbmF0dXJl")


class V2Case(ApigwCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.v2 = v2_client()
        cls.fn = cls.function("v2-data", V2, Timeout=10)

    def http_api(self, **kw):
        r = self.v2.create_api(Name="data", ProtocolType="HTTP", **kw)
        self.addCleanup(self.v2.delete_api, ApiId=r["ApiId"])
        return r["ApiId"]

    def integration(self, api, fn=None, version="2.0", **kw):
        return self.v2.create_integration(ApiId=api, IntegrationType="AWS_PROXY",
                                          IntegrationUri=fn or self.fn,
                                          PayloadFormatVersion=version, **kw)["IntegrationId"]

    def route(self, api, key, integ, **kw):
        return self.v2.create_route(ApiId=api, RouteKey=key, Target="integrations/" + integ,
                                    **kw)["RouteId"]


class TestQuickCreate(V2Case):

    def test_default_stage_through_both_url_forms(self):
        api = self.http_api(Target=self.fn)
        for r in (call("GET", "/items/7?x=1&x=2", host=host(api),
                       headers={"Cookie": "c1=v1; c2=v2", "X-Dup": "a"}),
                  call("GET", "/_aws/execute-api/%s/items/7?x=1&x=2" % api,
                       headers={"Cookie": "c1=v1; c2=v2", "X-Dup": "a"})):
            self.assertEqual(r.status, 200, r)
            ev = r.json()
            self.assertEqual(ev["version"], "2.0")
            self.assertEqual(ev["routeKey"], "$default")
            self.assertEqual(ev["rawPath"], "/items/7")
            self.assertEqual(ev["rawQueryString"], "x=1&x=2")
            self.assertEqual(ev["queryStringParameters"], {"x": "1,2"})
            self.assertEqual(ev["cookies"], ["c1=v1", "c2=v2"])
            self.assertEqual(ev["headers"]["x-dup"], "a")
            self.assertNotIn("cookie", ev["headers"])
            rc = ev["requestContext"]
            self.assertEqual(rc["http"]["method"], "GET")
            self.assertEqual(rc["http"]["path"], "/items/7")
            self.assertEqual(rc["http"]["sourceIp"], "127.0.0.1")
            self.assertEqual(rc["stage"], "$default")
            self.assertEqual(rc["apiId"], api)
            self.assertEqual(rc["accountId"], ACCOUNT)
            self.assertIs(ev["isBase64Encoded"], False)

    def test_reply_rules(self):
        api = self.http_api(Target=self.fn)
        r = call("GET", "/string", host=host(api))
        self.assertEqual((r.status, r.body), (200, b"plain words"))
        self.assertEqual(r.header("Content-Type"), "application/json")
        r = call("GET", "/object", host=host(api))
        self.assertEqual((r.status, r.json()), (200, {"just": "data"}))
        r = call("GET", "/cookies", host=host(api))
        self.assertEqual(r.all("Set-Cookie"), ["a=1; Path=/", "b=2"])
        r = call("GET", "/bin", host=host(api))
        self.assertEqual(r.body, b"\x00\xff")
        r = call("GET", "/boom", host=host(api))
        self.assertEqual((r.status, r.json()), (500, {"message": "Internal Server Error"}))

    def test_binary_request_body(self):
        api = self.http_api(Target=self.fn)
        ev = call("POST", "/up", body=b"\x00\x01\x02", host=host(api),
                  headers={"Content-Type": "application/octet-stream"}).json()
        self.assertIs(ev["isBase64Encoded"], True)
        self.assertEqual(base64.b64decode(ev["body"]), b"\x00\x01\x02")
        ev = call("POST", "/up", body=b'{"a": 1}', host=host(api),
                  headers={"Content-Type": "application/json"}).json()
        self.assertEqual((ev["body"], ev["isBase64Encoded"]), ('{"a": 1}', False))

    def test_unknown_api_is_404(self):
        r = call("GET", "/x", host=host("nosuchapi0"))
        self.assertEqual((r.status, r.json()), (404, {"message": "Not Found"}))


class TestRoutesAndStages(V2Case):

    def test_precedence_and_named_stage(self):
        api = self.http_api()
        integ = self.integration(api)
        node = self.function("v2-node", NODE, handler="index.handler", runtime="nodejs20.x")
        ninteg = self.integration(api, fn=node)
        self.route(api, "GET /items/{id}", integ)
        self.route(api, "GET /items/special", integ)
        self.route(api, "ANY /items/{proxy+}", integ)
        self.route(api, "POST /items/{id}", ninteg)
        self.route(api, "$default", integ)
        self.v2.create_stage(ApiId=api, StageName="dev", AutoDeploy=True,
                             StageVariables={"color": "green"})
        time.sleep(0.1)
        get = lambda m, p: call(m, "/dev" + p, host=host(api))
        ev = get("GET", "/items/special").json()
        self.assertEqual(ev["routeKey"], "GET /items/special")
        self.assertEqual(ev["rawPath"], "/dev/items/special")
        self.assertEqual(ev["stageVariables"], {"color": "green"})
        self.assertEqual(ev["requestContext"]["stage"], "dev")
        ev = get("GET", "/items/42").json()
        self.assertEqual((ev["routeKey"], ev["pathParameters"]), ("GET /items/{id}", {"id": "42"}))
        ev = get("DELETE", "/items/a/b").json()
        self.assertEqual((ev["routeKey"], ev["pathParameters"]),
                         ("ANY /items/{proxy+}", {"proxy": "a/b"}))
        r = get("POST", "/items/9")
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.json(), {"runtime": "node", "route": "POST /items/{id}",
                                    "params": {"id": "9"}})
        self.assertEqual(get("GET", "/other").json()["routeKey"], "$default")
        r = call("GET", "/_aws/execute-api/%s/dev/items/42" % api)
        self.assertEqual(r.json()["routeKey"], "GET /items/{id}")

    def test_no_route_is_404_and_stage_without_autodeploy(self):
        api = self.http_api()
        integ = self.integration(api)
        self.route(api, "GET /only", integ)
        self.v2.create_stage(ApiId=api, StageName="manual")
        r = call("GET", "/manual/only", host=host(api))
        self.assertEqual(r.status, 404, "nothing deployed to the stage yet")
        self.v2.create_deployment(ApiId=api, StageName="manual")
        self.assertEqual(call("GET", "/manual/only", host=host(api)).status, 200)
        r = call("GET", "/manual/other", host=host(api))
        self.assertEqual((r.status, r.json()), (404, {"message": "Not Found"}))
        r = call("GET", "/nostage/only", host=host(api))
        self.assertEqual(r.status, 404)

    def test_payload_format_1(self):
        api = self.http_api()
        integ = self.integration(api, version="1.0")
        self.route(api, "GET /v1/{id}", integ)
        self.v2.create_stage(ApiId=api, StageName="$default", AutoDeploy=True)
        time.sleep(0.1)
        r = call("GET", "/v1/5?q=z", host=host(api))
        self.assertEqual(r.status, 200, r)
        ev = r.json()
        self.assertEqual(ev["version"], "1.0") if "version" in ev else None
        self.assertEqual(ev["resource"], "/v1/{id}")
        self.assertEqual(ev["pathParameters"], {"id": "5"})
        self.assertEqual(ev["queryStringParameters"], {"q": "z"})
        self.assertEqual(ev["httpMethod"], "GET")

    def test_timeout_is_503(self):
        api = self.http_api()
        integ = self.integration(api, TimeoutInMillis=500)
        self.route(api, "GET /slow", integ)
        self.v2.create_stage(ApiId=api, StageName="$default", AutoDeploy=True)
        time.sleep(0.1)
        r = call("GET", "/slow", host=host(api))
        self.assertEqual((r.status, r.json()), (503, {"message": "Service Unavailable"}))


class TestCors(V2Case):

    def test_preflight_and_response_headers(self):
        api = self.http_api(Target=self.fn, CorsConfiguration={
            "AllowOrigins": ["https://app.example.com"], "AllowMethods": ["GET", "POST"],
            "AllowHeaders": ["content-type", "authorization"], "ExposeHeaders": ["x-total"],
            "MaxAge": 300, "AllowCredentials": True})
        r = call("OPTIONS", "/items", host=host(api),
                 headers={"Origin": "https://app.example.com",
                          "Access-Control-Request-Method": "POST"})
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.header("Access-Control-Allow-Origin"), "https://app.example.com")
        self.assertEqual(r.header("Access-Control-Allow-Methods"), "GET,POST")
        self.assertEqual(r.header("Access-Control-Allow-Headers"), "content-type,authorization")
        self.assertEqual(r.header("Access-Control-Max-Age"), "300")
        self.assertEqual(r.header("Access-Control-Allow-Credentials"), "true")
        r = call("OPTIONS", "/items", host=host(api),
                 headers={"Origin": "https://evil.example.com",
                          "Access-Control-Request-Method": "POST"})
        self.assertEqual(r.status, 204)
        self.assertIsNone(r.header("Access-Control-Allow-Origin"))
        r = call("GET", "/items", host=host(api), headers={"Origin": "https://app.example.com"})
        self.assertEqual(r.status, 200)
        self.assertEqual(r.all("Access-Control-Allow-Origin"), ["https://app.example.com"])
        self.assertEqual(r.header("Access-Control-Expose-Headers"), "x-total")
        r = call("GET", "/items", host=host(api))
        self.assertEqual(r.header("Access-Control-Allow-Origin"), "wrong",
                         "without an Origin the integration's own headers stay")


class TestAuthorizers(V2Case):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.auth = cls.function("v2-auth", AUTH, handler="app.simple")
        cls.pol = cls.function("v2-auth-policy", AUTH, handler="app.policy")

    def protected(self, **auth_kw):
        api = self.http_api()
        integ = self.integration(api)
        au = self.v2.create_authorizer(ApiId=api, Name="a", **auth_kw)["AuthorizerId"]
        kind = "JWT" if auth_kw["AuthorizerType"] == "JWT" else "CUSTOM"
        self.route(api, "GET /secret", integ, AuthorizationType=kind, AuthorizerId=au)
        self.v2.create_stage(ApiId=api, StageName="$default", AutoDeploy=True)
        time.sleep(0.1)
        return api

    def lambda_auth(self, fn, simple):
        uri = ("arn:aws:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations"
               % (env.REGION, fn))
        kw = dict(AuthorizerType="REQUEST", AuthorizerUri=uri,
                  IdentitySource=["$request.header.Authorization"],
                  AuthorizerPayloadFormatVersion="2.0", AuthorizerResultTtlInSeconds=0)
        if simple:
            kw["EnableSimpleResponses"] = True
        return self.protected(**kw)

    def test_simple_responses(self):
        api = self.lambda_auth(self.auth, True)
        r = call("GET", "/secret", host=host(api), headers={"Authorization": "let-me-in"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["requestContext"]["authorizer"]["lambda"],
                         {"who": "tester", "n": 3})
        r = call("GET", "/secret", host=host(api), headers={"Authorization": "nope"})
        self.assertEqual((r.status, r.json()), (403, {"message": "Forbidden"}))
        r = call("GET", "/secret", host=host(api))
        self.assertEqual((r.status, r.json()), (401, {"message": "Unauthorized"}))

    def test_policy_responses(self):
        api = self.lambda_auth(self.pol, False)
        r = call("GET", "/secret", host=host(api), headers={"Authorization": "let-me-in"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["requestContext"]["authorizer"]["lambda"]["via"], "policy")
        r = call("GET", "/secret", host=host(api), headers={"Authorization": "nope"})
        self.assertEqual(r.status, 403, r)

    def test_jwt(self):
        api = self.protected(AuthorizerType="JWT",
                             IdentitySource=["$request.header.Authorization"],
                             JwtConfiguration={"Audience": ["my-app"],
                                               "Issuer": "https://issuer.example.com"})
        good = {"iss": "https://issuer.example.com", "aud": "my-app", "sub": "u1",
                "exp": int(time.time()) + 600, "scope": "read write"}
        r = call("GET", "/secret", host=host(api), headers={"Authorization": "Bearer " + jwt(good)})
        self.assertEqual(r.status, 200, r)
        claims = r.json()["requestContext"]["authorizer"]["jwt"]
        self.assertEqual(claims["claims"]["sub"], "u1")
        self.assertEqual(claims["scopes"], ["read", "write"])
        for bad in (dict(good, aud="other"), dict(good, iss="https://evil"),
                    dict(good, exp=int(time.time()) - 10)):
            r = call("GET", "/secret", host=host(api),
                     headers={"Authorization": "Bearer " + jwt(bad)})
            self.assertEqual((r.status, r.json()), (401, {"message": "Unauthorized"}), bad)
        for junk in ("Bearer x.y", "Bearer " + "a" * 5000, "nothing"):
            r = call("GET", "/secret", host=host(api), headers={"Authorization": junk})
            self.assertEqual(r.status, 401, junk)
        self.assertEqual(call("GET", "/secret", host=host(api)).status, 401)


if __name__ == "__main__":
    unittest.main()
