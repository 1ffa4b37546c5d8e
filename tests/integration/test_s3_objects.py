"""S3 objects: put/get/head/delete, headers, Content-MD5, ranges,
conditional requests, errors, key names."""

import datetime
import gzip
import unittest

from tinystack_env import (S3TestCase, add_headers, md5_b64, md5_hex, raw_request,
                           s3_client, unique_bucket)

EXPIRES = "Thu, 01 Jan 2037 00:00:00 GMT"


class TestObjectBasics(S3TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.b = unique_bucket("obj")
        cls.s3.create_bucket(Bucket=cls.b)

    def test_put_get_head_delete_with_headers(self):
        body = gzip.compress(b"hello tinystack " * 100)
        resp = self.s3.put_object(
            Bucket=self.b, Key="docs/report.json.gz", Body=body,
            ContentType="application/json", ContentEncoding="gzip",
            ContentDisposition='attachment; filename="report.json"',
            ContentLanguage="en-GB", CacheControl="max-age=3600, public",
            Expires=datetime.datetime(2037, 1, 1, tzinfo=datetime.timezone.utc),
            Metadata={"color": "blue", "Mixed-Case": "Value With Spaces"})
        etag = '"%s"' % md5_hex(body)
        self.assertEqual(resp["ETag"], etag)
        for op in (self.s3.get_object, self.s3.head_object):
            with self.subTest(op=op.__name__):
                r = op(Bucket=self.b, Key="docs/report.json.gz")
                self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 200)
                self.assertEqual(r["ETag"], etag)
                self.assertEqual(r["ContentLength"], len(body))
                self.assertEqual(r["ContentType"], "application/json")
                self.assertEqual(r["ContentEncoding"], "gzip")
                self.assertEqual(r["ContentDisposition"], 'attachment; filename="report.json"')
                self.assertEqual(r["ContentLanguage"], "en-GB")
                self.assertEqual(r["CacheControl"], "max-age=3600, public")
                self.assertEqual(self.headers(r).get("expires"), EXPIRES)
                # S3 lower-cases user metadata names.
                self.assertEqual(r["Metadata"], {"color": "blue", "mixed-case": "Value With Spaces"})
                self.assertEqual(r.get("AcceptRanges"), "bytes")
                self.assertIsInstance(r["LastModified"], datetime.datetime)
                if op == self.s3.get_object:
                    self.assertEqual(r["Body"].read(), body)
        resp = self.s3.delete_object(Bucket=self.b, Key="docs/report.json.gz")
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertError("NoSuchKey", 404, self.s3.get_object, Bucket=self.b,
                         Key="docs/report.json.gz")
        # Deleting what is not there is still a success.
        resp = self.s3.delete_object(Bucket=self.b, Key="docs/report.json.gz")
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 204)

    def test_default_content_type(self):
        r = raw_request("PUT", "/%s/no-type" % self.b, body=b"abc")
        self.assertEqual(r.status, 200, r)
        head = self.s3.head_object(Bucket=self.b, Key="no-type")
        self.assertEqual(head["ContentType"], "binary/octet-stream")

    def test_overwrite(self):
        self.put(self.b, "over", b"first", Metadata={"v": "1"})
        self.put(self.b, "over", b"second")
        r = self.s3.get_object(Bucket=self.b, Key="over")
        self.assertEqual(r["Body"].read(), b"second")
        self.assertEqual(r["Metadata"], {})
        self.assertEqual(r["ETag"], '"%s"' % md5_hex(b"second"))

    def test_empty_object(self):
        resp = self.put(self.b, "empty", b"")
        self.assertEqual(resp["ETag"], '"d41d8cd98f00b204e9800998ecf8427e"')
        r = self.s3.get_object(Bucket=self.b, Key="empty")
        self.assertEqual(r["ContentLength"], 0)
        self.assertEqual(r["Body"].read(), b"")
        self.assertEqual(self.s3.head_object(Bucket=self.b, Key="empty")["ContentLength"], 0)
        listed = self.s3.list_objects_v2(Bucket=self.b, Prefix="empty")["Contents"]
        self.assertEqual([(o["Key"], o["Size"]) for o in listed], [("empty", 0)])

    def test_content_md5(self):
        body = b"checked body"
        resp = self.put(self.b, "md5-ok", body, ContentMD5=md5_b64(body))
        self.assertEqual(resp["ETag"], '"%s"' % md5_hex(body))
        self.assertError("BadDigest", 400, self.put, self.b, "md5-bad", body,
                         ContentMD5=md5_b64(b"another body"))
        self.assertError("InvalidDigest", 400, self.put, self.b, "md5-bad", body,
                         ContentMD5="not-base64-md5")
        self.assertError("404", 404, self.s3.head_object, Bucket=self.b, Key="md5-bad")

    def test_missing_bucket_and_key(self):
        missing = unique_bucket("nope")
        err = self.assertError("NoSuchBucket", 404, self.s3.get_object, Bucket=missing, Key="k")
        self.assertEqual(err["Error"].get("BucketName"), missing)
        err = self.assertError("NoSuchKey", 404, self.s3.get_object, Bucket=self.b,
                               Key="no/such key.txt")
        self.assertEqual(err["Error"].get("Key"), "no/such key.txt")
        r = raw_request("GET", "/%s/no/such%%20key.txt" % self.b)
        self.assertEqual(r.status, 404)
        self.assertEqual(r.error_code(), "NoSuchKey")
        self.assertTrue(r.headers.get("Content-Type", "").startswith("application/xml"), r.headers)

    def test_head_errors_have_no_body(self):
        self.assertError("404", 404, self.s3.head_object, Bucket=self.b, Key="absent")
        self.assertError("404", 404, self.s3.head_object, Bucket=unique_bucket("nope"), Key="k")
        r = raw_request("HEAD", "/%s/absent" % self.b)
        self.assertEqual((r.status, r.body), (404, b""))

    def test_key_too_long(self):
        self.put(self.b, "k" * 1024, b"max")
        self.assertEqual(self.get_body(self.b, "k" * 1024), b"max")
        self.assertError("KeyTooLongError", 400, self.put, self.b, "k" * 1025, b"x")
        # The limit is in UTF-8 bytes, not characters: 513 x 2 bytes.
        self.assertError("KeyTooLongError", 400, self.put, self.b, "\u00e9" * 513, b"x")

    def test_special_keys(self):
        b = self.bucket("keys")
        keys = ["with space.txt", "plus+sign", "percent%20literal", "percent%", "question?mark",
                "hash#tag", "emoji-\U0001F600.txt", "\u00fcn\u00efc\u00f6d\u00e9/\u65e5\u672c\u8a9e",
                "amp&eq=semi;colon", "dir//double/slash", "trailing/", "tilde~star*(paren)",
                "quote'dq\"", "comma,colon:at@dollar$", "back\\slash", "  leading spaces",
                "caret^pipe|brace{}", "<angle>", "/leading-slash"]
        for i, k in enumerate(keys):
            with self.subTest(key=k):
                body = ("body %d" % i).encode()
                self.assertEqual(self.put(b, k, body)["ETag"], '"%s"' % md5_hex(body))
                self.assertEqual(self.get_body(b, k), body)
                self.assertEqual(self.s3.head_object(Bucket=b, Key=k)["ContentLength"], len(body))
        listed = [o["Key"] for o in self.s3.list_objects_v2(Bucket=b)["Contents"]]
        self.assertEqual(listed, sorted(keys, key=lambda k: k.encode()))
        for k in keys:
            self.s3.delete_object(Bucket=b, Key=k)
        self.assertEqual(self.s3.list_objects_v2(Bucket=b)["KeyCount"], 0)


BODY = bytes(range(256)) * 4   # 1024 bytes


class TestRanges(S3TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.b = unique_bucket("range")
        cls.s3.create_bucket(Bucket=cls.b)
        cls.s3.put_object(Bucket=cls.b, Key="data", Body=BODY)
        cls.s3.put_object(Bucket=cls.b, Key="empty", Body=b"")

    def check(self, rng, first, last):
        r = self.s3.get_object(Bucket=self.b, Key="data", Range=rng)
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 206)
        self.assertEqual(r["ContentRange"], "bytes %d-%d/%d" % (first, last, len(BODY)))
        self.assertEqual(r["ContentLength"], last - first + 1)
        self.assertEqual(r["Body"].read(), BODY[first:last + 1])

    def test_closed_range(self):
        self.check("bytes=0-9", 0, 9)
        self.check("bytes=100-100", 100, 100)

    def test_open_range(self):
        self.check("bytes=1000-", 1000, 1023)

    def test_suffix_range(self):
        self.check("bytes=-10", 1014, 1023)
        self.check("bytes=-5000", 0, 1023)

    def test_range_past_end_is_clamped(self):
        self.check("bytes=1000-5000", 1000, 1023)

    def test_head_with_range(self):
        r = self.s3.head_object(Bucket=self.b, Key="data", Range="bytes=10-19")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 206)
        self.assertEqual(r["ContentLength"], 10)
        self.assertEqual(self.headers(r).get("content-range"), "bytes 10-19/1024")

    def test_unsatisfiable(self):
        err = self.assertError("InvalidRange", 416, self.s3.get_object, Bucket=self.b,
                               Key="data", Range="bytes=1024-")
        self.assertEqual(err["Error"].get("ActualObjectSize"), "1024")
        self.assertError("InvalidRange", 416, self.s3.get_object, Bucket=self.b,
                         Key="data", Range="bytes=5000-6000")
        self.assertError("InvalidRange", 416, self.s3.get_object, Bucket=self.b,
                         Key="empty", Range="bytes=0-0")

    def test_malformed_range_is_ignored(self):
        for rng in ("bytes=abc", "bytes=9-3", "items=0-1"):
            with self.subTest(range=rng):
                r = self.s3.get_object(Bucket=self.b, Key="data", Range=rng)
                self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 200)
                self.assertEqual(r["Body"].read(), BODY)


class TestConditionals(S3TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.b = unique_bucket("cond")
        cls.s3.create_bucket(Bucket=cls.b)
        cls.s3.put_object(Bucket=cls.b, Key="k", Body=b"conditional")
        head = cls.s3.head_object(Bucket=cls.b, Key="k")
        cls.etag = head["ETag"]
        cls.mtime = head["LastModified"]
        cls.before = cls.mtime - datetime.timedelta(days=1)

    def both(self, **cond):
        return [(op, dict(Bucket=self.b, Key="k", **cond))
                for op in (self.s3.get_object, self.s3.head_object)]

    def expect_ok(self, **cond):
        for op, kw in self.both(**cond):
            with self.subTest(op=op.__name__, **{k: str(v) for k, v in cond.items()}):
                self.assertEqual(op(**kw)["ResponseMetadata"]["HTTPStatusCode"], 200)

    def expect_error(self, code, status, **cond):
        for op, kw in self.both(**cond):
            with self.subTest(op=op.__name__, **{k: str(v) for k, v in cond.items()}):
                # HEAD answers have no body, so boto's code is the status.
                want = code if op == self.s3.get_object else str(status)
                if status == 304:
                    want = "304"
                self.assertError(want, status, op, **kw)

    def test_if_match(self):
        self.expect_ok(IfMatch=self.etag)
        self.expect_error("PreconditionFailed", 412, IfMatch='"0123456789abcdef0123456789abcdef"')

    def test_if_none_match(self):
        self.expect_error("NotModified", 304, IfNoneMatch=self.etag)
        self.expect_ok(IfNoneMatch='"0123456789abcdef0123456789abcdef"')

    def test_if_modified_since(self):
        self.expect_ok(IfModifiedSince=self.before)
        self.expect_error("NotModified", 304, IfModifiedSince=self.mtime)

    def test_if_unmodified_since(self):
        self.expect_ok(IfUnmodifiedSince=self.mtime)
        self.expect_error("PreconditionFailed", 412, IfUnmodifiedSince=self.before)

    def test_precedence(self):
        # If-Match true wins over If-Unmodified-Since false (RFC 7232, as S3 does).
        self.expect_ok(IfMatch=self.etag, IfUnmodifiedSince=self.before)
        # If-None-Match false wins over If-Modified-Since true: 304.
        self.expect_error("NotModified", 304, IfNoneMatch=self.etag, IfModifiedSince=self.before)

    def test_put_if_none_match_star(self):
        s3 = add_headers(s3_client(), "PutObject", {"If-None-Match": "*"})
        resp = s3.put_object(Bucket=self.b, Key="once", Body=b"first")
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertError("PreconditionFailed", 412, s3.put_object, Bucket=self.b, Key="once",
                         Body=b"second")
        self.assertEqual(self.get_body(self.b, "once"), b"first")


if __name__ == "__main__":
    unittest.main()
