import Link from "next/link";

export default function NotFound() {
  return (
    <main className="mx-auto flex max-w-md flex-col items-center gap-3 px-6 py-24 text-center">
      <h1 className="text-lg font-semibold">Not found</h1>
      <p className="text-sm text-neutral-600">This page does not exist, or you do not have access to it.</p>
      <Link href="/" className="text-sm font-medium text-neutral-900 underline underline-offset-4">
        Back to your projects
      </Link>
    </main>
  );
}
