"""DynamoDB through the boto3 resource layer (Decimal numbers, batch_writer,
Key/Attr conditions), and the invoice scenario end to end."""

from decimal import Decimal

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from test_ddb_support import DdbTestCase, unique_table


class TestResource(DdbTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        name = unique_table("res")
        cls.table = cls.res.create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "N"}])
        cls.table.wait_until_exists()

    def test_table_attributes(self):
        self.table.reload()
        self.assertEqual(self.table.table_status, "ACTIVE")
        self.assertEqual(self.table.key_schema[0], {"AttributeName": "pk", "KeyType": "HASH"})
        self.assertIn(self.table.name, [t.name for t in self.res.tables.all()])

    def test_put_get_python_types(self):
        item = {"pk": "types", "sk": 1, "price": Decimal("899.00"), "qty": 3,
                "big": Decimal("12345678901234567890123456789012345678"),
                "ratio": Decimal("0.125"), "ok": True, "none": None, "text": "héllo",
                "blob": b"\x00\x01\xfe", "tags": {"a", "b"}, "nums": {1, 2, 3},
                "nested": {"list": [1, "two", {"three": [Decimal("3.5")]}], "empty": {}}}
        self.table.put_item(Item=item)
        got = self.table.get_item(Key={"pk": "types", "sk": 1}, ConsistentRead=True)["Item"]
        self.assertEqual(got["price"], Decimal("899"))
        self.assertEqual(str(got["price"]), "899")
        self.assertEqual(got["big"], Decimal("12345678901234567890123456789012345678"))
        self.assertEqual(str(got["big"]), "12345678901234567890123456789012345678")
        self.assertEqual(got["qty"], Decimal(3))
        self.assertEqual(got["ratio"], Decimal("0.125"))
        self.assertIs(got["ok"], True)
        self.assertIsNone(got["none"])
        self.assertEqual(got["text"], "héllo")
        self.assertEqual(got["blob"].value, b"\x00\x01\xfe")
        self.assertEqual(got["tags"], {"a", "b"})
        self.assertEqual(got["nums"], {Decimal(1), Decimal(2), Decimal(3)})
        self.assertEqual(got["nested"], {"list": [Decimal(1), "two", {"three": [Decimal("3.5")]}],
                                         "empty": {}})

    def test_batch_writer_and_key_conditions(self):
        with self.table.batch_writer() as bw:
            for i in range(100):
                bw.put_item(Item={"pk": "batch", "sk": i, "even": i % 2 == 0,
                                  "label": "item-%03d" % i})
        items, kw = [], {"KeyConditionExpression": Key("pk").eq("batch")}
        while True:
            r = self.table.query(**kw)
            items.extend(r["Items"])
            if "LastEvaluatedKey" not in r:
                break
            kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]
        self.assertEqual([int(i["sk"]) for i in items], list(range(100)))
        r = self.table.query(KeyConditionExpression=Key("pk").eq("batch") & Key("sk").between(10, 14))
        self.assertEqual([int(i["sk"]) for i in r["Items"]], [10, 11, 12, 13, 14])
        r = self.table.query(KeyConditionExpression=Key("pk").eq("batch") & Key("sk").gte(95),
                             ScanIndexForward=False)
        self.assertEqual([int(i["sk"]) for i in r["Items"]], [99, 98, 97, 96, 95])
        r = self.table.query(KeyConditionExpression=Key("pk").eq("batch") & Key("sk").lt(10),
                             FilterExpression=Attr("even").eq(True) & Attr("label").begins_with("item-00"))
        self.assertEqual([int(i["sk"]) for i in r["Items"]], [0, 2, 4, 6, 8])
        self.assertEqual((r["Count"], r["ScannedCount"]), (5, 10))
        with self.table.batch_writer() as bw:
            for i in range(50):
                bw.delete_item(Key={"pk": "batch", "sk": i})
        r = self.table.query(KeyConditionExpression=Key("pk").eq("batch"), Select="COUNT")
        self.assertEqual(r["Count"], 50)

    def test_attr_conditions(self):
        self.table.put_item(Item={"pk": "cond", "sk": 1, "status": "PENDING", "n": 5, "tags": {"x"}},
                            ConditionExpression=Attr("pk").not_exists())
        self.table.update_item(Key={"pk": "cond", "sk": 1},
                               UpdateExpression="SET #s = :s, n = n + :inc",
                               ConditionExpression=Attr("status").eq("PENDING") & Attr("n").lt(10),
                               ExpressionAttributeNames={"#s": "status"},
                               ExpressionAttributeValues={":s": "DONE", ":inc": 1})
        got = self.table.get_item(Key={"pk": "cond", "sk": 1})["Item"]
        self.assertEqual((got["status"], got["n"]), ("DONE", Decimal(6)))
        exc = self.table.meta.client.exceptions.ConditionalCheckFailedException
        with self.assertRaises(exc):
            self.table.delete_item(Key={"pk": "cond", "sk": 1},
                                   ConditionExpression=Attr("status").ne("DONE"))
        with self.assertRaises(ClientError) as cm:
            self.table.put_item(Item={"pk": "cond", "sk": 1},
                                ConditionExpression=Attr("pk").not_exists())
        self.assertEqual(cm.exception.response["Error"]["Code"], "ConditionalCheckFailedException")
        r = self.table.scan(FilterExpression=Attr("tags").contains("x") & Attr("n").is_in([6, 7])
                            & Attr("missing").not_exists() & Attr("status").attribute_type("S"))
        self.assertEqual([(i["pk"], int(i["sk"])) for i in r["Items"]], [("cond", 1)])
        r = self.table.delete_item(Key={"pk": "cond", "sk": 1}, ReturnValues="ALL_OLD")
        self.assertEqual(r["Attributes"]["status"], "DONE")


class TestInvoiceScenario(DdbTestCase):

    def test_invoices(self):
        table = self.res.create_table(
            TableName="invoices", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                                  {"AttributeName": "customer", "AttributeType": "S"},
                                  {"AttributeName": "issued", "AttributeType": "S"}],
            GlobalSecondaryIndexes=[{
                "IndexName": "by-customer",
                "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"},
                              {"AttributeName": "issued", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"}}])
        table.wait_until_exists()
        invoices = [
            ("INV-001", "acme", "2024-01-15", "120.50", "PENDING"),
            ("INV-002", "acme", "2024-02-01", "80.00", "PAID"),
            ("INV-003", "globex", "2024-01-20", "999.99", "PENDING"),
            ("INV-004", "acme", "2024-01-02", "45.10", "PENDING"),
            ("INV-005", "initech", "2024-03-09", "300", "PAID"),
        ]
        with table.batch_writer() as bw:
            for iid, cust, issued, total, status in invoices:
                bw.put_item(Item={"id": iid, "customer": cust, "issued": issued,
                                  "total": Decimal(total), "status": status,
                                  "lines": [{"sku": "A", "qty": 1}]})
        r = table.query(IndexName="by-customer", KeyConditionExpression=Key("customer").eq("acme"))
        self.assertEqual([i["id"] for i in r["Items"]], ["INV-004", "INV-001", "INV-002"])
        self.assertEqual(r["Items"][2]["total"], Decimal("80"))
        r = table.query(IndexName="by-customer",
                        KeyConditionExpression=Key("customer").eq("acme") & Key("issued").begins_with("2024-01"))
        self.assertEqual([i["id"] for i in r["Items"]], ["INV-004", "INV-001"])

        r = table.update_item(Key={"id": "INV-001"}, UpdateExpression="SET #s = :paid, paid_at = :t",
                              ConditionExpression="#s = :pending",
                              ExpressionAttributeNames={"#s": "status"},
                              ExpressionAttributeValues={":paid": "PAID", ":pending": "PENDING",
                                                         ":t": "2024-04-01"},
                              ReturnValues="UPDATED_NEW")
        self.assertEqual(r["Attributes"], {"status": "PAID", "paid_at": "2024-04-01"})
        with self.assertRaises(ClientError) as cm:
            table.update_item(Key={"id": "INV-001"}, UpdateExpression="SET #s = :paid",
                              ConditionExpression="#s = :pending",
                              ExpressionAttributeNames={"#s": "status"},
                              ExpressionAttributeValues={":paid": "PAID", ":pending": "PENDING"})
        self.assertEqual(cm.exception.response["Error"]["Code"], "ConditionalCheckFailedException")

        r = table.scan(FilterExpression=Attr("status").eq("PAID") & Attr("total").gt(Decimal(100)))
        self.assertEqual(sorted(i["id"] for i in r["Items"]), ["INV-001", "INV-005"])
        self.assertEqual(r["ScannedCount"], 5)
        r = table.query(IndexName="by-customer", KeyConditionExpression=Key("customer").eq("acme"),
                        FilterExpression=Attr("status").eq("PAID"), Select="COUNT")
        self.assertEqual(r["Count"], 2)
        self.assertEqual(self.ddb.describe_table(TableName="invoices")["Table"]["ItemCount"], 5)
