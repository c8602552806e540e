import { property } from "../src/checks/property/index.ts";
import { defineFamilySuite } from "../src/run/define.ts";

defineFamilySuite(property);
