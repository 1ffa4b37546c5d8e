/*
 * test_apigw_vtl.c - API Gateway's mapping templates (src/apigw/apigw_vtl*.c)
 * and their JSONPath: each feature in small cases, AWS's documented
 * templates (the console's "Method Request passthrough", the PetStore
 * mapping, a response override) checked as JSON, and bad input of every
 * kind (unterminated blocks, unbalanced parentheses, huge loops, deep
 * nesting, random bytes and mutations) that must fail cleanly.
 */
#include "test.h"

#include <stdint.h>
#include <stdlib.h>

#include "../../src/apigw/apigw_vtl.h"

static ts_buf out;
static char err[256];
static apigw_vtl_ctx ctx;
static cJSON *ctx_json, *stage_json, *path_json, *qs_json, *hdr_json;

/* A context like a real request's. */
static void setup(void)
{
    cJSON_Delete(ctx_json);
    cJSON_Delete(stage_json);
    cJSON_Delete(path_json);
    cJSON_Delete(qs_json);
    cJSON_Delete(hdr_json);
    ctx_json = cJSON_Parse(
        "{\"requestId\":\"req-1\",\"stage\":\"prod\",\"apiId\":\"abc123\","
        "\"httpMethod\":\"POST\",\"resourcePath\":\"/pets/{petId}\","
        "\"identity\":{\"sourceIp\":\"192.0.2.1\",\"userAgent\":\"curl/8\"},"
        "\"authorizer\":{\"principalId\":\"user-7\"},"
        "\"list\":[10,20],\"n\":2}");
    stage_json = cJSON_Parse("{\"env\":\"dev\",\"table\":\"Pets\"}");
    path_json = cJSON_Parse("{\"petId\":\"42\"}");
    qs_json = cJSON_Parse("{\"q\":\"dogs\",\"petId\":\"from-qs\"}");
    hdr_json = cJSON_Parse("{\"Content-Type\":\"application/json\","
                           "\"X-Api-Key\":\"k\\\"ey\"}");
    cJSON_Delete(ctx.override_headers);
    cJSON_Delete(ctx.override_request);
    memset(&ctx, 0, sizeof(ctx));
    ctx.context = ctx_json;
    ctx.stage_vars = stage_json;
    ctx.path = path_json;
    ctx.querystring = qs_json;
    ctx.header = hdr_json;
}

static int render_body(const char *tmpl, const char *body)
{
    setup();
    ts_buf_reset(&out);
    ctx.body = body;
    ctx.body_len = body ? strlen(body) : 0;
    return apigw_vtl_render(tmpl, strlen(tmpl), &ctx, &out, err, sizeof(err));
}

/* The output of tmpl against body, or "ERROR: <message>". */
static const char *RB(const char *tmpl, const char *body)
{
    static char msg[300];

    if (render_body(tmpl, body) < 0) {
        snprintf(msg, sizeof(msg), "ERROR: %s", err);
        return msg;
    }
    return out.data ? out.data : "";
}

static const char *R(const char *tmpl)
{
    return RB(tmpl, "{\"name\":\"Ada\",\"age\":36,\"price\":2.5,"
                    "\"tags\":[\"a\",\"b\"],\"nested\":{\"k\":[1,{\"x\":true}]},"
                    "\"nil\":null}");
}

/* The error tmpl fails with, or "" when it renders. */
static const char *E(const char *tmpl)
{
    return render_body(tmpl, "{}") < 0 ? err : "";
}

#define CHECK_ERR(tmpl, frag)                                             \
    do {                                                                  \
        const char *e_ = E(tmpl);                                         \
        if (!strstr(e_, frag) || !*e_) {                                  \
            fprintf(stderr, "  %s:%d: error \"%s\" lacks \"%s\"\n",       \
                    __FILE__, __LINE__, e_, frag);                        \
            *ts_failed_ = 1;                                              \
        }                                                                 \
    } while (0)

/* ---- references ---- */

TEST(vtl_text_passes_through)
{
    CHECK_STR(R("plain text, no refs"), "plain text, no refs");
    CHECK_STR(R(""), "");
    CHECK_STR(R("price: $ 5 and # tag"), "price: $ 5 and # tag");
    CHECK_STR(R("#hashtag #1 $5"), "#hashtag #1 $5");
}

TEST(vtl_references)
{
    CHECK_STR(R("#set($x = 'v')$x|${x}|$!x|$!{x}"), "v|v|v|v");
    CHECK_STR(R("#set($x = 'v')${x}y $xy."), "vy .");
    CHECK_STR(R("$context.stage-$context.requestId"), "prod-req-1");
    CHECK_STR(R("$context.identity.sourceIp"), "192.0.2.1");
    CHECK_STR(R("${context.identity.sourceIp}."), "192.0.2.1.");
    CHECK_STR(R("$context.list[1] $context.list[-1] $context['stage']"),
              "20 20 prod");
    CHECK_STR(R("$stageVariables.env $stageVariables['table']"), "dev Pets");
    CHECK_STR(R("#set($i = 0)$context.list[$i]"), "10");
    CHECK_STR(R("$context.list[approx]"), "[10,20][approx]");
    CHECK_STR(R("a.$context.stage."), "a.prod.");
}

TEST(vtl_undefined_references)
{
    /* API Gateway: undefined prints nothing; Velocity's literal form is a
     * flag away. */
    CHECK_STR(R("[$nope][$!nope][$context.nope.deeper][$nope.call(1)]"),
              "[][][][]");
    setup();
    ctx.velocity_undefined = 1;
    ts_buf_reset(&out);
    REQUIRE(apigw_vtl_render("[$nope][$!nope][${a.b}]", 23, &ctx, &out, err,
                             sizeof(err)) == 0);
    CHECK_STR(out.data, "[$nope][][${a.b}]");
}

TEST(vtl_escapes)
{
    CHECK_STR(R("#set($a = 1)\\$a \\\\$a \\#if \\#set($a = 2) $a"),
              "$a \\1 #if #set(1 = 2) 1");
    CHECK_STR(R("back\\slash and \\n"), "back\\slash and \\n");
    CHECK_STR(R("#[[ $raw #if ]]#!"), " $raw #if !");
}

TEST(vtl_comments)
{
    CHECK_STR(R("a## line comment\nb"), "ab");
    CHECK_STR(R("a#* block\n $x #if *#b"), "ab");
    CHECK_STR(R("x\n  ## alone on its line\ny"), "x\ny");
    CHECK_ERR("a #* never closed", "unterminated comment");
}

/* ---- literals and operators ---- */

TEST(vtl_literals)
{
    CHECK_STR(R("#set($s = 'no $interp')$s"), "no $interp");
    CHECK_STR(R("#set($g = \"hi ${context.stage}!\")$g"), "hi prod!");
    CHECK_STR(R("#set($q = 'it''s')$q"), "it's");
    CHECK_STR(R("#set($n = 12)$n #set($d = 1.5)$d #set($e = 2.0)$e"),
              "12 1.5 2.0");
    CHECK_STR(R("#set($b = true)$b #set($f = false)$f"), "true false");
    CHECK_STR(R("#set($l = [1, 'a', [2]])$l"), "[1, a, [2]]");
    CHECK_STR(R("#set($m = {'k': 1, \"j\": 'x'})$m $m.k"), "{k=1, j=x} 1");
    CHECK_STR(R("#set($r = [1..3])$r #set($d = [3..1])$d"), "[1, 2, 3] [3, 2, 1]");
    CHECK_STR(R("#set($a = 2)#set($r = [$a..4])$r"), "[2, 3, 4]");
    CHECK_STR(R("#set($e = [])$e #set($m = {})$m"), "[] {}");
}

TEST(vtl_arithmetic)
{
    CHECK_STR(R("#set($x = 7 / 2)$x #set($y = 7 % 3)$y #set($z = -5)$z"),
              "3 1 -5");
    CHECK_STR(R("#set($x = 7.0 / 2)$x #set($y = 1 + 2 * 3)$y"), "3.5 7");
    CHECK_STR(R("#set($x = (1 + 2) * 3)$x #set($y = 10 - 2 - 3)$y"), "9 5");
    CHECK_STR(R("#set($x = 9223372036854775807 + 1)$x"),
              "9.223372036854776E18");
    CHECK_STR(R("#set($x = 1 / 0)[$x]#set($y = 5 % 0)[$y]"), "[][]");
    CHECK_STR(R("#set($x = 0.1 + 0.2)$x"), "0.30000000000000004");
    CHECK_STR(R("#set($x = 1.0E7 * 1)$x #set($y = 0.0001 * 1)$y"),
              "1.0E7 1.0E-4");
}

TEST(vtl_concatenation)
{
    CHECK_STR(R("#set($s = 'a' + 'b')$s #set($t = 'n' + 1)$t"), "ab n1");
    CHECK_STR(R("#set($t = 1 + 2 + 'x')$t #set($u = 'x' + 1 + 2)$u"),
              "3x x12");
    CHECK_STR(R("#set($t = 'x' + $nope)[$t]"), "[]");
}

TEST(vtl_comparisons)
{
    CHECK_STR(R("#if(3 > 2 && 2 <= 2 && 1 < 2 && 2 >= 2)y#end"), "y");
    CHECK_STR(R("#if(1 == 1.0 && 'a' == 'a' && 'a' != 'b')y#end"), "y");
    CHECK_STR(R("#if(5 == '5')same text#end"), "same text");
    CHECK_STR(R("#if('a' < 'b')y#else n#end"), " n");
    CHECK_STR(R("#if($nope == $nada)nulls#end#if($nope != 1)ne#end"),
              "nullsne");
    CHECK_STR(R("#if(1 eq 1 and 2 gt 1 and not (1 ne 1) or false)w#end"), "w");
    CHECK_STR(R("#if(!false && !$nope)n#end"), "n");
    CHECK_STR(R("#if([1, 2] == [1, 2] && {'a': 1} == {'a': 1})eq#end"), "eq");
}

TEST(vtl_truthiness)
{
    /* Velocity 1.7: only null and false are false. */
    CHECK_STR(R("#if('')empty is true#end"), "empty is true");
    CHECK_STR(R("#if(0)zero is true#end"), "zero is true");
    CHECK_STR(R("#if($nope)x#else undefined is false#end"),
              " undefined is false");
    CHECK_STR(R("#if($input.path('$.nil'))x#else null#end"), " null");
}

/* ---- directives ---- */

TEST(vtl_set)
{
    CHECK_STR(R("#set($a = 1)#set($a = $a + 1)$a"), "2");
    CHECK_STR(R("#set( $a = \"x\" )$a"), "x");
    CHECK_STR(R("#set ($a = 1)$a"), "1");
    CHECK_STR(R("#set($a = 1)#set($a = $nope)[$a]"), "[]");
    CHECK_STR(R("#set($m = {})#set($m.k = 'v')#set($m['j'] = 2)$m"),
              "{k=v, j=2}");
    CHECK_STR(R("#set($l = [1, 2])#set($l[0] = 9)#set($l[-1] = 8)$l"),
              "[9, 8]");
    CHECK_STR(R("#set($m = {'a': {'b': 1}})#set($m.a.b = 2)$m.a.b"), "2");
    CHECK_STR(R("#set($s = 'str')#set($s.x = 1)$s"), "str");
    CHECK_ERR("#set($l = [])#set($l[3] = 1)", "out of range");
    CHECK_ERR("#set($a.b() = 1)", "method call");
    CHECK_ERR("#set(a = 1)", "expected a reference");
    CHECK_ERR("#set($a 1)", "expected '='");
}

TEST(vtl_if)
{
    CHECK_STR(R("#if($context.n == 1)one#elseif($context.n == 2)two"
                "#else other#end"), "two");
    CHECK_STR(R("#if(false)a#elseif(false)b#else c#end"), " c");
    CHECK_STR(R("#if(false)a#elseif(false)b#end."), ".");
    CHECK_STR(R("#{if}(true)a#{else}b#{end}c"), "ac");
    CHECK_STR(R("#if(false)x#else#if(true)nested#end#end"), "nested");
    CHECK_STR(R("#if (true)spaced#end"), "spaced");
}

TEST(vtl_foreach)
{
    CHECK_STR(R("#foreach($i in [1..3])$i;#end"), "1;2;3;");
    CHECK_STR(R("#foreach($t in $input.path('$.tags'))$t#if($foreach.hasNext),"
                "#end#end"), "a,b");
    CHECK_STR(R("#foreach($i in ['a', 'b'])$foreach.index/$foreach.count/"
                "$velocityCount/$foreach.first/$foreach.last;#end"),
              "0/1/1/true/false;1/2/2/false/true;");
    CHECK_STR(R("#foreach($v in {'a': 1, 'b': 2})$v#end"), "12");
    CHECK_STR(R("#set($m = {'a': 1, 'b': 2})#foreach($k in $m.keySet())$k=$m.get($k) #end"),
              "a=1 b=2 ");
    CHECK_STR(R("#set($m = {'a': 1})#foreach($e in $m.entrySet())$e.key:$e.value $e#end"),
              "a:1 a=1");
    CHECK_STR(R("#foreach($i in [1..5])#if($i == 3)#break#end$i#end"), "12");
    CHECK_STR(R("#foreach($i in $nope)x#end#foreach($i in 'str')y#end."), ".");
    CHECK_STR(R("#set($i = 'keep')#foreach($i in [1])$i#end $i"), "1 keep");
    CHECK_STR(R("#foreach($a in [1, 2])#foreach($b in [3, 4])$a$b"
                "$foreach.parent.index #end#end"),
              "130 140 231 241 ");
    CHECK_STR(R("#foreach($i in [1, 2])$velocityHasNext #end"), "true false ");
    CHECK_STR(R("[#foreach($i in [])x#end]"), "[]");
    CHECK_STR(R("#foreach($x in [1, $nope, 3])[$x]#end"), "[1][][3]");
}

TEST(vtl_stop)
{
    CHECK_STR(R("a#stop b"), "a");
    CHECK_STR(R("#foreach($i in [1..3])$i#if($i == 2)#stop#end#end tail"),
              "12");
}

TEST(vtl_unsupported_directives)
{
    CHECK_STR(E("a\nb\n#macro(x)y#end"), "unsupported directive #macro at line 3");
    CHECK_ERR("#include('x')", "#include");
    CHECK_ERR("#parse('x')", "#parse");
    CHECK_ERR("#define($x)y#end", "#define");
    CHECK_ERR("#evaluate('x')", "#evaluate");
    CHECK_STR(R("#unknown stays text"), "#unknown stays text");
}

TEST(vtl_syntax_errors)
{
    CHECK_STR(E("ok\n#if($a"), "syntax error at line 2 col 7: expected ')'");
    CHECK_ERR("#if($a) yes", "unterminated #if at line 1");
    CHECK_ERR("line\n#foreach($i in [1])x", "unterminated #foreach at line 2");
    CHECK_ERR("#end", "#end at line 1 without");
    CHECK_ERR("#else", "#else at line 1 without");
    CHECK_ERR("#if(true)#else#else#end", "outside #if");
    CHECK_ERR("#foreach($i in [1])#else#end", "outside #if");
    CHECK_ERR("#if true)", "expected '(' after #if");
    CHECK_ERR("#foreach($i [1])#end", "expected 'in'");
    CHECK_ERR("#foreach(i in [1])#end", "expected $name");
    CHECK_ERR("$a.b(1, 2", "expected ')'");
    CHECK_ERR("#set($x = (1 + 2)", "expected ')'");
    CHECK_ERR("#set($x = [1, 2)", "expected ']'");
    CHECK_ERR("#set($x = {'a' 1})", "expected ':'");
    CHECK_ERR("#set($x = 'open)", "unterminated string");
    CHECK_ERR("#set($x = \"open)", "unterminated string");
    CHECK_ERR("#set($x = )", "expected an expression");
    CHECK_ERR("#set($x = \"#end\")", "without #if");
    CHECK_ERR("#if(1 = 1)#end", "expected ')'");
}

/* ---- whitespace ---- */

TEST(vtl_whitespace_gobbling)
{
    CHECK_STR(R("a\n#set($x = 1)\nb"), "a\nb");
    CHECK_STR(R("a\n    #set($x = 1)   \nb"), "a\nb");
    CHECK_STR(R("#if(true)\n  yes\n#end\nafter"), "  yes\nafter");
    CHECK_STR(R("[\n#foreach($i in [1, 2])\n  $i#if($foreach.hasNext),#end\n"
                "#end\n]"), "[\n  1,\n  2\n]");
    CHECK_STR(R("x #set($a = 1) y"), "x  y");
    CHECK_STR(R("a\r\n#set($x = 1)\r\nb"), "a\r\nb");
}

/* ---- methods ---- */

TEST(vtl_string_methods)
{
    CHECK_STR(R("#set($s = '  Pad ')$s.trim().toUpperCase() $s.length()"),
              "PAD 6");
    CHECK_STR(R("#set($s = 'hello')$s.contains('ell') $s.startsWith('he') "
                "$s.endsWith('lo') $s.startsWith('l', 2)"), "true true true true");
    CHECK_STR(R("#set($s = 'hello')$s.indexOf('l') $s.indexOf('l', 3) "
                "$s.lastIndexOf('l') $s.indexOf('z')"), "2 3 3 -1");
    CHECK_STR(R("#set($s = 'hello')$s.substring(1, 3) $s.substring(3) "
                "$s.charAt(1)"), "el lo e");
    CHECK_STR(R("#set($s = 'a.b.c')$s.replace('.', '/') $s.replace('', '-')"),
              "a/b/c -a-.-b-.-c-");
    CHECK_STR(R("#set($s = 'a1b22')$s.replaceAll('[0-9]+', '#') "
                "$s.replaceAll('\\d', 'D') $s.replaceFirst('\\d', '_')"),
              "a#b# aDbDD a_b22");
    CHECK_STR(R("#set($s = 'John Smith')$s.replaceAll('(\\w+) (\\w+)', '$2, $1')"),
              "Smith, John");
    CHECK_STR(R("$'abc'.replaceAll('x*', '-')"), "$'abc'.replaceAll('x*', '-')");
    CHECK_STR(R("#set($s = 'abc')$s.substring(1.0) $s.substring(1e30)|"
                "$s.charAt(-0.0)"), "bc |a");
    CHECK_STR(R("#set($s = 'abc')$s.replaceAll('x*', '-')"), "-a-b-c-");
    CHECK_STR(R("#set($s = 'abc')$s.matches('[a-z]+') $s.matches('b') "
                "$s.matches('(?i)ABC')"), "true false true");
    CHECK_STR(R("#set($s = 'a,b,,c,,')$s.split(',') $s.split(',').size() "
                "$s.split(',', -1).size()"), "[a, b, , c] 4 6");
    CHECK_STR(R("#set($s = 'Ab')$s.equals('Ab') $s.equals('ab') "
                "$s.equalsIgnoreCase('aB') $s.isEmpty() $s.empty"),
              "true false true false false");
    CHECK_STR(R("#set($s = 'ABC')$s.toLowerCase() $s.concat('d') $s.compareTo('ABD')"),
              "abc ABCd -1");
    CHECK_STR(R("#set($s = 'x')$s.noSuchMethod()|$s.substring()|"), "||");
    CHECK_ERR("#set($s = 'abc')$s.substring(5)", "substring at line 1");
}

/* Java's regex semantics, from apigw_vtl_regex.c's Pike VM. */
static const char *RX(const char *subject, const char *method,
                      const char *args)
{
    static char tmpl[512];

    snprintf(tmpl, sizeof(tmpl), "#set($s = '%s')$s.%s(%s)", subject, method,
             args);
    return R(tmpl);
}

TEST(vtl_regex_semantics)
{
    /* leftmost-first, not POSIX's leftmost-longest */
    CHECK_STR(RX("ab", "replaceAll", "'a|ab', 'X'"), "Xb");
    CHECK_STR(RX("aaa", "replaceFirst", "'a+?', 'x'"), "xaa");
    CHECK_STR(RX("<b><i>", "replaceAll", "'<.+?>', '[]'"), "[][]");
    CHECK_STR(RX("<b><i>", "replaceAll", "'<.+>', '[]'"), "[]");
    CHECK_STR(RX("aaaa", "replaceAll", "'a{2,3}', 'x'"), "xa");
    CHECK_STR(RX("aaaa", "replaceAll", "'a{2}', 'x'"), "xx");
    CHECK_STR(RX("aaaaa", "replaceAll", "'a{2,}?', 'x'"), "xxa");
    CHECK_STR(RX("ab", "replaceAll", "'(?:a)(b)', '$1$1'"), "bb");
    CHECK_STR(RX("cat concat", "replaceAll", "'\\bcat\\b', 'dog'"),
              "dog concat");
    CHECK_STR(RX("a.b", "replaceAll", "'\\Q.\\E', '!'"), "a!b");
    CHECK_STR(RX("a1-b2", "replaceAll", "'[\\d-]', ''"), "ab");
    CHECK_STR(RX("aXa", "replaceAll", "'^a|a$', '_'"), "_X_");
    CHECK_STR(RX("x y\tz", "replaceAll", "'\\s+', ''"), "xyz");
    CHECK_STR(RX("ABC", "matches", "'(?i)abc'"), "true");
    CHECK_STR(RX("ABC", "matches", "'(?i)[a-c]+'"), "true");
    CHECK_STR(RX("h\xc3\xa9llo", "replaceAll", "'.', 'x'"), "xxxxx");
    CHECK_STR(RX("h\xc3\xa9llo", "replaceAll", "'[\xc3\xa9]', 'e'"), "hello");
    CHECK_STR(RX("ab", "matches", "'a|ab'"), "true");
    CHECK_STR(RX("a\\b", "replaceAll", "'\\\\', '/'"), "a/b");
    CHECK_STR(RX("2024-01-31", "replaceAll",
                 "'(\\d+)-(\\d+)-(\\d+)', '$3/$2/$1'"), "31/01/2024");
    CHECK_STR(RX("a1b2", "split", "'\\d'"), "[a, b]");
    CHECK_STR(RX("abc", "split", "''"), "[a, b, c]");
    CHECK_STR(RX("a$b", "replaceAll", "'\\$', '\\$\\$'"), "a$$b");
    CHECK_ERR("#set($s = 'abc')$s.matches('(a)\\1')", "\\1");
    CHECK_ERR("#set($s = 'abc')$s.matches('(?=a)')", "(?");
    CHECK_ERR("#set($s = 'abc')$s.matches('a*+')", "possessive");
    CHECK_ERR("#set($s = 'abc')$s.matches('a**')", "quantifier after");
    CHECK_ERR("#set($s = 'abc')$s.matches('(a')", "unbalanced (");
    CHECK_ERR("#set($s = 'abc')$s.matches('a)')", "unbalanced )");
    CHECK_ERR("#set($s = 'abc')$s.matches('[a')", "unterminated [");
    CHECK_ERR("#set($s = 'abc')$s.matches('*a')", "nothing to repeat");
    CHECK_ERR("#set($s = 'abc')$s.matches('a{1001}')", "over 1000");
    CHECK_ERR("#set($s = 'abc')$s.matches('((a{1000}){1000}){1000}')",
              "this large");
    CHECK_ERR("#set($s = 'abc')$s.replaceAll('a', '$2')", "names no group");
    CHECK_ERR("#set($s = 'abc')$s.matches('\\p{L}')", "\\p");
}

TEST(vtl_regex_bounds)
{
    /* Exponential for a backtracking engine, linear here. */
    CHECK_STR(R("#set($s = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')"
                "$s.matches('(a*)*b') $s.matches('(a|aa)+')"), "false true");
    /* Quadratic through replaceAll: stopped by the work bound. */
    CHECK_ERR("#set($s = 'aaaaaaaaaa')#foreach($i in [1..10])#set($s = \"$s$s\")#end"
              "$s.replaceAll('a.*b|a', 'x')", "regular expressions took too long");
}

TEST(vtl_string_methods_utf16)
{
    /* Java counts UTF-16 units: e-acute is 1, an emoji 2. */
    CHECK_STR(R("#set($s = 'h\xc3\xa9llo')$s.length() $s.substring(1, 2) "
                "$s.indexOf('l')"), "5 \xc3\xa9 2");
    CHECK_STR(R("#set($s = '\xf0\x9f\x98\x80x')$s.length() $s.substring(2)"),
              "3 x");
}

TEST(vtl_list_methods)
{
    CHECK_STR(R("$context.list.size() $context.list.get(0) "
                "$context.list.contains(20) $context.list.isEmpty() "
                "$context.list.indexOf(20)"), "2 10 true false 1");
    CHECK_STR(R("#set($l = [1])$l.add(2) $l #set($ok = $l.add(0, 7))$l"),
              "true [1, 2] [7, 1, 2]");
    CHECK_STR(R("#set($l = [1, 2, 3])$l.remove(0) $l $l.remove('x') "
                "$l.set(0, 9) $l"), "1 [2, 3] false 2 [9, 3]");
    CHECK_STR(R("#set($l = [1, 2, 3])$l.subList(1, 3) #set($d = $l.addAll([4]))$l"),
              "[2, 3] [1, 2, 3, 4]");
    CHECK_STR(R("#set($l = [1])#set($d = $l.clear())$l.size() $l.empty"),
              "0 true");
    CHECK_ERR("$context.list.get(5)", "get at line 1: index out of range");
    CHECK_ERR("$context.list[7]", "index out of range");
}

TEST(vtl_map_methods)
{
    CHECK_STR(R("#set($m = {})#set($o = $m.put('k', 'v'))[$o]$m.get('k') "
                "$m.containsKey('k') $m.containsValue('v') $m.size()"),
              "[]v true true 1");
    CHECK_STR(R("#set($m = {'a': 1, 'b': 2})$m.keySet() $m.values() "
                "$m.entrySet() $m.remove('a') $m"),
              "[a, b] [1, 2] [a=1, b=2] 1 {b=2}");
    CHECK_STR(R("#set($m = {'a': 1})#set($d = $m.putAll({'b': 2}))$m "
                "$m.isEmpty()"), "{a=1, b=2} false");
    CHECK_STR(R("#set($m = {})#foreach($i in [1..20])#set($d = $m.put(\"k$i\", $i))#end"
                "$m.size() $m.k17 $m.get('k20')"), "20 17 20");
    CHECK_STR(R("#set($m = {})#foreach($i in [1..20])#set($d = $m.put(\"k$i\", $i))#end"
                "#set($d = $m.remove('k5'))$m.size() [$m.k5] $m.k19"), "19 [] 19");
    CHECK_STR(R("#set($m = {1: 'one'})$m.get(1) $m.get('1')"), "one one");
}

TEST(vtl_number_and_any_methods)
{
    CHECK_STR(R("#set($d = 2.7)$d.intValue() $d.doubleValue() $d.toString()"),
              "2 2.7 2.7");
    CHECK_STR(R("#set($i = 3)$i.equals(3) $i.equals('3') $i.compareTo(5)"),
              "true false -1");
    CHECK_STR(R("#set($b = true)$b.toString() $b.booleanValue()"), "true true");
    CHECK_STR(R("$input.path('$').toString()"),
              "{name=Ada, age=36, price=2.5, tags=[\"a\",\"b\"], "
              "nested={k=[1,{\"x\":true}]}, nil=null}");
}

/* ---- $input ---- */

TEST(vtl_input_body_json_path)
{
    CHECK_STR(RB("$input.body", "{\"a\": 1}"), "{\"a\": 1}");
    CHECK_STR(RB("$input.body", ""), "{}");
    CHECK_STR(R("$input.json('$.name') $input.json('$.age') "
                "$input.json('$.tags')"), "\"Ada\" 36 [\"a\",\"b\"]");
    CHECK_STR(R("$input.json('$') "), "{\"name\":\"Ada\",\"age\":36,\"price\":2.5,"
              "\"tags\":[\"a\",\"b\"],\"nested\":{\"k\":[1,{\"x\":true}]},"
              "\"nil\":null} ");
    CHECK_STR(R("[$input.json('$.missing')]"), "[]");
    CHECK_STR(R("$input.path('$.name') $input.path('$.age') "
                "$input.path('$.price') $input.path('$.tags')"),
              "Ada 36 2.5 [\"a\",\"b\"]");
    CHECK_STR(R("$input.path('$.tags').size() $input.path('$.tags')[0] "
                "$input.path('$.nested').k[1].x"), "2 a true");
    CHECK_STR(R("#set($r = $input.path('$'))$r.name is $r.age"), "Ada is 36");
    CHECK_STR(R("$input.path('$.nested')"), "{k=[1,{\"x\":true}]}");
    CHECK_STR(R("[$input.path('$.missing')]"), "[]");
    CHECK_STR(RB("$input.json(\"$\")", "[1, 2]"), "[1,2]");
    CHECK_STR(RB("#set($r = $input.path('$'))$r.size()", ""), "0");
    CHECK_ERR("$input.json('$[?(@.a)]')", "filters");
    CHECK_STR(RB("$input.json('$.a')", "not json"),
              "ERROR: $input.json at line 1: the body is not valid JSON");
    CHECK_STR(RB("$input.body", "not json"), "not json");
}

TEST(vtl_input_params)
{
    CHECK_STR(R("$input.params('petId') $input.params('q') "
                "$input.params('content-type') [$input.params('none')]"),
              "42 dogs application/json []");
    CHECK_STR(R("$input.params()"),
              "{path={petId=42}, querystring={q=dogs, petId=from-qs}, "
              "header={Content-Type=application/json, X-Api-Key=k\"ey}}");
    CHECK_STR(R("$input.params().header.get('Content-Type') "
                "$input.params().path.keySet()"), "application/json [petId]");
    setup();
    ctx.path = ctx.querystring = ctx.header = NULL;
    ts_buf_reset(&out);
    REQUIRE(apigw_vtl_render("$input.params()|$input.params('x')|", 35, &ctx,
                             &out, err, sizeof(err)) == 0);
    CHECK_STR(out.data, "{path={}, querystring={}, header={}}||");
}

/* ---- $util ---- */

TEST(vtl_util_escape_javascript)
{
    CHECK_STR(R("$util.escapeJavaScript(\"it's \\\"q\\\"\")"),
              "it\\'s \\\\\\\"q\\\\\\\"");
    CHECK_STR(RB("$util.escapeJavaScript($input.path('$.s'))",
                 "{\"s\":\"a\\\"b'c\\\\d/e\\n\\t\\u0001\\u00e9\\ud83d\\ude00\"}"),
              "a\\\"b\\'c\\\\d\\/e\\n\\t\\u0001\\u00E9\\uD83D\\uDE00");
    CHECK_STR(R("$util.escapeJavaScript($input.path('$.age'))"), "36");
    CHECK_STR(R("[$util.escapeJavaScript($nope)]"), "[]");
    /* AWS's advice for JSON: turn \' back. */
    CHECK_STR(R("$util.escapeJavaScript(\"it's\").replaceAll(\"\\\\'\",\"'\")"),
              "it's");
}

TEST(vtl_util_others)
{
    CHECK_STR(R("$util.urlEncode('a b&c=d/e*~')"), "a+b%26c%3Dd%2Fe*%7E");
    CHECK_STR(R("$util.urlDecode('a+b%26c')"), "a b&c");
    CHECK_STR(R("$util.urlDecode($util.urlEncode('x y\xc3\xa9'))"), "x y\xc3\xa9");
    CHECK_STR(R("$util.base64Encode('hi') $util.base64Decode('aGk=') "
                "$util.base64Decode('aGk')"), "aGk= hi hi");
    CHECK_STR(R("#set($o = $util.parseJson('{\"a\":[1,2],\"b\":{\"c\":\"d\"}}'))"
                "$o.a $o.b.c $o.a.size() $o"), "[1,2] d 2 {a=[1,2], b={c=d}}");
    CHECK_STR(R("#set($e = $util.parseJson($input.json('$.nested')))$e.k[0]"),
              "1");
    CHECK_STR(R("[$util.noSuch('x')][$util.toJson('x')]"), "[][]");
    CHECK_ERR("$util.parseJson('{bad')", "$util.parseJson at line 1");
    CHECK_ERR("$util.base64Decode('***')", "not valid base64");
    CHECK_ERR("$util.urlDecode('%zz')", "malformed");
}

/* ---- overrides ---- */

TEST(vtl_response_override)
{
    /* In the manner of AWS's "Override the status code based on the
     * integration body" example. */
    const char *tmpl =
        "#set($inputRoot = $input.path('$'))\n"
        "$input.json(\"$\")\n"
        "#if($inputRoot.toString().contains(\"error\"))\n"
        "#set($context.responseOverride.status = 400)\n"
        "#set($context.responseOverride.header.X-Error-Kind = "
        "\"$inputRoot.error.kind\")\n"
        "#end\n";

    REQUIRE(render_body(tmpl, "{\"error\":{\"kind\":\"NotFound\"}}") == 0);
    CHECK_STR(out.data, "{\"error\":{\"kind\":\"NotFound\"}}\n");
    CHECK(ctx.override_status == 400);
    REQUIRE(ctx.override_headers != NULL);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(ctx.override_headers,
                                                       "X-Error-Kind")),
              "NotFound");
    CHECK(ctx.override_request == NULL);

    REQUIRE(render_body(tmpl, "{\"ok\":true}") == 0);
    CHECK(ctx.override_status == 0);
    CHECK(ctx.override_headers == NULL);
}

TEST(vtl_request_override)
{
    REQUIRE(render_body("#set($context.requestOverride.header.X-A = 'a')"
                        "#set($context.requestOverride.querystring.q = 1)"
                        "#set($context.requestOverride.path.id = "
                        "$input.params('petId'))ok", "{}") == 0);
    CHECK_STR(out.data, "ok");
    REQUIRE(ctx.override_request != NULL);
    char *s = cJSON_PrintUnformatted(ctx.override_request);
    CHECK_STR(s, "{\"header\":{\"X-A\":\"a\"},\"path\":{\"id\":\"42\"},"
                 "\"querystring\":{\"q\":\"1\"}}");
    cJSON_free(s);
    CHECK(ctx.override_status == 0);
}

TEST(vtl_override_errors)
{
    CHECK_ERR("#set($context.responseOverride.status = 400)"
              "#set($context.responseOverride.status = 500)", "already set");
    CHECK_ERR("#set($context.responseOverride.header.A = 1)"
              "#set($context.responseOverride.header.A = 2)", "overrides are final");
    CHECK_ERR("#set($context.responseOverride.status = 'abc')",
              "not an HTTP status");
    CHECK_ERR("#set($context.responseOverride.status = 42)", "not an HTTP status");
    REQUIRE(render_body("#set($context.responseOverride.status = '201')"
                        "$context.responseOverride.status", "{}") == 0);
    CHECK(ctx.override_status == 201);
    CHECK_STR(out.data, "201");
}

/* ---- AWS's documented templates ---- */

/* The template API Gateway's console generates as "Method Request
 * passthrough", verbatim. */
static const char passthrough[] =
"##  See http://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html\n"
"##  This template will pass through all parameters including path, querystring, header, stage variables, and context through to the integration endpoint via the body/payload\n"
"#set($allParams = $input.params())\n"
"{\n"
"\"body-json\" : $input.json('$'),\n"
"\"params\" : {\n"
"#foreach($type in $allParams.keySet())\n"
"    #set($params = $allParams.get($type))\n"
"\"$type\" : {\n"
"    #foreach($paramName in $params.keySet())\n"
"    \"$paramName\" : \"$util.escapeJavaScript($params.get($paramName))\"\n"
"        #if($foreach.hasNext),#end\n"
"    #end\n"
"}\n"
"    #if($foreach.hasNext),#end\n"
"#end\n"
"},\n"
"\"stage-variables\" : {\n"
"#foreach($key in $stageVariables.keySet())\n"
"\"$key\" : \"$util.escapeJavaScript($stageVariables.get($key))\"\n"
"    #if($foreach.hasNext),#end\n"
"#end\n"
"},\n"
"\"context\" : {\n"
"    \"account-id\" : \"$context.identity.accountId\",\n"
"    \"api-id\" : \"$context.apiId\",\n"
"    \"api-key\" : \"$context.identity.apiKey\",\n"
"    \"authorizer-principal-id\" : \"$context.authorizer.principalId\",\n"
"    \"caller\" : \"$context.identity.caller\",\n"
"    \"cognito-authentication-provider\" : \"$context.identity.cognitoAuthenticationProvider\",\n"
"    \"cognito-authentication-type\" : \"$context.identity.cognitoAuthenticationType\",\n"
"    \"cognito-identity-id\" : \"$context.identity.cognitoIdentityId\",\n"
"    \"cognito-identity-pool-id\" : \"$context.identity.cognitoIdentityPoolId\",\n"
"    \"http-method\" : \"$context.httpMethod\",\n"
"    \"stage\" : \"$context.stage\",\n"
"    \"source-ip\" : \"$context.identity.sourceIp\",\n"
"    \"user\" : \"$context.identity.user\",\n"
"    \"user-agent\" : \"$context.identity.userAgent\",\n"
"    \"user-arn\" : \"$context.identity.userArn\",\n"
"    \"request-id\" : \"$context.requestId\",\n"
"    \"resource-id\" : \"$context.resourceId\",\n"
"    \"resource-path\" : \"$context.resourcePath\"\n"
"    }\n"
"}\n";

static const char *jstr(const cJSON *root, const char *a, const char *b)
{
    const cJSON *x = cJSON_GetObjectItem(root, a);

    return cJSON_GetStringValue(b ? cJSON_GetObjectItem(x, b) : x);
}

TEST(vtl_aws_method_request_passthrough)
{
    cJSON *doc, *params;

    REQUIRE(render_body(passthrough, "{\"pet\":{\"name\":\"Rex\"},\"n\":[1,2]}")
            == 0);
    doc = cJSON_Parse(out.data);
    if (!doc)
        fprintf(stderr, "%s\n", out.data);
    REQUIRE(doc != NULL);
    CHECK_STR(jstr(cJSON_GetObjectItem(doc, "body-json"), "pet", "name"),
              "Rex");
    params = cJSON_GetObjectItem(doc, "params");
    CHECK_STR(jstr(params, "path", "petId"), "42");
    CHECK_STR(jstr(params, "querystring", "q"), "dogs");
    CHECK_STR(jstr(params, "header", "Content-Type"), "application/json");
    CHECK_STR(jstr(params, "header", "X-Api-Key"), "k\"ey");
    CHECK_STR(jstr(doc, "stage-variables", "env"), "dev");
    CHECK_STR(jstr(doc, "stage-variables", "table"), "Pets");
    CHECK_STR(jstr(doc, "context", "stage"), "prod");
    CHECK_STR(jstr(doc, "context", "source-ip"), "192.0.2.1");
    CHECK_STR(jstr(doc, "context", "authorizer-principal-id"), "user-7");
    CHECK_STR(jstr(doc, "context", "resource-path"), "/pets/{petId}");
    CHECK_STR(jstr(doc, "context", "api-key"), "");
    cJSON_Delete(doc);
    /* No parameters and no stage variables still make JSON. */
    setup();
    ctx.path = ctx.querystring = ctx.header = NULL;
    ctx.stage_vars = NULL;
    ts_buf_reset(&out);
    REQUIRE(apigw_vtl_render(passthrough, strlen(passthrough), &ctx, &out,
                             err, sizeof(err)) == 0);
    doc = cJSON_Parse(out.data);
    REQUIRE(doc != NULL);
    CHECK(cJSON_IsObject(cJSON_GetObjectItem(doc, "body-json")));
    cJSON_Delete(doc);
}

TEST(vtl_aws_petstore_mapping)
{
    /* From "Mapping template transformations for REST APIs". */
    const char *tmpl =
        "#set($inputRoot = $input.path('$'))\n"
        "[\n"
        "#foreach($elem in $inputRoot)\n"
        "  {\n"
        "    \"description\" : \"Item $elem.id is a $elem.type.\",\n"
        "    \"askingPrice\" : $elem.price\n"
        "  }#if($foreach.hasNext),#end\n"
        "\n"
        "#end\n"
        "]\n";
    const char *body = "[ { \"id\": 1, \"type\": \"dog\", \"price\": 249.99 },"
                       " { \"id\": 2, \"type\": \"cat\", \"price\": 124.99 },"
                       " { \"id\": 3, \"type\": \"fish\", \"price\": 0.99 } ]";
    cJSON *doc, *want;

    REQUIRE(render_body(tmpl, body) == 0);
    doc = cJSON_Parse(out.data);
    REQUIRE(doc != NULL);
    want = cJSON_Parse("[{\"description\":\"Item 1 is a dog.\",\"askingPrice\":249.99},"
                       "{\"description\":\"Item 2 is a cat.\",\"askingPrice\":124.99},"
                       "{\"description\":\"Item 3 is a fish.\",\"askingPrice\":0.99}]");
    CHECK(cJSON_Compare(doc, want, 1));
    cJSON_Delete(doc);
    cJSON_Delete(want);
}

TEST(vtl_aws_context_example)
{
    /* From "Examples using variables for mapping template
     * transformations", example 1 (a part). */
    const char *tmpl =
        "{\n"
        "    \"stage\" : \"$context.stage\",\n"
        "    \"request_id\" : \"$context.requestId\",\n"
        "    \"api_id\" : \"$context.apiId\",\n"
        "    \"resource_path\" : \"$context.resourcePath\",\n"
        "    \"http_method\" : \"$context.httpMethod\",\n"
        "    \"source_ip\" : \"$context.identity.sourceIp\",\n"
        "    \"user-agent\" : \"$context.identity.userAgent\",\n"
        "    \"account_id\" : \"$context.identity.accountId\"\n"
        "}";
    cJSON *doc;

    REQUIRE(render_body(tmpl, "") == 0);
    doc = cJSON_Parse(out.data);
    REQUIRE(doc != NULL);
    CHECK_STR(jstr(doc, "request_id", NULL), "req-1");
    CHECK_STR(jstr(doc, "user-agent", NULL), "curl/8");
    CHECK_STR(jstr(doc, "account_id", NULL), "");
    cJSON_Delete(doc);
}

/* ---- JSONPath ---- */

static const char *jp(const char *doc, const char *path)
{
    static char buf[512];
    cJSON *root = cJSON_Parse(doc), *r = apigw_jsonpath(root, path);
    char *s = r ? cJSON_PrintUnformatted(r) : NULL;

    snprintf(buf, sizeof(buf), "%s", s ? s : "(none)");
    cJSON_free(s);
    cJSON_Delete(r);
    cJSON_Delete(root);
    return buf;
}

TEST(vtl_jsonpath)
{
    const char *d = "{\"a\":{\"b\":[1,2,3],\"c\":\"x\"},\"items\":[{\"id\":1,"
                    "\"name\":\"n1\"},{\"id\":2}],\"k-1\":true}";

    CHECK_STR(jp(d, "$.a.c"), "\"x\"");
    CHECK_STR(jp(d, "$['a']['c']"), "\"x\"");
    CHECK_STR(jp(d, "$[\"a\"].b[0]"), "1");
    CHECK_STR(jp(d, "$.a.b[-1]"), "3");
    CHECK_STR(jp(d, "$.a.b[5]"), "(none)");
    CHECK_STR(jp(d, "$.nope.deeper"), "(none)");
    CHECK_STR(jp(d, "$.items[*].id"), "[1,2]");
    CHECK_STR(jp(d, "$.items[*].name"), "[\"n1\"]");
    CHECK_STR(jp(d, "$.items[*].nope"), "[]");
    CHECK_STR(jp(d, "$..id"), "[1,2]");
    CHECK_STR(jp(d, "$..b[1]"), "[2]");
    CHECK_STR(jp(d, "$.a.b[0,2]"), "[1,3]");
    CHECK_STR(jp(d, "$.a.b[1:]"), "[2,3]");
    CHECK_STR(jp(d, "$.a.b[:2]"), "[1,2]");
    CHECK_STR(jp(d, "$.a.b[-2:]"), "[2,3]");
    CHECK_STR(jp(d, "$.a.*"), "[[1,2,3],\"x\"]");
    CHECK_STR(jp(d, "$['a','k-1']"), "[{\"b\":[1,2,3],\"c\":\"x\"},true]");
    CHECK_STR(jp(d, "$.k-1"), "true");
    CHECK_STR(jp(d, " $"), d);
    CHECK_STR(jp(d, "$.a.c  "), "\"x\"");
    CHECK_STR(jp(d, "$.a .c"), "(none)");
    CHECK_STR(jp(d, "a.b"), "(none)");
    CHECK_STR(jp(d, "$.a[?(@.b)]"), "(none)");
    CHECK_STR(jp(d, "$.a.."), "(none)");
    CHECK_STR(jp(d, "$.a['c"), "(none)");
    CHECK(apigw_jsonpath(NULL, "$.a") == NULL);
}

/* ---- limits and garbage ---- */

TEST(vtl_loop_bounds)
{
    CHECK_ERR("#foreach($i in [1..100000000])x#end",
              "#foreach at line 1: more than 1000 iterations");
    CHECK_ERR("#foreach($i in [1..2000])#end", "more than 1000");
    CHECK_STR(R("#set($n = 0)#foreach($i in [1..1000])#set($n = $n + 1)#end$n"),
              "1000");
    CHECK_ERR("#foreach($a in [1..1000])#foreach($b in [1..1000])#end#end",
              "iterations in all");
    /* A list that grows while it is walked stops at the bound. */
    CHECK_ERR("#set($l = [1])#foreach($x in $l)#set($d = $l.add($x))#end",
              "more than 1000");
    CHECK_ERR("#set($r = [1..100000000])$r", "more than 1000 items");
}

TEST(vtl_size_bounds)
{
    /* Doubling a string 30 times passes the 10 MiB bound. */
    CHECK_ERR("#set($s = 'xxxxxxxxxxxxxxxx')#foreach($i in [1..30])"
              "#set($s = \"$s$s\")#end", "MiB");
    CHECK_ERR("#set($s = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')#foreach($i in [1..20])"
              "#set($s = $s + $s)#end#foreach($i in [1..20])$s#end", "MiB");
    CHECK_ERR("#set($l = [])#set($d = $l.add($l))$l", "cyclic");
    CHECK_ERR("#set($m = {})#set($d = $m.put('me', $m))$m", "cyclic");
}

TEST(vtl_nesting_bounds)
{
    ts_buf t;

    ts_buf_init(&t);
    for (int i = 0; i < 500; i++)
        ts_buf_puts(&t, "#if(true)");
    for (int i = 0; i < 500; i++)
        ts_buf_puts(&t, "#end");
    CHECK_ERR(t.data, "nested more than 64");
    ts_buf_reset(&t);
    ts_buf_puts(&t, "#set($x = ");
    for (int i = 0; i < 10000; i++)
        ts_buf_putc(&t, '(');
    CHECK_ERR(t.data, "nested more than 64");
    ts_buf_reset(&t);
    ts_buf_puts(&t, "$a");
    for (int i = 0; i < 5000; i++)
        ts_buf_puts(&t, ".b($a");
    CHECK_ERR(t.data, "nested more than 64");
    ts_buf_reset(&t);
    for (int i = 0; i < 3000; i++)
        ts_buf_puts(&t, "#set($x = \"");
    CHECK(*E(t.data));
    ts_buf_reset(&t);
    ts_buf_puts(&t, "#set($x = ");
    for (int i = 0; i < 5000; i++)
        ts_buf_puts(&t, "[");
    CHECK_ERR(t.data, "nested more than 64");
    ts_buf_reset(&t);
    ts_buf_puts(&t, "#set($x = ");
    for (int i = 0; i < 5000; i++)
        ts_buf_puts(&t, "!-");
    ts_buf_puts(&t, "1)");
    CHECK_ERR(t.data, "nested more than 64");
    /* Values nested deeper than printing allows fail too. */
    CHECK_ERR("#set($a = [])#foreach($j in [1, 2])#foreach($i in [1..1000])"
              "#set($a = [$a])#end#end$a", "nested more than 1100");
    /* A body nested 900 deep still prints. */
    ts_buf_reset(&t);
    for (int i = 0; i < 900; i++)
        ts_buf_putc(&t, '[');
    for (int i = 0; i < 900; i++)
        ts_buf_putc(&t, ']');
    CHECK(strlen(RB("$input.path('$')", t.data)) == 1800);
    ts_buf_free(&t);
}

/* Random bytes, soups of template tokens, and the sample templates cut
 * and mutated: every one must render or fail with a message, never crash
 * or hang. */
static const char *const tokens[] = {
    "#if(", "#elseif(", "#else", "#end", "#foreach($i in ", "#set($a = ",
    "#break", "#stop", "#{end}", "$a", "$!a", "${a}", "$a.b", ".size()",
    ".get(0)", "[0]", "['k']", "(", ")", "[", "]", "{", "}", "..", ",", ":",
    "'x'", "\"$a\"", "\"", "'", "1", "2.5", "-", "+", "*", "/", "%", "==",
    "!=", "<", "&&", "||", "!", "true", "null", " ", "\n", "##", "#*", "*#",
    "\\", "\\$a", "$input.path('$')", "$input.json('$.a')",
    "$input.params()", "$util.escapeJavaScript(", "$util.parseJson('[1]')",
    "$context.stage", "$foreach.hasNext", ".replaceAll('a+', 'b')",
    ".split(',')", ".matches('(a|b)*')", "[1..5]", "$a.put('k', $a)",
    "#set($a = [])", "#set($a = {})", "$a.add($a)", "#macro(",
    "#set($context.responseOverride.status = 400)",
};

static const char *const seeds[] = {
    passthrough,
    "#set($r = $input.path('$'))[#foreach($e in $r)$e.id#if($foreach.hasNext),#end#end]",
    "#if($a == 1)x#elseif($b)y#else z#end $util.escapeJavaScript($input.body)",
    "#set($m = {'a': [1..3]})$m.a.get(0) ${m.a} $!m.b \\$x ## c\n#* d *#",
    "#set($s = 'a1b2c3')$s.replaceAll('([a-z])(\\d)', '$2$1') $s.split('\\d+?') "
    "$s.matches('(?i)[A-C0-9]{2,}')",
    "#set($context.responseOverride.header.X-A = \"$input.params('petId')\")"
    "#foreach($k in $input.params().keySet())$k=$input.params().get($k);#end",
};

static void fuzz_case(ts_buf *t, uint32_t *seed, long round)
{
    uint32_t r;

    ts_buf_reset(t);
    *seed = *seed * 1103515245 + 12345;
    r = *seed >> 8;
    if (round % 3 == 0) {            /* raw bytes */
        for (uint32_t i = 0, len = r % 300; i < len; i++) {
            *seed = *seed * 1103515245 + 12345;
            ts_buf_putc(t, (char)(*seed >> 16));
        }
    } else if (round % 3 == 1) {     /* token soup */
        for (uint32_t i = 0, len = r % 40; i < len; i++) {
            *seed = *seed * 1103515245 + 12345;
            ts_buf_puts(t, tokens[(*seed >> 12) % TS_ARRAY_LEN(tokens)]);
        }
    } else {                         /* a sample, cut and mutated */
        const char *s = seeds[r % TS_ARRAY_LEN(seeds)];
        ts_buf_puts(t, s);
        for (int k = 0; k < 1 + round % 6; k++) {
            size_t at;
            *seed = *seed * 1103515245 + 12345;
            at = (*seed >> 8) % t->len;
            *seed = *seed * 1103515245 + 12345;
            switch ((*seed >> 16) % 4) {
            case 0: t->data[at] = (char)(*seed >> 24); break;
            case 1: t->len = at ? at : 1; t->data[t->len] = '\0'; break;
            case 2: memmove(t->data + at, t->data + at + 1, t->len - at);
                    t->len--; break;
            default: {
                const char *tok = tokens[(*seed >> 4) % TS_ARRAY_LEN(tokens)];
                ts_buf b2;
                ts_buf_init(&b2);
                ts_buf_append(&b2, t->data, at);
                ts_buf_puts(&b2, tok);
                ts_buf_append(&b2, t->data + at, t->len - at);
                ts_buf_reset(t);
                ts_buf_append(t, b2.data, b2.len);
                ts_buf_free(&b2);
            }
            }
            if (!t->len)
                ts_buf_putc(t, '$');
        }
    }
}

/* VTL_FUZZ_ROUNDS and VTL_FUZZ_SEED make a longer or different run. */
TEST(vtl_fuzz)
{
    const char *rounds_env = getenv("VTL_FUZZ_ROUNDS");
    const char *seed_env = getenv("VTL_FUZZ_SEED");
    long rounds = rounds_env ? atol(rounds_env) : 30000;
    uint32_t seed = seed_env ? (uint32_t)atol(seed_env) : 12345;
    ts_buf t;
    long failures = 0, renders = 0;

    ts_buf_init(&t);
    for (long round = 0; round < rounds; round++) {
        int rc;
        fuzz_case(&t, &seed, round);
        setup();
        ctx.body = "{\"a\":1,\"id\":[1,2],\"s\":\"x'y\"}";
        ctx.body_len = strlen(ctx.body);
        ts_buf_reset(&out);
        err[0] = 'X';
        rc = apigw_vtl_render(t.data ? t.data : "", t.len, &ctx, &out, err,
                              sizeof(err));
        if (rc != 0 && rc != -1) {
            CHECK(rc == 0 || rc == -1);
            break;
        }
        if (rc < 0) {
            if (!err[0] || err[0] == 'X') {
                fprintf(stderr, "  no message for: %s\n", t.data);
                CHECK(0);
                break;
            }
            failures++;
        } else {
            renders++;
        }
    }
    CHECK(rounds < 30000 || (failures > 1000 && renders > 1000));
    ts_buf_free(&t);
    setup();
}

/* API Gateway's biggest payload through the idiom AWS documents for JSON
 * ($util.escapeJavaScript(...).replaceAll("\\'","'")) stays inside the
 * bounds. */
TEST(vtl_big_body)
{
    size_t n = (10u << 20) - 64;
    char *body = ts_malloc(n + 1);
    const char *tmpl = "#set($b = $util.escapeJavaScript($input.body)"
                       ".replaceAll(\"\\\\'\",\"'\"))$b.length()";

    for (size_t i = 0; i < n; i++)
        body[i] = i % 97 == 0 ? '\'' : 'a' + (char)(i % 26);
    body[n] = '\0';
    setup();
    ctx.body = body;
    ctx.body_len = n;
    ts_buf_reset(&out);
    CHECK(apigw_vtl_render(tmpl, strlen(tmpl), &ctx, &out, err,
                           sizeof(err)) == 0);
    if (!out.data || (size_t)atol(out.data) != n)
        fprintf(stderr, "  got [%.80s] err [%s]\n", out.data ? out.data : "", err);
    CHECK(out.data && (size_t)atol(out.data) == n);
    ts_free(body);
    setup();
}
