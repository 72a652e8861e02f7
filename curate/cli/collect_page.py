"""`curate collect page` and `curate collect serve`: the annotator's page for a packet, and its
write-prompt form, where the annotator writes each prompt and its two responses are sampled live.

Exit codes: 0 written (page) or stopped with Ctrl-C (serve); 2 unusable input (no packet in the
folder, a broken task line, a bad option, a served folder with other settings).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from curate.cli.collect import (BatchOption, CriterionOption, EngineOption, GpuMemoryOption,
                                IterationOption, MaxNewTokensOption, ModelsOption, SeedOption,
                                TemperaturesOption, collect_app)
from curate.collect.generate import GPU_MEMORY
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
    model: ModelsOption,
    criterion: CriterionOption,
    batch: BatchOption,
    iteration: IterationOption,
    out: Annotated[Path, typer.Option(help="The packet folder the session grows (the same options resume it).")],
    temperatures: TemperaturesOption = "0.7,1.0,1.3",
    seed: SeedOption = 0,
    max_new_tokens: MaxNewTokensOption = MAX_NEW_TOKENS,
    engine: EngineOption = "auto",
    gpu_memory: GpuMemoryOption = GPU_MEMORY,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1; 0 takes a free one (printed).")] = 0,
) -> None:
    """Serve the page in write-prompt mode on 127.0.0.1: the annotator writes each prompt and
    its two responses are sampled live, as `collect sample` would; the packet grows in --out."""
    from curate.collect.serve import LiveSession, make_server

    session = LiveSession(out, models=model, temperatures=parse_temperatures(temperatures),
                          criterion=criterion, batch=batch, iteration=iteration, seed=seed,
                          max_new_tokens=max_new_tokens, engine=engine, gpu_memory=gpu_memory)
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
