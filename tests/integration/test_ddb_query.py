"""DynamoDB Query and Scan: key conditions, order, paging, filters, projection,
Select, GSI/LSI, the 1 MB page, numeric and binary sort keys, parallel scan."""

from decimal import Decimal

from test_ddb_support import DdbTestCase, key_schema

S = lambda v: {"S": v}  # noqa: E731
N = lambda v: {"N": str(v)}  # noqa: E731


def sks(items, name="sk"):
    return [list(i[name].values())[0] for i in items]


class TestQueryTable(DdbTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t = cls.make_table("q", hash_key=("pk", "S"), range_key=("sk", "S"))
        cls.all = ["a%02d" % i for i in range(1, 11)] + ["b01", "b02", "b03"]
        for i, sk in enumerate(cls.all):
            cls.ddb.put_item(TableName=cls.t, Item={"pk": S("p"), "sk": S(sk), "n": N(i),
                                                    "odd": {"BOOL": i % 2 == 1}, "pad": S("x")})
        cls.ddb.put_item(TableName=cls.t, Item={"pk": S("other"), "sk": S("a01")})

    def q(self, cond, values, **kw):
        vals = {":p": S("p")}
        vals.update(values)
        return self.ddb.query(TableName=self.t, KeyConditionExpression="pk = :p" + cond,
                              ExpressionAttributeValues=vals, **kw)

    def test_hash_only(self):
        r = self.q("", {})
        self.assertEqual(sks(r["Items"]), self.all)
        self.assertEqual(r["Count"], 13)
        self.assertEqual(r["ScannedCount"], 13)
        self.assertNotIn("LastEvaluatedKey", r)

    def test_sort_key_operators(self):
        cases = [
            (" AND sk = :a", {":a": S("a05")}, ["a05"]),
            (" AND sk < :a", {":a": S("a03")}, ["a01", "a02"]),
            (" AND sk <= :a", {":a": S("a03")}, ["a01", "a02", "a03"]),
            (" AND sk > :a", {":a": S("a10")}, ["b01", "b02", "b03"]),
            (" AND sk >= :a", {":a": S("b02")}, ["b02", "b03"]),
            (" AND sk BETWEEN :a AND :b", {":a": S("a09"), ":b": S("b01")}, ["a09", "a10", "b01"]),
            (" AND begins_with(sk, :a)", {":a": S("b")}, ["b01", "b02", "b03"]),
            (" AND begins_with(sk, :a)", {":a": S("a1")}, ["a10"]),
        ]
        for cond, vals, want in cases:
            with self.subTest(cond=cond):
                self.assertEqual(sks(self.q(cond, vals)["Items"]), want)
        r = self.ddb.query(TableName=self.t, KeyConditionExpression="#k = :a AND pk = :p",
                           ExpressionAttributeNames={"#k": "sk"},
                           ExpressionAttributeValues={":p": S("p"), ":a": S("a02")})
        self.assertEqual(sks(r["Items"]), ["a02"])

    def test_scan_index_forward(self):
        r = self.q(" AND sk < :a", {":a": S("b")}, ScanIndexForward=False)
        self.assertEqual(sks(r["Items"]), list(reversed(self.all[:10])))
        r = self.q("", {}, ScanIndexForward=False, Limit=2)
        self.assertEqual(sks(r["Items"]), ["b03", "b02"])
        self.assertEqual(r["LastEvaluatedKey"], {"pk": S("p"), "sk": S("b02")})

    def test_limit_paging(self):
        r = self.q("", {}, Limit=4)
        self.assertEqual(sks(r["Items"]), self.all[:4])
        self.assertEqual(r["LastEvaluatedKey"], {"pk": S("p"), "sk": S("a04")})
        r = self.q("", {}, Limit=4, ExclusiveStartKey=r["LastEvaluatedKey"])
        self.assertEqual(sks(r["Items"]), self.all[4:8])
        items, pages = self.query_all(self.t, KeyConditionExpression="pk = :p",
                                      ExpressionAttributeValues={":p": S("p")}, Limit=5)
        self.assertEqual(sks(items), self.all)
        self.assertIn(pages, (3, 4))  # AWS may end with an empty page when Limit divides evenly
        pages = list(self.ddb.get_paginator("query").paginate(
            TableName=self.t, KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": S("p")}, PaginationConfig={"PageSize": 6}))
        self.assertEqual(sks([i for p in pages for i in p["Items"]]), self.all)

    def test_filter_count_vs_scanned(self):
        r = self.q("", {":t": {"BOOL": True}}, FilterExpression="odd = :t")
        self.assertEqual(r["Count"], 6)
        self.assertEqual(r["ScannedCount"], 13)
        self.assertEqual(sks(r["Items"]), self.all[1::2])
        # Limit counts items read, before the filter
        r = self.q("", {":t": {"BOOL": True}}, FilterExpression="odd = :t", Limit=5)
        self.assertEqual(r["ScannedCount"], 5)
        self.assertEqual(r["Count"], 2)
        self.assertEqual(r["LastEvaluatedKey"], {"pk": S("p"), "sk": S("a05")})
        self.assertValidation(self.q, "", {":v": N(1)}, FilterExpression="sk = :v",
                              message="Filter Expression can only contain non-primary key "
                                      "attributes: Primary key attribute: sk")

    def test_projection_and_select(self):
        r = self.q(" AND sk = :a", {":a": S("a02")}, ProjectionExpression="n, #o",
                   ExpressionAttributeNames={"#o": "odd"})
        self.assertEqual(r["Items"], [{"n": N(1), "odd": {"BOOL": True}}])
        r = self.q(" AND sk = :a", {":a": S("a02")}, Select="SPECIFIC_ATTRIBUTES",
                   ProjectionExpression="sk")
        self.assertEqual(r["Items"], [{"sk": S("a02")}])
        r = self.q("", {}, Select="COUNT")
        self.assertNotIn("Items", r)
        self.assertEqual((r["Count"], r["ScannedCount"]), (13, 13))
        r = self.q(" AND sk = :a", {":a": S("a01")}, Select="ALL_ATTRIBUTES")
        self.assertEqual(set(r["Items"][0]), {"pk", "sk", "n", "odd", "pad"})
        self.assertValidation(self.q, "", {}, Select="ALL_ATTRIBUTES", ProjectionExpression="n",
                              message="Cannot specify the ProjectionExpression when choosing to "
                                      "get ALL_ATTRIBUTES")

    def test_key_condition_errors(self):
        self.assertValidation(self.ddb.query, TableName=self.t, KeyConditionExpression="sk = :a",
                              ExpressionAttributeValues={":a": S("a01")},
                              message="Query condition missed key schema element: pk")
        self.assertValidation(self.q, " AND n = :n", {":n": N(1)},
                              message="Query condition missed key schema element: sk")
        self.assertValidation(self.ddb.query, TableName=self.t,
                              KeyConditionExpression="pk = :p OR sk = :a",
                              ExpressionAttributeValues={":p": S("p"), ":a": S("a")},
                              message="Invalid operator used in KeyConditionExpression: OR")
        self.assertValidation(self.q, " AND sk <> :a", {":a": S("a01")},
                              message="Invalid operator used in KeyConditionExpression: <>")
        self.assertValidation(self.ddb.query, TableName=self.t,
                              message="Either the KeyConditions or KeyConditionExpression "
                                      "parameter must be specified in the request.")


class TestIndexes(DdbTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t = cls.make_table(
            "ix", hash_key=("pk", "S"), range_key=("sk", "S"),
            extra_attrs=[("cust", "S"), ("amount", "N"), ("created", "S")],
            GlobalSecondaryIndexes=[
                {"IndexName": "by-cust", "KeySchema": key_schema(("cust", "S"), ("amount", "N")),
                 "Projection": {"ProjectionType": "ALL"}},
                {"IndexName": "cust-keys", "KeySchema": key_schema(("cust", "S")),
                 "Projection": {"ProjectionType": "KEYS_ONLY"}},
                {"IndexName": "cust-incl", "KeySchema": key_schema(("cust", "S")),
                 "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["note"]}}],
            LocalSecondaryIndexes=[
                {"IndexName": "by-created", "KeySchema": key_schema(("pk", "S"), ("created", "S")),
                 "Projection": {"ProjectionType": "ALL"}}])
        rows = [("o1", "alice", 30, "2024-03"), ("o2", "bob", 5, "2024-01"),
                ("o3", "alice", 7, "2024-02"), ("o4", "alice", 100, "2024-01"),
                ("o5", "carol", 1, "2024-05")]
        for sk, cust, amount, created in rows:
            cls.ddb.put_item(TableName=cls.t, Item={
                "pk": S("shop"), "sk": S(sk), "cust": S(cust), "amount": N(amount),
                "created": S(created), "note": S("n-" + sk), "extra": S("e")})
        cls.ddb.put_item(TableName=cls.t, Item={"pk": S("shop"), "sk": S("o6"), "note": S("no cust")})

    def test_gsi_query_order_and_paging(self):
        r = self.ddb.query(TableName=self.t, IndexName="by-cust", KeyConditionExpression="cust = :c",
                           ExpressionAttributeValues={":c": S("alice")})
        self.assertEqual(sks(r["Items"]), ["o3", "o1", "o4"])  # by amount 7, 30, 100
        self.assertEqual(r["Items"][0]["note"], S("n-o3"))
        r = self.ddb.query(TableName=self.t, IndexName="by-cust",
                           KeyConditionExpression="cust = :c AND amount > :a",
                           ExpressionAttributeValues={":c": S("alice"), ":a": N(10)},
                           ScanIndexForward=False, Limit=1)
        self.assertEqual(sks(r["Items"]), ["o4"])
        self.assertEqual(r["LastEvaluatedKey"], {"pk": S("shop"), "sk": S("o4"),
                                                 "cust": S("alice"), "amount": N(100)})
        r = self.ddb.query(TableName=self.t, IndexName="by-cust",
                           KeyConditionExpression="cust = :c AND amount > :a",
                           ExpressionAttributeValues={":c": S("alice"), ":a": N(10)},
                           ScanIndexForward=False, Limit=1, ExclusiveStartKey=r["LastEvaluatedKey"])
        self.assertEqual(sks(r["Items"]), ["o1"])

    def test_gsi_projections(self):
        r = self.ddb.query(TableName=self.t, IndexName="cust-keys", KeyConditionExpression="cust = :c",
                           ExpressionAttributeValues={":c": S("bob")})
        self.assertEqual(r["Items"], [{"pk": S("shop"), "sk": S("o2"), "cust": S("bob")}])
        r = self.ddb.query(TableName=self.t, IndexName="cust-incl", KeyConditionExpression="cust = :c",
                           ExpressionAttributeValues={":c": S("bob")})
        self.assertEqual(r["Items"], [{"pk": S("shop"), "sk": S("o2"), "cust": S("bob"),
                                       "note": S("n-o2")}])

    def test_gsi_scan_skips_items_without_index_key(self):
        items = self.scan_all(self.t, IndexName="by-cust")
        self.assertEqual(sorted(sks(items)), ["o1", "o2", "o3", "o4", "o5"])
        self.assertEqual(len(self.scan_all(self.t)), 6)

    def test_lsi_query(self):
        r = self.ddb.query(TableName=self.t, IndexName="by-created",
                           KeyConditionExpression="pk = :p AND created BETWEEN :a AND :b",
                           ExpressionAttributeValues={":p": S("shop"), ":a": S("2024-01"),
                                                      ":b": S("2024-02")})
        self.assertEqual(sorted(sks(r["Items"])), ["o2", "o3", "o4"])
        self.assertEqual(sks(r["Items"])[-1], "o3")
        r = self.ddb.query(TableName=self.t, IndexName="by-created", ConsistentRead=True,
                           KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("shop")})
        self.assertEqual(r["Count"], 5)

    def test_gsi_errors(self):
        self.assertValidation(self.ddb.query, TableName=self.t, IndexName="by-cust", ConsistentRead=True,
                              KeyConditionExpression="cust = :c",
                              ExpressionAttributeValues={":c": S("bob")},
                              message="Consistent reads are not supported on global secondary indexes")
        self.assertValidation(self.ddb.query, TableName=self.t, IndexName="nope",
                              KeyConditionExpression="cust = :c",
                              ExpressionAttributeValues={":c": S("bob")},
                              message="The table does not have the specified index: nope")


class TestSortKeyTypes(DdbTestCase):

    def test_numeric_sort_key(self):
        t = self.make_table("num", hash_key=("pk", "S"), range_key=("sk", "N"))
        for v in ("10", "1e3", "-5", "2", "0.5", "-0.25", "100"):
            self.put(t, {"pk": S("p"), "sk": N(v)})
        r = self.ddb.query(TableName=t, KeyConditionExpression="pk = :p",
                           ExpressionAttributeValues={":p": S("p")})
        self.assertEqual([Decimal(x) for x in sks(r["Items"])],
                         [Decimal(x) for x in ("-5", "-0.25", "0.5", "2", "10", "100", "1000")])
        r = self.ddb.query(TableName=t, KeyConditionExpression="pk = :p AND sk > :v",
                           ExpressionAttributeValues={":p": S("p"), ":v": N("1.5")})
        self.assertEqual([Decimal(x) for x in sks(r["Items"])],
                         [Decimal(x) for x in ("2", "10", "100", "1000")])
        r = self.ddb.query(TableName=t, KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
                           ExpressionAttributeValues={":p": S("p"), ":a": N(-1), ":b": N(10)})
        self.assertEqual(sks(r["Items"]), ["-0.25", "0.5", "2", "10"])

    def test_binary_sort_key_unsigned(self):
        t = self.make_table("bin", hash_key=("pk", "S"), range_key=("sk", "B"))
        vals = [b"\xff\x00", b"\x80", b"\x00", b"\x7f", b"\xff", b"\x01", b"\x00\x01"]
        for v in vals:
            self.put(t, {"pk": S("p"), "sk": {"B": v}})
        r = self.ddb.query(TableName=t, KeyConditionExpression="pk = :p",
                           ExpressionAttributeValues={":p": S("p")})
        self.assertEqual(sks(r["Items"]), sorted(vals))
        r = self.ddb.query(TableName=t, KeyConditionExpression="pk = :p AND begins_with(sk, :b)",
                           ExpressionAttributeValues={":p": S("p"), ":b": {"B": b"\xff"}})
        self.assertEqual(sks(r["Items"]), [b"\xff", b"\xff\x00"])
        r = self.ddb.query(TableName=t, KeyConditionExpression="pk = :p AND sk > :b",
                           ExpressionAttributeValues={":p": S("p"), ":b": {"B": b"\x7f"}})
        self.assertEqual(sks(r["Items"]), [b"\x80", b"\xff", b"\xff\x00"])


class TestOneMegabytePage(DdbTestCase):

    def test_query_and_scan_stop_near_1mb(self):
        t = self.make_table("mb", hash_key=("pk", "S"), range_key=("sk", "N"))
        blob = "x" * (100 * 1000)
        for i in range(30):
            self.put(t, {"pk": S("big"), "sk": N(i), "blob": S(blob)})
        r = self.ddb.query(TableName=t, KeyConditionExpression="pk = :p",
                           ExpressionAttributeValues={":p": S("big")})
        self.assertIn(r["Count"], (9, 10, 11), "first page should hold ~1 MB")
        self.assertEqual(r["ScannedCount"], r["Count"])
        self.assertEqual(r["LastEvaluatedKey"], {"pk": S("big"), "sk": N(r["Count"] - 1)})
        items, pages = self.query_all(t, KeyConditionExpression="pk = :p",
                                      ExpressionAttributeValues={":p": S("big")})
        self.assertEqual(sks(items), [str(i) for i in range(30)])
        self.assertIn(pages, (3, 4))
        r = self.ddb.scan(TableName=t)
        self.assertIn(r["Count"], (9, 10, 11))
        self.assertIn("LastEvaluatedKey", r)
        # a COUNT query still pages at 1 MB of items read
        r = self.ddb.query(TableName=t, KeyConditionExpression="pk = :p",
                           ExpressionAttributeValues={":p": S("big")}, Select="COUNT")
        self.assertIn(r["Count"], (9, 10, 11))
        self.assertIn("LastEvaluatedKey", r)


class TestScan(DdbTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t = cls.make_table("scan")
        for i in range(50):
            cls.ddb.put_item(TableName=cls.t, Item={"id": S("k%03d" % i), "n": N(i),
                                                    "tag": S("even" if i % 2 == 0 else "odd")})

    def test_paging_and_filter(self):
        items = self.scan_all(self.t, Limit=7)
        self.assertEqual(sorted(sks(items, "id")), ["k%03d" % i for i in range(50)])
        r = self.ddb.scan(TableName=self.t, FilterExpression="n < :v",
                          ExpressionAttributeValues={":v": N(10)})
        self.assertEqual((r["Count"], r["ScannedCount"]), (10, 50))
        r = self.ddb.scan(TableName=self.t, Limit=10, FilterExpression="tag = :t",
                          ExpressionAttributeValues={":t": S("even")})
        self.assertEqual(r["ScannedCount"], 10)
        self.assertLessEqual(r["Count"], 10)
        self.assertIn("LastEvaluatedKey", r)
        items = self.scan_all(self.t, FilterExpression="tag = :t",
                              ExpressionAttributeValues={":t": S("even")}, Limit=9)
        self.assertEqual(len(items), 25)

    def test_projection_and_count(self):
        r = self.ddb.scan(TableName=self.t, ProjectionExpression="n", FilterExpression="id = :k",
                          ExpressionAttributeValues={":k": S("k007")})
        self.assertEqual(r["Items"], [{"n": N(7)}])
        r = self.ddb.scan(TableName=self.t, Select="COUNT")
        self.assertEqual(r["Count"], 50)
        self.assertNotIn("Items", r)

    def test_parallel_scan(self):
        seen = []
        for seg in range(4):
            got = self.scan_all(self.t, Segment=seg, TotalSegments=4, Limit=6)
            seen.extend(sks(got, "id"))
        self.assertEqual(len(seen), 50, "duplicates or missing items")
        self.assertEqual(sorted(seen), ["k%03d" % i for i in range(50)])
        seg0 = sks(self.scan_all(self.t, Segment=0, TotalSegments=1), "id")
        self.assertEqual(sorted(seg0), sorted(seen))

    def test_parallel_scan_errors(self):
        self.assertValidation(self.ddb.scan, TableName=self.t, Segment=4, TotalSegments=4,
                              prefix="The Segment parameter is zero-based and must be less "
                                     "than parameter TotalSegments")
        self.assertValidation(self.ddb.scan, TableName=self.t, Segment=1,
                              message="The TotalSegments parameter is required but was not "
                                      "present in the request when Segment parameter is present")
