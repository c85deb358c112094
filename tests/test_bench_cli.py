"""`python -m fastlex bench`: it runs, and its JSON has the documented keys with sane values.

Timings are never asserted on (the machine may be busy); counts, sizes and
shapes are. FASTLEX_ALLOC_STATS=1 is checked here too.
"""
import json
import os
import subprocess
import sys

import fastlex
from fastlex import bench

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROW_KEYS = {"lex", "tokens", "bulk", "lex_malloc", "tree_sitter_parse", "tree_sitter_walk",
            "pygments", "fastlex_pygments", "prism"}
SMALL = b"""\
class Greeter
  def initialize(name)
    @name = name
  end

  def greet(times: 1)
    times.times { puts "Hello, #{@name}!" }
  end
end

Greeter.new("world").greet(times: 2)
"""


def run_cli(*args, env=None):
    """Run `python -m fastlex ...` from the repository; the completed process."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = ROOT + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "fastlex", *args], capture_output=True, text=True,
                          cwd=ROOT, env=full_env, timeout=300)


def check_input(r, nbytes):
    """The documented keys of one input, with values that make sense for nbytes of Ruby."""
    assert r["bytes"] == nbytes
    assert r["tokens"] > 0 and r["lines"] > 0 and r["errors"] == 0
    assert set(r["rows"]) == ROW_KEYS
    from fastlex import prism
    assert r["rows"]["prism"]["available"] == (prism.find_prism() is not None)
    if r["rows"]["prism"]["available"]:
        assert r["ratios"]["lex_vs_prism"] > 0
    for key, x in r["rows"].items():
        assert set(x) == {"label", "available", "seconds", "mb_per_s", "ns_per_token", "note"}
        if x["available"]:
            assert x["seconds"] > 0 and x["mb_per_s"] > 0 and x["ns_per_token"] > 0
        else:
            assert "pip install" in x["note"] or (key == "prism" and "--prism PATH" in x["note"])
    for key in ("lex", "tokens", "bulk", "lex_malloc"):
        assert r["rows"][key]["available"]
    assert set(r["ratios"]) == {name for name, _, _ in bench.RATIOS}
    assert r["ratios"]["region_vs_malloc_per_token"] > 0
    s = r["stats"]
    assert s["tokens"] == r["tokens"] and s["source_bytes"] == nbytes
    assert 0 < s["mallocs"] <= 16
    assert s["region"]["record_bytes"] == 10 and s["region"]["chunks"] >= 1
    assert s["pool"]["names"] > 0 and s["pool"]["capacity"] > s["pool"]["names"]
    assert s["lines"]["count"] == r["lines"] and s["lines"]["capacity"] >= r["lines"]
    rv = r["region_vs_malloc"]
    assert rv["malloc_per_token"]["mallocs"] > r["tokens"] > rv["region"]["mallocs"]
    m = r["memory"]
    if sys.platform.startswith("linux"):
        assert m["lex_bytes"] >= 0 and m["tokens_bytes"] >= 0 and "method" in m
    t = r["tokenize_many"]
    assert t["workers"] >= 1 and [sh["shape"] for sh in t["shapes"]] == ["small_files", "large_files"]
    for sh in t["shapes"]:
        assert sh["items"] >= 4 and sh["speedup"] > 0 and sh["serial_seconds"] > 0
    a = r["arrow"]
    assert a["files"] > 1 and a["table_seconds"] > 0 and a["table_vs_lexer"] > 0


def test_bench_json_on_a_small_file(tmp_path):
    """A small file: one input, every row present (measured, or saying how to install it)."""
    path = tmp_path / "small.rb"
    path.write_bytes(SMALL)
    res = run_cli("bench", "--json", "--repeat", "1", str(path))
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert {"version", "machine", "repeat", "clock", "inputs", "scaling"} <= set(report)
    assert report["repeat"] == 1 and report["scaling"] is None and report["version"] == fastlex.__version__
    assert report["machine"]["cpus"] >= 1
    assert len(report["inputs"]) == 1
    r = report["inputs"][0]
    assert r["name"] == str(path) and r["lines"] == SMALL.count(b"\n") + 1
    check_input(r, len(SMALL))
    assert r["tokens"] == len(fastlex.tokenize(SMALL))


def test_bench_json_on_the_default_sample():
    """No file: the shipped sample repeated to about 1 MB, and the output says so."""
    res = run_cli("bench", "--json", "--repeat", "1", "--slice-bytes", "8192", "--clock", "cpu")
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert report["clock"] == "cpu"
    r = report["inputs"][0]
    assert "sample.rb" in r["note"] and "repeated" in r["note"]
    with open(bench.SAMPLE, "rb") as f:
        sample = f.read()
    assert 900_000 <= r["bytes"] <= 1_100_000 and r["bytes"] % len(sample) == 0
    check_input(r, r["bytes"])
    for key in ("pygments", "fastlex_pygments"):
        if r["rows"][key]["available"]:
            assert "scaled" in r["rows"][key]["note"]


def test_bench_text_output(tmp_path):
    """The human-readable form names every table."""
    path = tmp_path / "small.rb"
    path.write_bytes(SMALL)
    res = run_cli("bench", "--repeat", "1", str(path))
    assert res.returncode == 0, res.stderr
    for heading in ("fastlex lex (region, reused Lexer)", "ratios", "allocations", "region vs malloc per token",
                    "peak memory growth", "tokenize_many", "small_files", "large_files", "tokenize_table"):
        assert heading in res.stdout


def test_bench_missing_file_is_an_error():
    """An unreadable input gives exit status 2 and a message, not a traceback."""
    res = run_cli("bench", "--json", "/nonexistent/file.rb")
    assert res.returncode == 2 and "fastlex bench" in res.stderr and "Traceback" not in res.stderr


def test_missing_baseline_says_how_to_install(monkeypatch):
    """Without tree-sitter the baseline rows explain what to install instead of failing."""
    monkeypatch.setitem(sys.modules, "tree_sitter", None)   # makes `import tree_sitter` raise ImportError
    rows = bench.tree_sitter_rows(SMALL, 10, 1)
    for key in ("tree_sitter_parse", "tree_sitter_walk"):
        assert rows[key]["available"] is False
        assert bench.INSTALL_HINT in rows[key]["note"]


def test_scaling_and_plot(tmp_path, monkeypatch):
    """--scaling measures every size; --plot writes a PNG (or says matplotlib is needed)."""
    monkeypatch.setattr(bench, "SCALING_SIZES", [1 << 10, 4 << 10])
    monkeypatch.setattr(bench, "SCALING_LIMITS", {"tree_sitter_parse": 1 << 10, "pygments": 0,
                                                  "fastlex_pygments": 0})
    args = bench_args(repeat=1)
    scaling = bench.bench_scaling(SMALL * 50, args, bench.Progress(0, False))
    assert len(scaling) == 2 and all(s["bytes"] <= size for s, size in zip(scaling, [1 << 10, 4 << 10]))
    assert all(s["rows"]["lex"]["mb_per_s"] > 0 and s["tokens"] > 0 for s in scaling)
    png = tmp_path / "scaling.png"
    error = bench.plot(scaling, str(png))
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert bench.INSTALL_HINT in error
    else:
        assert error is None and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def bench_args(**kw):
    """An argparse namespace with the bench subcommand's defaults, updated with kw."""
    import argparse

    parser = argparse.ArgumentParser()
    bench.add_arguments(parser)
    args = parser.parse_args([])
    for k, v in kw.items():
        setattr(args, k, v)
    return args


def test_repeat_to_and_cut_at_line():
    """Scaling inputs are whole lines, about the size asked."""
    data = b"a = 1\nb = 2\n"
    assert bench.cut_at_line(data, 7) == b"a = 1\n"
    grown = bench.repeat_to(data, 100)
    assert 90 <= len(grown) <= 100 and grown.endswith(b"\n")


def test_alloc_stats_env_prints_to_stderr():
    """FASTLEX_ALLOC_STATS=1 makes fastlex.tokenize print its allocation statistics to stderr."""
    code = "import fastlex; fastlex.tokenize(b'x = 1\\nputs x\\n')"
    env = dict(os.environ, FASTLEX_ALLOC_STATS="1", PYTHONPATH=ROOT)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stdout == ""
    line = res.stderr.strip()
    assert line.startswith("fastlex: 13 bytes,") and "mallocs" in line and "region" in line
    assert "pool" in line and "lines 3/" in line
    quiet = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60,
                           env={k: v for k, v in env.items() if k != "FASTLEX_ALLOC_STATS"})
    assert quiet.stderr == ""


def test_spread_slice_takes_whole_lines_from_the_whole_input():
    """The slow baselines' sample: at most the size asked, whole lines, from the start to the end."""
    data = b"".join(b"line %05d\n" % i for i in range(5000))
    part = bench.spread_slice(data, 4000)
    assert 3000 <= len(part) <= 4000 and part.endswith(b"\n")
    lines = part.split(b"\n")[:-1]
    assert all(line in data.split(b"\n") for line in lines)
    assert lines[0] == b"line 00000" and int(lines[-1].split()[1]) > 4300
    assert bench.spread_slice(b"a\nb\n", 100) == b"a\nb\n"


PYTHON_ROW_KEYS = {"lex", "tokens", "bulk", "lex_malloc", "tokenize", "fastlex_generate_tokens",
                   "tree_sitter_parse", "tree_sitter_walk"}


def test_bench_python_on_the_default_sample():
    """--language python: the shipped Python sample repeated to about 1 MB, the interpreter's
    tokenize and fastlex.python.generate_tokens beside the fastlex rows, the same figures as Ruby."""
    res = run_cli("bench", "--language", "python", "--json", "--repeat", "1", "--clock", "cpu")
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert report["language"] == "python"
    r = report["inputs"][0]
    assert "sample.py" in r["note"] and "repeated" in r["note"]
    sample_path = bench.SAMPLES["python"]
    with open(sample_path, "rb") as f:
        sample = f.read()
    assert 30_000 <= len(sample) <= 60_000
    compile(sample, sample_path, "exec")       # valid Python of the running interpreter
    assert 900_000 <= r["bytes"] <= 1_100_000 and r["bytes"] % len(sample) == 0
    copies = r["bytes"] // len(sample)
    assert r["errors"] == 0 and r["tokens"] == len(fastlex.tokenize(sample * copies, language="python"))
    assert set(r["rows"]) == PYTHON_ROW_KEYS
    for key in ("lex", "tokens", "bulk", "lex_malloc", "tokenize", "fastlex_generate_tokens"):
        x = r["rows"][key]
        assert x["available"] and x["seconds"] > 0 and x["mb_per_s"] > 0
    assert "tree-sitter-python" in r["rows"]["tree_sitter_parse"]["label"]
    assert set(r["ratios"]) == {name for name, _, _ in bench.PYTHON_RATIOS}
    assert r["ratios"]["generate_tokens_vs_tokenize"] > 1
    s = r["stats"]
    assert s["tokens"] == r["tokens"] and s["source_bytes"] == r["bytes"]
    assert s["region"]["record_bytes"] == 10 and s["lines"]["count"] == r["lines"]
    rv = r["region_vs_malloc"]
    assert rv["malloc_per_token"]["mallocs"] > r["tokens"] > rv["region"]["mallocs"]
    if sys.platform.startswith("linux"):
        assert r["memory"]["lex_bytes"] >= 0
    assert [sh["shape"] for sh in r["tokenize_many"]["shapes"]] == ["small_files", "large_files"]
    assert r["arrow"] is None or r["arrow"]["table_vs_lexer"] > 0


def test_bench_python_text_on_a_file(tmp_path):
    path = tmp_path / "small.py"
    path.write_bytes(b"def f(x):\n    return [i * x for i in range(10)]  # squares\n\nprint(f(2))\n")
    res = run_cli("bench", "--language", "python", "--repeat", "1", str(path))
    assert res.returncode == 0, res.stderr
    for heading in ("bench (python)", "tokenize.generate_tokens", "fastlex.python.generate_tokens",
                    "generate_tokens_vs_tokenize", "allocations", "region vs malloc per token", "tokenize_many"):
        assert heading in res.stdout
