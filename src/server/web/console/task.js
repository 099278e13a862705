// One task: its settings and actions, the live progress of the selected run (the latest by default) and the run
// history with each run's error.
import { api, paths } from "./api.js";
import { badge, confirmDialog, errorBox, h, mount, table, toast } from "./dom.js";
import { date, duration, elapsed, isSet, relative, schedule, statusKind } from "./format.js";
import { renderProgress } from "./progress.js";

const NO_PROGRESS = new Set(["healthcheck", "suspend"]);

/** Renders `#/c/<cluster>/task/<type>/<id>`. */
export async function renderTask(main, [clusterId, type, taskId], ctx) {
  const base = paths.task(clusterId, type, taskId);
  const cluster = await api("GET", paths.cluster(clusterId));
  if (!ctx.alive) return;
  let selected = "latest";
  const head = h("div");
  const progress = h("div", { id: "progress" });
  const history = h("div", { id: "history" });
  mount(
    main,
    h(
      "p",
      {},
      h("a", { href: "#/" }, "Clusters"),
      " / ",
      h("a", { href: `#/c/${encodeURIComponent(clusterId)}` }, cluster.name || clusterId),
      " / ",
      `${type}`,
    ),
    head,
    NO_PROGRESS.has(type) ? null : [h("h2", {}, "Progress"), progress],
    h("h2", {}, "History"),
    history,
  );

  const act = async (what, request) => {
    try {
      await request();
      toast(`${what}: ${type}`);
    } catch (error) {
      toast(`${what}: ${error.message}${error.details ? ` (${error.details})` : ""}`, "bad");
    }
    await refresh();
  };
  const remove = async (task) => {
    const ok = await confirmDialog({
      title: `Delete task ${type}/${task.name || task.id}?`,
      body: h("p", {}, "The task is no longer scheduled; its history is kept by the server until it expires."),
      confirm: "Delete",
    });
    if (!ok) return;
    await act("delete", () => api("DELETE", base));
    ctx.go(`#/c/${encodeURIComponent(clusterId)}`);
  };

  const renderHead = (task) =>
    mount(
      head,
      h(
        "div",
        { class: "row spread" },
        h(
          "h1",
          { class: "row" },
          `${task.type}/${task.name || task.id}`,
          badge(task.status || "NEW", statusKind(task.status)),
        ),
        h(
          "div",
          { class: "row" },
          task.status === "RUNNING"
            ? h("button", { type: "button", onclick: () => act("stop", () => api("PUT", `${base}/stop`)) }, "Stop")
            : [
                h(
                  "button",
                  { type: "button", class: "primary", onclick: () => act("start", () => api("PUT", `${base}/start`)) },
                  "Start",
                ),
                h(
                  "button",
                  {
                    type: "button",
                    title: "Start from scratch instead of continuing the last run",
                    onclick: () => act("start", () => api("PUT", `${base}/start`, { query: { continue: false } })),
                  },
                  "Start from scratch",
                ),
              ],
          h("button", { type: "button", class: "danger", onclick: () => remove(task) }, "Delete"),
        ),
      ),
      h(
        "div",
        { class: "stats" },
        [
          ["Schedule", schedule(task.schedule) || "once"],
          ["Enabled", task.enabled ? "yes" : "no"],
          ["Retries", String(task.schedule?.num_retries ?? 0)],
          ["Success / error", `${task.success_count || 0} / ${task.error_count || 0}`],
          ["Last success", isSet(task.last_success) ? relative(task.last_success) : "-"],
          ["Last error", isSet(task.last_error) ? relative(task.last_error) : "-"],
        ].map(([label, value]) => h("div", {}, h("span", {}, label), h("strong", {}, value))),
      ),
      h("details", {}, h("summary", {}, "Properties"), h("pre", {}, JSON.stringify(task.properties || {}, null, 2))),
    );

  const renderRun = (answer) => {
    const { run } = answer;
    return [
      h(
        "div",
        { class: "row", id: "run", dataset: { status: run.status, id: run.id } },
        badge(run.status, statusKind(run.status)),
        h("span", { class: "muted" }, `run ${run.id}`),
        isSet(run.start_time) ? h("span", {}, `started ${date(run.start_time)}`) : null,
        isSet(run.start_time) ? h("span", {}, `took ${duration(elapsed(run.start_time, run.end_time))}`) : null,
      ),
      run.cause ? h("div", { class: "error-box" }, h("div", { class: "error" }, run.cause)) : null,
      renderProgress(type, answer),
    ];
  };

  let lastStatus = "";
  const refresh = async () => {
    try {
      const [task, runs] = await Promise.all([
        api("GET", base),
        api("GET", `${base}/history`, { query: { limit: 20 } }),
      ]);
      if (!ctx.alive) return;
      renderHead(task);
      lastStatus = task.status;
      mount(
        history,
        table(
          [
            [
              "Run",
              (r) => h("button", { type: "button", class: "link", onclick: () => select(r.id) }, r.id.slice(0, 8)),
            ],
            ["Status", (r) => badge(r.status, statusKind(r.status))],
            ["Started", (r) => date(r.start_time)],
            ["Ended", (r) => date(r.end_time), "hide-narrow"],
            ["Duration", (r) => duration(elapsed(r.start_time, r.end_time)), "num"],
            ["Error", (r) => (r.cause ? h("span", { class: "error" }, r.cause) : ""), "wrap"],
          ],
          runs || [],
          { empty: "No runs yet." },
        ),
      );
      if (!NO_PROGRESS.has(type)) {
        const answer = await api("GET", `${base}/${selected}`);
        if (ctx.alive) mount(progress, renderRun(answer));
      }
    } catch (error) {
      if (ctx.alive) mount(progress, errorBox(error));
    }
  };
  const select = async (runId) => {
    selected = runId;
    await refresh();
  };
  ctx.refresh = refresh;
  await refresh();
  let ticks = 0;
  ctx.every(1000, async () => {
    ticks++;
    // Every second while a run is live, every 5 s otherwise.
    if (lastStatus === "RUNNING" || lastStatus === "STOPPING" || ticks % 5 === 0) await refresh();
  });
}
