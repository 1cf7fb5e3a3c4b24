import type { Metadata } from "next";
import { SessionsList } from "../../../../../features/sessions";

export const metadata: Metadata = { title: "Sessions" };

export default async function SessionsPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  return <SessionsList projectId={projectId} />;
}
