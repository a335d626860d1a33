"""The errors every layer raises and every face maps once (HTTP status in `api/`, exit code in the CLI).

A `PolicyKBError`'s message is written for the person who caused it: faces show it as it is. Anything
that is not a `PolicyKBError` is a bug: faces log it and show a generic message, never its text.
"""

from __future__ import annotations

from typing import ClassVar


class PolicyKBError(Exception):
    """Base of the errors a user can act on; `str(error)` is the message shown to them.
    `kind` is the key of each face's one mapping table (HTTP status, exit code, stream message)."""

    kind: ClassVar[str] = "error"


class ConfigError(PolicyKBError):
    """A setting that cannot be used (names the variable and the expected form)."""

    kind = "config"


class IngestError(PolicyKBError):
    """One file could not be ingested (corrupt, encrypted, empty, too large ...); the batch goes on."""

    kind = "ingest"


class QuestionError(PolicyKBError):
    """A question with nothing to ask: no word in it."""

    kind = "question"


class FilterError(PolicyKBError):
    """A search filter value that cannot be understood."""

    kind = "filter"


class UploadRejected(PolicyKBError):
    """An upload refused before ingestion; `reason` tells the faces which kind of refusal it was."""

    kind = "upload_rejected"

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason  # "unsupported_type" | "too_large" | "bad_name"


class NotFound(PolicyKBError):
    """A document, chunk or job that does not exist (or no longer does)."""

    kind = "not_found"


class LLMError(PolicyKBError):
    """The configured language model endpoint failed or answered something unusable."""

    kind = "llm"


class StorageError(PolicyKBError):
    """The data directory or database cannot be read or written (disk full, permissions, corruption)."""

    kind = "storage"


INTERNAL = "internal"  # the kind of anything that is not a PolicyKBError: a bug


def kind_of(error: BaseException) -> str:
    return error.kind if isinstance(error, PolicyKBError) else INTERNAL
