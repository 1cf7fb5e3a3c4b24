export const formatDuration = (ms: number) =>
  ms >= 60_000
    ? `${(ms / 60_000).toFixed(1)} min`
    : ms >= 1000
      ? `${(ms / 1000).toFixed(2)} s`
      : `${Math.round(ms)} ms`;

export const formatCost = (usd: number) => (usd === 0 ? "—" : `$${usd < 0.01 ? usd.toFixed(5) : usd.toFixed(3)}`);

export const formatTokens = (tokens: number) =>
  tokens === 0 ? "—" : tokens >= 10_000 ? `${(tokens / 1000).toFixed(1)}k` : String(tokens);

export const formatTime = (iso: string) =>
  new Date(iso).toLocaleString(undefined, {
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });

export const formatScore = (value: number | null) => (value === null ? "—" : Number(value.toFixed(3)).toString());
