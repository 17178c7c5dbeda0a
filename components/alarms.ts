import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** One CloudWatch metric, as an alarm or a metric-math expression reads it. */
export interface AlarmMetric {
  namespace: string;
  metricName: string;
  dimensions: Record<string, pulumi.Input<string>>;
  /** A statistic (Average, Sum, Maximum) or a percentile such as p99. */
  stat: string;
}

/**
 * A CloudWatch alarm on the product. docs/operations.md has a line per alarm, by `name`: what it means and
 * what to do; a test keeps the two in step.
 */
export interface AlarmDefinition {
  /** The alarm's name in AWS and the resource's name, e.g. `nexiom-api-target-5xx`. */
  name: string;
  /** What the alarm means, for the notification. */
  description: string;
  /** One metric, or an expression over named metrics (e.g. a rate: errors / requests). */
  watch: AlarmMetric | { expression: string; label: string; metrics: Record<string, AlarmMetric> };
  comparison: "GreaterThanOrEqualToThreshold" | "GreaterThanThreshold" | "LessThanThreshold";
  threshold: number;
  /** Seconds per datapoint. */
  period: number;
  evaluationPeriods: number;
  /** Breaching datapoints among `evaluationPeriods` that raise the alarm. @default evaluationPeriods */
  datapointsToAlarm?: number;
  /** Quiet metrics (no traffic, no replica) are not trouble. @default "notBreaching" */
  treatMissingData?: "notBreaching" | "breaching" | "missing";
}

const isPercentile = (stat: string) => /^p\d/.test(stat);

/** The alarms, each notifying `topicArn` when it fires and when it clears. */
export function createAlarms(
  parent: pulumi.Resource,
  topicArn: pulumi.Output<string>,
  definitions: AlarmDefinition[],
): aws.cloudwatch.MetricAlarm[] {
  return definitions.map((d) => {
    const watch =
      "expression" in d.watch
        ? {
            metricQueries: [
              ...Object.entries(d.watch.metrics).map(([id, m]) => ({
                id,
                returnData: false,
                metric: { namespace: m.namespace, metricName: m.metricName, dimensions: m.dimensions, stat: m.stat, period: d.period },
              })),
              { id: "result", expression: d.watch.expression, label: d.watch.label, returnData: true },
            ],
          }
        : {
            namespace: d.watch.namespace,
            metricName: d.watch.metricName,
            dimensions: d.watch.dimensions,
            period: d.period,
            ...(isPercentile(d.watch.stat) ? { extendedStatistic: d.watch.stat } : { statistic: d.watch.stat }),
          };
    return new aws.cloudwatch.MetricAlarm(
      d.name,
      {
        name: d.name,
        alarmDescription: `${d.description} What to do: docs/operations.md, ${d.name}.`,
        ...watch,
        comparisonOperator: d.comparison,
        threshold: d.threshold,
        evaluationPeriods: d.evaluationPeriods,
        datapointsToAlarm: d.datapointsToAlarm ?? d.evaluationPeriods,
        treatMissingData: d.treatMissingData ?? "notBreaching",
        alarmActions: [topicArn],
        okActions: [topicArn],
      },
      { parent },
    );
  });
}

/** A percentage of requests, per minute, from two load balancer counts; 0 below `minimumRequests` so one failed request in a quiet minute does not page. */
export function requestRate(errors: AlarmMetric, requests: AlarmMetric, minimumRequests: number): AlarmDefinition["watch"] {
  return {
    expression: `IF(requests >= ${minimumRequests}, 100 * FILL(errors, 0) / requests, 0)`,
    label: `${errors.metricName} as % of ${requests.metricName}`,
    metrics: { errors, requests },
  };
}
