/**
 * The tests `npm run mutation` (StrykerJS) runs against mutated code: the unit, property and in-process
 * engine/driver tests of the mutated modules. No global setup (nothing here runs dist/) and no CLI, server,
 * store or browser suites: a mutant in src/ cannot reach a child process running dist/.
 */
import { defineConfig } from "vitest/config";

/**
 * MUTATION_TESTS=domain narrows the run to the pure domain tests and the validate golden files: for the
 * parser slices, whose code every engine and driver test also reaches, this is several times faster on a
 * shared 2-core machine, and its score is a lower bound of the full run's (fewer tests can only kill fewer).
 */
const DOMAIN_ONLY = ["test/domain/**/*.test.ts", "test/golden/validate-golden.test.ts"];

export default defineConfig({
  test: {
    include:
      process.env.MUTATION_TESTS === "domain"
        ? DOMAIN_ONLY
        : [
            "test/domain/**/*.test.ts",
            "test/engine/apply-decision.test.ts",
            "test/engine/apply.test.ts",
            "test/engine/converge.test.ts",
            "test/engine/plan-targets.test.ts",
            "test/engine/run-summary.test.ts",
            "test/engine/revert.test.ts",
            "test/engine/rules-export.test.ts",
            "test/cxone/mapping.test.ts",
            "test/cxone/platform.test.ts",
            "test/cxone/engine.test.ts",
            "test/cxone/fidelity.test.ts",
            "test/cxone/validate.test.ts",
            "test/genesys/mapping.test.ts",
            "test/genesys/platform.test.ts",
            "test/genesys/faults.test.ts",
            "test/genesys/engine.test.ts",
            "test/golden/validate-golden.test.ts",
          ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Fewer property runs and no scale test (test/setup/property-runs.ts): each surviving mutant re-runs them.
    env: { DIALRULES_MUTATION: "1" },
    setupFiles: ["test/setup/mutation.ts"],
    // Reuse loaded modules between test files: Stryker switches mutants at run time (mutant schemata), and
    // re-importing fastify, zod and the simulator per file made the initial run 4 min instead of 45 s here.
    isolate: false,
  },
});
