"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { signIn } from "next-auth/react";
import { type FormEvent, useState } from "react";
import { useTRPC } from "../../../lib/trpc";
import { safeCallbackPath } from "../lib/safe-callback-path";

const inputClass =
  "rounded-md border border-neutral-300 bg-white px-3 py-2 text-sm font-normal text-neutral-900 outline-none focus:border-neutral-500 focus:ring-2 focus:ring-neutral-200";

export function SignUpForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const searchParams = useSearchParams();
  const [errorMessage, setErrorMessage] = useState<string | null>(null);
  const signUp = useMutation(trpc.account.signUp.mutationOptions());
  const [isSigningIn, setIsSigningIn] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "");
    const password = String(form.get("password") ?? "");
    const name = String(form.get("name") ?? "").trim();
    setErrorMessage(null);
    try {
      await signUp.mutateAsync({ email, password, ...(name ? { name } : {}) });
    } catch (error) {
      setErrorMessage((error as Error).message);
      return;
    }
    setIsSigningIn(true);
    const result = await signIn("credentials", { email, password, redirect: false });
    if (!result?.ok) {
      setIsSigningIn(false);
      setErrorMessage("Your account was created, but signing in failed. Sign in to continue.");
      return;
    }
    router.replace(safeCallbackPath(searchParams.get("callbackUrl")));
    router.refresh();
  }

  const isBusy = signUp.isPending || isSigningIn;
  const callbackUrl = searchParams.get("callbackUrl");

  return (
    <form onSubmit={onSubmit} className="flex flex-col gap-4" data-testid="sign-up-form" noValidate>
      <label className="flex flex-col gap-1.5 text-sm font-medium text-neutral-700">
        Name <span className="text-xs font-normal text-neutral-500">optional</span>
        <input name="name" type="text" autoComplete="name" data-testid="sign-up-name" className={inputClass} />
      </label>
      <label className="flex flex-col gap-1.5 text-sm font-medium text-neutral-700">
        Email
        <input
          name="email"
          type="email"
          autoComplete="email"
          required
          data-testid="sign-up-email"
          className={inputClass}
        />
      </label>
      <label className="flex flex-col gap-1.5 text-sm font-medium text-neutral-700">
        Password
        <input
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          data-testid="sign-up-password"
          className={inputClass}
        />
        <span className="text-xs font-normal text-neutral-500">At least 10 characters.</span>
      </label>
      {errorMessage ? (
        <p role="alert" data-testid="sign-up-error" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          {errorMessage}
        </p>
      ) : null}
      <button
        type="submit"
        disabled={isBusy}
        data-testid="sign-up-submit"
        className="rounded-md bg-neutral-900 px-3 py-2 text-sm font-medium text-white transition hover:bg-neutral-700 disabled:cursor-wait disabled:opacity-60"
      >
        {isBusy ? "Creating account…" : "Create account"}
      </button>
      <p className="text-center text-sm text-neutral-600">
        Already have an account?{" "}
        <Link
          href={callbackUrl ? `/sign-in?callbackUrl=${encodeURIComponent(callbackUrl)}` : "/sign-in"}
          className="font-medium text-neutral-900 underline"
        >
          Sign in
        </Link>
      </p>
    </form>
  );
}
