"use client";

export default function AppError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div
      role="alert"
      className="flex flex-col items-center gap-3 rounded-xl border border-red-200 bg-red-50 px-6 py-12 text-center"
    >
      <h1 className="text-base font-semibold text-red-800">Something went wrong</h1>
      <p className="text-sm text-red-700">The page could not be loaded. Try again in a moment.</p>
      <button
        type="button"
        onClick={reset}
        className="rounded-md bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-600"
      >
        Try again
      </button>
    </div>
  );
}
