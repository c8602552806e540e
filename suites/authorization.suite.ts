import { authorization } from "../src/checks/authorization/index.ts";
import { defineFamilySuite } from "../src/run/define.ts";

defineFamilySuite(authorization);
