import { session } from "../src/checks/session/index.ts";
import { defineFamilySuite } from "../src/run/define.ts";

defineFamilySuite(session);
