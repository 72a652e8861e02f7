"""`curate collect page` and `curate collect serve`: the annotator's page for a packet, and its
write-prompt form, where the annotator writes each prompt and its two responses are sampled live.

Exit codes: 0 written (page) or stopped with Ctrl-C (serve); 2 unusable input (no packet in the
folder, a broken task line, a bad option, a served folder with other settings).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from curate.cli.collect import collect_app
from curate.collect.page import write_collect_page
from curate.collect.sample import MAX_NEW_TOKENS, parse_temperatures


@collect_app.command("page")
def page_command(
    folder: Annotated[Path, typer.Argument(help="The packet folder `curate collect sample` wrote.")],
    out: Annotated[Optional[Path], typer.Option(help="Where to write the page (default: FOLDER/collect.html).")] = None,
) -> None:
    """Write the self-contained annotation page (Llama 2's protocol) for a packet."""
    path = write_collect_page(folder, out=out)
    typer.echo(f"annotator's page: {path} (give the annotator this file only; key.json stays "
               "with you)")


def _tasks(n: int) -> str:
    return f"{n} task" + ("" if n == 1 else "s")


@collect_app.command("serve")
def serve_command(
    model: Annotated[list[str], typer.Option(help="A variant to sample from, twice or more: a model folder, a Hub id or tiny:SEED; NAME=REF names it.")],
    criterion: Annotated[str, typer.Option(help="What annotators judge: helpfulness or safety.")],
    batch: Annotated[str, typer.Option(help="The weekly batch, e.g. 2023-W15.")],
    iteration: Annotated[str, typer.Option(help="The model iteration sampled, e.g. rlhf_v4.")],
    out: Annotated[Path, typer.Option(help="The packet folder the session grows (the same options resume it).")],
    temperatures: Annotated[str, typer.Option(help="Temperatures to draw from, comma-separated.")] = "0.7,1.0,1.3",
    seed: Annotated[int, typer.Option(help="Seed of the draws and of sampling.")] = 0,
    max_new_tokens: Annotated[int, typer.Option(help="Most tokens per response.")] = MAX_NEW_TOKENS,
    engine: Annotated[str, typer.Option(help="auto (vLLM with a GPU when installed), transformers or vllm.")] = "auto",
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1; 0 takes a free one (printed).")] = 0,
) -> None:
    """Serve the page in write-prompt mode on 127.0.0.1: the annotator writes each prompt and
    its two responses are sampled live, as `collect sample` would; the packet grows in --out."""
    from curate.collect.serve import LiveSession, make_server

    session = LiveSession(out, models=model, temperatures=parse_temperatures(temperatures),
                          criterion=criterion, batch=batch, iteration=iteration, seed=seed,
                          max_new_tokens=max_new_tokens, engine=engine)
    server = make_server(session, port=port)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    typer.echo(f"packet {session.packet_id} ({_tasks(len(session.tasks))}) in {out}: open {url} "
               "(Ctrl-C stops; export the verdicts from the page first)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        typer.echo(f"stopped; {_tasks(len(session.tasks))} in {out}")
    finally:
        server.server_close()
