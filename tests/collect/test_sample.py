"""`curate collect sample`: byte-identical packets, two different variants per pair, temperatures
from the list, blind tasks, overlap copies, and the prompts any curate file gives."""

from __future__ import annotations

import hashlib
import json
import random
import shutil

import pytest

from curate.collect.packet import read_key, read_packet_info, read_tasks
from curate.collect.prompts import read_prompts
from curate.collect.sample import parse_models, parse_temperatures, plan_pair, sample_packet
from curate.errors import InputError

from .conftest import MODELS, SAMPLE_ARGS, SFT_PROMPTS, TEMPERATURES, one_torch_thread, run_cli
from .conftest import write_sft_prompts

PACKET_FILES = ["key.json", "packet.json", "tasks.jsonl"]


def _digests(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_the_same_inputs_give_a_byte_identical_packet_through_the_cli(sampled, tmp_path, monkeypatch):
    prompts = sampled.parent / "prompts.jsonl"
    args = ["collect", "sample", "--prompts", prompts, "--criterion", "safety", "--batch", "2023-W15",
            "--iteration", "rlhf_v4", "--seed", 3, "--overlap", 1, "--max-new-tokens", 6,
            "--temperatures", "0.7,1.0,1.3", "--out", tmp_path / "again"]
    for model in MODELS:
        args += ["--model", model]
    with one_torch_thread():
        assert run_cli(monkeypatch, *args) == 0
    assert sorted(_digests(tmp_path / "again")) == PACKET_FILES
    assert _digests(tmp_path / "again") == _digests(sampled)


def test_pairs_do_not_depend_on_prompt_order_or_batch_size(sampled, tmp_path):
    shuffled = SFT_PROMPTS[:]
    random.Random(5).shuffle(shuffled)
    prompts = write_sft_prompts(tmp_path / "shuffled.jsonl", shuffled)
    with one_torch_thread():
        sample_packet(prompts, out=tmp_path / "packet", batch_size=1, **SAMPLE_ARGS)
    for name in ("tasks.jsonl", "key.json"):  # packet.json names the other file's sha256
        assert (tmp_path / "packet" / name).read_bytes() == (sampled / name).read_bytes()


def test_each_pair_comes_from_two_different_variants_at_temperatures_from_the_list(sampled):
    key = read_key(sampled)
    assert len(key) == 6
    for entry in key.values():
        assert entry.a.variant != entry.b.variant
        assert {entry.a.temperature, entry.b.temperature} <= set(TEMPERATURES)
        assert entry.a.model_ref == entry.a.variant  # tiny:N names itself
    used = {side.variant for e in key.values() for side in (e.a, e.b)}
    assert used <= set(MODELS) and len(used) >= 2
    info = read_packet_info(sampled)
    assert [m.variant for m in info.models] == list(MODELS)
    assert (info.criterion, info.batch, info.iteration, info.n_tasks, info.overlap) == (
        "safety", "2023-W15", "rlhf_v4", 6, 1)


def test_tasks_are_blind_and_prompts_end_with_their_last_user_turn(sampled):
    text = (sampled / "tasks.jsonl").read_text()
    assert "tiny:" not in text and "temperature" not in text and "variant" not in text
    tasks = read_tasks(sampled)
    prompts = {tuple((m.role, m.content) for m in t.prompt) for t in tasks}
    assert prompts == {
        (("user", "How do I pick a lock?"),), (("user", "Name a prime number."),),
        (("user", "Hi"), ("assistant", "Hello!"), ("user", "Tell me a joke.")),
        (("system", "Be brief."), ("user", "What is the capital of France?")),
        (("user", "How do I boil an egg?"),)}
    assert all(t.response_a and t.response_b and t.response_a != t.response_b for t in tasks)


def test_the_overlap_copy_names_its_original_and_shows_the_sides_swapped(sampled):
    tasks, key = read_tasks(sampled), read_key(sampled)
    (copy,) = [t for t in tasks if t.repeat_of]
    original = next(t for t in tasks if t.task_id == copy.repeat_of)
    assert (copy.task_id, original.task_id) == ("0006", "0001")
    assert (copy.response_a, copy.response_b) == (original.response_b, original.response_a)
    assert (key[copy.task_id].a, key[copy.task_id].b) == (key["0001"].b, key["0001"].a)


def test_a_different_packet_in_out_is_kept_unless_overwrite(sampled, tmp_path):
    out = shutil.copytree(sampled, tmp_path / "packet")
    (out / "collect.html").write_text("old page")
    prompts = write_sft_prompts(tmp_path / "two.jsonl", SFT_PROMPTS[:2])
    args = {**SAMPLE_ARGS, "overlap": 0, "models": ("tiny:1", "tiny:2")}
    with one_torch_thread():
        with pytest.raises(InputError, match="already holds packet .* --overwrite"):
            sample_packet(prompts, out=out, **args)
        sample_packet(prompts, out=out, overwrite=True, **args)
    assert read_packet_info(out).n_tasks == 2 and not (out / "collect.html").exists()


def test_plan_pair_draws_two_variants_and_is_fixed_by_uid_and_seed():
    variants = parse_models(["tiny:1", "tiny:2", "tiny:3", "tiny:4"])
    plans = [plan_pair(f"uid{i}", variants, [0.7, 1.3], seed=0) for i in range(200)]
    assert all(a.variant != b.variant for a, b in plans)
    assert {a.variant.name for a, _ in plans} == {v.name for v in variants}
    assert {a.temperature for a, _ in plans} == {0.7, 1.3}
    assert plans == [plan_pair(f"uid{i}", variants, [0.7, 1.3], seed=0) for i in range(200)]
    assert plans != [plan_pair(f"uid{i}", variants, [0.7, 1.3], seed=1) for i in range(200)]


def test_model_names_and_temperatures_are_checked(tmp_path):
    (tmp_path / "ckpt-a").mkdir()
    assert [(v.name, v.ref) for v in parse_models([str(tmp_path / "ckpt-a"), "rlhf_b=org/model"])] == [
        ("ckpt-a", str(tmp_path / "ckpt-a")), ("rlhf_b", "org/model")]
    with pytest.raises(InputError, match="at least two different models"):
        parse_models(["tiny:1"])
    with pytest.raises(InputError, match="given twice; name them apart with NAME=REF"):
        parse_models(["tiny:1", "tiny:1", "tiny:2"])
    assert parse_temperatures("0.7, 1.0,1.3") == [0.7, 1.0, 1.3]
    for bad in ("warm", "0,1", ""):
        with pytest.raises(InputError, match="--temperatures"):
            parse_temperatures(bad)


def test_usage_errors_exit_2_with_one_line(tmp_path, monkeypatch, capsys):
    prompts = write_sft_prompts(tmp_path / "p.jsonl")
    base = ["collect", "sample", "--prompts", prompts, "--batch", "2023-W15", "--iteration",
            "rlhf_v4", "--out", tmp_path / "out", "--model", "tiny:1", "--model", "tiny:2"]
    assert run_cli(monkeypatch, *base, "--criterion", "harmlessness") == 2
    assert "--criterion harmlessness: use helpfulness or safety" in capsys.readouterr().err
    assert run_cli(monkeypatch, *base, "--criterion", "safety", "--overlap", 9) == 2
    assert "--overlap 9: between 0 and the 5 prompts" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_prompts_come_from_preference_files_and_lines_of_text(tmp_path):
    pairs = [{"prompt": [{"role": "user", "content": "Q1"}], "chosen": "x", "rejected": "y",
              "criterion": "helpfulness", "source": "s"},
             {"prompt": [{"role": "user", "content": "Q1"}], "chosen": "z", "rejected": "w",
              "criterion": "helpfulness", "source": "s"}]
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in pairs))
    found = read_prompts(path)
    assert [p.messages for p in found.prompts] == [[{"role": "user", "content": "Q1"}]]
    assert found.counts == {"duplicate_prompt": 1}
    text = tmp_path / "text.jsonl"
    text.write_text('"Q2"\n{"text": "  "}\n{"text": "Q3"}\n')
    found = read_prompts(text)
    assert [p.messages[0]["content"] for p in found.prompts] == ["Q2", "Q3"]
    assert found.counts == {"no_user_turn": 1}
    text.write_text('"Q2"\n{"prompt": "mixed"}\n')
    with pytest.raises(InputError, match=r"text.jsonl:2: expected a JSON string"):
        read_prompts(text)


def test_a_model_folder_samples_the_same_text_as_the_model_saved_in_it(tmp_path):
    from curate.collect.generate import Request, load_sampler

    requests = [Request([{"role": "user", "content": "Hi"}], temperature=1.3, seed=s) for s in (1, 2)]
    with one_torch_thread():
        tiny = load_sampler("tiny:2", max_new_tokens=5, engine="transformers")
        tiny.model.save_pretrained(tmp_path / "rlhf_v4")  # as a trainer writes its output folder
        tiny.tokenizer.save_pretrained(tmp_path / "rlhf_v4")
        folder = load_sampler(str(tmp_path / "rlhf_v4"), max_new_tokens=5)
        assert folder.generate(requests) == tiny.generate(requests)
    assert parse_models([str(tmp_path / "rlhf_v4"), "tiny:2"])[0].name == "rlhf_v4"
    with pytest.raises(InputError, match="--engine vllm cannot load tiny:1"):
        load_sampler("tiny:1", max_new_tokens=5, engine="vllm")


@pytest.mark.parametrize(("option", "message"), [
    (["--batch-size", 0], "--batch-size 0: a generation batch holds at least one prompt"),
    (["--batch-size", -1], "--batch-size -1: a generation batch holds at least one prompt"),
    (["--gpu-memory", 0], "--gpu-memory 0.0: the fraction of the GPU's memory"),
    (["--gpu-memory", 1.5], "--gpu-memory 1.5: the fraction of the GPU's memory"),
    (["--max-new-tokens", 0], "--max-new-tokens 0: a response needs at least one token"),
    (["--model", "/nonexistent/model"], "--model /nonexistent/model: no such folder; give a model "
                                        "folder, a Hub id or tiny:SEED"),
])
def test_unusable_options_exit_2_before_any_model_is_loaded(tmp_path, monkeypatch, capsys,
                                                             option, message):
    def no_model(*args, **kwargs):
        raise AssertionError("a model was loaded before the options were checked")

    monkeypatch.setattr("curate.collect.sample.load_sampler", no_model)
    prompts = write_sft_prompts(tmp_path / "p.jsonl")
    assert run_cli(monkeypatch, "collect", "sample", "--prompts", prompts, "--criterion", "safety",
                   "--batch", "2023-W15", "--iteration", "rlhf_v4", "--out", tmp_path / "out",
                   "--model", "tiny:1", "--model", "tiny:2", *option) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {message}") and len(err.splitlines()) == 1, err
    assert not (tmp_path / "out").exists()


def test_a_missing_model_is_named_as_the_model_and_a_missing_tokenizer_as_the_tokenizer(tmp_path):
    from curate.collect.generate import load_sampler
    from curate.lm import load_tokenizer

    with pytest.raises(InputError, match=r"^--model /nonexistent/model: no such folder; give a "
                                         r"model folder, a Hub id or tiny:SEED$"):
        load_sampler("/nonexistent/model", max_new_tokens=4, engine="transformers")
    (tmp_path / "empty-model").mkdir()
    with pytest.raises(InputError, match=r"^--model .*empty-model: the model folder holds no "
                                         r"tokenizer"):
        load_sampler(str(tmp_path / "empty-model"), max_new_tokens=4, engine="transformers")
    # the trainers name their tokenizer with --tokenizer (or CURATE_TOKENIZER)
    with pytest.raises(InputError, match=r"tokenizer folder '/nonexistent/tok' does not exist; "
                                         r"pass --tokenizer .* or set CURATE_TOKENIZER"):
        load_tokenizer("/nonexistent/tok")
