"""Invariants every fastlex result must satisfy, whatever the input (shared by the
robustness tests and the fuzz harness in fuzz/).

``check_bytes(data)`` lexes ``data`` as bytes (and as str when it is valid UTF-8,
comparing both) and raises AssertionError naming the first broken invariant.
"""
import json
import os
import subprocess
import sys

import fastlex
from fastlex import Kind

ROOT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Bytes the scanner may leave outside every token: white space and newlines that
# end nothing (Ruby's own lexer skips them too).
BLANK = frozenset(b" \t\n\r\v\f")
VALID_KINDS = frozenset(int(k) for k in Kind)


def columns(tokens):
    """(kinds, starts, ends) of a Tokens object as plain lists."""
    return (memoryview(tokens.kinds).tolist(), memoryview(tokens.starts).tolist(),
            memoryview(tokens.ends).tolist())


def eof_start(data, kinds, starts):
    """Where prism's EOF starts: at __END__ when it ended the code, else on the source's last
    newline when the source ends with one, else at the end (zero width)."""
    if len(kinds) >= 2 and kinds[-2] == Kind.KEYWORD___END__:
        return starts[-2]
    return len(data) - 1 if data.endswith(b"\n") else len(data)


def check_tokens(tokens, data):
    """Assert the structural invariants of ``tokens`` lexed from the UTF-8 bytes ``data``."""
    n = len(data)
    kinds, starts, ends = columns(tokens)
    assert len(kinds) == len(starts) == len(ends) == len(tokens)
    assert kinds, "no tokens at all (EOF is always there)"
    assert kinds[-1] == Kind.EOF and ends[-1] == n, "the last token is EOF, ending at the end"
    assert starts[-1] == eof_start(data, kinds, starts), "EOF has prism's span"
    uncovered = bytearray(data.replace(b"\0", b"\x01"))   # NUL marks covered bytes below
    prev_end = 0
    last = len(kinds) - 1
    for i, (k, s, e) in enumerate(zip(kinds, starts, ends)):
        assert k in VALID_KINDS, f"token {i}: unknown kind {k}"
        assert s <= e <= n, f"token {i}: span [{s}, {e}) outside the source of {n} bytes"
        assert s >= prev_end or i == last, f"token {i}: [{s}, {e}) starts before the previous token ends ({prev_end})"
        assert e > s or (k == Kind.EOF and i == last), f"token {i}: empty or early {Kind(k).name} token at {s}"
        if i != last:                          # (EOF's span may repeat the last newline's)
            uncovered[s:e] = bytes(e - s)      # covered bytes become NUL, which is not blank
        prev_end = e
    # Every byte outside the tokens is white space, a backslash line continuation,
    # or the byte order mark at the very start.
    if data[:3] == b"\xef\xbb\xbf" and uncovered[:3] == data[:3]:
        uncovered[:3] = b"   "
    uncovered = uncovered.replace(b"\\\r\n", b"   ").replace(b"\\\n", b"  ")
    if uncovered.translate(None, b"\0 \t\n\r\v\f"):
        j = next(j for j, b in enumerate(uncovered) if b and b not in BLANK)
        raise AssertionError(f"byte {j} ({data[j:j + 1]!r}) is in no token")
    for err in tokens.errors:
        assert 0 <= err.offset <= n, f"error offset {err.offset} outside the source"
        assert err.line >= 1 and err.column >= 0
        assert isinstance(err.message, str) and err.message
    return kinds, starts, ends


def check_token_objects(tokens, data, limit=100):
    """Assert that the first ``limit`` Token objects agree with the bulk columns and the source."""
    kinds, starts, ends = columns(tokens)
    for i, tok in zip(range(limit), tokens):
        assert tok.type == kinds[i] and tok.start_offset == starts[i] and tok.end_offset == ends[i]
        (line, col), (eline, ecol) = tok.start, tok.end
        assert 1 <= line <= eline and col >= 0 and ecol >= 0
        assert line == data.count(b"\n", 0, starts[i]) + 1, f"token {i}: wrong start line"
        assert isinstance(tok.string, str) and isinstance(tok.line, str)
        assert tokens.text(i) == tok.string


def check_bytes(data, *, objects=True):
    """Lex ``data`` as bytes (and as str when it decodes), assert every invariant; the bytes result."""
    assert isinstance(data, bytes)
    tokens = fastlex.tokenize(data)
    cols = check_tokens(tokens, data)
    if objects:
        check_token_objects(tokens, data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        stoks = fastlex.tokenize(text)
        assert check_tokens(stoks, data) == cols, "str and bytes input give different tokens"
        assert [(e.offset, e.message) for e in stoks.errors] == [(e.offset, e.message) for e in tokens.errors]
        if objects:
            check_token_objects(stoks, data)
    else:
        # Decoded leniently (U+FFFD, or lone surrogates re-encoded) it still lexes cleanly.
        for lenient in (data.decode("utf-8", "replace"), data.decode("utf-8", "surrogateescape")):
            stoks = fastlex.tokenize(lenient)
            check_tokens(stoks, lenient.encode("utf-8", "surrogatepass"))
            if objects:
                check_token_objects(stoks, lenient.encode("utf-8", "surrogatepass"))
    return tokens


class Child:
    """A child process running lexcheck.serve; restarted after it dies."""

    def __init__(self, command=None):
        self.command = command or [sys.executable, os.path.abspath(__file__)]
        self.proc = None

    def start(self):
        # The parent's PYTHONPATH first (a sanitized build may be there), then this checkout.
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            p for p in [os.environ.get("PYTHONPATH", ""), ROOT_DIR] if p))
        self.proc = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)

    def check(self, data):
        """None if data passed every invariant in the child, else what went wrong (crash included)."""
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        try:
            self.proc.stdin.write(len(data).to_bytes(4, "little") + data)
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except BrokenPipeError:
            line = b""
        if not line:
            code = self.proc.wait()
            self.proc = None
            return f"the child process died (exit status {code}) lexing this input"
        reply = json.loads(line)
        return None if reply == "ok" else reply

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
        self.proc = None


def reference_positions(text):
    """byte offset -> (line, column in code points), for every character boundary of text
    (UTF-8, lone surrogates encoded as they are): the plain reference of every position test."""
    out = {}
    line, col, offset = 1, 0, 0
    for ch in text:
        out[offset] = (line, col)
        offset += len(ch.encode("utf-8", "surrogatepass"))
        if ch == "\n":
            line, col = line + 1, 0
        else:
            col += 1
    out[offset] = (line, col)
    return out


def serve(stdin, stdout):
    """Check inputs sent as 4-byte little-endian length + bytes; answer one JSON line each
    ("ok" or the broken invariant). Run in a child process so a crash of the core kills
    the child, not the test runner."""
    import traceback
    while True:
        head = stdin.read(4)
        if len(head) < 4:
            return
        data = stdin.read(int.from_bytes(head, "little"))
        try:
            check_bytes(data)
            reply = "ok"
        except Exception:   # an invariant or any unexpected exception: report it, keep serving
            reply = traceback.format_exc(limit=4)
        stdout.write(json.dumps(reply).encode() + b"\n")
        stdout.flush()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
