"use client";

import { useMutation } from "@tanstack/react-query";
import { signIn } from "next-auth/react";
import { type FormEvent, useState } from "react";
import { useTRPC } from "../../../lib/trpc";

const inputClass =
  "rounded-md border border-neutral-300 bg-white px-3 py-2 text-sm text-neutral-900 outline-none focus:border-neutral-500 focus:ring-2 focus:ring-neutral-200";

/** Changing the password signs out every other session; this one signs in again with the new password. */
export function ChangePasswordForm({ email }: { email: string }) {
  const trpc = useTRPC();
  const changePassword = useMutation(trpc.account.changePassword.mutationOptions());
  const [message, setMessage] = useState<{ isError: boolean; text: string } | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const currentPassword = String(form.get("currentPassword") ?? "");
    const newPassword = String(form.get("newPassword") ?? "");
    if (newPassword !== String(form.get("confirmPassword") ?? "")) {
      setMessage({ isError: true, text: "The new passwords do not match" });
      return;
    }
    setMessage(null);
    try {
      await changePassword.mutateAsync({ currentPassword, newPassword });
    } catch (error) {
      setMessage({ isError: true, text: (error as Error).message });
      return;
    }
    const result = await signIn("credentials", { email, password: newPassword, redirect: false });
    formElement.reset();
    setMessage(
      result?.ok
        ? { isError: false, text: "Password changed. Other sessions have been signed out." }
        : { isError: true, text: "Password changed, but signing in again failed: sign in with the new password." },
    );
  }

  return (
    <form onSubmit={onSubmit} className="flex max-w-sm flex-col gap-4" data-testid="change-password-form">
      {(
        [
          ["currentPassword", "Current password", "current-password"],
          ["newPassword", "New password (at least 10 characters)", "new-password"],
          ["confirmPassword", "Repeat new password", "new-password"],
        ] as const
      ).map(([name, label, autoComplete]) => (
        <label key={name} className="flex flex-col gap-1.5 text-sm font-medium text-neutral-700">
          {label}
          <input name={name} type="password" autoComplete={autoComplete} required className={inputClass} />
        </label>
      ))}
      {message ? (
        <p
          role={message.isError ? "alert" : "status"}
          className={`rounded-md px-3 py-2 text-sm ${message.isError ? "bg-red-50 text-red-700" : "bg-green-50 text-green-800"}`}
        >
          {message.text}
        </p>
      ) : null}
      <button
        type="submit"
        disabled={changePassword.isPending}
        className="self-start rounded-md bg-neutral-900 px-3 py-2 text-sm font-medium text-white hover:bg-neutral-700 disabled:opacity-60"
      >
        {changePassword.isPending ? "Changing…" : "Change password"}
      </button>
    </form>
  );
}
