"""The prism oracle tooling: ``check --oracle prism`` (fastlex/prism.py) and the bench's prism row.

prism-tokens is found as the check command finds it (FASTLEX_PRISM, else
../shared/prism/prism-tokens beside the repository). In CI, where the shared
binary is provided, a missing oracle fails these tests instead of skipping them.
"""
import json
import os
import subprocess
import sys

import pytest

from fastlex import prism

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def binary():
    found = prism.find_prism()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"the prism oracle is missing ({prism.SHARED_PRISM}); CI provides ../shared/prism")
        pytest.skip("prism-tokens not found (FASTLEX_PRISM or ../shared/prism/prism-tokens)")
    return found


def test_parse_output_sorts_stably_by_start():
    out = prism.parse_output("# a.rb 0\nIDENTIFIER 0 1\nHEREDOC_START 2 6\nSTRING_CONTENT 8 12\n"
                             "HEREDOC_END 12 14\nNEWLINE 6 7\nEOF 14 14\n# b.rb 2\nEOF 0 0\n")
    assert [f.path for f in out] == ["a.rb", "b.rb"] and [f.errors for f in out] == [0, 2]
    assert [t[0] for t in out[0].tokens] == ["IDENTIFIER", "HEREDOC_START", "NEWLINE", "STRING_CONTENT",
                                             "HEREDOC_END", "EOF"]
    with pytest.raises(ValueError):
        prism.parse_output("IDENTIFIER 0 1\n")


def test_compare_equal_different_and_skipped():
    src = b"x = 1\n"
    ours = prism.fastlex_tokens(src)
    assert prism.compare_with_prism(src, prism.PrismFile("a.rb", 0, list(ours))).status == "equal"
    theirs = list(ours)
    theirs[1] = ("OTHER", theirs[1][1], theirs[1][2])
    r = prism.compare_with_prism(src, prism.PrismFile("a.rb", 0, theirs))
    assert r.status == "different" and r.difference.index == 1 and r.agreeing == len(ours) - 1
    assert r.difference.prism.startswith("OTHER") and r.difference.line == 1 and r.difference.source_line == "x = 1"
    shorter = prism.compare_with_prism(src, prism.PrismFile("a.rb", 0, ours[:-1]))
    assert shorter.status == "different" and shorter.difference.prism is None
    skipped = prism.compare_with_prism(src, prism.PrismFile("a.rb", 3, []))
    assert skipped.status == "prism_error" and skipped.prism_errors == 3


def test_check_against_prism_on_real_files(binary, tmp_path):
    """Real prism output: a file prism rejects is skipped with its error count; the others are
    compared token by token and every first difference is reported with both sides."""
    (tmp_path / "ok.rb").write_bytes(b"# frozen_string_literal: true\ndef f(a)\n  a + 1\nend\n")
    (tmp_path / "bad.rb").write_bytes(b"def (\n")
    summary = prism.check_paths_with_prism([str(tmp_path)], binary)
    assert summary.files_checked == 2 and summary.skipped_prism_errors == 1
    assert summary.skipped[0]["path"].endswith("bad.rb") and summary.skipped[0]["prism_errors"] > 0
    assert summary.equal + summary.different == 1 and summary.prism_tokens > 10
    assert 0 < summary.agreeing_tokens <= summary.prism_tokens
    for d in summary.differences:
        assert d["path"].endswith("ok.rb") and (d["fastlex"] or d["prism"])


def test_check_cli_json(binary, tmp_path):
    (tmp_path / "a.rb").write_bytes(b"puts 1\n")
    res = subprocess.run([sys.executable, "-m", "fastlex", "check", "--oracle", "prism", "--prism", binary,
                          "--json", str(tmp_path)], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode in (0, 1), res.stderr
    report = json.loads(res.stdout)
    assert report["files_checked"] == 1 and report["equal"] + report["different"] == 1
    assert res.returncode == (1 if report["different"] else 0)
    text = subprocess.run([sys.executable, "-m", "fastlex", "check", "--oracle", "prism", "--prism", binary,
                           str(tmp_path)], capture_output=True, text=True, cwd=ROOT)
    assert "prism tokens fastlex agrees" in text.stdout


def test_check_cli_missing_oracle(tmp_path):
    env = dict(os.environ, FASTLEX_PRISM=str(tmp_path / "nope"))
    res = subprocess.run([sys.executable, "-m", "fastlex", "check", "--oracle", "prism", "--prism",
                          str(tmp_path / "none"), str(tmp_path)], capture_output=True, text=True, cwd=ROOT,
                         env=env)
    if prism.find_prism(str(tmp_path / "none")) is None:
        assert res.returncode == 2 and "--prism PATH" in res.stderr


def test_prism_time(binary):
    seconds = prism.prism_time(binary, b"x = 1\n" * 1000, repeat=3)
    assert seconds is not None and seconds > 0
    assert prism.prism_time(binary, b"", repeat=1) is not None            # an empty file is fine
    assert prism.prism_time(os.path.join(ROOT, "no-such-prism"), b"x", repeat=1) is None
