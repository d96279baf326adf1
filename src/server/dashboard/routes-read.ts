import type { FastifyInstance } from "fastify";
import type { ServerServices } from "../contract.js";
import { auditPage } from "./pages/audit.js";
import { campaignsPage } from "./pages/campaigns.js";
import { homePage } from "./pages/home.js";
import { webhooksPage } from "./pages/webhooks.js";
import { field, type RequestHelpers, sendHtml } from "./request.js";

/** Latest records shown on the audit page; older ones are a link away. */
const AUDIT_PAGE_SIZE = 100;

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
    return sendHtml(reply, campaignsPage(req.context(request, session), await services.listCampaigns()));
  });

  app.get("/audit", async (request, reply) => {
    const session = await req.requireUser(request, reply);
    if (!session) return reply;
    const campaignId = field(request.query, "campaignId").trim();
    const verify = await services.verifyAudit();
    // Newest first without a "before" query: start AUDIT_PAGE_SIZE records before the end of the chain
    // (sequence numbers are dense), or where the "Earlier records" link says.
    const requested = Number.parseInt(field(request.query, "afterSeq"), 10);
    const afterSeq = Number.isFinite(requested)
      ? Math.max(0, requested)
      : campaignId
        ? 0
        : Math.max(0, verify.count - AUDIT_PAGE_SIZE);
    const records = await services.audit({
      ...(campaignId ? { campaignId } : { afterSeq }),
      limit: AUDIT_PAGE_SIZE,
    });
    const earlier =
      !campaignId && afterSeq > 0 ? `/audit?afterSeq=${Math.max(0, afterSeq - AUDIT_PAGE_SIZE)}` : undefined;
    return sendHtml(
      reply,
      auditPage(req.context(request, session), {
        verify,
        records,
        campaignId,
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
