"""S3 over the wire: presigned URLs, virtual-host style, malformed XML
bodies, request ids on every response."""

import time
import unittest
import urllib.error
import urllib.request

from tinystack_env import (PORT, S3TestCase, VHOST_SUFFIX, md5_b64, md5_hex, raw_request, s3_client,
                           unique_bucket, xml_all, xml_text)


def http(method, url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


class TestPresigned(S3TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.b = unique_bucket("presign")
        cls.s3.create_bucket(Bucket=cls.b)
        cls.signer = s3_client(signature_version="s3v4")

    def test_presigned_get(self):
        key = "dir/a b+c \u00fc.txt"
        self.put(self.b, key, b"presigned body", ContentType="text/plain")
        url = self.signer.generate_presigned_url("get_object", ExpiresIn=300,
                                                 Params={"Bucket": self.b, "Key": key})
        self.assertIn("X-Amz-Signature=", url)
        status, headers, body = http("GET", url)
        self.assertEqual((status, body), (200, b"presigned body"))
        self.assertEqual(headers.get("Content-Type"), "text/plain")

    def test_presigned_get_response_overrides(self):
        self.put(self.b, "report", b"csv,data")
        url = self.signer.generate_presigned_url("get_object", ExpiresIn=300, Params={
            "Bucket": self.b, "Key": "report", "ResponseContentType": "text/csv",
            "ResponseContentDisposition": 'attachment; filename="r.csv"'})
        status, headers, body = http("GET", url)
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("Content-Type"), "text/csv")
        self.assertEqual(headers.get("Content-Disposition"), 'attachment; filename="r.csv"')

    def test_presigned_put(self):
        url = self.signer.generate_presigned_url("put_object", ExpiresIn=300,
                                                 Params={"Bucket": self.b, "Key": "uploaded"})
        status, headers, _ = http("PUT", url, data=b"from a browser",
                                  headers={"Content-Type": "text/plain"})
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("ETag"), '"%s"' % md5_hex(b"from a browser"))
        r = self.s3.get_object(Bucket=self.b, Key="uploaded")
        self.assertEqual((r["Body"].read(), r["ContentType"]), (b"from a browser", "text/plain"))

    def test_presigned_missing_key(self):
        url = self.signer.generate_presigned_url("get_object", ExpiresIn=300,
                                                 Params={"Bucket": self.b, "Key": "nope"})
        status, _, body = http("GET", url)
        self.assertEqual(status, 404)
        self.assertEqual(xml_text(body, "Code"), "NoSuchKey")

    def test_presigned_expired(self):
        self.put(self.b, "soon-gone", b"x")
        url = self.signer.generate_presigned_url("get_object", ExpiresIn=1,
                                                 Params={"Bucket": self.b, "Key": "soon-gone"})
        time.sleep(2.2)
        status, _, body = http("GET", url)
        self.assertEqual(status, 403)
        self.assertEqual(xml_text(body, "Code"), "AccessDenied")
        self.assertIn("expired", (xml_text(body, "Message") or "").lower())


class TestVirtualHost(S3TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.b = unique_bucket("vhost")
        cls.s3.create_bucket(Bucket=cls.b)

    def test_boto_virtual_style(self):
        v = s3_client(addressing_style="virtual")
        seen = []
        v.meta.events.register("before-send.s3", lambda request, **kw: seen.append(
            request.headers.get("Host")), unique_id="record-host")
        v.put_object(Bucket=self.b, Key="via/vhost.txt", Body=b"virtual")
        self.assertEqual(v.get_object(Bucket=self.b, Key="via/vhost.txt")["Body"].read(), b"virtual")
        keys = [o["Key"] for o in v.list_objects_v2(Bucket=self.b)["Contents"]]
        self.assertIn("via/vhost.txt", keys)
        v.delete_object(Bucket=self.b, Key="via/vhost.txt")
        host = seen[0].decode() if isinstance(seen[0], bytes) else seen[0]
        self.assertEqual(host, "%s.%s:%d" % (self.b, VHOST_SUFFIX, PORT))
        self.assertError("NoSuchKey", 404, self.s3.get_object, Bucket=self.b, Key="via/vhost.txt")

    def check_host(self, host):
        r = raw_request("PUT", "/hello%20there.txt", body=b"hi " + host.encode(), host=host,
                        headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.get_body(self.b, "hello there.txt"), b"hi " + host.encode())
        r = raw_request("GET", "/hello%20there.txt", host=host)
        self.assertEqual((r.status, r.body), (200, b"hi " + host.encode()))
        r = raw_request("GET", "/?list-type=2&prefix=hello", host=host)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(xml_text(r.body, "Name"), self.b)
        self.assertEqual(xml_all(r.body, "Key"), ["hello there.txt"])
        r = raw_request("HEAD", "/", host=host)
        self.assertEqual(r.status, 200, r)
        r = raw_request("GET", "/missing", host=host)
        self.assertEqual((r.status, r.error_code()), (404, "NoSuchKey"))

    def test_localstack_cloud_host(self):
        self.check_host("%s.s3.localhost.localstack.cloud:%d" % (self.b, PORT))

    def test_localhost_host(self):
        self.check_host("%s.localhost:%d" % (self.b, PORT))

    def test_virtual_host_missing_bucket(self):
        r = raw_request("GET", "/k", host="%s.s3.localhost.localstack.cloud:%d"
                        % (unique_bucket("nope"), PORT))
        self.assertEqual((r.status, r.error_code()), (404, "NoSuchBucket"))


GARBAGE = b"this is <not> xml at all <<<"
TRUNCATED = b"<Tagging><TagSet><Tag><Key>a</Key>"


class TestMalformedXml(S3TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.b = unique_bucket("xml")
        cls.s3.create_bucket(Bucket=cls.b)
        cls.s3.put_object(Bucket=cls.b, Key="k", Body=b"v")

    def expect_malformed(self, method, path, body, md5=True):
        headers = {"Content-MD5": md5_b64(body)} if md5 else {}
        r = raw_request(method, path, body=body, headers=headers)
        self.assertEqual((r.status, r.error_code()), (400, "MalformedXML"), r)

    def test_put_bucket_tagging(self):
        for body in (GARBAGE, TRUNCATED, b""):
            with self.subTest(body=body):
                self.expect_malformed("PUT", "/%s?tagging" % self.b, body)
        self.assertError("NoSuchTagSet", 404, self.s3.get_bucket_tagging, Bucket=self.b)

    def test_delete_objects(self):
        for body in (GARBAGE, b"<Delete><Object><Key>k</Key></Object>"):
            with self.subTest(body=body):
                self.expect_malformed("POST", "/%s?delete" % self.b, body)
        self.assertEqual(self.get_body(self.b, "k"), b"v")

    def test_complete_multipart(self):
        uid = self.s3.create_multipart_upload(Bucket=self.b, Key="mpu")["UploadId"]
        self.s3.upload_part(Bucket=self.b, Key="mpu", UploadId=uid, PartNumber=1, Body=b"p")
        for body in (GARBAGE, b"<CompleteMultipartUpload></CompleteMultipartUpload>"):
            with self.subTest(body=body):
                self.expect_malformed("POST", "/%s/mpu?uploadId=%s" % (self.b, uid), body,
                                      md5=False)
        self.assertError("MalformedXML", 400, self.s3.complete_multipart_upload, Bucket=self.b,
                         Key="mpu", UploadId=uid, MultipartUpload={"Parts": []})
        # The upload is still there.
        self.assertEqual(len(self.s3.list_parts(Bucket=self.b, Key="mpu", UploadId=uid)["Parts"]), 1)

    def test_other_configurations(self):
        for q in ("versioning", "cors"):
            with self.subTest(sub=q):
                self.expect_malformed("PUT", "/%s?%s" % (self.b, q), GARBAGE)
        self.expect_malformed("PUT", "/%s/k?tagging" % self.b, GARBAGE)

    def test_create_bucket_with_garbage_body(self):
        name = unique_bucket("garbage")
        self.expect_malformed("PUT", "/%s" % name, GARBAGE, md5=False)
        self.assertError("404", 404, self.s3.head_bucket, Bucket=name)


class TestRequestIds(S3TestCase):

    def assertIds(self, r, what):
        for h in ("x-amz-request-id", "x-amz-id-2"):
            self.assertTrue(r.headers.get(h), "%s (%d): no %s header" % (what, r.status, h))

    def test_every_response_has_request_ids(self):
        b = unique_bucket("ids")
        cases = [
            ("PUT", "/%s" % b, b""), ("GET", "/", b""), ("HEAD", "/%s" % b, b""),
            ("PUT", "/%s/k" % b, b"v"), ("GET", "/%s/k" % b, b""), ("HEAD", "/%s/k" % b, b""),
            ("GET", "/%s?list-type=2" % b, b""), ("GET", "/%s?location" % b, b""),
            ("GET", "/%s/missing" % b, b""), ("HEAD", "/%s/missing" % b, b""),
            ("GET", "/%s/k" % unique_bucket("nope"), b""), ("PUT", "/Bad_Name", b""),
            ("DELETE", "/%s" % b, b""), ("PUT", "/%s?tagging" % b, GARBAGE),
            ("DELETE", "/%s/k" % b, b""), ("DELETE", "/%s" % b, b""),
        ]
        for method, path, body in cases:
            with self.subTest(request="%s %s" % (method, path)):
                self.assertIds(raw_request(method, path, body=body), "%s %s" % (method, path))
        r = raw_request("OPTIONS", "/%s/k" % b, sign=False, headers={
            "Origin": "http://x.example", "Access-Control-Request-Method": "GET"})
        self.assertIds(r, "OPTIONS")

    def test_error_body_carries_request_id(self):
        r = raw_request("GET", "/%s/k" % unique_bucket("nope"))
        self.assertEqual(r.status, 404)
        self.assertEqual(xml_text(r.body, "RequestId"), r.headers.get("x-amz-request-id"))
        self.assertTrue(xml_text(r.body, "Message"))

    def test_request_ids_differ(self):
        ids = {raw_request("GET", "/").headers.get("x-amz-request-id") for _ in range(5)}
        self.assertEqual(len(ids), 5)


if __name__ == "__main__":
    unittest.main()
