# The Ruby grammar as the core sees it (_grammar.pxi): its scanner state and the Grammar struct
# over the scanner of _scanner.pxi, plus what the Python layer needs to present its tokens
# (kinds, which kinds are names, error messages). The tables come from grammars/ruby.
# Who owns memory: a RubyState belongs to its Lexer; ruby_release frees its stacks.

cdef struct RubyState:
    Scanner scanner
    Vec frames              # of Frame: open literals, brackets, keyword blocks
    Vec heredocs            # of Heredoc: pending on the current line
    Vec decls               # of Decl: local-variable declarations


cdef void ruby_init(void* state) noexcept nogil:
    """Empty stacks (the block is zeroed)."""
    cdef RubyState* st = <RubyState*>state
    vec_init(&st.frames, sizeof(Frame), PHASE_STACK)
    vec_init(&st.heredocs, sizeof(Heredoc), PHASE_STACK)
    vec_init(&st.decls, sizeof(Decl), PHASE_STACK)


cdef void ruby_release(void* state, Budget* budget) noexcept nogil:
    """Free the stacks (the state stays usable)."""
    cdef RubyState* st = <RubyState*>state
    vec_free(&st.frames, budget)
    vec_free(&st.heredocs, budget)
    vec_free(&st.decls, budget)


cdef size_t ruby_held(void* state) noexcept nogil:
    """Bytes the stacks hold."""
    cdef RubyState* st = <RubyState*>state
    return (<size_t>st.frames.capacity * st.frames.item_size
            + <size_t>st.heredocs.capacity * st.heredocs.item_size
            + <size_t>st.decls.capacity * st.decls.item_size)


cdef int ruby_scan(void* state, ScanTarget* t) noexcept nogil:
    """Lex t.src with the Ruby scanner into the target."""
    cdef RubyState* st = <RubyState*>state
    cdef Scanner* S = &st.scanner
    S.src = t.src
    S.n = t.n
    S.region = t.region
    S.pool = t.pool
    S.budget = t.budget
    S.frames = &st.frames
    S.heredocs = &st.heredocs
    S.decls = &st.decls
    S.errors = t.errors
    return scan_source(S)


cdef Grammar RUBY_GRAMMAR
memset(&RUBY_GRAMMAR, 0, sizeof(Grammar))
grammar_stamp(&RUBY_GRAMMAR)
RUBY_GRAMMAR.name = "ruby"
RUBY_GRAMMAR.state_size = sizeof(RubyState)
RUBY_GRAMMAR.init = ruby_init
RUBY_GRAMMAR.release = ruby_release
RUBY_GRAMMAR.held = ruby_held
RUBY_GRAMMAR.scan = ruby_scan

# Kinds whose text is interned through the constant pool.
RUBY_NAME_KINDS = (K_IDENTIFIER, K_METHOD_NAME, K_CONSTANT, K_INSTANCE_VARIABLE, K_CLASS_VARIABLE,
                   K_GLOBAL_VARIABLE, K_BACK_REFERENCE, K_NUMBERED_REFERENCE, K_LABEL)

RUBY_ERROR_MESSAGES = {
    ERR_INVALID_UTF8: "invalid UTF-8 byte sequence",
    ERR_NUL: "NUL byte outside a literal",
    ERR_LONE_CR: "carriage return not followed by a line feed",
    ERR_UNEXPECTED: "unexpected character",
    ERR_UNTERMINATED_STRING: "unterminated string meets end of file",
    ERR_UNTERMINATED_REGEXP: "unterminated regexp meets end of file",
    ERR_UNTERMINATED_HEREDOC: "unterminated heredoc: terminator not found",
    ERR_UNTERMINATED_EMBDOC: "embedded document (=begin) meets end of file",
    ERR_UNTERMINATED_LIST: "unterminated word or symbol list meets end of file",
    ERR_UNTERMINATED_INTERP: "unterminated interpolation meets end of file",
    ERR_UNTERMINATED_SYMBOL: "unterminated quoted symbol meets end of file",
    ERR_UNTERMINATED_COMMAND: "unterminated command string meets end of file",
    ERR_BOM: "byte order mark inside the source",
    ERR_TOO_MANY_ERRORS: "too many errors; later ones are not reported",
}
