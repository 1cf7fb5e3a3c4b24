import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Suspense } from "react";
import { OAuthButtons, SignUpForm } from "../../features/auth";
import { getEnabledOAuthProviders } from "../../features/auth/server";
import { TRPCReactProvider } from "../../lib/trpc";
import { getSessionUser } from "../../server/auth";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Create an account" };

export default async function SignUpPage() {
  if (await getSessionUser()) redirect("/");
  return (
    <main className="flex min-h-screen items-center justify-center px-6">
      <div className="w-full max-w-sm rounded-xl border border-neutral-200 bg-white p-8 shadow-sm">
        <div className="mb-6 flex flex-col gap-1">
          <span className="text-xs font-semibold uppercase tracking-widest text-neutral-500">Spanlens</span>
          <h1 className="text-xl font-semibold">Create your account</h1>
        </div>
        <TRPCReactProvider>
          <Suspense>
            <OAuthButtons providers={getEnabledOAuthProviders()} />
            <SignUpForm />
          </Suspense>
        </TRPCReactProvider>
      </div>
    </main>
  );
}
