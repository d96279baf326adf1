import type { Command } from "commander";

export function registerApply(_program: Command): void {
  // not yet implemented
}
