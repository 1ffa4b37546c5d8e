"""Random malformed requests, seeded: whatever arrives, tinystack answers
with a 4xx (or a 2xx where the request happens to be fine), never a 5xx,
a hang or a crash.  The S3 and DynamoDB suites test each error's code and
message; this one throws combinations at both services that nobody
thought to write down."""

import http.client
import json
import random
import urllib.parse
import unittest

import tinystack_env as env

u = urllib.parse.urlparse(env.ENDPOINT)
HOST, PORT = u.hostname, u.port

AUTH = ("AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/%s/aws4_request, "
        "SignedHeaders=host, Signature=0")


def call(method, path, body=None, headers=None):
    c = http.client.HTTPConnection(HOST, PORT, timeout=20)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


class TestDynamoDBBadInputs(unittest.TestCase):

    OPS = ["CreateTable", "DescribeTable", "ListTables", "DeleteTable", "UpdateTable",
           "DescribeTimeToLive", "UpdateTimeToLive", "TagResource", "UntagResource",
           "ListTagsOfResource", "PutItem", "GetItem", "DeleteItem", "UpdateItem", "Query",
           "Scan", "BatchWriteItem", "BatchGetItem", "TransactWriteItems", "TransactGetItems"]
    WEIRD = [None, 1, -1, 1e308, "", "x" * 5000, [], {}, [1], {"S": 1}, {"N": "1e999"},
             {"S": "a", "N": "1"}, {"L": [{"M": {"a": {"SS": []}}}]}, {"B": "!!"},
             {"NS": ["1", "1"]}, True, {"M": {"": {"S": "x"}}}, "bad-inputs",
             {"id": {"S": "a"}, "sk": {"N": "1"}}, [{"PutRequest": {"Item": {}}}],
             {"bad-inputs": [{"DeleteRequest": {"Key": 5}}]},
             {"bad-inputs": {"Keys": [{"id": {"S": "a"}}]}}, [{"Put": {"TableName": "x"}}],
             [{"Get": 5}], "SET #a = :b", ":v", "a.b[999999999999]", "#", "attribute_exists(",
             {":v": {"S": "x"}}, {"#a": "b"}, "id = :v AND sk BETWEEN :a AND :b"]
    MEMBERS = ["TableName", "Key", "Item", "ExpressionAttributeNames",
               "ExpressionAttributeValues", "KeyConditionExpression", "FilterExpression",
               "ProjectionExpression", "UpdateExpression", "ConditionExpression", "Limit",
               "ExclusiveStartKey", "Select", "IndexName", "RequestItems", "TransactItems",
               "AttributeUpdates", "Expected", "KeyConditions", "ScanFilter",
               "AttributesToGet", "ReturnValues", "Segment", "TotalSegments",
               "GlobalSecondaryIndexUpdates", "TimeToLiveSpecification", "ResourceArn", "Tags",
               "KeySchema", "AttributeDefinitions", "BillingMode", "ProvisionedThroughput"]

    def ddb(self, op, body):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        return call("POST", "/", data, {"X-Amz-Target": "DynamoDB_20120810." + op,
                                        "Content-Type": "application/x-amz-json-1.0",
                                        "Authorization": AUTH % "dynamodb"})

    def test_random_parameters_never_5xx(self):
        self.ddb("CreateTable", {
            "TableName": "bad-inputs", "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"},
                          {"AttributeName": "sk", "KeyType": "RANGE"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"},
                                     {"AttributeName": "sk", "AttributeType": "N"},
                                     {"AttributeName": "g", "AttributeType": "S"}],
            "GlobalSecondaryIndexes": [{"IndexName": "gi", "Projection": {"ProjectionType": "ALL"},
                                        "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}]})
        self.ddb("PutItem", {"TableName": "bad-inputs",
                             "Item": {"id": {"S": "a"}, "sk": {"N": "1"}, "g": {"S": "x"}}})
        rnd = random.Random(7)
        bad = []
        for op in self.OPS:
            for _ in range(40):
                body = {"TableName": "bad-inputs"}
                for m in rnd.sample(self.MEMBERS, 3):
                    body[m] = rnd.choice(self.WEIRD)
                status, data = self.ddb(op, body)
                if status >= 500:
                    bad.append((op, body, status, data[:200]))
        self.assertEqual(bad, [])

    def test_malformed_bodies_are_4xx(self):
        for raw in (b"", b"{", b"[]", b"null", b"\xff\xfe", b'"x"', b"{}" * 2, b"1"):
            for op in ("GetItem", "PutItem", "Query", "CreateTable"):
                status, data = self.ddb(op, raw)
                self.assertTrue(400 <= status < 500, (op, raw, status, data))


class TestS3BadInputs(unittest.TestCase):

    def test_random_requests_never_5xx(self):
        call("PUT", "/bad-inputs-bucket", headers={"Authorization": AUTH % "s3"})
        call("PUT", "/bad-inputs-bucket/obj", b"hello world", {"Authorization": AUTH % "s3"})
        rnd = random.Random(3)
        methods = ["GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS"]
        paths = ["/", "/bad-inputs-bucket", "/bad-inputs-bucket/", "/bad-inputs-bucket/obj",
                 "/bad-inputs-bucket/%ZZ", "/bad-inputs-bucket/" + "k" * 1500, "/nope-bucket/x",
                 "/A", "/bad-inputs-bucket/a%00b", "//"]
        queries = ["", "?tagging", "?cors", "?versioning", "?versions", "?uploads",
                   "?uploadId=zz&partNumber=1", "?uploadId=zz", "?list-type=2&max-keys=-5",
                   "?list-type=2&continuation-token=@@", "?list-type=2&encoding-type=bad",
                   "?delete", "?acl", "?policy", "?notification", "?versionId=zz",
                   "?partNumber=99999", "?list-type=2&max-keys=abc", "?location",
                   "?X-Amz-Date=garbage&X-Amz-Expires=zz", "?lifecycle"]
        bodies = [None, b"", b"<", b"<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>",
                  b"<Delete></Delete>", b"x" * 70000,
                  b"<?xml version='1.0'?><!DOCTYPE a [<!ENTITY b 'c'>]><a>&b;</a>",
                  b"<CompleteMultipartUpload><Part><PartNumber>x</PartNumber></Part>"
                  b"</CompleteMultipartUpload>", b"{}"]
        headers = [{}, {"Range": "bytes=5-1"}, {"Range": "bytes=-0"},
                   {"Range": "bytes=99999999999999999999-"}, {"Content-MD5": "zz"},
                   {"x-amz-checksum-crc32": "!!"}, {"x-amz-copy-source": "/"},
                   {"x-amz-copy-source": "bad-inputs-bucket/obj?versionId=bad"},
                   {"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                    "Content-Encoding": "aws-chunked"},
                   {"x-amz-decoded-content-length": "zz"}, {"If-Modified-Since": "garbage"},
                   {"x-amz-tagging": "a=b&a=c"}, {"x-amz-metadata-directive": "BOGUS"},
                   {"Origin": "http://x", "Access-Control-Request-Method": "GET"},
                   {"x-amz-storage-class": "NOPE"}, {"x-amz-copy-source-range": "bytes=9-1"}]
        bad = []
        for _ in range(600):
            m = rnd.choice(methods)
            path = rnd.choice(paths) + rnd.choice(queries)
            h = dict(rnd.choice(headers))
            h.update(rnd.choice(headers))
            h["Authorization"] = AUTH % "s3"
            body = rnd.choice(bodies) if m in ("PUT", "POST") else None
            status, data = call(m, path, body, h)
            if status >= 500 and status != 501:
                bad.append((m, path, h, status, data[:200]))
        self.assertEqual(bad, [])


class TestQueryAndRestBadInputs(unittest.TestCase):
    """The query protocol's form parser (IAM, STS) and the REST-JSON
    template matcher (Lambda, API Gateway): garbage, huge and deeply
    nested input gets a 4xx (or 501), never a 5xx or a crash."""

    def test_random_forms_never_5xx(self):
        rnd = random.Random(7)
        pieces = ["Action=CreateRole", "Action=GetRole", "Action=ListRoles",
                  "Action=AttachRolePolicy", "Action=GetCallerIdentity", "Action=",
                  "Action", "Version=2010-05-08", "RoleName=r%d" % rnd.randrange(9),
                  "RoleName=", "RoleName=%ZZ", "RoleName=" + "x" * 5000,
                  "AssumeRolePolicyDocument=%7B", "AssumeRolePolicyDocument=" + "%5B" * 3000,
                  "AssumeRolePolicyDocument=%7B%7D", "PolicyArn=arn", "MaxItems=-1",
                  "MaxItems=999999999999999999999", "Marker=@@", "Path=//", "=", "&&&",
                  "%00=%00", "Tags.member.1.Key=k", "Tags.member.99999999999.Key=k",
                  "Path=%FF%FE"]
        bad = []
        for i in range(500):
            body = "&".join(rnd.choice(pieces) for _ in range(rnd.randrange(1, 8)))
            if i % 50 == 0:
                body += "&x=" + "y" * (900 * 1024)
            svc = rnd.choice(["iam", "sts", None])
            h = {"Content-Type": "application/x-www-form-urlencoded"}
            if svc:
                h["Authorization"] = AUTH % svc
            path = "/" if i % 3 else "/?" + body[:2000]
            status, data = call("POST", path, body.encode(), h)
            if status >= 500 and status != 501:
                bad.append((svc, body[:200], status, data[:200]))
        self.assertEqual(bad, [])

    def test_odd_rest_paths_never_5xx(self):
        rnd = random.Random(11)
        paths = ["/2015-03-31/functions", "/2015-03-31/functions/", "/2015-03-31/functions/%ZZ",
                 "/2015-03-31/functions/" + "a/" * 3000, "/2015-03-31/functions/f/invocations",
                 "/restapis", "/restapis/" + "%2F" * 2000, "/restapis/x/dev/_user_request_",
                 "/restapis/x/dev/_user_request_/" + "y" * 8000, "/_aws/execute-api/",
                 "/v2/apis/%00", "/2017-03-31/tags/arn%3Aaws"]
        bad = []
        for _ in range(200):
            p = rnd.choice(paths)
            m = rnd.choice(["GET", "POST", "PUT", "DELETE", "PATCH"])
            body = rnd.choice([None, b"{", b"[" * 5000, b"{}", b"\xff"]) if m != "GET" else None
            svc = rnd.choice(["lambda", "apigateway"])
            status, data = call(m, p, body, {"Authorization": AUTH % svc})
            if status >= 500 and status != 501:
                bad.append((m, p[:80], status, data[:200]))
        self.assertEqual(bad, [])


if __name__ == "__main__":
    unittest.main()
