import type { Metadata } from "next";
import Link from "next/link";
import { AcceptInvite } from "../../../features/orgs";
import { TRPCReactProvider } from "../../../lib/trpc";
import { getSessionUser } from "../../../server/auth";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Invitation" };

/** Outside the signed-in layout, so a visitor without an account can sign up and come back. */
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const user = await getSessionUser();
  const returnTo = encodeURIComponent(`/invite/${token}`);
  return (
    <main className="flex min-h-screen items-center justify-center px-6">
      <div className="flex w-full max-w-md flex-col gap-4 rounded-xl border border-neutral-200 bg-white p-8 shadow-sm">
        <span className="text-xs font-semibold uppercase tracking-widest text-neutral-500">Spanlens</span>
        <h1 className="text-xl font-semibold">Organization invite</h1>
        {user ? (
          <TRPCReactProvider>
            <AcceptInvite token={token} userEmail={user.email ?? ""} />
          </TRPCReactProvider>
        ) : (
          <p className="text-sm text-neutral-700">
            <Link href={`/sign-in?callbackUrl=${returnTo}`} className="font-medium underline">
              Sign in
            </Link>{" "}
            or{" "}
            <Link href={`/sign-up?callbackUrl=${returnTo}`} className="font-medium underline">
              create an account
            </Link>{" "}
            with the invited email address to accept this invite.
          </p>
        )}
      </div>
    </main>
  );
}
