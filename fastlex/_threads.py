"""fastlex.tokenize_many: lexing many sources on worker threads.

Each worker thread keeps one Lexer for all its items (its chunks, pool and newline list stay
warm: no fresh memory to first-touch per file) and copies every result out into one exactly
sized block per file, so results never expire. Workers take the items in batches from a shared
counter, a few steps per batch instead of a future per file, and a long file does not hold up
the others. A batch releases the GIL once (``Lexer._tokenize_owned_many``): its files are read,
lexed and copied out without it, so the threads wait on each other only for the little Python
work per file (a Source, a Tokens).
"""
import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from fastlex._core import Lexer, grammar_info


def _check_item(item):
    """TypeError unless item is str, bytes or os.PathLike."""
    if not isinstance(item, (str, bytes, os.PathLike)):
        raise TypeError(f"tokenize_many() items must be str, bytes or os.PathLike, not {type(item).__name__}")


_pools = {}
_pools_lock = threading.Lock()


def _pool(workers):
    """The process's thread pool of that many workers, made on first use and kept: the same
    threads serve every call, so their malloc arenas (where results are allocated) are reused
    instead of new threads spreading results over fresh ones, and no thread starts per call."""
    with _pools_lock:
        pool = _pools.get(workers)
        if pool is None:
            pool = _pools[workers] = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fastlex")
        return pool


def batch_size(count, workers):
    """Items a worker takes at a time: about 8 batches per worker (balance), at most 64."""
    return max(1, min(64, count // (workers * 8)))


def tokenize_many(items, *, language="ruby", workers=None, memory_limit=None):
    """Tokens for each item, in input order; the lexing runs on ``workers`` threads (default:
    the CPU count). The first failure in input order is raised once every worker has stopped."""
    grammar_info(language)              # TypeError / ValueError before any work
    items = list(items)
    for item in items:
        _check_item(item)
    if workers is None:
        workers = os.cpu_count() or 1
    if isinstance(workers, bool) or not isinstance(workers, int):
        raise TypeError(f"workers must be an int or None, not {type(workers).__name__}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    count = len(items)
    workers = max(1, min(workers, count))
    results = [None] * count
    failures = {}                       # index -> exception
    step = batch_size(count, workers)
    batches = itertools.count()         # next() on it is atomic under the GIL
    stop = threading.Event()

    def work():
        lexer = Lexer(language=language)
        while not stop.is_set():
            lo = next(batches) * step
            if lo >= count:
                return
            # One batch: files read, lexed and copied out with the GIL released once. A batch
            # is finished even after a failure elsewhere, so every item before the first
            # failing one is done and the failure raised is the first in input order.
            done, error = lexer._tokenize_owned_many(items[lo:lo + step], memory_limit)
            results[lo:lo + len(done)] = done
            if error is not None:
                failures[lo + len(done)] = error
                stop.set()
                return

    if workers == 1:
        work()
    else:
        pool = _pool(workers)
        for future in [pool.submit(work) for _ in range(workers)]:
            future.result()
    if failures:
        raise failures[min(failures)]
    return results
