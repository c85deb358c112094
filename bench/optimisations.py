"""What each of fastlex's design choices buys, measured on one input (PERFORMANCE.md).

    python bench/optimisations.py [FILE] [--repeat N] [--clock wall|cpu]

Each line compares the design with the same work done without it, in one run:
the token region against a malloc per token, a reused Lexer against a fresh
one per call, the all-ASCII fast path against UTF-8 checks (the same source
with one non-ASCII comment appended), an ASCII str lexed in place against
bytes, the bulk columns against Token objects.
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import fastlex  # noqa: E402
from fastlex import bench  # noqa: E402


def main(argv=None):
    """Print one comparison a line: design, alternative, times and ratio."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", help="Ruby file (default: the bench's default input)")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--clock", choices=sorted(bench.CLOCK), default="wall")
    args = ap.parse_args(argv)
    bench.clock = bench.CLOCK[args.clock]
    if args.file:
        with open(args.file, "rb") as f:
            data = f.read()
    else:
        data = bench.load_inputs([])[0][2]
    # The ASCII-only form of the input (non-ASCII bytes dropped) and the same with one é in a trailing comment.
    ascii_data = bytes(b for b in data if b < 0x80)
    utf8_data = ascii_data + "# é\n".encode()
    ascii_str = ascii_data.decode("ascii")
    reused = fastlex.Lexer()
    malloc = fastlex.Lexer(region=False)
    r = args.repeat

    def tokens_loop():
        for tok in reused.tokenize(data):
            tok.string

    def columns():
        tk = reused.tokenize(data)
        memoryview(tk.kinds).tolist()
        memoryview(tk.starts).tolist()
        memoryview(tk.ends).tolist()

    pairs = [
        ("token region", "malloc per token", lambda: reused.tokenize(data), lambda: malloc.tokenize(data)),
        ("reused Lexer", "fresh Lexer per call", lambda: reused.tokenize(data), lambda: fastlex.tokenize(data)),
        ("all-ASCII fast path", "UTF-8 checks (one é appended)", lambda: reused.tokenize(ascii_data),
         lambda: reused.tokenize(utf8_data)),
        ("ASCII str lexed in place", "the same as bytes", lambda: reused.tokenize(ascii_str),
         lambda: reused.tokenize(ascii_data)),
        ("bulk columns as lists", "Token objects + .string", columns, tokens_loop),
    ]
    # All scenarios timed together, in interleaved rounds, so machine load hits both sides of a pair alike.
    scenarios = {}
    for k, (_, _, with_it, without_it) in enumerate(pairs):
        scenarios[(k, 0)] = bench.Scenario(with_it)
        scenarios[(k, 1)] = bench.Scenario(without_it)
    times = bench.measure(scenarios, r)
    rows = [(name, alt, times[(k, 0)], times[(k, 1)]) for k, (name, alt, _, _) in enumerate(pairs)]
    print(f"input: {args.file or 'default bench input'}, {len(data)} bytes, {len(reused.tokenize(data))} tokens; "
          f"best of {r}, {args.clock} clock")
    print(f"{'design':28} {'ms':>9} | {'without it':32} {'ms':>9} | ratio")
    for name, alt, a, b in rows:
        print(f"{name:28} {a * 1e3:9.3f} | {alt:32} {b * 1e3:9.3f} | {b / a:5.2f}x")
    s_region = fastlex.Lexer().tokenize(data).stats
    s_malloc = fastlex.Lexer(region=False).tokenize(data).stats
    print(f"mallocs: region {s_region['mallocs']}, malloc per token {s_malloc['mallocs']}; "
          f"a reused Lexer's second call: {reused.tokenize(data).stats['mallocs']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
