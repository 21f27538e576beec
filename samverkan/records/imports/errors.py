"""What goes wrong in an import: a bad row, a failed file (a cell that cannot be read is
`records.cells.CellError`)."""

from dataclasses import dataclass

from samverkan.core.errors import SamverkanError


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.reason}"


class ImportFailed(SamverkanError):
    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))
