import { describe, expect, it } from "vitest";
import { pathAndQuery } from "../../src/sim/pipeline.js";

// The request log's path and query: a plain target is taken as it is, anything else goes through URL parsing.
describe("pathAndQuery", () => {
  it("takes a plain target as its own path, with no query", () => {
    expect(pathAndQuery("/api/v2/outbound/campaigns/CMP-1001")).toEqual({
      path: "/api/v2/outbound/campaigns/CMP-1001",
      query: {},
    });
    expect(pathAndQuery("/a//b:c@d/")).toEqual({ path: "/a//b:c@d/", query: {} });
  });

  it("splits off the query", () => {
    expect(pathAndQuery("/api/v2/outbound/campaigns?page=2&pageSize=100")).toEqual({
      path: "/api/v2/outbound/campaigns",
      query: { page: "2", pageSize: "100" },
    });
  });

  it("normalises what URL parsing normalises: dot segments, escapes, fragments, a leading //", () => {
    expect(pathAndQuery("/a/./b/../c")).toEqual({ path: "/a/c", query: {} });
    expect(pathAndQuery("/a/%7Eb")).toEqual({ path: "/a/%7Eb", query: {} });
    expect(pathAndQuery("/a#frag")).toEqual({ path: "/a", query: {} });
    expect(pathAndQuery("//host/x")).toEqual({ path: "/x", query: {} });
  });
});
