/**
 * The composition root's side of the platform budget for one command: limiters on the system clock that
 * draw on the bucket kept in the command's database, so `plan` then `apply` (or two commands at once) share
 * one budget per credential. `plan` and `export` otherwise need no database; they use it only when there is
 * one to share with (DIALRULES_DATABASE_URL is set or apply's SQLite file exists), and never create one.
 */
import { existsSync } from "node:fs";
import { systemClock } from "../clock/clock.js";
import type { HttpObserver } from "../http/events.js";
import { limiterFactory } from "../http/rate-limiter.js";
import type { DriverDeps } from "../platform/driver-deps.js";
import { openPlatform } from "../platform/factory.js";
import type { Platform } from "../platform/platform.js";
import { databaseOptions, openStore } from "../store/open-store.js";
import type { SqlStore } from "../store/types.js";
import { webhookEvent } from "../webhook/events.js";

export type CreateLimiter = NonNullable<DriverDeps["createLimiter"]>;

/** Limiters drawing on `store`'s bucket (apply, which opens its database anyway). */
export function storeLimiters(store: SqlStore, observer?: HttpObserver): CreateLimiter {
  return limiterFactory({ clock: systemClock, ledger: store.rateLedger, ...(observer ? { observer } : {}) });
}

/** For commands that do not need a database: the existing one's bucket, else one in this process. */
export async function sharedBudget(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ createLimiter: CreateLimiter; close(): Promise<void> }> {
  const options = databaseOptions(undefined, env);
  if (options.databaseUrl === undefined && !(options.sqlitePath && existsSync(options.sqlitePath))) {
    return { createLimiter: limiterFactory({ clock: systemClock }), close: async () => {} };
  }
  try {
    // No audit record is written through this store, but openStore needs the outbox's encoder.
    const store = await openStore({ ...options, outboxEvent: webhookEvent });
    return { createLimiter: storeLimiters(store), close: () => store.close() };
  } catch {
    // The budget's memory is a courtesy to the platform; an unreachable database must not stop a read.
    return { createLimiter: limiterFactory({ clock: systemClock }), close: async () => {} };
  }
}

/** `plan` and `export`: the platform, on the shared budget; `close` closes both. */
export async function openReadingPlatform(
  name: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<{ platform: Platform; close(): Promise<void> }> {
  const budget = await sharedBudget();
  const platform = await openPlatform(name, { env, createLimiter: budget.createLimiter }).catch(
    async (err: unknown) => {
      await budget.close();
      throw err;
    },
  );
  return {
    platform,
    async close() {
      await platform.close();
      await budget.close();
    },
  };
}
