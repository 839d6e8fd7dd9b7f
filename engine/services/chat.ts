// Chat use-cases the bots call: who a chat user is in a project (roles come
// from the project's settings), channel bindings, and the messages the bots
// posted. Role checks stay in engine: a bot only says who pressed what.
import { z } from 'zod';
import { authorize, type Principal } from '../auth/principal.js';
import { NotFoundError } from '../errors.js';
import type { Platform } from '../store/chat.js';
import type { ProjectRow } from '../store/projects.js';
import type { Store } from '../store/store.js';
import type { Role } from '../store/schema.js';
import { parseWith } from '../validation.js';

const rank: Record<Role, number> = { artist: 1, lead: 2, admin: 3 };

/** How a project's role map names a group of chat users: a Slack user group, a Discord server role. */
const groupPrefix = (platform: Platform) => (platform === 'discord' ? 'discord:role:' : 'slack:group:');

export const chatRoleInputSchema = z
  .object({
    /** `slack:U123`, `slack:group:S123` (a user group), `discord:42` or `discord:role:7` (a server role). */
    member: z
      .string()
      .regex(
        /^(slack:(group:)?|discord:(role:)?)[A-Za-z0-9_-]{1,64}$/,
        'write it as slack:<user id>, slack:group:<user group id>, discord:<user id> or discord:role:<role id>',
      ),
    role: z.enum(['artist', 'lead', 'admin']).nullable(),
  })
  .strict();

export function createChatService(deps: { store: Store; requireProject: (id: string) => ProjectRow }) {
  const { chat: repo, projects } = deps.store;
  return {
    /**
     * The principal a chat user acts as in a project: the highest role among their own entry
     * and their groups' (`<platform>:group:<id>`), or null when the project does not know them.
     */
    principalFor(platform: Platform, userId: string, projectId: string, groupIds: string[] = []): Principal | null {
      const roles = deps.requireProject(projectId).settings.roles;
      let best: Role | null = null;
      for (const key of [`${platform}:${userId}`, ...groupIds.map((g) => `${groupPrefix(platform)}${g}`)]) {
        const r = roles[key];
        if (r && (!best || rank[r] > rank[best])) best = r;
      }
      return best ? { kind: 'chat', id: `${platform}:${userId}`, projectId, role: best } : null;
    },
    /** The user groups the project gives roles to (the bot looks up only these). */
    groupsWithRoles(platform: Platform, projectId: string): string[] {
      const prefix = groupPrefix(platform);
      return Object.keys(deps.requireProject(projectId).settings.roles)
        .filter((k) => k.startsWith(prefix))
        .map((k) => k.slice(prefix.length));
    },
    /** Bind a channel to a project (admins of that project only). */
    bind(p: Principal, platform: Platform, channelId: string, projectId: string, purpose: 'review' | 'admin') {
      authorize(p, projectId, 'project.admin');
      deps.requireProject(projectId);
      return repo.bind({ projectId, platform, channelId, purpose }, p.id);
    },
    /** Give a chat member a role in a project, or take it away (role null). */
    setRole(p: Principal, projectId: string, body: unknown) {
      authorize(p, projectId, 'project.admin');
      const project = deps.requireProject(projectId);
      const input = parseWith(chatRoleInputSchema, body, 'chat role');
      const roles = { ...project.settings.roles };
      if (input.role) roles[input.member] = input.role;
      else if (!(input.member in roles)) throw new NotFoundError('chat member', input.member);
      else delete roles[input.member];
      projects.updateSettings(projectId, { ...project.settings, roles }, p.id);
      return { member: input.member, role: input.role };
    },
    /** The project a channel belongs to (its review binding first), or null when unbound. */
    projectOfChannel(platform: Platform, channelId: string): string | null {
      const rows = repo.bindingsOfChannel(platform, channelId);
      return (rows.find((r) => r.purpose === 'review') ?? rows[0])?.projectId ?? null;
    },
    boundProjects: repo.boundProjects,
    channelOf: repo.channelOf,
    recordMessage: repo.recordMessage,
    findMessage: repo.findMessage,
    messagesOf: repo.messagesOf,
    controlId: repo.controlId,
    control: repo.control,
  };
}
export type ChatService = ReturnType<typeof createChatService>;
