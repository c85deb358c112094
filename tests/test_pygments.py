"""fastlex's Pygments plugin (fastlex.pygments.RubyLexer, alias fastruby).

Round trip on the whole corpus, the kind -> token type mapping, rendering
through HtmlFormatter, lookup through the entry point, and agreement with
Pygments' own RubyLexer on a sample of the corpus.
"""
import array
import html
import os
import re
import subprocess
import sys

import pytest

pygments = pytest.importorskip("pygments", reason="the pygments extra is needed: pip install 'fastlex[pygments]'")

from pygments.formatters import HtmlFormatter  # noqa: E402
from pygments.lexers import (  # noqa: E402
    find_lexer_class_for_filename, get_lexer_by_name, get_lexer_for_mimetype)
from pygments.lexers.ruby import RubyLexer as PygmentsRubyLexer  # noqa: E402
from pygments.token import (  # noqa: E402
    Comment, Keyword, Name, Number, Operator, Punctuation, String, Text, Token, string_to_tokentype)

from fastlex import Kind  # noqa: E402
from fastlex.pygments import TOKEN_TYPES, RubyLexer  # noqa: E402
from buildtree import load_script  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The agreement measure is shared with the full-corpus script bench/pygments_agreement.py.
agreement = load_script("bench/pygments_agreement.py")


from corpus import corpus_files  # noqa: E402  (shared corpus lookup)


def triples(src, **options):
    """get_tokens_unprocessed of a raw (no preprocessing) plugin lexer, as a list."""
    return list(RubyLexer(stripnl=False, ensurenl=False, **options).get_tokens_unprocessed(src))


def types_of(src):
    """(token type, value) of every token of src but the white space between tokens (Text)."""
    return [(t, v) for _, t, v in triples(src) if t not in Text]


def assert_exact(src, toks):
    """The triples cover src exactly: values concatenate to it, each index is where its value sits."""
    assert "".join(v for _, _, v in toks) == src
    pos = 0
    for index, ttype, value in toks:
        assert index == pos, (index, pos, value)
        assert value, "empty token"
        assert ttype in Token
        pos += len(value)


# -- lookup and packaging -------------------------------------------------------------------------

def test_lookup_by_alias_goes_through_the_entry_point():
    lexer = get_lexer_by_name("fastruby")
    assert isinstance(lexer, RubyLexer)
    assert lexer.name == "Ruby (fastlex)"
    from pygments.plugin import find_plugin_lexers
    assert RubyLexer in list(find_plugin_lexers())


def test_rb_files_still_go_to_pygments_own_lexer():
    # Installing fastlex must not change what pygmentize picks for *.rb.
    assert find_lexer_class_for_filename("app.rb") is PygmentsRubyLexer
    assert find_lexer_class_for_filename("app.rb", "puts 1\n") is PygmentsRubyLexer
    assert type(get_lexer_for_mimetype("text/x-ruby")) is PygmentsRubyLexer


def test_pygmentize_finds_the_alias(tmp_path):
    src = tmp_path / "hello.rb"
    src.write_text("def hello = puts('hi')\n")
    out = subprocess.run([sys.executable, "-m", "pygments", "-l", "fastruby", "-f", "raw", str(src)],
                         capture_output=True, text=True, check=True).stdout
    assert "Token.Name.Function\t'hello'" in out
    assert "Token.Literal.String.Single\t'hi'" in out


def test_import_fastlex_does_not_import_pygments():
    code = "import sys, fastlex; fastlex.tokenize('x = 1'); print('pygments' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


# -- mapping --------------------------------------------------------------------------------------

def read_mapping_tsv():
    """kind -> dotted type, as grammars/ruby/pygments.tsv says."""
    rows = {}
    with open(os.path.join(ROOT, "grammars", "ruby", "pygments.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                kind, ttype, reason = line.rstrip("\n").split("\t")
                assert reason.strip(), f"{kind}: no reason given"
                rows[kind] = ttype
    return rows


def test_every_kind_has_a_pygments_type():
    rows = read_mapping_tsv()
    assert set(rows) == {k.name for k in Kind}
    for kind in Kind:
        ttype = TOKEN_TYPES[kind]
        assert ttype in Token
        assert ttype is string_to_tokentype(rows[kind.name]), f"{kind.name}: built table is stale"


def test_types_of_kinds():
    assert TOKEN_TYPES[Kind.KEYWORD_IF] is Keyword
    assert TOKEN_TYPES[Kind.KEYWORD_NIL] is Keyword.Pseudo
    assert TOKEN_TYPES[Kind.KEYWORD_AND] is Operator.Word
    assert TOKEN_TYPES[Kind.INSTANCE_VARIABLE] is Name.Variable.Instance
    assert TOKEN_TYPES[Kind.CLASS_VARIABLE] is Name.Variable.Class
    assert TOKEN_TYPES[Kind.GLOBAL_VARIABLE] is Name.Variable.Global
    assert TOKEN_TYPES[Kind.SYMBOL_BEGIN] is String.Symbol
    assert TOKEN_TYPES[Kind.EMBDOC_LINE] is Comment.Multiline
    assert TOKEN_TYPES[Kind.COMMA] is Punctuation
    assert TOKEN_TYPES[Kind.PLUS] is Operator


@pytest.mark.parametrize("src, expected", [
    ("class Foo < Bar::Baz; end",
     [(Keyword, "class"), (Name.Class, "Foo"), (Operator, "<"), (Name.Constant, "Bar"), (Operator, "::"),
      (Name.Constant, "Baz"), (Punctuation, ";"), (Keyword, "end")]),
    ("class A::B; end", [(Keyword, "class"), (Name.Class, "A"), (Operator, "::"), (Name.Class, "B"),
                         (Punctuation, ";"), (Keyword, "end")]),
    ("module M::N\nend", [(Keyword, "module"), (Name.Namespace, "M"), (Operator, "::"), (Name.Namespace, "N"),
                          (Keyword, "end")]),
    ("class << self; end", [(Keyword, "class"), (Operator, "<<"), (Keyword.Pseudo, "self"),
                            (Punctuation, ";"), (Keyword, "end")]),
    ("def foo(a) end", [(Keyword, "def"), (Name.Function, "foo"), (Punctuation, "("), (Name, "a"),
                        (Punctuation, ")"), (Keyword, "end")]),
    ("def self.bar; end", [(Keyword, "def"), (Keyword.Pseudo, "self"), (Operator, "."), (Name.Function, "bar"),
                           (Punctuation, ";"), (Keyword, "end")]),
    ("def ==(o) end", [(Keyword, "def"), (Name.Function, "=="), (Punctuation, "("), (Name, "o"),
                       (Punctuation, ")"), (Keyword, "end")]),
    ("def x=(v) end", [(Keyword, "def"), (Name.Function, "x="), (Punctuation, "("),
                       (Name, "v"), (Punctuation, ")"), (Keyword, "end")]),
    ("x = nil or true and not false",
     [(Name, "x"), (Operator, "="), (Keyword.Pseudo, "nil"), (Operator.Word, "or"), (Keyword.Pseudo, "true"),
      (Operator.Word, "and"), (Operator.Word, "not"), (Keyword.Pseudo, "false")]),
    ("@a + @@b + $c + $1", [(Name.Variable.Instance, "@a"), (Operator, "+"), (Name.Variable.Class, "@@b"),
                            (Operator, "+"), (Name.Variable.Global, "$c"), (Operator, "+"),
                            (Name.Variable.Global, "$1")]),
    ('"a#{b}\\n"', [(String.Double, '"'), (String.Double, "a"), (String.Interpol, "#{"), (Name, "b"),
                    (String.Interpol, "}"), (String.Escape, "\\n"), (String.Double, '"')]),
    ('"#@x"', [(String.Double, '"'), (String.Interpol, "#"), (String.Interpol, "@x"), (String.Double, '"')]),
    ("'a'", [(String.Single, "'"), (String.Single, "a"), (String.Single, "'")]),
    ("%w[a b]", [(String.Other, "%w["), (String.Other, "a"), (String.Other, " "), (String.Other, "b"),
                 (String.Other, "]")]),
    ("%q(a)", [(String.Other, "%q("), (String.Other, "a"), (String.Other, ")")]),
    ("`ls`", [(String.Backtick, "`"), (String.Backtick, "ls"), (String.Backtick, "`")]),
    ("x =~ /a#{b}/i", [(Name, "x"), (Operator, "=~"), (String.Regex, "/"), (String.Regex, "a"),
                       (String.Interpol, "#{"), (Name, "b"), (String.Interpol, "}"), (String.Regex, "/i")]),
    (':a; :"b"', [(String.Symbol, ":"), (String.Symbol, "a"), (Punctuation, ";"), (String.Symbol, ':"'), (String.Symbol, "b"),
                  (String.Symbol, '"')]),
    ("f(k: 1)", [(Name, "f"), (Punctuation, "("), (String.Symbol, "k:"),
                 (Number.Integer, "1"), (Punctuation, ")")]),
    ("[1, 1.5, 0x1F, 0b10, 017, 0o7, 3r, ?a]",
     [(Punctuation, "["), (Number.Integer, "1"), (Punctuation, ","), (Number.Float, "1.5"), (Punctuation, ","),
      (Number.Hex, "0x1F"), (Punctuation, ","), (Number.Bin, "0b10"), (Punctuation, ","), (Number.Oct, "017"),
      (Punctuation, ","), (Number.Oct, "0o7"), (Punctuation, ","), (Number, "3r"), (Punctuation, ","),
      (String.Char, "?a"), (Punctuation, "]")]),
    ("x = <<~EOS\n  hi #{y}\nEOS\n",
     [(Name, "x"), (Operator, "="), (String.Heredoc, "<<~EOS"), (String.Heredoc, "  hi "),
      (String.Interpol, "#{"), (Name, "y"), (String.Interpol, "}"), (String.Heredoc, "\n"),
      (String.Heredoc, "EOS\n")]),
    ("f(<<~A, 'b')\nx\nA\n", [(Name, "f"), (Punctuation, "("), (String.Heredoc, "<<~A"), (Punctuation, ","),
                             (String.Single, "'"), (String.Single, "b"), (String.Single, "'"),
                             (Punctuation, ")"), (String.Heredoc, "x\n"),
                             (String.Heredoc, "A\n")]),
    ("#!/usr/bin/env ruby\n# frozen_string_literal: true\n# hi\n",
     [(Comment.Hashbang, "#!/usr/bin/env ruby"), (Comment.Single, "# frozen_string_literal: true"),
      (Comment.Single, "# hi")]),
    ("=begin\ndoc\n=end\n__END__\ndata\n",
     [(Comment.Multiline, "=begin\n"), (Comment.Multiline, "doc\n"), (Comment.Multiline, "=end\n"),
      (Comment.Preproc, "__END__\ndata\n")]),
    ("puts x; foo.puts; attr_reader :a; self.raise",
     [(Name.Builtin, "puts"), (Name, "x"), (Punctuation, ";"), (Name, "foo"), (Operator, "."), (Name, "puts"),
      (Punctuation, ";"), (Keyword.Pseudo, "attr_reader"), (String.Symbol, ":"), (String.Symbol, "a"),
      (Punctuation, ";"),
      (Keyword.Pseudo, "self"), (Operator, "."), (Name, "raise")]),
    ("__FILE__", [(Name.Builtin.Pseudo, "__FILE__")]),
])
def test_snippet_types(src, expected):
    assert_exact(src, triples(src))
    assert types_of(src) == expected


def test_white_space_is_text_whitespace_and_line_breaks_join_indentation():
    toks = triples("if x\n  y\nend\n")
    assert [(t, v) for _, t, v in toks] == [
        (Keyword, "if"), (Text.Whitespace, " "), (Name, "x"), (Text.Whitespace, "\n  "), (Name, "y"),
        (Text.Whitespace, "\n"), (Keyword, "end"), (Text.Whitespace, "\n")]


def test_line_continuation_is_text():
    toks = triples("x = 1 \\\n  + 2\n")
    assert (Text, " \\\n  ") in [(t, v) for _, t, v in toks]


# -- exact round trip -----------------------------------------------------------------------------

@pytest.mark.parametrize("src", [
    "", " ", "\n", "\n\n", "x", "x\n", "  puts 1  \n\n", "\t\tx\r\ny", "é = 1", "# 日本語\nx = '😀'\n",
    "s = \"\u3000\" + 'é😀日本'\n", "\udc80 = 1", "def 名前; end", "%w[é 😀 x]\n", "<<~A\n  é\nA\n",
    "x = \"unterminated\n", "\x00\x01", "=begin\nno end", "__END__\néé",
])
def test_round_trip_edge_cases(src):
    assert_exact(src, triples(src))


def test_indices_count_characters_not_bytes():
    src = "a = 'é😀'; b = :日本\n"
    toks = triples(src)
    assert_exact(src, toks)
    by_value = {v: i for i, _, v in toks}
    assert by_value["b"] == src.index("b")
    assert by_value["日本"] == src.index("日本")


def test_preprocessing_options_are_honoured():
    src = "\n\nif x\n\tputs 1\nend"
    lexer = RubyLexer()  # stripnl and ensurenl on, as Pygments' default
    assert "".join(v for _, v in lexer.get_tokens(src)) == "if x\n\tputs 1\nend\n"
    tabbed = RubyLexer(tabsize=4)
    assert "".join(v for _, v in tabbed.get_tokens(src)) == "if x\n    puts 1\nend\n"
    raw = RubyLexer(stripnl=False, ensurenl=False)
    assert "".join(v for _, v in raw.get_tokens(src)) == src
    stripped = RubyLexer(stripall=True)
    assert "".join(v for _, v in stripped.get_tokens("  x  \n")) == "x\n"
    assert "".join(v for _, v in lexer.get_tokens(b"puts 1\r\n")) == "puts 1\n"  # bytes, CRLF


def test_filters_apply():
    lexer = get_lexer_by_name("fastruby")
    lexer.add_filter("keywordcase", case="upper")
    assert ("".join(v for _, v in lexer.get_tokens("if x then y end\n"))) == "IF x THEN y END\n"


def test_corpus_round_trip():
    lexer = get_lexer_by_name("fastruby")
    raw = get_lexer_by_name("fastruby", stripnl=False, ensurenl=False)
    for path in corpus_files():
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        toks = list(raw.get_tokens_unprocessed(text))
        assert "".join(v for _, _, v in toks) == text, path
        assert all(text.startswith(v, i) for i, _, v in toks), path
        assert "".join(v for _, v in pygments.lex(text, raw)) == text.replace("\r\n", "\n").replace("\r", "\n"), path
        processed = "".join(v for _, v in pygments.lex(text, lexer))
        assert processed == lexer._preprocess_lexer_input(text), path
        assert processed == text.replace("\r\n", "\n").replace("\r", "\n").strip("\n") + "\n", path


# -- rendering ------------------------------------------------------------------------------------

def test_html_rendering():
    src = "class Foo\n  def bar = @x.to_s + \"a#{1}\" # c\nend\n"
    out = pygments.highlight(src, get_lexer_by_name("fastruby"), HtmlFormatter())
    assert '<span class="k">class</span>' in out
    assert '<span class="nc">Foo</span>' in out
    assert '<span class="nf">bar</span>' in out
    assert '<span class="vi">@x</span>' in out
    assert '<span class="si">#{</span>' in out
    assert '<span class="c1"># c</span>' in out
    body = re.search(r"<pre>(.*)</pre>", out, re.S).group(1)
    assert html.unescape(re.sub(r"<[^>]+>", "", body)) == src


# -- agreement with Pygments' own RubyLexer -------------------------------------------------------

AGREEMENT_FILES = 60  # spread over the corpus; bench/pygments_agreement.py measures all of it


def test_agreement_with_pygments_rubylexer():
    # Per character, the category of the token type covering it: the level under Token
    # (Keyword, Name, Operator, Punctuation, Comment, Text...), with Literal split into
    # Literal.String and Literal.Number. See bench/pygments_agreement.py.
    files = corpus_files()
    step = len(files) / AGREEMENT_FILES
    sample = [files[int(i * step)] for i in range(AGREEMENT_FILES)]
    fast, pyg = RubyLexer(), PygmentsRubyLexer()
    same = same_nonspace = chars = nonspace = 0
    for path in sample:
        a, b, c, d = agreement.compare(agreement.read_text(path), fast, pyg, agreement.fine_category)
        same, same_nonspace, chars, nonspace = same + a, same_nonspace + b, chars + c, nonspace + d
    assert chars > 200_000
    assert same / chars >= 0.85, f"{same / chars:.4f} of characters agree"
    assert same_nonspace / nonspace >= 0.85, f"{same_nonspace / nonspace:.4f} of non-space characters agree"


# -- get_tokens over the C token stream (fastlex/_stream.pyx) -------------------------------------

from pygments.lexer import Lexer as PygmentsLexer  # noqa: E402

import fastlex  # noqa: E402
from fastlex import _stream  # noqa: E402
from fastlex.pygments import TABLES  # noqa: E402

REFERENCE_TEXTS = [
    "", "\n", "  \n\n", "puts 1", "\n\nif x\n\tputs 1\nend", "  x = 1  \n\n\n", "a\r\nb\rc\n",
    "\ufeffputs 1\n", "# é 😀 日本\ns = \"\u3000\" + 'é'\n", "def 名前(x) = x\n", "%w[é 😀\tx]\n",
    "class Foo::Bar\n\tdef self.baz=(v)\n\t\t@v = v # ok\n\tend\nend\n", "\udc80 = 1\n",
]


@pytest.mark.parametrize("options", [
    {}, {"stripnl": False, "ensurenl": False}, {"stripall": True}, {"tabsize": 4},
    {"stripnl": False, "tabsize": 2}, {"ensurenl": False},
])
def test_get_tokens_equals_pygments_own_get_tokens(options):
    # Pygments' Lexer.get_tokens (preprocessing, then a generator over get_tokens_unprocessed)
    # is the reference; the plugin's get_tokens must give the same pairs from its prebuilt list.
    lexer = RubyLexer(**options)
    for text in REFERENCE_TEXTS:
        expected = list(PygmentsLexer.get_tokens(lexer, text))
        assert list(lexer.get_tokens(text)) == expected, (options, text)
        assert list(pygments.lex(text, lexer)) == expected, (options, text)
        assert list(lexer.get_tokens(text, unfiltered=True)) == expected, (options, text)


@pytest.mark.parametrize("data, options", [
    ("puts 'é'\r\n".encode("utf-8"), {}),
    (b"\xef\xbb\xbfputs 1\n", {}),  # UTF-8 BOM, guessed
    ("x = '\u00e9'\n".encode("latin-1"), {"encoding": "latin-1"}),
    ("x = '\u00e9'\n".encode("latin-1"), {}),  # not UTF-8: 'guess' falls back to another codec
    (b"\xef\xbb\xbfy = 2\n", {"inencoding": "utf-8"}),
    ("\ufeffz = 3\n".encode("utf-16"), {"encoding": "utf-16"}),
])
def test_get_tokens_decodes_bytes_as_pygments_does(data, options):
    lexer = RubyLexer(**options)
    assert list(lexer.get_tokens(data)) == list(PygmentsLexer.get_tokens(lexer, data))


@pytest.mark.parametrize("filters", [
    [("keywordcase", {"case": "upper"})],
    [("whitespace", {"spaces": True, "tabs": True, "newlines": True})],
    [("tokenmerge", {})],
    [("highlight", {"names": ["x", "puts"]}), ("keywordcase", {"case": "capitalize"})],
    [("codetagify", {})],
])
def test_filters_equal_pygments_own_get_tokens(filters):
    text = "# TODO: é\nif x then\n\tputs 'a  b' end\nx = 1 + 2\n"
    lexer = RubyLexer()
    for name, options in filters:
        lexer.add_filter(name, **options)
    expected = list(PygmentsLexer.get_tokens(lexer, text))
    assert list(lexer.get_tokens(text)) == expected
    assert list(lexer.get_tokens(text, unfiltered=True)) == list(PygmentsLexer.get_tokens(lexer, text, True))


def test_get_tokens_is_an_iterator_over_one_list():
    stream = RubyLexer().get_tokens("x = 1\n")
    assert type(stream) is type(iter([]))
    assert next(stream) == (Name, "x")
    assert type(RubyLexer().get_tokens_unprocessed("x")) is type(iter([]))


def test_empty_text():
    raw = RubyLexer(stripnl=False, ensurenl=False)
    assert list(raw.get_tokens_unprocessed("")) == []
    assert list(raw.get_tokens("")) == []
    assert list(RubyLexer().get_tokens("")) == [(Text.Whitespace, "\n")]
    assert list(RubyLexer().get_tokens(b"")) == [(Text.Whitespace, "\n")]


def test_non_ascii_pairs_and_triples_agree():
    src = "# 日本語 é\ndef 名前(a = '😀', b: \"\u3000#{x}\") = [a, :é, %w[😀 b]]\n<<~É\n  ü #{1}\nÉ\n"
    raw = RubyLexer(stripnl=False, ensurenl=False)
    toks = triples(src)
    assert_exact(src, toks)
    assert [(t, v) for _, t, v in toks] == list(raw.get_tokens(src))
    pairs = [(t, v) for _, t, v in toks]
    for pair in [(Name.Function, "名前"), (String.Single, "😀"), (String.Double, "\u3000"),
                 (String.Symbol, "é"), (String.Other, "😀"), (String.Heredoc, "<<~É"),
                 (String.Heredoc, "  ü "), (String.Heredoc, "É\n")]:
        assert pair in pairs, pair
    assert toks[-1] == (src.rindex("É"), String.Heredoc, "É\n")


def test_pairs_equal_triples_on_the_corpus_sample():
    # get_tokens shares equal (type, text) pairs between tokens; get_tokens_unprocessed builds
    # every triple afresh: both must say the same thing.
    raw = RubyLexer(stripnl=False, ensurenl=False)
    files = corpus_files()
    for path in files[:: max(1, len(files) // 40)]:
        text = agreement.read_text(path)
        assert [(t, v) for _, t, v in raw.get_tokens_unprocessed(text)] == list(raw.get_tokens(text)), path


def test_stream_leaks_no_references():
    # Covers every way an item is made: shared pairs, long texts, and the retyped #! line and receivers.
    text = "#!ruby\n" + "puts :a; attr_reader :b\nclass A; def x = 1; def self.y; end; def A.z; end\n" * 50
    text += "s = '" + "long text " * 10 + "'\n"
    watched = (Name.Builtin, Keyword.Pseudo, Name.Class, Name.Function, Text.Whitespace, Comment.Hashbang,
               String.Single)
    lexer = RubyLexer()
    list(lexer.get_tokens(text))
    list(lexer.get_tokens_unprocessed(text))
    before = [sys.getrefcount(t) for t in watched]
    for _ in range(20):
        list(lexer.get_tokens(text))
        list(lexer.get_tokens_unprocessed(text))
    assert [sys.getrefcount(t) for t in watched] == before


def test_stream_rejects_inconsistent_columns():
    tokens = fastlex.tokenize("x = 1\n")
    kinds, starts, ends = (memoryview(c) for c in (tokens.kinds, tokens.starts, tokens.ends))
    with pytest.raises(ValueError):
        _stream.build("x = 1\n", kinds, starts[:-1], ends, TABLES)
    with pytest.raises(ValueError):
        _stream.build("x", memoryview(array.array("H", [60000])), memoryview(array.array("I", [0])),
                      memoryview(array.array("I", [1])), TABLES)
    # Offsets past the end of the text are clamped, never read out of bounds.
    out = _stream.build("ab", memoryview(array.array("H", [int(Kind.IDENTIFIER)] * 2)),
                        memoryview(array.array("I", [0, 5])), memoryview(array.array("I", [9, 9])), TABLES)
    assert "".join(v for _, v in out) == "ab"
    with pytest.raises(TypeError):
        _stream.build("x", kinds, starts, ends, None)


def test_import_stream_does_not_import_pygments():
    code = "import sys, fastlex._stream; print('pygments' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"
