"""DynamoDB expressions (names/values checks, reserved words, syntax errors,
document paths, operators, precedence, functions) and the legacy parameters
(KeyConditions, QueryFilter, ScanFilter, AttributesToGet, Expected,
AttributeUpdates)."""

from test_ddb_support import DdbTestCase

S = lambda v: {"S": v}  # noqa: E731
N = lambda v: {"N": str(v)}  # noqa: E731
K = lambda v: {"id": {"S": v}}  # noqa: E731


class ExprCase(DdbTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t = cls.make_table("expr")
        rows = {
            "r1": {"a": N(1), "b": N(1), "c": N(1), "s": S("apple pie"), "status": S("OPEN"),
                   "l": {"L": [N(10), N(20), {"M": {"c": S("deep")}}]},
                   "m": {"M": {"x": N(5), "y": {"M": {"z": S("zz")}}}},
                   "ss": {"SS": ["red", "green"]}, "ns": {"NS": ["1", "2", "3"]},
                   "bin": {"B": b"\x01\x02\x03"}, "flag": {"BOOL": True}, "nul": {"NULL": True}},
            "r2": {"a": N(1), "b": N(0), "c": N(0), "s": S("banana"), "status": S("CLOSED"),
                   "l": {"L": [S("x")]}, "ss": {"SS": ["blue"]}},
            "r3": {"a": N(0), "b": N(1), "c": N(1), "s": S("apricot"), "m": {"M": {}}},
            "r4": {"a": N(0), "b": N(1), "c": N(0), "s": S(""), "n5": N(5)},
        }
        for k, attrs in rows.items():
            item = dict(attrs)
            item["id"] = S(k)
            cls.ddb.put_item(TableName=cls.t, Item=item)

    def ids(self, expr, values=None, names=None):
        kw = {"FilterExpression": expr}
        if values:
            kw["ExpressionAttributeValues"] = values
        if names:
            kw["ExpressionAttributeNames"] = names
        return sorted(i["id"]["S"] for i in self.scan_all(self.t, **kw))


class TestNamesAndValues(ExprCase):

    def test_unused_names_and_values(self):
        self.assertValidation(self.ddb.get_item, TableName=self.t, Key=K("r1"),
                              ProjectionExpression="a", ExpressionAttributeNames={"#u": "x"},
                              message="Value provided in ExpressionAttributeNames unused in "
                                      "expressions: keys: {#u}")
        self.assertValidation(self.ddb.scan, TableName=self.t, FilterExpression="a = :a",
                              ExpressionAttributeValues={":a": N(1), ":u": N(2)},
                              message="Value provided in ExpressionAttributeValues unused in "
                                      "expressions: keys: {:u}")
        self.assertValidation(self.ddb.put_item, TableName=self.t, Item=K("new"),
                              ExpressionAttributeValues={":u": N(2)},
                              ConditionExpression="attribute_not_exists(id)",
                              message="Value provided in ExpressionAttributeValues unused in "
                                      "expressions: keys: {:u}")

    def test_undefined_names_and_values(self):
        cases = [
            ("ConditionExpression", self.ddb.delete_item,
             dict(Key=K("r1"), ConditionExpression="#nope = :v",
                  ExpressionAttributeValues={":v": N(1)}), "name", "#nope"),
            ("ConditionExpression", self.ddb.delete_item,
             dict(Key=K("r1"), ConditionExpression="a = :nope"), "value", ":nope"),
            ("FilterExpression", self.ddb.scan,
             dict(FilterExpression="a = :nope", ExpressionAttributeNames={"#a": "a"},
                  ProjectionExpression="#a"), "value", ":nope"),
            ("UpdateExpression", self.ddb.update_item,
             dict(Key=K("r1"), UpdateExpression="SET #nope = :v",
                  ExpressionAttributeValues={":v": N(1)}), "name", "#nope"),
            ("UpdateExpression", self.ddb.update_item,
             dict(Key=K("r1"), UpdateExpression="SET a = :nope"), "value", ":nope"),
            ("KeyConditionExpression", self.ddb.query,
             dict(KeyConditionExpression="id = :nope"), "value", ":nope"),
            ("ProjectionExpression", self.ddb.get_item,
             dict(Key=K("r1"), ProjectionExpression="a, #nope"), "name", "#nope"),
        ]
        for where, fn, kw, kind, token in cases:
            with self.subTest(where=where, token=token):
                if kind == "name":
                    msg = ("Invalid %s: An expression attribute name used in the document path "
                           "is not defined; attribute name: %s" % (where, token))
                else:
                    msg = ("Invalid %s: An expression attribute value used in expression is "
                           "not defined; attribute value: %s" % (where, token))
                self.assertValidation(fn, TableName=self.t, **kw, message=msg)
        self.assertEqual(self.get(self.t, K("r1"))["a"], N(1))

    def test_empty_values_map(self):
        self.assertValidation(self.ddb.scan, TableName=self.t, FilterExpression="attribute_exists(a)",
                              ExpressionAttributeValues={},
                              message="ExpressionAttributeValues must not be empty")

    def test_reserved_words(self):
        cases = [
            ("ConditionExpression", self.ddb.delete_item,
             dict(Key=K("r9"), ConditionExpression="status = :s",
                  ExpressionAttributeValues={":s": S("x")})),
            ("FilterExpression", self.ddb.scan,
             dict(FilterExpression="status = :s", ExpressionAttributeValues={":s": S("x")})),
            ("UpdateExpression", self.ddb.update_item,
             dict(Key=K("r9"), UpdateExpression="SET status = :s",
                  ExpressionAttributeValues={":s": S("x")})),
            ("ProjectionExpression", self.ddb.get_item,
             dict(Key=K("r1"), ProjectionExpression="a, status")),
        ]
        for where, fn, kw in cases:
            with self.subTest(where=where):
                self.assertValidation(fn, TableName=self.t, **kw,
                                      message="Invalid %s: Attribute name is a reserved keyword; "
                                              "reserved keyword: status" % where)
        self.assertIsNone(self.get(self.t, K("r9")))
        # through a #name it is fine
        self.assertEqual(self.ids("#s = :s", {":s": S("OPEN")}, {"#s": "status"}), ["r1"])

    def test_syntax_errors(self):
        cases = [
            ("ConditionExpression", self.ddb.delete_item,
             dict(Key=K("r1"), ConditionExpression="a = ", )),
            ("ConditionExpression", self.ddb.delete_item,
             dict(Key=K("r1"), ConditionExpression="a = :v AND", ExpressionAttributeValues={":v": N(1)})),
            ("FilterExpression", self.ddb.scan,
             dict(FilterExpression="(a = :v", ExpressionAttributeValues={":v": N(1)})),
            ("UpdateExpression", self.ddb.update_item,
             dict(Key=K("r1"), UpdateExpression="SET a = :v,", ExpressionAttributeValues={":v": N(1)})),
            ("UpdateExpression", self.ddb.update_item,
             dict(Key=K("r1"), UpdateExpression="SET a :v", ExpressionAttributeValues={":v": N(1)})),
        ]
        for where, fn, kw in cases:
            with self.subTest(where=where, kw=kw):
                self.assertValidation(fn, TableName=self.t, **kw,
                                      prefix="Invalid %s: Syntax error; token: " % where)
        self.assertIsNotNone(self.get(self.t, K("r1")))


class TestOperators(ExprCase):

    def test_comparisons_and_paths(self):
        self.assertEqual(self.ids("a = :one", {":one": N(1)}), ["r1", "r2"])
        self.assertEqual(self.ids("a <> :one", {":one": N(1)}), ["r3", "r4"])
        self.assertEqual(self.ids("s >= :b", {":b": S("b")}), ["r2"])
        self.assertEqual(self.ids("m.x = :five", {":five": N(5)}), ["r1"])
        self.assertEqual(self.ids("m.y.z = :z", {":z": S("zz")}), ["r1"])
        self.assertEqual(self.ids("l[1] = :v", {":v": N(20)}), ["r1"])
        self.assertEqual(self.ids("l[2].c = :v", {":v": S("deep")}), ["r1"])
        self.assertEqual(self.ids("#l[0] = :v", {":v": S("x")}, {"#l": "l"}), ["r2"])
        self.assertEqual(self.ids("#m.#x = :five", {":five": N(5)}, {"#m": "m", "#x": "x"}), ["r1"])
        # a different type never compares true, and is no error
        self.assertEqual(self.ids("a < :s", {":s": S("9")}), [])
        self.assertEqual(self.ids("n5 = a", None), [])
        self.assertEqual(self.ids("b = c"), ["r1", "r2", "r3"])

    def test_in_and_between(self):
        self.assertEqual(self.ids("s IN (:a, :b, :c)", {":a": S("banana"), ":b": S("apricot"),
                                                        ":c": S("kiwi")}), ["r2", "r3"])
        self.assertEqual(self.ids("s BETWEEN :a AND :b", {":a": S("apple"), ":b": S("apz")}),
                         ["r1", "r3"])
        self.assertEqual(self.ids("m.x BETWEEN :a AND :b", {":a": N(5), ":b": N(5)}), ["r1"])

    def test_precedence(self):
        both = {":one": N(1), ":zero": N(0)}
        v = None  # each expression gets only the values it names (unused ones are an error)
        ids = self.ids
        self.ids = lambda expr, values=None: ids(expr, {k: x for k, x in both.items() if k in expr})
        # OR binds looser than AND: a=1 OR (b=1 AND c=1)
        self.assertEqual(self.ids("a = :one OR b = :one AND c = :one", v), ["r1", "r2", "r3"])
        self.assertEqual(self.ids("(a = :one OR b = :one) AND c = :one", v), ["r1", "r3"])
        # NOT binds tighter than AND: (NOT a=1) AND c=0
        self.assertEqual(self.ids("NOT a = :one AND c = :zero", v), ["r4"])
        self.assertEqual(self.ids("NOT (a = :one AND c = :zero)", v), ["r1", "r3", "r4"])
        self.assertEqual(self.ids("NOT a = :one OR b = :zero", v), ["r2", "r3", "r4"])
        self.assertEqual(self.ids("a = :zero AND NOT c = :zero OR a = :one AND b = :zero", v),
                         ["r2", "r3"])

    def test_functions(self):
        self.assertEqual(self.ids("attribute_exists(m)"), ["r1", "r3"])
        self.assertEqual(self.ids("attribute_not_exists(m)"), ["r2", "r4"])
        self.assertEqual(self.ids("attribute_exists(m.y.z)"), ["r1"])
        self.assertEqual(self.ids("attribute_exists(l[2])"), ["r1"])
        self.assertEqual(self.ids("attribute_type(m, :t)", {":t": S("M")}), ["r1", "r3"])
        self.assertEqual(self.ids("attribute_type(a, :t)", {":t": S("S")}), [])
        self.assertEqual(self.ids("attribute_type(nul, :t) AND attribute_type(flag, :b)",
                                  {":t": S("NULL"), ":b": S("BOOL")}), ["r1"])
        self.assertEqual(self.ids("begins_with(s, :p)", {":p": S("ap")}), ["r1", "r3"])
        self.assertEqual(self.ids("contains(s, :p)", {":p": S("an")}), ["r2"])
        self.assertEqual(self.ids("contains(ss, :p)", {":p": S("blue")}), ["r2"])
        self.assertEqual(self.ids("contains(ns, :p)", {":p": N(3)}), ["r1"])
        self.assertEqual(self.ids("contains(l, :p)", {":p": N(20)}), ["r1"])
        self.assertEqual(self.ids("size(s) = :n", {":n": N(6)}), ["r2"])
        self.assertEqual(self.ids("size(l) > :n", {":n": N(1)}), ["r1"])
        self.assertEqual(self.ids("size(ss) = :n", {":n": N(2)}), ["r1"])
        self.assertEqual(self.ids("size(m) = :n", {":n": N(0)}), ["r3"])
        self.assertEqual(self.ids("size(bin) = :n", {":n": N(3)}), ["r1"])
        self.assertEqual(self.ids("size(s) = :z", {":z": N(0)}), ["r4"])

    def test_bad_function_use(self):
        self.assertValidation(self.ddb.scan, TableName=self.t, FilterExpression="nosuch(a)",
                              prefix="Invalid FilterExpression: Invalid function name; "
                                     "function: nosuch")
        self.assertValidation(self.ddb.scan, TableName=self.t,
                              FilterExpression="attribute_type(a, :t)",
                              ExpressionAttributeValues={":t": S("X")},
                              prefix="Invalid FilterExpression: Invalid attribute type name found")


class TestLegacy(DdbTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t = cls.make_table("legacy", hash_key=("pk", "S"), range_key=("sk", "N"))
        for i in range(1, 9):
            cls.ddb.put_item(TableName=cls.t, Item={
                "pk": S("p"), "sk": N(i), "n": N(i * 10), "tag": S("t%d" % (i % 3)),
                "ss": {"SS": ["a", "b"] if i % 2 else ["c"]}})

    def sks(self, items):
        return [int(i["sk"]["N"]) for i in items]

    def test_key_conditions_and_query_filter(self):
        r = self.ddb.query(TableName=self.t, KeyConditions={
            "pk": {"AttributeValueList": [S("p")], "ComparisonOperator": "EQ"},
            "sk": {"AttributeValueList": [N(2), N(6)], "ComparisonOperator": "BETWEEN"}})
        self.assertEqual(self.sks(r["Items"]), [2, 3, 4, 5, 6])
        r = self.ddb.query(TableName=self.t, KeyConditions={
            "pk": {"AttributeValueList": [S("p")], "ComparisonOperator": "EQ"},
            "sk": {"AttributeValueList": [N(3)], "ComparisonOperator": "GT"}},
            QueryFilter={"n": {"AttributeValueList": [N(60)], "ComparisonOperator": "LE"}},
            ScanIndexForward=False)
        self.assertEqual(self.sks(r["Items"]), [6, 5, 4])
        self.assertEqual((r["Count"], r["ScannedCount"]), (3, 5))

    def test_scan_filter(self):
        r = self.ddb.scan(TableName=self.t, ScanFilter={
            "tag": {"AttributeValueList": [S("t1")], "ComparisonOperator": "EQ"}})
        self.assertEqual(sorted(self.sks(r["Items"])), [1, 4, 7])
        r = self.ddb.scan(TableName=self.t, ConditionalOperator="OR", ScanFilter={
            "n": {"AttributeValueList": [N(20)], "ComparisonOperator": "LT"},
            "ss": {"AttributeValueList": [S("c")], "ComparisonOperator": "CONTAINS"}})
        self.assertEqual(sorted(self.sks(r["Items"])), [1, 2, 4, 6, 8])
        r = self.ddb.scan(TableName=self.t, ScanFilter={
            "tag": {"AttributeValueList": [S("t0"), S("t2")], "ComparisonOperator": "IN"},
            "n": {"ComparisonOperator": "NOT_NULL"}})
        self.assertEqual(sorted(self.sks(r["Items"])), [2, 3, 5, 6, 8])

    def test_attributes_to_get(self):
        r = self.ddb.get_item(TableName=self.t, Key={"pk": S("p"), "sk": N(1)},
                              AttributesToGet=["n", "tag"])
        self.assertEqual(r["Item"], {"n": N(10), "tag": S("t1")})
        self.assertValidation(self.ddb.get_item, TableName=self.t, Key={"pk": S("p"), "sk": N(1)},
                              AttributesToGet=["n"], ProjectionExpression="tag",
                              message="Can not use both expression and non-expression parameters "
                                      "in the same request: Non-expression parameters: "
                                      "{AttributesToGet} Expression parameters: {ProjectionExpression}")

    def test_expected(self):
        key = {"pk": S("e"), "sk": N(1)}
        self.ddb.put_item(TableName=self.t, Item=dict(key, v=N(1)),
                          Expected={"pk": {"Exists": False}})
        self.assertDdbError("ConditionalCheckFailedException", self.ddb.put_item,
                            TableName=self.t, Item=dict(key, v=N(2)),
                            Expected={"pk": {"Exists": False}})
        self.ddb.put_item(TableName=self.t, Item=dict(key, v=N(3)), Expected={"v": {"Value": N(1)}})
        self.assertDdbError("ConditionalCheckFailedException", self.ddb.delete_item,
                            TableName=self.t, Key=key,
                            Expected={"v": {"ComparisonOperator": "GT", "AttributeValueList": [N(5)]}})
        self.assertEqual(self.get(self.t, key)["v"], N(3))

    def test_attribute_updates(self):
        key = {"pk": S("u"), "sk": N(1)}
        self.put(self.t, dict(key, gone=S("x"), cnt=N(1), set={"SS": ["a"]}))
        r = self.ddb.update_item(TableName=self.t, Key=key, ReturnValues="ALL_NEW", AttributeUpdates={
            "cnt": {"Action": "ADD", "Value": N(4)},
            "name": {"Action": "PUT", "Value": S("new")},
            "gone": {"Action": "DELETE"},
            "set": {"Action": "ADD", "Value": {"SS": ["b"]}}})
        item = r["Attributes"]
        self.assertEqual(item["cnt"], N(5))
        self.assertEqual(item["name"], S("new"))
        self.assertNotIn("gone", item)
        self.assertEqual(sorted(item["set"]["SS"]), ["a", "b"])
