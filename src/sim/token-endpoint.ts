import type { FastifyRequest } from "fastify";
import type { Outcome, RouteStep } from "./outcome.js";
import { mediaType } from "./outcome.js";
import { parseBasicAuth, type TokenStore } from "./tokens.js";

function oauthError(status: number, error: string, description: string): Outcome {
  const headers: Record<string, string> = { "cache-control": "no-store" };
  if (status === 401) headers["www-authenticate"] = 'Basic realm="dialrules-sim"';
  return { status, body: { error, error_description: description }, headers };
}

/**
 * POST /oauth/token, client-credentials grant (RFC 6749 4.4). Client auth by HTTP Basic with form-encoded
 * id and secret (2.3.1) or by client_id/client_secret in the body; never both.
 */
export function tokenRoute(tokens: TokenStore, req: FastifyRequest): RouteStep {
  const rawBody = typeof req.body === "string" ? req.body : "";
  const isForm = mediaType(req.headers["content-type"]) === "application/x-www-form-urlencoded";
  const form = new URLSearchParams(isForm ? rawBody : "");
  const loggedBody = Object.fromEntries(
    [...form.entries()].map(([k, v]) => [k, k === "client_secret" ? "<redacted>" : v] as const),
  );
  const basic = parseBasicAuth(req.headers.authorization);
  const claimedId = basic !== undefined && basic !== "malformed" ? basic.clientId : form.get("client_id");
  const knownClient = claimedId === null ? undefined : tokens.findClient(claimedId);

  const respond = (): Outcome => {
    if (!isForm) {
      return oauthError(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded");
    }
    if (basic === "malformed") return oauthError(401, "invalid_client", "malformed Basic authorization");
    if (basic && form.has("client_secret")) {
      return oauthError(400, "invalid_request", "use either Basic authentication or client_secret, not both");
    }
    if (basic && form.has("client_id") && form.get("client_id") !== basic.clientId) {
      return oauthError(401, "invalid_client", "client_id does not match the authenticated client");
    }
    const clientSecret = form.get("client_secret");
    const credentials =
      basic ??
      (claimedId !== null && clientSecret !== null
        ? { clientId: claimedId, secret: clientSecret }
        : undefined);
    const client = credentials && tokens.authenticate(credentials);
    if (!client) return oauthError(401, "invalid_client", "unknown client or wrong secret");

    const grant = form.get("grant_type");
    if (grant === null) return oauthError(400, "invalid_request", "grant_type is required");
    if (grant !== "client_credentials") {
      return oauthError(400, "unsupported_grant_type", "only client_credentials is supported");
    }
    const allowed = tokens.allowedScopes(client);
    const requested = (form.get("scope") ?? "").split(" ").filter((s) => s !== "");
    const refused = requested.filter((s) => !allowed.includes(s));
    if (refused.length > 0)
      return oauthError(400, "invalid_scope", `scope not available: ${refused.join(" ")}`);
    const scopes = requested.length > 0 ? [...new Set(requested)] : [...allowed];
    const { token, expiresIn } = tokens.issue(client, scopes);
    return {
      status: 200,
      body: { access_token: token, token_type: "Bearer", expires_in: expiresIn, scope: scopes.join(" ") },
      headers: { "cache-control": "no-store", pragma: "no-cache" },
    };
  };

  return { clientId: knownClient?.id, loggedBody, respond };
}
