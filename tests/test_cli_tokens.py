"""python -m fastlex tokens: text, jsonl and arrow formats over files and folders.

Every format must give what ``fastlex.tokenize`` gives for each file (read as bytes); the
text format is the one-token-a-line output it always was. The arrow tests need pyarrow:
missing, they skip, except in CI (``CI`` set) where they fail.
"""
import importlib.util
import json
import os
import subprocess
import sys

import pytest

import fastlex
from fastlex.__main__ import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(fastlex.__file__)))

FILES = {
    "app.rb": 'x = "é"\nputs x\n',
    "lib/util.rb": "def f(a, b = 2)\n  a + b # sum\nend\n",
    "lib/deep/heredoc.rb": "s = <<~EOS\n  text #{1 + 2}\nEOS\n",
    "lib/broken.rb": '"unterminated\n',
    "bad_utf8.rb": b"# \xff\xfe\nx = 1\n",
    "empty.rb": "",
    "README.md": "# not Ruby\n",
    "z/data.txt": "ignored\n",
}
RUBY = ["app.rb", "bad_utf8.rb", "empty.rb", "lib/broken.rb", "lib/util.rb", "lib/deep/heredoc.rb"]


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "repo"
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return root


def expected_paths(root):
    """The walk order: each folder's files sorted, then its sorted subfolders (as ``check``)."""
    return [os.path.join(str(root), *name.split("/")) for name in RUBY]


def run(argv, capsys):
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def need_pyarrow():
    if importlib.util.find_spec("pyarrow") is None:
        if os.environ.get("CI"):
            pytest.fail("pyarrow is not installed (pip install -e '.[test]')")
        pytest.skip("pyarrow is not installed")
    import pyarrow
    return pyarrow


def text_lines(path):
    """The text format of one file, built from fastlex.tokenize."""
    data = open(path, "rb").read()
    tokens = fastlex.tokenize(data)
    return [f"{line}:{col} {tok.type.name} {data[tok.start_offset:tok.end_offset].decode('utf-8', 'surrogateescape')!r}"
            for tok, (line, col) in ((t, tokens.position(t.start_offset)) for t in tokens)]


def test_text_is_the_default_and_unchanged(tree, capsys):
    """Default and --format text: '==> path <==' then one 'line:col KIND text' line per token."""
    status, out, err = run(["tokens", str(tree)], capsys)
    assert status == 0
    expected = []
    for path in expected_paths(tree):
        expected.append(f"==> {path} <==")
        expected.extend(text_lines(path))
    assert out.splitlines() == expected
    assert "broken.rb:1:0: error: unterminated string" in err
    assert run(["tokens", "--format", "text", str(tree)], capsys)[1] == out


def test_text_single_file(tree, capsys):
    status, out, _ = run(["tokens", str(tree / "app.rb")], capsys)
    assert status == 0
    assert out.splitlines()[:3] == ["1:0 IDENTIFIER 'x'", "1:2 EQUAL '='", "1:4 STRING_BEGIN '\"'"]
    assert out.splitlines() == text_lines(tree / "app.rb")


def check_jsonl(out, paths):
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["path"] for r in records] == paths
    for record, path in zip(records, paths):
        tokens = fastlex.tokenize(open(path, "rb").read())
        assert set(record) == {"path", "tokens", "errors"}
        assert record["tokens"] == [[t.type.name, t.start_offset, t.end_offset] for t in tokens]
        assert record["errors"] == [
            {"offset": e.offset, "line": e.line, "column": e.column, "message": e.message} for e in tokens.errors]
    return records


def test_jsonl_equals_tokenize(tree, capsys):
    """One object per *.rb file of the folder (others skipped), equal to fastlex.tokenize."""
    status, out, err = run(["tokens", "--format", "jsonl", str(tree)], capsys)
    assert status == 0 and err == ""
    records = check_jsonl(out, expected_paths(tree))
    by_name = {os.path.basename(r["path"]): r for r in records}
    assert by_name["empty.rb"]["tokens"] == [["EOF", 0, 0]]
    assert by_name["broken.rb"]["errors"] and by_name["bad_utf8.rb"]["errors"]


def test_jsonl_to_file_with_files_and_folders(tree, tmp_path, capsys):
    """-o writes the file; a file named outright is lexed whatever its suffix."""
    out_file = tmp_path / "out.jsonl"
    status, out, _ = run(["tokens", "--format", "jsonl", "-o", str(out_file),
                          str(tree / "README.md"), str(tree / "lib")], capsys)
    assert status == 0 and out == ""
    paths = [str(tree / "README.md")] + [p for p in expected_paths(tree) if os.sep + "lib" + os.sep in p]
    check_jsonl(out_file.read_text(encoding="utf-8"), paths)


def test_unreadable_file_reported_others_lexed(tree, capsys):
    status, out, err = run(["tokens", "--format", "jsonl", str(tree / "nope.rb"), str(tree / "app.rb")], capsys)
    assert status == 2
    assert "nope.rb" in err
    check_jsonl(out, [str(tree / "app.rb")])


def read_arrow(pa, path):
    if str(path).endswith(".parquet"):
        import pyarrow.parquet as pq
        return pq.read_table(path), pq.ParquetFile(path).num_row_groups
    with pa.ipc.open_file(path) as reader:
        return reader.read_all(), reader.num_record_batches


def check_rows(rows, paths, with_content):
    assert [r["path"] for r in rows] == paths
    for row, path in zip(rows, paths):
        data = open(path, "rb").read()
        tokens = fastlex.tokenize(data)
        assert row["tokens"] == [{"kind": int(t.type), "start": t.start_offset, "end": t.end_offset}
                                 for t in tokens]
        assert row["errors"] == [{"offset": e.offset, "message": e.message} for e in tokens.errors]
        if with_content:
            assert row["content"] == data
        else:
            assert "content" not in row


@pytest.mark.parametrize("suffix", [".parquet", ".arrow", ".feather"])
@pytest.mark.parametrize("with_content", [False, True])
def test_arrow_equals_tokenize(tree, tmp_path, capsys, suffix, with_content):
    """Parquet (or Arrow IPC by suffix) in batches of 4 files: rows equal fastlex.tokenize."""
    pa = need_pyarrow()
    out_file = tmp_path / f"tokens{suffix}"
    argv = ["tokens", "--format", "arrow", "-o", str(out_file), "--batch-files", "4", str(tree)]
    if with_content:
        argv.append("--with-content")
    status, out, err = run(argv, capsys)
    assert status == 0 and out == "" and err == ""
    table, chunks = read_arrow(pa, out_file)
    assert chunks == 2                        # 6 files in batches of 4
    names = ["path", "content", "tokens", "errors"] if with_content else ["path", "tokens", "errors"]
    assert table.column_names == names
    assert table.schema.field("path").type == pa.string()
    if with_content:
        assert table.schema.field("content").type in (pa.binary(), pa.large_binary())
    check_rows(table.to_pylist(), expected_paths(tree), with_content)


def test_arrow_empty_folder_writes_an_empty_table(tmp_path, capsys):
    pa = need_pyarrow()
    (tmp_path / "empty").mkdir()
    out_file = tmp_path / "none.parquet"
    status, _, err = run(["tokens", "--format", "arrow", "-o", str(out_file), str(tmp_path / "empty")], capsys)
    assert status == 0 and "no *.rb files" in err
    table, _ = read_arrow(pa, out_file)
    assert table.num_rows == 0 and table.column_names == ["path", "tokens", "errors"]


def test_arrow_needs_an_output_file(tree, capsys):
    status, out, err = run(["tokens", "--format", "arrow", str(tree)], capsys)
    assert status == 2 and out == "" and "-o" in err


def test_with_content_is_for_arrow_only(tree, capsys):
    status, _, err = run(["tokens", "--with-content", str(tree)], capsys)
    assert status == 2 and "--with-content" in err


def test_arrow_without_pyarrow_says_what_to_install(tree, tmp_path):
    """pyarrow blocked from import: a clear message naming the extra, status 2."""
    code = ("import sys; sys.modules['pyarrow'] = None; from fastlex.__main__ import main; "
            "sys.exit(main(sys.argv[1:]))")
    proc = subprocess.run([sys.executable, "-c", code, "tokens", "--format", "arrow", "-o",
                           str(tmp_path / "x.parquet"), str(tree)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2, proc.stderr
    assert "pip install 'fastlex[arrow]'" in proc.stderr
    assert not (tmp_path / "x.parquet").exists()


def test_progress_bar_on_request_only(tree, capsys):
    """--progress draws a bar on stderr; none by default when stderr is not a terminal, nor with
    --no-progress."""
    pytest.importorskip("tqdm")
    _, _, err = run(["tokens", "--format", "jsonl", "--progress", str(tree)], capsys)
    assert f"{len(RUBY)}/{len(RUBY)}" in err and "file" in err
    _, _, err = run(["tokens", "--format", "jsonl", str(tree)], capsys)
    assert err == ""
    _, _, err = run(["tokens", "--format", "jsonl", "--no-progress", str(tree)], capsys)
    assert err == ""


def test_module_entry_point(tree):
    """python -m fastlex tokens --format jsonl, as a user runs it."""
    proc = subprocess.run([sys.executable, "-m", "fastlex", "tokens", "--format", "jsonl", str(tree / "lib")],
                          capture_output=True, text=True, cwd=ROOT, check=True)
    check_jsonl(proc.stdout, [p for p in expected_paths(tree) if os.sep + "lib" + os.sep in p])


def test_progress_bar_by_default_on_a_terminal(tree, tmp_path):
    """With stderr a terminal (a pty here) and the tokens going to a file, the bar is drawn by
    default; when the tokens go to that same terminal, it is not."""
    pytest.importorskip("tqdm")
    pty = pytest.importorskip("pty")
    import fcntl
    import struct
    import termios

    def stderr_of(args, stdout_on_terminal):
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # tqdm needs a width
        try:
            subprocess.run([sys.executable, "-m", "fastlex", "tokens", *args, str(tree)], cwd=ROOT, check=True,
                           stderr=slave, stdout=slave if stdout_on_terminal else subprocess.DEVNULL)
        finally:
            os.close(slave)
        out = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:   # EIO: the writer side is closed
                break
            if not chunk:
                break
            out += chunk
        os.close(master)
        return out.decode("utf-8", "replace")

    bar = f"{len(RUBY)}/{len(RUBY)}"
    assert bar in stderr_of(["--format", "jsonl", "-o", str(tmp_path / "o.jsonl")], False)
    assert bar not in stderr_of(["--format", "jsonl", "-o", str(tmp_path / "o.jsonl"), "--no-progress"], False)
    assert bar not in stderr_of([], True)
