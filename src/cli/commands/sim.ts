import type { Command } from "commander";

export function registerSim(_program: Command): void {
  // not yet implemented
}
