/** `dialrules audit list | verify | export`: read and check the hash-chained audit log. */

import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { type Command, Option } from "commander";
import { InputError } from "../../domain/errors.js";
import { type ExportFormat, exportAudit } from "../../store/export.js";
import { databaseOptions, openStore } from "../../store/open-store.js";
import type { AuditRecord, SqlStore } from "../../store/types.js";
import { webhookEvent } from "../../webhook/events.js";
import { EXIT, setExitCode } from "../exit.js";
import { databaseOption, outputOption } from "../options.js";

/** Where these commands write; injectable so tests run them in-process. */
export interface CommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

export const processIo = (): CommandIo => ({
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  env: process.env,
});

export async function withStore<T>(
  database: string | undefined,
  io: CommandIo,
  fn: (store: SqlStore) => Promise<T>,
): Promise<T> {
  const store = await openStore({
    outboxEvent: webhookEvent,
    ...databaseOptions(database, io.env),
  });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function isoFlag(value: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t))
    throw new InputError("bad_time", `--since ${value} is not an ISO-8601 time (e.g. 2026-05-01T00:00:00Z)`);
  return new Date(t).toISOString();
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export function renderAuditList(records: AuditRecord[]): string {
  if (records.length === 0) return "No audit records.\n";
  const rows = [["SEQ", "TIME", "CAMPAIGN", "OUTCOME", "ACTOR", "REVISION", "CHANGES"]];
  for (const r of records) {
    const rev =
      r.revisionBefore === undefined && r.revisionAfter === undefined
        ? "-"
        : `${r.revisionBefore ?? "?"}→${r.revisionAfter ?? r.revisionBefore ?? "?"}`;
    rows.push([
      String(r.seq),
      r.time,
      r.campaignId,
      r.outcome,
      r.actor,
      rev,
      r.diff.length ? r.diff.map((d) => d.field).join(", ") : "-",
    ]);
  }
  return `${table(rows)}\n${records.length} record(s)\n`;
}

export function registerAudit(program: Command, io: CommandIo = processIo()): void {
  const audit = program.command("audit").description("Read, verify and export the tamper-evident audit log");

  audit
    .command("list")
    .description("List audit records, oldest first")
    .option("--campaign <id>", "only this campaign")
    .option("--since <iso>", "only records at or after this time", isoFlag)
    .option("--run <id>", "only this apply run")
    .option("--limit <n>", "at most this many records", (v) => Number.parseInt(v, 10))
    .addOption(outputOption())
    .addOption(databaseOption())
    .action(
      async (opts: {
        campaign?: string;
        since?: string;
        run?: string;
        limit?: number;
        output: "text" | "json";
        database?: string;
      }) => {
        const records = await withStore(opts.database, io, (store) =>
          store.audit.list({
            campaignId: opts.campaign,
            since: opts.since,
            runId: opts.run,
            limit: opts.limit,
          }),
        );
        io.out(opts.output === "json" ? `${JSON.stringify(records, null, 2)}\n` : renderAuditList(records));
        setExitCode(EXIT.ok);
      },
    );

  audit
    .command("verify")
    .description("Recompute the hash chain; exit 1 and name the first broken record if anything was altered")
    .addOption(outputOption())
    .addOption(databaseOption())
    .action(async (opts: { output: "text" | "json"; database?: string }) => {
      const result = await withStore(opts.database, io, (store) => store.audit.verify());
      if (opts.output === "json") io.out(`${JSON.stringify(result)}\n`);
      else if (result.ok) io.out(`${result.count} records, chain intact\n`);
      else {
        const b = result.firstBroken;
        io.out(
          `chain BROKEN at record seq ${b.seq} (id ${b.id}): ${b.problem}\n` +
            `${result.count} record(s) before it verified.\n`,
        );
      }
      setExitCode(result.ok ? EXIT.ok : EXIT.failed);
    });

  audit
    .command("export")
    .description("Export every record: jsonl (canonical JSON, re-hashable) or csv")
    .addOption(new Option("--format <format>", "export format").choices(["jsonl", "csv"]).default("jsonl"))
    .option("-o, --out <file>", "write to this file instead of stdout")
    .addOption(databaseOption())
    .action(async (opts: { format: ExportFormat; out?: string; database?: string }) => {
      const count = await withStore(opts.database, io, async (store) => {
        if (!opts.out) return exportAudit(store.audit, opts.format, (chunk) => io.out(chunk));
        const file = createWriteStream(opts.out, { encoding: "utf8" });
        try {
          return await exportAudit(store.audit, opts.format, async (chunk) => {
            if (!file.write(chunk)) await once(file, "drain");
          });
        } finally {
          file.end();
          await once(file, "close");
        }
      });
      if (opts.out) io.err(`exported ${count} record(s) to ${opts.out}\n`);
      setExitCode(EXIT.ok);
    });
}
