/**
 * Golden files: `dialrules validate` output for the examples. Text is compared byte for byte; JSON after
 * re-indenting both sides (biome formats *.json under test/, the key order and values must still match).
 * Regenerate after an intended change with: UPDATE_GOLDEN=1 npx vitest run test/golden
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runValidate } from "../../src/cli/commands/validate.js";

const GOLDEN_DIR = join("test", "golden");
const update = process.env.UPDATE_GOLDEN === "1";

const CASES = [
  { name: "valid", file: "examples/valid.yaml", exit: 0 },
  { name: "violations", file: "examples/violations.yaml", exit: 1 },
  { name: "demo", file: "examples/demo.yaml", exit: 1 },
  { name: "unreadable", file: "examples/unreadable.yaml", exit: 2 },
] as const;

async function capture(file: string, output: "text" | "json") {
  let stdout = "";
  let stderr = "";
  const exit = await runValidate(
    { file, output },
    { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
  );
  return { exit, text: stdout + stderr };
}

describe.each(CASES)("validate $file", ({ name, file, exit }) => {
  it.each(["text", "json"] as const)("%s output matches the golden file", async (output) => {
    const result = await capture(file, output);
    expect(result.exit).toBe(exit);
    const golden = join(GOLDEN_DIR, `${name}.${output === "json" ? "json" : "txt"}`);
    if (update || !existsSync(golden)) writeFileSync(golden, result.text);
    const expected = readFileSync(golden, "utf8");
    if (output === "json") {
      const normalize = (t: string) => JSON.stringify(JSON.parse(t), null, 2);
      expect(normalize(result.text)).toBe(normalize(expected));
    } else {
      expect(result.text).toBe(expected);
    }
  });
});
