/*
 * model_int.h - the layout of the generated model tables (model_<svc>.c,
 * written by model_gen.py) that model.c reads.  Every name and pattern is
 * an offset into the service's string pool (0 is the empty string, "no
 * such thing"), so the tables are plain const data without relocations.
 */
#ifndef TINYSTACK_MODEL_INT_H
#define TINYSTACK_MODEL_INT_H

#include <regex.h>
#include <stdatomic.h>
#include <stdint.h>

#include "tinystack/model.h"

enum ts_model_type {
    TS_MT_STRING = 1,
    TS_MT_INTEGER,
    TS_MT_LONG,
    TS_MT_BOOLEAN,
    TS_MT_BLOB,
    TS_MT_TIMESTAMP,
    TS_MT_DOUBLE,
    TS_MT_FLOAT,
    TS_MT_LIST,
    TS_MT_MAP,
    TS_MT_STRUCTURE,
    TS_MT_UNION,
    TS_MT_DOCUMENT,
};

/* ts_model_shape.flags */
enum {
    TS_MODEL_HAS_MIN = 1 << 0,
    TS_MODEL_HAS_MAX = 1 << 1,
    TS_MODEL_SENSITIVE = 1 << 2,
    TS_MODEL_CHECKED = 1 << 3, /* it, or a shape inside it, has constraints */
};

/* ts_model_member.flags */
enum {
    TS_MODEL_REQUIRED = 1 << 0,
    TS_MODEL_PAYLOAD = 1 << 1, /* the structure's HTTP payload member */
};

/* Where a rest protocol binds a member. */
enum {
    TS_MODEL_LOC_BODY = 0,
    TS_MODEL_LOC_URI,
    TS_MODEL_LOC_QUERY,
    TS_MODEL_LOC_HEADER,
    TS_MODEL_LOC_HEADERS, /* a map of headers sharing a prefix */
    TS_MODEL_LOC_STATUS,
};

/*
 * One model shape.  first/count/value by type:
 *   structure, union  members[first .. first+count)
 *   list              first = the member shape
 *   map               first = the key shape, value = the value shape
 *   string with enum  enums[first .. first+count)
 * bounds indexes the service's bounds (lengths, or values for numbers)
 * when HAS_MIN or HAS_MAX is set; regex is a slot + 1 of the compiled
 * pattern, 0 when there is none or it could not be translated.
 */
typedef struct ts_model_shape {
    uint32_t name;
    uint32_t pattern;  /* the model's (Java) pattern text, quoted in messages */
    uint32_t first;
    uint16_t count;
    uint16_t value;
    uint16_t bounds;
    uint8_t type;
    uint8_t flags;
    uint16_t regex;
} ts_model_shape;

typedef struct ts_model_member {
    uint32_t name;      /* "TableName" */
    uint32_t loc_name;  /* locationName, 0 when none */
    uint16_t shape;
    uint8_t location;
    uint8_t flags;
} ts_model_member;

/* A pattern compiled on first use: state 0 = not yet, 1 = ready,
 * 2 = regcomp refused it (then it is not checked). */
typedef struct ts_model_regex {
    atomic_int state;
    regex_t re;
} ts_model_regex;

struct ts_model_service;

/* An operation: strings are offsets into its service's pool. */
struct ts_model_op {
    const struct ts_model_service *service;
    uint32_t name;
    uint32_t http_method;
    uint32_t request_uri;
    int32_t input;             /* the input shape, -1 when none */
};

typedef struct ts_model_service {
    const char *name;      /* "dynamodb" */
    const char *protocol;  /* "json", "rest-json", "rest-xml", "query" */
    const char *ns;        /* "com.amazonaws.dynamodb.v20120810", Java's package */
    const char *strs;
    const ts_model_shape *shapes;
    const ts_model_member *members;
    const uint32_t *enums;
    const double (*bounds)[2];
    const uint32_t *regex_src; /* POSIX texts, anchored */
    ts_model_regex *regex;
    uint8_t *overrides;        /* per shape: 1 << kind of model.c's overrides */
    unsigned nshapes;
    unsigned nregex;
    unsigned nops;
    const ts_model_op *ops;    /* sorted by name */
} ts_model_service;

extern const ts_model_service ts_model_svc_apigateway;
extern const ts_model_service ts_model_svc_apigatewayv2;
extern const ts_model_service ts_model_svc_dynamodb;
extern const ts_model_service ts_model_svc_iam;
extern const ts_model_service ts_model_svc_lambda;
extern const ts_model_service ts_model_svc_logs;
extern const ts_model_service ts_model_svc_s3;
extern const ts_model_service ts_model_svc_sts;

#endif
