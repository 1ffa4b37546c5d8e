/*
 * apigw_vtl_regex.c - the java.util.regex subset that templates' String
 * methods (matches, replaceAll, replaceFirst, split) take, run as a Pike
 * VM (Thompson's construction with captures, as RE2 does): a pattern is
 * parsed to a tree, compiled to a small program, and every search walks
 * the text once with all threads in step, so time is linear in the text
 * and no pattern can backtrack without end.  Threads keep Java's
 * priorities, so matches are Java's leftmost-first ones (greedy, lazy,
 * alternatives in order), not POSIX's leftmost-longest.
 *
 * Supported: literals, ., [...] classes with ranges and negation, \d \D
 * \s \S \w \W \b \B, \t \n \r \f \e \a \xhh \uhhhh \Q...\E and escaped
 * punctuation, ^ $, (...) (?:...), a leading (?i) (ASCII), | and * + ?
 * {n} {n,} {n,m}, each lazy with a trailing ?.  Refused by name:
 * backreferences, lookaround, possessive quantifiers, named groups,
 * nested classes, \p{..}.  Text is UTF-8, stepped by code point.
 *
 * Work is counted (threads stepped) across a rendering and capped at
 * REGEX_WORK, so a hostile pattern over a big body fails the rendering
 * instead of taking minutes.
 */
#include "apigw_vtl_int.h"

#include <stdio.h>
#include <string.h>

#define MAX_PROG 20000        /* instructions in one program */
#define MAX_GROUPS 9          /* $1..$9 */
#define MAX_REPEAT 1000       /* the n, m of {n,m} */
#define REGEX_WORK 100000000u /* thread steps in one rendering */

enum { I_CHAR, I_ANY, I_CLASS, I_SPLIT, I_JMP, I_SAVE, I_MATCH, I_BOL, I_EOL,
       I_END, I_WORDB, I_NWORDB };

typedef struct inst {
    int op;
    uint32_t c;     /* I_CHAR */
    int x, y;       /* I_SPLIT: x first (preferred), y second; I_JMP: x;
                     * I_SAVE: slot x; I_CLASS: class x */
} inst;

typedef struct cls {
    uint32_t (*r)[2];   /* ranges lo..hi */
    int n, neg;
} cls;

enum { N_EMPTY, N_CHAR, N_ANY, N_CLASS, N_CAT, N_ALT, N_REP, N_GROUP, N_BOL,
       N_EOL, N_WORDB, N_NWORDB };

typedef struct rnode rnode;
struct rnode {
    int kind;
    uint32_t c;         /* N_CHAR; N_CLASS: class index; N_GROUP: index */
    int min, max, greedy;   /* N_REP (max -1: no bound) */
    rnode *a, *b;       /* N_CAT, N_ALT; N_REP, N_GROUP: a */
};

typedef struct thread {
    int pc;
    long *caps;
} thread;

struct vtl_regex {
    inst *prog;
    int nprog, cap;
    cls *classes;
    int nclasses, ngroups, icase;
    /* search state, made once at compile time */
    thread *clist, *nlist;
    long *cbuf, *nbuf;  /* the lists' capture slots */
    int *mark;          /* step at which each pc was last added */
    int *stack;         /* addthread's work stack */
    long *scratch;
};

typedef struct rparser {
    vtl *v;
    vtl_regex *rx;
    const char *p, *end;
    int line, depth;
} rparser;

static int rfail(rparser *rp, const char *what)
{
    apigw_vtl_fail(rp->v, "unsupported regex construct %s at line %d", what,
                   rp->line);
    return -1;
}

static rnode *rnew(rparser *rp, int kind)
{
    rnode *n = apigw_vtl_alloc(rp->v, sizeof(*n));

    memset(n, 0, sizeof(*n));
    n->kind = kind;
    return n;
}

/* The code point at *p (advancing it); a bad byte stands for itself. */
static uint32_t utf8_next(const char **p, const char *end)
{
    const unsigned char *s = (const unsigned char *)*p;
    size_t k = ts_utf8_seq(s, (size_t)(end - *p));
    uint32_t cp;

    if (!k) {
        (*p)++;
        return 0xDC00 + s[0];   /* never a real character */
    }
    cp = k == 1 ? s[0] : (uint32_t)(s[0] & (0x7F >> k));
    for (size_t i = 1; i < k; i++)
        cp = cp << 6 | (s[i] & 0x3F);
    *p += k;
    return cp;
}

/* ---- classes ---- */

static int new_class(rparser *rp, int neg)
{
    vtl_regex *rx = rp->rx;
    cls *grown = apigw_vtl_alloc(rp->v, (size_t)(rx->nclasses + 1) *
                                            sizeof(*grown));

    if (rx->nclasses)
        memcpy(grown, rx->classes, (size_t)rx->nclasses * sizeof(*grown));
    rx->classes = grown;
    memset(&rx->classes[rx->nclasses], 0, sizeof(cls));
    rx->classes[rx->nclasses].neg = neg;
    return rx->nclasses++;
}

static void class_add(rparser *rp, int ci, uint32_t lo, uint32_t hi)
{
    cls *c = &rp->rx->classes[ci];
    uint32_t (*r)[2] = apigw_vtl_alloc(rp->v, (size_t)(c->n + 1) *
                                                  sizeof(*r));

    if (c->n)
        memcpy(r, c->r, (size_t)c->n * sizeof(*r));
    r[c->n][0] = lo;
    r[c->n][1] = hi;
    c->r = r;
    c->n++;
}

/* \d \s \w (and, negated, \D \S \W when not inside brackets) into ci. */
static void add_named(rparser *rp, int ci, char k)
{
    switch (k) {
    case 'd': class_add(rp, ci, '0', '9'); break;
    case 's':
        class_add(rp, ci, '\t', '\r');   /* \t \n \v \f \r */
        class_add(rp, ci, ' ', ' ');
        break;
    default:   /* w */
        class_add(rp, ci, 'a', 'z');
        class_add(rp, ci, 'A', 'Z');
        class_add(rp, ci, '0', '9');
        class_add(rp, ci, '_', '_');
    }
}

static int is_named(char c)
{
    return c == 'd' || c == 's' || c == 'w' || c == 'D' || c == 'S' ||
           c == 'W';
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* A single-character escape after '\' (the '\' eaten): its code point, or
 * -1 with the failure set. */
static long char_escape(rparser *rp)
{
    char c = *rp->p++;
    int digits = 0;
    long v = 0;

    switch (c) {
    case 't': return '\t';
    case 'n': return '\n';
    case 'r': return '\r';
    case 'f': return '\f';
    case 'a': return 7;
    case 'e': return 27;
    case 'x': digits = 2; break;
    case 'u': digits = 4; break;
    case '0': return 0;
    default:
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '1' && c <= '9')) {
            char what[8];
            snprintf(what, sizeof(what), "\\%c", c);
            return rfail(rp, what);
        }
        rp->p--;
        return utf8_next(&rp->p, rp->end);
    }
    for (int i = 0; i < digits; i++) {
        int h = rp->p < rp->end ? hexval((unsigned char)*rp->p) : -1;
        if (h < 0)
            return rfail(rp, c == 'x' ? "\\x without two hex digits"
                                      : "\\u without four hex digits");
        v = v * 16 + h;
        rp->p++;
    }
    return v;
}

/* [...], rp->p past '['. */
static rnode *parse_class(rparser *rp)
{
    int neg = rp->p < rp->end && *rp->p == '^';
    int ci, first = 1;
    rnode *n;

    rp->p += neg;
    ci = new_class(rp, neg);
    while (rp->p < rp->end && (*rp->p != ']' || first)) {
        long lo, hi;
        first = 0;
        if (*rp->p == '[' || (*rp->p == '&' && rp->p + 1 < rp->end &&
                              rp->p[1] == '&')) {
            rfail(rp, "nested class or && in [...]");
            return NULL;
        }
        if (*rp->p == '\\' && rp->p + 1 < rp->end && is_named(rp->p[1])) {
            if (rp->p[1] >= 'A' && rp->p[1] <= 'Z') {
                rfail(rp, "\\D, \\S or \\W inside [...]");
                return NULL;
            }
            add_named(rp, ci, rp->p[1]);
            rp->p += 2;
            continue;
        }
        if (*rp->p == '\\') {
            rp->p++;
            if (rp->p >= rp->end || (lo = char_escape(rp)) < 0)
                return rp->v->failed ? NULL : (rfail(rp, "trailing \\"), NULL);
        } else {
            lo = utf8_next(&rp->p, rp->end);
        }
        hi = lo;
        if (rp->p + 1 < rp->end && *rp->p == '-' && rp->p[1] != ']') {
            rp->p++;
            if (*rp->p == '\\') {
                rp->p++;
                if (rp->p >= rp->end || (hi = char_escape(rp)) < 0)
                    return NULL;
            } else {
                hi = utf8_next(&rp->p, rp->end);
            }
            if (hi < lo) {
                rfail(rp, "a range out of order in [...]");
                return NULL;
            }
        }
        class_add(rp, ci, (uint32_t)lo, (uint32_t)hi);
    }
    if (rp->p >= rp->end) {
        rfail(rp, "unterminated [");
        return NULL;
    }
    rp->p++;
    n = rnew(rp, N_CLASS);
    n->c = (uint32_t)ci;
    return n;
}

/* ---- parsing ---- */

static rnode *parse_alt(rparser *rp);

static rnode *parse_escape_atom(rparser *rp)
{
    rnode *n;
    long c;

    if (rp->p >= rp->end) {
        rfail(rp, "trailing \\");
        return NULL;
    }
    if (is_named(*rp->p)) {
        int upper = *rp->p >= 'A' && *rp->p <= 'Z';
        int ci = new_class(rp, upper);
        add_named(rp, ci, (char)(upper ? *rp->p + 32 : *rp->p));
        rp->p++;
        n = rnew(rp, N_CLASS);
        n->c = (uint32_t)ci;
        return n;
    }
    if (*rp->p == 'b' || *rp->p == 'B') {
        n = rnew(rp, *rp->p == 'b' ? N_WORDB : N_NWORDB);
        rp->p++;
        return n;
    }
    if (*rp->p == 'Q') {   /* \Q...\E: literal text */
        rnode *cat = rnew(rp, N_EMPTY);
        rp->p++;
        while (rp->p < rp->end &&
               !(rp->p[0] == '\\' && rp->p + 1 < rp->end && rp->p[1] == 'E')) {
            rnode *ch = rnew(rp, N_CHAR), *both = rnew(rp, N_CAT);
            ch->c = utf8_next(&rp->p, rp->end);
            both->a = cat;
            both->b = ch;
            cat = both;
        }
        rp->p += rp->p < rp->end ? 2 : 0;
        return cat;
    }
    if ((c = char_escape(rp)) < 0)
        return NULL;
    n = rnew(rp, N_CHAR);
    n->c = (uint32_t)c;
    return n;
}

static rnode *parse_group(rparser *rp)
{
    rnode *n, *inner;
    int index = 0;

    if (rp->p < rp->end && *rp->p == '?') {
        if (rp->p + 1 < rp->end && rp->p[1] == ':') {
            rp->p += 2;
        } else {
            rfail(rp, "(? other than (?:");
            return NULL;
        }
    } else {
        if (rp->rx->ngroups == MAX_GROUPS) {
            rfail(rp, "more than 9 groups");
            return NULL;
        }
        index = ++rp->rx->ngroups;
    }
    inner = parse_alt(rp);
    if (!inner)
        return NULL;
    if (rp->p >= rp->end || *rp->p != ')') {
        rfail(rp, "unbalanced (");
        return NULL;
    }
    rp->p++;
    if (!index)
        return inner;
    n = rnew(rp, N_GROUP);
    n->c = (uint32_t)index;
    n->a = inner;
    return n;
}

static rnode *parse_atom(rparser *rp)
{
    char c = *rp->p;
    rnode *n;

    switch (c) {
    case '(':
        rp->p++;
        return parse_group(rp);
    case '[':
        rp->p++;
        return parse_class(rp);
    case '\\':
        rp->p++;
        return parse_escape_atom(rp);
    case '.':
        rp->p++;
        return rnew(rp, N_ANY);
    case '^':
        rp->p++;
        return rnew(rp, N_BOL);
    case '$':
        rp->p++;
        return rnew(rp, N_EOL);
    case '*': case '+': case '?': case '{':
        rfail(rp, "a quantifier with nothing to repeat");
        return NULL;
    default:
        n = rnew(rp, N_CHAR);
        n->c = utf8_next(&rp->p, rp->end);
        return n;
    }
}

static int parse_count(rparser *rp, int *out)
{
    int n = 0, any = 0;

    while (rp->p < rp->end && *rp->p >= '0' && *rp->p <= '9') {
        n = n * 10 + (*rp->p++ - '0');
        any = 1;
        if (n > MAX_REPEAT)
            return rfail(rp, "a repeat count over 1000");
    }
    *out = n;
    return any;
}

/* An atom and its quantifiers. */
static rnode *parse_repeat(rparser *rp)
{
    rnode *atom = parse_atom(rp);

    if (atom && rp->p < rp->end) {
        int min, max;
        char c = *rp->p;
        if (c == '*' || c == '+' || c == '?') {
            min = c == '+';
            max = c == '?' ? 1 : -1;
            rp->p++;
        } else if (c == '{') {
            rp->p++;
            if (parse_count(rp, &min) <= 0)
                return rp->v->failed ? NULL
                                     : (rfail(rp, "{ without a count"), NULL);
            max = min;
            if (rp->p < rp->end && *rp->p == ',') {
                rp->p++;
                int got = parse_count(rp, &max);
                if (got < 0)
                    return NULL;
                if (!got)
                    max = -1;
            }
            if (rp->p >= rp->end || *rp->p != '}' || (max >= 0 && max < min))
                return rfail(rp, "a bad {n,m}"), NULL;
            rp->p++;
        } else {
            return atom;
        }
        rnode *r = rnew(rp, N_REP);
        r->a = atom;
        r->min = min;
        r->max = max;
        r->greedy = 1;
        if (rp->p < rp->end && *rp->p == '?') {
            r->greedy = 0;
            rp->p++;
        } else if (rp->p < rp->end && *rp->p == '+') {
            rfail(rp, "a possessive quantifier");
            return NULL;
        }
        atom = r;
        if (rp->p < rp->end && (*rp->p == '*' || *rp->p == '+' ||
                                *rp->p == '?' || *rp->p == '{')) {
            rfail(rp, "a quantifier after a quantifier");
            return NULL;
        }
    }
    return atom;
}

static rnode *parse_cat(rparser *rp)
{
    rnode *left = rnew(rp, N_EMPTY);

    while (rp->p < rp->end && *rp->p != '|' && *rp->p != ')') {
        rnode *n = parse_repeat(rp), *cat;
        if (!n)
            return NULL;
        cat = rnew(rp, N_CAT);
        cat->a = left;
        cat->b = n;
        left = cat;
    }
    return left;
}

static rnode *parse_alt(rparser *rp)
{
    rnode *left;

    if (++rp->depth > APIGW_VTL_MAX_DEPTH) {
        rfail(rp, "groups nested too deep");
        return NULL;
    }
    left = parse_cat(rp);
    while (left && rp->p < rp->end && *rp->p == '|') {
        rnode *alt = rnew(rp, N_ALT);
        rp->p++;
        alt->a = left;
        alt->b = parse_cat(rp);
        if (!alt->b)
            return NULL;
        left = alt;
    }
    rp->depth--;
    return left;
}

/* ---- compiling ---- */

static int emit(rparser *rp, int op)
{
    vtl_regex *rx = rp->rx;

    if (rx->nprog >= MAX_PROG) {
        if (!rp->v->failed)
            rfail(rp, "a pattern this large");
        return rx->nprog ? rx->nprog - 1 : 0;
    }
    if (rx->nprog == rx->cap) {
        int cap = rx->cap ? rx->cap * 2 : 32;
        inst *p = apigw_vtl_alloc(rp->v, (size_t)cap * sizeof(*p));
        if (rx->nprog)
            memcpy(p, rx->prog, (size_t)rx->nprog * sizeof(*p));
        rx->prog = p;
        rx->cap = cap;
    }
    memset(&rx->prog[rx->nprog], 0, sizeof(inst));
    rx->prog[rx->nprog].op = op;
    return rx->nprog++;
}

static void gen(rparser *rp, const rnode *n);
static void gen_cat(rparser *rp, const rnode *n);
static void gen_alt(rparser *rp, const rnode *n);

static void gen_star(rparser *rp, const rnode *n)
{
    int split = emit(rp, I_SPLIT), jmp;

    gen(rp, n->a);
    jmp = emit(rp, I_JMP);
    if (rp->v->failed)
        return;
    rp->rx->prog[jmp].x = split;
    rp->rx->prog[split].x = n->greedy ? split + 1 : rp->rx->nprog;
    rp->rx->prog[split].y = n->greedy ? rp->rx->nprog : split + 1;
}

static void gen_repeat(rparser *rp, const rnode *n)
{
    int *splits, nsplits = 0;

    for (int i = 0; i < n->min && !rp->v->failed; i++)
        gen(rp, n->a);
    if (n->max < 0) {
        gen_star(rp, n);
        return;
    }
    splits = apigw_vtl_alloc(rp->v, (size_t)(n->max - n->min + 1) *
                                        sizeof(*splits));
    for (int i = n->min; i < n->max && !rp->v->failed; i++) {
        splits[nsplits++] = emit(rp, I_SPLIT);
        gen(rp, n->a);
    }
    if (rp->v->failed)
        return;
    for (int i = 0; i < nsplits; i++) {
        inst *s = &rp->rx->prog[splits[i]];
        s->x = n->greedy ? splits[i] + 1 : rp->rx->nprog;
        s->y = n->greedy ? rp->rx->nprog : splits[i] + 1;
    }
}

/* The parser builds concatenations and alternations leaning left (a|b|c
 * is ((a|b)|c)); walking those chains in loops keeps the recursion as
 * shallow as the pattern's groups, whatever its length. */
static const rnode **chain(rparser *rp, const rnode *n, int kind, int *len)
{
    const rnode **items;
    int k = 1;

    for (const rnode *c = n; c->kind == kind; c = c->a)
        k++;
    items = apigw_vtl_alloc(rp->v, (size_t)k * sizeof(*items));
    *len = k;
    for (const rnode *c = n; c->kind == kind; c = c->a)
        items[--k] = c->b;
    for (const rnode *c = n;; c = c->a)
        if (c->kind != kind) {
            items[0] = c;
            break;
        }
    return items;
}

static void gen_cat(rparser *rp, const rnode *n)
{
    int len;
    const rnode **items = chain(rp, n, N_CAT, &len);

    for (int i = 0; i < len && !rp->v->failed; i++)
        gen(rp, items[i]);
}

/* a|b|c: split a, (split b, c), every branch jumping to the end. */
static void gen_alt(rparser *rp, const rnode *n)
{
    int len;
    const rnode **items = chain(rp, n, N_ALT, &len);
    int *jumps = apigw_vtl_alloc(rp->v, (size_t)len * sizeof(*jumps));

    for (int i = 0; i < len && !rp->v->failed; i++) {
        int split = i + 1 < len ? emit(rp, I_SPLIT) : -1;
        gen(rp, items[i]);
        jumps[i] = i + 1 < len ? emit(rp, I_JMP) : -1;
        if (rp->v->failed)
            return;
        if (split >= 0) {
            rp->rx->prog[split].x = split + 1;
            rp->rx->prog[split].y = rp->rx->nprog;
        }
    }
    for (int i = 0; i + 1 < len; i++)
        rp->rx->prog[jumps[i]].x = rp->rx->nprog;
}

static void gen(rparser *rp, const rnode *n)
{
    int at;

    if (rp->v->failed)
        return;
    switch (n->kind) {
    case N_EMPTY: break;
    case N_CHAR: at = emit(rp, I_CHAR); rp->rx->prog[at].c = n->c; break;
    case N_ANY: emit(rp, I_ANY); break;
    case N_CLASS: at = emit(rp, I_CLASS); rp->rx->prog[at].x = (int)n->c; break;
    case N_BOL: emit(rp, I_BOL); break;
    case N_EOL: emit(rp, I_EOL); break;
    case N_WORDB: emit(rp, I_WORDB); break;
    case N_NWORDB: emit(rp, I_NWORDB); break;
    case N_CAT: gen_cat(rp, n); break;
    case N_GROUP:
        at = emit(rp, I_SAVE);
        rp->rx->prog[at].x = 2 * (int)n->c;
        gen(rp, n->a);
        at = emit(rp, I_SAVE);
        rp->rx->prog[at].x = 2 * (int)n->c + 1;
        break;
    case N_ALT: gen_alt(rp, n); break;
    case N_REP: gen_repeat(rp, n); break;
    }
}

vtl_regex *apigw_vtl_regex_compile(vtl *v, const char *re, size_t n,
                                   int whole, int line)
{
    rparser rp;
    vtl_regex *rx = apigw_vtl_alloc(v, sizeof(*rx));
    rnode *tree;
    size_t ncap, np;

    memset(rx, 0, sizeof(*rx));
    memset(&rp, 0, sizeof(rp));
    rp.v = v;
    rp.rx = rx;
    rp.p = re;
    rp.end = re + n;
    rp.line = line;
    if (n >= 4 && !memcmp(re, "(?i)", 4)) {
        rx->icase = 1;
        rp.p += 4;
    }
    tree = parse_alt(&rp);
    if (tree && rp.p < rp.end)
        rfail(&rp, "unbalanced )");
    if (v->failed)
        return NULL;
    gen(&rp, tree);
    if (whole)
        emit(&rp, I_END);
    emit(&rp, I_MATCH);
    if (v->failed)
        return NULL;
    np = (size_t)rx->nprog;
    ncap = 2 * (size_t)(rx->ngroups + 1);
    rx->clist = apigw_vtl_alloc(v, np * sizeof(thread));
    rx->nlist = apigw_vtl_alloc(v, np * sizeof(thread));
    rx->cbuf = apigw_vtl_alloc(v, np * ncap * sizeof(long));
    rx->nbuf = apigw_vtl_alloc(v, np * ncap * sizeof(long));
    rx->mark = apigw_vtl_alloc(v, np * sizeof(int));
    rx->stack = apigw_vtl_alloc(v, (np * 2 + 2) * sizeof(int));
    rx->scratch = apigw_vtl_alloc(v, (np + 1) * ncap * sizeof(long));
    return rx;
}

int apigw_vtl_regex_groups(const vtl_regex *rx)
{
    return rx->ngroups;
}

/* ---- searching ---- */

static uint32_t fold(uint32_t c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int in_class(const vtl_regex *rx, const cls *c, uint32_t ch)
{
    int hit = 0;

    for (int i = 0; i < c->n && !hit; i++) {
        hit = ch >= c->r[i][0] && ch <= c->r[i][1];
        if (!hit && rx->icase) {
            uint32_t lo = fold(ch), up = ch >= 'a' && ch <= 'z' ? ch - 32 : ch;
            hit = (lo >= c->r[i][0] && lo <= c->r[i][1]) ||
                  (up >= c->r[i][0] && up <= c->r[i][1]);
        }
    }
    return hit != c->neg;
}

static int word_at(const char *s, size_t n, long i)
{
    unsigned char c;

    if (i < 0 || (size_t)i >= n)
        return 0;
    c = (unsigned char)s[i];
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_';
}

typedef struct search {
    vtl_regex *rx;
    const char *s;
    size_t n;
    int gen;
    size_t ncap;
} search;

/* An empty-width test at pos. */
static int assert_ok(const search *sr, int op, size_t pos)
{
    switch (op) {
    case I_BOL: return pos == 0;   /* positions are the whole string's */
    case I_EOL:   /* Java's $: the end, or before a final line break */
        return pos == sr->n || (pos + 1 == sr->n && sr->s[pos] == '\n');
    case I_END: return pos == sr->n;
    case I_WORDB:
    case I_NWORDB: {
        int b = word_at(sr->s, sr->n, (long)pos - 1) !=
                word_at(sr->s, sr->n, (long)pos);
        return op == I_WORDB ? b : !b;
    }
    }
    return 0;
}

/* Adds the thread at pc (following jumps, splits, saves and tests) to
 * list, in priority order.  Iterative, so a long program cannot overflow
 * the stack; each pc enters a list once per position. */
static void add_thread(search *sr, thread *list, long *buf, int *count,
                       int pc0, const long *caps, size_t pos)
{
    vtl_regex *rx = sr->rx;
    int *stack = rx->stack, sp = 0;
    int frames = 1;

    /* Frame 0 of scratch holds the incoming captures.  A save changes
     * them for the rest of its path only, so it writes a fresh frame;
     * each pc is visited once per position, so frames stay within
     * nprog + 1. */
    memcpy(rx->scratch, caps, sr->ncap * sizeof(long));
    stack[sp++] = pc0;
    stack[sp++] = 0;
    while (sp) {
        int frame = stack[--sp], pc = stack[--sp];
        long *fc = rx->scratch + (size_t)frame * sr->ncap;
        for (;;) {
            const inst *in = &rx->prog[pc];
            if (rx->mark[pc] == sr->gen)
                break;
            rx->mark[pc] = sr->gen;
            if (in->op == I_JMP) {
                pc = in->x;
            } else if (in->op == I_SPLIT) {
                stack[sp++] = in->y;
                stack[sp++] = frame;
                pc = in->x;
            } else if (in->op == I_SAVE) {
                long *nc = rx->scratch + (size_t)frames * sr->ncap;
                memcpy(nc, fc, sr->ncap * sizeof(long));
                nc[in->x] = (long)pos;
                frame = frames++;
                fc = nc;
                pc++;
            } else if (in->op == I_BOL || in->op == I_EOL || in->op == I_END ||
                       in->op == I_WORDB || in->op == I_NWORDB) {
                if (!assert_ok(sr, in->op, pos))
                    break;
                pc++;
            } else {
                thread *t = &list[*count];
                t->pc = pc;
                t->caps = buf + (size_t)*count * sr->ncap;
                memcpy(t->caps, fc, sr->ncap * sizeof(long));
                (*count)++;
                break;
            }
        }
    }
}

static int step_ok(const search *sr, const inst *in, uint32_t ch)
{
    switch (in->op) {
    case I_CHAR:
        return ch == in->c || (sr->rx->icase && fold(ch) == fold(in->c));
    case I_ANY:
        return ch != '\n' && ch != '\r';
    default:   /* I_CLASS */
        return in_class(sr->rx, &sr->rx->classes[in->x], ch);
    }
}

int apigw_vtl_regex_find(vtl *v, vtl_regex *rx, const char *s, size_t n,
                         size_t start, int anchored, long *caps)
{
    search sr = {rx, s, n, 0, 2 * (size_t)(rx->ngroups + 1)};
    long init[2 * (MAX_GROUPS + 1)];
    int nc = 0, nn, matched = 0;
    size_t pos = start;

    for (size_t i = 0; i < sr.ncap; i++)
        init[i] = caps[i] = -1;
    init[0] = (long)start;
    memset(rx->mark, 0xff, (size_t)rx->nprog * sizeof(int));
    sr.gen = 1;
    add_thread(&sr, rx->clist, rx->cbuf, &nc, 0, init, pos);
    for (;;) {
        const char *at = s + pos;
        uint32_t ch = pos < n ? utf8_next(&at, s + n) : 0;
        size_t next = (size_t)(at - s);
        thread *t;
        long *tb;

        v->regex_work += (unsigned)nc + 1;
        if (v->regex_work > REGEX_WORK) {
            apigw_vtl_fail(v, "regular expressions took too long");
            return 0;
        }
        sr.gen++;
        nn = 0;
        for (int i = 0; i < nc; i++) {
            const inst *in = &rx->prog[rx->clist[i].pc];
            if (in->op == I_MATCH) {
                memcpy(caps, rx->clist[i].caps, sr.ncap * sizeof(long));
                caps[1] = (long)pos;
                matched = 1;
                break;   /* lower-priority threads lose to this one */
            }
            if (pos < n && step_ok(&sr, in, ch))
                add_thread(&sr, rx->nlist, rx->nbuf, &nn,
                           rx->clist[i].pc + 1, rx->clist[i].caps, next);
        }
        if (pos >= n)
            break;
        /* Unanchored: a new, lowest-priority try starts at each position
         * until something has matched. */
        if (!matched && !anchored) {
            long fresh[2 * (MAX_GROUPS + 1)];
            for (size_t i = 0; i < sr.ncap; i++)
                fresh[i] = -1;
            fresh[0] = (long)next;
            add_thread(&sr, rx->nlist, rx->nbuf, &nn, 0, fresh, next);
        }
        t = rx->clist; rx->clist = rx->nlist; rx->nlist = t;
        tb = rx->cbuf; rx->cbuf = rx->nbuf; rx->nbuf = tb;
        nc = nn;
        pos = next;
        if (!nc)
            break;
    }
    return matched;
}
