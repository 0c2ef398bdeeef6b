"""The README's reference sections, generated from the code so that they cannot go stale: every
endpoint of every process (from each app's own OpenAPI) and every topic (from the event catalogue
and the table of who may read it). `tuoyu reference` writes them into README.md; a test fails when
the README differs from what the code says.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from uvicorn.importer import import_from_string

from services.catalogue import GATEWAY, SERVICES, ServiceInfo
from shared.departments import DEPARTMENTS
from shared.events.catalogue import CATALOGUE, TOPICS
from shared.keys import generate_keypair
from shared.settings import Settings
from shared.subscriptions import TOPIC_READERS

ENDPOINTS = "endpoints"
TOPIC_TABLE = "topics"
_METHODS = ("get", "post", "put", "patch", "delete")


@cache
def _settings() -> Settings:
    # The apps are only built, never started: no database, broker or other service is touched.
    # Their token check needs a key to exist, not any particular one, and the gateway an address per service.
    private, public = generate_keypair()
    nowhere = {s.name: "http://127.0.0.1:9" for s in SERVICES}
    return Settings(jwt_private_key=private, jwt_public_key=public, service_urls=nowhere)


def _openapi(service: ServiceInfo) -> dict[str, Any]:
    return import_from_string(service.app_factory)(_settings()).openapi()


def _operations(service: ServiceInfo) -> dict[tuple[str, str], str]:
    """(method, path) → the table row, in the app's order."""
    rows = {}
    for path, item in _openapi(service)["paths"].items():
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            parameters = operation.get("parameters", [])
            extras = [f"`{p['name']}`" for p in parameters if p.get("in") == "query"]
            extras += [f"header `{p['name']}`" for p in parameters if p.get("in") == "header" and p["name"].lower() != "authorization"]
            summary = operation.get("summary", "").replace("|", "\\|").replace("\n", " ")
            rows[method, path] = f"| {method.upper()} | `{{prefix}}{path}` | {summary} | {', '.join(extras)} |"
    return rows


def _table(title: str, rows: list[str], prefix: str) -> str:
    header = f"#### {title}\n\n| method | path | what | query, headers |\n|---|---|---|---|"
    return "\n".join([header, *(row.replace("{prefix}", prefix) for row in rows)])


def endpoints_markdown() -> str:
    processes = (GATEWAY, *SERVICES)
    operations = {service: _operations(service) for service in processes}
    # what shared.service gives every process (health, feed, administration) is listed once
    common = set.intersection(*(set(ops) for ops in operations.values()))
    sections = [_table("every process (on its own port; `/api/<service>/…` behind the gateway)", [operations[GATEWAY][key] for key in operations[GATEWAY] if key in common], "")]
    for service in processes:
        prefix = "" if service is GATEWAY else f"/api/{service.name}"
        where = "its own paths" if service is GATEWAY else f"`{prefix}/…` behind the gateway, `/…` on the service"
        sections.append(_table(f"{service.title} ({where})", [row for key, row in operations[service].items() if key not in common], prefix))
    return "\n\n".join(sections) + "\n"


def topics_markdown() -> str:
    rows = ["| topic | event types | who may read it |", "|---|---|---|"]
    for topic in TOPICS:
        types = "<br>".join(f"`{t}`" for t, spec in CATALOGUE.items() if spec.topic == topic)
        readers = "、".join(DEPARTMENTS[d] for d in TOPIC_READERS.get(topic, ()))
        rows.append(f"| `{topic}` | {types} | {readers} |")
    return "\n".join(rows) + "\n"


SECTIONS = {ENDPOINTS: endpoints_markdown, TOPIC_TABLE: topics_markdown}


def _marked(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- {name} \(generated: tuoyu reference\) -->\n).*?(<!-- /{name} -->)", re.S)


def with_reference(readme: str) -> str:
    """README text with every generated section rewritten from the code."""
    for name, make in SECTIONS.items():
        pattern = _marked(name)
        if not pattern.search(readme):
            raise ValueError(f"README.md has no '<!-- {name} (generated: tuoyu reference) -->' … '<!-- /{name} -->' block")
        readme = pattern.sub(lambda m, text=make(): f"{m.group(1)}{text}{m.group(2)}", readme)
    return readme
