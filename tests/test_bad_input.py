"""Bad input: wrong types, malformed bytes, unterminated constructs, pathological nesting, huge sources.

Malformed Ruby never raises: tokens go on to the end of the source and
``Tokens.errors`` marks where things went wrong. Wrong argument types raise
TypeError; a source past the reach of 32-bit offsets raises ValueError.
"""
import json
import subprocess
import sys
import textwrap

import pytest

import fastlex
from fastlex import Kind


def kinds_texts(tokens):
    """(Kind name, text) of every token except EOF."""
    return [(t.type.name, t.string) for t in tokens if t.type != Kind.EOF]


def check_reaches_end(src, tokens):
    """The tokens cover the source up to its end: the last real token ends there and EOF follows."""
    n = len(src.encode("utf-8", "surrogatepass") if isinstance(src, str) else src)
    ends = memoryview(tokens.ends).tolist()
    assert tokens[-1].type == Kind.EOF and ends[-1] == n
    assert len(ends) >= 2 and ends[-2] == n, kinds_texts(tokens)[-3:]


# --- argument types -------------------------------------------------------------

@pytest.mark.parametrize("value,type_name", [
    (1, "int"), (None, "NoneType"), (bytearray(b"x"), "bytearray"), (["x"], "list"),
    (memoryview(b"x"), "memoryview"), (1.5, "float")])
def test_wrong_type_names_the_type(value, type_name):
    """Anything but str or bytes is a TypeError naming the type, from tokenize and Lexer.tokenize."""
    with pytest.raises(TypeError, match=rf"\b{type_name}\b"):
        fastlex.tokenize(value)
    with pytest.raises(TypeError, match=rf"\b{type_name}\b"):
        fastlex.Lexer().tokenize(value)


def test_bytes_and_str_subclasses_are_accepted():
    """Subclasses of bytes and str are lexed like their base type."""
    class B(bytes):
        pass

    class S(str):
        pass

    assert kinds_texts(fastlex.tokenize(B(b"a + 1"))) == kinds_texts(fastlex.tokenize(b"a + 1"))
    assert kinds_texts(fastlex.tokenize(S("é + 1"))) == kinds_texts(fastlex.tokenize("é + 1"))


# --- malformed bytes --------------------------------------------------------------

def error_offsets(tokens, word):
    """Offsets of the errors whose message contains word."""
    return [e.offset for e in tokens.errors if word in e.message]


def test_invalid_utf8_between_tokens():
    """Invalid UTF-8 bytes in code: tokens go on after them, an error marks each bad byte."""
    toks = fastlex.tokenize(b"x = \xff\xfe y")
    assert kinds_texts(toks)[:2] == [("IDENTIFIER", "x"), ("EQUAL", "=")]
    assert kinds_texts(toks)[-1] == ("IDENTIFIER", "y")
    assert error_offsets(toks, "UTF-8") == [4, 5]
    err = [e for e in toks.errors if e.offset == 4][0]
    assert (err.line, err.column) == (1, 4)


@pytest.mark.parametrize("src,offset,kind", [
    (b'"a\xffb" + c', 2, "STRING_CONTENT"),
    (b"'a\xc3' + c", 2, "STRING_CONTENT"),
    (b"# a\xe2\x82 comment\nc", 3, "COMMENT"),
    (b"x\xff = c", 1, None),
    (b"x = :a\xffb; c", 6, None),
    (b"/a\xf0\x9f\x98/ + c", 2, "STRING_CONTENT"),
])
def test_invalid_utf8_inside_tokens(src, offset, kind):
    """Invalid UTF-8 inside strings, comments, names: an error at its offset, lexing goes on to c."""
    toks = fastlex.tokenize(src)
    assert offset in error_offsets(toks, "UTF-8"), toks.errors
    assert kinds_texts(toks)[-1] == ("IDENTIFIER", "c")
    if kind:
        assert kind in [t.type.name for t in toks if t.start_offset <= offset < t.end_offset]


def test_truncated_utf8_at_end():
    """A multi-byte character cut by the end of the source is an error at its first byte."""
    toks = fastlex.tokenize(b"x = '\xe2\x82")
    assert 5 in error_offsets(toks, "UTF-8")
    check_reaches_end(b"x = '\xe2\x82", toks)


def test_nul_bytes():
    """NUL outside a literal is an INVALID token with an error; inside a string it is content."""
    toks = fastlex.tokenize(b"x\x00y")
    assert kinds_texts(toks) == [("IDENTIFIER", "x"), ("INVALID", "\x00"), ("IDENTIFIER", "y")]
    assert error_offsets(toks, "NUL") == [1]
    toks = fastlex.tokenize(b'"a\x00b" + c')
    assert kinds_texts(toks)[:3] == [("STRING_BEGIN", '"'), ("STRING_CONTENT", "a\x00b"), ("STRING_END", '"')]
    assert toks.errors == []


def test_lone_carriage_return():
    """A \\r not followed by \\n is white space with an error at its offset."""
    toks = fastlex.tokenize(b"a\rb")
    assert kinds_texts(toks) == [("IDENTIFIER", "a"), ("IDENTIFIER", "b")]
    assert error_offsets(toks, "carriage return") == [1]
    assert fastlex.tokenize(b"a\r\nb").errors == []


@pytest.mark.parametrize("src", [b"\xef\xbb\xbfx = 1", "\ufeffx = 1"])
def test_bom_at_start_is_skipped(src):
    """A leading byte order mark makes no token and no error."""
    toks = fastlex.tokenize(src)
    assert kinds_texts(toks) == [("IDENTIFIER", "x"), ("EQUAL", "="), ("INTEGER", "1")]
    assert toks[0].start_offset == 3
    assert toks.errors == []


@pytest.mark.parametrize("src,offset", [(b"x\n\xef\xbb\xbfy", 2), ("x = 1 \ufeff+ 2", 6), (b"'a\xef\xbb\xbfb'", 2)])
def test_bom_in_the_middle(src, offset):
    """A byte order mark after the start is an error at its offset; lexing goes on."""
    toks = fastlex.tokenize(src)
    assert error_offsets(toks, "byte order mark") == [offset]
    check_reaches_end(src, toks)


# --- unterminated constructs ----------------------------------------------------------

UNTERMINATED = [
    ('x = "abc', "unterminated string", [("STRING_BEGIN", '"'), ("STRING_CONTENT", "abc")], 4),
    ("x = 'abc\ndef", "unterminated string", [("STRING_BEGIN", "'"), ("STRING_CONTENT", "abc\ndef")], 4),
    ("x = `ls", "unterminated command string", [("XSTRING_BEGIN", "`"), ("STRING_CONTENT", "ls")], 4),
    ('x = :"ab', "unterminated quoted symbol", [("SYMBOL_BEGIN", ':"'), ("STRING_CONTENT", "ab")], 4),
    ("x = <<A\nabc\n", "unterminated heredoc", [("HEREDOC_START", "<<A"), ("NEWLINE", "\n"), ("STRING_CONTENT", "abc\n")], 4),
    ("x = <<~A\n  abc\n  AB", "unterminated heredoc",
     [("HEREDOC_START", "<<~A"), ("NEWLINE", "\n"), ("STRING_CONTENT", "  abc\n"), ("STRING_CONTENT", "  AB")], 4),
    ("x = /abc", "unterminated regexp", [("REGEXP_BEGIN", "/"), ("STRING_CONTENT", "abc")], 4),
    ("x = %r{a", "unterminated regexp", [("REGEXP_BEGIN", "%r{"), ("STRING_CONTENT", "a")], 4),
    ("x = %q(abc", "unterminated string", [("STRING_BEGIN", "%q("), ("STRING_CONTENT", "abc")], 4),
    ("x = %Q[a(b", "unterminated string", [("STRING_BEGIN", "%Q["), ("STRING_CONTENT", "a(b")], 4),
    ("x = %w(a b", "unterminated word", [("PERCENT_LOWER_W", "%w("), ("STRING_CONTENT", "a"),
                                         ("WORDS_SEP", " "), ("STRING_CONTENT", "b")], 4),
    ("x = %i<a", "unterminated word or symbol list", [("PERCENT_LOWER_I", "%i<"), ("STRING_CONTENT", "a")], 4),
    ("x = %s(a", "unterminated", [("SYMBOL_BEGIN", "%s("), ("STRING_CONTENT", "a")], 4),
    ("x = %x(a", "unterminated", [("PERCENT_LOWER_X", "%x("), ("STRING_CONTENT", "a")], 4),
    ("x\n=begin\nabc", "=begin", [("IDENTIFIER", "x"), ("NEWLINE", "\n"), ("EMBDOC_BEGIN", "=begin\n"), ("EMBDOC_LINE", "abc")], 2),
    ('x = "a#{b', "unterminated interpolation", [("STRING_CONTENT", "a"), ("EMBEXPR_BEGIN", "#{"),
                                                 ("IDENTIFIER", "b")], 6),
    ('x = "#{', "unterminated interpolation", [("STRING_BEGIN", '"'), ("EMBEXPR_BEGIN", "#{")], 5),
    # The newline inside the open interpolation is code: it ends the statement y.
    ("x = <<A\n#{y\n", "unterminated", [("EMBEXPR_BEGIN", "#{"), ("IDENTIFIER", "y"), ("NEWLINE", "\n")],
     None),
]


@pytest.mark.parametrize("src,message,tail,offset", UNTERMINATED, ids=[repr(c[0]) for c in UNTERMINATED])
def test_unterminated(src, message, tail, offset):
    """An unterminated literal runs to the end of the source and is reported where it starts."""
    toks = fastlex.tokenize(src)
    got = kinds_texts(toks)
    assert got[-len(tail):] == tail, got
    check_reaches_end(src, toks)
    found = [e for e in toks.errors if message in e.message]
    assert found, toks.errors
    if offset is not None:
        assert offset in [e.offset for e in found], toks.errors


@pytest.mark.parametrize("src,outer,inner", [
    ('x = "a#{b', (4, "unterminated string"), (6, "unterminated interpolation")),
    ("x = <<A\n#{y\n", (4, "unterminated heredoc"), (8, "unterminated interpolation")),
    ("f(<<A, <<B)\na\nA\n#{", (7, "unterminated heredoc"), (16, "unterminated interpolation")),
    ("x = %W(a #{b", (4, "unterminated word"), (9, "unterminated interpolation")),
])
def test_unterminated_nested(src, outer, inner):
    """Input ending inside an interpolation reports both the interpolation and the literal holding it."""
    errors = [(e.offset, e.message) for e in fastlex.tokenize(src).errors]
    for offset, message in (outer, inner):
        assert any(o == offset and message in m for o, m in errors), errors


def test_too_many_errors_is_bounded():
    """A source full of errors gives a bounded error list ending with a 'too many errors' entry."""
    toks = fastlex.tokenize(b"\x00" * 50000)
    assert len(toks) == 50001
    assert 1 < len(toks.errors) <= 50000
    assert "too many errors" in toks.errors[-1].message


# --- pathological structure -------------------------------------------------------------

@pytest.mark.parametrize("src", [
    "(" * 100000, "[{(" * 30000, '"#{' * 20000, "%w(" * 10000, "def f\n" * 20000, "x = <<A\n" * 5000,
    "-> {" * 20000, "a." * 50000, "'" * 99999, "\\" * 1000, "#{" * 10000, "?" * 10000, "<<" * 10000,
    ":" * 10000, "%" * 10000, "$" * 10000, "@" * 10000, "\n" * 100000, " " * 100000 + "x",
])
def test_pathological_sources_lex_to_the_end(src):
    """Deep nesting and long runs of one character neither crash nor stop early."""
    toks = fastlex.tokenize(src)
    kinds = memoryview(toks.kinds).tolist()
    starts = memoryview(toks.starts).tolist()
    ends = memoryview(toks.ends).tolist()
    assert kinds[-1] == Kind.EOF and ends[-1] == len(src)
    assert all(a <= b for a, b in zip(ends[:-1], starts[1:-1]))   # (EOF may repeat the last newline)


# --- sources past the reach of 32-bit offsets -------------------------------------------

# bytes(n) is allocated with calloc, which for a block this size maps fresh zero pages
# without touching them: the child holds a real 4 GiB bytes object while its resident
# memory stays small, as long as fastlex does not read the source before refusing it.
HUGE_CHILD = textwrap.dedent("""
    import json, resource, fastlex
    out = {}
    big = bytes(fastlex.MAX_SOURCE_BYTES + 1)
    try:
        fastlex.tokenize(big)
        out["too_big"] = "no error"
    except ValueError as exc:
        out["too_big"] = str(exc)
    try:
        fastlex.Lexer().tokenize(big)
        out["too_big_lexer"] = "no error"
    except ValueError as exc:
        out["too_big_lexer"] = str(exc)
    del big
    edge = bytes(fastlex.MAX_SOURCE_BYTES)
    try:
        fastlex.tokenize(edge, memory_limit=1 << 20)
        out["at_limit"] = "no error"
    except Exception as exc:
        out["at_limit"] = type(exc).__name__ + ": " + str(exc)
    # The peak of this process's own memory since exec (VmHWM). Not ru_maxrss: Linux folds
    # the parent's peak into it when a vfork'd child execs, so a large test runner would
    # show through.
    try:
        with open("/proc/self/status") as f:
            out["maxrss_kib"] = int(f.read().split("VmHWM:")[1].split()[0])
    except (OSError, IndexError):
        out["maxrss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(out))
""")


def test_source_past_32_bit_offsets():
    """4 GiB - 1 bytes raise ValueError naming the limit before any work; 4 GiB - 2 pass that check."""
    proc = subprocess.run([sys.executable, "-c", HUGE_CHILD], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    limit = str(fastlex.MAX_SOURCE_BYTES)
    assert limit in out["too_big"] and str(fastlex.MAX_SOURCE_BYTES + 1) in out["too_big"]
    assert limit in out["too_big_lexer"]
    # At the limit the size check passes; the tiny memory limit then stops the region, unread.
    assert out["at_limit"].startswith("LexMemoryError") and "region" in out["at_limit"], out["at_limit"]
    # Neither source was read: the child stayed far below the 4 GiB it holds.
    assert out["maxrss_kib"] < 512 * 1024, out


# Names, blanks and literal text are read eight bytes per load (fastlex/_bits.pxi): every
# length around the word size, at the very end of the input and just before it, in ASCII and
# non-ASCII sources (the second one takes the UTF-8 path), must end exactly where it should.
@pytest.mark.parametrize("length", range(1, 19))
@pytest.mark.parametrize("prefix", ["", "# é\n", "x = 1\n"])
@pytest.mark.parametrize("after", ["", "\n", " ", "(", "é"])
def test_word_at_a_time_edges(length, prefix, after):
    name = ("abcdefghij_XYZ0123456789" * 2)[:length]
    src = prefix + "    " * (length % 3) + name + after
    toks = [t for t in fastlex.tokenize(src) if t.type in (Kind.IDENTIFIER, Kind.CONSTANT)]
    names = [t.string for t in toks]
    expected = name + ("é" if after == "é" else "")
    assert names[-1] == expected, (src, names)
    # The same bytes with the input ending inside the name.
    cut = src.encode()[: len((prefix + "    " * (length % 3)).encode()) + max(1, length - 1)]
    last = [t.string for t in fastlex.tokenize(cut) if t.type in (Kind.IDENTIFIER, Kind.CONSTANT)][-1]
    assert last == name[: max(1, length - 1)]


@pytest.mark.parametrize("length", range(0, 20))
def test_comment_and_string_text_near_the_end(length):
    """UTF-8 checks of literal text run eight bytes per load: every text length, ending at the input's end."""
    text = ("aé" * 20)[:length]
    for src in ("# " + text, '"' + text, "'" + text + "'", "%w(" + text + ")"):
        toks = fastlex.tokenize(src)
        assert "".join(t.string for t in toks) == src
        data = src.encode()
        for cut in range(len(data) - 3, len(data) + 1):
            if cut >= 0:
                toks = fastlex.tokenize(data[:cut])
                assert toks.kinds is not None and len(toks) >= 1


# The constant pool hashes and compares names eight bytes per load, the tail as overlapping
# loads inside the name (fastlex/_pool.pxi): names of every length around the word size, the
# last one at the very end of the input, must give one pool entry and one str each.
@pytest.mark.parametrize("length", range(1, 26))
@pytest.mark.parametrize("tail", ["", "\n", " + 1"])
def test_pool_names_near_the_end(length, tail):
    name = ("abcdefghijklmnopqrstuvwxyz" * 2)[:length]
    other = name[:-1] + ("z" if name[-1] != "z" else "y")     # same length, differs in the last byte
    src = f"{name} = 1\n{other} = 2\n" + "p 0\n" * 8 + f"{other}\n{name}{tail}"
    for data in (src, src.encode(), (src[: -len(tail)] if tail else src).encode()):
        tokens = fastlex.tokenize(data)
        named = [t for t in tokens if t.type == Kind.IDENTIFIER and t.string in (name, other)]
        assert [t.string for t in named] == [name, other, other, name]
        assert named[0].string is named[3].string and named[1].string is named[2].string
        # Both names were looked up as locals: the last one is the local variable, not a call.
        assert tokens.stats["pool"]["names"] == 3       # name, other, p
    # Names read back in reverse order intern from the end of the source first.
    tokens = fastlex.tokenize(f"A{name} = 1\n" + "p 0\n" * 4 + f"A{name}")
    consts = [tokens[i] for i in range(len(tokens) - 1, -1, -1) if tokens[i].type == Kind.CONSTANT]
    assert consts[0].string == "A" + name and consts[0].string is consts[1].string


# A pool entry keeps the last word its hash read instead of the hash (fastlex/_pool.pxi): names of
# at most 8 bytes are matched on that word and their length alone, longer ones also by their bytes.
# Names sharing a last word, or differing only inside it, must stay apart, also once the table
# grows (growth hashes every name again from the source).
def test_pool_tells_apart_names_sharing_their_last_word():
    names = ["abc", "aXc", "ab", "ba", "a", "b", "abcd", "abXd", "abcdefgh", "abcdXfgh",
             "aaaaaaaaXY", "bbbbbbbbXY", "aaaaaaaaaaaaaaaaXY", "aaaaaaaabbbbbbbbXY", "x" * 64, "x" * 63 + "y"]
    many = [f"v{k}" for k in range(3000)]            # forces the table to grow a few times
    src = "".join(f"{n} = 1\n" for n in names + many) + "".join(f"{n}\n" for n in names + many)
    tokens = fastlex.tokenize(src)
    assert tokens.stats["pool"]["resizes"] >= 2
    assert tokens.stats["pool"]["names"] == len(names) + len(many)
    idents = [t for t in tokens if t.type == Kind.IDENTIFIER]
    half = len(idents) // 2
    assert [t.string for t in idents] == (names + many) * 2
    for a, b in zip(idents[:half], idents[half:]):
        assert a.string is b.string
    # Each second use is a local variable (ST_END): a following "[1]" is an index, not an argument.
    local = fastlex.tokenize(src + "aaaaaaaaaaaaaaaaXY [1]\n")
    assert local[len(local) - 5].type == Kind.BRACKET_LEFT


# Tokens.name_of keeps a direct-mapped cache of names of up to 16 bytes (fastlex/_core.pyx), keyed
# by the name's first and last 8 bytes and its length: names alike in all but one byte, on both
# sides of the 8- and 16-byte limits, must come back as their own text, equal names as one str,
# also when thousands of names evict each other from the cache.
def test_name_cache_returns_the_right_str():
    stems = ["a", "ab", "abc", "abcd", "abcdefg", "abcdefgh", "abcdefghi", "abcdefghijklmnop", "abcdefghijklmnopq"]
    names = []
    for stem in stems:
        for k in range(len(stem)):
            names.append(stem[:k] + "Z" + stem[k + 1:])   # differs from the stem in byte k only
        names.append(stem)
    names += [f"v{k}_{'x' * (k % 17)}" for k in range(2000)]
    src = "".join(f"{n} = 1\n" for n in names) + "".join(f"{n}.m\n:{n}; @{n}\n" for n in names)
    tokens = fastlex.tokenize(src)
    seen = {}
    for order in (range(len(tokens)), range(len(tokens) - 1, -1, -1)):
        for i in order:
            tok = tokens[i]
            assert tok.string == src[tok.start_offset:tok.end_offset]
            if tok.type in (Kind.IDENTIFIER, Kind.INSTANCE_VARIABLE):
                assert seen.setdefault(tok.string, tok.string) is tok.string


# In a source with any byte >= 0x80, UTF-8 is checked only in the 4 KB blocks that hold one (a
# map built before the scan, fastlex/_scanner.pxi): comments and =begin blocks crossing block
# edges, with a bad byte or a valid character at and around every edge, must report exactly
# the bad bytes.
@pytest.mark.parametrize("where", [1, 4094, 4095, 4096, 4097, 8191, 8192, 12287])
@pytest.mark.parametrize("form", ["comment", "embdoc"])
def test_utf8_checked_in_the_blocks_that_need_it(where, form):
    size = 12300
    for bad, good in ((b"\xff", b"\xc3\xa9"), (b"\xc3", b"\xe2\x82\xac")):   # lone byte, truncated sequence
        body = bytearray(b"a" * size)
        body[where:where + len(bad)] = bad
        far = 100 if where > 6000 else size - 100                            # a valid character elsewhere
        body[far:far + len(good)] = good
        if form == "comment":
            data = b"#" + bytes(body) + b"\nx = 1\n"
        else:
            data = b"=begin\n" + bytes(body) + b"\n=end\nx = 1\n"
        tokens = fastlex.tokenize(data)
        assert error_offsets(tokens, "UTF-8") == [data.index(bad)], (where, bad, tokens.errors)
        assert kinds_texts(tokens)[-4:] == [("IDENTIFIER", "x"), ("EQUAL", "="), ("INTEGER", "1"), ("NEWLINE", "\n")]


def test_utf8_map_of_a_source_past_256_mb():
    """Past 256 MB the map's blocks grow (65,536 of them at most): one bad byte near the end of a
    300 MB comment, a valid character near its start, is found at its offset."""
    size = 300 << 20
    body = bytearray(b"a" * size)
    body[1000:1002] = b"\xc3\xa9"
    body[size - 5] = 0xFF
    data = b"#" + bytes(body) + b"\nx\n"
    del body
    tokens = fastlex.tokenize(data)
    assert error_offsets(tokens, "UTF-8") == [1 + size - 5]
    assert [t.type.name for t in tokens] == ["COMMENT", "IGNORED_NEWLINE", "IDENTIFIER", "NEWLINE", "EOF"]


# The newline list reads sixty-four bytes per step and the last bytes one at a time
# (fastlex/_lines.pxi): newlines at every offset around the block edges and at the very end,
# and a source of nothing but newlines, which outgrows the list's estimated capacity.
@pytest.mark.parametrize("size", [1, 2, 63, 64, 65, 127, 128, 129, 191, 200])
def test_newline_list_at_block_edges(size):
    for where in sorted({0, 1, size // 2, 62, 63, 64, 65, 127, 128, size - 2, size - 1}):
        if not 0 <= where < size:
            continue
        data = bytearray(b"x" * size)
        data[where] = 10
        for src in (bytes(data), bytes(data[:where + 1]), bytes(data).decode()):
            tokens = fastlex.tokenize(src)
            raw = src.encode() if isinstance(src, str) else src
            assert tokens.line_starts == [0] + [i + 1 for i, c in enumerate(raw) if c == 10]
            assert tokens.stats["lines"]["count"] == raw.count(b"\n") + 1


@pytest.mark.parametrize("size", [1000, 4096, 100_003])
def test_newline_list_outgrows_its_estimate(size):
    data = b"\n" * size
    tokens = fastlex.tokenize(data)
    assert tokens.line_starts == list(range(size + 1))
    assert tokens.stats["lines"]["reallocs"] >= 1
    assert tokens.stats["lines"]["capacity"] >= size + 1
    assert tokens.position(size) == (size + 1, 0)
    mixed = (b"a\n" * size)[: size]
    assert fastlex.tokenize(mixed).line_starts == [0] + [i + 1 for i in range(size) if mixed[i] == 10]
