"""What every grammar's generator shares (grammars/generate.py for Ruby,
grammars/<language>/generate.py for the others): reading the grammar's data files and writing
the generated tables only when they change, and the rules of a tree_sitter.tsv."""
import os


def read_tsv(folder, name):
    """(line number, fields) for each row of folder/name: tab-separated fields, '#' lines and
    blank lines skipped."""
    rows = []
    with open(os.path.join(folder, name), encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            rows.append((lineno, line.split("\t")))
    return rows


def write_if_changed(path, text):
    """Write text to path unless it already holds exactly that (keeps build timestamps stable);
    True if it wrote."""
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return False
    except OSError:
        pass
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return True


def leaf_kinds(f):
    """The kinds a leaf row maps its leaf to ("-": none)."""
    return [] if f[3] == "-" else f[3].split()


# The rules every grammar's tree_sitter.tsv may hold: rule -> (fields in the row, the kind names
# the row mentions, the tuple the generated map keeps).
TREE_SITTER_RULES = {
    "leaf": (5, leaf_kinds, lambda f: (f[1], f[2], leaf_kinds(f), f[4])),
    "join": (4, lambda f: [f[1]], lambda f: (f[1], f[2], f[3])),
    "unmatched": (3, lambda f: [f[1]], lambda f: (f[1], f[2])),
    "quirk": (3, lambda f: [], lambda f: (f[1], f[2])),
}


def read_tree_sitter_map(folder, known, extra_rules=None):
    """The rows of folder/tree_sitter.tsv by rule (TREE_SITTER_RULES plus a grammar's own
    extra_rules, in the same form), each row checked: a known rule with its number of fields,
    a reason in its last field, only kinds in known."""
    rules = dict(TREE_SITTER_RULES, **(extra_rules or {}))
    rows = {rule: [] for rule in rules}
    where = os.path.join(os.path.basename(folder), "tree_sitter.tsv")
    for lineno, f in read_tsv(folder, "tree_sitter.tsv"):
        spec = rules.get(f[0])
        if spec is None or len(f) != spec[0]:
            raise SystemExit(f"grammars/{where}:{lineno}: malformed row {f!r}")
        if not f[-1].strip():
            raise SystemExit(f"grammars/{where}:{lineno}: no reason")
        for k in spec[1](f):
            if k not in known:
                raise SystemExit(f"grammars/{where}:{lineno}: unknown kind {k}")
        rows[f[0]].append(spec[2](f))
    return rows
