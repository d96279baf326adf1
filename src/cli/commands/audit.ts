/** `dialrules audit list | verify | export`: read and check the hash-chained audit log. */

import { once } from "node:events";
import { createWriteStream, readFileSync, writeFileSync } from "node:fs";
import { type Command, Option } from "commander";
import { isCampaignOutcome, type SignedCheckpoint } from "../../domain/audit-record.js";
import { InputError } from "../../domain/errors.js";
import { type ExportFormat, exportAudit } from "../../store/audit-export.js";
import { parseCheckpoint } from "../../store/checkpoint.js";
import { databaseOptions, openStore } from "../../store/open-store.js";
import { rulesAsOf } from "../../store/trail.js";
import type { AuditRecord, SqlStore } from "../../store/types.js";
import { webhookEvent } from "../../webhook/events.js";
import { auditSigner, trustedPublicKey } from "../audit-key.js";
import { EXIT, setExitCode } from "../exit.js";
import { databaseOption, defaultActor, formatOption, outputFileOption, outputPath } from "../options.js";
import { asOfJson, recordsCsv, renderAsOfHtml, renderAsOfText } from "../render/trail.js";
import { renderVerifyText } from "../render/verify-text.js";

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

/** Writes to -o FILE, or stdout. */
export function emit(io: CommandIo, text: string, output: string | undefined): void {
  if (output) {
    writeFileSync(output, text);
    io.err(`written to ${output}\n`);
  } else io.out(text);
}

function readCheckpointFile(path: string): SignedCheckpoint {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new InputError(
      "AUDIT_CHECKPOINT_UNREADABLE",
      `cannot read the checkpoint ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return parseCheckpoint(text, path);
}

function isoTime(value: string, name: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t))
    throw new InputError("BAD_TIME", `${name} ${value} is not an ISO-8601 time (e.g. 2026-05-01T00:00:00Z)`);
  return new Date(t).toISOString();
}

const isoFlag = (value: string): string => isoTime(value, "--since");

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
  const audit = program.command("audit").description("read, verify and export the tamper-evident audit log");

  audit
    .command("list")
    .description("list audit records, oldest first")
    .option("--campaign <id>", "only this campaign")
    .option("--since <iso>", "only records at or after this time", isoFlag)
    .option("--run <id>", "only this apply run")
    .option("--limit <n>", "at most this many records", (v) => Number.parseInt(v, 10))
    .addOption(formatOption())
    .addOption(databaseOption())
    .action(
      async (opts: {
        campaign?: string;
        since?: string;
        run?: string;
        limit?: number;
        format: "text" | "json";
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
        io.out(opts.format === "json" ? `${JSON.stringify(records, null, 2)}\n` : renderAuditList(records));
        setExitCode(EXIT.ok);
      },
    );

  audit
    .command("verify")
    .description(
      "recompute the hash chain and check the stored signed checkpoints; with --checkpoint, also that the chain reaches an outside checkpoint and holds the head it signed",
    )
    .option(
      "--checkpoint <file>",
      "a checkpoint kept outside the database (`audit checkpoint -o`, or a webhook body)",
    )
    .option(
      "--public-key <file>",
      "the trusted Ed25519 public key, PEM (env DIALRULES_AUDIT_PUBLIC_KEY_FILE)",
    )
    .addOption(formatOption())
    .addOption(databaseOption())
    .action(
      async (opts: {
        format: "text" | "json";
        database?: string;
        checkpoint?: string;
        publicKey?: string;
      }) => {
        const trustedKey = trustedPublicKey(opts.publicKey, io.env);
        const checkpoint = opts.checkpoint ? readCheckpointFile(opts.checkpoint) : undefined;
        if (checkpoint && !trustedKey) {
          throw new InputError(
            "AUDIT_PUBLIC_KEY_MISSING",
            "--checkpoint needs the trusted public key (--public-key FILE or DIALRULES_AUDIT_PUBLIC_KEY_FILE): a checkpoint checked only against the key it carries could have been made by anyone",
          );
        }
        const result = await withStore(opts.database, io, (store) =>
          store.audit.verify({ trustedKey, checkpoint }),
        );
        if (opts.format === "json") io.out(`${JSON.stringify(result)}\n`);
        else {
          const text = renderVerifyText(result);
          io.out(text.out);
          if (text.note) io.err(text.note);
        }
        setExitCode(result.ok ? EXIT.ok : EXIT.failed);
      },
    );

  audit
    .command("as-of")
    .description(
      "the rules of one campaign in force at TIME, the records that prove it, and the chain and checkpoint verification",
    )
    .argument("<time>", "ISO-8601 time, e.g. 2026-05-01T12:00:00Z")
    .requiredOption("--id <id>", "campaign id")
    .addOption(formatOption(["text", "json", "csv", "html"]))
    .addOption(outputFileOption("write to this file instead of standard output (e.g. report.html)"))
    .option(
      "--public-key <file>",
      "the trusted Ed25519 public key, PEM (env DIALRULES_AUDIT_PUBLIC_KEY_FILE)",
    )
    .addOption(databaseOption())
    .action(
      async (
        time: string,
        opts: {
          id: string;
          format: "text" | "json" | "csv" | "html";
          output?: string;
          publicKey?: string;
          database?: string;
        },
      ) => {
        const at = isoTime(time, "TIME");
        const trustedKey = trustedPublicKey(opts.publicKey, io.env);
        const { answer, verify } = await withStore(opts.database, io, async (store) => {
          const records = (await store.audit.list({ campaignId: opts.id })).filter((r) =>
            isCampaignOutcome(r.outcome),
          );
          const checkpoints = await store.audit.list({ outcome: "checkpoint" });
          return {
            answer: rulesAsOf(opts.id, at, records, checkpoints),
            verify: await store.audit.verify({ trustedKey }),
          };
        });
        const text =
          opts.format === "json"
            ? asOfJson(answer, verify)
            : opts.format === "csv"
              ? recordsCsv(answer.records)
              : opts.format === "html"
                ? renderAsOfHtml(answer, verify, new Date().toISOString())
                : renderAsOfText(answer, verify);
        emit(io, text, opts.output);
        setExitCode(verify.ok ? EXIT.ok : EXIT.failed);
      },
    );

  audit
    .command("checkpoint")
    .description(
      "sign the head of the chain with DIALRULES_AUDIT_KEY_FILE (Ed25519), store it as a record and queue it as an audit.checkpoint webhook",
    )
    .addOption(outputFileOption("also write the checkpoint to this file (keep it outside the database)"))
    .addOption(databaseOption())
    .action(async (opts: { output?: string; database?: string }) => {
      const signer = auditSigner(io.env);
      if (!signer) {
        throw new InputError(
          "AUDIT_KEY_MISSING",
          "set DIALRULES_AUDIT_KEY_FILE to a PEM Ed25519 private key (openssl genpkey -algorithm ed25519 -out audit-key.pem)",
        );
      }
      const cp = await withStore(opts.database, io, (store) =>
        store.audit.checkpoint(signer, { runId: "", actor: defaultActor(io.env) }),
      );
      if (!cp) {
        io.err("The audit log is empty: nothing to sign.\n");
        setExitCode(EXIT.failed);
        return;
      }
      const text = `${JSON.stringify(cp, null, 2)}\n`;
      if (opts.output) {
        writeFileSync(opts.output, text);
        io.err(`checkpoint of seq ${cp.seq} (key ${cp.keyId}) written to ${opts.output}\n`);
      } else io.out(text);
      setExitCode(EXIT.ok);
    });

  audit
    .command("export")
    .description("export every record: jsonl (canonical JSON, re-hashable) or csv")
    .addOption(formatOption(["jsonl", "csv"]))
    .addOption(outputFileOption())
    .addOption(
      new Option("--out <file>", "deprecated spelling of -o/--output").argParser(outputPath).hideHelp(),
    )
    .addOption(databaseOption())
    .action(async (flags: { format: ExportFormat; output?: string; out?: string; database?: string }) => {
      const output = flags.output ?? flags.out;
      const count = await withStore(flags.database, io, async (store) => {
        if (!output) return exportAudit(store.audit, flags.format, (chunk) => io.out(chunk));
        const file = createWriteStream(output, { encoding: "utf8" });
        try {
          return await exportAudit(store.audit, flags.format, async (chunk) => {
            if (!file.write(chunk)) await once(file, "drain");
          });
        } finally {
          file.end();
          await once(file, "close");
        }
      });
      if (output) io.err(`exported ${count} record(s) to ${output}\n`);
      setExitCode(EXIT.ok);
    });
}
