/*
 * test_bus.c - an event published inside a transaction reaches its
 * handler on the bus thread after the commit wakes it, not at the next
 * poll (set here to a minute), and a rolled-back one never does.
 */
#include "test.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "tinystack/bus.h"
#include "tinystack/store.h"

static atomic_int seen;
static char last[64];

static int on_test(const char *payload)
{
    snprintf(last, sizeof(last), "%s", payload);
    atomic_fetch_add(&seen, 1);
    return 0;
}

/* Waits up to 5 s for the handler to have run n times. */
static int wait_seen(int n)
{
    for (int i = 0; i < 500; i++) {
        if (atomic_load(&seen) >= n)
            return 1;
        usleep(10000);
    }
    return 0;
}

TEST(bus_commit_wakes_and_rollback_drops)
{
    REQUIRE(store_init(NULL) == 0);
    REQUIRE(store_ready() == 0);
    bus_on("test", on_test);
    bus_set_poll(60000);
    REQUIRE(bus_start() == 0);

    REQUIRE(store_begin() == 0);
    REQUIRE(bus_publish("test", "{\"n\":1}") == 0);
    store_rollback();
    CHECK(bus_take_published() == 1);
    CHECK(bus_take_published() == 0);

    REQUIRE(store_begin() == 0);
    REQUIRE(bus_publish("test", "{\"n\":2}") == 0);
    REQUIRE(store_commit() == 0);
    if (bus_take_published())
        bus_notify();
    CHECK(wait_seen(1));
    usleep(50000);
    CHECK(atomic_load(&seen) == 1);
    CHECK_STR(last, "{\"n\":2}");

    bus_stop();
    store_close();
}
