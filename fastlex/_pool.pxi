# The constant pool: one entry per distinct name in the source.
#
# Open addressing with linear probing over a power-of-two table of entries.
# An entry does not copy its name: it records where the name's first
# occurrence lies in the source buffer (which the Tokens object keeps alive),
# so interning a name costs no allocation at all. The table starts at a
# capacity estimated from the source length (POOL_BYTES_PER_NAME) and doubles
# when the load passes POOL_MAX_LOAD_NUM / POOL_MAX_LOAD_DEN; both figures were
# chosen by measurement on Ruby's standard library (README, design).
# The Python layer keeps one str per entry, created on first use.
# Who owns memory: the Pool struct owns its table; pool_free releases it.

cdef enum:
    POOL_MIN_CAPACITY = 64
    POOL_MAX_INITIAL_CAPACITY = 1 << 13   # 192 KiB: the names the scan interns (possible locals) grow slower than the source
    POOL_BYTES_PER_NAME = 128         # source bytes per distinct name estimate
    POOL_MAX_LOAD_NUM = 2             # grow when count > capacity * 2/3
    POOL_MAX_LOAD_DEN = 3

cdef struct PoolEntry:
    uint64_t tail         # the name's last word as pool_hash read it: with length, the whole of a name of <= 8 bytes
    uint32_t start        # offset of the name's first occurrence in the source
    uint32_t length       # bytes in the name; 0 marks an empty slot (names are never empty)
    uint32_t flags        # the scanner's: the scope in which the name is a local variable (0: none)
    uint32_t id           # the entry's number in insertion order (0 .. count-1), stable across growth

cdef struct Pool:
    PoolEntry* slots
    uint32_t capacity     # power of two, or 0 before the first use
    uint32_t count        # entries in use
    uint32_t resizes      # table growths during this call
    uint64_t probes       # slots inspected beyond the first, during this call
    uint32_t max_probe    # longest probe sequence during this call
    const uint8_t* base   # the source the entries point into


cdef inline uint64_t pool_mix(uint64_t h, uint64_t w) noexcept nogil:
    """One step of pool_hash: xor a word in, multiply, fold the high half down."""
    h = (h ^ w) * <uint64_t>0x9E3779B97F4A7C15ULL
    return h ^ (h >> 32)


cdef inline uint64_t pool_short_word(const uint8_t* p, uint32_t n) noexcept nogil:
    """The bytes of p[0:n] (n <= 8) as one word, reading only inside them: two overlapping
    halves from 4 to 8 bytes, bytes 0, n/2 and n-1 below 4. With n, it tells such names apart."""
    cdef uint32_t lo, hi
    if n >= 4:
        memcpy(&lo, p, 4)
        memcpy(&hi, p + n - 4, 4)
        return <uint64_t>lo | (<uint64_t>hi << 32)
    if n > 0:
        return (<uint64_t>p[0] << 16) | (<uint64_t>p[n >> 1] << 8) | <uint64_t>p[n - 1]
    return 0


cdef inline uint32_t pool_hash(const uint8_t* p, uint32_t n, uint64_t* tail) noexcept nogil:
    """A word-at-a-time hash of the name's bytes (tail[0]: the last word mixed in).

    Eight bytes per multiply, and the last 1..8 bytes as overlapping loads
    inside the name, so it never reads past it. It replaced FNV-1a (one
    multiply per byte, a serial chain): same probe counts on Ruby's standard
    library, faster lexing (bench/calibrate.py, PERFORMANCE.md). The last
    word is pool_short_word of the last 1..8 bytes, so for a name of at most
    8 bytes tail and length alone tell it apart: the pool compares them
    without reading the source."""
    cdef uint64_t h = <uint64_t>n * <uint64_t>0xD6E8FEB86659FD93ULL
    cdef uint64_t w = 0
    while n > 8:
        memcpy(&w, p, 8)
        h = pool_mix(h, w)
        p += 8
        n -= 8
    w = pool_short_word(p, n)
    h = pool_mix(h, w)
    tail[0] = w
    return <uint32_t>((h * <uint64_t>0xD6E8FEB86659FD93ULL) >> 32)


cdef inline void pool_init(Pool* pool) noexcept nogil:
    """An empty pool with no table."""
    memset(pool, 0, sizeof(Pool))


cdef int pool_prepare(Pool* pool, Budget* b, const uint8_t* base, Py_ssize_t source_len) noexcept nogil:
    """Start a new source: empty the table (kept if big enough) sized for source_len; 0 or -1."""
    cdef size_t want = POOL_MIN_CAPACITY
    cdef size_t need = <size_t>(source_len // POOL_BYTES_PER_NAME) * POOL_MAX_LOAD_DEN // POOL_MAX_LOAD_NUM
    while want < need and want < POOL_MAX_INITIAL_CAPACITY:
        want <<= 1
    pool.base = base
    pool.count = 0
    pool.resizes = 0
    pool.probes = 0
    pool.max_probe = 0
    if pool.capacity < want:
        budget_free(b, pool.slots, <size_t>pool.capacity * sizeof(PoolEntry))
        pool.slots = NULL
        pool.capacity = 0
        pool.slots = <PoolEntry*>budget_alloc(b, want * sizeof(PoolEntry), PHASE_POOL)
        if pool.slots == NULL:
            return -1
        pool.capacity = <uint32_t>want
    memset(pool.slots, 0, <size_t>pool.capacity * sizeof(PoolEntry))
    return 0


cdef int pool_grow(Pool* pool, Budget* b) noexcept nogil:
    """Double the table and re-place every entry; 0 or -1 (table unchanged)."""
    cdef uint32_t newcap = pool.capacity * 2
    cdef PoolEntry* fresh = <PoolEntry*>budget_alloc(b, <size_t>newcap * sizeof(PoolEntry), PHASE_POOL)
    if fresh == NULL:
        return -1
    memset(fresh, 0, <size_t>newcap * sizeof(PoolEntry))
    cdef uint32_t mask = newcap - 1
    cdef uint32_t i, j
    cdef uint64_t tail
    cdef PoolEntry* e
    for i in range(pool.capacity):
        e = &pool.slots[i]
        if e.length != 0:
            # Entries keep no hash (24 bytes, not 32): growth, rare, hashes the name again.
            j = pool_hash(pool.base + e.start, e.length, &tail) & mask
            while fresh[j].length != 0:
                j = (j + 1) & mask
            fresh[j] = e[0]
    budget_free(b, pool.slots, <size_t>pool.capacity * sizeof(PoolEntry))
    pool.slots = fresh
    pool.capacity = newcap
    pool.resizes += 1
    return 0


cdef inline bint names_equal(const uint8_t* a, const uint8_t* b, uint32_t n) noexcept nogil:
    """True if a[0:n] == b[0:n]; eight bytes at a time, inline (names are short: a libc call costs more)."""
    cdef uint64_t x, y
    cdef uint32_t lo_a, lo_b, hi_a, hi_b
    while n > 8:
        memcpy(&x, a, 8)
        memcpy(&y, b, 8)
        if x != y:
            return False
        a += 8
        b += 8
        n -= 8
    if n >= 4:
        memcpy(&lo_a, a, 4)
        memcpy(&lo_b, b, 4)
        memcpy(&hi_a, a + n - 4, 4)
        memcpy(&hi_b, b + n - 4, 4)
        return lo_a == lo_b and hi_a == hi_b
    while n > 0:
        n -= 1
        if a[n] != b[n]:
            return False
    return True


cdef inline int64_t pool_find_slot(Pool* pool, const uint8_t* p, uint32_t n, uint32_t h, uint64_t tail) noexcept nogil:
    """Slot holding the name, or the empty slot where it would go (never -1 while load < 1).
    A name of at most 8 bytes is matched on (tail, length) alone; a longer one also compares
    its bytes with the first occurrence's."""
    cdef uint32_t mask = pool.capacity - 1
    cdef uint32_t j = h & mask
    cdef uint32_t probe = 0
    cdef PoolEntry* e
    while True:
        e = &pool.slots[j]
        if e.length == 0:
            break
        if e.tail == tail and e.length == n and (n <= 8 or names_equal(pool.base + e.start, p, n)):
            break
        j = (j + 1) & mask
        probe += 1
    pool.probes += probe
    if probe > pool.max_probe:
        pool.max_probe = probe
    return j


cdef inline int64_t pool_intern(Pool* pool, Budget* b, uint32_t start, uint32_t n) noexcept nogil:
    """Slot of the name at base[start:start+n] (n > 0), inserting it if new; -1 if the limit refused growth."""
    cdef const uint8_t* p = pool.base + start
    cdef uint64_t tail
    cdef uint32_t h = pool_hash(p, n, &tail)
    cdef int64_t j = pool_find_slot(pool, p, n, h, tail)
    cdef PoolEntry* e = &pool.slots[j]
    if e.length != 0:
        return j
    if (<uint64_t>pool.count + 1) * POOL_MAX_LOAD_DEN > <uint64_t>pool.capacity * POOL_MAX_LOAD_NUM:
        if pool_grow(pool, b) < 0:
            return -1
        j = pool_find_slot(pool, p, n, h, tail)
        e = &pool.slots[j]
    e.tail = tail
    e.start = start
    e.length = n
    e.flags = 0
    e.id = pool.count
    pool.count += 1
    return j


cdef void pool_free(Pool* pool, Budget* b) noexcept nogil:
    """Release the table; the pool is empty afterwards."""
    budget_free(b, pool.slots, <size_t>pool.capacity * sizeof(PoolEntry))
    pool_init(pool)
