import { claims } from "../src/checks/claims/index.ts";
import { defineFamilySuite } from "../src/run/define.ts";

defineFamilySuite(claims);
