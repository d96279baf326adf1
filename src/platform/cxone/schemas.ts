/**
 * The Admin API reply shapes the driver reads, as zod schemas (sources: docs/platforms/cxone.md). Only the
 * fields we use are required; everything else a tenant sends is tolerated and ignored, because the
 * generated public clients show many optional fields that vary by API version.
 */
import { z } from "zod";

export const openIdConfigurationSchema = z.looseObject({
  token_endpoint: z.url(),
  issuer: z.string().optional(),
});

export const cxoneConfigurationSchema = z.looseObject({ api_endpoint: z.url() });

/** One entry of `GET /skills` (and the fields of `GET /skills/{id}` we use). */
export const skillSchema = z.looseObject({
  skillId: z.union([z.int().min(0), z.string().regex(/^\d+$/)]),
  skillName: z.string(),
  mediaTypeId: z.int().optional(),
  isActive: z.boolean().optional(),
  isOutbound: z.boolean().optional(),
  outboundStrategy: z.string().optional(),
  isRunning: z.boolean().optional(),
});
export type SkillReply = z.infer<typeof skillSchema>;

export const skillListSchema = z.looseObject({
  totalRecords: z.int().min(0).optional(),
  skills: z.array(skillSchema),
});

/** The general-settings fields the rule mapping reads (mapping.ts). */
export const generalSettingsSchema = z.looseObject({
  maxConcurrentCallsPerAgent: z.int().min(0),
  abandonRateThreshold: z.number().min(0).max(100),
  overrideBusinessUnitAbandonRate: z.boolean(),
  maximumAttempts: z.int().min(0),
  minimumRetryMinutes: z.int().min(0),
});
export type GeneralSettings = z.infer<typeof generalSettingsSchema>;

/** `GET …/general-settings` answers the settings flat; `GET …/parameters` nests them. Both are accepted. */
export const generalSettingsReplySchema = z.union([
  z.looseObject({ generalSettings: generalSettingsSchema }).transform((r) => r.generalSettings),
  generalSettingsSchema,
]);

/** The Admin API's error body. */
export const errorBodySchema = z.looseObject({
  error: z.string().optional(),
  errorDescription: z.string().optional(),
});
