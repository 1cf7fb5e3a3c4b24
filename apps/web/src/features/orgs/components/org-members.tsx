"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "../../../lib/trpc";
import { MutationErrorAlert, useMutationError } from "../../../lib/use-mutation-error";
import { CopyButton } from "../../api-keys";
import { type TRole, ZRole } from "../lib/org-dto";

const ROLES = ZRole.options;

const ROLE_HINTS: Record<TRole, string> = {
  OWNER: "everything, including owners",
  ADMIN: "members, projects, keys, audit log",
  MEMBER: "read and write project data, API keys",
  VIEWER: "read only",
};

/** Members with their roles, invites and pending invites. Editing controls show for owners and admins. */
export function OrgMembers({ orgId, viewerRole, viewerId }: { orgId: string; viewerRole: TRole; viewerId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const isAdmin = viewerRole === "OWNER" || viewerRole === "ADMIN";
  const members = useQuery(trpc.org.members.queryOptions({ orgId }));
  const invites = useQuery({ ...trpc.org.invites.queryOptions({ orgId }), enabled: isAdmin });
  const failure = useMutationError();
  const [lastInvite, setLastInvite] = useState<{ email: string; url: string; isEmailed: boolean } | null>(null);

  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.org.members.queryKey({ orgId }) }),
      queryClient.invalidateQueries({ queryKey: trpc.org.invites.queryKey({ orgId }) }),
    ]);
  const onError = failure.onError;
  const updateRole = useMutation(trpc.org.updateMemberRole.mutationOptions({ onSuccess: refresh, onError }));
  const removeMember = useMutation(trpc.org.removeMember.mutationOptions({ onSuccess: refresh, onError }));
  const revokeInvite = useMutation(trpc.org.revokeInvite.mutationOptions({ onSuccess: refresh, onError }));
  const invite = useMutation(
    trpc.org.invite.mutationOptions({
      onSuccess: async (result) => {
        setLastInvite({ email: result.invite.email, url: result.inviteUrl, isEmailed: result.isEmailed });
        await refresh();
      },
      onError,
    }),
  );

  function onInvite(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    failure.show(null);
    setLastInvite(null);
    invite.mutate({ orgId, email: String(form.get("email") ?? ""), role: ZRole.parse(form.get("role")) });
  }

  return (
    <div className="flex flex-col gap-8">
      <MutationErrorAlert message={failure.message} />
      <section className="flex flex-col gap-3">
        <h2 className="text-sm font-semibold uppercase tracking-wide text-neutral-500">Members</h2>
        {members.isPending ? (
          <div className="h-24 animate-pulse rounded-xl bg-neutral-200" aria-busy="true" />
        ) : members.isError ? (
          <p role="alert" className="text-sm text-red-700">
            Members could not be loaded: {members.error.message}
          </p>
        ) : (
          <table
            className="w-full overflow-hidden rounded-xl border border-neutral-200 bg-white text-sm"
            data-testid="members-table"
          >
            <thead className="bg-neutral-50 text-left text-xs uppercase text-neutral-500">
              <tr>
                <th className="px-4 py-2 font-medium">Member</th>
                <th className="px-4 py-2 font-medium">Role</th>
                <th className="px-4 py-2" />
              </tr>
            </thead>
            <tbody className="divide-y divide-neutral-200">
              {members.data.map((member) => (
                <tr key={member.userId} data-testid="member-row">
                  <td className="px-4 py-2">
                    <div className="font-medium text-neutral-900">{member.name ?? member.email}</div>
                    {member.name ? <div className="text-xs text-neutral-500">{member.email}</div> : null}
                  </td>
                  <td className="px-4 py-2">
                    {isAdmin && member.userId !== viewerId ? (
                      <select
                        aria-label={`Role of ${member.email}`}
                        value={member.role}
                        disabled={updateRole.isPending}
                        onChange={(event) =>
                          updateRole.mutate({ orgId, userId: member.userId, role: ZRole.parse(event.target.value) })
                        }
                        className="rounded-md border border-neutral-300 bg-white px-2 py-1 text-sm"
                      >
                        {ROLES.map((role) => (
                          <option key={role} value={role}>
                            {role.toLowerCase()}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <span className="text-neutral-700">{member.role.toLowerCase()}</span>
                    )}
                  </td>
                  <td className="px-4 py-2 text-right">
                    {isAdmin && member.userId !== viewerId ? (
                      <button
                        type="button"
                        onClick={() => {
                          if (window.confirm(`Remove ${member.email} from this organization?`)) {
                            removeMember.mutate({ orgId, userId: member.userId });
                          }
                        }}
                        className="text-sm text-red-700 hover:underline"
                      >
                        Remove
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      {isAdmin ? (
        <section className="flex flex-col gap-3">
          <h2 className="text-sm font-semibold uppercase tracking-wide text-neutral-500">Invite by email</h2>
          <form onSubmit={onInvite} className="flex flex-wrap items-end gap-3" data-testid="invite-form">
            <label className="flex flex-col gap-1.5 text-sm font-medium text-neutral-700">
              Email
              <input
                name="email"
                type="email"
                required
                data-testid="invite-email"
                className="w-72 rounded-md border border-neutral-300 bg-white px-3 py-2 text-sm font-normal outline-none focus:border-neutral-500"
              />
            </label>
            <label className="flex flex-col gap-1.5 text-sm font-medium text-neutral-700">
              Role
              <select
                name="role"
                defaultValue="MEMBER"
                className="rounded-md border border-neutral-300 bg-white px-2 py-2 text-sm"
              >
                {ROLES.filter((role) => role !== "OWNER" || viewerRole === "OWNER").map((role) => (
                  <option key={role} value={role}>
                    {role.toLowerCase()} — {ROLE_HINTS[role]}
                  </option>
                ))}
              </select>
            </label>
            <button
              type="submit"
              disabled={invite.isPending}
              data-testid="invite-submit"
              className="rounded-md bg-neutral-900 px-3 py-2 text-sm font-medium text-white hover:bg-neutral-700 disabled:opacity-60"
            >
              {invite.isPending ? "Inviting…" : "Invite"}
            </button>
          </form>
          {lastInvite ? (
            <div
              className="flex flex-col gap-2 rounded-lg border border-green-200 bg-green-50 p-3 text-sm"
              data-testid="invite-link"
            >
              <p className="text-green-900">
                {lastInvite.isEmailed
                  ? `Invite emailed to ${lastInvite.email}. You can also share this link:`
                  : `No mail server is configured: send this link to ${lastInvite.email}. It works once, for 7 days.`}
              </p>
              <div className="flex items-center gap-2">
                <code className="min-w-0 flex-1 break-all rounded bg-white px-2 py-1 font-mono text-xs">
                  {lastInvite.url}
                </code>
                <CopyButton text={lastInvite.url} label="Copy link" />
              </div>
            </div>
          ) : null}
          {invites.data && invites.data.length > 0 ? (
            <ul
              className="divide-y divide-neutral-200 rounded-xl border border-neutral-200 bg-white text-sm"
              data-testid="pending-invites"
            >
              {invites.data.map((pending) => (
                <li key={pending.id} className="flex items-center justify-between px-4 py-2">
                  <span>
                    {pending.email}{" "}
                    <span className="text-neutral-500">
                      · {pending.role.toLowerCase()} · expires {pending.expiresAt.toLocaleDateString()}
                    </span>
                  </span>
                  <button
                    type="button"
                    onClick={() => revokeInvite.mutate({ orgId, inviteId: pending.id })}
                    className="text-sm text-red-700 hover:underline"
                  >
                    Revoke
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}
