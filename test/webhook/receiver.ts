/** A local webhook receiver (node:http) whose answers a test scripts per request. */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  id: string;
  timestamp: string;
  signature: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** performance.now() at receipt. */
  at: number;
  status: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** Hold the response this long (real ms) — for the timeout test only. */
  delayMs?: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Largest number of requests with one webhook-id in flight at the same time. */
  maxConcurrentPerId: number;
  close(): Promise<void>;
}

export async function startReceiver(
  reply: (n: number, id: string) => Reply = () => ({ status: 204 }),
): Promise<Receiver> {
  const received: Received[] = [];
  const inFlight = new Map<string, number>();
  let n = 0;
  const state = { maxConcurrentPerId: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const id = String(req.headers["webhook-id"]);
      const current = (inFlight.get(id) ?? 0) + 1;
      inFlight.set(id, current);
      state.maxConcurrentPerId = Math.max(state.maxConcurrentPerId, current);
      const r = reply(++n, id);
      received.push({
        id,
        timestamp: String(req.headers["webhook-timestamp"]),
        signature: String(req.headers["webhook-signature"]),
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at: performance.now(),
        status: r.status,
      });
      const send = () => {
        inFlight.set(id, (inFlight.get(id) ?? 1) - 1);
        res.writeHead(r.status, r.headers);
        res.end();
      };
      if (r.delayMs) setTimeout(send, r.delayMs);
      else send();
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    get maxConcurrentPerId() {
      return state.maxConcurrentPerId;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Two fresh whsec_ keys. */
export const SECRET_A = `whsec_${Buffer.from("dialrules-test-secret-A-24b").toString("base64")}`;
export const SECRET_B = `whsec_${Buffer.from("dialrules-test-secret-B-24b").toString("base64")}`;
