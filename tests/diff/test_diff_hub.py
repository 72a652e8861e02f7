"""`curate diff ORG/NAME@v1 ORG/NAME@v2 --endpoint URL`: versions read back from a Hub."""

from __future__ import annotations

from curate.diff import diff_versions
from tests.diff.builds import build_v1, build_v2
from tests.publish.conftest import hub, isolated_hf_env  # noqa: F401  (fixtures)


def test_hub_versions_compare_like_the_local_folders(tmp_path, hub):
    v1, v2 = build_v1(tmp_path), build_v2(tmp_path)
    for v in (v1, v2):
        v.push_to_hub("org/t", endpoint=hub.url, progress=False)
    remote = diff_versions("org/t@v1", "org/t@v2", endpoint=hub.url, token=hub.token)
    local = diff_versions(v1.path, v2.path)
    assert remote.a.fingerprint == v1.fingerprint and remote.b.label == "org/t@v2"
    assert {n: (s.n_a, s.n_b, s.n_added, s.n_removed) for n, s in remote.sources.items()} == \
        {n: (s.n_a, s.n_b, s.n_added, s.n_removed) for n, s in local.sources.items()}
    assert remote.sources["a"].new_batches == {"2023-W03": 35}
    assert not hub.unrouted
