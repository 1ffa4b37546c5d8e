"""S3 bucket notifications to Lambda: the configuration is checked as S3
checks it, and a matching change runs the function asynchronously with
AWS's event; the trigger half of the invoice pipeline (S3 -> Python ->
DynamoDB with batch_writer and Decimal); a handler writing into its own
trigger bucket is stopped after a bounded depth."""

import json
import time
import unittest

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import tinystack_env as env
from test_lambda import ROLE, lambda_client, make_zip


def client(service):
    return boto3.session.Session().client(
        service, region_name=env.REGION, endpoint_url=env.ENDPOINT,
        aws_access_key_id=env.ACCESS_KEY, aws_secret_access_key=env.SECRET_KEY,
        config=Config(retries={"max_attempts": 0}))


RECORDER = """
import boto3, json
def handler(event, context):
    rec = event["Records"][0]
    key = rec["s3"]["object"]["key"]
    boto3.client("s3").put_object(Bucket="events-seen", Key="%s/%s" % (rec["eventName"], key),
                                  Body=json.dumps(event))
"""

INVOICES = """
import json, urllib.parse
from decimal import Decimal
import boto3

s3 = boto3.client("s3")
table = boto3.resource("dynamodb").Table("notas")

def handler(event, context):
    for rec in event["Records"]:
        bucket = rec["s3"]["bucket"]["name"]
        key = urllib.parse.unquote_plus(rec["s3"]["object"]["key"])
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        data = json.loads(body, parse_float=Decimal)
        items = data if isinstance(data, list) else [data]
        with table.batch_writer() as batch:
            for item in items:
                batch.put_item(Item=item)
    return {"written": len(items)}
"""

LOOP = """
import boto3
def handler(event, context):
    key = event["Records"][0]["s3"]["object"]["key"]
    boto3.client("s3").put_object(Bucket="loop-bucket", Key=key + "x", Body=b"again")
"""


def wait_for(fn, timeout=15):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            v = fn()
            if v:
                return v
        except ClientError as e:
            last = e
        time.sleep(0.1)
    raise AssertionError("timed out waiting (%s)" % last)


class TestNotifications(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.s3 = client("s3")
        cls.lam = lambda_client()
        cls.s3.create_bucket(Bucket="events-seen")
        cls.s3.create_bucket(Bucket="trigger-bucket")
        cls.lam.create_function(FunctionName="recorder", Runtime="python3.12", Role=ROLE,
                                Handler="app.handler",
                                Code={"ZipFile": make_zip({"app.py": RECORDER})})
        cls.lam.add_permission(FunctionName="recorder", StatementId="s3",
                               Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
                               SourceArn="arn:aws:s3:::trigger-bucket")
        cls.arn = cls.lam.get_function(FunctionName="recorder")["Configuration"]["FunctionArn"]

    def configure(self, bucket, arn, events, rules=None, **extra):
        cfg = {"LambdaFunctionArn": arn, "Events": events}
        if rules:
            cfg["Filter"] = {"Key": {"FilterRules": rules}}
        cfg.update(extra)
        return self.s3.put_bucket_notification_configuration(
            Bucket=bucket, NotificationConfiguration={"LambdaFunctionConfigurations": [cfg]})

    def seen(self, name):
        return json.loads(self.s3.get_object(Bucket="events-seen", Key=name)["Body"].read())

    def test_put_and_delete_events(self):
        self.configure("trigger-bucket", self.arn, ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
                       [{"Name": "suffix", "Value": ".json"}])
        got = self.s3.get_bucket_notification_configuration(Bucket="trigger-bucket")
        conf = got["LambdaFunctionConfigurations"][0]
        self.assertTrue(conf["Id"])
        self.assertEqual(conf["LambdaFunctionArn"], self.arn)
        self.assertEqual(conf["Filter"]["Key"]["FilterRules"], [{"Name": "Suffix", "Value": ".json"}])
        put = self.s3.put_object(Bucket="trigger-bucket", Key="in/my file.json", Body=b"[1,2]")
        self.s3.put_object(Bucket="trigger-bucket", Key="in/skip.txt", Body=b"no")
        ev = wait_for(lambda: self.seen("ObjectCreated:Put/in/my+file.json"))
        rec = ev["Records"][0]
        self.assertEqual(rec["eventVersion"], "2.1")
        self.assertEqual(rec["eventSource"], "aws:s3")
        self.assertEqual(rec["awsRegion"], "us-east-1")
        self.assertEqual(rec["s3"]["s3SchemaVersion"], "1.0")
        self.assertEqual(rec["s3"]["configurationId"], conf["Id"])
        self.assertEqual(rec["s3"]["bucket"]["name"], "trigger-bucket")
        self.assertEqual(rec["s3"]["bucket"]["arn"], "arn:aws:s3:::trigger-bucket")
        self.assertEqual(rec["s3"]["object"]["key"], "in/my+file.json")
        self.assertEqual(rec["s3"]["object"]["size"], 5)
        self.assertEqual(rec["s3"]["object"]["eTag"], put["ETag"].strip('"'))
        self.assertRegex(rec["eventTime"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertIn("sequencer", rec["s3"]["object"])
        self.s3.delete_object(Bucket="trigger-bucket", Key="in/my file.json")
        ev = wait_for(lambda: self.seen("ObjectRemoved:Delete/in/my+file.json"))
        self.assertNotIn("size", ev["Records"][0]["s3"]["object"])
        time.sleep(0.5)
        self.assertError(lambda: self.seen("ObjectCreated:Put/in/skip.txt"), "NoSuchKey")

    def test_copy_and_multipart_events(self):
        self.s3.create_bucket(Bucket="trigger-two")
        self.lam.add_permission(FunctionName="recorder", StatementId="s3-two",
                                Action="lambda:InvokeFunction", Principal="s3.amazonaws.com")
        self.configure("trigger-two", self.arn, ["s3:ObjectCreated:Copy",
                                                 "s3:ObjectCreated:CompleteMultipartUpload"],
                       [{"Name": "prefix", "Value": "p/"}])
        self.s3.put_object(Bucket="trigger-two", Key="p/src", Body=b"x")
        self.s3.copy_object(Bucket="trigger-two", Key="p/copy",
                            CopySource={"Bucket": "trigger-two", "Key": "p/src"})
        up = self.s3.create_multipart_upload(Bucket="trigger-two", Key="p/mp")
        part = self.s3.upload_part(Bucket="trigger-two", Key="p/mp", UploadId=up["UploadId"],
                                   PartNumber=1, Body=b"y" * 10)
        self.s3.complete_multipart_upload(
            Bucket="trigger-two", Key="p/mp", UploadId=up["UploadId"],
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
        wait_for(lambda: self.seen("ObjectCreated:Copy/p/copy"))
        wait_for(lambda: self.seen("ObjectCreated:CompleteMultipartUpload/p/mp"))
        self.assertError(lambda: self.seen("ObjectCreated:Put/p/src"), "NoSuchKey")

    def assertError(self, fn, code):
        with self.assertRaises(ClientError) as cm:
            fn()
        self.assertEqual(cm.exception.response["Error"]["Code"], code)
        return cm.exception.response

    def test_refused_configurations(self):
        self.s3.create_bucket(Bucket="trigger-refused")
        self.lam.create_function(FunctionName="no-perm", Runtime="python3.12", Role=ROLE,
                                 Handler="app.handler",
                                 Code={"ZipFile": make_zip({"app.py": RECORDER})})
        no_perm = "arn:aws:lambda:us-east-1:000000000000:function:no-perm"
        resp = self.assertError(lambda: self.configure("trigger-refused", no_perm,
                                                       ["s3:ObjectCreated:*"]), "InvalidArgument")
        self.assertEqual(resp["Error"]["Message"],
                         "Unable to validate the following destination configurations")
        missing = "arn:aws:lambda:us-east-1:000000000000:function:missing"
        self.assertError(lambda: self.configure("trigger-refused", missing,
                                                ["s3:ObjectCreated:*"]), "InvalidArgument")
        self.assertError(lambda: self.configure("trigger-refused", self.arn, ["s3:Nothing:*"]),
                         "InvalidArgument")
        self.assertError(lambda: self.configure("trigger-refused", self.arn,
                                                ["s3:ObjectCreated:*"],
                                                [{"Name": "middle", "Value": "x"}]),
                         "InvalidArgument")
        self.assertError(lambda: self.s3.put_bucket_notification_configuration(
            Bucket="trigger-refused", NotificationConfiguration={"QueueConfigurations": [
                {"QueueArn": "arn:aws:sqs:us-east-1:000000000000:q",
                 "Events": ["s3:ObjectCreated:*"]}]}), "InvalidArgument")
        # a source ARN condition for another bucket does not count
        self.lam.add_permission(FunctionName="no-perm", StatementId="other",
                                Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
                                SourceArn="arn:aws:s3:::some-other-bucket")
        self.assertError(lambda: self.configure("trigger-refused", no_perm,
                                                ["s3:ObjectCreated:*"]), "InvalidArgument")
        self.assertEqual(self.s3.get_bucket_notification_configuration(
            Bucket="trigger-refused").get("LambdaFunctionConfigurations"), None)

    def test_invoice_pipeline_trigger(self):
        ddb = client("dynamodb")
        ddb.create_table(TableName="notas", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        self.s3.create_bucket(Bucket="invoices-in")
        self.lam.create_function(FunctionName="import-invoices", Runtime="python3.12", Role=ROLE,
                                 Handler="app.handler", Timeout=30,
                                 Code={"ZipFile": make_zip({"app.py": INVOICES})})
        self.lam.add_permission(FunctionName="import-invoices", StatementId="s3invoke",
                                Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
                                SourceArn="arn:aws:s3:::invoices-in")
        self.configure("invoices-in",
                       "arn:aws:lambda:us-east-1:000000000000:function:import-invoices",
                       ["s3:ObjectCreated:*"], [{"Name": "suffix", "Value": ".json"}])
        invoices = [{"id": "NF-%d" % i, "cliente": "Cliente %d" % i, "valor": 1500.75 + i,
                     "data_emissao": "2025-01-31"} for i in range(1, 11)]
        self.s3.put_object(Bucket="invoices-in", Key="notas.json", Body=json.dumps(invoices))
        self.s3.put_object(Bucket="invoices-in", Key="uma.json",
                           Body=json.dumps({"id": "NF-99", "cliente": "X", "valor": 10.5,
                                            "data_emissao": "2025-02-01"}))
        items = wait_for(lambda: (lambda r: r if len(r) == 11 else None)(
            ddb.scan(TableName="notas")["Items"]))
        by_id = {i["id"]["S"]: i for i in items}
        self.assertEqual(by_id["NF-1"]["valor"], {"N": "1501.75"})
        self.assertEqual(by_id["NF-99"]["cliente"], {"S": "X"})


class TestRecursion(unittest.TestCase):

    def test_handler_writing_into_its_own_bucket_is_stopped(self):
        s3, lam = client("s3"), lambda_client()
        s3.create_bucket(Bucket="loop-bucket")
        lam.create_function(FunctionName="looper", Runtime="python3.12", Role=ROLE,
                            Handler="app.handler", Code={"ZipFile": make_zip({"app.py": LOOP})})
        lam.add_permission(FunctionName="looper", StatementId="s3", Principal="s3.amazonaws.com",
                           Action="lambda:InvokeFunction")
        s3.put_bucket_notification_configuration(
            Bucket="loop-bucket", NotificationConfiguration={"LambdaFunctionConfigurations": [
                {"LambdaFunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:looper",
                 "Events": ["s3:ObjectCreated:*"]}]})
        s3.put_object(Bucket="loop-bucket", Key="k", Body=b"start")

        def count():
            return len(s3.list_objects_v2(Bucket="loop-bucket").get("Contents", []))
        wait_for(lambda: count() >= 10, timeout=60)
        # it stops: the count settles at the bound and stays there
        last, stable = -1, 0
        deadline = time.time() + 60
        while stable < 15 and time.time() < deadline:
            n = count()
            stable = stable + 1 if n == last else 0
            last = n
            time.sleep(0.2)
        self.assertGreaterEqual(stable, 15, "the chain did not stop")
        self.assertLessEqual(last, 18)


if __name__ == "__main__":
    unittest.main()


class TestEventsSurviveKill(unittest.TestCase):

    def test_acknowledged_events_are_delivered_after_kill_9(self):
        import shutil
        import signal
        import tempfile
        from test_daemon import Daemon
        data = tempfile.mkdtemp()
        # The handler is slow, so most events are still queued at the kill.
        slow = RECORDER.replace("def handler(event, context):",
                                "import time\ndef handler(event, context):\n    time.sleep(0.3)")
        d = Daemon(["--data-dir", data])
        try:
            s3, lam = d.client("s3"), d.client("lambda")
            s3.create_bucket(Bucket="events-seen")
            s3.create_bucket(Bucket="kill-bucket")
            lam.create_function(FunctionName="recorder", Runtime="python3.12", Role=ROLE,
                                Handler="app.handler", Timeout=10,
                                Code={"ZipFile": make_zip({"app.py": slow})})
            lam.add_permission(FunctionName="recorder", StatementId="s3",
                               Action="lambda:InvokeFunction", Principal="s3.amazonaws.com")
            s3.put_bucket_notification_configuration(
                Bucket="kill-bucket", NotificationConfiguration={"LambdaFunctionConfigurations": [
                    {"LambdaFunctionArn":
                     "arn:aws:lambda:us-east-1:000000000000:function:recorder",
                     "Events": ["s3:ObjectCreated:*"]}]})
            for i in range(12):
                s3.put_object(Bucket="kill-bucket", Key="k%02d" % i, Body=b"x")
            d.proc.send_signal(signal.SIGKILL)
            d.proc.wait()
        finally:
            if d.proc.poll() is None:
                d.stop()
        d = Daemon(["--data-dir", data])
        try:
            s3 = d.client("s3")

            def delivered():
                got = s3.list_objects_v2(Bucket="events-seen").get("Contents", [])
                return {o["Key"] for o in got}
            want = {"ObjectCreated:Put/k%02d" % i for i in range(12)}
            deadline = time.time() + 40
            while time.time() < deadline and not want <= delivered():
                time.sleep(0.2)
            self.assertEqual(delivered() & want, want)
        finally:
            d.stop()
            shutil.rmtree(data, ignore_errors=True)
