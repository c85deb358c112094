"""Speed of fastlex's Pygments plugin against Pygments' own RubyLexer, through ``pygments.lex``.

Usage: python bench/pygments_speed.py [--bytes N] [--repeat R]

The input is about N bytes (default 1 MB) of real Ruby: the standard library
files under /usr/lib/ruby/3.1.0 in sorted order, concatenated until N is
reached. Each lexer's whole token stream is consumed (``for _ in
pygments.lex(text, lexer)``); the best of R runs (Pygments' lexer: one run,
it takes seconds) is reported, both measured in this one process. Times are
CPU time of this process (time.process_time): on a machine shared with other
work, wall time swings with the load, CPU time much less.
"""
import argparse
import os
import sys
import time

import pygments
from pygments.lexers.ruby import RubyLexer as PygmentsRubyLexer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from fastlex.pygments import RubyLexer as FastRubyLexer  # noqa: E402
from pygments_agreement import CORPUS, read_text, ruby_files  # noqa: E402


def corpus_text(limit):
    """At least ``limit`` bytes (UTF-8) of stdlib Ruby, whole files, as one str."""
    parts, size = [], 0
    for path in ruby_files([CORPUS]):
        text = read_text(path)
        parts.append(text)
        size += len(text.encode("utf-8"))
        if size >= limit:
            break
    return "".join(parts)


def best_time(text, lexer, repeat):
    """Best CPU time of ``repeat`` full runs of pygments.lex, and the number of tokens."""
    best, count = float("inf"), 0
    for _ in range(repeat):
        t0 = time.process_time()
        count = 0
        for _ in pygments.lex(text, lexer):
            count += 1
        best = min(best, time.process_time() - t0)
    return best, count


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bytes", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args(argv)
    text = corpus_text(args.bytes)
    size = len(text.encode("utf-8"))
    fast_t, fast_n = best_time(text, FastRubyLexer(), args.repeat)
    pyg_t, pyg_n = best_time(text, PygmentsRubyLexer(), 1)
    print(f"input: {size} bytes, {text.count(chr(10))} lines ({'ASCII' if text.isascii() else 'non-ASCII'})")
    print(f"fastlex plugin   : {fast_t * 1000:8.1f} ms  {size / fast_t / 1e6:7.2f} MB/s  {fast_n} tokens")
    print(f"Pygments RubyLexer: {pyg_t * 1000:8.1f} ms  {size / pyg_t / 1e6:7.2f} MB/s  {pyg_n} tokens")
    print(f"ratio: {pyg_t / fast_t:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
