"""What a LocalStack user brings along: init hooks in boot.d, start.d,
ready.d and shutdown.d (in name order; executable files, .py and .sh;
their output in the log; a ready hook that calls the API through
awslocal), LocalStack's settings (SERVICES, DEBUG, LS_LOG, EDGE_PORT,
DEFAULT_REGION, LOCALSTACK_HOST), `--list-operations` and the
docs/operations.md made from it, `make install` / `uninstall`, and
awslocal's endpoint rules."""

import json
import os
import shutil
import stat
import subprocess
import tempfile
import time
import unittest

import tinystack_env as env
from test_daemon import Daemon, binary

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AWSLOCAL = os.path.join(REPO, "src", "tools", "awslocal")


def write(path, text, mode=0o755):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


class TestInitHooks(unittest.TestCase):

    def test_every_stage_in_order(self):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d, True)
        trace = os.path.join(d, "trace")
        for stage in ("boot", "start", "ready", "shutdown"):
            write(os.path.join(d, stage + ".d", "20-second.sh"),
                  "#!/bin/sh\necho %s-20 >>%s\necho hook-output-%s\n" % (stage, trace, stage))
            write(os.path.join(d, stage + ".d", "10-first.py"),
                  "open(%r, 'a').write('%s-10\\n')\n" % (trace, stage), mode=0o644)
        write(os.path.join(d, "ready.d", "30-plain.sh"),
              "echo ready-30 >>%s\n" % trace, mode=0o644)
        write(os.path.join(d, "ready.d", "40-notes.txt"), "not a hook\n", mode=0o644)
        # A ready hook reaches the API with awslocal (AWS_ENDPOINT_URL is
        # set for hooks) and its output lands in the log.
        write(os.path.join(d, "ready.d", "50-bucket.sh"),
              "#!/bin/sh\nset -e\n%s s3 mb s3://from-hook\necho ready-50 >>%s\n"
              % (AWSLOCAL, trace))
        write(os.path.join(d, "ready.d", "60-fails.sh"), "#!/bin/sh\nexit 3\n")
        dm = Daemon(["--init-dir", d])
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if os.path.exists(trace) and "ready-50" in open(trace).read():
                    break
                time.sleep(0.1)
            names = [b["Name"] for b in dm.client("s3").list_buckets()["Buckets"]]
            self.assertIn("from-hook", names)
        finally:
            self.assertEqual(dm.stop(), 0)
        lines = open(trace).read().split()
        self.assertEqual(lines, ["boot-10", "boot-20", "start-10", "start-20", "ready-10",
                                 "ready-20", "ready-30", "ready-50", "shutdown-10",
                                 "shutdown-20"])
        log = dm.stderr()
        self.assertIn("hook-output-ready", log)
        self.assertIn("40-notes.txt skipped", log)
        self.assertIn("60-fails.sh failed", log)
        self.assertLess(log.index("hook-output-start"), log.index("Ready."))
        self.assertLess(log.index("Ready."), log.index("hook-output-ready"))

    def test_no_hooks_no_noise(self):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d, True)
        dm = Daemon(["--init-dir", d])
        self.assertEqual(dm.stop(), 0)
        self.assertNotIn("init:", dm.stderr())


class TestLocalStackSettings(unittest.TestCase):

    def test_services_serves_only_those(self):
        dm = Daemon(environ={"SERVICES": "s3,lambda"})
        try:
            health = json.loads(dm.request("GET", "/_localstack/health")[2])["services"]
            self.assertEqual(health["s3"], "running")
            self.assertEqual(health["lambda"], "running")
            self.assertEqual(health["dynamodb"], "disabled")
            self.assertEqual(dm.client("s3").list_buckets()["Buckets"], [])
            with self.assertRaises(Exception) as cm:
                dm.client("dynamodb").list_tables()
            self.assertIn("not enabled", str(cm.exception))
            st = dm.request("POST", "/restapis", b"{}", {
                "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/"
                                 "apigateway/aws4_request, SignedHeaders=host, Signature=x"})[0]
            self.assertEqual(st, 501)
        finally:
            self.assertEqual(dm.stop(), 0)

    def test_debug_ls_log_edge_port_region_host(self):
        port = env._free_port()
        dm = Daemon(environ={"DEBUG": "1", "EDGE_PORT": str(port), "DEFAULT_REGION": "eu-west-1",
                             "LOCALSTACK_HOST": "example.test:9999"}, port=port)
        try:
            self.assertEqual(dm.port, port)
            v2 = dm.client("apigatewayv2")
            api = v2.create_api(Name="h", ProtocolType="HTTP")
            self.assertEqual(api["ApiEndpoint"],
                             "http://%s.execute-api.example.test:9999" % api["ApiId"])
            # An unsigned request gets the default region.
            st, _, body = dm.request("GET", "/_localstack/health")
            self.assertEqual(st, 200)
        finally:
            self.assertEqual(dm.stop(), 0)
        self.assertIn("store open in", dm.stderr(), "DEBUG=1 logs at debug level")
        dm = Daemon(environ={"LS_LOG": "warn"})
        dm.client("s3").list_buckets()
        self.assertEqual(dm.stop(), 0)
        self.assertNotIn("s3.ListBuckets", dm.stderr(), "LS_LOG=warn drops request lines")


class TestOperationsAndInstall(unittest.TestCase):

    def test_list_operations_and_the_generated_doc(self):
        out = subprocess.run([binary(), "--list-operations"], check=True,
                             capture_output=True, text=True).stdout.split("\n")
        pairs = [l.split(" ") for l in out if l]
        self.assertIn(["apigateway", "CreateRestApi"], pairs)
        self.assertIn(["lambda", "Invoke"], pairs)
        self.assertIn(["dynamodb", "TransactWriteItems"], pairs)
        self.assertNotIn(["s3", "SelectObjectContent"], pairs, "501 rows are not listed")
        made = subprocess.run(["sh", os.path.join(REPO, "docs", "operations.sh"), binary()],
                              check=True, capture_output=True, text=True).stdout
        with open(os.path.join(REPO, "docs", "operations.md")) as f:
            self.assertEqual(f.read(), made, "docs/operations.md is stale: run make operations")

    def test_make_install_and_uninstall(self):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d, True)
        # The binary is built already: install copies it.
        subprocess.run(["make", "-s", "-C", REPO, "install", "DESTDIR=" + d, "PREFIX=/opt/ts"],
                       check=True, capture_output=True)
        for f in ("opt/ts/bin/tinystack", "opt/ts/bin/awslocal",
                  "opt/ts/share/man/man1/tinystack.1"):
            self.assertTrue(os.path.exists(os.path.join(d, f)), f)
        # It runs from anywhere: the Lambda runtime clients are inside.
        out = subprocess.run([os.path.join(d, "opt/ts/bin/tinystack"), "--version"],
                             cwd="/", check=True, capture_output=True, text=True).stdout
        self.assertTrue(out.startswith("tinystack "))
        subprocess.run(["make", "-s", "-C", REPO, "uninstall", "DESTDIR=" + d, "PREFIX=/opt/ts"],
                       check=True, capture_output=True)
        self.assertFalse(os.path.exists(os.path.join(d, "opt/ts/bin/tinystack")))
        self.assertFalse(os.path.exists(os.path.join(d, "opt/ts/bin/awslocal")))

    def test_awslocal_endpoint_rules(self):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d, True)
        fake = os.path.join(d, "fake-aws")
        write(fake, "#!/bin/sh\necho \"$@|$AWS_ACCESS_KEY_ID|$AWS_DEFAULT_REGION\"\n")
        base = {k: v for k, v in os.environ.items()
                if not k.startswith("AWS_") and k not in ("LOCALSTACK_HOST", "EDGE_PORT")}
        base["AWSLOCAL_CLI"] = fake
        cases = [({}, "--endpoint-url http://localhost:4566 s3 ls|test|us-east-1"),
                 ({"EDGE_PORT": "5000"}, "--endpoint-url http://localhost:5000 s3 ls|test|us-east-1"),
                 ({"LOCALSTACK_HOST": "ls:4567"}, "--endpoint-url http://ls:4567 s3 ls|test|us-east-1"),
                 ({"LOCALSTACK_HOST": "ls"}, "--endpoint-url http://ls:4566 s3 ls|test|us-east-1"),
                 ({"AWS_ENDPOINT_URL": "http://x:1", "AWS_ACCESS_KEY_ID": "mine",
                   "AWS_DEFAULT_REGION": "sa-east-1"},
                  "--endpoint-url http://x:1 s3 ls|mine|sa-east-1")]
        for extra, want in cases:
            e = dict(base, **extra)
            out = subprocess.run([AWSLOCAL, "s3", "ls"], env=e, check=True, capture_output=True,
                                 text=True).stdout.strip()
            self.assertEqual(out, want, extra)


if __name__ == "__main__":
    unittest.main()
