"""Hand-written edge cases: each one compared, through generate_tokens and tokenize, with the
running interpreter's tokenize (tokens and exceptions). Version differences are the oracle's."""
import pytest

import fastlex.python as fp
from pyoracle import compare_bytes, compare_text

EDGES = [
    "", "\n", "x", "x = 1", "x = 1\n", "# c", "# c\n", "x  # c", "  \n\n", "\n\n\n",
    "if x:\n    y = (1,\n  2)\n    # c\n\n",
    "if x:\n  y", "if x:\n  if y:\n    z\n", "if x:\n  y\n# c\n  z\n", "if x:\n\ty\n        z\n",
    "if x:\n  y\n z\n",                               # unindent to no level
    "if x:\n\ty\n        \tz\n", "if x:\n        y\n\tz\n",  # tab/space mix
    "\fx\n", "if x:\n  \fy\n", "x = 1;\fy = 2\n",
    "a = '''x\ny''' + 1\n", "a = 'x\\\ny' + 1\n", "a = 1 + \\\n  2\nb\n", "x = \\\n\n", "x = \\\n# c\n",
    # a backslash continuation before a comment-only or blank line: the line continues (COMMENT,
    # then NEWLINE or NL), on every version; the scanner used to stop there
    "x = 1 + \\\n# c\n2\n", "if a:\n    x = 1 + \\\n    # c\n    y = 2\n", "x = 1 + \\\n  \n2\n",
    "x = (1 + \\\n# c\n2)\n", "x = (1 + \\\n\n2)\n", "x = \\\n# c", "x = \\\n  # c\ny\n",
    "if a:\n  x = \\\n\n  y\n", "if a:\n  x = \\\n# c\n  y\n", "x = \\\r\n# c\r\ny\r\n", "x = \\\n\r\ny\n",
    "def f():\n    return \\\n        # c\n\nx\n", "x = [\\\n# c\n]\n", "f'{x}' \\\n# c\n",
    "if a:\n\tx = \\\n        # c\n\ty\n", "x = \\\n\x0c# c\ny\n",
    "a = '''x\n#'''", "'''\n# c'''", "x = '''abc", "x = 'abc\n", "x = (1,\n", "x = )\n", "x = (]\n",
    "x\r\ny\r\n", "(\n1\r\n)\r\n", "x\n\r\n", "x\ry\n", "x = '\\r'\r\n", "x = 1\\\r\n + 2\r\n",
    "1if x else 2\n", "0x\n", "0x_1f 0o17 0b1_0 1_000.5e-3j .5 5. 1e5 1E+5J 0777j 0777.0 00 0_0\n",
    "0777\n", "1__0\n", "1_\n", "1.real\n", "1..real\n", "x...y\n", "x->y\n", "a := 1\n", "a <> b\n",
    "a ** = b\n", "a **= b //= c >>= d <<= e @= f\n", "$x\n", "x ? y\n", "`x`\n", "x!\n", "x != y\n",
    "é = 1\n", "x·y = 1\n", "ℌ = 1\n", "a\u0301 = 1\n", "x = '\u00e9' + \"\u4e2d\"\n", "€ = 1\n", "x\u00a0= 1\n",
    "x = '''\u00e9\n\u00e9''' + 1\n", "# \u00e9\nx = 1  # \u00e9\n",
    "u'x' U'x' r'x' R'x' b'x' B'x' br'x' Rb'x' bR'x' f'x' F'x' fr'x' rF'x' ur'x' bu'x'\n",
    "f'{x:{w}}'\n", "f'{x:}'\n", "f'{x:{w}d}'\n", "f'{x=}'\n", "f'{x=!r:^10}'\n", "f'{x!r}'\n",
    "f'\\N{DASH} {x}'\n", "f'a\\{x}'\n", "f'{x:a{{b}}c}'\n", "f'{ {1:2}[1] }'\n", "f'{x!=y}'\n",
    "f'{(lambda: 1)()}'\n", "f'''{\nx\n}'''\n", "f'{x:\\n}'\n", "f'{\"a\"}{f\"{1}\"}'\n", "rf'\\{{x}}'\n",
    "f'{{}}'\n", "f''\n", "f'{x}' f'{y}'\n", "f'a\\\nb'\n", "f'{x:%H:%M}'\n", "f'{x:{y:{z}}}'\n",
    "f'{x}}}'\n", "f'{x:}}'\n", "f'{ x = }'\n", "f'{x:=5}'\n", "f'{x\n}'\n", "f'{x # c\n}'\n",
    "f'''a\n{b:>{c}}\nd'''\n", "f'{'a'}'\n", "f'{x}\n", "f'''{x}\n",
    "@decorator\ndef f(a, *, b=1, **k) -> int:\n    return a\n",
    "async def f():\n    await x\n",
    "x = [\n    1,  # one\n\n    2,\n]\n",
    "class A:\n    def f(self):\n        pass\n\n\n\nx = 1\n",
    "if x:\n    pass\n    \n",
    "x = 1\n   ",
    "\ufeffx = 1\n",
    "x = '\0'\n",
    # found by fuzz/differential.py under 3.13 (issue 15): a backslash in the indentation (3.12+
    # measures indentation across it), a backslash before a lone CR in a string, {{ opening a
    # field in a format spec (after an empty FSTRING_MIDDLE)
    " \\\na", " \\\n#", "\t\\\n", " \\\n\n", " \\\n\f", "\ta\n\t\\\na", " c\n\\\n", "  a\n\\\n  s",
    '[""""""]\n \\\n#', "if x:\n \t\\\n \ty\n",
    "'\\\r'''", "x = '\\\rb'\n", "'''\\\r'''\n", "f'\\\r'\n",
    "F'{:{{}}}'[]", "f'{x:{{}}}'\n", "f'{x:{{y}}}'\n", "F'{(('')):{{\"\"\"\n",
    # (3.11 campaign) no NEWLINE at the end when the last line, stripped, starts with '#', even
    # inside a string; strip() removes more than blanks
    "([()'\\\n\r#'])", "x = '''\n\r#'''", "x = '''\n \x0b #'''", "x = '''\n\x1c#'''", "x = '''\n\xa0#'''",
    "x = '''\n\u3000#'''", "x = '''\n\u00e9#'''",
    # (3.13 campaign) fields nested four deep; {{ and }} in a spec after a nested field
    'f"""{:{:{:{\n', 'f"{x:{y:{z}}}"\n', 'f"{x:{y:{z:{w}}}}"\n', 'f"{x:{y}}}"\n', 'f"""{:{}{{""\n',
    'f"{x:{y}{{z}}}"\n', 'f"{x:{y}{{}}}"\n', 'f"{x:{w}.{p}f}"\n', "F'''{\"\"\"\"\"\":{}{{''\"\"\n",
    # (3.13 confirmation run) a \N{ left open before a backslash or a brace
    "f'''\\N{EM DASH\\{x}a'''\n", "f'\\N{EM{x}'\n", "f'\\N{DASH} {x}'\n",
]

BYTES = [
    b"# -*- coding: latin-1 -*-\nx = '\xe9'\n", b"\xef\xbb\xbfx = 1\n", b"\xef\xbb\xbf# coding: latin-1\n",
    b"# coding: uft-8\nx\n", b"x = '\xff'\n", b"#!/usr/bin/env python\n# vim: set fileencoding=ascii :\nx\n",
    b"", b"x", b"x = 1\r\n",
]


@pytest.mark.parametrize("source", EDGES)
def test_edge_text(source):
    compare_text(source)


@pytest.mark.parametrize("source", EDGES)
def test_edge_bytes(source):
    compare_bytes(source.encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("data", BYTES)
def test_edge_encoding(data):
    compare_bytes(data)


@pytest.mark.parametrize("source", [
    "def f(x):\n    return f'{x!r:>10}' + 'y'  # c\n",
    "x = 1 + \\\n# c\n2\n", "x = (1 + \\\n\n2)\n", "if a:\n    x = \\\n    # c\n    y\n",
])
def test_fast_path_taken(source):
    """Valid everyday code never falls back (a continuation before a comment line included)."""
    compare_text(source)
    assert fp.last_fallback() is None


def test_lazy_readline():
    """generate_tokens calls readline only when the first token is asked for."""
    calls = []

    def readline():
        calls.append(1)
        return ""
    it = fp.generate_tokens(readline)
    assert calls == []
    list(it)
    assert calls


def test_readline_error_replayed():
    """An exception raised by readline comes out after the tokens of the lines before it."""
    import tokenize

    def make():
        lines = iter(["x = 1\n", "y = 2\n"])

        def readline():
            for line in lines:
                return line
            raise OSError("disk")
        return readline
    from pyoracle import run
    assert run(fp.generate_tokens, make()) == run(tokenize.generate_tokens, make())
