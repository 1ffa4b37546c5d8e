/*
 * ddb_int.h - what the DynamoDB folder shares inside itself.
 *
 * The pure core (no HTTP, no SQLite) works on cJSON values in DynamoDB's
 * wire form ({"S":"x"}, {"N":"1.5"}, {"M":{...}}, ...):
 *   numbers      ddb_num.c         exact decimal N values
 *   values       ddb_value.c       AttributeValue validation, equality,
 *                                  order, item size, key encoding
 *   expressions  ddb_expr_lex.c    tokens, reserved words, function names
 *                ddb_expr_parse.c  recursive-descent parser to an AST
 *                ddb_expr_attrs.c  ExpressionAttributeNames/Values checks
 *                ddb_expr_eval.c   conditions, key conditions, projection
 *                ddb_expr_update.c UpdateExpression application
 *
 * Every function that can fail returns 0 (or a result >= 0) on success and
 * a negative value on failure, with AWS's own ValidationException message
 * written into err (errlen bytes, always NUL-terminated).
 */
#ifndef TINYSTACK_DDB_INT_H
#define TINYSTACK_DDB_INT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include <stdint.h>

#include "tinystack/core.h"
#include "tinystack/service.h"

/* Room for any message the core writes; callers may pass a smaller one. */
#define DDB_ERR_MAX 512

/* ------------------------------------------------------------------ */
/* Numbers (ddb_num.c)                                                  */
/* ------------------------------------------------------------------ */

#define DDB_NUM_DIGITS 38
/* Longest canonical text: "-0." + 129 zeros + 38 digits, or 126 digits. */
#define DDB_NUM_TEXT_MAX 176

/*
 * An exact DynamoDB number: value = (neg ? -1 : 1) * 0.d1d2..dn * 10^exp,
 * with no leading or trailing zero digits; zero has ndig == 0.
 */
typedef struct ddb_num {
    int neg;
    int ndig;
    int exp;
    unsigned char dig[DDB_NUM_DIGITS];
} ddb_num;

/* Parses N text ("-1.5E+3", "+.5", "0001.20"); 0, or -1 with AWS's message
 * (not numeric, more than 38 significant digits, overflow, underflow). */
int ddb_num_parse(const char *s, ddb_num *n, char *err, size_t errlen);
/* Writes the canonical plain text DynamoDB returns ("1500", "0.001",
 * "1" followed by 100 zeros) into out (DDB_NUM_TEXT_MAX bytes). */
void ddb_num_format(const ddb_num *n, char *out);
/* Parses s and writes its canonical text into out (DDB_NUM_TEXT_MAX). */
int ddb_num_normalize(const char *s, char *out, char *err, size_t errlen);
/* Exact order: <0, 0, >0. */
int ddb_num_cmp(const ddb_num *a, const ddb_num *b);
/* Order of two texts; text that does not parse sorts as zero. */
int ddb_num_cmp_text(const char *a, const char *b);
/* Exact a + b and a - b into out; -1 with AWS's overflow message when the
 * result leaves the range or needs more than 38 significant digits. */
int ddb_num_add(const ddb_num *a, const ddb_num *b, ddb_num *out,
                char *err, size_t errlen);
int ddb_num_sub(const ddb_num *a, const ddb_num *b, ddb_num *out,
                char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* AttributeValues and items (ddb_value.c)                              */
/* ------------------------------------------------------------------ */

/* Returned by ddb_value_validate for a malformed JSON shape, which AWS
 * answers with SerializationException rather than ValidationException. */
#define DDB_ERR_SERIALIZATION (-2)

/* The type key of an AttributeValue ("S", "N", "SS", ...), or NULL when v
 * is not an object with exactly one known type key. */
const char *ddb_value_type(const cJSON *v);
/* The member under the type key ({"S":"x"} -> "x"), or NULL. */
const cJSON *ddb_value_inner(const cJSON *v);
/*
 * Validates one AttributeValue tree and normalises every number in place.
 * Returns 0; -1 (ValidationException) or DDB_ERR_SERIALIZATION with the
 * message in err.  Set messages carry AWS's "One or more parameter values
 * were invalid: " prefix; the caller adds context such as
 * "ExpressionAttributeValues contains invalid value: ".
 */
int ddb_value_validate(cJSON *v, char *err, size_t errlen);
/* Validates every attribute of an item (a JSON object of AttributeValues). */
int ddb_item_validate(cJSON *item, char *err, size_t errlen);
/* -1 with AWS's "Nesting Levels have exceeded supported limits" message
 * when an attribute of item nests deeper than 32 levels (the attribute
 * being level 1), as an update can build one; else 0. */
int ddb_item_check_depth(const cJSON *item, char *err, size_t errlen);
/* 1 when a and b are equal as DynamoDB compares them (numbers by value,
 * sets regardless of order, maps regardless of key order), else 0. */
int ddb_value_equal(const cJSON *a, const cJSON *b);
/* Orders two scalar values of one type (S, N or B): sets *res to <0/0/>0
 * and returns 0, or returns -1 when they are not comparable. */
int ddb_value_cmp(const cJSON *a, const cJSON *b, int *res);
/* Strings hold U+0000 as the bytes C0 80 (proto_json.c).  ddb_str_len is
 * the UTF-8 length DynamoDB counts (the pair is one byte); ddb_str_cmp
 * orders two strings by the bytes they stand for (<0, 0, >0). */
size_t ddb_str_len(const char *s);
int ddb_str_cmp(const char *a, const char *b);
/* Size in bytes of one value by AWS's rules (names excluded). */
size_t ddb_value_size(const cJSON *v);
/* Size of an item: attribute name lengths plus value sizes. */
size_t ddb_item_size(const cJSON *item);

/*
 * Appends the order-preserving encoding of a key value (S, N or B) to out:
 * memcmp order of two encodings equals DynamoDB's order of the values.
 * Returns 0, or -1 when attr is not a valid S/N/B value.
 */
int ddb_key_encode(const cJSON *attr, ts_buf *out);
/* Decodes bytes made by ddb_key_encode for type 'S', 'N' or 'B' into a new
 * AttributeValue (caller frees with cJSON_Delete); NULL on bad input. */
cJSON *ddb_key_decode(char type, const void *data, size_t len);

/* How ddb_item_key reads its input. */
enum {
    DDB_KEY_FROM_ITEM = 0, /* PutItem Item: other attributes allowed */
    DDB_KEY_FROM_KEY = 1   /* a Key parameter: exactly the key attributes */
};

/*
 * Takes the key attribute(s) out of item into a new object *key (caller
 * frees).  hash_type/range_type are 'S', 'N' or 'B'; range_name NULL when
 * the table has no sort key.  Returns 0, or -1 with AWS's message (missing
 * key, type mismatch, empty string key, key not matching the schema).
 */
int ddb_item_key(const cJSON *item, int mode, const char *hash_name,
                 char hash_type, const char *range_name, char range_type,
                 cJSON **key, char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* Expressions (ddb_expr_*.c)                                           */
/* ------------------------------------------------------------------ */

/* Which expression parameter is parsed; names the kind in messages. */
enum {
    DDB_EXPR_CONDITION = 0,
    DDB_EXPR_FILTER,
    DDB_EXPR_KEY_CONDITION,
    DDB_EXPR_PROJECTION,
    DDB_EXPR_UPDATE
};

typedef struct ddb_expr ddb_expr;

/*
 * Which ExpressionAttributeNames / Values keys the expressions of one
 * request used.  Zero-initialise, pass to every ddb_expr_parse of the
 * request, then ddb_expr_check_unused; free with ddb_expr_usage_free.
 * The entries borrow the key strings of the names/values objects.
 */
typedef struct ddb_expr_usage {
    const char **names;
    size_t nnames, capnames;
    const char **values;
    size_t nvalues, capvalues;
} ddb_expr_usage;

void ddb_expr_usage_free(ddb_expr_usage *u);

/*
 * Checks the ExpressionAttributeNames / ExpressionAttributeValues maps of
 * a request (either may be NULL): objects, not empty, keys well formed,
 * values valid AttributeValues (numbers normalised in place).
 * Returns 0, -1 or DDB_ERR_SERIALIZATION with AWS's message.
 */
int ddb_expr_attrs_validate(cJSON *names, cJSON *values, char *err,
                            size_t errlen);

/*
 * Parses an expression of the given kind (DDB_EXPR_*), substituting #names
 * and :values.  Returns a new expression (free with ddb_expr_free), or NULL
 * with AWS's message in err.  The expression copies the names it uses but
 * borrows values: keep values alive while the expression is used.  usage
 * may be NULL.
 */
ddb_expr *ddb_expr_parse(int kind, const char *text, const cJSON *names,
                         const cJSON *values, ddb_expr_usage *usage,
                         char *err, size_t errlen);
void ddb_expr_free(ddb_expr *e);

/* After all of a request's expressions parsed: -1 with AWS's "Value
 * provided in ExpressionAttribute{Names,Values} unused in expressions"
 * message when a key went unused, else 0. */
int ddb_expr_check_unused(const cJSON *names, const cJSON *values,
                          const ddb_expr_usage *usage, char *err,
                          size_t errlen);

/* Evaluates a condition or filter against item (NULL when no item):
 * 1 true, 0 false, -1 error with the message in err. */
int ddb_expr_eval_cond(const ddb_expr *e, const cJSON *item, char *err,
                       size_t errlen);

/* The sort-key operator of a key condition. */
enum {
    DDB_KC_NONE = 0,
    DDB_KC_EQ,
    DDB_KC_LT,
    DDB_KC_LE,
    DDB_KC_GT,
    DDB_KC_GE,
    DDB_KC_BETWEEN,
    DDB_KC_BEGINS_WITH
};

/* A KeyConditionExpression taken apart; the values are borrowed from the
 * ExpressionAttributeValues the expression was parsed with. */
typedef struct ddb_key_cond {
    const cJSON *hash_value;
    int range_op;            /* DDB_KC_*; NONE when no sort-key condition */
    const cJSON *range_v1;   /* the operand; BETWEEN's lower bound */
    const cJSON *range_v2;   /* BETWEEN's upper bound */
} ddb_key_cond;

/*
 * Matches a parsed KeyConditionExpression against a key schema (range_name
 * NULL when there is no sort key; types 'S', 'N', 'B').  Fills out and
 * returns 0, or -1 with AWS's message (missing key, non-key attribute,
 * OR/NOT/<>/IN, two conditions on one key, type mismatch...).
 */
int ddb_expr_key_cond(const ddb_expr *e, const char *hash_name,
                      char hash_type, const char *range_name,
                      char range_type, ddb_key_cond *out, char *err,
                      size_t errlen);

/* Applies a ProjectionExpression: a new item holding only the projected
 * paths (caller frees); never NULL. */
cJSON *ddb_expr_project(const ddb_expr *e, const cJSON *item);

/*
 * Applies an UpdateExpression to item (NULL or {} when the item is new)
 * and returns the updated copy in *out (caller frees); item is not
 * changed.  All right-hand sides read the item as it was before the
 * update.  Returns 0, or -1 with AWS's message.  Keeping key attributes
 * unchanged and the 400 KB limit are the caller's checks.
 */
int ddb_expr_apply_update(const ddb_expr *e, const cJSON *item, cJSON **out,
                          char *err, size_t errlen);
/* The parts of item the update's actions touched (for ReturnValues
 * UPDATED_OLD with the old item, UPDATED_NEW with the new one); a new
 * object, never NULL. */
cJSON *ddb_expr_project_updated(const ddb_expr *e, const cJSON *item);
/* Number of actions, and the top-level attribute name of action i. */
int ddb_expr_update_count(const ddb_expr *e);
const char *ddb_expr_update_attr(const ddb_expr *e, int i);

/* ------------------------------------------------------------------ */
/* The service: requests, tables, item storage (ddb.c, ddb_table.c,     */
/* ddb_table_meta.c, ddb_store.c, ddb_item.c, ddb_query.c, ddb_batch.c) */
/* ------------------------------------------------------------------ */

/* One call of an operation is the dispatcher's ts_call: the parsed JSON
 * body in, the answer out, and err as scratch for messages. */
typedef ts_call ddb_call;

/* Deletes expired items (a periodic job on the bus thread). */
void ddb_ttl_sweep(void);

enum { DDB_PROJ_ALL = 0, DDB_PROJ_KEYS_ONLY, DDB_PROJ_INCLUDE };

/* A secondary index, from the table's description. */
typedef struct ddb_index_def {
    const char *name;
    int global;
    const char *hk, *rk;     /* rk NULL when the index has no sort key */
    char hkt, rkt;
    int proj;                /* DDB_PROJ_* */
    const cJSON *include;    /* NonKeyAttributes (INCLUDE) */
} ddb_index_def;

#define DDB_MAX_INDEXES 25

/* A table as the operations see it; desc owns the strings. */
typedef struct ddb_table {
    int64_t id;
    const char *name;
    cJSON *desc;             /* what DescribeTable shows, less the counts */
    const char *hk, *rk;     /* rk NULL without a sort key */
    char hkt, rkt;
    int nidx;
    ddb_index_def idx[DDB_MAX_INDEXES];
    const char *ttl_attr;    /* NULL when TTL is off */
    int64_t item_count, size_bytes;
} ddb_table;

/* ddb.c */
/* Sets an error with a printf message; returns -1. */
int ddb_fail(ddb_call *c, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* ValidationException with the message in c->err; returns -1. */
int ddb_fail_validation(ddb_call *c);
/* A string member of the request, or NULL when absent.  The dispatcher's
 * model check has already refused a member of another type and a missing
 * required one. */
const char *ddb_get_str(ddb_call *c, const char *member);
/* How a missing table is reported: item and batch operations say only
 * "Requested resource not found", the table operations add "Table: <name>
 * not found", as DynamoDB does. */
enum { DDB_NOT_FOUND_SHORT = 0, DDB_NOT_FOUND_NAMED = 1 };
/* Loads a table of the request's region by name into t; ResourceNotFound
 * (worded by not_found, a DDB_NOT_FOUND_*) when absent.  Free with
 * ddb_table_free whatever it returns. */
int ddb_table_load(ddb_call *c, const char *name, int not_found, ddb_table *t);
void ddb_table_free(ddb_table *t);
/* Fills the key schema and indexes of t from t->desc. */
void ddb_table_from_desc(ddb_table *t);
/* Holds a new table's name to 255 characters of [a-zA-Z0-9_.-]; 0 or -1
 * with the error set.  The model check does this for plain names (and
 * refuses names under 3 characters); it lets ARN-form names through, as
 * other operations take them, so this is what refuses one in CreateTable. */
int ddb_check_table_name(ddb_call *c, const char *name, const char *what);
/* Adds ConsumedCapacity when ReturnConsumedCapacity asks for it. */
void ddb_consumed(ddb_call *c, cJSON *out, const char *table, double units,
                  int write);

/* ddb_store.c: items in SQLite.  All inside the caller's transaction. */
/* Encodes the table key of item into hk/rk (rk empty without sort key). */
int ddb_key_bytes(const ddb_table *t, const cJSON *key, ts_buf *hk, ts_buf *rk);
/* The stored item (a new cJSON the caller frees), or NULL when absent or
 * expired by TTL. */
cJSON *ddb_store_get(const ddb_table *t, const ts_buf *hk, const ts_buf *rk);
/* Replaces or inserts item, keeping indexes and counts in step (whatever
 * row it replaces, expired or not).  0 or -1. */
int ddb_store_put(const ddb_table *t, const cJSON *item);
/* Deletes the item whose key item (or key) holds.  0 or -1. */
int ddb_store_delete(const ddb_table *t, const cJSON *key);
/* Checks the item's secondary-index key attributes (types, empty
 * strings) as a write must; 0, or -1 with AWS's message. */
int ddb_check_index_keys(const ddb_table *t, const cJSON *item, char *err,
                         size_t errlen);
/* Adds the index entries of every item to index i (UpdateTable backfill). */
int ddb_store_backfill(const ddb_table *t, int i);
/* Drops index entries of an index name, or of a whole table's items. */
void ddb_store_drop_index(int64_t table_id, const char *idx);
void ddb_store_drop_table(int64_t table_id);
/* Recomputes the expiry column after TTL was switched on or off. */
void ddb_store_retime(const ddb_table *t);
/* The expiry (epoch seconds) item carries for ttl_attr, or 0. */
int64_t ddb_item_expiry(const char *ttl_attr, const cJSON *item);
/* Deletes items whose TTL has passed; returns how many. */
int ddb_store_expire(int64_t now_sec);

/* ddb_item.c: the expressions of one request (or one transaction item). */
enum {
    DDB_X_COND = 1 << 0,
    DDB_X_UPDATE = 1 << 1,
    DDB_X_PROJ = 1 << 2,
    DDB_X_FILTER = 1 << 3,
    DDB_X_KEY = 1 << 4,
};

typedef struct ddb_exprs {
    cJSON *names, *values;   /* borrowed from the request */
    ddb_expr_usage usage;
    ddb_expr *cond, *update, *proj, *filter, *key;
} ddb_exprs;

/* Parses the expressions named by which (DDB_X_*) from src, with its
 * ExpressionAttributeNames/Values, and checks none of those went unused.
 * 0, or -1 with the error set.  Free with ddb_exprs_free in any case; a
 * caller whose error path can reach ddb_exprs_free before this runs must
 * zero x first (ddb_exprs x = {0}). */
int ddb_exprs_parse(ddb_call *c, cJSON *src, ddb_exprs *x, unsigned which);
void ddb_exprs_free(ddb_exprs *x);
/* Refuses a request that mixes expression and legacy parameters. */
int ddb_check_mixed(ddb_call *c, const cJSON *src, const char *legacy,
                    const char *expr);
/* Validates an item parameter (normalising numbers); 0 or -1 with the
 * error set (ValidationException or SerializationException). */
int ddb_validate_item(ddb_call *c, cJSON *item, const char *what);
/* Takes and checks the key of a Key parameter; *key is new (caller frees). */
int ddb_key_param(ddb_call *c, const ddb_table *t, const cJSON *keyparam, cJSON **key);
/* The condition of src (ConditionExpression via x, or legacy Expected) on
 * old: 1 holds, 0 fails, -1 error set. */
int ddb_condition_holds(ddb_call *c, const cJSON *src, const ddb_exprs *x,
                        const cJSON *old);
/* The item an update makes of old (NULL: absent) under key: the update
 * expression or legacy AttributeUpdates applied, the key kept, size and
 * nesting and index keys checked.  0, or -1 with the message in c->err. */
int ddb_update_apply(ddb_call *c, const ddb_table *t, const ddb_exprs *x,
                     const cJSON *legacy, const cJSON *key, const cJSON *old,
                     cJSON **out);
/* Refuses an update of a key attribute; 0 or -1 with the error set. */
int ddb_check_key_untouched(ddb_call *c, const ddb_table *t, const ddb_exprs *x,
                            const cJSON *legacy);
/* Sets ConditionalCheckFailedException (with the old item when src asks
 * for ALL_OLD); returns -1. */
int ddb_condition_failed(ddb_call *c, const cJSON *src, const cJSON *old);
/* Reads ReturnValues (all: UpdateItem's five, else NONE/ALL_OLD). */
int ddb_return_values(ddb_call *c, const cJSON *src, int all, const char **out);
/* Capacity units of an item size. */
double ddb_write_units(size_t size);
double ddb_read_units(size_t size, int consistent);

/* ddb_legacy.c: the pre-expression parameters. */
/* Evaluates Expected / QueryFilter / ScanFilter style conditions (a map
 * of attribute -> {ComparisonOperator, AttributeValueList} or
 * {Value, Exists}) joined by op ("AND"/"OR"): 1, 0, or -1 with err. */
int ddb_legacy_eval(const cJSON *conds, const char *op, const cJSON *item,
                    int expected, char *err, size_t errlen);
/* Check the legacy parameters of a write before anything runs: Expected's
 * shapes as AWS refuses them (Value with AttributeValueList, Exists with
 * ComparisonOperator, an operator without operands, a list without an
 * operator) and every AttributeValue in Expected or AttributeUpdates,
 * numbers normalised in place.  0, -1 (ValidationException) or
 * DDB_ERR_SERIALIZATION, with the message in err. */
int ddb_legacy_check_expected(cJSON *expected, char *err, size_t errlen);
int ddb_legacy_check_updates(cJSON *updates, char *err, size_t errlen);
/* Applies AttributeUpdates to a copy of item into *out. 0 or -1. */
int ddb_legacy_update(const cJSON *updates, const cJSON *item, cJSON **out,
                      char *err, size_t errlen);
/* Projects an item onto AttributesToGet (a new object). */
cJSON *ddb_legacy_project(const cJSON *attrs, const cJSON *item);

/* Operations. */
int ddb_create_table(ddb_call *c);
int ddb_describe_table(ddb_call *c);
int ddb_list_tables(ddb_call *c);
int ddb_delete_table(ddb_call *c);
int ddb_update_table(ddb_call *c);
int ddb_describe_ttl(ddb_call *c);
int ddb_update_ttl(ddb_call *c);
int ddb_tag_resource(ddb_call *c);
int ddb_untag_resource(ddb_call *c);
int ddb_list_tags(ddb_call *c);
int ddb_describe_limits(ddb_call *c);
int ddb_describe_endpoints(ddb_call *c);
int ddb_put_item(ddb_call *c);
int ddb_get_item(ddb_call *c);
int ddb_delete_item(ddb_call *c);
int ddb_update_item(ddb_call *c);
int ddb_query(ddb_call *c);
int ddb_scan(ddb_call *c);
int ddb_batch_write_item(ddb_call *c);
int ddb_batch_get_item(ddb_call *c);
int ddb_transact_write_items(ddb_call *c);
int ddb_transact_get_items(ddb_call *c);

/* ------------------------------------------------------------------ */
/* Expression internals, shared by ddb_expr_*.c only                    */
/* ------------------------------------------------------------------ */

/* Token kinds. */
enum {
    DDB_T_EOF = 0,
    DDB_T_IDENT,    /* attribute name or keyword */
    DDB_T_NAMEREF,  /* #name */
    DDB_T_VALUEREF, /* :value */
    DDB_T_NUMBER,   /* list index */
    DDB_T_LPAREN, DDB_T_RPAREN, DDB_T_LBRACKET, DDB_T_RBRACKET,
    DDB_T_COMMA, DDB_T_DOT,
    DDB_T_EQ, DDB_T_NE, DDB_T_LT, DDB_T_LE, DDB_T_GT, DDB_T_GE,
    DDB_T_PLUS, DDB_T_MINUS,
    DDB_T_BAD       /* a character no token starts with */
};

typedef struct ddb_tok {
    int kind;
    size_t start, len; /* position in the text */
} ddb_tok;

/* Splits text into tokens (always ending with DDB_T_EOF); the array is
 * ts_malloc'd into *toks.  Returns the number of tokens. */
int ddb_expr_lex(const char *text, ddb_tok **toks);
/* 1 when word (len bytes) is one of DynamoDB's reserved words. */
int ddb_expr_is_reserved(const char *word, size_t len);

/* One step of a document path: a map key (name != NULL) or list index. */
typedef struct ddb_path_elem {
    const char *name;
    long index;
} ddb_path_elem;

typedef struct ddb_path {
    ddb_path_elem *elems;
    int n;
} ddb_path;

/* AST node kinds. */
enum {
    DDB_N_PATH = 0, DDB_N_VALUE,
    DDB_N_CMP,       /* op: DDB_T_EQ..DDB_T_GE; args[0], args[1] */
    DDB_N_BETWEEN,   /* args[0] BETWEEN args[1] AND args[2] */
    DDB_N_IN,        /* args[0] IN (args[1..]) */
    DDB_N_AND, DDB_N_OR, DDB_N_NOT,
    DDB_N_FUNC,      /* op: DDB_F_* */
    DDB_N_PLUS, DDB_N_MINUS
};

/* Functions. */
enum {
    DDB_F_ATTRIBUTE_EXISTS = 0, DDB_F_ATTRIBUTE_NOT_EXISTS,
    DDB_F_ATTRIBUTE_TYPE, DDB_F_BEGINS_WITH, DDB_F_CONTAINS, DDB_F_SIZE,
    DDB_F_IF_NOT_EXISTS, DDB_F_LIST_APPEND
};

typedef struct ddb_node ddb_node;
struct ddb_node {
    int kind;
    int op;
    int nargs;
    ddb_node **args;
    ddb_path path;       /* DDB_N_PATH */
    const cJSON *value;  /* DDB_N_VALUE: borrowed AttributeValue */
    int paren;           /* written in parentheses */
};

/* Update actions. */
enum { DDB_U_SET = 0, DDB_U_REMOVE, DDB_U_ADD, DDB_U_DELETE };

typedef struct ddb_action {
    int kind;
    ddb_path path;
    ddb_node *value; /* NULL for REMOVE */
} ddb_action;

struct ddb_expr {
    int kind;
    ts_arena *arena;     /* owns every node, path and name */
    ddb_node *root;      /* condition, filter, key condition */
    ddb_path *paths;     /* projection */
    int npaths;
    ddb_action *actions; /* update */
    int nactions;
};

/* "ConditionExpression", "UpdateExpression", ... for a DDB_EXPR_* kind. */
const char *ddb_expr_kind_name(int kind);
/* Name of a function (DDB_F_*). */
const char *ddb_expr_func_name(int fn);
/* The DDB_F_* id of a function name (case-sensitive) with its operand
 * count and whether it belongs to SET; -1 when there is no such function. */
int ddb_expr_func_lookup(const char *name, int *nargs, int *update);
/* -1 with "Invalid operator used in KeyConditionExpression: OR" (NOT, IN,
 * <>, functions other than begins_with) when the tree has one, else 0. */
int ddb_expr_key_ops_check(const ddb_node *n, char *err, size_t errlen);
/* The value at path inside item, or NULL when it does not exist. */
const cJSON *ddb_path_resolve(const ddb_path *p, const cJSON *item);
/* Appends "[a, b, [0]]" as AWS prints a path in messages. */
void ddb_path_describe(const ddb_path *p, ts_buf *b);
/* -1 with "Two document paths overlap/conflict ..." (prefixed by prefix)
 * when two of the n paths overlap, else 0. */
int ddb_paths_check_overlap(ddb_path *const *paths, int n,
                            const char *prefix, char *err, size_t errlen);

#endif
