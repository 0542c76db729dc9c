"""Signals of the directory for the apps above it.

`records_written(model=…, pks=[…])`: rows written in bulk (the importer's bulk_create / bulk_update, which send
no post_save), so that what mirrors them — the search index — follows in the same transaction.
"""

from django.dispatch import Signal

records_written = Signal()
