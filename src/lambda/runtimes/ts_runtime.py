"""tinystack's Python runtime client: the AWS Lambda Runtime API loop.

Run by the daemon as `python3 <runtime dir>/ts_runtime.py`, or entered
through main() in a child of the fork server (ts_zygote.py), it is the
execution environment's process.  It speaks AWS's Runtime API over one
keep-alive HTTP/1.1 connection to AWS_LAMBDA_RUNTIME_API:

    GET  /2018-06-01/runtime/invocation/next          (long poll)
    POST /2018-06-01/runtime/invocation/{id}/response | /error
    POST /2018-06-01/runtime/init/error

and behaves as AWS's own Python runtime (awslambdaric) does, so that
handler code and its tests see the same thing: handler strings
"file.func", "dir/file.func" and "pkg.mod.func" under LAMBDA_TASK_ROOT;
the same Runtime.* errors with the same wording, reported through
init/error before the process exits 1; the same error documents and
tracebacks; a root logging handler in AWS's format; a JSON encoder that
writes Decimal as a number.  Records it formats go whole, multi-line
included, to the log fd named by the private _TS_LOG_FD, each framed as
a 4-byte big-endian length, an 8-byte big-endian time in microseconds
since the epoch, then the UTF-8 text.  docs/lambda-runtimes.md is the
contract with the daemon.  Standard library only.
"""

import decimal
import http.client
import importlib
import json
import logging
import math
import os
import re
import socket
import struct
import sys
import threading
import time
import traceback

import ts_endpoint

API = "/2018-06-01/runtime"
MAX_RESPONSE = 6 * 1024 * 1024      # the daemon answers 413 past this
RUNTIME_DIR = os.path.dirname(os.path.abspath(__file__))
RUNTIME_FILES = (os.path.join(RUNTIME_DIR, "ts_runtime.py"),
                 os.path.join(RUNTIME_DIR, "ts_zygote.py"))
NBSP = "\u00a0"
LAMBDA_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in "
    "the function code. However, in rare cases, a Lambda runtime update can "
    "cause unexpected function behavior. For functions using managed runtimes, "
    "runtime updates can be triggered by a function change, or can be applied "
    "automatically. To determine if the runtime has been updated, check the "
    "runtime version in the INIT_START log entry. If this error correlates with "
    "a change in the runtime version, you may be able to mitigate this error by "
    "temporarily rolling back to the previous runtime version. For more "
    "information, see https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html")

_request_id = None      # the invocation being handled, for the log records
_tenant_id = None


class Fault(Exception):
    """An error the runtime itself reports, with AWS's Runtime.* type."""

    MARSHAL = "Runtime.MarshalError"
    UNMARSHAL = "Runtime.UnmarshalError"
    SYNTAX = "Runtime.UserCodeSyntaxError"
    NOT_FOUND = "Runtime.HandlerNotFound"
    IMPORT = "Runtime.ImportModuleError"
    BUILT_IN = "Runtime.BuiltInModuleConflict"
    MALFORMED = "Runtime.MalformedHandlerName"
    CONTEXT = "Runtime.LambdaContextUnmarshalError"

    def __init__(self, kind, msg, trace=None):
        super().__init__(msg)
        self.kind = kind
        self.msg = msg
        self.trace = trace


def _exit(code):
    """Ends the process now: user threads must not keep an orphan alive."""
    for f in (sys.stdout, sys.stderr):
        try:
            f.flush()
        except Exception:   # noqa: BLE001 - a closed stream must not stop the exit
            pass
    os._exit(code)


def _die(why):
    sys.stderr.write("ts_runtime: %s\n" % why)
    _exit(1)


# ---------------------------------------------------------------- Runtime API

class _Connection(http.client.HTTPConnection):
    """HTTPConnection with Nagle off: a request never waits for a delayed ACK."""

    def connect(self):
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class RuntimeAPI:
    """One keep-alive HTTP/1.1 connection to the Runtime API.

    A dropped connection is reopened once per request; if that fails too the
    daemon is gone and the process exits 1, which is how an orphaned
    environment dies.
    """

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            _die("AWS_LAMBDA_RUNTIME_API is not host:port: %r" % address)
        self.host, self.port = host.strip("[]"), int(port)
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        """Returns (status, response headers, body bytes)."""
        retry = body is None or len(body) <= MAX_RESPONSE
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = _Connection(self.host, self.port)
            try:
                self.conn.request(method, API + path, body=body, headers=headers or {})
                r = self.conn.getresponse()
                data = r.read()
                if r.will_close:
                    self.conn.close()
                    self.conn = None
                return r.status, r, data
            except (OSError, http.client.HTTPException) as e:
                self.conn.close()
                self.conn = None
                if not retry:
                    # A body past the limit may have been cut off by the 413:
                    # the daemon has answered the caller already.
                    return 413, None, b""
                if attempt:
                    _die("Runtime API %s:%d unreachable: %s" % (self.host, self.port, e))
        raise AssertionError("unreachable")

    def next(self):
        status, r, body = self.request("GET", "/invocation/next")
        if status != 200:
            _die("GET /invocation/next answered %d: %r" % (status, body[:200]))
        return r, body

    def post(self, path, body, headers):
        status, _, data = self.request("POST", path, body, headers)
        if status not in (200, 202, 413):
            sys.stderr.write("ts_runtime: POST %s answered %d: %r\n" % (path, status, data[:200]))
        return status

    def post_response(self, rid, body, content_type):
        return self.post("/invocation/%s/response" % rid, body, {"Content-Type": content_type})

    def post_error(self, rid, doc):
        return self.post("/invocation/%s/error" % rid, to_json(doc).encode(),
                         {"Content-Type": "application/json",
                          "Lambda-Runtime-Function-Error-Type": doc["errorType"]})

    def post_init_error(self, doc):
        return self.post("/init/error", to_json(doc).encode(),
                         {"Content-Type": "application/json",
                          "Lambda-Runtime-Function-Error-Type": doc["errorType"]})


# ---------------------------------------------------------------- JSON

class _Encoder(json.JSONEncoder):
    """json.JSONEncoder that writes a Decimal as its own digits, as
    awslambdaric's simplejson encoder does (a NaN Decimal becomes NaN), and
    bytes inside a result as UTF-8 text, as simplejson does.

    The standard library cannot emit raw text from default(), so each
    Decimal becomes a placeholder string carrying a random tag, replaced
    by the digits after encoding; the tag keeps user strings from matching.
    """

    def __init__(self):
        super().__init__(ensure_ascii=_ENSURE_ASCII)
        self._raw = None
        self._tag = None

    def default(self, o):
        if isinstance(o, decimal.Decimal):
            if o.is_nan():
                return math.nan
            if self._raw is None:
                self._raw = []
                self._tag = os.urandom(8).hex()
            self._raw.append(str(o))
            return "\x00%s:%d\x00" % (self._tag, len(self._raw) - 1)
        if isinstance(o, bytes):
            return o.decode("utf-8")    # simplejson's encoding="utf-8"
        return super().default(o)

    def encode(self, o):
        s = super().encode(o)
        if self._raw:
            raw = self._raw
            s = re.sub(r'"\\u0000%s:(\d+)\\u0000"' % self._tag,
                       lambda m: raw[int(m.group(1))], s)
        return s


def _ensure_ascii():
    # AWS's python3.12 runtime and later write non-ASCII characters as they
    # are; the runtimes before it escape them.
    m = re.match(r"AWS_Lambda_python(\d+)\.(\d+)", os.environ.get("AWS_EXECUTION_ENV", ""))
    return not (m and (int(m.group(1)), int(m.group(2))) >= (3, 12))


_ENSURE_ASCII = True


def to_json(obj):
    return _Encoder().encode(obj)


def marshal_response(result):
    """(body bytes, content type) of a handler's result, or raises Fault."""
    if isinstance(result, bytes):
        return result, "application/unknown"
    try:
        return to_json(result).encode("utf-8"), "application/json"
    except Exception as e:  # noqa: BLE001 - any failure is AWS's MarshalError
        raise Fault(Fault.MARSHAL, "Unable to marshal response: %s" % e)


def unmarshal_request(body, content_type):
    if content_type not in (None, "", "application/json"):
        return body
    try:
        return json.loads(body)
    except Exception as e:  # noqa: BLE001
        raise Fault(Fault.UNMARSHAL, "Unable to unmarshal input: %s" % e)


# ---------------------------------------------------------------- logging

class FrameSink:
    """Writes each record whole to the daemon's log fd, framed."""

    def __init__(self, fd):
        self.fd = fd
        self.lock = threading.Lock()

    def log(self, msg):
        data = msg.encode("utf-8", "replace")
        frame = struct.pack(">IQ", len(data), time.time_ns() // 1000) + data
        with self.lock:
            view = memoryview(frame)
            while view:
                try:
                    n = os.write(self.fd, view)
                except InterruptedError:
                    continue
                except OSError:
                    return      # the daemon stopped reading: nothing to tell
                view = view[n:]

    def log_error(self, lines):
        self.log("\n".join(lines))


class StreamSink:
    """Without a log fd, records go to stderr; an error's lines are joined
    by CR so that a line-reading collector keeps them as one event."""

    def log(self, msg):
        sys.stderr.write(msg)
        sys.stderr.flush()

    def log_error(self, lines):
        self.log("\r".join(lines) + "\n")


class _Handler(logging.Handler):
    def __init__(self, sink):
        super().__init__()
        self.log_sink = sink

    def emit(self, record):
        try:
            self.log_sink.log(self.format(record))
        except Exception:   # noqa: BLE001 - logging never raises into user code
            self.handleError(record)


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id or ""
        record.tenant_id = _tenant_id
        return True


_RESERVED = frozenset((
    "name", "msg", "args", "levelname", "levelno", "pathname", "filename",
    "module", "exc_info", "exc_text", "stack_info", "lineno", "funcName",
    "created", "msecs", "relativeCreated", "thread", "threadName",
    "processName", "process", "aws_request_id", "tenant_id", "_frame_type",
    "taskName"))


class JsonFormatter(logging.Formatter):
    """AWS_LAMBDA_LOG_FORMAT=JSON: one JSON object a record, as AWS writes it."""

    def formatTime(self, record, datefmt=None):
        t = time.gmtime(record.created)
        return time.strftime("%Y-%m-%dT%H:%M:%S", t) + ".%03dZ" % int(record.msecs)

    def format(self, record):
        record.levelno = min(50, max(0, record.levelno)) // 10 * 10
        record.levelname = logging.getLevelName(record.levelno)
        exc = record.exc_info
        doc = {
            "timestamp": self.formatTime(record),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "stackTrace": traceback.format_tb(exc[2]) if exc else None,
            "errorType": exc[0].__name__ if exc else None,
            "errorMessage": str(exc[1]) if exc else None,
            "requestId": getattr(record, "aws_request_id", None),
            "location": "%s:%s:%s" % (record.pathname, record.funcName, record.lineno) if exc else None,
        }
        if getattr(record, "tenant_id", None) is not None:
            doc["tenantId"] = record.tenant_id
        for k, v in record.__dict__.items():
            if k not in _RESERVED and k not in doc:
                doc[k] = v
        doc = {k: v for k, v in doc.items() if v is not None}
        return json.dumps(doc, ensure_ascii=False, default=str) + "\n"


def _json_logs():
    return os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON"


def setup_logging(sink):
    """Installs the root handler AWS installs, at the level AWS sets."""
    logging.Formatter.converter = time.gmtime
    handler = _Handler(sink)
    if _json_logs():
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
            "%Y-%m-%dT%H:%M:%S"))
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
    level = {None: "", "TRACE": "DEBUG"}.get(level, level).upper()
    if level in logging._nameToLevel:
        root.setLevel(level)
    root.addHandler(handler)


def log_error(doc, sink):
    """Logs an error document as AWS does: "[ERROR] Type: message" and the
    traceback, leading spaces turned to no-break spaces, as one record."""
    if _json_logs():
        rec = {"timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()),
               "level": "ERROR"}
        rec.update(doc)
        sink.log_error([to_json(rec)])
        return
    head = "[ERROR]"
    if doc.get("errorType"):
        head += " " + doc["errorType"]
    if doc.get("errorMessage"):
        if doc.get("errorType"):
            head += ":"
        head += " " + doc["errorMessage"]
    lines = [head]
    trace = doc.get("stackTrace")
    if trace is not None:
        lines.append("Traceback (most recent call last):")
        for element in trace:
            if element == "":
                lines.append("")
                continue
            for line in element.splitlines():
                stripped = line.lstrip(" ")
                lines.append(NBSP * (len(line) - len(stripped)) + stripped)
    sink.log_error(lines)


def make_error(message, kind, trace, request_id=None):
    return {"errorMessage": message or "",
            "errorType": kind or "",
            "requestId": request_id if request_id is not None else "",
            "stackTrace": trace or []}


def _user_frames(tb):
    """The traceback's frames from the first one outside this runtime."""
    frames = traceback.extract_tb(tb)
    for i, f in enumerate(frames):
        if f.filename not in RUNTIME_FILES:
            return traceback.format_list(frames[i:])
    return traceback.format_list(frames)


def error_from_exception(e, request_id=None):
    return make_error(str(e), type(e).__name__, _user_frames(e.__traceback__), request_id)


# ---------------------------------------------------------------- handler

def load_handler(spec):
    """The function a handler string names, or raises Fault as AWS does."""
    try:
        modname, fname = spec.rsplit(".", 1)
    except ValueError as e:
        raise Fault(Fault.MALFORMED, "Bad handler '%s': %s" % (spec, e))
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise Fault(Fault.BUILT_IN,
                        "Cannot use built-in module %s as a handler module" % modname)
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise Fault(Fault.IMPORT, "Unable to import module '%s': %s" % (modname, e))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise Fault(Fault.SYNTAX, "Syntax error in module '%s': %s" % (modname, e), trace)
    try:
        return getattr(module, fname)
    except AttributeError:
        raise Fault(Fault.NOT_FOUND, "Handler '%s' missing on module '%s'" % (fname, modname))


class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __repr__(self):
        return "CognitoIdentity([cognito_identity_id=%s,cognito_identity_pool_id=%s])" % (
            self.cognito_identity_id, self.cognito_identity_pool_id)


class Client:
    __slots__ = ("installation_id", "app_title", "app_version_name",
                 "app_version_code", "app_package_name")

    def __repr__(self):
        return "Client([%s])" % ",".join("%s=%s" % (k, getattr(self, k)) for k in self.__slots__)


class ClientContext:
    __slots__ = ("custom", "env", "client")

    def __repr__(self):
        return "ClientContext([custom=%s,env=%s,client=%s])" % (self.custom, self.env, self.client)


def _from_dict(cls, d):
    if d is None:
        return None
    obj = cls()
    for k in cls.__slots__:
        setattr(obj, k, d.get(k) if isinstance(d, dict) else None)
    return obj


class LambdaContext:
    """The context handlers get, with awslambdaric's attributes."""

    def __init__(self, request_id, client_context, identity, deadline_ms, arn, tenant_id=None):
        env = os.environ
        self.aws_request_id = request_id
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = arn
        self.tenant_id = tenant_id
        if isinstance(client_context, dict):
            client_context.pop("w3c", None)
        self.client_context = _from_dict(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = _from_dict(Client, self.client_context.client)
        self.identity = _from_dict(CognitoIdentity, {})
        if isinstance(identity, dict):
            self.identity.cognito_identity_id = identity.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = identity.get("cognitoIdentityPoolId")
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        left = self._deadline_ms - int(time.time() * 1000)
        return left if left > 0 else 0

    def log(self, msg):
        for h in logging.getLogger().handlers:
            if hasattr(h, "log_sink"):
                h.log_sink.log(str(msg))
                return
        sys.stdout.write(str(msg))

    def __repr__(self):
        return ("LambdaContext([aws_request_id=%s,log_group_name=%s,log_stream_name=%s,"
                "function_name=%s,memory_limit_in_mb=%s,function_version=%s,"
                "invoked_function_arn=%s,client_context=%s,identity=%s,tenant_id=%s])" % (
                    self.aws_request_id, self.log_group_name, self.log_stream_name,
                    self.function_name, self.memory_limit_in_mb, self.function_version,
                    self.invoked_function_arn, self.client_context, self.identity,
                    self.tenant_id))


def _json_header(value, name):
    if not value:
        return None
    try:
        return json.loads(value)
    except Exception as e:  # noqa: BLE001
        raise Fault(Fault.CONTEXT, "Unable to parse %s JSON: %s" % (name, e))


def handle(api, handler, r, body, sink):
    """Runs one invocation and posts its result or its error."""
    rid = r.getheader("Lambda-Runtime-Aws-Request-Id") or ""
    try:
        deadline = int(r.getheader("Lambda-Runtime-Deadline-Ms") or 0)
    except ValueError:
        deadline = 0
    error = None
    try:
        ctx = LambdaContext(rid,
                            _json_header(r.getheader("Lambda-Runtime-Client-Context"), "Client Context"),
                            _json_header(r.getheader("Lambda-Runtime-Cognito-Identity"), "Cognito Identity"),
                            deadline,
                            r.getheader("Lambda-Runtime-Invoked-Function-Arn"),
                            r.getheader("Lambda-Runtime-Aws-Tenant-Id"))
        event = unmarshal_request(body, r.getheader("Content-Type"))
        result = handler(event, ctx)
        payload, content_type = marshal_response(result)
    except Fault as e:
        error = make_error(e.msg, e.kind, e.trace, rid)
    except Exception as e:  # noqa: BLE001 - the handler's error is the answer
        error = error_from_exception(e, rid)
    if error is not None:
        log_error(error, sink)
        api.post_error(rid, error)
    else:
        api.post_response(rid, payload, content_type)


# ---------------------------------------------------------------- main

def _take_private_env():
    """Removes the daemon's private variables before user code can see them."""
    env = os.environ
    return env.pop("_TS_EDGE", None), env.pop("_TS_LOG_FD", None)


def fix_sys_path(task_root):
    """The task root first, as on AWS; this runtime's folder last, so a user
    module can never be shadowed by it."""
    drop = {"", RUNTIME_DIR, task_root, os.path.realpath(RUNTIME_DIR)}
    rest = [p for p in sys.path if p not in drop]
    sys.path[:] = [task_root] + rest + [RUNTIME_DIR]


def make_sink(log_fd):
    if log_fd:
        try:
            fd = int(log_fd)
            os.fstat(fd)
            return FrameSink(fd)
        except (ValueError, OSError):
            pass
    return StreamSink()


def main():
    """Initialises the function and serves invocations until the process ends."""
    global _request_id, _tenant_id, _ENSURE_ASCII
    edge, log_fd = _take_private_env()
    address = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    if not address:
        _die("AWS_LAMBDA_RUNTIME_API is not set")
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    fix_sys_path(task_root)
    _ENSURE_ASCII = _ensure_ascii()
    ts_endpoint.install(edge, address)
    for f in (sys.stdout, sys.stderr):
        try:
            f.reconfigure(line_buffering=True)
        except (AttributeError, ValueError):
            pass
    sink = make_sink(log_fd)
    api = RuntimeAPI(address)
    try:
        setup_logging(sink)
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except Exception as e:  # noqa: BLE001 - any init failure is reported the same way
        if isinstance(e, Fault):
            error = make_error(e.msg, e.kind, e.trace)
        else:
            error = error_from_exception(e)
        logging.warning(LAMBDA_WARNING)
        log_error(error, sink)
        api.post_init_error(error)
        _exit(1)
    while True:
        r, body = api.next()
        _request_id = r.getheader("Lambda-Runtime-Aws-Request-Id")
        _tenant_id = r.getheader("Lambda-Runtime-Aws-Tenant-Id")
        trace_id = r.getheader("Lambda-Runtime-Trace-Id")
        if trace_id is not None:
            os.environ["_X_AMZN_TRACE_ID"] = trace_id
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        handle(api, handler, r, body, sink)


if __name__ == "__main__":
    main()
