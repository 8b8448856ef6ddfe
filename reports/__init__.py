"""Reports: renders the weekly relationship report from the public SQL views only."""


class DeliveryError(Exception):
    """The report could not be sent; the message is one line: the server's answer and what to do.
    Defined here, where importing it costs nothing: every command catches it (pipelines/cli.py)."""
