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

1. ``fastlex.python._scanner.scan``: a nogil cursor over the UTF-8 bytes of the source read
   so far, filling a fastlex ``Region`` (10-byte records: start, end byte offsets and a
   kind from ``grammars/python/kinds.tsv``; operators from ``grammars/python/operators.tsv``).
   It resumes: where the text read so far ends (at a line boundary, or inside a
   triple-quoted string, f-string text or a continuation) it saves its state (indentation,
   bracket and f-string stacks, position) and stops; called again over the grown text it
   goes on from there. Every record it writes is final.
2. ``fastlex.python._scanner.TokenStream``: reads lines as the interpreter's tokenize does
   (one more line when no final record is left; inside a triple-quoted string or f-string
   text, lines until one may end it, so a long string is scanned once), and turns the
   records into ``TokenInfo`` objects: rows from the line starts, columns in characters
   (counted only on non-ASCII lines), strings sliced from the readline strings (operators
   from a table), ``line`` shared per row (joined rows for multi-line tokens),
   ``TokenInfo`` allocated directly. The end-of-input tokens wait for readline's ``''`` as
   the interpreter's do. So every token is given after exactly the ``readline`` calls the
   interpreter's tokenize makes before giving it (tools count lines in their readline:
   ``tests/python/test_py_readline.py``). A ``readline`` of an ``io.StringIO`` is called
   like any other: a tool may hold the stream and look at its position between tokens.
3. This module: the bytes path (``ENCODING`` token, ``tokenize.detect_encoding`` of the
   running interpreter; its lines are still read at once), and the hand-over to the
   interpreter's own ``tokenize`` whenever the scanner stops: every invalid input (so
   exceptions and ``ERRORTOKEN`` streams are the interpreter's own, after the same
   tokens), and the rare constructs the scanner does not model (lone CR, NUL, a number
   followed by a letter, a continuation before a blank line, ...). The interpreter's
   tokenize then replays the lines read so far (and the exception ``readline`` raised, if
   any), goes on with ``readline``, and its first tokens, equal to those already given,
   are skipped. ``last_fallback()`` says why the last call fell back (``None``: it did not).

Both functions are lazy like the standard library's: ``readline`` is first called by the
first ``next()``.
"""
import collections
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


def _replay(lines, error, rest=None):
    """A readline giving the lines again, then raising error (if any), then the rest of
    readline rest (None: StopIteration, the end)."""
    it = iter(lines)

    def readline():
        for line in it:
            return line
        if error is not None:
            raise error
        if rest is None:
            raise StopIteration
        return rest()
    return readline


def _stream(start):
    return _scanner.TokenStream(start, MODE, MODE == 0, _END_QUIRK)


def generate_tokens(readline):
    """Like tokenize.generate_tokens: TokenInfo objects for a str readline, read as the
    interpreter's tokenize reads it (lazy: readline is first called by the first next(), and
    each token is given after the same readline calls as the interpreter's)."""
    def make(reason, raw, error, ended):
        _last[0] = reason
        return _std_generate_tokens(_replay(raw, error, None if ended else readline))

    def start():
        _last[0] = None
        return readline, None, make
    return _stream(start)


class _Unreadable(Exception):
    """A value the bytes stream cannot decode as the interpreter's tokenize would (not bytes,
    or not in the encoding found): the interpreter's tokenize replays it and says what it does."""


def _prepare_bytes(readline):
    """start() of a bytes stream: (a readline giving readline's lines decoded, the ENCODING
    token, make). The encoding is the interpreter's tokenize.detect_encoding's (its errors
    propagate, as from the interpreter's); the other lines are read and decoded one by one
    as the stream needs them, as the interpreter's tokenize reads them. Whatever the stream
    cannot take (a value that is not bytes, a line not in the encoding, readline raising)
    hands over to the interpreter's tokenize, which replays the values read so far."""
    raw = []                                  # every value readline gave, as it gave it
    _last[0] = None

    def recording():
        line = readline()                     # (its exceptions, StopIteration too, propagate)
        raw.append(line)
        return line
    encoding, consumed = _std.detect_encoding(recording)
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    pending = collections.deque(consumed)     # the BOM gone from the first, as the interpreter's

    def text_readline():
        line = pending.popleft() if pending else recording()
        if type(line) is not bytes:
            raise _Unreadable
        try:
            return line.decode(codec)
        except (UnicodeDecodeError, LookupError):
            raise _Unreadable from None

    def make(reason, _text, error, ended):
        if isinstance(error, _Unreadable):
            reason, error, ended = "encoding", None, False
        _last[0] = reason
        return _std_tokenize(_replay(raw, error, None if ended else readline))
    return text_readline, _TokenInfo(_ENCODING, codec, (0, 0), (0, 0), ""), make


if MODE == 0:
    def tokenize(readline):
        """Like tokenize.tokenize: the ENCODING token, then TokenInfo objects for a bytes
        readline (the encoding found by the interpreter's tokenize.detect_encoding, called,
        as 3.9 to 3.11 do, before the first token is asked for; the rest read lazily)."""
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
