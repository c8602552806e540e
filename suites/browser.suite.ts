import { browser } from "../src/checks/browser/index.ts";
import { defineFamilySuite } from "../src/run/define.ts";

defineFamilySuite(browser);
