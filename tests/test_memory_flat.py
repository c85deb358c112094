"""Memory stays flat over a corpus: 10,000 files lexed in batches through tokenize_many and
through fastlex.arrow.tokenize_table keep resident memory within 20% of what it was after the
first batch (each batch's results are dropped before the next, as a pipeline does). Run in a
child process so other tests' allocations do not blur the figures."""
import json
import os
import subprocess
import sys

import pytest

from corpus import corpus_files

CHILD = r"""
import gc, json, sys
import fastlex

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096

paths = json.loads(sys.argv[1])
mode = sys.argv[2]
sources = [open(p, "rb").read() for p in paths]
total, batch = 10_000, 1_000
items = [sources[i % len(sources)] for i in range(total)]
after = []
if mode == "arrow":
    import pyarrow as pa
    import fastlex.arrow
for lo in range(0, total, batch):
    chunk = items[lo:lo + batch]
    if mode == "many":
        out = fastlex.tokenize_many(chunk, workers=2)
        assert len(out) == len(chunk) and all(len(t) > 0 for t in out)
        tokens = sum(len(t) for t in out)
        list(out[0])                       # make Tokens, read names: the pools fill too
    else:
        table = pa.table({"content": pa.array(chunk, pa.binary())})
        out = fastlex.arrow.tokenize_table(table)
        tokens = sum(len(chunk.values) for chunk in out.column("tokens").chunks)
    del out                                # a pipeline drops each batch, input and output, before the next
    if mode == "arrow":
        del table
    gc.collect()
    after.append(rss())
print(json.dumps({"after": after, "tokens_last_batch": tokens}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
@pytest.mark.parametrize("mode", ["many", "arrow"])
def test_resident_memory_flat_over_10000_files(mode):
    if mode == "arrow" and not os.environ.get("CI"):
        pytest.importorskip("pyarrow")
    paths = corpus_files()
    res = subprocess.run([sys.executable, "-c", CHILD, json.dumps(paths), mode],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    after = report["after"]
    assert len(after) == 10 and report["tokens_last_batch"] > 0
    first = after[0]
    assert max(after) <= first * 1.2, f"resident memory grew: {[a >> 20 for a in after]} MiB"
