"""curate: Llama-2-style fine-tuning data, typed, checked and reproducible."""

from curate.builder import build
from curate.errors import CurateError, InputError, RecordError
from curate.reading import read, scan_batches
from curate.validate import ValidationReport, validate
from curate.records import Message, PreferenceRecord, SFTRecord
from curate.version import Manifest, Version, open_version

__version__ = "0.1.0"

__all__ = ["CurateError", "InputError", "Manifest", "Message", "PreferenceRecord", "RecordError",
           "SFTRecord", "ValidationReport", "Version", "__version__", "build", "open_version", "read",
           "scan_batches", "validate"]
