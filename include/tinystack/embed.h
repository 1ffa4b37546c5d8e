/*
 * embed.h - files the binary carries (the Lambda runtime clients),
 * turned into C at build time by src/core/ts_embed.sh.
 */
#ifndef TINYSTACK_EMBED_H
#define TINYSTACK_EMBED_H

#include <stddef.h>

typedef struct ts_embedded {
    const char *name;           /* path under src/, e.g. "lambda/runtimes/x.py" */
    const unsigned char *data;  /* size bytes, then a NUL */
    size_t size;
} ts_embedded;

/* Every embedded file; the last entry's name is NULL. */
extern const ts_embedded ts_embedded_files[];

/* The embedded file of that name, or NULL. */
const ts_embedded *ts_embedded_find(const char *name);

#endif
