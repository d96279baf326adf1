import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import type { ServerServices } from "../contract.js";
import { parseStrictForm } from "../input/form-body.js";
import { CSS, JS } from "./assets.js";
import { html } from "./html.js";
import { page } from "./layout.js";
import { loginPage } from "./pages/login.js";
import { field, RequestHelpers, sendHtml } from "./request.js";
import { changeRoutes } from "./routes-changes.js";
import { readRoutes } from "./routes-read.js";
import { clearedSessionCookie, fromSameOrigin, safeNext, sessionCookie } from "./session.js";

export interface DashboardOptions {
  services: ServerServices;
}

const FORM = "application/x-www-form-urlencoded";

/**
 * Only the dashboard's own pages get these: no inline script or style can run even if escaping failed
 * somewhere, the pages cannot be framed, and forms can only post back here.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  // Not "no-referrer": with it Chromium sends `Origin: null` on form posts, and the origin check needs it.
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
};

function registerFormParser(app: FastifyInstance): void {
  // Encapsulated in this plugin: the JSON API does not start accepting form bodies because the dashboard does.
  if (app.hasContentTypeParser(FORM)) return;
  // The same body limit as the API's (set on the server), so one cap holds for both views.
  app.addContentTypeParser(FORM, { parseAs: "buffer" }, (_request, body, done) => {
    try {
      done(null, parseStrictForm(body as Buffer));
    } catch (err) {
      done(Object.assign(err as Error, { statusCode: 400 }), undefined);
    }
  });
}

function loginRoutes(app: FastifyInstance, services: ServerServices, req: RequestHelpers): void {
  const secure = (request: FastifyRequest) => request.protocol === "https";

  app.get("/login", async (request, reply) => {
    const next = safeNext(field(request.query, "next"));
    if (await req.session(request)) return reply.redirect(next, 303);
    const notice = field(request.query, "signedout") ? "Signed out." : undefined;
    return sendHtml(reply, loginPage(req.context(request), next, notice ? { notice } : {}));
  });

  app.post("/login", async (request, reply) => {
    const next = safeNext(field(request.body, "next"));
    if (!fromSameOrigin(request.headers)) {
      return sendHtml(
        reply,
        loginPage(req.context(request), next, { error: "Sign in from this site's own form." }),
        403,
      );
    }
    const token = field(request.body, "token").trim();
    const signedIn = token ? await services.signIn(token) : undefined;
    if (!signedIn) {
      return sendHtml(
        reply,
        loginPage(req.context(request), next, { error: "That token is unknown, revoked or expired." }),
        401,
      );
    }
    reply.header("set-cookie", sessionCookie(signedIn.sessionId, secure(request)));
    return reply.redirect(next, 303);
  });

  app.post("/logout", async (request, reply) => {
    const session = await req.requireForm(request, reply);
    if (!session) return reply;
    await services.signOut(session.id);
    reply.header("set-cookie", clearedSessionCookie(secure(request)));
    return reply.redirect("/login?signedout=1", 303);
  });
}

function errorPage(req: RequestHelpers) {
  return (err: Error & { statusCode?: number }, request: FastifyRequest, reply: FastifyReply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) request.log.error({ err }, "dashboard page failed");
    const message =
      status === 500 ? "Something went wrong on the server. The error is in the service log." : err.message;
    return sendHtml(
      reply,
      page(
        req.context(request),
        status === 500 ? "Server error" : "Request refused",
        html`<p><a href="/">Back to the overview</a></p>`,
        {
          error: html`<p>${message}</p>`,
        },
      ),
      status,
    );
  };
}

/** The web dashboard: server-rendered pages over the same `ServerServices` as the JSON API. */
export const dashboardPlugin: FastifyPluginAsync<DashboardOptions> = async (app, options) => {
  const { services } = options;
  const req = new RequestHelpers(services);
  registerFormParser(app);
  app.setErrorHandler(errorPage(req));
  app.addHook("onSend", async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    // Pages hold CSRF tokens and campaign data: never cache them (assets are tiny).
    reply.header("cache-control", "no-store");
    return payload;
  });

  app.get("/assets/dashboard.css", async (_request, reply) =>
    reply.type("text/css; charset=utf-8").send(CSS),
  );
  app.get("/assets/dashboard.js", async (_request, reply) =>
    reply.type("text/javascript; charset=utf-8").send(JS),
  );
  // Browsers ask for it on every first visit; an empty answer keeps the console free of 404s.
  app.get("/favicon.ico", async (_request, reply) => reply.code(204).send());
  loginRoutes(app, services, req);
  readRoutes(app, services, req);
  changeRoutes(app, services, req);
};

/** The same plugin with its options bound, for `buildServer(services, { plugins: [dashboard(services)] })`. */
export function dashboard(
  services: ServerServices,
  options: Omit<DashboardOptions, "services"> = {},
): FastifyPluginAsync {
  return async (app) => {
    await app.register(dashboardPlugin, { ...options, services });
  };
}
