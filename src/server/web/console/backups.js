// Backups of a cluster per location (GET /backups reads the manifests in the storage through an agent): snapshot
// tags with sizes and keyspaces, the files of a snapshot on demand, and restore/delete actions that ask first.
import { ApiError, api, paths } from "./api.js";
import { badge, confirmDialog, errorBox, h, mount, openDialog, table, toast } from "./dom.js";
import { bytes, date } from "./format.js";
import { field, formError, list, validators } from "./forms.js";

/** `sm_20240101120000UTC` -> its ISO time. */
const tagTime = (tag) => {
  const m = /^sm_(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})UTC$/.exec(tag);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : "";
};

async function backupLocations(clusterId) {
  const tasks = (await api("GET", `${paths.cluster(clusterId)}/tasks`, { query: { type: "backup", all: true } })) || [];
  return [...new Set(tasks.flatMap((t) => t.properties?.location || []))];
}

/** Renders `#/c/<cluster>/backups`. */
export async function renderBackups(main, [clusterId], ctx) {
  const cluster = await api("GET", paths.cluster(clusterId));
  if (!ctx.alive) return;
  const body = h("div", { id: "backups" }, h("p", { class: "muted" }, "Reading backups from the storage…"));
  const extra = h("input", { name: "locations", placeholder: "more locations: s3:bucket,gcs:other" });
  let locations = [];
  const refresh = async () => {
    try {
      const known = await backupLocations(cluster.id);
      locations = [...new Set([...known, ...list(extra.value)])];
      if (!ctx.alive) return;
      if (locations.length === 0) {
        mount(body, h("p", { class: "muted" }, "No backup task has a location yet; enter a location above."));
        return;
      }
      const sections = await Promise.all(locations.map((location) => locationSection(cluster, location, ctx)));
      if (ctx.alive) mount(body, sections);
    } catch (error) {
      if (ctx.alive) mount(body, errorBox(error));
    }
  };
  ctx.refresh = refresh;
  mount(
    main,
    h(
      "p",
      {},
      h("a", { href: "#/" }, "Clusters"),
      " / ",
      h("a", { href: `#/c/${encodeURIComponent(cluster.id)}` }, cluster.name || cluster.id),
      " / backups",
    ),
    h("h1", {}, `Backups of ${cluster.name}`),
    h(
      "form",
      {
        class: "row",
        onsubmit: (e) => {
          e.preventDefault();
          refresh();
        },
      },
      extra,
      h("button", { type: "submit" }, "List"),
    ),
    body,
  );
  await refresh();
  ctx.every(15000, refresh);
}

async function locationSection(cluster, location, ctx) {
  let items;
  try {
    items =
      (await api("GET", `${paths.cluster(cluster.id)}/backups`, {
        query: { locations: [location], query_cluster_id: cluster.id },
      })) || [];
  } catch (error) {
    return h("section", {}, h("h2", {}, location), errorBox(error));
  }
  const rows = [];
  for (const item of items) {
    const keyspaces = (item.units || []).map((u) => u.keyspace);
    for (const snap of item.snapshot_info || []) rows.push({ ...snap, keyspaces, task_id: item.task_id });
  }
  rows.sort((a, b) => b.snapshot_tag.localeCompare(a.snapshot_tag));
  return h(
    "section",
    { class: "location", dataset: { location } },
    h("h2", { class: "row" }, location, badge(`${rows.length} snapshots`)),
    table(
      [
        ["Snapshot", (r) => h("code", {}, r.snapshot_tag)],
        ["Taken", (r) => date(tagTime(r.snapshot_tag)), "hide-narrow"],
        ["Size", (r) => bytes(r.size || 0), "num"],
        ["Nodes", (r) => r.nodes ?? "-", "num hide-narrow"],
        ["Keyspaces", (r) => r.keyspaces.join(", "), "wrap hide-narrow"],
        [
          "Actions",
          (r) =>
            h(
              "div",
              { class: "row" },
              h("button", { type: "button", onclick: () => showFiles(cluster, location, r.snapshot_tag) }, "Files"),
              h(
                "button",
                { type: "button", onclick: () => restoreForm(cluster, location, r.snapshot_tag, ctx) },
                "Restore",
              ),
              h(
                "button",
                {
                  type: "button",
                  class: "danger",
                  onclick: () => deleteSnapshot(cluster, location, r.snapshot_tag, ctx),
                },
                "Delete",
              ),
            ),
        ],
      ],
      rows,
      {
        empty: "No snapshots of this cluster in this location.",
        rowAttrs: (r) => ({ dataset: { tag: r.snapshot_tag } }),
      },
    ),
  );
}

async function showFiles(cluster, location, tag) {
  const content = h("div", {}, h("p", { class: "muted" }, "Listing files…"));
  const dialog = openDialog((close) =>
    h(
      "div",
      {},
      h("h2", {}, `Files of ${tag}`),
      content,
      h("div", { class: "actions" }, h("button", { type: "button", onclick: () => close() }, "Close")),
    ),
  );
  try {
    const infos =
      (await api("GET", `${paths.cluster(cluster.id)}/backups/files`, {
        query: { snapshot_tag: tag, locations: [location], query_cluster_id: cluster.id },
      })) || [];
    const rows = infos.flatMap((info) => (info.files || []).map((f) => ({ ...f, location: info.location })));
    mount(
      content,
      table(
        [
          ["Table", (f) => `${f.keyspace}.${f.table}`],
          ["Files", (f) => (f.files || []).length, "num"],
          ["Size", (f) => bytes(f.size || 0), "num"],
          ["Path", (f) => f.path || "", "wrap hide-narrow"],
        ],
        rows,
        { empty: "No files." },
      ),
    );
  } catch (error) {
    mount(content, errorBox(error));
  }
  return dialog;
}

async function deleteSnapshot(cluster, location, tag, ctx) {
  const ok = await confirmDialog({
    title: `Delete snapshot ${tag}?`,
    body: h(
      "p",
      {},
      `The snapshot's manifests in ${location} and the files no other snapshot uses are deleted. This cannot be undone.`,
    ),
    confirm: "Delete snapshot",
  });
  if (!ok) return;
  try {
    await api("DELETE", `${paths.cluster(cluster.id)}/backups`, {
      query: { snapshot_tags: [tag], locations: [location] },
    });
    toast(`Deleted ${tag}`);
  } catch (error) {
    toast(`${error.message}${error.details ? ` (${error.details})` : ""}`, "bad");
  }
  await ctx.refresh();
}

function restoreForm(cluster, location, tag, ctx) {
  return openDialog((close) => {
    const errors = h("div");
    const form = h(
      "form",
      {
        class: "form",
        id: "restore-form",
        novalidate: true,
        onsubmit: async (event) => {
          event.preventDefault();
          const data = Object.fromEntries(new FormData(form));
          const problem = validators.restore(data);
          if (problem) return mount(errors, formError(problem));
          const confirmed = await confirmDialog({
            title: `Restore ${tag} into ${cluster.name}?`,
            body: h(
              "p",
              {},
              data.mode === "schema"
                ? "The backed-up schema is applied to the cluster."
                : "The backed-up tables are loaded into the cluster's tables; existing rows may be overwritten.",
            ),
            confirm: "Restore",
          });
          if (!confirmed) return;
          const properties = { location: list(data.location), snapshot_tag: data.snapshot_tag };
          properties[data.mode === "schema" ? "restore_schema" : "restore_tables"] = true;
          if (data.keyspace) properties.keyspace = list(data.keyspace);
          if (data.batch_size !== "") properties.batch_size = Number(data.batch_size);
          if (data.parallel !== "") properties.parallel = Number(data.parallel);
          try {
            await api("POST", `${paths.cluster(cluster.id)}/tasks`, {
              body: { type: "restore", name: "", enabled: true, schedule: {}, properties, labels: {} },
            });
            toast(`Restore of ${tag} started`);
            ctx.go(`#/c/${encodeURIComponent(cluster.id)}`);
          } catch (error) {
            // The first dialog was replaced by the confirmation: show the server's words as a toast.
            toast(`${error.message}${error.details ? ` (${error.details})` : ""}`, "bad");
            if (!(error instanceof ApiError)) throw error;
          }
        },
      },
      h("h2", {}, `Restore ${tag}`),
      field("Location", { name: "location", value: location, required: true }),
      field("Snapshot tag", { name: "snapshot_tag", value: tag, required: true }),
      field("Restore", { name: "mode", value: "tables" }, [
        ["tables", "tables (data)"],
        ["schema", "schema"],
      ]),
      field("Keyspaces (globs, tables only)", { name: "keyspace", placeholder: "*" }),
      field("Batch size (0 = max)", { name: "batch_size", type: "number", min: 0, placeholder: "2" }),
      field("Parallel (0 = max)", { name: "parallel", type: "number", min: 0, placeholder: "0" }),
      errors,
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", onclick: () => close(false) }, "Cancel"),
        h("button", { type: "submit", class: "primary" }, "Restore…"),
      ),
    );
    return form;
  });
}
