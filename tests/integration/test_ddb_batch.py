"""DynamoDB BatchWriteItem, BatchGetItem, TransactWriteItems, TransactGetItems."""

from test_ddb_support import DdbTestCase

S = lambda v: {"S": v}  # noqa: E731
N = lambda v: {"N": str(v)}  # noqa: E731
K = lambda v: {"id": {"S": v}}  # noqa: E731
TCE = "TransactionCanceledException"


def ids(items):
    return sorted(i["id"]["S"] for i in items)


class TestBatchWrite(DdbTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t1 = cls.make_table("bw1")
        cls.t2 = cls.make_table("bw2", hash_key=("pk", "N"))

    def mine(self):
        return self.scan_all(self.t1, FilterExpression="begins_with(id, :i)",
                             ExpressionAttributeValues={":i": S("i")})

    def test_put_and_delete_across_tables(self):
        reqs = {self.t1: [{"PutRequest": {"Item": {"id": S("i%02d" % i), "v": N(i)}}}
                          for i in range(20)],
                self.t2: [{"PutRequest": {"Item": {"pk": N(i)}}} for i in range(5)]}
        r = self.ddb.batch_write_item(RequestItems=reqs)
        self.assertEqual(r["UnprocessedItems"], {})
        self.assertEqual(len(self.mine()), 20)
        self.assertEqual(len(self.scan_all(self.t2)), 5)
        r = self.ddb.batch_write_item(RequestItems={self.t1: [
            {"DeleteRequest": {"Key": K("i00")}},
            {"DeleteRequest": {"Key": K("i01")}},
            {"DeleteRequest": {"Key": K("never-existed")}},
            {"PutRequest": {"Item": {"id": S("i02"), "v": S("replaced")}}}]})
        self.assertEqual(r["UnprocessedItems"], {})
        self.assertEqual(len(self.mine()), 18)
        self.assertEqual(self.get(self.t1, K("i02")), {"id": S("i02"), "v": S("replaced")})

    def test_more_than_25_requests(self):
        reqs = [{"PutRequest": {"Item": {"id": S("x%02d" % i)}}} for i in range(26)]
        self.assertValidation(self.ddb.batch_write_item, RequestItems={self.t1: reqs},
                              contains="Member must have length less than or equal to 25")
        self.assertIsNone(self.get(self.t1, K("x00")))
        # 25 split across two tables is fine, 26 across two tables is not
        half = [{"PutRequest": {"Item": {"pk": N(100 + i)}}} for i in range(13)]
        self.assertValidation(self.ddb.batch_write_item,
                              RequestItems={self.t1: reqs[:13], self.t2: half},
                              prefix="Too many items requested for the BatchWriteItem call")

    def test_duplicate_keys(self):
        self.assertValidation(self.ddb.batch_write_item, RequestItems={self.t1: [
            {"PutRequest": {"Item": {"id": S("dup"), "v": N(1)}}},
            {"DeleteRequest": {"Key": K("dup")}}]},
            message="Provided list of item keys contains duplicates")

    def test_bad_item_rejects_whole_batch(self):
        self.assertValidation(self.ddb.batch_write_item, RequestItems={self.t1: [
            {"PutRequest": {"Item": {"id": S("ok-1")}}},
            {"PutRequest": {"Item": {"id": N(5)}}}]})
        self.assertIsNone(self.get(self.t1, K("ok-1")))


class TestBatchGet(DdbTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t1 = cls.make_table("bg1")
        cls.t2 = cls.make_table("bg2")
        for start in range(0, 100, 25):
            cls.ddb.batch_write_item(RequestItems={cls.t1: [
                {"PutRequest": {"Item": {"id": S("k%03d" % i), "v": N(i), "w": S("w")}}}
                for i in range(start, start + 25)]})
        cls.ddb.put_item(TableName=cls.t2, Item={"id": S("other"), "z": S("z")})

    def test_get_100_keys(self):
        r = self.ddb.batch_get_item(RequestItems={self.t1: {
            "Keys": [K("k%03d" % i) for i in range(99)] + [K("missing")]}})
        self.assertEqual(r["UnprocessedKeys"], {})
        self.assertEqual(ids(r["Responses"][self.t1]), ["k%03d" % i for i in range(99)])

    def test_more_than_100_keys(self):
        self.assertValidation(self.ddb.batch_get_item, RequestItems={self.t1: {
            "Keys": [K("k%03d" % i) for i in range(101)]}},
            contains="Member must have length less than or equal to 100")
        self.assertValidation(self.ddb.batch_get_item, RequestItems={
            self.t1: {"Keys": [K("k%03d" % i) for i in range(60)]},
            self.t2: {"Keys": [K("o%03d" % i) for i in range(41)]}},
            message="Too many items requested for the BatchGetItem call")

    def test_projection_and_two_tables(self):
        r = self.ddb.batch_get_item(RequestItems={
            self.t1: {"Keys": [K("k001"), K("k002")], "ProjectionExpression": "#v",
                      "ExpressionAttributeNames": {"#v": "v"}, "ConsistentRead": True},
            self.t2: {"Keys": [K("other")]}})
        self.assertEqual(sorted(i["v"]["N"] for i in r["Responses"][self.t1]), ["1", "2"])
        self.assertEqual(r["Responses"][self.t1][0].keys(), {"v"})
        self.assertEqual(r["Responses"][self.t2], [{"id": S("other"), "z": S("z")}])
        self.assertEqual(r["UnprocessedKeys"], {})

    def test_duplicate_keys(self):
        self.assertValidation(self.ddb.batch_get_item,
                              RequestItems={self.t1: {"Keys": [K("k001"), K("k001")]}},
                              message="Provided list of item keys contains duplicates")


class TestTransactWrite(DdbTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t = cls.make_table("tx")

    def test_all_kinds_succeed(self):
        self.put(self.t, {"id": S("upd"), "n": N(1)})
        self.put(self.t, {"id": S("del")})
        self.put(self.t, {"id": S("chk"), "ok": {"BOOL": True}})
        self.ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": self.t, "Item": {"id": S("new"), "v": S("x")},
                     "ConditionExpression": "attribute_not_exists(id)"}},
            {"Update": {"TableName": self.t, "Key": K("upd"), "UpdateExpression": "SET n = n + :one",
                        "ExpressionAttributeValues": {":one": N(1)}}},
            {"Delete": {"TableName": self.t, "Key": K("del")}},
            {"ConditionCheck": {"TableName": self.t, "Key": K("chk"),
                                "ConditionExpression": "ok = :t",
                                "ExpressionAttributeValues": {":t": {"BOOL": True}}}}])
        self.assertEqual(self.get(self.t, K("new")), {"id": S("new"), "v": S("x")})
        self.assertEqual(self.get(self.t, K("upd"))["n"], N(2))
        self.assertIsNone(self.get(self.t, K("del")))

    def test_all_or_nothing(self):
        self.put(self.t, {"id": S("a1"), "n": N(1)})
        self.put(self.t, {"id": S("a2"), "state": S("locked")})
        with self.assertRaises(Exception) as cm:
            self.ddb.transact_write_items(TransactItems=[
                {"Put": {"TableName": self.t, "Item": {"id": S("a0")}}},
                {"ConditionCheck": {"TableName": self.t, "Key": K("a2"),
                                    "ConditionExpression": "#s = :open",
                                    "ExpressionAttributeNames": {"#s": "state"},
                                    "ExpressionAttributeValues": {":open": S("open")}}},
                {"Update": {"TableName": self.t, "Key": K("a1"), "UpdateExpression": "SET n = :n",
                            "ExpressionAttributeValues": {":n": N(99)}}}])
        resp = cm.exception.response
        self.assertEqual(resp["Error"]["Code"], TCE)
        self.assertEqual([r["Code"] for r in resp["CancellationReasons"]],
                         ["None", "ConditionalCheckFailed", "None"])
        self.assertEqual(resp["Error"]["Message"],
                         "Transaction cancelled, please refer cancellation reasons for specific "
                         "reasons [None, ConditionalCheckFailed, None]")
        self.assertIsNone(self.get(self.t, K("a0")))
        self.assertEqual(self.get(self.t, K("a1"))["n"], N(1))

    def test_cancellation_item_on_failure(self):
        self.put(self.t, {"id": S("b1"), "v": N(5)})
        resp = self.assertDdbError(TCE, self.ddb.transact_write_items, TransactItems=[
            {"Update": {"TableName": self.t, "Key": K("b1"), "UpdateExpression": "SET v = :z",
                        "ConditionExpression": "v > :ten",
                        "ExpressionAttributeValues": {":z": N(0), ":ten": N(10)},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
            {"Put": {"TableName": self.t, "Item": {"id": S("b2")},
                     "ConditionExpression": "attribute_exists(id)"}}])
        reasons = resp["CancellationReasons"]
        self.assertEqual([r["Code"] for r in reasons],
                         ["ConditionalCheckFailed", "ConditionalCheckFailed"])
        self.assertEqual(reasons[0]["Item"], {"id": S("b1"), "v": N(5)})
        self.assertNotIn("Item", reasons[1])
        self.assertEqual(reasons[0]["Message"], "The conditional request failed")

    def test_two_operations_on_one_item(self):
        self.assertValidation(self.ddb.transact_write_items, TransactItems=[
            {"Put": {"TableName": self.t, "Item": {"id": S("same"), "v": N(1)}}},
            {"Update": {"TableName": self.t, "Key": K("same"), "UpdateExpression": "SET v = :v",
                        "ExpressionAttributeValues": {":v": N(2)}}}],
            message="Transaction request cannot include multiple operations on one item")
        self.assertIsNone(self.get(self.t, K("same")))

    def test_more_than_100_operations(self):
        items = [{"Put": {"TableName": self.t, "Item": {"id": S("m%03d" % i)}}} for i in range(101)]
        self.assertValidation(self.ddb.transact_write_items, TransactItems=items,
                              contains="Member must have length less than or equal to 100")
        self.assertIsNone(self.get(self.t, K("m000")))
        self.ddb.transact_write_items(TransactItems=items[:100])
        self.assertEqual(self.get(self.t, K("m099")), {"id": S("m099")})

    def test_validation_error_in_one_operation(self):
        # AWS answers ValidationException, or cancels with a ValidationError reason
        with self.assertRaises(Exception) as cm:
            self.ddb.transact_write_items(TransactItems=[
                {"Put": {"TableName": self.t, "Item": {"id": S("v1")}}},
                {"Put": {"TableName": self.t, "Item": {"nokey": S("v2")}}}])
        resp = cm.exception.response
        if resp["Error"]["Code"] == TCE:
            self.assertEqual([r["Code"] for r in resp["CancellationReasons"]],
                             ["None", "ValidationError"])
        else:
            self.assertEqual(resp["Error"]["Code"], "ValidationException")
        self.assertIsNone(self.get(self.t, K("v1")))


class TestTransactGet(DdbTestCase):

    def test_transact_get(self):
        t1 = self.make_table("tg1")
        t2 = self.make_table("tg2")
        self.put(t1, {"id": S("a"), "v": N(1), "w": S("x")})
        self.put(t2, {"id": S("b"), "v": N(2)})
        r = self.ddb.transact_get_items(TransactItems=[
            {"Get": {"TableName": t2, "Key": K("b")}},
            {"Get": {"TableName": t1, "Key": K("missing")}},
            {"Get": {"TableName": t1, "Key": K("a"), "ProjectionExpression": "#w",
                     "ExpressionAttributeNames": {"#w": "w"}}}])
        resp = r["Responses"]
        self.assertEqual(len(resp), 3)
        self.assertEqual(resp[0]["Item"], {"id": S("b"), "v": N(2)})
        self.assertNotIn("Item", resp[1])
        self.assertEqual(resp[2]["Item"], {"w": S("x")})
        items = [{"Get": {"TableName": t1, "Key": K("k%03d" % i)}} for i in range(101)]
        self.assertValidation(self.ddb.transact_get_items, TransactItems=items,
                              contains="Member must have length less than or equal to 100")
        r = self.ddb.transact_get_items(TransactItems=items[:100])  # the limit is 100, not 25
        self.assertEqual(len(r["Responses"]), 100)
