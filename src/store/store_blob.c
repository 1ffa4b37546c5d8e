/*
 * store_blob.c - object data as chunked blobs.  A writer buffers one chunk
 * and writes each full chunk in a short transaction of its own, so a large
 * upload never holds the write lock while bytes arrive; the blob row is
 * created with no reference, and only the final transaction, which also
 * makes the object visible, gives it one.  A crash mid-upload leaves an
 * unreferenced blob that the next start deletes.  Small bodies (one chunk)
 * are written entirely inside the final transaction: one commit a PUT.
 *
 * Blob ids are never reused (AUTOINCREMENT), and a reader that streams a
 * blob after its snapshot pins it: a blob whose last reference goes while
 * it is pinned keeps its chunks until the last pin ends, so a GET that
 * has started sends the version it started on.  Pins live in memory (a
 * restart has no readers; its sweep deletes unreferenced blobs).
 */
#include "store_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tinystack/log.h"

typedef struct blob_pin {
    int64_t id;
    int count;
    int doomed;     /* its references reached zero while pinned */
} blob_pin;

static pthread_mutex_t pin_lock = PTHREAD_MUTEX_INITIALIZER;
static blob_pin *pins;
static size_t npins, pins_cap;

static int64_t chunk_rowid(int64_t blob_id, uint64_t seq)
{
    return (blob_id << STORE_CHUNK_BITS) | (int64_t)seq;
}

void store_blob_writer_init(store_blob_writer *w)
{
    memset(w, 0, sizeof(*w));
    ts_buf_init(&w->pending);
}

static int64_t blob_new(void)
{
    sqlite3_stmt *st = store_stmt("INSERT INTO blob(size, refs) VALUES(0, 0)");

    if (sqlite3_step(st) != SQLITE_DONE)
        return -1;
    return sqlite3_last_insert_rowid(store_db());
}

static int chunk_put(int64_t blob_id, uint32_t seq, const void *data, size_t len)
{
    sqlite3_stmt *st = store_stmt("INSERT INTO chunk(id, data) VALUES(?, ?)");

    sqlite3_bind_int64(st, 1, chunk_rowid(blob_id, seq));
    sqlite3_bind_blob(st, 2, data ? data : "", (int)len, SQLITE_STATIC);
    return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

static int flush_chunk(store_blob_writer *w)
{
    int own = sqlite3_get_autocommit(store_db()), rc = -1;

    /* A chunk written while the body streams in is its own short
     * transaction; the last one joins the caller's. */
    if (own && store_begin() != 0)
        goto out;
    if (!w->blob_id) {
        w->blob_id = blob_new();
        if (w->blob_id <= 0) {
            w->blob_id = 0;
            goto out;
        }
    }
    if (w->seq >= (1u << STORE_CHUNK_BITS))
        goto out;
    if (chunk_put(w->blob_id, w->seq, w->pending.data, w->pending.len) != 0)
        goto out;
    w->seq++;
    ts_buf_reset(&w->pending);
    rc = 0;
out:
    if (own) {
        if (rc == 0 && store_commit() != 0)
            rc = -1;
        else if (rc != 0)
            store_rollback();
    }
    if (rc)
        w->failed = 1;
    return rc;
}

int store_blob_write(store_blob_writer *w, const void *data, size_t len)
{
    const char *p = data;

    if (w->failed || store_data_paused())
        return w->failed = 1, -1;
    w->size += len;
    while (len) {
        size_t room = STORE_CHUNK - w->pending.len;
        size_t n = TS_MIN(room, len);
        if (!w->pending.cap)
            ts_buf_reserve(&w->pending, STORE_CHUNK);
        ts_buf_append(&w->pending, p, n);
        p += n;
        len -= n;
        if (w->pending.len == STORE_CHUNK && flush_chunk(w) != 0)
            return -1;
    }
    return 0;
}

int64_t store_blob_finish(store_blob_writer *w)
{
    sqlite3_stmt *st;

    if (w->failed)
        return -1;
    if (!w->blob_id) {
        /* All of it fits one chunk: one row for the blob, made final. */
        st = store_stmt("INSERT INTO blob(size, refs) VALUES(?, 1)");
        sqlite3_bind_int64(st, 1, (int64_t)w->size);
        if (sqlite3_step(st) != SQLITE_DONE)
            return -1;
        w->blob_id = sqlite3_last_insert_rowid(store_db());
        if (chunk_put(w->blob_id, 0, w->pending.data, w->pending.len) != 0)
            return -1;
        ts_buf_free(&w->pending);
        return w->blob_id;
    }
    if (w->pending.len && flush_chunk(w) != 0)
        return -1;
    st = store_stmt("UPDATE blob SET size = ?, refs = 1 WHERE id = ?");
    sqlite3_bind_int64(st, 1, (int64_t)w->size);
    sqlite3_bind_int64(st, 2, w->blob_id);
    if (sqlite3_step(st) != SQLITE_DONE)
        return -1;
    ts_buf_free(&w->pending);
    return w->blob_id;
}

static void blob_delete(int64_t blob_id)
{
    sqlite3_stmt *st = store_stmt("DELETE FROM chunk WHERE id >= ? AND id < ?");

    sqlite3_bind_int64(st, 1, chunk_rowid(blob_id, 0));
    sqlite3_bind_int64(st, 2, chunk_rowid(blob_id + 1, 0));
    sqlite3_step(st);
    st = store_stmt("DELETE FROM blob WHERE id = ?");
    sqlite3_bind_int64(st, 1, blob_id);
    sqlite3_step(st);
}

void store_blob_writer_abort(store_blob_writer *w)
{
    if (w->blob_id && store_begin() == 0) {
        /* Only a blob nothing references: a finished one whose object
         * committed stays; one whose transaction rolled back goes. */
        sqlite3_stmt *st = store_stmt("SELECT refs FROM blob WHERE id = ?");
        int refs = 0;

        sqlite3_bind_int64(st, 1, w->blob_id);
        if (sqlite3_step(st) == SQLITE_ROW)
            refs = sqlite3_column_int(st, 0);
        sqlite3_reset(st);
        if (refs <= 0)
            blob_delete(w->blob_id);
        store_commit();
    }
    ts_buf_free(&w->pending);
    w->blob_id = 0;
}

void store_blob_pin(int64_t blob_id)
{
    size_t i;

    pthread_mutex_lock(&pin_lock);
    for (i = 0; i < npins && pins[i].id != blob_id; i++)
        ;
    if (i == npins) {
        if (npins == pins_cap) {
            pins_cap = pins_cap ? pins_cap * 2 : 16;
            pins = ts_realloc(pins, pins_cap * sizeof(*pins));
        }
        pins[npins++] = (blob_pin){blob_id, 0, 0};
    }
    pins[i].count++;
    pthread_mutex_unlock(&pin_lock);
}

void store_blob_unpin(int64_t blob_id)
{
    int doomed = 0;
    sqlite3_stmt *st;

    pthread_mutex_lock(&pin_lock);
    for (size_t i = 0; i < npins; i++) {
        if (pins[i].id != blob_id)
            continue;
        if (--pins[i].count == 0) {
            doomed = pins[i].doomed;
            pins[i] = pins[--npins];
        }
        break;
    }
    pthread_mutex_unlock(&pin_lock);
    if (!doomed || store_begin() != 0)
        return;
    /* The change that dropped the last reference may have rolled back:
     * delete only what is still unreferenced. */
    st = store_stmt("SELECT refs FROM blob WHERE id = ?");
    sqlite3_bind_int64(st, 1, blob_id);
    doomed = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) <= 0;
    sqlite3_reset(st);
    if (doomed)
        blob_delete(blob_id);
    store_commit();
}

/* Marks a pinned blob to be deleted at its last unpin; 0 when it is not
 * pinned (the caller deletes it now). */
static int pin_defer(int64_t blob_id)
{
    int pinned = 0;

    pthread_mutex_lock(&pin_lock);
    for (size_t i = 0; i < npins; i++)
        if (pins[i].id == blob_id) {
            pins[i].doomed = pinned = 1;
            break;
        }
    pthread_mutex_unlock(&pin_lock);
    return pinned;
}

int store_blob_ref(int64_t blob_id, int delta)
{
    sqlite3_stmt *st = store_stmt(
        "UPDATE blob SET refs = refs + ? WHERE id = ? RETURNING refs");
    int refs = 1;

    sqlite3_bind_int(st, 1, delta);
    sqlite3_bind_int64(st, 2, blob_id);
    if (sqlite3_step(st) != SQLITE_ROW)
        return -1;
    refs = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    if (refs <= 0 && !pin_defer(blob_id))
        blob_delete(blob_id);
    return 0;
}

long store_blob_read(int64_t blob_id, uint64_t off, char *buf, size_t max)
{
    sqlite3_blob *b = NULL;
    uint64_t seq = off / STORE_CHUNK, in = off % STORE_CHUNK;
    long n = -1;
    int size;

    if (sqlite3_blob_open(store_db(), "main", "chunk", "data",
                          chunk_rowid(blob_id, seq), 0, &b) != SQLITE_OK)
        goto out;
    size = sqlite3_blob_bytes(b);
    if (in >= (uint64_t)size) {
        n = 0;
        goto out;
    }
    n = (long)TS_MIN(max, (size_t)size - in);
    if (sqlite3_blob_read(b, buf, (int)n, (int)in) != SQLITE_OK)
        n = -1;
out:
    if (b)
        sqlite3_blob_close(b);
    return n;
}
