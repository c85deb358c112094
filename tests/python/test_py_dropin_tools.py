"""Real clients of the drop-in: pycodestyle and flake8 give byte-identical reports (stdout,
stderr, exit status) over the running interpreter's top-level standard library with and
without ``python -m fastlex run``. Both count lines in their readline callables, so this
also checks that fastlex.python reads lines exactly when the interpreter's tokenize does
(tests/python/test_py_readline.py checks that token by token).

In CI (``CI`` set) a missing tool fails; elsewhere it skips, saying how to install it."""
import importlib.util
import os
import subprocess
import sys
import sysconfig
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _stdlib_files():
    lib = sysconfig.get_paths()["stdlib"]
    return sorted(os.path.join(lib, f) for f in os.listdir(lib) if f.endswith(".py"))


def _need(module):
    if importlib.util.find_spec(module) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{module} is missing (pip install {module})")
        pytest.skip(f"{module} is not installed (pip install {module})")


def _run(argv, cwd):
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    t = time.perf_counter()
    proc = subprocess.run([sys.executable] + argv, cwd=cwd, env=env, capture_output=True)
    return proc, time.perf_counter() - t


@pytest.mark.parametrize("tool, args", [
    ("pycodestyle", ["--max-line-length=100"]),
    ("flake8", ["-j", "1", "--isolated"]),
])
def test_tool_reports_identical(tool, args, tmp_path):
    _need(tool)
    files = _stdlib_files()
    plain, t_plain = _run(["-m", tool] + args + files, tmp_path)
    dropin, t_dropin = _run(["-m", "fastlex", "run", tool] + args + files, tmp_path)
    print(f"\n{tool} over {len(files)} files: {t_plain:.2f} s plain, {t_dropin:.2f} s with "
          f"fastlex.python ({t_plain / t_dropin:.2f}x)")
    assert plain.stdout.count(b"\n") > 100          # the tool ran and reported
    assert dropin.returncode == plain.returncode
    assert dropin.stderr == plain.stderr
    assert dropin.stdout == plain.stdout
