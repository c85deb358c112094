# The token region: a chunked arena of compact token records.
#
# Records are 12 bytes (start, end, kind, flags). The first chunk is sized from
# the source length (REGION_BYTES_PER_TOKEN, calibrated on Ruby's standard
# library); each further chunk doubles the previous one up to REGION_CHUNK_MAX
# records. Chunks never move once written, so a record's address is stable for
# the region's life. region_reset keeps every chunk for the next source, so a
# reused Lexer allocates nothing once its chunks are big enough.
# The scanner writes through a cursor (next, limit) into the current chunk;
# used[] and count catch up in region_flush, when the chunk changes and when
# the scan ends.
# Who owns memory: the Region struct owns its chunks; region_free releases them.
#
# For measurement only, a region can run in per-token mode (Lexer(region=False)):
# every record is its own malloc and an array of pointers indexes them, the way
# a lexer without an arena allocates. Same scanner, same records; bench shows
# the difference.


cdef enum:
    REGION_MAX_CHUNKS = 48
    REGION_CHUNK_MIN = 256                # records in the smallest chunk
    REGION_CHUNK_MAX = 1 << 24            # records in the largest chunk (192 MiB)
    REGION_BYTES_PER_TOKEN = 4            # source bytes per token estimate (see README, design)

cdef packed struct TokenRecord:
    uint32_t start      # byte offset of the first byte
    uint32_t end        # byte offset one past the last byte
    uint16_t kind       # a TokenKind
    uint16_t flags      # the scanner's: a name's pool entry number + 1 (0: none, or too many names)

cdef struct Region:
    TokenRecord* chunks[REGION_MAX_CHUNKS]
    uint32_t caps[REGION_MAX_CHUNKS]      # records each chunk can hold
    uint32_t used[REGION_MAX_CHUNKS]      # records written in each chunk
    int nchunks                           # chunks allocated (kept across resets)
    int current                           # chunk being written
    TokenRecord* next                     # where the next record goes in the current chunk
    TokenRecord* limit                    # end of the current chunk (next == limit: full; NULL: none)
    Py_ssize_t count                      # records written since the last reset (as of region_flush)
    size_t chunk_mallocs                  # chunks allocated during this call
    bint per_token                        # measurement mode: one malloc per record
    TokenRecord** singles                 # per-token mode: the records, in order
    size_t singles_cap                    # per-token mode: pointers the array can hold


cdef inline void region_init(Region* r) noexcept nogil:
    """An empty region: no chunks, nothing written."""
    memset(r, 0, sizeof(Region))


cdef void region_free_singles(Region* r, Budget* b) noexcept nogil:
    """Per-token mode: free every record and the pointer array."""
    cdef Py_ssize_t i
    if r.singles != NULL:
        for i in range(r.count):
            budget_free(b, r.singles[i], sizeof(TokenRecord))
        budget_free(b, r.singles, r.singles_cap * sizeof(TokenRecord*))
    r.singles = NULL
    r.singles_cap = 0


cdef inline void region_reset(Region* r, Budget* b) noexcept nogil:
    """Forget all records but keep the chunks for reuse (per-token mode frees its records)."""
    cdef int i
    if r.per_token:
        region_free_singles(r, b)
    for i in range(r.nchunks):
        r.used[i] = 0
    r.current = 0
    r.count = 0
    r.chunk_mallocs = 0
    region_point(r)


cdef inline void region_point(Region* r) noexcept nogil:
    """Aim the write cursor at the free part of the current chunk (nowhere in per-token mode)."""
    if r.per_token or r.nchunks == 0:
        r.next = NULL
        r.limit = NULL
        return
    r.next = r.chunks[r.current] + r.used[r.current]
    r.limit = r.chunks[r.current] + r.caps[r.current]


cdef inline void region_flush(Region* r) noexcept nogil:
    """Bring used[current] and count up to date with the write cursor (no-op in per-token mode)."""
    if r.next == NULL:
        return
    r.count += (r.next - r.chunks[r.current]) - r.used[r.current]
    r.used[r.current] = <uint32_t>(r.next - r.chunks[r.current])


cdef inline size_t region_estimate(Py_ssize_t source_len) noexcept nogil:
    """Records for the first chunk of a source of source_len bytes."""
    cdef size_t n = <size_t>(source_len // REGION_BYTES_PER_TOKEN) + 16
    if n < REGION_CHUNK_MIN:
        n = REGION_CHUNK_MIN
    if n > REGION_CHUNK_MAX:
        n = REGION_CHUNK_MAX
    return n


cdef int region_add_chunk(Region* r, Budget* b, size_t want) noexcept nogil:
    """Allocate one more chunk of about want records (bounded); 0, or -1 with the failure in b."""
    if r.nchunks >= REGION_MAX_CHUNKS:
        budget_allows(b, <size_t>-1 // 2, PHASE_REGION)
        if b.failed_phase == PHASE_NONE:
            b.failed_phase = PHASE_REGION
        return -1
    if want < REGION_CHUNK_MIN:
        want = REGION_CHUNK_MIN
    if want > REGION_CHUNK_MAX:
        want = REGION_CHUNK_MAX
    cdef TokenRecord* p = <TokenRecord*>budget_alloc(b, want * sizeof(TokenRecord), PHASE_REGION)
    if p == NULL:
        return -1
    r.chunks[r.nchunks] = p
    r.caps[r.nchunks] = <uint32_t>want
    r.used[r.nchunks] = 0
    r.nchunks += 1
    r.chunk_mallocs += 1
    return 0


cdef inline int region_prepare(Region* r, Budget* b, Py_ssize_t source_len) noexcept nogil:
    """Make sure a first chunk exists (sized for source_len); 0 or -1."""
    if r.per_token:
        return 0
    if r.nchunks == 0:
        if region_add_chunk(r, b, region_estimate(source_len)) < 0:
            return -1
    region_point(r)
    return 0


cdef int region_next_chunk(Region* r, Budget* b) noexcept nogil:
    """Move writing to the next chunk, allocating it (twice the last) if needed; 0 or -1."""
    if r.current + 1 < r.nchunks:
        r.current += 1
        r.used[r.current] = 0
        return 0
    if region_add_chunk(r, b, <size_t>r.caps[r.nchunks - 1] * 2) < 0:
        return -1
    r.current = r.nchunks - 1
    return 0


cdef int region_push_single(Region* r, Budget* b, uint32_t start, uint32_t end, int kind, int flags) noexcept nogil:
    """Per-token mode: malloc one record and index it; 0 or -1."""
    cdef void* grown
    cdef size_t cap
    if <size_t>r.count == r.singles_cap:
        cap = r.singles_cap * 2 if r.singles_cap else 64
        grown = budget_realloc(b, r.singles, r.singles_cap * sizeof(TokenRecord*), cap * sizeof(TokenRecord*), PHASE_REGION)
        if grown == NULL:
            return -1
        r.singles = <TokenRecord**>grown
        r.singles_cap = cap
    cdef TokenRecord* rec = <TokenRecord*>budget_alloc(b, sizeof(TokenRecord), PHASE_REGION)
    if rec == NULL:
        return -1
    rec.start = start
    rec.end = end
    rec.kind = <uint16_t>kind
    rec.flags = <uint16_t>flags
    r.singles[r.count] = rec
    r.count += 1
    r.chunk_mallocs += 1
    return 0


cdef int region_push(Region* r, Budget* b, uint32_t start, uint32_t end, int kind, int flags) noexcept nogil:
    """Append one record (the slow path: the scanner's emit writes through the cursor itself
    while the current chunk has room); 0, or -1 if the limit refused a new chunk."""
    if r.per_token:
        return region_push_single(r, b, start, end, kind, flags)
    region_flush(r)
    if r.next == NULL or r.next >= r.limit:
        if region_next_chunk(r, b) < 0:
            return -1
        region_point(r)
    cdef TokenRecord* rec = r.next
    rec.start = start
    rec.end = end
    rec.kind = <uint16_t>kind
    rec.flags = <uint16_t>flags
    r.next = rec + 1
    return 0


cdef inline TokenRecord* region_at(Region* r, Py_ssize_t i) noexcept nogil:
    """Record i (0 <= i < count) in write order."""
    if r.per_token:
        return r.singles[i]
    cdef int c = 0
    while i >= r.used[c]:
        i -= r.used[c]
        c += 1
    return &r.chunks[c][i]


cdef inline size_t region_bytes_reserved(Region* r) noexcept nogil:
    """Bytes held by all chunks (per-token mode: the records and their index)."""
    cdef size_t total = 0
    cdef int i
    if r.per_token:
        return <size_t>r.count * sizeof(TokenRecord) + r.singles_cap * sizeof(TokenRecord*)
    for i in range(r.nchunks):
        total += <size_t>r.caps[i] * sizeof(TokenRecord)
    return total


cdef inline int region_chunks_used(Region* r) noexcept nogil:
    """Chunks holding at least one record of the current source."""
    if r.per_token:
        return 0
    return r.current + 1 if r.count > 0 else 0


cdef void region_free(Region* r, Budget* b) noexcept nogil:
    """Release every chunk; the region is empty afterwards (its mode is kept)."""
    cdef int i
    cdef bint per_token = r.per_token
    region_free_singles(r, b)
    for i in range(r.nchunks):
        budget_free(b, r.chunks[i], <size_t>r.caps[i] * sizeof(TokenRecord))
    region_init(r)
    r.per_token = per_token
