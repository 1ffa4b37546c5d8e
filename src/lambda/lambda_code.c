/*
 * lambda_code.c - code packages.  A zip arrives base64 in the request (or
 * names an object of this store's S3); it is checked with libzip - it
 * opens, no entry escapes its folder, the unzipped total stays under
 * AWS's 250 MB - and kept as a blob, so it lives as long as the store.
 * An environment runs the code unpacked under lambda_dir()/code/<blob>,
 * unpacked once per blob (blob ids are never reused), into a scratch
 * folder renamed into place, so two threads unpacking at once are safe.
 */
#include "lambda_int.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zip.h>
#include <dlfcn.h>
#include <pthread.h>

#include "tinystack/config.h"
#include "tinystack/log.h"
#include "tinystack/lambda.h"
#include "tinystack/store.h"

/* libzip is loaded when the first zip comes (dlopen), not at start: with
 * its own shared libcrypto and compressors it would cost every start a few
 * milliseconds that a daemon with no Lambda function never needs. */
static struct {
    __typeof__(zip_discard) *discard;
    __typeof__(zip_error_fini) *error_fini;
    __typeof__(zip_error_init) *error_init;
    __typeof__(zip_fclose) *fclose;
    __typeof__(zip_file_get_external_attributes) *file_get_external_attributes;
    __typeof__(zip_fopen_index) *fopen_index;
    __typeof__(zip_fread) *fread;
    __typeof__(zip_get_num_entries) *get_num_entries;
    __typeof__(zip_open_from_source) *open_from_source;
    __typeof__(zip_source_buffer_create) *source_buffer_create;
    __typeof__(zip_source_free) *source_free;
    __typeof__(zip_stat_index) *stat_index;
    int ok;
} zl;
static pthread_once_t zl_once = PTHREAD_ONCE_INIT;

static void zl_load(void)
{
    void *h = dlopen("libzip.so.5", RTLD_NOW | RTLD_LOCAL);

    if (!h)
        h = dlopen("libzip.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        ts_log(TS_LOG_ERROR, "lambda: cannot load libzip: %s", dlerror());
        return;
    }
    zl.discard = (__typeof__(zl.discard))dlsym(h, "zip_discard");
    zl.error_fini = (__typeof__(zl.error_fini))dlsym(h, "zip_error_fini");
    zl.error_init = (__typeof__(zl.error_init))dlsym(h, "zip_error_init");
    zl.fclose = (__typeof__(zl.fclose))dlsym(h, "zip_fclose");
    zl.file_get_external_attributes = (__typeof__(zl.file_get_external_attributes))dlsym(h, "zip_file_get_external_attributes");
    zl.fopen_index = (__typeof__(zl.fopen_index))dlsym(h, "zip_fopen_index");
    zl.fread = (__typeof__(zl.fread))dlsym(h, "zip_fread");
    zl.get_num_entries = (__typeof__(zl.get_num_entries))dlsym(h, "zip_get_num_entries");
    zl.open_from_source = (__typeof__(zl.open_from_source))dlsym(h, "zip_open_from_source");
    zl.source_buffer_create = (__typeof__(zl.source_buffer_create))dlsym(h, "zip_source_buffer_create");
    zl.source_free = (__typeof__(zl.source_free))dlsym(h, "zip_source_free");
    zl.stat_index = (__typeof__(zl.stat_index))dlsym(h, "zip_stat_index");
    zl.ok = zl.discard && zl.error_fini && zl.error_init && zl.fclose && zl.file_get_external_attributes && zl.fopen_index && zl.fread && zl.get_num_entries && zl.open_from_source && zl.source_buffer_create && zl.source_free && zl.stat_index;
}

/* 0 when libzip is there to use. */
static int zl_ready(void)
{
    pthread_once(&zl_once, zl_load);
    return zl.ok ? 0 : -1;
}

#define zip_discard zl.discard
#define zip_error_fini zl.error_fini
#define zip_error_init zl.error_init
#define zip_fclose zl.fclose
#define zip_file_get_external_attributes zl.file_get_external_attributes
#define zip_fopen_index zl.fopen_index
#define zip_fread zl.fread
#define zip_get_num_entries zl.get_num_entries
#define zip_open_from_source zl.open_from_source
#define zip_source_buffer_create zl.source_buffer_create
#define zip_source_free zl.source_free
#define zip_stat_index zl.stat_index

#define ERR_UNZIP "Could not unzip uploaded file. Please check your file, then try to upload again."

static char root[PATH_MAX / 2];
static int root_is_temp;

const char *lambda_dir(void)
{
    return root;
}

int lambda_dir_init(void)
{
    char path[PATH_MAX];
    const char *dir = store_dir();

    /* Beside the store: in the data dir it persists with it; an ephemeral
     * store's folder goes at exit, and so does this. */
    if (!dir)
        return -1;
    snprintf(root, sizeof root, "%.*s/lambda", (int)(sizeof root - 16), dir);
    if (mkdir(root, 0700) != 0 && errno != EEXIST)
        return -1;
    root_is_temp = ts_cfg.data_dir == NULL;
    snprintf(path, sizeof path, "%s/code", root);
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return -1;
    /* Environments' /tmp folders do not outlive a run. */
    snprintf(path, sizeof path, "%s/tmp", root);
    lambda_rm_tree(path);
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void lambda_rm_tree(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void lambda_dir_cleanup(void)
{
    if (root_is_temp && root[0])
        lambda_rm_tree(root);
}

void lambda_code_free(lambda_code *code)
{
    ts_free(code->zip);
    code->zip = NULL;
}

/* 0 when an entry name stays inside the folder it is unpacked into. */
static int name_escapes(const char *name)
{
    const char *p = name;

    if (!*name || name[0] == '/' || strchr(name, '\\'))
        return 1;
    while (*p) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return 1;
        p += n;
        if (*p == '/')
            p++;
    }
    return 0;
}

static zip_t *zip_from(const unsigned char *data, size_t len)
{
    zip_error_t ze;
    zip_source_t *src;
    zip_t *z;

    if (zl_ready() != 0)
        return NULL;
    zip_error_init(&ze);
    src = zip_source_buffer_create(data, len, 0, &ze);
    if (!src) {
        zip_error_fini(&ze);
        return NULL;
    }
    z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    if (!z)
        zip_source_free(src);
    zip_error_fini(&ze);
    return z;
}

static int code_check(ts_call *c, lambda_code *out)
{
    zip_t *z = zip_from(out->zip, out->len);
    zip_int64_t n;

    if (!z)
        return ts_resp_error(c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER, ERR_UNZIP);
    n = zip_get_num_entries(z, 0);
    out->unzipped = 0;
    for (zip_int64_t i = 0; i < n; i++) {
        zip_stat_t zs;
        if (zip_stat_index(z, (zip_uint64_t)i, 0, &zs) != 0 || !(zs.valid & ZIP_STAT_NAME) ||
            name_escapes(zs.name)) {
            zip_discard(z);
            return ts_resp_error(c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER, ERR_UNZIP);
        }
        if (zs.valid & ZIP_STAT_SIZE)
            out->unzipped += zs.size;
    }
    zip_discard(z);
    if (n <= 0)
        return ts_resp_error(c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                             "Uploaded file must be a non-empty zip");
    if (out->unzipped > LAMBDA_UNZIPPED_MAX)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                              "Unzipped size must be smaller than %llu bytes",
                              (unsigned long long)LAMBDA_UNZIPPED_MAX);
    return 0;
}

static void sha256_b64(const unsigned char *data, size_t len, char *out)
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    char *b64;

    EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
    b64 = ts_base64_encode(md, mdlen);
    snprintf(out, 48, "%s", b64);
    ts_free(b64);
}

/* The bytes of bucket/key (latest version, or version) in this store. */
static int code_from_s3(ts_call *c, const char *bucket, const char *key, const char *version,
                        lambda_code *out)
{
    sqlite3_stmt *st = store_stmt(
        "SELECT o.blobs, o.size FROM s3_object o JOIN s3_bucket b ON b.id = o.bucket_id"
        " WHERE b.name = ?1 AND o.key = ?2 AND o.delete_marker = 0"
        "  AND (?3 IS NULL AND o.is_latest = 1 OR o.version_id = ?3)");
    char *blobs = NULL;
    int64_t size = 0;
    size_t got = 0;

    store_bind_text(st, 1, bucket);
    store_bind_text(st, 2, key);
    store_bind_text(st, 3, version);
    if (sqlite3_step(st) == SQLITE_ROW) {
        blobs = store_col_text(c->req->arena, st, 0);
        size = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (!blobs && size == 0)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                              "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 "
                              "Error Message: The specified key does not exist.");
    if ((uint64_t)size > LAMBDA_UNZIPPED_MAX)
        return ts_resp_errorf(c->req, c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                              "Unzipped size must be smaller than %llu bytes",
                              (unsigned long long)LAMBDA_UNZIPPED_MAX);
    out->zip = ts_malloc(size ? (size_t)size : 1);
    for (const char *p = blobs; p && *p;) {
        char *end;
        int64_t id = strtoll(p, &end, 10);
        uint64_t bsize = *end == ':' ? strtoull(end + 1, &end, 10) : 0;
        for (uint64_t off = 0; off < bsize && got < (size_t)size;) {
            long r = store_blob_read(id, off, (char *)out->zip + got, (size_t)size - got);
            if (r <= 0)
                break;
            off += (uint64_t)r;
            got += (size_t)r;
        }
        p = *end == ',' ? end + 1 : end;
        if (end == p && *p != ',')
            break;
    }
    out->len = got;
    return 0;
}

int lambda_code_read(ts_call *c, const cJSON *code, lambda_code *out)
{
    const char *zip = lambda_str(code, "ZipFile");
    const char *bucket = lambda_str(code, "S3Bucket");
    const char *key = lambda_str(code, "S3Key");

    memset(out, 0, sizeof(*out));
    if (lambda_str(code, "ImageUri"))
        return ts_resp_error(c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                             "Container images are not supported by tinystack yet: "
                             "use a .zip file archive (PackageType Zip)");
    if (zip) {
        if (ts_base64_decode(zip, strlen(zip), &out->zip, &out->len) != 0)
            return ts_resp_error(c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER, ERR_UNZIP);
    } else if (bucket && key) {
        if (code_from_s3(c, bucket, key, lambda_str(code, "S3ObjectVersion"), out) != 0)
            return -1;
    } else {
        return ts_resp_error(c->resp, TS_ERR_LAMBDA_INVALID_PARAMETER,
                             "Please provide a source for function code.");
    }
    if (out->len > LAMBDA_ZIP_MAX && !bucket) {
        lambda_code_free(out);
        return ts_resp_errorf(c->req, c->resp, TS_ERR_LAMBDA_TOO_LARGE,
                              "Request must be smaller than %u bytes for the %s operation",
                              (unsigned)((LAMBDA_ZIP_MAX / 3 + 1) * 4), c->req->op->name);
    }
    if (code_check(c, out) != 0) {
        lambda_code_free(out);
        return -1;
    }
    sha256_b64(out->zip, out->len, out->sha256);
    return 0;
}

int64_t lambda_code_store(const lambda_code *code)
{
    store_blob_writer w;
    int64_t id;

    store_blob_writer_init(&w);
    if (store_blob_write(&w, code->zip, code->len) != 0) {
        store_blob_writer_abort(&w);
        return -1;
    }
    id = store_blob_finish(&w);
    if (id <= 0)
        store_blob_writer_abort(&w);
    return id > 0 ? id : -1;
}

/* Makes every folder of path (relative to base) that is missing. */
static int mkdirs(const char *base, const char *rel)
{
    char path[PATH_MAX];
    size_t blen = strlen(base);

    if (blen + 1 + strlen(rel) >= sizeof path)
        return -1;
    memcpy(path, base, blen);
    path[blen] = '/';
    strcpy(path + blen + 1, rel);
    for (char *p = path + blen + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return 0;
}

/* Unpacks z under dir, writing at most LAMBDA_UNZIPPED_MAX bytes in all
 * (a zip's sizes may lie). 0 or -1. */
static int unpack(zip_t *z, const char *dir)
{
    zip_int64_t n = zip_get_num_entries(z, 0);
    uint64_t total = 0;
    char buf[64 << 10], path[PATH_MAX];

    for (zip_int64_t i = 0; i < n; i++) {
        zip_stat_t zs;
        zip_uint8_t opsys;
        zip_uint32_t attr;
        mode_t mode = 0644;
        zip_file_t *zf;
        int fd;
        size_t len;

        if (zip_stat_index(z, (zip_uint64_t)i, 0, &zs) != 0 || name_escapes(zs.name))
            return -1;
        len = strlen(zs.name);
        if (mkdirs(dir, zs.name) != 0)
            return -1;
        if (zs.name[len - 1] == '/')
            continue;
        if (zip_file_get_external_attributes(z, (zip_uint64_t)i, 0, &opsys, &attr) == 0 &&
            opsys == ZIP_OPSYS_UNIX) {
            mode_t m = (attr >> 16) & 07777;
            mode_t type = (attr >> 16) & S_IFMT;
            if (type == S_IFLNK)
                continue;   /* links could point anywhere: not unpacked */
            /* A 0-mode entry (zips made on some systems) is made readable;
             * the owner may always read and write. */
            mode = (m ? m : 0644) | 0600;
            if (m & 0111)
                mode |= 0755;
        }
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, zs.name) >= sizeof path)
            return -1;
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode & 0777);
        if (fd < 0)
            return -1;
        zf = zip_fopen_index(z, (zip_uint64_t)i, 0);
        if (!zf) {
            close(fd);
            return -1;
        }
        for (;;) {
            zip_int64_t r = zip_fread(zf, buf, sizeof buf);
            if (r < 0 || (total += (uint64_t)(r > 0 ? r : 0)) > LAMBDA_UNZIPPED_MAX ||
                (r > 0 && write(fd, buf, (size_t)r) != r)) {
                zip_fclose(zf);
                close(fd);
                return -1;
            }
            if (r == 0)
                break;
        }
        zip_fclose(zf);
        fchmod(fd, mode & 07777);
        close(fd);
    }
    return 0;
}

char *lambda_code_dir(int64_t blob, const char *sha256)
{
    char final[PATH_MAX], scratch[PATH_MAX], rnd[17];
    struct stat sb;
    unsigned char *data = NULL;
    uint64_t size = 0, cap = 0;
    zip_t *z;
    int ok;

    (void)sha256;
    snprintf(final, sizeof final, "%s/code/%lld", root, (long long)blob);
    if (stat(final, &sb) == 0 && S_ISDIR(sb.st_mode))
        return ts_strdup(final);
    /* Read the zip out of the store, in one snapshot. */
    store_read_begin();
    for (;;) {
        long r;
        if (cap - size < STORE_CHUNK) {
            cap = cap ? cap * 2 : STORE_CHUNK * 4;
            data = ts_realloc(data, cap);
        }
        r = store_blob_read(blob, size, (char *)data + size, (size_t)(cap - size));
        if (r <= 0) {
            ok = r == 0;
            break;
        }
        size += (uint64_t)r;
    }
    store_read_end();
    if (!ok || !(z = zip_from(data, size))) {
        ts_log(TS_LOG_ERROR, "lambda: the code of blob %lld cannot be read", (long long)blob);
        ts_free(data);
        return NULL;
    }
    ts_random_hex(rnd, 8);
    snprintf(scratch, sizeof scratch, "%s/code/.%lld-%s", root, (long long)blob, rnd);
    ok = mkdir(scratch, 0755) == 0 && unpack(z, scratch) == 0;
    zip_discard(z);
    ts_free(data);
    if (ok && rename(scratch, final) != 0 && !(stat(final, &sb) == 0 && S_ISDIR(sb.st_mode)))
        ok = 0;
    if (!ok || stat(scratch, &sb) == 0)
        lambda_rm_tree(scratch);
    if (!ok) {
        ts_log(TS_LOG_ERROR, "lambda: cannot unpack the code of blob %lld into %s",
               (long long)blob, final);
        return NULL;
    }
    return ts_strdup(final);
}

/* ---- GET /_tinystack/lambda/code/<blob>.zip: GetFunction's Code.Location ---- */

typedef struct code_reader {
    int64_t blob;
} code_reader;

static long code_read_cb(void *arg, uint64_t pos, char *buf, size_t max)
{
    code_reader *r = arg;

    return store_blob_read(r->blob, pos, buf, max);
}

static void code_reader_free(void *arg)
{
    code_reader *r = arg;

    store_blob_unpin(r->blob);
}

int lambda_code_download(ts_call *c)
{
    const char *p = strstr(c->req->path, "/lambda/code/");
    char *end;
    long long blob = p ? strtoll(p + strlen("/lambda/code/"), &end, 10) : 0;
    sqlite3_stmt *st;
    code_reader *r;
    int64_t size = -1;

    if (blob <= 0 || strcmp(end, ".zip") != 0)
        return ts_resp_error(c->resp, TS_ERR_NOT_FOUND, "no such code package");
    /* Only the code of a function or a version, never another blob. */
    st = store_stmt("SELECT b.size FROM blob b WHERE b.id = ?1 AND (EXISTS (SELECT 1 FROM"
                    " lambda_function WHERE code_blob = ?1) OR EXISTS (SELECT 1 FROM"
                    " lambda_version WHERE code_blob = ?1))");
    sqlite3_bind_int64(st, 1, blob);
    if (sqlite3_step(st) == SQLITE_ROW)
        size = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (size < 0)
        return ts_resp_error(c->resp, TS_ERR_NOT_FOUND, "no such code package");
    r = ts_arena_zalloc(c->req->arena, sizeof(*r));
    r->blob = blob;
    store_blob_pin(blob);
    c->resp->reader = code_read_cb;
    c->resp->reader_arg = r;
    c->resp->reader_size = (uint64_t)size;
    c->resp->reader_free = code_reader_free;
    ts_resp_header(c->req, c->resp, "Content-Type", "application/zip");
    return 0;
}
