import { token } from "../src/checks/token/index.ts";
import { defineFamilySuite } from "../src/run/define.ts";

defineFamilySuite(token);
