/*
 * s3_chunked.c - decoding the aws-chunked framing current SDKs use for
 * uploads: "<hex size>[;chunk-signature=...]\r\n<data>\r\n" repeated, a
 * zero-size chunk, then optional trailer lines ("x-amz-checksum-crc32:...")
 * and an empty line.  The decoder is a byte-driven state machine, so the
 * body can arrive in pieces of any size; chunk signatures are read and
 * ignored, as tinystack does not verify signatures.
 */
#include "s3_int.h"

#include <ctype.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

enum { ST_SIZE, ST_DATA, ST_DATA_CR, ST_DATA_LF, ST_TRAILER, ST_DONE };

void s3_chunked_init(s3_chunked *c)
{
    memset(c, 0, sizeof(*c));
}

static int size_line(s3_chunked *c)
{
    char *end;
    unsigned long long n;

    c->line[c->linelen] = '\0';
    for (end = c->line; isxdigit((unsigned char)*end); end++)
        ;
    if (end == c->line || (*end && *end != ';'))
        return -1;
    n = strtoull(c->line, &end, 16);
    if (*end && *end != ';')
        return -1;
    if (n > (64ull << 30))
        return -1;
    c->remaining = n;
    c->state = n ? ST_DATA : ST_TRAILER;
    return 0;
}

static int trailer_line(s3_chunked *c)
{
    char *colon;

    c->line[c->linelen] = '\0';
    if (c->linelen == 0) {
        c->state = ST_DONE;
        c->done = 1;
        return 0;
    }
    colon = strchr(c->line, ':');
    if (!colon)
        return -1;
    *colon = '\0';
    if (c->ntrailers < 4) {
        char *v = colon + 1;
        while (*v == ' ')
            v++;
        snprintf(c->trailer_name[c->ntrailers], sizeof(c->trailer_name[0]), "%.63s",
                 c->line);
        snprintf(c->trailer_value[c->ntrailers], sizeof(c->trailer_value[0]), "%.255s",
                 v);
        c->ntrailers++;
    }
    return 0;
}

int s3_chunked_feed(s3_chunked *c, const char *data, size_t len,
                    int (*out)(void *arg, const char *p, size_t n), void *arg)
{
    size_t i = 0;

    while (i < len) {
        switch (c->state) {
        case ST_SIZE:
        case ST_TRAILER: {
            char ch = data[i++];
            if (ch == '\n') {
                if (c->linelen && c->line[c->linelen - 1] == '\r')
                    c->linelen--;
                if ((c->state == ST_SIZE ? size_line(c) : trailer_line(c)) != 0)
                    return -1;
                c->linelen = 0;
            } else {
                if (c->linelen + 1 >= sizeof(c->line))
                    return -1;
                c->line[c->linelen++] = ch;
            }
            break;
        }
        case ST_DATA: {
            size_t n = (size_t)TS_MIN((uint64_t)(len - i), c->remaining);
            if (out(arg, data + i, n) != 0)
                return -1;
            i += n;
            c->remaining -= n;
            if (!c->remaining)
                c->state = ST_DATA_CR;
            break;
        }
        case ST_DATA_CR:
            if (data[i] == '\r') {
                i++;
                c->state = ST_DATA_LF;
            } else if (data[i] == '\n') {
                i++;
                c->state = ST_SIZE;
            } else {
                return -1;
            }
            break;
        case ST_DATA_LF:
            if (data[i++] != '\n')
                return -1;
            c->state = ST_SIZE;
            break;
        case ST_DONE:
            /* Anything after the closing empty line is not ours. */
            if (!isspace((unsigned char)data[i]))
                return -1;
            i++;
            break;
        }
    }
    return 0;
}

int s3_chunked_complete(const s3_chunked *c)
{
    /* Some clients end right after the trailers, without the empty line. */
    return c->done || (c->state == ST_TRAILER && c->linelen == 0);
}

const char *s3_chunked_trailer(const s3_chunked *c, const char *name)
{
    for (int i = 0; i < c->ntrailers; i++)
        if (!strcasecmp(c->trailer_name[i], name))
            return c->trailer_value[i];
    return NULL;
}
