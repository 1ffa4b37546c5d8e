"""DynamoDB items: PutItem, GetItem (ConsistentRead, ProjectionExpression),
DeleteItem, UpdateItem (SET arithmetic, if_not_exists, list_append, REMOVE,
ADD, DELETE), ReturnValues, ConditionExpression, ReturnValuesOnConditionCheckFailure,
ReturnConsumedCapacity."""

from test_ddb_support import DdbTestCase, raw_ddb

S = lambda v: {"S": v}  # noqa: E731
N = lambda v: {"N": str(v)}  # noqa: E731
K = lambda v: {"id": {"S": v}}  # noqa: E731
CCF = "ConditionalCheckFailedException"


class TestPutGetDelete(DdbTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t = cls.make_table("items")

    def test_put_get_delete(self):
        item = {"id": S("a"), "name": S("Ada"), "age": N(36)}
        r = self.ddb.put_item(TableName=self.t, Item=item)
        self.assertNotIn("Attributes", r)
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertTrue(r["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-requestid"))
        self.assertEqual(self.get(self.t, K("a")), item)
        self.assertEqual(self.get(self.t, K("a"), ConsistentRead=True), item)
        r = self.ddb.delete_item(TableName=self.t, Key=K("a"))
        self.assertNotIn("Attributes", r)
        self.assertNotIn("Item", self.ddb.get_item(TableName=self.t, Key=K("a")))
        # deleting what is not there is fine
        self.ddb.delete_item(TableName=self.t, Key=K("a"))

    def test_put_replaces_whole_item(self):
        self.put(self.t, {"id": S("r"), "a": S("1"), "b": S("2")})
        r = self.ddb.put_item(TableName=self.t, Item={"id": S("r"), "c": S("3")},
                              ReturnValues="ALL_OLD")
        self.assertEqual(r["Attributes"], {"id": S("r"), "a": S("1"), "b": S("2")})
        self.assertEqual(self.get(self.t, K("r")), {"id": S("r"), "c": S("3")})
        r = self.ddb.put_item(TableName=self.t, Item={"id": S("fresh")}, ReturnValues="ALL_OLD")
        self.assertNotIn("Attributes", r)

    def test_put_invalid_return_values(self):
        for rv in ("ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"):
            with self.subTest(rv=rv):
                self.assertValidation(self.ddb.put_item, TableName=self.t, Item=K("x"),
                                      ReturnValues=rv, message="Return values set to invalid value")

    def test_delete_all_old(self):
        self.put(self.t, {"id": S("d"), "v": N(1)})
        r = self.ddb.delete_item(TableName=self.t, Key=K("d"), ReturnValues="ALL_OLD")
        self.assertEqual(r["Attributes"], {"id": S("d"), "v": N(1)})

    def test_key_errors(self):
        self.assertValidation(self.ddb.put_item, TableName=self.t, Item={"x": S("1")},
                              message="One or more parameter values were invalid: "
                                      "Missing the key id in the item")
        self.assertValidation(self.ddb.put_item, TableName=self.t, Item={"id": N(1)},
                              message="One or more parameter values were invalid: "
                                      "Type mismatch for key id expected: S actual: N")
        self.assertValidation(self.ddb.get_item, TableName=self.t, Key={"nope": S("1")},
                              message="The provided key element does not match the schema")
        self.assertValidation(self.ddb.get_item, TableName=self.t, Key={"id": S("1"), "x": S("2")},
                              message="The provided key element does not match the schema")
        self.assertValidation(self.ddb.get_item, TableName=self.t, Key={"id": N(1)},
                              message="The provided key element does not match the schema")
        self.assertValidation(self.ddb.delete_item, TableName=self.t, Key={"nope": S("1")},
                              message="The provided key element does not match the schema")

    def test_projection_expression(self):
        item = {"id": S("p"), "x": S("ex"), "y": S("why"), "my attr": N(7),
                "a": {"M": {"b": {"L": [{"M": {"c": N(1), "d": N(2)}}, {"M": {"c": N(3)}},
                                        {"M": {"c": N(5), "d": N(6)}}]},
                            "z": S("zed")}}}
        self.put(self.t, item)
        got = self.get(self.t, K("p"), ProjectionExpression="a.b[2].c, #m, x",
                       ExpressionAttributeNames={"#m": "my attr"})
        self.assertEqual(got, {"x": S("ex"), "my attr": N(7),
                               "a": {"M": {"b": {"L": [{"M": {"c": N(5)}}]}}}})
        got = self.get(self.t, K("p"), ProjectionExpression="a.z, a.b[0], nothing")
        self.assertEqual(got, {"a": {"M": {"z": S("zed"),
                                           "b": {"L": [{"M": {"c": N(1), "d": N(2)}}]}}}})
        got = self.get(self.t, K("p"), ProjectionExpression="#a.#b[1]",
                       ExpressionAttributeNames={"#a": "a", "#b": "b"})
        self.assertEqual(got, {"a": {"M": {"b": {"L": [{"M": {"c": N(3)}}]}}}})
        # nothing matched: an item without attributes, i.e. no Item at all
        r = self.ddb.get_item(TableName=self.t, Key=K("p"), ProjectionExpression="nothing")
        self.assertEqual(r.get("Item", {}), {})


class TestUpdateItem(DdbTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t = cls.make_table("upd")

    def update(self, key, expr, values=None, names=None, **kw):
        args = dict(TableName=self.t, Key=K(key), UpdateExpression=expr, **kw)
        if values:
            args["ExpressionAttributeValues"] = values
        if names:
            args["ExpressionAttributeNames"] = names
        return self.ddb.update_item(**args)

    def test_upsert_and_set_arithmetic(self):
        r = self.update("u1", "SET a = :one, b = :ten, s = :s",
                        {":one": N(1), ":ten": N(10), ":s": S("x")}, ReturnValues="ALL_NEW")
        self.assertEqual(r["Attributes"], {"id": S("u1"), "a": N(1), "b": N(10), "s": S("x")})
        self.update("u1", "SET a = a + :two, b = b - :two, c = :two + :two",
                    {":two": N(2)})
        self.assertEqual(self.get(self.t, K("u1")),
                         {"id": S("u1"), "a": N(3), "b": N(8), "c": N(4), "s": S("x")})
        self.update("u1", "SET a = a - :x", {":x": N("3.5")})
        self.assertEqual(self.get(self.t, K("u1"))["a"], N("-0.5"))

    def test_if_not_exists_and_list_append(self):
        self.update("u2", "SET n = if_not_exists(n, :zero) + :one, l = list_append(if_not_exists(l, :empty), :l)",
                    {":zero": N(0), ":one": N(1), ":empty": {"L": []}, ":l": {"L": [S("a")]}})
        self.update("u2", "SET n = if_not_exists(n, :zero) + :one, l = list_append(l, :l)",
                    {":zero": N(0), ":one": N(1), ":l": {"L": [S("b"), S("c")]}})
        self.update("u2", "SET l = list_append(:l, l)", {":l": {"L": [S("first")]}})
        item = self.get(self.t, K("u2"))
        self.assertEqual(item["n"], N(2))
        self.assertEqual(item["l"], {"L": [S("first"), S("a"), S("b"), S("c")]})

    def test_remove_attributes_and_list_elements(self):
        self.put(self.t, {"id": S("u3"), "x": S("1"), "y": S("2"),
                          "l": {"L": [N(0), N(1), N(2), N(3), N(4)]},
                          "m": {"M": {"k": S("v"), "j": S("w")}}})
        r = self.update("u3", "REMOVE x, l[1], l[3], m.k", ReturnValues="ALL_NEW")
        self.assertEqual(r["Attributes"], {"id": S("u3"), "y": S("2"),
                                           "l": {"L": [N(0), N(2), N(4)]},
                                           "m": {"M": {"j": S("w")}}})
        # removing what is not there is fine
        self.update("u3", "REMOVE nothing, l[10]")
        self.assertEqual(self.get(self.t, K("u3"))["l"], {"L": [N(0), N(2), N(4)]})

    def test_set_nested_paths(self):
        self.put(self.t, {"id": S("u4"), "a": {"M": {"b": {"L": [S("x"), S("y")]}}}})
        self.update("u4", "SET a.b[1] = :v, a.c = :c, a.b[5] = :w",
                    {":v": S("Y"), ":c": N(1), ":w": S("appended")})
        self.assertEqual(self.get(self.t, K("u4"))["a"],
                         {"M": {"b": {"L": [S("x"), S("Y"), S("appended")]}, "c": N(1)}})
        self.assertValidation(self.update, "u4", "SET nope.deeper = :v", {":v": S("1")},
                              message="The document path provided in the update expression "
                                      "is invalid for update")

    def test_add_and_delete(self):
        self.update("u5", "ADD cnt :five, tags :ab, nums :ns",
                    {":five": N(5), ":ab": {"SS": ["a", "b"]}, ":ns": {"NS": ["1", "2"]}})
        self.update("u5", "ADD cnt :m, tags :bc", {":m": N(-2), ":bc": {"SS": ["b", "c"]}})
        item = self.get(self.t, K("u5"))
        self.assertEqual(item["cnt"], N(3))
        self.assertEqual(sorted(item["tags"]["SS"]), ["a", "b", "c"])
        self.update("u5", "DELETE tags :ac, nums :n1", {":ac": {"SS": ["a", "c", "zz"]},
                                                        ":n1": {"NS": ["1"]}})
        item = self.get(self.t, K("u5"))
        self.assertEqual(item["tags"], {"SS": ["b"]})
        self.assertEqual(item["nums"], {"NS": ["2"]})
        # deleting the last member removes the attribute
        self.update("u5", "DELETE tags :b", {":b": {"SS": ["b"]}})
        self.assertNotIn("tags", self.get(self.t, K("u5")))
        self.put(self.t, {"id": S("u6"), "s": S("text"), "ss": {"SS": ["a"]}})
        for expr, vals in (("ADD s :n", {":n": N(1)}), ("ADD ss :n", {":n": N(1)}),
                           ("DELETE ss :ns", {":ns": {"NS": ["1"]}})):
            with self.subTest(expr=expr):
                self.assertValidation(self.update, "u6", expr, vals,
                                      message="An operand in the update expression has an "
                                              "incorrect data type")
        self.assertValidation(self.update, "u6", "SET s = s + :n", {":n": N(1)})
        self.assertEqual(self.get(self.t, K("u6")), {"id": S("u6"), "s": S("text"), "ss": {"SS": ["a"]}})
        self.assertValidation(self.update, "u5", "ADD cnt :s", {":s": S("x")},
                              prefix="Invalid UpdateExpression: Incorrect operand type for "
                                     "operator or function; operator: ADD, operand type: STRING")

    def test_return_values(self):
        base = {"id": S("rv"), "a": N(1), "b": N(2), "c": N(3)}
        expr, vals = "SET a = :x, d = :x REMOVE c", {":x": N(9)}
        cases = {
            "NONE": None,
            "ALL_OLD": base,
            "UPDATED_OLD": {"a": N(1), "c": N(3)},
            "ALL_NEW": {"id": S("rv"), "a": N(9), "b": N(2), "d": N(9)},
            "UPDATED_NEW": {"a": N(9), "d": N(9)},
        }
        for rv, want in cases.items():
            with self.subTest(rv=rv):
                self.put(self.t, base)
                r = self.update("rv", expr, vals, ReturnValues=rv)
                self.assertEqual(r.get("Attributes"), want)

    def test_cannot_update_key(self):
        self.assertValidation(self.update, "k", "SET id = :v", {":v": S("other")},
                              message="One or more parameter values were invalid: Cannot update "
                                      "attribute id. This attribute is part of the key")


class TestConditions(DdbTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t = cls.make_table("cond")

    def test_put_if_absent(self):
        item = {"id": S("c1"), "v": N(1)}
        self.ddb.put_item(TableName=self.t, Item=item, ConditionExpression="attribute_not_exists(id)")
        self.assertDdbError(CCF, self.ddb.put_item, TableName=self.t,
                            Item={"id": S("c1"), "v": N(2)},
                            ConditionExpression="attribute_not_exists(id)",
                            message="The conditional request failed")
        self.assertEqual(self.get(self.t, K("c1")), item)

    def test_return_values_on_condition_check_failure(self):
        # Raw requests: botocore 1.26 knows neither the parameter nor the
        # error's Item member.
        item = {"id": S("c2"), "v": N(1), "s": S("open")}
        self.put(self.t, item)
        calls = [
            ("PutItem", {"Item": K("c2"), "ConditionExpression": "attribute_not_exists(id)"}),
            ("UpdateItem", {"Key": K("c2"), "UpdateExpression": "SET v = :v",
                            "ConditionExpression": "v > :v",
                            "ExpressionAttributeValues": {":v": N(5)}}),
            ("DeleteItem", {"Key": K("c2"), "ConditionExpression": "#s = :c",
                            "ExpressionAttributeNames": {"#s": "s"},
                            "ExpressionAttributeValues": {":c": S("closed")}}),
        ]
        for op, body in calls:
            with self.subTest(op=op):
                body = dict(body, TableName=self.t, ReturnValuesOnConditionCheckFailure="ALL_OLD")
                r = raw_ddb(op, body)
                self.assertEqual((r.status, r.error_type()), (400, CCF), r)
                self.assertEqual(r.json.get("Item"), item)
                self.assertEqual(r.message(), "The conditional request failed")
                body["ReturnValuesOnConditionCheckFailure"] = "NONE"
                r = raw_ddb(op, body)
                self.assertEqual((r.status, r.error_type()), (400, CCF), r)
                self.assertNotIn("Item", r.json)
        self.assertEqual(self.get(self.t, K("c2")), item)

    def test_update_and_delete_with_condition(self):
        self.put(self.t, {"id": S("c3"), "status": S("PENDING"), "n": N(1)})
        self.ddb.update_item(TableName=self.t, Key=K("c3"), UpdateExpression="SET #s = :paid",
                             ConditionExpression="#s = :pending AND n < :max",
                             ExpressionAttributeNames={"#s": "status"},
                             ExpressionAttributeValues={":paid": S("PAID"), ":pending": S("PENDING"),
                                                        ":max": N(10)})
        self.assertEqual(self.get(self.t, K("c3"))["status"], S("PAID"))
        self.assertDdbError(CCF, self.ddb.update_item, TableName=self.t, Key=K("c3"),
                            UpdateExpression="SET #s = :paid",
                            ConditionExpression="#s = :pending",
                            ExpressionAttributeNames={"#s": "status"},
                            ExpressionAttributeValues={":paid": S("PAID"), ":pending": S("PENDING")})
        # a condition on a missing item sees no attributes
        self.assertDdbError(CCF, self.ddb.update_item, TableName=self.t, Key=K("ghost"),
                            UpdateExpression="SET a = :a", ConditionExpression="attribute_exists(id)",
                            ExpressionAttributeValues={":a": N(1)})
        self.assertIsNone(self.get(self.t, K("ghost")))
        self.ddb.delete_item(TableName=self.t, Key=K("c3"), ConditionExpression="n = :one",
                             ExpressionAttributeValues={":one": N(1)})
        self.assertIsNone(self.get(self.t, K("c3")))


class TestConsumedCapacity(DdbTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t = cls.make_table("cap", extra_attrs=[("g", "S")], GlobalSecondaryIndexes=[
            {"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "ALL"}}])

    def test_total(self):
        r = self.ddb.put_item(TableName=self.t, Item={"id": S("1"), "v": S("small")},
                              ReturnConsumedCapacity="TOTAL")
        cc = r["ConsumedCapacity"]
        self.assertEqual(cc["TableName"], self.t)
        self.assertEqual(cc["CapacityUnits"], 1.0)
        r = self.ddb.get_item(TableName=self.t, Key=K("1"), ReturnConsumedCapacity="TOTAL",
                              ConsistentRead=True)
        self.assertEqual(r["ConsumedCapacity"], {"TableName": self.t, "CapacityUnits": 1.0})
        r = self.ddb.get_item(TableName=self.t, Key=K("1"), ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["ConsumedCapacity"], {"TableName": self.t, "CapacityUnits": 0.5})
        for op, kw in ((self.ddb.update_item, dict(Key=K("1"), UpdateExpression="SET w = :w",
                                                   ExpressionAttributeValues={":w": N(1)})),
                       (self.ddb.delete_item, dict(Key=K("1"))),
                       (self.ddb.scan, {}),
                       (self.ddb.query, dict(KeyConditionExpression="id = :i",
                                             ExpressionAttributeValues={":i": S("1")}))):
            with self.subTest(op=op.__name__):
                r = op(TableName=self.t, ReturnConsumedCapacity="TOTAL", **kw)
                self.assertEqual(r["ConsumedCapacity"]["TableName"], self.t)
                self.assertGreater(r["ConsumedCapacity"]["CapacityUnits"], 0)

    def test_indexes_and_none(self):
        r = self.ddb.put_item(TableName=self.t, Item={"id": S("2")}, ReturnConsumedCapacity="INDEXES")
        cc = r["ConsumedCapacity"]
        self.assertEqual(cc["TableName"], self.t)
        self.assertEqual(cc["CapacityUnits"], 1.0)
        self.assertEqual(cc["Table"], {"CapacityUnits": 1.0})
        r = self.ddb.put_item(TableName=self.t, Item={"id": S("3")}, ReturnConsumedCapacity="NONE")
        self.assertNotIn("ConsumedCapacity", r)
        r = self.ddb.put_item(TableName=self.t, Item={"id": S("4")})
        self.assertNotIn("ConsumedCapacity", r)

    def test_bigger_items_cost_more(self):
        big = "x" * 3000  # ~3 KB: 3 write units, 1 strongly consistent read unit
        r = self.ddb.put_item(TableName=self.t, Item={"id": S("big"), "v": S(big)},
                              ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["ConsumedCapacity"]["CapacityUnits"], 3.0)
        big = "x" * 5000  # ~5 KB: 2 strongly consistent read units
        self.put(self.t, {"id": S("big"), "v": S(big)})
        r = self.ddb.get_item(TableName=self.t, Key=K("big"), ReturnConsumedCapacity="TOTAL",
                              ConsistentRead=True)
        self.assertEqual(r["ConsumedCapacity"]["CapacityUnits"], 2.0)
