"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTRPC } from "../../../lib/trpc";

/** Shows what the invite offers and joins the organization on confirmation. */
export function AcceptInvite({ token, userEmail }: { token: string; userEmail: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const details = useQuery(trpc.org.inviteDetails.queryOptions({ token }));
  const accept = useMutation(
    trpc.org.acceptInvite.mutationOptions({ onSuccess: ({ orgId }) => router.push(`/orgs/${orgId}`) }),
  );

  if (details.isPending) return <p className="text-sm text-neutral-600">Checking the invite…</p>;
  if (details.isError) {
    return (
      <p role="alert" className="text-sm text-red-700">
        {details.error.message}
      </p>
    );
  }
  const isForThisAccount = details.data.email === userEmail.toLowerCase();
  return (
    <div className="flex flex-col gap-4">
      <p className="text-sm text-neutral-700">
        You are invited to join <strong>{details.data.orgName}</strong> as{" "}
        <strong>{details.data.role.toLowerCase()}</strong>.
      </p>
      {isForThisAccount ? (
        <button
          type="button"
          onClick={() => accept.mutate({ token })}
          disabled={accept.isPending}
          data-testid="accept-invite"
          className="self-start rounded-md bg-neutral-900 px-3 py-2 text-sm font-medium text-white hover:bg-neutral-700 disabled:opacity-60"
        >
          {accept.isPending ? "Joining…" : `Join ${details.data.orgName}`}
        </button>
      ) : (
        <p role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
          This invite is for {details.data.email}, but you are signed in as {userEmail}. Sign out and sign in (or create
          an account) with {details.data.email} to accept it.
        </p>
      )}
      {accept.isError ? (
        <p role="alert" className="text-sm text-red-700">
          {accept.error.message}
        </p>
      ) : null}
    </div>
  );
}
