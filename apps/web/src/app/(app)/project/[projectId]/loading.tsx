export default function ProjectLoading() {
  return (
    <div className="flex flex-col gap-8" aria-busy="true">
      <span className="sr-only">Loading project</span>
      <div className="flex flex-col gap-2">
        <div className="h-4 w-32 animate-pulse rounded bg-neutral-200" />
        <div className="h-7 w-64 animate-pulse rounded bg-neutral-200" />
      </div>
      <div className="h-56 animate-pulse rounded-xl bg-neutral-200" />
    </div>
  );
}
