// The second bundle of the executable (build.ts): the roles besides sctool, loaded by src/cli/manager-main.ts.
export { roles } from "../src/cli/roles.ts";
