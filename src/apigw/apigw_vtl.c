/*
 * apigw_vtl.c - API Gateway's mapping templates: the entry point and the
 * parser.  A template is parsed whole into a tree (apigw_vtl_int.h) and
 * then run (apigw_vtl_eval.c), so a syntax error anywhere fails the
 * rendering before any output, as Velocity does.
 *
 * The language is Velocity 1.7's, the engine API Gateway runs:
 *   references  $x ${x} $!x $!{x} $a.b.c $a.m(args) $a[0] $a['k']
 *   directives  #set #if #elseif #else #end #foreach #break #stop, also
 *               as #{else}; ## and #* *# comments; #[[ raw ]]#
 *   literals    'raw' "interpolated $x" 12 1.5 true false null
 *               [1, 'a'] [1..3] {'k': v}
 *   operators   || && ! == != < <= > >= + - * / % and or not eq ne lt
 *               le gt ge, parentheses
 * #macro, #include, #parse, #define, #evaluate and #literal are refused by
 * name; any other #word is text, as in Velocity.
 *
 * Decisions where Velocity and API Gateway leave room:
 *  - An undefined or null reference prints nothing, as API Gateway's
 *    templates are seen to do (its "$context.authorizer.principalId" is
 *    "" without an authorizer), not its own text as plain Velocity does;
 *    apigw_vtl_ctx.velocity_undefined asks for Velocity's way.
 *  - "$x[" that does not go on as an index ("$total[approx]") is text.
 *  - Identifiers after a dot may hold '-' before a letter, as Velocity
 *    1.7 allows, so $context.responseOverride.header.X-Amz-Foo works;
 *    a variable's own name may not ($a-$b is two references).
 *  - A backslash before a reference or a directive escapes it: each pair
 *    of backslashes prints one, and an odd one left over prints the
 *    reference's or directive's text as it is.
 *  - Whitespace follows Velocity 2's "lines" rule: a directive or comment
 *    alone on its line (only blanks around it) takes the line's leading
 *    blanks and its newline with it, so templates render to clean JSON.
 *  - String literals keep their backslashes (Velocity 1.7 does not
 *    unescape them); a backslash only keeps a quote from ending a
 *    "double-quoted" one, and '' inside a 'single-quoted' one is a quote.
 */
#include "apigw_vtl_int.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { T_EOF, T_END, T_ELSE, T_ELSEIF };

static vtl_expr *parse_expr(vtl *v);
static vtl_node *parse_block(vtl *v, int *term);
static vtl_ref *parse_ref(vtl *v);

void apigw_vtl_fail(vtl *v, const char *fmt, ...)
{
    va_list ap;

    if (v->failed)
        return;
    v->failed = 1;
    if (!v->errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(v->err, v->errlen, fmt, ap);
    va_end(ap);
}

/* ---- positions ---- */

static void index_lines(vtl *v)
{
    size_t n = 0, len = (size_t)(v->end - v->src);

    for (size_t i = 0; i < len; i++)
        n += v->src[i] == '\n';
    v->nl = apigw_vtl_alloc(v, (n + 1) * sizeof(*v->nl));
    n = 0;
    for (size_t i = 0; i < len; i++)
        if (v->src[i] == '\n')
            v->nl[n++] = i;
    v->nnl = n;
}

/* The 1-based line and column of p. */
static int line_of(const vtl *v, const char *p, int *col)
{
    size_t off = (size_t)(p - v->src), lo = 0, hi = v->nnl;

    while (lo < hi) {   /* the number of newlines before off */
        size_t mid = (lo + hi) / 2;
        if (v->nl[mid] < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (col)
        *col = (int)(off - (lo ? v->nl[lo - 1] + 1 : 0)) + 1;
    return (int)lo + 1;
}

static void syntax(vtl *v, const char *what)
{
    int col, line = line_of(v, v->p, &col);

    apigw_vtl_fail(v, "syntax error at line %d col %d: %s", line, col, what);
}

static int enter(vtl *v)
{
    if (++v->depth <= APIGW_VTL_MAX_DEPTH)
        return 0;
    v->sticky = 1;
    apigw_vtl_fail(v, "template nested more than %d deep at line %d",
                   APIGW_VTL_MAX_DEPTH, line_of(v, v->p, NULL));
    return -1;
}

/* ---- characters ---- */

static int is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int ident_start(int c)
{
    return is_alpha(c) || c == '_';
}

static int ident_char(int c)
{
    return ident_start(c) || is_digit(c);
}

static int peek(const vtl *v, size_t k)
{
    return v->p + k < v->end ? (unsigned char)v->p[k] : -1;
}

static void skip_ws(vtl *v)
{
    while (v->p < v->end && (*v->p == ' ' || *v->p == '\t' || *v->p == '\n'
                             || *v->p == '\r'))
        v->p++;
}

/* An identifier at v->p; dashed lets '-' join it before a letter. */
static size_t ident_len(const vtl *v, int dashed)
{
    size_t n = 0;

    while (v->p + n < v->end) {
        int c = (unsigned char)v->p[n];
        if (ident_char(c))
            n++;
        else if (dashed && c == '-' && v->p + n + 1 < v->end &&
                 is_alpha((unsigned char)v->p[n + 1]))
            n++;
        else
            break;
    }
    return n;
}

/* A word operator (and, not, ...) at v->p, not the start of a longer
 * word. */
static int at_word(const vtl *v, const char *w)
{
    size_t n = strlen(w);

    return (size_t)(v->end - v->p) >= n && !memcmp(v->p, w, n) &&
           !(v->p + n < v->end && ident_char((unsigned char)v->p[n]));
}

static void *zalloc(vtl *v, size_t n)
{
    void *p = apigw_vtl_alloc(v, n);

    memset(p, 0, n);
    return p;
}

/* ---- expressions ---- */

static vtl_expr *new_expr(vtl *v, int kind)
{
    vtl_expr *e = zalloc(v, sizeof(*e));

    e->kind = kind;
    e->line = line_of(v, v->p, NULL);
    return e;
}

static int expect(vtl *v, int c, const char *what)
{
    skip_ws(v);
    if (peek(v, 0) == c) {
        v->p++;
        return 0;
    }
    if (!v->failed)
        syntax(v, what);
    return -1;
}

/* Comma-separated expressions up to close (its opener already eaten). */
static vtl_expr **parse_list(vtl *v, int close, int *n, const char *what)
{
    vtl_expr **items = NULL;
    int cap = 0;

    *n = 0;
    skip_ws(v);
    if (peek(v, 0) == close) {
        v->p++;
        return NULL;
    }
    for (;;) {
        vtl_expr *e = parse_expr(v);
        if (v->failed) {
            *n = 0;   /* nothing to read on failure */
            return NULL;
        }
        if (*n == cap) {
            vtl_expr **grown = apigw_vtl_alloc(v, (size_t)(cap ? cap * 2 : 4)
                                                  * sizeof(*grown));
            if (*n)
                memcpy(grown, items, (size_t)*n * sizeof(*grown));
            items = grown;
            cap = cap ? cap * 2 : 4;
        }
        items[(*n)++] = e;
        skip_ws(v);
        if (peek(v, 0) == ',') {
            v->p++;
            continue;
        }
        expect(v, close, what);
        return items;
    }
}

static vtl_expr *parse_number(vtl *v)
{
    const char *s = v->p;
    vtl_expr *e = new_expr(v, VE_LIT);
    int is_double = 0;
    char buf[64];
    size_t n;

    while (is_digit(peek(v, 0)))
        v->p++;
    if (peek(v, 0) == '.' && is_digit(peek(v, 1))) {
        is_double = 1;
        for (v->p++; is_digit(peek(v, 0)); v->p++)
            ;
    }
    if ((peek(v, 0) == 'e' || peek(v, 0) == 'E') &&
        (is_digit(peek(v, 1)) ||
         ((peek(v, 1) == '-' || peek(v, 1) == '+') && is_digit(peek(v, 2))))) {
        is_double = 1;
        for (v->p += 2; is_digit(peek(v, 0)); v->p++)
            ;
    }
    n = TS_MIN((size_t)(v->p - s), sizeof(buf) - 1);
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (!is_double) {
        long long i = strtoll(buf, NULL, 10);
        if (i != LLONG_MAX)
            e->lit = apigw_vtl_int(i);
        else
            e->lit = apigw_vtl_double(strtod(buf, NULL));
    } else {
        e->lit = apigw_vtl_double(strtod(buf, NULL));
    }
    return e;
}

/* 'raw': no interpolation; '' stands for one quote. */
static vtl_expr *parse_squote(vtl *v)
{
    vtl_expr *e = new_expr(v, VE_LIT);
    ts_buf b;

    ts_buf_init(&b);
    for (v->p++;; v->p++) {
        if (v->p >= v->end) {
            syntax(v, "unterminated string literal");
            v->sticky = 1;
            break;
        }
        if (*v->p == '\'') {
            if (peek(v, 1) != '\'') {
                v->p++;
                break;
            }
            v->p++;
        }
        ts_buf_putc(&b, *v->p);
    }
    e->lit = apigw_vtl_str(v, b.data ? b.data : "", b.len);
    ts_buf_free(&b);
    return e;
}

/* "text": parsed as a template of its own when it holds $ or #. */
static vtl_expr *parse_dquote(vtl *v)
{
    const char *s = ++v->p, *save_end = v->end;
    vtl_expr *e;
    int term, special = 0;

    while (v->p < v->end && *v->p != '"') {
        special |= *v->p == '$' || *v->p == '#';
        v->p += *v->p == '\\' && v->p + 1 < v->end ? 2 : 1;
    }
    if (v->p >= v->end) {
        v->p = s - 1;
        syntax(v, "unterminated string literal");
        v->sticky = 1;   /* rescanning it from each "$x[" would be quadratic */
        return NULL;
    }
    if (!special) {
        e = new_expr(v, VE_LIT);
        e->lit = apigw_vtl_str(v, s, (size_t)(v->p - s));
        v->p++;
        return e;
    }
    e = new_expr(v, VE_STR);
    const char *close = v->p;
    v->p = s;
    v->end = close;
    v->in_string++;
    e->tmpl = parse_block(v, &term);
    v->in_string--;
    if (!v->failed && term != T_EOF)
        syntax(v, "#end, #else or #elseif without #if or #foreach");
    v->end = save_end;
    v->p = close + 1;
    return e;
}

/* [a, b] or [a..b], the '[' at v->p. */
static vtl_expr *parse_brackets(vtl *v)
{
    vtl_expr *e = new_expr(v, VE_LIST), *first;

    v->p++;
    skip_ws(v);
    if (peek(v, 0) == ']') {
        v->p++;
        return e;
    }
    first = parse_expr(v);
    skip_ws(v);
    if (!v->failed && peek(v, 0) == '.' && peek(v, 1) == '.') {
        v->p += 2;
        e->kind = VE_RANGE;
        e->a = first;
        e->b = parse_expr(v);
        expect(v, ']', "expected ']' to close the range");
        return e;
    }
    if (v->failed)
        return e;
    if (peek(v, 0) == ',') {
        v->p++;
        vtl_expr **rest = parse_list(v, ']', &e->n, "expected ']'");
        if (v->failed)
            return e;
        e->items = apigw_vtl_alloc(v, (size_t)(e->n + 1) * sizeof(*e->items));
        e->items[0] = first;
        if (e->n)
            memcpy(e->items + 1, rest, (size_t)e->n * sizeof(*rest));
        e->n++;
        return e;
    }
    expect(v, ']', "expected ']' or ','");
    e->items = apigw_vtl_alloc(v, sizeof(*e->items));
    e->items[0] = first;
    e->n = 1;
    return e;
}

/* {k: v, ...}, the '{' at v->p. */
static vtl_expr *parse_map(vtl *v)
{
    vtl_expr *e = new_expr(v, VE_MAP);
    int cap = 0;

    v->p++;
    skip_ws(v);
    if (peek(v, 0) == '}') {
        v->p++;
        return e;
    }
    while (!v->failed) {
        vtl_expr *k = parse_expr(v), *val;
        if (expect(v, ':', "expected ':' in a map") < 0)
            break;
        val = parse_expr(v);
        if (v->failed)
            break;
        if (e->n + 2 > cap) {
            vtl_expr **grown = apigw_vtl_alloc(v, (size_t)(cap * 2 + 4)
                                                  * sizeof(*grown));
            if (e->n)
                memcpy(grown, e->items, (size_t)e->n * sizeof(*grown));
            e->items = grown;
            cap = cap * 2 + 4;
        }
        e->items[e->n++] = k;
        e->items[e->n++] = val;
        skip_ws(v);
        if (peek(v, 0) == ',') {
            v->p++;
            continue;
        }
        expect(v, '}', "expected '}' or ','");
        break;
    }
    return e;
}

static vtl_expr *parse_primary(vtl *v)
{
    vtl_expr *e = NULL;
    int c;

    skip_ws(v);
    c = peek(v, 0);
    if (enter(v) < 0)
        return NULL;
    if (c == '(') {
        v->p++;
        e = parse_expr(v);
        expect(v, ')', "expected ')'");
    } else if (c == '[') {
        e = parse_brackets(v);
    } else if (c == '{') {
        e = parse_map(v);
    } else if (c == '\'') {
        e = parse_squote(v);
    } else if (c == '"') {
        e = parse_dquote(v);
    } else if (is_digit(c)) {
        e = parse_number(v);
    } else if (c == '$') {
        e = new_expr(v, VE_REF);
        e->ref = parse_ref(v);
        if (!e->ref && !v->failed)
            syntax(v, "expected a reference after '$'");
    } else if (at_word(v, "true") || at_word(v, "false")) {
        e = new_expr(v, VE_LIT);
        e->lit = apigw_vtl_bool(*v->p == 't');
        v->p += *v->p == 't' ? 4 : 5;
    } else if (at_word(v, "null")) {
        e = new_expr(v, VE_LIT);
        v->p += 4;
    } else {
        syntax(v, c < 0 ? "unexpected end of template in an expression"
                        : "expected an expression");
    }
    v->depth--;
    return e;
}

static vtl_expr *parse_unary(vtl *v)
{
    int kind = -1;
    vtl_expr *e;

    skip_ws(v);
    if (peek(v, 0) == '!' && peek(v, 1) != '=') {
        v->p++;
        kind = VE_NOT;
    } else if (at_word(v, "not")) {
        v->p += 3;
        kind = VE_NOT;
    } else if (peek(v, 0) == '-') {
        v->p++;
        kind = VE_NEG;
    }
    if (kind < 0)
        return parse_primary(v);
    if (enter(v) < 0)
        return NULL;
    e = new_expr(v, kind);
    e->a = parse_unary(v);
    v->depth--;
    return e;
}

/* The binary operator at v->p among those of one precedence level. */
typedef struct binop {
    const char *tok;
    int op;
} binop;

static const binop ops_or[] = {{"||", OP_OR}, {"or", OP_OR}, {NULL, 0}};
static const binop ops_and[] = {{"&&", OP_AND}, {"and", OP_AND}, {NULL, 0}};
static const binop ops_eq[] = {{"==", OP_EQ}, {"!=", OP_NE}, {"eq", OP_EQ},
                               {"ne", OP_NE}, {NULL, 0}};
static const binop ops_rel[] = {{"<=", OP_LE}, {">=", OP_GE}, {"<", OP_LT},
                                {">", OP_GT}, {"le", OP_LE}, {"ge", OP_GE},
                                {"lt", OP_LT}, {"gt", OP_GT}, {NULL, 0}};
static const binop ops_add[] = {{"+", OP_ADD}, {"-", OP_SUB}, {NULL, 0}};
static const binop ops_mul[] = {{"*", OP_MUL}, {"/", OP_DIV}, {"%", OP_MOD},
                                {NULL, 0}};
static const binop *const levels[] = {ops_or, ops_and, ops_eq, ops_rel,
                                      ops_add, ops_mul};

static int match_op(vtl *v, const binop *ops)
{
    skip_ws(v);
    for (const binop *o = ops; o->tok; o++) {
        size_t n = strlen(o->tok);
        if (is_alpha((unsigned char)o->tok[0]) ? at_word(v, o->tok)
            : ((size_t)(v->end - v->p) >= n && !memcmp(v->p, o->tok, n))) {
            v->p += n;
            return o->op;
        }
    }
    return -1;
}

static vtl_expr *parse_level(vtl *v, int level)
{
    vtl_expr *left;
    int op;

    if (level == (int)TS_ARRAY_LEN(levels))
        return parse_unary(v);
    left = parse_level(v, level + 1);
    while (!v->failed && (op = match_op(v, levels[level])) >= 0) {
        vtl_expr *e = new_expr(v, VE_BIN);
        e->op = op;
        e->a = left;
        e->b = parse_level(v, level + 1);
        left = e;
    }
    return left;
}

static vtl_expr *parse_expr(vtl *v)
{
    vtl_expr *e;

    if (enter(v) < 0)
        return NULL;
    e = parse_level(v, 0);
    v->depth--;
    return e;
}

/* ---- references ---- */

static vtl_acc *new_acc(vtl *v, int kind)
{
    vtl_acc *a = zalloc(v, sizeof(*a));

    a->kind = kind;
    return a;
}

/* [expr] after a reference, tried: when it does not parse (text such as
 * "$total[approx]") the bracket is left as text. */
static vtl_acc *try_index(vtl *v)
{
    const char *save = v->p;
    vtl_acc *a = new_acc(v, ACC_INDEX);

    v->p++;
    a->args = apigw_vtl_alloc(v, sizeof(*a->args));
    a->args[0] = parse_expr(v);
    a->nargs = 1;
    skip_ws(v);
    if (!v->failed && peek(v, 0) == ']') {
        v->p++;
        return a;
    }
    if (v->sticky)
        return NULL;
    v->failed = 0;      /* nothing had failed before the try */
    if (v->errlen)
        v->err[0] = '\0';
    v->p = save;
    return NULL;
}

/* A reference at v->p ('$'), or NULL with v->p unchanged when the '$'
 * starts none (then it is text). */
static vtl_ref *parse_ref(vtl *v)
{
    const char *s = v->p;
    vtl_ref *r;
    vtl_acc **tail;
    int brace = 0, quiet = 0;
    size_t n;

    v->p++;
    if (peek(v, 0) == '!') {
        quiet = 1;
        v->p++;
    }
    if (peek(v, 0) == '{') {
        brace = 1;
        v->p++;
    }
    if (!ident_start(peek(v, 0))) {
        v->p = s;
        return NULL;
    }
    r = zalloc(v, sizeof(*r));
    r->quiet = quiet;
    r->line = line_of(v, s, NULL);
    r->name = v->p;
    r->nlen = ident_len(v, 0);
    v->p += r->nlen;
    tail = &r->acc;
    while (!v->failed) {
        vtl_acc *a = NULL;
        if (peek(v, 0) == '.' && ident_start(peek(v, 1))) {
            v->p++;
            n = ident_len(v, 1);
            a = new_acc(v, ACC_PROP);
            a->name = v->p;
            a->nlen = n;
            v->p += n;
            if (peek(v, 0) == '(') {
                v->p++;
                a->kind = ACC_CALL;
                if (enter(v) < 0)
                    break;
                a->args = parse_list(v, ')', &a->nargs,
                                     "expected ')' to close the arguments");
                v->depth--;
            }
        } else if (peek(v, 0) == '[') {
            a = try_index(v);
        }
        if (!a)
            break;
        *tail = a;
        tail = &a->next;
    }
    if (brace && !v->failed) {
        if (peek(v, 0) != '}') {
            v->p = s;   /* "${x" is text */
            return NULL;
        }
        v->p++;
    }
    r->src = s;
    r->srclen = (size_t)(v->p - s);
    return r;
}

/* ---- directives ---- */

typedef struct directive {
    const char *name;
    int kind;   /* VN_*, or T_* + 100 for block ends, or -1 refused */
} directive;

static const directive directives[] = {
    {"set", VN_SET}, {"if", VN_IF}, {"foreach", VN_FOREACH},
    {"break", VN_BREAK}, {"stop", VN_STOP},
    {"end", 100 + T_END}, {"else", 100 + T_ELSE}, {"elseif", 100 + T_ELSEIF},
    {"macro", -1}, {"include", -1}, {"parse", -1}, {"define", -1},
    {"evaluate", -1}, {"literal", -1},
};

/* The directive at v->p ('#'), or NULL; *len is the span of "#name" or
 * "#{name}". */
static const directive *find_directive(const vtl *v, size_t *len)
{
    const char *s = v->p + 1;
    size_t n = 0;
    int brace = s < v->end && *s == '{';

    s += brace;
    while (s + n < v->end && is_alpha((unsigned char)s[n]))
        n++;
    if (!n || (brace && (s + n >= v->end || s[n] != '}')))
        return NULL;
    for (size_t i = 0; i < TS_ARRAY_LEN(directives); i++) {
        if (strlen(directives[i].name) == n &&
            !memcmp(directives[i].name, s, n)) {
            *len = (size_t)(s + n - v->p) + brace;
            return &directives[i];
        }
    }
    return NULL;
}

/* Only blanks between the previous newline (or the template's start) and
 * p. */
static const char *line_start(const vtl *v, const char *p)
{
    const char *q = p;

    if (v->in_string)
        return NULL;
    while (q > v->src && (q[-1] == ' ' || q[-1] == '\t'))
        q--;
    return q == v->src || q[-1] == '\n' ? q : NULL;
}

/* Only blanks from p to the end of the line: returns where the next line
 * starts (past the newline), else NULL. */
static const char *line_end(const vtl *v, const char *p)
{
    while (p < v->end && (*p == ' ' || *p == '\t'))
        p++;
    if (p < v->end && *p == '\r' && p + 1 < v->end && p[1] == '\n')
        return p + 2;
    if (p < v->end && *p == '\n')
        return p + 1;
    return p == v->end ? p : NULL;
}

typedef struct block {
    vtl_node *head, **tail;
    const char *text;   /* start of the pending text */
} block;

static vtl_node *add_node(vtl *v, block *b, int kind, const char *at)
{
    vtl_node *n = zalloc(v, sizeof(*n));

    n->kind = kind;
    n->line = line_of(v, at, NULL);
    *b->tail = n;
    b->tail = &n->next;
    return n;
}

static void add_text(vtl *v, block *b, const char *s, const char *e)
{
    if (e > s) {
        vtl_node *n = add_node(v, b, VN_TEXT, s);
        n->text = s;
        n->len = (size_t)(e - s);
    }
}

/* Flushes the text before a construct at p; when the construct is alone
 * on its line (it ends at v->p), its line's blanks and newline go too. */
static void flush_before(vtl *v, block *b, const char *p, int gobble)
{
    const char *ls = gobble ? line_start(v, p) : NULL;
    const char *le = ls ? line_end(v, v->p) : NULL;

    if (le) {
        add_text(v, b, b->text, ls > b->text ? ls : b->text);
        v->p = le;
    } else {
        add_text(v, b, b->text, p);
    }
    b->text = v->p;
}

static int open_paren(vtl *v, const char *name)
{
    char what[64];

    while (peek(v, 0) == ' ' || peek(v, 0) == '\t')
        v->p++;
    if (peek(v, 0) == '(') {
        v->p++;
        return 0;
    }
    snprintf(what, sizeof(what), "expected '(' after #%s", name);
    syntax(v, what);
    return -1;
}

static void parse_set(vtl *v, vtl_node *n)
{
    const vtl_acc *last = NULL;

    if (open_paren(v, "set") < 0)
        return;
    skip_ws(v);
    if (peek(v, 0) != '$' || !(n->ref = parse_ref(v))) {
        if (!v->failed)
            syntax(v, "expected a reference to #set");
        return;
    }
    for (const vtl_acc *a = n->ref->acc; a; a = a->next)
        last = a;
    if (last && last->kind == ACC_CALL) {
        syntax(v, "#set cannot assign to a method call");
        return;
    }
    if (expect(v, '=', "expected '=' in #set") < 0)
        return;
    n->expr = parse_expr(v);
    expect(v, ')', "expected ')' to close #set");
}

static void parse_foreach_head(vtl *v, vtl_node *n)
{
    if (open_paren(v, "foreach") < 0)
        return;
    skip_ws(v);
    if (peek(v, 0) != '$' || !ident_start(peek(v, 1))) {
        syntax(v, "expected $name in #foreach");
        return;
    }
    v->p++;
    n->var = v->p;
    n->varlen = ident_len(v, 0);
    v->p += n->varlen;
    skip_ws(v);
    if (!at_word(v, "in")) {
        syntax(v, "expected 'in' in #foreach");
        return;
    }
    v->p += 2;
    n->expr = parse_expr(v);
    expect(v, ')', "expected ')' to close #foreach");
}

static void parse_cond(vtl *v, vtl_node *n, const char *name)
{
    if (open_paren(v, name) < 0)
        return;
    n->expr = parse_expr(v);
    expect(v, ')', "expected ')'");
}

/* The body of a block directive opened at line, through its #end. */
static void parse_body(vtl *v, vtl_node *n, const char *what, int line)
{
    int term;

    if (enter(v) < 0)
        return;
    n->body = parse_block(v, &term);
    while (!v->failed && n->kind == VN_IF && term == T_ELSEIF) {
        vtl_node *elif = zalloc(v, sizeof(*elif));
        elif->kind = VN_IF;
        elif->line = line_of(v, v->p, NULL);
        n->elif = elif;
        n = elif;
        n->expr = v->elseif_cond;
        n->body = parse_block(v, &term);
    }
    if (!v->failed && n->kind == VN_IF && term == T_ELSE)
        n->els = parse_block(v, &term);
    v->depth--;
    if (v->failed)
        return;
    if (term == T_EOF)
        apigw_vtl_fail(v, "unterminated %s at line %d: missing #end", what,
                       line);
    else if (term != T_END)
        apigw_vtl_fail(v, "#else or #elseif at line %d outside #if",
                       line_of(v, v->p, NULL));
}

/* A directive at v->p; returns T_* when it ends the block, else -1. */
static int parse_directive(vtl *v, block *b, const directive *d, size_t len)
{
    const char *at = v->p;
    int line = line_of(v, at, NULL);
    vtl_node *n;

    if (d->kind < 0) {
        apigw_vtl_fail(v, "unsupported directive #%s at line %d", d->name,
                       line);
        return -1;
    }
    v->p += len;
    if (d->kind >= 100) {
        vtl_expr *cond = NULL;
        if (d->kind == 100 + T_ELSEIF) {
            vtl_node tmp;
            memset(&tmp, 0, sizeof(tmp));
            parse_cond(v, &tmp, "elseif");
            cond = tmp.expr;
        }
        /* #elseif's test is parsed here, before its line is gobbled; the
         * #if node parse_body makes for it takes it from v. */
        flush_before(v, b, at, 1);
        v->elseif_cond = cond;
        return d->kind - 100;
    }
    n = zalloc(v, sizeof(*n));
    n->kind = d->kind;
    n->line = line;
    if (d->kind == VN_SET)
        parse_set(v, n);
    else if (d->kind == VN_IF)
        parse_cond(v, n, "if");
    else if (d->kind == VN_FOREACH)
        parse_foreach_head(v, n);
    if (v->failed)
        return -1;
    flush_before(v, b, at, 1);
    *b->tail = n;
    b->tail = &n->next;
    if (d->kind == VN_IF || d->kind == VN_FOREACH) {
        parse_body(v, n, d->kind == VN_IF ? "#if" : "#foreach", line);
        b->text = v->p;
    }
    return -1;
}

/* ##, #* *# and #[[ ]]# at v->p; returns 1 when one was there. */
static int parse_comment(vtl *v, block *b)
{
    const char *at = v->p;

    if (peek(v, 1) == '#') {
        while (v->p < v->end && *v->p != '\n')
            v->p++;
        /* The comment takes its newline, as in Velocity; when it is alone
         * on the line its leading blanks go too. */
        const char *ls = line_start(v, at);
        add_text(v, b, b->text, !ls ? at : ls > b->text ? ls : b->text);
        if (v->p < v->end)
            v->p++;
        b->text = v->p;
        return 1;
    }
    if (peek(v, 1) == '*') {
        const char *e = v->p + 2;
        while (e + 1 < v->end && !(e[0] == '*' && e[1] == '#'))
            e++;
        if (e + 1 >= v->end) {
            apigw_vtl_fail(v, "unterminated comment #* at line %d",
                           line_of(v, at, NULL));
            return 1;
        }
        v->p = e + 2;
        flush_before(v, b, at, 1);
        return 1;
    }
    if (peek(v, 1) == '[' && peek(v, 2) == '[') {
        const char *s = v->p + 3, *e = s;
        while (e + 2 < v->end && !(e[0] == ']' && e[1] == ']' && e[2] == '#'))
            e++;
        if (e + 2 >= v->end) {
            apigw_vtl_fail(v, "unterminated #[[ at line %d",
                           line_of(v, at, NULL));
            return 1;
        }
        add_text(v, b, b->text, at);
        add_text(v, b, s, e);
        v->p = e + 3;
        b->text = v->p;
        return 1;
    }
    return 0;
}

/* Backslashes before '$' or '#' at v->p.  Returns 1 when they escaped
 * something (and consumed it), 0 when they are plain text. */
static int parse_escape(vtl *v, block *b)
{
    const char *s = v->p, *q = s;
    size_t k, len;
    vtl_ref *r;

    while (q < v->end && *q == '\\')
        q++;
    k = (size_t)(q - s);
    v->p = q;
    if (q < v->end && *q == '$' && (r = parse_ref(v))) {
        add_text(v, b, b->text, s);
        add_text(v, b, s, s + k / 2);
        if (k % 2) {
            add_text(v, b, r->src, r->src + r->srclen);
            b->text = v->p;
        } else {
            v->p = q;   /* the reference itself comes next */
            b->text = q;
        }
        return 1;
    }
    if (q < v->end && *q == '#' && find_directive(v, &len)) {
        add_text(v, b, b->text, s);
        add_text(v, b, s, s + k / 2);
        if (k % 2) {
            add_text(v, b, q, q + len);
            v->p = q + len;
        }
        b->text = v->p;
        return 1;
    }
    v->p = q;
    return 0;
}

/* Nodes up to the end of the template (or string) or a #end, #else or
 * #elseif, which *term tells. */
static vtl_node *parse_block(vtl *v, int *term)
{
    block b = {NULL, NULL, v->p};

    b.tail = &b.head;
    *term = T_EOF;
    while (v->p < v->end && !v->failed) {
        const directive *d;
        size_t len;
        int t;

        if (*v->p == '\\') {
            parse_escape(v, &b);
        } else if (*v->p == '$') {
            const char *at = v->p;
            vtl_ref *r = parse_ref(v);
            if (!r) {
                v->p++;
                continue;
            }
            add_text(v, &b, b.text, at);
            add_node(v, &b, VN_REF, at)->ref = r;
            b.text = v->p;
        } else if (*v->p == '#' && parse_comment(v, &b)) {
            continue;
        } else if (*v->p == '#' && (d = find_directive(v, &len))) {
            if ((t = parse_directive(v, &b, d, len)) >= 0) {
                *term = t;
                return b.head;
            }
        } else {
            v->p++;
        }
    }
    add_text(v, &b, b.text, v->p);
    return b.head;
}

/* ---- the entry point ---- */

static vtl_node *parse_template(vtl *v)
{
    int term;
    vtl_node *root = parse_block(v, &term);

    if (!v->failed && term != T_EOF)
        apigw_vtl_fail(v, "#%s at line %d without #if or #foreach",
                       term == T_END ? "end" : term == T_ELSE ? "else"
                                                               : "elseif",
                       line_of(v, v->p, NULL));
    return root;
}

int apigw_vtl_render(const char *tmpl, size_t len, apigw_vtl_ctx *ctx,
                     ts_buf *out, char *err, size_t errlen)
{
    vtl v;
    vtl_node *root;
    int rc = -1;

    memset(&v, 0, sizeof(v));
    v.arena = ts_arena_new();
    v.ctx = ctx;
    v.err = err;
    v.errlen = errlen;
    if (errlen)
        err[0] = '\0';
    v.src = v.p = tmpl ? tmpl : "";
    v.end = v.src + (tmpl ? len : 0);
    v.out = out;
    ctx->override_status = 0;
    ctx->override_headers = NULL;
    ctx->override_request = NULL;
    index_lines(&v);
    root = parse_template(&v);
    if (v.failed)
        goto out;
    apigw_vtl_globals(&v);
    apigw_vtl_exec(&v, root);
    if (v.failed)
        goto out;
    rc = apigw_vtl_overrides(&v);
out:
    cJSON_Delete(v.body);
    ts_arena_free(v.arena);
    return rc;
}
