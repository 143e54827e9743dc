// PromQL read with Prometheus's own grammar (@prometheus-io/lezer-promql): the metric names and
// label names an expression uses, and its syntax errors. The rules and dashboard tests use it to
// check their expressions against what `ipvsadm metrics` exports.
import { parser } from '@prometheus-io/lezer-promql';

export interface PromqlNames {
  /** names of the vector selectors (`foo` in `rate(foo{a="b"}[5m])`) */
  readonly metrics: string[];
  /** label names in matchers, `by`/`without` and `on`/`ignoring`/`group_*` lists */
  readonly labels: string[];
  /** the text around each syntax error (none for a valid expression) */
  readonly errors: string[];
}

export function promqlNames(expr: string): PromqlNames {
  const metrics: string[] = [];
  const labels: string[] = [];
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      const text = expr.slice(node.from, node.to);
      if (node.type.isError) errors.push(`at ${node.from}: '${expr.slice(Math.max(0, node.from - 20), node.to + 20)}'`);
      else if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') metrics.push(text);
      else if (node.name === 'LabelName') labels.push(text);
    },
  });
  return { metrics, labels, errors };
}
