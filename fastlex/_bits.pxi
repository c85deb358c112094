# Word-at-a-time helpers: eight source bytes per load where runs are long
# (indentation, names), sixty-four per step for the newline list. Plain C in a verbatim block so the compiler's
# count-trailing-zeros builtin is used where it exists; a byte loop elsewhere
# (and on big-endian machines, where the first byte in memory is not the
# lowest one). -DFASTLEX_PORTABLE leaves SSE2 out, to test the portable paths.

cdef extern from *:
    """
    #include <stdint.h>
    #include <string.h>
    #if defined(__SSE2__) && !defined(FASTLEX_PORTABLE)
    #define FASTLEX_SSE2 1
    #include <emmintrin.h>
    #else
    #define FASTLEX_SSE2 0
    #endif
    #if (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    #define FASTLEX_WORD_LE 1
    #else
    #define FASTLEX_WORD_LE 0
    #endif

    /* Bytes at the start of the 8-byte word at p that equal those of the word pat (0..8). */
    static inline int fastlex_same_prefix(const uint8_t* p, uint64_t pat) {
        uint64_t w;
        memcpy(&w, p, 8);
        w ^= pat;
    #if FASTLEX_WORD_LE
        return w ? (int)(__builtin_ctzll(w) >> 3) : 8;
    #else
        int k = 0;
        const uint8_t* q = (const uint8_t*)&pat;
        while (k < 8 && p[k] == q[k]) k++;
        return k;
    #endif
    }

    #define FASTLEX_ONES 0x0101010101010101ULL
    #define FASTLEX_HIGH 0x8080808080808080ULL

    /* Bytes at the start of the 8-byte word at p that are ASCII name bytes, [0-9A-Za-z_] (0..8);
       a byte >= 0x80 ends the prefix (the caller validates UTF-8 there). For an ASCII byte no
       sum below carries out of it, so its high bit answers for it alone; a byte >= 0x80 may
       carry into the byte after it, but that one lies beyond the first stop anyway. */
    static inline int fastlex_name_prefix(const uint8_t* p) {
    #if FASTLEX_WORD_LE
        uint64_t w, y, letters, digits, underscores, stop;
        memcpy(&w, p, 8);
        y = w | (0x20 * FASTLEX_ONES);                                /* A-Z to a-z */
        letters = (y + (0x80 - 0x61) * FASTLEX_ONES) & ~(y + (0x7F - 0x7A) * FASTLEX_ONES);
        digits = (w + (0x80 - 0x30) * FASTLEX_ONES) & ~(w + (0x7F - 0x39) * FASTLEX_ONES);
        underscores = ~((w ^ (0x5F * FASTLEX_ONES)) + 0x7F * FASTLEX_ONES);
        stop = (~(letters | digits | underscores) | w) & FASTLEX_HIGH;
        return stop ? (int)(__builtin_ctzll(stop) >> 3) : 8;
    #else
        int k = 0;
        while (k < 8) {
            uint8_t c = p[k];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
                break;
            k++;
        }
        return k;
    #endif
    }

    /* Bytes at the start of the 8-byte word at p that are ASCII (0..8). */
    static inline int fastlex_ascii_prefix(const uint8_t* p) {
        uint64_t w;
        memcpy(&w, p, 8);
    #if FASTLEX_WORD_LE
        w &= FASTLEX_HIGH;
        return w ? (int)(__builtin_ctzll(w) >> 3) : 8;
    #else
        int k = 0;
        while (k < 8 && p[k] < 0x80) k++;
        return k;
    #endif
    }

    /* Set bits: 1 << k for each k < 64 with p[k] == c (one compare per 16 bytes with SSE2,
       per 8 bytes with exact per-byte word arithmetic elsewhere, per byte as a last resort). */
    static inline uint64_t fastlex_byte_mask64(const uint8_t* p, uint8_t c) {
    #if FASTLEX_SSE2
        const __m128i cc = _mm_set1_epi8((char)c);
        uint64_t m0 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i*)p), cc));
        uint64_t m1 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i*)(p + 16)), cc));
        uint64_t m2 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i*)(p + 32)), cc));
        uint64_t m3 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i*)(p + 48)), cc));
        return m0 | (m1 << 16) | (m2 << 32) | (m3 << 48);
    #elif FASTLEX_WORD_LE
        uint64_t mask = 0, w, t;
        int k;
        for (k = 0; k < 8; k++) {
            memcpy(&w, p + 8 * k, 8);
            w ^= c * FASTLEX_ONES;
            t = ~(((w & ~FASTLEX_HIGH) + ~FASTLEX_HIGH) | w) & FASTLEX_HIGH;   /* 0x80 where w's byte is 0 */
            mask |= (((t >> 7) * 0x0102040810204080ULL) >> 56) << (8 * k);   /* gather: byte k -> bit k */
        }
        return mask;
    #else
        uint64_t mask = 0;
        int k;
        for (k = 0; k < 64; k++) mask |= (uint64_t)(p[k] == c) << k;
        return mask;
    #endif
    }

    /* Index of the lowest set bit of m (m != 0). */
    static inline int fastlex_lowest_bit(uint64_t m) {
    #if defined(__GNUC__) || defined(__clang__)
        return __builtin_ctzll(m);
    #else
        int k = 0;
        while (!(m & 1)) { m >>= 1; k++; }
        return k;
    #endif
    }

    /* Set bits in m. */
    static inline int fastlex_bit_count(uint64_t m) {
    #if defined(__GNUC__) || defined(__clang__)
        return __builtin_popcountll(m);
    #else
        int k = 0;
        while (m) { m &= m - 1; k++; }
        return k;
    #endif
    }
    """
    int fastlex_same_prefix(const uint8_t* p, uint64_t pat) nogil
    int fastlex_name_prefix(const uint8_t* p) nogil
    int fastlex_ascii_prefix(const uint8_t* p) nogil
    uint64_t fastlex_byte_mask64(const uint8_t* p, uint8_t c) nogil
    int fastlex_lowest_bit(uint64_t m) nogil
    int fastlex_bit_count(uint64_t m) nogil
    const int FASTLEX_SSE2
    const int FASTLEX_WORD_LE


# Which paths this build takes (fastlex._core.WORD_PATHS): "sse2" (16-byte compares for the
# newline masks, word arithmetic elsewhere), "words" (word arithmetic only: what a little-endian
# machine without SSE2 runs, ARM64 for one, and what -DFASTLEX_PORTABLE gives on x86-64), or
# "bytes" (byte loops: big-endian machines, compilers without the GCC builtins).
WORD_PATHS = "sse2" if FASTLEX_SSE2 else ("words" if FASTLEX_WORD_LE else "bytes")
