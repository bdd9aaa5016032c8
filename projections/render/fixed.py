"""What a binary document says about itself, taken from the log rather than the clock.

Spreadsheets and PDFs carry a creation date (and a PDF an identifier); left to the
libraries these come from the clock or from chance, and two renders of the same log differ.
Here the date is the recording time of the latest event the document cites, so the same
log gives the same bytes and a snapshot can store and hash them.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from datetime import UTC, datetime

from projections.fold.records import Source

EPOCH = datetime(1980, 1, 1, tzinfo=UTC)
"""The date of a document that cites no event."""
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""Every ZIP entry's time, as Excel and XlsxWriter write it."""


def recorded_time(sources: Iterable[Source]) -> datetime:
    """The latest recording time among `sources`, in UTC; `EPOCH` when there are none."""
    return max((source.recorded_at.astimezone(UTC) for source in sources), default=EPOCH)


def fixed_zip(data: bytes) -> bytes:
    """`data`, a ZIP archive, with every entry's time set to `ZIP_TIME`.

    Entries keep their order, compression and permissions (an OpenDocument's ``mimetype``
    stays first and stored).
    """
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w") as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=ZIP_TIME)
            fixed.compress_type = entry.compress_type
            fixed.external_attr = entry.external_attr
            target.writestr(fixed, source.read(entry))
    return output.getvalue()
