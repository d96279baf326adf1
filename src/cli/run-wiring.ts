import { readFileSync } from "node:fs";
import type { ApplyObserver } from "../engine/apply.js";
import { createMetrics, type Metrics } from "../metrics/metrics.js";
import type { SqlStore } from "../store/types.js";
import { webhookConfigFromEnv } from "../webhook/config.js";
import { createDeliveryWorker } from "../webhook/worker.js";

/**
 * Secret values the store must never persist (it redacts them from audit inputs before hashing): the
 * platform client secret and the webhook secrets. Read from the same variables the drivers read.
 */
export function knownSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  const secrets: string[] = [];
  const add = (v: string | undefined) => {
    const t = v?.trim();
    if (t && t.length >= 4) secrets.push(t);
  };
  add(env.DIALRULES_V2_CLIENT_SECRET);
  add(env.CXONE_CLIENT_SECRET);
  add(env.CXONE_ACCESS_KEY_SECRET);
  add(env.GENESYS_CLIENT_SECRET);
  for (const file of [
    env.DIALRULES_V2_CLIENT_SECRET_FILE,
    env.CXONE_CLIENT_SECRET_FILE,
    env.CXONE_ACCESS_KEY_SECRET_FILE,
    env.GENESYS_CLIENT_SECRET_FILE,
  ]) {
    if (!file) continue;
    try {
      add(readFileSync(file, "utf8"));
    } catch {
      // unreadable: the driver reports it with the variable's name
    }
  }
  for (const s of env.DIALRULES_WEBHOOK_SECRET?.split(/\s+/) ?? []) add(s);
  return secrets;
}

/** Metrics for one CLI run: fed by the HTTP observer, every audit record and the apply observer. */
export function runMetrics(store: SqlStore): { metrics: Metrics; observer: ApplyObserver; dispose(): void } {
  const metrics = createMetrics();
  const unsubscribe = store.onAppend((record) => metrics.observeAudit(record));
  metrics.setBacklogSource(async () => (await store.outbox.stats(Date.now())).pending);
  return {
    metrics,
    observer: {
      conflictResolved(resolution) {
        if (resolution !== "already-applied") metrics.conflict(resolution);
      },
    },
    dispose: unsubscribe,
  };
}

/** Combines observers so progress display and metrics both see every event. */
export function bothObservers(...observers: (ApplyObserver | undefined)[]): ApplyObserver {
  const list = observers.filter((o): o is ApplyObserver => o !== undefined);
  return {
    started: (n) => {
      for (const o of list) o.started?.(n);
    },
    campaignDone: (r) => {
      for (const o of list) o.campaignDone?.(r);
    },
    conflictResolved: (r) => {
      for (const o of list) o.conflictResolved?.(r);
    },
  };
}

/**
 * Delivers what the run enqueued, if a webhook is configured. Failed deliveries stay in the outbox with their
 * retry time; `dialrules webhooks deliver` (or `serve`) finishes them.
 */
export async function deliverWebhooks(
  store: SqlStore,
  metrics: Metrics,
  out: (t: string) => void,
): Promise<void> {
  const config = webhookConfigFromEnv();
  if (!config) return;
  const worker = createDeliveryWorker({
    store,
    url: config.url,
    secrets: config.secrets,
    observer: metrics.deliveryObserver(),
  });
  const r = await worker.drain();
  const pending = (await store.outbox.stats(Date.now())).pending;
  out(
    `Webhooks: ${r.delivered} delivered${r.failed ? `, ${r.failed} failed (will retry)` : ""}${r.disabled ? ", endpoint disabled (410)" : ""}; ${pending} pending.${pending ? " Run `dialrules webhooks deliver` to finish." : ""}\n`,
  );
}
