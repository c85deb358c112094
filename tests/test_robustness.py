"""Robustness of the C core: inputs found by fuzzing (regressions, as literals), and
every construct cut short at every position or entered in the middle.

The sweeps run in a child process (lexcheck.Child), so an out-of-bounds read
that crashes the core fails the test with the input instead of killing pytest.
"""
import pytest

import fastlex
from fastlex import Kind
from lexcheck import Child, check_bytes, check_token_objects, check_tokens

# Complete constructs, each cut at every byte and entered at every byte by the sweeps:
# lookahead past the last byte and states left open at the end of the input.
CONSTRUCTS = [
    b'x = "a#{b "c#{d}" }e\\n\\u{1F600}\\x41\\101\\M-\\C-x"\n',
    b"y = 'it''s \\' \\\\'\n",
    b"r = /a#{b}c\\/[d]+/imx\n",
    b"%w[a b #{c}] + %W(a#{b} c\\n) + %i<x y> + %I{x#{y}}\n",
    b"%q(a (nested) b) + %Q[x #{y}] + %r{a/b}i + %x`ls` + %s(sym) + % x \n",
    b"c = ?a + ?\\n + ?\\C-a + ?\\M-\\C-x + ?\\u{41} + ?\\u0041 + ?\xc3\xa9\n",
    b':sym + :"dsym#{x}" + :\'q\' + :@iv + :@@cv + :$g + :[]= + :<=> + :-@ + :a? + :b= \n',
    b"$1 + $& + $-w + $~ + @a + @@b + $stdout\n",
    b"0x1F + 0b101 + 0o17 + 0d9 + 1_000 + 1.5e-3 + 2r + 3i + 4ri + 1.5r\n",
    b"f(<<A, <<~'B', <<-\"C\")\n  text #{x}\nA\n  raw #{y}\n  B\n  c\n  C\n",
    b"s = <<~EOS\n  a\n    #{b <<X}\n  X\n  c\nEOS\n",
    b"=begin\ndoc\n=end\nx = 1\n",
    b"def m(a, b = 1, *c, d:, **e, &f) = a + b\n",
    b"def self.x!; end; def []=(k, v); end; def -@; end\n",
    b"class << self\n  alias new_name old_name\nend\n",
    b"l = ->(x) { x * 2 }; [1].each do |v| puts v end\n",
    b"a ? b : c; x ?y :z\n",
    b"foo /x/ ; x = 1; x /2/ 1\n",
    b"obj\n  .meth\n  # comment\n  &.other\n",
    b"puts 1 \\\n  + 2\n",
    b"x = 1\r\ny = 2\r\n",
    b"\xef\xbb\xbf# coding: utf-8\nname = '\xc3\xa9t\xc3\xa9'\n",
    b"{a: 1, 'b': 2, \"c#{d}\": 3, e => 4}\n",
    b"x = 1\n__END__\ndata \xff\n",
]

# Inputs that once broke an invariant (found by fuzz/fuzz_lexer.py), as literals.
STR_REGRESSIONS = [
    # A str with a lone surrogate (how surrogateescape decodes invalid UTF-8) reaches the core as
    # an encoded surrogate ED B3 83; the scanner split it into 1-byte INVALID tokens, and
    # Token.string then raised UnicodeDecodeError. Fixed: an encoded surrogate is one character.
    "\udcc3",
    "a\udcc3b",
    '"\\\udcc3"',
    "$-\udcc3",
    "?\udcc3",
    ":\udcc3",
    "\udcc3\udcc4 = 1",
    "%w(\udcc3 \ud800)",
    "# \udfff\n",
]


@pytest.fixture(scope="module")
def child():
    c = Child()
    yield c
    c.close()


@pytest.mark.parametrize("src", STR_REGRESSIONS)
def test_lone_surrogates_in_str(src):
    """A str with lone surrogates lexes, and every token's text is a slice of that str."""
    data = src.encode("utf-8", "surrogatepass")
    tokens = fastlex.tokenize(src)
    check_tokens(tokens, data)
    check_token_objects(tokens, data)
    for t in tokens:       # one-line sources: columns count code points of src
        assert t.string == src[t.start[1]:t.end[1]], t
    assert any("UTF-8" in e.message for e in tokens.errors)


@pytest.mark.parametrize("src", [
    b"a \xff b", b"x\xffy", b'"a\xffb"', b"'\xff'", b'"\\\xff"', b"'\\\xff'", b"$-\xff", b"?\xff", b"?\\\xff",
    b":\xff", b"# \xff", b"=begin\n\xff\n=end", b"<<A\n\xff\nA", b"%w(\xff)", b"/\xff/", b"@\xff", b"\xc3",
])
def test_invalid_utf8_always_reported(src):
    """Invalid UTF-8 in every context (code, names, literals, escapes, comments) gets an errors entry.
    (Regression: right after a backslash and in $-x it went unreported.)"""
    tokens = check_bytes(src)
    assert "invalid UTF-8 byte sequence" in [e.message for e in tokens.errors]


def test_encoded_surrogate_in_bytes_is_one_invalid_token():
    """ED A0 80 (a UTF-16 surrogate encoded as UTF-8: invalid) is one INVALID token and one error."""
    tokens = fastlex.tokenize(b"\xed\xa0\x80 x")
    assert [(t.type, t.start_offset, t.end_offset) for t in tokens][:2] == [
        (Kind.INVALID, 0, 3), (Kind.IDENTIFIER, 4, 5)]
    assert [e.message for e in tokens.errors].count("invalid UTF-8 byte sequence") == 1


@pytest.mark.parametrize("construct", CONSTRUCTS, ids=range(len(CONSTRUCTS)))
def test_every_prefix_and_suffix(child, construct):
    """The construct cut at every byte, and started at every byte, keeps every invariant (in a child)."""
    for k in range(len(construct) + 1):
        for data in (construct[:k], construct[k:]):
            problem = child.check(data)
            assert problem is None, f"input {data!r}:\n{problem}"


@pytest.mark.parametrize("construct", CONSTRUCTS[:8], ids=range(8))
def test_prefixes_without_final_newline_inside_code(construct):
    """Cut constructs followed by a code tail: the scanner recovers and reaches the tail's end."""
    for k in range(len(construct)):
        data = construct[:k] + b"\nx = 1\n"
        check_bytes(data, objects=False)


def test_open_states_at_end_report_errors():
    """Each literal left open at the end of the input gives an errors entry at its opening."""
    for src, offset in [(b'x = "abc', 4), (b"x = /abc", 4), (b"%w(a b", 0), (b'"#{x', 1),
                        (b"<<A\nbody\n", 0), (b"=begin\nx\n", 0), (b":'sym", 0), (b"`ls", 0),
                        (b"<<A + <<B\nx\nA\n", 6)]:
        tokens = check_bytes(src)
        assert offset in [e.offset for e in tokens.errors], (src, tokens.errors)


def test_view_of_freed_region_is_refused():
    """Regression (segfault): a zero-copy column view of an earlier result, then a call whose
    memory_limit makes the Lexer free its region. The call now raises BufferError while the view
    lives, and succeeds once it is released. Run in a child: the old behaviour crashed."""
    import subprocess
    import sys
    code = (
        "import fastlex\n"
        "lx = fastlex.Lexer()\n"
        "t = lx.tokenize(b'xxxxxxxxx ' * 1000000)\n"
        "m = memoryview(t.starts)\n"
        "try:\n"
        "    lx.tokenize(b'y', memory_limit=20000)\n"
        "except BufferError as e:\n"
        "    print('refused', 'release them first' in str(e))\n"
        "print(m[5], m[-1])\n"
        "m.release()\n"
        "print(len(lx.tokenize(b'y', memory_limit=20000)), lx.bytes_reserved <= 20000)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["refused", "True", "50", "10000000", "2", "True"]
