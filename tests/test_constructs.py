"""Per-construct expectations: the kinds and texts of the tokens of small Ruby snippets.

Each case is (source, expected tokens) with tokens as (Kind name, text). The
expectations follow Ruby's own lexer (settled with ``ruby -rripper``) for what
a token is, and tree-sitter-ruby for where a token's span starts and ends
(where they differ from prism, Ruby's own parser, the tokens take prism's shape:
the issue-12 contract; ``tests/test_prism_shapes.py`` pins each such shape).
"""
import pytest

import fastlex
from fastlex import Kind

SKIP = ("NEWLINE", "IGNORED_NEWLINE", "EOF")


def lex(src, skip=SKIP):
    """The (Kind name, text) pairs of src's tokens, without the kinds in skip."""
    return [(t.type.name, t.string) for t in fastlex.tokenize(src) if t.type.name not in skip]


def lex_all(src):
    """The (Kind name, text) pairs of all of src's tokens except EOF (NEWLINE kept)."""
    return lex(src, skip=("EOF",))


def check(src, expected, skip=SKIP):
    """Assert that src lexes to expected, showing both in full on failure."""
    got = lex(src, skip=skip)
    assert got == expected, f"\nsource:   {src!r}\nexpected: {expected}\ngot:      {got}"


def cases(table):
    """pytest parameters from a table of (source, expected) pairs, with the source as id."""
    return [pytest.param(src, exp, id=repr(src)[:60]) for src, exp in table]


# --- keywords ---------------------------------------------------------------

KEYWORDS = [
    ("alias", "KEYWORD_ALIAS"), ("and", "KEYWORD_AND"), ("begin", "KEYWORD_BEGIN"),
    ("BEGIN", "KEYWORD_BEGIN_UPCASE"), ("break", "KEYWORD_BREAK"), ("case", "KEYWORD_CASE"),
    ("class", "KEYWORD_CLASS"), ("def", "KEYWORD_DEF"), ("defined?", "KEYWORD_DEFINED"),
    ("do", "KEYWORD_DO"), ("else", "KEYWORD_ELSE"), ("elsif", "KEYWORD_ELSIF"), ("end", "KEYWORD_END"),
    ("END", "KEYWORD_END_UPCASE"), ("ensure", "KEYWORD_ENSURE"), ("false", "KEYWORD_FALSE"),
    ("for", "KEYWORD_FOR"), ("if", "KEYWORD_IF"), ("in", "KEYWORD_IN"), ("module", "KEYWORD_MODULE"),
    ("next", "KEYWORD_NEXT"), ("nil", "KEYWORD_NIL"), ("not", "KEYWORD_NOT"), ("or", "KEYWORD_OR"),
    ("redo", "KEYWORD_REDO"), ("rescue", "KEYWORD_RESCUE"), ("retry", "KEYWORD_RETRY"),
    ("return", "KEYWORD_RETURN"), ("self", "KEYWORD_SELF"), ("super", "KEYWORD_SUPER"),
    ("then", "KEYWORD_THEN"), ("true", "KEYWORD_TRUE"), ("undef", "KEYWORD_UNDEF"),
    ("unless", "KEYWORD_UNLESS"), ("until", "KEYWORD_UNTIL"), ("when", "KEYWORD_WHEN"),
    ("while", "KEYWORD_WHILE"), ("yield", "KEYWORD_YIELD"), ("__FILE__", "KEYWORD___FILE__"),
    ("__LINE__", "KEYWORD___LINE__"), ("__ENCODING__", "KEYWORD___ENCODING__"),
]


@pytest.mark.parametrize("word,kind", KEYWORDS)
def test_keyword_alone(word, kind):
    """Every keyword on its own is its keyword kind, one token."""
    check(word, [(kind, word)])


KEYWORD_CASES = [
    ("defined?(x)", [("KEYWORD_DEFINED", "defined?"), ("PARENTHESIS_LEFT", "("), ("IDENTIFIER", "x"),
                     ("PARENTHESIS_RIGHT", ")")]),
    ("defined? x", [("KEYWORD_DEFINED", "defined?"), ("IDENTIFIER", "x")]),
    ("BEGIN { a }", [('KEYWORD_BEGIN_UPCASE', 'BEGIN'), ('BRACE_LEFT', '{'), ('IDENTIFIER', 'a'), ('BRACE_RIGHT', '}')]),
    ("END { a }", [('KEYWORD_END_UPCASE', 'END'), ('BRACE_LEFT', '{'), ('IDENTIFIER', 'a'), ('BRACE_RIGHT', '}')]),
    ("p __FILE__, __LINE__, __ENCODING__",
     [("IDENTIFIER", "p"), ("KEYWORD___FILE__", "__FILE__"), ("COMMA", ","), ("KEYWORD___LINE__", "__LINE__"),
      ("COMMA", ","), ("KEYWORD___ENCODING__", "__ENCODING__")]),
    ("x if y", [('IDENTIFIER', 'x'), ('KEYWORD_IF_MODIFIER', 'if'), ('IDENTIFIER', 'y')]),
    ("x unless y", [('IDENTIFIER', 'x'), ('KEYWORD_UNLESS_MODIFIER', 'unless'), ('IDENTIFIER', 'y')]),
    ("begin; rescue => e; ensure; end",
     [("KEYWORD_BEGIN", "begin"), ("SEMICOLON", ";"), ("KEYWORD_RESCUE", "rescue"), ("EQUAL_GREATER", "=>"),
      ("IDENTIFIER", "e"), ("SEMICOLON", ";"), ("KEYWORD_ENSURE", "ensure"), ("SEMICOLON", ";"),
      ("KEYWORD_END", "end")]),
    ("while x do end", [('KEYWORD_WHILE', 'while'), ('IDENTIFIER', 'x'), ('KEYWORD_DO_LOOP', 'do'), ('KEYWORD_END', 'end')]),
    ("alias foo bar", [("KEYWORD_ALIAS", "alias"), ("IDENTIFIER", "foo"), ("IDENTIFIER", "bar")]),
    ("not x", [("KEYWORD_NOT", "not"), ("IDENTIFIER", "x")]),
    # Keywords as method names after "." / "&." / "::" and after def.
    ("x.class", [("IDENTIFIER", "x"), ("DOT", "."), ("IDENTIFIER", "class")]),
    ("x.end", [("IDENTIFIER", "x"), ("DOT", "."), ("IDENTIFIER", "end")]),
    ("x&.if", [("IDENTIFIER", "x"), ("AMPERSAND_DOT", "&."), ("IDENTIFIER", "if")]),
    ("x.nil?", [("IDENTIFIER", "x"), ("DOT", "."), ("METHOD_NAME", "nil?")]),
    ("x.self.then", [("IDENTIFIER", "x"), ("DOT", "."), ("IDENTIFIER", "self"), ("DOT", "."),
                     ("IDENTIFIER", "then")]),
    ("x.\n  class", [("IDENTIFIER", "x"), ("DOT", "."), ("IDENTIFIER", "class")]),
    ("def end; end", [('KEYWORD_DEF', 'def'), ('KEYWORD_END', 'end'), ('SEMICOLON', ';'), ('KEYWORD_END', 'end')]),
    ("def class; end", [('KEYWORD_DEF', 'def'), ('KEYWORD_CLASS', 'class'), ('SEMICOLON', ';'), ('KEYWORD_END', 'end')]),
    ("def self.if; end", [('KEYWORD_DEF', 'def'), ('KEYWORD_SELF', 'self'), ('DOT', '.'), ('KEYWORD_IF', 'if'), ('SEMICOLON', ';'), ('KEYWORD_END', 'end')]),
    # Keywords as hash labels and keyword arguments.
    ("{if: 1}", [('BRACE_LEFT_HASH', '{'), ('LABEL', 'if:'), ('INTEGER', '1'), ('BRACE_RIGHT', '}')]),
    ("f(class: 1, end: 2)",
     [('IDENTIFIER', 'f'), ('PARENTHESIS_LEFT', '('), ('LABEL', 'class:'), ('INTEGER', '1'), ('COMMA', ','), ('LABEL', 'end:'), ('INTEGER', '2'), ('PARENTHESIS_RIGHT', ')')]),
]


@pytest.mark.parametrize("src,expected", cases(KEYWORD_CASES))
def test_keywords(src, expected):
    """Keywords, and keywords used as method names and labels."""
    check(src, expected)


# --- names ------------------------------------------------------------------

NAME_CASES = [
    ("foo", [("IDENTIFIER", "foo")]),
    ("_foo9", [("IDENTIFIER", "_foo9")]),
    ("foo?", [("METHOD_NAME", "foo?")]),
    ("foo!", [("METHOD_NAME", "foo!")]),
    ("foo! bar?", [("METHOD_NAME", "foo!"), ("METHOD_NAME", "bar?")]),
    ("x.empty?", [("IDENTIFIER", "x"), ("DOT", "."), ("METHOD_NAME", "empty?")]),
    ("foo != bar", [("IDENTIFIER", "foo"), ("BANG_EQUAL", "!="), ("IDENTIFIER", "bar")]),
    ("def foo=(v); end",
     [('KEYWORD_DEF', 'def'), ('IDENTIFIER', 'foo='), ('PARENTHESIS_LEFT', '('), ('IDENTIFIER', 'v'), ('PARENTHESIS_RIGHT', ')'), ('SEMICOLON', ';'), ('KEYWORD_END', 'end')]),
    ("x.foo = 1", [("IDENTIFIER", "x"), ("DOT", "."), ("IDENTIFIER", "foo"), ("EQUAL", "="), ("INTEGER", "1")]),
    (":foo=", [('SYMBOL_BEGIN', ':'), ('IDENTIFIER', 'foo=')]),
    ("Foo", [("CONSTANT", "Foo")]),
    ("FOO_BAR", [("CONSTANT", "FOO_BAR")]),
    ("Foo::Bar", [("CONSTANT", "Foo"), ("COLON_COLON", "::"), ("CONSTANT", "Bar")]),
    ("::Foo", [("UCOLON_COLON", "::"), ("CONSTANT", "Foo")]),
    ("Foo()", [("CONSTANT", "Foo"), ("PARENTHESIS_LEFT", "("), ("PARENTHESIS_RIGHT", ")")]),
    ("@ivar", [("INSTANCE_VARIABLE", "@ivar")]),
    ("@@cvar", [("CLASS_VARIABLE", "@@cvar")]),
    ("$global", [("GLOBAL_VARIABLE", "$global")]),
    ("$stdout", [("GLOBAL_VARIABLE", "$stdout")]),
    ("$1", [("NUMBERED_REFERENCE", "$1")]),
    ("$12", [("NUMBERED_REFERENCE", "$12")]),
    ("$&", [("BACK_REFERENCE", "$&")]),
    ("$`", [("BACK_REFERENCE", "$`")]),
    ("$'", [("BACK_REFERENCE", "$'")]),
    ("$+", [("BACK_REFERENCE", "$+")]),
    ("$~", [("GLOBAL_VARIABLE", "$~")]),
    ("$-w", [("GLOBAL_VARIABLE", "$-w")]),
    ("$0", [("GLOBAL_VARIABLE", "$0")]),
    ("$!", [("GLOBAL_VARIABLE", "$!")]),
    ("$:", [("GLOBAL_VARIABLE", "$:")]),
    ("$;", [("GLOBAL_VARIABLE", "$;")]),
    ("$$", [("GLOBAL_VARIABLE", "$$")]),
    ("$/", [("GLOBAL_VARIABLE", "$/")]),
    ("é = 1", [("IDENTIFIER", "é"), ("EQUAL", "="), ("INTEGER", "1")]),
    ("Été", [("CONSTANT", "Été")]),
]


@pytest.mark.parametrize("src,expected", cases(NAME_CASES))
def test_names(src, expected):
    """Identifiers, method names, setter names, constants and variables."""
    check(src, expected)


# --- numbers ----------------------------------------------------------------

NUMBER_CASES = [
    ("0", "INTEGER"), ("42", "INTEGER"), ("1_000_000", "INTEGER"), ("0b1010_1", "INTEGER"),
    ("0B11", "INTEGER"), ("0o17", "INTEGER"), ("0O17", "INTEGER"), ("017", "INTEGER"), ("0_17", "INTEGER"),
    ("0d99", "INTEGER"), ("0D9_9", "INTEGER"), ("0xFF_ff", "INTEGER"), ("0XaB", "INTEGER"),
    ("1.5", "FLOAT"), ("1_0.2_5", "FLOAT"), ("1e10", "FLOAT"), ("1E10", "FLOAT"), ("1.5e-3", "FLOAT"),
    ("2E+4", "FLOAT"), ("1_0e1_0", "FLOAT"),
    ("3r", "INTEGER_RATIONAL"), ("0x1Fr", "INTEGER_RATIONAL"), ("0b1r", "INTEGER_RATIONAL"),
    ("1.5r", "FLOAT_RATIONAL"),
    ("3i", "INTEGER_IMAGINARY"), ("0o7i", "INTEGER_IMAGINARY"), ("1.5i", "FLOAT_IMAGINARY"),
    ("1e3i", "FLOAT_IMAGINARY"),
    ("3ri", "INTEGER_RATIONAL_IMAGINARY"), ("1.5ri", "FLOAT_RATIONAL_IMAGINARY"),
]


@pytest.mark.parametrize("src,kind", NUMBER_CASES)
def test_number(src, kind):
    """Numeric literals in every base, with underscores, exponents and suffixes: one token each."""
    check(src, [(kind, src)])


NUMBER_CONTEXT_CASES = [
    ("1.e5", [("INTEGER", "1"), ("DOT", "."), ("IDENTIFIER", "e5")]),
    ("1.foo", [("INTEGER", "1"), ("DOT", "."), ("IDENTIFIER", "foo")]),
    ("1..2", [("INTEGER", "1"), ("DOT_DOT", ".."), ("INTEGER", "2")]),
    ("1...2", [("INTEGER", "1"), ("DOT_DOT_DOT", "..."), ("INTEGER", "2")]),
    ("-1", [("UMINUS_NUM", "-"), ("INTEGER", "1")]),
    ("x = -1.5", [("IDENTIFIER", "x"), ("EQUAL", "="), ("UMINUS_NUM", "-"), ("FLOAT", "1.5")]),
    ("+1", [('INTEGER', '+1')]),
    ("3.times", [("INTEGER", "3"), ("DOT", "."), ("IDENTIFIER", "times")]),
]


@pytest.mark.parametrize("src,expected", cases(NUMBER_CONTEXT_CASES))
def test_number_context(src, expected):
    """Numbers next to dots, ranges and signs."""
    check(src, expected)


# --- character literals vs ternary -----------------------------------------

CHAR_CASES = [
    ("?a", [("CHARACTER_LITERAL", "?a")]),
    ("?\\n", [("CHARACTER_LITERAL", "?\\n")]),
    ("?\\u0041", [("CHARACTER_LITERAL", "?\\u0041")]),
    ("?\\u{1F600}", [("CHARACTER_LITERAL", "?\\u{1F600}")]),
    ("?\\C-a", [("CHARACTER_LITERAL", "?\\C-a")]),
    ("?あ", [("CHARACTER_LITERAL", "?あ")]),
    ("p ?a", [("IDENTIFIER", "p"), ("CHARACTER_LITERAL", "?a")]),
    ("[?a, ?b]", [("BRACKET_LEFT_ARRAY", "["), ("CHARACTER_LITERAL", "?a"), ("COMMA", ","),
                  ("CHARACTER_LITERAL", "?b"), ("BRACKET_RIGHT", "]")]),
    ("x ? a : b", [("IDENTIFIER", "x"), ("QUESTION_MARK", "?"), ("IDENTIFIER", "a"), ("COLON", ":"),
                   ("IDENTIFIER", "b")]),
    ("x ? 1 : 2", [("IDENTIFIER", "x"), ("QUESTION_MARK", "?"), ("INTEGER", "1"), ("COLON", ":"),
                   ("INTEGER", "2")]),
    # After a value, " :b" is the ternary colon, not a symbol (Ruby: IS_END() makes ':' an operator).
    ("x ?a :b", [("IDENTIFIER", "x"), ("CHARACTER_LITERAL", "?a"), ("COLON", ":"), ("IDENTIFIER", "b")]),
    ("1 ?a:b", [("INTEGER", "1"), ("QUESTION_MARK", "?"), ("IDENTIFIER", "a"), ("COLON", ":"),
                ("IDENTIFIER", "b")]),
    ("x.y ? 'a' : 'b'", [("IDENTIFIER", "x"), ("DOT", "."), ("IDENTIFIER", "y"), ("QUESTION_MARK", "?"),
                         ("STRING_BEGIN", "'"), ("STRING_CONTENT", "a"), ("STRING_END", "'"), ("COLON", ":"),
                         ("STRING_BEGIN", "'"), ("STRING_CONTENT", "b"), ("STRING_END", "'")]),
    ("c ? x : y", [("IDENTIFIER", "c"), ("QUESTION_MARK", "?"), ("IDENTIFIER", "x"), ("COLON", ":"),
                   ("IDENTIFIER", "y")]),
]


@pytest.mark.parametrize("src,expected", cases(CHAR_CASES))
def test_character_literal_vs_ternary(src, expected):
    """?a is a character literal where a value may start, else ? is the ternary operator."""
    check(src, expected)


# --- strings ----------------------------------------------------------------

STRING_CASES = [
    ("'abc'", [("STRING_BEGIN", "'"), ("STRING_CONTENT", "abc"), ("STRING_END", "'")]),
    ("'a\\'b\\\\c\\n'", [("STRING_BEGIN", "'"), ("STRING_CONTENT", "a\\'b\\\\c\\n"), ("STRING_END", "'")]),
    ("'#{x}'", [("STRING_BEGIN", "'"), ("STRING_CONTENT", "#{x}"), ("STRING_END", "'")]),
    ("''", [("STRING_BEGIN", "'"), ("STRING_END", "'")]),
    ('""', [("STRING_BEGIN", '"'), ("STRING_END", '"')]),
    ('"a\\nb"', [('STRING_BEGIN', '"'), ('STRING_CONTENT', 'a\\nb'), ('STRING_END', '"')]),
    ('"\\u{1F600}\\x41\\101\\u00e9"',
     [('STRING_BEGIN', '"'), ('STRING_CONTENT', '\\u{1F600}\\x41\\101\\u00e9'), ('STRING_END', '"')]),
    ('"\\""', [('STRING_BEGIN', '"'), ('STRING_CONTENT', '\\"'), ('STRING_END', '"')]),
    ('"a#{b}c"', [("STRING_BEGIN", '"'), ("STRING_CONTENT", "a"), ("EMBEXPR_BEGIN", "#{"), ("IDENTIFIER", "b"),
                  ("EMBEXPR_END", "}"), ("STRING_CONTENT", "c"), ("STRING_END", '"')]),
    ('"#{"x#{y}"}"', [("STRING_BEGIN", '"'), ("EMBEXPR_BEGIN", "#{"), ("STRING_BEGIN", '"'),
                      ("STRING_CONTENT", "x"), ("EMBEXPR_BEGIN", "#{"), ("IDENTIFIER", "y"), ("EMBEXPR_END", "}"),
                      ("STRING_END", '"'), ("EMBEXPR_END", "}"), ("STRING_END", '"')]),
    ('"#{h[:k]} #{ {a: 1}[:a] }"',
     [('STRING_BEGIN', '"'), ('EMBEXPR_BEGIN', '#{'), ('IDENTIFIER', 'h'), ('BRACKET_LEFT', '['), ('SYMBOL_BEGIN', ':'), ('IDENTIFIER', 'k'), ('BRACKET_RIGHT', ']'), ('EMBEXPR_END', '}'), ('STRING_CONTENT', ' '), ('EMBEXPR_BEGIN', '#{'), ('BRACE_LEFT_HASH', '{'), ('LABEL', 'a:'), ('INTEGER', '1'), ('BRACE_RIGHT', '}'), ('BRACKET_LEFT', '['), ('SYMBOL_BEGIN', ':'), ('IDENTIFIER', 'a'), ('BRACKET_RIGHT', ']'), ('EMBEXPR_END', '}'), ('STRING_END', '"')]),
    ('"#@a #@@b #$c"', [("STRING_BEGIN", '"'), ("EMBVAR", "#"), ("INSTANCE_VARIABLE", "@a"),
                        ("STRING_CONTENT", " "), ("EMBVAR", "#"), ("CLASS_VARIABLE", "@@b"),
                        ("STRING_CONTENT", " "), ("EMBVAR", "#"), ("GLOBAL_VARIABLE", "$c"), ("STRING_END", '"')]),
    ('"# #a #"', [("STRING_BEGIN", '"'), ("STRING_CONTENT", "# #a #"), ("STRING_END", '"')]),
    ('"a\nb"', [("STRING_BEGIN", '"'), ("STRING_CONTENT", "a\nb"), ("STRING_END", '"')]),
    ('"a" "b"', [("STRING_BEGIN", '"'), ("STRING_CONTENT", "a"), ("STRING_END", '"'),
                 ("STRING_BEGIN", '"'), ("STRING_CONTENT", "b"), ("STRING_END", '"')]),
    ("'a' \\\n'b'", [("STRING_BEGIN", "'"), ("STRING_CONTENT", "a"), ("STRING_END", "'"),
                     ("STRING_BEGIN", "'"), ("STRING_CONTENT", "b"), ("STRING_END", "'")]),
    ("`ls #{x}`", [('XSTRING_BEGIN', '`'), ('STRING_CONTENT', 'ls '), ('EMBEXPR_BEGIN', '#{'), ('IDENTIFIER', 'x'), ('EMBEXPR_END', '}'), ('STRING_END', '`')]),
    ('"é\\n"', [('STRING_BEGIN', '"'), ('STRING_CONTENT', 'é\\n'), ('STRING_END', '"')]),
]


@pytest.mark.parametrize("src,expected", cases(STRING_CASES))
def test_strings(src, expected):
    """Quoted strings: content, escapes, interpolation, embedded variables, adjacency."""
    check(src, expected)


def test_line_continuation_makes_no_token():
    """A backslash-newline joins lines and produces no token at all (not even NEWLINE)."""
    assert lex_all("a \\\nb") == [("IDENTIFIER", "a"), ("IDENTIFIER", "b")]
    assert lex_all("x = 1 +\\\n 2\n") == [("IDENTIFIER", "x"), ("EQUAL", "="), ("INTEGER", "1"), ("PLUS", "+"),
                                          ("INTEGER", "2"), ("NEWLINE", "\n")]


PAIRS = [("(", ")"), ("[", "]"), ("{", "}"), ("<", ">")]
SAME = ["|", "!", "/", "^", "~", "-", "+", "*", ".", ":", ",", "'", '"', "`", "#", "@", "=", "?", "&", ";"]

PERCENT_BEGIN = {"q": "STRING_BEGIN", "Q": "STRING_BEGIN", "": "STRING_BEGIN", "s": "SYMBOL_BEGIN",
                 "x": "PERCENT_LOWER_X", "w": "PERCENT_LOWER_W", "W": "PERCENT_UPPER_W", "i": "PERCENT_LOWER_I",
                 "I": "PERCENT_UPPER_I"}


@pytest.mark.parametrize("letter", ["q", "Q", "", "s", "x", "r"])
@pytest.mark.parametrize("open_,close", PAIRS + [(c, c) for c in SAME])
def test_percent_literal_delimiters(letter, open_, close):
    """%q %Q % %s %x %r accept every bracket pair and any punctuation as delimiters."""
    src = f"x = %{letter}{open_}ab{close}"
    begin = "REGEXP_BEGIN" if letter == "r" else PERCENT_BEGIN[letter]
    end_kind = "REGEXP_END" if letter == "r" else "STRING_END"
    check(src, [("IDENTIFIER", "x"), ("EQUAL", "="), (begin, f"%{letter}{open_}"), ("STRING_CONTENT", "ab"),
                (end_kind, close)])


@pytest.mark.parametrize("letter", ["q", "Q", "", "s", "x", "r", "w", "W", "i", "I"])
@pytest.mark.parametrize("open_,close", PAIRS)
def test_percent_literal_nesting(letter, open_, close):
    """Bracket delimiters nest: %q(a(b)c) is one content a(b)c."""
    src = f"%{letter}{open_}a{open_}b{close}c{close}"
    begin = "REGEXP_BEGIN" if letter == "r" else PERCENT_BEGIN[letter]
    end_kind = "REGEXP_END" if letter == "r" else "STRING_END"
    check(src, [(begin, f"%{letter}{open_}"), ("STRING_CONTENT", f"a{open_}b{close}c"), (end_kind, close)])


PERCENT_CASES = [
    ("%q(a(b)c)", [("STRING_BEGIN", "%q("), ("STRING_CONTENT", "a(b)c"), ("STRING_END", ")")]),
    ("%q(a\\)b)", [("STRING_BEGIN", "%q("), ("STRING_CONTENT", "a\\)b"), ("STRING_END", ")")]),
    ("%Q(a\\n#{b})", [('STRING_BEGIN', '%Q('), ('STRING_CONTENT', 'a\\n'), ('EMBEXPR_BEGIN', '#{'), ('IDENTIFIER', 'b'), ('EMBEXPR_END', '}'), ('STRING_END', ')')]),
    ("%(a#{b})", [("STRING_BEGIN", "%("), ("STRING_CONTENT", "a"), ("EMBEXPR_BEGIN", "#{"), ("IDENTIFIER", "b"),
                  ("EMBEXPR_END", "}"), ("STRING_END", ")")]),
    ("%q(#{b})", [("STRING_BEGIN", "%q("), ("STRING_CONTENT", "#{b}"), ("STRING_END", ")")]),
    ("%w(a b  c)", [('PERCENT_LOWER_W', '%w('), ('STRING_CONTENT', 'a'), ('WORDS_SEP', ' '), ('STRING_CONTENT', 'b'), ('WORDS_SEP', '  '), ('STRING_CONTENT', 'c'), ('STRING_END', ')')]),
    ("%w(\n a\n b\n)", [('PERCENT_LOWER_W', '%w('), ('WORDS_SEP', '\n '), ('STRING_CONTENT', 'a'), ('WORDS_SEP', '\n '), ('STRING_CONTENT', 'b'), ('WORDS_SEP', '\n'), ('STRING_END', ')')]),
    ("%w()", [("PERCENT_LOWER_W", "%w("), ("STRING_END", ")")]),
    ("%W(a#{b} c)", [('PERCENT_UPPER_W', '%W('), ('STRING_CONTENT', 'a'), ('EMBEXPR_BEGIN', '#{'), ('IDENTIFIER', 'b'), ('EMBEXPR_END', '}'), ('WORDS_SEP', ' '), ('STRING_CONTENT', 'c'), ('STRING_END', ')')]),
    ("%i(a b)", [('PERCENT_LOWER_I', '%i('), ('STRING_CONTENT', 'a'), ('WORDS_SEP', ' '), ('STRING_CONTENT', 'b'), ('STRING_END', ')')]),
    ("%I(a#{1} b)", [('PERCENT_UPPER_I', '%I('), ('STRING_CONTENT', 'a'), ('EMBEXPR_BEGIN', '#{'), ('INTEGER', '1'), ('EMBEXPR_END', '}'), ('WORDS_SEP', ' '), ('STRING_CONTENT', 'b'), ('STRING_END', ')')]),
    ("%s(x)", [("SYMBOL_BEGIN", "%s("), ("STRING_CONTENT", "x"), ("STRING_END", ")")]),
    ("%r{a/b}i", [("REGEXP_BEGIN", "%r{"), ("STRING_CONTENT", "a/b"), ("REGEXP_END", "}i")]),
    ("%r(a#{b})mx", [("REGEXP_BEGIN", "%r("), ("STRING_CONTENT", "a"), ("EMBEXPR_BEGIN", "#{"),
                     ("IDENTIFIER", "b"), ("EMBEXPR_END", "}"), ("REGEXP_END", ")mx")]),
    ("%x(ls)", [('PERCENT_LOWER_X', '%x('), ('STRING_CONTENT', 'ls'), ('STRING_END', ')')]),
    ("x % 2", [("IDENTIFIER", "x"), ("PERCENT", "%"), ("INTEGER", "2")]),
    ("x %= 2", [("IDENTIFIER", "x"), ("PERCENT_EQUAL", "%="), ("INTEGER", "2")]),
    ("puts %w(a)", [("IDENTIFIER", "puts"), ("PERCENT_LOWER_W", "%w("), ("STRING_CONTENT", "a"),
                    ("STRING_END", ")")]),
]


@pytest.mark.parametrize("src,expected", cases(PERCENT_CASES))
def test_percent_literals(src, expected):
    """%-literals of every type: strings, word and symbol lists, symbols, regexps, commands."""
    check(src, expected)


# --- heredocs ---------------------------------------------------------------

HEREDOC_CASES = [
    ("x = <<A\nhi\nA\n", [('IDENTIFIER', 'x'), ('EQUAL', '='), ('HEREDOC_START', '<<A'), ('STRING_CONTENT', 'hi\n'), ('HEREDOC_END', 'A\n')]),
    ("x = <<-A\n  hi\n  A\n", [('IDENTIFIER', 'x'), ('EQUAL', '='), ('HEREDOC_START', '<<-A'), ('STRING_CONTENT', '  hi\n'), ('HEREDOC_END', '  A\n')]),
    ("x = <<~A\n  hi\n  A\n", [('IDENTIFIER', 'x'), ('EQUAL', '='), ('HEREDOC_START', '<<~A'), ('STRING_CONTENT', '  hi\n'), ('HEREDOC_END', '  A\n')]),
    ("x = <<'A'\n#{no} \\n\nA\n", [('IDENTIFIER', 'x'), ('EQUAL', '='), ('HEREDOC_START', "<<'A'"), ('STRING_CONTENT', '#{no} \\n\n'), ('HEREDOC_END', 'A\n')]),
    ('x = <<"A"\n#{y}\\n\nA\n', [('IDENTIFIER', 'x'), ('EQUAL', '='), ('HEREDOC_START', '<<"A"'), ('EMBEXPR_BEGIN', '#{'), ('IDENTIFIER', 'y'), ('EMBEXPR_END', '}'), ('STRING_CONTENT', '\\n\n'), ('HEREDOC_END', 'A\n')]),
    ("x = <<`A`\nls\nA\n", [('IDENTIFIER', 'x'), ('EQUAL', '='), ('HEREDOC_START', '<<`A`'), ('STRING_CONTENT', 'ls\n'), ('HEREDOC_END', 'A\n')]),
    ("x = <<A\nhi #{y} #@z\nA\n",
     [('IDENTIFIER', 'x'), ('EQUAL', '='), ('HEREDOC_START', '<<A'), ('STRING_CONTENT', 'hi '), ('EMBEXPR_BEGIN', '#{'), ('IDENTIFIER', 'y'), ('EMBEXPR_END', '}'), ('STRING_CONTENT', ' '), ('EMBVAR', '#'), ('INSTANCE_VARIABLE', '@z'), ('STRING_CONTENT', '\n'), ('HEREDOC_END', 'A\n')]),
    # Several heredocs on one line: bodies follow in order, after the line.
    ("f(<<-A, <<~B)\n  a\n  A\n  b\nB\nz",
     [('IDENTIFIER', 'f'), ('PARENTHESIS_LEFT', '('), ('HEREDOC_START', '<<-A'), ('COMMA', ','), ('HEREDOC_START', '<<~B'), ('PARENTHESIS_RIGHT', ')'), ('STRING_CONTENT', '  a\n'), ('HEREDOC_END', '  A\n'), ('STRING_CONTENT', '  b\n'), ('HEREDOC_END', 'B\n'), ('IDENTIFIER', 'z')]),
    # A heredoc inside an interpolation: its body starts after the line holding <<A.
    ('"#{<<A}"\nin\nA\n', [('STRING_BEGIN', '"'), ('EMBEXPR_BEGIN', '#{'), ('HEREDOC_START', '<<A'), ('EMBEXPR_END', '}'), ('STRING_END', '"'), ('STRING_CONTENT', 'in\n'), ('HEREDOC_END', 'A\n')]),
    ('x = <<A + "#{<<B}"\na\nA\nb\nB\n',
     [('IDENTIFIER', 'x'), ('EQUAL', '='), ('HEREDOC_START', '<<A'), ('PLUS', '+'), ('STRING_BEGIN', '"'), ('EMBEXPR_BEGIN', '#{'), ('HEREDOC_START', '<<B'), ('EMBEXPR_END', '}'), ('STRING_END', '"'), ('STRING_CONTENT', 'a\n'), ('HEREDOC_END', 'A\n'), ('STRING_CONTENT', 'b\n'), ('HEREDOC_END', 'B\n')]),
    # A heredoc body that itself holds a string with interpolation.
    ('x = <<A\n#{"q#{1}"}\nA\n',
     [('IDENTIFIER', 'x'), ('EQUAL', '='), ('HEREDOC_START', '<<A'), ('EMBEXPR_BEGIN', '#{'), ('STRING_BEGIN', '"'), ('STRING_CONTENT', 'q'), ('EMBEXPR_BEGIN', '#{'), ('INTEGER', '1'), ('EMBEXPR_END', '}'), ('STRING_END', '"'), ('EMBEXPR_END', '}'), ('STRING_CONTENT', '\n'), ('HEREDOC_END', 'A\n')]),
    # Method call on the heredoc and code after it on the same line.
    ("foo(<<~EOS.strip, 1)\n  text\nEOS\n",
     [('IDENTIFIER', 'foo'), ('PARENTHESIS_LEFT', '('), ('HEREDOC_START', '<<~EOS'), ('DOT', '.'), ('IDENTIFIER', 'strip'), ('COMMA', ','), ('INTEGER', '1'), ('PARENTHESIS_RIGHT', ')'), ('STRING_CONTENT', '  text\n'), ('HEREDOC_END', 'EOS\n')]),
    # The terminator must stand alone on its line (<<A) or after indentation (<<-A, <<~A).
    ("x = <<A\n A\nA\n", [('IDENTIFIER', 'x'), ('EQUAL', '='), ('HEREDOC_START', '<<A'), ('STRING_CONTENT', ' A\n'), ('HEREDOC_END', 'A\n')]),
    ("x = <<A\nAB\nA\n", [('IDENTIFIER', 'x'), ('EQUAL', '='), ('HEREDOC_START', '<<A'), ('STRING_CONTENT', 'AB\n'), ('HEREDOC_END', 'A\n')]),
    ("x = <<A\nA", [('IDENTIFIER', 'x'), ('EQUAL', '='), ('HEREDOC_START', '<<A'), ('HEREDOC_END', 'A')]),
    ("x = <<A\r\nhi\r\nA\r\n", [('IDENTIFIER', 'x'), ('EQUAL', '='), ('HEREDOC_START', '<<A'), ('STRING_CONTENT', 'hi\r\n'), ('HEREDOC_END', 'A\r\n')]),
    # << as a shift operator, not a heredoc.
    ("a << b", [("IDENTIFIER", "a"), ("LESS_LESS", "<<"), ("IDENTIFIER", "b")]),
    ("x = 1; x <<b", [("IDENTIFIER", "x"), ("EQUAL", "="), ("INTEGER", "1"), ("SEMICOLON", ";"),
                      ("IDENTIFIER", "x"), ("LESS_LESS", "<<"), ("IDENTIFIER", "b")]),
    ("a <<= 1", [("IDENTIFIER", "a"), ("LESS_LESS_EQUAL", "<<="), ("INTEGER", "1")]),
    ("class << self; end", [("KEYWORD_CLASS", "class"), ("LESS_LESS", "<<"), ("KEYWORD_SELF", "self"),
                            ("SEMICOLON", ";"), ("KEYWORD_END", "end")]),
]


@pytest.mark.parametrize("src,expected", cases(HEREDOC_CASES))
def test_heredocs(src, expected):
    """Heredocs of every form, in source order, body from the newline ending the <<ID line."""
    check(src, expected)


def test_heredoc_newlines_and_positions():
    """prism: the newline ending the <<A line is a code token, the body starts on the next line,
    HEREDOC_END is the terminator line with its newline."""
    toks = [t for t in fastlex.tokenize("x = <<A\nhi\nA\ny\n") if t.type != Kind.EOF]
    got = [(t.type.name, t.string, t.start, t.end) for t in toks]
    assert got == [
        ("IDENTIFIER", "x", (1, 0), (1, 1)),
        ("EQUAL", "=", (1, 2), (1, 3)),
        ("HEREDOC_START", "<<A", (1, 4), (1, 7)),
        ("NEWLINE", "\n", (1, 7), (1, 8)),
        ("STRING_CONTENT", "hi\n", (2, 0), (2, 3)),
        ("HEREDOC_END", "A\n", (3, 0), (3, 2)),
        ("IDENTIFIER", "y", (4, 0), (4, 1)),
        ("NEWLINE", "\n", (4, 1), (4, 2)),
    ]


# --- symbols and labels -----------------------------------------------------

SYMBOL_CASES = [
    (":name", [('SYMBOL_BEGIN', ':'), ('IDENTIFIER', 'name')]),
    (":Name", [('SYMBOL_BEGIN', ':'), ('CONSTANT', 'Name')]),
    (":foo?", [('SYMBOL_BEGIN', ':'), ('METHOD_NAME', 'foo?')]),
    (":foo!", [('SYMBOL_BEGIN', ':'), ('METHOD_NAME', 'foo!')]),
    (":foo=", [('SYMBOL_BEGIN', ':'), ('IDENTIFIER', 'foo=')]),
    (":@iv", [('SYMBOL_BEGIN', ':'), ('INSTANCE_VARIABLE', '@iv')]),
    (":@@cv", [('SYMBOL_BEGIN', ':'), ('CLASS_VARIABLE', '@@cv')]),
    (":$gv", [('SYMBOL_BEGIN', ':'), ('GLOBAL_VARIABLE', '$gv')]),
    (":if", [('SYMBOL_BEGIN', ':'), ('KEYWORD_IF', 'if')]),
    (":nil?", [('SYMBOL_BEGIN', ':'), ('METHOD_NAME', 'nil?')]),
    (":[]", [('SYMBOL_BEGIN', ':'), ('BRACKET_LEFT_RIGHT', '[]')]),
    (":[]=", [('SYMBOL_BEGIN', ':'), ('BRACKET_LEFT_RIGHT_EQUAL', '[]=')]),
    (":<=>", [('SYMBOL_BEGIN', ':'), ('LESS_EQUAL_GREATER', '<=>')]),
    (":+@", [('SYMBOL_BEGIN', ':'), ('UPLUS', '+@')]),
    (":-@", [('SYMBOL_BEGIN', ':'), ('UMINUS', '-@')]),
    (":!", [('SYMBOL_BEGIN', ':'), ('BANG', '!')]),
    (":**", [('SYMBOL_BEGIN', ':'), ('STAR_STAR', '**')]),
    (":==", [('SYMBOL_BEGIN', ':'), ('EQUAL_EQUAL', '==')]),
    (":===", [('SYMBOL_BEGIN', ':'), ('EQUAL_EQUAL_EQUAL', '===')]),
    (":=~", [('SYMBOL_BEGIN', ':'), ('EQUAL_TILDE', '=~')]),
    (":<<", [('SYMBOL_BEGIN', ':'), ('LESS_LESS', '<<')]),
    (':"quoted"', [("SYMBOL_BEGIN", ':"'), ("STRING_CONTENT", "quoted"), ("STRING_END", '"')]),
    (':"quoted #{x}"', [("SYMBOL_BEGIN", ':"'), ("STRING_CONTENT", "quoted "), ("EMBEXPR_BEGIN", "#{"),
                        ("IDENTIFIER", "x"), ("EMBEXPR_END", "}"), ("STRING_END", '"')]),
    (":'single'", [("SYMBOL_BEGIN", ":'"), ("STRING_CONTENT", "single"), ("STRING_END", "'")]),
    ("[:a, :b]", [('BRACKET_LEFT_ARRAY', '['), ('SYMBOL_BEGIN', ':'), ('IDENTIFIER', 'a'), ('COMMA', ','), ('SYMBOL_BEGIN', ':'), ('IDENTIFIER', 'b'), ('BRACKET_RIGHT', ']')]),
    ("f :a", [('IDENTIFIER', 'f'), ('SYMBOL_BEGIN', ':'), ('IDENTIFIER', 'a')]),
    ("A::B", [("CONSTANT", "A"), ("COLON_COLON", "::"), ("CONSTANT", "B")]),
    ("{key: 1}", [('BRACE_LEFT_HASH', '{'), ('LABEL', 'key:'), ('INTEGER', '1'), ('BRACE_RIGHT', '}')]),
    ("{key?: 1}", [('BRACE_LEFT_HASH', '{'), ('LABEL', 'key?:'), ('INTEGER', '1'), ('BRACE_RIGHT', '}')]),
    ("{Key: 1}", [('BRACE_LEFT_HASH', '{'), ('LABEL', 'Key:'), ('INTEGER', '1'), ('BRACE_RIGHT', '}')]),
    ("f(a!: 1)", [('IDENTIFIER', 'f'), ('PARENTHESIS_LEFT', '('), ('LABEL', 'a!:'), ('INTEGER', '1'), ('PARENTHESIS_RIGHT', ')')]),
    ("x ? a.nil?: b", [("IDENTIFIER", "x"), ("QUESTION_MARK", "?"), ("IDENTIFIER", "a"), ("DOT", "."),
                       ("METHOD_NAME", "nil?"), ("COLON", ":"), ("IDENTIFIER", "b")]),
    ('{"str": 1}', [('BRACE_LEFT_HASH', '{'), ('STRING_BEGIN', '"'), ('STRING_CONTENT', 'str'), ('LABEL_END', '":'), ('INTEGER', '1'), ('BRACE_RIGHT', '}')]),
    ("{'s': 1}", [('BRACE_LEFT_HASH', '{'), ('STRING_BEGIN', "'"), ('STRING_CONTENT', 's'), ('LABEL_END', "':"), ('INTEGER', '1'), ('BRACE_RIGHT', '}')]),
    ("f(k: v)", [('IDENTIFIER', 'f'), ('PARENTHESIS_LEFT', '('), ('LABEL', 'k:'), ('IDENTIFIER', 'v'), ('PARENTHESIS_RIGHT', ')')]),
    ("def f(k:, j: 1); end",
     [('KEYWORD_DEF', 'def'), ('IDENTIFIER', 'f'), ('PARENTHESIS_LEFT', '('), ('LABEL', 'k:'), ('COMMA', ','), ('LABEL', 'j:'), ('INTEGER', '1'), ('PARENTHESIS_RIGHT', ')'), ('SEMICOLON', ';'), ('KEYWORD_END', 'end')]),
    ("a ? b : c", [("IDENTIFIER", "a"), ("QUESTION_MARK", "?"), ("IDENTIFIER", "b"), ("COLON", ":"),
                   ("IDENTIFIER", "c")]),
]


@pytest.mark.parametrize("src,expected", cases(SYMBOL_CASES))
def test_symbols_and_labels(src, expected):
    """Symbols are one SYMBOL token (quoted ones are literals); labels split into name and colon."""
    check(src, expected)


# --- lexer state: regexp vs division, unary vs binary, brace kinds -----------

STATE_CASES = [
    ("foo /x/", [("IDENTIFIER", "foo"), ("REGEXP_BEGIN", "/"), ("STRING_CONTENT", "x"), ("REGEXP_END", "/")]),
    ("foo / x", [("IDENTIFIER", "foo"), ("SLASH", "/"), ("IDENTIFIER", "x")]),
    ("foo/x", [("IDENTIFIER", "foo"), ("SLASH", "/"), ("IDENTIFIER", "x")]),
    ("x = 1; x /2", [("IDENTIFIER", "x"), ("EQUAL", "="), ("INTEGER", "1"), ("SEMICOLON", ";"),
                     ("IDENTIFIER", "x"), ("SLASH", "/"), ("INTEGER", "2")]),
    ("def m(x); x /2; end",
     [("KEYWORD_DEF", "def"), ("IDENTIFIER", "m"), ("PARENTHESIS_LEFT", "("), ("IDENTIFIER", "x"),
      ("PARENTHESIS_RIGHT", ")"), ("SEMICOLON", ";"), ("IDENTIFIER", "x"), ("SLASH", "/"), ("INTEGER", "2"),
      ("SEMICOLON", ";"), ("KEYWORD_END", "end")]),
    ("1 / 2", [("INTEGER", "1"), ("SLASH", "/"), ("INTEGER", "2")]),
    ("x /= 2", [("IDENTIFIER", "x"), ("SLASH_EQUAL", "/="), ("INTEGER", "2")]),
    # Escapes in regexps are tokens of their own, as in tree-sitter (Ripper keeps them in the content).
    ("/a\\/b/mix", [('REGEXP_BEGIN', '/'), ('STRING_CONTENT', 'a\\/b'), ('REGEXP_END', '/mix')]),
    ("/a#{b}c/o", [("REGEXP_BEGIN", "/"), ("STRING_CONTENT", "a"), ("EMBEXPR_BEGIN", "#{"), ("IDENTIFIER", "b"),
                   ("EMBEXPR_END", "}"), ("STRING_CONTENT", "c"), ("REGEXP_END", "/o")]),
    ("a =~ /x/", [("IDENTIFIER", "a"), ("EQUAL_TILDE", "=~"), ("REGEXP_BEGIN", "/"), ("STRING_CONTENT", "x"),
                  ("REGEXP_END", "/")]),
    ("if /x/; end", [("KEYWORD_IF", "if"), ("REGEXP_BEGIN", "/"), ("STRING_CONTENT", "x"), ("REGEXP_END", "/"),
                     ("SEMICOLON", ";"), ("KEYWORD_END", "end")]),
    ("(a) / 2", [('PARENTHESIS_LEFT_GROUPING', '('), ('IDENTIFIER', 'a'), ('PARENTHESIS_RIGHT', ')'), ('SLASH', '/'), ('INTEGER', '2')]),
    ("a.b -1", [("IDENTIFIER", "a"), ("DOT", "."), ("IDENTIFIER", "b"), ("UMINUS_NUM", "-"), ("INTEGER", "1")]),
    ("a.b - 1", [("IDENTIFIER", "a"), ("DOT", "."), ("IDENTIFIER", "b"), ("MINUS", "-"), ("INTEGER", "1")]),
    ("1 - 1", [("INTEGER", "1"), ("MINUS", "-"), ("INTEGER", "1")]),
    ("1-1", [("INTEGER", "1"), ("MINUS", "-"), ("INTEGER", "1")]),
    ("x = 1; x -1", [("IDENTIFIER", "x"), ("EQUAL", "="), ("INTEGER", "1"), ("SEMICOLON", ";"),
                     ("IDENTIFIER", "x"), ("MINUS", "-"), ("INTEGER", "1")]),
    ("-a", [("UMINUS", "-"), ("IDENTIFIER", "a")]),
    ("+a", [("UPLUS", "+"), ("IDENTIFIER", "a")]),
    ("a + b", [("IDENTIFIER", "a"), ("PLUS", "+"), ("IDENTIFIER", "b")]),
    ("p *a", [("IDENTIFIER", "p"), ("USTAR", "*"), ("IDENTIFIER", "a")]),
    ("a * b", [("IDENTIFIER", "a"), ("STAR", "*"), ("IDENTIFIER", "b")]),
    ("p **h", [("IDENTIFIER", "p"), ("USTAR_STAR", "**"), ("IDENTIFIER", "h")]),
    ("a ** b", [("IDENTIFIER", "a"), ("STAR_STAR", "**"), ("IDENTIFIER", "b")]),
    ("a **b", [("IDENTIFIER", "a"), ("USTAR_STAR", "**"), ("IDENTIFIER", "b")]),
    ("a **= b", [("IDENTIFIER", "a"), ("STAR_STAR_EQUAL", "**="), ("IDENTIFIER", "b")]),
    ("p &b", [("IDENTIFIER", "p"), ("UAMPERSAND", "&"), ("IDENTIFIER", "b")]),
    ("a & b", [("IDENTIFIER", "a"), ("AMPERSAND", "&"), ("IDENTIFIER", "b")]),
    ("a.map(&:x)", [('IDENTIFIER', 'a'), ('DOT', '.'), ('IDENTIFIER', 'map'), ('PARENTHESIS_LEFT', '('), ('UAMPERSAND', '&'), ('SYMBOL_BEGIN', ':'), ('IDENTIFIER', 'x'), ('PARENTHESIS_RIGHT', ')')]),
    ("a[1]", [("IDENTIFIER", "a"), ("BRACKET_LEFT", "["), ("INTEGER", "1"), ("BRACKET_RIGHT", "]")]),
    ("[1]", [("BRACKET_LEFT_ARRAY", "["), ("INTEGER", "1"), ("BRACKET_RIGHT", "]")]),
    ("p [1]", [("IDENTIFIER", "p"), ("BRACKET_LEFT_ARRAY", "["), ("INTEGER", "1"), ("BRACKET_RIGHT", "]")]),
    ("f { 1 }", [('IDENTIFIER', 'f'), ('BRACE_LEFT', '{'), ('INTEGER', '1'), ('BRACE_RIGHT', '}')]),
    ("f(1) { |x| x }", [('IDENTIFIER', 'f'), ('PARENTHESIS_LEFT', '('), ('INTEGER', '1'), ('PARENTHESIS_RIGHT', ')'), ('BRACE_LEFT', '{'), ('PIPE', '|'), ('IDENTIFIER', 'x'), ('PIPE', '|'), ('IDENTIFIER', 'x'), ('BRACE_RIGHT', '}')]),
    ("x = {}", [('IDENTIFIER', 'x'), ('EQUAL', '='), ('BRACE_LEFT_HASH', '{'), ('BRACE_RIGHT', '}')]),
    ("f({})", [('IDENTIFIER', 'f'), ('PARENTHESIS_LEFT', '('), ('BRACE_LEFT_HASH', '{'), ('BRACE_RIGHT', '}'), ('PARENTHESIS_RIGHT', ')')]),
    ("-> { 1 }", [("MINUS_GREATER", "->"), ("LAMBDA_BEGIN", "{"), ("INTEGER", "1"), ("BRACE_RIGHT", "}")]),
    ("->(x) { x }", [("MINUS_GREATER", "->"), ("PARENTHESIS_LEFT", "("), ("IDENTIFIER", "x"),
                     ("PARENTHESIS_RIGHT", ")"), ("LAMBDA_BEGIN", "{"), ("IDENTIFIER", "x"), ("BRACE_RIGHT", "}")]),
    ("->(x) do end", [('MINUS_GREATER', '->'), ('PARENTHESIS_LEFT', '('), ('IDENTIFIER', 'x'), ('PARENTHESIS_RIGHT', ')'), ('KEYWORD_DO_LAMBDA', 'do'), ('KEYWORD_END', 'end')]),
    ("a&.b", [("IDENTIFIER", "a"), ("AMPERSAND_DOT", "&."), ("IDENTIFIER", "b")]),
    ("def f(...) = g(...)",
     [("KEYWORD_DEF", "def"), ("IDENTIFIER", "f"), ("PARENTHESIS_LEFT", "("), ("UDOT_DOT_DOT", "..."),
      ("PARENTHESIS_RIGHT", ")"), ("EQUAL", "="), ("IDENTIFIER", "g"), ("PARENTHESIS_LEFT", "("),
      ("UDOT_DOT_DOT", "..."), ("PARENTHESIS_RIGHT", ")")]),
    ("a .. b", [("IDENTIFIER", "a"), ("DOT_DOT", ".."), ("IDENTIFIER", "b")]),
    ("a ..b", [("IDENTIFIER", "a"), ("DOT_DOT", ".."), ("IDENTIFIER", "b")]),
    ("p(a ... b)", [("IDENTIFIER", "p"), ("PARENTHESIS_LEFT", "("), ("IDENTIFIER", "a"), ("DOT_DOT_DOT", "..."),
                    ("IDENTIFIER", "b"), ("PARENTHESIS_RIGHT", ")")]),
    ("x = ..2", [("IDENTIFIER", "x"), ("EQUAL", "="), ("UDOT_DOT", ".."), ("INTEGER", "2")]),
    ("(..2)", [('PARENTHESIS_LEFT_GROUPING', '('), ('UDOT_DOT', '..'), ('INTEGER', '2'), ('PARENTHESIS_RIGHT', ')')]),
    ("x => y", [("IDENTIFIER", "x"), ("EQUAL_GREATER", "=>"), ("IDENTIFIER", "y")]),
    ("{1 => 2}", [('BRACE_LEFT_HASH', '{'), ('INTEGER', '1'), ('EQUAL_GREATER', '=>'), ('INTEGER', '2'), ('BRACE_RIGHT', '}')]),
    ("a <=> b", [("IDENTIFIER", "a"), ("LESS_EQUAL_GREATER", "<=>"), ("IDENTIFIER", "b")]),
    ("a === b", [("IDENTIFIER", "a"), ("EQUAL_EQUAL_EQUAL", "==="), ("IDENTIFIER", "b")]),
    ("a !~ b", [("IDENTIFIER", "a"), ("BANG_TILDE", "!~"), ("IDENTIFIER", "b")]),
    ("a ||= b", [("IDENTIFIER", "a"), ("PIPE_PIPE_EQUAL", "||="), ("IDENTIFIER", "b")]),
    ("a &&= b", [("IDENTIFIER", "a"), ("AMPERSAND_AMPERSAND_EQUAL", "&&="), ("IDENTIFIER", "b")]),
    ("a >>= b", [("IDENTIFIER", "a"), ("GREATER_GREATER_EQUAL", ">>="), ("IDENTIFIER", "b")]),
    ("!a", [("BANG", "!"), ("IDENTIFIER", "a")]),
    ("~a", [("TILDE", "~"), ("IDENTIFIER", "a")]),
    ("a ^ b", [("IDENTIFIER", "a"), ("CARET", "^"), ("IDENTIFIER", "b")]),
    ("case x; in [a, *b] then 1; in {k:} then 2; end",
     [('KEYWORD_CASE', 'case'), ('IDENTIFIER', 'x'), ('SEMICOLON', ';'), ('KEYWORD_IN', 'in'), ('BRACKET_LEFT_ARRAY', '['), ('IDENTIFIER', 'a'), ('COMMA', ','), ('USTAR', '*'), ('IDENTIFIER', 'b'), ('BRACKET_RIGHT', ']'), ('KEYWORD_THEN', 'then'), ('INTEGER', '1'), ('SEMICOLON', ';'), ('KEYWORD_IN', 'in'), ('BRACE_LEFT_HASH', '{'), ('LABEL', 'k:'), ('BRACE_RIGHT', '}'), ('KEYWORD_THEN', 'then'), ('INTEGER', '2'), ('SEMICOLON', ';'), ('KEYWORD_END', 'end')]),
    ("case x\nin Integer | Float => n\nend",
     [("KEYWORD_CASE", "case"), ("IDENTIFIER", "x"), ("KEYWORD_IN", "in"), ("CONSTANT", "Integer"), ("PIPE", "|"),
      ("CONSTANT", "Float"), ("EQUAL_GREATER", "=>"), ("IDENTIFIER", "n"), ("KEYWORD_END", "end")]),
    ("case x\nin ^y then 1\nend",
     [("KEYWORD_CASE", "case"), ("IDENTIFIER", "x"), ("KEYWORD_IN", "in"), ("CARET", "^"), ("IDENTIFIER", "y"),
      ("KEYWORD_THEN", "then"), ("INTEGER", "1"), ("KEYWORD_END", "end")]),
    ("x in [1, *]", [("IDENTIFIER", "x"), ("KEYWORD_IN", "in"), ("BRACKET_LEFT_ARRAY", "["), ("INTEGER", "1"),
                     ("COMMA", ","), ("USTAR", "*"), ("BRACKET_RIGHT", "]")]),
]


@pytest.mark.parametrize("src,expected", cases(STATE_CASES))
def test_lexer_state(src, expected):
    """Kinds that depend on lexer state: regexp vs division, unary vs binary, brace kinds."""
    check(src, expected)


# --- newlines ---------------------------------------------------------------

NEWLINE_CASES = [
    ("a\nb", [("IDENTIFIER", "a"), ("NEWLINE", "\n"), ("IDENTIFIER", "b")]),
    # Blank lines and newlines inside an expression are IGNORED_NEWLINE (prism).
    ("a\n\n\nb", [("IDENTIFIER", "a"), ("NEWLINE", "\n"), ("IGNORED_NEWLINE", "\n"), ("IGNORED_NEWLINE", "\n"),
                   ("IDENTIFIER", "b")]),
    ("a +\nb", [("IDENTIFIER", "a"), ("PLUS", "+"), ("IGNORED_NEWLINE", "\n"), ("IDENTIFIER", "b")]),
    ("a\n  .b", [("IDENTIFIER", "a"), ("IGNORED_NEWLINE", "\n"), ("DOT", "."), ("IDENTIFIER", "b")]),
    # prism: a \r\n line break is one token.
    ("a\r\nb", [("IDENTIFIER", "a"), ("NEWLINE", "\r\n"), ("IDENTIFIER", "b")]),
    # Ruby ends the statement "2" at its newline even inside parentheses (Ripper: on_nl).
    ("f(\n1,\n2\n)", [("IDENTIFIER", "f"), ("PARENTHESIS_LEFT", "("), ("IGNORED_NEWLINE", "\n"), ("INTEGER", "1"),
                      ("COMMA", ","), ("IGNORED_NEWLINE", "\n"), ("INTEGER", "2"), ("NEWLINE", "\n"),
                      ("PARENTHESIS_RIGHT", ")")]),
    ("# c\nx", [("COMMENT", "# c"), ("IGNORED_NEWLINE", "\n"), ("IDENTIFIER", "x")]),
    ("x # c\ny", [("IDENTIFIER", "x"), ("COMMENT", "# c"), ("NEWLINE", "\n"), ("IDENTIFIER", "y")]),
    ("x.\n  class", [("IDENTIFIER", "x"), ("DOT", "."), ("IGNORED_NEWLINE", "\n"), ("IDENTIFIER", "class")]),
    # The newline before heredoc bodies: a .method after them makes it IGNORED_NEWLINE.
    ("x = <<~E.strip\n  a\nE\n  .y\n", [("IDENTIFIER", "x"), ("EQUAL", "="), ("HEREDOC_START", "<<~E"), ("DOT", "."),
                                      ("IDENTIFIER", "strip"), ("IGNORED_NEWLINE", "\n"), ("STRING_CONTENT", "  a\n"),
                                      ("HEREDOC_END", "E\n"), ("DOT", "."), ("IDENTIFIER", "y"), ("NEWLINE", "\n")]),
]


@pytest.mark.parametrize("src,expected", cases(NEWLINE_CASES))
def test_newlines(src, expected):
    """A NEWLINE token ends a statement; newlines inside expressions and blank lines are IGNORED_NEWLINE."""
    check(src, expected, skip=("EOF",))


# --- comments, embedded documents, magic comments, __END__ -------------------

COMMENT_CASES = [
    ("# c\nx # d", [("COMMENT", "# c"), ("IDENTIFIER", "x"), ("COMMENT", "# d")]),
    ("x # d\ny", [("IDENTIFIER", "x"), ("COMMENT", "# d"), ("IDENTIFIER", "y")]),
    ("#", [("COMMENT", "#")]),
    # prism: =begin blocks line by line, each line with its newline.
    ("=begin\nx\n=end\ny", [("EMBDOC_BEGIN", "=begin\n"), ("EMBDOC_LINE", "x\n"), ("EMBDOC_END", "=end\n"),
                            ("IDENTIFIER", "y")]),
    ("=begin foo\n  x\n=end bar\ny", [("EMBDOC_BEGIN", "=begin foo\n"), ("EMBDOC_LINE", "  x\n"),
                                    ("EMBDOC_END", "=end bar\n"), ("IDENTIFIER", "y")]),
    ("x\n=begin\n=end\n", [("IDENTIFIER", "x"), ("EMBDOC_BEGIN", "=begin\n"), ("EMBDOC_END", "=end\n")]),
    # Magic comments are comments to prism.
    ("# frozen_string_literal: true\nx", [("COMMENT", "# frozen_string_literal: true"), ("IDENTIFIER", "x")]),
    ("# -*- coding: utf-8 -*-\nx", [("COMMENT", "# -*- coding: utf-8 -*-"), ("IDENTIFIER", "x")]),
    ("# encoding: utf-8\nx", [("COMMENT", "# encoding: utf-8"), ("IDENTIFIER", "x")]),
    ("#!/usr/bin/env ruby\n# frozen_string_literal: true\nx",
     [("COMMENT", "#!/usr/bin/env ruby"), ("COMMENT", "# frozen_string_literal: true"),
      ("IDENTIFIER", "x")]),
    ("x\n# frozen_string_literal: true\n", [("IDENTIFIER", "x"), ("COMMENT", "# frozen_string_literal: true")]),
    # prism: __END__ and the data after it are one token.
    ("x\n__END__\ndata\nmore", [("IDENTIFIER", "x"), ("KEYWORD___END__", "__END__\ndata\nmore")]),
    ("__END__\n", [("KEYWORD___END__", "__END__\n")]),
    ("__END__", [("KEYWORD___END__", "__END__")]),
    # __END__ counts only alone on its line.
    ("__END__ x", [("IDENTIFIER", "__END__"), ("IDENTIFIER", "x")]),
    ("x = __END__", [("IDENTIFIER", "x"), ("EQUAL", "="), ("IDENTIFIER", "__END__")]),
]


@pytest.mark.parametrize("src,expected", cases(COMMENT_CASES))
def test_comments_and_data(src, expected):
    """Comments (magic ones too), =begin/=end line by line, __END__ with its data."""
    check(src, expected)


# --- order and positions ----------------------------------------------------

def test_tokens_in_source_order():
    """Tokens come in source order, heredoc bodies included."""
    src = "a(<<A, <<B) + c\nx\nA\ny\nB\nd\n"
    toks = list(fastlex.tokenize(src))
    offsets = [t.start_offset for t in toks]
    assert offsets == sorted(offsets)


POSITION_SRC = 'é = "ü€"\n  naïve # ç\n'


def test_positions_str_count_code_points():
    """For str input, columns count code points."""
    got = [(t.type.name, t.string, t.start, t.end) for t in fastlex.tokenize(POSITION_SRC)]
    assert got == [
        ("IDENTIFIER", "é", (1, 0), (1, 1)),
        ("EQUAL", "=", (1, 2), (1, 3)),
        ("STRING_BEGIN", '"', (1, 4), (1, 5)),
        ("STRING_CONTENT", "ü€", (1, 5), (1, 7)),
        ("STRING_END", '"', (1, 7), (1, 8)),
        ("NEWLINE", "\n", (1, 8), (1, 9)),
        ("IDENTIFIER", "naïve", (2, 2), (2, 7)),
        ("COMMENT", "# ç", (2, 8), (2, 11)),
        ("NEWLINE", "\n", (2, 11), (2, 12)),
        ("EOF", "\n", (2, 11), (2, 12)),
    ]


def test_positions_bytes_count_bytes():
    """For bytes input, columns count bytes; texts are the same."""
    got = [(t.type.name, t.string, t.start, t.end) for t in fastlex.tokenize(POSITION_SRC.encode())]
    assert got == [
        ("IDENTIFIER", "é", (1, 0), (1, 2)),
        ("EQUAL", "=", (1, 3), (1, 4)),
        ("STRING_BEGIN", '"', (1, 5), (1, 6)),
        ("STRING_CONTENT", "ü€", (1, 6), (1, 11)),
        ("STRING_END", '"', (1, 11), (1, 12)),
        ("NEWLINE", "\n", (1, 12), (1, 13)),
        ("IDENTIFIER", "naïve", (2, 2), (2, 8)),
        ("COMMENT", "# ç", (2, 9), (2, 13)),
        ("NEWLINE", "\n", (2, 13), (2, 14)),
        ("EOF", "\n", (2, 13), (2, 14)),
    ]


def test_offsets_are_bytes_for_both_inputs():
    """start_offset/end_offset are UTF-8 byte offsets whatever the input type."""
    for src in (POSITION_SRC, POSITION_SRC.encode()):
        toks = fastlex.tokenize(src)
        assert [(t.start_offset, t.end_offset) for t in toks][:4] == [(0, 2), (3, 4), (5, 6), (6, 11)]


def test_multiline_token_positions():
    """A token spanning lines starts on its first line and ends on its last."""
    toks = [t for t in fastlex.tokenize('"a\nbé" c') if t.type != Kind.EOF]
    assert [(t.string, t.start, t.end) for t in toks] == [
        ('"', (1, 0), (1, 1)), ("a\nbé", (1, 1), (2, 2)), ('"', (2, 2), (2, 3)), ("c", (2, 4), (2, 5))]


def test_line_attribute():
    """Token.line is the physical line(s) holding the token, newline included."""
    toks = fastlex.tokenize("x = 1\ny = 'a\nb'\n")
    by_text = {t.string: t for t in toks}
    assert by_text["x"].line == "x = 1\n"
    assert by_text["y"].line == "y = 'a\n"
    assert by_text["a\nb"].line == "y = 'a\nb'\n"
    last = fastlex.tokenize("a\nlast")[-2]
    assert (last.string, last.line) == ("last", "last")


def test_crlf_positions():
    """\\r\\n line ends: the NEWLINE token is the \\r\\n (prism), the next line starts after it."""
    toks = list(fastlex.tokenize("a\r\nb"))
    assert [(t.type.name, t.start, t.end) for t in toks] == [
        ("IDENTIFIER", (1, 0), (1, 1)), ("NEWLINE", (1, 1), (1, 3)), ("IDENTIFIER", (2, 0), (2, 1)),
        ("EOF", (2, 1), (2, 1))]
