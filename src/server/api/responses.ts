/** Response parts every API route shares in its OpenAPI description. */
export const problemResponses = {
  "4xx": {
    description: "Problem details (RFC 9457)",
    content: { "application/problem+json": { schema: { $ref: "Problem#" } } },
  },
  "5xx": {
    description: "Problem details (RFC 9457)",
    content: { "application/problem+json": { schema: { $ref: "Problem#" } } },
  },
} as const;

export const changeResponse = { $ref: "ChangeRequest#" } as const;
