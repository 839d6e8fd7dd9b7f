// The dry-run planner: given rules, an event and a view of the world, the tree
// of rule firings that event would cause, down to each rule's maxDepth. Pure:
// it touches no queue, file or row; every piece of state it reads is recorded
// and goes into the plan's hash, so "run exactly this" can tell when anything
// the plan depended on has changed.
import { createHash } from 'node:crypto';
import { approvalGate, jobCountOf, jobTypeOf } from './actions.js';
import {
  approvalOutcome,
  beginRun,
  initialSteps,
  stepEnded,
  type Emission,
  type MachineStep,
  type Outcome,
  type RunFacts,
  type Start,
  type Step,
} from './machine.js';
import { decide, triggersOn, type EntityFacts, type EventView, type HaltFacts, type PlanWorld } from './matching.js';
import type { RuleRecord } from './schema.js';
import { canonicalJson, Unknown } from './values.js';
import type { FiringNode, Plan, PlannedEvent, PlanOptions, PlanStop, StepNode } from './plan.js';

export type { FiringNode, Plan, PlannedEvent, PlanOptions, PlanStop, StepNode } from './plan.js';

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

interface Queued {
  ev: PlannedEvent;
  chain: string[];
  isRoot: boolean;
  /** Inside a failure branch: counted apart, and its steps get no failure branches of their own. */
  failure: boolean;
}

export function plan(rules: RuleRecord[], rootEvent: EventView, world: PlanWorld, options: PlanOptions): Plan {
  const reads = new Map<string, unknown>();
  const w = recording(world, reads);
  const maxFirings = options.maxFirings ?? 500;
  const defaults = options.defaults ?? { exportProfile: 'custom' };
  const branches = options.failureBranches ?? true;
  const stops: PlanStop[] = [];
  const cycles = new Map<string, string[]>();
  const firedHere = new Set<string>();
  const summary: Plan['summary'] = {
    firings: 0,
    skips: 0,
    jobs: 0,
    approvals: 0,
    stops: 0,
    failureFirings: 0,
    cost: 0,
    costByJobType: {},
    truncated: false,
  };
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
  const queue: Queued[] = [{ ev: root, chain: [], isRoot: true, failure: false }];
  const planned = (e: Emission, depth: number, failure: boolean): PlannedEvent => ({
    id: `planned-${++counter}`,
    type: e.type,
    subject: e.subject,
    payload: e.payload,
    depth,
    firings: [],
    ...(failure ? { branch: 'failure' as const } : {}),
  });

  /** What the world will say when a started step ends. */
  function outcomeOf(start: Start, ruleId: string): Outcome {
    const given = options.predict?.step?.(start, ruleId);
    if (given) return given;
    if (start.kind === 'engine') {
      const absent = missingTarget(start.action.type, start.config, rootEvent.projectId, w);
      if (absent) return { error: absent };
    }
    return { output: new Unknown(`steps.${start.stepId}.output`) };
  }

  /** Drive the step machine through one run to its end, the way the runner will; the ops it returned, in order. */
  function drive(
    facts: RunFacts,
    first: Step,
    running: Start[] = [],
    onStep?: (start: Start, before: MachineStep[], rest: Start[]) => void,
  ): Step['ops'] {
    const ops = [...first.ops];
    let steps = first.steps;
    const todo: Start[] = [...running, ...first.ops.flatMap((o) => (o.op === 'start' ? [o.start] : []))];
    while (todo.length > 0) {
      const start = todo.shift()!;
      const outcome = outcomeOf(start, facts.ruleId);
      if (onStep && 'output' in outcome) onStep(start, steps, [...todo]);
      const next = stepEnded(facts, steps, { halted: () => false }, start.stepId, start.jobId, outcome);
      steps = next.steps;
      ops.push(...next.ops);
      for (const o of next.ops) if (o.op === 'start') todo.push(o.start);
    }
    return ops;
  }

  while (queue.length > 0) {
    const { ev, chain, isRoot, failure } = queue.shift()!;
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
        if (!failure) summary.skips++;
        if (d.reason === 'truncated') summary.truncated = true;
        if (!failure && (d.reason === 'depth_limit' || d.reason === 'halted' || d.reason === 'truncated')) {
          summary.stops++;
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
      if (def.debounceMs > 0 && !failure) firedHere.add(debounceKey);
      if (failure) summary.failureFirings++;
      else summary.firings++;
      const first = chain.indexOf(rule.id);
      if (first >= 0) {
        node.cycle = [...chain.slice(first), rule.id];
        const key = canonicalJson([...node.cycle].slice(0, -1).sort());
        if (!cycles.has(key)) cycles.set(key, node.cycle);
      }
      node.mode = def.mode;
      node.steps = [];
      node.runEvents = [];
      const gate = approvalGate(def);
      if (gate) {
        const given = options.predict?.approval?.(rule.id);
        node.approval = { required: true, ...gate, decision: given ?? 'approved', assumed: given === undefined };
        if (!failure) summary.approvals++;
        const decided = approvalOutcome(given ?? 'approved', 'deny', 'an admin');
        if (decided && !decided.admit) {
          node.outcome = 'cancelled';
          node.outcomeDetail = decided.reason;
          continue;
        }
      }
      const facts: RunFacts = {
        runId: `${rule.id}.${ev.id}`,
        ruleId: rule.id,
        projectId: rootEvent.projectId,
        def,
        cause: { id: ev.id, type: ev.type, subject: ev.subject as { kind: string; id: string }, payload: ev.payload, depth: ev.depth },
        defaults,
      };
      const stepNodes = new Map<string, StepNode>();
      const nodeOf = (stepId: string, start?: Start): StepNode => {
        let n = stepNodes.get(stepId);
        if (!n) {
          const action = start?.action ?? def.actions.find((a) => a.id === stepId);
          // As the action reads it, resolved: an enqueue_job's { type, input }, another action's own config.
          const config = !start
            ? (action?.config ?? {})
            : start.kind !== 'job'
              ? start.config
              : action?.type === 'enqueue_job'
                ? { type: start.jobType, input: start.input }
                : start.input;
          const jobType = start?.kind === 'job' ? start.jobType : action ? jobTypeOf(action) : null;
          const jobs = jobType && action ? jobCountOf(action, start?.kind === 'job' ? start.input : {}) : 0;
          const cost = jobType ? (options.costs[jobType] ?? 0) * jobs : 0;
          n = {
            id: stepId,
            type: action?.type ?? 'enqueue_job',
            jobType,
            jobId: start?.jobId ?? '',
            config,
            jobs,
            cost,
            needsApproval: node.approval?.steps.includes(stepId) ?? false,
            emits: [],
          };
          stepNodes.set(stepId, n);
          node.steps!.push(n);
          if (start && !failure) {
            summary.jobs += jobs;
            summary.cost += cost;
            if (jobType) summary.costByJobType[jobType] = (summary.costByJobType[jobType] ?? 0) + cost;
          }
        }
        return n;
      };
      const forks: { start: Start; before: MachineStep[]; rest: Start[] }[] = [];
      const ops = drive(facts, beginRun(facts, initialSteps(def), { halted: () => false }), [], (start, before, rest) =>
        forks.push({ start, before, rest }),
      );
      const keys = new Set<string>();
      for (const o of ops) {
        if (o.op === 'start') nodeOf(o.start.stepId, o.start);
        else if (o.op === 'fail') {
          const n = nodeOf(o.stepId);
          n.wouldFail = o.error;
          if (!n.jobId) n.jobId = o.jobId;
          if (o.missing) n.missing = o.missing;
        } else if (o.op === 'end') {
          node.outcome = o.status;
          if (o.error) node.outcomeDetail = o.error;
        } else if (o.op === 'emit') {
          keys.add(o.event.key);
          const child = planned(o.event, ev.depth + 1, failure);
          (o.event.stepId ? nodeOf(o.event.stepId).emits : node.runEvents).push(child);
          queue.push({ ev: child, chain: node.chain, isRoot: false, failure });
        }
      }
      if (!branches || failure) continue;
      // Each step that is expected to succeed, failing instead: what that would emit beyond the expected path.
      for (const fork of forks) {
        const ended = stepEnded(facts, fork.before, { halted: () => false }, fork.start.stepId, fork.start.jobId, {
          error: 'if this step fails',
        });
        const extra = drive(facts, ended, fork.rest).flatMap((o) => (o.op === 'emit' && !keys.has(o.event.key) ? [o.event] : []));
        if (extra.length === 0) continue;
        const n = nodeOf(fork.start.stepId);
        n.onFailure = extra.map((e) => planned(e, ev.depth + 1, true));
        for (const child of n.onFailure) queue.push({ ev: child, chain: node.chain, isRoot: false, failure: true });
      }
    }
  }
  // Sums of decimal costs (0.1 + 0.2): said as the decimals they are, not 0.30000000000000004.
  const decimal = (n: number) => Math.round(n * 1e6) / 1e6;
  summary.cost = decimal(summary.cost);
  for (const k of Object.keys(summary.costByJobType)) summary.costByJobType[k] = decimal(summary.costByJobType[k]!);
  return {
    hash: planHash(rootEvent, rules, options.rootRuleIds, reads),
    root,
    summary,
    stops,
    cycles: [...cycles.values()],
    reads: Object.fromEntries(reads),
  };
}
