/**
 * `pulumi destroy`, `pulumi up`, and a second `pulumi destroy` (offline/recreation.ts): the stack is evaluated
 * as two incarnations whose random values differ, as after a destroy, with nexiom:protectData false (the
 * only setting `pulumi destroy` accepts), and neither the second up nor the second destroy may ask AWS for
 * a name the first destroy left held. What only AWS can confirm is listed in the README.
 */
import { strict as assert } from "node:assert";
import { evaluateIncarnation, evaluateOk, find, ofType, type StackRecord } from "../offline/evaluate";
import { namesHeldAfterDestroy, recreationConflicts } from "../offline/recreation";

const destroyable = { protectData: "false" };

describe("re-creation: destroy, up, destroy again (prod)", () => {
  let first: StackRecord;
  let second: StackRecord;
  before(async () => {
    [first, second] = await Promise.all([evaluateIncarnation("prod", 1, destroyable), evaluateIncarnation("prod", 2, destroyable)]);
  });

  it("neither the second up nor the second destroy asks for a name the first destroy left held", () => {
    assert.deepEqual(recreationConflicts(first, second), []);
    // What the first destroy does leave: the final snapshot, under a name of its own.
    assert.deepEqual(namesHeldAfterDestroy(first).map((h) => h.key.replace(/[0-9a-f]{8}$/, "<random>")), ["rds cluster snapshot:nexiom-db-final-<random>"]);
  });

  it("finds the collisions a fixed final-snapshot name, a fixed secret name and an RDS-made log group cause", () => {
    const fixed = (record: StackRecord): StackRecord => {
      const copy = structuredClone(record);
      find(copy, "aws:rds/cluster:Cluster", "db-cluster").inputs.finalSnapshotIdentifier = "nexiom-db-final";
      find(copy, "aws:secretsmanager/secret:Secret", "cache-auth-token").inputs.name = "nexiom/cache/auth-token";
      copy.resources = copy.resources.filter((r) => r.name !== "db-postgresql-logs");
      return copy;
    };
    assert.deepEqual(recreationConflicts(fixed(first), fixed(second)), [
      "up: cache-auth-token asks for secret:nexiom/cache/auth-token, still held after the first destroy (recovery window of 7 days)",
      "second destroy: db-cluster needs rds cluster snapshot:nexiom-db-final, which the first destroy left (final snapshot, kept until someone deletes it)",
    ]);
    assert.ok(namesHeldAfterDestroy(fixed(first)).some((h) => h.key === "log group:/aws/rds/cluster/nexiom-db/postgresql"));
  });

  it("keeps the final-snapshot name across updates of one incarnation, and a new one after a re-creation", async () => {
    const snapshot = (record: StackRecord) => String(find(record, "aws:rds/cluster:Cluster", "db-cluster").inputs.finalSnapshotIdentifier);
    assert.equal(snapshot(await evaluateIncarnation("prod", 1, destroyable)), snapshot(first));
    assert.notEqual(snapshot(second), snapshot(first));
  });

  it("with nexiom:protectData (the default) keeps nothing unprotected that holds a name: destroy stops before deleting it", async () => {
    const prod = await evaluateOk("prod");
    for (const resource of prod.resources.filter((r) => r.retainOnDelete)) assert.ok(resource.protect, resource.name);
  });

  it("deletes the Service Connect namespace only after the services registered in it, and the RDS log group after the cluster", () => {
    const namespace = find(first, "aws:servicediscovery/httpNamespace:HttpNamespace", "nexiom-namespace");
    for (const service of ofType(first, "aws:ecs/service:Service")) {
      assert.equal((service.inputs.serviceConnectConfiguration as { namespace: string }).namespace, `arn:aws:servicediscovery:eu-west-1:123456789012:namespace/${namespace.id}`, service.name);
    }
    assert.ok(find(first, "aws:rds/cluster:Cluster", "db-cluster").dependsOn.includes(find(first, "aws:cloudwatch/logGroup:LogGroup", "db-postgresql-logs").urn));
  });
});
