"""Build fastlex: generate the tables from grammars/ruby, then cythonize fastlex/_core.pyx and fastlex/_stream.pyx.

With GCC the extensions are built twice (profile-guided optimisation): once instrumented, then,
after a training run that lexes the shipped sample, again with the recorded branch and call
counts (about 1.1x faster lexing, measured in PERFORMANCE.md). FASTLEX_PGO=0 builds once.
"""
import os
import shutil
import subprocess
import sys
import tempfile

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))

# The Cython tables and fastlex/kinds.py are generated from the grammar data.
subprocess.check_call([sys.executable, os.path.join(HERE, "grammars", "generate.py")])
subprocess.check_call([sys.executable, os.path.join(HERE, "grammars", "python", "generate.py")])

from Cython.Build import cythonize  # noqa: E402  (after generation, which it reads)

# Optimised but portable: no -march=native, so wheels run on any x86-64/ARM64.
# FASTLEX_SANITIZE=1 builds with AddressSanitizer + UBSan for fuzzing.
extra_compile = ["-O3", "-fno-strict-aliasing", "--param", "large-function-growth=400", "--param", "inline-unit-growth=400"]
extra_link = []
if os.environ.get("FASTLEX_SANITIZE"):
    extra_compile = ["-O1", "-g", "-fno-omit-frame-pointer", "-fsanitize=address,undefined"]
    extra_link = ["-fsanitize=address,undefined"]
# FASTLEX_COVERAGE=1 builds for gcov (fuzz/coverage.sh): unoptimised, with #line directives
# so that the counts map back to the .pyx/.pxi lines.
if os.environ.get("FASTLEX_COVERAGE"):
    extra_compile = ["-O0", "-g", "--coverage"]
    extra_link = ["--coverage"]
if sys.platform == "win32":
    extra_compile = ["/O2"]

# The training run of the profile-guided build: what users do most (lex bytes and str, ASCII and
# not, make every Token), on the shipped sample, in a child process importing the instrumented build.
PGO_TRAINING = r"""
import sys
sys.path.insert(0, sys.argv[1])
import fastlex
src = open(sys.argv[2], "rb").read()
non_ascii = src + "\n# caf\u00e9 \u2014 \u65e5\u672c\n".encode() + src
lexer = fastlex.Lexer()
for _ in range(40):
    lexer.tokenize(src)
for _ in range(10):
    lexer.tokenize(non_ascii)
    lexer.tokenize(src.decode())
for token in fastlex.tokenize(src.decode()):
    token.string
# The Python grammar too (its extension's profile would otherwise say "never run": code
# optimised for size, measured 20% slower): the lex, and the tokenize front end.
import io
import fastlex.python
py = open(sys.argv[2][:-len("sample.rb")] + "sample.py", "rb").read()
plexer = fastlex.Lexer(language="python")
for _ in range(20):
    plexer.tokenize(py)
for _ in range(4):
    list(fastlex.python.generate_tokens(io.StringIO(py.decode()).readline))
    list(fastlex.python.tokenize(io.BytesIO(py).readline))
"""


def compiler_is_gcc(compiler):
    """True if the C compiler setuptools chose is GCC (the only one whose profiles need no merge tool)."""
    if getattr(compiler, "compiler_type", "") != "unix":
        return False
    try:
        out = subprocess.run(compiler.compiler_so[:1] + ["--version"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "Free Software Foundation" in out and "clang" not in out


class BuildExt(build_ext):
    """build_ext with a profile-guided second pass when the compiler is GCC; falls back to one plain
    build (with a warning) if any step of the profiled build fails."""

    def build_extensions(self):
        wanted = (os.environ.get("FASTLEX_PGO", "1") != "0" and not os.environ.get("FASTLEX_SANITIZE")
                  and not os.environ.get("FASTLEX_COVERAGE"))
        if not (wanted and compiler_is_gcc(self.compiler)):
            return super().build_extensions()
        plain = {ext.name: (list(ext.extra_compile_args), list(ext.extra_link_args)) for ext in self.extensions}
        try:
            self.build_profiled(plain)
        except Exception as exc:  # any failure of the two-pass build: build once, without profiles
            print(f"fastlex: profile-guided build failed ({exc}); building without it", file=sys.stderr)
            self.set_flags(plain, [], [])
            self.rebuild()

    def set_flags(self, plain, compile_flags, link_flags):
        """Give every extension its plain flags plus the given ones."""
        for ext in self.extensions:
            ext.extra_compile_args = plain[ext.name][0] + compile_flags
            ext.extra_link_args = plain[ext.name][1] + link_flags

    def rebuild(self):
        """Compile and link every extension even if its outputs look up to date."""
        self.force = self.compiler.force = True
        super().build_extensions()

    def build_profiled(self, plain):
        """Instrumented build, training run, then the build that uses the profiles (.gcda files
        GCC writes beside the object files in build_temp, where the second pass looks for them)."""
        for root, _dirs, files in os.walk(self.build_temp):
            for name in files:
                if name.endswith(".gcda"):
                    os.remove(os.path.join(root, name))
        self.set_flags(plain, ["-fprofile-generate", "-fprofile-update=single"], ["-fprofile-generate"])
        self.rebuild()
        with tempfile.TemporaryDirectory(prefix="fastlex-pgo-") as tmp:
            package = os.path.join(tmp, "fastlex")
            shutil.copytree(os.path.join(HERE, "fastlex"), package,
                            ignore=shutil.ignore_patterns("*.so", "*.pyd", "*.c", "__pycache__"))
            for ext in self.extensions:   # each into its package's folder (fastlex.python._scanner too)
                shutil.copy(self.get_ext_fullpath(ext.name), os.path.join(tmp, *ext.name.split(".")[:-1]))
            sample = os.path.join(HERE, "fastlex", "samples", "sample.rb")
            status = subprocess.run([sys.executable, "-c", PGO_TRAINING, tmp, sample], timeout=600).returncode
            if status != 0:
                raise RuntimeError(f"the training run exited with status {status}")
        self.set_flags(plain, ["-fprofile-use", "-fprofile-partial-training", "-fprofile-correction",
                               "-Wno-missing-profile"], [])
        self.rebuild()


extensions = [
    Extension(
        "fastlex._core",
        ["fastlex/_core.pyx"],
        extra_compile_args=extra_compile,
        extra_link_args=extra_link,
    ),
    # The Pygments plugin's token stream loop (fastlex/pygments.py); imports neither Pygments nor _core.
    Extension(
        "fastlex._stream",
        ["fastlex/_stream.pyx"],
        extra_compile_args=extra_compile,
        extra_link_args=extra_link,
    ),
    # The Python grammar's scanner and tokenize front end (fastlex/python); includes the core's .pxi units.
    Extension(
        "fastlex.python._scanner",
        ["fastlex/python/_scanner.pyx"],
        extra_compile_args=extra_compile,
        extra_link_args=extra_link,
    ),
]

setup(
    cmdclass={"build_ext": BuildExt},
    ext_modules=cythonize(
        extensions,
        compiler_directives={"language_level": "3", "boundscheck": False, "wraparound": False},
        annotate=bool(os.environ.get("FASTLEX_ANNOTATE")),
        emit_linenums=bool(os.environ.get("FASTLEX_COVERAGE")),
    ),
)
