import BetterSqlite3 from "better-sqlite3";
import fc from "fast-check";
import { afterEach, expect, it } from "vitest";
import { preparedOnce } from "../../src/store/sqlite-connection.js";

let raw: BetterSqlite3.Database | undefined;
afterEach(() => {
  raw?.close();
  raw = undefined;
});

function database(): BetterSqlite3.Database {
  raw = new BetterSqlite3(":memory:");
  raw.exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)");
  return raw;
}

it("prepares each statement text once and reuses it", () => {
  const db = preparedOnce(database());
  const a = db.prepare("SELECT v FROM t WHERE k = ?");
  expect(db.prepare("SELECT v FROM t WHERE k = ?")).toBe(a);
  expect(db.prepare("SELECT k FROM t")).not.toBe(a);
});

it("hands out a fresh statement while the cached one is being iterated (a streamed select)", () => {
  const r = database();
  r.exec("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
  const db = preparedOnce(r);
  const text = "SELECT k, v FROM t ORDER BY k";
  const seen: unknown[] = [];
  for (const row of db.prepare(text).iterate([])) {
    // The same query run inside the loop must not fail with "This statement is busy".
    seen.push(row, db.prepare(text).all([]).length);
  }
  expect(seen).toEqual([{ k: 1, v: "a" }, 2, { k: 2, v: "b" }, 2]);
});

it("answers every sequence of statements exactly as unprepared statements do, whatever the cache size", () => {
  const texts = [
    "INSERT OR REPLACE INTO t VALUES (?, ?)",
    "SELECT v FROM t WHERE k = ?",
    "DELETE FROM t WHERE k = ?",
    "SELECT count(*) AS n FROM t",
    "SELECT k, v FROM t ORDER BY k",
  ];
  const step = fc.record({
    text: fc.nat(texts.length - 1),
    k: fc.integer({ min: 1, max: 5 }),
    v: fc.string(),
  });
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 6 }), fc.array(step, { maxLength: 40 }), (size, steps) => {
      const plain = new BetterSqlite3(":memory:");
      const cachedRaw = new BetterSqlite3(":memory:");
      try {
        for (const d of [plain, cachedRaw]) d.exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)");
        const cached = preparedOnce(cachedRaw, size);
        for (const s of steps) {
          const text = texts[s.text] ?? "";
          const params = text.startsWith("INSERT") ? [s.k, s.v] : text.includes("?") ? [s.k] : [];
          const run = (stmt: {
            reader: boolean;
            all(p: unknown[]): unknown[];
            run(p: unknown[]): unknown;
          }) => (stmt.reader ? stmt.all(params) : (stmt.run(params) as { changes: number }).changes);
          expect(run(cached.prepare(text) as never)).toEqual(run(plain.prepare(text) as never));
        }
      } finally {
        plain.close();
        cachedRaw.close();
      }
    }),
  );
});
