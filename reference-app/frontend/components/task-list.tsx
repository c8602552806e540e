"use client";

import { useEffect, useMemo, useState, type FormEvent } from "react";
import { createApiClient, SessionEndedError, type ApiSettings, type Priority, type Task } from "@/lib/api-client";
import { signOut } from "@/lib/auth-client";

/** Lists, creates, toggles and deletes the signed-in user's tasks through the FastAPI backend. */
export function TaskList({ settings, userName }: { settings: ApiSettings; userName: string }) {
  const api = useMemo(() => createApiClient(settings), [settings]);
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      if (!(e instanceof SessionEndedError)) setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  const reload = () => run(async () => setTasks(await api.listTasks()));

  useEffect(() => {
    void reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api]);

  async function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const title = String(data.get("title") ?? "").trim();
    const priority = String(data.get("priority") ?? "medium") as Priority;
    if (!title) return;
    await run(async () => {
      const created = await api.createTask({ title, priority });
      setTasks((current) => [...(current ?? []), created]);
      form.reset();
    });
  }

  const onToggle = (task: Task) =>
    run(async () => {
      const updated = await api.updateTask(task.id, { done: !task.done });
      setTasks((current) => (current ?? []).map((t) => (t.id === task.id ? updated : t)));
    });

  const onDelete = (task: Task) =>
    run(async () => {
      await api.deleteTask(task.id);
      setTasks((current) => (current ?? []).filter((t) => t.id !== task.id));
    });

  async function onSignOut() {
    api.forgetToken();
    await signOut();
    window.location.assign("/sign-in");
  }

  return (
    <div className="card">
      <div className="spread">
        <h1>{userName}&apos;s tasks</h1>
        <button type="button" className="secondary" data-testid="sign-out" onClick={onSignOut}>
          Sign out
        </button>
      </div>
      <form className="create" onSubmit={onCreate}>
        <input name="title" placeholder="What needs doing?" maxLength={200} required aria-label="Title" />
        <select name="priority" defaultValue="medium" aria-label="Priority">
          <option value="low">Low</option>
          <option value="medium">Medium</option>
          <option value="high">High</option>
        </select>
        <button type="submit" data-testid="task-create" disabled={busy}>
          Add
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {tasks === null ? (
        <p className="muted">Loading…</p>
      ) : tasks.length === 0 ? (
        <p className="muted" data-testid="tasks-empty">
          No tasks yet.
        </p>
      ) : (
        <ul className="tasks">
          {tasks.map((task) => (
            <li
              key={task.id}
              className={task.done ? "task done" : "task"}
              data-testid="task-row"
              data-task-id={task.id}
              data-done={String(task.done)}
            >
              <button
                type="button"
                className="secondary"
                data-testid="task-toggle"
                aria-pressed={task.done}
                onClick={() => onToggle(task)}
                disabled={busy}
              >
                {task.done ? "Undo" : "Done"}
              </button>
              <span className="title">{task.title}</span>
              <span className={`badge ${task.priority}`}>{task.priority}</span>
              <button type="button" className="danger" data-testid="task-delete" onClick={() => onDelete(task)} disabled={busy}>
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
