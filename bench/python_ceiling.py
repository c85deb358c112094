"""How close fastlex.python.generate_tokens comes to the fastest a tokenizer returning
TokenInfo objects can be, measured against the running interpreter's tokenize.

    python bench/python_ceiling.py [FILES_OR_FOLDERS...] [--rounds N]

For each file (default: the interpreter's standard library, top level, read as str), four
things are timed in interleaved rounds, best round of each, process CPU time:

  tokenize   list(tokenize.generate_tokens(io.StringIO(src).readline))
  fastlex    the same with fastlex.python.generate_tokens
  objects    the same token list made from C arrays prepared beforehand (bench/_ceiling.pyx):
             a TokenInfo per token and a new position pair per position, a start shared
             wherever it equals the previous end (so no more pairs than fastlex makes), no
             new strings, allocated as fastlex allocates them; no scanning, no reading
  readline   list(iter(io.StringIO(src).readline, "")): the reading both tokenizers do

tokenize / (objects + readline) is the highest ratio any tokenizer that reads line by line and
returns these objects could show in this run; fastlex's own work (scanning, positions, strings)
is fastlex - objects - readline. The prepared arrays are kept out of the cycle collector's
sight (gc.freeze), so that tokenize runs as in a process holding nothing else. Needs Cython
(pyximport compiles bench/_ceiling.pyx into $FASTLEX_PYXBLD, default a folder in the temp dir).
"""
import argparse
import gc
import io
import os
import sys
import tempfile
import time
import tokenize

import pyximport

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
pyximport.install(language_level=3, build_dir=os.environ.get(
    "FASTLEX_PYXBLD", os.path.join(tempfile.gettempdir(), "fastlex-pyxbld")))
import _ceiling  # noqa: E402

import fastlex.python as fpy  # noqa: E402
from python_tokenize import _files, _load  # noqa: E402


def sizes():
    """Allocation sizes as fastlex.python's configure() finds them (not for debug builds)."""
    if hasattr(sys, "getobjects"):
        sys.exit("a debug build of Python: object sizes differ")
    token = tokenize.TokenInfo(1, "", (1, 0), (1, 0), "")
    pair = (1, 0)
    return _ceiling.Sizes(tokenize.TokenInfo,
                          sys.getsizeof(token) - token.__sizeof__(), token.__sizeof__(),
                          sys.getsizeof(pair) - pair.__sizeof__(), pair.__sizeof__())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args(argv)
    srcs = _load(_files(a.paths))
    z = sizes()
    plans, ntok = [], 0
    for src in srcs:
        toks = list(tokenize.generate_tokens(io.StringIO(src).readline))
        if list(fpy.generate_tokens(io.StringIO(src).readline)) != toks:
            sys.exit("fastlex and tokenize differ: the comparison would be void")
        plan = _ceiling.Plan(toks)
        if _ceiling.build(plan, z) != toks:
            sys.exit("bench/_ceiling.pyx does not rebuild the token list")
        plans.append(plan)
        ntok += len(toks)
    del toks
    # The plans are live objects the collector would walk on every full collection, slowing
    # what makes tracked objects (tokenize's TokenInfo): out of its sight, the process is as
    # bench/python_tokenize.py's.
    gc.collect()
    gc.freeze()

    def run_tokenize():
        for src in srcs:
            list(tokenize.generate_tokens(io.StringIO(src).readline))

    def run_fastlex():
        for src in srcs:
            list(fpy.generate_tokens(io.StringIO(src).readline))

    def run_objects():
        for plan in plans:
            _ceiling.build(plan, z)

    def run_readline():
        for src in srcs:
            list(iter(io.StringIO(src).readline, ""))

    runs = {"tokenize": run_tokenize, "fastlex": run_fastlex, "objects": run_objects, "readline": run_readline}
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(a.rounds):
        for name, fn in runs.items():
            t = time.process_time()
            fn()
            best[name] = min(best[name], time.process_time() - t)
    ns = {k: v / ntok * 1e9 for k, v in best.items()}
    print(f"Python {sys.version.split()[0]}: {len(srcs)} files, {ntok} tokens; best of {a.rounds} (CPU time)")
    for k in runs:
        print(f"  {k:9s} {ns[k]:7.1f} ns/token")
    floor = ns["objects"] + ns["readline"]
    print(f"  fastlex's own work (fastlex - objects - readline): {ns['fastlex'] - floor:.1f} ns/token")
    print(f"  tokenize / fastlex:              {ns['tokenize'] / ns['fastlex']:5.2f}x")
    print(f"  ceiling, tokenize / (objects + readline): {ns['tokenize'] / floor:5.2f}x")


if __name__ == "__main__":
    main()
