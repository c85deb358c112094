"""One core, several grammars: the language registry and the ``language=`` argument of every
entry point. Ruby is the default; an unknown language is a ValueError naming the known ones."""
import pytest

import fastlex
from fastlex._core import grammar_info


def test_registry_lists_ruby():
    assert "ruby" in fastlex.LANGUAGES
    g = grammar_info("ruby")
    assert g.name == g.language == "ruby" and g.kinds is fastlex.Kind
    assert g.error_messages == fastlex._core.ERROR_MESSAGES
    assert grammar_info("ruby") is g                 # made once


def test_language_argument_everywhere():
    src = b"def f(x) = x + 1\n"
    ref = fastlex.tokenize(src)
    for toks in (fastlex.tokenize(src, language="ruby"), fastlex.Lexer(language="ruby").tokenize(src),
                 fastlex.tokenize_many([src], language="ruby", workers=1)[0]):
        assert list(toks.kinds) == list(ref.kinds) and list(toks) == list(ref)
        assert toks.source.grammar is grammar_info("ruby")
        assert toks[0].type is fastlex.Kind.KEYWORD_DEF
    assert fastlex.Lexer().language == "ruby"


@pytest.mark.parametrize("call", [
    lambda lang: fastlex.tokenize("x", language=lang),
    lambda lang: fastlex.Lexer(language=lang),
    lambda lang: fastlex.tokenize_many(["x"], language=lang),
])
def test_unknown_and_wrong_languages(call):
    with pytest.raises(ValueError, match="unknown language 'cobol'.*known: .*ruby"):
        call("cobol")
    with pytest.raises(TypeError, match="language must be a str"):
        call(3)


def test_arrow_language_argument():
    pa = pytest.importorskip("pyarrow")
    import fastlex.arrow
    table = pa.table({"content": [b"x = 1\n"]})
    assert fastlex.arrow.tokenize_table(table, language="ruby").column("tokens").to_pylist()[0][0]["kind"] == \
        fastlex.Kind.IDENTIFIER
    with pytest.raises(ValueError, match="unknown language"):
        fastlex.arrow.tokenize_table(table, language="cobol")


def test_lexer_without_init_refuses():
    class Half(fastlex.Lexer):
        def __init__(self):
            pass
    with pytest.raises(RuntimeError, match="__init__"):
        Half().tokenize(b"x")
