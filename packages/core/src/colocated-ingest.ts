/** What the all-in-one process tells the web app about the receiver it serves beside it. */
export interface TColocatedIngest {
  /** The OTLP/gRPC port, or null when gRPC is off. */
  otlpGrpcPort: number | null;
}

// On globalThis: Next.js route bundles hold copies of this module of their own.
const holder = globalThis as typeof globalThis & { __spanlensColocatedIngest?: TColocatedIngest };

export function setColocatedIngest(value: TColocatedIngest): void {
  holder.__spanlensColocatedIngest = value;
}

/** Undefined when the web app runs without a receiver in its process (split deployments, `next dev`). */
export function getColocatedIngest(): TColocatedIngest | undefined {
  return holder.__spanlensColocatedIngest;
}
