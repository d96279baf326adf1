import { afterEach, describe, expect, it } from "vitest";
import { registerAudit } from "../../src/cli/commands/audit.js";
import { registerWebhooks } from "../../src/cli/commands/webhooks.js";
import { ManualClock } from "../../src/clock/clock.js";
import { createDeliveryWorker } from "../../src/webhook/worker.js";
import { runCli } from "../store/cli.js";
import { KINDS, type TestDatabase, testDatabase } from "../store/databases.js";
import { auditInput } from "../store/fixtures.js";
import { type Receiver, SECRET_A, SECRET_B, startReceiver } from "./receiver.js";

describe.each(KINDS)("no secret leaks (%s)", (kind) => {
  let db: TestDatabase;
  let receiver: Receiver;
  afterEach(async () => {
    await receiver?.close();
    await db?.cleanup();
  });

  it("keeps webhook secrets and URL credentials out of logs, audit rows, CLI output and webhook bodies", async () => {
    db = await testDatabase(kind);
    let n = 0;
    receiver = await startReceiver(() => ({ status: ++n <= 2 ? 500 : 204 }));
    const urlToken = "tok_9f8e7d6c5b4a";
    const url = `${receiver.url.replace("http://", "http://hookuser:hookpass-0123@")}?token=${urlToken}`;
    const clientSecret = "client-secret-abcdef123456";
    const secrets = [SECRET_A, SECRET_B];
    const forbidden = [
      ...secrets,
      ...secrets.map((s) => s.slice(6)),
      "hookpass-0123",
      urlToken,
      clientSecret,
    ];
    const clock = new ManualClock(Date.now());
    const store = await db.open({ clock, secrets: [...secrets, clientSecret] });
    // An engine bug passes a secret into the record: the store scrubs it.
    await store.audit.append(auditInput({ reason: `rotated ${clientSecret}` }));
    await store.audit.append(
      auditInput({
        outcome: "failed",
        platformError: { code: "auth", message: `bad secret ${SECRET_B}`, status: 401 },
      }),
    );
    const logs: string[] = [];
    const worker = createDeliveryWorker({
      store,
      url,
      secrets,
      clock,
      log: (l) => logs.push(l),
      random: () => 0,
    });
    for (let i = 0; i < 5; i++) {
      await worker.drain();
      clock.advance(10 * 60_000);
    }
    expect(receiver.received.filter((r) => r.status === 204)).toHaveLength(2);
    expect(logs.length).toBeGreaterThan(0);

    const env = { ...db.cli.env, DIALRULES_WEBHOOK_URL: url, DIALRULES_WEBHOOK_SECRET: secrets.join(" ") };
    const cli = [
      await runCli(registerWebhooks, ["webhooks", "status", "--database", db.cli.database], env),
      await runCli(
        registerWebhooks,
        ["webhooks", "status", "--format", "json", "--database", db.cli.database],
        env,
      ),
      await runCli(registerAudit, ["audit", "list", "--format", "json", "--database", db.cli.database], env),
      await runCli(registerAudit, ["audit", "export", "--format", "csv", "--database", db.cli.database], env),
    ];
    expect(cli[0]?.out).toContain("http://127.0.0.1");
    const captured = [
      ...logs,
      ...cli.flatMap((c) => [c.out, c.err]),
      ...receiver.received.map((r) => `${r.body} ${JSON.stringify(r.headers)}`),
      JSON.stringify(await store.audit.list()),
      await db.dump(),
    ].join("\n");
    expect(captured).toContain("[REDACTED]");
    for (const s of forbidden) expect(captured, `leaked ${s.slice(0, 4)}…`).not.toContain(s);
    expect((await store.audit.verify()).ok).toBe(true);
  });
});
