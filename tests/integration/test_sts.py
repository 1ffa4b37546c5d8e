"""STS over the query protocol: GetCallerIdentity, AssumeRole,
AssumeRoleWithWebIdentity, GetSessionToken, GetFederationToken and
GetAccessKeyInfo.  Temporary credentials are remembered: a request
signed with one is answered as the identity it was issued for."""

import base64
import datetime
import json
import unittest
import urllib.parse

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import tinystack_env as env

ACCOUNT = "000000000000"
ROLE_ARN = "arn:aws:iam::%s:role/sts-role" % ACCOUNT
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT},
                   "Action": "sts:AssumeRole"}],
}
POLICY = {"Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}


def client(service, validate=True, creds=None, key=None, secret=None):
    kw = {}
    if creds:
        kw = dict(aws_access_key_id=creds["AccessKeyId"],
                  aws_secret_access_key=creds["SecretAccessKey"],
                  aws_session_token=creds.get("SessionToken"))
    else:
        kw = dict(aws_access_key_id=key or env.ACCESS_KEY,
                  aws_secret_access_key=secret or env.SECRET_KEY)
    return boto3.session.Session().client(
        service, region_name=env.REGION, endpoint_url=env.ENDPOINT,
        config=Config(retries={"max_attempts": 0}, parameter_validation=validate), **kw)


def jwt(claims):
    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
    return "%s.%s.signature" % (part({"alg": "RS256", "typ": "JWT"}), part(claims))


class StsTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        env.reset()
        cls.sts = client("sts")
        cls.raw = client("sts", validate=False)
        cls.iam = client("iam")
        cls.role = cls.iam.create_role(RoleName="sts-role", AssumeRolePolicyDocument=json.dumps(
            TRUST), MaxSessionDuration=7200)["Role"]

    def assertError(self, code, status, fn, *a, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(*a, **kw)
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], code, err["Error"])
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], status)
        return err["Error"]["Message"]

    def assertCredentials(self, creds, seconds):
        self.assertRegex(creds["AccessKeyId"], r"^ASIA[A-Z0-9]{16}$")
        self.assertEqual(len(creds["SecretAccessKey"]), 40)
        self.assertGreater(len(creds["SessionToken"]), 100)
        left = (creds["Expiration"] - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
        self.assertTrue(seconds - 60 < left <= seconds + 1, left)


class TestCallerIdentity(StsTestCase):

    def test_root(self):
        who = self.sts.get_caller_identity()
        self.assertEqual(who["Account"], ACCOUNT)
        self.assertEqual(who["Arn"], "arn:aws:iam::%s:root" % ACCOUNT)
        self.assertEqual(who["UserId"], env.ACCESS_KEY)
        other = client("sts", key="AKIAANYTHINGELSE0000", secret="x").get_caller_identity()
        self.assertEqual(other["Arn"], "arn:aws:iam::%s:root" % ACCOUNT)

    def test_user_key(self):
        self.iam.create_user(UserName="sts-user", Path="/ops/")
        key = self.iam.create_access_key(UserName="sts-user")["AccessKey"]
        user = self.iam.get_user(UserName="sts-user")["User"]
        who = client("sts", key=key["AccessKeyId"], secret=key["SecretAccessKey"]) \
            .get_caller_identity()
        self.assertEqual(who["Arn"], "arn:aws:iam::%s:user/ops/sts-user" % ACCOUNT)
        self.assertEqual(who["UserId"], user["UserId"])
        self.iam.delete_access_key(UserName="sts-user", AccessKeyId=key["AccessKeyId"])
        self.iam.delete_user(UserName="sts-user")

    def test_unsigned_get(self):
        r = env.raw_request("GET", "/?Action=GetCallerIdentity&Version=2011-06-15", sign=False)
        self.assertEqual(r.status, 200)
        self.assertEqual(env.xml_text(r.body, "Account"), ACCOUNT)


class TestAssumeRole(StsTestCase):

    def test_assume_and_be_the_role(self):
        out = self.sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="deploy")
        self.assertCredentials(out["Credentials"], 3600)
        user = out["AssumedRoleUser"]
        self.assertEqual(user["Arn"], "arn:aws:sts::%s:assumed-role/sts-role/deploy" % ACCOUNT)
        self.assertEqual(user["AssumedRoleId"], "%s:deploy" % self.role["RoleId"])
        self.assertNotIn("PackedPolicySize", out)
        who = client("sts", creds=out["Credentials"]).get_caller_identity()
        self.assertEqual(who["Arn"], user["Arn"])
        self.assertEqual(who["UserId"], user["AssumedRoleId"])
        self.assertEqual(who["Account"], ACCOUNT)
        # the role's credentials work on the other services too
        as_role = client("iam", creds=out["Credentials"])
        self.assertEqual(as_role.get_role(RoleName="sts-role")["Role"]["Arn"], ROLE_ARN)
        msg = self.assertError("ValidationError", 400, as_role.get_user)
        self.assertEqual(msg, "Must specify userName when calling with non-User credentials")

    def test_each_call_new_credentials(self):
        a = self.sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="one")["Credentials"]
        b = self.sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="two")["Credentials"]
        self.assertNotEqual(a["AccessKeyId"], b["AccessKeyId"])
        self.assertEqual(client("sts", creds=a).get_caller_identity()["Arn"].rsplit("/", 1)[1],
                         "one")
        self.assertEqual(client("sts", creds=b).get_caller_identity()["Arn"].rsplit("/", 1)[1],
                         "two")

    def test_duration(self):
        out = self.sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="long", DurationSeconds=7200)
        self.assertCredentials(out["Credentials"], 7200)
        out = self.sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="short", DurationSeconds=900)
        self.assertCredentials(out["Credentials"], 900)
        msg = self.assertError("ValidationError", 400, self.raw.assume_role, RoleArn=ROLE_ARN,
                               RoleSessionName="s1", DurationSeconds=899)
        self.assertEqual(msg, "1 validation error detected: Value '899' at 'durationSeconds' "
                              "failed to satisfy constraint: Member must have value greater "
                              "than or equal to 900")
        msg = self.assertError("ValidationError", 400, self.raw.assume_role, RoleArn=ROLE_ARN,
                               RoleSessionName="s1", DurationSeconds=43201)
        self.assertIn("Member must have value less than or equal to 43200", msg)
        msg = self.assertError("ValidationError", 400, self.sts.assume_role, RoleArn=ROLE_ARN,
                               RoleSessionName="s1", DurationSeconds=7201)
        self.assertEqual(msg, "The requested DurationSeconds exceeds the MaxSessionDuration set "
                              "for this role.")

    def test_role_not_made_here(self):
        # Accepted, as on LocalStack: nothing enforces trust policies.
        arn = "arn:aws:iam::123456789012:role/path/elsewhere"
        out = self.sts.assume_role(RoleArn=arn, RoleSessionName="x1")
        user = out["AssumedRoleUser"]
        self.assertEqual(user["Arn"], "arn:aws:sts::123456789012:assumed-role/elsewhere/x1")
        self.assertRegex(user["AssumedRoleId"], r"^AROA[A-Z0-9]{17}:x1$")
        again = self.sts.assume_role(RoleArn=arn, RoleSessionName="x1")["AssumedRoleUser"]
        self.assertEqual(again["AssumedRoleId"], user["AssumedRoleId"])
        who = client("sts", creds=out["Credentials"]).get_caller_identity()
        self.assertEqual((who["Account"], who["Arn"]), ("123456789012", user["Arn"]))
        # no MaxSessionDuration to hold it to but the model's
        self.sts.assume_role(RoleArn=arn, RoleSessionName="x2", DurationSeconds=43200)

    def test_bad_input(self):
        msg = self.assertError("ValidationError", 400, self.raw.assume_role, RoleArn=ROLE_ARN)
        self.assertEqual(msg, "1 validation error detected: Value null at 'roleSessionName' "
                              "failed to satisfy constraint: Member must not be null")
        msg = self.assertError("ValidationError", 400, self.raw.assume_role)
        self.assertTrue(msg.startswith("2 validation errors detected: "), msg)
        msg = self.assertError("ValidationError", 400, self.raw.assume_role, RoleArn=ROLE_ARN,
                               RoleSessionName="a")
        self.assertIn("at 'roleSessionName' failed to satisfy constraint: Member must have "
                      "length greater than or equal to 2", msg)
        msg = self.assertError("ValidationError", 400, self.raw.assume_role, RoleArn=ROLE_ARN,
                               RoleSessionName="has space")
        self.assertIn("Member must satisfy regular expression pattern: [\\w+=,.@-]*", msg)
        self.assertError("ValidationError", 400, self.raw.assume_role, RoleArn=ROLE_ARN,
                         RoleSessionName="s" * 65)
        self.assertError("ValidationError", 400, self.raw.assume_role, RoleArn="arn:aws:iam",
                         RoleSessionName="s1")
        msg = self.assertError("ValidationError", 400, self.sts.assume_role,
                               RoleArn="arn:aws:iam::000000000000:user/someone",
                               RoleSessionName="s1")
        self.assertEqual(msg, "arn:aws:iam::000000000000:user/someone is invalid")
        r = env.raw_request("POST", "/", sign=False, body=urllib.parse.urlencode({
            "Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": ROLE_ARN,
            "RoleSessionName": "s1", "DurationSeconds": "an hour"}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual((r.status, r.error_code()), (400, "ValidationError"))

    def test_session_policy(self):
        out = self.sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="scoped",
                                   Policy=json.dumps(POLICY))
        self.assertTrue(0 < out["PackedPolicySize"] <= 100, out["PackedPolicySize"])
        out = self.sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="arns", PolicyArns=[
            {"arn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}])
        self.assertIn("PackedPolicySize", out)
        msg = self.assertError("MalformedPolicyDocument", 400, self.sts.assume_role,
                               RoleArn=ROLE_ARN, RoleSessionName="bad", Policy="{not json")
        self.assertEqual(msg, "The policy is not in the valid JSON format.")
        huge = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:Get%04d" % i for i in range(300)],
             "Resource": "*"}]})
        msg = self.assertError("PackedPolicyTooLarge", 400, self.sts.assume_role,
                               RoleArn=ROLE_ARN, RoleSessionName="huge", Policy=huge)
        self.assertRegex(msg, r"^Packed policy consumes \d+% of allotted space")

    def test_tags_and_source_identity(self):
        out = self.sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="tagged",
                                   Tags=[{"Key": "project", "Value": "x"}],
                                   SourceIdentity="alice")
        self.assertEqual(out["SourceIdentity"], "alice")
        self.assertIn("PackedPolicySize", out)


class TestWebIdentity(StsTestCase):

    def test_jwt_claims(self):
        token = jwt({"sub": "user-1234", "aud": "my-app", "iss": "https://issuer.example.com"})
        out = self.raw.assume_role_with_web_identity(
            RoleArn=ROLE_ARN, RoleSessionName="web", WebIdentityToken=token)
        self.assertCredentials(out["Credentials"], 3600)
        self.assertEqual(out["SubjectFromWebIdentityToken"], "user-1234")
        self.assertEqual(out["Audience"], "my-app")
        self.assertEqual(out["Provider"], "issuer.example.com")
        self.assertEqual(out["AssumedRoleUser"]["Arn"],
                         "arn:aws:sts::%s:assumed-role/sts-role/web" % ACCOUNT)
        who = client("sts", creds=out["Credentials"]).get_caller_identity()
        self.assertEqual(who["Arn"], out["AssumedRoleUser"]["Arn"])

    def test_any_token_unsigned(self):
        # botocore sends this one unsigned; any token is accepted.
        r = env.raw_request("POST", "/", sign=False, body=urllib.parse.urlencode({
            "Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15",
            "RoleArn": ROLE_ARN, "RoleSessionName": "opaque",
            "WebIdentityToken": "not-a-jwt-at-all"}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 200, r.body)
        self.assertTrue(env.xml_text(r.body, "AccessKeyId").startswith("ASIA"))
        self.assertError("ValidationError", 400, self.raw.assume_role_with_web_identity,
                         RoleArn=ROLE_ARN, RoleSessionName="web")


class TestSessionAndFederation(StsTestCase):

    def test_session_token(self):
        out = self.sts.get_session_token()
        self.assertCredentials(out["Credentials"], 43200)
        who = client("sts", creds=out["Credentials"]).get_caller_identity()
        self.assertEqual(who["Arn"], "arn:aws:iam::%s:root" % ACCOUNT)
        out = self.sts.get_session_token(DurationSeconds=900)
        self.assertCredentials(out["Credentials"], 900)
        msg = self.assertError("ValidationError", 400, self.raw.get_session_token,
                               DurationSeconds=129601)
        self.assertIn("Member must have value less than or equal to 129600", msg)
        self.assertError("ValidationError", 400, self.raw.get_session_token, DurationSeconds=10)
        role = self.sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="nested")["Credentials"]
        self.assertError("AccessDenied", 403, client("sts", creds=role).get_session_token)

    def test_session_token_of_a_user(self):
        self.iam.create_user(UserName="sts-sess-user")
        key = self.iam.create_access_key(UserName="sts-sess-user")["AccessKey"]
        as_user = client("sts", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
        creds = as_user.get_session_token()["Credentials"]
        who = client("sts", creds=creds).get_caller_identity()
        self.assertEqual(who["Arn"], "arn:aws:iam::%s:user/sts-sess-user" % ACCOUNT)
        self.assertEqual(client("iam", creds=creds).get_user()["User"]["UserName"],
                         "sts-sess-user")
        self.iam.delete_access_key(UserName="sts-sess-user", AccessKeyId=key["AccessKeyId"])
        self.iam.delete_user(UserName="sts-sess-user")

    def test_federation_token(self):
        out = self.sts.get_federation_token(Name="bob", Policy=json.dumps(POLICY))
        self.assertCredentials(out["Credentials"], 43200)
        self.assertEqual(out["FederatedUser"], {
            "FederatedUserId": "%s:bob" % ACCOUNT,
            "Arn": "arn:aws:sts::%s:federated-user/bob" % ACCOUNT})
        self.assertIn("PackedPolicySize", out)
        who = client("sts", creds=out["Credentials"]).get_caller_identity()
        self.assertEqual(who["Arn"], out["FederatedUser"]["Arn"])
        self.assertError("ValidationError", 400, self.raw.get_federation_token, Name="b")
        self.assertError("ValidationError", 400, self.raw.get_federation_token)

    def test_access_key_info(self):
        out = self.sts.get_access_key_info(AccessKeyId="AKIAIOSFODNN7EXAMPLE")
        self.assertEqual(out["Account"], ACCOUNT)
        self.assertError("ValidationError", 400, self.raw.get_access_key_info, AccessKeyId="short")

    def test_not_built(self):
        self.assertError("InvalidAction", 400, self.raw.decode_authorization_message,
                         EncodedMessage="abc")


if __name__ == "__main__":
    unittest.main()
