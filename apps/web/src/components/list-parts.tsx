import type { ReactNode } from "react";

/** The box a list shows while its query is pending. */
export function LoadingBox({ children }: { children: ReactNode }) {
  return <div className="rounded-lg border border-neutral-200 bg-white p-6 text-sm text-neutral-500">{children}</div>;
}

/** The box a list shows when its query failed: what could not be loaded, why, and what to do. */
export function LoadErrorBox({ what, message }: { what: string; message: string }) {
  return (
    <div className="rounded-lg border border-red-200 bg-red-50 p-6 text-sm text-red-700" role="alert">
      {what} could not be loaded: {message}. Reload the page.
    </div>
  );
}

/** A list's column headings. */
export function TableHead({ labels }: { labels: readonly string[] }) {
  return (
    <thead className="border-b border-neutral-200 bg-neutral-50 text-xs uppercase tracking-wide text-neutral-500">
      <tr>
        {labels.map((label) => (
          <th key={label} className="px-3 py-2 font-medium">
            {label}
          </th>
        ))}
      </tr>
    </thead>
  );
}

/** One choice of a few, as a row of buttons (time ranges, day counts). */
export function ChoicePicker<T extends string | number>({
  choices,
  value,
  onChange,
  label = (choice) => String(choice),
}: {
  choices: readonly T[];
  value: T;
  onChange: (choice: T) => void;
  label?: (choice: T) => string;
}) {
  return (
    <div className="flex overflow-hidden rounded border border-neutral-300 bg-white text-sm">
      {choices.map((choice) => (
        <button
          key={choice}
          type="button"
          className={`px-2.5 py-1 ${value === choice ? "bg-neutral-900 text-white" : "hover:bg-neutral-100"}`}
          onClick={() => onChange(choice)}
        >
          {label(choice)}
        </button>
      ))}
    </div>
  );
}
