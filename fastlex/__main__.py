"""Command line: python -m fastlex {tokens,check,bench} ...

    python -m fastlex tokens FILE        one token a line: line:col KIND 'text'
    python -m fastlex check PATH...      equivalence with tree-sitter-ruby
    python -m fastlex bench [FILE...]    throughput and allocations against baselines
"""
import argparse
import sys


def cmd_tokens(args):
    """Print the tokens of each file, one a line."""
    import fastlex

    out = sys.stdout
    status = 0
    for path in args.files:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as exc:
            print(f"fastlex: {exc}", file=sys.stderr)
            status = 2
            continue
        tokens = fastlex.tokenize(data)
        if len(args.files) > 1:
            out.write(f"==> {path} <==\n")
        kinds = memoryview(tokens.kinds).tolist()
        starts = memoryview(tokens.starts).tolist()
        ends = memoryview(tokens.ends).tolist()
        names = {k.value: k.name for k in fastlex.Kind}
        for kind, start, end in zip(kinds, starts, ends):
            line, col = tokens.position(start)
            text = data[start:end].decode("utf-8", "surrogateescape")
            out.write(f"{line}:{col} {names[kind]} {text!r}\n")
        for err in tokens.errors:
            print(f"{path}:{err.line}:{err.column}: error: {err.message}", file=sys.stderr)
    return status


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m fastlex", description="fastlex: Ruby tokens at C speed.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("tokens", help="print the tokens of Ruby files, one a line")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=cmd_tokens)

    from fastlex import check
    check.add_arguments(sub.add_parser("check", help="compare with tree-sitter-ruby on files or folders"))

    from fastlex import bench
    bench.add_arguments(sub.add_parser("bench", help="measure throughput and allocations against baselines"))
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
