/**
 * The Genesys Cloud outbound reply shapes the driver reads (platform-client-sdk-go platformclientv2/
 * {campaign,attemptlimits,contactlist,outboundsettings,errorbody}.go). Only what the mapping uses is
 * checked; every other field is kept untouched (looseObject), because a PUT replaces the whole object
 * and must send back every field the GET returned, including ones dialrules has never heard of.
 */
import { z } from "zod";

const ref = z.looseObject({ id: z.string().min(1) });

export const campaignSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  version: z.int().min(0),
  campaignStatus: z.string(),
  dialingMode: z.string(),
  contactList: ref.optional(),
  abandonRate: z.number().min(0).max(100).optional(),
  maxCallsPerAgent: z.int().min(0).optional(),
  maxCallsPerAgentDecimal: z.number().min(0).optional(),
});
export type GenesysCampaign = z.infer<typeof campaignSchema>;

export const recallEntrySchema = z.looseObject({
  nbrAttempts: z.int().min(0).optional(),
  minutesBetweenAttempts: z.int().min(0).optional(),
});

export const attemptLimitsSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().optional(),
  version: z.int().min(0),
  maxAttemptsPerContact: z.int().min(0).optional(),
  maxAttemptsPerNumber: z.int().min(0).optional(),
  resetPeriod: z.string().optional(),
  recallEntries: z.record(z.string(), recallEntrySchema).optional(),
});
export type GenesysAttemptLimits = z.infer<typeof attemptLimitsSchema>;

export const contactListSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().optional(),
  attemptLimits: ref.optional(),
});
export type GenesysContactList = z.infer<typeof contactListSchema>;

export const outboundSettingsSchema = z.looseObject({
  maxCallsPerAgent: z.int().min(0).optional(),
  maxConfigurableCallsPerAgent: z.int().min(0).optional(),
  complianceAbandonRateDenominator: z.string().optional(),
});
export type GenesysOutboundSettings = z.infer<typeof outboundSettingsSchema>;

/** `{entities, pageSize, pageNumber, total, pageCount}` of every outbound listing. */
export function pageSchema<T extends z.ZodType>(entity: T) {
  return z.looseObject({
    entities: z.array(entity).optional(),
    pageSize: z.int().min(0).optional(),
    pageNumber: z.int().min(0).optional(),
    total: z.int().min(0).optional(),
    pageCount: z.int().min(0).optional(),
  });
}

/** errorbody.go: `{message, code, status, contextId, details, errors, …}`. */
export const errorBodySchema = z.looseObject({
  message: z.string().optional(),
  code: z.string().optional(),
  status: z.int().optional(),
  contextId: z.string().optional(),
  errors: z.array(z.looseObject({ message: z.string().optional(), code: z.string().optional() })).optional(),
});
