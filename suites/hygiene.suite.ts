import { hygiene } from "../src/checks/hygiene/index.ts";
import { defineFamilySuite } from "../src/run/define.ts";

defineFamilySuite(hygiene);
