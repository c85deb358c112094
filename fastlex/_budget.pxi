# Allocation accounting shared by every unit of the core (region, pool, lines, stacks).
#
# Every byte the core reserves goes through budget_alloc / budget_realloc, which
# count calls and bytes and refuse to go past the caller's memory limit. A
# refusal is not an exception here (this code runs without the GIL): the
# budget records the phase and the request, and the caller unwinds; the Python
# layer turns that record into LexMemoryError.

cdef enum Phase:
    PHASE_NONE = 0
    PHASE_REGION = 1
    PHASE_POOL = 2
    PHASE_LINES = 3
    PHASE_STACK = 4
    PHASE_ERRORS = 5

cdef struct Budget:
    size_t limit            # bytes the core may hold at once; 0 means no limit
    size_t reserved         # bytes held now by all units together
    size_t peak             # highest value of reserved during this call
    size_t mallocs          # malloc/realloc calls made during this call
    int failed_phase        # PHASE_NONE, or the unit that hit the limit
    size_t failed_request   # bytes that unit asked for when it was refused


cdef inline void budget_start_call(Budget* b, size_t limit) noexcept nogil:
    """Begin a tokenize call: new limit, counters for this call at zero (holdings kept)."""
    b.limit = limit
    b.peak = b.reserved
    b.mallocs = 0
    b.failed_phase = PHASE_NONE
    b.failed_request = 0


cdef inline bint budget_allows(Budget* b, size_t extra, int phase) noexcept nogil:
    """True if extra more bytes fit under the limit; otherwise records the failure."""
    if b.limit != 0 and b.reserved + extra > b.limit:
        if b.failed_phase == PHASE_NONE:
            b.failed_phase = phase
            b.failed_request = extra
        return False
    return True


cdef inline void* budget_alloc(Budget* b, size_t nbytes, int phase) noexcept nogil:
    """malloc under the limit: the block, or NULL with the failure recorded."""
    if not budget_allows(b, nbytes, phase):
        return NULL
    cdef void* p = malloc(nbytes if nbytes else 1)
    b.mallocs += 1
    if p == NULL:
        if b.failed_phase == PHASE_NONE:
            b.failed_phase = phase
            b.failed_request = nbytes
        return NULL
    b.reserved += nbytes
    if b.reserved > b.peak:
        b.peak = b.reserved
    return p


cdef inline void* budget_realloc(Budget* b, void* old, size_t old_bytes, size_t new_bytes, int phase) noexcept nogil:
    """realloc under the limit: the moved block, or NULL (old block untouched) with the failure recorded."""
    if new_bytes > old_bytes and not budget_allows(b, new_bytes - old_bytes, phase):
        return NULL
    cdef void* p = realloc(old, new_bytes if new_bytes else 1)
    b.mallocs += 1
    if p == NULL:
        if b.failed_phase == PHASE_NONE:
            b.failed_phase = phase
            b.failed_request = new_bytes
        return NULL
    b.reserved = b.reserved - old_bytes + new_bytes
    if b.reserved > b.peak:
        b.peak = b.reserved
    return p


cdef inline void budget_free(Budget* b, void* p, size_t nbytes) noexcept nogil:
    """free a block obtained from this budget (NULL is fine)."""
    if p != NULL:
        free(p)
        b.reserved -= nbytes
