"""fastlex.python: CPython's ``tokenize``, token for token, at C speed.

Design
------
``generate_tokens(readline)`` and ``tokenize(readline)`` return ``tokenize.TokenInfo``
objects equal (``==``) to those of the running interpreter's own ``tokenize`` module,
3.9 to 3.13, following its version:

* 3.9 to 3.11 (mode 0) reproduce the pure-Python, regex-based tokenizer of
  ``Lib/tokenize.py`` (f-strings are one ``STRING``; the implicit ``NEWLINE`` of a last
  line without a newline has ``line=''``; a last line starting with ``#`` gets none).
* 3.12 and later (mode 1) reproduce the C tokenizer as ``tokenize`` exposes it
  (``FSTRING_START``/``FSTRING_MIDDLE``/``FSTRING_END``, ``{{`` ending a middle with one
  brace, empty middles before a format spec's ``}``, tab/space consistency).

Three layers:

1. ``fastlex.python._scanner.scan``: a nogil cursor over the UTF-8 bytes of the whole
   source filling a fastlex ``Region`` (10-byte records: start, end byte offsets and a
   kind from ``grammars/python/kinds.tsv``; operators from ``grammars/python/operators.tsv``).
2. ``fastlex.python._scanner.tokenize_lines``: the records become ``TokenInfo`` objects:
   rows from the line starts, columns in characters (counted only on non-ASCII lines),
   strings sliced from the readline strings (operators from a table), ``line`` shared per
   row (joined rows for multi-line tokens), ``TokenInfo`` allocated directly.
3. This module: reads the lines (``readline`` until ``''``/``StopIteration``), handles
   the bytes path (``ENCODING`` token, ``tokenize.detect_encoding`` of the running
   interpreter), and falls back to the interpreter's own ``tokenize`` (replaying the same
   lines, and the same ``readline`` exception) whenever the scanner stops: every invalid
   input (so exceptions and ``ERRORTOKEN`` streams are the interpreter's own, after the
   same tokens), and the rare constructs the scanner does not model (lone CR, NUL,
   a number followed by a letter, a continuation before a blank line, ...).
   ``last_fallback()`` says why the last call fell back (``None``: it did not).

Both functions are lazy like the standard library's: ``readline`` is first called by the
first ``next()``.
"""
import sys as _sys
import token as _token
import tokenize as _std

from fastlex.python import _scanner

__all__ = ["generate_tokens", "tokenize", "MODE", "last_fallback", "install", "uninstall"]

#: 0: the pure-Python tokenize of 3.9 to 3.11; 1: the C tokenizer of 3.12 and later.
MODE = 1 if _sys.version_info >= (3, 12) else 0
# 3.12.0 and 3.12.1 report the end column of multi-line strings oddly (gh-112943, fixed in 3.12.2).
_END_QUIRK = (3, 12) <= _sys.version_info[:3] < (3, 12, 2)

_types = {name: getattr(_token, name) for name in
          ("ENDMARKER", "NAME", "NUMBER", "STRING", "NEWLINE", "NL", "INDENT", "DEDENT", "COMMENT", "OP",
           "ERRORTOKEN")}
for _name in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END"):
    _types[_name] = getattr(_token, _name, -1)
_scanner.configure(_std.TokenInfo, _types)
_scanner._configure_grammar(MODE)
_ENCODING = _token.ENCODING
_TokenInfo = _std.TokenInfo
# The standard library's own functions, bound now: fastlex.python.install() replaces the
# module's attributes with fastlex's, and the fallback must still reach the originals.
_std_generate_tokens = _std.generate_tokens
_std_tokenize = _std.tokenize
_last = [None]


def last_fallback():
    """Why the last generate_tokens/tokenize call replayed its lines through the
    interpreter's tokenize ('indentation', 'string', ...), or None if it did not."""
    return _last[0]


#: Every line readline gives until ''/b''/StopIteration, and the exception it raised otherwise
#: (None): (lines, error). A value that is neither str nor bytes ends the list too (kept, so
#: the replay hands it to the interpreter's tokenize).
_read = _scanner.read_lines


def _replay(lines, error):
    """A readline giving the lines again, then raising error (if any), then ''."""
    it = iter(lines)

    def readline():
        for line in it:
            return line
        if error is not None:
            raise error
        raise StopIteration
    return readline


def _stream(start):
    return _scanner.TokenStream(start, MODE, MODE == 0, _END_QUIRK)


def _fallback_to(make, lines, error):
    """fallback(reason): the interpreter's make() over a replay of the lines, reason recorded."""
    def fallback(reason):
        _last[0] = reason
        return make(_replay(lines, error))
    return fallback


def generate_tokens(readline):
    """Like tokenize.generate_tokens: TokenInfo objects for a str readline (lazy: readline is
    first called by the first next())."""
    def start():
        lines, error = _read(readline)
        _last[0] = None
        if error is not None:
            return None, None, _fallback_to(_std_generate_tokens, lines, error)("readline")
        return lines, None, _fallback_to(_std_generate_tokens, lines, None)
    return _stream(start)


def _prepare_bytes(readline):
    """start() of a bytes stream: (text lines, the ENCODING token, fallback), or (None, None,
    the interpreter's iterator). detect_encoding's errors propagate, as from the interpreter's."""
    lines, error = _read(readline)
    _last[0] = None
    fallback = _fallback_to(_std_tokenize, lines, error)
    if error is not None or not all(type(line) is bytes for line in lines):
        return None, None, fallback("readline")
    encoding, consumed = _std.detect_encoding(_replay(lines, None))
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    try:
        text = [line.decode(codec) for line in consumed]   # the first may have lost a BOM
        text.extend([line.decode(codec) for line in lines[len(consumed):]])
    except (UnicodeDecodeError, LookupError):
        return None, None, fallback("encoding")
    return text, _TokenInfo(_ENCODING, codec, (0, 0), (0, 0), ""), fallback


if MODE == 0:
    def tokenize(readline):
        """Like tokenize.tokenize: the ENCODING token, then TokenInfo objects for a bytes
        readline (the encoding found by the interpreter's tokenize.detect_encoding, called,
        as 3.9 to 3.11 do, before the first token is asked for)."""
        prepared = _prepare_bytes(readline)
        return _stream(lambda: prepared)
else:
    def tokenize(readline):
        """Like tokenize.tokenize: the ENCODING token, then TokenInfo objects for a bytes
        readline (the encoding found by the interpreter's tokenize.detect_encoding; lazy)."""
        return _stream(lambda: _prepare_bytes(readline))


def install():
    """Make the standard library's ``tokenize.generate_tokens`` and ``tokenize.tokenize``
    fastlex's, process-wide (see fastlex.python.dropin)."""
    from fastlex.python.dropin import install as _install
    _install()


def uninstall():
    """Undo install()."""
    from fastlex.python.dropin import uninstall as _uninstall
    _uninstall()
