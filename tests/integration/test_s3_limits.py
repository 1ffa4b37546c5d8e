"""S3's limits (issue 10, defect 9): a PutObject or UploadPart over 5 GiB
gets EntityTooLarge before `100 Continue`; DeleteObjects takes at most
1,000 keys; X-Amz-Expires outside S3's range gets
AuthorizationQueryParametersError (a huge value used to overflow and abort
the sanitizer build); each buffered operation's body has a cap of its own,
answered before the body is read."""

import socket
import unittest
import urllib.parse

from tinystack_env import (HOST, PORT, S3TestCase, raw_request, s3_client, sign_headers,
                           unique_bucket, xml_text)

FIVE_GIB = 5 * 1024 ** 3


def head_only(method, path, headers):
    """Sends only the request head (Expect: 100-continue), and returns the
    status line and the bytes of the first answer."""
    hdrs = sign_headers(method, path, dict(headers, **{"x-amz-content-sha256": "UNSIGNED-PAYLOAD"}))
    hdrs["Expect"] = "100-continue"
    head = "%s %s HTTP/1.1\r\n%s\r\n" % (method, path,
                                         "".join("%s: %s\r\n" % kv for kv in hdrs.items()))
    s = socket.create_connection((HOST, PORT), timeout=10)
    try:
        s.sendall(head.encode())
        data = b""
        while b"\r\n\r\n" not in data:
            b = s.recv(65536)
            if not b:
                break
            data += b
        status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.") else None
        if status and status != 100:
            head_part, _, rest = data.partition(b"\r\n\r\n")
            length = [int(l.split(b":", 1)[1]) for l in head_part.split(b"\r\n")
                      if l.lower().startswith(b"content-length:")]
            while length and len(rest) < length[0]:
                b = s.recv(65536)
                if not b:
                    break
                rest += b
            return status, rest
        return status, b""
    finally:
        s.close()


class TestObjectSize(S3TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.b = unique_bucket("limits")
        cls.s3.create_bucket(Bucket=cls.b)

    def assertTooLarge(self, status, body, proposed):
        self.assertEqual((status, xml_text(body, "Code")), (400, "EntityTooLarge"), body)
        self.assertEqual(xml_text(body, "MaxSizeAllowed"), str(FIVE_GIB))
        self.assertEqual(xml_text(body, "ProposedSize"), str(proposed))

    def test_put_object_over_5gib_before_continue(self):
        status, body = head_only("PUT", "/%s/huge" % self.b, {"Content-Length": str(FIVE_GIB + 1)})
        self.assertTooLarge(status, body, FIVE_GIB + 1)
        # Exactly 5 GiB is allowed: the server asks for the body.
        status, _ = head_only("PUT", "/%s/huge" % self.b, {"Content-Length": str(FIVE_GIB)})
        self.assertEqual(status, 100)
        self.assertError("404", 404, self.s3.head_object, Bucket=self.b, Key="huge")

    def test_aws_chunked_counts_the_decoded_length(self):
        status, body = head_only("PUT", "/%s/huge-chunked" % self.b, {
            "Content-Length": "1000", "Content-Encoding": "aws-chunked",
            "x-amz-decoded-content-length": str(6 * 1024 ** 3)})
        self.assertTooLarge(status, body, 6 * 1024 ** 3)

    def test_upload_part_over_5gib_before_continue(self):
        uid = self.s3.create_multipart_upload(Bucket=self.b, Key="mpu")["UploadId"]
        status, body = head_only("PUT", "/%s/mpu?partNumber=1&uploadId=%s" % (self.b, uid),
                                 {"Content-Length": str(FIVE_GIB + 10)})
        self.assertTooLarge(status, body, FIVE_GIB + 10)
        self.s3.abort_multipart_upload(Bucket=self.b, Key="mpu", UploadId=uid)


class TestBodyCaps(S3TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.b = unique_bucket("caps")
        cls.s3.create_bucket(Bucket=cls.b)
        cls.s3.put_object(Bucket=cls.b, Key="k", Body=b"v")

    def test_buffered_bodies_are_capped_before_continue(self):
        for path, size in (("/%s?policy", 21 * 1024), ("/%s?cors", 65 * 1024),
                           ("/%s?tagging", 257 * 1024), ("/%s/k?tagging", 65 * 1024),
                           ("/%s?versioning", 5 * 1024), ("/%s?lifecycle", 2 * 1024 * 1024)):
            with self.subTest(path=path, size=size):
                status, body = head_only("PUT", path % self.b, {"Content-Length": str(size)})
                self.assertEqual((status, xml_text(body, "Code")), (400, "EntityTooLarge"), body)
        # A policy under the cap still works.
        policy = '{"Version":"2012-10-17","Statement":[],"Id":"%s"}' % ("x" * 19000)
        self.s3.put_bucket_policy(Bucket=self.b, Policy=policy)
        self.assertEqual(self.s3.get_bucket_policy(Bucket=self.b)["Policy"], policy)

    def test_complete_takes_ten_thousand_parts(self):
        uid = self.s3.create_multipart_upload(Bucket=self.b, Key="many")["UploadId"]
        parts = [{"PartNumber": n, "ETag": '"%032x"' % n,
                  "ChecksumSHA256": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}
                 for n in range(1, 10001)]
        # Every part is unknown: the answer is InvalidPart, not a body cap.
        self.assertError("InvalidPart", 400, self.s3.complete_multipart_upload, Bucket=self.b,
                         Key="many", UploadId=uid, MultipartUpload={"Parts": parts})
        self.s3.abort_multipart_upload(Bucket=self.b, Key="many", UploadId=uid)

    def test_delete_objects_takes_1000_keys(self):
        keys = [{"Key": "d%04d" % i} for i in range(1001)]
        err = self.assertError("MalformedXML", 400, self.s3.delete_objects, Bucket=self.b,
                               Delete={"Objects": keys})
        self.assertIn("not well-formed", err["Error"]["Message"])
        r = self.s3.delete_objects(Bucket=self.b, Delete={"Objects": keys[:1000], "Quiet": True})
        self.assertEqual(r.get("Errors", []), [])
        self.assertEqual(self.get_body(self.b, "k"), b"v")


class TestPresignExpires(S3TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.b = unique_bucket("expires")
        cls.s3.create_bucket(Bucket=cls.b)
        cls.s3.put_object(Bucket=cls.b, Key="k", Body=b"presigned")
        cls.signer = s3_client(signature_version="s3v4")

    def url_with(self, expires):
        url = self.signer.generate_presigned_url("get_object", ExpiresIn=300,
                                                 Params={"Bucket": self.b, "Key": "k"})
        parts = urllib.parse.urlsplit(url)
        q = urllib.parse.parse_qsl(parts.query)
        q = [(k, expires if k == "X-Amz-Expires" else v) for k, v in q]
        return parts.path + "?" + urllib.parse.urlencode(q)

    def test_bad_expires(self):
        week = ("X-Amz-Expires must be less than a week (in seconds); that is, the given "
                "X-Amz-Expires must be less than 604800 seconds")
        for value, message in (("604801", week), ("99999999999999999999", "X-Amz-Expires should be a number"),
                               ("9223372036854775807", week), ("-1", "X-Amz-Expires must be non-negative"),
                               ("-9223372036854775808", "X-Amz-Expires must be non-negative"),
                               ("abc", "X-Amz-Expires should be a number"),
                               ("", "X-Amz-Expires should be a number"),
                               ("1e3", "X-Amz-Expires should be a number")):
            with self.subTest(expires=value):
                r = raw_request("GET", self.url_with(value), sign=False)
                self.assertEqual((r.status, r.error_code()), (400, "AuthorizationQueryParametersError"), r)
                self.assertEqual(xml_text(r.body, "Message"), message)

    def test_good_expires(self):
        for value in ("604800", "300"):
            with self.subTest(expires=value):
                r = raw_request("GET", self.url_with(value), sign=False)
                self.assertEqual((r.status, r.body), (200, b"presigned"), r)
        # One second is in range (it may have run out by now); zero has.
        r = raw_request("GET", self.url_with("1"), sign=False)
        self.assertIn((r.status, r.error_code()), ((200, None), (403, "AccessDenied")), r)
        r = raw_request("GET", self.url_with("0"), sign=False)
        self.assertEqual((r.status, xml_text(r.body, "Message")), (403, "Request has expired"), r)


if __name__ == "__main__":
    unittest.main()
