/*
 * test_xml.c - the XML writer (escaping, control characters, the helpers)
 * and reader (include/tinystack/xml.h): trees of good documents, prefixes
 * dropped, leaf text with entities and CDATA, sibling walks, and refusal
 * of malformed or hostile input (unclosed tags, two roots, garbage, empty,
 * nesting past the limit, huge text, entity expansion).
 */
#include "test.h"

#include "tinystack/xml.h"

#include <stdlib.h>

/* Escapes s into a static copy. */
static const char *esc(const char *s)
{
    static char out[512];
    ts_buf b;

    ts_buf_init(&b);
    ts_xml_escape(&b, s);
    snprintf(out, sizeof(out), "%s", b.data ? b.data : "");
    ts_buf_free(&b);
    return out;
}

static ts_xml_node *parse(ts_arena *a, const char *s)
{
    return ts_xml_parse(a, s, strlen(s));
}

TEST(xml_escape)
{
    CHECK_STR(esc(""), "");
    CHECK_STR(esc("plain text"), "plain text");
    CHECK_STR(esc("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
    CHECK_STR(esc("&amp;"), "&amp;amp;");
    /* UTF-8 passes through untouched. */
    CHECK_STR(esc("caf\xc3\xa9 \xe2\x82\xac"), "caf\xc3\xa9 \xe2\x82\xac");
    CHECK_STR(esc("\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf");
    /* Bytes that are not UTF-8 become U+FFFD, one per byte that fails. */
    CHECK_STR(esc("a\xff" "b"), "a\xef\xbf\xbd" "b");
    CHECK_STR(esc("\xe2\x82"), "\xef\xbf\xbd\xef\xbf\xbd");
    CHECK_STR(esc("\xc0\xaf<"), "\xef\xbf\xbd\xef\xbf\xbd&lt;");
}

TEST(xml_escape_control_chars)
{
    CHECK_STR(esc("a\nb"), "a&#xA;b");
    CHECK_STR(esc("a\rb"), "a&#xD;b");
    CHECK_STR(esc("\x01"), "&#x1;");
    CHECK_STR(esc("\x1f"), "&#x1F;");
    CHECK_STR(esc("x\x1by"), "x&#x1B;y");
    /* Tab stays as it is; DEL is not a C0 control. */
    CHECK_STR(esc("a\tb"), "a\tb");
    CHECK_STR(esc("\x7f"), "\x7f");
}

TEST(xml_writer_helpers)
{
    ts_buf b;

    ts_buf_init(&b);
    ts_buf_puts(&b, TS_XML_DECL);
    ts_xml_open(&b, "Root");
    ts_xml_text(&b, "Key", "a<b");
    ts_xml_text(&b, "Absent", NULL);
    ts_xml_text(&b, "Empty", "");
    ts_xml_textf(&b, "Size", "%d", 1024);
    ts_xml_textf(&b, "Name", "%s&%s", "x", "y");
    ts_xml_close(&b, "Root");
    CHECK_STR(b.data, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<Root><Key>a&lt;b</Key><Empty></Empty><Size>1024</Size>"
                      "<Name>x&amp;y</Name></Root>");

    /* What the writer makes, the reader reads back. */
    ts_arena *a = ts_arena_new();
    ts_xml_node *r = ts_xml_parse(a, b.data, b.len);
    REQUIRE(r != NULL);
    CHECK_STR(r->name, "Root");
    CHECK_STR(ts_xml_child_text(r, "Key"), "a<b");
    CHECK_STR(ts_xml_child_text(r, "Empty"), "");
    CHECK_STR(ts_xml_child_text(r, "Size"), "1024");
    CHECK_STR(ts_xml_child_text(r, "Name"), "x&y");
    CHECK(ts_xml_child(r, "Absent") == NULL);
    ts_arena_free(a);
    ts_buf_free(&b);
}

TEST(xml_escape_roundtrip)
{
    const char *orig = "<&>\"' line1\nline2\r\tend";
    ts_buf b;
    ts_arena *a = ts_arena_new();

    ts_buf_init(&b);
    ts_xml_text(&b, "T", orig);
    ts_xml_node *r = ts_xml_parse(a, b.data, b.len);
    REQUIRE(r != NULL);
    CHECK_STR(r->text, orig);
    ts_buf_free(&b);
    ts_arena_free(a);
}

TEST(xml_parse_tree)
{
    ts_arena *a = ts_arena_new();
    const char *doc =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
        "  <Quiet>true</Quiet>\n"
        "  <Object><Key>a.txt</Key></Object>\n"
        "  <Object><Key>b.txt</Key><VersionId>v1</VersionId></Object>\n"
        "  <Other attr=\"1\"/>\n"
        "  <Object><Key>c.txt</Key></Object>\n"
        "</Delete>\n";
    ts_xml_node *r = parse(a, doc);

    REQUIRE(r != NULL);
    CHECK_STR(r->name, "Delete");
    CHECK(r->parent == NULL);
    CHECK(r->next == NULL);
    CHECK_STR(ts_xml_child_text(r, "Quiet"), "true");

    /* Children in document order; child/last/next/parent consistent. */
    const char *names[] = {"Quiet", "Object", "Object", "Other", "Object"};
    int i = 0;
    for (ts_xml_node *k = r->child; k; k = k->next, i++) {
        REQUIRE(i < 5);
        CHECK_STR(k->name, names[i]);
        CHECK(k->parent == r);
        if (!k->next)
            CHECK(r->last == k);
    }
    CHECK(i == 5);

    /* ts_xml_next walks the Objects, skipping Other. */
    ts_xml_node *o = ts_xml_child(r, "Object");
    REQUIRE(o != NULL);
    CHECK_STR(ts_xml_child_text(o, "Key"), "a.txt");
    CHECK(ts_xml_child_text(o, "VersionId") == NULL);
    o = ts_xml_next(o);
    REQUIRE(o != NULL);
    CHECK_STR(ts_xml_child_text(o, "Key"), "b.txt");
    CHECK_STR(ts_xml_child_text(o, "VersionId"), "v1");
    o = ts_xml_next(o);
    REQUIRE(o != NULL);
    CHECK_STR(ts_xml_child_text(o, "Key"), "c.txt");
    CHECK(ts_xml_next(o) == NULL);

    /* An empty element is a leaf with empty text. */
    ts_xml_node *other = ts_xml_child(r, "Other");
    REQUIRE(other != NULL);
    CHECK_STR(other->text, "");
    CHECK(other->child == NULL);

    /* Lookups that find nothing. */
    CHECK(ts_xml_child(r, "Missing") == NULL);
    CHECK(ts_xml_child_text(r, "Missing") == NULL);
    CHECK(ts_xml_child(NULL, "Quiet") == NULL);
    CHECK(ts_xml_child_text(NULL, "Quiet") == NULL);
    CHECK(ts_xml_child(r, "quiet") == NULL); /* names are case-sensitive */
    CHECK(ts_xml_next(r) == NULL);
    ts_arena_free(a);
}

TEST(xml_parse_namespaces)
{
    ts_arena *a = ts_arena_new();
    const char *doc =
        "<s3:Tagging xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\" "
        "xmlns:x=\"urn:x\">"
        "<s3:TagSet><x:Tag><s3:Key>k</s3:Key><Value>v</Value></x:Tag>"
        "<s3:Tag><s3:Key>k2</s3:Key><s3:Value>v2</s3:Value></s3:Tag>"
        "</s3:TagSet></s3:Tagging>";
    ts_xml_node *r = parse(a, doc);

    REQUIRE(r != NULL);
    CHECK_STR(r->name, "Tagging");
    ts_xml_node *set = ts_xml_child(r, "TagSet");
    REQUIRE(set != NULL);
    ts_xml_node *t = ts_xml_child(set, "Tag");
    REQUIRE(t != NULL);
    CHECK_STR(ts_xml_child_text(t, "Key"), "k");
    CHECK_STR(ts_xml_child_text(t, "Value"), "v");
    /* Different prefixes, same local name: still siblings by name. */
    t = ts_xml_next(t);
    REQUIRE(t != NULL);
    CHECK_STR(ts_xml_child_text(t, "Key"), "k2");
    CHECK_STR(ts_xml_child_text(t, "Value"), "v2");
    CHECK(ts_xml_next(t) == NULL);
    CHECK(ts_xml_child(set, "s3:Tag") == NULL);
    ts_arena_free(a);
}

TEST(xml_parse_leaf_text)
{
    ts_arena *a = ts_arena_new();
    ts_xml_node *r = parse(a,
        "<R>"
        "<Ent>&lt;a&gt; &amp; &quot;b&quot; &apos;c&apos;</Ent>"
        "<Num>&#65;&#x42;&#x20AC;</Num>"
        "<Cdata><![CDATA[<not a tag> & raw]]></Cdata>"
        "<Mixed>one<![CDATA[two]]>three</Mixed>"
        "<Space>  padded  </Space>"
        "<Lines>a\r\nb</Lines>"
        "<Utf8>caf\xc3\xa9</Utf8>"
        "<Empty></Empty><SelfClosed/>"
        "<!-- a comment --><Commented>x<!-- y -->z</Commented>"
        "</R>");

    REQUIRE(r != NULL);
    CHECK_STR(ts_xml_child_text(r, "Ent"), "<a> & \"b\" 'c'");
    CHECK_STR(ts_xml_child_text(r, "Num"), "AB\xe2\x82\xac");
    CHECK_STR(ts_xml_child_text(r, "Cdata"), "<not a tag> & raw");
    CHECK_STR(ts_xml_child_text(r, "Mixed"), "onetwothree");
    CHECK_STR(ts_xml_child_text(r, "Space"), "  padded  ");
    CHECK_STR(ts_xml_child_text(r, "Lines"), "a\nb");
    CHECK_STR(ts_xml_child_text(r, "Utf8"), "caf\xc3\xa9");
    CHECK_STR(ts_xml_child_text(r, "Empty"), "");
    CHECK_STR(ts_xml_child_text(r, "SelfClosed"), "");
    CHECK_STR(ts_xml_child_text(r, "Commented"), "xz");

    /* A lone root element is a leaf too. */
    r = parse(a, "<Status>Enabled</Status>");
    REQUIRE(r != NULL);
    CHECK_STR(r->name, "Status");
    CHECK_STR(r->text, "Enabled");
    CHECK(r->child == NULL);

    /* Text of one leaf never leaks into the next. */
    r = parse(a, "<R><A>1</A>junk<B>2</B><C/></R>");
    REQUIRE(r != NULL);
    CHECK_STR(ts_xml_child_text(r, "A"), "1");
    CHECK_STR(ts_xml_child_text(r, "B"), "2");
    CHECK_STR(ts_xml_child_text(r, "C"), "");
    ts_arena_free(a);
}

static int parses(const char *s)
{
    ts_arena *a = ts_arena_new();
    int ok = ts_xml_parse(a, s, strlen(s)) != NULL;

    ts_arena_free(a);
    return ok;
}

TEST(xml_parse_malformed)
{
    const char *bad[] = {
        "",
        " ",
        "\n\n",
        "<?xml version=\"1.0\"?>",
        "garbage",
        "{\"json\": true}",
        "<a>",
        "<a><b></b>",
        "<a><b></a>",
        "<a></b>",
        "</a>",
        "<a></a><b></b>",      /* two roots */
        "<a/><a/>",
        "<a></a>trailing",
        "<a>&unknown;</a>",
        "<a>&amp</a>",
        "<a>a < b</a>",
        "<a attr=1></a>",
        "<a b=\"1\" b=\"2\"/>",
        "<1a></1a>",
        "<a>\x01</a>",
        "<a>&#x1;</a>",
        "<a>\xff\xfe</a>",       /* not UTF-8 */
        "<a><![CDATA[x</a>",
        "<a><!-- x </a>",
    };

    for (size_t i = 0; i < TS_ARRAY_LEN(bad); i++)
        if (parses(bad[i])) {
            fprintf(stderr, "  accepted \"%s\"\n", bad[i]);
            CHECK(!"malformed XML accepted");
        }

    /* Only len bytes are parsed. */
    ts_arena *a = ts_arena_new();
    CHECK(ts_xml_parse(a, "<a></a>", 4) == NULL);
    CHECK(ts_xml_parse(a, "<a></a>", 0) == NULL);
    ts_xml_node *r = ts_xml_parse(a, "<a>x</a><b/>", 8);
    REQUIRE(r != NULL);
    CHECK_STR(r->text, "x");
    ts_arena_free(a);
}

/* n nested <e> elements with "leaf" text in the innermost. */
static char *nested(int n)
{
    ts_buf b;

    ts_buf_init(&b);
    for (int i = 0; i < n; i++)
        ts_buf_puts(&b, "<e>");
    ts_buf_puts(&b, "leaf");
    for (int i = 0; i < n; i++)
        ts_buf_puts(&b, "</e>");
    return ts_buf_detach(&b, NULL);
}

TEST(xml_parse_depth_limit)
{
    ts_arena *a = ts_arena_new();
    char *ok = nested(64), *deep = nested(65), *deeper = nested(100000);

    ts_xml_node *r = ts_xml_parse(a, ok, strlen(ok));
    REQUIRE(r != NULL);
    int depth = 1;
    while (r->child) {
        r = r->child;
        depth++;
    }
    CHECK(depth == 64);
    CHECK_STR(r->text, "leaf");
    CHECK(ts_xml_parse(a, deep, strlen(deep)) == NULL);
    CHECK(ts_xml_parse(a, deeper, strlen(deeper)) == NULL);
    ts_free(ok);
    ts_free(deep);
    ts_free(deeper);
    ts_arena_free(a);
}

TEST(xml_parse_huge_text)
{
    ts_arena *a = ts_arena_new();
    const size_t limit = 8u << 20;
    ts_buf b;

    /* One MiB of text in a leaf is fine. */
    ts_buf_init(&b);
    ts_buf_puts(&b, "<R><Big>");
    ts_buf_reserve(&b, limit + 64);
    memset(b.data + b.len, 'x', 1u << 20);
    b.len += 1u << 20;
    ts_buf_puts(&b, "</Big></R>");
    ts_xml_node *r = ts_xml_parse(a, b.data, b.len);
    REQUIRE(r != NULL);
    const char *t = ts_xml_child_text(r, "Big");
    REQUIRE(t != NULL);
    CHECK(strlen(t) == 1u << 20);
    ts_arena_free(a);

    /* More than 8 MiB of text is refused. */
    a = ts_arena_new();
    ts_buf_reset(&b);
    ts_buf_puts(&b, "<R>");
    ts_buf_reserve(&b, limit + 64);
    memset(b.data + b.len, 'y', limit + 1);
    b.len += limit + 1;
    ts_buf_puts(&b, "</R>");
    CHECK(ts_xml_parse(a, b.data, b.len) == NULL);
    ts_buf_free(&b);
    ts_arena_free(a);
}

TEST(xml_parse_entity_expansion)
{
    /* "Billion laughs": must be refused, not expanded into memory. */
    ts_buf b;

    ts_buf_init(&b);
    ts_buf_puts(&b, "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
                    "<!ENTITY lol \"lollollollollollollollollollol\">\n");
    for (int i = 1; i <= 9; i++) {
        ts_buf_printf(&b, "<!ENTITY lol%d \"", i);
        for (int k = 0; k < 10; k++)
            ts_buf_printf(&b, "&lol%s;", i == 1 ? "" : (char[]){(char)('0' + i - 1), 0});
        ts_buf_puts(&b, "\">\n");
    }
    ts_buf_puts(&b, "]>\n<lolz>&lol9;</lolz>");
    CHECK(!parses(b.data));
    ts_buf_free(&b);
}
