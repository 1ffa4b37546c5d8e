"""tinystack's Python runtime client: the AWS Lambda Runtime API loop.

Embedded in the tinystack binary and run as the execution environment's
process.  It speaks the same HTTP API as AWS's runtime interface client,
over one keep-alive connection to AWS_LAMBDA_RUNTIME_API:

    GET  /2018-06-01/runtime/invocation/next
    POST /2018-06-01/runtime/invocation/{id}/response | /error
    POST /2018-06-01/runtime/init/error

and loads the handler as AWS does: "file.func" or "dir/file.func" under
LAMBDA_TASK_ROOT.  Standard library only.
"""

import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback

API = "/2018-06-01/runtime"


class LambdaContext:
    """The context object handlers get, with AWS's attributes."""

    def __init__(self, request_id, deadline_ms, arn, trace_id):
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms
        self._trace_id = trace_id

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))


class Client:
    """One keep-alive connection to the Runtime API."""

    def __init__(self, address):
        host, _, port = address.partition(":")
        self.conn = http.client.HTTPConnection(host, int(port or 80))

    def request(self, method, path, body=None, headers=None):
        data = body if body is None or isinstance(body, bytes) else body.encode()
        for attempt in (0, 1):
            try:
                self.conn.request(method, API + path, body=data, headers=headers or {})
                r = self.conn.getresponse()
                return r, r.read()
            except (ConnectionError, http.client.HTTPException):
                self.conn.close()
                if attempt:
                    raise

    def error(self, path, exc_type, message, trace):
        doc = {"errorMessage": message, "errorType": exc_type, "stackTrace": trace}
        self.request("POST", path, json.dumps(doc),
                     {"Lambda-Runtime-Function-Error-Type": exc_type,
                      "Content-Type": "application/json"})


class RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record):
        record.aws_request_id = RequestIdFilter.request_id
        return True


def setup_logging():
    """The root handler AWS installs: [LEVEL]\\t<time>\\t<request id>\\t<message>."""
    handler = logging.StreamHandler(sys.stdout)
    fmt = logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
                            "%Y-%m-%dT%H:%M:%S")
    fmt.converter = time.gmtime
    handler.setFormatter(fmt)
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


def load_handler(spec):
    """Returns the handler function, or raises (error type, message)."""
    path, dot, func = spec.rpartition(".")
    if not dot or not path or not func:
        raise LoadError("Runtime.MalformedHandlerName",
                        "Bad handler '%s': not enough values to unpack (expected 2, got 1)" % spec)
    directory, _, module = path.rpartition("/")
    root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    sys.path.insert(0, os.path.join(root, directory) if directory else root)
    try:
        mod = importlib.import_module(module)
    except SyntaxError as e:
        raise LoadError("Runtime.UserCodeSyntaxError",
                        "Syntax error in module '%s': %s" % (module, e))
    except ImportError as e:
        raise LoadError("Runtime.ImportModuleError",
                        "Unable to import module '%s': %s" % (module, e))
    fn = getattr(mod, func, None)
    if fn is None:
        raise LoadError("Runtime.HandlerNotFound",
                        "Handler '%s' missing on module '%s'" % (func, module))
    return fn


class LoadError(Exception):
    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


def main():
    client = Client(os.environ["AWS_LAMBDA_RUNTIME_API"])
    setup_logging()
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except LoadError as e:
        print("[ERROR] %s: %s" % (e.kind, e.message), flush=True)
        client.error("/init/error", e.kind, e.message, [])
        sys.exit(1)
    while True:
        r, body = client.request("GET", "/invocation/next")
        rid = r.getheader("Lambda-Runtime-Aws-Request-Id", "")
        RequestIdFilter.request_id = rid
        os.environ["_X_AMZN_TRACE_ID"] = r.getheader("Lambda-Runtime-Trace-Id", "")
        ctx = LambdaContext(rid, int(r.getheader("Lambda-Runtime-Deadline-Ms", "0") or 0),
                            r.getheader("Lambda-Runtime-Invoked-Function-Arn", ""),
                            r.getheader("Lambda-Runtime-Trace-Id", ""))
        try:
            result = handler(json.loads(body) if body else {}, ctx)
            out = json.dumps(result)
        except Exception as e:  # noqa: BLE001 - the handler's error is the answer
            trace = traceback.format_list(traceback.extract_tb(e.__traceback__)[1:])
            print("[ERROR] %s: %s" % (type(e).__name__, e), flush=True)
            doc = {"errorMessage": str(e), "errorType": type(e).__name__,
                   "requestId": rid, "stackTrace": trace}
            client.request("POST", "/invocation/%s/error" % rid, json.dumps(doc),
                           {"Lambda-Runtime-Function-Error-Type": type(e).__name__,
                            "Content-Type": "application/json"})
            continue
        client.request("POST", "/invocation/%s/response" % rid, out,
                       {"Content-Type": "application/json"})


if __name__ == "__main__":
    main()
