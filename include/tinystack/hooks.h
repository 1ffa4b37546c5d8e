/*
 * hooks.h - LocalStack's init hooks: the executable files and .py and .sh
 * files in /etc/localstack/init/<stage>.d/ and /etc/tinystack/init/<stage>.d/
 * (or <dir>/<stage>.d/ when --init-dir is given) run at four moments:
 * boot (before the store opens), start (before the port accepts), ready
 * (after "Ready.", on a thread of their own, so they can call the API)
 * and shutdown (after a signal, while requests are still answered).
 */
#ifndef TINYSTACK_HOOKS_H
#define TINYSTACK_HOOKS_H

/* Runs the hooks of stage ("boot", "start", "ready", "shutdown") one by
 * one in name order, waiting for each; their output goes to stderr with
 * the log.  The number that failed. */
int ts_hooks_run(const char *stage);
/* Runs the ready hooks on a thread of their own (main.c, after Ready.);
 * a shutdown does not wait for them. */
void ts_hooks_run_ready_async(void);

#endif
