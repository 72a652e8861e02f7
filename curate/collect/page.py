"""collect.html: the annotator's page, one self-contained file (no network, no server).

Llama 2's protocol (section 3.2.1): the prompt and two responses side by side, the better one,
by how much on the 4-level scale, and on safety tasks each response labelled safe or unsafe. The
tasks travel inside the page as JSON, blind: only the task id, prompt, the two texts (sides as
sampled, already shuffled) and the criterion; no variant, temperature or repeat_of. Verdicts
persist in the browser's localStorage under the packet's id (a reload resumes) and are exported
as the VerdictsFile of curate.collect.packet.

>>> from curate.collect.packet import Task
>>> task = Task(task_id="0001", prompt=[{"role": "user", "content": "Hi"}], response_a="</script>a",
...             response_b="b", criterion="safety", repeat_of=None)
>>> page = render_collect_page([task], packet_id="abc", criterion="safety")
>>> "</script>a" in page, "\\\\u003c/script>a" in page
(False, True)
>>> "http://" in page or "https://" in page
False
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from curate.audit.review import render_page
from curate.collect.packet import PAGE, Task, read_packet_info, read_tasks
from curate.errors import InputError

TEMPLATE = "collect.html.j2"
# What the annotator may see of a task; everything else stays in the packet (blind).
SHOWN = ("task_id", "prompt", "response_a", "response_b", "criterion")


def render_collect_page(tasks: Sequence[Task], *, packet_id: str, criterion: str,
                        live: bool = False) -> str:
    """The page for these tasks, in packet order. `live`: served by `curate collect serve`,
    where the annotator writes each prompt and the page asks the server for its two responses."""
    if not tasks and not live:
        raise InputError(f"packet {packet_id}: no tasks to annotate; sample some prompts first")
    data = {"packet_id": packet_id, "criterion": criterion, "live": live,
            "tasks": [task.model_dump(mode="json", include=set(SHOWN)) for task in tasks]}
    return render_page("curate.collect", TEMPLATE, data=data, packet_id=packet_id,
                       criterion=criterion, n_tasks=len(tasks), live=live)


def write_collect_page(folder: Path, *, out: Path | None = None) -> Path:
    """Write the page for the packet in `folder` (to folder/collect.html unless `out`); its path."""
    info = read_packet_info(folder)
    path = out if out is not None else folder / PAGE
    path.parent.mkdir(parents=True, exist_ok=True)
    html = render_collect_page(read_tasks(folder), packet_id=info.packet_id,
                               criterion=info.criterion)
    path.write_text(html, encoding="utf-8")
    return path
