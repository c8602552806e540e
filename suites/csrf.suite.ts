import { csrf } from "../src/checks/csrf/index.ts";
import { defineFamilySuite } from "../src/run/define.ts";

defineFamilySuite(csrf);
