# The Ruby scanner: a cursor over the source bytes that decides token kinds
# and lengths and appends records to the region. No Python objects, no GIL.
#
# Ruby cannot be tokenized without some parser state: whether a value is
# expected decides regexp vs division, unary vs binary operators, heredoc vs
# shift, symbol vs colon, hash vs block. The scanner keeps the small state
# Ruby's own lexer keeps (lex_state, space before the token, known local
# variables, pending ternaries) plus a stack of open literals and brackets.
# Every loop reads a byte only after checking pos < n, so no path reads past
# the end of the buffer.

cdef enum LexState:
    ST_BEG = 0       # a value is expected (start of an expression)
    ST_MID = 1       # after return/break/next/rescue: a value may follow
    ST_END = 2       # a value just ended (literal, local variable, closing bracket)
    ST_ARG = 3       # after a method name that may take arguments without parentheses
    ST_FNAME = 4     # a method name is expected (after def, alias, undef)
    ST_CLASS = 5     # after class: like BEG but << is an operator (class << self)
    ST_DOT = 6       # after . &. :: : a method name follows
    ST_ENDFN = 7     # after a def's method name or ->: parameters may follow

include "_tables.pxi"

# Frames on the literal/bracket stack.
cdef enum FrameMode:
    FR_TOP = 0        # the file's top level
    FR_PAREN = 1      # ( ... )
    FR_BRACKET = 2    # [ ... ]
    FR_BRACE = 3      # { ... } hash, block or lambda body
    FR_INTERP = 4     # #{ ... } inside a literal
    FR_STRING = 5     # a quoted literal (string, symbol, regexp, command, word list)
    FR_HEREDOC = 6    # a heredoc body
    FR_KEYWORD = 7    # def/class/module/do/begin/case/if/while/... up to its end

cdef enum:
    LITERAL_MODES = (1 << FR_STRING) | (1 << FR_HEREDOC)   # frames whose text is a literal's, not code

cdef enum FrameFlag:
    FF_INTERP = 1         # #{} #@ #$ interpolate
    FF_ESCAPES = 2        # escape sequences are tokens of their own
    FF_WORDS = 4          # a word list: white space separates STRING_CONTENT tokens
    FF_REGEXP = 8         # ends with REGEXP_END and flags
    FF_LABEL = 16         # "str": may end as a label
    FF_DEF_PARAMS = 32    # ( ... ) of a def or lambda: names inside are locals
    FF_SQUIGGLY = 64      # heredoc <<~ or <<-: the terminator may be indented
    FF_SCOPE = 128        # the frame opens a local-variable scope (a block: outer locals stay visible)
    FF_HARD_SCOPE = 256   # ... that hides outer locals (def, class, module, the top level)
    FF_COND = 512         # while/until/for whose condition is open: a 'do' here is theirs
    FF_DEF = 1024         # a def: 'name = value' after the signature makes it endless
    FF_BODY = 2048        # a def whose body has started (its signature line has ended)
    FF_ENDLESS = 4096     # an endless def: it ends with its statement, not with 'end'
    FF_SYMBOL = 8192      # a quoted symbol (:"..." %s()): for its unterminated error
    FF_COMMAND = 16384    # a command string (`...` %x()): for its unterminated error
    FF_DEDENT = 32768     # heredoc <<~: prism makes one STRING_CONTENT a line
    FF_CMDARG = 65536     # a command's arguments (foo bar ...) are open at this level: a do here is
                          # the command's block (prism's KEYWORD_DO_BLOCK, Ruby's cmdarg stack)
    FF_PARENTHESES = 131072   # ( of a parenthesized command argument (PARENTHESIS_LEFT_PARENTHESES)
    FF_DEFAULT_VALUE = 262144 # a def's parameter list at this level is inside a default value
                              # (a = ..., k: ...) up to its next comma (prism's DEFAULT_PARAMS)
    FF_PARAMS_LINE = 524288   # ( inside the parameters of a def or lambda without parentheses (a
                              # destructuring group, or a default value's): they go on after its )

cdef struct Frame:
    uint8_t mode
    uint8_t open          # opening delimiter of a paired literal, 0 otherwise
    uint8_t close         # closing delimiter
    uint32_t flags        # FrameFlag bits
    uint32_t scope        # the scope a scope frame opens (FF_SCOPE / FF_HARD_SCOPE); for other
                          # frames the innermost scope open below them, so scope never decreases
                          # up the stack and scope_open can binary-search it
    uint32_t depth        # nesting of paired delimiters inside a literal
    uint32_t ternary      # ? awaiting its : at this bracket level
    uint32_t start        # offset of the literal's opening token (for errors)
    uint32_t heredoc      # FR_HEREDOC: index of its heredoc in the pending list
    uint32_t group_start  # FR_HEREDOC: the heredocs whose bodies follow the same newline,
    uint32_t group_end    #   pending[group_start:group_end], read one after the other
    uint32_t hard         # the innermost hard scope (def/class/module/top) at or below this frame
    uint32_t base         # index of the nearest non-keyword frame at or below this one (close_to)

cdef struct Heredoc:
    uint32_t id_start     # the terminator identifier (without quotes)
    uint32_t id_len
    uint32_t start        # offset of the <<ID token
    uint16_t flags        # FF_INTERP | FF_ESCAPES | FF_SQUIGGLY | FF_DEDENT
    bint started          # its body has been opened

cdef enum ErrorCode:
    ERR_INVALID_UTF8 = 1
    ERR_NUL = 2
    ERR_LONE_CR = 3
    ERR_UNEXPECTED = 4
    ERR_UNTERMINATED_STRING = 5
    ERR_UNTERMINATED_REGEXP = 6
    ERR_UNTERMINATED_HEREDOC = 7
    ERR_UNTERMINATED_EMBDOC = 8
    ERR_UNTERMINATED_LIST = 9
    ERR_UNTERMINATED_INTERP = 10
    ERR_UNTERMINATED_SYMBOL = 11
    ERR_UNTERMINATED_COMMAND = 12
    ERR_BOM = 13
    ERR_TOO_MANY_ERRORS = 14

cdef enum:
    MAX_ERRORS = 10000

# Byte classes.
cdef enum CharClass:
    CC_IDENT = 1        # may continue an identifier: letters, digits, _, bytes >= 0x80
    CC_IDSTART = 2      # may start an identifier: letters, _, bytes >= 0x80
    CC_DIGIT = 4
    CC_UPPER = 8
    CC_SPACE = 16       # space, \t, \v, \f, \r (not \n)
    CC_HEX = 32

cdef uint8_t CHAR_CLASS[256]

# Bytes that may end a run of plain literal text (besides the literal's own delimiters).
cdef enum TextStop:
    TS_ALWAYS = 1       # \ and # (escapes, interpolation)
    TS_BLANK = 2        # white space and newlines: they separate the words of %w() lists
    TS_HIGH = 4         # bytes >= 0x80: UTF-8 to validate (non-ASCII sources only)

cdef uint8_t TEXT_STOP[256]

# Bytes that may follow a name when an assignment does (blanks and the first bytes of =, +=, ||=, ...).
cdef uint8_t ASSIGN_LEAD[256]


cdef void char_class_init() noexcept nogil:
    """Fill CHAR_CLASS (called once at import)."""
    cdef int c
    for c in range(256):
        CHAR_CLASS[c] = 0
        if (c >= 97 and c <= 122) or (c >= 65 and c <= 90) or c == 95 or c >= 128:
            CHAR_CLASS[c] |= CC_IDENT | CC_IDSTART
        if c >= 48 and c <= 57:
            CHAR_CLASS[c] |= CC_IDENT | CC_DIGIT | CC_HEX
        if c >= 65 and c <= 90:
            CHAR_CLASS[c] |= CC_UPPER
        if (c >= 97 and c <= 102) or (c >= 65 and c <= 70):
            CHAR_CLASS[c] |= CC_HEX
        if c == 32 or c == 9 or c == 11 or c == 12 or c == 13:
            CHAR_CLASS[c] |= CC_SPACE
        TEXT_STOP[c] = 0
        if c == 92 or c == 35:
            TEXT_STOP[c] |= TS_ALWAYS
        if c == 32 or c == 9 or c == 10 or c == 11 or c == 12 or c == 13:
            TEXT_STOP[c] |= TS_BLANK
        if c >= 128:
            TEXT_STOP[c] |= TS_HIGH
        ASSIGN_LEAD[c] = c in (32, 9, 61, 124, 38, 43, 45, 42, 47, 37, 94, 60, 62)   # blank = | & + - * / % ^ < >

char_class_init()

# Kinds that begin an expression (prism's token_begins_expression_p, for command arguments).
cdef bint BEGINS_EXPRESSION[KIND_COUNT]


cdef void begins_expression_init():
    cdef int k
    for k in range(KIND_COUNT):
        BEGINS_EXPRESSION[k] = False
    for k in (K_IDENTIFIER, K_METHOD_NAME, K_CONSTANT, K_INSTANCE_VARIABLE, K_CLASS_VARIABLE,
              K_GLOBAL_VARIABLE, K_BACK_REFERENCE, K_NUMBERED_REFERENCE, K_LABEL, K_SYMBOL_BEGIN,
              K_INTEGER, K_FLOAT, K_INTEGER_RATIONAL, K_FLOAT_RATIONAL, K_INTEGER_IMAGINARY,
              K_FLOAT_IMAGINARY, K_INTEGER_RATIONAL_IMAGINARY, K_FLOAT_RATIONAL_IMAGINARY,
              K_CHARACTER_LITERAL, K_STRING_BEGIN, K_XSTRING_BEGIN, K_PERCENT_LOWER_X, K_HEREDOC_START,
              K_REGEXP_BEGIN, K_PERCENT_LOWER_W, K_PERCENT_UPPER_W, K_PERCENT_LOWER_I, K_PERCENT_UPPER_I,
              K_UMINUS, K_UMINUS_NUM, K_UPLUS, K_USTAR, K_USTAR_STAR, K_UAMPERSAND, K_UCOLON_COLON,
              K_UDOT_DOT, K_UDOT_DOT_DOT, K_BANG, K_TILDE, K_MINUS_GREATER,
              K_PARENTHESIS_LEFT_PARENTHESES, K_PARENTHESIS_LEFT_GROUPING, K_BRACKET_LEFT_ARRAY,
              K_BRACE_LEFT_HASH,
              K_KEYWORD_NIL, K_KEYWORD_TRUE, K_KEYWORD_FALSE, K_KEYWORD_SELF, K_KEYWORD_NOT,
              K_KEYWORD_DEFINED, K_KEYWORD_DEF, K_KEYWORD_SUPER, K_KEYWORD_YIELD, K_KEYWORD___FILE__,
              K_KEYWORD___LINE__, K_KEYWORD___ENCODING__, K_KEYWORD_CASE, K_KEYWORD_BEGIN,
              K_KEYWORD_CLASS, K_KEYWORD_MODULE, K_KEYWORD_IF, K_KEYWORD_UNLESS, K_KEYWORD_WHILE,
              K_KEYWORD_UNTIL, K_KEYWORD_FOR, K_KEYWORD_RETURN, K_KEYWORD_BREAK, K_KEYWORD_NEXT,
              K_KEYWORD_REDO, K_KEYWORD_RETRY):
        BEGINS_EXPRESSION[k] = True

begins_expression_init()

# Kinds after which prism's state has the LABEL bit (with BEG): a name: there is a label.
cdef bint LABEL_AFTER[KIND_COUNT]


cdef void label_after_init():
    cdef int k
    for k in range(KIND_COUNT):
        LABEL_AFTER[k] = False
    for k in (K_COMMA, K_PARENTHESIS_LEFT, K_PARENTHESIS_LEFT_GROUPING, K_PARENTHESIS_LEFT_PARENTHESES,
              K_BRACKET_LEFT, K_BRACKET_LEFT_ARRAY, K_BRACE_LEFT_HASH, K_PIPE, K_LABEL, K_LABEL_END,
              K_KEYWORD_IF_MODIFIER, K_KEYWORD_UNLESS_MODIFIER, K_KEYWORD_WHILE_MODIFIER,
              K_KEYWORD_UNTIL_MODIFIER, K_KEYWORD_RESCUE_MODIFIER, K_KEYWORD_IN, K_EQUAL_GREATER):
        LABEL_AFTER[k] = True

label_after_init()

# Kinds after which a statement starts (0: the start of the source): where a, b = ... is a
# multiple assignment whose targets become locals.
cdef bint STATEMENT_START[KIND_COUNT]


cdef void statement_start_init():
    cdef int k
    for k in range(KIND_COUNT):
        STATEMENT_START[k] = False
    for k in (0, K_NEWLINE, K_IGNORED_NEWLINE, K_NEWLINE_TERMINATOR, K_SEMICOLON, K_KEYWORD_THEN,
              K_KEYWORD_DO, K_KEYWORD_DO_BLOCK, K_KEYWORD_DO_LOOP, K_KEYWORD_ELSE, K_KEYWORD_BEGIN,
              K_KEYWORD_ENSURE, K_BRACE_LEFT, K_EMBEXPR_BEGIN):
        STATEMENT_START[k] = True

statement_start_init()


cdef enum Pending:
    P_BLOCK_PARAMS = 2      # after do or a block's {: a | next opens block parameters
    P_DEF_HEADER_END = 4    # a def's parameter list just closed: '=' next makes it endless
    P_ALIAS_SECOND = 8      # alias seen: after its first name, a second name follows
    P_ENDARG = 16           # a parenthesized command argument just closed (foo (1)): Ruby's ENDARG
                            # state, where { is BRACE_LEFT_ARGUMENT


cdef enum:
    HIGH_MAP_WORDS = 1024     # the high-byte map: 65,536 bits, one per block of the source
    HIGH_MIN_SHIFT = 12       # blocks of at least 4 KB (larger ones past 256 MB of source)

cdef enum:
    DECL_BYTES = 64           # source bytes per local-variable declaration reserved (vec_reserve)

cdef struct Decl:
    # A name declared a local variable in a scope. A pool entry's flags is 1 + the index of
    # the name's newest declaration (0: never declared); prev links the older ones, so a name
    # local in a method and in the code around it is a local in both.
    uint32_t scope
    uint32_t prev


cdef struct Scanner:
    const uint8_t* src
    Py_ssize_t n
    Py_ssize_t pos
    bint ascii            # no byte >= 0x80 anywhere: UTF-8 checks can be skipped
    int state             # a LexState
    bint space_seen       # white space right before the current token
    uint32_t pending      # Pending bits: decisions the next code token settles (one test per token)
    bint lambda_pending   # -> seen, its { or do not yet
    uint32_t lambda_scope # the scope around the last ->: its parameters' declarations move into
    Py_ssize_t lambda_decls   # the lambda's scope when its body opens (decls[lambda_decls:])
    bint block_params     # inside | ... | of a block
    bint def_params_line  # def without parentheses: names up to the newline are locals
    bint def_pending      # def seen, its method name not yet
    uint32_t scope        # the innermost open local-variable scope
    uint32_t scope_counter    # scopes opened so far (ids from 1)
    int last_kind         # kind of the last token emitted
    int heredocs_active   # heredoc bodies being read (their newlines start nothing)
    Py_ssize_t eof_start  # where EOF starts when __END__ ended the code (-1: not)
    uint16_t* newline_patch   # the kind of the newline before pending heredoc bodies: settled after them
    int state_after_bodies    # the lexer state after that newline, restored once the bodies are read
    bint label_carry      # the LABEL bit before the IGNORED_NEWLINEs and comments just emitted
    bint pattern_line     # an in or => pattern started on this line (a label ending it ends the statement)
    Py_ssize_t pattern_frames # inside the pattern of a case's in (its frame count, 0: not): the names
                              # it binds are locals (up to then, a guard, ; or the newline ending it)
    Region* region
    Pool* pool
    Budget* budget
    Vec* frames           # of Frame; frames[0] is FR_TOP
    Frame* top_frame      # the last of frames (kept by push_frame and pop_frame: no index arithmetic)
    Vec* heredocs         # of Heredoc, pending on the current line
    Vec* decls            # of Decl: the local-variable declarations (see local_visible)
    Vec* errors           # of ErrorRecord
    bint failed           # the budget refused memory: stop
    int high_shift        # log2 of the high-byte map's block size
    uint64_t high_map[HIGH_MAP_WORDS]   # bit k: block k of the source holds a byte >= 0x80


# ---------------------------------------------------------------- emitting

cdef inline void emit(Scanner* S, Py_ssize_t start, Py_ssize_t end, int kind) noexcept nogil:
    """Append a token [start, end) of kind (nothing if empty and not EOF)."""
    cdef Region* r = S.region
    # Read the cursor before any store: a store through a uint32_t* may alias its fields.
    cdef uint32_t k = r.next
    cdef uint32_t cap = r.limit
    cdef uint32_t* base = r.base
    if end <= start and kind != K_EOF:
        return
    if k < cap:
        # The common case, inline: room in the current chunk (never in per-token mode).
        region_write(base, cap, k, <uint32_t>start, <uint32_t>end, kind)
        r.next = k + 1
        S.last_kind = kind
        return
    S.last_kind = kind
    if region_push(r, S.budget, <uint32_t>start, <uint32_t>end, kind) < 0:
        S.failed = True


cdef void add_error(Scanner* S, Py_ssize_t offset, int code) noexcept nogil:
    """Record a lexing error at offset (at most MAX_ERRORS, then one ERR_TOO_MANY_ERRORS)."""
    cdef ErrorRecord* e
    if S.errors.count > MAX_ERRORS:
        return
    e = <ErrorRecord*>vec_push(S.errors, S.budget)
    if e == NULL:
        S.failed = True
        return
    e.offset = <uint32_t>offset
    e.code = <uint32_t>(ERR_TOO_MANY_ERRORS if S.errors.count > MAX_ERRORS else code)


cdef inline Frame* top(Scanner* S) noexcept nogil:
    """The innermost open frame."""
    return S.top_frame


cdef inline Frame* top_below(Scanner* S) noexcept nogil:
    """The frame under the innermost one (the top-level frame if there is none)."""
    return <Frame*>vec_at(S.frames, S.frames.count - 2 if S.frames.count > 1 else 0)


cdef inline Frame* push_frame(Scanner* S, int mode, int flags, Py_ssize_t start) noexcept nogil:
    """Open a frame; NULL (and S.failed) if the limit refused memory."""
    cdef Py_ssize_t index = S.frames.count
    cdef Frame* f = <Frame*>vec_push(S.frames, S.budget)
    cdef Frame* below
    if f == NULL:
        S.failed = True
        return NULL
    S.top_frame = f            # (the push may have moved the stack)
    f.mode = <uint8_t>mode
    f.flags = <uint32_t>flags
    f.scope = S.scope
    if flags & (FF_SCOPE | FF_HARD_SCOPE):
        S.scope_counter += 1
        f.scope = S.scope_counter
        S.scope = f.scope
    # O(1) summaries of the frames below, so no lookup walks the stack (deep nesting stays linear).
    f.hard = 0
    f.base = <uint32_t>index
    if index > 0:
        below = <Frame*>vec_at(S.frames, index - 1)
        f.hard = below.hard
        if mode == FR_KEYWORD:
            f.base = below.base
    if flags & FF_HARD_SCOPE:
        f.hard = f.scope
    f.open = 0
    f.close = 0
    f.depth = 0
    f.ternary = 0
    f.start = <uint32_t>start
    f.heredoc = 0
    return f


cdef inline void pop_frame(Scanner* S) noexcept nogil:
    """Close the innermost frame (the top-level frame is never closed), leaving its scope."""
    if S.frames.count > 1:
        S.frames.count -= 1
        S.top_frame -= 1
        S.scope = S.top_frame.scope     # every frame carries the innermost scope at its level


cdef bint scope_open(Scanner* S, uint32_t scope) noexcept nogil:
    """True if scope is open: some frame carries it (scope ids grow up the stack: binary search)."""
    cdef Py_ssize_t lo = 0
    cdef Py_ssize_t hi = S.frames.count - 1
    cdef Py_ssize_t mid
    while lo < hi:
        mid = (lo + hi) >> 1
        if (<Frame*>vec_at(S.frames, mid)).scope < scope:
            lo = mid + 1
        else:
            hi = mid
    return (<Frame*>vec_at(S.frames, lo)).scope == scope


cdef bint local_visible(Scanner* S, int64_t slot) noexcept nogil:
    """True if the name in pool slot is a local variable here. A name is declared in the
    innermost scope (declare_local), which lies inside every open scope: so the chain, newest
    first, lists the open scopes' declarations innermost first, and the first open one
    decides (visible unless a def/class lies between). Declarations of closed scopes (a
    closed scope never reopens) are unlinked on the way: each once, so lookups stay linear."""
    cdef uint32_t* head = &S.pool.slots[slot].flags
    cdef Decl* d
    while head[0] != 0:
        d = <Decl*>vec_at(S.decls, head[0] - 1)
        if d.scope == S.scope:
            return True          # declared in the innermost scope: the common case, no search
        if scope_open(S, d.scope):
            return d.scope >= top(S).hard
        head[0] = d.prev
    return False


cdef void lambda_body_opened(Scanner* S) noexcept nogil:
    """A lambda's body just opened its scope: the parameters declared since its -> (in the scope
    around it) become the lambda's own, so they are locals inside it and not after it. Each
    stays the newest declaration of its name (the lambda's scope is the newest), so the chains
    keep their order."""
    cdef Py_ssize_t k
    cdef Decl* d
    S.def_params_line = False
    for k in range(S.lambda_decls, S.decls.count):
        d = <Decl*>vec_at(S.decls, k)
        if d.scope == S.lambda_scope:
            d.scope = S.scope
    S.lambda_decls = S.decls.count


cdef void declare_local(Scanner* S, int64_t slot) noexcept nogil:
    """Declare the name in pool slot a local variable of the innermost scope, over its older
    declarations (which come back into sight when this scope closes)."""
    cdef uint32_t head = S.pool.slots[slot].flags
    if head != 0 and (<Decl*>vec_at(S.decls, head - 1)).scope == S.scope:
        return
    cdef Decl* d = <Decl*>vec_push(S.decls, S.budget)
    if d == NULL:
        S.failed = True
        return
    d.scope = S.scope
    d.prev = head
    S.pool.slots[slot].flags = <uint32_t>S.decls.count


cdef void close_to(Scanner* S, int mode) noexcept nogil:
    """Pop keyword frames left open above the nearest frame of mode (if one is there, above
    any literal), so a stray keyword cannot swallow a closing bracket."""
    cdef Py_ssize_t k = top(S).base     # the nearest non-keyword frame, without walking the stack
    if k > 0 and (<Frame*>vec_at(S.frames, k)).mode == mode:
        while S.frames.count - 1 > k:
            pop_frame(S)


cdef inline uint8_t at(Scanner* S, Py_ssize_t i) noexcept nogil:
    """The byte at i, or 0 past the end (the scanner's only lookahead primitive)."""
    return S.src[i] if i < S.n else 0


cdef inline bint is_ident(uint8_t c) noexcept nogil:
    return (CHAR_CLASS[c] & CC_IDENT) != 0


cdef inline bint is_idstart(uint8_t c) noexcept nogil:
    return (CHAR_CLASS[c] & CC_IDSTART) != 0


cdef inline bint is_space_or_nl(uint8_t c) noexcept nogil:
    return (CHAR_CLASS[c] & CC_SPACE) != 0 or c == 10


# ---------------------------------------------------------------- UTF-8

cdef inline Py_ssize_t utf8_len(Scanner* S, Py_ssize_t i) noexcept nogil:
    """Length of the well-formed UTF-8 sequence at i, or 0 if it is not one (never past n)."""
    cdef uint8_t c = S.src[i]
    cdef Py_ssize_t need, k
    cdef uint8_t c1
    if c < 0x80:
        return 1
    if c >= 0xC2 and c <= 0xDF:
        need = 2
    elif c >= 0xE0 and c <= 0xEF:
        need = 3
    elif c >= 0xF0 and c <= 0xF4:
        need = 4
    else:
        return 0
    if i + need > S.n:
        return 0
    c1 = S.src[i + 1]
    if (c1 & 0xC0) != 0x80:
        return 0
    if c == 0xE0 and c1 < 0xA0:
        return 0
    if c == 0xED and c1 > 0x9F:
        return 0
    if c == 0xF0 and c1 < 0x90:
        return 0
    if c == 0xF4 and c1 > 0x8F:
        return 0
    for k in range(2, need):
        if (S.src[i + k] & 0xC0) != 0x80:
            return 0
    return need


cdef inline Py_ssize_t invalid_len(Scanner* S, Py_ssize_t i) noexcept nogil:
    """Bytes to step over at i where no well-formed UTF-8 sequence starts: 3 for an encoded
    surrogate (ED A0-BF 80-BF: a str with lone surrogates reaches the core that way, and
    splitting one would make that str's token text undecodable), 1 otherwise."""
    if i + 2 < S.n and S.src[i] == 0xED and (S.src[i + 1] & 0xE0) == 0xA0 and (S.src[i + 2] & 0xC0) == 0x80:
        return 3
    return 1


cdef inline Py_ssize_t skip_multibyte(Scanner* S, Py_ssize_t i) noexcept nogil:
    """Step over the non-ASCII character at i, recording an error if it is not valid UTF-8."""
    cdef Py_ssize_t k = utf8_len(S, i)
    if k == 0:
        add_error(S, i, ERR_INVALID_UTF8)
        return i + invalid_len(S, i)
    if k == 3 and S.src[i] == 0xEF and S.src[i + 1] == 0xBB and S.src[i + 2] == 0xBF and i != 0:
        add_error(S, i, ERR_BOM)
    return i + k


cdef inline bint blocks_have_high(Scanner* S, Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    """True if a block of the source overlapping src[a:b] (a < b) holds a byte >= 0x80."""
    cdef Py_ssize_t k = a >> S.high_shift
    cdef Py_ssize_t last = (b - 1) >> S.high_shift
    while k <= last:
        if S.high_map[k >> 6] & ((<uint64_t>1) << (k & 63)):
            return True
        k += 1
    return False


cdef inline Py_ssize_t check_text(Scanner* S, Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    """Validate UTF-8 in src[a:b] (free for ASCII sources, and for text in ASCII-only blocks
    of the others: most comments of a file with one non-ASCII line); returns b."""
    if S.ascii or a >= b or not blocks_have_high(S, a, b):
        return b
    while a < b:
        if a + 8 <= b:
            a += fastlex_ascii_prefix(S.src + a)
            if a >= b:
                break
        if S.src[a] >= 0x80:
            a = skip_multibyte(S, a)
        else:
            a += 1
    return b


cdef inline Py_ssize_t scan_ident_end(Scanner* S, Py_ssize_t i) noexcept nogil:
    """End of the run of identifier bytes starting at i (checking UTF-8 on the way)."""
    cdef Py_ssize_t n = S.n
    cdef const uint8_t* src = S.src
    cdef int k
    while True:
        # ASCII name bytes eight at a time; a byte >= 0x80 stops the word loop.
        while i + 8 <= n:
            k = fastlex_name_prefix(src + i)
            i += k
            if k < 8:
                break
        else:
            while i < n and src[i] < 0x80 and (CHAR_CLASS[src[i]] & CC_IDENT):
                i += 1
        if i < n and src[i] >= 0x80:
            i = skip_multibyte(S, i)      # non-ASCII letters continue a name
            continue
        return i if i <= n else n


# ---------------------------------------------------------------- names

cdef inline int64_t intern(Scanner* S, Py_ssize_t start, Py_ssize_t end) noexcept nogil:
    """Intern src[start:end] in the constant pool; its slot, or -1 on a memory failure."""
    cdef int64_t slot = pool_intern(S.pool, S.budget, <uint32_t>start, <uint32_t>(end - start))
    if slot < 0:
        S.failed = True
    return slot


cdef inline bint value_expected(Scanner* S) noexcept nogil:
    """True where Ruby's lexer reads an operand: BEG-like states, or a command argument
    (method name, then space, then no space: foo /x/, foo -1, foo *a)."""
    cdef int st = S.state
    if st == ST_BEG or st == ST_MID or st == ST_CLASS:
        return True
    if st == ST_ARG and S.space_seen and not is_space_or_nl(at(S, S.pos + 1)):
        return True
    return False


cdef inline bint literal_may_open(Scanner* S) noexcept nogil:
    """True if the / or % at S.pos may open a regexp or %-literal: an operand is expected, and
    it is not 'foo /= x' or 'foo %= x' (value_expected already excludes def names and x.y)."""
    return value_expected(S) and not (S.state == ST_ARG and at(S, S.pos + 1) == 61)


cdef inline bint label_possible(Scanner* S) noexcept nogil:
    """True if a name followed by ':' here is a label (key: value): prism's rule, the ARG or
    ENDFN state, or BEG with the LABEL bit (after , ( [ a hash's { | a label, a modifier,
    in; not at a statement's start nor after = or an operator)."""
    cdef int k
    if top(S).ternary > 0:
        return False
    if S.state == ST_ARG or S.state == ST_ENDFN:
        return True
    if S.state != ST_BEG:
        return False
    k = S.last_kind
    if k == K_IGNORED_NEWLINE or k == K_COMMENT:
        return S.label_carry          # the LABEL bit survives ignored newlines and comments
    return LABEL_AFTER[k]


cdef inline void carry_label(Scanner* S) noexcept nogil:
    """Before an IGNORED_NEWLINE or a comment: remember whether the LABEL bit was set."""
    if S.last_kind != K_IGNORED_NEWLINE and S.last_kind != K_COMMENT:
        S.label_carry = LABEL_AFTER[S.last_kind]


# ---------------------------------------------------------------- numbers

cdef void scan_number(Scanner* S, Py_ssize_t start) noexcept nogil:
    """A numeric literal whose digits start at S.pos (start: S.pos, or a + before it that prism
    folds into the literal): integer or float in any base, with r / i / ri suffixes."""
    cdef Py_ssize_t i = S.pos
    cdef Py_ssize_t n = S.n
    cdef const uint8_t* src = S.src
    cdef bint is_float = False
    cdef bint has_exp = False
    cdef uint8_t c1
    cdef int kind
    cdef uint8_t base, digit_end, c
    if src[i] == 48 and i + 1 < n and (src[i + 1] | 0x20) in (120, 98, 111, 100):  # 0x 0b 0o 0d
        # only the base's own digits (and _): 0o1and is 0o1 then and, 0b1do is 0b1 then do
        base = src[i + 1] | 0x20
        digit_end = 50 if base == 98 else (56 if base == 111 else 58)     # past 1, 7 or 9
        i += 2
        while i < n:
            c = src[i]
            if not (c == 95 or (48 <= c < digit_end) or (base == 120 and (CHAR_CLASS[c] & CC_HEX))):
                break
            i += 1
    else:
        while i < n and ((CHAR_CLASS[src[i]] & CC_DIGIT) or src[i] == 95):
            i += 1
        if i + 1 < n and src[i] == 46 and (CHAR_CLASS[src[i + 1]] & CC_DIGIT):
            is_float = True
            i += 1
            while i < n and ((CHAR_CLASS[src[i]] & CC_DIGIT) or src[i] == 95):
                i += 1
        if i < n and (src[i] | 0x20) == 101:  # e E
            c1 = at(S, i + 1)
            if (CHAR_CLASS[c1] & CC_DIGIT) or ((c1 == 43 or c1 == 45) and (CHAR_CLASS[at(S, i + 2)] & CC_DIGIT)):
                is_float = True
                has_exp = True
                i += 2
                while i < n and ((CHAR_CLASS[src[i]] & CC_DIGIT) or src[i] == 95):
                    i += 1
    kind = K_FLOAT if is_float else K_INTEGER
    # Suffixes: r, i, ri, each only when no identifier byte follows.
    if i < n and src[i] == 114 and not is_ident(at(S, i + 1)):                 # r
        kind = K_FLOAT_RATIONAL if is_float else K_INTEGER_RATIONAL
        i += 1
    elif i + 1 < n and src[i] == 114 and src[i + 1] == 105 and not is_ident(at(S, i + 2)):  # ri
        kind = K_FLOAT_RATIONAL_IMAGINARY if is_float else K_INTEGER_RATIONAL_IMAGINARY
        i += 2
    elif i < n and src[i] == 105 and not is_ident(at(S, i + 1)):               # i
        kind = K_FLOAT_IMAGINARY if is_float else K_INTEGER_IMAGINARY
        i += 1
    emit(S, start, i, kind)
    S.pos = i
    S.state = ST_END


# ---------------------------------------------------------------- escapes

cdef Py_ssize_t escape_end(Scanner* S, Py_ssize_t i) noexcept nogil:
    """End of the escape sequence whose backslash is at i, as a token of its own."""
    cdef Py_ssize_t n = S.n
    cdef const uint8_t* src = S.src
    cdef Py_ssize_t j, k
    if i + 1 >= n:
        return n
    cdef uint8_t c = src[i + 1]
    if ((c == 67 or c == 77) and i + 2 < n and src[i + 2] == 45) or c == 99:
        return char_escape_end(S, i)    # \C-x \M-x \cx: the character they modify too (a closer as well)
    if c == 117:  # \u
        if i + 2 < n and src[i + 2] == 123:  # \u{...}
            j = i + 3
            while j < n and src[j] != 125 and src[j] != 10 and (CHAR_CLASS[src[j]] & (CC_HEX | CC_SPACE)):
                j += 1
            if j < n and src[j] == 125:
                return j + 1
            return j
        j = i + 2
        k = 0
        while j < n and k < 4 and (CHAR_CLASS[src[j]] & CC_HEX):
            j += 1
            k += 1
        return j
    if c == 120:  # \x
        j = i + 2
        k = 0
        while j < n and k < 2 and (CHAR_CLASS[src[j]] & CC_HEX):
            j += 1
            k += 1
        return j
    if c >= 48 and c <= 55:  # \0 .. \7: up to three octal digits
        j = i + 1
        k = 0
        while j < n and k < 3 and src[j] >= 48 and src[j] <= 55:
            j += 1
            k += 1
        return j
    if c == 13 and i + 2 < n and src[i + 2] == 10:
        return i + 3
    if c >= 0x80:
        k = utf8_len(S, i + 1)
        if k == 0:
            add_error(S, i + 1, ERR_INVALID_UTF8)
        return i + 1 + (k if k else invalid_len(S, i + 1))
    return i + 2


cdef Py_ssize_t char_escape_end(Scanner* S, Py_ssize_t i) noexcept nogil:
    """End of the escape of a character literal (?\\C-a, ?\\M-\\C-x, ?\\u{..}) whose backslash is at i."""
    cdef Py_ssize_t n = S.n
    cdef uint8_t c
    while True:
        if i + 1 >= n:
            return n
        c = S.src[i + 1]
        if (c == 67 or c == 77) and i + 2 < n and S.src[i + 2] == 45:  # \C- \M-
            i += 3
        elif c == 99:  # \c
            i += 2
        else:
            return escape_end(S, i)
        if i >= n:
            return n
        if S.src[i] != 92:
            if S.src[i] >= 0x80:
                return skip_multibyte(S, i)
            return i + 1
        # another backslash: \M-\C-x


# ---------------------------------------------------------------- literals

cdef inline uint8_t closing_delimiter(uint8_t open) noexcept nogil:
    """The delimiter that closes a literal opened with open."""
    if open == 40:
        return 41
    if open == 91:
        return 93
    if open == 123:
        return 125
    if open == 60:
        return 62
    return open


cdef void open_literal(Scanner* S, Py_ssize_t start, Py_ssize_t body, int begin_kind, int flags, uint8_t delim) noexcept nogil:
    """Emit the opening token src[start:body] and push a string frame closed by delim's partner."""
    emit(S, start, body, begin_kind)
    if begin_kind == K_SYMBOL_BEGIN:
        flags |= FF_SYMBOL
    elif begin_kind == K_XSTRING_BEGIN or begin_kind == K_PERCENT_LOWER_X:
        flags |= FF_COMMAND
    cdef Frame* f = push_frame(S, FR_STRING, flags, start)
    if f == NULL:
        return
    f.close = closing_delimiter(delim)
    f.open = delim if f.close != delim else 0
    S.pos = body


cdef inline Py_ssize_t percent_delimiter(Scanner* S, Py_ssize_t j, bint blank_ok, uint8_t* delim) noexcept nogil:
    """Where the body starts if src[j] may delimit a %-literal (its closer in delim[0]), else -1.
    As prism: any ASCII byte that is not a letter or digit (so _ too); a blank or a newline only
    where blank_ok; CR LF counts as one newline (the literal then ends at a newline)."""
    if j >= S.n:
        return -1
    cdef uint8_t d = S.src[j]
    if d >= 0x80 or (CHAR_CLASS[d] & CC_IDENT and d != 95) or d == 0 or d == 4 or d == 26:
        return -1
    if d == 32 or d == 9 or d == 10 or d == 11 or d == 12 or d == 13:
        if not blank_ok:
            return -1
        if d == 13 and at(S, j + 1) == 10:
            delim[0] = 10
            return j + 2
    delim[0] = d
    return j + 1


cdef bint try_percent_literal(Scanner* S) noexcept nogil:
    """A %-literal at S.pos (%w[ %q( %( ...): open it and return True, or False if it is not one."""
    cdef Py_ssize_t i = S.pos
    cdef uint8_t c1 = at(S, i + 1)
    cdef uint8_t d
    cdef Py_ssize_t body
    cdef int kind, flags
    if c1 == 0 and i + 1 >= S.n:
        return False
    if c1 in (113, 81, 119, 87, 105, 73, 115, 114, 120):  # q Q w W i I s r x
        body = percent_delimiter(S, i + 2, True, &d)
        if body < 0:
            return False
        if c1 == 113:
            kind, flags = K_STRING_BEGIN, 0
        elif c1 == 81:
            kind, flags = K_STRING_BEGIN, FF_INTERP | FF_ESCAPES
        elif c1 == 119:
            kind, flags = K_PERCENT_LOWER_W, FF_WORDS
        elif c1 == 87:
            kind, flags = K_PERCENT_UPPER_W, FF_WORDS | FF_INTERP | FF_ESCAPES
        elif c1 == 105:
            kind, flags = K_PERCENT_LOWER_I, FF_WORDS
        elif c1 == 73:
            kind, flags = K_PERCENT_UPPER_I, FF_WORDS | FF_INTERP | FF_ESCAPES
        elif c1 == 115:
            kind, flags = K_SYMBOL_BEGIN, 0
        elif c1 == 114:
            kind, flags = K_REGEXP_BEGIN, FF_INTERP | FF_ESCAPES | FF_REGEXP
        else:
            kind, flags = K_PERCENT_LOWER_X, FF_INTERP | FF_ESCAPES
        open_literal(S, i, body, kind, flags, d)
        return True
    # a bare %: a blank after it opens a literal only where an argument cannot begin
    # (prism's spcarg: after a command name and a space, "% " is the operator)
    body = percent_delimiter(S, i + 1, S.state != ST_ARG, &d)
    if body < 0:
        return False
    open_literal(S, i, body, K_STRING_BEGIN, FF_INTERP | FF_ESCAPES, d)
    return True


cdef bint try_heredoc(Scanner* S) noexcept nogil:
    """A heredoc start at S.pos (<<ID <<~ID <<-'ID' ...): emit it, queue its body, return True."""
    cdef Py_ssize_t i = S.pos + 2
    cdef Py_ssize_t n = S.n
    cdef int flags = FF_INTERP | FF_ESCAPES
    cdef uint8_t q = 0
    cdef Py_ssize_t id_start, id_end, end
    cdef Heredoc* h
    if i < n and (S.src[i] == 126 or S.src[i] == 45):  # ~ -
        flags |= FF_SQUIGGLY | (FF_DEDENT if S.src[i] == 126 else 0)
        i += 1
    if i >= n:
        return False
    if S.src[i] == 39 or S.src[i] == 34 or S.src[i] == 96:  # ' " `
        q = S.src[i]
        id_start = i + 1
        id_end = id_start
        while id_end < n and S.src[id_end] != q and S.src[id_end] != 10:
            id_end += 1
        if id_end >= n or S.src[id_end] != q or id_end == id_start:
            return False
        end = id_end + 1
        if q == 39:
            flags &= ~(FF_INTERP | FF_ESCAPES)
    elif is_ident(S.src[i]):
        id_start = i
        id_end = scan_ident_end(S, i)
        end = id_end
    else:
        return False
    h = <Heredoc*>vec_push(S.heredocs, S.budget)
    if h == NULL:
        S.failed = True
        return True
    h.id_start = <uint32_t>id_start
    h.id_len = <uint32_t>(id_end - id_start)
    h.start = <uint32_t>S.pos
    h.flags = <uint16_t>flags
    h.started = False
    emit(S, S.pos, end, K_HEREDOC_START)
    S.pos = end
    S.state = ST_END
    return True


cdef void start_heredoc_body(Scanner* S, Py_ssize_t index, Py_ssize_t group_start, Py_ssize_t group_end) noexcept nogil:
    """Open the body of pending heredoc index (of the group read after one newline) at S.pos,
    the start of the line after that newline (prism: the newline is a token of the code)."""
    cdef Heredoc* h = <Heredoc*>vec_at(S.heredocs, index)
    cdef Frame* f = push_frame(S, FR_HEREDOC, h.flags, h.start)
    if f == NULL:
        return
    h.started = True
    f.heredoc = <uint32_t>index
    f.group_start = <uint32_t>group_start
    f.group_end = <uint32_t>group_end
    S.heredocs_active += 1


cdef void finish_heredoc_body(Scanner* S, Frame* f) noexcept nogil:
    """Close a heredoc body: open the next of its group, or drop the group once all are read."""
    cdef Py_ssize_t next_index = f.heredoc + 1
    cdef Py_ssize_t gs = f.group_start
    cdef Py_ssize_t ge = f.group_end
    pop_frame(S)
    S.heredocs_active -= 1
    if next_index < ge:
        start_heredoc_body(S, next_index, gs, ge)
    else:
        S.heredocs.count = gs
        if gs == 0:
            S.state = S.state_after_bodies
        if gs == 0 and S.newline_patch != NULL:
            # The newline before the bodies: prism looks for a .method after them.
            if not S.failed and next_line_continues(S, S.pos):
                S.newline_patch[0] = K_IGNORED_NEWLINE
            elif not S.failed and at(S, skip_blanks(S, S.pos)) == 46 and at(S, skip_blanks(S, S.pos) + 1) == 46:
                S.newline_patch[0] = K_NEWLINE_TERMINATOR    # before a beginless range, as without bodies
            S.newline_patch = NULL


cdef inline Py_ssize_t heredoc_terminator(Scanner* S, Heredoc* h, int flags, Py_ssize_t line) noexcept nogil:
    """If the line starting at line closes heredoc h, the offset of its identifier; else -1."""
    cdef Py_ssize_t i = line
    cdef Py_ssize_t n = S.n
    cdef Py_ssize_t e
    if flags & FF_SQUIGGLY:
        while i < n and (S.src[i] == 32 or S.src[i] == 9):
            i += 1
    if i + h.id_len > n:
        return -1
    if memcmp(S.src + i, S.src + h.id_start, h.id_len) != 0:
        return -1
    e = i + h.id_len
    if e == n or S.src[e] == 10 or (S.src[e] == 13 and (e + 1 == n or S.src[e + 1] == 10)):
        return i
    return -1


cdef void scan_heredoc(Scanner* S, Frame* f) noexcept nogil:
    """Heredoc body text from S.pos as prism lexes it: STRING_CONTENT (one a line for <<~), escapes
    inside it, interpolation, and HEREDOC_END spanning the terminator line (indentation and newline)."""
    cdef Heredoc* h = <Heredoc*>vec_at(S.heredocs, f.heredoc)
    cdef Py_ssize_t n = S.n
    cdef const uint8_t* src = S.src
    cdef Py_ssize_t i = S.pos
    cdef Py_ssize_t content = i
    cdef Py_ssize_t term, e
    cdef int flags = f.flags
    cdef uint8_t c
    cdef bint line_start = i > 0 and src[i - 1] == 10
    while True:
        if line_start:
            term = heredoc_terminator(S, h, flags, i)
            if term >= 0:
                emit(S, content, i, K_STRING_CONTENT)
                e = line_end_after(S, term + h.id_len)
                emit(S, i, e, K_HEREDOC_END)
                S.pos = e
                finish_heredoc_body(S, f)
                return
            line_start = False
        if i >= n:
            break
        c = src[i]
        if c == 10:
            i += 1
            if S.heredocs.count > f.group_end:
                # A heredoc started inside this body's interpolation: as in Ruby, its
                # body is the lines that follow, before this body goes on.
                emit(S, content, i, K_STRING_CONTENT)
                S.pos = i
                start_heredoc_body(S, f.group_end, f.group_end, S.heredocs.count)
                return
            if flags & FF_DEDENT:
                emit(S, content, i, K_STRING_CONTENT)
                content = i
            line_start = True
            continue
        if c == 92 and (flags & FF_ESCAPES):
            i = escape_end(S, i)         # inside the STRING_CONTENT (prism keeps escapes in the text)
            if src[i - 1] == 10:
                if flags & FF_DEDENT:
                    emit(S, content, i, K_STRING_CONTENT)
                    content = i
                line_start = True
            continue
        if c == 35 and (flags & FF_INTERP) and i + 1 < n:
            if src[i + 1] == 123 or interp_var_follows(S, i + 1):
                emit(S, content, i, K_STRING_CONTENT)
                S.pos = i
                begin_interpolation(S)
                return
        if c >= 0x80 and not S.ascii:
            i = skip_multibyte(S, i)
            continue
        i += 1
    emit(S, content, n, K_STRING_CONTENT)
    add_error(S, h.start, ERR_UNTERMINATED_HEREDOC)
    S.pos = n
    finish_heredoc_body(S, f)


cdef inline bint interp_var_follows(Scanner* S, Py_ssize_t i) noexcept nogil:
    """True if #@ivar, #@@cvar or #$gvar interpolation starts at i (just after the #)."""
    cdef uint8_t c = at(S, i)
    if c == 64:  # @
        if at(S, i + 1) == 64:
            return is_idstart(at(S, i + 2)) and i + 2 < S.n
        return i + 1 < S.n and is_idstart(at(S, i + 1))
    if c == 36:  # $
        c = at(S, i + 1)
        if i + 1 >= S.n:
            return False
        return is_idstart(c) or c in (126, 42, 36, 63, 33, 64, 47, 92, 59, 44, 46, 61, 58, 60, 62, 34, 38, 96, 39, 43) or (CHAR_CLASS[c] & CC_DIGIT) != 0
    return False


cdef void begin_interpolation(Scanner* S) noexcept nogil:
    """At a # that starts interpolation: #{ opens a code frame; #@x / #$x emit EMBVAR and the variable."""
    cdef Py_ssize_t i = S.pos
    if at(S, i + 1) == 123:
        emit(S, i, i + 2, K_EMBEXPR_BEGIN)
        S.pos = i + 2
        push_frame(S, FR_INTERP, 0, i)
        S.state = ST_BEG
        return
    emit(S, i, i + 1, K_EMBVAR)
    S.pos = i + 1
    if S.src[S.pos] == 64:
        scan_ivar(S)
    else:
        scan_gvar(S)


cdef void scan_string(Scanner* S, Frame* f) noexcept nogil:
    """Literal text from S.pos in a quoted literal: content, escapes, interpolation, words, the end."""
    cdef Py_ssize_t n = S.n
    cdef const uint8_t* src = S.src
    cdef Py_ssize_t i = S.pos
    cdef Py_ssize_t content = i
    cdef int flags = f.flags
    cdef uint8_t close = f.close
    cdef uint8_t open = f.open
    cdef uint8_t c
    cdef Py_ssize_t e
    cdef bint label
    cdef uint8_t stops = TS_ALWAYS | (TS_BLANK if (flags & FF_WORDS) else 0) | (0 if S.ascii else TS_HIGH)
    while i < n:
        c = src[i]
        if c != close and c != open and not (TEXT_STOP[c] & stops):
            i += 1          # plain text: the common case, one table lookup a byte
            continue
        if c == close and f.depth == 0:
            if (flags & FF_WORDS):
                emit(S, content, i, K_STRING_CONTENT)
                emit(S, i, i + 1, K_STRING_END)
                S.pos = i + 1
            elif (flags & FF_REGEXP):
                emit(S, content, i, K_STRING_CONTENT)
                e = i + 1
                while e < n and ((src[e] >= 97 and src[e] <= 122) or (src[e] >= 65 and src[e] <= 90)):
                    e += 1
                emit(S, i, e, K_REGEXP_END)
                S.pos = e
            else:
                if close == 10 and i > content and src[i - 1] == 13:
                    i -= 1          # (a literal closed by a newline: CR LF is its STRING_END)
                emit(S, content, i, K_STRING_CONTENT)
                if close == 10 and src[i] == 13:
                    emit(S, i, i + 2, K_STRING_END)
                    S.pos = i + 2
                    pop_frame(S)
                    S.state = ST_END
                    return
                label = (flags & FF_LABEL) and at(S, i + 1) == 58 and at(S, i + 2) != 58 and i + 1 < n
                if label:
                    pop_frame(S)
                    emit(S, i, i + 2, K_LABEL_END)     # prism: the closing quote and the colon
                    S.pos = i + 2
                    S.state = ST_BEG
                    return
                emit(S, i, i + 1, K_STRING_END)
                S.pos = i + 1
            pop_frame(S)
            S.state = ST_END
            return
        if c == close:  # closes a nested pair
            f.depth -= 1
            i += 1
            continue
        if open != 0 and c == open:
            f.depth += 1
            i += 1
            continue
        if c == 92:  # backslash: the escape stays inside the STRING_CONTENT (prism)
            if flags & FF_ESCAPES:
                i = escape_end(S, i)
            elif i + 1 < n and src[i + 1] < 0x80:
                i += 2
            else:
                i += 1
            continue
        if c == 35 and (flags & FF_INTERP) and i + 1 < n:
            if src[i + 1] == 123 or interp_var_follows(S, i + 1):
                emit(S, content, i, K_STRING_CONTENT)
                S.pos = i
                begin_interpolation(S)
                return
        if (flags & FF_WORDS) and (c == 32 or c == 10 or c == 9 or c == 13 or c == 11 or c == 12):
            emit(S, content, i, K_STRING_CONTENT)
            content = i
            while i < n and is_space_or_nl(src[i]):
                i += 1
            emit(S, content, i, K_WORDS_SEP)
            content = i
            continue
        if c >= 0x80 and not S.ascii:
            i = skip_multibyte(S, i)
            continue
        i += 1
    # End of input inside the literal.
    emit(S, content, n, K_STRING_CONTENT)
    add_error(S, f.start, unterminated_code(f))
    S.pos = n
    pop_frame(S)


# ---------------------------------------------------------------- variables

cdef void scan_ivar(Scanner* S) noexcept nogil:
    """@name or @@name at S.pos (a lone @ is INVALID)."""
    cdef Py_ssize_t start = S.pos
    cdef Py_ssize_t i = start + 1
    cdef int kind = K_INSTANCE_VARIABLE
    if at(S, i) == 64 and i < S.n:
        i += 1
        kind = K_CLASS_VARIABLE
    if i < S.n and is_idstart(S.src[i]):
        i = scan_ident_end(S, i)
        emit(S, start, i, kind)     # interned by the Python layer, on first use
        S.state = ST_END
    else:
        add_error(S, start, ERR_UNEXPECTED)
        emit(S, start, i, K_INVALID)
    S.pos = i


cdef Py_ssize_t gvar_end(Scanner* S, Py_ssize_t start, int* kind) noexcept nogil:
    """End of the global variable whose $ is at start ($name $-w $1 $& ...), its kind in kind[0];
    start + 1 (kind INVALID) if no valid name follows the $."""
    cdef Py_ssize_t i = start + 1
    cdef Py_ssize_t n = S.n
    cdef Py_ssize_t k
    cdef uint8_t c = at(S, i)
    kind[0] = K_GLOBAL_VARIABLE
    if i >= n:
        kind[0] = K_INVALID
    elif is_idstart(c):
        i = scan_ident_end(S, i)
    elif CHAR_CLASS[c] & CC_DIGIT:
        while i < n and (CHAR_CLASS[S.src[i]] & CC_DIGIT):
            i += 1
        if c != 48 or i - start > 2:
            kind[0] = K_NUMBERED_REFERENCE
    elif c == 45:  # $-w
        i += 1
        if i < n and is_ident(S.src[i]):
            if S.src[i] < 0x80:
                i += 1
            else:
                k = utf8_len(S, i)
                if k == 0:
                    add_error(S, i, ERR_INVALID_UTF8)
                i += k if k else invalid_len(S, i)
    elif c in (38, 96, 39, 43):  # $& $` $' $+
        i += 1
        kind[0] = K_BACK_REFERENCE
    elif c in (126, 42, 36, 63, 33, 64, 47, 92, 59, 44, 46, 61, 58, 60, 62, 34, 95):
        i += 1
    else:
        kind[0] = K_INVALID
    return i


cdef void scan_gvar(Scanner* S) noexcept nogil:
    """$name, $-x, $1, $& and the other special globals at S.pos (a lone $ is INVALID)."""
    cdef Py_ssize_t start = S.pos
    cdef int kind
    cdef Py_ssize_t i = gvar_end(S, start, &kind)
    if kind == K_INVALID:
        add_error(S, start, ERR_UNEXPECTED)
        emit(S, start, i, kind)
    else:
        emit(S, start, i, kind)     # interned by the Python layer, on first use
        S.state = ST_END
    S.pos = i


# ---------------------------------------------------------------- identifiers

cdef inline Py_ssize_t skip_spaces(const uint8_t* src, Py_ssize_t i, Py_ssize_t n) noexcept nogil:
    """First offset at or after i that is not a space (eight at a time: indentation is long)."""
    cdef int k
    while i + 8 <= n:
        k = fastlex_same_prefix(src + i, 0x2020202020202020u)
        i += k
        if k < 8:
            return i
    while i < n and src[i] == 32:
        i += 1
    return i


cdef inline Py_ssize_t skip_blanks(Scanner* S, Py_ssize_t i) noexcept nogil:
    """First offset at or after i that is not a space or tab."""
    i = skip_spaces(S.src, i, S.n)
    while i < S.n and (S.src[i] == 32 or S.src[i] == 9):
        i += 1
    return i


cdef void open_keyword(Scanner* S, int kind, int prev_state) noexcept nogil:
    """Track the frames keywords open and close: def/class/module/do/begin/case, the block
    forms of if/unless/while/until/for (not their modifier forms), and end."""
    cdef Frame* f = top(S)
    cdef bint statement_start = prev_state == ST_BEG or prev_state == ST_CLASS
    if kind == K_KEYWORD_DEF:
        S.def_params_line = False
        S.def_pending = True
        push_frame(S, FR_KEYWORD, FF_HARD_SCOPE | FF_DEF, S.pos)
    elif kind == K_KEYWORD_CLASS or kind == K_KEYWORD_MODULE:
        push_frame(S, FR_KEYWORD, FF_HARD_SCOPE, S.pos)
    elif kind == K_KEYWORD_BEGIN or kind == K_KEYWORD_CASE:
        push_frame(S, FR_KEYWORD, 0, S.pos)
    elif kind == K_KEYWORD_IF or kind == K_KEYWORD_UNLESS:
        if statement_start:
            push_frame(S, FR_KEYWORD, 0, S.pos)
    elif kind == K_KEYWORD_WHILE or kind == K_KEYWORD_UNTIL:
        if statement_start:
            push_frame(S, FR_KEYWORD, FF_COND, S.pos)
    elif kind == K_KEYWORD_FOR:
        push_frame(S, FR_KEYWORD, FF_COND, S.pos)
    elif kind == K_KEYWORD_DO or kind == K_KEYWORD_DO_BLOCK or kind == K_KEYWORD_DO_LOOP or kind == K_KEYWORD_DO_LAMBDA:
        S.pending |= P_BLOCK_PARAMS
        S.lambda_pending = False
        if kind == K_KEYWORD_DO_LOOP:     # (a lambda's do inside the condition is not the loop's)
            f.flags &= ~FF_COND
        elif push_frame(S, FR_KEYWORD, FF_SCOPE, S.pos) != NULL and kind == K_KEYWORD_DO_LAMBDA:
            lambda_body_opened(S)
    elif kind == K_KEYWORD_END:
        if f.mode == FR_KEYWORD:
            pop_frame(S)
    elif kind == K_KEYWORD_ALIAS:
        S.pending |= P_ALIAS_SECOND


cdef inline void start_def_body(Scanner* S) noexcept nogil:
    """Mark the innermost def as past its signature (an = there no longer makes it endless)."""
    cdef Frame* f = top(S)
    if f.mode == FR_KEYWORD and (f.flags & FF_DEF):
        f.flags |= FF_BODY


cdef void end_statement(Scanner* S) noexcept nogil:
    """At a statement end (newline, ;): while/until conditions close, a def's body starts,
    an endless def ends."""
    cdef Frame* f = top(S)
    f.ternary = 0
    f.flags &= ~FF_CMDARG
    if f.mode == FR_KEYWORD:
        if f.flags & FF_ENDLESS:
            pop_frame(S)
        else:
            f.flags = (f.flags & ~FF_COND) | (FF_BODY if (f.flags & FF_DEF) else 0)


cdef inline bint assignment_follows(Scanner* S, Py_ssize_t i) noexcept nogil:
    """True if an assignment operator (=, +=, ||=, ... but not ==, =~, =>) follows at i."""
    cdef uint8_t c, c1
    if i < S.n and not ASSIGN_LEAD[S.src[i]]:
        return False             # most names are followed by ( . , ) or a newline: no search
    i = skip_blanks(S, i)
    if i >= S.n:
        return False
    c = S.src[i]
    c1 = at(S, i + 1)
    if c == 61:
        return c1 != 61 and c1 != 126 and c1 != 62
    if c == 124 or c == 38:  # ||= &&= |= &=
        return c1 == 61 or (c1 == c and at(S, i + 2) == 61)
    if c in (43, 45, 42, 47, 37, 94) and c1 == 61:  # += -= *= /= %= ^=
        return True
    if (c == 42 or c == 60 or c == 62) and c1 == c and at(S, i + 2) == 61:  # **= <<= >>=
        return True
    return False


cdef bint starts_upper(Scanner* S, Py_ssize_t i) noexcept nogil:
    """True if the UTF-8 character at i is an upper-case letter (Été is a constant, été a name)."""
    cdef Py_ssize_t k = utf8_len(S, i)
    cdef uint32_t cp
    cdef Py_ssize_t j
    if k < 2:
        return False
    cp = S.src[i] & (0x7F >> k)
    for j in range(1, k):
        cp = (cp << 6) | (S.src[i + j] & 0x3F)
    return is_upper_codepoint(cp)


cdef inline void operator_name_done(Scanner* S) noexcept nogil:
    """After an operator method name (def +(o), def self.[](k), x.+ y, :` aside)."""
    if S.state == ST_FNAME or S.def_pending:
        S.state = ST_ENDFN
        S.def_params_line = S.def_pending
        S.def_pending = False
    else:
        S.state = ST_ARG


cdef void def_name_done(Scanner* S, Py_ssize_t start, Py_ssize_t end, int kind) noexcept nogil:
    """Emit the method name src[start:end] of a def, alias or undef (a keyword keeps its kind),
    or the receiver of def recv.name / def Recv::name."""
    emit(S, start, end, kind)
    S.pos = end
    if S.def_pending and ((at(S, end) == 46 and at(S, end + 1) != 46) or (at(S, end) == 58 and at(S, end + 1) == 58)):
        S.state = ST_DOT        # def obj.name: the receiver (def n... is n and a ... parameter)
        return
    S.state = ST_ENDFN
    S.def_params_line = S.def_pending
    S.def_pending = False


cdef inline int do_kind(Scanner* S) noexcept nogil:
    """prism's kind of a do here: a lambda's body (-> ... do), a while/until/for loop's do, the
    block of a command whose arguments are open at this level (foo bar do), or a block."""
    cdef Frame* f = top(S)
    if S.lambda_pending:
        return K_KEYWORD_DO_LAMBDA
    if f.mode == FR_KEYWORD and (f.flags & FF_COND):
        f.flags &= ~FF_CMDARG    # the loop's do ends a command in its condition (while a b do)
        return K_KEYWORD_DO_LOOP
    if f.flags & FF_CMDARG:
        f.flags &= ~FF_CMDARG
        return K_KEYWORD_DO_BLOCK
    return K_KEYWORD_DO


cdef inline bint begins_expression(int kind) noexcept nogil:
    """True if a token of kind starts an operand (so after a method name and a space it starts
    the command's arguments): names, literals, unary operators, (, [, ->, value keywords."""
    return BEGINS_EXPRESSION[kind]


cdef inline bint attached_argument(int kind) noexcept nogil:
    """True if a token of kind right after a method name, with no space, is its first
    argument (p"x" p'x' p`x` p@a p@@a p$a p:sym p?c p->{}): none of them can be an operator."""
    return kind == K_STRING_BEGIN or kind == K_XSTRING_BEGIN or kind == K_SYMBOL_BEGIN \
        or kind == K_INSTANCE_VARIABLE or kind == K_CLASS_VARIABLE or kind == K_GLOBAL_VARIABLE \
        or kind == K_BACK_REFERENCE or kind == K_NUMBERED_REFERENCE or kind == K_CHARACTER_LITERAL \
        or kind == K_MINUS_GREATER


cdef inline int modifier_kind(int kind) noexcept nogil:
    """The modifier form of kind (if -> KEYWORD_IF_MODIFIER ...), or kind itself."""
    if kind == K_KEYWORD_IF:
        return K_KEYWORD_IF_MODIFIER
    if kind == K_KEYWORD_UNLESS:
        return K_KEYWORD_UNLESS_MODIFIER
    if kind == K_KEYWORD_WHILE:
        return K_KEYWORD_WHILE_MODIFIER
    if kind == K_KEYWORD_UNTIL:
        return K_KEYWORD_UNTIL_MODIFIER
    if kind == K_KEYWORD_RESCUE:
        return K_KEYWORD_RESCUE_MODIFIER
    return kind


cdef inline bint setter_equal_follows(Scanner* S, Py_ssize_t i) noexcept nogil:
    """True if the = at i ends a method name (name=), not ==, =~, =>; as prism in FNAME state."""
    cdef uint8_t c1 = at(S, i + 1)
    if i >= S.n or S.src[i] != 61:
        return False
    return c1 != 126 and c1 != 62 and (c1 != 61 or at(S, i + 2) == 62)


cdef int symbol_name_kind(Scanner* S, Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    """The kind prism gives the name src[a:b] of a symbol (:name): keyword, method name, setter..."""
    cdef int kw_state
    cdef int kind
    cdef uint8_t last = S.src[b - 1]
    if last == 61:
        return K_IDENTIFIER              # :name= (prism: an IDENTIFIER with its =)
    kind = keyword_lookup(S.src + a, b - a, &kw_state)
    if kind != 0:
        return kind
    if last == 63 or last == 33:
        return K_METHOD_NAME
    if (CHAR_CLASS[S.src[a]] & CC_UPPER) or (S.src[a] >= 0x80 and starts_upper(S, a)):
        return K_CONSTANT
    return K_IDENTIFIER


cdef inline bint parameter_position(Scanner* S, int prev_state) noexcept nogil:
    """Inside a parameter list (def, block, lambda, for), a name here is a parameter: right
    after the method name or ->, or after ( , * ** & | ; -- not in a default value (a = b)."""
    cdef int k = S.last_kind
    return prev_state == ST_ENDFN or k == K_PARENTHESIS_LEFT or k == K_PARENTHESIS_LEFT_GROUPING \
        or k == K_PARENTHESIS_LEFT_PARENTHESES or k == K_COMMA or k == K_USTAR or k == K_STAR \
        or k == K_USTAR_STAR or k == K_STAR_STAR or k == K_UAMPERSAND or k == K_AMPERSAND \
        or k == K_PIPE or k == K_SEMICOLON or k == K_KEYWORD_FOR or k == K_MINUS_GREATER


cdef inline bint pattern_binds(Scanner* S) noexcept nogil:
    """True if a name here is bound by the pattern of a case's in (so a local from here on):
    inside the pattern, not pinned (^a) nor a method name after . &. ::."""
    cdef int k = S.last_kind
    return S.pattern_frames != 0 and S.frames.count >= S.pattern_frames and k != K_CARET \
        and k != K_DOT and k != K_AMPERSAND_DOT and k != K_COLON_COLON and k != K_UCOLON_COLON


cdef bint label_without_value(Scanner* S, Py_ssize_t i) noexcept nogil:
    """True if nothing follows the label ending before i in a hash pattern (in {k:}, in k:, v:),
    which binds the key's name."""
    cdef Py_ssize_t j = skip_blanks(S, i)
    cdef uint8_t c = at(S, j)
    if j >= S.n or c == 44 or c == 125 or c == 41 or c == 93 or c == 10 or c == 13 or c == 35 or c == 59 or c == 124:
        return True
    if c == 116 and at(S, j + 1) == 104 and at(S, j + 2) == 101 and at(S, j + 3) == 110:   # then
        return not name_continues(S, j + 4)
    if c == 105 and at(S, j + 1) == 102:                                                   # if
        return not name_continues(S, j + 2)
    if c == 117 and at(S, j + 1) == 110 and at(S, j + 2) == 108 and at(S, j + 3) == 101 \
            and at(S, j + 4) == 115 and at(S, j + 5) == 115:                               # unless
        return not name_continues(S, j + 6)
    return False


cdef void scan_identifier(Scanner* S) noexcept nogil:
    """A name at S.pos: keyword, identifier, constant, method name, or label."""
    cdef Py_ssize_t start = S.pos
    cdef Py_ssize_t n = S.n
    cdef Py_ssize_t i = scan_ident_end(S, start)
    cdef uint8_t c, c1
    cdef int kind, kw_state
    cdef int prev_state = S.state
    cdef bint suffix = False
    cdef int64_t slot
    cdef bint is_local, param, mlhs
    # ? and ! end a method name unless they start != / ?= (but foo!= x is foo != x).
    if i < n and (S.src[i] == 63 or S.src[i] == 33) and at(S, i + 1) != 61:
        i += 1
        suffix = True
    # Labels: name: (not name::), where Ruby's lexer allows one; "key?:" and "key!:" too.
    if i < n and S.src[i] == 58 and at(S, i + 1) != 58 and label_possible(S) and prev_state != ST_DOT:
        is_local = not suffix and (S.block_params or S.def_params_line or (top(S).flags & FF_DEF_PARAMS)) \
            and parameter_position(S, prev_state)
        emit(S, start, i + 1, K_LABEL)       # prism: the name and its colon
        S.pos = i + 1
        S.state = ST_BEG
        if in_def_params(S):
            top(S).flags |= FF_DEFAULT_VALUE
        if not suffix and pattern_binds(S) and label_without_value(S, i + 1):
            slot = intern(S, start, i)       # in {name:}: binds name
            if slot >= 0 and not local_visible(S, slot):
                declare_local(S, slot)
        if is_local:
            slot = intern(S, start, i)       # a keyword parameter (def f(k:), |k:|): a local
            if slot >= 0:
                declare_local(S, slot)
        return
    S.pos = i
    # Keywords, except after . and &.; as a method name (def for, alias then with) a keyword
    # keeps its kind (prism) but names a method.
    if prev_state != ST_DOT or S.def_pending:
        kw_state = ST_BEG
        kind = keyword_lookup(S.src + start, i - start, &kw_state)
        if kind != 0 and not suffix and setter_equal_follows(S, i) and (
                prev_state == ST_FNAME or (prev_state == ST_DOT and S.def_pending)):
            kind = 0                # def ensure=(v): a setter, prism's IDENTIFIER with its = (below)
        if kind != 0 and (prev_state == ST_FNAME or prev_state == ST_DOT):
            def_name_done(S, start, i, kind)     # (def self.name: self is the receiver)
            return
        if kind != 0:
            if kind == K_KEYWORD_DO:
                kind = do_kind(S)
            elif prev_state != ST_BEG and prev_state != ST_CLASS:
                # prism: where no statement starts, if/unless/while/until/rescue are modifiers.
                kind = modifier_kind(kind)
                if kind == K_KEYWORD_IF_MODIFIER or kind == K_KEYWORD_UNLESS_MODIFIER or kind == K_KEYWORD_WHILE_MODIFIER \
                        or kind == K_KEYWORD_UNTIL_MODIFIER or kind == K_KEYWORD_RESCUE_MODIFIER \
                        or kind == K_KEYWORD_AND or kind == K_KEYWORD_OR or kind == K_KEYWORD_THEN:
                    top(S).flags &= ~FF_CMDARG   # a modifier, and/or, then: the command's arguments ended
                    if kind != K_KEYWORD_RESCUE_MODIFIER and kind != K_KEYWORD_THEN and top(S).mode == FR_KEYWORD \
                            and (top(S).flags & FF_ENDLESS):
                        pop_frame(S)             # def v = e if c: the modifier is outside the def
            emit(S, start, i, kind)
            S.state = kw_state
            if kind == K_KEYWORD_IN:
                S.pattern_line = True
                if not S.block_params:       # (for a, b in: the loop's names end here)
                    S.pattern_frames = S.frames.count    # case ... in: a pattern
                S.block_params = False
            elif kind == K_KEYWORD_THEN or kind == K_KEYWORD_IF_MODIFIER or kind == K_KEYWORD_UNLESS_MODIFIER:
                S.pattern_frames = 0         # the pattern ended (then, or a guard)
            elif kind == K_KEYWORD_FOR:
                S.block_params = True        # for a, b in: its names are locals
            open_keyword(S, kind, prev_state)
            return
    if suffix:
        kind = K_METHOD_NAME
    elif (CHAR_CLASS[S.src[start]] & CC_UPPER) or (S.src[start] >= 0x80 and starts_upper(S, start)):
        kind = K_CONSTANT
    else:
        kind = K_IDENTIFIER
    if prev_state == ST_FNAME or (prev_state == ST_DOT and S.def_pending):
        if not suffix and setter_equal_follows(S, i):
            i += 1                  # def name=(v): prism's IDENTIFIER includes the =
            kind = K_IDENTIFIER
            S.pos = i
        def_name_done(S, start, i, kind)
        return
    if prev_state == ST_DOT or kind != K_IDENTIFIER:
        emit(S, start, i, kind)
        S.state = ST_ARG
        return
    # A name is a local variable if it was assigned (or is a parameter) in the current scope:
    # only these names are interned during the scan, for the pool entry's scope.
    slot = intern(S, start, i)
    if slot < 0:
        return
    param = (S.block_params or S.def_params_line or (top(S).flags & FF_DEF_PARAMS)) and parameter_position(S, prev_state)
    # a, b = ...: the first target of a multiple assignment, at a statement's start
    mlhs = i < n and S.src[i] == 44 and prev_state == ST_BEG and STATEMENT_START[S.last_kind] \
        and multiple_assignment_targets(S, i)
    emit(S, start, i, kind)
    is_local = local_visible(S, slot)
    if not is_local and (param or mlhs or assignment_follows(S, i) or pattern_binds(S)):
        declare_local(S, slot)
        is_local = True
    S.state = ST_END if is_local else ST_ARG


cdef bint multiple_assignment_targets(Scanner* S, Py_ssize_t i) noexcept nogil:
    """At the comma at i, after a name that starts a statement: if `, name, *name ... =`
    follows (plain local names, then an assignment), declare every name after the first a
    local, as prism's parser does for a multiple assignment's targets, and return True (the
    caller declares the first). False, declaring nothing, for anything else (a.b, x[0], (a,
    b), a constant: left to the names' own rules)."""
    cdef Py_ssize_t k = i, e, last
    cdef uint8_t c
    cdef int64_t slot
    cdef int pass_
    for pass_ in range(2):      # first check the whole list, then declare its names
        k = i
        while True:
            k = skip_blanks(S, k + 1)                 # past the comma
            if at(S, k) == 42:                        # *rest
                k = skip_blanks(S, k + 1)
            c = at(S, k)
            if k >= S.n or not is_idstart(c) or (CHAR_CLASS[c] & CC_UPPER) or c >= 0x80:
                return False
            e = scan_ident_end(S, k)
            if pass_ == 0 and keyword_is(S, k, e):
                return False
            if pass_ == 1:
                slot = intern(S, k, e)
                if slot < 0:
                    return False
                if not local_visible(S, slot):
                    declare_local(S, slot)
            last = skip_blanks(S, e)
            c = at(S, last)
            if c == 44:
                k = last
                continue
            if pass_ == 0 and not (c == 61 and at(S, last + 1) != 61 and at(S, last + 1) != 126
                                   and at(S, last + 1) != 62):
                return False
            break
    return True


cdef inline bint keyword_is(Scanner* S, Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    """True if src[a:b] is a keyword."""
    cdef int kw_state
    return keyword_lookup(S.src + a, b - a, &kw_state) != 0


# ---------------------------------------------------------------- symbols

cdef Py_ssize_t operator_symbol_end(Scanner* S, Py_ssize_t i) noexcept nogil:
    """End of an operator method name at i ([]=, <=>, +@, `, ...), or i if there is none."""
    cdef uint8_t c = at(S, i)
    cdef uint8_t c1 = at(S, i + 1)
    cdef uint8_t c2 = at(S, i + 2)
    if i >= S.n:
        return i
    if c == 91:  # [
        if c1 == 93:
            return i + 3 if c2 == 61 else i + 2
        return i
    if c == 60:  # <
        if c1 == 61 and c2 == 62:
            return i + 3
        if c1 == 61 or c1 == 60:
            return i + 2
        return i + 1
    if c == 62:  # >
        if c1 == 61 or c1 == 62:
            return i + 2
        return i + 1
    if c == 61:  # =
        if c1 == 61:
            return i + 3 if c2 == 61 else i + 2
        if c1 == 126:
            return i + 2
        return i
    if c == 33:  # !
        if c1 == 61 or c1 == 126 or c1 == 64:
            return i + 2
        return i + 1
    if c == 42:  # *
        return i + 2 if c1 == 42 else i + 1
    if c == 43 or c == 45 or c == 126:  # + - ~
        return i + 2 if c1 == 64 else i + 1
    if c in (47, 37, 38, 124, 94, 96):  # / % & | ^ `
        return i + 1
    return i


cdef int operator_name_kind(Scanner* S, Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    """The kind of the operator method name src[a:b] (+, -@, [], []=, <=>, `...)."""
    cdef int kind = 0
    cdef uint8_t c = S.src[a]
    if b - a == 2 and S.src[a + 1] == 64:   # +@ -@ !@ ~@
        return K_UMINUS if c == 45 else (K_UPLUS if c == 43 else (K_BANG if c == 33 else K_TILDE))
    if c == 91:
        return K_BRACKET_LEFT_RIGHT_EQUAL if b - a == 3 else K_BRACKET_LEFT_RIGHT
    if c == 96:
        return K_BACKTICK
    operator_match(S.src + a, S.src + b, &kind)
    return kind if kind != 0 else K_INVALID


cdef bint try_symbol(Scanner* S) noexcept nogil:
    """A symbol at S.pos (:name :@iv :$g :+ :"..."): emit it and return True, or False."""
    cdef Py_ssize_t start = S.pos
    cdef Py_ssize_t i = start + 1
    cdef Py_ssize_t n = S.n
    cdef uint8_t c = at(S, i)
    cdef uint8_t c1
    cdef int kind = 0
    if i >= n:
        return False
    if c == 34 or c == 39:
        open_literal(S, start, i + 1, K_SYMBOL_BEGIN, (FF_INTERP | FF_ESCAPES) if c == 34 else 0, c)
        return True
    if is_idstart(c):
        i = scan_ident_end(S, i)
        if i < n and (S.src[i] == 63 or S.src[i] == 33 or S.src[i] == 61):
            c1 = at(S, i + 1)
            if S.src[i] == 61:
                # :name= is a setter name unless = starts ==, =~, => (as in {:a=>1})
                if c1 != 61 and c1 != 126 and c1 != 62:
                    i += 1
                elif c1 == 61 and at(S, i + 2) == 62:
                    i += 1
            elif c1 != 61 or at(S, i + 2) == 61:
                i += 1
        kind = symbol_name_kind(S, start + 1, i)
    elif c == 64:  # :@iv :@@cv
        i += 1
        kind = K_INSTANCE_VARIABLE
        if at(S, i) == 64:
            i += 1
            kind = K_CLASS_VARIABLE
        if i >= n or not is_idstart(S.src[i]):
            return False
        i = scan_ident_end(S, i)
    elif c == 36:  # :$gvar
        i = gvar_end(S, i, &kind)
        if kind == K_INVALID:
            return False
        kind = K_GLOBAL_VARIABLE         # prism: $1 and $& too, as a name
    else:
        i = operator_symbol_end(S, i)
        if i == start + 1:
            return False
        kind = operator_name_kind(S, start + 1, i)
    # prism: the colon, then the name as its own token.
    emit(S, start, start + 1, K_SYMBOL_BEGIN)
    emit(S, start + 1, i, kind)
    S.pos = i
    S.state = ST_END
    return True


# ---------------------------------------------------------------- comments

cdef void scan_comment(Scanner* S) noexcept nogil:
    """# comment to the end of the line (the newline is not part of it)."""
    cdef Py_ssize_t start = S.pos
    cdef const uint8_t* nl = <const uint8_t*>memchr(S.src + start, 10, <size_t>(S.n - start))
    cdef Py_ssize_t end = (nl - S.src) if nl != NULL else S.n
    check_text(S, start, end)
    carry_label(S)
    emit(S, start, end, K_COMMENT)     # magic comments too: prism has no kind of their own
    S.pos = end


cdef inline bint line_is_word(Scanner* S, Py_ssize_t i, const char* word, Py_ssize_t k) noexcept nogil:
    """True if word (k bytes) is at i and is followed by white space or the end of the input."""
    if i + k > S.n or memcmp(S.src + i, word, k) != 0:
        return False
    return i + k == S.n or is_space_or_nl(S.src[i + k])


cdef inline Py_ssize_t line_end_after(Scanner* S, Py_ssize_t i) noexcept nogil:
    """The offset just past the newline ending the line at i (n if the input ends first)."""
    cdef const uint8_t* nl = <const uint8_t*>memchr(S.src + i, 10, <size_t>(S.n - i))
    return (nl - S.src + 1) if nl != NULL else S.n


cdef void scan_embdoc(Scanner* S) noexcept nogil:
    """=begin ... =end at S.pos (line start), as prism lexes it: EMBDOC_BEGIN (the =begin line),
    one EMBDOC_LINE a line, EMBDOC_END (the =end line); each line with its newline."""
    cdef Py_ssize_t start = S.pos
    cdef Py_ssize_t i = line_end_after(S, start)
    cdef Py_ssize_t e
    emit(S, start, i, K_EMBDOC_BEGIN)
    while i < S.n:
        e = line_end_after(S, i)
        if line_is_word(S, i, b"=end", 4):
            check_text(S, start, e)
            emit(S, i, e, K_EMBDOC_END)
            S.pos = e
            return
        emit(S, i, e, K_EMBDOC_LINE)
        i = e
    check_text(S, start, S.n)
    add_error(S, start, ERR_UNTERMINATED_EMBDOC)
    S.pos = S.n


# ---------------------------------------------------------------- code

cdef inline bint state_ignores_newline(Scanner* S) noexcept nogil:
    """True if a newline here cannot end a statement: a value or a name is still expected."""
    cdef int st = S.state
    return st == ST_BEG or st == ST_CLASS or st == ST_DOT or st == ST_FNAME


cdef bint next_line_continues(Scanner* S, Py_ssize_t i) noexcept nogil:
    """True if the next line from i starts with .method, &.method, && || and or: the newline
    before it does not end the statement. As prism looks: past the line's inline white space
    (spaces, tabs, \\v \\f \\r); if that line is a comment, past it and the comment lines right
    after it, where any dot counts, .. too (the newline after the comment then ends the
    statement before the range: NEWLINE_TERMINATOR). A blank line in between ends it."""
    cdef const uint8_t* nl
    cdef bint past_comment = False
    cdef Py_ssize_t first_comment = 0
    cdef uint8_t c, c1
    i = skip_inline_white(S, i)
    if i >= S.n:
        return False
    if S.src[i] == 35:
        past_comment = True
        first_comment = i
        while True:
            nl = <const uint8_t*>memchr(S.src + i, 10, <size_t>(S.n - i))
            if nl == NULL or nl - S.src + 1 >= S.n:
                return False
            i = skip_inline_white(S, nl - S.src + 1)
            if at(S, i) != 35:
                break
    c = at(S, i)
    c1 = at(S, i + 1)
    if c == 46 and (c1 != 46 or past_comment):
        return True
    if c == 38 and c1 == 46:
        return True
    # Ruby 4.0 (prism's default): a line may start with && || and or, continuing the one
    # before. (Past comment lines prism tests the ! or ? after and/or at the comment's
    # offset, not the word's; kept as it does.)
    if (c == 38 and c1 == 38) or (c == 124 and c1 == 124):
        return True
    if c == 97 and c1 == 110 and at(S, i + 2) == 100:      # and
        return not_bang_or_query(S, (first_comment if past_comment else i) + 3) and not name_continues(S, i + 3)
    if c == 111 and c1 == 114:                             # or
        return not_bang_or_query(S, (first_comment if past_comment else i) + 2) and not name_continues(S, i + 2)
    return False


cdef inline Py_ssize_t skip_inline_white(Scanner* S, Py_ssize_t i) noexcept nogil:
    """First offset at or after i that is not prism's inline white space (space, \\t \\v \\f \\r)."""
    cdef uint8_t c
    while i < S.n:
        c = S.src[i]
        if c != 32 and (c < 9 or c > 13 or c == 10):
            break
        i += 1
    return i


cdef inline bint not_bang_or_query(Scanner* S, Py_ssize_t i) noexcept nogil:
    cdef uint8_t c = at(S, i)
    return c != 33 and c != 63


cdef inline bint name_continues(Scanner* S, Py_ssize_t i) noexcept nogil:
    """True if src[i] can continue an identifier (a letter, digit, _ or a non-ASCII byte)."""
    return i < S.n and (CHAR_CLASS[S.src[i]] & CC_IDENT) != 0


cdef inline bint in_def_params(Scanner* S) noexcept nogil:
    """True at the level of a def's parameter list: the parenthesized one's own frame, or the
    rest of the line after a def's name without parentheses."""
    return S.def_params_line or (top(S).flags & FF_DEF_PARAMS) != 0


cdef inline int unary_kind(Scanner* S, int kind, Py_ssize_t i) noexcept nogil:
    """The kind of operator kind at i where an operand is expected (value_expected)."""
    if kind == K_MINUS:
        return K_UMINUS_NUM if (CHAR_CLASS[at(S, i + 1)] & CC_DIGIT) else K_UMINUS
    if kind == K_PLUS:
        return K_UPLUS
    if kind == K_STAR:
        return K_USTAR
    if kind == K_STAR_STAR:
        # Ruby looks at the byte after the whole "**": "a ** b" is a power, "a **h" a double splat.
        return kind if (S.state == ST_ARG and is_space_or_nl(at(S, i + 2))) else K_USTAR_STAR
    if kind == K_AMPERSAND:
        return K_UAMPERSAND
    if kind == K_COLON_COLON:
        return K_UCOLON_COLON
    # Beginless ranges only where a statement or operand begins (Ruby's IS_BEG), never after "a ".
    if kind == K_DOT_DOT:
        return kind if S.state == ST_ARG else K_UDOT_DOT
    if kind == K_DOT_DOT_DOT:
        return kind if S.state == ST_ARG else K_UDOT_DOT_DOT
    return kind


cdef inline void paren_opened(Scanner* S, Py_ssize_t i) noexcept nogil:
    """After a ( at i: a frame for it (a def's parameter list if the def's name came just before;
    in parameters without parentheses, a destructuring group, def f a, (b, c), or a default
    value's parentheses, after which those parameters go on)."""
    cdef uint32_t flags = FF_PARENTHESES if S.last_kind == K_PARENTHESIS_LEFT_PARENTHESES else 0
    if S.state == ST_ENDFN:
        flags |= FF_DEF_PARAMS
    elif S.def_params_line:
        flags |= FF_PARAMS_LINE | (0 if (top(S).flags & FF_DEFAULT_VALUE) else FF_DEF_PARAMS)
    elif (top(S).flags & (FF_DEF_PARAMS | FF_DEFAULT_VALUE)) == FF_DEF_PARAMS:
        flags |= FF_DEF_PARAMS        # def f(a, (b, c)): a destructuring group
    push_frame(S, FR_PAREN, flags, i)
    S.def_params_line = False
    S.state = ST_BEG


cdef inline void bracket_closed(Scanner* S, int kind) noexcept nogil:
    """After a ) or ] of kind: close its frame if the innermost one is its own."""
    cdef Frame* f
    close_to(S, FR_PAREN if kind == K_PARENTHESIS_RIGHT else FR_BRACKET)
    f = top(S)
    S.state = ST_END
    if (f.mode == FR_PAREN and kind == K_PARENTHESIS_RIGHT) or (f.mode == FR_BRACKET and kind == K_BRACKET_RIGHT):
        if f.flags & FF_PARAMS_LINE:
            S.def_params_line = True  # def f a, (b, c), d: the parameters go on
        elif (f.flags & FF_DEF_PARAMS) and top_below(S).mode == FR_KEYWORD:
            S.state = ST_BEG      # def m(a) /re/ end: the body starts after the parameters
            S.pending |= P_DEF_HEADER_END
        elif f.flags & FF_PARENTHESES:
            S.pending |= P_ENDARG
        pop_frame(S)


cdef void scan_operator(Scanner* S, int c) noexcept nogil:
    """Punctuation and operators at S.pos, choosing unary/binary kinds from the state."""
    cdef Py_ssize_t i = S.pos
    cdef int kind = 0
    cdef Py_ssize_t k = operator_match(S.src + i, S.src + S.n, &kind)
    cdef int before = S.last_kind
    cdef Frame* f
    if k == 0:
        # Not Ruby: keep the bytes as one INVALID token (a whole UTF-8 character if it is one).
        add_error(S, i, ERR_NUL if c == 0 else ERR_UNEXPECTED)
        k = 1
        if c >= 0x80:
            k = skip_multibyte(S, i) - i
        emit(S, i, i + k, K_INVALID)
        S.pos = i + k
        return
    if S.state == ST_FNAME or S.state == ST_DOT:
        # An operator method name: def +(o), def -@, def ==(o), :[] handled elsewhere.
        k = operator_symbol_end(S, i) - i
        if k > 0:
            if k == 2 and at(S, i + 1) == 64:
                kind = K_UMINUS if c == 45 else (K_UPLUS if c == 43 else (K_BANG if c == 33 else K_TILDE))
            else:
                operator_match(S.src + i, S.src + i + k, &kind)
            emit(S, i, i + k, kind)
            S.pos = i + k
            operator_name_done(S)
            return
        k = operator_match(S.src + i, S.src + S.n, &kind)
    if kind == K_DOT_DOT_DOT and in_def_params(S) and not (top(S).flags & FF_DEFAULT_VALUE):
        # ... as a parameter (def f(a, ...), and without parentheses def f a, ...: prism then
        # ends the parameters, so a newline after it is a NEWLINE)
        emit(S, i, i + k, K_UDOT_DOT_DOT)
        S.pos = i + k
        S.state = ST_BEG if S.state == ST_END else ST_END
        S.pending &= ~P_BLOCK_PARAMS
        return
    # Unary forms where an operand is expected (each test a pure kind switch, then the state).
    if kind == K_MINUS or kind == K_PLUS or kind == K_STAR or kind == K_STAR_STAR or kind == K_AMPERSAND \
            or kind == K_COLON_COLON or kind == K_DOT_DOT or kind == K_DOT_DOT_DOT:
        if value_expected(S):
            kind = unary_kind(S, kind, i)
    elif kind == K_PIPE_PIPE:
        if S.pending & P_BLOCK_PARAMS:
            kind, k = K_PIPE, 1     # {|| x}: empty block parameters are two | in Ruby's lexer
    if kind == K_UPLUS and (CHAR_CLASS[at(S, i + 1)] & CC_DIGIT):
        S.pos = i + 1
        scan_number(S, i)          # prism: +1 is one INTEGER (-1 stays UMINUS_NUM and 1)
        return
    emit(S, i, i + k, kind)
    S.pos = i + k
    f = top(S)
    if kind == K_EQUAL_GREATER:
        S.pattern_line = True      # (x => pattern; in a hash or rescue => e it changes nothing)
    if kind == K_PARENTHESIS_LEFT:
        paren_opened(S, i)
    elif kind == K_PARENTHESIS_RIGHT or kind == K_BRACKET_RIGHT:
        bracket_closed(S, kind)
    elif kind == K_DOT or kind == K_AMPERSAND_DOT or kind == K_COLON_COLON:
        S.state = ST_DOT
    elif kind == K_UCOLON_COLON:
        S.state = ST_DOT
    elif kind == K_QUESTION_MARK:
        f.ternary += 1
        S.state = ST_BEG
    elif kind == K_COLON:
        if f.ternary > 0:
            f.ternary -= 1
        S.state = ST_BEG
    elif kind == K_MINUS_GREATER:
        S.lambda_pending = True
        S.lambda_scope = S.scope
        S.lambda_decls = S.decls.count
        S.def_params_line = True      # -> a, b { }: parameters without parentheses, as a def's
        S.state = ST_ENDFN
    elif kind == K_PIPE:
        if S.pending & P_BLOCK_PARAMS:
            S.block_params = True
        elif S.block_params:
            S.block_params = False
        S.state = ST_BEG
    elif kind == K_SEMICOLON:
        S.def_params_line = False
        S.pattern_frames = 0
        end_statement(S)
        S.state = ST_BEG
    elif kind == K_EQUAL:
        if in_def_params(S):
            f.flags |= FF_DEFAULT_VALUE
        if f.mode == FR_KEYWORD and (f.flags & (FF_DEF | FF_BODY)) == FF_DEF and (
                (S.space_seen and S.state == ST_ENDFN) or before == K_PARENTHESIS_RIGHT):
            f.flags |= FF_ENDLESS     # def name(args) = value, def name = value (not def m a = 1)
        S.state = ST_BEG
    else:
        S.state = ST_BEG
    S.pending &= ~P_BLOCK_PARAMS


cdef void scan_newline(Scanner* S, Py_ssize_t i, int w) noexcept nogil:
    """The line break src[i:i+w] (\\n or \\r\\n) in code: NEWLINE where it ends a statement,
    IGNORED_NEWLINE where it does not (prism's rule: the lexer state, or a .method on the next
    code line); then the bodies of the heredocs started on this line, if any."""
    cdef bint bodies = S.heredocs.count > 0 and S.heredocs_active == 0
    S.pending &= ~P_ENDARG
    if S.pending & P_DEF_HEADER_END:
        S.pending &= ~P_DEF_HEADER_END
        start_def_body(S)
    cdef int kind = K_NEWLINE
    cdef Py_ssize_t j
    if S.last_kind == K_LABEL and (S.def_params_line or (
            S.pattern_line and top(S).mode != FR_PAREN and top(S).mode != FR_BRACKET and top(S).mode != FR_BRACE)):
        kind = K_NEWLINE_TERMINATOR   # prism: after a label ending a pattern (in a:) or def m a:
    elif state_ignores_newline(S):
        carry_label(S)
        emit(S, i, i + w, K_IGNORED_NEWLINE)
        if S.state != ST_DOT and S.state != ST_FNAME:
            S.state = ST_BEG     # after . or def, the name may be on the next line
        kind = 0
    elif not bodies and next_line_continues(S, i + w):
        # A .method on the next code line: the statement goes on, in the state it had (prism
        # keeps it: past a comment line, a newline before .. then ends the statement).
        carry_label(S)
        emit(S, i, i + w, K_IGNORED_NEWLINE)
        kind = 0
    elif not bodies:
        j = skip_blanks(S, i + w)
        if at(S, j) == 46 and at(S, j + 1) == 46 and j + 1 < S.n:
            kind = K_NEWLINE_TERMINATOR   # prism: before a beginless range (..x) on the next line
    S.pattern_line = False
    if kind != 0:
        if S.frames.count <= S.pattern_frames:
            S.pattern_frames = 0         # the newline ends the pattern (not one inside its brackets)
        emit(S, i, i + w, kind)
        if bodies and not S.failed:
            # The code after the bodies decides (a .method there makes it IGNORED_NEWLINE).
            S.newline_patch = region_last_kind(S.region)
        end_statement(S)
        S.state = ST_BEG
    S.def_params_line = False
    S.space_seen = True
    if bodies:
        S.pos = i + w
        S.state_after_bodies = S.state      # (interpolation in the bodies changes the state)
        start_heredoc_body(S, 0, 0, S.heredocs.count)
        return
    S.pos = skip_spaces(S.src, i + w, S.n)   # the next line's indentation (line-start forms are at column 0)


cdef void scan_code(Scanner* S) noexcept nogil:
    """One token (or a run of white space) in code at S.pos."""
    cdef Py_ssize_t n = S.n
    cdef const uint8_t* src = S.src
    cdef Py_ssize_t i = S.pos
    cdef uint8_t c = src[i]
    cdef Frame* f
    cdef Py_ssize_t f_index
    cdef bint spaced
    cdef bint space = c == 32
    # One space between tokens is the commonest blank: stepped over without a branch.
    i += space
    S.pos = i
    S.space_seen |= space
    if i >= n:
        return
    c = src[i]
    if c == 10 or (c == 13 and at(S, i + 1) == 10):
        scan_newline(S, i, 1 if c == 10 else 2)
        return
    # White space and line continuations.
    if CHAR_CLASS[c] & CC_SPACE:
        i = skip_spaces(src, i, n)    # most blanks are plain spaces: no loop below for them
        while i < n and (CHAR_CLASS[src[i]] & CC_SPACE):
            if src[i] == 32:
                i = skip_spaces(src, i, n)
                continue
            if src[i] == 13:
                if i + 1 < n and src[i + 1] == 10:
                    break            # \r\n: a newline token, read by the next call
                add_error(S, i, ERR_LONE_CR)
            i += 1
        S.pos = i
        S.space_seen = True
        if i >= n:
            return
        c = src[i]
        if c == 10 or c == 92 or (CHAR_CLASS[c] & CC_SPACE):
            return               # newlines (\r\n too) and continuations are handled by the next call
        # otherwise go straight on to the token after the blanks
    elif c == 92 and i + 1 < n and (src[i + 1] == 10 or (src[i + 1] == 13 and at(S, i + 2) == 10)):
        S.pos = i + (2 if src[i + 1] == 10 else 3)
        S.space_seen = True
        return
    if (c == 61 or c == 95) and (i == 0 or src[i - 1] == 10) and scan_line_start(S, c, i):
        return        # =begin and __END__, only at the start of a line
    if S.pending and settle_pending(S, c, i):
        return
    if (S.state == ST_ARG and S.last_kind != K_KEYWORD_DEFINED and S.last_kind != K_KEYWORD_NOT) \
            or (S.state == ST_END and S.last_kind == K_IDENTIFIER):
        # After a method name (or a local variable's name: Ruby calls it when an operand
        # follows; not defined? or not, whose operand is no command's) and a space: if this token begins an operand, the command's arguments
        # start here, at this frame's level (a do there is the command's). Without a space,
        # only what cannot be an operator starts them (p"x", p@a, p:sym, p?c, p->{}).
        f_index = S.frames.count - 1
        spaced = S.space_seen
        scan_code_token(S, c, i)
        if not S.failed and ((c == 58 and S.last_kind != K_COLON and S.last_kind != K_COLON_COLON
                              and S.last_kind != K_UCOLON_COLON)
                             or (begins_expression(S.last_kind) if spaced else attached_argument(S.last_kind))):
            (<Frame*>vec_at(S.frames, f_index)).flags |= FF_CMDARG     # (c == ':': a symbol, :end too)
    else:
        scan_code_token(S, c, i)
    S.space_seen = False


cdef bint scan_line_start(Scanner* S, uint8_t c, Py_ssize_t i) noexcept nogil:
    """=begin ... =end or __END__ at i, the start of a line; False if it is neither."""
    cdef Py_ssize_t n = S.n
    if c == 61 and line_is_word(S, i, b"=begin", 6):
        S.pending &= ~P_BLOCK_PARAMS
        scan_embdoc(S)
        S.space_seen = False
        return True
    if c == 95 and i + 7 <= n and memcmp(S.src + i, b"__END__", 7) == 0 and (
            i + 7 == n or S.src[i + 7] == 10 or (S.src[i + 7] == 13 and at(S, i + 8) == 10)):
        emit(S, i, n, K_KEYWORD___END__)    # prism: __END__ and the data after it, one token
        S.eof_start = i
        S.pos = n
        return True
    return False


cdef bint settle_pending(Scanner* S, uint8_t c, Py_ssize_t i) noexcept nogil:
    """Settle the Pending bits with the first byte c of the next code token at i; True if the
    token has been scanned here (the first name after alias)."""
    if c != 124:
        S.pending &= ~P_BLOCK_PARAMS
    if c != 123:
        S.pending &= ~P_ENDARG
    if S.pending & P_DEF_HEADER_END:
        # After def m(a): = makes an endless def; anything else starts the body.
        S.pending &= ~P_DEF_HEADER_END
        if not (c == 61 and at(S, i + 1) != 61 and at(S, i + 1) != 126):
            start_def_body(S)
    if S.state == ST_FNAME and (S.pending & P_ALIAS_SECOND) and c != 35:
        # alias takes two method names: read this one, then expect the next.
        scan_code_token(S, c, i)
        S.pending &= ~P_ALIAS_SECOND
        S.state = ST_FNAME
        S.space_seen = False
        return True
    return False


cdef void scan_code_token(Scanner* S, uint8_t c, Py_ssize_t i) noexcept nogil:
    """Dispatch on the first byte c of a token at i (white space, newlines and line-start forms done)."""
    if CHAR_CLASS[c] & CC_IDSTART:
        if c >= 0x80 and not S.ascii and utf8_len(S, i) == 0:
            scan_operator(S, c)   # invalid UTF-8: an INVALID token
        else:
            scan_identifier(S)
    elif CHAR_CLASS[c] & CC_DIGIT:
        scan_number(S, S.pos)
    else:
        scan_punctuation(S, c, i)


cdef inline int paren_kind(Scanner* S) noexcept nogil:
    """prism's kind of a ( here: grouping where an expression begins, PARENTHESES for a command
    argument after a space (foo (1)), else an argument list's PARENTHESIS_LEFT."""
    cdef int st = S.state
    if st == ST_BEG or st == ST_MID or st == ST_CLASS:
        return K_PARENTHESIS_LEFT_GROUPING
    if S.space_seen and (st == ST_ARG or (st == ST_END and S.last_kind == K_IDENTIFIER)):
        return K_PARENTHESIS_LEFT_PARENTHESES    # (prism: also after a local variable, x (1))
    return K_PARENTHESIS_LEFT


cdef void scan_punctuation(Scanner* S, uint8_t c, Py_ssize_t i) noexcept nogil:
    """Tokens starting with a byte that is not a name or digit (one C switch on c)."""
    cdef Frame* f
    # The commonest punctuation without the operator table: ',' is always a comma, and '.' not
    # before another '.' a call's dot, in every state (scan_operator decides the same).
    if c == 44 or (c == 46 and at(S, i + 1) != 46):
        emit(S, i, i + 1, K_COMMA if c == 44 else K_DOT)
        S.pos = i + 1
        S.state = ST_BEG if c == 44 else ST_DOT
        S.pending &= ~P_BLOCK_PARAMS
        if c == 44 and in_def_params(S):
            top(S).flags &= ~FF_DEFAULT_VALUE     # the next parameter
        return
    if c == 40:              # (, ) and ]: likewise, never part of a longer operator
        emit(S, i, i + 1, paren_kind(S))
        S.pos = i + 1
        paren_opened(S, i)
        S.pending &= ~P_BLOCK_PARAMS
        return
    if c == 41 or c == 93:
        emit(S, i, i + 1, K_PARENTHESIS_RIGHT if c == 41 else K_BRACKET_RIGHT)
        S.pos = i + 1
        bracket_closed(S, K_PARENTHESIS_RIGHT if c == 41 else K_BRACKET_RIGHT)
        S.pending &= ~P_BLOCK_PARAMS
        return
    if c == 35:  # #
        scan_comment(S)
    elif c == 34:  # "
        open_literal(S, i, i + 1, K_STRING_BEGIN,
                     FF_INTERP | FF_ESCAPES | (FF_LABEL if label_possible(S) else 0), c)
    elif c == 39:  # '
        open_literal(S, i, i + 1, K_STRING_BEGIN, FF_LABEL if label_possible(S) else 0, c)
    elif c == 96:  # `
        if S.state == ST_FNAME or S.state == ST_DOT:
            emit(S, i, i + 1, K_BACKTICK)
            S.pos = i + 1
            operator_name_done(S)
        else:
            open_literal(S, i, i + 1, K_XSTRING_BEGIN, FF_INTERP | FF_ESCAPES, c)
    elif c == 64:  # @
        scan_ivar(S)
    elif c == 36:  # $
        scan_gvar(S)
    elif c == 58:  # :
        if not (colon_may_start_symbol(S) and try_symbol(S)):
            scan_operator(S, c)
    elif c == 63:  # ?
        scan_question(S)
    elif c == 47:  # /
        if literal_may_open(S):
            open_literal(S, i, i + 1, K_REGEXP_BEGIN, FF_INTERP | FF_ESCAPES | FF_REGEXP, c)
        else:
            scan_operator(S, c)
    elif c == 37:  # %
        if not (literal_may_open(S) and try_percent_literal(S)):
            scan_operator(S, c)
    elif c == 60:  # <
        if not (at(S, i + 1) == 60 and value_expected(S) and S.state != ST_CLASS and try_heredoc(S)):
            scan_operator(S, c)
    elif c == 123:  # {
        scan_brace(S)
    elif c == 125:  # }
        close_to(S, FR_BRACE)
        if top(S).mode != FR_BRACE:
            close_to(S, FR_INTERP)
        f = top(S)
        if f.mode == FR_INTERP:
            emit(S, i, i + 1, K_EMBEXPR_END)
            pop_frame(S)
            S.pos = i + 1
            S.state = ST_END
            return   # back in the literal
        emit(S, i, i + 1, K_BRACE_RIGHT)
        if f.mode == FR_BRACE:
            pop_frame(S)
        S.pos = i + 1
        S.state = ST_END
    elif c == 91:  # [
        scan_bracket(S)
    else:
        scan_operator(S, c)


cdef inline bint colon_may_start_symbol(Scanner* S) noexcept nogil:
    """True if the ':' at S.pos may open a symbol rather than be a colon (ternary, :: or spacing decide)."""
    cdef uint8_t c1 = at(S, S.pos + 1)
    if S.pos + 1 >= S.n or c1 == 58 or is_space_or_nl(c1):
        return False
    if S.state == ST_END:
        return False
    if top(S).ternary > 0 and S.state != ST_BEG and S.state != ST_MID:
        return False
    return True


cdef void scan_question(Scanner* S) noexcept nogil:
    """? at S.pos: a character literal (?a ?\\n ?\\C-x) or the ternary operator."""
    cdef Py_ssize_t i = S.pos
    cdef Py_ssize_t n = S.n
    cdef uint8_t c1 = at(S, i + 1)
    cdef Py_ssize_t e
    if S.state == ST_END or S.state == ST_ENDFN or i + 1 >= n or is_space_or_nl(c1) or (
            S.state == ST_ARG and not S.space_seen):
        scan_operator(S, 63)
        return
    if is_ident(c1) and c1 < 0x80 and i + 2 < n and is_ident(S.src[i + 2]):
        scan_operator(S, 63)   # cond ?ab : c
        return
    if c1 == 92:
        e = char_escape_end(S, i + 1)
    elif c1 >= 0x80:
        e = skip_multibyte(S, i + 1)
    else:
        e = i + 2
    emit(S, i, e, K_CHARACTER_LITERAL)
    S.pos = e
    S.state = ST_END


cdef void scan_brace(Scanner* S) noexcept nogil:
    """{ at S.pos: lambda body, block or hash, by state."""
    cdef Py_ssize_t i = S.pos
    cdef int kind
    if S.lambda_pending:
        kind = K_LAMBDA_BEGIN
        S.lambda_pending = False
    elif S.pending & P_ENDARG:
        kind = K_BRACE_LEFT_ARGUMENT  # p (1) { }: the block of a parenthesized command argument
        S.pending &= ~P_ENDARG
    elif S.state == ST_END or S.state == ST_ARG or S.state == ST_ENDFN:
        kind = K_BRACE_LEFT          # a block (prism's plain BRACE_LEFT)
    else:
        kind = K_BRACE_LEFT_HASH
    emit(S, i, i + 1, kind)
    if push_frame(S, FR_BRACE, 0 if kind == K_BRACE_LEFT_HASH else FF_SCOPE, i) != NULL and kind == K_LAMBDA_BEGIN:
        lambda_body_opened(S)
    S.pos = i + 1
    S.state = ST_BEG
    if kind != K_BRACE_LEFT_HASH:
        S.pending |= P_BLOCK_PARAMS
    else:
        S.pending &= ~P_BLOCK_PARAMS


cdef void scan_bracket(Scanner* S) noexcept nogil:
    """[ at S.pos: the [] / []= method names, an array literal, or an index."""
    cdef Py_ssize_t i = S.pos
    cdef int kind
    if (S.state == ST_FNAME or S.state == ST_DOT) and at(S, i + 1) == 93:
        if at(S, i + 2) == 61:
            emit(S, i, i + 3, K_BRACKET_LEFT_RIGHT_EQUAL)
            S.pos = i + 3
        else:
            emit(S, i, i + 2, K_BRACKET_LEFT_RIGHT)
            S.pos = i + 2
        operator_name_done(S)
        return
    if value_expected(S) or (S.state == ST_ARG and S.space_seen):
        kind = K_BRACKET_LEFT_ARRAY
    else:
        kind = K_BRACKET_LEFT
    emit(S, i, i + 1, kind)
    push_frame(S, FR_BRACKET, 0, i)
    S.pos = i + 1
    S.state = ST_BEG


# ---------------------------------------------------------------- driver

cdef inline bint has_high_byte(const uint8_t* p, Py_ssize_t n) noexcept nogil:
    """True if a byte of p[0:n] is >= 0x80 (32 bytes per test)."""
    cdef Py_ssize_t i = 0
    cdef uint64_t w, w1, w2, w3
    while i + 32 <= n:
        memcpy(&w, p + i, 8)
        memcpy(&w1, p + i + 8, 8)
        memcpy(&w2, p + i + 16, 8)
        memcpy(&w3, p + i + 24, 8)
        if (w | w1 | w2 | w3) & 0x8080808080808080u:
            return True
        i += 32
    while i + 8 <= n:
        memcpy(&w, p + i, 8)
        if w & 0x8080808080808080u:
            return True
        i += 8
    while i < n:
        if p[i] >= 0x80:
            return True
        i += 1
    return False


cdef bint map_high_bytes(Scanner* S) noexcept nogil:
    """Fill the high-byte map, one bit per block of the source (blocks of 4 KB, or as large as
    65,536 blocks need); True if the whole source is ASCII."""
    cdef int shift = HIGH_MIN_SHIFT
    cdef Py_ssize_t blocks, k, a, size
    cdef bint ascii = True
    while (S.n >> shift) >= HIGH_MAP_WORDS * 64:
        shift += 1
    S.high_shift = shift
    size = (<Py_ssize_t>1) << shift
    blocks = (S.n + size - 1) >> shift
    memset(S.high_map, 0, <size_t>((blocks + 63) >> 6) * sizeof(uint64_t))
    for k in range(blocks):
        a = k << shift
        if has_high_byte(S.src + a, min(size, S.n - a)):
            S.high_map[k >> 6] |= (<uint64_t>1) << (k & 63)
            ascii = False
    return ascii


cdef int unterminated_code(Frame* f) noexcept nogil:
    """The error for a literal frame left open at the end of the input."""
    if f.mode == FR_INTERP:
        return ERR_UNTERMINATED_INTERP
    if f.mode == FR_HEREDOC:
        return ERR_UNTERMINATED_HEREDOC
    if f.flags & FF_REGEXP:
        return ERR_UNTERMINATED_REGEXP
    if f.flags & FF_WORDS:
        return ERR_UNTERMINATED_LIST
    if f.flags & FF_SYMBOL:
        return ERR_UNTERMINATED_SYMBOL
    if f.flags & FF_COMMAND:
        return ERR_UNTERMINATED_COMMAND
    return ERR_UNTERMINATED_STRING


cdef int scan_source(Scanner* S) noexcept nogil:
    """Tokenize the whole source into the region; 0, or -1 if the memory limit stopped it."""
    cdef Frame* f
    cdef Py_ssize_t i
    S.pos = 0
    S.state = ST_BEG
    S.space_seen = False
    S.pending = 0
    S.lambda_pending = False
    S.lambda_scope = 0
    S.lambda_decls = 0
    S.pattern_frames = 0
    S.block_params = False
    S.def_params_line = False
    S.def_pending = False
    S.scope = 0
    S.scope_counter = 0
    S.last_kind = 0
    S.heredocs_active = 0
    S.eof_start = -1
    S.newline_patch = NULL
    S.label_carry = False
    S.pattern_line = False
    S.failed = False
    S.frames.count = 0
    S.heredocs.count = 0
    S.decls.count = 0
    # local-variable declarations: about one per DECL_BYTES bytes of dense code (every def
    # and block declares its parameters again), reserved at once rather than grown by doubling
    vec_reserve(S.decls, S.budget, S.n // DECL_BYTES + 16)
    S.errors.count = 0
    S.ascii = map_high_bytes(S)
    if push_frame(S, FR_TOP, FF_HARD_SCOPE, 0) == NULL:
        return -1
    # A byte order mark at the very start is not part of any token.
    if S.n >= 3 and S.src[0] == 0xEF and S.src[1] == 0xBB and S.src[2] == 0xBF:
        S.pos = 3
    while S.pos < S.n and not S.failed:
        f = top(S)
        # One well-predicted test for the common case, code (a switch on the mode would be an
        # indirect jump, mispredicted whenever code and literals alternate).
        if not ((1 << f.mode) & LITERAL_MODES):
            scan_code(S)
        elif f.mode == FR_STRING:
            scan_string(S, f)
        else:
            scan_heredoc(S, f)
    if S.failed:
        return -1
    # Literals still open at the end of the input.
    for i in range(S.frames.count - 1, 0, -1):
        f = <Frame*>vec_at(S.frames, i)
        # (A heredoc body is still open only if the input ended inside its interpolation.)
        if f.mode == FR_STRING or f.mode == FR_INTERP or f.mode == FR_HEREDOC:
            add_error(S, f.start, unterminated_code(f))
    # Heredocs started on the last line but never given a body.
    for i in range(S.heredocs.count):
        if not (<Heredoc*>vec_at(S.heredocs, i)).started:
            add_error(S, (<Heredoc*>vec_at(S.heredocs, i)).start, ERR_UNTERMINATED_HEREDOC)
    # prism's EOF: the last newline when the source ends with one (or __END__ and its data).
    if S.n > 0 and S.src[S.n - 1] == 10:
        emit(S, S.eof_start if S.eof_start >= 0 else S.n - 1, S.n, K_EOF)
    else:
        emit(S, S.eof_start if S.eof_start >= 0 else S.n, S.n, K_EOF)
    region_flush(S.region)
    return -1 if S.failed else 0
