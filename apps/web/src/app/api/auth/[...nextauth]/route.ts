import NextAuth from "next-auth";
import { getAuthOptions } from "../../../../server/auth";

export const dynamic = "force-dynamic";

type TNextAuthContext = { params: Promise<{ nextauth: string[] }> };

// Options are built per request (and cached) so `next build` never needs the secret.
function handleAuth(req: Request, context: TNextAuthContext): Promise<Response> {
  return NextAuth(req as never, context as never, getAuthOptions());
}

export { handleAuth as GET, handleAuth as POST };
