"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { signIn } from "next-auth/react";
import { type FormEvent, useState } from "react";
import { safeCallbackPath } from "../lib/safe-callback-path";

export function SignInForm() {
  const router = useRouter();
  const searchParams = useSearchParams();
  const [isSubmitting, setIsSubmitting] = useState(false);
  const [errorMessage, setErrorMessage] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setIsSubmitting(true);
    setErrorMessage(null);
    try {
      const result = await signIn("credentials", {
        email: String(form.get("email") ?? ""),
        password: String(form.get("password") ?? ""),
        redirect: false,
      });
      if (!result?.ok) {
        // Rate limits come back as their own message; every other failure reads the same.
        setErrorMessage(result?.error?.startsWith("Too many attempts") ? result.error : "Invalid email or password");
        setIsSubmitting(false);
        return;
      }
      router.replace(safeCallbackPath(searchParams.get("callbackUrl")));
      router.refresh();
    } catch {
      setErrorMessage("Could not reach the server. Try again.");
      setIsSubmitting(false);
    }
  }

  return (
    <form onSubmit={onSubmit} className="flex flex-col gap-4" data-testid="sign-in-form" noValidate>
      <label className="flex flex-col gap-1.5 text-sm font-medium text-neutral-700">
        Email
        <input
          name="email"
          type="email"
          autoComplete="email"
          required
          data-testid="sign-in-email"
          className="rounded-md border border-neutral-300 bg-white px-3 py-2 text-sm font-normal text-neutral-900 outline-none focus:border-neutral-500 focus:ring-2 focus:ring-neutral-200"
        />
      </label>
      <label className="flex flex-col gap-1.5 text-sm font-medium text-neutral-700">
        Password
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          required
          data-testid="sign-in-password"
          className="rounded-md border border-neutral-300 bg-white px-3 py-2 text-sm font-normal text-neutral-900 outline-none focus:border-neutral-500 focus:ring-2 focus:ring-neutral-200"
        />
      </label>
      {errorMessage ? (
        <p role="alert" data-testid="sign-in-error" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          {errorMessage}
        </p>
      ) : null}
      <button
        type="submit"
        disabled={isSubmitting}
        data-testid="sign-in-submit"
        className="rounded-md bg-neutral-900 px-3 py-2 text-sm font-medium text-white transition hover:bg-neutral-700 disabled:cursor-wait disabled:opacity-60"
      >
        {isSubmitting ? "Signing in…" : "Sign in"}
      </button>
      <p className="text-center text-sm text-neutral-600">
        New to Spanlens?{" "}
        <Link
          href={
            searchParams.get("callbackUrl")
              ? `/sign-up?callbackUrl=${encodeURIComponent(searchParams.get("callbackUrl") ?? "/")}`
              : "/sign-up"
          }
          data-testid="sign-up-link"
          className="font-medium text-neutral-900 underline"
        >
          Create an account
        </Link>
      </p>
    </form>
  );
}
