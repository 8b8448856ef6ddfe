"""Records for tests, built from the record classes themselves: a field a test does not name is
empty (`None`, `[]` or `False`, by its annotation), so a record gaining a field needs no edit here."""
import typing

from connectors.records import MailMessage


def empty_record(record_type: type, **fields):
    """A `record_type` with `fields` and every other field empty."""
    def empty(hint):
        if typing.get_origin(hint) is list:
            return []
        return False if hint is bool else None

    hints = typing.get_type_hints(record_type)
    return record_type(**{**{name: empty(hint) for name, hint in hints.items()}, **fields})


def mail(**fields) -> MailMessage:
    """A MailMessage with `fields`, every other field empty, and any header hash and size, for
    comparing with what a parser read (they depend on the raw bytes)."""
    from unittest.mock import ANY
    return empty_record(MailMessage, **{"header_hash": ANY, "size_bytes": ANY, **fields})
