/**
 * The CPU-heavy part of requesting a change, as a function of plain data, so it runs in the rules worker pool
 * (src/server/input/parse-worker.ts) and never on the event loop: the plan under the server's floor alone
 * (what may never break), the plan under the floor plus the change's own policy (validation of every
 * targeted campaign), its risk, the state it is stored in, and the plan as JSON text — a maximal change's plan
 * is over a megabyte, and serialising it is work of the same order as planning.
 *
 * A platform's own write check (`checkWrite`) needs the live platform object, which cannot cross threads:
 * the worker plans without it and returns what the check must still see (`writeChecks`); the service runs
 * the check on those few patches and, only when the platform refuses one, plans again on its thread.
 */
import type { CapacityInputs } from "../../domain/capacity.js";
import { patchFor } from "../../domain/diff.js";
import type { Finding } from "../../domain/findings.js";
import { floorOnly, underFloor } from "../../domain/policy-floor.js";
import type { Campaign, PartialRules } from "../../domain/rules.js";
import type { RulesFile } from "../../domain/rules-file.js";
import { blockingProblems } from "../../engine/apply.js";
import { type PlanPlatform, planAgainst } from "../../engine/plan.js";
import type { ListingNotes, PlatformCapabilities } from "../../platform/platform.js";
import { assessRisk } from "./risk.js";

/** The platform as data: what planning reads of it. */
export interface PlatformData {
  name: string;
  capabilities: PlatformCapabilities;
  notes: ListingNotes;
}

export interface PrepareTask {
  /** The change as parsed (by the same pool). */
  requested: RulesFile;
  /** The text it came from (hashed into the plan, stored with the change). */
  rulesText: string;
  floor: RulesFile;
  /** A fresh read of the platform's campaigns. */
  campaigns: Campaign[];
  platform: PlatformData;
  /** The plan's createdAt (ms since the epoch), from the service's clock. */
  now: number;
  /** Plan-level notes stored with it (a revert's campaigns left out). */
  notes: Finding[];
  /** Whether the caller will run the platform's write check on `writeChecks`. */
  writeChecked: boolean;
}

export type ChangeState = "invalid" | "pending_approval" | "approved";

export type Prepared =
  /** Campaigns that break the floor: refused, nothing stored. */
  | { kind: "floor_broken"; broken: { id: string; findings: Finding[] }[] }
  | {
      kind: "planned";
      planJson: string;
      risk: "low" | "high";
      reasons: string[];
      state: ChangeState;
      toChange: number;
      /** Every campaign's findings (for the change_pending_approval audit record). */
      findings: Finding[];
      /** Per campaign with writable changes, the patch the platform's write check must accept. */
      writeChecks: { campaignId: string; patch: PartialRules }[];
    };

export const platformData = (platform: PlanPlatform): PlatformData => ({
  name: platform.name,
  capabilities: platform.capabilities,
  notes: platform.listingNotes?.() ?? { notManaged: [], findings: [] },
});

function capacityOf(file: RulesFile): CapacityInputs | undefined {
  const c = file.capacity;
  if (c?.agents === undefined || c.avgHandleTimeSec === undefined || c.connectRate === undefined)
    return undefined;
  return { agents: c.agents, avgHandleTimeSec: c.avgHandleTimeSec, connectRate: c.connectRate };
}

/**
 * Plans and judges one change. `platform` defaults to the data copy (no write check); the service passes the
 * live platform when it plans on its own thread.
 */
export function prepareChange(task: PrepareTask, platform?: PlanPlatform): Prepared {
  const view: PlanPlatform = platform ?? {
    name: task.platform.name,
    capabilities: task.platform.capabilities,
    listingNotes: () => task.platform.notes,
  };
  const clock = { now: () => task.now };
  const planOf = (file: RulesFile) =>
    planAgainst(
      { file, sourceText: task.rulesText, platform: view, clock, capacity: capacityOf(file) },
      task.campaigns,
    );
  // The server's policy is a floor: what breaks it is refused outright, not stored for someone to approve.
  const floorPlan = planOf(floorOnly(task.requested, task.floor));
  const broken = floorPlan.campaigns.filter((c) => c.status === "invalid");
  if (broken.length > 0) {
    return { kind: "floor_broken", broken: broken.map((c) => ({ id: c.id, findings: c.findings })) };
  }
  const planned = planOf(underFloor(task.requested, task.floor));
  const plan = task.notes.length ? { ...planned, findings: [...planned.findings, ...task.notes] } : planned;
  const { risk, reasons } = assessRisk(plan, task.requested.overrides);
  const { invalid, fileErrors } = blockingProblems(plan);
  // Invalid is stored (the record of what was asked) but can never be approved or applied.
  const state: ChangeState =
    invalid.length > 0 || fileErrors.length > 0
      ? "invalid"
      : risk === "high"
        ? "pending_approval"
        : "approved";
  const writable = new Set(view.capabilities.writableFields);
  const writeChecks = task.writeChecked
    ? plan.campaigns.flatMap((c) => {
        const changes = c.changes.filter((ch) => writable.has(ch.field));
        return changes.length ? [{ campaignId: c.id, patch: patchFor(changes) }] : [];
      })
    : [];
  return {
    kind: "planned",
    planJson: JSON.stringify(plan),
    risk,
    reasons,
    state,
    toChange: plan.summary.toChange,
    findings: state === "pending_approval" ? plan.campaigns.flatMap((c) => c.findings) : [],
    writeChecks,
  };
}
