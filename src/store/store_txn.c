/*
 * store_txn.c - write transactions, read snapshots, and the group commit
 * that lets writers share a COMMIT.
 *
 * Every write runs on the one writer connection under one mutex, from
 * BEGIN IMMEDIATE to COMMIT.  Writers queue on the mutex rather than on
 * SQLite's busy handler, which sleeps and retries: one process owns the
 * store, so a mutex hands the write lock over at once.
 *
 * A commit writes every page the transaction touched to the log (16 KiB
 * each, with checksums): a 1 KiB PUT touches about eight, most of them
 * the same pages as the PUT before it.  So writers share transactions.
 * When a request's handler is done (store_end), its changes stay in the
 * open transaction and the next writer's go on top, each in a savepoint
 * of its own after the first, so that a failing request undoes only its
 * own.  The transaction passes on to a writer queued for the mutex, or is
 * left open for a moment when other clients are connected, for writes
 * that may follow; a committer thread commits it once none has come for
 * STORE_LINGER (or at STORE_GROUP_AGE, or when it holds group_cap
 * requests).  Every request of the group is told, through its
 * store_done_fn, only after that COMMIT has returned, and answers only
 * then: what a client was told is in the log before it was told, so
 * kill -9 loses nothing acknowledged.  A failed COMMIT fails every
 * request of its group.  Synchronous callers (store_commit) commit at
 * once, whatever the group holds.
 *
 * A linger is only worth it while several connected clients have no
 * request in the group (a client sends one at a time: those that wait
 * here cannot come), and it costs a wait for nothing when they are idle,
 * so the committer keeps a running share of lingers that ended with no
 * one coming: past a quarter, writers commit at once and only try a
 * linger again now and then.
 */
#include "store_int.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "tinystack/log.h"

/* Members one group may hold, at most (the setting's ceiling). */
#define STORE_GROUP_LIMIT 256
/* The oldest a group gets before it commits (seconds): bounds what its
 * first member waits. */
#define STORE_GROUP_AGE 0.002
/* How long an open group waits for one more writer (seconds). */
#define STORE_LINGER 0.0002
/* Connected clients with no request in the group, below which it does
 * not wait: waiting for the last few makes all of them move in lock-step
 * (all wait on the COMMIT, then all send at once), which costs more than
 * the shared commit saves. */
#define STORE_LINGER_OTHERS 4
/* When more than a quarter of recent lingers ended with no one coming
 * (a running average over about 16), writers commit at once, and linger
 * again only every STORE_LINGER_PROBE-th time, to see if that changed. */
#define STORE_LINGER_MISS_MAX 256   /* of 1024 */
#define STORE_LINGER_PROBE 32

typedef struct grp_member {
    store_done_fn fn;
    void *arg;
} grp_member;

static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int write_waiters;    /* threads queued on write_lock */
static atomic_int clients;          /* store_clients() */
static unsigned group_cap = 32;

static _Thread_local int holding;
/* Nesting: a begin inside a write transaction is a savepoint; a read
 * begin inside a read (or write) transaction only counts. */
static _Thread_local int write_depth;
static _Thread_local int read_depth;
static _Thread_local int disk_trouble;

/* The open transaction and who waits for it; under write_lock. */
static struct {
    int open;       /* BEGIN ran, COMMIT has not */
    int joined;     /* the holder's part is savepoint tsg */
    int lost;       /* the transaction is gone or broken: the group fails */
    double began;   /* when BEGIN ran */
    double left;    /* when a member last left it open */
    int lingering;  /* left open to writers that may come */
    unsigned n;     /* members waiting for the commit */
    grp_member m[STORE_GROUP_LIMIT];
} grp;

/* The committer thread and the linger's luck; under write_lock. */
enum { COMMITTER_NONE, COMMITTER_RUNNING, COMMITTER_STOPPING };
static pthread_cond_t commit_cv;
static pthread_t committer;
static int committer_state;
static int commit_wanted;
static int committer_timing;    /* in its timed wait for an open group */
static unsigned linger_miss = 0;   /* running share of lingers no one ended, of 1024 */
static unsigned linger_tries;

/* For the log at close; under write_lock. */
static unsigned long n_commits, n_grouped;

void store_set_group(unsigned max_requests)
{
    group_cap = max_requests < 1 ? 1 : max_requests > STORE_GROUP_LIMIT ? STORE_GROUP_LIMIT
                                                                        : max_requests;
}

void store_clients(int delta)
{
    atomic_fetch_add(&clients, delta);
}

/* Takes the mutex and lends this thread the writer connection. */
static void hold(void)
{
    atomic_fetch_add(&write_waiters, 1);
    pthread_mutex_lock(&write_lock);
    atomic_fetch_sub(&write_waiters, 1);
    holding = 1;
    store_conn_writer();
}

/* Gives the writer connection and the mutex back (the holder's part is
 * over; the transaction may go on without it). */
static void release(void)
{
    store_conn_own();
    holding = 0;
    pthread_mutex_unlock(&write_lock);
}

/* Copies the waiting members out and forgets them (under the mutex), so
 * that they are told after it is let go. */
static unsigned group_take(grp_member *out)
{
    unsigned n = grp.n;

    memcpy(out, grp.m, n * sizeof(*out));
    grp.n = 0;
    return n;
}

static void group_tell(const grp_member *m, unsigned n, int rc, int disk)
{
    for (unsigned i = 0; i < n; i++)
        m[i].fn(m[i].arg, rc, disk);
}

/* Notes how a linger ended: someone came (0) or no one (1). */
static void linger_note(int missed)
{
    linger_miss = linger_miss - linger_miss / 16 + (missed ? 1024 / 16 : 0);
}

int store_begin(void)
{
    sqlite3 *db;

    if (holding) {
        write_depth++;
        return store_exec("SAVEPOINT ts") == SQLITE_OK ? 0 : (write_depth--, -1);
    }
    store_db();     /* this thread's own connection, opened outside the mutex */
    hold();
    db = store_db();
    if (grp.open && !grp.lost && !sqlite3_get_autocommit(db)) {
        /* Others' changes are in the open transaction: ours go into a
         * savepoint of it, so that undoing them leaves theirs. */
        if (store_exec("SAVEPOINT tsg") == SQLITE_OK) {
            grp.joined = 1;
            if (grp.lingering)
                linger_note(0);
            grp.lingering = 0;
            return 0;
        }
        ts_log(TS_LOG_ERROR, "SAVEPOINT failed: %s", sqlite3_errmsg(db));
        grp.lost = 1;
    }
    if (grp.open) {
        /* The transaction is gone (an error rolled it back): its group
         * failed; ours starts afresh. */
        grp_member m[STORE_GROUP_LIMIT];
        unsigned n;
        if (!sqlite3_get_autocommit(db))
            store_exec("ROLLBACK");
        grp.open = grp.lost = 0;
        n = group_take(m);
        group_tell(m, n, -1, 1);
    }
    if (store_exec("BEGIN IMMEDIATE") != SQLITE_OK) {
        ts_log(TS_LOG_ERROR, "BEGIN failed: %s", sqlite3_errmsg(db));
        release();
        return -1;
    }
    grp.open = 1;
    grp.joined = 0;
    grp.began = ts_now_monotonic();
    return 0;
}

/* Ends the holder's part of the transaction: its savepoint released into
 * it (keep) or rolled back.  The first holder has no savepoint: its
 * rollback ends the transaction, which holds nothing else yet. */
static void member_end(int keep)
{
    sqlite3 *db = store_db();
    int joined = grp.joined;

    grp.joined = 0;
    if (!grp.open)
        return;
    if (sqlite3_get_autocommit(db)) {
        /* An error inside (a full disk mid-statement) rolled the whole
         * transaction back, the other members' changes with it. */
        grp.lost = 1;
        return;
    }
    if (joined) {
        if (keep) {
            if (store_exec("RELEASE tsg") != SQLITE_OK)
                grp.lost = 1;
        } else if (store_exec("ROLLBACK TO tsg") != SQLITE_OK ||
                   store_exec("RELEASE tsg") != SQLITE_OK) {
            grp.lost = 1;
        }
    } else if (!keep) {
        store_exec("ROLLBACK");
        grp.open = 0;
    }
}

/* Commits the transaction (the holder's part has ended) for everyone in
 * it, lets the mutex go, then tells the members that wait.  0 or -1, and
 * store_disk_trouble() says whether for want of room. */
static int group_finish(void)
{
    grp_member m[STORE_GROUP_LIMIT];
    sqlite3 *db = store_db();
    unsigned n;
    int rc = 0, disk = 0;

    if (grp.open && (grp.lost || sqlite3_get_autocommit(db))) {
        ts_log(TS_LOG_ERROR, "a write transaction was lost: %s", sqlite3_errmsg(db));
        if (!sqlite3_get_autocommit(db))
            store_exec("ROLLBACK");
        rc = -1;
        disk = 1;
    } else if (grp.open) {
        int e = store_exec("COMMIT");
        if (e != SQLITE_OK) {
            disk = (e & 0xff) == SQLITE_FULL || (e & 0xff) == SQLITE_IOERR;
            rc = -1;
            ts_log(TS_LOG_ERROR, "COMMIT failed: %s", sqlite3_errmsg(db));
            if (!sqlite3_get_autocommit(db))
                store_exec("ROLLBACK");
            if (disk)
                store_room_lost(db);
        } else {
            store_room_check(db);
        }
        n_commits++;
        n_grouped += grp.n;
    }
    grp.open = grp.lost = grp.lingering = 0;
    n = group_take(m);
    disk_trouble = disk;
    release();
    group_tell(m, n, rc, disk);
    return rc;
}

/* What the holder does with the open transaction as its part ends. */
enum { GROUP_COMMIT, GROUP_HAND_ON, GROUP_LEAVE };

static int group_next(void)
{
    if (!grp.open || grp.lost || grp.n + 1 >= group_cap ||
        ts_now_monotonic() - grp.began >= STORE_GROUP_AGE)
        return GROUP_COMMIT;
    if (atomic_load(&write_waiters) > 0)
        return GROUP_HAND_ON;
    /* Linger only while enough connected clients have no request in the
     * group (each sends one at a time, so those in it cannot come). */
    if (atomic_load(&clients) - (int)grp.n - 1 >= STORE_LINGER_OTHERS &&
        committer_state != COMMITTER_STOPPING &&
        (linger_miss < STORE_LINGER_MISS_MAX || ++linger_tries % STORE_LINGER_PROBE == 0))
        return GROUP_LEAVE;
    return GROUP_COMMIT;
}

/* Sets *ts to the CLOCK_MONOTONIC time t (seconds). */
static void mono_timespec(double t, struct timespec *ts)
{
    ts->tv_sec = (time_t)t;
    ts->tv_nsec = (long)((t - (double)ts->tv_sec) * 1e9);
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* The committer: holding the mutex (so no writer is), it commits a group
 * that no one has joined for STORE_LINGER, or that has grown old.  A
 * writer that queues meanwhile takes the group on instead. */
static void *committer_main(void *arg)
{
    pthread_mutex_lock(&write_lock);
    while (committer_state == COMMITTER_RUNNING || grp.open) {
        double now, until;
        struct timespec ts;

        if (!commit_wanted && committer_state == COMMITTER_RUNNING) {
            pthread_cond_wait(&commit_cv, &write_lock);
            continue;
        }
        commit_wanted = 0;
        if (!grp.open)
            continue;
        if (committer_state == COMMITTER_RUNNING) {
            if (atomic_load(&write_waiters) > 0)
                continue;   /* the queued writer ends the group */
            now = ts_now_monotonic();
            until = TS_MIN(grp.left + STORE_LINGER, grp.began + STORE_GROUP_AGE);
            if (now < until) {
                /* Writers that leave the group meanwhile only move
                 * grp.left: waking us for each would cost more than the
                 * commit saves. */
                mono_timespec(until, &ts);
                commit_wanted = 1;
                committer_timing = 1;
                pthread_cond_timedwait(&commit_cv, &write_lock, &ts);
                committer_timing = 0;
                continue;
            }
            if (grp.lingering && now >= grp.left + STORE_LINGER)
                linger_note(1);
        }
        holding = 1;
        store_conn_writer();
        group_finish();
        pthread_mutex_lock(&write_lock);
    }
    pthread_mutex_unlock(&write_lock);
    return NULL;
}

/* Leaves the open transaction to writers that may follow, and has the
 * committer end it should none come.  0, or -1 when there is no
 * committer (the caller commits). */
static int group_leave(void)
{
    if (committer_state == COMMITTER_NONE) {
        pthread_condattr_t ca;
        int rc;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&commit_cv, &ca);
        pthread_condattr_destroy(&ca);
        rc = pthread_create(&committer, NULL, committer_main, NULL);
        if (rc != 0) {
            pthread_cond_destroy(&commit_cv);
            return -1;
        }
        pthread_setname_np(committer, "store-commit");
        committer_state = COMMITTER_RUNNING;
    }
    grp.left = ts_now_monotonic();
    grp.lingering = 1;
    if (!committer_timing) {
        commit_wanted = 1;
        pthread_cond_signal(&commit_cv);
    }
    release();
    return 0;
}

void store_txn_close(void)
{
    pthread_mutex_lock(&write_lock);
    if (committer_state != COMMITTER_NONE) {
        /* It commits what still waits, then ends. */
        committer_state = COMMITTER_STOPPING;
        commit_wanted = 1;
        pthread_cond_signal(&commit_cv);
        pthread_mutex_unlock(&write_lock);
        pthread_join(committer, NULL);
        pthread_mutex_lock(&write_lock);
        pthread_cond_destroy(&commit_cv);
        committer_state = COMMITTER_NONE;
    }
    if (n_commits) {
        int pages = 0, hi = 0;
        store_conn_writer();
        sqlite3_db_status(store_db(), SQLITE_DBSTATUS_CACHE_WRITE, &pages, &hi, 0);
        store_conn_own();
        ts_log(TS_LOG_DEBUG, "store: %lu commits; %lu requests waited for another's; "
               "%d pages written", n_commits, n_grouped, pages);
    }
    pthread_mutex_unlock(&write_lock);
}

int store_commit(void)
{
    if (write_depth > 0) {
        write_depth--;
        return store_exec("RELEASE ts") == SQLITE_OK ? 0 : -1;
    }
    if (!holding)
        return -1;
    member_end(1);
    return group_finish();
}

int store_end(int keep, store_done_fn done, void *arg)
{
    int next;

    if (write_depth > 0 || !holding) {
        ts_log(TS_LOG_ERROR, "store_end outside an outermost write transaction");
        return -1;
    }
    member_end(keep);
    next = done ? group_next() : GROUP_COMMIT;
    if (next == GROUP_COMMIT)
        return group_finish();
    grp.m[grp.n++] = (grp_member){done, arg};
    if (next == GROUP_HAND_ON) {
        release();
        return STORE_JOINED;
    }
    if (group_leave() == 0)
        return STORE_JOINED;
    grp.n--;
    return group_finish();
}

void store_rollback(void)
{
    if (write_depth > 0) {
        write_depth--;
        store_exec("ROLLBACK TO ts");
        store_exec("RELEASE ts");
        return;
    }
    if (!holding) {
        if (!sqlite3_get_autocommit(store_db()))
            store_exec("ROLLBACK");
        return;
    }
    member_end(0);
    /* Others' changes may be in the transaction: it goes on to the next
     * writer, or commits now.  Nothing of ours waits for it. */
    switch (group_next()) {
    case GROUP_HAND_ON:
        release();
        break;
    case GROUP_LEAVE:
        if (group_leave() == 0)
            break;
        /* fall through */
    default:
        group_finish();
    }
}

int store_disk_trouble(void)
{
    return disk_trouble;
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
