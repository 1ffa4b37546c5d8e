/*
 * store_txn.c - write transactions and read snapshots.
 *
 * Every write runs on the one writer connection under one mutex, from
 * BEGIN IMMEDIATE to COMMIT.  Writers queue on the mutex rather than on
 * SQLite's busy handler, which sleeps and retries: one process owns the
 * store, so a mutex hands the write lock over at once.  A begin inside a
 * write transaction is a savepoint.
 */
#include "store_int.h"

#include <pthread.h>

#include "tinystack/log.h"

static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local int holding;
/* Nesting: a begin inside a write transaction is a savepoint; a read
 * begin inside a read (or write) transaction only counts. */
static _Thread_local int write_depth;
static _Thread_local int read_depth;
static _Thread_local int disk_trouble;

/* Gives the writer connection and the mutex back (the transaction is
 * over). */
static void release(void)
{
    store_conn_own();
    holding = 0;
    pthread_mutex_unlock(&write_lock);
}

int store_begin(void)
{
    if (holding) {
        write_depth++;
        return store_exec("SAVEPOINT ts") == SQLITE_OK ? 0 : (write_depth--, -1);
    }
    store_db();     /* this thread's own connection, opened outside the mutex */
    pthread_mutex_lock(&write_lock);
    holding = 1;
    store_conn_writer();
    if (store_exec("BEGIN IMMEDIATE") != SQLITE_OK) {
        ts_log(TS_LOG_ERROR, "BEGIN failed: %s", sqlite3_errmsg(store_db()));
        release();
        return -1;
    }
    return 0;
}

int store_commit(void)
{
    sqlite3 *db = store_db();
    int rc;

    if (write_depth > 0) {
        write_depth--;
        return store_exec("RELEASE ts") == SQLITE_OK ? 0 : -1;
    }
    rc = store_exec("COMMIT");
    if (rc != SQLITE_OK) {
        int disk = (rc & 0xff) == SQLITE_FULL || (rc & 0xff) == SQLITE_IOERR;
        ts_log(TS_LOG_ERROR, "COMMIT failed: %s", sqlite3_errmsg(db));
        if (!sqlite3_get_autocommit(db))
            store_exec("ROLLBACK");
        if (disk)
            store_room_lost(db);
        disk_trouble = disk;
        release();
        return -1;
    }
    disk_trouble = 0;
    store_room_check(db);
    release();
    return 0;
}

int store_disk_trouble(void)
{
    return disk_trouble;
}

void store_rollback(void)
{
    if (write_depth > 0) {
        write_depth--;
        store_exec("ROLLBACK TO ts");
        store_exec("RELEASE ts");
        return;
    }
    if (!sqlite3_get_autocommit(store_db()))
        store_exec("ROLLBACK");
    if (holding)
        release();
}

int store_txn_guard(void)
{
    if (!holding)
        return 0;
    ts_log(TS_LOG_ERROR, "a request ended inside a write transaction; rolled back");
    write_depth = 0;
    store_rollback();
    return -1;
}

void store_read_begin(void)
{
    if (holding || read_depth++ > 0)
        return;
    if (sqlite3_get_autocommit(store_db()))
        store_exec("BEGIN");
}

void store_read_end(void)
{
    if (holding || read_depth == 0 || --read_depth > 0)
        return;
    if (!sqlite3_get_autocommit(store_db()))
        store_exec("COMMIT");
}
