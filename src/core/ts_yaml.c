/*
 * ts_yaml.c - YAML into cJSON (include/tinystack/yaml.h), on libyaml's
 * event parser: each event adds to the node on top of a stack, a mapping
 * taking its scalars in turn as key and value.  libyaml is dlopen'ed the
 * first time, as libzip is: it costs nothing until a YAML body comes.
 */
#include "tinystack/yaml.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <yaml.h>

#include "tinystack/core.h"

#define MAX_DEPTH 256
#define MAX_NODES 100000
#define MAX_ANCHORS 1024

static struct {
    __typeof__(yaml_parser_initialize) *initialize;
    __typeof__(yaml_parser_set_input_string) *set_input_string;
    __typeof__(yaml_parser_parse) *parse;
    __typeof__(yaml_event_delete) *event_delete;
    __typeof__(yaml_parser_delete) *parser_delete;
    int ok;
} yl;
static pthread_once_t yl_once = PTHREAD_ONCE_INIT;

static void yl_load(void)
{
    void *h = dlopen("libyaml-0.so.2", RTLD_NOW | RTLD_LOCAL);

    if (!h)
        return;
    yl.initialize = (__typeof__(yl.initialize))dlsym(h, "yaml_parser_initialize");
    yl.set_input_string = (__typeof__(yl.set_input_string))dlsym(h, "yaml_parser_set_input_string");
    yl.parse = (__typeof__(yl.parse))dlsym(h, "yaml_parser_parse");
    yl.event_delete = (__typeof__(yl.event_delete))dlsym(h, "yaml_event_delete");
    yl.parser_delete = (__typeof__(yl.parser_delete))dlsym(h, "yaml_parser_delete");
    yl.ok = yl.initialize && yl.set_input_string && yl.parse && yl.event_delete &&
            yl.parser_delete;
}

typedef struct reader {
    cJSON *root;
    cJSON *stack[MAX_DEPTH];
    char *key[MAX_DEPTH];       /* a mapping's key waiting for its value */
    int depth;
    long nodes;
    struct { char *name; cJSON *node; } anchors[MAX_ANCHORS];
    int nanchors;
    char *err;
    size_t errlen;
} reader;

static int count_nodes(const cJSON *v)
{
    int n = 1;

    for (const cJSON *c = v ? v->child : NULL; c; c = c->next)
        n += count_nodes(c);
    return n;
}

/* A plain scalar's value under the core schema. */
static cJSON *plain_scalar(const char *s, size_t n)
{
    char *end;
    double d;

    if (n == 0 || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
        !strcmp(s, "NULL"))
        return cJSON_CreateNull();
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
        return cJSON_CreateTrue();
    if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
        return cJSON_CreateFalse();
    if ((s[0] >= '0' && s[0] <= '9') || ((s[0] == '-' || s[0] == '+' || s[0] == '.') && n > 1)) {
        errno = 0;
        if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
            long long v = strtoll(s + 2, &end, s[1] == 'x' ? 16 : 8);
            if (!*end && !errno)
                return cJSON_CreateNumber((double)v);
        } else {
            d = strtod(s, &end);
            if (!*end && !errno && strspn(s, "0123456789+-.eE") == n)
                return cJSON_CreateNumber(d);
        }
    }
    return cJSON_CreateString(s);
}

static void remember(reader *r, const yaml_char_t *anchor, cJSON *node)
{
    if (!anchor || r->nanchors >= MAX_ANCHORS)
        return;
    r->anchors[r->nanchors].name = ts_strdup((const char *)anchor);
    r->anchors[r->nanchors].node = node;
    r->nanchors++;
}

/* Puts v where the stack says; -1 with err set on a bad key. */
static int attach(reader *r, cJSON *v, const char *raw)
{
    cJSON *top = r->depth ? r->stack[r->depth - 1] : NULL;

    if (++r->nodes > MAX_NODES) {
        cJSON_Delete(v);
        snprintf(r->err, r->errlen, "the document has more than %d nodes", MAX_NODES);
        return -1;
    }
    if (!top) {
        if (r->root) {
            cJSON_Delete(v);
            return 0;   /* a second top-level node cannot happen in one document */
        }
        r->root = v;
        return 0;
    }
    if (cJSON_IsArray(top)) {
        cJSON_AddItemToArray(top, v);
        return 0;
    }
    if (!r->key[r->depth - 1]) {
        if (!raw) {
            cJSON_Delete(v);
            snprintf(r->err, r->errlen, "a mapping key that is not a scalar");
            return -1;
        }
        r->key[r->depth - 1] = ts_strdup(raw);
        cJSON_Delete(v);
        return 0;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(top, r->key[r->depth - 1]);
    cJSON_AddItemToObject(top, r->key[r->depth - 1], v);
    ts_free(r->key[r->depth - 1]);
    r->key[r->depth - 1] = NULL;
    return 0;
}

static int on_event(reader *r, const yaml_event_t *e)
{
    cJSON *v;

    switch (e->type) {
    case YAML_SCALAR_EVENT: {
        const char *s = (const char *)e->data.scalar.value;
        size_t n = e->data.scalar.length;
        v = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? plain_scalar(s, n)
                                                             : cJSON_CreateString(s);
        remember(r, e->data.scalar.anchor, v);
        return attach(r, v, s);
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        if (r->depth >= MAX_DEPTH) {
            snprintf(r->err, r->errlen, "the document nests deeper than %d", MAX_DEPTH);
            return -1;
        }
        v = e->type == YAML_SEQUENCE_START_EVENT ? cJSON_CreateArray() : cJSON_CreateObject();
        remember(r, e->type == YAML_SEQUENCE_START_EVENT ? e->data.sequence_start.anchor
                                                         : e->data.mapping_start.anchor, v);
        if (attach(r, v, NULL) != 0)
            return -1;
        r->stack[r->depth] = v;
        r->key[r->depth] = NULL;
        r->depth++;
        return 0;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        if (r->depth > 0) {
            r->depth--;
            ts_free(r->key[r->depth]);
            r->key[r->depth] = NULL;
        }
        return 0;
    case YAML_ALIAS_EVENT:
        for (int i = r->nanchors - 1; i >= 0; i--)
            if (!strcmp(r->anchors[i].name, (const char *)e->data.alias.anchor)) {
                cJSON *copy = cJSON_Duplicate(r->anchors[i].node, 1);
                r->nodes += count_nodes(copy) - 1;
                return attach(r, copy, cJSON_IsString(copy) ? copy->valuestring : NULL);
            }
        snprintf(r->err, r->errlen, "an alias to an unknown anchor *%s",
                 (const char *)e->data.alias.anchor);
        return -1;
    default:
        return 0;
    }
}

cJSON *ts_yaml_parse(const char *text, size_t len, char *err, size_t errlen)
{
    yaml_parser_t p;
    yaml_event_t e;
    reader *r;
    cJSON *out = NULL;
    int done = 0, failed = 0;

    pthread_once(&yl_once, yl_load);
    if (!yl.ok) {
        snprintf(err, errlen, "YAML needs libyaml (libyaml-0-2), which is not installed");
        return NULL;
    }
    if (!yl.initialize(&p)) {
        snprintf(err, errlen, "cannot start the YAML parser");
        return NULL;
    }
    r = ts_calloc(1, sizeof *r);
    r->err = err;
    r->errlen = errlen;
    err[0] = '\0';
    yl.set_input_string(&p, (const unsigned char *)text, len);
    while (!done && !failed) {
        if (!yl.parse(&p, &e)) {
            snprintf(err, errlen, "YAML syntax error at line %lu: %s",
                     (unsigned long)p.problem_mark.line + 1, p.problem ? p.problem : "?");
            failed = 1;
            break;
        }
        failed = on_event(r, &e) != 0;
        done = e.type == YAML_DOCUMENT_END_EVENT || e.type == YAML_STREAM_END_EVENT;
        yl.event_delete(&e);
    }
    yl.parser_delete(&p);
    for (int i = 0; i < r->depth; i++)
        ts_free(r->key[i]);
    for (int i = 0; i < r->nanchors; i++)
        ts_free(r->anchors[i].name);
    if (failed)
        cJSON_Delete(r->root);
    else if (!(out = r->root))
        snprintf(err, errlen, "the YAML document is empty");
    ts_free(r);
    return out;
}
