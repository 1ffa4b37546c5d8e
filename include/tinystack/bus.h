/*
 * bus.h - the background thread: a libuv loop that delivers the outbox
 * (events written in the same transaction as the change that caused
 * them) and runs periodic jobs such as DynamoDB's TTL sweep.
 */
#ifndef TINYSTACK_BUS_H
#define TINYSTACK_BUS_H

#include <stdint.h>

/* Handles one outbox row of a kind; 0 when done (the row is deleted), -1
 * to keep it for a later try. */
typedef int (*bus_handler_fn)(const char *payload);
/* A job run every period_ms on the bus thread. */
typedef void (*bus_job_fn)(void);

/* Registers a handler for outbox rows of kind (before bus_start). */
void bus_on(const char *kind, bus_handler_fn fn);
/* Registers a periodic job (before bus_start). */
void bus_every(unsigned period_ms, bus_job_fn fn);
/* Sets the period of the fallback read of the outbox (before bus_start;
 * tests make it long to see that wake-ups alone deliver). */
void bus_set_poll(unsigned ms);
/* Starts the thread; 0 or -1. */
int bus_start(void);
/* Writes an event (payload: JSON text) of kind into the outbox, inside
 * the caller's write transaction, so it commits or rolls back with the
 * change that caused it.  0 or -1. */
int bus_publish(const char *kind, const char *payload);
/* Whether this thread published since the last call, and forgets it: at
 * the end of a request's transaction the dispatcher takes it, and once
 * the commit that holds the events has returned (perhaps on another
 * thread, for a group), wakes the bus with bus_notify().  A handler never
 * needs to. */
int bus_take_published(void);
/* Wakes the thread to read the outbox now (any thread, after a commit). */
void bus_notify(void);
/* Stops the thread and waits for it. */
void bus_stop(void);

#endif
