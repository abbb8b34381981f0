"""CSV imports of suppliers, orders and claims (formats: docs/import-format.md).

``import_file`` reads a file once, checking each chunk and upserting it in one transaction with
an audit event; a file with any problem writes nothing. The CLI (`assurance import …`) and the
import page both call it.
"""

from services.importing.formats import ENTITIES, FORMATS, Column, Entity, Format
from services.importing.problems import MAX_PROBLEMS_SHOWN, Problem, printable, problems_csv
from services.importing.service import ImportFailed, ImportResult, Progress, import_file
from services.importing.status import first_empty_kind

__all__ = [
    "ENTITIES",
    "FORMATS",
    "MAX_PROBLEMS_SHOWN",
    "Column",
    "Entity",
    "Format",
    "ImportFailed",
    "ImportResult",
    "Problem",
    "Progress",
    "first_empty_kind",
    "import_file",
    "printable",
    "problems_csv",
]
