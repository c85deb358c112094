"""The type stubs (fastlex/*.pyi, py.typed) under ``mypy --strict``.

A small program that uses the whole public API must type-check, with the types the
stubs promise (``assert_type``, so a stub that fell back to ``Any`` fails); a program
of wrong uses must be rejected, each on its own line with the expected error code. The
programs are only type-checked, never run.

pyarrow ships no type information, so the mypy configuration here sets
``ignore_missing_imports`` for ``pyarrow`` (what any strict project importing pyarrow
needs); its names are then ``Any`` and ``fastlex.arrow``'s signatures fall back to them.

mypy is needed: missing, these tests skip, except in CI (``CI`` set) where they fail.
"""
import importlib.metadata
import importlib.util
import os
import re
import site
import subprocess
import sys
import sysconfig

import pytest

import fastlex

PACKAGE_DIR = os.path.dirname(os.path.abspath(fastlex.__file__))

MYPY_INI = """\
[mypy]
strict = True
warn_unreachable = True

[mypy-pyarrow]
ignore_missing_imports = True

[mypy-pyarrow.*]
ignore_missing_imports = True
"""

GOOD = '''\
import bisect
import os
import pathlib
import sys
from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa
from typing_extensions import assert_type

import fastlex
import fastlex.arrow
import fastlex.python
from fastlex import Column, Kind, LexError, LexMemoryError, Lexer, Source, Token, Tokens


def kind_names(tokens: Tokens) -> list[str]:
    return [tok.type.name for tok in tokens]


def first_at_or_after(offsets: Sequence[int], offset: int) -> int:
    return bisect.bisect_left(offsets, offset)


def offsets(column: Column) -> list[int]:
    first: int = column[0]
    last = column[-1]
    assert_type(last, int)
    assert_type(column[1:3], list[int])
    assert_type(iter(column), Iterator[int])
    total = sum(column) + len(column) + first
    view = memoryview(column)
    assert_type(column.zero_copy, bool)
    assert column == column.tolist() and total >= 0 and view.nbytes >= 0
    assert first_at_or_after(column, first) <= column.index(first) and column.count(first) >= 1
    assert first in column and list(reversed(column))[-1] == first
    return [value for value in column]


def main(paths: list[pathlib.Path]) -> int:
    tokens = fastlex.tokenize("puts 'hi'\\n")
    assert_type(tokens, Tokens)
    tokens = fastlex.tokenize(b"x = 1\\n", memory_limit=1 << 20)
    assert_type(len(tokens), int)
    assert_type(tokens.count, int)
    assert_type(tokens[0], Token)
    assert_type(tokens[-1], Token)
    assert_type(tokens[1:], list[Token])
    assert_type(list(reversed(tokens)), list[Token])

    for tok in tokens:
        assert_type(tok, Token)
        assert_type(tok.type, Kind)
        assert_type(tok.exact_type, Kind)
        assert_type(tok.string, str)
        assert_type(tok.start, tuple[int, int])
        assert_type(tok.end, tuple[int, int])
        assert_type(tok.line, str)
        assert_type(tok.start_offset, int)
        assert_type(tok.end_offset, int)
        line, col = tok.start
        kind = tok[0]
        assert_type(kind, Kind)
        assert_type(tok[1], str)
        assert_type(tok[3], tuple[int, int])
        assert_type(tok[4], str)
        assert len(tok) == 5 and line >= 1 and col >= 0 and kind is tok.type
        kind_any, string, start, end, physical = tok
        if tok.type is Kind.IDENTIFIER and tok == tokens[0]:
            print(kind_any, string, start, end, physical, hash(tok))

    names = kind_names(tokens)
    starts = offsets(tokens.starts)
    ends = offsets(tokens.ends)
    kinds: list[int] = tokens.kinds.tolist()
    codes = [Kind(k) for k in tokens.kinds]
    assert_type(tokens.text(0), str)
    assert_type(tokens.position(starts[0]), tuple[int, int])
    assert_type(tokens.line_starts, list[int])
    assert_type(tokens.stats, dict[str, Any])
    source: Source = tokens.source
    assert_type(source.original, str | bytes)
    capsules = tokens.__arrow_c_array__()
    schema_capsule, array_capsule = tokens.__arrow_c_array__(requested_schema=None)
    print(names, ends, kinds, codes, capsules, schema_capsule, array_capsule)

    for error in tokens.errors:
        assert_type(error, LexError)
        print(f"{error.line}:{error.column}: {error.message} at byte {error.offset}")

    lexer = Lexer(memory_limit=None, region=True)
    assert_type(lexer.memory_limit, int | None)
    assert_type(lexer.generation, int)
    assert_type(lexer.bytes_reserved, int)
    assert_type(lexer.region_enabled, bool)
    try:
        reused = lexer.tokenize(paths[0].read_bytes(), memory_limit=4096)
        assert_type(reused, Tokens)
    except LexMemoryError as exc:
        assert_type(exc.limit, int | None)
        print(exc.phase, exc.used, exc.requested, file=sys.stderr)
    except MemoryError:
        return 1

    items: list[str | bytes | os.PathLike[str]] = ["a = 1", b"b = 2", *paths]
    many = fastlex.tokenize_many(items, workers=2, memory_limit=None)
    assert_type(many, list[Tokens])
    from_paths = fastlex.tokenize_many(paths)
    from_gen = fastlex.tokenize_many(p.read_bytes() for p in paths)
    assert [len(t) for t in from_paths] == [len(t) for t in from_gen]
    assert fastlex.MAX_SOURCE_BYTES > 0 and isinstance(fastlex.__version__, str)

    table = pa.table({"path": ["a.rb"], "content": ["puts 1\\n"]})
    out = fastlex.arrow.tokenize_table(table, column="content", language="ruby", memory_limit=None)
    batch = fastlex.arrow.tokenize_table(table.to_batches()[0])
    print(out.column_names, batch.num_rows, fastlex.arrow.TOKEN_TYPE, fastlex.arrow.ERROR_TYPE)
    arrow_tokens, arrow_errors = fastlex.arrow.tokenize_array(table.column("content"), lexer=lexer)
    assert_type(fastlex.arrow.LANGUAGES, dict[str, str])
    print(arrow_tokens.type, arrow_errors.type, pa.array(tokens, type=fastlex.arrow.TOKEN_TYPE))

    import io
    import tokenize
    python_tokens = list(fastlex.python.generate_tokens(io.StringIO("x = 1\\n").readline))
    assert_type(python_tokens, list[tokenize.TokenInfo])
    print(python_tokens[0].string, fastlex.python.MODE, fastlex.python.last_fallback())
    for info in fastlex.python.tokenize(io.BytesIO(b"y\\n").readline):
        assert_type(info.start, tuple[int, int])
    fastlex.python.install()
    fastlex.python.uninstall()
    assert_type(fastlex.tokenize("x = 1\\n", language="python"), Tokens)
    return 0


if __name__ == "__main__":
    sys.exit(main([pathlib.Path(p) for p in sys.argv[1:]]))
'''

# Each line marked "# E: code" must get that mypy error; no other line may get one.
BAD = '''\
import pathlib

import fastlex

tokens = fastlex.tokenize(1)  # E: arg-type
tokens = fastlex.tokenize("x", memory_limit="1")  # E: arg-type
tok = tokens[0]
where: str = tok.start  # E: assignment
kind: str = tokens.kinds[0]  # E: assignment
offsets: list[str] = tokens.starts[1:]  # E: assignment
name: int = tok.string  # E: assignment
tokens.count()  # E: operator
many = fastlex.tokenize_many([1, 2])  # E: list-item
paths = fastlex.tokenize_many(pathlib.Path("."), workers=2)  # E: arg-type
lexer = fastlex.Lexer(region="yes")  # E: arg-type
lexer.generation = 3  # E: misc
lexer.tokenize(None)  # E: arg-type
bad_line: int = tokens.errors[0].message  # E: assignment
fastlex.tokenize("x").nonexistent  # E: attr-defined
'''


# With pyarrow's own types (the pyarrow-stubs package) no override is needed.
MYPY_INI_PYARROW_STUBS = """\
[mypy]
strict = True
warn_unreachable = True
"""


def _mypy_or_skip():
    if importlib.util.find_spec("mypy") is None:
        if os.environ.get("CI"):
            pytest.fail("mypy is not installed (pip install -e '.[test]')")
        pytest.skip("mypy is not installed")


def _installed_roots():
    roots = set(site.getsitepackages() if hasattr(site, "getsitepackages") else [])
    roots.add(site.getusersitepackages())
    roots.update(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    return {os.path.realpath(r) for r in roots}


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("mypy-cache")


def run_mypy(tmp_path, cache_dir, program, python_version=None, config=MYPY_INI):
    """mypy --strict on ``program`` written to tmp_path; returns the completed process."""
    _mypy_or_skip()
    (tmp_path / "mypy.ini").write_text(config)
    (tmp_path / "example.py").write_text(program)
    env = dict(os.environ)
    env.pop("MYPYPATH", None)
    root = os.path.dirname(PACKAGE_DIR)
    # An installed fastlex (site-packages) is found the PEP 561 way, through py.typed; an
    # in-place or editable build (an import hook mypy cannot follow) through MYPYPATH.
    if os.path.realpath(root) not in _installed_roots():
        env["MYPYPATH"] = root
    cmd = [sys.executable, "-m", "mypy", "--config-file", str(tmp_path / "mypy.ini"),
           "--cache-dir", str(cache_dir), "--no-color-output", "--no-pretty", "--show-error-codes"]
    if python_version:
        cmd += ["--python-version", python_version]
    cmd.append("example.py")
    return subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)


def test_marker_and_stubs_ship():
    """py.typed and the stubs sit beside the package, where installs and mypy find them."""
    for name in ("py.typed", "__init__.pyi", "_core.pyi", "arrow.pyi", os.path.join("python", "__init__.pyi")):
        assert os.path.exists(os.path.join(PACKAGE_DIR, name)), name


@pytest.mark.parametrize("python_version", [None, "3.10", "3.13"])
def test_strict_accepts_the_public_api(tmp_path, mypy_cache, python_version):
    """The whole public API, used right, type-checks under --strict with exact types."""
    proc = run_mypy(tmp_path, mypy_cache, GOOD, python_version)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success" in proc.stdout


def test_strict_accepts_the_public_api_with_pyarrow_stubs(tmp_path, mypy_cache):
    """With pyarrow-stubs installed, fastlex.arrow's signatures are exact and need no override."""
    try:
        importlib.metadata.distribution("pyarrow-stubs")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("pyarrow-stubs is not installed")
    proc = run_mypy(tmp_path, mypy_cache, GOOD, config=MYPY_INI_PYARROW_STUBS)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_strict_rejects_wrong_uses(tmp_path, mypy_cache):
    """Each wrong use gets its error on its own line, and only those lines fail."""
    proc = run_mypy(tmp_path, mypy_cache, BAD)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    expected = {}
    for number, line in enumerate(BAD.splitlines(), 1):
        m = re.search(r"# E: ([\w-]+)", line)
        if m:
            expected[number] = m.group(1)
    got = {}
    for line in proc.stdout.splitlines():
        m = re.match(r"example\.py:(\d+): error: .*\[([\w-]+)\]$", line)
        if m:
            got.setdefault(int(m.group(1)), set()).add(m.group(2))
    assert set(got) == set(expected), proc.stdout
    for number, code in expected.items():
        assert code in got[number], (number, got[number], proc.stdout)


def test_the_good_program_is_not_vacuous(tmp_path, mypy_cache):
    """A wrong assert_type in the good program is caught: the stubs' types are exact, not Any."""
    broken = GOOD.replace("assert_type(tok.start, tuple[int, int])", "assert_type(tok.start, tuple[int, str])")
    assert broken != GOOD
    proc = run_mypy(tmp_path, mypy_cache, broken)
    assert proc.returncode == 1 and "assert-type" in proc.stdout, proc.stdout + proc.stderr


STUBTEST_INI = """\
[mypy]
ignore_missing_imports = True

[mypy-fastlex.pygments,fastlex.check,fastlex.bench,fastlex.__main__,fastlex._threads,fastlex._tree_sitter_map,fastlex._pygments_types,fastlex.prism,fastlex.python.*]
ignore_errors = True
"""

# What the stubs leave out on purpose (regular expressions over full names).
STUBTEST_ALLOWLIST = r"""
# Cython's pickling hooks and doctest table
fastlex\._core\.(.*\.)?__(reduce|setstate)_cython__
fastlex\._core\.__test__
# module-level internals of _core: all but what fastlex re-exports (class members stay checked)
fastlex\._core\.(?!(Lexer|Tokens|Token|Column|Source|MAX_SOURCE_BYTES)(\.|$))[^.]+
# PEP 688: the buffer protocol is a Python-level __buffer__ from 3.12 only
fastlex\._core\.Column\.__(release_)?buffer__
# modules outside the typed API
fastlex\.(pygments|check|bench|__main__|_threads|_tree_sitter_map|_pygments_types|_stream|prism|samples)(\..*)?
# fastlex.python: its public functions are checked; its compiled scanner and helpers are not
fastlex\.python\.(_scanner|dropin|_tree_sitter_map)(\..*)?
# kinds.py also binds each Kind member at module level (globals().update), untyped
fastlex\.kinds\.(?!Kind$|DESCRIPTIONS$)[A-Z_0-9]+
fastlex\.kinds\.__all__
"""


def test_stubs_match_the_runtime(tmp_path):
    """stubtest: what the stubs declare is what the compiled package has."""
    _mypy_or_skip()
    allowlist = STUBTEST_ALLOWLIST
    if importlib.util.find_spec("pyarrow") is None:
        allowlist += "fastlex\\.arrow(\\..*)?\n"      # its runtime needs pyarrow to import
    (tmp_path / "stubtest.ini").write_text(STUBTEST_INI)
    (tmp_path / "allowlist.txt").write_text(allowlist)
    root = os.path.dirname(PACKAGE_DIR)
    env = dict(os.environ)
    env.pop("MYPYPATH", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    if os.path.realpath(root) not in _installed_roots():
        env["MYPYPATH"] = root
    cmd = [sys.executable, "-m", "mypy.stubtest", "fastlex", "--concise", "--ignore-unused-allowlist",
           "--mypy-config-file", str(tmp_path / "stubtest.ini"), "--allowlist", str(tmp_path / "allowlist.txt")]
    usage = subprocess.run(cmd[:3] + ["--help"], capture_output=True, text=True).stdout
    if "--ignore-disjoint-bases" in usage:
        cmd.append("--ignore-disjoint-bases")   # newer stubtest: @disjoint_base (PEP 800) is not used here
    proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
