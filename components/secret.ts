import * as pulumi from "@pulumi/pulumi";

/**
 * Where a secret comes from, so that a service can hand it to its container without the secret
 * ever being a plain resource input.
 * - `value`: a Pulumi secret (Docker has no secret store; the value stays encrypted in state).
 * - `secretsManager`: an AWS Secrets Manager secret, read by ECS at task start through `secrets`
 *   with `valueFrom`, so the value is in neither the task definition nor Pulumi state.
 */
export type SecretSource =
  | { kind: "value"; value: pulumi.Output<string> }
  | { kind: "secretsManager"; arn: pulumi.Output<string>; jsonKey?: string };

/** The `valueFrom` ECS expects: the secret's ARN, or `<arn>:<json key>::` for one key of a JSON secret. */
export function secretsManagerValueFrom(source: Extract<SecretSource, { kind: "secretsManager" }>): pulumi.Output<string> {
  return source.jsonKey === undefined ? source.arn : pulumi.interpolate`${source.arn}:${source.jsonKey}::`;
}
