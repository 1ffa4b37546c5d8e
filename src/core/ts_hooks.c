/*
 * ts_hooks.c - init hooks (include/tinystack/hooks.h).  Each stage's
 * folders are read, their entries merged and sorted by name, and each
 * runs with posix_spawn: a .py file under python3, a .sh file under sh
 * unless it is executable, any other executable file as itself; anything
 * else is skipped with a line in the log.  A hook gets the environment
 * tinystack has plus AWS_ENDPOINT_URL (this server), test credentials and
 * a region when those are unset, so `awslocal` and plain `aws` reach
 * tinystack from a hook.
 */
#include "tinystack/hooks.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tinystack/config.h"
#include "tinystack/core.h"
#include "tinystack/log.h"

extern char **environ;

#define MAX_HOOKS 256

static int by_name(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    const char *bx = strrchr(x, '/'), *by = strrchr(y, '/');

    return strcmp(bx ? bx + 1 : x, by ? by + 1 : y);
}

/* Appends the regular files of dir to list (ts_malloc'd paths). */
static int collect(const char *dir, char **list, int n)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (!d)
        return n;
    while ((e = readdir(d)) && n < MAX_HOOKS) {
        char path[4096];
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        list[n++] = ts_strdup(path);
    }
    closedir(d);
    return n;
}

/* The environment a hook runs with (ts_malloc'd array and strings). */
static char **hook_env(void)
{
    static const char *const defaults[][2] = {
        {"AWS_ACCESS_KEY_ID", "test"},
        {"AWS_SECRET_ACCESS_KEY", "test"},
    };
    size_t n = 0, i = 0;
    char **envp;

    while (environ[n])
        n++;
    envp = ts_calloc(n + 8, sizeof(char *));
    for (size_t k = 0; k < n; k++)
        if (!ts_starts_with(environ[k], "AWS_ENDPOINT_URL="))
            envp[i++] = ts_strdup(environ[k]);
    {
        char url[320];
        const char *host = strcmp(ts_cfg.host, "0.0.0.0") && strcmp(ts_cfg.host, "::")
                               ? ts_cfg.host : "127.0.0.1";
        snprintf(url, sizeof url, "AWS_ENDPOINT_URL=http://%s:%d", host, ts_cfg.port);
        envp[i++] = ts_strdup(url);
    }
    for (size_t k = 0; k < TS_ARRAY_LEN(defaults); k++)
        if (!getenv(defaults[k][0])) {
            char kv[128];
            snprintf(kv, sizeof kv, "%s=%s", defaults[k][0], defaults[k][1]);
            envp[i++] = ts_strdup(kv);
        }
    if (!getenv("AWS_DEFAULT_REGION")) {
        char kv[128];
        snprintf(kv, sizeof kv, "AWS_DEFAULT_REGION=%s", ts_cfg.region);
        envp[i++] = ts_strdup(kv);
    }
    envp[i] = NULL;
    return envp;
}

static void env_free(char **envp)
{
    for (char **e = envp; *e; e++)
        ts_free(*e);
    ts_free(envp);
}

/* Runs one hook and waits for it; 0 when it exits 0. */
static int run_one(const char *path, char **envp)
{
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    char *argv[3] = {NULL, NULL, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, dflt;
    pid_t pid;
    int status = 0, rc;

    if (ts_ends_with(name, ".py")) {
        argv[0] = (char *)"python3";
        argv[1] = (char *)path;
    } else if (access(path, X_OK) == 0) {
        argv[0] = (char *)path;
    } else if (ts_ends_with(name, ".sh")) {
        argv[0] = (char *)"sh";
        argv[1] = (char *)path;
    } else {
        ts_log(TS_LOG_INFO, "init: %s skipped (not executable, nor .py or .sh)", path);
        return 0;
    }
    ts_log(TS_LOG_INFO, "init: running %s", path);
    /* tinystack blocks its signals and ignores SIGPIPE; a hook starts
     * with neither. */
    posix_spawnattr_init(&attr);
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    sigemptyset(&dflt);
    sigaddset(&dflt, SIGPIPE);
    sigaddset(&dflt, SIGXFSZ);
    posix_spawnattr_setsigdefault(&attr, &dflt);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawn_file_actions_init(&fa);
    /* The hook's output joins the log on stderr; it reads nothing. */
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, 2, 1);
    rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        ts_log(TS_LOG_WARN, "init: cannot run %s: %s", path, strerror(rc));
        return -1;
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        ts_log(TS_LOG_WARN, "init: %s failed (%s %d)", path,
               WIFEXITED(status) ? "exit status" : "signal",
               WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        return -1;
    }
    return 0;
}

int ts_hooks_run(const char *stage)
{
    char *list[MAX_HOOKS], dir[4096];
    char **envp;
    int n = 0, failed = 0;

    if (ts_cfg.init_dir) {
        snprintf(dir, sizeof dir, "%s/%s.d", ts_cfg.init_dir, stage);
        n = collect(dir, list, n);
    } else {
        snprintf(dir, sizeof dir, "/etc/localstack/init/%s.d", stage);
        n = collect(dir, list, n);
        snprintf(dir, sizeof dir, "/etc/tinystack/init/%s.d", stage);
        n = collect(dir, list, n);
    }
    if (!n)
        return 0;
    qsort(list, (size_t)n, sizeof(char *), by_name);
    envp = hook_env();
    for (int i = 0; i < n; i++) {
        failed += run_one(list[i], envp) != 0;
        ts_free(list[i]);
    }
    env_free(envp);
    ts_log(TS_LOG_INFO, "init: %s hooks done (%d run, %d failed)", stage, n, failed);
    return failed;
}

static void *ready_main(void *arg)
{
    (void)arg;
    ts_hooks_run("ready");
    return NULL;
}

void ts_hooks_run_ready_async(void)
{
    pthread_t t;

    /* Detached: a hook that never ends must not hold up a shutdown. */
    if (pthread_create(&t, NULL, ready_main, NULL) == 0)
        pthread_detach(t);
}
