"""Every fixture is detected as its own format without --format (or the documented reason)."""

import pytest

from curate.adapters import detect, detection_order, get_adapter
from curate.errors import InputError
from curate.reading import _adapter_for
from tests.conftest import FIXTURES


@pytest.mark.parametrize(("path", "expected", "kind"), [
    ("stanford-shp/askculinary/test.json", "stanford-shp", "preference"),
    ("openai-summarize/comparisons/batch9.json", "openai-summarize", "preference"),
    ("openai-summarize/comparisons/cnndm0.json", "openai-summarize", "preference"),
    ("openai-webgpt/comparisons.jsonl", "openai-webgpt", "preference"),
    ("stack-exchange-paired/train.jsonl", "stack-exchange-paired", "preference"),
    ("trl/preference_standard.jsonl", "trl", "preference"),
    ("trl/preference_conversational.jsonl", "trl", "preference"),
    ("trl/implicit_standard.jsonl", "trl", "preference"),
    ("trl/implicit_conversational.jsonl", "trl", "preference"),
    ("trl/prompt_completion.jsonl", "trl", "sft"),
    ("alpaca/alpaca_data.json", "alpaca", "sft"),
    ("alpaca/llamafactory.json", "alpaca", "sft"),
    ("openai-chat/train.jsonl", "openai-chat", "sft"),
    ("openai-chat/rejects.jsonl", "openai-chat", "sft"),
    # TRL's {messages} is OpenAI's chat format: the same records, reported as openai-chat
    ("trl/messages.jsonl", "openai-chat", "sft"),
    # indistinguishable from TRL's standard preference rows: gptj-pairwise needs --format
    ("gptj-pairwise/train.jsonl", "trl", "preference"),
    ("alpaca-eval/annotations.json", "alpaca-eval", "preference"),
    ("alpaca-eval/alpaca_gpt4_preference.json", "alpaca-eval", "preference"),
    ("alpaca-eval/model_outputs.json", "alpaca-eval", "sft"),  # not alpaca: it has a generator
    ("ultrafeedback/evol_instruct.jsonl", "ultrafeedback", "preference"),
    ("ultrafeedback/train_prefs.jsonl", "ultrafeedback", "preference"),  # before TRL
    ("helpsteer2-preference/preference.jsonl", "helpsteer2-preference", "preference"),
    ("nectar/rlaif.jsonl", "nectar", "preference"),
])
def test_fixture_is_detected_as_its_format(path, expected, kind):
    adapter = _adapter_for(FIXTURES / path, None, None)
    assert (adapter.name, adapter.kind) == (expected, kind)


def test_hh_rlhf_transcripts_are_not_taken_for_trl_implicit_prompts():
    row = {"chosen": "\n\nHuman: Hi\n\nAssistant: Hello",
           "rejected": "\n\nHuman: Hi\n\nAssistant: Go"}
    assert detect(row, where="x").name == "hh-rlhf"


def test_rows_with_unknown_extra_columns_are_not_guessed():
    with pytest.raises(InputError, match="cannot tell the format"):
        detect({"instruction": "i", "chosen": "a", "rejected": "b"}, where="x")
    with pytest.raises(InputError, match="cannot tell the format"):
        detect({"prompt": "p", "completion": "c", "label": True}, where="x")  # TRL unpaired


def test_gptj_pairwise_is_never_detected_only_named():
    row = {"prompt": "p", "chosen": "a", "rejected": "b"}
    assert "gptj-pairwise" not in [a.name for a in detection_order()]
    assert detect(row, where="x").name == "trl"
    assert get_adapter("gptj-pairwise").convert(row)[0]["source"] == "gptj-pairwise"


def test_extra_columns_do_not_stop_detection_and_are_listed_as_ignored():
    row = {"instruction": "Say hi.", "output": "Hi!", "id": 7, "category": "greeting"}
    adapter = detect(row, where="x")
    assert adapter.name == "alpaca"
    assert adapter.ignored_columns(row) == ["category", "id"]
    assert adapter.convert(row)[0]["messages"][0] == {"role": "user", "content": "Say hi."}


def test_an_adapter_that_declares_no_columns_lists_none_as_ignored():
    row = {"question": {"full_text": "q"}, "answer_0": "a", "answer_1": "b", "score_0": 1.0,
           "score_1": -1.0, "quotes_0": {}, "tokens_0": {}}
    assert detect(row, where="x").ignored_columns(row) == []  # openai-webgpt: not declared
