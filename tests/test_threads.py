"""Threads: tokenize_many keeps input order and equals one-by-one lexing, many threads
lexing at once agree with single-threaded results, the scan releases the GIL, and a
Lexer shared by two threads refuses the second call instead of corrupting either.
"""
import glob
import hashlib
import os
import pathlib
import random
import threading
import time

import pytest

import fastlex

CORPUS = "/usr/lib/ruby/3.1.0"
SAMPLE = os.path.join(os.path.dirname(fastlex.__file__), "samples", "sample.rb")


def corpus_paths():
    """The stdlib corpus's files (the shipped sample if the corpus is absent)."""
    return sorted(glob.glob(os.path.join(CORPUS, "**", "*.rb"), recursive=True)) or [SAMPLE]


def read(path):
    with open(path, "rb") as f:
        return f.read()


def digest(tokens):
    """A fingerprint of everything a result holds: kinds, spans and errors."""
    h = hashlib.sha1()
    for column in (tokens.kinds, tokens.starts, tokens.ends):
        h.update(memoryview(column).tobytes())
    h.update(repr([tuple(e) for e in tokens.errors]).encode())
    return h.hexdigest()


@pytest.fixture(scope="module")
def corpus():
    """(path, bytes, reference digest) for every corpus file, lexed one by one on this thread."""
    out = []
    for p in corpus_paths():
        data = read(p)
        out.append((p, data, digest(fastlex.tokenize(data))))
    return out


@pytest.fixture(scope="module")
def big_source(corpus):
    """About 16 MB of Ruby, long enough to lex that other threads visibly run meanwhile."""
    blob = b"\n".join(data for _, data, _ in corpus)
    return blob * max(1, 16_000_000 // len(blob) + 1)


def test_tokenize_many_order_and_results(corpus, tmp_path):
    """Results come in input order and equal tokenize() of each item, for str, bytes and paths."""
    sample = corpus[:60]
    path = tmp_path / "x.rb"
    path.write_bytes(b"puts <<A\n  hi #{name}\nA\n")
    items = []
    for i, (_, data, _) in enumerate(sample):
        items.append(data if i % 3 else data.decode("utf-8", "surrogateescape"))
    items.insert(7, path)
    results = fastlex.tokenize_many(items, workers=4)
    assert len(results) == len(items)
    for item, result in zip(items, results):
        expected = fastlex.tokenize(read(item) if isinstance(item, os.PathLike) else item)
        assert digest(result) == digest(expected)
        assert [t.string for t in result][:50] == [t.string for t in expected][:50]
    # Results own their memory: they stay valid after the pool is gone and after more calls.
    fastlex.tokenize_many(items[:5], workers=2)
    assert digest(results[0]) == digest(fastlex.tokenize(items[0]))


def test_tokenize_many_arguments():
    """workers=1 runs inline, workers<1 is a ValueError, a bad item a TypeError naming its type."""
    assert [len(t) for t in fastlex.tokenize_many(["a", b"b c"], workers=1)] == [2, 3]
    assert fastlex.tokenize_many([], workers=3) == []
    with pytest.raises(ValueError):
        fastlex.tokenize_many(["a"], workers=0)
    with pytest.raises(TypeError, match="int"):
        fastlex.tokenize_many(["a", 3], workers=2)
    with pytest.raises(fastlex.LexMemoryError):
        fastlex.tokenize_many([b"x " * 1000, b"y"], workers=2, memory_limit=1000)


def test_many_threads_agree_with_one_by_one(corpus):
    """8 threads, each lexing the whole corpus in its own order (a reused Lexer and fresh ones
    alternately), produce exactly the single-threaded results."""
    failures = []
    deadline = time.monotonic() + 120      # a bound, not a timing assertion

    def work(seed):
        lexer = fastlex.Lexer()
        order = list(range(len(corpus)))
        random.Random(seed).shuffle(order)
        for n, i in enumerate(order):
            if time.monotonic() > deadline:
                failures.append((seed, "ran out of time"))
                return
            path, data, expected = corpus[i]
            tokens = lexer.tokenize(data) if n % 2 else fastlex.tokenize(data)
            if digest(tokens) != expected:
                failures.append((seed, path))

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_scan_releases_the_gil(big_source):
    """While one thread lexes a large source, another thread keeps running.

    A ticker thread records a timestamp every half millisecond. If the scan held
    the GIL, the ticker would stall for the whole scan: its largest gap inside the
    call would be most of the call's duration. The check is relative (largest gap
    under half the call), so a slow or busy machine does not make it flaky.
    """
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.0005)

    thread = threading.Thread(target=ticker)
    thread.start()
    try:
        time.sleep(0.05)
        t0 = time.perf_counter()
        tokens = fastlex.tokenize(big_source)
        t1 = time.perf_counter()
    finally:
        stop.set()
        thread.join()
    assert len(tokens) > 1_000_000
    inside = [t0] + [t for t in ticks if t0 < t < t1] + [t1]
    largest_gap = max(b - a for a, b in zip(inside, inside[1:]))
    assert len(inside) > 3 and largest_gap < (t1 - t0) / 2, (len(inside), largest_gap, t1 - t0)


def test_shared_lexer_refuses_concurrent_call(big_source):
    """A Lexer busy in one thread raises RuntimeError in another; neither result is corrupted."""
    lexer = fastlex.Lexer()
    expected = digest(fastlex.tokenize(big_source))
    small = b"x = [1, 2]\n"
    small_expected = digest(fastlex.tokenize(small))
    state = {"busy": False, "refused": 0, "bad": []}

    def lex_big():
        state["busy"] = True
        tokens = lexer.tokenize(big_source)
        state["busy"] = False
        try:
            if digest(tokens) != expected:
                state["bad"].append("big result differs")
        except RuntimeError as e:        # the other thread lexed after this call ended: expiry, not corruption
            assert "since lexed another source" in str(e)

    for _ in range(10):                  # until the other thread has been refused at least once
        worker = threading.Thread(target=lex_big)
        worker.start()
        while not state["busy"] and worker.is_alive():
            time.sleep(0)
        while state["busy"]:
            try:
                tokens = lexer.tokenize(small)
            except RuntimeError as e:
                assert "another thread" in str(e)
                state["refused"] += 1
                time.sleep(0.001)
            else:
                if digest(tokens) != small_expected:
                    state["bad"].append("small result differs")
        worker.join()
        if state["refused"]:
            break
    assert state["bad"] == []
    assert state["refused"] > 0
    # The Lexer is not left marked busy.
    assert digest(lexer.tokenize(small)) == small_expected


def test_tokenize_many_whole_corpus_as_paths_and_sources(corpus):
    """Every corpus file as a path and as bytes, two workers and one: identical to tokenize,
    Token objects (positions, lines, interned names) included for a sample."""
    paths = [pathlib.Path(p) for p, _, _ in corpus]
    for workers in (1, 2):
        for items in (paths, [data for _, data, _ in corpus]):
            results = fastlex.tokenize_many(items, workers=workers)
            assert [digest(r) for r in results] == [d for _, _, d in corpus]
    for r, (_, data, _) in list(zip(results, corpus))[::40]:
        assert list(r) == list(fastlex.tokenize(data))


def test_tokenize_many_large_results_are_handed_over(corpus, big_source):
    """Results past the hand-over size keep the worker's memory (no copy); the worker goes on
    with fresh memory. Large and small items mixed, in every order, stay exact and never
    expire; the worker's later files do not disturb earlier large results."""
    large = big_source[:3_000_000]
    small = [data for _, data, _ in corpus[:30]]
    items = [large, small[0], large.decode("utf-8", "surrogateescape")] + small[1:] + [large, b"", large[:500_000]]
    for workers in (1, 2, 3):
        results = fastlex.tokenize_many(items, workers=workers)
        for item, r in zip(items, results):
            assert digest(r) == digest(fastlex.tokenize(item))
        big = results[0]
        assert big.stats["tokens"] == len(big) > 1 << 16
        assert big[-2].start == fastlex.tokenize(large)[-2].start
        assert list(big.kinds[:100]) == list(results[-3].kinds[:100])


def test_tokenize_many_file_errors(tmp_path):
    """A missing file, a folder, an unreadable file: the OSError open() would raise, naming the
    path, the first in input order; items before it are lexed (no partial results returned)."""
    good = tmp_path / "a.rb"
    good.write_bytes(b"x = 1\n")
    missing = tmp_path / "missing.rb"
    with pytest.raises(FileNotFoundError) as info:
        fastlex.tokenize_many([good] * 50 + [missing] + [good] * 50, workers=2)
    assert info.value.filename == str(missing) and info.value.errno == 2
    with pytest.raises(IsADirectoryError):
        fastlex.tokenize_many([good, tmp_path], workers=1)
    # The first failure in input order wins, whatever the workers finish first.
    for _ in range(5):
        with pytest.raises(FileNotFoundError) as info:
            fastlex.tokenize_many([good] * 200 + [tmp_path / "m1.rb"] + [good] * 200 + [tmp_path / "m2.rb"], workers=2)
        assert info.value.filename.endswith("m1.rb")
    # A non-ASCII file name.
    odd = tmp_path / "caf\u00e9.rb"
    odd.write_bytes(b"y\n")
    r = fastlex.tokenize_many([odd, good], workers=2)
    assert [t.string for t in r[0]] == ["y", "\n", "\n"]    # prism's EOF repeats the last newline


def test_tokenize_many_memory_limit_per_item():
    """memory_limit applies to each item; the first item over it raises, in input order."""
    ok = b"x = 1\n"
    with pytest.raises(fastlex.LexMemoryError) as info:
        fastlex.tokenize_many([ok] * 100 + [b"(" * 300_000] + [ok] * 100, workers=2, memory_limit=500_000)
    assert info.value.phase == "scanner stack"
    assert all(len(r) == 5 for r in fastlex.tokenize_many([ok] * 100, workers=2, memory_limit=500_000))
