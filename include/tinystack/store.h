/*
 * store.h - the one SQLite store every service shares.  Each worker thread
 * gets its own connection (opened on first use), with a cache of prepared
 * statements keyed by the SQL text's address, so the SQL of a hot path is
 * prepared once per thread; writes all run on one writer connection,
 * whichever thread holds the write mutex, and share commits.  The
 * database is in WAL mode: readers never wait for the writer and see only
 * committed data, and an acknowledged write survives kill -9.
 *
 * Object data lives in blobs: a blob is a run of chunks of STORE_CHUNK
 * bytes, chunk n of blob b at rowid b * 2^20 + n of table chunk, so
 * reading at an offset is a rowid lookup with no index.  Blobs carry a
 * reference count: copies share them; the last release deletes them.
 */
#ifndef TINYSTACK_STORE_H
#define TINYSTACK_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "tinystack/core.h"

#define STORE_CHUNK (256u << 10)
#define STORE_CHUNK_BITS 20

/* Records where the store lives (data_dir NULL: a temporary file removed
 * at exit).  The file is created and migrated on first use.  0 or -1. */
int store_init(const char *data_dir);
/* The folder the store lives in: the data dir, or the temporary folder
 * of an ephemeral store (removed at store_close once it is empty). */
const char *store_dir(void);
/* Closes every connection; removes the temporary store. */
void store_close(void);
/* Opens and migrates the store now (normally done lazily); 0 or -1. */
int store_ready(void);

/* 1 once some request has opened the store (background jobs wait for
 * that rather than open it themselves, keeping an idle daemon small). */
int store_in_use(void);

/* The calling thread's connection; aborts if the store cannot open. */
sqlite3 *store_db(void);
/* A prepared statement for sql on this thread's connection, reset and with
 * its bindings cleared.  sql must be a string literal (its address is the
 * cache key).  The statement is borrowed: do not finalize it, and do not
 * use the same SQL twice at once. */
sqlite3_stmt *store_stmt(const char *sql);
/* Runs one statement with no result rows; SQLite's result code. */
int store_exec(const char *sql);

/* Write transactions (0 or -1).  Every write outside migrations goes
 * through these: a begin takes the process's write mutex and the one
 * writer connection (BEGIN IMMEDIATE, so writers queue up front instead
 * of failing mid-way), so a commit, rollback or store_end must always
 * follow it.  A begin inside one is a savepoint.
 *
 * Writers share commits (group commit, store_txn.c): a request that ends
 * with store_end() may leave the transaction open to the writer queued
 * behind it, or for a moment to writes that may follow; each later
 * writer's changes go into a savepoint of their own, so that undoing one
 * leaves the others.  store_commit() commits at once, for the whole
 * group, and returns when that COMMIT has (0) or has not (-1) gone
 * through; store_rollback() undoes only the caller's own changes and
 * does not wait.  Readers on their own connections see none of it until
 * the COMMIT. */
int store_begin(void);
int store_commit(void);

/* How a group whose member waited (store_end) ended: rc 0 committed, -1
 * not (disk 1: for want of room, so a retry may fit).  Called once, from
 * the thread that committed, after the mutex is let go. */
typedef void (*store_done_fn)(void *arg, int rc, int disk);
#define STORE_JOINED 1
/* Ends a request's outermost write transaction: keeps its changes (keep 1)
 * or undoes them, only its own (keep 0).  When a writer queues for the
 * mutex, or other clients are connected, and the group has room, the
 * transaction may be left open and STORE_JOINED returned: done(arg, ...)
 * tells later, from another thread, whether the group committed, and the
 * request must not answer before (nor touch arg's state meanwhile).
 * Otherwise (done NULL, or no reason to wait) it commits now: 0 when what
 * the request did and saw is committed, -1 when the commit failed (see
 * store_disk_trouble()). */
int store_end(int keep, store_done_fn done, void *arg);
/* The most requests one commit holds (1: each commits alone); before the
 * server starts. */
void store_set_group(unsigned max_requests);
/* Another client connected (+1) or gone (-1).  While more than one is,
 * a request that finishes may leave its transaction open a moment for
 * writes that may follow (its answer waits for the commit). */
void store_clients(int delta);
/* 1 when this thread's last commit failed for want of room (disk full,
 * file size limit); the log was checkpointed, so a retry may fit. */
int store_disk_trouble(void);
/* 1 while the disk is full and the reserve given up: new object data is
 * refused (its writes fail), so deletes keep the room they need. */
int store_data_paused(void);
void store_rollback(void);
/* After a request: rolls back (and logs) a transaction left open by
 * mistake, so the write mutex is never left held.  0, or -1 when it had
 * to. */
int store_txn_guard(void);

/* A read transaction: one snapshot (and one WAL lock) for several reads.
 * store_read_end() ends it; both are no-ops inside a write transaction. */
void store_read_begin(void);
void store_read_end(void);

/* Empties every table (POST /_tinystack/reset). */
int store_reset(void);

/* Binding helpers: text with explicit length, or NULL when s is NULL. */
void store_bind_text(sqlite3_stmt *st, int i, const char *s);
/* Column as an arena copy (NULL stays NULL). */
char *store_col_text(ts_arena *a, sqlite3_stmt *st, int i);

/* ---- blobs ---- */

typedef struct store_blob_writer {
    int64_t blob_id;  /* 0 until the first chunk is flushed */
    uint32_t seq;
    uint64_t size;
    ts_buf pending;
    int failed;
} store_blob_writer;

void store_blob_writer_init(store_blob_writer *w);
/* Buffers data; each full chunk is written in its own short transaction,
 * so a long upload never holds the write lock.  0 or -1. */
int store_blob_write(store_blob_writer *w, const void *data, size_t len);
/* Writes the last chunk and gives the blob one reference.  Call inside the
 * transaction that makes the blob reachable.  Returns the blob id (> 0). */
int64_t store_blob_finish(store_blob_writer *w);
/* Ends a writer whatever became of it: the blob's chunks go unless a
 * committed row references it (so it is safe after a finish whose
 * transaction rolled back).  Inside or outside a transaction. */
void store_blob_writer_abort(store_blob_writer *w);
/* Adds delta to a blob's reference count; at zero its chunks go. 0/-1. */
int store_blob_ref(int64_t blob_id, int delta);
/* Reads up to max bytes at off; returns bytes read, 0 past the end, -1 on
 * error (the blob vanished). */
long store_blob_read(int64_t blob_id, uint64_t off, char *buf, size_t max);
/* A reader that goes on reading a blob after its snapshot (a streamed GET,
 * a part copy) pins it first, having found it in that snapshot: until the
 * matching store_blob_unpin(), losing its last reference does not delete
 * its chunks.  The last unpin of such a blob deletes it, in a write
 * transaction (call it outside one, or inside the caller's). */
void store_blob_pin(int64_t blob_id);
void store_blob_unpin(int64_t blob_id);

#endif
