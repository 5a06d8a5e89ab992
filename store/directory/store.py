"""The directory store: every SQL statement Apuri runs against the directory lives here.

SQLite by default (`APURI_DB_URL`, contract §2), PostgreSQL with the same code. Imports are
validated first and written in one transaction, so a bad file writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

import finnish
from core import clock
from core.settings import database_url
from finnish.morphology import compound_parts
from store.database import open_database
from store.directory import schema
from store.directory.validate import FORMAT, KINDS, NAME_FIELD, DirectoryValidationError, validate

MAX_TERMS = 6  # words of one question a search must all match


def search_terms(text: str) -> set[str]:
    """Lemmas and compound parts of the words in a text ("mieskuoro" → mieskuoro, kuoro)."""
    terms = set()
    for _, _, word in finnish.tokenize(text or ""):
        if len(word) < 3 or word.isdigit():
            continue
        base = finnish.lemma(word)
        terms.add(base[:80])
        for start in finnish.compound_boundaries(base)[1:]:
            if len(base) - start >= 3:
                terms.add(base[start:][:80])
    return terms


def index_terms(text: str) -> set[str]:
    """Every lemma of every word and every part of a compound ("muistiyhdistys" → muisti,
    yhdistys, muistiyhdistys): what a record can be found by."""
    terms = set()
    for _, _, word in finnish.tokenize(text or ""):
        if len(word) < 3 or word.isdigit():
            continue
        terms.add(word.lower()[:80])
        if ":" in word:  # "STEA:n": the name before its ending
            terms.add(word.split(":")[0].lower()[:80])
        base = finnish.lemma(word)
        terms.add(base[:80])
        terms |= {part[:80] for part in compound_parts(word) | compound_parts(base)}
        bounds = [*finnish.compound_boundaries(base), len(base)]
        for start, end in zip(bounds, bounds[1:], strict=False):
            if end - start >= 3:
                terms.add(base[start:end])
                terms.add(base[start:])
    return terms


def query_terms(text: str | None) -> list[str]:
    """The words a search joins on: at most MAX_TERMS, the longest (the most specific) first,
    so a long question never builds a join per word (SQLite stops at 64 tables)."""
    terms = sorted(search_terms(text or ""), key=lambda t: (-len(t), t))
    return sorted(terms[:MAX_TERMS])


class Directory:
    """The association and service directory behind Apuri's answers."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or database_url()
        self.engine = open_database(self.url)

    # -- writing -------------------------------------------------------------------------------

    def ids(self) -> dict[str, set[str]]:
        """The ids stored now, per record list."""
        out: dict[str, set[str]] = {kind: set() for kind in KINDS}
        with self.engine.connect() as conn:
            for kind, rid in conn.execute(sa.select(schema.records.c.kind, schema.records.c.id)):
                out.setdefault(kind, set()).add(rid)
        return out

    def import_document(
        self,
        document: Any,
        replace: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> dict[str, int]:
        """Validate and load a directory document in one transaction; counts per list.

        Upsert by id; with `replace` the whole directory is replaced. Raises
        DirectoryValidationError (and writes nothing) when the document is invalid.
        """
        errors = validate(document, existing=None if replace else self.ids())
        if errors:
            raise DirectoryValidationError(errors)
        total = sum(len(document.get(kind, [])) for kind in KINDS)
        done = 0
        counts = {}
        with self.engine.begin() as conn:
            if replace:
                for table in (*schema.INDEX_TABLES, schema.records):
                    conn.execute(sa.delete(table))
                _delete_text(conn)
            for kind in KINDS:
                records = document.get(kind, [])
                counts[kind] = len(records)
                for start in range(0, len(records), 500):
                    batch = records[start : start + 500]
                    self._write(conn, kind, batch)
                    done += len(batch)
                    if progress:
                        progress(done, total)
        with self.engine.begin() as conn:  # fresh statistics, or SQLite plans joins badly
            conn.execute(sa.text("ANALYZE"))
        return counts

    def _write(self, conn: sa.engine.Connection, kind: str, batch: list[dict]) -> None:
        ids = [r["id"] for r in batch]
        for table in (*schema.INDEX_TABLES, schema.records):
            conn.execute(sa.delete(table).where(table.c.kind == kind, table.c.id.in_(ids)))
        rows, places, topics, terms = [], [], [], []
        for r in batch:
            name = r[NAME_FIELD.get(kind, "name")]
            rows.append(
                {
                    "kind": kind,
                    "id": r["id"],
                    "name": name,
                    "region": r.get("region"),
                    "sort_key": _sort_key(r),
                    "data": json.dumps(r, ensure_ascii=False),
                }
            )

            municipalities = set(municipalities_of(r))
            gaz = finnish.gazetteer()
            regions = {gaz.region_of(m) for m in municipalities} | {r.get("region")}
            municipalities |= {f"region:{region}" for region in regions if region}
            places += [{"kind": kind, "id": r["id"], "municipality": m} for m in municipalities]
            topics += [
                {"kind": kind, "id": r["id"], "topic": t} for t in set(r.get("topics") or [])
            ]
            words = search_terms(f"{name} {r.get('description') or ''}")
            words |= {f"role:{role}" for role in r.get("roles") or []}
            if r.get("kind"):
                words.add(f"kind:{r['kind']}")
            terms += [{"kind": kind, "id": r["id"], "term": t} for t in words]
        conn.execute(sa.insert(schema.records), rows)
        _delete_text(conn, kind, ids)
        _insert_text(conn, kind, batch)
        index_rows = (
            (schema.record_municipalities, places),
            (schema.record_topics, topics),
            (schema.record_terms, terms),
        )
        for table, values in index_rows:
            if values:
                conn.execute(sa.insert(table), values)

    # -- reading -------------------------------------------------------------------------------

    def is_empty(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(schema.records.c.id).limit(1)).first() is None

    def export_document(self) -> dict[str, Any]:
        """The whole directory in the `apuri-directory/1` format."""
        doc: dict[str, Any] = {"format": FORMAT, **{kind: [] for kind in KINDS}}
        query = sa.select(schema.records.c.kind, schema.records.c.data).order_by(
            schema.records.c.kind, schema.records.c.id
        )
        with self.engine.connect() as conn:
            for kind, data in conn.execute(query):
                doc[kind].append(json.loads(data))
        return doc

    def get(self, kind: str, record_id: str) -> dict[str, Any] | None:
        query = sa.select(schema.records.c.data).where(
            schema.records.c.kind == kind, schema.records.c.id == record_id
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return json.loads(row[0]) if row else None

    def find(
        self,
        kind: str,
        municipality: str | None = None,
        topic: str | None = None,
        text: str | None = None,
        region: str | None = None,
        role: str | None = None,
        org_kind: str | None = None,
        after: str | None = None,
        limit: int = 3,
    ) -> list[dict[str, Any]]:
        """Records of one kind by place, topic, words and role, soonest or by name first.

        `region` matches records of that region or of any municipality in it (both are indexed
        as the place "region:<name>"); `after` keeps records whose date (event start, grant
        deadline) is not before it.
        """
        r = schema.records
        source: Any = r
        query_filters = [r.c.kind == kind]

        def join(table: sa.Table, column: str, value: str) -> None:
            """Narrow by an index table: a join, so the database starts from its index."""
            nonlocal source
            alias = table.alias()
            source = source.join(
                alias,
                sa.and_(alias.c.kind == r.c.kind, alias.c.id == r.c.id, alias.c[column] == value),
            )

        if municipality:
            join(schema.record_municipalities, "municipality", municipality)
        if region:
            join(schema.record_municipalities, "municipality", f"region:{region}")
        if topic:
            join(schema.record_topics, "topic", topic)
        for term in query_terms(text):
            join(schema.record_terms, "term", term)
        if role:
            join(schema.record_terms, "term", f"role:{role}")
        if org_kind:
            join(schema.record_terms, "term", f"kind:{org_kind}")
        if after:
            query_filters.append(r.c.sort_key >= after)
        query = sa.select(r.c.data).select_from(source).where(*query_filters)
        query = query.order_by(r.c.sort_key, r.c.name).limit(limit)
        with self.engine.connect() as conn:
            return [json.loads(row[0]) for row in conn.execute(query)]

    def search(
        self,
        kind: str,
        municipality: str | None = None,
        region: str | None = None,
        alternatives: list[dict[str, Any]] | None = None,
        **filters: Any,
    ) -> tuple[list[dict[str, Any]], str]:
        """Records in the municipality, else its region, else the whole country; with the scope.

        `alternatives` are ways to match what was asked, best first (the question's own words,
        then its topic): in each place every alternative is tried before the search widens, so
        a nearby match by topic beats a distant match by words, and a place never lists records
        that match none of them. The region is always the municipality's own. The scope is
        "municipality", "region", "national" or "none".
        """
        if municipality:
            region = finnish.gazetteer().region_of(municipality) or region
        places = (
            ("municipality", {"municipality": municipality}),
            ("region", {"region": region}),
            ("national", {}),
        )
        for scope, place in places:
            if not all(place.values()):
                continue  # no municipality or region given
            for alternative in alternatives or [{}]:
                found = self.find(kind, **place, **alternative, **filters)
                if found:
                    return found, scope
        return [], "none"

    def rank(
        self, terms: list[str], place: str | None, kinds: tuple[str, ...], limit: int = 40
    ) -> list[tuple[float, str, dict[str, Any]]]:
        """Records of `kinds` whose words match any of `terms`, best first, as (score, kind,
        record): the database's own full-text ranking (SQLite FTS5 bm25, PostgreSQL ts_rank),
        a word in the name counting most, in the description less, a topic least. `place` is a
        municipality or "region:<name>" (None: anywhere). Events only upcoming, grants only
        open."""
        words = sorted(
            {w + ("*" if t.endswith("*") else "") for t in terms for w in _WORD.findall(t.lower())}
        )
        if not words or not kinds:
            return []
        params: dict[str, Any] = {
            "kinds": list(kinds),
            "limit": limit,
            "place": place,
            "now": clock.utc_key(),
            "today": clock.today().isoformat(),
        }
        where_place = (
            (
                "JOIN record_municipalities m ON m.kind = r.kind AND m.id = r.id "
                "AND m.municipality = :place"
            )
            if place
            else ""
        )
        current = (
            "r.kind IN :kinds AND NOT (r.kind = 'events' AND "
            "(r.sort_key IS NULL OR r.sort_key < :now)) AND NOT (r.kind = 'grants' AND "
            "r.sort_key IS NOT NULL AND r.sort_key < :today)"
        )
        if self.engine.dialect.name == "postgresql":
            params["match"] = " | ".join(w[:-1] + ":*" if w.endswith("*") else w for w in words)
            sql = (
                f"SELECT ts_rank('{{0.1, 0.15, 0.4, 1.0}}', t.tsv, q) AS score, r.kind, "
                f"r.data FROM record_text t JOIN records r ON r.kind = t.kind AND "
                f"r.id = t.id {where_place}, to_tsquery('simple', :match) q "
                f"WHERE t.tsv @@ q AND {current} ORDER BY score DESC, r.name LIMIT :limit"
            )
        else:
            params["match"] = " OR ".join(
                f'"{w[:-1]}"*' if w.endswith("*") else f'"{w}"' for w in words
            )
            sql = (
                f"SELECT -bm25(record_fts, 10.0, 3.0, 1.0) AS score, r.kind, r.data "
                f"FROM record_fts JOIN records r ON r.kind = record_fts.kind AND "
                f"r.id = record_fts.id {where_place} WHERE record_fts MATCH :match AND "
                f"{current} ORDER BY score DESC, r.name LIMIT :limit"
            )
        query = sa.text(sql).bindparams(sa.bindparam("kinds", expanding=True))
        with self.engine.connect() as conn:
            rows = conn.execute(query, params).all()
        return [(float(score), kind, json.loads(data)) for score, kind, data in rows]

    def in_place(
        self, place: str | None, kinds: tuple[str, ...], limit: int = 40
    ) -> list[tuple[float, str, dict[str, Any]]]:
        """Records of `kinds` in a place whatever their words (a question that names only a
        kind of thing: "digitukea Kuopiossa"), soonest or by name, as `rank` gives them."""
        found: list[tuple[float, str, dict[str, Any]]] = []
        after = {"events": clock.utc_key(), "grants": clock.today().isoformat()}
        for kind in kinds:
            where = (
                {"municipality": place}
                if place and not place.startswith("region:")
                else ({"region": place.removeprefix("region:")} if place else {})
            )
            for record in self.find(kind, after=after.get(kind), limit=limit, **where):
                found.append((0.0, kind, record))
        return found[:limit]

    def person_for_topic(
        self, municipality: str | None, region: str | None, topic: str
    ) -> dict[str, Any] | None:
        """A person of the municipality (else its region) whose own topics include `topic`
        ("omaishoito": the service advisor for family care); None when there is none near."""
        found, scope = self.search("contact_persons", municipality, region, topic=topic, limit=1)
        return found[0] if found and scope != "national" else None

    def contact(
        self, municipality: str | None = None, region: str | None = None, role: str = "liaison"
    ) -> dict[str, Any] | None:
        """The named person for a municipality (else its region) in a role, else its liaison;
        None when the directory has nobody there (the caller names the general contact)."""
        for wanted in dict.fromkeys((role, "liaison")):
            found, scope = self.search(
                "contact_persons", municipality, region, role=wanted, limit=1
            )
            if found and scope != "national":
                return found[0]
        return None


_WORD = re.compile(r"\w+")


def municipalities_of(record: dict[str, Any]) -> list[str]:
    """A record's own municipalities: its list, or an event's or a space's one."""
    return list(record.get("municipalities") or []) or (
        [record["municipality"]] if record.get("municipality") else []
    )


def record_words(kind: str, record: dict[str, Any]) -> tuple[str, str, str]:
    """What a record is searched by, as lemmas and compound parts: its name, its other text
    (description, place, funder…), and its topics and sort (words for "liikunta", "digituki")."""

    def words(text: str) -> str:
        return " ".join(sorted({w for t in index_terms(text) for w in _WORD.findall(t)}))

    name = record.get(NAME_FIELD.get(kind, "name")) or ""
    other = " ".join(
        str(record.get(f) or "")
        for f in ("description", "location", "funder", "title", "accessibility")
    )
    sorts = [*(record.get("topics") or []), record.get("kind") or "", kind]
    topics = " ".join(w for s in sorts for w in finnish.sort_words(s))
    return words(name), words(other), words(topics)


def _insert_text(conn: sa.engine.Connection, kind: str, batch: list[dict[str, Any]]) -> None:
    rows = []
    for record in batch:
        name, other, topics = record_words(kind, record)
        rows.append({"kind": kind, "id": record["id"], "n": name, "d": other, "t": topics})
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        conn.execute(
            sa.text(
                "INSERT INTO record_text (kind, id, words, tsv) VALUES (:kind, :id, "
                ":n || ' ' || :d || ' ' || :t, setweight(to_tsvector('simple', :n), 'A') || "
                "setweight(to_tsvector('simple', :d), 'B') || setweight(to_tsvector('simple', :t), "
                "'C'))"
            ),
            rows,
        )
    else:
        conn.execute(
            sa.text(
                "INSERT INTO record_fts (name_words, text_words, topic_words, kind, id) "
                "VALUES (:n, :d, :t, :kind, :id)"
            ),
            rows,
        )


def _delete_text(
    conn: sa.engine.Connection, kind: str | None = None, ids: list[str] | None = None
) -> None:
    table = "record_text" if conn.dialect.name == "postgresql" else "record_fts"
    if kind is None:
        conn.execute(sa.text(f"DELETE FROM {table}"))
        return
    query = sa.text(f"DELETE FROM {table} WHERE kind = :kind AND id IN :ids").bindparams(
        sa.bindparam("ids", expanding=True)
    )
    for start in range(0, len(ids or []), 500):
        conn.execute(query, {"kind": kind, "ids": (ids or [])[start : start + 500]})


def reindex_text(conn: sa.engine.Connection) -> None:
    """Every record's search words again, from its JSON (a migration, a changed word list)."""
    _delete_text(conn)
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for kind, data in conn.execute(sa.select(schema.records.c.kind, schema.records.c.data)):
        by_kind.setdefault(kind, []).append(json.loads(data))
    for kind, records in by_kind.items():
        for start in range(0, len(records), 500):
            _insert_text(conn, kind, records[start : start + 500])


def _sort_key(record: dict[str, Any]) -> str | None:
    """Event start in UTC (so text order is time order) or grant deadline, ISO 8601."""
    if record.get("start"):
        return clock.utc_key(dt.datetime.fromisoformat(record["start"]))
    return record.get("deadline")


def load_file(path: Path | str) -> Any:
    """A directory file as JSON; a clear error for a wrong encoding or bad JSON."""
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DirectoryValidationError([f"(file): not UTF-8 text (byte {err.start})"]) from err
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise DirectoryValidationError(
            [f"(file): not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}"]
        ) from err
