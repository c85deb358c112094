# The token region: a chunked arena of compact token records.
#
# A record is 10 bytes: start and end offsets (uint32) and a kind (uint16), stored as three
# parallel arrays per chunk (all starts, then all ends, then all kinds, in one malloc), so each
# of the Python layer's kinds/starts/ends columns is a plain contiguous array it can export
# without a copy. The first chunk is sized from the source length (REGION_BYTES_PER_TOKEN,
# calibrated on Ruby's standard library); each further chunk doubles the previous one up to
# REGION_CHUNK_MAX records. Chunks never move once written, so a record's place is stable for
# the region's life. region_reset keeps every chunk for the next source, so a reused Lexer
# allocates nothing once its chunks are big enough.
# The scanner writes through a cursor (the current chunk's base, next, limit); used[]
# and count catch up in region_flush, when the chunk changes and when the scan ends.
# Who owns memory: the Region struct owns its chunks; region_free releases them.
#
# For measurement only, a region can run in per-token mode (Lexer(region=False)):
# every record is its own malloc and an array of pointers indexes them, the way
# a lexer without an arena allocates. Same scanner, same records; bench shows
# the difference.


cdef enum:
    REGION_MAX_CHUNKS = 48
    REGION_CHUNK_MIN = 256                # records in the smallest chunk
    REGION_CHUNK_MAX = 1 << 24            # records in the largest chunk (160 MiB)
    REGION_BYTES_PER_TOKEN = 3            # source bytes per token estimate (see README, design)
    REGION_RECORD_BYTES = 10              # bytes a record takes in a chunk: start, end, kind

cdef packed struct TokenRecord:           # one record, as region_get returns it (and per-token mode stores it)
    uint32_t start      # byte offset of the first byte
    uint32_t end        # byte offset one past the last byte
    uint16_t kind       # a TokenKind

cdef enum RecordField:                    # a column of the records
    FIELD_START = 0
    FIELD_END = 1
    FIELD_KIND = 2

cdef struct Region:
    uint32_t* chunks[REGION_MAX_CHUNKS]   # chunk i: caps[i] starts, caps[i] ends, caps[i] kinds (uint16)
    uint32_t caps[REGION_MAX_CHUNKS]      # records each chunk can hold
    uint32_t used[REGION_MAX_CHUNKS]      # records written in each chunk
    int nchunks                           # chunks allocated (kept across resets)
    int current                           # chunk being written
    uint32_t* base                        # the current chunk (NULL: none); its arrays as chunk_* say
    uint32_t next                         # index of the next record in the current chunk
    uint32_t limit                        # records the current chunk holds (next == limit: full; 0: none)
    Py_ssize_t count                      # records written since the last reset (as of region_flush)
    size_t chunk_mallocs                  # chunks allocated during this call
    bint per_token                        # measurement mode: one malloc per record
    TokenRecord** singles                 # per-token mode: the records, in order
    size_t singles_cap                    # per-token mode: pointers the array can hold


cdef inline uint32_t* chunk_starts(Region* r, int c) noexcept nogil:
    """Chunk c's array of start offsets."""
    return r.chunks[c]


cdef inline uint32_t* chunk_ends(Region* r, int c) noexcept nogil:
    """Chunk c's array of end offsets."""
    return r.chunks[c] + r.caps[c]


cdef inline uint16_t* chunk_kinds(Region* r, int c) noexcept nogil:
    """Chunk c's array of kinds."""
    return <uint16_t*>(r.chunks[c] + 2 * <size_t>r.caps[c])


cdef inline char* chunk_field(Region* r, int c, int field) noexcept nogil:
    """Chunk c's array of one field (a RecordField)."""
    if field == FIELD_START:
        return <char*>chunk_starts(r, c)
    if field == FIELD_END:
        return <char*>chunk_ends(r, c)
    return <char*>chunk_kinds(r, c)


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
        r.base = NULL
        r.next = 0
        r.limit = 0
        return
    r.base = r.chunks[r.current]
    r.next = r.used[r.current]
    r.limit = r.caps[r.current]


cdef inline void region_flush(Region* r) noexcept nogil:
    """Bring used[current] and count up to date with the write cursor (no-op in per-token mode)."""
    if r.base == NULL:
        return
    r.count += r.next - r.used[r.current]
    r.used[r.current] = r.next


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
    cdef uint32_t* p = <uint32_t*>budget_alloc(b, want * REGION_RECORD_BYTES, PHASE_REGION)
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


cdef int region_push_single(Region* r, Budget* b, uint32_t start, uint32_t end, int kind) noexcept nogil:
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
    r.singles[r.count] = rec
    r.count += 1
    r.chunk_mallocs += 1
    return 0


cdef inline void region_write(uint32_t* base, size_t cap, uint32_t k, uint32_t start, uint32_t end,
                              int kind) noexcept nogil:
    """Store record k (k < cap) of the chunk at base holding cap records: its three fields.
    (The scanner's emit calls this for every token, with base and cap already in registers.)"""
    base[k] = start
    base[cap + k] = end
    (<uint16_t*>(base + 2 * cap))[k] = <uint16_t>kind


cdef int region_push(Region* r, Budget* b, uint32_t start, uint32_t end, int kind) noexcept nogil:
    """Append one record (the slow path: the scanner's emit writes through the cursor itself
    while the current chunk has room); 0, or -1 if the limit refused a new chunk."""
    if r.per_token:
        return region_push_single(r, b, start, end, kind)
    region_flush(r)
    if r.base == NULL or r.next >= r.limit:
        if region_next_chunk(r, b) < 0:
            return -1
        region_point(r)
    region_write(r.base, r.limit, r.next, start, end, kind)
    r.next += 1
    return 0


cdef inline uint16_t* region_last_kind(Region* r) noexcept nogil:
    """The kind field of the record written last (records never move, so it may be changed
    later: the scanner settles a newline's kind after the heredoc bodies that follow it)."""
    if r.per_token:
        return &r.singles[r.count - 1].kind
    return chunk_kinds(r, r.current) + r.next - 1


cdef inline TokenRecord region_get(Region* r, Py_ssize_t i) noexcept nogil:
    """A copy of record i (0 <= i < count, in write order)."""
    cdef TokenRecord rec
    if r.per_token:
        return r.singles[i][0]
    cdef int c = 0
    while i >= r.used[c]:
        i -= r.used[c]
        c += 1
    rec.start = chunk_starts(r, c)[i]
    rec.end = chunk_ends(r, c)[i]
    rec.kind = chunk_kinds(r, c)[i]
    return rec


cdef void region_copy_field(Region* r, int field, char* out) noexcept nogil:
    """Copy one field (a RecordField) of every record, in write order, into out: count items of
    4 bytes (starts, ends) or 2 (kinds), one memcpy per chunk."""
    cdef size_t size = 2 if field == FIELD_KIND else 4
    cdef Py_ssize_t i
    cdef Py_ssize_t done = 0
    cdef TokenRecord* rec
    cdef int c
    if r.per_token:
        for i in range(r.count):
            rec = r.singles[i]
            if field == FIELD_START:
                (<uint32_t*>out)[i] = rec.start
            elif field == FIELD_END:
                (<uint32_t*>out)[i] = rec.end
            else:
                (<uint16_t*>out)[i] = rec.kind
        return
    for c in range(region_chunks_used(r)):
        memcpy(out + done * size, chunk_field(r, c, field), r.used[c] * size)
        done += r.used[c]


cdef inline size_t region_bytes_reserved(Region* r) noexcept nogil:
    """Bytes held by all chunks (per-token mode: the records and their index)."""
    cdef size_t total = 0
    cdef int i
    if r.per_token:
        return <size_t>r.count * sizeof(TokenRecord) + r.singles_cap * sizeof(TokenRecord*)
    for i in range(r.nchunks):
        total += <size_t>r.caps[i] * REGION_RECORD_BYTES
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
        budget_free(b, r.chunks[i], <size_t>r.caps[i] * REGION_RECORD_BYTES)
    region_init(r)
    r.per_token = per_token
