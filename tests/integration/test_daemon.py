"""The daemon itself: settings, health, reset, shutdown, durability.

These start their own tinystack processes (from TINYSTACK_BIN), since they
are about the process: its flags, its signals and its data dir.
"""

import concurrent.futures
import glob
import http.client
import json
import os
import signal
import subprocess
import tempfile
import time
import unittest

import boto3
from botocore.config import Config

import tinystack_env as env


def binary():
    b = os.environ.get("TINYSTACK_BIN") or "build/rel/tinystack"
    return b if os.path.isabs(b) else os.path.join(env.REPO_ROOT, b)


class Daemon:
    """One tinystack process on a free port, waited for until Ready."""

    def __init__(self, args=(), environ=None, port=None, preexec=None, wrap=()):
        self.port = port or env._free_port()
        e = dict(os.environ)
        e.update(environ or {})
        self.err = tempfile.TemporaryFile()
        argv = list(wrap) + [binary()] + list(args)
        if not any(a.startswith("--port") for a in args) and "GATEWAY_LISTEN" not in e \
                and "TINYSTACK_PORT" not in e:
            argv += ["--port", str(self.port)]
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self.err, env=e,
                                     preexec_fn=preexec)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("tinystack exited: %s" % self.stderr())
            if b"Ready." in self.stderr().encode():
                return
            time.sleep(0.01)
        raise RuntimeError("tinystack not ready: %s" % self.stderr())

    def stderr(self):
        self.err.seek(0)
        return self.err.read().decode("utf-8", "replace")

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    def client(self, service):
        return boto3.client(service, endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test",
                            config=Config(retries={"max_attempts": 0},
                                          s3={"addressing_style": "path"}))

    def request(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, r.headers, data

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


class TestDaemon(unittest.TestCase):

    def test_health_on_both_paths(self):
        d = Daemon()
        try:
            for path in ("/_localstack/health", "/_tinystack/health"):
                status, headers, body = d.request("GET", path)
                self.assertEqual(status, 200)
                doc = json.loads(body)
                self.assertEqual(doc["services"]["s3"], "running")
                self.assertEqual(doc["services"]["dynamodb"], "running")
                self.assertEqual(doc["edition"], "community")
                self.assertTrue(doc["version"])
                status, headers, body = d.request("HEAD", path)
                self.assertEqual((status, body), (200, b""))
            status, _, _ = d.request("GET", "/_tinystack/nope")
            self.assertEqual(status, 404)
        finally:
            self.assertEqual(d.stop(), 0)

    def test_sigterm_exits_zero_and_removes_ephemeral_store(self):
        tmp = tempfile.mkdtemp()
        d = Daemon(environ={"TMPDIR": tmp})
        d.client("s3").create_bucket(Bucket="eph")
        self.assertEqual(len(glob.glob(os.path.join(tmp, "tinystack-*"))), 1)
        self.assertEqual(d.stop(), 0)
        self.assertEqual(glob.glob(os.path.join(tmp, "tinystack-*")), [])
        os.rmdir(tmp)

    def test_sigint_exits_zero(self):
        d = Daemon()
        self.assertEqual(d.stop(signal.SIGINT), 0)

    def test_gateway_listen_and_port_env(self):
        port = env._free_port()
        d = Daemon(environ={"GATEWAY_LISTEN": "127.0.0.1:%d" % port}, port=port)
        self.assertEqual(d.request("GET", "/_localstack/health")[0], 200)
        d.stop()
        port = env._free_port()
        d = Daemon(environ={"TINYSTACK_PORT": str(port)}, port=port)
        self.assertEqual(d.request("GET", "/_localstack/health")[0], 200)
        d.stop()

    def test_help_lists_every_setting(self):
        out = subprocess.run([binary(), "--help"], capture_output=True, text=True, timeout=10)
        self.assertEqual(out.returncode, 0)
        for flag, var in (("--host", "TINYSTACK_HOST"), ("--port", "TINYSTACK_PORT"),
                          ("--data-dir", "TINYSTACK_DATA_DIR"), ("--region", "TINYSTACK_REGION"),
                          ("--account", "TINYSTACK_ACCOUNT_ID"),
                          ("--log-level", "TINYSTACK_LOG_LEVEL"),
                          ("--threads", "TINYSTACK_THREADS"),
                          ("--group-commit", "TINYSTACK_GROUP_COMMIT")):
            self.assertIn(flag, out.stdout)
            self.assertIn(var, out.stdout)
        self.assertIn("GATEWAY_LISTEN", out.stdout)

    def test_bad_settings_exit_non_zero(self):
        for args in (["--port", "0"], ["--port", "70000"], ["--log-level", "loud"],
                     ["--no-such-flag"], ["stray"]):
            out = subprocess.run([binary()] + args, capture_output=True, text=True, timeout=10)
            self.assertNotEqual(out.returncode, 0, args)

    def test_port_in_use_fails_cleanly(self):
        d = Daemon()
        try:
            out = subprocess.run([binary(), "--port", str(d.port)], capture_output=True,
                                 text=True, timeout=10)
            self.assertEqual(out.returncode, 1)
            self.assertIn("cannot listen", out.stderr)
        finally:
            d.stop()

    def test_one_log_line_per_request(self):
        d = Daemon()
        try:
            d.client("s3").list_buckets()
            d.client("dynamodb").list_tables()
        finally:
            d.stop()
        lines = d.stderr().splitlines()
        self.assertTrue(any(" s3.ListBuckets 200 " in l and l.endswith("ms") for l in lines), lines)
        self.assertTrue(any(" dynamodb.ListTables 200 " in l for l in lines), lines)

    def test_reset_empties_everything(self):
        d = Daemon()
        try:
            s3, ddb = d.client("s3"), d.client("dynamodb")
            s3.create_bucket(Bucket="reset-b")
            s3.put_object(Bucket="reset-b", Key="k", Body=b"x")
            ddb.create_table(TableName="reset-t", BillingMode="PAY_PER_REQUEST",
                             KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
            self.assertEqual(d.request("POST", "/_tinystack/reset", b"{}",
                                       {"Content-Type": "application/json"})[0], 200)
            self.assertEqual(s3.list_buckets()["Buckets"], [])
            self.assertEqual(ddb.list_tables()["TableNames"], [])
        finally:
            d.stop()

    def test_reset_refuses_what_a_web_page_can_send(self):
        # Defect: a bare cross-origin POST (a "simple" request, sent by
        # browsers without a preflight) erased every bucket and table.
        d = Daemon()
        try:
            s3 = d.client("s3")
            s3.create_bucket(Bucket="keep-me")
            simple = [
                ("POST", "/_localstack/health", b"", {}),
                ("POST", "/_localstack/health", b"x", {"Content-Type": "text/plain",
                                                       "Origin": "http://evil.example"}),
                ("POST", "/_tinystack/reset", b"", {}),
                ("POST", "/_tinystack/reset", b"{}", {"Content-Type": "text/plain"}),
                ("POST", "/_tinystack/reset", b"a=b",
                 {"Content-Type": "application/x-www-form-urlencoded"}),
                # JSON, but from a foreign page (after a preflight we never grant)
                ("POST", "/_tinystack/reset", b"{}", {"Content-Type": "application/json",
                                                      "Origin": "http://evil.example"}),
                # a health probe with JSON is still no reset without the action
                ("POST", "/_localstack/health", b"{}", {"Content-Type": "application/json"}),
                ("POST", "/_tinystack/reset", b"[1]", {"Content-Type": "application/json"}),
            ]
            for method, path, body, headers in simple:
                st = d.request(method, path, body, headers)[0]
                self.assertIn(st, (400, 403), (path, headers))
                self.assertEqual([b["Name"] for b in s3.list_buckets()["Buckets"]],
                                 ["keep-me"], (path, headers))
            # GET health never changes anything either
            self.assertEqual(d.request("GET", "/_localstack/health")[0], 200)
            self.assertEqual(len(s3.list_buckets()["Buckets"]), 1)
            # the endpoint's own origin, and LocalStack's restart action, may reset
            st = d.request("POST", "/_tinystack/reset", b"{}",
                           {"Content-Type": "application/json",
                            "Origin": "http://127.0.0.1:%d" % d.port})[0]
            self.assertEqual(st, 200)
            self.assertEqual(s3.list_buckets()["Buckets"], [])
            s3.create_bucket(Bucket="again")
            st = d.request("POST", "/_localstack/health", b'{"action": "restart"}',
                           {"Content-Type": "application/json"})[0]
            self.assertEqual(st, 200)
            self.assertEqual(s3.list_buckets()["Buckets"], [])
            st = d.request("POST", "/_tinystack/reset", b"",
                           {"Content-Type": "application/json"})[0]
            self.assertEqual(st, 200)
        finally:
            d.stop()

    def test_acknowledged_writes_survive_kill_9(self):
        data = tempfile.mkdtemp(prefix="tinystack-data-")
        big = os.urandom(3 * 1024 * 1024 + 7)
        d = Daemon(["--data-dir", data])
        s3, ddb = d.client("s3"), d.client("dynamodb")
        s3.create_bucket(Bucket="durable")
        s3.put_object(Bucket="durable", Key="small", Body=b"hello")
        s3.put_object(Bucket="durable", Key="big", Body=big)
        ddb.create_table(TableName="dur", BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
        for i in range(50):
            ddb.put_item(TableName="dur", Item={"id": {"S": "i%d" % i}, "n": {"N": str(i)}})
        d.stop(signal.SIGKILL)
        d = Daemon(["--data-dir", data])
        try:
            s3, ddb = d.client("s3"), d.client("dynamodb")
            self.assertEqual(s3.get_object(Bucket="durable", Key="small")["Body"].read(), b"hello")
            self.assertEqual(s3.get_object(Bucket="durable", Key="big")["Body"].read(), big)
            self.assertEqual(ddb.scan(TableName="dur", Select="COUNT")["Count"], 50)
            self.assertEqual(ddb.get_item(TableName="dur", Key={"id": {"S": "i49"}})["Item"]["n"],
                             {"N": "49"})
        finally:
            self.assertEqual(d.stop(), 0)
        subprocess.run(["rm", "-rf", data])

    def test_many_concurrent_keep_alive_clients(self):
        d = Daemon()
        try:
            s3 = d.client("s3")
            s3.create_bucket(Bucket="conc")
            s3.put_object(Bucket="conc", Key="k", Body=b"v" * 100)

            def worker(_):
                c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
                ok = 0
                for _ in range(20):
                    c.request("GET", "/conc/k")
                    r = c.getresponse()
                    ok += r.status == 200 and r.read() == b"v" * 100
                c.close()
                return ok

            with concurrent.futures.ThreadPoolExecutor(64) as ex:
                self.assertEqual(sum(ex.map(worker, range(64))), 64 * 20)
        finally:
            d.stop()


if __name__ == "__main__":
    unittest.main()
