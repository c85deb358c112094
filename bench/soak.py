"""Soak: many passes over the standard-library corpora through every public path, watching
resident memory and Python allocations for growth.

    python bench/soak.py [--passes 1000] [--path tokenize --path tokenize_many ...]
                         [--grammar ruby --grammar python] [--files N] [--tracemalloc-passes 20]

Paths: ``tokenize`` (``fastlex.tokenize`` on bytes, and on str every 10th file, every token
column and error read), ``tokenize_many`` (the threaded batch), ``pygments`` (the Pygments
plugin's whole token stream; Ruby only: the plugin has no Python lexer), ``arrow``
(``fastlex.arrow.tokenize_table`` over a table of the corpus, its columns read back).
Corpora: Ruby 3.1's standard library (``$FASTLEX_CORPUS``, default /usr/lib/ruby/3.1.0) and
the running interpreter's standard library (Lib/**/*.py, site-packages left out).

Each pass lexes everything once; after it, gc runs and the resident set (/proc/self/statm) is
printed (every pass up to 10, then every ``--every``). The last ``--tracemalloc-passes``
passes (at least 2) run under tracemalloc: the traced size after the first of them is compared with the
size after the last, and the top growing allocation sites are listed. Verdict: FLAT when the
resident set after the last pass without tracemalloc is within 10% of the one after the first pass and tracemalloc
grew by less than ``--max-traced-growth`` bytes; else GROWING (exit 1).
"""
import argparse
import gc
import os
import sys
import time
import tracemalloc

import fastlex

RUBY_CORPUS = os.environ.get("FASTLEX_CORPUS", "/usr/lib/ruby/3.1.0")
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss():
    """Resident set size of this process, bytes."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def corpus(grammar, limit=None):
    """[(path, bytes)] of the grammar's corpus, sorted by path (the first ``limit`` files)."""
    if grammar == "ruby":
        root, ext = RUBY_CORPUS, ".rb"
    else:
        import tokenize
        root, ext = os.path.dirname(tokenize.__file__), ".py"
    paths = []
    for d, dirs, names in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x not in ("site-packages", "__pycache__"))
        paths.extend(os.path.join(d, n) for n in sorted(names) if n.endswith(ext))
    paths = paths[:limit] if limit else paths
    out = []
    for p in paths:
        with open(p, "rb") as f:
            out.append((p, f.read()))
    return out


def run_tokenize(grammar, files, texts):
    total = 0
    for k, (_, src) in enumerate(files):
        t = fastlex.tokenize(src, language=grammar)
        total += len(t.kinds) + len(t.starts) + len(t.ends) + len(t.errors)
        if k % 10 == 0:
            s = fastlex.tokenize(texts[k], language=grammar)
            total += len(s)
            for tok in s[:50]:
                tok.string, tok.start, tok.end
            for err in s.errors[:5]:
                err.line, err.column
    return total


def run_tokenize_many(grammar, files, texts):
    return sum(len(t) for t in fastlex.tokenize_many([src for _, src in files], language=grammar, workers=2))


def run_pygments(grammar, files, texts):
    from fastlex.pygments import RubyLexer
    lexer = RubyLexer()
    total = 0
    for text in texts:
        for _ in lexer.get_tokens_unprocessed(text):
            total += 1
    return total


def run_arrow(grammar, files, texts, _tables={}):
    import pyarrow as pa
    import fastlex.arrow
    table = _tables.get(grammar)
    if table is None:
        table = _tables[grammar] = pa.table({"content": pa.array([src for _, src in files], type=pa.binary())})
    out = fastlex.arrow.tokenize_table(table, language=grammar)
    tokens = out.column("tokens")
    return sum(len(chunk.values) for chunk in tokens.chunks) + out.column("errors").null_count


PATHS = {"tokenize": run_tokenize, "tokenize_many": run_tokenize_many, "pygments": run_pygments,
         "arrow": run_arrow}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passes", type=int, default=1000)
    ap.add_argument("--path", action="append", choices=sorted(PATHS), help="(repeatable; default: all)")
    ap.add_argument("--grammar", action="append", choices=["ruby", "python"], help="(repeatable; default: both)")
    ap.add_argument("--files", type=int, default=None, help="only the first N files of each corpus")
    ap.add_argument("--every", type=int, default=50, help="print every Nth pass after the 10th")
    ap.add_argument("--tracemalloc-passes", type=int, default=20,
                    help="run the last N passes under tracemalloc (0: none)")
    ap.add_argument("--max-traced-growth", type=int, default=256 * 1024)
    ap.add_argument("--max-rss-growth", type=float, default=0.10)
    args = ap.parse_args(argv)
    if args.tracemalloc_passes == 1 or args.tracemalloc_passes >= args.passes:
        ap.error("--tracemalloc-passes: 0, or from 2 to passes - 1")
    paths = args.path or list(PATHS)
    grammars = args.grammar or ["ruby", "python"]
    work = []
    for g in grammars:
        files = corpus(g, args.files)
        if not files:
            sys.exit(f"no {g} corpus")
        texts = [src.decode("utf-8", "replace") for _, src in files]
        nbytes = sum(len(s) for _, s in files)
        for p in paths:
            if p == "pygments" and g != "ruby":
                print(f"skipped: pygments x {g} (the Pygments plugin lexes Ruby only)")
                continue
            work.append((g, p, files, texts))
        print(f"{g}: {len(files)} files, {nbytes / 1e6:.1f} MB")
    print(f"paths: {', '.join(f'{g}/{p}' for g, p, _, _ in work)}; passes: {args.passes}")
    traced_from = args.passes - args.tracemalloc_passes if args.tracemalloc_passes else None
    first_rss = None
    traced_first = None
    snap_first = None
    history = []
    t0 = time.perf_counter()
    for n in range(1, args.passes + 1):
        if traced_from is not None and n == traced_from + 1:
            tracemalloc.start(10)
        tp = time.perf_counter()
        for g, p, files, texts in work:
            PATHS[p](g, files, texts)
        gc.collect()
        dt = time.perf_counter() - tp
        r = rss()
        history.append(r)
        if first_rss is None:
            first_rss = r
        traced = None
        if tracemalloc.is_tracing():
            traced = tracemalloc.get_traced_memory()[0]
            if traced_first is None:
                traced_first = traced
                snap_first = tracemalloc.take_snapshot()
        if n <= 10 or n % args.every == 0 or n == args.passes:
            extra = f"  traced {traced / 1e6:8.2f} MB" if traced is not None else ""
            print(f"pass {n:5}  {dt:6.2f} s  rss {r / 1e6:8.1f} MB  ({(r - first_rss) / first_rss * 100:+5.1f}%)"
                  f"  objects {len(gc.get_objects()):8}{extra}", flush=True)
    elapsed = time.perf_counter() - t0
    # tracemalloc's own tables sit in the resident set: the verdict takes the last pass before it
    untraced = history[:traced_from] if traced_from else history
    growth = (untraced[-1] - first_rss) / first_rss
    peak = max(history)
    print(f"\n{args.passes} passes in {elapsed:.0f} s; rss after pass 1 {first_rss / 1e6:.1f} MB, after pass "
          f"{len(untraced)} (the last without tracemalloc) {untraced[-1] / 1e6:.1f} MB ({growth * 100:+.1f}%), "
          f"after the last {history[-1] / 1e6:.1f} MB, peak {peak / 1e6:.1f} MB")
    traced_growth = 0
    if tracemalloc.is_tracing():
        traced_last = tracemalloc.get_traced_memory()[0]
        traced_growth = traced_last - traced_first
        snap_last = tracemalloc.take_snapshot()
        tracemalloc.stop()
        print(f"tracemalloc over the last {args.tracemalloc_passes} passes: {traced_first / 1e6:.3f} MB -> "
              f"{traced_last / 1e6:.3f} MB ({traced_growth:+d} bytes)")
        for stat in snap_last.compare_to(snap_first, "lineno")[:5]:
            print(f"  {stat}")
    ok = growth <= args.max_rss_growth and traced_growth < args.max_traced_growth
    print(f"verdict: {'FLAT' if ok else 'GROWING'} (rss {growth * 100:+.1f}%, limit "
          f"{args.max_rss_growth * 100:.0f}%; traced {traced_growth:+d} bytes, limit {args.max_traced_growth})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
