"""Hypothesis strategies that write valid Ruby from a small grammar.

The grammar covers the constructs of the foundation issue, nested: strings
inside interpolation inside heredocs, every numeric form, %-literals with
every delimiter, regexp/division and unary/binary contexts, labels, symbols,
method names with ?/!/=, comments, =begin/=end and __END__. Programs are built
line by line so heredoc bodies can follow the line that starts them.
"""
from hypothesis import strategies as st

LOWER = st.sampled_from(["a", "b", "foo", "bar", "baz", "value", "items", "x1", "_tmp", "name", "data"])
UPPER = st.sampled_from(["Foo", "Bar", "HTTP", "A", "Config", "MAX_SIZE"])
KEYWORD_NAMES = st.sampled_from(["class", "end", "if", "then", "begin", "self", "not", "in", "do", "nil"])
SUFFIXED = st.builds(lambda n, s: n + s, LOWER, st.sampled_from(["?", "!"]))
OPERATOR_METHODS = st.sampled_from(["+", "-", "*", "/", "%", "**", "==", "!=", "<", "<=", ">", ">=", "<=>",
                                    "<<", ">>", "[]", "[]=", "=~", "!", "+@", "-@", "~", "&", "|", "^", "==="])

DIGITS = st.text("0123456789", min_size=1, max_size=4).map(lambda s: s.lstrip("0") or "0")
INTEGER = st.one_of(
    DIGITS,
    st.builds(lambda a, b: f"{a}_{b}", st.integers(1, 999), st.text("0123456789", min_size=3, max_size=3)),
    st.builds(lambda s: "0x" + s, st.text("0123456789abcdefABCDEF", min_size=1, max_size=4)),
    st.builds(lambda s: "0b" + s, st.text("01", min_size=1, max_size=6)),
    st.builds(lambda s: "0o" + s, st.text("01234567", min_size=1, max_size=4)),
    st.builds(lambda s: "0" + s, st.text("01234567", min_size=1, max_size=3)),
    st.builds(lambda s: "0d" + s, DIGITS),
)
FLOAT = st.one_of(
    st.builds(lambda a, b: f"{a}.{b}", DIGITS, DIGITS),
    st.builds(lambda a, e, s: f"{a}e{s}{e}", DIGITS, DIGITS, st.sampled_from(["", "+", "-"])),
    st.builds(lambda a, b, e: f"{a}.{b}E{e}", DIGITS, DIGITS, DIGITS),
)
NUMBER = st.one_of(
    INTEGER, FLOAT,
    st.builds(lambda n, s: n + s, DIGITS, st.sampled_from(["r", "i", "ri"])),
    st.builds(lambda a, b, s: f"{a}.{b}{s}", DIGITS, DIGITS, st.sampled_from(["r", "i", "ri"])),
)
CHAR = st.sampled_from(["?a", "?Z", "?\\n", "?\\t", "?\\\\", "?\\C-a", "?\\M-a", "?\\u0041", "??", "?!", "?é"])
GVAR = st.sampled_from(["$stdout", "$0", "$1", "$9", "$&", "$~", "$!", "$-w", "$LOAD_PATH", "$_", "$?"])
IVAR = st.builds(lambda n: "@" + n, LOWER)
CVAR = st.builds(lambda n: "@@" + n, LOWER)

TEXT_CHARS = st.sampled_from(list("abc xyz-_.,;:!=+*/<>()[]{}|&^%$@~`'") + ["é", "日本", "\t"])
PLAIN_TEXT = st.lists(TEXT_CHARS, max_size=6).map("".join)
ESCAPES = st.sampled_from(["\\n", "\\t", "\\\\", "\\\"", "\\e", "\\s", "\\0", "\\x41", "\\101", "\\u00e9",
                           "\\u{1F600}", "\\#", "\\a"])
PAIRS = {"(": ")", "[": "]", "{": "}", "<": ">"}
SAME_DELIMS = ["|", "!", "/", "^", "~", "#", ".", "-", "+", "*", ":", "'", '"', "`", "@", "$", "&", "=", ",", ";", "?"]


def _ident(draw):
    return draw(LOWER)


@st.composite
def interpolated_text(draw, expr, delims, escapes=True, allow_interp=True, forbid=""):
    """Text for an interpolating literal: plain runs, escapes, #{expr}, #@ivar; never an unescaped delimiter."""
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        choice = draw(st.integers(0, 9))
        if choice < 5:
            text = draw(PLAIN_TEXT)
            text = "".join(c for c in text if c not in delims and c not in forbid and c not in "#\\")
            parts.append(text)
        elif choice < 7 and escapes:
            parts.append(draw(ESCAPES))
        elif choice < 9 and allow_interp:
            parts.append("#{" + draw(expr) + "}")
        elif allow_interp:
            parts.append("#" + draw(st.one_of(IVAR, CVAR, st.sampled_from(["$stdout", "$1"]))))
    return "".join(parts)


@st.composite
def raw_text(draw, delims):
    """Text for a non-interpolating literal: plain runs and \\\\ / \\' escapes."""
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.booleans()):
            text = draw(PLAIN_TEXT)
            parts.append("".join(c for c in text if c not in delims and c != "\\"))
        else:
            parts.append(draw(st.sampled_from(["\\\\"] + ["\\" + d for d in delims])))
    return "".join(parts)


def expressions():
    """A recursive strategy of Ruby expressions (one line each)."""

    def extend(expr):
        double = st.builds(lambda t: '"' + t + '"', interpolated_text(expr, '"'))
        single = st.builds(lambda t: "'" + t + "'", raw_text("'"))
        backtick = st.builds(lambda t: "`" + t + "`", interpolated_text(expr, "`"))

        @st.composite
        def percent(draw):
            letter = draw(st.sampled_from(["q", "Q", "", "w", "W", "i", "I", "s", "r", "x"]))
            open_ = draw(st.sampled_from(list(PAIRS) + ["|", "!", "/", "^", "-", "~"]))
            close = PAIRS.get(open_, open_)
            delims = open_ + close
            if letter in ("w", "W", "i", "I"):
                words = draw(st.lists(st.sampled_from(["a", "b2", "foo", "x-y", "é", "q.r"]), max_size=4))
                if letter in ("W", "I") and words and draw(st.booleans()):
                    words[0] = words[0] + "#{" + draw(expr) + "}"
                sep = draw(st.sampled_from([" ", "  ", "\n"]))
                body = sep.join(words)
            elif letter in ("q", "s"):
                body = draw(raw_text(delims))
            else:
                body = draw(interpolated_text(expr, delims, forbid=" " if letter == "" else ""))
            return f"%{letter}{open_}{body}{close}" + (draw(st.sampled_from(["", "i", "mx"])) if letter == "r" else "")

        regexp = st.builds(lambda t, f: "/" + t + "/" + f,
                           interpolated_text(expr, "/", forbid=" =*"), st.sampled_from(["", "i", "m", "x", "ix"]))
        symbol = st.one_of(
            st.builds(lambda n: ":" + n, st.one_of(LOWER, UPPER, SUFFIXED, KEYWORD_NAMES, IVAR, CVAR)),
            st.builds(lambda n: ":" + n + "=", LOWER),
            st.builds(lambda o: ":" + o, OPERATOR_METHODS),
            st.builds(lambda t: ':"' + t + '"', interpolated_text(expr, '"')),
            st.builds(lambda t: ":'" + t + "'", raw_text("'")),
        )
        label = st.one_of(LOWER, UPPER, KEYWORD_NAMES, SUFFIXED)
        pair = st.one_of(
            st.builds(lambda k, v: f"{k}: {v}", label, expr),
            st.builds(lambda k, v: f'"{k}": {v}', LOWER, expr),
            st.builds(lambda k, v: f"{k} => {v}", expr, expr),
        )
        hash_ = st.builds(lambda ps: "{" + ", ".join(ps) + "}", st.lists(pair, max_size=3))
        array = st.builds(lambda xs: "[" + ", ".join(xs) + "]", st.lists(expr, max_size=3))
        args = st.lists(st.one_of(expr, st.builds(lambda k, v: f"{k}: {v}", LOWER, expr),
                                  st.builds(lambda e: "*" + e, LOWER), st.builds(lambda e: "**" + e, LOWER),
                                  st.builds(lambda e: "&" + e, st.one_of(LOWER, st.just(":to_s")))),
                        max_size=3).map(", ".join)
        block = st.one_of(
            st.builds(lambda p, e: "{ |" + p + "| " + e + " }", LOWER, expr),
            st.builds(lambda e: "{ " + e + " }", expr),
            st.builds(lambda p, e: " do |" + p + "| " + e + " end", LOWER, expr),
        )
        call = st.one_of(
            st.builds(lambda r, d, m, a: f"{r}{d}{m}({a})", st.one_of(LOWER, UPPER, IVAR, st.just("self")),
                      st.sampled_from([".", "&.", "::"]), st.one_of(LOWER, SUFFIXED, KEYWORD_NAMES), args),
            st.builds(lambda m, a: f"{m}({a})", st.one_of(LOWER, SUFFIXED), args),
            st.builds(lambda m, a, b: f"{m}({a}) {b}", LOWER, args, block),
            st.builds(lambda r, m: f"{r}.{m}", st.one_of(LOWER, UPPER), st.one_of(LOWER, SUFFIXED, UPPER)),
            st.builds(lambda c, d: f"{c}::{d}", UPPER, UPPER),
            st.builds(lambda c: f"::{c}", UPPER),
        )
        binary = st.builds(lambda a, o, b: f"{a} {o} {b}", expr,
                           st.sampled_from(["+", "-", "*", "/", "%", "**", "==", "!=", "<", "<=", ">", ">=", "<=>",
                                            "&&", "||", "and", "or", "&", "|", "^", "<<", ">>", "=~", "!~", "===",
                                            "..", "..."]), expr)
        unary = st.builds(lambda o, a: f"{o}{a}", st.sampled_from(["-", "+", "!", "~", "not "]),
                          st.one_of(LOWER, NUMBER, st.builds(lambda e: f"({e})", expr)))
        ternary = st.builds(lambda c, a, b: f"{c} ? {a} : {b}", expr, expr, expr)
        lam = st.one_of(st.builds(lambda p, e: f"->({p}) {{ {e} }}", LOWER, expr),
                        st.builds(lambda e: f"-> {{ {e} }}", expr),
                        st.builds(lambda p, e: f"lambda {{ |{p}| {e} }}", LOWER, expr))
        command_arg = st.one_of(
            st.builds(lambda m, r: f"{m} {r}", st.sampled_from(["puts", "p", "foo", "raise"]),
                      st.one_of(regexp, st.builds(lambda n: "-" + n, DIGITS), st.builds(lambda a: f"*{a}", LOWER),
                                symbol, CHAR, st.builds(lambda a: f"[{a}]", LOWER))),
        )
        return st.one_of(
            double, single, backtick, percent(), regexp, symbol, hash_, array, call, binary, unary, ternary, lam,
            command_arg, st.builds(lambda e: f"({e})", expr), st.builds(lambda e: f"defined?({e})", expr),
        )

    atom = st.one_of(LOWER, UPPER, NUMBER, CHAR, GVAR, IVAR, CVAR,
                     st.sampled_from(["nil", "true", "false", "self", "__FILE__", "__LINE__", "__ENCODING__",
                                      "[]", "{}", "''", '""']))
    return st.recursive(atom, extend, max_leaves=12)


EXPR = expressions()


@st.composite
def heredoc_statement(draw):
    """Lines with one or more heredocs started on the first line and their bodies after it."""
    count = draw(st.integers(1, 3))
    starts, bodies = [], []
    for k in range(count):
        ident = draw(st.sampled_from(["EOS", "SQL", "TEXT", "END_OF_DOC", "A"])) + str(k)
        dash = draw(st.sampled_from(["", "-", "~"]))
        quote = draw(st.sampled_from(["", "'", '"', "`"]))
        starts.append(f"<<{dash}{quote}{ident}{quote}")
        lines = []
        for _ in range(draw(st.integers(0, 3))):
            if quote == "'":
                text = draw(PLAIN_TEXT) + draw(st.sampled_from(["", "\\n", "#{raw}"]))
            else:
                text = draw(interpolated_text(EXPR, "", forbid=""))
            lines.append(draw(st.sampled_from(["", "  ", "    "])) + text)
        indent = draw(st.sampled_from(["", "  "])) if dash else ""
        bodies.append("\n".join(lines + [indent + ident]))
    head = draw(st.sampled_from(["x = {0}", "foo({0})", "puts {0}", "call({0}.strip)"]))
    first = head.format(", ".join(starts)) if "foo" in head else head.format(starts[0]) + "".join(
        f"; y = {s}" for s in starts[1:])
    return first + "\n" + "\n".join(bodies)


@st.composite
def statements(draw, depth=0):
    """One statement, possibly spanning lines (definitions, control flow, heredocs, comments)."""
    simple = st.one_of(
        st.builds(lambda n, e: f"{n} = {e}", st.one_of(LOWER, IVAR, CVAR, UPPER, GVAR), EXPR),
        st.builds(lambda n, o, e: f"{n} {o} {e}", LOWER, st.sampled_from(["+=", "-=", "||=", "&&=", "<<=", "**="]), EXPR),
        EXPR,
        st.builds(lambda e, k, c: f"{e} {k} {c}", EXPR, st.sampled_from(["if", "unless", "while", "until", "rescue"]), EXPR),
        st.builds(lambda e: f"# {e}", PLAIN_TEXT),
        st.builds(lambda n, e: f"{n} = 1\n{n} /2 / {e}", LOWER, st.sampled_from(["3", "x", "(4)"])),
        st.builds(lambda a, b: f"alias {a} {b}", st.one_of(LOWER, SUFFIXED), st.one_of(LOWER, SUFFIXED)),
        st.builds(lambda a, b: f"alias :{a} :{b}", LOWER, LOWER),
    )
    if depth >= 2:
        return draw(simple)
    body = st.lists(statements(depth + 1), min_size=0, max_size=3).map(lambda xs: "\n".join(xs))
    compound = st.one_of(
        st.builds(lambda n, p, b: f"def {n}({p})\n{b}\nend", st.one_of(LOWER, SUFFIXED, KEYWORD_NAMES, OPERATOR_METHODS),
                  st.lists(st.one_of(LOWER, st.builds(lambda k: k + ":", LOWER), st.builds(lambda k: k + " = 1", LOWER),
                                     st.builds(lambda k: "*" + k, LOWER), st.builds(lambda k: "&" + k, LOWER)),
                           max_size=3, unique=True).map(", ".join), body),
        st.builds(lambda n, b: f"def self.{n}\n{b}\nend", LOWER, body),
        st.builds(lambda n, e: f"def {n}=(v)\n  @{n} = v\nend\ndef {n}() = {e}", LOWER, EXPR),
        st.builds(lambda c, b: f"class {c}\n{b}\nend", UPPER, body),
        st.builds(lambda c, s, b: f"class {c} < {s}\n{b}\nend", UPPER, UPPER, body),
        st.builds(lambda b: f"class << self\n{b}\nend", body),
        st.builds(lambda c, b: f"module {c}\n{b}\nend", UPPER, body),
        st.builds(lambda c, b, e: f"if {c}\n{b}\nelsif {c}\n{b}\nelse\n{e}\nend", EXPR, body, body),
        st.builds(lambda c, b: f"while {c} do\n{b}\nend", EXPR, body),
        st.builds(lambda v, c, b: f"case {v}\nwhen {c} then {b}\nelse nil\nend", EXPR, EXPR, EXPR),
        st.builds(lambda v, b: f"case {v}\nin [a, *rest] then {b}\nin {{k:}} then k\nin Integer | Float => n then n\nend",
                  EXPR, EXPR),
        st.builds(lambda b, r: f"begin\n{b}\nrescue => e\n{r}\nensure\nnil\nend", body, body),
        st.builds(lambda r, p, b: f"{r}.each do |{p}|\n{b}\nend", LOWER, LOWER, body),
        st.builds(lambda b: f"=begin\n{b}\n=end", PLAIN_TEXT),
        heredoc_statement(),
    )
    return draw(st.one_of(simple, compound))


@st.composite
def programs(draw):
    """A whole program: statements, a magic comment maybe, __END__ and data maybe."""
    parts = []
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from(["# frozen_string_literal: true", "# -*- coding: utf-8 -*-",
                                           "# encoding: utf-8"])))
    parts.extend(draw(st.lists(statements(), min_size=1, max_size=6)))
    text = "\n".join(parts) + "\n"
    if draw(st.integers(0, 9)) == 0:
        text += "__END__\n" + draw(PLAIN_TEXT) + "\n"
    return text
