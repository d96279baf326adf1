/**
 * Where the bench's simulator runs. A real platform is another machine: its CPU is not the client's. The
 * bulk rows need the simulator on the bench's own scaled clock, so it runs in this process; the real-time
 * rows (small changes, the 10,000 plan) run it on a thread of its own, so the engine's event loop does only
 * the engine's work, as against CXone or Genesys Cloud. Without a built worker (tests from the sources
 * before a build) it falls back to this thread.
 */
import { Worker } from "node:worker_threads";
import type { Clock } from "../clock/clock.js";
import { startSimulator } from "../sim/server.js";
import type { SimHandle, SimOptions } from "../sim/types.js";
import { builtWorkerFile } from "../threads/built-worker.js";

export interface BenchPlatformServer {
  readonly apiBase: string;
  readonly tokenUrl: string;
  /** Whether the simulator runs on a thread of its own. */
  readonly ownThread: boolean;
  counts(): Promise<{ requests: number; rateLimited: number }>;
  stop(): Promise<void>;
}

type SimSpec = Pick<SimOptions, "campaigns" | "seed" | "rateLimitPerMinute">;

/** The simulator on this thread, on `clock` (the bulk rows' scaled clock). */
export async function simulatorHere(spec: SimSpec, clock: Clock): Promise<BenchPlatformServer> {
  const sim = (await startSimulator({ ...spec, clock })) as SimHandle;
  return {
    apiBase: sim.apiBase,
    tokenUrl: sim.tokenUrl,
    ownThread: false,
    counts: async () => ({
      requests: sim.log.length,
      rateLimited: sim.log.filter((e) => e.status === 429).length,
    }),
    stop: () => sim.stop(),
  };
}

/** The simulator on a thread of its own, on the real clock; on this thread when no built worker exists. */
export async function simulatorOnItsOwnThread(spec: SimSpec, clock: Clock): Promise<BenchPlatformServer> {
  const file = builtWorkerFile(import.meta.url, "platform-thread-worker");
  if (!file) return simulatorHere(spec, clock);
  const worker = new Worker(file, { workerData: spec });
  const next = <T>(): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      worker.once("error", onError);
      worker.once("message", (m: T) => {
        worker.off("error", onError);
        resolve(m);
      });
    });
  const started = await next<{ apiBase: string; tokenUrl: string }>();
  return {
    apiBase: started.apiBase,
    tokenUrl: started.tokenUrl,
    ownThread: true,
    async counts() {
      const reply = next<{ requests: number; rateLimited: number }>();
      worker.postMessage("counts");
      return reply;
    },
    async stop() {
      const reply = next<{ stopped: true }>();
      worker.postMessage("stop");
      await reply;
      await worker.terminate();
    },
  };
}
