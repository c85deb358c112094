"""The Python grammar's measuring scripts (bench/python_tokenize.py, bench/python_ceiling.py)
run, and check what they measure: both refuse to time token lists that differ from the
interpreter's tokenize, and the ceiling's object builder must remake tokenize's list exactly."""
import os
import subprocess
import sys
import sysconfig

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIB = sysconfig.get_paths()["stdlib"]
FILES = [os.path.join(LIB, f) for f in ("textwrap.py", "string.py", "tokenize.py")]


def run(script, *args, tmp_path):
    env = dict(os.environ, FASTLEX_PYXBLD=str(tmp_path / "pyxbld"))
    res = subprocess.run([sys.executable, os.path.join(ROOT, "bench", script), *args],
                         capture_output=True, text=True, env=env, timeout=600, cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    return res.stdout


def number(out, label):
    """The figure on the output line starting with label: "ns/token" rows give the number
    before the unit, ratio rows ("...: 4.34x") the last word."""
    line = next(x for x in out.splitlines() if x.strip().startswith(label))
    return float(line.split()[-2]) if line.endswith("ns/token") else float(line.split()[-1].rstrip("x"))


def test_python_tokenize_script(tmp_path):
    out = run("python_tokenize.py", *FILES, "--rounds", "1", "--check", tmp_path=tmp_path)
    assert "3 files" in out and "0 fallbacks" in out
    assert "fastlex.python.generate_tokens" in out


def test_python_ceiling_script(tmp_path):
    out = run("python_ceiling.py", *FILES, "--rounds", "1", tmp_path=tmp_path)
    assert "3 files" in out
    for label in ("tokenize ", "fastlex ", "objects ", "readline "):
        assert number(out, label) > 0
    assert number(out, "ceiling") > 1
    assert number(out, "tokenize / fastlex") > 1


def test_ceiling_rebuilds_the_token_list(tmp_path):
    """The object builder itself: the list it makes equals tokenize's, token for token, with
    shared start pairs where a token starts at the previous end."""
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    try:
        import pyximport          # (Cython: a test dependency)
        pyximport.install(language_level=3, build_dir=str(tmp_path / "pyxbld"))
        import _ceiling
        import io
        import tokenize
        src = open(FILES[0], encoding="utf-8").read()
        toks = list(tokenize.generate_tokens(io.StringIO(src).readline))
        tok = tokenize.TokenInfo(1, "", (1, 0), (1, 0), "")
        pair = (1, 0)
        sizes = _ceiling.Sizes(tokenize.TokenInfo, sys.getsizeof(tok) - tok.__sizeof__(), tok.__sizeof__(),
                               sys.getsizeof(pair) - pair.__sizeof__(), pair.__sizeof__())
        got = _ceiling.build(_ceiling.Plan(toks), sizes)
        assert got == toks and all(type(t) is tokenize.TokenInfo for t in got)
        assert any(a.end is b.start for a, b in zip(got, got[1:]))
    finally:
        sys.path.remove(os.path.join(ROOT, "bench"))
