"""Write the libFuzzer dictionaries fuzz/ruby.dict and fuzz/python.dict: each grammar's keywords
and operators (from grammars/*/keywords.tsv and operators.tsv; Python's keywords from the
keyword module, since its grammar has no keyword table: tokenize reports them as NAME) plus the
delimiters that open and close its literals, which the tables do not list.

    python fuzz/make_dicts.py        (rewrites both files; they are committed)
"""
import keyword
import os

HERE = os.path.dirname(os.path.abspath(__file__))
GRAMMARS = os.path.join(HERE, "..", "grammars")

RUBY_DELIMITERS = [
    '"', "'", "`", "/", "%", "%w(", "%W[", "%i{", "%I<", "%q(", "%Q|", "%r{", "%x(", "%s[", "%(", "%{",
    "?a", "?\\", ":\"", ":'", "#{", "#@", "#@@", "#$", "<<", "<<~", "<<-", "<<A\n", "<<~'A'\n", '<<"A"\n',
    "\nA\n", "=begin\n", "\n=end\n", "__END__\n", "# coding: utf-8\n", "# frozen_string_literal: true\n",
    "\\\n", "\\u{", "\\u", "\\x", "\\M-", "\\C-", "\\c", "0x", "0b", "0o", "0d", "1e", "1r", "1i", "_1",
    "@", "@@", "$", "$-", "$1", "&.", "->", "=>", "|", "\r\n", "\t", "\x00", "\xef\xbb\xbf", "\xff",
]
PYTHON_DELIMITERS = [
    '"', "'", '"""', "'''", "f'", 'f"', "rb'", 'Rb"', "br'", "u'", "fr'", 'rf"""', "b'", "t'", "{", "}",
    "{{", "}}", "!r", "!s", ":>", "=}", "#", "\\\n", "\\\r\n", "\r\n", "\r", "\n    ", "\n\t", "\x0c",
    "0x", "0o", "0b", "1_0", "1e", "1j", "1.", ".5", "...", "\\N{", "\\x", "\\u", "\\", "\x00",
    "\xef\xbb\xbf", "# -*- coding: latin-1 -*-\n", "\xff", "\xc3\xa9", "$", "?", "`",
]


def tsv_first_column(path):
    """The first field of every row of a grammar table."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                out.append(line.rstrip("\n").split("\t")[0])
    return out


def quote(entry):
    """An entry in libFuzzer's dictionary syntax: a quoted string, \\xNN for what is not printable."""
    out = []
    for b in entry.encode("utf-8"):
        c = chr(b)
        out.append(f"\\x{b:02x}" if b < 0x20 or b >= 0x7f or c in '"\\' else c)
    return '"' + "".join(out) + '"'


def write(path, groups):
    seen = set()
    with open(path, "w", encoding="ascii") as f:
        f.write("# libFuzzer dictionary, written by fuzz/make_dicts.py: do not edit.\n")
        for title, entries in groups:
            f.write(f"# {title}\n")
            for entry in entries:
                if entry and entry not in seen:
                    seen.add(entry)
                    f.write(quote(entry) + "\n")
    return len(seen)


def main():
    ruby = [("keywords (grammars/ruby/keywords.tsv)", tsv_first_column(os.path.join(GRAMMARS, "ruby", "keywords.tsv"))),
            ("operators (grammars/ruby/operators.tsv)", tsv_first_column(os.path.join(GRAMMARS, "ruby", "operators.tsv"))),
            ("literal delimiters", RUBY_DELIMITERS)]
    python = [("keywords and soft keywords (keyword module)", keyword.kwlist + keyword.softkwlist),
              ("operators (grammars/python/operators.tsv)",
               tsv_first_column(os.path.join(GRAMMARS, "python", "operators.tsv"))),
              ("literal delimiters", PYTHON_DELIMITERS)]
    for name, groups in (("ruby.dict", ruby), ("python.dict", python)):
        n = write(os.path.join(HERE, name), groups)
        print(f"{n} entries in fuzz/{name}")


if __name__ == "__main__":
    main()
