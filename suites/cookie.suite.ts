import { cookie } from "../src/checks/cookie/index.ts";
import { defineFamilySuite } from "../src/run/define.ts";

defineFamilySuite(cookie);
