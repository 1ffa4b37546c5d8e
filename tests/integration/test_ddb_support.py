"""Shared pieces of the DynamoDB suites (test_ddb_*.py).  No tests here.

DdbTestCase resets the server once per class and gives `self.ddb` (client)
and `self.res` (resource); tables get unique names so tests in a class do
not see each other's.  raw_ddb() sends one hand-made JSON request.
"""

import itertools
import json
import os
import unittest

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

import tinystack_env as env

ACCOUNT = "000000000000"
TARGET = "DynamoDB_20120810."
_names = itertools.count(1)


def unique_table(prefix="t"):
    return "%s-%d-%d" % (prefix, os.getpid() % 100000, next(_names))


def _session():
    return boto3.session.Session(aws_access_key_id=env.ACCESS_KEY,
                                 aws_secret_access_key=env.SECRET_KEY,
                                 region_name=env.REGION)


def _config():
    return Config(retries={"max_attempts": 0}, connect_timeout=10, read_timeout=60)


def ddb_client():
    return _session().client("dynamodb", endpoint_url=env.ENDPOINT, config=_config())


def ddb_resource():
    return _session().resource("dynamodb", endpoint_url=env.ENDPOINT, config=_config())


def table_arn(name):
    return "arn:aws:dynamodb:%s:%s:table/%s" % (env.REGION, ACCOUNT, name)


class RawDdb:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        try:
            self.json = json.loads(body.decode("utf-8")) if body else None
        except ValueError:
            self.json = None

    def error_type(self):
        """The part of __type after '#' (or all of it)."""
        t = (self.json or {}).get("__type", "")
        return t.rsplit("#", 1)[-1]

    def message(self):
        j = self.json or {}
        return j.get("message", j.get("Message"))

    def __repr__(self):
        return "<%d %r>" % (self.status, self.body[:300])


def raw_ddb(operation, body, content_type="application/x-amz-json-1.0", sign=True):
    """POST `body` (bytes, str or a JSON-able object) to / with
    X-Amz-Target: DynamoDB_20120810.<operation>, SigV4-signed for dynamodb."""
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode("utf-8")
    headers = {"Content-Type": content_type, "X-Amz-Target": TARGET + operation}
    if sign:
        req = AWSRequest(method="POST", url=env.ENDPOINT + "/", data=body, headers=headers)
        SigV4Auth(Credentials(env.ACCESS_KEY, env.SECRET_KEY), "dynamodb", env.REGION).add_auth(req)
        headers = dict(req.headers.items())
    import http.client
    conn = http.client.HTTPConnection(env.HOST, env.PORT, timeout=30)
    try:
        conn.request("POST", "/", body=body, headers=headers)
        r = conn.getresponse()
        return RawDdb(r.status, r.headers, r.read())
    finally:
        conn.close()


def key_schema(hash_key, range_key=None):
    ks = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
    if range_key:
        ks.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
    return ks


class DdbTestCase(unittest.TestCase):
    """Resets the server once before each test class."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env.reset()
        cls.ddb = ddb_client()
        cls.res = ddb_resource()

    @classmethod
    def make_table(cls, prefix="t", hash_key=("id", "S"), range_key=None, name=None,
                   extra_attrs=(), **kw):
        """CreateTable (PAY_PER_REQUEST unless kw says otherwise); returns the name."""
        name = name or unique_table(prefix)
        attrs = [hash_key] + ([range_key] if range_key else []) + list(extra_attrs)
        seen, defs = set(), []
        for n, t in attrs:
            if n not in seen:
                seen.add(n)
                defs.append({"AttributeName": n, "AttributeType": t})
        kw.setdefault("BillingMode", "PAY_PER_REQUEST")
        cls.ddb.create_table(TableName=name, KeySchema=key_schema(hash_key, range_key),
                             AttributeDefinitions=defs, **kw)
        return name

    def assertDdbError(self, code, fn, *args, message=None, contains=None, prefix=None,
                       status=400, **kwargs):
        """fn(...) must raise ClientError `code` (HTTP `status`); `message` is
        the exact message, `contains`/`prefix` a part of it.  Returns the
        error response."""
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kwargs)
        resp = cm.exception.response
        got = (resp.get("Error", {}).get("Code"),
               resp.get("ResponseMetadata", {}).get("HTTPStatusCode"))
        self.assertEqual(got, (code, status), "expected %s/%s, got %r" % (code, status, resp))
        msg = resp.get("Error", {}).get("Message", "")
        if message is not None:
            self.assertEqual(msg, message)
        if contains is not None:
            self.assertIn(contains, msg)
        if prefix is not None:
            self.assertTrue(msg.startswith(prefix), "%r does not start with %r" % (msg, prefix))
        return resp

    def assertValidation(self, fn, *args, **kwargs):
        return self.assertDdbError("ValidationException", fn, *args, **kwargs)

    def put(self, table, item):
        return self.ddb.put_item(TableName=table, Item=item)

    def get(self, table, key, **kw):
        return self.ddb.get_item(TableName=table, Key=key, **kw).get("Item")

    def scan_all(self, table, **kw):
        items, kw = [], dict(kw)
        while True:
            r = self.ddb.scan(TableName=table, **kw)
            items.extend(r["Items"])
            if "LastEvaluatedKey" not in r:
                return items
            kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]

    def query_all(self, table, **kw):
        items, pages, kw = [], 0, dict(kw)
        while True:
            r = self.ddb.query(TableName=table, **kw)
            pages += 1
            items.extend(r["Items"])
            if "LastEvaluatedKey" not in r:
                return items, pages
            kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]
