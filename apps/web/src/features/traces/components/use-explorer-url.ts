"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";
import { searchParamsToQuery } from "../lib/url-query";

/**
 * The explorer's state lives in the URL, so every filtered, sorted view is a link that
 * can be shared or saved. Writers replace (not push) to keep Back meaningful.
 */
export function useExplorerUrl() {
  const searchParams = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const query = useMemo(() => searchParamsToQuery(new URLSearchParams(searchParams.toString())), [searchParams]);

  const replaceParams = useCallback(
    (next: URLSearchParams) => {
      next.delete("cursor");
      const text = next.toString();
      router.replace(text ? `${pathname}?${text}` : pathname, { scroll: false });
    },
    [pathname, router],
  );

  /** Sets (or, with an empty value, removes) one key; arrays write a repeated key. */
  const setParam = useCallback(
    (key: string, value: string | string[] | undefined) => {
      const next = new URLSearchParams(searchParams.toString());
      next.delete(key);
      const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
      for (const item of values) if (item.trim() !== "") next.append(key, item.trim());
      replaceParams(next);
    },
    [replaceParams, searchParams],
  );

  const setParams = useCallback(
    (entries: Record<string, string | undefined>) => {
      const next = new URLSearchParams(searchParams.toString());
      for (const [key, value] of Object.entries(entries)) {
        next.delete(key);
        if (value !== undefined && value !== "") next.set(key, value);
      }
      replaceParams(next);
    },
    [replaceParams, searchParams],
  );

  const replaceAll = useCallback((text: string) => replaceParams(new URLSearchParams(text)), [replaceParams]);

  return { query, searchText: searchParams.toString(), setParam, setParams, replaceAll };
}

export const asList = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

export const asOne = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;
