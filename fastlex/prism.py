"""prism as an oracle: ``python -m fastlex check --oracle prism PATH...``.

prism is Ruby's own parser (the default parser since Ruby 3.4). Its token stream is fastlex's
contract for Ruby (the "prism-exact" issue): for every source prism parses without errors,
fastlex's list of (kind, start byte, end byte), in fastlex's order, must equal prism's list
sorted stably by start (prism emits a heredoc's body right after its ``HEREDOC_START``; fastlex
keeps source order). Every token counts, zero-width ones and ``EOF`` included. Kinds are
compared by name: fastlex's ``Kind`` is named after prism's token types.

The oracle is the ``prism-tokens`` program (prism built as a static binary with a small driver):
``prism-tokens - < LIST`` prints, per file, ``# PATH ERRORS`` and then ``TYPE START END`` lines;
``prism-tokens --time N FILE`` times prism's own lexing. It is found at ``--prism PATH``, else
``$FASTLEX_PRISM``, else ``../shared/prism/prism-tokens`` beside the repository when present.
"""
from __future__ import annotations

import collections
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from typing import Dict, Iterable, List, Optional, Tuple

import fastlex
from fastlex.kinds import Kind

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_PRISM = os.path.join(os.path.dirname(ROOT), "shared", "prism", "prism-tokens")
INSTALL_HINT = ("the prism oracle was not found: give --prism PATH or set FASTLEX_PRISM to a prism-tokens "
                "binary (prism 1.9.0 with its token-printing driver)")
BATCH_FILES = 200          # files per prism-tokens run (one process per batch, not per file)

# prism's token type names by fastlex kind value. Python reserves dunder names in an Enum, so
# prism's ``__END__`` is spelled ``KEYWORD___END__`` in ``fastlex.Kind`` (the one exception).
PRISM_SPELLINGS = {"KEYWORD___END__": "__END__"}
_KIND_NAMES = {k.value: PRISM_SPELLINGS.get(k.name, k.name) for k in Kind}


def find_prism(explicit: Optional[str] = None) -> Optional[str]:
    """The prism-tokens binary to use, or None: explicit, then $FASTLEX_PRISM, then the shared one."""
    for candidate in (explicit, os.environ.get("FASTLEX_PRISM"), SHARED_PRISM):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


@dataclass
class PrismFile:
    """prism's view of one file: its syntax error count and its tokens, sorted stably by start."""

    path: str
    errors: int
    tokens: List[Tuple[str, int, int]]


def parse_output(text: str) -> List[PrismFile]:
    """The files of one prism-tokens output (``# PATH ERRORS`` headers, ``TYPE START END`` lines)."""
    files: List[PrismFile] = []
    current = None
    for line in text.splitlines():
        if line.startswith("# "):
            path, _, errors = line[2:].rpartition(" ")
            current = PrismFile(path, int(errors), [])
            files.append(current)
        elif line:
            if current is None:
                raise ValueError(f"prism-tokens output: a token before any file header: {line!r}")
            kind, start, end = line.split(" ")
            current.tokens.append((kind, int(start), int(end)))
    for f in files:
        f.tokens.sort(key=lambda t: t[1])          # stable: prism's order among equal starts
    return files


def run_prism(binary: str, paths: List[str]) -> Dict[str, PrismFile]:
    """prism's tokens for each path, by path (one prism-tokens process per batch of files)."""
    out: Dict[str, PrismFile] = {}
    for i in range(0, len(paths), BATCH_FILES):
        batch = paths[i:i + BATCH_FILES]
        res = subprocess.run([binary, "-"], input="\n".join(batch) + "\n", capture_output=True,
                             text=True, errors="surrogateescape", check=False)
        if res.returncode != 0 and not res.stdout:
            raise RuntimeError(f"prism-tokens failed (exit {res.returncode}): {res.stderr.strip()}")
        for f in parse_output(res.stdout):
            out[f.path] = f
    return out


def fastlex_tokens(src: bytes) -> List[Tuple[str, int, int]]:
    """fastlex's (kind name, start, end) list of src, in fastlex's order."""
    t = fastlex.tokenize(src)
    names = _KIND_NAMES
    return [(names[k], s, e) for k, s, e in zip(t.kinds, t.starts, t.ends)]


@dataclass
class PrismDifference:
    """The first place where fastlex and prism disagree in one file."""

    path: str
    index: int
    offset: int
    line: int
    column: int
    fastlex: Optional[str]
    prism: Optional[str]
    source_line: str


@dataclass
class PrismResult:
    """One file: 'equal', 'different' or 'prism_error' (prism reports syntax errors: skipped)."""

    path: str
    status: str
    prism_errors: int = 0
    tokens: int = 0                # prism's tokens
    agreeing: int = 0              # prism's (kind, start, end) also in fastlex's list (as a multiset)
    difference: Optional[PrismDifference] = None


def _describe(src: bytes, tok: Optional[Tuple[str, int, int]]) -> Optional[str]:
    if tok is None:
        return None
    kind, start, end = tok
    return f"{kind} {start}..{end} {src[start:end].decode('utf-8', 'replace')!r}"


def compare_with_prism(src: bytes, prism: PrismFile) -> PrismResult:
    """Compare fastlex's tokens of src with prism's (already sorted stably by start)."""
    if prism.errors:
        return PrismResult(prism.path, "prism_error", prism.errors, len(prism.tokens))
    ours = fastlex_tokens(src)
    theirs = prism.tokens
    both = collections.Counter(ours) & collections.Counter(theirs)
    agreeing = sum(both.values())
    if ours == theirs:
        return PrismResult(prism.path, "equal", 0, len(theirs), agreeing)
    i = 0
    while i < len(ours) and i < len(theirs) and ours[i] == theirs[i]:
        i += 1
    a = ours[i] if i < len(ours) else None
    b = theirs[i] if i < len(theirs) else None
    offset = min(t[1] for t in (a, b) if t is not None)
    line = src.count(b"\n", 0, offset) + 1
    ls = src.rfind(b"\n", 0, offset) + 1
    le = src.find(b"\n", offset)
    diff = PrismDifference(
        path=prism.path, index=i, offset=offset, line=line, column=offset - ls,
        fastlex=_describe(src, a), prism=_describe(src, b),
        source_line=src[ls:le if le >= 0 else len(src)].decode("utf-8", "replace"))
    return PrismResult(prism.path, "different", 0, len(theirs), agreeing, diff)


@dataclass
class PrismSummary:
    """Counts over many files, the share of prism's tokens fastlex agrees with, and the first
    difference of each file that differs."""

    files_checked: int = 0
    skipped_prism_errors: int = 0
    equal: int = 0
    different: int = 0
    prism_tokens: int = 0           # over the prism-clean files
    agreeing_tokens: int = 0
    differences: List[dict] = field(default_factory=list)
    skipped: List[dict] = field(default_factory=list)     # {path, prism_errors}
    unreadable: List[str] = field(default_factory=list)
    kinds: Dict[str, int] = field(default_factory=dict)   # first-difference count by 'fastlex -> prism' kinds

    def add(self, result: PrismResult) -> None:
        """Count one file's result."""
        self.files_checked += 1
        if result.status == "prism_error":
            self.skipped_prism_errors += 1
            self.skipped.append({"path": result.path, "prism_errors": result.prism_errors})
            return
        self.prism_tokens += result.tokens
        self.agreeing_tokens += result.agreeing
        if result.status == "equal":
            self.equal += 1
        else:
            self.different += 1
            d = result.difference
            assert d is not None
            self.differences.append(asdict(d))
            key = f"{(d.fastlex or 'nothing').split(' ')[0]} -> {(d.prism or 'nothing').split(' ')[0]}"
            self.kinds[key] = self.kinds.get(key, 0) + 1


def check_paths_with_prism(paths: Iterable[str], binary: str, progress: bool = False) -> PrismSummary:
    """Compare every Ruby file under paths with prism; a PrismSummary."""
    from fastlex.check import ruby_files

    files = ruby_files(paths)
    summary = PrismSummary()
    readable = []
    sources = {}
    for path in files:
        try:
            with open(path, "rb") as f:
                sources[path] = f.read()
            readable.append(path)
        except OSError:
            summary.unreadable.append(path)
    bar = None
    if progress:
        try:
            from tqdm import tqdm
            bar = tqdm(total=len(readable), unit="file", file=sys.stderr, leave=False)
        except ImportError:
            pass
    for i in range(0, len(readable), BATCH_FILES):
        batch = readable[i:i + BATCH_FILES]
        prism = run_prism(binary, batch)
        for path in batch:
            if path not in prism:
                summary.unreadable.append(path)
                continue
            summary.add(compare_with_prism(sources.pop(path), prism[path]))
        if bar is not None:
            bar.update(len(batch))
    if bar is not None:
        bar.close()
    return summary


def print_summary(summary: PrismSummary, out, limit: int = 50) -> None:
    """The text report: counts, the token share, the commonest first differences, then each file's."""
    clean = summary.files_checked - summary.skipped_prism_errors
    print(f"files checked:                 {summary.files_checked}", file=out)
    print(f"skipped (prism errors):        {summary.skipped_prism_errors}", file=out)
    print(f"equal:                         {summary.equal}", file=out)
    print(f"different:                     {summary.different}", file=out)
    if clean:
        print(f"equal share of clean files:    {100.0 * summary.equal / clean:.2f}%", file=out)
    if summary.prism_tokens:
        print(f"prism tokens fastlex agrees:   {summary.agreeing_tokens} of {summary.prism_tokens} "
              f"({100.0 * summary.agreeing_tokens / summary.prism_tokens:.2f}%)", file=out)
    if summary.kinds:
        print("\ncommonest first differences (fastlex -> prism):", file=out)
        for key, n in sorted(summary.kinds.items(), key=lambda kv: -kv[1])[:20]:
            print(f"  {n:6}  {key}", file=out)
    for s in summary.skipped:
        print(f"\n{s['path']}: skipped, prism reports {s['prism_errors']} error(s)", file=out)
    for d in summary.differences[:limit]:
        print(f"\n{d['path']}:{d['line']}:{d['column']}: first difference (token {d['index']})", file=out)
        print(f"  fastlex: {d['fastlex']}", file=out)
        print(f"  prism:   {d['prism']}", file=out)
        print(f"  | {d['source_line']}", file=out)
    if len(summary.differences) > limit:
        print(f"\n... and {len(summary.differences) - limit} more files (--json lists them all)", file=out)


_TIME_LINE = re.compile(r"best of (\d+): ([0-9.eE+-]+) s")


def prism_time(binary: str, data: bytes, repeat: int = 20) -> Optional[float]:
    """prism's own best time (seconds) to lex data, by ``prism-tokens --time``; None if it fails."""
    with tempfile.NamedTemporaryFile(suffix=".rb", delete=False) as f:
        f.write(data)
        path = f.name
    try:
        res = subprocess.run([binary, "--time", str(repeat), path], capture_output=True, text=True, check=False)
    except OSError:
        return None
    finally:
        os.unlink(path)
    m = _TIME_LINE.search(res.stdout)
    return float(m.group(2)) if res.returncode == 0 and m else None
