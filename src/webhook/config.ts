/**
 * Webhook settings from the environment. DIALRULES_WEBHOOK_SECRET holds one or more `whsec_<base64>` keys
 * separated by spaces: during a rotation both the old and the new key sign, and the receiver accepts either.
 * No message here ever includes a secret value: only its position in the list.
 */
import { InputError } from "../domain/errors.js";
import { isLoopbackHost } from "../http/loopback.js";

export interface WebhookConfig {
  url: string;
  secrets: string[];
}

const PREFIX = "whsec_";

export function parseWebhookSecrets(value: string): string[] {
  const parts = value.split(/\s+/).filter((p) => p !== "");
  if (parts.length === 0) {
    throw new InputError(
      "WEBHOOK_SECRET_MISSING",
      "DIALRULES_WEBHOOK_SECRET is empty; set it to a whsec_… key",
    );
  }
  parts.forEach((secret, i) => {
    const where = parts.length > 1 ? `key #${i + 1} of DIALRULES_WEBHOOK_SECRET` : "DIALRULES_WEBHOOK_SECRET";
    if (!secret.startsWith(PREFIX)) {
      throw new InputError(
        "WEBHOOK_SECRET_INVALID",
        `${where} must start with "${PREFIX}" (Standard Webhooks format)`,
      );
    }
    const body = secret.slice(PREFIX.length);
    const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(body) ? Buffer.from(body, "base64") : Buffer.alloc(0);
    if (bytes.length < 16 || bytes.length > 64) {
      throw new InputError(
        "WEBHOOK_SECRET_INVALID",
        `${where} must be "${PREFIX}" followed by base64 of 16 to 64 random bytes (24 recommended)`,
      );
    }
  });
  return parts;
}

/** null when no webhook URL is configured (records still queue in the outbox for a later delivery). */
export function webhookConfigFromEnv(env: NodeJS.ProcessEnv = process.env): WebhookConfig | null {
  const url = env.DIALRULES_WEBHOOK_URL?.trim();
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError("WEBHOOK_URL_INVALID", "DIALRULES_WEBHOOK_URL is not a valid URL");
  }
  // Deliveries carry compliance records and a signature: plain http only to this machine, like platform URLs.
  if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && isLoopbackHost(parsed.hostname))) {
    throw new InputError(
      "WEBHOOK_URL_INVALID",
      "DIALRULES_WEBHOOK_URL must be an https:// URL (http:// only for localhost)",
    );
  }
  const secret = env.DIALRULES_WEBHOOK_SECRET;
  if (!secret) {
    throw new InputError(
      "WEBHOOK_SECRET_MISSING",
      "DIALRULES_WEBHOOK_URL is set but DIALRULES_WEBHOOK_SECRET is not; set it to the receiver's whsec_… key",
    );
  }
  return { url, secrets: parseWebhookSecrets(secret) };
}
