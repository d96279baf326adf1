import { afterEach, describe, expect, it } from "vitest";
import { InstantClock } from "../../src/clock/clock.js";
import { HttpClient } from "../../src/http/client.js";
import { noRateLimit } from "../../src/http/rate-limiter.js";
import { Secret } from "../../src/http/secret.js";
import { UnexpectedResponseError, WriteOutcomeUnknownError } from "../../src/platform/errors.js";
import { createV2Platform } from "../../src/platform/v2/v2-platform.js";
import { type FakeServer, startFakeServer } from "./fake-server.js";

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function fake(handler: Parameters<typeof startFakeServer>[0]) {
  const server = await startFakeServer(handler);
  servers.push(server);
  return server;
}

function clientFor(
  server: FakeServer,
  clock = new InstantClock(),
  extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {},
) {
  return new HttpClient({ baseUrl: server.url, limiter: noRateLimit, clock, random: () => 0, ...extra });
}

describe("HttpClient against a misbehaving server", () => {
  it("honours Retry-After given as an HTTP date", async () => {
    const clock = new InstantClock();
    const server = await fake((_req, res, _body, index) => {
      if (index === 0) {
        res.writeHead(429, {
          "retry-after": new Date(clock.now() + 7000).toUTCString(),
          "content-type": "application/json",
        });
        res.end('{"message":"slow down"}');
      } else {
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"ok":true}');
      }
    });
    const res = await clientFor(server, clock).request({ method: "GET", path: "/x", route: "/x" });
    expect(res.body).toEqual({ ok: true });
    expect(server.requests).toHaveLength(2);
    // HTTP dates have whole-second precision; the clock sits on a whole second, so the wait is exact.
    expect(clock.sleeps).toEqual([7000]);
  });

  it.each([
    ["with Content-Length", true],
    ["chunked, without Content-Length", false],
  ])("a body over the size limit is an error, not a crash (%s)", async (_label, withLength) => {
    const big = `{"data":"${"x".repeat(2 * 1024 * 1024)}"}`;
    const server = await fake((_req, res) => {
      const headers: Record<string, string | number> = { "content-type": "application/json" };
      if (withLength) headers["content-length"] = Buffer.byteLength(big);
      res.writeHead(200, headers);
      // Several writes so the chunked variant really streams.
      for (let i = 0; i < big.length; i += 65_536) res.write(big.slice(i, i + 65_536));
      res.end();
    });
    const client = clientFor(server);
    const error = await client
      .request({ method: "GET", path: "/big", route: "/big" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect((error as Error).message).toContain("1048576 bytes");
    // A write whose success reply is unreadable may have been applied.
    const writeError = await client
      .request({ method: "PATCH", path: "/big", route: "/big", body: {} })
      .catch((e: unknown) => e);
    expect(writeError).toBeInstanceOf(WriteOutcomeUnknownError);
    // Still usable afterwards.
    expect(server.requests).toHaveLength(2);
  });

  it("a body just under the limit is read whole", async () => {
    const payload = { data: "y".repeat(1000) };
    const server = await fake((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(payload));
    });
    const res = await clientFor(server, new InstantClock(), { maxBodyBytes: 1020 }).request({
      method: "GET",
      path: "/",
      route: "/",
    });
    expect(res.body).toEqual(payload);
  });

  it("invalid JSON in a success reply is a clear UnexpectedResponseError", async () => {
    const server = await fake((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "x-request-id": "req-77" });
      res.end("{not json");
    });
    const error = await clientFor(server)
      .request({ method: "GET", path: "/", route: "/" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect((error as Error).message).toMatch(/not valid JSON/);
    expect((error as UnexpectedResponseError).requestId).toBe("req-77");
  });

  it("a read that times out is retried; a write that times out is not and may have been applied", async () => {
    const server = await fake((req, res) => {
      if (server.requests.length === 1 || req.method === "PATCH") return; // never answers
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
    const client = clientFor(server, new InstantClock(), { timeoutMs: 100 });
    expect((await client.request({ method: "GET", path: "/", route: "/" })).status).toBe(200);
    expect(server.requests.filter((r) => r.method === "GET")).toHaveLength(2);

    const error = await client
      .request({ method: "PATCH", path: "/w", route: "/w", body: { a: 1 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteOutcomeUnknownError);
    expect((error as Error).message).toContain("no reply within 100 ms");
    expect(server.requests.filter((r) => r.method === "PATCH")).toHaveLength(1);
  });

  it("the caller's abort ends a request in flight with the caller's reason, not a TransientError", async () => {
    const server = await fake(() => {});
    const controller = new AbortController();
    const pending = clientFor(server).request({
      method: "GET",
      path: "/",
      route: "/",
      signal: controller.signal,
    });
    while (server.requests.length === 0) await new Promise((r) => setImmediate(r));
    controller.abort(new Error("stop now"));
    await expect(pending).rejects.toThrow("stop now");
    expect(server.requests).toHaveLength(1);
  });

  it("a reply cut off mid-body: a read is retried, a write may have been applied (node:http transport)", async () => {
    const server = await fake((req, res, _body, index) => {
      if (index === 0 || req.method === "PATCH") {
        // headers and part of the body, then the connection dies
        res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
        res.write('{"partial":');
        setImmediate(() => res.socket?.destroy());
        return;
      }
      res.writeHead(200, { "content-type": "application/json", "x-request-id": "req-9" });
      res.end('{"ok":true}');
    });
    const client = clientFor(server);
    const read = await client.request({ method: "GET", path: "/r", route: "/r" });
    expect(read).toMatchObject({ status: 200, body: { ok: true }, requestId: "req-9" });
    expect(read.headers.get("content-type")).toBe("application/json");
    expect(server.requests.filter((r) => r.method === "GET")).toHaveLength(2);
    const error = await client
      .request({ method: "PATCH", path: "/w", route: "/w", body: { a: 1 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteOutcomeUnknownError);
    expect(server.requests.filter((r) => r.method === "PATCH")).toHaveLength(1);
    // the request body went out whole, with its length
    expect(server.requests.find((r) => r.method === "PATCH")?.body).toBe('{"a":1}');
  });

  it("a refused connection is a network error the write path knows was never sent", async () => {
    const server = await fake(() => {});
    const url = server.url;
    await server.stop();
    servers.splice(servers.indexOf(server), 1);
    const client = new HttpClient({
      baseUrl: url,
      limiter: noRateLimit,
      clock: new InstantClock(),
      random: () => 0,
      retry: { maxAttempts: 2 },
    });
    const error = await client
      .request({ method: "PATCH", path: "/w", route: "/w", body: {} })
      .catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(WriteOutcomeUnknownError);
    expect((error as Error).message).toContain("ECONNREFUSED");
  });

  it("reports each exchange to the observer with the route template", async () => {
    const server = await fake((_req, res, _b, index) => {
      res.writeHead(index === 0 ? 502 : 200, { "content-type": "application/json" });
      res.end("{}");
    });
    const seen: { method: string; route: string; status: number | "network" }[] = [];
    await clientFor(server, new InstantClock(), {
      observer: { request: ({ method, route, status }) => seen.push({ method, route, status }) },
    }).request({ method: "GET", path: "/outbound/campaigns/abc", route: "/outbound/campaigns/:id" });
    expect(seen).toEqual([
      { method: "GET", route: "/outbound/campaigns/:id", status: 502 },
      { method: "GET", route: "/outbound/campaigns/:id", status: 200 },
    ]);
  });

  it("a throwing observer does not break requests", async () => {
    const server = await fake((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
    const res = await clientFor(server, new InstantClock(), {
      observer: {
        request: () => {
          throw new Error("metrics down");
        },
      },
    }).request({ method: "GET", path: "/", route: "/" });
    expect(res.status).toBe(200);
  });
});

describe("v2 driver against replies that break the contract", () => {
  it("a malformed campaign is UnexpectedResponseError naming the bad field", async () => {
    const server = await fake((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      if (req.url?.startsWith("/oauth/token")) {
        res.end('{"access_token":"t","token_type":"Bearer","expires_in":3600}');
      } else {
        res.end('{"id":"c1","name":"n","status":"RUNNING","revision":1,"dialingRules":{}}');
      }
    });
    const platform = createV2Platform(
      {
        apiBaseUrl: `${server.url}/api/v2`,
        tokenUrl: `${server.url}/oauth/token`,
        clientId: "demo",
        clientSecret: new Secret("s"),
        scopes: [],
        rateLimitPerMinute: 100,
        clientAuth: "basic",
      },
      { clock: new InstantClock(), limiter: noRateLimit },
    );
    const error = await platform.getCampaign("c1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect((error as Error).message).toContain("status");
    expect((error as Error).message).toContain("dialingRules.dialingMethod");
  });

  it("a token reply without access_token is UnexpectedResponseError that does not echo the body", async () => {
    const server = await fake((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"token_type":"Bearer","expires_in":3600,"refresh_token":"rt-should-not-leak"}');
    });
    const platform = createV2Platform(
      {
        apiBaseUrl: `${server.url}/api/v2`,
        tokenUrl: `${server.url}/oauth/token`,
        clientId: "demo",
        clientSecret: new Secret("s3cr3t"),
        scopes: [],
        rateLimitPerMinute: 100,
        clientAuth: "basic",
      },
      { clock: new InstantClock(), limiter: noRateLimit },
    );
    const error = await platform.getCampaign("c1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(JSON.stringify(error)).not.toContain("rt-should-not-leak");
    expect((error as Error).message).not.toContain("rt-should-not-leak");
    expect((error as Error).cause).toBeUndefined();
  });
});
