"""DynamoDB tables: CreateTable and its validation, DescribeTable, ListTables,
DeleteTable, UpdateTable (billing, throughput, GSI create with backfill and
delete), TTL, tags, waiters, ResourceNotFoundException on every operation."""

import time

from test_ddb_support import DdbTestCase, key_schema, table_arn, unique_table

PPR = {"BillingMode": "PAY_PER_REQUEST"}
PT = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 7}
ERR_HEAD = "One or more parameter values were invalid: "


def attr_defs(*pairs):
    return [{"AttributeName": n, "AttributeType": t} for n, t in pairs]


class TestCreateDescribe(DdbTestCase):

    def test_hash_only_pay_per_request(self):
        name = unique_table("ppr")
        r = self.ddb.create_table(TableName=name, KeySchema=key_schema(("id", "S")),
                                  AttributeDefinitions=attr_defs(("id", "S")), **PPR)
        td = r["TableDescription"]
        self.assertEqual(td["TableName"], name)
        self.assertIn(td["TableStatus"], ("CREATING", "ACTIVE"))
        self.assertEqual(td["TableArn"], table_arn(name))
        t = self.ddb.describe_table(TableName=name)["Table"]
        self.assertEqual(t["TableStatus"], "ACTIVE")
        self.assertEqual(t["TableName"], name)
        self.assertEqual(t["TableArn"], "arn:aws:dynamodb:us-east-1:000000000000:table/" + name)
        self.assertEqual(t["KeySchema"], [{"AttributeName": "id", "KeyType": "HASH"}])
        self.assertEqual(t["AttributeDefinitions"], attr_defs(("id", "S")))
        self.assertEqual(t["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        self.assertEqual(t["ItemCount"], 0)
        self.assertEqual(t["TableSizeBytes"], 0)
        self.assertEqual(t["ProvisionedThroughput"]["ReadCapacityUnits"], 0)
        self.assertEqual(t["ProvisionedThroughput"]["WriteCapacityUnits"], 0)
        self.assertTrue(t.get("TableId"))
        self.assertIn("CreationDateTime", t)
        self.assertNotIn("GlobalSecondaryIndexes", t)
        self.assertNotIn("LocalSecondaryIndexes", t)

    def test_hash_range_provisioned_each_key_type(self):
        for ht, rt in (("S", "N"), ("N", "B"), ("B", "S")):
            with self.subTest(hash=ht, range=rt):
                name = unique_table("prov")
                self.ddb.create_table(
                    TableName=name, KeySchema=key_schema(("pk", ht), ("sk", rt)),
                    AttributeDefinitions=attr_defs(("pk", ht), ("sk", rt)),
                    ProvisionedThroughput=PT)
                t = self.ddb.describe_table(TableName=name)["Table"]
                self.assertEqual(t["KeySchema"], [{"AttributeName": "pk", "KeyType": "HASH"},
                                                  {"AttributeName": "sk", "KeyType": "RANGE"}])
                self.assertEqual(sorted((a["AttributeName"], a["AttributeType"])
                                        for a in t["AttributeDefinitions"]),
                                 [("pk", ht), ("sk", rt)])
                self.assertEqual(t["ProvisionedThroughput"]["ReadCapacityUnits"], 5)
                self.assertEqual(t["ProvisionedThroughput"]["WriteCapacityUnits"], 7)
                self.assertEqual(t.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED"),
                                 "PROVISIONED")

    def test_indexes_described(self):
        name = unique_table("idx")
        self.ddb.create_table(
            TableName=name, KeySchema=key_schema(("pk", "S"), ("sk", "S")),
            AttributeDefinitions=attr_defs(("pk", "S"), ("sk", "S"), ("g", "S"), ("n", "N"),
                                           ("l", "S")),
            GlobalSecondaryIndexes=[
                {"IndexName": "g-keys", "KeySchema": key_schema(("g", "S")),
                 "Projection": {"ProjectionType": "KEYS_ONLY"}},
                {"IndexName": "g-incl", "KeySchema": key_schema(("g", "S"), ("n", "N")),
                 "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a", "b"]}},
                {"IndexName": "g-all", "KeySchema": key_schema(("n", "N")),
                 "Projection": {"ProjectionType": "ALL"}}],
            LocalSecondaryIndexes=[
                {"IndexName": "l-all", "KeySchema": key_schema(("pk", "S"), ("l", "S")),
                 "Projection": {"ProjectionType": "ALL"}}],
            **PPR)
        t = self.ddb.describe_table(TableName=name)["Table"]
        gsis = {g["IndexName"]: g for g in t["GlobalSecondaryIndexes"]}
        self.assertEqual(sorted(gsis), ["g-all", "g-incl", "g-keys"])
        self.assertEqual(gsis["g-keys"]["Projection"], {"ProjectionType": "KEYS_ONLY"})
        self.assertEqual(gsis["g-incl"]["Projection"]["ProjectionType"], "INCLUDE")
        self.assertEqual(sorted(gsis["g-incl"]["Projection"]["NonKeyAttributes"]), ["a", "b"])
        self.assertEqual(gsis["g-incl"]["KeySchema"],
                         [{"AttributeName": "g", "KeyType": "HASH"},
                          {"AttributeName": "n", "KeyType": "RANGE"}])
        for g in gsis.values():
            self.assertEqual(g["IndexStatus"], "ACTIVE")
            self.assertEqual(g["IndexArn"], table_arn(name) + "/index/" + g["IndexName"])
            self.assertEqual(g["ItemCount"], 0)
        lsis = t["LocalSecondaryIndexes"]
        self.assertEqual([l["IndexName"] for l in lsis], ["l-all"])
        self.assertEqual(lsis[0]["KeySchema"], [{"AttributeName": "pk", "KeyType": "HASH"},
                                                {"AttributeName": "l", "KeyType": "RANGE"}])
        self.assertEqual(lsis[0]["Projection"], {"ProjectionType": "ALL"})
        self.assertEqual(lsis[0]["IndexArn"], table_arn(name) + "/index/l-all")

    def test_create_twice_is_resource_in_use(self):
        name = self.make_table("twice")
        self.assertDdbError("ResourceInUseException", self.make_table, name=name,
                            message="Table already exists: " + name)

    def test_item_count_and_size(self):
        name = self.make_table("count")
        for k in ("a", "bb", "ccc"):
            self.put(name, {"id": {"S": k}, "data": {"S": "xyz"}})
        t = self.ddb.describe_table(TableName=name)["Table"]
        self.assertEqual(t["ItemCount"], 3)
        # size = len(names) + len(utf-8 values): (2+1+4+3) + (2+2+4+3) + (2+3+4+3)
        self.assertEqual(t["TableSizeBytes"], 10 + 11 + 12)


class TestCreateValidation(DdbTestCase):

    def create(self, **kw):
        kw.setdefault("TableName", unique_table("bad"))
        return self.ddb.create_table(**kw)

    def test_key_not_in_attribute_definitions(self):
        self.assertValidation(self.create, KeySchema=key_schema(("id", "S")),
                              AttributeDefinitions=attr_defs(("other", "S")), **PPR,
                              prefix=ERR_HEAD + "Some index key attributes are not defined "
                                                "in AttributeDefinitions")

    def test_extra_attribute_definition(self):
        self.assertValidation(self.create, KeySchema=key_schema(("id", "S")),
                              AttributeDefinitions=attr_defs(("id", "S"), ("x", "N")), **PPR,
                              message=ERR_HEAD + "Number of attributes in KeySchema does not "
                              "exactly match number of attributes defined in AttributeDefinitions")

    def test_provisioned_without_throughput(self):
        self.assertValidation(self.create, KeySchema=key_schema(("id", "S")),
                              AttributeDefinitions=attr_defs(("id", "S")),
                              message=ERR_HEAD + "ReadCapacityUnits and WriteCapacityUnits must "
                              "both be specified when BillingMode is PROVISIONED")
        self.assertValidation(self.create, KeySchema=key_schema(("id", "S")),
                              AttributeDefinitions=attr_defs(("id", "S")),
                              BillingMode="PROVISIONED",
                              message=ERR_HEAD + "ReadCapacityUnits and WriteCapacityUnits must "
                              "both be specified when BillingMode is PROVISIONED")

    def test_pay_per_request_with_throughput(self):
        self.assertValidation(self.create, KeySchema=key_schema(("id", "S")),
                              AttributeDefinitions=attr_defs(("id", "S")),
                              ProvisionedThroughput=PT, **PPR,
                              contains="when BillingMode is PAY_PER_REQUEST")

    def test_bad_attribute_type(self):
        self.assertValidation(self.create, KeySchema=key_schema(("id", "S")),
                              AttributeDefinitions=attr_defs(("id", "BOOL")), **PPR,
                              contains="Member must satisfy enum value set: [B, N, S]")

    def test_two_hash_keys(self):
        self.assertValidation(self.create,
                              KeySchema=[{"AttributeName": "a", "KeyType": "HASH"},
                                         {"AttributeName": "b", "KeyType": "HASH"}],
                              AttributeDefinitions=attr_defs(("a", "S"), ("b", "S")), **PPR,
                              message="Invalid KeySchema: The second KeySchemaElement is not a "
                                      "RANGE key type")

    def test_range_key_first(self):
        self.assertValidation(self.create,
                              KeySchema=[{"AttributeName": "a", "KeyType": "RANGE"}],
                              AttributeDefinitions=attr_defs(("a", "S")), **PPR,
                              message="Invalid KeySchema: The first KeySchemaElement is not a "
                                      "HASH key type")

    def test_bad_key_type(self):
        self.assertValidation(self.create,
                              KeySchema=[{"AttributeName": "a", "KeyType": "HASH"},
                                         {"AttributeName": "b", "KeyType": "SORT"}],
                              AttributeDefinitions=attr_defs(("a", "S"), ("b", "S")), **PPR,
                              contains="Member must satisfy enum value set: [HASH, RANGE]")

    def test_lsi_on_hash_only_table(self):
        self.assertValidation(
            self.create, KeySchema=key_schema(("id", "S")),
            AttributeDefinitions=attr_defs(("id", "S"), ("l", "S")),
            LocalSecondaryIndexes=[{"IndexName": "lsi", "KeySchema": key_schema(("id", "S"), ("l", "S")),
                                    "Projection": {"ProjectionType": "ALL"}}], **PPR,
            prefix=ERR_HEAD)

    def test_nothing_was_created(self):
        name = unique_table("bad")
        with self.assertRaises(Exception):
            self.create(TableName=name, KeySchema=key_schema(("id", "S")),
                        AttributeDefinitions=attr_defs(("other", "S")), **PPR)
        self.assertNotIn(name, self.ddb.list_tables()["TableNames"])


class TestListTables(DdbTestCase):

    def test_list_tables_paging(self):
        names = sorted("lt-%02d" % i for i in range(12))
        for n in reversed(names):
            self.make_table(name=n)
        self.assertEqual(self.ddb.list_tables()["TableNames"], names)
        r = self.ddb.list_tables(Limit=5)
        self.assertEqual(r["TableNames"], names[:5])
        self.assertEqual(r["LastEvaluatedTableName"], names[4])
        r = self.ddb.list_tables(Limit=5, ExclusiveStartTableName=names[4])
        self.assertEqual(r["TableNames"], names[5:10])
        r = self.ddb.list_tables(ExclusiveStartTableName=names[9])
        self.assertEqual(r["TableNames"], names[10:])
        self.assertNotIn("LastEvaluatedTableName", r)
        pages = list(self.ddb.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 4}))
        self.assertEqual(len(pages), 3)
        self.assertEqual([n for p in pages for n in p["TableNames"]], names)


class TestDelete(DdbTestCase):

    def test_delete_table(self):
        name = self.make_table("del")
        self.put(name, {"id": {"S": "x"}})
        td = self.ddb.delete_table(TableName=name)["TableDescription"]
        self.assertEqual(td["TableName"], name)
        self.assertIn(td["TableStatus"], ("DELETING", "ACTIVE"))
        self.assertNotIn(name, self.ddb.list_tables()["TableNames"])
        self.assertDdbError("ResourceNotFoundException", self.ddb.describe_table, TableName=name,
                            message="Requested resource not found: Table: %s not found" % name)
        # a new table of the same name starts empty
        self.make_table(name=name)
        self.assertEqual(self.ddb.scan(TableName=name)["Items"], [])

    def test_missing_table_on_every_operation(self):
        n = "no-such-table"
        k = {"id": {"S": "1"}}
        ops = [
            ("DescribeTable", self.ddb.describe_table, dict(TableName=n)),
            ("DeleteTable", self.ddb.delete_table, dict(TableName=n)),
            ("UpdateTable", self.ddb.update_table, dict(TableName=n, BillingMode="PAY_PER_REQUEST")),
            ("PutItem", self.ddb.put_item, dict(TableName=n, Item=k)),
            ("GetItem", self.ddb.get_item, dict(TableName=n, Key=k)),
            ("DeleteItem", self.ddb.delete_item, dict(TableName=n, Key=k)),
            ("UpdateItem", self.ddb.update_item, dict(TableName=n, Key=k, UpdateExpression="SET a = :a",
                                                      ExpressionAttributeValues={":a": {"S": "x"}})),
            ("Query", self.ddb.query, dict(TableName=n, KeyConditionExpression="id = :v",
                                           ExpressionAttributeValues={":v": {"S": "1"}})),
            ("Scan", self.ddb.scan, dict(TableName=n)),
            ("BatchWriteItem", self.ddb.batch_write_item,
             dict(RequestItems={n: [{"PutRequest": {"Item": k}}]})),
            ("BatchGetItem", self.ddb.batch_get_item, dict(RequestItems={n: {"Keys": [k]}})),
            ("TransactWriteItems", self.ddb.transact_write_items,
             dict(TransactItems=[{"Put": {"TableName": n, "Item": k}}])),
            ("TransactGetItems", self.ddb.transact_get_items,
             dict(TransactItems=[{"Get": {"TableName": n, "Key": k}}])),
            ("DescribeTimeToLive", self.ddb.describe_time_to_live, dict(TableName=n)),
            ("UpdateTimeToLive", self.ddb.update_time_to_live,
             dict(TableName=n, TimeToLiveSpecification={"Enabled": True, "AttributeName": "e"})),
            ("ListTagsOfResource", self.ddb.list_tags_of_resource, dict(ResourceArn=table_arn(n))),
            ("TagResource", self.ddb.tag_resource,
             dict(ResourceArn=table_arn(n), Tags=[{"Key": "k", "Value": "v"}])),
        ]
        for op, fn, kw in ops:
            with self.subTest(op=op):
                self.assertDdbError("ResourceNotFoundException", fn, **kw,
                                    prefix="Requested resource not found")

    def test_waiters(self):
        name = self.make_table("wait")
        cfg = {"Delay": 1, "MaxAttempts": 5}
        start = time.monotonic()
        self.ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig=cfg)
        self.ddb.delete_table(TableName=name)
        self.ddb.get_waiter("table_not_exists").wait(TableName=name, WaiterConfig=cfg)
        self.assertLess(time.monotonic() - start, 4)


class TestUpdateTable(DdbTestCase):

    def wait_index(self, name, index, gone=False):
        for _ in range(100):
            t = self.ddb.describe_table(TableName=name)["Table"]
            gsis = {g["IndexName"]: g for g in t.get("GlobalSecondaryIndexes", [])}
            if gone and index not in gsis:
                return t
            if not gone and gsis.get(index, {}).get("IndexStatus") == "ACTIVE":
                return t
            time.sleep(0.1)
        self.fail("index %s never became %s: %r" % (index, "gone" if gone else "ACTIVE", t))

    def test_billing_mode_and_throughput(self):
        name = self.make_table("bill")
        r = self.ddb.update_table(TableName=name, BillingMode="PROVISIONED",
                                  ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4})
        self.assertEqual(r["TableDescription"]["TableName"], name)
        t = self.ddb.describe_table(TableName=name)["Table"]
        self.assertEqual(t["BillingModeSummary"]["BillingMode"], "PROVISIONED")
        self.assertEqual(t["ProvisionedThroughput"]["ReadCapacityUnits"], 3)
        self.assertEqual(t["ProvisionedThroughput"]["WriteCapacityUnits"], 4)
        self.ddb.update_table(TableName=name,
                              ProvisionedThroughput={"ReadCapacityUnits": 9, "WriteCapacityUnits": 8})
        t = self.ddb.describe_table(TableName=name)["Table"]
        self.assertEqual(t["ProvisionedThroughput"]["ReadCapacityUnits"], 9)
        self.assertEqual(t["ProvisionedThroughput"]["WriteCapacityUnits"], 8)
        self.ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")
        t = self.ddb.describe_table(TableName=name)["Table"]
        self.assertEqual(t["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        self.assertEqual(t["TableStatus"], "ACTIVE")

    def test_create_gsi_backfills_then_delete(self):
        name = self.make_table("gsi")
        for i in range(5):
            item = {"id": {"S": "i%d" % i}, "n": {"N": str(i)}}
            if i != 3:
                item["cust"] = {"S": "c%d" % (i % 2)}
            self.put(name, item)
        self.ddb.update_table(
            TableName=name, AttributeDefinitions=attr_defs(("id", "S"), ("cust", "S")),
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": "by-cust", "KeySchema": key_schema(("cust", "S")),
                "Projection": {"ProjectionType": "ALL"}}}])
        t = self.wait_index(name, "by-cust")
        self.assertIn({"AttributeName": "cust", "AttributeType": "S"}, t["AttributeDefinitions"])
        r = self.ddb.query(TableName=name, IndexName="by-cust", KeyConditionExpression="cust = :c",
                           ExpressionAttributeValues={":c": {"S": "c0"}})
        self.assertEqual(sorted(i["id"]["S"] for i in r["Items"]), ["i0", "i2", "i4"])
        self.assertEqual(r["Items"][0]["n"]["N"] in ("0", "2", "4"), True)
        r = self.ddb.query(TableName=name, IndexName="by-cust", KeyConditionExpression="cust = :c",
                           ExpressionAttributeValues={":c": {"S": "c1"}})
        self.assertEqual(sorted(i["id"]["S"] for i in r["Items"]), ["i1"])  # i3 has no cust
        # new writes go to the index too
        self.put(name, {"id": {"S": "i9"}, "cust": {"S": "c1"}})
        r = self.ddb.query(TableName=name, IndexName="by-cust", KeyConditionExpression="cust = :c",
                           ExpressionAttributeValues={":c": {"S": "c1"}})
        self.assertEqual(sorted(i["id"]["S"] for i in r["Items"]), ["i1", "i9"])

        self.ddb.update_table(TableName=name,
                              GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-cust"}}])
        self.wait_index(name, "by-cust", gone=True)
        self.assertValidation(self.ddb.query, TableName=name, IndexName="by-cust",
                              KeyConditionExpression="cust = :c",
                              ExpressionAttributeValues={":c": {"S": "c1"}},
                              message="The table does not have the specified index: by-cust")
        self.assertEqual(len(self.scan_all(name)), 6)


class TestTtlAndTags(DdbTestCase):

    def test_ttl_describe_and_update(self):
        name = self.make_table("ttl")
        d = self.ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        self.assertEqual(d["TimeToLiveStatus"], "DISABLED")
        r = self.ddb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
        self.assertEqual(r["TimeToLiveSpecification"], {"Enabled": True, "AttributeName": "expires"})
        d = self.ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        self.assertIn(d["TimeToLiveStatus"], ("ENABLING", "ENABLED"))
        self.assertEqual(d["AttributeName"], "expires")

    def test_expired_items_disappear(self):
        name = self.make_table("ttlx", range_key=("sk", "S"))
        self.ddb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
        now = int(time.time())
        self.put(name, {"id": {"S": "p"}, "sk": {"S": "old"}, "expires": {"N": str(now - 3600)}})
        self.put(name, {"id": {"S": "p"}, "sk": {"S": "new"}, "expires": {"N": str(now + 3600)}})
        self.put(name, {"id": {"S": "p"}, "sk": {"S": "none"}})
        self.put(name, {"id": {"S": "p"}, "sk": {"S": "text"}, "expires": {"S": "1"}})
        self.assertIsNone(self.get(name, {"id": {"S": "p"}, "sk": {"S": "old"}}))
        self.assertIsNotNone(self.get(name, {"id": {"S": "p"}, "sk": {"S": "new"}}))
        r = self.ddb.query(TableName=name, KeyConditionExpression="id = :p",
                           ExpressionAttributeValues={":p": {"S": "p"}})
        self.assertEqual([i["sk"]["S"] for i in r["Items"]], ["new", "none", "text"])
        self.assertEqual(sorted(i["sk"]["S"] for i in self.scan_all(name)), ["new", "none", "text"])

    def test_tags(self):
        name = unique_table("tags")
        self.ddb.create_table(TableName=name, KeySchema=key_schema(("id", "S")),
                              AttributeDefinitions=attr_defs(("id", "S")), **PPR,
                              Tags=[{"Key": "team", "Value": "core"}])
        arn = self.ddb.describe_table(TableName=name)["Table"]["TableArn"]
        tags = self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]
        self.assertEqual(tags, [{"Key": "team", "Value": "core"}])
        self.ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"},
                                                     {"Key": "team", "Value": "infra"}])
        tags = self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]
        self.assertEqual(sorted((t["Key"], t["Value"]) for t in tags),
                         [("env", "dev"), ("team", "infra")])
        self.ddb.untag_resource(ResourceArn=arn, TagKeys=["team", "absent"])
        self.assertEqual(self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"],
                         [{"Key": "env", "Value": "dev"}])
