"""The errors whose message is written for the user. A command ends with it as its one line
(pipelines/cli.py); the weekly run names it as a failed step's reason (pipelines/flow.py). Each is
defined where it is raised; this module only gathers them, and imports nothing heavy (no Prefect)."""
from connectors import SourceError
from pipelines.config import ConfigError
from pipelines.prefect_env import PrefectServerError
from pipelines.warehouse import WarehouseError
from reports import DeliveryError

USER_ERRORS = (SourceError, ConfigError, WarehouseError, DeliveryError, PrefectServerError)
