// Vectimus for OpenCode: every tool call is judged by the Vectimus hook before it runs.
// Written by `vectimus init` (`vectimus remove` deletes it); do not edit: init rewrites it.
//
// Each `tool.execute.before` is piped as JSON to the installed hook command; the call goes ahead
// only on its answer {"decision": "allow"}. A deny, a non-zero exit, no answer within the time
// limit or an answer that is not that JSON throws, and OpenCode gives the model the error.
import { spawn } from "node:child_process";

const COMMAND = __VECTIMUS_HOOK_COMMAND__;
const TIMEOUT_MS = __VECTIMUS_TIMEOUT_MS__;

function runHook(payload, cwd) {
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    let settled = false;
    const settle = (result) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve(result);
      }
    };
    let child;
    try {
      child = spawn("/bin/sh", ["-c", COMMAND], { cwd, stdio: ["pipe", "pipe", "pipe"] });
    } catch (error) {
      resolve({ failure: `the hook could not start (${error.message})` });
      return;
    }
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      settle({ failure: `the hook gave no answer within ${TIMEOUT_MS / 1000} s` });
    }, TIMEOUT_MS);
    child.stdout.on("data", (chunk) => { stdout += chunk; });
    child.stderr.on("data", (chunk) => { stderr += chunk; });
    child.stdin.on("error", () => {});
    child.on("error", (error) => settle({ failure: `the hook could not start (${error.message})` }));
    child.on("close", (code, signal) => settle({ code, signal, stdout, stderr }));
    child.stdin.end(JSON.stringify(payload));
  });
}

function denied(why) {
  return new Error(why.startsWith("Vectimus") || why.includes("vectimus-") ? why : `Vectimus denied this call: ${why}`);
}

export const VectimusPlugin = async ({ directory, worktree }) => ({
  "tool.execute.before": async (input, output) => {
    const payload = {
      hook_event_name: "tool.execute.before",
      cwd: directory,
      worktree,
      tool_name: input.tool,
      session_id: input.sessionID,
      call_id: input.callID,
      tool_input: output.args,
    };
    const ran = await runHook(payload, directory);
    if (ran.failure) throw denied(ran.failure);
    if (ran.code !== 0) {
      const said = ran.stderr.trim().split("\n").pop() || `the hook exited ${ran.signal || ran.code}`;
      throw denied(said.slice(0, 1000));
    }
    let answer;
    try {
      answer = JSON.parse(ran.stdout);
    } catch {
      throw denied("the hook's answer is not JSON");
    }
    if (!answer || answer.decision !== "allow") {
      throw denied(answer && typeof answer.reason === "string" && answer.reason ? answer.reason : "no reason given");
    }
  },
});
