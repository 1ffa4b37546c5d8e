"""S3 query sub-resources (issue 10, defect 6): every sub-resource in the
botocore model resolves to its own operation or to 501 NotImplemented
naming it; an operation tinystack does not have never falls through to
another one (PutObjectLegalHold used to run as PutObject and replace the
object's data), and ordinary query arguments keep working."""

import gzip
import json
import os
import unittest
import urllib.parse

import botocore

from tinystack_env import S3TestCase, md5_b64, raw_request, unique_bucket, xml_text

MODEL = os.path.join(os.path.dirname(botocore.__file__), "data", "s3", "2006-03-01",
                     "service-2.json")

# Operations tinystack implements; every other one with a sub-resource in
# its requestUri must answer NotImplemented.
IMPLEMENTED = {
    "GetObjectAcl", "PutObjectAcl", "GetObjectTagging", "PutObjectTagging",
    "DeleteObjectTagging", "CreateMultipartUpload", "GetBucketAcl", "PutBucketAcl",
    "GetBucketCors", "PutBucketCors", "DeleteBucketCors", "GetBucketTagging",
    "PutBucketTagging", "DeleteBucketTagging", "GetBucketVersioning", "PutBucketVersioning",
    "GetBucketLocation", "ListMultipartUploads", "ListObjectVersions", "ListObjectsV2",
    "DeleteObjects", "GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy",
    "GetBucketNotification", "GetBucketNotificationConfiguration", "PutBucketNotification",
    "PutBucketNotificationConfiguration", "GetBucketLifecycle",
    "GetBucketLifecycleConfiguration", "PutBucketLifecycle", "PutBucketLifecycleConfiguration",
    "DeleteBucketLifecycle", "GetBucketEncryption", "PutBucketEncryption",
    "DeleteBucketEncryption", "GetBucketWebsite", "PutBucketWebsite", "DeleteBucketWebsite",
    "GetBucketOwnershipControls", "PutBucketOwnershipControls", "DeleteBucketOwnershipControls",
    "GetPublicAccessBlock", "PutPublicAccessBlock", "DeletePublicAccessBlock",
    "GetBucketLogging", "PutBucketLogging", "GetBucketReplication", "PutBucketReplication",
    "DeleteBucketReplication", "GetBucketAccelerateConfiguration",
    "PutBucketAccelerateConfiguration", "GetBucketRequestPayment", "PutBucketRequestPayment",
    "GetObjectLockConfiguration", "PutObjectLockConfiguration",
}


def load_model():
    for path, opener in ((MODEL + ".gz", gzip.open), (MODEL, open)):
        if os.path.exists(path):
            with opener(path, "rt") as f:
                return json.load(f)
    raise RuntimeError("no botocore s3 model under %s" % MODEL)


def subresource_requests(model, bucket, key):
    """(operation, method, path) for every operation whose requestUri has a
    query, with its required query members filled in."""
    out = []
    for name, op in sorted(model["operations"].items()):
        uri = op["http"]["requestUri"]
        if "?" not in uri or not uri.startswith("/{Bucket}"):
            continue
        path, query = uri.split("?", 1)
        query = [q for q in query.split("&") if not q.startswith("x-id=")]
        if not query:
            continue
        shape = model["shapes"].get(op.get("input", {}).get("shape", ""), {})
        for m in shape.get("required", []):
            member = shape["members"][m]
            if member.get("location") == "querystring":
                query.append("%s=x" % member["locationName"])
        path = path.replace("{Bucket}", bucket).replace("{Key+}", key)
        out.append((name, op["http"]["method"], path + "?" + "&".join(query)))
    return out


class TestSubresources(S3TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.model = load_model()
        cls.b = unique_bucket("subres")
        cls.s3.create_bucket(Bucket=cls.b)
        cls.s3.put_object(Bucket=cls.b, Key="obj", Body=b"original data")

    def assertIntact(self):
        self.assertEqual(self.get_body(self.b, "obj"), b"original data")
        keys = [o["Key"] for o in self.s3.list_objects_v2(Bucket=self.b).get("Contents", [])]
        self.assertEqual(keys, ["obj"])

    def assertNotImplemented(self, err, op):
        self.assertEqual(err["Error"]["Message"], "%s is not implemented by tinystack" % op)

    def test_put_object_legal_hold_does_not_replace_data(self):
        err = self.assertError("NotImplemented", 501, self.s3.put_object_legal_hold,
                               Bucket=self.b, Key="obj", LegalHold={"Status": "ON"})
        self.assertNotImplemented(err, "PutObjectLegalHold")
        self.assertIntact()

    def test_get_object_attributes_is_not_get_object(self):
        err = self.assertError("NotImplemented", 501, self.s3.get_object_attributes,
                               Bucket=self.b, Key="obj", ObjectAttributes=["ETag"])
        self.assertNotImplemented(err, "GetObjectAttributes")

    def test_get_object_retention_is_not_get_object(self):
        err = self.assertError("NotImplemented", 501, self.s3.get_object_retention,
                               Bucket=self.b, Key="obj")
        self.assertNotImplemented(err, "GetObjectRetention")

    def test_every_model_subresource(self):
        reqs = subresource_requests(self.model, self.b, "obj")
        self.assertGreater(len(reqs), 60)
        # Operations sharing one request (GetBucketLifecycle and
        # GetBucketLifecycleConfiguration ...) are told apart by nobody.
        same = {}
        for name, method, path in reqs:
            same.setdefault((method, path), set()).add(name)
        body = b"<Configuration/>"
        for name, method, path in reqs:
            with self.subTest(op=name, request="%s %s" % (method, path)):
                data = body if method in ("PUT", "POST") else b""
                headers = {"Content-MD5": md5_b64(data)} if data else {}
                r = raw_request(method, path, body=data, headers=headers)
                if same[(method, path)] & IMPLEMENTED:
                    self.assertNotEqual(r.status, 501, r)
                    self.assertLess(r.status, 500, r)
                    continue
                self.assertEqual((r.status, r.error_code()), (501, "NotImplemented"), r)
                self.assertIn(xml_text(r.body, "Message"),
                              ["%s is not implemented by tinystack" % n
                               for n in same[(method, path)]])
        self.assertIntact()

    def test_subresource_on_the_wrong_level_runs_nothing(self):
        # A bucket sub-resource sent to an object, or an object one to a
        # bucket: no operation of that kind exists, so nothing runs.
        for method, path in (("PUT", "/%s/obj?policy" % self.b), ("PUT", "/%s/obj?cors" % self.b),
                             ("PUT", "/%s/obj?versioning" % self.b),
                             ("DELETE", "/%s/obj?lifecycle" % self.b),
                             ("POST", "/%s/obj?delete" % self.b),
                             ("DELETE", "/%s?uploads" % self.b),
                             ("PUT", "/%s?legal-hold" % self.b)):
            with self.subTest(request="%s %s" % (method, path)):
                r = raw_request(method, path, body=b"<x/>" if method == "PUT" else b"")
                self.assertTrue(400 <= r.status < 600 and r.status != 500, r)
                self.assertTrue(r.error_code(), r)
        self.assertIntact()
        self.s3.head_bucket(Bucket=self.b)

    def test_ordinary_query_arguments_still_work(self):
        b = self.bucket("subres-args")
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        v1 = self.s3.put_object(Bucket=b, Key="k", Body=b"one")["VersionId"]
        self.s3.put_object(Bucket=b, Key="k", Body=b"two")
        self.assertEqual(self.get_body(b, "k", VersionId=v1), b"one")
        r = raw_request("GET", "/%s/k?response-content-type=text%%2Fcsv&x-id=GetObject&foo=bar" % b)
        self.assertEqual((r.status, r.body, r.headers.get("Content-Type")),
                         (200, b"two", "text/csv"), r)
        r = raw_request("GET", "/%s?prefix=k&max-keys=5&encoding-type=url" % b)
        self.assertEqual((r.status, xml_text(r.body, "Key")), (200, "k"), r)
        r = raw_request("GET", "/%s?list-type=2&start-after=a&fetch-owner=true" % b)
        self.assertEqual((r.status, xml_text(r.body, "KeyCount")), (200, "1"), r)
        r = raw_request("GET", "/%s?versions&key-marker=&prefix=" % b)
        self.assertEqual((r.status, len([1 for _ in r.body.split(b"<Version>")[1:]])), (200, 2), r)
        url = s3_presigned(self.s3, b, "k")
        r = raw_request("GET", url, sign=False)
        self.assertEqual((r.status, r.body), (200, b"two"), r)


def s3_presigned(client, bucket, key):
    url = client.generate_presigned_url("get_object", ExpiresIn=300,
                                        Params={"Bucket": bucket, "Key": key})
    parts = urllib.parse.urlsplit(url)
    return parts.path + "?" + parts.query


if __name__ == "__main__":
    unittest.main()
