"""review.html: the reviewer's page, one self-contained file (no network, no server).

The items travel inside the page as JSON; verdicts persist in the browser's localStorage under
a key that names the packet, so a reload (or two packets open side by side) loses nothing.
"Export verdicts" downloads verdicts.json and also shows it in a text box to copy from.

>>> from curate.audit.packet import Item
>>> item = Item(item_id="001", prompt=[{"role": "user", "content": "2+2?"}],
...             answer_a="4", answer_b="</script>5", stratum="math", prompt_uid="0" * 32)
>>> page = render_review([item], packet_id="abc")
>>> "</script>5" in page, "<\\\\/script>5" in page or "\\\\u003c/script>5" in page
(False, True)
>>> "http://" in page or "https://" in page
False
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources

import jinja2
import orjson

from curate.audit.packet import Item

TEMPLATE = "review.html.j2"


def script_json(value: object) -> str:
    """JSON safe inside <script>: no "</script>" or "<!--" can close or confuse the tag."""
    text = orjson.dumps(value).decode()
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render_page(package: str, template: str, *, data: object, **values: object) -> str:
    """A self-contained page: `template` of `package`, its data as JSON in `data_json`."""
    source = resources.files(package).joinpath(template).read_text(encoding="utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True)
    return env.from_string(source).render(
        data_json=jinja2.utils.markupsafe.Markup(script_json(data)), **values)


def render_review(items: Sequence[Item], *, packet_id: str) -> str:
    """The page for these items (in showing order)."""
    data = {"packet_id": packet_id, "items": [
        {"item_id": i.item_id, "stratum": i.stratum, "answer_a": i.answer_a,
         "answer_b": i.answer_b, "prompt": [m.model_dump() for m in i.prompt]} for i in items]}
    return render_page("curate.audit", TEMPLATE, data=data, packet_id=packet_id,
                       n_items=len(items))
