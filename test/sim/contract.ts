import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import * as formatsModule from "ajv-formats";
import { parse } from "yaml";

/**
 * Validates simulator replies against contract/v2-contract.openapi.yaml. The OpenAPI components are added to
 * ajv as one schema document with an id, and `#/components/...` refs are rewritten to point into it.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const CONTRACT_ID = "https://dialrules.invalid/v2-contract";
const contract = parse(
  readFileSync(new URL("../../contract/v2-contract.openapi.yaml", import.meta.url), "utf8"),
) as JsonObject;

function asObject(value: Json | undefined, where: string): JsonObject {
  if (value === null || value === undefined || typeof value !== "object" || Array.isArray(value)) {
    throw new Error(`contract: ${where} is not an object`);
  }
  return value;
}

function rewriteRefs(value: Json): Json {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== "object") return value;
  const out: JsonObject = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] =
      key === "$ref" && typeof inner === "string" && inner.startsWith("#/")
        ? `${CONTRACT_ID}${inner}`
        : rewriteRefs(inner);
  }
  return out;
}

/** ajv-formats is CommonJS; its callable export sits on `default` or on the module itself depending on the loader. */
type FormatsPlugin = (ajv: Ajv) => Ajv;
const addFormats = ((formatsModule as unknown as { default?: FormatsPlugin }).default ??
  (formatsModule as unknown as FormatsPlugin)) as FormatsPlugin;

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addSchema({ $id: CONTRACT_ID, components: asObject(contract.components, "components") });

function resolveResponse(response: JsonObject): JsonObject {
  const ref = response.$ref;
  if (typeof ref !== "string") return response;
  const name = ref.replace("#/components/responses/", "");
  return asObject(asObject(asObject(contract.components, "components").responses, "responses")[name], ref);
}

const compiled = new Map<string, ValidateFunction>();

/** The JSON reply schema of one operation and status, e.g. ("/api/v2/outbound/campaigns/{campaignId}", "patch", 409). */
export function replyValidator(path: string, method: string, status: number): ValidateFunction {
  const key = `${method} ${path} ${status}`;
  const cached = compiled.get(key);
  if (cached) return cached;
  const operation = asObject(asObject(asObject(contract.paths, "paths")[path], path)[method], key);
  const response = resolveResponse(asObject(asObject(operation.responses, key)[String(status)], key));
  const schema = asObject(
    asObject(asObject(asObject(response.content, key)["application/json"], key).schema, key),
    key,
  );
  const validate = ajv.compile(rewriteRefs(schema) as JsonObject);
  compiled.set(key, validate);
  return validate;
}

/** The named component schema, e.g. "Campaign". */
export function componentValidator(name: string): ValidateFunction {
  return ajv.compile({ $ref: `${CONTRACT_ID}#/components/schemas/${name}` });
}

/** Throws with ajv's explanation when `body` breaks the contract; returns the body for chaining. */
export function expectContract(path: string, method: string, status: number, body: unknown): unknown {
  const validate = replyValidator(path, method, status);
  if (!validate(body)) {
    throw new Error(
      `${method.toUpperCase()} ${path} ${status} breaks the contract: ${ajv.errorsText(validate.errors)}`,
    );
  }
  return body;
}

/** Whether the contract declares a header as required for this reply (e.g. Retry-After on 429). */
export function requiredHeaders(path: string, method: string, status: number): string[] {
  const operation = asObject(asObject(asObject(contract.paths, "paths")[path], path)[method], path);
  const response = resolveResponse(asObject(asObject(operation.responses, path)[String(status)], path));
  const headers = response.headers;
  if (!headers || typeof headers !== "object" || Array.isArray(headers)) return [];
  return Object.entries(headers)
    .filter(
      ([, spec]) =>
        spec !== null && typeof spec === "object" && !Array.isArray(spec) && spec.required === true,
    )
    .map(([name]) => name.toLowerCase());
}
