# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""The hot loop of fastlex's Pygments plugin, in C: fastlex's token columns -> Pygments' token stream.

``build(text, kinds, starts, ends, tables, indexed)`` turns the bulk columns
of a ``fastlex.Tokens`` into the list of ``(tokentype, value)`` pairs (or
``(index, tokentype, value)`` triples) that Pygments consumes: the values
concatenate to ``text``, the gaps between tokens come out as white space,
and the token types that depend on context are refined on the way (the
literal a string part belongs to, the name after def/class/module, the base
of an integer, Kernel methods called without a receiver).

This module knows nothing of Ruby's kinds nor of Pygments: the plugin
(``fastlex/pygments.py``) gives each fastlex kind a *role* (``ROLES``) and
passes the Pygments token type objects in through a ``Tables``. Importing
it imports neither fastlex's kinds nor Pygments.
"""
cimport cython
from cpython.dict cimport PyDict_GetItemWithError
from cpython.mem cimport PyMem_Calloc, PyMem_Malloc, PyMem_Realloc, PyMem_Free
from cpython.object cimport PyObject
from cpython.ref cimport Py_INCREF, Py_XDECREF
from cpython.tuple cimport PyTuple_GET_ITEM
from libc.stdint cimport uint8_t, uint32_t, uint64_t, uintptr_t
from libc.string cimport memcmp
from cpython.unicode cimport (
    PyUnicode_DATA, PyUnicode_GET_LENGTH, PyUnicode_KIND, PyUnicode_READ, PyUnicode_Substring,
    Py_UNICODE_ISSPACE)

cdef extern from *:
    # 64-bit hashing constants, as C literals (Cython would make Python ints of them).
    """
    #define FASTLEX_FNV_OFFSET 0xcbf29ce484222325ULL
    #define FASTLEX_FNV_PRIME 0x100000001b3ULL
    #define FASTLEX_MIX1 ((uintptr_t)0x9E3779B97F4A7C15ULL)
    #define FASTLEX_MIX2 ((uintptr_t)0xC2B2AE3D27D4EB4FULL)
    """
    const uint64_t FNV_OFFSET "FASTLEX_FNV_OFFSET"
    const uint64_t FNV_PRIME "FASTLEX_FNV_PRIME"
    const uintptr_t MIX1 "FASTLEX_MIX1"
    const uintptr_t MIX2 "FASTLEX_MIX2"

cdef extern from "Python.h":
    bint PyUnicode_IS_ASCII(object o)
    Py_ssize_t PyUnicode_FindChar(object s, Py_UCS4 ch, Py_ssize_t start, Py_ssize_t end, int direction) except -2
    void PyObject_GC_UnTrack(object o)
    void PyObject_GC_Track(object o)

include "_chars.pxi"

# What the loop needs to know of a kind. The roles before R_SLOW take their type straight
# from the kind's table entry when no def/class/module name is pending; the others are
# looked at more closely.
cdef enum:
    R_PLAIN = 0          # the kind alone decides the type
    R_CONSTANT           # a class/module name after class/module; a receiver after def
    R_DOT                # . and &. after a def name make it a receiver
    R_AMPERSAND_DOT
    R_EQUAL              # = right after a def name belongs to the name (def x=)
    R_COLON_COLON        # :: continues a class/module path
    R_UCOLON_COLON       # :: opening a class/module path (class ::Foo)
    R_SLOW
    R_NEWLINE = R_SLOW   # left to the next gap; ends a pending def/class/module name
    R_EOF                # zero width: never emitted
    R_IDENTIFIER         # a name: Kernel/Module methods called bare get their special type
    R_METHOD_NAME        # a name ending in ? or !: as R_IDENTIFIER
    R_INTEGER            # 0x.. 0b.. 0o.. 0.. change the type
    R_OPENER             # opens a literal (string, symbol, heredoc, regexp, command, % list)
    R_STRING_CONTENT     # takes the innermost literal's type
    R_STRING_END         # closes the innermost non-heredoc literal, takes its type
    R_REGEXP_END
    R_HEREDOC_END        # closes the innermost heredoc
    R_EMBEXPR_BEGIN      # #{ : code inside a literal
    R_EMBEXPR_END
    R_EMBVAR             # # of #@var: the variable after it is interpolation too
    R_KEYWORD_DEF
    R_KEYWORD_CLASS
    R_KEYWORD_MODULE
    R_COUNT

#: Role name -> code, for the plugin to describe its kinds (``Tables(roles=...)``).
ROLES = {
    "plain": R_PLAIN, "constant": R_CONSTANT, "dot": R_DOT, "ampersand_dot": R_AMPERSAND_DOT,
    "equal": R_EQUAL, "colon_colon": R_COLON_COLON, "ucolon_colon": R_UCOLON_COLON,
    "newline": R_NEWLINE, "eof": R_EOF, "identifier": R_IDENTIFIER, "method_name": R_METHOD_NAME,
    "integer": R_INTEGER, "opener": R_OPENER, "string_content": R_STRING_CONTENT,
    "string_end": R_STRING_END, "regexp_end": R_REGEXP_END, "heredoc_end": R_HEREDOC_END,
    "embexpr_begin": R_EMBEXPR_BEGIN, "embexpr_end": R_EMBEXPR_END, "embvar": R_EMBVAR,
    "keyword_def": R_KEYWORD_DEF, "keyword_class": R_KEYWORD_CLASS, "keyword_module": R_KEYWORD_MODULE,
}

# States of the name-context machine (what the previous significant tokens were).
cdef enum:
    S_NONE = 0
    S_DEF            # after def: the next token is the method name (or its receiver)
    S_DEF_NAME       # after the method name: a . makes it a receiver, an = joins it
    S_CLASS          # after class: a constant is the class name
    S_CLASS_NAME     # after the class name: :: continues the path
    S_MODULE
    S_MODULE_NAME
    S_EMBVAR         # after the # of #@var
    S_SYMBOL         # after the : of :name (prism's SYMBOL_BEGIN): the name is String.Symbol


cdef class Tables:
    """Pygments token types for ``build``: one per kind, the role of each kind, and the fixed types
    the context rules assign. Holds references to every type object it hands out."""

    cdef list keep          # owns the objects the C arrays below point to
    cdef Py_ssize_t nkinds
    cdef PyObject** types   # per kind: its type before context refines it
    cdef PyObject** literal  # per kind with role opener: the type of its literal, NULL: by its text
    cdef unsigned char* roles
    cdef dict name_types    # name -> type of a bare call (puts -> Name.Builtin)
    cdef PyObject* text
    cdef PyObject* whitespace
    cdef PyObject* function
    cdef PyObject* class_
    cdef PyObject* namespace
    cdef PyObject* interpol
    cdef PyObject* double_
    cdef PyObject* single
    cdef PyObject* other
    cdef PyObject* heredoc
    cdef PyObject* hex
    cdef PyObject* bin
    cdef PyObject* oct
    cdef PyObject* integer
    cdef PyObject* operator_
    cdef PyObject* comment
    cdef PyObject* hashbang
    cdef PyObject* escape

    def __cinit__(self, types, roles, openers, dict name_types not None, *, text, whitespace, function, class_,
                  namespace, interpol, double_, single, other, heredoc, hex, bin, oct, integer,
                  operator_, comment, hashbang, escape):
        """``types[k]``, ``roles[k]`` (a ``ROLES`` value) for every kind k; ``openers``: kind -> literal
        type (None: decided by the opener's text, " double, ' single, else other)."""
        cdef Py_ssize_t k
        types = list(types)
        roles = bytes(roles)
        if len(types) != len(roles):
            raise ValueError("types and roles must have one entry per kind")
        for k in range(len(roles)):
            if roles[k] >= R_COUNT:
                raise ValueError(f"kind {k}: unknown role {roles[k]}")
        self.nkinds = len(types)
        self.keep = [types, roles, dict(openers), name_types]
        self.types = <PyObject**>PyMem_Malloc(self.nkinds * sizeof(PyObject*))
        self.literal = <PyObject**>PyMem_Malloc(self.nkinds * sizeof(PyObject*))
        self.roles = <unsigned char*>PyMem_Malloc(self.nkinds)
        if self.types == NULL or self.literal == NULL or self.roles == NULL:
            raise MemoryError()
        for k in range(self.nkinds):
            self.types[k] = <PyObject*>types[k]
            self.roles[k] = roles[k]
            self.literal[k] = NULL
        for k, ttype in openers.items():
            if not 0 <= k < self.nkinds or roles[k] != R_OPENER:
                raise ValueError(f"kind {k} is not an opener")
            if ttype is not None:
                self.literal[k] = <PyObject*>ttype
        self.name_types = name_types
        fixed = [text, whitespace, function, class_, namespace, interpol, double_, single, other,
                 heredoc, hex, bin, oct, integer, operator_, comment, hashbang, escape]
        self.keep.append(fixed)
        self.text = <PyObject*>text
        self.whitespace = <PyObject*>whitespace
        self.function = <PyObject*>function
        self.class_ = <PyObject*>class_
        self.namespace = <PyObject*>namespace
        self.interpol = <PyObject*>interpol
        self.double_ = <PyObject*>double_
        self.single = <PyObject*>single
        self.other = <PyObject*>other
        self.heredoc = <PyObject*>heredoc
        self.hex = <PyObject*>hex
        self.bin = <PyObject*>bin
        self.oct = <PyObject*>oct
        self.integer = <PyObject*>integer
        self.operator_ = <PyObject*>operator_
        self.comment = <PyObject*>comment
        self.hashbang = <PyObject*>hashbang
        self.escape = <PyObject*>escape

    def __dealloc__(self):
        PyMem_Free(self.types)
        PyMem_Free(self.literal)
        PyMem_Free(self.roles)


cdef struct Literals:
    # Open literals, innermost last: the type their parts take, NULL for an interpolation (#{),
    # and whether escape sequences are read in them (their STRING_CONTENT holds the escapes).
    PyObject** items
    unsigned char* escapes
    Py_ssize_t count
    Py_ssize_t capacity


cdef int lit_push(Literals* s, PyObject* ttype, bint escapes) except -1:
    """Push ``ttype`` (borrowed: Tables owns it), growing the stack as needed."""
    cdef PyObject** grown
    cdef unsigned char* grown_escapes
    if s.count == s.capacity:
        s.capacity = s.capacity * 2 if s.capacity else 16
        grown = <PyObject**>PyMem_Realloc(s.items, s.capacity * sizeof(PyObject*))
        if grown == NULL:
            raise MemoryError()
        s.items = grown
        grown_escapes = <unsigned char*>PyMem_Realloc(s.escapes, s.capacity)
        if grown_escapes == NULL:
            raise MemoryError()
        s.escapes = grown_escapes
    s.items[s.count] = ttype
    s.escapes[s.count] = escapes
    s.count += 1
    return 0


cdef PyObject* lit_close(Literals* s, int want, PyObject* heredoc, PyObject* default) noexcept:
    """Remove the innermost open literal of the sort wanted (0: not a heredoc, 1: a heredoc,
    2: an interpolation) and return its type; ``default`` if there is none (malformed source)
    or it is an interpolation."""
    cdef Py_ssize_t i, j
    cdef PyObject* top
    cdef bint match
    for i in range(s.count - 1, -1, -1):
        top = s.items[i]
        if want == 2:
            match = top == NULL
        elif want == 1:
            match = top == heredoc
        else:
            match = top != NULL and top != heredoc
        if match:
            for j in range(i, s.count - 1):
                s.items[j] = s.items[j + 1]
                s.escapes[j] = s.escapes[j + 1]
            s.count -= 1
            return default if top == NULL else top
    return default


cdef bint opener_escapes(Offsets* o, Py_ssize_t start, Py_ssize_t end) noexcept:
    """True if the literal opened by ``text[start:end]`` reads escape sequences: not '...',
    :'...', %q %w %i %s, nor a heredoc with a single-quoted identifier."""
    cdef Py_UCS4 c = PyUnicode_READ(o.kind, o.data, start)
    cdef Py_UCS4 c1 = PyUnicode_READ(o.kind, o.data, start + 1) if start + 1 < end else 0
    cdef Py_ssize_t i
    if c == u"'":
        return False
    if c == u':':
        return c1 != u"'"
    if c == u'%':
        return not (c1 == u'q' or c1 == u'w' or c1 == u'i' or c1 == u's')
    if c == u'<':
        for i in range(start + 2, end):
            c = PyUnicode_READ(o.kind, o.data, i)
            if c != u'~' and c != u'-':
                return c != u"'"
    return True


cdef inline bint is_hex(Py_UCS4 c) noexcept:
    return (u'0' <= c <= u'9') or (u'a' <= c <= u'f') or (u'A' <= c <= u'F')


cdef Py_ssize_t escape_end(Offsets* o, Py_ssize_t i, Py_ssize_t end) noexcept:
    """End of the escape sequence whose backslash is at ``i`` (within ``end``), as the scanner reads it."""
    cdef Py_ssize_t j, k
    cdef Py_UCS4 c
    if i + 1 >= end:
        return end
    c = PyUnicode_READ(o.kind, o.data, i + 1)
    if c == u'u':
        if i + 2 < end and PyUnicode_READ(o.kind, o.data, i + 2) == u'{':
            j = i + 3
            while j < end:
                c = PyUnicode_READ(o.kind, o.data, j)
                if c == u'}' or not (is_hex(c) or c == u' ' or c == u'\t'):
                    break
                j += 1
            if j < end and PyUnicode_READ(o.kind, o.data, j) == u'}':
                return j + 1
            return j
        j = i + 2
        k = 0
        while j < end and k < 4 and is_hex(PyUnicode_READ(o.kind, o.data, j)):
            j += 1
            k += 1
        return j
    if c == u'x':
        j = i + 2
        k = 0
        while j < end and k < 2 and is_hex(PyUnicode_READ(o.kind, o.data, j)):
            j += 1
            k += 1
        return j
    if u'0' <= c <= u'7':
        j = i + 1
        k = 0
        while j < end and k < 3 and u'0' <= PyUnicode_READ(o.kind, o.data, j) <= u'7':
            j += 1
            k += 1
        return j
    if c == u'\r' and i + 2 < end and PyUnicode_READ(o.kind, o.data, i + 2) == u'\n':
        return i + 3
    return i + 2


cdef int emit_escaped(Emitter em, Offsets* o, Py_ssize_t start, Py_ssize_t end, PyObject* ttype,
                      PyObject* escape) except -1:
    """Emit ``text[start:end]`` as text of ``ttype`` with its escape sequences as ``escape``."""
    cdef Py_ssize_t i = start
    cdef Py_ssize_t piece = start
    cdef Py_ssize_t e
    while i < end:
        if PyUnicode_READ(o.kind, o.data, i) == u'\\':
            if i > piece:
                em.emit(ttype, em.text_of(piece, i))
            e = escape_end(o, i, end)
            em.emit(escape, em.text_of(i, e))
            i = piece = e
        else:
            i += 1
    if end > piece:
        em.emit(ttype, em.text_of(piece, end))
    return 0


cdef inline PyObject* lit_gap_type(Literals* s, PyObject* heredoc) noexcept:
    """Type of white space here: the innermost literal's, NULL in code or in a heredoc."""
    cdef PyObject* top = s.items[s.count - 1] if s.count else NULL
    return NULL if top == heredoc else top


cdef struct Offsets:
    # The text's characters, and its UTF-8 byte offsets -> character indices (_chars.pxi).
    int kind
    void* data
    Py_ssize_t length
    bint ascii
    CharIndex chars   # non-ASCII text: built over its UTF-8 encoding


cdef inline Py_ssize_t to_index(Offsets* o, Py_ssize_t offset) noexcept:
    """Index of the character holding byte ``offset`` (the length past the end): constant time."""
    if o.ascii:
        return offset if offset < o.length else o.length
    return chars_holding(&o.chars, offset)


cdef inline bint is_space(Offsets* o, Py_ssize_t a, Py_ssize_t b) noexcept:
    """``text[a:b].isspace()``: not empty, every character white space as str.isspace says."""
    cdef Py_ssize_t i
    if b > o.length:
        b = o.length
    if a >= b:
        return False
    for i in range(a, b):
        if not Py_UNICODE_ISSPACE(PyUnicode_READ(o.kind, o.data, i)):
            return False
    return True


cdef inline bint is_call_text(Offsets* o, Py_ssize_t a, Py_ssize_t b) noexcept:
    """``text[a:b]`` is ".", "&." or "::" (an operator after which a name has a receiver)."""
    if b > o.length:
        b = o.length
    if b - a == 1:
        return PyUnicode_READ(o.kind, o.data, a) == u'.'
    if b - a == 2:
        return ((PyUnicode_READ(o.kind, o.data, a) == u'&' and PyUnicode_READ(o.kind, o.data, a + 1) == u'.')
                or (PyUnicode_READ(o.kind, o.data, a) == u':' and PyUnicode_READ(o.kind, o.data, a + 1) == u':'))
    return False


cdef enum:
    # Token texts up to this many characters are shared: a 1 MB file has ~186,000 tokens but
    # only ~15,000 distinct (type, text) pairs, and not allocating the rest halves the time.
    SHARE_MAX_LEN = 32
    SHARE_MAX_SLOTS = 1 << 15


@cython.final
cdef class Emitter:
    """Builds the output list, sharing equal token texts (one str each) and equal (type, text)
    pairs (one tuple each; triples are never shared) through two direct-mapped caches."""

    cdef list out
    cdef bint indexed
    cdef Py_ssize_t index         # character index where the next item starts
    cdef str text
    cdef Offsets* o
    cdef size_t mask
    cdef PyObject** strs          # owned references, or NULL
    cdef uint64_t* str_hashes
    cdef PyObject** pairs         # owned references, or NULL

    def __cinit__(self):
        self.out = []
        # Out of the cycle collector's sight while it grows (it holds only untracked tuples):
        # the collections its allocations trigger would walk every item at each one.
        # build() tracks it again before handing it over.
        PyObject_GC_UnTrack(self.out)

    cdef int setup(self, str text, Offsets* o, bint indexed, Py_ssize_t ntokens) except -1:
        """Size the caches for about ``ntokens`` tokens."""
        cdef size_t slots = 256
        while slots < <size_t>ntokens and slots < SHARE_MAX_SLOTS:
            slots *= 2
        self.text = text
        self.o = o
        self.indexed = indexed
        self.mask = slots - 1
        self.strs = <PyObject**>PyMem_Calloc(slots, sizeof(PyObject*))
        self.str_hashes = <uint64_t*>PyMem_Calloc(slots, sizeof(uint64_t))
        self.pairs = <PyObject**>PyMem_Calloc(slots, sizeof(PyObject*))
        if self.strs == NULL or self.str_hashes == NULL or self.pairs == NULL:
            raise MemoryError()
        return 0

    def __dealloc__(self):
        cdef size_t i
        if self.strs != NULL and self.pairs != NULL:
            for i in range(self.mask + 1):
                Py_XDECREF(self.strs[i])
                Py_XDECREF(self.pairs[i])
        PyMem_Free(self.strs)
        PyMem_Free(self.str_hashes)
        PyMem_Free(self.pairs)

    cdef inline str text_of(self, Py_ssize_t a, Py_ssize_t b):
        """``text[a:b]``, the same str object for equal short texts."""
        cdef Offsets* o = self.o
        if b > o.length:
            b = o.length
        if a >= b or b - a > SHARE_MAX_LEN:
            return PyUnicode_Substring(self.text, a, b)
        cdef uint64_t h = FNV_OFFSET  # FNV-1a over the code points
        cdef Py_ssize_t i
        cdef const unsigned char* p
        if o.kind == 1:
            p = <const unsigned char*>o.data
            for i in range(a, b):
                h = (h ^ p[i]) * FNV_PRIME
        else:
            for i in range(a, b):
                h = (h ^ <uint64_t>PyUnicode_READ(o.kind, o.data, i)) * FNV_PRIME
        cdef size_t slot = (h ^ (h >> 29)) & self.mask
        cdef PyObject* cached = self.strs[slot]
        if cached != NULL and self.str_hashes[slot] == h and same_text(cached, o, a, b):
            return <str>cached
        value = PyUnicode_Substring(self.text, a, b)
        Py_XDECREF(cached)
        Py_INCREF(value)
        self.strs[slot] = <PyObject*>value
        self.str_hashes[slot] = h
        return value

    cdef inline int emit(self, PyObject* ttype, str value) except -1:
        """Append (ttype, value), or (index, ttype, value) if indexed."""
        cdef Py_ssize_t length = PyUnicode_GET_LENGTH(value)
        cdef uintptr_t h
        cdef size_t slot
        cdef PyObject* cached
        if self.indexed:
            item = (self.index, <object>ttype, value)
        elif length > SHARE_MAX_LEN:
            item = (<object>ttype, value)
        else:
            h = (<uintptr_t>ttype) * MIX1 ^ (<uintptr_t>(<PyObject*>value)) * MIX2
            slot = (h >> 20) & self.mask
            cached = self.pairs[slot]
            if (cached != NULL and PyTuple_GET_ITEM(<object>cached, 0) == ttype
                    and PyTuple_GET_ITEM(<object>cached, 1) == <PyObject*>value):
                self.out.append(<object>cached)
                self.index += length
                return 0
            item = (<object>ttype, value)
            Py_XDECREF(cached)
            Py_INCREF(item)
            self.pairs[slot] = <PyObject*>item
        # The cycle collector need not watch these tuples: they hold a str, an int and a token
        # type, none of which can lead back to them. Watched, the full collections that
        # allocating them triggers walk them all again and again, which doubles the time.
        PyObject_GC_UnTrack(item)
        self.out.append(item)
        self.index += length
        return 0

    cdef int retype(self, Py_ssize_t i, PyObject* ttype) except -1:
        """Give the already emitted item ``out[i]`` the type ``ttype`` (a new tuple, never shared)."""
        item = self.out[i]
        if self.indexed:
            item = (item[0], <object>ttype, item[2])
        else:
            item = (<object>ttype, item[1])
        PyObject_GC_UnTrack(item)  # as emit's
        self.out[i] = item
        return 0


cdef inline bint same_text(PyObject* s, Offsets* o, Py_ssize_t a, Py_ssize_t b) noexcept:
    """The str ``s`` holds the same characters as ``text[a:b]``."""
    cdef Py_ssize_t i
    cdef int kind = PyUnicode_KIND(<object>s)
    cdef void* data = PyUnicode_DATA(<object>s)
    if PyUnicode_GET_LENGTH(<object>s) != b - a:
        return False
    if kind == o.kind:
        return memcmp(data, <const char*>o.data + a * kind, (b - a) * kind) == 0
    for i in range(b - a):
        if PyUnicode_READ(kind, data, i) != PyUnicode_READ(o.kind, o.data, a + i):
            return False
    return True


def build(str text, const unsigned short[:] kinds, const unsigned int[:] starts,
          const unsigned int[:] ends, Tables tables not None, bint indexed=False, bytes utf8=None):
    """The Pygments token stream of ``text`` lexed into (kinds, starts, ends), as a list of
    (tokentype, value) pairs, or (index, tokentype, value) triples if ``indexed``; the values
    concatenate to ``text`` when the tokens are in order and cover it (as fastlex's do).
    ``starts``/``ends`` are UTF-8 byte offsets (as ``text.encode("utf-8", "surrogatepass")``);
    ``utf8``, that encoding when the caller has it (``Tokens.source.utf8``), saves encoding again."""
    cdef Py_ssize_t n = kinds.shape[0]
    if starts.shape[0] != n or ends.shape[0] != n:
        raise ValueError("kinds, starts and ends must have the same length")
    cdef Offsets o
    o.kind = PyUnicode_KIND(text)
    o.data = PyUnicode_DATA(text)
    o.length = PyUnicode_GET_LENGTH(text)
    o.ascii = PyUnicode_IS_ASCII(text)
    o.chars.marks = NULL
    if not o.ascii:
        if utf8 is None:
            utf8 = text.encode("utf-8", "surrogatepass")
        if chars_build(&o.chars, <const uint8_t*><const char*>utf8, len(utf8)) < 0:
            raise MemoryError()
        if o.chars.length != o.length:   # indices past the text would read out of bounds
            chars_free(&o.chars)
            raise ValueError("utf8 is not the UTF-8 encoding of text")
    cdef Tables t = tables
    cdef Emitter em = Emitter()
    em.setup(text, &o, indexed, n)
    cdef Literals lits
    lits.items = NULL
    lits.escapes = NULL
    lits.count = 0
    lits.capacity = 0
    cdef PyObject* gap_type = NULL   # type of white space in the innermost literal (a %w list), NULL in code
    cdef PyObject* ttype
    cdef PyObject* sym_type = NULL   # the type of the name after a symbol's colon
    cdef PyObject* special
    cdef int state = S_NONE
    cdef int role
    cdef Py_ssize_t i, kind, start, end, pos = 0
    cdef Py_ssize_t def_name = -1, def_kind = -1  # output position and kind of the pending method name
    cdef int def_role = R_PLAIN
    cdef bint last_call = False  # the last item emitted is an operator . &. or ::
    cdef str value
    cdef Py_UCS4 c
    try:
        for i in range(n):
            kind = kinds[i]
            if kind >= t.nkinds:
                raise ValueError(f"kind {kind} has no entry in the tables")
            start = to_index(&o, starts[i])
            end = to_index(&o, ends[i])
            if t.roles[kind] == R_EOF:
                start = end      # prism's EOF may repeat the last newline's span: only its end counts
            if start != pos:
                # White space between tokens (or inside a %w list), or a line continuation.
                if gap_type != NULL:
                    ttype = gap_type
                elif is_space(&o, pos, start):
                    ttype = t.whitespace
                else:
                    ttype = t.text
                em.emit(ttype, em.text_of(pos, start))
                last_call = ttype == t.operator_ and is_call_text(&o, pos, start)
            role = t.roles[kind]
            ttype = t.types[kind]
            if state == S_NONE:
                if role < R_SLOW:
                    # The common case: the kind alone decides the type.
                    em.emit(ttype, em.text_of(start, end))
                    last_call = ttype == t.operator_ and is_call_text(&o, start, end)
                    pos = end
                    continue
                if role == R_IDENTIFIER:
                    # Names are next in frequency: only a few are builtins or pseudo keywords.
                    value = em.text_of(start, end)
                    special = PyDict_GetItemWithError(t.name_types, value)
                    if special != NULL and not last_call:
                        ttype = special
                    em.emit(ttype, value)
                    last_call = ttype == t.operator_ and is_call_text(&o, start, end)
                    pos = end
                    continue
            if role == R_NEWLINE:
                # Left to the next gap, so a line break and the next line's indentation make one
                # white space token; a line break ends any pending def/class/module name.
                state = S_NONE
                pos = start
                continue
            if start == end:
                pos = start
                continue  # EOF
            value = em.text_of(start, end)
            if state != S_NONE:
                if state == S_DEF:
                    # Whatever follows def is the method name (an operator or keyword too), unless
                    # it is a receiver: then the dot after it undoes this.
                    def_name = len(em.out)
                    def_kind = kind
                    def_role = role
                    state = S_DEF_NAME
                    em.emit(t.function, value)
                    last_call = t.function == t.operator_ and is_call_text(&o, start, end)
                    pos = end
                    continue
                if state == S_DEF_NAME:
                    state = S_NONE
                    if (role == R_DOT or role == R_AMPERSAND_DOT) and start == pos:
                        # def recv.name: the receiver as Pygments' RubyLexer marks it (a constant: Name.Class).
                        em.retype(def_name, t.class_ if def_role == R_CONSTANT else t.types[def_kind])
                        state = S_DEF
                    elif role == R_EQUAL and start == pos and (def_role == R_IDENTIFIER or def_role == R_CONSTANT):
                        ttype = t.function  # def name=(v): the = belongs to the name
                elif state == S_CLASS or state == S_MODULE:
                    if role == R_CONSTANT:
                        ttype = t.class_ if state == S_CLASS else t.namespace
                        state += 1
                    elif role != R_UCOLON_COLON:
                        state = S_NONE
                elif state == S_CLASS_NAME or state == S_MODULE_NAME:
                    state = state - 1 if role == R_COLON_COLON else S_NONE
                elif state == S_SYMBOL:
                    state = S_NONE
                    em.emit(sym_type, value)
                    last_call = False
                    pos = end
                    continue
                elif state == S_EMBVAR:
                    state = S_NONE
                    em.emit(t.interpol, value)
                    last_call = t.interpol == t.operator_ and is_call_text(&o, start, end)
                    pos = end
                    continue
            # The kinds whose type depends on context, most frequent first.
            if role == R_STRING_CONTENT:
                if lits.count and lits.items[lits.count - 1] != NULL:
                    ttype = lits.items[lits.count - 1]
                    if lits.escapes[lits.count - 1] and PyUnicode_FindChar(text, u'\\', start, end, 1) >= 0:
                        # prism keeps escape sequences inside the text: String.Escape pieces here.
                        emit_escaped(em, &o, start, end, ttype, t.escape)
                        last_call = False
                        pos = end
                        continue
            elif role == R_STRING_END or role == R_REGEXP_END:
                ttype = lit_close(&lits, 0, t.heredoc, ttype)
                gap_type = lit_gap_type(&lits, t.heredoc)
            elif role == R_HEREDOC_END:
                ttype = lit_close(&lits, 1, t.heredoc, ttype)
                gap_type = lit_gap_type(&lits, t.heredoc)
            elif role == R_OPENER and end - start == 1 and PyUnicode_READ(o.kind, o.data, start) == u':':
                # :name: the colon and the name make one symbol; no literal is opened.
                sym_type = t.literal[kind] if t.literal[kind] != NULL else t.other
                ttype = sym_type
                state = S_SYMBOL
            elif role == R_OPENER:
                ttype = t.literal[kind]
                if ttype == NULL:
                    ttype = t.other
                    if end - start == 1:
                        c = PyUnicode_READ(o.kind, o.data, start)
                        if c == u'"':
                            ttype = t.double_
                        elif c == u"'":
                            ttype = t.single
                lit_push(&lits, ttype, opener_escapes(&o, start, end))
                gap_type = NULL if ttype == t.heredoc else ttype
            elif role == R_IDENTIFIER or role == R_METHOD_NAME:
                special = PyDict_GetItemWithError(t.name_types, value)
                if special != NULL and not last_call:
                    ttype = special
            elif role == R_EMBEXPR_BEGIN:
                lit_push(&lits, NULL, False)
                gap_type = NULL
            elif role == R_EMBEXPR_END:
                lit_close(&lits, 2, t.heredoc, ttype)
                gap_type = lit_gap_type(&lits, t.heredoc)
            elif role == R_INTEGER:
                if end - start > 1 and PyUnicode_READ(o.kind, o.data, start) == u'0':
                    # 0x 0b 0o 0d pick the base; a bare 0 followed by digits or _ is octal.
                    c = PyUnicode_READ(o.kind, o.data, start + 1)
                    if c == u'x' or c == u'X':
                        ttype = t.hex
                    elif c == u'b' or c == u'B':
                        ttype = t.bin
                    elif c == u'd' or c == u'D':
                        ttype = t.integer
                    else:
                        ttype = t.oct
            elif role == R_KEYWORD_DEF:
                state = S_DEF
            elif role == R_KEYWORD_CLASS:
                state = S_CLASS
            elif role == R_KEYWORD_MODULE:
                state = S_MODULE
            elif role == R_EMBVAR:
                state = S_EMBVAR
            em.emit(ttype, value)
            last_call = ttype == t.operator_ and is_call_text(&o, start, end)
            pos = end
    finally:
        PyMem_Free(lits.items)
        PyMem_Free(lits.escapes)
        chars_free(&o.chars)
    if em.out:
        # A #! first line is a hashbang, as Pygments' RubyLexer marks it.
        first = em.out[0]
        value = first[2] if indexed else first[1]
        if (first[1] if indexed else first[0]) is <object>t.comment and value.startswith("#!"):
            em.retype(0, t.hashbang)
    if pos < o.length:  # fastlex stops at the end of the text, so this is only a safety net
        em.emit(t.text, PyUnicode_Substring(text, pos, o.length))
    PyObject_GC_Track(em.out)
    return em.out
