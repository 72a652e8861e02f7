"""Detection order comes from declared priorities; `register` adds in-process adapters."""

import json

import pytest

import curate
import curate.adapters
from curate.adapters import BUILTIN_ADAPTERS, detect, detection_order, get_adapter, register
from curate.adapters.base import GENERIC_FORMAT, NAMED_DATASET, TRL_COLUMNS, Adapter
from curate.adapters.registry import Registry
from curate.errors import InputError

HH_ROW = {"chosen": "\n\nHuman: Hi\n\nAssistant: Hello",
          "rejected": "\n\nHuman: Hi\n\nAssistant: Go"}


@pytest.fixture
def builtins_only(monkeypatch):
    """A registry of the built-ins alone, thrown away after the test (no leak, no plugins)."""
    registry = Registry(BUILTIN_ADAPTERS, group=None)
    monkeypatch.setattr(curate.adapters, "_registry", registry)
    return registry


class Transcript(Adapter):
    """HH-RLHF's columns, claimed before HH-RLHF itself when its priority is lower."""

    name = "transcript"
    kind = "preference"
    priority = NAMED_DATASET - 1
    fields = ("chosen", "rejected")

    def convert(self, row):
        return [{"prompt": [{"role": "user", "content": "Hi"}], "chosen": row["chosen"],
                 "rejected": row["rejected"], "source": self.name}]

    def defaults_for(self, path):
        return {"criterion": "safety" if "harmless" in path.name else "helpfulness"}


def test_builtin_detection_order_is_named_datasets_then_generic_layouts_then_trl():
    registry = Registry(BUILTIN_ADAPTERS, group=None)
    order = [(a.name, a.kind, a.priority) for a in registry.detection_order()]
    assert order == sorted(order, key=lambda a: (a[2], a[0], a[1]))  # priority, then name
    named = {name for name, _, priority in order if priority == NAMED_DATASET}
    assert {"alpaca-eval", "chatbot-arena", "helpsteer2-preference", "hh-rlhf", "nectar", "oasst",
            "openai-summarize", "openai-webgpt", "pku-saferlhf", "self-instruct",
            "stack-exchange-paired", "stanford-shp", "ultrafeedback"} <= named
    assert [a for a in order if a[2] != NAMED_DATASET] == [
        ("alpaca", "sft", GENERIC_FORMAT),
        ("openai-chat", "sft", GENERIC_FORMAT),
        ("trl", "preference", TRL_COLUMNS),
        ("trl", "sft", TRL_COLUMNS),
    ]


def test_detection_order_does_not_depend_on_registration_order():
    forward = Registry(BUILTIN_ADAPTERS, group=None).detection_order()
    backward = Registry(reversed(BUILTIN_ADAPTERS), group=None).detection_order()
    assert [id(a) for a in forward] == [id(a) for a in backward]


def test_a_registered_adapter_with_a_lower_priority_is_tried_first(builtins_only):
    assert detect(HH_ROW, where="x").name == "hh-rlhf"
    register(Transcript)
    assert detect(HH_ROW, where="x").name == "transcript"
    names = [a.name for a in detection_order()]
    assert names[0] == "transcript" and "hh-rlhf" in names[1:]


def test_a_registered_adapter_with_a_higher_priority_waits_for_the_others(builtins_only):
    class LateTranscript(Transcript):
        name = "late-transcript"
        priority = TRL_COLUMNS + 1

    register(LateTranscript())
    assert detect(HH_ROW, where="x").name == "hh-rlhf"
    assert detect({"chosen": "a", "rejected": "b"}, where="x").name == "trl"
    with_a_note = {"chosen": "a", "rejected": "b", "note": "n"}  # not TRL's: only it takes this
    assert detect(with_a_note, where="x").name == "late-transcript"


def test_reading_applies_the_adapters_defaults_for_the_path(builtins_only, tmp_path):
    register(Transcript)
    path = tmp_path / "harmless-batch.jsonl"
    path.write_text(json.dumps(HH_ROW) + "\n")
    frame = curate.read(path, format="transcript")
    assert frame.select("source", "criterion").row(0) == ("transcript", "safety")
    assert curate.read(path, format="transcript", set_fields={"criterion": "helpfulness"}
                       )["criterion"].to_list() == ["helpfulness"]


def test_registering_a_known_name_and_kind_replaces_that_adapter(builtins_only):
    class MyAlpaca(Transcript):
        name, kind, priority = "alpaca", "sft", GENERIC_FORMAT

    register(MyAlpaca)
    assert isinstance(get_adapter("alpaca"), MyAlpaca)
    assert [a.name for a in detection_order()].count("alpaca") == 1


@pytest.mark.parametrize(("attrs", "message"), [
    ({"priority": "high"}, "priority 'high'; it must be an int or None"),
    ({"priority": True}, "priority True; it must be an int or None"),
    ({"kind": "dpo"}, "kind 'dpo'; set `kind` to one of preference, sft"),
    ({"name": "curate"}, "adapter name 'curate' is not usable"),
])
def test_an_adapter_that_declares_a_wrong_attribute_is_refused_by_name(builtins_only, attrs,
                                                                       message):
    bad = type("Bad", (Transcript,), attrs)
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        register(bad)


def test_an_adapter_must_declare_its_priority_and_implement_convert(builtins_only):
    class NoPriority(Adapter):
        name, kind = "no-priority", "sft"

        def convert(self, row):
            return []

    class NoConvert(Adapter):
        name, kind, priority = "no-convert", "sft", NAMED_DATASET

    with pytest.raises(InputError, match="declares no `priority`"):
        register(NoPriority)
    with pytest.raises(InputError, match="cannot instantiate NoConvert .*convert"):
        register(NoConvert)
    assert "no-priority" not in curate.adapters.adapter_names()
