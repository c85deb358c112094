"""fastlex.python as a drop-in: install()/uninstall() swap the standard library's tokenize
functions process-wide (from-import bindings in loaded modules too), invalid input still
reaches the standard library's own tokenize, and ``python -m fastlex run TOOL`` runs a
console script or module with it installed.

Byte-identical pycodestyle/flake8 reports: tests/python/test_py_dropin_tools.py; the
readline calls made before each token: tests/python/test_py_readline.py."""
import io
import os
import subprocess
import sys
import tokenize

import pytest

import fastlex.python as fp
from fastlex.python import dropin

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_install_and_uninstall():
    import types
    some_module = types.ModuleType("fastlex_dropin_probe")   # a module that did `from tokenize import ...`
    some_module._probe_generate_tokens = tokenize.generate_tokens
    sys.modules[some_module.__name__] = some_module
    original_gt, original_tok = tokenize.generate_tokens, tokenize.tokenize
    try:
        fp.install()
        assert dropin.installed()
        assert tokenize.generate_tokens is fp.generate_tokens and tokenize.tokenize is fp.tokenize
        assert some_module._probe_generate_tokens is fp.generate_tokens
        fp.install()                              # idempotent
        src = "def f(x):\n    return x  # c\n"
        assert list(tokenize.generate_tokens(io.StringIO(src).readline)) == \
            list(original_gt(io.StringIO(src).readline))
        # Invalid input falls back to the standard library's own tokenize (no recursion).
        with pytest.raises(tokenize.TokenError):
            list(tokenize.generate_tokens(io.StringIO("x = (1,\n").readline))
    finally:
        fp.uninstall()
        del sys.modules[some_module.__name__]
    assert not dropin.installed()
    assert tokenize.generate_tokens is original_gt and tokenize.tokenize is original_tok
    assert some_module._probe_generate_tokens is original_gt
    fp.uninstall()                                # idempotent


def test_run_errors():
    res = subprocess.run([sys.executable, "-m", "fastlex", "run", "no-such-tool-xyz"], capture_output=True,
                         text=True, cwd=ROOT)
    assert res.returncode == 2 and "no console script or module" in res.stderr
    res = subprocess.run([sys.executable, "-m", "fastlex", "run"], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 2
    # A module that checks it really runs with fastlex installed, and its exit status passes through.
    res = subprocess.run([sys.executable, "-m", "fastlex", "run", "json.tool", "--help"], capture_output=True,
                         text=True, cwd=ROOT)
    assert res.returncode == 0 and "usage" in res.stdout
