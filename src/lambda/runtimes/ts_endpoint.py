"""Where handler code written for LocalStack finds tinystack.

Handlers in the wild reach "LocalStack" by a handful of names:
http://localhost:4566, http://localstack:4566, host.docker.internal:4566,
localhost.localstack.cloud and its subdomains (S3 virtual hosts such as
bucket.s3.localhost.localstack.cloud), AWS_ENDPOINT_URL, or no endpoint at
all.  tinystack runs handlers as local processes, often on another port
than 4566 (tests use a free one), so this module makes those names lead to
the address tinystack really listens on, H:P from the private _TS_EDGE:

- socket.getaddrinfo is wrapped: the LocalStack names resolve to H, and
  port 4566 on them or on the loopback names becomes P.  Everything that
  connects through the standard library (http.client, urllib, urllib3,
  requests, botocore, asyncio) asks getaddrinfo first, so the Host header
  and TLS name stay what the code wrote and only the socket goes elsewhere.
  Every other host is resolved as before.
- botocore older than 1.31 ignores AWS_ENDPOINT_URL; for those, a client
  created without endpoint_url gets AWS_ENDPOINT_URL, read when the client
  is made.  The patch is applied when botocore.session is imported (or at
  once if it already is), and never to a botocore that reads the variable
  itself.

Standard library only; nothing here runs unless install() is called.
"""

import os
import socket
import sys

EDGE_PORT = 4566
NAMES = ("localstack", "host.docker.internal", "localhost.localstack.cloud")
SUFFIX = ".localhost.localstack.cloud"
LOOPBACK = ("localhost", "127.0.0.1", "::1", "0.0.0.0", "localhost.localdomain")

_real_getaddrinfo = socket.getaddrinfo
_edge = None        # (host, port) tinystack listens on
_keep = None        # (host, port) never rewritten: the Runtime API


def _split(address):
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)


def _target(host, port):
    """The (host, port) to resolve instead of (host, port), or None."""
    if not isinstance(host, str):
        if not isinstance(host, bytes):
            return None
        host = host.decode("ascii", "replace")
    name = host.lower().rstrip(".")
    try:
        num = int(port) if port is not None else None
    except (TypeError, ValueError):
        return None
    if _keep is not None and (name, num) == _keep:
        return None
    if name in NAMES or name.endswith(SUFFIX):
        return _edge[0], (_edge[1] if num == EDGE_PORT else port)
    if name in LOOPBACK and num == EDGE_PORT and (name, num) != _edge:
        return _edge
    return None


def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
    """socket.getaddrinfo, with the LocalStack names and port led to tinystack."""
    t = _target(host, port)
    if t is not None:
        host, port = t
    return _real_getaddrinfo(host, port, family, type, proto, flags)


def _botocore_reads_endpoint_env(botocore):
    try:
        version = tuple(int(x) for x in botocore.__version__.split(".")[:2])
    except ValueError:
        return True
    return version >= (1, 31)


def _patch_session(mod):
    """Gives Session.create_client AWS_ENDPOINT_URL as its default endpoint."""
    cls = mod.Session
    if getattr(cls.create_client, "_ts_default_endpoint", False):
        return
    orig = cls.create_client

    def create_client(self, *args, **kwargs):
        url = os.environ.get("AWS_ENDPOINT_URL")
        if url:
            if len(args) > 5:       # service, region, api_version, use_ssl, verify, endpoint_url
                if args[5] is None:
                    args = args[:5] + (url,) + args[6:]
            elif kwargs.get("endpoint_url") is None:
                kwargs["endpoint_url"] = url
        return orig(self, *args, **kwargs)

    create_client._ts_default_endpoint = True
    create_client.__wrapped__ = orig
    create_client.__doc__ = orig.__doc__
    cls.create_client = create_client


class _SessionHook:
    """A meta-path finder that patches botocore.session once it is loaded."""

    def find_spec(self, fullname, path, target=None):
        if fullname != "botocore.session":
            return None
        sys.meta_path.remove(self)
        import importlib.util
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_patch(module):
            exec_module(module)
            if not _botocore_reads_endpoint_env(sys.modules["botocore"]):
                _patch_session(module)

        spec.loader.exec_module = exec_and_patch
        return spec


def _install_botocore_default():
    mod = sys.modules.get("botocore.session")
    if mod is not None:
        if not _botocore_reads_endpoint_env(sys.modules["botocore"]):
            _patch_session(mod)
        return
    if not any(isinstance(f, _SessionHook) for f in sys.meta_path):
        sys.meta_path.insert(0, _SessionHook())


def install(edge, runtime_api=None):
    """Leads the LocalStack names to edge ("H:P"); keeps runtime_api as it is.

    Safe to call more than once (the zygote's children call it again with
    their own address).  Without an edge only the botocore default applies.
    """
    global _edge, _keep
    if edge:
        h, p = _split(edge)
        _edge = (h, p)
        _keep = _split(runtime_api) if runtime_api else None
        if _keep is not None:
            _keep = (_keep[0].lower(), _keep[1])
        socket.getaddrinfo = getaddrinfo
    _install_botocore_default()
