"""What a push did, and the rule every target shares: a tag, once published, never changes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal

from curate.errors import VersionConflictError

Say = Callable[[str], None]


@dataclass(frozen=True)
class PushResult:
    """`status` is "pushed" (a new commit, tagged) or "unchanged" (the tag already held this build)."""

    repo: str
    tag: str
    commit: str
    fingerprint: str
    status: Literal["pushed", "unchanged"]
    target: str  # the endpoint URL (password masked) or the registry folder
    local: bool = False  # True when `target` is the local registry

    @property
    def where(self) -> str:
        """The dataset's page on the Hub, or the registry it went to."""
        if self.local:
            return f"the local registry {self.target}"
        return f"{self.target}/datasets/{self.repo}"

    def describe(self) -> str:
        """One line: what happened, where, and which build."""
        if self.status == "unchanged":
            return (f"{self.repo}@{self.tag} is already published on {self.where} with fingerprint "
                    f"{self.fingerprint} (commit {self.commit[:12]}): nothing to do")
        return (f"pushed {self.repo}@{self.tag} to {self.where}: commit {self.commit[:12]}, "
                f"fingerprint {self.fingerprint}")


def check_same_build(*, repo: str, tag: str, published: str | None, local: str) -> bool:
    """True when `tag` already holds this build; raises when it holds another one."""
    if published is None:
        raise VersionConflictError(
            f"{repo}@{tag} exists but has no readable manifest.json, so it was not published by "
            f"curate; versions never change: bump the recipe's version instead of reusing {tag}")
    if published != local:
        raise VersionConflictError(
            f"{repo}@{tag} is already published with fingerprint {published}, and this build has "
            f"fingerprint {local}; versions never change: bump the recipe's version (e.g. "
            f"v{int(tag[1:]) + 1}) to publish the new build")
    return True
