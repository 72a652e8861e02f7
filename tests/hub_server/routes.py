"""The Hub routes huggingface_hub 2.x calls, as (method, regex, handler) over a Store.

Routes and payloads follow the client code: hf_api.py (create_repo, repo_info, list_repo_refs,
list_repo_tree, get_paths_info, create_tag, create_branch, _validate_yaml), _commit_api.py (preupload,
NDJSON commit), lfs.py (batch, basic upload, verify) and file_download.py (HEAD/GET resolve).
A handler takes (server, request) and returns (status, headers, body bytes).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Callable
from urllib.parse import parse_qs

from .store import LFS_SUFFIXES, MAX_REGULAR_SIZE, Commit, Entry, HubError, Repo
from .yaml_check import card_data, validate_card

REPO = r"(?P<repo>[\w.-]+/[\w.-]+)"
SEG = r"(?P<{}>[^/]+)"


@dataclass
class Request:
    method: str
    params: dict[str, str]  # unquoted path parameters
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def json(self):
        return json.loads(self.body or b"{}")

    @property
    def token(self) -> str | None:
        auth = self.headers.get("authorization", "")
        if auth.startswith("Basic "):  # credentials in the URL (http://user:TOKEN@host), as git sends
            return base64.b64decode(auth[len("Basic "):]).decode(errors="replace").partition(":")[2] or None
        return auth[len("Bearer "):] if auth.startswith("Bearer ") else None


def reply(status: int, payload, content_type: str = "application/json") -> tuple:
    return status, {"Content-Type": content_type}, json.dumps(payload).encode()


# --- access ---------------------------------------------------------------------------------------

def readable_repo(server, req: Request) -> Repo:
    repo = server.store.get_repo(req.params["repo"])
    if repo.private and req.token != server.token:
        raise HubError(404, "Repository not found", "RepoNotFound")  # the Hub hides private repos
    return repo


def require_write(server, req: Request) -> None:
    if req.token != server.token:
        raise HubError(401, "Invalid credentials in Authorization header")


def entry_info(entry: Entry, commit: Commit, expand: bool) -> dict:
    info = {"type": "file", "oid": entry.oid, "size": entry.size, "path": entry.path}
    if entry.lfs_sha256:
        info["lfs"] = {"oid": entry.lfs_sha256, "size": entry.size, "pointerSize": entry.pointer_size}
    if expand:
        info["lastCommit"] = {"id": commit.oid, "title": commit.title, "date": commit.date}
    return info


def folder_info(path: str, commit: Commit, expand: bool) -> dict:
    info = {"type": "directory", "oid": hashlib.sha1(f"{commit.oid}:{path}".encode()).hexdigest(),
            "size": 0, "path": path}
    if expand:
        info["lastCommit"] = {"id": commit.oid, "title": commit.title, "date": commit.date}
    return info


def folders_of(commit: Commit) -> set[str]:
    return {"/".join(p.split("/")[:i]) for p in commit.files for i in range(1, p.count("/") + 1)}


# --- repos and metadata ---------------------------------------------------------------------------

def create_repo(server, req: Request):
    require_write(server, req)
    body = req.json()
    if body.get("type", "model") != "dataset":
        raise HubError(400, f"This test Hub stores dataset repos only, not {body.get('type')!r}")
    repo_id = f"{body['organization']}/{body['name']}" if body.get("organization") else body["name"]
    if not re.fullmatch(REPO, repo_id):
        raise HubError(400, f"Invalid repo name {repo_id!r}: use ORG/NAME")
    private = body.get("visibility", "private" if body.get("private") else "public") != "public"
    url = f"{server.url}/datasets/{repo_id}"
    try:
        server.store.create_repo(repo_id, private=private)
    except HubError as err:  # the client reads "url" from the 409 too (create_repo(exist_ok=True))
        err.extra["url"] = url
        raise
    return reply(200, {"url": url, "name": repo_id, "id": repo_id})


def validate_yaml(server, req: Request):
    status, payload = validate_card(req.json().get("content", ""))
    if req.headers.get("accept") == "text/plain":  # DatasetCard.validate() asks for plain text
        text = "\n".join(e["message"] for e in payload["errors"]).encode()
        return status, {"Content-Type": "text/plain"}, text
    return reply(status, payload)


def repo_info(server, req: Request):
    repo = readable_repo(server, req)
    commit = repo.resolve(req.params.get("rev", "main"))
    blobs = req.query.get("blobs", [""])[0].lower() in ("1", "true")
    siblings = []
    for entry in sorted(commit.files.values(), key=lambda e: e.path):
        sibling = {"rfilename": entry.path}
        if blobs:
            sibling |= {"size": entry.size, "blobId": entry.oid}
            if entry.lfs_sha256:
                sibling["lfs"] = {"sha256": entry.lfs_sha256, "size": entry.size,
                                  "pointerSize": entry.pointer_size}
        siblings.append(sibling)
    org = repo.repo_id.split("/")[0]
    card = card_data(server.store.file_bytes(commit.files["README.md"])) if "README.md" in commit.files else None
    return reply(200, {"_id": hashlib.sha1(repo.repo_id.encode()).hexdigest()[:24], "id": repo.repo_id,
                       "author": org, "sha": commit.oid, "private": repo.private, "gated": False,
                       "disabled": False, "downloads": 0, "likes": 0, "tags": [],
                       "createdAt": repo.created_at, "lastModified": commit.date, "siblings": siblings,
                       "cardData": card})


def list_refs(server, req: Request):
    repo = readable_repo(server, req)

    def refs(kind: str, names: dict[str, str]) -> list[dict]:
        return [{"name": n, "ref": f"refs/{kind}/{n}", "targetCommit": oid} for n, oid in sorted(names.items())]

    return reply(200, {"branches": refs("heads", repo.branches), "tags": refs("tags", repo.tags),
                       "converts": [], "pullRequests": []})


def list_tree(server, req: Request):
    commit = readable_repo(server, req).resolve(req.params["rev"])
    base = req.params.get("path", "").strip("/")
    recursive = req.query.get("recursive", ["false"])[0].lower() in ("1", "true")
    expand = req.query.get("expand", ["false"])[0].lower() in ("1", "true")
    folders = folders_of(commit)
    if base and base not in folders:
        raise HubError(404, f"Directory not found: {base}", "EntryNotFound")
    prefix = f"{base}/" if base else ""

    def listed(path: str) -> bool:
        return path.startswith(prefix) and (recursive or "/" not in path[len(prefix):])

    items = [folder_info(f, commit, expand) for f in sorted(folders) if listed(f)]
    items += [entry_info(e, commit, expand) for p, e in sorted(commit.files.items()) if listed(p)]
    return reply(200, items)


def paths_info(server, req: Request):
    commit = readable_repo(server, req).resolve(req.params["rev"])
    if req.headers.get("content-type", "").startswith("application/json"):
        form = req.json()
        paths, expand = form.get("paths", []), bool(form.get("expand"))
    else:  # the client sends a form: paths=a&paths=b&expand=False
        form = parse_qs(req.body.decode(), keep_blank_values=True)
        paths, expand = form.get("paths", []), form.get("expand", ["False"])[0].lower() == "true"
    folders = folders_of(commit)
    found = []
    for path in paths:
        path = path.strip("/")
        if path in commit.files:
            found.append(entry_info(commit.files[path], commit, expand))
        elif path in folders:
            found.append(folder_info(path, commit, expand))
    return reply(200, found)


# --- writes ---------------------------------------------------------------------------------------

def preupload(server, req: Request):
    require_write(server, req)
    repo = server.store.get_repo(req.params["repo"])
    commit = repo.resolve(req.params["rev"])
    files = []
    for item in req.json().get("files", []):
        path, size = item["path"], item["size"]
        is_lfs = path.endswith(LFS_SUFFIXES) or size > MAX_REGULAR_SIZE
        info = {"path": path, "uploadMode": "lfs" if is_lfs else "regular", "shouldIgnore": False}
        existing = commit.files.get(path)
        if existing is not None:  # lets the client skip unchanged files (sha256 for LFS, sha1 otherwise)
            info["oid"] = existing.lfs_sha256 or existing.oid
        files.append(info)
    return reply(200, {"files": files, "commitOid": commit.oid})


def upload_signature(server, oid: str, size: int) -> str:
    return hmac.new(server.secret, f"{oid}:{size}".encode(), "sha256").hexdigest()


def lfs_batch(server, req: Request):
    require_write(server, req)
    server.store.get_repo(req.params["repo"])
    body = req.json()
    if body.get("operation") != "upload":
        raise HubError(400, "This test Hub only implements LFS uploads through the batch API")
    objects = []
    for obj in body.get("objects", []):
        oid, size = obj["oid"], obj["size"]
        answer = {"oid": oid, "size": size, "authenticated": True}
        if oid not in server.store.lfs:  # already stored: no actions, the client skips the upload
            # A pre-signed URL, like S3's: the client PUTs there without its Authorization header.
            href = f"{server.url}/lfs-upload/{oid}?size={size}&sig={upload_signature(server, oid, size)}"
            verify = f"{server.url}/datasets/{req.params['repo']}.git/info/lfs/objects/verify"
            answer["actions"] = {"upload": {"href": href, "header": {}},
                                 "verify": {"href": verify, "header": {}}}
        objects.append(answer)
    return reply(200, {"transfer": "basic", "objects": objects}, "application/vnd.git-lfs+json")


def lfs_upload(server, req: Request):
    oid, size = req.params["oid"], int(req.query.get("size", ["-1"])[0])
    if not hmac.compare_digest(req.query.get("sig", [""])[0], upload_signature(server, oid, size)):
        raise HubError(403, "Bad or missing upload signature")
    if len(req.body) != size or hashlib.sha256(req.body).hexdigest() != oid:
        raise HubError(400, f"Uploaded content does not match sha256 {oid} and size {size}")
    with server.store.lock:
        server.store.lfs[oid] = req.body
    return 200, {"ETag": f'"{oid}"'}, b""


def lfs_verify(server, req: Request):
    require_write(server, req)
    body = req.json()
    stored = server.store.lfs.get(body.get("oid", ""))
    if stored is None or len(stored) != body.get("size"):
        raise HubError(404, f"LFS object {body.get('oid')} not found")
    return reply(200, {"success": True})


def commit(server, req: Request):
    require_write(server, req)
    lines = [json.loads(line) for line in req.body.splitlines() if line.strip()]
    if not lines or lines[0].get("key") != "header":
        raise HubError(400, "A commit's NDJSON body must start with a header line")
    made = server.store.commit(req.params["repo"], req.params["rev"], header=lines[0]["value"],
                               operations=lines[1:])
    return reply(200, {"success": True, "commitOid": made.oid, "pullRequestUrl": None,
                       "commitUrl": f"{server.url}/datasets/{req.params['repo']}/commit/{made.oid}"})


def create_tag(server, req: Request):
    require_write(server, req)
    server.store.create_ref(req.params["repo"], "tag", req.json()["tag"], req.params["rev"])
    return reply(200, {})


def create_branch(server, req: Request):
    require_write(server, req)
    start = req.json().get("startingPoint") or "main"
    server.store.create_ref(req.params["repo"], "branch", req.params["name"], start)
    return reply(200, {})


def delete_ref(kind: str) -> Callable:
    def handler(server, req: Request):
        require_write(server, req)
        server.store.delete_ref(req.params["repo"], kind, req.params["name"])
        return reply(200, {})
    return handler


# --- downloads ------------------------------------------------------------------------------------

def resolve(server, req: Request):
    commit = readable_repo(server, req).resolve(req.params["rev"])
    entry = commit.files.get(req.params["path"])
    if entry is None:
        raise HubError(404, f"Entry not found: {req.params['path']}", "EntryNotFound")
    data = server.store.file_bytes(entry)
    headers = {"X-Repo-Commit": commit.oid, "Accept-Ranges": "bytes",
               "Content-Type": "application/octet-stream"}
    if entry.lfs_sha256:  # the Hub names an LFS file by the sha256 of its content
        headers |= {"ETag": f'"{entry.lfs_sha256}"', "X-Linked-Etag": f'"{entry.lfs_sha256}"',
                    "X-Linked-Size": str(entry.size)}
    else:
        headers["ETag"] = f'"{entry.oid}"'
    wanted = req.headers.get("range")
    if not wanted:
        return 200, headers, data
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", wanted.strip())
    if match is None or match.groups() == ("", ""):
        raise HubError(416, f"Unsupported Range {wanted!r}")
    first, last = match.groups()
    start = int(first) if first else max(0, len(data) - int(last))
    end = min(int(last), len(data) - 1) if first and last else len(data) - 1
    if start >= len(data) or start > end:
        return 416, headers | {"Content-Range": f"bytes */{len(data)}"}, b""
    return 206, headers | {"Content-Range": f"bytes {start}-{end}/{len(data)}"}, data[start:end + 1]


def agent_harnesses(server, req: Request):
    """huggingface_hub 2.x fetches this registry for its User-Agent; an empty one detects nothing."""
    return reply(200, {"standardEnvVars": [], "harnesses": {}})


API = r"/api/datasets/" + REPO
ROUTES: list[tuple[str, re.Pattern, Callable, str]] = [
    (method, re.compile(pattern + r"\Z"), handler, name) for method, pattern, handler, name in [
        ("POST", r"/api/repos/create", create_repo, "create_repo"),
        ("POST", r"/api/validate-yaml", validate_yaml, "validate_yaml"),
        ("GET", r"/api/agent-harnesses", agent_harnesses, "agent_harnesses"),
        ("GET", API, repo_info, "repo_info"),
        ("GET", API + r"/revision/" + SEG.format("rev"), repo_info, "repo_info"),
        ("GET", API + r"/refs", list_refs, "refs"),
        ("GET", API + r"/tree/" + SEG.format("rev") + r"(?:/(?P<path>.*))?", list_tree, "tree"),
        ("POST", API + r"/paths-info/" + SEG.format("rev"), paths_info, "paths_info"),
        ("POST", API + r"/preupload/" + SEG.format("rev"), preupload, "preupload"),
        ("POST", r"/datasets/" + REPO + r"\.git/info/lfs/objects/batch", lfs_batch, "lfs_batch"),
        ("PUT", r"/lfs-upload/(?P<oid>[0-9a-f]{64})", lfs_upload, "lfs_upload"),
        ("POST", r"/datasets/" + REPO + r"\.git/info/lfs/objects/verify", lfs_verify, "lfs_verify"),
        ("POST", API + r"/commit/" + SEG.format("rev"), commit, "commit"),
        ("POST", API + r"/tag/" + SEG.format("rev"), create_tag, "tag"),
        ("DELETE", API + r"/tag/" + SEG.format("name"), delete_ref("tag"), "delete_tag"),
        ("POST", API + r"/branch/" + SEG.format("name"), create_branch, "branch"),
        ("DELETE", API + r"/branch/" + SEG.format("name"), delete_ref("branch"), "delete_branch"),
        ("GET", r"/datasets/" + REPO + r"/resolve/" + SEG.format("rev") + r"/(?P<path>.+)", resolve, "resolve"),
        ("HEAD", r"/datasets/" + REPO + r"/resolve/" + SEG.format("rev") + r"/(?P<path>.+)", resolve, "resolve"),
    ]
]
