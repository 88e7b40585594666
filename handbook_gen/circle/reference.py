"""The reference of the circle file, in Markdown, made from the JSON Schema so it cannot drift.

`handbook-gen schema --format markdown` prints it; docs/circle-format.md in the repository is
this output (a test fails when it is stale). The rules that need more than one value are prose
in reference.md beside this module, next to the tables made here.
"""

from __future__ import annotations

from pathlib import Path

from handbook_gen.circle.validate import schema

# What a value of each kind looks like, for the "kind" column.
KINDS = {
    "slug": "id: a-z, 0-9 en '-', 3-60 tekens",
    "line": "tekst op één regel",
    "text": "tekst",
    "markdown": "Markdown (geen HTML)",
    "date": "datum JJJJ-MM-DD",
    "time": "tijd \"UU:MM\"",
    "school_year": "schooljaar JJJJ-JJJJ",
    "email": "e-mailadres",
    "url": "link (https://…)",
    "region": "noord, midden of zuid",
    "audience": "peer_reviewers, schoolcoaches of coordinator",
    "person": "persoon (zie [Persoon](#persoon))",
    "coach": "schoolcoach (zie [Schoolcoach](#schoolcoach))",
    "moment": "moment (zie [Moment](#moment))",
    "activity": "activiteit (zie [Activiteit](#activiteit))",
    "hours": "schooltijden \"U:MM-UU:MM\"",
    "visit": "lesbezoek (zie [Lesbezoek](#lesbezoek))",
}
# The objects that get a table of their own: (title, path into the schema from its root).
SECTIONS = (
    ("Bovenaan het bestand", ()),
    ("coordinator", ("properties", "coordinator")),
    ("theme", ("properties", "theme")),
    ("schools", ("properties", "schools", "items")),
    ("reviews", ("properties", "reviews", "items")),
    ("Lesbezoek", ("$defs", "visit")),
    ("pupil_hours", ("properties", "schools", "items", "properties", "pupil_hours")),
    ("Activiteit", ("$defs", "activity")),
    ("Moment", ("$defs", "moment")),
    ("Persoon", ("$defs", "person")),
    ("Schoolcoach", ("$defs", "coach")),
)


def reference() -> str:
    root = schema()
    parts = [(Path(__file__).with_name("reference.md")).read_text(encoding="utf-8").rstrip("\n"), ""]
    for title, path in SECTIONS:
        node = root
        for key in path:
            node = node[key]
        parts += _section(title, node)
    return "\n".join(parts)


def _section(title: str, node: dict) -> list[str]:
    lines = [f"## {title}", ""]
    if node.get("description"):
        lines += [node["description"], ""]
    lines += ["| sleutel | nodig | soort | betekenis |", "| --- | --- | --- | --- |"]
    required = set(node.get("required", ()))
    for key, value in node["properties"].items():
        needed = "ja" if key in required else ""
        lines.append(f"| `{key}` | {needed} | {_kind(value, key)} | {_cell(_description(value))} |")
    return lines + [""]


def _kind(node: dict, key: str) -> str:
    if "$ref" in node:
        return KINDS[node["$ref"].rsplit("/", 1)[-1]]
    if "x-kind" in node:
        return KINDS.get(node["x-kind"], node["x-kind"])
    if "enum" in node:
        return " of ".join(f"`{value}`" for value in node["enum"])
    if "const" in node:
        return f"`{node['const']}`"
    if node.get("type") == "array":
        limits = [f"min. {node['minItems']}" if "minItems" in node else "",
                  f"max. {node['maxItems']}" if "maxItems" in node else ""]
        limit = ", ".join(item for item in limits if item)
        items = node["items"]
        kind = f"blokken (zie [{key}](#{key}))" if items.get("type") == "object" else _kind(items, key)
        return f"lijst van {kind}" + (f" ({limit})" if limit else "")
    if node.get("type") == "object":
        return f"blok (zie [{key}](#{key}))"
    return {"boolean": "true of false", "string": "tekst"}[node["type"]]


def _description(node: dict) -> str:
    if "description" in node:
        return node["description"]
    if "$ref" in node:
        return schema()["$defs"][node["$ref"].rsplit("/", 1)[-1]].get("description", "")
    return ""


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
