"""Every file of Ruby's standard library that tree-sitter-ruby parses cleanly gives the same tokens.

The corpus is /usr/lib/ruby/3.1.0 (Debian's ruby package; .ci/run installs it).
In CI (CI set in the environment) a missing corpus fails the test instead of skipping it.
"""
import os

import pytest

pytest.importorskip("tree_sitter_ruby", reason="the check extra is needed: pip install 'fastlex[check]'")

from fastlex import check  # noqa: E402

from corpus import CORPUS, corpus_files  # noqa: E402


def test_corpus_is_equivalent_to_tree_sitter():
    summary = check.check_paths(corpus_files())
    report = "\n".join(
        f"{d['path']}:{d['line']}:{d['column']}: fastlex {d['fastlex']} / tree-sitter {d['tree_sitter']}\n  | {d['source_line']}"
        for d in summary.differences[:20]
    )
    assert summary.different == 0, f"{summary.different} files differ:\n{report}"
    clean = summary.files_checked - summary.skipped_tree_sitter_errors
    assert summary.equal + summary.tree_sitter_quirks == clean
    assert clean > 500


def test_check_cli_json_on_corpus_subset(tmp_path):
    """python -m fastlex check --json prints the documented fields and exits 0 when all is equal."""
    import json
    import subprocess
    import sys

    sub = os.path.join(CORPUS, "json")
    if not os.path.isdir(sub):
        corpus_files()
        pytest.skip("corpus subfolder json/ missing")
    proc = subprocess.run([sys.executable, "-m", "fastlex", "check", "--json", sub],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    for key in ("files_checked", "skipped_tree_sitter_errors", "equal", "different", "differences"):
        assert key in data
    assert data["files_checked"] == len(check.ruby_files([sub])) > 0
    assert data["different"] == 0


def test_known_quirk_is_not_a_difference(tmp_path):
    """A file whose only disagreement is a known tree-sitter quirk passes, and the quirk is named."""
    import subprocess
    import sys

    quirky = tmp_path / "quirky.rb"
    quirky.write_bytes(b"a = []\na <<\"b\"\n")
    proc = subprocess.run([sys.executable, "-m", "fastlex", "check", str(quirky)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "heredoc-after-local" in proc.stdout


def test_difference_is_reported_with_position(monkeypatch, capsys, tmp_path):
    """When fastlex's tokens do not match the leaves, check reports the first difference and exits 1."""
    import argparse
    import array

    real = check.fastlex.tokenize

    class Shifted:
        """fastlex's tokens with the first token's end moved by one byte (a simulated lexer bug)."""

        def __init__(self, toks):
            self._t = toks
            ends = memoryview(toks.ends).tolist()
            ends[0] -= 1
            self.kinds, self.starts, self.ends = toks.kinds, toks.starts, array.array("I", ends)

        def position(self, offset):
            return self._t.position(offset)

    monkeypatch.setattr(check.fastlex, "tokenize", lambda src: Shifted(real(src)))
    path = tmp_path / "x.rb"
    path.write_bytes(b"foo = 1\nbar(foo)\n")
    parser = argparse.ArgumentParser()
    check.add_arguments(parser)
    status = check.run(parser.parse_args([str(path)]))
    out = capsys.readouterr().out
    assert status == 1
    assert f"{path}:1:0: first difference" in out
    assert "IDENTIFIER 'fo'" in out and "identifier (in assignment) 'foo'" in out
