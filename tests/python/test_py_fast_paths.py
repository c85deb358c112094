"""The speed paths of fastlex.python: io.StringIO sources, TokenInfo allocated directly
(untracked by the GC), token strings shared through a cache."""
import gc
import io
import tokenize

import pytest

import fastlex.python as fpy

SOURCES = ["a = 1\nb = 'x'\n", "x = (1,\n  2)\r\ny = 3", "", "\n\n", "é = 'ü'\nif x:\n    pass\n",
           "s = '''a\nb'''\nt = f'{x!r}'\n", "a\rb\n", "def f():\n\treturn 1\n"]


@pytest.mark.parametrize("newline", ["\n", None, ""])
@pytest.mark.parametrize("src", SOURCES)
def test_stringio_tokens(src, newline):
    def run(gen):
        try:
            return list(gen(io.StringIO(src, newline=newline).readline))
        except (SyntaxError, tokenize.TokenError) as exc:
            return type(exc), str(exc)
    assert run(fpy.generate_tokens) == run(tokenize.generate_tokens)


def test_tokens_untracked_with_a_dict():
    src = open(tokenize.__file__, encoding="utf-8").read()
    for _ in range(3):
        toks = list(fpy.generate_tokens(io.StringIO(src).readline))
        assert not any(gc.is_tracked(t) or gc.is_tracked(t.start) for t in toks[:50])
        for t in toks:
            t.note = [1]
        gc.collect()
        fresh = list(fpy.generate_tokens(io.StringIO(src).readline))
        assert all(t.__dict__ == {} for t in fresh)
        del toks
        assert fresh == list(tokenize.generate_tokens(io.StringIO(src).readline))


def test_cached_strings_are_plain():
    a = list(fpy.generate_tokens(io.StringIO("self.x = self.y + 10\n").readline))
    assert [t.string for t in a] == ["self", ".", "x", "=", "self", ".", "y", "+", "10", "\n", ""]
    assert a[0].string is a[4].string and type(a[0].string) is str and a[0].string.isascii()
