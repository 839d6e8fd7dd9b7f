// Prometheus metrics (prom-client), one registry per engine — no global
// default registry, so tests and several engines in one process stay apart.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricsSources {
  runsByStatus(): { status: string; n: number }[];
  queueDepths(): Promise<{ queue: string; state: string; n: number }[]>;
}

export function createMetrics(sources: MetricsSources) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'greenlight_process_' });
  const eventsIn = new Counter({
    name: 'greenlight_events_in_total',
    help: 'Events stored, by source',
    labelNames: ['source'],
    registers: [registry],
  });
  const firstStep = new Histogram({
    name: 'greenlight_event_to_first_step_seconds',
    help: 'From an event being stored to the first step of a run it caused being started',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: 'greenlight_runs',
    help: 'Runs by status',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of sources.runsByStatus()) this.set({ status: r.status }, r.n);
    },
  });
  new Gauge({
    name: 'greenlight_queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const d of await sources.queueDepths().catch(() => [])) this.set({ queue: d.queue, state: d.state }, d.n);
    },
  });
  return {
    registry,
    eventStored: (source: string) => eventsIn.inc({ source: source.split(':')[0] }),
    firstStepStarted: (seconds: number) => firstStep.observe(seconds),
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
