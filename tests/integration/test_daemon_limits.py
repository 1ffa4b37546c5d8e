"""The daemon under hostile or broken conditions: a store that cannot
open, a full disk, silent connections, and HTTP framing a proxy could be
fooled by.  Each test starts its own tinystack (see test_daemon.Daemon).
"""

import os
import re
import resource
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

import tinystack_env as env
from test_daemon import Daemon, binary


def raw(port, data, timeout=5.0, read_until_close=False):
    """Sends bytes on a fresh connection; returns what came back."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
        out = b""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            out += chunk
            if not read_until_close and out.count(b"HTTP/1.1 ") and b"\r\n\r\n" in out:
                head, _, body = out.partition(b"\r\n\r\n")
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        if len(body) >= int(line.split(b":")[1]):
                            return out
        return out
    finally:
        s.close()


def statuses(data):
    return [int(m) for m in re.findall(rb"HTTP/1\.1 (\d{3}) ", data)]


class TestStore(unittest.TestCase):

    def run_bad_store(self, data_dir):
        out = subprocess.run([binary(), "--port", str(env._free_port()), "--data-dir", data_dir],
                             capture_output=True, text=True, timeout=10)
        return out

    def test_corrupt_database_exits_at_start(self):
        # Defect: printed Ready., answered health, then aborted on the
        # first request.
        d = tempfile.mkdtemp()
        with open(os.path.join(d, "tinystack.db"), "wb") as f:
            f.write(b"this is not a database" * 1000)
        out = self.run_bad_store(d)
        self.assertNotEqual(out.returncode, 0)
        self.assertNotIn("Ready.", out.stderr)
        self.assertIn("cannot open the store", out.stderr)
        shutil.rmtree(d)

    def test_new_store_gives_freed_pages_back(self):
        # Defect: auto_vacuum was set after the log mode had created the
        # file, so it never took, and deleted objects never gave their room
        # back to the file system (a full disk stayed full after deletes).
        data = tempfile.mkdtemp()
        d = Daemon(["--data-dir", data])
        try:
            s3 = d.client("s3")
            s3.create_bucket(Bucket="vac")
            s3.put_object(Bucket="vac", Key="k", Body=b"v")
        finally:
            self.assertEqual(d.stop(), 0)
        import sqlite3
        db = sqlite3.connect(os.path.join(data, "tinystack.db"))
        try:
            self.assertEqual(db.execute("PRAGMA auto_vacuum").fetchone()[0], 2)  # INCREMENTAL
        finally:
            db.close()
            shutil.rmtree(data)

    def test_unwritable_dir_exits_at_start(self):
        # /proc takes no new directories, not even from root
        out = self.run_bad_store("/proc/tinystack-nope")
        self.assertNotEqual(out.returncode, 0)
        self.assertNotIn("Ready.", out.stderr)

    def test_data_dir_that_is_a_file_exits_at_start(self):
        f = tempfile.NamedTemporaryFile(delete=False)
        f.close()
        out = self.run_bad_store(os.path.join(f.name, "sub"))
        self.assertNotEqual(out.returncode, 0)
        self.assertNotIn("Ready.", out.stderr)
        os.unlink(f.name)

    def fill(self, s3, bucket, size):
        """PUTs objects of size bytes until one fails; returns the error."""
        body = os.urandom(size)
        for i in range(200):
            try:
                s3.put_object(Bucket=bucket, Key="k%03d" % i, Body=body)
            except Exception as e:  # noqa: BLE001 - any AWS error will do
                return e
        return None

    def test_file_size_limit_fails_writes_not_the_daemon(self):
        # Defect: RLIMIT_FSIZE killed the daemon with SIGXFSZ.  A write past
        # the limit fails with an error; the daemon and its data stay.
        data = tempfile.mkdtemp()
        limit = 24 << 20

        def lower():
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        d = Daemon(["--data-dir", data], preexec=lower)
        try:
            s3 = d.client("s3")
            s3.create_bucket(Bucket="full")
            failed = self.fill(s3, "full", 1 << 20)
            self.assertIsNotNone(failed, "a 24 MiB file limit never failed a write")
            self.assertIsNone(d.proc.poll(), "the daemon died")
            self.assertEqual(failed.response["ResponseMetadata"]["HTTPStatusCode"], 500)
            self.assertEqual(len(s3.get_object(Bucket="full", Key="k000")["Body"].read()),
                             1 << 20)
            self.assertEqual(d.request("GET", "/_localstack/health")[0], 200)
        finally:
            d.stop()
            shutil.rmtree(data)

    def test_disk_full_leaves_delete_and_reset_working(self):
        # A 40 MiB file system of its own (a private mount namespace).
        mnt = tempfile.mkdtemp()
        wrap = ["unshare", "--mount", "sh", "-c",
                'mount -t tmpfs -o size=40m none "$0" && exec "$@"', mnt]
        d = Daemon(["--data-dir", os.path.join(mnt, "data")], wrap=wrap)
        try:
            s3 = d.client("s3")
            s3.create_bucket(Bucket="full")
            failed = self.fill(s3, "full", 1 << 20)
            self.assertIsNotNone(failed, "a 40 MiB disk never filled")
            self.assertIsNone(d.proc.poll(), "the daemon died")
            self.assertEqual(failed.response["ResponseMetadata"]["HTTPStatusCode"], 500)
            keys = [o["Key"] for o in s3.list_objects_v2(Bucket="full").get("Contents", [])]
            self.assertGreater(len(keys), 5)
            for k in keys[:len(keys) // 2]:
                s3.delete_object(Bucket="full", Key=k)
            s3.put_object(Bucket="full", Key="again", Body=b"small")
            self.assertEqual(s3.get_object(Bucket="full", Key="again")["Body"].read(), b"small")
            # full again: reset still works, and leaves an empty store
            self.fill(s3, "full", 1 << 20)
            st = d.request("POST", "/_tinystack/reset", b"{}",
                           {"Content-Type": "application/json"})[0]
            self.assertEqual(st, 200)
            self.assertEqual(s3.list_buckets()["Buckets"], [])
            s3.create_bucket(Bucket="after")
            s3.put_object(Bucket="after", Key="k", Body=b"x" * 100000)
        finally:
            d.stop()
            os.rmdir(mnt)


class TestConnections(unittest.TestCase):

    def test_silent_connections_do_not_lock_clients_out(self):
        # Defect: 4,100 silent TCP connections locked every new client out
        # for 10 minutes (4,000-connection cap, 600 s timeout).
        d = Daemon(["--idle-timeout", "5"])
        socks = []
        try:
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            n = min(4100, hard - 200)
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 200), hard))
            for _ in range(n):
                s = socket.socket()
                s.settimeout(5)
                s.connect(("127.0.0.1", d.port))
                socks.append(s)
            status = d.request("GET", "/_localstack/health")[0]
            self.assertEqual(status, 200)
            # and the silent ones are closed after the idle timeout
            deadline = time.monotonic() + 30
            socks[0].settimeout(30)
            self.assertEqual(socks[0].recv(1), b"")
            self.assertLess(time.monotonic(), deadline)
        finally:
            for s in socks:
                s.close()
            d.stop()


class TestFraming(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.d = Daemon()
        cls.d.client("s3").create_bucket(Bucket="frame")

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def test_pipelined_requests_all_answered(self):
        # Defect: three pipelined requests got one response, then silence.
        req = b"GET /_localstack/health HTTP/1.1\r\nHost: x\r\n\r\n"
        put = (b"PUT /frame/p HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
        get = b"GET /frame/p HTTP/1.1\r\nHost: x\r\n\r\n"
        out = raw(self.d.port, req + put + get + req + b"GET /frame/p HTTP/1.1\r\nHost: x\r\n"
                  b"Connection: close\r\n\r\n", read_until_close=True)
        self.assertEqual(statuses(out), [200, 200, 200, 200, 200], out[:2000])
        self.assertEqual(out.count(b"hello"), 2)

    def test_unknown_transfer_encoding_is_501(self):
        out = raw(self.d.port, b"PUT /frame/te HTTP/1.1\r\nHost: x\r\n"
                  b"Transfer-Encoding: gzip\r\n\r\nabc", read_until_close=True)
        self.assertEqual(statuses(out)[:1], [501], out)
        self.assertEqual(self.d.client("s3").list_objects_v2(Bucket="frame",
                                                             Prefix="te").get("KeyCount"), 0)

    def test_conflicting_content_length_is_400(self):
        out = raw(self.d.port, b"PUT /frame/cl HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Length: 3\r\nContent-Length: 10\r\n\r\nabcdefghij",
                  read_until_close=True)
        self.assertEqual(statuses(out)[:1], [400], out)
        self.assertEqual(self.d.client("s3").list_objects_v2(Bucket="frame",
                                                             Prefix="cl").get("KeyCount"), 0)

    def test_content_length_with_chunked_is_400(self):
        out = raw(self.d.port, b"PUT /frame/both HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
                  read_until_close=True)
        self.assertEqual(statuses(out)[:1], [400], out)

    def test_same_content_length_twice_is_fine(self):
        out = raw(self.d.port, b"PUT /frame/same HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Length: 3\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
                  read_until_close=True)
        self.assertEqual(statuses(out)[:1], [200], out)

    def test_oversized_buffered_body_refused_before_upload(self):
        # A body over the operation's cap is refused from its headers: the
        # client that asked for 100-continue never has to send it.
        out = raw(self.d.port, b"POST /frame?delete HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Length: 900000000\r\nExpect: 100-continue\r\n\r\n")
        self.assertEqual(statuses(out)[:1], [400], out)
        self.assertIn(b"EntityTooLarge", out)
        self.assertNotIn(b"100 Continue", out)


class TestOtherServicesRoute(unittest.TestCase):
    """Requests for the services to come get their own protocol's error."""

    @classmethod
    def setUpClass(cls):
        cls.d = Daemon()

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def error_code(self, service, call, **kw):
        c = self.d.client(service)
        try:
            getattr(c, call)(**kw)
        except c.exceptions.ClientError as e:
            return e.response["Error"]["Code"]
        return None

    def test_each_service_speaks_its_protocol(self):
        self.assertEqual(self.error_code("lambda", "list_layers"), "UnknownOperationException")
        self.assertEqual(self.error_code("apigateway", "get_domain_names"),
                         "UnknownOperationException")
        self.assertEqual(self.error_code("apigatewayv2", "get_vpc_links"),
                         "UnknownOperationException")
        self.assertEqual(self.error_code("logs", "describe_metric_filters"),
                         "UnknownOperationException")
        self.assertEqual(self.error_code("iam", "list_groups"), "InvalidAction")
        self.assertEqual(self.error_code("sts", "decode_authorization_message",
                                         EncodedMessage="x"), "InvalidAction")

    def test_sts_get_caller_identity_over_the_query_protocol(self):
        who = self.d.client("sts").get_caller_identity()
        self.assertEqual(who["Account"], "000000000000")
        self.assertEqual(who["Arn"], "arn:aws:iam::000000000000:root")
        self.assertEqual(who["UserId"], "test")
        # the same Action in the URL, unsigned, as a plain GET
        status, headers, body = self.d.request(
            "GET", "/?Action=GetCallerIdentity&Version=2011-06-15")
        self.assertEqual(status, 200)
        self.assertIn(b"<Account>000000000000</Account>", body)
        self.assertIn(b"<RequestId>", body)
        # a form POST without an Action
        status, headers, body = self.d.request(
            "POST", "/", b"Version=2011-06-15",
            {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 400)
        self.assertIn(b"<Code>MissingAction</Code>", body)

    def test_user_request_never_meets_s3(self):
        status, headers, body = self.d.request("GET", "/restapis/abc/dev/_user_request_/x")
        self.assertNotIn(b"NoSuchBucket", body)
        self.assertEqual(status, 404)


if __name__ == "__main__":
    unittest.main()
