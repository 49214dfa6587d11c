// The AWS SDK for JavaScript v3 against ssm_mw_mock's server; tests/test_js_sdk.py runs it and checks
// what it prints: one JSON object. Usage: SSM_MW_MOCK_ENDPOINT=http://127.0.0.1:PORT node mw_client.mjs
import {
  SSMClient,
  CreateMaintenanceWindowCommand,
  GetMaintenanceWindowCommand,
  RegisterTargetWithMaintenanceWindowCommand,
  RegisterTaskWithMaintenanceWindowCommand,
  DescribeMaintenanceWindowExecutionsCommand,
  DoesNotExistException,
  paginateDescribeMaintenanceWindows,
} from "@aws-sdk/client-ssm";

const endpoint = process.env.SSM_MW_MOCK_ENDPOINT;
const ssm = new SSMClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  maxAttempts: 1,
});
const out = {};

const { WindowId } = await ssm.send(
  new CreateMaintenanceWindowCommand({
    Name: "js-nightly",
    Schedule: "cron(0 2 ? * * *)",
    Duration: 3,
    Cutoff: 1,
    AllowUnassociatedTargets: false,
  }),
);
const window = await ssm.send(new GetMaintenanceWindowCommand({ WindowId }));
out.window = { name: window.Name, nextExecutionTime: window.NextExecutionTime, duration: window.Duration };

const { WindowTargetId } = await ssm.send(
  new RegisterTargetWithMaintenanceWindowCommand({
    WindowId,
    ResourceType: "INSTANCE",
    Targets: [{ Key: "InstanceIds", Values: ["i-0123456789abcdef0"] }],
  }),
);
const { WindowTaskId } = await ssm.send(
  new RegisterTaskWithMaintenanceWindowCommand({
    WindowId,
    TaskType: "RUN_COMMAND",
    TaskArn: "AWS-RunShellScript",
    Targets: [{ Key: "WindowTargetIds", Values: [WindowTargetId] }],
    MaxConcurrency: "1",
    MaxErrors: "0",
    TaskInvocationParameters: { RunCommand: { Parameters: { commands: ["uptime"] } } },
  }),
);
out.registered = { target: typeof WindowTargetId, task: typeof WindowTaskId };

// The control API: move the fake clock a day on, through the 02:00 run.
const advanced = await fetch(`${endpoint}/_mw/clock/advance`, {
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ days: 1 }),
});
out.clock = await advanced.json();

const executions = await ssm.send(new DescribeMaintenanceWindowExecutionsCommand({ WindowId }));
out.executions = executions.WindowExecutions.map((execution) => ({
  status: execution.Status,
  startTime: execution.StartTime.toISOString(),
}));

for (let index = 0; index < 24; index += 1) {
  await ssm.send(
    new CreateMaintenanceWindowCommand({
      Name: `js-page-${String(index).padStart(2, "0")}`,
      Schedule: "rate(1 day)",
      Duration: 2,
      Cutoff: 1,
      AllowUnassociatedTargets: true,
    }),
  );
}
const pages = [];
for await (const page of paginateDescribeMaintenanceWindows({ client: ssm, pageSize: 10 }, {})) {
  pages.push(page.WindowIdentities.length);
}
out.pages = pages;

try {
  await ssm.send(new GetMaintenanceWindowCommand({ WindowId: "mw-0123456789abcdef0" }));
  out.error = null;
} catch (error) {
  out.error = {
    name: error.name,
    modelled: error instanceof DoesNotExistException,
    message: error.message,
    status: error.$metadata.httpStatusCode,
  };
}

console.log(JSON.stringify(out));
