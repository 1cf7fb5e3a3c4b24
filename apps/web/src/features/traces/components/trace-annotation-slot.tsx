"use client";

/**
 * Where the trace page mounts annotation and feedback controls (the scores feature's
 * AnnotationPanel) for the trace and the selected span. Empty until that panel is
 * mounted here; the surrounding side panel already reserves its place.
 */
export function TraceAnnotationSlot(_props: { projectId: string; traceId: string; spanId: string | null }) {
  return null;
}
