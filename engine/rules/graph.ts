// The static chain graph of a project's rules (event → rule → action →
// emitted event), and cycle detection across rules for save-time warnings.
// Conditions are ignored here: the graph shows what *can* follow what.
import { approvalGate, emittedTypesOf, runEventTypes } from './actions.js';
import type { RuleRecord } from './schema.js';

export interface GraphNode {
  id: string;
  kind: 'event' | 'schedule' | 'rule' | 'gate' | 'action';
  label: string;
  ruleId?: string;
  enabled?: boolean;
  inCycle?: boolean;
}
export interface GraphEdge {
  from: string;
  to: string;
  inCycle?: boolean;
}
export interface ChainGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  cycles: string[][];
}

const allRunEvents = Object.values(runEventTypes);

/** Event types a rule can emit: its actions' events plus the run.* lifecycle events. */
export function ruleEmits(rule: RuleRecord): string[] {
  return [...new Set([...rule.definition.actions.flatMap(emittedTypesOf), ...allRunEvents])];
}

/** Rule → rules it can trigger directly. */
export function ruleSuccessors(rules: RuleRecord[]): Map<string, string[]> {
  const byTrigger = new Map<string, string[]>();
  for (const r of rules) {
    if (!('event' in r.definition.trigger)) continue;
    const list = byTrigger.get(r.definition.trigger.event) ?? [];
    list.push(r.id);
    byTrigger.set(r.definition.trigger.event, list);
  }
  const out = new Map<string, string[]>();
  for (const r of rules) out.set(r.id, [...new Set(ruleEmits(r).flatMap((t) => byTrigger.get(t) ?? []))].sort());
  return out;
}

/**
 * Elementary cycles among rules, each as [a, b, …, a] starting at its smallest
 * id. Bounded by `limit` so a dense rule set cannot stall a save.
 */
export function findCycles(rules: RuleRecord[], limit = 100): string[][] {
  const succ = ruleSuccessors(rules);
  const ids = [...succ.keys()].sort();
  const cycles: string[][] = [];
  for (const start of ids) {
    // Only cycles whose smallest member is `start`: each cycle is found once.
    const stack: string[] = [start];
    const onPath = new Set([start]);
    const walk = (node: string): boolean => {
      for (const next of succ.get(node) ?? []) {
        if (next < start) continue;
        if (next === start) {
          cycles.push([...stack, start]);
          if (cycles.length >= limit) return true;
        } else if (!onPath.has(next)) {
          stack.push(next);
          onPath.add(next);
          if (walk(next)) return true;
          stack.pop();
          onPath.delete(next);
        }
      }
      return false;
    };
    if (walk(start)) break;
  }
  return cycles;
}

export function chainGraph(rules: RuleRecord[]): ChainGraph {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const cycles = findCycles(rules);
  const cyclic = new Set(cycles.flat());
  const listened = new Set(rules.flatMap((r) => ('event' in r.definition.trigger ? [r.definition.trigger.event] : [])));
  const eventNode = (type: string) => {
    const id = `event:${type}`;
    if (!nodes.has(id)) nodes.set(id, { id, kind: 'event', label: type });
    return id;
  };
  for (const r of rules) {
    const def = r.definition;
    const ruleNode = `rule:${r.id}`;
    nodes.set(ruleNode, {
      id: ruleNode,
      kind: 'rule',
      label: def.name,
      ruleId: r.id,
      enabled: r.enabled,
      ...(cyclic.has(r.id) ? { inCycle: true } : {}),
    });
    if ('event' in def.trigger)
      edges.push({ from: eventNode(def.trigger.event), to: ruleNode, ...(cyclic.has(r.id) ? { inCycle: true } : {}) });
    else {
      const id = `schedule:${r.id}`;
      nodes.set(id, { id, kind: 'schedule', label: def.trigger.schedule, ruleId: r.id });
      edges.push({ from: id, to: ruleNode });
    }
    const gated = approvalGate(def) !== null;
    let from = ruleNode;
    if (gated) {
      from = `gate:${r.id}`;
      nodes.set(from, { id: from, kind: 'gate', label: 'admin approval', ruleId: r.id });
      edges.push({ from: ruleNode, to: from });
    }
    for (const a of def.actions) {
      const actionNode = `action:${r.id}/${a.id}`;
      const label = a.type === 'enqueue_job' ? `enqueue_job ${a.config.type}` : a.type;
      nodes.set(actionNode, { id: actionNode, kind: 'action', label, ruleId: r.id });
      edges.push({ from, to: actionNode });
      for (const t of emittedTypesOf(a)) edges.push({ from: actionNode, to: eventNode(t) });
    }
    for (const t of allRunEvents) if (listened.has(t)) edges.push({ from: ruleNode, to: eventNode(t) });
  }
  // An edge is on a cycle when it links two points of the same rule cycle.
  for (const e of edges) {
    if (e.inCycle) continue;
    const fromRule = nodes.get(e.from)?.ruleId;
    if (fromRule && cyclic.has(fromRule) && e.to.startsWith('event:')) {
      const t = e.to.slice('event:'.length);
      if (rules.some((r) => cyclic.has(r.id) && 'event' in r.definition.trigger && r.definition.trigger.event === t)) e.inCycle = true;
    } else if (fromRule && cyclic.has(fromRule) && !e.to.startsWith('event:')) e.inCycle = true;
  }
  return { nodes: [...nodes.values()], edges, cycles };
}
