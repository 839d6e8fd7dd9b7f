// The chain graph laid out on the server (dagre, left to right): each node a
// box sized from its label, each edge a polyline. review-web/graph-page.tsx
// draws the result as SVG; no layout runs in the browser.
import dagre from '@dagrejs/dagre';
import type { ChainGraph, GraphNode } from '../engine/index.js';

export interface LaidNode extends GraphNode {
  /** Centre, width, height (px). */
  x: number;
  y: number;
  w: number;
  h: number;
  /** The label as drawn (long ones cut). */
  text: string;
}
export interface LaidEdge {
  from: string;
  to: string;
  inCycle: boolean;
  points: { x: number; y: number }[];
}
export interface LaidGraph {
  nodes: LaidNode[];
  edges: LaidEdge[];
  width: number;
  height: number;
}

const MAX_LABEL = 36;
/** About the advance of a 13 px system-ui character; boxes are sized from it (no fonts to measure on a server). */
const CHAR_PX = 7.4;

export function layoutGraph(graph: ChainGraph): LaidGraph {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 56, edgesep: 10, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) {
    const text = n.label.length > MAX_LABEL ? `${n.label.slice(0, MAX_LABEL - 1)}…` : n.label;
    const w = Math.round(text.length * CHAR_PX + (n.kind === 'gate' ? 36 : 24));
    g.setNode(n.id, { width: w, height: n.kind === 'rule' ? 40 : 30, text });
  }
  graph.edges.forEach((e, i) => g.setEdge(e.from, e.to, {}, `e${i}`));
  dagre.layout(g);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const nodes = g.nodes().map((id: string) => {
    const v = g.node(id) as { x: number; y: number; width: number; height: number; text: string };
    return { ...byId.get(id)!, x: v.x, y: v.y, w: v.width, h: v.height, text: v.text };
  });
  const edges = graph.edges.map((e, i) => ({
    from: e.from,
    to: e.to,
    inCycle: e.inCycle === true,
    points: (g.edge({ v: e.from, w: e.to, name: `e${i}` }) as { points: { x: number; y: number }[] }).points,
  }));
  const { width = 0, height = 0 } = g.graph() as { width?: number; height?: number };
  return { nodes, edges, width, height };
}
