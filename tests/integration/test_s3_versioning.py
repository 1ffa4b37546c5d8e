"""S3 versioning: bucket state, versions, delete markers, version errors."""

import unittest

from tinystack_env import S3TestCase, md5_hex


class TestVersioning(S3TestCase):

    def versioned_bucket(self, prefix="ver"):
        b = self.bucket(prefix)
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        return b

    def test_bucket_versioning_states(self):
        b = self.bucket()
        self.assertNotIn("Status", self.s3.get_bucket_versioning(Bucket=b))
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        self.assertEqual(self.s3.get_bucket_versioning(Bucket=b)["Status"], "Enabled")
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Suspended"})
        self.assertEqual(self.s3.get_bucket_versioning(Bucket=b)["Status"], "Suspended")
        self.assertError("MalformedXML", 400, self.s3.put_bucket_versioning, Bucket=b,
                         VersioningConfiguration={"Status": "Sometimes"})
        self.assertEqual(self.s3.get_bucket_versioning(Bucket=b)["Status"], "Suspended")

    def test_versions_are_kept(self):
        b = self.versioned_bucket()
        v1 = self.put(b, "doc", b"version one")["VersionId"]
        v2 = self.put(b, "doc", b"version two")["VersionId"]
        self.assertTrue(v1 and v2)
        self.assertNotEqual(v1, v2)
        self.assertNotIn("null", (v1, v2))
        r = self.s3.get_object(Bucket=b, Key="doc")
        self.assertEqual((r["Body"].read(), r["VersionId"]), (b"version two", v2))
        r = self.s3.get_object(Bucket=b, Key="doc", VersionId=v1)
        self.assertEqual((r["Body"].read(), r["VersionId"]), (b"version one", v1))
        r = self.s3.head_object(Bucket=b, Key="doc", VersionId=v1)
        self.assertEqual((r["ContentLength"], r["ETag"]), (11, '"%s"' % md5_hex(b"version one")))
        lv = self.s3.list_object_versions(Bucket=b)
        vs = [(v["Key"], v["VersionId"], v["IsLatest"], v["Size"]) for v in lv["Versions"]]
        self.assertEqual(vs, [("doc", v2, True, 11), ("doc", v1, False, 11)])
        self.assertNotIn("DeleteMarkers", lv)
        # Listing objects shows only the latest.
        objs = self.s3.list_objects_v2(Bucket=b)["Contents"]
        self.assertEqual([(o["Key"], o["ETag"]) for o in objs],
                         [("doc", '"%s"' % md5_hex(b"version two"))])

    def test_delete_marker(self):
        b = self.versioned_bucket()
        v1 = self.put(b, "k", b"alive")["VersionId"]
        d = self.s3.delete_object(Bucket=b, Key="k")
        self.assertEqual(d["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertTrue(d.get("DeleteMarker"))
        dm = d["VersionId"]
        self.assertNotEqual(dm, v1)
        err = self.assertError("NoSuchKey", 404, self.s3.get_object, Bucket=b, Key="k")
        self.assertEqual(self.headers(err).get("x-amz-delete-marker"), "true")
        err = self.assertError("404", 404, self.s3.head_object, Bucket=b, Key="k")
        self.assertEqual(self.headers(err).get("x-amz-delete-marker"), "true")
        self.assertEqual(self.s3.list_objects_v2(Bucket=b)["KeyCount"], 0)
        lv = self.s3.list_object_versions(Bucket=b)
        self.assertEqual([(m["Key"], m["VersionId"], m["IsLatest"]) for m in lv["DeleteMarkers"]],
                         [("k", dm, True)])
        self.assertEqual([(v["VersionId"], v["IsLatest"]) for v in lv["Versions"]], [(v1, False)])
        # The old version is still readable by id.
        self.assertEqual(self.get_body(b, "k", VersionId=v1), b"alive")
        # A delete marker has no body: GET on it is 405.
        err = self.assertError("MethodNotAllowed", 405, self.s3.get_object, Bucket=b, Key="k",
                               VersionId=dm)
        self.assertEqual(self.headers(err).get("x-amz-delete-marker"), "true")
        # Deleting the marker brings the object back.
        d = self.s3.delete_object(Bucket=b, Key="k", VersionId=dm)
        self.assertEqual((d.get("DeleteMarker"), d.get("VersionId")), (True, dm))
        self.assertEqual(self.get_body(b, "k"), b"alive")

    def test_delete_version_permanently(self):
        b = self.versioned_bucket()
        v1 = self.put(b, "k", b"one")["VersionId"]
        v2 = self.put(b, "k", b"two")["VersionId"]
        d = self.s3.delete_object(Bucket=b, Key="k", VersionId=v2)
        self.assertEqual(d["VersionId"], v2)
        self.assertFalse(d.get("DeleteMarker", False))
        self.assertEqual(self.get_body(b, "k"), b"one")
        self.assertError("NoSuchVersion", 404, self.s3.get_object, Bucket=b, Key="k", VersionId=v2)
        # A version id of another key is no version of this one.
        other = self.put(b, "other", b"o")["VersionId"]
        self.assertError("NoSuchVersion", 404, self.s3.get_object, Bucket=b, Key="k",
                         VersionId=other)
        lv = self.s3.list_object_versions(Bucket=b, Prefix="k")
        self.assertEqual([v["VersionId"] for v in lv["Versions"]], [v1])

    def test_bad_version_id(self):
        b = self.versioned_bucket()
        self.put(b, "k", b"x")
        self.assertError("InvalidArgument", 400, self.s3.get_object, Bucket=b, Key="k",
                         VersionId="not-a-version-id")
        self.assertError("InvalidArgument", 400, self.s3.delete_object, Bucket=b, Key="k",
                         VersionId="not-a-version-id")

    def test_suspended_uses_null_version(self):
        b = self.versioned_bucket()
        v1 = self.put(b, "k", b"one")["VersionId"]
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Suspended"})
        self.put(b, "k", b"two")
        self.put(b, "k", b"three")  # overwrites the null version
        lv = self.s3.list_object_versions(Bucket=b)
        self.assertEqual([(v["VersionId"], v["IsLatest"]) for v in lv["Versions"]],
                         [("null", True), (v1, False)])
        self.assertEqual(self.get_body(b, "k", VersionId="null"), b"three")
        self.assertEqual(self.get_body(b, "k", VersionId=v1), b"one")

    def test_unversioned_bucket_has_null_versions(self):
        b = self.bucket("unver")
        r = self.put(b, "k", b"plain")
        self.assertNotIn("VersionId", r)
        lv = self.s3.list_object_versions(Bucket=b)
        self.assertEqual([(v["Key"], v["VersionId"], v["IsLatest"]) for v in lv["Versions"]],
                         [("k", "null", True)])
        self.assertEqual(self.get_body(b, "k", VersionId="null"), b"plain")

    def test_copy_from_version(self):
        b = self.versioned_bucket()
        v1 = self.put(b, "src", b"old")["VersionId"]
        self.put(b, "src", b"new")
        r = self.s3.copy_object(Bucket=b, Key="dst",
                                CopySource={"Bucket": b, "Key": "src", "VersionId": v1})
        self.assertEqual(r.get("CopySourceVersionId"), v1)
        self.assertTrue(r.get("VersionId"))
        self.assertEqual(self.get_body(b, "dst"), b"old")

    def test_delete_objects_with_versions(self):
        b = self.versioned_bucket()
        v1 = self.put(b, "a", b"1")["VersionId"]
        v2 = self.put(b, "a", b"2")["VersionId"]
        r = self.s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "a", "VersionId": v1}]})
        self.assertEqual([(d["Key"], d["VersionId"]) for d in r["Deleted"]], [("a", v1)])
        r = self.s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "a"}]})
        d = r["Deleted"][0]
        self.assertTrue(d["DeleteMarker"])
        self.assertTrue(d["DeleteMarkerVersionId"])
        lv = self.s3.list_object_versions(Bucket=b)
        self.assertEqual([v["VersionId"] for v in lv["Versions"]], [v2])
        self.assertEqual([m["VersionId"] for m in lv["DeleteMarkers"]], [d["DeleteMarkerVersionId"]])

    def test_list_versions_paging(self):
        b = self.versioned_bucket()
        made = []
        for k in ("a", "b"):
            for i in range(3):
                made.append((k, self.put(b, k, b"%d" % i)["VersionId"]))
        want = [("a", v) for k, v in reversed(made) if k == "a"] + \
               [("b", v) for k, v in reversed(made) if k == "b"]
        got, kw = [], {}
        for _ in range(10):
            r = self.s3.list_object_versions(Bucket=b, MaxKeys=4, **kw)
            got += [(v["Key"], v["VersionId"]) for v in r.get("Versions", [])]
            if not r["IsTruncated"]:
                break
            kw = {"KeyMarker": r["NextKeyMarker"], "VersionIdMarker": r["NextVersionIdMarker"]}
        self.assertEqual(got, want)
        pages = self.s3.get_paginator("list_object_versions").paginate(
            Bucket=b, PaginationConfig={"PageSize": 1})
        self.assertEqual([(v["Key"], v["VersionId"]) for p in pages for v in p.get("Versions", [])],
                         want)


if __name__ == "__main__":
    unittest.main()
