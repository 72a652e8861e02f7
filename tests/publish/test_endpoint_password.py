"""A password in the endpoint URL (http://user:TOKEN@host) is used, and never shown."""

from __future__ import annotations

import logging
import traceback

import pytest

from curate.errors import PublishError
from curate.publish import push_to_hub
from tests.publish.test_cli_push import run_cli
from tests.publish.version_folders import preference_rows, write_build

REPO = "my-org/safety-rm"
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


def with_password(url: str, password: str) -> str:
    return url.replace("http://", f"http://alice:{password}@")


def build_v3(tmp_path):
    return write_build(tmp_path / "build", version=3, train=preference_rows(10), test=preference_rows(2))


def everything_said(capsys, caplog, *extra) -> str:
    captured = capsys.readouterr()
    return "\n".join([captured.out, captured.err, caplog.text, *map(str, extra)])


def test_endpoint_is_shown_with_its_password_masked():
    from curate.publish.names import Endpoint

    endpoint = Endpoint("https://alice:s%40cret@hub.example:8443/base")
    assert endpoint.shown == "https://alice:***@hub.example:8443/base"
    assert endpoint.redact("GET https://alice:s%40cret@hub.example:8443/base/x; s@cret") == (
        "GET https://alice:***@hub.example:8443/base/x; ***")
    assert Endpoint("https://hub.example").shown == "https://hub.example"


def test_password_in_the_endpoint_never_appears_in_result_messages_or_logs(hub, tmp_path, capsys,
                                                                            caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)  # httpx logs every request's URL at INFO
    url = with_password(hub.url, hub.token)
    result = push_to_hub(build_v3(tmp_path), repo=REPO, endpoint=url)
    again = push_to_hub(build_v3(tmp_path / "again"), repo=REPO, endpoint=url)
    assert result.status == "pushed" and again.status == "unchanged"
    assert result.target == with_password(hub.url, "***")
    said = everything_said(capsys, caplog, result, again, again.describe())
    assert "alice:***@127.0.0.1" in said and hub.token not in said


def test_password_in_the_endpoint_never_appears_in_errors_or_their_tracebacks(hub, tmp_path, capsys,
                                                                              caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    refused = with_password(hub.url, "hf_wrong_password_31337")  # a 401: sent instead of HF_TOKEN
    unreachable = with_password(hub.url.rsplit(":", 1)[0] + ":9", "hf_other_password_2718")
    errors = []
    for url in (refused, unreachable):
        with pytest.raises(PublishError) as error:
            push_to_hub(build_v3(tmp_path / str(len(errors))), repo=REPO, endpoint=url)
        errors.append("".join(traceback.format_exception(error.value)))
    said = everything_said(capsys, caplog, *errors)
    assert "user and password in the endpoint URL" in errors[0] and "interrupted" in errors[1]
    assert "alice:***@" in said
    assert "hf_wrong_password_31337" not in said and "hf_other_password_2718" not in said


def test_cli_push_never_prints_the_endpoint_password(hub, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CURATE_DEBUG", "1")  # even the traceback for a bug report holds no password
    args = ["push", "safety_rm_v3", "--repo", REPO, "--from", str(build_v3(tmp_path))]
    assert run_cli(monkeypatch, *args, "--endpoint", with_password(hub.url, "hf_bad_pw_777")) == 2
    assert run_cli(monkeypatch, *args, "--endpoint", with_password(hub.url, hub.token)) == 0
    captured = capsys.readouterr()
    said = captured.out + captured.err
    assert "alice:***@" in said and "hf_bad_pw_777" not in said and hub.token not in said
