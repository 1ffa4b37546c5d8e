"""A 100 MiB object through boto3's managed transfers (multipart up,
ranged/parallel down), byte for byte."""

import hashlib
import os
import shutil
import tempfile
import unittest

from boto3.s3.transfer import TransferConfig

from tinystack_env import MiB, S3TestCase, multipart_etag

SIZE = 100 * MiB
PART = 8 * MiB


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(MiB), b""):
            h.update(block)
    return h.hexdigest()


class TestBigObject(S3TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix="tinystack-big-")
        cls.src = os.path.join(cls.tmp, "src.bin")
        cls.parts = []
        with open(cls.src, "wb") as f:
            seed = os.urandom(MiB)
            for i in range(SIZE // MiB):
                # Every MiB differs, so a misplaced part cannot compare equal.
                f.write(hashlib.sha256(b"%d" % i).digest() + seed[32:])
        with open(cls.src, "rb") as f:
            cls.parts = [hashlib.md5(f.read(PART)).digest() for _ in range((SIZE + PART - 1) // PART)]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)
        super().tearDownClass()

    def test_upload_download_100mib(self):
        b = self.bucket("big")
        cfg = TransferConfig(multipart_threshold=PART, multipart_chunksize=PART, max_concurrency=4)
        self.s3.upload_file(self.src, b, "big/object.bin", Config=cfg)
        head = self.s3.head_object(Bucket=b, Key="big/object.bin")
        self.assertEqual(head["ContentLength"], SIZE)
        n = len(self.parts)
        want = '"%s-%d"' % (hashlib.md5(b"".join(self.parts)).hexdigest(), n)
        self.assertEqual(head["ETag"], want)
        dst = os.path.join(self.tmp, "dst.bin")
        self.s3.download_file(b, "big/object.bin", dst, Config=cfg)
        self.assertEqual(os.path.getsize(dst), SIZE)
        self.assertEqual(sha256_file(dst), sha256_file(self.src), "downloaded bytes differ")
        # A plain ranged GET from the middle.
        r = self.s3.get_object(Bucket=b, Key="big/object.bin",
                               Range="bytes=%d-%d" % (50 * MiB - 5, 50 * MiB + 4))
        with open(self.src, "rb") as f:
            f.seek(50 * MiB - 5)
            self.assertEqual(r["Body"].read(), f.read(10))
        os.unlink(dst)
        self.s3.delete_object(Bucket=b, Key="big/object.bin")

    def test_multipart_etag_helper(self):
        # Pins the helper the ETag assertions rely on: md5 of the part digests, "-N".
        self.assertEqual(multipart_etag([b"a", b"b"]),
                         '"%s-2"' % hashlib.md5(hashlib.md5(b"a").digest()
                                               + hashlib.md5(b"b").digest()).hexdigest())


if __name__ == "__main__":
    unittest.main()
