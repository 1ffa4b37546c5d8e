"""API Gateway's HTTP and HTTP_PROXY integrations against a small HTTP
server the test runs: REST APIs forward method, path parameters, query,
headers and body and hand back status, headers and body; an HTTP
integration with a request template and an integration response picked by
the backend's status; an HTTP API's HTTP_PROXY; a backend that is down
(500) or too slow (504)."""

import http.server
import json
import socket
import threading
import time
import unittest

import tinystack_env as env
from test_apigw import ApigwCase, call, user_request
from test_apigwv2_data import v2_client, host


class Backend(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        if self.path.startswith("/slow"):
            time.sleep(1.5)
        if self.path.startswith("/missing"):
            out, status = b'{"error": "no such thing"}', 404
        else:
            out = json.dumps({"method": self.command, "path": self.path,
                              "headers": {k.lower(): v for k, v in self.headers.items()},
                              "body": body.decode("latin-1")}).encode()
            status = 200
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Backend", "yes")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = answer


class HttpIntegrations(ApigwCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Backend)
        cls.port = cls.server.server_address[1]
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.base = "http://127.0.0.1:%d" % cls.port

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        super().tearDownClass()

    def rest_proxy(self, uri, timeout=None):
        a = self.api()["id"]
        root = self.root(a)
        res = self.ag.create_resource(restApiId=a, parentId=root, pathPart="{proxy+}")["id"]
        self.ag.put_method(restApiId=a, resourceId=res, httpMethod="ANY",
                           authorizationType="NONE")
        kw = {"timeoutInMillis": timeout} if timeout else {}
        self.ag.put_integration(restApiId=a, resourceId=res, httpMethod="ANY", type="HTTP_PROXY",
                                integrationHttpMethod="ANY", uri=uri, **kw)
        self.ag.create_deployment(restApiId=a, stageName="dev")
        return a

    def test_rest_http_proxy(self):
        a = self.rest_proxy(self.base + "/{proxy}")
        r = user_request(a, "dev", "/orders/7?x=1&y=a%20b", method="POST", body=b'{"n": 1}',
                         headers={"Content-Type": "application/json", "X-Mine": "m"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("X-Backend"), "yes")
        got = r.json()
        self.assertEqual(got["method"], "POST")
        self.assertEqual(got["path"], "/orders/7?x=1&y=a%20b")
        self.assertEqual(got["headers"]["x-mine"], "m")
        self.assertEqual(got["body"], '{"n": 1}')
        self.assertEqual(got["headers"]["host"], "127.0.0.1:%d" % self.port)
        r = user_request(a, "dev", "/missing/1")
        self.assertEqual((r.status, r.json()), (404, {"error": "no such thing"}))

    def test_backend_down_and_slow(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
        s.close()
        a = self.rest_proxy("http://127.0.0.1:%d/{proxy}" % dead)
        r = user_request(a, "dev", "/x")
        self.assertEqual((r.status, r.json()), (500, {"message": "Internal server error"}))
        a = self.rest_proxy(self.base + "/{proxy}", timeout=500)
        r = user_request(a, "dev", "/slow")
        self.assertEqual((r.status, r.json()), (504, {"message": "Endpoint request timed out"}))
        self.assertEqual(user_request(a, "dev", "/fast").status, 200)
        a = self.rest_proxy("https://127.0.0.1:1/{proxy}")
        self.assertEqual(user_request(a, "dev", "/x").status, 500)

    def test_rest_http_with_templates(self):
        a = self.api()["id"]
        root = self.root(a)
        res = self.ag.create_resource(restApiId=a, parentId=root, pathPart="{id}")["id"]
        self.ag.put_method(restApiId=a, resourceId=res, httpMethod="GET",
                           authorizationType="NONE")
        self.ag.put_integration(
            restApiId=a, resourceId=res, httpMethod="GET", type="HTTP",
            integrationHttpMethod="POST", uri=self.base + "/items/{id}",
            requestTemplates={"application/json": '{"wanted": "$input.params(\'id\')"}'})
        self.ag.put_integration_response(
            restApiId=a, resourceId=res, httpMethod="GET", statusCode="200",
            responseTemplates={"application/json":
                               '#set($b = $input.path(\'$\'))'
                               '{"via": "$b.method", "sent": $b.body}'})
        self.ag.put_integration_response(
            restApiId=a, resourceId=res, httpMethod="GET", statusCode="404",
            selectionPattern="404", responseTemplates={"application/json": '{"gone": true}'})
        self.ag.create_deployment(restApiId=a, stageName="dev")
        r = user_request(a, "dev", "/42")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"via": "POST", "sent": {"wanted": "42"}})

    def test_http_api_http_proxy(self):
        v2 = v2_client()
        api = v2.create_api(Name="proxy", ProtocolType="HTTP")["ApiId"]
        self.addCleanup(v2.delete_api, ApiId=api)
        integ = v2.create_integration(ApiId=api, IntegrationType="HTTP_PROXY",
                                      IntegrationMethod="ANY", PayloadFormatVersion="1.0",
                                      IntegrationUri=self.base + "/up/{proxy}")["IntegrationId"]
        v2.create_route(ApiId=api, RouteKey="ANY /{proxy+}", Target="integrations/" + integ)
        v2.create_stage(ApiId=api, StageName="$default", AutoDeploy=True)
        time.sleep(0.1)
        r = call("PUT", "/a/b?z=9", body=b"hello", host=host(api),
                 headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 200, r)
        got = r.json()
        self.assertEqual((got["method"], got["path"], got["body"]), ("PUT", "/up/a/b?z=9", "hello"))


if __name__ == "__main__":
    unittest.main()
