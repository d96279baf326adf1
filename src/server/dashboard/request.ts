import type { FastifyReply, FastifyRequest } from "fastify";
import type { Principal, ServerServices } from "../contract.js";
import { html } from "./html.js";
import { type PageContext, page } from "./layout.js";
import { CSRF_FIELD, csrfMatches, fromSameOrigin, sessionIdFrom } from "./session.js";

/** A signed-in person: the session id from the cookie, who it belongs to and its CSRF token. */
export interface Session {
  id: string;
  principal: Principal;
  csrf: string;
}

/** A text field of a parsed form or query string; absent or repeated fields read as "" / the first one. */
export function field(source: unknown, name: string): string {
  if (typeof source !== "object" || source === null) return "";
  const value = (source as Record<string, unknown>)[name];
  if (Array.isArray(value)) return typeof value[0] === "string" ? value[0] : "";
  return typeof value === "string" ? value : "";
}

export const pathOf = (request: FastifyRequest): string => request.url.split("?")[0] ?? "/";

export class RequestHelpers {
  constructor(private readonly services: ServerServices) {}

  async session(request: FastifyRequest): Promise<Session | undefined> {
    const id = sessionIdFrom(request.headers.cookie);
    if (!id) return undefined;
    const session = await this.services.resumeSession(id);
    return session ? { id, ...session } : undefined;
  }

  context(request: FastifyRequest, session?: Session): PageContext {
    const banner = this.services.info().banner;
    return {
      path: pathOf(request),
      ...(banner ? { banner } : {}),
      ...(session ? { principal: session.principal, csrf: session.csrf } : {}),
    };
  }

  /** For pages: the session, or a redirect to the login form that comes back here afterwards. */
  async requireUser(request: FastifyRequest, reply: FastifyReply): Promise<Session | undefined> {
    const session = await this.session(request);
    if (!session) {
      const next = request.method === "GET" ? request.url : "/";
      await reply.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
    }
    return session;
  }

  /** For POST forms: a session, a request from this site, and the session's CSRF token in the form. */
  async requireForm(request: FastifyRequest, reply: FastifyReply): Promise<Session | undefined> {
    const session = await this.requireUser(request, reply);
    if (!session) return undefined;
    if (!fromSameOrigin(request.headers) || !csrfMatches(session.csrf, field(request.body, CSRF_FIELD))) {
      await reply
        .code(403)
        .type("text/html; charset=utf-8")
        .send(
          page(
            this.context(request, session),
            "Form refused",
            html`<p><a href="/">Back to the overview</a></p>`,
            {
              error: html`<p>This form did not come from a page of this dashboard, or it belongs to an earlier
sign-in. Nothing was changed. Go back, reload the page and try again.</p>`,
            },
          ),
        );
      return undefined;
    }
    return session;
  }
}

export function sendHtml(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply.code(status).type("text/html; charset=utf-8").send(body);
}
