"""What every grammar's generator shares (grammars/generate.py for Ruby,
grammars/<language>/generate.py for the others): reading the grammar's data files and writing
the generated tables only when they change."""
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
