"""Label Studio interop: a packet as Label Studio tasks with a labeling config for Llama 2's
protocol, and Label Studio's JSON export back as the page's verdicts.

Formats, from Label Studio's documentation (labelstud.io/guide/task_format, /guide/export,
/tags/choices, /tags/textarea, /tags/paragraphs):
- import: a JSON array of tasks `{"data": {...}}`; the config's `$name` variables read `data`;
- export ("JSON"): the same tasks with `annotations: [{"id", "completed_by", "was_cancelled",
  "result": [{"from_name", "to_name", "type": "choices", "value": {"choices": ["A"]}}, ...]}]`;
  a TextArea's region is `{"type": "textarea", "value": {"text": ["..."]}}`.
The data holds what the page shows (prompt, response_a, response_b), the task and packet ids,
never the variant, the temperature or `repeat_of` (Label Studio lists data in its Data Manager).

>>> raw = [{"id": 7, "data": {"task_id": "0001", "packet_id": "p1"}, "annotations": [
...     {"id": 1, "was_cancelled": False, "result": [
...         {"from_name": "choice", "to_name": "prompt", "type": "choices", "value": {"choices": ["B"]}},
...         {"from_name": "degree", "to_name": "prompt", "type": "choices",
...          "value": {"choices": ["Negligibly better / unsure"]}}]}]}]
>>> is_export(raw)
True
>>> found = verdicts_from_export(raw, where="export.json")
>>> found.verdicts.packet_id, found.verdicts.verdicts[0].choice, found.verdicts.verdicts[0].degree
('p1', 'b', 'negligibly_better')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import quoteattr

from curate.collect.packet import PacketInfo, Task, VerdictsFile, parse_verdicts
from curate.errors import InputError

# Llama 2's four degrees as the annotator reads them, and back
DEGREE_LABELS = {"significantly_better": "Significantly better", "better": "Better",
                 "slightly_better": "Slightly better",
                 "negligibly_better": "Negligibly better / unsure"}
CHOICE_LABELS = {"a": "A", "b": "B"}
SAFETY_LABELS = {True: "Safe", False: "Unsafe"}
QUESTIONS = {"helpfulness": "Which response is more helpful?",
             "safety": "Which response is safer? Label each response safe or unsafe."}


def tasks_for_label_studio(info: PacketInfo, tasks: list[Task]) -> list[dict[str, Any]]:
    """Label Studio's import format: one `{"data": ...}` per task (blind, like the page)."""
    return [{"data": {"task_id": t.task_id, "packet_id": info.packet_id, "criterion": t.criterion,
                      "prompt": [m.model_dump() for m in t.prompt],
                      "response_a": t.response_a, "response_b": t.response_b}} for t in tasks]


def _choices(name: str, to_name: str, labels: list[str], *, indent: str = "  ") -> str:
    options = "".join(f"\n{indent}  <Choice value={quoteattr(label)}/>" for label in labels)
    return (f'{indent}<Choices name="{name}" toName="{to_name}" choice="single" showInline="true" '
            f'required="true">{options}\n{indent}</Choices>\n')


def labeling_config(criterion: str) -> str:
    """The labeling config XML: the dialogue, both responses side by side, the choice, the
    4-level degree, safe/unsafe per response (required on safety packets), a comment."""
    safety = criterion == "safety"
    sides = ""
    for side in "ab":
        sides += (f'    <View style="flex: 1; padding: 0 1em;">\n'
                  f'      <Header value="Response {side.upper()}"/>\n'
                  f'      <Text name="response_{side}" value="$response_{side}"/>\n')
        if safety:
            sides += _choices(f"{side}_safe", f"response_{side}", list(SAFETY_LABELS.values()),
                              indent="      ")
        sides += "    </View>\n"
    return ("<View>\n"
            f"  <Header value={quoteattr(QUESTIONS[criterion])}/>\n"
            '  <Paragraphs name="prompt" value="$prompt" layout="dialogue" nameKey="role" '
            'textKey="content"/>\n'
            f'  <View style="display: flex;">\n{sides}  </View>\n'
            '  <Header value="Better response"/>\n'
            + _choices("choice", "prompt", list(CHOICE_LABELS.values()))
            + '  <Header value="By how much"/>\n'
            + _choices("degree", "prompt", list(DEGREE_LABELS.values()))
            + '  <TextArea name="comment" toName="prompt" placeholder="Comment (optional)" '
              'maxSubmissions="1" editable="true"/>\n'
            "</View>\n")


# --- the export, back ----------------------------------------------------------------------

def is_export(raw: Any) -> bool:
    """Label Studio's JSON export: an array of tasks, each with `data` and `annotations`."""
    return (isinstance(raw, list) and bool(raw)
            and all(isinstance(t, dict) and "data" in t and "annotations" in t for t in raw))


@dataclass(frozen=True)
class FromExport:
    verdicts: VerdictsFile
    n_extra_annotations: int  # later annotations of a task already judged: not used


def _regions(annotation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r.get("from_name"): r.get("value") or {} for r in annotation.get("result") or []
            if isinstance(r, dict)}


def _pick(regions: dict[str, dict[str, Any]], name: str, labels: dict[Any, str], *,
          where: str) -> Any:
    chosen = regions.get(name, {}).get("choices") or []
    if not chosen:
        return None
    back = {label: value for value, label in labels.items()}
    if chosen[0] not in back:
        raise InputError(f"{where}: `{name}` is {chosen[0]!r}, not one of {sorted(back)}; "
                         "annotate with the labeling config `curate collect export-label-studio` "
                         "wrote")
    return back[chosen[0]]


def _verdict(task: dict[str, Any], annotation: dict[str, Any], *, where: str) -> dict[str, Any]:
    regions = _regions(annotation)
    comment = regions.get("comment", {}).get("text") or []
    choice = _pick(regions, "choice", CHOICE_LABELS, where=where)
    degree = _pick(regions, "degree", DEGREE_LABELS, where=where)
    for name, value in (("choice", choice), ("degree", degree)):
        if value is None:
            raise InputError(f"{where}: the annotation has no `{name}`; every annotation needs the "
                             "better response and the degree (both are required in the config)")
    return {"task_id": task["data"].get("task_id"), "choice": choice, "degree": degree,
            "a_safe": _pick(regions, "a_safe", SAFETY_LABELS, where=where),
            "b_safe": _pick(regions, "b_safe", SAFETY_LABELS, where=where),
            "comment": "\n".join(comment) if isinstance(comment, list) else str(comment)}


def verdicts_from_export(raw: list[dict[str, Any]], *, where: str) -> FromExport:
    """The page's VerdictsFile from Label Studio's export: per task its first annotation that
    was not cancelled (in the export's order); tasks nobody annotated have no verdict."""
    packet_ids = {t["data"].get("packet_id") for t in raw if isinstance(t.get("data"), dict)}
    if len(packet_ids) != 1 or None in packet_ids:
        raise InputError(f"{where}: the tasks name packets {sorted(map(str, packet_ids))}; export "
                         "one project made from one packet (curate collect export-label-studio)")
    verdicts, n_extra = [], 0
    for task in raw:
        done = [a for a in task["annotations"] if isinstance(a, dict) and not a.get("was_cancelled")]
        if not done:
            continue
        n_extra += len(done) - 1
        task_where = f"{where}: task {task['data'].get('task_id')} (Label Studio id {task.get('id')})"
        verdicts.append(_verdict(task, done[0], where=task_where))
    file = parse_verdicts({"packet_id": packet_ids.pop(), "verdicts": verdicts}, where=where)
    return FromExport(verdicts=file, n_extra_annotations=n_extra)
