"""fastlex.python against the running interpreter's own ``tokenize``, over files.

``python -m fastlex check --language python --oracle tokenize PATH...`` runs this: every
``*.py`` file under the paths goes through both entry points of both modules,
``tokenize(readline)`` on its bytes and ``generate_tokens(readline)`` on its text (decoded
as ``tokenize.detect_encoding`` says; files it rejects are compared through ``tokenize``
alone), and the token lists and the exceptions (type, message, args) must be equal. The
oracle is whichever interpreter runs the check: run it under each version you care about.
"""
import io
import sys
import tokenize as _std
from dataclasses import dataclass, field
from typing import Iterable, List, NamedTuple, Optional, Tuple

import fastlex.python as _fp

#: (tokens given, (exception type, str, args) or None)
Outcome = Tuple[list, Optional[tuple]]


def run(make, readline) -> Outcome:
    """The tokens make(readline) gives, and the exception that ended them, if any: raised by
    the call itself (3.9 to 3.11 tokenize() detects the encoding eagerly) or while
    iterating. Exceptions are recorded to be compared, never swallowed silently."""
    out = []
    try:
        for tok in make(readline):
            out.append(tok)
    except Exception as exc:
        return out, (type(exc), str(exc), exc.args)
    return out, None


@dataclass
class TokenizeDifference:
    """The first token (or exception) where fastlex and tokenize part, in one file."""
    path: str
    function: str                 # "tokenize" or "generate_tokens"
    index: int                    # the token's position in the list
    tokenize: str                 # the interpreter's token or exception, as repr
    fastlex: str
    fallback: Optional[str]       # fastlex.python.last_fallback() after fastlex's run


@dataclass
class TokenizeSummary:
    """What check --oracle tokenize found."""
    python: str = sys.version.split()[0]
    files_checked: int = 0
    equal: int = 0                # files equal through every entry point compared
    different: int = 0
    raising: int = 0              # files where the interpreter's tokenize raises (equal or not)
    text_compared: int = 0        # files also compared through generate_tokens
    tokens: int = 0               # tokens of the interpreter's tokenize(), summed
    unreadable: List[str] = field(default_factory=list)
    differences: List[TokenizeDifference] = field(default_factory=list)


def first_difference(path: str, function: str, want: Outcome, got: Outcome) -> Optional[TokenizeDifference]:
    """None when the two outcomes are equal, else where they first part."""
    if want == got:
        return None
    a, b = want[0], got[0]
    i = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
    return TokenizeDifference(
        path=path, function=function, index=i,
        tokenize=repr(a[i] if i < len(a) else want[1]),
        fastlex=repr(b[i] if i < len(b) else got[1]),
        fallback=_fp.last_fallback())


class FileComparison(NamedTuple):
    """One file through both modules."""
    tokenize: Outcome                      # the interpreter's tokenize() on the bytes
    text_compared: bool                    # whether generate_tokens() was compared too
    differences: List[TokenizeDifference]  # empty: equal


def compare_file(data: bytes, path: str = "<bytes>") -> FileComparison:
    """data through tokenize() of both modules and, when the interpreter would decode it,
    generate_tokens() of both."""
    want = run(_std.tokenize, io.BytesIO(data).readline)
    diff = first_difference(path, "tokenize", want, run(_fp.tokenize, io.BytesIO(data).readline))
    diffs = [diff] if diff else []
    text = decoded(data)
    if text is not None:
        text_want = run(_std.generate_tokens, io.StringIO(text).readline)
        diff = first_difference(path, "generate_tokens", text_want,
                                run(_fp.generate_tokens, io.StringIO(text).readline))
        if diff:
            diffs.append(diff)
    return FileComparison(want, text is not None, diffs)


def decoded(data: bytes) -> Optional[str]:
    """data as the interpreter's tokenize would decode it, or None if it would refuse."""
    try:
        encoding = _std.detect_encoding(io.BytesIO(data).readline)[0]
        return data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return None


def check_paths_with_tokenize(paths: Iterable[str], progress: bool = False) -> TokenizeSummary:
    """Compare every *.py file under paths (see the module's docstring)."""
    from fastlex.check import read_sources, source_files

    summary = TokenizeSummary()
    for path, data in read_sources(source_files(paths, (".py",)), summary.unreadable, progress):
        result = compare_file(data, path)
        summary.files_checked += 1
        summary.tokens += len(result.tokenize[0])
        summary.raising += result.tokenize[1] is not None
        summary.text_compared += result.text_compared
        if result.differences:
            summary.different += 1
            summary.differences.extend(result.differences)
        else:
            summary.equal += 1
    return summary


def print_summary(summary: TokenizeSummary, out, limit: int = 50) -> None:
    """The text report of check --oracle tokenize."""
    print(f"oracle:                        tokenize of Python {summary.python}", file=out)
    print(f"files checked:                 {summary.files_checked}", file=out)
    print(f"equal:                         {summary.equal}", file=out)
    print(f"different:                     {summary.different}", file=out)
    print(f"tokenize raises (compared):    {summary.raising}", file=out)
    print(f"also through generate_tokens:  {summary.text_compared}", file=out)
    print(f"tokens:                        {summary.tokens}", file=out)
    for path in summary.unreadable:
        print(f"unreadable: {path}", file=out)
    for d in summary.differences[:limit]:
        print(f"\n{d.path}: {d.function}, token {d.index}: first difference"
              f" (fallback: {d.fallback})", file=out)
        print(f"  tokenize: {d.tokenize}", file=out)
        print(f"  fastlex:  {d.fastlex}", file=out)
    if len(summary.differences) > limit:
        print(f"\n... and {len(summary.differences) - limit} more", file=out)
