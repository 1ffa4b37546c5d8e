/*
 * ts_error.c - lookups into the error table of error.h.
 */
#include "tinystack/error.h"

static const struct {
    int status;
    const char *code;
    const char *message;
} errors[] = {
#define TS_ERR_ROW(name, status, code, msg) {status, code, msg},
    TS_ERRORS(TS_ERR_ROW)
#undef TS_ERR_ROW
};

int ts_error_status(ts_err e)
{
    return errors[e].status;
}

const char *ts_error_code(ts_err e)
{
    return errors[e].code;
}

const char *ts_error_message(ts_err e)
{
    return errors[e].message;
}

static const unsigned char flags[TS_ERR__COUNT] = {
#define TS_ERR_FLAG(name, f) [TS_ERR_##name] = (f),
    TS_ERROR_FLAGS(TS_ERR_FLAG)
#undef TS_ERR_FLAG
};

int ts_error_flags(ts_err e)
{
    return flags[e];
}
