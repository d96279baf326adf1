import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ChangeRequest, Principal, ServerServices } from "../contract.js";
import { describeError } from "./errors.js";
import { html } from "./html.js";
import { page } from "./layout.js";
import { changePage, progressFragment } from "./pages/change.js";
import { changesPage, newChangePage } from "./pages/changes.js";
import { messagePage } from "./pages/home.js";
import { field, type RequestHelpers, type Session, sendHtml } from "./request.js";

/** Messages after a redirect come from this fixed list, so a crafted link cannot put words on the page. */
const NOTICES: Readonly<Record<string, string>> = {
  created: "Change requested. Review the plan below.",
  approved: "Change approved.",
  rejected: "Change rejected.",
  applying: "Apply started.",
  reverting:
    "Revert requested: the plan restores what the run replaced. Campaigns changed since are listed under the findings and left alone.",
};

type IdRequest = FastifyRequest<{ Params: { id: string } }>;
type RunRequest = FastifyRequest<{ Params: { runId: string } }>;
type Action = "approve" | "reject" | "apply";
const DONE: Record<Action, string> = { approve: "approved", reject: "rejected", apply: "applying" };

const changeUrl = (id: string, notice?: string): string =>
  `/changes/${encodeURIComponent(id)}${notice ? `?notice=${notice}` : ""}`;

/** Change requests: list, new, detail, live progress, the approve / reject / apply forms and run reverts. */
export function changeRoutes(app: FastifyInstance, services: ServerServices, req: RequestHelpers): void {
  const notFound = (request: FastifyRequest, reply: FastifyReply, session: Session) =>
    sendHtml(
      reply,
      messagePage(req.context(request, session), "Change not found", "There is no change with this id."),
      404,
    );

  app.get("/changes", async (request, reply) => {
    const session = await req.requireUser(request, reply);
    if (!session) return reply;
    const notice = NOTICES[field(request.query, "notice")];
    return sendHtml(reply, changesPage(req.context(request, session), await services.listChanges(), notice));
  });

  app.get("/changes/new", async (request, reply) => {
    const session = await req.requireUser(request, reply);
    if (!session) return reply;
    return sendHtml(reply, newChangePage(req.context(request, session), { rulesText: "", reason: "" }));
  });

  app.post("/changes", async (request, reply) => {
    const session = await req.requireForm(request, reply);
    if (!session) return reply;
    const input = {
      rulesText: field(request.body, "rulesText"),
      reason: field(request.body, "reason").trim(),
    };
    try {
      const change = await services.createChange(input, session.principal);
      return reply.redirect(changeUrl(change.id, "created"), 303);
    } catch (err) {
      const shown = describeError(err);
      if (!shown) throw err;
      // Keep what was typed so a typo in the YAML does not cost the whole text.
      return sendHtml(
        reply,
        newChangePage(req.context(request, session), input, shown.message),
        shown.status,
      );
    }
  });

  app.get("/changes/:id", async (request: IdRequest, reply) => {
    const session = await req.requireUser(request, reply);
    if (!session) return reply;
    const change = await services.getChange(request.params.id);
    if (!change) return notFound(request, reply, session);
    const notice = NOTICES[field(request.query, "notice")];
    return sendHtml(reply, changePage(req.context(request, session), change, notice ? { notice } : {}));
  });

  // The fragment the polling script swaps in; a plain 204 when there is no job (nothing to show yet).
  app.get("/changes/:id/progress", async (request: IdRequest, reply) => {
    const session = await req.session(request);
    if (!session) return reply.code(401).type("text/plain; charset=utf-8").send("Sign in again.");
    const change = await services.getChange(request.params.id);
    if (!change) return reply.code(404).type("text/plain; charset=utf-8").send("No such change.");
    if (!change.job) return reply.code(204).send();
    return sendHtml(reply, progressFragment(change.job).value);
  });

  const run = (action: Action, call: (id: string, by: Principal, body: unknown) => Promise<ChangeRequest>) =>
    app.post(`/changes/:id/${action}`, async (request: IdRequest, reply) => {
      const session = await req.requireForm(request, reply);
      if (!session) return reply;
      const { id } = request.params;
      try {
        await call(id, session.principal, request.body);
        return reply.redirect(changeUrl(id, DONE[action]), 303);
      } catch (err) {
        const shown = describeError(err);
        if (!shown) throw err;
        // Show the service's refusal (four-eyes, wrong state, role) on the change as it now is.
        const change = await services.getChange(id);
        if (!change) return notFound(request, reply, session);
        return sendHtml(
          reply,
          changePage(req.context(request, session), change, { error: shown.message }),
          shown.status,
        );
      }
    });
  // The undo of a run is a change request like any other: the service plans it and assesses its risk.
  app.post("/runs/:runId/revert", async (request: RunRequest, reply) => {
    const session = await req.requireForm(request, reply);
    if (!session) return reply;
    try {
      const change = await services.revertRun(
        request.params.runId,
        { reason: field(request.body, "reason").trim() },
        session.principal,
      );
      return reply.redirect(changeUrl(change.id, "reverting"), 303);
    } catch (err) {
      const shown = describeError(err);
      if (!shown) throw err;
      return sendHtml(
        reply,
        page(
          req.context(request, session),
          "Revert not requested",
          html`<p><a href="/changes">Back to the changes</a></p>`,
          { error: shown.message },
        ),
        shown.status,
      );
    }
  });

  run("approve", (id, by) => services.approve(id, by));
  run("reject", (id, by, body) => services.reject(id, by, field(body, "reason").trim()));
  run("apply", (id, by) => services.apply(id, by));
}
