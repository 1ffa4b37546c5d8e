"""S3 multipart uploads: create, parts, copy parts, complete, errors, abort,
listings."""

import os
import unittest

from tinystack_env import MiB, S3TestCase, md5_hex, multipart_etag

PART1 = os.urandom(5 * MiB)
TAIL = os.urandom(100 * 1024 + 7)


class TestMultipart(S3TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.b = "mpu-%d" % (os.getpid() % 100000)
        cls.s3.create_bucket(Bucket=cls.b)

    def create(self, key, **kw):
        return self.s3.create_multipart_upload(Bucket=self.b, Key=key, **kw)["UploadId"]

    def part(self, key, uid, n, body):
        r = self.s3.upload_part(Bucket=self.b, Key=key, UploadId=uid, PartNumber=n, Body=body)
        return {"PartNumber": n, "ETag": r["ETag"]}

    def complete(self, key, uid, parts):
        return self.s3.complete_multipart_upload(Bucket=self.b, Key=key, UploadId=uid,
                                                 MultipartUpload={"Parts": parts})

    def test_complete(self):
        key = "big/object.bin"
        uid = self.create(key, ContentType="application/x-big", Metadata={"kind": "mpu"})
        self.assertTrue(uid)
        p1 = self.part(key, uid, 1, PART1)
        p2 = self.part(key, uid, 2, TAIL)
        self.assertEqual(p1["ETag"], '"%s"' % md5_hex(PART1))
        self.assertEqual(p2["ETag"], '"%s"' % md5_hex(TAIL))
        ups = self.s3.list_multipart_uploads(Bucket=self.b)["Uploads"]
        self.assertIn((key, uid), [(u["Key"], u["UploadId"]) for u in ups])
        r = self.complete(key, uid, [p1, p2])
        etag = multipart_etag([PART1, TAIL])
        self.assertEqual(r["ETag"], etag)
        self.assertEqual((r["Bucket"], r["Key"]), (self.b, key))
        self.assertTrue(r.get("Location"))
        g = self.s3.get_object(Bucket=self.b, Key=key)
        self.assertEqual(g["ETag"], etag)
        self.assertEqual(g["ContentLength"], len(PART1) + len(TAIL))
        self.assertEqual(g["ContentType"], "application/x-big")
        self.assertEqual(g["Metadata"], {"kind": "mpu"})
        self.assertTrue(g["Body"].read() == PART1 + TAIL, "body differs")
        ups = self.s3.list_multipart_uploads(Bucket=self.b).get("Uploads", [])
        self.assertNotIn(uid, [u["UploadId"] for u in ups])
        # Range across the part boundary.
        g = self.s3.get_object(Bucket=self.b, Key=key, Range="bytes=%d-%d" % (5 * MiB - 3, 5 * MiB + 2))
        self.assertEqual(g["Body"].read(), PART1[-3:] + TAIL[:3])

    def test_get_part_number(self):
        key = "parts"
        uid = self.create(key)
        parts = [self.part(key, uid, 1, PART1), self.part(key, uid, 2, TAIL)]
        self.complete(key, uid, parts)
        h = self.s3.head_object(Bucket=self.b, Key=key, PartNumber=1)
        self.assertEqual(h["ContentLength"], len(PART1))
        self.assertEqual(h.get("PartsCount"), 2)
        g = self.s3.get_object(Bucket=self.b, Key=key, PartNumber=2)
        self.assertTrue(g["Body"].read() == TAIL, "part 2 differs")

    def test_upload_part_copy(self):
        src = os.urandom(6 * MiB)
        self.s3.put_object(Bucket=self.b, Key="copy-src", Body=src)
        key = "copied-mpu"
        uid = self.create(key)
        c1 = self.s3.upload_part_copy(Bucket=self.b, Key=key, UploadId=uid, PartNumber=1,
                                      CopySource={"Bucket": self.b, "Key": "copy-src"},
                                      CopySourceRange="bytes=0-%d" % (5 * MiB - 1))
        self.assertEqual(c1["CopyPartResult"]["ETag"], '"%s"' % md5_hex(src[:5 * MiB]))
        c2 = self.s3.upload_part_copy(Bucket=self.b, Key=key, UploadId=uid, PartNumber=2,
                                      CopySource={"Bucket": self.b, "Key": "copy-src"},
                                      CopySourceRange="bytes=%d-%d" % (6 * MiB - 10, 6 * MiB - 1))
        r = self.complete(key, uid, [
            {"PartNumber": 1, "ETag": c1["CopyPartResult"]["ETag"]},
            {"PartNumber": 2, "ETag": c2["CopyPartResult"]["ETag"]}])
        self.assertEqual(r["ETag"], multipart_etag([src[:5 * MiB], src[-10:]]))
        self.assertTrue(self.get_body(self.b, key) == src[:5 * MiB] + src[-10:], "body differs")

    def test_upload_part_copy_whole_object_and_bad_range(self):
        self.s3.put_object(Bucket=self.b, Key="small-src", Body=b"0123456789")
        key = "copy-whole"
        uid = self.create(key)
        c = self.s3.upload_part_copy(Bucket=self.b, Key=key, UploadId=uid, PartNumber=1,
                                     CopySource={"Bucket": self.b, "Key": "small-src"})
        self.assertEqual(c["CopyPartResult"]["ETag"], '"%s"' % md5_hex(b"0123456789"))
        # AWS: InvalidArgument "Range specified is not valid for source object of size: 10".
        self.assertError("InvalidArgument", 400, self.s3.upload_part_copy, Bucket=self.b, Key=key,
                         UploadId=uid, PartNumber=2, CopySourceRange="bytes=5-100",
                         CopySource={"Bucket": self.b, "Key": "small-src"})
        self.complete(key, uid, [{"PartNumber": 1, "ETag": c["CopyPartResult"]["ETag"]}])
        self.assertEqual(self.get_body(self.b, key), b"0123456789")

    def test_single_small_part(self):
        key = "one-part"
        uid = self.create(key)
        r = self.complete(key, uid, [self.part(key, uid, 1, b"tiny")])
        self.assertEqual(r["ETag"], multipart_etag([b"tiny"]))
        self.assertEqual(self.get_body(self.b, key), b"tiny")

    def test_part_overwrite_last_wins(self):
        key = "overwrite-part"
        uid = self.create(key)
        self.part(key, uid, 1, b"first")
        p = self.part(key, uid, 1, b"second")
        parts = self.s3.list_parts(Bucket=self.b, Key=key, UploadId=uid)["Parts"]
        self.assertEqual([(x["PartNumber"], x["ETag"], x["Size"]) for x in parts],
                         [(1, p["ETag"], 6)])
        self.complete(key, uid, [p])
        self.assertEqual(self.get_body(self.b, key), b"second")

    def test_invalid_part(self):
        key = "invalid-part"
        uid = self.create(key)
        p1 = self.part(key, uid, 1, PART1)
        p2 = self.part(key, uid, 2, b"end")
        self.assertError("InvalidPart", 400, self.complete, key, uid,
                         [p1, {"PartNumber": 2, "ETag": '"0123456789abcdef0123456789abcdef"'}])
        self.assertError("InvalidPart", 400, self.complete, key, uid,
                         [p1, p2, {"PartNumber": 3, "ETag": p2["ETag"]}])
        # The upload survives a failed complete.
        self.complete(key, uid, [p1, p2])
        self.assertEqual(self.s3.head_object(Bucket=self.b, Key=key)["ContentLength"], 5 * MiB + 3)

    def test_invalid_part_order(self):
        key = "order"
        uid = self.create(key)
        p1 = self.part(key, uid, 1, PART1)
        p2 = self.part(key, uid, 2, PART1)  # both big enough: only the order is wrong
        self.assertError("InvalidPartOrder", 400, self.complete, key, uid, [p2, p1])
        self.assertError("404", 404, self.s3.head_object, Bucket=self.b, Key=key)

    def test_entity_too_small(self):
        key = "too-small"
        uid = self.create(key)
        p1 = self.part(key, uid, 1, b"a" * 1024)
        p2 = self.part(key, uid, 2, b"b" * 1024)
        self.assertError("EntityTooSmall", 400, self.complete, key, uid, [p1, p2])
        self.assertError("404", 404, self.s3.head_object, Bucket=self.b, Key=key)

    def test_part_number_bounds(self):
        key = "bounds"
        uid = self.create(key)
        for n in (0, 10001):
            with self.subTest(part=n):
                self.assertError("InvalidArgument", 400, self.s3.upload_part, Bucket=self.b,
                                 Key=key, UploadId=uid, PartNumber=n, Body=b"x")
        self.part(key, uid, 10000, b"x")

    def test_abort(self):
        key = "aborted"
        uid = self.create(key)
        p1 = self.part(key, uid, 1, b"data")
        r = self.s3.abort_multipart_upload(Bucket=self.b, Key=key, UploadId=uid)
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        err = self.assertError("NoSuchUpload", 404, self.s3.list_parts, Bucket=self.b, Key=key,
                               UploadId=uid)
        self.assertEqual(err["Error"].get("UploadId"), uid)
        self.assertError("NoSuchUpload", 404, self.s3.upload_part, Bucket=self.b, Key=key,
                         UploadId=uid, PartNumber=2, Body=b"more")
        self.assertError("NoSuchUpload", 404, self.complete, key, uid, [p1])
        self.assertError("404", 404, self.s3.head_object, Bucket=self.b, Key=key)
        ups = self.s3.list_multipart_uploads(Bucket=self.b).get("Uploads", [])
        self.assertNotIn(uid, [u["UploadId"] for u in ups])

    def test_no_such_upload(self):
        self.assertError("NoSuchUpload", 404, self.s3.upload_part, Bucket=self.b, Key="k",
                         UploadId="no-such-upload-id", PartNumber=1, Body=b"x")
        self.assertError("NoSuchUpload", 404, self.s3.abort_multipart_upload, Bucket=self.b,
                         Key="k", UploadId="no-such-upload-id")

    def test_list_parts_paging(self):
        key = "list-parts"
        uid = self.create(key)
        etags = [self.part(key, uid, n, b"p%d" % n)["ETag"] for n in (1, 2, 3)]
        r = self.s3.list_parts(Bucket=self.b, Key=key, UploadId=uid, MaxParts=2)
        self.assertEqual([p["PartNumber"] for p in r["Parts"]], [1, 2])
        self.assertTrue(r["IsTruncated"])
        self.assertEqual(r["NextPartNumberMarker"], 2)
        self.assertEqual((r["Bucket"], r["Key"], r["UploadId"]), (self.b, key, uid))
        r = self.s3.list_parts(Bucket=self.b, Key=key, UploadId=uid, PartNumberMarker=2)
        self.assertEqual([(p["PartNumber"], p["ETag"], p["Size"]) for p in r["Parts"]],
                         [(3, etags[2], 2)])
        self.assertFalse(r["IsTruncated"])
        self.s3.abort_multipart_upload(Bucket=self.b, Key=key, UploadId=uid)

    def test_list_multipart_uploads(self):
        b = self.bucket("mpu-list")
        u1 = self.s3.create_multipart_upload(Bucket=b, Key="x/one")["UploadId"]
        u2 = self.s3.create_multipart_upload(Bucket=b, Key="x/two")["UploadId"]
        u3 = self.s3.create_multipart_upload(Bucket=b, Key="y")["UploadId"]
        r = self.s3.list_multipart_uploads(Bucket=b)
        self.assertEqual(r["Bucket"], b)
        self.assertEqual([(u["Key"], u["UploadId"]) for u in r["Uploads"]],
                         [("x/one", u1), ("x/two", u2), ("y", u3)])
        self.assertTrue(r["Uploads"][0]["Initiated"])
        r = self.s3.list_multipart_uploads(Bucket=b, Prefix="x/")
        self.assertEqual([u["UploadId"] for u in r["Uploads"]], [u1, u2])
        r = self.s3.list_multipart_uploads(Bucket=b, Delimiter="/")
        self.assertEqual([p["Prefix"] for p in r.get("CommonPrefixes", [])], ["x/"])
        self.assertEqual([u["Key"] for u in r["Uploads"]], ["y"])
        # Uploads are not objects.
        self.assertEqual(self.s3.list_objects_v2(Bucket=b)["KeyCount"], 0)


if __name__ == "__main__":
    unittest.main()
