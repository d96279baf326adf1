/**
 * fastify's `inject` (light-my-request) encodes `cookies:` with the `cookie` package. light-my-request 6.8 asks
 * for cookie@2, which declares Node >= 22; package.json pins cookie 1.1.1 (Node >= 18, same
 * `stringifySetCookie` API) under light-my-request so `npm ci` on Node 20 prints no engine warning. This proves
 * the pinned version is the one installed and that inject still encodes cookies through it.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import Fastify from "fastify";
import { describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);
// Transitive packages, resolved the way fastify resolves them (named by variable: they are not our dependencies).
const INJECT_PACKAGE = "light-my-request";
const COOKIE_MANIFEST = "cookie/package.json";

describe("fastify inject with the pinned cookie package", () => {
  it("installs a cookie version that supports this Node", () => {
    const lmr = require.resolve(INJECT_PACKAGE, { paths: [require.resolve("fastify")] });
    const cookiePkg = require.resolve(COOKIE_MANIFEST, { paths: [lmr] });
    const { version, engines } = JSON.parse(readFileSync(cookiePkg, "utf8")) as {
      version: string;
      engines: { node: string };
    };
    expect(version).toBe("1.1.1");
    const min = Number(/>=\s*(\d+)/.exec(engines.node)?.[1]);
    expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(min);
  });

  it("sends cookies given to inject, encoded and scoped by path", async () => {
    const app = Fastify();
    app.get("/a/b", async (req) => ({ cookie: req.headers.cookie ?? null }));
    try {
      const res = await app.inject({
        method: "GET",
        url: "/a/b",
        cookies: [
          { name: "sid", value: "a b;c" },
          { name: "other", value: "x", path: "/elsewhere" },
        ],
      });
      expect(res.json()).toEqual({ cookie: "sid=a%20b%3Bc" });
      const plain = await app.inject({ method: "GET", url: "/a/b", cookies: { one: "1", two: "2" } });
      expect(plain.json()).toEqual({ cookie: "one=1; two=2" });
    } finally {
      await app.close();
    }
  });
});
