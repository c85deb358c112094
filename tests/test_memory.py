"""The memory limit: LexMemoryError for every phase that can hit it, a message naming
the phase, the bytes in use and the limit, a Lexer that works afterwards, and no
memory kept or leaked by failing calls.
"""
import glob
import os
import resource

import pytest

import fastlex
from lexcheck import columns

CORPUS = "/usr/lib/ruby/3.1.0"

# (phase as LexMemoryError.phase names it, source, limit) that hit that phase first.
PHASE_CASES = [
    ("region (token records)", b"x " * 1000, 1000),
    ("scanner stack", b"(" * 200_000, 2_000_000),                  # open brackets
    ("scanner stack", b'"#{' * 100_000, 2_000_000),                 # open interpolations
    ("scanner stack", b"<<A " * 100_000, 2_000_000),                # pending heredocs
    ("error list", b" \r" * 20_000, 150_000),                       # lone CRs: errors, no tokens
    ("newline list", b'"' + b"\n" * 100_000 + b'"', 400_000),        # more lines than estimated (in one token)
    ("constant pool", " ".join(f"n{i}" for i in range(100_000)).encode(), 2_750_000),  # distinct names
]


def rss_bytes():
    """Resident set size of this process now (Linux /proc), else the peak so far."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def megabyte_of_ruby():
    """About 1 MB of real Ruby: stdlib files concatenated (the shipped sample if the corpus is absent)."""
    paths = sorted(glob.glob(os.path.join(CORPUS, "**", "*.rb"), recursive=True))
    if not paths:
        paths = [os.path.join(os.path.dirname(fastlex.__file__), "samples", "sample.rb")]
    out = bytearray()
    while len(out) < 1_000_000:
        for p in paths:
            with open(p, "rb") as f:
                out += f.read() + b"\n"
            if len(out) >= 1_000_000:
                break
    return bytes(out)


def test_is_a_memory_error():
    """LexMemoryError is a MemoryError, so generic handlers catch it."""
    assert issubclass(fastlex.LexMemoryError, MemoryError)
    with pytest.raises(MemoryError):
        fastlex.tokenize(b"x " * 1000, memory_limit=1000)


@pytest.mark.parametrize("phase,src,limit", PHASE_CASES, ids=[c[0] + "-" + str(i) for i, c in enumerate(PHASE_CASES)])
def test_phase_named_with_used_and_limit(phase, src, limit):
    """The error names its phase, the bytes in use and the limit, in the message and as attributes."""
    with pytest.raises(fastlex.LexMemoryError) as info:
        fastlex.tokenize(src, memory_limit=limit)
    e = info.value
    assert e.phase == phase
    assert e.limit == limit
    assert 0 <= e.used <= limit and e.used + e.requested > limit
    msg = str(e)
    assert phase in msg and f"{e.used} bytes in use" in msg and f"limit {limit} bytes" in msg


@pytest.mark.parametrize("phase,src,limit", PHASE_CASES, ids=[c[0] + "-" + str(i) for i, c in enumerate(PHASE_CASES)])
def test_lexer_works_after_failure(phase, src, limit):
    """After LexMemoryError the same Lexer lexes (that source and another) exactly like a fresh one."""
    lexer = fastlex.Lexer()
    with pytest.raises(fastlex.LexMemoryError):
        lexer.tokenize(src, memory_limit=limit)
    assert columns(lexer.tokenize(src)) == columns(fastlex.tokenize(src))
    other = b"def f(a)\n  a + 1\nend\n"
    assert columns(lexer.tokenize(other)) == columns(fastlex.tokenize(other))
    assert len(lexer.tokenize(other).errors) == 0


def test_lexer_limit_and_call_limit():
    """A Lexer's own limit applies to every call; a call's limit overrides it for that call."""
    lexer = fastlex.Lexer(memory_limit=1000)
    with pytest.raises(fastlex.LexMemoryError):
        lexer.tokenize(b"x " * 1000)
    assert len(lexer.tokenize(b"x " * 1000, memory_limit=10_000_000)) == 1001
    with pytest.raises(fastlex.LexMemoryError):
        lexer.tokenize(b"x " * 1000)


def test_held_memory_is_released_to_fit_a_smaller_limit():
    """A Lexer holding memory from a big source frees it when a later call's limit is smaller."""
    lexer = fastlex.Lexer()
    lexer.tokenize(b"x " * 200_000)
    assert lexer.bytes_reserved > 100_000
    tokens = lexer.tokenize(b"x = 1\n", memory_limit=50_000)
    assert len(tokens) == 5 and lexer.bytes_reserved <= 50_000


def test_megabyte_file_with_small_limit():
    """A 1 MB real file with memory_limit=100_000: LexMemoryError, then the Lexer lexes it unlimited."""
    src = megabyte_of_ruby()
    assert len(src) >= 1_000_000
    lexer = fastlex.Lexer()
    with pytest.raises(fastlex.LexMemoryError) as info:
        lexer.tokenize(src, memory_limit=100_000)
    assert info.value.limit == 100_000 and "100000" in str(info.value)
    assert lexer.bytes_reserved <= 100_000
    tokens = lexer.tokenize(src)
    assert columns(tokens) == columns(fastlex.tokenize(src))
    assert tokens.stats["peak_bytes"] > 100_000


def test_failing_calls_leak_nothing():
    """Many failing calls (every phase, one Lexer and fresh ones) keep bytes_reserved and RSS bounded."""
    lexer = fastlex.Lexer()

    def round_of_failures():
        for _, src, limit in PHASE_CASES:
            with pytest.raises(fastlex.LexMemoryError):
                lexer.tokenize(src, memory_limit=limit)
            assert lexer.bytes_reserved <= limit
            with pytest.raises(fastlex.LexMemoryError):
                fastlex.tokenize(src, memory_limit=limit)

    for _ in range(3):          # warm-up: allocator pools, interned strings, code paths
        round_of_failures()
    before = rss_bytes()
    reserved = []
    for _ in range(40):
        round_of_failures()
        reserved.append(lexer.bytes_reserved)
    grown = rss_bytes() - before
    # 40 rounds x 7 phases x 2 calls, each failing after reserving up to 2.7 MB: a leak of
    # the failed call's memory would grow RSS by hundreds of MB. Allow 32 MB of allocator noise.
    assert grown < 32 * 1024 * 1024, f"RSS grew by {grown} bytes over 560 failing calls"
    assert max(reserved) <= max(limit for _, _, limit in PHASE_CASES)
