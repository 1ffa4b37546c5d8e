#!/usr/bin/env python3
"""Runs tests/integration/test_*.py with unittest.

    python3 tests/integration/run.py [SUBSTRING]

SUBSTRING keeps only the tests whose id (module.Class.test_name) contains it.
The server is the one tinystack_env.py chooses (TINYSTACK_ENDPOINT, or a
tinystack started from TINYSTACK_BIN).  The last line printed is
`integration: N passed, N failed`; exit status 1 on any failure.  Skips are
not allowed and count as failures.
"""

import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def iter_tests(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from iter_tests(t)
        else:
            yield t


class Result(unittest.TextTestResult):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.passed = 0

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed += 1


def summary(passed, failed):
    sys.stderr.flush()
    sys.stdout.write("integration: %d passed, %d failed\n" % (passed, failed))
    sys.stdout.flush()
    return 1 if failed else 0


def main(argv):
    pattern = argv[1] if len(argv) > 1 else ""
    start = time.monotonic()
    try:
        import tinystack_env as env
    except Exception as e:  # the server did not start: say why, loudly
        print("integration: cannot start the server: %s" % e, file=sys.stderr)
        return summary(0, 1)
    print("integration: endpoint %s" % env.ENDPOINT, file=sys.stderr)

    loader = unittest.TestLoader()
    discovered = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    tests = [t for t in iter_tests(discovered) if pattern in t.id()
             or t.__class__.__name__ in ("_FailedTest", "ModuleImportFailure")]
    if not tests:
        print("integration: no test matches %r" % pattern, file=sys.stderr)
        return summary(0, 1)
    suite = unittest.TestSuite(tests)
    runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=2, resultclass=Result)
    result = runner.run(suite)

    # Count test methods: failing sub-tests of one method count once.
    bad = set()
    for test, _ in result.failures + result.errors + result.skipped + result.expectedFailures:
        bad.add(getattr(test, "test_case", test).id())
    for test in result.unexpectedSuccesses:
        bad.add(test.id())
    failed = len(bad)
    for test, reason in result.skipped:
        print("integration: SKIP is not allowed: %s (%s)" % (test.id(), reason), file=sys.stderr)
    died = env.server_died()
    if died:
        print("integration: %s" % died, file=sys.stderr)
        failed += 1
    status = env.shutdown()
    if status not in (None, 0):
        print("integration: tinystack exited with status %s on SIGTERM" % status,
              file=sys.stderr)
        failed += 1
    if failed and env.LOG_PATH:
        print("integration: tinystack stderr is in %s" % env.LOG_PATH, file=sys.stderr)
    elif not failed:
        env.remove_log_dir()
    print("integration: %.1f s" % (time.monotonic() - start), file=sys.stderr)
    return summary(result.passed, failed)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
