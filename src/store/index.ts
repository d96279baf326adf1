export { canonicalJson, GENESIS_HASH, recordHash } from "./canonical.js";
export { databaseOptions, type OpenStoreOptions, openStore } from "./open-store.js";
export * from "./types.js";
export {
  eventTypeFor,
  WEBHOOK_EVENT_TYPES,
  type WebhookBody,
  type WebhookEventType,
  webhookBody,
} from "./webhook-events.js";
