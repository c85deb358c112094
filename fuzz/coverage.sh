#!/usr/bin/env bash
# Line and branch coverage of the two scanners (fastlex/_scanner.pxi: Ruby; fastlex/python/_scanner.pyx:
# Python) reached by the fuzz corpus or by the test suite, mapped back to the .pxi/.pyx lines:
#   fuzz/coverage.sh corpus [OUT]   what the fuzz targets do with every input of fuzz/corpus/ruby and
#                                   fuzz/corpus/python: lex it with its grammar (as bytes, and as str
#                                   when valid UTF-8; Python in both modes) and, for Python, run the
#                                   tokenize front end (fastlex.python.tokenize, generate_tokens)
#   fuzz/coverage.sh tests  [OUT]   run the test suite (pytest tests/, less the tests that build
#                                   or start something else: engines, other interpreters, sanitized builds)
#   fuzz/coverage.sh both   [OUT]   both, one after the other, each from zeroed counters
# FASTLEX_FUZZ_CORPUS=DIR replays DIR/ruby and DIR/python instead of fuzz/corpus.
# Builds a gcc --coverage -O0 copy (Cython #line directives on) into OUT (default /tmp/fastlex-coverage),
# then prints per scanner: lines and branches reached, and the functions never called.
# PYTHON picks the interpreter (default python3; it needs Cython and atheris, and the test
# dependencies for "tests").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-python3}
what=${1:-corpus}
out=${2:-/tmp/fastlex-coverage}
src=$out/src
if [ ! -f "$src/.built" ] || [ -n "$(cd "$root" && find setup.py fastlex grammars -newer "$src/.built" \
        \( -name '*.py' -o -name '*.pyx' -o -name '*.pxi' -o -name '*.tsv' \) -print -quit)" ]; then
    rm -rf "$src" && mkdir -p "$src"
    (cd "$root" && tar cf - --exclude='*.so' --exclude='*.c' --exclude='*.html' --exclude=__pycache__ \
        setup.py pyproject.toml README.md fastlex grammars) | tar xf - -C "$src"
    (cd "$src" && FASTLEX_COVERAGE=1 "$PY" setup.py -q build_ext --inplace >build.log 2>&1) \
        || { tail -40 "$src/build.log" >&2; exit 1; }
    touch "$src/.built"
fi
run_corpus() {
    (cd "$src" && PYTHONPATH="$src" "$PY" - "${FASTLEX_FUZZ_CORPUS:-$root/fuzz/corpus}" <<'PYEOF'
import io, os, sys
import atheris
import fastlex
import fastlex.python as fp
from fastlex.python import _scanner
assert fastlex.__file__.startswith(os.getcwd()), fastlex.__file__
# What the fuzz targets do with each input: fuzz_fast.py lexes the bytes (the Python grammar in
# both its modes), fuzz_lexer.py also the str, fuzz_python.py runs the tokenize front end.
lexers = {"ruby": [fastlex.Lexer()], "python": []}
for mode in (0, 1):
    _scanner._configure_grammar(mode)
    lexers["python"].append(fastlex.Lexer(language="python"))
_scanner._configure_grammar(fp.MODE)


def drain(make, readline):
    try:
        for _ in make(readline):
            pass
    except Exception:
        pass


for grammar in ("ruby", "python"):
    folder = os.path.join(sys.argv[1], grammar)
    names = sorted(os.listdir(folder))
    for name in names:
        try:
            with open(os.path.join(folder, name), "rb") as f:
                data = f.read()
        except FileNotFoundError:
            continue        # a live fuzzer's corpus: the file was replaced by a smaller one
        for lexer in lexers[grammar]:
            lexer.tokenize(data)
            try:
                lexer.tokenize(data.decode("utf-8"))
            except UnicodeDecodeError:
                pass
        # fuzz_lexer.py and fuzz_python.py also lex under a small memory limit taken from the input.
        limit = 1 + (int.from_bytes(data[:2], "little") * 2 if grammar == "python"
                     else atheris.FuzzedDataProvider(data[:4]).ConsumeIntInRange(0, 1 << 16))
        for lexer in lexers[grammar]:
            try:
                lexer.tokenize(data, memory_limit=limit)
            except fastlex.LexMemoryError:
                pass
        if grammar == "python":
            drain(fp.tokenize, io.BytesIO(data).readline)
            try:
                drain(fp.generate_tokens, io.StringIO(data.decode("utf-8")).readline)
            except UnicodeDecodeError:
                pass
    print(f"{grammar}: {len(names)} corpus inputs lexed")
PYEOF
    )
}
run_tests() {
    # The checkout's tests, run from the copy so that `import fastlex` finds the coverage build;
    # the copy looks for the shared prism binary beside itself, so point it at the checkout's.
    if [ -z "${FASTLEX_PRISM:-}" ] && [ -x "$root/../shared/prism/prism-tokens" ]; then
        export FASTLEX_PRISM="$root/../shared/prism/prism-tokens"
    fi
    (cd "$src" && PYTHONPATH="$src" "$PY" -m pytest -q -p no:cacheprovider "$root/tests" \
        --ignore="$root/tests/test_engines.py" --ignore="$root/tests/python/test_py_interpreters.py" \
        --ignore="$root/tests/test_sanitized.py" 2>&1 | grep -E "^(FAILED|ERROR)|[0-9]+ (passed|failed)" || true)
}
report() {
    "$PY" "$root/fuzz/coverage_report.py" "$src" "$1"
}
zero() { find "$src" -name '*.gcda' -delete; }
case $what in
    corpus) zero; run_corpus; report "fuzz corpus" ;;
    tests) zero; run_tests; report "test suite" ;;
    both) zero; run_corpus; report "fuzz corpus"; zero; run_tests; report "test suite" ;;
    *) echo "usage: fuzz/coverage.sh corpus|tests|both [OUT]" >&2; exit 2 ;;
esac
