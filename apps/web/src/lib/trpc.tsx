"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { type ReactNode, useState } from "react";
import superjson from "superjson";
import type { TAppRouter } from "../server/trpc/root-router";

export const { TRPCProvider, useTRPC } = createTRPCContext<TAppRouter>();

function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // Access errors are answers, not glitches: retrying them only delays the error state.
        retry: (failureCount, error) => {
          const httpStatus = (error as { data?: { httpStatus?: number } }).data?.httpStatus;
          return httpStatus !== undefined && httpStatus < 500 ? false : failureCount < 2;
        },
      },
    },
  });
}

/** Gives client components a tRPC client and a React Query cache. */
export function TRPCReactProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  const [trpcClient] = useState(() =>
    createTRPCClient<TAppRouter>({
      links: [httpBatchLink({ url: "/api/trpc", transformer: superjson })],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
