"""S3 ListObjects (v1) and ListObjectsV2: prefixes, delimiters, paging,
StartAfter, EncodingType=url, FetchOwner, 1,000+ keys."""

import concurrent.futures
import unittest
import urllib.parse

from tinystack_env import S3TestCase, md5_hex, s3_client, unique_bucket

KEYS = sorted(["a.txt", "b/1.txt", "b/2.txt", "b/c/3.txt", "d/4.txt", "e.txt",
               "space dir/x", "\u00fc/\u00e9 z"], key=lambda k: k.encode())
TOP_FILES = ["a.txt", "e.txt"]
TOP_PREFIXES = ["b/", "d/", "space dir/", "\u00fc/"]


def prefixes(resp):
    return [p["Prefix"] for p in resp.get("CommonPrefixes", [])]


def keys(resp):
    return [o["Key"] for o in resp.get("Contents", [])]


class TestListing(S3TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.b = unique_bucket("list")
        cls.s3.create_bucket(Bucket=cls.b)
        for k in KEYS:
            cls.s3.put_object(Bucket=cls.b, Key=k, Body=k.encode())

    # ---- v1

    def test_v1_all(self):
        r = self.s3.list_objects(Bucket=self.b)
        self.assertEqual(keys(r), KEYS)
        self.assertFalse(r["IsTruncated"])
        self.assertEqual(r["Name"], self.b)
        self.assertEqual(r["MaxKeys"], 1000)
        o = r["Contents"][0]
        self.assertEqual(o["ETag"], '"%s"' % md5_hex(o["Key"].encode()))
        self.assertEqual(o["Size"], len(o["Key"].encode()))
        self.assertEqual(o["StorageClass"], "STANDARD")
        self.assertTrue(o["Owner"]["ID"])  # v1 always lists owners

    def test_v1_marker_paging_without_delimiter(self):
        r = self.s3.list_objects(Bucket=self.b, MaxKeys=3)
        self.assertEqual(keys(r), KEYS[:3])
        self.assertTrue(r["IsTruncated"])
        # NextMarker is only sent along with a delimiter; clients use the last key.
        self.assertNotIn("NextMarker", r)
        r = self.s3.list_objects(Bucket=self.b, MaxKeys=3, Marker=KEYS[2])
        self.assertEqual(r["Marker"], KEYS[2])
        self.assertEqual(keys(r), KEYS[3:6])
        r = self.s3.list_objects(Bucket=self.b, Marker=KEYS[5])
        self.assertEqual(keys(r), KEYS[6:])
        self.assertFalse(r["IsTruncated"])

    def test_v1_delimiter(self):
        r = self.s3.list_objects(Bucket=self.b, Delimiter="/")
        self.assertEqual(keys(r), TOP_FILES)
        self.assertEqual(prefixes(r), TOP_PREFIXES)
        self.assertEqual(r["Delimiter"], "/")

    def test_v1_next_marker_with_delimiter(self):
        seen, marker, pages = [], "", 0
        while True:
            r = self.s3.list_objects(Bucket=self.b, Delimiter="/", MaxKeys=2, Marker=marker)
            pages += 1
            got = keys(r) + prefixes(r)
            self.assertLessEqual(len(got), 2)
            seen += got
            if not r["IsTruncated"]:
                break
            self.assertIn("NextMarker", r)
            self.assertIn(r["NextMarker"], got)
            marker = r["NextMarker"]
            self.assertLess(pages, 10)
        self.assertEqual(sorted(seen, key=lambda k: k.encode()),
                         sorted(TOP_FILES + TOP_PREFIXES, key=lambda k: k.encode()))
        self.assertEqual(len(seen), len(set(seen)), "duplicates across pages: %r" % seen)
        self.assertEqual(pages, 3)

    # ---- v2

    def test_v2_prefix(self):
        r = self.s3.list_objects_v2(Bucket=self.b, Prefix="b/")
        self.assertEqual(keys(r), ["b/1.txt", "b/2.txt", "b/c/3.txt"])
        self.assertEqual(r["KeyCount"], 3)
        self.assertEqual(r["Prefix"], "b/")
        r = self.s3.list_objects_v2(Bucket=self.b, Prefix="nothing-here")
        self.assertEqual(r["KeyCount"], 0)
        self.assertNotIn("Contents", r)

    def test_v2_delimiter_common_prefixes(self):
        r = self.s3.list_objects_v2(Bucket=self.b, Delimiter="/")
        self.assertEqual(keys(r), TOP_FILES)
        self.assertEqual(prefixes(r), TOP_PREFIXES)
        self.assertEqual(r["KeyCount"], len(TOP_FILES) + len(TOP_PREFIXES))
        r = self.s3.list_objects_v2(Bucket=self.b, Prefix="b/", Delimiter="/")
        self.assertEqual(keys(r), ["b/1.txt", "b/2.txt"])
        self.assertEqual(prefixes(r), ["b/c/"])
        r = self.s3.list_objects_v2(Bucket=self.b, Delimiter=".")
        self.assertEqual(prefixes(r), ["a.", "b/1.", "b/2.", "b/c/3.", "d/4.", "e."])

    def test_v2_max_keys_and_continuation(self):
        r = self.s3.list_objects_v2(Bucket=self.b, MaxKeys=3)
        self.assertEqual(keys(r), KEYS[:3])
        self.assertEqual((r["KeyCount"], r["MaxKeys"], r["IsTruncated"]), (3, 3, True))
        token = r["NextContinuationToken"]
        self.assertTrue(token)
        seen, pages = keys(r), 1
        while r["IsTruncated"]:
            r = self.s3.list_objects_v2(Bucket=self.b, MaxKeys=3, ContinuationToken=token)
            self.assertEqual(r["ContinuationToken"], token)
            seen += keys(r)
            pages += 1
            token = r.get("NextContinuationToken")
        self.assertEqual(seen, KEYS)
        self.assertEqual(pages, 3)
        self.assertNotIn("NextContinuationToken", r)

    def test_v2_paging_with_delimiter(self):
        seen, token = [], None
        for _ in range(10):
            kw = {"ContinuationToken": token} if token else {}
            r = self.s3.list_objects_v2(Bucket=self.b, Delimiter="/", MaxKeys=2, **kw)
            seen += keys(r) + prefixes(r)
            if not r["IsTruncated"]:
                break
            token = r["NextContinuationToken"]
        self.assertEqual(sorted(seen, key=lambda k: k.encode()),
                         sorted(TOP_FILES + TOP_PREFIXES, key=lambda k: k.encode()))
        self.assertEqual(len(seen), len(set(seen)))

    def test_v2_start_after(self):
        r = self.s3.list_objects_v2(Bucket=self.b, StartAfter="b/2.txt")
        self.assertEqual(keys(r), KEYS[KEYS.index("b/2.txt") + 1:])
        self.assertEqual(r["StartAfter"], "b/2.txt")
        r = self.s3.list_objects_v2(Bucket=self.b, StartAfter="b/1")  # not a key
        self.assertEqual(keys(r)[0], "b/1.txt")
        r = self.s3.list_objects_v2(Bucket=self.b, StartAfter="\u00ff")
        self.assertEqual(r["KeyCount"], 0)

    def test_v2_bad_continuation_token(self):
        self.assertError("InvalidArgument", 400, self.s3.list_objects_v2, Bucket=self.b,
                         ContinuationToken="this-is-not-a-token")

    def test_v2_encoding_type_url(self):
        r = self.s3.list_objects_v2(Bucket=self.b, EncodingType="url", Prefix="space dir/",
                                    Delimiter="/")
        self.assertEqual(r["EncodingType"], "url")
        self.assertEqual(urllib.parse.unquote_plus(r["Prefix"]), "space dir/")
        r = self.s3.list_objects_v2(Bucket=self.b, EncodingType="url", Delimiter="/")
        got = prefixes(r)
        self.assertEqual([urllib.parse.unquote_plus(p) for p in got], TOP_PREFIXES)
        for p in got:
            self.assertNotIn(" ", p)
            self.assertTrue(p.isascii(), p)
        r = self.s3.list_objects_v2(Bucket=self.b, EncodingType="url")
        got = keys(r)
        self.assertEqual([urllib.parse.unquote_plus(k) for k in got], KEYS)
        for k in got:
            self.assertNotIn(" ", k)
            self.assertTrue(k.isascii(), k)

    def test_v2_fetch_owner(self):
        r = self.s3.list_objects_v2(Bucket=self.b)
        self.assertNotIn("Owner", r["Contents"][0])
        r = self.s3.list_objects_v2(Bucket=self.b, FetchOwner=True)
        self.assertTrue(r["Contents"][0]["Owner"]["ID"])

    def test_max_keys_zero(self):
        r = self.s3.list_objects_v2(Bucket=self.b, MaxKeys=0)
        self.assertEqual((r["KeyCount"], r["IsTruncated"]), (0, False))
        self.assertNotIn("Contents", r)

    def test_invalid_max_keys(self):
        self.assertError("InvalidArgument", 400, self.s3.list_objects_v2, Bucket=self.b,
                         MaxKeys=-1)


N_MANY = 1010


class TestManyKeys(S3TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.b = unique_bucket("many")
        cls.s3.create_bucket(Bucket=cls.b)
        cls.keys = ["dir%d/key-%04d" % (i % 3, i) for i in range(N_MANY)]
        clients = [s3_client() for _ in range(8)]

        def put(i):
            clients[i % 8].put_object(Bucket=cls.b, Key=cls.keys[i], Body=b"")
        with concurrent.futures.ThreadPoolExecutor(8) as ex:
            list(ex.map(put, range(N_MANY)))
        cls.keys.sort()

    def test_first_page_is_1000(self):
        r = self.s3.list_objects_v2(Bucket=self.b)
        self.assertEqual(r["KeyCount"], 1000)
        self.assertTrue(r["IsTruncated"])
        self.assertEqual(keys(r), self.keys[:1000])
        r = self.s3.list_objects_v2(Bucket=self.b, MaxKeys=5000)
        self.assertEqual(r["KeyCount"], 1000)

    def test_paginator_v2(self):
        pages = list(self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.b))
        self.assertEqual(len(pages), 2)
        self.assertEqual([k for p in pages for k in keys(p)], self.keys)

    def test_paginator_v2_small_pages(self):
        it = self.s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.b, Prefix="dir1/", PaginationConfig={"PageSize": 100})
        got = [k for p in it for k in keys(p)]
        self.assertEqual(got, [k for k in self.keys if k.startswith("dir1/")])

    def test_paginator_v1(self):
        pages = list(self.s3.get_paginator("list_objects").paginate(Bucket=self.b))
        self.assertEqual([k for p in pages for k in keys(p)], self.keys)

    def test_delimiter_over_many(self):
        r = self.s3.list_objects_v2(Bucket=self.b, Delimiter="/")
        self.assertEqual(prefixes(r), ["dir0/", "dir1/", "dir2/"])
        self.assertFalse(r["IsTruncated"])


if __name__ == "__main__":
    unittest.main()
