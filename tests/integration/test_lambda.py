"""Lambda: the control plane (CreateFunction ... DeleteFunction) and
invoking Python and provided.al2023 functions as real processes behind the
Runtime API, with AWS's errors for bad input, function errors, timeouts
and processes that exit."""

import base64
import io
import json
import os
import shutil
import stat
import time
import unittest
import zipfile

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import tinystack_env as env

ROLE = "arn:aws:iam::000000000000:role/lambda-role"


def lambda_client(validate=True, timeout=30):
    return boto3.session.Session().client(
        "lambda", region_name=env.REGION, endpoint_url=env.ENDPOINT,
        aws_access_key_id=env.ACCESS_KEY, aws_secret_access_key=env.SECRET_KEY,
        config=Config(retries={"max_attempts": 0}, parameter_validation=validate,
                      read_timeout=timeout))


def make_zip(files):
    """files: {name: text or (text, mode)} -> zip bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, body in files.items():
            mode = 0o644
            if isinstance(body, tuple):
                body, mode = body
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFREG | mode) << 16
            z.writestr(info, body)
    return buf.getvalue()


ECHO = """
import json, os
calls = 0
def handler(event, context):
    global calls
    calls += 1
    print("echo got", json.dumps(event))
    return {"event": event, "calls": calls, "name": context.function_name,
            "request_id": context.aws_request_id,
            "left_ms": context.get_remaining_time_in_millis(),
            "env": {k: os.environ.get(k) for k in ("AWS_REGION", "AWS_LAMBDA_FUNCTION_NAME",
                    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "LAMBDA_TASK_ROOT", "MY_VAR",
                    "TZ", "AWS_LAMBDA_LOG_GROUP_NAME")}}

def fail(event, context):
    raise ValueError("bad invoice " + str(event.get("id")))

def slow(event, context):
    import time
    time.sleep(10)

def die(event, context):
    os._exit(3)
"""


class LambdaTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.lam = lambda_client()
        cls.made = []

    @classmethod
    def tearDownClass(cls):
        for name in cls.made:
            try:
                cls.lam.delete_function(FunctionName=name)
            except ClientError:
                pass

    @classmethod
    def create(cls, name, handler="app.handler", runtime="python3.12", files=None, **kw):
        code = make_zip(files or {"app.py": ECHO})
        r = cls.lam.create_function(FunctionName=name, Runtime=runtime, Role=ROLE,
                                    Handler=handler, Code={"ZipFile": code}, **kw)
        cls.made.append(name)
        return r

    def assertError(self, code, fn, *a, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(*a, **kw)
        self.assertEqual(cm.exception.response["Error"]["Code"], code,
                         cm.exception.response)
        return cm.exception.response

    def invoke(self, name, payload=None, **kw):
        r = self.lam.invoke(FunctionName=name, Payload=json.dumps(payload or {}), **kw)
        body = r["Payload"].read()
        return r, json.loads(body) if body else None


class TestControlPlane(LambdaTestCase):

    def test_create_get_list_delete(self):
        r = self.create("cp-basic", Description="d", Timeout=7, MemorySize=256,
                        Environment={"Variables": {"MY_VAR": "x"}}, Tags={"team": "a"})
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(r["FunctionName"], "cp-basic")
        self.assertEqual(r["FunctionArn"],
                         "arn:aws:lambda:us-east-1:000000000000:function:cp-basic")
        self.assertEqual(r["State"], "Pending")
        self.assertEqual((r["Timeout"], r["MemorySize"], r["Version"]), (7, 256, "$LATEST"))
        self.assertEqual(r["Environment"], {"Variables": {"MY_VAR": "x"}})
        self.assertEqual(len(base64.b64decode(r["CodeSha256"])), 32)
        got = self.lam.get_function(FunctionName="cp-basic")
        self.assertEqual(got["Configuration"]["State"], "Active")
        self.assertEqual(got["Configuration"]["LastUpdateStatus"], "Successful")
        self.assertEqual(got["Tags"], {"team": "a"})
        import urllib.error
        import urllib.request
        with urllib.request.urlopen(got["Code"]["Location"]) as resp:
            zipped = resp.read()
        self.assertEqual(zipfile.ZipFile(io.BytesIO(zipped)).read("app.py").decode(), ECHO)
        self.assertEqual(base64.b64encode(__import__("hashlib").sha256(zipped).digest()).decode(),
                         r["CodeSha256"])
        for bad in ("999999.zip", "abc.zip", "1.tar"):
            with self.assertRaises(urllib.error.HTTPError) as cm:
                urllib.request.urlopen(env.ENDPOINT + "/_tinystack/lambda/code/" + bad)
            self.assertEqual(cm.exception.code, 404)
        cfg = self.lam.get_function_configuration(FunctionName=r["FunctionArn"])
        self.assertEqual(cfg["CodeSha256"], r["CodeSha256"])
        names = [f["FunctionName"] for f in self.lam.list_functions()["Functions"]]
        self.assertIn("cp-basic", names)
        self.lam.delete_function(FunctionName="cp-basic")
        self.assertError("ResourceNotFoundException", self.lam.get_function,
                         FunctionName="cp-basic")

    def test_defaults(self):
        r = self.create("cp-defaults")
        self.assertEqual((r["Timeout"], r["MemorySize"]), (3, 128))
        self.assertEqual(r["PackageType"], "Zip")
        self.assertEqual(r["Architectures"], ["x86_64"])
        self.assertEqual(r["TracingConfig"], {"Mode": "PassThrough"})
        self.assertEqual(r["LoggingConfig"]["LogGroup"], "/aws/lambda/cp-defaults")

    def test_waiters_pass(self):
        self.create("cp-wait")
        self.lam.get_waiter("function_active_v2").wait(
            FunctionName="cp-wait", WaiterConfig={"Delay": 1, "MaxAttempts": 5})
        self.lam.update_function_configuration(FunctionName="cp-wait", Timeout=9)
        self.lam.get_waiter("function_updated_v2").wait(
            FunctionName="cp-wait", WaiterConfig={"Delay": 1, "MaxAttempts": 5})
        self.assertEqual(self.lam.get_function_configuration(FunctionName="cp-wait")["Timeout"], 9)

    def test_duplicate_and_missing(self):
        self.create("cp-dup")
        resp = self.assertError("ResourceConflictException", self.create, "cp-dup")
        self.assertEqual(resp["Error"]["Message"], "Function already exist: cp-dup")
        resp = self.assertError("ResourceNotFoundException", self.lam.get_function,
                                FunctionName="nope")
        self.assertEqual(resp["Error"]["Message"],
                         "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope")
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 404)
        self.assertError("ResourceNotFoundException", self.lam.delete_function,
                         FunctionName="nope")
        self.assertError("ResourceNotFoundException", self.lam.invoke, FunctionName="nope")

    def test_bad_code(self):
        cases = [b"not a zip at all", make_zip({})[:-3], b""]
        for code in cases:
            with self.subTest(code=code[:10]):
                self.assertError("InvalidParameterValueException", self.lam.create_function,
                                 FunctionName="cp-bad", Runtime="python3.12", Role=ROLE,
                                 Handler="a.b", Code={"ZipFile": code or b"x"})
        resp = self.assertError("InvalidParameterValueException", self.lam.create_function,
                                FunctionName="cp-bad", Runtime="python3.12", Role=ROLE,
                                Handler="a.b", Code={"ZipFile": make_zip({})})
        self.assertEqual(resp["Error"]["Message"], "Uploaded file must be a non-empty zip")
        slip = make_zip({"../evil.py": "x"})
        self.assertError("InvalidParameterValueException", self.lam.create_function,
                         FunctionName="cp-bad", Runtime="python3.12", Role=ROLE,
                         Handler="a.b", Code={"ZipFile": slip})
        self.assertError("ResourceNotFoundException", self.lam.get_function,
                         FunctionName="cp-bad")

    def test_zip_bomb_is_refused(self):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for i in range(2):
                z.writestr("big%d" % i, b"\0" * (140 << 20))
        resp = self.assertError("InvalidParameterValueException", self.lam.create_function,
                                FunctionName="cp-bomb", Runtime="python3.12", Role=ROLE,
                                Handler="a.b", Code={"ZipFile": buf.getvalue()})
        self.assertIn("Unzipped size must be smaller than 262144000 bytes",
                      resp["Error"]["Message"])

    def test_bad_parameters(self):
        raw = lambda_client(validate=False)
        resp = self.assertError("InvalidParameterValueException", raw.create_function,
                                FunctionName="cp-old", Runtime="python2.7", Role=ROLE,
                                Handler="a.b", Code={"ZipFile": make_zip({"a.py": ""})})
        self.assertIn("python2.7 is no longer supported", resp["Error"]["Message"])
        self.assertError("InvalidParameterValueException", raw.create_function,
                         FunctionName="cp-nohandler", Runtime="python3.12", Role=ROLE,
                         Code={"ZipFile": make_zip({"a.py": ""})})
        self.assertError("InvalidParameterValueException", raw.create_function,
                         FunctionName="cp-reserved", Runtime="python3.12", Role=ROLE,
                         Handler="a.b", Code={"ZipFile": make_zip({"a.py": ""})},
                         Environment={"Variables": {"AWS_REGION": "x"}})
        resp = self.assertError("ValidationException", raw.create_function,
                                FunctionName="bad name!", Runtime="python3.12", Role=ROLE,
                                Handler="a.b", Code={"ZipFile": make_zip({"a.py": ""})})
        self.assertIn("functionName", resp["Error"]["Message"])
        self.assertError("ValidationException", raw.create_function,
                         FunctionName="cp-t", Runtime="python3.12", Role=ROLE,
                         Handler="a.b", Timeout=0, Code={"ZipFile": make_zip({"a.py": ""})})
        self.assertError("ValidationException", raw.create_function,
                         FunctionName="cp-r", Runtime="python3.12", Role="not-an-arn",
                         Handler="a.b", Code={"ZipFile": make_zip({"a.py": ""})})
        self.assertError("ValidationException", raw.create_function,
                         FunctionName="cp-rt", Runtime="cobol", Role=ROLE,
                         Handler="a.b", Code={"ZipFile": make_zip({"a.py": ""})})

    def test_body_that_is_not_json(self):
        import urllib.request
        req = urllib.request.Request(env.ENDPOINT + "/2015-03-31/functions", data=b"{nope",
                                     method="POST",
                                     headers={"Content-Type": "application/json"})
        try:
            urllib.request.urlopen(req)
            self.fail("accepted")
        except urllib.error.HTTPError as e:
            self.assertEqual(e.code, 400)
            self.assertEqual(e.headers["x-amzn-ErrorType"], "InvalidRequestContentException")

    def test_update_code_and_revision(self):
        r = self.create("cp-upd")
        new = make_zip({"app.py": ECHO.replace("calls += 1", "calls += 100")})
        u = self.lam.update_function_code(FunctionName="cp-upd", ZipFile=new)
        self.assertNotEqual(u["CodeSha256"], r["CodeSha256"])
        self.assertNotEqual(u["RevisionId"], r["RevisionId"])
        self.assertEqual(u["LastUpdateStatus"], "InProgress")
        self.assertError("PreconditionFailedException", self.lam.update_function_configuration,
                         FunctionName="cp-upd", Timeout=5, RevisionId=r["RevisionId"])
        _, out = self.invoke("cp-upd")
        self.assertEqual(out["calls"], 100)

    def test_publish_and_qualifiers(self):
        r = self.create("cp-pub", Publish=True)
        self.assertEqual(r["Version"], "1")
        self.assertTrue(r["FunctionArn"].endswith(":cp-pub:1"))
        self.lam.update_function_code(FunctionName="cp-pub", ZipFile=make_zip(
            {"app.py": ECHO.replace("calls += 1", "calls += 50")}), Publish=True)
        _, one = self.invoke("cp-pub", Qualifier="1")
        _, two = self.invoke("cp-pub", Qualifier="2")
        _, latest = self.invoke("cp-pub")
        self.assertEqual((one["calls"], two["calls"], latest["calls"]), (1, 50, 50))
        resp = self.lam.invoke(FunctionName="cp-pub:1", Payload=b"{}")
        self.assertEqual(resp["ExecutedVersion"], "1")
        self.assertError("ResourceNotFoundException", self.lam.invoke, FunctionName="cp-pub",
                         Qualifier="9")
        self.lam.delete_function(FunctionName="cp-pub", Qualifier="1")
        self.assertError("ResourceNotFoundException", self.lam.invoke, FunctionName="cp-pub",
                         Qualifier="1")

    def test_list_paging(self):
        for i in range(3):
            self.create("cp-page-%d" % i)
        seen, marker = [], None
        while True:
            kw = {"MaxItems": 2}
            if marker:
                kw["Marker"] = marker
            page = self.lam.list_functions(**kw)
            self.assertLessEqual(len(page["Functions"]), 2)
            seen += [f["FunctionName"] for f in page["Functions"]]
            marker = page.get("NextMarker")
            if not marker:
                break
        for i in range(3):
            self.assertIn("cp-page-%d" % i, seen)
        self.assertEqual(len(seen), len(set(seen)))

    def test_account_settings(self):
        s = self.lam.get_account_settings()
        self.assertEqual(s["AccountLimit"]["CodeSizeZipped"], 50 << 20)


class TestInvokePython(LambdaTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.create("py-echo", Environment={"Variables": {"MY_VAR": "mine"}}, Timeout=2)
        cls.create("py-warm")
        cls.create("py-fail", handler="app.fail")
        cls.create("py-slow", handler="app.slow", Timeout=1)
        cls.create("py-die", handler="app.die")

    def test_echo_and_warm_state(self):
        r, out = self.invoke("py-echo", {"id": "NF-1"})
        self.assertEqual(r["StatusCode"], 200)
        self.assertNotIn("FunctionError", r)
        self.assertEqual(r["ExecutedVersion"], "$LATEST")
        self.assertEqual(out["event"], {"id": "NF-1"})
        self.assertEqual(out["name"], "py-echo")
        self.assertRegex(out["request_id"], r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-")
        self.assertGreater(out["left_ms"], 0)
        self.assertLessEqual(out["left_ms"], 2000)
        e = out["env"]
        self.assertEqual(e["AWS_REGION"], "us-east-1")
        self.assertEqual(e["AWS_LAMBDA_FUNCTION_NAME"], "py-echo")
        self.assertEqual(e["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "128")
        self.assertEqual(e["MY_VAR"], "mine")
        self.assertEqual(e["TZ"], ":UTC")
        self.assertEqual(e["AWS_LAMBDA_LOG_GROUP_NAME"], "/aws/lambda/py-echo")
        self.assertTrue(os.path.isfile(os.path.join(e["LAMBDA_TASK_ROOT"], "app.py")))

    def test_module_state_survives_between_invokes(self):
        _, first = self.invoke("py-warm")
        _, again = self.invoke("py-warm")
        self.assertEqual(again["calls"], first["calls"] + 1)  # the same warm process

    def test_empty_payload_is_an_empty_object(self):
        r = self.lam.invoke(FunctionName="py-echo")
        self.assertEqual(json.loads(r["Payload"].read())["event"], {})

    def test_payload_that_is_not_json(self):
        self.assertError("InvalidRequestContentException", self.lam.invoke,
                         FunctionName="py-echo", Payload=b"{not json")

    def test_function_error(self):
        r, out = self.invoke("py-fail", {"id": 7})
        self.assertEqual(r["FunctionError"], "Unhandled")
        self.assertEqual(out["errorType"], "ValueError")
        self.assertEqual(out["errorMessage"], "bad invoice 7")
        # a handled exception does not end the environment
        r, out = self.invoke("py-fail", {"id": 8})
        self.assertEqual(out["errorMessage"], "bad invoice 8")

    def test_timeout(self):
        t = time.time()
        r, out = self.invoke("py-slow")
        self.assertLess(time.time() - t, 8)
        self.assertEqual(r["FunctionError"], "Unhandled")
        self.assertEqual(out["errorType"], "Sandbox.Timedout")
        self.assertRegex(out["errorMessage"],
                         r"^RequestId: [0-9a-f-]{36} Error: Task timed out after 1.00 seconds$")

    def test_process_exit(self):
        r, out = self.invoke("py-die")
        self.assertEqual(r["FunctionError"], "Unhandled")
        self.assertEqual(out["errorType"], "Runtime.ExitError")
        self.assertRegex(out["errorMessage"],
                         r"^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: "
                         r"exit status 3$")
        # a new environment replaces it
        r, out = self.invoke("py-die")
        self.assertEqual(out["errorType"], "Runtime.ExitError")

    def test_log_tail(self):
        r = self.lam.invoke(FunctionName="py-echo", Payload=b'{"tail": 1}', LogType="Tail")
        log = base64.b64decode(r["LogResult"]).decode()
        self.assertRegex(log, r"START RequestId: [0-9a-f-]{36} Version: \$LATEST")
        self.assertIn("END RequestId:", log)
        self.assertRegex(log, r"REPORT RequestId: [0-9a-f-]{36}\tDuration: [0-9.]+ ms\t"
                              r"Billed Duration: \d+ ms\tMemory Size: 128 MB\t")

    def test_response_over_6_mib(self):
        self.create("py-big", files={"app.py": "def handler(e, c):\n    return 'x' * (7 << 20)\n"})
        r, out = self.invoke("py-big")
        self.assertEqual(r["FunctionError"], "Unhandled")
        self.assertEqual(out["errorType"], "Function.ResponseSizeTooLarge")
        _, again = self.invoke("py-echo", {"still": "fine"})
        self.assertEqual(again["event"], {"still": "fine"})

    def test_dry_run(self):
        r = self.lam.invoke(FunctionName="py-echo", InvocationType="DryRun")
        self.assertEqual(r["StatusCode"], 204)

    def test_concurrent_invokes_all_answer(self):
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(8) as ex:
            outs = list(ex.map(lambda i: self.invoke("py-echo", {"i": i})[1], range(16)))
        self.assertEqual(sorted(o["event"]["i"] for o in outs), list(range(16)))


CURL_BOOTSTRAP = """#!/bin/sh
set -eu
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  HEADERS="$(mktemp)"
  EVENT="$(curl -sS -LD "$HEADERS" "$API/invocation/next")"
  ID="$(grep -i Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)"
  echo "bootstrap handling $ID"
  curl -sS -X POST "$API/invocation/$ID/response" -d "{\\"shell\\": true, \\"got\\": $EVENT}" >/dev/null
done
"""


class TestProvidedRuntime(LambdaTestCase):

    def test_shell_bootstrap_with_curl(self):
        self.create("prov-sh", runtime="provided.al2023", handler="unused",
                    files={"bootstrap": (CURL_BOOTSTRAP, 0o755)})
        r, out = self.invoke("prov-sh", {"n": 1})
        self.assertEqual(out, {"shell": True, "got": {"n": 1}})
        r, out = self.invoke("prov-sh", {"n": 2})
        self.assertEqual(out["got"], {"n": 2})

    def test_c_bootstrap(self):
        import subprocess
        import tempfile
        src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "bootstrap.c")
        out = os.path.join(tempfile.mkdtemp(), "bootstrap")
        subprocess.run(["cc", "-O1", "-o", out, src], check=True)
        with open(out, "rb") as f:
            binary = f.read()
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            info = zipfile.ZipInfo("bootstrap")
            info.external_attr = (stat.S_IFREG | 0o755) << 16
            z.writestr(info, binary)
        self.lam.create_function(FunctionName="prov-c", Runtime="provided.al2023",
                                 Role=ROLE, Handler="unused", Code={"ZipFile": buf.getvalue()})
        self.made.append("prov-c")
        for n in range(3):
            _, out_json = self.invoke("prov-c", {"n": n})
            self.assertEqual(out_json, {"c": {"n": n}})

    def test_chunked_response_with_trailers(self):
        # Go's runtime client sends its results chunked, with trailers.
        rt = r"""
import os, socket
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
s = socket.create_connection((host, int(port)))
f = s.makefile("rb")
def read_response():
    status = f.readline()
    headers = {}
    while True:
        line = f.readline().strip()
        if not line:
            break
        k, v = line.decode().split(":", 1)
        headers[k.strip().lower()] = v.strip()
    body = f.read(int(headers.get("content-length", "0")))
    return status, headers, body
while True:
    s.sendall(b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n")
    _, h, event = read_response()
    rid = h["lambda-runtime-aws-request-id"]
    s.sendall(b"POST /2018-06-01/runtime/invocation/not-an-id/response HTTP/1.1\r\n"
              b"Host: x\r\nContent-Length: 2\r\n\r\n{}")
    bad_status, _, bad_body = read_response()
    result = (b'{"chunked": ' + event + b', "wrong_id": "' + bad_status.split()[1] + b'", '
              b'"wrong_id_body": ' + bad_body + b'}')
    half = len(result) // 2
    req = (b"POST /2018-06-01/runtime/invocation/" + rid.encode() + b"/response HTTP/1.1\r\n"
           b"Host: x\r\nTransfer-Encoding: chunked\r\nTrailer: X-Done\r\n\r\n"
           + b"%x\r\n" % half + result[:half] + b"\r\n"
           + b"%x\r\n" % (len(result) - half) + result[half:] + b"\r\n"
           + b"0\r\nX-Done: yes\r\n\r\n")
    s.sendall(req)
    status, _, _ = read_response()
    assert b"202" in status, status
"""
        self.create("prov-chunked", runtime="provided.al2023", handler="unused",
                    files={"bootstrap": ("#!/bin/sh\nexec python3 \"$LAMBDA_TASK_ROOT/rt.py\"\n",
                                         0o755), "rt.py": rt})
        for n in range(2):
            _, out = self.invoke("prov-chunked", {"n": n})
            self.assertEqual(out["chunked"], {"n": n})
            self.assertEqual(out["wrong_id"], "400")
            self.assertEqual(out["wrong_id_body"]["errorType"], "InvalidRequestID")

    def test_missing_bootstrap(self):
        self.create("prov-none", runtime="provided.al2", handler="x",
                    files={"README": "no bootstrap here"})
        r, out = self.invoke("prov-none")
        self.assertEqual(r["FunctionError"], "Unhandled")
        self.assertEqual(out["errorType"], "Runtime.InvalidEntrypoint")


class TestAsyncInvoke(LambdaTestCase):

    def test_event_invoke_runs_the_handler(self):
        s3 = env.client("s3") if hasattr(env, "client") else boto3.client(
            "s3", region_name=env.REGION, endpoint_url=env.ENDPOINT,
            aws_access_key_id=env.ACCESS_KEY, aws_secret_access_key=env.SECRET_KEY)
        s3.create_bucket(Bucket="lambda-async-out")
        code = """
import boto3, json
def handler(event, context):
    boto3.client("s3").put_object(Bucket="lambda-async-out", Key=event["key"],
                                  Body=json.dumps(event))
"""
        self.create("async-writer", files={"app.py": code})
        r = self.lam.invoke(FunctionName="async-writer", InvocationType="Event",
                            Payload=json.dumps({"key": "k1"}))
        self.assertEqual(r["StatusCode"], 202)
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                body = s3.get_object(Bucket="lambda-async-out", Key="k1")["Body"].read()
                self.assertEqual(json.loads(body), {"key": "k1"})
                return
            except ClientError:
                time.sleep(0.1)
        self.fail("the event invoke never ran")

    def test_failed_events_are_retried_as_configured(self):
        s3 = boto3.client("s3", region_name=env.REGION, endpoint_url=env.ENDPOINT,
                          aws_access_key_id=env.ACCESS_KEY, aws_secret_access_key=env.SECRET_KEY)
        s3.create_bucket(Bucket="lambda-retries")
        code = """
import boto3, uuid
def handler(event, context):
    boto3.client("s3").put_object(Bucket="lambda-retries", Key=event["k"] + "/" + str(uuid.uuid4()),
                                  Body=b"try")
    raise RuntimeError("always")
"""
        self.create("async-fails", files={"app.py": code})
        self.create("async-fails-once", files={"app.py": code})
        self.lam.put_function_event_invoke_config(FunctionName="async-fails-once",
                                                  MaximumRetryAttempts=0)
        self.lam.invoke(FunctionName="async-fails", InvocationType="Event",
                        Payload=json.dumps({"k": "default"}))
        self.lam.invoke(FunctionName="async-fails-once", InvocationType="Event",
                        Payload=json.dumps({"k": "none"}))

        def tries(prefix):
            return len(s3.list_objects_v2(Bucket="lambda-retries", Prefix=prefix + "/")
                       .get("Contents", []))
        deadline = time.time() + 20
        while time.time() < deadline and tries("default") < 3:
            time.sleep(0.2)
        time.sleep(3.5)   # long enough for a fourth try, were there one
        self.assertEqual(tries("default"), 3)   # the first try and two retries
        self.assertEqual(tries("none"), 1)


if __name__ == "__main__":
    unittest.main()


class TestPermissions(LambdaTestCase):

    def test_add_get_remove(self):
        self.create("perm-fn")
        self.assertError("ResourceNotFoundException", self.lam.get_policy, FunctionName="perm-fn")
        r = self.lam.add_permission(FunctionName="perm-fn", StatementId="s3invoke",
                                    Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
                                    SourceArn="arn:aws:s3:::b", SourceAccount="000000000000")
        st = json.loads(r["Statement"])
        self.assertEqual(st["Sid"], "s3invoke")
        self.assertEqual(st["Principal"], {"Service": "s3.amazonaws.com"})
        self.assertEqual(st["Resource"], "arn:aws:lambda:us-east-1:000000000000:function:perm-fn")
        self.assertEqual(st["Condition"]["ArnLike"]["AWS:SourceArn"], "arn:aws:s3:::b")
        resp = self.assertError("ResourceConflictException", self.lam.add_permission,
                                FunctionName="perm-fn", StatementId="s3invoke",
                                Action="lambda:InvokeFunction", Principal="s3.amazonaws.com")
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 409)
        self.lam.add_permission(FunctionName="perm-fn", StatementId="apigw",
                                Action="lambda:InvokeFunction",
                                Principal="apigateway.amazonaws.com")
        policy = json.loads(self.lam.get_policy(FunctionName="perm-fn")["Policy"])
        self.assertEqual(policy["Version"], "2012-10-17")
        self.assertEqual([s["Sid"] for s in policy["Statement"]], ["s3invoke", "apigw"])
        self.lam.remove_permission(FunctionName="perm-fn", StatementId="s3invoke")
        resp = self.assertError("ResourceNotFoundException", self.lam.remove_permission,
                                FunctionName="perm-fn", StatementId="s3invoke")
        self.assertEqual(resp["Error"]["Message"],
                         "Statement s3invoke is not found in resource policy.")
        policy = json.loads(self.lam.get_policy(FunctionName="perm-fn")["Policy"])
        self.assertEqual([s["Sid"] for s in policy["Statement"]], ["apigw"])
        self.assertError("ResourceNotFoundException", self.lam.add_permission,
                         FunctionName="perm-missing", StatementId="x",
                         Action="lambda:InvokeFunction", Principal="s3.amazonaws.com")
        self.assertError("ValidationException", lambda_client(False).add_permission,
                         FunctionName="perm-fn", StatementId="bad sid!",
                         Action="lambda:InvokeFunction", Principal="s3.amazonaws.com")


LOGGING = """
import logging
logger = logging.getLogger()
logger.setLevel(logging.INFO)
def handler(event, context):
    logger.info("first line\\nsecond line")
    print("a print")
    return "done"
"""

BOTO = """
import boto3, os
s3 = boto3.client("s3")
def handler(event, context):
    s3.create_bucket(Bucket=event["bucket"])
    return [b["Name"] for b in s3.list_buckets()["Buckets"]]
"""


class TestHandlerErrors(LambdaTestCase):

    def test_import_error(self):
        self.create("err-import", handler="nomodule.handler")
        r, out = self.invoke("err-import")
        self.assertEqual(r["FunctionError"], "Unhandled")
        self.assertEqual(out["errorType"], "Runtime.ImportModuleError")
        self.assertEqual(out["errorMessage"],
                         "Unable to import module 'nomodule': No module named 'nomodule'")

    def test_handler_not_found(self):
        self.create("err-missing", handler="app.nothing")
        _, out = self.invoke("err-missing")
        self.assertEqual(out["errorType"], "Runtime.HandlerNotFound")
        self.assertEqual(out["errorMessage"], "Handler 'nothing' missing on module 'app'")

    def test_syntax_error(self):
        self.create("err-syntax", files={"app.py": "def handler(:\n"})
        _, out = self.invoke("err-syntax")
        self.assertEqual(out["errorType"], "Runtime.UserCodeSyntaxError")

    def test_malformed_handler(self):
        self.create("err-malformed", handler="nodot")
        _, out = self.invoke("err-malformed")
        self.assertEqual(out["errorType"], "Runtime.MalformedHandlerName")

    def test_handler_in_a_folder(self):
        self.create("dir-handler", handler="pkg/mod.handler",
                    files={"pkg/mod.py": "def handler(e, c):\n    return 'deep'\n"})
        _, out = self.invoke("dir-handler")
        self.assertEqual(out, "deep")

    def test_logging_format_in_tail(self):
        self.create("log-fn", files={"app.py": LOGGING})
        r = self.lam.invoke(FunctionName="log-fn", LogType="Tail")
        log = base64.b64decode(r["LogResult"]).decode()
        self.assertRegex(log, r"\[INFO\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t"
                              r"[0-9a-f-]{36}\tfirst line\nsecond line")
        self.assertIn("a print", log)

    def test_boto3_reaches_tinystack_with_no_endpoint(self):
        self.create("boto-fn", files={"app.py": BOTO}, Timeout=30)
        r, out = self.invoke("boto-fn", {"bucket": "made-by-lambda"})
        self.assertNotIn("FunctionError", r, out)
        self.assertIn("made-by-lambda", out)


NODE_ESM = """
export const handler = async (event, context) => {
  console.log("node got", JSON.stringify(event));
  return { node: true, event, name: context.functionName, left: context.getRemainingTimeInMillis() > 0 };
};
"""

NODE_CB = """
exports.nested = { handler: function (event, context, callback) { callback(null, { cb: event.n }); } };
exports.fail = async () => { throw new TypeError("nope"); };
"""


@unittest.skipUnless(shutil.which("node"), "node is not installed")
class TestNode(LambdaTestCase):

    def test_esm_async_handler(self):
        self.create("node-esm", runtime="nodejs20.x", handler="index.handler",
                    files={"index.mjs": NODE_ESM})
        r = self.lam.invoke(FunctionName="node-esm", Payload=b'{"a": 1}', LogType="Tail")
        out = json.loads(r["Payload"].read())
        self.assertEqual(out, {"node": True, "event": {"a": 1}, "name": "node-esm", "left": True})
        log = base64.b64decode(r["LogResult"]).decode()
        self.assertRegex(log, r"\d{4}-\d\d-\d\dT[\d:.]+Z\t[0-9a-f-]{36}\tINFO\tnode got")

    def test_callback_nested_and_errors(self):
        self.create("node-cb", runtime="nodejs22.x", handler="app.nested.handler",
                    files={"app.js": NODE_CB})
        _, out = self.invoke("node-cb", {"n": 5})
        self.assertEqual(out, {"cb": 5})
        self.create("node-fail", runtime="nodejs18.x", handler="app.fail",
                    files={"app.js": NODE_CB})
        r, out = self.invoke("node-fail")
        self.assertEqual(r["FunctionError"], "Unhandled")
        self.assertEqual(out["errorType"], "TypeError")
        self.assertEqual(out["errorMessage"], "nope")
        self.create("node-missing", runtime="nodejs20.x", handler="app.nothing",
                    files={"app.js": NODE_CB})
        _, out = self.invoke("node-missing")
        self.assertEqual(out["errorType"], "Runtime.HandlerNotFound")


class TestInterpreters(unittest.TestCase):
    """The fork server on and off, and Debian's own python3 (an old boto3
    that does not read AWS_ENDPOINT_URL)."""

    def run_boto_handler(self, args):
        from test_daemon import Daemon
        d = Daemon(args)
        try:
            lam = boto3.session.Session().client(
                "lambda", region_name=env.REGION, endpoint_url=d.endpoint,
                aws_access_key_id="test", aws_secret_access_key="test",
                config=Config(retries={"max_attempts": 0}, read_timeout=60))
            lam.create_function(FunctionName="f", Runtime="python3.9", Role=ROLE,
                                Handler="app.handler", Timeout=60,
                                Code={"ZipFile": make_zip({"app.py": BOTO})})
            r = lam.invoke(FunctionName="f", Payload=json.dumps({"bucket": "interp-b"}))
            out = json.loads(r["Payload"].read())
            self.assertNotIn("FunctionError", r, out)
            self.assertEqual(out, ["interp-b"])
        finally:
            d.stop()
        return d.stderr()

    def test_without_the_fork_server(self):
        log = self.run_boto_handler(["--lambda-no-fork", "--log-level", "debug"])
        self.assertNotIn("forked (pid", log)
        self.assertIn("started (pid", log)

    def test_with_the_fork_server(self):
        log = self.run_boto_handler(["--log-level", "debug"])
        self.assertIn("forked (pid", log)

    @unittest.skipUnless(os.path.exists("/usr/bin/python3"), "no /usr/bin/python3")
    def test_debian_python(self):
        try:
            import subprocess
            subprocess.run(["/usr/bin/python3", "-c", "import boto3"], check=True,
                           capture_output=True)
        except Exception:
            self.skipTest("Debian's python3-boto3 is not installed")
        log = self.run_boto_handler(["--lambda-python", "/usr/bin/python3", "--log-level",
                                     "debug"])
        self.assertIn("python3.9 runs on /usr/bin/python3", log)


TMP_KEEPER = """
import os, time
def handler(event, context):
    path = os.path.join("/tmp" if not os.environ.get("TMPDIR") else os.environ["TMPDIR"], "mark")
    if event.get("write"):
        open(path, "w").write("kept")
    if event.get("sleep"):
        time.sleep(5)
    return {"mark": open(path).read() if os.path.exists(path) else None, "pid": os.getpid()}
"""

RECURSE = """
import boto3, json
from botocore.config import Config
lam = boto3.client("lambda", config=Config(retries={"max_attempts": 0}, read_timeout=60))
def handler(event, context):
    n = event.get("n", 0)
    try:
        r = lam.invoke(FunctionName=context.function_name, Payload=json.dumps({"n": n + 1}))
        return json.loads(r["Payload"].read())
    except Exception as e:
        return {"stopped_at": n, "error": type(e).__name__, "code": getattr(e, "response", {}).get("Error", {}).get("Code")}
"""


class TestEnvironmentLife(LambdaTestCase):

    def test_timeout_keeps_tmp(self):
        self.create("tmp-keeper", files={"app.py": TMP_KEEPER}, Timeout=1)
        _, first = self.invoke("tmp-keeper", {"write": True})
        self.assertEqual(first["mark"], "kept")
        r, out = self.invoke("tmp-keeper", {"sleep": True})
        self.assertEqual(out["errorType"], "Sandbox.Timedout")
        _, after = self.invoke("tmp-keeper")
        self.assertNotEqual(after["pid"], first["pid"])  # a new process
        self.assertEqual(after["mark"], "kept")          # the same /tmp

    def test_recursion_is_bounded_by_the_concurrency_limit(self):
        from test_daemon import Daemon
        d = Daemon(["--lambda-max-envs", "3"])
        try:
            lam = boto3.session.Session().client(
                "lambda", region_name=env.REGION, endpoint_url=d.endpoint,
                aws_access_key_id="test", aws_secret_access_key="test",
                config=Config(retries={"max_attempts": 0}, read_timeout=60))
            lam.create_function(FunctionName="rec", Runtime="python3.12", Role=ROLE,
                                Handler="app.handler", Timeout=30,
                                Code={"ZipFile": make_zip({"app.py": RECURSE})})
            r = lam.invoke(FunctionName="rec", Payload=b"{}")
            out = json.loads(r["Payload"].read())
            self.assertEqual(out["code"], "TooManyRequestsException", out)
            self.assertEqual(out["stopped_at"], 2)   # three environments, all busy
            self.assertEqual(d.request("GET", "/_localstack/health")[0], 200)
        finally:
            d.stop()


FANOUT = """
import boto3, json, uuid
s3 = boto3.client("s3")
ddb = boto3.client("dynamodb")
lam = boto3.client("lambda")
def handler(event, context):
    key = str(uuid.uuid4())
    s3.put_object(Bucket="fanout-bucket", Key=key, Body=b"x")
    ddb.put_item(TableName="fanout-table", Item={"id": {"S": key}})
    r = lam.invoke(FunctionName="fanout-leaf", Payload=json.dumps({"key": key}))
    return json.loads(r["Payload"].read())
"""

CONTEXT = """
def handler(event, context):
    return {"custom": context.client_context.custom if context.client_context else None}
"""


class TestInvokeDepth(LambdaTestCase):

    def test_sixteen_concurrent_invokes_that_call_back_into_tinystack(self):
        from concurrent.futures import ThreadPoolExecutor
        s3 = boto3.client("s3", region_name=env.REGION, endpoint_url=env.ENDPOINT,
                          aws_access_key_id="test", aws_secret_access_key="test")
        ddb = boto3.client("dynamodb", region_name=env.REGION, endpoint_url=env.ENDPOINT,
                           aws_access_key_id="test", aws_secret_access_key="test")
        s3.create_bucket(Bucket="fanout-bucket")
        ddb.create_table(TableName="fanout-table",
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        self.create("fanout-leaf", files={"app.py": "def handler(e, c):\n    return e\n"})
        self.create("fanout", files={"app.py": FANOUT}, Timeout=60)
        lam = lambda_client(timeout=120)
        with ThreadPoolExecutor(16) as ex:
            outs = list(ex.map(lambda i: json.loads(lam.invoke(
                FunctionName="fanout", Payload=b"{}")["Payload"].read()), range(16)))
        keys = {o.get("key") for o in outs}
        self.assertEqual(len(keys), 16, outs[:3])
        self.assertEqual(ddb.scan(TableName="fanout-table", Select="COUNT")["Count"], 16)

    def test_client_context_reaches_the_handler(self):
        self.create("ctx-fn", files={"app.py": CONTEXT})
        ctx = base64.b64encode(json.dumps({"custom": {"who": "me"}}).encode()).decode()
        _, out = self.invoke("ctx-fn", ClientContext=ctx)
        self.assertEqual(out, {"custom": {"who": "me"}})
        self.assertError("InvalidParameterValueException", self.lam.invoke,
                         FunctionName="ctx-fn", ClientContext="!!!not base64")

    def test_update_retires_the_warm_environment(self):
        self.create("retire-fn", files={"app.py": TMP_KEEPER})
        _, one = self.invoke("retire-fn")
        self.lam.update_function_configuration(FunctionName="retire-fn", MemorySize=256)
        _, two = self.invoke("retire-fn")
        self.assertNotEqual(one["pid"], two["pid"])

    def test_code_from_s3(self):
        s3 = boto3.client("s3", region_name=env.REGION, endpoint_url=env.ENDPOINT,
                          aws_access_key_id="test", aws_secret_access_key="test")
        s3.create_bucket(Bucket="code-bucket")
        s3.put_object(Bucket="code-bucket", Key="fn.zip",
                      Body=make_zip({"app.py": "def handler(e, c):\n    return 's3 code'\n"}))
        self.lam.create_function(FunctionName="s3-code", Runtime="python3.12", Role=ROLE,
                                 Handler="app.handler",
                                 Code={"S3Bucket": "code-bucket", "S3Key": "fn.zip"})
        self.made.append("s3-code")
        _, out = self.invoke("s3-code")
        self.assertEqual(out, "s3 code")
        self.assertError("InvalidParameterValueException", self.lam.create_function,
                         FunctionName="s3-code-missing", Runtime="python3.12", Role=ROLE,
                         Handler="app.handler", Code={"S3Bucket": "code-bucket", "S3Key": "no.zip"})


class TestNodeSpare(unittest.TestCase):

    def test_a_node_cold_start_takes_the_waiting_spare(self):
        from test_daemon import Daemon
        d = Daemon(["--log-level", "debug"])
        try:
            lam = boto3.session.Session().client(
                "lambda", region_name=env.REGION, endpoint_url=d.endpoint,
                aws_access_key_id="test", aws_secret_access_key="test",
                config=Config(retries={"max_attempts": 0}, read_timeout=60))
            for name in ("spare-a", "spare-b"):
                lam.create_function(FunctionName=name, Runtime="nodejs20.x", Role=ROLE,
                                    Handler="index.handler",
                                    Environment={"Variables": {"WHO": name}},
                                    Code={"ZipFile": make_zip({"index.js":
                                        "exports.handler = async () => process.env.WHO;"})})
            deadline = time.time() + 10
            while "spare node process is waiting" not in d.stderr() and time.time() < deadline:
                time.sleep(0.05)
            for name in ("spare-a", "spare-b"):
                r = lam.invoke(FunctionName=name)
                self.assertEqual(json.loads(r["Payload"].read()), name)
        finally:
            d.stop()
        self.assertIn("spare-a: environment", d.stderr())
        self.assertRegex(d.stderr(), r"spare-a: environment \w+ is the spare node")


class TestFunctionLogs(LambdaTestCase):

    def test_output_reaches_cloudwatch_logs(self):
        logs = boto3.client("logs", region_name=env.REGION, endpoint_url=env.ENDPOINT,
                            aws_access_key_id="test", aws_secret_access_key="test")
        self.create("logged-fn", files={"app.py": LOGGING})
        r = self.lam.invoke(FunctionName="logged-fn")
        rid = r["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-requestid")
        self.assertNotIn("FunctionError", r)
        streams = logs.describe_log_streams(logGroupName="/aws/lambda/logged-fn")["logStreams"]
        self.assertEqual(len(streams), 1)
        self.assertRegex(streams[0]["logStreamName"], r"^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$")
        events = logs.filter_log_events(logGroupName="/aws/lambda/logged-fn")["events"]
        messages = [e["message"] for e in events]
        self.assertTrue(any(m.startswith("START RequestId: ") for m in messages), messages)
        self.assertTrue(any(m.startswith("END RequestId: ") for m in messages), messages)
        self.assertTrue(any(m.startswith("REPORT RequestId: ") and "Init Duration" in m
                            for m in messages), messages)
        self.assertIn("a print", [m.rstrip("\n") for m in messages])
        multi = [m for m in messages if "first line" in m]
        self.assertEqual(len(multi), 1)                     # one event, two lines
        self.assertIn("first line\nsecond line", multi[0])
        self.assertTrue(multi[0].startswith("[INFO]\t"))
        # a second invoke: no Init Duration on a warm start
        self.lam.invoke(FunctionName="logged-fn")
        reports = [e["message"] for e in logs.filter_log_events(
            logGroupName="/aws/lambda/logged-fn", filterPattern="REPORT")["events"]]
        self.assertEqual(len(reports), 2)
        self.assertEqual(sum("Init Duration" in m for m in reports), 1)


STYLES = """
import os, json, boto3
from botocore.config import Config

def try_style(url):
    kw = {"config": Config(retries={"max_attempts": 0}, connect_timeout=5, read_timeout=10)}
    if url:
        kw["endpoint_url"] = url
    try:
        s3 = boto3.client("s3", **kw)
        s3.put_object(Bucket="styles-bucket", Key=url or "none", Body=b"x")
        return "ok"
    except Exception as e:
        return "%s: %s" % (type(e).__name__, e)

def handler(event, context):
    urls = [None, os.environ["AWS_ENDPOINT_URL"],
            "http://%s:%s" % (os.environ["LOCALSTACK_HOSTNAME"], os.environ["EDGE_PORT"]),
            "http://localhost:4566", "http://localstack:4566", "http://host.docker.internal:4566",
            "http://s3.localhost.localstack.cloud:4566"]
    return {str(u): try_style(u) for u in urls}
"""


class TestEndpointStyles(LambdaTestCase):

    def test_every_way_handler_code_reaches_the_endpoint(self):
        s3 = boto3.client("s3", region_name=env.REGION, endpoint_url=env.ENDPOINT,
                          aws_access_key_id="test", aws_secret_access_key="test")
        s3.create_bucket(Bucket="styles-bucket")
        self.create("styles-fn", files={"app.py": STYLES}, Timeout=60)
        _, out = self.invoke("styles-fn")
        self.assertEqual(set(out.values()), {"ok"}, out)

    def test_a_function_shipping_its_own_boto3_gets_its_own(self):
        code = "import boto3\ndef handler(e, c):\n    return [boto3.__file__, boto3.MARK]\n"
        self.create("own-boto3", files={"app.py": code,
                                        "boto3/__init__.py": "MARK = 'shipped'\n"})
        r, out = self.invoke("own-boto3")
        self.assertNotIn("FunctionError", r, out)
        self.assertEqual(out[1], "shipped")


class TestLambdaGarbage(unittest.TestCase):
    """Raw bodies no SDK would send: random bytes, deep nesting, a huge
    body, to every kind of Lambda route and to the notification parser.
    Each gets a 4xx with an error type, never a 5xx or a dead daemon."""

    def raw(self, method, path, body, ctype="application/json"):
        import http.client
        from urllib.parse import urlparse
        u = urlparse(env.ENDPOINT)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        conn.request(method, path, body=body, headers={
            "Content-Type": ctype,
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/lambda/"
                             "aws4_request, SignedHeaders=host, Signature=00"})
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, r.getheader("x-amzn-ErrorType"), data

    def test_garbage_deep_and_huge_bodies(self):
        import random
        rnd = random.Random(11)
        bodies = [bytes(rnd.getrandbits(8) for _ in range(n)) for n in (1, 17, 900, 70000)]
        bodies += [b"[" * 100000 + b"]" * 100000, b'{"a":' * 50000 + b"1" + b"}" * 50000,
                   b'{"FunctionName": {"x": [' + b"[" * 5000 + b"]" * 5000 + b"]}}",
                   b'{"FunctionName": "f", "Code": {"ZipFile": "' + b"A" * (3 << 20) + b'"}}',
                   b"\x00" * 4096, b'{"FunctionName": "\\u0000"}']
        routes = [("POST", "/2015-03-31/functions"),
                  ("PUT", "/2015-03-31/functions/gf/configuration"),
                  ("PUT", "/2015-03-31/functions/gf/code"),
                  ("POST", "/2015-03-31/functions/gf/invocations"),
                  ("POST", "/2015-03-31/functions/gf/policy"),
                  ("POST", "/2015-03-31/functions/%00%ff/invocations"),
                  ("GET", "/2015-03-31/functions/" + "x" * 5000)]
        for method, path in routes:
            for body in bodies:
                try:
                    status, etype, data = self.raw(method, path, body)
                except ConnectionError:  # reset or broken pipe
                    # A body over the route's cap is refused before it is
                    # read (the answer can overtake our sending).
                    self.assertGreater(len(body), 1 << 20, (method, path))
                    continue
                self.assertTrue(400 <= status < 500, (method, path, body[:20], status, data[:200]))
                self.assertTrue(etype, (method, path, status, data[:200]))
        self.assertEqual(self.raw("GET", "/_localstack/health", None)[0], 200)

    def test_notification_xml_garbage(self):
        s3 = boto3.client("s3", region_name=env.REGION, endpoint_url=env.ENDPOINT,
                          aws_access_key_id="test", aws_secret_access_key="test")
        s3.create_bucket(Bucket="notify-garbage")
        import http.client
        from urllib.parse import urlparse
        u = urlparse(env.ENDPOINT)
        deep = b"<NotificationConfiguration>" + b"<CloudFunctionConfiguration>" * 9000 + \
            b"</CloudFunctionConfiguration>" * 9000 + b"</NotificationConfiguration>"
        many = b"<NotificationConfiguration>" + (
            b"<CloudFunctionConfiguration><CloudFunction>arn:aws:lambda:us-east-1:000000000000:"
            b"function:nope</CloudFunction><Event>s3:ObjectCreated:*</Event>"
            b"</CloudFunctionConfiguration>") * 5000 + b"</NotificationConfiguration>"
        for body in (b"\xff\xfe<<", b"<NotificationConfiguration><CloudFunctionConfiguration>"
                     b"<CloudFunction></CloudFunction></CloudFunctionConfiguration>"
                     b"</NotificationConfiguration>", deep, many,
                     b"<NotificationConfiguration><CloudFunctionConfiguration><CloudFunction>x"
                     b"</CloudFunction></CloudFunctionConfiguration></NotificationConfiguration>"):
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
            conn.request("PUT", "/notify-garbage?notification", body=body)
            r = conn.getresponse()
            data = r.read()
            conn.close()
            self.assertTrue(400 <= r.status < 500, (body[:40], r.status, data[:200]))
        self.assertEqual(s3.get_bucket_notification_configuration(Bucket="notify-garbage")
                         .get("LambdaFunctionConfigurations"), None)
