/*
 * model.c - operation lookup and input validation over the generated
 * botocore tables (model_<svc>.c, see model_int.h).
 *
 * Validation runs in AWS's two phases.  Deserialisation first: the JSON is
 * walked in document order against the shapes and the first value of the
 * wrong JSON type ends it with a SerializationException in the words of
 * AWS's JSON framework (as observed against DynamoDB; its text depends on
 * the expected Java type and on whether the value is a structure member or
 * a list element / map value).  Then the constraints, walked in model
 * member order and accumulated: required, pattern, length, range, enum on
 * each member; a list's or map's members that break their own shape's
 * constraints are reported once at the list or map, as "Member must
 * satisfy constraint: [...]", "Map keys ..." and "Map value ...".
 * Member paths are lowerCamelCase ("keySchema.1.member.attributeName",
 * maps "requestItems.<key>.member..."); values are quoted as Java's
 * toString() prints them.
 *
 * What the model gets wrong or cannot say is in one table, overrides[]
 * below (docs/model.md lists it).  Patterns are POSIX translations made by
 * the generator, compiled on first use under a mutex and published with
 * an atomic flag; those libc cannot compile are not checked.
 */
#include "model_int.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tinystack/core.h"

#define MAX_ERRORS 10       /* AWS lists at most ten */
#define MAX_DEPTH 128       /* deeper values are left to the handler */
#define RENDER_MAX 4096     /* a quoted value is cut after this many bytes */

/* Sorted by name for bsearch. */
static const ts_model_service *const services[] = {
    &ts_model_svc_apigateway, &ts_model_svc_apigatewayv2, &ts_model_svc_dynamodb,
    &ts_model_svc_iam,        &ts_model_svc_lambda,       &ts_model_svc_logs,
    &ts_model_svc_s3,         &ts_model_svc_sts,
};

/* ---- overrides: what the model gets wrong or cannot express ---- */

enum {
    OVR_ENUM_TEXT = 1, /* AWS prints this enum set in this order */
    OVR_TABLE_NAME,    /* a name-or-ARN: names are 3-255 of [a-zA-Z0-9_.-] */
    OVR_OPAQUE,        /* AWS prints the value as Object.toString() */
    OVR_MAX,           /* a maximum the model lacks */
};

typedef struct ovr {
    const char *service;
    const char *shape;
    int kind;
    const char *text;
    double value;
} ovr;

static const ovr overrides[] = {
    /* DynamoDB quotes these sets in its own (hash) order, not the model's. */
    {"dynamodb", "ReturnValue", OVR_ENUM_TEXT,
     "[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]", 0},
    {"dynamodb", "Select", OVR_ENUM_TEXT,
     "[SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]", 0},
    {"dynamodb", "ComparisonOperator", OVR_ENUM_TEXT,
     "[IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, "
     "CONTAINS]", 0},
    {"dynamodb", "ProjectionType", OVR_ENUM_TEXT, "[INCLUDE, ALL, KEYS_ONLY]", 0},
    {"dynamodb", "ScalarAttributeType", OVR_ENUM_TEXT, "[B, N, S]", 0},
    /* TableName members are TableArn (1-1024, any text) since tables can be
     * named by ARN, but a plain name is still held to 3-255 characters of
     * [a-zA-Z0-9_.-]; an empty one gets the model's "at least 1". */
    {"dynamodb", "TableArn", OVR_TABLE_NAME, NULL, 0},
    /* A key schema has a hash key and at most one range key. */
    {"dynamodb", "KeySchema", OVR_MAX, NULL, 2},
    /* AttributeValue has no toString: AWS prints the class and a hash. */
    {"dynamodb", "AttributeValue", OVR_OPAQUE, NULL, 0},
};

/* The shape index of each override row in its service, found once; each
 * service's overrides[] byte map marks the shapes that have some. */
static int ovr_shape[TS_ARRAY_LEN(overrides)];
static const ts_model_service *ovr_svc[TS_ARRAY_LEN(overrides)];
static pthread_once_t ovr_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t regex_lock = PTHREAD_MUTEX_INITIALIZER;

static int cmp_service(const void *key, const void *elem)
{
    return strcmp(key, (*(const ts_model_service *const *)elem)->name);
}

static int cmp_op(const void *key, const void *elem)
{
    const ts_model_op *op = elem;

    return strcmp(key, op->service->strs + op->name);
}

static const ts_model_service *service_find(const char *name)
{
    const ts_model_service *const *s =
        bsearch(name, services, TS_ARRAY_LEN(services), sizeof(services[0]), cmp_service);

    return s ? *s : NULL;
}

const ts_model_op *ts_model_op_find(const char *service, const char *operation)
{
    const ts_model_service *svc = service && operation ? service_find(service) : NULL;

    return svc ? bsearch(operation, svc->ops, svc->nops, sizeof(svc->ops[0]), cmp_op) : NULL;
}

const char *ts_model_op_name(const ts_model_op *op)
{
    return op->service->strs + op->name;
}

const char *ts_model_op_http_method(const ts_model_op *op)
{
    return op->service->strs + op->http_method;
}

const char *ts_model_op_request_uri(const ts_model_op *op)
{
    return op->service->strs + op->request_uri;
}

void ts_model_bind_rest(const ts_model_op *op, cJSON *in, ts_model_lookup_fn get, void *arg)
{
    const ts_model_service *svc;
    const ts_model_shape *s;

    if (!op || op->input < 0 || !in)
        return;
    svc = op->service;
    s = &svc->shapes[op->input];
    for (unsigned i = 0; i < s->count; i++) {
        const ts_model_member *m = &svc->members[s->first + i];
        const ts_model_shape *ms = &svc->shapes[m->shape];
        const char *name = svc->strs + m->name;
        const char *text, *end;
        double d;

        if (m->location != TS_MODEL_LOC_URI && m->location != TS_MODEL_LOC_QUERY &&
            m->location != TS_MODEL_LOC_HEADER)
            continue;
        text = get(arg, m->location, svc->strs + (m->loc_name ? m->loc_name : m->name));
        if (!text)
            continue;
        cJSON_DeleteItemFromObjectCaseSensitive(in, name);
        switch (ms->type) {
        case TS_MT_INTEGER:
        case TS_MT_LONG:
        case TS_MT_DOUBLE:
        case TS_MT_FLOAT:
            d = strtod(text, (char **)&end);
            if (*text && !*end)
                cJSON_AddNumberToObject(in, name, d);
            else
                cJSON_AddStringToObject(in, name, text);
            break;
        case TS_MT_BOOLEAN:
            if (!strcmp(text, "true") || !strcmp(text, "false"))
                cJSON_AddBoolToObject(in, name, text[0] == 't');
            else
                cJSON_AddStringToObject(in, name, text);
            break;
        case TS_MT_LIST:
            /* A repeated query argument or a comma-separated header: the
             * protocol gives one text; it becomes a one-element list. */
            cJSON_AddItemToArray(cJSON_AddArrayToObject(in, name), cJSON_CreateString(text));
            break;
        default:
            cJSON_AddStringToObject(in, name, text);
            break;
        }
    }
}

void ts_model_error_free(ts_model_error *e)
{
    ts_free(e->message);
    e->message = NULL;
    e->kind = TS_MODEL_OK;
}

/*
 * An override must name a shape the model has, and one that changes a
 * constraint must name a shape that already has some (TS_MODEL_CHECKED is
 * computed by the generator, overrides cannot add it to the shapes that
 * contain this one).  A regenerated model that breaks either stops the
 * first validation, so the unit tests catch it.
 */
static void ovr_resolve(void)
{
    for (size_t i = 0; i < TS_ARRAY_LEN(overrides); i++) {
        const ts_model_service *svc = service_find(overrides[i].service);

        ovr_shape[i] = -1;
        ovr_svc[i] = svc;
        for (unsigned k = 0; svc && k < svc->nshapes; k++)
            if (!strcmp(svc->strs + svc->shapes[k].name, overrides[i].shape))
                ovr_shape[i] = (int)k;
        if (ovr_shape[i] < 0 ||
            (overrides[i].kind != OVR_OPAQUE &&
             !(svc->shapes[ovr_shape[i]].flags & TS_MODEL_CHECKED))) {
            fprintf(stderr, "model: override of %s %s fits no shape of the model\n",
                    overrides[i].service, overrides[i].shape);
            abort();
        }
        svc->overrides[ovr_shape[i]] |= (uint8_t)(1u << overrides[i].kind);
    }
}

static const ovr *ovr_find(const ts_model_service *svc, unsigned shape, int kind)
{
    const ovr *o = NULL;

    pthread_once(&ovr_once, ovr_resolve);
    for (size_t i = 0; !o && (svc->overrides[shape] & (1u << kind)) &&
                       i < TS_ARRAY_LEN(overrides); i++)
        if (ovr_svc[i] == svc && ovr_shape[i] == (int)shape && overrides[i].kind == kind)
            o = &overrides[i];
    return o;
}

/* ---- the walk ---- */

typedef struct vctx {
    const ts_model_service *svc;
    ts_buf path;   /* "keySchema.1.member.attributeName" */
    ts_buf errs;   /* "Value ... ; Value ..." */
    int nerr;
    char *ser;     /* the SerializationException text, ts_malloc'd */
    int payload_sent; /* the body is the payload member, and is not empty */
} vctx;

/* The input member that is the body itself (a blob or text) rather than
 * a structure of JSON members, or NULL. */
static const ts_model_member *payload_member(const ts_model_op *op)
{
    const ts_model_service *svc = op->service;
    const ts_model_shape *s = &svc->shapes[op->input];

    for (unsigned i = 0; i < s->count; i++) {
        const ts_model_member *m = &svc->members[s->first + i];
        if ((m->flags & TS_MODEL_PAYLOAD) && svc->shapes[m->shape].type != TS_MT_STRUCTURE)
            return m;
    }
    return NULL;
}

const char *ts_model_payload(const ts_model_op *op)
{
    const ts_model_member *m = op && op->input >= 0 ? payload_member(op) : NULL;

    return m ? op->service->strs + m->name : NULL;
}

static const ts_model_shape *shape_at(const vctx *v, unsigned i)
{
    return &v->svc->shapes[i];
}

static const char *str_at(const vctx *v, uint32_t off)
{
    return v->svc->strs + off;
}

/* The key a member sits under in the input: a body member with a
 * locationName is on the wire under it (apigatewayv2's "name" for Name);
 * members bound to the URI, query or headers were added by
 * ts_model_bind_rest under their member names. */
static const char *member_key(const ts_model_service *svc, const ts_model_member *m)
{
    return svc->strs + (m->location == TS_MODEL_LOC_BODY && m->loc_name ? m->loc_name
                                                                         : m->name);
}

static int is_container(int type)
{
    return type == TS_MT_LIST || type == TS_MT_MAP || type == TS_MT_STRUCTURE ||
           type == TS_MT_UNION;
}

static void path_push(ts_buf *p, const char *seg, int lower)
{
    if (p->len)
        ts_buf_putc(p, '.');
    if (lower && seg[0] >= 'A' && seg[0] <= 'Z') {
        ts_buf_putc(p, (char)(seg[0] - 'A' + 'a'));
        seg++;
    }
    ts_buf_puts(p, seg);
}

static void path_pop(ts_buf *p, size_t len)
{
    p->len = len;
    if (p->data)
        p->data[len] = '\0';
}

/* The Java class AWS names in its messages. */
static void java_type(const vctx *v, unsigned shape, ts_buf *b)
{
    const ts_model_shape *s = shape_at(v, shape);

    switch (s->type) {
    case TS_MT_STRING: ts_buf_puts(b, "java.lang.String"); break;
    case TS_MT_INTEGER: ts_buf_puts(b, "java.lang.Integer"); break;
    case TS_MT_LONG: ts_buf_puts(b, "java.lang.Long"); break;
    case TS_MT_BOOLEAN: ts_buf_puts(b, "java.lang.Boolean"); break;
    case TS_MT_DOUBLE: ts_buf_puts(b, "java.lang.Double"); break;
    case TS_MT_FLOAT: ts_buf_puts(b, "java.lang.Float"); break;
    case TS_MT_BLOB: ts_buf_puts(b, "java.nio.ByteBuffer"); break;
    case TS_MT_TIMESTAMP: ts_buf_puts(b, "java.util.Date"); break;
    case TS_MT_DOCUMENT: ts_buf_puts(b, "java.lang.Object"); break;
    case TS_MT_LIST:
        ts_buf_puts(b, "java.util.List<");
        java_type(v, s->first, b);
        ts_buf_putc(b, '>');
        break;
    case TS_MT_MAP:
        ts_buf_puts(b, "java.util.Map<java.lang.String, ");
        java_type(v, s->value, b);
        ts_buf_putc(b, '>');
        break;
    default:
        ts_buf_printf(b, "%s.%s", v->svc->ns, str_at(v, s->name));
        break;
    }
}

/* The short type name in "X_VALUE cannot be converted to <name>". */
static const char *scalar_name(int type)
{
    return type == TS_MT_INTEGER   ? "Integer"
           : type == TS_MT_LONG    ? "Long"
           : type == TS_MT_BOOLEAN ? "Boolean"
           : type == TS_MT_DOUBLE  ? "Double"
           : type == TS_MT_FLOAT   ? "Float"
           : type == TS_MT_TIMESTAMP ? "Date"
                                     : "String";
}

static int json_is_integral(const cJSON *j)
{
    double d = j->valuedouble;

    return isfinite(d) && d == floor(d);
}

/* Jackson's name for the token a value starts with. */
static const char *token_name(const cJSON *j)
{
    return cJSON_IsTrue(j)       ? "TRUE_VALUE"
           : cJSON_IsFalse(j)    ? "FALSE_VALUE"
           : cJSON_IsString(j)   ? "STRING_VALUE"
           : json_is_integral(j) ? "NUMBER_VALUE"
                                 : "DECIMAL_VALUE";
}

static const char CAST_MSG[] =
    "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to "
    "class java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl "
    "and java.lang.Class are in module java.base of loader 'bootstrap')";

static int b64_value(char ch)
{
    return ch >= 'A' && ch <= 'Z'   ? ch - 'A'
           : ch >= 'a' && ch <= 'z' ? ch - 'a' + 26
           : ch >= '0' && ch <= '9' ? ch - '0' + 52
           : ch == '+'              ? 62
           : ch == '/'              ? 63
                                    : -1;
}

/* The byte count of padded base64 text of n characters. */
static size_t b64_decoded_len(const char *s, size_t n)
{
    size_t len = n / 4 * 3;

    if (n && s[n - 1] == '=')
        len -= (n > 1 && s[n - 2] == '=') ? 2 : 1;
    return len;
}

/* NULL when s is canonical padded base64, else AWS's complaint (in buf
 * or static). */
static const char *b64_problem(const char *s, size_t n, char *buf, size_t len)
{
    static const char last[] = "Invalid last non-pad Base64 character dectected";
    const char *msg = NULL;
    size_t pad = 0;

    if (n % 4) {
        snprintf(buf, len, "Base64 encoded length is expected a multiple of 4 bytes "
                           "but found: %zu", n);
        msg = buf;
    } else {
        while (pad < n && s[n - 1 - pad] == '=')
            pad++;
        if (pad > 2)
            msg = last;
        for (size_t i = 0; !msg && i < n - pad; i++)
            msg = s[i] == '=' ? last : b64_value(s[i]) < 0 ? "Invalid Base64 character found"
                                                           : NULL;
        /* The bits past the last whole byte must be zero. */
        if (!msg && pad && (b64_value(s[n - pad - 1]) & (pad == 1 ? 3 : 15)))
            msg = last;
    }
    return msg;
}

static void ser_fail(vctx *v, const char *msg)
{
    v->ser = ts_strdup(msg);
}

/* How a value sits in its parent: AWS words some mismatches differently. */
enum { AS_FIELD, AS_ELEMENT };

static int check_types(vctx *v, unsigned shape, const cJSON *j, int as, int depth);

/* The members of a structure, in document order; unknown ones and nulls
 * are skipped. */
static int check_struct_types(vctx *v, const ts_model_shape *s, const cJSON *j, int depth)
{
    const cJSON *c;
    int rc = 0;

    for (c = j->child; c && rc == 0; c = c->next) {
        const ts_model_member *m = NULL;

        if (!c->string || cJSON_IsNull(c))
            continue;
        for (unsigned k = 0; !m && k < s->count; k++) {
            const char *name = member_key(v->svc, &v->svc->members[s->first + k]);
            if (name[0] == c->string[0] && !strcmp(name, c->string))
                m = &v->svc->members[s->first + k];
        }
        if (m)
            rc = check_types(v, m->shape, c, AS_FIELD, depth + 1);
    }
    return rc;
}

/* Phase one: the first value of the wrong JSON type, as AWS reports it. */
static int check_types(vctx *v, unsigned shape, const cJSON *j, int as, int depth)
{
    const ts_model_shape *s = shape_at(v, shape);
    ts_buf b;
    const cJSON *c;
    char tmp[96];
    int rc = -1;

    ts_buf_init(&b);
    if (depth > MAX_DEPTH || cJSON_IsNull(j) || s->type == TS_MT_DOCUMENT) {
        rc = 0;
        goto out;
    }
    if (cJSON_IsObject(j) && !(s->type == TS_MT_MAP || s->type == TS_MT_STRUCTURE ||
                               s->type == TS_MT_UNION)) {
        ser_fail(v, "Start of structure or map found where not expected");
        goto out;
    }
    if (cJSON_IsArray(j) && s->type != TS_MT_LIST) {
        if (s->type == TS_MT_MAP) {
            ts_buf_puts(&b, "Unrecognized collection type ");
        } else {
            ts_buf_puts(&b, "Unrecognized collection type class ");
        }
        java_type(v, shape, &b);
        ser_fail(v, b.data);
        goto out;
    }
    switch (s->type) {
    case TS_MT_STRING:
        if (!cJSON_IsString(j)) {
            snprintf(tmp, sizeof(tmp), "%s cannot be converted to String", token_name(j));
            ser_fail(v, tmp);
            goto out;
        }
        break;
    case TS_MT_BOOLEAN:
        if (cJSON_IsString(j)) {
            ser_fail(v, "Unexpected token received from parser");
            goto out;
        }
        if (!cJSON_IsBool(j)) {
            snprintf(tmp, sizeof(tmp), "%s cannot be converted to Boolean", token_name(j));
            ser_fail(v, tmp);
            goto out;
        }
        break;
    case TS_MT_INTEGER:
    case TS_MT_LONG:
    case TS_MT_DOUBLE:
    case TS_MT_FLOAT:
    case TS_MT_TIMESTAMP:
        if (!cJSON_IsNumber(j)) {
            snprintf(tmp, sizeof(tmp), "%s cannot be converted to %s", token_name(j),
                     scalar_name(s->type));
            ser_fail(v, tmp);
            goto out;
        }
        break;
    case TS_MT_BLOB:
        if (!cJSON_IsString(j)) {
            ser_fail(v, "only base-64-encoded strings are convertible to bytes");
            goto out;
        } else {
            const char *p = b64_problem(j->valuestring, strlen(j->valuestring), tmp,
                                        sizeof(tmp));
            if (p) {
                ser_fail(v, p);
                goto out;
            }
        }
        break;
    case TS_MT_LIST:
        if (!cJSON_IsArray(j)) {
            ser_fail(v, as == AS_FIELD ? "Unexpected field type" : CAST_MSG);
            goto out;
        }
        cJSON_ArrayForEach(c, j)
            if (check_types(v, s->first, c, AS_ELEMENT, depth + 1) != 0)
                goto out;
        break;
    case TS_MT_MAP:
        if (!cJSON_IsObject(j)) {
            ser_fail(v, as == AS_FIELD ? "Unexpected field type" : CAST_MSG);
            goto out;
        }
        cJSON_ArrayForEach(c, j)
            if (check_types(v, s->value, c, AS_ELEMENT, depth + 1) != 0)
                goto out;
        break;
    default: /* structure, union */
        if (!cJSON_IsObject(j)) {
            ser_fail(v, as == AS_FIELD ? "Unexpected field type"
                                       : "Unexpected value type in payload");
            goto out;
        }
        if (check_struct_types(v, s, j, depth) != 0)
            goto out;
        break;
    }
    rc = 0;
out:
    ts_buf_free(&b);
    return rc;
}

/* ---- values as Java prints them ---- */

static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;

    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

/* As Java's Integer/Long/Double toString() would print d (Double's
 * exponent form past 10^7 is not copied: plain %g digits). */
static void print_number(ts_buf *b, int type, double d)
{
    char text[40];

    if (!isfinite(d)) {
        ts_buf_puts(b, isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
    } else if ((type == TS_MT_INTEGER || type == TS_MT_LONG) && fabs(d) < 9e18) {
        ts_buf_printf(b, "%lld", (long long)d);
    } else if (d == floor(d) && fabs(d) < 1e7) {
        ts_buf_printf(b, "%.1f", d); /* Double.toString: "2.0" */
    } else {
        /* the shortest text that reads back as d */
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(text, sizeof(text), "%.*g", prec, d);
            if (strtod(text, NULL) == d)
                break;
        }
        ts_buf_puts(b, text);
    }
}

static void render(const vctx *v, unsigned shape, const cJSON *j, ts_buf *b, int depth);

/* A present, non-sensitive value as its Java class's toString() prints it. */
static void render_value(const vctx *v, unsigned shape, const cJSON *j, ts_buf *b, int depth)
{
    const ts_model_shape *s = shape_at(v, shape);
    const cJSON *c;
    int first = 1;

    switch (s->type) {
    case TS_MT_STRING:
        if (cJSON_IsString(j))
            ts_buf_puts(b, j->valuestring);
        break;
    case TS_MT_BOOLEAN:
        ts_buf_puts(b, cJSON_IsTrue(j) ? "true" : "false");
        break;
    case TS_MT_BLOB:
        if (cJSON_IsString(j)) {
            size_t len = b64_decoded_len(j->valuestring, strlen(j->valuestring));
            ts_buf_printf(b, "java.nio.HeapByteBuffer[pos=0 lim=%zu cap=%zu]", len, len);
        }
        break;
    case TS_MT_TIMESTAMP:
        if (cJSON_IsNumber(j)) {
            double d = j->valuedouble;
            time_t t = (time_t)(isfinite(d) && fabs(d) < 1e15 ? d : 0);
            struct tm tm;
            char text[64];
            /* Date.toString() */
            if (gmtime_r(&t, &tm) &&
                strftime(text, sizeof(text), "%a %b %d %H:%M:%S UTC %Y", &tm))
                ts_buf_puts(b, text);
        }
        break;
    case TS_MT_LIST:
        ts_buf_putc(b, '[');
        cJSON_ArrayForEach(c, j) {
            if (!first)
                ts_buf_puts(b, ", ");
            first = 0;
            render(v, s->first, c, b, depth + 1);
        }
        ts_buf_putc(b, ']');
        break;
    case TS_MT_MAP:
        ts_buf_putc(b, '{');
        cJSON_ArrayForEach(c, j) {
            if (!first)
                ts_buf_puts(b, ", ");
            first = 0;
            ts_buf_printf(b, "%s=", c->string ? c->string : "");
            render(v, s->value, c, b, depth + 1);
        }
        ts_buf_putc(b, '}');
        break;
    case TS_MT_STRUCTURE:
    case TS_MT_UNION:
        if (ovr_find(v->svc, shape, OVR_OPAQUE)) {
            char *text = cJSON_PrintUnformatted(j);
            ts_buf_printf(b, "%s.%s@%x", v->svc->ns, str_at(v, s->name),
                          fnv1a(text ? text : ""));
            cJSON_free(text);
            break;
        }
        /* Lombok-style: every member, absent ones as null */
        ts_buf_printf(b, "%s(", str_at(v, s->name));
        for (unsigned k = 0; k < s->count; k++) {
            const ts_model_member *m = &v->svc->members[s->first + k];
            const char *name = str_at(v, m->name);
            if (k)
                ts_buf_puts(b, ", ");
            ts_buf_printf(b, "%c%s=", name[0] >= 'A' && name[0] <= 'Z' ? name[0] - 'A' + 'a'
                                                                      : name[0], name + 1);
            render(v, m->shape, cJSON_GetObjectItemCaseSensitive(j, member_key(v->svc, m)), b,
                   depth + 1);
        }
        ts_buf_putc(b, ')');
        break;
    default:
        if (cJSON_IsNumber(j))
            print_number(b, s->type, j->valuedouble);
        break;
    }
}

static void render(const vctx *v, unsigned shape, const cJSON *j, ts_buf *b, int depth)
{
    if (b->len > RENDER_MAX || depth > MAX_DEPTH)
        ; /* enough said: the rest is cut */
    else if (!j || cJSON_IsNull(j))
        ts_buf_puts(b, "null");
    else if (shape_at(v, shape)->flags & TS_MODEL_SENSITIVE)
        ts_buf_puts(b, "*** Sensitive Data Redacted ***");
    else
        render_value(v, shape, j, b, depth);
}

/* ---- constraints ---- */

static void add_error(vctx *v, unsigned shape, const cJSON *j, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add_error(vctx *v, unsigned shape, const cJSON *j, const char *fmt, ...)
{
    va_list ap;

    if (v->nerr < MAX_ERRORS) {
        if (v->nerr++)
            ts_buf_puts(&v->errs, "; ");
        if (!j || cJSON_IsNull(j)) {
            ts_buf_puts(&v->errs, "Value null");
        } else if (shape_at(v, shape)->flags & TS_MODEL_SENSITIVE) {
            ts_buf_puts(&v->errs, "Value"); /* AWS does not quote sensitive values */
        } else {
            ts_buf value;
            size_t n;
            ts_buf_init(&value);
            render(v, shape, j, &value, 0);
            /* a long value is cut, at a UTF-8 character boundary */
            n = TS_MIN(value.len, (size_t)RENDER_MAX);
            while (n < value.len && n > 0 && ((unsigned char)value.data[n] & 0xC0) == 0x80)
                n--;
            ts_buf_printf(&v->errs, "Value '%.*s'", (int)n, value.data ? value.data : "");
            ts_buf_free(&value);
        }
        ts_buf_printf(&v->errs, " at '%s' failed to satisfy constraint: ",
                      v->path.data ? v->path.data : "");
        va_start(ap, fmt);
        ts_buf_vprintf(&v->errs, fmt, ap);
        va_end(ap);
    }
}

/* Java's String.length(): UTF-16 code units of UTF-8 text. */
static size_t utf16_len(const char *s)
{
    size_t n = 0;

    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xC0) != 0x80)
            n++;
        if (*p >= 0xF0)
            n++; /* outside the BMP: a surrogate pair */
    }
    return n;
}

static int regex_match(const vctx *v, unsigned slot, const char *text)
{
    ts_model_regex *r = &v->svc->regex[slot];
    int state = atomic_load_explicit(&r->state, memory_order_acquire);

    if (state == 0) {
        pthread_mutex_lock(&regex_lock);
        state = atomic_load_explicit(&r->state, memory_order_relaxed);
        if (state == 0) {
            state = regcomp(&r->re, str_at(v, v->svc->regex_src[slot]),
                            REG_EXTENDED | REG_NOSUB) == 0 ? 1 : 2;
            atomic_store_explicit(&r->state, state, memory_order_release);
        }
        pthread_mutex_unlock(&regex_lock);
    }
    return state != 1 || regexec(&r->re, text, 0, NULL, 0) == 0;
}

static int table_name_chars_ok(const char *s)
{
    int ok = 1;

    for (; *s && ok; s++)
        ok = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
             (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.';
    return ok;
}

/* One constraint of a shape, for the bracketed lists. */
enum { C_PATTERN, C_LEN_MIN, C_LEN_MAX, C_VAL_MIN, C_VAL_MAX, C_ENUM, C__COUNT };

typedef struct climits {
    int has_min, has_max;
    double min, max;
    const char *pattern;  /* Java text, NULL: none */
    int regex;            /* slot + 1, 0: unchecked */
    int table_name;       /* the OVR_TABLE_NAME check */
} climits;

static void shape_limits(const vctx *v, unsigned shape, const cJSON *j, climits *l)
{
    const ts_model_shape *s = shape_at(v, shape);
    const ovr *o;

    memset(l, 0, sizeof(*l));
    l->has_min = (s->flags & TS_MODEL_HAS_MIN) != 0;
    l->has_max = (s->flags & TS_MODEL_HAS_MAX) != 0;
    if (l->has_min || l->has_max) {
        l->min = v->svc->bounds[s->bounds][0];
        l->max = v->svc->bounds[s->bounds][1];
    }
    l->pattern = s->pattern ? str_at(v, s->pattern) : NULL;
    l->regex = s->regex;
    if ((o = ovr_find(v->svc, shape, OVR_MAX)) != NULL) {
        l->has_max = 1;
        l->max = o->value;
    }
    if ((l->has_min || l->has_max) && s->type == TS_MT_STRING &&
        ovr_find(v->svc, shape, OVR_TABLE_NAME)) {
        const char *t = cJSON_IsString(j) ? j->valuestring : NULL;
        /* A plain name (not an ARN, not empty): DynamoDB's own rules. */
        if (!t || (*t && strncmp(t, "arn:", 4) != 0)) {
            l->has_min = l->has_max = 1;
            l->min = 3;
            l->max = 255;
            l->pattern = "[a-zA-Z0-9_.-]+";
            l->table_name = 1;
        }
    }
}

static const char *enum_text(const vctx *v, unsigned shape, ts_buf *b)
{
    const ts_model_shape *s = shape_at(v, shape);
    const ovr *o = ovr_find(v->svc, shape, OVR_ENUM_TEXT);

    if (!o) {
        ts_buf_putc(b, '[');
        for (unsigned k = 0; k < s->count; k++)
            ts_buf_printf(b, "%s%s", k ? ", " : "", str_at(v, v->svc->enums[s->first + k]));
        ts_buf_putc(b, ']');
    }
    return o ? o->text : b->data;
}

/* The length a constraint measures, -1 when it measures none. */
static double measure(const ts_model_shape *s, const cJSON *j)
{
    double n = -1;

    if (s->type == TS_MT_STRING && cJSON_IsString(j))
        n = (double)utf16_len(j->valuestring);
    else if (s->type == TS_MT_BLOB && cJSON_IsString(j))
        n = (double)b64_decoded_len(j->valuestring, strlen(j->valuestring));
    else if (s->type == TS_MT_LIST || s->type == TS_MT_MAP)
        n = (double)cJSON_GetArraySize(j);
    return n;
}

/*
 * Tests j against its own shape's constraints.  With report set, each
 * failure is added as an error at the current path; otherwise returns the
 * number of failures only.  Checks run pattern, length, range, enum, the
 * order AWS lists them in.
 */
static int check_scalar(vctx *v, unsigned shape, const cJSON *j, int report)
{
    const ts_model_shape *s = shape_at(v, shape);
    climits l;
    int fails = 0;
    double n;

    shape_limits(v, shape, j, &l);
    if (l.pattern && cJSON_IsString(j)) {
        int ok = l.table_name ? table_name_chars_ok(j->valuestring)
                 : l.regex   ? regex_match(v, (unsigned)l.regex - 1, j->valuestring)
                             : 1;
        if (!ok && ++fails && report)
            add_error(v, shape, j, "Member must satisfy regular expression pattern: %s",
                      l.pattern);
    }
    if ((n = measure(s, j)) >= 0) {
        if (l.has_min && n < l.min && ++fails && report)
            add_error(v, shape, j, "Member must have length greater than or equal to %.0f",
                      l.min);
        if (l.has_max && n > l.max && ++fails && report)
            add_error(v, shape, j, "Member must have length less than or equal to %.0f",
                      l.max);
    } else if (cJSON_IsNumber(j)) {
        ts_buf t;
        ts_buf_init(&t);
        if (l.has_min && j->valuedouble < l.min && ++fails && report) {
            print_number(&t, s->type, l.min);
            add_error(v, shape, j, "Member must have value greater than or equal to %s",
                      t.data);
        }
        ts_buf_reset(&t);
        if (l.has_max && j->valuedouble > l.max && ++fails && report) {
            print_number(&t, s->type, l.max);
            add_error(v, shape, j, "Member must have value less than or equal to %s",
                      t.data);
        }
        ts_buf_free(&t);
    }
    if (s->type == TS_MT_STRING && s->count && cJSON_IsString(j)) {
        int found = 0;
        for (unsigned k = 0; k < s->count && !found; k++)
            found = !strcmp(str_at(v, v->svc->enums[s->first + k]), j->valuestring);
        if (!found && ++fails && report) {
            ts_buf t;
            ts_buf_init(&t);
            add_error(v, shape, j, "Member must satisfy enum value set: %s",
                      enum_text(v, shape, &t));
            ts_buf_free(&t);
        }
    }
    return fails;
}

/* "[Member must have length less than or equal to 25, Member must ...]":
 * every constraint of a member shape, as AWS lists them for a list member,
 * a map key or a map value that breaks one. */
static void constraint_list(const vctx *v, unsigned shape, const cJSON *j, ts_buf *b)
{
    const ts_model_shape *s = shape_at(v, shape);
    climits l;
    int first = 1, lengths = s->type == TS_MT_STRING || s->type == TS_MT_BLOB ||
                             s->type == TS_MT_LIST || s->type == TS_MT_MAP;
    ts_buf t;

    ts_buf_init(&t);
    shape_limits(v, shape, j, &l);
    ts_buf_putc(b, '[');
#define ITEM(...) do { ts_buf_puts(b, first ? "" : ", "); first = 0; \
                       ts_buf_printf(b, __VA_ARGS__); } while (0)
    if (l.has_max && lengths)
        ITEM("Member must have length less than or equal to %.0f", l.max);
    if (l.has_min && lengths)
        ITEM("Member must have length greater than or equal to %.0f", l.min);
    if (l.has_max && !lengths) {
        print_number(&t, s->type, l.max);
        ITEM("Member must have value less than or equal to %s", t.data);
        ts_buf_reset(&t);
    }
    if (l.has_min && !lengths) {
        print_number(&t, s->type, l.min);
        ITEM("Member must have value greater than or equal to %s", t.data);
        ts_buf_reset(&t);
    }
    if (l.pattern)
        ITEM("Member must satisfy regular expression pattern: %s", l.pattern);
    if (s->type == TS_MT_STRING && s->count)
        ITEM("Member must satisfy enum value set: %s", enum_text(v, shape, &t));
#undef ITEM
    ts_buf_putc(b, ']');
    ts_buf_free(&t);
}

static int has_constraints(const vctx *v, unsigned shape)
{
    const ts_model_shape *s = shape_at(v, shape);

    return (s->flags & (TS_MODEL_HAS_MIN | TS_MODEL_HAS_MAX)) || s->pattern ||
           (s->type == TS_MT_STRING && s->count) || ovr_find(v->svc, shape, OVR_MAX);
}

static void check_value(vctx *v, unsigned shape, const cJSON *j, int own, int depth);

/* Members of a list or values of a map: one summary error for those that
 * break their shape's constraints, then each one's insides. */
static void check_members(vctx *v, unsigned shape, unsigned member, const cJSON *j,
                          int is_map, int depth)
{
    const cJSON *c, *bad = NULL;
    size_t mark = v->path.len;
    int i = 0;

    if (has_constraints(v, member))
        for (c = j->child; c && !bad; c = c->next)
            if (!cJSON_IsNull(c) && check_scalar(v, member, c, 0))
                bad = c;
    if (bad) {
        ts_buf t;
        ts_buf_init(&t);
        constraint_list(v, member, bad, &t);
        add_error(v, shape, j, "%s must satisfy constraint: %s",
                  is_map ? "Map value" : "Member", t.data);
        ts_buf_free(&t);
    }
    for (c = is_container(shape_at(v, member)->type) &&
             (shape_at(v, member)->flags & TS_MODEL_CHECKED) ? j->child : NULL;
         c; c = c->next) {
        char num[24];
        i++;
        if (cJSON_IsNull(c))
            continue;
        if (is_map) {
            path_push(&v->path, c->string ? c->string : "", 0);
        } else {
            snprintf(num, sizeof(num), "%d", i);
            path_push(&v->path, num, 0);
        }
        path_push(&v->path, "member", 0);
        check_value(v, member, c, 0, depth + 1);
        path_pop(&v->path, mark);
    }
}

/* A map's keys against its key shape: one error for all that break it. */
static void check_keys(vctx *v, unsigned shape, unsigned key_shape, const cJSON *j)
{
    const cJSON *c;
    int bad = 0;

    for (c = has_constraints(v, key_shape) ? j->child : NULL; c && !bad; c = c->next) {
        cJSON key;
        memset(&key, 0, sizeof(key));
        key.type = cJSON_String;
        key.valuestring = c->string ? c->string : (char *)"";
        if (check_scalar(v, key_shape, &key, 0)) {
            ts_buf t;
            ts_buf_init(&t);
            constraint_list(v, key_shape, &key, &t);
            add_error(v, shape, j, "Map keys must satisfy constraint: %s", t.data);
            ts_buf_free(&t);
            bad = 1;
        }
    }
}

/* Phase two for a present value at the current path; own is 0 for a list
 * member or map value, whose own constraints its parent reported. */
static void check_value(vctx *v, unsigned shape, const cJSON *j, int own, int depth)
{
    const ts_model_shape *s = shape_at(v, shape);
    int type = depth > MAX_DEPTH || v->nerr >= MAX_ERRORS ? 0 : s->type;

    if (type && own && has_constraints(v, shape))
        check_scalar(v, shape, j, 1);
    switch (type) {
    case TS_MT_LIST:
        check_members(v, shape, s->first, j, 0, depth);
        break;
    case TS_MT_MAP:
        check_keys(v, shape, s->first, j);
        check_members(v, shape, s->value, j, 1, depth);
        break;
    case TS_MT_STRUCTURE:
    case TS_MT_UNION:
        for (unsigned k = 0; k < s->count && v->nerr < MAX_ERRORS; k++) {
            const ts_model_member *m = &v->svc->members[s->first + k];
            const cJSON *c;
            size_t mark = v->path.len;

            /* nothing to check at or below this member */
            if (!(m->flags & TS_MODEL_REQUIRED) &&
                !(shape_at(v, m->shape)->flags & TS_MODEL_CHECKED))
                continue;
            /* The body itself, when it is the payload: there when sent. */
            if (depth == 0 && (m->flags & TS_MODEL_PAYLOAD) &&
                shape_at(v, m->shape)->type != TS_MT_STRUCTURE && v->payload_sent)
                continue;
            c = cJSON_GetObjectItemCaseSensitive(j, member_key(v->svc, m));
            if (c && cJSON_IsNull(c))
                c = NULL;
            if (c || (m->flags & TS_MODEL_REQUIRED)) {
                path_push(&v->path, str_at(v, m->name), 1);
                if (c)
                    check_value(v, m->shape, c, 1, depth + 1);
                else
                    add_error(v, m->shape, NULL, "Member must not be null");
                path_pop(&v->path, mark);
            }
        }
        break;
    default:
        break;
    }
}

int ts_model_validate(const ts_model_op *op, const cJSON *in, ts_model_error *out)
{
    return ts_model_validate_body(op, in, 0, out);
}

int ts_model_validate_body(const ts_model_op *op, const cJSON *in, int payload_sent,
                           ts_model_error *out)
{
    vctx v;
    int rc = 0;

    out->kind = TS_MODEL_OK;
    out->message = NULL;
    memset(&v, 0, sizeof(v));
    v.payload_sent = payload_sent;
    ts_buf_init(&v.path);
    ts_buf_init(&v.errs);
    if (!op || op->input < 0 || !in)
        goto out; /* nothing to check */
    v.svc = op->service;
    if (check_types(&v, (unsigned)op->input, in, AS_FIELD, 0) != 0) {
        out->kind = TS_MODEL_SERIALIZATION;
        out->message = v.ser;
        rc = -1;
        goto out;
    }
    check_value(&v, (unsigned)op->input, in, 1, 0);
    if (v.nerr) {
        ts_buf msg;
        ts_buf_init(&msg);
        ts_buf_printf(&msg, "%d validation error%s detected: %s", v.nerr,
                      v.nerr == 1 ? "" : "s", v.errs.data);
        out->kind = TS_MODEL_VALIDATION;
        out->message = ts_buf_detach(&msg, NULL);
        rc = -1;
    }
out:
    ts_buf_free(&v.path);
    ts_buf_free(&v.errs);
    return rc;
}

static void drop_nulls(const ts_model_service *svc, unsigned shape, cJSON *j, int depth)
{
    const ts_model_shape *s = &svc->shapes[shape];
    unsigned el = s->type == TS_MT_LIST ? s->first : s->value; /* list, map */
    cJSON *c, *next;

    if (depth > MAX_DEPTH) {
        ; /* left as it is */
    } else if ((s->type == TS_MT_STRUCTURE || s->type == TS_MT_UNION) && cJSON_IsObject(j)) {
        for (c = j->child; c; c = next) {
            next = c->next;
            if (cJSON_IsNull(c)) {
                cJSON_Delete(cJSON_DetachItemViaPointer(j, c));
                continue;
            }
            for (unsigned k = 0; c->string && k < s->count; k++) {
                const ts_model_member *m = &svc->members[s->first + k];
                if (!strcmp(member_key(svc, m), c->string))
                    drop_nulls(svc, m->shape, c, depth + 1);
            }
        }
    } else if ((s->type == TS_MT_LIST || s->type == TS_MT_MAP) &&
               is_container(svc->shapes[el].type)) {
        cJSON_ArrayForEach(c, j)
            drop_nulls(svc, el, c, depth + 1);
    }
}

void ts_model_drop_nulls(const ts_model_op *op, cJSON *in)
{
    if (op && op->input >= 0 && in)
        drop_nulls(op->service, (unsigned)op->input, in, 0);
}
