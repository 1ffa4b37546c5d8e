"""DynamoDB input checked against the botocore model before any operation
runs (src/model): wrong JSON types are SerializationExceptions, broken
constraints one ValidationException listing them all.  Raw requests, since
boto3 validates most of this on the client side."""

from test_ddb_support import DdbTestCase, raw_ddb, unique_table

NOT_NULL = "failed to satisfy constraint: Member must not be null"


class TestModelValidation(DdbTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.t = cls.make_table("model")

    def assertError(self, r, code, message):
        self.assertEqual((r.status, r.error_type()), (400, code), r)
        self.assertEqual(r.message(), message)

    def test_type_mismatch_is_serialization(self):
        r = raw_ddb("PutItem", {"TableName": self.t, "Item": {"id": {"S": 5}}})
        self.assertError(r, "SerializationException", "NUMBER_VALUE cannot be converted to String")
        self.assertEqual(r.json["__type"], "com.amazon.coral.service#SerializationException")
        r = raw_ddb("GetItem", {"TableName": self.t, "Key": {"id": {"S": "x"}},
                                "ConsistentRead": "yes"})
        self.assertError(r, "SerializationException", "Unexpected token received from parser")
        r = raw_ddb("CreateTable", {"TableName": "tbl", "KeySchema": "id"})
        self.assertError(r, "SerializationException", "Unexpected field type")

    def test_errors_accumulate(self):
        name = "a;"
        r = raw_ddb("CreateTable", {"TableName": name, "BillingMode": "FREE",
                                    "KeySchema": [{"AttributeName": "id"}]})
        self.assertError(
            r, "ValidationException",
            "4 validation errors detected: "
            "Value 'a;' at 'tableName' failed to satisfy constraint: Member must satisfy "
            "regular expression pattern: [a-zA-Z0-9_.-]+; "
            "Value 'a;' at 'tableName' failed to satisfy constraint: Member must have length "
            "greater than or equal to 3; "
            "Value null at 'keySchema.1.member.keyType' " + NOT_NULL + "; "
            "Value 'FREE' at 'billingMode' failed to satisfy constraint: Member must satisfy "
            "enum value set: [PROVISIONED, PAY_PER_REQUEST]")
        self.assertEqual(r.json["__type"], "com.amazon.coral.validate#ValidationException")

    def test_before_the_table_is_looked_up(self):
        r = raw_ddb("Query", {"TableName": unique_table("missing"), "Limit": 0})
        self.assertError(r, "ValidationException",
                         "1 validation error detected: Value '0' at 'limit' failed to satisfy "
                         "constraint: Member must have value greater than or equal to 1")
        r = raw_ddb("GetItem", {"TableName": unique_table("missing")})
        self.assertError(r, "ValidationException",
                         "1 validation error detected: Value null at 'key' " + NOT_NULL)

    def test_null_is_absent_and_unknown_members_are_ignored(self):
        r = raw_ddb("ListTables", {"ExclusiveStartTableName": None,
                                   "NoSuchMember": [1, {"x": True}]})
        self.assertEqual(r.status, 200, r)
        r = raw_ddb("GetItem", {"TableName": self.t, "Key": {"id": {"S": "x", "N": None}},
                                "ConsistentRead": None})
        self.assertEqual(r.status, 200, r)
        r = raw_ddb("DescribeTable", {"TableName": self.t, "Extra": 5})
        self.assertEqual(r.status, 200, r)

    def test_null_members_reach_the_operation_as_absent(self):
        key = {"id": {"S": "n"}}
        for op, body in (
                ("ListTables", {"Limit": None}),
                ("PutItem", {"TableName": self.t, "Item": key, "ReturnValues": None,
                             "ConditionExpression": None, "ExpressionAttributeNames": None}),
                ("GetItem", {"TableName": self.t, "Key": key, "ProjectionExpression": None}),
                ("Query", {"TableName": self.t, "KeyConditionExpression": "id = :v",
                           "ExpressionAttributeValues": {":v": {"S": "n"}}, "Limit": None}),
                ("Scan", {"TableName": self.t, "Segment": None, "TotalSegments": None})):
            with self.subTest(op=op):
                r = raw_ddb(op, body)
                self.assertEqual(r.status, 200, r)

    def test_nothing_is_written(self):
        r = raw_ddb("PutItem", {"TableName": self.t, "Item": {"id": {"S": "w"}},
                                "ReturnValues": "EVERYTHING"})
        self.assertError(r, "ValidationException",
                         "1 validation error detected: Value 'EVERYTHING' at 'returnValues' "
                         "failed to satisfy constraint: Member must satisfy enum value set: "
                         "[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]")
        self.assertIsNone(self.get(self.t, {"id": {"S": "w"}}))
