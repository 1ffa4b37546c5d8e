#!/usr/bin/env python3
"""ListObjectsV2 cost against bucket size: the same listings on a bucket of
100 keys and one of N keys (default 100,000).  Index-driven listing keeps
the two within a small factor.  A benchmark: it prints figures only.

    python3 bench/s3_list.py [N]      (TINYSTACK_BIN overrides the binary)
"""
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
BIN = os.environ.get("TINYSTACK_BIN", "build/rel/tinystack")
s = socket.socket()
s.bind(("127.0.0.1", 0))
PORT = s.getsockname()[1]
s.close()
proc = subprocess.Popen([BIN, "--port", str(PORT), "--log-level", "warn"],
                        stderr=subprocess.PIPE)
for line in proc.stderr:
    if line.strip() == b"Ready.":
        break


def req(c, method, path, body=None):
    c.request(method, path, body=body)
    r = c.getresponse()
    data = r.read()
    if r.status != 200:
        raise SystemExit("%s %s -> %d %s" % (method, path, r.status, data[:200]))
    return data


def key(i):
    return "dir%03d/sub%02d/file%06d" % (i % 1000, i % 7, i)


try:
    c = http.client.HTTPConnection("127.0.0.1", PORT)
    req(c, "PUT", "/small-bucket")
    req(c, "PUT", "/big-bucket")
    for i in range(100):
        req(c, "PUT", "/small-bucket/" + key(i), b"x")

    def worker(t):
        cc = http.client.HTTPConnection("127.0.0.1", PORT)
        for i in range(t, N, 8):
            req(cc, "PUT", "/big-bucket/" + key(i), b"x")

    t0 = time.time()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("loaded %d keys in %.1f s (%.0f PUT/s, 8 connections)"
          % (N, time.time() - t0, N / (time.time() - t0)))
    print("%-48s %12s %12s %7s" % ("ListObjectsV2", "100 keys", "%d keys" % N, "ratio"))
    for q in ("?list-type=2&prefix=dir042/&delimiter=/",
              "?list-type=2&delimiter=/&max-keys=100",
              "?list-type=2&prefix=dir500/sub03/&max-keys=100",
              "?list-type=2&max-keys=1000"):
        p50 = []
        for b in ("small-bucket", "big-bucket"):
            lat = []
            for _ in range(50):
                t = time.perf_counter()
                req(c, "GET", "/" + b + q)
                lat.append((time.perf_counter() - t) * 1000)
            p50.append(statistics.median(lat))
        print("%-48s %9.2f ms %9.2f ms %6.1fx" % (q, p50[0], p50[1], p50[1] / p50[0]))
finally:
    proc.terminate()
    proc.wait()
