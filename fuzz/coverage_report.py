"""Print the line and branch coverage of fastlex's two scanners from a gcov build (fuzz/coverage.sh):

    python fuzz/coverage_report.py BUILD_TREE [TITLE]

Runs gcov (JSON output) on every .gcda under BUILD_TREE. The C is Cython's, with #line
directives, so gcov attributes each C line to the .pyx/.pxi line it came from. A source line
counts if some C code maps to it (Cython's own error-handling code included: a line whose only
code is a never-taken "goto error" path shows up as a branch not taken, not as an unreached
line); a line is reached if any of its code ran; a branch is one arm of a conditional jump
(exception edges left out). Units compiled into more than one extension are merged (a line is
reached if it ran in either). Functions: the Cython cdef functions of the scanner (their C
names carry the .pyx/.pxi function name), never called at all.
"""
import collections
import gzip
import json
import os
import re
import subprocess
import sys

SCANNERS = {
    "Ruby scanner (fastlex/_scanner.pxi)": "fastlex/_scanner.pxi",
    "Python scanner (fastlex/python/_scanner.pyx)": "fastlex/python/_scanner.pyx",
}


def gcov_json(gcda):
    """gcov's JSON report of one object file (a dict), or None if gcov fails."""
    folder = os.path.dirname(gcda)
    res = subprocess.run(["gcov", "--json-format", "--branch-probabilities", "--stdout", os.path.basename(gcda)],
                         cwd=folder, capture_output=True)
    if res.returncode != 0 or not res.stdout:
        return None
    data = res.stdout
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    docs = []
    for chunk in data.decode("utf-8", "replace").splitlines():
        if chunk.strip():
            docs.append(json.loads(chunk))
    return docs


def normalise(path, tree):
    """A source path as gcov names it, relative to the build tree."""
    path = os.path.normpath(path)
    if os.path.isabs(path):
        try:
            path = os.path.relpath(path, tree)
        except ValueError:
            pass
    return path.replace(os.sep, "/")


DEF = re.compile(r"^\s*(?:cdef|cpdef|def)\s+(?:[\w.\[\]]+\**\s+)*\**(\w+)\s*\(")


SOURCES = {}


def source_lines(tree, path):
    """The lines of a scanner source in the build tree (cached)."""
    if path not in SOURCES:
        with open(os.path.join(tree, path), encoding="utf-8") as f:
            SOURCES[path] = f.read().splitlines()
    return SOURCES[path]


def source_name(tree, path, line):
    """The name of the def/cdef function starting on that line of its .pyx/.pxi, or None when the
    line starts none (C code Cython generates, such as a type's slots, which it may attribute to
    the file's last lines or past its end)."""
    text = source_lines(tree, path)
    m = DEF.match(text[line - 1]) if 0 < line <= len(text) else None
    return m.group(1) if m else None


def collect(tree):
    """{source path: {line: [count, {branch index: taken}]}}, {source path: {function: calls}}."""
    lines = collections.defaultdict(dict)
    funcs = collections.defaultdict(lambda: collections.defaultdict(int))
    for d, _dirs, names in os.walk(tree):
        for name in names:
            if not name.endswith(".gcda"):
                continue
            for doc in gcov_json(os.path.join(d, name)) or []:
                for f in doc.get("files", []):
                    path = normalise(f["file"], tree)
                    if path not in SCANNERS.values():
                        continue
                    last = len(source_lines(tree, path))
                    for ln in f.get("lines", []):
                        if ln["line_number"] > last:
                            continue      # Cython's module-level C past the file's end
                        entry = lines[path].setdefault(ln["line_number"], [0, {}])
                        entry[0] += ln["count"]
                        # Branches of a line, numbered per C function and position (merged by
                        # that key across the units that include the file).
                        for i, br in enumerate(ln.get("branches", [])):
                            if br.get("throw"):
                                continue
                            key = (ln.get("function_name", ""), i)
                            entry[1][key] = entry[1].get(key, False) or br["count"] > 0
                    for fn in f.get("functions", []):
                        name = source_name(tree, path, fn["start_line"])
                        if name is not None:
                            funcs[path][(name, fn["start_line"])] += fn["execution_count"]
    return lines, funcs


def main():
    tree = os.path.abspath(sys.argv[1])
    title = sys.argv[2] if len(sys.argv) > 2 else "coverage"
    lines, funcs = collect(tree)
    print(f"== {title} ==")
    for label, path in SCANNERS.items():
        ls = lines.get(path)
        if not ls:
            print(f"{label}: no data (was the coverage build run?)")
            continue
        reached = sum(1 for c, _ in ls.values() if c > 0)
        branches = [t for _, brs in ls.values() for t in brs.values()]
        taken = sum(branches)
        fs = funcs.get(path, {})
        never = sorted(f"{name} (line {line})" for (name, line), calls in fs.items() if calls == 0)
        print(f"{label}: lines {reached}/{len(ls)} = {100 * reached / len(ls):.1f}%, "
              f"branches {taken}/{len(branches)} = {100 * taken / max(1, len(branches)):.1f}%, "
              f"functions {len(fs) - len(never)}/{len(fs)} called")
        if never:
            print("  never called: " + ", ".join(never))
        if path == "fastlex/python/_scanner.pyx":
            # The file holds three parts, split by its "# ----" rules: the scanner itself, the
            # tokenize front end (records to TokenInfo) and the glue to the core.
            text = source_lines(tree, path)
            rules = [i + 1 for i, t in enumerate(text) if t.startswith("# ----")]
            bounds = [1] + rules + [len(text) + 1]
            names = ["scanner", "front end", "core glue"] + [f"part {i}" for i in range(4, len(bounds))]
            for name, lo, hi in zip(names, bounds, bounds[1:]):
                part = {n: v for n, v in ls.items() if lo <= n < hi}
                if part:
                    r = sum(1 for c, _ in part.values() if c > 0)
                    b = [t for _, brs in part.values() for t in brs.values()]
                    print(f"  {name} (lines {lo}-{hi - 1}): lines {r}/{len(part)} = {100 * r / len(part):.1f}%, "
                          f"branches {sum(b)}/{len(b)} = {100 * sum(b) / max(1, len(b)):.1f}%")
        missed = sorted(n for n, (c, _) in ls.items() if c == 0)
        if missed and os.environ.get("FASTLEX_COVERAGE_LINES"):
            print("  lines never reached: " + compress(missed))


def compress(numbers):
    """1,2,3,7,9,10 -> 1-3, 7, 9-10"""
    out, start, prev = [], None, None
    for n in numbers + [None]:
        if start is None:
            start = prev = n
        elif n is not None and n == prev + 1:
            prev = n
        else:
            out.append(str(start) if start == prev else f"{start}-{prev}")
            start = prev = n
    return ", ".join(out)


if __name__ == "__main__":
    main()
