import type { FastifyInstance } from "fastify";
import { CAMPAIGN_STATUSES, DIALING_METHODS } from "../../domain/rules.js";
import {
  type CampaignQuery,
  COMPLIANCE_FILTERS,
  MAX_CAMPAIGN_SEARCH,
  type ServerServices,
} from "../contract.js";
import { auditPage } from "./pages/audit.js";
import { campaignsPage } from "./pages/campaigns.js";
import { homePage } from "./pages/home.js";
import { webhooksPage } from "./pages/webhooks.js";
import { field, type RequestHelpers, sendHtml } from "./request.js";

/** Latest records shown on the audit page; older ones are a link away. */
const AUDIT_PAGE_SIZE = 100;

const oneOf = <T extends string>(values: readonly T[], value: string): T | undefined =>
  (values as readonly string[]).includes(value) ? (value as T) : undefined;

/** The campaign list's form and links, read leniently: an unknown value means "any". */
export function campaignQueryFrom(query: unknown): CampaignQuery {
  const q = field(query, "q").trim().slice(0, MAX_CAMPAIGN_SEARCH);
  const method = oneOf(DIALING_METHODS, field(query, "method"));
  const status = oneOf(CAMPAIGN_STATUSES, field(query, "status"));
  const compliance = oneOf(COMPLIANCE_FILTERS, field(query, "compliance"));
  const page = Number.parseInt(field(query, "page"), 10);
  return {
    ...(q ? { q } : {}),
    ...(method ? { method } : {}),
    ...(status ? { status } : {}),
    ...(compliance ? { compliance } : {}),
    ...(page > 1 && page <= 1e9 ? { page } : {}),
  };
}

/** Pages that only read: overview, campaigns, audit trail, webhooks. */
export function readRoutes(app: FastifyInstance, services: ServerServices, req: RequestHelpers): void {
  app.get("/", async (request, reply) => {
    const session = await req.requireUser(request, reply);
    if (!session) return reply;
    const [changes, verify, webhooks] = await Promise.all([
      services.listChanges(),
      services.verifyAudit(),
      services.webhookStatus(),
    ]);
    return sendHtml(reply, homePage(req.context(request, session), { changes, verify, webhooks }));
  });

  app.get("/campaigns", async (request, reply) => {
    const session = await req.requireUser(request, reply);
    if (!session) return reply;
    const query = campaignQueryFrom(request.query);
    const found = await services.listCampaigns(query);
    return sendHtml(reply, campaignsPage(req.context(request, session), query, found));
  });

  app.get("/audit", async (request, reply) => {
    const session = await req.requireUser(request, reply);
    if (!session) return reply;
    const campaignId = field(request.query, "campaignId").trim();
    const runId = field(request.query, "runId").trim().slice(0, 200);
    const verify = await services.verifyAudit();
    // Newest first without a "before" query: start AUDIT_PAGE_SIZE records before the end of the chain
    // (sequence numbers are dense), or where the "Earlier records" link says.
    const requested = Number.parseInt(field(request.query, "afterSeq"), 10);
    const afterSeq = Number.isFinite(requested)
      ? Math.max(0, requested)
      : campaignId || runId
        ? 0
        : Math.max(0, verify.count - AUDIT_PAGE_SIZE);
    const records = await services.audit({
      ...(runId ? { runId } : campaignId ? { campaignId } : { afterSeq }),
      limit: AUDIT_PAGE_SIZE,
    });
    const earlier =
      !campaignId && !runId && afterSeq > 0
        ? `/audit?afterSeq=${Math.max(0, afterSeq - AUDIT_PAGE_SIZE)}`
        : undefined;
    return sendHtml(
      reply,
      auditPage(req.context(request, session), {
        verify,
        records,
        campaignId,
        ...(runId ? { runId } : {}),
        ...(earlier ? { earlier } : {}),
      }),
    );
  });

  app.get("/webhooks", async (request, reply) => {
    const session = await req.requireUser(request, reply);
    if (!session) return reply;
    return sendHtml(reply, webhooksPage(req.context(request, session), await services.webhookStatus()));
  });
}
