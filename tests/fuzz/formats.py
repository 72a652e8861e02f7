"""Valid rows of every format curate reads, as hypothesis strategies, and what each format promises.

Rows follow tests/fixtures (the real layouts). `Format` also says which raw fields hold text
(a number there must be rejected, never coerced), which are required (missing or null means
rejected) and whether unknown keys inside messages must be rejected: the oracles of
`tests/fuzz/oracle.py` read these, never curate's code.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

# Characters that break naive text handling: combining marks, Hangul jamo, ZWJ emoji, NFC/NFD
# pairs, line ends, NUL, BOM, line separators (all valid UTF-8 inside JSON strings).
TRICKY = ["\u0301", "G\u1ae2\u0331", "가", "\u1100\u1161", "👨\u200d👩\u200d👧", "\r\n", "\r", "\n",
          "\t", "\x00", "\ufeff", "\u2028", " ", "e\u0301", "\u212b", "Human:", "\n\nAssistant:",
          "\n\nHuman: ", "\\", "\"", "\x7f", "\U0010ffff"]
WORDS = st.text(alphabet=string.ascii_letters + string.digits + " .,?!", min_size=1, max_size=12)
PIECES = st.one_of(WORDS, st.sampled_from(TRICKY), st.characters(codec="utf-8"))
TEXT = st.lists(PIECES, min_size=1, max_size=4).map("".join)
LABEL = st.sampled_from(["vendor-a", "rlhf_v3-70b", "a1", "x"])
BATCH = st.sampled_from(["2023-W14", "2023-W15", None])

LIST_OK = "list_ok"  # a text path that also takes a message list (TRL, OpenAI content parts)


@dataclass(frozen=True)
class Format:
    name: str
    kind: str
    rows: st.SearchStrategy  # -> (rows, set_fields, stem, shape)
    text_paths: tuple[tuple[Any, ...], ...] = ()  # "*" = every list item; LIST_OK last = lists ok
    required: tuple[tuple[str, ...], ...] = ()
    strict_messages: tuple[str, ...] = ()  # fields whose message dicts take only role/content
    strict_top: tuple[str, ...] | None = None  # the only top-level keys allowed (native)
    per_row: int = 1  # most records one raw row can give
    mapping: str | None = None  # YAML of a column mapping (the format is that file)


def turns(roles: list[str]) -> st.SearchStrategy:
    return st.tuples(*[st.fixed_dictionaries({"role": st.just(r), "content": TEXT})
                       for r in roles]).map(list)


@st.composite
def dialogue(draw, *, last: str) -> list[dict]:
    """system?, alternating user/assistant, ending with `last`."""
    n = draw(st.integers(0, 2))
    roles = ["system"] if draw(st.booleans()) else []
    roles += ["user", "assistant"] * n
    roles += ["user"] if last == "user" else ["user", "assistant"]
    return draw(turns(roles))


def many(row: st.SearchStrategy, *, set_fields=None, stem: st.SearchStrategy | str = "data",
         shape: str = "") -> st.SearchStrategy:
    stems = st.just(stem) if isinstance(stem, str) else stem
    return st.tuples(st.lists(row, min_size=1, max_size=5), st.just(set_fields or {}), stems,
                     st.just(shape))


def opt(value: st.SearchStrategy) -> st.SearchStrategy:
    return st.none() | value


# --- curate's own records -------------------------------------------------------------

PREFERENCE_FIELDS = ("prompt", "chosen", "rejected", "criterion", "degree", "chosen_safe",
                     "rejected_safe", "chosen_model", "chosen_temperature", "rejected_model",
                     "rejected_temperature", "model_iteration", "batch", "annotator", "source",
                     "margin", "is_user_data")
SFT_FIELDS = ("messages", "source", "origin", "annotator", "batch", "license", "is_user_data")
DEGREES = ["significantly_better", "better", "slightly_better", "negligibly_better", "unsure",
           "Slightly Better"]

native_preference = st.fixed_dictionaries(
    {"prompt": dialogue(last="user"), "chosen": TEXT, "rejected": TEXT,
     "criterion": st.sampled_from(["helpfulness", "safety"]), "source": LABEL},
    optional={"degree": opt(st.sampled_from(DEGREES)), "chosen_safe": opt(st.booleans()),
              "rejected_safe": opt(st.booleans()), "chosen_model": opt(LABEL),
              "chosen_temperature": opt(st.floats(0, 2)), "rejected_model": opt(LABEL),
              "rejected_temperature": opt(st.floats(0, 2)), "model_iteration": opt(LABEL),
              "batch": BATCH, "annotator": opt(LABEL), "margin": opt(st.floats(-5, 5)),
              "is_user_data": st.just(False),
              "uid": st.sampled_from(["0" * 32, "not a uid"]), "safety_category": opt(st.just(2))})
native_sft = st.fixed_dictionaries(
    {"messages": dialogue(last="assistant"), "source": LABEL},
    optional={"origin": opt(st.sampled_from(["vendor", "third_party", "model"])),
              "annotator": opt(LABEL), "batch": BATCH, "license": opt(st.just("cc-by-4.0")),
              "is_user_data": st.just(False), "uid": st.just("0" * 32)})

# --- the public datasets' own layouts ------------------------------------------------


@st.composite
def hh_row(draw) -> dict:
    pairs = draw(st.lists(st.tuples(TEXT, TEXT), max_size=2))
    prefix = "".join(f"\n\nHuman: {u}\n\nAssistant: {a}" for u, a in pairs)
    prefix += f"\n\nHuman: {draw(TEXT)}\n\nAssistant:"
    return {"chosen": f"{prefix} {draw(TEXT)}", "rejected": f"{prefix} {draw(TEXT)}"}


pku_row = st.fixed_dictionaries({
    "prompt": TEXT, "response_0": TEXT, "response_1": TEXT, "prompt_source": LABEL,
    "response_0_source": LABEL, "response_1_source": LABEL,
    "is_response_0_safe": st.booleans(), "is_response_1_safe": st.booleans(),
    "response_0_harm_category": st.fixed_dictionaries({"Violence": st.booleans()}),
    "response_1_harm_category": st.fixed_dictionaries({"Violence": st.booleans()}),
    "response_0_severity_level": st.integers(0, 3), "response_1_severity_level": st.integers(0, 3),
    "better_response_id": st.integers(0, 1), "safer_response_id": st.integers(0, 1),
    "response_0_sha256": st.just("a0"), "response_1_sha256": st.just("a1")})

shp_row = st.fixed_dictionaries({
    "post_id": WORDS, "domain": st.just("askculinary_train"), "upvote_ratio": st.floats(0, 1),
    "history": TEXT, "c_root_id_A": WORDS, "c_root_id_B": WORDS,
    "created_at_utc_A": st.integers(0, 2**31), "created_at_utc_B": st.integers(0, 2**31),
    "score_A": st.integers(0, 500), "score_B": st.integers(0, 500), "human_ref_A": TEXT,
    "human_ref_B": TEXT, "labels": st.integers(0, 1), "seconds_difference": st.floats(0, 1e5),
    "score_ratio": st.floats(1, 50)})

summary = st.fixed_dictionaries({"text": TEXT, "policy": LABEL, "note": opt(TEXT)})
summarize_row = st.fixed_dictionaries({
    "info": st.fixed_dictionaries({"id": WORDS, "post": TEXT, "title": opt(TEXT),
                                   "subreddit": WORDS})
    | st.fixed_dictionaries({"id": WORDS, "site": WORDS, "title": opt(TEXT), "article": TEXT}),
    "summaries": st.tuples(summary, summary).map(list), "choice": st.integers(0, 1),
    "worker": WORDS, "batch": WORDS, "split": st.just("train"),
    "extra": st.fixed_dictionaries({"confidence": st.integers(1, 9)})})

quotes = st.fixed_dictionaries({"title": st.lists(TEXT, max_size=1),
                                "extract": st.lists(TEXT, max_size=1)})
tokens = st.fixed_dictionaries({"prefix": st.lists(st.integers(0, 50000), max_size=3),
                                "completion": st.lists(st.integers(0, 50000), max_size=3)})


@st.composite
def webgpt_row(draw) -> dict:
    score = draw(st.sampled_from([1.0, -1.0, 0.5, -0.5, 0.0]))
    return {"question": {"dataset": "eli5", "id": draw(WORDS), "full_text": draw(TEXT)},
            "quotes_0": draw(quotes), "answer_0": draw(TEXT), "tokens_0": draw(tokens),
            "score_0": score, "quotes_1": draw(quotes), "answer_1": draw(TEXT),
            "tokens_1": draw(tokens), "score_1": -score}


stack_row = st.fixed_dictionaries({
    "qid": st.integers(1, 10**8), "question": TEXT, "date": st.just("2011/01/27"),
    "metadata": st.lists(WORDS, max_size=2), "response_j": TEXT, "response_k": TEXT})

gptj_row = st.fixed_dictionaries({"prompt": TEXT, "chosen": TEXT, "rejected": TEXT})


# --- TRL: one shape per file (the first row picks the record kind) --------------------

@st.composite
def trl_rows(draw):
    shape = draw(st.sampled_from(["preference_standard", "preference_conversational",
                                  "implicit_standard", "implicit_conversational",
                                  "prompt_completion", "prompt_completion_conversational",
                                  "messages", "unpaired_preference"]))
    margin = {"margin": st.floats(-3, 3) | st.integers(-3, 3)}
    assistant = turns(["assistant"])
    rows = {
        "preference_standard": st.fixed_dictionaries(
            {"prompt": TEXT, "chosen": TEXT, "rejected": TEXT}, optional=margin),
        "preference_conversational": st.fixed_dictionaries(
            {"prompt": dialogue(last="user"), "chosen": assistant, "rejected": assistant},
            optional=margin),
        "implicit_standard": st.tuples(TEXT, TEXT, TEXT).map(
            lambda t: {"chosen": f"{t[0]} {t[1]}", "rejected": f"{t[0]} {t[2]}"}),
        "implicit_conversational": st.tuples(dialogue(last="user"), assistant, assistant).map(
            lambda t: {"chosen": t[0] + t[1], "rejected": t[0] + t[2]}),
        "prompt_completion": st.fixed_dictionaries({"prompt": TEXT, "completion": TEXT}),
        "prompt_completion_conversational": st.fixed_dictionaries(
            {"prompt": dialogue(last="user"), "completion": assistant}),
        "messages": st.fixed_dictionaries({"messages": dialogue(last="assistant")}),
        "unpaired_preference": st.fixed_dictionaries(
            {"prompt": TEXT, "completion": TEXT, "label": st.booleans()}),
    }[shape]
    preference = shape.startswith(("preference", "implicit"))
    fields = {"criterion": "helpfulness"} if preference else {}
    return draw(many(rows, set_fields=fields, stem=shape, shape=shape))


# --- SFT formats ----------------------------------------------------------------------

alpaca_row = st.fixed_dictionaries(
    {"instruction": TEXT, "input": st.just("") | TEXT, "output": TEXT},
    optional={"system": TEXT, "history": st.lists(st.tuples(TEXT, TEXT).map(list), max_size=2)})


@st.composite
def chat_row(draw) -> dict:
    messages = draw(dialogue(last="assistant"))
    for m in messages:
        if m["role"] == "system" and draw(st.booleans()):
            m["role"] = "developer"
        if m["role"] == "user" and draw(st.booleans()):
            m["content"] = [{"type": "text", "text": draw(TEXT)}, {"type": "text", "text": "!"}]
        if m["role"] == "user" and draw(st.booleans()):
            m["name"] = "alice"
    if draw(st.booleans()):
        messages[-1]["weight"] = 1
    return {"messages": messages}


@st.composite
def self_instruct_rows(draw):
    if draw(st.booleans()):
        instance = st.fixed_dictionaries({"input": st.just("") | TEXT, "output": TEXT})
        row = st.fixed_dictionaries({"id": WORDS, "motivation_app": WORDS, "instruction": TEXT,
                                     "instances": st.lists(instance, min_size=1, max_size=3)})
        return draw(many(row, stem="user_oriented_instructions", shape="user_oriented"))
    row = st.fixed_dictionaries({"prompt": TEXT, "instruction": TEXT, "input": st.just("") | TEXT,
                                 "response": TEXT, "target": TEXT})
    return draw(many(row, stem="text-davinci-003_predictions", shape="predictions"))


# --- column mappings (tests/fixtures/mapping) -----------------------------------------

PAIRS_YAML = """kind: preference
name: vendor-x
columns:
  prompt: question.text
  chosen: answers.0.text
  rejected: answers.1.text
  chosen_model: answers.0.model
  rejected_model: answers.1.model
  annotator: rater
  batch: week
set:
  criterion: helpfulness
"""
answer = st.fixed_dictionaries({"text": TEXT, "model": LABEL})
pairs_row = st.fixed_dictionaries({
    "id": st.integers(0, 10**6), "question": st.fixed_dictionaries({"title": TEXT, "text": TEXT}),
    "answers": st.tuples(answer, answer).map(list), "rater": opt(LABEL), "week": BATCH})

DEMO_YAML = """kind: sft
name: demos
columns:
  prompt: q
  completion: a
  annotator: meta.who
"""
demo_row = st.fixed_dictionaries({"q": TEXT, "a": TEXT, "meta": st.fixed_dictionaries(
    {"who": LABEL})})

# --- the table ------------------------------------------------------------------------

NATIVE_PREF_TEXT = tuple((f,) for f in ("chosen", "rejected", "criterion", "source", "degree",
                                        "chosen_model", "rejected_model", "model_iteration",
                                        "batch", "annotator")) + (("prompt", "*", "content"),
                                                                  ("prompt", "*", "role"))
NATIVE_SFT_TEXT = tuple((f,) for f in ("source", "origin", "annotator", "batch", "license")) + (
    ("messages", "*", "content"), ("messages", "*", "role"))
TRL_TEXT = (("prompt", LIST_OK), ("chosen", LIST_OK), ("rejected", LIST_OK),
            ("completion", LIST_OK)) + tuple(
    (f, "*", k) for f in ("prompt", "chosen", "rejected", "completion", "messages")
    for k in ("content", "role"))

FORMATS: dict[str, Format] = {f.name: f for f in [
    Format("curate", "preference", many(native_preference, stem="native"),
           text_paths=NATIVE_PREF_TEXT,
           required=(("prompt",), ("chosen",), ("rejected",), ("criterion",), ("source",)),
           strict_messages=("prompt",),
           strict_top=PREFERENCE_FIELDS + ("uid", "safety_category")),
    Format("curate-sft", "sft", many(native_sft, stem="native_sft"), text_paths=NATIVE_SFT_TEXT,
           required=(("messages",), ("source",)), strict_messages=("messages",),
           strict_top=SFT_FIELDS + ("uid", "safety_category")),
    Format("hh-rlhf", "preference",
           many(hh_row(), stem=st.sampled_from(["harmless-base", "helpful-online"])),
           text_paths=(("chosen",), ("rejected",)), required=(("chosen",), ("rejected",))),
    Format("pku-saferlhf", "preference", many(pku_row),
           text_paths=(("prompt",), ("response_0",), ("response_1",), ("response_0_source",),
                       ("response_1_source",)),
           required=(("prompt",), ("response_0",), ("response_1",), ("is_response_0_safe",),
                     ("is_response_1_safe",), ("better_response_id",), ("safer_response_id",)),
           per_row=2),
    Format("stanford-shp", "preference", many(shp_row),
           text_paths=(("history",), ("human_ref_A",), ("human_ref_B",)),
           required=(("history",), ("human_ref_A",), ("human_ref_B",), ("labels",))),
    Format("openai-summarize", "preference", many(summarize_row, stem="comparisons"),
           text_paths=(("info", "post"), ("info", "article"), ("info", "title"),
                       ("summaries", "*", "text"), ("summaries", "*", "policy"), ("worker",),
                       ("batch",)),
           required=(("info",), ("summaries",), ("choice",))),
    Format("openai-webgpt", "preference", many(webgpt_row(), stem="comparisons"),
           text_paths=(("question", "full_text"), ("answer_0",), ("answer_1",)),
           required=(("question",), ("question", "full_text"), ("answer_0",), ("answer_1",),
                     ("score_0",), ("score_1",))),
    Format("stack-exchange-paired", "preference", many(stack_row),
           text_paths=(("question",), ("response_j",), ("response_k",)),
           required=(("question",), ("response_j",), ("response_k",))),
    Format("gptj-pairwise", "preference", many(gptj_row),
           text_paths=(("prompt",), ("chosen",), ("rejected",)),
           required=(("prompt",), ("chosen",), ("rejected",))),
    Format("trl", "either", trl_rows(), text_paths=TRL_TEXT,
           strict_messages=("prompt", "chosen", "rejected", "completion", "messages")),
    Format("alpaca", "sft", many(alpaca_row, stem="alpaca_data"),
           text_paths=(("instruction",), ("input",), ("output",), ("system",),
                       ("history", "*", "*")),
           required=(("instruction",), ("output",))),
    Format("openai-chat", "sft", many(chat_row()),
           text_paths=(("messages", "*", "content", LIST_OK), ("messages", "*", "role"),
                       ("messages", "*", "content", "*", "text")),
           required=(("messages",),)),
    Format("self-instruct", "sft", self_instruct_rows(),
           text_paths=(("instruction",), ("instances", "*", "output"),
                       ("instances", "*", "input"), ("input",), ("response",)),
           required=(("instruction",),), per_row=3),
    Format("mapping", "preference", many(pairs_row, stem="pairs"),
           text_paths=(("question", "text", LIST_OK), ("answers", "*", "text", LIST_OK),
                       ("answers", "*", "model"), ("rater",), ("week",)),
           required=(("question", "text"), ("answers",)), mapping=PAIRS_YAML),
    Format("mapping-sft", "sft", many(demo_row, stem="demos"),
           text_paths=(("q", LIST_OK), ("a", LIST_OK), ("meta", "who")),
           required=(("q",), ("a",)), strict_messages=("q", "a"), mapping=DEMO_YAML),
]}


def format_argument(spec: Format, mapping_path: str | None) -> str:
    """What `--format` gets: the name, the mapping's YAML file, or `curate` for both kinds."""
    if spec.mapping:
        assert mapping_path is not None
        return mapping_path
    return "curate" if spec.name.startswith("curate") else spec.name
