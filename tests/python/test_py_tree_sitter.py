"""``check --language python``: fastlex's Python tokens against tree-sitter-python's leaves.

Every file of the running interpreter's standard library (Lib/test included, site-packages
left out) that tree-sitter-python parses cleanly gives the same tokens, the mapping being
grammars/python/tree_sitter.tsv. Each quirk named there has a minimal reproducer here that
asks the running interpreter's own tokenize to confirm fastlex. In CI (CI set) a missing
tree-sitter-python fails these tests; elsewhere they skip.
"""
import io
import json
import os
import subprocess
import sys
import tokenize

import pytest

import fastlex
from fastlex._core import grammar_info

try:
    import tree_sitter  # noqa: F401
    import tree_sitter_python  # noqa: F401
except ImportError:  # pragma: no cover - depends on the environment
    if os.environ.get("CI"):
        pytest.fail("tree-sitter-python is missing (pip install 'fastlex[test]')", pytrace=False)
    pytest.skip("tree-sitter-python is not installed: pip install 'fastlex[check]'", allow_module_level=True)

from fastlex import check  # noqa: E402
from fastlex.python._tree_sitter_map import JOIN_RULES, LEAF_RULES, QUIRKS, UNMATCHED  # noqa: E402

from pyoracle import stdlib_files  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KINDS = grammar_info("python").kinds
BOM = b"\xef\xbb\xbf"


def leaves(src: bytes):
    """tree-sitter-python's leaves of src: [(type, text)]."""
    tree = check.parser("python").parse(src)
    assert not tree.root_node.has_error
    return [(leaf.type, src[leaf.start:leaf.end]) for leaf in check.tree_sitter_leaves(tree, src)]


def cpython(src: bytes):
    """The running interpreter's tokenize of src: [(token type name, text)], layout tokens left out."""
    skip = {"NEWLINE", "NL", "INDENT", "DEDENT", "ENDMARKER", "ENCODING"}
    out = []
    for t in tokenize.tokenize(io.BytesIO(src).readline):
        name = tokenize.tok_name[t.type]
        if name not in skip:
            out.append((name, t.string))
    return out


def compare(src: bytes):
    return check.compare_source(src, "<test>", "python")


# ---------------------------------------------------------------- the corpus

def test_stdlib_is_equivalent_to_tree_sitter_python():
    files = stdlib_files()
    assert len(files) > 1000
    summary = check.Summary()
    for path in files:
        with open(path, "rb") as f:
            src = f.read()
        summary.add(check.compare_source(src, path, "python"))
    report = "\n".join(
        f"{d['path']}:{d['line']}:{d['column']}: fastlex {d['fastlex'][:200]} / tree-sitter {d['tree_sitter']}"
        f"\n  | {d['source_line']}" for d in summary.differences[:20])
    assert summary.different == 0, f"{summary.different} files differ:\n{report}"
    clean = summary.files_checked - summary.skipped_tree_sitter_errors
    assert summary.equal + summary.tree_sitter_quirks == clean
    assert clean > 1000
    assert summary.equal >= clean - 5


def test_bom_is_not_a_token():
    """Regression: a UTF-8 BOM was read as a NAME_U token (tokenize skips it: utf-8-sig)."""
    src = BOM + b"# coding: utf-8\nx = 1\n"
    assert compare(src).status == "equal"


# ---------------------------------------------------------------- the mapping

def test_every_rule_has_a_reason_and_known_kinds():
    for leaf, parent, names, reason in LEAF_RULES:
        assert leaf and parent and reason.strip()
        for name in names:
            assert name in KINDS.__members__
    for name, pattern, reason in JOIN_RULES:
        assert name in KINDS.__members__ and pattern and reason.strip()
    for name, reason in UNMATCHED:
        assert name in KINDS.__members__ and reason.strip()
    assert {name for name, _ in QUIRKS} == set(check.language_check("python").quirk_names)
    # No rule hides a category of tokens tree-sitter does have leaves for.
    unmatched = {name for name, _ in UNMATCHED}
    assert not unmatched & {"NAME", "NAME_U", "NUMBER", "STRING", "COMMENT", "OP", "ERRORTOKEN"}
    assert not any(n.startswith("FSTRING") for n in unmatched)


@pytest.mark.parametrize("src", [
    b"x = 1\n",
    b"def f(a, *, b=2, **kw) -> int:\n    return a ** b // 3\n",
    b"class C(B, metaclass=M):\n    '''doc'''\n    @property\n    def p(self): ...\n",
    b"s = 'a\\tb' + r'\\d' + b'\\x00' + \"\"\"x\ny\"\"\"\n",
    b"x = (1 +\n     2)  # comment\n",
    b"x = 1 + \\\n    2\n",
    b"from ... import a\nfrom .... b import c\nfrom . import d\n",
    b"async def f():\n    async with a as b:\n        await c\n    return [x async for x in y]\n",
    b"match p:\n    case [1, *rest] if rest:\n        pass\n    case {'k': _}:\n        pass\n",
    b"n = 1_000_000 + 0x_ff + 1.5e-3j + 0o17 + 0b1\n",
    b"\xc3\xa9t\xc3\xa9 = '\xc3\xa9'\n",
    b"if a:\n    if b:\n        pass\nelse:\n    pass",
    b"x = f'{a!r:>{w}} {{b}}'\n",
    b"x = lambda a: a if a is not None else not a in b\n",
    b"a @= b; c //= d; e **= f\n(g := h)\n",
    b"# only a comment",
    b"x = 1\r\n# comment\r\ny = 2\r\n",
])
def test_constructs_are_equal(src):
    result = compare(src)
    assert result.status == "equal", result.difference


def test_line_continuation_leaf_is_left_out():
    src = b"x = 1 + \\\n    2\n"
    assert ("line_continuation", b"\\\n") in leaves(src)
    assert compare(src).status == "equal"


def test_difference_is_reported_with_python_kind_names(monkeypatch, capsys, tmp_path):
    """A simulated lexer bug (the first token one byte short) is reported with Python kind names."""
    import argparse
    import array

    real = fastlex.tokenize

    class Shifted:
        def __init__(self, toks):
            self._t = toks
            ends = memoryview(toks.ends).tolist()
            ends[0] -= 1
            self.kinds, self.starts, self.ends = toks.kinds, toks.starts, array.array("I", ends)

        def position(self, offset):
            return self._t.position(offset)

    monkeypatch.setattr(check.fastlex, "tokenize", lambda src, **kw: Shifted(real(src, **kw)))
    path = tmp_path / "x.py"
    path.write_bytes(b"foo = 1\nbar(foo)\n")
    parser = argparse.ArgumentParser()
    check.add_arguments(parser)
    status = check.run(parser.parse_args(["--language", "python", str(path)]))
    out = capsys.readouterr().out
    assert status == 1
    assert f"{path}:1:0: first difference" in out
    assert "NAME 'fo'" in out and "identifier (in assignment) 'foo'" in out


def test_cli_json(tmp_path):
    (tmp_path / "a.py").write_bytes(b"import os\nprint(os.sep)\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.py").write_bytes(b"x = [i ** 2 for i in range(3)]\n")
    (tmp_path / "bad.py").write_bytes(b"def (:\n")
    (tmp_path / "c.rb").write_bytes(b"puts 1\n")
    proc = subprocess.run([sys.executable, "-m", "fastlex", "check", "--language", "python", "--json", str(tmp_path)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert data["files_checked"] == 3
    assert data["skipped_tree_sitter_errors"] == 1
    assert data["equal"] == 2 and data["different"] == 0


def test_prism_oracle_is_ruby_only(tmp_path):
    (tmp_path / "a.py").write_bytes(b"x = 1\n")
    proc = subprocess.run([sys.executable, "-m", "fastlex", "check", "--language", "python", "--oracle", "prism",
                           str(tmp_path)], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and "Ruby only" in proc.stderr


# ---------------------------------------------------------------- quirks: tree-sitter against tokenize

def test_quirk_ne_diamond():
    """tree-sitter: one <> leaf; tokenize before 3.12: < then >."""
    src = b"if 1 <> 2:\n    pass\n"
    assert ("<>", b"<>") in leaves(src)
    if sys.version_info >= (3, 12):
        pytest.skip("3.12's tokenize reads <> as one operator (the C tokenizer)")
    assert ("OP", "<") in cpython(src) and ("OP", ">") in cpython(src)
    result = compare(src)
    assert result.status == "quirk" and result.difference.quirk == "ne-diamond"


def test_quirk_comment_carriage_return():
    """tree-sitter's comment leaf takes the \\r of \\r\\n; tokenize's COMMENT does not."""
    src = b"# note\r\nx = 1\r\n"
    assert ("comment", b"# note\r") in leaves(src)
    assert ("COMMENT", "# note") in cpython(src)
    assert compare(src).status == "equal"


@pytest.mark.parametrize("src, pieces", [
    (b"x = 0377\n", [("NUMBER", "0"), ("NUMBER", "377")]),
    (b"x = 10L\n", [("NUMBER", "10"), ("NAME", "L")]),
])
def test_quirk_python2_integer(src, pieces):
    """tree-sitter: one integer leaf; tokenize: a number, then another token."""
    text = src.decode()[4:-1]
    assert ("integer", text.encode()) in leaves(src)
    if sys.version_info >= (3, 12):
        with pytest.raises((SyntaxError, tokenize.TokenError)):   # the C tokenizer rejects it
            cpython(src)
    else:
        tokens = cpython(src)
        i = tokens.index(pieces[0])
        assert tokens[i:i + 2] == pieces
    result = compare(src)
    assert result.status == "quirk" and result.difference.quirk == "python2-integer"
