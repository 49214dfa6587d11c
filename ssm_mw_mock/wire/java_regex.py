"""Java regular expressions, as botocore's model spells AWS's patterns, for Python's ``regex`` package.

AWS checks a pattern with Java's ``Matcher.matches()``: the whole value must match. Java's ``\\w``, ``\\d``,
``\\s`` are ASCII-only and its ``.`` excludes every line terminator, so patterns are translated before
being compiled with the ``regex`` package (which understands ``\\p{L}`` and possessive quantifiers).

Known differences from AWS: docs/known-differences.md#validation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import regex

__all__ = ["compile_java_pattern", "matcher", "translate_java_regex"]

#: How many results one pattern remembers, and the longest value it remembers one for: test suites repeat
#: the same short values, and the regex engine is slow; a long value is checked each time it comes.
MEMO_ENTRIES: Final = 2048
MEMO_VALUE_LENGTH: Final = 256

# Java's predefined classes are ASCII-only; ``.`` excludes all of Java's line terminators.
_JAVA_CLASS_IN_SET: Final = {
    "w": "a-zA-Z0-9_",
    "d": "0-9",
    "s": " \\t\\n\\x0b\\f\\r",
    "W": "\\x00-/:-@\\[-\\^`\\{-\\U0010ffff",
    "D": "\\x00-/:-\\U0010ffff",
    "S": "\\x00-\\x08\\x0e-\\x1f\\x21-\\U0010ffff",
}
_JAVA_DOT: Final = "[^\\n\\r\\u0085\\u2028\\u2029]"


def translate_java_regex(pattern: str) -> str:
    """Rewrite the constructs whose meaning differs between Java and the ``regex`` package."""
    out: list[str] = []
    in_set = False
    i = 0
    n = len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            if nxt in _JAVA_CLASS_IN_SET:
                body = _JAVA_CLASS_IN_SET[nxt]
                out.append(body if in_set else f"[{body}]")
                if in_set and pattern.startswith("-", i + 2) and not pattern.startswith("-]", i + 2):
                    # Java reads '-' after a class escape inside a set as a literal ([\w-./] = word
                    # characters, '-', '.', '/'); Python would read a range and fail.
                    out.append("\\-")
                    i += 1
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_set:
            if ch == "]":
                in_set = False
            out.append(ch)
        elif ch == "[":
            in_set = True
            out.append(ch)
            # A ']' (after an optional '^') right after '[' is a literal in Java.
            if pattern.startswith("^", i + 1):
                out.append("^")
                i += 1
            if pattern.startswith("]", i + 1):
                out.append("\\]")
                i += 1
        elif ch == ".":
            out.append(_JAVA_DOT)
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def compile_java_pattern(pattern: str) -> regex.Pattern[str]:
    """Compile a model ``pattern`` (Java syntax) for whole-string matching with :meth:`fullmatch`."""
    import regex  # on first use: importing it costs ~15 ms, more than the rest of validation

    return regex.compile(translate_java_regex(pattern), regex.V0)


def matcher(pattern: str) -> Callable[[str], bool]:
    """A whole-string match test for ``pattern``, remembering its answers for short values."""
    fullmatch = compile_java_pattern(pattern).fullmatch
    memo: dict[str, bool] = {}

    def matches(value: str) -> bool:
        hit = memo.get(value)
        if hit is None:
            hit = fullmatch(value) is not None
            if len(value) <= MEMO_VALUE_LENGTH:
                if len(memo) >= MEMO_ENTRIES:
                    memo.clear()
                memo[value] = hit
        return hit

    return matches
