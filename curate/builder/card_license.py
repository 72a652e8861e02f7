"""The card's `license` metadata, from the licenses the catalog gives the sources.

The Hub reads `license` as one of its license ids or a list of them; for a license it does not
know, `license: other` with `license_name` (an id of one's own) and `license_link` (where the
terms are). A source without a license counts as the Hub's `unknown`.

>>> card_license(["apache-2.0", "apache-2.0"])
{'license': 'apache-2.0'}
>>> card_license(["apache-2.0", "MIT", None])
{'license': ['apache-2.0', 'mit', 'unknown']}
>>> card_license(["mit", "Acme Data Terms 1.0"])
{'license': 'other', 'license_name': 'mit-and-acme-data-terms-1.0', 'license_link': 'README.md#sources'}
"""

from __future__ import annotations

import re

# huggingface/hub-docs docs/hub/repositories-licenses.md: the ids a card's `license` takes.
HUB_LICENSES = frozenset("""
apache-2.0 mit openrail bigscience-openrail-m creativeml-openrail-m bigscience-bloom-rail-1.0
bigcode-openrail-m afl-3.0 artistic-2.0 bsl-1.0 bsd bsd-2-clause bsd-3-clause bsd-3-clause-clear
c-uda cc cc0-1.0 cc-by-2.0 cc-by-2.5 cc-by-3.0 cc-by-4.0 cc-by-sa-3.0 cc-by-sa-4.0 cc-by-nc-2.0
cc-by-nc-3.0 cc-by-nc-4.0 cc-by-nd-4.0 cc-by-nc-nd-3.0 cc-by-nc-nd-4.0 cc-by-nc-sa-2.0
cc-by-nc-sa-3.0 cc-by-nc-sa-4.0 cdla-sharing-1.0 cdla-permissive-1.0 cdla-permissive-2.0 wtfpl
ecl-2.0 epl-1.0 epl-2.0 etalab-2.0 eupl-1.1 agpl-3.0 gfdl gpl gpl-2.0 gpl-3.0 lgpl lgpl-2.1
lgpl-3.0 isc lppl-1.3c ms-pl mpl-2.0 odc-by odbl openrail++ osl-3.0 postgresql ofl-1.1 ncsa
unlicense zlib pddl lgpl-lr deepfloyd-if-license llama2 llama3 llama3.1 llama3.2 llama3.3 gemma
unknown other
""".split())
# `other` says "see license_name": a source that says only `other` names no license.
NAMED = HUB_LICENSES - {"other"}
UNKNOWN = "unknown"
# Where the card lists each source's license: its "## Sources" section.
SOURCES_SECTION = "README.md#sources"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-") or UNKNOWN


def card_license(licenses: list[str | None]) -> dict[str, str | list[str]]:
    """The card metadata for the sources' licenses (in source order): the one license they
    share, the list when every one is a Hub id, else `other` named after them all and linked to
    the card's table of sources."""
    distinct: list[str] = []
    for license in licenses:
        name = (license or UNKNOWN).strip()
        name = name.lower() if name.lower() in NAMED else name
        if name not in distinct:
            distinct.append(name)
    if not distinct:
        return {"license": UNKNOWN}
    if all(name in NAMED for name in distinct):
        return {"license": distinct[0] if len(distinct) == 1 else distinct}
    return {"license": "other", "license_name": "-and-".join(_slug(n) for n in distinct),
            "license_link": SOURCES_SECTION}
