"""`curate collect serve`: the page in write-prompt mode, the way Llama 2's annotators worked.

The annotator writes a prompt; the server samples its two responses live, from two different
variants at drawn temperatures, exactly as `curate collect sample` would for that prompt
(curate.collect.sample.plan_pair: same uid and seed, same variants, temperatures, sides and
sampling seeds), and the page shows them blind. Each new task is written to the packet folder
at once (packet.json, tasks.jsonl, key.json, and prompts.jsonl: the prompts as written), so the
verdicts exported from the page are ingested like any packet's. Restarting on the same folder
with the same settings resumes it.

The server listens on 127.0.0.1 only (stdlib http.server, one request at a time: sampling holds
the models). `GET /` is the page, `POST /tasks` with {"prompt": "text"} samples a new task and
returns {"task": ...} with the shown fields only. Any page open in the annotator's browser can
send a request to 127.0.0.1, so the server answers 403 to a request whose Host is not the
served one (DNS rebinding) and to a POST whose Origin (else Referer) is not the served origin;
a browser always sends Origin with a cross-site POST, so a POST with neither comes from no
page (curl, a script of the user's own).

>>> session_prompt({"prompt": "  How far is the moon?  "})
[{'role': 'user', 'content': 'How far is the moon?'}]
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson

import curate
from curate.collect.generate import GPU_MEMORY, Request, load_sampler
from curate.collect.packet import (PACKET, KeyEntry, ModelRef, PacketInfo, SideKey, Task,
                                   packet_id_of, read_key, read_packet_info, read_tasks,
                                   write_packet)
from curate.collect.page import SHOWN, render_collect_page
from curate.collect.sample import (MAX_NEW_TOKENS, Draw, check_sampling_options, n_models,
                                   parse_models, plan_pair)
from curate.errors import CurateError, InputError
from curate.identity import prompt_uid
from curate.io.digest import sha256_file

PROMPTS = "prompts.jsonl"  # the served packet's prompts file: what the annotator wrote
MAX_PROMPT_CHARS = 20_000


def session_prompt(body: Any) -> list[dict[str, str]]:
    """The dialogue of a POST /tasks body: one user turn with the text the annotator wrote."""
    text = body.get("prompt") if isinstance(body, dict) else None
    if not isinstance(text, str) or not text.strip():
        raise InputError('POST /tasks: expected {"prompt": "the text you wrote"}')
    if len(text) > MAX_PROMPT_CHARS:
        raise InputError(f"the prompt has {len(text):,} characters; keep it under "
                         f"{MAX_PROMPT_CHARS:,}")
    return [{"role": "user", "content": text.strip()}]


class LiveSession:
    """A packet that grows by one task per prompt written, with the samplers loaded once."""

    def __init__(self, out: Path, *, models: Sequence[str], temperatures: Sequence[float],
                 criterion: str, batch: str, iteration: str, seed: int = 0,
                 max_new_tokens: int = MAX_NEW_TOKENS, engine: str = "auto",
                 gpu_memory: float = GPU_MEMORY) -> None:
        check_sampling_options(criterion=criterion, temperatures=temperatures,
                               max_new_tokens=max_new_tokens, gpu_memory=gpu_memory)
        self.out, self.variants = Path(out), parse_models(models)
        self.temperatures, self.seed = list(temperatures), seed
        # every variant in memory at once, each with its share of the GPU on vLLM
        self.samplers = {ref: load_sampler(ref, max_new_tokens=max_new_tokens, engine=engine,
                                           n_models=n_models(self.variants), gpu_memory=gpu_memory)
                         for ref in dict.fromkeys(v.ref for v in self.variants)}
        # packet_id: fixed for the session (verdicts and the page's saved state name it), drawn
        # once: a live packet has no content to derive it from until the annotator writes it.
        self.settings = {
            "criterion": criterion, "batch": batch, "iteration": iteration, "seed": seed,
            "temperatures": self.temperatures, "overlap": 0, "max_new_tokens": max_new_tokens,
            "prompts_file": PROMPTS,
            "models": [ModelRef(variant=v.name, ref=v.ref,
                                revision=self.samplers[v.ref].revision).model_dump()
                       for v in self.variants]}
        self.tasks: list[Task] = []
        self.key: dict[str, KeyEntry] = {}
        if (self.out / PACKET).is_file():
            self._resume()
        else:
            self.packet_id = packet_id_of({**self.settings, "salt": secrets.token_hex(16)}, [], {})
            self._write()

    def _resume(self) -> None:
        info = read_packet_info(self.out)
        kept = info.model_dump(mode="json", exclude={"packet_id", "n_tasks", "prompts_sha256",
                                                     "created_with"})
        if kept != self.settings:
            differ = sorted(k for k in self.settings if kept.get(k) != self.settings[k])
            raise InputError(f"{self.out} holds packet {info.packet_id} served with other "
                             f"settings ({', '.join(differ)}); pass the same options to resume "
                             "it, or another --out")
        self.packet_id, self.tasks, self.key = info.packet_id, read_tasks(self.out), read_key(self.out)

    def _write(self) -> None:
        prompts = self.out / PROMPTS
        self.out.mkdir(parents=True, exist_ok=True)
        # one JSON string a line: a prompts file `curate collect sample` reads as it is
        prompts.write_bytes(b"".join(orjson.dumps(t.prompt[-1].content) + b"\n"
                                     for t in self.tasks))
        info = PacketInfo.model_validate({
            **self.settings, "packet_id": self.packet_id, "n_tasks": len(self.tasks),
            "prompts_sha256": sha256_file(prompts), "created_with": curate.__version__})
        write_packet(self.out, info, self.tasks, self.key)

    def page(self) -> str:
        return render_collect_page(self.tasks, packet_id=self.packet_id,
                                   criterion=self.settings["criterion"], live=True)

    def add(self, prompt: list[dict[str, str]]) -> Task:
        """Sample the pair for a prompt the annotator wrote; the new task, already saved."""
        uid = prompt_uid([(m["role"], m["content"]) for m in prompt])
        seen = [t.task_id for t in self.tasks if self.key[t.task_id].prompt_uid == uid]
        if seen:
            raise InputError(f"this prompt is already task {seen[0]}; write another one")
        a, b = plan_pair(uid, self.variants, self.temperatures, seed=self.seed)

        def respond(draw: Draw) -> str:
            request = Request(prompt, temperature=draw.temperature, seed=draw.seed)
            return self.samplers[draw.variant.ref].generate([request])[0]

        def side(draw: Draw) -> SideKey:
            return SideKey(variant=draw.variant.name, model_ref=draw.variant.ref,
                           temperature=draw.temperature)

        task = Task(task_id=f"{len(self.tasks) + 1:04d}", prompt=prompt, response_a=respond(a),
                    response_b=respond(b), criterion=self.settings["criterion"])
        self.tasks.append(task)
        self.key[task.task_id] = KeyEntry(a=side(a), b=side(b), prompt_uid=uid)
        self._write()
        return task


def _origin_of(url: str | None) -> str | None:
    """scheme://host[:port] of a Referer; None without one."""
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def make_server(session: LiveSession, *, port: int = 0) -> HTTPServer:
    """An HTTP server on 127.0.0.1:`port` (0: any free port) serving `session`."""

    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: HTTPStatus, value: Any) -> None:
            self._send(status, orjson.dumps(value), "application/json")

        def _served_origins(self) -> set[str]:
            port = self.server.server_address[1]
            return {f"http://127.0.0.1:{port}", f"http://localhost:{port}"}

        def _refused(self, *, check_origin: bool) -> bool:
            """403 (and True) for a request from another site than the served page."""
            origins = self._served_origins()
            if f"http://{self.headers.get('Host', '')}" not in origins:
                self._json(HTTPStatus.FORBIDDEN, {"error": "open the page at the URL that "
                                                           "`curate collect serve` printed"})
                return True
            sent = self.headers.get("Origin") or _origin_of(self.headers.get("Referer"))
            if check_origin and sent is not None and sent not in origins:
                self._json(HTTPStatus.FORBIDDEN, {"error": f"requests from {sent} are refused; "
                                                           "tasks are added from the served page"})
                return True
            return False

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            if self._refused(check_origin=False):
                return None
            if self.path not in ("/", "/index.html"):
                return self._json(HTTPStatus.NOT_FOUND, {"error": f"no page {self.path}; open /"})
            self._send(HTTPStatus.OK, session.page().encode(), "text/html; charset=utf-8")

        def do_POST(self) -> None:  # noqa: N802
            if self._refused(check_origin=True):
                return None
            if self.path != "/tasks":
                return self._json(HTTPStatus.NOT_FOUND, {"error": f"no endpoint {self.path}"})
            try:
                length = int(self.headers.get("Content-Length") or 0)
                body = orjson.loads(self.rfile.read(length)) if length else None
                task = session.add(session_prompt(body))
            except orjson.JSONDecodeError:
                return self._json(HTTPStatus.BAD_REQUEST, {"error": "the body is not JSON"})
            except CurateError as exc:
                return self._json(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
            self._json(HTTPStatus.OK, {"task": task.model_dump(mode="json", include=set(SHOWN))})

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass  # the CLI prints what matters; no line per request

    return HTTPServer(("127.0.0.1", port), Handler)
