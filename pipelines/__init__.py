"""Pipelines: the warehouse (DuckDB schema and loads), the command line and, later, the Prefect flows."""
