/**
 * Bench: parse + resolve + validate a generated rules file for 2,000 campaigns (target: < 50 ms for the
 * whole file on one core). Measured after a warm-up; the median of several runs is reported.
 * The same file is measured as JSON and as YAML: YAML that checks clean takes the js-yaml fast path
 * (src/domain/yaml-fast.ts); JSON uses JSON.parse. Both re-read with the `yaml` package, for positions,
 * only when something is wrong.
 */
import { performance } from "node:perf_hooks";
import { mergeRules, resolveTargets } from "../domain/resolve.js";
import type { Campaign, DialingMethod } from "../domain/rules.js";
import { parseRulesFile } from "../domain/rules-file.js";
import { policyFromFile, validateRules } from "../domain/validate.js";
import type { BenchRow } from "./table.js";

const CAMPAIGNS = 2000;
const TARGET_MS = 50;
const METHODS: readonly DialingMethod[] = ["PREDICTIVE", "PROGRESSIVE", "POWER", "PREVIEW"];

function platformCampaigns(n: number): Campaign[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `CMP-${10001 + i}`,
    name: `${i % 2 === 0 ? "Collections" : "Sales"}-${String(i + 1).padStart(4, "0")}`,
    status: "ACTIVE" as const,
    revision: 1,
    dialingRules: {
      dialingMethod: METHODS[i % 4] as DialingMethod,
      retrySettings: { maxAttempts: 2, intervalMinutes: [30, 240] },
      abandonmentRateThreshold: { maxRate: 0.02, coolDownSec: 300 },
      maxCallsPerAgent: 1,
    },
  }));
}

/** A YAML rules file with one id entry per campaign (every 10th deliberately invalid) plus two matches. */
export function generateRulesYaml(n: number): string {
  const lines = [
    "profiles: [US_TCPA, US_REG_F, US_FL]",
    "licenseTier: ENTERPRISE",
    "limits: {minRetryIntervalMinutes: 10, maxRetryIntervalMinutes: 4320}",
    "defaults:",
    "  dialingRules:",
    "    abandonmentRateThreshold: {maxRate: 0.03, coolDownSec: 300}",
    "campaigns:",
    '  - match: "Collections-*"',
    "    dialingRules: {retrySettings: {maxAttempts: 2, intervalMinutes: [60, 1440]}}",
    '  - match: "Sales-*"',
    "    dialingRules: {retrySettings: {maxAttempts: 3, intervalMinutes: [60, 240, 1440]}}",
  ];
  for (let i = 0; i < n; i++) {
    const method = METHODS[i % 4] as DialingMethod;
    const perAgent = method === "PREVIEW" ? 1 : i % 10 === 0 ? 5 : 2;
    lines.push(
      `  - id: CMP-${10001 + i}`,
      `    dialingRules: {dialingMethod: ${method}, maxCallsPerAgent: ${perAgent}}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The same content as JSON. */
export function generateRulesJson(n: number): string {
  const campaigns: unknown[] = [
    {
      match: "Collections-*",
      dialingRules: { retrySettings: { maxAttempts: 2, intervalMinutes: [60, 1440] } },
    },
    {
      match: "Sales-*",
      dialingRules: { retrySettings: { maxAttempts: 3, intervalMinutes: [60, 240, 1440] } },
    },
  ];
  for (let i = 0; i < n; i++) {
    const method = METHODS[i % 4] as DialingMethod;
    const perAgent = method === "PREVIEW" ? 1 : i % 10 === 0 ? 5 : 2;
    campaigns.push({
      id: `CMP-${10001 + i}`,
      dialingRules: { dialingMethod: method, maxCallsPerAgent: perAgent },
    });
  }
  return JSON.stringify({
    profiles: ["US_TCPA", "US_REG_F", "US_FL"],
    licenseTier: "ENTERPRISE",
    limits: { minRetryIntervalMinutes: 10, maxRetryIntervalMinutes: 4320 },
    defaults: { dialingRules: { abandonmentRateThreshold: { maxRate: 0.03, coolDownSec: 300 } } },
    campaigns,
  });
}

function runOnce(text: string, fileName: string, campaigns: readonly Campaign[]): number {
  const file = parseRulesFile(text, fileName);
  const policy = policyFromFile(file);
  const { targets } = resolveTargets(file, campaigns);
  const byId = new Map(campaigns.map((c) => [c.id, c]));
  let findings = 0;
  for (const t of targets) {
    const current = byId.get(t.campaignId);
    if (current) findings += validateRules(mergeRules(current.dialingRules, t.desired), policy).length;
  }
  return findings;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

function measure(runs: number, f: () => void): number {
  for (let i = 0; i < 5; i++) f(); // warm-up (JIT)
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  return median(times);
}

const ms = (n: number) => Math.round(n * 100) / 100;

export async function benchValidate(): Promise<BenchRow[]> {
  const campaigns = platformCampaigns(CAMPAIGNS);
  const json = generateRulesJson(CAMPAIGNS);
  const yaml = generateRulesYaml(CAMPAIGNS);
  const jsonMs = measure(15, () => runOnce(json, "bench.json", campaigns));
  const yamlMs = measure(3, () => runOnce(yaml, "bench.yaml", campaigns));
  const file = parseRulesFile(json, "bench.json");
  const policy = policyFromFile(file);
  const byId = new Map(campaigns.map((c) => [c.id, c]));
  const merged = resolveTargets(file, campaigns).targets.map((t) =>
    mergeRules((byId.get(t.campaignId) as Campaign).dialingRules, t.desired),
  );
  const validateMs = measure(9, () => {
    for (const rules of merged) validateRules(rules, policy);
  });
  return [
    {
      name: `validate: ${CAMPAIGNS} campaigns, JSON file (parse+resolve+validate)`,
      value: ms(jsonMs),
      unit: "ms",
      target: `< ${TARGET_MS} ms`,
      ok: jsonMs < TARGET_MS,
    },
    {
      name: `validate: ${CAMPAIGNS} campaigns, YAML file (parse+resolve+validate)`,
      value: ms(yamlMs),
      unit: "ms",
      target: `< ${TARGET_MS} ms`,
      ok: yamlMs < TARGET_MS,
    },
    {
      name: "validate: JSON file throughput",
      value: Math.round((CAMPAIGNS / jsonMs) * 1000),
      unit: "campaigns/s",
    },
    {
      name: "validate: validateRules alone",
      value: Math.round((merged.length / validateMs) * 1000),
      unit: "validations/s",
    },
  ];
}
