"""`curate expectations export`: the checks as a Great Expectations 1.x suite (JSON)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from curate.checks import CheckConfig
from curate.cli.app import app
from curate.errors import InputError
from curate.kinds import KINDS

expectations_app = typer.Typer(help="Great Expectations suites generated from the checks.",
                               no_args_is_help=True)
app.add_typer(expectations_app, name="expectations")


@expectations_app.command("export")
def export(
    schema: Annotated[str, typer.Option(help="Record kind: preference or sft.")],
    out: Annotated[Path, typer.Option(help="Write the suite JSON here.")],
    recipe: Annotated[Optional[str], typer.Option(help="Add the recipe's sources and shares "
                                                       "(NAME_vN or a .yaml).")] = None,
    max_chars: Annotated[int, typer.Option(help="too_long limit, characters per dialogue.")] = CheckConfig.max_chars,
) -> None:
    """Write the suite: the same check definitions `curate validate` and the build use."""
    from curate.expectations.suite import expectation_suite

    if schema not in KINDS:
        raise InputError(f"--schema {schema}: use one of {', '.join(KINDS)}")
    loaded = None
    if recipe is not None:
        from curate.recipe import read_recipe

        loaded, _ = read_recipe(recipe)
        if loaded.kind != schema:
            raise InputError(f"--recipe {recipe}: {loaded.id} is a {loaded.kind} recipe, "
                             f"not {schema}")
    suite = expectation_suite(schema, recipe=loaded, config=CheckConfig(max_chars=max_chars))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(suite, indent=2) + "\n")
    typer.echo(f"wrote {out}: {len(suite['expectations'])} expectations ({suite['name']})")
