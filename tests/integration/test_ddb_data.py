"""DynamoDB data: every attribute type round-trips, numbers (38 digits,
normal form, limits), binary, size limits, empty keys, bad sets, and the
JSON protocol itself (SerializationException, UnknownOperationException,
error shapes, request ids, CRC32)."""

import zlib
from decimal import Decimal

from test_ddb_support import DdbTestCase, raw_ddb

S = lambda v: {"S": v}  # noqa: E731
N = lambda v: {"N": str(v)}  # noqa: E731
K = lambda v: {"id": {"S": v}}  # noqa: E731
INVALID = "One or more parameter values were invalid: "


def norm(av):
    """Sets compare as sets."""
    if isinstance(av, dict):
        out = {}
        for k, v in av.items():
            if k in ("SS", "NS", "BS"):
                out[k] = sorted(v)
            else:
                out[k] = norm(v)
        return out
    if isinstance(av, list):
        return [norm(x) for x in av]
    return av


class TestTypes(DdbTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t = cls.make_table("types")

    def roundtrip(self, key, item):
        item = dict(item, id=S(key))
        self.put(self.t, item)
        return self.get(self.t, K(key))

    def test_every_type(self):
        item = {
            "s": S("héllo wörld ✓ 🎉"), "empty": S(""), "n": N(42), "neg": N("-3.25"),
            "b": {"B": bytes(range(256))}, "emptyb": {"B": b""},
            "t": {"BOOL": True}, "f": {"BOOL": False}, "nul": {"NULL": True},
            "m": {"M": {"inner": {"M": {"deep": {"L": [S("x"), N(1), {"NULL": True}]}}},
                        "e": {"M": {}}}},
            "l": {"L": [S("a"), N("1.5"), {"BOOL": False}, {"L": []}, {"SS": ["q"]},
                        {"B": b"\x00\xff"}]},
            "ss": {"SS": ["b", "a", "c"]}, "ns": {"NS": ["3", "-1", "2.5"]},
            "bs": {"BS": [b"\x01", b"\xff\x00", b""[:0] + b"z"]},
            "name with spaces.and.dots": S("ok"),
        }
        got = self.roundtrip("every", item)
        self.assertEqual(norm(got), norm(dict(item, id=S("every"))))

    def test_numbers_keep_38_digits(self):
        cases = {
            "12345678901234567890123456789012345678": "12345678901234567890123456789012345678",
            "-0.12345678901234567890123456789012345678": "-0.12345678901234567890123456789012345678",
            "1234567890123456789012345678901234567800000": "1234567890123456789012345678901234567800000",
            "899.00": "899", "1.50": "1.5", "007": "7", "-0.000": "0", "0": "0",
            "1e2": "100", "1E+2": "100", "2.5E-3": "0.0025", "0.0000012300": "0.00000123",
        }
        for sent, want in cases.items():
            with self.subTest(sent=sent):
                got = self.roundtrip("n", {"v": N(sent)})
                self.assertEqual(got["v"], {"N": want})
        # the ends of the range are stored (compared by value: AWS's text for
        # them is not pinned down here)
        for sent in ("9.9999999999999999999999999999999999999E+125", "1E-130", "-1E-130"):
            with self.subTest(sent=sent):
                got = self.roundtrip("n", {"v": N(sent)})
                self.assertEqual(Decimal(got["v"]["N"]), Decimal(sent))
        got = self.roundtrip("ns", {"v": {"NS": ["1.0", "2.50", "-0"]}})
        self.assertEqual(sorted(got["v"]["NS"]), ["0", "1", "2.5"])

    def test_arithmetic_is_exact(self):
        big = "12345678901234567890123456789012345678"
        self.put(self.t, {"id": S("calc"), "v": N(big), "f": N("0.1")})
        r = self.ddb.update_item(TableName=self.t, Key=K("calc"), ReturnValues="ALL_NEW",
                                 UpdateExpression="SET v = v - :one, f = f + :two ADD g :g",
                                 ExpressionAttributeValues={":one": N(1), ":two": N("0.2"),
                                                            ":g": N("1e-5")})
        a = r["Attributes"]
        self.assertEqual(a["v"], N("12345678901234567890123456789012345677"))
        self.assertEqual(a["f"], N("0.3"))
        self.assertEqual(a["g"], N("0.00001"))
        self.assertEqual(int(a["v"]["N"]) + 1, int(big))

    def test_number_errors(self):
        cases = [
            ("123456789012345678901234567890123456789",
             "Attempting to store more than 38 significant digits in a Number"),
            ("1.23456789012345678901234567890123456789",
             "Attempting to store more than 38 significant digits in a Number"),
            ("1E+126", "Number overflow. Attempting to store a number with magnitude larger "
                       "than supported range"),
            ("1E-131", "Number underflow. Attempting to store a number with magnitude smaller "
                       "than supported range"),
            ("abc", "The parameter cannot be converted to a numeric value: abc"),
            ("", "The parameter cannot be converted to a numeric value"),
        ]
        for val, msg in cases:
            with self.subTest(val=val):
                self.assertValidation(self.put, self.t, {"id": S("bad-n"), "v": N(val)},
                                      contains=msg)
        self.assertIsNone(self.get(self.t, K("bad-n")))
        self.assertValidation(self.ddb.update_item, TableName=self.t, Key=K("bad-n"),
                              UpdateExpression="SET v = :v",
                              ExpressionAttributeValues={":v": N("1" * 39)},
                              contains="Attempting to store more than 38 significant digits")

    def test_binary_key(self):
        t = self.make_table("bkey", hash_key=("k", "B"))
        raw = bytes(range(255, -1, -1))
        self.put(t, {"k": {"B": raw}, "v": S("x")})
        self.assertEqual(self.get(t, {"k": {"B": raw}}), {"k": {"B": raw}, "v": S("x")})
        self.assertIsNone(self.get(t, {"k": {"B": raw[:-1]}}))

    def test_number_key_normalised(self):
        t = self.make_table("nkey", hash_key=("k", "N"))
        self.put(t, {"k": N("10.0"), "v": S("x")})
        self.assertEqual(self.get(t, {"k": N("1e1")}), {"k": N("10"), "v": S("x")})
        self.put(t, {"k": N("10"), "v": S("y")})
        self.assertEqual(len(self.scan_all(t)), 1)


class TestLimits(DdbTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t = cls.make_table("limits")

    def test_item_size(self):
        self.put(self.t, {"id": S("ok"), "v": S("x" * 400000)})
        self.assertEqual(len(self.get(self.t, K("ok"))["v"]["S"]), 400000)
        self.assertValidation(self.put, self.t, {"id": S("big"), "v": S("x" * (400 * 1024))},
                              message="Item size has exceeded the maximum allowed size")
        self.assertValidation(self.put, self.t, {"id": S("big"), "v": {"B": b"\0" * (401 * 1024)}},
                              message="Item size has exceeded the maximum allowed size")
        self.assertIsNone(self.get(self.t, K("big")))
        self.assertValidation(self.ddb.update_item, TableName=self.t, Key=K("ok"),
                              UpdateExpression="SET w = :w",
                              ExpressionAttributeValues={":w": S("y" * 20000)},
                              message="Item size to update has exceeded the maximum allowed size")
        self.assertNotIn("w", self.get(self.t, K("ok")))

    def test_empty_key(self):
        # AWS (since empty non-key strings were allowed in 2020) says "One or more
        # parameter values are not valid. The AttributeValue for a key attribute
        # cannot contain an empty string value. Key: id"; older texts differ.
        self.assertValidation(self.put, self.t, {"id": S(""), "v": S("x")},
                              prefix="One or more parameter values", contains="empty string")
        self.assertValidation(self.ddb.get_item, TableName=self.t, Key=K(""),
                              message="One or more parameter values are not valid. The "
                                      "AttributeValue for a key attribute cannot contain an "
                                      "empty string value. Key: id")

    def test_key_too_long(self):
        self.assertValidation(self.put, self.t, {"id": S("k" * 2049)},
                              message=INVALID + "Size of hashkey has exceeded the maximum size "
                                                "limit of2048 bytes")
        self.put(self.t, {"id": S("k" * 2048)})

    def test_bad_sets(self):
        for typ, val in (("SS", ["a", "a"]), ("NS", ["1", "1"]), ("BS", [b"x", b"x"])):
            with self.subTest(typ=typ):
                self.assertValidation(self.put, self.t, {"id": S("set"), "v": {typ: val}},
                                      prefix=INVALID, contains="contains duplicates")
        self.assertValidation(self.put, self.t, {"id": S("set"), "v": {"SS": []}},
                              message=INVALID + "An string set  may not be empty")
        self.assertValidation(self.put, self.t, {"id": S("set"), "v": {"NS": []}},
                              message=INVALID + "An number set  may not be empty")
        self.assertValidation(self.put, self.t, {"id": S("set"), "v": {"BS": []}},
                              message=INVALID + "An binary set  may not be empty")
        self.assertValidation(self.ddb.update_item, TableName=self.t, Key=K("set"),
                              UpdateExpression="SET v = :v",
                              ExpressionAttributeValues={":v": {"SS": []}},
                              contains="An string set  may not be empty")
        self.assertIsNone(self.get(self.t, K("set")))


class TestProtocol(DdbTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t = cls.make_table("proto")

    def test_malformed_json(self):
        for body in (b"{not json", b"[1, 2]", b'{"TableName": '):
            with self.subTest(body=body):
                r = raw_ddb("GetItem", body)
                self.assertEqual(r.status, 400, r)
                self.assertEqual(r.error_type(), "SerializationException", r)

    def test_unknown_operation(self):
        r = raw_ddb("Nope", {})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.error_type(), "UnknownOperationException", r)
        self.assertTrue(r.json["__type"].startswith("com.amazon.coral.service#"), r)

    def test_error_shapes(self):
        r = raw_ddb("DescribeTable", {"TableName": "missing-table"})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json["__type"],
                         "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException")
        self.assertEqual(r.message(), "Requested resource not found: Table: missing-table not found")
        self.assertTrue(r.headers.get("x-amzn-RequestId"))
        self.assertEqual(r.headers.get("Content-Type"), "application/x-amz-json-1.0")
        r = raw_ddb("PutItem", {"TableName": self.t, "Item": {"id": {"S": ""}}})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json["__type"], "com.amazon.coral.validate#ValidationException")
        self.assertTrue(r.message())

    def test_success_headers_and_crc32(self):
        r = raw_ddb("PutItem", {"TableName": self.t, "Item": {"id": {"S": "h"}}})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, {})
        r = raw_ddb("GetItem", {"TableName": self.t, "Key": {"id": {"S": "h"}}})
        self.assertEqual(r.json, {"Item": {"id": {"S": "h"}}})
        self.assertEqual(r.headers.get("Content-Type"), "application/x-amz-json-1.0")
        self.assertTrue(r.headers.get("x-amzn-RequestId"))
        self.assertEqual(r.headers.get("x-amz-crc32"), str(zlib.crc32(r.body) & 0xFFFFFFFF))

    def test_attribute_value_shapes(self):
        r = raw_ddb("PutItem", {"TableName": self.t, "Item": {"id": {"S": "x"}, "v": {"S": "a", "N": "1"}}})
        self.assertEqual((r.status, r.error_type()), (400, "ValidationException"), r)
        self.assertEqual(r.message(), "Supplied AttributeValue has more than one datatypes set, "
                                      "must contain exactly one of the supported datatypes")
        r = raw_ddb("PutItem", {"TableName": self.t, "Item": {"id": {"S": "x"}, "v": {}}})
        self.assertEqual((r.status, r.error_type()), (400, "ValidationException"), r)
        self.assertEqual(r.message(), "Supplied AttributeValue is empty, must contain exactly one "
                                      "of the supported datatypes")
        r = raw_ddb("PutItem", {"TableName": self.t, "Item": {"id": {"S": "x"}, "v": {"N": 5}}})
        self.assertEqual((r.status, r.error_type()), (400, "SerializationException"), r)
        self.assertIsNone(self.get(self.t, K("x")))

    def test_missing_and_bad_parameters(self):
        r = raw_ddb("GetItem", {"Key": {"id": {"S": "x"}}})
        self.assertEqual((r.status, r.error_type()), (400, "ValidationException"), r)
        self.assertIn("Value null at 'tableName' failed to satisfy constraint: "
                      "Member must not be null", r.message())
        r = raw_ddb("CreateTable", {"TableName": "ab", "BillingMode": "PAY_PER_REQUEST",
                                    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                                    "AttributeDefinitions": [{"AttributeName": "id",
                                                              "AttributeType": "S"}]})
        self.assertEqual((r.status, r.error_type()), (400, "ValidationException"), r)
        self.assertIn("Member must have length greater than or equal to 3", r.message())
        r = raw_ddb("ListTables", {"Limit": 0})
        self.assertEqual((r.status, r.error_type()), (400, "ValidationException"), r)
        self.assertIn("Member must have value greater than or equal to 1", r.message())
