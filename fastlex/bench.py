"""``python -m fastlex bench [FILE ...]``: throughput, allocations and memory against baselines.

With no FILE the shipped sample (``fastlex/samples/sample.rb``) is repeated to
about 1 MB. For each input it measures, best of ``--repeat`` runs:

- ``lex``: a reused ``Lexer().tokenize(data)`` and nothing else (tokens in the
  region, no Python object per token);
- ``tokens``: tokenize, then create every ``Token`` and read its ``.string``;
- ``bulk``: tokenize, then read the ``kinds``/``starts``/``ends`` columns as lists;
- ``lex_malloc``: ``Lexer(region=False)``, one malloc per token record;
- ``tree_sitter_parse`` and ``tree_sitter_walk`` (parse, then a TreeCursor
  walk collecting the leaves), ``pygments`` (Pygments' ``RubyLexer`` through
  ``pygments.lex``) and ``fastlex_pygments`` (``fastlex.pygments.RubyLexer``
  through ``pygments.lex``): the two Pygments rows are timed on
  ``--slice-bytes`` taken from 8 evenly spaced places and scaled to the
  whole input (the output says so).

It also reports the allocation statistics of one ``fastlex.tokenize`` call
(``Tokens.stats``), the per-token-malloc mode beside the region, the peak RSS
growth of lexing (measured in a child process), the speed-up of
``fastlex.tokenize_many`` over one-by-one calls on this machine's cores (many
small files, and a few 1 MB ones, cut from the input), and the speed of
``fastlex.arrow.tokenize_table`` against ``Lexer.tokenize`` on the same files.
``--scaling`` repeats the input at 1 KB ... 64 MB; ``--plot`` draws throughput
against size (needs matplotlib); ``--json`` prints one JSON object.

``--language python`` measures Python source (default input: ``fastlex/samples/sample.py``
repeated to about 1 MB) with the same fastlex rows (``Lexer(language="python")``), and, in
place of the Ruby-only baselines (Pygments, prism): ``tokenize`` (the running interpreter's
``tokenize.generate_tokens``, a list over ``io.StringIO(text).readline``) and
``fastlex_generate_tokens`` (``fastlex.python.generate_tokens``, the same), and
tree-sitter-python for tree-sitter. Its ratios add ``generate_tokens_vs_tokenize`` and
``lex_vs_tokenize``; the allocation, region, pool and lines figures, memory growth,
tokenize_many and Arrow are measured for the language too.

JSON keys: ``version``, ``language``, ``machine``, ``repeat``, ``clock``, ``inputs`` (a list; each has
``name``, ``note``, ``bytes``, ``tokens``, ``lines``, ``rows`` (key -> ``{label,
available, seconds, mb_per_s, ns_per_token, note}``), ``ratios``, ``stats``,
``region_vs_malloc``, ``memory``, ``tokenize_many`` (``workers``, ``shapes``: each ``shape``,
``items``, ``item_bytes``, ``serial_seconds``, ``parallel_seconds``, ``speedup``), ``arrow``
(``files``, ``bytes``, ``lexer_seconds``, ``table_seconds``, ``table_vs_lexer``, or null)) and ``scaling`` (a list
of ``{bytes, rows}``, or null).
"""
import collections
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

INSTALL_HINT = "pip install 'fastlex[bench]'"
SAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "samples", "sample.rb")
# The shipped sample of each language bench measures.
SAMPLES = {"ruby": SAMPLE, "python": os.path.join(os.path.dirname(SAMPLE), "sample.py")}
LANGUAGES = tuple(SAMPLES)
DEFAULT_TARGET = 1_000_000
SCALING_SIZES = [1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20, 16 << 20, 64 << 20]
# --scaling times fastlex's lex in at least this many interleaved rounds, whatever --repeat: the
# small sizes' samples are short (0.05 s) and the noisiest, and a round costs about a second.
SCALING_LEX_ROUNDS = 20
# Baselines are slow: in --scaling they run only up to these sizes (bytes).
SCALING_LIMITS = {"tree_sitter_parse": 4 << 20, "pygments": 64 << 10, "fastlex_pygments": 1 << 20}

ROW_LABELS = {
    "lex": "fastlex lex (region, reused Lexer)",
    "tokens": "fastlex tokenize + every Token + .string",
    "bulk": "fastlex tokenize + kinds/starts/ends lists",
    "lex_malloc": "fastlex lex, malloc per token (region=False)",
    "tree_sitter_parse": "tree-sitter-ruby parse",
    "tree_sitter_walk": "tree-sitter-ruby parse + leaf walk",
    "pygments": "Pygments RubyLexer (pygments.lex)",
    "fastlex_pygments": "fastlex.pygments.RubyLexer (pygments.lex)",
    "prism": "prism 1.9.0 lex (prism-tokens --time)",
    "tokenize": "tokenize.generate_tokens (Python %s)" % platform.python_version(),
    "fastlex_generate_tokens": "fastlex.python.generate_tokens",
}
# Labels that differ for a language (tree-sitter's grammar).
LANGUAGE_LABELS = {
    "python": {"tree_sitter_parse": "tree-sitter-python parse",
               "tree_sitter_walk": "tree-sitter-python parse + leaf walk"},
}
# The tree-sitter grammar package of each language.
TREE_SITTER_MODULES = {"ruby": "tree_sitter_ruby", "python": "tree_sitter_python"}

# (ratio key, slower row, faster row): how many times faster the second is.
RATIOS = [
    ("lex_vs_tree_sitter_parse", "tree_sitter_parse", "lex"),
    ("tokens_vs_tree_sitter_walk", "tree_sitter_walk", "tokens"),
    ("bulk_vs_tree_sitter_walk", "tree_sitter_walk", "bulk"),
    ("lex_vs_pygments", "pygments", "lex"),
    ("fastlex_pygments_vs_pygments", "pygments", "fastlex_pygments"),
    ("region_vs_malloc_per_token", "lex_malloc", "lex"),
    ("lex_vs_prism", "prism", "lex"),
]
# The ratios of a Python run (no Pygments or prism; the interpreter's tokenize instead).
PYTHON_RATIOS = [
    ("lex_vs_tree_sitter_parse", "tree_sitter_parse", "lex"),
    ("tokens_vs_tree_sitter_walk", "tree_sitter_walk", "tokens"),
    ("bulk_vs_tree_sitter_walk", "tree_sitter_walk", "bulk"),
    ("region_vs_malloc_per_token", "lex_malloc", "lex"),
    ("generate_tokens_vs_tokenize", "tokenize", "fastlex_generate_tokens"),
    ("tokens_vs_tokenize", "tokenize", "tokens"),
    ("lex_vs_tokenize", "tokenize", "lex"),
]
RATIO_TABLES = {"ruby": RATIOS, "python": PYTHON_RATIOS}


# ---------------------------------------------------------------- inputs

def cut_at_line(data, size):
    """data[:k] for the largest k <= size ending just after a newline (or size if none)."""
    if len(data) <= size:
        return data
    k = data.rfind(b"\n", 0, size)
    return data[:k + 1] if k > 0 else data[:size]


def repeat_to(data, size):
    """Whole copies of data joined until about size bytes, cut at a line boundary."""
    if not data.endswith(b"\n"):
        data += b"\n"
    copies = max(1, -(-size // len(data)))
    return cut_at_line(data * copies, size)


def load_inputs(files, language="ruby"):
    """[(name, note, bytes)] for the files given, or the language's shipped sample repeated to about 1 MB."""
    if not files:
        path = SAMPLES[language]
        with open(path, "rb") as f:
            sample = f.read()
        copies = max(1, round(DEFAULT_TARGET / len(sample)))
        data = sample * copies
        base = os.path.basename(path)
        note = f"default input: fastlex/samples/{base} ({len(sample)} bytes) repeated {copies} times"
        return [("%s x%d" % (base, copies), note, data)]
    out = []
    for path in files:
        with open(path, "rb") as f:
            out.append((path, "", f.read()))
    return out


# ---------------------------------------------------------------- timing

# The clock of best_time: wall time by default; --clock cpu counts this process's CPU time
# instead, which keeps a busy shared machine's preemptions out of the single-thread rows.
CLOCK = {"wall": time.perf_counter, "cpu": time.process_time}
clock = time.perf_counter


def best_time(fn, repeat, min_time=0.2):
    """Best seconds per call of fn() over repeat samples, each sample at least min_time long."""
    return measure({"x": Scenario(fn)}, repeat, min_time)["x"]


class Scenario:
    """One thing to time: fn() per call, at most max_rounds samples, and the factor scaling its time to the input."""

    def __init__(self, fn, max_rounds=None, scale=1.0, note="", label=None):
        self.fn = fn
        self.max_rounds = max_rounds
        self.scale = scale
        self.note = note
        self.label = label


def measure(scenarios, repeat, min_time=0.2):
    """{key: best seconds per call (times scale)} for the scenarios, timed in interleaved rounds.

    Round r runs every scenario once (fastlex, then the baselines, then
    fastlex again...), so a busy machine slows all of them alike and the
    ratios between them stay honest. Each sample repeats its call until it
    lasts at least min_time (0.2 s, as timeit's autorange), so short calls
    are not lost in clock resolution and the first call of a sample, whose
    caches the previous scenario has just filled with its own data, weighs
    little: what is measured is the throughput of repeated calls, for every
    row alike (a tree-sitter parse of 1 MB is one call of 0.2 s by itself).
    """
    gc.collect()
    loops, best = {}, {}
    for key, sc in scenarios.items():
        t0 = clock()
        sc.fn()
        once = clock() - t0
        best[key] = once
        loops[key] = max(1, int(min_time / once)) if once > 0 else 1000
    for r in range(repeat):
        for key, sc in scenarios.items():
            if sc.max_rounds is not None and r >= sc.max_rounds:
                continue
            n = loops[key]
            t0 = clock()
            for _ in range(n):
                sc.fn()
            best[key] = min(best[key], (clock() - t0) / n)
    return {key: best[key] * scenarios[key].scale for key in scenarios}


def best_wall_time(fn, repeat):
    """Best wall-clock seconds of fn() over repeat calls (for threads, whatever the --clock)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def row(key, seconds, nbytes, ntokens, note="", label=None):
    """A measured row: time, throughput (MB/s, 10^6 bytes) and ns per fastlex token."""
    return {"label": label or ROW_LABELS[key], "available": True, "seconds": seconds,
            "mb_per_s": nbytes / seconds / 1e6, "ns_per_token": seconds / max(ntokens, 1) * 1e9, "note": note}


def missing(key, why, label=None):
    """A row that could not be measured, saying why and how to install what it needs."""
    return {"label": label or ROW_LABELS[key], "available": False, "seconds": None, "mb_per_s": None,
            "ns_per_token": None, "note": why}


# ---------------------------------------------------------------- scenarios

def fastlex_scenarios(data, keys=("lex", "tokens", "bulk", "lex_malloc"), language="ruby"):
    """The fastlex scenarios: lex alone, with Token objects, with bulk columns, per-token malloc mode."""
    import fastlex

    lexer = fastlex.Lexer(language=language)
    lexer.tokenize(data)  # the Lexer keeps its chunks: later calls allocate nothing

    def lex():
        lexer.tokenize(data)

    def tokens():
        for tok in lexer.tokenize(data):
            tok.string

    def bulk():
        t = lexer.tokenize(data)
        memoryview(t.kinds).tolist()
        memoryview(t.starts).tolist()
        memoryview(t.ends).tolist()

    malloc_lexer = fastlex.Lexer(region=False, language=language)

    def lex_malloc():
        malloc_lexer.tokenize(data)

    every = {"lex": lex, "tokens": tokens, "bulk": bulk, "lex_malloc": lex_malloc}
    return {key: Scenario(every[key]) for key in keys}


def tree_sitter_parser(language="ruby"):
    """A tree-sitter parser for the language (Ruby by default), or None if tree-sitter or the
    language's grammar package are missing."""
    import importlib

    try:
        import tree_sitter
        grammar = importlib.import_module(TREE_SITTER_MODULES[language])
    except ImportError:
        return None
    return tree_sitter.Parser(tree_sitter.Language(grammar.language()))


def leaves(tree):
    """Every leaf node of tree, in source order (a TreeCursor walk from Python)."""
    out = []
    cursor = tree.walk()
    while True:
        if cursor.goto_first_child():
            continue
        out.append(cursor.node)
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return out


def tree_sitter_scenarios(data, parser=None, walk=True, language="ruby"):
    """tree-sitter parse (and parse + leaf walk) of the language, or the rows saying how to install it."""
    parser = parser or tree_sitter_parser(language)
    keys = ("tree_sitter_parse", "tree_sitter_walk") if walk else ("tree_sitter_parse",)
    labels = LANGUAGE_LABELS.get(language, {})
    if parser is None:
        package = TREE_SITTER_MODULES[language].replace("_", "-")
        why = f"tree-sitter / {package} not installed: {INSTALL_HINT}"
        return {key: missing(key, why, labels.get(key)) for key in keys}
    out = {"tree_sitter_parse": Scenario(lambda: parser.parse(data), label=labels.get("tree_sitter_parse"))}
    if walk:
        out["tree_sitter_walk"] = Scenario(lambda: leaves(parser.parse(data)), label=labels.get("tree_sitter_walk"))
    return out


def tree_sitter_rows(data, ntokens, repeat, parser=None, language="ruby"):
    """Measured tree-sitter rows (or the rows saying how to install it)."""
    return measured_rows(tree_sitter_scenarios(data, parser, language=language), repeat, len(data), ntokens)


def python_tokenize_scenarios(data):
    """The running interpreter's tokenize.generate_tokens and fastlex.python.generate_tokens, each
    a list of every TokenInfo over io.StringIO(text).readline (text: data decoded once, outside
    the timing, as tokenize's detect_encoding would)."""
    import io
    import tokenize

    import fastlex.python

    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    text = data.decode(encoding)
    return {
        "tokenize": Scenario(lambda: list(tokenize.generate_tokens(io.StringIO(text).readline))),
        "fastlex_generate_tokens": Scenario(lambda: list(fastlex.python.generate_tokens(io.StringIO(text).readline))),
    }


def pygments_lexers():
    """{key: lexer instance or reason it is missing} for Pygments' RubyLexer and fastlex's plugin."""
    out = {}
    try:
        import pygments  # noqa: F401
        from pygments.lexers.ruby import RubyLexer
        out["pygments"] = RubyLexer()
    except ImportError:
        out["pygments"] = f"Pygments not installed: {INSTALL_HINT}"
    try:
        from fastlex.pygments import RubyLexer as FastRubyLexer
        out["fastlex_pygments"] = FastRubyLexer()
    except Exception as exc:  # a missing Pygments, or a plugin that fails to import: the row says why
        out["fastlex_pygments"] = f"fastlex.pygments unavailable ({exc}): {INSTALL_HINT}"
    return out


def spread_slice(data, size, pieces=8):
    """About size bytes of data taken as whole lines from pieces evenly spaced places (all of data if it fits).

    Code differs along a file (a head of comments lexes faster than a body of
    expressions), so a slow baseline timed on a sample and scaled is sampled
    across the whole input rather than only at its start."""
    if len(data) <= size:
        return data
    step = len(data) // pieces
    out = []
    for k in range(pieces):
        start = 0 if k == 0 else data.find(b"\n", k * step) + 1
        if start <= 0 and k:
            continue
        out.append(cut_at_line(data[start:start + size // pieces + 1], size // pieces))
    return b"".join(out)


def pygments_scenarios(data, slice_bytes, lexers=None, keys=("pygments", "fastlex_pygments")):
    """The pygments.lex scenarios, on a spread slice of the input and scaled to its whole size (at most 3 rounds)."""
    lexers = lexers or pygments_lexers()
    part = spread_slice(data, slice_bytes)
    text = part.decode("utf-8", "replace")
    note = "" if len(part) == len(data) else f"timed on {len(part)} bytes from 8 places, scaled to {len(data)}"
    out = {}
    for key in keys:
        lexer = lexers[key]
        if isinstance(lexer, str):
            out[key] = missing(key, lexer)
            continue
        import pygments

        def run(lexer=lexer):
            collections.deque(pygments.lex(text, lexer), maxlen=0)

        out[key] = Scenario(run, max_rounds=3, scale=len(data) / len(part), note=note)
    return out


def measured_rows(scenarios, repeat, nbytes, ntokens, min_time=0.2):
    """Rows for a mix of Scenarios (timed together, interleaved) and rows already marked missing."""
    todo = {k: v for k, v in scenarios.items() if isinstance(v, Scenario)}
    times = measure(todo, repeat, min_time)
    return {k: (row(k, times[k], nbytes, ntokens, v.note, v.label) if isinstance(v, Scenario) else v)
            for k, v in scenarios.items()}


PRISM_REPEAT = 20


def prism_row(data, ntokens, binary=None):
    """prism's own lexing of data, timed by prism-tokens --time (best of PRISM_REPEAT, wall clock,
    in its own process right after fastlex's rows), or a missing row saying how to get it."""
    from fastlex import prism

    found = prism.find_prism(binary)
    if found is None:
        return missing("prism", "prism-tokens not found: --prism PATH or FASTLEX_PRISM")
    seconds = prism.prism_time(found, data, PRISM_REPEAT)
    if seconds is None:
        return missing("prism", f"{found} --time failed")
    return row("prism", seconds, len(data), ntokens,
               f"prism's own lex, best of {PRISM_REPEAT}, wall clock, its own process")


def ratios(rows, table=None):
    """How many times faster each fastlex row is than its baseline (None where a row is missing);
    table: the (name, slower row, faster row) list (RATIOS, Ruby's, by default)."""
    out = {}
    for name, slow, fast in (RATIOS if table is None else table):
        a, b = rows.get(slow), rows.get(fast)
        out[name] = a["seconds"] / b["seconds"] if a and b and a["available"] and b["available"] else None
    return out


def region_vs_malloc(data, rows, language="ruby"):
    """One fresh call in each mode: mallocs, bytes, time (from the rows) side by side."""
    import fastlex

    out = {}
    for key, region in (("region", True), ("malloc_per_token", False)):
        s = fastlex.Lexer(region=region, language=language).tokenize(data).stats
        out[key] = {"mallocs": s["mallocs"], "peak_bytes": s["peak_bytes"],
                    "region_bytes_reserved": s["region"]["bytes_reserved"],
                    "seconds": rows["lex" if region else "lex_malloc"]["seconds"]}
    return out


MEMORY_CHILD = r"""
import gc, json, resource, sys
path, mode = sys.argv[1], sys.argv[2]
language = sys.argv[3] if len(sys.argv) > 3 else "ruby"
with open(path, "rb") as f:
    data = f.read()
import importlib
import fastlex
parser = None
if mode == "tree_sitter":
    import tree_sitter
    grammar = importlib.import_module("tree_sitter_" + language)
    parser = tree_sitter.Parser(tree_sitter.Language(grammar.language()))
    parser.parse(b"x = 1\n")
fastlex.tokenize(b"x = 1\n", language=language)
gc.collect()

def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024

def hwm():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024

try:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")          # reset the peak-RSS mark (Linux >= 4.0)
    method = "VmHWM reset through /proc/self/clear_refs; growth = peak RSS during the call - RSS before it"
    before = rss()
    peak = hwm
except OSError:
    method = "ru_maxrss growth (the peak may predate the call: a lower bound)"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
if mode == "lex":
    kept = fastlex.tokenize(data, language=language)
elif mode == "tokens":
    kept = fastlex.tokenize(data, language=language)
    kept = [(t, t.string) for t in kept]
elif mode == "tree_sitter":
    kept = parser.parse(data)
print(json.dumps({"growth": peak() - before, "method": method}))
"""


def memory_growth(data, language="ruby"):
    """Peak RSS growth of lexing data (and of keeping every Token, and of a tree-sitter parse), in child processes."""
    if not sys.platform.startswith("linux"):
        return {"method": "not measured: needs Linux /proc", "lex_bytes": None}
    with tempfile.NamedTemporaryFile(suffix=".py" if language == "python" else ".rb", delete=False) as f:
        f.write(data)
        path = f.name
    out = {"source_bytes": len(data)}
    try:
        for mode in ("lex", "tokens", "tree_sitter"):
            if mode == "tree_sitter" and tree_sitter_parser(language) is None:
                out["tree_sitter_bytes"] = None
                continue
            env = dict(os.environ)
            env["PYTHONPATH"] = os.pathsep.join(
                [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))] + env.get("PYTHONPATH", "").split(os.pathsep))
            env.pop("FASTLEX_ALLOC_STATS", None)
            res = subprocess.run([sys.executable, "-c", MEMORY_CHILD, path, mode, language], capture_output=True,
                                 text=True, env=env, timeout=300)
            if res.returncode != 0:
                out[f"{mode}_bytes"] = None
                out[f"{mode}_error"] = res.stderr.strip().splitlines()[-1:] or ["failed"]
                continue
            got = json.loads(res.stdout)
            out[f"{mode}_bytes"] = got["growth"]
            out["method"] = "child process per measurement; " + got["method"]
    finally:
        os.unlink(path)
    if out.get("lex_bytes") is not None:
        out["lex_over_source"] = out["lex_bytes"] / len(data)
    return out


def split_files(data, size):
    """data cut at line ends into pieces of about size bytes: a repository's files."""
    pieces = []
    while data:
        piece = cut_at_line(data, size)
        pieces.append(piece)
        data = data[len(piece):]
    return pieces


def interleaved_wall_times(fns, repeat):
    """Best wall-clock seconds of each fn, the calls interleaved round by round (a machine that
    slows down for a while slows every fn alike)."""
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            best[k] = min(best[k], time.perf_counter() - t0)
    return best


# tokenize_many's two shapes: a repository (many small files: Ruby 3.1's standard library has 850
# files of 6.7 KB on average) and a few large files.
MANY_SMALL_BYTES = 6_700
MANY_SMALL_TOTAL = 4 << 20
MANY_LARGE_BYTES = 1 << 20


def corpus_paths(folder, suffixes=(".rb",)):
    """The files under folder ending in one of suffixes (.rb by default), sorted (bench --corpus)."""
    out = []
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        out.extend(os.path.join(root, n) for n in sorted(names) if n.endswith(suffixes))
    return out


def read_all(paths):
    """Each path's bytes, in order: one-by-one lexing of paths reads them in the loop too."""
    out = []
    for p in paths:
        with open(p, "rb") as f:
            out.append(f.read())
    return out


def many_speedup(data, repeat, corpus=None, language="ruby"):
    """Speed-up of fastlex.tokenize_many over one-by-one fastlex.tokenize calls on this machine's
    cores, for many small files and for a few large ones (both cut from data), and, with a
    corpus folder, for its files given as paths (read by the workers; read in the loop one by one)."""
    import pathlib

    import fastlex

    workers = os.cpu_count() or 1
    small = split_files(repeat_to(data, MANY_SMALL_TOTAL), MANY_SMALL_BYTES)
    large = [cut_at_line(repeat_to(data, MANY_LARGE_BYTES), MANY_LARGE_BYTES)] * (4 * workers)
    shapes = []
    runs = [("small_files", small, None), ("large_files", large, None)]
    if corpus:
        suffixes = (".py",) if language == "python" else (".rb",)
        paths = [pathlib.Path(p) for p in corpus_paths(corpus, suffixes)]
        if paths:
            runs.append(("corpus_paths", paths, read_all))
    for name, items, reader in runs:
        if reader is None:
            serial_fn = (lambda items=items: [fastlex.tokenize(x, language=language) for x in items])
        else:
            serial_fn = (lambda items=items, reader=reader:
                         [fastlex.tokenize(x, language=language) for x in reader(items)])
        serial, parallel = interleaved_wall_times(
            [serial_fn, lambda items=items: fastlex.tokenize_many(items, workers=workers, language=language)],
            max(3, min(repeat, 7)))
        if reader is not None:
            items = reader(items)
        shapes.append({"shape": name, "items": len(items), "item_bytes": sum(map(len, items)) // len(items),
                       "serial_seconds": serial, "parallel_seconds": parallel, "speedup": serial / parallel})
    return {"workers": workers, "shapes": shapes}


def arrow_speed(data, repeat, language="ruby"):
    """fastlex.arrow.tokenize_table over a table of small files against Lexer.tokenize on each
    (None without pyarrow)."""
    try:
        import pyarrow as pa

        import fastlex.arrow
    except ImportError:
        return None
    import fastlex

    files = split_files(repeat_to(data, MANY_SMALL_TOTAL), MANY_SMALL_BYTES)
    table = pa.table({"content": pa.array(files, pa.binary())})
    lexer = fastlex.Lexer(language=language)
    plain, arrow = interleaved_wall_times(
        [lambda: [lexer.tokenize(x) for x in files],
         lambda: fastlex.arrow.tokenize_table(table, language=language)],
        max(3, min(repeat, 7)))
    return {"files": len(files), "bytes": sum(map(len, files)), "lexer_seconds": plain, "table_seconds": arrow,
            "table_vs_lexer": plain / arrow}


# ---------------------------------------------------------------- runs

class Progress:
    """A tqdm bar over named steps when stderr is a terminal and tqdm is installed; silent otherwise."""

    def __init__(self, total, enabled):
        self.bar = None
        if enabled and sys.stderr.isatty():
            try:
                from tqdm import tqdm
                self.bar = tqdm(total=total, file=sys.stderr, leave=False, unit="step")
            except ImportError:
                pass

    def step(self, name):
        """Show that the step called name is starting."""
        if self.bar is not None:
            self.bar.set_description(name)
            self.bar.update(1)

    def close(self):
        """Remove the bar."""
        if self.bar is not None:
            self.bar.close()


def bench_input(name, note, data, args, progress):
    """Every measurement for one input, as a dict (see the module docstring for its keys)."""
    import fastlex

    language = getattr(args, "language", "ruby")
    first = fastlex.tokenize(data, language=language)
    ntokens = len(first)
    result = {"name": name, "note": note, "bytes": len(data), "tokens": ntokens,
              "lines": first.stats["lines"]["count"], "errors": len(first.errors), "stats": first.stats}
    scenarios = fastlex_scenarios(data, language=language)
    if language == "python":
        progress.step(f"{name}: throughput (fastlex, tokenize, tree-sitter interleaved)")
        scenarios.update(python_tokenize_scenarios(data))
        scenarios.update(tree_sitter_scenarios(data, language=language))
        rows = measured_rows(scenarios, args.repeat, len(data), ntokens)
    else:
        progress.step(f"{name}: throughput (fastlex, tree-sitter, Pygments interleaved)")
        scenarios.update(tree_sitter_scenarios(data))
        scenarios.update(pygments_scenarios(data, args.slice_bytes))
        rows = measured_rows(scenarios, args.repeat, len(data), ntokens)
        rows["prism"] = prism_row(data, ntokens, getattr(args, "prism", None))
    result["rows"] = rows
    result["ratios"] = ratios(rows, RATIO_TABLES[language])
    result["region_vs_malloc"] = region_vs_malloc(data, rows, language)
    progress.step(f"{name}: memory")
    result["memory"] = memory_growth(data, language)
    progress.step(f"{name}: tokenize_many and Arrow")
    result["tokenize_many"] = many_speedup(data, args.repeat, args.corpus, language)
    result["arrow"] = arrow_speed(data, args.repeat, language)
    return result


def bench_scaling(data, args, progress):
    """Throughput of the same content at 1 KB ... 64 MB (baselines up to their SCALING_LIMITS).

    The content is a 64 KB block of whole lines taken from 8 places of the
    input: sizes from 64 KB up are that block repeated, smaller sizes are
    lines from 8 places of it, so every size lexes the same mix of code.
    fastlex's lex is timed at every size in the same interleaved rounds, at
    least SCALING_LEX_ROUNDS of them (a machine whose speed drifts over
    minutes slows every size alike, and the best of many short samples
    settles, so the 64 MB / 64 KB ratio stays honest); then each size's
    baselines, timed together, interleaved."""
    import fastlex

    language = getattr(args, "language", "ruby")
    parser = tree_sitter_parser(language)
    lexers = pygments_lexers() if language == "ruby" else {}
    block = spread_slice(data, 64 << 10)
    chunks = [spread_slice(block, size) if size < len(block) else repeat_to(block, size) for size in SCALING_SIZES]
    ntoks = [len(fastlex.tokenize(chunk, language=language)) for chunk in chunks]
    # Small inputs: enough calls per sample that the clock resolution does not matter.
    lex = {k: fastlex_scenarios(chunk, keys=("lex",), language=language)["lex"] for k, chunk in enumerate(chunks)}
    lex_seconds = measure(lex, max(args.repeat, SCALING_LEX_ROUNDS), min_time=0.05)
    out = []
    for k, (size, chunk) in enumerate(zip(SCALING_SIZES, chunks)):
        progress.step(f"scaling {size} bytes")
        scenarios = {}
        if parser is not None and size <= SCALING_LIMITS["tree_sitter_parse"]:
            scenarios.update(tree_sitter_scenarios(chunk, parser, walk=False, language=language))
        keys = tuple(key for key in ("pygments", "fastlex_pygments")
                     if key in lexers and not isinstance(lexers[key], str) and size <= SCALING_LIMITS[key])
        if keys:
            scenarios.update(pygments_scenarios(chunk, size, lexers, keys))
        rows = {"lex": row("lex", lex_seconds[k], len(chunk), ntoks[k])}
        rows.update(measured_rows(scenarios, args.repeat, len(chunk), ntoks[k], min_time=0.05))
        out.append({"bytes": len(chunk), "tokens": ntoks[k], "rows": rows})
    return out


# ---------------------------------------------------------------- output

def fmt(v, spec):
    """v formatted with spec, or '-' for None."""
    return "-" if v is None else format(v, spec)


def print_input(r, out):
    """The human-readable tables for one input."""
    w = out.write
    w(f"\n== {r['name']}: {r['bytes']} bytes, {r['tokens']} tokens, {r['lines']} lines, {r['errors']} lex errors\n")
    if r["note"]:
        w(f"   ({r['note']})\n")
    w(f"\n{'':46} {'ms':>10} {'MB/s':>9} {'ns/token':>9}  note\n")
    for key, x in r["rows"].items():
        if x["available"]:
            w(f"{x['label']:46} {x['seconds'] * 1e3:10.3f} {x['mb_per_s']:9.2f} {x['ns_per_token']:9.1f}  {x['note']}\n")
        else:
            w(f"{x['label']:46} {'-':>10} {'-':>9} {'-':>9}  {x['note']}\n")
    w("\nratios (times faster):\n")
    for name, v in r["ratios"].items():
        w(f"  {name:32} {fmt(v, '.1f')}\n")
    s = r["stats"]
    reg, pool, lines = s["region"], s["pool"], s["lines"]
    w("\nallocations (one fastlex.tokenize call, fresh Lexer):\n")
    w(f"  mallocs {s['mallocs']}, peak {s['peak_bytes']} bytes ({s['peak_bytes'] / max(r['bytes'], 1):.2f}x source), "
      f"held after the call {s['bytes_reserved']} bytes\n")
    w(f"  region: {reg['chunks']} chunk(s), {reg['bytes_used']} of {reg['bytes_reserved']} bytes used, "
      f"{reg['record_bytes']} bytes/token, {reg['mallocs']} mallocs\n")
    w(f"  pool: {pool['names']} names in {pool['capacity']} slots, {pool['resizes']} resizes, "
      f"{pool['probes']} probes (max {pool['max_probe']})\n")
    w(f"  newline list: {lines['count']} lines, capacity {lines['capacity']}, {lines['reallocs']} reallocs\n")
    rv = r["region_vs_malloc"]
    w("\nregion vs malloc per token:\n")
    w(f"  {'':18} {'mallocs':>9} {'peak bytes':>12} {'region bytes':>13} {'lex ms':>9}\n")
    for key in ("region", "malloc_per_token"):
        x = rv[key]
        w(f"  {key:18} {x['mallocs']:9d} {x['peak_bytes']:12d} {x['region_bytes_reserved']:13d} {x['seconds'] * 1e3:9.3f}\n")
    m = r["memory"]
    w("\npeak memory growth (RSS):\n")
    for key, label in (("lex_bytes", "tokenize"), ("tokens_bytes", "tokenize + keep every Token and .string"),
                       ("tree_sitter_bytes", "tree-sitter parse (tree kept)")):
        v = m.get(key)
        w(f"  {label:42} {fmt(v, 'd') if v is not None else '-':>12} bytes"
          + (f"  ({v / r['bytes']:.2f}x source)\n" if v is not None else "\n"))
    w(f"  method: {m.get('method', '-')}\n")
    t = r["tokenize_many"]
    w(f"\ntokenize_many on {t['workers']} workers against one tokenize call after another (wall clock):\n")
    for sh in t["shapes"]:
        w(f"  {sh['shape']:12} {sh['items']:5} items of {sh['item_bytes']:8} bytes: "
          f"{sh['serial_seconds'] * 1e3:8.1f} ms one by one, {sh['parallel_seconds'] * 1e3:8.1f} ms in parallel, "
          f"speed-up {sh['speedup']:.2f}x\n")
    a = r.get("arrow")
    if a is None:
        w("\nfastlex.arrow.tokenize_table: not measured (pip install 'fastlex[arrow]')\n")
    else:
        w(f"\nfastlex.arrow.tokenize_table on {a['files']} files ({a['bytes']} bytes): {a['table_seconds'] * 1e3:.1f} ms, "
          f"Lexer.tokenize on each {a['lexer_seconds'] * 1e3:.1f} ms: {a['table_vs_lexer']:.2f}x its speed\n")


def print_scaling(scaling, out):
    """The scaling table: MB/s per size for fastlex and the baselines measured at that size."""
    keys = ["lex", "tree_sitter_parse", "fastlex_pygments", "pygments"]
    out.write("\nscaling (same content repeated; MB/s):\n")
    out.write(f"  {'bytes':>10} " + " ".join(f"{k:>18}" for k in keys) + "\n")
    for s in scaling:
        cells = [fmt(s["rows"][k]["mb_per_s"], ".2f") if k in s["rows"] else "-" for k in keys]
        out.write(f"  {s['bytes']:>10} " + " ".join(f"{c:>18}" for c in cells) + "\n")
    by = {s["bytes"]: s["rows"]["lex"]["mb_per_s"] for s in scaling}
    small = min(by, key=lambda b: abs(b - (64 << 10)))
    out.write(f"  fastlex at {scaling[-1]['bytes']} bytes: {by[scaling[-1]['bytes']] / by[small] * 100:.0f}% "
              f"of its throughput at {small} bytes\n")


def plot(scaling, path):
    """Write a PNG of throughput against size (log-log) for fastlex and the baselines; an error string or None."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return f"--plot needs matplotlib: {INSTALL_HINT}"
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for key in ("lex", "tree_sitter_parse", "fastlex_pygments", "pygments"):
        pts = [(s["bytes"], s["rows"][key]["mb_per_s"]) for s in scaling if key in s["rows"]]
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=ROW_LABELS[key])
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("input size (bytes)")
    ax.set_ylabel("throughput (MB/s)")
    ax.set_title("fastlex throughput against input size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None


def run(args):
    """Run the benchmark as asked by args and print it; 0, or 2 if an input cannot be read."""
    import fastlex

    global clock
    clock = CLOCK[args.clock]
    language = getattr(args, "language", "ruby")
    try:
        inputs = load_inputs(args.files, language)
    except OSError as exc:
        print(f"fastlex bench: {exc}", file=sys.stderr)
        return 2
    if args.repeat < 1:
        print("fastlex bench: --repeat must be at least 1", file=sys.stderr)
        return 2
    scaling_wanted = args.scaling or bool(args.plot)
    progress = Progress(5 * len(inputs) + (len(SCALING_SIZES) if scaling_wanted else 0), not args.json)
    try:
        results = [bench_input(name, note, data, args, progress) for name, note, data in inputs]
        scaling = bench_scaling(inputs[0][2], args, progress) if scaling_wanted else None
    finally:
        progress.close()
    report = {
        "version": fastlex.__version__,
        "language": language,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "processor": platform.machine()},
        "repeat": args.repeat, "clock": args.clock, "inputs": results, "scaling": scaling,
    }
    plot_error = plot(scaling, args.plot) if args.plot else None
    if plot_error:
        report["plot_error"] = plot_error
    out = sys.stdout
    if args.json:
        json.dump(report, out, indent=1)
        out.write("\n")
    else:
        m = report["machine"]
        out.write(f"fastlex {report['version']} bench ({language}): Python {m['python']}, {m['cpus']} CPUs, {m['platform']}; "
                  f"best of {args.repeat}, {args.clock} clock\n")
        for r in results:
            print_input(r, out)
        if scaling:
            print_scaling(scaling, out)
        if args.plot and not plot_error:
            out.write(f"\nplot written to {args.plot}\n")
    if plot_error:
        print(f"fastlex bench: {plot_error}", file=sys.stderr)
    return 0


def add_arguments(parser):
    """Declare the bench subcommand's options on parser and route it to run()."""
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help="source files to measure (default: the language's shipped sample repeated to about 1 MB)")
    parser.add_argument("--language", choices=LANGUAGES, default="ruby",
                        help="the grammar measured: ruby (default) or python (against the interpreter's tokenize)")
    parser.add_argument("--repeat", type=int, default=5, metavar="N", help="best of N runs (default 5)")
    parser.add_argument("--scaling", action="store_true",
                        help="also measure the same content at 1 KB ... 64 MB")
    parser.add_argument("--json", action="store_true", help="print one JSON object with all numbers")
    parser.add_argument("--clock", choices=sorted(CLOCK), default="wall",
                        help="wall time (default), or process CPU time for a busy machine "
                             "(tokenize_many is always timed on the wall clock)")
    parser.add_argument("--prism", metavar="PATH",
                        help="the prism-tokens binary for the prism row (default: $FASTLEX_PRISM, "
                             "else ../shared/prism/prism-tokens)")
    parser.add_argument("--corpus", metavar="DIR",
                        help="also time tokenize_many on the language's files under DIR (*.rb, *.py), given as paths")
    parser.add_argument("--plot", metavar="FILE.png", help="plot throughput against size (implies --scaling)")
    parser.add_argument("--slice-bytes", type=int, default=64 << 10, metavar="N",
                        help="Pygments rows are timed on N bytes taken from 8 places and scaled (default 65536)")
    parser.set_defaults(func=run)
