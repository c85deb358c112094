#!/usr/bin/env bash
# Build fastlex with AddressSanitizer + UBSan into a package copy outside the work tree,
# never touching the in-place build:
#   fuzz/build_sanitized.sh gcc   -> /tmp/fastlex-asan/fastlex   (run with gcc's libasan preloaded)
#   fuzz/build_sanitized.sh clang -> /tmp/fastlex-fuzz/fastlex   (also libFuzzer coverage counters,
#                                    for atheris: needs Debian's clang and libclang-rt-14-dev)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
kind=${1:-gcc}
out=/tmp/fastlex-$([ "$kind" = clang ] && echo fuzz || echo asan)
# setup.py regenerates the tables and cythonizes in the tree: one build at a time.
exec 9>/tmp/fastlex-build.lock
flock 9
if [ "$kind" = clang ]; then
    CC=clang LDSHARED="clang -shared" CFLAGS="-fsanitize=fuzzer-no-link" FASTLEX_SANITIZE=1 \
        "$PY" setup.py -q build_ext -b "$out-build" -t "$out-tmp" >/dev/null
else
    FASTLEX_SANITIZE=1 "$PY" setup.py -q build_ext -b "$out-build" -t "$out-tmp" >/dev/null
fi
rm -rf "$out" && mkdir -p "$out/fastlex/python"
cp fastlex/*.py "$out/fastlex/"
cp fastlex/python/*.py "$out/fastlex/python/"
cp -r fastlex/samples "$out/fastlex/"
cp "$out-build"/fastlex/*.so "$out/fastlex/"
cp "$out-build"/fastlex/python/*.so "$out/fastlex/python/"
echo "sanitized fastlex in $out (PYTHONPATH=$out)"
