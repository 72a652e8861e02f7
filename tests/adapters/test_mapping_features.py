"""Column mappings on real layouts: the preferred side by a label (AlpacaEval, AlpacaFarm),
value maps (HelpSteer2), templates, message keys and roles (ShareGPT), plain turns
(UltraChat), row filters and ranked candidates (OpenAssistant trees, UltraFeedback)."""

import json

import pytest
from pydantic import ValidationError

import curate
from curate.adapters import ColumnMapping, Reject, Skip
from curate.adapters.base import instruction_prompt
from tests.conftest import FIXTURES

MAPPINGS = FIXTURES / "mapping"


def mapping(name: str) -> ColumnMapping:
    return ColumnMapping.read_yaml(MAPPINGS / f"{name}.yaml")


def raw_rows(name: str) -> list[dict]:
    path = MAPPINGS / name
    if path.suffix == ".json":
        return json.loads(path.read_text())
    return [json.loads(line) for line in path.read_text().splitlines()]


# --- pair: the preferred side by a label column ---------------------------------------------


def test_alpaca_eval_preference_1_is_never_inverted():
    rows = raw_rows("alpaca_eval_annotations.json")
    df = curate.read(MAPPINGS / "alpaca_eval_annotations.json", format=mapping("alpaca_eval"))
    by_prompt = {r["prompt"][0]["content"]: r for r in df.to_dicts()}
    checked = {1.0: 0, 2.0: 0}
    for row in rows:
        if row["preference"] not in checked:
            assert row["instruction"] not in by_prompt  # a tie or a null is no comparison
            continue
        record = by_prompt[row["instruction"]]
        winner = "1" if row["preference"] == 1.0 else "2"
        loser = "2" if winner == "1" else "1"
        assert (record["chosen"], record["rejected"]) == (row[f"output_{winner}"],
                                                          row[f"output_{loser}"])
        assert (record["chosen_model"], record["rejected_model"]) == (
            row[f"generator_{winner}"], row[f"generator_{loser}"])
        checked[row["preference"]] += 1
    assert checked == {1.0: 2, 2.0: 1}
    # the facts make the direction visible: the correct answer is the chosen one
    assert by_prompt["Translate 'thank you' into French."]["chosen"].endswith("'merci'.")


@pytest.mark.parametrize("label", [1, 1.0, "1"])
def test_a_label_of_1_in_any_spelling_picks_output_1(label):
    row = {**raw_rows("alpaca_eval_annotations.json")[0], "preference": label}
    (record,) = mapping("alpaca_eval").adapter().convert(row)
    assert record["chosen"] == row["output_1"] and record["chosen_model"] == row["generator_1"]


@pytest.mark.parametrize("label,shown", [(0, "0"), (1.5, "1.5"), (None, "null"),
                                         ("tie", "'tie'"), (True, "true")])
def test_any_other_label_is_no_preference_naming_the_value(label, shown):
    row = {**raw_rows("alpaca_eval_annotations.json")[0], "preference": label}
    with pytest.raises(Skip) as exc:
        mapping("alpaca_eval").adapter().convert(row)
    assert exc.value.reason == "no_preference" and exc.value.field == "preference"
    assert f"`preference` is {shown}: neither a_when (1) nor b_when (2)" in exc.value.message


def test_alpaca_eval_validates_with_ties_counted_as_skipped_not_invalid():
    report = curate.validate(MAPPINGS / "alpaca_eval_annotations.json",
                             format=str(MAPPINGS / "alpaca_eval.yaml"))
    assert (report.n_read, report.n_valid, report.n_rejected, report.n_skipped) == (5, 3, 0, 2)
    assert report.skipped_by_reason == {"no_preference": 2} and report.ok


def test_label_values_in_both_a_when_and_b_when_are_refused():
    with pytest.raises(ValidationError, match=r"\['2'\] are in both a_when and b_when"):
        ColumnMapping.model_validate({
            "kind": "preference", "columns": {"prompt": "q"}, "set": {"criterion": "safety"},
            "pair": {"a": "x", "b": "y", "preferred": "p", "a_when": [1, 2.0], "b_when": 2}})


# --- value maps -----------------------------------------------------------------------------


def test_helpsteer2_strength_picks_the_side_by_sign_and_the_degree_by_magnitude():
    adapter = mapping("helpsteer2").adapter()
    rows = raw_rows("helpsteer2_preference.jsonl")
    (first,) = adapter.convert(rows[0])  # -3: response_1 much better
    assert (first["chosen"], first["degree"]) == (rows[0]["response_1"], "significantly_better")
    (second,) = adapter.convert(rows[1])  # 2: response_2 better
    assert (second["chosen"], second["rejected"], second["degree"]) == (
        rows[1]["response_2"], rows[1]["response_1"], "better")
    with pytest.raises(Skip, match="`preference_strength` is 0"):
        adapter.convert(rows[3])


def test_an_unmapped_value_is_rejected_naming_field_value_and_keys():
    m = ColumnMapping(kind="preference", columns={"prompt": "q", "chosen": "a", "rejected": "b",
                                                  "degree": "strength", "criterion": "task"},
                      values={"degree": {3: "significantly_better", 2: "better"},
                              "criterion": {"harmless": "safety", "helpful": "helpfulness"}})
    adapter = m.adapter()
    row = {"q": "Hi?", "a": "Hello!", "b": "Go away.", "strength": 2.0, "task": "harmless"}
    (record,) = adapter.convert(row)
    assert (record["degree"], record["criterion"]) == ("better", "safety")
    with pytest.raises(Reject) as exc:
        adapter.convert({**row, "strength": 7})
    assert exc.value.reason == "unmapped_value" and exc.value.field == "strength"
    assert exc.value.message == ("`degree`: value 7 of column `strength` is not in its value "
                                 "map (keys: 3, 2); add it under `values.degree`")
    (record,) = adapter.convert({**row, "strength": None})
    assert record["degree"] is None  # null stays null


def test_values_for_a_field_no_column_gives_are_refused():
    with pytest.raises(ValidationError, match=r"values maps \['criterion'\], which no column"):
        ColumnMapping(kind="preference", columns={"prompt": "q", "chosen": "a", "rejected": "b"},
                      set={"criterion": "safety"}, values={"criterion": {"x": "safety"}})


# --- templates ------------------------------------------------------------------------------


def test_alpaca_farm_prompts_keep_their_input_and_leave_no_blank_line_without_one():
    rows = raw_rows("alpaca_farm_gpt4_preference.json")
    df = curate.read(MAPPINGS / "alpaca_farm_gpt4_preference.json", format=mapping("alpaca_farm"))
    prompts = [p[0]["content"] for p in df["prompt"].to_list()]
    assert prompts == [instruction_prompt(r["instruction"], r["input"]) for r in rows]
    assert prompts[0] == ("Rewrite the sentence in the passive voice.\n\n"
                          "The chef cooked a delicious meal.")
    assert prompts[1] == "Give three tips for staying healthy."  # empty input: no "\n\n"
    assert df["chosen"].to_list()[1] == rows[1]["output_2"]  # preference 2


def test_a_part_between_blank_lines_goes_when_all_its_columns_are_empty():
    m = ColumnMapping(kind="sft", templates={
        "prompt": "### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:"},
        columns={"completion": "output"})
    row = {"instruction": "Name a color.", "input": None, "output": "Red."}
    (record,) = m.adapter().convert(row)
    assert record["messages"][0]["content"] == "### Instruction:\nName a color.\n\n### Response:"
    (record,) = m.adapter().convert({**row, "input": "warm"})
    assert record["messages"][0]["content"] == ("### Instruction:\nName a color.\n\n### Input:\n"
                                                "warm\n\n### Response:")


@pytest.mark.parametrize("text,error", [("{instruction} }", "lone `}`"),
                                        ("{} and {x}", "empty placeholder"),
                                        ("no column", "names no column")])
def test_a_broken_template_is_refused_when_the_mapping_is_read(text, error):
    with pytest.raises(ValidationError, match=rf"templates.prompt: .*{error}"):
        ColumnMapping(kind="sft", templates={"prompt": text}, columns={"completion": "o"})


def test_a_template_column_holding_a_list_is_rejected():
    m = ColumnMapping(kind="sft", templates={"prompt": "{q}"}, columns={"completion": "a"})
    with pytest.raises(Reject, match=r"template for `prompt`: `\{q\}` is list"):
        m.adapter().convert({"q": ["x"], "a": "y"})


# --- message keys and roles, plain turns ----------------------------------------------------


def test_sharegpt_conversations_become_messages_with_our_roles():
    report = curate.validate(MAPPINGS / "sharegpt.json", format=str(MAPPINGS / "sharegpt.yaml"))
    assert (report.n_valid, report.rejected_by_reason) == (2, {"bad_role": 1})
    assert "`conversations[1].from` is 'tool'; known roles: system, human, gpt" in (
        report.errors[0].message)
    adapter = mapping("sharegpt").adapter()
    first, second, _ = raw_rows("sharegpt.json")
    (record,) = adapter.convert(first)
    assert [m["role"] for m in record["messages"]] == ["user", "assistant"] * 2
    assert record["messages"][3]["content"] == first["conversations"][3]["value"]
    (record,) = adapter.convert(second)
    assert record["messages"][0] == {"role": "system", "content": "You answer in one sentence."}


def test_oasst_style_messages_map_prompter_to_user_into_a_prompt():
    m = ColumnMapping.model_validate({
        "kind": "preference", "set": {"criterion": "helpfulness"},
        "messages": {"from": "thread", "content": "text", "roles": {"prompter": "user",
                                                                    "assistant": "assistant"}},
        "columns": {"chosen": "best.text", "rejected": "worst.text"}})
    row = {"thread": [{"role": "prompter", "text": "Hi", "lang": "en"},
                      {"role": "assistant", "text": "Hello!", "rank": 0},
                      {"role": "prompter", "text": "Tell a joke."}],
           "best": {"text": "Why did the chicken..."}, "worst": {"text": "No."}}
    (record,) = m.adapter().convert(row)
    assert record["prompt"] == [{"role": "user", "content": "Hi"},
                                {"role": "assistant", "content": "Hello!"},
                                {"role": "user", "content": "Tell a joke."}]


def test_ultrachat_strings_alternate_user_and_assistant():
    rows = raw_rows("ultrachat.jsonl")
    (record,) = mapping("ultrachat").adapter().convert(rows[0])
    assert [(m["role"], m["content"]) for m in record["messages"]] == list(
        zip(["user", "assistant"] * 2, rows[0]["data"]))
    report = curate.validate(MAPPINGS / "ultrachat.jsonl", format=str(MAPPINGS / "ultrachat.yaml"))
    assert (report.n_valid, report.rejected_by_reason) == (2, {"bad_role_order": 1})


def test_a_turn_that_is_not_text_is_rejected():
    with pytest.raises(Reject, match=r"`data\[1\]` should be text \(one turn\), got dict"):
        mapping("ultrachat").adapter().convert({"data": ["Hi", {"text": "Hello"}]})


# --- row filters ----------------------------------------------------------------------------


def test_oasst_trees_filtered_by_language_and_deletion_are_counted_as_skipped():
    report = curate.validate(MAPPINGS / "oasst_trees.jsonl",
                             format=str(MAPPINGS / "oasst_trees.yaml"))
    assert report.skipped_by_reason == {"filtered": 2, "no_preference": 1}
    assert (report.n_read, report.n_valid, report.n_rejected, report.n_skipped) == (6, 3, 0, 3)
    assert report.ok and report.errors == []
    with pytest.raises(Skip) as exc:
        mapping("oasst_trees").adapter().convert(raw_rows("oasst_trees.jsonl")[1])
    assert (exc.value.reason, exc.value.field) == ("filtered", "prompt.lang")
    assert exc.value.message == ('left out by `where`: prompt.lang == "en" does not hold '
                                 "(`prompt.lang` is 'de')")


@pytest.mark.parametrize("condition,value,holds", [
    ({"equals": "en"}, "en", True), ({"equals": "en"}, None, False),
    ({"equals": False}, False, True), ({"equals": False}, 0, False),
    ({"equals": 3}, 3.0, True), ({"in": ["en", "de"]}, "de", True),
    ({"in": ["en", "de"]}, "fr", False), ({"is_null": True}, None, True),
    ({"is_null": False}, None, False), ({"equals": "en", "not": True}, "de", True),
    ({"in": ["spam"], "not": True}, "spam", False)])
def test_conditions(condition, value, holds):
    m = ColumnMapping.model_validate({
        "kind": "sft", "columns": {"messages": "m"}, "where": [{"column": "c", **condition}]})
    row = {"c": value, "m": [{"role": "user", "content": "Hi"},
                             {"role": "assistant", "content": "Hello"}]}
    if holds:
        assert m.adapter().convert(row)
    else:
        with pytest.raises(Skip, match="left out by `where`"):
            m.adapter().convert(row)


def test_a_condition_needs_exactly_one_test():
    with pytest.raises(ValidationError, match=r"exactly one of equals, in, is_null"):
        ColumnMapping.model_validate({"kind": "sft", "columns": {"messages": "m"},
                                      "where": [{"column": "lang", "equals": "en",
                                                 "in": ["de"]}]})


# --- ranked candidates ----------------------------------------------------------------------


def test_oasst_root_replies_give_every_ranked_pair_best_rank_chosen():
    tree = raw_rows("oasst_trees.jsonl")[0]
    replies = {r["rank"]: r["text"] for r in tree["prompt"]["replies"] if not r["deleted"]}
    records = mapping("oasst_trees").adapter().convert(tree)
    assert [(r["chosen"], r["rejected"]) for r in records] == [
        (replies[0], replies[1]), (replies[0], replies[2]), (replies[1], replies[2])]
    assert all(r["prompt"][0]["content"] == tree["prompt"]["text"] for r in records)


def test_ultrafeedback_best_vs_others_never_pairs_a_tie():
    row = raw_rows("ultrafeedback.jsonl")[0]
    records = mapping("ultrafeedback").adapter().convert(row)
    assert [(r["chosen_model"], r["rejected_model"]) for r in records] == [
        ("gpt-4", "llama-2-13b-chat"), ("gpt-4", "falcon-40b-instruct"), ("gpt-4", "alpaca-7b")]
    everything = ColumnMapping.model_validate(
        {**mapping("ultrafeedback").model_dump(mode="json", exclude_defaults=True),
         "ranked": {"candidates": "completions", "text": "response", "score": "overall_score",
                    "higher_is_better": True, "pairs": "all", "sides": {"model": "model"}}})
    pairs = {(r["chosen_model"], r["rejected_model"])
             for r in everything.adapter().convert(row)}
    assert len(pairs) == 5  # 4 candidates, 6 pairs, less the one tie (both scored 7.0)
    assert not pairs & {("llama-2-13b-chat", "falcon-40b-instruct"),
                        ("falcon-40b-instruct", "llama-2-13b-chat")}


def test_a_row_whose_candidates_all_tie_is_no_preference():
    with pytest.raises(Skip, match=r"2 ranked candidate\(s\) with score\(s\) \[6.0\]") as exc:
        mapping("ultrafeedback").adapter().convert(raw_rows("ultrafeedback.jsonl")[1])
    assert exc.value.reason == "no_preference"


def test_ranked_must_say_how_scores_order_and_which_pairs():
    with pytest.raises(ValidationError, match="higher_is_better") as exc:
        ColumnMapping.model_validate({"kind": "preference", "columns": {"prompt": "q"},
                                      "set": {"criterion": "safety"},
                                      "ranked": {"candidates": "c", "text": "t", "score": "s"}})
    assert "pairs" in str(exc.value)


# --- the model as a whole -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["alpaca_eval", "alpaca_farm", "helpsteer2", "sharegpt",
                                  "ultrachat", "oasst_trees", "ultrafeedback", "pairs"])
def test_the_canonical_form_rebuilds_the_same_mapping(name):
    m = mapping(name)
    canonical = m.model_dump(mode="json", exclude_defaults=True)
    assert ColumnMapping.model_validate(canonical) == m
    assert json.loads(json.dumps(canonical)) == canonical  # plain JSON, keys as YAML spells them
    again = ColumnMapping.model_validate(json.loads(json.dumps(canonical)))
    assert again.model_dump(mode="json", exclude_defaults=True) == canonical


def test_the_canonical_form_uses_the_yaml_key_names_and_text_value_keys():
    m = mapping("oasst_trees")
    dumped = m.model_dump(mode="json", exclude_defaults=True)
    assert dumped["where"][0] == {"column": "prompt.lang", "equals": "en"}
    assert mapping("sharegpt").model_dump(mode="json", exclude_defaults=True)["messages"][
        "from"] == "conversations"
    a = ColumnMapping(kind="preference", columns={"prompt": "q", "chosen": "a", "rejected": "b",
                                                  "degree": "d"}, set={"criterion": "safety"},
                      values={"degree": {3: "better"}})
    b = a.model_copy(update={"values": {"degree": {"3": "better"}}})
    assert a == ColumnMapping.model_validate(b.model_dump())
    assert a.model_dump(mode="json")["values"] == {"degree": {"3": "better"}}


@pytest.mark.parametrize("spec,error", [
    ({"kind": "sft", "columns": {"messages": "m"},
      "pair": {"a": "x", "b": "y", "preferred": "p", "a_when": 1, "b_when": 2}},
     "use them with kind: preference"),
    ({"kind": "preference", "columns": {"prompt": "q", "chosen": "x"},
      "set": {"criterion": "safety"},
      "pair": {"a": "x", "b": "y", "preferred": "p", "a_when": 1, "b_when": 2}},
     "`chosen` is given by both columns and pair"),
    ({"kind": "sft", "columns": {"messages": "m"}, "turns": {"from": "t"}},
     "`messages` is given by both columns and turns"),
    ({"kind": "preference", "columns": {"prompt": "q"}, "set": {"criterion": "safety"},
      "pair": {"a": "x", "b": "y", "preferred": "p", "a_when": 1, "b_when": 2,
               "sides": {"colour": ["c1", "c2"]}}},
     r"pair.sides names \['chosen_colour', 'rejected_colour'\], not fields"),
])
def test_mappings_that_cannot_work_are_refused_with_the_reason(spec, error):
    with pytest.raises(ValidationError, match=error):
        ColumnMapping.model_validate(spec)
