"""Build fastlex: generate the tables from grammars/ruby, then cythonize fastlex/_core.pyx and fastlex/_stream.pyx."""
import os
import subprocess
import sys

from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))

# The Cython tables and fastlex/kinds.py are generated from the grammar data.
subprocess.check_call([sys.executable, os.path.join(HERE, "grammars", "generate.py")])

from Cython.Build import cythonize  # noqa: E402  (after generation, which it reads)

# Optimised but portable: no -march=native, so wheels run on any x86-64/ARM64.
# FASTLEX_SANITIZE=1 builds with AddressSanitizer + UBSan for fuzzing.
extra_compile = ["-O3", "-fno-strict-aliasing", "--param", "large-function-growth=400", "--param", "inline-unit-growth=400"]
extra_link = []
if os.environ.get("FASTLEX_SANITIZE"):
    extra_compile = ["-O1", "-g", "-fno-omit-frame-pointer", "-fsanitize=address,undefined"]
    extra_link = ["-fsanitize=address,undefined"]
if sys.platform == "win32":
    extra_compile = ["/O2"]

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
]

setup(
    ext_modules=cythonize(
        extensions,
        compiler_directives={"language_level": "3", "boundscheck": False, "wraparound": False},
        annotate=bool(os.environ.get("FASTLEX_ANNOTATE")),
    ),
)
