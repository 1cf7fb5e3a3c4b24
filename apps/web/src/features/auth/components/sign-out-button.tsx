"use client";

import { signOut } from "next-auth/react";
import { useState } from "react";

export function SignOutButton() {
  const [isSigningOut, setIsSigningOut] = useState(false);

  async function onSignOut() {
    setIsSigningOut(true);
    // A relative callback keeps the redirect on the host the user is on, whatever NEXTAUTH_URL says.
    await signOut({ redirect: false });
    window.location.assign("/sign-in");
  }

  return (
    <button
      type="button"
      onClick={onSignOut}
      disabled={isSigningOut}
      data-testid="sign-out"
      className="rounded-md border border-neutral-300 bg-white px-3 py-1.5 text-sm text-neutral-700 transition hover:bg-neutral-100 disabled:opacity-60"
    >
      {isSigningOut ? "Signing out…" : "Sign out"}
    </button>
  );
}
