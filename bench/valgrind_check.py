"""valgrind memcheck on a small input per grammar, CPython's own noise suppressed.

    python bench/valgrind_check.py [--grammar ruby --grammar python] [--keep DIR]

CPython (even with PYTHONMALLOC=malloc, which this sets so every object is a real malloc block
memcheck can watch) reports "uninitialised value" errors of its own at start-up and in its GC.
They are suppressed by generating suppressions from a baseline run that imports fastlex and
the modules the workload uses but lexes nothing (``--gen-suppressions=all``); the workload run
then uses them with ``--error-exitcode=97``. Its report is read back (``--xml``) and every error
or definitely-lost block is classified by whether one of its frames lies in fastlex's extension
modules (_core, _stream, python/_scanner). Clean: no unsuppressed error at all, and no
definitely-lost block. Exit 0 when every grammar is clean, 1 otherwise, 2 without valgrind.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OURS = re.compile(r"fastlex/(_core|_stream|python/_scanner)\.")

BASELINE = "import io, tokenize, fastlex, fastlex.python, fastlex.pygments\n"

WORKLOAD = {
    "ruby": BASELINE + r'''
src = open(fastlex.__file__.replace("__init__.py", "samples/sample.rb"), "rb").read()
for i in range(3):
    t = fastlex.tokenize(src); [x.string for x in t]; t.errors; memoryview(t.kinds).tolist()
    fastlex.tokenize(src.decode("utf-8"))
    fastlex.tokenize(b'"#{' * 50 + b"<<A\n\xff\r x")
    try:
        fastlex.Lexer().tokenize(src, memory_limit=3000)
    except MemoryError:
        pass
    lx = fastlex.Lexer(region=False); lx.tokenize(src); lx.tokenize(b"x")
    list(fastlex.pygments.RubyLexer().get_tokens_unprocessed(src.decode("utf-8")))
    fastlex.tokenize_many([src, b"x = 1\n", "y = %w[a b]\n"], workers=2)
''',
    "python": BASELINE + r'''
src = open(fastlex.__file__.replace("__init__.py", "samples/sample.py"), encoding="utf-8").read()
for i in range(3):
    t = fastlex.tokenize(src, language="python"); [x.string for x in t]; t.errors
    fastlex.tokenize(src.encode(), language="python")
    fastlex.tokenize("(" * 300 + "\nx = 'open", language="python")
    list(fastlex.python.generate_tokens(io.StringIO(src).readline))
    list(fastlex.python.tokenize(io.BytesIO(src.encode()).readline))
    try:
        list(fastlex.python.generate_tokens(io.StringIO("x = (\n").readline))
    except tokenize.TokenError:
        pass
    try:
        fastlex.tokenize(src * 50, language="python", memory_limit=2000)
    except MemoryError:
        pass
    fastlex.tokenize_many([src, "y = 2\n"], language="python", workers=2)
''',
}


def valgrind(args, code, xml_file, extra):
    env = dict(os.environ, PYTHONMALLOC="malloc")
    cmd = ["valgrind", "--tool=memcheck", "--num-callers=40", "--xml=yes", f"--xml-file={xml_file}",
           "--leak-check=full", "--show-leak-kinds=definite", "--errors-for-leak-kinds=definite",
           *extra, sys.executable, "-c", code]
    return subprocess.run(cmd, env=env, capture_output=True, text=True).returncode


def errors_of(xml_file):
    """[(kind, in fastlex?, first frames, suppression rawtext)] of a memcheck XML report."""
    out = []
    root = ET.parse(xml_file).getroot()
    for err in root.iter("error"):
        kind = err.findtext("kind")
        objs = [(f.findtext("obj") or "") + ":" + (f.findtext("fn") or "?") for f in err.iter("frame")]
        ours = any(OURS.search(o) for o in objs)
        raw = err.findtext("suppression/rawtext") or ""
        out.append((kind, ours, objs[:6], raw))
    return out


def check(grammar, workdir, keep):
    supp = os.path.join(workdir, "cpython.supp")
    base_xml = os.path.join(workdir, f"baseline-{grammar}.xml")
    valgrind(None, BASELINE + "fastlex.tokenize(b'x')\nfastlex.tokenize('x', language='python')\n", base_xml,
             ["--gen-suppressions=all"])
    base = errors_of(base_xml)
    with open(supp, "w") as f:
        for k, (_, _, _, raw) in enumerate(base):
            if raw:
                f.write(raw.replace("<insert_a_suppression_name_here>", f"cpython-{k}") + "\n")
    run_xml = os.path.join(workdir, f"workload-{grammar}.xml")
    rc = valgrind(None, WORKLOAD[grammar], run_xml, [f"--suppressions={supp}", "--error-exitcode=97"])
    errs = errors_of(run_xml)
    ours = [e for e in errs if e[1]]
    leaks = [e for e in errs if e[0] and e[0].startswith("Leak_Definitely")]
    print(f"{grammar}: baseline (CPython and imports) {len(base)} errors suppressed; workload exit {rc}, "
          f"{len(errs)} unsuppressed errors ({len(ours)} with a fastlex frame), {len(leaks)} definitely lost")
    for kind, mine, frames, _ in errs[:10]:
        print(f"  {kind} {'[fastlex]' if mine else ''} " + " <- ".join(frames[:4]))
    if keep:
        os.makedirs(keep, exist_ok=True)
        for name in (supp, base_xml, run_xml):
            shutil.copy(name, keep)
    return rc == 0 and not errs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grammar", action="append", choices=sorted(WORKLOAD))
    ap.add_argument("--keep", help="copy the suppressions and XML reports here")
    args = ap.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind)")
        return 2
    ok = True
    with tempfile.TemporaryDirectory() as workdir:
        for grammar in args.grammar or sorted(WORKLOAD):
            ok &= check(grammar, workdir, args.keep)
    print("verdict:", "CLEAN" if ok else "ERRORS")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
