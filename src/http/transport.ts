/**
 * One HTTP exchange on node:http / node:https with keep-alive connections: what HttpClient sends its
 * requests through. Not `fetch`: its WHATWG layer (Request and Response objects, a web stream per body,
 * cloned signals) cost about as much CPU per request as the simulator's whole handling of it, and in an
 * apply that is per-campaign work on the event loop (issue 17 §1: a change of 40 campaigns spent ~40 % of
 * its CPU in fetch). Same contract as before: the promise settles when the status line and headers arrive
 * (so the reply's budget headers are known before the body), the body is read separately with a size limit,
 * a network error is the socket's own error (with its `code`, which network-errors.ts reads), and an abort
 * rejects with the signal's reason (a timeout with its DOMException "TimeoutError").
 */
import http from "node:http";
import https from "node:https";
import { BodyTooLargeError } from "./body.js";

export interface Reply {
  status: number;
  headers: Headers;
  /** The whole body; BodyTooLargeError (and the connection closed) beyond `limit` bytes. */
  body(limit: number): Promise<Uint8Array>;
}

export interface Exchange {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

/** Process-wide keep-alive pools, like fetch's global dispatcher; idle sockets do not keep the process up. */
const AGENTS = {
  "http:": new http.Agent({ keepAlive: true }),
  "https:": new https.Agent({ keepAlive: true }),
} as const;

export function send(url: string, exchange: Exchange): Promise<Reply> {
  const { signal } = exchange;
  return new Promise<Reply>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const target = new URL(url);
    const secure = target.protocol === "https:";
    if (!secure && target.protocol !== "http:") {
      reject(new TypeError(`unsupported protocol ${target.protocol} in ${target.origin}`));
      return;
    }
    const headers: Record<string, string> = { ...exchange.headers };
    if (exchange.body !== undefined) headers["content-length"] = String(Buffer.byteLength(exchange.body));
    const req = (secure ? https : http).request(target, {
      method: exchange.method,
      headers,
      agent: AGENTS[secure ? "https:" : "http:"],
    });
    // Until the headers arrive, failures reject the exchange; afterwards they belong to the body's reader.
    let fail = (err: unknown) => {
      signal.removeEventListener("abort", onAbort);
      reject(err);
    };
    const onAbort = () => {
      const reason: unknown = signal.reason;
      req.destroy();
      fail(reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    req.on("error", (err) => fail(err));
    req.on("response", (res) => {
      // a failure between the headers and the first read of the body is kept for that read
      let early: { error: unknown } | undefined;
      let failBody = (err: unknown) => {
        early ??= { error: err };
      };
      fail = (err) => failBody(err);
      resolve({
        status: res.statusCode ?? 0,
        headers: headersOf(res.rawHeaders),
        body: (limit) =>
          new Promise<Uint8Array>((resolveBody, rejectBody) => {
            let done = false;
            const finish = (err: unknown, bytes?: Uint8Array) => {
              if (done) return;
              done = true;
              signal.removeEventListener("abort", onAbort);
              if (bytes) resolveBody(bytes);
              else rejectBody(err);
            };
            failBody = (err) => finish(err);
            if (early) {
              finish(early.error);
              return;
            }
            if (signal.aborted) {
              req.destroy();
              finish(signal.reason);
              return;
            }
            const declared = Number(res.headers["content-length"]);
            if (Number.isFinite(declared) && declared > limit) {
              res.destroy();
              finish(new BodyTooLargeError(limit));
              return;
            }
            const chunks: Buffer[] = [];
            let total = 0;
            res.on("data", (chunk: Buffer) => {
              total += chunk.byteLength;
              if (total > limit) {
                res.destroy();
                finish(new BodyTooLargeError(limit));
                return;
              }
              chunks.push(chunk);
            });
            res.on("end", () => finish(undefined, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
            res.on("error", (err) => finish(err));
            // closed before its end: the connection died mid-body
            res.on("close", () => {
              if (!res.complete)
                finish(Object.assign(new Error("the connection closed mid-body"), { code: "ECONNRESET" }));
            });
          }),
      });
    });
    req.end(exchange.body);
  });
}

function headersOf(raw: readonly string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    try {
      headers.append(name, value);
    } catch {
      // a header Headers refuses (not a valid field value) is one we do not read either
    }
  }
  return headers;
}
