"""The schema's house rules: one object per SQL file, named for it; objects created after what they
read, whatever their files are called; raw tables holding exactly their records' fields, and every
field reaching the staging views."""
import typing
from importlib import resources

import duckdb
import pyarrow as pa
import pytest

from pipelines.batches import arrow_schema
from pipelines.warehouse import (
    SCHEMA_LAYERS,
    WarehouseError,
    connect_writer,
    in_dependency_order,
    load_statement,
    schema_objects,
)

SQL = resources.files("pipelines") / "sql"
BOOKKEEPING = [("_run_id", "BIGINT", "NO"), ("_loaded_at", "TIMESTAMP WITH TIME ZONE", "NO")]


def write(root, path: str, sql: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(sql, encoding="utf-8")


def created(root) -> list[str]:
    """The objects under `root`, created in an empty database in the order the schema takes."""
    con = duckdb.connect()
    for obj in in_dependency_order(root):
        con.execute(obj.sql)
    return [obj.name for obj in in_dependency_order(root)]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    with connect_writer(tmp_path_factory.mktemp("schema") / "t.duckdb") as con:
        yield con


def describe(con, relation: str) -> list[tuple[str, str, str]]:
    return [(name, kind, null) for name, kind, null, *_ in con.execute(f"describe {relation}").fetchall()]


# -- creation order -------------------------------------------------------------------------------

def test_a_view_reading_a_view_of_its_layer_whose_file_sorts_after_it_is_created_after_it(tmp_path):
    write(tmp_path, "30_marts/a_first.sql", "create or replace view a_first as select x + 1 as y from z_last;")
    write(tmp_path, "30_marts/z_last.sql", "create or replace view z_last as select 1 as x;")
    assert created(tmp_path) == ["z_last", "a_first"]


def test_a_macro_reading_a_view_of_a_later_layer_is_created_after_that_view(tmp_path):
    write(tmp_path, "00_raw/raw_things.sql", "create table if not exists raw_things (x integer);")
    write(tmp_path, "01_macros/doubled.sql", "create or replace macro doubled() as table select 2 * x from int_things;")
    write(tmp_path, "20_intermediate/int_things.sql", "create or replace view int_things as select x from raw_things;")
    write(tmp_path, "30_marts/things.sql", "create or replace view things as select * from doubled();")
    assert created(tmp_path) == ["raw_things", "int_things", "doubled", "things"]


def test_an_object_named_only_in_a_comment_is_not_read(tmp_path):
    write(tmp_path, "10_staging/a_first.sql", "-- unlike z_last, this one stands alone\n"
                                              "create or replace view a_first as select 1 as x;")
    write(tmp_path, "10_staging/z_last.sql", "create or replace view z_last as select * from a_first;")
    assert created(tmp_path) == ["a_first", "z_last"]


def test_objects_reading_each_other_in_a_circle_are_refused(tmp_path):
    write(tmp_path, "30_marts/chicken.sql", "create or replace view chicken as select * from egg;")
    write(tmp_path, "30_marts/egg.sql", "create or replace view egg as select * from chicken;")
    with pytest.raises(WarehouseError, match="in a circle: chicken reads egg, egg reads chicken"):
        in_dependency_order(tmp_path)


# -- one object per file, named for it ------------------------------------------------------------

def test_a_file_creating_two_objects_is_refused(tmp_path):
    write(tmp_path, "30_marts/follow_ups.sql", "create or replace view cadence as select 1 as x;\n"
                                               "create or replace view follow_ups as select * from cadence;")
    with pytest.raises(WarehouseError, match=r"30_marts/follow_ups.sql: creates cadence, follow_ups; a schema "
                                             r"file creates one object and is named for it"):
        in_dependency_order(tmp_path)


def test_a_file_named_for_another_object_than_it_creates_is_refused(tmp_path):
    write(tmp_path, "05_state/people.sql", "create table if not exists identities (identity_key varchar);")
    with pytest.raises(WarehouseError, match="05_state/people.sql: creates identities;"):
        in_dependency_order(tmp_path)


def test_every_schema_file_creates_the_object_it_is_named_for(warehouse):
    files = sorted((layer, file.name[:-4]) for layer in SCHEMA_LAYERS
                   for file in (SQL / layer).iterdir() if file.name.endswith(".sql"))
    assert sorted((obj.layer, obj.name) for obj in schema_objects()) == files
    existing = {name for (name,) in warehouse.execute(
        "select table_name from duckdb_tables() union select view_name from duckdb_views() "
        "union select function_name from duckdb_functions() where function_type in ('macro', 'table_macro') "
        "union select sequence_name from duckdb_sequences()").fetchall()}
    assert {name for _, name in files} - existing == set()


def test_raw_tables_are_in_00_raw_and_derived_state_is_not():
    tables = {obj.name: obj.layer for obj in schema_objects() if "create table if not exists" in obj.sql.lower()}
    assert {name for name, layer in tables.items() if layer == "00_raw"} == {
        name for name in tables if name.startswith("raw_")} | {"ingest_runs", "source_files", "rejected_records"}


# -- raw tables and their records -----------------------------------------------------------------

def record_tables():
    return [(obj.name, obj.record) for obj in schema_objects() if obj.record is not None]


def test_every_raw_table_of_a_source_is_made_from_its_record():
    assert sorted(name for name, _ in record_tables()) == sorted(
        obj.name for obj in schema_objects() if obj.name.startswith("raw_") and obj.name != "raw_gmail__deletions")


@pytest.mark.parametrize(("table", "record"), record_tables())
def test_a_raw_table_holds_its_records_fields_a_natural_key_and_which_run_loaded_them(warehouse, table, record):
    warehouse.register("records", pa.Table.from_pylist([], schema=arrow_schema(record)))
    optional = [type(None) in typing.get_args(hint) for hint in typing.get_type_hints(record).values()]
    fields = [(name, kind, "YES" if maybe_null else "NO")
              for (name, kind, _), maybe_null in zip(describe(warehouse, "records"), optional, strict=True)]
    columns = describe(warehouse, table)
    assert [column for column in columns if column[0] in {name for name, *_ in fields + BOOKKEEPING}] == \
        fields + BOOKKEEPING
    assert [name for name, *_ in columns if name not in {name for name, *_ in fields + BOOKKEEPING}] in (
        [], [f"{table.split('__')[1].removesuffix('s')}_key"])
    warehouse.unregister("records")


def test_every_raw_table_of_a_source_has_a_load_statement_naming_it():
    for table, _ in record_tables():
        assert f"merge into {table} as t" in load_statement(table) or \
            f"insert into {table} by name" in load_statement(table)


def test_sources_whose_copies_say_which_is_newer_share_one_load_statement():
    gcal, ics = load_statement("raw_gcal__events"), load_statement("raw_ics__events")
    assert "merge into raw_gcal__events as t" in gcal
    assert gcal.replace("merge into raw_gcal__events", "merge into raw_ics__events") == ics


# Where a staging view shows a record's field under another name, or leaves it out, and why.
STAGED_AS = {
    "references": "reference_ids", "from_addr": "from_address", "reply_to": "reply_to_addresses",
    "to": "to_addresses", "cc": "cc_addresses", "bcc": "bcc_addresses", "_origin": "origin",
}
LEFT_OUT = {
    "raw_mbox__messages": {"header_hash"},  # the message key already holds it where it matters
    "raw_gmail__messages": {"header_hash"},
    # one message of all its copies: where they are and Outlook's state become its labels
    "raw_outlook__messages": {"header_hash", "item_id", "folder_id", "folder", "received_at", "importance",
                              "is_read", "flag_status", "categories", "inference_classification",
                              "has_attachments"},
}
RENAMED = {"raw_linkedin__messages": {"direction": "export_direction"}}  # only some exports have it


@pytest.mark.parametrize(("table", "record"), record_tables())
def test_every_field_of_a_record_reaches_its_staging_view(warehouse, table, record):
    staged = {name for name, *_ in describe(warehouse, table.replace("raw_", "stg_", 1))}
    missing = [name for name in arrow_schema(record).names if name not in LEFT_OUT.get(table, set())
               and RENAMED.get(table, {}).get(name, STAGED_AS.get(name, name)) not in staged]
    assert missing == []
