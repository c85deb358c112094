"""`python -m fastlex check --language python --oracle tokenize`: fastlex.python against the
running interpreter's tokenize over files, its counts, its report of a difference, its usage
errors."""
import json
import os
import tokenize

import fastlex.python as fp
from fastlex.__main__ import main
from fastlex.python import oracle


def run(argv, capsys):
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def write_tree(tmp_path):
    """Four .py files (one valid, one tokenize rejects, one with a cookie naming no codec,
    one Latin-1 by its cookie) and a Ruby file the check must not read."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "ok.py").write_bytes(b"def f(x):\n    return f'{x!r:>{4}}'  # c\n")
    (tmp_path / "pkg" / "open.py").write_bytes(b"x = (1,\n")
    (tmp_path / "cookie.py").write_bytes(b"# coding: no-such-codec\nx = 1\n")
    (tmp_path / "latin.py").write_bytes(b"# -*- coding: latin-1 -*-\ns = '\xe9t\xe9'\n")
    (tmp_path / "app.rb").write_bytes(b"puts 1\n")
    return tmp_path


def test_counts_on_a_tree(tmp_path, capsys):
    tree = write_tree(tmp_path)
    status, out, _ = run(["check", "--language", "python", "--oracle", "tokenize", "--json", str(tree)], capsys)
    assert status == 0
    report = json.loads(out)
    assert report["files_checked"] == 4
    assert report["equal"] == 4 and report["different"] == 0 and report["differences"] == []
    # open.py (EOF in a bracket) and cookie.py (unknown encoding) make tokenize raise
    assert report["raising"] == 2
    # the unknown cookie cannot be decoded, so generate_tokens compares the other three
    assert report["text_compared"] == 3
    want = sum(len(oracle.run(tokenize.tokenize, open(os.path.join(d, n), "rb").readline)[0])
               for d, _, names in os.walk(tree) for n in names if n.endswith(".py"))
    assert report["tokens"] == want > 20


def test_text_report(tmp_path, capsys):
    tree = write_tree(tmp_path)
    status, out, _ = run(["check", "--language", "python", "--oracle", "tokenize", str(tree / "pkg")], capsys)
    assert status == 0
    lines = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    assert lines["files checked"].strip() == "2"
    assert lines["equal"].strip() == "2"
    assert lines["different"].strip() == "0"


def test_a_difference_is_reported(tmp_path, capsys, monkeypatch):
    """A generate_tokens that drops the last token: the file differs, exit status 1, and the
    report names the function and the token where the lists part."""
    tree = write_tree(tmp_path)
    real = fp.generate_tokens
    monkeypatch.setattr(fp, "generate_tokens", lambda readline: list(real(readline))[:-1])
    status, out, _ = run(["check", "--language", "python", "--oracle", "tokenize", str(tree / "pkg" / "ok.py")],
                         capsys)
    assert status == 1
    assert "different:                     1" in out
    assert "ok.py: generate_tokens, token" in out
    assert "ENDMARKER" in out


def test_an_exception_difference_is_reported(monkeypatch):
    """A tokenize that gives the tokens but not the exception differs from the interpreter's."""
    real = fp.tokenize

    def no_exception(readline):
        try:
            yield from real(readline)
        except tokenize.TokenError:
            return

    monkeypatch.setattr(fp, "tokenize", no_exception)
    diffs = oracle.compare_file(b"x = (1,\n", "open.py").differences
    assert [d.function for d in diffs] == ["tokenize"]
    assert "TokenError" in diffs[0].tokenize and diffs[0].fastlex == "None"


def test_stdlib_package_equal(capsys):
    """The interpreter's own json package, through the command."""
    folder = os.path.join(os.path.dirname(tokenize.__file__), "json")
    status, out, _ = run(["check", "--language", "python", "--oracle", "tokenize", "--json", folder], capsys)
    report = json.loads(out)
    assert status == 0 and report["files_checked"] >= 4 and report["equal"] == report["files_checked"]


def test_tokenize_oracle_is_for_python_only(tmp_path, capsys):
    tree = write_tree(tmp_path)
    status, _, err = run(["check", "--oracle", "tokenize", str(tree)], capsys)
    assert status == 2
    assert "--oracle tokenize compares Python only" in err
