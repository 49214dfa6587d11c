"""Regular expressions compiled on first use, so that ``import ssm_mw_mock`` compiles none of them.

Compiling the module-level patterns of the package took about a sixth of its import time; most tests use
few of them, and each is compiled at most once either way.
"""

from __future__ import annotations

import re
from collections.abc import Callable


class LazyPattern:
    """``re.compile(pattern, flags)``, done when the pattern is first used."""

    __slots__ = ("_compiled", "_flags", "_pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._pattern = pattern
        self._flags = flags
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self._pattern, self._flags)
        return self._compiled

    def fullmatch(self, text: str) -> re.Match[str] | None:
        return self.compiled.fullmatch(text)

    def search(self, text: str) -> re.Match[str] | None:
        return self.compiled.search(text)

    def sub(self, replacement: str | Callable[[re.Match[str]], str], text: str) -> str:
        return self.compiled.sub(replacement, text)
