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
