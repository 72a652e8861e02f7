"""A source on the Hub: `hub: ORG/NAME` with `revision:` and `files:`, a fourth origin."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from curate.recipe import SourceSpec


def test_a_hub_source_names_a_repo_and_optionally_a_revision_and_globs():
    spec = SourceSpec.model_validate({"hub": "Anthropic/hh-rlhf", "revision": "v1.0",
                                      "files": ["harmless-base/*.jsonl.gz"], "format": "hh-rlhf"})
    assert (spec.hub, spec.revision, spec.files) == ("Anthropic/hh-rlhf", "v1.0",
                                                     ["harmless-base/*.jsonl.gz"])
    assert SourceSpec(hub="org/name").revision is None  # main, resolved by the build


@pytest.mark.parametrize("spec, message", [
    ({"hub": "org/x", "path": "a.jsonl"}, r"exactly one of catalog, path, synth or hub"),
    ({"hub": "org/x", "catalog": "a"}, r"exactly one of catalog, path, synth or hub"),
    ({"path": "a.jsonl", "revision": "v1"}, r"revision go with `hub: ORG/NAME` only"),
    ({"catalog": "a", "files": "*.jsonl"}, r"files go with `hub: ORG/NAME` only"),
    ({"hub": "hh-rlhf"}, r"not a dataset repo id: write ORG/NAME"),
    ({"hub": "org/../x"}, r"not a dataset repo id"),
    ({"hub": "org/x", "files": "../secrets/*.jsonl"}, r"not a glob inside the repo"),
    ({"hub": "org/x", "files": ["/abs/*.jsonl"]}, r"not a glob inside the repo"),
])
def test_a_malformed_hub_source_is_refused_with_the_fix(spec, message):
    with pytest.raises(ValidationError, match=message):
        SourceSpec.model_validate(spec)
