"use client";

import { useState } from "react";

/**
 * The last failed mutation's message in a settings panel. `onError` shows it, `show` sets
 * one of the panel's own (a form check) or clears it, and `clearing` wraps a success
 * handler so a save that works hides the last error first.
 */
export function useMutationError() {
  const [message, setMessage] = useState<string | null>(null);
  return {
    message,
    show: setMessage,
    onError: (error: { message: string }) => setMessage(error.message),
    clearing<TArgs extends unknown[]>(then: (...args: TArgs) => unknown) {
      return async (...args: TArgs) => {
        setMessage(null);
        await then(...args);
      };
    },
  };
}

/** Where a panel shows that message (nothing when there is none). */
export function MutationErrorAlert({ message }: { message: string | null }) {
  return message ? (
    <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
      {message}
    </p>
  ) : null;
}
