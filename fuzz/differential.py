"""Differential campaigns: millions of generated programs against the oracles.

    python fuzz/differential.py --language ruby --programs 1000000 --seed 1
    python fuzz/differential.py --language python --programs 1000000 --seed 1
    python fuzz/differential.py --language python --programs 1000000 --seed 1 --python ~/.pyenv/versions/3.13.0/bin/python3

Ruby: every program of ``generators.ruby_program`` (and, every ``--mutate-every``-th program,
a mutation of a Ruby corpus file or of the program) is lexed by fastlex and by prism
(``prism-tokens - < LIST``, thousands of files per process, written to a temporary
directory); where prism reports no syntax error, fastlex's (kind, start, end) list must equal
prism's. Differences that are known and accepted are counted apart (``accepted_ruby``):
prism stops reading at a NUL, ^D or ^Z byte in code, fastlex goes on.

Python: every program of ``generators.python_program`` (and its mutations) goes through
``fastlex.python.generate_tokens`` (str) and ``fastlex.python.tokenize`` (UTF-8 bytes), and
through the running interpreter's own ``tokenize``: token lists and exceptions must be equal
(as tests/python/pyoracle.py compares them). ``--python PY`` runs the campaign under another
interpreter: fastlex is built for it as tests/python/test_py_interpreters.py does (a cached
venv and tree under build/interpreters/VERSION) and this script is run again there.

Program i of seed S is generated from ``random.Random((S << 32) | i)``: ``--replay S:i``
prints it. Each difference is saved under ``--findings`` (default fuzz/findings/LANGUAGE) as
the source and a description; counts and the time are printed at the end (``--json`` too).
"""
import argparse
import collections
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import generators  # noqa: E402

RUBY_CORPUS = os.environ.get("FASTLEX_CORPUS", "/usr/lib/ruby/3.1.0")


def program_rng(seed, i):
    return random.Random((seed << 32) | i)


# ------------------------------------------------------------------------------------- Ruby

def ruby_corpus(limit=6000):
    """Corpus sources (their first ``limit`` bytes) for the mutations; [] without the corpus."""
    out = []
    if os.path.isdir(RUBY_CORPUS):
        for d, dirs, names in os.walk(RUBY_CORPUS):
            dirs.sort()
            for n in sorted(names):
                if n.endswith(".rb"):
                    with open(os.path.join(d, n), "rb") as f:
                        out.append(f.read()[:limit])
    return out


def ruby_cases(seed, start, count, mutate_every, corpus):
    """(label, source bytes) of programs start..start+count: generated, and mutations."""
    for i in range(start, start + count):
        r = program_rng(seed, i)
        src = generators.ruby_program(r).encode("utf-8")
        yield f"{seed}:{i}", src, False
        if mutate_every and i % mutate_every == 0:
            base = r.choice(corpus) if corpus and r.random() < 0.6 else src
            yield f"{seed}:{i}:m", generators.mutate_bytes(r, base, corpus or [src]), True


END_OF_SCRIPT = (b"\x00", b"\x04", b"\x1a")


# What fastlex reads after a local variable where prism, for a method name, reads an argument.
AFTER_A_VALUE = {"STAR", "AMPERSAND", "MINUS", "PLUS", "COLON", "SLASH", "PERCENT", "BRACKET_LEFT", "COLON_COLON",
                 "PARENTHESIS_LEFT_PARENTHESES", "STAR_STAR", "DOT_DOT", "DOT_DOT_DOT", "LESS_LESS", "QUESTION_MARK",
                 "PARENTHESIS_LEFT"}


def accepted_ruby(src, mine, theirs, index):
    """The name of a known, accepted difference explaining this one, or None.

    prism (like Ruby) stops reading at a NUL, ^D or ^Z outside a literal: its stream ends
    (EOF) there, fastlex makes the byte INVALID and goes on (README's bad-input promises)."""
    offsets = [t[1] for t in (mine[index] if index < len(mine) else None,
                               theirs[index] if index < len(theirs) else None) if t]
    at = min(offsets) if offsets else len(src)
    first = min((p for p in (src.find(c) for c in END_OF_SCRIPT) if p >= 0), default=-1)
    if first >= 0 and first <= at + 1 and theirs and theirs[-1][0] == "EOF" and theirs[-1][1] <= first + 1:
        return "end-of-script byte (NUL, ^D, ^Z)"
    if 0 < index < len(mine) and mine[index - 1][0] == "IDENTIFIER" and mine[index][0] in AFTER_A_VALUE:
        # x += x :a, x = x a /2 -- prism declares an assignment's target after its right-hand
        # side (x is a method call there: x(:a)); fastlex declares it at the operator.
        s, e = mine[index - 1][1:]
        name = src[s:e]
        line_start = src.rfind(b"\n", 0, s) + 1
        op_assign = re.compile(rb"(?<![\w@$:.])" + re.escape(name) +
                               rb" *(?:\*\*|<<|>>|&&|\|\||[-+*/%^|&])?=(?![=~>])")
        # (were x a local already, prism would read it as one too: no difference here)
        if op_assign.search(src, line_start, s) is not None:
            return "assignment target used in its own right-hand side (x += x :a)"
    return None


def first_difference(mine, theirs):
    i = 0
    while i < len(mine) and i < len(theirs) and mine[i] == theirs[i]:
        i += 1
    return i


def describe(src, tok):
    if tok is None:
        return "nothing"
    return f"{tok[0]} {src[tok[1]:tok[2]]!r} [{tok[1]}:{tok[2]}]"


def run_ruby(args, stats, save):
    from fastlex import prism

    binary = prism.find_prism(args.prism)
    if binary is None:
        sys.exit(prism.INSTALL_HINT)
    corpus = ruby_corpus()
    tmp = tempfile.mkdtemp(prefix="fastlex-diff-")
    try:
        done = 0
        while done < args.programs:
            n = min(args.batch, args.programs - done)
            cases = list(ruby_cases(args.seed, args.start + done, n, args.mutate_every, corpus))
            paths = []
            for k, (label, src, mutated) in enumerate(cases):
                p = os.path.join(tmp, f"{k}.rb")
                with open(p, "wb") as f:
                    f.write(src)
                paths.append(p)
            res = subprocess.run([binary, "-"], input="\n".join(paths) + "\n", capture_output=True,
                                 text=True, errors="surrogateescape", check=False)
            if res.returncode != 0 and not res.stdout:
                raise RuntimeError(f"prism-tokens failed (exit {res.returncode}): {res.stderr.strip()}")
            results = {f.path: f for f in prism.parse_output(res.stdout)}
            for p, (label, src, mutated) in zip(paths, cases):
                group = "mutations" if mutated else "programs"
                stats[group] += 1
                mine = prism.fastlex_tokens(src)          # every source, clean or not: no crash
                theirs = results.get(p)
                if theirs is None:
                    stats["prism_missing"] += 1
                    save(label, src, "prism printed nothing for this file")
                    continue
                if theirs.errors:
                    continue
                stats[group + "_clean"] += 1
                if mine == theirs.tokens:
                    stats[group + "_identical"] += 1
                    continue
                i = first_difference(mine, theirs.tokens)
                why = accepted_ruby(src, mine, theirs.tokens, i)
                if why:
                    stats["accepted: " + why] += 1
                    continue
                stats[group + "_different"] += 1
                a = mine[i][0] if i < len(mine) else "nothing"
                b = theirs.tokens[i][0] if i < len(theirs.tokens) else "nothing"
                save(label, src, f"first difference at token {i}: fastlex "
                     f"{describe(src, mine[i] if i < len(mine) else None)}, prism "
                     f"{describe(src, theirs.tokens[i] if i < len(theirs.tokens) else None)}", f"{a} vs {b}")
            done += n
            progress(args, stats, done)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def ruby_signature(binary, sources, tmp):
    """For each source: None if prism rejects it or fastlex agrees, else the signature of its
    first difference (fastlex kind, prism kind), accepted differences excluded."""
    from fastlex import prism
    paths = []
    for k, src in enumerate(sources):
        p = os.path.join(tmp, f"m{k}.rb")
        with open(p, "wb") as f:
            f.write(src)
        paths.append(p)
    results = prism.run_prism(binary, paths)
    out = []
    for p, src in zip(paths, sources):
        theirs = results.get(p)
        if theirs is None or theirs.errors:
            out.append(None)
            continue
        mine = prism.fastlex_tokens(src)
        if mine == theirs.tokens:
            out.append(None)
            continue
        i = first_difference(mine, theirs.tokens)
        if accepted_ruby(src, mine, theirs.tokens, i):
            out.append(None)
            continue
        out.append((mine[i][0] if i < len(mine) else None, theirs.tokens[i][0] if i < len(theirs.tokens) else None))
    return out


def minimize_ruby(src, binary):
    """A smaller source with the same first-difference signature (greedy: drop lines, then
    ever smaller runs of bytes, one prism run per round of candidates)."""
    tmp = tempfile.mkdtemp(prefix="fastlex-min-")
    try:
        want = ruby_signature(binary, [src], tmp)[0]
        if want is None:
            return src
        for size in (None, 64, 16, 8, 4, 2, 1):
            progress_made = True
            while progress_made:
                progress_made = False
                if size is None:
                    lines = src.splitlines(keepends=True)
                    cands = [b"".join(lines[:k] + lines[k + 1:]) for k in range(len(lines))]
                else:
                    cands = [src[:k] + src[k + size:] for k in range(0, len(src), max(size // 2, 1))]
                for cand, sig in zip(cands, ruby_signature(binary, cands, tmp)):
                    if sig == want and len(cand) < len(src):
                        src = cand
                        progress_made = True
                        break
        return src
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ----------------------------------------------------------------------------------- Python

def run_tokenize(make, readline):
    """(tokens, (exception type, str, args) or None), as tests/python/pyoracle.py runs them."""
    out = []
    try:
        for tok in make(readline):
            out.append(tok)
    except Exception as exc:  # compared with the other side, never swallowed
        return out, (type(exc), str(exc), exc.args)
    return out, None


def python_cases(seed, start, count, mutate_every, corpus):
    for i in range(start, start + count):
        r = program_rng(seed, i)
        src = generators.python_program(r)
        yield f"{seed}:{i}", src, False
        if mutate_every and i % mutate_every == 0:
            base = r.choice(corpus) if corpus and r.random() < 0.3 else src
            yield f"{seed}:{i}:m", generators.mutate_text(r, base, corpus), True


def python_corpus(limit=3000, files=200):
    """Slices of the running interpreter's standard library, for the mutations."""
    import tokenize
    root = os.path.dirname(tokenize.__file__)
    names = sorted(n for n in os.listdir(root) if n.endswith(".py"))[:files]
    out = []
    for n in names:
        with open(os.path.join(root, n), encoding="utf-8", errors="replace") as f:
            out.append(f.read()[:limit])
    return out


def python_difference(src):
    """None if fastlex.python agrees with tokenize on src (str and UTF-8 bytes), else
    (which, first token index, tokenize's side, fastlex's side)."""
    import tokenize
    import fastlex.python as fp
    want = run_tokenize(tokenize.generate_tokens, io.StringIO(src).readline)
    got = run_tokenize(fp.generate_tokens, io.StringIO(src).readline)
    if want != got:
        which, a, b = "generate_tokens", want, got
    else:
        data = src.encode("utf-8", "surrogatepass")
        a = run_tokenize(tokenize.tokenize, io.BytesIO(data).readline)
        b = run_tokenize(fp.tokenize, io.BytesIO(data).readline)
        if a == b:
            return None
        which = "tokenize"
    i = first_difference(a[0], b[0])
    return which, i, (a[0][i] if i < len(a[0]) else a[1]), (b[0][i] if i < len(b[0]) else b[1])


def python_signature(diff):
    which, i, a, b = diff

    def kind(t):
        if t is None:
            return "end"
        return tokenize_name(t.type) if hasattr(t, "type") else t[0].__name__
    return f"{which} {kind(a)} vs {kind(b)}"


def tokenize_name(t):
    import token
    return token.tok_name.get(t, str(t))


def minimize_python(src):
    """A smaller source with the same difference signature (greedy, as minimize_ruby)."""
    diff = python_difference(src)
    if diff is None:
        return src
    want = python_signature(diff)
    for size in (None, 16, 4, 1):
        progress_made = True
        while progress_made:
            progress_made = False
            if size is None:
                lines = src.splitlines(keepends=True)
                cands = ["".join(lines[:k] + lines[k + 1:]) for k in range(len(lines))]
            else:
                cands = [src[:k] + src[k + size:] for k in range(0, len(src), max(size // 2, 1))]
            for cand in cands:
                d = python_difference(cand)
                if d is not None and python_signature(d) == want and len(cand) < len(src):
                    src = cand
                    progress_made = True
                    break
    return src


def run_python(args, stats, save):
    import tokenize
    import warnings
    import fastlex.python as fp
    warnings.simplefilter("ignore")      # tokenize's SyntaxWarnings (invalid escapes) are not differences

    corpus = python_corpus()
    done = 0
    while done < args.programs:
        n = min(args.batch, args.programs - done)
        for label, src, mutated in python_cases(args.seed, args.start + done, n, args.mutate_every, corpus):
            group = "mutations" if mutated else "programs"
            stats[group] += 1
            want = run_tokenize(tokenize.generate_tokens, io.StringIO(src).readline)
            got = run_tokenize(fp.generate_tokens, io.StringIO(src).readline)
            data = src.encode("utf-8", "surrogatepass")
            want_b = run_tokenize(tokenize.tokenize, io.BytesIO(data).readline)
            got_b = run_tokenize(fp.tokenize, io.BytesIO(data).readline)
            if want[1] is None:
                stats[group + "_clean"] += 1
            if want == got and want_b == got_b:
                stats[group + "_identical"] += 1
                continue
            which, (a, b) = ("generate_tokens", (want, got)) if want != got else ("tokenize", (want_b, got_b))
            if a[1] is not None and (a[1][0] is SystemError or a[1][0] is UnicodeDecodeError):
                # CPython's own tokenizer failed internally (3.12+: a string continued over a
                # backslash-newline inside an f-string's field with '=': SystemError, or a
                # UnicodeDecodeError on a str or on valid UTF-8 -- every source here is one, encoded
                # from a str): an interpreter bug, not tokenize's contract.
                stats["accepted: tokenize raised SystemError (an interpreter bug)"] += 1
                continue
            stats[group + "_different"] += 1
            i = first_difference(a[0], b[0])
            save(label, data, f"{which}: first difference at token {i} (fallback {fp.last_fallback()!r})\n"
                 f"  tokenize: {a[0][i] if i < len(a[0]) else a[1]}\n"
                 f"  fastlex:  {b[0][i] if i < len(b[0]) else b[1]}",
                 python_signature((which, i, a[0][i] if i < len(a[0]) else a[1],
                                   b[0][i] if i < len(b[0]) else b[1])))
        done += n
        progress(args, stats, done)


# ------------------------------------------------------------------------------------ main

def progress(args, stats, done):
    if args.quiet:
        return
    dt = time.perf_counter() - args.t0
    clean = stats["programs_clean"] + stats["mutations_clean"]
    diff = stats["programs_different"] + stats["mutations_different"]
    print(f"{done:>9} programs  {stats['mutations']:>8} mutations  clean {clean:>9}  different {diff:>4}  "
          f"{dt:8.0f} s  ({done / dt if dt else 0:.0f}/s)", flush=True)


def interpreter_version(python):
    out = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def reexec_under(python, argv):
    """Build fastlex for python (tests/python/test_py_interpreters.py's cached venv and tree)
    and run this script there with the same arguments."""
    sys.path[:0] = [os.path.join(ROOT, "tests"), os.path.join(ROOT, "tests", "python")]
    import test_py_interpreters as interp      # (and tests/buildtree.py, which it imports)
    version = interpreter_version(python)
    tree, vpy = interp.build_for(python, version)
    rest = []
    skip = False
    for a in argv:
        if skip:
            skip = False
            continue
        if a == "--python":
            skip = True
            continue
        if a.startswith("--python="):
            continue
        rest.append(a)
    env = dict(os.environ, PYTHONPATH=tree)
    print(f"running under {vpy} ({version}), fastlex from {tree}", flush=True)
    return subprocess.run([vpy, os.path.abspath(__file__), *rest], env=env).returncode


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--language", choices=["ruby", "python"], required=True)
    ap.add_argument("--programs", type=int, default=10_000, help="generated programs (default 10000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start", type=int, default=0, help="first program index (to resume a campaign)")
    ap.add_argument("--mutate-every", type=int, default=4,
                    help="a mutation after every Nth program (0: none; default 4)")
    ap.add_argument("--batch", type=int, default=2000, help="programs per prism-tokens run / progress line")
    ap.add_argument("--findings", help="where differences are saved (default fuzz/findings/LANGUAGE)")
    ap.add_argument("--prism", help="the prism-tokens binary (default: $FASTLEX_PRISM, ../shared/prism)")
    ap.add_argument("--python", help="run the Python campaign under this interpreter")
    ap.add_argument("--replay", help="print program SEED:I (SEED:I:m for its mutation) and exit")
    ap.add_argument("--json", action="store_true", help="print the counts as JSON at the end")
    ap.add_argument("--minimize", nargs="+", metavar="FILE",
                    help="Ruby: print a minimal source with the same first difference as each FILE, and exit")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)

    if args.python:
        if args.language != "python":
            ap.error("--python is for --language python")
        return reexec_under(args.python, argv)

    if args.minimize:
        if args.language == "python":
            import warnings
            warnings.simplefilter("ignore")
            for path in args.minimize:
                with open(path, "rb") as f:
                    src = f.read().decode("utf-8", "surrogatepass")
                small = minimize_python(src)
                diff = python_difference(small)
                print(f"{path}: {small!r}  [{python_signature(diff) if diff else 'no difference'}]")
            return 0
        from fastlex import prism
        binary = prism.find_prism(args.prism)
        for path in args.minimize:
            with open(path, "rb") as f:
                small = minimize_ruby(f.read(), binary)
            print(f"{path}: {small!r}")
        return 0

    if args.replay:
        parts = args.replay.split(":")
        seed, i = int(parts[0]), int(parts[1])
        make = ruby_cases if args.language == "ruby" else python_cases
        corpus = ruby_corpus() if args.language == "ruby" else python_corpus()
        for label, src, mutated in make(seed, i, 1, 1 if len(parts) > 2 else 0, corpus):
            if label == args.replay:
                out = src if isinstance(src, bytes) else src.encode("utf-8", "surrogatepass")
                sys.stdout.buffer.write(out)
        return 0

    import fastlex
    findings = args.findings or os.path.join(HERE, "findings", args.language)
    stats = collections.Counter()
    saved = []

    signatures = collections.Counter()

    def save(label, src, what, signature="other"):
        """Count the difference under its signature (the two kinds); keep the first 5 of each."""
        signatures[signature] += 1
        saved.append(label)
        if signatures[signature] > 5:
            return
        os.makedirs(findings, exist_ok=True)
        name = label.replace(":", "-")
        ext = ".rb" if args.language == "ruby" else ".py"
        data = src if isinstance(src, bytes) else src.encode("utf-8", "surrogatepass")
        with open(os.path.join(findings, name + ext), "wb") as f:
            f.write(data)
        with open(os.path.join(findings, name + ".txt"), "w") as f:
            f.write(f"{label}\n{what}\n")
        if not args.quiet:
            print(f"DIFFERENCE {label} ({signature}): {what}", flush=True)

    args.t0 = time.perf_counter()
    (run_ruby if args.language == "ruby" else run_python)(args, stats, save)
    elapsed = time.perf_counter() - args.t0
    oracle = "prism" if args.language == "ruby" else f"tokenize {sys.version.split()[0]}"
    summary = {"language": args.language, "oracle": oracle, "seed": args.seed, "start": args.start,
               "seconds": round(elapsed, 1), "fastlex": fastlex.__file__, **dict(sorted(stats.items())),
               "findings": saved[:100]}
    print(f"\n{args.language} vs {oracle}, seed {args.seed}: {stats['programs']} programs "
          f"({stats['programs_clean']} oracle-clean, {stats['programs_identical']} identical, "
          f"{stats['programs_different']} different), {stats['mutations']} mutations "
          f"({stats['mutations_clean']} oracle-clean, {stats['mutations_identical']} identical, "
          f"{stats['mutations_different']} different), {elapsed:.0f} s")
    for key in sorted(k for k in stats if k.startswith("accepted") or k == "prism_missing"):
        print(f"  {key}: {stats[key]}")
    for sig, count in signatures.most_common():
        print(f"  different, first tokens {sig}: {count}")
    summary["signatures"] = dict(signatures)
    if args.json:
        print(json.dumps(summary))
    return 1 if saved else 0


if __name__ == "__main__":
    sys.exit(main())
