"""Coverage-guided fuzzing of fastlex with atheris (libFuzzer): every input is
lexed as bytes and as str and must satisfy the invariants of tests/lexcheck.py.

Usage (see fuzz/README.md for the sanitized build and the long campaign):

    python fuzz/fuzz_lexer.py CORPUS_DIR SEED_DIR -max_total_time=600
"""
import os
import sys

import atheris

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

# Coverage comes from the C core (built with -fsanitize=fuzzer-no-link); the Python
# checker is not instrumented: that would slow every execution tenfold for nothing.
import fastlex  # noqa: E402
import lexcheck  # noqa: E402


def test_one_input(data):
    """Lex data every way fastlex accepts it; any invariant broken raises, any crash is caught by libFuzzer."""
    lexcheck.check_bytes(data)
    # A small memory limit drives the failure paths of every unit on the same input.
    fdp = atheris.FuzzedDataProvider(data[:4])
    limit = 1 + fdp.ConsumeIntInRange(0, 1 << 16)
    try:
        fastlex.tokenize(data, memory_limit=limit)
    except fastlex.LexMemoryError as e:
        assert isinstance(e, MemoryError) and e.limit == limit, e


def main():
    """Run libFuzzer over test_one_input with the command line's options."""
    print(f"fastlex from {fastlex.__file__}", file=sys.stderr)
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
