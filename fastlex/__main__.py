"""Command line: python -m fastlex {tokens,check,bench} ...

    python -m fastlex tokens PATH...     one token a line: line:col KIND 'text'
    python -m fastlex tokens --format jsonl DIR          one JSON object per file
    python -m fastlex tokens --format arrow -o out.parquet DIR   a Parquet (or Arrow) file
    python -m fastlex check PATH...      equivalence with tree-sitter-ruby
    python -m fastlex bench [FILE...]    throughput and allocations against baselines
"""
import argparse

from fastlex._core import LANGUAGES
import json
import os
import sys

# A batch of the arrow format ends at this many files or this many source bytes, whichever
# comes first: memory stays bounded on any repository, and a batch's token and content
# offsets stay far below 2**31 (plain, not large, Arrow lists and binaries).
BATCH_FILES = 256
BATCH_BYTES = 64 << 20
IPC_SUFFIXES = (".arrow", ".feather", ".ipc")


def source_files(paths, warn, language="ruby"):
    """The files to lex: each file as given, and the files of the language (``*.rb`` for Ruby)
    under each folder, in the order ``check`` walks them (each folder's files sorted, then its
    sorted subfolders)."""
    from fastlex._core import grammar_info
    from fastlex.check import source_files as walk

    suffixes = grammar_info(language).suffixes
    files = []
    for path in paths:
        found = walk([path], suffixes)
        if os.path.isdir(path) and not found:
            warn(f"fastlex: no {' or '.join('*' + s for s in suffixes)} files under {path}")
        files.extend(found)
    return files


def display_path(path):
    """A path as text for JSON and Arrow: undecodable bytes of a file name as \\x escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


class Progress:
    """A tqdm bar on stderr over the files, when wanted and available; messages go around it."""

    def __init__(self, total, wanted):
        self.bar = None
        if not wanted:
            return
        try:
            from tqdm import tqdm
        except ImportError:
            self.warn("fastlex: --progress needs tqdm (pip install tqdm); going on without it")
            return
        self.bar = tqdm(total=total, unit="file", file=sys.stderr, dynamic_ncols=True, leave=True)

    def warn(self, message):
        if self.bar is not None:
            self.bar.write(message, file=sys.stderr)
        else:
            print(message, file=sys.stderr)

    def update(self, n=1):
        if self.bar is not None:
            self.bar.update(n)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def want_progress(args, nfiles):
    """--progress / --no-progress, else a bar when there are several files and stderr is a
    terminal that the tokens themselves are not being printed on."""
    if args.progress is not None:
        return args.progress
    if nfiles <= 1 or not sys.stderr.isatty():
        return False
    return args.output is not None or args.format == "arrow" or not sys.stdout.isatty()


def read_source(path, progress):
    """The bytes of ``path``, or None after reporting why they cannot be read."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        progress.warn(f"fastlex: {exc}")
        return None


def kind_names(language="ruby"):
    """Kind value -> name, for the language's kinds."""
    from fastlex._core import grammar_info

    kinds = grammar_info(language).kinds
    names = [None] * (max(kinds) + 1)
    for k in kinds:
        names[k] = k.name
    return names


def lexed_files(files, progress, language):
    """(path, source bytes, Tokens) for each readable file, in order, moving the progress bar;
    unreadable ones are reported by read_source and left out (the callers' status is then 2)."""
    import fastlex

    for path in files:
        data = read_source(path, progress)
        progress.update()
        if data is not None:
            yield path, data, fastlex.tokenize(data, language=language)


def write_text(files, out, progress, language="ruby"):
    """Today's format: one token a line, ``line:col KIND 'text'``; errors on stderr."""
    names = kind_names(language)
    done = 0
    for path, data, tokens in lexed_files(files, progress, language):
        done += 1
        if len(files) > 1:
            out.write(f"==> {path} <==\n")
        for kind, start, end in zip(tokens.kinds.tolist(), tokens.starts.tolist(), tokens.ends.tolist()):
            line, col = tokens.position(start)
            text = data[start:end].decode("utf-8", "surrogateescape")
            out.write(f"{line}:{col} {names[kind]} {text!r}\n")
        for err in tokens.errors:
            progress.warn(f"{path}:{err.line}:{err.column}: error: {err.message}")
    return 0 if done == len(files) else 2


def jsonl_record(path, tokens, names):
    """One file as a JSON-ready dict: tokens as [KIND, start, end] (byte offsets), errors in full."""
    return {
        "path": display_path(path),
        "tokens": [[names[k], s, e] for k, s, e in
                   zip(tokens.kinds.tolist(), tokens.starts.tolist(), tokens.ends.tolist())],
        "errors": [{"offset": e.offset, "line": e.line, "column": e.column, "message": e.message}
                   for e in tokens.errors],
    }


def write_jsonl(files, out, progress, language="ruby"):
    """One JSON object a line per file (see jsonl_record)."""
    names = kind_names(language)
    done = 0
    for path, _data, tokens in lexed_files(files, progress, language):
        done += 1
        out.write(json.dumps(jsonl_record(path, tokens, names), separators=(",", ":")))
        out.write("\n")
    return 0 if done == len(files) else 2


class ArrowSink:
    """Writes tables of one schema to a Parquet file, or an Arrow IPC file for IPC_SUFFIXES."""

    def __init__(self, pa, path):
        self.pa = pa
        self.path = path
        self.ipc = path.lower().endswith(IPC_SUFFIXES)
        self.writer = None
        self.schema = None

    def write(self, table):
        if self.writer is None:
            self.schema = table.schema
            if self.ipc:
                self.writer = self.pa.ipc.new_file(self.path, self.schema)
            else:
                import pyarrow.parquet as pq
                self.writer = pq.ParquetWriter(self.path, self.schema)
        elif table.schema != self.schema:
            # A batch whose types differ (a large list where the first batch had a plain one):
            # the file has one schema, so cast (which fails loudly should values not fit).
            table = table.cast(self.schema)
        self.writer.write_table(table)

    def close(self):
        if self.writer is not None:
            self.writer.close()


def write_arrow(files, output, with_content, batch_files, progress, language="ruby"):
    """Parquet or Arrow IPC: columns path, [content,] tokens, errors, lexed a batch at a time by
    fastlex.arrow.tokenize_table; only one batch of sources and tokens is in memory at a time."""
    try:
        import pyarrow as pa
    except ImportError:
        progress.warn("fastlex: --format arrow needs pyarrow: pip install 'fastlex[arrow]'")
        return 2
    import fastlex.arrow

    status = 0
    sink = ArrowSink(pa, output)
    paths, sources, nbytes = [], [], 0

    def flush():
        binary = pa.large_binary() if nbytes >= 1 << 31 else pa.binary()
        table = pa.table({"path": pa.array(paths, pa.string()), "content": pa.array(sources, binary)})
        table = fastlex.arrow.tokenize_table(table, column="content", language=language)
        if not with_content:
            table = table.select([n for n in table.column_names if n != "content"])
        sink.write(table)
        progress.update(len(paths))

    try:
        for path in files:
            data = read_source(path, progress)
            if data is None:
                status = 2
                progress.update()
                continue
            paths.append(display_path(path))
            sources.append(data)
            nbytes += len(data)
            if len(paths) >= batch_files or nbytes >= BATCH_BYTES:
                flush()
                paths, sources, nbytes = [], [], 0
        if paths or sink.writer is None:
            flush()   # the last batch; with no files at all, an empty file of the same schema
    finally:
        sink.close()
    return status


def cmd_tokens(args):
    """Lex files and folders: text (one token a line), JSON lines or Arrow/Parquet."""
    if args.format == "arrow" and not args.output:
        print("fastlex: --format arrow writes a file: give -o OUT.parquet (or OUT.arrow, OUT.feather)",
              file=sys.stderr)
        return 2
    if args.with_content and args.format != "arrow":
        print("fastlex: --with-content applies to --format arrow only", file=sys.stderr)
        return 2
    if args.batch_files < 1:
        print("fastlex: --batch-files must be at least 1", file=sys.stderr)
        return 2

    files = source_files(args.paths, lambda m: print(m, file=sys.stderr), args.language)
    progress = Progress(len(files), want_progress(args, len(files)))
    try:
        if args.format == "arrow":
            return write_arrow(files, args.output, args.with_content, args.batch_files, progress, args.language)
        write = write_jsonl if args.format == "jsonl" else write_text
        if args.output:
            with open(args.output, "w", encoding="utf-8", newline="\n") as out:
                return write(files, out, progress, args.language)
        return write(files, sys.stdout, progress, args.language)
    finally:
        progress.close()


def add_tokens_arguments(p):
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="source files, and folders to search for the language's files (*.rb for Ruby; sorted)")
    p.add_argument("--language", default="ruby", choices=sorted(LANGUAGES),
                   help="the grammar (default: ruby)")
    p.add_argument("--format", choices=("text", "jsonl", "arrow"), default="text",
                   help="text: one token a line, 'line:col KIND text' (default); jsonl: one JSON "
                        "object per file, {path, tokens: [[KIND, start, end], ...], errors: "
                        "[{offset, line, column, message}]}, offsets in bytes; arrow: a Parquet file "
                        "(an Arrow IPC file for .arrow/.feather/.ipc) with columns path, tokens, "
                        "errors as fastlex.arrow.tokenize_table makes them (needs pyarrow)")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout (required for arrow)")
    p.add_argument("--with-content", action="store_true",
                   help="arrow: keep each file's bytes in a 'content' (binary) column")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="a progress bar on stderr (default: with several files, when stderr is a "
                        "terminal and the tokens do not go to it)")
    p.add_argument("--batch-files", type=int, default=BATCH_FILES, metavar="N",
                   help=f"arrow: files lexed and written per batch (default {BATCH_FILES}; a batch also "
                        f"ends past {BATCH_BYTES >> 20} MiB of source)")
    p.set_defaults(func=cmd_tokens)


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m fastlex", description="fastlex: exact tokens at C speed (Ruby, Python).")
    sub = parser.add_subparsers(dest="command", required=True)

    add_tokens_arguments(sub.add_parser("tokens", help="lex Ruby files and folders: text, JSON lines or Parquet"))

    from fastlex import check
    check.add_arguments(sub.add_parser("check", help="compare with tree-sitter-ruby on files or folders"))

    from fastlex import bench
    bench.add_arguments(sub.add_parser("bench", help="measure throughput and allocations against baselines"))

    p = sub.add_parser("run", help="run a Python tool (console script or module) with fastlex as its tokenize",
                       description="Run TOOL (a console script, else a module as python -m TOOL) with ARGS, "
                                   "fastlex.python installed as the standard library's tokenize.")
    p.add_argument("tool", metavar="TOOL")
    p.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS")
    p.set_defaults(func=lambda args: _run_tool([args.tool] + args.args))
    return parser


def _run_tool(argv):
    """python -m fastlex run TOOL [ARGS...] (fastlex/python/dropin.py)."""
    from fastlex.python.dropin import run
    return run(argv)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["run"] and argv[1:2] not in (["-h"], ["--help"]):
        return _run_tool(argv[1:])     # everything after TOOL is the tool's own
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
