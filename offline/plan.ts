/**
 * Renders what an offline evaluation recorded: the resource tree, the difference between two
 * evaluations (for pull requests), and the topology as a Mermaid diagram. Pure functions of records.
 */
import type { RecordedResource, StackRecord } from "./record";

/** Types whose replacement or removal loses data: their changes are shown first, in bold. */
const statefulTypes = new Set([
  "aws:rds/cluster:Cluster",
  "aws:rds/clusterInstance:ClusterInstance",
  "aws:elasticache/replicationGroup:ReplicationGroup",
  "aws:ecr/repository:Repository",
  "aws:s3/bucket:Bucket",
  "docker:index/volume:Volume",
]);

/** The settings worth a glance per type; other types show their name only. */
const keySettings: Record<string, string[]> = {
  "docker:index/network:Network": ["name"],
  "docker:index/volume:Volume": ["name"],
  "docker:index/remoteImage:RemoteImage": ["name"],
  "docker:index/container:Container": ["name", "user", "memory", "ports", "restart"],
  "docker-build:index:Image": ["tags", "target", "push", "load", "platforms"],
  "random:index/randomPassword:RandomPassword": ["length"],
  "aws:ec2/vpc:Vpc": ["cidrBlock"],
  "aws:ec2/subnet:Subnet": ["cidrBlock", "availabilityZone"],
  "aws:ec2/routeTable:RouteTable": ["routes"],
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ["description", "fromPort", "cidrIpv4", "cidrIpv6"],
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ["description", "fromPort", "cidrIpv4", "prefixListId"],
  "aws:ecs/cluster:Cluster": ["name"],
  "aws:ecs/service:Service": ["name", "desiredCount", "launchType"],
  "aws:ecs/taskDefinition:TaskDefinition": ["family", "cpu", "memory"],
  "aws:lb/loadBalancer:LoadBalancer": ["loadBalancerType", "internal", "enableDeletionProtection"],
  "aws:lb/listener:Listener": ["port", "protocol", "sslPolicy"],
  "aws:lb/listenerRule:ListenerRule": ["priority", "conditions"],
  "aws:lb/targetGroup:TargetGroup": ["port", "targetType", "deregistrationDelay"],
  "aws:rds/cluster:Cluster": ["engine", "engineVersion", "serverlessv2ScalingConfiguration", "deletionProtection"],
  "aws:rds/clusterInstance:ClusterInstance": ["instanceClass", "availabilityZone", "promotionTier"],
  "aws:elasticache/replicationGroup:ReplicationGroup": ["engine", "engineVersion", "nodeType", "numCacheClusters"],
  "aws:ecr/repository:Repository": ["name", "imageTagMutability"],
  "aws:cloudwatch/logGroup:LogGroup": ["name", "retentionInDays"],
  "aws:appautoscaling/target:Target": ["minCapacity", "maxCapacity"],
  "aws:cloudwatch/metricAlarm:MetricAlarm": ["metricName", "extendedStatistic", "comparisonOperator", "threshold", "period", "evaluationPeriods"],
  "aws:sns/topic:Topic": ["name"],
  "aws:sns/topicSubscription:TopicSubscription": ["protocol", "endpoint"],
};

/** `aws:ecs/taskDefinition:TaskDefinition` → `aws.ecs.TaskDefinition`; `docker:index/container:Container` → `docker.Container`. */
function shortType(type: string): string {
  const [pkg, module, name] = type.split(":");
  const mod = (module ?? "").split("/")[0];
  return mod === "index" || mod === "" ? `${pkg}.${name}` : `${pkg}.${mod}.${name}`;
}

const isCovered = (at: string, secretPaths: string[]) => secretPaths.some((s) => at === s || at.startsWith(`${s}.`) || at.startsWith(`${s}[`));

/** Every leaf value by path (`a.b[0].c`), descending into JSON held in strings (task definitions, policies). */
function flatten(value: unknown, at = "", out = new Map<string, unknown>()): Map<string, unknown> {
  if (typeof value === "string" && /^[[{]/.test(value.trim())) {
    try {
      return flatten(JSON.parse(value), at, out);
    } catch {
      // Not JSON after all: a plain string.
    }
  }
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(at, []);
    value.forEach((item, i) => flatten(item, `${at}[${i}]`, out));
  } else if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) out.set(at, {});
    for (const [key, item] of entries) flatten(item, at === "" ? key : `${at}.${key}`, out);
  } else {
    out.set(at, value);
  }
  return out;
}

function show(value: unknown, limit = 60): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

/** Two long values that share a long prefix (image refs, ARNs) shown from a little before they differ. */
function showPair(before: string, after: string, limit = 60): [string, string] {
  let common = 0;
  while (common < before.length && common < after.length && before[common] === after[common]) common++;
  const start = Math.max(0, common - 16);
  const cut = (text: string) => show(start > 0 ? `…${text.slice(start)}` : text, limit);
  return [cut(before), cut(after)];
}

function componentOf(record: StackRecord): (resource: RecordedResource) => RecordedResource | undefined {
  const byUrn = new Map(record.resources.map((r) => [r.urn, r]));
  return (resource) => {
    let parent = resource.parent ? byUrn.get(resource.parent) : undefined;
    while (parent && parent.custom) parent = parent.parent ? byUrn.get(parent.parent) : undefined;
    return parent;
  };
}

const componentLabel = (component: RecordedResource | undefined) => (component ? `${component.type.split(":").pop()} ${component.name}` : "(stack)");

/** The resource tree: each component, the resources under it and their key settings, secrets masked. */
export function renderTree(record: StackRecord): string {
  const components = record.resources.filter((r) => !r.custom);
  const parentOf = componentOf(record);
  const lines = [`Stack ${record.stack}: ${record.resources.filter((r) => r.custom).length} resources in ${components.length} components`, ""];
  const groups = [...components, undefined].map((component) => ({
    component,
    resources: record.resources.filter((r) => r.custom && parentOf(r)?.urn === component?.urn),
  }));
  for (const { component, resources } of groups) {
    if (!component && resources.length === 0) continue;
    lines.push(componentLabel(component));
    const width = Math.max(...resources.map((r) => `${shortType(r.type)} ${r.name}`.length));
    for (const resource of resources) {
      const settings = (keySettings[resource.type] ?? [])
        .filter((key) => resource.inputs[key] !== undefined)
        .map((key) => `${key}=${isCovered(key, resource.secretPaths) ? "[secret]" : show(resource.inputs[key], 48)}`);
      const flags = [resource.protect ? "protected" : "", resource.retainOnDelete ? "retained on delete" : ""].filter(Boolean);
      const head = `${shortType(resource.type)} ${resource.name}`.padEnd(width);
      lines.push(`  ${head}  ${[...settings, ...flags.map((f) => `[${f}]`)].join("  ")}`.trimEnd());
    }
    lines.push("");
  }
  return lines.join("\n").trimEnd() + "\n";
}

export interface ResourceChange {
  kind: "add" | "remove" | "change";
  resource: RecordedResource;
  component: string;
  /** For changes: path, before, after (secrets masked). */
  properties: { path: string; before: string; after: string }[];
}

const optionKeys = ["protect", "retainOnDelete", "deleteBeforeReplace", "ignoreChanges", "replaceOnChanges"] as const;

/** What differs between two evaluations, keyed by URN. */
export function diffRecords(base: StackRecord, head: StackRecord): ResourceChange[] {
  const baseByUrn = new Map(base.resources.filter((r) => r.custom).map((r) => [r.urn, r]));
  const headByUrn = new Map(head.resources.filter((r) => r.custom).map((r) => [r.urn, r]));
  const headComponent = componentOf(head);
  const baseComponent = componentOf(base);
  const changes: ResourceChange[] = [];
  for (const [urn, after] of headByUrn) {
    const before = baseByUrn.get(urn);
    if (!before) {
      changes.push({ kind: "add", resource: after, component: componentLabel(headComponent(after)), properties: [] });
      continue;
    }
    const properties: ResourceChange["properties"] = [];
    const beforeLeaves = flatten(before.inputs);
    const afterLeaves = flatten(after.inputs);
    for (const path of [...new Set([...beforeLeaves.keys(), ...afterLeaves.keys()])].sort()) {
      const a = beforeLeaves.get(path);
      const b = afterLeaves.get(path);
      if (JSON.stringify(a) === JSON.stringify(b)) continue;
      const secret = isCovered(path, before.secretPaths) || isCovered(path, after.secretPaths);
      if (secret) {
        properties.push({ path, before: a === undefined ? "(none)" : "[secret]", after: b === undefined ? "(none)" : "[secret]" });
      } else if (typeof a === "string" && typeof b === "string") {
        const [shownBefore, shownAfter] = showPair(a, b);
        properties.push({ path, before: shownBefore, after: shownAfter });
      } else {
        properties.push({ path, before: a === undefined ? "(none)" : show(a), after: b === undefined ? "(none)" : show(b) });
      }
    }
    for (const key of optionKeys) {
      if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
        properties.push({ path: `(option) ${key}`, before: show(before[key]), after: show(after[key]) });
      }
    }
    if (properties.length > 0) changes.push({ kind: "change", resource: after, component: componentLabel(headComponent(after)), properties });
  }
  for (const [urn, before] of baseByUrn) {
    if (!headByUrn.has(urn)) changes.push({ kind: "remove", resource: before, component: componentLabel(baseComponent(before)), properties: [] });
  }
  const order = { remove: 0, change: 1, add: 2 };
  return changes.sort((x, y) => order[x.kind] - order[y.kind] || (x.resource.urn < y.resource.urn ? -1 : 1));
}

const escapeCell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The Markdown a pull request shows: counts, stateful changes in bold first, then a table of every change. */
export function renderDiffMarkdown(stack: string, baseLabel: string, changes: ResourceChange[]): string {
  const count = (kind: ResourceChange["kind"]) => changes.filter((c) => c.kind === kind).length;
  const lines = [
    `### Offline plan for stack \`${stack}\`: ${count("add")} to add, ${count("change")} to change, ${count("remove")} to remove`,
    "",
    `Compared with ${baseLabel}. Evaluated under mocks, without cloud credentials: it shows what the program declares, not what the providers will decide.`,
    "",
  ];
  const stateful = changes.filter((c) => c.kind !== "add" && statefulTypes.has(c.resource.type));
  if (stateful.length > 0) {
    lines.push(
      `**⚠ Stateful resources change: ${stateful
        .map((c) => `${c.kind === "remove" ? "removed" : "changed"} \`${shortType(c.resource.type)}\` ${c.resource.name}${c.properties.length ? ` (${c.properties.map((p) => p.path).join(", ")})` : ""}`)
        .join("; ")}. An offline plan cannot tell an in-place update from a replacement that loses data: check \`pulumi preview --diff\` before merging.**`,
      "",
    );
  }
  if (changes.length === 0) {
    lines.push("No changes: the program declares the same resources with the same inputs.");
    return lines.join("\n") + "\n";
  }
  lines.push("| | Resource | Component | Changes |", "| --- | --- | --- | --- |");
  const symbol = { add: "+", remove: "−", change: "~" };
  for (const change of changes) {
    const details = change.properties.map((p) => `\`${escapeCell(p.path)}\`: ${escapeCell(p.before)} → ${escapeCell(p.after)}`).join("<br>");
    const name = statefulTypes.has(change.resource.type) && change.kind !== "add" ? `**${change.resource.name}**` : change.resource.name;
    lines.push(`| ${symbol[change.kind]} | \`${shortType(change.resource.type)}\` ${name} | ${change.component} | ${details} |`);
  }
  return lines.join("\n") + "\n";
}

/** The leaves that say what a component is, in the diagram's node labels. */
const primaryTypes = [
  "docker:index/container:Container",
  "docker:index/volume:Volume",
  "docker:index/network:Network",
  "docker-build:index:Image",
  "aws:ecr/repository:Repository",
  "aws:ecs/service:Service",
  "aws:rds/cluster:Cluster",
  "aws:rds/clusterInstance:ClusterInstance",
  "aws:elasticache/replicationGroup:ReplicationGroup",
  "aws:ec2/vpc:Vpc",
  "aws:ecs/cluster:Cluster",
  "aws:lb/loadBalancer:LoadBalancer",
];

/** The topology: the components as nodes (inside their platform), an arrow from each to what it uses. */
export function renderMermaid(record: StackRecord): string {
  const parentOf = componentOf(record);
  const byUrn = new Map(record.resources.map((r) => [r.urn, r]));
  const components = record.resources.filter((r) => !r.custom);
  const platform = components.find((c) => c.type === "nexiom:index:Platform");
  const id = (c: RecordedResource) => `${c.type.split(":").pop()!.toLowerCase()}_${c.name.replace(/\W/g, "_")}`;
  const summary = (c: RecordedResource) => {
    const leaves = record.resources.filter((r) => r.custom && parentOf(r)?.urn === c.urn);
    return primaryTypes
      .map((type) => [type, leaves.filter((l) => l.type === type).length] as const)
      .filter(([, n]) => n > 0)
      .map(([type, n]) => `${n > 1 ? `${n}× ` : ""}${shortType(type)}`)
      .join(", ");
  };
  const edges = new Set<string>();
  for (const resource of record.resources) {
    const from = resource.custom ? parentOf(resource) : undefined;
    if (!from || from === platform) continue;
    for (const dependency of resource.dependsOn) {
      const target = byUrn.get(dependency);
      const to = target && (target.custom ? parentOf(target) : target);
      if (to && to !== from && to !== platform) edges.add(`  ${id(from)} --> ${id(to)}`);
    }
  }
  const lines = ["flowchart LR"];
  if (platform) lines.push(`  subgraph ${id(platform)}["Platform ${platform.name}: ${summary(platform)}"]`);
  for (const component of components.filter((c) => c !== platform)) {
    lines.push(`    ${id(component)}["${component.type.split(":").pop()} ${component.name}<br/>${summary(component)}"]`);
  }
  if (platform) lines.push("  end");
  lines.push(...[...edges].sort());
  return lines.join("\n") + "\n";
}
