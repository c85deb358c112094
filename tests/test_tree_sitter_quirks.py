"""Where tree-sitter-ruby disagrees with Ruby, fastlex follows Ruby.

Each quirk named in grammars/ruby/tree_sitter.tsv has a minimal reproducer
here. Each test shows that tree-sitter's leaves differ from fastlex's tokens
as described, and asks Ruby's own lexer (`ruby -rripper`) to confirm that
fastlex's token boundaries are Ruby's.
"""
import json
import shutil
import subprocess

import pytest

import fastlex

pytest.importorskip("tree_sitter_ruby", reason="the check extra is needed: pip install 'fastlex[check]'")
from fastlex import check  # noqa: E402
from fastlex._tree_sitter_map import QUIRKS  # noqa: E402

RIPPER = r"""
require 'ripper'
src = STDIN.binmode.read
lines = src.b.lines
starts = [0]
lines.each { |l| starts << starts[-1] + l.bytesize }
out = Ripper.lex(src).map { |(line, col), type, text, _state| [starts[line - 1] + col, type.to_s, text] }
print JSON.generate(out)
"""


def ripper_tokens(src: bytes):
    """Ruby's own tokens of src: [(byte offset, ripper event, text)]."""
    if shutil.which("ruby") is None:
        import os
        if os.environ.get("CI"):
            pytest.fail("ruby is not installed (Debian's ruby package)")
        pytest.skip("ruby is not installed (apt-get install ruby)")
    proc = subprocess.run(["ruby", "-rjson", "-e", RIPPER], input=src, capture_output=True, check=True)
    return [tuple(t) for t in json.loads(proc.stdout)]


def fastlex_tokens(src: bytes):
    """fastlex's tokens of src: [(byte offset, kind name, text)]."""
    toks = fastlex.tokenize(src)
    return [(t.start_offset, t.type.name, t.string) for t in toks]


def ts_leaves(src: bytes):
    tree = check.parser().parse(src)
    assert not tree.root_node.has_error
    return check.tree_sitter_leaves(tree, src)


def test_every_quirk_has_a_test():
    names = {name for name, _ in QUIRKS}
    tested = {"wordlist-escape-whitespace", "wordlist-raw-escape", "heredoc-after-local", "nested-heredoc",
              "keyword-operand", "percent-after-value", "comment-in-literal", "wordlist-escaped-newline"}
    assert names == tested


def test_wordlist_escape_whitespace():
    src = b"x = %W(\n  \\u{3000}\n  a\\tb\n)\n"
    leaves = ts_leaves(src)
    esc = [lf for lf in leaves if lf.type == "escape_sequence"]
    assert src[esc[0].start:esc[0].end] == b"\n  \\u{3000}"          # tree-sitter: starts at the newline
    ours = [t for t in fastlex_tokens(src) if t[1] == "STRING_CONTENT"]
    assert ours[0][2] == "\\u{3000}"                                   # fastlex (prism): the word, at the backslash
    ruby = [t for t in ripper_tokens(src) if t[1] == "on_tstring_content"]
    assert ruby[0][0] == ours[0][0]                                    # Ruby's word starts there too
    assert check.compare_source(src).status == "equal"


def test_wordlist_raw_escape():
    src = b"x = %w[ ~\\z \\.orig\\z ]\n"
    leaves = ts_leaves(src)
    assert any(lf.type == "escape_sequence" for lf in leaves)          # tree-sitter splits \. off
    ours = [t for t in fastlex_tokens(src) if t[1] == "STRING_CONTENT"]
    assert [t[2] for t in ours] == ["~\\z", "\\.orig\\z"]
    ruby = [(o, text) for o, ev, text in ripper_tokens(src) if ev == "on_tstring_content"]
    assert ruby == [(t[0], t[2]) for t in ours]                        # Ruby: two words of plain text
    assert check.compare_source(src).status == "equal"


def test_heredoc_after_local():
    src = b'a = []\na <<"b"\n'
    leaves = ts_leaves(src)
    assert any(lf.type == "heredoc_beginning" for lf in leaves)        # tree-sitter: a heredoc
    ours = fastlex_tokens(src)
    assert ("LESS_LESS", "<<") in [(k, s) for _, k, s in ours]
    ruby = ripper_tokens(src)
    assert (9, "on_op", "<<") in ruby                                  # Ruby: the << operator
    assert (11, "on_tstring_beg", '"') in ruby
    result = check.compare_source(src)
    assert result.status == "quirk" and result.difference.quirk == "heredoc-after-local"


def test_nested_heredoc():
    src = b"x = <<A\n#{<<B}\nb\nB\na\nA\ny\n"
    leaves = ts_leaves(src)
    contents = [src[lf.start:lf.end] for lf in leaves if lf.type == "heredoc_content"]
    assert b"\nb\nB\na\n" in contents                                  # tree-sitter: B's body swallowed by A
    ours = [(o, k, s) for o, k, s in fastlex_tokens(src) if k == "HEREDOC_END"]
    ruby = [(o, text) for o, ev, text in ripper_tokens(src) if ev == "on_heredoc_end"]
    assert [(o, s) for o, _, s in ours] == [(o, text) for o, text in ruby]
    assert [s for _, _, s in ours] == ["B\n", "A\n"]                 # prism: the terminator line, newline included
    result = check.compare_source(src)
    assert result.status == "quirk" and result.difference.quirk == "nested-heredoc"


def test_keyword_operand():
    src = b"x = obj + and + tag\n"
    leaves = ts_leaves(src)
    assert ("identifier", b"and") in [(lf.type, src[lf.start:lf.end]) for lf in leaves]   # tree-sitter: a name
    ours = fastlex_tokens(src)
    assert (10, "KEYWORD_AND", "and") in ours
    assert (10, "on_kw", "and") in ripper_tokens(src)                                     # Ruby: the keyword
    result = check.compare_source(src)
    assert result.status == "quirk" and result.difference.quirk == "keyword-operand"


def test_percent_after_value():
    src = b"x = self%(p)\n"
    leaves = ts_leaves(src)
    assert ('"', b"%(") in [(lf.type, src[lf.start:lf.end]) for lf in leaves]   # tree-sitter: a %() string
    ours = fastlex_tokens(src)
    assert (8, "PERCENT", "%") in ours and (9, "PARENTHESIS_LEFT_GROUPING", "(") in ours
    ruby = ripper_tokens(src)
    assert (8, "on_op", "%") in ruby and (9, "on_lparen", "(") in ruby        # Ruby: self % (p)
    result = check.compare_source(src)
    assert result.status == "quirk" and result.difference.quirk == "percent-after-value"


def test_comment_in_literal():
    src = b"raise <<-ERR\n  - `#{obj.class}##{name}`, missing\nERR\n"
    leaves = ts_leaves(src)
    assert "comment" in [lf.type for lf in leaves]                               # tree-sitter: a comment
    ours = fastlex_tokens(src)
    assert "COMMENT" not in [k for _, k, _ in ours]
    ruby = ripper_tokens(src)
    assert "on_comment" not in [ev for _, ev, _ in ruby]                          # Ruby: heredoc text
    embexpr = [o for o, ev, _ in ruby if ev == "on_embexpr_beg"]
    assert embexpr == [o for o, k, _ in ours if k == "EMBEXPR_BEGIN"]
    result = check.compare_source(src)
    assert result.status == "quirk" and result.difference.quirk == "comment-in-literal"


def test_wordlist_escaped_newline():
    src = b"want = %w(a, \\\n   b c)\n"
    leaves = ts_leaves(src)
    words = [src[lf.start:lf.end] for lf in leaves if lf.type == "string_content"]
    assert words == [b"a,", b"b", b"c"]                                         # tree-sitter: no word for it
    ours = [(o, s) for o, k, s in fastlex_tokens(src) if k == "STRING_CONTENT"]
    ruby = [(o, text) for o, ev, text in ripper_tokens(src) if ev == "on_tstring_content"]
    assert ours == ruby == [(10, "a,"), (13, "\\\n"), (18, "b"), (20, "c")]    # Ruby: a word of its own
    result = check.compare_source(src)
    assert result.status == "quirk" and result.difference.quirk == "wordlist-escaped-newline"
