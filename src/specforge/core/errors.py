"""Problems with the tool's use (bad files, bad flags, unreachable servers), as opposed to findings
about the API under test, which are ``Diagnostic`` data. The CLI maps each kind to an exit code."""

from __future__ import annotations


class SpecforgeError(Exception):
    """Base of every error a user can cause. ``str()`` is the one line the CLI prints."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        col: int | None = None,
        url: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.col = col
        self.url = url
        self.hint = hint

    @property
    def where(self) -> str | None:
        if self.url:
            return self.url
        if self.file is None:
            return None
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f" (fix: {self.hint})"
        return text


class InputError(SpecforgeError):
    """A file, flag or configuration value the user gave is wrong: exit code 2."""

    exit_code = 2


class EndpointError(SpecforgeError):
    """The endpoint under test could not be reached or the run was aborted: exit code 3."""

    exit_code = 3
