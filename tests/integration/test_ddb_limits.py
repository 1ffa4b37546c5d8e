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


TOO_LARGE = "com.amazon.coral.service#RequestEntityTooLargeException"


class TestBodyCaps(DdbTestCase):
    """Every body is capped at what AWS allows for its operation before it
    is read: 16 MB a request, and for the single-item operations what a
    400 KB item can take in JSON."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t = cls.make_table("caps")

    def assertTooLarge(self, status, body):
        self.assertEqual(status, 413, body)
        self.assertEqual(body["__type"], TOO_LARGE, body)
        self.assertTrue(body.get("message"), body)

    def test_oversized_content_length_is_refused_before_the_body(self):
        pid = env._proc.pid if env._proc else None
        before = rss_kib(pid) if pid else 0
        for op, length in (("PutItem", 30_000_000), ("UpdateItem", 5 << 20),
                           ("GetItem", 5 << 20), ("DeleteItem", 5 << 20),
                           ("BatchWriteItem", (16 << 20) + 1),
                           ("TransactWriteItems", 17_000_000), ("Query", 17_000_000)):
            with self.subTest(op=op):
                status, body = head_only(op, length)
                self.assertTooLarge(status, body)
        if pid:
            self.assertLess(rss_kib(pid) - before, 16 << 10, "RSS grew by more than 16 MiB")
        self.assertIsNone(env.server_died())

    def test_oversized_chunked_body_is_refused(self):
        # No Content-Length: the cap applies as the body arrives.
        body = b'{"TableName": "%s", "Item": {"id": {"S": "x"}}, "pad": "%s"}' % (
            self.t.encode(), b"p" * (5 << 20))
        status, resp = chunked_post("PutItem", body)
        self.assertEqual(status, 413)
        self.assertEqual(json.loads(resp)["__type"], TOO_LARGE)
        self.assertIsNone(self.get(self.t, K("x")))

    def test_a_400_kb_item_fits_however_it_is_encoded(self):
        # Control characters take six bytes each in JSON ("\u0001"), a
        # binary takes 4/3 in base64, tiny attributes take ~7 bytes each:
        # a 400 KB item in any of these forms is accepted.
        size = 400 * 1024
        items = {
            "escaped": {"id": S("escaped"), "d": S("\x01" * (size - 20))},
            "binary": {"id": S("binary"), "d": {"B": os.urandom(size - 20)}},
            "nulls": {"id": S("nulls"), "d": {"L": [{"NULL": True}] * ((size - 24) // 2)}},
        }
        for name, item in items.items():
            with self.subTest(form=name):
                self.ddb.put_item(TableName=self.t, Item=item)
                self.ddb.update_item(TableName=self.t, Key=K(name),
                                     UpdateExpression="SET d2 = :d REMOVE d",
                                     ExpressionAttributeValues={":d": item["d"]},
                                     ConditionExpression="attribute_exists(d)")
        # one byte over 400 KB is the item-size error, not a body error
        self.assertValidation(self.ddb.put_item, TableName=self.t,
                              Item={"id": S("big"), "d": S("x" * size)},
                              message="Item size has exceeded the maximum allowed size")

    def test_batch_write_takes_up_to_16_mb(self):
        big = "y" * (390 * 1024)
        r = self.ddb.batch_write_item(RequestItems={self.t: [
            {"PutRequest": {"Item": {"id": S("b%d" % i), "d": S(big)}}} for i in range(25)]})
        self.assertEqual(r["UnprocessedItems"], {})
        self.assertEqual(len(self.get(self.t, K("b24"))["d"]["S"]), len(big))


def chunked_post(operation, body, piece=1 << 16):
    """POSTs body with Transfer-Encoding: chunked; (status, body bytes)."""
    headers = {"Host": "%s:%d" % (env.HOST, env.PORT),
               "Content-Type": "application/x-amz-json-1.0",
               "X-Amz-Target": TARGET + operation, "Transfer-Encoding": "chunked"}
    framed = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + piece]), body[i:i + piece])
                      for i in range(0, len(body), piece)) + b"0\r\n\r\n"
    status, resp = env.send_raw_bytes(env.request_bytes("POST", "/", headers, framed),
                                      timeout=30)
    return status, resp.partition(b"\r\n\r\n")[2]


def sanitizer_allocator(pid):
    """True when the process runs on ASan's allocator, whose quarantine
    keeps freed memory on purpose (the SANITIZE=1 build)."""
    with open("/proc/%d/maps" % pid) as f:
        return "libasan" in f.read()


class TestMemoryIsReturned(DdbTestCase):

    def test_rss_comes_back_after_large_requests(self):
        if not env._proc:
            self.skipTest("needs the tinystack this suite started")
        pid = env._proc.pid
        # ~15 MB of tiny values: the parsed tree is an order of magnitude
        # larger than the body.
        values = ",".join(['{"NULL":true}'] * 1_100_000)
        body = ('{"RequestItems":{"no-such-table":[{"PutRequest":{"Item":'
                '{"id":{"S":"a"},"l":{"L":[%s]}}}}]}}' % values)

        def rounds(n):
            for _ in range(n):
                r = raw_ddb("BatchWriteItem", body)
                self.assertEqual(r.error_type(), "ResourceNotFoundException", r)

        if sanitizer_allocator(pid):
            # ASan holds freed memory in its quarantine (256 MB) and never
            # gives it back; what can be checked there is that repeated
            # large requests reach a plateau instead of growing without end.
            # Each request's parsed tree is ~140 MB there, so four leaked
            # ones would be 560 MB; the plateau is reached only once the
            # quarantine recycles (after 4 rounds CI saw 92 and 108 MiB of
            # further growth), so 8 rounds come first and the bound is one
            # tree's worth.
            rounds(8)
            time.sleep(0.2)
            before = rss_kib(pid)
            rounds(4)
            limit = 160 << 10
        else:
            raw_ddb("ListTables", {})
            before = rss_kib(pid)
            rounds(4)
            limit = 64 << 10
        time.sleep(0.2)
        grown = rss_kib(pid) - before
        self.assertLess(grown, limit, "RSS stayed %d MiB above where it was" % (grown >> 10))


def deep_map(wraps):
    """A value with `wraps` maps around a string: as an attribute, its
    leaf sits at level wraps + 1."""
    v = S("leaf")
    for _ in range(wraps):
        v = {"M": {"n": v}}
    return v


class TestNestingLimit(DdbTestCase):
    """DynamoDB documents nest at most 32 levels, the attribute itself
    being level 1; an update may not build a deeper item either."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t = cls.make_table("nest")

    def test_put_accepts_32_levels_refuses_33(self):
        self.ddb.put_item(TableName=self.t, Item={"id": S("p32"), "a": deep_map(31)})
        self.assertValidation(self.ddb.put_item, TableName=self.t,
                              Item={"id": S("p33"), "a": deep_map(32)},
                              contains="Nesting Levels have exceeded supported limits")

    def test_update_may_not_build_an_item_deeper_than_32_levels(self):
        self.ddb.put_item(TableName=self.t, Item={"id": S("u"), "a": {"M": {}}})
        # the value alone is 32 levels deep: at a.n it would be 33
        self.assertValidation(self.ddb.update_item, TableName=self.t, Key=K("u"),
                              UpdateExpression="SET a.n = :v",
                              ExpressionAttributeValues={":v": deep_map(31)},
                              contains="Nesting Levels have exceeded supported limits")
        self.assertEqual(self.get(self.t, K("u")), {"id": S("u"), "a": {"M": {}}})
        # one level less is fine
        self.ddb.update_item(TableName=self.t, Key=K("u"), UpdateExpression="SET a.n = :v",
                             ExpressionAttributeValues={":v": deep_map(30)})
        # and the same holds inside a transaction, and for list_append
        r = raw_ddb("TransactWriteItems", {"TransactItems": [{"Update": {
            "TableName": self.t, "Key": K("u"), "UpdateExpression": "SET a.n.n = :v",
            "ExpressionAttributeValues": {":v": deep_map(30)}}}]})
        self.assertEqual(r.status, 400, r)
        self.assertIn("Nesting Levels have exceeded supported limits", r.body.decode())
        self.ddb.put_item(TableName=self.t, Item={"id": S("l"), "l": {"L": []}})
        self.assertValidation(self.ddb.update_item, TableName=self.t, Key=K("l"),
                              UpdateExpression="SET l = list_append(l, :v)",
                              ExpressionAttributeValues={":v": {"L": [deep_map(31)]}},
                              contains="Nesting Levels have exceeded supported limits")
