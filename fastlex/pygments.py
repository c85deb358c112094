"""A Pygments lexer for Ruby backed by fastlex: ``pygmentize -l fastruby file.rb``.

Registered through the ``pygments.lexers`` entry point as ``fastruby``, so
``pygments.lexers.get_lexer_by_name("fastruby")`` finds it once fastlex is
installed. Importing ``fastlex`` never imports this module (Pygments stays an
optional extra); importing this module needs Pygments.

Token types come from ``grammars/ruby/pygments.tsv`` (one per fastlex kind,
shipped as the generated ``fastlex/_pygments_types.py``); this module refines
the few that depend on context: the literal a string part belongs to, the
name after ``def``/``class``/``module``, the base of an integer, Kernel and
Module methods called without a receiver.
"""
import re
from bisect import bisect_right
from itertools import accumulate

from pygments.filter import apply_filters
from pygments.lexer import Lexer
from pygments.token import Comment, Keyword, Name, Number, Operator, String, Text, string_to_tokentype

import fastlex
from fastlex._pygments_types import TYPES
from fastlex.kinds import Kind

__all__ = ["RubyLexer", "TOKEN_TYPES"]

#: Pygments token type of each fastlex kind before context refines it (index = kind value).
TOKEN_TYPES = [Text] * (max(Kind) + 1)
for _kind in Kind:
    TOKEN_TYPES[_kind] = string_to_tokentype(TYPES[_kind.name])
del _kind

# Methods of Ruby's Kernel and Module that read like statements when called
# without a receiver: highlighted as pseudo keywords (Pygments' RubyLexer does
# the same for most of them; raise is a Keyword there).
PSEUDO_KEYWORDS = frozenset("""
    raise fail loop catch throw include extend prepend using refine
    private protected public module_function private_constant public_constant
    private_class_method public_class_method attr attr_reader attr_writer attr_accessor
""".split())

# Kernel's private instance methods in Ruby 3.1 (Kernel.private_instance_methods,
# less the initialize_* hooks and the PSEUDO_KEYWORDS above): builtins when
# called without a receiver.
BUILTINS = frozenset("""
    __callee__ __dir__ __method__ abort at_exit autoload autoload? binding
    block_given? caller caller_locations eval exec exit exit! fork format gem
    gets global_variables iterator? lambda load local_variables open p pp print
    printf proc putc puts rand readline readlines require require_relative select
    set_trace_func sleep spawn sprintf srand syscall system test trace_var trap
    untrace_var warn
""".split())

NAME_TYPES = {name: Keyword.Pseudo for name in PSEUDO_KEYWORDS}
NAME_TYPES.update({name: Name.Builtin for name in BUILTINS})

_NON_ASCII = re.compile(r"[^\x00-\x7f]+")

# Opening delimiter of a string -> its Pygments type (the content and the end take it too).
_STRING_OPENER_TYPES = {'"': String.Double, "'": String.Single}

# Integer prefix (after a leading 0) -> Pygments type; a bare 0 followed by digits or _ is octal.
_INTEGER_PREFIX_TYPES = {"x": Number.Hex, "X": Number.Hex, "b": Number.Bin, "B": Number.Bin,
                         "o": Number.Oct, "O": Number.Oct, "d": Number.Integer, "D": Number.Integer}

# The kinds this module tests for, as plain ints: Kind.X is a slow attribute lookup on an Enum.
K_AMPERSAND_DOT = int(Kind.AMPERSAND_DOT)
K_BACKTICK = int(Kind.BACKTICK)
K_COLON_COLON = int(Kind.COLON_COLON)
K_CONSTANT = int(Kind.CONSTANT)
K_DOT = int(Kind.DOT)
K_EMBEXPR_BEGIN = int(Kind.EMBEXPR_BEGIN)
K_EMBEXPR_END = int(Kind.EMBEXPR_END)
K_EMBVAR = int(Kind.EMBVAR)
K_EOF = int(Kind.EOF)
K_EQUAL = int(Kind.EQUAL)
K_HEREDOC_END = int(Kind.HEREDOC_END)
K_HEREDOC_START = int(Kind.HEREDOC_START)
K_IDENTIFIER = int(Kind.IDENTIFIER)
K_INTEGER = int(Kind.INTEGER)
K_KEYWORD_CLASS = int(Kind.KEYWORD_CLASS)
K_KEYWORD_DEF = int(Kind.KEYWORD_DEF)
K_KEYWORD_MODULE = int(Kind.KEYWORD_MODULE)
K_METHOD_NAME = int(Kind.METHOD_NAME)
K_NEWLINE = int(Kind.NEWLINE)
K_PERCENT_LOWER_I = int(Kind.PERCENT_LOWER_I)
K_PERCENT_LOWER_W = int(Kind.PERCENT_LOWER_W)
K_PERCENT_UPPER_I = int(Kind.PERCENT_UPPER_I)
K_PERCENT_UPPER_W = int(Kind.PERCENT_UPPER_W)
K_REGEXP_BEGIN = int(Kind.REGEXP_BEGIN)
K_REGEXP_END = int(Kind.REGEXP_END)
K_STRING_BEGIN = int(Kind.STRING_BEGIN)
K_STRING_CONTENT = int(Kind.STRING_CONTENT)
K_STRING_END = int(Kind.STRING_END)
K_SYMBOL_BEGIN = int(Kind.SYMBOL_BEGIN)
K_UCOLON_COLON = int(Kind.UCOLON_COLON)
# Kinds that open a literal, and the type the literal's parts take (None: decided by the opener's text).
_OPENERS = {
    K_STRING_BEGIN: None,
    K_SYMBOL_BEGIN: String.Symbol,
    K_HEREDOC_START: String.Heredoc,
    K_REGEXP_BEGIN: String.Regex,
    K_BACKTICK: String.Backtick,
    K_PERCENT_LOWER_W: String.Other,
    K_PERCENT_UPPER_W: String.Other,
    K_PERCENT_LOWER_I: String.Other,
    K_PERCENT_UPPER_I: String.Other,
}
# Texts of the tokens after which a name is a method called on a receiver (never a builtin).
_CALL_TEXTS = frozenset((".", "&.", "::"))
# TOKEN_TYPES, with None for the kinds the main loop must look at more closely (the others take
# their type straight from the table unless a def/class/module name is pending).
_FAST_TYPES = list(TOKEN_TYPES)
for _kind in (*_OPENERS, K_STRING_CONTENT, K_STRING_END, K_REGEXP_END, K_HEREDOC_END,
              K_EMBEXPR_BEGIN, K_EMBEXPR_END, K_EMBVAR, K_IDENTIFIER, K_METHOD_NAME,
              K_INTEGER, K_KEYWORD_DEF, K_KEYWORD_CLASS, K_KEYWORD_MODULE,
              K_NEWLINE, K_EOF):
    _FAST_TYPES[_kind] = None
del _kind

# States of the name-context machine in RubyLexer._lex.
_NONE, _DEF, _DEF_NAME, _CLASS, _CLASS_NAME, _MODULE, _MODULE_NAME, _EMBVAR = range(8)


def _receiver_type(kind):
    """Type of the receiver in ``def recv.name``, given its kind (self, a constant, a name)."""
    if kind == K_CONSTANT:
        return Name.Class  # as Pygments' RubyLexer marks def Foo.bar
    return TOKEN_TYPES[kind]


def char_offsets(text, offsets):
    """The str indices in ``text`` of the sorted UTF-8 byte ``offsets`` (each on a character boundary)."""
    # Breakpoints: the byte offset just after each non-ASCII character, and
    # how many bytes beyond one per character the text holds up to there.
    after = []
    extra_after = [0]
    extra = 0
    for m in _NON_ASCII.finditer(text):
        index = m.start()
        for ch in m.group():
            o = ord(ch)
            extra += 1 if o < 0x800 else 2 if o < 0x10000 else 3
            index += 1
            after.append(index + extra)
            extra_after.append(extra)
    return [o - extra_after[bisect_right(after, o)] for o in offsets]


class RubyLexer(Lexer):
    """Ruby, lexed by fastlex (tree-sitter-ruby's tokens at C speed); select it by name: ``fastruby``.

    ``filenames`` is empty on purpose: when two lexers claim the same file
    pattern, Pygments rates them alike (``analyse_text`` finds no shebang in
    most Ruby files), then orders them by class name (both are ``RubyLexer``)
    and takes the last, which is the plugin; claiming ``*.rb`` would silently
    replace Pygments' own RubyLexer for every ``pygmentize file.rb`` and every
    tool that picks lexers by file name. Installing fastlex should change nothing
    until a user asks for it by name (``-l fastruby``). The MIME types are
    listed because MIME lookup always tries Pygments' own lexers first.

    The values of ``get_tokens_unprocessed(text)`` concatenate to exactly
    ``text``; the white space between fastlex's tokens comes out as
    ``Text.Whitespace`` (or as part of the literal it lies in).
    """

    name = "Ruby (fastlex)"
    url = "https://www.ruby-lang.org"
    aliases = ["fastruby"]
    filenames = []
    mimetypes = ["text/x-ruby", "application/x-ruby"]
    version_added = ""

    def get_tokens_unprocessed(self, text):
        """(index, tokentype, value) triples covering ``text`` exactly, in order; index counts characters."""
        types, values = self._lex(text)
        # Each token starts where the previous one ends, so the indices are the running sum of lengths.
        return zip(accumulate(map(len, values), initial=0), types, values)

    def get_tokens(self, text, unfiltered=False):
        """(tokentype, value) pairs of ``text`` after Pygments' usual preprocessing (stripnl, ensurenl, tabsize...)."""
        preprocess = getattr(self, "_preprocess_lexer_input", None)
        if preprocess is None:  # Pygments before 2.15: its own get_tokens does the same, only slower
            return Lexer.get_tokens(self, text, unfiltered)
        types, values = self._lex(preprocess(text))
        stream = zip(types, values)
        if not unfiltered:
            stream = apply_filters(stream, self.filters, self)
        return stream

    def _lex(self, text):
        """Two parallel lists (token type, value) whose values concatenate to ``text``."""
        tokens = fastlex.Lexer().tokenize(text)
        # Iterating the bulk columns directly is faster than turning them into lists first.
        kinds = memoryview(tokens.kinds)
        starts = memoryview(tokens.starts)
        ends = memoryview(tokens.ends)
        if not text.isascii():
            # fastlex counts UTF-8 bytes, Pygments counts characters.
            starts = char_offsets(text, starts.tolist())
            ends = char_offsets(text, ends.tolist())

        types, values = [], []
        add_type, add_value = types.append, values.append
        table, fast, name_types = TOKEN_TYPES, _FAST_TYPES, NAME_TYPES
        ws, text_type, ident_type, heredoc = Text.Whitespace, Text, TOKEN_TYPES[K_IDENTIFIER], String.Heredoc
        literals = []    # open literals, innermost last: their type, or None for an interpolation
        gap_type = None  # type of white space in the innermost literal (a %w list), None in code
        state = _NONE
        def_name = def_kind = -1  # output position and kind of the pending method name after def
        pos = 0
        for kind, start, end in zip(kinds, starts, ends):
            if start != pos:
                gap = text[pos:start]
                add_type(gap_type or (ws if gap.isspace() else text_type))
                add_value(gap)
            ttype = fast[kind]
            if not state:
                if ttype is not None:
                    # The common case: the kind alone decides the type.
                    add_type(ttype)
                    add_value(text[start:end])
                    pos = end
                    continue
                if kind == K_IDENTIFIER:
                    # Names are next in frequency: only a few are builtins or pseudo keywords.
                    value = text[start:end]
                    ttype = name_types.get(value, ident_type)
                    if ttype is not ident_type and values and values[-1] in _CALL_TEXTS and types[-1] is Operator:
                        ttype = ident_type
                    add_type(ttype)
                    add_value(value)
                    pos = end
                    continue
            if kind == K_NEWLINE:
                # Left to the next gap, so a line break and the next line's indentation make one
                # white space token; a line break ends any pending def/class/module name.
                state = _NONE
                pos = start
                continue
            if start == end:
                pos = start
                continue  # EOF
            value = text[start:end]
            ttype = table[kind]
            if state:
                if state == _DEF:
                    # Whatever follows def is the method name (an operator or keyword too), unless it
                    # is a receiver: then the dot after it undoes this.
                    def_name, def_kind = len(types), kind
                    state = _DEF_NAME
                    add_type(Name.Function)
                    add_value(value)
                    pos = end
                    continue
                if state == _DEF_NAME:
                    state = _NONE
                    if (kind == K_DOT or kind == K_AMPERSAND_DOT) and start == pos:
                        types[def_name] = _receiver_type(def_kind)
                        state = _DEF
                    elif kind == K_EQUAL and start == pos and def_kind in (K_IDENTIFIER, K_CONSTANT):
                        ttype = Name.Function  # def name=(v): the = belongs to the name
                elif state == _CLASS or state == _MODULE:
                    if kind == K_CONSTANT:
                        ttype = Name.Class if state == _CLASS else Name.Namespace
                        state += 1
                    elif kind != K_UCOLON_COLON:
                        state = _NONE
                elif state == _CLASS_NAME or state == _MODULE_NAME:
                    state = state - 1 if kind == K_COLON_COLON else _NONE
                elif state == _EMBVAR:
                    state = _NONE
                    add_type(String.Interpol)
                    add_value(value)
                    pos = end
                    continue
            # The kinds whose type depends on context, most frequent first.
            if kind == K_STRING_CONTENT:
                if literals and literals[-1] is not None:
                    ttype = literals[-1]
            elif kind == K_STRING_END or kind == K_REGEXP_END:
                top = literals[-1] if literals else None
                if top is not None and top is not heredoc:
                    del literals[-1]  # the usual case: the innermost literal is the one closing
                    ttype = top
                else:
                    ttype = _close(literals, False, ttype)
                gap_type = _gap_type(literals)
            elif kind == K_HEREDOC_END:
                ttype = _close(literals, True, ttype)
                gap_type = _gap_type(literals)
            elif kind in _OPENERS:
                ttype = _OPENERS[kind] or _STRING_OPENER_TYPES.get(value, String.Other)
                literals.append(ttype)
                gap_type = ttype if ttype is not heredoc else None
            elif kind == K_IDENTIFIER or kind == K_METHOD_NAME:
                special = name_types.get(value)
                if special is not None and not (values and values[-1] in _CALL_TEXTS and types[-1] is Operator):
                    ttype = special
            elif kind == K_EMBEXPR_BEGIN:
                literals.append(None)
                gap_type = None
            elif kind == K_EMBEXPR_END:
                _close(literals, None, ttype)
                gap_type = _gap_type(literals)
            elif kind == K_INTEGER:
                if len(value) > 1 and value[0] == "0":
                    ttype = _INTEGER_PREFIX_TYPES.get(value[1], Number.Oct)
            elif kind == K_KEYWORD_DEF:
                state = _DEF
            elif kind == K_KEYWORD_CLASS:
                state = _CLASS
            elif kind == K_KEYWORD_MODULE:
                state = _MODULE
            elif kind == K_EMBVAR:
                state = _EMBVAR
            add_type(ttype)
            add_value(value)
            pos = end
        if types and types[0] is Comment.Single and values[0].startswith("#!"):
            types[0] = Comment.Hashbang  # as Pygments' RubyLexer marks a first line #!
        if pos < len(text):  # fastlex stops at the end of the text, so this is only a safety net
            add_type(Text)
            add_value(text[pos:])
        return types, values


def _close(literals, heredoc, default):
    """Pop the innermost open literal of the right sort (a heredoc if ``heredoc``, another literal if
    false, an interpolation if None) and return its type; ``default`` if none is open (malformed source)."""
    for i in range(len(literals) - 1, -1, -1):
        top = literals[i]
        if heredoc is None:
            match = top is None
        elif heredoc:
            match = top is String.Heredoc
        else:
            match = top is not None and top is not String.Heredoc
        if match:
            del literals[i]
            return default if top is None else top
    return default


def _gap_type(literals):
    """Type of white space at this point: the innermost literal's, unless that is code or a heredoc."""
    top = literals[-1] if literals else None
    return top if top is not String.Heredoc else None
