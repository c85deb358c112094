#!/usr/bin/env bash
# Line and branch coverage of the two scanners (fastlex/_scanner.pxi: Ruby; fastlex/python/_scanner.pyx:
# Python) reached by the fuzz corpus or by the test suite, mapped back to the .pxi/.pyx lines:
#   fuzz/coverage.sh corpus [OUT]   lex every input of fuzz/corpus/ruby and fuzz/corpus/python
#                                   (as bytes, and as str when valid UTF-8) with its grammar
#   fuzz/coverage.sh tests  [OUT]   run the test suite (pytest tests/, less the tests that build
#                                   or start something else: engines, other interpreters, sanitized builds)
#   fuzz/coverage.sh both   [OUT]   both, one after the other, each from zeroed counters
# FASTLEX_FUZZ_CORPUS=DIR replays DIR/ruby and DIR/python instead of fuzz/corpus.
# Builds a gcc --coverage -O0 copy (Cython #line directives on) into OUT (default /tmp/fastlex-coverage),
# then prints per scanner: lines and branches reached, and the functions never called.
# PYTHON picks the interpreter (default python3; it needs Cython, and pytest etc. for "tests").
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
import os, sys
import fastlex
assert fastlex.__file__.startswith(os.getcwd()), fastlex.__file__
total = 0
for grammar in ("ruby", "python"):
    folder = os.path.join(sys.argv[1], grammar)
    lexer = fastlex.Lexer(language=grammar)
    names = sorted(os.listdir(folder))
    for name in names:
        try:
            with open(os.path.join(folder, name), "rb") as f:
                data = f.read()
        except FileNotFoundError:
            continue        # a live fuzzer's corpus: the file was replaced by a smaller one
        lexer.tokenize(data)
        try:
            lexer.tokenize(data.decode("utf-8"))
        except UnicodeDecodeError:
            pass
    total += len(names)
    print(f"{grammar}: {len(names)} corpus inputs lexed")
PYEOF
    )
}
run_tests() {
    # From the copy (so that fastlex is the coverage build), with the checkout's tests.
    rm -rf "$src/tests" && cp -r "$root/tests" "$src/tests"
    (cd "$src" && PYTHONPATH="$src" "$PY" -m pytest -q -x -p no:cacheprovider tests \
        --ignore=tests/test_engines.py --ignore=tests/python/test_py_interpreters.py \
        --ignore=tests/test_sanitized.py 2>&1 | tail -3)
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
