"""S3 conditional writes and deletes (issue 10, defect 11), as Terraform's
S3 state locking uses them: PutObject If-None-Match (`*` or ETags) and
If-Match, CopyObject's destination conditions, CompleteMultipartUpload
If-None-Match/If-Match and DeleteObject If-Match answer 412
PreconditionFailed as S3 does; a CompleteMultipartUpload retried after it
succeeded gets 200 with the same ETag (boto3 retries on timeouts)."""

import concurrent.futures
import threading
import unittest
import xml.etree.ElementTree as ET

from botocore.exceptions import ClientError

from tinystack_env import (MiB, S3TestCase, add_headers, md5_b64, multipart_etag, raw_request,
                           s3_client, xml_all)

PART = 5 * MiB


def with_headers(op, headers):
    return add_headers(s3_client(), op, headers)


class TestConditionalPut(S3TestCase):

    def setUp(self):
        self.b = self.bucket("condput")
        self.etag = self.put(self.b, "k", b"first")["ETag"]

    def assertPrecondition(self, fn, *a, **kw):
        err = self.assertError("PreconditionFailed", 412, fn, *a, **kw)
        self.assertIn(err["Error"].get("Condition"), ("If-Match", "If-None-Match"))
        return err

    def test_if_none_match_star(self):
        s3 = with_headers("PutObject", {"If-None-Match": "*"})
        self.assertPrecondition(s3.put_object, Bucket=self.b, Key="k", Body=b"second")
        self.assertEqual(self.get_body(self.b, "k"), b"first")
        self.assertEqual(s3.put_object(Bucket=self.b, Key="new", Body=b"n")["ResponseMetadata"]
                         ["HTTPStatusCode"], 200)

    def test_if_none_match_etag(self):
        for value in (self.etag, self.etag.strip('"'), '"0123", %s' % self.etag, "W/" + self.etag):
            with self.subTest(value=value):
                s3 = with_headers("PutObject", {"If-None-Match": value})
                self.assertPrecondition(s3.put_object, Bucket=self.b, Key="k", Body=b"second")
        self.assertEqual(self.get_body(self.b, "k"), b"first")
        s3 = with_headers("PutObject", {"If-None-Match": '"00000000000000000000000000000000"'})
        s3.put_object(Bucket=self.b, Key="k", Body=b"third")
        self.assertEqual(self.get_body(self.b, "k"), b"third")

    def test_if_match(self):
        s3 = with_headers("PutObject", {"If-Match": '"00000000000000000000000000000000"'})
        self.assertPrecondition(s3.put_object, Bucket=self.b, Key="k", Body=b"second")
        s3 = with_headers("PutObject", {"If-Match": self.etag})
        new = s3.put_object(Bucket=self.b, Key="k", Body=b"second")["ETag"]
        self.assertEqual(self.get_body(self.b, "k"), b"second")
        # The old ETag no longer matches.
        self.assertPrecondition(s3.put_object, Bucket=self.b, Key="k", Body=b"third")
        s3 = with_headers("PutObject", {"If-Match": "*"})
        s3.put_object(Bucket=self.b, Key="k", Body=b"fourth")
        self.assertNotEqual(new, self.s3.head_object(Bucket=self.b, Key="k")["ETag"])
        self.assertError("NoSuchKey", 404, s3.put_object, Bucket=self.b, Key="absent", Body=b"x")

    def test_deleted_key_counts_as_absent(self):
        self.s3.put_bucket_versioning(Bucket=self.b, VersioningConfiguration={"Status": "Enabled"})
        self.s3.delete_object(Bucket=self.b, Key="k")
        s3 = with_headers("PutObject", {"If-None-Match": "*"})
        s3.put_object(Bucket=self.b, Key="k", Body=b"again")
        self.assertEqual(self.get_body(self.b, "k"), b"again")

    def test_copy_destination_conditions(self):
        self.put(self.b, "src", b"source")
        s3 = with_headers("CopyObject", {"If-None-Match": "*"})
        self.assertPrecondition(s3.copy_object, Bucket=self.b, Key="k",
                                CopySource={"Bucket": self.b, "Key": "src"})
        s3.copy_object(Bucket=self.b, Key="fresh", CopySource={"Bucket": self.b, "Key": "src"})
        s3 = with_headers("CopyObject", {"If-Match": '"00000000000000000000000000000000"'})
        self.assertPrecondition(s3.copy_object, Bucket=self.b, Key="k",
                                CopySource={"Bucket": self.b, "Key": "src"})
        self.assertEqual(self.get_body(self.b, "k"), b"first")

    def test_only_one_of_many_creators_wins(self):
        wins = []
        barrier = threading.Barrier(8)

        def create(i):
            c = with_headers("PutObject", {"If-None-Match": "*"})
            barrier.wait()
            try:
                c.put_object(Bucket=self.b, Key="lock", Body=b"%d" % i)
                wins.append(i)
            except ClientError as e:
                self.assertEqual(e.response["Error"]["Code"], "PreconditionFailed")

        with concurrent.futures.ThreadPoolExecutor(8) as ex:
            list(ex.map(create, range(8)))
        self.assertEqual(len(wins), 1, wins)
        self.assertEqual(self.get_body(self.b, "lock"), b"%d" % wins[0])


class TestConditionalDelete(S3TestCase):

    def test_delete_if_match(self):
        b = self.bucket("conddel")
        etag = self.put(b, "k", b"v")["ETag"]
        s3 = with_headers("DeleteObject", {"If-Match": '"00000000000000000000000000000000"'})
        err = self.assertError("PreconditionFailed", 412, s3.delete_object, Bucket=b, Key="k")
        self.assertEqual(err["Error"].get("Condition"), "If-Match")
        self.assertEqual(self.get_body(b, "k"), b"v")
        s3 = with_headers("DeleteObject", {"If-Match": etag})
        self.assertEqual(s3.delete_object(Bucket=b, Key="k")["ResponseMetadata"]["HTTPStatusCode"],
                         204)
        self.assertError("NoSuchKey", 404, self.s3.get_object, Bucket=b, Key="k")
        self.assertError("NoSuchKey", 404, s3.delete_object, Bucket=b, Key="k")
        self.put(b, "k2", b"v")
        s3 = with_headers("DeleteObject", {"If-Match": "*"})
        s3.delete_object(Bucket=b, Key="k2")
        self.assertError("NoSuchKey", 404, s3.delete_object, Bucket=b, Key="k2")

    def test_delete_objects_etags(self):
        b = self.bucket("conddels")
        e1 = self.put(b, "a", b"1")["ETag"]
        self.put(b, "b", b"2")
        # By hand: older botocores have no ETag member in ObjectIdentifier.
        body = ("<Delete><Object><Key>a</Key><ETag>%s</ETag></Object>"
                "<Object><Key>b</Key><ETag>\"00000000000000000000000000000000\"</ETag></Object>"
                "<Object><Key>gone</Key><ETag>%s</ETag></Object></Delete>" % (e1, e1)).encode()
        r = raw_request("POST", "/%s?delete" % b, body=body, headers={"Content-MD5": md5_b64(body)})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(xml_all(r.body, "Deleted"), [""])
        root = ET.fromstring(r.body)
        errors = sorted((e.find("{*}Key").text, e.find("{*}Code").text)
                        for e in root if e.tag.endswith("Error"))
        self.assertEqual(errors, [("b", "PreconditionFailed"), ("gone", "NoSuchKey")])
        self.assertEqual(self.get_body(b, "b"), b"2")
        self.assertError("NoSuchKey", 404, self.s3.get_object, Bucket=b, Key="a")

    def test_terraform_lock_cycle(self):
        b = self.bucket("tflock")
        create = with_headers("PutObject", {"If-None-Match": "*"})
        etag = create.put_object(Bucket=b, Key="env/terraform.tfstate.tflock",
                                 Body=b'{"ID":"1"}')["ETag"]
        self.assertError("PreconditionFailed", 412, create.put_object, Bucket=b,
                         Key="env/terraform.tfstate.tflock", Body=b'{"ID":"2"}')
        release = with_headers("DeleteObject", {"If-Match": etag})
        release.delete_object(Bucket=b, Key="env/terraform.tfstate.tflock")
        create.put_object(Bucket=b, Key="env/terraform.tfstate.tflock", Body=b'{"ID":"3"}')
        self.assertEqual(self.get_body(b, "env/terraform.tfstate.tflock"), b'{"ID":"3"}')


class TestCompleteMultipart(S3TestCase):

    def upload(self, b, key, n=2):
        uid = self.s3.create_multipart_upload(Bucket=b, Key=key)["UploadId"]
        parts, datas = [], []
        for i in range(1, n + 1):
            data = (b"%d" % i) * (PART if i < n else 100)
            datas.append(data)
            e = self.s3.upload_part(Bucket=b, Key=key, UploadId=uid, PartNumber=i, Body=data)["ETag"]
            parts.append({"PartNumber": i, "ETag": e})
        return uid, parts, datas

    def test_if_none_match_star(self):
        b = self.bucket("mpucond")
        self.put(b, "k", b"exists")
        uid, parts, datas = self.upload(b, "k")
        s3 = with_headers("CompleteMultipartUpload", {"If-None-Match": "*"})
        self.assertError("PreconditionFailed", 412, s3.complete_multipart_upload, Bucket=b, Key="k",
                         UploadId=uid, MultipartUpload={"Parts": parts})
        self.assertEqual(self.get_body(b, "k"), b"exists")
        # The upload is still there, and completes without the condition.
        self.s3.complete_multipart_upload(Bucket=b, Key="k", UploadId=uid,
                                          MultipartUpload={"Parts": parts})
        self.assertEqual(self.get_body(b, "k"), b"".join(datas))
        uid, parts, _ = self.upload(b, "new")
        s3.complete_multipart_upload(Bucket=b, Key="new", UploadId=uid,
                                     MultipartUpload={"Parts": parts})

    def test_if_match(self):
        b = self.bucket("mpumatch")
        etag = self.put(b, "k", b"exists")["ETag"]
        uid, parts, datas = self.upload(b, "k")
        s3 = with_headers("CompleteMultipartUpload", {"If-Match": '"00000000000000000000000000000000"'})
        self.assertError("PreconditionFailed", 412, s3.complete_multipart_upload, Bucket=b, Key="k",
                         UploadId=uid, MultipartUpload={"Parts": parts})
        s3 = with_headers("CompleteMultipartUpload", {"If-Match": etag})
        s3.complete_multipart_upload(Bucket=b, Key="k", UploadId=uid,
                                     MultipartUpload={"Parts": parts})
        self.assertEqual(self.get_body(b, "k"), b"".join(datas))
        uid, parts, _ = self.upload(b, "absent")
        self.assertError("NoSuchKey", 404, s3.complete_multipart_upload, Bucket=b, Key="absent",
                         UploadId=uid, MultipartUpload={"Parts": parts})

    def test_retry_after_success_gets_the_same_answer(self):
        b = self.bucket("mpuretry")
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        uid, parts, datas = self.upload(b, "k")
        first = self.s3.complete_multipart_upload(Bucket=b, Key="k", UploadId=uid,
                                                  MultipartUpload={"Parts": parts})
        self.assertEqual(first["ETag"], multipart_etag(datas))
        again = self.s3.complete_multipart_upload(Bucket=b, Key="k", UploadId=uid,
                                                  MultipartUpload={"Parts": parts})
        self.assertEqual((again["ETag"], again.get("VersionId"), again["Key"], again["Bucket"]),
                         (first["ETag"], first.get("VersionId"), "k", b))
        # Only one version was made.
        self.assertEqual(len(self.s3.list_object_versions(Bucket=b)["Versions"]), 1)
        # Another parts list, key or bucket is not a retry of this one.
        self.assertError("NoSuchUpload", 404, self.s3.complete_multipart_upload, Bucket=b,
                         Key="k", UploadId=uid, MultipartUpload={"Parts": parts[:1]})
        self.assertError("NoSuchUpload", 404, self.s3.complete_multipart_upload, Bucket=b,
                         Key="other", UploadId=uid, MultipartUpload={"Parts": parts})
        self.assertError("NoSuchUpload", 404, self.s3.abort_multipart_upload, Bucket=b, Key="k",
                         UploadId=uid)
        self.assertEqual(self.get_body(b, "k"), b"".join(datas))


if __name__ == "__main__":
    unittest.main()
