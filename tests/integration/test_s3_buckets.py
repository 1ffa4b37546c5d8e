"""S3 buckets: create/head/delete/list, location, tagging, CORS (+ preflight)."""

import datetime
import unittest

from tinystack_env import (S3TestCase, raw_request, s3_client, unique_bucket, xml_text)


class TestBucketLifecycle(S3TestCase):

    def test_create_without_location_constraint(self):
        name = unique_bucket()
        resp = self.s3.create_bucket(Bucket=name)
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(resp.get("Location"), "/" + name)
        loc = self.s3.get_bucket_location(Bucket=name)
        # us-east-1 buckets have an empty LocationConstraint.
        self.assertIsNone(loc.get("LocationConstraint"))

    def test_create_with_location_constraint(self):
        eu = s3_client(region="eu-west-1")
        name = unique_bucket()
        resp = eu.create_bucket(Bucket=name,
                                CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(eu.get_bucket_location(Bucket=name)["LocationConstraint"], "eu-west-1")
        head = eu.head_bucket(Bucket=name)
        self.assertEqual(self.headers(head).get("x-amz-bucket-region"), "eu-west-1")

    def test_location_constraint_us_east_1_is_invalid(self):
        # AWS refuses an explicit us-east-1 constraint: that region is the default.
        self.assertError("InvalidLocationConstraint", 400, self.s3.create_bucket,
                         Bucket=unique_bucket(),
                         CreateBucketConfiguration={"LocationConstraint": "us-east-1"})

    def test_repeat_create_outside_us_east_1_is_already_owned(self):
        eu = s3_client(region="eu-west-1")
        name = unique_bucket()
        cfg = {"LocationConstraint": "eu-west-1"}
        eu.create_bucket(Bucket=name, CreateBucketConfiguration=cfg)
        err = self.assertError("BucketAlreadyOwnedByYou", 409, eu.create_bucket,
                               Bucket=name, CreateBucketConfiguration=cfg)
        self.assertEqual(err["Error"].get("BucketName"), name)

    def test_repeat_create_in_us_east_1_is_ok(self):
        # AWS keeps a legacy quirk: in us-east-1 re-creating your own bucket is 200.
        name = self.bucket()
        self.put(name, "k", b"kept")
        resp = self.s3.create_bucket(Bucket=name)
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(self.get_body(name, "k"), b"kept")

    def test_invalid_bucket_names(self):
        bad = ["ab", "a" * 64, "UpperCase", "under_score", "-leading", "trailing-",
               "double..dot", "192.168.5.4"]
        for name in bad:
            with self.subTest(name=name):
                self.assertError("InvalidBucketName", 400, self.s3.create_bucket, Bucket=name)
        with self.assertRaises(Exception):
            self.s3.head_bucket(Bucket="ab")
        names = [b["Name"] for b in self.s3.list_buckets()["Buckets"]]
        self.assertFalse(set(bad) & set(names))

    def test_valid_edge_names(self):
        for name in ["abc", "a" * 63, "with.dots.in-it", "0-starts-with-digit"]:
            with self.subTest(name=name):
                self.s3.create_bucket(Bucket=name)
                self.s3.head_bucket(Bucket=name)

    def test_head_bucket(self):
        name = self.bucket()
        resp = self.s3.head_bucket(Bucket=name)
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(self.headers(resp).get("x-amz-bucket-region"), "us-east-1")
        self.assertError("404", 404, self.s3.head_bucket, Bucket=unique_bucket("missing"))

    def test_delete_bucket(self):
        name = self.bucket()
        resp = self.s3.delete_bucket(Bucket=name)
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertError("404", 404, self.s3.head_bucket, Bucket=name)
        err = self.assertError("NoSuchBucket", 404, self.s3.delete_bucket, Bucket=name)
        self.assertEqual(err["Error"].get("BucketName"), name)
        # The name is free again.
        self.s3.create_bucket(Bucket=name)
        self.assertEqual(self.s3.list_objects_v2(Bucket=name)["KeyCount"], 0)

    def test_delete_non_empty_bucket(self):
        name = self.bucket()
        self.put(name, "dir/file.txt")
        err = self.assertError("BucketNotEmpty", 409, self.s3.delete_bucket, Bucket=name)
        self.assertEqual(err["Error"].get("BucketName"), name)
        self.s3.head_bucket(Bucket=name)
        self.s3.delete_object(Bucket=name, Key="dir/file.txt")
        self.s3.delete_bucket(Bucket=name)

    def test_list_buckets(self):
        before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
        names = [self.bucket("list") for _ in range(3)]
        resp = self.s3.list_buckets()
        listed = {b["Name"]: b for b in resp["Buckets"]}
        for n in names:
            self.assertIn(n, listed)
            self.assertGreater(listed[n]["CreationDate"], before)
        self.assertTrue(resp["Owner"].get("ID"))
        all_names = [b["Name"] for b in resp["Buckets"]]
        self.assertEqual(all_names, sorted(all_names))

    def test_missing_bucket_operations(self):
        missing = unique_bucket("missing")
        for fn, kw in [(self.s3.list_objects_v2, {}), (self.s3.list_objects, {}),
                       (self.s3.get_bucket_location, {}), (self.s3.get_bucket_tagging, {}),
                       (self.s3.put_object, {"Key": "k", "Body": b"x"}),
                       (self.s3.get_object, {"Key": "k"})]:
            with self.subTest(op=fn.__name__):
                err = self.assertError("NoSuchBucket", 404, fn, Bucket=missing, **kw)
                self.assertEqual(err["Error"].get("BucketName"), missing)


class TestBucketTagging(S3TestCase):

    def test_put_get_delete(self):
        name = self.bucket()
        self.assertError("NoSuchTagSet", 404, self.s3.get_bucket_tagging, Bucket=name)
        tags = [{"Key": "team", "Value": "core"}, {"Key": "env", "Value": "dev test"}]
        resp = self.s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tags})
        self.assertIn(resp["ResponseMetadata"]["HTTPStatusCode"], (200, 204))
        got = self.s3.get_bucket_tagging(Bucket=name)["TagSet"]
        self.assertEqual(sorted(got, key=lambda t: t["Key"]),
                         sorted(tags, key=lambda t: t["Key"]))
        # A put replaces the whole set.
        self.s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "only", "Value": "1"}]})
        self.assertEqual(self.s3.get_bucket_tagging(Bucket=name)["TagSet"],
                         [{"Key": "only", "Value": "1"}])
        resp = self.s3.delete_bucket_tagging(Bucket=name)
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertError("NoSuchTagSet", 404, self.s3.get_bucket_tagging, Bucket=name)

    def test_duplicate_tag_keys_rejected(self):
        name = self.bucket()
        self.assertError("InvalidTag", 400, self.s3.put_bucket_tagging, Bucket=name,
                         Tagging={"TagSet": [{"Key": "a", "Value": "1"},
                                             {"Key": "a", "Value": "2"}]})


CORS_RULES = {"CORSRules": [
    {"AllowedOrigins": ["http://app.example.com"], "AllowedMethods": ["GET", "PUT"],
     "AllowedHeaders": ["*"], "ExposeHeaders": ["ETag", "x-amz-request-id"],
     "MaxAgeSeconds": 3000},
    {"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]},
]}


def preflight(bucket, key, origin, method, req_headers=None):
    h = {"Origin": origin, "Access-Control-Request-Method": method}
    if req_headers:
        h["Access-Control-Request-Headers"] = req_headers
    # Browsers do not sign preflights.
    return raw_request("OPTIONS", "/%s/%s" % (bucket, key), headers=h, sign=False)


class TestBucketCors(S3TestCase):

    def test_put_get_delete(self):
        name = self.bucket()
        self.assertError("NoSuchCORSConfiguration", 404, self.s3.get_bucket_cors, Bucket=name)
        self.s3.put_bucket_cors(Bucket=name, CORSConfiguration=CORS_RULES)
        rules = self.s3.get_bucket_cors(Bucket=name)["CORSRules"]
        self.assertEqual(len(rules), 2)
        self.assertEqual(rules[0]["AllowedOrigins"], ["http://app.example.com"])
        self.assertEqual(rules[0]["AllowedMethods"], ["GET", "PUT"])
        self.assertEqual(rules[0]["AllowedHeaders"], ["*"])
        self.assertEqual(rules[0]["ExposeHeaders"], ["ETag", "x-amz-request-id"])
        self.assertEqual(rules[0]["MaxAgeSeconds"], 3000)
        self.assertEqual(rules[1]["AllowedOrigins"], ["*"])
        resp = self.s3.delete_bucket_cors(Bucket=name)
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertError("NoSuchCORSConfiguration", 404, self.s3.get_bucket_cors, Bucket=name)

    def test_invalid_method_rejected(self):
        name = self.bucket()
        self.assertError("InvalidRequest", 400, self.s3.put_bucket_cors, Bucket=name,
                         CORSConfiguration={"CORSRules": [
                             {"AllowedOrigins": ["*"], "AllowedMethods": ["PATCH"]}]})

    def test_preflight_allowed(self):
        name = self.bucket()
        self.s3.put_bucket_cors(Bucket=name, CORSConfiguration=CORS_RULES)
        r = preflight(name, "some/key.txt", "http://app.example.com", "PUT", "content-type")
        self.assertEqual(r.status, 200, r)
        h = r.headers
        self.assertEqual(h.get("Access-Control-Allow-Origin"), "http://app.example.com")
        methods = [m.strip() for m in (h.get("Access-Control-Allow-Methods") or "").split(",")]
        self.assertIn("PUT", methods)
        self.assertEqual((h.get("Access-Control-Allow-Headers") or "").lower(), "content-type")
        self.assertEqual(h.get("Access-Control-Max-Age"), "3000")
        expose = [m.strip() for m in (h.get("Access-Control-Expose-Headers") or "").split(",")]
        self.assertIn("ETag", expose)
        self.assertTrue(h.get("x-amz-request-id"))

    def test_preflight_matches_wildcard_rule(self):
        name = self.bucket()
        self.s3.put_bucket_cors(Bucket=name, CORSConfiguration=CORS_RULES)
        r = preflight(name, "k", "http://other.example.org", "GET")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers.get("Access-Control-Allow-Origin"), "*")
        self.assertIn("GET", r.headers.get("Access-Control-Allow-Methods") or "")

    def test_preflight_denied(self):
        name = self.bucket()
        self.s3.put_bucket_cors(Bucket=name, CORSConfiguration=CORS_RULES)
        # Only the first rule allows PUT, and not for this origin.
        r = preflight(name, "k", "http://evil.example.net", "PUT")
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.error_code(), "AccessForbidden")
        self.assertIsNone(r.headers.get("Access-Control-Allow-Origin"))
        # DELETE is allowed by no rule.
        r = preflight(name, "k", "http://app.example.com", "DELETE")
        self.assertEqual(r.status, 403, r)

    def test_preflight_without_cors_config(self):
        name = self.bucket()
        r = preflight(name, "k", "http://app.example.com", "GET")
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.error_code(), "AccessForbidden")
        self.assertIn("CORS", xml_text(r.body, "Message") or "")

    def test_actual_request_gets_cors_headers(self):
        name = self.bucket()
        self.s3.put_bucket_cors(Bucket=name, CORSConfiguration=CORS_RULES)
        self.put(name, "page.txt", b"hello")
        r = raw_request("GET", "/%s/page.txt" % name, headers={"Origin": "http://app.example.com"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body, b"hello")
        self.assertEqual(r.headers.get("Access-Control-Allow-Origin"), "http://app.example.com")
        r = raw_request("GET", "/%s/page.txt" % name)
        self.assertIsNone(r.headers.get("Access-Control-Allow-Origin"))


if __name__ == "__main__":
    unittest.main()
