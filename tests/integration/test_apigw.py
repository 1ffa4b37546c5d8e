"""API Gateway REST APIs (apigateway): the control plane with boto3 (every
operation, AWS's defaults, its errors for bad and unknown input) and the
data plane with plain HTTP through every URL form LocalStack users know:
Lambda proxy integrations in Python and Node.js (the 1.0 event, path
parameters, query strings, multi-value headers, stage variables, binary
bodies both ways, handler errors, malformed replies, timeouts), routing
as AWS routes, API keys, TOKEN and REQUEST authorizers, MOCK preflights,
non-proxy Lambda integrations with mapping templates, and gateway
responses."""

import base64
import http.client
import json
import re
import time
import unittest

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import tinystack_env as env
from test_lambda import make_zip, ROLE

ACCOUNT = "000000000000"

PROXY = r"""
import base64, json, time
def handler(event, context):
    path = event.get("path") or ""
    if path.endswith("/boom"):
        raise ValueError("boom")
    if path.endswith("/malformed"):
        return {"body": {"not": "a string"}}
    if path.endswith("/nostatus"):
        return {"nope": 1}
    if path.endswith("/slow"):
        time.sleep(2)
    if path.endswith("/png"):
        return {"statusCode": 200, "headers": {"Content-Type": "image/png"},
                "body": base64.b64encode(b"\x89PNG\r\n\x00\xff").decode(),
                "isBase64Encoded": True}
    return {"statusCode": 201, "headers": {"X-Echo": "yes", "Content-Type": "application/json"},
            "multiValueHeaders": {"X-Multi": ["a", "b"]},
            "body": json.dumps({"event": event})}
"""

NODE_PROXY = r"""
exports.handler = async (event) => ({
  statusCode: 200,
  headers: {"Content-Type": "application/json", "X-Runtime": "node"},
  body: JSON.stringify({path: event.path, params: event.pathParameters,
                        query: event.queryStringParameters, method: event.httpMethod}),
});
"""

AUTHORIZER = r"""
import json
def token(event, context):
    tok = event.get("authorizationToken")
    if tok == "unauthorized":
        raise Exception("Unauthorized")
    if tok == "broken":
        return {"nothing": True}
    effect = "Allow" if tok.startswith("allow") else "Deny"
    return {"principalId": "user-" + tok,
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}]},
            "context": {"tier": "gold", "n": 7, "ok": True, "type": event["type"]}}

def request(event, context):
    h = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    q = event.get("queryStringParameters") or {}
    allow = h.get("x-user") == "alice" and q.get("k") == "1"
    arn = event["methodArn"].split("/")[0] + "/*"
    return {"principalId": h.get("x-user", "nobody"),
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow" if allow else "Deny",
                 "Resource": [arn]}]},
            "context": {"user": h.get("x-user", ""), "stage": event["requestContext"]["stage"],
                        "type": event["type"], "path": event["path"]}}
"""

PLAIN = r"""
def handler(event, context):
    if event.get("fail"):
        raise Exception("NotFound: invoice " + str(event.get("id")))
    return {"got": event, "total": 3}
"""


def apigw_client(validate=True):
    return boto3.session.Session().client(
        "apigateway", region_name=env.REGION, endpoint_url=env.ENDPOINT,
        aws_access_key_id=env.ACCESS_KEY, aws_secret_access_key=env.SECRET_KEY,
        config=Config(retries={"max_attempts": 0}, parameter_validation=validate))


def lambda_client():
    return boto3.session.Session().client(
        "lambda", region_name=env.REGION, endpoint_url=env.ENDPOINT,
        aws_access_key_id=env.ACCESS_KEY, aws_secret_access_key=env.SECRET_KEY,
        config=Config(retries={"max_attempts": 0}, read_timeout=60))


def invocation_uri(function_arn):
    return ("arn:aws:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations"
            % (env.REGION, function_arn))


class Reply:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return "<%d %r %r>" % (self.status, self.headers, self.body[:300])


def call(method, path, body=None, headers=None, host=None, timeout=30):
    """A plain HTTP request to tinystack (unsigned, as a browser or curl
    sends it); host sets the Host header (the execute-api form)."""
    conn = http.client.HTTPConnection(env.HOST, env.PORT, timeout=timeout)
    hdrs = dict(headers or {})
    if host:
        hdrs["Host"] = host
    conn.request(method, path, body=body, headers=hdrs)
    r = conn.getresponse()
    out = Reply(r.status, r.getheaders(), r.read())
    conn.close()
    return out


def user_request(api, stage, path, **kw):
    return call(kw.pop("method", "GET"), "/restapis/%s/%s/_user_request_%s" % (api, stage, path),
                **kw)


class ApigwCase(unittest.TestCase):
    made_functions = []

    @classmethod
    def setUpClass(cls):
        cls.ag = apigw_client()
        cls.lam = lambda_client()

    @classmethod
    def tearDownClass(cls):
        for name in cls.made_functions:
            try:
                cls.lam.delete_function(FunctionName=name)
            except ClientError:
                pass

    @classmethod
    def function(cls, name, code, handler="app.handler", runtime="python3.12", **kw):
        files = {"index.js" if runtime.startswith("nodejs") else "app.py": code}
        try:
            cls.lam.delete_function(FunctionName=name)
        except ClientError:
            pass
        r = cls.lam.create_function(FunctionName=name, Runtime=runtime, Role=ROLE,
                                    Handler=handler, Code={"ZipFile": make_zip(files)}, **kw)
        cls.made_functions.append(name)
        return r["FunctionArn"]

    def assertError(self, code, fn, *a, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(*a, **kw)
        self.assertEqual(cm.exception.response["Error"]["Code"], code, cm.exception.response)
        return cm.exception.response["Error"]["Message"]

    def api(self, name="api", **kw):
        r = self.ag.create_rest_api(name=name, **kw)
        self.addCleanup(self._drop, r["id"])
        return r

    def _drop(self, api_id):
        try:
            self.ag.delete_rest_api(restApiId=api_id)
        except ClientError:
            pass

    def root(self, api_id):
        return [r for r in self.ag.get_resources(restApiId=api_id)["items"]
                if r["path"] == "/"][0]["id"]

    def proxy_method(self, api_id, resource_id, fn_arn, method="ANY", **kw):
        self.ag.put_method(restApiId=api_id, resourceId=resource_id, httpMethod=method,
                           authorizationType=kw.pop("authorizationType", "NONE"), **kw)
        self.ag.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod=method,
                                type="AWS_PROXY", integrationHttpMethod="POST",
                                uri=invocation_uri(fn_arn))


class TestRestApis(ApigwCase):

    def test_create_defaults_get_list_delete(self):
        r = self.api("first", description="d", binaryMediaTypes=["image/png"],
                     tags={"team": "a"})
        self.assertRegex(r["id"], r"^[a-z0-9]{10}$")
        self.assertEqual(r["apiKeySource"], "HEADER")
        self.assertEqual(r["endpointConfiguration"], {"types": ["EDGE"]})
        self.assertEqual(r["binaryMediaTypes"], ["image/png"])
        self.assertEqual(r["tags"], {"team": "a"})
        self.assertFalse(r["disableExecuteApiEndpoint"])
        self.assertIn("createdDate", r)
        got = self.ag.get_rest_api(restApiId=r["id"])
        self.assertEqual(got["name"], "first")
        self.assertEqual(got["rootResourceId"], self.root(r["id"]))
        self.assertNotIn("_resources", got)
        ids = [a["id"] for a in self.ag.get_rest_apis(limit=500)["items"]]
        self.assertIn(r["id"], ids)
        self.ag.delete_rest_api(restApiId=r["id"])
        self.assertError("NotFoundException", self.ag.get_rest_api, restApiId=r["id"])
        self.assertError("NotFoundException", self.ag.delete_rest_api, restApiId=r["id"])

    def test_paging(self):
        made = [self.api("page-%d" % i)["id"] for i in range(5)]
        seen, pos = [], None
        while True:
            kw = {"limit": 2}
            if pos:
                kw["position"] = pos
            page = self.ag.get_rest_apis(**kw)
            self.assertLessEqual(len(page["items"]), 2)
            seen += [a["id"] for a in page["items"]]
            pos = page.get("position")
            if not pos:
                break
        self.assertTrue(set(made) <= set(seen))
        self.assertEqual(len(seen), len(set(seen)))
        self.assertError("BadRequestException", self.ag.get_rest_apis, position="garbage")

    def test_update_patch_operations(self):
        a = self.api("before")
        r = self.ag.update_rest_api(restApiId=a["id"], patchOperations=[
            {"op": "replace", "path": "/name", "value": "after"},
            {"op": "replace", "path": "/description", "value": "new"},
            {"op": "add", "path": "/binaryMediaTypes/image~1png"},
            {"op": "add", "path": "/binaryMediaTypes/application~1octet-stream"},
            {"op": "replace", "path": "/disableExecuteApiEndpoint", "value": "true"}])
        self.assertEqual(r["name"], "after")
        self.assertEqual(r["description"], "new")
        self.assertEqual(r["binaryMediaTypes"], ["image/png", "application/octet-stream"])
        self.assertIs(r["disableExecuteApiEndpoint"], True)
        r = self.ag.update_rest_api(restApiId=a["id"], patchOperations=[
            {"op": "remove", "path": "/binaryMediaTypes/image~1png"}])
        self.assertEqual(r["binaryMediaTypes"], ["application/octet-stream"])
        self.assertError("BadRequestException", self.ag.update_rest_api, restApiId=a["id"],
                         patchOperations=[{"op": "replace", "path": "/id", "value": "x"}])
        self.assertError("BadRequestException", self.ag.update_rest_api, restApiId=a["id"],
                         patchOperations=[{"op": "move", "path": "/name", "from": "/x"}])
        self.assertEqual(self.ag.get_rest_api(restApiId=a["id"])["name"], "after")

    def test_bad_create(self):
        self.assertError("BadRequestException", self.ag.create_rest_api, name="")
        self.assertError("BadRequestException", self.ag.create_rest_api, name="x",
                         apiKeySource="NOPE")


class TestResources(ApigwCase):

    def test_tree_paths_and_conflicts(self):
        a = self.api()["id"]
        root = self.root(a)
        notas = self.ag.create_resource(restApiId=a, parentId=root, pathPart="notas")
        self.assertEqual(notas["path"], "/notas")
        self.assertEqual(notas["parentId"], root)
        one = self.ag.create_resource(restApiId=a, parentId=notas["id"], pathPart="{id}")
        self.assertEqual(one["path"], "/notas/{id}")
        msg = self.assertError("ConflictException", self.ag.create_resource, restApiId=a,
                               parentId=root, pathPart="notas")
        self.assertIn("notas", msg)
        msg = self.assertError("BadRequestException", self.ag.create_resource, restApiId=a,
                               parentId=notas["id"], pathPart="{other}")
        self.assertIn("sibling", msg)
        for bad in ("a/b", "{}", "{a", "a b", "{a+b}"):
            self.assertError("BadRequestException", self.ag.create_resource, restApiId=a,
                             parentId=root, pathPart=bad)
        greedy = self.ag.create_resource(restApiId=a, parentId=root, pathPart="{proxy+}")
        self.assertEqual(greedy["path"], "/{proxy+}")
        msg = self.assertError("BadRequestException", self.ag.create_resource, restApiId=a,
                               parentId=greedy["id"], pathPart="x")
        self.assertIn("greedy", msg)
        self.assertError("NotFoundException", self.ag.create_resource, restApiId=a,
                         parentId="nope000000", pathPart="x")
        paths = [r["path"] for r in self.ag.get_resources(restApiId=a)["items"]]
        self.assertEqual(sorted(paths), ["/", "/notas", "/notas/{id}", "/{proxy+}"])
        got = self.ag.get_resource(restApiId=a, resourceId=one["id"])
        self.assertEqual(got["pathPart"], "{id}")
        # Deleting a resource takes its children.
        self.ag.delete_resource(restApiId=a, resourceId=notas["id"])
        self.assertError("NotFoundException", self.ag.get_resource, restApiId=a,
                         resourceId=one["id"])
        self.assertError("BadRequestException", self.ag.delete_resource, restApiId=a,
                         resourceId=root)

    def test_update_moves_and_renames(self):
        a = self.api()["id"]
        root = self.root(a)
        x = self.ag.create_resource(restApiId=a, parentId=root, pathPart="x")["id"]
        y = self.ag.create_resource(restApiId=a, parentId=root, pathPart="y")["id"]
        c = self.ag.create_resource(restApiId=a, parentId=x, pathPart="c")["id"]
        r = self.ag.update_resource(restApiId=a, resourceId=x, patchOperations=[
            {"op": "replace", "path": "/pathPart", "value": "z"}])
        self.assertEqual(r["path"], "/z")
        self.assertEqual(self.ag.get_resource(restApiId=a, resourceId=c)["path"], "/z/c")
        r = self.ag.update_resource(restApiId=a, resourceId=x, patchOperations=[
            {"op": "replace", "path": "/parentId", "value": y}])
        self.assertEqual(r["path"], "/y/z")
        self.assertEqual(self.ag.get_resource(restApiId=a, resourceId=c)["path"], "/y/z/c")
        self.assertError("BadRequestException", self.ag.update_resource, restApiId=a,
                         resourceId=y, patchOperations=[
                             {"op": "replace", "path": "/parentId", "value": c}])

    def test_embed_methods(self):
        a = self.api()["id"]
        root = self.root(a)
        self.ag.put_method(restApiId=a, resourceId=root, httpMethod="GET",
                           authorizationType="NONE")
        plain = self.ag.get_resources(restApiId=a)["items"][0]
        self.assertEqual(plain["resourceMethods"], {"GET": {}})
        full = self.ag.get_resources(restApiId=a, embed=["methods"])["items"][0]
        self.assertEqual(full["resourceMethods"]["GET"]["authorizationType"], "NONE")


class TestMethodsIntegrations(ApigwCase):

    def setUp(self):
        self.a = self.api()["id"]
        self.r = self.root(self.a)

    def test_method_lifecycle(self):
        m = self.ag.put_method(restApiId=self.a, resourceId=self.r, httpMethod="POST",
                               authorizationType="NONE", apiKeyRequired=True,
                               requestParameters={"method.request.header.X-Id": True})
        self.assertEqual(m["httpMethod"], "POST")
        self.assertIs(m["apiKeyRequired"], True)
        self.assertEqual(m["requestParameters"], {"method.request.header.X-Id": True})
        self.assertError("ConflictException", self.ag.put_method, restApiId=self.a,
                         resourceId=self.r, httpMethod="POST", authorizationType="NONE")
        self.assertError("BadRequestException", self.ag.put_method, restApiId=self.a,
                         resourceId=self.r, httpMethod="FETCH", authorizationType="NONE")
        self.assertError("BadRequestException", self.ag.put_method, restApiId=self.a,
                         resourceId=self.r, httpMethod="GET", authorizationType="MAGIC")
        self.assertError("BadRequestException", self.ag.put_method, restApiId=self.a,
                         resourceId=self.r, httpMethod="GET", authorizationType="CUSTOM",
                         authorizerId="nope00")
        u = self.ag.update_method(restApiId=self.a, resourceId=self.r, httpMethod="POST",
                                  patchOperations=[{"op": "replace", "path": "/apiKeyRequired",
                                                    "value": "false"}])
        self.assertIs(u["apiKeyRequired"], False)
        self.assertEqual(self.ag.get_method(restApiId=self.a, resourceId=self.r,
                                            httpMethod="POST")["apiKeyRequired"], False)
        self.ag.delete_method(restApiId=self.a, resourceId=self.r, httpMethod="POST")
        self.assertError("NotFoundException", self.ag.get_method, restApiId=self.a,
                         resourceId=self.r, httpMethod="POST")
        self.assertError("NotFoundException", self.ag.get_method, restApiId=self.a,
                         resourceId="nope000000", httpMethod="GET")

    def test_integration_defaults_and_checks(self):
        self.ag.put_method(restApiId=self.a, resourceId=self.r, httpMethod="GET",
                           authorizationType="NONE")
        uri = invocation_uri("arn:aws:lambda:%s:%s:function:f" % (env.REGION, ACCOUNT))
        i = self.ag.put_integration(restApiId=self.a, resourceId=self.r, httpMethod="GET",
                                    type="AWS_PROXY", integrationHttpMethod="POST", uri=uri)
        self.assertEqual(i["type"], "AWS_PROXY")
        self.assertEqual(i["httpMethod"], "POST")
        self.assertEqual(i["uri"], uri)
        self.assertEqual(i["passthroughBehavior"], "WHEN_NO_MATCH")
        self.assertEqual(i["timeoutInMillis"], 29000)
        self.assertEqual(i["cacheNamespace"], self.r)
        self.assertEqual(i["cacheKeyParameters"], [])
        got = self.ag.get_method(restApiId=self.a, resourceId=self.r, httpMethod="GET")
        self.assertEqual(got["methodIntegration"]["uri"], uri)
        put = lambda **kw: self.ag.put_integration(restApiId=self.a, resourceId=self.r,
                                                   httpMethod="GET", **kw)
        self.assertError("BadRequestException", put, type="CARRIER_PIGEON")
        self.assertError("BadRequestException", put, type="AWS_PROXY", uri=uri)
        self.assertError("BadRequestException", put, type="AWS_PROXY",
                         integrationHttpMethod="POST")
        self.assertError("BadRequestException", put, type="HTTP", integrationHttpMethod="GET",
                         uri="ftp://example.com")
        self.assertError("BadRequestException", put, type="AWS_PROXY",
                         integrationHttpMethod="POST",
                         uri="arn:aws:apigateway:us-east-1:s3:path/bucket")
        self.assertError("BadRequestException", put, type="MOCK", timeoutInMillis=10)
        m = put(type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'})
        self.assertNotIn("httpMethod", m)
        u = self.ag.update_integration(restApiId=self.a, resourceId=self.r, httpMethod="GET",
                                       patchOperations=[{"op": "replace",
                                                         "path": "/timeoutInMillis",
                                                         "value": "1000"}])
        self.assertEqual(u["timeoutInMillis"], 1000)
        self.ag.delete_integration(restApiId=self.a, resourceId=self.r, httpMethod="GET")
        self.assertError("NotFoundException", self.ag.get_integration, restApiId=self.a,
                         resourceId=self.r, httpMethod="GET")

    def test_method_and_integration_responses(self):
        self.ag.put_method(restApiId=self.a, resourceId=self.r, httpMethod="GET",
                           authorizationType="NONE")
        self.ag.put_integration(restApiId=self.a, resourceId=self.r, httpMethod="GET",
                                type="MOCK")
        mr = self.ag.put_method_response(restApiId=self.a, resourceId=self.r, httpMethod="GET",
                                         statusCode="200",
                                         responseParameters={"method.response.header.X": True})
        self.assertEqual(mr["statusCode"], "200")
        ir = self.ag.put_integration_response(
            restApiId=self.a, resourceId=self.r, httpMethod="GET", statusCode="200",
            selectionPattern="", responseTemplates={"application/json": "{}"},
            responseParameters={"method.response.header.X": "'v'"})
        self.assertEqual(ir["responseParameters"], {"method.response.header.X": "'v'"})
        got = self.ag.get_integration_response(restApiId=self.a, resourceId=self.r,
                                               httpMethod="GET", statusCode="200")
        self.assertEqual(got["responseTemplates"], {"application/json": "{}"})
        self.assertEqual(self.ag.get_method_response(restApiId=self.a, resourceId=self.r,
                                                     httpMethod="GET",
                                                     statusCode="200")["statusCode"], "200")
        self.assertError("BadRequestException", self.ag.put_method_response, restApiId=self.a,
                         resourceId=self.r, httpMethod="GET", statusCode="2000")
        self.assertError("NotFoundException", self.ag.get_integration_response,
                         restApiId=self.a, resourceId=self.r, httpMethod="GET",
                         statusCode="404")
        self.ag.delete_integration_response(restApiId=self.a, resourceId=self.r,
                                            httpMethod="GET", statusCode="200")
        self.ag.delete_method_response(restApiId=self.a, resourceId=self.r, httpMethod="GET",
                                       statusCode="200")
        self.assertError("NotFoundException", self.ag.get_method_response, restApiId=self.a,
                         resourceId=self.r, httpMethod="GET", statusCode="200")


class TestDeploymentsStages(ApigwCase):

    def test_deploy_needs_methods_with_integrations(self):
        a = self.api()["id"]
        r = self.root(a)
        msg = self.assertError("BadRequestException", self.ag.create_deployment, restApiId=a,
                               stageName="dev")
        self.assertIn("doesn't contain any methods", msg)
        self.ag.put_method(restApiId=a, resourceId=r, httpMethod="GET", authorizationType="NONE")
        msg = self.assertError("BadRequestException", self.ag.create_deployment, restApiId=a,
                               stageName="dev")
        self.assertIn("No integration defined for method", msg)

    def test_stages_and_deployments(self):
        a = self.api()["id"]
        r = self.root(a)
        self.ag.put_method(restApiId=a, resourceId=r, httpMethod="GET", authorizationType="NONE")
        self.ag.put_integration(restApiId=a, resourceId=r, httpMethod="GET", type="MOCK")
        d1 = self.ag.create_deployment(restApiId=a, stageName="dev", description="one",
                                       variables={"color": "blue"})
        self.assertRegex(d1["id"], r"^[a-z0-9]{6}$")
        st = self.ag.get_stage(restApiId=a, stageName="dev")
        self.assertEqual(st["deploymentId"], d1["id"])
        self.assertEqual(st["variables"], {"color": "blue"})
        d2 = self.ag.create_deployment(restApiId=a)
        self.assertEqual(len(self.ag.get_deployments(restApiId=a)["items"]), 2)
        self.assertEqual(self.ag.get_deployment(restApiId=a, deploymentId=d1["id"])["description"],
                         "one")
        s2 = self.ag.create_stage(restApiId=a, stageName="prod", deploymentId=d2["id"],
                                  variables={"v": "1"}, description="p")
        self.assertEqual(s2["stageName"], "prod")
        self.assertError("ConflictException", self.ag.create_stage, restApiId=a,
                         stageName="prod", deploymentId=d2["id"])
        self.assertError("NotFoundException", self.ag.create_stage, restApiId=a,
                         stageName="qa", deploymentId="nope00")
        self.assertError("BadRequestException", self.ag.create_stage, restApiId=a,
                         stageName="bad name", deploymentId=d2["id"])
        u = self.ag.update_stage(restApiId=a, stageName="prod", patchOperations=[
            {"op": "replace", "path": "/variables/v", "value": "2"},
            {"op": "replace", "path": "/variables/new", "value": "x"},
            {"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"},
            {"op": "replace", "path": "/deploymentId", "value": d1["id"]}])
        self.assertEqual(u["variables"], {"v": "2", "new": "x"})
        self.assertEqual(u["deploymentId"], d1["id"])
        u = self.ag.update_stage(restApiId=a, stageName="prod", patchOperations=[
            {"op": "remove", "path": "/variables/new"}])
        self.assertEqual(u["variables"], {"v": "2"})
        names = sorted(s["stageName"] for s in self.ag.get_stages(restApiId=a)["item"])
        self.assertEqual(names, ["dev", "prod"])
        msg = self.assertError("BadRequestException", self.ag.delete_deployment, restApiId=a,
                               deploymentId=d1["id"])
        self.assertIn("Active stages", msg)
        self.ag.delete_deployment(restApiId=a, deploymentId=d2["id"])
        self.ag.delete_stage(restApiId=a, stageName="prod")
        self.assertError("NotFoundException", self.ag.get_stage, restApiId=a, stageName="prod")
        self.assertError("NotFoundException", self.ag.get_deployment, restApiId=a,
                         deploymentId=d2["id"])


class TestAuthorizersKeysMisc(ApigwCase):

    def test_authorizers_and_validators(self):
        a = self.api()["id"]
        uri = invocation_uri("arn:aws:lambda:%s:%s:function:auth" % (env.REGION, ACCOUNT))
        au = self.ag.create_authorizer(restApiId=a, name="tok", type="TOKEN", authorizerUri=uri,
                                       identitySource="method.request.header.Authorization")
        self.assertEqual(au["authorizerResultTtlInSeconds"], 300)
        self.assertEqual(self.ag.get_authorizer(restApiId=a, authorizerId=au["id"])["name"],
                         "tok")
        self.assertEqual(len(self.ag.get_authorizers(restApiId=a)["items"]), 1)
        self.assertError("BadRequestException", self.ag.create_authorizer, restApiId=a,
                         name="x", type="TOKEN", authorizerUri=uri)
        self.assertError("BadRequestException", self.ag.create_authorizer, restApiId=a,
                         name="x", type="MAGIC", authorizerUri=uri)
        u = self.ag.update_authorizer(restApiId=a, authorizerId=au["id"], patchOperations=[
            {"op": "replace", "path": "/authorizerResultTtlInSeconds", "value": "0"}])
        self.assertEqual(u["authorizerResultTtlInSeconds"], 0)
        r = self.root(a)
        m = self.ag.put_method(restApiId=a, resourceId=r, httpMethod="GET",
                               authorizationType="CUSTOM", authorizerId=au["id"])
        self.assertEqual(m["authorizerId"], au["id"])
        self.ag.delete_authorizer(restApiId=a, authorizerId=au["id"])
        self.assertError("NotFoundException", self.ag.get_authorizer, restApiId=a,
                         authorizerId=au["id"])
        v = self.ag.create_request_validator(restApiId=a, name="body", validateRequestBody=True)
        self.assertIs(v["validateRequestParameters"], False)
        self.assertEqual(self.ag.get_request_validators(restApiId=a)["items"][0]["id"], v["id"])
        self.assertEqual(self.ag.get_request_validator(restApiId=a, requestValidatorId=v["id"])
                         ["name"], "body")
        u = self.ag.update_request_validator(restApiId=a, requestValidatorId=v["id"],
                                             patchOperations=[
                                                 {"op": "replace",
                                                  "path": "/validateRequestParameters",
                                                  "value": "true"}])
        self.assertIs(u["validateRequestParameters"], True)
        self.assertError("BadRequestException", self.ag.update_request_validator, restApiId=a,
                         requestValidatorId=v["id"],
                         patchOperations=[{"op": "replace", "path": "/id", "value": "x"}])
        self.ag.delete_request_validator(restApiId=a, requestValidatorId=v["id"])
        self.assertError("NotFoundException", self.ag.get_request_validator, restApiId=a,
                         requestValidatorId=v["id"])

    def test_gateway_responses(self):
        a = self.api()["id"]
        d = self.ag.get_gateway_response(restApiId=a, responseType="MISSING_AUTHENTICATION_TOKEN")
        self.assertEqual(d["statusCode"], "403")
        self.assertIs(d["defaultResponse"], True)
        self.assertEqual(d["responseTemplates"],
                         {"application/json": '{"message":$context.error.messageString}'})
        p = self.ag.put_gateway_response(restApiId=a, responseType="DEFAULT_4XX",
                                         responseParameters={
                                             "gatewayresponse.header.Access-Control-Allow-Origin":
                                             "'*'"})
        self.assertIs(p["defaultResponse"], False)
        types = {g["responseType"] for g in self.ag.get_gateway_responses(restApiId=a)["items"]}
        self.assertIn("UNAUTHORIZED", types)
        self.assertIn("DEFAULT_5XX", types)
        self.assertError("BadRequestException", self.ag.get_gateway_response, restApiId=a,
                         responseType="NOPE")
        self.ag.delete_gateway_response(restApiId=a, responseType="DEFAULT_4XX")
        self.assertIs(self.ag.get_gateway_response(restApiId=a, responseType="DEFAULT_4XX")
                      ["defaultResponse"], True)

    def test_api_keys_usage_plans_and_tags(self):
        a = self.api()["id"]
        r = self.root(a)
        self.ag.put_method(restApiId=a, resourceId=r, httpMethod="GET", authorizationType="NONE")
        self.ag.put_integration(restApiId=a, resourceId=r, httpMethod="GET", type="MOCK")
        self.ag.create_deployment(restApiId=a, stageName="dev")
        k = self.ag.create_api_key(name="k1", enabled=True, value="a" * 30)
        self.addCleanup(self.ag.delete_api_key, apiKey=k["id"])
        self.assertEqual(k["value"], "a" * 30)
        self.assertNotIn("value", self.ag.get_api_key(apiKey=k["id"]))
        self.assertEqual(self.ag.get_api_key(apiKey=k["id"], includeValue=True)["value"], "a" * 30)
        gen = self.ag.create_api_key(name="k2")
        self.addCleanup(self.ag.delete_api_key, apiKey=gen["id"])
        self.assertGreaterEqual(len(gen["value"]), 20)
        self.assertIs(gen["enabled"], False)
        self.assertError("BadRequestException", self.ag.create_api_key, name="x", value="short")
        self.assertError("ConflictException", self.ag.create_api_key, name="x", value="a" * 30)
        names = [x["name"] for x in self.ag.get_api_keys(nameQuery="k", limit=500)["items"]]
        self.assertIn("k1", names)
        plan = self.ag.create_usage_plan(name="p", apiStages=[{"apiId": a, "stage": "dev"}])
        self.addCleanup(self.ag.delete_usage_plan, usagePlanId=plan["id"])
        self.assertError("BadRequestException", self.ag.create_usage_plan, name="p2",
                         apiStages=[{"apiId": a, "stage": "nope"}])
        pk = self.ag.create_usage_plan_key(usagePlanId=plan["id"], keyId=k["id"], keyType="API_KEY")
        self.assertEqual(pk, {**pk, "id": k["id"], "type": "API_KEY", "name": "k1"})
        self.assertError("ConflictException", self.ag.create_usage_plan_key,
                         usagePlanId=plan["id"], keyId=k["id"], keyType="API_KEY")
        self.assertError("NotFoundException", self.ag.create_usage_plan_key,
                         usagePlanId=plan["id"], keyId="nope000000", keyType="API_KEY")
        self.assertEqual([x["id"] for x in self.ag.get_usage_plan_keys(usagePlanId=plan["id"])
                          ["items"]], [k["id"]])
        self.assertEqual([p["id"] for p in self.ag.get_usage_plans(keyId=k["id"])["items"]],
                         [plan["id"]])
        arn = "arn:aws:apigateway:%s::/restapis/%s" % (env.REGION, a)
        self.ag.tag_resource(resourceArn=arn, tags={"a": "1", "b": "2"})
        self.ag.untag_resource(resourceArn=arn, tagKeys=["a"])
        self.assertEqual(self.ag.get_tags(resourceArn=arn)["tags"], {"b": "2"})
        self.assertEqual(self.ag.get_rest_api(restApiId=a)["tags"], {"b": "2"})
        sarn = arn + "/stages/dev"
        self.ag.tag_resource(resourceArn=sarn, tags={"s": "1"})
        self.assertEqual(self.ag.get_stage(restApiId=a, stageName="dev")["tags"], {"s": "1"})
        self.assertError("BadRequestException", self.ag.get_tags, resourceArn="arn:aws:nope")
        self.assertEqual(self.ag.get_usage_plan_key(usagePlanId=plan["id"], keyId=k["id"])
                         ["name"], "k1")
        self.assertError("NotFoundException", self.ag.get_usage_plan_key,
                         usagePlanId=plan["id"], keyId=gen["id"])
        u = self.ag.update_usage_plan(usagePlanId=plan["id"], patchOperations=[
            {"op": "replace", "path": "/name", "value": "renamed"},
            {"op": "remove", "path": "/apiStages", "value": "%s:dev" % a}])
        self.assertEqual((u["name"], u["apiStages"]), ("renamed", []))
        u = self.ag.update_usage_plan(usagePlanId=plan["id"], patchOperations=[
            {"op": "add", "path": "/apiStages", "value": "%s:dev" % a}])
        self.assertEqual(u["apiStages"], [{"apiId": a, "stage": "dev"}])
        self.assertError("BadRequestException", self.ag.update_usage_plan,
                         usagePlanId=plan["id"], patchOperations=[
                             {"op": "add", "path": "/apiStages", "value": "%s:nostage" % a}])
        self.assertError("BadRequestException", self.ag.update_usage_plan,
                         usagePlanId=plan["id"], patchOperations=[
                             {"op": "add", "path": "/apiStages", "value": "no-colon"}])
        self.assertError("BadRequestException", self.ag.update_usage_plan,
                         usagePlanId=plan["id"], patchOperations=[
                             {"op": "replace", "path": "/id", "value": "x"}])
        self.assertError("NotFoundException", self.ag.update_usage_plan, usagePlanId="nope",
                         patchOperations=[])
        self.ag.delete_usage_plan_key(usagePlanId=plan["id"], keyId=k["id"])
        self.assertError("NotFoundException", self.ag.delete_usage_plan_key,
                         usagePlanId=plan["id"], keyId=k["id"])


class TestBadInput(ApigwCase):

    def test_unknown_ids_everywhere(self):
        a = self.api()["id"]
        calls = [
            (self.ag.get_resources, {"restApiId": "nope"}),
            (self.ag.get_resource, {"restApiId": a, "resourceId": "nope"}),
            (self.ag.get_stage, {"restApiId": a, "stageName": "nope"}),
            (self.ag.get_deployment, {"restApiId": a, "deploymentId": "nope"}),
            (self.ag.get_authorizer, {"restApiId": a, "authorizerId": "nope"}),
            (self.ag.get_api_key, {"apiKey": "nope"}),
            (self.ag.get_usage_plan, {"usagePlanId": "nope"}),
            (self.ag.get_method, {"restApiId": "../../x", "resourceId": "%00",
                                  "httpMethod": "GET"}),
        ]
        for fn, kw in calls:
            self.assertError("NotFoundException", fn, **kw)

    def test_malformed_bodies_are_bad_requests(self):
        for body in (b"{", b"[1,2]", b"\xff\xfe", b'{"name": ' + b"[" * 5000):
            r = call("POST", "/restapis", body=body,
                     headers={"Content-Type": "application/json",
                              "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/"
                                               "us-east-1/apigateway/aws4_request, "
                                               "SignedHeaders=host, Signature=x"})
            self.assertEqual(r.status, 400, r)
            self.assertEqual(r.header("x-amzn-ErrorType"), "BadRequestException", r)

    def test_wrong_types_are_caught_by_the_model(self):
        ag = apigw_client(validate=False)
        with self.assertRaises(ClientError) as cm:
            ag.create_rest_api(name=["not", "a", "string"])
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)


class TestProxyDataPlane(ApigwCase):
    """One API in front of a Python and a Node.js proxy handler."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.py = cls.function("apigw-py", PROXY, Timeout=10)
        cls.node = cls.function("apigw-node", NODE_PROXY, handler="index.handler",
                                runtime="nodejs20.x")
        ag = cls.ag
        cls.a = ag.create_rest_api(name="proxy", binaryMediaTypes=["image/png"])["id"]
        root = [r for r in ag.get_resources(restApiId=cls.a)["items"] if r["path"] == "/"][0]["id"]
        notas = ag.create_resource(restApiId=cls.a, parentId=root, pathPart="notas")["id"]
        one = ag.create_resource(restApiId=cls.a, parentId=notas, pathPart="{id}")["id"]
        lit = ag.create_resource(restApiId=cls.a, parentId=notas, pathPart="special")["id"]
        greedy = ag.create_resource(restApiId=cls.a, parentId=root, pathPart="{proxy+}")["id"]
        node = ag.create_resource(restApiId=cls.a, parentId=root, pathPart="node")["id"]
        nodeid = ag.create_resource(restApiId=cls.a, parentId=node, pathPart="{item}")["id"]
        for res, method, fn in ((notas, "GET", cls.py), (one, "ANY", cls.py),
                                (lit, "GET", cls.py), (greedy, "ANY", cls.py),
                                (nodeid, "GET", cls.node)):
            ag.put_method(restApiId=cls.a, resourceId=res, httpMethod=method,
                          authorizationType="NONE")
            ag.put_integration(restApiId=cls.a, resourceId=res, httpMethod=method,
                               type="AWS_PROXY", integrationHttpMethod="POST",
                               uri=invocation_uri(fn))
        ag.update_integration(restApiId=cls.a, resourceId=greedy, httpMethod="ANY",
                              patchOperations=[{"op": "replace", "path": "/timeoutInMillis",
                                                "value": "700"}])
        ag.create_deployment(restApiId=cls.a, stageName="dev", variables={"env": "test"})

    @classmethod
    def tearDownClass(cls):
        cls.ag.delete_rest_api(restApiId=cls.a)
        super().tearDownClass()

    def event(self, reply):
        self.assertEqual(reply.status, 201, reply)
        return reply.json()["event"]

    def test_every_url_form_reaches_the_handler(self):
        forms = [
            call("GET", "/restapis/%s/dev/_user_request_/notas/42" % self.a),
            call("GET", "/_aws/execute-api/%s/dev/notas/42" % self.a),
            call("GET", "/dev/notas/42", host="%s.execute-api.localhost.localstack.cloud:%d"
                 % (self.a, env.PORT)),
            call("GET", "/dev/notas/42", host="%s.execute-api.localhost:%d" % (self.a, env.PORT)),
        ]
        for r in forms:
            ev = self.event(r)
            self.assertEqual(ev["resource"], "/notas/{id}")
            self.assertEqual(ev["path"], "/notas/42")
            self.assertEqual(ev["pathParameters"], {"id": "42"})
            self.assertEqual(ev["requestContext"]["stage"], "dev")
            self.assertEqual(ev["requestContext"]["apiId"], self.a)
            self.assertEqual(r.header("X-Echo"), "yes")
            self.assertEqual(r.all("X-Multi"), ["a", "b"])
            self.assertIsNotNone(r.header("x-amzn-RequestId"))

    def test_event_shape(self):
        r = user_request(self.a, "dev", "/notas/7?a=1&a=2&b=x%20y", method="POST",
                         body=b'{"v": 1}', headers={"Content-Type": "application/json",
                                                    "X-Many": "one", "User-Agent": "tester"})
        ev = self.event(r)
        self.assertEqual(ev["httpMethod"], "POST")
        self.assertEqual(ev["queryStringParameters"], {"a": "2", "b": "x y"})
        self.assertEqual(ev["multiValueQueryStringParameters"], {"a": ["1", "2"], "b": ["x y"]})
        self.assertEqual(ev["headers"]["X-Many"], "one")
        self.assertEqual(ev["multiValueHeaders"]["X-Many"], ["one"])
        self.assertEqual(ev["stageVariables"], {"env": "test"})
        self.assertEqual(ev["body"], '{"v": 1}')
        self.assertIs(ev["isBase64Encoded"], False)
        rc = ev["requestContext"]
        for k in ("accountId", "apiId", "resourceId", "resourcePath", "httpMethod", "path",
                  "stage", "requestId", "extendedRequestId", "requestTime", "requestTimeEpoch",
                  "identity", "protocol", "domainName"):
            self.assertIn(k, rc)
        self.assertEqual(rc["accountId"], ACCOUNT)
        self.assertEqual(rc["resourcePath"], "/notas/{id}")
        self.assertEqual(rc["path"], "/dev/notas/7")
        self.assertEqual(rc["identity"]["sourceIp"], "127.0.0.1")
        self.assertEqual(rc["identity"]["userAgent"], "tester")
        self.assertRegex(rc["requestTime"], r"^\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000$")
        self.assertEqual(rc["requestId"], r.header("x-amzn-RequestId"))
        ev = self.event(user_request(self.a, "dev", "/notas/7"))
        self.assertIsNone(ev["queryStringParameters"])
        self.assertIsNone(ev["multiValueQueryStringParameters"])
        self.assertIsNone(ev["body"])

    def test_routing_precedence(self):
        self.assertEqual(self.event(user_request(self.a, "dev", "/notas/special"))["resource"],
                         "/notas/special")
        self.assertEqual(self.event(user_request(self.a, "dev", "/notas/other"))["resource"],
                         "/notas/{id}")
        ev = self.event(user_request(self.a, "dev", "/a/b/c"))
        self.assertEqual(ev["resource"], "/{proxy+}")
        self.assertEqual(ev["pathParameters"], {"proxy": "a/b/c"})
        # POST /notas: /notas has GET only, the greedy resource takes it.
        self.assertEqual(self.event(user_request(self.a, "dev", "/notas", method="POST"))
                         ["resource"], "/{proxy+}")
        ev = self.event(user_request(self.a, "dev", "/notas/a%20b"))
        self.assertEqual(ev["pathParameters"], {"id": "a b"})

    def test_no_route_unknown_api_and_stage(self):
        r = user_request(self.a, "dev", "/")
        self.assertEqual((r.status, r.json()), (403, {"message": "Missing Authentication Token"}))
        self.assertEqual(r.header("x-amzn-ErrorType"), "MissingAuthenticationTokenException")
        r = user_request(self.a, "nostage", "/notas")
        self.assertEqual(r.status, 404, r)
        r = user_request("nosuchapi0", "dev", "/notas")
        self.assertEqual((r.status, r.json()), (404, {"message": "Not Found"}))
        r = call("GET", "/restapis/nosuchapi0/dev/_user_request_/")
        self.assertNotIn(b"NoSuchBucket", r.body)
        r = call("GET", "/_aws/execute-api/nosuchapi0/dev/x")
        self.assertEqual(r.status, 404, r)

    def test_binary_bodies_both_ways(self):
        raw = b"\x00\x01\xfe\xffPNG"
        ev = self.event(user_request(self.a, "dev", "/notas/1", method="PUT", body=raw,
                                     headers={"Content-Type": "image/png"}))
        self.assertIs(ev["isBase64Encoded"], True)
        self.assertEqual(base64.b64decode(ev["body"]), raw)
        ev = self.event(user_request(self.a, "dev", "/notas/1", method="PUT", body=b"text",
                                     headers={"Content-Type": "text/plain"}))
        self.assertEqual((ev["body"], ev["isBase64Encoded"]), ("text", False))
        r = user_request(self.a, "dev", "/x/png", headers={"Accept": "image/png"})
        self.assertEqual((r.status, r.body), (200, b"\x89PNG\r\n\x00\xff"))
        self.assertEqual(r.header("Content-Type"), "image/png")
        r = user_request(self.a, "dev", "/x/png", headers={"Accept": "application/json"})
        self.assertEqual(base64.b64decode(r.body), b"\x89PNG\r\n\x00\xff")

    def test_handler_errors_and_malformed_replies(self):
        for path in ("/x/boom", "/x/malformed", "/x/nostatus"):
            r = user_request(self.a, "dev", path)
            self.assertEqual((r.status, r.json()), (502, {"message": "Internal server error"}),
                             path)

    def test_integration_timeout(self):
        # A warm environment first: its timer was armed for the function's
        # 10 s, and the integration's 700 ms must still end the next call.
        for _ in range(3):
            self.assertEqual(user_request(self.a, "dev", "/x/warm").status, 201)
        r = user_request(self.a, "dev", "/x/slow")
        self.assertEqual((r.status, r.json()), (504, {"message": "Endpoint request timed out"}))
        # The function is fine afterwards.
        self.assertEqual(user_request(self.a, "dev", "/x/fine").status, 201)

    def test_node_handler(self):
        r = user_request(self.a, "dev", "/node/abc?q=1")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("X-Runtime"), "node")
        self.assertEqual(r.json(), {"path": "/node/abc", "params": {"item": "abc"},
                                    "query": {"q": "1"}, "method": "GET"})

    def test_head_and_options_reach_any(self):
        r = user_request(self.a, "dev", "/notas/1", method="DELETE")
        self.assertEqual(self.event(r)["httpMethod"], "DELETE")


class TestDataPlaneBadInput(ApigwCase):
    """Requests no client should send: 4xx or the handler's answer, never
    a 5xx of tinystack's own, a hang or a dead daemon."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        fn = cls.function("apigw-bad", PROXY)
        ag = cls.ag
        cls.a = ag.create_rest_api(name="bad")["id"]
        root = [r for r in ag.get_resources(restApiId=cls.a)["items"] if r["path"] == "/"][0]["id"]
        res = ag.create_resource(restApiId=cls.a, parentId=root, pathPart="{proxy+}")["id"]
        ag.put_method(restApiId=cls.a, resourceId=res, httpMethod="ANY", authorizationType="NONE")
        ag.put_integration(restApiId=cls.a, resourceId=res, httpMethod="ANY", type="AWS_PROXY",
                           integrationHttpMethod="POST", uri=invocation_uri(fn))
        ag.create_deployment(restApiId=cls.a, stageName="dev")

    @classmethod
    def tearDownClass(cls):
        cls.ag.delete_rest_api(restApiId=cls.a)
        super().tearDownClass()

    def test_odd_paths_and_methods(self):
        paths = ["/%00", "/a%2Fb", "/..", "/../../etc/passwd", "/" + "a/" * 300,
                 "/" + "x" * 6000, "/%zz", "/a//b///c", "/%E2%82%AC"]
        for p in paths:
            r = user_request(self.a, "dev", p)
            self.assertIn(r.status, (201, 400, 403, 404, 414, 431), (p[:50], r))
        for m in ("FOO", "PROPFIND", "TRACE"):
            r = user_request(self.a, "dev", "/x", method=m)
            self.assertLess(r.status, 500, (m, r))
        ev = user_request(self.a, "dev", "/a//b///c").json()["event"]
        self.assertEqual(ev["pathParameters"], {"proxy": "a/b/c"})

    def test_odd_urls_and_hosts(self):
        for path in ("/restapis/%s/_user_request_/x" % self.a, "/restapis//dev/_user_request_/",
                     "/restapis/%s/dev/_user_request_" % self.a, "/_aws/execute-api/",
                     "/_aws/execute-api/%s" % self.a, "/restapis/x/_user_request_"):
            r = call("GET", path)
            self.assertLess(r.status, 500, (path, r))
            self.assertNotIn(b"NoSuchBucket", r.body)
        for h in (".execute-api.localhost", "%s.execute-api." % ("a" * 300),
                  "../x.execute-api.localhost"):
            r = call("GET", "/dev/x", host=h)
            self.assertLess(r.status, 500, (h, r))

    def test_big_and_odd_bodies(self):
        big = b"x" * (5 << 20)
        r = user_request(self.a, "dev", "/up", method="POST", body=big,
                         headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 201, r.status)
        self.assertEqual(len(r.json()["event"]["body"]), len(big))
        r = user_request(self.a, "dev", "/up", method="POST", body=b"\xff\xfe\x00bad utf8",
                         headers={"Content-Type": "text/plain"})
        ev = r.json()["event"]
        self.assertIs(ev["isBase64Encoded"], True)
        self.assertEqual(base64.b64decode(ev["body"]), b"\xff\xfe\x00bad utf8")
        # Over API Gateway's 10 MB: 413, which may come while the body is
        # still being sent (the client then meets a closed socket).
        try:
            r = user_request(self.a, "dev", "/up", method="POST", body=b"x" * (11 << 20),
                             headers={"Content-Type": "text/plain"})
            self.assertEqual(r.status, 413, r.status)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.assertEqual(user_request(self.a, "dev", "/after").status, 201)

    def test_many_and_long_headers_and_queries(self):
        hdrs = {"X-H%d" % i: "v" * 100 for i in range(60)}
        ev = user_request(self.a, "dev", "/h?" + "&".join("q%d=%d" % (i, i) for i in range(300)),
                          headers=hdrs).json()["event"]
        self.assertEqual(len(ev["queryStringParameters"]), 300)
        self.assertEqual(ev["headers"]["X-H59"], "v" * 100)


class TestDeploymentSnapshot(ApigwCase):

    def test_edits_need_a_new_deployment(self):
        fn = self.function("apigw-snap", PROXY)
        a = self.api()["id"]
        root = self.root(a)
        self.proxy_method(a, root, fn, method="GET")
        self.ag.create_deployment(restApiId=a, stageName="dev")
        self.assertEqual(user_request(a, "dev", "/").status, 201)
        res = self.ag.create_resource(restApiId=a, parentId=root, pathPart="later")["id"]
        self.proxy_method(a, res, fn, method="GET")
        self.assertEqual(user_request(a, "dev", "/later").status, 403)
        self.ag.create_deployment(restApiId=a, stageName="dev")
        self.assertEqual(user_request(a, "dev", "/later").status, 201)

    def test_missing_function_is_a_500(self):
        a = self.api()["id"]
        root = self.root(a)
        self.proxy_method(a, root, "arn:aws:lambda:%s:%s:function:absent" % (env.REGION, ACCOUNT),
                          method="GET")
        self.ag.create_deployment(restApiId=a, stageName="dev")
        r = user_request(a, "dev", "/")
        self.assertEqual((r.status, r.json()), (500, {"message": "Internal server error"}))

    def test_stage_variable_in_the_uri(self):
        fn = self.function("apigw-stagevar", PROXY)
        a = self.api()["id"]
        root = self.root(a)
        self.ag.put_method(restApiId=a, resourceId=root, httpMethod="GET",
                           authorizationType="NONE")
        self.ag.put_integration(restApiId=a, resourceId=root, httpMethod="GET", type="AWS_PROXY",
                                integrationHttpMethod="POST",
                                uri=invocation_uri("arn:aws:lambda:%s:%s:function:"
                                                   "${stageVariables.fn}" % (env.REGION, ACCOUNT)))
        self.ag.create_deployment(restApiId=a, stageName="dev", variables={"fn": "apigw-stagevar"})
        self.assertEqual(user_request(a, "dev", "/").status, 201)


class TestKeysAndAuthorizers(ApigwCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fn = cls.function("apigw-auth-backend", PROXY)
        cls.auth = cls.function("apigw-authorizer", AUTHORIZER, handler="app.token")
        cls.lam.add_permission(FunctionName="apigw-authorizer", StatementId="apigw",
                               Action="lambda:InvokeFunction",
                               Principal="apigateway.amazonaws.com")

    def build(self, **method_kw):
        a = self.api()["id"]
        root = self.root(a)
        res = self.ag.create_resource(restApiId=a, parentId=root, pathPart="secret")["id"]
        self.proxy_method(a, res, self.fn, method="GET", **method_kw)
        return a, res

    def test_api_key_required(self):
        a, res = self.build(apiKeyRequired=True)
        self.ag.create_deployment(restApiId=a, stageName="dev")
        r = user_request(a, "dev", "/secret")
        self.assertEqual((r.status, r.json()), (403, {"message": "Forbidden"}))
        key = self.ag.create_api_key(name="caller", enabled=True, value="k" * 24)
        self.addCleanup(self.ag.delete_api_key, apiKey=key["id"])
        r = user_request(a, "dev", "/secret", headers={"x-api-key": "k" * 24})
        self.assertEqual(r.status, 403, "a key outside any usage plan")
        plan = self.ag.create_usage_plan(name="plan", apiStages=[{"apiId": a, "stage": "dev"}])
        self.addCleanup(self.ag.delete_usage_plan, usagePlanId=plan["id"])
        self.ag.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
        r = user_request(a, "dev", "/secret", headers={"x-api-key": "k" * 24})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(user_request(a, "dev", "/secret",
                                      headers={"x-api-key": "z" * 24}).status, 403)
        self.ag.update_api_key(apiKey=key["id"], patchOperations=[
            {"op": "replace", "path": "/enabled", "value": "false"}])
        self.assertEqual(user_request(a, "dev", "/secret",
                                      headers={"x-api-key": "k" * 24}).status, 403)

    def token_api(self, ttl=300, regex=None):
        a = self.api()["id"]
        kw = {}
        if regex:
            kw["identityValidationExpression"] = regex
        au = self.ag.create_authorizer(restApiId=a, name="tok", type="TOKEN",
                                       authorizerUri=invocation_uri(self.auth),
                                       identitySource="method.request.header.Authorization",
                                       authorizerResultTtlInSeconds=ttl, **kw)
        root = self.root(a)
        res = self.ag.create_resource(restApiId=a, parentId=root, pathPart="secret")["id"]
        self.proxy_method(a, res, self.fn, method="GET", authorizationType="CUSTOM",
                          authorizerId=au["id"])
        self.ag.create_deployment(restApiId=a, stageName="dev")
        return a

    def test_token_authorizer_allows_denies_and_passes_context(self):
        a = self.token_api(ttl=0)
        r = user_request(a, "dev", "/secret", headers={"Authorization": "allow-bob"})
        ev = self.event_of(r)
        auth = ev["requestContext"]["authorizer"]
        self.assertEqual(auth["principalId"], "user-allow-bob")
        self.assertEqual((auth["tier"], auth["n"], auth["ok"], auth["type"]),
                         ("gold", 7, True, "TOKEN"))
        r = user_request(a, "dev", "/secret", headers={"Authorization": "deny-eve"})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.json(), {"Message": "User is not authorized to access this resource "
                                               "with an explicit deny"})
        r = user_request(a, "dev", "/secret")
        self.assertEqual((r.status, r.json()), (401, {"message": "Unauthorized"}))
        r = user_request(a, "dev", "/secret", headers={"Authorization": "unauthorized"})
        self.assertEqual((r.status, r.json()), (401, {"message": "Unauthorized"}))
        r = user_request(a, "dev", "/secret", headers={"Authorization": "broken"})
        self.assertEqual(r.status, 500, r)

    def event_of(self, r):
        self.assertEqual(r.status, 201, r)
        return r.json()["event"]

    def test_token_validation_expression(self):
        a = self.token_api(ttl=0, regex="allow-[a-z]+")
        self.assertEqual(user_request(a, "dev", "/secret",
                                      headers={"Authorization": "allow-bob"}).status, 201)
        r = user_request(a, "dev", "/secret", headers={"Authorization": "allow-BOB1"})
        self.assertEqual(r.status, 401, r)

    def test_answers_are_cached_for_the_ttl(self):
        a = self.token_api(ttl=300)
        self.assertEqual(user_request(a, "dev", "/secret",
                                      headers={"Authorization": "allow-cache"}).status, 201)
        # The authorizer is gone; its cached answer still lets the token in.
        self.lam.update_function_configuration(FunctionName="apigw-authorizer",
                                               Handler="app.nothing")
        self.addCleanup(self.lam.update_function_configuration, FunctionName="apigw-authorizer",
                        Handler="app.token")
        time.sleep(0.3)
        self.assertEqual(user_request(a, "dev", "/secret",
                                      headers={"Authorization": "allow-cache"}).status, 201)
        self.assertEqual(user_request(a, "dev", "/secret",
                                      headers={"Authorization": "allow-new"}).status, 500)

    def test_request_authorizer(self):
        fn = self.function("apigw-request-auth", AUTHORIZER, handler="app.request")
        a = self.api()["id"]
        au = self.ag.create_authorizer(
            restApiId=a, name="req", type="REQUEST", authorizerUri=invocation_uri(fn),
            identitySource="method.request.header.X-User, method.request.querystring.k",
            authorizerResultTtlInSeconds=0)
        root = self.root(a)
        res = self.ag.create_resource(restApiId=a, parentId=root, pathPart="{thing}")["id"]
        self.proxy_method(a, res, self.fn, method="GET", authorizationType="CUSTOM",
                          authorizerId=au["id"])
        self.ag.create_deployment(restApiId=a, stageName="dev")
        r = user_request(a, "dev", "/abc?k=1", headers={"X-User": "alice"})
        ev = self.event_of(r)
        self.assertEqual(ev["requestContext"]["authorizer"]["user"], "alice")
        self.assertEqual(ev["requestContext"]["authorizer"]["type"], "REQUEST")
        self.assertEqual(ev["requestContext"]["authorizer"]["path"], "/abc")
        self.assertEqual(user_request(a, "dev", "/abc?k=2", headers={"X-User": "alice"}).status,
                         403)
        self.assertEqual(user_request(a, "dev", "/abc?k=1", headers={"X-User": "mallory"}).status,
                         403)
        r = user_request(a, "dev", "/abc", headers={"X-User": "alice"})
        self.assertEqual((r.status, r.json()), (401, {"message": "Unauthorized"}))


class TestMockAndMapped(ApigwCase):

    def test_mock_options_preflight(self):
        a = self.api()["id"]
        root = self.root(a)
        res = self.ag.create_resource(restApiId=a, parentId=root, pathPart="notas")["id"]
        self.ag.put_method(restApiId=a, resourceId=res, httpMethod="OPTIONS",
                           authorizationType="NONE")
        self.ag.put_integration(restApiId=a, resourceId=res, httpMethod="OPTIONS", type="MOCK",
                                requestTemplates={"application/json": '{"statusCode": 200}'})
        self.ag.put_method_response(restApiId=a, resourceId=res, httpMethod="OPTIONS",
                                    statusCode="200", responseParameters={
                                        "method.response.header.Access-Control-Allow-Origin": True,
                                        "method.response.header.Access-Control-Allow-Methods": True,
                                        "method.response.header.Access-Control-Allow-Headers": True})
        self.ag.put_integration_response(
            restApiId=a, resourceId=res, httpMethod="OPTIONS", statusCode="200",
            responseParameters={
                "method.response.header.Access-Control-Allow-Origin": "'*'",
                "method.response.header.Access-Control-Allow-Methods": "'GET,POST,OPTIONS'",
                "method.response.header.Access-Control-Allow-Headers": "'Content-Type,X-Api-Key'"},
            responseTemplates={"application/json": ""})
        self.ag.create_deployment(restApiId=a, stageName="dev")
        r = user_request(a, "dev", "/notas", method="OPTIONS",
                         headers={"Origin": "http://example.com",
                                  "Access-Control-Request-Method": "POST"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Access-Control-Allow-Origin"), "*")
        self.assertEqual(r.header("Access-Control-Allow-Methods"), "GET,POST,OPTIONS")
        self.assertEqual(r.header("Access-Control-Allow-Headers"), "Content-Type,X-Api-Key")
        # Nothing was configured for GET: tinystack adds no CORS of its own.
        r = user_request(a, "dev", "/notas")
        self.assertEqual(r.status, 403)
        self.assertIsNone(r.header("Access-Control-Allow-Origin"))

    def test_mock_selects_by_status(self):
        a = self.api()["id"]
        root = self.root(a)
        self.ag.put_method(restApiId=a, resourceId=root, httpMethod="GET",
                           authorizationType="NONE")
        self.ag.put_integration(restApiId=a, resourceId=root, httpMethod="GET", type="MOCK",
                                requestTemplates={"application/json": '{"statusCode": 404}'})
        for code, pattern, body in (("200", None, '{"ok": true}'), ("404", "404", '{"gone": 1}')):
            kw = {"selectionPattern": pattern} if pattern else {}
            self.ag.put_method_response(restApiId=a, resourceId=root, httpMethod="GET",
                                        statusCode=code)
            self.ag.put_integration_response(restApiId=a, resourceId=root, httpMethod="GET",
                                             statusCode=code,
                                             responseTemplates={"application/json": body}, **kw)
        self.ag.create_deployment(restApiId=a, stageName="dev")
        r = user_request(a, "dev", "/")
        self.assertEqual((r.status, r.json()), (404, {"gone": 1}))

    def test_passthrough_behaviour(self):
        a = self.api()["id"]
        root = self.root(a)
        self.ag.put_method(restApiId=a, resourceId=root, httpMethod="POST",
                           authorizationType="NONE")
        self.ag.put_integration(restApiId=a, resourceId=root, httpMethod="POST", type="MOCK",
                                passthroughBehavior="NEVER",
                                requestTemplates={"application/json": '{"statusCode": 200}'})
        self.ag.put_integration_response(restApiId=a, resourceId=root, httpMethod="POST",
                                         statusCode="200")
        self.ag.create_deployment(restApiId=a, stageName="dev")
        r = user_request(a, "dev", "/", method="POST", body=b"x",
                         headers={"Content-Type": "text/plain"})
        self.assertEqual((r.status, r.json()), (415, {"message": "Unsupported Media Type"}))
        r = user_request(a, "dev", "/", method="POST", body=b"{}",
                         headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 200, r)

    def test_lambda_integration_passthrough_and_error_patterns(self):
        fn = self.function("apigw-plain", PLAIN)
        a = self.api()["id"]
        root = self.root(a)
        self.ag.put_method(restApiId=a, resourceId=root, httpMethod="POST",
                           authorizationType="NONE")
        self.ag.put_integration(restApiId=a, resourceId=root, httpMethod="POST", type="AWS",
                                integrationHttpMethod="POST", uri=invocation_uri(fn))
        self.ag.put_integration_response(restApiId=a, resourceId=root, httpMethod="POST",
                                         statusCode="200")
        self.ag.put_integration_response(restApiId=a, resourceId=root, httpMethod="POST",
                                         statusCode="404", selectionPattern="NotFound:.*")
        self.ag.create_deployment(restApiId=a, stageName="dev")
        r = user_request(a, "dev", "/", method="POST", body=b'{"id": 5}',
                         headers={"Content-Type": "application/json"})
        self.assertEqual((r.status, r.json()), (200, {"got": {"id": 5}, "total": 3}))
        r = user_request(a, "dev", "/", method="POST", body=b'{"id": 5, "fail": true}',
                         headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 404, r)
        self.assertEqual(r.json()["errorMessage"], "NotFound: invoice 5")

    def mapped_api(self, fn, request_tmpl, responses):
        a = self.api()["id"]
        root = self.root(a)
        res = self.ag.create_resource(restApiId=a, parentId=root, pathPart="{id}")["id"]
        self.ag.put_method(restApiId=a, resourceId=res, httpMethod="POST",
                           authorizationType="NONE")
        self.ag.put_integration(restApiId=a, resourceId=res, httpMethod="POST", type="AWS",
                                integrationHttpMethod="POST", uri=invocation_uri(fn),
                                requestTemplates={"application/json": request_tmpl})
        for code, kw in responses:
            self.ag.put_method_response(restApiId=a, resourceId=res, httpMethod="POST",
                                        statusCode=code)
            self.ag.put_integration_response(restApiId=a, resourceId=res, httpMethod="POST",
                                             statusCode=code, **kw)
        self.ag.create_deployment(restApiId=a, stageName="dev", variables={"tier": "gold"})
        return a

    def test_lambda_integration_with_templates(self):
        fn = self.function("apigw-tmpl", PLAIN)
        request = """#set($body = $input.path('$'))
{
  "id": "$input.params('id')",
  "q": "$input.params('q')",
  "agent": "$util.escapeJavaScript($input.params('User-Agent'))",
  "items": [
#foreach($it in $body.items)
    {"sku": "$it.sku", "n": $it.n}#if($foreach.hasNext),#end
#end
  ],
  "first": $input.json('$.items[0]'),
  "stage": "$context.stage",
  "tier": "$stageVariables.tier",
  "method": "$context.httpMethod",
#if($body.items.size() > 1)
  "many": true,
#else
  "many": false,
#end
  "raw": "$util.base64Encode($input.body)"
}"""
        response = """#set($r = $input.path('$'))
{"order": "$r.got.id", "count": $r.got.items.size(), "skus": "#foreach($i in $r.got.items)$i.sku#if($foreach.hasNext)+#end#end", "total": $r.total}"""
        error = """#set($e = $util.parseJson($input.json('$.errorMessage')))
#set($context.responseOverride.header.X-Failed = "yes")
{"error": "$e"}"""
        a = self.mapped_api(fn, request, [
            ("200", {"responseTemplates": {"application/json": response}}),
            ("404", {"selectionPattern": "NotFound:.*",
                     "responseTemplates": {"application/json": error}})])
        body = json.dumps({"items": [{"sku": "a", "n": 1}, {"sku": "b", "n": 2}]}).encode()
        r = user_request(a, "dev", "/NF-9?q=x%20y", method="POST", body=body,
                         headers={"Content-Type": "application/json", "User-Agent": 'say "hi"'})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"order": "NF-9", "count": 2, "skus": "a+b", "total": 3})
        fail = self.mapped_api(fn, '{"fail": true, "id": "$input.params(\'id\')"}',
                               [("200", {}), ("404", {"selectionPattern": "NotFound:.*",
                                                      "responseTemplates":
                                                      {"application/json": error}})])
        r = user_request(fail, "dev", "/NF-3", method="POST", body=b"{}",
                         headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 404, r)
        self.assertEqual(r.header("X-Failed"), "yes")
        self.assertEqual(r.json(), {"error": "NotFound: invoice NF-3"})

    def test_request_template_output_reaches_the_function(self):
        fn = self.function("apigw-tmpl-echo", "def handler(e, c):\n    return e\n")
        request = """{"id": "$input.params('id')", "stage": "$context.stage",
 "tier": "$stageVariables.tier", "n": $input.path('$.n'),
 "agent": "$util.escapeJavaScript($input.params('User-Agent'))",
 "raw": "$util.base64Encode($input.body)", "missing": "$input.params('nope')"}"""
        a = self.mapped_api(fn, request, [("200", {})])
        r = user_request(a, "dev", "/7", method="POST", body=b'{"n": 41}',
                         headers={"Content-Type": "application/json", "User-Agent": 'say "hi"'})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"id": "7", "stage": "dev", "tier": "gold", "n": 41,
                                    "agent": 'say "hi"',
                                    "raw": base64.b64encode(b'{"n": 41}').decode(),
                                    "missing": ""})

    def test_unsupported_template_is_a_500(self):
        fn = self.function("apigw-tmpl-bad", PLAIN)
        a = self.mapped_api(fn, '#macro(x)y#end{"a": 1}', [("200", {})])
        r = user_request(a, "dev", "/1", method="POST", body=b"{}",
                         headers={"Content-Type": "application/json"})
        self.assertEqual((r.status, r.json()), (500, {"message": "Internal server error"}))
        if getattr(env, "LOG_PATH", None):
            # The log names the construct tinystack cannot run.
            time.sleep(0.2)
            with open(env.LOG_PATH, errors="replace") as f:
                self.assertIn("#macro", f.read())

    def test_mock_with_a_template_and_status_override(self):
        a = self.api()["id"]
        root = self.root(a)
        self.ag.put_method(restApiId=a, resourceId=root, httpMethod="GET",
                           authorizationType="NONE")
        self.ag.put_integration(restApiId=a, resourceId=root, httpMethod="GET", type="MOCK",
                                requestTemplates={"application/json": '{"statusCode": 200}'})
        self.ag.put_integration_response(
            restApiId=a, resourceId=root, httpMethod="GET", statusCode="200",
            responseTemplates={"application/json":
                               '#if($input.params("teapot") == "yes")'
                               '#set($context.responseOverride.status = 418)#end'
                               '{"id": "$context.requestId", "path": "$context.resourcePath"}'})
        self.ag.create_deployment(restApiId=a, stageName="dev")
        r = user_request(a, "dev", "/")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"id": r.header("x-amzn-RequestId"), "path": "/"})
        self.assertEqual(user_request(a, "dev", "/?teapot=yes").status, 418)


class TestModelsAndValidation(ApigwCase):
    """Models (JSON Schema draft 4) and request validators, applied."""

    NOTA = {"$schema": "http://json-schema.org/draft-04/schema#", "type": "object",
            "required": ["id", "valor"],
            "properties": {"id": {"type": "string", "pattern": "^NF-[0-9]+$"},
                           "valor": {"type": "number", "minimum": 0},
                           "itens": {"type": "array", "items": {
                               "$ref": "https://apigateway.amazonaws.com/restapis/x/models/Item"}}}}
    ITEM = {"type": "object", "required": ["sku"], "properties": {"sku": {"type": "string"}}}

    def test_models_control_plane(self):
        a = self.api()["id"]
        names = [(m["name"], m["contentType"]) for m in self.ag.get_models(restApiId=a)["items"]]
        self.assertEqual(names, [("Empty", "application/json"), ("Error", "application/json")])
        self.assertEqual(json.loads(self.ag.get_model(restApiId=a, modelName="Error")["schema"])
                         ["properties"], {"message": {"type": "string"}})
        m = self.ag.create_model(restApiId=a, name="Nota", contentType="application/json",
                                 schema=json.dumps(self.NOTA), description="uma nota")
        self.assertEqual((m["name"], m["description"], len(m["id"])), ("Nota", "uma nota", 6))
        self.assertEqual(json.loads(self.ag.get_model(restApiId=a, modelName="Nota")["schema"]),
                         self.NOTA)
        self.assertEqual([x["name"] for x in self.ag.get_models(restApiId=a)["items"]],
                         ["Empty", "Error", "Nota"])
        u = self.ag.update_model(restApiId=a, modelName="Nota", patchOperations=[
            {"op": "replace", "path": "/description", "value": "outra"}])
        self.assertEqual(u["description"], "outra")
        self.assertEqual(self.assertError("BadRequestException", self.ag.create_model,
                                          restApiId=a, name="nota-1",
                                          contentType="application/json"),
                         "Model name must be alphanumeric: nota-1")
        self.assertEqual(self.assertError("ConflictException", self.ag.create_model,
                                          restApiId=a, name="Nota",
                                          contentType="application/json"),
                         "Model name already exists for this REST API")
        for bad in ("[1]", "{not json", '"text"'):
            self.assertIn("Invalid model schema specified", self.assertError(
                "BadRequestException", self.ag.create_model, restApiId=a, name="Bad",
                contentType="application/json", schema=bad))
            self.assertError("BadRequestException", self.ag.update_model, restApiId=a,
                             modelName="Nota", patchOperations=[
                                 {"op": "replace", "path": "/schema", "value": bad}])
        self.assertEqual(self.assertError("NotFoundException", self.ag.get_model, restApiId=a,
                                          modelName="Nope"), "Invalid model name specified: Nope")
        self.assertError("NotFoundException", self.ag.delete_model, restApiId=a, modelName="Nope")
        self.assertError("NotFoundException", self.ag.get_models, restApiId="nope000000")
        # A method names models that exist, and one in use is not deleted.
        root = self.root(a)
        self.assertEqual(self.assertError("BadRequestException", self.ag.put_method,
                                          restApiId=a, resourceId=root, httpMethod="POST",
                                          authorizationType="NONE",
                                          requestModels={"application/json": "Missing"}),
                         "Invalid model identifier specified: Missing")
        self.assertError("BadRequestException", self.ag.put_method, restApiId=a,
                         resourceId=root, httpMethod="POST", authorizationType="NONE",
                         requestValidatorId="nope00")
        self.ag.put_method(restApiId=a, resourceId=root, httpMethod="POST",
                           authorizationType="NONE", requestModels={"application/json": "Nota"})
        self.assertError("BadRequestException", self.ag.update_method, restApiId=a,
                         resourceId=root, httpMethod="POST", patchOperations=[
                             {"op": "replace", "path": "/requestModels/application~1json",
                              "value": "Missing"}])
        self.assertIn("Cannot delete model 'Nota'", self.assertError(
            "ConflictException", self.ag.delete_model, restApiId=a, modelName="Nota"))
        self.ag.delete_model(restApiId=a, modelName="Error")
        self.assertEqual([x["name"] for x in self.ag.get_models(restApiId=a)["items"]],
                         ["Empty", "Nota"])

    def validated_api(self, body=True, params=True):
        a = self.api()["id"]
        root = self.root(a)
        res = self.ag.create_resource(restApiId=a, parentId=root, pathPart="notas")["id"]
        self.ag.create_model(restApiId=a, name="Item", contentType="application/json",
                             schema=json.dumps(self.ITEM))
        self.ag.create_model(restApiId=a, name="Nota", contentType="application/json",
                             schema=json.dumps(self.NOTA))
        v = self.ag.create_request_validator(restApiId=a, name="all",
                                             validateRequestBody=body,
                                             validateRequestParameters=params)["id"]
        self.ag.put_method(restApiId=a, resourceId=res, httpMethod="POST",
                           authorizationType="NONE", requestValidatorId=v,
                           requestModels={"application/json": "Nota"},
                           requestParameters={"method.request.querystring.origem": True,
                                              "method.request.header.x-lote": True,
                                              "method.request.querystring.opcional": False})
        self.ag.put_integration(restApiId=a, resourceId=res, httpMethod="POST", type="MOCK",
                                requestTemplates={"application/json": '{"statusCode": 200}'})
        self.ag.put_method_response(restApiId=a, resourceId=res, httpMethod="POST",
                                    statusCode="200")
        self.ag.put_integration_response(restApiId=a, resourceId=res, httpMethod="POST",
                                         statusCode="200",
                                         responseTemplates={"application/json": '{"ok": true}'})
        self.ag.create_deployment(restApiId=a, stageName="dev")
        return a

    def post(self, a, query="?origem=erp", headers=None, body=None):
        h = {"x-lote": "7", "Content-Type": "application/json"}
        h.update(headers or {})
        for k in [k for k, v in h.items() if v is None]:
            del h[k]
        return user_request(a, "dev", "/notas" + query, method="POST", headers=h,
                            body=json.dumps({"id": "NF-1", "valor": 10.5}) if body is None
                            else body)

    def test_validator_applies_parameters_and_body(self):
        a = self.validated_api()
        r = self.post(a)
        self.assertEqual((r.status, r.json()), (200, {"ok": True}), r)
        r = self.post(a, query="")
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json(), {"message": "Missing required request parameters: [origem]"})
        self.assertEqual(r.header("x-amzn-ErrorType"), "BadRequestException")
        r = self.post(a, query="?origem=", headers={"x-lote": None})
        self.assertEqual(r.json()["message"],
                         "Missing required request parameters: [origem, x-lote]")
        for body in ('{"id": "NF-1"}', '{"id": "X-1", "valor": 1}', '{"id": "NF-1", "valor": -1}',
                     '{"id": "NF-1", "valor": 1, "itens": [{"sku": 5}]}', "not json", "[]", ""):
            r = self.post(a, body=body)
            self.assertEqual((r.status, r.json()), (400, {"message": "Invalid request body"}),
                             (body, r))
            self.assertEqual(r.header("x-amzn-ErrorType"), "BadRequestException")
        r = self.post(a, body='{"id": "NF-2", "valor": 0, "itens": [{"sku": "a"}]}',
                      headers={"Content-Type": "application/json; charset=utf-8"})
        self.assertEqual(r.status, 200, r)
        # A content type no model is named for is not checked.
        r = self.post(a, body="anything", headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 200, r)

    def test_validator_multi_value_parameters(self):
        a = self.api()["id"]
        root = self.root(a)
        v = self.ag.create_request_validator(restApiId=a, name="p",
                                             validateRequestParameters=True)["id"]
        self.ag.put_method(restApiId=a, resourceId=root, httpMethod="GET",
                           authorizationType="NONE", requestValidatorId=v,
                           requestParameters={"method.request.multivaluequerystring.ids": True,
                                              "method.request.multivalueheader.x-tag": True})
        self.ag.put_integration(restApiId=a, resourceId=root, httpMethod="GET", type="MOCK",
                                requestTemplates={"application/json": '{"statusCode": 200}'})
        self.ag.put_method_response(restApiId=a, resourceId=root, httpMethod="GET",
                                    statusCode="200")
        self.ag.put_integration_response(restApiId=a, resourceId=root, httpMethod="GET",
                                         statusCode="200", responseTemplates={
                                             "application/json": "{}"})
        self.ag.create_deployment(restApiId=a, stageName="dev")
        r = user_request(a, "dev", "/?ids=1&ids=2", headers={"x-tag": "a"})
        self.assertEqual(r.status, 200, r)
        r = user_request(a, "dev", "/")
        self.assertEqual((r.status, r.json()["message"]),
                         (400, "Missing required request parameters: [ids, x-tag]"))

    def test_validation_of_hostile_bodies_is_bounded(self):
        a = self.api()["id"]
        root = self.root(a)
        self.ag.create_model(restApiId=a, name="Set", contentType="application/json",
                             schema=json.dumps({"type": "array", "uniqueItems": True,
                                                "items": {"$ref": "#"}}))
        v = self.ag.create_request_validator(restApiId=a, name="b", validateRequestBody=True)["id"]
        self.ag.put_method(restApiId=a, resourceId=root, httpMethod="POST",
                           authorizationType="NONE", requestValidatorId=v,
                           requestModels={"application/json": "Set"})
        self.ag.put_integration(restApiId=a, resourceId=root, httpMethod="POST", type="MOCK",
                                requestTemplates={"application/json": '{"statusCode": 200}'})
        self.ag.put_method_response(restApiId=a, resourceId=root, httpMethod="POST",
                                    statusCode="200")
        self.ag.put_integration_response(restApiId=a, resourceId=root, httpMethod="POST",
                                         statusCode="200", responseTemplates={
                                             "application/json": "{}"})
        self.ag.create_deployment(restApiId=a, stageName="dev")
        hdr = {"Content-Type": "application/json"}
        self.assertEqual(user_request(a, "dev", "/", method="POST", headers=hdr,
                                      body="[[], [[]]]").status, 200)
        self.assertEqual(user_request(a, "dev", "/", method="POST", headers=hdr,
                                      body="[[], []]").status, 400)
        # 3,000 arrays of 60 items each differing only at the end: millions
        # of comparisons, refused once the work bound is passed.
        big = json.dumps([[0] * 59 + [i] for i in range(3000)])
        r = user_request(a, "dev", "/", method="POST", headers=hdr, body=big, timeout=20)
        self.assertEqual((r.status, r.json()), (400, {"message": "Invalid request body"}))
        # Nesting deeper than the JSON parser takes, and a schema recursing
        # with it as deep as the check's bound.
        for depth in (5000, 80):
            r = user_request(a, "dev", "/", method="POST", headers=hdr,
                             body="[" * depth + "]" * depth, timeout=20)
            self.assertEqual(r.status, 400, depth)
        self.assertEqual(user_request(a, "dev", "/", method="POST", headers=hdr,
                                      body="[" * 40 + "]" * 40).status, 200)

    def test_validator_parts_and_gateway_response(self):
        a = self.validated_api(body=False)
        self.assertEqual(self.post(a, body="not json").status, 200)
        self.assertEqual(self.post(a, query="").status, 400)
        b = self.validated_api(params=False)
        self.assertEqual(self.post(b, query="", headers={"x-lote": None}).status, 200)
        self.assertEqual(self.post(b, body="{}").status, 400)
        # BAD_REQUEST_BODY customised as any gateway response.
        self.ag.put_gateway_response(restApiId=b, responseType="BAD_REQUEST_BODY",
                                     statusCode="422", responseTemplates={
                                         "application/json": '{"erro": "$context.error.message"}'})
        self.ag.create_deployment(restApiId=b, stageName="dev")
        r = self.post(b, body="{}")
        self.assertEqual((r.status, r.json()), (422, {"erro": "Invalid request body"}), r)
        # Without a validator nothing is checked.
        c = self.validated_api()
        res = [x["id"] for x in self.ag.get_resources(restApiId=c)["items"]
               if x["path"] == "/notas"][0]
        self.ag.update_method(restApiId=c, resourceId=res, httpMethod="POST", patchOperations=[
            {"op": "remove", "path": "/requestValidatorId"}])
        self.ag.create_deployment(restApiId=c, stageName="dev")
        self.assertEqual(self.post(c, query="", body="junk").status, 200)


class TestGatewayResponses(ApigwCase):

    def test_customised_missing_token_response(self):
        fn = self.function("apigw-gw", PROXY)
        a = self.api()["id"]
        self.proxy_method(a, self.root(a), fn, method="GET")
        self.ag.put_gateway_response(restApiId=a, responseType="MISSING_AUTHENTICATION_TOKEN",
                                     statusCode="404", responseParameters={
                                         "gatewayresponse.header.X-Why": "'no route'",
                                         "gatewayresponse.header.Access-Control-Allow-Origin":
                                         "'*'"})
        self.ag.create_deployment(restApiId=a, stageName="dev")
        r = user_request(a, "dev", "/nowhere")
        self.assertEqual(r.status, 404, r)
        self.assertEqual(r.header("X-Why"), "no route")
        self.assertEqual(r.header("Access-Control-Allow-Origin"), "*")
        self.assertEqual(r.json(), {"message": "Missing Authentication Token"})

    def test_default_4xx_applies_to_every_4xx(self):
        fn = self.function("apigw-gw4", PROXY)
        a = self.api()["id"]
        self.proxy_method(a, self.root(a), fn, method="GET", apiKeyRequired=True)
        self.ag.put_gateway_response(restApiId=a, responseType="DEFAULT_4XX",
                                     responseParameters={
                                         "gatewayresponse.header.Access-Control-Allow-Origin":
                                         "'*'"})
        self.ag.create_deployment(restApiId=a, stageName="dev")
        for path in ("/", "/nowhere"):
            r = user_request(a, "dev", path)
            self.assertEqual(r.status, 403, r)
            self.assertEqual(r.header("Access-Control-Allow-Origin"), "*", path)


class TestOpenApi(ApigwCase):

    def spec(self, fn_arn, title="imported"):
        integ = {"type": "aws_proxy", "httpMethod": "POST", "uri": invocation_uri(fn_arn),
                 "passthroughBehavior": "when_no_match"}
        return {
            "openapi": "3.0.1",
            "info": {"title": title, "version": "2024-01-01"},
            "x-amazon-apigateway-binary-media-types": ["image/png"],
            "paths": {
                "/notas": {"get": {"x-amazon-apigateway-integration": integ,
                                   "responses": {"200": {"description": "ok"}}}},
                "/notas/{id}": {
                    "x-amazon-apigateway-any-method": {
                        "parameters": [{"name": "id", "in": "path", "required": True}],
                        "x-amazon-apigateway-integration": integ}},
                "/keyed": {"get": {"security": [{"api_key": []}],
                                   "x-amazon-apigateway-integration": integ}},
                "/mock": {"options": {"x-amazon-apigateway-integration": {
                    "type": "mock", "requestTemplates": {"application/json": '{"statusCode": 200}'},
                    "responses": {"default": {"statusCode": "200", "responseParameters": {
                        "method.response.header.Access-Control-Allow-Origin": "'*'"}}}}}},
            },
            "components": {"securitySchemes": {"api_key": {"type": "apiKey", "name": "x-api-key",
                                                            "in": "header"}}},
        }

    def test_import_serves_requests(self):
        fn = self.function("apigw-oas", PROXY)
        r = self.ag.import_rest_api(body=json.dumps(self.spec(fn)).encode())
        self.addCleanup(self._drop, r["id"])
        a = r["id"]
        self.assertEqual(r["name"], "imported")
        self.assertEqual(r["binaryMediaTypes"], ["image/png"])
        paths = sorted(x["path"] for x in self.ag.get_resources(restApiId=a)["items"])
        self.assertEqual(paths, ["/", "/keyed", "/mock", "/notas", "/notas/{id}"])
        keyed = [x for x in self.ag.get_resources(restApiId=a, embed=["methods"])["items"]
                 if x["path"] == "/keyed"][0]
        self.assertIs(keyed["resourceMethods"]["GET"]["apiKeyRequired"], True)
        self.ag.create_deployment(restApiId=a, stageName="dev")
        r = user_request(a, "dev", "/notas/9")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json()["event"]["pathParameters"], {"id": "9"})
        self.assertEqual(user_request(a, "dev", "/keyed").status, 403)
        r = user_request(a, "dev", "/mock", method="OPTIONS")
        self.assertEqual((r.status, r.header("Access-Control-Allow-Origin")), (200, "*"))
        exported = json.loads(self.ag.get_export(restApiId=a, stageName="dev",
                                                 exportType="oas30")["body"].read())
        self.assertEqual(exported["openapi"], "3.0.1")
        self.assertIn("/notas/{id}", exported["paths"])
        self.assertEqual(exported["paths"]["/notas/{id}"]["x-amazon-apigateway-any-method"]
                         ["x-amazon-apigateway-integration"]["type"], "aws_proxy")
        swagger = json.loads(self.ag.get_export(restApiId=a, stageName="dev",
                                                exportType="swagger")["body"].read())
        self.assertEqual(swagger["swagger"], "2.0")
        # The export imports again into an API that serves the same routes.
        again = self.ag.import_rest_api(body=json.dumps(exported).encode())
        self.addCleanup(self._drop, again["id"])
        self.ag.create_deployment(restApiId=again["id"], stageName="dev")
        self.assertEqual(user_request(again["id"], "dev", "/notas").status, 201)

    def test_models_and_validators_round_trip(self):
        mock = {"type": "mock", "requestTemplates": {"application/json": '{"statusCode": 200}'},
                "responses": {"default": {"statusCode": "200"}}}
        nota = {"type": "object", "required": ["id"],
                "properties": {"id": {"type": "string"},
                               "itens": {"type": "array", "items": {"$ref": "#/definitions/Item"}}}}
        swagger = {
            "swagger": "2.0", "info": {"title": "validated", "version": "1"},
            "x-amazon-apigateway-request-validators": {
                "all": {"validateRequestBody": True, "validateRequestParameters": True},
                "params": {"validateRequestBody": False, "validateRequestParameters": True}},
            "x-amazon-apigateway-request-validator": "all",
            "paths": {"/notas": {
                "post": {"consumes": ["application/json"],
                         "parameters": [{"in": "body", "name": "Nota", "required": True,
                                         "schema": {"$ref": "#/definitions/Nota"}},
                                        {"in": "query", "name": "origem", "required": True,
                                         "type": "string"}],
                         "responses": {"200": {"description": "ok"}},
                         "x-amazon-apigateway-integration": mock},
                "get": {"parameters": [{"in": "header", "name": "x-lote", "required": True,
                                        "type": "string"}],
                        "x-amazon-apigateway-request-validator": "params",
                        "responses": {"200": {"description": "ok"}},
                        "x-amazon-apigateway-integration": mock}}},
            "definitions": {"Nota": nota, "Item": {"type": "object", "required": ["sku"]}},
        }
        r = self.ag.import_rest_api(body=json.dumps(swagger).encode())
        self.addCleanup(self._drop, r["id"])
        a = r["id"]
        models = {m["name"]: m for m in self.ag.get_models(restApiId=a)["items"]}
        self.assertEqual(sorted(models), ["Empty", "Error", "Item", "Nota"])
        self.assertEqual(json.loads(models["Nota"]["schema"])["properties"]["itens"]["items"],
                         {"$ref": "https://apigateway.amazonaws.com/restapis/%s/models/Item" % a})
        vals = {v["name"]: v for v in self.ag.get_request_validators(restApiId=a)["items"]}
        self.assertEqual(sorted(vals), ["all", "params"])
        res = [x for x in self.ag.get_resources(restApiId=a, embed=["methods"])["items"]
               if x["path"] == "/notas"][0]
        post = res["resourceMethods"]["POST"]
        self.assertEqual(post["requestModels"], {"application/json": "Nota"})
        self.assertEqual(post["requestValidatorId"], vals["all"]["id"])
        self.assertEqual(post["requestParameters"], {"method.request.querystring.origem": True})
        self.assertEqual(res["resourceMethods"]["GET"]["requestValidatorId"], vals["params"]["id"])
        self.ag.create_deployment(restApiId=a, stageName="dev")
        ok = json.dumps({"id": "NF-1", "itens": [{"sku": "a"}]})
        hdr = {"Content-Type": "application/json"}
        self.assertEqual(user_request(a, "dev", "/notas?origem=x", method="POST", body=ok,
                                      headers=hdr).status, 200)
        r = user_request(a, "dev", "/notas?origem=x", method="POST", headers=hdr,
                         body=json.dumps({"id": "NF-1", "itens": [{}]}))
        self.assertEqual((r.status, r.json()), (400, {"message": "Invalid request body"}))
        self.assertEqual(user_request(a, "dev", "/notas").status, 400)
        self.assertEqual(user_request(a, "dev", "/notas", headers={"x-lote": "1"}).status, 200)
        # Exported, both ways, with the models as local references again.
        for kind, defs in (("swagger", lambda d: d["definitions"]),
                           ("oas30", lambda d: d["components"]["schemas"])):
            doc = json.loads(self.ag.get_export(restApiId=a, stageName="dev",
                                                exportType=kind)["body"].read())
            prefix = "#/definitions/" if kind == "swagger" else "#/components/schemas/"
            self.assertEqual(defs(doc)["Nota"]["properties"]["itens"]["items"],
                             {"$ref": prefix + "Item"}, kind)
            self.assertEqual(sorted(doc["x-amazon-apigateway-request-validators"]),
                             ["all", "params"])
            op = doc["paths"]["/notas"]["post"]
            self.assertEqual(op["x-amazon-apigateway-request-validator"], "all")
            if kind == "swagger":
                body = [p for p in op["parameters"] if p["in"] == "body"][0]
                self.assertEqual(body["schema"], {"$ref": prefix + "Nota"})
            else:
                self.assertEqual(op["requestBody"]["content"]["application/json"]["schema"],
                                 {"$ref": prefix + "Nota"})
            self.assertIn({"name": "origem", "in": "query", "required": True},
                          [{k: p[k] for k in ("name", "in", "required")}
                           for p in op["parameters"]])
            # ... and imported again: the same validation.
            b = self.ag.import_rest_api(body=json.dumps(doc).encode())["id"]
            self.addCleanup(self._drop, b)
            self.ag.create_deployment(restApiId=b, stageName="dev")
            r = user_request(b, "dev", "/notas?origem=x", method="POST", headers=hdr,
                             body=json.dumps({"itens": []}))
            self.assertEqual(r.status, 400, (kind, r))
            self.assertEqual(user_request(b, "dev", "/notas?origem=x", method="POST", body=ok,
                                          headers=hdr).status, 200, kind)
        # OpenAPI 3's requestBody names its model the same way.
        oas = {"openapi": "3.0.1", "info": {"title": "o", "version": "1"},
               "paths": {"/x": {"put": {"requestBody": {"content": {"application/json": {
                   "schema": {"$ref": "#/components/schemas/Item"}}}},
                   "x-amazon-apigateway-integration": mock}}},
               "components": {"schemas": {"Item": {"type": "object"}}}}
        c = self.ag.import_rest_api(body=json.dumps(oas).encode())["id"]
        self.addCleanup(self._drop, c)
        put = [x for x in self.ag.get_resources(restApiId=c, embed=["methods"])["items"]
               if x["path"] == "/x"][0]["resourceMethods"]["PUT"]
        self.assertEqual(put["requestModels"], {"application/json": "Item"})
        # A name API Gateway does not take refuses the import.
        bad = dict(oas, components={"schemas": {"body_1": {"type": "object"}}})
        self.assertIn("Model name must be alphanumeric: body_1", self.assertError(
            "BadRequestException", self.ag.import_rest_api, body=json.dumps(bad).encode()))

    def test_models_import_bad_and_odd_input(self):
        mock = {"type": "mock", "requestTemplates": {"application/json": '{"statusCode": 200}'},
                "responses": {"default": {"statusCode": "200"}}}
        a = self.api()["id"]
        self.ag.create_request_validator(restApiId=a, name="named")
        # Extensions of the wrong shape are passed over, never a crash.
        odd = {"swagger": "2.0", "info": {"title": "odd", "version": "1"}, "paths": {},
               "x-amazon-apigateway-request-validators": [{}], "definitions": [{"a": 1}]}
        for mode in ("merge", "overwrite", "merge"):
            self.ag.put_rest_api(restApiId=a, mode=mode, body=json.dumps(odd).encode())
        self.assertEqual([m["name"] for m in self.ag.get_models(restApiId=a)["items"]],
                         ["Empty", "Error"])
        # A body naming a definition the document lacks refuses the import.
        missing = {"swagger": "2.0", "info": {"title": "m", "version": "1"},
                   "paths": {"/x": {"post": {"parameters": [
                       {"in": "body", "name": "b", "schema": {"$ref": "#/definitions/Nope"}}],
                       "x-amazon-apigateway-integration": mock}}}}
        self.assertIn("Invalid model identifier specified: Nope", self.assertError(
            "BadRequestException", self.ag.import_rest_api, body=json.dumps(missing).encode()))
        # A reference into another definition keeps its pointer.
        nested = {"swagger": "2.0", "info": {"title": "n", "version": "1"},
                  "x-amazon-apigateway-request-validator": "body",
                  "x-amazon-apigateway-request-validators": {"body": {"validateRequestBody": True}},
                  "paths": {"/x": {"post": {"parameters": [
                      {"in": "body", "name": "b", "schema": {"$ref": "#/definitions/Lote"}}],
                      "x-amazon-apigateway-integration": mock}}},
                  "definitions": {
                      "Nota": {"type": "object", "properties": {"id": {"type": "string",
                                                                       "pattern": "^NF-"}}},
                      "Lote": {"type": "object", "properties": {
                          "primeira": {"$ref": "#/definitions/Nota/properties/id"}}}}}
        b = self.ag.import_rest_api(body=json.dumps(nested).encode())["id"]
        self.addCleanup(self._drop, b)
        lote = json.loads(self.ag.get_model(restApiId=b, modelName="Lote")["schema"])
        self.assertEqual(lote["properties"]["primeira"]["$ref"],
                         "https://apigateway.amazonaws.com/restapis/%s/models/Nota"
                         "#/properties/id" % b)
        self.ag.create_deployment(restApiId=b, stageName="dev")
        hdr = {"Content-Type": "application/json"}
        self.assertEqual(user_request(b, "dev", "/x", method="POST", headers=hdr,
                                      body='{"primeira": "NF-1"}').status, 200)
        self.assertEqual(user_request(b, "dev", "/x", method="POST", headers=hdr,
                                      body='{"primeira": "X-1"}').status, 400)
        doc = json.loads(self.ag.get_export(restApiId=b, stageName="dev",
                                            exportType="swagger")["body"].read())
        self.assertEqual(doc["definitions"]["Lote"]["properties"]["primeira"]["$ref"],
                         "#/definitions/Nota/properties/id")

    def test_put_rest_api_overwrites_and_merges(self):
        fn = self.function("apigw-oas-put", PROXY)
        a = self.api()["id"]
        root = self.root(a)
        self.ag.create_resource(restApiId=a, parentId=root, pathPart="old")
        spec = self.spec(fn, title="put")
        r = self.ag.put_rest_api(restApiId=a, mode="overwrite", body=json.dumps(spec).encode())
        self.assertEqual(r["name"], "put")
        paths = {x["path"] for x in self.ag.get_resources(restApiId=a)["items"]}
        self.assertNotIn("/old", paths)
        self.assertIn("/notas/{id}", paths)
        self.ag.create_resource(restApiId=a, parentId=root, pathPart="kept")
        spec["paths"] = {"/extra": spec["paths"]["/notas"]}
        self.ag.put_rest_api(restApiId=a, mode="merge", body=json.dumps(spec).encode())
        paths = {x["path"] for x in self.ag.get_resources(restApiId=a)["items"]}
        self.assertTrue({"/kept", "/extra", "/notas"} <= paths, paths)

    def test_yaml_documents(self):
        fn = self.function("apigw-oas-yaml", PROXY)
        body = ("swagger: '2.0'\ninfo:\n  title: from-yaml\n  version: '1'\n"
                "paths:\n  /notas/{id}:\n    get:\n      parameters:\n"
                "        - {name: id, in: path, required: true}\n"
                "      x-amazon-apigateway-integration: &proxy\n"
                "        type: aws_proxy\n        httpMethod: POST\n"
                "        uri: %s\n  /other:\n    post:\n"
                "      x-amazon-apigateway-integration: *proxy\n" % invocation_uri(fn))
        r = self.ag.import_rest_api(body=body.encode())
        self.addCleanup(self._drop, r["id"])
        self.assertEqual(r["name"], "from-yaml")
        self.ag.create_deployment(restApiId=r["id"], stageName="dev")
        self.assertEqual(user_request(r["id"], "dev", "/notas/4").json()["event"]
                         ["pathParameters"], {"id": "4"})
        self.assertEqual(user_request(r["id"], "dev", "/other", method="POST").status, 201)
        msg = self.assertError("BadRequestException", self.ag.import_rest_api,
                               body=b"openapi: 3.0.1\npaths: [unclosed\n")
        self.assertIn("line", msg)
        bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
            "%s: &%s [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n"
            % ((chr(98 + i), chr(98 + i)) + (chr(97 + i),) * 10) for i in range(8))
        msg = self.assertError("BadRequestException", self.ag.import_rest_api, body=bomb.encode())
        self.assertIn("nodes", msg)

    def test_bad_documents(self):
        for body in (b"openapi: [3.0.1", b"{}", b'{"openapi": "3.0.1", "paths": '
                     b'{"no-slash": {"get": {}}}}', b"\xff"):
            self.assertError("BadRequestException", self.ag.import_rest_api, body=body)


if __name__ == "__main__":
    unittest.main()
