/**
 * Prometheus metrics on a private Registry (never prom-client's global one, so tests and several apps in one
 * process do not share counters). `apply --metrics-file` writes them once with writeToFile (text format, for a
 * node_exporter textfile collector); `serve` exposes registry.metrics() on /metrics.
 */
import { rename, writeFile } from "node:fs/promises";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { type AuditInput, isCampaignOutcome } from "../domain/audit-record.js";
import type { HttpObserver } from "../http/events.js";
import type { DeliveryObserver } from "../webhook/worker.js";

export type ConflictResolution = "rebased" | "conflict" | "overwritten" | "aborted";

export interface Metrics {
  readonly registry: Registry;
  readonly updateOutcomes: Counter<"outcome">;
  readonly updateLatency: Histogram<"outcome">;
  readonly validationFailures: Counter<"code">;
  readonly platformRequests: Counter<"method" | "route" | "status">;
  readonly platformRequestDuration: Histogram<"method" | "route">;
  readonly platformRetries: Counter<"route" | "status">;
  readonly rateLimiterWait: Histogram;
  readonly conflicts: Counter<"resolution">;
  readonly tokenRefreshes: Counter<"reason">;
  readonly webhookDeliveries: Counter<"outcome">;
  readonly webhookBacklog: Gauge;
  /**
   * Counts one audit record: its outcome, its latency, its error findings by code, and conflicts/overwrites.
   * Call once per record (the engine after each append, or a store listener).
   */
  observeAudit(record: Pick<AuditInput, "outcome" | "latencyMs" | "findings" | "runSummary">): void;
  /** A 409 that was resolved: counts by how (rebased, conflict, overwritten, aborted). */
  conflict(resolution: ConflictResolution): void;
  httpObserver(): HttpObserver;
  deliveryObserver(): DeliveryObserver;
  /** Where the backlog gauge reads from at scrape time, e.g. () => store.outbox.stats(now).then(s => s.pending). */
  setBacklogSource(source: () => Promise<number>): void;
  text(): Promise<string>;
  /** Writes the text exposition atomically (temp file + rename), so a collector never reads half a file. */
  writeToFile(path: string): Promise<void>;
}

const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const WAIT_BUCKETS = [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function createMetrics(options: { defaultLabels?: Record<string, string> } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
  const registers = [registry];
  let backlogSource: (() => Promise<number>) | null = null;

  const updateOutcomes = new Counter({
    name: "dialrules_update_outcomes_total",
    help: "Campaign update attempts by audit outcome.",
    labelNames: ["outcome"] as const,
    registers,
  });
  const updateLatency = new Histogram({
    name: "dialrules_update_latency_seconds",
    help: "Time to apply one campaign's change, from first request to outcome.",
    labelNames: ["outcome"] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const validationFailures = new Counter({
    name: "dialrules_validation_failures_total",
    help: "Validation findings of severity error, by code.",
    labelNames: ["code"] as const,
    registers,
  });
  const platformRequests = new Counter({
    name: "dialrules_platform_requests_total",
    help: "HTTP requests to the platform (each retry counts), by method, route template and status.",
    labelNames: ["method", "route", "status"] as const,
    registers,
  });
  const platformRequestDuration = new Histogram({
    name: "dialrules_platform_request_duration_seconds",
    help: "Duration of HTTP requests to the platform.",
    labelNames: ["method", "route"] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const platformRetries = new Counter({
    name: "dialrules_platform_retries_total",
    help: "Retries scheduled after a platform response or network error.",
    labelNames: ["route", "status"] as const,
    registers,
  });
  const rateLimiterWait = new Histogram({
    name: "dialrules_rate_limiter_wait_seconds",
    help: "Time requests waited for the client-side rate limiter.",
    buckets: WAIT_BUCKETS,
    registers,
  });
  const conflicts = new Counter({
    name: "dialrules_conflicts_total",
    help: "Concurrent-edit conflicts (HTTP 409) by resolution.",
    labelNames: ["resolution"] as const,
    registers,
  });
  const tokenRefreshes = new Counter({
    name: "dialrules_token_refreshes_total",
    help: "OAuth2 tokens fetched, by reason.",
    labelNames: ["reason"] as const,
    registers,
  });
  const webhookDeliveries = new Counter({
    name: "dialrules_webhook_deliveries_total",
    help: "Webhook delivery attempts by outcome (delivered, failed, dead, disabled).",
    labelNames: ["outcome"] as const,
    registers,
  });
  const webhookBacklog = new Gauge({
    name: "dialrules_webhook_backlog",
    help: "Audit records waiting for webhook delivery (read from the outbox at scrape time).",
    registers,
    async collect() {
      if (!backlogSource) return;
      try {
        this.set(await backlogSource());
      } catch {
        // An unreachable database must not fail the whole scrape; the last value stays.
      }
    },
  });

  const metrics: Metrics = {
    registry,
    updateOutcomes,
    updateLatency,
    validationFailures,
    platformRequests,
    platformRequestDuration,
    platformRetries,
    rateLimiterWait,
    conflicts,
    tokenRefreshes,
    webhookDeliveries,
    webhookBacklog,
    observeAudit(record) {
      // Unchanged campaigns have no record of their own since issue 14: the run summary counts them.
      if (record.outcome === "run_summary") {
        const unchanged = record.runSummary?.unchanged.length ?? 0;
        if (unchanged > 0) updateOutcomes.inc({ outcome: "noop" }, unchanged);
        return;
      }
      if (!isCampaignOutcome(record.outcome)) return;
      updateOutcomes.inc({ outcome: record.outcome });
      if (record.latencyMs !== undefined)
        updateLatency.observe({ outcome: record.outcome }, record.latencyMs / 1000);
      for (const f of record.findings ?? [])
        if (f.severity === "error") validationFailures.inc({ code: f.code });
      if (record.outcome === "conflict") conflicts.inc({ resolution: "conflict" });
      if (record.outcome === "overwritten") conflicts.inc({ resolution: "overwritten" });
    },
    conflict(resolution) {
      conflicts.inc({ resolution });
    },
    httpObserver: () => ({
      request(e) {
        platformRequests.inc({ method: e.method, route: e.route, status: String(e.status) });
        platformRequestDuration.observe({ method: e.method, route: e.route }, e.durationMs / 1000);
      },
      rateLimiterWait(ms) {
        rateLimiterWait.observe(ms / 1000);
      },
      tokenRefresh(reason) {
        tokenRefreshes.inc({ reason });
      },
      retry(e) {
        platformRetries.inc({ route: e.route, status: String(e.status) });
      },
    }),
    deliveryObserver: () => ({
      delivery(e) {
        webhookDeliveries.inc({ outcome: e.outcome });
      },
    }),
    setBacklogSource(source) {
      backlogSource = source;
    },
    text: () => registry.metrics(),
    async writeToFile(path) {
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, await registry.metrics(), "utf8");
      await rename(tmp, path);
    },
  };
  return metrics;
}
