"""The last-resort human (contract §2): named when the directory has nobody for the place, or
when the directory, Rasa or the action server cannot be reached."""

from __future__ import annotations

import os

# The sample directory's general contact (data/sample_directory.json, p-yleisneuvonta).
DEFAULT = {"name": "Aino Laaksonen", "title": "Apurin yleisneuvoja", "phone": "040 555 0100"}


def general_contact() -> dict[str, str]:
    """APURI_FALLBACK_NAME and APURI_FALLBACK_PHONE, else the sample's general contact."""
    name = os.environ.get("APURI_FALLBACK_NAME")
    phone = os.environ.get("APURI_FALLBACK_PHONE") or DEFAULT["phone"]
    return {"name": name, "phone": phone} if name else {**DEFAULT, "phone": phone}
