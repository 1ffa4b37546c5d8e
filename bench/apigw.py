"""bench/apigw.py - a warm Python handler three ways: Lambda's Invoke, a
REST API's Lambda proxy integration (/restapis/{id}/dev/_user_request_/),
an HTTP API's (Host {id}.execute-api.localhost.localstack.cloud, payload
2.0), each at 1 and 16 keep-alive connections for BENCH_SECS seconds.
Prints p50 and p99 latency and requests/s; asserts nothing."""

import http.client
import io
import os
import socket
import subprocess
import sys
import threading
import time
import zipfile

import boto3
from botocore.config import Config

BIN = os.environ.get("TINYSTACK_BIN", "build/rel/tinystack")
SECS = float(os.environ.get("BENCH_SECS", "5"))
ROLE = "arn:aws:iam::000000000000:role/bench"
CODE = ("import json\n"
        "def handler(event, context):\n"
        "    return {'statusCode': 200, 'body': json.dumps({'ok': True})}\n")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def main():
    port = free_port()
    proc = subprocess.Popen([BIN, "--port", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    for line in proc.stderr:
        if b"Ready." in line:
            break
    threading.Thread(target=proc.stderr.read, daemon=True).start()
    url = "http://127.0.0.1:%d" % port
    client = lambda svc: boto3.session.Session().client(
        svc, endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(retries={"max_attempts": 0}))
    try:
        lam, ag, v2 = client("lambda"), client("apigateway"), client("apigatewayv2")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("app.py", CODE)
        arn = lam.create_function(FunctionName="bench-api", Runtime="python3.12", Role=ROLE,
                                  Handler="app.handler",
                                  Code={"ZipFile": buf.getvalue()})["FunctionArn"]
        rest = ag.create_rest_api(name="bench")["id"]
        root = ag.get_resources(restApiId=rest)["items"][0]["id"]
        res = ag.create_resource(restApiId=rest, parentId=root, pathPart="{proxy+}")["id"]
        ag.put_method(restApiId=rest, resourceId=res, httpMethod="ANY", authorizationType="NONE")
        ag.put_integration(restApiId=rest, resourceId=res, httpMethod="ANY", type="AWS_PROXY",
                           integrationHttpMethod="POST",
                           uri="arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                               "%s/invocations" % arn)
        ag.create_deployment(restApiId=rest, stageName="dev")
        http_api = v2.create_api(Name="bench", ProtocolType="HTTP", Target=arn)["ApiId"]
        ways = [
            ("Lambda Invoke (direct)", "POST", "/2015-03-31/functions/bench-api/invocations",
             None),
            ("REST API, Lambda proxy", "GET", "/restapis/%s/dev/_user_request_/notas/1" % rest,
             None),
            ("HTTP API, payload 2.0", "GET", "/notas/1",
             "%s.execute-api.localhost.localstack.cloud:%d" % (http_api, port)),
        ]
        print("API Gateway to a warm Python handler (%s s per figure)" % SECS)
        print("%-26s %6s %9s %9s %9s" % ("path", "conns", "p50 ms", "p99 ms", "req/s"))
        for name, method, path, host in ways:
            for conns in (1, 16):
                p50, p99, rate = run(port, method, path, host, conns)
                print("%-26s %6d %9s %9s %9s" % (name, conns, p50, p99, rate))
                sys.stdout.flush()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def run(port, method, path, host, conns):
    lat, lock, errors = [], threading.Lock(), [0]
    stop = time.time() + SECS
    headers = {"Content-Type": "application/json"}
    if host:
        headers["Host"] = host

    def one():
        c = http.client.HTTPConnection("127.0.0.1", port)
        mine = []
        while time.time() < stop:
            t = time.perf_counter()
            c.request(method, path, body=b'{"a": 1}' if method == "POST" else None,
                      headers=headers)
            r = c.getresponse()
            r.read()
            mine.append(time.perf_counter() - t)
            if r.status != 200:
                errors[0] += 1
        with lock:
            lat.extend(mine)

    # The first round warms as many environments as there are callers.
    for _ in range(2):
        lat.clear()
        stop = time.time() + (SECS if _ else 1)
        ts = [threading.Thread(target=one) for _ in range(conns)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    if errors[0] or not lat:
        return "FAIL", "FAIL", "FAIL"
    lat.sort()
    ms = lambda v: "%.2f" % (v * 1000)
    return ms(lat[len(lat) // 2]), ms(lat[int(len(lat) * 0.99)]), "%.0f" % (len(lat) / SECS)


if __name__ == "__main__":
    main()
