"""S3 under concurrency (issue 10, defects 2, 3 and 4), with real threads
against a real tinystack:

- a GET that has started returns the bytes of the version it started on,
  or fails; never another object's (blob ids were reused, and a large GET
  streams after its snapshot: DELETE x + PUT y made a slow GET of x end
  with y's bytes).  UploadPartCopy reads its source the same way.
- a write to a bucket deleted meanwhile gets NoSuchBucket, and a new
  bucket is always empty (bucket ids were reused).
- concurrent configuration writes and tagging all persist (they used to
  run in autocommit as read-modify-write of one JSON column).
"""

import concurrent.futures
import hashlib
import os
import shutil
import socket
import sqlite3
import tempfile
import threading
import time
import unittest

from botocore.exceptions import ClientError

from tinystack_env import HOST, MiB, PORT, S3TestCase, s3_client, sign_headers, unique_bucket
from test_daemon import Daemon

BIG = 24 * MiB


def pattern(seed, size):
    """size bytes that differ from every other seed's in every 32 bytes."""
    block = hashlib.sha256(seed).digest() * (MiB // 32)
    return (block * (size // len(block) + 1))[:size]


class SlowGet:
    """A GET on a raw socket with a small receive buffer, read on demand."""

    def __init__(self, path, port=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 * 1024)
        self.sock.settimeout(30)
        self.sock.connect((HOST, port or PORT))
        headers = sign_headers("GET", path)
        if port:
            headers["Host"] = "127.0.0.1:%d" % port
        head = "GET %s HTTP/1.1\r\n%s\r\n" % (
            path, "".join("%s: %s\r\n" % kv for kv in headers.items()))
        self.sock.sendall(head.encode())
        buf = b""
        while b"\r\n\r\n" not in buf:
            buf += self.sock.recv(4096)
        head, _, self.body = buf.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {l.split(":", 1)[0].lower(): l.split(":", 1)[1].strip() for l in lines[1:]}
        self.length = int(self.headers.get("content-length", "0"))

    def read(self, n):
        while len(self.body) < n:
            try:
                b = self.sock.recv(256 * 1024)
            except (ConnectionResetError, socket.timeout):
                return False
            if not b:
                return False
            self.body += b
        return True

    def close(self):
        self.sock.close()


class TestStreamingReads(S3TestCase):

    def assertVersionOrFailure(self, got, complete, want, other):
        # What arrived is always a prefix of the version the GET started on.
        self.assertTrue(want.startswith(got[:len(want)]),
                        "the body holds other bytes (%d of them are the other object's)"
                        % sum(1 for i in range(0, min(len(got), len(other)), 4096)
                              if got[i:i + 4096] == other[i:i + 4096]))
        if complete:
            self.assertEqual(len(got), len(want))

    def race(self, replace):
        b = self.bucket("stream")
        x, y = pattern(b"x", BIG), pattern(b"y", BIG)
        etag = self.put(b, "x", x)["ETag"]
        g = SlowGet("/%s/x" % b)
        try:
            self.assertEqual((g.status, g.length, g.headers.get("etag")), (200, BIG, etag))
            self.assertTrue(g.read(MiB))
            replace(b, y)
            time.sleep(0.2)
            complete = g.read(BIG)
            self.assertVersionOrFailure(g.body[:BIG], complete, x, y)
            # Nothing is left pinned: the replaced version's data goes.
        finally:
            g.close()
        return b

    def test_get_survives_delete_and_put_of_another_key(self):
        def replace(b, y):
            self.s3.delete_object(Bucket=b, Key="x")
            self.put(b, "y", y)
        self.race(replace)

    def test_get_survives_overwrite_of_its_key(self):
        def replace(b, y):
            self.put(b, "x", y)
        b = self.race(replace)
        self.assertEqual(self.get_body(b, "x"), pattern(b"y", BIG))

    def test_get_survives_deleting_its_bucket(self):
        def replace(b, y):
            self.s3.delete_object(Bucket=b, Key="x")
            self.s3.delete_bucket(Bucket=b)
            b2 = self.bucket("stream2")
            self.put(b2, "y", y)
        self.race(replace)

    def test_upload_part_copy_reads_one_version(self):
        b = self.bucket("partcopy")
        x, y = pattern(b"px", 16 * MiB), pattern(b"py", 16 * MiB)
        for trial in range(4):
            self.put(b, "src", x)
            uid = self.s3.create_multipart_upload(Bucket=b, Key="dst")["UploadId"]
            result = {}

            def copy():
                try:
                    result["r"] = self.s3.upload_part_copy(
                        Bucket=b, Key="dst", UploadId=uid, PartNumber=1,
                        CopySource={"Bucket": b, "Key": "src"})
                except ClientError as e:
                    result["e"] = e

            t = threading.Thread(target=copy)
            t.start()
            time.sleep(0.02 * trial)
            self.s3.delete_object(Bucket=b, Key="src")
            self.put(b, "other", y)
            t.join(60)
            if "r" in result:
                etag = result["r"]["CopyPartResult"]["ETag"]
                self.assertEqual(etag, '"%s"' % hashlib.md5(x).hexdigest(), "trial %d" % trial)
                self.s3.complete_multipart_upload(
                    Bucket=b, Key="dst", UploadId=uid,
                    MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
                self.assertEqual(self.get_body(b, "dst"), x)
            else:
                self.assertIn(result["e"].response["Error"]["Code"], ("NoSuchKey",))
                self.s3.abort_multipart_upload(Bucket=b, Key="dst", UploadId=uid)


class TestBucketRaces(S3TestCase):

    def test_writes_racing_delete_bucket(self):
        """A write and a DeleteBucket of the same (empty) bucket never both
        succeed, and the bucket made again under that name is empty."""
        src = self.bucket("race-src")
        self.put(src, "k", b"source")
        clients = [s3_client() for _ in range(2)]
        writes = {
            "copy": lambda c, b: c.copy_object(Bucket=b, Key="c",
                                               CopySource={"Bucket": src, "Key": "k"}),
            "put": lambda c, b: c.put_object(Bucket=b, Key="p", Body=b"v"),
            "delete_objects": lambda c, b: c.delete_objects(
                Bucket=b, Delete={"Objects": [{"Key": "m%d" % i} for i in range(20)]}),
            "mpu": lambda c, b: c.create_multipart_upload(Bucket=b, Key="u"),
        }
        for name, write in writes.items():
            for trial in range(15):
                with self.subTest(write=name, trial=trial):
                    b = unique_bucket("race")
                    self.s3.create_bucket(Bucket=b)
                    if name == "delete_objects":
                        self.s3.put_bucket_versioning(
                            Bucket=b, VersioningConfiguration={"Status": "Enabled"})
                    out = {}
                    start = threading.Barrier(2)

                    def run(key, fn):
                        start.wait()
                        try:
                            fn()
                            out[key] = "ok"
                        except ClientError as e:
                            out[key] = e.response["Error"]["Code"]

                    ts = [threading.Thread(target=run, args=("write", lambda: write(clients[0], b))),
                          threading.Thread(target=run, args=("delete",
                                                             lambda: clients[1].delete_bucket(Bucket=b)))]
                    for t in ts:
                        t.start()
                    for t in ts:
                        t.join(30)
                    if name != "mpu":  # DeleteBucket drops uploads in progress
                        self.assertNotEqual((out["write"], out["delete"]), ("ok", "ok"), out)
                    if out["write"] != "ok":
                        self.assertEqual(out["write"], "NoSuchBucket", out)
                    if out["delete"] == "ok":
                        self.s3.create_bucket(Bucket=b)
                        self.assertEqual(self.s3.list_object_versions(Bucket=b).get("Versions", []) +
                                         self.s3.list_object_versions(Bucket=b).get("DeleteMarkers", []),
                                         [])
                        self.assertEqual(self.s3.list_multipart_uploads(Bucket=b).get("Uploads", []),
                                         [])


class TestIdsAreNeverReused(unittest.TestCase):
    """Rows left behind for a deleted bucket or blob (by an older tinystack,
    or a crash) never show through a new one."""

    def daemon(self, data):
        return Daemon(["--data-dir", data])

    def test_new_bucket_is_empty_whatever_the_old_id_left(self):
        data = tempfile.mkdtemp(prefix="tinystack-ids-")
        self.addCleanup(shutil.rmtree, data, True)
        d = self.daemon(data)
        try:
            s3 = d.client("s3")
            s3.create_bucket(Bucket="keep")
            s3.create_bucket(Bucket="gone")
            db = sqlite3.connect(os.path.join(data, "tinystack.db"))
            old = db.execute("SELECT id FROM s3_bucket WHERE name='gone'").fetchone()[0]
            db.close()
            s3.delete_bucket(Bucket="gone")
            # A row the deleted bucket left behind.
            db = sqlite3.connect(os.path.join(data, "tinystack.db"), timeout=30)
            db.execute("INSERT INTO s3_object(bucket_id, key, version_id, is_latest, size, etag,"
                       " modified, blobs) VALUES(?, 'orphan', 'null', 1, 0, '\"x\"', 0, '')", (old,))
            db.commit()
            db.close()
            s3.create_bucket(Bucket="fresh")
            self.assertEqual(s3.list_objects_v2(Bucket="fresh")["KeyCount"], 0)
        finally:
            self.assertEqual(d.stop(), 0)

    def test_replaced_data_goes_once_the_get_ends(self):
        data = tempfile.mkdtemp(prefix="tinystack-pin-")
        self.addCleanup(shutil.rmtree, data, True)
        d = self.daemon(data)
        try:
            s3 = d.client("s3")
            s3.create_bucket(Bucket="pin")
            x = pattern(b"pin-x", BIG)
            s3.put_object(Bucket="pin", Key="x", Body=x)
            g = SlowGet("/pin/x", port=d.port)
            self.assertTrue(g.read(MiB))
            s3.put_object(Bucket="pin", Key="x", Body=b"small now")
            self.assertTrue(g.read(BIG), "the GET was cut")
            self.assertEqual(g.body[:BIG], x)
            g.close()
            path = os.path.join(data, "tinystack.db")
            for _ in range(100):  # the pin ends when the server sees the close
                db = sqlite3.connect(path, timeout=30)
                n = db.execute("SELECT count(*) FROM chunk").fetchone()[0]
                db.close()
                if n == 1:
                    break
                time.sleep(0.05)
            self.assertEqual(n, 1, "the replaced object's chunks were kept")
        finally:
            self.assertEqual(d.stop(), 0)

    def test_old_store_migrates_and_stops_reusing_ids(self):
        data = tempfile.mkdtemp(prefix="tinystack-migrate-")
        self.addCleanup(shutil.rmtree, data, True)
        d = self.daemon(data)
        s3 = d.client("s3")
        s3.create_bucket(Bucket="mig")
        s3.put_object(Bucket="mig", Key="small", Body=b"small body")
        big = pattern(b"mig", 3 * MiB)
        s3.put_object(Bucket="mig", Key="big", Body=big)
        s3.create_bucket(Bucket="last")
        self.assertEqual(d.stop(), 0)
        # Turn the store back into what the previous schema made: tables
        # whose INTEGER PRIMARY KEY reuses the largest id once it is gone.
        path = os.path.join(data, "tinystack.db")
        db = sqlite3.connect(path)
        version = db.execute("PRAGMA user_version").fetchone()[0]
        for table in ("blob", "s3_bucket"):
            sql = db.execute("SELECT sql FROM sqlite_master WHERE name=?", (table,)).fetchone()[0]
            self.assertIn("AUTOINCREMENT", sql.upper())
            db.executescript("CREATE TABLE old_t AS SELECT * FROM %s; DROP TABLE %s;" % (table, table))
            db.execute(sql.replace("AUTOINCREMENT", "").replace("autoincrement", ""))
            db.executescript("INSERT INTO %s SELECT * FROM old_t; DROP TABLE old_t;" % table)
        db.execute("DELETE FROM sqlite_sequence WHERE name IN ('blob', 's3_bucket')")
        # Tables of migration 5 (s3_completed) and later ones go too, so
        # that every migration after 4 finds the store it was written for.
        v4 = {"blob", "chunk", "s3_bucket", "s3_object", "s3_upload", "s3_part",
              "outbox", "ddb_table", "ddb_item", "ddb_index", "ddb_txn_token"}
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                  " AND name NOT LIKE 'sqlite_%'").fetchall():
            if name not in v4:
                db.execute('DROP TABLE "%s"' % name)
        # Before migration 5 (blob and bucket ids); 3 and 4 are DynamoDB's.
        db.execute("PRAGMA user_version=4")
        db.commit()
        max_blob = db.execute("SELECT max(id) FROM blob").fetchone()[0]
        max_bucket = db.execute("SELECT max(id) FROM s3_bucket").fetchone()[0]
        db.close()
        d = self.daemon(data)
        try:
            s3 = d.client("s3")
            self.assertEqual(s3.get_object(Bucket="mig", Key="small")["Body"].read(), b"small body")
            self.assertEqual(s3.get_object(Bucket="mig", Key="big")["Body"].read(), big)
            # Drop the newest blob and bucket, then make new ones.
            s3.delete_object(Bucket="mig", Key="big")
            s3.delete_bucket(Bucket="last")
            s3.put_object(Bucket="mig", Key="new", Body=b"n" * 1000)
            s3.create_bucket(Bucket="newer")
            db = sqlite3.connect(path, timeout=30)
            self.assertEqual(db.execute("PRAGMA user_version").fetchone()[0], version)
            self.assertGreater(db.execute("SELECT max(id) FROM blob").fetchone()[0], max_blob)
            self.assertGreater(db.execute("SELECT id FROM s3_bucket WHERE name='newer'").fetchone()[0],
                               max_bucket)
            db.close()
        finally:
            self.assertEqual(d.stop(), 0)


CONFIGS = {
    "policy": lambda c, b: c.put_bucket_policy(
        Bucket=b, Policy='{"Version":"2012-10-17","Statement":[]}'),
    "lifecycle": lambda c, b: c.put_bucket_lifecycle_configuration(
        Bucket=b, LifecycleConfiguration={"Rules": [{"ID": "r", "Status": "Enabled",
                                                     "Filter": {"Prefix": "t/"},
                                                     "Expiration": {"Days": 1}}]}),
    "website": lambda c, b: c.put_bucket_website(
        Bucket=b, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}}),
    "notification": lambda c, b: c.put_bucket_notification_configuration(
        Bucket=b, NotificationConfiguration={"EventBridgeConfiguration": {}}),
    "logging": lambda c, b: c.put_bucket_logging(
        Bucket=b, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": b,
                                                          "TargetPrefix": "logs/"}}),
    "ownership": lambda c, b: c.put_bucket_ownership_controls(
        Bucket=b, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}),
}

READBACK = {
    "policy": lambda c, b: c.get_bucket_policy(Bucket=b)["Policy"],
    "lifecycle": lambda c, b: c.get_bucket_lifecycle_configuration(Bucket=b)["Rules"],
    "website": lambda c, b: c.get_bucket_website(Bucket=b)["IndexDocument"],
    "notification": lambda c, b: "EventBridgeConfiguration" in
    c.get_bucket_notification_configuration(Bucket=b),
    "logging": lambda c, b: c.get_bucket_logging(Bucket=b)["LoggingEnabled"],
    "ownership": lambda c, b: c.get_bucket_ownership_controls(Bucket=b)["OwnershipControls"],
}


class TestLostUpdates(S3TestCase):

    def test_six_configurations_at_once_all_persist(self):
        clients = {k: s3_client() for k in CONFIGS}
        with concurrent.futures.ThreadPoolExecutor(len(CONFIGS)) as ex:
            for trial in range(40):
                b = self.bucket("cfg")
                barrier = threading.Barrier(len(CONFIGS))

                def put(name):
                    barrier.wait()
                    CONFIGS[name](clients[name], b)

                list(ex.map(put, CONFIGS))
                for name in CONFIGS:
                    with self.subTest(trial=trial, config=name):
                        self.assertTrue(READBACK[name](self.s3, b))

    def test_cors_versioning_tagging_at_once(self):
        b = self.bucket("mixed")
        ops = [
            lambda c: c.put_bucket_cors(Bucket=b, CORSConfiguration={"CORSRules": [
                {"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]}),
            lambda c: c.put_bucket_versioning(Bucket=b,
                                              VersioningConfiguration={"Status": "Enabled"}),
            lambda c: c.put_bucket_tagging(Bucket=b, Tagging={"TagSet": [{"Key": "a", "Value": "1"}]}),
            lambda c: c.put_bucket_policy(Bucket=b, Policy='{"Statement":[]}'),
        ]
        clients = [s3_client() for _ in ops]
        with concurrent.futures.ThreadPoolExecutor(len(ops)) as ex:
            for _ in range(10):
                list(ex.map(lambda i: ops[i](clients[i]), range(len(ops))))
        self.assertEqual(len(self.s3.get_bucket_cors(Bucket=b)["CORSRules"]), 1)
        self.assertEqual(self.s3.get_bucket_versioning(Bucket=b)["Status"], "Enabled")
        self.assertEqual(self.s3.get_bucket_tagging(Bucket=b)["TagSet"], [{"Key": "a", "Value": "1"}])
        self.assertTrue(self.s3.get_bucket_policy(Bucket=b)["Policy"])

    def test_concurrent_object_tagging(self):
        b = self.bucket("otag")
        keys = ["k%d" % i for i in range(8)]
        for k in keys:
            self.put(b, k, b"v")

        def worker(i):
            c = s3_client()
            last = None
            for n in range(25):
                tags = [{"Key": "owner", "Value": keys[i]}, {"Key": "n", "Value": str(n)}]
                c.put_object_tagging(Bucket=b, Key=keys[i], Tagging={"TagSet": tags})
                last = tags
                # Other writes on the bucket meanwhile.
                c.put_object(Bucket=b, Key="noise-%d-%d" % (i, n), Body=b"x")
                if n % 5 == 0:
                    c.delete_object_tagging(Bucket=b, Key="noise-%d-%d" % (i, n))
            return last

        with concurrent.futures.ThreadPoolExecutor(len(keys)) as ex:
            lasts = list(ex.map(worker, range(len(keys))))
        for k, last in zip(keys, lasts):
            got = self.s3.get_object_tagging(Bucket=b, Key=k)["TagSet"]
            self.assertEqual(sorted(got, key=lambda t: t["Key"]),
                             sorted(last, key=lambda t: t["Key"]))


if __name__ == "__main__":
    unittest.main()
