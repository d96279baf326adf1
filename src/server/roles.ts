import { type Principal, type Role, ServiceError } from "./contract.js";

const RANK: Record<Role, number> = { viewer: 0, operator: 1, approver: 2 };

/** Throws 403 unless `by` has at least `role`; both views and the services call it. */
export function requireRole(by: Principal, role: Role, action: string): void {
  if (RANK[by.role] < RANK[role]) {
    throw new ServiceError(403, "forbidden", `${action} needs the ${role} role; this token has ${by.role}`);
  }
}
