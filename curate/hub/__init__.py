"""Sources on the Hugging Face Hub: a dataset repo at a revision, resolved to one commit and
read from the HF cache.

- refs.py: `hf://datasets/ORG/NAME@REV/PATH`, what a `hub:` source asks for, glob matching;
- env.py: the endpoint, the cache and offline mode of the usual environment;
- listing.py: a repo's commit and files at a revision (the Hub, a lock, or the cache), errors;
- fetch.py: HubResolver, downloads into the cache with progress, and the files' digests.

The lock file beside a recipe is curate.recipe.lock; `curate lock` is curate.builder.locking.
"""

from curate.hub.fetch import HubFile, HubResolver
from curate.hub.refs import HubRef, hf_path, is_hf_path, match_files, parse_hf_path

__all__ = ["HubFile", "HubRef", "HubResolver", "hf_path", "is_hf_path", "match_files",
           "parse_hf_path"]
