/**
 * One HTTP exchange on node:http / node:https with keep-alive connections: what HttpClient sends its
 * requests through. Not `fetch`: its WHATWG layer (Request and Response objects, a web stream per body,
 * cloned signals) cost about as much CPU per request as the simulator's whole handling of it, and in an
 * apply that is per-campaign work on the event loop (issue 17 §1: a change of 40 campaigns spent ~40 % of
 * its CPU in fetch). Same contract as before: the promise settles when the status line and headers arrive
 * (so the reply's budget headers are known before the body), the body is read separately with a size limit,
 * a network error is the socket's own error (with its `code`, which network-errors.ts reads), and an abort
 * rejects with the signal's reason (a timeout with its DOMException "TimeoutError").
 *
 * The per-attempt timeout is one unref'd timer and the target an already parsed URL (issue 17 §1): an
 * AbortSignal.timeout combined with the caller's signal by AbortSignal.any, and the URL parsed a second
 * time and converted by node:http, cost ~10 % of an apply's CPU per campaign on the engine's thread.
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
  /** The caller's signal: its abort ends the exchange with its reason. */
  signal?: AbortSignal;
  /** Real milliseconds until the exchange, body included, ends with a DOMException "TimeoutError". */
  timeoutMs: number;
}

/** Process-wide keep-alive pools, like fetch's global dispatcher; idle sockets do not keep the process up. */
const AGENTS = {
  "http:": new http.Agent({ keepAlive: true }),
  "https:": new https.Agent({ keepAlive: true }),
} as const;

/** The reason of an exchange that timed out: what AbortSignal.timeout's signal gives. */
const timeoutReason = (): DOMException =>
  new DOMException("The operation was aborted due to timeout", "TimeoutError");

/** node:http's request options for `target` (what it derives from a URL itself, without a second parse). */
function requestOptions(target: URL, secure: boolean, method: string, headers: Record<string, string>) {
  const { hostname, username, password } = target;
  return {
    protocol: target.protocol,
    hostname: hostname.startsWith("[") ? hostname.slice(1, -1) : hostname,
    ...(target.port === "" ? {} : { port: Number(target.port) }),
    path: `${target.pathname}${target.search}`,
    ...(username || password
      ? { auth: `${decodeURIComponent(username)}:${decodeURIComponent(password)}` }
      : {}),
    method,
    headers,
    agent: AGENTS[secure ? "https:" : "http:"],
  };
}

export function send(target: URL, exchange: Exchange): Promise<Reply> {
  const { signal } = exchange;
  return new Promise<Reply>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const secure = target.protocol === "https:";
    if (!secure && target.protocol !== "http:") {
      reject(new TypeError(`unsupported protocol ${target.protocol} in ${target.origin}`));
      return;
    }
    const headers: Record<string, string> = { ...exchange.headers };
    if (exchange.body !== undefined) headers["content-length"] = String(Buffer.byteLength(exchange.body));
    const req = (secure ? https : http).request(requestOptions(target, secure, exchange.method, headers));
    // Until the headers arrive, failures reject the exchange; afterwards they belong to the body's reader.
    let fail = (err: unknown) => {
      release();
      reject(err);
    };
    /** Set once the caller's signal or the timeout ended the exchange. */
    let ended: { reason: unknown } | undefined;
    const end = (reason: unknown) => {
      if (ended) return;
      ended = { reason };
      req.destroy();
      fail(reason);
    };
    const onAbort = () => end(signal?.reason);
    const timer = setTimeout(() => end(timeoutReason()), exchange.timeoutMs);
    // like AbortSignal.timeout, a pending timeout does not keep the process up
    timer.unref();
    const release = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
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
              release();
              if (bytes) resolveBody(bytes);
              else rejectBody(err);
            };
            failBody = (err) => finish(err);
            if (early) {
              finish(early.error);
              return;
            }
            if (ended) {
              req.destroy();
              finish(ended.reason);
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
