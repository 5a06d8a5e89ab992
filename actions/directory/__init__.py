"""The association and service directory: schema, validation, store, import and export."""

from actions.directory.store import (
    Directory,
    StoreUnavailable,
    database_url,
    load_file,
    search_terms,
)
from actions.directory.validate import DirectoryValidationError, validate

__all__ = [
    "Directory",
    "DirectoryValidationError",
    "StoreUnavailable",
    "database_url",
    "load_file",
    "search_terms",
    "validate",
]
