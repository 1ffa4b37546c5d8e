"""IAM over the query protocol: roles (create, get, list, update, delete,
tags), managed policies attached to roles and users, inline policies,
managed policies of the account and AWS's own (versions, listing, tags),
users and access keys, with the errors AWS gives: EntityAlreadyExists,
NoSuchEntity, DeleteConflict, MalformedPolicyDocument, LimitExceeded,
InvalidInput, ValidationError (from the botocore model's constraints)."""

import json
import os
import shutil
import sqlite3
import tempfile
import time
import unittest
import urllib.parse

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import tinystack_env as env
from test_daemon import Daemon

ACCOUNT = "000000000000"
LAMBDA_BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
DDB_FULL = "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
}
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}],
}


def iam_client(validate=True, key=None, secret=None):
    return boto3.session.Session().client(
        "iam", region_name=env.REGION, endpoint_url=env.ENDPOINT,
        aws_access_key_id=key or env.ACCESS_KEY, aws_secret_access_key=secret or env.SECRET_KEY,
        config=Config(retries={"max_attempts": 0}, parameter_validation=validate))


def local_arn(name, path="/"):
    return "arn:aws:iam::%s:policy%s%s" % (ACCOUNT, path, name)


def big_policy(chars):
    """A policy document of about `chars` characters other than white space."""
    actions = ["s3:GetObject%05d" % i for i in range(chars // 18 + 1)]
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": actions, "Resource": "*"}]})


def query(params, sign=False):
    """A raw IAM form POST; the response."""
    body = urllib.parse.urlencode(dict({"Version": "2010-05-08"}, **params)).encode()
    return env.raw_request("POST", "/", body=body, sign=sign,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})


class IamTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        env.reset()
        cls.iam = iam_client()
        cls.raw = iam_client(validate=False)

    def create(self, name, **kw):
        return self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST),
                                    **kw)["Role"]

    def policy(self, name, doc=POLICY, **kw):
        return self.iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(doc),
                                      **kw)["Policy"]

    def assertError(self, code, status, fn, *a, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(*a, **kw)
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], code, err["Error"])
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
        self.assertEqual(got["RoleLastUsed"], {})
        self.iam.delete_role(RoleName="r-basic")
        self.assertError("NoSuchEntity", 404, self.iam.get_role, RoleName="r-basic")

    def test_path_and_duration(self):
        role = self.create("r-path", Path="/service-role/", MaxSessionDuration=7200)
        self.assertEqual(role["Arn"], "arn:aws:iam::%s:role/service-role/r-path" % ACCOUNT)
        self.assertEqual(self.iam.get_role(RoleName="r-path")["Role"]["MaxSessionDuration"], 7200)
        msg = self.assertError("ValidationError", 400, self.create, "r-badpath", Path="nopath")
        self.assertIn("at 'path' failed to satisfy constraint", msg)
        msg = self.assertError("ValidationError", 400, self.raw.create_role, RoleName="r-dur",
                               AssumeRolePolicyDocument=json.dumps(TRUST), MaxSessionDuration=60)
        self.assertEqual(msg, "1 validation error detected: Value '60' at 'maxSessionDuration' "
                              "failed to satisfy constraint: Member must have value greater "
                              "than or equal to 3600")
        self.iam.delete_role(RoleName="r-path")

    def test_document_kept_as_given(self):
        doc = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",' \
              '"Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole",' \
              '"Sid":"a&b <c> + %"}]}'
        self.iam.create_role(RoleName="r-doc", AssumeRolePolicyDocument=doc)
        r = query({"Action": "GetRole", "RoleName": "r-doc"})
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
        for fn in (self.iam.get_role, self.iam.delete_role, self.iam.list_attached_role_policies,
                   self.iam.list_role_policies, self.iam.list_role_tags):
            msg = self.assertError("NoSuchEntity", 404, fn, RoleName="r-none")
            self.assertEqual(msg, "The role with name r-none cannot be found.")
        self.assertError("NoSuchEntity", 404, self.iam.attach_role_policy,
                         RoleName="r-none", PolicyArn=LAMBDA_BASIC)
        self.assertError("NoSuchEntity", 404, self.iam.update_role, RoleName="r-none")
        self.assertError("NoSuchEntity", 404, self.iam.update_assume_role_policy,
                         RoleName="r-none", PolicyDocument=json.dumps(TRUST))
        self.assertError("NoSuchEntity", 404, self.iam.put_role_policy, RoleName="r-none",
                         PolicyName="p", PolicyDocument=json.dumps(POLICY))

    def test_bad_policy_json(self):
        for doc in ("{not json", "[1, 2]", '{"a": 1} trailing', '"text"'):
            msg = self.assertError("MalformedPolicyDocument", 400, self.iam.create_role,
                                   RoleName="r-badjson", AssumeRolePolicyDocument=doc)
            self.assertEqual(msg, "This policy contains invalid Json")
        self.assertError("NoSuchEntity", 404, self.iam.get_role, RoleName="r-badjson")

    def test_trust_policy_too_big(self):
        msg = self.assertError("LimitExceeded", 409, self.iam.create_role, RoleName="r-big",
                               AssumeRolePolicyDocument=big_policy(2100))
        self.assertEqual(msg, "Cannot exceed quota for ACLSizePerRole: 2048")

    def test_missing_role_name(self):
        msg = self.assertError("ValidationError", 400, self.raw.get_role)
        self.assertEqual(msg, "1 validation error detected: Value null at 'roleName' "
                              "failed to satisfy constraint: Member must not be null")
        self.assertError("ValidationError", 400, self.raw.create_role,
                         AssumeRolePolicyDocument=json.dumps(TRUST))
        self.assertError("ValidationError", 400, self.raw.create_role, RoleName="r-nodoc")
        msg = self.assertError("ValidationError", 400, self.raw.create_role)
        self.assertTrue(msg.startswith("2 validation errors detected: "), msg)
        msg = self.assertError("ValidationError", 400, self.raw.get_role, RoleName="bad name")
        self.assertEqual(msg, "1 validation error detected: Value 'bad name' at 'roleName' "
                              "failed to satisfy constraint: Member must satisfy regular "
                              "expression pattern: [\\w+=,.@-]+")
        msg = self.assertError("ValidationError", 400, self.raw.get_role, RoleName="r" * 65)
        self.assertIn("Member must have length less than or equal to 64", msg)
        self.assertError("ValidationError", 400, self.raw.get_role, RoleName="")

    def test_update_role(self):
        self.create("r-upd", Description="before")
        self.iam.update_role(RoleName="r-upd", MaxSessionDuration=43200)
        got = self.iam.get_role(RoleName="r-upd")["Role"]
        self.assertEqual(got["MaxSessionDuration"], 43200)
        self.assertEqual(got["Description"], "before")
        self.iam.update_role(RoleName="r-upd", Description="after")
        got = self.iam.get_role(RoleName="r-upd")["Role"]
        self.assertEqual((got["Description"], got["MaxSessionDuration"]), ("after", 43200))
        role = self.iam.update_role_description(RoleName="r-upd", Description="third")["Role"]
        self.assertEqual(role["Description"], "third")
        self.assertError("ValidationError", 400, self.raw.update_role, RoleName="r-upd",
                         MaxSessionDuration=43201)
        self.iam.delete_role(RoleName="r-upd")

    def test_update_assume_role_policy(self):
        self.create("r-trust")
        other = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"},
             "Action": "sts:AssumeRole"}]}
        self.iam.update_assume_role_policy(RoleName="r-trust", PolicyDocument=json.dumps(other))
        self.assertEqual(self.iam.get_role(RoleName="r-trust")["Role"]["AssumeRolePolicyDocument"],
                         other)
        msg = self.assertError("MalformedPolicyDocument", 400, self.iam.update_assume_role_policy,
                               RoleName="r-trust", PolicyDocument="nope")
        self.assertEqual(msg, "This policy contains invalid Json")
        self.assertEqual(self.iam.get_role(RoleName="r-trust")["Role"]["AssumeRolePolicyDocument"],
                         other)
        self.iam.delete_role(RoleName="r-trust")

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

    def test_bad_max_items(self):
        for bad in (0, 1001):
            msg = self.assertError("ValidationError", 400, self.raw.list_roles, MaxItems=bad)
            self.assertIn("at 'maxItems' failed to satisfy constraint", msg)
        r = query({"Action": "ListRoles", "MaxItems": "ten"})
        self.assertEqual((r.status, r.error_code()), (400, "ValidationError"))
        self.assertIn("MaxItems", env.xml_text(r.body, "Message"))


class TestAttachedPolicies(IamTestCase):

    def test_attach_list_detach(self):
        self.create("r-att")
        self.iam.attach_role_policy(RoleName="r-att", PolicyArn=LAMBDA_BASIC)
        self.iam.attach_role_policy(RoleName="r-att", PolicyArn=LAMBDA_BASIC)  # no change
        other = self.policy("mine")["Arn"]
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
        msg = self.assertError("NoSuchEntity", 404, self.iam.detach_role_policy,
                               RoleName="r-att", PolicyArn=LAMBDA_BASIC)
        self.assertEqual(msg, "Policy %s was not found." % LAMBDA_BASIC)
        self.iam.detach_role_policy(RoleName="r-att", PolicyArn=other)
        self.iam.delete_role(RoleName="r-att")
        self.iam.delete_policy(PolicyArn=other)

    def test_aws_managed_policies_attach(self):
        self.create("r-aws")
        unknown = "arn:aws:iam::aws:policy/SomePolicyTinystackDoesNotKnow"
        for arn in (LAMBDA_BASIC, DDB_FULL, unknown):
            self.iam.attach_role_policy(RoleName="r-aws", PolicyArn=arn)
        got = self.iam.list_attached_role_policies(RoleName="r-aws")["AttachedPolicies"]
        self.assertCountEqual([p["PolicyArn"] for p in got], [LAMBDA_BASIC, DDB_FULL, unknown])
        for arn in (LAMBDA_BASIC, DDB_FULL, unknown):
            self.iam.detach_role_policy(RoleName="r-aws", PolicyArn=arn)
        self.iam.delete_role(RoleName="r-aws")

    def test_local_policy_must_exist(self):
        self.create("r-nolocal")
        arn = local_arn("never-made")
        msg = self.assertError("NoSuchEntity", 404, self.iam.attach_role_policy,
                               RoleName="r-nolocal", PolicyArn=arn)
        self.assertEqual(msg, "Policy %s does not exist or is not attachable." % arn)
        other_account = "arn:aws:iam::123456789012:policy/theirs"
        self.assertError("NoSuchEntity", 404, self.iam.attach_role_policy,
                         RoleName="r-nolocal", PolicyArn=other_account)
        self.iam.delete_role(RoleName="r-nolocal")

    def test_delete_conflict(self):
        self.create("r-conf")
        self.iam.attach_role_policy(RoleName="r-conf", PolicyArn=LAMBDA_BASIC)
        msg = self.assertError("DeleteConflict", 409, self.iam.delete_role, RoleName="r-conf")
        self.assertEqual(msg, "Cannot delete entity, must detach all policies first.")
        self.assertEqual(self.iam.get_role(RoleName="r-conf")["Role"]["RoleName"], "r-conf")
        self.iam.detach_role_policy(RoleName="r-conf", PolicyArn=LAMBDA_BASIC)
        self.iam.delete_role(RoleName="r-conf")

    def test_recreated_role_starts_clean(self):
        self.create("r-again", Tags=[{"Key": "k", "Value": "v"}])
        self.iam.attach_role_policy(RoleName="r-again", PolicyArn=LAMBDA_BASIC)
        self.iam.detach_role_policy(RoleName="r-again", PolicyArn=LAMBDA_BASIC)
        self.iam.delete_role(RoleName="r-again")
        self.create("r-again")
        self.assertEqual(self.iam.list_attached_role_policies(
            RoleName="r-again")["AttachedPolicies"], [])
        self.assertEqual(self.iam.list_role_tags(RoleName="r-again")["Tags"], [])
        self.iam.delete_role(RoleName="r-again")

    def test_bad_policy_arn(self):
        self.create("r-arn")
        msg = self.assertError("InvalidInput", 400, self.iam.attach_role_policy,
                               RoleName="r-arn", PolicyArn="arn:aws:iam::aws:nopolicy")
        self.assertEqual(msg, "ARN arn:aws:iam::aws:nopolicy is not valid.")
        msg = self.assertError("ValidationError", 400, self.raw.attach_role_policy,
                               RoleName="r-arn", PolicyArn="arn:short")
        self.assertIn("at 'policyArn' failed to satisfy constraint: Member must have length "
                      "greater than or equal to 20", msg)
        self.iam.delete_role(RoleName="r-arn")

    def test_attach_limit(self):
        self.create("r-many")
        arns = [self.policy("many-%d" % i)["Arn"] for i in range(11)]
        for arn in arns[:10]:
            self.iam.attach_role_policy(RoleName="r-many", PolicyArn=arn)
        self.iam.attach_role_policy(RoleName="r-many", PolicyArn=arns[0])  # already there
        msg = self.assertError("LimitExceeded", 409, self.iam.attach_role_policy,
                               RoleName="r-many", PolicyArn=arns[10])
        self.assertEqual(msg, "Cannot exceed quota for PoliciesPerRole: 10")
        page = self.iam.list_attached_role_policies(RoleName="r-many", MaxItems=4)
        self.assertTrue(page["IsTruncated"])
        pages = self.iam.get_paginator("list_attached_role_policies").paginate(
            RoleName="r-many", PaginationConfig={"PageSize": 3})
        self.assertEqual(sorted(p["PolicyArn"] for pg in pages for p in pg["AttachedPolicies"]),
                         sorted(arns[:10]))
        for arn in arns[:10]:
            self.iam.detach_role_policy(RoleName="r-many", PolicyArn=arn)
        for arn in arns:
            self.iam.delete_policy(PolicyArn=arn)
        self.iam.delete_role(RoleName="r-many")

    def test_user_policies(self):
        self.iam.create_user(UserName="u-att")
        arn = self.policy("for-user")["Arn"]
        self.iam.attach_user_policy(UserName="u-att", PolicyArn=arn)
        self.iam.attach_user_policy(UserName="u-att", PolicyArn=DDB_FULL)
        got = self.iam.list_attached_user_policies(UserName="u-att")["AttachedPolicies"]
        self.assertCountEqual([p["PolicyArn"] for p in got], [arn, DDB_FULL])
        self.assertEqual(self.iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"], 1)
        msg = self.assertError("DeleteConflict", 409, self.iam.delete_user, UserName="u-att")
        self.assertEqual(msg, "Cannot delete entity, must detach all policies first.")
        self.assertError("NoSuchEntity", 404, self.iam.attach_user_policy,
                         UserName="u-none", PolicyArn=arn)
        for a in (arn, DDB_FULL):
            self.iam.detach_user_policy(UserName="u-att", PolicyArn=a)
        self.assertError("NoSuchEntity", 404, self.iam.detach_user_policy,
                         UserName="u-att", PolicyArn=arn)
        self.iam.delete_user(UserName="u-att")
        self.iam.delete_policy(PolicyArn=arn)

    def test_entities_for_policy(self):
        arn = self.policy("shared")["Arn"]
        self.create("r-ent-a")
        self.create("r-ent-b", Path="/team/")
        self.iam.create_user(UserName="u-ent")
        for r in ("r-ent-a", "r-ent-b"):
            self.iam.attach_role_policy(RoleName=r, PolicyArn=arn)
        self.iam.attach_user_policy(UserName="u-ent", PolicyArn=arn)
        got = self.iam.list_entities_for_policy(PolicyArn=arn)
        self.assertEqual([r["RoleName"] for r in got["PolicyRoles"]], ["r-ent-a", "r-ent-b"])
        self.assertEqual([u["UserName"] for u in got["PolicyUsers"]], ["u-ent"])
        self.assertEqual(got["PolicyGroups"], [])
        self.assertRegex(got["PolicyRoles"][0]["RoleId"], r"^AROA")
        roles = self.iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="Role")
        self.assertEqual(roles["PolicyUsers"], [])
        team = self.iam.list_entities_for_policy(PolicyArn=arn, PathPrefix="/team/")
        self.assertEqual([r["RoleName"] for r in team["PolicyRoles"]], ["r-ent-b"])
        pages = list(self.iam.get_paginator("list_entities_for_policy").paginate(
            PolicyArn=arn, PaginationConfig={"PageSize": 1}))
        self.assertEqual(len(pages), 3)
        self.assertEqual(self.iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"], 3)
        self.assertError("NoSuchEntity", 404, self.iam.list_entities_for_policy,
                         PolicyArn=local_arn("nobody"))
        for r in ("r-ent-a", "r-ent-b"):
            self.iam.detach_role_policy(RoleName=r, PolicyArn=arn)
            self.iam.delete_role(RoleName=r)
        self.iam.detach_user_policy(UserName="u-ent", PolicyArn=arn)
        self.iam.delete_user(UserName="u-ent")
        self.iam.delete_policy(PolicyArn=arn)


class TestInlinePolicies(IamTestCase):

    def test_put_get_list_delete(self):
        self.create("r-inl")
        self.iam.put_role_policy(RoleName="r-inl", PolicyName="read", PolicyDocument=json.dumps(POLICY))
        got = self.iam.get_role_policy(RoleName="r-inl", PolicyName="read")
        self.assertEqual((got["RoleName"], got["PolicyName"]), ("r-inl", "read"))
        self.assertEqual(got["PolicyDocument"], POLICY)  # URL-decoded into a dict by boto3
        raw = query({"Action": "GetRolePolicy", "RoleName": "r-inl", "PolicyName": "read"})
        self.assertNotIn("{", env.xml_text(raw.body, "PolicyDocument"))
        changed = dict(POLICY, Statement=[dict(POLICY["Statement"][0], Action="s3:*")])
        self.iam.put_role_policy(RoleName="r-inl", PolicyName="read",
                                 PolicyDocument=json.dumps(changed))  # replaces
        self.assertEqual(self.iam.get_role_policy(RoleName="r-inl", PolicyName="read")[
            "PolicyDocument"], changed)
        self.iam.put_role_policy(RoleName="r-inl", PolicyName="another",
                                 PolicyDocument=json.dumps(POLICY))
        self.assertEqual(self.iam.list_role_policies(RoleName="r-inl")["PolicyNames"],
                         ["another", "read"])
        msg = self.assertError("DeleteConflict", 409, self.iam.delete_role, RoleName="r-inl")
        self.assertEqual(msg, "Cannot delete entity, must delete policies first.")
        self.iam.delete_role_policy(RoleName="r-inl", PolicyName="read")
        msg = self.assertError("NoSuchEntity", 404, self.iam.get_role_policy,
                               RoleName="r-inl", PolicyName="read")
        self.assertEqual(msg, "The role policy with name read cannot be found.")
        self.assertError("NoSuchEntity", 404, self.iam.delete_role_policy,
                         RoleName="r-inl", PolicyName="read")
        self.iam.delete_role_policy(RoleName="r-inl", PolicyName="another")
        self.iam.delete_role(RoleName="r-inl")

    def test_bad_documents(self):
        self.create("r-inl-bad")
        for doc in ("{oops", "[]", "null"):
            msg = self.assertError("MalformedPolicyDocument", 400, self.iam.put_role_policy,
                                   RoleName="r-inl-bad", PolicyName="p", PolicyDocument=doc)
            self.assertEqual(msg, "Syntax errors in policy.")
        self.assertError("ValidationError", 400, self.raw.put_role_policy,
                         RoleName="r-inl-bad", PolicyName="bad name", PolicyDocument="{}")
        self.assertError("ValidationError", 400, self.raw.put_role_policy,
                         RoleName="r-inl-bad", PolicyName="p")
        self.assertEqual(self.iam.list_role_policies(RoleName="r-inl-bad")["PolicyNames"], [])
        self.iam.delete_role(RoleName="r-inl-bad")

    def test_size_limit(self):
        self.create("r-inl-size")
        self.iam.put_role_policy(RoleName="r-inl-size", PolicyName="a",
                                 PolicyDocument=big_policy(6000))
        msg = self.assertError("LimitExceeded", 409, self.iam.put_role_policy,
                               RoleName="r-inl-size", PolicyName="b",
                               PolicyDocument=big_policy(6000))
        self.assertEqual(msg, "Maximum policy size of 10240 bytes exceeded for role r-inl-size")
        # replacing "a" with one of the same size still fits
        self.iam.put_role_policy(RoleName="r-inl-size", PolicyName="a",
                                 PolicyDocument=big_policy(6000))
        self.iam.delete_role_policy(RoleName="r-inl-size", PolicyName="a")
        self.iam.delete_role(RoleName="r-inl-size")

    def test_list_pages(self):
        self.create("r-inl-pages")
        names = ["p%02d" % i for i in range(7)]
        for n in names:
            self.iam.put_role_policy(RoleName="r-inl-pages", PolicyName=n,
                                     PolicyDocument=json.dumps(POLICY))
        page = self.iam.list_role_policies(RoleName="r-inl-pages", MaxItems=3)
        self.assertEqual((page["PolicyNames"], page["IsTruncated"]), (names[:3], True))
        page2 = self.iam.list_role_policies(RoleName="r-inl-pages", MaxItems=3,
                                            Marker=page["Marker"])
        self.assertEqual(page2["PolicyNames"], names[3:6])
        pages = self.iam.get_paginator("list_role_policies").paginate(
            RoleName="r-inl-pages", PaginationConfig={"PageSize": 2})
        self.assertEqual([n for p in pages for n in p["PolicyNames"]], names)
        for n in names:
            self.iam.delete_role_policy(RoleName="r-inl-pages", PolicyName=n)
        self.iam.delete_role(RoleName="r-inl-pages")

    def test_user_inline(self):
        self.iam.create_user(UserName="u-inl")
        self.iam.put_user_policy(UserName="u-inl", PolicyName="p", PolicyDocument=json.dumps(POLICY))
        got = self.iam.get_user_policy(UserName="u-inl", PolicyName="p")
        self.assertEqual((got["UserName"], got["PolicyDocument"]), ("u-inl", POLICY))
        self.assertEqual(self.iam.list_user_policies(UserName="u-inl")["PolicyNames"], ["p"])
        msg = self.assertError("DeleteConflict", 409, self.iam.delete_user, UserName="u-inl")
        self.assertEqual(msg, "Cannot delete entity, must delete policies first.")
        msg = self.assertError("LimitExceeded", 409, self.iam.put_user_policy, UserName="u-inl",
                               PolicyName="big", PolicyDocument=big_policy(2100))
        self.assertEqual(msg, "Maximum policy size of 2048 bytes exceeded for user u-inl")
        msg = self.assertError("NoSuchEntity", 404, self.iam.get_user_policy,
                               UserName="u-inl", PolicyName="none")
        self.assertEqual(msg, "The user policy with name none cannot be found.")
        self.assertError("NoSuchEntity", 404, self.iam.put_user_policy, UserName="u-none",
                         PolicyName="p", PolicyDocument=json.dumps(POLICY))
        self.iam.delete_user_policy(UserName="u-inl", PolicyName="p")
        self.iam.delete_user(UserName="u-inl")


class TestManagedPolicies(IamTestCase):

    def test_create_get_delete(self):
        p = self.policy("mp-basic", Path="/app/", Description="reads objects")
        self.assertEqual(p["Arn"], local_arn("mp-basic", "/app/"))
        self.assertRegex(p["PolicyId"], r"^ANPA[A-Z0-9]{17}$")
        self.assertEqual((p["Path"], p["DefaultVersionId"], p["AttachmentCount"]),
                         ("/app/", "v1", 0))
        self.assertEqual((p["IsAttachable"], p["PermissionsBoundaryUsageCount"]), (True, 0))
        self.assertEqual(p["Description"], "reads objects")
        got = self.iam.get_policy(PolicyArn=p["Arn"])["Policy"]
        self.assertEqual((got["PolicyId"], got["CreateDate"]), (p["PolicyId"], p["CreateDate"]))
        v = self.iam.get_policy_version(PolicyArn=p["Arn"], VersionId="v1")["PolicyVersion"]
        self.assertEqual((v["Document"], v["IsDefaultVersion"]), (POLICY, True))
        self.iam.delete_policy(PolicyArn=p["Arn"])
        msg = self.assertError("NoSuchEntity", 404, self.iam.get_policy, PolicyArn=p["Arn"])
        self.assertEqual(msg, "Policy %s was not found." % p["Arn"])
        self.assertError("NoSuchEntity", 404, self.iam.delete_policy, PolicyArn=p["Arn"])

    def test_duplicate_and_bad_input(self):
        self.policy("mp-dup")
        msg = self.assertError("EntityAlreadyExists", 409, self.policy, "mp-dup", Path="/other/")
        self.assertEqual(msg, "A policy called mp-dup already exists. Duplicate names are not "
                              "allowed.")
        msg = self.assertError("MalformedPolicyDocument", 400, self.iam.create_policy,
                               PolicyName="mp-json", PolicyDocument="{no")
        self.assertEqual(msg, "Syntax errors in policy.")
        msg = self.assertError("LimitExceeded", 409, self.iam.create_policy,
                               PolicyName="mp-big", PolicyDocument=big_policy(6200))
        self.assertEqual(msg, "Cannot exceed quota for PolicySize: 6144")
        self.assertError("ValidationError", 400, self.raw.create_policy, PolicyName="a b",
                         PolicyDocument="{}")
        self.assertError("ValidationError", 400, self.raw.create_policy, PolicyName="mp-path",
                         PolicyDocument="{}", Path="/bad path/")
        self.assertError("ValidationError", 400, self.raw.create_policy, PolicyName="mp-nodoc")
        self.assertError("ValidationError", 400, self.raw.create_policy, PolicyName="x" * 129,
                         PolicyDocument="{}")
        self.assertError("InvalidInput", 400, self.iam.get_policy,
                         PolicyArn="not-an-arn-but-long-enough")
        names = [p["PolicyName"] for p in self.iam.list_policies(Scope="Local")["Policies"]]
        self.assertNotIn("mp-json", names)
        self.iam.delete_policy(PolicyArn=local_arn("mp-dup"))

    def test_delete_conflicts(self):
        arn = self.policy("mp-conf")["Arn"]
        self.create("r-mp-conf")
        self.iam.attach_role_policy(RoleName="r-mp-conf", PolicyArn=arn)
        self.assertEqual(self.iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"], 1)
        msg = self.assertError("DeleteConflict", 409, self.iam.delete_policy, PolicyArn=arn)
        self.assertEqual(msg, "Cannot delete a policy attached to entities.")
        self.iam.detach_role_policy(RoleName="r-mp-conf", PolicyArn=arn)
        self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(POLICY))
        msg = self.assertError("DeleteConflict", 409, self.iam.delete_policy, PolicyArn=arn)
        self.assertTrue(msg.startswith("This policy has more than one version."), msg)
        self.iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
        self.iam.delete_policy(PolicyArn=arn)
        self.iam.delete_role(RoleName="r-mp-conf")

    def test_versions(self):
        arn = self.policy("mp-ver")["Arn"]
        v2doc = dict(POLICY, Statement=[dict(POLICY["Statement"][0], Action="s3:PutObject")])
        v2 = self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(v2doc),
                                            SetAsDefault=True)["PolicyVersion"]
        self.assertEqual((v2["VersionId"], v2["IsDefaultVersion"]), ("v2", True))
        self.assertEqual(self.iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"], "v2")
        self.assertEqual(self.iam.get_policy_version(PolicyArn=arn, VersionId="v2")[
            "PolicyVersion"]["Document"], v2doc)
        v1 = self.iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
        self.assertEqual((v1["Document"], v1["IsDefaultVersion"]), (POLICY, False))
        for _ in range(3):
            self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(POLICY))
        versions = self.iam.list_policy_versions(PolicyArn=arn)["Versions"]
        self.assertEqual([v["VersionId"] for v in versions], ["v5", "v4", "v3", "v2", "v1"])
        self.assertEqual([v["IsDefaultVersion"] for v in versions],
                         [False, False, False, True, False])
        page = self.iam.list_policy_versions(PolicyArn=arn, MaxItems=2)
        self.assertTrue(page["IsTruncated"])
        pages = self.iam.get_paginator("list_policy_versions").paginate(
            PolicyArn=arn, PaginationConfig={"PageSize": 2})
        self.assertEqual(len([v for p in pages for v in p["Versions"]]), 5)
        msg = self.assertError("LimitExceeded", 409, self.iam.create_policy_version,
                               PolicyArn=arn, PolicyDocument=json.dumps(POLICY))
        self.assertEqual(msg, "A managed policy can have up to 5 versions. Before you create a "
                              "new version, you must delete an existing version.")
        msg = self.assertError("DeleteConflict", 409, self.iam.delete_policy_version,
                               PolicyArn=arn, VersionId="v2")
        self.assertEqual(msg, "Cannot delete the default version of a policy.")
        self.iam.set_default_policy_version(PolicyArn=arn, VersionId="v5")
        self.assertEqual(self.iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"], "v5")
        for v in ("v1", "v2", "v3", "v4"):
            self.iam.delete_policy_version(PolicyArn=arn, VersionId=v)
        v6 = self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(POLICY))
        self.assertEqual(v6["PolicyVersion"]["VersionId"], "v6")  # numbers are not reused
        msg = self.assertError("NoSuchEntity", 404, self.iam.get_policy_version,
                               PolicyArn=arn, VersionId="v1")
        self.assertEqual(msg, "Policy %s version v1 does not exist." % arn)
        self.assertError("NoSuchEntity", 404, self.iam.set_default_policy_version,
                         PolicyArn=arn, VersionId="v9")
        self.assertError("ValidationError", 400, self.raw.get_policy_version,
                         PolicyArn=arn, VersionId="version1")
        self.assertError("MalformedPolicyDocument", 400, self.iam.create_policy_version,
                         PolicyArn=arn, PolicyDocument="{")
        self.iam.delete_policy_version(PolicyArn=arn, VersionId="v6")
        self.iam.delete_policy(PolicyArn=arn)

    def test_aws_managed(self):
        p = self.iam.get_policy(PolicyArn=LAMBDA_BASIC)["Policy"]
        self.assertEqual((p["PolicyName"], p["Path"], p["Arn"]),
                         ("AWSLambdaBasicExecutionRole", "/service-role/", LAMBDA_BASIC))
        self.assertRegex(p["PolicyId"], r"^ANPA[A-Z0-9]{17}$")
        self.assertEqual(self.iam.get_policy(PolicyArn=LAMBDA_BASIC)["Policy"]["PolicyId"],
                         p["PolicyId"])
        doc = self.iam.get_policy_version(PolicyArn=LAMBDA_BASIC, VersionId=p["DefaultVersionId"])[
            "PolicyVersion"]["Document"]
        self.assertIn("logs:PutLogEvents", doc["Statement"][0]["Action"])
        ddb = self.iam.get_policy_version(PolicyArn=DDB_FULL, VersionId="v1")["PolicyVersion"]
        self.assertIn("dynamodb:*", ddb["Document"]["Statement"][0]["Action"])
        self.assertEqual(len(self.iam.list_policy_versions(PolicyArn=DDB_FULL)["Versions"]), 1)
        self.assertError("NoSuchEntity", 404, self.iam.get_policy,
                         PolicyArn="arn:aws:iam::aws:policy/NoSuchManagedPolicy")
        for fn, kw in ((self.iam.delete_policy, {}),
                       (self.iam.create_policy_version, {"PolicyDocument": "{}"}),
                       (self.iam.tag_policy, {"Tags": [{"Key": "k", "Value": "v"}]})):
            self.assertError("AccessDenied", 403, fn, PolicyArn=LAMBDA_BASIC, **kw)

    def test_list_policies(self):
        mine = [self.policy("mp-list-%d" % i, Path="/lst/")["Arn"] for i in range(4)]
        local = self.iam.list_policies(Scope="Local", PathPrefix="/lst/")["Policies"]
        self.assertEqual([p["Arn"] for p in local], mine)
        self.assertNotIn("Description", local[0])
        aws = self.iam.list_policies(Scope="AWS")["Policies"]
        aws_arns = [p["Arn"] for p in aws]
        self.assertIn(LAMBDA_BASIC, aws_arns)
        self.assertIn(DDB_FULL, aws_arns)
        self.assertTrue(all(a.startswith("arn:aws:iam::aws:policy/") for a in aws_arns))
        self.assertEqual(aws_arns, sorted(aws_arns))
        everything = [p["Arn"] for p in self.iam.list_policies()["Policies"]]
        self.assertTrue(set(mine) | set(aws_arns) <= set(everything))
        roles = [p["Arn"] for p in self.iam.list_policies(Scope="AWS", PathPrefix="/service-role/")[
            "Policies"]]
        self.assertIn(LAMBDA_BASIC, roles)
        self.assertNotIn(DDB_FULL, roles)
        # paging through both kinds at once
        pages = list(self.iam.get_paginator("list_policies").paginate(
            PaginationConfig={"PageSize": 4}))
        paged = [p["Arn"] for pg in pages for p in pg["Policies"]]
        self.assertEqual(paged, everything)
        self.assertGreater(len(pages), 2)
        first = self.iam.list_policies(MaxItems=3)
        self.assertTrue(first["IsTruncated"])
        self.assertEqual(len(first["Policies"]), 3)
        nxt = self.iam.list_policies(MaxItems=3, Marker=first["Marker"])
        self.assertEqual([p["Arn"] for p in first["Policies"] + nxt["Policies"]], everything[:6])
        # only attached ones
        self.create("r-lst")
        self.iam.attach_role_policy(RoleName="r-lst", PolicyArn=mine[1])
        self.iam.attach_role_policy(RoleName="r-lst", PolicyArn=DDB_FULL)
        attached = self.iam.list_policies(OnlyAttached=True)["Policies"]
        self.assertEqual([p["Arn"] for p in attached], [mine[1], DDB_FULL])
        self.assertEqual([p["AttachmentCount"] for p in attached], [1, 1])
        self.assertEqual([p["Arn"] for p in self.iam.list_policies(
            OnlyAttached=True, Scope="Local")["Policies"]], [mine[1]])
        self.assertEqual(self.iam.list_policies(PolicyUsageFilter="PermissionsBoundary")[
            "Policies"], [])
        self.assertError("ValidationError", 400, self.raw.list_policies, Scope="Mine")
        for arn in (mine[1], DDB_FULL):
            self.iam.detach_role_policy(RoleName="r-lst", PolicyArn=arn)
        self.iam.delete_role(RoleName="r-lst")
        for arn in mine:
            self.iam.delete_policy(PolicyArn=arn)


class TestUsers(IamTestCase):

    def test_create_get_list_delete(self):
        u = self.iam.create_user(UserName="u-basic", Path="/dev/")["User"]
        self.assertEqual((u["UserName"], u["Path"]), ("u-basic", "/dev/"))
        self.assertEqual(u["Arn"], "arn:aws:iam::%s:user/dev/u-basic" % ACCOUNT)
        self.assertRegex(u["UserId"], r"^AIDA[A-Z0-9]{17}$")
        got = self.iam.get_user(UserName="u-basic")["User"]
        self.assertEqual((got["UserId"], got["CreateDate"]), (u["UserId"], u["CreateDate"]))
        self.assertIn("u-basic", [x["UserName"] for x in self.iam.list_users()["Users"]])
        self.assertEqual([x["UserName"] for x in self.iam.list_users(PathPrefix="/dev/")["Users"]],
                         ["u-basic"])
        msg = self.assertError("EntityAlreadyExists", 409, self.iam.create_user, UserName="u-basic")
        self.assertEqual(msg, "User with name u-basic already exists.")
        self.iam.delete_user(UserName="u-basic")
        msg = self.assertError("NoSuchEntity", 404, self.iam.get_user, UserName="u-basic")
        self.assertEqual(msg, "The user with name u-basic cannot be found.")
        self.assertError("NoSuchEntity", 404, self.iam.delete_user, UserName="u-basic")

    def test_bad_names(self):
        self.assertError("ValidationError", 400, self.raw.create_user, UserName="has space")
        self.assertError("ValidationError", 400, self.raw.create_user, UserName="u" * 65)
        self.assertError("ValidationError", 400, self.raw.create_user)
        self.assertError("ValidationError", 400, self.raw.create_user, UserName="u-p", Path="x")

    def test_get_user_without_name_is_the_caller(self):
        root = self.iam.get_user()["User"]
        self.assertEqual(root["Arn"], "arn:aws:iam::%s:root" % ACCOUNT)
        self.assertEqual(root["UserId"], ACCOUNT)
        self.assertNotIn("UserName", root)
        self.iam.create_user(UserName="u-me")
        key = self.iam.create_access_key(UserName="u-me")["AccessKey"]
        me = iam_client(key=key["AccessKeyId"], secret=key["SecretAccessKey"])
        self.assertEqual(me.get_user()["User"]["UserName"], "u-me")
        # and its keys, without naming it
        self.assertEqual([k["AccessKeyId"] for k in me.list_access_keys()["AccessKeyMetadata"]],
                         [key["AccessKeyId"]])
        self.iam.delete_access_key(UserName="u-me", AccessKeyId=key["AccessKeyId"])
        self.iam.delete_user(UserName="u-me")

    def test_list_pages(self):
        names = ["u-page-%d" % i for i in range(5)]
        for n in names:
            self.iam.create_user(UserName=n, Path="/paged/")
        page = self.iam.list_users(PathPrefix="/paged/", MaxItems=2)
        self.assertEqual(([u["UserName"] for u in page["Users"]], page["IsTruncated"]),
                         (names[:2], True))
        pages = self.iam.get_paginator("list_users").paginate(
            PathPrefix="/paged/", PaginationConfig={"PageSize": 2})
        self.assertEqual([u["UserName"] for p in pages for u in p["Users"]], names)
        for n in names:
            self.iam.delete_user(UserName=n)

    def test_update_user(self):
        self.iam.create_user(UserName="u-old")
        self.iam.create_user(UserName="u-taken")
        self.iam.update_user(UserName="u-old", NewUserName="u-new", NewPath="/moved/")
        u = self.iam.get_user(UserName="u-new")["User"]
        self.assertEqual(u["Arn"], "arn:aws:iam::%s:user/moved/u-new" % ACCOUNT)
        self.assertError("NoSuchEntity", 404, self.iam.get_user, UserName="u-old")
        msg = self.assertError("EntityAlreadyExists", 409, self.iam.update_user,
                               UserName="u-new", NewUserName="u-taken")
        self.assertEqual(msg, "User with name u-taken already exists.")
        self.iam.delete_user(UserName="u-new")
        self.iam.delete_user(UserName="u-taken")


class TestAccessKeys(IamTestCase):

    def test_create_list_update_delete(self):
        self.iam.create_user(UserName="u-keys")
        key = self.iam.create_access_key(UserName="u-keys")["AccessKey"]
        self.assertRegex(key["AccessKeyId"], r"^AKIA[A-Z0-9]{16}$")
        self.assertEqual(len(key["SecretAccessKey"]), 40)
        self.assertEqual((key["Status"], key["UserName"]), ("Active", "u-keys"))
        second = self.iam.create_access_key(UserName="u-keys")["AccessKey"]
        self.assertNotEqual(second["AccessKeyId"], key["AccessKeyId"])
        msg = self.assertError("LimitExceeded", 409, self.iam.create_access_key, UserName="u-keys")
        self.assertEqual(msg, "Cannot exceed quota for AccessKeysPerUser: 2")
        listed = self.iam.list_access_keys(UserName="u-keys")["AccessKeyMetadata"]
        self.assertEqual(sorted(k["AccessKeyId"] for k in listed),
                         sorted([key["AccessKeyId"], second["AccessKeyId"]]))
        self.assertTrue(all("SecretAccessKey" not in k for k in listed))
        self.iam.update_access_key(UserName="u-keys", AccessKeyId=key["AccessKeyId"],
                                   Status="Inactive")
        status = {k["AccessKeyId"]: k["Status"] for k in
                  self.iam.list_access_keys(UserName="u-keys")["AccessKeyMetadata"]}
        self.assertEqual(status[key["AccessKeyId"]], "Inactive")
        last = self.iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
        self.assertEqual(last["UserName"], "u-keys")
        self.assertEqual(last["AccessKeyLastUsed"]["ServiceName"], "N/A")
        msg = self.assertError("DeleteConflict", 409, self.iam.delete_user, UserName="u-keys")
        self.assertEqual(msg, "Cannot delete entity, must delete access keys first.")
        for k in (key, second):
            self.iam.delete_access_key(UserName="u-keys", AccessKeyId=k["AccessKeyId"])
        msg = self.assertError("NoSuchEntity", 404, self.iam.delete_access_key,
                               UserName="u-keys", AccessKeyId=key["AccessKeyId"])
        self.assertEqual(msg, "The Access Key with id %s cannot be found." % key["AccessKeyId"])
        self.assertEqual(self.iam.list_access_keys(UserName="u-keys")["AccessKeyMetadata"], [])
        self.iam.delete_user(UserName="u-keys")

    def test_errors(self):
        self.assertError("NoSuchEntity", 404, self.iam.create_access_key, UserName="u-nokeys")
        self.assertError("NoSuchEntity", 404, self.iam.list_access_keys, UserName="u-nokeys")
        self.iam.create_user(UserName="u-keyerr")
        self.assertError("NoSuchEntity", 404, self.iam.delete_access_key, UserName="u-keyerr",
                         AccessKeyId="AKIAAAAAAAAAAAAAAAAA")
        self.assertError("ValidationError", 400, self.raw.delete_access_key, UserName="u-keyerr",
                         AccessKeyId="short")
        self.assertError("ValidationError", 400, self.raw.update_access_key, UserName="u-keyerr",
                         AccessKeyId="AKIAAAAAAAAAAAAAAAAA", Status="Sleeping")
        self.iam.delete_user(UserName="u-keyerr")

    def test_root_keys(self):
        key = self.iam.create_access_key()["AccessKey"]
        self.assertNotIn("UserName", key)
        self.assertIn(key["AccessKeyId"], [k["AccessKeyId"] for k in
                                           self.iam.list_access_keys()["AccessKeyMetadata"]])
        as_root = iam_client(key=key["AccessKeyId"], secret=key["SecretAccessKey"])
        self.assertEqual(as_root.get_user()["User"]["Arn"], "arn:aws:iam::%s:root" % ACCOUNT)
        self.iam.delete_access_key(AccessKeyId=key["AccessKeyId"])


class TestTags(IamTestCase):

    def test_role_tags(self):
        role = self.create("r-tags", Tags=[{"Key": "team", "Value": "a"}])
        self.assertEqual(role["Tags"], [{"Key": "team", "Value": "a"}])
        self.iam.tag_role(RoleName="r-tags", Tags=[{"Key": "env", "Value": "dev"},
                                                   {"Key": "TEAM", "Value": "b"}])
        tags = self.iam.list_role_tags(RoleName="r-tags")["Tags"]
        self.assertEqual(tags, [{"Key": "env", "Value": "dev"}, {"Key": "TEAM", "Value": "b"}])
        self.assertEqual(self.iam.get_role(RoleName="r-tags")["Role"]["Tags"], tags)
        self.assertNotIn("Tags", self.iam.list_roles()["Roles"][0])
        self.iam.untag_role(RoleName="r-tags", TagKeys=["team", "nope"])
        self.assertEqual(self.iam.list_role_tags(RoleName="r-tags")["Tags"],
                         [{"Key": "env", "Value": "dev"}])
        self.iam.delete_role(RoleName="r-tags")

    def test_tag_errors_and_limits(self):
        self.create("r-tag-err")
        msg = self.assertError("InvalidInput", 400, self.iam.tag_role, RoleName="r-tag-err",
                               Tags=[{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}])
        self.assertEqual(msg, "Duplicate tag keys found. Please note that Tag keys are case "
                              "insensitive.")
        msg = self.assertError("ValidationError", 400, self.iam.tag_role, RoleName="r-tag-err",
                               Tags=[{"Key": "bad!key", "Value": "1"}])
        self.assertIn("at 'tags.1.member.key'", msg)
        self.assertError("ValidationError", 400, self.raw.tag_role, RoleName="r-tag-err",
                         Tags=[{"Key": "k%d" % i, "Value": "v"} for i in range(51)])
        self.iam.tag_role(RoleName="r-tag-err",
                          Tags=[{"Key": "k%02d" % i, "Value": "v"} for i in range(50)])
        msg = self.assertError("LimitExceeded", 409, self.iam.tag_role, RoleName="r-tag-err",
                               Tags=[{"Key": "one-more", "Value": "v"}])
        self.assertEqual(msg, "Cannot exceed quota for TagsPerRole: 50")
        self.assertEqual(len(self.iam.list_role_tags(RoleName="r-tag-err")["Tags"]), 50)
        page = self.iam.list_role_tags(RoleName="r-tag-err", MaxItems=20)
        self.assertEqual((len(page["Tags"]), page["IsTruncated"]), (20, True))
        rest = self.iam.list_role_tags(RoleName="r-tag-err", Marker=page["Marker"])
        self.assertEqual(len(rest["Tags"]), 30)
        self.assertError("ValidationError", 400, self.raw.tag_role, RoleName="r-tag-err")
        self.iam.delete_role(RoleName="r-tag-err")

    def test_user_and_policy_tags(self):
        self.iam.create_user(UserName="u-tags", Tags=[{"Key": "k", "Value": "v"}])
        self.assertEqual(self.iam.get_user(UserName="u-tags")["User"]["Tags"],
                         [{"Key": "k", "Value": "v"}])
        self.iam.tag_user(UserName="u-tags", Tags=[{"Key": "k2", "Value": ""}])
        self.assertEqual(self.iam.list_user_tags(UserName="u-tags")["Tags"],
                         [{"Key": "k", "Value": "v"}, {"Key": "k2", "Value": ""}])
        self.iam.untag_user(UserName="u-tags", TagKeys=["k"])
        self.assertEqual(self.iam.list_user_tags(UserName="u-tags")["Tags"],
                         [{"Key": "k2", "Value": ""}])
        self.assertError("NoSuchEntity", 404, self.iam.tag_user, UserName="u-none",
                         Tags=[{"Key": "k", "Value": "v"}])
        self.iam.delete_user(UserName="u-tags")
        arn = self.policy("mp-tags", Tags=[{"Key": "a", "Value": "1"}])["Arn"]
        self.assertEqual(self.iam.get_policy(PolicyArn=arn)["Policy"]["Tags"],
                         [{"Key": "a", "Value": "1"}])
        self.iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "b", "Value": "2"}])
        self.iam.untag_policy(PolicyArn=arn, TagKeys=["a"])
        self.assertEqual(self.iam.list_policy_tags(PolicyArn=arn)["Tags"],
                         [{"Key": "b", "Value": "2"}])
        self.iam.delete_policy(PolicyArn=arn)
        self.assertError("NoSuchEntity", 404, self.iam.list_policy_tags, PolicyArn=arn)


class TestProtocol(IamTestCase):

    def test_unknown_action(self):
        r = query({"Action": "ListGroups"})
        self.assertEqual((r.status, r.error_code()), (400, "InvalidAction"))

    def test_flat_form_members(self):
        # The query protocol's own shapes: Tags.member.N.Key, TagKeys.member.N
        r = query({"Action": "CreateRole", "RoleName": "r-form", "AssumeRolePolicyDocument":
                   json.dumps(TRUST), "Tags.member.1.Key": "a", "Tags.member.1.Value": "1",
                   "Tags.member.2.Key": "b", "Tags.member.2.Value": "2"})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(env.xml_all(r.body, "Key"), ["a", "b"])
        r = query({"Action": "TagRole", "RoleName": "r-form", "Tags.member.1.Key": "c"})
        self.assertEqual((r.status, r.error_code()), (400, "ValidationError"))
        self.assertIn("tags.1.member.value", env.xml_text(r.body, "Message"))
        r = query({"Action": "UntagRole", "RoleName": "r-form", "TagKeys.member.1": "a"})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual([t["Key"] for t in self.iam.list_role_tags(RoleName="r-form")["Tags"]],
                         ["b"])
        r = query({"Action": "ListPolicies", "OnlyAttached": "maybe"})
        self.assertEqual((r.status, r.error_code()), (400, "ValidationError"))
        self.iam.delete_role(RoleName="r-form")

    def test_name_sent_twice_first_wins(self):
        body = "Action=GetRole&Version=2010-05-08&RoleName=r-first-wins&RoleName=other"
        r = env.raw_request("POST", "/", body=body.encode(), sign=False,
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 404)
        self.assertIn("r-first-wins", env.xml_text(r.body, "Message"))

    def test_many_form_names_answer_quickly(self):
        # Close to the 1 MiB cap in names the operation does not have: the
        # form is read in one pass (it took seconds when every name was
        # checked against those before it).
        params = {"Action": "CreateRole", "Version": "2010-05-08", "RoleName": "r-many-names",
                  "AssumeRolePolicyDocument": json.dumps(TRUST)}
        params.update({"n%d" % i: "v" for i in range(90000)})
        body = urllib.parse.urlencode(params).encode()
        self.assertLess(len(body), 1 << 20)
        started = time.monotonic()
        r = env.raw_request("POST", "/", body=body, sign=False,
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 200, r.body[:300])
        self.assertLess(time.monotonic() - started, 5.0)
        self.iam.delete_role(RoleName="r-many-names")

    def test_error_shape(self):
        r = query({"Action": "GetRole", "RoleName": "r-nowhere"})
        self.assertEqual(r.status, 404)
        self.assertEqual(env.xml_text(r.body, "Type"), "Sender")
        self.assertEqual(env.xml_text(r.body, "Code"), "NoSuchEntity")
        self.assertTrue(env.xml_text(r.body, "RequestId"))


V5_TABLES = {"blob", "chunk", "s3_bucket", "s3_object", "s3_upload", "s3_part", "outbox",
             "ddb_table", "ddb_item", "ddb_index", "ddb_txn_token", "s3_completed"}


class TestMigration(unittest.TestCase):

    def test_store_before_iam_migrates(self):
        # A store of migration 5 (no IAM tables) keeps its data and gets
        # roles, users and policies that persist across restarts.
        data = tempfile.mkdtemp(prefix="tinystack-iam-mig-")
        self.addCleanup(shutil.rmtree, data, True)
        d = Daemon(["--data-dir", data])
        try:
            d.client("s3").create_bucket(Bucket="before-iam")
        finally:
            self.assertEqual(d.stop(), 0)
        db = sqlite3.connect(os.path.join(data, "tinystack.db"))
        version = db.execute("PRAGMA user_version").fetchone()[0]
        # Every table of a later migration goes, so that each migration
        # after 5 finds the store it was written for.
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                  " AND name NOT LIKE 'sqlite_%'").fetchall():
            if name not in V5_TABLES:
                db.execute('DROP TABLE "%s"' % name)
        for (name,) in db.execute("SELECT name FROM sqlite_sequence").fetchall():
            if name not in V5_TABLES:
                db.execute("DELETE FROM sqlite_sequence WHERE name = ?", (name,))
        db.execute("PRAGMA user_version=5")
        db.commit()
        db.close()
        d = Daemon(["--data-dir", data])
        try:
            self.assertIn("before-iam", [b["Name"] for b in d.client("s3").list_buckets()["Buckets"]])
            iam = d.client("iam")
            iam.create_role(RoleName="kept", AssumeRolePolicyDocument=json.dumps(TRUST))
            iam.attach_role_policy(RoleName="kept", PolicyArn=LAMBDA_BASIC)
            iam.put_role_policy(RoleName="kept", PolicyName="inline",
                                PolicyDocument=json.dumps(POLICY))
            iam.create_policy(PolicyName="kept-policy", PolicyDocument=json.dumps(POLICY))
            iam.create_user(UserName="kept-user")
            key = iam.create_access_key(UserName="kept-user")["AccessKey"]
        finally:
            self.assertEqual(d.stop(), 0)
        db = sqlite3.connect(os.path.join(data, "tinystack.db"))
        self.assertEqual(db.execute("PRAGMA user_version").fetchone()[0], version)
        db.close()
        d = Daemon(["--data-dir", data])
        try:
            iam = d.client("iam")
            self.assertEqual(iam.get_role(RoleName="kept")["Role"]["AssumeRolePolicyDocument"], TRUST)
            self.assertEqual([p["PolicyArn"] for p in iam.list_attached_role_policies(
                RoleName="kept")["AttachedPolicies"]], [LAMBDA_BASIC])
            self.assertEqual(iam.get_role_policy(RoleName="kept", PolicyName="inline")[
                "PolicyDocument"], POLICY)
            self.assertEqual(iam.get_policy(PolicyArn=local_arn("kept-policy"))["Policy"][
                "PolicyName"], "kept-policy")
            self.assertEqual([k["AccessKeyId"] for k in iam.list_access_keys(
                UserName="kept-user")["AccessKeyMetadata"]], [key["AccessKeyId"]])
        finally:
            self.assertEqual(d.stop(), 0)


class TestReset(IamTestCase):

    def test_reset_forgets_everything(self):
        self.create("r-reset", Tags=[{"Key": "k", "Value": "v"}])
        self.policy("mp-reset")
        self.iam.create_user(UserName="u-reset")
        self.iam.create_access_key(UserName="u-reset")
        env.reset()
        self.assertError("NoSuchEntity", 404, self.iam.get_role, RoleName="r-reset")
        self.assertError("NoSuchEntity", 404, self.iam.get_policy, PolicyArn=local_arn("mp-reset"))
        self.assertError("NoSuchEntity", 404, self.iam.get_user, UserName="u-reset")
        self.assertEqual(self.iam.list_policies(Scope="Local")["Policies"], [])
        # AWS's own policies are still there
        self.assertEqual(self.iam.get_policy(PolicyArn=LAMBDA_BASIC)["Policy"]["Arn"], LAMBDA_BASIC)


if __name__ == "__main__":
    unittest.main()
