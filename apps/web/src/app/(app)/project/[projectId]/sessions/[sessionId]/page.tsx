import type { Metadata } from "next";
import { SessionTurns } from "../../../../../../features/sessions";

export const metadata: Metadata = { title: "Session" };

export default async function SessionPage({ params }: { params: Promise<{ projectId: string; sessionId: string }> }) {
  const { projectId, sessionId } = await params;
  return <SessionTurns projectId={projectId} sessionId={decodeURIComponent(sessionId)} />;
}
