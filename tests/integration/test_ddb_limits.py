"""DynamoDB requests that once ended or bloated the process: error paths
that freed what they never set, bodies over AWS's caps, items nested past
32 levels.  Every one gets DynamoDB's error and the daemon carries on."""

import json
import os
import socket
import time

import tinystack_env as env
from test_ddb_support import DdbTestCase, raw_ddb, TARGET

S = lambda v: {"S": v}  # noqa: E731
K = lambda v: {"id": {"S": v}}  # noqa: E731


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def head_only(operation, length, extra=None):
    """Sends only the head of a POST announcing `length` body bytes and
    returns (status, parsed JSON body) of the answer that comes without
    the body having been sent."""
    headers = {"Host": "%s:%d" % (env.HOST, env.PORT),
               "Content-Type": "application/x-amz-json-1.0",
               "X-Amz-Target": TARGET + operation,
               "Authorization": "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/"
                                "dynamodb/aws4_request, SignedHeaders=host, Signature=0",
               "Content-Length": str(length)}
    headers.update(extra or {})
    raw = env.request_bytes("POST", "/", headers)
    s = socket.create_connection((env.HOST, env.PORT), timeout=10)
    try:
        s.sendall(raw)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ")[1])
        n = [int(l.split(b":", 1)[1]) for l in lines if l.lower().startswith(b"content-length:")]
        while n and len(rest) < n[0]:
            chunk = s.recv(65536)
            if not chunk:
                break
            rest += chunk
        return status, json.loads(rest.decode()) if rest else None
    finally:
        s.close()


class TestErrorPathsNeverCrash(DdbTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t = cls.make_table("crash")

    def test_batch_get_with_attributes_to_get_and_projection(self):
        # The mixed-parameter check ran before the expressions were
        # initialised, and its error path freed them: SIGSEGV.
        for table in (self.t, "no-such-table"):
            with self.subTest(table=table):
                self.assertValidation(
                    self.ddb.batch_get_item,
                    RequestItems={table: {"Keys": [K("a")], "AttributesToGet": ["id"],
                                          "ProjectionExpression": "id"}},
                    prefix="Can not use both expression and non-expression parameters")
        self.assertIsNone(env.server_died())
        self.ddb.put_item(TableName=self.t, Item=K("alive"))
        self.assertEqual(self.get(self.t, K("alive")), K("alive"))

    def test_mixed_parameters_on_every_item_operation(self):
        # The same shape of mistake on every operation that parses
        # expressions: an error, never a dead process.
        t = self.t
        calls = [
            ("GetItem", dict(TableName=t, Key=K("a"), AttributesToGet=["id"],
                             ProjectionExpression="id")),
            ("PutItem", dict(TableName=t, Item=K("a"), Expected={"x": {"Exists": False}},
                             ConditionExpression="attribute_not_exists(x)")),
            ("DeleteItem", dict(TableName=t, Key=K("a"), Expected={"x": {"Exists": False}},
                                ConditionExpression="attribute_not_exists(x)")),
            ("UpdateItem", dict(TableName=t, Key=K("a"),
                                AttributeUpdates={"v": {"Action": "DELETE"}},
                                UpdateExpression="REMOVE v")),
            ("Query", dict(TableName=t, KeyConditions={"id": {"ComparisonOperator": "EQ",
                                                              "AttributeValueList": [S("a")]}},
                           KeyConditionExpression="id = :v",
                           ExpressionAttributeValues={":v": S("a")})),
            ("Scan", dict(TableName=t, AttributesToGet=["id"], ProjectionExpression="id")),
            ("TransactGetItems", dict(TransactItems=[{"Get": {
                "TableName": t, "Key": K("a"), "ProjectionExpression": "#n"}}])),
        ]
        for op, body in calls:
            with self.subTest(op=op):
                r = raw_ddb(op, body)
                self.assertEqual(r.status, 400, r)
                self.assertEqual(r.error_type(), "ValidationException", r)
        self.assertIsNone(env.server_died())
