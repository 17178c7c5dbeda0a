import type { NexiomConfig } from "../config";
import { Platform } from "../components/platform";

/** The dev stack: the whole product on this machine's Docker engine, reachable on localhost. No cloud account. */
export function createPlatform(config: NexiomConfig): Platform {
  return new Platform("nexiom", {
    target: { kind: "docker", webHostPort: config.webHostPort, protectData: config.protectData },
  });
}
