# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""fastlex's Python scanner and its tokenize front end.

scan(): a cursor over the UTF-8 bytes of the source read so far, run without the GIL,
writing 10-byte records (start, end, kind) into a fastlex Region (fastlex/_region.pxi);
without Scan.eof it stops where the text ends, its state saved in the Scan, and resumes
there over the grown text (TokenStream reads lines lazily this way). The
scanner keeps the state CPython's tokenizer keeps: the indentation stack (with the
3.12+ tab/space consistency check), brackets, and from 3.12 f-string modes
(literal text, replacement field, format spec). Anything it does not model exactly
(every invalid input, lone CR, NUL, odd numbers, ...) stops the scan with a fallback
reason; the Python layer then replays the lines through the interpreter's tokenize.

TokenStream: reads lines as the interpreter's tokenize does and turns the records into
tokenize.TokenInfo objects: (row, column) in characters, token strings sliced from the
line strings, operator strings from a table, line attributes shared per row, TokenInfo
allocated directly (tp_alloc).
"""
from cpython.object cimport PyObject, PyTypeObject
from cpython.ref cimport Py_INCREF, Py_DECREF
from cpython.tuple cimport PyTuple_New, PyTuple_SET_ITEM
from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_GET_SIZE
from cpython.unicode cimport PyUnicode_DecodeUTF8, PyUnicode_Substring
from libc.stdint cimport int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t
from libc.stdlib cimport calloc, free, malloc, realloc
from libc.string cimport memchr, memcmp, memcpy, memset

cdef extern from "Python.h":
    ctypedef uint32_t Py_UCS4
    object PyLong_FromSsize_t(Py_ssize_t v)
    bint PyUnicode_CheckExact(object o)
    Py_ssize_t PyUnicode_GET_LENGTH(object o)
    Py_UCS4 PyUnicode_READ_CHAR(object o, Py_ssize_t i)
    Py_ssize_t PyUnicode_FindChar(object s, Py_UCS4 ch, Py_ssize_t start, Py_ssize_t end, int direction) except -2
    PyTypeObject PyTuple_Type
    int PyUnicode_IS_ASCII(object o)
    object PyUnicode_AsUTF8String(object o)
    void PyObject_GC_UnTrack(void* o)

include "../_budget.pxi"
include "../_region.pxi"
include "../_pool.pxi"
include "../_vec.pxi"
include "../_grammar.pxi"
include "_tables.pxi"


cdef enum:
    MAX_INDENT = 100          # CPython's MAXINDENT
    MAX_STACK = 200           # CPython's MAXLEVEL (brackets and f-string modes together)

cdef enum FrameKind:
    FR_PAREN = 1
    FR_BRACKET = 2
    FR_BRACE = 3
    FR_FSTR = 4               # an f-string's literal text
    FR_FIELD = 5              # inside a replacement field's braces (an expression)
    FR_SPEC = 6               # a replacement field's format spec (after ':')

cdef enum Fallback:           # why the scanner stopped (0: it did not)
    FB_NONE = 0
    FB_INDENT = 1             # dedent to no level, tab/space mix (3.12+), too deep
    FB_EOF_IN_STATEMENT = 2   # end of input inside brackets or after a backslash
    FB_STRING = 3             # unterminated string, newline in a single-quoted string
    FB_CHAR = 4               # a byte no token starts with ($ ? ! ` control bytes ...)
    FB_NUMBER = 5             # a number followed by a name character, leading zeros
    FB_BRACKET = 6            # unmatched or mismatched bracket, nesting too deep
    FB_FSTRING = 7            # an f-string construct outside the model (newline in a single-quoted field, '#', '\\', ':=' ...)
    FB_CONTINUATION = 8       # a backslash not before a newline, or before another continuation or the end
    FB_BLANK_EOF = 9          # a last line of white space without a newline
    FB_MEMORY = 10            # the region could not grow (or the source exceeds 4 GiB)

FALLBACK_REASONS = ("", "indentation", "end of input in a statement", "string", "character",
                    "number", "bracket", "f-string", "continuation", "blank last line", "memory")

cdef struct Frame:
    uint8_t kind
    uint8_t quote
    uint8_t triple
    uint8_t raw

cdef struct Scan:
    const uint8_t* s
    Py_ssize_t n
    int mode                  # 0: the pure-Python tokenize of 3.9 to 3.11; 1: the C tokenizer of 3.12+
    Region* region            # where records go (a TokenStream's own, or a fastlex Store's)
    Budget* budget
    int fallback
    Py_ssize_t fallback_at
    int open_indents          # indentation levels open at the end (DEDENT_EOF records written)
    Py_ssize_t nonascii_names # NAME_U records written
    # resumable scanning: s[:n] is the text read so far; eof: no more will come. Without eof,
    # scan() stops where it needs more text (stalled) with its state saved below, and resumes
    # there when called again with the text grown (every record written is final).
    bint eof
    bint stalled
    bint started
    int stall_gate            # 1: inside a triple-quoted string, 2: inside f-string text (0: other)
    uint8_t stall_quote       # its quote character
    Py_ssize_t stall_p        # where scan_fstring_text stalled (the start of its open middle)
    Py_ssize_t p
    bint atbol
    bint continued
    int nind
    int sp
    int nfstr
    int indents[MAX_INDENT + 2]
    int alts[MAX_INDENT + 2]
    Frame stack[MAX_STACK + 2]


cdef inline bint is_name_byte(uint8_t c) noexcept nogil:
    return (c >= 97 and c <= 122) or (c >= 65 and c <= 90) or (c >= 48 and c <= 57) or c == 95 or c >= 128

cdef inline bint is_digit(uint8_t c) noexcept nogil:
    return c >= 48 and c <= 57


cdef inline int emit(Scan* sc, Py_ssize_t a, Py_ssize_t b, int kind) noexcept nogil:
    """Append one record (zero-width ones too, unlike the Ruby emit); 0, or -1 (fallback set)."""
    cdef Region* r = sc.region
    if r.base != NULL and r.next < r.limit:
        region_write(r.base, r.limit, r.next, <uint32_t>a, <uint32_t>b, kind)
        r.next += 1
        return 0
    if region_push(r, sc.budget, <uint32_t>a, <uint32_t>b, kind) < 0:
        sc.fallback = FB_MEMORY
        return -1
    return 0


cdef inline Py_ssize_t fail(Scan* sc, int reason, Py_ssize_t at) noexcept nogil:
    if at >= sc.n and not sc.eof:       # more text may follow: a stall, not a failure
        sc.stalled = True
        return -1
    if sc.fallback == FB_NONE:
        sc.fallback = reason
        sc.fallback_at = at
    return -1


cdef Py_ssize_t digits(const uint8_t* s, Py_ssize_t q, Py_ssize_t n) noexcept nogil:
    """[0-9](_?[0-9])* from q (s[q] is a digit): the end."""
    q += 1
    while q < n:
        if is_digit(s[q]):
            q += 1
        elif s[q] == 95 and q + 1 < n and is_digit(s[q + 1]):
            q += 2
        else:
            break
    return q


cdef inline bint base_digit(uint8_t c, uint8_t base) noexcept nogil:
    if base == 120 or base == 88:      # x
        return is_digit(c) or (c >= 97 and c <= 102) or (c >= 65 and c <= 70)
    if base == 111 or base == 79:      # o
        return c >= 48 and c <= 55
    return c == 48 or c == 49          # b


cdef Py_ssize_t scan_number(Scan* sc, Py_ssize_t p) noexcept nogil:
    """A number at p (a digit, or '.' before a digit): its end, or -1."""
    cdef const uint8_t* s = sc.s
    cdef Py_ssize_t n = sc.n
    cdef Py_ssize_t q, r, int_end
    cdef uint8_t c = s[p], base
    cdef bint fractional = False
    if c == 48 and p + 1 < n and (s[p + 1] | 32) in (120, 111, 98):
        base = s[p + 1]
        q = p + 2
        while q < n:
            if base_digit(s[q], base):
                q += 1
            elif s[q] == 95 and q + 1 < n and base_digit(s[q + 1], base):
                q += 2
            else:
                break
        if q == p + 2:
            return fail(sc, FB_NUMBER, p)
    else:
        q = p
        if c != 46:
            q = digits(s, p, n)
        int_end = q
        if q < n and s[q] == 46:
            q += 1
            fractional = True
            if q < n and is_digit(s[q]):
                q = digits(s, q, n)
        if q < n and (s[q] | 32) == 101:
            r = q + 1
            if r < n and (s[r] == 43 or s[r] == 45):
                r += 1
            if r < n and is_digit(s[r]):
                q = digits(s, r, n)
                fractional = True
        if q < n and (s[q] | 32) == 106:
            q += 1
            fractional = True
        if c == 48 and not fractional:
            for r in range(p, int_end):
                if s[r] != 48 and s[r] != 95:
                    return fail(sc, FB_NUMBER, p)
    if q < n and is_name_byte(s[q]):
        return fail(sc, FB_NUMBER, q)
    return q


cdef inline bint string_prefix(const uint8_t* s, Py_ssize_t p, Py_ssize_t q, bint* raw, bint* fmt) noexcept nogil:
    """True if s[p:q] is a string prefix (r u b f br rb fr rf, any case); sets raw and fmt."""
    cdef uint8_t a, b
    raw[0] = False
    fmt[0] = False
    if q - p == 1:
        a = s[p] | 32
        raw[0] = a == 114
        fmt[0] = a == 102
        return a == 114 or a == 117 or a == 98 or a == 102
    if q - p == 2:
        a = s[p] | 32
        b = s[p + 1] | 32
        if (a == 98 and b == 114) or (a == 114 and b == 98):
            raw[0] = True
            return True
        if (a == 102 and b == 114) or (a == 114 and b == 102):
            raw[0] = True
            fmt[0] = True
            return True
    return False


cdef Py_ssize_t scan_string_body(Scan* sc, Py_ssize_t q, uint8_t quote, bint triple) noexcept nogil:
    """The end of a string whose body starts at q (after the opening quotes), or -1."""
    cdef const uint8_t* s = sc.s
    cdef Py_ssize_t n = sc.n
    cdef uint8_t c
    if triple:
        while q < n:
            c = s[q]
            if c == 92:
                if sc.mode and q + 1 < n and s[q + 1] == 13 and (q + 2 >= n or s[q + 2] != 10):
                    return fail(sc, FB_STRING, q)     # 3.12+: a backslash before a lone CR
                q += 2
            elif c == quote and q + 2 < n and s[q + 1] == quote and s[q + 2] == quote:
                return q + 3
            else:
                q += 1
        return fail(sc, FB_STRING, q)
    while q < n:
        c = s[q]
        if c == 92:
            if q + 2 < n and s[q + 1] == 13 and s[q + 2] == 10:
                q += 3
            elif sc.mode and q + 1 < n and s[q + 1] == 13:
                return fail(sc, FB_STRING, q)         # 3.12+: a backslash before a lone CR
            else:
                q += 2
        elif c == quote:
            return q + 1
        elif c == 10:
            return fail(sc, FB_STRING, q)
        else:
            q += 1
    return fail(sc, FB_STRING, q)


cdef Py_ssize_t scan_quoted(Scan* sc, Py_ssize_t q, uint8_t quote) noexcept nogil:
    """End of the string (not an f-string) whose opening quote is at q, three quotes making it
    triple-quoted; or -1: failed, or stalled at the end of the text read so far, the stream
    then told what to wait for (a line with three quotes, or any line, and which quote)."""
    cdef Py_ssize_t e
    if q + 2 < sc.n and sc.s[q + 1] == quote and sc.s[q + 2] == quote:
        e = scan_string_body(sc, q + 3, quote, True)
        if e < 0 and sc.stalled:
            sc.stall_gate = 1
    else:
        e = scan_string_body(sc, q + 1, quote, False)
    if e < 0 and sc.stalled:
        sc.stall_quote = quote
    return e


cdef Py_ssize_t string_token(Scan* sc, Py_ssize_t p, Py_ssize_t q, uint8_t quote) noexcept nogil:
    """The STRING token from p (its prefix) through the string whose quote is at q, emitted;
    its end, or -1 (scan_quoted's failure or stall, or the emit's)."""
    cdef Py_ssize_t e = scan_quoted(sc, q, quote)
    if e < 0 or emit(sc, p, e, K_STRING) < 0:
        return -1
    return e


cdef Py_ssize_t scan_fstring_text(Scan* sc, Py_ssize_t p, Frame* stack, int* sp) noexcept nogil:
    """3.12+: literal text of the f-string (or format spec) on top of the stack, from p:
    FSTRING_MIDDLE records, then FSTRING_END, or '{' opening a field, or (spec) the field's '}'.
    Returns where normal scanning resumes, or -1."""
    cdef const uint8_t* s = sc.s
    cdef Py_ssize_t n = sc.n
    cdef Frame* f = &stack[sp[0] - 1]
    cdef bint spec = f.kind == FR_SPEC
    cdef uint8_t quote = f.quote, c, d
    cdef bint triple = f.triple, raw = f.raw
    cdef Py_ssize_t start = p, q
    cdef int i, depth
    # (3.12+: once a nested field of a format spec has closed, the C tokenizer reads {{ and }} in
    # the rest of the spec as escapes: out of the model)
    cdef bint after_field = spec and p > 0 and s[p - 1] == 125
    while p < n:
        c = s[p]
        if c == quote:
            if not triple or (p + 2 < n and s[p + 1] == quote and s[p + 2] == quote):
                if spec:
                    return fail(sc, FB_FSTRING, p)
                if p > start and emit(sc, start, p, K_FSTRING_MIDDLE) < 0:
                    return -1
                q = p + 3 if triple else p + 1
                if emit(sc, p, q, K_FSTRING_END) < 0:
                    return -1
                sp[0] -= 1
                return q
            p += 1
        elif c == 10:
            if not triple:
                return fail(sc, FB_STRING, p)
            p += 1
        elif c == 92:
            d = s[p + 1] if p + 1 < n else 0
            if d == 123 or d == 125:
                p += 1
            elif not raw and d == 78 and p + 2 < n and s[p + 2] == 123:
                q = p + 3
                while q < n and s[q] != 125 and s[q] != quote and s[q] != 10 and s[q] != 92 and s[q] != 123:
                    q += 1                    # (a name holds no \\ or {: stop there, out of the model)
                if q >= n or s[q] != 125:
                    return fail(sc, FB_FSTRING, p)
                p = q + 1
                if emit(sc, start, p, K_FSTRING_MIDDLE) < 0:     # the C tokenizer ends a middle after \N{...}
                    return -1
                start = p
            elif d == 13 and p + 2 < n and s[p + 2] == 10:
                p += 3
            elif d == 13:
                return fail(sc, FB_FSTRING, p)        # a backslash before a lone CR
            else:
                p += 2
        elif c == 123:
            if not spec and p + 1 < n and s[p + 1] == 123:
                if emit(sc, start, p + 1, K_FSTRING_MIDDLE) < 0:
                    return -1
                p += 2
                start = p
                continue
            if after_field and p + 1 < n and s[p + 1] == 123:
                return fail(sc, FB_FSTRING, p)
            depth = 0                                     # fields open in this f-string
            i = sp[0] - 1
            while i >= 0 and stack[i].kind != FR_FSTR:
                if stack[i].kind == FR_FIELD or stack[i].kind == FR_SPEC:
                    depth += 1
                i -= 1
            if depth >= 3:                                # "f-string: expressions nested too deeply"
                return fail(sc, FB_FSTRING, p)
            # (in a spec, {{ opens a field holding a dict or set, after a middle even if empty)
            if (p > start or (spec and p + 1 < n and s[p + 1] == 123)) and emit(sc, start, p, K_FSTRING_MIDDLE) < 0:
                return -1
            if emit(sc, p, p + 1, K_OP + 42) < 0:        # '{'
                return -1
            if sp[0] >= MAX_STACK:
                return fail(sc, FB_BRACKET, p)
            stack[sp[0]] = f[0]
            stack[sp[0]].kind = FR_FIELD
            sp[0] += 1
            return p + 1
        elif c == 125:
            if spec:
                if after_field and p + 1 < n and s[p + 1] == 125:
                    return fail(sc, FB_FSTRING, p)
                if emit(sc, start, p, K_FSTRING_MIDDLE) < 0 or emit(sc, p, p + 1, K_OP + 45) < 0:
                    return -1
                sp[0] -= 1
                return p + 1
            if p + 1 < n and s[p + 1] == 125:
                if emit(sc, start, p + 1, K_FSTRING_MIDDLE) < 0:
                    return -1
                p += 2
                start = p
                continue
            return fail(sc, FB_FSTRING, p)
        else:
            p += 1
    if not sc.eof:
        sc.stalled = True
        sc.stall_p = start
        sc.stall_gate = 2
        sc.stall_quote = quote
        return -1
    return fail(sc, FB_STRING, p)


cdef inline void save_state(Scan* sc, Py_ssize_t p, bint atbol, bint continued, int nind, int sp,
                            int nfstr) noexcept nogil:
    sc.stalled = True
    sc.p = p
    sc.atbol = atbol
    sc.continued = continued
    sc.nind = nind
    sc.sp = sp
    sc.nfstr = nfstr


cdef void scan(Scan* sc) noexcept nogil:
    """Scan the whole source into sc.region (see the module docstring)."""
    cdef const uint8_t* s = sc.s
    cdef Py_ssize_t n = sc.n
    cdef bint mode = sc.mode
    cdef Py_ssize_t p = 0, q, e, m
    cdef bint atbol = True, continued = False, comment_eof = False, raw, fmt, nonascii
    cdef int* indents = sc.indents
    cdef int* alts = sc.alts
    cdef int nind = 0, col, alt, op, kind, nfstr = 0, i
    cdef Frame* stack = sc.stack
    cdef int sp = 0
    cdef uint8_t c, c1, want
    if sc.started:
        p = sc.p
        atbol = sc.atbol
        continued = sc.continued
        nind = sc.nind
        sp = sc.sp
        nfstr = sc.nfstr
    else:
        sc.started = True
        indents[0] = 0
        alts[0] = 0
    sc.stalled = False
    sc.stall_gate = 0
    while True:
        if p >= n and not sc.eof:
            save_state(sc, p, atbol, continued, nind, sp, nfstr)
            return
        if sp > 0 and (stack[sp - 1].kind == FR_FSTR or stack[sp - 1].kind == FR_SPEC):
            m = sp
            e = scan_fstring_text(sc, p, stack, &sp)
            if e < 0:
                if sc.stalled:
                    save_state(sc, sc.stall_p, atbol, continued, nind, sp, nfstr)
                return
            p = e
            if sp < m and stack[sp].kind == FR_FSTR:
                nfstr -= 1
            continue
        if atbol:
            atbol = False
            if sp == 0 and not continued:
                col = 0
                alt = 0
                q = p
                while q < n:
                    c = s[q]
                    if c == 32:
                        col += 1
                        alt += 1
                    elif c == 9:
                        col = (col // 8 + 1) * 8
                        alt += 1
                    elif c == 12:
                        col = 0
                        alt = 0
                    else:
                        break
                    q += 1
                if q >= n:
                    if q > p:
                        fail(sc, FB_BLANK_EOF, p)
                        return
                    break
                c = s[q]
                if c == 92 and mode:
                    fail(sc, FB_CONTINUATION, q)    # 3.12+ measures indentation across a backslash
                    return
                if c == 35 or c == 10 or c == 13:
                    if c == 35:
                        e = q
                        while e < n and s[e] != 10 and s[e] != 13:
                            e += 1
                        if emit(sc, q, e, K_COMMENT) < 0:
                            return
                        q = e
                    if q >= n:
                        if emit(sc, q, q, K_NL_EOF) < 0:
                            return
                        comment_eof = True
                        p = q
                        break
                    if s[q] == 13:
                        if q + 1 >= n or s[q + 1] != 10:
                            fail(sc, FB_CHAR, q)
                            return
                        e = q + 2
                    else:
                        e = q + 1
                    if emit(sc, q, e, K_NL) < 0:
                        return
                    p = e
                    atbol = True
                    continue
                if col == indents[nind]:
                    if mode and alt != alts[nind]:
                        fail(sc, FB_INDENT, q)
                        return
                elif col > indents[nind]:
                    if (mode and alt <= alts[nind]) or nind >= MAX_INDENT - 1:
                        fail(sc, FB_INDENT, q)
                        return
                    nind += 1
                    indents[nind] = col
                    alts[nind] = alt
                    if emit(sc, p, q, K_INDENT) < 0:
                        return
                else:
                    while nind > 0 and col < indents[nind]:
                        nind -= 1
                        if emit(sc, q, q, K_DEDENT) < 0:
                            return
                    if col != indents[nind] or (mode and alt != alts[nind]):
                        fail(sc, FB_INDENT, q)
                        return
                p = q
            else:
                continued = False
                if p >= n:
                    fail(sc, FB_EOF_IN_STATEMENT, p)
                    return
        while p < n and (s[p] == 32 or s[p] == 9 or s[p] == 12):
            p += 1
        if p >= n:
            if sp > 0 or continued:
                fail(sc, FB_EOF_IN_STATEMENT, p)
                return
            break
        c = s[p]
        if c == 10 or c == 13:
            if c == 13:
                if p + 1 >= n or s[p + 1] != 10:
                    fail(sc, FB_CHAR, p)
                    return
                e = p + 2
            else:
                e = p + 1
            if sp > 0:
                if nfstr > 0:
                    for i in range(sp):
                        if stack[i].kind >= FR_FSTR and not stack[i].triple:
                            fail(sc, FB_FSTRING, p)
                            return
                kind = K_NL
            else:
                kind = K_NEWLINE
            if emit(sc, p, e, kind) < 0:
                return
            p = e
            atbol = True
        elif c == 35:
            if nfstr > 0:
                fail(sc, FB_FSTRING, p)
                return
            e = p
            while e < n and s[e] != 10 and s[e] != 13:
                e += 1
            if emit(sc, p, e, K_COMMENT) < 0:
                return
            p = e
        elif c == 92:
            if nfstr > 0:
                fail(sc, FB_FSTRING, p)
                return
            m = p
            if p + 1 < n and s[p + 1] == 10:
                p += 2
            elif p + 2 < n and s[p + 1] == 13 and s[p + 2] == 10:
                p += 3
            else:
                fail(sc, FB_CONTINUATION, p)
                return
            q = p
            while q < n and (s[q] == 32 or s[q] == 9 or s[q] == 12):
                q += 1
            if q >= n and not sc.eof:
                save_state(sc, m, atbol, continued, nind, sp, nfstr)
                return
            if q >= n or s[q] == 92:
                fail(sc, FB_CONTINUATION, p)
                return
            continued = True
            atbol = True
        elif (c >= 97 and c <= 122) or (c >= 65 and c <= 90) or c == 95 or c >= 128:
            q = p + 1
            nonascii = c >= 128
            while q < n and is_name_byte(s[q]):
                if s[q] >= 128:
                    nonascii = True
                q += 1
            if q < n and (s[q] == 39 or s[q] == 34) and not nonascii and string_prefix(s, p, q, &raw, &fmt):
                want = s[q]
                if fmt and mode:
                    e = q + 3 if (q + 2 < n and s[q + 1] == want and s[q + 2] == want) else q + 1
                    if emit(sc, p, e, K_FSTRING_START) < 0:
                        return
                    if sp >= MAX_STACK:
                        fail(sc, FB_BRACKET, p)
                        return
                    stack[sp].kind = FR_FSTR
                    stack[sp].quote = want
                    stack[sp].triple = e == q + 3
                    stack[sp].raw = raw
                    sp += 1
                    nfstr += 1
                    p = e
                    continue
                e = string_token(sc, p, q, want)
                if e < 0:
                    if sc.stalled:
                        save_state(sc, p, atbol, continued, nind, sp, nfstr)
                    return
                p = e
            else:
                if emit(sc, p, q, K_NAME_U if nonascii else K_NAME) < 0:
                    return
                sc.nonascii_names += nonascii
                p = q
        elif is_digit(c) or (c == 46 and p + 1 < n and is_digit(s[p + 1])):
            e = scan_number(sc, p)
            if e < 0 or emit(sc, p, e, K_NUMBER) < 0:
                return
            p = e
        elif c == 39 or c == 34:
            e = string_token(sc, p, p, c)
            if e < 0:
                if sc.stalled:
                    save_state(sc, p, atbol, continued, nind, sp, nfstr)
                return
            p = e
        else:
            op = match_op(s, p, n)
            if op < 0:
                fail(sc, FB_CHAR, p)
                return
            e = p + (op & 3)
            op >>= 2
            c1 = s[p + 1] if p + 1 < n else 0
            if c == 40 or c == 91 or c == 123:                  # ( [ {
                if sp >= MAX_STACK:
                    fail(sc, FB_BRACKET, p)
                    return
                stack[sp].kind = FR_PAREN if c == 40 else (FR_BRACKET if c == 91 else FR_BRACE)
                sp += 1
            elif c == 41 or c == 93 or c == 125:                # ) ] }
                if sp == 0:
                    fail(sc, FB_BRACKET, p)
                    return
                i = stack[sp - 1].kind
                if not ((c == 41 and i == FR_PAREN) or (c == 93 and i == FR_BRACKET)
                        or (c == 125 and (i == FR_BRACE or i == FR_FIELD))):
                    fail(sc, FB_BRACKET, p)
                    return
                sp -= 1
            elif c == 33 and c1 != 61:                          # '!' alone: a conversion
                if not (mode and sp > 0 and stack[sp - 1].kind == FR_FIELD):
                    fail(sc, FB_CHAR, p)
                    return
            elif c == 58 and mode and sp > 0 and stack[sp - 1].kind == FR_FIELD:
                if c1 == 61:
                    fail(sc, FB_FSTRING, p)
                    return
                e = p + 1
                op = 23                                         # ':' opens the format spec
                stack[sp - 1].kind = FR_SPEC
            elif c == 60 and c1 == 62 and mode:                 # '<>'
                fail(sc, FB_CHAR, p)
                return
            if emit(sc, p, e, K_OP + op) < 0:
                return
            p = e
    # end of input
    if n > 0 and s[n - 1] != 10 and not comment_eof:
        if mode:
            if emit(sc, n, n, K_NEWLINE_EOF) < 0:
                return
        else:
            q = n - 1
            while q >= 0 and s[q] != 10:
                q -= 1
            q += 1
            # tokenize.py: no NEWLINE when the last line, str.strip()ped, starts with '#' (even
            # inside a string: "'\\\n\r#'"): skip what strip() skips (ASCII; other white space
            # before a '#' falls back)
            while q < n and (s[q] == 32 or (s[q] >= 9 and s[q] <= 13) or (s[q] >= 28 and s[q] <= 31)):
                q += 1
            if q < n and s[q] >= 128 and memchr(s + q, 35, n - q) != NULL:
                fail(sc, FB_CHAR, q)
                return
            if q >= n or s[q] != 35:
                if emit(sc, n, n, K_NEWLINE_EOF) < 0:
                    return
    sc.open_indents = nind
    for i in range(nind):
        if emit(sc, n, n, K_DEDENT_EOF) < 0:
            return
    emit(sc, n, n, K_ENDMARKER)


# ---------------------------------------------------------------------------------------
# Front end: records to TokenInfo

cdef object _TokenInfo = None
cdef Py_ssize_t _TOKEN_SIZE = 0     # its allocation size when make_token may allocate it itself (see configure)
cdef Py_ssize_t _TUPLE_HEAD = tuple.__basicsize__    # where a tuple's items start
# fl_alloc_var's sizes (0: _PyObject_GC_NewVar allocates): what sys.getsizeof counts before
# the object (the GC head, from 3.12 the managed __dict__ too) and the object's own size
cdef Py_ssize_t _TOKEN_PRESIZE = 0
cdef Py_ssize_t _PAIR_PRESIZE = 0, _PAIR_SIZE = 0
cdef list _TYPE_OBJECTS = []       # token type int per record kind (ops: OP)
cdef list _OP_STRINGS = []
cdef PyObject* _TYPE_PTRS[K_OP + 64]   # the same, as pointers (the lists hold the references)
cdef PyObject* _OP_PTRS[64]
cdef object _EMPTY = ""
cdef object _NL_STR = "\n"
cdef object _CRNL_STR = "\r\n"
cdef object _NOTHING = object()     # TokenStream.pending when no value waits (None is a value read)


def configure(TokenInfo, dict types):
    """Set the TokenInfo class and the token type numbers of the running interpreter
    (types: token type name -> int). Returns whether TokenInfo objects are allocated
    directly (else through tp_alloc)."""
    global _TokenInfo, _TYPE_OBJECTS, _OP_STRINGS
    _TokenInfo = TokenInfo
    # TokenInfo made without the GC tracking them: a tuple subclass whose only extra is a
    # __dict__ (after the items until 3.11, managed before the object from 3.12)
    global _TOKEN_SIZE
    _TOKEN_SIZE = 0
    cdef Py_ssize_t word = sizeof(PyObject*)
    if (TokenInfo.__weakrefoffset__ == 0 and TokenInfo.__itemsize__ == word
            and TokenInfo.__mro__[-2] is tuple and tuple.__itemsize__ == word
            and (TokenInfo.__dictoffset__ == -word or (TokenInfo.__dictoffset__ == -1 and TokenInfo.__flags__ & (1 << 4)))):
        _TOKEN_SIZE = (TokenInfo.__basicsize__ + 5 * word + word - 1) & ~(word - 1)
    global _TOKEN_PRESIZE, _PAIR_PRESIZE, _PAIR_SIZE
    _TOKEN_PRESIZE = _PAIR_PRESIZE = _PAIR_SIZE = 0
    import sys
    if not hasattr(sys, "getobjects") and not sys.flags.dev_mode:      # (not a debug build)
        sample = TokenInfo(1, "", (1, 0), (1, 0), "")
        pair = (1, 0)
        if _TOKEN_SIZE and sample.__sizeof__() == _TOKEN_SIZE and sys.getsizeof(sample) - _TOKEN_SIZE >= 2 * word:
            _TOKEN_PRESIZE = sys.getsizeof(sample) - _TOKEN_SIZE
        if pair.__sizeof__() == _TUPLE_HEAD + 2 * word and sys.getsizeof(pair) - pair.__sizeof__() == 2 * word:
            _PAIR_SIZE = pair.__sizeof__()
            _PAIR_PRESIZE = sys.getsizeof(pair) - _PAIR_SIZE
    _TYPE_OBJECTS = [types[t] for t in KIND_TOKEN_TYPES[:K_OP]] + [types["OP"]] * len(OPERATORS)
    _OP_STRINGS = [str(o) for o in OPERATORS]
    assert len(OPERATORS) <= 64
    global _ASCII_HEAD
    probe = "ascii"
    _ASCII_HEAD = <char*>r_unicode_data(<PyObject*>probe) - <char*><PyObject*>probe
    cdef Py_ssize_t i
    for i in range(len(_TYPE_OBJECTS)):
        _TYPE_PTRS[i] = PyList_GET_ITEM(_TYPE_OBJECTS, i)
    for i in range(len(_OP_STRINGS)):
        _OP_PTRS[i] = PyList_GET_ITEM(_OP_STRINGS, i)
    return _TOKEN_SIZE != 0


# Token strings by their bytes: most NAME, NUMBER and short STRING tokens repeat (self, i,
# 0, '', ...), so one str each serves them all (a direct-mapped table, the last one at each
# slot kept; its strs live as long as the module). Saves an allocation and a free per token.
cdef enum:
    SCACHE_BITS = 11
    SCACHE_MAX = 24           # longer tokens are made afresh

cdef struct SEntry:
    PyObject* obj             # a compact ASCII str: its characters at obj + _ASCII_HEAD
    Py_ssize_t len

cdef Py_ssize_t _ASCII_HEAD = 0

cdef SEntry _scache[1 << SCACHE_BITS]
memset(_scache, 0, sizeof(_scache))      # (len 0: never matches, obj NULL)


cdef inline uint64_t load_le(const uint8_t* p, Py_ssize_t k) noexcept nogil:
    cdef uint64_t v = 0
    memcpy(&v, p, k)
    return v


cdef inline PyObject* ascii_str(const uint8_t* p, Py_ssize_t n) except NULL:
    """The str of the ASCII bytes p[:n] (n <= SCACHE_MAX), shared through the cache: a
    borrowed reference."""
    cdef uint64_t h
    if n >= 8:
        h = (load8(p) * <uint64_t>0x9E3779B97F4A7C15) ^ (load8(p + n - 8) * <uint64_t>0xC2B2AE3D27D4EB4F)
    elif n >= 4:
        h = ((<uint64_t>load4(p) << 32) | load4(p + n - 4)) * <uint64_t>0x9E3779B97F4A7C15
    else:
        h = (<uint64_t>p[0] | (<uint64_t>p[n >> 1] << 8) | (<uint64_t>p[n - 1] << 16)) * <uint64_t>0x9E3779B97F4A7C15
    h ^= <uint64_t>n
    h = (h ^ (h >> 31)) * <uint64_t>0xD6E8FEB86659FD93
    cdef SEntry* e = &_scache[h >> (64 - SCACHE_BITS)]
    if e.len == n and same_short(<const uint8_t*>e.obj + _ASCII_HEAD, p, n):
        return e.obj
    cdef PyObject* o = r_unicode_new(n, 127)
    if o == NULL:
        return NULL
    memcpy(<char*>o + _ASCII_HEAD, p, n)
    r_xdecref(e.obj)
    e.obj = o                 # the cache's reference
    e.len = n
    return o


cdef inline uint64_t load8(const uint8_t* p) noexcept nogil:
    cdef uint64_t v
    memcpy(&v, p, 8)
    return v


cdef inline uint32_t load4(const uint8_t* p) noexcept nogil:
    cdef uint32_t v
    memcpy(&v, p, 4)
    return v


cdef inline bint same_short(const uint8_t* a, const uint8_t* b, Py_ssize_t n) noexcept nogil:
    """a[:n] == b[:n] for 1 <= n <= SCACHE_MAX."""
    if n >= 8:
        if load8(a) != load8(b) or load8(a + n - 8) != load8(b + n - 8):
            return False
        return n <= 16 or load8(a + 8) == load8(b + 8)
    if n >= 4:
        return load4(a) == load4(b) and load4(a + n - 4) == load4(b + n - 4)
    return a[0] == b[0] and a[n >> 1] == b[n >> 1] and a[n - 1] == b[n - 1]


cdef inline bint all_ascii(const uint8_t* p, Py_ssize_t n) noexcept nogil:
    cdef uint8_t acc = 0
    cdef Py_ssize_t i
    for i in range(n):
        acc |= p[i]
    return acc < 128


# The hot path works on PyObject* with explicit reference counts: no increment followed
# soon by a decrement of the same object (from 3.12, Py_INCREF stores 32 bits of the count
# and Py_DECREF loads 64: the load waits for the store to retire).
cdef extern from *:
    """
    #define fl_steal(o) (o)
    /* A new object of tp with nitems items, untracked by the GC, allocated as
       _PyObject_GC_NewVar does (presize bytes before the object: the GC head and, from 3.12,
       the managed __dict__ pointers; zeroed) without its bookkeeping: the GC's allocation count
       (these objects never need collecting) and the thread state lookups. */
    static PyObject* fl_alloc_var(PyTypeObject* tp, Py_ssize_t presize, Py_ssize_t size, Py_ssize_t nitems) {
        char* mem = (char*)PyObject_Malloc((size_t)(presize + size));
        if (mem == NULL) return PyErr_NoMemory();
        memset(mem, 0, (size_t)presize);
        PyObject* op = (PyObject*)(mem + presize);
        PyObject_InitVar((PyVarObject*)op, tp, nitems);
        return op;
    }
    #ifdef Py_GIL_DISABLED
    #define fl_set_two_refs(o) Py_INCREF(o)
    #else
    #define fl_set_two_refs(o) (((PyObject*)(o))->ob_refcnt = 2)
    #endif
    """
    object fl_steal(PyObject* o)          # a new reference handed over to Cython
    PyObject* fl_alloc_var(PyTypeObject* tp, Py_ssize_t presize, Py_ssize_t size, Py_ssize_t nitems)
    void fl_set_two_refs(PyObject* o)     # a new object's count from 1 to 2 (a store only)

cdef extern from "Python.h":
    PyObject* r_long "PyLong_FromSsize_t"(Py_ssize_t v)
    PyObject* r_substring "PyUnicode_Substring"(PyObject* s, Py_ssize_t a, Py_ssize_t b)
    PyObject* r_decode_utf8 "PyUnicode_DecodeUTF8"(const char* s, Py_ssize_t n, const char* errors)
    PyObject* r_unicode_new "PyUnicode_New"(Py_ssize_t size, Py_UCS4 maxchar)
    void* r_unicode_data "PyUnicode_DATA"(PyObject* o)
    PyObject* r_generic_alloc "PyType_GenericAlloc"(PyTypeObject* tp, Py_ssize_t nitems)
    PyObject* r_gc_newvar "_PyObject_GC_NewVar"(PyTypeObject* tp, Py_ssize_t nitems)
    void r_set "PyTuple_SET_ITEM"(PyObject* t, Py_ssize_t i, PyObject* o)
    void r_incref "Py_INCREF"(PyObject* o)
    void r_decref "Py_DECREF"(PyObject* o)
    void r_xdecref "Py_XDECREF"(PyObject* o)


cdef inline PyObject* new_token(PyObject* type_, PyObject* string, PyObject* start, PyObject* end,
                                PyObject* line) except NULL:
    """A TokenInfo of the five items (references it takes over; released if it fails).
    Allocated untracked by the GC: ints, strs and untracked int pairs are never part of a
    cycle."""
    cdef PyObject* o
    if _TOKEN_PRESIZE:
        o = fl_alloc_var(<PyTypeObject*>_TokenInfo, _TOKEN_PRESIZE, _TOKEN_SIZE, 5)
        if o != NULL:
            memset(<char*>o + _TUPLE_HEAD, 0, _TOKEN_SIZE - _TUPLE_HEAD)
    elif _TOKEN_SIZE:
        o = r_gc_newvar(<PyTypeObject*>_TokenInfo, 5)
        if o != NULL:
            # the items and (3.11) the __dict__ pointer after them; from 3.12 the __dict__
            # is managed, before the object (zeroed by the allocation)
            memset(<char*>o + _TUPLE_HEAD, 0, _TOKEN_SIZE - _TUPLE_HEAD)
    else:
        o = r_generic_alloc(<PyTypeObject*>_TokenInfo, 5)
        if o != NULL:
            PyObject_GC_UnTrack(o)
    if o == NULL:
        r_decref(type_)
        r_decref(string)
        r_decref(start)
        r_decref(end)
        r_decref(line)
        return NULL
    r_set(o, 0, type_)
    r_set(o, 1, string)
    r_set(o, 2, start)
    r_set(o, 3, end)
    r_set(o, 4, line)
    return o


cdef inline PyObject* new_pos(PyObject* row, Py_ssize_t col) except NULL:
    """(row, col): a new reference. Allocated untracked by the GC (two ints: never part of
    a cycle); freed as any tuple."""
    cdef PyObject* c = r_long(col)
    if c == NULL:
        return NULL
    cdef PyObject* t
    if _PAIR_PRESIZE:
        t = fl_alloc_var(&PyTuple_Type, _PAIR_PRESIZE, _PAIR_SIZE, 2)
    else:
        t = r_gc_newvar(&PyTuple_Type, 2)   # (faster than PyTuple_New's free list, then untracking)
    if t == NULL:
        r_decref(c)
        return NULL
    r_incref(row)
    r_set(t, 0, row)
    r_set(t, 1, c)
    return t


cdef inline PyObject* new_ref(PyObject* o) noexcept:
    r_incref(o)
    return o


cdef inline Py_ssize_t char_col(const uint8_t* s, Py_ssize_t ls, Py_ssize_t off, bint ascii) noexcept:
    """Characters in s[ls:off] (UTF-8)."""
    if ascii:
        return off - ls
    cdef Py_ssize_t k = 0, i
    for i in range(ls, off):
        if (s[i] & 0xC0) != 0x80:
            k += 1
    return k


cdef extern from "Python.h":
    const char* r_utf8_or_null "PyUnicode_AsUTF8AndSize"(PyObject* o, Py_ssize_t* size)
    PyObject* r_call_noargs "PyObject_CallNoArgs"(PyObject* callable)

cdef extern from *:
    """
    #define fl_reraise() (-1)
    """
    int fl_reraise() except -1            # "fails": hands the exception already set to Cython


cdef bint gate_open(const uint8_t* p, Py_ssize_t n, int gate, uint8_t quote) noexcept nogil:
    """Whether the stalled construct may end in the line p[:n]: a triple-quoted string only
    on a line with three quotes in a row, f-string text only on one with its quote or a brace."""
    cdef Py_ssize_t i
    if gate == 1:
        for i in range(n - 2):
            if p[i] == quote and p[i + 1] == quote and p[i + 2] == quote:
                return True
        return False
    for i in range(n):
        if p[i] == quote or p[i] == 123 or p[i] == 125:
            return True
    return False


cdef class TokenStream:
    """A lazy iterator of TokenInfo objects that reads its lines as the interpreter's tokenize
    does. On the first next() it calls start(), which returns (source, first, make): source
    a readline giving str lines (or a list of them), a token to give first (the ENCODING
    token) or None, and make(reason, raw, error, ended) -> the interpreter's iterator over a
    replay of the raw values read (then error, or the rest of readline); or (None, None,
    iterator) to give that iterator's tokens instead.

    Each next() gives the next final record as a TokenInfo; when none is left it reads one
    more line (or, stalled inside a triple-quoted string or f-string text, lines until one
    may end it) and resumes the scanner over the grown text: so every token is given after
    exactly the readline calls the interpreter's tokenize makes before giving it. Where the
    scanner stops (or a line is not what it models) the interpreter's tokenize takes over:
    it replays the lines read so far and its first tokens, equal to those given, are skipped."""
    cdef object _start
    cdef object _fallback
    cdef object _first
    cdef object _readline, _make, reason
    cdef list _src
    cdef object pending               # a value read not (yet) in lines, or _NOTHING
    cdef Py_ssize_t _src_i, yielded
    cdef bint _ready, ended, noeol, finished
    cdef int mode
    cdef bint check_w, end_quirk
    cdef Scan sc
    cdef Region region_own            # the records of this stream (sc.region points here)
    cdef Budget budget_own
    cdef object lines, eof_pos
    cdef PyObject* line               # lines[row] (borrowed from lines)
    cdef PyObject* row_obj            # row + 1 (owned)
    cdef PyObject* last_end           # the last token's end position (owned) or NULL
    cdef Py_ssize_t nlines, row, ls, last_end_off, k, used
    cdef int chunk
    cdef Py_ssize_t* starts
    cdef char* line_ascii
    cdef uint8_t* buf
    cdef Py_ssize_t blen, bcap, lcap
    cdef uint32_t* cs
    cdef uint32_t* ce
    cdef uint16_t* ck

    def __cinit__(self, start, int mode, bint check_w, bint end_quirk):
        self._start = start
        self.mode = mode
        self.check_w = check_w
        self.end_quirk = end_quirk
        memset(&self.sc, 0, sizeof(Scan))
        region_init(&self.region_own)
        memset(&self.budget_own, 0, sizeof(Budget))
        self.sc.region = &self.region_own
        self.sc.budget = &self.budget_own
        self.starts = NULL
        self.line_ascii = NULL
        self.buf = NULL
        self.line = NULL
        self.row_obj = NULL
        self.last_end = NULL

    def __dealloc__(self):
        r_xdecref(self.row_obj)
        r_xdecref(self.last_end)
        free(self.starts)
        free(self.line_ascii)
        free(self.buf)
        region_free(&self.region_own, &self.budget_own)

    def __iter__(self):
        return self

    def __next__(self):
        if not self._ready:
            self._begin()
        if self._fallback is not None:
            return next(self._fallback)
        if self._first is not None:
            tok = self._first
            self._first = None
            self.yielded += 1
            return tok
        cdef PyObject* p = self._advance()
        if p == NULL:
            if self._fallback is not None:
                return next(self._fallback)
            raise StopIteration
        self.yielded += 1
        return fl_steal(p)

    cdef _begin(self):
        self._ready = True
        source, first, make = self._start()
        self._start = None
        if source is None:
            self._fallback = iter(make)
            return
        self._make = make
        if type(source) is list:
            self._src = source
        else:
            self._readline = source
        self.pending = _NOTHING
        self._first = first
        self.lines = []
        self.lcap = 64
        self.bcap = 4096
        self.starts = <Py_ssize_t*>malloc((self.lcap + 2) * sizeof(Py_ssize_t))
        self.line_ascii = <char*>malloc(self.lcap + 2)
        self.buf = <uint8_t*>malloc(self.bcap)
        if self.starts == NULL or self.line_ascii == NULL or self.buf == NULL:
            raise MemoryError()
        self.starts[0] = self.starts[1] = 1
        self.nlines = 0
        self.blen = 0
        self.sc.s = self.buf
        self.sc.n = 0
        self.sc.mode = self.mode
        self.row = 0
        self.row_obj = r_long(1)
        self.line = <PyObject*>_EMPTY
        self.ls = 0
        self.last_end_off = -1
        self.chunk = -1
        self.k = 0
        self.used = 0
        if region_prepare(self.sc.region, self.sc.budget, 4096) < 0:
            raise MemoryError()

    cdef _switch(self, reason, error=None):
        """Hand over to the interpreter's tokenize: it replays the values read, and its
        first tokens (those this stream gave) are skipped."""
        self.reason = reason
        raw = self.lines + [self.pending] if self.pending is not _NOTHING else self.lines
        it = iter(self._make(reason, raw, error, self.ended))
        cdef Py_ssize_t i
        for i in range(self.yielded):
            next(it)
        self._fallback = it

    cdef int _read(self) except -2:
        """Read one value: 0 (a line appended), 1 (the end: '' or StopIteration), -1 (handed
        over to the interpreter's tokenize). The common case (a str line) runs without a
        try block or a list: each costs a thread-state lookup or an allocation a line."""
        cdef PyObject* got
        if self._src is not None:
            if self._src_i >= PyList_GET_SIZE(self._src):
                self.ended = True
                return 1
            line = <object>PyList_GET_ITEM(self._src, self._src_i)
            self._src_i += 1
        else:
            got = r_call_noargs(<PyObject*>self._readline)
            if got == NULL:
                return self._readline_raised()
            line = fl_steal(got)
        if not PyUnicode_CheckExact(line):
            if not line and isinstance(line, (str, bytes)):
                self.ended = True
                return 1
            self.pending = line
            self._switch("lines")
            return -1
        cdef Py_ssize_t size = PyUnicode_GET_LENGTH(line)
        if size == 0:
            self.ended = True
            return 1
        self.pending = line              # (until it joins self.lines: the values read are lines + pending)
        if self.noeol:
            self._switch("lines")
            return -1
        cdef const char* u = r_utf8_or_null(<PyObject*>line, &size)
        if u == NULL:
            return self._utf8_failed(line)
        cdef const char* nl = <const char*>memchr(u, 10, size)
        if nl == NULL:
            self.noeol = True
        elif nl != u + size - 1:
            self._switch("lines")
            return -1
        if memchr(u, 0, size) != NULL:
            self._switch("character")
            return -1
        if self.blen + size >= 0xFFFFFFF0:
            self._switch("memory")
            return -1
        cdef Py_ssize_t cap
        cdef void* grown
        if self.blen + size > self.bcap:
            cap = max(2 * self.bcap, self.blen + size + 4096)
            grown = realloc(self.buf, cap)
            if grown == NULL:
                raise MemoryError()
            self.buf = <uint8_t*>grown
            self.bcap = cap
        if self.nlines + 1 >= self.lcap:
            cap = 2 * self.lcap
            grown = realloc(self.starts, (cap + 2) * sizeof(Py_ssize_t))
            if grown == NULL:
                raise MemoryError()
            self.starts = <Py_ssize_t*>grown
            grown = realloc(self.line_ascii, cap + 2)
            if grown == NULL:
                raise MemoryError()
            self.line_ascii = <char*>grown
            self.lcap = cap
        memcpy(self.buf + self.blen, u, size)
        self.starts[self.nlines] = self.blen
        self.line_ascii[self.nlines] = PyUnicode_IS_ASCII(line) != 0
        self.nlines += 1
        self.blen += size
        self.starts[self.nlines] = self.blen + 1
        self.starts[self.nlines + 1] = self.blen + 1
        self.lines.append(line)
        self.pending = _NOTHING
        if self.nlines == 1:
            self.line = PyList_GET_ITEM(self.lines, 0)
        self.sc.s = self.buf
        return 0

    cdef int _readline_raised(self) except -2:
        """readline raised (the exception is set): StopIteration ends the input; any other
        exception is replayed by the interpreter's tokenize where it would raise it."""
        try:
            fl_reraise()
        except StopIteration:
            self.ended = True
            return 1
        except BaseException as exc:
            self._switch("readline", exc)
            return -1

    cdef int _utf8_failed(self, line) except -2:
        """The line has no UTF-8 form (the exception is set): a lone surrogate
        (UnicodeEncodeError) goes to the interpreter's tokenize; anything else propagates."""
        try:
            fl_reraise()
        except UnicodeEncodeError:
            self._switch("lines" if line.find("\n") not in (-1, len(line) - 1) else "character")
            return -1

    cdef bint _name_ok(self):
        """A NAME_U record: an identifier (and \\w+ before 3.12)."""
        cdef uint32_t a = self.cs[self.k], b = self.ce[self.k]
        name = PyUnicode_DecodeUTF8(<const char*>self.buf + a, b - a, NULL)
        if not name.isidentifier():
            return False
        if self.check_w:
            import re
            return re.fullmatch(r"\w+", name) is not None
        return True

    cdef PyObject* _advance(self) except? NULL:
        """The next TokenInfo (a new reference), or NULL: the end, or handed over (no
        exception set)."""
        cdef Region* r = self.sc.region
        cdef int kind, st
        cdef Py_ssize_t at
        while True:
            while self.k >= self.used and self.chunk + 1 < region_chunks_used(r):
                self.chunk += 1
                self.cs = chunk_starts(r, self.chunk)
                self.ce = chunk_ends(r, self.chunk)
                self.ck = chunk_kinds(r, self.chunk)
                self.used = r.used[self.chunk]
                self.k = 0
            if self.k < self.used:
                kind = self.ck[self.k]
                if not self.ended and (kind == K_ENDMARKER or kind == K_DEDENT_EOF
                                       or (kind == K_NEWLINE_EOF and not self.mode)):
                    st = self._read()          # these come after readline said ''
                    if st < 0:
                        return NULL
                    if st == 0:
                        self._switch("lines")
                        return NULL
                    continue
                if kind == K_NAME_U and not self._name_ok():
                    self._switch("name")
                    return NULL
                return self._next_token()
            if self.finished:
                return NULL
            if not (self.ended or self.noeol):
                at = self.blen
                st = self._read()
                if st < 0:
                    return NULL
                while st == 0 and self.sc.stall_gate and not self.noeol and not gate_open(
                        self.buf + at, self.blen - at, self.sc.stall_gate, self.sc.stall_quote):
                    at = self.blen
                    st = self._read()
                    if st < 0:
                        return NULL
            self.sc.eof = self.ended or self.noeol
            self.sc.s = self.buf
            self.sc.n = self.blen
            region_reset(r, self.sc.budget)
            scan(&self.sc)                 # (a line or so: not worth releasing the GIL)
            region_flush(r)
            if self.sc.fallback:
                self._switch(FALLBACK_REASONS[self.sc.fallback])
                return NULL
            if self.sc.eof:
                if self.sc.stalled:
                    self._switch("internal")
                    return NULL
                self.finished = True
                self.eof_pos = (self.nlines + 1, 0)
            self.chunk = -1
            self.k = 0
            self.used = 0

    cdef PyObject* _next_token(self) except? NULL:
        """The next TokenInfo (a new reference), or NULL at the end (no exception set)."""
        cdef Region* r = self.sc.region
        cdef const uint8_t* s = self.sc.s
        cdef Py_ssize_t n = self.sc.n
        cdef Py_ssize_t start, end, scol, ecol, erow, cnt
        cdef Py_ssize_t* starts = self.starts
        cdef int kind
        cdef bint mode = self.mode
        cdef PyObject* type_
        cdef PyObject* string
        cdef PyObject* spos
        cdef PyObject* epos
        cdef PyObject* eof
        cdef PyObject* line
        cdef PyObject* row_obj
        while self.k >= self.used:
            self.chunk += 1
            if self.chunk >= region_chunks_used(r):
                return NULL
            self.cs = chunk_starts(r, self.chunk)
            self.ce = chunk_ends(r, self.chunk)
            self.ck = chunk_kinds(r, self.chunk)
            self.used = r.used[self.chunk]
            self.k = 0
        start = self.cs[self.k]
        end = self.ce[self.k]
        kind = self.ck[self.k]
        self.k += 1
        type_ = new_ref(_TYPE_PTRS[kind])
        if kind == K_DEDENT_EOF or kind == K_ENDMARKER:
            eof = <PyObject*>self.eof_pos
            r_incref(eof)
            r_incref(eof)
            return new_token(type_, new_ref(<PyObject*>_EMPTY), eof, eof, new_ref(<PyObject*>_EMPTY))
        if start >= starts[self.row + 1] and self.row + 1 < self.nlines:
            while start >= starts[self.row + 1] and self.row + 1 < self.nlines:
                self.row += 1
            self.ls = starts[self.row]
            self.line = PyList_GET_ITEM(self.lines, self.row)
            row_obj = r_long(self.row + 1)
            if row_obj == NULL:
                r_decref(type_)
                return NULL
            r_decref(self.row_obj)
            self.row_obj = row_obj
        line = self.line
        row_obj = self.row_obj
        cdef Py_ssize_t row = self.row
        cdef bint ascii = self.line_ascii[row]
        scol = char_col(s, self.ls, start, ascii)
        if kind >= K_OP:
            string = new_ref(_OP_PTRS[kind - K_OP])
            ecol = scol + (end - start)
        elif kind == K_NEWLINE_EOF or kind == K_NL_EOF:
            spos = new_pos(row_obj, scol)       # (NULL: the exception propagates; type_ leaks)
            if kind == K_NL_EOF and not mode:
                epos = new_ref(spos)
            else:
                epos = new_pos(row_obj, scol + 1)
            return new_token(type_, new_ref(<PyObject*>_EMPTY), spos, epos,
                             new_ref(<PyObject*>_EMPTY if (kind == K_NEWLINE_EOF and not mode) else line))
        elif kind == K_NEWLINE or kind == K_NL:
            string = new_ref(<PyObject*>_NL_STR if end - start == 1 else <PyObject*>_CRNL_STR)
            ecol = scol + (end - start)
        elif kind == K_DEDENT:
            # at the first token of its line: the DEDENTs there and that token share one pair
            if start != self.last_end_off:
                spos = new_pos(row_obj, scol)
                r_xdecref(self.last_end)
                self.last_end = spos            # (its one reference: last_end's)
                self.last_end_off = start
            spos = self.last_end
            r_incref(spos)
            r_incref(spos)
            return new_token(type_, new_ref(<PyObject*>_EMPTY), spos, spos, new_ref(line))
        elif end < starts[row + 1]:
            ecol = scol + (end - start) if ascii else char_col(s, self.ls, end, False)
            if end - start <= SCACHE_MAX and (kind == K_NAME or kind == K_NUMBER or (
                    (kind == K_STRING or kind == K_FSTRING_START or kind == K_FSTRING_END)
                    and (ascii or all_ascii(s + start, end - start)))):
                string = new_ref(ascii_str(s + start, end - start))
            else:
                string = r_substring(line, scol, ecol)
                if string == NULL:
                    r_decref(type_)
                    return NULL
        else:
            return self._multiline_token(type_, kind, start, end, scol)
        # one line: (row, scol) to (row, ecol), sharing the last token's end when it starts there
        if start == self.last_end_off:
            spos = self.last_end            # its reference moves to this token
            self.last_end = NULL
        else:
            spos = new_pos(row_obj, scol)
        epos = new_pos(row_obj, ecol)
        if kind == K_NEWLINE or kind == K_NL:
            self.last_end_off = -1
        else:
            fl_set_two_refs(epos)           # the token's and last_end's
            r_xdecref(self.last_end)
            self.last_end = epos
            self.last_end_off = -1 if (self.end_quirk and kind < K_OP) else end
        r_incref(line)
        return new_token(type_, string, spos, epos, line)

    cdef PyObject* _multiline_token(self, PyObject* type_, int kind, Py_ssize_t start, Py_ssize_t end,
                                    Py_ssize_t scol) except NULL:
        """A token over several lines (strings, f-string middles): line is the lines joined."""
        cdef const uint8_t* s = self.sc.s
        cdef Py_ssize_t n = self.sc.n
        cdef Py_ssize_t* starts = self.starts
        cdef Py_ssize_t row = self.row, erow, cnt, ecol
        cdef PyObject* spos
        erow = row + 1
        while erow + 1 < self.nlines and end >= starts[erow + 1]:
            erow += 1
        if self.end_quirk and (kind == K_STRING or kind == K_FSTRING_MIDDLE):
            cnt = min(end - starts[erow], (starts[erow + 1] if starts[erow + 1] <= n else n) - starts[row] + 1)
            ecol = len(PyUnicode_DecodeUTF8(<const char*>s + starts[row], cnt, "replace"))
        else:
            ecol = char_col(s, starts[erow], end, self.line_ascii[erow])
        string = PyUnicode_DecodeUTF8(<const char*>s + start, end - start, NULL)
        cdef object erow_obj = PyLong_FromSsize_t(erow + 1)
        lines_obj = "".join(self.lines[row:erow + 1])
        if start == self.last_end_off:
            spos = self.last_end
            self.last_end = NULL
        else:
            spos = new_pos(self.row_obj, scol)
        cdef PyObject* epos = new_pos(<PyObject*>erow_obj, ecol)
        fl_set_two_refs(epos)               # the token's and last_end's
        r_xdecref(self.last_end)
        self.last_end = epos
        self.last_end_off = -1 if self.end_quirk else end
        r_incref(<PyObject*>string)
        r_incref(<PyObject*>lines_obj)
        return new_token(type_, <PyObject*>string, spos, epos, <PyObject*>lines_obj)


# ---------------------------------------------------------------------------------------
# The Python grammar for fastlex's core (fastlex/_grammar.pxi): what
# fastlex.tokenize(src, language="python") and fastlex.Lexer(language="python") run. The same
# scanner writes the records into a fastlex Store; where it stops (invalid input, or a
# construct it does not model) the core gets an errors entry saying why, one ERRORTOKEN record
# over the rest of the source (every byte stays inside a token) and the ENDMARKER.

cdef struct PyGrammarState:
    int mode                  # as Scan.mode: the running interpreter's tokenize


cdef int PY_MODE = 0


cdef void py_grammar_init(void* state) noexcept nogil:
    (<PyGrammarState*>state).mode = PY_MODE


cdef void py_grammar_release(void* state, Budget* budget) noexcept nogil:
    pass                      # the state holds no memory


cdef size_t py_grammar_held(void* state) noexcept nogil:
    return 0


cdef int py_grammar_scan(void* state, ScanTarget* t) noexcept nogil:
    """Scan t.src into the target (records, and an error where the scanner stopped)."""
    cdef Scan sc
    cdef ErrorRecord* e
    cdef Py_ssize_t rest
    cdef Py_ssize_t skip = 0, k
    cdef int c
    memset(&sc, 0, sizeof(Scan))
    # The error list is the Lexer's and outlives a call: start it empty, as the Ruby scanner
    # does (a reused Lexer used to report every earlier source's errors too).
    t.errors.count = 0
    # A UTF-8 byte order mark is not part of the source (tokenize reads it as utf-8-sig): the
    # scanner sees the bytes after it, and the records are moved back to the source's offsets.
    if t.n >= 3 and t.src[0] == 0xEF and t.src[1] == 0xBB and t.src[2] == 0xBF:
        skip = 3
    sc.s = t.src + skip
    sc.n = t.n - skip
    sc.mode = (<PyGrammarState*>state).mode
    sc.eof = True
    sc.region = t.region
    sc.budget = t.budget
    scan(&sc)
    region_flush(t.region)
    if skip:
        sc.fallback_at += skip
        for c in range(region_chunks_used(t.region)):
            for k in range(t.region.used[c]):
                chunk_starts(t.region, c)[k] += skip
                chunk_ends(t.region, c)[k] += skip
    if sc.fallback == FB_MEMORY:
        return -1
    if sc.fallback != FB_NONE:
        e = <ErrorRecord*>vec_push(t.errors, t.budget)
        if e == NULL:
            return -1
        e.offset = <uint32_t>(sc.fallback_at if 0 <= sc.fallback_at <= t.n else t.n)
        e.code = <uint32_t>sc.fallback
        # The rest starts where the last record ends (the scanner may have read past it
        # before it stopped: an unterminated string is found at its end), or after the byte
        # order mark, which stays outside every token, when there is no record yet.
        rest = region_get(t.region, t.region.count - 1).end if t.region.count else skip
        if (region_emit(t.region, t.budget, rest, t.n, K_ERRORTOKEN) < 0
                or region_emit(t.region, t.budget, t.n, t.n, K_ENDMARKER) < 0):
            return -1
        region_flush(t.region)
    return 0


cdef Grammar PY_GRAMMAR
memset(&PY_GRAMMAR, 0, sizeof(Grammar))
grammar_stamp(&PY_GRAMMAR)
PY_GRAMMAR.name = "python"
PY_GRAMMAR.state_size = sizeof(PyGrammarState)
PY_GRAMMAR.init = py_grammar_init
PY_GRAMMAR.release = py_grammar_release
PY_GRAMMAR.held = py_grammar_held
PY_GRAMMAR.scan = py_grammar_scan

cdef extern from "Python.h":
    object PyCapsule_New(void* pointer, const char* name, void* destructor)


def _kinds_enum():
    """fastlex's Python record kinds as an IntEnum: the record kinds by name, then one member
    per operator named as CPython's token module names its exact type (LPAR, PLUSEQUAL...)."""
    import enum
    import token
    exact = {text: token.tok_name[t] for text, t in token.EXACT_TOKEN_TYPES.items()}
    exact.setdefault("!", "EXCLAMATION")
    members = [(name, i) for i, name in enumerate(KIND_NAMES) if i < K_OP]
    members += [(exact.get(text, f"OP_{i}"), K_OP + i) for i, text in enumerate(OPERATORS)]
    return enum.IntEnum("PythonKind", members, module=__name__)


def _configure_grammar(int mode):
    """The tokenize rules fastlex.tokenize(language="python") follows (fastlex.python sets
    the running interpreter's)."""
    global PY_MODE
    PY_MODE = mode


#: The core's view of this grammar (fastlex._core.grammar_info("python") reads these).
GRAMMAR = PyCapsule_New(&PY_GRAMMAR, "fastlex.grammar", NULL)
KINDS = _kinds_enum()
NAME_KINDS = (K_NAME, K_NAME_U)
SUFFIXES = (".py",)
ERROR_MESSAGES = {
    FB_INDENT: "indentation: a dedent to no open level, inconsistent tabs and spaces, or too deep",
    FB_EOF_IN_STATEMENT: "end of input inside a statement (an open bracket or a backslash continuation)",
    FB_STRING: "unterminated string",
    FB_CHAR: "a character no token starts with",
    FB_NUMBER: "invalid number literal (a number followed by a name character, or leading zeros)",
    FB_BRACKET: "unmatched, mismatched or too deeply nested bracket",
    FB_FSTRING: "an f-string construct fastlex's scanner does not lex (the rest is one ERRORTOKEN)",
    FB_CONTINUATION: "a backslash not followed by a line of code (fastlex stops here)",
    FB_BLANK_EOF: "a last line of white space without a newline (fastlex stops here)",
    FB_MEMORY: "out of memory",
}
