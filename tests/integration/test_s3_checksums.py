"""S3 upload encodings and checksums: aws-chunked (boto's trailer framing,
hand-made unsigned and signed framings, truncated bodies), flexible
checksums on put and get, wrong checksums."""

import io
import os
import unittest

from botocore.httpchecksum import AwsChunkedWrapper, Crc32Checksum

from tinystack_env import (MiB, S3TestCase, aws_chunked_unsigned, crc32_b64, crc32c_b64,
                           force_aws_chunked, md5_hex, multipart_etag, raw_request, request_bytes, s3_client,
                           send_raw_bytes, sha1_b64, sha256_b64, sign_headers,
                           signed_chunked_request, unique_bucket)

DATA = os.urandom(200 * 1024 + 13)   # several aws-chunked chunks
ALGOS = {"CRC32": crc32_b64, "CRC32C": crc32c_b64, "SHA1": sha1_b64, "SHA256": sha256_b64}


class TestAwsChunked(S3TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.b = unique_bucket("chunked")
        cls.s3.create_bucket(Bucket=cls.b)

    def chunked_client(self):
        """A client that sends aws-chunked + trailer, and proves it did."""
        s3 = force_aws_chunked(s3_client())
        self.sent = []
        s3.meta.events.register("before-send.s3", lambda request, **kw: self.sent.append(
            {k.lower(): (v.decode() if isinstance(v, bytes) else v)
             for k, v in request.headers.items()}))
        return s3

    def assertStored(self, key, data, encoding=None, etag=None):
        r = self.s3.get_object(Bucket=self.b, Key=key)
        self.assertEqual(r["ContentLength"], len(data))
        self.assertEqual(r["ETag"], etag or '"%s"' % md5_hex(data))
        self.assertTrue(r["Body"].read() == data, "stored bytes differ from the payload")
        self.assertEqual(r.get("ContentEncoding"), encoding)

    def test_boto_trailer_put(self):
        s3 = self.chunked_client()
        r = s3.put_object(Bucket=self.b, Key="boto-chunked", Body=DATA, ChecksumAlgorithm="CRC32")
        h = self.sent[-1]
        self.assertIn("aws-chunked", h.get("content-encoding", ""))
        self.assertEqual(h.get("x-amz-trailer"), "x-amz-checksum-crc32")
        self.assertEqual(r["ETag"], '"%s"' % md5_hex(DATA))
        self.assertEqual(r.get("ChecksumCRC32"), crc32_b64(DATA))
        self.assertStored("boto-chunked", DATA)
        g = self.s3.get_object(Bucket=self.b, Key="boto-chunked", ChecksumMode="ENABLED")
        self.assertEqual(g.get("ChecksumCRC32"), crc32_b64(DATA))

    def test_boto_trailer_keeps_other_content_encoding(self):
        s3 = self.chunked_client()
        s3.put_object(Bucket=self.b, Key="gz-chunked", Body=DATA, ContentEncoding="gzip",
                      ChecksumAlgorithm="SHA256")
        sent = [e.strip() for e in self.sent[-1].get("content-encoding", "").split(",")]
        self.assertIn("aws-chunked", sent)
        # S3 stores the Content-Encoding less aws-chunked.  (botocore < 1.36
        # replaced the caller's encoding by aws-chunked instead of appending.)
        kept = ",".join(e for e in sent if e != "aws-chunked") or None
        self.assertStored("gz-chunked", DATA, encoding=kept)

    def test_boto_trailer_upload_part(self):
        s3 = self.chunked_client()
        key = "mpu-chunked"
        uid = s3.create_multipart_upload(Bucket=self.b, Key=key, ChecksumAlgorithm="CRC32")["UploadId"]
        part1 = os.urandom(5 * MiB)
        p1 = s3.upload_part(Bucket=self.b, Key=key, UploadId=uid, PartNumber=1, Body=part1,
                            ChecksumAlgorithm="CRC32")
        self.assertIn("aws-chunked", self.sent[-1].get("content-encoding", ""))
        p2 = s3.upload_part(Bucket=self.b, Key=key, UploadId=uid, PartNumber=2, Body=DATA,
                            ChecksumAlgorithm="CRC32")
        self.assertEqual(p1["ETag"], '"%s"' % md5_hex(part1))
        self.assertEqual(p2.get("ChecksumCRC32"), crc32_b64(DATA))
        s3.complete_multipart_upload(Bucket=self.b, Key=key, UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": p1["ETag"], "ChecksumCRC32": p1["ChecksumCRC32"]},
                      {"PartNumber": 2, "ETag": p2["ETag"], "ChecksumCRC32": p2["ChecksumCRC32"]}]})
        self.assertStored(key, part1 + DATA, etag=multipart_etag([part1, DATA]))

    def test_unsigned_trailer_by_hand(self):
        body = aws_chunked_unsigned(DATA, trailer=("x-amz-checksum-crc32", crc32_b64(DATA)))
        r = raw_request("PUT", "/%s/hand-unsigned" % self.b, body=body, headers={
            "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
            "Content-Encoding": "aws-chunked", "x-amz-trailer": "x-amz-checksum-crc32",
            "x-amz-decoded-content-length": str(len(DATA))})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers.get("ETag"), '"%s"' % md5_hex(DATA))
        self.assertStored("hand-unsigned", DATA)

    def test_signed_chunks_by_hand(self):
        path = "/%s/hand-signed" % self.b
        headers, body = signed_chunked_request(path, DATA, extra_headers={"Content-Type": "text/x-s"})
        status, resp = send_raw_bytes(request_bytes("PUT", path, headers, body))
        self.assertEqual(status, 200, resp[:500])
        self.assertStored("hand-signed", DATA)
        self.assertEqual(self.s3.head_object(Bucket=self.b, Key="hand-signed")["ContentType"],
                         "text/x-s")

    def test_wrong_trailer_checksum(self):
        body = aws_chunked_unsigned(DATA, trailer=("x-amz-checksum-crc32", crc32_b64(b"other")))
        r = raw_request("PUT", "/%s/bad-trailer" % self.b, body=body, headers={
            "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
            "Content-Encoding": "aws-chunked", "x-amz-trailer": "x-amz-checksum-crc32",
            "x-amz-decoded-content-length": str(len(DATA))})
        self.assertEqual((r.status, r.error_code()), (400, "BadDigest"), r)
        self.assertError("404", 404, self.s3.head_object, Bucket=self.b, Key="bad-trailer")

    def test_truncated_chunk_is_rejected(self):
        # The framing promises 0x400 bytes, the body ends after 100: no final chunk.
        body = b"400\r\n" + b"z" * 100
        r = raw_request("PUT", "/%s/truncated" % self.b, body=body, headers={
            "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
            "Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": "1024"})
        self.assertTrue(400 <= r.status < 500, r)
        self.assertTrue(r.error_code(), r)
        self.assertError("404", 404, self.s3.head_object, Bucket=self.b, Key="truncated")

    def test_decoded_length_mismatch_is_rejected(self):
        body = aws_chunked_unsigned(DATA[:1000])
        r = raw_request("PUT", "/%s/short" % self.b, body=body, headers={
            "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
            "Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": "2000"})
        self.assertTrue(400 <= r.status < 500, r)
        self.assertTrue(r.error_code(), r)
        self.assertError("404", 404, self.s3.head_object, Bucket=self.b, Key="short")

    def test_client_vanishes_mid_body(self):
        path = "/%s/vanished" % self.b
        body = aws_chunked_unsigned(DATA)
        headers = sign_headers("PUT", path, {
            "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
            "Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(DATA)),
            "Content-Length": str(len(body))})
        status, resp = send_raw_bytes(request_bytes("PUT", path, headers, body[:len(body) // 2]),
                                      half_close=True)
        self.assertNotEqual(status, 200, resp[:500])
        # Same with a plain body.
        path2 = "/%s/vanished-plain" % self.b
        headers = sign_headers("PUT", path2, {"Content-Length": str(len(DATA)),
                                              "x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
        status, resp = send_raw_bytes(request_bytes("PUT", path2, headers, DATA[:1000]),
                                      half_close=True)
        self.assertNotEqual(status, 200, resp[:500])
        self.assertError("404", 404, self.s3.head_object, Bucket=self.b, Key="vanished")
        self.assertError("404", 404, self.s3.head_object, Bucket=self.b, Key="vanished-plain")
        # The server still serves.
        self.s3.head_bucket(Bucket=self.b)


class TestChecksums(S3TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.b = unique_bucket("sums")
        cls.s3.create_bucket(Bucket=cls.b)

    def test_algorithms_on_put_and_get(self):
        body = b"The quick brown fox jumps over the lazy dog"
        for algo, fn in ALGOS.items():
            with self.subTest(algo=algo):
                key = "sum-" + algo
                member = "Checksum" + algo
                if algo == "CRC32C":   # botocore needs awscrt to compute CRC32C itself
                    r = self.put(self.b, key, body, **{member: fn(body)})
                else:
                    r = self.put(self.b, key, body, ChecksumAlgorithm=algo)
                self.assertEqual(r.get(member), fn(body))
                g = self.s3.get_object(Bucket=self.b, Key=key, ChecksumMode="ENABLED")
                self.assertEqual(g.get(member), fn(body))
                self.assertEqual(g["Body"].read(), body)
                h = self.s3.head_object(Bucket=self.b, Key=key, ChecksumMode="ENABLED")
                self.assertEqual(h.get(member), fn(body))

    def test_known_values(self):
        # Pin our own encoders to published values, so a wrong helper cannot hide a bug.
        self.assertEqual(crc32_b64(b"123456789"), "y/Q5Jg==")     # 0xCBF43926
        self.assertEqual(crc32c_b64(b"123456789"), "4waSgw==")    # 0xE3069283
        # Our hand-made aws-chunked framing is byte for byte botocore's.
        data = DATA[:70000]
        wrapped = AwsChunkedWrapper(io.BytesIO(data), checksum_cls=Crc32Checksum,
                                    checksum_name="x-amz-checksum-crc32", chunk_size=65536)
        self.assertEqual(wrapped.read(), aws_chunked_unsigned(
            data, chunk=65536, trailer=("x-amz-checksum-crc32", crc32_b64(data))))

    def test_wrong_checksum_header(self):
        body = b"payload"
        err = self.assertError("BadDigest", 400, self.put, self.b, "wrong-crc", body,
                               ChecksumCRC32=crc32_b64(b"something else"))
        self.assertIn("CRC32", err["Error"]["Message"])
        self.assertError("BadDigest", 400, self.put, self.b, "wrong-crc", body,
                         ChecksumSHA256=sha256_b64(b"something else"))
        self.assertError("404", 404, self.s3.head_object, Bucket=self.b, Key="wrong-crc")

    def test_malformed_checksum_header(self):
        r = raw_request("PUT", "/%s/malformed-crc" % self.b, body=b"payload",
                        headers={"x-amz-checksum-crc32": "not base64!"})
        self.assertEqual((r.status, r.error_code()), (400, "InvalidRequest"), r)
        self.assertError("404", 404, self.s3.head_object, Bucket=self.b, Key="malformed-crc")

    def test_checksum_not_returned_without_mode(self):
        r = raw_request("GET", "/%s/sum-SHA1" % self.b)
        if r.status == 404:  # order-independent: make it if the other test did not run yet
            self.put(self.b, "sum-SHA1", b"x", ChecksumAlgorithm="SHA1")
            r = raw_request("GET", "/%s/sum-SHA1" % self.b)
        self.assertEqual(r.status, 200)
        self.assertIsNone(r.headers.get("x-amz-checksum-sha1"))
        r = raw_request("GET", "/%s/sum-SHA1" % self.b, headers={"x-amz-checksum-mode": "ENABLED"})
        self.assertTrue(r.headers.get("x-amz-checksum-sha1"))


if __name__ == "__main__":
    unittest.main()
