/** How people reach a service from outside the platform. */
export interface ServiceIngress {
  /** Host port it is published on, on 127.0.0.1 (Docker). */
  hostPort: number;
  /** Load balancer path pattern routed to it (AWS), e.g. "/api/*" or "/*". */
  pathPattern: string;
  /** Listener rule priority (AWS): lower wins, so specific paths get lower numbers than the catch-all. */
  priority: number;
}

/** The path a service's routes start with: "/api/*" → "/api"; "/*" → "". */
export function pathPrefix(pattern: string): string {
  return pattern.replace(/\/?\*$/, "");
}
