import type { Command } from "commander";

export function registerPlan(_program: Command): void {
  // not yet implemented
}
