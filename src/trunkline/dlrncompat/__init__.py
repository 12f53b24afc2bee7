"""Bringing a DLRN builder to trunkline: its projects.ini and its database.

``projects_ini`` reads the file as DLRN 0.26.1 does (``options`` is DLRN's own
table of every option), ``convert`` and ``convert_drivers`` say what each option
becomes, ``render`` writes the commented trunkline.toml, and ``importer`` is
the one function the CLI calls. ``dbimport`` carries a DLRN database (any schema
revision) into the builder's, in one transaction.
"""
