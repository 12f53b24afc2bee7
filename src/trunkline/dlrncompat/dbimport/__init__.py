"""``trunkline dlrn import-db``: carry a DLRN database of any schema revision into trunkline's.

``schema.py`` knows DLRN's tables at each Alembic revision, ``read.py`` reads them
as trunkline rows, ``carry.py`` writes them in one transaction.
"""
