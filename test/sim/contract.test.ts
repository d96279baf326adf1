import { describe, expect, it } from "vitest";
import { expectContract } from "./contract.js";
import { CAMPAIGN_PATH, LIST_PATH } from "./helpers.js";

// The other suites rely on these checks; this proves they can fail.
describe("the contract validator", () => {
  it("rejects replies that break the contract", () => {
    expect(() => expectContract(CAMPAIGN_PATH, "patch", 409, { message: "stale" })).toThrow(
      /currentRevision/,
    );
    expect(() => expectContract(CAMPAIGN_PATH, "patch", 400, { errors: [] })).toThrow();
    expect(() =>
      expectContract(CAMPAIGN_PATH, "get", 200, {
        id: "x",
        name: "n",
        status: "ACTIVE",
        revision: 1,
        dialingRules: { dialingMethod: "PREVIEW" },
      }),
    ).toThrow(/dialingRules/);
    expect(() => expectContract(LIST_PATH, "get", 200, { campaigns: [], page: 1, pageSize: 1 })).toThrow(
      /total/,
    );
    expect(() =>
      expectContract(CAMPAIGN_PATH, "get", 200, {
        id: "x",
        name: "n",
        status: "ACTIVE",
        revision: 1,
        updatedAt: "yesterday",
        dialingRules: {
          dialingMethod: "PREVIEW",
          retrySettings: { maxAttempts: 0, intervalMinutes: [] },
          abandonmentRateThreshold: { maxRate: 0.03, coolDownSec: 1 },
          maxCallsPerAgent: 1,
        },
      }),
    ).toThrow(/date-time/);
  });
});
