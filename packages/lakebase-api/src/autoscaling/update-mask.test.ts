import { describe, expect, it } from "vitest";
import { updateMaskOf } from "./update-mask.ts";

describe("updateMaskOf", () => {
  it("names each field the spec sets, exclusive fields as their group, nested ones one by one", () => {
    expect(updateMaskOf({ autoscaling_limit_min_cu: 1, autoscaling_limit_max_cu: 4 })).toBe(
      "spec.autoscaling_limit_min_cu,spec.autoscaling_limit_max_cu",
    );
    expect(updateMaskOf({ suspend_timeout_duration: "300s" })).toBe("spec.suspension");
    expect(updateMaskOf({ no_suspension: true, disabled: false })).toBe("spec.suspension,spec.disabled");
    expect(updateMaskOf({ ttl: "3600s" })).toBe("spec.expiration");
    expect(updateMaskOf({ no_expiry: true, is_protected: true })).toBe("spec.expiration,spec.is_protected");
    expect(updateMaskOf({ group: { min: 2, max: 2 } })).toBe("spec.group.min,spec.group.max");
    expect(updateMaskOf({ settings: { pg_settings: { work_mem: "64MB" } } })).toBe(
      "spec.settings.pg_settings",
    );
  });

  it("leaves out what is undefined (an empty mask would mean the whole spec)", () => {
    expect(updateMaskOf({ autoscaling_limit_min_cu: undefined, disabled: true })).toBe("spec.disabled");
  });
});
