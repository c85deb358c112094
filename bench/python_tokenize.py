"""fastlex.python.generate_tokens against the running interpreter's tokenize.generate_tokens.

    python bench/python_tokenize.py [FILES_OR_FOLDERS...] [--rounds N] [--cpu] [--check]

Default files: the running interpreter's standard library, top level (Lib/*.py). Each file
is read as str (its encoding found as tokenize.open does); files the interpreter's tokenize
rejects are skipped. Both tokenizers are timed making every TokenInfo
(``list(generate_tokens(io.StringIO(src).readline))``), in interleaved rounds; the best
round of each counts. Also the lex alone: ``fastlex.Lexer(language="python")`` reused over
every source (``lexer.tokenize(src)``), in MB/s of UTF-8 source.

--cpu times with process CPU time (time.process_time) instead of wall time (perf_counter).
--check also verifies that both token lists are equal (before timing).
"""
import argparse
import gc
import io
import os
import sys
import sysconfig
import time
import tokenize

import fastlex
import fastlex.python as fpy


def _files(args):
    if not args:
        lib = sysconfig.get_paths()["stdlib"]
        return sorted(os.path.join(lib, f) for f in os.listdir(lib) if f.endswith(".py"))
    out = []
    for a in args:
        if os.path.isdir(a):
            for root, _, names in os.walk(a):
                out.extend(os.path.join(root, n) for n in names if n.endswith(".py"))
        else:
            out.append(a)
    return sorted(out)


def _load(paths):
    srcs = []
    for p in paths:
        try:
            with tokenize.open(p) as f:
                src = f.read()
            list(tokenize.generate_tokens(io.StringIO(src).readline))
        except (SyntaxError, tokenize.TokenError, UnicodeDecodeError, OSError):
            continue
        srcs.append(src)
    return srcs


def _run_std(srcs):
    gen = tokenize.generate_tokens
    for src in srcs:
        list(gen(io.StringIO(src).readline))


def _run_fast(srcs):
    gen = fpy.generate_tokens
    for src in srcs:
        list(gen(io.StringIO(src).readline))


def _run_lex(srcs, lexer):
    for src in srcs:
        lexer.tokenize(src)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--cpu", action="store_true", help="process CPU time instead of wall time")
    ap.add_argument("--check", action="store_true", help="verify equal token lists first")
    a = ap.parse_args(argv)
    clock = time.process_time if a.cpu else time.perf_counter
    srcs = _load(_files(a.paths))
    mb = sum(len(s.encode("utf-8", "surrogatepass")) for s in srcs) / 1e6
    ntok = sum(len(list(tokenize.generate_tokens(io.StringIO(s).readline))) for s in srcs)
    fallbacks = 0
    for s in srcs:
        got = list(fpy.generate_tokens(io.StringIO(s).readline))
        fallbacks += fpy.last_fallback() is not None
        if a.check and got != list(tokenize.generate_tokens(io.StringIO(s).readline)):
            sys.exit("token lists differ")
    lexer = fastlex.Lexer(language="python")
    best = {"std": float("inf"), "fast": float("inf"), "lex": float("inf")}
    runs = (("std", lambda: _run_std(srcs)), ("fast", lambda: _run_fast(srcs)), ("lex", lambda: _run_lex(srcs, lexer)))
    for _ in range(a.rounds):
        for name, fn in runs:
            gc.collect()
            t = clock()
            fn()
            best[name] = min(best[name], clock() - t)
    v = sys.version.split()[0]
    print(f"Python {v}: {len(srcs)} files, {mb:.2f} MB, {ntok} tokens, {fallbacks} fallbacks; "
          f"best of {a.rounds} ({'CPU' if a.cpu else 'wall'} time)")
    print(f"  tokenize.generate_tokens          {mb / best['std']:8.1f} MB/s  {best['std'] / ntok * 1e9:7.1f} ns/token")
    print(f"  fastlex.python.generate_tokens    {mb / best['fast']:8.1f} MB/s  {best['fast'] / ntok * 1e9:7.1f} ns/token"
          f"  {best['std'] / best['fast']:5.2f}x")
    print(f"  fastlex lex alone (Lexer python)  {mb / best['lex']:8.1f} MB/s")


if __name__ == "__main__":
    main()
