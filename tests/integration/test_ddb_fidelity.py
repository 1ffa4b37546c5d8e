"""DynamoDB as AWS answers it where tinystack once did not: exact
messages, TableIds, strings holding U+0000, idempotent transactions,
legacy parameters, ExclusiveStartKey bounds, parentheses in updates and
JSON nulls."""

import re

from test_ddb_support import DdbTestCase, raw_ddb, unique_table

S = lambda v: {"S": v}  # noqa: E731
N = lambda v: {"N": str(v)}  # noqa: E731
K = lambda v: {"id": {"S": v}}  # noqa: E731
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


class TestTableIdsAndMessages(DdbTestCase):

    def test_table_id_is_a_uuid_v4(self):
        ids = set()
        for _ in range(20):
            d = self.ddb.create_table(
                TableName=unique_table("uuid"), BillingMode="PAY_PER_REQUEST",
                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            )["TableDescription"]
            self.assertRegex(d["TableId"], UUID4)
            described = self.ddb.describe_table(TableName=d["TableName"])["Table"]
            self.assertEqual(described["TableId"], d["TableId"])
            ids.add(d["TableId"])
        self.assertEqual(len(ids), 20)

    def test_resource_not_found_messages(self):
        # Item and batch operations say only "Requested resource not
        # found"; the table operations name the table.
        n = "no-such-table"
        short = [
            ("PutItem", {"TableName": n, "Item": K("a")}),
            ("GetItem", {"TableName": n, "Key": K("a")}),
            ("DeleteItem", {"TableName": n, "Key": K("a")}),
            ("UpdateItem", {"TableName": n, "Key": K("a")}),
            ("Query", {"TableName": n, "KeyConditionExpression": "id = :v",
                       "ExpressionAttributeValues": {":v": S("a")}}),
            ("Scan", {"TableName": n}),
            ("BatchGetItem", {"RequestItems": {n: {"Keys": [K("a")]}}}),
            ("BatchWriteItem", {"RequestItems": {n: [{"PutRequest": {"Item": K("a")}}]}}),
            ("TransactGetItems", {"TransactItems": [{"Get": {"TableName": n, "Key": K("a")}}]}),
            ("TransactWriteItems", {"TransactItems": [{"Put": {"TableName": n,
                                                               "Item": K("a")}}]}),
        ]
        for op, body in short:
            with self.subTest(op=op):
                r = raw_ddb(op, body)
                self.assertEqual((r.status, r.error_type()), (400, "ResourceNotFoundException"), r)
                self.assertEqual(r.message(), "Requested resource not found")
        long_ = [
            ("DescribeTable", {"TableName": n}),
            ("DeleteTable", {"TableName": n}),
            ("UpdateTable", {"TableName": n, "BillingMode": "PAY_PER_REQUEST"}),
            ("DescribeTimeToLive", {"TableName": n}),
            ("UpdateTimeToLive", {"TableName": n, "TimeToLiveSpecification": {
                "Enabled": True, "AttributeName": "e"}}),
        ]
        for op, body in long_:
            with self.subTest(op=op):
                r = raw_ddb(op, body)
                self.assertEqual((r.status, r.error_type()), (400, "ResourceNotFoundException"), r)
                self.assertEqual(r.message(), "Requested resource not found: Table: %s not found" % n)


class TestNulInStrings(DdbTestCase):
    """DynamoDB takes U+0000 anywhere a string goes (keys, values, map
    keys, attribute names) and gives it back byte for byte."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t = cls.make_table("nul")
        cls.r = cls.make_table("nul-range", range_key=("sk", "S"))

    def test_key_with_nul_is_its_own_item(self):
        self.ddb.put_item(TableName=self.t, Item={"id": S("user"), "role": S("guest")})
        self.ddb.put_item(TableName=self.t, Item={"id": S("user\x00x"), "role": S("admin")})
        self.assertEqual(self.get(self.t, K("user")), {"id": S("user"), "role": S("guest")})
        self.assertEqual(self.get(self.t, K("user\x00x")),
                         {"id": S("user\x00x"), "role": S("admin")})
        ids = sorted(i["id"]["S"] for i in self.scan_all(self.t))
        self.assertEqual(ids, ["user", "user\x00x"])

    def test_values_names_and_map_keys_round_trip(self):
        item = {"id": S("v"), "a\x00b": S("x\x00y\x00"), "a": S("plain"),
                "m": {"M": {"k\x00": S("\x00"), "k": N(1)}},
                "l": {"L": [S("\x00\x00")]}, "ss": {"SS": ["p\x00", "p"]}}
        self.ddb.put_item(TableName=self.t, Item=item)
        got = self.get(self.t, K("v"))
        self.assertEqual(got, {**item, "ss": {"SS": got["ss"]["SS"]}})
        self.assertEqual(sorted(got["ss"]["SS"]), ["p", "p\x00"])
        r = self.ddb.get_item(TableName=self.t, Key=K("v"), ProjectionExpression="#n",
                              ExpressionAttributeNames={"#n": "a\x00b"})
        self.assertEqual(r["Item"], {"a\x00b": S("x\x00y\x00")})
        # conditions and size() see the whole string
        self.ddb.update_item(TableName=self.t, Key=K("v"), UpdateExpression="SET c = :c",
                             ConditionExpression="size(#n) = :four AND #n = :v",
                             ExpressionAttributeNames={"#n": "a\x00b"},
                             ExpressionAttributeValues={":c": S("ok"), ":four": N(4),
                                                        ":v": S("x\x00y\x00")})
        self.assertEqual(self.get(self.t, K("v"))["c"], S("ok"))

    def test_sort_order_is_by_bytes(self):
        keys = ["a", "a\x00", "a\x00b", "a\x01", "ab", "\x00"]
        for k in keys:
            self.ddb.put_item(TableName=self.r, Item={"id": S("p"), "sk": S(k)})
        items, _ = self.query_all(self.r, KeyConditionExpression="id = :p",
                                  ExpressionAttributeValues={":p": S("p")})
        self.assertEqual([i["sk"]["S"] for i in items], sorted(keys, key=lambda s: s.encode()))
        items, _ = self.query_all(self.r, KeyConditionExpression="id = :p AND "
                                                                 "begins_with(sk, :b)",
                                  ExpressionAttributeValues={":p": S("p"), ":b": S("a\x00")})
        self.assertEqual([i["sk"]["S"] for i in items], ["a\x00", "a\x00b"])
        items, _ = self.query_all(self.r, KeyConditionExpression="id = :p AND sk > :b",
                                  ExpressionAttributeValues={":p": S("p"), ":b": S("a")})
        self.assertEqual([i["sk"]["S"] for i in items], ["a\x00", "a\x00b", "a\x01", "ab"])
        # paging with a key that holds a NUL resumes right after it
        r = self.ddb.query(TableName=self.r, KeyConditionExpression="id = :p",
                           ExpressionAttributeValues={":p": S("p")}, Limit=3)
        self.assertEqual(r["LastEvaluatedKey"]["sk"], S("a\x00"))
        r = self.ddb.query(TableName=self.r, KeyConditionExpression="id = :p",
                           ExpressionAttributeValues={":p": S("p")},
                           ExclusiveStartKey=r["LastEvaluatedKey"])
        self.assertEqual([i["sk"]["S"] for i in r["Items"]], ["a\x00b", "a\x01", "ab"])


class TestJsonNullIsAbsent(DdbTestCase):
    """The AWS JSON protocol reads a member whose value is null as a member
    not sent (SDKs in other languages send nulls for unset fields)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t = cls.make_table("nulls")

    def ok(self, op, body):
        r = raw_ddb(op, body)
        self.assertEqual(r.status, 200, r)
        return r.json

    def test_null_members_are_ignored(self):
        t = self.t
        self.ok("PutItem", {"TableName": t, "Item": K("a"), "ConditionExpression": None,
                            "ExpressionAttributeNames": None, "ExpressionAttributeValues": None,
                            "ReturnValues": None, "Expected": None,
                            "ReturnConsumedCapacity": None})
        got = self.ok("GetItem", {"TableName": t, "Key": K("a"), "ProjectionExpression": None,
                                  "AttributesToGet": None, "ConsistentRead": None})
        self.assertEqual(got["Item"], K("a"))
        got = self.ok("Query", {"TableName": t, "KeyConditionExpression": "id = :v",
                                "ExpressionAttributeValues": {":v": S("a")},
                                "ExclusiveStartKey": None, "IndexName": None, "Limit": None,
                                "FilterExpression": None, "Select": None})
        self.assertEqual(got["Count"], 1)
        self.ok("UpdateItem", {"TableName": t, "Key": K("a"), "UpdateExpression": "SET v = :v",
                               "ExpressionAttributeValues": {":v": S("x")},
                               "AttributeUpdates": None, "ConditionExpression": None})
        self.ok("Scan", {"TableName": t, "Segment": None, "TotalSegments": None,
                         "ScanFilter": None})
        self.ok("BatchWriteItem", {"RequestItems": {t: [
            {"PutRequest": {"Item": K("b")}, "DeleteRequest": None}]}})
        self.ok("TransactWriteItems", {"ClientRequestToken": None, "TransactItems": [
            {"Put": {"TableName": t, "Item": K("c"), "ConditionExpression": None},
             "Update": None, "Delete": None, "ConditionCheck": None}]})
        self.ok("CreateTable", {"TableName": unique_table("nulls-ct"),
                                "BillingMode": "PAY_PER_REQUEST",
                                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                                "AttributeDefinitions": [{"AttributeName": "id",
                                                          "AttributeType": "S"}],
                                "GlobalSecondaryIndexes": None, "LocalSecondaryIndexes": None,
                                "ProvisionedThroughput": None, "Tags": None,
                                "StreamSpecification": None})
        self.ok("ListTables", {"ExclusiveStartTableName": None, "Limit": None})
        self.assertEqual(sorted(i["id"]["S"] for i in self.scan_all(t)), ["a", "b", "c"])

    def test_a_required_member_that_is_null_is_missing(self):
        r = raw_ddb("GetItem", {"TableName": None, "Key": K("a")})
        self.assertEqual((r.status, r.error_type()), (400, "ValidationException"), r)
        self.assertIn("Value null at 'tableName'", r.message())


class TestTransactionIdempotency(DdbTestCase):
    """TransactWriteItems with a ClientRequestToken runs once: a retry with
    the same token and the same request succeeds without applying it again
    (for 10 minutes); the same token on a different request is
    IdempotentParameterMismatchException."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t = cls.make_table("idem")

    def add_one(self, key, token, by="1"):
        return {"ClientRequestToken": token, "TransactItems": [{"Update": {
            "TableName": self.t, "Key": K(key), "UpdateExpression": "ADD #c :one",
            "ExpressionAttributeNames": {"#c": "counter"},
            "ExpressionAttributeValues": {":one": N(by)}}}]}

    def counter(self, key):
        return self.get(self.t, K(key), ConsistentRead=True)["counter"]["N"]

    def test_retry_with_the_same_token_applies_once(self):
        self.ddb.transact_write_items(**self.add_one("k1", "tok-1"))
        self.ddb.transact_write_items(**self.add_one("k1", "tok-1"))
        self.assertEqual(self.counter("k1"), "1")
        # the same request with its members in another order is the same
        body = self.add_one("k1", "tok-1")
        reordered = {"TransactItems": [{"Update": dict(reversed(list(
            body["TransactItems"][0]["Update"].items())))}], "ClientRequestToken": "tok-1"}
        r = raw_ddb("TransactWriteItems", reordered)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.counter("k1"), "1")
        # another token is another transaction
        self.ddb.transact_write_items(**self.add_one("k1", "tok-2"))
        self.assertEqual(self.counter("k1"), "2")
        # no token: applied every time
        body = self.add_one("k1", "x")
        del body["ClientRequestToken"]
        self.ddb.transact_write_items(**body)
        self.ddb.transact_write_items(**body)
        self.assertEqual(self.counter("k1"), "4")

    def test_same_token_different_request_is_a_mismatch(self):
        self.ddb.transact_write_items(**self.add_one("k2", "tok-3"))
        self.assertDdbError("IdempotentParameterMismatchException",
                            self.ddb.transact_write_items, **self.add_one("k2", "tok-3", by="5"))
        self.assertEqual(self.counter("k2"), "1")

    def test_a_cancelled_transaction_does_not_use_up_its_token(self):
        body = {"ClientRequestToken": "tok-4", "TransactItems": [{"Put": {
            "TableName": self.t, "Item": K("k4"),
            "ConditionExpression": "attribute_exists(id)"}}]}
        self.assertDdbError("TransactionCanceledException", self.ddb.transact_write_items, **body)
        self.ddb.put_item(TableName=self.t, Item=K("k4"))
        self.ddb.transact_write_items(**body)


class TestLegacyParameters(DdbTestCase):
    """AttributeUpdates values are AttributeValues like any other, and
    Expected takes a ComparisonOperator with a Value, as AWS does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t = cls.make_table("legacy")

    def update(self, key, updates, **kw):
        return self.ddb.update_item(TableName=self.t, Key=K(key), AttributeUpdates=updates, **kw)

    def test_attribute_updates_values_are_validated(self):
        self.ddb.put_item(TableName=self.t, Item={"id": S("u"), "keep": S("x")})
        bad = [
            ({"n": {"Value": {"N": "abc"}, "Action": "PUT"}}, "ValidationException"),
            ({"n": {"Value": {"N": "abc"}, "Action": "ADD"}}, "ValidationException"),
            ({"s": {"Value": {"SS": []}, "Action": "PUT"}}, "ValidationException"),
            ({"s": {"Value": {"SS": ["a", "a"]}, "Action": "ADD"}}, "ValidationException"),
            ({"s": {"Value": {"NS": ["1", "1.0"]}, "Action": "PUT"}}, "ValidationException"),
            ({"b": {"Value": {"B": "!!!!"}, "Action": "PUT"}}, "SerializationException"),
            ({"m": {"Value": {"M": {"x": {"N": "1e200"}}}, "Action": "PUT"}},
             "ValidationException"),
            ({"v": {"Value": {}, "Action": "PUT"}}, "ValidationException"),
        ]
        for updates, code in bad:
            with self.subTest(updates=updates):
                r = raw_ddb("UpdateItem", {"TableName": self.t, "Key": K("u"),
                                           "AttributeUpdates": updates})
                self.assertEqual((r.status, r.error_type()), (400, code), r)
        self.assertEqual(self.get(self.t, K("u")), {"id": S("u"), "keep": S("x")})
        self.assertIsNone(self.get(self.t, K("new")))
        # numbers are stored in canonical form, as everywhere else
        self.update("u", {"n": {"Value": {"N": "0012.50"}, "Action": "PUT"},
                          "ns": {"Value": {"NS": ["01", "2.0"]}, "Action": "ADD"}})
        got = self.get(self.t, K("u"))
        self.assertEqual(got["n"], N("12.5"))
        self.assertEqual(sorted(got["ns"]["NS"]), ["1", "2"])
        self.update("u", {"ns": {"Value": {"NS": ["1.00"]}, "Action": "ADD"}})
        self.assertEqual(sorted(self.get(self.t, K("u"))["ns"]["NS"]), ["1", "2"])

    def test_expected_with_value_and_comparison_operator(self):
        self.ddb.put_item(TableName=self.t, Item={"id": S("e"), "v": N(3)})
        self.assertDdbError("ConditionalCheckFailedException", self.ddb.put_item,
                            TableName=self.t, Item={"id": S("e"), "v": N(4)},
                            Expected={"v": {"Value": N(5), "ComparisonOperator": "GT"}})
        self.ddb.put_item(TableName=self.t, Item={"id": S("e"), "v": N(4)},
                          Expected={"v": {"Value": N(2), "ComparisonOperator": "GT"}})
        self.ddb.delete_item(TableName=self.t, Key=K("e"),
                             Expected={"v": {"Value": N(4), "ComparisonOperator": "EQ"}})
        self.assertIsNone(self.get(self.t, K("e")))
        self.ddb.update_item(TableName=self.t, Key=K("e"),
                             AttributeUpdates={"w": {"Value": S("x"), "Action": "PUT"}},
                             Expected={"v": {"ComparisonOperator": "NULL"}})

    def test_expected_shapes_aws_refuses(self):
        invalid = "One or more parameter values were invalid: "
        cases = [
            ({"v": {"Value": N(1), "AttributeValueList": [N(1)], "ComparisonOperator": "EQ"}},
             invalid + "Value and AttributeValueList cannot be used together for Attribute: v"),
            ({"v": {"Exists": True, "Value": N(1), "ComparisonOperator": "EQ"}},
             invalid + "Exists and ComparisonOperator cannot be used together for Attribute: v"),
            ({"v": {"ComparisonOperator": "EQ"}},
             invalid + "Value or AttributeValueList must be used with ComparisonOperator: EQ "
                       "for Attribute: v"),
            ({"v": {"AttributeValueList": [N(1)]}},
             invalid + "AttributeValueList can only be used with a ComparisonOperator for "
                       "Attribute: v"),
            ({"v": {"Value": N(1), "ComparisonOperator": "BETWEEN"}},
             invalid + "Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
            ({"v": {"Value": {"N": "x1"}, "ComparisonOperator": "EQ"}}, None),
        ]
        for expected, message in cases:
            with self.subTest(expected=expected):
                r = raw_ddb("PutItem", {"TableName": self.t, "Item": K("x"),
                                        "Expected": expected})
                self.assertEqual((r.status, r.error_type()), (400, "ValidationException"), r)
                if message:
                    self.assertEqual(r.message(), message)
        self.assertIsNone(self.get(self.t, K("x")))


class TestExclusiveStartKeyBounds(DdbTestCase):
    """A Query's ExclusiveStartKey must lie inside what the query asks
    for: its partition, and its sort-key condition."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t = cls.make_table(
            "esk", range_key=("sk", "S"), extra_attrs=[("g", "S")],
            GlobalSecondaryIndexes=[{"IndexName": "by-g", "Projection": {"ProjectionType": "ALL"},
                                     "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}])
        for p in ("a", "b"):
            for sk in ("c", "k", "x"):
                cls.ddb.put_item(TableName=cls.t, Item={"id": S(p), "sk": S(sk), "g": S("g" + p)})

    def query(self, cond, values, esk, **kw):
        return raw_ddb("Query", dict(TableName=self.t, KeyConditionExpression=cond,
                                     ExpressionAttributeValues=values, ExclusiveStartKey=esk,
                                     **kw))

    def assertRefused(self, r, message):
        self.assertEqual((r.status, r.error_type()), (400, "ValidationException"), r)
        self.assertEqual(r.message(), message)

    def test_start_key_from_another_partition(self):
        outside = "The provided starting key is outside query boundaries based on provided conditions"
        self.assertRefused(self.query("id = :p", {":p": S("a")}, {"id": S("b"), "sk": S("c")}),
                           outside)
        r = raw_ddb("Query", {"TableName": self.t, "ExclusiveStartKey": {"id": S("b"), "sk": S("c")},
                              "KeyConditions": {"id": {"ComparisonOperator": "EQ",
                                                       "AttributeValueList": [S("a")]}}})
        self.assertRefused(r, outside)
        r = self.query("g = :g", {":g": S("ga")},
                       {"id": S("b"), "sk": S("c"), "g": S("gb")}, IndexName="by-g")
        self.assertRefused(r, outside)

    def test_start_key_outside_the_sort_key_condition(self):
        r = self.query("id = :p AND sk > :m", {":p": S("a"), ":m": S("m")},
                       {"id": S("a"), "sk": S("c")})
        self.assertRefused(r, "The provided starting key does not match the range key predicate")
        r = self.query("id = :p AND begins_with(sk, :k)", {":p": S("a"), ":k": S("k")},
                       {"id": S("a"), "sk": S("x")})
        self.assertRefused(r, "The provided starting key does not match the range key predicate")

    def test_start_keys_inside_the_bounds_page_on(self):
        r = self.query("id = :p", {":p": S("a")}, {"id": S("a"), "sk": S("c")})
        self.assertEqual(r.status, 200, r)
        self.assertEqual([i["sk"]["S"] for i in r.json["Items"]], ["k", "x"])
        r = self.query("id = :p AND sk >= :k", {":p": S("a"), ":k": S("k")},
                       {"id": S("a"), "sk": S("k")})
        self.assertEqual([i["sk"]["S"] for i in r.json["Items"]], ["x"])
        r = self.query("g = :g", {":g": S("ga")}, {"id": S("a"), "sk": S("c"), "g": S("ga")},
                       IndexName="by-g")
        self.assertEqual(r.status, 200, r)
        self.assertEqual([i["sk"]["S"] for i in r.json["Items"]], ["k", "x"])


class TestParenthesesInUpdates(DdbTestCase):
    """SET's right-hand side may be parenthesised, around the whole value
    or either operand of + and -."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t = cls.make_table("parens")

    def update(self, expr, values=None, names=None):
        kw = {}
        if values:
            kw["ExpressionAttributeValues"] = values
        if names:
            kw["ExpressionAttributeNames"] = names
        self.ddb.update_item(TableName=self.t, Key=K("p"), UpdateExpression=expr, **kw)
        return self.get(self.t, K("p"))

    def test_parenthesised_values(self):
        self.ddb.put_item(TableName=self.t, Item={"id": S("p"), "b": N(2)})
        self.assertEqual(self.update("SET a = (b + :v)", {":v": N(3)})["a"], N(5))
        self.assertEqual(self.update("SET a = (b) - (:v)", {":v": N(1)})["a"], N(1))
        self.assertEqual(self.update("SET #a = if_not_exists(#a, :z)", {":z": N(0)},
                                     {"#a": "c"})["c"], N(0))
        self.assertEqual(self.update("SET #a = (if_not_exists(#a, :z) + :one)",
                                     {":z": N(0), ":one": N(1)}, {"#a": "c"})["c"], N(1))
        self.assertEqual(self.update("SET #a = (if_not_exists(#a, :z)) + :one, d = (:s)",
                                     {":z": N(0), ":one": N(1), ":s": S("x")},
                                     {"#a": "c"}), {"id": S("p"), "a": N(1), "b": N(2),
                                                    "c": N(2), "d": S("x")})
        self.assertEqual(self.update("SET l = list_append(if_not_exists(l, :e), :v)",
                                     {":e": {"L": []}, ":v": {"L": [N(1)]}})["l"],
                         {"L": [N(1)]})

    def test_unbalanced_parentheses_are_a_syntax_error(self):
        for expr in ("SET a = (b + :v", "SET a = b + :v)", "SET a = ()", "SET (a) = :v"):
            with self.subTest(expr=expr):
                self.assertValidation(self.ddb.update_item, TableName=self.t, Key=K("p"),
                                      UpdateExpression=expr,
                                      ExpressionAttributeValues={":v": N(1)},
                                      prefix="Invalid UpdateExpression: Syntax error")
