"""Fast seeded program generators for the differential campaigns (fuzz/differential.py).

Plain ``random.Random`` instead of hypothesis: a program costs tens of microseconds, so a
campaign reaches millions. ``ruby_program(r)`` covers the constructs of the hypothesis grammar
of tests/ruby_strategies.py (heredocs of every kind, strings, regexps and %-literals with
interpolation, symbols, labels, modifiers, blocks, def names, numbers, characters, variables,
=begin/=end, __END__); ``python_program(r)`` those of tests/python/test_py_fuzz.py and more
(nested brackets, f-strings with nested quotes and format specs, every string prefix,
continuation lines, tabs and spaces, decorators, numbers with underscores, \\f, CRLF and lone
CR, non-ASCII names). ``mutate_bytes`` / ``mutate_text`` cut, splice, duplicate, delete and
insert, for corpus files and generated programs alike. The same seed gives the same program.
"""

# --------------------------------------------------------------------------------------- Ruby

R_LOWER = ["a", "b", "foo", "bar", "baz", "value", "items", "x1", "_tmp", "name", "data", "é", "_"]
R_UPPER = ["Foo", "Bar", "HTTP", "A", "Config", "MAX_SIZE", "É"]
R_KEYWORDS = ["class", "end", "if", "then", "begin", "self", "not", "in", "do", "nil", "def", "while",
              "unless", "rescue", "yield", "super", "and", "or", "return", "true", "__FILE__"]
R_OPERATOR_METHODS = ["+", "-", "*", "/", "%", "**", "==", "!=", "<", "<=", ">", ">=", "<=>", "<<", ">>",
                      "[]", "[]=", "=~", "!~", "!", "+@", "-@", "~", "&", "|", "^", "===", "`"]
R_BINARY = ["+", "-", "*", "/", "%", "**", "==", "!=", "<", "<=", ">", ">=", "<=>", "&&", "||", "and", "or",
            "&", "|", "^", "<<", ">>", "=~", "!~", "===", "..", "..."]
R_CHARS = ["?a", "?Z", "?\\n", "?\\t", "?\\\\", "?\\C-a", "?\\M-a", "?\\u0041", "??", "?!", "?é", "?\\s",
           "?\\M-\\C-x", "?\\u{41}", "?'", '?"']
R_GVARS = ["$stdout", "$0", "$1", "$9", "$12", "$&", "$~", "$!", "$-w", "$LOAD_PATH", "$_", "$?", "$`", "$'",
           "$+", "$:", "$;", "$,", "$/", "$\\", "$<", "$>", "$.", "$*", "$$", "$@", "$-0", "$DEBUG"]
R_TEXT = list("abc xyz-_.,;:!=+*/<>()[]{}|&^%$@~`'\"?") + ["é", "日本", "\t", "😀"]
R_ESCAPES = ["\\n", "\\t", "\\\\", "\\\"", "\\e", "\\s", "\\0", "\\x41", "\\101", "\\u00e9", "\\u{1F600}",
             "\\#", "\\a", "\\u{41 42}", "\\C-a", "\\M-a", "\\c?", "\\'", "\\/", "\\\n"]
R_PAIRS = {"(": ")", "[": "]", "{": "}", "<": ">"}
R_SAME = ["|", "!", "/", "^", "-", "~", "#", ".", "+", "*", ":", "'", '"', "`", "@", "$", "&", "=", ",", ";", "?"]


def _digits(r):
    return "".join(r.choice("0123456789") for _ in range(r.randint(1, 4))).lstrip("0") or "0"


def ruby_number(r):
    k = r.randrange(14)
    if k < 3:
        n = _digits(r)
    elif k == 3:
        n = f"{r.randint(1, 999)}_{r.randint(0, 999):03d}"
    elif k == 4:
        n = "0x" + "".join(r.choice("0123456789abcdefABCDEF") for _ in range(r.randint(1, 4)))
    elif k == 5:
        n = "0b" + "".join(r.choice("01") for _ in range(r.randint(1, 6))) + r.choice(["", "_1"])
    elif k == 6:
        n = r.choice(["0o", "0O", "0", "0_"]) + "".join(r.choice("01234567") for _ in range(r.randint(1, 4)))
    elif k == 7:
        n = r.choice(["0d", "0D"]) + _digits(r)
    elif k == 8:
        n = f"{_digits(r)}.{_digits(r)}"
    elif k == 9:
        n = f"{_digits(r)}{r.choice('eE')}{r.choice(['', '+', '-'])}{_digits(r)}"
    elif k == 10:
        n = f"{_digits(r)}.{_digits(r)}e{_digits(r)}"
    elif k == 11:
        n = _digits(r) + r.choice(["r", "i", "ri"])
    elif k == 12:
        n = f"{_digits(r)}.{_digits(r)}" + r.choice(["r", "i", "ri"])
    else:
        n = "0"
    return n


class RubyGen:
    """One program's generator: expression depth and a leaf budget keep programs small."""

    def __init__(self, r):
        self.r = r
        self.leaves = 0

    def plain(self, delims, forbid=""):
        r = self.r
        out = []
        for _ in range(r.randint(0, 5)):
            c = r.choice(R_TEXT)
            if c not in delims and c not in forbid and c not in "#\\":
                out.append(c)
        return "".join(out)

    def interp(self, delims, depth, forbid="", escapes=True):
        """Text of an interpolating literal: never an unescaped delimiter."""
        r = self.r
        parts = []
        for _ in range(r.randint(0, 4)):
            k = r.randrange(10)
            if k < 5:
                parts.append(self.plain(delims, forbid))
            elif k < 7 and escapes:
                e = r.choice(R_ESCAPES)
                if e == "\\\n" and forbid == "\n":
                    e = "\\n"
                parts.append(e)
            elif k < 9:
                parts.append("#{" + self.expr(depth + 1) + "}")
            else:
                parts.append("#" + r.choice(["@" + r.choice(R_LOWER[:6]), "@@x", "$stdout", "$1"]))
        return "".join(parts)

    def raw(self, delims):
        r = self.r
        parts = []
        for _ in range(r.randint(0, 4)):
            if r.random() < 0.6:
                parts.append(self.plain(delims, "\\"))
            else:
                parts.append(r.choice(["\\\\"] + ["\\" + d for d in delims if d]))
        return "".join(parts)

    def symbol(self, depth):
        r = self.r
        k = r.randrange(9)
        if k < 3:
            return ":" + r.choice(R_LOWER + R_UPPER + [n + s for n in ("a", "ok") for s in "?!"] + R_KEYWORDS)
        if k == 3:
            return ":" + r.choice(["@a", "@@a", "$a", "$1", "$stdout"])
        if k == 4:
            return ":" + r.choice(R_LOWER) + "="
        if k == 5:
            return ":" + r.choice(R_OPERATOR_METHODS)
        if k == 6:
            return ':"' + self.interp('"', depth) + '"'
        if k == 7:
            return ":'" + self.raw("'") + "'"
        open_ = r.choice(["(", "[", "|"])
        close = R_PAIRS.get(open_, open_)
        return "%s" + open_ + self.raw(open_ + close) + close

    def percent(self, depth):
        r = self.r
        letter = r.choice(["q", "Q", "", "w", "W", "i", "I", "s", "r", "x"])
        open_ = r.choice(list(R_PAIRS) + ["|", "!", "/", "^", "-", "~", "'", '"', "."])
        close = R_PAIRS.get(open_, open_)
        delims = open_ + close
        if letter in ("w", "W", "i", "I"):
            words = [r.choice(["a", "b2", "foo", "x-y", "é", "q.r", "a\\ b"]) for _ in range(r.randint(0, 4))]
            if letter in ("W", "I") and words and r.random() < 0.5:
                words[0] += "#{" + self.expr(depth + 1) + "}"
            body = r.choice([" ", "  ", "\n", " \t"]).join(words)
            if r.random() < 0.2:
                body = " " + body + "\n"
        elif letter in ("q", "s"):
            body = self.raw(delims)
        else:
            body = self.interp(delims, depth, forbid=" \n" if letter == "" else "")
        if open_ in R_PAIRS and r.random() < 0.15 and letter not in ("w", "W", "i", "I"):
            body += open_ + self.plain(delims) + close          # balanced nested pair
        return f"%{letter}{open_}{body}{close}" + (r.choice(["", "i", "mx", "o"]) if letter == "r" else "")

    def atom(self):
        r = self.r
        k = r.randrange(12)
        if k < 3:
            return r.choice(R_LOWER)
        if k == 3:
            return r.choice(R_UPPER)
        if k < 6:
            return ruby_number(r)
        if k == 6:
            return r.choice(R_CHARS)
        if k == 7:
            return r.choice(R_GVARS)
        if k == 8:
            return "@" + r.choice(R_LOWER[:8])
        if k == 9:
            return "@@" + r.choice(R_LOWER[:8])
        return r.choice(["nil", "true", "false", "self", "__FILE__", "__LINE__", "__ENCODING__", "__method__",
                         "[]", "{}", "''", '""', "super", "yield"])

    def args(self, depth):
        r = self.r
        out = []
        for _ in range(r.randint(0, 3)):
            k = r.randrange(8)
            if k < 4:
                out.append(self.expr(depth + 1))
            elif k == 4:
                out.append(r.choice(R_LOWER + R_KEYWORDS[:6]) + ": " + self.expr(depth + 1))
            elif k == 5:
                out.append(r.choice(["*", "**", "&"]) + r.choice(R_LOWER))
            elif k == 6:
                out.append(r.choice(["&:to_s", "&", "*", "**", "...", "k:"]) if r.random() < 0.3 else
                           '"' + r.choice(R_LOWER) + '": ' + self.expr(depth + 1))
            else:
                out.append(self.expr(depth + 1) + " => " + self.expr(depth + 1))
        return ", ".join(out)

    def block(self, depth):
        r = self.r
        params = r.choice(["", "|x|", "|a, b|", "|(a, b), *c|", "|k:, **o|", "|a = 1|", "|;x|", "|*|", "|&blk|"])
        body = self.expr(depth + 1) if r.random() < 0.8 else ""
        if r.random() < 0.5:
            return "{ " + params + " " + body + " }"
        return " do " + params + " " + body + r.choice([" end", "\nend", "; end"])

    def expr(self, depth=0):
        r = self.r
        self.leaves += 1
        if depth > 3 or self.leaves > 14 or r.random() < 0.3:
            return self.atom()
        k = r.randrange(27)
        if k == 0:
            return '"' + self.interp('"', depth) + '"'
        if k == 1:
            return "'" + self.raw("'") + "'"
        if k == 2:
            return "`" + self.interp("`", depth) + "`"
        if k == 3:
            return self.percent(depth)
        if k == 4:
            return "/" + self.interp("/", depth, forbid=" =*") + "/" + r.choice(["", "i", "m", "x", "ix", "o", "n"])
        if k == 5:
            return self.symbol(depth)
        if k == 6:
            pairs = []
            for _ in range(r.randint(0, 3)):
                j = r.randrange(5)
                if j < 2:
                    pairs.append(r.choice(R_LOWER + R_UPPER + R_KEYWORDS + ["ok?", "no!"]) + ": " + self.expr(depth + 1))
                elif j == 2:
                    pairs.append('"' + self.interp('"', depth) + '": ' + self.expr(depth + 1))
                elif j == 3:
                    pairs.append(r.choice(R_LOWER) + ":")         # shorthand
                else:
                    pairs.append(self.expr(depth + 1) + " => " + self.expr(depth + 1))
            return "{" + ", ".join(pairs) + "}"
        if k == 7:
            return "[" + ", ".join(self.expr(depth + 1) for _ in range(r.randint(0, 3))) + "]"
        if k == 8:
            recv = r.choice(R_LOWER + R_UPPER + ["@a", "self", "(x)", "[1]", '"s"', "1"])
            return (recv + r.choice([".", "&.", "::", ".\n  ", "\n  .", " ."]) + r.choice(
                R_LOWER + ["ok?", "run!", "x="] + R_KEYWORDS + R_UPPER + ["call", "()"]) + "(" + self.args(depth) + ")")
        if k == 9:
            return r.choice(R_LOWER + ["ok?", "run!"]) + "(" + self.args(depth) + ")"
        if k == 10:
            return r.choice(R_LOWER) + r.choice(["(" + self.args(depth) + ")", "", " " + self.atom()]) + self.block(depth)
        if k == 11:
            return r.choice(R_LOWER + R_UPPER) + r.choice([".", "::"]) + r.choice(R_LOWER + R_UPPER + ["ok?"])
        if k == 12:
            return r.choice(["", "::"]) + r.choice(R_UPPER) + "::" + r.choice(R_UPPER)
        if k in (13, 14):
            return self.expr(depth + 1) + r.choice([" ", "", "  "]) + r.choice(R_BINARY) + " " + self.expr(depth + 1)
        if k == 15:
            return r.choice(["-", "+", "!", "~", "not ", "-", "!", "& ", "* ", "defined? "]) + r.choice(
                [r.choice(R_LOWER), ruby_number(r), "(" + self.expr(depth + 1) + ")", "@a"])
        if k == 16:
            return self.expr(depth + 1) + " ? " + self.expr(depth + 1) + " : " + self.expr(depth + 1)
        if k == 17:
            return r.choice(["->(" + r.choice(R_LOWER) + ") { " + self.expr(depth + 1) + " }",
                             "-> { " + self.expr(depth + 1) + " }", "->x { x }",
                             "-> do " + self.expr(depth + 1) + " end",
                             "lambda { |" + r.choice(R_LOWER) + "| " + self.expr(depth + 1) + " }",
                             "proc do |x| x end"])
        if k == 18:
            m = r.choice(["puts", "p", "foo", "raise", "return", "yield", "super", "attr_reader", "require", "x"])
            arg = r.choice(["/" + self.plain("/", " =*") + "/", "-" + _digits(r), "*" + r.choice(R_LOWER),
                            self.symbol(depth), r.choice(R_CHARS), "[" + r.choice(R_LOWER) + "]",
                            "::" + r.choice(R_UPPER), "%w[a b]", "% x ", "<<~X", "?a", "-x", "+1", "&b", "**h",
                            "(1)", "(1), 2", "!x", "::A", "[1]", "{}", ":a", "'s'", "->{}", "..1", "...x"])
            if arg == "<<~X":
                return m + " " + self.symbol(depth)
            return m + " " + arg
        if k == 19:
            return "(" + self.expr(depth + 1) + ")"
        if k == 20:
            return "defined?(" + self.expr(depth + 1) + ")"
        if k == 21:
            return self.expr(depth + 1) + "[" + self.args(depth) + "]"
        if k == 22:
            return r.choice(R_LOWER) + "." + r.choice(["(1)", "()"]) + r.choice(["", ".x"])
        if k == 23:
            return r.choice(["a", "b"]) + r.choice(["/2/", " /2/", " / 2/ ", "/ 2", " /x/", " %w", "? 1 : 2", "?1:2",
                                                  " ?a", " :b", "::C", " [1]", "[1]", " -1", "-1", " *a", " &b",
                                                  " <<A", " << A", " % 2", " %(x)", " ::A"])
        if k == 24:
            return self.expr(depth + 1) + " " + r.choice(["if", "unless", "while", "until", "rescue", "and", "or"]) + \
                " " + self.expr(depth + 1)
        if k == 25:
            return "..." + self.atom() if r.random() < 0.3 else self.atom() + r.choice(["..", "..."])
        return r.choice(["__method__", "yield(1)", "super()", "self[1]", "self.class", "not(x)", "a&.b",
                         "a ||= b", "a&.b ||= 1", "A::B ||= 2", "x.y += 1", "a[1] += 2", "BEGIN { }", "END { }",
                         "a, b = 1, 2", "*a, b = c", "a.b, c = d", "@a, $b = 1", "$stdout.puts 1",
                         "retry", "redo", "next", "break 1", "alias $a $b", "undef a, :b", "a.!", "!!a",
                         "p(-1)", "p(*a)", "p(**a)", "p(&a)", "a <=> b", "1.0/3", "a =~ /x/", "$~[0]"])


def _heredoc(g, depth=0):
    """A line starting 1 to 3 heredocs, then their bodies."""
    r = g.r
    starts, bodies = [], []
    for k in range(r.randint(1, 3)):
        ident = r.choice(["EOS", "SQL", "TEXT", "END_OF_DOC", "A", "X", "É"]) + str(k)
        dash = r.choice(["", "-", "~", "~", "-"])
        quote = r.choice(["", "", "'", '"', "`"])
        starts.append(f"<<{dash}{quote}{ident}{quote}")
        lines = []
        for _ in range(r.randint(0, 4)):
            if quote == "'":
                text = g.plain("") + r.choice(["", "\\n", "#{raw}", "\\", " \\\\"])
            else:
                text = g.interp("", depth, forbid="\n")
            ind = r.choice(["", "  ", "    ", "\t", " \t"])
            if r.random() < 0.1:
                ind += ident                        # the identifier inside a line is not its end
            lines.append(ind + text)
        indent = r.choice(["", "  ", "\t"]) if dash else ""
        bodies.append("\n".join(lines + [indent + ident]))
    head = r.choice(["x = {0}", "foo({0})", "puts {0}", "call({0}.strip)", "x = [{0}]", "f {0}",
                     "x = {0} + 'a'", "x = {{a: {0}}}", "x = {0}.lines.map {{ |l| l }}", "raise A, {0}"])
    if "foo" in head or "[" in head:
        first = head.format(", ".join(starts))
    else:
        first = head.format(starts[0]) + "".join(f"; y = {s}" for s in starts[1:])
    tail = r.choice(["", "", " # c", " if x", " do |z|\nend"]) if "{" not in head else ""
    return first + tail + "\n" + "\n".join(bodies)


def _statement(g, depth=0):
    r = g.r
    g.leaves = 0
    k = r.randrange(30 if depth < 2 else 12)
    if k < 3:
        return r.choice(R_LOWER + ["@a", "@@b", "$c"] + R_UPPER) + " = " + g.expr()
    if k == 3:
        n = r.choice(R_LOWER)
        return n + " " + r.choice(["+=", "-=", "||=", "&&=", "<<=", "**=", "*=", "/=", "|=", ">>="]) + " " + g.expr()
    if k < 7:
        return g.expr()
    if k == 7:
        return g.expr() + " " + r.choice(["if", "unless", "while", "until", "rescue"]) + " " + g.expr()
    if k == 8:
        return "# " + g.plain("") + r.choice(["", " #{x}", " \\", " =begin"])
    if k == 9:
        n = r.choice(R_LOWER)
        return f"{n} = 1\n{n} /2 / " + r.choice(["3", "x", "(4)"]) + r.choice(["", f"\n{n} [1]", f"\n{n} -1", f"\n{n} ?a : b", f"\n{n} :a"])
    if k == 10:
        return "alias " + r.choice(["a b", "a? b!", ":a :b", "foo= bar=", "+ -", "[] []=", "$a $b", "if unless"])
    if k == 11:
        return _heredoc(g, depth)
    body = "\n".join(_statement(g, depth + 1) for _ in range(r.randint(0, 3)))
    g.leaves = 0
    if k == 12:
        name = r.choice(R_LOWER + ["ok?", "run!", "x="] + R_KEYWORDS + R_OPERATOR_METHODS + R_UPPER)
        params = ", ".join(dict.fromkeys(r.choice(["a", "b:", "c = 1", "*d", "&e", "f: 2", "**g", "(h, i)", "..."])
                                         for _ in range(r.randint(0, 3))))
        style = r.randrange(4)
        if style == 0:
            return f"def {name}({params})\n{body}\nend"
        if style == 1:
            return f"def {name} {params}\n{body}\nend" if params and name[0].isalpha() else f"def {name}\n{body}\nend"
        if style == 2:
            return f"def {r.choice(['self', 'obj', 'Foo', '@a'])}.{name}({params})\n{body}\nend"
        return f"def {name}({params}) = " + g.expr()
    if k == 13:
        n = r.choice(R_LOWER)
        return f"def {n}=(v)\n  @{n} = v\nend\ndef {n}() = " + g.expr()
    if k == 14:
        return f"class {r.choice(R_UPPER)}" + r.choice(["", " < " + r.choice(R_UPPER), " < A::B", "::C"]) + \
            f"\n{body}\nend"
    if k == 15:
        return f"class << {r.choice(['self', 'obj'])}\n{body}\nend"
    if k == 16:
        return f"module {r.choice(R_UPPER)}\n{body}\nend"
    if k == 17:
        return f"if {g.expr()}" + r.choice(["", " then", "\n"]) + f"\n{body}\nelsif {g.expr()}\n{body}\nelse\n" + \
            f"{g.expr()}\nend"
    if k == 18:
        return f"{r.choice(['while', 'until'])} {g.expr()}" + r.choice([" do", "", ";"]) + f"\n{body}\nend"
    if k == 19:
        return f"case {g.expr()}\nwhen {g.expr()} then {g.expr()}\nwhen {g.expr()}, {g.expr()}\n{body}\nelse nil\nend"
    if k == 20:
        return (f"case {g.expr()}\nin [a, *rest] then {g.expr()}\nin {{k:}} then k\nin Integer | Float => n then n\n"
                f"in {{name: String => s, **nil}} if s\nin ^x then 1\nin [*, 1, *post]\nend")
    if k == 21:
        return f"begin\n{body}\nrescue {r.choice(['', 'A', 'A, B', 'A => e', '=> e'])}\n{body}\n" + \
            r.choice(["else\nx\n", ""]) + "ensure\nnil\nend" + r.choice(["", " while x", " until y"])
    if k == 22:
        return f"{r.choice(R_LOWER)}.each do |{r.choice(R_LOWER)}|\n{body}\nend"
    if k == 23:
        return f"=begin{r.choice(['', ' x'])}\n{g.plain('')}\n=end"
    if k == 24:
        return f"for {r.choice(['a', 'a, b'])} in {g.expr()} do\n{body}\nend"
    if k == 25:
        return f"{g.expr()} {{\n{body}\n}}"
    if k == 26:
        return f"x = {g.expr()} \\\n  {r.choice(['+', '&&', '.y', '+ 1', ''])} {g.expr()}"
    if k == 27:
        return f"{r.choice(R_LOWER)} = [\n  {g.expr()},\n  {g.expr()},\n]"
    if k == 28:
        return f"{r.choice(['private', 'protected', 'module_function', 'public'])} def {r.choice(R_LOWER)}\n{body}\nend"
    kw = r.choice(["if", "unless", "case x when"])
    return f"{r.choice(R_LOWER)} = {kw} {g.expr()} then {g.expr()} end"


def ruby_program(r):
    """A Ruby program (str): statements, maybe a magic comment, maybe __END__ and data."""
    g = RubyGen(r)
    parts = []
    if r.random() < 0.3:
        parts.append(r.choice(["# frozen_string_literal: true", "# -*- coding: utf-8 -*-", "# encoding: utf-8",
                               "#!/usr/bin/env ruby", "# typed: true"]))
    for _ in range(r.randint(1, 6)):
        parts.append(_statement(g))
    sep = r.choice(["\n", "\n", "\n", "\n\n", ";\n", "\r\n"])
    text = sep.join(parts) + r.choice(["\n", "\n", "", "\n\n", " ", "\n# end"])
    if r.random() < 0.05:
        text += "\n__END__\n" + g.plain("") + "\n"
    return text


# ------------------------------------------------------------------------------------- Python

P_NAMES = ["x", "y_1", "_", "é", "名前", "Ωmega", "if", "lambda", "await", "match", "case", "type", "_x9",
           "ℌ", "self", "None", "print", "a" * 3, "ä1"]
P_PREFIXES = ["", "", "r", "u", "b", "f", "f", "br", "rb", "fr", "rf", "R", "F", "Br", "fR", "U", "bR", "Rb",
              "RF", "rF", "Fr", "BR", "B"]
P_OPS = ["+", "-", "*", "**", "/", "//", "%", "@", "<<", ">>", "&", "|", "^", "~", "<", ">", "<=", ">=", "==",
         "!=", ":=", "->", ".", ",", ":", ";", "=", "+=", "**=", "...", "!", "-=", "//=", "@=", "<<=", ">>=",
         "|=", "^=", "&=", "%=", "<>", "$", "?", "`"]
P_NUMBERS = ["0", "1", "1_000", "0x_ff", "0XAB", "0o17", "0O7", "0b1_0", "0B1", "1.5", ".5", "5.", "1e-3",
             "1E+5", "1_0.0_1e+1_0j", "3j", "3J", "0777", "1_", "0x", "1e", "00", "0_0", "1__0", "0b2", "0o8",
             "1.e5", "1.j", "0e0", "9" * 30, "1if", "0x1for", "1_000.0_1", "1.__class__", "0.", "1e1_0"]
P_SPACES = [" ", "  ", "\t", "\f", "", " \t", "\t ", " \f "]
P_NEWLINES = ["\n", "\n", "\n", "\r\n", "\r"]


def py_string(r, depth):
    prefix = r.choice(P_PREFIXES)
    quote = r.choice(["'", '"', "'''", '"""', "'", '"'])
    triple = len(quote) == 3
    is_f = "f" in prefix.lower()
    parts = []
    for _ in range(r.randint(0, 4)):
        k = r.random()
        if is_f and k < 0.45 and depth < 4:
            inner = py_expr(r, depth + 1)
            if r.random() < 0.3:      # a nested string with the other (or the same, 3.12+) quote
                inner = py_string(r, depth + 1)
            spec = r.choice(["", "", "", "!r", "!s", "!a", ":>10", ":{w}", "=", "=!r", " = ", ":%H:%M",
                             "!s:^{n}d", ":", ":{x:{y}}", ":.{p}f", ":{'a'}", "!r:>{w}", ":=^10", ":\\n", ":{{}}"])
            ws = r.choice(["", "", " ", "\n"]) if triple else r.choice(["", "", " "])
            parts.append("{" + ws + inner + ws + spec + "}")
        elif k < 0.6:
            parts.append(r.choice(["{{", "}}", "\\n", "\\N{DASH}", "\\N{EM DASH}", "\\", "\\'", '\\"', "\\{",
                                   "\\\\", "\\x41", "\\u00e9", "\\777", "\\z", "\\{x}"]))
        else:
            parts.append(r.choice(["a", "b c", "é", "'", '"', "#", " ", "\n", "\\\n", "\t", "\f", "😀", "''",
                                   "\r\n", "\r", "{", "}", "%s", "\x00", "\x0b"]))
    return prefix + quote + "".join(parts) + quote


def py_expr(r, depth=0):
    k = r.random()
    if k < 0.22 or depth > 4:
        return r.choice(P_NAMES)
    if k < 0.35:
        return r.choice(P_NUMBERS)
    if k < 0.55:
        s = py_string(r, depth)
        if r.random() < 0.15:                       # implicit concatenation, maybe across a newline
            s += r.choice([" ", "", "\n", " \\\n"]) + py_string(r, depth)
        return s
    if k < 0.75:
        open_, close = r.choice(["()", "[]", "{}", "()"])
        items = [py_expr(r, depth + 1) for _ in range(r.randint(0, 3))]
        sep = "," + r.choice(P_SPACES + ["\n", " \\\n", "\n\n", "\n  # c\n", "\r\n", "\n\t"])
        return open_ + r.choice(["", "\n", " "]) + sep.join(items) + r.choice(["", ",", "\n"]) + close
    if k < 0.8:
        return r.choice(["lambda x: ", "not ", "-", "~", "await ", "yield ", "*", "**"]) + py_expr(r, depth + 1)
    if k < 0.85:
        return py_expr(r, depth + 1) + r.choice([".attr", "(1)", "[0]", "[1:2]", "(*a, **k)", ".é", "()"])
    if k < 0.88:
        return py_expr(r, depth + 1) + " if " + py_expr(r, depth + 1) + " else " + py_expr(r, depth + 1)
    if k < 0.9:
        return "[" + py_expr(r, depth + 1) + " for x in " + py_expr(r, depth + 1) + r.choice(["", " if x"]) + "]"
    return py_expr(r, depth + 1) + r.choice(P_SPACES) + r.choice(P_OPS) + r.choice(P_SPACES) + py_expr(r, depth + 1)


def python_program(r):
    """A Python program (str) of 1 to 9 logical lines, valid or nearly so."""
    lines = []
    indent = ""
    for _ in range(r.randint(1, 9)):
        k = r.random()
        nl = r.choice(P_NEWLINES) if r.random() < 0.2 else "\n"
        if k < 0.14:
            kw = r.choice(["if ", "while ", "for x in ", "with ", "elif ", "else", "try", "except ",
                           "match ", "case ", "class C", "def f()", "async def g()", "async with "])
            lines.append(indent + kw + (py_expr(r) if kw.endswith(" ") else "") + ":" + r.choice(["", " # c"]) + nl)
            indent += r.choice(["    ", "  ", "\t", " \t", "\t ", "        ", " "])
            lines.append(indent + py_expr(r) + nl)
        elif k < 0.22 and indent:
            indent = indent[:-1] if r.random() < 0.3 else (indent[: len(indent) // 2] if r.random() < 0.5 else "")
        elif k < 0.28:
            lines.append(indent + "@" + r.choice(P_NAMES) + r.choice(["", "(" + py_expr(r) + ")", ".x"]) + nl +
                         indent + r.choice(["def f(): pass", "class C: pass", "async def f(): pass"]) + nl)
        elif k < 0.34:
            lines.append(indent + r.choice(["# comment ", "#", "#!", "# -*- coding: utf-8 -*-", "# é "]) +
                         r.choice(P_NAMES) + nl)
        elif k < 0.39:
            lines.append(r.choice(P_SPACES) + r.choice(["", "# c", "\\"]) + nl)
        elif k < 0.45:
            lines.append(indent + py_expr(r) + r.choice([" + \\", "\\", " \\ "]) + nl + r.choice(P_SPACES) +
                         py_expr(r) + nl)
        elif k < 0.5:
            lines.append(indent + r.choice(["import x", "from . import (a,\n b)", "from .. x import *",
                                            "return", "pass; pass", "global x", "del x, y", "raise E from e",
                                            "assert x, 'm'", "x: int = 1", "type X = int", "print(*a, sep='')"])
                         + nl)
        elif k < 0.53:
            lines.append(indent + "x = " + py_expr(r) + ";" + r.choice(["", " ", " y = 1"]) + nl)
        else:
            lines.append(indent + r.choice(P_NAMES) + r.choice([" = ", "=", " += ", ": "]) + py_expr(r) +
                         r.choice(["", "  # c", "\t# é"]) + nl)
    src = "".join(lines)
    if r.random() < 0.1:
        src = src.rstrip("\n")
    elif r.random() < 0.05:
        src += r.choice(P_SPACES)
    if r.random() < 0.03:
        src = "\ufeff" + src
    return src


# ---------------------------------------------------------------------------------- mutations

INSERTS_RUBY = [b'"', b"'", b"#{", b"}", b"<<~X\n", b"=begin\n", b"%w(", b"/", b"?", b":", b"\\", b"\x00",
                b"\xff", b"\r", b"\n", b" ", b"(", b")", b"do", b"end", b"{", b"|", b"`", b"%", b"@", b"$", b"\x04"]
INSERTS_PYTHON = ["(", ")", "[", "]", "{", "}", "'", '"', '"""', "\\", "\n", "\t", " ", "#", ":", "=", "!", "f",
                  "x", "0", ".", "\r", "\f", "\\\n", "f'", "{x", "}"]


def mutate_bytes(r, src, others, inserts=INSERTS_RUBY):
    """src (bytes) cut, spliced with one of others, a range duplicated or deleted, bytes inserted."""
    n = len(src)
    op = r.randrange(5)
    a = r.randint(0, n)
    b = r.randint(a, min(n, a + 400))
    if op == 0:
        return src[:a]
    if op == 1:
        other = r.choice(others)
        c = r.randint(0, len(other))
        return src[:a] + other[c:c + 400]
    if op == 2:
        return src[:b] + src[a:b] + src[b:]
    if op == 3:
        return src[:a] + src[b:]
    extra = r.choice(inserts) if r.random() < 0.7 else bytes(r.randrange(256) for _ in range(r.randint(1, 8)))
    return src[:a] + extra + src[a:]


def mutate_text(r, src, others=(), inserts=INSERTS_PYTHON):
    """src (str) with 1 to 3 character-level edits: delete, insert, swap, or a splice of another."""
    chars = list(src)
    for _ in range(r.randint(1, 3)):
        i = r.randrange(len(chars) + 1)
        op = r.random()
        if op < 0.35 and chars:
            del chars[min(i, len(chars) - 1)]
        elif op < 0.75:
            chars[i:i] = r.choice(inserts)
        elif op < 0.85 and others:
            other = r.choice(others)
            c = r.randint(0, len(other))
            chars[i:] = other[c:c + 200]
        elif chars:
            j = r.randrange(len(chars))
            chars[i - 1], chars[j] = chars[j], chars[i - 1]
    return "".join(chars)
