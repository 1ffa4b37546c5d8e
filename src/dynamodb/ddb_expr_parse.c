/*
 * ddb_expr_parse.c - a recursive-descent parser for DynamoDB's expression
 * languages (condition/filter, key condition, projection, update) over the
 * tokens of ddb_expr_lex.c, building an AST in an arena owned by the
 * expression.  #names and :values are substituted while parsing and their
 * use recorded for the caller's "unused" check.
 *
 * Errors come in two strengths, as in DynamoDB, which parses first and
 * validates after: a syntax error stops the parse at once; a semantic one
 * (unknown function, reserved word, bad operand type, overlapping paths,
 * undefined name or value) is remembered and reported only when the whole
 * text parsed.  Condition grammar, loosest binding first:
 *   cond    := and (OR and)*
 *   and     := not (AND not)*
 *   not     := NOT not | primary
 *   primary := '(' cond ')' | function | operand cmp operand
 *            | operand BETWEEN operand AND operand | operand IN '(' list ')'
 */
#include "ddb_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define EXPR_MAX_BYTES 4096
#define PATH_MAX_DEPTH 32
#define IN_MAX 100

typedef struct parser {
    const char *text;
    ddb_tok *toks;
    int ntoks, pos;
    int kind;
    const cJSON *names, *values;
    ddb_expr_usage *usage;
    ts_arena *arena;
    int failed;                /* a syntax error: stop */
    char sem[DDB_ERR_MAX];     /* first semantic error, reported at the end */
    char undef_name[128];
    char undef_value[128];
    char *err;
    size_t errlen;
} parser;

/* ---- errors ---- */

static void sem_err(parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void sem_err(parser *p, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (p->sem[0])
        return;
    n = snprintf(p->sem, sizeof(p->sem), "Invalid %s: ",
                 ddb_expr_kind_name(p->kind));
    va_start(ap, fmt);
    vsnprintf(p->sem + n, sizeof(p->sem) - (size_t)n, fmt, ap);
    va_end(ap);
}

static const ddb_tok *cur(const parser *p)
{
    return &p->toks[p->pos];
}

/* Syntax error at the current token; the parse stops. */
static void syntax(parser *p)
{
    const ddb_tok *t = cur(p);
    size_t start = t->start, end = t->start + t->len;

    if (p->failed)
        return;
    p->failed = 1;
    if (p->pos > 0) {
        start = p->toks[p->pos - 1].start;
        if (t->kind == DDB_T_EOF)
            end = p->toks[p->pos - 1].start + p->toks[p->pos - 1].len;
    }
    if (t->kind != DDB_T_EOF && p->pos + 1 < p->ntoks &&
        p->toks[p->pos + 1].kind != DDB_T_EOF)
        end = p->toks[p->pos + 1].start + p->toks[p->pos + 1].len;
    if (t->kind == DDB_T_EOF)
        snprintf(p->err, p->errlen,
                 "Invalid %s: Syntax error; token: \"<EOF>\", near: \"%.*s\"",
                 ddb_expr_kind_name(p->kind), (int)(end - start),
                 p->text + start);
    else
        snprintf(p->err, p->errlen,
                 "Invalid %s: Syntax error; token: \"%.*s\", near: \"%.*s\"",
                 ddb_expr_kind_name(p->kind), (int)t->len, p->text + t->start,
                 (int)(end - start), p->text + start);
}

/* ---- token helpers ---- */

static int is_kw(const parser *p, const char *kw)
{
    const ddb_tok *t = cur(p);

    return t->kind == DDB_T_IDENT && t->len == strlen(kw) &&
           strncasecmp(p->text + t->start, kw, t->len) == 0;
}

/* Grammar words: never an attribute name in these positions. */
static int is_grammar_word(const parser *p)
{
    static const char *const kws[] = {"AND", "OR", "NOT", "BETWEEN", "IN",
                                      "SET", "REMOVE", "ADD", "DELETE"};

    for (size_t i = 0; i < TS_ARRAY_LEN(kws); i++)
        if (is_kw(p, kws[i]))
            return 1;
    return 0;
}

static int accept(parser *p, int kind)
{
    if (cur(p)->kind != kind)
        return 0;
    p->pos++;
    return 1;
}

static int expect(parser *p, int kind)
{
    if (accept(p, kind))
        return 0;
    syntax(p);
    return -1;
}

static char *tok_text(parser *p, const ddb_tok *t)
{
    return ts_arena_strndup(p->arena, p->text + t->start, t->len);
}

static void usage_add(const char ***arr, size_t *n, size_t *cap,
                      const char *key)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*arr)[i], key) == 0)
            return;
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        *arr = ts_realloc(*arr, *cap * sizeof(**arr));
    }
    (*arr)[(*n)++] = key;
}

/* ---- nodes ---- */

static ddb_node *node_new(parser *p, int kind, int nargs)
{
    ddb_node *n = ts_arena_zalloc(p->arena, sizeof(*n));

    n->kind = kind;
    n->nargs = nargs;
    if (nargs)
        n->args = ts_arena_zalloc(p->arena, sizeof(*n->args) * (size_t)nargs);
    return n;
}

static ddb_node *node2(parser *p, int kind, int op, ddb_node *a, ddb_node *b)
{
    ddb_node *n = node_new(p, kind, 2);

    n->op = op;
    n->args[0] = a;
    n->args[1] = b;
    return n;
}

/* "{N:5}" as AWS shows an operand in messages. */
static void describe_value(const cJSON *v, char *out, size_t n)
{
    const char *t = ddb_value_type(v);
    const cJSON *in = ddb_value_inner(v);

    snprintf(out, n, "{%s:%s}", t ? t : "",
             cJSON_IsString(in) ? in->valuestring : "");
}

/* ---- paths and values ---- */

/* Resolves one name token (plain or #ref) into the arena. */
static const char *name_elem(parser *p)
{
    const ddb_tok *t = cur(p);
    const char *name = NULL;

    if (t->kind == DDB_T_IDENT && !is_grammar_word(p)) {
        name = tok_text(p, t);
        if (ddb_expr_is_reserved(name, t->len))
            sem_err(p, "Attribute name is a reserved keyword; reserved "
                    "keyword: %s", name);
    } else if (t->kind == DDB_T_NAMEREF) {
        char *ref = tok_text(p, t);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(p->names, ref);

        if (cJSON_IsString(v)) {
            name = ts_arena_strdup(p->arena, v->valuestring);
            if (p->usage)
                usage_add(&p->usage->names, &p->usage->nnames,
                          &p->usage->capnames, v->string);
        } else {
            if (!p->undef_name[0])
                snprintf(p->undef_name, sizeof(p->undef_name), "%s", ref);
            name = ref;
        }
    } else {
        syntax(p);
        return NULL;
    }
    p->pos++;
    return name;
}

static int parse_path(parser *p, ddb_path *out)
{
    ddb_path_elem elems[PATH_MAX_DEPTH + 2];
    int n = 0, depth = 1, rc = -1;
    const char *name = name_elem(p);

    if (!name)
        goto out;
    elems[n].name = name;
    elems[n++].index = 0;
    for (;;) {
        ddb_path_elem e = {NULL, 0};

        if (accept(p, DDB_T_DOT)) {
            if (!(e.name = name_elem(p)))
                goto out;
        } else if (accept(p, DDB_T_LBRACKET)) {
            const ddb_tok *t = cur(p);

            if (t->kind != DDB_T_NUMBER || t->len > 9) {
                syntax(p);
                goto out;
            }
            for (size_t i = 0; i < t->len; i++)
                e.index = e.index * 10 + (p->text[t->start + i] - '0');
            p->pos++;
            if (expect(p, DDB_T_RBRACKET) < 0)
                goto out;
        } else {
            break;
        }
        depth++;
        if (n < PATH_MAX_DEPTH + 1)
            elems[n++] = e;
    }
    if (depth > PATH_MAX_DEPTH)
        sem_err(p, "The document path has too many nesting levels; nesting "
                "levels: %d", depth);
    out->n = n;
    out->elems = ts_arena_alloc(p->arena, sizeof(*elems) * (size_t)n);
    memcpy(out->elems, elems, sizeof(*elems) * (size_t)n);
    rc = 0;
out:
    return rc;
}

static ddb_node *parse_value_ref(parser *p)
{
    char *ref = tok_text(p, cur(p));
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(p->values, ref);
    ddb_node *n = node_new(p, DDB_N_VALUE, 0);

    if (v && p->usage)
        usage_add(&p->usage->values, &p->usage->nvalues,
                  &p->usage->capvalues, v->string);
    if (!v && !p->undef_value[0])
        snprintf(p->undef_value, sizeof(p->undef_value), "%s", ref);
    n->value = v;
    p->pos++;
    return n;
}

static ddb_node *parse_path_node(parser *p)
{
    ddb_node *n = node_new(p, DDB_N_PATH, 0);

    return parse_path(p, &n->path) < 0 ? NULL : n;
}

/* ---- functions ---- */

static ddb_node *parse_operand(parser *p, int update);

/* Checks constant operands of a function whose arguments parsed. */
static void check_func(parser *p, ddb_node *f)
{
    const char *name = ddb_expr_func_name(f->op);

    for (int i = 0; i < f->nargs; i++) {
        const ddb_node *a = f->args[i];
        const char *t = a->kind == DDB_N_VALUE ? ddb_value_type(a->value)
                                               : NULL;
        int needs_path = (f->op == DDB_F_ATTRIBUTE_EXISTS ||
                          f->op == DDB_F_ATTRIBUTE_NOT_EXISTS ||
                          f->op == DDB_F_ATTRIBUTE_TYPE ||
                          f->op == DDB_F_IF_NOT_EXISTS) && i == 0;

        if (needs_path && a->kind != DDB_N_PATH) {
            sem_err(p, "Operator or function requires a document path; "
                    "operator or function: %s", name);
            continue;
        }
        if (!t)
            continue;
        if ((f->op == DDB_F_BEGINS_WITH && strcmp(t, "S") != 0 &&
             strcmp(t, "B") != 0) ||
            (f->op == DDB_F_LIST_APPEND && strcmp(t, "L") != 0) ||
            (f->op == DDB_F_SIZE && (strcmp(t, "N") == 0 ||
                                     strcmp(t, "BOOL") == 0 ||
                                     strcmp(t, "NULL") == 0)) ||
            (f->op == DDB_F_ATTRIBUTE_TYPE && strcmp(t, "S") != 0))
            sem_err(p, "Incorrect operand type for operator or function; "
                    "operator or function: %s, operand type: %s", name, t);
        else if (f->op == DDB_F_ATTRIBUTE_TYPE) {
            const char *want = ddb_value_inner(a->value)->valuestring;
            static const char *const types[] = {"S", "N", "B", "BOOL",
                                                "NULL", "M", "L", "SS",
                                                "NS", "BS"};
            size_t k;

            for (k = 0; k < TS_ARRAY_LEN(types); k++)
                if (strcmp(types[k], want) == 0)
                    break;
            if (k == TS_ARRAY_LEN(types))
                sem_err(p, "Invalid attribute type name found; type: %s, "
                        "valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }",
                        want);
        }
    }
}

/* name '(' operand, ... ')' with the current token on the name. */
static ddb_node *parse_function(parser *p, int update)
{
    const ddb_tok *t = cur(p);
    char *name = tok_text(p, t);
    ddb_node *args[IN_MAX + 1], *f = NULL;
    int nargs = 0, id = -1, want = 0, is_update = 0;

    id = ddb_expr_func_lookup(name, &want, &is_update);
    if (id < 0)
        sem_err(p, "Invalid function name; function: %s", name);
    else if (update && !is_update)
        sem_err(p, "The function is not allowed in an update expression; "
                "function: %s", name);
    else if (!update && is_update)
        sem_err(p, "The function is not allowed to be used this way in an "
                "expression; function: %s", name);
    p->pos += 2; /* name and '(' */
    if (cur(p)->kind != DDB_T_RPAREN) {
        do {
            ddb_node *a = parse_operand(p, update);

            if (!a)
                goto out;
            if (nargs < IN_MAX)
                args[nargs++] = a;
        } while (accept(p, DDB_T_COMMA));
    }
    if (expect(p, DDB_T_RPAREN) < 0)
        goto out;
    f = node_new(p, DDB_N_FUNC, nargs);
    f->op = id;
    if (nargs)
        memcpy(f->args, args, sizeof(*args) * (size_t)nargs);
    if (id >= 0 && nargs != want)
        sem_err(p, "Incorrect number of operands for operator or function; "
                "operator or function: %s, number of operands: %d", name,
                nargs);
    else if (id >= 0)
        check_func(p, f);
out:
    return f;
}

static int at_function(const parser *p)
{
    return cur(p)->kind == DDB_T_IDENT &&
           p->toks[p->pos + 1].kind == DDB_T_LPAREN;
}

/* An operand: path, :value or function call (update: SET's functions). */
static ddb_node *parse_operand(parser *p, int update)
{
    const ddb_tok *t = cur(p);

    if (at_function(p)) {
        ddb_node *f = parse_function(p, update);

        if (f && !update && f->op != DDB_F_SIZE && f->op >= 0 &&
            f->op != DDB_F_IF_NOT_EXISTS && f->op != DDB_F_LIST_APPEND)
            sem_err(p, "The function is not allowed to be used this way in "
                    "an expression; function: %s", ddb_expr_func_name(f->op));
        return f;
    }
    if (t->kind == DDB_T_VALUEREF)
        return parse_value_ref(p);
    if ((t->kind == DDB_T_IDENT && !is_grammar_word(p)) ||
        t->kind == DDB_T_NAMEREF)
        return parse_path_node(p);
    syntax(p);
    return NULL;
}

/* ---- conditions ---- */

static ddb_node *parse_or(parser *p);

static int cmp_op(int kind)
{
    return kind >= DDB_T_EQ && kind <= DDB_T_GE;
}

static void check_between(parser *p, const ddb_node *lo, const ddb_node *hi)
{
    char a[160], b[160];
    int r;

    if (lo->kind != DDB_N_VALUE || hi->kind != DDB_N_VALUE || !lo->value ||
        !hi->value)
        return;
    describe_value(lo->value, a, sizeof(a));
    describe_value(hi->value, b, sizeof(b));
    if (ddb_value_cmp(lo->value, hi->value, &r) < 0) {
        const char *ta = ddb_value_type(lo->value);
        const char *tb = ddb_value_type(hi->value);

        if (ta && tb && strcmp(ta, tb) != 0)
            sem_err(p, "The BETWEEN operator requires same data type for "
                    "lower and upper bounds; lower bound operand: "
                    "AttributeValue: %s, upper bound operand: "
                    "AttributeValue: %s", a, b);
    } else if (r > 0) {
        sem_err(p, "The BETWEEN operator requires upper bound to be greater "
                "than or equal to lower bound; lower bound operand: "
                "AttributeValue: %s, upper bound operand: AttributeValue: %s",
                a, b);
    }
}

/* The comparison, BETWEEN or IN that follows a parsed left operand. */
static ddb_node *parse_comparison(parser *p, ddb_node *left)
{
    ddb_node *n = NULL, *items[IN_MAX + 1];
    int kind = cur(p)->kind, count = 0;

    if (left->kind == DDB_N_FUNC && left->op != DDB_F_SIZE && left->op >= 0)
        sem_err(p, "The function is not allowed to be used this way in an "
                "expression; function: %s", ddb_expr_func_name(left->op));
    if (cmp_op(kind)) {
        ddb_node *right;

        p->pos++;
        if ((right = parse_operand(p, 0)))
            n = node2(p, DDB_N_CMP, kind, left, right);
    } else if (is_kw(p, "BETWEEN")) {
        ddb_node *lo, *hi;

        p->pos++;
        if (!(lo = parse_operand(p, 0)))
            goto out;
        if (!is_kw(p, "AND")) {
            syntax(p);
            goto out;
        }
        p->pos++;
        if (!(hi = parse_operand(p, 0)))
            goto out;
        n = node_new(p, DDB_N_BETWEEN, 3);
        n->args[0] = left;
        n->args[1] = lo;
        n->args[2] = hi;
        check_between(p, lo, hi);
    } else if (is_kw(p, "IN")) {
        p->pos++;
        if (expect(p, DDB_T_LPAREN) < 0)
            goto out;
        do {
            ddb_node *it = parse_operand(p, 0);

            if (!it)
                goto out;
            if (count < IN_MAX + 1)
                items[count] = it;
            count++;
        } while (accept(p, DDB_T_COMMA));
        if (expect(p, DDB_T_RPAREN) < 0)
            goto out;
        if (count > IN_MAX) {
            sem_err(p, "The IN operator is provided with too many operands; "
                    "number of operands: %d", count);
            count = IN_MAX;
        }
        n = node_new(p, DDB_N_IN, count + 1);
        n->args[0] = left;
        memcpy(n->args + 1, items, sizeof(*items) * (size_t)count);
    } else {
        syntax(p);
    }
out:
    return n;
}

static ddb_node *parse_primary(parser *p)
{
    ddb_node *n = NULL, *left;

    if (accept(p, DDB_T_LPAREN)) {
        if (!(n = parse_or(p)) || expect(p, DDB_T_RPAREN) < 0)
            return NULL;
        /* "((x))": DynamoDB allows one pair of parentheses per level. */
        if (n->paren)
            sem_err(p, "The expression has redundant parentheses;");
        n->paren = 1;
        return n;
    }
    if (at_function(p)) {
        left = parse_function(p, 0);
        if (!left)
            return NULL;
        if (left->op == DDB_F_SIZE || cmp_op(cur(p)->kind) ||
            is_kw(p, "BETWEEN") || is_kw(p, "IN"))
            return parse_comparison(p, left);
        return left;
    }
    if (!(left = parse_operand(p, 0)))
        return NULL;
    return parse_comparison(p, left);
}

static ddb_node *parse_not(parser *p)
{
    ddb_node *n, *left;

    if (!is_kw(p, "NOT"))
        return parse_primary(p);
    p->pos++;
    if (!(n = parse_not(p)))
        return NULL;
    left = node_new(p, DDB_N_NOT, 1);
    left->args[0] = n;
    return left;
}

static ddb_node *parse_and(parser *p)
{
    ddb_node *left = parse_not(p), *right;

    while (left && is_kw(p, "AND")) {
        p->pos++;
        if (!(right = parse_not(p)))
            return NULL;
        left = node2(p, DDB_N_AND, 0, left, right);
    }
    return left;
}

static ddb_node *parse_or(parser *p)
{
    ddb_node *left = parse_and(p), *right;

    while (left && is_kw(p, "OR")) {
        p->pos++;
        if (!(right = parse_and(p)))
            return NULL;
        left = node2(p, DDB_N_OR, 0, left, right);
    }
    return left;
}

/* ---- update expressions ---- */

static ddb_node *parse_set_value(parser *p);

/* An operand of SET's right-hand side, or a parenthesised value
 * ("SET a = (b + :v)", "(if_not_exists(a, :z)) + :one"); one pair of
 * parentheses per level, as in conditions. */
static ddb_node *parse_set_term(parser *p)
{
    ddb_node *n;

    if (!accept(p, DDB_T_LPAREN))
        return parse_operand(p, 1);
    if (!(n = parse_set_value(p)) || expect(p, DDB_T_RPAREN) < 0)
        return NULL;
    if (n->paren)
        sem_err(p, "The expression has redundant parentheses;");
    n->paren = 1;
    return n;
}

/* SET's right-hand side: term, or term '+'/'-' term. */
static ddb_node *parse_set_value(parser *p)
{
    ddb_node *left = parse_set_term(p), *right;
    int kind = cur(p)->kind;

    if (!left || (kind != DDB_T_PLUS && kind != DDB_T_MINUS))
        return left;
    p->pos++;
    if (!(right = parse_set_term(p)))
        return NULL;
    return node2(p, kind == DDB_T_PLUS ? DDB_N_PLUS : DDB_N_MINUS, 0, left,
                 right);
}

/* AWS's word for a type in ADD/DELETE operand messages. */
static const char *human_type(const char *t)
{
    static const char *const map[][2] = {
        {"S", "STRING"}, {"N", "NUMBER"}, {"B", "BINARY"}, {"BOOL", "BOOLEAN"},
        {"NULL", "NULL"}, {"M", "MAP"}, {"L", "LIST"}, {"SS", "STRING SET"},
        {"NS", "NUMBER SET"}, {"BS", "BINARY SET"}};

    for (size_t i = 0; t && i < TS_ARRAY_LEN(map); i++)
        if (strcmp(map[i][0], t) == 0)
            return map[i][1];
    return "";
}

static int parse_action(parser *p, int kind, ddb_action *a)
{
    const char *t;

    a->kind = kind;
    if (parse_path(p, &a->path) < 0)
        return -1;
    if (kind == DDB_U_REMOVE)
        return 0;
    if (kind == DDB_U_SET) {
        if (expect(p, DDB_T_EQ) < 0)
            return -1;
        a->value = parse_set_value(p);
        return a->value ? 0 : -1;
    }
    if (cur(p)->kind != DDB_T_VALUEREF) {
        syntax(p);
        return -1;
    }
    a->value = parse_value_ref(p);
    t = ddb_value_type(a->value->value);
    if (t && kind == DDB_U_ADD && strcmp(t, "N") != 0 &&
        strcmp(t, "SS") != 0 && strcmp(t, "NS") != 0 && strcmp(t, "BS") != 0)
        sem_err(p, "Incorrect operand type for operator or function; "
                "operator: ADD, operand type: %s", human_type(t));
    if (t && kind == DDB_U_DELETE && strcmp(t, "SS") != 0 &&
        strcmp(t, "NS") != 0 && strcmp(t, "BS") != 0)
        sem_err(p, "Incorrect operand type for operator or function; "
                "operator: DELETE, operand type: %s", human_type(t));
    return 0;
}

static int parse_update(parser *p, ddb_expr *e)
{
    static const char *const words[] = {"SET", "REMOVE", "ADD", "DELETE"};
    ddb_action *acts = NULL;
    ddb_path **paths = NULL;
    int seen[4] = {0}, n = 0, cap = 0, rc = -1, i;

    while (cur(p)->kind != DDB_T_EOF) {
        int kind;

        for (kind = 0; kind < 4; kind++)
            if (is_kw(p, words[kind]))
                break;
        if (kind == 4) {
            syntax(p);
            goto out;
        }
        if (seen[kind]++)
            sem_err(p, "The \"%s\" section can only be used once in an "
                    "update expression;", words[kind]);
        p->pos++;
        do {
            if (n == cap) {
                cap = cap ? cap * 2 : 8;
                acts = ts_realloc(acts, sizeof(*acts) * (size_t)cap);
            }
            memset(&acts[n], 0, sizeof(acts[n]));
            if (parse_action(p, kind, &acts[n]) < 0)
                goto out;
            n++;
        } while (accept(p, DDB_T_COMMA));
    }
    if (n == 0) {
        syntax(p);
        goto out;
    }
    e->nactions = n;
    e->actions = ts_arena_alloc(p->arena, sizeof(*acts) * (size_t)n);
    memcpy(e->actions, acts, sizeof(*acts) * (size_t)n);
    paths = ts_malloc(sizeof(*paths) * (size_t)n);
    for (i = 0; i < n; i++)
        paths[i] = &e->actions[i].path;
    if (!p->sem[0])
        ddb_paths_check_overlap(paths, n, "Invalid UpdateExpression: ",
                                p->sem, sizeof(p->sem));
    rc = 0;
out:
    ts_free(acts);
    ts_free(paths);
    return rc;
}

/* ---- projection ---- */

static int parse_projection(parser *p, ddb_expr *e)
{
    ddb_path **ptrs = NULL, *paths = NULL;
    int n = 0, cap = 0, rc = -1, i;

    do {
        ddb_path one;

        if (parse_path(p, &one) < 0)
            goto out;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            paths = ts_realloc(paths, sizeof(*paths) * (size_t)cap);
        }
        paths[n++] = one;
    } while (accept(p, DDB_T_COMMA));
    if (cur(p)->kind != DDB_T_EOF) {
        syntax(p);
        goto out;
    }
    e->npaths = n;
    e->paths = ts_arena_alloc(p->arena, sizeof(*paths) * (size_t)n);
    memcpy(e->paths, paths, sizeof(*paths) * (size_t)n);
    ptrs = ts_malloc(sizeof(*ptrs) * (size_t)n);
    for (i = 0; i < n; i++)
        ptrs[i] = &e->paths[i];
    if (!p->sem[0])
        ddb_paths_check_overlap(ptrs, n, "Invalid ProjectionExpression: ",
                                p->sem, sizeof(p->sem));
    rc = 0;
out:
    ts_free(paths);
    ts_free(ptrs);
    return rc;
}

/* ---- entry points ---- */

ddb_expr *ddb_expr_parse(int kind, const char *text, const cJSON *names,
                         const cJSON *values, ddb_expr_usage *usage,
                         char *err, size_t errlen)
{
    parser p;
    ddb_expr *e = ts_calloc(1, sizeof(*e));
    size_t len = text ? strlen(text) : 0;
    int ok = 0;

    memset(&p, 0, sizeof(p));
    e->kind = kind;
    e->arena = ts_arena_new();
    p.text = text ? text : "";
    p.kind = kind;
    p.names = names;
    p.values = values;
    p.usage = usage;
    p.arena = e->arena;
    p.err = err;
    p.errlen = errlen;
    if (len > EXPR_MAX_BYTES) {
        snprintf(err, errlen, "Invalid %s: Expression size has exceeded the "
                 "maximum allowed size; expression size: %zu",
                 ddb_expr_kind_name(kind), len);
        goto out;
    }
    if (strspn(p.text, " \t\r\n") == len) {
        snprintf(err, errlen, "Invalid %s: The expression can not be empty;",
                 ddb_expr_kind_name(kind));
        goto out;
    }
    p.ntoks = ddb_expr_lex(p.text, &p.toks);
    if (kind == DDB_EXPR_UPDATE) {
        if (parse_update(&p, e) < 0)
            goto out;
    } else if (kind == DDB_EXPR_PROJECTION) {
        if (parse_projection(&p, e) < 0)
            goto out;
    } else {
        if (!(e->root = parse_or(&p)))
            goto out;
        if (cur(&p)->kind != DDB_T_EOF) {
            syntax(&p);
            goto out;
        }
        if (kind == DDB_EXPR_KEY_CONDITION && !p.sem[0])
            ddb_expr_key_ops_check(e->root, p.sem, sizeof(p.sem));
    }
    if (p.sem[0]) {
        snprintf(err, errlen, "%s", p.sem);
        goto out;
    }
    if (p.undef_name[0]) {
        snprintf(err, errlen, "Invalid %s: An expression attribute name used "
                 "in the document path is not defined; attribute name: %s",
                 ddb_expr_kind_name(kind), p.undef_name);
        goto out;
    }
    if (p.undef_value[0]) {
        snprintf(err, errlen, "Invalid %s: An expression attribute value "
                 "used in expression is not defined; attribute value: %s",
                 ddb_expr_kind_name(kind), p.undef_value);
        goto out;
    }
    ok = 1;
out:
    ts_free(p.toks);
    if (!ok) {
        ddb_expr_free(e);
        e = NULL;
    }
    return e;
}

void ddb_expr_free(ddb_expr *e)
{
    if (!e)
        return;
    ts_arena_free(e->arena);
    ts_free(e);
}
