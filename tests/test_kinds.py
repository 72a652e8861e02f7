"""curate.kinds: one spec per record kind, its output schema derived from the model."""

from __future__ import annotations

import dataclasses
import re
import typing
from typing import Literal

import pyarrow as pa
import pytest
from pydantic import Field

from curate.errors import InputError
from curate.kinds import KINDS, arrow_type, kind_spec, output_schema
from curate.records import CRITERIA, PreferenceRecord, SFTRecord
from tests.conftest import ROOT

MESSAGES = pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))


class TaggedPreference(PreferenceRecord):
    """A field added by a subclass must reach the output, with its Arrow type."""

    reviewer_score: float | None = Field(None, description="A second annotator's score.")
    region: Literal["eu", "us"] | None = None
    audited: bool = False
    internal_note: str | None = Field(None, exclude=True)  # never leaves curate


def test_a_field_added_to_a_model_subclass_is_in_the_output_schema_with_its_type():
    spec = dataclasses.replace(kind_spec("preference"), model=TaggedPreference)
    schema = spec.output_schema
    assert schema.field("reviewer_score").type == pa.float64()
    assert schema.field("region").type == pa.string()
    assert schema.field("audited").type == pa.bool_()
    assert "internal_note" not in schema.names  # Field(exclude=True)
    # the model's fields in declaration order, then the computed ones
    assert schema.names[-5:] == ["reviewer_score", "region", "audited", "safety_category", "uid"]


METADATA = [
    ("margin", pa.float64()), ("criterion", pa.string()), ("degree", pa.string()),
    ("chosen_safe", pa.bool_()), ("rejected_safe", pa.bool_()),
    ("chosen_model", pa.string()), ("chosen_temperature", pa.float64()),
    ("rejected_model", pa.string()), ("rejected_temperature", pa.float64()),
    ("model_iteration", pa.string()), ("batch", pa.string()), ("annotator", pa.string()),
    ("source", pa.string()), ("safety_category", pa.int8()), ("uid", pa.string())]
SFT_METADATA = [("source", pa.string()), ("origin", pa.string()), ("annotator", pa.string()),
                ("batch", pa.string()), ("license", pa.string()), ("uid", pa.string())]


def test_the_derived_schemas_are_the_columns_the_shards_hold():
    # Pinned: a change here changes every built version's shards. The records' own columns:
    assert output_schema(PreferenceRecord) == pa.schema([
        ("prompt", MESSAGES), ("chosen", pa.string()), ("rejected", pa.string()), *METADATA])
    # TRL's conversational preference (the default): each response one assistant message
    assert kind_spec("preference").output_schema == pa.schema([
        ("prompt", MESSAGES), ("chosen", MESSAGES), ("rejected", MESSAGES), *METADATA])
    # TRL's standard preference: plain strings
    assert kind_spec("preference").output_schema_for("standard") == pa.schema([
        ("prompt", pa.string()), ("chosen", pa.string()), ("rejected", pa.string()), *METADATA])
    # SFT: conversational language modeling, or standard prompt-completion
    assert kind_spec("sft").output_schema == output_schema(SFTRecord) == pa.schema([
        ("messages", MESSAGES), *SFT_METADATA])
    assert kind_spec("sft").output_schema_for("standard") == pa.schema([
        ("prompt", pa.string()), ("completion", pa.string()), *SFT_METADATA])


def test_an_unknown_output_format_names_the_formats():
    with pytest.raises(InputError, match=r"unknown output format 'chatml'; use one of: "
                                         r"conversational, standard"):
        kind_spec("sft").output_schema_for("chatml")


def test_the_recipe_offers_exactly_the_output_formats_the_kinds_write():
    from curate.kinds import OUTPUT_FORMATS
    from curate.recipe.model import Output

    assert typing.get_args(Output.model_fields["format"].annotation) == OUTPUT_FORMATS
    for spec in KINDS.values():
        assert set(spec.output_forms) <= set(OUTPUT_FORMATS)


def test_user_data_is_checked_but_never_an_output_column():
    for spec in KINDS.values():
        assert "is_user_data" in spec.stored_schema.names
        assert "is_user_data" not in spec.output_schema.names


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_field_of_a_kind_is_classified(kind):
    """A new field must be a text column, the source, metadata (it picks the copy kept among
    duplicates) or excluded; this fails until the spec says which."""
    spec = kind_spec(kind)
    fields = set(spec.model.model_fields)
    excluded = {n for n, f in spec.model.model_fields.items() if f.exclude}
    classified = [*spec.text_columns, "source", *spec.metadata, *excluded]
    assert sorted(classified) == sorted(fields), "classify the field in curate/kinds.py"
    output = set(spec.output_schema.names)
    assert set(spec.categories) <= output and set(spec.report_values) <= output


def test_allowed_values_come_from_the_model():
    assert kind_spec("preference").report_values["criterion"] == CRITERIA == (
        "helpfulness", "safety")


def test_an_unknown_kind_names_the_known_ones():
    with pytest.raises(InputError, match=r"unknown record kind 'dpo'; use one of: preference, sft"):
        kind_spec("dpo")


def test_an_annotation_without_an_arrow_type_is_refused():
    with pytest.raises(TypeError, match="no Arrow type for the annotation"):
        arrow_type(dict[str, int])


def test_no_kind_branches_outside_the_spec():
    """Code asks the spec, not `kind == "preference"`. identity.py keeps the one genuine
    difference: what content a uid covers."""
    branch = re.compile(r"""[!=]=\s*["'](preference|sft)["']|["'](preference|sft)["']\s*[!=]=""")
    found = {str(p.relative_to(ROOT)) for p in (ROOT / "curate").rglob("*.py")
             if branch.search(p.read_text())}
    assert found <= {"curate/identity.py"}, found
