import { describe, expect, it } from "vitest";
import { exportUrl, fileNameOf } from "./download-csv.ts";

describe("export request", () => {
  it("asks for the filters, the sort and the visible columns, and reads the file name the API gives", () => {
    expect(
      exportUrl({
        filters: { status: "F", dateFrom: "1995-01-01" },
        sort: "-totalPrice",
        columns: ["orderKey", "totalPrice"],
      }),
    ).toBe(
      "/api/export/orders.csv?status=F&dateFrom=1995-01-01&sort=-totalPrice&columns=orderKey%2CtotalPrice",
    );
    expect(fileNameOf('attachment; filename="orders_status-F.csv"')).toBe("orders_status-F.csv");
    expect(fileNameOf("attachment")).toBeNull();
    expect(fileNameOf(null)).toBeNull();
  });
});
