import { describe, expect, it } from "vitest";
import type { Campaign, CampaignStatus, DialingRules, RuleField } from "../../src/domain/rules.js";
import { sharedFieldConflicts } from "../../src/domain/shared-fields.js";
import { baseRules } from "./helpers.js";

/** Campaigns CMP-1 … CMP-n sharing one attempt-limits object ("al-1") for their retries. */
const sharing = (n: number, status: (i: number) => CampaignStatus = () => "STOPPED"): Campaign[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `CMP-${i + 1}`,
    name: `N${i + 1}`,
    status: status(i + 1),
    revision: 1,
    dialingRules: baseRules(),
    sharedFields: { retrySettings: "al-1" },
  }));

const RETRY_2: DialingRules["retrySettings"] = { maxAttempts: 1, intervalMinutes: [30] };
const writes = (...ids: string[]) => new Map(ids.map((id) => [id, new Set<RuleField>(["retrySettings"])]));
const resolving = (rules: DialingRules, ...ids: string[]) => new Map(ids.map((id) => [id, rules]));

describe("fields kept in an object several campaigns share", () => {
  it("a change under running sharers is refused, for the writer only, naming ten of them and how many more", () => {
    const campaigns = sharing(12, (i) => (i === 12 ? "STOPPED" : "ACTIVE"));
    const out = sharedFieldConflicts(
      campaigns,
      resolving(baseRules({ retrySettings: RETRY_2 }), "CMP-12"),
      writes("CMP-12"),
      ["abandonmentRateThreshold"],
    );
    const running = Array.from({ length: 10 }, (_, i) => `CMP-${i + 1} (N${i + 1})`).join(", ");
    expect(out).toEqual(
      new Map([
        [
          "CMP-12",
          [
            {
              severity: "error",
              code: "SHARED_SETTING_RUNNING",
              path: "dialingRules.retrySettings",
              message: `retrySettings is kept in al-1, which running campaign(s) ${running} and 1 more also use, and the platform does not let retrySettings change while a campaign runs; stop them first`,
            },
          ],
        ],
      ]),
    );
    // Ten running: all named, no "more".
    const ten = sharedFieldConflicts(
      sharing(10, () => "ACTIVE"),
      new Map(),
      writes("CMP-1"),
      [],
    );
    expect(ten.get("CMP-1")?.[0]?.message).toContain("CMP-9 (N9), CMP-10 (N10) also use,");
  });

  it("no running sharer, a field writable while running, or a platform without that limit: only agreement counts", () => {
    const allStopped = sharing(2);
    const twoRunning = sharing(2, () => "ACTIVE");
    const agreed = resolving(baseRules({ retrySettings: RETRY_2 }), "CMP-1", "CMP-2");
    expect(sharedFieldConflicts(allStopped, agreed, writes("CMP-1", "CMP-2"), [])).toEqual(new Map());
    expect(sharedFieldConflicts(twoRunning, agreed, writes("CMP-1", "CMP-2"), ["retrySettings"])).toEqual(
      new Map(),
    );
    expect(sharedFieldConflicts(twoRunning, agreed, writes("CMP-1", "CMP-2"))).toEqual(new Map());
    // Running, but nobody writes the shared field: nothing to say.
    expect(sharedFieldConflicts(twoRunning, new Map(), new Map(), [])).toEqual(new Map());
  });

  it("sharers that would get different values: an error for each writer, naming ten with their values and how many more", () => {
    const campaigns = sharing(12);
    const out = sharedFieldConflicts(
      campaigns,
      resolving(baseRules({ retrySettings: RETRY_2 }), "CMP-1", "CMP-2"),
      writes("CMP-1", "CMP-2"),
      [],
    );
    const value = (id: number) =>
      `CMP-${id} (N${id}): ${JSON.stringify(id <= 2 ? RETRY_2 : baseRules().retrySettings)}`;
    const named = Array.from({ length: 10 }, (_, i) => value(i + 1)).join("; ");
    const finding = {
      severity: "error",
      code: "SHARED_SETTING_CONFLICT",
      path: "dialingRules.retrySettings",
      message: `retrySettings is kept in al-1, shared by 12 campaigns that would not all get the same value: ${named}; and 2 more. Give every one of them the same retrySettings in the rules file (or give this campaign its own object in the platform); nothing is written until they agree`,
    };
    expect(out).toEqual(
      new Map([
        ["CMP-1", [finding]],
        ["CMP-2", [finding]],
      ]),
    );
    // Ten sharers exactly: all named, no "more".
    const ten = sharedFieldConflicts(
      sharing(10),
      resolving(baseRules({ retrySettings: RETRY_2 }), "CMP-1"),
      writes("CMP-1"),
    );
    expect(ten.get("CMP-1")?.[0]?.message).toMatch(/: \{[^.]*\}\. Give every one/);
  });
});
