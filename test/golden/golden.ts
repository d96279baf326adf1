import { existsSync, readFileSync, writeFileSync } from "node:fs";

/**
 * The expected text of a golden file. With UPDATE_GOLDEN=1 the actual output is written first; otherwise a
 * missing golden file is a failure (a test that writes its own expectation cannot fail).
 */
export function golden(path: string, actual: string, update = process.env.UPDATE_GOLDEN === "1"): string {
  if (update) writeFileSync(path, actual);
  if (!existsSync(path)) {
    throw new Error(
      `golden file ${path} is missing: create it with UPDATE_GOLDEN=1 npx vitest run test/golden`,
    );
  }
  return readFileSync(path, "utf8");
}
