import json

import polars as pl

from curate.identity import (preference_uid, preference_uid_expr, prompt_uid, prompt_uid_expr,
                             sft_uid, sft_uid_expr)

TEXTS = ["plain", "  padded \t", "line\r\nends\r", "Cafe\u0301", "", "emoji \U0001F600", "\x1f sep"]


def test_vectorised_uid_matches_row_by_row_uid_exactly():
    prompts = [[{"role": "system", "content": t}, {"role": "user", "content": t[::-1]}]
               for t in TEXTS]
    frame = pl.DataFrame({"criterion": ["safety"] * len(TEXTS), "prompt": prompts,
                          "chosen": TEXTS, "rejected": TEXTS[::-1]})
    got = frame.select(preference_uid_expr())["uid"].to_list()
    want = [preference_uid("safety", [(m["role"], m["content"]) for m in p], c, r)
            for p, c, r in zip(prompts, TEXTS, TEXTS[::-1])]
    assert got == want
    assert frame.select(prompt_uid_expr())["prompt_uid"].to_list() == [
        prompt_uid([(m["role"], m["content"]) for m in p]) for p in prompts]


def test_vectorised_sft_uid_matches_row_by_row_uid():
    messages = [[{"role": "user", "content": t}, {"role": "assistant", "content": t + "!"}]
                for t in TEXTS]
    got = pl.DataFrame({"messages": messages}).select(sft_uid_expr())["uid"].to_list()
    assert got == [sft_uid([(m["role"], m["content"]) for m in d]) for d in messages]


def test_message_boundaries_matter():
    assert (sft_uid([("user", "ab"), ("assistant", "c")])
            != sft_uid([("user", "a"), ("assistant", "bc")]))


def test_fast_frame_form_matches_row_by_row_uid():
    from curate.identity import derive_uids, prompt_uids

    prompts = [[{"role": "user", "content": t}] for t in TEXTS] + [[]]
    texts = TEXTS + ["x"]
    frame = pl.DataFrame({"criterion": ["helpfulness"] * len(texts), "prompt": prompts,
                          "chosen": texts, "rejected": texts[1:] + texts[:1]})
    got = derive_uids(frame.slice(1), "preference")  # a slice: list offsets not starting at 0
    want = [preference_uid("helpfulness", [(m["role"], m["content"]) for m in p], c, r)
            for p, c, r in zip(prompts[1:], texts[1:], (texts[1:] + texts[:1])[1:])]
    assert got["uid"].to_list() == want
    assert prompt_uids(frame).to_list() == [
        prompt_uid([(m["role"], m["content"]) for m in p]) for p in prompts]
    messages = [[{"role": "user", "content": t}, {"role": "assistant", "content": t + "!"}]
                for t in TEXTS]
    sft = derive_uids(pl.DataFrame({"messages": messages}), "sft")["uid"].to_list()
    assert sft == [sft_uid([(m["role"], m["content"]) for m in d]) for d in messages]


# Texts where Unicode versions or normal forms disagree: U+1AE2 is a combining mark newer than
# Python 3.11's unicodedata (it normalised "G\u1ae2\u0331" unlike Arrow's utf8proc), Hangul
# jamo compose, NFD/NFC spellings of one text, an emoji ZWJ sequence, the Angstrom sign.
TRICKY = ["G\u1ae2\u0331", "\u1100\u1161\u11a8 \uac01", "Cafe\u0301 / Caf\u00e9",
          "\U0001F469\u200d\U0001F469\u200d\U0001F467", "\u212b", " \u00e9\r\n"]
# Pinned: a change of these is a change of every uid (and of every build's fingerprint).
PINNED_TRICKY_UIDS = [
    "adda1d56774e49deb02e5693243c0861",
    "c11cccdba78ac0be5b3955d4f297bb76",
    "28fd59a6df0ae4da46df50cce16a7f5d",
    "5a7dceb34a4ec019275590f526595d85",
    "788a14a900c76ef1148f459ebd392c89",
    "c50bce88553c1d20a135bf32a7c94502",
]


def test_uid_of_tricky_texts_is_the_same_in_the_model_read_validate_and_build(tmp_path):
    import curate
    from curate.checks import apply_checks
    from curate.records import PreferenceRecord
    from tests.builder.conftest import write_recipe

    rows = [{"prompt": [{"role": "user", "content": t}], "chosen": f"{t} yes", "rejected": t[::-1],
             "criterion": "safety", "degree": "better", "source": "tricky"} for t in TRICKY]
    model = [PreferenceRecord.model_validate(r).uid for r in rows]
    data = tmp_path / "tricky.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    read = curate.read(data, format="curate")["uid"].to_list()
    pl.DataFrame(rows).write_parquet(tmp_path / "tricky.parquet")
    read_parquet = curate.read(tmp_path / "tricky.parquet", format="curate")["uid"].to_list()
    (batch,) = curate.scan_batches(data, format="curate")
    checked = apply_checks(batch.frame, "preference")["uid"].to_list()
    recipe = write_recipe(tmp_path, sources={"tricky": {"path": "tricky.jsonl"}},
                          mix=[{"group": "all", "from": ["tricky"], "take": "all"}])
    build = curate.build(recipe, out=tmp_path / "out", progress=False)
    built = pl.concat([pl.read_parquet(build.path / o.path) for o in build.manifest.outputs])
    by_prompt = dict(zip(built["prompt"].list.first().struct.field("content"), built["uid"]))
    assert model == read == read_parquet == checked
    assert [by_prompt[t] for t in TRICKY] == model
    assert len(set(model)) == len(TRICKY)
    assert model == PINNED_TRICKY_UIDS
