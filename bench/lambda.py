#!/usr/bin/env python3
"""bench/lambda.py - Lambda figures for tinystack, in one run (prints, asserts nothing).

    python3 bench/lambda.py         (bench/lambda.sh runs it)

- cold start through Invoke (ms, median of BENCH_COLD runs): an echo
  handler and a handler that builds an S3 client and a DynamoDB resource
  at import, with the fork server and without it (--lambda-no-fork),
  beside `python3 -c pass` and `python3 -c 'import boto3'`;
- warm invoke latency p50/p99 (ms) and invokes/s at 1 and 16 concurrent
  callers, over raw keep-alive HTTP (no SDK cost in the figure);
- S3 PUT -> item in DynamoDB (ms, median): the invoice trigger path.
"""

import http.client
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import zipfile

import boto3
from botocore.config import Config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("TINYSTACK_BIN", os.path.join(ROOT, "build/rel/tinystack"))
COLD = int(os.environ.get("BENCH_COLD", "7"))
SECS = float(os.environ.get("BENCH_SECS", "3"))
ROLE = "arn:aws:iam::000000000000:role/bench"

ECHO = "def handler(event, context):\n    return event\n"
BOTO = ("import boto3\ns3 = boto3.client('s3')\nddb = boto3.resource('dynamodb')\n"
        "def handler(event, context):\n    return {'ok': True}\n")
TRIGGER = """
import json, urllib.parse
from decimal import Decimal
import boto3
s3 = boto3.client("s3")
table = boto3.resource("dynamodb").Table("bench-notas")
def handler(event, context):
    for rec in event["Records"]:
        key = urllib.parse.unquote_plus(rec["s3"]["object"]["key"])
        body = s3.get_object(Bucket=rec["s3"]["bucket"]["name"], Key=key)["Body"].read()
        table.put_item(Item=json.loads(body, parse_float=Decimal))
"""


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Server:
    def __init__(self, *args):
        self.port = free_port()
        self.proc = subprocess.Popen([BIN, "--port", str(self.port), *args],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for line in self.proc.stderr:
            if b"Ready." in line:
                break
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()
        self.url = "http://127.0.0.1:%d" % self.port

    def client(self, svc):
        return boto3.session.Session().client(
            svc, endpoint_url=self.url, region_name="us-east-1", aws_access_key_id="test",
            aws_secret_access_key="test", config=Config(retries={"max_attempts": 0},
                                                        read_timeout=120))

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def zipped(code):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", code)
    return buf.getvalue()


def ms(t):
    return "%.1f" % (t * 1000)


def cold_starts(srv, name, code):
    lam = srv.client("lambda")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE,
                        Handler="app.handler", Code={"ZipFile": zipped(code)}, Timeout=60)
    time.sleep(1.5)  # the fork server, started at create, is ready
    times = []
    for i in range(COLD):
        # A configuration change retires the warm environment: the next
        # invoke is a cold start.
        lam.update_function_configuration(FunctionName=name,
                                          Environment={"Variables": {"RUN": str(i)}})
        t = time.perf_counter()
        r = lam.invoke(FunctionName=name, Payload=b'{"x": 1}')
        r["Payload"].read()
        times.append(time.perf_counter() - t)
        if r.get("FunctionError"):
            return "FAIL"
    return ms(statistics.median(times))


def interpreter(cmd):
    times = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run(cmd, check=True)
        times.append(time.perf_counter() - t)
    return ms(statistics.median(times))


def warm(srv, name, callers):
    lat, lock, stop = [], threading.Lock(), time.time() + SECS
    errors = [0]

    def run():
        conn = http.client.HTTPConnection("127.0.0.1", srv.port)
        mine = []
        while time.time() < stop:
            t = time.perf_counter()
            conn.request("POST", "/2015-03-31/functions/%s/invocations" % name, body=b'{"a":1}',
                         headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            mine.append(time.perf_counter() - t)
            if r.status != 200 or r.getheader("X-Amz-Function-Error"):
                errors[0] += 1
        with lock:
            lat.extend(mine)

    # warm every environment the callers will use
    ts = [threading.Thread(target=run) for _ in range(callers)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors[0]:
        return "FAIL", "FAIL", "FAIL"
    lat.sort()
    return (ms(lat[len(lat) // 2]), ms(lat[int(len(lat) * 0.99)]), "%.0f" % (len(lat) / SECS))


def trigger(srv):
    s3, lam, ddb = srv.client("s3"), srv.client("lambda"), srv.client("dynamodb")
    ddb.create_table(TableName="bench-notas", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    s3.create_bucket(Bucket="bench-in")
    lam.create_function(FunctionName="bench-trigger", Runtime="python3.12", Role=ROLE,
                        Handler="app.handler", Code={"ZipFile": zipped(TRIGGER)}, Timeout=60)
    lam.add_permission(FunctionName="bench-trigger", StatementId="s3",
                       Action="lambda:InvokeFunction", Principal="s3.amazonaws.com")
    s3.put_bucket_notification_configuration(
        Bucket="bench-in", NotificationConfiguration={"LambdaFunctionConfigurations": [{
            "LambdaFunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:bench-trigger",
            "Events": ["s3:ObjectCreated:*"]}]})
    times = []
    for i in range(COLD + 1):
        key = "NF-%d" % i
        t = time.perf_counter()
        s3.put_object(Bucket="bench-in", Key=key + ".json",
                      Body=json.dumps({"id": key, "valor": 10.5}))
        while "Item" not in ddb.get_item(TableName="bench-notas", Key={"id": {"S": key}}):
            if time.perf_counter() - t > 30:
                return "FAIL", "FAIL"
        times.append(time.perf_counter() - t)
    return ms(times[0]), ms(statistics.median(times[1:]))


def main():
    print("tinystack Lambda figures (%s; %d cold starts each, %.0f s per warm run)"
          % (BIN, COLD, SECS))
    print("reference: python3 -c pass            %8s ms" % interpreter([sys.executable, "-c", "pass"]))
    print("reference: python3 -c 'import boto3'  %8s ms" % interpreter([sys.executable, "-c", "import boto3"]))
    for label, args in (("fork server", ()), ("no fork server", ("--lambda-no-fork",))):
        srv = Server(*args)
        try:
            print("cold start, echo handler, %-15s %8s ms" % (label, cold_starts(srv, "echo", ECHO)))
            print("cold start, boto3 handler, %-14s %8s ms" % (label, cold_starts(srv, "boto", BOTO)))
        finally:
            srv.stop()
    srv = Server()
    try:
        srv.client("lambda").create_function(FunctionName="warm", Runtime="python3.12", Role=ROLE,
                                             Handler="app.handler",
                                             Code={"ZipFile": zipped(ECHO)})
        for callers in (1, 16):
            p50, p99, rate = warm(srv, "warm", callers)
            print("warm invoke, %2d callers: p50 %s ms, p99 %s ms, %s invokes/s"
                  % (callers, p50, p99, rate))
        first, rest = trigger(srv)
        print("S3 PUT -> item in DynamoDB: first (cold) %s ms, then median %s ms" % (first, rest))
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
