import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CreateInput } from "../../api-types.ts";
import { Dialog } from "../../ui/Dialog.tsx";
import { CreateForm } from "./CreateForm.tsx";
import { DeleteDialog } from "./DeleteDialog.tsx";

afterEach(cleanup);

const steps = [
  { resource: "synced_table", name: "orders_catalog.public.orders_synced" },
  { resource: "catalog", name: "orders_catalog" },
  { resource: "instance", name: "orders-db" },
];

describe("DeleteDialog", () => {
  it("lists what is deleted in order and enables delete only for the exact instance name", () => {
    const onConfirm = vi.fn<(name: string) => void>();
    render(
      <DeleteDialog
        instanceName="orders-db"
        steps={steps}
        onConfirm={onConfirm}
        onClose={() => {}}
        pending={false}
        outcomes={null}
        error={null}
      />,
    );
    const items = screen.getAllByRole("listitem").map((li) => li.textContent);
    expect(items).toEqual([
      "Synced table orders_catalog.public.orders_synced",
      "Catalog orders_catalog",
      "Instance orders-db",
    ]);
    const input = screen.getByRole("textbox", { name: /Type orders-db to confirm/ });
    const button = screen.getByRole("button", { name: "Delete everything" }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    fireEvent.change(input, { target: { value: "orders-d" } });
    expect(button.disabled).toBe(true);
    fireEvent.submit(button.closest("form")!);
    expect(onConfirm).not.toHaveBeenCalled();
    fireEvent.change(input, { target: { value: "Orders-db" } });
    expect(button.disabled).toBe(true);
    fireEvent.change(input, { target: { value: "orders-db" } });
    expect(button.disabled).toBe(false);
    fireEvent.click(button);
    expect(onConfirm).toHaveBeenCalledWith("orders-db");
  });

  it("shows the outcome of every resource, failures with their reason", () => {
    render(
      <DeleteDialog
        instanceName="orders-db"
        steps={steps}
        onConfirm={() => {}}
        onClose={() => {}}
        pending={false}
        outcomes={[
          { resource: "synced_table", name: steps[0]!.name, outcome: "deleted" },
          { resource: "catalog", name: "orders_catalog", outcome: "not_found" },
          {
            resource: "instance",
            name: "orders-db",
            outcome: "failed",
            error: "INVALID_STATE: instance is stopping",
          },
        ]}
        error={null}
      />,
    );
    const items = screen.getAllByRole("listitem").map((li) => li.textContent);
    expect(items[0]).toContain("Deleted");
    expect(items[1]).toContain("Already gone");
    expect(items[2]).toContain("Failed");
    expect(items[2]).toContain("INVALID_STATE: instance is stopping");
    expect(screen.queryByRole("button", { name: "Delete everything" })).toBeNull();
  });
});

describe("CreateForm", () => {
  it("keeps the create button disabled until the cost is acknowledged, then sends the form values", () => {
    const onSubmit = vi.fn<(input: CreateInput) => void>();
    render(
      <CreateForm
        onSubmit={onSubmit}
        pending={false}
        error={null}
        names={{
          instance: "orders-db",
          catalog: "orders_catalog",
          syncedTable: "orders_catalog.public.orders_synced",
        }}
      />,
    );
    const button = screen.getByRole("button", { name: "Create resources" }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    fireEvent.submit(button.closest("form")!);
    expect(onSubmit).not.toHaveBeenCalled();

    fireEvent.change(screen.getByRole("combobox", { name: "Capacity" }), { target: { value: "CU_2" } });
    fireEvent.change(screen.getByRole("combobox", { name: "Node count" }), { target: { value: "2" } });
    fireEvent.click(screen.getByRole("checkbox", { name: /Readable secondaries/ }));
    fireEvent.change(screen.getByRole("spinbutton", { name: /Retention/ }), { target: { value: "14" } });
    const ack = screen.getByRole("checkbox", { name: /billed for every hour/ });
    expect(ack.closest("p")?.textContent).toContain("2 CU instance with 2 nodes");
    fireEvent.click(ack);
    expect(button.disabled).toBe(false);
    fireEvent.click(button);
    expect(onSubmit).toHaveBeenCalledWith({
      acknowledgeCost: true,
      capacity: "CU_2",
      nodeCount: 2,
      enableReadableSecondaries: true,
      retentionWindowInDays: 14,
    });

    fireEvent.change(screen.getByRole("spinbutton", { name: /Retention/ }), { target: { value: "40" } });
    expect(button.disabled).toBe(true);
  });
});

describe("Dialog", () => {
  it("moves focus in, traps Tab, closes on Esc and gives focus back", () => {
    const onClose = vi.fn();
    function Harness({ open }: { open: boolean }) {
      return (
        <>
          <button type="button">opener</button>
          {open ? (
            <Dialog title="Confirm" onClose={onClose}>
              <button type="button">first action</button>
              <button type="button">last action</button>
            </Dialog>
          ) : null}
        </>
      );
    }
    const { rerender } = render(<Harness open={false} />);
    const opener = screen.getByRole("button", { name: "opener" });
    act(() => opener.focus());
    rerender(<Harness open />);
    const dialog = screen.getByRole("dialog", { name: "Confirm" });
    // The native element, opened as a modal (the browser makes the page behind it inert).
    expect(dialog).toBeInstanceOf(HTMLDialogElement);
    expect((dialog as HTMLDialogElement).open).toBe(true);
    expect(dialog.getAttribute("aria-modal")).toBe("true");
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Close" }));

    act(() => screen.getByRole("button", { name: "last action" }).focus());
    fireEvent.keyDown(document.activeElement!, { key: "Tab" });
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Close" }));
    fireEvent.keyDown(document.activeElement!, { key: "Tab", shiftKey: true });
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "last action" }));

    fireEvent.keyDown(document.activeElement!, { key: "Escape" });
    expect(onClose).toHaveBeenCalledTimes(1);
    // A close request the browser sends itself (Esc outside any element, a back gesture) asks the owner too,
    // and the dialog stays open until the owner unmounts it.
    const cancel = new Event("cancel", { cancelable: true });
    dialog.dispatchEvent(cancel);
    expect(cancel.defaultPrevented).toBe(true);
    expect(onClose).toHaveBeenCalledTimes(2);
    expect((dialog as HTMLDialogElement).open).toBe(true);
    rerender(<Harness open={false} />);
    expect(document.activeElement).toBe(opener);
  });
});
