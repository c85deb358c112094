# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""fastlex's core: the Ruby scanner and the Python types presenting its tokens.

The work happens in C-level units included below, one concern each:
``_budget.pxi`` (allocation accounting and the memory limit), ``_region.pxi``
(token records), ``_pool.pxi`` (interned names), ``_lines.pxi`` (line starts),
``_vec.pxi`` (small stacks), ``_bits.pxi`` (word-at-a-time helpers), ``_scanner.pxi`` (the Ruby scanner, GIL released).
This file is the thin layer on top: ``Lexer``, ``Tokens``, ``Token`` and the
bulk ``Column`` buffers.
"""
cimport cython
from cpython.buffer cimport (
    PyBUF_C_CONTIGUOUS, PyBUF_FORMAT, PyBUF_ND, PyBUF_STRIDES, PyBUF_WRITABLE, PyBuffer_Release, PyObject_GetBuffer)
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.mem cimport PyMem_Calloc, PyMem_Free, PyMem_Malloc
from cpython.object cimport PyObject
from cpython.unicode cimport PyUnicode_DecodeUTF8, PyUnicode_Substring
from libc.stdint cimport int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t
from libc.stdlib cimport calloc, free, malloc, qsort, realloc
from libc.string cimport memchr, memcmp, memcpy, memset

cdef extern from "Python.h":
    bint PyUnicode_IS_ASCII(object o)
    void* PyUnicode_DATA(object o)
    Py_ssize_t PyUnicode_GET_LENGTH(object o)

include "_budget.pxi"
include "_region.pxi"
include "_pool.pxi"
include "_bits.pxi"
include "_lines.pxi"
include "_vec.pxi"
include "_grammar.pxi"
include "_scanner.pxi"
include "_chars.pxi"
include "_arrow.pxi"
include "_ruby.pxi"

import os

from fastlex.errors import LexError, LexMemoryError
from fastlex.kinds import Kind


def _error_offset(error):
    return error.offset

# The largest source whose offsets fit the 32-bit fields of a token record.
MAX_SOURCE_BYTES = 0xFFFFFFFE
cdef int64_t MAX_SOURCE_BYTES_C = 0xFFFFFFFE
# tokenize_many hands a result of this many tokens or more its worker's store instead of a copy.
cdef Py_ssize_t MOVE_MIN_RECORDS = 1 << 16
cdef Py_ssize_t PY_SSIZE_T_MAX = <Py_ssize_t>((<size_t>-1) >> 1)

# The Ruby grammar's error messages, by code (kept under this name for existing callers; every
# grammar has its own: GrammarInfo.error_messages).
ERROR_MESSAGES = RUBY_ERROR_MESSAGES

PHASE_NAMES = {
    PHASE_REGION: "region (token records)",
    PHASE_POOL: "constant pool",
    PHASE_LINES: "newline list",
    PHASE_STACK: "scanner stack",
    PHASE_ERRORS: "error list",
}

# The Python layer's cache of recently read names of up to 16 bytes (Tokens.name_of): a direct-mapped
# table small enough for the first-level cache, in front of the pool, whose slots and strs
# are scattered over a few hundred KB once every name of a large file is in it.
cdef enum:
    NAME_CACHE_SLOTS = 512             # a power of two
    NAME_CACHE_SHIFT = 64 - 9          # log2(NAME_CACHE_SLOTS) high bits of the mixed word

cdef struct NameCacheSlot:
    uint64_t head                      # up to 8 bytes: pool_short_word of the name; 9 to 16: its first 8 bytes
    uint64_t tail                      # up to 8 bytes: 0; 9 to 16: its last 8 bytes (with length: the whole name)
    uint32_t length                    # 1..16; 0: empty
    PyObject* name                     # the interned str (borrowed: Tokens.names holds it)

# How the source reached the core.
cdef enum InputKind:
    INPUT_BYTES = 0        # bytes: lexed in place; columns count bytes
    INPUT_ASCII_STR = 1    # ASCII str: lexed from the str's own buffer; columns count code points (= bytes)
    INPUT_UTF8_STR = 2     # other str: encoded to UTF-8 once; columns count code points


cdef class GrammarInfo:
    """A grammar as the Python layer sees it: its name, its ``Kind`` enum, which kinds are names
    (interned through the pool), its error messages, and its scanner (a C Grammar, see
    _grammar.pxi). One per language, made on first use by ``grammar_info``."""
    cdef readonly str name
    cdef readonly object kinds              # the IntEnum of the grammar's kinds
    cdef tuple kind_members                 # index: kind value -> Kind member (0: None)
    cdef bytes name_kind_bytes              # index: kind value -> 1 if its text is interned
    cdef const uint8_t* name_kind           # name_kind_bytes' buffer
    cdef Py_ssize_t kind_count              # values 0 .. kind_count - 1 are valid
    cdef readonly dict error_messages       # error code -> message
    cdef readonly tuple suffixes            # file name endings of its sources (folders are searched for them)
    cdef const Grammar* grammar
    cdef object keep                        # what grammar points into (the capsule's module)

    @property
    def language(self):
        """The grammar's name (as ``language=`` takes it)."""
        return self.name

    def __repr__(self):
        return f"<fastlex grammar {self.name!r}: {len(self.kind_members) - 1} kinds>"


cdef GrammarInfo make_grammar_info(str name, const Grammar* grammar, object kinds, object name_kinds,
                                   dict error_messages, tuple suffixes, object keep):
    """A GrammarInfo; ImportError if the scanner was built against another core."""
    cdef GrammarInfo g = GrammarInfo.__new__(GrammarInfo)
    if not grammar_compatible(grammar):
        raise ImportError(f"fastlex: the {name} grammar was built against another fastlex core; rebuild fastlex")
    g.name = name
    g.kinds = kinds
    members = [None] * (max([int(k) for k in kinds] + [0]) + 1)
    for k in kinds:
        members[int(k)] = k
    g.kind_members = tuple(members)
    g.kind_count = len(members)
    flags = bytearray(len(members))
    for k in name_kinds:
        flags[int(k)] = 1
    g.name_kind_bytes = bytes(flags)
    g.name_kind = <const uint8_t*><const char*>g.name_kind_bytes
    g.error_messages = dict(error_messages)
    g.suffixes = suffixes
    g.grammar = grammar
    g.keep = keep
    return g


# The grammars fastlex knows: language -> the module that holds its scanner. A grammar built
# into another extension exports GRAMMAR (a PyCapsule "fastlex.grammar" of its Grammar struct),
# KINDS (its IntEnum), NAME_KINDS, ERROR_MESSAGES and SUFFIXES (its files' name endings). Adding a language: a folder in grammars/,
# a scanner unit, a line here.
LANGUAGES = {
    "ruby": "fastlex._core",
    "python": "fastlex.python._scanner",
}
cdef dict GRAMMARS = {}


cdef extern from "Python.h":
    void* PyCapsule_GetPointer(object capsule, const char* name) except? NULL


cpdef GrammarInfo grammar_info(object language):
    """The GrammarInfo of a language name; TypeError for a non-str, ValueError for an unknown one."""
    cdef GrammarInfo g
    if not isinstance(language, str):
        raise TypeError(f"language must be a str, not {type(language).__name__}")
    g = GRAMMARS.get(language)
    if g is not None:
        return g
    if language not in LANGUAGES:
        raise ValueError(f"fastlex: unknown language {language!r} (known: {', '.join(sorted(LANGUAGES))})")
    if language == "ruby":
        g = make_grammar_info("ruby", &RUBY_GRAMMAR, Kind, RUBY_NAME_KINDS, RUBY_ERROR_MESSAGES, (".rb",), None)
    else:
        import importlib
        module = importlib.import_module(LANGUAGES[language])
        g = make_grammar_info(language, <const Grammar*>PyCapsule_GetPointer(module.GRAMMAR, "fastlex.grammar"),
                              module.KINDS, module.NAME_KINDS, module.ERROR_MESSAGES,
                              tuple(module.SUFFIXES), module)
    GRAMMARS[language] = g
    return g


cdef GrammarInfo RUBY = grammar_info("ruby")


cdef class Source:
    """The text a Tokens object was lexed from, immutable and shared by its tokens.

    ``data`` owns the bytes the core read (the str itself for ASCII text, the
    UTF-8 encoding otherwise, the bytes object for bytes input). Columns of
    non-ASCII str input are counted through a CharIndex (_chars.pxi), built on
    the first position asked for: constant time a position, in any order.
    """
    cdef readonly object original
    cdef readonly GrammarInfo grammar   # the grammar it was lexed with (its kinds, for Token.type)
    cdef object data
    cdef const uint8_t* buf
    cdef Py_ssize_t n
    cdef int input_kind
    cdef CharIndex chars             # non-ASCII str input: byte offset -> character index
    cdef Py_ssize_t line_lo          # the last text line() built: source[line_lo:line_hi] ...
    cdef Py_ssize_t line_hi
    cdef str line_str                # ... shared by every token on those lines (None: none yet)

    def __dealloc__(self):
        chars_free(&self.chars)

    @property
    def utf8(self):
        """The UTF-8 bytes the core lexed when they differ from ``original`` (non-ASCII str), else None."""
        return self.data if self.input_kind == INPUT_UTF8_STR else None

    cdef str text(self, Py_ssize_t a, Py_ssize_t b):
        """The source text of bytes [a, b) as str."""
        if self.input_kind == INPUT_ASCII_STR:
            return PyUnicode_Substring(self.original, a, b)
        if self.input_kind == INPUT_UTF8_STR:
            return PyUnicode_DecodeUTF8(<const char*>self.buf + a, b - a, "surrogatepass")
        return PyUnicode_DecodeUTF8(<const char*>self.buf + a, b - a, "surrogateescape")

    cdef Py_ssize_t width(self, Py_ssize_t a, Py_ssize_t b) except -1:
        """Columns between offsets a <= b: bytes, or code points for str input (constant time)."""
        if self.input_kind != INPUT_UTF8_STR:
            return b - a
        if b - a <= 2 * CHARS_BLOCK:
            return chars_count(self.buf + a, b - a)     # a short span (most columns): count it
        if self.chars.marks == NULL and chars_build(&self.chars, self.buf, self.n) < 0:
            raise MemoryError()
        return chars_before(&self.chars, b) - chars_before(&self.chars, a)

    cdef str line_of(self, Py_ssize_t lo, Py_ssize_t last):
        """The whole lines from the one starting at lo to the one holding byte last, newline
        included (tokenize's ``line``). The last one built is kept: the tokens of one long line
        share one str instead of decoding it (and finding its end) once each."""
        cdef const uint8_t* nl
        cdef Py_ssize_t hi
        if self.line_str is not None and self.line_lo == lo and last < self.line_hi:
            return self.line_str
        if last >= self.n:
            hi = self.n
        else:
            nl = <const uint8_t*>memchr(self.buf + last, 10, self.n - last)
            hi = (nl - self.buf) + 1 if nl != NULL else self.n
        self.line_str = self.text(lo, hi)
        self.line_lo = lo
        self.line_hi = hi
        return self.line_str


cdef Source make_source(object src, GrammarInfo grammar=RUBY):
    """A Source for str or bytes; TypeError for anything else, ValueError past MAX_SOURCE_BYTES."""
    cdef Source s = Source.__new__(Source)
    s.original = src
    s.grammar = grammar
    if type(src) is bytes or isinstance(src, bytes):
        s.data = src
        s.buf = <const uint8_t*>PyBytes_AS_STRING(src)
        s.n = PyBytes_GET_SIZE(src)
        s.input_kind = INPUT_BYTES
    elif isinstance(src, str):
        if PyUnicode_IS_ASCII(src):
            s.data = src
            s.buf = <const uint8_t*>PyUnicode_DATA(src)
            s.n = PyUnicode_GET_LENGTH(src)
            s.input_kind = INPUT_ASCII_STR
        else:
            if PyUnicode_GET_LENGTH(src) > MAX_SOURCE_BYTES:
                # Every character takes at least one byte: refuse before encoding a copy.
                raise ValueError(
                    f"fastlex: the source is {PyUnicode_GET_LENGTH(src)} characters, more than the limit of "
                    f"{MAX_SOURCE_BYTES} bytes (token offsets are 32-bit)")
            s.data = (<str>src).encode("utf-8", "surrogatepass")
            s.buf = <const uint8_t*>PyBytes_AS_STRING(s.data)
            s.n = PyBytes_GET_SIZE(s.data)
            s.input_kind = INPUT_UTF8_STR
    else:
        raise TypeError(
            f"fastlex.tokenize() expects str or bytes (UTF-8 {s.grammar.name.capitalize()} source), not {type(src).__name__}")
    if s.n > MAX_SOURCE_BYTES:
        raise ValueError(
            f"fastlex: the source is {s.n} bytes, more than the limit of {MAX_SOURCE_BYTES} bytes "
            f"(token offsets are 32-bit)")
    return s


cdef object parse_limit(object memory_limit):
    """Validate a memory_limit argument: None or a positive int of bytes."""
    if memory_limit is None:
        return None
    if isinstance(memory_limit, bool) or not isinstance(memory_limit, int):
        raise TypeError(f"memory_limit must be an int number of bytes or None, not {type(memory_limit).__name__}")
    if memory_limit <= 0:
        raise ValueError(f"memory_limit must be positive, not {memory_limit}")
    return memory_limit


cdef extern from *:
    """
    /* Output blocks of a batch (megabytes, freed when the Arrow arrays go). From 1 MiB up they
       are mapped pages of their own: unmapped on free, so resident memory falls back at once.
       Through malloc, glibc raises its mmap threshold after the first such free and keeps later
       blocks of that size in the heap, where a pipeline's resident memory creeps up batch by batch. */
    #include <stdlib.h>
    #include <string.h>
    #if defined(__unix__) || defined(__APPLE__)
    #include <sys/mman.h>
    #define FASTLEX_BLOCK_MAP_MIN ((size_t)1 << 16)
    #else
    #define FASTLEX_BLOCK_MAP_MIN ((size_t)-1)
    #endif

    static char* fastlex_block_alloc(size_t n, int* mapped) {
    #if defined(__unix__) || defined(__APPLE__)
        if (n >= FASTLEX_BLOCK_MAP_MIN) {
            void* p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED) return NULL;
            *mapped = 1;
            return (char*)p;
        }
    #endif
        *mapped = 0;
        return (char*)malloc(n ? n : 1);
    }

    static void fastlex_block_free(char* p, size_t n, int mapped) {
        if (p == NULL) return;
    #if defined(__unix__) || defined(__APPLE__)
        if (mapped) { munmap(p, n); return; }
    #endif
        free(p);
    }

    /* A block of new_n bytes holding the first used bytes of p (old_n long), or NULL (p kept). */
    static char* fastlex_block_resize(char* p, size_t old_n, size_t new_n, size_t used, int* mapped) {
        int now_mapped;
        char* q;
        if (!*mapped && new_n < FASTLEX_BLOCK_MAP_MIN) {
            q = (char*)realloc(p, new_n);
            return q;
        }
        q = fastlex_block_alloc(new_n, &now_mapped);
        if (q == NULL) return NULL;
        memcpy(q, p, used);
        fastlex_block_free(p, old_n, *mapped);
        *mapped = now_mapped;
        return q;
    }
    """
    size_t FASTLEX_BLOCK_MAP_MIN
    char* fastlex_block_alloc(size_t n, int* mapped) noexcept nogil
    void fastlex_block_free(char* p, size_t n, int mapped) noexcept nogil
    char* fastlex_block_resize(char* p, size_t old_n, size_t new_n, size_t used, int* mapped) noexcept nogil


cdef extern from *:
    """
    #include <errno.h>
    #include <stdio.h>
    #include <stdlib.h>
    #include <sys/stat.h>
    /* The whole file at path, read into a malloc'd block (*out, *n): 0, or an errno value. The
       size from fstat is a hint only (a file may grow or shrink meanwhile; pipes have none). */
    static int fastlex_read_file(const char* path, char** out, size_t* n) {
        FILE* f = fopen(path, "rb");
        size_t cap = 65536, len = 0, got;
        char* buf;
        char* grown;
        int err;
        if (f == NULL) return errno ? errno : EIO;
    #if defined(__unix__) || defined(__APPLE__)
        {
            struct stat st;
            if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0)
                cap = (size_t)st.st_size + 1;   /* + 1: the end of file shows without a regrowth */
        }
    #endif
        buf = (char*)malloc(cap);
        if (buf == NULL) { fclose(f); return ENOMEM; }
        for (;;) {
            got = fread(buf + len, 1, cap - len, f);
            len += got;
            if (len < cap) {
                if (ferror(f)) { err = errno ? errno : EIO; free(buf); fclose(f); return err; }
                if (feof(f)) break;
                continue;
            }
            grown = (char*)realloc(buf, cap * 2);
            if (grown == NULL) { free(buf); fclose(f); return ENOMEM; }
            buf = grown;
            cap *= 2;
        }
        fclose(f);
        *out = buf;
        *n = len;
        return 0;
    }
    """
    int fastlex_read_file(const char* path, char** out, size_t* n) noexcept nogil


cdef struct ScanStats:
    # The figures of one scan (Tokens.stats builds its dict from them on first use).
    Py_ssize_t source_bytes, tokens
    size_t mallocs, reserved, peak
    size_t region_mallocs, region_reserved
    int region_chunks, region_chunks_held
    size_t pool_names, pool_capacity, pool_resizes, pool_probes, pool_max_probe
    Py_ssize_t lines_count, lines_capacity
    size_t lines_reallocs


cdef struct StoreView:
    # Pointers to the fields of a Store that copy_result fills (taken with the GIL; the Store
    # object must outlive their use).
    Budget* budget
    Region* region
    LineTable* lines
    Vec* errors
    char** block
    size_t* block_bytes
    int* block_mapped


cdef struct BatchItem:
    # One item of Lexer._tokenize_owned_many.
    const uint8_t* buf      # the source's bytes: its Source's, or read from path
    Py_ssize_t n
    const char* path        # a file to read (NULL: buf is given)
    char* owned             # a file's bytes (malloc'd), until a bytes object takes them
    StoreView out           # where its result is copied
    ScanStats stats


cdef class Store:
    """The memory one result is read from: token records (region), interned names (pool),
    line starts, errors, and the budget that accounts for them.

    A Lexer's store is reused from call to call (``generation`` counts the calls: a Tokens or
    Column of an older generation refuses to read). A result copied out of a Lexer
    (``Lexer._tokenize_owned``, ``tokenize_many``) gets a store of its own, a few hundred bytes
    plus one exactly sized block for its records, line starts and errors, which never expires.
    Who owns memory: the Store owns its units' memory (and its block); freed with it.
    """
    cdef Budget budget
    cdef Region region
    cdef Pool pool
    cdef LineTable lines
    cdef Vec errors
    cdef Py_ssize_t generation
    cdef Py_ssize_t exports   # buffers exported by zero-copy Columns: views into the region's chunks
    cdef char* block          # a copied result: its records, line starts and errors in one block
    cdef size_t block_bytes
    cdef int block_mapped     # the block is pages of its own (fastlex_block_alloc)

    def __cinit__(self):
        memset(&self.budget, 0, sizeof(Budget))
        region_init(&self.region)
        pool_init(&self.pool)
        lines_init(&self.lines)
        vec_init(&self.errors, sizeof(ErrorRecord), PHASE_ERRORS)

    def __dealloc__(self):
        self.release()

    cdef void release(self) noexcept:
        """Free everything the store holds (it stays usable: the next call allocates again)."""
        if self.block != NULL:
            # The units point into the block: forget them, then free it once.
            region_init(&self.region)
            vec_init(&self.errors, sizeof(ErrorRecord), PHASE_ERRORS)
            fastlex_block_free(self.block, self.block_bytes, self.block_mapped)
            self.budget.reserved -= self.block_bytes
            self.block = NULL
            self.block_bytes = 0
        region_free(&self.region, &self.budget)
        pool_free(&self.pool, &self.budget)
        lines_free(&self.lines, &self.budget)
        vec_free(&self.errors, &self.budget)

    cdef StoreView view(self) noexcept:
        """Pointers to the fields copy_result fills."""
        cdef StoreView v
        v.budget = &self.budget
        v.region = &self.region
        v.lines = &self.lines
        v.errors = &self.errors
        v.block = &self.block
        v.block_bytes = &self.block_bytes
        v.block_mapped = &self.block_mapped
        return v


cdef int copy_result(StoreView* dst, Store src) noexcept nogil:
    """Copy src's result (records and errors) into one exactly sized block of the empty store
    dst. Its pool stays empty until a name is read, its newline list until a position is. 0, or -1 with the failure in
    dst's budget. Blocks of 64 KiB and more are pages of their own (fastlex_block_alloc), so
    that freeing a large result gives its memory back rather than leaving a hole in the heap."""
    cdef Py_ssize_t n = src.region.count
    cdef size_t records = <size_t>n * REGION_RECORD_BYTES
    cdef size_t errors_at_aligned = (records + 7) & ~(<size_t>7)
    cdef size_t total = errors_at_aligned + <size_t>src.errors.count * sizeof(ErrorRecord)
    cdef Region* r = dst.region
    cdef Budget* b = dst.budget
    cdef char* block
    if not budget_allows(b, total, PHASE_REGION):
        return -1
    block = fastlex_block_alloc(total, dst.block_mapped)
    b.mallocs += 1
    if block == NULL:
        b.failed_phase = PHASE_REGION
        b.failed_request = total
        return -1
    b.reserved += total
    if b.reserved > b.peak:
        b.peak = b.reserved
    dst.block[0] = block
    dst.block_bytes[0] = total
    if n > 0:
        r.chunks[0] = <uint32_t*>block
        r.caps[0] = <uint32_t>n
        r.used[0] = <uint32_t>n
        r.nchunks = 1
        r.count = n
        region_copy_field(&src.region, FIELD_START, chunk_field(r, 0, FIELD_START))
        region_copy_field(&src.region, FIELD_END, chunk_field(r, 0, FIELD_END))
        region_copy_field(&src.region, FIELD_KIND, chunk_field(r, 0, FIELD_KIND))
    if src.errors.count:
        dst.errors.items = block + errors_at_aligned
        memcpy(dst.errors.items, src.errors.items, <size_t>src.errors.count * sizeof(ErrorRecord))
        dst.errors.count = dst.errors.capacity = src.errors.count
    return 0


cdef class Lexer:
    """A reusable lexer of one language (``language="ruby"`` by default; ``fastlex.LANGUAGES``
    lists them).

    Memory: the Lexer owns its Store (region of token records, constant pool,
    newline list, errors) and its scanner's state (stacks). ``tokenize`` resets
    them without freeing, so a batch of files allocates nothing once the first
    (largest) file has been lexed. The Tokens returned by ``tokenize`` read the
    Lexer's store and stay valid until this Lexer's next ``tokenize`` call; after
    that they raise RuntimeError (``fastlex.tokenize`` uses a fresh Lexer each
    time, so its results never expire). A Lexer is not shared between threads:
    use one per thread (``fastlex.tokenize_many`` does).
    """
    cdef Store store
    cdef GrammarInfo info
    cdef const Grammar* grammar
    cdef void* state                  # the grammar's scanner state (state_size bytes)
    cdef readonly object memory_limit
    cdef bint busy

    def __cinit__(self):
        self.store = Store.__new__(Store)

    def __init__(self, memory_limit=None, *, region=True, language="ruby"):
        """memory_limit: bytes the core may hold (None: no limit). language: the grammar
        (TypeError for a non-str, ValueError for an unknown one). region=False switches the
        token region off and mallocs every token record on its own: a measurement mode that
        shows what the region saves (same scanner, same tokens, far more allocations)."""
        cdef GrammarInfo info = grammar_info(language)
        self.memory_limit = parse_limit(memory_limit)
        self.store.region.per_token = not region
        if self.state != NULL:          # __init__ called again: drop the old grammar's state
            self.release_state()
        self.state = PyMem_Calloc(1, info.grammar.state_size)
        if self.state == NULL:
            raise MemoryError()
        self.info = info
        self.grammar = info.grammar
        self.grammar.init(self.state)

    @property
    def language(self):
        """The language this Lexer lexes."""
        return self.info.name if self.info is not None else None

    @property
    def region_enabled(self):
        """False in the per-token malloc measurement mode."""
        return not self.store.region.per_token

    @property
    def _store(self):
        """The Store its results read (internal: tests follow its references)."""
        return self.store

    @property
    def generation(self):
        """How many calls this Lexer has started (each invalidates the results of the last)."""
        return self.store.generation

    def __dealloc__(self):
        if self.state != NULL:
            self.release_state()

    cdef void release_state(self) noexcept:
        """Free the scanner state (its stacks, then the block)."""
        if self.store is not None:
            self.grammar.release(self.state, &self.store.budget)
        PyMem_Free(self.state)
        self.state = NULL

    cdef void release(self) noexcept:
        """Free everything the Lexer holds (it stays usable: the next call allocates again)."""
        self.grammar.release(self.state, &self.store.budget)
        self.store.release()

    @property
    def bytes_reserved(self):
        """Bytes the Lexer holds now (region, pool, newline list, stacks)."""
        return self.store.budget.reserved

    cdef int ready(self) except -1:
        """RuntimeError unless __init__ has run (a subclass that skipped it)."""
        if self.state == NULL:
            raise RuntimeError("fastlex.Lexer.__init__ was not called")
        return 0

    def tokenize(self, src, *, memory_limit=None):
        """Tokens of the Ruby source ``src`` (str, or bytes of UTF-8).

        Raises TypeError for other types, ValueError for sources past
        ``MAX_SOURCE_BYTES``, and LexMemoryError (a MemoryError) when lexing
        would hold more than ``memory_limit`` bytes (this call's limit, or the
        Lexer's). Malformed Ruby never raises: see ``Tokens.errors``.
        """
        self.ready()
        cdef Source source = make_source(src, self.info)
        limit = parse_limit(memory_limit) if memory_limit is not None else self.memory_limit
        if self.busy:
            raise RuntimeError("this fastlex.Lexer is already lexing in another thread; use one Lexer per thread")
        self.busy = True
        try:
            return self._run(source, 0 if limit is None else limit)
        finally:
            self.busy = False

    def _tokenize_owned_many(self, list items, memory_limit=None):
        """``_tokenize_owned`` for each of items (str, bytes, or an os.PathLike read here as
        bytes), with the GIL released once for the whole batch: files are read, lexed and
        copied out without it. Returns (results, error): the Tokens of the items before the
        first failure, and that failure (OSError, ValueError, LexMemoryError) or None."""
        cdef Py_ssize_t m = len(items)
        cdef Py_ssize_t k, done = 0
        cdef size_t limit
        cdef int rc = 0
        cdef int read_errno = 0
        cdef bint moving
        cdef BatchItem* work
        cdef Source source
        cdef Store out
        cdef list sources = [None] * m
        cdef list paths = [None] * m
        cdef list stores = [None] * m
        cdef list results = []
        error = None
        self.ready()
        lim = parse_limit(memory_limit) if memory_limit is not None else self.memory_limit
        limit = 0 if lim is None else lim
        if self.busy:
            raise RuntimeError("this fastlex.Lexer is already lexing in another thread; use one Lexer per thread")
        work = <BatchItem*>PyMem_Calloc(max(m, 1), sizeof(BatchItem))
        if work == NULL:
            raise MemoryError()
        self.busy = True
        try:
            # With the GIL: sources of str and bytes items, encoded paths, empty stores.
            for k in range(m):
                item = items[k]
                if isinstance(item, (str, bytes)):
                    try:
                        source = make_source(item, self.info)
                    except ValueError as exc:
                        error = exc
                        m = k
                        break
                    sources[k] = source
                    work[k].buf = source.buf
                    work[k].n = source.n
                else:
                    paths[k] = os.fsencode(item)
                    work[k].path = <const char*>(<bytes>paths[k])
                out = Store.__new__(Store)
                out.generation = 1
                budget_start_call(&out.budget, limit)
                stores[k] = out
                work[k].out = out.view()
            self.begin(limit)
            while done < m:
                moving = False
                with nogil:
                    while done < m:
                        if work[done].path != NULL:
                            read_errno = fastlex_read_file(work[done].path, &work[done].owned, <size_t*>&work[done].n)
                            if read_errno != 0:
                                break
                            work[done].buf = <const uint8_t*>work[done].owned
                            if work[done].n > MAX_SOURCE_BYTES_C:
                                break
                        budget_start_call(&self.store.budget, limit)
                        rc = self.scan(work[done].buf, work[done].n, False)
                        if rc != 0:
                            break
                        stats_snapshot(&work[done].stats, self.store, self.store.region.count, work[done].n)
                        if self.store.region.count >= MOVE_MIN_RECORDS and not self.store.region.per_token:
                            moving = True
                            break
                        rc = copy_result(&work[done].out, self.store)
                        if rc != 0:
                            break
                        done += 1
                if not moving:
                    break
                self.hand_over_store(stores, done)
                done += 1
            # With the GIL: a bytes object for each file read, then the results.
            for k in range(done):
                source = sources[k]
                if source is None:
                    source = make_source(PyBytes_FromStringAndSize(work[k].owned, work[k].n), self.info)
                    free(work[k].owned)
                    work[k].owned = NULL
                results.append(Tokens._create_with_stats(<Store>stores[k], source, &work[k].stats))
            if done < m and error is None:
                if read_errno != 0:
                    error = OSError(read_errno, os.strerror(read_errno), os.fsdecode(paths[done]))
                elif work[done].path != NULL and work[done].n > MAX_SOURCE_BYTES_C:
                    error = ValueError(
                        f"fastlex: the source is {work[done].n} bytes, more than the limit of {MAX_SOURCE_BYTES} "
                        f"bytes (token offsets are 32-bit)")
                else:
                    out = <Store>stores[done]
                    try:
                        if out.budget.failed_phase != PHASE_NONE:
                            raise_budget_error(&out.budget)
                        self.raise_memory_error()
                    except MemoryError as exc:
                        error = exc
            return results, error
        finally:
            self.busy = False
            for k in range(len(items)):
                free(work[k].owned)
            PyMem_Free(work)

    cdef void hand_over_store(self, list stores, Py_ssize_t k) noexcept:
        """Give this Lexer's store, holding a large result, to item k, and take item k's empty
        store instead: a large result is not copied (its pages are fresh either way; a copy
        would only add the memcpy and a second set of pages)."""
        cdef Store fresh = <Store>stores[k]
        # The scanner stacks stay with the Lexer: their bytes move to the new store's budget.
        cdef size_t stacks = self.grammar.held(self.state)
        self.store.budget.reserved -= stacks
        fresh.budget.reserved += stacks
        fresh.budget.peak = fresh.budget.reserved
        fresh.generation = self.store.generation
        stores[k] = self.store
        self.store = fresh

    cdef int begin(self, size_t limit) except -1:
        """Start a call: check no view pins memory the limit would free, start the budget, and
        invalidate the results of the previous call (with the GIL)."""
        if limit != 0 and self.store.budget.reserved > limit and self.store.exports:
            # Freeing the chunks would leave those views reading freed memory (a crash).
            raise BufferError(
                f"fastlex.Lexer: {self.store.exports} buffer view(s) of an earlier result still point into this "
                f"Lexer's memory, which memory_limit={limit} requires freeing; release them first")
        self.store.generation += 1
        budget_start_call(&self.store.budget, limit)
        if limit != 0 and self.store.budget.reserved > limit:
            self.release()           # memory kept from earlier, larger sources would not fit
            budget_start_call(&self.store.budget, limit)
        return 0

    cdef int scan(self, const uint8_t* buf, Py_ssize_t n, bint with_lines) noexcept nogil:
        """Lex buf[0:n] into this Lexer's region, pool and error list with its grammar's scanner,
        and if with_lines reserve its newline list (filled when a result first needs it, by
        Tokens.fill_lines, or here under a memory limit). 0, or -1 with the failure in the
        budget. The caller called begin()."""
        cdef int rc
        cdef ScanTarget t
        region_reset(&self.store.region, &self.store.budget)
        t.src = buf
        t.n = n
        t.region = &self.store.region
        t.pool = &self.store.pool
        t.budget = &self.store.budget
        t.errors = &self.store.errors
        rc = region_prepare(&self.store.region, &self.store.budget, n)
        if rc == 0:
            rc = pool_prepare(&self.store.pool, &self.store.budget, buf, n)
        if rc == 0:
            rc = self.grammar.scan(self.state, &t)
        if rc == 0 and with_lines:
            rc = lines_reserve(&self.store.lines, &self.store.budget, n)
            if rc == 0 and self.store.budget.limit != 0:
                # Under a memory limit the list is filled now, so that the limit is enforced
                # by this call rather than by a later position lookup.
                rc = lines_fill(&self.store.lines, &self.store.budget, buf, n)
        if rc != 0 or self.store.budget.failed_phase != PHASE_NONE:
            return -1
        return 0

    cdef Tokens _run(self, Source source, size_t limit):
        """Lex source into this Lexer's memory and wrap the result."""
        cdef int rc
        self.begin(limit)
        with nogil:
            rc = self.scan(source.buf, source.n, True)
        if rc != 0:
            self.raise_memory_error()
        return Tokens._create(self.store, source, self.store)

    def _tokenize_owned(self, src, memory_limit=None):
        """Like tokenize, but the result owns a copy of its records (exactly sized) and never
        expires, while this Lexer keeps its memory for the next source: the form tokenize_many's
        workers use (a fresh Lexer per file would first-touch fresh chunks every time)."""
        self.ready()
        cdef Source source = make_source(src, self.info)
        cdef size_t limit
        cdef int rc
        cdef Store out
        cdef StoreView view
        lim = parse_limit(memory_limit) if memory_limit is not None else self.memory_limit
        limit = 0 if lim is None else lim
        if self.busy:
            raise RuntimeError("this fastlex.Lexer is already lexing in another thread; use one Lexer per thread")
        out = Store.__new__(Store)
        out.generation = 1
        view = out.view()
        self.busy = True
        try:
            self.begin(limit)
            budget_start_call(&out.budget, limit)
            with nogil:
                rc = self.scan(source.buf, source.n, False)
                if rc == 0:
                    rc = copy_result(&view, self.store)
            if rc != 0:
                if out.budget.failed_phase != PHASE_NONE:
                    raise_budget_error(&out.budget)
                self.raise_memory_error()
            return Tokens._create(out, source, self.store)
        finally:
            self.busy = False

    cdef void raise_memory_error(self) except *:
        """Turn the budget's failure record into LexMemoryError, leaving the Lexer reusable."""
        cdef Budget failed = self.store.budget
        region_reset(&self.store.region, &self.store.budget)
        self.store.generation += 1
        raise_budget_error(&failed)


cdef void raise_budget_error(Budget* b) except *:
    """LexMemoryError from a budget's failure record: the phase, the bytes in use, the request, the limit."""
    phase = PHASE_NAMES.get(b.failed_phase, "scanner")
    used = b.reserved
    request = b.failed_request
    limit = b.limit
    if limit:
        msg = (f"fastlex: memory limit exceeded in the {phase}: {used} bytes in use, "
               f"{request} more requested, limit {limit} bytes")
    else:
        msg = f"fastlex: out of memory in the {phase}: {used} bytes in use, {request} more requested"
    raise LexMemoryError(msg, phase=phase, used=used, requested=request, limit=limit or None)


cdef void stats_snapshot(ScanStats* st, Store lx, Py_ssize_t tokens, Py_ssize_t source_bytes) noexcept nogil:
    """Record the figures of lx's last scan (cheap: Tokens build the dict only when asked)."""
    st.source_bytes = source_bytes
    st.tokens = tokens
    st.mallocs = lx.budget.mallocs
    st.reserved = lx.budget.reserved
    st.peak = lx.budget.peak
    st.region_mallocs = lx.region.chunk_mallocs
    st.region_chunks = region_chunks_used(&lx.region)
    st.region_chunks_held = lx.region.nchunks
    st.region_reserved = region_bytes_reserved(&lx.region)
    st.pool_names = lx.pool.count
    st.pool_capacity = lx.pool.capacity
    st.pool_resizes = lx.pool.resizes
    st.pool_probes = lx.pool.probes
    st.pool_max_probe = lx.pool.max_probe
    st.lines_count = lx.lines.count
    st.lines_capacity = lx.lines.capacity
    st.lines_reallocs = lx.lines.reallocs


cdef dict stats_dict(ScanStats* st):
    """The Python form of a ScanStats (Tokens.stats)."""
    return {
        "source_bytes": st.source_bytes,
        "tokens": st.tokens,
        "mallocs": st.mallocs,
        "bytes_reserved": st.reserved,
        "peak_bytes": st.peak,
        "region": {
            "mallocs": st.region_mallocs,
            "chunks": st.region_chunks,
            "chunks_held": st.region_chunks_held,
            "bytes_reserved": st.region_reserved,
            "bytes_used": st.tokens * REGION_RECORD_BYTES,
            "record_bytes": REGION_RECORD_BYTES,
        },
        "pool": {
            "names": st.pool_names,
            "capacity": st.pool_capacity,
            "resizes": st.pool_resizes,
            "probes": st.pool_probes,
            "max_probe": st.pool_max_probe,
            "bytes_reserved": st.pool_capacity * sizeof(PoolEntry),
        },
        "lines": {
            "count": st.lines_count,
            "capacity": st.lines_capacity,
            "reallocs": st.lines_reallocs,
            "bytes_reserved": st.lines_capacity * sizeof(uint32_t),
        },
    }


cdef class Tokens:
    """The tokens of one source, in source order: a read-only sequence of Token.

    Token objects are created on access. ``kinds``, ``starts`` and ``ends``
    give the same data as buffers without creating any. Memory: the records
    live in the Lexer's region; this object keeps the Lexer alive and is valid
    until the Lexer's next ``tokenize`` call.
    """
    cdef Store store
    cdef Py_ssize_t generation
    cdef readonly Source source
    cdef readonly Py_ssize_t count
    cdef list names             # per pool entry number: the interned str, or None until first use
    cdef NameCacheSlot* name_cache   # names of <= 16 bytes read lately (NULL until the first)
    cdef readonly list errors
    cdef ScanStats scan_stats   # the scan's figures, as they were when it ended
    cdef dict stats_dict        # built from scan_stats on first use

    @staticmethod
    cdef Tokens _create(Store store, Source source, Store scanned):
        cdef ScanStats st
        stats_snapshot(&st, scanned, store.region.count, source.n)
        return Tokens._create_with_stats(store, source, &st)

    @staticmethod
    cdef Tokens _create_with_stats(Store store, Source source, ScanStats* stats):
        """The result held in store, of source, which scanned lexed (store itself, or the
        store of a worker Lexer that copied its result into store)."""
        cdef Tokens t = Tokens.__new__(Tokens)
        t.store = store
        t.generation = store.generation
        t.source = source
        t.count = store.region.count
        t.names = [None] * store.pool.count
        t.errors = t._build_errors() if store.errors.count else []
        t.scan_stats = stats[0]
        return t

    @property
    def stats(self):
        """Allocation statistics of the scan that made these tokens (a dict; see README). The
        "lines" figures are the newline list's, filled when first needed (here at the latest);
        all 0 if a Lexer's result is asked after the Lexer has lexed another source."""
        if self.stats_dict is None:
            if self.scan_stats.lines_count == 0 and self.generation == self.store.generation:
                self.fill_lines()
            self.stats_dict = stats_dict(&self.scan_stats)
        return self.stats_dict

    def __dealloc__(self):
        PyMem_Free(self.name_cache)

    cdef inline void check(self) except *:
        """Raise if the Lexer has lexed another source since this one."""
        if self.generation != self.store.generation:
            raise RuntimeError(
                "these Tokens came from a fastlex.Lexer that has since lexed another source; "
                "keep results by lexing with fastlex.tokenize() or copying what you need first")

    cdef int fill_lines(self) except -1:
        """Fill the store's newline list from the source if no one has yet (the scan only
        reserves it), and record its figures in the stats. The caller checked the generation.
        LexMemoryError if the memory limit refuses its growth."""
        cdef Budget failed
        cdef int rc
        if self.store.lines.count != 0:
            return 0
        with nogil:
            rc = lines_fill(&self.store.lines, &self.store.budget, self.source.buf, self.source.n)
        if rc != 0:
            failed = self.store.budget
            self.store.budget.failed_phase = PHASE_NONE
            raise_budget_error(&failed)
        self.scan_stats.lines_count = self.store.lines.count
        self.scan_stats.lines_capacity = self.store.lines.capacity
        self.scan_stats.lines_reallocs = self.store.lines.reallocs
        return 0

    cdef list _build_errors(self):
        cdef Py_ssize_t i
        cdef ErrorRecord* e
        cdef list out = []
        cdef dict messages = self.source.grammar.error_messages
        for i in range(self.store.errors.count):
            e = <ErrorRecord*>vec_at(&self.store.errors, i)
            line, col = self.line_col(e.offset)
            out.append(LexError(e.offset, line, col, messages.get(e.code, "error")))
        out.sort(key=_error_offset)   # in source order (an inner literal may be reported first)
        return out

    cdef tuple line_col(self, Py_ssize_t offset):
        """(line from 1, column from 0) of a byte offset."""
        cdef LineTable* lines = &self.store.lines
        if lines.count == 0:
            self.fill_lines()
        cdef Py_ssize_t li = lines_find(lines, <uint32_t>offset)
        return (li + 1, self.source.width(lines.starts[li], offset))

    def __len__(self):
        self.check()
        return self.count

    cdef Token make_token(self, Py_ssize_t index, Py_ssize_t* line_hint):
        """The Token for record index; line_hint carries the line index between sequential calls."""
        cdef TokenRecord rec = region_get(&self.store.region, index)
        cdef Token tok = Token.__new__(Token)
        cdef LineTable* lines = &self.store.lines
        cdef Py_ssize_t li = line_hint[0]
        cdef Source src = self.source
        cdef uint32_t last
        if lines.count == 0:
            self.fill_lines()
        tok.source = src
        tok.kind = rec.kind
        tok.start_offset = rec.start
        tok.end_offset = rec.end
        # Lines only move forward in source order: step from the hint, else search.
        if li < 0 or li >= lines.count or lines.starts[li] > rec.start:
            li = lines_find(lines, rec.start)
        while li + 1 < lines.count and lines.starts[li + 1] <= rec.start:
            li += 1
        tok.start_line = li + 1
        tok.start_col = src.width(lines.starts[li], rec.start)
        tok.line_lo = lines.starts[li]
        # The end is the position just past the last byte, on the last byte's line (a search:
        # a token may span many lines, and stepping would cost their number on every access).
        last = rec.end - 1 if rec.end > rec.start else rec.start
        if li + 1 < lines.count and lines.starts[li + 1] <= last:
            li = lines_find(lines, last)
        tok.end_line = li + 1
        tok.end_col = src.width(lines.starts[li], rec.end)
        line_hint[0] = tok.start_line - 1
        if rec.kind < src.grammar.kind_count and src.grammar.name_kind[rec.kind]:
            tok._string = self.name_of(rec.start, rec.end)
        return tok

    cdef str name_of(self, uint32_t start, uint32_t end):
        """The interned str of the name token at source[start:end]: equal names give the same object.

        The scanner interns only the names it must look up (identifiers that may be local
        variables); every other name enters the pool here, on first use, and the pool entry's
        number indexes this object's strs. Names of up to 16 bytes read lately are found
        first in name_cache, without the pool (about 70% of the names of real code). Should
        the memory limit refuse the pool room to grow, the name comes back as a fresh str
        (and is not cached)."""
        cdef Source src = self.source
        cdef uint32_t n = end - start
        cdef const uint8_t* p = src.buf + start
        cdef uint64_t head = 0
        cdef uint64_t tail = 0
        cdef NameCacheSlot* c = NULL
        cdef int64_t slot
        cdef Py_ssize_t nid
        if 0 < n <= 16:
            if self.name_cache == NULL:
                self.name_cache = <NameCacheSlot*>PyMem_Calloc(NAME_CACHE_SLOTS, sizeof(NameCacheSlot))
                if self.name_cache == NULL:
                    raise MemoryError()
            if n <= 8:
                head = pool_short_word(p, n)
            else:
                memcpy(&head, p, 8)            # first and last 8 bytes, overlapping: all of them
                memcpy(&tail, p + n - 8, 8)
            c = &self.name_cache[((head ^ (tail * <uint64_t>0xD6E8FEB86659FD93ULL) ^ n)
                                  * <uint64_t>0x9E3779B97F4A7C15ULL) >> NAME_CACHE_SHIFT]
            if c.length == n and c.head == head and c.tail == tail:
                return <str>c.name
        if self.store.pool.capacity == 0:   # a copied result: its pool starts on the first name
            if pool_prepare(&self.store.pool, &self.store.budget, src.buf, src.n) < 0:
                return src.text(start, end)
        slot = pool_intern(&self.store.pool, &self.store.budget, start, n)
        if slot < 0:
            return src.text(start, end)
        nid = self.store.pool.slots[slot].id
        if nid >= len(self.names):
            self.names.extend([None] * (nid + 1 - len(self.names)))
        name = self.names[nid]
        if name is None:
            name = src.text(start, end)
            self.names[nid] = name
        if c != NULL:
            c.head = head
            c.tail = tail
            c.length = n
            c.name = <PyObject*>name
        return name

    def __getitem__(self, index):
        cdef Py_ssize_t i, hint = -1
        self.check()
        if isinstance(index, slice):
            return [self[j] for j in range(*index.indices(self.count))]
        i = index
        if i < 0:
            i += self.count
        if i < 0 or i >= self.count:
            raise IndexError("token index out of range")
        return self.make_token(i, &hint)

    def __iter__(self):
        self.check()
        return TokenIterator._create(self)

    def __repr__(self):
        return f"<fastlex.Tokens: {self.count} tokens, {len(self.errors)} errors, {self.source.n} bytes>"

    @property
    def kinds(self):
        """Token kinds as a buffer of uint16 (format 'H'), one per token: memoryview(tokens.kinds)."""
        self.check()
        return Column._create(self, FIELD_KIND, 2, b"H")

    @property
    def starts(self):
        """Token start byte offsets into the UTF-8 source, as a buffer of uint32 (format 'I')."""
        self.check()
        return Column._create(self, FIELD_START, 4, b"I")

    @property
    def ends(self):
        """Token end byte offsets (exclusive) into the UTF-8 source, as a buffer of uint32 (format 'I')."""
        self.check()
        return Column._create(self, FIELD_END, 4, b"I")

    def __arrow_c_array__(self, requested_schema=None):
        """The Arrow PyCapsule interface: (schema, array) capsules of a struct array
        {kind: uint16, start: uint32, end: uint32}, one row a token, built on the kinds/starts/ends
        columns (zero copy when they are). ``pyarrow.array(tokens)`` takes it as is. Like a
        memoryview of a column, the array reads the Lexer's memory: it stays valid while it
        lives, and for a reused Lexer shows that Lexer's results only until its next call.
        ``requested_schema`` is not honoured (the consumer casts if it must)."""
        self.check()
        return arrow_export(self.kinds, self.starts, self.ends, self.count)

    def _pool_names(self):
        """The names in the Lexer's pool, in entry order, as bytes. Right after tokenize these are
        exactly the names the scan interned (identifiers that may be local variables); making
        Tokens adds the others. Internal: bench/calibrate.py replays the pool's work from it."""
        self.check()
        cdef Pool* pool = &self.store.pool
        cdef list out = [None] * pool.count
        cdef const char* base = <const char*>self.source.buf
        cdef PoolEntry* e
        cdef uint32_t j
        for j in range(pool.capacity):
            e = &pool.slots[j]
            if e.length != 0:
                out[e.id] = base[e.start:e.start + e.length]
        return out

    @property
    def line_starts(self):
        """Byte offset of the start of each line, as a list."""
        self.check()
        self.fill_lines()
        return [self.store.lines.starts[i] for i in range(self.store.lines.count)]

    def text(self, Py_ssize_t index):
        """The source text of token ``index`` (same as ``tokens[index].string``, without the Token)."""
        self.check()
        if index < 0:
            index += self.count
        if index < 0 or index >= self.count:
            raise IndexError("token index out of range")
        cdef TokenRecord rec = region_get(&self.store.region, index)
        return self.source.text(rec.start, rec.end)

    def position(self, Py_ssize_t offset):
        """(line, column) of a byte offset into the UTF-8 source."""
        self.check()
        if offset < 0 or offset > self.source.n:
            raise IndexError("offset outside the source")
        return self.line_col(offset)


cdef class TokenIterator:
    """Iterates over Tokens, creating each Token as it goes."""
    cdef Tokens tokens
    cdef Py_ssize_t index
    cdef Py_ssize_t line_hint

    @staticmethod
    cdef TokenIterator _create(Tokens tokens):
        cdef TokenIterator it = TokenIterator.__new__(TokenIterator)
        it.tokens = tokens
        it.index = 0
        it.line_hint = 0
        return it

    def __iter__(self):
        return self

    def __next__(self):
        if self.index >= self.tokens.count:
            raise StopIteration
        self.tokens.check()
        tok = self.tokens.make_token(self.index, &self.line_hint)
        self.index += 1
        return tok


# Tokens are made by the hundred thousand: no cyclic GC for them (a Token refers only to its
# Source and a str, which never refer back, so no cycle can form) and a freelist for reuse.
@cython.no_gc
@cython.freelist(256)
cdef class Token:
    """One token, shaped like ``tokenize.TokenInfo``: (type, string, start, end, line).

    ``type`` is a ``fastlex.kinds.Kind``; ``start``/``end`` are (line, column)
    with lines from 1 and columns from 0, counted in code points for str input
    and in bytes for bytes input; ``line`` is the physical line(s) holding the
    token, built when asked for. The Token keeps its Source alive and stays
    valid whatever happens to the Lexer afterwards.
    """
    cdef Source source
    cdef object _string
    cdef readonly uint32_t start_offset
    cdef readonly uint32_t end_offset
    cdef uint16_t kind
    cdef uint32_t line_lo             # where the token's first line starts
    cdef Py_ssize_t start_line, start_col, end_line, end_col

    @property
    def type(self):
        """The token's Kind (of its grammar's enum)."""
        return self.source.grammar.kind_members[self.kind]

    @property
    def exact_type(self):
        """Same as ``type`` (tokenize.TokenInfo has both)."""
        return self.source.grammar.kind_members[self.kind]

    @property
    def string(self):
        """The token's text (names are interned: equal names are the same str object)."""
        if self._string is None:
            self._string = self.source.text(self.start_offset, self.end_offset)
        return self._string

    @property
    def start(self):
        """(line, column) of the first character."""
        return (self.start_line, self.start_col)

    @property
    def end(self):
        """(line, column) just past the last character."""
        return (self.end_line, self.end_col)

    @property
    def line(self):
        """The physical line(s) the token is on, newline included."""
        return self.source.line_of(self.line_lo, self.end_offset - 1 if self.end_offset > self.start_offset
                                   else self.start_offset)

    def _astuple(self):
        return (self.type, self.string, self.start, self.end, self.line)

    def __iter__(self):
        return iter(self._astuple())

    def __len__(self):
        return 5

    def __getitem__(self, i):
        return self._astuple()[i]

    def __eq__(self, other):
        if isinstance(other, Token):
            return (self.kind == (<Token>other).kind and self.start_offset == (<Token>other).start_offset
                    and self.end_offset == (<Token>other).end_offset and self.string == (<Token>other).string)
        if isinstance(other, tuple):
            return self._astuple() == other
        return NotImplemented

    def __hash__(self):
        return hash((self.kind, self.start_offset, self.end_offset, self.string))

    def __repr__(self):
        return (f"Token(type={self.type.name}, string={self.string!r}, start={self.start!r}, "
                f"end={self.end!r}, line={self.line!r})")


cdef inline void fill_view(Py_buffer* view, object owner, void* buf, Py_ssize_t count, Py_ssize_t itemsize,
                           bytes fmt, Py_ssize_t* shape, Py_ssize_t* strides, int flags) noexcept:
    """Describe a read-only contiguous 1-D buffer of count items to a consumer (shape and strides
    only for consumers that ask for them). shape and strides must hold count and itemsize."""
    view.buf = buf
    view.obj = owner
    view.len = count * itemsize
    view.readonly = 1
    view.itemsize = itemsize
    view.format = <char*>fmt if flags & PyBUF_FORMAT else NULL
    view.ndim = 1
    view.shape = shape if (flags & PyBUF_ND) == PyBUF_ND else NULL
    view.strides = strides if (flags & PyBUF_STRIDES) == PyBUF_STRIDES else NULL
    view.suboffsets = NULL
    view.internal = NULL


cdef class Column:
    """A bulk column of a Tokens object (kinds, starts or ends): a read-only sequence of ints
    (``len``, indexing, slicing, iteration, ``tolist()``, ``==`` with lists and tuples) that also
    exports itself as a contiguous buffer (``memoryview(col)``, ``numpy.frombuffer(col, ...)``).

    When all records sit in one region chunk (the usual case: the first chunk
    is sized for the whole file) the buffer is the chunk's own array of that
    field, no copy. Otherwise the column is gathered once into a contiguous
    block owned by this object. Memory: the column keeps the Lexer alive and,
    like its Tokens, is valid until the Lexer's next tokenize call; after it,
    reading raises RuntimeError.
    """
    cdef Store store
    cdef Py_ssize_t generation
    cdef char* base
    cdef char* owned
    cdef Py_ssize_t length
    cdef Py_ssize_t itemsize
    cdef bytes fmt
    cdef Py_ssize_t shape[1]
    cdef Py_ssize_t strides[1]
    cdef readonly bint zero_copy

    @staticmethod
    cdef Column _create(Tokens tokens, int field, Py_ssize_t itemsize, bytes fmt):
        cdef Column c = Column.__new__(Column)
        cdef Region* r = &tokens.store.region
        c.store = tokens.store
        c.generation = tokens.generation
        c.length = tokens.count
        c.itemsize = itemsize
        c.fmt = fmt
        if region_chunks_used(r) <= 1 and not r.per_token:
            c.base = chunk_field(r, 0, field) if r.nchunks else NULL
            c.zero_copy = True
        else:
            c.owned = <char*>PyMem_Malloc(max(c.length, 1) * itemsize)
            if c.owned == NULL:
                raise MemoryError()
            region_copy_field(r, field, c.owned)
            c.base = c.owned
            c.zero_copy = False
        c.shape[0] = c.length
        c.strides[0] = itemsize
        return c

    def __dealloc__(self):
        if self.owned != NULL:
            PyMem_Free(self.owned)

    cdef inline void check(self) except *:
        """Raise if the Lexer has lexed another source since (a zero-copy column's memory is the
        Lexer's and may be rewritten or freed)."""
        if self.generation != self.store.generation:
            raise RuntimeError(
                "this column came from a fastlex.Lexer that has since lexed another source; "
                "keep results by lexing with fastlex.tokenize() or copying what you need first")

    cdef inline uint64_t value(self, Py_ssize_t i) noexcept:
        """The i-th value (0 <= i < count)."""
        if self.itemsize == 2:
            return (<const uint16_t*>self.base)[i]
        return (<const uint32_t*>self.base)[i]

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        cdef Py_ssize_t i
        self.check()
        if isinstance(index, slice):
            with memoryview(self) as view:
                return view[index].tolist()
        i = index
        if i < 0:
            i += self.length
        if i < 0 or i >= self.length:
            raise IndexError("column index out of range")
        return self.value(i)

    def __iter__(self):
        self.check()
        return ColumnIterator._create(self)

    def __reversed__(self):
        self.check()
        return iter(self.tolist()[::-1])

    def __contains__(self, x):
        return x in self.tolist()

    def index(self, value, start=0, stop=PY_SSIZE_T_MAX, /):
        """Index of the first value equal to value in [start, stop) (ValueError if none), as list.index."""
        return self.tolist().index(value, start, stop)

    def count(self, value, /):
        """How many values equal value."""
        return self.tolist().count(value)

    def tolist(self):
        """The column's values as a list of ints."""
        self.check()
        with memoryview(self) as view:      # CPython's own loop over the buffer
            return view.tolist()

    def __eq__(self, other):
        cdef Py_ssize_t i
        if isinstance(other, Column):
            other = (<Column>other).tolist()
        if not isinstance(other, (list, tuple)):
            return NotImplemented
        self.check()
        if len(other) != self.length:
            return False
        for i in range(self.length):
            if other[i] != self.value(i):
                return False
        return True

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = None

    def __repr__(self):
        if self.generation != self.store.generation:
            return "<fastlex.Column (expired)>"
        head = self[:8]
        more = ", ..." if self.length > 8 else ""
        return f"Column([{', '.join(map(str, head))}{more}], len={self.length}, format={self.fmt.decode()!r})"

    def __getbuffer__(self, Py_buffer* view, int flags):
        if flags & PyBUF_WRITABLE:
            raise BufferError("fastlex columns are read-only")
        if self.generation != self.store.generation:
            raise BufferError("this column came from a fastlex.Lexer that has since lexed another source")
        fill_view(view, self, self.base, self.length, self.itemsize, self.fmt, self.shape, self.strides, flags)
        if self.zero_copy:
            self.store.exports += 1

    def __releasebuffer__(self, Py_buffer* view):
        if self.zero_copy:
            self.store.exports -= 1


cdef class ColumnIterator:
    """Iterates over a Column's values (checking, as the column does, that they are still valid)."""
    cdef Column column
    cdef Py_ssize_t index

    @staticmethod
    cdef ColumnIterator _create(Column column):
        cdef ColumnIterator it = ColumnIterator.__new__(ColumnIterator)
        it.column = column
        return it

    def __iter__(self):
        return self

    def __next__(self):
        if self.index >= self.column.length:
            raise StopIteration
        self.column.check()
        self.index += 1
        return self.column.value(self.index - 1)


import collections.abc as _abc
_abc.Sequence.register(Column)


cdef class OwnedBuffer:
    """A read-only buffer of fixed-size items that owns its memory (the arrays lex_arrow_rows
    fills; pyarrow.py_buffer wraps one without a copy and keeps it alive). Blocks of 1 MiB and
    more are pages mapped for it alone, returned to the system when it goes."""
    cdef char* data
    cdef Py_ssize_t count
    cdef Py_ssize_t capacity
    cdef Py_ssize_t itemsize
    cdef int mapped
    cdef bytes fmt
    cdef Py_ssize_t shape[1]
    cdef Py_ssize_t strides[1]

    @staticmethod
    cdef OwnedBuffer _create(Py_ssize_t itemsize, bytes fmt, Py_ssize_t capacity):
        cdef OwnedBuffer b = OwnedBuffer.__new__(OwnedBuffer)
        b.itemsize = itemsize
        b.fmt = fmt
        b.data = fastlex_block_alloc(max(capacity, 1) * itemsize, &b.mapped)
        if b.data == NULL:
            raise MemoryError()
        b.capacity = max(capacity, 1)
        return b

    cdef int reserve(self, Py_ssize_t need) noexcept nogil:
        """Room for need items (doubling); 0, or -1 when out of memory (contents kept)."""
        cdef Py_ssize_t cap = self.capacity
        cdef char* grown
        if need <= cap:
            return 0
        while cap < need:
            cap *= 2
        grown = fastlex_block_resize(self.data, self.capacity * self.itemsize, cap * self.itemsize,
                                     self.count * self.itemsize, &self.mapped)
        if grown == NULL:
            return -1
        self.data = grown
        self.capacity = cap
        return 0

    def __dealloc__(self):
        fastlex_block_free(self.data, self.capacity * self.itemsize, self.mapped)

    def __len__(self):
        return self.count

    def __getbuffer__(self, Py_buffer* view, int flags):
        if flags & PyBUF_WRITABLE:
            raise BufferError("fastlex buffers are read-only")
        self.shape[0] = self.count
        self.strides[0] = self.itemsize
        fill_view(view, self, self.data, self.count, self.itemsize, self.fmt, self.shape, self.strides, flags)

    def __releasebuffer__(self, Py_buffer* view):
        pass


cdef int compare_u64(const void* a, const void* b) noexcept nogil:
    cdef uint64_t x = (<const uint64_t*>a)[0]
    cdef uint64_t y = (<const uint64_t*>b)[0]
    return (x > y) - (x < y)


cdef int append_errors(Vec* errors, OwnedBuffer offsets, OwnedBuffer codes, uint64_t* keys) noexcept nogil:
    """Append a scan's errors in source order (stable: ties keep the scanner's order, as
    Tokens.errors does), using keys (room for errors.count) as scratch; 0 or -1 (no memory)."""
    cdef Py_ssize_t k = errors.count
    cdef Py_ssize_t i
    cdef ErrorRecord* e
    cdef uint32_t idx
    if offsets.reserve(offsets.count + k) < 0 or codes.reserve(codes.count + k) < 0:
        return -1
    for i in range(k):
        e = <ErrorRecord*>vec_at(errors, i)
        keys[i] = (<uint64_t>e.offset << 32) | <uint64_t>i
    qsort(keys, k, sizeof(uint64_t), compare_u64)
    for i in range(k):
        idx = <uint32_t>(keys[i] & 0xFFFFFFFFu)
        e = <ErrorRecord*>vec_at(errors, idx)
        (<uint32_t*>offsets.data)[offsets.count + i] = e.offset
        (<uint32_t*>codes.data)[codes.count + i] = e.code
    offsets.count += k
    codes.count += k
    return 0


cdef const unsigned char EMPTY_BYTES[1]


def lex_arrow_rows(Lexer lexer not None, data, offsets, int offset_width, validity,
                   Py_ssize_t first, Py_ssize_t rows, memory_limit=None):
    """Lex rows [first, first + rows) of an Arrow string/binary array given by its buffers
    (``data``, ``offsets`` of ``offset_width`` 4 or 8 bytes, ``validity`` or None), with the GIL
    released for the whole batch and ``lexer``'s memory reused from row to row.

    Returns a dict of OwnedBuffers: ``token_offsets`` (int64, rows + 1), ``kinds`` (uint16),
    ``starts``/``ends`` (uint32), ``error_offsets`` (int64, rows + 1), ``error_positions``
    (uint32), ``error_codes`` (uint32: keys of ERROR_MESSAGES), and ``nulls`` (rows that are null).
    Row offsets are checked against the data (ValueError), as are the limits of tokenize."""
    cdef const unsigned char[::1] dview = data if data is not None else b""
    cdef const unsigned char[::1] oview = offsets
    cdef const unsigned char[::1] vview
    cdef const uint8_t* dbuf = <const uint8_t*>&dview[0] if dview.shape[0] else EMPTY_BYTES
    cdef Py_ssize_t dlen = dview.shape[0]
    cdef const uint8_t* obuf = <const uint8_t*>&oview[0] if oview.shape[0] else EMPTY_BYTES
    cdef const uint8_t* vbuf = NULL
    cdef Py_ssize_t i, row, m, total = 0, etotal = 0, nulls = 0
    cdef int64_t a, b
    cdef int32_t a32, b32
    cdef int rc = 0
    cdef Py_ssize_t bad_row = -1
    cdef int bad_reason = 0          # 1: offsets out of range; 2: source too large; 3: scan (memory); 4: output memory
    cdef uint64_t* keys = NULL
    cdef Py_ssize_t keys_cap = 0
    if offset_width not in (4, 8):
        raise ValueError("offset_width must be 4 or 8")
    if first < 0 or rows < 0 or (first + rows + 1) * offset_width > oview.shape[0]:
        raise ValueError("the offsets buffer is too short for these rows")
    if validity is not None:
        vview = validity
        if (first + rows + 7) // 8 > vview.shape[0]:
            raise ValueError("the validity buffer is too short for these rows")
        vbuf = <const uint8_t*>&vview[0] if vview.shape[0] else NULL
    lim = parse_limit(memory_limit) if memory_limit is not None else lexer.memory_limit
    cdef size_t limit = 0 if lim is None else lim
    cdef OwnedBuffer tok_off = OwnedBuffer._create(8, b"q", rows + 1)
    cdef OwnedBuffer err_off = OwnedBuffer._create(8, b"q", rows + 1)
    cdef OwnedBuffer kinds = OwnedBuffer._create(2, b"H", dlen // 4 + 16)
    cdef OwnedBuffer starts = OwnedBuffer._create(4, b"I", dlen // 4 + 16)
    cdef OwnedBuffer ends = OwnedBuffer._create(4, b"I", dlen // 4 + 16)
    cdef OwnedBuffer err_pos = OwnedBuffer._create(4, b"I", 16)
    cdef OwnedBuffer err_code = OwnedBuffer._create(4, b"I", 16)
    lexer.ready()
    if lexer.busy:
        raise RuntimeError("this fastlex.Lexer is already lexing in another thread; use one Lexer per thread")
    lexer.busy = True
    try:
        lexer.begin(limit)
        with nogil:
            for i in range(rows):
                row = first + i
                (<int64_t*>tok_off.data)[i] = total
                (<int64_t*>err_off.data)[i] = etotal
                if vbuf != NULL and not ((vbuf[row >> 3] >> (row & 7)) & 1):
                    nulls += 1
                    continue
                if offset_width == 4:
                    memcpy(&a32, obuf + row * 4, 4)
                    memcpy(&b32, obuf + row * 4 + 4, 4)
                    a = a32
                    b = b32
                else:
                    memcpy(&a, obuf + row * 8, 8)
                    memcpy(&b, obuf + row * 8 + 8, 8)
                if a < 0 or b < a or b > dlen:
                    bad_row = row
                    bad_reason = 1
                    break
                if b - a > <int64_t>MAX_SOURCE_BYTES_C:
                    bad_row = row
                    bad_reason = 2
                    break
                budget_start_call(&lexer.store.budget, limit)
                if lexer.scan(dbuf + a, b - a, False) != 0:
                    bad_row = row
                    bad_reason = 3
                    break
                m = lexer.store.region.count
                if kinds.reserve(total + m) < 0 or starts.reserve(total + m) < 0 or ends.reserve(total + m) < 0:
                    bad_row = row
                    bad_reason = 4
                    break
                region_copy_field(&lexer.store.region, FIELD_KIND, kinds.data + total * 2)
                region_copy_field(&lexer.store.region, FIELD_START, starts.data + total * 4)
                region_copy_field(&lexer.store.region, FIELD_END, ends.data + total * 4)
                total += m
                kinds.count = starts.count = ends.count = total   # what a later reserve() keeps
                if lexer.store.errors.count:
                    if lexer.store.errors.count > keys_cap:
                        free(keys)
                        keys_cap = lexer.store.errors.count
                        keys = <uint64_t*>malloc(keys_cap * sizeof(uint64_t))
                        if keys == NULL:
                            keys_cap = 0
                            bad_row = row
                            bad_reason = 4
                            break
                    if append_errors(&lexer.store.errors, err_pos, err_code, keys) < 0:
                        bad_row = row
                        bad_reason = 4
                        break
                    etotal += lexer.store.errors.count
            free(keys)
        if bad_reason == 3:
            lexer.raise_memory_error()
        if bad_reason == 4:
            raise MemoryError(f"fastlex: out of memory building the token columns (row {bad_row})")
        if bad_reason == 1:
            raise ValueError(f"row {bad_row}: its offsets lie outside the data buffer")
        if bad_reason == 2:
            raise ValueError(f"row {bad_row}: the source is more than the limit of {MAX_SOURCE_BYTES} bytes "
                             f"(token offsets are 32-bit)")
    finally:
        lexer.busy = False
    (<int64_t*>tok_off.data)[rows] = total
    (<int64_t*>err_off.data)[rows] = etotal
    tok_off.count = rows + 1
    err_off.count = rows + 1
    kinds.count = starts.count = ends.count = total
    return {"token_offsets": tok_off, "kinds": kinds, "starts": starts, "ends": ends,
            "error_offsets": err_off, "error_positions": err_pos, "error_codes": err_code, "nulls": nulls}


# ---------------------------------------------------------------- C API (_core.pxd)

cdef Tokens api_tokens(object tokens):
    """tokens as a current Tokens, or the exception a caller of the C API gets."""
    if not isinstance(tokens, Tokens):
        raise TypeError(f"expected fastlex Tokens, got {type(tokens).__name__}")
    cdef Tokens t = <Tokens>tokens
    t.check()
    return t


cdef Py_ssize_t tokens_runs(object tokens, TokenRun* runs, Py_ssize_t capacity) except -1:
    """The result's record arrays, a run per region chunk (see _core.pxd)."""
    cdef Tokens t = api_tokens(tokens)
    cdef Region* r = &t.store.region
    cdef int c
    cdef int used
    if r.per_token:
        raise ValueError("a Lexer(region=False) result keeps each record in a malloc of its own: "
                         "it has no arrays to give; read tokens.kinds/starts/ends instead")
    used = region_chunks_used(r)
    for c in range(used):
        if c >= capacity:
            break
        runs[c].starts = chunk_starts(r, c)
        runs[c].ends = chunk_ends(r, c)
        runs[c].kinds = chunk_kinds(r, c)
        runs[c].count = r.used[c]
    return used


cdef const uint8_t* tokens_source(object tokens, Py_ssize_t* length) except NULL:
    """The bytes the result's offsets point into, and their length (see _core.pxd)."""
    cdef Tokens t = api_tokens(tokens)
    length[0] = t.source.n
    if t.source.buf == NULL:
        return <const uint8_t*>b""
    return t.source.buf


cdef const uint32_t* tokens_line_starts(object tokens, Py_ssize_t* count) except NULL:
    """The start offset of every line, filling the newline list first if needed (see _core.pxd)."""
    cdef Tokens t = api_tokens(tokens)
    t.fill_lines()
    count[0] = t.store.lines.count
    return t.store.lines.starts
