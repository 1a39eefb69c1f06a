"""Reading kernel sources: a path or MLIR text in, (text, display name) out."""

from __future__ import annotations

import os
from dataclasses import dataclass

from .errors import SourceError


@dataclass(frozen=True)
class Source:
    text: str
    name: str  # file path, or "<string>" for text given directly


def read_source(source: "str | os.PathLike[str] | Source") -> Source:
    """Accept a path or MLIR text. Text is recognised by containing a newline or an MLIR keyword."""
    if isinstance(source, Source):
        return source
    if isinstance(source, os.PathLike) or (
        isinstance(source, str) and "\n" not in source and "{" not in source
    ):
        path = os.fspath(source)
        if not os.path.exists(path):
            raise SourceError(f"{path}: no such file; give the path of an .mlir kernel")
        if os.path.isdir(path):
            raise SourceError(f"{path}: is a directory; give the path of an .mlir kernel")
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise SourceError(f"{path}: cannot be read ({e.strerror})") from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise SourceError(f"{path}: is not a text file; give an .mlir kernel") from None
        if "\x00" in text:
            raise SourceError(f"{path}: is not a text file; give an .mlir kernel")
        return Source(text, path)
    if isinstance(source, bytes):
        source = source.decode("utf-8", errors="replace")
    if not isinstance(source, str):
        raise SourceError(f"expected a path or MLIR text, got {type(source).__name__}")
    return Source(source, "<string>")
