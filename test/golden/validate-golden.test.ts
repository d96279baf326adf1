/**
 * Golden files: `dialrules validate` output for the examples. Text is compared byte for byte; JSON after
 * re-indenting both sides (biome formats *.json under test/, the key order and values must still match).
 * Regenerate after an intended change with: UPDATE_GOLDEN=1 npx vitest run test/golden
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runValidate } from "../../src/cli/commands/validate.js";
import { golden } from "./golden.js";

const GOLDEN_DIR = join("test", "golden");

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
    { file, format: output },
    { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
  );
  return { exit, text: stdout + stderr };
}

describe.each(CASES)("validate $file", ({ name, file, exit }) => {
  it.each(["text", "json"] as const)("%s output matches the golden file", async (output) => {
    const result = await capture(file, output);
    expect(result.exit).toBe(exit);
    const expected = golden(join(GOLDEN_DIR, `${name}.${output === "json" ? "json" : "txt"}`), result.text);
    if (output === "json") {
      const normalize = (t: string) => JSON.stringify(JSON.parse(t), null, 2);
      expect(normalize(result.text)).toBe(normalize(expected));
    } else {
      expect(result.text).toBe(expected);
    }
  });
});

describe("golden files", () => {
  it("a missing golden file fails unless UPDATE_GOLDEN=1, which writes it", () => {
    const dir = mkdtempSync(join(tmpdir(), "dialrules-golden-"));
    try {
      const path = join(dir, "new.txt");
      expect(() => golden(path, "output", false)).toThrow(
        /golden file .* is missing: create it with UPDATE_GOLDEN=1/,
      );
      expect(golden(path, "output", true)).toBe("output");
      expect(readFileSync(path, "utf8")).toBe("output");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
