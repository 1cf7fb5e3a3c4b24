/** Repeated keys become arrays (`?tags=a&tags=b`); single keys stay strings — as the public API reads them. */
export function searchParamsToQuery(searchParams: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(searchParams.keys())) {
    const values = searchParams.getAll(key).filter((value) => value !== "");
    if (values.length === 0) continue;
    query[key] = values.length === 1 ? (values[0] as string) : values;
  }
  return query;
}

/** Keys the explorer keeps in its URL besides the filters. */
export const VIEW_ONLY_KEYS = ["cols"] as const;

export function withoutViewKeys(query: Record<string, string | string[]>): Record<string, string | string[]> {
  const filters = { ...query };
  for (const key of VIEW_ONLY_KEYS) delete filters[key];
  return filters;
}
