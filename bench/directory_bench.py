"""Directory at national scale: a synthetic directory of N associations (Finland has about
100 000), its import time, and search latency on SQLite and PostgreSQL.

    .venv/bin/python bench/directory_bench.py [--associations 100000] [--queries 300]
    .venv/bin/python bench/directory_bench.py --write-only FILE   # just the synthetic file

Writes bench/results/directory-<date>.md and .json and prints the table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import finnish  # noqa: E402
from store.directory import Directory  # noqa: E402

PREFIXES = [
    "Kylän",
    "Seudun",
    "Järvenrannan",
    "Keskustan",
    "Pohjoisen",
    "Eteläisen",
    "Vanhan",
    "Uuden",
    "Kirkonkylän",
    "Asemanseudun",
    "Mäen",
    "Niemen",
]
ACTIVITY = {
    "liikunta": ["Liikuntaseura", "Hiihtoseura", "Jumppaporukka", "Uimaseura", "Kävelykerho"],
    "kulttuuri": ["Sekakuoro", "Mieskuoro", "Teatteriyhdistys", "Käsityökerho", "Soittajat"],
    "ikaantyneet": ["Eläkeläiset", "Seniorikerho", "Eläkkeensaajat"],
    "lapset_ja_perheet": ["Perhekerho", "Lapsiperheyhdistys", "Vauvakerho"],
    "nuoret": ["Nuorisoseura", "Partiolaiset", "Nuorten kerho"],
    "mielenterveys": ["Mielenterveysyhdistys", "Mielenterveysseura"],
    "paihteet": ["A-kilta", "Raittiusseura"],
    "vammaiset": ["Näkövammaiset", "Kuulovammaisten yhdistys", "Invalidiyhdistys"],
    "terveys": ["Diabetesyhdistys", "Sydänyhdistys", "Muistiyhdistys", "Reumayhdistys"],
    "kylatoiminta": ["Kyläyhdistys", "Kylätoimikunta"],
    "omaishoito": ["Omaishoitajat", "Omaishoitajayhdistys"],
    "ystavatoiminta": ["Ystäväpiiri", "Ystäväpalvelu"],
    "maahanmuuttajat": ["Kielikahvila", "Monikulttuurinen yhdistys"],
    "ymparisto": ["Luonnonsuojeluyhdistys", "Lintuyhdistys", "Kierrätysyhdistys"],
    "vapaaehtoistyo": ["Vapaaehtoisrengas", "Talkooporukka"],
    "digituki": ["Digikerho", "Tietotekniikkakerho"],
}


HOURS = ["Mo-Fr 09:00-15:00", "Tu,Th 17:00-20:00", "Sa 10:00-14:00"]


def synthetic_directory(associations: int, seed: int = 7) -> dict:
    """Associations in every municipality (weighted towards the big ones) and a liaison each."""
    rng = random.Random(seed)
    municipalities = list(finnish.iter_municipalities())
    weights = [
        3
        if m.name
        in (
            "Helsinki",
            "Espoo",
            "Tampere",
            "Vantaa",
            "Oulu",
            "Turku",
            "Jyväskylä",
            "Kuopio",
            "Lahti",
            "Pori",
        )
        else 1
        for m in municipalities
    ]
    persons = [
        {
            "id": f"p-{m.code}",
            "name": f"Yhdyshenkilö {m.name}",
            "title": "Järjestöyhdyshenkilö",
            "roles": ["liaison"],
            "municipalities": [m.name],
            "region": m.region,
            "phone": f"040 555 {int(m.code):04d}",
            "opening_hours": "Mo-Fr 09:00-15:00",
        }
        for m in municipalities
    ]
    organizations = []
    topics = list(ACTIVITY)
    for i in range(associations):
        m = rng.choices(municipalities, weights)[0]
        topic = rng.choice(topics)
        extra = rng.choice(topics) if rng.random() < 0.3 else None
        name = f"{rng.choice(PREFIXES)} {rng.choice(ACTIVITY[topic])} {i} ry"
        organizations.append(
            {
                "id": f"org-{i}",
                "name": name,
                "kind": "association",
                "description": f"{rng.choice(ACTIVITY[topic])} kokoontuu viikoittain.",
                "topics": [topic] + ([extra] if extra and extra != topic else []),
                "municipalities": [m.name],
                "region": m.region,
                "phone": f"050 555 {i % 10000:04d}",
                "opening_hours": rng.choice(HOURS),
                "contact_person_id": f"p-{m.code}",
            }
        )
    return {
        "format": "apuri-directory/1",
        "organizations": organizations,
        "contact_persons": persons,
    }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def measure(url: str, document: dict, queries: int, seed: int = 11) -> dict:
    directory = Directory(url)
    t0 = time.perf_counter()
    directory.import_document(document, replace=True)
    import_s = time.perf_counter() - t0
    rng = random.Random(seed)
    municipalities = [m.name for m in finnish.iter_municipalities()]
    by_topic, by_text = [], []
    for _ in range(queries):
        municipality, topic = rng.choice(municipalities), rng.choice(list(ACTIVITY))
        t0 = time.perf_counter()
        directory.search("organizations", municipality, topic=topic, org_kind="association")
        by_topic.append((time.perf_counter() - t0) * 1000)
        word = rng.choice(["kuoroja", "jumppaa", "eläkeläisille", "kyläyhdistys", "lintuja"])
        t0 = time.perf_counter()
        directory.search("organizations", municipality, text=word)
        by_text.append((time.perf_counter() - t0) * 1000)
    directory.engine.dispose()
    return {
        "import_s": import_s,
        "records_per_s": sum(len(v) for v in document.values() if isinstance(v, list)) / import_s,
        "topic_p50_ms": statistics.median(by_topic),
        "topic_p95_ms": percentile(by_topic, 95),
        "text_p50_ms": statistics.median(by_text),
        "text_p95_ms": percentile(by_text, 95),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--associations", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--write-only", metavar="FILE")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    document = synthetic_directory(args.associations)
    if args.write_only:
        Path(args.write_only).write_text(json.dumps(document, ensure_ascii=False), "utf-8")
        print(f"wrote {args.associations} associations to {args.write_only}")
        return
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        print("SQLite…", flush=True)
        results["sqlite"] = measure(f"sqlite:///{tmp}/bench.db", document, args.queries)
    if not args.skip_postgres:
        from bench.pgtemp import create_database, pg_bin, temporary_postgres

        if pg_bin() is None:
            print("PostgreSQL not installed: skipped")
        else:
            print("PostgreSQL…", flush=True)
            with temporary_postgres() as admin:
                url = create_database(admin, "apuri_bench")
                results["postgresql"] = measure(url, document, args.queries)
    lines = [
        f"Directory with {args.associations} associations and "
        f"{len(document['contact_persons'])} contact persons; {args.queries} queries each.",
        "",
        "| database | import | records/s | municipality+topic p50 / p95 | free text p50 / p95 |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['import_s']:.1f} s | {r['records_per_s']:.0f} | "
            f"{r['topic_p50_ms']:.1f} / {r['topic_p95_ms']:.1f} ms | "
            f"{r['text_p50_ms']:.1f} / {r['text_p95_ms']:.1f} ms |"
        )
    table = "\n".join(lines)
    print(table)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y-%m-%d-%H%M")
    (out / f"directory-{stamp}.md").write_text(table + "\n", encoding="utf-8")
    (out / f"directory-{stamp}.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"report: bench/results/directory-{stamp}.md")


if __name__ == "__main__":
    main()
