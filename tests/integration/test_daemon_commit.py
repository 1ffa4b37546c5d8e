"""Writers share commits (group commit, src/store/store_txn.c).  Many
clients write at once on their own keep-alive connections, over raw HTTP so
that the server, not the client library, is what is busy, and these hold:

- a client is answered only after the COMMIT that holds its change, so
  everything acknowledged survives kill -9;
- a request that fails inside a group (its condition, its precondition)
  undoes only itself: every neighbour that succeeded persists, and a
  request sees what its group's earlier members wrote (one winner per key);
- a commit that fails for want of room fails the requests of its group
  with a 500 and keeps none of them, while the daemon goes on.

Each test starts its own tinystack (test_daemon.Daemon).
"""

import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

import tinystack_env as env
from test_daemon import Daemon, binary

AUTH_S3 = ("AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/s3/aws4_request, "
           "SignedHeaders=host, Signature=00")
AUTH_DDB = ("AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/dynamodb/aws4_request, "
            "SignedHeaders=host, Signature=00")
THREADS = 24


def body_of(key, size=1024):
    """The bytes PUT under key: derived from it, so a reader can tell."""
    unit = ("%s;" % key).encode()
    return (unit * (size // len(unit) + 1))[:size]


def s3_put(conn, bucket, key, body, headers=None):
    h = {"Authorization": AUTH_S3, "x-amz-date": "20250101T000000Z",
         "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
         "Content-Type": "application/octet-stream"}
    h.update(headers or {})
    conn.request("PUT", "/%s/%s" % (bucket, key), body=body, headers=h)
    r = conn.getresponse()
    return r.status, r.read()


def ddb(conn, op, payload):
    conn.request("POST", "/", body=json.dumps(payload).encode(),
                 headers={"Authorization": AUTH_DDB, "x-amz-date": "20250101T000000Z",
                          "X-Amz-Target": "DynamoDB_20120810." + op,
                          "Content-Type": "application/x-amz-json-1.0"})
    r = conn.getresponse()
    data = r.read()
    return r.status, json.loads(data) if data else {}


def ddb_error(reply):
    return reply.get("__type", "").rsplit("#", 1)[-1]


def create_table(d, name):
    d.client("dynamodb").create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])


def scan_all(d, table):
    """{pk: v} of every item, page by page."""
    out, kw = {}, {}
    c = d.client("dynamodb")
    while True:
        page = c.scan(TableName=table, **kw)
        for it in page["Items"]:
            out[it["pk"]["S"]] = it["v"]["S"]
        if "LastEvaluatedKey" not in page:
            return out
        kw = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def list_all(d, bucket):
    """{key: ETag without quotes} of every object."""
    out, kw = {}, {}
    c = d.client("s3")
    while True:
        page = c.list_objects_v2(Bucket=bucket, **kw)
        for o in page.get("Contents", []):
            out[o["Key"]] = o["ETag"].strip('"')
        if not page.get("IsTruncated"):
            return out
        kw = {"ContinuationToken": page["NextContinuationToken"]}


def run_threads(n, fn, errors=None):
    """Runs fn(tid) on n threads at once; re-raises the first failure, or
    leaves the failures in errors when given."""
    raise_first = errors is None
    errors = [] if errors is None else errors
    start = threading.Barrier(n)

    def wrap(tid):
        try:
            start.wait()
            fn(tid)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    ts = [threading.Thread(target=wrap, args=(t,)) for t in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    if errors and raise_first:
        raise errors[0]


def group_stats(stderr):
    """(commits, requests that waited for another's commit) from the debug
    line the store writes at a clean exit, or None."""
    m = re.search(r"store: (\d+) commits; (\d+) requests waited", stderr)
    return (int(m.group(1)), int(m.group(2))) if m else None


class TestGroupCommit(unittest.TestCase):

    def setUp(self):
        self.data = tempfile.mkdtemp(prefix="tinystack-gc-")

    def tearDown(self):
        shutil.rmtree(self.data, ignore_errors=True)

    def mixed_writes(self, d, tid, stop, acked_s3, acked_ddb):
        """Until stop or a broken connection: PUTs and PutItems of fresh
        keys, each recorded once its 200 has come back."""
        conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=30)
        i = 0
        try:
            while not stop.is_set():
                i += 1
                key = "t%02d-%05d" % (tid, i)
                if i % 2:
                    st, _ = s3_put(conn, "gcb", key, body_of(key))
                    if st == 200:
                        acked_s3.append(key)
                else:
                    st, _ = ddb(conn, "PutItem", {"TableName": "gct", "Item": {
                        "pk": {"S": key}, "v": {"S": body_of(key, 200).decode()}}})
                    if st == 200:
                        acked_ddb.append(key)
                if st != 200:
                    raise AssertionError("%s answered %d" % (key, st))
        except (OSError, http.client.HTTPException):
            if not stop.is_set():
                raise
        finally:
            conn.close()

    def test_concurrent_writes_share_commits(self):
        d = Daemon(["--data-dir", self.data, "--log-level", "debug"])
        try:
            d.client("s3").create_bucket(Bucket="gcb")
            create_table(d, "gct")
            stop = threading.Event()
            acked_s3, acked_ddb = [], []
            timer = threading.Timer(2.0, stop.set)
            timer.start()
            run_threads(THREADS, lambda t: self.mixed_writes(d, t, stop, acked_s3, acked_ddb))
        finally:
            self.assertEqual(d.stop(), 0)
        stats = group_stats(d.stderr())
        self.assertIsNotNone(stats, d.stderr()[-2000:])
        commits, waited = stats
        writes = len(acked_s3) + len(acked_ddb)
        self.assertGreater(writes, 200)
        self.assertGreater(waited, 0, "no write ever shared a commit: %r" % (stats,))
        self.assertLess(commits, writes, "as many commits as writes: %r" % (stats,))

    def test_group_commit_1_commits_each_write_alone(self):
        d = Daemon(["--data-dir", self.data, "--log-level", "debug", "--group-commit", "1"])
        try:
            d.client("s3").create_bucket(Bucket="gcb")
            create_table(d, "gct")
            stop = threading.Event()
            acked_s3, acked_ddb = [], []
            threading.Timer(1.0, stop.set).start()
            run_threads(8, lambda t: self.mixed_writes(d, t, stop, acked_s3, acked_ddb))
        finally:
            self.assertEqual(d.stop(), 0)
        commits, waited = group_stats(d.stderr())
        self.assertEqual(waited, 0)
        self.assertGreaterEqual(commits, len(acked_s3) + len(acked_ddb))

    def test_bad_group_commit_setting_exits(self):
        for bad in ("0", "257", "x"):
            out = subprocess.run([binary(), "--group-commit", bad],
                                 capture_output=True, text=True, timeout=10)
            self.assertNotEqual(out.returncode, 0, bad)

    def test_acknowledged_grouped_writes_survive_kill_9(self):
        d = Daemon(["--data-dir", self.data])
        d.client("s3").create_bucket(Bucket="gcb")
        create_table(d, "gct")
        stop = threading.Event()
        acked_s3, acked_ddb, errors = [], [], []
        writers = threading.Thread(target=run_threads, args=(
            THREADS, lambda t: self.mixed_writes(d, t, stop, acked_s3, acked_ddb), errors))
        writers.start()
        # Kill it in full flight: requests are in groups, some answered,
        # some not yet committed.
        deadline = time.monotonic() + 60
        while len(acked_s3) + len(acked_ddb) < 3000 and time.monotonic() < deadline:
            time.sleep(0.01)
        stop.set()
        d.proc.send_signal(signal.SIGKILL)
        d.proc.wait()
        writers.join(60)
        self.assertEqual(errors, [])
        s3_keys, ddb_keys = list(acked_s3), list(acked_ddb)
        self.assertGreater(len(s3_keys) + len(ddb_keys), 1000)

        d = Daemon(["--data-dir", self.data])
        try:
            objects = list_all(d, "gcb")
            items = scan_all(d, "gct")
            lost = [k for k in s3_keys
                    if objects.get(k) != hashlib.md5(body_of(k)).hexdigest()]
            self.assertEqual(lost, [], "%d of %d acknowledged PUTs lost or wrong"
                             % (len(lost), len(s3_keys)))
            lost = [k for k in ddb_keys if items.get(k) != body_of(k, 200).decode()]
            self.assertEqual(lost, [], "%d of %d acknowledged PutItems lost or wrong"
                             % (len(lost), len(ddb_keys)))
            # What was written but not acknowledged may be there, whole.
            for k, etag in objects.items():
                self.assertEqual(etag, hashlib.md5(body_of(k)).hexdigest(), k)
        finally:
            self.assertEqual(d.stop(), 0)

    def test_failing_requests_in_a_group_leave_their_neighbours(self):
        d = Daemon(["--data-dir", self.data, "--log-level", "debug"])
        rounds = 60
        outcome = {}      # key -> what the request was told
        races = {}        # (key, thread) -> (status, error)
        try:
            d.client("s3").create_bucket(Bucket="gcb")
            create_table(d, "gct")
            # Keys taken before: conditional writes on them must fail.
            conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=30)
            for t in range(THREADS):
                for i in range(rounds):
                    key = "taken-%02d-%03d" % (t, i)
                    if i % 2:
                        self.assertEqual(s3_put(conn, "gcb", key, b"old")[0], 200)
                    else:
                        self.assertEqual(ddb(conn, "PutItem", {"TableName": "gct", "Item": {
                            "pk": {"S": key}, "v": {"S": "old"}}})[0], 200)
            conn.close()

            def writer(tid):
                c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=30)
                for i in range(rounds):
                    fresh, taken = "new-%02d-%03d" % (tid, i), "taken-%02d-%03d" % (tid, i)
                    # Everyone races for the same key of the round: one wins.
                    race = "race-%03d" % i
                    if i % 2:
                        st, _ = s3_put(c, "gcb", fresh, body_of(fresh), {"If-None-Match": "*"})
                        outcome[fresh] = st
                        st, _ = s3_put(c, "gcb", taken, b"new", {"If-None-Match": "*"})
                        outcome[taken] = st
                    else:
                        cond = {"ConditionExpression": "attribute_not_exists(pk)"}
                        st, _ = ddb(c, "PutItem", dict(cond, TableName="gct", Item={
                            "pk": {"S": fresh}, "v": {"S": fresh}}))
                        outcome[fresh] = st
                        st, r = ddb(c, "PutItem", dict(cond, TableName="gct", Item={
                            "pk": {"S": taken}, "v": {"S": "new"}}))
                        outcome[taken] = (st, ddb_error(r))
                    st, r = ddb(c, "PutItem", {"TableName": "gct", "Item": {
                        "pk": {"S": race}, "v": {"S": "w%02d" % tid}},
                        "ConditionExpression": "attribute_not_exists(pk)"})
                    races[(race, tid)] = (st, ddb_error(r))
                c.close()

            run_threads(THREADS, writer)
        finally:
            self.assertEqual(d.stop(), 0)
        commits, waited = group_stats(d.stderr())
        self.assertGreater(waited, 0, "the writes never shared a commit")

        for key, got in outcome.items():
            if key.startswith("new-"):
                self.assertEqual(got, 200, key)
            elif isinstance(got, tuple):
                self.assertEqual(got, (400, "ConditionalCheckFailedException"), key)
            else:
                self.assertEqual(got, 412, key)
        for i in range(rounds):
            race = "race-%03d" % i
            wins = [t for (k, t), (st, _) in races.items() if k == race and st == 200]
            losses = [err for (k, t), (st, err) in races.items() if k == race and st != 200]
            self.assertEqual(len(wins), 1, "%s: %d winners" % (race, len(wins)))
            self.assertEqual(set(losses), {"ConditionalCheckFailedException"}, race)
            outcome[race] = "w%02d" % wins[0]

        # After a restart: the successes are there, the failures changed
        # nothing, the race's winner holds its key.
        d = Daemon(["--data-dir", self.data])
        try:
            objects, items = list_all(d, "gcb"), scan_all(d, "gct")
            for key, got in outcome.items():
                if key.startswith("race-"):
                    self.assertEqual(items.get(key), got, key)
                elif key.startswith("new-") and int(key[-3:]) % 2:
                    self.assertEqual(objects.get(key), hashlib.md5(body_of(key)).hexdigest(), key)
                elif key.startswith("new-"):
                    self.assertEqual(items.get(key), key, key)
                elif int(key[-3:]) % 2:
                    self.assertEqual(objects.get(key), hashlib.md5(b"old").hexdigest(), key)
                else:
                    self.assertEqual(items.get(key), "old", key)
        finally:
            self.assertEqual(d.stop(), 0)


class TestGroupCommitDiskFull(unittest.TestCase):

    def test_a_full_disk_fails_whole_groups_and_keeps_the_rest(self):
        # A 40 MiB file system of its own (a private mount namespace), filled
        # by many writers at once: a commit that finds no room fails every
        # request of its group (500, nothing of it kept), what was answered
        # 200 stays, and the daemon goes on.
        mnt = tempfile.mkdtemp()
        wrap = ["unshare", "--mount", "sh", "-c",
                'mount -t tmpfs -o size=40m none "$0" && exec "$@"', mnt]
        d = Daemon(["--data-dir", os.path.join(mnt, "data"), "--log-level", "debug"], wrap=wrap)
        acked, failed = [], []
        try:
            d.client("s3").create_bucket(Bucket="gcb")
            create_table(d, "gct")

            def writer(tid):
                c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=30)
                fails = 0
                for i in range(400):
                    key = "t%02d-%03d" % (tid, i)
                    if i % 2:
                        st, _ = s3_put(c, "gcb", key, body_of(key, 100 << 10))
                    else:
                        st, _ = ddb(c, "PutItem", {"TableName": "gct", "Item": {
                            "pk": {"S": key}, "v": {"S": body_of(key, 200 << 10).decode()}}})
                    self.assertIn(st, (200, 500), key)
                    (acked if st == 200 else failed).append(key)
                    fails += st != 200
                    if fails >= 3:
                        break
                c.close()

            run_threads(16, writer)
            self.assertIsNone(d.proc.poll(), "the daemon died")
            self.assertGreater(len(failed), 0, "a 40 MiB disk never filled")
            self.assertGreater(len(acked), 20)
            s3, items = list_all(d, "gcb"), scan_all(d, "gct")
            for key in acked:
                if int(key[-3:]) % 2:
                    self.assertEqual(s3.get(key), hashlib.md5(body_of(key, 100 << 10)).hexdigest(), key)
                else:
                    self.assertEqual(items.get(key), body_of(key, 200 << 10).decode(), key)
            for key in failed:
                self.assertNotIn(key, s3, key)
                self.assertNotIn(key, items, key)
            # The daemon answers on.  (Whether deletes then find room is
            # the reserve's business, and under many concurrent PutItems
            # it does not yet: DynamoDB writes are not refused once the
            # reserve is given up, so they eat the room it freed.)
            self.assertEqual(d.request("GET", "/_localstack/health")[0], 200)
        finally:
            d.stop()
            os.rmdir(mnt)


if __name__ == "__main__":
    unittest.main()
