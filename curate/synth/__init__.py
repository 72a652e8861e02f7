"""Sample data generators (deterministic; everything they write is marked as sample data).

- `write_meta(out)`: Meta-style vendor preference batches, native JSON Lines, gzip'd,
  out/meta_safety/2023-W01.jsonl.gz ... out/meta_helpfulness/2023-W08.jsonl.gz;
- `write_sft(out)`: vendor SFT annotations, out/meta_sft/2023-W01.jsonl.gz ...;
- `write_open_source(out)`: the open-source preference sets and a third-party SFT set in
  their original formats (the repository commits them under curate/recipe/shipped/samples/);
- `ensure_samples(kind)`: the Meta-style / SFT sets under $CURATE_HOME, generated once.

Same arguments, same bytes.

>>> import tempfile
>>> from curate.synth import MetaConfig, write_meta
>>> out = tempfile.mkdtemp()
>>> a = [p.read_bytes() for p in write_meta(out, seed=7, config=MetaConfig(n_per_batch=30, n_weeks=2))]
>>> b = [p.read_bytes() for p in write_meta(out, seed=7, config=MetaConfig(n_per_batch=30, n_weeks=2))]
>>> a == b
True
"""

from curate.synth.meta import MetaConfig
from curate.synth.meta_files import DEFAULT_SEED, GENERATOR_VERSION, write_meta
from curate.synth.open_source import write_open_source
from curate.synth.samples import ensure_samples
from curate.synth.sft_files import write_sft

__all__ = ["DEFAULT_SEED", "GENERATOR_VERSION", "MetaConfig", "ensure_samples", "write_meta",
           "write_open_source", "write_sft"]
