/*
 * test.h - the unit-test harness.  TEST(name) defines a test and registers
 * it in the runner's table (tests/unit/runner.c) before main runs; CHECK
 * records a failure and goes on, REQUIRE stops the test.  The runner prints
 * one line per failure and ends with "N passed, N failed".
 */
#ifndef TINYSTACK_TEST_H
#define TINYSTACK_TEST_H

#include <stdio.h>
#include <string.h>

typedef void (*ts_test_fn)(int *failed);

void ts_test_register(const char *name, ts_test_fn fn);

#define TEST(name)                                                        \
    static void test_##name(int *ts_failed_);                             \
    __attribute__((constructor)) static void test_reg_##name(void)        \
    {                                                                     \
        ts_test_register(#name, test_##name);                             \
    }                                                                     \
    static void test_##name(int *ts_failed_)

#define CHECK(cond)                                                       \
    do {                                                                  \
        if (!(cond)) {                                                    \
            fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__,      \
                    __LINE__, #cond);                                     \
            *ts_failed_ = 1;                                              \
        }                                                                 \
    } while (0)

#define REQUIRE(cond)                                                     \
    do {                                                                  \
        if (!(cond)) {                                                    \
            fprintf(stderr, "  %s:%d: REQUIRE(%s) failed\n", __FILE__,    \
                    __LINE__, #cond);                                     \
            *ts_failed_ = 1;                                              \
            return;                                                       \
        }                                                                 \
    } while (0)

#define CHECK_STR(a, b)                                                   \
    do {                                                                  \
        const char *ts_a_ = (a), *ts_b_ = (b);                            \
        if (!ts_a_ || !ts_b_ || strcmp(ts_a_, ts_b_) != 0) {              \
            fprintf(stderr, "  %s:%d: \"%s\" != \"%s\"\n", __FILE__,      \
                    __LINE__, ts_a_ ? ts_a_ : "(null)",                   \
                    ts_b_ ? ts_b_ : "(null)");                            \
            *ts_failed_ = 1;                                              \
        }                                                                 \
    } while (0)

#endif
