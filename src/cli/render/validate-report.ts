/**
 * The stable JSON document of `dialrules validate --output json` (format "dialrules-validate/1").
 * Every key is always present (null when unknown) so consumers can rely on the shape; documented in
 * docs/validate-output.md. Changing a key's meaning needs a new format version.
 */
import type { CapacityEstimate } from "../../domain/capacity.js";
import type { InputError } from "../../domain/errors.js";
import type { Finding } from "../../domain/findings.js";
import type { LimitValue, Policy } from "../../domain/policy.js";
import type { PartialRules } from "../../domain/rules.js";
import type { FileValidation, GroupValidation } from "../../domain/validate-file.js";

export const VALIDATE_FORMAT = "dialrules-validate/1";

export interface FindingJson {
  severity: "error" | "warning";
  code: string;
  path: string;
  message: string;
  citation: string | null;
}

export interface GroupJson {
  /** "policy", "defaults", or the entry label. */
  group: string;
  index: number | null;
  selector: { id: string } | { match: string } | null;
  line: number | null;
  rules: PartialRules | null;
  findings: FindingJson[];
  capacity: CapacityEstimate | null;
}

export interface InputErrorJson {
  code: string;
  message: string;
  path: string | null;
  line: number | null;
  column: number | null;
}

export interface ValidateReport {
  format: typeof VALIDATE_FORMAT;
  file: string;
  valid: boolean;
  /** "valid" (exit 0), "invalid" (exit 1), "unreadable" (exit 2). */
  status: "valid" | "invalid" | "unreadable";
  summary: { errors: number; warnings: number; entries: number };
  policy: PolicyJson | null;
  groups: GroupJson[];
  inputErrors: InputErrorJson[];
}

type LimitJson = { value: number; source: string; citation: string } | null;
export interface PolicyJson {
  profiles: string[];
  licenseTier: string | null;
  limits: {
    maxAbandonmentRate: LimitJson;
    minRetryIntervalMinutes: LimitJson;
    maxRetryIntervalMinutes: LimitJson;
    maxRetries: LimitJson;
    maxCallsPerAgent: Record<string, LimitJson>;
    frequency: { id: string; maxAttempts: number; windowMinutes: number; citation: string }[];
    recallAfterAbandonMinutes: LimitJson;
  };
  overrides: { limit: string; from: number; to: number; reason: string }[];
}

const findingJson = (f: Finding): FindingJson => ({
  severity: f.severity,
  code: f.code,
  path: f.path,
  message: f.message,
  citation: f.citation ?? null,
});

const limitJson = (l: LimitValue | undefined): LimitJson =>
  l ? { value: l.value, source: l.source, citation: l.citation } : null;

export function policyJson(p: Policy): PolicyJson {
  return {
    profiles: [...p.profiles],
    licenseTier: p.licenseTier ?? null,
    limits: {
      maxAbandonmentRate: limitJson(p.maxAbandonmentRate),
      minRetryIntervalMinutes: limitJson(p.minRetryIntervalMinutes),
      maxRetryIntervalMinutes: limitJson(p.maxRetryIntervalMinutes),
      maxRetries: limitJson(p.maxRetries),
      maxCallsPerAgent: {
        PREVIEW: limitJson(p.maxCallsPerAgent.PREVIEW),
        PROGRESSIVE: limitJson(p.maxCallsPerAgent.PROGRESSIVE),
        POWER: limitJson(p.maxCallsPerAgent.POWER),
        PREDICTIVE: limitJson(p.maxCallsPerAgent.PREDICTIVE),
      },
      frequency: p.frequency.map((f) => ({
        id: f.id,
        maxAttempts: f.maxAttempts,
        windowMinutes: f.windowMinutes,
        citation: f.citation,
      })),
      recallAfterAbandonMinutes: limitJson(p.recallAfterAbandonMinutes),
    },
    overrides: p.overrides.map((o) => ({ limit: o.limit, from: o.from, to: o.to, reason: o.reason })),
  };
}

function groupJson(g: GroupValidation): GroupJson {
  return {
    group: g.label,
    index: g.index ?? null,
    selector: g.selector
      ? g.selector.kind === "id"
        ? { id: g.selector.id }
        : { match: g.selector.pattern }
      : null,
    line: g.line ?? null,
    rules: g.rules,
    findings: g.findings.map(findingJson),
    capacity: g.capacity ?? null,
  };
}

export function validationReport(file: string, v: FileValidation): ValidateReport {
  const groups: GroupJson[] = [
    {
      group: "policy",
      index: null,
      selector: null,
      line: null,
      rules: null,
      findings: v.policy.findings.map(findingJson),
      capacity: null,
    },
    ...(v.defaults ? [groupJson(v.defaults)] : []),
    ...v.entries.map(groupJson),
  ];
  return {
    format: VALIDATE_FORMAT,
    file,
    valid: v.valid,
    status: v.valid ? "valid" : "invalid",
    summary: { errors: v.errors, warnings: v.warnings, entries: v.entries.length },
    policy: policyJson(v.policy),
    groups,
    inputErrors: [],
  };
}

export function inputErrorReport(file: string, problems: readonly InputError[]): ValidateReport {
  return {
    format: VALIDATE_FORMAT,
    file,
    valid: false,
    status: "unreadable",
    summary: { errors: problems.length, warnings: 0, entries: 0 },
    policy: null,
    groups: [],
    inputErrors: problems.map((p) => ({
      code: p.code,
      message: p.message,
      path: p.path ?? null,
      line: p.location?.line ?? null,
      column: p.location?.column ?? null,
    })),
  };
}
