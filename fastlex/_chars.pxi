# Byte offset -> character index in UTF-8 text: the Python layer's one converter.
#
# Token and error positions, Token.line and the Pygments stream all count characters where the
# core counts bytes. Walking from the start of the line for every token is quadratic on a long
# line (a minified file with one non-ASCII character); walking from the start of the text is
# worse. Instead a mark every CHARS_BLOCK bytes records how many characters come before it: an
# offset's index is its block's mark plus the characters between the mark and the offset, so
# every query reads at most CHARS_BLOCK - 1 bytes, in any order, and building the marks is one
# pass over the text. A character is counted at its lead byte (any byte but 10xxxxxx), which
# matches str.encode("utf-8", "surrogatepass"): a lone surrogate is three bytes, one lead.
# Included by _core.pyx (Source) and _stream.pyx (the Pygments stream).
# Who owns memory: the CharIndex owns its marks (PyMem); chars_free releases them. The text
# is borrowed: its owner must outlive the index.

cdef extern from *:
    """
    #include <stdint.h>
    #include <string.h>
    /* Lead bytes (not 10xxxxxx) among the 8 bytes at p. */
    static inline int fastlex_lead_bytes8(const uint8_t* p) {
        uint64_t w;
        memcpy(&w, p, 8);
        /* bit 7 of a byte set and bit 6 clear: a continuation byte. (w << 1) moves each byte's
           bit 6 to its bit 7; what crosses into the next byte lands in its bit 0, masked off. */
        uint64_t cont = w & ~(w << 1) & 0x8080808080808080ULL;
        /* One bit a byte: a multiply sums the eight into the top byte (a popcount is a library
           call on baseline x86-64). */
        return 8 - (int)(((cont >> 7) * 0x0101010101010101ULL) >> 56);
    }
    """
    int fastlex_lead_bytes8(const uint8_t* p) noexcept nogil

cdef enum:
    CHARS_SHIFT = 6                     # a mark every 64 bytes: n/16 bytes of marks
    CHARS_BLOCK = 1 << CHARS_SHIFT

cdef struct CharIndex:
    const uint8_t* buf                  # the UTF-8 text (borrowed)
    Py_ssize_t n                        # its length in bytes
    uint32_t* marks                     # marks[k]: characters in buf[0 : k * CHARS_BLOCK]; NULL: not built
    Py_ssize_t length                   # characters in the whole text


cdef inline Py_ssize_t chars_count(const uint8_t* p, Py_ssize_t nbytes) noexcept nogil:
    """Characters (lead bytes) in p[0:nbytes]."""
    cdef Py_ssize_t k = 0
    cdef Py_ssize_t count = 0
    while k + 8 <= nbytes:
        count += fastlex_lead_bytes8(p + k)
        k += 8
    while k < nbytes:
        if (p[k] & 0xC0) != 0x80:
            count += 1
        k += 1
    return count


cdef int chars_build(CharIndex* c, const uint8_t* buf, Py_ssize_t n) noexcept:
    """Index the text buf[0:n] (n < 4 GiB): one pass; 0, or -1 when out of memory (c unchanged).
    Called with the GIL held (PyMem)."""
    cdef Py_ssize_t nmarks = (n >> CHARS_SHIFT) + 1
    cdef uint32_t* marks
    cdef Py_ssize_t k
    cdef uint32_t total = 0
    marks = <uint32_t*>PyMem_Malloc(nmarks * sizeof(uint32_t))
    if marks == NULL:
        return -1
    for k in range(nmarks):
        marks[k] = total
        if k + 1 < nmarks:
            total += <uint32_t>chars_count(buf + (k << CHARS_SHIFT), CHARS_BLOCK)
    c.buf = buf
    c.n = n
    c.marks = marks
    c.length = total + chars_count(buf + ((nmarks - 1) << CHARS_SHIFT), n - ((nmarks - 1) << CHARS_SHIFT))
    return 0


cdef inline void chars_free(CharIndex* c) noexcept:
    """Release the marks (the index must be built again before use)."""
    PyMem_Free(c.marks)
    c.marks = NULL


cdef inline Py_ssize_t chars_before(const CharIndex* c, Py_ssize_t offset) noexcept nogil:
    """Characters in buf[0:offset] (offset clamped to [0, n]): the index of the character
    starting at offset, or of the one after the character holding it."""
    cdef Py_ssize_t k
    if offset <= 0:
        return 0
    if offset >= c.n:
        return c.length
    k = offset >> CHARS_SHIFT
    return c.marks[k] + chars_count(c.buf + (k << CHARS_SHIFT), offset - (k << CHARS_SHIFT))


cdef inline Py_ssize_t chars_holding(const CharIndex* c, Py_ssize_t offset) noexcept nogil:
    """Index of the character holding byte offset (the length of the text at or past its end)."""
    if offset >= c.n:
        return c.length
    if offset > 0 and (c.buf[offset] & 0xC0) == 0x80:
        return chars_before(c, offset) - 1
    return chars_before(c, offset)
