// The chain graph page: the project's rules as a directed graph (event types →
// rules → approval gates → actions → emitted events → rules), laid out on the
// server and drawn as SVG. Rules link to their place in the rules list;
// disabled, halted and cyclic rules and approval gates are styled apart (the
// legend says how); ?run=<runId> highlights the rules that run's chain fired.
import type { LaidGraph, LaidNode } from './graph-layout.js';
import { Layout, type PageContext } from './pages.js';

const shapeOf = (n: LaidNode) => {
  const x = n.x - n.w / 2;
  const y = n.y - n.h / 2;
  if (n.kind === 'gate')
    return (
      <polygon
        points={`${x + 10},${y} ${x + n.w - 10},${y} ${x + n.w},${n.y} ${x + n.w - 10},${y + n.h} ${x + 10},${y + n.h} ${x},${n.y}`}
      />
    );
  return <rect x={x} y={y} width={n.w} height={n.h} rx={n.kind === 'event' || n.kind === 'schedule' ? n.h / 2 : 6} />;
};

export function GraphSvg(props: { graph: LaidGraph; base: string; halted: Set<string>; lit: Set<string> }) {
  const { graph, base } = props;
  const classOf = (n: LaidNode) =>
    [
      'node',
      `kind-${n.kind}`,
      n.kind === 'rule' && n.enabled === false ? 'disabled' : '',
      n.ruleId && props.halted.has(n.ruleId) && n.kind === 'rule' ? 'halted' : '',
      n.inCycle ? 'cycle' : '',
      n.ruleId && props.lit.has(n.ruleId) ? 'lit' : '',
    ]
      .filter(Boolean)
      .join(' ');
  return (
    <svg
      class="graph"
      viewBox={`0 0 ${Math.ceil(graph.width)} ${Math.ceil(graph.height)}`}
      width={Math.ceil(graph.width)}
      height={Math.ceil(graph.height)}
      role="img"
      aria-label={`Chain graph: ${graph.nodes.filter((n) => n.kind === 'rule').length} rules`}
    >
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead" />
        </marker>
      </defs>
      {graph.edges.map((e) => (
        <polyline
          class={`edge${e.inCycle ? ' cycle' : ''}`}
          points={e.points.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')}
          marker-end="url(#arrow)"
        />
      ))}
      {graph.nodes.map((n) => {
        const box = (
          <g class={classOf(n)} data-node={n.id}>
            <title>{`${n.kind}: ${n.label}`}</title>
            {shapeOf(n)}
            <text x={n.x} y={n.y} dominant-baseline="central" text-anchor="middle">
              {n.text}
            </text>
          </g>
        );
        return n.kind === 'rule' && n.ruleId ? <a href={`${base}/rules/${encodeURIComponent(n.ruleId)}/edit`}>{box}</a> : box;
      })}
    </svg>
  );
}

export function GraphPage(props: {
  ctx: PageContext;
  projectId: string;
  graph: LaidGraph;
  halted: Set<string>;
  lit: Set<string>;
  runId: string | null;
  cycles: string[][];
}) {
  const base = `/review/projects/${encodeURIComponent(props.projectId)}`;
  const rules = props.graph.nodes.filter((n) => n.kind === 'rule').length;
  return (
    <Layout ctx={props.ctx} automation>
      <p>
        <a href={`${base}/rules`}>← Rules</a>
      </p>
      <h1>Chain graph</h1>
      <p class="muted">
        {rules} rule{rules === 1 ? '' : 's'}: what can follow what (conditions aside). Click a rule to open it.
        {props.runId ? ` Highlighted: the rules run ${props.runId}'s chain fired.` : ''}
      </p>
      {props.cycles.length > 0 ? (
        <p class="error" role="status">
          Cycles: {props.cycles.map((c) => c.join(' → ')).join('; ')} (runs stop at each rule's maxDepth).
        </p>
      ) : null}
      <ul class="legend" aria-label="Legend">
        <li>
          <span class="key kind-event" /> event type
        </li>
        <li>
          <span class="key kind-schedule" /> schedule
        </li>
        <li>
          <span class="key kind-rule" /> rule (automated)
        </li>
        <li>
          <span class="key kind-gate" /> admin approval gate
        </li>
        <li>
          <span class="key kind-action" /> action
        </li>
        <li>
          <span class="key kind-rule disabled" /> disabled
        </li>
        <li>
          <span class="key kind-rule halted" /> halted
        </li>
        <li>
          <span class="key kind-rule cycle" /> on a cycle
        </li>
        {props.runId ? (
          <li>
            <span class="key kind-rule lit" /> this run's chain
          </li>
        ) : null}
      </ul>
      <div class="graph-wrap">
        <GraphSvg graph={props.graph} base={base} halted={props.halted} lit={props.lit} />
      </div>
    </Layout>
  );
}
