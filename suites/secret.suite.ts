import { secret } from "../src/checks/secret/index.ts";
import { defineFamilySuite } from "../src/run/define.ts";

defineFamilySuite(secret);
