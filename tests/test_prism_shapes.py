"""fastlex's tokens in prism's shapes (issue 12: the token stream of Ruby's own parser).

Each case is a source prism parses without errors and prism's whole token stream for it, as
(kind, text) pairs in source order, NEWLINE, IGNORED_NEWLINE and EOF included (prism's
``__END__`` is spelled ``KEYWORD___END__``). Every difference from prism fixed in fastlex gets
a case here. Every case is also checked against the prism oracle live (``tests/prism_oracle.py``:
skipped where the binary is missing, except in CI, where that fails).
"""
import pytest

import fastlex

from prism_oracle import prism_tokens, require_prism

SHAPES = [
    ('def ensure=(v)\nend\ndef self.if=(v); end\nx.ensure = 1\n', [('KEYWORD_DEF', 'def'), ('IDENTIFIER', 'ensure='), ('PARENTHESIS_LEFT', '('), ('IDENTIFIER', 'v'), ('PARENTHESIS_RIGHT', ')'), ('IGNORED_NEWLINE', '\n'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('KEYWORD_DEF', 'def'), ('KEYWORD_SELF', 'self'), ('DOT', '.'), ('IDENTIFIER', 'if='), ('PARENTHESIS_LEFT', '('), ('IDENTIFIER', 'v'), ('PARENTHESIS_RIGHT', ')'), ('SEMICOLON', ';'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('IDENTIFIER', 'x'), ('DOT', '.'), ('IDENTIFIER', 'ensure'), ('EQUAL', '='), ('INTEGER', '1'), ('NEWLINE', '\n'), ('EOF', '\n')]),  # a keyword setter (puppet's directoryservice.rb)
    ('# frozen_string_literal: true\nx\n', [('COMMENT', '# frozen_string_literal: true'), ('IGNORED_NEWLINE', '\n'), ('IDENTIFIER', 'x'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('a = 1\n\nb = a +\n  2\n', [('IDENTIFIER', 'a'), ('EQUAL', '='), ('INTEGER', '1'), ('NEWLINE', '\n'), ('IGNORED_NEWLINE', '\n'), ('IDENTIFIER', 'b'), ('EQUAL', '='), ('IDENTIFIER', 'a'), ('PLUS', '+'), ('IGNORED_NEWLINE', '\n'), ('INTEGER', '2'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('f(\n1,\n2\n)\n', [('IDENTIFIER', 'f'), ('PARENTHESIS_LEFT', '('), ('IGNORED_NEWLINE', '\n'), ('INTEGER', '1'), ('COMMA', ','), ('IGNORED_NEWLINE', '\n'), ('INTEGER', '2'), ('NEWLINE', '\n'), ('PARENTHESIS_RIGHT', ')'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('a\n  # c\n  .b\n', [('IDENTIFIER', 'a'), ('IGNORED_NEWLINE', '\n'), ('COMMENT', '# c'), ('IGNORED_NEWLINE', '\n'), ('DOT', '.'), ('IDENTIFIER', 'b'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('x = 1  ', [('IDENTIFIER', 'x'), ('EQUAL', '='), ('INTEGER', '1'), ('EOF', '')]),
    ('x # c', [('IDENTIFIER', 'x'), ('COMMENT', '# c'), ('EOF', '')]),
    ('', [('EOF', '')]),
    ('\n', [('IGNORED_NEWLINE', '\n'), ('EOF', '\n')]),
    ('x\r\ny\r\n', [('IDENTIFIER', 'x'), ('NEWLINE', '\r\n'), ('IDENTIFIER', 'y'), ('NEWLINE', '\r\n'), ('EOF', '\n')]),
    ('# c\r\nx\r\n', [('COMMENT', '# c\r'), ('IGNORED_NEWLINE', '\n'), ('IDENTIFIER', 'x'), ('NEWLINE', '\r\n'), ('EOF', '\n')]),
    ('=begin\nx\n=end\ny\n', [('EMBDOC_BEGIN', '=begin\n'), ('EMBDOC_LINE', 'x\n'), ('EMBDOC_END', '=end\n'), ('IDENTIFIER', 'y'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('=begin\n=end', [('EMBDOC_BEGIN', '=begin\n'), ('EMBDOC_END', '=end'), ('EOF', '')]),
    ('x\n__END__\ndata\n', [('IDENTIFIER', 'x'), ('NEWLINE', '\n'), ('KEYWORD___END__', '__END__\ndata\n'), ('EOF', '__END__\ndata\n')]),
    ('__END__', [('KEYWORD___END__', '__END__'), ('EOF', '__END__')]),
    ('x = "a\\nb\\u{41}#{c}\\\\"\n', [('IDENTIFIER', 'x'), ('EQUAL', '='), ('STRING_BEGIN', '"'), ('STRING_CONTENT', 'a\\nb\\u{41}'), ('EMBEXPR_BEGIN', '#{'), ('IDENTIFIER', 'c'), ('EMBEXPR_END', '}'), ('STRING_CONTENT', '\\\\'), ('STRING_END', '"'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('x = /a\\/b\\d/i\n', [('IDENTIFIER', 'x'), ('EQUAL', '='), ('REGEXP_BEGIN', '/'), ('STRING_CONTENT', 'a\\/b\\d'), ('REGEXP_END', '/i'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('x = %w[a\\ b c\n  d]\n', [('IDENTIFIER', 'x'), ('EQUAL', '='), ('PERCENT_LOWER_W', '%w['), ('STRING_CONTENT', 'a\\ b'), ('WORDS_SEP', ' '), ('STRING_CONTENT', 'c'), ('WORDS_SEP', '\n  '), ('STRING_CONTENT', 'd'), ('STRING_END', ']'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('x = %I[a#{b}c d]\n', [('IDENTIFIER', 'x'), ('EQUAL', '='), ('PERCENT_UPPER_I', '%I['), ('STRING_CONTENT', 'a'), ('EMBEXPR_BEGIN', '#{'), ('IDENTIFIER', 'b'), ('EMBEXPR_END', '}'), ('STRING_CONTENT', 'c'), ('WORDS_SEP', ' '), ('STRING_CONTENT', 'd'), ('STRING_END', ']'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('x = `ls \\n`\n', [('IDENTIFIER', 'x'), ('EQUAL', '='), ('XSTRING_BEGIN', '`'), ('STRING_CONTENT', 'ls \\n'), ('STRING_END', '`'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('x = %x(ls)\n', [('IDENTIFIER', 'x'), ('EQUAL', '='), ('PERCENT_LOWER_X', '%x('), ('STRING_CONTENT', 'ls'), ('STRING_END', ')'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('x = <<~E\n  a\n    b\n\n  c\\n #{d} e\n  E\n', [('IDENTIFIER', 'x'), ('EQUAL', '='), ('HEREDOC_START', '<<~E'), ('NEWLINE', '\n'), ('STRING_CONTENT', '  a\n'), ('STRING_CONTENT', '    b\n'), ('STRING_CONTENT', '\n'), ('STRING_CONTENT', '  c\\n '), ('EMBEXPR_BEGIN', '#{'), ('IDENTIFIER', 'd'), ('EMBEXPR_END', '}'), ('STRING_CONTENT', ' e\n'), ('HEREDOC_END', '  E\n'), ('EOF', '\n')]),
    ('x = <<-E\n  a\n  b\n  E\n', [('IDENTIFIER', 'x'), ('EQUAL', '='), ('HEREDOC_START', '<<-E'), ('NEWLINE', '\n'), ('STRING_CONTENT', '  a\n  b\n'), ('HEREDOC_END', '  E\n'), ('EOF', '\n')]),
    ('f(<<A, <<B)\na\nA\nb\nB\ny\n', [('IDENTIFIER', 'f'), ('PARENTHESIS_LEFT', '('), ('HEREDOC_START', '<<A'), ('COMMA', ','), ('HEREDOC_START', '<<B'), ('PARENTHESIS_RIGHT', ')'), ('NEWLINE', '\n'), ('STRING_CONTENT', 'a\n'), ('HEREDOC_END', 'A\n'), ('STRING_CONTENT', 'b\n'), ('HEREDOC_END', 'B\n'), ('IDENTIFIER', 'y'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('x = <<E\nE\n', [('IDENTIFIER', 'x'), ('EQUAL', '='), ('HEREDOC_START', '<<E'), ('NEWLINE', '\n'), ('HEREDOC_END', 'E\n'), ('EOF', '\n')]),
    ('x = <<~E.strip\n  a\nE\n  .y\n', [('IDENTIFIER', 'x'), ('EQUAL', '='), ('HEREDOC_START', '<<~E'), ('DOT', '.'), ('IDENTIFIER', 'strip'), ('IGNORED_NEWLINE', '\n'), ('STRING_CONTENT', '  a\n'), ('HEREDOC_END', 'E\n'), ('DOT', '.'), ('IDENTIFIER', 'y'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('x = <<A\n  #{<<B} z\nb\nB\na\nA\ny\n', [('IDENTIFIER', 'x'), ('EQUAL', '='), ('HEREDOC_START', '<<A'), ('NEWLINE', '\n'), ('STRING_CONTENT', '  '), ('EMBEXPR_BEGIN', '#{'), ('HEREDOC_START', '<<B'), ('EMBEXPR_END', '}'), ('STRING_CONTENT', ' z\n'), ('STRING_CONTENT', 'b\n'), ('HEREDOC_END', 'B\n'), ('STRING_CONTENT', 'a\n'), ('HEREDOC_END', 'A\n'), ('IDENTIFIER', 'y'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('x = <<A\r\na\r\nA\r\n', [('IDENTIFIER', 'x'), ('EQUAL', '='), ('HEREDOC_START', '<<A'), ('NEWLINE', '\r\n'), ('STRING_CONTENT', 'a\r\n'), ('HEREDOC_END', 'A\r\n'), ('EOF', '\n')]),
    ('p $1, $12\n', [('IDENTIFIER', 'p'), ('NUMBERED_REFERENCE', '$1'), ('COMMA', ','), ('NUMBERED_REFERENCE', '$12'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('p :a, :A, :a?, :a=, :@a, :@@a, :$a, :$1, :+, :-@, :[], :[]=, :<=>, :if, :`, :end?\n', [('IDENTIFIER', 'p'), ('SYMBOL_BEGIN', ':'), ('IDENTIFIER', 'a'), ('COMMA', ','), ('SYMBOL_BEGIN', ':'), ('CONSTANT', 'A'), ('COMMA', ','), ('SYMBOL_BEGIN', ':'), ('METHOD_NAME', 'a?'), ('COMMA', ','), ('SYMBOL_BEGIN', ':'), ('IDENTIFIER', 'a='), ('COMMA', ','), ('SYMBOL_BEGIN', ':'), ('INSTANCE_VARIABLE', '@a'), ('COMMA', ','), ('SYMBOL_BEGIN', ':'), ('CLASS_VARIABLE', '@@a'), ('COMMA', ','), ('SYMBOL_BEGIN', ':'), ('GLOBAL_VARIABLE', '$a'), ('COMMA', ','), ('SYMBOL_BEGIN', ':'), ('GLOBAL_VARIABLE', '$1'), ('COMMA', ','), ('SYMBOL_BEGIN', ':'), ('PLUS', '+'), ('COMMA', ','), ('SYMBOL_BEGIN', ':'), ('UMINUS', '-@'), ('COMMA', ','), ('SYMBOL_BEGIN', ':'), ('BRACKET_LEFT_RIGHT', '[]'), ('COMMA', ','), ('SYMBOL_BEGIN', ':'), ('BRACKET_LEFT_RIGHT_EQUAL', '[]='), ('COMMA', ','), ('SYMBOL_BEGIN', ':'), ('LESS_EQUAL_GREATER', '<=>'), ('COMMA', ','), ('SYMBOL_BEGIN', ':'), ('KEYWORD_IF', 'if'), ('COMMA', ','), ('SYMBOL_BEGIN', ':'), ('BACKTICK', '`'), ('COMMA', ','), ('SYMBOL_BEGIN', ':'), ('METHOD_NAME', 'end?'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('{:a=>1, b: 2, "c": 3}\n', [('BRACE_LEFT_HASH', '{'), ('SYMBOL_BEGIN', ':'), ('IDENTIFIER', 'a'), ('EQUAL_GREATER', '=>'), ('INTEGER', '1'), ('COMMA', ','), ('LABEL', 'b:'), ('INTEGER', '2'), ('COMMA', ','), ('STRING_BEGIN', '"'), ('STRING_CONTENT', 'c'), ('LABEL_END', '":'), ('INTEGER', '3'), ('BRACE_RIGHT', '}'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('f(k: 1)\n', [('IDENTIFIER', 'f'), ('PARENTHESIS_LEFT', '('), ('LABEL', 'k:'), ('INTEGER', '1'), ('PARENTHESIS_RIGHT', ')'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('x = 1 if y\nx = 2 unless y\nx += 1 while y\nx -= 1 until y\nz = foo rescue nil\n', [('IDENTIFIER', 'x'), ('EQUAL', '='), ('INTEGER', '1'), ('KEYWORD_IF_MODIFIER', 'if'), ('IDENTIFIER', 'y'), ('NEWLINE', '\n'), ('IDENTIFIER', 'x'), ('EQUAL', '='), ('INTEGER', '2'), ('KEYWORD_UNLESS_MODIFIER', 'unless'), ('IDENTIFIER', 'y'), ('NEWLINE', '\n'), ('IDENTIFIER', 'x'), ('PLUS_EQUAL', '+='), ('INTEGER', '1'), ('KEYWORD_WHILE_MODIFIER', 'while'), ('IDENTIFIER', 'y'), ('NEWLINE', '\n'), ('IDENTIFIER', 'x'), ('MINUS_EQUAL', '-='), ('INTEGER', '1'), ('KEYWORD_UNTIL_MODIFIER', 'until'), ('IDENTIFIER', 'y'), ('NEWLINE', '\n'), ('IDENTIFIER', 'z'), ('EQUAL', '='), ('IDENTIFIER', 'foo'), ('KEYWORD_RESCUE_MODIFIER', 'rescue'), ('KEYWORD_NIL', 'nil'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('return if x\n', [('KEYWORD_RETURN', 'return'), ('KEYWORD_IF_MODIFIER', 'if'), ('IDENTIFIER', 'x'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('x = if y then 1 end\n', [('IDENTIFIER', 'x'), ('EQUAL', '='), ('KEYWORD_IF', 'if'), ('IDENTIFIER', 'y'), ('KEYWORD_THEN', 'then'), ('INTEGER', '1'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('foo { |a| a }\nh = {}\n-> { 1 }\n', [('IDENTIFIER', 'foo'), ('BRACE_LEFT', '{'), ('PIPE', '|'), ('IDENTIFIER', 'a'), ('PIPE', '|'), ('IDENTIFIER', 'a'), ('BRACE_RIGHT', '}'), ('NEWLINE', '\n'), ('IDENTIFIER', 'h'), ('EQUAL', '='), ('BRACE_LEFT_HASH', '{'), ('BRACE_RIGHT', '}'), ('NEWLINE', '\n'), ('MINUS_GREATER', '->'), ('LAMBDA_BEGIN', '{'), ('INTEGER', '1'), ('BRACE_RIGHT', '}'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('x = (1 + 2) * f(3)\nputs (1)\n', [('IDENTIFIER', 'x'), ('EQUAL', '='), ('PARENTHESIS_LEFT_GROUPING', '('), ('INTEGER', '1'), ('PLUS', '+'), ('INTEGER', '2'), ('PARENTHESIS_RIGHT', ')'), ('STAR', '*'), ('IDENTIFIER', 'f'), ('PARENTHESIS_LEFT', '('), ('INTEGER', '3'), ('PARENTHESIS_RIGHT', ')'), ('NEWLINE', '\n'), ('IDENTIFIER', 'puts'), ('PARENTHESIS_LEFT_PARENTHESES', '('), ('INTEGER', '1'), ('PARENTHESIS_RIGHT', ')'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('def a=(v) end\ndef self.b=(v) end\n', [('KEYWORD_DEF', 'def'), ('IDENTIFIER', 'a='), ('PARENTHESIS_LEFT', '('), ('IDENTIFIER', 'v'), ('PARENTHESIS_RIGHT', ')'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('KEYWORD_DEF', 'def'), ('KEYWORD_SELF', 'self'), ('DOT', '.'), ('IDENTIFIER', 'b='), ('PARENTHESIS_LEFT', '('), ('IDENTIFIER', 'v'), ('PARENTHESIS_RIGHT', ')'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('p $1, $&\n', [('IDENTIFIER', 'p'), ('NUMBERED_REFERENCE', '$1'), ('COMMA', ','), ('BACK_REFERENCE', '$&'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('[1].each do |x| end\n', [('BRACKET_LEFT_ARRAY', '['), ('INTEGER', '1'), ('BRACKET_RIGHT', ']'), ('DOT', '.'), ('IDENTIFIER', 'each'), ('KEYWORD_DO', 'do'), ('PIPE', '|'), ('IDENTIFIER', 'x'), ('PIPE', '|'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('foo bar do end\n', [('IDENTIFIER', 'foo'), ('IDENTIFIER', 'bar'), ('KEYWORD_DO_BLOCK', 'do'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('task :a do\n  x\nend\n', [('IDENTIFIER', 'task'), ('SYMBOL_BEGIN', ':'), ('IDENTIFIER', 'a'), ('KEYWORD_DO_BLOCK', 'do'), ('IGNORED_NEWLINE', '\n'), ('IDENTIFIER', 'x'), ('NEWLINE', '\n'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('puts [1].map do |x| x end\n', [('IDENTIFIER', 'puts'), ('BRACKET_LEFT_ARRAY', '['), ('INTEGER', '1'), ('BRACKET_RIGHT', ']'), ('DOT', '.'), ('IDENTIFIER', 'map'), ('KEYWORD_DO_BLOCK', 'do'), ('PIPE', '|'), ('IDENTIFIER', 'x'), ('PIPE', '|'), ('IDENTIFIER', 'x'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('while x do y end\nfor a in b do end\n', [('KEYWORD_WHILE', 'while'), ('IDENTIFIER', 'x'), ('KEYWORD_DO_LOOP', 'do'), ('IDENTIFIER', 'y'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('KEYWORD_FOR', 'for'), ('IDENTIFIER', 'a'), ('KEYWORD_IN', 'in'), ('IDENTIFIER', 'b'), ('KEYWORD_DO_LOOP', 'do'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('-> do end\nl = ->(a) do a end\n', [('MINUS_GREATER', '->'), ('KEYWORD_DO_LAMBDA', 'do'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('IDENTIFIER', 'l'), ('EQUAL', '='), ('MINUS_GREATER', '->'), ('PARENTHESIS_LEFT', '('), ('IDENTIFIER', 'a'), ('PARENTHESIS_RIGHT', ')'), ('KEYWORD_DO_LAMBDA', 'do'), ('IDENTIFIER', 'a'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('private def foo\n  [].each do end\nend\n', [('IDENTIFIER', 'private'), ('KEYWORD_DEF', 'def'), ('IDENTIFIER', 'foo'), ('NEWLINE', '\n'), ('BRACKET_LEFT_ARRAY', '['), ('BRACKET_RIGHT', ']'), ('DOT', '.'), ('IDENTIFIER', 'each'), ('KEYWORD_DO', 'do'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('foo(bar) do end\nfoo (bar) do end\n', [('IDENTIFIER', 'foo'), ('PARENTHESIS_LEFT', '('), ('IDENTIFIER', 'bar'), ('PARENTHESIS_RIGHT', ')'), ('KEYWORD_DO', 'do'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('IDENTIFIER', 'foo'), ('PARENTHESIS_LEFT_PARENTHESES', '('), ('IDENTIFIER', 'bar'), ('PARENTHESIS_RIGHT', ')'), ('KEYWORD_DO_BLOCK', 'do'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('def for(x) end\ndef self.next; end\nalias then with\n', [('KEYWORD_DEF', 'def'), ('KEYWORD_FOR', 'for'), ('PARENTHESIS_LEFT', '('), ('IDENTIFIER', 'x'), ('PARENTHESIS_RIGHT', ')'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('KEYWORD_DEF', 'def'), ('KEYWORD_SELF', 'self'), ('DOT', '.'), ('KEYWORD_NEXT', 'next'), ('SEMICOLON', ';'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('KEYWORD_ALIAS', 'alias'), ('KEYWORD_THEN', 'then'), ('IDENTIFIER', 'with'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('def ==(o)\n  a.b?(c)\nend\n', [('KEYWORD_DEF', 'def'), ('EQUAL_EQUAL', '=='), ('PARENTHESIS_LEFT', '('), ('IDENTIFIER', 'o'), ('PARENTHESIS_RIGHT', ')'), ('IGNORED_NEWLINE', '\n'), ('IDENTIFIER', 'a'), ('DOT', '.'), ('METHOD_NAME', 'b?'), ('PARENTHESIS_LEFT', '('), ('IDENTIFIER', 'c'), ('PARENTHESIS_RIGHT', ')'), ('NEWLINE', '\n'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('def self.[](k)\n  k\nend\ndef A::b(c)\nend\n', [('KEYWORD_DEF', 'def'), ('KEYWORD_SELF', 'self'), ('DOT', '.'), ('BRACKET_LEFT_RIGHT', '[]'), ('PARENTHESIS_LEFT', '('), ('IDENTIFIER', 'k'), ('PARENTHESIS_RIGHT', ')'), ('IGNORED_NEWLINE', '\n'), ('IDENTIFIER', 'k'), ('NEWLINE', '\n'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('KEYWORD_DEF', 'def'), ('CONSTANT', 'A'), ('COLON_COLON', '::'), ('IDENTIFIER', 'b'), ('PARENTHESIS_LEFT', '('), ('IDENTIFIER', 'c'), ('PARENTHESIS_RIGHT', ')'), ('IGNORED_NEWLINE', '\n'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('x = +1\ny = [+1.5, -2]\n', [('IDENTIFIER', 'x'), ('EQUAL', '='), ('INTEGER', '+1'), ('NEWLINE', '\n'), ('IDENTIFIER', 'y'), ('EQUAL', '='), ('BRACKET_LEFT_ARRAY', '['), ('FLOAT', '+1.5'), ('COMMA', ','), ('UMINUS_NUM', '-'), ('INTEGER', '2'), ('BRACKET_RIGHT', ']'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('x = <<E\n#{a}\nE\n\ny\n', [('IDENTIFIER', 'x'), ('EQUAL', '='), ('HEREDOC_START', '<<E'), ('NEWLINE', '\n'), ('EMBEXPR_BEGIN', '#{'), ('IDENTIFIER', 'a'), ('EMBEXPR_END', '}'), ('STRING_CONTENT', '\n'), ('HEREDOC_END', 'E\n'), ('IGNORED_NEWLINE', '\n'), ('IDENTIFIER', 'y'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('raise e unless s = f.find do |x| x end\n', [('IDENTIFIER', 'raise'), ('IDENTIFIER', 'e'), ('KEYWORD_UNLESS_MODIFIER', 'unless'), ('IDENTIFIER', 's'), ('EQUAL', '='), ('IDENTIFIER', 'f'), ('DOT', '.'), ('IDENTIFIER', 'find'), ('KEYWORD_DO', 'do'), ('PIPE', '|'), ('IDENTIFIER', 'x'), ('PIPE', '|'), ('IDENTIFIER', 'x'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('unless a.b? c then\n  d = e.f do |n| n end\nend\n', [('KEYWORD_UNLESS', 'unless'), ('IDENTIFIER', 'a'), ('DOT', '.'), ('METHOD_NAME', 'b?'), ('IDENTIFIER', 'c'), ('KEYWORD_THEN', 'then'), ('IGNORED_NEWLINE', '\n'), ('IDENTIFIER', 'd'), ('EQUAL', '='), ('IDENTIFIER', 'e'), ('DOT', '.'), ('IDENTIFIER', 'f'), ('KEYWORD_DO', 'do'), ('PIPE', '|'), ('IDENTIFIER', 'n'), ('PIPE', '|'), ('IDENTIFIER', 'n'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('foo(a: 1,\n  # c\n  b: 2)\n', [('IDENTIFIER', 'foo'), ('PARENTHESIS_LEFT', '('), ('LABEL', 'a:'), ('INTEGER', '1'), ('COMMA', ','), ('IGNORED_NEWLINE', '\n'), ('COMMENT', '# c'), ('IGNORED_NEWLINE', '\n'), ('LABEL', 'b:'), ('INTEGER', '2'), ('PARENTHESIS_RIGHT', ')'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('x = !a or b\nc = D\n', [('IDENTIFIER', 'x'), ('EQUAL', '='), ('BANG', '!'), ('IDENTIFIER', 'a'), ('KEYWORD_OR', 'or'), ('IDENTIFIER', 'b'), ('NEWLINE', '\n'), ('IDENTIFIER', 'c'), ('EQUAL', '='), ('CONSTANT', 'D'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('case x\nin a:, b:\n  1\nend\n', [('KEYWORD_CASE', 'case'), ('IDENTIFIER', 'x'), ('NEWLINE', '\n'), ('KEYWORD_IN', 'in'), ('LABEL', 'a:'), ('COMMA', ','), ('LABEL', 'b:'), ('NEWLINE_TERMINATOR', '\n'), ('INTEGER', '1'), ('NEWLINE', '\n'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('def m a:\nend\n', [('KEYWORD_DEF', 'def'), ('IDENTIFIER', 'm'), ('LABEL', 'a:'), ('NEWLINE_TERMINATOR', '\n'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('x = 1\n..2\n', [('IDENTIFIER', 'x'), ('EQUAL', '='), ('INTEGER', '1'), ('NEWLINE_TERMINATOR', '\n'), ('UDOT_DOT', '..'), ('INTEGER', '2'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('p (1) { }\n', [('IDENTIFIER', 'p'), ('PARENTHESIS_LEFT_PARENTHESES', '('), ('INTEGER', '1'), ('PARENTHESIS_RIGHT', ')'), ('BRACE_LEFT_ARGUMENT', '{'), ('BRACE_RIGHT', '}'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    # Found by fuzz/differential.py (issue 15): names that become locals, and ( after a local.
    ('b <<= d\nb -1\n', [('IDENTIFIER', 'b'), ('LESS_LESS_EQUAL', '<<='), ('IDENTIFIER', 'd'), ('NEWLINE', '\n'), ('IDENTIFIER', 'b'), ('MINUS', '-'), ('INTEGER', '1'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('b **= 2\nb >>= 1\nb -1\n', [('IDENTIFIER', 'b'), ('STAR_STAR_EQUAL', '**='), ('INTEGER', '2'), ('NEWLINE', '\n'), ('IDENTIFIER', 'b'), ('GREATER_GREATER_EQUAL', '>>='), ('INTEGER', '1'), ('NEWLINE', '\n'), ('IDENTIFIER', 'b'), ('MINUS', '-'), ('INTEGER', '1'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('for a, b in x do\nb &b\nend\na -1\n', [('KEYWORD_FOR', 'for'), ('IDENTIFIER', 'a'), ('COMMA', ','), ('IDENTIFIER', 'b'), ('KEYWORD_IN', 'in'), ('IDENTIFIER', 'x'), ('KEYWORD_DO_LOOP', 'do'), ('IGNORED_NEWLINE', '\n'), ('IDENTIFIER', 'b'), ('AMPERSAND', '&'), ('IDENTIFIER', 'b'), ('NEWLINE', '\n'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('IDENTIFIER', 'a'), ('MINUS', '-'), ('INTEGER', '1'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('def f(k:, j: 1)\nk -1\nend\n', [('KEYWORD_DEF', 'def'), ('IDENTIFIER', 'f'), ('PARENTHESIS_LEFT', '('), ('LABEL', 'k:'), ('COMMA', ','), ('LABEL', 'j:'), ('INTEGER', '1'), ('PARENTHESIS_RIGHT', ')'), ('IGNORED_NEWLINE', '\n'), ('IDENTIFIER', 'k'), ('MINUS', '-'), ('INTEGER', '1'), ('NEWLINE', '\n'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('x {|a, k:| k -1 }\n', [('IDENTIFIER', 'x'), ('BRACE_LEFT', '{'), ('PIPE', '|'), ('IDENTIFIER', 'a'), ('COMMA', ','), ('LABEL', 'k:'), ('PIPE', '|'), ('IDENTIFIER', 'k'), ('MINUS', '-'), ('INTEGER', '1'), ('BRACE_RIGHT', '}'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('def f(a, b = c)\nc -1\nend\n', [('KEYWORD_DEF', 'def'), ('IDENTIFIER', 'f'), ('PARENTHESIS_LEFT', '('), ('IDENTIFIER', 'a'), ('COMMA', ','), ('IDENTIFIER', 'b'), ('EQUAL', '='), ('IDENTIFIER', 'c'), ('PARENTHESIS_RIGHT', ')'), ('IGNORED_NEWLINE', '\n'), ('IDENTIFIER', 'c'), ('UMINUS_NUM', '-'), ('INTEGER', '1'), ('NEWLINE', '\n'), ('KEYWORD_END', 'end'), ('NEWLINE', '\n'), ('EOF', '\n')]),
    ('x = 1\nx (1)\n', [('IDENTIFIER', 'x'), ('EQUAL', '='), ('INTEGER', '1'), ('NEWLINE', '\n'), ('IDENTIFIER', 'x'), ('PARENTHESIS_LEFT_PARENTHESES', '('), ('INTEGER', '1'), ('PARENTHESIS_RIGHT', ')'), ('NEWLINE', '\n'), ('EOF', '\n')]),
]


def lex(src):
    data = src.encode()
    toks = fastlex.tokenize(data)
    return [(fastlex.Kind(k).name, data[s:e].decode()) for k, s, e in zip(toks.kinds, toks.starts, toks.ends)]


@pytest.mark.parametrize("src,expected", [pytest.param(s, e, id=repr(s)[:60]) for s, e in SHAPES])
def test_prism_shape(src, expected):
    """fastlex gives prism's token stream, kinds and spans, for the construct."""
    assert lex(src) == expected


@pytest.mark.parametrize("src", [pytest.param(s, id=repr(s)[:60]) for s, _ in SHAPES])
def test_shape_is_prisms(src):
    """The cases are prism's own stream (checked live where the oracle binary is present)."""
    binary = require_prism()
    errors, tokens = prism_tokens(binary, src.encode())
    assert errors == 0
    data = src.encode()
    assert lex(src) == [(k, data[s:e].decode()) for k, s, e in tokens]
