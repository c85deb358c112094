"""Build the fuzzing seed directory: Ruby's standard library files (cut to a size
libFuzzer handles quickly) plus small hand-written hostile inputs.

    python fuzz/seeds.py [OUT_DIR]        (default: fuzz/seeds, git-ignored)
"""
import hashlib
import os
import sys

CORPUS = "/usr/lib/ruby/3.1.0"
MAX_SEED_BYTES = 4096     # libFuzzer's default -max_len; longer seeds are cut at a line end

# Small inputs aimed at the scanner's edges: constructs cut short, states left
# open at the end, nesting, heredocs, invalid bytes, lone CR, BOM, NUL.
HOSTILE = [
    b"", b"\n", b"\r", b"\r\n", b"\\", b"\\\n", b"\\\r\n", b"\x00", b"\xef\xbb\xbf", b"\xef\xbb",
    b"a\xef\xbb\xbfb", b"\xff\xfe", b"\xc3", b"\xe2\x82", b"\xf0\x9f\x98", b"x = \"\xed\xa0\x80\"",
    b'"', b"'", b"`", b"/", b"%", b"%w", b"%w(", b"%q[", b"%Q{", b"%r<", b"%x|", b"%s(", b"%i[a",
    b"%I[#{", b"%W(a #{b", b'"#{', b'"#{"#{"#{', b'"#@', b'"#@@', b'"#$', b'"\\', b'"\\u', b'"\\u{',
    b'"\\u{12', b'"\\x', b'"\\x4', b'"\\0', b'"\\M-', b'"\\C-', b"?", b"?\\", b"?\\C-", b"?\\M-\\C-",
    b"?\\u{", b"?\xc3", b"?\xff", b":", b":\"", b":'", b":@", b":@@", b":$", b":[", b":[]", b"$",
    b"$-", b"@", b"@@", b"<<", b"<<A", b"<<~A", b"<<-'A'", b'<<"A', b"<<A\n", b"<<A\nx", b"<<A\nA",
    b"<<A <<B\na\nA\nb\n", b"<<A + \"#{<<B}\"\na\nA\nb\nB\n", b"<<A\n#{\n", b"<<~A\n  #{x}\n  A\n",
    b"=begin", b"=begin\n", b"=begin\nx\n=en", b"__END__", b"__END__\n\xff", b"0x", b"0b", b"1e", b"1e+",
    b"1.", b"1r", b"1ri", b"1i", b"def", b"def f(", b"def f = ", b"def self.", b"class <<", b"->",
    b"-> {", b"foo do |", b"a ? b :", b"a ?b :c", b"x /2", b"foo /x", b"alias", b"alias a",
    b"begin begin begin ) ) )", b"((((((((", b"))))))))", b"}}}}", b"[[[[", b"{{{{", b"\x00\x00\x00",
    b"a\rb", b"# coding: utf-8\n", b"# frozen_string_literal: true", b"#", b"x\n  .y", b"x\n  &.y",
    b"x\n# c\n.y", b"\\\n\\\n", b"puts <<A, <<B\n", b"f(<<A)\n",
]


def ruby_files(root=CORPUS):
    """The corpus's .rb files, sorted."""
    out = []
    for dirpath, _, names in os.walk(root):
        out.extend(os.path.join(dirpath, n) for n in names if n.endswith(".rb"))
    return sorted(out)


def cut(data, limit=MAX_SEED_BYTES):
    """data, or its first lines up to limit bytes."""
    if len(data) <= limit:
        return data
    end = data.rfind(b"\n", 0, limit)
    return data[:end + 1] if end > 0 else data[:limit]


def write_seeds(out_dir):
    """Write every seed as a file named by its hash; the number written."""
    os.makedirs(out_dir, exist_ok=True)
    seeds = list(HOSTILE)
    for path in ruby_files():
        with open(path, "rb") as f:
            seeds.append(cut(f.read()))
    for data in seeds:
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)
    return len(seeds)


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "seeds")
    print(f"{write_seeds(out)} seeds in {out}")
