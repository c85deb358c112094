"""Build a fuzzing seed directory of one grammar: its standard library's files (cut to a size
libFuzzer handles quickly), the string literals of the tests (the regressions of earlier
fuzzing and differential findings) and, for Ruby, small hand-written hostile inputs.

    python fuzz/seeds.py [--grammar=ruby|python] [OUT_DIR]   (default: fuzz/seeds, or fuzz/seeds-python)

Ruby's corpus is /usr/lib/ruby/3.1.0; Python's the running interpreter's standard library.
"""
import ast
import hashlib
import os
import sys
import tokenize

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


TESTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests")
# The test files whose literals are inputs of each grammar (regressions of fuzzing and of the
# differential campaigns against prism and tokenize).
TEST_FILES = {
    "ruby": ["test_robustness.py", "test_hostile.py", "test_bad_input.py", "test_constructs.py",
             "test_prism_shapes.py", "test_tree_sitter_quirks.py", "test_positions.py"],
    "python": [os.path.join("python", n) for n in ("test_py_core.py", "test_py_edges.py", "test_py_fuzz.py",
                                                   "test_py_readline.py", "test_py_fast_paths.py",
                                                   "test_py_dropin.py")],
}


def test_literals(grammar):
    """Every str and bytes constant of at least two characters in the grammar's test files
    (str encoded as UTF-8, lone surrogates kept as their 3-byte encodings)."""
    out = []
    for name in TEST_FILES[grammar]:
        path = os.path.join(TESTS, name)
        if not os.path.exists(path):
            continue
        with open(path, "rb") as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)) and len(node.value) >= 2:
                value = node.value
                out.append(value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass"))
    return out


def python_files():
    """The running interpreter's standard library .py files (site-packages left out), sorted."""
    root = os.path.dirname(tokenize.__file__)
    files = []
    for d, dirs, names in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x not in ("site-packages", "__pycache__"))
        files.extend(os.path.join(d, n) for n in sorted(names) if n.endswith(".py"))
    return files


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


def write_seeds(out_dir, grammar="ruby"):
    """Write every seed as a file named by its hash; the number written."""
    os.makedirs(out_dir, exist_ok=True)
    seeds = (list(HOSTILE) if grammar == "ruby" else []) + test_literals(grammar)
    for path in (ruby_files() if grammar == "ruby" else python_files()):
        with open(path, "rb") as f:
            seeds.append(cut(f.read()))
    seeds = list(dict.fromkeys(seeds))
    for data in seeds:
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)
    return len(seeds)


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    args = sys.argv[1:]
    grammar = "ruby"
    for arg in list(args):
        if arg.startswith("--grammar="):
            grammar = arg.split("=", 1)[1]
            args.remove(arg)
    if grammar not in ("ruby", "python"):
        sys.exit(f"unknown grammar {grammar!r}: ruby or python")
    out = args[0] if args else os.path.join(here, "seeds" if grammar == "ruby" else "seeds-python")
    print(f"{write_seeds(out, grammar)} seeds in {out}")
