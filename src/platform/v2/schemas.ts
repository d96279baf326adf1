/**
 * The contract's reply shapes (contract/v2-contract.openapi.yaml, components.schemas) as zod schemas.
 * Replies are parsed, not trusted: a reply that does not match is reported, never half-used.
 * Unknown extra properties on a Campaign are tolerated (the contract does not forbid them) and dropped.
 */
import { z } from "zod";
import { CAMPAIGN_STATUSES, type Campaign, DIALING_METHODS } from "../../domain/rules.js";

const dialingRules = z.strictObject({
  dialingMethod: z.enum(DIALING_METHODS),
  retrySettings: z.strictObject({
    maxAttempts: z.int().min(0).max(50),
    intervalMinutes: z.array(z.int().min(1).max(43_200)).max(50),
  }),
  abandonmentRateThreshold: z.strictObject({
    maxRate: z.number().min(0).max(1),
    coolDownSec: z.int().min(0).max(86_400),
  }),
  maxCallsPerAgent: z.int().min(1).max(100),
});

export const campaignSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  status: z.enum(CAMPAIGN_STATUSES),
  revision: z.int().min(0),
  dialingRules,
  updatedAt: z.iso.datetime({ offset: true }).optional(),
}) satisfies z.ZodType<Campaign>;

export const campaignPageSchema = z.object({
  campaigns: z.array(campaignSchema),
  page: z.int().min(1),
  pageSize: z.int().min(1),
  total: z.int().min(0),
});

/** The first few problems, with their paths, for an error message. */
export function describeIssues(error: z.ZodError, max = 5): string {
  const parts = error.issues
    .slice(0, max)
    .map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
  const more = error.issues.length > max ? `; and ${error.issues.length - max} more` : "";
  return parts.join("; ") + more;
}
