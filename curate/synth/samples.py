"""Where the generated samples live: written once per generator version, atomically.

`ensure_samples("meta_safety")` returns the folder of that source under
$CURATE_HOME/samples/<generator version>/ (CURATE_HOME defaults to ~/.cache/curate),
generating the whole set on first use into a temporary folder that is renamed into place,
so a crash or a concurrent first use never leaves a half-written set behind.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from curate.console import print_note
from curate.errors import InputError
from curate.home import curate_home
from curate.synth.meta import CRITERIA, MetaConfig
from curate.synth.meta_files import GENERATOR_VERSION, write_meta
from curate.synth.sft_files import write_sft

SETS: dict[str, Callable[[Path], list[Path]]] = {"meta": write_meta, "sft": write_sft}
SOURCES = {"meta_safety": "meta", "meta_helpfulness": "meta", "meta_sft": "sft"}


def _size(set_name: str) -> str:
    """What a set holds, from the generators' defaults: "80,000 comparisons"."""
    if set_name == "meta":
        config = MetaConfig()
        return f"{config.n_per_batch * config.n_weeks * len(CRITERIA):,} comparisons"
    sft = write_sft.__kwdefaults__
    return f"{sft['n_per_batch'] * sft['n_weeks']:,} SFT dialogues"


def samples_root() -> Path:
    return curate_home() / "samples" / GENERATOR_VERSION


def ensure_samples(kind: str) -> Path:
    """The folder holding a generated sample set ("meta", "sft") or one of its sources
    ("meta_safety", "meta_helpfulness", "meta_sft"); generated on first use."""
    if kind not in SETS and kind not in SOURCES:
        raise InputError(f"unknown sample {kind!r}; use one of "
                         f"{', '.join([*SETS, *SOURCES])}")
    set_name = SOURCES.get(kind, kind)
    folder = samples_root() / set_name
    if not folder.is_dir():
        # Seconds of work and tens of MB in the user's home: say so, once (stderr, not stdout).
        print_note(f"curate: generating the bundled sample data ({_size(set_name)}) into "
                   f"{folder}, once")
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{set_name}-", dir=folder.parent))
        try:
            SETS[set_name](staging)
            try:
                staging.rename(folder)
            except OSError:  # another process finished first; its copy is identical
                if not folder.is_dir():
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return folder if kind == set_name else folder / kind
