/** Standard Webhooks signing with the `standardwebhooks` package; one `v1,` signature per configured secret. */
import { Webhook } from "standardwebhooks";

export interface SignedHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

export class WebhookSigner {
  private readonly signers: Webhook[];
  constructor(secrets: readonly string[]) {
    this.signers = secrets.map((s) => new Webhook(s));
  }
  /** `timestampMs` is the attempt time; the spec signs whole seconds. */
  headers(id: string, timestampMs: number, body: string): SignedHeaders {
    const at = new Date(timestampMs);
    return {
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(timestampMs / 1000)),
      "webhook-signature": this.signers.map((w) => w.sign(id, at, body)).join(" "),
    };
  }
}
