/*
 * store_int.h - what the files of src/store/ share.
 */
#ifndef TINYSTACK_STORE_INT_H
#define TINYSTACK_STORE_INT_H

#include "tinystack/store.h"

extern const char *const store_migrations[];
extern const int store_nmigrations;

/* Lends the writer connection (opened on first use) to the calling
 * thread: store_db() and store_stmt() are the writer's until
 * store_conn_own() gives the thread its own back.  Only by the holder of
 * the write mutex (store_txn.c). */
void store_conn_writer(void);
void store_conn_own(void);
/* A commit found no room (disk full, file size limit): gives the reserve
 * up, so new data is refused and deletes fit, and checkpoints db. */
void store_room_lost(sqlite3 *db);
/* After a commit: while the reserve is gone, gives freed pages back and
 * takes the reserve again if there is room for it. */
void store_room_check(sqlite3 *db);
/* Ends the committer thread, committing what waits (store_close). */
void store_txn_close(void);

#endif
