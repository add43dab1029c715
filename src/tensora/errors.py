"""Errors that tensora reports to its users.

Every error a user can cause is a ``TensoraError``; its message is one line that names the input, says
what is wrong, and says what to do. The CLI prints that line and exits non-zero; a traceback is a bug.

    TensoraError
    ├── InputError                 a document cannot be read
    │   ├── DocumentNotFoundError    the path does not exist or is not a file
    │   ├── UnsupportedFormatError   not PDF, Markdown, LaTeX or plain text
    │   ├── EncryptedPDFError        password-protected PDF
    │   ├── NoTextLayerError         scanned PDF without text
    │   ├── EmptyDocumentError       nothing readable in it
    │   ├── DocumentTooLargeError    over the configured size or page limit
    │   └── CorruptDocumentError     the file is damaged
    ├── KnowledgeError             a knowledge-base file is malformed
    ├── ModelInputError            impossible inputs to an analytical model (also a ValueError)
    │   └── CatalogGapError          the catalog has no value for what was asked (an fp8 peak on an A100)
    ├── UnknownHardwareError       a device name that the catalog does not know
    ├── RuleError                  a rule or plugin is malformed
    └── SessionError               a whiteboard session cannot be found or used
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "CatalogGapError",
    "CorruptDocumentError",
    "DocumentNotFoundError",
    "DocumentTooLargeError",
    "EmptyDocumentError",
    "EncryptedPDFError",
    "InputError",
    "KnowledgeError",
    "ModelInputError",
    "NoTextLayerError",
    "RuleError",
    "SessionError",
    "TensoraError",
    "UnknownHardwareError",
    "UnsupportedFormatError",
]


class TensoraError(Exception):
    """Base of every error that tensora reports to a user."""


class InputError(TensoraError):
    """A document given to tensora cannot be used."""

    def __init__(self, path: str | Path, problem: str, advice: str = "") -> None:
        self.path = str(path)
        self.problem = problem
        self.advice = advice
        text = f"{self.path}: {problem}"
        if advice:
            text += f"; {advice}"
        super().__init__(text)

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str, str]]:
        # rebuilt from its parts when it crosses a process boundary
        return (type(self), (self.path, self.problem, self.advice))


class DocumentNotFoundError(InputError):
    pass


class UnsupportedFormatError(InputError):
    pass


class EncryptedPDFError(InputError):
    pass


class NoTextLayerError(InputError):
    pass


class EmptyDocumentError(InputError):
    pass


class DocumentTooLargeError(InputError):
    pass


class CorruptDocumentError(InputError):
    pass


class KnowledgeError(TensoraError):
    pass


class ModelInputError(TensoraError, ValueError):
    pass


class CatalogGapError(ModelInputError):
    """The catalog has no figure for what was asked, e.g. a dtype the device has no tensor-core peak for.

    ``subject`` names the device, ``missing`` the absent figure (``"fp8"``); a review turns this into a
    finding about the draft's setting rather than stopping.
    """

    def __init__(self, message: str, subject: str = "", missing: str = "") -> None:
        super().__init__(message)
        self.subject = subject
        self.missing = missing

    def __reduce__(self) -> tuple[type[CatalogGapError], tuple[str, str, str]]:
        return (type(self), (str(self), self.subject, self.missing))


class UnknownHardwareError(TensoraError, KeyError):
    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class RuleError(TensoraError):
    pass


class SessionError(TensoraError):
    pass
