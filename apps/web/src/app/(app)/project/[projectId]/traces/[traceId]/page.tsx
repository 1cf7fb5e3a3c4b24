import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { TraceView } from "../../../../../../features/traces";

export const metadata: Metadata = { title: "Trace" };

export default async function TracePage({ params }: { params: Promise<{ projectId: string; traceId: string }> }) {
  const { projectId, traceId } = await params;
  if (!/^[0-9a-f]{32}$/.test(traceId)) notFound();
  return (
    <Suspense>
      <TraceView projectId={projectId} traceId={traceId} />
    </Suspense>
  );
}
