import { cors } from "../src/checks/cors/index.ts";
import { defineFamilySuite } from "../src/run/define.ts";

defineFamilySuite(cors);
