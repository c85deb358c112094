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
from pygments.filter import apply_filters
from pygments.lexer import Lexer
from pygments.token import Comment, Keyword, Name, Number, Operator, String, Text, string_to_tokentype

import fastlex
from fastlex import _stream
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

# What fastlex/_stream.pyx's loop must know of each kind: its role in the context rules
# (fastlex._stream.ROLES); every other kind is "plain" and takes its TOKEN_TYPES entry as is.
_ROLE_NAMES = {
    Kind.CONSTANT: "constant", Kind.DOT: "dot", Kind.AMPERSAND_DOT: "ampersand_dot",
    Kind.EQUAL: "equal", Kind.COLON_COLON: "colon_colon", Kind.UCOLON_COLON: "ucolon_colon",
    Kind.NEWLINE: "newline", Kind.IGNORED_NEWLINE: "newline", Kind.NEWLINE_TERMINATOR: "newline", Kind.EOF: "eof", Kind.IDENTIFIER: "identifier",
    Kind.METHOD_NAME: "method_name", Kind.INTEGER: "integer", Kind.STRING_CONTENT: "string_content",
    Kind.WORDS_SEP: "string_content",
    Kind.STRING_END: "string_end", Kind.REGEXP_END: "regexp_end", Kind.HEREDOC_END: "heredoc_end",
    Kind.EMBEXPR_BEGIN: "embexpr_begin", Kind.EMBEXPR_END: "embexpr_end", Kind.EMBVAR: "embvar",
    Kind.KEYWORD_DEF: "keyword_def", Kind.KEYWORD_CLASS: "keyword_class",
    Kind.KEYWORD_MODULE: "keyword_module",
}
# Kinds that open a literal, and the type the literal's parts take (None: decided by the
# opener's text: " String.Double, ' String.Single, anything else String.Other).
_OPENERS = {
    Kind.STRING_BEGIN: None,
    Kind.SYMBOL_BEGIN: String.Symbol,
    Kind.HEREDOC_START: String.Heredoc,
    Kind.REGEXP_BEGIN: String.Regex,
    Kind.XSTRING_BEGIN: String.Backtick,
    Kind.PERCENT_LOWER_X: String.Backtick,
    Kind.PERCENT_LOWER_W: String.Other,
    Kind.PERCENT_UPPER_W: String.Other,
    Kind.PERCENT_LOWER_I: String.Other,
    Kind.PERCENT_UPPER_I: String.Other,
}
_ROLES = bytearray(len(TOKEN_TYPES))
for _kind, _role in _ROLE_NAMES.items():
    _ROLES[_kind] = _stream.ROLES[_role]
for _kind in _OPENERS:
    _ROLES[_kind] = _stream.ROLES["opener"]
del _kind, _role

#: Everything fastlex._stream.build needs to type tokens (it imports no Pygments itself).
TABLES = _stream.Tables(
    TOKEN_TYPES, _ROLES, {int(k): t for k, t in _OPENERS.items()}, NAME_TYPES,
    text=Text, whitespace=Text.Whitespace, function=Name.Function, class_=Name.Class,
    namespace=Name.Namespace, interpol=String.Interpol, double_=String.Double, single=String.Single,
    other=String.Other, heredoc=String.Heredoc, hex=Number.Hex, bin=Number.Bin, oct=Number.Oct,
    integer=Number.Integer, operator_=Operator, comment=Comment.Single, hashbang=Comment.Hashbang,
    escape=String.Escape)


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
        return iter(self._lex(text, True))

    def get_tokens(self, text, unfiltered=False):
        """(tokentype, value) pairs of ``text`` after Pygments' usual preprocessing (decoding bytes,
        BOM, line ends, stripnl/stripall, tabsize, ensurenl), through the lexer's filters unless
        ``unfiltered``: what Pygments' own ``Lexer.get_tokens`` gives, from one prebuilt list."""
        preprocess = getattr(self, "_preprocess_lexer_input", None)
        if preprocess is None:  # Pygments before 2.15: its own get_tokens does the same, only slower
            return Lexer.get_tokens(self, text, unfiltered)
        if type(text) is str and "\r" not in text and not text.startswith("\ufeff"):
            # What Pygments' preprocessing does to such a text, without its two line-end
            # replaces, which would leave it as it is (they cost 6% of a highlight; a str with
            # a CR or a BOM, and bytes, take Pygments' own path; tests compare both with
            # Pygments' get_tokens).
            if self.stripall:
                text = text.strip()
            elif self.stripnl:
                text = text.strip("\n")
            if self.tabsize > 0:
                text = text.expandtabs(self.tabsize)
            if self.ensurenl and not text.endswith("\n"):
                text += "\n"
        else:
            text = preprocess(text)
        stream = iter(self._lex(text, False))
        if not unfiltered:
            stream = apply_filters(stream, self.filters, self)
        return stream

    def _lex(self, text, indexed):
        """The list of (tokentype, value) pairs, or (index, tokentype, value) triples if ``indexed``,
        whose values concatenate to ``text``."""
        tokens = fastlex.Lexer().tokenize(text)
        # fastlex._stream does the per-token work in C: slicing, gaps, the context rules.
        return _stream.build(text, tokens.kinds, tokens.starts, tokens.ends, TABLES, indexed, tokens.source.utf8)
