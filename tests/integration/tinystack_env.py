"""Shared harness for the integration tests.

ENDPOINT comes from one place, here:

- env TINYSTACK_ENDPOINT set (e.g. http://127.0.0.1:5000 for moto's server or
  a running container): the tests talk to that server;
- otherwise the binary $TINYSTACK_BIN (default build/rel/tinystack under the
  repo root) is started with --port <free port>; we wait for the line
  "Ready." on its stderr (10 s), keep it for the whole run and SIGTERM it at
  exit.  Its stderr goes to LOG_PATH (under a temp dir), printed on failure.

Only the standard library and boto3/botocore are used (boto3 1.26 .. 1.43).
"""

import atexit
import base64
import hashlib
import hmac
import http.client
import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
import zlib

import boto3
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REGION = "us-east-1"
ACCESS_KEY = "test"
SECRET_KEY = "test"
READY_TIMEOUT = 10.0
MiB = 1024 * 1024

_proc = None          # the tinystack we started, if any
_log_dir = None
LOG_PATH = None       # its stderr
_reset_path = None    # decided on first reset()


def _free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _start_binary():
    global _proc, _log_dir, LOG_PATH
    binary = os.environ.get("TINYSTACK_BIN") or "build/rel/tinystack"
    if not os.path.isabs(binary):
        binary = os.path.join(REPO_ROOT, binary)
    _log_dir = tempfile.mkdtemp(prefix="tinystack-it-")
    LOG_PATH = os.path.join(_log_dir, "tinystack.stderr.log")
    if not os.access(binary, os.X_OK):
        raise RuntimeError("tinystack binary not found or not executable: %s "
                           "(build it, or set TINYSTACK_BIN / TINYSTACK_ENDPOINT)" % binary)
    port = _free_port()
    log = open(LOG_PATH, "wb")
    ready = threading.Event()
    proc = subprocess.Popen([binary, "--port", str(port)], stdin=subprocess.DEVNULL,
                            stdout=log, stderr=subprocess.PIPE)

    def pump():
        # Drain stderr for the whole run (a full pipe would block the daemon).
        for line in iter(proc.stderr.readline, b""):
            log.write(line)
            log.flush()
            if line.strip() == b"Ready.":
                ready.set()
        log.close()

    threading.Thread(target=pump, name="tinystack-stderr", daemon=True).start()
    deadline = time.monotonic() + READY_TIMEOUT
    while not ready.wait(0.01):
        if proc.poll() is not None or time.monotonic() > deadline:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            time.sleep(0.1)  # let the pump thread write what it read
            with open(LOG_PATH, "rb") as f:
                err = f.read().decode("utf-8", "replace")
            raise RuntimeError(
                "tinystack (%s --port %d) did not print 'Ready.' within %.0f s "
                "(exit status %s); stderr in %s:\n%s"
                % (binary, port, READY_TIMEOUT, proc.returncode, LOG_PATH, err))
    _proc = proc
    atexit.register(shutdown)
    return "http://127.0.0.1:%d" % port


def shutdown():
    """SIGTERM the tinystack we started and wait for it.  Returns its exit status."""
    global _proc
    if _proc is None:
        return None
    p, _proc = _proc, None
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return p.returncode


def remove_log_dir():
    """Delete the temp dir holding the server's log (after a clean run)."""
    if _proc is None and _log_dir:
        shutil.rmtree(_log_dir, ignore_errors=True)


def server_died():
    """None while the server we started runs (or when we did not start one),
    else a description with the tail of its stderr."""
    if _proc is None or _proc.poll() is None:
        return None
    time.sleep(0.1)
    with open(LOG_PATH, "rb") as f:
        tail = f.read()[-4000:].decode("utf-8", "replace")
    return "tinystack exited during the run with status %s; stderr (%s) ends:\n%s" % (
        _proc.returncode, LOG_PATH, tail)


ENDPOINT = (os.environ.get("TINYSTACK_ENDPOINT") or "").rstrip("/") or _start_binary()
_ep = urllib.parse.urlsplit(ENDPOINT)
HOST = _ep.hostname
PORT = _ep.port or (443 if _ep.scheme == "https" else 80)

# ---------------------------------------------------------------- reset


def _post(path):
    # A JSON content type: tinystack resets only on a request a browser
    # could not send without a preflight.
    req = urllib.request.Request(ENDPOINT + path, data=b"{}", method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def reset():
    """Forget all state: POST /_tinystack/reset (moto: POST /moto-api/reset)."""
    global _reset_path
    if _reset_path:
        st = _post(_reset_path)
        if st != 200:
            raise RuntimeError("POST %s answered %s" % (_reset_path, st))
        return
    tried = []
    candidates = ["/_tinystack/reset"]
    if _proc is None:  # an external server may be moto
        candidates.append("/moto-api/reset")
    for path in candidates:
        st = _post(path)
        if st == 200:
            _reset_path = path
            return
        tried.append("%s -> %s" % (path, st))
    raise RuntimeError("cannot reset %s: %s" % (ENDPOINT, ", ".join(tried)))


# ---------------------------------------------------------------- clients

VHOST_SUFFIX = "s3.localhost.localstack.cloud"


def _redirect_to_endpoint(request, **kw):
    """before-send hook: connect to ENDPOINT's address whatever the URL's host
    (names like bucket.s3.localhost.localstack.cloud may not resolve here),
    keeping the original Host header, which is what was signed."""
    parts = urllib.parse.urlsplit(request.url)
    if parts.hostname == HOST:
        return None
    request.headers["Host"] = parts.netloc
    request.url = urllib.parse.urlunsplit(
        (parts.scheme, "%s:%d" % (HOST, PORT), parts.path, parts.query, parts.fragment))
    return None


def s3_client(addressing_style="path", region=REGION, **kw):
    """A boto3 S3 client on ENDPOINT.  addressing_style='virtual' gives
    virtual-host style requests (Host: <bucket>.s3.localhost.localstack.cloud:PORT,
    sent to ENDPOINT's address).  Other keyword arguments go to Config."""
    cfg = dict(s3={"addressing_style": addressing_style},
               retries={"max_attempts": 0},
               connect_timeout=10, read_timeout=120)
    cfg.update(kw)
    endpoint = ENDPOINT
    if addressing_style == "virtual":
        endpoint = "%s://%s:%d" % (_ep.scheme, VHOST_SUFFIX, PORT)
    client = boto3.session.Session().client(
        "s3", region_name=region, endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
        config=Config(**cfg))
    if addressing_style == "virtual":
        client.meta.events.register("before-send.s3", _redirect_to_endpoint)
    return client


def add_headers(client, operation, headers):
    """Send extra HTTP headers on every `operation` call of `client` (works on
    old botocores that lack a parameter, e.g. PutObject IfNoneMatch)."""
    def hook(request, **kw):
        for k, v in headers.items():
            request.headers[k] = v
    client.meta.events.register("before-sign.s3.%s" % operation, hook)
    return client


def force_aws_chunked(client):
    """Make `client` send PutObject/UploadPart bodies the way boto3 does over
    TLS: Content-Encoding: aws-chunked with the checksum in a trailer
    (botocore only does that on https by itself)."""
    def hook(params, **kw):
        algo = params.get("context", {}).get("checksum", {}).get("request_algorithm")
        if isinstance(algo, dict):
            algo["in"] = "trailer"
    client.meta.events.register("before-call.s3.PutObject", hook)
    client.meta.events.register("before-call.s3.UploadPart", hook)
    return client


# ---------------------------------------------------------------- raw HTTP

class _Signer(S3SigV4Auth):
    def __init__(self, credentials, service, region, payload_hash):
        super().__init__(credentials, service, region)
        self._payload_hash = payload_hash

    def payload(self, request):
        return self._payload_hash or super().payload(request)


def sign_headers(method, path, headers=None, body=b"", host=None):
    """SigV4-sign a request for `path` (already URL-encoded, may carry a
    query string) and return the headers to send (Host included)."""
    headers = dict(headers or {})
    if host:
        headers["Host"] = host
    # A caller-given x-amz-content-sha256 (UNSIGNED-PAYLOAD, STREAMING-...) is
    # what gets signed; botocore would otherwise replace it by the body's hash.
    preset = [v for k, v in headers.items() if k.lower() == "x-amz-content-sha256"]
    req = AWSRequest(method=method, url=ENDPOINT + path, data=body, headers=headers)
    _Signer(Credentials(ACCESS_KEY, SECRET_KEY), "s3", REGION,
            preset[0] if preset else None).add_auth(req)
    out = dict(req.headers.items())
    out.setdefault("Host", host or _ep.netloc)
    return out


class RawResponse:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # http.client.HTTPMessage: case-insensitive get()
        self.body = body

    def error_code(self):
        return xml_text(self.body, "Code")

    def __repr__(self):
        return "<%d %r>" % (self.status, self.body[:300])


def raw_request(method, path, body=b"", headers=None, host=None, sign=True, timeout=30):
    """One HTTP request over http.client to ENDPOINT's address; `host`
    overrides the Host header.  Signed with SigV4 unless sign=False."""
    if sign:
        hdrs = sign_headers(method, path, headers, body, host)
    else:
        hdrs = dict(headers or {})
        if host:
            hdrs["Host"] = host
    conn = http.client.HTTPConnection(HOST, PORT, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=hdrs)
        r = conn.getresponse()
        data = r.read()
        return RawResponse(r.status, r.headers, data)
    finally:
        conn.close()


def _strip_ns(tag):
    return tag.split("}", 1)[-1]


def xml_text(body, name):
    """Text of the first element called `name` (namespace ignored) or None."""
    if not body:
        return None
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    for el in root.iter():
        if _strip_ns(el.tag) == name:
            return el.text or ""
    return None


def xml_all(body, name):
    root = ET.fromstring(body)
    return [el.text or "" for el in root.iter() if _strip_ns(el.tag) == name]


# ---------------------------------------------------------------- checksums

def md5_hex(data):
    return hashlib.md5(data).hexdigest()


def md5_b64(data):
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def b64(raw):
    return base64.b64encode(raw).decode()


def crc32_b64(data):
    return b64((zlib.crc32(data) & 0xFFFFFFFF).to_bytes(4, "big"))


def _crc32c_table():
    poly, table = 0x82F63B78, []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C = _crc32c_table()


def crc32c_b64(data):
    c = 0xFFFFFFFF
    for byte in data:
        c = _CRC32C[(c ^ byte) & 0xFF] ^ (c >> 8)
    return b64((c ^ 0xFFFFFFFF).to_bytes(4, "big"))


def sha1_b64(data):
    return b64(hashlib.sha1(data).digest())


def sha256_b64(data):
    return b64(hashlib.sha256(data).digest())


def multipart_etag(parts):
    """AWS's ETag of a completed multipart upload made of `parts` (bytes)."""
    digests = b"".join(hashlib.md5(p).digest() for p in parts)
    return '"%s-%d"' % (hashlib.md5(digests).hexdigest(), len(parts))


# ---------------------------------------------------------------- aws-chunked

def aws_chunked_unsigned(data, chunk=64 * 1024, trailer=None):
    """Body framed as aws-chunked with an unsigned trailer (what SDKs send
    with x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER).
    `trailer` is ("x-amz-checksum-crc32", value) or None."""
    out = []
    for i in range(0, len(data), chunk):
        piece = data[i:i + chunk]
        out.append(b"%x\r\n%s\r\n" % (len(piece), piece))
    out.append(b"0\r\n")
    if trailer:
        out.append(("%s:%s\r\n" % trailer).encode())
    out.append(b"\r\n")
    return b"".join(out)


def _hmac(key, msg):
    return hmac.new(key, msg.encode() if isinstance(msg, str) else msg, hashlib.sha256).digest()


def signed_chunked_request(path, data, chunk=64 * 1024, extra_headers=None):
    """Headers and body of a PUT whose payload is aws-chunked with SigV4
    chunk signatures (x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD),
    as the Java and older JS SDKs send it.  Returns (headers, body)."""
    pieces = [data[i:i + chunk] for i in range(0, len(data), chunk)] + [b""]
    sig_len = 64
    framed_len = sum(len(b"%x;chunk-signature=" % len(p)) + sig_len + 2 + len(p) + 2
                     for p in pieces)
    headers = {"x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
               "Content-Encoding": "aws-chunked",
               "x-amz-decoded-content-length": str(len(data)),
               "Content-Length": str(framed_len)}
    headers.update(extra_headers or {})
    signed = sign_headers("PUT", path, headers)
    auth = signed["Authorization"]
    prev = auth.rsplit("Signature=", 1)[1].strip()
    amz_date = signed["X-Amz-Date"]
    scope = "%s/%s/s3/aws4_request" % (amz_date[:8], REGION)
    key = _hmac(("AWS4" + SECRET_KEY).encode(), amz_date[:8])
    for part in (REGION, "s3", "aws4_request"):
        key = _hmac(key, part)
    empty = hashlib.sha256(b"").hexdigest()
    body = []
    for p in pieces:
        sts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, prev, empty,
                         hashlib.sha256(p).hexdigest()])
        prev = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
        body.append(b"%x;chunk-signature=%s\r\n%s\r\n" % (len(p), prev.encode(), p))
    body = b"".join(body)
    assert len(body) == framed_len
    return signed, body


def send_raw_bytes(raw, timeout=10, half_close=False):
    """Write `raw` (a whole HTTP request, head and body) on a fresh socket to
    ENDPOINT; with half_close, shut our side down afterwards (a client that
    vanished mid-body).  Returns (status or None, response bytes)."""
    s = socket.create_connection((HOST, PORT), timeout=timeout)
    try:
        s.sendall(raw)
        if half_close:
            s.shutdown(socket.SHUT_WR)
        chunks = []
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                chunks.append(b)
                if not half_close and b"\r\n\r\n" in b"".join(chunks):
                    head, _, rest = b"".join(chunks).partition(b"\r\n\r\n")
                    m = [l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
                    if m and len(rest) >= int(m[0].split(b":", 1)[1]):
                        break
        except (socket.timeout, ConnectionResetError):
            pass
    finally:
        s.close()
    resp = b"".join(chunks)
    status = None
    if resp.startswith(b"HTTP/1."):
        status = int(resp.split(b" ", 2)[1])
    return status, resp


def request_bytes(method, path, headers, body=b""):
    head = ["%s %s HTTP/1.1" % (method, path)]
    head += ["%s: %s" % (k, v) for k, v in headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


# ---------------------------------------------------------------- test base

_names = itertools.count(1)


def unique_bucket(prefix="b"):
    return "%s-%d-%d" % (prefix, os.getpid() % 100000, next(_names))


class S3TestCase(unittest.TestCase):
    """Resets the server once before each test class; gives `self.s3` and
    helpers.  Tests in a class share state, so each uses its own buckets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        reset()
        cls.s3 = s3_client()

    def bucket(self, prefix="b"):
        """Create a fresh bucket and return its name."""
        name = unique_bucket(prefix)
        self.s3.create_bucket(Bucket=name)
        return name

    def assertError(self, code, status, fn, *args, **kwargs):
        """fn(*args, **kwargs) must raise ClientError `code` with HTTP `status`;
        returns the error response dict."""
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kwargs)
        resp = cm.exception.response
        got = (resp.get("Error", {}).get("Code"),
               resp.get("ResponseMetadata", {}).get("HTTPStatusCode"))
        self.assertEqual(got, (code, status), "expected %s/%s, got %r" % (code, status, resp))
        return resp

    def assertRequestIds(self, resp, what=""):
        h = resp["ResponseMetadata"]["HTTPHeaders"]
        for name in ("x-amz-request-id", "x-amz-id-2"):
            self.assertTrue(h.get(name), "%s: no %s header in %r" % (what, name, h))

    def put(self, bucket, key, body=b"x", **kw):
        return self.s3.put_object(Bucket=bucket, Key=key, Body=body, **kw)

    def get_body(self, bucket, key, **kw):
        return self.s3.get_object(Bucket=bucket, Key=key, **kw)["Body"].read()

    def headers(self, resp):
        return resp["ResponseMetadata"]["HTTPHeaders"]
