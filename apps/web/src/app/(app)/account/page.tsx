import type { Metadata } from "next";
import { ChangePasswordForm } from "../../../features/auth";
import { getSessionUser } from "../../../server/auth";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage() {
  const user = await getSessionUser();
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold tracking-tight">Account</h1>
        <p className="text-sm text-neutral-600">Signed in as {user?.email}</p>
      </div>
      <section className="flex flex-col gap-3">
        <h2 className="text-sm font-semibold uppercase tracking-wide text-neutral-500">Change password</h2>
        <ChangePasswordForm email={user?.email ?? ""} />
      </section>
    </div>
  );
}
