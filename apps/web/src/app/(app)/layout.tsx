import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { TopBar } from "../../features/projects";
import { TRPCReactProvider } from "../../lib/trpc";
import { getSessionUser, SIGN_IN_PATH } from "../../server/auth";

export const dynamic = "force-dynamic";

/** Every page in this group requires a session; the check runs on the server before rendering. */
export default async function AppLayout({ children }: { children: ReactNode }) {
  const user = await getSessionUser();
  if (!user) redirect(SIGN_IN_PATH);
  return (
    <TRPCReactProvider>
      <TopBar userLabel={user.email ?? user.name ?? "Signed in"} />
      <main className="mx-auto max-w-6xl px-6 py-8">{children}</main>
    </TRPCReactProvider>
  );
}
