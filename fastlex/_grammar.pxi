# The one interface between the grammar-neutral core and a grammar's scanner.
#
# The core owns the memory a result is read from (a Store: region, pool, newline list, errors,
# budget) and prepares it for each source; a grammar's scanner reads the source and writes
# records into it, nothing else. A grammar is a Grammar struct of plain C functions over a
# state block of its own (its stacks, its cursor), which the Lexer allocates once and reuses.
# A grammar built into another extension module hands the core its Grammar through a PyCapsule
# named "fastlex.grammar" (its module's GRAMMAR attribute, with KINDS, NAME_KINDS and
# ERROR_MESSAGES beside it): the core checks that both were built with the same layouts of
# the shared structs (sizes below) before calling it. Everything here runs without the GIL.
# Who owns memory: the Lexer owns the state block; the grammar's release() frees what the
# state holds (through the budget it was allocated under), the Lexer frees the block.

cdef enum:
    GRAMMAR_ABI = 1

cdef struct ErrorRecord:
    uint32_t offset             # where the error is (a byte offset into the source)
    uint32_t code               # the grammar's error code (GrammarInfo.error_messages says what it means)

cdef struct ScanTarget:
    const uint8_t* src          # the source (UTF-8 bytes), n bytes
    Py_ssize_t n
    Region* region              # records go here (region_prepare done)
    Pool* pool                  # names the scanner must look up go here (pool_prepare done)
    Budget* budget              # every allocation of the scanner goes through it
    Vec* errors                 # of ErrorRecord (offset, the grammar's own error code)

ctypedef void (*grammar_init_fn)(void* state) noexcept nogil
ctypedef void (*grammar_release_fn)(void* state, Budget* budget) noexcept nogil
ctypedef size_t (*grammar_held_fn)(void* state) noexcept nogil
ctypedef int (*grammar_scan_fn)(void* state, ScanTarget* target) noexcept nogil

cdef struct Grammar:
    uint32_t abi                # GRAMMAR_ABI
    uint32_t region_size        # sizeof(Region), sizeof(Pool), sizeof(Budget), sizeof(Vec) as the
    uint32_t pool_size          # grammar was compiled: the core refuses a grammar built
    uint32_t budget_size        # against other layouts
    uint32_t vec_size
    const char* name
    size_t state_size           # bytes of the state block
    grammar_init_fn init        # an empty state (called once, on a zeroed block)
    grammar_release_fn release  # free what the state holds
    grammar_held_fn held        # bytes the state holds under the budget
    grammar_scan_fn scan        # lex target.src into the target: 0, or -1 (the budget says why)


cdef inline void grammar_stamp(Grammar* g) noexcept nogil:
    """Record this build's ABI and struct sizes in g (a grammar does it before exporting g)."""
    g.abi = GRAMMAR_ABI
    g.region_size = sizeof(Region)
    g.pool_size = sizeof(Pool)
    g.budget_size = sizeof(Budget)
    g.vec_size = sizeof(Vec)


cdef inline bint grammar_compatible(const Grammar* g) noexcept nogil:
    """True if g was built with this core's ABI and struct layouts."""
    return (g.abi == GRAMMAR_ABI and g.region_size == sizeof(Region) and g.pool_size == sizeof(Pool)
            and g.budget_size == sizeof(Budget) and g.vec_size == sizeof(Vec))


cdef inline int region_emit(Region* r, Budget* b, Py_ssize_t start, Py_ssize_t end, int kind) noexcept nogil:
    """Append a record [start, end) of kind, zero-width ones included (the Ruby scanner has its own
    emit, which drops empty tokens); 0, or -1 if the limit refused a new chunk."""
    cdef uint32_t k = r.next
    if k < r.limit:
        region_write(r.base, r.limit, k, <uint32_t>start, <uint32_t>end, kind)
        r.next = k + 1
        return 0
    return region_push(r, b, <uint32_t>start, <uint32_t>end, kind)
