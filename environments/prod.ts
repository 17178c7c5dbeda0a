import type { NexiomConfig } from "../config";
import { Platform } from "../components/platform";

/** The prod stack: a VPC over several AZs, an ECS cluster and one load balancer on AWS. */
export function createPlatform(config: NexiomConfig): Platform {
  return new Platform("nexiom", {
    target: {
      kind: "aws",
      availabilityZones: config.availabilityZones,
      natGateways: config.natGateways,
      domain: config.domain,
      hostedZone: config.hostedZone,
      protectData: config.protectData,
      logRetentionDays: config.logRetentionDays,
      alertEmail: config.alertEmail,
    },
  });
}
