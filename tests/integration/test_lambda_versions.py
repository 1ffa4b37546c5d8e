"""Lambda's remaining control plane: PublishVersion and ListVersionsByFunction,
aliases (invoked through, routing weights, guarding the versions they name),
tags, reserved concurrency (0 throttles invokes) and the asynchronous
invocation settings, with AWS's errors for missing functions, versions and
aliases, bad names and out-of-range values."""

import unittest

from botocore.exceptions import ClientError

import tinystack_env as env
from test_lambda import LambdaTestCase, lambda_client, make_zip

ARN = "arn:aws:lambda:%s:000000000000:function:" % env.REGION

MARK = """
def handler(event, context):
    return {"mark": %r, "version": context.function_version}
"""


def marked(mark):
    return make_zip({"app.py": MARK % mark})


class VersionsCase(LambdaTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.raw = lambda_client(validate=False)

    @classmethod
    def marked_function(cls, name, mark="zero", **kw):
        return cls.create(name, files={"app.py": MARK % mark}, **kw)

    def new_code(self, name, mark):
        return self.lam.update_function_code(FunctionName=name, ZipFile=marked(mark))

    def mark_of(self, name, **kw):
        r, out = self.invoke(name, **kw)
        self.assertNotIn("FunctionError", r, out)
        return out["mark"], r["ExecutedVersion"]

    def message(self, code, fn, *a, **kw):
        return self.assertError(code, fn, *a, **kw)["Error"]["Message"]


class TestVersions(VersionsCase):

    def test_publish_then_nothing_changed(self):
        self.marked_function("ver-pub")
        v1 = self.lam.publish_version(FunctionName="ver-pub", Description="first")
        self.assertEqual(v1["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(v1["Version"], "1")
        self.assertEqual(v1["FunctionArn"], ARN + "ver-pub:1")
        self.assertEqual(v1["Description"], "first")
        self.assertEqual(v1["State"], "Pending")
        # Nothing changed since: the same version comes back.
        again = self.lam.publish_version(FunctionName="ver-pub")
        self.assertEqual(again["Version"], "1")
        self.assertEqual(again["CodeSha256"], v1["CodeSha256"])
        self.new_code("ver-pub", "one")
        v2 = self.lam.publish_version(FunctionName=ARN + "ver-pub")
        self.assertEqual(v2["Version"], "2")
        self.assertNotEqual(v2["CodeSha256"], v1["CodeSha256"])
        self.assertEqual(v2["Description"], "")
        # A configuration change is a change too.
        self.lam.update_function_configuration(FunctionName="ver-pub", Timeout=9)
        v3 = self.lam.publish_version(FunctionName="ver-pub")
        self.assertEqual((v3["Version"], v3["Timeout"]), ("3", 9))
        cfg = self.lam.get_function_configuration(FunctionName="ver-pub", Qualifier="1")
        self.assertEqual((cfg["Version"], cfg["State"], cfg["Description"]),
                         ("1", "Active", "first"))
        self.assertEqual(self.mark_of("ver-pub", Qualifier="1"), ("zero", "1"))
        self.assertEqual(self.mark_of("ver-pub", Qualifier="2"), ("one", "2"))

    def test_publish_preconditions(self):
        r = self.marked_function("ver-pre")
        msg = self.message("InvalidParameterValueException", self.lam.publish_version,
                           FunctionName="ver-pre", CodeSha256="abc")
        self.assertEqual(msg, "CodeSHA256 (abc) is different from current CodeSHA256 in "
                              "$LATEST (%s). Please try again with the CodeSHA256 in $LATEST."
                         % r["CodeSha256"])
        msg = self.message("PreconditionFailedException", self.lam.publish_version,
                           FunctionName="ver-pre", RevisionId="nope")
        self.assertIn("does not match the latest Revision Id", msg)
        v = self.lam.publish_version(FunctionName="ver-pre", CodeSha256=r["CodeSha256"],
                                     RevisionId=r["RevisionId"])
        self.assertEqual(v["Version"], "1")

    def test_publish_errors(self):
        msg = self.message("ResourceNotFoundException", self.lam.publish_version,
                           FunctionName="ver-none")
        self.assertEqual(msg, "Function not found: " + ARN + "ver-none")
        self.assertError("ResourceNotFoundException", self.lam.publish_version,
                         FunctionName="arn:aws:lambda:eu-west-1:000000000000:function:ver-none")
        self.assertError("ValidationException", self.raw.publish_version,
                         FunctionName="bad name!")
        self.assertError("ValidationException", self.raw.publish_version,
                         FunctionName="ver-pre", Description="d" * 257)

    def test_list_versions_and_paging(self):
        self.marked_function("ver-list")
        for i in range(4):
            self.lam.update_function_configuration(FunctionName="ver-list",
                                                   Description="d%d" % i)
            self.lam.publish_version(FunctionName="ver-list")
        whole = self.lam.list_versions_by_function(FunctionName="ver-list")
        self.assertEqual([v["Version"] for v in whole["Versions"]],
                         ["$LATEST", "1", "2", "3", "4"])
        self.assertNotIn("NextMarker", whole)
        self.assertEqual(whole["Versions"][0]["FunctionArn"], ARN + "ver-list:$LATEST")
        self.assertEqual(whole["Versions"][3]["FunctionArn"], ARN + "ver-list:3")
        self.assertEqual(whole["Versions"][3]["Description"], "d2")
        seen, marker, pages = [], None, 0
        while True:
            kw = {"MaxItems": 2}
            if marker:
                kw["Marker"] = marker
            page = self.lam.list_versions_by_function(FunctionName="ver-list", **kw)
            self.assertLessEqual(len(page["Versions"]), 2)
            seen += [v["Version"] for v in page["Versions"]]
            pages += 1
            marker = page.get("NextMarker")
            if not marker:
                break
        self.assertEqual(seen, ["$LATEST", "1", "2", "3", "4"])
        self.assertEqual(pages, 3)
        paginated = self.lam.get_paginator("list_versions_by_function").paginate(
            FunctionName="ver-list", PaginationConfig={"PageSize": 3})
        self.assertEqual([v["Version"] for p in paginated for v in p["Versions"]],
                         ["$LATEST", "1", "2", "3", "4"])
        self.lam.delete_function(FunctionName="ver-list", Qualifier="2")
        after = self.lam.list_versions_by_function(FunctionName="ver-list")
        self.assertEqual([v["Version"] for v in after["Versions"]], ["$LATEST", "1", "3", "4"])

    def test_list_versions_errors(self):
        msg = self.message("ResourceNotFoundException", self.lam.list_versions_by_function,
                           FunctionName="ver-none")
        self.assertEqual(msg, "Function not found: " + ARN + "ver-none")
        self.assertError("ValidationException", self.raw.list_versions_by_function,
                         FunctionName="ver-pre", MaxItems=0)
        self.assertError("ValidationException", self.raw.list_versions_by_function,
                         FunctionName="ver-pre", MaxItems=10001)


class TestAliases(VersionsCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.marked_function("ver-al", "zero")
        cls.lam.publish_version(FunctionName="ver-al")
        cls.lam.update_function_code(FunctionName="ver-al", ZipFile=marked("one"))
        cls.lam.publish_version(FunctionName="ver-al")
        cls.lam.update_function_code(FunctionName="ver-al", ZipFile=marked("latest"))

    def test_alias_lifecycle_and_invoke(self):
        a = self.lam.create_alias(FunctionName="ver-al", Name="live", FunctionVersion="1",
                                  Description="prod")
        self.addCleanup(self.delete_alias, "ver-al", "live")
        self.assertEqual(a["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(a["AliasArn"], ARN + "ver-al:live")
        self.assertEqual((a["Name"], a["FunctionVersion"], a["Description"]),
                         ("live", "1", "prod"))
        self.assertTrue(a["RevisionId"])
        got = self.lam.get_alias(FunctionName=ARN + "ver-al", Name="live")
        self.assertEqual(got["RevisionId"], a["RevisionId"])
        self.assertNotIn("RoutingConfig", got)
        self.assertEqual(self.mark_of("ver-al", Qualifier="live"), ("zero", "1"))
        self.assertEqual(self.mark_of("ver-al:live"), ("zero", "1"))
        self.assertEqual(self.mark_of(ARN + "ver-al:live"), ("zero", "1"))
        self.assertEqual(self.mark_of("ver-al", Qualifier="2"), ("one", "2"))
        self.assertEqual(self.mark_of("ver-al"), ("latest", "$LATEST"))
        up = self.lam.update_alias(FunctionName="ver-al", Name="live", FunctionVersion="2",
                                   RevisionId=a["RevisionId"])
        self.assertEqual((up["FunctionVersion"], up["Description"]), ("2", "prod"))
        self.assertNotEqual(up["RevisionId"], a["RevisionId"])
        self.assertEqual(self.mark_of("ver-al", Qualifier="live"), ("one", "2"))
        self.assertError("PreconditionFailedException", self.lam.update_alias,
                         FunctionName="ver-al", Name="live", Description="x",
                         RevisionId=a["RevisionId"])
        up = self.lam.update_alias(FunctionName="ver-al", Name="live", Description="")
        self.assertEqual((up["FunctionVersion"], up["Description"]), ("2", ""))
        r = self.lam.delete_alias(FunctionName="ver-al", Name="live")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertError("ResourceNotFoundException", self.lam.get_alias,
                         FunctionName="ver-al", Name="live")
        msg = self.message("ResourceNotFoundException", self.lam.invoke,
                           FunctionName="ver-al", Qualifier="live", Payload=b"{}")
        self.assertEqual(msg, "Function not found: " + ARN + "ver-al:live")

    def delete_alias(self, fn, name):
        try:
            self.lam.delete_alias(FunctionName=fn, Name=name)
        except ClientError:
            pass

    def test_alias_to_latest(self):
        self.lam.create_alias(FunctionName="ver-al", Name="edge", FunctionVersion="$LATEST")
        self.addCleanup(self.delete_alias, "ver-al", "edge")
        self.assertEqual(self.mark_of("ver-al", Qualifier="edge"), ("latest", "$LATEST"))
        cfg = self.lam.get_function_configuration(FunctionName="ver-al", Qualifier="edge")
        self.assertEqual(cfg["Version"], "$LATEST")

    def test_alias_errors(self):
        self.lam.create_alias(FunctionName="ver-al", Name="dup", FunctionVersion="1")
        self.addCleanup(self.delete_alias, "ver-al", "dup")
        msg = self.message("ResourceConflictException", self.lam.create_alias,
                           FunctionName="ver-al", Name="dup", FunctionVersion="2")
        self.assertEqual(msg, "Alias already exists: " + ARN + "ver-al:dup")
        msg = self.message("ResourceNotFoundException", self.lam.create_alias,
                           FunctionName="ver-al", Name="nine", FunctionVersion="9")
        self.assertEqual(msg, "Function not found: " + ARN + "ver-al:9")
        msg = self.message("ResourceNotFoundException", self.lam.create_alias,
                           FunctionName="ver-none", Name="x", FunctionVersion="1")
        self.assertEqual(msg, "Function not found: " + ARN + "ver-none")
        for bad in ("123", "bad name", "a.b", "x" * 129):
            self.assertError("ValidationException", self.raw.create_alias,
                             FunctionName="ver-al", Name=bad, FunctionVersion="1")
        msg = self.message("ValidationException", self.raw.get_alias, FunctionName="ver-al",
                           Name="42")
        self.assertIn("Member must satisfy regular expression pattern", msg)
        self.assertError("ValidationException", self.raw.create_alias, FunctionName="ver-al",
                         Name="ok", FunctionVersion="latest")
        msg = self.message("ResourceNotFoundException", self.lam.get_alias,
                           FunctionName="ver-al", Name="ghost")
        self.assertEqual(msg, "Cannot find alias arn: " + ARN + "ver-al:ghost")
        msg = self.message("ResourceNotFoundException", self.lam.update_alias,
                           FunctionName="ver-al", Name="ghost", FunctionVersion="1")
        self.assertEqual(msg, "Alias not found: " + ARN + "ver-al:ghost")
        msg = self.message("ResourceNotFoundException", self.lam.update_alias,
                           FunctionName="ver-al", Name="dup", FunctionVersion="7")
        self.assertEqual(msg, "Function not found: " + ARN + "ver-al:7")
        self.assertEqual(self.lam.get_alias(FunctionName="ver-al", Name="dup")
                         ["FunctionVersion"], "1")
        # Deleting an alias that is not there succeeds, as on AWS.
        self.lam.delete_alias(FunctionName="ver-al", Name="ghost")
        self.assertError("ResourceNotFoundException", self.lam.delete_alias,
                         FunctionName="ver-none", Name="ghost")

    def test_routing_config(self):
        a = self.lam.create_alias(FunctionName="ver-al", Name="canary", FunctionVersion="1",
                                  RoutingConfig={"AdditionalVersionWeights": {"2": 0.25}})
        self.addCleanup(self.delete_alias, "ver-al", "canary")
        self.assertEqual(a["RoutingConfig"], {"AdditionalVersionWeights": {"2": 0.25}})
        got = self.lam.get_alias(FunctionName="ver-al", Name="canary")
        self.assertEqual(got["RoutingConfig"], {"AdditionalVersionWeights": {"2": 0.25}})
        msg = self.message("InvalidParameterValueException", self.lam.create_alias,
                           FunctionName="ver-al", Name="two", FunctionVersion="1",
                           RoutingConfig={"AdditionalVersionWeights": {"2": 0.1, "3": 0.1}})
        self.assertEqual(msg, "Number of items in AdditionalVersionWeights cannot be greater "
                              "than 1")
        msg = self.message("InvalidParameterValueException", self.lam.create_alias,
                           FunctionName="ver-al", Name="same", FunctionVersion="1",
                           RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}})
        self.assertEqual(msg, "Invalid function version 1. Function version 1 is already "
                              "included in routing configuration.")
        self.assertError("InvalidParameterValueException", self.lam.create_alias,
                         FunctionName="ver-al", Name="lat", FunctionVersion="$LATEST",
                         RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}})
        msg = self.message("ResourceNotFoundException", self.lam.create_alias,
                           FunctionName="ver-al", Name="gone", FunctionVersion="1",
                           RoutingConfig={"AdditionalVersionWeights": {"8": 0.5}})
        self.assertEqual(msg, "Function not found: " + ARN + "ver-al:8")
        self.assertError("ValidationException", self.raw.create_alias,
                         FunctionName="ver-al", Name="heavy", FunctionVersion="1",
                         RoutingConfig={"AdditionalVersionWeights": {"2": 1.5}})
        # Pointing the alias at its weighted version is refused; clearing
        # the weights removes RoutingConfig.
        self.assertError("InvalidParameterValueException", self.lam.update_alias,
                         FunctionName="ver-al", Name="canary", FunctionVersion="2")
        up = self.lam.update_alias(FunctionName="ver-al", Name="canary",
                                   RoutingConfig={"AdditionalVersionWeights": {}})
        self.assertNotIn("RoutingConfig", up)
        self.assertEqual(self.mark_of("ver-al", Qualifier="canary"), ("zero", "1"))

    def test_list_aliases(self):
        self.marked_function("ver-many")
        self.lam.publish_version(FunctionName="ver-many")
        names = ["a%d" % i for i in range(5)]
        for i, n in enumerate(names):
            self.lam.create_alias(FunctionName="ver-many", Name=n,
                                  FunctionVersion="1" if i % 2 else "$LATEST")
        whole = self.lam.list_aliases(FunctionName="ver-many")
        self.assertEqual([a["Name"] for a in whole["Aliases"]], names)
        self.assertEqual(whole["Aliases"][1]["AliasArn"], ARN + "ver-many:a1")
        one = self.lam.list_aliases(FunctionName="ver-many", FunctionVersion="1")
        self.assertEqual([a["Name"] for a in one["Aliases"]], ["a1", "a3"])
        seen, marker = [], None
        while True:
            kw = {"MaxItems": 2}
            if marker:
                kw["Marker"] = marker
            page = self.lam.list_aliases(FunctionName="ver-many", **kw)
            self.assertLessEqual(len(page["Aliases"]), 2)
            seen += [a["Name"] for a in page["Aliases"]]
            marker = page.get("NextMarker")
            if not marker:
                break
        self.assertEqual(seen, names)
        self.assertError("ResourceNotFoundException", self.lam.list_aliases,
                         FunctionName="ver-none")
        self.assertError("ValidationException", self.raw.list_aliases,
                         FunctionName="ver-many", MaxItems=0)
        # The function's deletion takes its aliases.
        self.lam.delete_function(FunctionName="ver-many")
        self.marked_function("ver-many")
        self.assertEqual(self.lam.list_aliases(FunctionName="ver-many")["Aliases"], [])

    def test_delete_version_an_alias_uses(self):
        self.marked_function("ver-del", "zero")
        for mark in ("one", "two", "three"):
            self.new_code("ver-del", mark)
            self.lam.publish_version(FunctionName="ver-del")
        self.lam.create_alias(FunctionName="ver-del", Name="live", FunctionVersion="1")
        self.lam.create_alias(FunctionName="ver-del", Name="beta", FunctionVersion="1")
        self.lam.create_alias(FunctionName="ver-del", Name="canary", FunctionVersion="2",
                              RoutingConfig={"AdditionalVersionWeights": {"3": 0.1}})
        msg = self.message("ResourceConflictException", self.lam.delete_function,
                           FunctionName="ver-del", Qualifier="1")
        self.assertEqual(msg, "Unable to delete version because the following aliases "
                              "reference it: [beta, live]")
        msg = self.message("ResourceConflictException", self.lam.delete_function,
                           FunctionName="ver-del:3")
        self.assertEqual(msg, "Unable to delete version because the following aliases "
                              "reference it: [canary]")
        msg = self.message("InvalidParameterValueException", self.lam.delete_function,
                           FunctionName="ver-del", Qualifier="live")
        self.assertEqual(msg, "Deletion of aliases is not supported.")
        self.assertEqual(self.mark_of("ver-del", Qualifier="live"), ("one", "1"))
        self.lam.delete_alias(FunctionName="ver-del", Name="live")
        self.lam.delete_alias(FunctionName="ver-del", Name="beta")
        self.lam.delete_function(FunctionName="ver-del", Qualifier="1")
        self.assertEqual([v["Version"] for v in
                          self.lam.list_versions_by_function(FunctionName="ver-del")["Versions"]],
                         ["$LATEST", "2", "3"])
        # The whole function goes, aliases and all.
        self.lam.delete_function(FunctionName="ver-del")
        self.assertError("ResourceNotFoundException", self.lam.get_function,
                         FunctionName="ver-del")


class TestTags(VersionsCase):

    def test_tag_untag_list(self):
        self.marked_function("ver-tag", Tags={"team": "a"})
        arn = ARN + "ver-tag"
        self.assertEqual(self.lam.list_tags(Resource=arn)["Tags"], {"team": "a"})
        r = self.lam.tag_resource(Resource=arn, Tags={"env": "dev", "team": "b", "x": "1"})
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertEqual(self.lam.list_tags(Resource=arn)["Tags"],
                         {"team": "b", "env": "dev", "x": "1"})
        self.assertEqual(self.lam.get_function(FunctionName="ver-tag")["Tags"],
                         {"team": "b", "env": "dev", "x": "1"})
        r = self.lam.untag_resource(Resource=arn, TagKeys=["team", "x", "absent"])
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertEqual(self.lam.list_tags(Resource=arn)["Tags"], {"env": "dev"})
        self.lam.untag_resource(Resource=arn, TagKeys=["env"])
        self.assertEqual(self.lam.list_tags(Resource=arn)["Tags"], {})
        self.assertNotIn("Tags", self.lam.get_function(FunctionName="ver-tag"))

    def test_tag_errors(self):
        self.marked_function("ver-tag2")
        self.lam.publish_version(FunctionName="ver-tag2")
        for qualified in (ARN + "ver-tag2:1", ARN + "ver-tag2:$LATEST"):
            msg = self.message("InvalidParameterValueException", self.lam.tag_resource,
                               Resource=qualified, Tags={"a": "b"})
            self.assertTrue(msg.startswith("Tagging operations are permitted on Lambda "
                                           "functions only."), msg)
        msg = self.message("ResourceNotFoundException", self.lam.list_tags,
                           Resource=ARN + "ver-none")
        self.assertEqual(msg, "Function not found: " + ARN + "ver-none")
        self.assertError("ResourceNotFoundException", self.lam.tag_resource,
                         Resource=ARN + "ver-none", Tags={"a": "b"})
        self.assertError("ResourceNotFoundException", self.lam.untag_resource,
                         Resource=ARN + "ver-none", TagKeys=["a"])
        self.assertError("ValidationException", self.raw.list_tags, Resource="ver-tag2")
        self.assertError("InvalidParameterValueException", self.lam.tag_resource,
                         Resource=ARN + "ver-tag2", Tags={})
        self.lam.tag_resource(Resource=ARN + "ver-tag2",
                              Tags={"k%d" % i: "v" for i in range(50)})
        msg = self.message("InvalidParameterValueException", self.lam.tag_resource,
                           Resource=ARN + "ver-tag2", Tags={"one-more": "v"})
        self.assertEqual(msg, "Number of tags exceeds function tag limit.")
        self.assertEqual(len(self.lam.list_tags(Resource=ARN + "ver-tag2")["Tags"]), 50)


class TestConcurrency(VersionsCase):

    def test_put_get_delete(self):
        self.marked_function("ver-conc")
        self.assertNotIn("ReservedConcurrentExecutions",
                         self.lam.get_function_concurrency(FunctionName="ver-conc"))
        before = self.lam.get_account_settings()["AccountLimit"]
        r = self.lam.put_function_concurrency(FunctionName="ver-conc",
                                              ReservedConcurrentExecutions=5)
        self.assertEqual(r["ReservedConcurrentExecutions"], 5)
        self.assertEqual(self.lam.get_function_concurrency(FunctionName=ARN + "ver-conc")
                         ["ReservedConcurrentExecutions"], 5)
        self.assertEqual(self.lam.get_function(FunctionName="ver-conc")["Concurrency"],
                         {"ReservedConcurrentExecutions": 5})
        after = self.lam.get_account_settings()["AccountLimit"]
        self.assertEqual(after["UnreservedConcurrentExecutions"],
                         before["UnreservedConcurrentExecutions"] - 5)
        # Putting the same value again is not counted twice.
        self.lam.put_function_concurrency(FunctionName="ver-conc",
                                          ReservedConcurrentExecutions=5)
        msg = self.message("InvalidParameterValueException", self.lam.put_function_concurrency,
                           FunctionName="ver-conc", ReservedConcurrentExecutions=901)
        self.assertEqual(msg, "Specified ReservedConcurrentExecutions for function decreases "
                              "account's UnreservedConcurrentExecution below its minimum "
                              "value of [100].")
        self.lam.put_function_concurrency(FunctionName="ver-conc",
                                          ReservedConcurrentExecutions=900)
        r = self.lam.delete_function_concurrency(FunctionName="ver-conc")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertNotIn("ReservedConcurrentExecutions",
                         self.lam.get_function_concurrency(FunctionName="ver-conc"))
        self.assertNotIn("Concurrency", self.lam.get_function(FunctionName="ver-conc"))

    def test_errors(self):
        for fn in (self.lam.get_function_concurrency, self.lam.delete_function_concurrency):
            msg = self.message("ResourceNotFoundException", fn, FunctionName="ver-none")
            self.assertEqual(msg, "Function not found: " + ARN + "ver-none")
        self.assertError("ResourceNotFoundException", self.lam.put_function_concurrency,
                         FunctionName="ver-none", ReservedConcurrentExecutions=1)
        self.assertError("ValidationException", self.raw.put_function_concurrency,
                         FunctionName="ver-conc", ReservedConcurrentExecutions=-1)

    def test_zero_throttles(self):
        self.marked_function("ver-zero")
        self.assertEqual(self.mark_of("ver-zero"), ("zero", "$LATEST"))  # warm
        self.lam.put_function_concurrency(FunctionName="ver-zero",
                                          ReservedConcurrentExecutions=0)
        for _ in range(2):
            r = self.assertError("TooManyRequestsException", self.lam.invoke,
                                 FunctionName="ver-zero", Payload=b"{}")
            self.assertEqual(r["Error"]["Message"], "Rate Exceeded.")
            self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 429)
        # Asynchronous invokes are still accepted (and retried later).
        r = self.lam.invoke(FunctionName="ver-zero", InvocationType="Event", Payload=b"{}")
        self.assertEqual(r["StatusCode"], 202)
        self.lam.put_function_concurrency(FunctionName="ver-zero",
                                          ReservedConcurrentExecutions=1)
        self.assertEqual(self.mark_of("ver-zero"), ("zero", "$LATEST"))
        self.lam.delete_function_concurrency(FunctionName="ver-zero")
        self.assertEqual(self.mark_of("ver-zero"), ("zero", "$LATEST"))


class TestEventInvokeConfig(VersionsCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.marked_function("ver-eic")
        cls.lam.publish_version(FunctionName="ver-eic")
        cls.lam.create_alias(FunctionName="ver-eic", Name="live", FunctionVersion="1")

    def test_put_update_get_delete(self):
        r = self.lam.put_function_event_invoke_config(FunctionName="ver-eic",
                                                      MaximumRetryAttempts=0)
        self.assertEqual(r["FunctionArn"], ARN + "ver-eic:$LATEST")
        self.assertEqual(r["MaximumRetryAttempts"], 0)
        self.assertNotIn("MaximumEventAgeInSeconds", r)
        self.assertEqual(r["DestinationConfig"], {"OnSuccess": {}, "OnFailure": {}})
        self.assertTrue(r["LastModified"])
        got = self.lam.get_function_event_invoke_config(FunctionName="ver-eic")
        self.assertEqual(got["MaximumRetryAttempts"], 0)
        up = self.lam.update_function_event_invoke_config(
            FunctionName="ver-eic", MaximumEventAgeInSeconds=120,
            DestinationConfig={"OnFailure": {"Destination":
                                             "arn:aws:sqs:us-east-1:000000000000:dlq"}})
        self.assertEqual((up["MaximumRetryAttempts"], up["MaximumEventAgeInSeconds"]), (0, 120))
        self.assertEqual(up["DestinationConfig"], {
            "OnSuccess": {},
            "OnFailure": {"Destination": "arn:aws:sqs:us-east-1:000000000000:dlq"}})
        # Put replaces the whole config.
        r = self.lam.put_function_event_invoke_config(FunctionName="ver-eic",
                                                      MaximumEventAgeInSeconds=60)
        self.assertNotIn("MaximumRetryAttempts", r)
        self.assertEqual(r["DestinationConfig"], {"OnSuccess": {}, "OnFailure": {}})
        r = self.lam.delete_function_event_invoke_config(FunctionName="ver-eic")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        msg = self.message("ResourceNotFoundException",
                           self.lam.get_function_event_invoke_config, FunctionName="ver-eic")
        self.assertEqual(msg, "The function " + ARN + "ver-eic:$LATEST doesn't have an "
                              "EventInvokeConfig")
        self.assertError("ResourceNotFoundException",
                         self.lam.delete_function_event_invoke_config, FunctionName="ver-eic")

    def test_qualifiers_and_list(self):
        self.lam.put_function_event_invoke_config(FunctionName="ver-eic", Qualifier="1",
                                                  MaximumRetryAttempts=1)
        self.lam.put_function_event_invoke_config(FunctionName="ver-eic:live",
                                                  MaximumRetryAttempts=2)
        self.lam.put_function_event_invoke_config(FunctionName="ver-eic",
                                                  MaximumRetryAttempts=0)
        got = self.lam.get_function_event_invoke_config(FunctionName="ver-eic",
                                                        Qualifier="live")
        self.assertEqual((got["FunctionArn"], got["MaximumRetryAttempts"]),
                         (ARN + "ver-eic:live", 2))
        whole = self.lam.list_function_event_invoke_configs(FunctionName="ver-eic")
        self.assertEqual(sorted(c["FunctionArn"] for c in whole["FunctionEventInvokeConfigs"]),
                         sorted(ARN + "ver-eic:" + q for q in ("$LATEST", "1", "live")))
        seen, marker = [], None
        while True:
            kw = {"MaxItems": 1}
            if marker:
                kw["Marker"] = marker
            page = self.lam.list_function_event_invoke_configs(FunctionName="ver-eic", **kw)
            self.assertLessEqual(len(page["FunctionEventInvokeConfigs"]), 1)
            seen += [c["FunctionArn"] for c in page["FunctionEventInvokeConfigs"]]
            marker = page.get("NextMarker")
            if not marker:
                break
        self.assertEqual(sorted(seen), sorted(c["FunctionArn"]
                                              for c in whole["FunctionEventInvokeConfigs"]))
        self.assertError("ValidationException", self.raw.list_function_event_invoke_configs,
                         FunctionName="ver-eic", MaxItems=51)
        for q in ("$LATEST", "1", "live"):
            self.lam.delete_function_event_invoke_config(FunctionName="ver-eic", Qualifier=q)
        self.assertEqual(self.lam.list_function_event_invoke_configs(
            FunctionName="ver-eic")["FunctionEventInvokeConfigs"], [])

    def test_errors(self):
        msg = self.message("InvalidParameterValueException",
                           self.lam.put_function_event_invoke_config, FunctionName="ver-eic")
        self.assertEqual(msg, "You must specify at least one of error handling or destination "
                              "setting.")
        for kw in ({"MaximumRetryAttempts": 3}, {"MaximumRetryAttempts": -1},
                   {"MaximumEventAgeInSeconds": 59}, {"MaximumEventAgeInSeconds": 21601}):
            self.assertError("ValidationException", self.raw.put_function_event_invoke_config,
                             FunctionName="ver-eic", **kw)
        for name, q in (("ver-none", None), ("ver-eic", "9"), ("ver-eic", "ghost")):
            kw = {"Qualifier": q} if q else {}
            msg = self.message("ResourceNotFoundException",
                               self.lam.put_function_event_invoke_config, FunctionName=name,
                               MaximumRetryAttempts=1, **kw)
            self.assertEqual(msg, "The function doesn't exist.")
        msg = self.message("ResourceNotFoundException",
                           self.lam.update_function_event_invoke_config,
                           FunctionName="ver-eic", Qualifier="1", MaximumRetryAttempts=1)
        self.assertEqual(msg, "The function " + ARN + "ver-eic:1 doesn't have an "
                              "EventInvokeConfig")
        self.assertError("ResourceNotFoundException", self.lam.list_function_event_invoke_configs,
                         FunctionName="ver-none")
        msg = self.message("InvalidParameterValueException",
                           self.lam.put_function_event_invoke_config, FunctionName="ver-eic",
                           DestinationConfig={"OnSuccess": {"Destination": ARN + "ver-eic"}})
        self.assertEqual(msg, "You can't specify the function as a destination for itself.")
        msg = self.message("InvalidParameterValueException",
                           self.lam.put_function_event_invoke_config, FunctionName="ver-eic",
                           DestinationConfig={"OnFailure": {"Destination":
                                                            "arn:aws:s3:::bucket"}})
        self.assertEqual(msg, "The provided destination config DestinationConfig(onSuccess=null, "
                              "onFailure=OnFailure(destination=arn:aws:s3:::bucket)) is invalid.")

    def test_deleting_takes_configs(self):
        self.marked_function("ver-eic2")
        self.lam.publish_version(FunctionName="ver-eic2")
        self.lam.put_function_event_invoke_config(FunctionName="ver-eic2", Qualifier="1",
                                                  MaximumRetryAttempts=1)
        self.lam.create_alias(FunctionName="ver-eic2", Name="a", FunctionVersion="1")
        self.lam.put_function_event_invoke_config(FunctionName="ver-eic2", Qualifier="a",
                                                  MaximumRetryAttempts=1)
        self.lam.delete_alias(FunctionName="ver-eic2", Name="a")
        self.lam.delete_function(FunctionName="ver-eic2", Qualifier="1")
        self.assertEqual(self.lam.list_function_event_invoke_configs(
            FunctionName="ver-eic2")["FunctionEventInvokeConfigs"], [])
        self.lam.put_function_event_invoke_config(FunctionName="ver-eic2",
                                                  MaximumRetryAttempts=1)
        self.lam.delete_function(FunctionName="ver-eic2")
        self.marked_function("ver-eic2")
        self.assertError("ResourceNotFoundException",
                         self.lam.get_function_event_invoke_config, FunctionName="ver-eic2")


if __name__ == "__main__":
    unittest.main()
