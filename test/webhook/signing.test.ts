import { createHmac } from "node:crypto";
import { Webhook as SvixWebhook } from "svix";
import { describe, expect, it } from "vitest";
import { parseWebhookSecrets, webhookConfigFromEnv } from "../../src/webhook/config.js";
import { nextAttempt, parseRetryAfter, RETRY_SCHEDULE_MS } from "../../src/webhook/retry-schedule.js";
import { WebhookSigner } from "../../src/webhook/signing.js";
import { SECRET_A, SECRET_B } from "./receiver.js";

const body = JSON.stringify({ type: "campaign.rules.applied", timestamp: "t", data: { id: "aud_1" } });

/** A second, hand-written verifier: HMAC-SHA256 over "id.timestamp.body" with the base64-decoded key. */
function hmac(secret: string, id: string, ts: string, payload: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return `v1,${createHmac("sha256", key).update(`${id}.${ts}.${payload}`).digest("base64")}`;
}

describe("Standard Webhooks signatures", () => {
  it("verify with svix's independent verifier and with a hand-written HMAC", () => {
    const headers = new WebhookSigner([SECRET_A]).headers("aud_1", Date.now(), body);
    expect(new SvixWebhook(SECRET_A).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(headers["webhook-signature"]).toBe(hmac(SECRET_A, "aud_1", headers["webhook-timestamp"], body));
    expect(() => new SvixWebhook(SECRET_B).verify(body, { ...headers })).toThrow();
    expect(() => new SvixWebhook(SECRET_A).verify(`${body} `, { ...headers })).toThrow();
  });

  it("sign with every secret during a rotation; each verifies with its own secret", () => {
    const headers = new WebhookSigner(parseWebhookSecrets(`${SECRET_A} ${SECRET_B}`)).headers(
      "aud_2",
      Date.now(),
      body,
    );
    const sigs = headers["webhook-signature"].split(" ");
    expect(sigs).toHaveLength(2);
    expect(sigs[0]).toBe(hmac(SECRET_A, "aud_2", headers["webhook-timestamp"], body));
    expect(sigs[1]).toBe(hmac(SECRET_B, "aud_2", headers["webhook-timestamp"], body));
    for (const secret of [SECRET_A, SECRET_B]) {
      expect(new SvixWebhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
      // Each signature alone, too: a receiver that only knows one key.
    }
    expect(() =>
      new SvixWebhook(SECRET_A).verify(body, { ...headers, "webhook-signature": sigs[1] ?? "" }),
    ).toThrow();
    expect(
      new SvixWebhook(SECRET_B).verify(body, { ...headers, "webhook-signature": sigs[1] ?? "" }),
    ).toBeTruthy();
  });

  it("rejects malformed secrets without echoing them", () => {
    for (const bad of [
      "nope-secret-value",
      "whsec_!!!notbase64!!!",
      `whsec_${Buffer.from("short").toString("base64")}`,
    ]) {
      let message = "";
      try {
        parseWebhookSecrets(`${SECRET_A} ${bad}`);
      } catch (err) {
        message = (err as Error).message;
        expect(err).toMatchObject({ code: "WEBHOOK_SECRET_INVALID" });
      }
      expect(message).toMatch(/key #2/);
      expect(message).not.toContain(bad);
      expect(message).not.toContain(SECRET_A);
    }
    expect(() => webhookConfigFromEnv({ DIALRULES_WEBHOOK_URL: "https://x/h" })).toThrow(
      /DIALRULES_WEBHOOK_SECRET/,
    );
    // Plain http only to this machine (issue 13): a compliance record must not cross a network in clear.
    for (const url of ["http://x/h", "http://hooks.example/h", "ftp://x/h"]) {
      expect(() =>
        webhookConfigFromEnv({ DIALRULES_WEBHOOK_URL: url, DIALRULES_WEBHOOK_SECRET: SECRET_A }),
      ).toThrow(/https:\/\//);
    }
    for (const url of ["http://127.0.0.1:9/h", "http://localhost/h", "http://[::1]:9/h"]) {
      expect(
        webhookConfigFromEnv({ DIALRULES_WEBHOOK_URL: url, DIALRULES_WEBHOOK_SECRET: SECRET_A })?.url,
      ).toBe(url);
    }
    expect(webhookConfigFromEnv({})).toBeNull();
    expect(
      webhookConfigFromEnv({ DIALRULES_WEBHOOK_URL: "https://x/h", DIALRULES_WEBHOOK_SECRET: SECRET_A }),
    ).toEqual({
      url: "https://x/h",
      secrets: [SECRET_A],
    });
  });
});

describe("retry schedule", () => {
  it("follows 5 s, 5 m, 30 m, 2 h, 5 h, 10 h, 10 h plus up to 10 % jitter, then dead-letters", () => {
    expect(RETRY_SCHEDULE_MS).toEqual([5e3, 3e5, 18e5, 72e5, 18e6, 36e6, 36e6]);
    RETRY_SCHEDULE_MS.forEach((step, i) => {
      expect(nextAttempt(i + 1, 0, () => 0, null)).toEqual({ dead: false, at: step, delayMs: step });
      expect(nextAttempt(i + 1, 0, () => 0.999, null)).toMatchObject({
        delayMs: step + Math.floor(0.999 * step * 0.1),
      });
    });
    expect(nextAttempt(8, 0, () => 0, null)).toEqual({ dead: true });
  });
  it("honours Retry-After in seconds or as a date, capped at a day", () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter(new Date(now + 90_000).toUTCString(), now)).toBe(90_000);
    expect(parseRetryAfter("999999", now)).toBe(24 * 3600_000);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(nextAttempt(1, now, () => 0, 120_000)).toMatchObject({ delayMs: 120_000 });
    expect(nextAttempt(3, now, () => 0, 120_000)).toMatchObject({ delayMs: 1_800_000 });
  });
});
