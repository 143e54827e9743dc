// PromQL read with Prometheus's own grammar (@prometheus-io/lezer-promql): the metric names and
// label names an expression uses, and its syntax errors. The rules and dashboard tests use it to
// check their expressions against what `ipvsadm metrics` exports.
import { parser } from '@prometheus-io/lezer-promql';

export interface PromqlNames {
  /** names of the vector selectors (`foo` in `rate(foo{a="b"}[5m])`) */
  readonly metrics: string[];
  /** label names in matchers, `by`/`without` and `on`/`ignoring`/`group_*` lists */
  readonly labels: string[];
  /** the matchers that compare a label with one value (`=` or `!=`): label and value */
  readonly equalities: { label: string; value: string }[];
  /** the text around each syntax error (none for a valid expression) */
  readonly errors: string[];
}

export function promqlNames(expr: string): PromqlNames {
  const metrics: string[] = [];
  const labels: string[] = [];
  const errors: string[] = [];
  const equalities: { label: string; value: string }[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      const text = expr.slice(node.from, node.to);
      if (node.type.isError) errors.push(`at ${node.from}: '${expr.slice(Math.max(0, node.from - 20), node.to + 20)}'`);
      else if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') metrics.push(text);
      else if (node.name === 'LabelName') labels.push(text);
      else if (node.name === 'UnquotedLabelMatcher') {
        const [label, op, value] = ['LabelName', 'MatchOp', 'StringLiteral'].map((n) => node.node.getChild(n)).map((n) => (n ? expr.slice(n.from, n.to) : ''));
        if (op === '=' || op === '!=') equalities.push({ label: label!, value: JSON.parse(value!) as string });
      }
    },
  });
  return { metrics, labels, equalities, errors };
}
