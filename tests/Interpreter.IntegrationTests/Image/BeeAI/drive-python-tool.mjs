// Drives beeai-framework's PythonTool against a running ComputeSandbox, as an agent built on BeeAI does:
// LocalPythonStorage copies the inputs from LOCAL_DIR into the service's storage folder (STORAGE_DIR) under their
// sha256, and the outputs back. Prints one JSON object: the tool's output for each call.
//   CODE_INTERPRETER_URL=http://127.0.0.1:5000 STORAGE_DIR=... LOCAL_DIR=... node drive-python-tool.mjs
import fs from "node:fs/promises";
import path from "node:path";
import { PythonTool } from "beeai-framework/tools/python/python";
import { LocalPythonStorage } from "beeai-framework/tools/python/storage";

const url = process.env.CODE_INTERPRETER_URL;
const localDir = process.env.LOCAL_DIR;
const storageDir = process.env.STORAGE_DIR;

await fs.mkdir(localDir, { recursive: true });
await fs.writeFile(path.join(localDir, "sales.csv"), "month,units\njan,3\nfeb,5\nmar,9\n");
await fs.writeFile(path.join(localDir, "notes.md"), "# Notes\n\nShell *works*.\n");

const tool = new PythonTool({
  codeInterpreter: { url },
  storage: new LocalPythonStorage({ localWorkingDir: localDir, interpreterWorkingDir: storageDir }),
});

const summary = (output) => ({
  stdout: output.stdout,
  stderr: output.stderr,
  exitCode: output.exitCode,
  outputFiles: output.outputFiles.map((f) => f.filename).sort(),
  text: output.getTextContent(),
});

const python = await tool.run({
  language: "python",
  code: [
    "import pandas as pd, matplotlib.pyplot as plt",
    "df = pd.read_csv('/workspace/sales.csv')",
    "df['double'] = df['units'] * 2",
    "df.to_csv('/workspace/doubled.csv', index=False)",
    "df.plot(x='month', y='units').get_figure().savefig('/workspace/chart.png')",
    "print(int(df['units'].sum()))",
  ].join("\n"),
  inputFiles: ["sales.csv"],
});

const shell = await tool.run({
  language: "shell",
  code: "echo hello && ls /workspace | wc -l && pandoc notes.md -o notes.html && wc -l < sales.csv",
  inputFiles: ["sales.csv", "notes.md"],
});

console.log(JSON.stringify({ python: summary(python), shell: summary(shell) }));
