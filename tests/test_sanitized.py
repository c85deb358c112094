"""fastlex under AddressSanitizer + UndefinedBehaviorSanitizer, with libFuzzer's coverage
counters (fuzz/build_sanitized.sh clang; fuzz/README.md):

* the committed fuzz corpus (fuzz/corpus/ruby, fuzz/corpus/python) replayed through the lean
  targets (fuzz/fuzz_fast.py) and the full-invariant ones (fuzz/fuzz_lexer.py,
  fuzz/fuzz_python.py, the latter comparing with the running interpreter's tokenize);
* a bounded coverage-guided atheris run of each grammar (``FASTLEX_SANITIZED_FUZZ_SECONDS``,
  default 45), starting from a copy of the corpus, and one of the Python layer
  (fuzz/fuzz_layers.py: positions, Arrow, Pygments, odd readline callables;
  ``FASTLEX_SANITIZED_LAYER_SECONDS``, default 20);
* the robustness tests (tests/test_robustness.py, test_hostile.py, test_fuzz_bytes.py, test_fuzz_paths.py,
  tests/python/test_py_fuzz.py and test_py_fuzz_findings.py) against the sanitized build.

Each runs in a child process with the sanitizer runtime (atheris's asan_with_fuzzer.so)
preloaded, so a sanitizer report fails the test instead of killing pytest. The build and a venv
holding Cython and atheris are cached under ``FASTLEX_SANITIZED_CACHE`` (default:
build/sanitized in the tree), the build keyed by the sources' digest. In CI (``CI`` set) a
missing clang or a failed atheris install fails these tests; elsewhere they skip, saying why.
"""
import os
import shutil
import subprocess
import sys

import pytest

from buildtree import cached_venv, missing, source_digest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.environ.get("FASTLEX_SANITIZED_CACHE", os.path.join(ROOT, "build", "sanitized"))
FUZZ = os.path.join(ROOT, "fuzz")
CORPUS = os.path.join(FUZZ, "corpus")
SECONDS = int(os.environ.get("FASTLEX_SANITIZED_FUZZ_SECONDS", "45"))
# Pygments and pyarrow: the converters fuzz_layers.py checks.
VENV_PACKAGES = ["Cython>=3.0", "setuptools>=64", "wheel", "atheris>=2.3", "Pygments>=2.10", "pyarrow>=14"]
LAYER_SECONDS = int(os.environ.get("FASTLEX_SANITIZED_LAYER_SECONDS", "20"))
# What the sanitized build is made of (its cache key).
SOURCES = ["setup.py", "pyproject.toml", "fastlex", "grammars", "fuzz/build_sanitized.sh"]
SANITIZER_ENV = {
    "ASAN_OPTIONS": "detect_leaks=0:halt_on_error=1:abort_on_error=0",
    "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1",
}
# What a sanitizer or libFuzzer prints when something went wrong.
REPORTS = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: libFuzzer", "SUMMARY: UndefinedBehaviorSanitizer",
           "Uncaught Python exception")


def venv_python():
    """The cached venv's python, with Cython (to build) and atheris (to fuzz) installed
    (atheris builds with clang where pip finds no wheel)."""
    return cached_venv(os.path.join(CACHE, "venv"), sys.executable, VENV_PACKAGES,
                       {"CLANG_BIN": shutil.which("clang") or "clang"})


@pytest.fixture(scope="module")
def sanitized():
    """(the sanitized package's directory, the venv's python, the environment of a sanitized child)."""
    if sys.platform != "linux":
        pytest.skip("the sanitized build uses Debian's clang and atheris's Linux runtime")
    if shutil.which("clang") is None:
        missing("clang is not installed (apt-get install clang libclang-rt-14-dev)")
    vpy = venv_python()
    res = subprocess.run([vpy, "-c", "import atheris; print(atheris.path())"], capture_output=True, text=True)
    preload = os.path.join(res.stdout.strip(), "asan_with_fuzzer.so")
    if res.returncode != 0 or not os.path.exists(preload):
        missing(f"atheris's asan_with_fuzzer.so was not found: {res.stderr[-1000:]}")
    build = os.path.join(CACHE, "clang-" + source_digest(tops=SOURCES))
    if not os.path.isdir(os.path.join(build, "fastlex")):
        if os.path.isdir(CACHE):
            for old in os.listdir(CACHE):
                if old.startswith("clang-"):
                    shutil.rmtree(os.path.join(CACHE, old), ignore_errors=True)
        res = subprocess.run(["bash", os.path.join(FUZZ, "build_sanitized.sh"), "clang", build],
                             env=dict(os.environ, PYTHON=vpy), capture_output=True, text=True)
        if res.returncode != 0:
            shutil.rmtree(build, ignore_errors=True)
            missing(f"the sanitized build failed (is libclang-rt-14-dev installed?):\n{res.stdout[-2000:]}\n"
                    f"{res.stderr[-3000:]}")
    env = dict(os.environ, PYTHONPATH=build, LD_PRELOAD=preload, **SANITIZER_ENV)
    # The child must import the sanitized copy, not the checkout's build (hence cwd outside it).
    res = subprocess.run([vpy, "-c", "import fastlex, fastlex.python; print(fastlex.__file__)"], env=env,
                         cwd=CACHE, capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout.strip() == os.path.join(build, "fastlex", "__init__.py"), \
        res.stdout + res.stderr[-3000:]
    return build, vpy, env


def run_child(args, env, timeout, cwd=CACHE):
    """Run a sanitized child; (exit status, its output), failing the test on a sanitizer report."""
    res = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    out = res.stdout + res.stderr
    for report in REPORTS:
        assert report not in out, f"{report!r} in the output of {args[1:3]}:\n{out[-6000:]}"
    return res.returncode, out


def corpus_files(grammar):
    folder = os.path.join(CORPUS, grammar)
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


@pytest.mark.parametrize("grammar,target", [("ruby", "fuzz_fast.py"), ("python", "fuzz_fast.py"),
                                            ("ruby", "fuzz_lexer.py"), ("python", "fuzz_python.py")])
def test_corpus_replay(sanitized, tmp_path, grammar, target):
    """Every committed corpus input through the target, once (libFuzzer's -runs=0)."""
    _build, vpy, env = sanitized
    n = len(corpus_files(grammar))
    assert n >= 100, f"fuzz/corpus/{grammar} holds {n} inputs"
    which = [f"--grammar={grammar}"] if target == "fuzz_fast.py" else []
    status, out = run_child([vpy, os.path.join(FUZZ, target), *which, str(tmp_path),
                             os.path.join(CORPUS, grammar), "-runs=0", "-timeout=60", "-rss_limit_mb=4096",
                             f"-artifact_prefix={tmp_path}/"], env, timeout=900)
    assert status == 0, out[-6000:]
    assert "INITED" in out, out[-3000:]
    assert f"{n} files found in {os.path.join(CORPUS, grammar)}" in out, out[-3000:]


@pytest.mark.parametrize("grammar", ["ruby", "python"])
def test_bounded_fuzzing(sanitized, tmp_path, grammar):
    """A coverage-guided run of the lean target for SECONDS, from a copy of the corpus, with the
    grammar's dictionary: no crash, no sanitizer report, no broken invariant, no hang."""
    _build, vpy, env = sanitized
    corpus = tmp_path / "corpus"
    shutil.copytree(os.path.join(CORPUS, grammar), corpus)
    status, out = run_child([vpy, os.path.join(FUZZ, "fuzz_fast.py"), f"--grammar={grammar}", str(corpus),
                             f"-dict={os.path.join(FUZZ, grammar + '.dict')}", f"-max_total_time={SECONDS}",
                             "-max_len=8192", "-timeout=20", "-rss_limit_mb=4096", "-print_final_stats=1",
                             f"-artifact_prefix={tmp_path}/"], env, timeout=SECONDS + 600)
    assert status == 0, out[-6000:]
    assert not [f for f in os.listdir(tmp_path) if f.startswith(("crash-", "timeout-", "oom-", "leak-"))]
    stats = [line for line in out.splitlines() if line.startswith("stat::")]
    print(f"\n{grammar}: " + "; ".join(stats))
    assert any(line.startswith("stat::number_of_executed_units") for line in stats), out[-3000:]


def test_bounded_layer_fuzzing(sanitized, tmp_path):
    """fuzz_layers.py from both corpora (their first byte picks grammar and readline variant)."""
    _build, vpy, env = sanitized
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for grammar in ("ruby", "python"):
        for name in corpus_files(grammar)[::4]:
            shutil.copy(os.path.join(CORPUS, grammar, name), corpus / name)
    status, out = run_child([vpy, os.path.join(FUZZ, "fuzz_layers.py"), str(corpus),
                             f"-max_total_time={LAYER_SECONDS}", "-max_len=2048", "-timeout=20",
                             "-rss_limit_mb=4096", "-print_final_stats=1", f"-artifact_prefix={tmp_path}/"],
                            env, timeout=LAYER_SECONDS + 600)
    assert status == 0, out[-6000:]
    assert "pyarrow yes, Pygments yes" in out, out[-3000:]
    stats = [line for line in out.splitlines() if line.startswith("stat::")]
    print("\nlayers: " + "; ".join(stats))


def test_robustness_suites(sanitized, tmp_path):
    """The robustness tests of the normal suite, against the sanitized build (the running
    interpreter, which has the test dependencies, with the sanitizer runtime preloaded)."""
    build, _vpy, env = sanitized
    tests = ["test_robustness.py", "test_hostile.py", "test_fuzz_bytes.py", "test_fuzz_paths.py",
             os.path.join("python", "test_py_fuzz.py"), os.path.join("python", "test_py_fuzz_findings.py")]
    # fastlex is imported (and checked to be the sanitized copy) before pytest starts.
    run = ("import sys, fastlex, fastlex.python, pytest\n"
           "assert fastlex.__file__.startswith(sys.argv[1] + '/'), fastlex.__file__\n"
           "sys.exit(pytest.main(sys.argv[2:]))")
    status, out = run_child([sys.executable, "-c", run, build, "-q", "-p", "no:cacheprovider", "-x",
                             *[os.path.join(ROOT, "tests", t) for t in tests]],
                            env, timeout=1800, cwd=str(tmp_path))
    assert status == 0, out[-6000:]
    print("\n" + out.strip().splitlines()[-1])
