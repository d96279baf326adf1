/** Change requests: list, request, read, approve, reject, apply; and the undo of a run as a change request. */
import { Readable } from "node:stream";
import type { FastifyPluginAsync, FastifyReply } from "fastify";
import { changeJson } from "../changes/change-repo.js";
import type { ChangeRequest, ServerServices } from "../contract.js";
import { principalOf } from "./auth.js";
import { problem, sendProblem } from "./problem.js";
import { changeResponse, problemResponses } from "./responses.js";
import {
  createChangeBody,
  emptyBody,
  idParams,
  noQuery,
  rejectBody,
  revertBody,
  runIdParams,
} from "./schemas.js";

/**
 * 201 with the new change. Its JSON text, when the service made it (a maximal plan is over a megabyte), is
 * sent as is: serialising it again here would block the event loop for tens of milliseconds.
 */
function sendCreated(reply: FastifyReply, change: ChangeRequest): FastifyReply {
  reply.status(201).header("location", `/api/v1/changes/${change.id}`);
  const json = changeJson(change);
  if (json === undefined) return reply.send(change);
  reply.type("application/json; charset=utf-8").header("content-length", Buffer.byteLength(json));
  // In pieces, so writing a megabyte to the socket leaves turns of the event loop to other requests.
  return reply.send(json.length <= CHUNK ? json : Readable.from(chunks(json)));
}

const CHUNK = 64 * 1024;

/** UTF-8 pieces of about CHUNK code units, never splitting a surrogate pair. */
function* chunks(text: string): Generator<Buffer> {
  for (let at = 0; at < text.length; ) {
    let end = Math.min(at + CHUNK, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    yield Buffer.from(text.slice(at, end));
    at = end;
  }
}

export function changeRoutes(services: ServerServices): FastifyPluginAsync {
  return async (api) => {
    api.get(
      "/changes",
      {
        config: { role: "viewer" },
        schema: {
          tags: ["changes"],
          operationId: "listChanges",
          summary: "The latest 100 change requests, newest first (job progress without per-campaign results)",
          querystring: noQuery,
          response: { 200: { type: "array", items: changeResponse }, ...problemResponses },
        },
      },
      async () => services.listChanges(),
    );

    api.post<{ Body: { rules: string | Record<string, unknown>; reason: string } }>(
      "/changes",
      {
        config: { role: "operator" },
        schema: {
          tags: ["changes"],
          operationId: "createChange",
          summary: "Request a change: the rules are planned against the platform and stored with their risk",
          description:
            "High risk (switching to PREDICTIVE/POWER, raising maxRate or maxCallsPerAgent, any overrides) starts as pending_approval and needs an approver other than the requester; low risk starts approved. The actor is the token's name.",
          body: createChangeBody,
          querystring: noQuery,
          response: { 201: changeResponse, ...problemResponses },
        },
      },
      async (request, reply) => {
        const { rules, reason } = request.body;
        // Compact: the body cap bounds it, and the service's rules-text cap applies to either form.
        const rulesText = typeof rules === "string" ? rules : JSON.stringify(rules);
        const change = await services.createChange({ rulesText, reason }, principalOf(request));
        return sendCreated(reply, change);
      },
    );

    api.post<{ Params: { runId: string }; Body: { reason: string } }>(
      "/runs/:runId/revert",
      {
        config: { role: "operator" },
        schema: {
          tags: ["changes"],
          operationId: "revertRun",
          summary:
            "Request the undo of an apply run as a change request (risk, four-eyes and apply as any change)",
          description:
            "Plans, for every campaign the run changed, the values it replaced, held to the server's policy and the policy of the change that made the run. Campaigns changed since the run are left out and listed in plan.findings (code REVERT_CONFLICT), never overwritten; 409 when nothing is left to restore, 404 for an unknown run.",
          params: runIdParams,
          body: revertBody,
          querystring: noQuery,
          response: { 201: changeResponse, ...problemResponses },
        },
      },
      async (request, reply) => {
        const change = await services.revertRun(
          request.params.runId,
          { reason: request.body.reason },
          principalOf(request),
        );
        return sendCreated(reply, change);
      },
    );

    api.get<{ Params: { id: string } }>(
      "/changes/:id",
      {
        config: { role: "viewer" },
        schema: {
          tags: ["changes"],
          operationId: "getChange",
          summary: "One change request with its plan and apply job (progress and per-campaign results)",
          params: idParams,
          querystring: noQuery,
          response: { 200: changeResponse, ...problemResponses },
        },
      },
      async (request, reply) => {
        const change = await services.getChange(request.params.id);
        if (!change) {
          return sendProblem(
            reply,
            problem(request, 404, "change_not_found", `no change request ${request.params.id}`),
          );
        }
        return change;
      },
    );

    api.post<{ Params: { id: string } }>(
      "/changes/:id/approve",
      {
        config: { role: "approver" },
        schema: {
          tags: ["changes"],
          operationId: "approveChange",
          summary: "Approve a pending high-risk change (approver role; not its requester)",
          params: idParams,
          querystring: noQuery,
          body: emptyBody,
          response: { 200: changeResponse, ...problemResponses },
        },
      },
      async (request) => services.approve(request.params.id, principalOf(request)),
    );

    api.post<{ Params: { id: string }; Body: { reason: string } }>(
      "/changes/:id/reject",
      {
        config: { role: "approver" },
        schema: {
          tags: ["changes"],
          operationId: "rejectChange",
          summary: "Reject an open change (approver role)",
          params: idParams,
          querystring: noQuery,
          body: rejectBody,
          response: { 200: changeResponse, ...problemResponses },
        },
      },
      async (request) => services.reject(request.params.id, principalOf(request), request.body.reason),
    );

    api.post<{ Params: { id: string } }>(
      "/changes/:id/apply",
      {
        config: { role: "operator" },
        schema: {
          tags: ["changes"],
          operationId: "applyChange",
          summary:
            "Start the apply job of an approved change; returns at once (202), poll the change for progress",
          params: idParams,
          querystring: noQuery,
          body: emptyBody,
          response: { 202: changeResponse, ...problemResponses },
        },
      },
      async (request, reply) => {
        const change = await services.apply(request.params.id, principalOf(request));
        return reply.status(202).header("location", `/api/v1/changes/${change.id}`).send(change);
      },
    );
  };
}
