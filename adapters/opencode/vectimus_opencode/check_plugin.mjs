// `vectimus doctor` for OpenCode: load the installed plugin the way OpenCode does, and feed its
// `tool.execute.before` hook a call every default policy set denies. Prints one JSON line:
// {"ok": true|false, "detail": "..."}. Usage: <runtime> check_plugin.mjs PLUGIN_FILE PROJECT_DIR
import { pathToFileURL } from "node:url";

const [plugin, directory] = process.argv.slice(-2);
const say = (ok, detail) => {
  console.log(JSON.stringify({ ok, detail: String(detail).slice(0, 300) }));
  process.exit(0);
};

let module;
try {
  module = await import(pathToFileURL(plugin).href);
} catch (error) {
  say(false, `OpenCode cannot load it: ${error.message}`);
}
const factories = Object.values(module).filter((value) => typeof value === "function");
if (factories.length === 0) say(false, "it exports no plugin function, so OpenCode loads nothing from it");
for (const factory of factories) {
  let hooks;
  try {
    hooks = await factory({ directory, worktree: directory });
  } catch (error) {
    say(false, `its plugin function fails: ${error.message}`);
  }
  const before = hooks && hooks["tool.execute.before"];
  if (typeof before !== "function") continue;
  try {
    await before({ tool: "bash", sessionID: "vectimus-doctor", callID: "vectimus-doctor-canary" },
                 { args: { command: "rm -rf /", description: "vectimus doctor canary" } });
  } catch (error) {
    say(true, `loads, and refused the canary: ${error.message}`);
  }
  say(false, "it loads but let the canary `rm -rf /` through");
}
say(false, "it has no tool.execute.before hook");
