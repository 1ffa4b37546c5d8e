#!/usr/bin/env python3
"""Helpers for bench/s3.sh (stdlib only).

  s3_helper.py port
      print a TCP port on 127.0.0.1 that nothing uses, chosen outside the
      kernel's ephemeral range so client sockets of the load runs cannot
      take it.
  s3_helper.py start N READY_LINE HEALTH_PATH CMD... (the word PORT in CMD
      is replaced by a fresh free port for each start)
      start the server N times and print three medians in ms:
        ready  - spawn until READY_LINE appears on stderr ("-" = not asked)
        http   - spawn until the first 2xx answer on HEALTH_PATH
        s3     - spawn until the first 2xx S3 ListBuckets (GET / signed-looking)
      or "FAIL <reason>" on one line.
"""
import os
import random
import select
import socket
import statistics
import subprocess
import sys
import time

AUTH = ("AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" + "0" * 64)
DEADLINE_S = 30.0


def free_port():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            lo, _hi = (int(x) for x in f.read().split())
    except OSError:
        lo = 32768
    top = max(lo - 1, 11000)
    for _ in range(200):
        port = random.randint(10000, top)
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            s.close()
        c = socket.socket()
        c.settimeout(0.2)
        try:
            if c.connect_ex(("127.0.0.1", port)) != 0:
                return port
        finally:
            c.close()
    raise SystemExit("no free port found")


def http_status(port, path, s3=False, timeout=10.0):
    """Status code of one GET, or None if nothing answers yet."""
    s = socket.socket()
    s.settimeout(timeout)
    try:
        s.connect(("127.0.0.1", port))
        hdr = "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n" % (path, port)
        if s3:
            hdr += ("Authorization: %s\r\nx-amz-date: 20250101T000000Z\r\n"
                    "x-amz-content-sha256: UNSIGNED-PAYLOAD\r\n" % AUTH)
        s.sendall((hdr + "\r\n").encode())
        buf = b""
        while b"\r\n" not in buf:
            chunk = s.recv(4096)
            if not chunk:
                break
            buf += chunk
        parts = buf.split(b" ", 2)
        if len(parts) >= 2 and parts[0].startswith(b"HTTP/"):
            return int(parts[1])
        return None
    except OSError:
        return None
    finally:
        s.close()


def poll_2xx(proc, port, path, s3, t0):
    while True:
        st = http_status(port, path, s3)
        if st is not None and 200 <= st < 300:
            return (time.perf_counter() - t0) * 1000.0
        if proc.poll() is not None:
            raise RuntimeError("server exited with status %s" % proc.returncode)
        if time.perf_counter() - t0 > DEADLINE_S:
            raise RuntimeError("no 2xx on %s within %.0fs (last status %s)" % (path, DEADLINE_S, st))
        time.sleep(0.0005)


def start_once(cmd, ready_line, health_path):
    port = free_port()
    argv = [str(port) if a == "PORT" else a for a in cmd]
    want = ready_line != "-"
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE if want else subprocess.DEVNULL)
    try:
        ready_ms = float("nan")
        if want:
            buf = b""
            fd = proc.stderr.fileno()
            needle = ready_line.encode()
            while needle not in buf:
                left = DEADLINE_S - (time.perf_counter() - t0)
                if left <= 0:
                    raise RuntimeError("no %r on stderr within %.0fs" % (ready_line, DEADLINE_S))
                r, _, _ = select.select([fd], [], [], left)
                if r:
                    chunk = os.read(fd, 65536)
                    if not chunk:
                        raise RuntimeError("server exited before %r: %s" % (ready_line, buf[-300:]))
                    buf += chunk
            ready_ms = (time.perf_counter() - t0) * 1000.0
        http_ms = poll_2xx(proc, port, health_path, False, t0)
        s3_ms = poll_2xx(proc, port, "/", True, t0)
        return ready_ms, http_ms, s3_ms
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "port":
        print(free_port())
        return
    if len(sys.argv) < 6 or sys.argv[1] != "start":
        raise SystemExit(__doc__)
    n = int(sys.argv[2])
    ready_line, health_path, cmd = sys.argv[3], sys.argv[4], sys.argv[5:]
    runs = []
    try:
        for _ in range(n):
            runs.append(start_once(cmd, ready_line, health_path))
    except RuntimeError as e:
        print("FAIL " + str(e).replace("\n", " "))
        return

    def med(i):
        v = statistics.median(r[i] for r in runs)
        return "nan" if v != v else "%.1f" % v
    print(med(0), med(1), med(2))


if __name__ == "__main__":
    main()
