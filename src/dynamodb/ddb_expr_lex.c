/*
 * ddb_expr_lex.c - the tokens of DynamoDB's expression languages and the
 * list of reserved words.  The lexer is one pass over the text producing
 * (kind, start, length) triples, so the parser can quote the original text
 * in "Syntax error; token: ..., near: ..." messages.  The names of the
 * expression kinds and functions live here too.  Attribute names that
 * collide with one of DynamoDB's 573 reserved words must go through
 * ExpressionAttributeNames; the list (AWS's, in its published order) is
 * searched case-insensitively with bsearch.
 */
#include "ddb_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const RESERVED[] = {
    "ABORT", "ABSOLUTE", "ACTION", "ADD", "AFTER", "AGENT", "AGGREGATE",
    "ALL", "ALLOCATE", "ALTER", "ANALYZE", "AND", "ANY", "ARCHIVE", "ARE",
    "ARRAY", "AS", "ASC", "ASCII", "ASENSITIVE", "ASSERTION", "ASYMMETRIC",
    "AT", "ATOMIC", "ATTACH", "ATTRIBUTE", "AUTH", "AUTHORIZATION",
    "AUTHORIZE", "AUTO", "AVG", "BACK", "BACKUP", "BASE", "BATCH", "BEFORE",
    "BEGIN", "BETWEEN", "BIGINT", "BINARY", "BIT", "BLOB", "BLOCK", "BOOLEAN",
    "BOTH", "BREADTH", "BUCKET", "BULK", "BY", "BYTE", "CALL", "CALLED",
    "CALLING", "CAPACITY", "CASCADE", "CASCADED", "CASE", "CAST", "CATALOG",
    "CHAR", "CHARACTER", "CHECK", "CLASS", "CLOB", "CLOSE", "CLUSTER",
    "CLUSTERED", "CLUSTERING", "CLUSTERS", "COALESCE", "COLLATE", "COLLATION",
    "COLLECTION", "COLUMN", "COLUMNS", "COMBINE", "COMMENT", "COMMIT",
    "COMPACT", "COMPILE", "COMPRESS", "CONDITION", "CONFLICT", "CONNECT",
    "CONNECTION", "CONSISTENCY", "CONSISTENT", "CONSTRAINT", "CONSTRAINTS",
    "CONSTRUCTOR", "CONSUMED", "CONTINUE", "CONVERT", "COPY", "CORRESPONDING",
    "COUNT", "COUNTER", "CREATE", "CROSS", "CUBE", "CURRENT", "CURSOR",
    "CYCLE", "DATA", "DATABASE", "DATE", "DATETIME", "DAY", "DEALLOCATE",
    "DEC", "DECIMAL", "DECLARE", "DEFAULT", "DEFERRABLE", "DEFERRED",
    "DEFINE", "DEFINED", "DEFINITION", "DELETE", "DELIMITED", "DEPTH",
    "DEREF", "DESC", "DESCRIBE", "DESCRIPTOR", "DETACH", "DETERMINISTIC",
    "DIAGNOSTICS", "DIRECTORIES", "DISABLE", "DISCONNECT", "DISTINCT",
    "DISTRIBUTE", "DO", "DOMAIN", "DOUBLE", "DROP", "DUMP", "DURATION",
    "DYNAMIC", "EACH", "ELEMENT", "ELSE", "ELSEIF", "EMPTY", "ENABLE", "END",
    "EQUAL", "EQUALS", "ERROR", "ESCAPE", "ESCAPED", "EVAL", "EVALUATE",
    "EXCEEDED", "EXCEPT", "EXCEPTION", "EXCEPTIONS", "EXCLUSIVE", "EXEC",
    "EXECUTE", "EXISTS", "EXIT", "EXPLAIN", "EXPLODE", "EXPORT", "EXPRESSION",
    "EXTENDED", "EXTERNAL", "EXTRACT", "FAIL", "FALSE", "FAMILY", "FETCH",
    "FIELDS", "FILE", "FILTER", "FILTERING", "FINAL", "FINISH", "FIRST",
    "FIXED", "FLATTERN", "FLOAT", "FOR", "FORCE", "FOREIGN", "FORMAT",
    "FORWARD", "FOUND", "FREE", "FROM", "FULL", "FUNCTION", "FUNCTIONS",
    "GENERAL", "GENERATE", "GET", "GLOB", "GLOBAL", "GO", "GOTO", "GRANT",
    "GREATER", "GROUP", "GROUPING", "HANDLER", "HASH", "HAVE", "HAVING",
    "HEAP", "HIDDEN", "HOLD", "HOUR", "IDENTIFIED", "IDENTITY", "IF",
    "IGNORE", "IMMEDIATE", "IMPORT", "IN", "INCLUDING", "INCLUSIVE",
    "INCREMENT", "INCREMENTAL", "INDEX", "INDEXED", "INDEXES", "INDICATOR",
    "INFINITE", "INITIALLY", "INLINE", "INNER", "INNTER", "INOUT", "INPUT",
    "INSENSITIVE", "INSERT", "INSTEAD", "INT", "INTEGER", "INTERSECT",
    "INTERVAL", "INTO", "INVALIDATE", "IS", "ISOLATION", "ITEM", "ITEMS",
    "ITERATE", "JOIN", "KEY", "KEYS", "LAG", "LANGUAGE", "LARGE", "LAST",
    "LATERAL", "LEAD", "LEADING", "LEAVE", "LEFT", "LENGTH", "LESS", "LEVEL",
    "LIKE", "LIMIT", "LIMITED", "LINES", "LIST", "LOAD", "LOCAL", "LOCALTIME",
    "LOCALTIMESTAMP", "LOCATION", "LOCATOR", "LOCK", "LOCKS", "LOG", "LOGED",
    "LONG", "LOOP", "LOWER", "MAP", "MATCH", "MATERIALIZED", "MAX", "MAXLEN",
    "MEMBER", "MERGE", "METHOD", "METRICS", "MIN", "MINUS", "MINUTE",
    "MISSING", "MOD", "MODE", "MODIFIES", "MODIFY", "MODULE", "MONTH",
    "MULTI", "MULTISET", "NAME", "NAMES", "NATIONAL", "NATURAL", "NCHAR",
    "NCLOB", "NEW", "NEXT", "NO", "NONE", "NOT", "NULL", "NULLIF", "NUMBER",
    "NUMERIC", "OBJECT", "OF", "OFFLINE", "OFFSET", "OLD", "ON", "ONLINE",
    "ONLY", "OPAQUE", "OPEN", "OPERATOR", "OPTION", "OR", "ORDER",
    "ORDINALITY", "OTHER", "OTHERS", "OUT", "OUTER", "OUTPUT", "OVER",
    "OVERLAPS", "OVERRIDE", "OWNER", "PAD", "PARALLEL", "PARAMETER",
    "PARAMETERS", "PARTIAL", "PARTITION", "PARTITIONED", "PARTITIONS", "PATH",
    "PERCENT", "PERCENTILE", "PERMISSION", "PERMISSIONS", "PIPE", "PIPELINED",
    "PLAN", "POOL", "POSITION", "PRECISION", "PREPARE", "PRESERVE", "PRIMARY",
    "PRIOR", "PRIVATE", "PRIVILEGES", "PROCEDURE", "PROCESSED", "PROJECT",
    "PROJECTION", "PROPERTY", "PROVISIONING", "PUBLIC", "PUT", "QUERY",
    "QUIT", "QUORUM", "RAISE", "RANDOM", "RANGE", "RANK", "RAW", "READ",
    "READS", "REAL", "REBUILD", "RECORD", "RECURSIVE", "REDUCE", "REF",
    "REFERENCE", "REFERENCES", "REFERENCING", "REGEXP", "REGION", "REINDEX",
    "RELATIVE", "RELEASE", "REMAINDER", "RENAME", "REPEAT", "REPLACE",
    "REQUEST", "RESET", "RESIGNAL", "RESOURCE", "RESPONSE", "RESTORE",
    "RESTRICT", "RESULT", "RETURN", "RETURNING", "RETURNS", "REVERSE",
    "REVOKE", "RIGHT", "ROLE", "ROLES", "ROLLBACK", "ROLLUP", "ROUTINE",
    "ROW", "ROWS", "RULE", "RULES", "SAMPLE", "SATISFIES", "SAVE",
    "SAVEPOINT", "SCAN", "SCHEMA", "SCOPE", "SCROLL", "SEARCH", "SECOND",
    "SECTION", "SEGMENT", "SEGMENTS", "SELECT", "SELF", "SEMI", "SENSITIVE",
    "SEPARATE", "SEQUENCE", "SERIALIZABLE", "SESSION", "SET", "SETS", "SHARD",
    "SHARE", "SHARED", "SHORT", "SHOW", "SIGNAL", "SIMILAR", "SIZE", "SKEWED",
    "SMALLINT", "SNAPSHOT", "SOME", "SOURCE", "SPACE", "SPACES", "SPARSE",
    "SPECIFIC", "SPECIFICTYPE", "SPLIT", "SQL", "SQLCODE", "SQLERROR",
    "SQLEXCEPTION", "SQLSTATE", "SQLWARNING", "START", "STATE", "STATIC",
    "STATUS", "STORAGE", "STORE", "STORED", "STREAM", "STRING", "STRUCT",
    "STYLE", "SUB", "SUBMULTISET", "SUBPARTITION", "SUBSTRING", "SUBTYPE",
    "SUM", "SUPER", "SYMMETRIC", "SYNONYM", "SYSTEM", "TABLE", "TABLESAMPLE",
    "TEMP", "TEMPORARY", "TERMINATED", "TEXT", "THAN", "THEN", "THROUGHPUT",
    "TIME", "TIMESTAMP", "TIMEZONE", "TINYINT", "TO", "TOKEN", "TOTAL",
    "TOUCH", "TRAILING", "TRANSACTION", "TRANSFORM", "TRANSLATE",
    "TRANSLATION", "TREAT", "TRIGGER", "TRIM", "TRUE", "TRUNCATE", "TTL",
    "TUPLE", "TYPE", "UNDER", "UNDO", "UNION", "UNIQUE", "UNIT", "UNKNOWN",
    "UNLOGGED", "UNNEST", "UNPROCESSED", "UNSIGNED", "UNTIL", "UPDATE",
    "UPPER", "URL", "USAGE", "USE", "USER", "USERS", "USING", "UUID",
    "VACUUM", "VALUE", "VALUED", "VALUES", "VARCHAR", "VARIABLE", "VARIANCE",
    "VARINT", "VARYING", "VIEW", "VIEWS", "VIRTUAL", "VOID", "WAIT", "WHEN",
    "WHENEVER", "WHERE", "WHILE", "WINDOW", "WITH", "WITHIN", "WITHOUT",
    "WORK", "WRAPPED", "WRITE", "YEAR", "ZONE",
};

/* The functions of all expression languages; update marks SET-only ones. */
static const struct {
    const char *name;
    int id, nargs, update;
} FUNCS[] = {
    {"attribute_exists", DDB_F_ATTRIBUTE_EXISTS, 1, 0},
    {"attribute_not_exists", DDB_F_ATTRIBUTE_NOT_EXISTS, 1, 0},
    {"attribute_type", DDB_F_ATTRIBUTE_TYPE, 2, 0},
    {"begins_with", DDB_F_BEGINS_WITH, 2, 0},
    {"contains", DDB_F_CONTAINS, 2, 0},
    {"size", DDB_F_SIZE, 1, 0},
    {"if_not_exists", DDB_F_IF_NOT_EXISTS, 2, 1},
    {"list_append", DDB_F_LIST_APPEND, 2, 1},
};

const char *ddb_expr_kind_name(int kind)
{
    static const char *const names[] = {
        "ConditionExpression", "FilterExpression", "KeyConditionExpression",
        "ProjectionExpression", "UpdateExpression"};

    return kind >= 0 && kind < (int)TS_ARRAY_LEN(names) ? names[kind]
                                                         : "Expression";
}

const char *ddb_expr_func_name(int fn)
{
    for (size_t i = 0; i < TS_ARRAY_LEN(FUNCS); i++)
        if (FUNCS[i].id == fn)
            return FUNCS[i].name;
    return "";
}

int ddb_expr_func_lookup(const char *name, int *nargs, int *update)
{
    for (size_t i = 0; i < TS_ARRAY_LEN(FUNCS); i++)
        if (strcmp(FUNCS[i].name, name) == 0) {
            *nargs = FUNCS[i].nargs;
            *update = FUNCS[i].update;
            return FUNCS[i].id;
        }
    return -1;
}

/* Key for bsearch: a word that is not NUL-terminated. */
typedef struct word {
    const char *p;
    size_t len;
} word;

static int reserved_cmp(const void *key, const void *elem)
{
    const word *w = key;
    const char *r = *(const char *const *)elem;
    size_t rlen = strlen(r);
    int c = strncasecmp(w->p, r, TS_MIN(w->len, rlen));

    if (c == 0 && w->len != rlen)
        c = w->len < rlen ? -1 : 1;
    return c;
}

int ddb_expr_is_reserved(const char *p, size_t len)
{
    word w = {p, len};

    return bsearch(&w, RESERVED, TS_ARRAY_LEN(RESERVED), sizeof(RESERVED[0]),
                   reserved_cmp) != NULL;
}

static int is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Length of the token at s[i], and its kind in *kind. */
static size_t scan(const char *s, size_t i, int *kind)
{
    size_t j = i + 1;
    char c = s[i];

    switch (c) {
    case '(': *kind = DDB_T_LPAREN; return 1;
    case ')': *kind = DDB_T_RPAREN; return 1;
    case '[': *kind = DDB_T_LBRACKET; return 1;
    case ']': *kind = DDB_T_RBRACKET; return 1;
    case ',': *kind = DDB_T_COMMA; return 1;
    case '.': *kind = DDB_T_DOT; return 1;
    case '=': *kind = DDB_T_EQ; return 1;
    case '+': *kind = DDB_T_PLUS; return 1;
    case '-': *kind = DDB_T_MINUS; return 1;
    case '<':
        if (s[j] == '>') { *kind = DDB_T_NE; return 2; }
        if (s[j] == '=') { *kind = DDB_T_LE; return 2; }
        *kind = DDB_T_LT;
        return 1;
    case '>':
        if (s[j] == '=') { *kind = DDB_T_GE; return 2; }
        *kind = DDB_T_GT;
        return 1;
    default:
        break;
    }
    if (c == '#' || c == ':') {
        while (is_word_char(s[j]))
            j++;
        *kind = j == i + 1 ? DDB_T_BAD
                           : c == '#' ? DDB_T_NAMEREF : DDB_T_VALUEREF;
        return j - i;
    }
    if (is_word_char(c)) {
        int digits = isdigit((unsigned char)c) != 0;

        while (is_word_char(s[j])) {
            if (!isdigit((unsigned char)s[j]))
                digits = 0;
            j++;
        }
        *kind = digits ? DDB_T_NUMBER : DDB_T_IDENT;
        return j - i;
    }
    /* Anything else is one bad character (a whole UTF-8 sequence). */
    while ((s[j] & 0xC0) == 0x80)
        j++;
    *kind = DDB_T_BAD;
    return j - i;
}

int ddb_expr_lex(const char *text, ddb_tok **toks)
{
    size_t i = 0, cap = 16;
    int n = 0;
    ddb_tok *t = ts_malloc(cap * sizeof(*t));

    for (;;) {
        int kind;
        size_t len;

        while (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' ||
               text[i] == '\r')
            i++;
        if ((size_t)n + 1 >= cap) {
            cap *= 2;
            t = ts_realloc(t, cap * sizeof(*t));
        }
        if (!text[i]) {
            t[n].kind = DDB_T_EOF;
            t[n].start = i;
            t[n].len = 0;
            n++;
            break;
        }
        len = scan(text, i, &kind);
        t[n].kind = kind;
        t[n].start = i;
        t[n].len = len;
        n++;
        i += len;
    }
    *toks = t;
    return n;
}
