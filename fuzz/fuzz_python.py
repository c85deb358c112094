"""Coverage-guided fuzzing of fastlex's Python grammar with atheris (libFuzzer). Every input,
decoded as UTF-8 (surrogateescape, so every byte string is a source), goes through
fastlex.tokenize(language="python"), whose invariants must hold (tokens in order, inside the
source, every non-blank byte in a token, errors in bounds), and through
fastlex.python.generate_tokens, whose TokenInfo list and exception must equal the running
interpreter's tokenize: a difference is an AssertionError, reported like a crash.

    python fuzz/fuzz_python.py CORPUS_DIR SEED_DIR -max_total_time=600

(build and run as fuzz/README.md says for fuzz_lexer.py; the sanitized package holds
fastlex.python too.)
"""
import os
import sys

import atheris

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "python"))

import fastlex  # noqa: E402
import fastlex.python as fp  # noqa: E402
import pyoracle  # noqa: E402


LIMITED = []
for _mode in (0, 1):
    fp._scanner._configure_grammar(_mode)
    LIMITED.append(fastlex.Lexer(language="python"))
fp._scanner._configure_grammar(fp.MODE)


def check_tokens(data):
    """fastlex.tokenize(language="python"): ordered, in bounds, covering every non-blank byte."""
    toks = fastlex.tokenize(data, language="python")
    kinds, starts, ends = toks.kinds.tolist(), toks.starts.tolist(), toks.ends.tolist()
    pos = 3 if data.startswith(b"\xef\xbb\xbf") else 0      # a leading BOM is in no token
    for k, s, e in zip(kinds, starts, ends):
        assert 0 <= s <= e <= len(data), (k, s, e)
        assert s >= pos or e == s, (k, s, e, pos)
        assert not data[pos:s].strip(b" \t\f\r\n\\"), (pos, s, data[pos:s])
        pos = max(pos, e)
    assert not data[pos:].strip(b" \t\f\r\n\\"), (pos, data[pos:])
    for err in toks.errors:
        assert 0 <= err.offset <= len(data)


def test_one_input(data):
    check_tokens(data)
    # A small memory limit drives the scanner's out-of-memory exits on the same input (as
    # fuzz_lexer.py does for Ruby): LexMemoryError or a result, never anything else.
    # Both modes of the scanner (3.9-3.11 rules, 3.12+ rules with f-string tokens).
    limit = 1 + int.from_bytes(data[:2], "little") * 2
    for lexer in LIMITED:
        try:
            lexer.tokenize(data, memory_limit=limit)
        except fastlex.LexMemoryError as e:
            assert isinstance(e, MemoryError) and e.limit == limit, e
    text = data.decode("utf-8", "surrogateescape")
    if any("\udc80" <= c <= "\udcff" for c in text):
        return                      # not UTF-8: only the bytes path applies (done above)
    pyoracle.compare_text(text)
    pyoracle.compare_bytes(data)


def main():
    print(f"fastlex from {fastlex.__file__}", file=sys.stderr)
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
