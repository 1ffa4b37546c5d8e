"""S3 headers and listing fields as AWS sends them (issue 10, defect 11):
user metadata with an empty value is kept, x-amz-server-side-encryption
comes once, repeated Content-Encoding lines are all kept, and ListObjects
(v1) with EncodingType=url encodes what S3 encodes (not Prefix, which
boto3 does not decode for v1)."""

import http.client
import unittest
import urllib.parse

from tinystack_env import (HOST, PORT, S3TestCase, raw_request, sign_headers, unique_bucket,
                           xml_text)


class TestObjectHeaders(S3TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.b = unique_bucket("hdrs")
        cls.s3.create_bucket(Bucket=cls.b)

    def test_empty_metadata_value_is_kept(self):
        self.put(self.b, "m", b"x", Metadata={"empty": "", "full": "1"})
        head = self.s3.head_object(Bucket=self.b, Key="m")
        self.assertEqual(head["Metadata"], {"empty": "", "full": "1"})
        self.assertEqual(self.s3.get_object(Bucket=self.b, Key="m")["Metadata"],
                         {"empty": "", "full": "1"})
        # A copy keeps it too.
        self.s3.copy_object(Bucket=self.b, Key="m2", CopySource={"Bucket": self.b, "Key": "m"})
        self.assertEqual(self.s3.head_object(Bucket=self.b, Key="m2")["Metadata"],
                         {"empty": "", "full": "1"})

    def test_server_side_encryption_comes_once(self):
        for kw in ({}, {"ServerSideEncryption": "AES256"}):
            with self.subTest(**kw):
                self.put(self.b, "sse", b"x", **kw)
                for method in ("GET", "HEAD"):
                    r = raw_request(method, "/%s/sse" % self.b)
                    self.assertEqual(r.headers.get_all("x-amz-server-side-encryption"), ["AES256"])
                self.assertEqual(self.s3.head_object(Bucket=self.b, Key="sse")["ServerSideEncryption"],
                                 "AES256")

    def test_repeated_content_encoding_lines(self):
        path = "/%s/ce" % self.b
        hdrs = sign_headers("PUT", path, {"Content-Length": "4",
                                          "x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
        c = http.client.HTTPConnection(HOST, PORT, timeout=10)
        c.putrequest("PUT", path, skip_host=True, skip_accept_encoding=True)
        for k, v in hdrs.items():
            c.putheader(k, v)
        c.putheader("Content-Encoding", "gzip")
        c.putheader("Content-Encoding", "br")
        c.endheaders(b"data")
        self.assertEqual(c.getresponse().status, 200)
        c.close()
        got = self.s3.head_object(Bucket=self.b, Key="ce")["ContentEncoding"]
        self.assertEqual([v.strip() for v in got.split(",")], ["gzip", "br"])


class TestListObjectsV1Encoding(S3TestCase):

    def test_prefix_comes_back_as_sent(self):
        b = self.bucket("v1enc")
        for k in ("dir/a+b c/1", "dir/a+b c/2", "dir/a+b d", "dir/\u00fc x"):
            self.put(b, k)
        r = self.s3.list_objects(Bucket=b, Prefix="dir/a+b", Delimiter="/", Marker="dir/a")
        self.assertEqual((r["Prefix"], r["Delimiter"], r["Marker"]), ("dir/a+b", "/", "dir/a"))
        self.assertEqual([p["Prefix"] for p in r["CommonPrefixes"]], ["dir/a+b c/"])
        self.assertEqual([o["Key"] for o in r["Contents"]], ["dir/a+b d"])
        r = self.s3.list_objects(Bucket=b, Prefix="dir/\u00fc", MaxKeys=1)
        self.assertEqual((r["Prefix"], [o["Key"] for o in r["Contents"]]),
                         ("dir/\u00fc", ["dir/\u00fc x"]))
        # On the wire, as S3: v1 leaves Prefix alone, and encodes the rest.
        q = urllib.parse.urlencode({"prefix": "dir/a+b", "delimiter": " ", "encoding-type": "url"})
        r = raw_request("GET", "/%s?%s" % (b, q))
        self.assertEqual(xml_text(r.body, "Prefix"), "dir/a+b")
        self.assertEqual(xml_text(r.body, "Delimiter"), "%20")
        # v2 and versions encode Prefix, and boto3 decodes it.
        self.assertEqual(self.s3.list_objects_v2(Bucket=b, Prefix="dir/a+b")["Prefix"], "dir/a+b")
        self.assertEqual(self.s3.list_object_versions(Bucket=b, Prefix="dir/a+b")["Prefix"],
                         "dir/a+b")


if __name__ == "__main__":
    unittest.main()
