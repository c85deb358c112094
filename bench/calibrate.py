"""Calibrate fastlex's size estimates and pool hash on a corpus (default: Ruby's standard library).

    python bench/calibrate.py [--corpus DIR] [--json]

Measures, per file of the corpus, what the core needed (tokens, distinct
names, lines) with the build in place, then replays the three estimates over
those figures for a range of candidate constants:

- REGION_BYTES_PER_TOKEN (_region.pxi): how many files need a second region
  chunk, and how much the first chunk reserves beyond what is used;
- LINES_BYTES_PER_LINE (_lines.pxi): how many files reallocate the newline list;
- POOL_BYTES_PER_NAME, the load factor and the hash (_pool.pxi): table bytes,
  resizes and linear-probing probes, simulated as _pool.pxi does it (same
  hashes, same names; the lookups replayed from the identifier tokens, see
  measure), for FNV-1a and a word-at-a-time hash.

Finally it reports what the build in place actually did (region chunks, line
reallocations, pool probes, time to lex the corpus), which checks the
simulation against the real core.
"""
import argparse
import glob
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import fastlex  # noqa: E402
from fastlex.kinds import Kind  # noqa: E402

IDENTIFIER = int(Kind.IDENTIFIER)

M64 = (1 << 64) - 1
M32 = (1 << 32) - 1

RECORD_BYTES = 10      # REGION_RECORD_BYTES (_region.pxi)
POOL_ENTRY_BYTES = 24  # sizeof(PoolEntry)
REGION_CHUNK_MIN = 256
POOL_MIN_CAPACITY = 64
POOL_MAX_INITIAL_CAPACITY = 1 << 13
LINES_MIN_CAPACITY = 64


def fnv1a(p):
    """FNV-1a 32-bit over the bytes p, never 0 (as _pool.pxi's former pool_hash)."""
    h = 2166136261
    for c in p:
        h = ((h ^ c) * 16777619) & M32
    return h or 1


WORD_K1 = 0x9E3779B97F4A7C15
WORD_K2 = 0xD6E8FEB86659FD93


def _mix(h, w):
    """One step of the word hash: xor a 64-bit word in, multiply, fold the high half down."""
    h = ((h ^ w) * WORD_K1) & M64
    return h ^ (h >> 32)


def wordhash(p):
    """Word-at-a-time hash (8 bytes per multiply, overlapping loads for the tail), as _pool.pxi's pool_hash."""
    n = len(p)
    h = (n * WORD_K2) & M64
    i = 0
    while n - i > 8:
        h = _mix(h, int.from_bytes(p[i:i + 8], "little"))
        i += 8
    rest = n - i
    if rest >= 4:
        w = int.from_bytes(p[i:i + 4], "little") | (int.from_bytes(p[n - 4:n], "little") << 32)
    elif rest > 0:
        w = (p[i] << 16) | (p[i + (rest >> 1)] << 8) | p[n - 1]
    else:
        w = 0
    h = _mix(h, w)
    return ((h * WORD_K2) & M64) >> 32


HASHES = {"fnv1a": fnv1a, "word": wordhash}


def load_corpus(root):
    """[(path, bytes)] of every .rb file under root, sorted by path, empty files left out."""
    out = []
    for path in sorted(glob.glob(os.path.join(root, "**", "*.rb"), recursive=True)):
        with open(path, "rb") as f:
            data = f.read()
        if data:
            out.append((path, data))
    return out


def measure(corpus):
    """Per-file figures from the build in place: sizes, counts, the interned-name sequence, stats."""
    rows = []
    for path, data in corpus:
        toks = fastlex.tokenize(data)
        starts = memoryview(toks.starts).tolist()
        ends = memoryview(toks.ends).tolist()
        # Right after the scan the pool holds exactly the names it interned (identifiers that may
        # be locals; the Python layer interns the others only when read). The lookups are replayed
        # as every identifier spelling one of them: exact for the distinct names and the table's
        # growth, a slight overcount of lookups (a method call spelled like a local, after a dot).
        scanned = set(toks._pool_names())
        kinds = memoryview(toks.kinds).tolist()
        names = [name for k, a, b in zip(kinds, starts, ends)
                 if k == IDENTIFIER and (name := data[a:b]) in scanned]
        rows.append({
            "path": path, "bytes": len(data), "tokens": len(toks), "lines": toks.stats["lines"]["count"],
            "names": names, "distinct": len(set(names)), "stats": toks.stats,
        })
    return rows


def pct(values, p):
    """The p-th percentile (0..100) of values, nearest rank."""
    v = sorted(values)
    return v[min(len(v) - 1, int(len(v) * p / 100))]


def region_table(rows, big, candidates):
    """For each bytes-per-token estimate: files needing a second chunk, reserve/used, reserve/source."""
    out = []
    for b in candidates:
        multi = 0
        reserved = used = 0
        for r in rows:
            cap = min(max(r["bytes"] // b + 16, REGION_CHUNK_MIN), 1 << 24)
            need = r["tokens"]
            if need > cap:
                multi += 1
            # Chunks double until the tokens fit.
            total, last = cap, cap
            while total < need:
                last *= 2
                total += last
            reserved += total * RECORD_BYTES
            used += need * RECORD_BYTES
        big_cap = max(big["bytes"] // b + 16, REGION_CHUNK_MIN)
        out.append({
            "bytes_per_token": b, "files_multi_chunk": multi, "files_multi_chunk_pct": 100.0 * multi / len(rows),
            "corpus_reserved_over_used": reserved / used,
            "big_file_reserved_over_source": big_cap * RECORD_BYTES / big["bytes"],
            "big_file_fits_one_chunk": big["tokens"] <= big_cap,
        })
    return out


def lines_table(rows, big, candidates):
    """For each bytes-per-line estimate: files whose newline list reallocates, and bytes reserved."""
    out = []
    for b in candidates:
        reallocs = sum(1 for r in rows if r["lines"] > r["bytes"] // b + LINES_MIN_CAPACITY)
        out.append({
            "bytes_per_line": b, "files_realloc": reallocs, "files_realloc_pct": 100.0 * reallocs / len(rows),
            "big_file_reserved_over_source": (big["bytes"] // b + LINES_MIN_CAPACITY) * 4 / big["bytes"],
        })
    return out


def simulate_pool(names, source_len, hash_fn, bytes_per_name, load_num, load_den, cache):
    """Replay _pool.pxi on one file's interned names: (capacity at the end, resizes, probes, bytes reserved at peak)."""
    want = POOL_MIN_CAPACITY
    need = (source_len // bytes_per_name) * load_den // load_num
    while want < need and want < POOL_MAX_INITIAL_CAPACITY:
        want <<= 1
    cap = want
    slots = [None] * cap          # (hash, name)
    count = resizes = probes = 0
    peak_bytes = cap * POOL_ENTRY_BYTES
    for name in names:
        h = cache.get(name)
        if h is None:
            h = cache[name] = hash_fn(name)
        mask = cap - 1
        j = h & mask
        while slots[j] is not None and not (slots[j][0] == h and slots[j][1] == name):
            j = (j + 1) & mask
            probes += 1
        if slots[j] is not None:
            continue
        if (count + 1) * load_den > cap * load_num:
            newcap = cap * 2
            peak_bytes = max(peak_bytes, (cap + newcap) * POOL_ENTRY_BYTES)   # old and new table at once
            fresh = [None] * newcap
            for e in slots:
                if e is not None:
                    k = e[0] & (newcap - 1)
                    while fresh[k] is not None:
                        k = (k + 1) & (newcap - 1)
                    fresh[k] = e
            slots, cap, resizes = fresh, newcap, resizes + 1
            mask = cap - 1
            j = h & mask
            while slots[j] is not None:
                j = (j + 1) & mask
                probes += 1
        slots[j] = (h, name)
        count += 1
    return cap, resizes, probes, peak_bytes


def pool_table(rows, big, hashes, bytes_per_name, loads):
    """Pool figures for every combination of hash, bytes-per-name estimate and load factor."""
    out = []
    for hname in hashes:
        cache_by_file = [dict() for _ in rows]
        big_cache = {}
        for bpn in bytes_per_name:
            for num, den in loads:
                probes = resizes_files = lookups = 0
                reserved = 0
                for r, cache in zip(rows, cache_by_file):
                    cap, resizes, pr, _ = simulate_pool(r["names"], r["bytes"], HASHES[hname], bpn, num, den, cache)
                    probes += pr
                    lookups += len(r["names"])
                    resizes_files += resizes > 0
                    reserved += cap * POOL_ENTRY_BYTES
                bcap, bres, bpr, bpeak = simulate_pool(big["names"], big["bytes"], HASHES[hname], bpn, num, den, big_cache)
                out.append({
                    "hash": hname, "bytes_per_name": bpn, "load": f"{num}/{den}",
                    "probes_per_lookup": probes / lookups, "files_resized_pct": 100.0 * resizes_files / len(rows),
                    "corpus_table_bytes_over_source": reserved / sum(r["bytes"] for r in rows),
                    "big_file_capacity": bcap, "big_file_resizes": bres,
                    "big_file_peak_table_bytes_over_source": bpeak / big["bytes"],
                    "big_file_probes_per_lookup": bpr / len(big["names"]),
                })
    return out


def concatenate(corpus, target):
    """The corpus files (in path order) joined until about target bytes: (data, files used)."""
    parts, size, used = [], 0, []
    for path, data in corpus:
        if size + len(data) + 1 > target:
            continue
        parts.append(data)
        used.append(path)
        size += len(data) + 1
    return b"\n".join(parts) + b"\n", used


def time_build(corpus, big, repeat):
    """What the build in place does: probes, chunks, reallocs over the corpus; best-of-repeat lex times."""
    lx = fastlex.Lexer()
    best_corpus = best_big = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _path, data in corpus:
            lx.tokenize(data)
        best_corpus = min(best_corpus, time.perf_counter() - t0)
        t0 = time.perf_counter()
        lx.tokenize(big)
        best_big = min(best_big, time.perf_counter() - t0)
    probes = chunks = reallocs = resizes = 0
    for _path, data in corpus:
        s = fastlex.tokenize(data).stats
        probes += s["pool"]["probes"]
        chunks += s["region"]["chunks"] > 1
        reallocs += s["lines"]["reallocs"] > 0
        resizes += s["pool"]["resizes"] > 0
    s = fastlex.tokenize(big).stats
    return {
        "corpus_lex_seconds": best_corpus, "big_file_lex_seconds": best_big,
        "big_file_mb_per_s": len(big) / best_big / 1e6,
        "corpus_pool_probes": probes, "files_multi_chunk": chunks, "files_line_realloc": reallocs,
        "files_pool_resized": resizes, "big_file_stats": s,
        "big_file_peak_over_source": s["peak_bytes"] / len(big),
    }


def main(argv=None):
    """Run the calibration and print tables (or one JSON object)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="/usr/lib/ruby/3.1.0")
    ap.add_argument("--big-bytes", type=int, default=1_170_000, help="size of the concatenated 'big file'")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    corpus = load_corpus(args.corpus)
    big_data, big_files = concatenate(corpus, args.big_bytes)
    rows = measure(corpus)
    big = measure([("<concatenation>", big_data)])[0]
    result = {
        "corpus": args.corpus, "files": len(rows), "corpus_bytes": sum(r["bytes"] for r in rows),
        "big_file": {"bytes": len(big_data), "files": len(big_files), "tokens": big["tokens"],
                     "distinct_names": big["distinct"], "lines": big["lines"]},
        "bytes_per_token_pct": {p: pct([r["bytes"] / r["tokens"] for r in rows], p) for p in (0, 1, 2, 5, 50, 95)},
        "bytes_per_line_pct": {p: pct([r["bytes"] / r["lines"] for r in rows], p) for p in (0, 1, 2, 5, 50, 95)},
        "bytes_per_name_pct": {p: pct([r["bytes"] / max(r["distinct"], 1) for r in rows], p) for p in (0, 1, 2, 5, 50, 95)},
        "region": region_table(rows, big, [3, 4, 5, 6, 7, 8]),
        "lines": lines_table(rows, big, [8, 10, 12, 14, 16, 18, 20, 24]),
        "pool": pool_table(rows, big, ["fnv1a", "word"], [32, 64, 128, 256], [(1, 2), (2, 3), (3, 4)]),
        "build": time_build(corpus, big_data, args.repeat),
    }
    if args.json:
        json.dump(result, sys.stdout, indent=1, default=str)
        print()
        return 0
    print(f"corpus {result['corpus']}: {result['files']} files, {result['corpus_bytes']} bytes; "
          f"big file: {len(big_data)} bytes from {len(big_files)} files, {big['tokens']} tokens, "
          f"{big['distinct']} distinct names, {big['lines']} lines")
    for key in ("bytes_per_token_pct", "bytes_per_line_pct", "bytes_per_name_pct"):
        print(f"{key}: " + ", ".join(f"p{p}={v:.2f}" for p, v in result[key].items()))
    print("\nREGION_BYTES_PER_TOKEN  files>1chunk  corpus reserved/used  1MB: reserve/source fits")
    for r in result["region"]:
        print(f"  {r['bytes_per_token']:>3}  {r['files_multi_chunk']:>4} ({r['files_multi_chunk_pct']:5.2f}%)  "
              f"{r['corpus_reserved_over_used']:6.2f}  {r['big_file_reserved_over_source']:6.2f} {r['big_file_fits_one_chunk']}")
    print("\nLINES_BYTES_PER_LINE  files realloc  1MB: reserve/source")
    for r in result["lines"]:
        print(f"  {r['bytes_per_line']:>3}  {r['files_realloc']:>4} ({r['files_realloc_pct']:5.2f}%)  "
              f"{r['big_file_reserved_over_source']:6.3f}")
    print("\nhash   B/name load  probes/lookup  files resized  corpus table/source  1MB: capacity resizes peak/source probes/lookup")
    for r in result["pool"]:
        print(f"  {r['hash']:<6} {r['bytes_per_name']:>4} {r['load']:>4}  {r['probes_per_lookup']:8.4f}  "
              f"{r['files_resized_pct']:6.2f}%  {r['corpus_table_bytes_over_source']:7.3f}  "
              f"{r['big_file_capacity']:>7} {r['big_file_resizes']:>2} {r['big_file_peak_table_bytes_over_source']:6.3f} "
              f"{r['big_file_probes_per_lookup']:.4f}")
    b = result["build"]
    print(f"\nbuild in place: corpus lexed in {b['corpus_lex_seconds'] * 1e3:.1f} ms (best of {args.repeat}), "
          f"1 MB file {b['big_file_lex_seconds'] * 1e3:.2f} ms = {b['big_file_mb_per_s']:.1f} MB/s; "
          f"pool probes over the corpus {b['corpus_pool_probes']}; files with >1 chunk {b['files_multi_chunk']}, "
          f"line reallocs {b['files_line_realloc']}, pool resized {b['files_pool_resized']}; "
          f"1 MB file peak {b['big_file_stats']['peak_bytes']} bytes = {b['big_file_peak_over_source']:.2f}x source")
    return 0


if __name__ == "__main__":
    sys.exit(main())
