/*
 * store.c - opening, migrating and sharing the SQLite store.  Each thread
 * that touches the store gets its own connection, found through a
 * thread-local pointer and kept on a global list so store_close() can
 * close them all after the server has stopped.  Prepared statements are
 * cached per connection in a small open-addressing table keyed by the
 * address of the SQL literal.  Writes use one more connection, the
 * writer, which store_txn.c lends to whichever thread holds the write
 * mutex: while it does, that thread's store_db() and store_stmt() are the
 * writer's (and its statement cache), so a statement never runs on a
 * connection other than the one it was prepared on.  Here too: the
 * reserve of room that keeps deletes working on a full disk.
 */
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "tinystack/log.h"

#define STMT_SLOTS 256

typedef struct store_conn {
    sqlite3 *db;
    struct {
        const char *sql;
        sqlite3_stmt *st;
    } stmts[STMT_SLOTS];
    struct store_conn *next;
} store_conn;

/* Room held back for a full disk: an 8 MiB file beside the database,
 * given up when a commit finds no room, so that the deletes that free
 * space (and reset) can still commit and checkpoint. */
#define STORE_RESERVE (8u << 20)

static char db_path[4200];
static char reserve_path[4300];
/* 0: held (or never made, on a disk too small for it); 1: given up for
 * a full disk, and until it is back, new data is refused. */
static atomic_int reserve_missing;
static char tmp_dir[4096];
static char data_path[4096];
static int ephemeral;
static pthread_mutex_t conns_lock = PTHREAD_MUTEX_INITIALIZER;
static store_conn *conns;
static pthread_once_t ready_once = PTHREAD_ONCE_INIT;
static int ready_rc = -1;
static _Thread_local store_conn *my_conn;
/* Write transactions all run on one connection, whichever thread holds
 * the write mutex: its page cache stays warm, where per-thread
 * connections would each find their cache stale after every other
 * thread's commit, and it lets writers share a transaction. */
static store_conn *writer;
static _Thread_local store_conn *own_conn;
static atomic_int opened;

int store_init(const char *data_dir)
{
    if (data_dir && *data_dir) {
        if (mkdir(data_dir, 0755) != 0 && errno != EEXIST) {
            ts_log(TS_LOG_ERROR, "cannot create data dir %s: %s", data_dir,
                   strerror(errno));
            return -1;
        }
        snprintf(db_path, sizeof(db_path), "%s/tinystack.db", data_dir);
        snprintf(data_path, sizeof(data_path), "%s", data_dir);
        ephemeral = 0;
    } else {
        const char *base = getenv("TMPDIR");
        snprintf(tmp_dir, sizeof(tmp_dir), "%s/tinystack-XXXXXX",
                 base && *base ? base : "/tmp");
        if (!mkdtemp(tmp_dir)) {
            ts_log(TS_LOG_ERROR, "cannot create a temporary store: %s",
                   strerror(errno));
            return -1;
        }
        snprintf(db_path, sizeof(db_path), "%s/tinystack.db", tmp_dir);
        ephemeral = 1;
    }
    return 0;
}

const char *store_dir(void)
{
    return ephemeral ? tmp_dir : data_path;
}

#ifdef TS_CHECKS
/* The checked build: a connection that is not the writer refuses to
 * prepare a statement that changes the database, so a write outside
 * store_begin() aborts the test that made it instead of slipping by. */
static int deny_writes_cb(void *arg, int action, const char *a, const char *b,
                          const char *db, const char *trigger)
{
    switch (action) {
    case SQLITE_INSERT:
    case SQLITE_UPDATE:
    case SQLITE_DELETE:
    case SQLITE_CREATE_TABLE:
    case SQLITE_CREATE_INDEX:
    case SQLITE_DROP_TABLE:
    case SQLITE_DROP_INDEX:
    case SQLITE_ALTER_TABLE:
        if (db && !strcmp(db, "main")) {
            ts_log(TS_LOG_ERROR, "store: a write outside a transaction (%d on %s)",
                   action, a ? a : "?");
            return SQLITE_DENY;
        }
        return SQLITE_OK;
    default:
        return SQLITE_OK;
    }
}
#endif

static sqlite3 *open_conn(void)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(db_path, &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                 SQLITE_OPEN_NOMUTEX,
                             NULL);

    if (rc != SQLITE_OK) {
        ts_log(TS_LOG_ERROR, "cannot open %s: %s", db_path,
               db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 30000);
    /* Debian builds SQLite with secure_delete on: every freed page is
     * zeroed through the log, so a delete writes as much as it frees (and
     * cannot run on a full disk).  Nothing here needs that. */
    sqlite3_exec(db,
                 ephemeral ? "PRAGMA page_size=16384; PRAGMA auto_vacuum=INCREMENTAL;"
                             "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;"
                             "PRAGMA cache_size=-2048; PRAGMA temp_store=MEMORY;"
                             "PRAGMA journal_size_limit=4194304; PRAGMA wal_autocheckpoint=256;"
                             "PRAGMA secure_delete=OFF;"
                           : "PRAGMA page_size=16384; PRAGMA auto_vacuum=INCREMENTAL;"
                             "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                             "PRAGMA cache_size=-2048; PRAGMA temp_store=MEMORY;"
                             "PRAGMA journal_size_limit=4194304; PRAGMA wal_autocheckpoint=256;"
                             "PRAGMA secure_delete=OFF;",
                 NULL, NULL, NULL);
    return db;
}

static int migrate(sqlite3 *db)
{
    sqlite3_stmt *st;
    int version = 0;

    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (version == 0)
        sqlite3_exec(db, "PRAGMA auto_vacuum=INCREMENTAL", NULL, NULL, NULL);
    for (int v = version; v < store_nmigrations; v++) {
        char *err = NULL, sql[64];
        snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", v + 1);
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &err) != SQLITE_OK ||
            sqlite3_exec(db, store_migrations[v], NULL, NULL, &err) != SQLITE_OK ||
            sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK ||
            sqlite3_exec(db, "COMMIT", NULL, NULL, &err) != SQLITE_OK) {
            ts_log(TS_LOG_ERROR, "store migration %d failed: %s", v + 1,
                   err ? err : "?");
            sqlite3_free(err);
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
    }
    /* Blobs no object holds: uploads cut short by a crash. */
    sqlite3_exec(db,
                 "DELETE FROM chunk WHERE (id >> 20) IN "
                 "(SELECT id FROM blob WHERE refs <= 0);"
                 "DELETE FROM blob WHERE refs <= 0;",
                 NULL, NULL, NULL);
    return 0;
}

/* Makes the reserve file; 0, or -1 when there is no room for it. */
static int reserve_make(void)
{
    int fd = open(reserve_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    int rc;

    if (fd < 0)
        return -1;
    rc = posix_fallocate(fd, 0, STORE_RESERVE);
    close(fd);
    if (rc != 0) {
        unlink(reserve_path);
        return -1;
    }
    atomic_store(&reserve_missing, 0);
    return 0;
}

/* Bytes free on the store's file system (UINT64_MAX when unknown). */
static uint64_t bytes_free(void)
{
    struct statvfs sv;

    if (statvfs(reserve_path, &sv) != 0 && statvfs(db_path, &sv) != 0)
        return UINT64_MAX;
    return (uint64_t)sv.f_bavail * sv.f_frsize;
}

/* 1 when the file system holds the reserve and 4 MiB more: taking it back
 * into a disk it would fill again makes every next commit fail once. */
static int room_for_reserve(void)
{
    return bytes_free() >= (uint64_t)STORE_RESERVE + (4u << 20);
}

static void do_ready(void)
{
    sqlite3 *db = open_conn();

    if (!db)
        return;
    snprintf(reserve_path, sizeof(reserve_path), "%s.reserve", db_path);
    if (reserve_make() != 0)
        ts_log(TS_LOG_WARN, "store: no room for a %u MiB reserve beside %s",
               STORE_RESERVE >> 20, db_path);
    ready_rc = migrate(db);
    sqlite3_close(db);
    atomic_store(&opened, ready_rc == 0);
}

int store_in_use(void)
{
    return atomic_load(&opened);
}

int store_ready(void)
{
    pthread_once(&ready_once, do_ready);
    return ready_rc;
}

static store_conn *conn_new(int for_writer)
{
    store_conn *c;

    if (store_ready() != 0) {
        ts_log(TS_LOG_ERROR, "the store is not usable");
        abort();
    }
    c = ts_calloc(1, sizeof(*c));
    c->db = open_conn();
    if (!c->db)
        abort();
#ifdef TS_CHECKS
    if (!for_writer)
        sqlite3_set_authorizer(c->db, deny_writes_cb, NULL);
#else
    TS_UNUSED(for_writer);
#endif
    pthread_mutex_lock(&conns_lock);
    c->next = conns;
    conns = c;
    pthread_mutex_unlock(&conns_lock);
    return c;
}

sqlite3 *store_db(void)
{
    if (!my_conn)
        my_conn = conn_new(0);
    return my_conn->db;
}

sqlite3_stmt *store_stmt(const char *sql)
{
    store_conn *c;
    uintptr_t h = (uintptr_t)sql;
    unsigned i;

    store_db();
    c = my_conn;
    h ^= h >> 17;
    h *= 0x9E3779B97F4A7C15ull;
    i = (unsigned)(h >> 56) % STMT_SLOTS;
    for (unsigned n = 0; n < STMT_SLOTS; n++, i = (i + 1) % STMT_SLOTS) {
        if (c->stmts[i].sql == sql) {
            sqlite3_stmt *st = c->stmts[i].st;
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return st;
        }
        if (!c->stmts[i].sql) {
            sqlite3_stmt *st = NULL;
            if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
                                   NULL) != SQLITE_OK) {
                ts_log(TS_LOG_ERROR, "prepare failed: %s: %s",
                       sqlite3_errmsg(c->db), sql);
                abort();
            }
            c->stmts[i].sql = sql;
            c->stmts[i].st = st;
            return st;
        }
    }
    ts_log(TS_LOG_ERROR, "statement cache full");
    abort();
}

int store_exec(const char *sql)
{
    sqlite3_stmt *st = store_stmt(sql);
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

void store_conn_writer(void)
{
    if (!writer)
        writer = conn_new(1);
    own_conn = my_conn;
    my_conn = writer;
}

void store_conn_own(void)
{
    my_conn = own_conn;
    own_conn = NULL;
}

void store_room_lost(sqlite3 *db)
{
    if (unlink(reserve_path) == 0)
        ts_log(TS_LOG_WARN, "store: out of room; released the %u MiB reserve",
               STORE_RESERVE >> 20);
    atomic_store(&reserve_missing, 1);
    /* The log is what grew: moving it back into the database and
     * truncating it gives the next transaction room, so deletes that
     * free space still work. */
    sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

void store_room_check(sqlite3 *db)
{
    if (!atomic_load(&reserve_missing))
        return;
    /* Give freed pages back to the file system (new stores vacuum
     * incrementally) and try to take the reserve back. */
    sqlite3_exec(db, "PRAGMA incremental_vacuum", NULL, NULL, NULL);
    sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    /* Only with room to spare beside it: taking it back into a disk it
     * would fill again makes every next commit fail once. */
    if (room_for_reserve() && reserve_make() == 0)
        ts_log(TS_LOG_INFO, "store: room again; the reserve is back");
}

int store_data_paused(void)
{
    /* Without the reserve, new data waits only while the disk is nearly
     * full; deletes need what is left. */
    return atomic_load(&reserve_missing) && bytes_free() < (4u << 20);
}

/* Deletes every row of every table but chunk, in one transaction. */
static int reset_rows(void)
{
    sqlite3_stmt *st;
    ts_buf sql;
    int rc;

    if (store_begin() != 0)
        return -1;
    ts_buf_init(&sql);
    if (sqlite3_prepare_v2(store_db(),
                           "SELECT name FROM sqlite_master WHERE type='table' "
                           "AND name NOT LIKE 'sqlite_%' AND name <> 'chunk'",
                           -1, &st, NULL) != SQLITE_OK) {
        store_rollback();
        return -1;
    }
    while (sqlite3_step(st) == SQLITE_ROW)
        ts_buf_printf(&sql, "DELETE FROM \"%s\";", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    rc = sqlite3_exec(store_db(), sql.data ? sql.data : "", NULL, NULL, NULL);
    ts_buf_free(&sql);
    if (rc != SQLITE_OK) {
        store_rollback();
        return -1;
    }
    return store_commit();
}

int store_reset(void)
{
    int rc = reset_rows();

    /* A full disk: the failed commit gave up the reserve; once more. */
    if (rc != 0 && store_disk_trouble())
        rc = reset_rows();
    if (rc != 0)
        return -1;
    /* Object data goes in small steps: nothing references it any more,
     * and a step that finds no room leaves the rest to the sweep of
     * unreferenced chunks at the next start. */
    for (;;) {
        if (store_begin() != 0)
            break;
        store_exec("DELETE FROM chunk WHERE id IN (SELECT id FROM chunk LIMIT 64)");
        int changed = sqlite3_changes(store_db());
        if (store_commit() != 0 || changed == 0)
            break;
    }
    return 0;
}

void store_close(void)
{
    store_txn_close();
    pthread_mutex_lock(&conns_lock);
    while (conns) {
        store_conn *c = conns;
        conns = c->next;
        for (int i = 0; i < STMT_SLOTS; i++)
            if (c->stmts[i].st)
                sqlite3_finalize(c->stmts[i].st);
        sqlite3_close(c->db);
        free(c);
    }
    pthread_mutex_unlock(&conns_lock);
    my_conn = NULL;
    writer = NULL;
    if (reserve_path[0])
        unlink(reserve_path);
    if (ephemeral && db_path[0]) {
        char p[4300];
        unlink(db_path);
        snprintf(p, sizeof(p), "%s-wal", db_path);
        unlink(p);
        snprintf(p, sizeof(p), "%s-shm", db_path);
        unlink(p);
        rmdir(tmp_dir);
    }
}

void store_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

char *store_col_text(ts_arena *a, sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);

    if (!t)
        return NULL;
    return ts_arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, i));
}
