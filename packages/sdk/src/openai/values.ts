export type TJson = Record<string, unknown>;

export const isRecordLike = (value: unknown): value is TJson =>
  typeof value === "object" && value !== null && !Array.isArray(value);
