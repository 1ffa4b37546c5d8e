/*
 * ddb_load.c - a keep-alive DynamoDB JSON 1.0 load client for
 * bench/dynamodb.sh.  One thread per connection, blocking sockets, to
 * 127.0.0.1 only.  Every response is read whole and checked: a status
 * other than 2xx, or a body that lacks what the operation must return
 * (GetItem's Item, Query's Count, BatchWriteItem's empty UnprocessedItems),
 * counts as an error, and the first one is shown on stderr.  A connection
 * the server closes (Connection: close, EOF, reset) is reopened and
 * counted.
 *
 * The benchmark table "bench" has pk (S) and sk (N); item i lives at
 * pk = "p%06d" of i / 100, sk = i % 100, so a partition holds 100 items
 * and items [0, n) are exactly partitions [0, n / 100) when n is a
 * multiple of 100.
 *
 * Modes (one result line on stdout, key=value pairs):
 *   ping                       ListTables once; exit 0 on 200
 *   create                     CreateTable bench, wait until ACTIVE
 *   load   -f FROM -n TO       BatchWriteItem items [FROM, TO), 25 a time,
 *          -c CONNS -b SECS    stop issuing after SECS; prints loaded=
 *   rate   -o put|get|query    random keys in [0, N); warm up -w SECS,
 *          -n N -c CONNS       then count completions for -d SECS, longer
 *          -d SECS -w SECS     if fewer than -k MIN_OPS completed, up to
 *          -k MIN -x CAP       -x CAP SECS; requests still out -g SECS
 *          -g GRACE            later are abandoned; prints ops/s and
 *                              latency percentiles
 *
 * Build: cc -O2 -pthread -o ddb_load bench/ddb_load.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define TABLE "bench"
#define PART_SIZE 100
#define BATCH 25
#define QUERY_SPAN 10 /* sort keys per Query */
#define MAX_CONNS 256

static int port;
static const char *mode = "rate";
static const char *op = "get";
static long n_items = 100000, from_item;
static int conns = 1;
static double dur = 5, warm = 1, budget = 120, grace = 10;

static double t_warm_end, t_end;
/* rate: the window closes when the main thread says so (stop_ns, then
 * stopping), at least DUR after warm-up and once MIN_OPS completed, or at
 * CAP; completions after it are not counted. */
static atomic_long window_ops, stop_ns;
static atomic_int stopping;
static long min_ops = 1;
static double cap = 60;
static atomic_long next_batch;
static atomic_long errors, reconnects, retries;
static atomic_int first_err_shown;
static atomic_int threads_done;
static pthread_mutex_t err_mu = PTHREAD_MUTEX_INITIALIZER;

static const char PAYLOAD[] =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) {
        perror("realloc");
        exit(2);
    }
    return p;
}

/* A growable byte buffer. */
typedef struct buf {
    char *data;
    size_t len, cap;
} buf;

static void buf_reserve(buf *b, size_t extra)
{
    if (b->len + extra + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + extra + 1)
            cap *= 2;
        b->data = xrealloc(b->data, cap);
        b->cap = cap;
    }
}

static void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* One connection and its state. */
typedef struct conn {
    int fd;
    buf req, body, in;
    int status;
    int must_close;
    uint64_t rng;
    double *lat;
    size_t nlat, caplat;
    long ops;
} conn;

static uint64_t rnd(conn *c)
{
    uint64_t x = c->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return c->rng = x;
}

static void report_error(const char *what, int status, const char *body, size_t len)
{
    atomic_fetch_add(&errors, 1);
    if (atomic_exchange(&first_err_shown, 1))
        return;
    pthread_mutex_lock(&err_mu);
    fprintf(stderr, "ddb_load: %s: first bad response: status %d: %.*s\n", what, status,
            (int)(len > 400 ? 400 : len), body ? body : "");
    pthread_mutex_unlock(&err_mu);
}

static int conn_open(conn *c)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    int one = 1;

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        return -1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    c->in.len = 0;
    return 0;
}

static void conn_close(conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->in.len = 0;
}

/* Read more bytes into c->in; 0 on EOF, <0 on error. */
static ssize_t conn_fill(conn *c)
{
    ssize_t r;

    buf_reserve(&c->in, 65536);
    do
        r = recv(c->fd, c->in.data + c->in.len, c->in.cap - c->in.len - 1, 0);
    while (r < 0 && errno == EINTR);
    if (r > 0)
        c->in.len += (size_t)r;
    return r;
}

static const char *find_header(const char *hdrs, const char *end, const char *name)
{
    size_t n = strlen(name);
    const char *p = hdrs;

    while (p < end) {
        const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);
        if (!eol)
            eol = end;
        if ((size_t)(eol - p) > n && p[n] == ':' && strncasecmp(p, name, n) == 0) {
            p += n + 1;
            while (*p == ' ' || *p == '\t')
                p++;
            return p;
        }
        p = eol + 2;
    }
    return NULL;
}

/*
 * Send c->req (a whole HTTP request) and read one response: status into
 * c->status, body (de-chunked) into c->body.  0 on success; -1 when the
 * connection failed, so the caller may reopen and resend.
 */
static int roundtrip(conn *c)
{
    size_t off = 0, hlen, need;
    const char *hend, *v;
    long clen = -1;
    int chunked = 0;

    if (c->fd < 0 && conn_open(c) != 0)
        return -1;
    while (off < c->req.len) {
        ssize_t w = send(c->fd, c->req.data + off, c->req.len - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            goto fail;
        off += (size_t)w;
    }
    c->in.len = 0;
    for (;;) {
        if (c->in.len >= 4 && (hend = memmem(c->in.data, c->in.len, "\r\n\r\n", 4)))
            break;
        if (conn_fill(c) <= 0)
            goto fail;
    }
    c->in.data[c->in.len] = 0;
    hlen = (size_t)(hend - c->in.data) + 4;
    if (strncmp(c->in.data, "HTTP/1.", 7) != 0)
        goto fail;
    c->status = atoi(c->in.data + 9);
    c->must_close = c->in.data[7] == '0';
    if ((v = find_header(c->in.data, hend, "Connection"))) {
        if (strncasecmp(v, "close", 5) == 0)
            c->must_close = 1;
        else if (strncasecmp(v, "keep-alive", 10) == 0)
            c->must_close = 0;
    }
    if ((v = find_header(c->in.data, hend, "Content-Length")))
        clen = atol(v);
    if ((v = find_header(c->in.data, hend, "Transfer-Encoding")) && strncasecmp(v, "chunked", 7) == 0)
        chunked = 1;

    c->body.len = 0;
    if (chunked) {
        size_t pos = hlen;
        for (;;) {
            char *eol, *endp;
            unsigned long sz;
            while (!(eol = memmem(c->in.data + pos, c->in.len - pos, "\r\n", 2)))
                if (conn_fill(c) <= 0)
                    goto fail;
            sz = strtoul(c->in.data + pos, &endp, 16);
            pos = (size_t)(eol - c->in.data) + 2;
            while (c->in.len < pos + sz + 2)
                if (conn_fill(c) <= 0)
                    goto fail;
            buf_reserve(&c->body, sz);
            memcpy(c->body.data + c->body.len, c->in.data + pos, sz);
            c->body.len += sz;
            pos += sz + 2;
            if (sz == 0)
                break; /* no trailers expected */
        }
    } else if (clen >= 0) {
        need = hlen + (size_t)clen;
        while (c->in.len < need)
            if (conn_fill(c) <= 0)
                goto fail;
        buf_reserve(&c->body, (size_t)clen);
        memcpy(c->body.data, c->in.data + hlen, (size_t)clen);
        c->body.len = (size_t)clen;
    } else {
        ssize_t r;
        while ((r = conn_fill(c)) > 0)
            ;
        if (r < 0)
            goto fail;
        buf_reserve(&c->body, c->in.len - hlen);
        memcpy(c->body.data, c->in.data + hlen, c->in.len - hlen);
        c->body.len = c->in.len - hlen;
        c->must_close = 1;
    }
    buf_reserve(&c->body, 0);
    c->body.data[c->body.len] = 0;
    if (c->must_close) {
        conn_close(c);
        atomic_fetch_add(&reconnects, 1);
    }
    return 0;
fail:
    conn_close(c);
    atomic_fetch_add(&reconnects, 1);
    return -1;
}

/* Build the HTTP request for TARGET around c->body's JSON (which it uses). */
static void build_request(conn *c, const char *target, const char *json, size_t jlen)
{
    c->req.len = 0;
    buf_printf(&c->req,
               "POST / HTTP/1.1\r\n"
               "Host: 127.0.0.1:%d\r\n"
               "Content-Type: application/x-amz-json-1.0\r\n"
               "X-Amz-Target: DynamoDB_20120810.%s\r\n"
               "X-Amz-Date: 20240101T000000Z\r\n"
               "Authorization: AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/dynamodb/aws4_request, "
               "SignedHeaders=host, Signature=0\r\n"
               "Content-Length: %zu\r\n\r\n",
               port, target, jlen);
    buf_reserve(&c->req, jlen);
    memcpy(c->req.data + c->req.len, json, jlen);
    c->req.len += jlen;
}

/* Send one request, reopening a dropped connection once. 0 or -1. */
static int call(conn *c, const char *target, buf *json)
{
    build_request(c, target, json->data, json->len);
    if (roundtrip(c) == 0)
        return 0;
    if (roundtrip(c) == 0) /* a keep-alive connection the server had dropped */
        return 0;
    return -1;
}

/* The integer after "key": in a JSON body, or -1. */
static long json_int(const char *body, const char *key)
{
    const char *p = strstr(body, key);

    if (!p)
        return -1;
    p += strlen(key);
    while (*p == ' ' || *p == ':' || *p == '"')
        p++;
    if (*p < '0' || *p > '9')
        return -1;
    return atol(p);
}

/* Does "key": in a JSON body hold an empty object? */
static int json_empty_obj(const char *body, const char *key)
{
    const char *p = strstr(body, key);

    if (!p)
        return 1; /* absent counts as empty */
    p += strlen(key);
    while (*p == ' ' || *p == ':')
        p++;
    if (*p != '{')
        return 0;
    p++;
    while (*p == ' ')
        p++;
    return *p == '}';
}

static void item_json(buf *j, long i, long n)
{
    buf_printf(j, "{\"pk\":{\"S\":\"p%06ld\"},\"sk\":{\"N\":\"%ld\"},\"n\":{\"N\":\"%ld\"},\"v\":{\"S\":\"%s\"}}",
               i / PART_SIZE, i % PART_SIZE, n, PAYLOAD);
}

/* --- ping / create ------------------------------------------------------- */

static int do_ping(void)
{
    conn c = {.fd = -1};
    buf j = {0};

    buf_printf(&j, "{}");
    if (call(&c, "ListTables", &j) != 0)
        return 1;
    conn_close(&c);
    return c.status == 200 ? 0 : 1;
}

static int do_create(void)
{
    conn c = {.fd = -1};
    buf j = {0};
    double deadline = now() + 30;

    buf_printf(&j, "{\"TableName\":\"" TABLE "\","
                   "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
                   "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"}],"
                   "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},"
                   "{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],"
                   "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1000,\"WriteCapacityUnits\":1000}}");
    if (call(&c, "CreateTable", &j) != 0 || c.status != 200) {
        fprintf(stderr, "ddb_load: CreateTable: status %d: %.400s\n", c.status, c.body.data ? c.body.data : "");
        return 1;
    }
    while (now() < deadline) {
        j.len = 0;
        buf_printf(&j, "{\"TableName\":\"" TABLE "\"}");
        if (call(&c, "DescribeTable", &j) != 0 || c.status != 200) {
            fprintf(stderr, "ddb_load: DescribeTable: status %d: %.400s\n", c.status,
                    c.body.data ? c.body.data : "");
            return 1;
        }
        if (strstr(c.body.data, "\"ACTIVE\"")) {
            printf("created=1\n");
            return 0;
        }
        usleep(50000);
    }
    fprintf(stderr, "ddb_load: table never became ACTIVE\n");
    return 1;
}

/* --- load ---------------------------------------------------------------- */

static atomic_long loaded;
static atomic_int load_failed;

static void *load_thread(void *arg)
{
    conn *c = arg;
    buf j = {0};
    long nbatches = (n_items - from_item + BATCH - 1) / BATCH;

    while (!atomic_load(&load_failed) && now() < t_end) {
        long b = atomic_fetch_add(&next_batch, 1), lo, hi, i;
        int tries;

        if (b >= nbatches)
            break;
        lo = from_item + b * BATCH;
        hi = lo + BATCH < n_items ? lo + BATCH : n_items;
        j.len = 0;
        buf_printf(&j, "{\"RequestItems\":{\"" TABLE "\":[");
        for (i = lo; i < hi; i++) {
            buf_printf(&j, "%s{\"PutRequest\":{\"Item\":", i > lo ? "," : "");
            item_json(&j, i, i);
            buf_printf(&j, "}}");
        }
        buf_printf(&j, "]}}");
        for (tries = 0;; tries++) {
            if (tries == 5) {
                atomic_store(&load_failed, 1);
                break;
            }
            if (tries)
                atomic_fetch_add(&retries, 1);
            if (call(c, "BatchWriteItem", &j) != 0) {
                report_error("BatchWriteItem", 0, "connection failed", 17);
                usleep(100000);
                continue;
            }
            if (c->status / 100 != 2) {
                report_error("BatchWriteItem", c->status, c->body.data, c->body.len);
                usleep(100000);
                continue;
            }
            if (!json_empty_obj(c->body.data, "\"UnprocessedItems\"")) {
                /* Whole-batch retry: puts are idempotent. */
                usleep(10000);
                continue;
            }
            atomic_fetch_add(&loaded, hi - lo);
            break;
        }
    }
    free(j.data);
    return NULL;
}

/* --- rate ---------------------------------------------------------------- */

static void *rate_thread(void *arg)
{
    conn *c = arg;
    buf j = {0};
    long parts = n_items / PART_SIZE;
    const char *target = strcmp(op, "put") == 0 ? "PutItem" : strcmp(op, "get") == 0 ? "GetItem" : "Query";
    int kind = target[0] == 'P' ? 0 : target[0] == 'G' ? 1 : 2;

    for (;;) {
        double t0 = now(), t1;
        long i = (long)(rnd(c) % (uint64_t)n_items);
        int bad = 0;

        if (atomic_load(&stopping))
            break;
        j.len = 0;
        if (kind == 0) {
            buf_printf(&j, "{\"TableName\":\"" TABLE "\",\"Item\":");
            item_json(&j, i, (long)(rnd(c) % 1000000));
            buf_printf(&j, "}");
        } else if (kind == 1) {
            buf_printf(&j, "{\"TableName\":\"" TABLE "\",\"Key\":{\"pk\":{\"S\":\"p%06ld\"},\"sk\":{\"N\":\"%ld\"}}}",
                       i / PART_SIZE, i % PART_SIZE);
        } else {
            long p = (long)(rnd(c) % (uint64_t)parts);
            long s = (long)(rnd(c) % (PART_SIZE - QUERY_SPAN + 1));
            buf_printf(&j, "{\"TableName\":\"" TABLE "\","
                           "\"KeyConditionExpression\":\"pk = :p AND sk BETWEEN :a AND :b\","
                           "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p%06ld\"},"
                           "\":a\":{\"N\":\"%ld\"},\":b\":{\"N\":\"%ld\"}}}",
                       p, s, s + QUERY_SPAN - 1);
        }
        if (call(c, target, &j) != 0) {
            report_error(target, 0, "connection failed", 17);
            usleep(10000);
            continue;
        }
        t1 = now();
        if (c->status / 100 != 2)
            bad = 1;
        else if (kind == 1 && !strstr(c->body.data, "\"Item\""))
            bad = 1;
        else if (kind == 2 && json_int(c->body.data, "\"Count\"") != QUERY_SPAN)
            bad = 1;
        if (bad) {
            report_error(target, c->status, c->body.data, c->body.len);
            continue;
        }
        /* Completions inside the window count, so a server slower than
         * the window is not credited for requests it finishes late. */
        if (t1 >= t_warm_end && (!atomic_load(&stopping) || t1 * 1e9 <= (double)atomic_load(&stop_ns))) {
            atomic_fetch_add(&window_ops, 1);
            c->ops++;
            if (c->nlat == c->caplat) {
                c->caplat = c->caplat ? c->caplat * 2 : 65536;
                c->lat = xrealloc(c->lat, c->caplat * sizeof(double));
            }
            c->lat[c->nlat++] = t1 - t0;
        }
    }
    free(j.data);
    atomic_fetch_add(&threads_done, 1);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void usage(void)
{
    fprintf(stderr, "usage: ddb_load -p PORT -m ping|create|load|rate [-o put|get|query] [-n N] [-f FROM]\n"
                    "                [-c CONNS] [-d SECS] [-w SECS] [-b SECS] [-g SECS]\n"
                    "                [-k MIN_OPS] [-x CAP_SECS]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    static conn cs[MAX_CONNS];
    pthread_t th[MAX_CONNS];
    int opt, i;
    double t0, t1;

    while ((opt = getopt(argc, argv, "p:m:o:n:f:c:d:w:b:g:k:x:")) != -1) {
        switch (opt) {
        case 'p': port = atoi(optarg); break;
        case 'm': mode = optarg; break;
        case 'o': op = optarg; break;
        case 'n': n_items = atol(optarg); break;
        case 'f': from_item = atol(optarg); break;
        case 'c': conns = atoi(optarg); break;
        case 'd': dur = atof(optarg); break;
        case 'w': warm = atof(optarg); break;
        case 'b': budget = atof(optarg); break;
        case 'g': grace = atof(optarg); break;
        case 'k': min_ops = atol(optarg); break;
        case 'x': cap = atof(optarg); break;
        default: usage();
        }
    }
    if (port <= 0 || conns < 1 || conns > MAX_CONNS)
        usage();
    if (strcmp(mode, "ping") == 0)
        return do_ping();
    if (strcmp(mode, "create") == 0)
        return do_create();

    for (i = 0; i < conns; i++) {
        cs[i].fd = -1;
        cs[i].rng = 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1) ^ (uint64_t)getpid();
    }
    if (strcmp(mode, "load") == 0) {
        t0 = now();
        t_end = t0 + budget;
        for (i = 0; i < conns; i++)
            pthread_create(&th[i], NULL, load_thread, &cs[i]);
        for (i = 0; i < conns; i++)
            pthread_join(th[i], NULL);
        t1 = now();
        printf("loaded=%ld secs=%.2f rate=%.0f errors=%ld retries=%ld reconnects=%ld failed=%d complete=%d\n",
               atomic_load(&loaded), t1 - t0, atomic_load(&loaded) / (t1 - t0), atomic_load(&errors),
               atomic_load(&retries), atomic_load(&reconnects), atomic_load(&load_failed),
               !atomic_load(&load_failed) && from_item + atomic_load(&loaded) >= n_items);
        return atomic_load(&load_failed) ? 1 : 0;
    }
    if (strcmp(mode, "rate") == 0) {
        long ops = 0;
        int unfinished;
        size_t nlat = 0, k;
        double *all;

        if (n_items < PART_SIZE)
            usage();
        t0 = now();
        t_warm_end = t0 + warm;
        if (cap < dur)
            cap = dur;
        for (i = 0; i < conns; i++)
            pthread_create(&th[i], NULL, rate_thread, &cs[i]);
        for (;;) {
            double t = now();
            if ((t >= t_warm_end + dur && (atomic_load(&window_ops) >= min_ops || atomic_load(&errors))) ||
                t >= t_warm_end + cap) {
                t_end = t;
                break;
            }
            usleep(5000);
        }
        /* A completion stamped after stop_ns is not counted, so publish it
         * before the flag; rate_thread's lat array is then left alone. */
        atomic_store(&stop_ns, (long)(t_end * 1e9));
        atomic_store(&stopping, 1);
        /* Requests still out GRACE seconds after the window are abandoned:
         * their threads are left blocked and the process exits under them. */
        while (atomic_load(&threads_done) < conns && now() < t_end + grace)
            usleep(20000);
        unfinished = conns - atomic_load(&threads_done);
        if (!unfinished)
            for (i = 0; i < conns; i++)
                pthread_join(th[i], NULL);
        t1 = t_end;
        for (i = 0; i < conns; i++) {
            ops += cs[i].ops;
            nlat += cs[i].nlat;
        }
        all = xrealloc(NULL, (nlat + 1) * sizeof(double));
        for (i = 0, k = 0; i < conns; i++) {
            memcpy(all + k, cs[i].lat, cs[i].nlat * sizeof(double));
            k += cs[i].nlat;
        }
        qsort(all, nlat, sizeof(double), cmp_double);
        printf("ops=%ld secs=%.2f rate=%.1f errors=%ld reconnects=%ld unfinished=%d p50_us=%.0f p99_us=%.0f\n",
               ops, t1 - t_warm_end, ops / (t1 - t_warm_end), atomic_load(&errors), atomic_load(&reconnects),
               unfinished, nlat ? all[nlat / 2] * 1e6 : 0, nlat ? all[(size_t)(nlat * 0.99)] * 1e6 : 0);
        fflush(stdout);
        _exit(atomic_load(&errors) ? 1 : 0);
    }
    usage();
    return 2;
}
