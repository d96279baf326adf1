/**
 * NICE CXone's access-key token endpoint (`POST /authentication/v1/token/access-key` with
 * `{accessKeyId, accessKeySecret}` as JSON; no registered application), as cxone-mcp uses it against live
 * tenants. Not an OAuth grant, so the request and reply are ours; cache, single flight, retries and the one
 * refresh after a 401 are the shared `OAuthTokenSource`'s. The secret is revealed only into the request body.
 */
import * as oauth from "oauth4webapi";
import { AuthError, UnexpectedResponseError } from "../platform/errors.js";
import { Secret } from "./secret.js";
import { type BaseTokenSourceOptions, OAuthTokenSource } from "./token-source.js";

export interface AccessKeyTokenSourceOptions
  extends Omit<BaseTokenSourceOptions, "clientId" | "clientSecret" | "clientAuth"> {
  accessKeyId: string;
  accessKeySecret: Secret;
  /** Appended to credential errors; names the variables that hold the key. */
  advice?: string;
}

function describe(body: unknown): string {
  if (body === null || typeof body !== "object") return "no error description";
  const b = body as Record<string, unknown>;
  const text = [b.error, b.errorDescription ?? b.error_description ?? b.message]
    .filter((v): v is string => typeof v === "string" && v !== "")
    .join(": ");
  return text.slice(0, 300) || "no error description";
}

export class AccessKeyTokenSource extends OAuthTokenSource {
  constructor(options: AccessKeyTokenSourceOptions) {
    const { accessKeyId, accessKeySecret } = options;
    super(
      // No OAuth client is involved; the base class needs a client id and a secret all the same (neither is sent).
      { ...options, clientId: accessKeyId, clientSecret: new Secret("unused-no-application") },
      {
        request: (as, _client, _auth, requestOptions) => {
          // The base class's size-limited fetch; typed for form bodies by oauth4webapi, it sends any body.
          const send = (requestOptions[oauth.customFetch] ?? fetch) as (
            url: string,
            init: RequestInit,
          ) => Promise<Response>;
          return send(String(as.token_endpoint), {
            method: "POST",
            headers: { "content-type": "application/json", accept: "application/json" },
            body: JSON.stringify({ accessKeyId, accessKeySecret: accessKeySecret.reveal() }),
            redirect: "manual",
            ...(requestOptions.signal instanceof AbortSignal ? { signal: requestOptions.signal } : {}),
          });
        },
        process: async (_as, _client, response) => {
          const body: unknown = await response.json().catch(() => undefined);
          const token = (body as { access_token?: unknown } | undefined)?.access_token;
          if (response.ok && typeof token === "string" && token !== "") {
            const expires = (body as { expires_in?: unknown }).expires_in;
            return {
              access_token: token,
              token_type: "bearer",
              ...(typeof expires === "number" && expires > 0 ? { expires_in: expires } : {}),
            } as oauth.TokenEndpointResponse;
          }
          if (response.status === 400 || response.status === 401 || response.status === 403) {
            throw new AuthError(
              `access key "${accessKeyId}" was refused by ${response.url || "the token endpoint"} (${response.status}): ${describe(body)}`,
              response.status,
            );
          }
          throw new UnexpectedResponseError(
            `access-key token endpoint answered ${response.status} without an access_token`,
            response.status,
          );
        },
        credentialErrors: new Set(),
        advice:
          options.advice ?? "Check the access key id and secret (Admin > Employees > the user > Security).",
        secrets: [accessKeySecret],
      },
    );
  }
}
