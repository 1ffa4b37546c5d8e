/*
 * runner.c - runs every TEST() linked into the unit-test binary, in the
 * order they registered, or only those whose names contain argv[1].
 */
#include "test.h"

#include <stdlib.h>

#define TS_MAX_TESTS 2048

static struct {
    const char *name;
    ts_test_fn fn;
} tests[TS_MAX_TESTS];
static int ntests;

void ts_test_register(const char *name, ts_test_fn fn)
{
    if (ntests == TS_MAX_TESTS) {
        fprintf(stderr, "too many tests\n");
        abort();
    }
    tests[ntests].name = name;
    tests[ntests].fn = fn;
    ntests++;
}

int main(int argc, char **argv)
{
    int passed = 0, failed = 0;

    for (int i = 0; i < ntests; i++) {
        int f = 0;

        if (argc > 1 && !strstr(tests[i].name, argv[1]))
            continue;
        tests[i].fn(&f);
        if (f) {
            fprintf(stderr, "FAIL %s\n", tests[i].name);
            failed++;
        } else {
            passed++;
        }
    }
    printf("unit: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
