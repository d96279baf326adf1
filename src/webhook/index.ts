export {
  eventTypeFor,
  WEBHOOK_EVENT_TYPES,
  type WebhookBody,
  type WebhookEventType,
  webhookBody,
} from "../store/webhook-events.js";
export { parseWebhookSecrets, type WebhookConfig, webhookConfigFromEnv } from "./config.js";
export { JITTER_FRACTION, nextAttempt, parseRetryAfter, RETRY_SCHEDULE_MS } from "./schedule.js";
export { type SignedHeaders, WebhookSigner } from "./signing.js";
export {
  createDeliveryWorker,
  type DeliveryEvent,
  type DeliveryObserver,
  type DeliveryOutcome,
  type DeliveryWorker,
  type DeliveryWorkerOptions,
  type RoundResult,
} from "./worker.js";
