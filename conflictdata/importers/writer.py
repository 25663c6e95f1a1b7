"""Write an imported package into a folder, all at once or not at all.

The package is written into a temporary folder beside the destination and renamed into place
only when complete, so an interrupted import never leaves a half-written package. The seven
tables use the installed package's Table Schemas (copied, never re-declared); an eighth
resource, ``lineage``, says which input line each row came from.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

from ..atomic import staged_folder
from ..errors import OutputExistsError
from ..package import DESCRIPTOR, Package, installed_root, locate

LINEAGE = "lineage"
LINEAGE_SCHEMA = Path(__file__).with_name("lineage.json")


def check_destination(out: Path, force: bool) -> None:
    """Refuse, before any work, a destination that must not be written or replaced."""
    if out.exists() and not out.is_dir():
        raise OutputExistsError(f"{out}: exists and is not a folder; choose another --out")
    if not out.exists() or not any(out.iterdir()):
        return
    if not force:
        raise OutputExistsError(f"{out}: the folder is not empty; pass --force to replace the package in it")
    if not (out / DESCRIPTOR).is_file():
        raise OutputExistsError(f"{out}: holds no {DESCRIPTOR}; --force replaces only a data package folder, "
                                "never other files")
    protected = {installed_root().resolve(), Path.cwd().resolve()}
    if out.resolve() in protected or any(p.is_relative_to(out.resolve()) for p in protected):
        raise OutputExistsError(f"{out}: is (or holds) the installed package or the current folder; refused")


def write_package(out: Path, descriptor: dict, tables: dict[str, list[dict]], *, force: bool = False,
                  template: Package | None = None) -> list[str]:
    """Write ``tables`` (name -> rows as dicts) as a package in ``out``; return the resources in order.

    The tables are written with the fields, and in the order, of ``template``'s resources (the
    installed package by default), then ``lineage``. ``descriptor`` gives the package's own
    properties (name, title, ...); its resources are filled in here.
    """
    check_destination(out, force)
    template = template or locate()
    # An ordinary folder under the umask; an old package in ``out`` goes only once the new one is in.
    with staged_folder(out) as tmp:
        (tmp / "data").mkdir()
        (tmp / "schemas").mkdir()
        resources = []
        entries = {r.get("name"): r for r in template.descriptor["resources"]}
        for name, resource in template.resources.items():
            schema_name = f"schemas/{name}.json"
            if resource.schema_path:  # the very file, so the copy is byte for byte the installed schema
                shutil.copyfile(template.root / resource.schema_path, tmp / schema_name)
            else:
                (tmp / schema_name).write_text(json.dumps(resource.schema, indent=2, ensure_ascii=False) + "\n",
                                               encoding="utf-8")
            fields = [f["name"] for f in resource.schema["fields"]]
            _write_csv(tmp / f"data/{name}.csv", fields, tables.get(name, []))
            resources.append({**entries[name], **_resource(name, schema_name)})
        lineage_schema = json.loads(LINEAGE_SCHEMA.read_text(encoding="utf-8"))
        shutil.copyfile(LINEAGE_SCHEMA, tmp / f"schemas/{LINEAGE}.json")
        _write_csv(tmp / f"data/{LINEAGE}.csv", [f["name"] for f in lineage_schema["fields"]], tables[LINEAGE])
        resources.append(_resource(LINEAGE, f"schemas/{LINEAGE}.json"))
        full = {**descriptor, "resources": resources}
        (tmp / DESCRIPTOR).write_text(json.dumps(full, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return [r["name"] for r in resources]


def _resource(name: str, schema: str) -> dict:
    return {"name": name, "path": f"data/{name}.csv", "schema": schema, "profile": "tabular-data-resource",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8"}


def _write_csv(path: Path, fields: list[str], rows: list[dict]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow(["" if row.get(f) is None else row[f] for f in fields])
    path.write_text(buf.getvalue(), encoding="utf-8")

