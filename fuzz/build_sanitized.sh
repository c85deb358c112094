#!/usr/bin/env bash
# Build fastlex with AddressSanitizer + UBSan into a package directory outside the work tree,
# from a copy of the sources (the checkout, its in-place build and its generated files are
# never touched):
#   fuzz/build_sanitized.sh gcc   [OUT]  -> OUT/fastlex (default OUT /tmp/fastlex-asan; run with
#                                         gcc's libasan preloaded)
#   fuzz/build_sanitized.sh clang [OUT]  -> OUT/fastlex (default OUT /tmp/fastlex-fuzz; also
#                                         libFuzzer coverage counters, for atheris: needs clang
#                                         and libclang-rt-14-dev; run with atheris's
#                                         asan_with_fuzzer.so preloaded)
# OUT may also come from FASTLEX_SANITIZED_OUT. The build's scratch space is OUT.work.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-python3}
kind=${1:-gcc}
default=/tmp/fastlex-$([ "$kind" = clang ] && echo fuzz || echo asan)
out=${2:-${FASTLEX_SANITIZED_OUT:-$default}}
work=$out.work
rm -rf "$work" && mkdir -p "$work/src"
# The sources only: no built extension, no generated C (setup.py regenerates both in the copy).
(cd "$root" && tar cf - --exclude='*.so' --exclude='*.c' --exclude='*.html' --exclude=__pycache__ \
    setup.py pyproject.toml README.md fastlex grammars) | tar xf - -C "$work/src"
cd "$work/src"
if [ "$kind" = clang ]; then
    CC=clang LDSHARED="clang -shared" CFLAGS="${FASTLEX_FUZZ_CFLAGS:--fsanitize=fuzzer-no-link}" FASTLEX_SANITIZE=1 \
        "$PY" setup.py -q build_ext --inplace >"$work/build.log" 2>&1 || { tail -40 "$work/build.log" >&2; exit 1; }
else
    FASTLEX_SANITIZE=1 "$PY" setup.py -q build_ext --inplace >"$work/build.log" 2>&1 || { tail -40 "$work/build.log" >&2; exit 1; }
fi
rm -rf "$out.new" && mkdir -p "$out.new"
cp -r fastlex "$out.new/"
find "$out.new" -name '*.c' -delete
rm -rf "$out" && mv "$out.new" "$out"
cd / && rm -rf "$work"
echo "sanitized fastlex in $out (PYTHONPATH=$out)"
