/*
 * ts_xml.c - XML out and in.  Output is plain appends with escaping;
 * input goes through expat into a small tree (element names and their
 * text), which is all the request bodies of S3 and the query protocols
 * need.  Depth is bounded so a hostile body cannot exhaust the stack of
 * whoever walks the tree.
 */
#include "tinystack/xml.h"

#include <stdio.h>
#include <string.h>

#include <expat.h>

#define XML_MAX_DEPTH 64

void ts_xml_escape(ts_buf *b, const char *s)
{
    const char *end = s + strlen(s);

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x80) {
            /* Bytes that are not UTF-8 (stored before keys were checked)
             * become U+FFFD, so the document stays well-formed. */
            size_t k = ts_utf8_seq((const unsigned char *)s, (size_t)(end - s));
            if (k) {
                ts_buf_append(b, s, k);
                s += k - 1;
            } else {
                ts_buf_puts(b, "\xef\xbf\xbd");
            }
            continue;
        }
        switch (c) {
        case '&': ts_buf_puts(b, "&amp;"); break;
        case '<': ts_buf_puts(b, "&lt;"); break;
        case '>': ts_buf_puts(b, "&gt;"); break;
        case '"': ts_buf_puts(b, "&quot;"); break;
        case '\'': ts_buf_puts(b, "&apos;"); break;
        default:
            if (c < 0x20 && c != '\t')
                ts_buf_printf(b, "&#x%X;", c);
            else
                ts_buf_putc(b, (char)c);
        }
    }
}

void ts_xml_open(ts_buf *b, const char *tag)
{
    ts_buf_putc(b, '<');
    ts_buf_puts(b, tag);
    ts_buf_putc(b, '>');
}

void ts_xml_close(ts_buf *b, const char *tag)
{
    ts_buf_puts(b, "</");
    ts_buf_puts(b, tag);
    ts_buf_putc(b, '>');
}

void ts_xml_text(ts_buf *b, const char *tag, const char *text)
{
    if (!text)
        return;
    ts_xml_open(b, tag);
    ts_xml_escape(b, text);
    ts_xml_close(b, tag);
}

void ts_xml_textf(ts_buf *b, const char *tag, const char *fmt, ...)
{
    va_list ap;
    ts_buf t;

    ts_buf_init(&t);
    va_start(ap, fmt);
    ts_buf_vprintf(&t, fmt, ap);
    va_end(ap);
    ts_xml_text(b, tag, t.data ? t.data : "");
    ts_buf_free(&t);
}

typedef struct parse_ctx {
    ts_arena *arena;
    ts_xml_node *root, *cur;
    ts_buf text;
    int depth;
    int failed;
    XML_Parser parser;
} parse_ctx;

static void XMLCALL start_cb(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    parse_ctx *c = ud;
    ts_xml_node *n;
    const char *colon = strrchr(name, ':');

    if (++c->depth > XML_MAX_DEPTH || (!c->cur && c->root)) {
        c->failed = 1;
        XML_StopParser(c->parser, XML_FALSE);
        return;
    }
    n = ts_arena_zalloc(c->arena, sizeof(*n));
    n->name = ts_arena_strdup(c->arena, colon ? colon + 1 : name);
    n->text = "";
    n->parent = c->cur;
    if (c->cur) {
        if (c->cur->last)
            c->cur->last->next = n;
        else
            c->cur->child = n;
        c->cur->last = n;
    } else {
        c->root = n;
    }
    c->cur = n;
    ts_buf_reset(&c->text);
}

static void XMLCALL end_cb(void *ud, const XML_Char *name)
{
    parse_ctx *c = ud;

    c->depth--;
    if (!c->cur)
        return;
    if (!c->cur->child)
        c->cur->text = ts_arena_strndup(c->arena, c->text.data ? c->text.data : "",
                                        c->text.len);
    ts_buf_reset(&c->text);
    c->cur = c->cur->parent;
}

static void XMLCALL chars_cb(void *ud, const XML_Char *s, int len)
{
    parse_ctx *c = ud;

    if (c->text.len + (size_t)len > (8u << 20)) {
        c->failed = 1;
        XML_StopParser(c->parser, XML_FALSE);
        return;
    }
    ts_buf_append(&c->text, s, (size_t)len);
}

ts_xml_node *ts_xml_parse(ts_arena *a, const char *data, size_t len)
{
    parse_ctx c;
    ts_xml_node *root = NULL;

    memset(&c, 0, sizeof(c));
    c.arena = a;
    ts_buf_init(&c.text);
    c.parser = XML_ParserCreate("UTF-8");
    XML_SetUserData(c.parser, &c);
    XML_SetElementHandler(c.parser, start_cb, end_cb);
    XML_SetCharacterDataHandler(c.parser, chars_cb);
    if (XML_Parse(c.parser, data, (int)len, XML_TRUE) == XML_STATUS_OK &&
        !c.failed && c.root)
        root = c.root;
    XML_ParserFree(c.parser);
    ts_buf_free(&c.text);
    return root;
}

ts_xml_node *ts_xml_child(const ts_xml_node *n, const char *name)
{
    if (!n)
        return NULL;
    for (ts_xml_node *k = n->child; k; k = k->next)
        if (!strcmp(k->name, name))
            return k;
    return NULL;
}

const char *ts_xml_child_text(const ts_xml_node *n, const char *name)
{
    ts_xml_node *k = ts_xml_child(n, name);

    return k ? k->text : NULL;
}

ts_xml_node *ts_xml_next(const ts_xml_node *n)
{
    for (ts_xml_node *k = n->next; k; k = k->next)
        if (!strcmp(k->name, n->name))
            return k;
    return NULL;
}
