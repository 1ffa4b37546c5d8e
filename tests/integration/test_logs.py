"""CloudWatch Logs over JSON 1.1: log groups (create, describe with
prefixes, patterns, classes and paging, delete), streams (ordering,
paging, identifiers), PutLogEvents (AWS's batch rules and rejected
events), GetLogEvents (forward and backward tokens that come back at the
ends), FilterLogEvents (patterns, stream filters, interleaving, paging),
retention (policies, hidden and swept events), tags by name and by ARN,
persistence and the migration of an older store, and bad input, which
gets AWS's error and never a 5xx."""

import http.client
import socket
import json
import os
import shutil
import sqlite3
import tempfile
import time
import unittest
import itertools

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import tinystack_env as env
from test_daemon import Daemon

ACCOUNT = "000000000000"
TARGET = "Logs_20140328."
DAY = 86400 * 1000
RETENTION_SET = ("[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, "
                 "1827, 2192, 2557, 2922, 3288, 3653]")
_names = itertools.count(1)


def unique(prefix="g"):
    return "%s-%d-%d" % (prefix, os.getpid() % 100000, next(_names))


def now_ms():
    return int(time.time() * 1000)


def logs_client(validate=True, region=env.REGION):
    return boto3.session.Session().client(
        "logs", region_name=region, endpoint_url=env.ENDPOINT,
        aws_access_key_id=env.ACCESS_KEY, aws_secret_access_key=env.SECRET_KEY,
        config=Config(retries={"max_attempts": 0}, parameter_validation=validate,
                      read_timeout=60))


def group_arn(name, region=env.REGION):
    return "arn:aws:logs:%s:%s:log-group:%s" % (region, ACCOUNT, name)


def raw_logs(operation, body, content_type="application/x-amz-json-1.1"):
    """POSTs body (bytes, or a JSON-able object) with X-Amz-Target
    Logs_20140328.<operation>; returns (status, parsed JSON or None, raw)."""
    if not isinstance(body, bytes):
        body = json.dumps(body).encode("utf-8")
    conn = http.client.HTTPConnection(env.HOST, env.PORT, timeout=30)
    try:
        conn.request("POST", "/", body=body, headers={
            "Content-Type": content_type, "X-Amz-Target": TARGET + operation})
        r = conn.getresponse()
        data = r.read()
    finally:
        conn.close()
    try:
        parsed = json.loads(data.decode("utf-8")) if data else None
    except ValueError:
        parsed = None
    return r.status, parsed, data


class LogsTestCase(unittest.TestCase):
    """Resets the server once per class; self.logs validates its input as
    boto3 does, self.raw sends what it is given."""

    @classmethod
    def setUpClass(cls):
        env.reset()
        cls.logs = logs_client()
        cls.raw = logs_client(validate=False)

    def assertLogsError(self, code, fn, *a, message=None, contains=None, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(*a, **kw)
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], code, err)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400, err)
        if message is not None:
            self.assertEqual(err["Error"]["Message"], message)
        if contains is not None:
            self.assertIn(contains, err["Error"]["Message"])
        return err["Error"]["Message"]

    def group(self, prefix="g", **kw):
        name = "/test/" + unique(prefix)
        self.logs.create_log_group(logGroupName=name, **kw)
        return name

    def stream(self, group, name=None):
        name = name or unique("s")
        self.logs.create_log_stream(logGroupName=group, logStreamName=name)
        return name

    def put(self, group, stream, messages, start=None, step=1):
        """Puts messages (a list of str) with timestamps start, start+step...;
        returns the timestamps."""
        start = now_ms() - 60000 if start is None else start
        stamps = [start + i * step for i in range(len(messages))]
        self.logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[
            {"timestamp": t, "message": m} for t, m in zip(stamps, messages)])
        return stamps


class TestLogGroups(LogsTestCase):

    def test_create_describe_delete(self):
        before = now_ms()
        name = self.group()
        got = self.logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
        self.assertEqual(len(got), 1)
        g = got[0]
        self.assertEqual(g["logGroupName"], name)
        self.assertEqual(g["arn"], group_arn(name) + ":*")
        self.assertEqual(g["logGroupArn"], group_arn(name))
        self.assertGreaterEqual(g["creationTime"], before - 1000)
        self.assertLessEqual(g["creationTime"], now_ms() + 1000)
        self.assertEqual(g["metricFilterCount"], 0)
        self.assertEqual(g["storedBytes"], 0)
        self.assertEqual(g["logGroupClass"], "STANDARD")
        self.assertNotIn("retentionInDays", g)
        self.assertNotIn("kmsKeyId", g)
        self.logs.delete_log_group(logGroupName=name)
        self.assertEqual(self.logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"], [])

    def test_duplicate_and_missing(self):
        name = self.group()
        self.assertLogsError("ResourceAlreadyExistsException", self.logs.create_log_group,
                             logGroupName=name, message="The specified log group already exists")
        self.logs.delete_log_group(logGroupName=name)
        self.assertLogsError("ResourceNotFoundException", self.logs.delete_log_group,
                             logGroupName=name, message="The specified log group does not exist.")
        # gone with its streams: a new group of the name starts empty
        self.logs.create_log_group(logGroupName=name)
        self.assertEqual(self.logs.describe_log_streams(logGroupName=name)["logStreams"], [])

    def test_delete_takes_streams_and_events(self):
        name = self.group()
        s = self.stream(name)
        self.put(name, s, ["one", "two"])
        self.logs.delete_log_group(logGroupName=name)
        self.logs.create_log_group(logGroupName=name)
        self.assertLogsError("ResourceNotFoundException", self.logs.get_log_events,
                             logGroupName=name, logStreamName=s,
                             message="The specified log stream does not exist.")
        self.assertEqual(self.logs.filter_log_events(logGroupName=name)["events"], [])

    def test_kms_class_and_protection_kept(self):
        name = self.group(kmsKeyId="arn:aws:kms:us-east-1:000000000000:key/k1",
                          logGroupClass="INFREQUENT_ACCESS", deletionProtectionEnabled=True)
        g = self.logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]
        self.assertEqual(g["kmsKeyId"], "arn:aws:kms:us-east-1:000000000000:key/k1")
        self.assertEqual(g["logGroupClass"], "INFREQUENT_ACCESS")
        self.assertTrue(g["deletionProtectionEnabled"])
        only = self.logs.describe_log_groups(logGroupNamePrefix="/test/",
                                             logGroupClass="INFREQUENT_ACCESS")["logGroups"]
        self.assertEqual([x["logGroupName"] for x in only], [name])

    def test_prefix_pattern_and_paging(self):
        base = "/pg/" + unique("p")
        names = sorted("%s/%s" % (base, n) for n in
                       ("a", "b", "c", "Data-x", "dataLogs", "e", "f.g", "h_i"))
        for n in reversed(names):
            self.logs.create_log_group(logGroupName=n)
        page = self.logs.describe_log_groups(logGroupNamePrefix=base, limit=3)
        self.assertEqual([g["logGroupName"] for g in page["logGroups"]], names[:3])
        self.assertIn("nextToken", page)
        seen = []
        for p in self.logs.get_paginator("describe_log_groups").paginate(
                logGroupNamePrefix=base, PaginationConfig={"PageSize": 3}):
            seen += [g["logGroupName"] for g in p["logGroups"]]
        self.assertEqual(seen, names)
        last = self.logs.describe_log_groups(logGroupNamePrefix=base, limit=8)
        self.assertEqual(len(last["logGroups"]), 8)
        self.assertNotIn("nextToken", last)
        # a case-sensitive substring, showing fewer fields
        pat = self.logs.describe_log_groups(logGroupNamePattern="Data")["logGroups"]
        self.assertEqual([g["logGroupName"] for g in pat], [base + "/Data-x"])
        self.assertNotIn("storedBytes", pat[0])
        self.assertEqual(pat[0]["arn"], group_arn(base + "/Data-x") + ":*")
        self.assertLogsError("InvalidParameterException", self.logs.describe_log_groups,
                             logGroupNamePrefix=base, logGroupNamePattern="x",
                             message="LogGroup name prefix and LogGroup name pattern are "
                                     "mutually exclusive parameters.")
        self.assertLogsError("InvalidParameterException", self.logs.describe_log_groups,
                             nextToken="not a token at all!",
                             message="The specified nextToken is invalid.")

    def test_identifiers(self):
        a, b, _ = self.group(), self.group(), self.group()
        got = self.logs.describe_log_groups(logGroupIdentifiers=[a, group_arn(b)])
        self.assertEqual(sorted(g["logGroupName"] for g in got["logGroups"]), sorted([a, b]))

    def test_limit_bounds(self):
        for bad, rule in ((0, "greater than or equal to 1"), (51, "less than or equal to 50")):
            self.assertLogsError("InvalidParameterException", self.raw.describe_log_groups,
                                 limit=bad,
                                 message="1 validation error detected: Value '%d' at 'limit' "
                                         "failed to satisfy constraint: Member must have value "
                                         "%s" % (bad, rule))

    def test_regions_are_separate(self):
        west = logs_client(region="us-west-2")
        name = "/regions/" + unique("r")
        west.create_log_group(logGroupName=name)
        self.assertEqual(self.logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"], [])
        got = west.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
        self.assertEqual(got[0]["arn"], group_arn(name, "us-west-2") + ":*")
        self.logs.create_log_group(logGroupName=name)  # the same name, another region
        west.delete_log_group(logGroupName=name)
        self.assertEqual(len(self.logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]), 1)

    def test_bad_names(self):
        self.assertLogsError(
            "InvalidParameterException", self.raw.create_log_group, logGroupName="a b",
            message="1 validation error detected: Value 'a b' at 'logGroupName' failed to "
                    "satisfy constraint: Member must satisfy regular expression pattern: "
                    "[\\.\\-_/#A-Za-z0-9]+")
        self.assertLogsError("InvalidParameterException", self.raw.create_log_group,
                             logGroupName="x" * 513, contains="less than or equal to 512")
        self.assertLogsError("InvalidParameterException", self.raw.create_log_group,
                             message="1 validation error detected: Value null at "
                                     "'logGroupName' failed to satisfy constraint: Member "
                                     "must not be null")
        self.assertLogsError("InvalidParameterException", self.raw.create_log_group,
                             logGroupName="ok", logGroupClass="CHEAP", contains="enum value set")


class TestLogStreams(LogsTestCase):

    def test_create_describe_delete(self):
        g = self.group()
        s = self.stream(g, "2024/01/01/[$LATEST]0123abcd")
        st = self.logs.describe_log_streams(logGroupName=g)["logStreams"]
        self.assertEqual(len(st), 1)
        self.assertEqual(st[0]["logStreamName"], s)
        self.assertEqual(st[0]["arn"], "%s:log-stream:%s" % (group_arn(g), s))
        self.assertEqual(st[0]["storedBytes"], 0)
        for absent in ("firstEventTimestamp", "lastEventTimestamp", "lastIngestionTime",
                       "uploadSequenceToken"):
            self.assertNotIn(absent, st[0])
        stamps = self.put(g, s, ["first", "second", "third"])
        st = self.logs.describe_log_streams(logGroupName=g)["logStreams"][0]
        self.assertEqual(st["firstEventTimestamp"], stamps[0])
        self.assertEqual(st["lastEventTimestamp"], stamps[-1])
        self.assertLessEqual(abs(st["lastIngestionTime"] - now_ms()), 5000)
        self.assertRegex(st["uploadSequenceToken"], r"^\d+$")
        self.assertEqual(st["storedBytes"], len("firstsecondthird"))
        grp = self.logs.describe_log_groups(logGroupNamePrefix=g)["logGroups"][0]
        self.assertEqual(grp["storedBytes"], len("firstsecondthird"))
        self.logs.delete_log_stream(logGroupName=g, logStreamName=s)
        self.assertEqual(self.logs.describe_log_streams(logGroupName=g)["logStreams"], [])
        grp = self.logs.describe_log_groups(logGroupNamePrefix=g)["logGroups"][0]
        self.assertEqual(grp["storedBytes"], 0)
        self.assertLogsError("ResourceNotFoundException", self.logs.delete_log_stream,
                             logGroupName=g, logStreamName=s,
                             message="The specified log stream does not exist.")

    def test_errors(self):
        g = self.group()
        s = self.stream(g)
        self.assertLogsError("ResourceAlreadyExistsException", self.logs.create_log_stream,
                             logGroupName=g, logStreamName=s,
                             message="The specified log stream already exists")
        self.assertLogsError("ResourceNotFoundException", self.logs.create_log_stream,
                             logGroupName=g + "-none", logStreamName=s,
                             message="The specified log group does not exist.")
        self.assertLogsError("ResourceNotFoundException", self.logs.describe_log_streams,
                             logGroupName=g + "-none",
                             message="The specified log group does not exist.")
        self.assertLogsError("InvalidParameterException", self.raw.create_log_stream,
                             logGroupName=g, logStreamName="a:b",
                             contains="Member must satisfy regular expression pattern: [^:*]*")

    def test_order_and_paging(self):
        g = self.group()
        t = now_ms() - 600000
        # names and last-event times in different orders
        plan = [("c", 3), ("a", 5), ("d", 1), ("b", 4), ("e", 2)]
        for name, k in plan:
            self.stream(g, name)
            self.put(g, name, ["m"], start=t + k * 1000)
        by_name = [s["logStreamName"] for s in
                   self.logs.describe_log_streams(logGroupName=g)["logStreams"]]
        self.assertEqual(by_name, ["a", "b", "c", "d", "e"])
        down = [s["logStreamName"] for s in self.logs.describe_log_streams(
            logGroupName=g, descending=True)["logStreams"]]
        self.assertEqual(down, ["e", "d", "c", "b", "a"])
        by_time = [s["logStreamName"] for s in self.logs.describe_log_streams(
            logGroupName=g, orderBy="LastEventTime")["logStreams"]]
        self.assertEqual(by_time, ["d", "e", "c", "b", "a"])
        for desc in (False, True):
            for order in ("LogStreamName", "LastEventTime"):
                seen = []
                for p in self.logs.get_paginator("describe_log_streams").paginate(
                        logGroupName=g, orderBy=order, descending=desc,
                        PaginationConfig={"PageSize": 2}):
                    self.assertLessEqual(len(p["logStreams"]), 2)
                    seen += [s["logStreamName"] for s in p["logStreams"]]
                want = by_name if order == "LogStreamName" else by_time
                self.assertEqual(seen, list(reversed(want)) if desc else want, (order, desc))
        self.assertEqual([s["logStreamName"] for s in self.logs.describe_log_streams(
            logGroupName=g, logStreamNamePrefix="b")["logStreams"]], ["b"])
        self.assertLogsError("InvalidParameterException", self.logs.describe_log_streams,
                             logGroupName=g, orderBy="LastEventTime", logStreamNamePrefix="a",
                             message="Cannot order by LastEventTime with a logStreamNamePrefix.")
        self.assertLogsError("InvalidParameterException", self.logs.describe_log_streams,
                             logGroupName=g, nextToken="garbage",
                             message="The specified nextToken is invalid.")

    def test_group_identifier(self):
        g = self.group()
        s = self.stream(g)
        for ident in (g, group_arn(g)):
            got = self.logs.describe_log_streams(logGroupIdentifier=ident)["logStreams"]
            self.assertEqual([x["logStreamName"] for x in got], [s], ident)
        # an identifier is the ARN without DescribeLogGroups' ":*", as the
        # model's pattern holds it
        self.assertLogsError("InvalidParameterException", self.raw.describe_log_streams,
                             logGroupIdentifier=group_arn(g) + ":*",
                             contains="at 'logGroupIdentifier' failed to satisfy constraint")
        self.assertLogsError("ValidationException", self.logs.describe_log_streams,
                             logGroupName=g, logGroupIdentifier=g,
                             message="LogGroup name and LogGroup ARN are mutually exclusive "
                                     "parameters.")
        self.assertLogsError("InvalidParameterException", self.logs.describe_log_streams)
        self.assertLogsError("ResourceNotFoundException", self.logs.describe_log_streams,
                             logGroupIdentifier=group_arn(g, "eu-west-1"))
        self.assertLogsError("InvalidParameterException", self.logs.describe_log_streams,
                             logGroupIdentifier="arn:aws:s3:::bucket")


class TestPutLogEvents(LogsTestCase):

    def test_sequence_tokens(self):
        g = self.group()
        s = self.stream(g)
        t = now_ms()
        r1 = self.logs.put_log_events(logGroupName=g, logStreamName=s,
                                      logEvents=[{"timestamp": t, "message": "a"}])
        self.assertRegex(r1["nextSequenceToken"], r"^\d{56}$")
        self.assertNotIn("rejectedLogEventsInfo", r1)
        # any sequence token, even a stale or made-up one, is accepted
        r2 = self.logs.put_log_events(logGroupName=g, logStreamName=s, sequenceToken="42",
                                      logEvents=[{"timestamp": t, "message": "b"}])
        self.assertGreater(int(r2["nextSequenceToken"]), int(r1["nextSequenceToken"]))
        st = self.logs.describe_log_streams(logGroupName=g)["logStreams"][0]
        self.assertEqual(st["uploadSequenceToken"], r2["nextSequenceToken"])

    def test_chronological_order(self):
        g = self.group()
        s = self.stream(g)
        t = now_ms()
        self.assertLogsError(
            "InvalidParameterException", self.logs.put_log_events, logGroupName=g,
            logStreamName=s, logEvents=[{"timestamp": t, "message": "late"},
                                        {"timestamp": t - 1, "message": "early"}],
            message="Log events in a single PutLogEvents request must be in chronological "
                    "order.")
        self.assertEqual(self.logs.get_log_events(logGroupName=g, logStreamName=s)["events"], [])
        # equal timestamps are in order, and keep the order they came in
        self.logs.put_log_events(logGroupName=g, logStreamName=s, logEvents=[
            {"timestamp": t, "message": m} for m in ("x", "y", "z")])
        got = self.logs.get_log_events(logGroupName=g, logStreamName=s)["events"]
        self.assertEqual([e["message"] for e in got], ["x", "y", "z"])
        # and a later batch may go back in time
        self.logs.put_log_events(logGroupName=g, logStreamName=s,
                                 logEvents=[{"timestamp": t - 5000, "message": "w"}])
        got = self.logs.get_log_events(logGroupName=g, logStreamName=s)["events"]
        self.assertEqual([e["message"] for e in got], ["w", "x", "y", "z"])

    def test_batch_limits(self):
        g = self.group()
        s = self.stream(g)
        t = now_ms()
        # 1,048,576 bytes counting 26 per event: exactly at the limit passes
        self.logs.put_log_events(logGroupName=g, logStreamName=s, logEvents=[
            {"timestamp": t, "message": "x" * (1048576 - 26)}])
        self.assertLogsError("InvalidParameterException", self.logs.put_log_events,
                             logGroupName=g, logStreamName=s, logEvents=[
                                 {"timestamp": t, "message": "x" * (1048576 - 25)}],
                             message="Upload too large: 1048577 bytes exceeds limit of 1048576")
        many = [{"timestamp": t, "message": "m"} for _ in range(40000)]
        self.assertLogsError("InvalidParameterException", self.logs.put_log_events,
                             logGroupName=g, logStreamName=s, logEvents=many[:26]
                             + [{"timestamp": t, "message": "y" * 1048000}],
                             contains="Upload too large")
        self.assertLogsError("InvalidParameterException", self.raw.put_log_events,
                             logGroupName=g, logStreamName=s, logEvents=many[:10001],
                             contains="Member must have length less than or equal to 10000")
        r = self.logs.put_log_events(logGroupName=g, logStreamName=s, logEvents=many[:10000])
        self.assertNotIn("rejectedLogEventsInfo", r)
        self.assertLogsError("InvalidParameterException", self.raw.put_log_events,
                             logGroupName=g, logStreamName=s, logEvents=[],
                             contains="Member must have length greater than or equal to 1")
        self.assertLogsError("InvalidParameterException", self.raw.put_log_events,
                             logGroupName=g, logStreamName=s,
                             logEvents=[{"timestamp": t, "message": ""}],
                             contains="Member must have length greater than or equal to 1")

    def test_rejected_events(self):
        g = self.group()
        s = self.stream(g)
        t = now_ms()
        r = self.logs.put_log_events(logGroupName=g, logStreamName=s, logEvents=[
            {"timestamp": t - 15 * DAY, "message": "too old 0"},
            {"timestamp": t - 15 * DAY + 1, "message": "too old 1"},
            {"timestamp": t - 1000, "message": "kept 2"},
            {"timestamp": t, "message": "kept 3"},
            {"timestamp": t + 3 * 3600 * 1000, "message": "too new 4"},
        ])
        self.assertEqual(r["rejectedLogEventsInfo"],
                         {"tooOldLogEventEndIndex": 2, "tooNewLogEventStartIndex": 4})
        got = self.logs.get_log_events(logGroupName=g, logStreamName=s)["events"]
        self.assertEqual([e["message"] for e in got], ["kept 2", "kept 3"])
        # every event rejected still answers
        r = self.logs.put_log_events(logGroupName=g, logStreamName=s, logEvents=[
            {"timestamp": t + 5 * 3600 * 1000, "message": "future"}])
        self.assertEqual(r["rejectedLogEventsInfo"], {"tooNewLogEventStartIndex": 0})

    def test_expired_by_retention(self):
        g = self.group()
        s = self.stream(g)
        self.logs.put_retention_policy(logGroupName=g, retentionInDays=1)
        t = now_ms()
        r = self.logs.put_log_events(logGroupName=g, logStreamName=s, logEvents=[
            {"timestamp": t - 2 * DAY, "message": "expired"},
            {"timestamp": t, "message": "kept"}])
        self.assertEqual(r["rejectedLogEventsInfo"], {"expiredLogEventEndIndex": 1})
        got = self.logs.get_log_events(logGroupName=g, logStreamName=s)["events"]
        self.assertEqual([e["message"] for e in got], ["kept"])

    def test_span_of_a_day(self):
        g = self.group()
        s = self.stream(g)
        t = now_ms()
        self.assertLogsError(
            "InvalidParameterException", self.logs.put_log_events, logGroupName=g,
            logStreamName=s, logEvents=[{"timestamp": t - 2 * DAY, "message": "a"},
                                        {"timestamp": t, "message": "b"}],
            message="The batch of log events in a single PutLogEvents request cannot span "
                    "more than 24 hours.")
        # a rejected event does not count towards the span
        r = self.logs.put_log_events(logGroupName=g, logStreamName=s, logEvents=[
            {"timestamp": t - 20 * DAY, "message": "a"}, {"timestamp": t, "message": "b"}])
        self.assertEqual(r["rejectedLogEventsInfo"], {"tooOldLogEventEndIndex": 1})

    def test_missing_group_or_stream(self):
        g = self.group()
        ev = [{"timestamp": now_ms(), "message": "x"}]
        self.assertLogsError("ResourceNotFoundException", self.logs.put_log_events,
                             logGroupName=g + "-none", logStreamName="s", logEvents=ev,
                             message="The specified log group does not exist.")
        self.assertLogsError("ResourceNotFoundException", self.logs.put_log_events,
                             logGroupName=g, logStreamName="none", logEvents=ev,
                             message="The specified log stream does not exist.")

    def test_messages_round_trip(self):
        g = self.group()
        s = self.stream(g)
        msgs = ["plain", "line one\nline two\n", "caf\u00e9 \U0001F600", "nul\u0000inside",
                "quote \" backslash \\ tab \t", "<xml & stuff>", "\u2028sep"]
        self.put(g, s, msgs)
        got = self.logs.get_log_events(logGroupName=g, logStreamName=s, startFromHead=True)
        self.assertEqual([e["message"] for e in got["events"]], msgs)
        f = self.logs.filter_log_events(logGroupName=g, filterPattern="inside")["events"]
        self.assertEqual([e["message"] for e in f], ["nul\u0000inside"])


class TestGetLogEvents(LogsTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.g = "/get/" + unique("g")
        cls.s = "s"
        cls.logs.create_log_group(logGroupName=cls.g)
        cls.logs.create_log_stream(logGroupName=cls.g, logStreamName=cls.s)
        cls.t0 = now_ms() - 3600 * 1000
        cls.stamps = [cls.t0 + i * 1000 for i in range(25)]
        cls.logs.put_log_events(logGroupName=cls.g, logStreamName=cls.s, logEvents=[
            {"timestamp": t, "message": "event %02d" % i} for i, t in enumerate(cls.stamps)])

    def get(self, **kw):
        return self.logs.get_log_events(logGroupName=self.g, logStreamName=self.s, **kw)

    @staticmethod
    def msgs(resp):
        return [e["message"] for e in resp["events"]]

    def test_whole_stream_and_fields(self):
        r = self.get()
        self.assertEqual(self.msgs(r), ["event %02d" % i for i in range(25)])
        e = r["events"][0]
        self.assertEqual(e["timestamp"], self.stamps[0])
        self.assertIn("ingestionTime", e)
        self.assertEqual(set(e), {"timestamp", "message", "ingestionTime"})
        self.assertRegex(r["nextForwardToken"], r"^f/\d{56}/s$")
        self.assertRegex(r["nextBackwardToken"], r"^b/\d{56}/s$")

    def test_head_and_tail(self):
        self.assertEqual(self.msgs(self.get(limit=10)), ["event %02d" % i for i in range(15, 25)])
        self.assertEqual(self.msgs(self.get(limit=10, startFromHead=True)),
                         ["event %02d" % i for i in range(10)])

    def test_forward_paging_ends_on_the_same_token(self):
        r = self.get(limit=7, startFromHead=True)
        seen = self.msgs(r)
        token = r["nextForwardToken"]
        for _ in range(10):
            r = self.get(limit=7, startFromHead=True, nextToken=token)
            if r["nextForwardToken"] == token:
                self.assertEqual(r["events"], [])
                break
            seen += self.msgs(r)
            token = r["nextForwardToken"]
        else:
            self.fail("the forward token never came back")
        self.assertEqual(seen, ["event %02d" % i for i in range(25)])
        # the end token finds what comes later
        self.logs.put_log_events(logGroupName=self.g, logStreamName=self.s,
                                 logEvents=[{"timestamp": now_ms(), "message": "later"}])
        try:
            r = self.get(startFromHead=True, nextToken=token)
            self.assertEqual(self.msgs(r), ["later"])
        finally:
            # keep the class's stream as it was for the other tests
            self.logs.delete_log_stream(logGroupName=self.g, logStreamName=self.s)
            self.logs.create_log_stream(logGroupName=self.g, logStreamName=self.s)
            self.logs.put_log_events(logGroupName=self.g, logStreamName=self.s, logEvents=[
                {"timestamp": t, "message": "event %02d" % i}
                for i, t in enumerate(self.stamps)])

    def test_backward_paging(self):
        r = self.get(limit=10)
        seen = self.msgs(r)
        token = r["nextBackwardToken"]
        for _ in range(10):
            r = self.get(limit=10, nextToken=token)
            if r["nextBackwardToken"] == token:
                self.assertEqual(r["events"], [])
                break
            seen = self.msgs(r) + seen
            token = r["nextBackwardToken"]
        else:
            self.fail("the backward token never came back")
        self.assertEqual(seen, ["event %02d" % i for i in range(25)])
        # and forward again from where the backward page began
        r = self.get(limit=3, nextToken=self.get(limit=3, startFromHead=True)["nextBackwardToken"])
        self.assertEqual(r["events"], [])

    def test_time_range(self):
        r = self.get(startTime=self.stamps[5], endTime=self.stamps[9])
        self.assertEqual(self.msgs(r), ["event 05", "event 06", "event 07", "event 08"])
        r = self.get(startTime=self.stamps[24] + 1)
        self.assertEqual(r["events"], [])

    def test_identifier_and_errors(self):
        r = self.logs.get_log_events(logGroupIdentifier=group_arn(self.g), logStreamName=self.s,
                                     limit=1)
        self.assertEqual(self.msgs(r), ["event 24"])
        self.assertLogsError("InvalidParameterException", self.get,
                             nextToken="f/123", message="The specified nextToken is invalid.")
        self.assertLogsError("InvalidParameterException", self.get,
                             nextToken="n/" + "0" * 56 + "/s",
                             message="The specified nextToken is invalid.")
        self.assertLogsError("ResourceNotFoundException", self.logs.get_log_events,
                             logGroupName=self.g, logStreamName="nope",
                             message="The specified log stream does not exist.")
        self.assertLogsError("ResourceNotFoundException", self.logs.get_log_events,
                             logGroupName=self.g + "-no", logStreamName="nope",
                             message="The specified log group does not exist.")
        self.assertLogsError("InvalidParameterException", self.raw.get_log_events,
                             logGroupName=self.g, logStreamName=self.s, limit=10001,
                             message="1 validation error detected: Value '10001' at 'limit' "
                                     "failed to satisfy constraint: Member must have value "
                                     "less than or equal to 10000")
        self.assertLogsError("InvalidParameterException", self.raw.get_log_events,
                             logGroupName=self.g, logStreamName=self.s, startTime=-1,
                             contains="'startTime'")

    def test_empty_stream(self):
        s = self.stream(self.g)
        r = self.logs.get_log_events(logGroupName=self.g, logStreamName=s, startFromHead=True)
        self.assertEqual(r["events"], [])
        again = self.logs.get_log_events(logGroupName=self.g, logStreamName=s,
                                         startFromHead=True, nextToken=r["nextForwardToken"])
        self.assertEqual(again["nextForwardToken"], r["nextForwardToken"])
        self.put(self.g, s, ["arrived"])
        later = self.logs.get_log_events(logGroupName=self.g, logStreamName=s,
                                         startFromHead=True, nextToken=r["nextForwardToken"])
        self.assertEqual(self.msgs(later), ["arrived"])

    def test_page_is_at_most_a_megabyte(self):
        s = self.stream(self.g)
        t = now_ms() - 10000
        for i in range(3):
            self.logs.put_log_events(logGroupName=self.g, logStreamName=s, logEvents=[
                {"timestamp": t + i, "message": str(i) * 500000}])
        r = self.logs.get_log_events(logGroupName=self.g, logStreamName=s, startFromHead=True)
        self.assertEqual([e["message"][0] for e in r["events"]], ["0", "1"])
        r = self.logs.get_log_events(logGroupName=self.g, logStreamName=s, startFromHead=True,
                                     nextToken=r["nextForwardToken"])
        self.assertEqual([e["message"][0] for e in r["events"]], ["2"])
        r = self.logs.get_log_events(logGroupName=self.g, logStreamName=s)
        self.assertEqual([e["message"][0] for e in r["events"]], ["1", "2"])


class TestFilterLogEvents(LogsTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.g = "/filter/" + unique("g")
        cls.logs.create_log_group(logGroupName=cls.g)
        cls.t0 = now_ms() - 3600 * 1000
        plan = {
            "app/1": [(0, "START RequestId: a"), (2, "[ERROR] disk full"), (4, "END")],
            "app/2": [(1, "START RequestId: b"), (3, "[WARN] low memory"), (5, "END")],
            "other": [(6, "ERROR elsewhere"), (7, "DEBUG retrying")],
        }
        for s, evs in plan.items():
            cls.logs.create_log_stream(logGroupName=cls.g, logStreamName=s)
            cls.logs.put_log_events(logGroupName=cls.g, logStreamName=s, logEvents=[
                {"timestamp": cls.t0 + k * 1000, "message": m} for k, m in evs])

    def filter(self, **kw):
        return self.logs.filter_log_events(logGroupName=self.g, **kw)

    @staticmethod
    def msgs(resp):
        return [e["message"] for e in resp["events"]]

    def test_interleaved_with_fields(self):
        r = self.filter()
        self.assertEqual(self.msgs(r), [
            "START RequestId: a", "START RequestId: b", "[ERROR] disk full",
            "[WARN] low memory", "END", "END", "ERROR elsewhere", "DEBUG retrying"])
        e = r["events"][2]
        self.assertEqual(e["logStreamName"], "app/1")
        self.assertEqual(e["timestamp"], self.t0 + 2000)
        self.assertIn("ingestionTime", e)
        self.assertRegex(e["eventId"], r"^\d{56}$")
        self.assertEqual(len({x["eventId"] for x in r["events"]}), 8)
        self.assertNotIn("nextToken", r)
        self.assertEqual(sorted(x["logStreamName"] for x in r["searchedLogStreams"]),
                         ["app/1", "app/2", "other"])
        # the same events get the same ids every time (tail --follow relies on it)
        self.assertEqual([x["eventId"] for x in self.filter()["events"]],
                         [x["eventId"] for x in r["events"]])

    def test_patterns(self):
        cases = [
            ("ERROR", ["[ERROR] disk full", "ERROR elsewhere"]),
            ("ERROR disk", ["[ERROR] disk full"]),
            ('"disk full"', ["[ERROR] disk full"]),
            ('"full disk"', []),
            ("error", []),
            ("?WARN ?DEBUG", ["[WARN] low memory", "DEBUG retrying"]),
            ("START -b", ["START RequestId: a"]),
            ("", None),
            ("   ", None),
        ]
        for pattern, want in cases:
            got = self.msgs(self.filter(filterPattern=pattern))
            self.assertEqual(got, want if want is not None else self.msgs(self.filter()), pattern)
        for bad in ('{ $.level = "ERROR" }', "[ip, user]", '"unclosed'):
            self.assertLogsError("InvalidParameterException", self.filter, filterPattern=bad)

    def test_streams_and_time(self):
        self.assertEqual(self.msgs(self.filter(logStreamNames=["app/2", "missing"])),
                         ["START RequestId: b", "[WARN] low memory", "END"])
        self.assertEqual(len(self.filter(logStreamNamePrefix="app/")["events"]), 6)
        self.assertEqual(self.filter(logStreamNamePrefix="zzz")["events"], [])
        self.assertLogsError("InvalidParameterException", self.filter,
                             logStreamNames=["app/1"], logStreamNamePrefix="app")
        r = self.filter(startTime=self.t0 + 2000, endTime=self.t0 + 4000)
        self.assertEqual(self.msgs(r), ["[ERROR] disk full", "[WARN] low memory", "END"])
        self.assertEqual(self.filter(startTime=self.t0 + 7001)["events"], [])

    def test_paging(self):
        r = self.filter(limit=3)
        self.assertEqual(len(r["events"]), 3)
        self.assertRegex(r["nextToken"], r"^\S+$")
        seen = []
        for p in self.logs.get_paginator("filter_log_events").paginate(
                logGroupName=self.g, PaginationConfig={"PageSize": 3}):
            self.assertLessEqual(len(p["events"]), 3)
            seen += [e["eventId"] for e in p["events"]]
        self.assertEqual(seen, [e["eventId"] for e in self.filter()["events"]])
        # paging through a pattern
        r1 = self.filter(filterPattern="END", limit=1)
        r2 = self.filter(filterPattern="END", limit=1, nextToken=r1["nextToken"])
        self.assertEqual(self.msgs(r1) + self.msgs(r2), ["END", "END"])
        self.assertNotEqual(r1["events"][0]["eventId"], r2["events"][0]["eventId"])
        for bad in ("junk", self.logs.get_log_events(
                logGroupName=self.g, logStreamName="other")["nextForwardToken"]):
            self.assertLogsError("InvalidParameterException", self.filter, nextToken=bad,
                                 message="The specified nextToken is invalid.")

    def test_identifier_and_missing(self):
        r = self.logs.filter_log_events(logGroupIdentifier=group_arn(self.g),
                                        filterPattern="elsewhere")
        self.assertEqual(self.msgs(r), ["ERROR elsewhere"])
        self.assertLogsError("ResourceNotFoundException", self.logs.filter_log_events,
                             logGroupName=self.g + "-none",
                             message="The specified log group does not exist.")
        self.assertLogsError("InvalidParameterException", self.raw.filter_log_events,
                             logGroupName=self.g, limit=10001,
                             message="1 validation error detected: Value '10001' at 'limit' "
                                     "failed to satisfy constraint: Member must have value "
                                     "less than or equal to 10000")

    def test_tail_follow_polling(self):
        # What `aws logs tail --follow` does: FilterLogEvents from a
        # startTime, then again from the newest timestamp it saw, skipping
        # the eventIds it has printed.
        g = self.group()
        s = self.stream(g)
        t = now_ms() - 5000
        self.put(g, s, ["one", "two"], start=t)
        seen, printed = set(), []
        kwargs = {"logGroupName": g, "interleaved": True, "startTime": t - 1000}
        for _ in range(2):
            r = self.logs.filter_log_events(**kwargs)
            for e in r["events"]:
                if e["eventId"] not in seen:
                    seen.add(e["eventId"])
                    printed.append(e["message"])
            if r["events"]:
                kwargs["startTime"] = max(e["timestamp"] for e in r["events"])
            self.put(g, s, ["three"], start=t + 5)
        self.assertEqual(printed, ["one", "two", "three"])


class TestRetention(LogsTestCase):

    def test_policy(self):
        g = self.group()
        self.logs.put_retention_policy(logGroupName=g, retentionInDays=7)
        d = self.logs.describe_log_groups(logGroupNamePrefix=g)["logGroups"][0]
        self.assertEqual(d["retentionInDays"], 7)
        self.logs.put_retention_policy(logGroupName=g, retentionInDays=3653)
        d = self.logs.describe_log_groups(logGroupNamePrefix=g)["logGroups"][0]
        self.assertEqual(d["retentionInDays"], 3653)
        self.logs.delete_retention_policy(logGroupName=g)
        d = self.logs.describe_log_groups(logGroupNamePrefix=g)["logGroups"][0]
        self.assertNotIn("retentionInDays", d)
        for bad in (0, 2, 4000, -1):
            self.assertLogsError(
                "InvalidParameterException", self.logs.put_retention_policy, logGroupName=g,
                retentionInDays=bad,
                message="1 validation error detected: Value '%d' at 'retentionInDays' failed "
                        "to satisfy constraint: Member must satisfy enum value set: %s"
                        % (bad, RETENTION_SET))
        for fn, kw in ((self.logs.put_retention_policy, {"retentionInDays": 1}),
                       (self.logs.delete_retention_policy, {})):
            self.assertLogsError("ResourceNotFoundException", fn, logGroupName=g + "-none",
                                 message="The specified log group does not exist.", **kw)

    def test_old_events_hidden_then_swept(self):
        g = self.group()
        s = self.stream(g)
        t = now_ms()
        self.logs.put_log_events(logGroupName=g, logStreamName=s, logEvents=[
            {"timestamp": t - 10 * DAY, "message": "old"}])
        self.logs.put_log_events(logGroupName=g, logStreamName=s, logEvents=[
            {"timestamp": t, "message": "new"}])
        got = self.logs.get_log_events(logGroupName=g, logStreamName=s)
        self.assertEqual([e["message"] for e in got["events"]], ["old", "new"])
        self.logs.put_retention_policy(logGroupName=g, retentionInDays=7)
        got = self.logs.get_log_events(logGroupName=g, logStreamName=s)
        self.assertEqual([e["message"] for e in got["events"]], ["new"])
        got = self.logs.filter_log_events(logGroupName=g)
        self.assertEqual([e["message"] for e in got["events"]], ["new"])
        # the sweep (every 10 s) deletes them and takes their bytes off
        deadline = time.monotonic() + 25
        while time.monotonic() < deadline:
            d = self.logs.describe_log_groups(logGroupNamePrefix=g)["logGroups"][0]
            if d["storedBytes"] == 3:
                break
            time.sleep(0.5)
        self.assertEqual(d["storedBytes"], 3)
        st = self.logs.describe_log_streams(logGroupName=g)["logStreams"][0]
        self.assertEqual(st["storedBytes"], 3)
        self.assertEqual(st["firstEventTimestamp"], t)
        # gone for good: lifting the policy brings nothing back
        self.logs.delete_retention_policy(logGroupName=g)
        got = self.logs.get_log_events(logGroupName=g, logStreamName=s)
        self.assertEqual([e["message"] for e in got["events"]], ["new"])


class TestTags(LogsTestCase):

    def test_by_group_name(self):
        g = self.group(tags={"env": "test", "team": "a"})
        self.assertEqual(self.logs.list_tags_log_group(logGroupName=g)["tags"],
                         {"env": "test", "team": "a"})
        self.logs.tag_log_group(logGroupName=g, tags={"team": "b", "x": "1"})
        self.assertEqual(self.logs.list_tags_log_group(logGroupName=g)["tags"],
                         {"env": "test", "team": "b", "x": "1"})
        self.logs.untag_log_group(logGroupName=g, tags=["env", "absent"])
        self.assertEqual(self.logs.list_tags_log_group(logGroupName=g)["tags"],
                         {"team": "b", "x": "1"})
        for fn, kw in ((self.logs.list_tags_log_group, {}),
                       (self.logs.tag_log_group, {"tags": {"a": "b"}}),
                       (self.logs.untag_log_group, {"tags": ["a"]})):
            self.assertLogsError("ResourceNotFoundException", fn, logGroupName=g + "-none",
                                 message="The specified log group does not exist.", **kw)

    def test_by_arn(self):
        g = self.group()
        self.assertEqual(self.logs.list_tags_for_resource(resourceArn=group_arn(g))["tags"], {})
        self.logs.tag_resource(resourceArn=group_arn(g), tags={"k1": "v1", "k2": "v2"})
        self.logs.tag_resource(resourceArn=group_arn(g), tags={"k3": "v3"})
        self.assertEqual(self.logs.list_tags_for_resource(resourceArn=group_arn(g))["tags"],
                         {"k1": "v1", "k2": "v2", "k3": "v3"})
        self.assertEqual(self.logs.list_tags_log_group(logGroupName=g)["tags"],
                         {"k1": "v1", "k2": "v2", "k3": "v3"})
        self.logs.untag_resource(resourceArn=group_arn(g), tagKeys=["k2"])
        self.assertEqual(self.logs.list_tags_for_resource(resourceArn=group_arn(g))["tags"],
                         {"k1": "v1", "k3": "v3"})
        self.assertLogsError("ResourceNotFoundException", self.logs.list_tags_for_resource,
                             resourceArn=group_arn(g + "-none"))
        self.assertLogsError("InvalidParameterException", self.logs.tag_resource,
                             resourceArn="arn:aws:s3:::bucket", tags={"a": "b"})

    def test_fifty_at_most(self):
        g = self.group()
        self.logs.tag_resource(resourceArn=group_arn(g),
                               tags={"k%02d" % i: "v" for i in range(50)})
        with self.assertRaises(ClientError) as cm:
            self.logs.tag_resource(resourceArn=group_arn(g), tags={"one-more": "v"})
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], "TooManyTagsException")
        self.assertEqual(err["resourceName"], group_arn(g))
        self.assertLogsError("InvalidParameterException", self.logs.tag_log_group,
                             logGroupName=g, tags={"one-more": "v"})
        self.assertEqual(len(self.logs.list_tags_log_group(logGroupName=g)["tags"]), 50)
        # replacing a value does not count as another tag
        self.logs.tag_log_group(logGroupName=g, tags={"k00": "new"})
        self.assertLogsError("InvalidParameterException", self.raw.create_log_group,
                             logGroupName=unique("t"), tags={"k%02d" % i: "v" for i in range(51)},
                             contains="'tags'")


class TestBadInput(LogsTestCase):

    def test_protocol_errors(self):
        st, body, _ = raw_logs("DescribeLogGroups", b"{not json")
        self.assertEqual(st, 400)
        self.assertEqual(body["__type"], "SerializationException")
        st, body, _ = raw_logs("DescribeLogGroups", b"[]")
        self.assertEqual((st, body["__type"]), (400, "SerializationException"))
        st, body, _ = raw_logs("NoSuchOperation", {})
        self.assertEqual((st, body["__type"]), (400, "UnknownOperationException"))
        st, body, _ = raw_logs("DescribeLogGroups", {"limit": "ten"})
        self.assertEqual((st, body["__type"]), (400, "SerializationException"))
        st, body, _ = raw_logs("DescribeLogGroups", b"")
        self.assertEqual(st, 200)
        self.assertIn("logGroups", body)
        # a null member counts as absent
        st, body, _ = raw_logs("DescribeLogGroups", {"logGroupNamePrefix": None, "limit": None})
        self.assertEqual(st, 200, body)

    def test_bad_members_never_5xx(self):
        g = self.group()
        s = self.stream(g)
        junk = [None, 0, -1, 2 ** 63, 1e300, "", "x" * 2000, [], {}, [None], [{}],
                {"a": None}, True, "\u0000", "f/" + "9" * 56 + "/s"]
        members = {
            "CreateLogGroup": ["logGroupName", "tags", "kmsKeyId", "logGroupClass"],
            "DescribeLogGroups": ["logGroupNamePrefix", "limit", "nextToken",
                                  "logGroupIdentifiers", "logGroupNamePattern"],
            "DescribeLogStreams": ["logGroupName", "logGroupIdentifier", "orderBy",
                                   "descending", "limit", "nextToken", "logStreamNamePrefix"],
            "PutLogEvents": ["logEvents", "sequenceToken", "logStreamName"],
            "GetLogEvents": ["nextToken", "limit", "startTime", "endTime", "startFromHead"],
            "FilterLogEvents": ["filterPattern", "logStreamNames", "nextToken", "limit",
                                "startTime", "endTime", "logStreamNamePrefix"],
            "PutRetentionPolicy": ["retentionInDays"],
            "TagResource": ["resourceArn", "tags"],
            "UntagResource": ["tagKeys"],
            "ListTagsForResource": ["resourceArn"],
        }
        base = {"logGroupName": g, "logStreamName": s, "resourceArn": group_arn(g),
                "logEvents": [{"timestamp": now_ms(), "message": "m"}],
                "retentionInDays": 1, "tags": {"a": "b"}, "tagKeys": ["a"]}
        for op, names in members.items():
            for name in names:
                for value in junk:
                    body = dict(base)
                    body[name] = value
                    if op in ("DescribeLogGroups",):
                        body = {name: value}
                    st, parsed, raw = raw_logs(op, body)
                    self.assertLess(st, 500, (op, name, value, raw[:300]))
                    if st != 200:
                        self.assertIn("__type", parsed, (op, name, value, raw[:300]))
        for ev in ([{"timestamp": "now", "message": "m"}], [{"message": "m"}],
                   [{"timestamp": 1}], [{"timestamp": now_ms(), "message": 5}],
                   [None], "events", [{"timestamp": now_ms(), "message": "m", "x": [1]}]):
            st, parsed, raw = raw_logs("PutLogEvents", dict(base, logEvents=ev))
            self.assertLess(st, 500, (ev, raw[:300]))
        self.assertEqual(self.logs.describe_log_groups(logGroupNamePrefix=g)["logGroups"][0][
            "logGroupName"], g)

    def test_body_over_the_cap(self):
        # Refused from the head, before the body is sent: 1 MiB a request,
        # 8 MiB for PutLogEvents (a 1 MiB batch, JSON-escaped).
        for op, length, want in (("DescribeLogGroups", (1 << 20) + 1, 413),
                                 ("PutLogEvents", (8 << 20) + 1, 413)):
            s = socket.create_connection((env.HOST, env.PORT), timeout=10)
            try:
                s.sendall(("POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: %s%s\r\n"
                           "Content-Type: application/x-amz-json-1.1\r\n"
                           "Content-Length: %d\r\n\r\n" % (TARGET, op, length)).encode())
                data = b""
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                    head, _, rest = data.partition(b"\r\n\r\n")
                    n = [int(l.split(b":", 1)[1]) for l in head.split(b"\r\n")
                         if l.lower().startswith(b"content-length:")]
                    if n and len(rest) >= n[0]:
                        break
            finally:
                s.close()
            self.assertEqual(int(data.split(b" ")[1]), want, data[:300])
            self.assertEqual(json.loads(rest)["__type"], "RequestEntityTooLargeException")


class TestHealth(unittest.TestCase):

    def test_health_lists_logs(self):
        for path in ("/_localstack/health", "/_tinystack/health"):
            conn = http.client.HTTPConnection(env.HOST, env.PORT, timeout=10)
            try:
                conn.request("GET", path)
                doc = json.loads(conn.getresponse().read())
            finally:
                conn.close()
            self.assertEqual(doc["services"]["logs"], "running", path)


class TestReset(LogsTestCase):

    def test_reset_forgets_logs(self):
        g = self.group()
        s = self.stream(g)
        self.put(g, s, ["x"])
        env.reset()
        self.assertEqual(self.logs.describe_log_groups(logGroupNamePrefix=g)["logGroups"], [])
        self.logs.create_log_group(logGroupName=g)
        self.assertEqual(self.logs.filter_log_events(logGroupName=g)["events"], [])


class TestPersistence(unittest.TestCase):

    def test_kept_across_restarts_and_migrated_from_version_8(self):
        data = tempfile.mkdtemp(prefix="tinystack-logs-")
        self.addCleanup(shutil.rmtree, data, True)
        t = now_ms()
        d = Daemon(["--data-dir", data])
        try:
            logs = d.client("logs")
            logs.create_log_group(logGroupName="kept")
            logs.create_log_stream(logGroupName="kept", logStreamName="s")
            logs.put_log_events(logGroupName="kept", logStreamName="s",
                                logEvents=[{"timestamp": t, "message": "survives"}])
            d.client("s3").create_bucket(Bucket="before-logs")
        finally:
            self.assertEqual(d.stop(), 0)
        d = Daemon(["--data-dir", data])
        try:
            got = d.client("logs").get_log_events(logGroupName="kept", logStreamName="s")
            self.assertEqual([e["message"] for e in got["events"]], ["survives"])
        finally:
            self.assertEqual(d.stop(), 0)
        # Back to the store migration 8 (IAM's) left: the tables of
        # migration 9 (Logs) and later ones (10: Lambda's event invoke
        # configs, 11: API Gateway) go; the migrations make them again and
        # the rest stays.
        db = sqlite3.connect(os.path.join(data, "tinystack.db"))
        self.assertEqual(db.execute("PRAGMA user_version").fetchone()[0], 11)
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                  " AND (name LIKE 'logs\\_%' ESCAPE '\\'"
                                  " OR name LIKE 'apigw\\_%' ESCAPE '\\'"
                                  " OR name = 'lambda_event_config')").fetchall():
            db.execute('DROP TABLE "%s"' % name)
        db.execute("PRAGMA user_version=8")
        db.commit()
        db.close()
        d = Daemon(["--data-dir", data])
        try:
            self.assertIn("before-logs",
                          [b["Name"] for b in d.client("s3").list_buckets()["Buckets"]])
            logs = d.client("logs")
            self.assertEqual(logs.describe_log_groups()["logGroups"], [])
            logs.create_log_group(logGroupName="after")
            self.assertEqual([g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]],
                             ["after"])
        finally:
            self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    unittest.main()
