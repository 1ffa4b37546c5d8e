/*
 * ts_embed.c - looks up the files the build embedded (ts_embedded_files,
 * generated from src/lambda/runtimes/ by the Makefile).
 */
#include "tinystack/embed.h"

#include <string.h>

const ts_embedded *ts_embedded_find(const char *name)
{
    for (const ts_embedded *e = ts_embedded_files; e->name; e++)
        if (!strcmp(e->name, name))
            return e;
    return NULL;
}
