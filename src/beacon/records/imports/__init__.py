"""Bulk entry of records from CSV and XLSX files, all or nothing.

``importer`` runs an import (``import_records``): it reads the file (``files``), has
worker processes validate chunks (``work``, set up by ``context``; simple rows take the
fast path in ``fast``; every row becomes a ``RecordInput`` through ``rows``) and writes
the validated chunks in file order with backend-aware bulk inserts (``bulk``).
"""
