import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { BranchCreateInput, BranchView, CreateInput } from "../../../api-types.ts";
import { toLocalInput } from "./autoscaling-format.ts";
import { BranchDialog } from "./BranchDialog.tsx";
import { CreateProjectForm } from "./CreateProjectForm.tsx";
import { type ComputeValues, EndpointDialog } from "./EndpointDialog.tsx";

afterEach(cleanup);

const branch = (id: string, state = "READY"): BranchView => ({
  kind: "branch",
  name: `projects/p/branches/${id}`,
  id,
  state,
  parent: "projects/p",
  inUse: id === "production",
  createdAt: null,
  detail: {
    isDefault: id === "production",
    isProtected: false,
    expiresAt: null,
    sourceBranch: null,
    sourceBranchTime: null,
    logicalSizeBytes: null,
  },
});

const submitOf = (name: string) => screen.getByRole("button", { name }) as HTMLButtonElement;

describe("BranchDialog", () => {
  it("sends the id, the parent, a TTL or no expiry, and a past time only inside the history window", () => {
    const onSubmit = vi.fn<(input: BranchCreateInput) => void>();
    render(
      <BranchDialog
        branches={[branch("production"), branch("qa"), branch("new", "INIT")]}
        defaultBranch="projects/p/branches/production"
        historySeconds={86_400}
        onSubmit={onSubmit}
        onClose={() => {}}
        pending={false}
        error={null}
      />,
    );
    const create = submitOf("Create branch");
    expect(create.disabled).toBe(true);
    // A branch being created cannot be a parent yet.
    const parents = screen.getAllByRole("option").map((o) => o.textContent);
    expect(parents).toContain("qa");
    expect(parents).not.toContain("new");
    fireEvent.change(screen.getByRole("textbox", { name: "Branch id" }), { target: { value: "Dev" } });
    expect(screen.getByText(/Lowercase letters/)).toBeTruthy();
    expect(create.disabled).toBe(true);
    fireEvent.change(screen.getByRole("textbox", { name: "Branch id" }), { target: { value: "dev" } });
    fireEvent.click(create);
    expect(onSubmit).toHaveBeenLastCalledWith({
      branchId: "dev",
      sourceBranchId: "production",
      ttlSeconds: 3600,
    });

    fireEvent.change(screen.getByRole("combobox", { name: "Parent" }), { target: { value: "qa" } });
    fireEvent.change(screen.getByRole("combobox", { name: "Lifetime" }), { target: { value: "none" } });
    fireEvent.click(screen.getByRole("radio", { name: /A past time/ }));
    const when = screen.getByLabelText("Time (your time zone)");
    fireEvent.change(when, { target: { value: toLocalInput(Date.now() - 2 * 86_400_000) } });
    expect(screen.getByText(/within the project's history window \(the last 1 day\)/)).toBeTruthy();
    expect(create.disabled).toBe(true);
    const past = toLocalInput(Date.now() - 3600_000);
    fireEvent.change(when, { target: { value: past } });
    expect(create.disabled).toBe(false);
    fireEvent.click(create);
    expect(onSubmit).toHaveBeenLastCalledWith({
      branchId: "dev",
      sourceBranchId: "qa",
      pointInTime: new Date(past).toISOString(),
      noExpiry: true,
    });
  });
});

describe("EndpointDialog", () => {
  it("adds a read-only endpoint only with a valid id and a compute range the service takes", () => {
    const onSubmit = vi.fn<(v: ComputeValues & { endpointId: string }) => void>();
    render(
      <EndpointDialog branchId="dev" onSubmit={onSubmit} onClose={() => {}} pending={false} error={null} />,
    );
    const add = submitOf("Add endpoint");
    expect(add.disabled).toBe(true);
    fireEvent.change(screen.getByRole("textbox", { name: "Endpoint id" }), { target: { value: "reader" } });
    fireEvent.change(screen.getByRole("spinbutton", { name: "Max CU" }), { target: { value: "0.25" } });
    expect(screen.getByText("Max CU must be between 0.5 and 64.")).toBeTruthy();
    expect(add.disabled).toBe(true);
    fireEvent.change(screen.getByRole("spinbutton", { name: "Max CU" }), { target: { value: "4" } });
    fireEvent.change(screen.getByRole("combobox", { name: "Scale to zero" }), { target: { value: "never" } });
    fireEvent.click(add);
    expect(onSubmit).toHaveBeenCalledWith({
      endpointId: "reader",
      minCu: 0.5,
      maxCu: 4,
      suspendTimeoutSeconds: null,
    });
  });

  it("changes an endpoint's compute from its current values, keeping a suspend timeout not in the list", () => {
    const onSubmit = vi.fn<(v: ComputeValues & { endpointId: string }) => void>();
    render(
      <EndpointDialog
        branchId="production"
        endpoint={{
          kind: "endpoint",
          name: "projects/p/branches/production/endpoints/primary",
          id: "primary",
          state: "IDLE",
          parent: "projects/p/branches/production",
          inUse: true,
          createdAt: null,
          detail: {
            type: "read-write",
            minCu: 1,
            maxCu: 2,
            suspendTimeoutSeconds: 600,
            disabled: false,
            lastActiveAt: null,
          },
        }}
        onSubmit={onSubmit}
        onClose={() => {}}
        pending={false}
        error={null}
      />,
    );
    expect(screen.queryByRole("textbox", { name: "Endpoint id" })).toBeNull();
    expect((screen.getByRole("combobox", { name: "Scale to zero" }) as HTMLSelectElement).value).toBe("600");
    fireEvent.change(screen.getByRole("spinbutton", { name: "Min CU" }), { target: { value: "4" } });
    expect(screen.getByText("Max CU must be at least min CU.")).toBeTruthy();
    fireEvent.change(screen.getByRole("spinbutton", { name: "Max CU" }), { target: { value: "8" } });
    fireEvent.click(submitOf("Save compute"));
    expect(onSubmit).toHaveBeenCalledWith({
      endpointId: "primary",
      minCu: 4,
      maxCu: 8,
      suspendTimeoutSeconds: 600,
    });
  });
});

describe("CreateProjectForm", () => {
  const names = {
    project: "orders",
    catalog: "orders_catalog",
    syncedTable: "orders_catalog.public.orders_synced",
  };

  it("creates the project with its compute and history window once the cost is acknowledged", () => {
    const onSubmit = vi.fn<(input: CreateInput) => void>();
    render(
      <CreateProjectForm
        onSubmit={onSubmit}
        pending={false}
        error={null}
        names={names}
        projectExists={false}
      />,
    );
    const create = submitOf("Create project");
    expect(create.disabled).toBe(true);
    fireEvent.click(screen.getByRole("checkbox", { name: /bills for its storage/ }));
    fireEvent.change(screen.getByRole("spinbutton", { name: /History window/ }), { target: { value: "40" } });
    expect(create.disabled).toBe(true);
    fireEvent.change(screen.getByRole("spinbutton", { name: /History window/ }), { target: { value: "14" } });
    fireEvent.click(create);
    expect(onSubmit).toHaveBeenCalledWith({
      acknowledgeCost: true,
      retentionWindowInDays: 14,
      compute: { minCu: 0.5, maxCu: 2, suspendTimeoutSeconds: 300 },
    });
  });

  it("creates only what is missing of an existing project, offering no compute it would not apply", () => {
    const onSubmit = vi.fn<(input: CreateInput) => void>();
    render(
      <CreateProjectForm onSubmit={onSubmit} pending={false} error={null} names={names} projectExists />,
    );
    expect(screen.queryByRole("spinbutton", { name: "Min CU" })).toBeNull();
    fireEvent.click(screen.getByRole("checkbox", { name: /bills for its storage/ }));
    fireEvent.click(submitOf("Create the rest"));
    expect(onSubmit).toHaveBeenCalledWith({ acknowledgeCost: true });
  });
});
