"""How often fastlex's Pygments plugin and Pygments' own RubyLexer give a character the same kind of token.

Usage: python bench/pygments_agreement.py [--limit N] [--confusion] [DIR_OR_FILE ...]
(default: every .rb file under /usr/lib/ruby/3.1.0).

Both lexers run ``get_tokens_unprocessed`` on the same text (the file decoded as
UTF-8, with Pygments' newline normalisation), and each character is labelled
with the *category* of the token covering it. Two categories are reported:

- ``top``: ``ttype.split()[1]``, the level under ``Token``: Keyword, Name,
  Literal, Operator, Punctuation, Comment, Text, Error, ...
- ``fine``: the same, except that literals are told apart one level deeper:
  Literal.String, Literal.Number (so a number read as a string disagrees).

Shares are over all characters, and over the characters that are not white
space (white space is Text for both lexers nearly always, which flatters the
first figure).
"""
import argparse
import collections
import os
import sys
import time

from pygments.lexers.ruby import RubyLexer as PygmentsRubyLexer
from pygments.token import Literal

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from fastlex.pygments import RubyLexer as FastRubyLexer  # noqa: E402

CORPUS = "/usr/lib/ruby/3.1.0"


def top_category(ttype):
    """The token type one level under Token (Token.Keyword.Pseudo -> 'Keyword')."""
    parts = ttype.split()
    return str(parts[1])[len("Token."):] if len(parts) > 1 else "Token"


def fine_category(ttype):
    """top_category, except Literal.String and Literal.Number stay apart."""
    parts = ttype.split()
    if len(parts) > 2 and parts[1] is Literal:
        return str(parts[2])[len("Token."):]
    return top_category(ttype)


def char_runs(triples, category):
    """(end index, category) runs of a token stream, adjacent runs of one category merged."""
    runs = []
    for index, ttype, value in triples:
        if not value:
            continue
        cat = category(ttype)
        if runs and runs[-1][1] == cat:
            runs[-1][0] = index + len(value)
        else:
            runs.append([index + len(value), cat])
    return runs


def compare(text, fast=None, pyg=None, category=fine_category, confusion=None):
    """(characters agreeing, non-space characters agreeing, characters, non-space characters) for text."""
    fast = fast or FastRubyLexer()
    pyg = pyg or PygmentsRubyLexer()
    a = char_runs(fast.get_tokens_unprocessed(text), category)
    b = char_runs(pyg.get_tokens_unprocessed(text), category)
    same = same_nonspace = nonspace = 0
    i = j = pos = 0
    while i < len(a) and j < len(b):
        end = min(a[i][0], b[j][0])
        n = end - pos
        ns = n - sum(1 for ch in text[pos:end] if ch.isspace()) if n else 0
        nonspace += ns
        if a[i][1] == b[j][1]:
            same += n
            same_nonspace += ns
        elif confusion is not None:
            confusion[(a[i][1], b[j][1])] += ns
        pos = end
        if a[i][0] == end:
            i += 1
        if b[j][0] == end:
            j += 1
    return same, same_nonspace, pos, nonspace


def ruby_files(paths):
    """The .rb files under the given files and directories, sorted."""
    out = []
    for p in paths:
        if os.path.isdir(p):
            for root, _, names in os.walk(p):
                out += [os.path.join(root, n) for n in names if n.endswith(".rb")]
        else:
            out.append(p)
    return sorted(out)


def read_text(path):
    """The file as Pygments would hand it to a lexer: UTF-8 (bad bytes replaced), newlines normalised."""
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", default=[CORPUS])
    ap.add_argument("--limit", type=int, default=0, help="only the first N files (every k-th file, spread out)")
    ap.add_argument("--confusion", action="store_true", help="print where the two disagree (non-space characters)")
    args = ap.parse_args(argv)
    files = ruby_files(args.paths)
    if args.limit and args.limit < len(files):
        step = len(files) / args.limit
        files = [files[int(i * step)] for i in range(args.limit)]
    fast, pyg = FastRubyLexer(), PygmentsRubyLexer()
    totals = {"top": [0, 0, 0, 0], "fine": [0, 0, 0, 0]}
    confusion = collections.Counter()
    t0 = time.perf_counter()
    for path in files:
        text = read_text(path)
        for name, cat in (("top", top_category), ("fine", fine_category)):
            r = compare(text, fast, pyg, cat, confusion if name == "fine" else None)
            totals[name] = [x + y for x, y in zip(totals[name], r)]
    elapsed = time.perf_counter() - t0
    print(f"{len(files)} files, {totals['top'][2]} characters ({totals['top'][3]} not white space), {elapsed:.1f} s")
    for name, (same, same_ns, chars, ns) in totals.items():
        print(f"{name:>4}: {same / chars:.4f} of all characters agree, {same_ns / ns:.4f} of non-space characters")
    if args.confusion:
        print("\nnon-space characters where they disagree: fastlex category -> Pygments category")
        for (fa, pa), n in confusion.most_common(25):
            print(f"  {n:>8}  {fa:>16} -> {pa}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
