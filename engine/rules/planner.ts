// The dry-run planner: given rules, an event and a view of the world, the tree
// of rule firings that event would cause, down to each rule's maxDepth. Pure:
// it touches no queue, file or row; every piece of state it reads is recorded
// and goes into the plan's hash, so "run exactly this" can tell when anything
// the plan depended on has changed.
import { createHash } from 'node:crypto';
import {
  approvalGate,
  followUps,
  jobCountOf,
  jobInputOf,
  jobTypeOf,
  runEventTypes,
  stepEvents,
  stepJobId,
  withDefaults,
  type ActionDefaults,
} from './actions.js';
import { decide, triggersOn, type EntityFacts, type EventView, type HaltFacts, type PlanWorld, type SkipReason } from './matching.js';
import type { RuleRecord } from './schema.js';
import { resolveTemplates, type Missing, type TemplateContext } from './templates.js';
import { canonicalJson, Unknown } from './values.js';

export interface PlanOptions {
  /** Cost units per job type (GREENLIGHT_JOB_COSTS). */
  costs: Record<string, number>;
  /** Rules considered for the root event; default: every enabled rule. */
  rootRuleIds?: string[];
  /** Stop expanding after this many firing nodes (each one past it is a 'truncated' stop). */
  maxFirings?: number;
  /** Project defaults actions fall back on. */
  defaults?: ActionDefaults;
}

export interface PlannedEvent {
  id: string;
  type: string;
  subject: { kind: string; id: unknown };
  payload: Record<string, unknown>;
  depth: number;
  firings: FiringNode[];
}

export interface StepNode {
  id: string;
  type: string;
  jobType: string | null;
  jobId: string;
  config: unknown;
  jobs: number;
  cost: number;
  needsApproval: boolean;
  missing?: Missing[];
  wouldFail?: string;
  emits: PlannedEvent[];
}

export interface FiringNode {
  ruleId: string;
  ruleVersion: number;
  ruleName: string;
  depth: number;
  decision: 'fire' | 'skip';
  reason?: SkipReason;
  detail?: string;
  uncertain?: boolean;
  cycle?: string[];
  chain: string[];
  approval?: { required: true; reason: 'always' | 'costly'; steps: string[] };
  mode?: 'sequential' | 'parallel';
  steps?: StepNode[];
  /** run.* events, listed only when some rule listens to them. */
  runEvents?: PlannedEvent[];
}

export interface PlanStop {
  reason: SkipReason;
  ruleId: string;
  eventType: string;
  depth: number;
  chain: string[];
  detail?: string;
}

export interface Plan {
  hash: string;
  root: PlannedEvent;
  summary: {
    firings: number;
    skips: number;
    jobs: number;
    approvals: number;
    stops: number;
    cost: number;
    costByJobType: Record<string, number>;
    truncated: boolean;
  };
  stops: PlanStop[];
  cycles: string[][];
  reads: Record<string, unknown>;
}

/** Wrap a world so every answer it gives is written down under a stable key. */
function recording(world: PlanWorld, reads: Map<string, unknown>): PlanWorld {
  return {
    halt(projectId, ruleId): HaltFacts | null {
      const v = world.halt(projectId, ruleId);
      reads.set(`halt/${projectId}/${ruleId}`, v);
      return v;
    },
    entity(projectId, kind, id): EntityFacts | null {
      const v = world.entity(projectId, kind, id);
      reads.set(`entity/${projectId}/${kind}/${id}`, v);
      return v;
    },
    recentlyFired(projectId, ruleId, subject, windowMs): boolean {
      const v = world.recentlyFired(projectId, ruleId, subject, windowMs);
      reads.set(`debounce/${projectId}/${ruleId}/${subject.kind}/${subject.id}/${windowMs}`, v);
      return v;
    },
  };
}

export function planHash(event: EventView, rules: RuleRecord[], rootRuleIds: string[] | undefined, reads: Map<string, unknown>): string {
  const input = {
    event: { type: event.type, subject: event.subject, payload: event.payload, depth: event.depth, projectId: event.projectId },
    rules: rules.map((r) => [r.id, r.version, r.enabled]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    root: rootRuleIds ? [...rootRuleIds].sort() : null,
    reads: [...reads.entries()].sort(([a], [b]) => a.localeCompare(b)),
  };
  return createHash('sha256').update(canonicalJson(input)).digest('hex').slice(0, 32);
}

/** Engine-side actions fail on a target that does not exist; the planner reads the same fact. */
function missingTarget(type: string, config: Record<string, unknown>, projectId: string, world: PlanWorld): string | null {
  if (type !== 'apply_tags' && type !== 'set_status') return null;
  const [kind, id] = config.variantId !== undefined ? ['variant', config.variantId] : ['asset', config.assetId];
  if (typeof id !== 'string') return null;
  return world.entity(projectId, kind, id) ? null : `${kind} '${id}' does not exist`;
}

export function plan(rules: RuleRecord[], rootEvent: EventView, world: PlanWorld, options: PlanOptions): Plan {
  const reads = new Map<string, unknown>();
  const w = recording(world, reads);
  const maxFirings = options.maxFirings ?? 500;
  const stops: PlanStop[] = [];
  const cycles = new Map<string, string[]>();
  const firedHere = new Set<string>();
  const listened = new Set(rules.flatMap((r) => ('event' in r.definition.trigger ? [r.definition.trigger.event] : [])));
  const summary: Plan['summary'] = { firings: 0, skips: 0, jobs: 0, approvals: 0, stops: 0, cost: 0, costByJobType: {}, truncated: false };
  let nodes = 0;
  let counter = 0;

  const root: PlannedEvent = {
    id: rootEvent.id ?? 'sample',
    type: rootEvent.type,
    subject: rootEvent.subject,
    payload: rootEvent.payload,
    depth: rootEvent.depth,
    firings: [],
  };
  const queue: { ev: PlannedEvent; chain: string[]; isRoot: boolean }[] = [{ ev: root, chain: [], isRoot: true }];

  const newEvent = (
    spec: { type: string; subject: { kind: string; id: unknown }; payload: Record<string, unknown> },
    depth: number,
  ): PlannedEvent => ({
    id: `planned-${++counter}`,
    type: spec.type,
    subject: spec.subject,
    payload: spec.payload,
    depth,
    firings: [],
  });

  while (queue.length > 0) {
    const { ev, chain, isRoot } = queue.shift()!;
    const view: EventView = { ...ev, projectId: rootEvent.projectId, id: ev.id };
    const candidates = rules.filter(
      (r) => triggersOn(r, ev) && (isRoot && options.rootRuleIds ? options.rootRuleIds.includes(r.id) : r.enabled),
    );
    for (const rule of candidates) {
      const def = rule.definition;
      const node: FiringNode = {
        ruleId: rule.id,
        ruleVersion: rule.version,
        ruleName: def.name,
        depth: ev.depth,
        decision: 'skip',
        chain: [...chain, rule.id],
      };
      ev.firings.push(node);
      let d =
        nodes >= maxFirings
          ? { fires: false, reason: 'truncated' as const, detail: `plan stopped after ${maxFirings} firings` }
          : decide(rule, view, w);
      const debounceKey = `${rule.id}|${ev.subject.kind}|${String(ev.subject.id)}`;
      if (d.fires && def.debounceMs > 0 && firedHere.has(debounceKey))
        d = {
          fires: false,
          reason: 'debounced',
          detail: `fired earlier in this chain for ${ev.subject.kind} ${String(ev.subject.id)} (debounce ${def.debounceMs} ms)`,
        };
      if (!d.fires) {
        node.reason = d.reason!;
        if (d.detail) node.detail = d.detail;
        summary.skips++;
        if (d.reason === 'depth_limit' || d.reason === 'halted' || d.reason === 'truncated') {
          summary.stops++;
          if (d.reason === 'truncated') summary.truncated = true;
          stops.push({
            reason: d.reason,
            ruleId: rule.id,
            eventType: ev.type,
            depth: ev.depth,
            chain: node.chain,
            ...(d.detail ? { detail: d.detail } : {}),
          });
        }
        continue;
      }
      nodes++;
      node.decision = 'fire';
      if (d.uncertain) node.uncertain = true;
      if (def.debounceMs > 0) firedHere.add(debounceKey);
      summary.firings++;
      const first = chain.indexOf(rule.id);
      if (first >= 0) {
        node.cycle = [...chain.slice(first), rule.id];
        const key = canonicalJson([...node.cycle].slice(0, -1).sort());
        if (!cycles.has(key)) cycles.set(key, node.cycle);
      }
      node.mode = def.mode;
      const gate = approvalGate(def);
      if (gate) {
        node.approval = { required: true, ...gate };
        summary.approvals++;
      }
      const tctx: TemplateContext = {
        projectId: rootEvent.projectId,
        event: { id: ev.id, type: ev.type, subject: ev.subject as { kind: string; id: string }, payload: ev.payload, depth: ev.depth },
        steps: {},
      };
      node.steps = [];
      let failed = false;
      const actions = [...def.actions];
      for (let k = 0; k < actions.length; k++) {
        const action = actions[k]!;
        if (failed && def.mode === 'sequential') break;
        const jobId = stepJobId(rule.id, ev.id, action.id);
        const { value, missing } = resolveTemplates(action.config, tctx);
        const config = withDefaults(action, value as Record<string, unknown>, options.defaults ?? { exportProfile: 'custom' });
        const jt = jobTypeOf(action);
        const jobs = jobCountOf(action, config);
        const cost = jt ? (options.costs[jt] ?? 0) * jobs : 0;
        const step: StepNode = {
          id: action.id,
          type: action.type,
          jobType: jt,
          jobId,
          config,
          jobs,
          cost,
          needsApproval: node.approval?.steps.includes(action.id) ?? false,
          emits: [],
        };
        node.steps.push(step);
        const absent =
          missing.length > 0
            ? `placeholder ${missing[0]!.placeholder} has no value`
            : missingTarget(action.type, config, rootEvent.projectId, w);
        if (absent) {
          if (missing.length > 0) step.missing = missing;
          step.wouldFail = absent;
          failed = true;
          continue;
        }
        summary.jobs += jobs;
        summary.cost += cost;
        if (jt) summary.costByJobType[jt] = (summary.costByJobType[jt] ?? 0) + cost;
        const output = new Unknown(`steps.${action.id}.output`);
        const stepState = { input: jt ? config : undefined, output, jobId };
        tctx.steps[action.id] = stepState;
        if (def.mode === 'sequential') tctx.previous = stepState;
        for (const spec of stepEvents(action, { jobId, resolvedConfig: config, output })) {
          const child = newEvent(spec, ev.depth + 1);
          step.emits.push(child);
          queue.push({ ev: child, chain: node.chain, isRoot: false });
        }
        if (jt)
          actions.push(
            ...followUps(action, jobInputOf(action, config), { ...tctx, previous: { input: jobInputOf(action, config), output, jobId } }),
          );
      }
      const runTypes = [
        runEventTypes.started,
        ...node.steps.filter((s) => !s.wouldFail).map(() => runEventTypes.stepCompleted),
        failed ? runEventTypes.failed : runEventTypes.completed,
      ];
      const heard = runTypes.filter((t) => listened.has(t));
      if (heard.length > 0) {
        node.runEvents = [];
        for (const t of heard) {
          const child = newEvent(
            {
              type: t,
              subject: { kind: 'run', id: `${rule.id}.${ev.id}` },
              payload: { ruleId: rule.id, eventId: ev.id, eventType: ev.type },
            },
            ev.depth + 1,
          );
          node.runEvents.push(child);
          queue.push({ ev: child, chain: node.chain, isRoot: false });
        }
      }
    }
  }
  return {
    hash: planHash(rootEvent, rules, options.rootRuleIds, reads),
    root,
    summary,
    stops,
    cycles: [...cycles.values()],
    reads: Object.fromEntries(reads),
  };
}
