# The newline list: the offset where each line starts.
#
# Reserved with the scan, filled on first use (a Token's position, an error's line, line_starts,
# stats): the bulk columns and Arrow never need it, and filling it is about 5% of a lex. Filled
# in one pass, sixty-four bytes a step (_bits.pxi). The array's first capacity comes
# from the source length (LINES_BYTES_PER_LINE, tuned on Ruby's standard
# library so that fewer than 1% of its files need to grow it: README, design);
# the list grows by doubling when a file has more lines than estimated.
# Offset -> (line, column) is a binary search.
# Who owns memory: the LineTable struct owns its array; lines_free releases it.

cdef enum:
    LINES_BYTES_PER_LINE = 16      # source bytes per line estimate (a floor, not a mean)
    LINES_MIN_CAPACITY = 64

cdef struct LineTable:
    uint32_t* starts       # starts[i] = offset of the first byte of line i + 1
    Py_ssize_t count       # lines in the source (at least 1 once filled; 0: not filled yet)
    Py_ssize_t capacity    # entries the array can hold
    size_t reallocs        # growths during this call


cdef inline void lines_init(LineTable* t) noexcept nogil:
    """An empty table with no array."""
    memset(t, 0, sizeof(LineTable))


cdef inline Py_ssize_t lines_estimate(Py_ssize_t source_len) noexcept nogil:
    """First capacity for a source of source_len bytes."""
    cdef Py_ssize_t n = source_len // LINES_BYTES_PER_LINE + LINES_MIN_CAPACITY
    return n


cdef int lines_grow(LineTable* t, Budget* b, Py_ssize_t need) noexcept nogil:
    """Double the array until it holds need entries; 0, or -1 if the limit refused (table unchanged)."""
    cdef Py_ssize_t cap = t.capacity
    cdef void* grown
    while cap < need:
        cap *= 2
    grown = budget_realloc(b, t.starts, <size_t>t.capacity * sizeof(uint32_t), <size_t>cap * sizeof(uint32_t), PHASE_LINES)
    if grown == NULL:
        return -1
    t.starts = <uint32_t*>grown
    t.capacity = cap
    t.reallocs += 1
    return 0


cdef int lines_reserve(LineTable* t, Budget* b, Py_ssize_t n) noexcept nogil:
    """Make room for the estimated line starts of an n-byte source and mark the table unfilled;
    0, or -1 if the limit refused. The pages are not touched until lines_fill."""
    cdef Py_ssize_t want = lines_estimate(n)
    t.count = 0
    t.reallocs = 0
    if t.capacity < want:
        budget_free(b, t.starts, <size_t>t.capacity * sizeof(uint32_t))
        t.starts = NULL
        t.capacity = 0
        t.starts = <uint32_t*>budget_alloc(b, <size_t>want * sizeof(uint32_t), PHASE_LINES)
        if t.starts == NULL:
            return -1
        t.capacity = want
    return 0


cdef int lines_fill(LineTable* t, Budget* b, const uint8_t* src, Py_ssize_t n) noexcept nogil:
    """Fill the table with the line starts of src[0:n] (reserving first if it has no array);
    0, or -1 if the limit refused growth (the table stays unfilled).

    Sixty-four bytes per step: a bit mask of their newlines, then one store per set bit (a
    memchr call per line cost more than the whole scan of the bytes, lines being short). The
    array grows only when a newline finds it full, so reallocs counts real shortfalls."""
    cdef Py_ssize_t i = 0
    cdef Py_ssize_t count = 1
    cdef Py_ssize_t k, need
    cdef uint64_t m
    if t.capacity == 0 and lines_reserve(t, b, n) < 0:
        return -1
    t.starts[0] = 0
    while i < n:
        if i + 64 <= n:
            m = fastlex_byte_mask64(src + i, 10)
        else:
            m = 0                 # the last bytes, one at a time: no load past the end
            for k in range(n - i):
                if src[i + k] == 10:
                    m |= (<uint64_t>1) << k
        if m:
            # (a popcount is a library call on baseline x86-64: only near a full array)
            if count + 64 > t.capacity:
                need = count + fastlex_bit_count(m)
                if need > t.capacity and lines_grow(t, b, need) < 0:
                    return -1
            while m:
                t.starts[count] = <uint32_t>(i + fastlex_lowest_bit(m) + 1)
                count += 1
                m &= m - 1
        i += 64
    t.count = count
    return 0


cdef inline Py_ssize_t lines_find(LineTable* t, uint32_t offset) noexcept nogil:
    """Index (from 0) of the line holding offset: the last line start <= offset."""
    cdef Py_ssize_t lo = 0
    cdef Py_ssize_t hi = t.count - 1
    cdef Py_ssize_t mid
    while lo < hi:
        mid = (lo + hi + 1) >> 1
        if t.starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo


cdef void lines_free(LineTable* t, Budget* b) noexcept nogil:
    """Release the array; the table is empty afterwards."""
    budget_free(b, t.starts, <size_t>t.capacity * sizeof(uint32_t))
    lines_init(t)
