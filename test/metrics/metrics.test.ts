import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { register as globalRegistry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/metrics/metrics.js";
import { type TestDatabase, testDatabase } from "../store/databases.js";
import { auditInput } from "../store/fixtures.js";

describe("metrics", () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.cleanup();
  });

  it("counts outcomes, latency, findings, platform requests, limiter waits, tokens, conflicts and deliveries", async () => {
    const m = createMetrics();
    m.observeAudit(auditInput({ outcome: "applied", latencyMs: 250 }));
    m.observeAudit(
      auditInput({
        outcome: "rejected_locally",
        findings: [{ severity: "error", code: "TCPA_ABANDON", path: "p", message: "m" }],
      }),
    );
    m.observeAudit(auditInput({ outcome: "conflict" }));
    m.conflict("rebased");
    const http = m.httpObserver();
    http.request?.({ method: "PATCH", route: "/campaigns/:id", status: 409, durationMs: 12 });
    http.request?.({ method: "GET", route: "/campaigns", status: "network", durationMs: 3 });
    http.rateLimiterWait?.(1500);
    http.tokenRefresh?.("expiry");
    http.retry?.({ route: "/campaigns/:id", status: 503, delayMs: 100, attempt: 1 });
    m.deliveryObserver().delivery?.({
      outcome: "dead",
      auditId: "a",
      campaignId: "c",
      attempt: 8,
      status: 500,
      durationMs: 1,
    });
    const text = await m.text();
    for (const line of [
      'dialrules_update_outcomes_total{outcome="applied"} 1',
      'dialrules_update_latency_seconds_bucket{le="0.25",outcome="applied"} 1',
      'dialrules_validation_failures_total{code="TCPA_ABANDON"} 1',
      'dialrules_platform_requests_total{method="PATCH",route="/campaigns/:id",status="409"} 1',
      'dialrules_platform_requests_total{method="GET",route="/campaigns",status="network"} 1',
      "dialrules_rate_limiter_wait_seconds_sum 1.5",
      'dialrules_token_refreshes_total{reason="expiry"} 1',
      'dialrules_conflicts_total{resolution="conflict"} 1',
      'dialrules_conflicts_total{resolution="rebased"} 1',
      'dialrules_platform_retries_total{route="/campaigns/:id",status="503"} 1',
      'dialrules_webhook_deliveries_total{outcome="dead"} 1',
    ]) {
      expect(text).toContain(line);
    }
    // A private registry: nothing leaks into prom-client's global one, and two instances are independent.
    expect(await globalRegistry.metrics()).not.toContain("dialrules_");
    expect(await createMetrics().text()).not.toContain('outcome="applied"} 1');
  });

  it("reads the webhook backlog from the store at scrape time and writes a metrics file", async () => {
    db = await testDatabase("sqlite");
    const store = await db.open();
    const m = createMetrics();
    m.setBacklogSource(async () => (await store.outbox.stats(Date.now())).pending);
    await store.audit.append(auditInput());
    await store.audit.append(auditInput());
    expect(await m.text()).toContain("dialrules_webhook_backlog 2");
    const file = join(mkdtempSync(join(tmpdir(), "dialrules-metrics-")), "dialrules.prom");
    await m.writeToFile(file);
    expect(readFileSync(file, "utf8")).toContain("dialrules_webhook_backlog 2");
  });
});
