import type { Metadata } from "next";
import { CreateOrgForm } from "../../../../features/orgs";

export const metadata: Metadata = { title: "New organization" };

export default function NewOrgPage() {
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold tracking-tight">New organization</h1>
        <p className="text-sm text-neutral-600">You become its owner and can invite your team.</p>
      </div>
      <CreateOrgForm />
    </div>
  );
}
