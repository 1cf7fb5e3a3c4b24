import { whoamiRoute } from "../../../../../features/api-keys/server/whoami-route";

export const dynamic = "force-dynamic";

export const GET = whoamiRoute;
