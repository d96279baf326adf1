/**
 * `npm run mutation` (StrykerJS 9, vitest runner): mutates the domain, the engine and the platform mappings and
 * runs only vitest.mutation.config.ts's tests against each mutant. See docs/testing.md.
 *
 * MUTATION_PART=domain|engine|platform (or one of the slices below) runs one part, with its own incremental file
 * and report, so a slow machine can run them in sequence; without it, all three at once.
 */
const CXONE_MAPPING = ["src/platform/cxone/mapping.ts", "src/platform/percent.ts", "src/platform/even-spacing.ts"];
const DOMAIN_PARSER = [
  "src/domain/rules-file.ts",
  "src/domain/yaml-fast.ts",
  "src/domain/rules-schema.ts",
  "src/domain/rules-file-types.ts",
];
const DOMAIN_VALIDATE = [
  "src/domain/validate.ts",
  "src/domain/validate-file.ts",
  "src/domain/profiles.ts",
  "src/domain/policy.ts",
  "src/domain/policy-floor.ts",
];
const PARTS = {
  domain: ["src/domain/**/*.ts"],
  engine: ["src/engine/**/*.ts"],
  platform: [...CXONE_MAPPING, "src/platform/genesys/mapping.ts", "src/platform/storage-limits.ts"],
  // Smaller slices, for a machine too slow for a whole part in one sitting (docs/testing.md).
  "engine-decision": ["src/engine/apply-decision.ts"],
  "platform-cxone": CXONE_MAPPING,
  // The domain part in three: the rules-file parser, validation and policy, and the rest (merge, resolve, …).
  "domain-parser": DOMAIN_PARSER,
  "domain-validate": DOMAIN_VALIDATE,
  // validate.ts with the file-level validation and the policy floor, without profiles/policy (the other half).
  "domain-validate-core": ["src/domain/validate.ts", "src/domain/validate-file.ts", "src/domain/policy-floor.ts"],
  "domain-yaml-fast": ["src/domain/yaml-fast.ts"],
  "domain-nesting": ["src/domain/nesting.ts"],
  // The two hand-written scanners together (the YAML fast path and the nesting pre-scan).
  "domain-scanners": ["src/domain/yaml-fast.ts", "src/domain/nesting.ts"],
  // The parser without the fast path: rules-file, rules-schema, rules-file-types.
  "domain-parser-core": DOMAIN_PARSER.filter((f) => f !== "src/domain/yaml-fast.ts"),
  "domain-policy": ["src/domain/profiles.ts", "src/domain/policy.ts"],
  "domain-rest": ["src/domain/**/*.ts", ...[...DOMAIN_PARSER, ...DOMAIN_VALIDATE].map((f) => `!${f}`)],
};

const part = process.env.MUTATION_PART ?? "all";
const mutate = part === "all" ? Object.values(PARTS).flat() : PARTS[part];
if (!mutate) throw new Error(`MUTATION_PART must be one of ${Object.keys(PARTS).join(", ")} (or unset for all)`);

/** Options: https://stryker-mutator.io/docs/stryker-js/configuration/ */
export default {
  packageManager: "npm",
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: "vitest.mutation.config.ts", related: false },
  mutate,
  coverageAnalysis: "perTest",
  // The machine has 2 cores shared with other work.
  concurrency: 2,
  // A local cache of the last run's results (gitignored under reports/): re-runs test only changed code/tests.
  incremental: true,
  incrementalFile: `reports/mutation/${part}-incremental.json`,
  timeoutMS: 10_000,
  reporters: ["clear-text", "progress-append-only", "html", "json"],
  htmlReporter: { fileName: `reports/mutation/${part}.html` },
  jsonReporter: { fileName: `reports/mutation/${part}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true },
  ignorePatterns: ["dist", "reports", "test-artifacts", "coverage", "*.db"],
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
  thresholds: { high: 90, low: 85, break: null },
};
