"""The Python grammar under the other interpreters: fastlex is built for each CPython of
``FASTLEX_PY_VERSIONS`` (default 3.13; "3.12 3.13 3.10" and so on) found under pyenv, in a venv
of its own, from a copy of this tree, and the Python-grammar tests (tests/python, whose
oracle is that interpreter's own tokenize, its standard library the corpus) run there.

The running interpreter (3.11 in CI) runs them directly. In CI (``CI`` set) a missing
interpreter or a failed build fails this test; elsewhere it skips, saying what is missing.
Builds are cached under build/interpreters (tests/buildtree.py) keyed by the sources'
digest, so a second run only runs the tests.
"""
import os
import subprocess
import sys

import pytest

from buildtree import CACHE, built_copy, cached_venv, missing

VERSIONS = os.environ.get("FASTLEX_PY_VERSIONS", "3.13").split()
TEST_PACKAGES = ["Cython>=3.0", "setuptools>=64", "wheel", "pytest>=7", "hypothesis>=6", "pycodestyle>=2.11",
                 "flake8>=7"]


def find_interpreter(version):
    """The python binary of the newest pyenv CPython version.x, or None."""
    try:
        root = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        root = os.path.expanduser("~/.pyenv")
    versions = os.path.join(root, "versions")
    if not os.path.isdir(versions):
        return None
    found = sorted((v for v in os.listdir(versions) if v == version or v.startswith(version + ".")),
                   key=lambda v: [int(x) if x.isdigit() else 0 for x in v.split(".")])
    for v in reversed(found):
        exe = os.path.join(versions, v, "bin", "python3")
        if os.access(exe, os.X_OK):
            return exe
    return None


def build_for(python, version):
    """A directory holding fastlex built for python (cached), and its venv's python."""
    vpy = cached_venv(os.path.join(CACHE, "interpreters", version, "venv"), python, TEST_PACKAGES)
    tree = built_copy(os.path.join("interpreters", version), vpy)
    return tree, vpy


@pytest.mark.parametrize("version", VERSIONS)
def test_python_grammar_under(version):
    if sys.version_info[:2] == tuple(int(x) for x in version.split(".")[:2]):
        pytest.skip(f"{version} is the running interpreter: tests/python run here directly")
    python = find_interpreter(version)
    if python is None:
        missing(f"CPython {version} is not installed under pyenv (pyenv install {version})")
    tree, vpy = build_for(python, version)
    env = dict(os.environ, PYTHONPATH=tree)
    res = subprocess.run([vpy, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/python",
                          "--ignore=tests/python/test_py_interpreters.py",
                          "--ignore=tests/python/test_py_tree_sitter.py"],
                         cwd=tree, env=env, capture_output=True, text=True, timeout=3600)
    tail = res.stdout[-4000:] + res.stderr[-2000:]
    assert res.returncode == 0, f"tests/python under {version} failed:\n{tail}"
    print(f"\n{version}: {res.stdout.strip().splitlines()[-1]}")
