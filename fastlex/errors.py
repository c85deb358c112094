"""Error types of fastlex."""
from typing import NamedTuple, Optional


class LexError(NamedTuple):
    """A lexing error in malformed Ruby: where it is and what is wrong.

    ``offset`` is a byte offset into the UTF-8 source; ``line`` counts from 1
    and ``column`` from 0 (code points for str input, bytes for bytes input).
    """

    offset: int
    line: int
    column: int
    message: str


class LexMemoryError(MemoryError):
    """Lexing needed more memory than the memory limit allows.

    The message names the phase (region, constant pool, newline list, scanner
    stack), the bytes in use and the limit; the same values are attributes.
    The Lexer that raised it stays usable.
    """

    def __init__(self, message: str, *, phase: str = "", used: int = 0, requested: int = 0,
                 limit: Optional[int] = None):
        super().__init__(message)
        self.phase = phase
        self.used = used
        self.requested = requested
        self.limit = limit
