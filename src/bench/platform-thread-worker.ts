/**
 * The simulator on a thread of its own (platform-thread.ts): started from `workerData`, it answers "counts"
 * with the requests it has seen and "stop" by stopping. Pure plumbing between the bench and `startSimulator`.
 */
import { parentPort, workerData } from "node:worker_threads";
import { startSimulator } from "../sim/server.js";
import type { SimHandle, SimOptions } from "../sim/types.js";

const port = parentPort;
if (!port) throw new Error("platform-thread-worker runs as a worker thread");
const sim = (await startSimulator(workerData as SimOptions)) as SimHandle;
port.on("message", async (message: "counts" | "stop") => {
  if (message === "counts") {
    port.postMessage({
      requests: sim.log.length,
      rateLimited: sim.log.filter((e) => e.status === 429).length,
    });
    return;
  }
  await sim.stop();
  port.postMessage({ stopped: true });
  port.close();
});
port.postMessage({ url: sim.url, tokenUrl: sim.tokenUrl, apiBase: sim.apiBase });
