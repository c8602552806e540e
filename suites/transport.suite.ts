import { transport } from "../src/checks/transport/index.ts";
import { defineFamilySuite } from "../src/run/define.ts";

defineFamilySuite(transport);
