/*
 * xml.h - writing XML responses into a ts_buf, and reading small XML
 * request bodies (through expat) into a tree allocated from an arena.
 */
#ifndef TINYSTACK_XML_H
#define TINYSTACK_XML_H

#include "tinystack/core.h"

#define TS_XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

/* Appends s with &, <, >, " and ' escaped (and control characters as
 * character references, as S3 does); bytes that are not UTF-8 become
 * U+FFFD, so the text is always well-formed UTF-8. */
void ts_xml_escape(ts_buf *b, const char *s);
void ts_xml_open(ts_buf *b, const char *tag);
void ts_xml_close(ts_buf *b, const char *tag);
/* <tag>escaped text</tag>; nothing when text is NULL. */
void ts_xml_text(ts_buf *b, const char *tag, const char *text);
void ts_xml_textf(ts_buf *b, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

typedef struct ts_xml_node {
    const char *name;  /* local name: any "prefix:" is dropped */
    const char *text;  /* the concatenated character data, "" when none */
    struct ts_xml_node *child, *last, *next, *parent;
} ts_xml_node;

/* Parses a document; returns its root element, or NULL when the text is
 * not well-formed XML.  Everything lives in the arena. */
ts_xml_node *ts_xml_parse(ts_arena *a, const char *data, size_t len);
/* The first child named name, or NULL. */
ts_xml_node *ts_xml_child(const ts_xml_node *n, const char *name);
/* The text of the first child named name, or NULL when there is none. */
const char *ts_xml_child_text(const ts_xml_node *n, const char *name);
/* The next sibling after n with the same name, or NULL. */
ts_xml_node *ts_xml_next(const ts_xml_node *n);

#endif
