"use client";

import { useSearchParams } from "next/navigation";
import { signIn } from "next-auth/react";
import { safeCallbackPath } from "../lib/safe-callback-path";

const LABELS = { github: "Continue with GitHub", google: "Continue with Google" } as const;

/** One button per OAuth provider the server has credentials for; nothing when none are set. */
export function OAuthButtons({ providers }: { providers: readonly (keyof typeof LABELS)[] }) {
  const searchParams = useSearchParams();
  if (providers.length === 0) return null;
  return (
    <div className="flex flex-col gap-2">
      {providers.map((provider) => (
        <button
          key={provider}
          type="button"
          data-testid={`oauth-${provider}`}
          onClick={() => signIn(provider, { callbackUrl: safeCallbackPath(searchParams.get("callbackUrl")) })}
          className="rounded-md border border-neutral-300 bg-white px-3 py-2 text-sm font-medium text-neutral-800 hover:bg-neutral-100"
        >
          {LABELS[provider]}
        </button>
      ))}
      <div className="my-2 flex items-center gap-3 text-xs text-neutral-400">
        <span className="h-px flex-1 bg-neutral-200" /> or <span className="h-px flex-1 bg-neutral-200" />
      </div>
    </div>
  );
}
