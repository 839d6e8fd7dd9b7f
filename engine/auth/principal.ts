// Who is asking, and what their role lets them do. The check lives here, in
// engine: the API and the chat bots both call authorize() before acting.
import { AuthError } from '../errors.js';
import type { Role } from '../store/schema.js';

export interface Principal {
  kind: 'token' | 'chat' | 'cli';
  id: string;
  /** null = every project (the bootstrap admin token, the local CLI). */
  projectId: string | null;
  role: Role;
}

export const permissions = {
  'project.read': 'artist',
  review: 'artist',
  /** Approving an asset as a whole: the lead's call once the variants are chosen. */
  'review.asset': 'lead',
  'rules.read': 'artist',
  'rules.write': 'lead',
  'rules.dryrun': 'lead',
  'events.emit': 'lead',
  'entities.write': 'lead',
  'project.admin': 'admin',
  approvals: 'admin',
  halt: 'admin',
} as const satisfies Record<string, Role>;
export type Permission = keyof typeof permissions;

const rank: Record<Role, number> = { artist: 1, lead: 2, admin: 3 };

export function can(principal: Principal, projectId: string, permission: Permission): boolean {
  if (principal.projectId !== null && principal.projectId !== projectId) return false;
  return rank[principal.role] >= rank[permissions[permission]];
}

export function authorize(principal: Principal, projectId: string, permission: Permission): void {
  if (principal.projectId !== null && principal.projectId !== projectId)
    throw new AuthError('forbidden', `This token belongs to project '${principal.projectId}', not '${projectId}'.`);
  if (!can(principal, projectId, permission))
    throw new AuthError('forbidden', `'${permission}' needs the ${permissions[permission]} role; this token has ${principal.role}.`);
}

/** At least `role` in `projectId` (or on every project): the API's gate before a body is read (the engine checks again). */
export function authorizeRole(principal: Principal, projectId: string | null, role: Role): void {
  if (projectId !== null && principal.projectId !== null && principal.projectId !== projectId)
    throw new AuthError('forbidden', `This token belongs to project '${principal.projectId}', not '${projectId}'.`);
  if (rank[principal.role] < rank[role]) throw new AuthError('forbidden', `This needs the ${role} role; this token has ${principal.role}.`);
}

/** Creating projects needs a token that is admin on every project. */
export function authorizeGlobalAdmin(principal: Principal): void {
  if (principal.projectId !== null || principal.role !== 'admin')
    throw new AuthError('forbidden', 'Only a global admin token (GREENLIGHT_ADMIN_TOKEN) may do this.');
}

export const cliPrincipal: Principal = { kind: 'cli', id: 'cli', projectId: null, role: 'admin' };
