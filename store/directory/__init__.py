"""The association and service directory: schema, validation, store, import and export."""

from store.directory.store import (
    Directory,
    database_url,
    load_file,
    search_terms,
)
from store.directory.validate import DirectoryValidationError, validate

__all__ = [
    "Directory",
    "DirectoryValidationError",
    "database_url",
    "load_file",
    "search_terms",
    "validate",
]
