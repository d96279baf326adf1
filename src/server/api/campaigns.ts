/**
 * The campaign list with compliance findings and the latest audit record of each campaign: searched,
 * filtered and paged by the service. A page is serialized once per platform listing and audit head and sent
 * with a strong ETag; `If-None-Match` with it answers 304 and no body.
 */
import type { FastifyPluginAsync } from "fastify";
import type { CampaignStatus, DialingMethod } from "../../domain/rules.js";
import {
  type CampaignQuery,
  type ComplianceFilter,
  MAX_CAMPAIGN_PAGE_SIZE,
  type ServerServices,
} from "../contract.js";
import { problem, sendProblem } from "./problem.js";
import { problemResponses } from "./responses.js";
import { campaignQuery } from "./schemas.js";

interface CampaignQueryString {
  q?: string;
  method?: DialingMethod;
  status?: CampaignStatus;
  compliance?: ComplianceFilter;
  page?: string;
  pageSize?: string;
}

const campaignView = {
  type: "object",
  additionalProperties: true,
  properties: {
    campaign: { type: "object", additionalProperties: true },
    findings: { type: "array", items: { type: "object", additionalProperties: true } },
    compliant: { type: "boolean" },
    lastAudit: { $ref: "AuditRecord#" },
  },
} as const;

/** Whether an If-None-Match header names this ETag (a list, weak comparison, or `*`). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(",").some((raw) => {
    const tag = raw.trim();
    return tag === "*" || tag === etag || tag === `W/${etag}`;
  });
}

export function campaignRoutes(services: ServerServices): FastifyPluginAsync {
  return async (api) => {
    api.get<{ Querystring: CampaignQueryString }>(
      "/campaigns",
      {
        config: { role: "viewer" },
        schema: {
          tags: ["campaigns"],
          operationId: "listCampaigns",
          summary: "A page of campaigns with their current rules, compliance findings and last audit record",
          description:
            "Sorted by id; search (`q`), filters and paging are applied by the server. The reply carries an ETag: send it back in If-None-Match to get 304 while neither the platform's campaigns nor the audit trail changed.",
          querystring: campaignQuery,
          response: {
            200: {
              type: "object",
              description: "One page of the matching campaigns and the figures a pager needs",
              additionalProperties: true,
              properties: {
                items: { type: "array", items: campaignView },
                page: { type: "integer" },
                pageSize: { type: "integer" },
                total: { type: "integer", description: "Campaigns matching the query" },
                pages: { type: "integer" },
                campaigns: { type: "integer", description: "Every campaign the platform lists" },
                nonCompliant: { type: "integer", description: "Of those, how many break the policy" },
                notManaged: {
                  type: "array",
                  description:
                    "What the platform has but dialrules leaves alone (agentless or SMS skills, …)",
                  items: {
                    type: "object",
                    additionalProperties: true,
                    properties: {
                      id: { type: "string" },
                      name: { type: "string" },
                      reason: { type: "string" },
                    },
                  },
                },
              },
              required: ["items", "page", "pageSize", "total", "pages", "campaigns", "nonCompliant"],
            },
            304: { description: "Not modified: the page named by If-None-Match is still current" },
            ...problemResponses,
          },
        },
      },
      async (request, reply) => {
        const { q, method, status, compliance, page, pageSize } = request.query;
        const size = pageSize === undefined ? undefined : Number(pageSize);
        if (size !== undefined && size > MAX_CAMPAIGN_PAGE_SIZE) {
          return sendProblem(
            reply,
            problem(
              request,
              400,
              "validation_failed",
              `pageSize must be from 1 to ${MAX_CAMPAIGN_PAGE_SIZE}`,
              [{ path: "query.pageSize", message: `must be from 1 to ${MAX_CAMPAIGN_PAGE_SIZE}` }],
            ),
          );
        }
        const query: CampaignQuery = {
          ...(q !== undefined ? { q } : {}),
          ...(method ? { method } : {}),
          ...(status ? { status } : {}),
          ...(compliance ? { compliance } : {}),
          ...(page !== undefined ? { page: Number(page) } : {}),
          ...(size !== undefined ? { pageSize: size } : {}),
        };
        const { json, etag } = await services.campaignPageJson(query);
        // Kept by clients for revalidation, never served without asking (bearer-authenticated data).
        reply.header("etag", etag).header("cache-control", "private, no-cache");
        if (etagMatches(request.headers["if-none-match"], etag)) return reply.code(304).send();
        return reply.type("application/json; charset=utf-8").send(json);
      },
    );
  };
}
