/** Setup file of vitest.mutation.config.ts: property tests without an explicit run count run 10 times. */
import fc from "fast-check";

fc.configureGlobal({ numRuns: 10 });
