# A growable array of fixed-size items under the budget, for the scanner's
# small stacks: open literals and brackets, pending heredocs, lexing errors.
# It keeps its memory across resets, so a reused Lexer does not allocate again.
# Who owns memory: the Vec owns its items; vec_free releases them.

cdef struct Vec:
    char* items
    Py_ssize_t count
    Py_ssize_t capacity
    size_t item_size
    int phase             # the Phase reported when the limit refuses growth


cdef inline void vec_init(Vec* v, size_t item_size, int phase) noexcept nogil:
    """An empty vector of item_size-byte items."""
    v.items = NULL
    v.count = 0
    v.capacity = 0
    v.item_size = item_size
    v.phase = phase


cdef inline void* vec_push(Vec* v, Budget* b) noexcept nogil:
    """Room for one more item at the end (uninitialised), or NULL if the limit refused growth."""
    cdef Py_ssize_t newcap
    cdef void* grown
    if v.count == v.capacity:
        newcap = v.capacity * 2 if v.capacity else 16
        grown = budget_realloc(b, v.items, <size_t>v.capacity * v.item_size,
                               <size_t>newcap * v.item_size, v.phase)
        if grown == NULL:
            return NULL
        v.items = <char*>grown
        v.capacity = newcap
    v.count += 1
    return v.items + (v.count - 1) * v.item_size


cdef inline void vec_reserve(Vec* v, Budget* b, Py_ssize_t n) noexcept nogil:
    """Grow to room for n items at once when the limit leaves room for them: a hint, never a
    failure (without it, or past it, vec_push grows as usual and the limit decides there)."""
    if n <= v.capacity:
        return
    cdef size_t extra = <size_t>(n - v.capacity) * v.item_size
    if b.limit != 0 and b.reserved + extra > b.limit:
        return
    cdef void* grown = budget_realloc(b, v.items, <size_t>v.capacity * v.item_size,
                                      <size_t>n * v.item_size, v.phase)
    if grown != NULL:
        v.items = <char*>grown
        v.capacity = n


cdef inline void* vec_at(Vec* v, Py_ssize_t i) noexcept nogil:
    """Item i (0 <= i < count)."""
    return v.items + i * v.item_size


cdef inline void vec_free(Vec* v, Budget* b) noexcept nogil:
    """Release the items; the vector is empty afterwards."""
    budget_free(b, v.items, <size_t>v.capacity * v.item_size)
    v.items = NULL
    v.count = 0
    v.capacity = 0
