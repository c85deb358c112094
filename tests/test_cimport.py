"""The core's C-level API (fastlex/_core.pxd): a Cython extension built here, as a user's
would be, cimports it and reads results through C arrays with the GIL released; what it reads
equals the Python-level columns, for both grammars, for every kind of result."""
import os
import subprocess
import sys
import textwrap

import pytest

import fastlex
from buildtree import missing

EXTENSION = textwrap.dedent('''
    # cython: language_level=3
    from libc.stdint cimport uint8_t, uint32_t
    from fastlex._core cimport TokenRun, tokens_runs, tokens_source, tokens_line_starts

    def columns(tokens):
        """(kinds, starts, ends) as lists, read through the runs."""
        cdef TokenRun runs[4]
        cdef Py_ssize_t n = tokens_runs(tokens, runs, 4), c, i
        assert n <= 4
        kinds, starts, ends = [], [], []
        for c in range(n):
            for i in range(runs[c].count):
                kinds.append(runs[c].kinds[i])
                starts.append(runs[c].starts[i])
                ends.append(runs[c].ends[i])
        return kinds, starts, ends

    def name_bytes(tokens, int kind):
        """Bytes in tokens of one kind, summed without the GIL."""
        cdef TokenRun runs[4]
        cdef Py_ssize_t n = tokens_runs(tokens, runs, 4), c, i, total = 0
        with nogil:
            for c in range(n):
                for i in range(runs[c].count):
                    if runs[c].kinds[i] == kind:
                        total += runs[c].ends[i] - runs[c].starts[i]
        return total

    def source(tokens):
        cdef Py_ssize_t n
        cdef const uint8_t* p = tokens_source(tokens, &n)
        return p[:n]

    def line_starts(tokens):
        cdef Py_ssize_t n
        cdef const uint32_t* p = tokens_line_starts(tokens, &n)
        return [p[i] for i in range(n)]

    def count_runs(tokens):
        return tokens_runs(tokens, NULL, 0)
''')

SETUP = textwrap.dedent('''
    from setuptools import setup, Extension
    from Cython.Build import cythonize
    setup(name="fastlex_cimport_user", ext_modules=cythonize(
        [Extension("fastlex_cimport_user", ["fastlex_cimport_user.pyx"])], quiet=True),
        script_args=["build_ext", "--inplace", "-q"])
''')


@pytest.fixture(scope="module")
def user(tmp_path_factory):
    """The extension, compiled against the fastlex importable here (its .pxd beside its .so)."""
    try:
        import Cython  # noqa: F401
    except ImportError:
        missing("Cython is needed to build the extension that cimports fastlex (pip install 'fastlex[test]')")
    where = tmp_path_factory.mktemp("cimport_user")
    (where / "fastlex_cimport_user.pyx").write_text(EXTENSION)
    (where / "setup.py").write_text(SETUP)
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(fastlex.__file__)))
    env = dict(os.environ, PYTHONPATH=package_root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, "setup.py"], cwd=where, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(where))
    try:
        import fastlex_cimport_user
    finally:
        sys.path.remove(str(where))
    return fastlex_cimport_user


RUBY = "class A\n  def f(x) = x + 1 # caf\u00e9\nend\n" * 40
PYTHON = "def f(x):\n    return x + 1  # caf\u00e9\n" * 40


@pytest.mark.parametrize("language,src", [("ruby", RUBY), ("python", PYTHON)])
def test_runs_equal_columns(user, language, src):
    for tokens in (fastlex.tokenize(src, language=language),
                   fastlex.tokenize(src.encode(), language=language),
                   fastlex.tokenize_many([src, src], language=language, workers=2)[1],
                   fastlex.Lexer(language=language).tokenize(src)):
        assert user.columns(tokens) == (tokens.kinds.tolist(), tokens.starts.tolist(), tokens.ends.tolist())
        assert user.source(tokens) == src.encode()
        assert user.line_starts(tokens) == tokens.line_starts
        assert 1 <= user.count_runs(tokens) <= 4


def test_nogil_loop(user):
    tokens = fastlex.tokenize(RUBY)
    kind = int(fastlex.Kind.IDENTIFIER)
    expected = sum(len(t.string.encode()) for t in tokens if t.type == fastlex.Kind.IDENTIFIER)
    assert user.name_bytes(tokens, kind) == expected > 0


def test_several_runs(user):
    """A Lexer's region grows by chunks: a source far denser than estimated gives several runs."""
    src = "a " * 400_000 + "\n"
    tokens = fastlex.Lexer().tokenize(src)
    runs = user.count_runs(tokens)
    assert runs >= 2
    if runs <= 4:
        assert user.columns(tokens) == (tokens.kinds.tolist(), tokens.starts.tolist(), tokens.ends.tolist())


def test_errors(user):
    with pytest.raises(TypeError, match="expected fastlex Tokens"):
        user.columns([1, 2])
    with pytest.raises(ValueError, match="region=False"):
        user.columns(fastlex.Lexer(region=False).tokenize("x = 1"))
    lexer = fastlex.Lexer()
    old = lexer.tokenize("x = 1")
    lexer.tokenize("y")
    for read in (user.columns, user.source, user.line_starts):
        with pytest.raises(RuntimeError):
            read(old)
