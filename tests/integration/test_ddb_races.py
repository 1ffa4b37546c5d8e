"""DynamoDB under concurrency, with real threads against a real tinystack:
writes racing DeleteTable, table ids that must never come back, and
read-modify-write operations (tags) that must not lose updates."""

import http.client
import json
import os
import sqlite3
import tempfile
import threading
import time
import shutil
import unittest

import tinystack_env as env
from test_daemon import Daemon
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from test_ddb_support import TARGET, DdbTestCase, raw_ddb, table_arn, unique_table

S = lambda v: {"S": v}  # noqa: E731
K = lambda v: {"id": {"S": v}}  # noqa: E731


def signed_request(operation, body):
    """(body bytes, headers) of a SigV4-signed DynamoDB request."""
    data = json.dumps(body).encode()
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": TARGET + operation}
    req = AWSRequest(method="POST", url=env.ENDPOINT + "/", data=data, headers=headers)
    SigV4Auth(Credentials(env.ACCESS_KEY, env.SECRET_KEY), "dynamodb", env.REGION).add_auth(req)
    return data, dict(req.headers.items())


def create_body(name):
    return {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}


class TestWritesRacingDeleteTable(DdbTestCase):

    def writer(self, table, n, stop, bad):
        """Writes to `table` with every write operation until stop is set;
        anything but success or ResourceNotFoundException goes to bad."""
        i = 0
        conn = http.client.HTTPConnection(env.HOST, env.PORT, timeout=60)
        while not stop.is_set():
            i += 1
            k = "w%d-%d" % (n, i)
            op, body = [
                ("PutItem", {"TableName": table, "Item": K(k)}),
                ("UpdateItem", {"TableName": table, "Key": K(k),
                                "UpdateExpression": "SET v = :v",
                                "ExpressionAttributeValues": {":v": S("x")}}),
                ("DeleteItem", {"TableName": table, "Key": K(k + "-gone")}),
                ("BatchWriteItem", {"RequestItems": {table: [
                    {"PutRequest": {"Item": K(k + "-b1")}},
                    {"PutRequest": {"Item": K(k + "-b2")}}]}}),
                ("TransactWriteItems", {"TransactItems": [
                    {"Put": {"TableName": table, "Item": K(k + "-t")}}]}),
            ][i % 5]
            data, headers = signed_request(op, body)
            conn.request("POST", "/", body=data, headers=headers)
            r = conn.getresponse()
            text = r.read()
            if r.status == 200:
                continue
            if r.status == 400 and b"#ResourceNotFoundException" in text:
                continue
            bad.append((op, r.status, text[:200]))
        conn.close()

    def test_new_table_is_empty_and_late_writes_get_not_found(self):
        for round_ in range(10):
            old, new = unique_table("race-old"), unique_table("race-new")
            self.assertEqual(raw_ddb("CreateTable", create_body(old)).status, 200)
            stop, bad = threading.Event(), []
            threads = [threading.Thread(target=self.writer, args=(old, n, stop, bad))
                       for n in range(4)]
            for t in threads:
                t.start()
            time.sleep(0.15)
            r = raw_ddb("DeleteTable", {"TableName": old})
            self.assertEqual(r.status, 200, r)
            # A table created now may get whatever the store hands out next;
            # nothing written to the deleted one may show up in it.
            r = raw_ddb("CreateTable", create_body(new))
            self.assertEqual(r.status, 200, r)
            time.sleep(0.1)
            items = self.ddb.scan(TableName=new, ConsistentRead=True)["Items"]
            stop.set()
            for t in threads:
                t.join()
            self.assertEqual(items, [], "round %d: the new table holds %d items of the "
                                        "deleted one" % (round_, len(items)))
            self.assertEqual(bad, [], "round %d" % round_)
            # After the delete, every write to the old name is not found.
            self.assertDdbError("ResourceNotFoundException", self.ddb.put_item,
                                TableName=old, Item=K("late"))


class TestTableIdsAreNeverReused(unittest.TestCase):

    def test_deleted_table_id_is_not_handed_out_again(self):
        d = tempfile.mkdtemp(prefix="ts-ddb-ids-")
        daemon = Daemon(["--data-dir", d])
        try:
            ddb = daemon.client("dynamodb")
            for n in ("ids-a", "ids-b"):
                ddb.create_table(**create_body(n))
            db = sqlite3.connect(os.path.join(d, "tinystack.db"))
            ids = dict(db.execute("SELECT name, id FROM ddb_table"))
            ddb.delete_table(TableName="ids-b")
            ddb.create_table(**create_body("ids-c"))
            c = db.execute("SELECT id FROM ddb_table WHERE name = 'ids-c'").fetchone()[0]
            db.close()
            self.assertGreater(c, ids["ids-b"], "the id of a deleted table was reused")
        finally:
            daemon.stop()
            shutil.rmtree(d, ignore_errors=True)


    def test_migration_keeps_tables_and_drops_orphans(self):
        # A store written before migration 3 (user_version 2) with rows a
        # deleted table left behind: the tables and their items stay, the
        # orphans go, and ids keep growing.
        d = tempfile.mkdtemp(prefix="ts-ddb-mig-")
        try:
            daemon = Daemon(["--data-dir", d])
            ddb = daemon.client("dynamodb")
            ddb.create_table(**create_body("mig-a"))
            ddb.put_item(TableName="mig-a", Item=K("kept"))
            daemon.stop()
            db = sqlite3.connect(os.path.join(d, "tinystack.db"))
            (aid,) = db.execute("SELECT id FROM ddb_table WHERE name = 'mig-a'").fetchone()
            db.execute("INSERT INTO ddb_item(table_id, hk, rk, item, size)"
                       " VALUES(?, x'6f', x'', '{\"id\":{\"S\":\"o\"}}', 2)", (aid + 7,))
            db.execute("INSERT INTO ddb_index(table_id, idx, hk, rk, thk, trk)"
                       " VALUES(?, 'g', x'01', x'', x'6f', x'')", (aid + 7,))
            # Back to version 2's layout: its tables only, ddb_table
            # without AUTOINCREMENT.
            v2 = {"blob", "chunk", "s3_bucket", "s3_object", "s3_upload", "s3_part",
                  "outbox", "ddb_table", "ddb_item", "ddb_index"}
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                      " AND name NOT LIKE 'sqlite_%'").fetchall():
                if name not in v2:
                    db.execute('DROP TABLE "%s"' % name)
            db.executescript(
                "CREATE TABLE t2(id INTEGER PRIMARY KEY, region TEXT NOT NULL,"
                " name TEXT NOT NULL, created INTEGER NOT NULL, desc TEXT NOT NULL,"
                " ttl_attr TEXT, tags TEXT, item_count INTEGER NOT NULL DEFAULT 0,"
                " size_bytes INTEGER NOT NULL DEFAULT 0, UNIQUE(region, name));"
                "INSERT INTO t2 SELECT * FROM ddb_table; DROP TABLE ddb_table;"
                "ALTER TABLE t2 RENAME TO ddb_table;")
            db.execute("PRAGMA user_version=2")
            db.commit()
            db.close()
            daemon = Daemon(["--data-dir", d])
            try:
                ddb = daemon.client("dynamodb")
                self.assertEqual(ddb.get_item(TableName="mig-a", Key=K("kept"))["Item"],
                                 K("kept"))
                ddb.create_table(**create_body("mig-b"))
            finally:
                daemon.stop()
            db = sqlite3.connect(os.path.join(d, "tinystack.db"))
            self.assertEqual(db.execute("SELECT count(*) FROM ddb_item WHERE table_id = ?",
                                        (aid + 7,)).fetchone()[0], 0)
            self.assertEqual(db.execute("SELECT count(*) FROM ddb_index").fetchone()[0], 0)
            (bid,) = db.execute("SELECT id FROM ddb_table WHERE name = 'mig-b'").fetchone()
            self.assertGreater(bid, aid)
            self.assertEqual(db.execute("PRAGMA user_version").fetchone()[0] >= 3, True)
            db.close()
        finally:
            shutil.rmtree(d, ignore_errors=True)


class TestTagsUnderConcurrency(DdbTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t = cls.make_table("tags-race")

    def run_threads(self, operation, bodies):
        """One thread per body, each with its request signed and its
        connection open before a barrier, so they all land at once."""
        errors, barrier = [], threading.Barrier(len(bodies))

        def one(body):
            try:
                data, headers = signed_request(operation, body)
                conn = http.client.HTTPConnection(env.HOST, env.PORT, timeout=60)
                conn.connect()
                barrier.wait()
                conn.request("POST", "/", body=data, headers=headers)
                r = conn.getresponse()
                text = r.read()
                conn.close()
                if r.status != 200:
                    errors.append((r.status, text[:200]))
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(repr(e))
        threads = [threading.Thread(target=one, args=(b,)) for b in bodies]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])

    def test_200_parallel_tag_resource_keep_200_tags(self):
        arn = table_arn(self.t)
        self.run_threads("TagResource", [
            {"ResourceArn": arn, "Tags": [{"Key": "k%03d" % i, "Value": str(i)}]}
            for i in range(200)])
        tags = self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]
        self.assertEqual(sorted(t["Key"] for t in tags), ["k%03d" % i for i in range(200)])
        # and 100 parallel UntagResource calls leave exactly the other 100
        self.run_threads("UntagResource", [
            {"ResourceArn": arn, "TagKeys": ["k%03d" % (2 * i)]} for i in range(100)])
        tags = self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]
        self.assertEqual(sorted(t["Key"] for t in tags),
                         ["k%03d" % i for i in range(1, 200, 2)])
