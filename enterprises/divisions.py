"""China's administrative divisions (GB/T 2260 codes) from the table python-stdnum ships.

The table keeps history: a name written ``[-2010]崇文区`` was abolished in 2010 and is
skipped; ``[2015-]密云区`` exists since 2015 and is kept. Only current divisions load.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import stdnum.cn

LOC_DAT = Path(stdnum.cn.__file__).parent / "loc.dat"
_SPAN = re.compile(r"^\[(\d{4})?-(\d{4})?\]")


# Divisions created after the stdnum table was last synchronised (民政部 announcements).
ADDITIONS = {
    "330113": ("临平区", "330100"),
    "330114": ("钱塘区", "330100"),
}


@dataclass(frozen=True)
class DivisionRow:
    code: str
    name: str
    level: int  # 1 province, 2 city (prefecture), 3 district / county
    parent_code: str | None


def _current_name(raw: str) -> str | None:
    # Renamed divisions list their names in order: "[1983-1999]淮阴市,[2000-]淮安市".
    raw = raw.split(",")[-1]
    m = _SPAN.match(raw)
    if not m:
        return raw
    if m.group(2):  # has an end year: abolished
        return None
    return raw[m.end() :]


def read_divisions(path: Path = LOC_DAT) -> list[DivisionRow]:
    provinces: dict[str, str] = {}
    entries: list[tuple[str, str]] = []
    prefix = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            prefix = line[:2]
            provinces[prefix] = re.search(r'province="([^"]+)"', line).group(1)
            continue
        suffix, rest = line.strip().split(" ", 1)
        raw = re.search(r'county="([^"]+)"', rest).group(1)
        name = _current_name(raw)
        if name is not None:
            entries.append((prefix + suffix, name))

    rows: list[DivisionRow] = []
    cities: set[str] = set()
    for code, _name in entries:
        if code.endswith("0000"):
            rows.append(DivisionRow(code, provinces[code[:2]], 1, None))
    province_codes = {r.code for r in rows}
    for code, name in entries:
        if code.endswith("00") and not code.endswith("0000"):
            parent = code[:2] + "0000"
            if parent not in province_codes:
                continue
            if name in ("市辖区", "县"):
                # A municipality (上海市, 北京市 ...): its districts hang under the city.
                if name == "县":
                    continue
                name = provinces[code[:2]]
            rows.append(DivisionRow(code, name, 2, parent))
            cities.add(code)
    for code, name in entries:
        if code.endswith("00") or name == "市辖区":
            continue
        city = code[:4] + "00"
        if city not in cities:
            # Counties of a municipality's former 县 group (e.g. 崇明) now sit under 市辖区.
            alt = code[:2] + "0100"
            if alt not in cities:
                continue
            city = alt
        rows.append(DivisionRow(code, name, 3, city))
    known = {r.code for r in rows}
    for code, (name, parent) in ADDITIONS.items():
        if code not in known:
            rows.append(DivisionRow(code, name, 3, parent))
    return rows
