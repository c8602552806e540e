import { isolation } from "../src/checks/isolation/index.ts";
import { defineFamilySuite } from "../src/run/define.ts";

defineFamilySuite(isolation);
