/**
 * OAuth2 resource-owner password grant (RFC 6749 §4.3), which NICE CXone uses for back-end apps: the
 * registered application authenticates as the client (HTTP Basic) and a CXone user's access key id and
 * secret go in as username and password. Cache, single flight and the one refresh after a 401 are the
 * shared `OAuthTokenSource`'s.
 */
import * as oauth from "oauth4webapi";
import type { Secret } from "./secret.js";
import { type BaseTokenSourceOptions, OAuthTokenSource } from "./token-source.js";

export interface PasswordTokenSourceOptions extends BaseTokenSourceOptions {
  username: string;
  password: Secret;
  /** Sent only when not empty; CXone grants the user's permissions whatever the scope. */
  scopes?: readonly string[];
  /** Appended to credential errors; names the variables that hold these credentials. */
  advice?: string;
}

export class PasswordTokenSource extends OAuthTokenSource {
  constructor(options: PasswordTokenSourceOptions) {
    const { username, password, scopes = [] } = options;
    super(options, {
      request: (as, client, auth, requestOptions) => {
        // Revealed only here, into the form body that oauth4webapi sends; never stored elsewhere.
        const form = new URLSearchParams({ username, password: password.reveal() });
        if (scopes.length > 0) form.set("scope", scopes.join(" "));
        return oauth.genericTokenEndpointRequest(as, client, auth, "password", form, requestOptions);
      },
      process: (as, client, response) => oauth.processGenericTokenEndpointResponse(as, client, response),
      // invalid_grant is a wrong or revoked access key; invalid_client a wrong application id or secret.
      credentialErrors: new Set(["invalid_client", "unauthorized_client", "invalid_grant"]),
      advice: options.advice ?? "Check the client id and secret and the user's credentials.",
      secrets: [password],
    });
  }
}
