#!/usr/bin/env python3
"""model_gen.py - writes src/model/model_<svc>.c from the botocore models.

For each service it walks every operation's input shape, recursively, and
writes compact const tables: one row per model shape reachable from an
input (shared by every operation that uses it), the members of each
structure, enum values, numeric bounds and patterns, and the operation
table (name, HTTP method, requestUri, input shape) sorted by name so that
model.c can binary-search it.  Output shapes are not generated.

Strings live in one pool per service and rows hold offsets into it, so
the tables need no relocations.  Patterns are stored twice: the model's
Java text (AWS quotes it in its messages) and a POSIX extended
translation for regcomp(); a pattern that cannot be translated faithfully
(\\p{..}, \\u...., lookaround, class subtraction, backreferences ...) gets
no translation and is not checked, with a comment in the output.

Usage: python3 src/model/model_gen.py [BOTOCORE_DATA_DIR]
(default: the data dir of the botocore that `import botocore` finds).
Python 3 standard library only; the build never runs it.
"""

import gzip
import json
import os
import sys

SERVICES = ["s3", "dynamodb", "lambda", "apigateway", "apigatewayv2",
            "iam", "sts", "logs"]

OUT_DIR = os.path.dirname(os.path.abspath(__file__))

TYPES = {
    "string": "TS_MT_STRING", "integer": "TS_MT_INTEGER", "long": "TS_MT_LONG",
    "boolean": "TS_MT_BOOLEAN", "blob": "TS_MT_BLOB",
    "timestamp": "TS_MT_TIMESTAMP", "double": "TS_MT_DOUBLE",
    "float": "TS_MT_FLOAT", "list": "TS_MT_LIST", "map": "TS_MT_MAP",
    "structure": "TS_MT_STRUCTURE", "document": "TS_MT_DOCUMENT",
    "byte": "TS_MT_INTEGER", "short": "TS_MT_INTEGER",
}

LOCATIONS = {None: "TS_MODEL_LOC_BODY", "uri": "TS_MODEL_LOC_URI",
             "querystring": "TS_MODEL_LOC_QUERY",
             "header": "TS_MODEL_LOC_HEADER",
             "headers": "TS_MODEL_LOC_HEADERS",
             "statusCode": "TS_MODEL_LOC_STATUS"}


class Untranslatable(Exception):
    pass


# ---- Java regex -> POSIX ERE ------------------------------------------

ERE_SPECIAL = set(".^$*+?()[]{}|\\")
CLASS_ESC = {"d": [("0", "9")],
             "w": [("a", "z"), ("A", "Z"), ("0", "9"), "_"],
             "s": [" ", "\t", "\n", "\v", "\f", "\r"]}
CHAR_ESC = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "e": "\x1b",
            "a": "\x07"}


def _hex_escape(p, i, d):
    """The ASCII character of a \\xHH or \\uHHHH escape whose letter d is at
    p[i-1]; returns (char, index after it).  Non-ASCII code points cannot be
    matched byte-wise, so they are untranslatable."""
    width = 2 if d == "x" else 4
    digits = p[i:i + width]
    if len(digits) != width or any(ch not in "0123456789abcdefABCDEF" for ch in digits):
        raise Untranslatable("escape \\" + d)
    code = int(digits, 16)
    if code > 127:
        raise Untranslatable("non-ASCII escape")
    return chr(code), i + width


def _class(p, i):
    """Parses a Java character class starting after '['; returns (ERE text,
    index after ']')."""
    n = len(p)
    neg = False
    if i < n and p[i] == "^":
        neg = True
        i += 1
    items = []          # single chars or (lo, hi) ranges
    first = True
    while True:
        if i >= n:
            raise Untranslatable("unterminated class")
        c = p[i]
        if c == "]" and not first:
            i += 1
            break
        first = False
        if c == "[" or p.startswith("&&", i):
            raise Untranslatable("nested class or intersection")
        if c == "\\":
            if i + 1 >= n:
                raise Untranslatable("trailing backslash")
            d = p[i + 1]
            i += 2
            if d in CLASS_ESC:
                items.extend(CLASS_ESC[d])
                continue
            if d in CHAR_ESC:
                c = CHAR_ESC[d]
            elif d in "xu":
                c, i = _hex_escape(p, i, d)
            elif d.isalnum():
                raise Untranslatable("escape \\" + d)
            else:
                c = d
        else:
            i += 1
        if ord(c) > 127:
            raise Untranslatable("non-ASCII in class")
        # a range?
        if i + 1 < n and p[i] == "-" and p[i + 1] != "]":
            hi = p[i + 1]
            j = i + 2
            if hi == "\\":
                if j >= n:
                    raise Untranslatable("trailing backslash")
                d = p[j]
                j += 1
                if d in CHAR_ESC:
                    hi = CHAR_ESC[d]
                elif d in "xu":
                    hi, j = _hex_escape(p, j, d)
                elif d.isalnum():
                    raise Untranslatable("escape \\" + d + " in range")
                else:
                    hi = d
            if ord(hi) > 127:
                raise Untranslatable("non-ASCII range")
            if ord(hi) < ord(c):
                raise Untranslatable("empty range")
            if c in "]-^[" or hi in "]-^[" or \
                    any(chr(x) in "]-^[" for x in range(ord(c) + 1, ord(hi))):
                # a range over a bracket-special character: list its members
                items.extend(chr(x) for x in range(ord(c), ord(hi) + 1))
            else:
                items.append((c, hi))
            i = j
            continue
        items.append(c)
    singles = set(x for x in items if isinstance(x, str))
    ranges = [x for x in items if not isinstance(x, str)]
    # POSIX brackets have no escapes: ']' goes first, '-' last, '^' anywhere
    # but first, and '[' where it cannot start "[:", "[." or "[=".
    out = "[^" if neg else "["
    if "]" in singles:
        out += "]"
    for lo, hi in ranges:
        out += lo + "-" + hi
    out += "".join(sorted(c for c in singles if c not in "]-^["))
    tail = ("[" if "[" in singles else "") + ("-" if "-" in singles else "")
    if "^" in singles:
        if out == "[":
            if not tail:
                return "\\^", i
            out += tail + "^"
            tail = ""
        else:
            out += "^"
    return out + tail + "]", i


def java_to_posix(p):
    """Translates a Java regex (full-match semantics, as AWS applies it) into
    an anchored POSIX extended regex, or raises Untranslatable."""
    out = []
    i, n = 0, len(p)
    while i < n:
        c = p[i]
        if c == "\\":
            if i + 1 >= n:
                raise Untranslatable("trailing backslash")
            d = p[i + 1]
            i += 2
            if d == "d":
                out.append("[0-9]")
            elif d == "D":
                out.append("[^0-9]")
            elif d == "w":
                out.append("[A-Za-z0-9_]")
            elif d == "W":
                out.append("[^A-Za-z0-9_]")
            elif d == "s":
                out.append("[ \t\n\v\f\r]")
            elif d == "S":
                out.append("[^ \t\n\v\f\r]")
            elif d in CHAR_ESC:
                out.append(CHAR_ESC[d])
            elif d in "xu":
                ch, i = _hex_escape(p, i, d)
                out.append("\\" + ch if ch in ERE_SPECIAL else ch)
            elif d.isalnum() or ord(d) > 127:
                # \p{..} \u.... \x.. \b \A \z \Q \1 ...
                raise Untranslatable("escape \\" + d)
            elif d in ERE_SPECIAL:
                out.append("\\" + d)
            else:
                out.append(d)
        elif c == "[":
            text, i = _class(p, i + 1)
            out.append(text)
        elif c == "(":
            if p.startswith("(?:", i):
                out.append("(")
                i += 3
            elif p.startswith("(?", i):
                raise Untranslatable("group construct")
            else:
                out.append("(")
                i += 1
        elif c in "*+?":
            out.append(c)
            i += 1
            if i < n and p[i] == "?":
                i += 1      # lazy: the same strings match in full
            elif i < n and p[i] == "+":
                raise Untranslatable("possessive quantifier")
        elif c == "{":
            j = p.find("}", i)
            if j < 0:
                raise Untranslatable("unterminated quantifier")
            body = p[i + 1:j]
            if not body or not all(ch.isdigit() or ch == "," for ch in body) \
                    or body.startswith(","):
                raise Untranslatable("odd quantifier")
            out.append(p[i:j + 1])
            i = j + 1
            if i < n and p[i] == "?":
                i += 1
            elif i < n and p[i] == "+":
                raise Untranslatable("possessive quantifier")
        elif c == ".":
            # Java's '.' stops at line terminators.
            out.append("[^\n\r]")
            i += 1
        elif c in "^$|)":
            out.append(c)
            i += 1
        elif ord(c) > 127:
            out.append("(" + c + ")")   # a quantifier must apply to all bytes
            i += 1
        elif c in ERE_SPECIAL:
            out.append("\\" + c)
            i += 1
        else:
            out.append(c)
            i += 1
    return "^(" + "".join(out) + ")$"


# ---- C output ----------------------------------------------------------

def c_string(s):
    """A C string literal for s (UTF-8), with every byte outside printable
    ASCII as a three-digit octal escape."""
    out = ['"']
    for b in s.encode("utf-8"):
        ch = chr(b)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "?":
            out.append("\\?")       # no trigraphs
        elif 32 <= b < 127:
            out.append(ch)
        else:
            out.append("\\%03o" % b)
    out.append('"')
    return "".join(out)


def c_comment(s):
    return s.replace("*/", "*\\/").encode("ascii", "backslashreplace").decode()


class Pool:
    """One service's string pool: offset 0 is the empty string (none)."""

    def __init__(self):
        self.offsets = {"": 0}
        self.items = [""]
        self.size = 1

    def add(self, s):
        if s is None:
            return 0
        if s not in self.offsets:
            self.offsets[s] = self.size
            self.items.append(s)
            self.size += len(s.encode("utf-8")) + 1
        return self.offsets[s]


def lower_first(s):
    return s[:1].lower() + s[1:]


def latest_model(data_dir, svc):
    base = os.path.join(data_dir, svc)
    versions = sorted(v for v in os.listdir(base)
                      if os.path.exists(os.path.join(base, v, "service-2.json.gz")))
    if not versions:
        raise SystemExit("no service-2.json.gz under %s" % base)
    path = os.path.join(base, versions[-1], "service-2.json.gz")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return json.load(f), versions[-1]


def generate(data_dir, svc, botocore_version):
    model, version = latest_model(data_dir, svc)
    meta = model["metadata"]
    shapes = model["shapes"]
    ops = sorted(model["operations"].values(), key=lambda o: o["name"])

    # Shapes reachable from inputs, numbered in breadth-first order.
    index, order = {}, []

    def want(name):
        if name not in index:
            index[name] = len(order)
            order.append(name)
        return index[name]

    for op in ops:
        if "input" in op:
            want(op["input"]["shape"])
    k = 0
    while k < len(order):
        s = shapes[order[k]]
        for m in s.get("members", {}).values():
            want(m["shape"])
        for key in ("member", "key", "value"):
            if key in s:
                want(s[key]["shape"])
        k += 1
    if len(order) > 0xffff:
        raise SystemExit("%s: too many shapes" % svc)

    # Shapes whose values need the constraint walk: those with constraints
    # of their own, structures with required members, and containers of
    # such shapes (a fixed point, since shapes recurse).
    def own_checks(s):
        return any(k in s for k in ("min", "max", "pattern", "enum")) or \
            bool(s.get("required"))
    checked = set(n for n in order if own_checks(shapes[n]))
    grew = True
    while grew:
        grew = False
        for n in order:
            if n in checked:
                continue
            s = shapes[n]
            kids = [m["shape"] for m in s.get("members", {}).values()] + \
                [s[k]["shape"] for k in ("member", "key", "value") if k in s]
            if any(k in checked for k in kids):
                checked.add(n)
                grew = True

    pool = Pool()
    members, enums, bounds, bounds_ix = [], [], [], {}
    regex_slots, regex_ix, skipped = [], {}, []
    rows = []
    for name in order:
        s = shapes[name]
        t = s["type"]
        ctype = TYPES.get(t)
        if ctype is None:
            raise SystemExit("%s: shape %s has unknown type %s" % (svc, name, t))
        if t == "structure" and s.get("union"):
            ctype = "TS_MT_UNION"
        flags = []
        first = count = value = 0
        if t == "structure":
            first = len(members)
            req = set(s.get("required", []))
            payload = s.get("payload")
            for mname, m in s.get("members", {}).items():
                mflags = []
                if mname in req:
                    mflags.append("TS_MODEL_REQUIRED")
                if mname == payload:
                    mflags.append("TS_MODEL_PAYLOAD")
                members.append((pool.add(mname), pool.add(m.get("locationName")),
                                index[m["shape"]], LOCATIONS[m.get("location")],
                                "|".join(mflags) or "0", mname, m.get("locationName")))
            count = len(members) - first
        elif t == "list":
            first = index[s["member"]["shape"]]
        elif t == "map":
            first = index[s["key"]["shape"]]
            value = index[s["value"]["shape"]]
        if "enum" in s:
            first = len(enums)
            for e in s["enum"]:
                enums.append(pool.add(e))
            count = len(s["enum"])
        b = 0
        if "min" in s or "max" in s:
            if "min" in s:
                flags.append("TS_MODEL_HAS_MIN")
            if "max" in s:
                flags.append("TS_MODEL_HAS_MAX")
            pair = (float(s.get("min", 0)), float(s.get("max", 0)))
            if pair not in bounds_ix:
                bounds_ix[pair] = len(bounds)
                bounds.append(pair)
            b = bounds_ix[pair]
        if s.get("sensitive"):
            flags.append("TS_MODEL_SENSITIVE")
        if name in checked:
            flags.append("TS_MODEL_CHECKED")
        pat = s.get("pattern")
        re_slot = 0
        if pat is not None:
            try:
                posix = java_to_posix(pat)
            except Untranslatable as e:
                posix = None
                skipped.append((name, pat, str(e)))
            if posix is not None:
                if posix not in regex_ix:
                    regex_ix[posix] = len(regex_slots)
                    regex_slots.append(posix)
                re_slot = regex_ix[posix] + 1
        rows.append((pool.add(name), pool.add(pat), first, count, value, b,
                     ctype, "|".join(flags) or "0", re_slot, name))
    regex_offsets = [pool.add(r) for r in regex_slots]
    op_strings = [(pool.add(op["name"]), pool.add(op.get("http", {}).get("method", "POST")),
                   pool.add(op.get("http", {}).get("requestUri", "/"))) for op in ops]

    ns = "com.amazonaws.%s.v%s" % (meta.get("endpointPrefix", svc),
                                   meta["apiVersion"].replace("-", ""))
    out = []
    w = out.append
    w("/*")
    w(" * model_%s.c - the input shapes of %s %s, generated by" % (svc, svc, version))
    w(" * src/model/model_gen.py from botocore %s (service-2.json.gz)." % botocore_version)
    w(" * Do not edit: rerun `make models`.  %d operations, %d shapes, %d members."
      % (len(ops), len(rows), len(members)))
    if skipped:
        w(" *")
        w(" * Patterns not checked (POSIX regcomp cannot express them):")
        for name, pat, why in skipped:
            w(" *   %s: %s (%s)" % (name, c_comment(pat), why))
    w(" */")
    w('#include "model_int.h"')
    w("")
    w("static const char strs[] =")
    line = "   "
    for s in pool.items:
        lit = c_string(s)[:-1] + '\\0"'
        if len(line) + len(lit) + 1 > 78:
            w(line)
            line = "   "
        line += " " + lit
    w(line + ";")
    w("")
    w("static const ts_model_shape shapes[] = {")
    for i, r in enumerate(rows):
        w("    {%d, %d, %d, %d, %d, %d, %s, %s, %d}, /* %d %s */"
          % (r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], i, r[9]))
    w("};")
    w("")
    # The members table, the longest, has a file of its own, so that no
    # generated file outgrows STYLE.md's 1,500 lines.
    mem = []
    if members:
        w("extern const ts_model_member ts_model_%s_members[];" % svc)
        w("#define members ts_model_%s_members" % svc)
        mem.append("/*")
        mem.append(" * model_%s_members.c - the structure members of %s's input shapes," % (svc, svc))
        mem.append(" * generated with model_%s.c by src/model/model_gen.py.  Do not edit." % svc)
        mem.append(" */")
        mem.append('#include "model_int.h"')
        mem.append("")
        mem.append("extern const ts_model_member ts_model_%s_members[];" % svc)
        mem.append("const ts_model_member ts_model_%s_members[] = {" % svc)
        for i, m in enumerate(members):
            mem.append("    {%d, %d, %d, %s, %s}, /* %d %s */"
                       % (m[0], m[1], m[2], m[3], m[4], i, m[5]))
        mem.append("};")
    else:
        w("static const ts_model_member members[1];")
    w("")
    if enums:
        w("static const uint32_t enums[] = {")
        for j in range(0, len(enums), 12):
            w("    " + ", ".join(str(e) for e in enums[j:j + 12]) + ",")
        w("};")
    else:
        w("static const uint32_t enums[1];")
    w("")
    if bounds:
        w("static const double bounds[][2] = {")
        for lo, hi in bounds:
            w("    {%r, %r}," % (lo, hi))
        w("};")
    else:
        w("static const double bounds[1][2];")
    w("")
    if regex_offsets:
        w("static const uint32_t regex_src[] = {")
        for j in range(0, len(regex_offsets), 12):
            w("    " + ", ".join(str(e) for e in regex_offsets[j:j + 12]) + ",")
        w("};")
        w("static ts_model_regex regex[%d];" % len(regex_offsets))
    else:
        w("static const uint32_t regex_src[1];")
        w("static ts_model_regex regex[1];")
    w("static uint8_t overrides[%d]; /* filled by model.c */" % len(rows))
    w("")
    w("static const ts_model_op ops[] = {")
    for op, (name_off, method_off, uri_off) in zip(ops, op_strings):
        inp = index[op["input"]["shape"]] if "input" in op else -1
        w("    {&ts_model_svc_%s, %d, %d, %d, %d}, /* %s */"
          % (svc, name_off, method_off, uri_off, inp, op["name"]))
    w("};")
    w("")
    w("const ts_model_service ts_model_svc_%s = {" % svc)
    w("    %s, %s, %s," % (c_string(svc), c_string(meta["protocol"]), c_string(ns)))
    w("    strs, shapes, members, enums, bounds, regex_src, regex, overrides,")
    w("    %d, %d, %d," % (len(rows), len(regex_offsets), len(ops)))
    w("    ops,")
    w("};")
    path = os.path.join(OUT_DIR, "model_%s.c" % svc)
    with open(path, "w", encoding="ascii") as f:
        f.write("\n".join(out) + "\n")
    path = os.path.join(OUT_DIR, "model_%s_members.c" % svc)
    if mem:
        with open(path, "w", encoding="ascii") as f:
            f.write("\n".join(mem) + "\n")
    elif os.path.exists(path):
        os.unlink(path)
    print("%-13s %-10s %4d ops %5d shapes %5d members %3d patterns (%d skipped)"
          % (svc, version, len(ops), len(rows), len(members), len(regex_offsets),
             len(skipped)))


def main():
    if len(sys.argv) > 2:
        raise SystemExit(__doc__)
    if len(sys.argv) == 2:
        data_dir = sys.argv[1]
        botocore_version = "(unknown version)"
        init = os.path.join(os.path.dirname(os.path.abspath(data_dir)), "__init__.py")
        if os.path.exists(init):
            with open(init, encoding="utf-8") as f:
                for line in f:
                    if line.startswith("__version__"):
                        botocore_version = line.split("=", 1)[1].strip().strip("'\"")
    else:
        import botocore
        data_dir = os.path.join(os.path.dirname(botocore.__file__), "data")
        botocore_version = botocore.__version__
    for svc in SERVICES:
        generate(data_dir, svc, botocore_version)


if __name__ == "__main__":
    main()
