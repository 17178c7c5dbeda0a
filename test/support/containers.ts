import { evaluateOk, find } from "../../offline/evaluate";

export interface ContainerDefinition {
  name: string;
  image: string;
  environment: { name: string; value: string }[];
  secrets: { name: string; valueFrom: string }[];
  [key: string]: unknown;
}

/** The container definition of a prod service's task (`api` by default). */
export async function taskContainer(service = "api", overrides: Record<string, string> = {}): Promise<ContainerDefinition> {
  const prod = await evaluateOk("prod", overrides);
  const task = find(prod, "aws:ecs/taskDefinition:TaskDefinition", `${service}-task`);
  const [container] = JSON.parse(String(task.inputs.containerDefinitions)) as ContainerDefinition[];
  return container;
}

export const apiTaskContainer = () => taskContainer("api");
