/** `dialrules webhooks deliver | status | retry | enable`: the compliance webhook outbox. */
import type { Command } from "commander";
import { DialrulesError, InputError } from "../../domain/errors.js";
import type { EndpointState, OutboxRow, OutboxStats } from "../../store/types.js";
import { type WebhookConfig, webhookConfigFromEnv } from "../../webhook/config.js";
import { createDeliveryWorker } from "../../webhook/worker.js";
import { EXIT, setExitCode } from "../exit.js";
import { databaseOption, formatOption } from "../options.js";
import { type CommandIo, processIo, withStore } from "./audit.js";

function requireConfig(io: CommandIo): WebhookConfig {
  const config = webhookConfigFromEnv(io.env);
  if (!config) {
    throw new InputError(
      "WEBHOOK_NOT_CONFIGURED",
      "DIALRULES_WEBHOOK_URL is not set; set it and DIALRULES_WEBHOOK_SECRET (whsec_…) to deliver webhooks",
    );
  }
  return config;
}

const ago = (ms: number) => {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
};

export function renderStatus(
  stats: OutboxStats,
  endpoint: EndpointState | null,
  dead: OutboxRow[],
  now: number,
): string {
  const lines: string[] = [];
  if (!endpoint)
    lines.push("endpoint:     not configured (DIALRULES_WEBHOOK_URL unset); records queue until it is");
  else if (endpoint.state === "active") lines.push(`endpoint:     ${endpoint.displayUrl} (active)`);
  else {
    lines.push(
      `endpoint:     ${endpoint.displayUrl} (DISABLED since ${endpoint.changedAt}: ${endpoint.reason}); ` +
        `"dialrules webhooks enable" to resume`,
    );
  }
  const oldest = stats.oldestPendingAt === null ? "" : `, oldest ${ago(now - stats.oldestPendingAt)} old`;
  lines.push(
    `backlog:      ${stats.pending} pending (${stats.due} due now, ${stats.inFlight} in flight${oldest})`,
  );
  lines.push(`failures:     ${stats.retrying} record(s) retrying after failed attempts`);
  if (stats.lastFailure) {
    const f = stats.lastFailure;
    lines.push(`last failure: ${f.auditId} after ${f.attempts} attempt(s): ${f.error}`);
  }
  lines.push(`dead letters: ${stats.dead}`);
  for (const d of dead) {
    lines.push(`  ${d.auditId}  campaign ${d.campaignId}  ${d.attempts} attempts  ${d.lastError ?? ""}`);
  }
  if (stats.dead > dead.length) lines.push(`  … and ${stats.dead - dead.length} more`);
  lines.push(`delivered:    ${stats.delivered}`);
  return `${lines.join("\n")}\n`;
}

export function registerWebhooks(program: Command, io: CommandIo = processIo()): void {
  const webhooks = program
    .command("webhooks")
    .description("deliver and inspect compliance webhooks (the outbox)");

  webhooks
    .command("deliver")
    .description("deliver pending webhooks; keeps running until Ctrl-C unless --once")
    .option("--once", "deliver what is due now, then exit")
    .addOption(databaseOption())
    .action(async (opts: { once?: boolean; database?: string }) => {
      const config = requireConfig(io);
      await withStore(opts.database, io, async (store) => {
        const worker = createDeliveryWorker({
          store,
          url: config.url,
          secrets: config.secrets,
          log: (line) => io.err(`${line}\n`),
        });
        if (opts.once) {
          const r = await worker.drain();
          const stats = await store.outbox.stats(Date.now());
          io.out(
            `delivered ${r.delivered}, failed ${r.failed} (will retry), dead ${r.dead}; ${stats.pending} pending` +
              `${r.disabled ? "; endpoint DISABLED (HTTP 410): run dialrules webhooks enable" : ""}\n`,
          );
          setExitCode(r.disabled || r.dead > 0 ? EXIT.failed : EXIT.ok);
          return;
        }
        io.err(`delivering webhooks from ${store.location} (Ctrl-C to stop)\n`);
        worker.start();
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once("SIGINT", stop);
          process.once("SIGTERM", stop);
        });
        await worker.stop();
        setExitCode(EXIT.ok);
      });
    });

  webhooks
    .command("status")
    .description("backlog, failures, dead letters and the endpoint's state")
    .addOption(formatOption())
    .addOption(databaseOption())
    .action(async (opts: { format: "text" | "json"; database?: string }) => {
      const config = webhookConfigFromEnv(io.env);
      const now = Date.now();
      await withStore(opts.database, io, async (store) => {
        const [stats, dead, endpoint] = await Promise.all([
          store.outbox.stats(now),
          store.outbox.list({ status: "dead", limit: 20 }),
          config ? store.outbox.endpoint(config.url) : Promise.resolve(null),
        ]);
        if (opts.format === "json") {
          const deadLetters = dead.map(({ payload: _p, ...rest }) => rest);
          io.out(`${JSON.stringify({ endpoint, ...stats, deadLetters }, null, 2)}\n`);
        } else io.out(renderStatus(stats, endpoint, dead, now));
        setExitCode(EXIT.ok);
      });
    });

  webhooks
    .command("retry")
    .description("queue one record's webhook (a dead letter, or any record to re-send) for delivery now")
    .argument("<id>", "audit record id (the webhook-id)")
    .addOption(databaseOption())
    .action(async (id: string, opts: { database?: string }) => {
      await withStore(opts.database, io, async (store) => {
        const now = Date.now();
        const row = await store.outbox.retry(id, now);
        if (!row)
          throw new InputError("WEBHOOK_UNKNOWN_ID", `no outbox record ${id}; see "dialrules audit list"`);
        if (row.claimedUntil !== null && row.claimedUntil > now) {
          throw new DialrulesError(
            "WEBHOOK_IN_FLIGHT",
            `${id} is being delivered right now; try again shortly`,
          );
        }
        io.out(`${id} queued; "dialrules webhooks deliver" sends it\n`);
        setExitCode(EXIT.ok);
      });
    });

  webhooks
    .command("enable")
    .description("re-enable the endpoint after it answered 410 Gone")
    .addOption(databaseOption())
    .action(async (opts: { database?: string }) => {
      const config = requireConfig(io);
      await withStore(opts.database, io, async (store) => {
        await store.outbox.setEndpointState(config.url, "active", null);
        io.out(`${(await store.outbox.endpoint(config.url)).displayUrl} enabled\n`);
        setExitCode(EXIT.ok);
      });
    });
}
