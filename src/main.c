/*
 * main.c - settings from flags and the environment, then the store and the
 * HTTP server; "Ready." on stderr once connections are accepted; SIGTERM or
 * SIGINT stops accepting, lets requests in flight finish, closes the store
 * and exits 0.  Signals are blocked before any thread starts and taken
 * with sigwait(), so no handler runs inside a worker.
 */
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tinystack/bus.h"
#include "tinystack/hooks.h"
#include "tinystack/http.h"
#include "tinystack/service.h"
#include "tinystack/store.h"

#ifndef TINYSTACK_VERSION
#define TINYSTACK_VERSION "0.1.0"
#endif

static void usage(FILE *f)
{
    fprintf(f,
        "tinystack %s - AWS services on one port, for local development\n"
        "\n"
        "usage: tinystack [options]\n"
        "\n"
        "  --host ADDR        listen address     TINYSTACK_HOST (default 127.0.0.1)\n"
        "  --port N           listen port        TINYSTACK_PORT, or GATEWAY_LISTEN\n"
        "                                        as host:port, or EDGE_PORT (default 4566)\n"
        "  --data-dir DIR     keep state in DIR  TINYSTACK_DATA_DIR; PERSISTENCE=1\n"
        "                                        means /var/lib/localstack when that is a\n"
        "                                        mounted volume, else /var/lib/tinystack\n"
        "                                        (default: none, state is ephemeral)\n"
        "  --region NAME      default region     TINYSTACK_REGION, or DEFAULT_REGION\n"
        "                                        (default us-east-1)\n"
        "  --account ID       account id         TINYSTACK_ACCOUNT_ID (default 000000000000)\n"
        "  --log-level LEVEL  error|warn|info|debug  TINYSTACK_LOG_LEVEL, or LS_LOG,\n"
        "                                        or DEBUG=1 (default info)\n"
        "  --threads N        HTTP worker threads    TINYSTACK_THREADS (default: CPUs, at least 2)\n"
        "  --idle-timeout S   close a silent connection after S seconds\n"
        "                                        TINYSTACK_IDLE_TIMEOUT (default 60)\n"
        "  --max-conns-per-ip N  connections one remote address may hold\n"
        "                                        TINYSTACK_MAX_CONNS_PER_IP (default 512;\n"
        "                                        loopback is not capped; 0: no cap)\n"
        "  --lambda-python P  interpreter for python runtimes whose pythonX.Y is not\n"
        "                                        on PATH  TINYSTACK_LAMBDA_PYTHON (default python3)\n"
        "  --lambda-node P    interpreter for nodejs runtimes\n"
        "                                        TINYSTACK_LAMBDA_NODE (default node)\n"
        "  --lambda-max-envs N  Lambda execution environments at once, in all\n"
        "                                        TINYSTACK_LAMBDA_MAX_ENVS (default 64)\n"
        "  --lambda-idle S    end an idle environment after S seconds\n"
        "                                        TINYSTACK_LAMBDA_IDLE_SECONDS, or\n"
        "                                        LAMBDA_KEEPALIVE_MS (default 600)\n"
        "  --lambda-no-fork   start every Python environment in a fresh interpreter\n"
        "                                        instead of forking the warm fork server\n"
        "                                        TINYSTACK_LAMBDA_FORK=0\n"
        "  --group-commit N   writes one commit may hold, at most\n"
        "                                        TINYSTACK_GROUP_COMMIT (default 32;\n"
        "                                        1: every write commits alone)\n"
        "  --services LIST    serve only these (s3,dynamodb,lambda,apigateway,iam,sts,\n"
        "                                        logs)  TINYSTACK_SERVICES, or SERVICES\n"
        "  --public-host H[:P]  host and port in the URLs tinystack hands out\n"
        "                                        TINYSTACK_PUBLIC_HOST, or LOCALSTACK_HOST\n"
        "  --init-dir DIR     run init hooks from DIR/{boot,start,ready,shutdown}.d\n"
        "                                        TINYSTACK_INIT_DIR (default\n"
        "                                        /etc/localstack/init and /etc/tinystack/init)\n"
        "  --list-operations  print every operation tinystack implements, and exit\n"
        "  --help             this text\n"
        "  --version          print the version\n",
        TINYSTACK_VERSION);
}

static int parse_level(const char *s)
{
    static const char *names[] = {"error", "warn", "info", "debug"};

    for (int i = 0; i < 4; i++)
        if (!strcasecmp(s, names[i]))
            return i;
    if (!strcasecmp(s, "warning"))
        return TS_LOG_WARN;
    if (!strcasecmp(s, "trace"))
        return TS_LOG_DEBUG;
    return -1;
}

static const char *env(const char *name)
{
    const char *v = getenv(name);

    return v && *v ? v : NULL;
}

static int parse_listen(const char *s)
{
    const char *colon = strrchr(s, ':');
    static char host[64];

    if (colon) {
        size_t n = (size_t)(colon - s);
        if (n && n < sizeof(host)) {
            memcpy(host, s, n);
            host[n] = '\0';
            ts_cfg.host = host;
        }
        s = colon + 1;
    }
    return atoi(s);
}

/* PERSISTENCE=1: LocalStack's volume path when a volume is mounted there
 * (compose files mount ./volume:/var/lib/localstack), else ours. */
static const char *persistence_dir(void)
{
    struct stat d, parent;

    if (stat("/var/lib/localstack", &d) == 0 && S_ISDIR(d.st_mode) &&
        stat("/var/lib", &parent) == 0 && d.st_dev != parent.st_dev)
        return "/var/lib/localstack";
    return "/var/lib/tinystack";
}

/* --list-operations: "service Operation", one a line, from the tables. */
static void list_operations(void)
{
    for (int i = 0; ts_services[i]; i++)
        for (const ts_op *op = ts_services[i]->ops; op && op->name; op++)
            if (op->handler)    /* rows without one answer "not implemented" */
                printf("%s %s\n", ts_services[i]->name, op->name);
}

/* One worker per CPU (at least 2): more only contend for the same cores
 * and SQLite's one writer. */
static int default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 2 ? 2 : n > 16 ? 16 : (int)n;
}

static int configure(int argc, char **argv)
{
    enum { O_HOST = 1, O_PORT, O_DATA, O_REGION, O_ACCOUNT, O_LOG, O_THREADS,
           O_IDLE, O_PERIP, O_PY, O_NODE, O_ENVS, O_LIDLE, O_NOFORK, O_GROUP, O_HELP,
           O_VERSION, O_SERVICES, O_PUBLIC, O_INIT, O_LIST };
    static const struct option opts[] = {
        {"host", required_argument, NULL, O_HOST},
        {"port", required_argument, NULL, O_PORT},
        {"data-dir", required_argument, NULL, O_DATA},
        {"region", required_argument, NULL, O_REGION},
        {"account", required_argument, NULL, O_ACCOUNT},
        {"log-level", required_argument, NULL, O_LOG},
        {"threads", required_argument, NULL, O_THREADS},
        {"idle-timeout", required_argument, NULL, O_IDLE},
        {"max-conns-per-ip", required_argument, NULL, O_PERIP},
        {"lambda-python", required_argument, NULL, O_PY},
        {"lambda-node", required_argument, NULL, O_NODE},
        {"lambda-max-envs", required_argument, NULL, O_ENVS},
        {"lambda-idle", required_argument, NULL, O_LIDLE},
        {"lambda-no-fork", no_argument, NULL, O_NOFORK},
        {"group-commit", required_argument, NULL, O_GROUP},
        {"services", required_argument, NULL, O_SERVICES},
        {"public-host", required_argument, NULL, O_PUBLIC},
        {"init-dir", required_argument, NULL, O_INIT},
        {"list-operations", no_argument, NULL, O_LIST},
        {"help", no_argument, NULL, O_HELP},
        {"version", no_argument, NULL, O_VERSION},
        {NULL, 0, NULL, 0},
    };
    const char *v;
    int c;

    ts_cfg.host = "127.0.0.1";
    ts_cfg.port = 4566;
    ts_cfg.region = "us-east-1";
    ts_cfg.account = "000000000000";
    ts_cfg.log_level = TS_LOG_INFO;
    ts_cfg.threads = default_threads();
    if ((v = env("EDGE_PORT")))
        ts_cfg.port = atoi(v);
    if ((v = env("GATEWAY_LISTEN")))
        ts_cfg.port = parse_listen(v);
    if ((v = env("TINYSTACK_HOST")))
        ts_cfg.host = v;
    if ((v = env("TINYSTACK_PORT")))
        ts_cfg.port = atoi(v);
    if ((v = env("PERSISTENCE")) && (!strcmp(v, "1") || !strcasecmp(v, "true")))
        ts_cfg.data_dir = persistence_dir();
    if ((v = env("TINYSTACK_DATA_DIR")))
        ts_cfg.data_dir = v;
    if ((v = env("DEFAULT_REGION")))
        ts_cfg.region = v;
    if ((v = env("TINYSTACK_REGION")))
        ts_cfg.region = v;
    if ((v = env("TINYSTACK_ACCOUNT_ID")))
        ts_cfg.account = v;
    if ((v = env("DEBUG")) && (!strcmp(v, "1") || !strcasecmp(v, "true")))
        ts_cfg.log_level = TS_LOG_DEBUG;
    if ((v = env("LS_LOG")) && parse_level(v) >= 0)
        ts_cfg.log_level = parse_level(v);
    if ((v = env("TINYSTACK_LOG_LEVEL")) && parse_level(v) >= 0)
        ts_cfg.log_level = parse_level(v);
    if ((v = env("SERVICES")))
        ts_cfg.services = v;
    if ((v = env("TINYSTACK_SERVICES")))
        ts_cfg.services = v;
    if ((v = env("LOCALSTACK_HOST")))
        ts_cfg.public_host = v;
    if ((v = env("TINYSTACK_PUBLIC_HOST")))
        ts_cfg.public_host = v;
    if ((v = env("TINYSTACK_INIT_DIR")))
        ts_cfg.init_dir = v;
    if ((v = env("TINYSTACK_THREADS")))
        ts_cfg.threads = atoi(v);
    if ((v = env("TINYSTACK_IDLE_TIMEOUT")))
        ts_cfg.idle_timeout = (unsigned)atoi(v);
    if ((v = env("TINYSTACK_MAX_CONNS_PER_IP")))
        ts_cfg.max_conns_per_ip = atoi(v);
    if ((v = env("TINYSTACK_LAMBDA_PYTHON")))
        ts_cfg.lambda_python = v;
    if ((v = env("TINYSTACK_LAMBDA_NODE")))
        ts_cfg.lambda_node = v;
    if ((v = env("TINYSTACK_LAMBDA_MAX_ENVS")))
        ts_cfg.lambda_max_envs = atoi(v);
    if ((v = env("LAMBDA_KEEPALIVE_MS")))
        ts_cfg.lambda_idle_seconds = (atoi(v) + 999) / 1000;
    if ((v = env("TINYSTACK_LAMBDA_FORK")) && !strcmp(v, "0"))
        ts_cfg.lambda_no_fork = 1;
    if ((v = env("TINYSTACK_LAMBDA_IDLE_SECONDS")))
        ts_cfg.lambda_idle_seconds = atoi(v);
    if ((v = env("TINYSTACK_GROUP_COMMIT")))
        ts_cfg.group_commit = atoi(v);

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case O_HOST: ts_cfg.host = optarg; break;
        case O_PORT: ts_cfg.port = atoi(optarg); break;
        case O_DATA: ts_cfg.data_dir = optarg; break;
        case O_REGION: ts_cfg.region = optarg; break;
        case O_ACCOUNT: ts_cfg.account = optarg; break;
        case O_LOG:
            if (parse_level(optarg) < 0) {
                fprintf(stderr, "tinystack: bad log level %s\n", optarg);
                return -1;
            }
            ts_cfg.log_level = parse_level(optarg);
            break;
        case O_THREADS: ts_cfg.threads = atoi(optarg); break;
        case O_IDLE: ts_cfg.idle_timeout = (unsigned)atoi(optarg); break;
        case O_PERIP: ts_cfg.max_conns_per_ip = atoi(optarg); break;
        case O_PY: ts_cfg.lambda_python = optarg; break;
        case O_NODE: ts_cfg.lambda_node = optarg; break;
        case O_ENVS: ts_cfg.lambda_max_envs = atoi(optarg); break;
        case O_LIDLE: ts_cfg.lambda_idle_seconds = atoi(optarg); break;
        case O_NOFORK: ts_cfg.lambda_no_fork = 1; break;
        case O_GROUP: ts_cfg.group_commit = atoi(optarg); break;
        case O_SERVICES: ts_cfg.services = optarg; break;
        case O_PUBLIC: ts_cfg.public_host = optarg; break;
        case O_INIT: ts_cfg.init_dir = optarg; break;
        case O_LIST: list_operations(); exit(0);
        case O_HELP: usage(stdout); exit(0);
        case O_VERSION: printf("tinystack %s\n", TINYSTACK_VERSION); exit(0);
        default: usage(stderr); return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tinystack: unexpected argument %s\n", argv[optind]);
        return -1;
    }
    if (ts_cfg.port <= 0 || ts_cfg.port > 65535) {
        fprintf(stderr, "tinystack: bad port\n");
        return -1;
    }
    if (ts_cfg.threads < 1 || ts_cfg.threads > 64)
        ts_cfg.threads = default_threads();
    if (ts_cfg.idle_timeout < 1 || ts_cfg.idle_timeout > 86400)
        ts_cfg.idle_timeout = 60;
    if (ts_cfg.group_commit < 1 || ts_cfg.group_commit > 256) {
        fprintf(stderr, "tinystack: --group-commit takes 1 to 256\n");
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    sigset_t set;
    int sig = 0;

    if (configure(argc, argv) != 0)
        return 2;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* A file size limit fails the write (EFBIG), it does not kill us. */
    signal(SIGXFSZ, SIG_IGN);
    /* Large request buffers come from mmap and go back to the system when
     * freed (a fixed threshold: glibc's sliding one would keep them). */
    mallopt(M_MMAP_THRESHOLD, 1 << 20);

    /* The store opens and migrates before Ready.: one that cannot is a
     * message and an exit now, not a crash at the first request. */
    ts_hooks_run("boot");
    double t0 = ts_now_monotonic();
    store_set_group((unsigned)ts_cfg.group_commit);
    if (store_init(ts_cfg.data_dir) != 0 || store_ready() != 0) {
        fprintf(stderr, "tinystack: cannot open the store%s%s\n",
                ts_cfg.data_dir ? " in " : "", ts_cfg.data_dir ? ts_cfg.data_dir : "");
        store_close();
        return 1;
    }
    ts_log(TS_LOG_DEBUG, "store open in %.1f ms", (ts_now_monotonic() - t0) * 1000);
    ts_services_init();
    ts_hooks_run("start");
    if (bus_start() != 0 || http_server_start() != 0) {
        bus_stop();
        store_close();
        return 1;
    }
    ts_log(TS_LOG_INFO, "tinystack %s listening on %s:%d (%s)", TINYSTACK_VERSION,
           ts_cfg.host, ts_cfg.port,
           ts_cfg.data_dir ? ts_cfg.data_dir : "ephemeral state");
    fputs("Ready.\n", stderr);
    fflush(stderr);
    malloc_trim(0);
    ts_hooks_run_ready_async();

    while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
        ;
    ts_log(TS_LOG_INFO, "signal %d: shutting down", sig);
    ts_hooks_run("shutdown");
    ts_services_quiesce();
    http_server_stop();
    ts_services_stop();
    bus_stop();
    store_close();
    return 0;
}
