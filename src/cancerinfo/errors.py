"""Typed exceptions raised by the cancerinfo library.

Library code raises these; only ``cli.py`` and the service's error handler turn them
into messages or HTTP responses. Problems *inside* KB files (a bad field, a YAML tag)
are not exceptions: they are :class:`cancerinfo.kb.problems.Problem` records, so one
bad file never stops the others.

    CancerInfoError
    ├── SettingsError          a setting has a wrong type or an unknown name
    ├── PolicyError            a policies/*.yaml file is missing, unreadable or invalid
    ├── InputPathError         a path given on the command line does not exist
    └── StoreError             anything about the SQLite store
        ├── StoreNotFound      the database file does not exist (read-only commands)
        ├── StoreMismatch      the file was built by another schema or is not ours
        └── StoreBusy          another process holds the write lock
"""

from __future__ import annotations


class CancerInfoError(Exception):
    """Base class of every error cancerinfo raises on purpose."""


class SettingsError(CancerInfoError):
    """A setting (flag or ``CANCERINFO_*`` variable) is unknown or has a wrong value."""


class PolicyError(CancerInfoError):
    """A policy file is missing or invalid; the message names the file and key."""


class InputPathError(CancerInfoError):
    """A KB path given by the user does not exist or cannot be read."""


class StoreError(CancerInfoError):
    """A problem with the SQLite store."""


class StoreNotFound(StoreError):
    """The database file does not exist."""


class StoreMismatch(StoreError):
    """The database was written by another schema version or is not a cancerinfo store."""


class StoreBusy(StoreError):
    """Another process is writing to the store."""
