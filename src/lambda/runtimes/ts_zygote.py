"""tinystack's Python fork server: a warm interpreter that forks environments.

A fresh interpreter that imports boto3 and builds its first clients takes
~0.5 s; most of it is the same work for every function.  The daemon starts
this process once per interpreter as `<python> <runtime dir>/ts_zygote.py`
with an AF_UNIX SOCK_SEQPACKET control socket on fd 3.  It imports the
runtime client (ts_runtime, without running its loop), json, http.client,
boto3 and botocore, and loads the S3 and DynamoDB models into a botocore
Loader that every Session created later in a child reuses (a Loader caches
per instance and each Session makes its own, so botocore.session's
create_loader is wrapped to hand out copies sharing the warm cache).  It
never creates a session, never reads credentials, never creates a client
and never imports user code.  Then each environment is one os.fork().

Protocol, one JSON object per packet (at most 64 KiB), docs/lambda-runtimes.md:

    zygote -> daemon  {"op":"ready","pid":N,"python":"3.11.7","boto3":"1.43.11"|null}
    daemon -> zygote  {"op":"spawn","id":ID,"env":{...},"cwd":DIR} + fds [stdout, stderr, log]
    zygote -> daemon  {"op":"spawned","id":ID,"pid":N}
                     {"op":"error","id":ID,"message":TEXT,"cold":BOOL}
                     {"op":"exit","id":ID,"pid":N,"status":CODE|-1,"signal":SIG|0}
    daemon -> zygote  {"op":"ping"}  ->  {"op":"pong"}

"cold": true means this code cannot run in a forked child (it ships its
own copy of a package the zygote has loaded, such as boto3 or urllib3, or
sets a PYTHON* variable that only acts at interpreter start): the daemon
starts `<python> <runtime dir>/ts_runtime.py` for it instead.  The zygote
is single-threaded; it exits when the control socket reaches EOF.
"""

import os

# The fds open before anything is imported; those the imports open later
# belong to libraries (OpenSSL keeps /dev/urandom open on Debian's Python)
# and stay open in children, whose every other fd is closed.


def _open_fds():
    """The fds open now (not counting the one the listing itself used)."""
    fds = set()
    for name in os.listdir("/proc/self/fd"):
        try:
            os.fstat(int(name))
            fds.add(int(name))
        except OSError:
            pass
    return frozenset(fds)


_FDS_AT_START = _open_fds()

import atexit  # noqa: E402 - after the fd census above
import fcntl  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import selectors  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402
import traceback  # noqa: E402

CONTROL_FD = 3
MAX_PACKET = 64 * 1024
ZYGOTE_DIR = os.path.dirname(os.path.abspath(__file__))
# PYTHON* variables a forked child can honour; any other that differs from
# the zygote's own asks for a fresh interpreter.
CHILD_PYTHON_VARS = frozenset(("PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"))

import ts_runtime  # noqa: E402 - the runtime folder is sys.path[0] here

_start_env = dict(os.environ)
_start_signals = {}     # what a fresh interpreter has, restored in children
_preloaded = frozenset()
_library_fds = frozenset()


def _record_signals():
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD, signal.SIGPIPE,
                signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2,
                signal.SIGXFSZ):
        handler = signal.getsignal(sig)
        if handler is not None:
            _start_signals[sig] = handler


# ---------------------------------------------------------------- warm-up

def _warm_boto3():
    """Imports boto3 and fills a shared botocore Loader; returns boto3's
    version, or None when this interpreter has no boto3."""
    try:
        import boto3
        import boto3.session
        import botocore
        import botocore.loaders
        import botocore.session
    except ImportError:
        return None
    # What building an S3 client and a DynamoDB resource imports on first use.
    for name in ("boto3.dynamodb.conditions", "boto3.dynamodb.transform",
                 "boto3.dynamodb.types", "boto3.s3.inject", "boto3.s3.transfer",
                 "s3transfer.subscribers", "s3transfer.manager",
                 "botocore.httpsession", "botocore.endpoint_provider",
                 "botocore.retries.standard", "botocore.retries.adaptive",
                 "botocore.credentials", "botocore.configprovider",
                 "botocore.tokens", "botocore.regions", "botocore.parsers",
                 "botocore.serialize", "botocore.signers", "botocore.auth",
                 "boto3.resources.factory", "boto3.resources.base",
                 "boto3.resources.collection", "boto3.resources.action"):
        try:
            __import__(name)
        except ImportError:
            pass
    create_loader = botocore.loaders.create_loader
    warm = create_loader()
    base_paths = list(warm.search_paths)
    # boto3.Session appends its own data folder to the session's loader.
    warm.search_paths.append(os.path.join(os.path.dirname(boto3.__file__), "data"))
    try:
        for svc in ("s3", "dynamodb"):
            for type_name in ("service-2", "endpoint-rule-set-1"):
                warm.load_service_model(svc, type_name, api_version=None)
                version = warm.determine_latest_version(svc, type_name)
                warm.load_service_model(svc, type_name, api_version=version)
            warm.load_service_model(svc, "resources-1", None)
        warm.list_available_services("resources-1")
        for name in ("endpoints", "sdk-default-configuration", "partitions", "_retry"):
            warm.load_data(name)
    except Exception as e:  # noqa: BLE001 - an odd botocore still forks, only slower
        sys.stderr.write("ts_zygote: could not preload botocore models: %s\n" % e)
        return boto3.__version__

    def shared_loader(search_path_string=None):
        # AWS_DATA_PATH means other models: those get a loader of their own.
        if search_path_string:
            return create_loader(search_path_string)
        loader = _copy(warm)
        loader._search_paths = list(base_paths)
        return loader

    shared_loader.__wrapped__ = create_loader
    botocore.session.create_loader = shared_loader
    return boto3.__version__


def _copy(obj):
    new = obj.__class__.__new__(obj.__class__)
    new.__dict__.update(obj.__dict__)       # _cache stays shared: that is the point
    return new


def _preloaded_names():
    """Top-level names of the non-stdlib modules this process has loaded."""
    skip = set(sys.stdlib_module_names) | set(sys.builtin_module_names)
    skip |= {"ts_runtime", "ts_endpoint", "ts_zygote", "sitecustomize", "usercustomize"}
    tops = {n.partition(".")[0] for n in list(sys.modules)}
    return frozenset(t for t in tops if t not in skip and not t.startswith("__"))


def _needs_fresh(cwd, env):
    """Why this code must run in a fresh interpreter, or None."""
    for k in set(env) | set(_start_env):
        if k.startswith("PYTHON") and k not in CHILD_PYTHON_VARS \
                and env.get(k) != _start_env.get(k):
            return "%s acts only when an interpreter starts" % k
    dirs = [cwd] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    root = env.get("LAMBDA_TASK_ROOT")
    if root and root not in dirs:
        dirs.append(root)
    for d in dirs:
        try:
            entries = os.listdir(d)
        except OSError:
            continue
        for entry in entries:
            name = entry.partition(".")[0]
            if name in _preloaded:
                return "%s ships its own %s" % (d, name)
    return None


# ---------------------------------------------------------------- child

def _child(state, fds, env, cwd):
    """Runs in the forked child: becomes the environment's process. Never returns."""
    code = 1
    try:
        sel, wake_r, wake_w, ctl = state
        signal.set_wakeup_fd(-1)
        sel.close()
        os.close(wake_r)
        os.close(wake_w)
        ctl_fd = ctl.detach()
        # Out of the way of 0-3 first: the control socket itself is fd 3.
        moved = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in fds]
        for fd in set(fds) | {ctl_fd}:
            os.close(fd)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for target, fd in zip((1, 2, 3), moved):
            os.dup2(fd, target)
        _close_fds(4 if len(moved) == 3 else 3)
        os.setsid()
        for sig, handler in _start_signals.items():
            signal.signal(sig, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, [])

        os.environ.clear()              # unsetenv each, then putenv each:
        os.environ.update(env)          # the C-level environ follows
        if len(moved) == 3:
            os.environ["_TS_LOG_FD"] = "3"
        import time
        time.tzset()
        os.chdir(cwd)
        extra = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
        base = [p for p in sys.path
                if p not in ("", ZYGOTE_DIR) or ZYGOTE_DIR == ts_runtime.RUNTIME_DIR]
        sys.path[:] = extra + [p for p in base if p not in extra]
        sys.dont_write_bytecode = bool(env.get("PYTHONDONTWRITEBYTECODE"))
        sys.argv[:] = [os.path.join(ts_runtime.RUNTIME_DIR, "ts_runtime.py")]
        if "random" in sys.modules:
            sys.modules["random"].seed()
        if "tempfile" in sys.modules:
            sys.modules["tempfile"].tempdir = None      # TMPDIR is the child's now
        ts_runtime.main()
        code = 0
    except SystemExit as e:
        if e.code is None:
            code = 0
        elif isinstance(e.code, int):
            code = e.code & 0xFF
        else:
            sys.stderr.write("%s\n" % e.code)
            code = 1
    except BaseException:   # noqa: BLE001 - report, then exit: never back into the zygote loop
        traceback.print_exc()
        code = 1
    finally:
        try:
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _close_fds(low):
    """Closes every fd from low up but those the zygote's libraries hold."""
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:
        names = range(low, os.sysconf("SC_OPEN_MAX"))
    for name in names:
        fd = int(name)
        if fd >= low and fd not in _library_fds:
            try:
                os.close(fd)
            except OSError:
                pass        # the listing's own fd, already gone


# ---------------------------------------------------------------- server

class Zygote:
    def __init__(self, ctl):
        self.ctl = ctl
        self.children = {}      # pid -> environment id
        self.sel = selectors.DefaultSelector()
        self.wake_r, self.wake_w = os.pipe()
        for fd in (self.wake_r, self.wake_w):
            os.set_blocking(fd, False)
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)
        signal.signal(signal.SIGINT, signal.SIG_IGN)    # the daemon ends us by EOF
        self.sel.register(ctl, selectors.EVENT_READ)
        self.sel.register(self.wake_r, selectors.EVENT_READ)

    def send(self, doc):
        self.ctl.send(json.dumps(doc).encode())

    def serve(self, ready):
        self.send(ready)
        while True:
            for key, _ in self.sel.select():
                if key.fileobj == self.wake_r:
                    try:
                        while os.read(self.wake_r, 512):
                            pass
                    except BlockingIOError:
                        pass
                    self.reap()
                elif not self.packet():
                    return

    def packet(self):
        """Handles one control packet; False at EOF."""
        try:
            msg, fds, flags, _ = socket.recv_fds(self.ctl, MAX_PACKET, 8)
        except InterruptedError:
            return True
        except ConnectionResetError:
            return False
        if not msg and not fds:
            return False
        try:
            if flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC):
                raise ValueError("packet or its fds cut off (over %d bytes or 8 fds)" % MAX_PACKET)
            req = json.loads(msg)
            if not isinstance(req, dict):
                raise ValueError("not a JSON object")
        except ValueError as e:
            self.close_all(fds)
            self.send({"op": "error", "id": None, "message": "bad request: %s" % e})
            return True
        op = req.get("op")
        if op == "ping":
            self.close_all(fds)
            self.send({"op": "pong"})
        elif op == "spawn":
            self.spawn(req, fds)
        else:
            self.close_all(fds)
            self.send({"op": "error", "id": req.get("id"), "message": "unknown op %r" % (op,)})
        return True

    def spawn(self, req, fds):
        rid = req.get("id")
        env, cwd = req.get("env"), req.get("cwd")
        why = None
        if not isinstance(env, dict) or not all(
                isinstance(k, str) and isinstance(v, str) and k and "=" not in k and "\0" not in k + v
                for k, v in env.items()):
            why = "env must be an object of strings"
        elif not isinstance(cwd, str) or not os.path.isdir(cwd):
            why = "cwd %r is not a folder" % (cwd,)
        elif len(fds) not in (2, 3):
            why = "spawn needs 2 or 3 fds (stdout, stderr[, log]), got %d" % len(fds)
        if why is not None:
            self.close_all(fds)
            self.send({"op": "error", "id": rid, "message": why, "cold": False})
            return
        fresh = _needs_fresh(cwd, env)
        if fresh is not None:
            self.close_all(fds)
            self.send({"op": "error", "id": rid, "message": fresh, "cold": True})
            return
        try:
            pid = os.fork()
        except OSError as e:
            self.close_all(fds)
            self.send({"op": "error", "id": rid, "message": "fork: %s" % e, "cold": False})
            return
        if pid == 0:
            _child((self.sel, self.wake_r, self.wake_w, self.ctl), fds, env, cwd)
        self.close_all(fds)
        self.children[pid] = rid
        self.send({"op": "spawned", "id": rid, "pid": pid})

    def reap(self):
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            rid = self.children.pop(pid, None)
            if os.WIFSIGNALED(status):
                code, sig = -1, os.WTERMSIG(status)
            elif os.WIFEXITED(status):
                code, sig = os.WEXITSTATUS(status), 0
            else:
                continue    # stopped or continued: not an exit
            self.send({"op": "exit", "id": rid, "pid": pid, "status": code, "signal": sig})

    @staticmethod
    def close_all(fds):
        for fd in fds:
            try:
                os.close(fd)
            except OSError:
                pass


def main():
    global _preloaded, _library_fds
    _record_signals()
    try:
        ctl = socket.socket(fileno=CONTROL_FD)
    except OSError as e:
        sys.stderr.write("ts_zygote: no control socket on fd %d: %s\n" % (CONTROL_FD, e))
        sys.exit(2)
    os.set_inheritable(CONTROL_FD, False)
    boto3_version = _warm_boto3()
    # glibc reads its resolver configuration on the first lookup; do it once
    # here rather than in every child's first connection to the Runtime API.
    try:
        socket.getaddrinfo("127.0.0.1", 9, socket.AF_INET, socket.SOCK_STREAM)
        socket.getaddrinfo("localhost", 9, socket.AF_UNSPEC, socket.SOCK_STREAM)
    except OSError:
        pass
    _preloaded = _preloaded_names()
    _library_fds = _open_fds() - _FDS_AT_START
    # Everything loaded so far is shared with every child: freezing it keeps
    # a child's collector from walking (and so copying) the zygote's objects.
    gc.collect()
    gc.freeze()
    ready = {"op": "ready", "pid": os.getpid(),
             "python": "%d.%d.%d" % sys.version_info[:3], "boto3": boto3_version}
    try:
        Zygote(ctl).serve(ready)
    except BrokenPipeError:
        pass


if __name__ == "__main__":
    main()
