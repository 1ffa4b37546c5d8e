"""Uploads cut short and data that cannot be read (issue 10, defect 10):
a body that did not arrive whole never becomes an object or a part, and
a GET whose data cannot be read closes the connection instead of sending
200 headers and then stalling."""

import http.client
import os
import shutil
import socket
import sqlite3
import struct
import tempfile
import time
import unittest

from tinystack_env import HOST, PORT, S3TestCase, request_bytes, sign_headers, unique_bucket
from test_daemon import Daemon

SIZE = 3 * 1024 * 1024
DATA = os.urandom(SIZE)


def send_and_vanish(path, headers, body, reset, host=None, port=None):
    """Sends a request head and part of its body, then goes away: with a
    FIN, or with a RST (SO_LINGER 0) when reset."""
    hdrs = sign_headers("PUT", path, headers, host=host)
    s = socket.create_connection((HOST, port or PORT), timeout=10)
    s.sendall(request_bytes("PUT", path, hdrs, body))
    time.sleep(0.2)
    if reset:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    time.sleep(0.2)


def http_chunked(body, cut):
    out = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 65536]), body[i:i + 65536])
                   for i in range(0, len(body), 65536))
    return out[:cut]


class TestUploadsCutShort(S3TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.b = unique_bucket("cut")
        cls.s3.create_bucket(Bucket=cls.b)

    def cases(self):
        plain = {"Content-Length": str(SIZE), "x-amz-content-sha256": "UNSIGNED-PAYLOAD"}
        te = {"Transfer-Encoding": "chunked", "x-amz-content-sha256": "UNSIGNED-PAYLOAD"}
        aws = {"Transfer-Encoding": "chunked", "Content-Encoding": "aws-chunked",
               "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
               "x-amz-decoded-content-length": str(SIZE)}
        framed = b"".join(b"%x\r\n%s\r\n" % (len(DATA[i:i + 65536]), DATA[i:i + 65536])
                          for i in range(0, SIZE, 65536))
        for reset in (False, True):
            for cut in (1, 300 * 1024, 256 * 1024, SIZE - 1):
                yield "length-%d-%s" % (cut, reset), plain, DATA[:cut], reset
            for cut in (100, 256 * 1024 + 7, len(framed) - 10, 10 ** 9):
                yield "te-%d-%s" % (cut, reset), te, http_chunked(DATA, cut), reset
                # aws-chunked inside HTTP chunked, ending before its last chunk.
                yield "aws-%d-%s" % (cut, reset), aws, http_chunked(framed[:-5], cut), reset

    def test_put_object_cut_short_leaves_nothing(self):
        for key, headers, body, reset in self.cases():
            with self.subTest(key=key):
                send_and_vanish("/%s/%s" % (self.b, key), headers, body, reset)
                self.assertError("404", 404, self.s3.head_object, Bucket=self.b, Key=key)
        self.assertEqual(self.s3.list_objects_v2(Bucket=self.b)["KeyCount"], 0)
        self.s3.put_object(Bucket=self.b, Key="after", Body=b"still serving")
        self.assertEqual(self.get_body(self.b, "after"), b"still serving")
        self.s3.delete_object(Bucket=self.b, Key="after")

    def test_upload_part_cut_short_leaves_no_part(self):
        uid = self.s3.create_multipart_upload(Bucket=self.b, Key="mpu")["UploadId"]
        for n, (key, headers, body, reset) in enumerate(self.cases(), 1):
            with self.subTest(case=key):
                send_and_vanish("/%s/mpu?partNumber=%d&uploadId=%s" % (self.b, n, uid),
                                headers, body, reset)
        self.assertEqual(self.s3.list_parts(Bucket=self.b, Key="mpu", UploadId=uid).get("Parts", []),
                         [])
        self.s3.abort_multipart_upload(Bucket=self.b, Key="mpu", UploadId=uid)


class TestUnreadableData(unittest.TestCase):
    """Objects whose chunks are gone (a damaged store): the GET must end."""

    def test_get_closes_instead_of_stalling(self):
        data = tempfile.mkdtemp(prefix="tinystack-broken-")
        self.addCleanup(shutil.rmtree, data, True)
        d = Daemon(["--data-dir", data])
        s3 = d.client("s3")
        s3.create_bucket(Bucket="broken")
        s3.put_object(Bucket="broken", Key="big", Body=DATA)
        s3.put_object(Bucket="broken", Key="small", Body=b"s" * 10000)
        s3.put_object(Bucket="broken", Key="short", Body=DATA[:SIZE // 2])
        self.assertEqual(d.stop(), 0)
        db = sqlite3.connect(os.path.join(data, "tinystack.db"))
        blobs = dict(db.execute("SELECT key, blobs FROM s3_object").fetchall())
        big = int(blobs["big"].split(":")[0])
        small = int(blobs["small"].split(":")[0])
        short = int(blobs["short"].split(":")[0])
        db.execute("DELETE FROM chunk WHERE id = ?", ((big << 20) | 5,))
        db.execute("DELETE FROM chunk WHERE id = ?", ((small << 20) | 0,))
        db.execute("UPDATE chunk SET data = substr(data, 1, 1000) WHERE id = ?", ((short << 20) | 5,))
        db.commit()
        db.close()
        d = Daemon(["--data-dir", data])
        try:
            for key, size in (("big", SIZE), ("short", SIZE // 2)):
                with self.subTest(key=key):
                    c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
                    path = "/broken/" + key
                    c.request("GET", path, headers=sign_headers("GET", path,
                                                                host="127.0.0.1:%d" % d.port))
                    r = c.getresponse()
                    self.assertEqual(r.status, 200)
                    start = time.monotonic()
                    with self.assertRaises(http.client.IncompleteRead):
                        r.read()
                    self.assertLess(time.monotonic() - start, 5, "the GET stalled")
                    c.close()
            # A small body is read before the headers go: an error, at once.
            c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
            c.request("GET", "/broken/small", headers=sign_headers(
                "GET", "/broken/small", host="127.0.0.1:%d" % d.port))
            r = c.getresponse()
            self.assertEqual(r.status, 500)
            self.assertIn(b"InternalError", r.read())
            c.close()
            self.assertEqual(d.client("s3").head_object(Bucket="broken", Key="big")["ContentLength"],
                             SIZE)
        finally:
            self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    unittest.main()
