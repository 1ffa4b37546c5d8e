"""IAM roles over the query protocol: CreateRole, GetRole, ListRoles,
DeleteRole, and the managed policies attached to a role (Attach, Detach,
ListAttachedRolePolicies), with the errors AWS gives: EntityAlreadyExists,
NoSuchEntity, DeleteConflict, MalformedPolicyDocument, ValidationError."""

import json
import os
import shutil
import sqlite3
import tempfile
import unittest
import urllib.parse

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import tinystack_env as env
from test_daemon import Daemon

ACCOUNT = "000000000000"
LAMBDA_BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
}


def iam_client(validate=True):
    return boto3.session.Session().client(
        "iam", region_name=env.REGION, endpoint_url=env.ENDPOINT,
        aws_access_key_id=env.ACCESS_KEY, aws_secret_access_key=env.SECRET_KEY,
        config=Config(retries={"max_attempts": 0}, parameter_validation=validate))


class IamTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        env.reset()
        cls.iam = iam_client()

    def create(self, name, **kw):
        return self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST),
                                    **kw)["Role"]

    def assertError(self, code, status, fn, *a, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(*a, **kw)
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], code)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], status)
        return err["Error"]["Message"]


class TestRoles(IamTestCase):

    def test_create_get_delete(self):
        role = self.create("r-basic", Description="for lambda")
        self.assertEqual(role["RoleName"], "r-basic")
        self.assertEqual(role["Path"], "/")
        self.assertEqual(role["Arn"], "arn:aws:iam::%s:role/r-basic" % ACCOUNT)
        self.assertRegex(role["RoleId"], r"^AROA[A-Z0-9]{17}$")
        self.assertEqual(role["AssumeRolePolicyDocument"], TRUST)
        got = self.iam.get_role(RoleName="r-basic")["Role"]
        self.assertEqual(got["RoleId"], role["RoleId"])
        self.assertEqual(got["CreateDate"], role["CreateDate"])
        self.assertEqual(got["Description"], "for lambda")
        self.assertEqual(got["MaxSessionDuration"], 3600)
        self.assertEqual(got["AssumeRolePolicyDocument"], TRUST)
        self.iam.delete_role(RoleName="r-basic")
        self.assertError("NoSuchEntity", 404, self.iam.get_role, RoleName="r-basic")

    def test_path_and_duration(self):
        role = self.create("r-path", Path="/service-role/", MaxSessionDuration=7200)
        self.assertEqual(role["Arn"], "arn:aws:iam::%s:role/service-role/r-path" % ACCOUNT)
        self.assertEqual(self.iam.get_role(RoleName="r-path")["Role"]["MaxSessionDuration"], 7200)
        self.assertError("ValidationError", 400, self.create, "r-badpath", Path="nopath")
        self.iam.delete_role(RoleName="r-path")

    def test_document_kept_as_given(self):
        doc = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",' \
              '"Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole",' \
              '"Sid":"a&b <c> + %"}]}'
        self.iam.create_role(RoleName="r-doc", AssumeRolePolicyDocument=doc)
        r = env.raw_request("POST", "/", body=urllib.parse.urlencode(
            {"Action": "GetRole", "Version": "2010-05-08", "RoleName": "r-doc"}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"}, sign=False)
        self.assertEqual(r.status, 200)
        raw = env.xml_text(r.body, "AssumeRolePolicyDocument")
        self.assertNotIn("{", raw)  # URL-encoded, as AWS sends it
        self.assertEqual(urllib.parse.unquote(raw), doc)
        self.iam.delete_role(RoleName="r-doc")

    def test_duplicate(self):
        self.create("r-dup")
        msg = self.assertError("EntityAlreadyExists", 409, self.create, "r-dup")
        self.assertEqual(msg, "Role with name r-dup already exists.")
        self.iam.delete_role(RoleName="r-dup")

    def test_missing_role(self):
        for fn in (self.iam.get_role, self.iam.delete_role,
                   self.iam.list_attached_role_policies):
            msg = self.assertError("NoSuchEntity", 404, fn, RoleName="r-none")
            self.assertEqual(msg, "The role with name r-none cannot be found.")
        self.assertError("NoSuchEntity", 404, self.iam.attach_role_policy,
                         RoleName="r-none", PolicyArn=LAMBDA_BASIC)

    def test_bad_policy_json(self):
        self.assertError("MalformedPolicyDocument", 400, self.iam.create_role,
                         RoleName="r-badjson", AssumeRolePolicyDocument="{not json")
        self.assertError("NoSuchEntity", 404, self.iam.get_role, RoleName="r-badjson")

    def test_missing_role_name(self):
        raw = iam_client(validate=False)
        msg = self.assertError("ValidationError", 400, raw.get_role)
        self.assertEqual(msg, "1 validation error detected: Value null at 'roleName' "
                              "failed to satisfy constraint: Member must not be null")
        self.assertError("ValidationError", 400, raw.create_role,
                         AssumeRolePolicyDocument=json.dumps(TRUST))
        self.assertError("ValidationError", 400, raw.create_role, RoleName="r-nodoc")
        self.assertError("ValidationError", 400, raw.get_role, RoleName="bad name")

    def test_list(self):
        names = ["r-list-%d" % i for i in range(5)]
        for n in names:
            self.create(n, Path="/listed/")
        listed = self.iam.list_roles(PathPrefix="/listed/")["Roles"]
        self.assertEqual([r["RoleName"] for r in listed], names)
        self.assertEqual(listed[0]["AssumeRolePolicyDocument"], TRUST)
        page = self.iam.list_roles(PathPrefix="/listed/", MaxItems=2)
        self.assertTrue(page["IsTruncated"])
        self.assertEqual([r["RoleName"] for r in page["Roles"]], names[:2])
        rest = self.iam.list_roles(PathPrefix="/listed/", Marker=page["Marker"])
        self.assertFalse(rest["IsTruncated"])
        self.assertEqual([r["RoleName"] for r in rest["Roles"]], names[2:])
        pages = self.iam.get_paginator("list_roles").paginate(
            PathPrefix="/listed/", PaginationConfig={"PageSize": 2})
        self.assertEqual([r["RoleName"] for p in pages for r in p["Roles"]], names)
        everyone = [r["RoleName"] for r in self.iam.list_roles()["Roles"]]
        self.assertTrue(set(names) <= set(everyone))
        for n in names:
            self.iam.delete_role(RoleName=n)
        self.assertEqual(self.iam.list_roles(PathPrefix="/listed/")["Roles"], [])


class TestAttachedPolicies(IamTestCase):

    def test_attach_list_detach(self):
        self.create("r-att")
        self.iam.attach_role_policy(RoleName="r-att", PolicyArn=LAMBDA_BASIC)
        self.iam.attach_role_policy(RoleName="r-att", PolicyArn=LAMBDA_BASIC)  # no change
        other = "arn:aws:iam::%s:policy/mine" % ACCOUNT
        self.iam.attach_role_policy(RoleName="r-att", PolicyArn=other)
        got = self.iam.list_attached_role_policies(RoleName="r-att")["AttachedPolicies"]
        self.assertCountEqual(got, [
            {"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": LAMBDA_BASIC},
            {"PolicyName": "mine", "PolicyArn": other},
        ])
        only = self.iam.list_attached_role_policies(RoleName="r-att", PathPrefix="/service-role/")
        self.assertEqual([p["PolicyName"] for p in only["AttachedPolicies"]],
                         ["AWSLambdaBasicExecutionRole"])
        self.iam.detach_role_policy(RoleName="r-att", PolicyArn=LAMBDA_BASIC)
        got = self.iam.list_attached_role_policies(RoleName="r-att")["AttachedPolicies"]
        self.assertEqual([p["PolicyArn"] for p in got], [other])
        self.assertError("NoSuchEntity", 404, self.iam.detach_role_policy,
                         RoleName="r-att", PolicyArn=LAMBDA_BASIC)
        self.iam.detach_role_policy(RoleName="r-att", PolicyArn=other)
        self.iam.delete_role(RoleName="r-att")

    def test_delete_conflict(self):
        self.create("r-conf")
        self.iam.attach_role_policy(RoleName="r-conf", PolicyArn=LAMBDA_BASIC)
        msg = self.assertError("DeleteConflict", 409, self.iam.delete_role, RoleName="r-conf")
        self.assertEqual(msg, "Cannot delete entity, must detach all policies first.")
        self.assertEqual(self.iam.get_role(RoleName="r-conf")["Role"]["RoleName"], "r-conf")
        self.iam.detach_role_policy(RoleName="r-conf", PolicyArn=LAMBDA_BASIC)
        self.iam.delete_role(RoleName="r-conf")

    def test_recreated_role_starts_clean(self):
        self.create("r-again")
        self.iam.attach_role_policy(RoleName="r-again", PolicyArn=LAMBDA_BASIC)
        self.iam.detach_role_policy(RoleName="r-again", PolicyArn=LAMBDA_BASIC)
        self.iam.delete_role(RoleName="r-again")
        self.create("r-again")
        self.assertEqual(self.iam.list_attached_role_policies(
            RoleName="r-again")["AttachedPolicies"], [])
        self.iam.delete_role(RoleName="r-again")

    def test_bad_policy_arn(self):
        self.create("r-arn")
        self.assertError("InvalidInput", 400, self.iam.attach_role_policy,
                         RoleName="r-arn", PolicyArn="arn:aws:iam::aws:nopolicy")
        self.iam.delete_role(RoleName="r-arn")


class TestMigration(unittest.TestCase):

    def test_store_before_iam_migrates(self):
        # A store of migration 5 (no IAM tables) keeps its data and gets
        # roles that persist across restarts.
        data = tempfile.mkdtemp(prefix="tinystack-iam-mig-")
        self.addCleanup(shutil.rmtree, data, True)
        d = Daemon(["--data-dir", data])
        try:
            d.client("s3").create_bucket(Bucket="before-iam")
        finally:
            self.assertEqual(d.stop(), 0)
        db = sqlite3.connect(os.path.join(data, "tinystack.db"))
        # Back to version 5: every table of a later migration goes.
        v5 = {"blob", "chunk", "s3_bucket", "s3_object", "s3_upload", "s3_part",
              "outbox", "ddb_table", "ddb_item", "ddb_index", "ddb_txn_token",
              "s3_completed"}
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                  " AND name NOT LIKE 'sqlite_%'").fetchall():
            if name not in v5:
                db.execute('DROP TABLE "%s"' % name)
        db.executescript("PRAGMA user_version=5;")
        db.close()
        d = Daemon(["--data-dir", data])
        try:
            self.assertIn("before-iam", [b["Name"] for b in d.client("s3").list_buckets()["Buckets"]])
            iam = d.client("iam")
            iam.create_role(RoleName="kept", AssumeRolePolicyDocument=json.dumps(TRUST))
            iam.attach_role_policy(RoleName="kept", PolicyArn=LAMBDA_BASIC)
        finally:
            self.assertEqual(d.stop(), 0)
        d = Daemon(["--data-dir", data])
        try:
            iam = d.client("iam")
            self.assertEqual(iam.get_role(RoleName="kept")["Role"]["AssumeRolePolicyDocument"], TRUST)
            self.assertEqual([p["PolicyArn"] for p in iam.list_attached_role_policies(
                RoleName="kept")["AttachedPolicies"]], [LAMBDA_BASIC])
        finally:
            self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    unittest.main()
