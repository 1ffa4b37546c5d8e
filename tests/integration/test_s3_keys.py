"""S3 object keys (issue 10, defect 7): a key is valid UTF-8 without NUL
or S3 answers 400 InvalidURI; `PUT /b/a%00b` used to overwrite `a`, and a
`%FF` key made listings malformed XML and a delimiter listing that
returned the same common prefix forever.  Listings terminate for every
key and every prefix, delimiter, marker, start-after and continuation
token, even over keys an older tinystack stored without checking."""

import base64
import os
import shutil
import sqlite3
import tempfile
import time
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

from botocore.exceptions import ClientError, PaginationError

from tinystack_env import S3TestCase, raw_request, unique_bucket, xml_all, xml_text
from test_daemon import Daemon

BAD_UTF8 = ["%FF", "a%FFb", "%C0%AF", "%ED%A0%80", "%E2%82", "%F4%90%80%80", "%80",
            "ok/%FE"]


class TestKeyValidation(S3TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.b = unique_bucket("keys")
        cls.s3.create_bucket(Bucket=cls.b)

    def test_nul_in_key_does_not_overwrite_the_prefix(self):
        self.put(self.b, "a", b"the real a")
        for method in ("PUT", "GET", "HEAD", "DELETE"):
            with self.subTest(method=method):
                r = raw_request(method, "/%s/a%%00b" % self.b,
                                body=b"impostor" if method == "PUT" else b"")
                self.assertEqual(r.status, 400, r)
                if method != "HEAD":
                    self.assertEqual(r.error_code(), "InvalidURI", r)
                    self.assertEqual(xml_text(r.body, "Message"),
                                     "Couldn't parse the specified URI.")
        self.assertEqual(self.get_body(self.b, "a"), b"the real a")

    def test_nul_in_bucket_name(self):
        name = unique_bucket("nul")
        r = raw_request("PUT", "/%s%%00x" % name)
        self.assertEqual((r.status, r.error_code()), (400, "InvalidURI"), r)
        self.assertError("404", 404, self.s3.head_bucket, Bucket=name)

    def test_invalid_utf8_keys_are_rejected(self):
        for key in BAD_UTF8:
            for method in ("PUT", "GET", "DELETE"):
                with self.subTest(key=key, method=method):
                    r = raw_request(method, "/%s/%s" % (self.b, key),
                                    body=b"x" if method == "PUT" else b"")
                    self.assertEqual((r.status, r.error_code()), (400, "InvalidURI"), r)
        # Multipart and copy take the same rule.
        r = raw_request("POST", "/%s/%%FF?uploads" % self.b)
        self.assertEqual((r.status, r.error_code()), (400, "InvalidURI"), r)
        self.put(self.b, "src", b"s")
        r = raw_request("PUT", "/%s/dst" % self.b, headers={"x-amz-copy-source": "/%s/%%FF" % self.b})
        self.assertEqual((r.status, r.error_code()), (400, "InvalidURI"), r)
        keys = [o["Key"] for o in self.s3.list_objects_v2(Bucket=self.b).get("Contents", [])]
        self.assertFalse([k for k in keys if "\ufffd" in k], keys)

    def test_valid_unicode_keys_work(self):
        for key in ("\u20ac", "\U0010ffff", "\uffff", "a\x01b", "\ud7ff", "\ue000x"):
            with self.subTest(key=repr(key)):
                self.put(self.b, "u/" + key, key.encode("utf-8", "surrogatepass"))
                self.assertEqual(self.get_body(self.b, "u/" + key),
                                 key.encode("utf-8", "surrogatepass"))
        got = [o["Key"] for o in self.s3.list_objects_v2(Bucket=self.b, Prefix="u/")["Contents"]]
        self.assertEqual(len(got), 6)

    def test_odd_listing_arguments_terminate(self):
        b = self.bucket("oddlist")
        for k in ("a/1", "a/2", "b", "\U0010ffff/x", "\U0010ffff/y", "\ufffd"):
            self.put(b, k)
        for args in ({"prefix": "%FF"}, {"delimiter": "%FF"}, {"marker": "%FF"},
                     {"prefix": "a%00"}, {"delimiter": "%00"}, {"start-after": "%FF%FF",
                                                                "list-type": "2"},
                     {"prefix": "%F4%8F%BF%BF", "delimiter": "/"},
                     {"continuation-token": base64.b64encode(b"1:\xff\xff").decode(),
                      "list-type": "2"},
                     {"continuation-token": base64.b64encode(b"1:a/\xff").decode(),
                      "list-type": "2", "delimiter": "/"},
                     {"versions": "", "key-marker": "%FF"}):
            with self.subTest(args=args):
                q = "&".join("%s=%s" % (k, v) if v else k for k, v in args.items())
                r = raw_request("GET", "/%s?%s" % (b, q), timeout=10)
                self.assertTrue(r.status in (200, 400), r)
                if r.status == 200:
                    ET.fromstring(r.body)  # well-formed

    def test_delimiter_paging_over_unicode_prefixes_terminates(self):
        b = self.bucket("uniprefix")
        keys = ["\U0010ffff/%d" % i for i in range(3)] + ["\uffff/%d" % i for i in range(3)] + \
               ["z/1", "\U0010ffff"]
        for k in keys:
            self.put(b, k)
        seen = []
        token = None
        for _ in range(20):
            kw = {"ContinuationToken": token} if token else {}
            page = self.s3.list_objects_v2(Bucket=b, Delimiter="/", MaxKeys=1, **kw)
            seen += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
            seen += [o["Key"] for o in page.get("Contents", [])]
            if not page["IsTruncated"]:
                break
            token = page["NextContinuationToken"]
        self.assertEqual(sorted(seen), sorted(["\U0010ffff/", "\uffff/", "z/", "\U0010ffff"]))


class TestLegacyKeys(unittest.TestCase):
    """Keys an older tinystack stored unchecked (injected into a data dir)."""

    def test_listing_over_stored_invalid_keys_terminates(self):
        data = tempfile.mkdtemp(prefix="tinystack-legacy-")
        self.addCleanup(shutil.rmtree, data, True)
        d = Daemon(["--data-dir", data])
        s3 = d.client("s3")
        s3.create_bucket(Bucket="legacy")
        s3.put_object(Bucket="legacy", Key="a/ok", Body=b"x")
        s3.put_object(Bucket="legacy", Key="b", Body=b"y")
        self.assertEqual(d.stop(), 0)
        db = sqlite3.connect(os.path.join(data, "tinystack.db"))
        bid = db.execute("SELECT id FROM s3_bucket WHERE name='legacy'").fetchone()[0]
        for raw in (b"a/\xff\xff", b"a/\xffz", b"a\xff/q", b"\xff", b"\xff/x", b"c"):
            db.execute("INSERT INTO s3_object(bucket_id, key, version_id, is_latest, size, etag,"
                       " modified, blobs) VALUES(?, CAST(? AS TEXT), 'null', 1, 0,"
                       " '\"d41d8cd98f00b204e9800998ecf8427e\"', ?, '')",
                       (bid, raw, int(time.time() * 1000)))
        db.commit()
        db.close()
        d = Daemon(["--data-dir", data])
        try:
            s3 = d.client("s3")
            full = {}
            for delim in ("/", "\xff", None):
                for max_keys in (1, 2, 1000):
                    for url in (True, False):
                        with self.subTest(delimiter=delim, max_keys=max_keys, url=url):
                            seen = self.page_through(d, delim, max_keys, url)
                            full.setdefault((delim, url), seen)
                            self.assertEqual(sorted(seen), sorted(full[(delim, url)]))
            self.assertEqual(len(full[("/", True)]), 6, full[("/", True)])  # a/ a%FF/ b c %FF %FF/
            # What `aws s3 ls` does: ListObjectsV2 with the CLI's paginator.
            pages = s3.get_paginator("list_objects_v2").paginate(
                Bucket="legacy", Delimiter="/", PaginationConfig={"PageSize": 1})
            self.assertEqual(sum(1 for _ in zip(range(50), pages)), 6)
            # v1 and version markers are keys in clear, which a client cannot
            # send back for bytes that are not UTF-8: those pages may end in an
            # error, but every page answers, and nothing loops on the server.
            for op in ("list_objects", "list_object_versions"):
                with self.subTest(op=op):
                    pages = s3.get_paginator(op).paginate(
                        Bucket="legacy", Delimiter="/", PaginationConfig={"PageSize": 1})
                    try:
                        n = sum(1 for _ in zip(range(50), pages))
                        self.assertLess(n, 50)
                    except (PaginationError, ClientError):
                        pass
        finally:
            self.assertEqual(d.stop(), 0)

    def page_through(self, d, delim, max_keys, url):
        seen, token = [], None
        for _ in range(40):
            q = {"list-type": "2", "max-keys": str(max_keys)}
            if url:
                q["encoding-type"] = "url"
            if delim:
                q["delimiter"] = delim
            if token:
                q["continuation-token"] = token
            status, _, body = d.request("GET", "/legacy?" + urllib.parse.urlencode(q))
            self.assertEqual(status, 200, body)
            root = ET.fromstring(body)  # well-formed, whatever the keys hold
            items = xml_all(body, "Key") + [p for p in xml_all(body, "Prefix")[1:]]
            self.assertFalse(set(items) & set(seen), "repeated %r after %r" % (items, seen))
            seen += items
            if xml_text(body, "IsTruncated") != "true":
                return seen
            token = xml_text(body, "NextContinuationToken")
            self.assertTrue(token)
        self.fail("the listing did not end: %r" % seen)


if __name__ == "__main__":
    unittest.main()
