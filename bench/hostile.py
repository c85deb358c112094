"""Lexing time on hostile input: each family at sizes growing tenfold, with the
time per byte, so a reader sees whether it stays flat (linear) or grows.

    python bench/hostile.py [--max-bytes 1000000] [--family NAME ...] [--budget 5] [--path PATH ...]
    python bench/hostile.py --language python [--path lex --path generate_tokens --path positions]

``--path`` picks what is timed (repeatable; default ``lex``): ``lex`` is
``fastlex.tokenize`` on the bytes; ``tokens`` lexes the source as ``str`` and
reads every Token's ``start``, ``end`` and ``line`` (columns in code points);
``pygments`` runs the Pygments plugin's stream over the ``str``; ``errors``
reads every error's line and column. The non-ASCII families are the ones
where those Python-facing paths could turn quadratic.

A family whose run takes more than --budget seconds is not tried at the next
size (and is marked SLOW): that is how super-linear behaviour shows up without
the script running for hours. Deep nesting can also end in LexMemoryError when
--memory-limit is given; the table says so instead of a time.
"""
import argparse
import gc
import sys
import time

import fastlex

# Each family maps a repeat count k to a source; the sizes grow with k.
FAMILIES = {
    "nested interpolation": lambda k: '"#{' * k + "x" + '}"' * k,
    "nested parentheses": lambda k: "(" * k + "x" + ")" * k,
    "nested brackets then names": lambda k: "[" * k + " a" * k,
    "nested blocks then names": lambda k: "a{" * k + " b" * k,
    "parens then blocks": lambda k: "(" * k + "a{}" * k,
    "local, nested brackets, names": lambda k: "a = 1\n" + "[" * k + " a" * k,
    "local, nested blocks, names": lambda k: "a = 1\n" + "x{" * k + " a" * k,
    "keywords then closers": lambda k: "begin " * k + ")" * k,
    "keywords then braces": lambda k: "begin " * k + "}" * k,
    "nested %w pairs": lambda k: "%w(" + "(" * k + ")" * k + ")",
    "nested %-literals": lambda k: "%w(" * k,
    "heredoc starts, bodies": lambda k: "x(" + "<<A, " * k + ")\n" + "A\n" * k,
    "heredoc starts, no body": lambda k: "<<A " * k + "\n",
    "heredoc long id, short lines": lambda k: "<<" + "A" * k + "\n" + "A\n" * k,
    "megabyte line of code": lambda k: "x = " + "a + 1 * " * k + "2",
    "megabyte string": lambda k: '"' + "ab " * k + '"',
    "backslashes": lambda k: "\\" * k,
    "backslashes in a string": lambda k: '"' + "\\" * k + '"',
    "question marks": lambda k: "?" * k,
    "colons": lambda k: ":" * k,
    "percents": lambda k: "%" * k,
    "slashes": lambda k: "/" * k,
    "lone CRs": lambda k: "a\r" * k,
    "NUL bytes": lambda k: "\0" * k,
    "invalid UTF-8": lambda k: b"\xff" * k,
    "comment lines after code": lambda k: "x\n" + "# c\n" * k + ".y",
    "code then comment lines, repeated": lambda k: "x\n# c\n# c\n" * k,
    "unterminated string": lambda k: '"' + "a" * k,
    "unterminated regexp": lambda k: "x = /" + "a" * k,
    "unterminated heredoc": lambda k: "<<A\n" + "x\n" * k,
    "unterminated =begin": lambda k: "=begin\n" + "x\n" * k,
    "unterminated %-literal": lambda k: "%w(" + "a " * k,
    "many distinct names": lambda k: " ".join(f"n{i}" for i in range(k)),
    "many errors": lambda k: "@ " * k,
    # One line, one non-ASCII character: columns count code points on a line of every token.
    "long non-ASCII line": lambda k: "\u00e9 = 1; " + "a + b; " * k,
    "long line of multi-byte names": lambda k: "".join(f"\u540d\u524d{i} = \u5024; " for i in range(k)),
    "many errors on a non-ASCII line": lambda k: "\u00e9 " + "@ " * k,
}


# The Python grammar's families (--language python): CPython's limits are 200 open brackets
# and f-strings and 100 indentation levels, past which fastlex falls back (drop-in) or stops
# with an error (fastlex.tokenize); the sizes go far past them.
PY_FAMILIES = {
    "nested brackets": lambda k: "(" * k + "x" + ")" * k + "\n",
    "open brackets": lambda k: "[" * k,
    "indentation levels": lambda k: "".join(" " * i + "if x:\n" for i in range(k)) + " " * k + "y\n",
    "indentation 90 deep, repeated": lambda k: "".join(" " * i + "if x:\n" for i in range(90)) + (" " * 90 + "y = 1\n") * k,
    "nested f-strings": lambda k: "f'{" * k + "x" + "}'" * k + "\n",
    "nested f-string fields": lambda k: "f'" + "{x:{" * k + "y" + "}}" * k + "'\n",
    "long line": lambda k: "x = " + "a + 1 * " * k + "2\n",
    "long string": lambda k: 'x = "' + "ab " * k + '"\n',
    "open triple-quoted string": lambda k: 'x = """' + "ab \n" * k,
    "open triple-quoted string, one line": lambda k: 'x = """' + "ab " * k,
    "backslash continuations": lambda k: "x = 1 + \\\n" * k + "1\n",
    "backslash continuations in brackets": lambda k: "x = (1 + \\\n" * min(k, 150) + "1 + \\\n" * k + "1" + ")" * min(k, 150) + "\n",
    "mixed tabs and spaces": lambda k: "if x:\n" + "\ty = 1\n        y = 2\n" * k,
    "tab-space indentation mismatch": lambda k: "if x:\n\ty = 1\n" + "        y = 2\n" * k,
    "comment lines": lambda k: "x = (\n" + "  # c\n" * k + ")\n",
    "many dedents": lambda k: "".join(" " * i + "if x:\n" for i in range(90)) * 1 + ("y\n" + "".join(" " * i + "if x:\n" for i in range(1, 90))) * (k // 90 + 1),
    "non-ASCII names": lambda k: "".join(f"\u540d{i} = \u00e9\n" for i in range(k)),
    "form feeds": lambda k: "\f" * k + "x\n",
    "lone CRs": lambda k: "x\r" * k,
    "NUL bytes": lambda k: "\0" * k,
}


def _py_generate_tokens(src):
    """fastlex.python.generate_tokens over the whole source (its exception, if any, is the result)."""
    import io
    import fastlex.python as fp
    try:
        for _ in fp.generate_tokens(io.StringIO(src.decode("utf-8", "surrogateescape")).readline):
            pass
    except Exception:       # TokenError, IndentationError ...: the drop-in's answer, timed too
        pass


def _py_cpython(src):
    """The interpreter's own tokenize.generate_tokens (the reference for --path cpython)."""
    import io
    import tokenize
    try:
        for _ in tokenize.generate_tokens(io.StringIO(src.decode("utf-8", "surrogateescape")).readline):
            pass
    except Exception:
        pass


def _py_positions(src):
    """Every Token's start, end and line of fastlex.tokenize(str, language="python")."""
    for tok in fastlex.tokenize(src.decode("utf-8", "surrogateescape"), language="python"):
        tok.start, tok.end, tok.line


PY_PATHS = {
    "lex": lambda src, memory_limit: fastlex.tokenize(src, language="python", memory_limit=memory_limit),
    "generate_tokens": lambda src, memory_limit: _py_generate_tokens(src),
    "positions": lambda src, memory_limit: _py_positions(src),
    "cpython": lambda src, memory_limit: _py_cpython(src),
}


def _tokens_path(src):
    """Every Token's position and line, from str input."""
    for tok in fastlex.tokenize(src.decode("utf-8", "surrogateescape")):
        tok.start, tok.end, tok.line


def _pygments_path(src):
    """The Pygments plugin's whole token stream."""
    from fastlex.pygments import RubyLexer
    list(RubyLexer().get_tokens_unprocessed(src.decode("utf-8", "surrogateescape")))


def _errors_path(src):
    """Every error's line and column (str input)."""
    for err in fastlex.tokenize(src.decode("utf-8", "surrogateescape")).errors:
        err.line, err.column


# What --path times, on a family's source (bytes).
PATHS = {
    "lex": lambda src, memory_limit: fastlex.tokenize(src, memory_limit=memory_limit),
    "tokens": lambda src, memory_limit: _tokens_path(src),
    "pygments": lambda src, memory_limit: _pygments_path(src),
    "errors": lambda src, memory_limit: _errors_path(src),
}


def source_for(family, nbytes, families=None):
    """A source of the family of about nbytes bytes (at least), as the family builds it."""
    make = (families or FAMILIES)[family]
    k = 1
    while len(make(k)) < nbytes:
        k *= 2
    lo, hi = k // 2, k
    while lo < hi:              # the smallest k reaching nbytes
        mid = (lo + hi) // 2
        if len(make(mid)) < nbytes:
            lo = mid + 1
        else:
            hi = mid
    src = make(max(lo, 1))
    return src if isinstance(src, bytes) else src.encode("utf-8")


def time_one(src, memory_limit, repeat, path="lex", paths=None):
    """Best wall time of the path on src (seconds), or the LexMemoryError it raised."""
    best = None
    run = (paths or PATHS)[path]
    for _ in range(repeat):
        gc.disable()
        t0 = time.perf_counter()
        try:
            run(src, memory_limit)
        except fastlex.LexMemoryError as e:
            return None, e
        finally:
            gc.enable()
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    return best, None


def main(argv=None):
    """Print, per family and size, the lexing time and time per byte; exit 0."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-bytes", type=int, default=1_000_000)
    ap.add_argument("--min-bytes", type=int, default=1_000)
    ap.add_argument("--family", action="append", help="only these families (repeatable)")
    ap.add_argument("--budget", type=float, default=5.0, help="seconds a run may take before larger sizes are skipped")
    ap.add_argument("--memory-limit", type=int, default=None)
    ap.add_argument("--path", action="append", choices=sorted(set(PATHS) | set(PY_PATHS)),
                    help="what to time (repeatable; default: lex)")
    ap.add_argument("--language", choices=["ruby", "python"], default="ruby",
                    help="ruby (default) or python: its families and paths (lex, generate_tokens, "
                         "positions, cpython)")
    args = ap.parse_args(argv)
    language = args.language
    family_table = PY_FAMILIES if language == "python" else FAMILIES
    path_table = PY_PATHS if language == "python" else PATHS
    families = args.family or list(family_table)
    paths = args.path or ["lex"]
    for p in paths:
        if p not in path_table:
            ap.error(f"--path {p} is not a {language} path ({', '.join(sorted(path_table))})")
    sizes = []
    size = args.min_bytes
    while size <= args.max_bytes:
        sizes.append(size)
        size *= 10
    print(f"{'family':36} {'path':8} {'bytes':>9} {'tokens':>9} {'ms':>9} {'ns/byte':>8}  growth")
    for family in families:
        for path in paths:
            first = None
            for nbytes in sizes:
                src = source_for(family, nbytes, family_table)
                repeat = 3 if len(src) < 200_000 else 1
                dt, err = time_one(src, args.memory_limit, repeat, path, path_table)
                if err is not None:
                    print(f"{family:36} {path:8} {len(src):>9} {'':>9} {'':>9} {'':>8}  LexMemoryError: {err}")
                    break
                ntok = len(fastlex.tokenize(src, language=language)) if dt < args.budget else 0
                per_byte = dt * 1e9 / len(src)
                if first is None:
                    first = per_byte
                growth = per_byte / first if first else 0.0
                flag = "  SLOW (super-linear?)" if growth > 5 else ""
                print(f"{family:36} {path:8} {len(src):>9} {ntok:>9} {dt * 1e3:>9.2f} {per_byte:>8.1f}  x{growth:.1f}{flag}")
                sys.stdout.flush()
                if dt > args.budget:
                    print(f"{family:36} {path:8} stopped: {dt:.1f} s at {len(src)} bytes (budget {args.budget} s)")
                    break
    return 0


if __name__ == "__main__":
    sys.exit(main())
