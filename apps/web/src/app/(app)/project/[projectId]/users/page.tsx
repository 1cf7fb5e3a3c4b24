import type { Metadata } from "next";
import { UsersList } from "../../../../../features/users";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  return <UsersList projectId={projectId} />;
}
