"""Regressions found by coverage-guided fuzzing of the Python grammar (fuzz/fuzz_fast.py,
fuzz/README.md): each input, or sequence of inputs, as the fuzzer found it or reduced."""
import fastlex


UNTERMINATED = b'x = "abc'          # one error: an unterminated string at offset 8


def test_reused_lexer_forgets_the_previous_errors():
    # A reused Lexer(language="python") kept the errors of every earlier source: a clean source
    # lexed after a broken one reported the old error, at an offset past its own end.
    lexer = fastlex.Lexer(language="python")
    assert [e.offset for e in lexer.tokenize(UNTERMINATED).errors] == [8]
    assert lexer.tokenize(b"y").errors == []
    assert [e.offset for e in lexer.tokenize(UNTERMINATED).errors] == [8]
    for src in (b"'\n", b"(", b"  x\ny", UNTERMINATED, b"ok = 1\n"):
        assert lexer.tokenize(src).errors == fastlex.Lexer(language="python").tokenize(src).errors


def test_tokenize_many_errors_belong_to_their_source():
    # tokenize_many reuses one Lexer per worker: every later result carried the first's error.
    for workers in (1, 2):
        results = fastlex.tokenize_many([UNTERMINATED, b"y", b"z\n", UNTERMINATED + b"\n"],
                                        language="python", workers=workers)
        assert [[e.offset for e in t.errors] for t in results] == [[8], [], [], [8]]
        for t, src in zip(results, [UNTERMINATED, b"y", b"z\n", UNTERMINATED + b"\n"]):
            assert all(0 <= e.offset <= len(src) for e in t.errors)


def test_many_broken_sources_do_not_pile_up_errors():
    lexer = fastlex.Lexer(language="python")
    for _ in range(100):
        assert len(lexer.tokenize(UNTERMINATED).errors) == 1


def test_error_token_after_a_bom_leaves_the_bom_out():
    # A source whose first token stops the scanner: the ERRORTOKEN over the rest started at
    # offset 0, taking in the byte order mark, which is in no token otherwise.
    for body in (b"\x0f", b"$x\n", b"'abc", b"(\n", b"  x\n"):
        plain = fastlex.tokenize(body, language="python")
        bom = fastlex.tokenize(b"\xef\xbb\xbf" + body, language="python")
        assert bom.kinds.tolist() == plain.kinds.tolist()
        assert bom.starts.tolist() == [s + 3 for s in plain.starts.tolist()]
        assert bom.ends.tolist() == [e + 3 for e in plain.ends.tolist()]
        assert [e.offset for e in bom.errors] == [e.offset + 3 for e in plain.errors]


# Found by fuzz/fuzz_layers.py (the drop-in fed odd readline callables); fixed by the bytes
# path reading lazily, as the interpreter's tokenize does.
def _run_both(values_factory):
    import tokenize

    import fastlex.python as fp
    from pyoracle import assert_same, run
    assert_same(run(tokenize.tokenize, values_factory()), run(fp.tokenize, values_factory()), "")


def _readline(values, end):
    it = iter(values)

    def readline():
        for v in it:
            if isinstance(v, BaseException):
                raise v
            return v
        return end
    return readline


def test_tokenize_given_str_lines_of_an_empty_source():
    # tokenize() on an empty source whose readline gives str: the interpreter raises (the
    # value is not bytes); the drop-in used to yield ENCODING and ENDMARKER.
    _run_both(lambda: _readline([], ""))


def test_readline_raising_after_the_end_that_detect_encoding_reached():
    # detect_encoding read up to b'': the interpreter calls readline once more, and a readline
    # raising there raises from tokenize; the drop-in used to stop without calling it.
    for lines in ([], [b"x\n"], [b"x = 1\n", b"y\n"]):
        _run_both(lambda lines=lines: _readline(lines + [b"", ValueError("readline failed")], b""))
