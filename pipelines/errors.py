"""The errors whose message is written for the user. A command ends with it as its one line
(pipelines/cli.py); the weekly run names it as a failed step's reason (pipelines/flow.py).

The pipeline's own two are defined here, where every module can import them without importing
each other (config.py and sources.py both raise ConfigError); the others belong to their layers.
This module imports nothing heavy (no Prefect)."""
from connectors import SourceError
from pipelines.prefect_env import PrefectServerError
from reports import DeliveryError


class ConfigError(Exception):
    """The configuration is missing or wrong; the message is one line for the user."""


class WarehouseError(Exception):
    """The database cannot be used as asked; the message is one line for the user."""


USER_ERRORS = (SourceError, ConfigError, WarehouseError, DeliveryError, PrefectServerError)
