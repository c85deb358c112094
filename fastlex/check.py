"""Equivalence with tree-sitter: ``fastlex.check`` and ``python -m fastlex check [--language L] PATH...``.

For a source that tree-sitter parses without ERROR or MISSING nodes, the
tree's leaves of non-zero width and fastlex's tokens, both in order, must have
the same byte spans, and each fastlex kind must be one the language's mapping
(``grammars/<language>/tree_sitter.tsv``) allows for that leaf. Tokens tree-sitter
has no leaf for (the mapping's ``unmatched`` kinds) are left out, and so are the
leaves a ``leaf`` rule maps to no kind (``-``); the mapping's ``join`` rules let one
fastlex token cover several leaves (Ruby's ``3r``, a Python string); Ruby's ``split``
rules let several adjacent tokens cover one leaf (``:name``), its ``cover`` rules
let one token stand for a leaf lying inside it (a heredoc's terminator line), its
``text`` and ``trim`` rules line literal text up with prism's; the ``quirk`` rules
name the places where tree-sitter disagrees with the language itself.

The comparison is shared; what differs per language (the mapping, the tree-sitter
grammar, the files, the quirks) is a ``LanguageCheck`` (``language_check(name)``):
``ruby`` (the default) and ``python``.

tree-sitter, tree-sitter-ruby and tree-sitter-python come with the ``check`` extra:
``pip install 'fastlex[check]'``.
"""
from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import asdict, dataclass, field
from typing import Callable, Iterable, Iterator, List, Optional, Tuple

import fastlex
from fastlex._tree_sitter_map import (COVER_RULES, JOIN_RULES, LEAF_RULES, QUIRKS, SPLIT_RULES, TEXT_LEAVES,
                                      TRIM_LEAVES, UNMATCHED)
from fastlex.kinds import Kind

INSTALL_HINT = "tree-sitter and tree-sitter-ruby are needed: pip install 'fastlex[check]'"
PYTHON_INSTALL_HINT = "tree-sitter and tree-sitter-python are needed: pip install 'fastlex[check]'"

# Leaf type -> {parent type or '*': allowed kind values}
_ALLOWED: dict = {}
for _leaf, _parent, _kinds, _reason in LEAF_RULES:
    _ALLOWED.setdefault(_leaf, {}).setdefault(_parent, set()).update(Kind[k].value for k in _kinds)
# Kind value -> compiled patterns over space-joined leaf types
_JOINS: dict = {}
for _kind, _pattern, _reason in JOIN_RULES:
    _JOINS.setdefault(Kind[_kind].value, []).append(re.compile(_pattern))
_UNMATCHED = frozenset(Kind[k].value for k, _ in UNMATCHED)
# Leaf type -> compiled patterns over the space-joined kind names of the tokens covering it
_SPLITS: dict = {}
for _leaf, _pattern, _reason in SPLIT_RULES:
    _SPLITS.setdefault(_leaf, []).append(re.compile(_pattern))
# Leaf types of literal text: a run of them is one run of STRING_CONTENT tokens, however each cuts it
_TEXT = frozenset(leaf for leaf, _ in TEXT_LEAVES)
# Leaf types whose leading line break (a heredoc body's first piece) and whose indentation before a
# heredoc's terminator are not text to prism
_TRIM = frozenset(leaf for leaf, _ in TRIM_LEAVES)
# Kind value -> leaf types a token of that kind may stand for when the leaf lies inside it
_COVERS: dict = {}
for _kind, _leaf, _reason in COVER_RULES:
    _COVERS.setdefault(Kind[_kind].value, set()).add(_leaf)
QUIRK_NAMES = tuple(name for name, _ in QUIRKS)
_WORDLIST_PARENTS = frozenset(("bare_string", "bare_symbol"))


@dataclass
class Leaf:
    """A tree-sitter leaf of non-zero width."""

    start: int
    end: int
    type: str
    parent: str
    opener: str = ""   # for leaves inside a word list: the list's opening text (%w( %W[ ...)
    first: bool = False  # the first child of its parent


@dataclass
class Difference:
    """The first place where fastlex and tree-sitter disagree in one file."""

    path: str
    offset: int
    line: int
    column: int
    fastlex: Optional[str]
    tree_sitter: Optional[str]
    source_line: str
    quirk: Optional[str] = None


@dataclass
class FileResult:
    """The outcome for one source: 'equal', 'different', 'quirk' or 'tree_sitter_error'."""

    path: str
    status: str
    tokens: int = 0
    leaves: int = 0
    difference: Optional[Difference] = None


@dataclass
class Summary:
    """Counts over many files, and the first difference of each file that differs."""

    files_checked: int = 0
    skipped_tree_sitter_errors: int = 0
    equal: int = 0
    different: int = 0
    tree_sitter_quirks: int = 0
    differences: List[dict] = field(default_factory=list)
    quirk_files: List[dict] = field(default_factory=list)
    unreadable: List[str] = field(default_factory=list)

    def add(self, result: FileResult) -> None:
        """Count one file's result."""
        self.files_checked += 1
        if result.status == "tree_sitter_error":
            self.skipped_tree_sitter_errors += 1
        elif result.status == "equal":
            self.equal += 1
        elif result.status == "quirk":
            self.tree_sitter_quirks += 1
            self.quirk_files.append(asdict(result.difference))
        else:
            self.different += 1
            self.differences.append(asdict(result.difference))


def _parser(module: str = "tree_sitter_ruby", hint: str = INSTALL_HINT):
    """A tree-sitter parser for the grammar in module (tree-sitter-ruby by default); ImportError
    with an install hint if the packages are missing."""
    import importlib

    try:
        import tree_sitter
        grammar = importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(hint) from exc
    language = tree_sitter.Language(grammar.language())
    try:
        return tree_sitter.Parser(language)
    except TypeError:  # older py-tree-sitter
        parser = tree_sitter.Parser()
        parser.set_language(language)
        return parser


_PARSER = None


def parser(language: str = "ruby"):
    """The shared tree-sitter parser of a language (created on first use)."""
    global _PARSER
    if language != "ruby":
        return language_check(language).parser()
    if _PARSER is None:
        _PARSER = _parser()
    return _PARSER


def tree_sitter_leaves(tree, src: bytes) -> List[Leaf]:
    """The tree's leaves of non-zero width, in order, with their parent types (and word-list openers)."""
    leaves: List[Leaf] = []
    cursor = tree.walk()
    openers: List[str] = []   # opening text of the word lists we are inside
    list_depth: List[int] = []  # the tree depth of each of those lists
    depth = 0
    while True:
        node = cursor.node
        if node.child_count == 0:
            if node.end_byte > node.start_byte:
                parent = node.parent
                ptype = parent.type if parent is not None else ""
                leaf = Leaf(node.start_byte, node.end_byte, node.type, ptype, first=node.prev_sibling is None)
                if list_depth:
                    leaf.opener = openers[-1]
                leaves.append(leaf)
        elif node.type in ("string_array", "symbol_array"):
            first = node.child(0)
            openers.append(src[first.start_byte:first.end_byte].decode("latin-1") if first is not None else "")
            list_depth.append(depth)
        if cursor.goto_first_child():
            depth += 1
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return leaves
            depth -= 1
            if list_depth and list_depth[-1] == depth:
                list_depth.pop()
                openers.pop()


def _apply_quirks(leaves: List[Leaf], src: bytes) -> List[Leaf]:
    """Normalise the leaves where tree-sitter is known to disagree with Ruby (see QUIRKS)."""
    out: List[Leaf] = []
    for leaf in leaves:
        if leaf.type == "escape_sequence" and leaf.parent in _WORDLIST_PARENTS:
            # wordlist-escape-whitespace: the escape starts at its backslash, not at the space before.
            start = leaf.start
            while start < leaf.end and src[start] in b" \t\r\n\f\v":
                start += 1
            if start != leaf.start:
                leaf = Leaf(start, leaf.end, leaf.type, leaf.parent, leaf.opener)
            # wordlist-raw-escape: %w/%i have no escape sequences; the pair is text.
            if leaf.opener[:2] in ("%w", "%i"):
                leaf = Leaf(leaf.start, leaf.end, "string_content", leaf.parent, leaf.opener)
        out.append(leaf)
    # Adjacent text pieces of one word in %w/%i lists are one run of text.
    merged: List[Leaf] = []
    for leaf in out:
        prev = merged[-1] if merged else None
        if (prev is not None and leaf.type == "string_content" and prev.type == "string_content"
                and prev.end == leaf.start and leaf.parent in _WORDLIST_PARENTS
                and leaf.opener[:2] in ("%w", "%i")):
            merged[-1] = Leaf(prev.start, leaf.end, "string_content", leaf.parent, leaf.opener)
        else:
            merged.append(leaf)
    return merged


def _trim_text(leaves: List[Leaf], src: bytes) -> List[Leaf]:
    """prism's heredoc text: a body starts after the line break of its <<ID line, and the
    terminator's indentation belongs to HEREDOC_END (the trim rules' leaf types)."""
    out: List[Leaf] = []
    for k, leaf in enumerate(leaves):
        if leaf.type in _TRIM:
            start, end = leaf.start, leaf.end
            if leaf.first:
                if src[start:start + 1] == b"\n":
                    start += 1
                elif src[start:start + 2] == b"\r\n":
                    start += 2
            if k + 1 < len(leaves) and leaves[k + 1].type == "heredoc_end":
                e = end
                while e > start and src[e - 1:e] in (b" ", b"\t"):
                    e -= 1
                if e == start or src[e - 1:e] == b"\n":
                    end = e
            # (an emptied leaf stays, zero-width, for the quirk classification; matching skips it)
            leaf = Leaf(start, max(start, end), leaf.type, leaf.parent, leaf.opener, leaf.first)
        out.append(leaf)
    return out


def _text_run(kinds, starts, ends, fl, i, leaves, j, text_leaves=None, text_kind=None) -> Optional[tuple]:
    """(next token index, next leaf index) past a run of literal text that both sides cover alike
    (adjacent text leaves, adjacent STRING_CONTENT tokens, ending at one offset), or None."""
    text_leaves = _TEXT if text_leaves is None else text_leaves
    text_kind = Kind.STRING_CONTENT if text_kind is None else text_kind
    leaf_ends = {}
    k = j
    while True:
        leaf_ends[leaves[k].end] = k + 1
        if k + 1 < len(leaves) and leaves[k + 1].type in text_leaves and leaves[k + 1].start == leaves[k].end:
            k += 1
        else:
            break
    best = None
    x = i
    while True:
        if ends[fl[x]] in leaf_ends:
            best = (x + 1, leaf_ends[ends[fl[x]]])
        if x + 1 < len(fl) and kinds[fl[x + 1]] == text_kind and starts[fl[x + 1]] == ends[fl[x]]:
            x += 1
        else:
            break
    return best


def _kind_allowed(kind: int, leaf: Leaf, allowed: Optional[dict] = None) -> bool:
    """True if the mapping (Ruby's unless allowed is given) lets a fastlex token of kind stand
    for this leaf."""
    rules = (_ALLOWED if allowed is None else allowed).get(leaf.type)
    if rules is None:
        return False
    return kind in rules.get("*", ()) or kind in rules.get(leaf.parent, ())


def _join_allowed(kind: int, leaves: List[Leaf], joins: Optional[dict] = None) -> bool:
    """True if a join rule (Ruby's unless joins is given) lets one token of kind cover these leaves."""
    types = " ".join(leaf.type for leaf in leaves)
    return any(p.search(types) for p in (_JOINS if joins is None else joins).get(kind, ()))


def _describe_token(src: bytes, kind: int, start: int, end: int, kinds=Kind) -> str:
    return f"{kinds(kind).name} {src[start:end].decode('utf-8', 'replace')!r} [{start}:{end}]"


def _describe_leaf(src: bytes, leaf: Leaf) -> str:
    return f"{leaf.type} (in {leaf.parent}) {src[leaf.start:leaf.end].decode('utf-8', 'replace')!r} [{leaf.start}:{leaf.end}]"


def _classify_quirk(src: bytes, kinds: List[int], starts: List[int], fl_index: int, leaf: Optional[Leaf],
                    leaves: List[Leaf], leaf_index: int) -> Optional[str]:
    """The known tree-sitter quirk that explains the difference at fastlex token fl_index
    (len(kinds) if fastlex has no token left) and tree-sitter leaf leaf_index, or None."""
    have_token = fl_index < len(kinds)
    if leaf is not None and leaf.type == "identifier" and have_token:
        if Kind(kinds[fl_index]).name.startswith("KEYWORD_") and starts[fl_index] == leaf.start:
            return "keyword-operand"
    if leaf is not None and have_token and starts[fl_index] == leaf.start:
        if kinds[fl_index] in (Kind.PERCENT, Kind.PERCENT_EQUAL) and src[leaf.start:leaf.start + 1] == b"%":
            return "percent-after-value"
    for near in leaves[leaf_index:leaf_index + 2]:
        if near.type == "comment" and near.parent in ("heredoc_body", "string", "interpolation"):
            return "comment-in-literal"
    if have_token and kinds[fl_index] == Kind.STRING_CONTENT and leaf is not None:
        start = starts[fl_index]
        if src[start:start + 2] in (b"\\\n", b"\\\r") and leaf.start > start and leaf.parent in _WORDLIST_PARENTS:
            return "wordlist-escaped-newline"
    if leaf is not None and leaf.type == "heredoc_beginning" and have_token:
        if kinds[fl_index] == Kind.LESS_LESS and starts[fl_index] == leaf.start:
            return "heredoc-after-local"
    # nested-heredoc: the difference lies in a heredoc body whose interpolation starts a heredoc.
    for j in range(leaf_index - 1, -1, -1):
        prior = leaves[j]
        if prior.type == "heredoc_beginning" and prior.parent == "interpolation":
            for k in range(j - 1, -1, -1):
                if leaves[k].type in ("heredoc_content", "heredoc_end"):
                    return "nested-heredoc" if leaves[k].type == "heredoc_content" else None
                if leaves[k].type == "heredoc_beginning" and leaves[k].parent != "interpolation":
                    break
            return None
        if prior.type == "heredoc_end":
            return None
    return None


@dataclass
class LanguageCheck:
    """What the comparison needs to know about one language: its kinds and mapping (from
    grammars/<language>/tree_sitter.tsv), its tree-sitter grammar, its files, and its quirks."""

    name: str
    kinds: object                       # the language's Kind IntEnum
    allowed: dict                       # leaf type -> {parent or '*': kind values}
    joins: dict                         # kind value -> compiled patterns over leaf types
    unmatched: frozenset                # kind values tree-sitter has no leaf for
    dropped: frozenset                  # leaf types with no token (leaf rules mapping to "-")
    quirk_names: tuple
    suffixes: tuple                     # file endings searched for under folders
    tokenize: Callable                  # src bytes -> fastlex Tokens
    make_parser: Callable               # () -> a tree-sitter parser
    apply_quirks: Callable              # (leaves, src) -> leaves
    classify_quirk: Callable            # see _classify_quirk
    join_gaps: bool = False             # may a joined token's leaves leave gaps between them?
    text_leaves: frozenset = frozenset()   # leaf types of literal text (Ruby: runs of STRING_CONTENT)
    text_kind: int = -1                 # the kind of literal text tokens (Ruby: STRING_CONTENT)
    covers: dict = field(default_factory=dict)   # kind value -> leaf types a token may cover
    splits: dict = field(default_factory=dict)   # leaf type -> patterns over the kinds splitting it
    _parser: object = None

    def parser(self):
        """The shared tree-sitter parser of this language (created on first use)."""
        if self._parser is None:
            self._parser = self.make_parser()
        return self._parser


def _mapping(kinds, leaf_rules, join_rules, unmatched):
    """(allowed, joins, unmatched, dropped) of a generated mapping over the kinds enum."""
    allowed: dict = {}
    dropped = set()
    for leaf, parent, names, _reason in leaf_rules:
        if not names:
            dropped.add(leaf)
        allowed.setdefault(leaf, {}).setdefault(parent, set()).update(kinds[k].value for k in names)
    joins: dict = {}
    for kind, pattern, _reason in join_rules:
        joins.setdefault(kinds[kind].value, []).append(re.compile(pattern))
    return allowed, joins, frozenset(kinds[k].value for k, _ in unmatched), frozenset(dropped)


def _ruby_check() -> LanguageCheck:
    return LanguageCheck(
        name="ruby", kinds=Kind, allowed=_ALLOWED, joins=_JOINS, unmatched=_UNMATCHED, dropped=frozenset(),
        quirk_names=QUIRK_NAMES, suffixes=(".rb",),
        tokenize=lambda src: fastlex.tokenize(src),   # looked up per call (tests replace it)
        make_parser=parser, apply_quirks=lambda leaves, src: _trim_text(_apply_quirks(leaves, src), src),
        classify_quirk=_classify_quirk, text_leaves=_TEXT, text_kind=Kind.STRING_CONTENT.value,
        covers=_COVERS, splits=_SPLITS)


def _python_apply_quirks(leaves: List[Leaf], src: bytes) -> List[Leaf]:
    """Normalise the leaves where tree-sitter-python is known to disagree with tokenize (see
    grammars/python/tree_sitter.tsv's quirks)."""
    out: List[Leaf] = []
    for leaf in leaves:
        if leaf.type == "comment" and src[leaf.end - 1:leaf.end] == b"\r":
            # comment-carriage-return: tokenize's COMMENT ends before the \r of \r\n.
            end = leaf.end
            while end > leaf.start + 1 and src[end - 1:end] == b"\r":
                end -= 1
            leaf = Leaf(leaf.start, end, leaf.type, leaf.parent, leaf.opener)
        out.append(leaf)
    return out


_PY2_INTEGER = re.compile(rb"0+[0-9]*[1-9][0-9]*[lL]?|[0-9]+[lL]|0[xXoObB][0-9a-fA-F_]+[lL]")


def _python_classify_quirk(src: bytes, kinds: List[int], starts: List[int], fl_index: int, leaf: Optional[Leaf],
                           leaves: List[Leaf], leaf_index: int) -> Optional[str]:
    """The known tree-sitter-python quirk that explains a difference (see _classify_quirk), or None."""
    from fastlex._core import grammar_info

    pk = grammar_info("python").kinds
    have_token = fl_index < len(kinds)
    if leaf is not None and have_token and leaf.type == "<>" and starts[fl_index] == leaf.start:
        if kinds[fl_index] == pk.LESS:
            return "ne-diamond"
    if leaf is not None and have_token and leaf.type == "integer" and kinds[fl_index] == pk.ERRORTOKEN:
        if (src[starts[fl_index]:leaf.start].strip(b" \t\f") == b""
                and _PY2_INTEGER.fullmatch(src[leaf.start:leaf.end])):
            return "python2-integer"
    return None


def _python_check() -> LanguageCheck:
    from fastlex._core import grammar_info

    try:
        from fastlex.python._tree_sitter_map import JOIN_RULES as PJ, LEAF_RULES as PL, QUIRKS as PQ, UNMATCHED as PU
    except ImportError as exc:  # pragma: no cover - a source tree without the generated map
        raise ImportError("fastlex/python/_tree_sitter_map.py is missing: run python grammars/python/generate.py") from exc
    kinds = grammar_info("python").kinds
    allowed, joins, unmatched, dropped = _mapping(kinds, PL, PJ, PU)
    return LanguageCheck(
        name="python", kinds=kinds, allowed=allowed, joins=joins, unmatched=unmatched, dropped=dropped,
        quirk_names=tuple(name for name, _ in PQ), suffixes=grammar_info("python").suffixes,
        tokenize=lambda src: fastlex.tokenize(src, language="python"),
        make_parser=lambda: _parser("tree_sitter_python", PYTHON_INSTALL_HINT),
        apply_quirks=_python_apply_quirks, classify_quirk=_python_classify_quirk, join_gaps=True)


_CHECKS: dict = {}
_CHECK_FACTORIES = {"ruby": _ruby_check, "python": _python_check}
CHECK_LANGUAGES = tuple(_CHECK_FACTORIES)


def language_check(language: str = "ruby") -> LanguageCheck:
    """The LanguageCheck of a language; ValueError for one check does not know."""
    spec = _CHECKS.get(language)
    if spec is None:
        factory = _CHECK_FACTORIES.get(language)
        if factory is None:
            raise ValueError(f"fastlex check: no tree-sitter comparison for {language!r} "
                             f"(known: {', '.join(CHECK_LANGUAGES)})")
        spec = _CHECKS[language] = factory()
    return spec


def compare_source(src: bytes, path: str = "<source>", language: str = "ruby") -> FileResult:
    """Compare fastlex's tokens of src (bytes) with tree-sitter's leaves (tree-sitter-ruby's by default)."""
    spec = language_check(language)
    tree = spec.parser().parse(src)
    if tree.root_node.has_error:
        return FileResult(path, "tree_sitter_error")
    leaves = spec.apply_quirks(tree_sitter_leaves(tree, src), src)
    if spec.dropped:
        leaves = [leaf for leaf in leaves if leaf.type not in spec.dropped]
    tokens = spec.tokenize(src)
    kinds = memoryview(tokens.kinds).tolist()
    starts = memoryview(tokens.starts).tolist()
    ends = memoryview(tokens.ends).tolist()
    unmatched, allowed, joins, gaps = spec.unmatched, spec.allowed, spec.joins, spec.join_gaps
    fl = [i for i, k in enumerate(kinds) if k not in unmatched]
    i = j = 0
    nf, nl = len(fl), len(leaves)
    while i < nf and j < nl:
        t = fl[i]
        leaf = leaves[j]
        if leaf.start == leaf.end:
            j += 1
            continue
        if leaf.type in spec.text_leaves and kinds[t] == spec.text_kind and starts[t] == leaf.start:
            run = _text_run(kinds, starts, ends, fl, i, leaves, j, spec.text_leaves, spec.text_kind)
            if run is not None:
                i, j = run
                continue
        if starts[t] == leaf.start and ends[t] == leaf.end:
            if _kind_allowed(kinds[t], leaf, allowed):
                i += 1
                j += 1
                continue
            break
        if kinds[t] in spec.covers:
            if leaf.type in spec.covers[kinds[t]] and starts[t] <= leaf.start and leaf.end <= ends[t]:
                i += 1
                j += 1
                continue
            if leaf.start >= ends[t]:
                i += 1          # the token covers only text tree-sitter hides (__END__ alone)
                continue
        if starts[t] == leaf.start and ends[t] < leaf.end and leaf.type in spec.splits:
            k = i
            while k + 1 < nf and ends[fl[k]] < leaf.end and starts[fl[k + 1]] >= ends[fl[k]]:
                k += 1
            names = " ".join(spec.kinds(kinds[fl[x]]).name for x in range(i, k + 1))
            # (the last token may go on past the leaf with blanks tree-sitter leaves out: a newline)
            if ends[fl[k]] >= leaf.end and not src[leaf.end:ends[fl[k]]].strip() and (
                    any(p.search(names) for p in spec.splits[leaf.type])):
                i = k + 1
                j += 1
                continue
        if starts[t] == leaf.start and ends[t] > leaf.end:
            k = j
            if gaps:
                while k + 1 < nl and leaves[k + 1].end <= ends[t]:
                    k += 1
            else:
                while k + 1 < nl and leaves[k].end < ends[t] and leaves[k + 1].start == leaves[k].end:
                    k += 1
            if leaves[k].end == ends[t] and _join_allowed(kinds[t], leaves[j:k + 1], joins):
                i += 1
                j = k + 1
                continue
        break
    while i < nf and j == nl and kinds[fl[i]] in spec.covers:
        i += 1
    while j < nl and i == nf and leaves[j].start == leaves[j].end:
        j += 1
    if i == nf and j == nl:
        return FileResult(path, "equal", len(fl), nl)
    t = fl[i] if i < nf else None
    leaf = leaves[j] if j < nl else None
    offset = min(x for x in (starts[t] if t is not None else None, leaf.start if leaf else None) if x is not None)
    line, col = tokens.position(offset)
    ls = src.rfind(b"\n", 0, offset) + 1
    le = src.find(b"\n", offset)
    diff = Difference(
        path=path, offset=offset, line=line, column=col,
        fastlex=_describe_token(src, kinds[t], starts[t], ends[t], spec.kinds) if t is not None else None,
        tree_sitter=_describe_leaf(src, leaf) if leaf is not None else None,
        source_line=src[ls:le if le >= 0 else len(src)].decode("utf-8", "replace"),
    )
    quirk = spec.classify_quirk(src, kinds, starts, t if t is not None else len(kinds), leaf, leaves, j)
    diff.quirk = quirk
    return FileResult(path, "quirk" if quirk else "different", len(fl), nl, diff)


def source_files(paths: Iterable[str], suffixes: tuple = (".rb",)) -> List[str]:
    """The files named, and every file ending in one of suffixes under the folders named
    (sorted, recursive)."""
    out: List[str] = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs.sort()
                out.extend(os.path.join(root, f) for f in sorted(files) if f.endswith(suffixes))
        else:
            out.append(p)
    return out


def ruby_files(paths: Iterable[str]) -> List[str]:
    """The files named, and every *.rb file under the folders named (sorted, recursive)."""
    return source_files(paths, (".rb",))


def check_paths(paths: Iterable[str], progress: bool = False, language: str = "ruby") -> Summary:
    """Compare every file of the language (Ruby by default) under paths; a Summary of the outcome."""
    summary = Summary()
    for path, src in read_sources(source_files(paths, language_check(language).suffixes),
                                  summary.unreadable, progress):
        summary.add(compare_source(src, path, language))
    return summary


def read_sources(files: List[str], unreadable: List[str], progress: bool = False) -> Iterator[Tuple[str, bytes]]:
    """(path, contents) of each file that can be read, in order; the paths of the others are
    appended to unreadable. With progress, a tqdm bar on stderr (when tqdm is installed)."""
    iterator: Iterable[str] = files
    if progress:
        try:
            from tqdm import tqdm
            iterator = tqdm(files, unit="file", file=sys.stderr, leave=False)
        except ImportError:
            pass
    for path in iterator:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            unreadable.append(path)
            continue
        yield path, data


def _print_summary(summary: Summary, out) -> None:
    clean = summary.files_checked - summary.skipped_tree_sitter_errors
    print(f"files checked:                 {summary.files_checked}", file=out)
    print(f"skipped (tree-sitter errors):  {summary.skipped_tree_sitter_errors}", file=out)
    print(f"equal:                         {summary.equal}", file=out)
    print(f"different:                     {summary.different}", file=out)
    print(f"tree-sitter known wrong:       {summary.tree_sitter_quirks}", file=out)
    if clean:
        print(f"equal share of clean files:    {100.0 * summary.equal / clean:.2f}%", file=out)
    for d in summary.differences:
        print(f"\n{d['path']}:{d['line']}:{d['column']}: first difference", file=out)
        print(f"  fastlex:     {d['fastlex']}", file=out)
        print(f"  tree-sitter: {d['tree_sitter']}", file=out)
        print(f"  | {d['source_line']}", file=out)
    for d in summary.quirk_files:
        print(f"\n{d['path']}:{d['line']}:{d['column']}: tree-sitter quirk {d['quirk']}", file=out)


def run(args) -> int:
    """The check command: 0 if every clean file is equal, 1 if any differs, 2 on a usage problem."""
    language = getattr(args, "language", "ruby")
    if getattr(args, "oracle", "tree-sitter") == "prism":
        if language != "ruby":
            print("fastlex check: --oracle prism compares Ruby only", file=sys.stderr)
            return 2
        return run_prism_check(args)
    if getattr(args, "oracle", "tree-sitter") == "tokenize":
        if language != "python":
            print("fastlex check: --oracle tokenize compares Python only (use --language python)", file=sys.stderr)
            return 2
        return run_tokenize_check(args)
    try:
        language_check(language).parser()
    except (ImportError, ValueError) as exc:
        print(f"fastlex check: {exc}", file=sys.stderr)
        return 2
    summary = check_paths(args.paths, progress=sys.stderr.isatty() and not args.json, language=language)
    if args.json:
        json.dump(asdict(summary), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        _print_summary(summary, sys.stdout)
    return 1 if summary.different else 0


def run_prism_check(args) -> int:
    """check --oracle prism: the same report against prism's token stream (fastlex/prism.py)."""
    from fastlex import prism

    binary = prism.find_prism(args.prism)
    if binary is None:
        print(f"fastlex check: {prism.INSTALL_HINT}", file=sys.stderr)
        return 2
    summary = prism.check_paths_with_prism(args.paths, binary, progress=sys.stderr.isatty() and not args.json)
    if args.json:
        json.dump(asdict(summary), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        prism.print_summary(summary, sys.stdout)
    return 1 if summary.different else 0


def run_tokenize_check(args) -> int:
    """check --language python --oracle tokenize: fastlex.python against the running
    interpreter's own tokenize, tokens and exceptions (fastlex/python/oracle.py)."""
    from fastlex.python import oracle

    summary = oracle.check_paths_with_tokenize(args.paths, progress=sys.stderr.isatty() and not args.json)
    if args.json:
        json.dump(asdict(summary), sys.stdout, indent=2, default=repr)
        sys.stdout.write("\n")
    else:
        oracle.print_summary(summary, sys.stdout)
    return 1 if summary.different else 0


def add_arguments(parser) -> None:
    """Declare the check command's arguments."""
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="source files, or folders searched for the language's files (*.rb, *.py)")
    parser.add_argument("--language", choices=CHECK_LANGUAGES, default="ruby",
                        help="the grammar compared: ruby (tree-sitter-ruby, default) or python (tree-sitter-python)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    parser.add_argument("--oracle", choices=("tree-sitter", "prism", "tokenize"), default="tree-sitter",
                        help="compare with tree-sitter's leaves (default), for Ruby with prism's tokens, "
                             "for Python with the running interpreter's tokenize (tokens and exceptions)")
    parser.add_argument("--prism", metavar="PATH",
                        help="the prism-tokens binary (default: $FASTLEX_PRISM, else ../shared/prism/prism-tokens)")
    parser.set_defaults(func=run)
