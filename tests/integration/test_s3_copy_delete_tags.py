"""S3 CopyObject, DeleteObjects and object tagging."""

import unittest
import urllib.parse

from tinystack_env import S3TestCase, md5_hex, raw_request, unique_bucket, xml_text

SRC_KEY = "src dir/\u00fc+1 & more.txt"


class TestCopyObject(S3TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.b = unique_bucket("copy")
        cls.s3.create_bucket(Bucket=cls.b)
        cls.body = b"copy me " * 1000
        cls.src_etag = cls.s3.put_object(
            Bucket=cls.b, Key=SRC_KEY, Body=cls.body, ContentType="text/plain",
            CacheControl="no-cache", Metadata={"origin": "source", "n": "1"})["ETag"]

    def test_copy_keeps_metadata_by_default(self):
        resp = self.s3.copy_object(Bucket=self.b, Key="dst-copy",
                                   CopySource={"Bucket": self.b, "Key": SRC_KEY})
        self.assertEqual(resp["CopyObjectResult"]["ETag"], self.src_etag)
        self.assertTrue(resp["CopyObjectResult"]["LastModified"])
        r = self.s3.get_object(Bucket=self.b, Key="dst-copy")
        self.assertEqual(r["Body"].read(), self.body)
        self.assertEqual(r["ETag"], self.src_etag)
        self.assertEqual(r["ContentType"], "text/plain")
        self.assertEqual(r["CacheControl"], "no-cache")
        self.assertEqual(r["Metadata"], {"origin": "source", "n": "1"})

    def test_copy_directive_copy_ignores_new_metadata(self):
        self.s3.copy_object(Bucket=self.b, Key="dst-copy2", MetadataDirective="COPY",
                            Metadata={"ignored": "yes"},
                            CopySource={"Bucket": self.b, "Key": SRC_KEY})
        r = self.s3.head_object(Bucket=self.b, Key="dst-copy2")
        self.assertEqual(r["Metadata"], {"origin": "source", "n": "1"})

    def test_copy_replace_metadata(self):
        self.s3.copy_object(Bucket=self.b, Key="dst-replace", MetadataDirective="REPLACE",
                            ContentType="application/x-new", Metadata={"fresh": "yes"},
                            CopySource={"Bucket": self.b, "Key": SRC_KEY})
        r = self.s3.get_object(Bucket=self.b, Key="dst-replace")
        self.assertEqual(r["Body"].read(), self.body)
        self.assertEqual(r["ContentType"], "application/x-new")
        self.assertEqual(r["Metadata"], {"fresh": "yes"})
        self.assertIsNone(r.get("CacheControl"))

    def test_copy_source_as_string(self):
        # boto url-encodes a string CopySource itself.
        self.s3.copy_object(Bucket=self.b, Key="dst-str", CopySource="%s/%s" % (self.b, SRC_KEY))
        self.assertEqual(self.get_body(self.b, "dst-str"), self.body)

    def test_copy_source_header_url_encoded(self):
        enc = urllib.parse.quote(SRC_KEY.encode())
        for i, src in enumerate(["/%s/%s" % (self.b, enc), "%s/%s" % (self.b, enc)]):
            with self.subTest(source=src):
                r = raw_request("PUT", "/%s/dst-raw-%d" % (self.b, i),
                                headers={"x-amz-copy-source": src})
                self.assertEqual(r.status, 200, r)
                self.assertEqual(xml_text(r.body, "ETag"), self.src_etag)
                self.assertEqual(self.get_body(self.b, "dst-raw-%d" % i), self.body)

    def test_copy_across_buckets_to_special_key(self):
        other = self.bucket("copy-dst")
        self.s3.copy_object(Bucket=other, Key="\u65e5\u672c/a b+c",
                            CopySource={"Bucket": self.b, "Key": SRC_KEY})
        self.assertEqual(self.get_body(other, "\u65e5\u672c/a b+c"), self.body)

    def test_copy_missing_source(self):
        err = self.assertError("NoSuchKey", 404, self.s3.copy_object, Bucket=self.b, Key="d",
                               CopySource={"Bucket": self.b, "Key": "missing-src"})
        self.assertEqual(err["Error"].get("Key"), "missing-src")
        self.assertError("NoSuchBucket", 404, self.s3.copy_object, Bucket=self.b, Key="d",
                         CopySource={"Bucket": unique_bucket("nope"), "Key": "k"})

    def test_copy_conditions(self):
        self.assertError("PreconditionFailed", 412, self.s3.copy_object, Bucket=self.b, Key="c",
                         CopySource={"Bucket": self.b, "Key": SRC_KEY},
                         CopySourceIfMatch='"0123456789abcdef0123456789abcdef"')
        self.assertError("PreconditionFailed", 412, self.s3.copy_object, Bucket=self.b, Key="c",
                         CopySource={"Bucket": self.b, "Key": SRC_KEY},
                         CopySourceIfNoneMatch=self.src_etag)
        self.s3.copy_object(Bucket=self.b, Key="c", CopySourceIfMatch=self.src_etag,
                            CopySource={"Bucket": self.b, "Key": SRC_KEY})
        self.assertEqual(self.get_body(self.b, "c"), self.body)

    def test_copy_onto_itself_needs_a_change(self):
        key = "self-copy"
        self.put(self.b, key, b"same", Metadata={"v": "1"})
        err = self.assertError("InvalidRequest", 400, self.s3.copy_object, Bucket=self.b, Key=key,
                               CopySource={"Bucket": self.b, "Key": key})
        self.assertIn("copy", err["Error"]["Message"].lower())
        self.s3.copy_object(Bucket=self.b, Key=key, CopySource={"Bucket": self.b, "Key": key},
                            MetadataDirective="REPLACE", Metadata={"v": "2"},
                            ContentType="text/x-changed")
        r = self.s3.get_object(Bucket=self.b, Key=key)
        self.assertEqual(r["Body"].read(), b"same")
        self.assertEqual(r["Metadata"], {"v": "2"})
        self.assertEqual(r["ContentType"], "text/x-changed")
        self.assertEqual(r["ETag"], '"%s"' % md5_hex(b"same"))


class TestDeleteObjects(S3TestCase):

    def test_delete_objects_verbose(self):
        b = self.bucket("del")
        for k in ("a", "b/c", "d e"):
            self.put(b, k)
        resp = self.s3.delete_objects(Bucket=b, Delete={"Objects": [
            {"Key": "a"}, {"Key": "b/c"}, {"Key": "d e"}, {"Key": "never-existed"}]})
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(sorted(d["Key"] for d in resp["Deleted"]),
                         ["a", "b/c", "d e", "never-existed"])
        self.assertEqual(resp.get("Errors", []), [])
        self.assertEqual(self.s3.list_objects_v2(Bucket=b)["KeyCount"], 0)

    def test_delete_objects_quiet(self):
        b = self.bucket("delq")
        for k in ("x", "y", "keep"):
            self.put(b, k)
        resp = self.s3.delete_objects(Bucket=b, Delete={
            "Objects": [{"Key": "x"}, {"Key": "y"}], "Quiet": True})
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(resp.get("Deleted", []), [])
        self.assertEqual(resp.get("Errors", []), [])
        keys = [o["Key"] for o in self.s3.list_objects_v2(Bucket=b)["Contents"]]
        self.assertEqual(keys, ["keep"])

    def test_delete_objects_missing_bucket(self):
        self.assertError("NoSuchBucket", 404, self.s3.delete_objects, Bucket=unique_bucket("nope"),
                         Delete={"Objects": [{"Key": "a"}]})


class TestObjectTagging(S3TestCase):

    def test_tagging_lifecycle(self):
        b = self.bucket("tags")
        self.put(b, "t", b"tagged", Tagging="project=tiny&note=a%20b")
        tags = self.s3.get_object_tagging(Bucket=b, Key="t")["TagSet"]
        self.assertEqual(sorted((t["Key"], t["Value"]) for t in tags),
                         [("note", "a b"), ("project", "tiny")])
        self.assertEqual(self.s3.get_object(Bucket=b, Key="t")["TagCount"], 2)
        self.s3.put_object_tagging(Bucket=b, Key="t", Tagging={"TagSet": [
            {"Key": "only", "Value": "one"}]})
        self.assertEqual(self.s3.get_object_tagging(Bucket=b, Key="t")["TagSet"],
                         [{"Key": "only", "Value": "one"}])
        self.assertEqual(self.s3.head_object(Bucket=b, Key="t").get("TagCount", 1), 1)
        resp = self.s3.delete_object_tagging(Bucket=b, Key="t")
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertEqual(self.s3.get_object_tagging(Bucket=b, Key="t")["TagSet"], [])
        self.assertIsNone(self.s3.get_object(Bucket=b, Key="t").get("TagCount"))

    def test_copy_carries_tags_unless_replaced(self):
        b = self.bucket("tagcopy")
        self.put(b, "src", b"s", Tagging="k=v")
        self.s3.copy_object(Bucket=b, Key="copied", CopySource={"Bucket": b, "Key": "src"})
        self.assertEqual(self.s3.get_object_tagging(Bucket=b, Key="copied")["TagSet"],
                         [{"Key": "k", "Value": "v"}])
        self.s3.copy_object(Bucket=b, Key="replaced", CopySource={"Bucket": b, "Key": "src"},
                            TaggingDirective="REPLACE", Tagging="n=m")
        self.assertEqual(self.s3.get_object_tagging(Bucket=b, Key="replaced")["TagSet"],
                         [{"Key": "n", "Value": "m"}])

    def test_tagging_missing_key(self):
        b = self.bucket("tagmiss")
        self.assertError("NoSuchKey", 404, self.s3.get_object_tagging, Bucket=b, Key="nope")
        self.assertError("NoSuchKey", 404, self.s3.put_object_tagging, Bucket=b, Key="nope",
                         Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})

    def test_too_many_tags(self):
        b = self.bucket("tagmax")
        self.put(b, "k")
        tags = [{"Key": "k%d" % i, "Value": "v"} for i in range(11)]
        self.assertError("BadRequest", 400, self.s3.put_object_tagging, Bucket=b, Key="k",
                         Tagging={"TagSet": tags})


if __name__ == "__main__":
    unittest.main()
