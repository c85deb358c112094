# The C-level API of fastlex's core, for other Cython extensions:
#
#     from fastlex._core cimport TokenRun, tokens_runs, tokens_source, tokens_line_starts
#
# A Tokens result (any grammar: fastlex.tokenize, Lexer.tokenize, tokenize_many) is read
# through plain C arrays, with no Python object per token and, once the pointers are taken,
# without the GIL. The records are the region's own chunks: a run per chunk (one run for
# nearly every file; a result copied out of a Lexer is always one run), each three parallel
# arrays (start and end byte offsets into the lexed UTF-8 bytes, the kind).
#
# Who owns memory: the Tokens object. Every pointer these functions give stays valid while
# that object is alive and, for a Lexer's own result, until the Lexer lexes again (the
# functions raise RuntimeError for an expired result, as every Python-level read does). Keep
# a reference to the Tokens for as long as the pointers are used; never write through them.
# The functions need the GIL (they check the argument); the loops over what they return do not.

from libc.stdint cimport uint8_t, uint16_t, uint32_t

cdef struct TokenRun:
    const uint32_t* starts      # starts[i]: byte offset of record i's first byte
    const uint32_t* ends        # ends[i]: byte offset just past its last byte
    const uint16_t* kinds       # kinds[i]: its kind (int(fastlex.Kind...) for Ruby)
    Py_ssize_t count            # records in this run


cdef Py_ssize_t tokens_runs(object tokens, TokenRun* runs, Py_ssize_t capacity) except -1
# Fill runs[0:capacity] with the result's runs in source order and return how many there
# are (more than capacity: call again with room for all; capacity 0 just counts). TypeError
# if tokens is not a fastlex Tokens, ValueError for Lexer(region=False) results (records
# one malloc each: no arrays to give).

cdef const uint8_t* tokens_source(object tokens, Py_ssize_t* length) except NULL
# The bytes the offsets point into (the str's own buffer for ASCII text, its UTF-8 encoding
# otherwise, the bytes object's buffer for bytes input), and their length.

cdef const uint32_t* tokens_line_starts(object tokens, Py_ssize_t* count) except NULL
# The byte offset where each line starts (count of them, the first 0), filled if no one has
# asked for a position yet. LexMemoryError if a memory limit refuses the list's growth.
