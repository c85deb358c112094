"""The contract of issue 12 on Ruby's standard library: every file prism parses without errors
lexes to prism's token stream exactly (kinds, starts, ends; prism's list sorted stably by start).

No skip list: 100% of the corpus. The corpus and the prism oracle are required in CI (``CI``
set), skipped elsewhere when missing (tests/corpus.py, tests/prism_oracle.py).
"""
from fastlex import prism

from corpus import corpus_files
from prism_oracle import require_prism


def test_every_stdlib_file_is_identical_to_prism():
    binary = require_prism()
    files = corpus_files()
    summary = prism.check_paths_with_prism(files, binary)
    assert summary.files_checked == len(files)
    assert summary.skipped_prism_errors == 0, "prism parses the whole standard library cleanly"
    firsts = [f"{d['path']}:{d['line']}:{d['column']}: fastlex {d['fastlex']} / prism {d['prism']}"
              for d in summary.differences[:10]]
    assert summary.different == 0, "\n".join(firsts)
    assert summary.agreeing_tokens == summary.prism_tokens
