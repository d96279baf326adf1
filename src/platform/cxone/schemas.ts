/**
 * The Admin API reply shapes the driver reads, as zod schemas (sources: docs/platforms/cxone.md). NICE's own
 * OpenAPI types every settings field as optional and nullable, and live tenants answer in more shapes than
 * the spec (string counts, wrapped objects), so everything here is lenient about absence and null; what a
 * value means when it is missing is decided in mapping.ts, never by failing the whole list.
 */
import { z } from "zod";

export const openIdConfigurationSchema = z.looseObject({
  token_endpoint: z.url(),
  issuer: z.string().optional(),
});

export const cxoneConfigurationSchema = z.looseObject({ api_endpoint: z.url() });

/** A count that some endpoints send as a string ("return totalRecords as a STRING", cxone-mcp). */
const countSchema = z.union([
  z.int().min(0),
  z
    .string()
    .regex(/^\d{1,15}$/)
    .transform(Number),
]);

/** One entry of `GET /skills` (and the fields of `GET /skills/{id}` we use). */
export const skillSchema = z.looseObject({
  skillId: z.union([z.int().min(0), z.string().regex(/^\d+$/)]),
  skillName: z.string().nullish(),
  mediaTypeId: z.union([z.int(), z.string()]).nullish(),
  isActive: z.boolean().nullish(),
  isOutbound: z.boolean().nullish(),
  outboundStrategy: z.string().nullish(),
  isRunning: z.boolean().nullish(),
  agentless: z.boolean().nullish(),
  agentlessPorts: z.number().nullish(),
  smsTransportCodeId: z.number().nullish(),
  smsTransportCode: z.string().nullish(),
  messageTemplateId: z.number().nullish(),
});
export type SkillReply = z.infer<typeof skillSchema>;

/** `GET /skills/{id}`: flat in the spec, `{skills: [skill]}` on some tenants (cxone-mcp reads both). */
export const skillReplySchema = z.union([
  z.looseObject({ skills: z.array(skillSchema).min(1) }).transform((r) => r.skills[0] as SkillReply),
  skillSchema,
]);

const skillPageSchema = z.looseObject({
  totalRecords: countSchema.nullish(),
  skills: z.array(skillSchema).nullish(),
});

/** `GET /skills`: `{totalRecords, skills}`, or the same inside `resultSet` (cxone-mcp normalises both). */
export const skillListSchema = z
  .looseObject({
    totalRecords: countSchema.nullish(),
    skills: z.array(skillSchema).nullish(),
    resultSet: skillPageSchema.nullish(),
  })
  .transform((r) => ({
    totalRecords: r.totalRecords ?? r.resultSet?.totalRecords ?? undefined,
    skills: r.skills ?? r.resultSet?.skills ?? [],
  }));

const nullableNumber = z.number().nullish();

/** The general-settings fields the rule mapping reads (mapping.ts); all optional and nullable. */
export const generalSettingsSchema = z.looseObject({
  maxConcurrentCallsPerAgent: nullableNumber,
  abandonRateThreshold: nullableNumber,
  overrideBusinessUnitAbandonRate: z.boolean().nullish(),
  maximumAttempts: nullableNumber,
  minimumRetryMinutes: nullableNumber,
  maximumRatio: nullableNumber,
});
export type GeneralSettings = z.infer<typeof generalSettingsSchema>;

/** A per-phone-field entry of the cadence: `{fieldName, attempts}` (the PUT's shape; the GET is typed loosely). */
const cadenceEntrySchema = z.looseObject({
  fieldName: z.string().nullish(),
  attempts: nullableNumber,
  maximumAttempts: nullableNumber,
});

export const cadenceSettingsSchema = z.looseObject({
  cadenceMaximumAttempts: z.array(cadenceEntrySchema).nullish(),
  destinationRetryRestMinutes: nullableNumber,
  cadences: z.array(cadenceEntrySchema).nullish(),
});
export type CadenceSettings = z.infer<typeof cadenceSettingsSchema>;

export const deliveryPreferencesSchema = z.looseObject({
  confirmationRequiredDisabled: z.boolean().nullish(),
});
export type DeliveryPreferences = z.infer<typeof deliveryPreferencesSchema>;

/** What the driver reads about one skill's dialing: general settings and, when known, the parameter blocks. */
export interface SkillSettings {
  general: GeneralSettings;
  cadence?: CadenceSettings;
  delivery?: DeliveryPreferences;
}

const parametersSchema = z.looseObject({
  generalSettings: generalSettingsSchema.nullish(),
  cadenceSettings: cadenceSettingsSchema.nullish(),
  deliveryPreferences: deliveryPreferencesSchema.nullish(),
});

/** `GET …/parameters` (all blocks), possibly wrapped in `{skills: [ … ]}` like `GET /skills/parameters`. */
export const parametersReplySchema = z
  .union([
    z.looseObject({ skills: z.array(parametersSchema).min(1) }).transform((r) => r.skills[0]),
    parametersSchema,
  ])
  .transform(
    (p): SkillSettings => ({
      general: p?.generalSettings ?? {},
      ...(p?.cadenceSettings ? { cadence: p.cadenceSettings } : {}),
      ...(p?.deliveryPreferences ? { delivery: p.deliveryPreferences } : {}),
    }),
  );

/** `GET …/general-settings` answers the settings flat (the fallback when `…/parameters` is not exposed). */
export const generalSettingsReplySchema = z
  .union([
    z.looseObject({ generalSettings: generalSettingsSchema }).transform((r) => r.generalSettings),
    generalSettingsSchema,
  ])
  .transform((general): SkillSettings => ({ general }));

/** Error bodies: `{error, errorDescription}` (Admin API), `{error, error_description}` (OAuth), `{message}`. */
export const errorBodySchema = z.looseObject({
  error: z.string().nullish(),
  errorDescription: z.string().nullish(),
  error_description: z.string().nullish(),
  message: z.string().nullish(),
});
