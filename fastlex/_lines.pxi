# The newline list: the offset where each line starts.
#
# Built in one memchr pass after the scan. The array's first capacity comes
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
    Py_ssize_t count       # lines in the source (at least 1)
    Py_ssize_t capacity    # entries the array can hold
    size_t reallocs        # growths during this call


cdef inline void lines_init(LineTable* t) noexcept nogil:
    """An empty table with no array."""
    memset(t, 0, sizeof(LineTable))


cdef inline Py_ssize_t lines_estimate(Py_ssize_t source_len) noexcept nogil:
    """First capacity for a source of source_len bytes."""
    cdef Py_ssize_t n = source_len // LINES_BYTES_PER_LINE + LINES_MIN_CAPACITY
    return n


cdef int lines_build(LineTable* t, Budget* b, const uint8_t* src, Py_ssize_t n) noexcept nogil:
    """Fill the table with the line starts of src[0:n]; 0, or -1 if the limit refused growth."""
    cdef Py_ssize_t want = lines_estimate(n)
    cdef void* grown
    t.reallocs = 0
    if t.capacity < want:
        budget_free(b, t.starts, <size_t>t.capacity * sizeof(uint32_t))
        t.starts = NULL
        t.capacity = 0
        t.starts = <uint32_t*>budget_alloc(b, <size_t>want * sizeof(uint32_t), PHASE_LINES)
        if t.starts == NULL:
            return -1
        t.capacity = want
    t.starts[0] = 0
    t.count = 1
    cdef const uint8_t* p = src
    cdef const uint8_t* end = src + n
    cdef const uint8_t* nl
    while p < end:
        nl = <const uint8_t*>memchr(p, 10, <size_t>(end - p))
        if nl == NULL:
            break
        if t.count == t.capacity:
            grown = budget_realloc(b, t.starts, <size_t>t.capacity * sizeof(uint32_t),
                                   <size_t>t.capacity * 2 * sizeof(uint32_t), PHASE_LINES)
            if grown == NULL:
                return -1
            t.starts = <uint32_t*>grown
            t.capacity *= 2
            t.reallocs += 1
        t.starts[t.count] = <uint32_t>(nl - src + 1)
        t.count += 1
        p = nl + 1
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
